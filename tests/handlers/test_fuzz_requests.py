"""Whatever a signed request carries, it is answered: no 5xx, no silence, no traceback, and a
refused request writes nothing.

Hypothesis draws command text, button values and form fields; the database carries over from
one example to the next, as it would in a workspace where people keep trying things."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from bot.localslack.driver import Exchange
from handlers.common import SORRY
from tests import factories as make
from tests.conftest import Bot
from tests.handlers.forging import (
    BUTTON_ACTIONS,
    answered,
    edit_form,
    edit_values,
    log_form,
    press,
    shift_form,
    shift_values,
    submit,
)

# The first request from someone enrolls them: that one row is not a write the request asked for.
TABLES = [table.name for table in SQLModel.metadata.sorted_tables if table.name != "volunteer"]
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SLACK_WAITS = 3.0  # seconds Slack waits for a request to be answered

TURNOUT_WORDS = [
    "help", "home", "state", "coordinator", "cutoff", "shift", "roster", "goal", "export", "schedule", "digest",
    "host", "proposals", "leads",
    "people", "require", "trained", "noshow",
]  # fmt: skip
WORDS = [
    "IA", "ia", "NH", "ZZ", "US", "iowa", "me", "today", "tomorrow", "week", "all", "daily", "canvass",
    "phonebank", "picnic", "doors", "door", "convos", "ids", "for", "undo", "add", "cancel", "remove", "help",
    "morning", "evening", "1", "0", "-1", "12", "2000", "2001", "²", "١٢", "1e3", "1e308", "inf", "nan", "2.5",
    "99999999999999999999", "9" * 5000, "2026-11-28", "2026-02-30", "9999-12-31", "0001-01-01",
    "10:00-13:00", "13:00-10:00", "25:00-26:00", "08:30", "<@UVOL2|ben>", "<@U0NOSUCH1>", "@ana", "@nobody",
    "<#CIOWA|iowa>", "#iowa", "#nowhere", "<!channel>", "&lt;b&gt;", "`", "America/Chicago", "Mars/Olympus",
    "ready", "lapsed", "noshows", "training", "none", "off",
    "edit", "repeat", "weekly", "until", "series", "date", "time", "capacity", "location",
]  # fmt: skip
COMMANDS = [
    "/shifts",
    "/claim",
    "/unclaim",
    "/myshifts",
    "/log",
    "/stats",
    "/leaderboard",
    "/turnout",
    "/host",
]

token = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=12).filter(lambda t: not t.isspace()))
NUMBERS = ["1", "12", "0", "²", "١٢", "1e308", "inf", "nan", "99999999999999999999", "9" * 5000]
# Most commands read STATE NUMBER WORD DATE-ish: drawn in that order often enough to reach deep.
shaped = st.tuples(
    st.sampled_from(["IA", "ZZ", "me", "1"]),
    st.sampled_from(NUMBERS),
    st.sampled_from(["doors", "convos", "picnic", "canvass", "2026-11-28"]),
    st.sampled_from(["2026-11-28", "9999-12-31", "0001-01-01", "daily", "10:00-13:00"]),
).map(list)
words = st.one_of(st.lists(token, max_size=7), shaped, shaped.map(lambda w: w[1:]))


def counts(bot: Bot) -> dict[str, int]:
    with bot.deps.read_session() as session:
        return {t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def assert_answered_cleanly(exchange: Exchange, bot: Bot, user: str) -> str:
    assert exchange.status == 200, exchange.body
    assert exchange.acked_in < SLACK_WAITS, f"answered after {exchange.acked_in:.1f} s"
    told = answered(exchange, bot, user)
    assert "Traceback" not in told and SORRY not in told, told
    return told


@pytest.fixture
def campaign(bot: Bot) -> Bot:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        for days in (1, 2, 3):
            make.shift(session, bot.clock(), days_ahead=days, capacity=2)
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", "home IA", user="UVOL1")
    bot.command("/claim", "1", user="UVOL1")
    return bot


@FUZZ
@given(
    command=st.sampled_from(COMMANDS),
    subcommand=st.sampled_from(TURNOUT_WORDS),
    rest=words,
    user=st.sampled_from(["UVOL1", "UCOORD", "UADMIN"]),
)
def test_any_command_text_is_answered(
    campaign: Bot, command: str, subcommand: str, rest: list[str], user: str
) -> None:
    text = " ".join(([subcommand] if command == "/turnout" else []) + rest)
    before = counts(campaign)
    exchange = campaign.command(command, text, user=user, channel="CIOWA")
    assert_answered_cleanly(exchange, campaign, user)
    assert exchange.replies or exchange.view is not None, (command, text)
    if any("Usage:" in reply.text + str(reply.blocks) for reply in exchange.replies):
        assert counts(campaign) == before, (command, text)


value = st.one_of(
    st.sampled_from(
        [
            *("1|card", "2|mine", "3|post", "1|roster", "1|roster@10", "mine@10", "1", "log", "find"),
            *("people:IA:ready", "people:IA:new@10", "people:ZZ:keen", "people:IA:hosts@99999999"),
        ]
    ),
    st.builds(
        lambda ref, surface: f"{ref}|{surface}",
        st.one_of(st.integers(-5, 2**70).map(str), st.sampled_from(["", "²", "abc", " 1", "1_0", "٣"])),
        st.one_of(
            st.sampled_from(
                [
                    "card",
                    "mine",
                    "post",
                    "roster",
                    "list:IA week *",
                    "list:ZZ 9999-12-31 *",
                    "mine@-1",
                    "people:IA:ready",
                    "people:IA:new@10",
                    "people:ZZ:keen",
                ]
            ),
            st.text(max_size=30),
        ),
    ),
    st.text(max_size=40),
)


@FUZZ
@given(action_id=st.sampled_from(BUTTON_ACTIONS), value=value, user=st.sampled_from(["UVOL1", "UCOORD"]))
def test_any_button_value_is_answered(campaign: Bot, action_id: str, value: str, user: str) -> None:
    before = counts(campaign)
    home_views = len(campaign.slack.calls_to("views.publish"))
    exchange = press(campaign, action_id, value, user=user)
    told = assert_answered_cleanly(exchange, campaign, user)
    assert (
        exchange.replies
        or exchange.view is not None
        or len(campaign.slack.calls_to("views.publish")) > home_views
    ), (action_id, value)
    if "I can't read that button" in told[-2000:] or "I can't read that button" in "".join(
        r.text for r in exchange.replies
    ):
        assert counts(campaign) == before, (action_id, value)


field_value: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(-(2**70), 2**70),
    st.sampled_from(
        ["²", "1e3", "12", "0", "99999999999999999999", "٣", "IA", "NH", "ZZ", "canvass", "picnic"]
    ),
    st.sampled_from(
        ["2026-11-28", "9999-12-31", "0001-01-01", "10:00", "13:00", "25:00", "HQ", "<!channel>"]
    ),
    st.lists(st.text(max_size=3), max_size=2),
)
FORM_FIELDS = ["state", "day", "start", "end", "kind", "capacity", "location", "notes"]


def check_ack(exchange: Exchange, view: dict[str, Any]) -> bool:
    """A valid view ack; True when it refused the form."""
    ack = exchange.ack
    if ack == {}:
        return False
    assert ack.get("response_action") in ("errors", "update"), ack
    if ack["response_action"] == "update":
        return False
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert ack["errors"] and all(
        k in blocks and isinstance(v, str) and v for k, v in ack["errors"].items()
    ), ack
    return True


@FUZZ
@given(
    counts_in=st.fixed_dictionaries({}, optional={m: field_value for m in ("doors", "calls", "convos")}),
    shift=st.one_of(st.none(), field_value),
    view_id=st.one_of(st.text(max_size=80), st.just("V" * 200)),
)
def test_any_log_form_is_answered(campaign: Bot, counts_in: dict[str, Any], shift: Any, view_id: str) -> None:
    view = log_form(view_id)
    values: dict[str, Any] = {m: {m: {"type": "number_input", "value": v}} for m, v in counts_in.items()}
    if shift is not None:
        values["shift"] = {"shift": {"type": "static_select", "selected_option": {"value": shift}}}
    before = counts(campaign)
    exchange = submit(campaign, view, values)
    assert_answered_cleanly(exchange, campaign, "UVOL1")
    if check_ack(exchange, view):
        assert counts(campaign) == before, values


@FUZZ
@given(
    fields=st.fixed_dictionaries({}, optional={f: field_value for f in FORM_FIELDS}),
    view_id=st.one_of(st.text(max_size=80), st.just("V" * 200)),
)
def test_any_shift_form_is_answered(campaign: Bot, fields: dict[str, Any], view_id: str) -> None:
    view = shift_form(view_id)
    before = counts(campaign)
    exchange = submit(campaign, view, shift_values(**fields), user="UCOORD")
    assert_answered_cleanly(exchange, campaign, "UCOORD")
    if check_ack(exchange, view):
        assert counts(campaign) == before, fields


EDIT_FIELDS = ["date", "start", "end", "capacity", "location", "notes", "repeat_weeks", "repeat_until"]


@FUZZ
@given(
    fields=st.fixed_dictionaries({}, optional={f: field_value for f in EDIT_FIELDS}),
    metadata=st.one_of(
        st.none(), st.sampled_from(["1", "2", "999", "0", "-1", "1|x", "²"]), st.text(max_size=12)
    ),
    user=st.sampled_from(["UVOL1", "UCOORD"]),
)
def test_any_edit_form_is_answered(campaign: Bot, fields: dict[str, Any], metadata: Any, user: str) -> None:
    view = edit_form(metadata)
    before = counts(campaign)
    exchange = submit(campaign, view, edit_values(**fields), user=user)
    assert_answered_cleanly(exchange, campaign, user)
    if check_ack(exchange, view):
        assert counts(campaign) == before, fields
