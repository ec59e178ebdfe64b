"""Who may do what (SPEC §8): every role against every action, end to end. A refusal names
who can do it; an allowed action does it. Each feature keeps its own section below."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.blocks import actions as act
from bot.localslack.reading import message_text
from bot.models import SignupStatus, State
from bot.services.shifts import claim_shift, mark_attendance
from tests import factories as make
from tests.conftest import Bot
from tests.handlers.forging import press

# ---------------------------------------------------------------- the ladder: people, training, no-shows

# Each role as a person in the stand-in's workspace.
LADDER_ROLES = {
    "volunteer": "UVOL2",
    "host of this shift": "UVOL3",
    "host of another shift": "UVOL4",
    "trusted host": "UVOL5",
    "coordinator of this state": "UCOORD",
    "coordinator of another state": "UVOL6",
    "admin": "UADMIN",
}
STATE_STAFF = {"coordinator of this state", "admin"}
SHIFT_RUNNERS = {"host of this shift", "coordinator of this state", "admin"}


def ladder_campaign(bot: Bot) -> int:
    """Iowa with its roles, the no-show policy on, and UVOL1's claim held on a hosted shift;
    returns that signup's id."""
    now = bot.clock()
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", now)
        make.coordinator(session, "UVOL6", "NH", now)
        make.trusted_host(session, "UVOL5", "IA", now)
        for user in ("UVOL1", "UVOL3", "UVOL4"):
            make.volunteer(session, user, now)
        hosted = make.shift(session, now, days_ahead=3, host="UVOL3")
        make.shift(session, now, days_ahead=4, host="UVOL4")
        for days in (3, 2):
            missed = make.shift(session, now, days_ahead=-days)
            signup_id = make.signup(session, missed, "UVOL1", now)
            mark_attendance(
                session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.NO_SHOW, now=now
            )
        state = session.get(State, "IA")
        assert state is not None
        state.noshow_limit = 2
        session.add(state)
    with bot.deps.session() as session:
        held = claim_shift(session, shift_id=hosted, user_id="UVOL1", now=now)
    assert held.signup.status == SignupStatus.PENDING
    return held.signup.id


def ladder_command(text: str) -> Callable[[Bot, str, int], str]:
    def run(bot: Bot, user: str, _signup_id: int) -> str:
        return bot.command("/turnout", text, user=user).text

    return run


def ladder_accept(bot: Bot, user: str, signup_id: int) -> str:
    return message_text(press(bot, act.ACCEPT, f"{signup_id}|card", user=user).reply)


# action: (do it, who may, what an allowed one says, what a refusal says)
LADDER_ACTIONS: dict[str, tuple[Callable[[Bot, str, int], str], set[str], str, str]] = {
    "people": (ladder_command("people IA ready"), STATE_STAFF, "Iowa", "can see IA's people"),
    "people overview": (ladder_command("people IA"), STATE_STAFF, "Iowa's people", "can see IA's people"),
    "require": (
        ladder_command("require IA canvass training"),
        STATE_STAFF,
        "now need a training first",
        "can set IA's training rules",
    ),
    "require (show)": (
        ladder_command("require IA"),
        STATE_STAFF,
        "needs a training first",
        "can see IA's training rules",
    ),
    "trained": (ladder_command("trained <@UVOL2> IA"), STATE_STAFF, "Recorded", "can record trainings in IA"),
    "noshow": (ladder_command("noshow IA 3"), STATE_STAFF, "now wait", "can set IA's no-show policy"),
    "noshow (show)": (ladder_command("noshow IA"), STATE_STAFF, "wait for", "can see IA's no-show policy"),
    "accept a held claim": (ladder_accept, SHIFT_RUNNERS, "Accepted by", "can accept claims on shift"),
}


@pytest.mark.parametrize("role", list(LADDER_ROLES))
@pytest.mark.parametrize("action", list(LADDER_ACTIONS))
def test_ladder_permissions(bot: Bot, action: str, role: str) -> None:
    signup_id = ladder_campaign(bot)
    run, allowed, done, refused = LADDER_ACTIONS[action]
    said = run(bot, LADDER_ROLES[role], signup_id)
    if role in allowed:
        assert done in said and "Only " not in said, said
    else:
        assert refused in said and "Only " in said and "<@UCOORD>" in said, said
        if action == "accept a held claim":
            assert "its host <@UVOL3>" in said
