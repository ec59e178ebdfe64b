"""`bot.db.Prepared`: statements run straight on the driver read and write what SQLAlchemy's own
execution reads and writes, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import psycopg._queries as psycopg_queries
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import Prepared, run, run_and_commit
from bot.models import ContactLog, Goal, Metric, State, Volunteer
from bot.services.contacts import _log_statement
from tests.conftest import PG
from tests.factories import TEAM

_v = Volunteer.__table__.c  # type: ignore[attr-defined]
_g = Goal.__table__.c  # type: ignore[attr-defined]
_l = ContactLog.__table__.c  # type: ignore[attr-defined]

WHEN = datetime(2026, 3, 2, 18, 30, 0, tzinfo=UTC)  # no microseconds: the format must still match


def _insert(engine: Engine) -> object:
    return pg_insert if engine.dialect.name == "postgresql" else sqlite_insert


def test_rows_and_types_match_sqlalchemys(engine: Engine) -> None:
    new_volunteer = Prepared(
        _insert(engine)(Volunteer)  # type: ignore[operator]
        .values(
            team_id=TEAM,
            id=sa.bindparam("id"),
            created_at=sa.bindparam("at"),
            profile_updated_at=sa.bindparam("at"),
        )
        .on_conflict_do_nothing(index_elements=["team_id", "id"])
    )
    with Session(engine) as session:
        session.add(State(team_id=TEAM, code="IA", timezone="America/Chicago", created_at=WHEN))
        session.flush()
        # Columns left out take the model's defaults (display_name "", is_workspace_admin False).
        run(session, new_volunteer, {"id": "UNEW", "at": WHEN})
        run(session, new_volunteer, {"id": "UNEW", "at": WHEN})  # the conflict does nothing
        session.add(
            Goal(
                team_id=TEAM,
                state="IA",
                metric=Metric.DOORS,
                target=500,
                local_date=date(2026, 3, 2),
                set_by="UNEW",
                set_at=WHEN,
            )
        )
        session.flush()
        run(
            session,
            Prepared(_log_statement()),
            {
                "team_id": TEAM,
                "shift_id": None,
                "source_key": None,
                "volunteer_id": "UNEW",
                "state": "IA",
                "local_date": date(2026, 3, 2),
                "logged_at": WHEN,
                "doors": 3,
                "calls": 0,
                "texts": 0,
                "convos": 1,
                "supporters": 0,
            },
        )
        session.commit()

        statements = [
            sa.select(_v.id, _v.display_name, _v.is_workspace_admin, _v.profile_updated_at, _v.email).where(
                _v.id == sa.bindparam("id")
            ),
            sa.select(_g.metric, _g.target, _g.local_date).where(_g.state == "IA"),
            # A date and a datetime compared in SQL: stored as SQLAlchemy stores them.
            sa.select(_l.volunteer_id, _l.doors, _l.logged_at).where(
                _l.local_date == sa.bindparam("day"), _l.logged_at >= sa.bindparam("since")
            ),
            sa.select(sa.func.count()).select_from(ContactLog.__table__).where(_l.doors > 100),  # type: ignore[attr-defined]
        ]
        params = {"id": "UNEW", "day": date(2026, 3, 2), "since": WHEN}
        for statement in statements:
            needed = {k: v for k, v in params.items() if k in statement.compile().params}
            expected = [tuple(row) for row in session.connection().execute(statement, needed)]
            got = run(session, Prepared(statement), needed).all()
            assert [tuple(row) for row in got] == expected
            assert expected  # every statement reads something

        row = run(session, Prepared(statements[0]), {"id": "UNEW"}).one()
        assert (row.display_name, row.is_workspace_admin, row.email) == ("", False, None)
        assert row.profile_updated_at.replace(tzinfo=UTC) == WHEN
        goal = run(session, Prepared(statements[1])).one()
        assert Metric(goal.metric) is Metric.DOORS and goal.local_date == date(2026, 3, 2)
        assert run(session, Prepared(statements[3])).scalar() == 0
        assert run(session, Prepared(statements[0]), {"id": "UNOBODY"}).first() is None
        with pytest.raises(AttributeError):
            _ = row.no_such_column


def test_driver_errors_are_raised_as_sqlalchemys(engine: Engine) -> None:
    """Callers catch SQLAlchemy's exceptions (a duplicate, an unreachable database) whichever
    way the statement ran; the failed statement writes nothing."""
    insert = Prepared(
        sa.insert(Volunteer.__table__).values(  # type: ignore[attr-defined]
            team_id=TEAM,
            id=sa.bindparam("id"),
            created_at=sa.bindparam("at"),
            profile_updated_at=sa.bindparam("at"),
        )
    )
    with Session(engine) as session:
        run(session, insert, {"id": "UONE", "at": WHEN})
        session.commit()
    with Session(engine) as session, pytest.raises(sa.exc.IntegrityError):
        run(session, insert, {"id": "UONE", "at": WHEN})
    with Session(engine) as session:
        assert session.connection().execute(sa.select(sa.func.count()).select_from(Volunteer)).scalar() == 1


def test_expanding_binds_are_refused(engine: Engine) -> None:
    statement = sa.select(_v.id).where(_v.id.in_(sa.bindparam("ids", expanding=True)))
    with Session(engine) as session, pytest.raises(ValueError, match="expanding"):
        run(session, Prepared(statement), {"ids": ["UONE"]})


def test_in_lists_of_the_statements_own_constants_read_as_sqlalchemys(engine: Engine) -> None:
    """`status.in_(HOLDING)`: the list is written into the statement once, and what it reads is
    what SQLAlchemy's own execution reads."""
    with Session(engine) as session:
        for user_id in ("UONE", "UTWO", "UTHREE"):
            session.add(Volunteer(team_id=TEAM, id=user_id, created_at=WHEN, profile_updated_at=WHEN))
        session.flush()
        statement = sa.select(sa.func.count().filter(_v.id.in_(("UONE", "UTHREE", "UNOBODY")))).where(
            _v.team_id == sa.bindparam("team_id")
        )
        expected = session.connection().execute(statement, {"team_id": TEAM}).scalar()
        assert run(session, Prepared(statement), {"team_id": TEAM}).scalar() == expected == 2
        # The statement's own values are kept whatever is given at each call.
        assert run(session, Prepared(statement), {"team_id": "TOTHER"}).scalar() == 0


