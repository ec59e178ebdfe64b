"""Reading what people type: mentions as Slack escapes them and as typed, dates, times, text."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.models import ShiftKind
from bot.services.clock import window_for
from bot.services.errors import UsageError
from bot.services.shifts import ListingQuery
from handlers.parsing import (
    ChannelRef,
    UserRef,
    parse_channel,
    parse_listing,
    parse_time_range,
    parse_user,
    slack_to_plain,
)


def test_channels_escaped_and_typed() -> None:
    assert parse_channel("<#C0123|iowa>", "u") == ChannelRef("C0123", "iowa")
    assert parse_channel("<#C0123>", "u") == ChannelRef("C0123", None)
    assert parse_channel("#Iowa", "u") == ChannelRef(None, "iowa")
    with pytest.raises(UsageError):
        parse_channel("iowa", "u")


def test_users_escaped_and_typed() -> None:
    assert parse_user("<@U0123|ana>", "u") == UserRef("U0123", "ana")
    assert parse_user("<@W0123>", "u") == UserRef("W0123", None)
    assert parse_user("@ana.b", "u") == UserRef(None, "ana.b")
    with pytest.raises(UsageError):
        parse_user("ana", "u")


def test_listing_filters_in_any_order_round_trip() -> None:
    query = parse_listing("phones tomorrow ia", "u")
    assert query == ListingQuery("IA", "tomorrow", ShiftKind.PHONEBANK)
    assert ListingQuery.decode(query.encode()) == query
    assert ListingQuery.decode(parse_listing("", "u").encode()) == ListingQuery(None, None, None)


def test_windows_count_from_the_local_today() -> None:
    today = date(2026, 11, 22)
    assert window_for("week", today).last == date(2026, 11, 28)
    assert window_for("tomorrow", today).first == date(2026, 11, 23)
    assert window_for("2026-12-01", today).first == date(2026, 12, 1)


def test_time_ranges() -> None:
    assert parse_time_range("9:30-13:00", "u") == (time(9, 30), time(13))
    assert parse_time_range("09:30–13:00", "u") == (time(9, 30), time(13))
    with pytest.raises(UsageError, match="before it starts"):
        parse_time_range("13:00-13:00", "u")


def test_slack_text_becomes_plain() -> None:
    assert (
        slack_to_plain("<@U1|ana> at <#C1|iowa> <!here> &amp; <https://x.org|x>")
        == "@ana at #iowa @here & https://x.org"
    )
