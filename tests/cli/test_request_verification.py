"""Nothing Slack did not sign is trusted or acted on, whatever its headers and body look like.

Every request below is unsigned, wrongly signed, stale or malformed: each must get 401 (or 400)
with no Web API call of any kind and no POST to any `response_url` it names.
"""

from __future__ import annotations

import hmac
import json
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SIGNING_SECRET, Bot

FORM = "application/x-www-form-urlencoded"


def _body(bot: Bot) -> bytes:
    """A command body that names a response_url the bot could be tricked into calling."""
    return urlencode(
        {
            "command": "/shifts",
            "text": "",
            "user_id": "UVOL1",
            "channel_id": "CRANDOM",
            "team_id": "T0TURNOUT",
            "response_url": bot.slack.response_url("attacker.UVOL1.CRANDOM"),
            "trigger_id": "t.1",
        }
    ).encode()


def _assert_nothing_happened(bot: Bot, status: int) -> None:
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle()
    assert status in (400, 401)
    # Building the app checks its token once (auth.test); nothing else may reach Slack.
    assert [c.method for c in bot.slack.calls if c.method != "auth.test"] == []
    assert bot.slack.messages == []


@pytest.mark.parametrize(
    "timestamp",
    ["abc", "", "1700000000.5", " 1700000000", "-1", "9" * 400, "１２３", "0x10", "1e9"],
)
def test_a_malformed_timestamp_gets_401_and_no_outbound_call(bot: Bot, timestamp: str) -> None:
    body = _body(bot)
    headers = {"content-type": FORM, "x-slack-request-timestamp": timestamp, "x-slack-signature": "v0=00"}
    status, _ = bot.driver.send_raw(body, headers)
    _assert_nothing_happened(bot, status)


@pytest.mark.parametrize(
    "signature", ["v0=é", "v0=" + "ü" * 64, "", "v0=", "v1=" + "0" * 64, "v0=" + "z" * 64]
)
def test_a_malformed_signature_gets_401_and_no_outbound_call(bot: Bot, signature: str) -> None:
    body = _body(bot)
    headers = {
        "content-type": FORM,
        "x-slack-request-timestamp": str(int(time.time())),
        "x-slack-signature": signature,
    }
    status, _ = bot.driver.send_raw(body, headers)
    _assert_nothing_happened(bot, status)


def test_an_unsigned_malformed_payload_gets_401_not_a_500(bot: Bot) -> None:
    status, _ = bot.driver.send_raw(b"payload=%7Bbad", {"content-type": FORM})
    _assert_nothing_happened(bot, status)


def test_a_signed_body_that_is_not_utf8_is_refused(bot: Bot) -> None:
    body = b"payload=\xff\xfe"
    ts = str(int(time.time()))
    base = b"v0:" + ts.encode() + b":" + body
    signature = "v0=" + hmac.new(SIGNING_SECRET.encode(), base, "sha256").hexdigest()
    headers = {"content-type": FORM, "x-slack-request-timestamp": ts, "x-slack-signature": signature}
    status, _ = bot.driver.send_raw(body, headers)
    _assert_nothing_happened(bot, status)


header_text = st.text(max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    timestamp=st.one_of(st.none(), header_text, st.integers(-(10**12), 10**12).map(str)),
    signature=st.one_of(st.none(), header_text, st.binary(max_size=40).map(lambda b: "v0=" + b.hex())),
    body=st.one_of(
        st.binary(max_size=300),
        st.just(b"payload=%7Bbad"),
        st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=4).map(
            lambda d: urlencode({"payload": json.dumps(d)}).encode()
        ),
    ),
    content_type=st.sampled_from([FORM, "application/json", "text/plain", ""]),
)
def test_fuzzed_unsigned_requests_are_refused_without_side_effects(
    bot: Bot, timestamp: str | None, signature: str | None, body: bytes, content_type: str
) -> None:
    headers = {"content-type": content_type}
    if timestamp is not None:
        headers["x-slack-request-timestamp"] = timestamp
    if signature is not None:
        headers["x-slack-signature"] = signature
    # A fuzzed pair that happens to be a valid signature is astronomically unlikely; make sure.
    if timestamp is not None and signature is not None:
        base = b"v0:" + timestamp.encode() + b":" + body
        assert signature != "v0=" + hmac.new(SIGNING_SECRET.encode(), base, "sha256").hexdigest()
    status, _ = bot.driver.send_raw(body, headers)
    _assert_nothing_happened(bot, status)
