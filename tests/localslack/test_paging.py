"""Slack pages conversations.list and users.list by cursor; the directory follows every page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.localslack.webapi import LocalSlack
from bot.slack.client import make_client
from bot.slack.directory import Directory
from tests.conftest import Bot


@pytest.fixture
def client(slack: LocalSlack, settings: Settings) -> Iterator[WebClient]:
    yield make_client(replace(settings, slack_api_url=slack.api_url))


def test_the_stand_in_pages_by_limit_and_cursor(slack: LocalSlack, client: WebClient) -> None:
    first = client.conversations_list(limit=2)
    assert [c["id"] for c in first["channels"]] == ["CIOWA", "CNH"]
    cursor = first["response_metadata"]["next_cursor"]
    assert cursor
    last = client.conversations_list(limit=2, cursor=cursor)
    assert [c["id"] for c in last["channels"]] == ["CRANDOM"]
    assert last["response_metadata"]["next_cursor"] == ""
    with pytest.raises(SlackApiError) as error:
        client.users_list(cursor="not-a-cursor")
    assert error.value.response["error"] == "invalid_cursor"


def test_a_channel_on_a_later_page_is_found(slack: LocalSlack, client: WebClient) -> None:
    slack.page_size_cap = 1
    assert Directory(frozenset()).channel_id(client, "random") == "CRANDOM"
    assert len(slack.calls_to("conversations.list")) == 3
    assert Directory(frozenset()).channel_id(client, "nowhere") is None


def test_a_person_on_a_later_page_is_found(slack: LocalSlack, client: WebClient) -> None:
    slack.page_size_cap = 2
    assert Directory(frozenset()).user_id(client, "Fay") == "UVOL6"
    assert len(slack.calls_to("users.list")) == 5
    assert Directory(frozenset()).user_id(client, "nobody") is None


def test_admin_commands_find_names_past_the_first_page(bot: Bot) -> None:
    bot.slack.page_size_cap = 1
    assert "now posts in <#CRANDOM>" in bot.command("/turnout", "state NH #random", user="UADMIN").text
    assert "<@UVOL6> now coordinates IA" in bot.command("/turnout", "coordinator @fay IA", user="UADMIN").text
