"""The database's connection pool has a connection for every thread of a process that may hold
one at once: the web server's request threads, the listeners', and the background threads. With
fewer, a form (acked only once its counts are written, within Slack's 3 s) waited for a
connection while the listeners held them all, up to the pool's 30 s timeout."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.pool import QueuePool

from bot.config import Settings
from bot.deps import BACKGROUND_THREADS, make_deps
from bot.workpool import LISTENER_THREADS


def test_every_thread_that_may_hold_a_connection_gets_one_at_once(db_url: str, settings: Settings) -> None:
    settings = replace(settings, database_url=db_url, web_threads=12)
    deps = make_deps(settings)
    engine = deps.engine
    assert isinstance(engine.pool, QueuePool)
    # Beyond the pool's own connections, a slow checkout raises at once instead of waiting.
    engine.pool._timeout = 0.5
    threads = settings.web_threads + LISTENER_THREADS + BACKGROUND_THREADS
    held = []
    try:
        for _ in range(threads):
            held.append(engine.connect())
        assert len(held) == threads
        # The pool keeps them for next time: none is opened and closed again under load.
        for connection in held:
            connection.close()
        held.clear()
        assert engine.pool.checkedin() == threads
    finally:
        for connection in held:
            connection.close()
        deps.lanes.shutdown()
        engine.dispose()
