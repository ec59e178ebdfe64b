"""What the scheduled posts say: the morning and evening digests, the weekly coordinator
digest, and the shifts and people that reminders and follow-ups are for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from bot.models import HOLDING, Shift, ShiftStatus, Signup, SignupStatus
from bot.services.clock import DateWindow, local_day_bounds
from bot.services.coalition import CampaignProgress, campaign_progress
from bot.services.counts import METRICS, Counts
from bot.services.engagement import Rung, StepUp, celebrate_step_ups
from bot.services.leaderboards import Standing, leaderboard
from bot.services.members import Member
from bot.services.people import display_names, languages_of
from bot.services.shifts import ShiftView, list_open_shifts, shift_views
from bot.services.states import state_language, state_timezone
from bot.services.stats import Progress, state_progress, streak

STREAK_WORTH_CHEERING = 3
TOP_SHOWN = 5


@dataclass(frozen=True)
class MorningDigest:
    state: str
    day: date
    today: Progress
    yesterday: Progress
    needs_people: list[ShiftView]
    # Open shifts today and tomorrow, full or not: "all full" is only true when there are some.
    shifts_ahead: int
    # The coalition's goal and its progress, when a campaign admin has set one.
    coalition: CampaignProgress | None = None


@dataclass(frozen=True)
class EveningDigest:
    state: str
    day: date
    today: Progress
    top: list[Standing]
    streaks: list[tuple[str, int]]
    # Who finished their first shift ever; and every other step up the ladder (SPEC §8).
    first_shifts: list[str]
    step_ups: list[StepUp] = field(default_factory=list)


@dataclass(frozen=True)
class WeeklyDigest:
    state: str
    first: date
    last: date
    shifts: int
    places: int
    held: int
    no_shows: int
    days: list[Progress]
    no_show_names: list[str]

    @property
    def fill_rate(self) -> float:
        return self.held / self.places if self.places else 0.0

    @property
    def totals(self) -> Counts:
        return Counts(*(sum(p.totals.get(m) for p in self.days) for m in METRICS))


@dataclass(frozen=True)
class ShiftPeople:
    """A shift and the volunteers a reminder or follow-up goes to."""

    shift: ShiftView
    people: list[Member]
    unconfirmed: int


def morning_digest(session: Session, *, team_id: str, state: str, day: date, now: datetime) -> MorningDigest:
    """Today's goals, yesterday's result, and today's and tomorrow's shifts still short of people,
    in workspace `team_id`."""
    window = DateWindow(day, day + timedelta(days=1), "today")
    listing = list_open_shifts(
        session, who=Member(team_id, ""), state=state, window=window, kind=None, now=now, limit=None
    )
    return MorningDigest(
        state,
        day,
        state_progress(session, team_id=team_id, state=state, day=day),
        state_progress(session, team_id=team_id, state=state, day=day - timedelta(days=1)),
        [s for s in listing.shifts if not s.full],
        len(listing.shifts),
        campaign_progress(session, now=now),
    )


def evening_digest(session: Session, *, team_id: str, state: str, day: date, now: datetime) -> EveningDigest:
    """Today against the goal, the top volunteers, streaks worth cheering, first shifts and
    every other step up the ladder not cheered before (marked as cheered by `day`'s post), in
    workspace `team_id`."""
    board = leaderboard(session, who=Member(team_id, ""), state=state, window="today", now=now)
    streaks = []
    for standing in board.rows:
        days = streak(session, who=Member(team_id, standing.user_id), today=day)
        if days >= STREAK_WORTH_CHEERING:
            streaks.append((standing.user_id, days))
    ups = celebrate_step_ups(session, team_id=team_id, state=state, day=day, now=now)
    firsts = [up.user_id for up in ups if up.rung == Rung.ACTIVE and up.first_ever]
    return EveningDigest(
        state,
        day,
        state_progress(session, team_id=team_id, state=state, day=day),
        board.rows[:TOP_SHOWN],
        streaks,
        firsts,
        [up for up in ups if up.user_id not in firsts],
    )


def weekly_digest(session: Session, *, team_id: str, state: str, last: date) -> WeeklyDigest:
    """The seven local days ending `last`: fill, no-shows, and each day's totals against its goals."""
    first = last - timedelta(days=6)
    tz = state_timezone(session, team_id=team_id, code=state)
    start, _ = local_day_bounds(first, tz)
    _, end = local_day_bounds(last, tz)
    shifts = session.exec(
        select(Shift).where(
            Shift.team_id == team_id,
            Shift.state == state,
            Shift.status == ShiftStatus.OPEN,
            col(Shift.starts_at) >= start,
            col(Shift.starts_at) < end,
        )
    ).all()
    ids = [s.id for s in shifts if s.id is not None]
    counts = (
        dict(
            session.exec(
                select(Signup.status, func.count())
                .where(col(Signup.shift_id).in_(ids), col(Signup.status).in_(HOLDING))
                .group_by(col(Signup.status))
            ).all()
        )
        if ids
        else {}
    )
    held = sum(int(n) for n in counts.values())
    absent = (
        session.exec(
            select(Signup.volunteer_id)
            .where(
                col(Signup.shift_id).in_(ids),
                Signup.team_id == team_id,
                Signup.status == SignupStatus.NO_SHOW,
            )
            .order_by(col(Signup.volunteer_id))
        ).all()
        if ids
        else []
    )
    names = display_names(session, team_id=team_id, user_ids=list(absent))
    days = [
        state_progress(session, team_id=team_id, state=state, day=first + timedelta(days=n)) for n in range(7)
    ]
    return WeeklyDigest(
        state,
        first,
        last,
        len(shifts),
        sum(s.capacity for s in shifts),
        held,
        int(counts.get(SignupStatus.NO_SHOW, 0)),
        days,
        [names.get(user_id, user_id) for user_id in absent],
    )


def shifts_starting(
    session: Session, *, team_id: str, state: str, start: datetime, end: datetime
) -> list[ShiftPeople]:
    """Workspace `team_id`'s open shifts in `state` starting in [start, end), with who holds a place on each."""
    return _with_people(
        session,
        col(Shift.starts_at) >= start,
        col(Shift.starts_at) < end,
        col(Shift.team_id) == team_id,
        state=state,
    )


def shifts_ending(
    session: Session, *, team_id: str, state: str, start: datetime, end: datetime
) -> list[ShiftPeople]:
    """Workspace `team_id`'s open shifts in `state` ending in [start, end), with who held a place
    (no-shows excluded)."""
    return _with_people(
        session,
        col(Shift.ends_at) >= start,
        col(Shift.ends_at) < end,
        col(Shift.team_id) == team_id,
        state=state,
        statuses=(SignupStatus.CLAIMED, SignupStatus.CONFIRMED, SignupStatus.ATTENDED),
    )


def shift_people(session: Session, *, shift_id: int) -> ShiftPeople | None:
    """One open shift with who holds a place on it (None once it is cancelled or gone)."""
    found = _with_people(session, col(Shift.id) == shift_id, state=None)
    return found[0] if found else None


def _with_people(
    session: Session,
    *where: ColumnElement[bool],
    state: str | None,
    statuses: tuple[SignupStatus, ...] = (SignupStatus.CLAIMED, SignupStatus.CONFIRMED),
) -> list[ShiftPeople]:
    if state is not None:
        where = (*where, col(Shift.state) == state)
    shifts = session.exec(
        select(Shift).where(Shift.status == ShiftStatus.OPEN, *where).order_by(col(Shift.starts_at))
    ).all()
    views = shift_views(session, list(shifts))
    signups = session.exec(
        select(Signup)
        .where(col(Signup.shift_id).in_([v.id for v in views]), col(Signup.status).in_(statuses))
        .order_by(col(Signup.id))
    ).all()
    by_shift: dict[int, list[Signup]] = {}
    for signup in signups:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    return [
        ShiftPeople(
            view,
            [Member(s.team_id, s.volunteer_id) for s in by_shift.get(view.id, [])],
            sum(1 for s in by_shift.get(view.id, []) if s.status == SignupStatus.CLAIMED),
        )
        for view in views
    ]


def is_person(target: str) -> bool:
    """Whether a delivery's target is a person (a DM) rather than a channel."""
    return target.startswith(("U", "W"))


def readers_languages(session: Session, *, team_id: str, state: str, targets: list[str]) -> dict[str, str]:
    """The language each target in workspace `team_id` reads a post about `state` in: a person
    (a DM) their own, a channel (the state's, or its leads channel) the state's (`/turnout
    language STATE es`)."""
    people = languages_of(session, team_id=team_id, user_ids=[t for t in targets if is_person(t)])
    channels = [t for t in targets if not is_person(t)]
    channel_language = state_language(session, team_id=team_id, code=state) if channels else None
    return {t: people[t] if is_person(t) else str(channel_language) for t in targets}
