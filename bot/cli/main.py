"""`turnout`: run the bot, serve it in production, and manage its database."""

from __future__ import annotations

import argparse
import gc
import logging
import re
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dotenv import load_dotenv

from bot.config import ConfigError, Settings

if TYPE_CHECKING:
    from bot.deps import Deps

logger = logging.getLogger("turnout")
QUIET = logging.getLogger("turnout.startcheck")
QUIET.disabled = True
JOB_NAMES = ("morning", "evening", "day-before", "reminders", "after-shift", "weekly")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="turnout", description="Turnout: a Slack bot for a volunteer field program."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "run", help="the bot against Slack: Socket Mode if SLACK_APP_TOKEN is set, else HTTP on PORT"
    )
    commands.add_parser("serve", help="HTTP only, under gunicorn with several workers (production)")
    commands.add_parser(
        "scheduler", help="the scheduler only: every scheduled post, exactly once (production)"
    )
    db = commands.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade"], help="apply every migration (Alembic)")
    db.add_argument(
        "--team-id",
        help="the Slack workspace (T…) a database from before coalitions belongs to "
        "(default: asked of Slack with SLACK_BOT_TOKEN)",
    )
    jobs = commands.add_parser("jobs", help="list the schedule, or run one job now")
    job_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    job_commands.add_parser("list", help="every job with its next run per state, in local time")
    run_one = job_commands.add_parser("run", help="run one job now, as if at --at")
    run_one.add_argument("name", choices=JOB_NAMES, help="the job")
    run_one.add_argument("--state", help="one state (default: every state)")
    run_one.add_argument(
        "--at", help="ISO time to run as if at; without an offset it is the state's local time"
    )
    run_one.add_argument("--team", help="one workspace, by its id T… (default: every workspace)")
    shell = commands.add_parser(
        "shell", help="the whole bot in a terminal, with a local Slack (no workspace needed)"
    )
    shell.add_argument("--demo", action="store_true", help="seed a small campaign to try it on")
    shell.add_argument("--db", help="the SQLite file (default: turnout-shell.db here)")
    args = parser.parse_args(argv)
    if args.command == "shell":  # needs no .env and no Slack settings
        logging.basicConfig(level=logging.ERROR)
        from bot.shell.terminal import main as shell_main

        return shell_main(args.db, args.demo)

    load_dotenv()
    try:
        settings = Settings.from_env(
            require_slack=args.command in ("run", "serve", "scheduler", "jobs"),
            # Only the HTTP endpoint checks request signatures; `serve` is always HTTP.
            require_signing_secret={"run": None, "serve": True}.get(args.command, False),
        )
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))

    if args.command == "db":
        return db_upgrade(settings, args.team_id)
    workspace = None
    if args.command in ("run", "serve"):
        problem, workspace = check_slack(settings)
        if problem:
            print(problem, file=sys.stderr)
            return 2
    if args.command == "run":
        return run(settings, workspace)
    if args.command == "scheduler":
        return scheduler(settings)
    if args.command == "jobs":
        from bot.cli.jobs import jobs_list, jobs_run

        if problem := prepare_database(settings):
            print(problem, file=sys.stderr)
            return 2
        if args.jobs_command == "list":
            return jobs_list(settings)
        return jobs_run(settings, args.name, args.state, args.at, args.team)
    return serve(settings, workers=settings.web_workers, workspace=workspace)


@dataclass(frozen=True)
class Workspace:
    """The workspace SLACK_BOT_TOKEN belongs to, as `auth.test` names it."""

    team_id: str
    name: str


