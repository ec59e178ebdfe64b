"""Who may host and decide proposals (SPEC §8): every role against every action, end to end through Slack, on
SQLite and PostgreSQL. A refusal names who can do it and changes nothing; an allowed action
does it. Each feature keeps its own section below."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest
from sqlmodel import select

from bot.blocks import actions as act
from bot.models import Shift, ShiftKind, ShiftStatus, State, TrustedHost
from bot.services.hosting import decide_proposal, grant_trusted_host, host_shift
from bot.services.roles import Actor
from bot.services.shifts import NewShift
from bot.services.states import bind_state
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM
from tests.handlers.forging import answered, press

# ---------------------------------------------------------------- hosting: /host, proposals, trusted hosts, leads

# Each role as a person in the stand-in's workspace, acting in Iowa.
HOSTING_ROLES = {
    "volunteer": "UVOL5",
    "host of this shift": "UVOL1",  # proposed the shift being decided
    "host of another shift": "UVOL2",  # hosts an approved Iowa shift
    "trusted host": "UVOL3",
    "coordinator of this state": "UCOORD",
    "coordinator of another state": "UNHCO",
    "admin": "UADMIN",
}
HOSTING_STAFF = {"coordinator of this state", "admin"}
# Whose `/host` in Iowa is published at once (everyone else's is a proposal).
HOSTING_PUBLISHERS = {"trusted host", "coordinator of this state", "admin"}


def hosting_campaign(bot: Bot) -> int:
    """Iowa with every role, and UVOL1's proposal waiting; returns the proposal's id."""
    bot.slack.add_person("UNHCO", "nina", real_name="Nina NH")
    bot.slack.add_channel("CLEADS", "ia-leads", is_private=True)
    now = bot.clock()
    spec = NewShift("IA", date(2026, 11, 28), time(10), time(13), ShiftKind.CANVASS, 8, "Porch")
    with bot.deps.session() as session:
        for user in ("UVOL1", "UVOL2", "UVOL3", "UVOL4", "UVOL5"):
            make.volunteer(session, user, now)
        make.coordinator(session, "UCOORD", "IA", now)
        make.coordinator(session, "UNHCO", "NH", now)
        bind_state(session, actor=make.ADMIN, code="IA", channel_id="CIOWA", timezone=None, now=now)
        grant_trusted_host(session, actor=make.ADMIN, user_id="UVOL3", state="IA", now=now)
        other = host_shift(session, actor=Actor(TEAM, "UVOL2", False), spec=spec, now=now).shift.id
        decide_proposal(session, actor=make.ADMIN, shift_id=other, approve=True, now=now)
        proposal = host_shift(session, actor=Actor(TEAM, "UVOL1", False), spec=spec, now=now).shift.id
    return proposal


def shift_status(bot: Bot, shift_id: int) -> ShiftStatus:
    with bot.deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        return shift.status


def trusted(bot: Bot, user: str) -> bool:
    with bot.deps.read_session() as session:
        return session.get(TrustedHost, (TEAM, user, "IA")) is not None


def leads_channel(bot: Bot) -> str | None:
    with bot.deps.read_session() as session:
        state = session.get(State, (TEAM, "IA"))
        return state.leads_channel_id if state else None


# action: (do it and say what it did, who may, what an allowed one did, what a refusal says it is)
HostingAction = Callable[[Bot, str, int], str]


def hosting_approve(bot: Bot, user: str, proposal: int) -> str:
    told = answered(press(bot, act.APPROVE, f"{proposal}|proposal", user=user), bot, user)
    return "approved" if shift_status(bot, proposal) == ShiftStatus.OPEN else told


def hosting_decline(bot: Bot, user: str, proposal: int) -> str:
    exchange = press(bot, act.DECLINE, f"{proposal}|proposal", user=user)
    return "asked why" if exchange.view is not None else answered(exchange, bot, user)


def hosting_proposals(bot: Bot, user: str, _proposal: int) -> str:
    return bot.command("/turnout", "proposals IA", user=user).text


def hosting_trust(bot: Bot, user: str, _proposal: int) -> str:
    text = bot.command("/turnout", "host <@UVOL4> IA", user=user).text
    return "trusted" if trusted(bot, "UVOL4") else text


def hosting_untrust(bot: Bot, user: str, _proposal: int) -> str:
    text = bot.command("/turnout", "host remove <@UVOL3> IA", user=user).text
    return "revoked" if not trusted(bot, "UVOL3") else text


def hosting_leads(bot: Bot, user: str, _proposal: int) -> str:
    text = bot.command("/turnout", "leads IA <#CLEADS|ia-leads>", user=user).text
    return "bound" if leads_channel(bot) == "CLEADS" else text


HOSTING_ACTIONS: dict[str, tuple[HostingAction, set[str], str, str]] = {
    "approve a proposal": (hosting_approve, HOSTING_STAFF, "approved", "approve or decline proposals in IA"),
    "decline a proposal": (hosting_decline, HOSTING_STAFF, "asked why", "approve or decline proposals in IA"),
    "see the proposals": (
        hosting_proposals,
        HOSTING_STAFF,
        "Proposals waiting in Iowa",
        "see IA's proposals",
    ),
    "make a trusted host": (hosting_trust, HOSTING_STAFF, "trusted", "make trusted hosts in IA"),
    "revoke a trusted host": (hosting_untrust, HOSTING_STAFF, "revoked", "revoke trusted hosts in IA"),
    "bind the leads channel": (hosting_leads, HOSTING_STAFF, "bound", "set IA's leads channel"),
}


@pytest.mark.parametrize("role", HOSTING_ROLES)
@pytest.mark.parametrize("action", HOSTING_ACTIONS)
def test_hosting_permissions(bot: Bot, action: str, role: str) -> None:
    proposal = hosting_campaign(bot)
    do, allowed, did, doing = HOSTING_ACTIONS[action]
    said = do(bot, HOSTING_ROLES[role], proposal)
    if role in allowed:
        assert did in said, said
    else:
        assert f"Only an IA coordinator (<@UCOORD>) or an admin can {doing}." in said, said
        assert shift_status(bot, proposal) == ShiftStatus.PROPOSED
        assert trusted(bot, "UVOL3") and not trusted(bot, "UVOL4") and leads_channel(bot) is None


@pytest.mark.parametrize("role", HOSTING_ROLES)
def test_hosting_who_publishes_and_who_proposes(bot: Bot, role: str) -> None:
    """Anyone may `/host`: the state's trusted hosts, coordinators and admins publish at once;
    anyone else (another state's coordinator included) proposes."""
    hosting_campaign(bot)
    said = bot.command(
        "/host", "IA 2026-11-29 10:00-13:00 phonebank 6 Kitchen table", user=HOSTING_ROLES[role]
    )
    with bot.deps.read_session() as session:
        shift = session.exec(select(Shift).where(Shift.kind == "phonebank")).one()
    assert shift.host_id == HOSTING_ROLES[role]
    if role in HOSTING_PUBLISHERS:
        assert shift.status == ShiftStatus.OPEN and "posted it in <#CIOWA>" in said.text
    else:
        assert (
            shift.status == ShiftStatus.PROPOSED
            and "is a proposal until an IA coordinator approves it" in said.text
        )
