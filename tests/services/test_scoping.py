"""Every row knows its workspace: the same user id in two workspaces is two people, an admin of
one workspace is nobody in another, and each workspace binds its own states."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.deps import Deps
from bot.models import Metric, Shift, Signup
from bot.services.contacts import log_contacts
from bot.services.errors import NotCoordinator, NotFound, NotShiftRunner, Refused
from bot.services.goals import set_goal
from bot.services.members import Member
from bot.services.organizations import seen
from bot.services.people import Profile, grant_coordinator, set_home_state, stored_profile, sync_volunteer
from bot.services.roles import Actor, is_coordinator, require_shift_runner
from bot.services.shifts import cancel_shift, claim_shift, list_open_shifts, roster
from bot.services.states import bind_state, state_for_channel, state_timezone
from bot.services.stats import personal_stats, state_stats
from tests import factories as make
from tests.conftest import Clock

OTHER = "T0OTHER"


@pytest.fixture
def two(deps: Deps, clock: Clock) -> Deps:
    """The home workspace and another organization's, each with its own U1."""
    with deps.session() as session:
        seen(session, team_id=OTHER, name="Other Org", now=clock())
        sync_volunteer(session, profile=Profile(make.TEAM, "U1", real_name="Ana"), now=clock())
        sync_volunteer(session, profile=Profile(OTHER, "U1", real_name="Eva"), now=clock())
    return deps


def test_the_same_user_id_in_two_workspaces_is_two_people(two: Deps, clock: Clock) -> None:
    ana, eva = Member(make.TEAM, "U1"), Member(OTHER, "U1")
    with two.session() as session:
        set_home_state(session, who=ana, code="IA", now=clock())
        set_home_state(session, who=eva, code="NH", now=clock())
        log_contacts(session, who=ana, counts={Metric.DOORS: 7}, shift_id=None, channel_id=None, now=clock())
    with two.read_session() as session:
        ana_profile, eva_profile = stored_profile(session, who=ana), stored_profile(session, who=eva)
        assert ana_profile is not None and ana_profile[0].real_name == "Ana"
        assert eva_profile is not None and eva_profile[0].real_name == "Eva"
        today = clock().date()
        assert personal_stats(session, who=ana, today=today).today.doors == 7
        assert personal_stats(session, who=eva, today=today).today.doors == 0
        # Ana's log counts in her workspace's Iowa only.
        assert state_stats(session, team_id=make.TEAM, state="IA", now=clock()).today.totals.doors == 7
        assert state_stats(session, team_id=OTHER, state="IA", now=clock()).today.totals.doors == 0


def test_a_shift_of_one_workspace_is_no_shift_in_another(two: Deps, clock: Clock) -> None:
    with two.session() as session:
        shift_id = make.shift(session, clock())
    with pytest.raises(NotFound, match=f"There is no shift #{shift_id}"), two.session() as session:
        claim_shift(session, shift_id=shift_id, who=Member(OTHER, "U1"), now=clock())
    with two.read_session() as session:
        listed = list_open_shifts(
            session, who=Member(OTHER, "U1"), state=None, window=None, kind=None, now=clock()
        )
        assert listed.shifts == [] and listed.total == 0
        assert session.get(Shift, shift_id) is not None
        assert list(session.exec(select(Signup))) == []
    with two.session() as session:
        claimed = claim_shift(session, shift_id=shift_id, who=Member(make.TEAM, "U1"), now=clock())
    assert claimed.signup.team_id == make.TEAM and claimed.signup.user_id == "U1"


def test_an_admin_of_one_workspace_runs_nothing_of_another(two: Deps, clock: Clock) -> None:
    with two.session() as session:
        shift_id = make.shift(session, clock())
    their_admin = Actor(OTHER, "UADMIN", is_admin=True)
    with pytest.raises(NotFound), two.session() as session:
        cancel_shift(session, actor=their_admin, shift_id=shift_id, now=clock())
    with pytest.raises(NotFound), two.read_session() as session:
        roster(session, actor=their_admin, shift_id=shift_id, now=clock())
    # Were the shift handed to them anyway, the role check compares workspaces first.
    with two.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        with pytest.raises(NotShiftRunner):
            require_shift_runner(session, actor=their_admin, shift=shift, doing="cancel it")
    with two.read_session() as session:
        still = session.get(Shift, shift_id)
        assert still is not None and still.status == "open" and still.cancelled_at is None


def test_a_coordinator_of_one_workspace_is_not_one_in_another(two: Deps, clock: Clock) -> None:
    with two.session() as session:
        grant_coordinator(session, actor=make.ADMIN, user_id="U1", state="IA", now=clock())
    with two.read_session() as session:
        assert is_coordinator(session, actor=Actor(make.TEAM, "U1", False), state="IA")
        assert not is_coordinator(session, actor=Actor(OTHER, "U1", False), state="IA")
    their_admin = Actor(OTHER, "UADMIN", is_admin=True)
    with two.session() as session:  # their admin's grant is a role in their own workspace
        grant_coordinator(session, actor=their_admin, user_id="U1", state="NH", now=clock())
    with two.read_session() as session:
        assert not is_coordinator(session, actor=Actor(make.TEAM, "U1", False), state="NH")
        assert is_coordinator(session, actor=Actor(OTHER, "U1", False), state="NH")
    with pytest.raises(NotCoordinator), two.session() as session:
        set_goal(
            session,
            actor=Actor(OTHER, "U1", False),
            state="IA",
            metric=Metric.DOORS,
            target=10,
            day=None,
            now=clock(),
        )


def test_a_state_is_bound_in_each_workspace_on_its_own(two: Deps, clock: Clock) -> None:
    their_admin = Actor(OTHER, "UADMIN", is_admin=True)
    with two.session() as session:
        bind_state(session, actor=make.ADMIN, code="IA", channel_id="CIOWA", timezone=None, now=clock())
        # A Slack Connect channel shared by both workspaces may be bound in each.
        bind_state(
            session, actor=their_admin, code="IA", channel_id="CIOWA", timezone="America/Denver", now=clock()
        )
        bind_state(session, actor=their_admin, code="NH", channel_id="CTHEIRS", timezone=None, now=clock())
    with two.read_session() as session:
        assert state_for_channel(session, team_id=make.TEAM, channel_id="CIOWA") == "IA"
        assert state_for_channel(session, team_id=OTHER, channel_id="CIOWA") == "IA"
        assert state_for_channel(session, team_id=make.TEAM, channel_id="CTHEIRS") is None
        assert state_timezone(session, team_id=make.TEAM, code="IA") == "America/Chicago"
        assert state_timezone(session, team_id=OTHER, code="IA") == "America/Denver"
    with pytest.raises(Refused), two.session() as session:  # one state per channel, within a workspace
        bind_state(session, actor=their_admin, code="NV", channel_id="CTHEIRS", timezone=None, now=clock())
