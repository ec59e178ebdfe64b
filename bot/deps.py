"""What every listener and job is handed: settings, sessions, the clock, the directory, pacing,
and the workspaces Turnout serves with the client for each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import SessionFactory, create_db_engine, session_factory, statement_sessions, writer_sessions
from bot.groupcommit import GroupCommit
from bot.services.clock import utcnow
from bot.slack.client import make_client
from bot.slack.directory import Directory
from bot.slack.installations import TurnoutInstallationStore
from bot.slack.lanes import TeamLanes
from bot.slack.pacing import Pacer
from bot.slack.profiles import ProfileRefresher
from bot.slack.redraws import REDRAW_THREADS, UPDATE_BUDGET, Coalescer, lane_pacing
from bot.slack.workspaces import InstalledWorkspaces, OneWorkspace, Workspaces
from bot.workpool import FIRST_THREADS, LISTENER_THREADS

# Threads of a process that may each hold a database connection, besides the web server's
# request threads and the listeners': the redraws', the profile refresher, the scheduler's tick
# and a workspace's delivery lane (more lanes, one per workspace at work, take the overflow).
BACKGROUND_THREADS = REDRAW_THREADS + 3


def pool_size(settings: Settings) -> int:
    """The database connections a process keeps: one for each thread that may hold one at once,
    so none waits for another's (a form's ack, due within 3 s, would wait up to the pool's 30 s
    timeout when the listeners hold every connection). Opened only as they are first needed."""
    return settings.web_threads + LISTENER_THREADS + FIRST_THREADS + BACKGROUND_THREADS


# Makes the Web API client for a bot token (None: the client for SLACK_BOT_TOKEN's workspace).
ClientFactory = Callable[[str | None], WebClient]


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    session: SessionFactory
    read_session: SessionFactory
    # For single-statement writes only: each statement commits as it runs on PostgreSQL.
    statement_session: SessionFactory
    # The busiest small writes (every /log): on SQLite, many at once share one transaction.
    writes: GroupCommit
    # Claims (`/claim`): on SQLite they share the logs' transactions (the database's write lock
    # is all the lock a claim needs); on PostgreSQL each is a transaction of its own, as the
    # shift's row lock must be held until the claim commits.
    claims: GroupCommit
    clock: Callable[[], datetime]
    directory: Directory
    make_pacer: Callable[[], Pacer]
    # The workspaces Turnout serves, and the client that acts in each.
    workspaces: Workspaces
    # Redraws of shift posts, coalesced in this process (tests and the shell skip the spacing).
    redraws: Coalescer = field(default_factory=Coalescer)
    # Profiles fetched from Slack after answering, paced (tests and the shell fetch at once).
    profiles: ProfileRefresher = field(default_factory=ProfileRefresher)
    # The channels this process has read bound to a state, (workspace, channel) → (state, zone):
    # a hint for the next `/log` there, which its statement checks (`log_in_state_channel`).
    channel_states: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # Work for each workspace on its own thread, so one workspace's slow Slack holds up only itself.
    lanes: TeamLanes = field(default_factory=TeamLanes)
    # A coalition's installations (SLACK_CLIENT_ID set); None with one workspace.
    installations: TurnoutInstallationStore | None = None


def make_deps(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
    make_client_for: ClientFactory | None = None,
    team_id: str | None = None,
    processes: int = 1,
    redraw_budget: int = UPDATE_BUDGET,
) -> Deps:
    """`make_client_for` makes the Web API clients (default: `make_client` with the settings);
    `team_id` is SLACK_BOT_TOKEN's workspace when the caller already asked Slack; `processes`:
    how many processes answer Slack's requests alike (`turnout serve`'s workers), which share
    `redraw_budget` chat.update calls a minute per workspace (`bot.slack.redraws`)."""
    engine = engine or create_db_engine(settings.database_url, pool_size=pool_size(settings))
    write, read = session_factory(engine)
    sqlite = engine.dialect.name == "sqlite"
    writes = GroupCommit(writer_sessions(engine) if sqlite else statement_sessions(engine), batching=sqlite)
    new_client: ClientFactory = make_client_for or (lambda token: make_client(settings, token=token))
    installations: TurnoutInstallationStore | None = None
    workspaces: Workspaces
    if settings.distributed:
        installations = TurnoutInstallationStore(
            settings.slack_client_id, engine, member=settings.is_member_workspace
        )
        workspaces = InstalledWorkspaces(installations, new_client)
    else:
        workspaces = OneWorkspace(new_client(None), team_id)
    lane_interval, lane_burst = lane_pacing(processes, redraw_budget)
    return Deps(
        settings=settings,
        engine=engine,
        session=write,
        read_session=read,
        statement_session=statement_sessions(engine),
        writes=writes,
        # Never batched on PostgreSQL, where a first claim commits its own transaction
        # (`claim_shift`: its locked part and the commit in one exchange).
        claims=writes if sqlite else GroupCommit(write, batching=False),
        clock=clock,
        directory=Directory(settings.admins, distributed=settings.distributed),
        make_pacer=lambda: Pacer(settings.posts_per_second),
        workspaces=workspaces,
        redraws=Coalescer(lane_interval=lane_interval, lane_burst=lane_burst),
        installations=installations,
    )
