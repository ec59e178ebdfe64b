"""Values that came back from Slack are untrusted: a forged one gets a clean refusal and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from bot.blocks import actions as act
from tests import factories as make
from tests.conftest import Bot
from tests.handlers.forging import answered, log_form, log_values, press, shift_form, shift_values, submit

TABLES = [table.name for table in SQLModel.metadata.sorted_tables]
FORGED = ["abc|card", "|", "99999999999999999999|card", "²|card", " 1|card", "0|card", "99999999999999999999"]
SHIFT_BUTTONS = [act.CLAIM, act.JOIN_WAITLIST, act.CONFIRM, act.RELEASE]
ROSTER_BUTTONS = [act.ATTENDED, act.NO_SHOW, act.REMOVE, act.ROSTER_PAGE]
BARE_BUTTONS = [act.LOG_FOR_SHIFT, act.HOME_CLAIM, act.HOME_CONFIRM, act.HOME_RELEASE]


def counts(bot: Bot) -> dict[str, int]:
    with bot.deps.read_session() as session:
        return {t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.fixture
def seeded(bot: Bot) -> Bot:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        make.shift(session, bot.clock())
    bot.command("/turnout", "home IA", user="UVOL1")
    return bot


@pytest.mark.parametrize("action_id", SHIFT_BUTTONS + ROSTER_BUTTONS + BARE_BUTTONS)
@pytest.mark.parametrize("value", FORGED)
def test_a_forged_button_value_is_refused_and_changes_nothing(
    seeded: Bot, action_id: str, value: str
) -> None:
    before = counts(seeded)
    exchange = press(seeded, action_id, value, user="UCOORD")
    assert exchange.status == 200
    told = answered(exchange, seeded, "UCOORD")
    assert "I can't read that button" in told, told
    assert "Traceback" not in told and "Something went wrong" not in told
    assert counts(seeded) == before


def test_a_real_button_value_still_works(seeded: Bot) -> None:
    assert press(seeded, act.CLAIM, "1|card").status == 200
    assert counts(seeded)["signup"] == 1


def test_a_forged_shift_on_a_form_listing_none_is_answered_beside_a_field_it_has(seeded: Bot) -> None:
    values = {**log_values(doors="3"), "shift": {"shift": {"selected_option": {"value": "1"}}}}
    exchange = submit(seeded, log_form(), values)
    assert exchange.ack == {
        "response_action": "errors",
        "errors": {"doors": "Pick one of the shifts listed, or none."},
    }


def test_a_log_form_with_a_long_view_id_is_recorded(seeded: Bot) -> None:
    exchange = submit(seeded, log_form("V" * 300), log_values(doors="12"))
    assert exchange.status == 200 and exchange.ack["response_action"] == "update"
    with seeded.deps.read_session() as session:
        (key,) = session.execute(sa.text("SELECT source_key FROM contactlog")).scalars()
    assert len(key) <= 64


def test_a_shift_form_with_a_long_view_id_is_saved(seeded: Bot) -> None:
    exchange = submit(seeded, shift_form("V" * 300), shift_values(), user="UCOORD")
    assert exchange.status == 200 and exchange.ack == {}
    assert counts(seeded)["shift"] == 2


@pytest.mark.parametrize(
    ("field", "value", "block"),
    [
        ("capacity", "²", "capacity"),
        ("capacity", "1e3", "capacity"),
        ("capacity", "99999999999999999999", "capacity"),
        ("capacity", 5, "capacity"),
        ("state", "ZZ", "state"),
        ("state", "NH", "state"),
        ("state", None, "state"),
        ("kind", "picnic", "kind"),
        ("kind", ["canvass"], "kind"),
        ("day", "0001-01-01", "date"),
        ("day", "9999-12-31", "date"),
        ("day", 20261128, "date"),
        ("start", "25:00", "end"),
        ("location", {"text": "HQ"}, "location"),
    ],
)
def test_a_tampered_shift_form_is_answered_beside_the_field(
    seeded: Bot, field: str, value: Any, block: str
) -> None:
    before = counts(seeded)
    exchange = submit(seeded, shift_form(), shift_values(**{field: value}), user="UCOORD")
    assert exchange.status == 200
    assert exchange.ack["response_action"] == "errors"
    assert block in exchange.ack["errors"], exchange.ack
    assert counts(seeded) == before


@pytest.mark.parametrize(
    ("values", "block"),
    [
        (log_values(doors="²"), "doors"),
        (log_values(doors="٣"), "doors"),
        (log_values(doors="1e3"), "doors"),
        (log_values(doors=12), "doors"),
        (log_values(doors="99999999999999999999"), "doors"),
        ({**log_values(doors="3"), "shift": {"shift": {"selected_option": {"value": "1"}}}}, "shift"),
        ({**log_values(doors="3"), "shift": {"shift": {"selected_option": {"value": "abc"}}}}, "shift"),
        ({**log_values(doors="3"), "shift": {"shift": {"selected_option": {"value": "9" * 30}}}}, "shift"),
        ({**log_values(doors="3"), "shift": {"shift": {"selected_option": "1"}}}, "shift"),
    ],
)
def test_a_tampered_log_form_is_answered_beside_the_field(
    seeded: Bot, values: dict[str, Any], block: str
) -> None:
    before = counts(seeded)
    # The form lists shift 2 (a shift of the past week); shift 1 exists but was not offered.
    exchange = submit(seeded, log_form(shifts=[(2, "IA", seeded.clock())]), values)
    assert exchange.status == 200
    ack = exchange.ack
    assert ack.get("response_action") == "errors" and block in ack["errors"], ack
    assert counts(seeded) == before
