"""Who may run a shift (SPEC §8): every role against every action on it, on SQLite and
PostgreSQL. A refusal names who can do it (the host, the state's coordinators)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from bot.blocks import actions as act
from bot.blocks.refusals import refusal_text
from bot.deps import Deps
from bot.localslack.reading import message_text
from bot.models import Shift, SignupStatus, State, TrustedHost
from bot.services.editing import Repeat, ShiftChanges, add_to_shift, cancel_series, edit_shift, repeat_shift
from bot.services.errors import NotCoordinator, NotShiftRunner
from bot.services.roles import Actor
from bot.services.shifts import cancel_shift, claim_shift, mark_attendance, remove_signup, roster
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM, member
from tests.handlers.forging import press

# The roles, as people acting on one IA shift hosted by UHOST.
ROLES = {
    "volunteer": Actor(TEAM, "UVOL1", is_admin=False),
    "host of this shift": Actor(TEAM, "UHOST", is_admin=False),
    "host of another shift": Actor(TEAM, "UOTHERHOST", is_admin=False),
    "trusted host": Actor(TEAM, "UTRUSTED", is_admin=False),
    "coordinator of this state": Actor(TEAM, "UCOORD", is_admin=False),
    "coordinator of another state": Actor(TEAM, "UNHCOORD", is_admin=False),
    "admin": Actor(TEAM, "UADMIN", is_admin=True),
}


# ---------------------------------------------------------------- running a shift (editing)


@dataclass(frozen=True)
class Running:
    """The shift acted on (`shift_id`, in a series, hosted by UHOST) and a signup on it."""

    shift_id: int
    signup_id: int
    starts_at: datetime


def running_campaign(deps: Deps) -> Running:
    now = deps.clock()
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", now)
        make.coordinator(session, "UNHCOORD", "NH", now)
        for user in ("UVOL1", "UVOL2", "UVOL3", "UHOST", "UOTHERHOST", "UTRUSTED"):
            make.volunteer(session, user, now)
        session.add(
            TrustedHost(team_id=TEAM, user_id="UTRUSTED", state="IA", granted_by="UCOORD", granted_at=now)
        )
        shift_id = make.shift(session, now, capacity=3)
        other_id = make.shift(session, now, days_ahead=3)
        for row_id, host in ((shift_id, "UHOST"), (other_id, "UOTHERHOST")):
            row = session.get(Shift, row_id)
            assert row is not None
            row.host_id, row.series_id = host, row_id
            session.add(row)
    with deps.session() as session:
        signup = claim_shift(session, shift_id=shift_id, who=member("UVOL2"), now=now).signup
    return Running(shift_id, signup.id, signup.shift.starts_at)


Action = Callable[[Session, Actor, Running, datetime], object]
RUNNING_ACTIONS: dict[str, Action] = {
    "roster": lambda s, a, r, now: roster(s, actor=a, shift_id=r.shift_id, now=now),
    "attendance": lambda s, a, r, now: mark_attendance(
        s,
        actor=a,
        signup_id=r.signup_id,
        status=SignupStatus.ATTENDED,
        now=r.starts_at - timedelta(minutes=30),
    ),
    "remove": lambda s, a, r, now: remove_signup(s, actor=a, signup_id=r.signup_id, now=now),
    "cancel": lambda s, a, r, now: cancel_shift(s, actor=a, shift_id=r.shift_id, now=now, reason="rain"),
    "edit": lambda s, a, r, now: edit_shift(
        s, actor=a, shift_id=r.shift_id, changes=ShiftChanges(capacity=4), now=now
    ),
    "roster add": lambda s, a, r, now: add_to_shift(
        s, actor=a, shift_id=r.shift_id, user_id="UVOL3", now=now
    ),
    "cancel series": lambda s, a, r, now: cancel_series(s, actor=a, shift_id=r.shift_id, reason="", now=now),
    "repeat": lambda s, a, r, now: repeat_shift(
        s, actor=a, shift_id=r.shift_id, repeat=Repeat(weeks=2), now=now
    ),
}
RUNS_IT = {"host of this shift", "coordinator of this state", "admin"}
# Repeating publishes new shifts: a host needs to be trusted for that (a trusted host repeats
# their own shifts; tests/services/test_editing.py), so here only staff may.
PUBLISHES = {"coordinator of this state", "admin"}


def attempt(deps: Deps, act_on: Action, actor: Actor, running: Running) -> str:
    """`allowed`, or the refusal's words; whatever it did is rolled back, so every role meets
    the same shift."""
    with Session(deps.engine, expire_on_commit=False) as session:
        try:
            act_on(session, actor, running, deps.clock())
        except (NotShiftRunner, NotCoordinator) as refused:
            return refusal_text(refused)
        finally:
            session.rollback()
    return "allowed"


@pytest.mark.parametrize("action", RUNNING_ACTIONS)
def test_running_a_shift(deps: Deps, action: str) -> None:
    running = running_campaign(deps)
    seen = {role: attempt(deps, RUNNING_ACTIONS[action], actor, running) for role, actor in ROLES.items()}
    allowed = PUBLISHES if action == "repeat" else RUNS_IT
    assert {role for role, said in seen.items() if said == "allowed"} == allowed
    for role, said in seen.items():
        if said == "allowed":
            continue
        assert "<@UCOORD>" in said and "an admin" in said, (role, said)  # who can, by name
        if action != "repeat":
            assert "its host <@UHOST>" in said, (role, said)


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
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.noshow_limit = 2
        session.add(state)
    with bot.deps.session() as session:
        held = claim_shift(session, shift_id=hosted, who=member("UVOL1"), now=now)
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