def check_slack(settings: Settings) -> tuple[str | None, Workspace | None]:
    """One line saying why Slack won't have the bot (auth.test fails; in a coalition, Slack is
    unreachable), or None when it will; and with one workspace, which workspace that is.

    Checked once before any worker or socket starts, so a bad token or an unreachable
    SLACK_API_URL is one sentence, not a worker's traceback."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    # No retry handlers: a wrong setting is reported at once rather than retried.
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[],
        logger=QUIET,  # the one line below says it all; slack_sdk would log each failure too
    )
    try:
        if settings.distributed:
            # Each workspace's token is checked as it is used; here only that Slack answers.
            client.api_test()
            return None, None
        said = client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") or f"HTTP {error.response.status_code}"
        hint = " (check SLACK_BOT_TOKEN)" if code in TOKEN_ERRORS else ""
        return f"Turnout cannot start: auth.test said {code}{hint}", None
    except OSError as error:  # URLError, refused connections and timeouts are all OSErrors
        reason = getattr(error, "reason", error)
        if isinstance(reason, OSError) and reason.strerror:
            reason = reason.strerror.lower()
        return f"Turnout cannot start: cannot reach SLACK_API_URL {settings.slack_api_url}: {reason}", None
    return None, Workspace(str(said.get("team_id") or ""), str(said.get("team") or ""))


def remember_workspace(settings: Settings, workspace: Workspace | None) -> str | None:
    """Records the one workspace as the campaign's organization (named as Slack names it,
    unless it chose its own name); says why not when the database cannot take it."""
    if workspace is None or not workspace.team_id:
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from bot.db import create_db_engine, session_factory
    from bot.services.clock import utcnow
    from bot.services.organizations import seen

    engine = create_db_engine(settings.database_url)
    try:
        write, _ = session_factory(engine)
        with write() as session:
            seen(session, team_id=workspace.team_id, name=workspace.name, now=utcnow())
    except SQLAlchemyError as error:
        return (
            "Turnout cannot start: its database is not ready (run `turnout db upgrade`): "
            f"{type(getattr(error, 'orig', None) or error).__name__}"
        )
    finally:
        engine.dispose()
    return None


TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)


TEAM_ID = re.compile(r"^T[A-Z0-9]{2,}$")


def db_upgrade(settings: Settings, team_id: str | None) -> int:
    """`turnout db upgrade [--team-id T…]`: a database from before coalitions learns whose rows it
    holds from the admin, or from Slack when SLACK_BOT_TOKEN is set; never from a guess."""
    workspace: Workspace | None = None
    if team_id is not None:
        if not TEAM_ID.match(team_id):
            print(
                f"--team-id {team_id!r} is not a Slack workspace id: it looks like T0123ABCD "
                "(Slack shows it in the workspace's URL and in auth.test).",
                file=sys.stderr,
            )
            return 2
        workspace = Workspace(team_id, "")
    elif settings.slack_bot_token and not settings.distributed:
        problem, workspace = check_slack(settings)
        if problem:
            print(
                problem.replace("Turnout cannot start", "Turnout cannot upgrade the database"),
                file=sys.stderr,
            )
            return 2
    if problem := prepare_database(settings, workspace, always=True):
        print(problem, file=sys.stderr)
        return 2
    print("Database is up to date.")
    return 0


def prepare_database(
    settings: Settings, workspace: Workspace | None = None, *, always: bool = False
) -> str | None:
    """The embedded SQLite file is migrated on start; PostgreSQL is migrated by `turnout db upgrade`.
    Says why not when the database holds one workspace's rows and no one said which workspace."""
    if always or settings.database_url.startswith("sqlite"):
        from bot.db import MigrationNeedsWorkspace, upgrade

        try:
            upgrade(settings.database_url, team=workspace if workspace and workspace.team_id else None)
        except MigrationNeedsWorkspace as error:
            return str(error)
    return None


