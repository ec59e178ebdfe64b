"""How `/turnout people STATE ready` scales: 100,000 volunteers and 1,000,000 signups.

    python -m bench.people_bench                      # both data sets on SQLite and PostgreSQL
    python -m bench.people_bench --sets one --dbs sqlite --runs 9
    python -m bench.people_bench --scale 0.01 --rebuild   # a hundredth of the data, to try it

Each data set has 100,000 volunteers, 100,000 shifts over a year and 1,000,000 signups (most
attended, some no-shows, releases and unmarked claims; a few people do most of the work, as in a
real campaign), 2% of the shifts hosted by volunteers, a few trusted hosts, and three weeks of
contacts per volunteer. The ladder's rollup is filled by the migration that introduced it, as an
upgrading campaign's would be.

- `spread`: a 50-state campaign; Iowa is one state of fifty.
- `one`: a single-state campaign: every volunteer, shift and signup is in Iowa, the worst case
  for a state's listing.

It times, in one process, the bot's own service calls (`people_page` for each segment, and the
overview that counts all five) and, as the baseline, the *ready* page computed from the signups
themselves (ranking each volunteer's attended shifts), which is what the rollup saves. Median of
`--runs` runs after one warm-up, in milliseconds of database time (the service call, end to end).
PostgreSQL comes from TURNOUT_BENCH_POSTGRES_URL (default: the local server), one schema per data
set; SQLite files live in bench/.data/.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import bot
from bench.stats_bench import STATE_COLUMNS, median_ms, state_row
from bot import models  # noqa: F401  (registers the tables)
from bot.db import create_db_engine
from bot.services.engagement import Segment, people_overview, people_page
from bot.services.places import PLACES
from bot.services.roles import Actor

VOLUNTEERS = 100_000
SHIFTS = 100_000
SIGNUPS = 1_000_000
STATES = sorted(code for code in PLACES if code not in ("US", "PR", "VI", "GU", "AS", "MP"))[:50]
STATE = "IA"
FIRST_DAY = date(2025, 11, 1)
DAYS = 365
NOW = datetime.combine(FIRST_DAY + timedelta(days=DAYS), datetime.min.time(), tzinfo=UTC)
CHUNK = 100_000
DATA = Path(__file__).parent / ".data"
POSTGRES_URL = os.environ.get(
    "TURNOUT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEAM = "T0BENCH"
ADMIN = Actor(TEAM, "UBENCHADMIN", is_admin=True)
SETS = ("spread", "one")


def volunteer_id(n: int) -> str:
    return f"UB{n:07d}"


def state_of(n: int, data_set: str) -> str:
    return STATE if data_set == "one" else STATES[n % len(STATES)]


def ladder_migration() -> ModuleType:
    path = next((Path(bot.__file__).parent / "migrations" / "versions").glob("0006_*.py"))
    spec = importlib.util.spec_from_file_location("ladder_migration", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(
    data_set: str, seed: int = 11
) -> tuple[list[tuple[object, ...]], Iterator[list[tuple[object, ...]]]]:
    """(shift rows, chunks of signup rows). Shifts spread over the year; each signup is by a
    volunteer on a shift in their own state, with busy volunteers far busier than most."""
    rng = random.Random(seed)
    shifts: list[tuple[object, ...]] = []
    by_state: dict[str, list[int]] = {}
    for shift_id in range(1, SHIFTS + 1):
        state = state_of(shift_id, data_set)
        starts = datetime.combine(
            FIRST_DAY + timedelta(days=DAYS * (shift_id - 1) / SHIFTS), datetime.min.time()
        ) + timedelta(hours=rng.randrange(14, 24))
        host = None
        if rng.random() < 0.02:
            n = rng.randrange(VOLUNTEERS // 10)
            host = volunteer_id(n - n % len(STATES) + STATES.index(state) if data_set == "spread" else n)
        shifts.append((TEAM, shift_id, state, "canvass", starts, starts + timedelta(hours=3), "HQ", "", 20, "open", 0,
                       "UBENCHADMIN", starts - timedelta(days=14), host))  # fmt: skip
        by_state.setdefault(state, []).append(shift_id)

    def signups() -> Iterator[list[tuple[object, ...]]]:
        seen: set[tuple[int, int]] = set()
        rows: list[tuple[object, ...]] = []
        while len(seen) < SIGNUPS:
            n = int(VOLUNTEERS * rng.random() ** 2.5)  # the few do most of the work
            pool = by_state[state_of(n, data_set)]
            shift_id = pool[rng.randrange(len(pool))]
            if (shift_id, n) in seen:
                continue
            seen.add((shift_id, n))
            starts = shifts[shift_id - 1][4]
            assert isinstance(starts, datetime)
            roll = rng.random()
            if starts >= NOW.replace(tzinfo=None):
                status = "claimed" if roll < 0.7 else "waitlisted"
            else:
                status = (
                    "attended"
                    if roll < 0.75
                    else "no_show"
                    if roll < 0.83
                    else "released"
                    if roll < 0.93
                    else "claimed"
                )
            created = starts - timedelta(days=rng.randrange(1, 20))
            rows.append((TEAM, shift_id, volunteer_id(n), status, created, created))
            if len(rows) == CHUNK:
                yield rows
                rows = []
        if rows:
            yield rows

    return shifts, signups()


def build(engine: Engine, data_set: str) -> None:
    """Create the schema, load the data set, and fill the ladder's rollup as the migration does."""
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    sqlite = engine.dialect.name == "sqlite"
    stamp = datetime(2025, 10, 1, tzinfo=UTC).replace(tzinfo=None)  # stored naive, in UTC
    shifts, signups = generate(data_set)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if sqlite:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("BEGIN")
        marks = "?" if sqlite else "%s"

        def load(table: str, columns: str, rows: list[tuple[object, ...]]) -> None:
            if sqlite:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({', '.join([marks] * len(rows[0]))})", rows
                )
            else:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)

        load("organization", "team_id, name, installed_at, created_at", [(TEAM, "Bench", stamp, stamp)])
        states = sorted({state_of(n, data_set) for n in range(len(STATES))})
        load("state", STATE_COLUMNS, [state_row(c, stamp) for c in states])
        load(
            "volunteer",
            "team_id, id, display_name, real_name, is_workspace_admin, home_state, created_at, profile_updated_at",
            [
                (TEAM, volunteer_id(n), f"vol{n}", "", False, state_of(n, data_set), stamp, stamp)
                for n in range(VOLUNTEERS)
            ],
        )
        load(
            "shift",
            "team_id, id, state, kind, starts_at, ends_at, location, notes, capacity, status, version, created_by, "
            "created_at, host_id",
            shifts,
        )
        for chunk in signups:
            load("signup", "team_id, shift_id, volunteer_id, status, created_at, updated_at", chunk)
        rng = random.Random(5)
        weeks = [
            FIRST_DAY + timedelta(days=DAYS - 7 * k - (FIRST_DAY + timedelta(days=DAYS)).weekday())
            for k in (1, 2, 3)
        ]
        load(
            "contactweek",
            "team_id, volunteer_id, state, week_start, doors, calls, texts, convos, supporters, contacts, logs",
            [(TEAM, volunteer_id(n), state_of(n, data_set), week, d, 0, 0, c, 0, d + c, 1)
             for n in range(VOLUNTEERS) for week in weeks
             for d, c in [(rng.randrange(60), rng.randrange(10))]],
        )  # fmt: skip
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as connection:
        connection.execute(sa.text(team_backfill(ladder_migration().BACKFILL_ENGAGEMENT)), {"team": TEAM})
        connection.execute(
            sa.text(
                "UPDATE engagement SET hosted = (SELECT count(*) FROM shift WHERE shift.host_id = "
                "engagement.volunteer_id AND shift.state = engagement.state AND shift.status = 'open') "
                "WHERE volunteer_id IN (SELECT host_id FROM shift WHERE host_id IS NOT NULL)"
            )
        )
        # A few of the regulars are trusted hosts.
        connection.execute(
            sa.text(
                "INSERT INTO trustedhost (team_id, user_id, state, granted_by, granted_at) "
                "SELECT team_id, volunteer_id, state, 'UBENCHADMIN', :at FROM engagement WHERE attended >= 20 "
                "AND volunteer_id LIKE '%7'"
            ),
            {"at": stamp},
        )
    # After a bulk load, as PostgreSQL's docs advise: VACUUM sets the visibility map (so counts
    # can use index-only scans) and ANALYZE refreshes the planner's statistics.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def team_backfill(sql: str) -> str:
    """The ladder migration's backfill, from before rows knew their workspace, filling every
    row for the bench's one workspace (`:team`)."""
    for before, after in (
        ("INSERT INTO engagement (volunteer_id,", "INSERT INTO engagement (team_id, volunteer_id,"),
        ("SELECT volunteer_id, state, MIN(", "SELECT :team, volunteer_id, state, MIN("),
    ):
        assert sql.count(before) == 1, before
        sql = sql.replace(before, after)
    return sql


