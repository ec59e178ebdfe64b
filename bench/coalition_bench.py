"""How the coalition's numbers scale: `/stats coalition`, `/leaderboard orgs` and the campaign's
progress, at 10 organizations, 100,000 volunteers and 10M contact logs.

    TURNOUT_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/turnout_numbers_bench \\
        python -m bench.coalition_bench                   # 10M logs, SQLite and PostgreSQL
    python -m bench.coalition_bench --logs 1M --dbs sqlite --runs 9

It builds (once, then reuses; `--rebuild` to start again) a database with the models' schema:
10 organizations, each with its 50 states; 100,000 volunteers (volunteer n belongs to
organization n mod 10 and organizes in one state); and `--logs` contact logs spread over a year,
made by the database itself (generate_series on PostgreSQL, a recursive CTE on SQLite) from
a deterministic formula, so both databases hold the same data. The rollups the reads use are
then built from the logs by INSERT … SELECT, as migrations fill them: the states' days
(`stateday`), the volunteers' weeks (`contactweek`), the organizations' days and weeks
(`orgday`, `orgweek`), every one in its 8 shards (volunteer n's in shard ⌊n / 500⌋ mod 8, as the bot puts
each volunteer's logs in one shard). The volunteers' days (`contactday`) are not built: nothing
timed here reads them. `contactlog` is loaded without its two secondary indexes, which these
reads never use either.

It times the bot's own service calls, as the median of `--runs` runs after one warm-up, each
in its own session: `coalition_stats`, `org_leaderboard` for no state and IA × today, week and
all, and `campaign_progress`; and it reports how long the load took. The target is 50 ms each.
PostgreSQL comes from TURNOUT_BENCH_POSTGRES_URL, one schema per size (`coalition_10m`);
SQLite files live in bench/.data/.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from functools import partial

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bench.stats_bench import median_ms
from bot import models
from bot.db import create_db_engine
from bot.models import Metric
from bot.services.coalition import campaign_progress, coalition_stats, org_leaderboard
from bot.services.places import PLACES

SIZES = {"100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
ORGS = 10
VOLUNTEERS = 100_000
STATES = sorted(code for code in PLACES if code not in ("US", "PR", "VI", "GU", "AS", "MP"))[:50]
SHARDS = 8
FIRST_DAY = date(2025, 11, 1)
DAYS = 365
STATE = "IA"
DATA = os.path.join(os.path.dirname(__file__), ".data")
POSTGRES_URL = os.environ.get(
    "TURNOUT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/turnout_numbers_bench"
)
METRICS = "doors, calls, texts, convos, supporters"
SUMS = "sum(doors), sum(calls), sum(texts), sum(convos), sum(supporters)"
# Volunteer n organizes in organization n mod 10 (`T0ORG<n mod 10>`), as `UB<n>`.
TEAM = "'T0ORG' || CAST(n % 10 AS TEXT)"


def team(n: int) -> str:
    return f"T0ORG{n % ORGS}"


def engine_for(db: str, size: str) -> Engine:
    if db == "sqlite":
        os.makedirs(DATA, exist_ok=True)
        return create_db_engine(f"sqlite:///{os.path.join(DATA, f'coalition-{size}.db')}")
    schema = f"coalition_{size.lower()}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    admin.dispose()
    return create_db_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")


def loaded(engine: Engine, count: int) -> bool:
    try:
        with engine.connect() as connection:
            logs = connection.execute(sa.text("SELECT count(*) FROM contactlog")).scalar_one()
            weeks = connection.execute(sa.text("SELECT count(*) FROM orgweek")).scalar_one()
            return bool(logs == count and weeks)
    except sa.exc.DBAPIError:
        return False


def _week(dialect: str, column: str) -> str:
    """The Monday of `column`'s week, in the database's own date arithmetic."""
    if dialect == "postgresql":
        return f"CAST(date_trunc('week', {column}) AS DATE)"
    return f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + 6) % 7) || ' days')"


def _shard(column: str) -> str:
    """Volunteer `UB<n>`'s shard: ⌊n / 500⌋ mod 8, independent of their organization (n mod 10)
    and state (⌊n / 10⌋ mod 50), as the bot's hash of the user id is."""
    return f"((CAST(substr({column}, 3) AS INTEGER) / 500) % {SHARDS})"


