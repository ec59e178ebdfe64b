"""The coalition's numbers: its one goal, each organization's day, week and all time, and the
organizations ranked by contacts.

Every total reads the organizations' rollups (`OrgDay`, `OrgWeek`, a few rows per organization
a day), or with a state the states' days (`StateDay`), one range per organization: their cost
follows the organizations and days asked about, never the volume of logs. The numbers are the
coalition's to share: organizations' names and totals, never a volunteer's name.

The coalition's day is the national one (`US`, Eastern): its "today" and "this week". A log counts
for its own state's local day, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bot.db import Prepared, run
from bot.i18n import N_
from bot.models import CampaignGoal, ContactWeek, Metric, Organization, OrgDay, OrgWeek, StateDay
from bot.services.clock import local_date, week_start
from bot.services.counts import METRICS, Counts
from bot.services.errors import Refused
from bot.services.places import NATIONAL_TZ
from bot.services.roles import Actor
from bot.services.states import state_timezone

MAX_CAMPAIGN_GOAL = 100_000_000
# The organizations a board shows (the caller's own standing is given wherever it is).
BOARD_SHOWN = 20


class NotCampaignAdmin(Refused):
    """Only the coalition's campaign admins set its goal."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "Only a campaign admin can set the coalition's goal. Campaign admins are listed in "
                "TURNOUT_CAMPAIGN_ADMINS; ask whoever runs Turnout for the coalition."
            )
        )


class CampaignGoalOutOfRange(Refused):
    def __init__(self, target: int) -> None:
        super().__init__(
            N_("A campaign goal is a whole number from 1 to {maximum}."), maximum=MAX_CAMPAIGN_GOAL
        )
        self.target = target


class CampaignDateGone(Refused):
    def __init__(self, by: date, today: date) -> None:
        super().__init__(
            N_("{by} has passed (today is {today}): give today or a later date."),
            by=by.isoformat(),
            today=today.isoformat(),
        )


@dataclass(frozen=True)
class CampaignProgress:
    """The coalition's goal and how far it has come: `done` of `target` `metric`s."""

    target: int
    metric: Metric
    by: date | None
    done: int
    today: date

    @property
    def days_left(self) -> int | None:
        return (self.by - self.today).days if self.by is not None else None


@dataclass(frozen=True)
class OrgNumbers:
    """One organization's totals: today, this week, all time, and its active volunteers."""

    team_id: str
    name: str
    today: Counts
    today_active: int
    week: Counts
    week_active: int
    all_time: Counts


@dataclass(frozen=True)
class CoalitionStats:
    today: date
    week_first: date
    progress: CampaignProgress | None
    orgs: list[OrgNumbers]

    @property
    def totals(self) -> tuple[Counts, Counts, Counts]:
        """The whole coalition's today, this week and all time."""
        return (
            _add(o.today for o in self.orgs),
            _add(o.week for o in self.orgs),
            _add(o.all_time for o in self.orgs),
        )


@dataclass(frozen=True)
class OrgStanding:
    rank: int
    team_id: str
    name: str
    contacts: int
    convos: int
    active: int


@dataclass(frozen=True)
class OrgLeaderboard:
    """Organizations ranked by contacts in `window`; `active` is of today for `today`, else of
    this week (all-time "active" would be everyone who ever logged: the week's is the useful number)."""

    state: str | None
    window: str
    first: date | None
    last: date
    rows: list[OrgStanding]
    mine: OrgStanding | None


# ---------------------------------------------------------------- the goal


def set_campaign_goal(
    session: Session, *, actor: Actor, target: int, metric: Metric, by: date | None, now: datetime
) -> CampaignGoal:
    """A campaign admin sets the coalition's goal; it replaces the one before (which is kept)."""
    if not actor.is_campaign_admin:
        raise NotCampaignAdmin()
    if not 1 <= target <= MAX_CAMPAIGN_GOAL:
        raise CampaignGoalOutOfRange(target)
    today = coalition_today(now)
    if by is not None and by < today:
        raise CampaignDateGone(by, today)
    goal = CampaignGoal(
        target=target,
        metric=metric,
        by_date=by,
        set_by_team=actor.team_id,
        set_by_user=actor.user_id,
        set_at=now,
    )
    session.add(goal)
    session.flush()
    return goal


