"""How `/stats STATE` and `/leaderboard STATE week` scale with a campaign's history.

    python -m bench.stats_bench                       # 100k, 1M, 10M logs on SQLite and PostgreSQL
    python -m bench.stats_bench --sizes 100k,1M --dbs sqlite --runs 9
    python -m bench.stats_bench --sizes 10k --runs 3    # to try it

For each size it builds (once, then reuses) a data set of that many contact logs from
100,000 volunteers across 50 states over a year of days, with the per-volunteer-per-day
rollup the bot keeps beside the logs. It then times, in one process and side by side:

- `rollup`: the bot's own service calls (`state_stats`, `leaderboard`), which read the rollup;
- `logs`: the same answers computed from the indexed log table, the baseline.

It prints the median database time of `--runs` runs (after one warm-up) and each size's
ratio to the 1M size. PostgreSQL comes from TURNOUT_BENCH_POSTGRES_URL (default: the local
server), one schema per size. SQLite files live in bench/.data/.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import bot
from bot import models  # noqa: F401  (registers the tables)
from bot.db import create_db_engine
from bot.services.leaderboards import leaderboard
from bot.services.members import Member
from bot.services.places import PLACES
from bot.services.stats import state_stats

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
VOLUNTEERS = 100_000
STATES = sorted(code for code in PLACES if code not in ("US", "PR", "VI", "GU", "AS", "MP"))[:50]
FIRST_DAY = date(2025, 11, 1)
DAYS = 365
STATE = "IA"
TEAM = "T0BENCH"
CHUNK = 200_000
DATA = Path(__file__).parent / ".data"
POSTGRES_URL = os.environ.get(
    "TURNOUT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
LOG_COLUMNS = (
    "team_id",
    "volunteer_id",
    "state",
    "local_date",
    "logged_at",
    "doors",
    "calls",
    "texts",
    "convos",
    "supporters",
)


def volunteer_id(n: int) -> str:
    return f"UB{n:07d}"


def generate_logs(count: int, seed: int = 7) -> Iterator[list[tuple[object, ...]]]:
    """Chunks of log rows: each volunteer organises in one state; logs spread over the year."""
    rng = random.Random(seed)
    rows: list[tuple[object, ...]] = []
    for _ in range(count):
        n = rng.randrange(VOLUNTEERS)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        logged = datetime.combine(day, dtime(rng.randrange(14, 23), rng.randrange(60)))
        rows.append(
            (
                TEAM,
                volunteer_id(n),
                STATES[n % len(STATES)],
                day,
                logged,
                rng.randrange(0, 60),
                rng.randrange(0, 80),
                rng.randrange(0, 150),
                rng.randrange(0, 12),
                rng.randrange(0, 5),
            )
        )
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


# A state's row as the benches load it: its zone, and the schedule's and cutoff's defaults.
STATE_COLUMNS = (
    "team_id, code, timezone, unclaim_cutoff_minutes, morning_at, evening_at, day_before_at, weekly_at, "
    "reminder_lead_minutes, follow_up_minutes, created_at"
)


def state_row(code: str, stamp: datetime) -> tuple[object, ...]:
    return (
        TEAM,
        code,
        PLACES[code].timezone,
        180,
        "09:00:00",
        "20:00:00",
        "11:00:00",
        "08:00:00",
        120,
        60,
        stamp,
    )


def build(engine: Engine, count: int) -> None:
    """Create the schema and load `count` logs, their volunteers and states, and the rollup."""
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    now = datetime(2025, 11, 1, tzinfo=UTC)
    sqlite = engine.dialect.name == "sqlite"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if sqlite:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("BEGIN")
        stamp = now.replace(tzinfo=None)
        marks = "?" if sqlite else "%s"
        cursor.execute(
            f"INSERT INTO organization (team_id, name, installed_at, created_at) VALUES ({marks}, {marks}, {marks}, {marks})",
            (TEAM, "Bench", stamp, stamp),
        )
        state_rows = [state_row(code, stamp) for code in STATES]
        cursor.executemany(
            f"INSERT INTO state ({STATE_COLUMNS}) VALUES ({', '.join([marks] * len(state_rows[0]))})",
            state_rows,
        )
        people = [
            (TEAM, volunteer_id(n), f"vol{n}", "", False, STATES[n % len(STATES)], stamp, stamp)
            for n in range(VOLUNTEERS)
        ]
        vcols = "team_id, id, display_name, real_name, is_workspace_admin, home_state, created_at, profile_updated_at"
        if sqlite:
            cursor.executemany(f"INSERT INTO volunteer ({vcols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", people)
        else:
            with cursor.copy(f"COPY volunteer ({vcols}) FROM STDIN") as copy:
                for row in people:
                    copy.write_row(row)
        for chunk in generate_logs(count):
            if sqlite:
                cursor.executemany(
                    f"INSERT INTO contactlog ({', '.join(LOG_COLUMNS)}) VALUES ({', '.join('?' * len(LOG_COLUMNS))})",
                    chunk,
                )
            else:
                with cursor.copy(f"COPY contactlog ({', '.join(LOG_COLUMNS)}) FROM STDIN") as copy:
                    for log in chunk:
                        copy.write_row(log)
        cursor.execute(
            "INSERT INTO contactday (team_id, volunteer_id, state, local_date, doors, calls, texts, convos, "
            "supporters, logs) SELECT team_id, volunteer_id, state, local_date, sum(doors), sum(calls), sum(texts), "
            "sum(convos), sum(supporters), count(*) FROM contactlog GROUP BY team_id, volunteer_id, state, local_date"
        )
        raw.commit()
    finally:
        raw.close()
    build_rollups(engine)


def build_rollups(engine: Engine) -> None:
    """The state-day and volunteer-week rollups, filled from the logs by the migration that added them."""
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM stateday"))
        connection.execute(sa.text("DELETE FROM contactweek"))
        backfill_rollups(connection)
    # After a bulk load, as PostgreSQL's docs advise: VACUUM sets the visibility map (so counts
    # can use index-only scans) and ANALYZE refreshes the planner's statistics.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def backfill_rollups(bind: sa.Connection) -> None:
    """The state-day (one shard a day) and volunteer-week rollups, summed from the logs as the
    migration that added them does, for every workspace."""
    migration = rollup_migration()
    metrics, sums = migration.METRICS, migration.SUMS
    bind.execute(
        sa.text(
            f"INSERT INTO stateday (team_id, state, local_date, shard, {metrics}, logs, active) "
            f"SELECT team_id, state, local_date, 0, {sums}, count(*), count(DISTINCT volunteer_id) "
            "FROM contactlog GROUP BY team_id, state, local_date"
        )
    )
    week = migration.week_start_sql(bind.dialect.name)
    bind.execute(
        sa.text(
            f"INSERT INTO contactweek (team_id, volunteer_id, state, week_start, {metrics}, contacts, logs) "
            f"SELECT team_id, volunteer_id, state, {week}, {sums}, "
            "sum(doors + calls + texts + convos + supporters), count(*) FROM contactlog "
            f"GROUP BY team_id, volunteer_id, state, {week}"
        )
    )


def rollup_migration() -> ModuleType:
    path = next((Path(bot.__file__).parent / "migrations" / "versions").glob("0003_*.py"))
    spec = importlib.util.spec_from_file_location("rollup_migration", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rollups_built(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(sa.text("SELECT count(*) FROM stateday")).scalar_one())


def loaded(engine: Engine, count: int) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT team_id FROM contactlog LIMIT 1"))  # a data set from before
            return bool(connection.execute(sa.text("SELECT count(*) FROM contactlog")).scalar_one() == count)
    except sa.exc.DBAPIError:
        return False


def engine_for(db: str, size: str) -> Engine:
    if db == "sqlite":
        DATA.mkdir(exist_ok=True)
        return create_db_engine(f"sqlite:///{DATA / f'bench-{size}.db'}")
    schema = f"bench_{size.lower()}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    admin.dispose()
    return create_db_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")


# ---------------------------------------------------------------- the baseline: the same answers from the logs


def stats_from_logs(session: Session, state: str, today: date) -> tuple[object, ...]:
    monday = today - timedelta(days=today.weekday())
    sums = "sum(doors), sum(calls), sum(texts), sum(convos), sum(supporters)"
    day = session.execute(
        sa.text(
            f"SELECT {sums}, count(DISTINCT volunteer_id) FROM contactlog "
            "WHERE team_id = :t AND state = :s AND local_date = :d"
        ),
        {"t": TEAM, "s": state, "d": today},
    ).one()
    week = session.execute(
        sa.text(
            f"SELECT {sums} FROM contactlog WHERE team_id = :t AND state = :s AND local_date BETWEEN :a AND :b"
        ),
        {"t": TEAM, "s": state, "a": monday, "b": today},
    ).one()
    return (*day, *week)


def leaderboard_from_logs(session: Session, state: str, today: date) -> list[tuple[object, ...]]:
    monday = today - timedelta(days=today.weekday())
    return list(
        session.execute(
            sa.text(
                "SELECT volunteer_id, sum(doors + calls + texts + convos + supporters) AS total, sum(convos) FROM contactlog "
                "WHERE team_id = :t AND state = :s AND local_date BETWEEN :a AND :b "
                "GROUP BY volunteer_id ORDER BY total DESC, volunteer_id"
            ),
            {"t": TEAM, "s": state, "a": monday, "b": today},
        )
    )


def median_ms(engine: Engine, work: Callable[[Session], object], runs: int) -> float:
    """Median milliseconds of `runs` calls of `work`, each on a fresh session, after one warm-up
    (also used by the people and coalition benches)."""
    timings = []
    for attempt in range(runs + 1):
        with Session(engine) as session:
            started = time.perf_counter()
            work(session)
            elapsed = time.perf_counter() - started
        if attempt:  # the first run warms caches and is not counted
            timings.append(elapsed * 1000)
    return statistics.median(timings)


def measure(engine: Engine, runs: int) -> dict[str, float]:
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    now = datetime.combine(last_day, dtime(23, 0), tzinfo=UTC)  # evening of the last day in Iowa
    today = last_day
    who = Member(TEAM, volunteer_id(STATES.index(STATE)))
    return {
        "stats rollup": median_ms(engine, lambda s: state_stats(s, team_id=TEAM, state=STATE, now=now), runs),
        "stats logs": median_ms(engine, lambda s: stats_from_logs(s, STATE, today), runs),
        "board rollup": median_ms(
            engine, lambda s: leaderboard(s, who=who, state=STATE, window="week", now=now), runs
        ),
        "board logs": median_ms(engine, lambda s: leaderboard_from_logs(s, STATE, today), runs),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M,10M", help="comma-separated: 100k, 1M, 10M")
    parser.add_argument("--dbs", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query (median reported)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets even if present")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    results: dict[tuple[str, str], dict[str, float]] = {}
    for db in args.dbs.split(","):
        for size in sizes:
            engine = engine_for(db, size)
            if args.rebuild or not loaded(engine, SIZES[size]):
                started = time.perf_counter()
                print(f"building {size} logs on {db} …", file=sys.stderr, flush=True)
                build(engine, SIZES[size])
                print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            SQLModel.metadata.create_all(engine)  # a data set from an older schema gains the new tables
            if not rollups_built(engine):
                started = time.perf_counter()
                print(f"building the {size} rollups on {db} …", file=sys.stderr, flush=True)
                build_rollups(engine)
                print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            results[(db, size)] = measure(engine, args.runs)
            engine.dispose()
    columns = ["stats rollup", "stats logs", "board rollup", "board logs"]
    print(
        f"\nMedian database time in ms ({args.runs} runs each), state {STATE}; ×1M = ratio to the 1M size\n"
    )
    print("| db | logs | " + " | ".join(columns) + " | stats rollup ×1M | board rollup ×1M |")
    print("|---|---|" + "---|" * (len(columns) + 2))
    for (db, size), row in results.items():
        base = results.get((db, "1M"))
        ratios = [f"{row[c] / base[c]:.2f}" if base else "–" for c in ("stats rollup", "board rollup")]
        print(
            f"| {db} | {size} | "
            + " | ".join(f"{row[c]:.2f}" for c in columns)
            + " | "
            + " | ".join(ratios)
            + " |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