def loaded(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT team_id FROM signup LIMIT 1"))  # a data set from before
            return connection.execute(
                sa.text("SELECT count(*) FROM signup")
            ).scalar_one() == SIGNUPS and bool(
                connection.execute(sa.text("SELECT count(*) FROM engagement")).scalar_one()
            )
    except sa.exc.DBAPIError:
        return False


def engine_for(db: str, data_set: str) -> Engine:
    if db == "sqlite":
        DATA.mkdir(exist_ok=True)
        return create_db_engine(f"sqlite:///{DATA / f'people-{data_set}.db'}")
    schema = f"people_{data_set}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    admin.dispose()
    return create_db_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")


# ---------------------------------------------------------------- the baseline: ready, from the signups


READY_FROM_SIGNUPS = """
WITH ranked AS (
    SELECT signup.volunteer_id, shift.starts_at,
           ROW_NUMBER() OVER (PARTITION BY signup.volunteer_id ORDER BY shift.starts_at DESC) AS recent
    FROM signup JOIN shift ON shift.id = signup.shift_id
    WHERE shift.state = :state AND signup.status = 'attended'
)
SELECT volunteer_id, starts_at FROM ranked
WHERE recent = 3 AND starts_at >= :since
  AND volunteer_id NOT IN (SELECT host_id FROM shift WHERE state = :state AND status = 'open' AND host_id IS NOT NULL)
  AND volunteer_id NOT IN (SELECT user_id FROM trustedhost WHERE state = :state)
ORDER BY starts_at DESC, volunteer_id DESC
LIMIT 10
"""


def ready_from_signups(session: Session) -> list[object]:
    since = (NOW - timedelta(days=30)).replace(tzinfo=None)
    return list(session.execute(sa.text(READY_FROM_SIGNUPS), {"state": STATE, "since": since}))


COLUMNS = ["ready", "new", "lapsed", "hosts", "noshows", "overview", "ready from signups"]


def measure(engine: Engine, runs: int) -> tuple[dict[str, float], dict[str, int]]:
    def page(segment: Segment) -> Callable[[Session], object]:
        return lambda s: people_page(s, actor=ADMIN, state=STATE, segment=segment, now=NOW)

    timings = {segment.value: median_ms(engine, page(segment), runs) for segment in Segment}
    timings["overview"] = median_ms(
        engine, lambda s: people_overview(s, actor=ADMIN, state=STATE, now=NOW), runs
    )
    timings["ready from signups"] = median_ms(engine, ready_from_signups, max(3, runs // 3))
    with Session(engine) as session:
        sizes = {
            s.value: n for s, n in people_overview(session, actor=ADMIN, state=STATE, now=NOW).counts.items()
        }
        sizes["engagement rows"] = session.execute(
            sa.text("SELECT count(*) FROM engagement WHERE state = :s"), {"s": STATE}
        ).scalar_one()
        ours = [
            p.user_id
            for p in people_page(session, actor=ADMIN, state=STATE, segment=Segment.READY, now=NOW).people
        ]
        theirs = [row[0] for row in ready_from_signups(session)]  # type: ignore[index]
    assert ours == theirs, (ours, theirs)  # the rollup and the signups agree
    return timings, sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated: spread, one")
    parser.add_argument("--dbs", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per query (median reported)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data sets even if present")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="share of the full data set (with --rebuild), to try the bench",
    )
    args = parser.parse_args(argv)
    global VOLUNTEERS, SHIFTS, SIGNUPS
    VOLUNTEERS, SHIFTS, SIGNUPS = (max(100, int(n * args.scale)) for n in (VOLUNTEERS, SHIFTS, SIGNUPS))
    results: dict[tuple[str, str], tuple[dict[str, float], dict[str, int]]] = {}
    for db in args.dbs.split(","):
        for data_set in args.sets.split(","):
            engine = engine_for(db, data_set)
            if args.rebuild or not loaded(engine):
                started = time.perf_counter()
                print(f"building {data_set} on {db} …", file=sys.stderr, flush=True)
                build(engine, data_set)
                print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            results[(db, data_set)] = measure(engine, args.runs)
            engine.dispose()
    print(f"\nMedian database time in ms ({args.runs} runs each), `/turnout people {STATE} SEGMENT`\n")
    print("| db | data set | IA volunteers | ready (of them) | " + " | ".join(COLUMNS) + " |")
    print("|---|---|---|---|" + "---|" * len(COLUMNS))
    for (db, data_set), (timings, sizes) in results.items():
        print(
            f"| {db} | {data_set} | {sizes['engagement rows']:,} | {sizes['ready']:,} | "
            + " | ".join(f"{timings[c]:.2f}" for c in COLUMNS)
            + " |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
