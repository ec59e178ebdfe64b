"""The stand-in answers what Slack refuses with Slack's errors, as the real clients see them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.config import Settings
from bot.localslack.webapi import LocalSlack
from bot.slack.client import make_client

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}


pytestmark = pytest.mark.slack_refusals


@pytest.fixture
def client(slack: LocalSlack, settings: Settings) -> Iterator[WebClient]:
    yield make_client(replace(settings, slack_api_url=slack.api_url))


def error_of(call: Any, **kwargs: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call(**kwargs)
    return str(raised.value.response["error"])


def test_messages_past_slacks_limits_are_refused(slack: LocalSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="CIOWA", text="fifty", blocks=[SECTION] * 50)
    assert (
        error_of(client.chat_postMessage, channel="CIOWA", text="t", blocks=[SECTION] * 72)
        == "invalid_blocks"
    )
    assert error_of(client.chat_postMessage, channel="CIOWA", text="x" * 40_001) == "msg_too_long"
    assert (
        error_of(client.chat_postEphemeral, channel="CIOWA", user="UVOL1", text="t", blocks=[SECTION] * 51)
        == "invalid_blocks"
    )
    ts = client.chat_postMessage(channel="CIOWA", text="t")["ts"]
    long_button = {
        "type": "actions",
        "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76}}],
    }
    assert (
        error_of(client.chat_update, channel="CIOWA", ts=ts, text="t", blocks=[long_button])
        == "invalid_blocks"
    )
    assert [m.text for m in slack.posts_in("CIOWA")] == ["fifty", "t"]
    assert [(r.method, r.error) for r in slack.refusals] == [
        ("chat.postMessage", "invalid_blocks"),
        ("chat.postMessage", "msg_too_long"),
        ("chat.postEphemeral", "invalid_blocks"),
        ("chat.update", "invalid_blocks"),
    ]


def test_blocks_need_fallback_text_when_strict(client: WebClient, settings: Settings) -> None:
    with pytest.warns(UserWarning, match="top-level `text`"):  # slack_sdk warns too
        assert error_of(client.chat_postMessage, channel="CIOWA", blocks=[SECTION]) == "invalid_arguments"
    lenient = LocalSlack(token=settings.slack_bot_token, strict=False).start()
    try:
        lenient.add_channel("CIOWA", "iowa")
        with pytest.warns(UserWarning, match="top-level `text`"):
            make_client(replace(settings, slack_api_url=lenient.api_url)).chat_postMessage(
                channel="CIOWA", blocks=[SECTION]
            )
        assert len(lenient.posts_in("CIOWA")) == 1
        assert any("fallback text" in w for w in lenient.warnings)
    finally:
        lenient.stop()


def test_views_past_slacks_limits_are_refused(slack: LocalSlack, client: WebClient) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Add a shift"}, "blocks": [SECTION]}
    view_id = client.views_open(trigger_id="t1", view=modal)["view"]["id"]
    too_long = {**modal, "title": {"type": "plain_text", "text": "t" * 25}}
    assert error_of(client.views_open, trigger_id="t2", view=too_long) == "invalid_arguments"
    assert error_of(client.views_update, view_id=view_id, view={**modal, "blocks": [SECTION] * 101}) == (
        "invalid_blocks"
    )
    assert error_of(client.views_push, trigger_id="t3", view={**modal, "private_metadata": "p" * 3001}) == (
        "invalid_arguments"
    )
    home = {"type": "home", "blocks": [SECTION] * 100}
    client.views_publish(user_id="UVOL1", view=home)
    assert error_of(client.views_publish, user_id="UVOL1", view={**home, "blocks": [SECTION] * 101}) == (
        "invalid_blocks"
    )
    assert len(slack.home_views["UVOL1"]["blocks"]) == 100


def test_a_response_url_refuses_with_a_plain_400(slack: LocalSlack) -> None:
    """What Bolt's respond() gets back: slack_sdk's WebhookClient raises nothing, it returns the 400."""
    hook = WebhookClient(slack.response_url("r.UVOL1.CIOWA"))
    refused = hook.send(text="t", blocks=[SECTION] * 51)
    assert (refused.status_code, refused.body) == (400, "invalid_blocks")
    assert slack.responses("r.UVOL1.CIOWA") == []
    taken = hook.send(text="t", blocks=[SECTION] * 50)
    assert taken.status_code == 200 and len(slack.responses("r.UVOL1.CIOWA")) == 1
    assert [(r.method, r.error) for r in slack.refusals] == [("response_url", "invalid_blocks")]
