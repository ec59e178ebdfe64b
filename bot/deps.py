"""What every listener and job is handed: settings, sessions, the clock, the directory, pacing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import SessionFactory, create_db_engine, session_factory, statement_sessions
from bot.services.clock import utcnow
from bot.slack.directory import Directory
from bot.slack.pacing import Pacer
from bot.slack.profiles import ProfileRefresher
from bot.slack.redraws import Coalescer


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    session: SessionFactory
    read_session: SessionFactory
    # For single-statement writes only: each statement commits as it runs on PostgreSQL.
    statement_session: SessionFactory
    clock: Callable[[], datetime]
    directory: Directory
    make_pacer: Callable[[], Pacer]
    # Redraws of shift posts, coalesced in this process (tests and the shell skip the spacing).
    redraws: Coalescer = field(default_factory=Coalescer)
    # Profiles fetched from Slack after answering, paced (tests and the shell fetch at once).
    profiles: ProfileRefresher = field(default_factory=ProfileRefresher)


def make_deps(
    settings: Settings, *, engine: Engine | None = None, clock: Callable[[], datetime] = utcnow
) -> Deps:
    engine = engine or create_db_engine(settings.database_url)
    write, read = session_factory(engine)
    return Deps(
        settings,
        engine,
        write,
        read,
        statement_sessions(engine),
        clock,
        Directory(settings.admins),
        lambda: Pacer(settings.posts_per_second),
    )
