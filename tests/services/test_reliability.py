"""The no-show policy: claims from people who missed N shifts in 60 days wait, holding no place,
for the shift's host or a coordinator to accept them. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.deps import Deps
from bot.models import SignupStatus
from bot.services.errors import NotCoordinator, NotShiftRunner, Refused
from bot.services.reliability import accept_claim, noshow_limit, set_noshow_limit
from bot.services.roles import Actor
from bot.services.shifts import (
    cancel_shift,
    claim_shift,
    confirm_signup,
    get_shift,
    mark_attendance,
    my_shifts,
    release_signup,
    remove_signup,
    roster,
)
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member

COORD = Actor(TEAM, "UCOORD", is_admin=False)
HOST = Actor(TEAM, "UHOST", is_admin=False)


def claim(deps: Deps, shift_id: int, user: str = "UVOL1"):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        make.volunteer(session, user, deps.clock())
    with deps.session() as session:
        return claim_shift(session, shift_id=shift_id, who=member(user), now=deps.clock())


def miss(deps: Deps, clock: Clock, user: str, times: int, *, state: str = "IA", days_ago: int = 1) -> None:
    """`user` no-showed `times` shifts that started `days_ago` days before the clock."""
    with deps.session() as session:
        make.volunteer(session, user, clock())
        for n in range(times):
            shift_id = make.shift(session, clock(), state=state, days_ahead=-days_ago, start=time(8 + n))
            signup_id = make.signup(session, shift_id, user, clock(), SignupStatus.CLAIMED)
            mark_attendance(
                session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.NO_SHOW, now=clock()
            )


@pytest.fixture
def iowa(deps: Deps, clock: Clock) -> int:
    """Iowa with the policy at 2 no-shows; a shift of two places in two days, hosted by UHOST."""
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
        make.volunteer(session, "UHOST", clock())
        shift_id = make.shift(session, clock(), capacity=2, host="UHOST")
        set_noshow_limit(session, actor=COORD, state="IA", limit=2, now=clock())
    return shift_id


def test_the_policy_is_off_until_a_coordinator_sets_it(deps: Deps, clock: Clock) -> None:
    miss(deps, clock, "UVOL1", 3)
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
        shift_id = make.shift(session, clock())
    with deps.read_session() as session:
        assert noshow_limit(session, actor=COORD, state="IA") is None
    assert claim(deps, shift_id).signup.status == SignupStatus.CLAIMED


def test_claims_from_people_with_recent_no_shows_wait_holding_no_place(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    miss(deps, clock, "UVOL1", 2)
    held = claim(deps, iowa)
    assert held.signup.status == SignupStatus.PENDING and held.signup.waitlist_position is None
    assert held.signup.shift.held == 0 and held.signup.shift.waiting == 0
    assert claim(deps, iowa, "UVOL2").signup.status == SignupStatus.CLAIMED
    assert claim(deps, iowa, "UVOL3").signup.status == SignupStatus.CLAIMED  # both places taken
    with deps.read_session() as session:
        shift = get_shift(session, iowa, team_id=None)
        assert (shift.held, shift.waiting) == (2, 0)
        assert [s.status for s in my_shifts(session, who=member("UVOL1"), now=clock())] == [
            SignupStatus.PENDING
        ]
    again = claim(deps, iowa)
    assert again.already and again.signup.status == SignupStatus.PENDING


def test_one_no_show_old_ones_and_other_states_do_not_count(deps: Deps, clock: Clock, iowa: int) -> None:
    miss(deps, clock, "UVOL1", 1)
    miss(deps, clock, "UVOL2", 2, days_ago=61)
    miss(deps, clock, "UVOL3", 2, state="NH")
    for user in ("UVOL1", "UVOL2"):
        assert claim(deps, iowa, user).signup.status == SignupStatus.CLAIMED
    with deps.session() as session:
        set_noshow_limit(session, actor=COORD, state="IA", limit=3, now=clock())
        shift_id = make.shift(session, clock(), days_ahead=3)
    assert claim(deps, shift_id, "UVOL3").signup.status == SignupStatus.CLAIMED


def test_the_host_accepts_a_held_claim_into_a_free_place(deps: Deps, clock: Clock, iowa: int) -> None:
    miss(deps, clock, "UVOL1", 2)
    held = claim(deps, iowa)
    with deps.session() as session:
        accepted = accept_claim(session, actor=HOST, signup_id=held.signup.id, now=clock())
    assert not accepted.already and accepted.signup.status == SignupStatus.CLAIMED
    assert accepted.signup.shift.held == 1
    with deps.session() as session:
        twice = accept_claim(session, actor=COORD, signup_id=held.signup.id, now=clock())
    assert twice.already and twice.signup.status == SignupStatus.CLAIMED
    with deps.session() as session:
        assert (
            confirm_signup(session, shift_id=iowa, who=member("UVOL1"), now=clock()).signup.status
            == "confirmed"
        )


def test_accepting_when_full_joins_the_end_of_the_waitlist(deps: Deps, clock: Clock, iowa: int) -> None:
    miss(deps, clock, "UVOL1", 2)
    held = claim(deps, iowa)
    for user in ("UVOL2", "UVOL3", "UVOL4"):
        claim(deps, iowa, user)
    with deps.session() as session:
        accepted = accept_claim(session, actor=COORD, signup_id=held.signup.id, now=clock())
    assert accepted.signup.status == SignupStatus.WAITLISTED and accepted.signup.waitlist_position == 2


def test_only_the_shifts_host_or_its_coordinators_accept(deps: Deps, clock: Clock, iowa: int) -> None:
    miss(deps, clock, "UVOL1", 2)
    held = claim(deps, iowa)
    with deps.session() as session:
        make.volunteer(session, "UHOST2", clock())
        make.shift(session, clock(), host="UHOST2")
        make.coordinator(session, "UCOORDNH", "NH", clock())
        make.trusted_host(session, "UTRUST", "IA", clock())
    for who in ("UVOL2", "UHOST2", "UCOORDNH", "UTRUST"):
        with pytest.raises(NotShiftRunner) as refused, deps.session() as session:
            accept_claim(
                session, actor=Actor(TEAM, who, is_admin=False), signup_id=held.signup.id, now=clock()
            )
        assert refused.value.host_id == "UHOST" and refused.value.coordinator_ids == ("UCOORD",)
    with deps.read_session() as session:
        assert get_shift(session, iowa, team_id=None).held == 0


def test_a_held_claim_can_be_withdrawn_removed_or_cancelled_but_not_confirmed(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    miss(deps, clock, "UVOL1", 2)
    miss(deps, clock, "UVOL2", 2)
    mine, theirs = claim(deps, iowa), claim(deps, iowa, "UVOL2")
    with pytest.raises(Refused) as refused, deps.session() as session:
        confirm_signup(session, shift_id=iowa, who=member("UVOL1"), now=clock())
    assert "waiting for its host or a coordinator" in refused.value.message
    clock.now = mine.signup.shift.starts_at - timedelta(hours=1)  # inside the release cutoff
    with deps.session() as session:
        withdrawn = release_signup(session, shift_id=iowa, who=member("UVOL1"), now=clock())
        assert withdrawn.signup.status == SignupStatus.RELEASED and withdrawn.promoted is None
    with deps.session() as session:
        view = roster(session, actor=COORD, shift_id=iowa, now=clock())
        assert [(e.user_id, e.status) for e in view.entries] == [("UVOL2", SignupStatus.PENDING)]
        removed = remove_signup(session, actor=COORD, signup_id=theirs.signup.id, now=clock())
        assert removed.changed and removed.signup.status == SignupStatus.REMOVED
    claim_again = claim(deps, iowa, "UVOL3")
    with deps.session() as session:
        make.volunteer(session, "UVOL4", clock())
    miss(deps, clock, "UVOL4", 2)
    held = claim(deps, iowa, "UVOL4")
    assert held.signup.status == SignupStatus.PENDING and claim_again.signup.status == SignupStatus.CLAIMED
    with deps.session() as session:
        preview = cancel_shift(session, actor=COORD, shift_id=iowa, now=clock(), dry_run=True)
    assert make.member("UVOL4") in preview.notify  # everyone on the shift hears of a cancellation
    with deps.session() as session:
        cancel_shift(session, actor=COORD, shift_id=iowa, now=clock())
    with pytest.raises(Refused), deps.session() as session:
        accept_claim(session, actor=COORD, signup_id=held.signup.id, now=clock())


def test_a_claim_is_not_accepted_once_the_shift_has_started(deps: Deps, clock: Clock, iowa: int) -> None:
    miss(deps, clock, "UVOL1", 2)
    held = claim(deps, iowa)
    with pytest.raises(Refused) as refused, deps.session() as session:
        accept_claim(session, actor=COORD, signup_id=held.signup.id, now=held.signup.shift.starts_at)
    assert "already started" in refused.value.message


def test_the_roster_flags_two_no_shows_and_lists_held_claims_last(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    miss(deps, clock, "UVOL1", 2)
    miss(deps, clock, "UVOL2", 1)
    claim(deps, iowa)
    claim(deps, iowa, "UVOL2")
    with deps.read_session() as session:
        view = roster(session, actor=COORD, shift_id=iowa, now=clock())
    assert [(e.user_id, e.status, e.flagged) for e in view.entries] == [
        ("UVOL2", SignupStatus.CLAIMED, False),
        ("UVOL1", SignupStatus.PENDING, True),
    ]


def test_only_coordinators_set_the_policy_within_its_range(deps: Deps, clock: Clock, iowa: int) -> None:
    with pytest.raises(NotCoordinator), deps.session() as session:
        set_noshow_limit(session, actor=HOST, state="IA", limit=None, now=clock())
    with pytest.raises(Refused), deps.session() as session:
        set_noshow_limit(session, actor=COORD, state="IA", limit=0, now=clock())
    with deps.session() as session:
        set_noshow_limit(session, actor=make.ADMIN, state="IA", limit=None, now=clock())
    with deps.read_session() as session:
        assert noshow_limit(session, actor=COORD, state="IA") is None
