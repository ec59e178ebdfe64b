"""Enum columns read back as their enums on both databases, stored as plain VARCHAR values."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError
from sqlmodel import select

from bot.deps import Deps
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Goal,
    Metric,
    Shift,
    ShiftKind,
    ShiftStatus,
    Signup,
    SignupStatus,
)
from bot.services.deliveries import claim_delivery, complete_delivery
from bot.services.goals import set_goal
from bot.services.shifts import claim_shift
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member


def test_rows_come_back_as_enum_members(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        shift_id = make.shift(session, clock(), kind=ShiftKind.CANVASS)
        make.volunteer(session, "UVOL1", clock())
    with deps.session() as session:
        claim_shift(session, shift_id=shift_id, who=member("UVOL1"), now=clock())
        set_goal(session, actor=make.ADMIN, state="IA", metric=Metric.CALLS, target=50, day=None, now=clock())
        claim = claim_delivery(
            session, team_id=TEAM, kind=DeliveryKind.AT_RISK, target="CIOWA", key="1", now=clock()
        )
        assert claim is not None
        complete_delivery(session, claim=claim, channel_id="CIOWA", message_ts="1.0", now=clock())
    with deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        assert type(shift.kind) is ShiftKind and shift.kind is ShiftKind.CANVASS
        assert type(shift.status) is ShiftStatus and shift.status is ShiftStatus.OPEN
        signup = session.exec(select(Signup)).one()
        assert type(signup.status) is SignupStatus and signup.status is SignupStatus.CLAIMED
        goal = session.exec(select(Goal)).one()
        assert type(goal.metric) is Metric and goal.metric is Metric.CALLS
        delivery = session.exec(select(Delivery)).one()
        assert type(delivery.status) is DeliveryStatus and delivery.status is DeliveryStatus.SENT
        assert delivery.kind == "at_risk"
        # A single column, not just whole rows.
        assert session.exec(select(Shift.kind)).one() is ShiftKind.CANVASS


def test_stored_values_are_the_plain_strings(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.shift(session, clock(), kind=ShiftKind.PHONEBANK)
    with deps.read_session() as session:
        raw = session.connection().execute(sa.text("SELECT kind, status FROM shift")).one()
    assert tuple(raw) == ("phonebank", "open") and type(raw[0]) is str


def test_rows_written_as_text_read_back_as_enums(deps: Deps, clock: Clock) -> None:
    """Rows stored before the columns were typed (or by hand) are just the values."""
    with deps.session() as session:
        shift_id = make.shift(session, clock())
        session.connection().execute(
            sa.text("UPDATE shift SET kind = 'textbank', status = 'cancelled' WHERE id = :id"),
            {"id": shift_id},
        )
    with deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        assert shift.kind is ShiftKind.TEXTBANK and shift.status is ShiftStatus.CANCELLED
        assert session.exec(select(Shift).where(Shift.kind == "textbank")).one().id == shift_id


def test_a_value_outside_the_enum_is_refused_before_it_is_written(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        shift_id = make.shift(session, clock())
    with pytest.raises(StatementError), deps.session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        shift.kind = "knitting"  # type: ignore[assignment]
        session.add(shift)
        session.flush()


def test_the_columns_stay_varchar(deps: Deps) -> None:
    columns = {
        (table, c["name"]): c["type"]
        for table in ("shift", "signup", "goal", "delivery")
        for c in sa.inspect(deps.engine).get_columns(table)
    }
    for key in [
        ("shift", "kind"),
        ("shift", "status"),
        ("signup", "status"),
        ("goal", "metric"),
        ("delivery", "status"),
    ]:
        assert isinstance(columns[key], sa.String) and columns[key].length == 16, key


def test_delivery_kinds_keep_their_stored_names() -> None:
    assert [k.value for k in DeliveryKind] == [
        "shift_post",
        "at_risk",
        "reminder",
        "follow_up",
        "morning",
        "evening",
        "day-before",
        "weekly",
        "promoted",
        "cancelled",
        "removed",
        "form_reply",
        "proposal",
        "decision",
        "host_news",
        "shift_changed",
        "leads",
        "shift_redraw",
        "home",
        "weekly_chart",
        "accepted",
    ]


def test_autogenerate_writes_enum_columns_as_plain_varchar() -> None:
    """A migration generated from the models names no enum, only the VARCHAR it is stored in."""
    from alembic.autogenerate import produce_migrations, render_python_code
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from bot.models import render_type

    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        code = render_python_code(
            produce_migrations(context, SQLModel.metadata).upgrade_ops, render_item=render_type
        )
    engine.dispose()
    assert "sa.Column('kind', sa.String(length=16), nullable=False)" in code
    assert "sa.Column('metric', sa.String(length=16), nullable=False)" in code
    assert "EnumString" not in code