@pytest.mark.parametrize("engine", [PG], indirect=True)
def test_a_long_statement_is_sent_to_postgresql_as_written(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """psycopg rewrites a query's `%(name)s` placeholders on every execution of one longer than
    4 KB, where it caches only shorter ones; the statement that writes a log with its rollups is
    7 KB. Prepared writes PostgreSQL's own `$1` placeholders instead, which go as written."""
    rewritten: list[bytes] = []
    rewrite = psycopg_queries._query2pg_nocache

    def spy(query: bytes, encoding: str) -> Any:
        rewritten.append(query)
        return rewrite(query, encoding)

    monkeypatch.setattr(psycopg_queries, "_query2pg_nocache", spy)
    # The same bind twice, and enough long labels to pass 4 KB.
    columns = [(sa.bindparam("n") + i).label(f"column_{i}_{'x' * 40}") for i in range(80)]
    statement = Prepared(sa.select(*columns, sa.bindparam("word", type_=sa.String).label("word")))
    with Session(engine) as session:
        assert len(statement.compiled(session.get_bind().dialect).sql) > 4096
        row = run(session, statement, {"n": 1, "word": "puertas"}).one()
    assert [row[i] for i in range(80)] == [1 + i for i in range(80)]
    assert row.word == "puertas"
    assert rewritten == []


def test_a_percent_sign_in_a_statement_is_written_as_it_is(engine: Engine) -> None:
    """A `%` (a literal, the modulo operator) means what it says, however the driver's
    placeholders are written."""
    statement = Prepared(
        sa.select(
            sa.literal_column("'50%'").label("share"),
            (sa.bindparam("n", type_=sa.Integer) % 7).label("rest"),
            sa.literal("a%b").label("bound"),
        )
    )
    with Session(engine) as session:
        row = run(session, statement, {"n": 23}).one()
    assert (row.share, row.rest, row.bound) == ("50%", 2, "a%b")


@pytest.mark.parametrize("engine", [PG], indirect=True)
def test_a_string_literal_with_a_percent_sign_is_written_as_it_is_by_both_ways(engine: Engine) -> None:
    """A type's literal is rendered by a processor each dialect memoizes for itself: Prepared's
    and SQLAlchemy's own execution of the same type each write `%` as their driver needs it,
    whichever renders it first."""
    shared = sa.String()

    def values() -> sa.Select[Any]:
        rows = sa.values(sa.column("v", shared), name="t", literal_binds=True).data([("50%x",)])
        return sa.select(rows.c.v)

    with engine.connect() as connection:
        assert connection.execute(values()).scalar() == "50%x"
    with Session(engine) as session:
        assert run(session, Prepared(values())).one().v == "50%x"
    shared = sa.String()  # now the other way round: Prepared first
    with Session(engine) as session:
        assert run(session, Prepared(values())).one().v == "50%x"
    with engine.connect() as connection:
        assert connection.execute(values()).scalar() == "50%x"


@pytest.mark.postgresql
@pytest.mark.parametrize("engine", [PG], indirect=True)
def test_statements_sent_with_their_commit_commit_all_or_nothing(engine: Engine) -> None:
    """`run_and_commit`: each statement's rows, and the transaction committed with them; one
    that fails is raised as SQLAlchemy raises it, and nothing before it is committed, nor is
    anything the session did earlier in the transaction."""
    insert = Prepared(
        sa.insert(Volunteer.__table__)  # type: ignore[attr-defined]
        .values(team_id=TEAM, id=sa.bindparam("id"), created_at=sa.bindparam("at"), profile_updated_at=WHEN)
        .returning(_v.id)
    )
    count = Prepared(sa.select(sa.func.count()).select_from(Volunteer.__table__))  # type: ignore[attr-defined]
    with Session(engine) as session:
        run(session, insert, {"id": "UEARLIER", "at": WHEN})
        added, counted = run_and_commit(session, [(insert, {"id": "UONE", "at": WHEN}), (count, {})])
        assert added.scalar() == "UONE" and counted.scalar() == 2  # each sees the one before it
    with Session(engine) as session:
        run(session, insert, {"id": "UTWO", "at": WHEN})
        with pytest.raises(sa.exc.IntegrityError):
            run_and_commit(
                session, [(insert, {"id": "UTHREE", "at": WHEN}), (insert, {"id": "UONE", "at": WHEN})]
            )
        session.rollback()
        assert run(session, count).scalar() == 2  # the session goes on, with nothing of the failed one
    with Session(engine) as session:
        ids = session.connection().execute(sa.select(_v.id).order_by(_v.id)).scalars().all()
        assert ids == ["UEARLIER", "UONE"]
