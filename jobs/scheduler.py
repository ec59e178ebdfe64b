"""The scheduler: APScheduler ticks every 30 seconds and each tick runs whatever is due.

Fire times live in `bot.services.schedule` (each state in its own zone) and every message
is claimed in the `delivery` table before it is sent, so a tick can never post twice.
A tick hands each workspace's due work to that workspace's lane (`bot.slack.lanes`) and
returns at once: a workspace whose Slack is slow, rate-limited or gone holds up only itself,
and a workspace still busy from an earlier tick is caught up on a later one.
On PostgreSQL an advisory lock makes one scheduler process the active one; any other
stands by and takes over if the active one goes away. SQLite is one process by design.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.db import is_postgresql
from bot.deps import Deps
from jobs.runner import submit_due

logger = logging.getLogger(__name__)
TICK_SECONDS = 30
TICK_JOB_ID = "turnout.tick"
# An arbitrary, fixed key: every Turnout scheduler on one database contends for it.
LEADER_LOCK_KEY = 0x7475726E  # "turn"


class Leadership:
    """Whether this process is the active scheduler (PostgreSQL advisory lock, held on its own connection)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.connection: sa.Connection | None = None

    def held(self) -> bool:
        if not is_postgresql(self.deps.engine):
            return True
        if self.connection is not None:
            try:
                self.connection.execute(sa.text("SELECT 1"))
                return True
            except sa.exc.DBAPIError:
                logger.warning("lost the scheduler lock's connection; trying again")
                self.release()
        connection = self.deps.engine.connect()
        got = connection.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_LOCK_KEY}
        ).scalar()
        connection.commit()
        if got:
            logger.info("this process is now the active scheduler")
            self.connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        """Give up leading. The lock belongs to the database session, not the pooled
        connection object, so it is unlocked explicitly (or the connection discarded)."""
        if self.connection is None:
            return
        try:
            self.connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_LOCK_KEY})
            self.connection.commit()
            self.connection.close()
        except sa.exc.DBAPIError:
            self.connection.invalidate()
        finally:
            self.connection = None


def tick(deps: Deps, leadership: Leadership) -> None:
    """One scheduler tick: if this process leads, start each workspace's due work on its lane.
    Returns without waiting for any of it."""
    if not leadership.held():
        return
    submit_due(deps, deps.clock())


def build_scheduler(deps: Deps, *, background: bool) -> tuple[BaseScheduler, Leadership]:
    scheduler: BaseScheduler = (
        BackgroundScheduler(timezone=UTC) if background else BlockingScheduler(timezone=UTC)
    )
    leadership = Leadership(deps)
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=TICK_SECONDS, timezone=UTC),
        id=TICK_JOB_ID,
        name="run every post that is due",
        args=[deps, leadership],
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),  # catch up at once on start
    )
    return scheduler, leadership