def _logs_sql(dialect: str, count: int) -> str:
    """`count` logs made by the database: log x is by volunteer n = x·48271 mod 100,000 (so
    organization x mod 10, and a state fixed by x mod 500), on day ⌊x / 500⌋·40503 mod 365 of
    the year (so every organization logs in every state every day, each volunteer on 73 of
    them), with counts from x."""
    columns = "team_id, volunteer_id, state, local_date, logged_at, doors, calls, texts, convos, supporters"
    counts = "(x * 13) % 60, (x * 17) % 80, (x * 19) % 150, (x * 23) % 12, (x * 29) % 5"
    if dialect == "postgresql":
        series = f"SELECT x, (x * 48271) % {VOLUNTEERS} AS n FROM generate_series(1::bigint, {count}) AS x"
        day = f"DATE '{FIRST_DAY}' + CAST(((x / 500) * 40503) % {DAYS} AS INTEGER)"
        logged = f"CAST({day} AS TIMESTAMP) + TIME '18:00'"
    else:
        series = (
            f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {count}) "
            f"SELECT x, (x * 48271) % {VOLUNTEERS} AS n FROM c"
        )
        day = f"date('{FIRST_DAY}', '+' || (((x / 500) * 40503) % {DAYS}) || ' days')"
        logged = f"{day} || ' 18:00:00.000000'"
    return (
        f"INSERT INTO contactlog ({columns}) SELECT {TEAM}, 'UB' || CAST(n AS TEXT), p.state, {day}, {logged}, "
        f"{counts} FROM ({series}) AS s JOIN bench_state AS p ON p.i = (n / {ORGS}) % {len(STATES)}"
    )


