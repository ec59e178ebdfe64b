"""The busiest requests' statements: how long a /claim holds its shift's row, what a redraw of a
shift's post and a /stats read. Under a surge each statement costs the worker CPU, and each one
run while the shift's row is locked holds up every other claim on that shift."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.db import Prepared
from bot.localslack.webapi import Message
from bot.models import ContactLog, Engagement, Signup, SignupStatus, State, Volunteer
from bot.services.clock import local_date
from bot.services.shifts import record_shift_post
from bot.slack.delivery import redraw_shift
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM

SQL = ("select", "insert", "update", "delete", "with")


@contextmanager
def recorded(engine: Engine) -> Iterator[list[str]]:
    """The engine's statements (lower case, one line each, prepared ones too) and its commits,
    as `commit`."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        line = " ".join(text.split()).lower()
        if line.startswith(SQL):
            seen.append(line)

    def commit(_conn: Any) -> None:
        seen.append("commit")

    def begin(_conn: Any) -> None:
        seen.append("begin")

    # Prepared statements go straight to the driver's cursor, past the engine's events.
    straight = Prepared.run

    def prepared(self: Prepared, session: Any, params: dict[str, Any] | None = None) -> Any:
        statement(None, None, self.compiled(engine.dialect).sql)
        return straight(self, session, params)

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    sa.event.listen(engine, "begin", begin)
    Prepared.run = prepared  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Prepared.run = straight  # type: ignore[method-assign]
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "commit", commit)
        sa.event.remove(engine, "begin", begin)


def seed(bot: Bot, capacity: int = 2) -> int:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        make.volunteer(session, "UVOL1", bot.clock(), name="ana")
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)
        return make.shift(session, bot.clock(), capacity=capacity)


def claim_transaction(seen: list[str]) -> tuple[list[str], list[str]]:
    """The claim's statements before it locks the shift's row, and after, up to its commit."""
    end = seen.index("commit")
    claim = [s for s in seen[:end] if s != "begin"]
    lock = next(n for n, s in enumerate(claim) if s.startswith("update shift set version"))
    return claim[:lock], claim[lock + 1 :]


def test_a_claim_reads_once_then_holds_the_shifts_row_for_the_fewest_statements(bot: Bot) -> None:
    shift_id = seed(bot)
    postgresql = bot.deps.engine.dialect.name == "postgresql"
    with recorded(bot.deps.engine) as seen:
        answer = bot.command("/claim", str(shift_id))
    assert "You're on shift" in answer.text and "1/2" in answer.text
    before, held = claim_transaction(seen)
    # The shift, its state's rules, the caller's signup and profile: one read.
    assert len(before) == 1 and before[0].startswith("select shift.team_id, shift.id"), before
    if postgresql:
        # The fill counted, the signup and the ladder's row written: one statement.
        assert len(held) == 1 and "insert into signup" in held[0] and "insert into engagement" in held[0], (
            held
        )
    else:  # SQLite's write lock is the whole database's, taken at BEGIN: statements in-process
        assert [s.split()[0] for s in held] == ["select", "insert", "insert"], held
    with bot.deps.read_session() as session:
        signup = session.exec(sa.select(Signup).where(Signup.shift_id == shift_id)).scalars().one()
        assert signup.status == SignupStatus.CLAIMED and signup.volunteer_id == "UVOL1"
        assert session.get(Engagement, (TEAM, "UVOL1", "IA")) is not None


