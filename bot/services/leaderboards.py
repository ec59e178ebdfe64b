"""Leaderboards: top volunteers by contacts, ties sharing a rank, and the caller's own standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.models import ContactDay, ContactWeek
from bot.services.clock import local_date, week_start
from bot.services.members import Member
from bot.services.people import display_names
from bot.services.places import NATIONAL_TZ
from bot.services.states import state_timezone

LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: str
    name: str
    contacts: int
    convos: int


@dataclass(frozen=True)
class Leaderboard:
    state: str | None
    window: str
    first: date | None
    last: date
    rows: list[Standing]
    me: Standing | None = None


def leaderboard(
    session: Session, *, who: Member, state: str | None, window: str, now: datetime
) -> Leaderboard:
    """Top volunteers of the caller's organization by contacts (ties share a rank), and the
    caller's own standing."""
    team_id, user_id = who.team_id, who.user_id
    today = local_date(now, state_timezone(session, team_id=team_id, code=state) if state else NATIONAL_TZ)
    first = {"today": today, "week": week_start(today), "all": None}[window]
    if window == "week" and state:
        return _state_week_board(session, who=who, state=state, monday=week_start(today), today=today)
    filters = [col(ContactDay.team_id) == team_id, col(ContactDay.local_date) <= today]
    if first is not None:
        filters.append(col(ContactDay.local_date) >= first)
    if state:
        filters.append(col(ContactDay.state) == state)
    contacts = (
        func.sum(ContactDay.doors)
        + func.sum(ContactDay.calls)
        + func.sum(ContactDay.texts)
        + func.sum(ContactDay.convos)
        + func.sum(ContactDay.supporters)
    )
    rows = session.exec(
        select(ContactDay.volunteer_id, contacts, func.sum(ContactDay.convos))
        .where(*filters)
        .group_by(col(ContactDay.volunteer_id))
        .order_by(contacts.desc(), col(ContactDay.volunteer_id))
    ).all()
    ranked = _ranked([(vid, int(total or 0), int(convos or 0)) for vid, total, convos in rows])
    mine = next((r for r in ranked if r[1] == user_id), None)
    return _board(session, team_id, state, window, first, today, ranked, mine)


def _state_week_board(session: Session, *, who: Member, state: str, monday: date, today: date) -> Leaderboard:
    """One state's week from its volunteer-week rollup: the top rows straight off the index,
    the caller's rank as one count of those ahead. Its cost does not grow with the history."""
    this_week = (
        col(ContactWeek.team_id) == who.team_id,
        col(ContactWeek.state) == state,
        col(ContactWeek.week_start) == monday,
    )
    top = session.exec(
        select(ContactWeek.volunteer_id, ContactWeek.contacts, ContactWeek.convos)
        .where(*this_week)
        .order_by(col(ContactWeek.contacts).desc(), col(ContactWeek.volunteer_id).desc())
        .limit(LEADERBOARD_SIZE * 2)
    ).all()
    mine = session.get(ContactWeek, (who.team_id, who.user_id, state, monday))
    me = None
    if mine is not None:
        ahead = session.exec(
            select(func.count()).where(*this_week, col(ContactWeek.contacts) > mine.contacts)
        ).one()
        me = (int(ahead) + 1, who.user_id, mine.contacts, mine.convos)
    return _board(session, who.team_id, state, "week", monday, today, _ranked(list(top)), me)


Ranked = tuple[int, str, int, int]  # (rank, volunteer id, contacts, conversations)


def _ranked(rows: list[tuple[str, int, int]]) -> list[Ranked]:
    """Competition ranking of rows already sorted by contacts, best first: ties share a rank."""
    ranked: list[Ranked] = []
    for position, (vid, contacts, convos) in enumerate(rows, start=1):
        rank = ranked[-1][0] if ranked and ranked[-1][2] == contacts else position
        ranked.append((rank, vid, contacts, convos))
    return ranked


def _board(
    session: Session,
    team_id: str,
    state: str | None,
    window: str,
    first: date | None,
    today: date,
    ranked: list[Ranked],
    mine: Ranked | None,
) -> Leaderboard:
    """The top of `ranked` (ranks 1 to 10, at most 20 rows with ties) and the caller's row, named."""
    shown = [r for r in ranked if r[0] <= LEADERBOARD_SIZE][: LEADERBOARD_SIZE * 2]
    names = display_names(
        session, team_id=team_id, user_ids=[r[1] for r in shown] + ([mine[1]] if mine else [])
    )

    def standing(row: Ranked) -> Standing:
        return Standing(row[0], row[1], names.get(row[1], row[1]), row[2], row[3])

    return Leaderboard(
        state, window, first, today, [standing(r) for r in shown], standing(mine) if mine else None
    )