def run(settings: Settings, workspace: Workspace | None = None) -> int:
    """Development and small campaigns: one process, Socket Mode or HTTP, with the scheduler."""
    if problem := prepare_database(settings, workspace) or remember_workspace(settings, workspace):
        print(problem, file=sys.stderr)
        return 2
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.cli.app import build_app
        from bot.deps import make_deps

        deps = make_deps(settings)
        app = build_app(deps)
        start_scheduler(deps, background=True)
        logger.info("Turnout is connecting to Slack in Socket Mode")
        # slack_bolt's SocketModeHandler.start carries no annotations.
        SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
        return 0
    return serve(settings, workers=1, with_scheduler=True, workspace=workspace)


def scheduler(settings: Settings) -> int:
    """Production: the one process that posts on schedule (a second one stands by)."""
    from bot.deps import make_deps

    if problem := prepare_database(settings):
        print(problem, file=sys.stderr)
        return 2
    from bot.slack.delivery import owe_redraws_left
    from bot.slack.redraws import SCHEDULER_UPDATE_BUDGET

    logger.info("Turnout's scheduler is starting")
    deps = make_deps(settings, redraw_budget=SCHEDULER_UPDATE_BUDGET)
    # A restart's SIGTERM ends the scheduler's loop as Ctrl-C does, so what follows runs: each
    # workspace's lane finishes the piece of work under way and drops what waits behind it (a
    # later tick does it again), and the channel-post redraws still waiting their workspace's
    # turn here are owed, for the next scheduler to draw (`owe_redraws_left`).
    signal.signal(signal.SIGTERM, _stop)
    try:
        start_scheduler(deps, background=False)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one does not cut this short
        deps.lanes.shutdown(wait=True, cancel_waiting=True)
        owe_redraws_left(deps)
    logger.info("Turnout's scheduler stopped")
    return 0


def _stop(_signal: int, _frame: Any) -> None:
    raise SystemExit(0)


def start_scheduler(deps: Any, *, background: bool) -> Any:
    from jobs.scheduler import build_scheduler

    # Each tick posts in every workspace Turnout may post in, each with its own client.
    scheduler, _leadership = build_scheduler(deps, background=background)
    scheduler.start()
    return scheduler


def serve(
    settings: Settings, *, workers: int, with_scheduler: bool = False, workspace: Workspace | None = None
) -> int:
    """HTTP on PORT under gunicorn's threaded workers: acks are cheap, work waits on Slack and the DB.

    Threads (gthread) rather than sync workers: a sync worker holds a whole process per
    request in flight, so a burst of clicks queues behind slow Web API calls."""
    from gunicorn.app.base import BaseApplication

    if problem := prepare_database(settings, workspace) or remember_workspace(settings, workspace):
        print(problem, file=sys.stderr)
        return 2

    # The worker's own deps, once it has built them (after the fork).
    built: dict[str, Deps] = {}

    def worker_exit(_server: Any, _worker: Any) -> None:
        if "deps" in built:
            from bot.slack.delivery import owe_redraws_left

            owe_redraws_left(built["deps"])

    class Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "worker_exit": worker_exit,
                "bind": f"0.0.0.0:{settings.port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": settings.web_threads,
                "timeout": 30,
                "graceful_timeout": 20,
                "accesslog": "-",
                "loglevel": settings.log_level.lower(),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            # Runs in each worker after the fork, so each has its own engine and client.
            from bot.cli.app import build_app, build_wsgi
            from bot.deps import make_deps

            deps = built["deps"] = make_deps(settings, processes=workers)
            if with_scheduler:  # `turnout run`: one worker, so exactly one scheduler
                start_scheduler(deps, background=True)
            wsgi = build_wsgi(build_app(deps), deps)
            # What is built by now lives as long as the worker. Frozen, it is out of the garbage
            # collector's sight: a full collection no longer walks it, which took tens of
            # milliseconds with every thread of the worker stopped, several times a minute
            # under a surge (it doubled the p99 ack; see the README's benchmarks). What building
            # left as garbage is collected first, not frozen with it.
            gc.collect()
            gc.freeze()
            return wsgi

    logger.info("Turnout is serving HTTP on port %s at /slack/events", settings.port)
    Server().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