def test_a_claim_by_someone_new_makes_their_row_and_fills_the_waitlist_in_order(bot: Bot) -> None:
    """The claim's own statement decides claimed or waitlisted, and the waitlist's order, on
    both databases; someone Turnout never saw gets a volunteer row with the claim."""
    shift_id = seed(bot, capacity=1)
    first = bot.command("/claim", str(shift_id), user="UNEW1")
    second = bot.command("/claim", str(shift_id), user="UNEW2")
    third = bot.command("/claim", str(shift_id), user="UNEW3")
    assert "You're on shift" in first.text
    assert "*#1* on the waitlist" in second.text and "*#2* on the waitlist" in third.text
    with bot.deps.read_session() as session:
        rows = session.exec(
            sa.select(Signup.volunteer_id, Signup.status, Signup.waitlist_seq)
            .where(Signup.shift_id == shift_id)
            .order_by(Signup.id)
        ).all()
        assert [tuple(r) for r in rows] == [
            ("UNEW1", SignupStatus.CLAIMED, None),
            ("UNEW2", SignupStatus.WAITLISTED, 1),
            ("UNEW3", SignupStatus.WAITLISTED, 2),
        ]
        assert {e.volunteer_id for e in session.exec(sa.select(Engagement)).scalars()} == {
            "UNEW1",
            "UNEW2",
            "UNEW3",
        }


def test_a_redraw_reads_the_shift_in_one_statement_and_checks_its_version_once(bot: Bot) -> None:
    shift_id = seed(bot)
    bot.slack.store(Message("CIOWA", "1700000000.000100", "old", []))
    with bot.deps.session() as session:
        record_shift_post(session, shift_id=shift_id, channel_id="CIOWA", message_ts="1700000000.000100")
    with recorded(bot.deps.engine) as seen:
        redrawn = redraw_shift(bot.deps, bot.client, shift_id, lane=TEAM)
    assert redrawn.drew and not redrawn.missed
    selects = [s for s in seen if s.startswith("select")]
    # Before drawing: the shift with its fill, version, at-risk and owed flags; after: its version.
    assert len(selects) == 2, selects
    assert "0/2" in bot.slack.posts_in("CIOWA")[-1].text


def test_stats_for_a_state_is_one_read_transaction(bot: Bot) -> None:
    seed(bot)
    with recorded(bot.deps.engine) as seen:
        answer = bot.command("/stats", "IA")
    assert "Iowa today" in answer.text
    assert seen.count("begin") == 1, seen
    # The caller's profile, the state's zone, its week's days and its goals.
    assert len([s for s in seen if s.startswith("select")]) == 4, seen


def who_and_where(statements: list[str]) -> list[str]:
    """The reads of volunteers' or states' rows (a log's writes and its goals' read aside)."""
    return [
        s for s in statements if s.startswith("select") and re.search(r"\b(from|join) (volunteer|state)\b", s)
    ]


def test_a_log_reads_who_and_where_in_one_statement_before_it_writes(bot: Bot) -> None:
    """Who is logging, the channel's state and their home state: one read. On PostgreSQL each
    statement is a round trip, and under a surge each round trip costs the worker more than its
    CPU (the thread waits for the GIL again after it)."""
    seed(bot)
    with recorded(bot.deps.engine) as seen:
        answer = bot.command("/log", "3 doors", channel="CIOWA")
    assert "3 doors" in answer.text and "Iowa" in answer.text, answer.text
    statements = [s for s in seen if s not in ("begin", "commit")]
    assert len(who_and_where(statements)) == 1, statements
    assert statements[0] == who_and_where(statements)[0], statements


def test_a_log_outside_a_states_channel_counts_for_the_home_state_in_its_zone(bot: Bot) -> None:
    """Read in the same statement: the home state and the zone an admin set for it, which
    decides the log's day."""
    seed(bot)
    with bot.deps.session() as session:
        volunteer = session.get(Volunteer, (TEAM, "UVOL1"))
        state = session.get(State, (TEAM, "IA"))
        assert volunteer is not None and state is not None
        volunteer.home_state = "IA"
        # Iowa's day set a day ahead of UTC, so the log's day shows which zone was used.
        state.timezone = "Pacific/Kiritimati"
        session.add_all([volunteer, state])
    with recorded(bot.deps.engine) as seen:
        bot.command("/log", "2 calls", channel="CRANDOM")
    assert len(who_and_where(seen)) == 1, seen
    with bot.deps.session() as session:
        log = session.scalars(sa.select(ContactLog)).one()
        assert (log.state, log.local_date) == ("IA", local_date(bot.clock(), "Pacific/Kiritimati"))
    assert local_date(bot.clock(), "Pacific/Kiritimati") != local_date(bot.clock(), "America/Chicago")