def build(engine: Engine, count: int) -> dict[str, float]:
    """The schema, the organizations, states, volunteers, logs and rollups; seconds per step."""
    took: dict[str, float] = {}
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    dialect = engine.dialect.name
    stamp = datetime(2025, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        for index in ("ix_contactlog_state_date", "ix_contactlog_volunteer_logged"):
            connection.execute(sa.text(f"DROP INDEX {index}"))
        connection.execute(sa.text("DROP TABLE IF EXISTS bench_state"))
        connection.execute(sa.text("CREATE TABLE bench_state (i INTEGER PRIMARY KEY, state VARCHAR(2))"))
        connection.execute(
            sa.text("INSERT INTO bench_state (i, state) VALUES (:i, :s)"),
            [{"i": i, "s": s} for i, s in enumerate(STATES)],
        )
        connection.execute(
            sa.insert(models.Organization),
            [
                {"team_id": team(t), "name": f"Organization {t}", "installed_at": stamp, "created_at": stamp}
                for t in range(ORGS)
            ],
        )
        connection.execute(
            sa.insert(models.State),
            [
                {"team_id": team(t), "code": code, "timezone": PLACES[code].timezone, "created_at": stamp}
                for t in range(ORGS)
                for code in STATES
            ],
        )
        connection.execute(
            sa.insert(models.Volunteer),
            [
                {
                    "team_id": team(n),
                    "id": f"UB{n}",
                    "display_name": f"vol{n}",
                    "home_state": STATES[(n // ORGS) % len(STATES)],
                    "created_at": stamp,
                    "profile_updated_at": stamp,
                }
                for n in range(VOLUNTEERS)
            ],
        )
        connection.execute(
            sa.insert(models.CampaignGoal).values(
                target=1_400_000_000,
                metric=Metric.SUPPORTERS,
                by_date=date(2026, 11, 3),
                set_by_team=team(0),
                set_by_user="UB0",
                set_at=stamp,
            )
        )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if dialect == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("BEGIN")
        else:
            cursor.execute("SET session_replication_role = replica")  # no per-row foreign key checks
        week = _week(dialect, "local_date")
        steps = {
            "logs": _logs_sql(dialect, count),
            "stateday": (
                f"INSERT INTO stateday (team_id, state, local_date, shard, {METRICS}, logs, active) "
                f"SELECT team_id, state, local_date, {_shard('volunteer_id')}, {SUMS}, count(*), "
                "count(DISTINCT volunteer_id) FROM contactlog "
                f"GROUP BY team_id, state, local_date, {_shard('volunteer_id')}"
            ),
            "contactweek": (
                f"INSERT INTO contactweek (team_id, volunteer_id, state, week_start, {METRICS}, contacts, logs) "
                f"SELECT team_id, volunteer_id, state, {week}, {SUMS}, "
                "sum(doors + calls + texts + convos + supporters), count(*) FROM contactlog "
                f"GROUP BY team_id, volunteer_id, state, {week}"
            ),
            "orgday": (
                f"INSERT INTO orgday (team_id, local_date, shard, {METRICS}, logs, active) "
                f"SELECT team_id, local_date, {_shard('volunteer_id')}, {SUMS}, count(*), "
                "count(DISTINCT volunteer_id) FROM contactlog "
                f"GROUP BY team_id, local_date, {_shard('volunteer_id')}"
            ),
            "orgweek": (
                f"INSERT INTO orgweek (team_id, week_start, shard, {METRICS}, contacts, logs, active) "
                f"SELECT team_id, week_start, {_shard('volunteer_id')}, {SUMS}, sum(contacts), sum(logs), "
                f"count(DISTINCT volunteer_id) FROM contactweek GROUP BY team_id, week_start, "
                f"{_shard('volunteer_id')}"
            ),
        }
        for name, sql in steps.items():
            started = time.perf_counter()
            cursor.execute(sql)
            raw.commit()
            if dialect == "sqlite":
                cursor.execute("BEGIN")
            took[name] = time.perf_counter() - started
            print(f"  {name}: {took[name]:.0f} s", file=sys.stderr, flush=True)
        raw.commit()
    finally:
        raw.close()
    started = time.perf_counter()
    # After a bulk load: PostgreSQL's visibility map and statistics, SQLite's statistics.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE" if dialect == "postgresql" else "ANALYZE"))
    took["analyze"] = time.perf_counter() - started
    return took


QUERIES = [
    "coalition stats",
    *(f"orgs {state or 'all'} {window}" for state in (None, STATE) for window in ("today", "week", "all")),
    "campaign progress",
]


def measure(engine: Engine, runs: int) -> dict[str, float]:
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    now = datetime.combine(last_day, dtime(23, 0), tzinfo=UTC)  # the evening of the last day, Eastern
    results = {"coalition stats": median_ms(engine, lambda s: coalition_stats(s, now=now), runs)}
    for state in (None, STATE):
        for window in ("today", "week", "all"):
            board = partial(org_leaderboard, team_id=team(0), state=state, window=window, now=now)
            results[f"orgs {state or 'all'} {window}"] = median_ms(engine, board, runs)
    results["campaign progress"] = median_ms(engine, lambda s: campaign_progress(s, now=now), runs)
    return results


def sizes_of(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("stateday", "contactweek", "orgday", "orgweek")
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--logs", default="10M", help="how many logs: 100k, 1M or 10M")
    parser.add_argument("--dbs", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--runs", type=int, default=9, help="timed runs per query (median reported)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the data set even if present")
    args = parser.parse_args(argv)
    count = SIZES[args.logs]
    results: dict[str, dict[str, float]] = {}
    for db in [d for d in args.dbs.split(",") if d]:
        engine = engine_for(db, args.logs)
        if args.rebuild or not loaded(engine, count):
            print(f"building {args.logs} logs on {db} …", file=sys.stderr, flush=True)
            started = time.perf_counter()
            took = build(engine, count)
            print(
                f"  built in {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in took.items()),
                file=sys.stderr,
                flush=True,
            )
        # A data set built before an index was added to the models gains it.
        for name in ("orgday", "orgweek"):
            for index in SQLModel.metadata.tables[name].indexes:
                index.create(engine, checkfirst=True)
        print(f"  rows on {db}: {sizes_of(engine)}", file=sys.stderr, flush=True)
        results[db] = measure(engine, args.runs)
        engine.dispose()
    print(
        f"\nMedian database time in ms ({args.runs} runs each): {ORGS} organizations, "
        f"{VOLUNTEERS:,} volunteers, {args.logs} logs; target ≤ 50 ms\n"
    )
    dbs = list(results)
    print("| query | " + " | ".join(dbs) + " |")
    print("|---|" + "---|" * len(dbs))
    for query in QUERIES:
        print(f"| {query} | " + " | ".join(f"{results[db][query]:.2f}" for db in dbs) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
