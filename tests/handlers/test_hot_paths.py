"""The busiest requests' statements: how long a /claim holds its shift's row, what a redraw of a
shift's post and a /stats read. Under a surge each statement costs the worker CPU, and each one
run while the shift's row is locked holds up every other claim on that shift."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.config import Settings
from bot.db import Prepared, create_db_engine
from bot.deps import make_deps
from bot.localslack.webapi import Message
from bot.models import ContactLog, Engagement, Signup, SignupStatus, State, Volunteer
from bot.services.clock import local_date
from bot.services.members import Member
from bot.services.shifts import claim_shift, record_shift_post
from bot.slack.delivery import redraw_shift
from tests import factories as make
from tests.conftest import HOME_ORGANIZATION, Bot, Clock, SharedSchema
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

    # Prepared statements go straight to the driver's cursor, past the engine's events
    # (one at a time, or several in one exchange with the server).
    straight = Prepared._execute

    def prepared(self: Prepared, cursor: Any, compiled: Any, values: Any) -> None:
        statement(None, None, compiled.sql)
        straight(self, cursor, compiled, values)

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "commit", commit)
    sa.event.listen(engine, "begin", begin)
    Prepared._execute = prepared  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Prepared._execute = straight  # type: ignore[method-assign]
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


def test_a_log_in_a_channel_read_before_as_a_states_is_one_statement(bot: Bot) -> None:
    """Once a worker has read a channel bound to a state, a /log there on PostgreSQL is one
    statement: the binding checked, who is logging (a newcomer's row made), the log and its
    rollups. Everything is recorded as the two-statement way records it."""
    seed(bot)
    bot.command("/log", "3 doors", channel="CIOWA")
    with recorded(bot.deps.engine) as seen:
        answer = bot.command("/log", "2 doors", channel="CIOWA")
    assert "2 doors" in answer.text and "Iowa" in answer.text, answer.text
    statements = [s for s in seen if s not in ("begin", "commit")]
    if bot.deps.engine.dialect.name == "postgresql":
        assert len(statements) == 1 and statements[0].startswith("with bound as"), statements
    else:
        assert statements[0] == who_and_where(statements)[0], statements
    answer = bot.command("/log", "4 doors", user="UVOL2", channel="CIOWA")
    assert "4 doors" in answer.text and "9" in answer.text, answer.text
    with bot.deps.session() as session:
        newcomer = session.get(Volunteer, (TEAM, "UVOL2"))
        assert newcomer is not None and newcomer.real_name == "Ben", "fetched from Slack after the reply"
        logs = session.scalars(sa.select(ContactLog).order_by(col(ContactLog.id))).all()
        assert [(log.volunteer_id, log.state, log.doors) for log in logs] == [
            ("UVOL1", "IA", 3),
            ("UVOL1", "IA", 2),
            ("UVOL2", "IA", 4),
        ]
    assert "9" in bot.command("/stats", "IA").text


def test_a_log_in_a_channel_bound_elsewhere_since_it_was_read_counts_for_its_state_now(
    bot: Bot,
) -> None:
    """What a worker read of a channel is checked by the statement that uses it: after the
    channel is bound to another state, or its state's zone changes, a /log there counts for the
    state and day the channel has now, and once."""
    seed(bot)
    bot.command("/log", "3 doors", channel="CIOWA")
    with bot.deps.session() as session:
        iowa = session.get(State, (TEAM, "IA"))
        assert iowa is not None
        iowa.channel_id = None
        session.add(iowa)
        session.flush()
        make.coordinator(session, "UCOORD2", "NV", bot.clock())
        nevada = session.get(State, (TEAM, "NV"))
        assert nevada is not None
        nevada.channel_id = "CIOWA"
        session.add(nevada)
    answer = bot.command("/log", "4 doors", channel="CIOWA")
    assert "Nevada" in answer.text, answer.text
    with bot.deps.session() as session:
        nevada = session.get(State, (TEAM, "NV"))
        assert nevada is not None
        # Nevada's day set a day ahead of UTC, so the log's day shows which zone was used.
        nevada.timezone = "Pacific/Kiritimati"
        session.add(nevada)
    bot.command("/log", "5 doors", channel="CIOWA")
    with bot.deps.session() as session:
        logs = session.scalars(sa.select(ContactLog).order_by(ContactLog.id)).all()
        assert [(log.state, log.doors) for log in logs] == [("IA", 3), ("NV", 4), ("NV", 5)]
        assert logs[2].local_date == local_date(bot.clock(), "Pacific/Kiritimati")
        assert logs[1].local_date == local_date(bot.clock(), "America/Los_Angeles")
    assert local_date(bot.clock(), "Pacific/Kiritimati") != local_date(bot.clock(), "America/Los_Angeles")
    assert "4 doors" not in bot.command("/stats", "IA").text


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


class HoldingRelay:
    """A TCP relay to PostgreSQL that, on each connection, holds the server's answers back from
    the moment the client sends the bump that locks a shift's row (`UPDATE shift SET version`)
    until it sends `COMMIT`. A client that waits on an answer in between would wait for good:
    after `patience` seconds the answers go on, and `waited` says so."""

    def __init__(self, url: str, patience: float = 3.0) -> None:
        target = sa.engine.make_url(url)
        self.target = (target.host or "127.0.0.1", target.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = target.set(host="127.0.0.1", port=self.listener.getsockname()[1])
        self.patience = patience
        self.waited = False
        self.held = 0  # exchanges held back until their COMMIT, on every connection
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            _RelayedConnection(self, client, server)


class _RelayedConnection:
    def __init__(self, relay: HoldingRelay, client: socket.socket, server: socket.socket) -> None:
        self.relay, self.client, self.server = relay, client, server
        self.lock = threading.Lock()
        self.holding_since: float | None = None
        self.answers = bytearray()
        for pump in (self._up, self._down, self._watch):
            threading.Thread(target=pump, daemon=True).start()

    def _release(self) -> None:  # with the lock held
        self.holding_since = None
        self.client.sendall(bytes(self.answers))
        self.answers.clear()

    def _up(self) -> None:
        while data := _received(self.client):
            with self.lock:
                if b"UPDATE shift SET version" in data:
                    self.holding_since = time.monotonic()
                self.server.sendall(data)
                if self.holding_since is not None and b"COMMIT" in data:
                    self.relay.held += 1
                    self._release()
        self.server.close()

    def _down(self) -> None:
        while data := _received(self.server):
            with self.lock:
                if self.holding_since is not None:
                    self.answers += data
                else:
                    self.client.sendall(data)
        self.client.close()

    def _watch(self) -> None:
        while self.server.fileno() != -1:
            time.sleep(0.05)
            with self.lock:
                since = self.holding_since
                if since is not None and time.monotonic() - since > self.relay.patience:
                    self.relay.waited = True
                    self._release()


def _received(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


@pytest.mark.postgresql
def test_a_claim_holds_its_shifts_row_for_one_exchange_with_the_server(
    postgres_tables: SharedSchema, settings: Settings, clock: Clock
) -> None:
    """On PostgreSQL the bump that locks the shift's row, the claim and the commit go to the
    server together, answered together: the row is held for the server's own work, never for a
    wait on the network. With the server's answers held back from the bump until the commit is
    sent, the claim still goes through, and waited on none."""
    engine = create_db_engine(postgres_tables.url)
    with engine.begin() as connection:
        connection.execute(postgres_tables.truncate)
        connection.execute(HOME_ORGANIZATION)
    relay = HoldingRelay(postgres_tables.url)
    relayed = create_db_engine(relay.url.render_as_string(hide_password=False))
    deps = make_deps(settings, engine=relayed, clock=clock, team_id=TEAM)
    try:
        with deps.session() as session:
            make.volunteer(session, "UVOL1", clock())
            shift_id = make.shift(session, clock(), capacity=2)
        with deps.session() as session:
            result = claim_shift(session, shift_id=shift_id, who=Member(TEAM, "UVOL1"), now=clock())
        assert not relay.waited and relay.held == 1
        assert result.signup.status == SignupStatus.CLAIMED and result.signup.shift.held == 1
        with engine.connect() as connection:
            assert connection.execute(sa.select(Signup.status)).scalars().all() == [SignupStatus.CLAIMED]
    finally:
        deps.lanes.shutdown()
        relayed.dispose()
        relay.close()
        engine.dispose()
