"""Refusals: services name what was refused and whom it concerns; the words (and mentions) are drawn in blocks."""

from __future__ import annotations

import pytest

from bot.blocks.refusals import refusal_text
from bot.models import SignupStatus
from bot.services.errors import (
    AttendanceDoesNotApply,
    ChannelTaken,
    GoalOutOfRange,
    NotCoordinating,
    NotCoordinator,
    NotFound,
    Refused,
    ReleaseCutoffPassed,
    StateHasNoChannel,
    TurnoutError,
    UnknownTimezone,
    UsageError,
)


@pytest.mark.parametrize(
    ("error", "text"),
    [
        (
            NotCoordinator("IA", ("U1", "U2"), "cancel shift #3"),
            "Only an IA coordinator (<@U1>, <@U2>) or an admin can cancel shift #3.",
        ),
        (
            NotCoordinator("NH", (), "set NH's goals"),
            "Only an admin (no one coordinates NH yet) can set NH's goals.",
        ),
        (
            ReleaseCutoffPassed(7, "IA", 3.0, ("U1", "U2")),
            "Shift #7 starts within 3 hours, too close to release it yourself. "
            "Ask <@U1> or <@U2> (IA coordinator) to take you off it.",
        ),
        (
            ReleaseCutoffPassed(7, "IA", 1.0, ()),
            "Shift #7 starts within 1 hour, too close to release it yourself. "
            "Ask a Turnout admin to take you off it (no one coordinates IA yet).",
        ),
        (
            ReleaseCutoffPassed(7, "IA", 1.5, ("U1",)),
            "Shift #7 starts within 1.5 hours, too close to release it yourself. "
            "Ask <@U1> (IA coordinator) to take you off it.",
        ),
        (
            ChannelTaken("CIOWA", "IA", "NH"),
            "<#CIOWA> is already IA's channel. Bind IA elsewhere first, or pick another channel for NH.",
        ),
        (
            NotCoordinating("U9", "IA"),
            "<@U9> is not an IA coordinator, so there is nothing to revoke.",
        ),
        (
            AttendanceDoesNotApply("U9", SignupStatus.WAITLISTED),
            "<@U9> is on the waitlist, so attendance doesn't apply.",
        ),
        (
            AttendanceDoesNotApply("U9", SignupStatus.REMOVED),
            "<@U9> is off the shift (removed), so attendance doesn't apply.",
        ),
        (
            UnknownTimezone("Mars/Olympus"),
            "`Mars/Olympus` is not a time zone I know. Use an IANA name such as America/Denver.\n"
            "Usage: `/turnout state STATE #channel [TIMEZONE]`, e.g. `/turnout state TX #texas America/Chicago`",
        ),
        (
            StateHasNoChannel("IA"),
            "IA has no channel yet. An admin binds one with `/turnout state IA #channel`.",
        ),
        (GoalOutOfRange(0, 1_000_000), "A goal must be between 1 and 1,000,000."),
    ],
)
def test_named_refusals_are_drawn_with_their_mentions(error: TurnoutError, text: str) -> None:
    assert refusal_text(error) == text


@pytest.mark.parametrize(
    "error",
    [TurnoutError("plain words"), Refused("plain words"), NotFound("plain words")],
)
def test_plain_refusals_keep_their_message(error: TurnoutError) -> None:
    assert refusal_text(error) == "plain words"


def test_a_usage_error_keeps_its_usage_line() -> None:
    assert refusal_text(UsageError("Give a state.", "`/x STATE`")) == "Give a state.\nUsage: `/x STATE`"


def test_named_refusals_are_still_the_kinds_callers_catch() -> None:
    assert isinstance(NotCoordinator("IA", (), "x"), Refused)
    assert isinstance(NotCoordinating("U1", "IA"), NotFound)
    assert isinstance(ReleaseCutoffPassed(1, "IA", 3, ()), Refused)
    # The plain fallback never carries Slack markup.
    for error in (
        NotCoordinator("IA", ("U1",), "x"),
        NotCoordinating("U1", "IA"),
        ChannelTaken("C1", "IA", "NH"),
        ReleaseCutoffPassed(1, "IA", 3, ("U1",)),
        AttendanceDoesNotApply("U1", SignupStatus.RELEASED),
    ):
        assert "<@" not in error.message and "<#" not in error.message