def campaign_goal(session: Session) -> CampaignGoal | None:
    """The coalition's goal: the latest set."""
    row = run(session, _LATEST_GOAL).first()
    if row is None:
        return None
    return CampaignGoal(
        id=row.id,
        target=row.target,
        metric=Metric(row.metric),
        by_date=row.by_date,
        set_by_team=row.set_by_team,
        set_by_user=row.set_by_user,
        set_at=row.set_at,
    )


def campaign_progress(session: Session, *, now: datetime) -> CampaignProgress | None:
    """The goal and the coalition's total of its metric up to its date (all of it with no date);
    None with no goal set."""
    goal = campaign_goal(session)
    if goal is None:
        return None
    # Whole weeks from the organizations' weeks, the goal's own week up to its day from their days.
    until = goal.by_date or date.max
    monday = week_start(until) if goal.by_date else date.max
    weeks = run(session, _PROGRESS_WEEKS[goal.metric], {"before": monday}).first()
    days = run(session, _PROGRESS_DAYS[goal.metric], {"first": monday, "until": until}).first()
    done = int(weeks.total if weeks else 0) + int(days.total if days else 0)
    return CampaignProgress(goal.target, goal.metric, goal.by_date, done, coalition_today(now))


def coalition_today(now: datetime) -> date:
    return local_date(now, NATIONAL_TZ)


# ---------------------------------------------------------------- /stats coalition


def coalition_stats(session: Session, *, now: datetime) -> CoalitionStats:
    """The goal and its progress, and every organization's today, this week and all time."""
    today = coalition_today(now)
    monday = week_start(today)
    names = _org_names(session)
    day = _by_team(run(session, _ORG_DAYS, {"first": today, "last": today}).all())
    week = _by_team(run(session, _ORG_WEEK, {"week": monday}).all())
    all_time = _by_team(run(session, _ORG_ALL_WEEKS, {}).all())
    orgs = [
        OrgNumbers(
            team,
            name,
            Counts.of_row(day.get(team)),
            _active(day.get(team)),
            Counts.of_row(week.get(team)),
            _active(week.get(team)),
            Counts.of_row(all_time.get(team)),
        )
        for team, name in names.items()
    ]
    orgs.sort(key=lambda o: (-o.all_time.contacts, o.name.casefold(), o.team_id))
    return CoalitionStats(today, monday, campaign_progress(session, now=now), orgs)


# ---------------------------------------------------------------- /leaderboard orgs


def org_leaderboard(
    session: Session, *, team_id: str, state: str | None, window: str, now: datetime
) -> OrgLeaderboard:
    """The organizations ranked by contacts (attempts and outcomes) in `window`, in one state or
    all; ties share a rank. `team_id` is the caller's organization, whose standing is given too."""
    tz = state_timezone(session, team_id=team_id, code=state) if state else NATIONAL_TZ
    today = local_date(now, tz)
    monday = week_start(today)
    first = {"today": today, "week": monday, "all": None}[window]
    names = _org_names(session)
    teams = list(names)
    if state is None:
        if window == "week":
            counts = _by_team(run(session, _ORG_WEEK, {"week": monday}).all())
        elif window == "today":
            counts = _by_team(run(session, _ORG_DAYS, {"first": today, "last": today}).all())
        else:
            counts = _by_team(run(session, _ORG_ALL_WEEKS, {}).all())
        if window == "today":
            active = {team: _active(row) for team, row in counts.items()}
        else:
            week = counts if window == "week" else _by_team(run(session, _ORG_WEEK, {"week": monday}).all())
            active = {team: _active(row) for team, row in week.items()}
    else:
        counts = _state_days(session, teams, state, first or date.min, today if window != "all" else date.max)
        if window == "today":
            active = {team: _active(row) for team, row in counts.items()}
        else:
            active = _state_week_active(session, teams, state, monday)
    totals = sorted(
        (
            (Counts.of_row(row).contacts, Counts.of_row(row).convos, team)
            for team, row in counts.items()
            if team in names
        ),
        key=lambda t: (-t[0], names[t[2]].casefold(), t[2]),
    )
    rows: list[OrgStanding] = []
    for position, (contacts, convos, team) in enumerate(t for t in totals if t[0] > 0):
        rank = rows[-1].rank if rows and rows[-1].contacts == contacts else position + 1
        rows.append(OrgStanding(rank, team, names[team], contacts, convos, active.get(team, 0)))
    mine = next((r for r in rows if r.team_id == team_id), None)
    return OrgLeaderboard(state, window, first, today, rows[:BOARD_SHOWN], mine)


