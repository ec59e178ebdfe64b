"""The demo campaign reads the same whatever the hour it is seeded at: the README's tour and
the shell's tests click its first shift, this evening's (or tomorrow evening's) canvass, which is
Sunrise's; Make the Road's shifts come after all of Sunrise's."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot.db import create_db_engine, upgrade
from bot.models import Shift
from bot.shell import demo


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.mark.parametrize("hour", range(24))
def test_the_first_shift_is_the_evening_canvass_at_any_hour(
    migrated: Path, tmp_path: Path, hour: int
) -> None:
    url = f"sqlite:///{shutil.copy(migrated, tmp_path / 'demo.db')}"
    engine = create_db_engine(url)
    now = datetime(2026, 11, 23, 6, 30, tzinfo=UTC) + timedelta(hours=hour)  # 00:30 CST onwards
    with Session(engine) as session:
        assert demo.seed(session, now)
        session.commit()
        first_two = session.exec(
            select(Shift.id, Shift.kind, Shift.capacity)
            .where(Shift.team_id == demo.SUNRISE.team_id, Shift.state == "IA", col(Shift.starts_at) > now)
            .order_by(col(Shift.starts_at))
            .limit(2)
        ).all()
        theirs = session.exec(select(Shift.id).where(Shift.team_id == demo.MAKE_THE_ROAD.team_id)).all()
        ours = session.exec(select(Shift.id).where(Shift.team_id == demo.SUNRISE.team_id)).all()
    engine.dispose()
    assert [(id_, str(kind), capacity) for id_, kind, capacity in first_two] == [
        (1, "canvass", 6),
        (2, "phonebank", 3),
    ]
    assert theirs and min(theirs) > max(ours)
