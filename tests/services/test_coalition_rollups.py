"""The organizations' rollups are exact: after any logs and undos, in any states and days, each
organization's days and weeks are what its contact log adds up to."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from bot.deps import Deps
from bot.models import Metric, Organization, State
from bot.services.contacts import log_contacts, undo_last_log
from bot.services.errors import NotFound
from bot.services.states import ensure_state
from tests import factories as make
from tests.rollups import recomputed, stored

TEAMS = ("T0SUNRISE", "T0MTR")
USERS = ("U1", "U2", "U3")
STATES = ("IA", "NH", "AZ")
START = datetime(2026, 11, 22, 4, 30, tzinfo=UTC)  # near midnight in every state: days differ
ROLLUPS = ("contactlog", "contactday", "contactweek", "stateday", "orgday", "orgweek")

log_op = st.tuples(
    st.just("log"),
    st.sampled_from(TEAMS),
    st.sampled_from(USERS),
    st.sampled_from(STATES),
    st.integers(0, 50),  # minutes later, in 10-minute steps
    st.dictionaries(st.sampled_from(list(Metric)), st.integers(1, 30), min_size=1),
)
undo_op = st.tuples(
    st.just("undo"), st.sampled_from(TEAMS), st.sampled_from(USERS), st.just(""), st.integers(0, 50)
)


def _campaign(deps: Deps) -> None:
    now = START
    with deps.session() as session:
        for team in TEAMS:
            session.add(Organization(team_id=team, name=team, installed_at=now, created_at=now))
            session.flush()
            for state in STATES:
                row: State = ensure_state(session, team_id=team, code=state, now=now)
                row.channel_id = f"C{team[-3:]}{state}"
            for user in USERS:
                make.volunteer(session, user, now, team=team)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(st.one_of(log_op, log_op, undo_op), min_size=1, max_size=25))
def test_each_organization_s_days_and_weeks_equal_its_logs_after_any_logs_and_undos(
    deps: Deps, engine: Engine, ops: list[tuple[object, ...]]
) -> None:
    with engine.begin() as connection:
        if connection.execute(sa.text("SELECT count(*) FROM organization WHERE team_id = 'T0MTR'")).scalar():
            for table in ROLLUPS:
                connection.execute(sa.text(f"DELETE FROM {table}"))
            ready = True
        else:
            ready = False
    if not ready:
        _campaign(deps)
    now = START
    for op in ops:
        kind, team, user, state = op[0], str(op[1]), str(op[2]), str(op[3])
        # Steps of ten minutes to nearly nine hours: a run crosses midnights and, often, a Monday.
        now += timedelta(minutes=10 * int(op[4]))
        with deps.session() as session:
            if kind == "log":
                counts = op[5]
                assert isinstance(counts, dict)
                log_contacts(
                    session,
                    who=make.member(user, team),
                    counts=counts,
                    shift_id=None,
                    channel_id=f"C{team[-3:]}{state}",
                    now=now,
                )
            else:
                with contextlib.suppress(NotFound):
                    undo_last_log(session, who=make.member(user, team), now=now)
    with engine.connect() as connection:
        assert stored(connection) == recomputed(connection)