# ---------------------------------------------------------------- queries


def _org_names(session: Session) -> dict[str, str]:
    """Every organization of the coalition, by its name (its team id while it has none)."""
    rows = run(session, _ORGS).all()
    return {row.team_id: row.name or row.team_id for row in rows}


def _by_team(rows: list[Any]) -> dict[str, Any]:
    return {row.team_id: row for row in rows}


def _active(row: Any) -> int:
    return int(row.active or 0) if row is not None else 0


def _add(counts: Any) -> Counts:
    total = Counts()
    for c in counts:
        total = Counts(*(total.get(m) + c.get(m) for m in METRICS))
    return total


def _state_days(session: Session, teams: list[str], state: str, first: date, last: date) -> dict[str, Any]:
    """Each organization's sums for `state` from `first` to `last`: one index range per organization."""
    if not teams:
        return {}
    sd = _table(StateDay)
    rows = session.execute(
        sa.select(sd.c.team_id, *_sums(sd))
        .where(
            sd.c.team_id.in_(teams),
            sd.c.state == state,
            sd.c.local_date.between(first, last),
        )
        .group_by(sd.c.team_id)
    ).all()
    return _by_team(list(rows))


def _state_week_active(session: Session, teams: list[str], state: str, monday: date) -> dict[str, int]:
    """How many of each organization's volunteers logged in `state` this week."""
    if not teams:
        return {}
    cw = _table(ContactWeek)
    rows = session.execute(
        sa.select(cw.c.team_id, sa.func.count())
        .where(cw.c.team_id.in_(teams), cw.c.state == state, cw.c.week_start == monday)
        .group_by(cw.c.team_id)
    ).all()
    return {team: int(n) for team, n in rows}


def _table(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


def _sums(table: sa.Table) -> list[sa.Label[Any]]:
    return [
        sa.func.coalesce(sa.func.sum(table.c.active), 0).label("active"),
        *(sa.func.coalesce(sa.func.sum(table.c[m.value]), 0).label(m.value) for m in METRICS),
    ]


_od = _table(OrgDay)
_ow = _table(OrgWeek)
_cg = _table(CampaignGoal)
_org = _table(Organization)

# Built once, with bound parameters: compiled once per dialect.
_ORGS = Prepared(sa.select(_org.c.team_id, _org.c.name))
_ORG_DAYS = Prepared(
    sa.select(_od.c.team_id, *_sums(_od))
    .where(_od.c.local_date.between(sa.bindparam("first"), sa.bindparam("last")))
    .group_by(_od.c.team_id)
)
# All time from the weeks: a seventh of the days' rows, the same sums.
_ORG_ALL_WEEKS = Prepared(sa.select(_ow.c.team_id, *_sums(_ow)).group_by(_ow.c.team_id))
_ORG_WEEK = Prepared(
    sa.select(_ow.c.team_id, *_sums(_ow))
    .where(_ow.c.week_start == sa.bindparam("week"))
    .group_by(_ow.c.team_id)
)
_LATEST_GOAL = Prepared(sa.select(_cg).order_by(_cg.c.id.desc()).limit(1))


_PROGRESS_WEEKS = {
    m: Prepared(
        sa.select(sa.func.coalesce(sa.func.sum(_ow.c[m.value]), 0).label("total")).where(
            _ow.c.week_start < sa.bindparam("before", type_=sa.Date())
        )
    )
    for m in Metric
}
_PROGRESS_DAYS = {
    m: Prepared(
        sa.select(sa.func.coalesce(sa.func.sum(_od.c[m.value]), 0).label("total")).where(
            _od.c.local_date.between(
                sa.bindparam("first", type_=sa.Date()), sa.bindparam("until", type_=sa.Date())
            )
        )
    )
    for m in Metric
}
