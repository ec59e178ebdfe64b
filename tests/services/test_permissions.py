"""Who may do what is decided in the services, which refuse with named errors carrying the people to ask."""

from __future__ import annotations

import pytest

from bot.deps import Deps
from bot.models import Metric, SignupStatus, State
from bot.services.errors import (
    AttendanceDoesNotApply,
    ChannelTaken,
    GoalOutOfRange,
    NotCoordinating,
    NotCoordinator,
    StateHasNoChannel,
    UnknownTimezone,
)
from bot.services.goals import set_goal
from bot.services.people import revoke_coordinator
from bot.services.roles import Actor
from bot.services.schedule import DigestTarget, digest_target, state_schedule
from bot.services.shifts import claim_shift, mark_attendance
from bot.services.states import bind_state
from tests import factories as make
from tests.conftest import Bot, Clock
from tests.factories import TEAM, member

VOLUNTEER = Actor(TEAM, "UVOL1", is_admin=False)


def test_a_volunteer_is_refused_the_schedule_naming_who_can(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
        make.coordinator(session, "UCOORD2", "IA", clock())
    with pytest.raises(NotCoordinator) as refusal, deps.session() as session:
        state_schedule(session, actor=VOLUNTEER, code="IA", now=clock())
    assert refusal.value.state == "IA"
    assert refusal.value.coordinator_ids == ("UCOORD", "UCOORD2")
    assert refusal.value.doing == "see IA's schedule"


def test_a_coordinator_sees_the_schedule_and_an_admin_any_state(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        coordinator = make.coordinator(session, "UCOORD", "IA", clock())
    with deps.session() as session:
        assert state_schedule(session, actor=coordinator, code="IA", now=clock()).state == "IA"
        with pytest.raises(NotCoordinator):
            state_schedule(session, actor=coordinator, code="NH", now=clock())
    with deps.session() as session:
        nh = state_schedule(session, actor=make.ADMIN, code="NH", now=clock())
    assert nh.state == "NH" and nh.timezone == "America/New_York"


def test_the_digest_goes_to_the_states_channel_which_it_must_have(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        coordinator = make.coordinator(session, "UCOORD", "IA", clock())
    with pytest.raises(NotCoordinator) as refusal, deps.session() as session:
        digest_target(session, actor=VOLUNTEER, code="IA")
    assert refusal.value.coordinator_ids == ("UCOORD",) and refusal.value.doing == "post IA's digest"
    with pytest.raises(StateHasNoChannel) as missing, deps.session() as session:
        digest_target(session, actor=coordinator, code="IA")
    assert missing.value.state == "IA"
    with deps.session() as session:
        bind_state(session, actor=make.ADMIN, code="IA", channel_id="CIOWA", timezone=None, now=clock())
    with deps.session() as session:
        target = digest_target(session, actor=coordinator, code="IA")
    assert target == DigestTarget(make.TEAM, "IA", "CIOWA", "America/Chicago")


def test_binding_checks_the_zone_and_the_channels_holder(deps: Deps, clock: Clock) -> None:
    with pytest.raises(UnknownTimezone) as bad_zone, deps.session() as session:
        bind_state(
            session, actor=make.ADMIN, code="IA", channel_id="CIOWA", timezone="Mars/Olympus", now=clock()
        )
    assert bad_zone.value.timezone == "Mars/Olympus"
    with deps.session() as session:
        state = bind_state(
            session, actor=make.ADMIN, code="IA", channel_id="CIOWA", timezone="America/Denver", now=clock()
        )
        assert state.timezone == "America/Denver"
    with pytest.raises(ChannelTaken) as taken, deps.session() as session:
        bind_state(session, actor=make.ADMIN, code="NH", channel_id="CIOWA", timezone=None, now=clock())
    assert (taken.value.channel_id, taken.value.holder, taken.value.wanted) == ("CIOWA", "IA", "NH")
    with deps.read_session() as session:
        row = session.get(State, (TEAM, "IA"))
        assert row is not None and row.timezone == "America/Denver"


def test_revoking_a_role_nobody_holds_names_the_person(deps: Deps) -> None:
    with pytest.raises(NotCoordinating) as missing, deps.session() as session:
        revoke_coordinator(session, actor=make.ADMIN, user_id="UVOL2", state="IA")
    assert (missing.value.user_id, missing.value.state) == ("UVOL2", "IA")


@pytest.mark.parametrize("target", [0, 1_000_001])
def test_the_goal_range_is_the_services_rule(deps: Deps, clock: Clock, target: int) -> None:
    with pytest.raises(GoalOutOfRange) as out, deps.session() as session:
        set_goal(
            session, actor=make.ADMIN, state="IA", metric=Metric.DOORS, target=target, day=None, now=clock()
        )
    assert out.value.target == target and out.value.maximum == 1_000_000


def test_attendance_on_someone_waiting_names_them(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        shift_id = make.shift(session, clock(), capacity=1)
        for user in ("UVOL1", "UVOL2"):
            make.volunteer(session, user, clock())
    with deps.session() as session:
        claim_shift(session, shift_id=shift_id, who=member("UVOL1"), now=clock())
        waiting = claim_shift(session, shift_id=shift_id, who=member("UVOL2"), now=clock()).signup
    with pytest.raises(AttendanceDoesNotApply) as refusal, deps.session() as session:
        mark_attendance(
            session, actor=make.ADMIN, signup_id=waiting.id, status=SignupStatus.ATTENDED, now=clock()
        )
    assert refusal.value.volunteer_id == "UVOL2" and refusal.value.status is SignupStatus.WAITLISTED


def test_volunteers_are_told_who_can_see_the_schedule_and_post_a_digest(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    assert (
        bot.command("/turnout", "schedule IA").text
        == "Only an IA coordinator (<@UCOORD>) or an admin can see IA's schedule."
    )
    assert (
        bot.command("/turnout", "digest IA").text
        == "Only an IA coordinator (<@UCOORD>) or an admin can post IA's digest."
    )
    assert (
        bot.command("/turnout", "digest IA", user="UCOORD").text
        == "IA has no channel yet. An admin binds one with `/turnout state IA #channel`."
    )
