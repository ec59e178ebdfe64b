"""Hosting's rules: who publishes and who proposes, deciding a proposal exactly once (also when
two coordinators decide at the same moment), trusted hosts and the leads channel."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from bot.blocks.refusals import refusal_text
from bot.deps import Deps
from bot.models import Engagement, Shift, ShiftKind, ShiftStatus, Signup, SignupStatus, State, TrustedHost
from bot.services.errors import (
    ChannelTaken,
    LeadsChannelTaken,
    NotCoordinator,
    NotFound,
    NotTrustedHost,
    Refused,
)
from bot.services.hosting import (
    MAX_PENDING_PROPOSALS,
    Decision,
    decide_proposal,
    grant_trusted_host,
    host_shift,
    list_proposals,
    proposal_view,
    revoke_trusted_host,
    set_leads_channel,
)
from bot.services.roles import Actor
from bot.services.shifts import NewShift, cancel_shift, claim_shift, list_open_shifts, mark_attendance
from bot.services.states import bind_state, leads_targets
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member

ANA = Actor(TEAM, "UVOL1", is_admin=False)
BEN = Actor(TEAM, "UVOL2", is_admin=False)
CORA = Actor(TEAM, "UCOORD", is_admin=False)
CORA2 = Actor(TEAM, "UCOORD2", is_admin=False)
NORA = Actor(TEAM, "UNH", is_admin=False)  # coordinates New Hampshire only


def spec(day: date = date(2026, 11, 28), *, state: str = "IA", location: str = "Ana's porch") -> NewShift:
    return NewShift(state, day, time(10), time(13), ShiftKind.CANVASS, 8, location)


def people(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        for user in ("UVOL1", "UVOL2", "UVOL3"):
            make.volunteer(session, user, clock())
        make.coordinator(session, "UCOORD", "IA", clock())
        make.coordinator(session, "UCOORD2", "IA", clock())
        make.coordinator(session, "UNH", "NH", clock())


def propose(deps: Deps, clock: Clock, actor: Actor = ANA, **kw: object) -> int:
    with deps.session() as session:
        hosted = host_shift(session, actor=actor, spec=spec(**kw), now=clock())  # type: ignore[arg-type]
    assert hosted.created and not hosted.published
    return hosted.shift.id


def status_of(deps: Deps, shift_id: int) -> ShiftStatus:
    with deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        return shift.status


def test_a_volunteers_shift_is_a_proposal_never_listed_nor_claimable(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    with deps.session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None and shift.host_id == "UVOL1" and shift.status == ShiftStatus.PROPOSED
        listing = list_open_shifts(
            session, who=member("UVOL2"), state="IA", window=None, kind=None, now=clock(), limit=None
        )
        assert listing.total == 0
    with pytest.raises(NotFound) as refused, deps.session() as session:
        claim_shift(session, shift_id=shift_id, who=member("UVOL2"), now=clock())
    assert f"There is no shift #{shift_id}" in refused.value.message


@pytest.mark.parametrize(
    ("actor", "published"),
    [
        (ANA, False),  # a volunteer
        (NORA, False),  # a coordinator of another state is a volunteer in Iowa
        (Actor(TEAM, "UTRUST", is_admin=False), True),  # a trusted host in Iowa
        (CORA, True),  # a coordinator of Iowa
        (make.ADMIN, True),
    ],
)
def test_who_publishes_at_once_and_who_proposes(
    deps: Deps, clock: Clock, actor: Actor, published: bool
) -> None:
    people(deps, clock)
    with deps.session() as session:
        make.volunteer(session, "UTRUST", clock())
        grant_trusted_host(session, actor=CORA, user_id="UTRUST", state="IA", now=clock())
    with deps.session() as session:
        hosted = host_shift(session, actor=actor, spec=spec(), now=clock())
    assert hosted.published is published and hosted.shift.host_id == actor.user_id
    assert status_of(deps, hosted.shift.id) == (ShiftStatus.OPEN if published else ShiftStatus.PROPOSED)


def test_the_same_submission_twice_hosts_one_shift(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    with deps.session() as session:
        first = host_shift(session, actor=ANA, spec=spec(), now=clock(), source_key="view-1")
    with deps.session() as session:
        again = host_shift(session, actor=ANA, spec=spec(), now=clock(), source_key="view-1")
    assert first.created and not again.created and again.shift.id == first.shift.id
    with deps.read_session() as session:
        assert len(session.exec(select(Shift)).all()) == 1


def test_a_volunteer_has_at_most_five_proposals_waiting(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    ids = [propose(deps, clock, day=date(2026, 11, 24 + n)) for n in range(MAX_PENDING_PROPOSALS)]
    with pytest.raises(Refused) as refused, deps.session() as session:
        host_shift(session, actor=ANA, spec=spec(date(2026, 12, 5)), now=clock())
    assert "5 proposals waiting" in refused.value.message
    with deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=ids[0], approve=True, now=clock())
    propose(deps, clock, day=date(2026, 12, 5))  # one was decided: room for another


def test_approving_publishes_once_and_a_second_decision_changes_nothing(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    with deps.session() as session:
        won = decide_proposal(session, actor=CORA, shift_id=shift_id, approve=True, now=clock())
    clock.advance(minutes=1)
    with deps.session() as session:
        late = decide_proposal(
            session, actor=CORA2, shift_id=shift_id, approve=False, reason="no", now=clock()
        )
    assert not won.already and won.proposal.approved and won.proposal.decided_by == "UCOORD"
    assert late.already and late.proposal.approved and late.proposal.decided_by == "UCOORD"
    assert late.proposal.decided_at == won.proposal.decided_at
    assert status_of(deps, shift_id) == ShiftStatus.OPEN
    with deps.session() as session:
        claimed = claim_shift(session, shift_id=shift_id, who=member("UVOL2"), now=clock())
    assert claimed.signup.status == SignupStatus.CLAIMED and claimed.signup.shift.host_id == "UVOL1"


def test_declining_keeps_the_reason_and_the_shift_stays_unlisted(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    with deps.session() as session:
        decision = decide_proposal(
            session,
            actor=CORA,
            shift_id=shift_id,
            approve=False,
            reason="We canvass there already",
            now=clock(),
        )
    assert decision.proposal.declined and decision.proposal.reason == "We canvass there already"
    with deps.session() as session:
        again = decide_proposal(session, actor=CORA, shift_id=shift_id, approve=True, now=clock())
    assert again.already and again.proposal.declined
    assert status_of(deps, shift_id) == ShiftStatus.DECLINED
    with pytest.raises(NotFound), deps.session() as session:
        claim_shift(session, shift_id=shift_id, who=member("UVOL2"), now=clock())


@pytest.mark.parametrize("round_", range(3))
def test_two_coordinators_deciding_at_once_record_exactly_one_decision(
    deps: Deps, clock: Clock, round_: int
) -> None:
    """Cora approves while Cody declines, at the same instant: one decision is recorded, and
    both are told the one that stands."""
    people(deps, clock)
    shift_id = propose(deps, clock)
    barrier = threading.Barrier(2)
    results: dict[str, Decision] = {}
    errors: list[BaseException] = []

    def decide(actor: Actor, approve: bool) -> None:
        try:
            with deps.session() as session:
                barrier.wait()
                results[actor.user_id] = decide_proposal(
                    session, actor=actor, shift_id=shift_id, approve=approve, reason="full", now=clock()
                )
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [
        threading.Thread(target=decide, args=(CORA, True)),
        threading.Thread(target=decide, args=(CORA2, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    winners = [user for user, decision in results.items() if not decision.already]
    assert len(winners) == 1
    (winner,) = winners
    for decision in results.values():
        assert decision.proposal.decided_by == winner
        assert decision.proposal.approved is (winner == "UCOORD")
    with deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None and shift.decided_by == winner and shift.version == 1
        assert shift.status == (ShiftStatus.OPEN if winner == "UCOORD" else ShiftStatus.DECLINED)


@pytest.mark.parametrize("actor", [ANA, BEN, Actor(TEAM, "UTRUST", is_admin=False), NORA])
def test_only_the_states_coordinators_and_admins_decide(deps: Deps, clock: Clock, actor: Actor) -> None:
    """The proposer, another volunteer, a trusted host and another state's coordinator are told who can."""
    people(deps, clock)
    with deps.session() as session:
        make.volunteer(session, "UTRUST", clock())
        grant_trusted_host(session, actor=CORA, user_id="UTRUST", state="IA", now=clock())
    shift_id = propose(deps, clock)
    with pytest.raises(NotCoordinator) as refused, deps.session() as session:
        decide_proposal(session, actor=actor, shift_id=shift_id, approve=True, now=clock())
    assert refused.value.coordinator_ids == ("UCOORD", "UCOORD2")
    assert refused.value.doing == "approve or decline proposals in IA"
    assert status_of(deps, shift_id) == ShiftStatus.PROPOSED
    with deps.session() as session:
        assert decide_proposal(
            session, actor=make.ADMIN, shift_id=shift_id, approve=True, now=clock()
        ).proposal.approved


def test_a_proposal_whose_start_passed_can_only_be_declined(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    with deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        clock.now = shift.starts_at + timedelta(minutes=5)
    with pytest.raises(Refused) as refused, deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=shift_id, approve=True, now=clock())
    assert "can't be approved" in refused.value.message
    with deps.session() as session:
        assert decide_proposal(
            session, actor=CORA, shift_id=shift_id, approve=False, now=clock()
        ).proposal.declined


def test_a_shift_that_never_was_a_proposal_has_nothing_to_decide(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    with deps.session() as session:
        staff = make.shift(session, clock())
        trusted = host_shift(session, actor=CORA, spec=spec(), now=clock()).shift.id
    with pytest.raises(NotFound) as no_proposal, deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=staff, approve=True, now=clock())
    assert f"no proposal #{staff}" in no_proposal.value.message
    with pytest.raises(NotFound) as published, deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=trusted, approve=False, now=clock())
    assert "published without a proposal" in published.value.message
    with pytest.raises(NotFound), deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=9999, approve=True, now=clock())


def test_a_proposal_cancelled_before_a_decision_reads_as_withdrawn(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    with deps.session() as session:
        cancel_shift(session, actor=CORA, shift_id=shift_id, now=clock())
    with deps.session() as session:
        decision = decide_proposal(session, actor=CORA2, shift_id=shift_id, approve=True, now=clock())
    assert decision.already and decision.proposal.withdrawn
    assert status_of(deps, shift_id) == ShiftStatus.CANCELLED


def test_a_declined_proposal_cannot_be_cancelled_into_an_approved_one(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    with deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=shift_id, approve=False, reason="No", now=clock())
    for actor in (ANA, CORA):
        with pytest.raises(Refused, match="was declined"), deps.session() as session:
            cancel_shift(session, actor=actor, shift_id=shift_id, now=clock(), dry_run=True)
        with pytest.raises(Refused, match="was declined"), deps.session() as session:
            cancel_shift(session, actor=actor, shift_id=shift_id, now=clock())
    assert status_of(deps, shift_id) == ShiftStatus.DECLINED
    with deps.session() as session:
        late = decide_proposal(session, actor=CORA2, shift_id=shift_id, approve=True, now=clock())
    assert late.already and late.proposal.declined and not late.proposal.approved


def test_a_proposal_shows_the_hosts_record_in_the_state(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    with deps.session() as session:
        past = make.shift(session, clock(), days_ahead=1)
        earlier = host_shift(session, actor=make.ADMIN, spec=spec(date(2026, 11, 30)), now=clock())
        session.get(Shift, earlier.shift.id).host_id = "UVOL1"  # type: ignore[union-attr]
    with deps.session() as session:
        signup = claim_shift(session, shift_id=past, who=member("UVOL1"), now=clock()).signup
    with deps.read_session() as session:
        shift = session.get(Shift, past)
        assert shift is not None
        clock.now = shift.starts_at
    with deps.session() as session:
        mark_attendance(session, actor=CORA, signup_id=signup.id, status=SignupStatus.ATTENDED, now=clock())
    shift_id = propose(deps, clock, day=date(2026, 12, 1))
    with deps.read_session() as session:
        proposal = proposal_view(session, shift_id, team_id=TEAM)
    assert (proposal.attended, proposal.hosted, proposal.host_id) == (1, 1, "UVOL1")


def test_trusted_hosts_are_granted_and_revoked_by_the_states_coordinators(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    with deps.session() as session:
        assert grant_trusted_host(session, actor=CORA, user_id="UVOL1", state="IA", now=clock())
        assert not grant_trusted_host(session, actor=CORA, user_id="UVOL1", state="IA", now=clock())
    for outsider in (ANA, BEN, NORA):
        with pytest.raises(NotCoordinator) as refused, deps.session() as session:
            grant_trusted_host(session, actor=outsider, user_id="UVOL2", state="IA", now=clock())
        assert refused.value.message.endswith("can make trusted hosts in IA.")  # `doing` is a catalog message
        with pytest.raises(NotCoordinator), deps.session() as session:
            revoke_trusted_host(session, actor=outsider, user_id="UVOL1", state="IA")
    with deps.session() as session:
        revoke_trusted_host(session, actor=make.ADMIN, user_id="UVOL1", state="IA")
    with pytest.raises(NotTrustedHost) as missing, deps.session() as session:
        revoke_trusted_host(session, actor=CORA, user_id="UVOL1", state="IA")
    assert (missing.value.user_id, missing.value.state) == ("UVOL1", "IA")
    with deps.read_session() as session:
        assert session.exec(select(TrustedHost)).all() == []
    propose(deps, clock)  # no longer trusted: a proposal again


def test_the_leads_channel_is_never_a_state_channel_and_serves_one_state(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    with deps.session() as session:
        bind_state(session, actor=make.ADMIN, code="IA", channel_id="CIOWA", timezone=None, now=clock())
        assert leads_targets(session, team_id=TEAM, code="IA") == ["UCOORD", "UCOORD2"]
    with pytest.raises(LeadsChannelTaken) as public, deps.session() as session:
        set_leads_channel(session, actor=CORA, code="IA", channel_id="CIOWA", now=clock())
    assert (public.value.holder, public.value.leads) == ("IA", False)
    with deps.session() as session:
        route = set_leads_channel(session, actor=CORA, code="IA", channel_id="CLEADS", now=clock())
        assert route.channel_id == "CLEADS" and leads_targets(session, team_id=TEAM, code="IA") == ["CLEADS"]
    with pytest.raises(LeadsChannelTaken) as other, deps.session() as session:
        set_leads_channel(session, actor=NORA, code="NH", channel_id="CLEADS", now=clock())
    assert (other.value.holder, other.value.wanted, other.value.leads) == ("IA", "NH", True)
    with pytest.raises(NotCoordinator), deps.session() as session:
        set_leads_channel(session, actor=NORA, code="IA", channel_id=None, now=clock())
    with deps.session() as session:
        set_leads_channel(session, actor=CORA, code="IA", channel_id=None, now=clock())
        assert leads_targets(session, team_id=TEAM, code="IA") == ["UCOORD", "UCOORD2"]
        state = session.get(State, (TEAM, "IA"))
        assert state is not None and state.leads_channel_id is None


def test_a_leads_channel_is_never_bound_as_a_states_volunteer_channel(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    with deps.session() as session:
        set_leads_channel(session, actor=CORA, code="IA", channel_id="CLEADS", now=clock())
    for code in ("IA", "NH"):
        with pytest.raises(ChannelTaken) as taken, deps.session() as session:
            bind_state(session, actor=make.ADMIN, code=code, channel_id="CLEADS", timezone=None, now=clock())
        assert (taken.value.holder, taken.value.wanted, taken.value.leads) == ("IA", code, True)
        said = refusal_text(taken.value)
        assert "<#CLEADS> is IA's leads channel" in said and f"another channel for {code}" in said
    with deps.read_session() as session:
        assert [s.code for s in session.exec(select(State).where(State.channel_id == "CLEADS"))] == []


def test_proposals_are_listed_soonest_first_for_the_callers_states(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    later = propose(deps, clock, day=date(2026, 11, 30))
    sooner = propose(deps, clock, day=date(2026, 11, 25))
    in_nh = propose(deps, clock, actor=BEN, state="NH")
    with deps.session() as session:
        decided = propose(deps, clock, actor=BEN, day=date(2026, 11, 26))
        decide_proposal(session, actor=CORA, shift_id=decided, approve=False, now=clock())
    with deps.read_session() as session:
        mine = list_proposals(session, actor=CORA, state=None, default=None, now=clock())
        everything = list_proposals(session, actor=make.ADMIN, state=None, default=None, now=clock())
        here = list_proposals(session, actor=make.ADMIN, state=None, default="NH", now=clock())
        paged = list_proposals(session, actor=CORA, state="IA", default=None, now=clock(), offset=1, limit=1)
    assert [p.shift.id for p in mine.proposals] == [sooner, later] and mine.state is None
    assert {p.shift.id for p in everything.proposals} == {sooner, later, in_nh}
    assert [p.shift.id for p in here.proposals] == [in_nh] and here.state == "NH"
    assert [p.shift.id for p in paged.proposals] == [later] and paged.total == 2
    with pytest.raises(NotCoordinator) as refused, deps.read_session() as session:
        list_proposals(session, actor=ANA, state=None, default="IA", now=clock())
    assert refused.value.doing == "see IA's proposals"
    with pytest.raises(Refused), deps.read_session() as session:
        list_proposals(session, actor=ANA, state=None, default=None, now=clock())
    with pytest.raises(NotCoordinator), deps.read_session() as session:
        list_proposals(session, actor=NORA, state="IA", default=None, now=clock())
    clock.now += timedelta(days=20)  # all of them have started: nothing is waiting any more
    with deps.read_session() as session:
        assert list_proposals(session, actor=CORA, state="IA", default=None, now=clock()).total == 0


def test_no_signup_is_ever_written_for_a_proposal(deps: Deps, clock: Clock) -> None:
    people(deps, clock)
    shift_id = propose(deps, clock)
    for user in ("UVOL2", "UVOL3"):
        with pytest.raises(NotFound), deps.session() as session:
            claim_shift(session, shift_id=shift_id, who=member(user), now=clock())
    with deps.read_session() as session:
        assert session.exec(select(Signup).where(Signup.shift_id == shift_id)).all() == []


def hosted_count(deps: Deps, user_id: str) -> int | None:
    with deps.read_session() as session:
        row = session.get(Engagement, (TEAM, user_id, "IA"))
        return None if row is None else row.hosted


def test_an_approved_proposal_and_a_trusted_hosts_shift_count_as_hosting(deps: Deps, clock: Clock) -> None:
    """The ladder's `hosted` moves when a hosted shift is published, however it was published."""
    people(deps, clock)
    shift_id = propose(deps, clock)
    assert not hosted_count(deps, "UVOL1")  # a proposal is not hosting yet
    with deps.session() as session:
        decide_proposal(session, actor=CORA, shift_id=shift_id, approve=True, now=clock())
    assert hosted_count(deps, "UVOL1") == 1
    with deps.session() as session:
        grant_trusted_host(session, actor=CORA, user_id="UVOL2", state="IA", now=clock())
    assert hosted_count(deps, "UVOL2") == 0  # on the ladder as soon as they are trusted
    with deps.session() as session:
        assert host_shift(session, actor=BEN, spec=spec(), now=clock()).published
    assert hosted_count(deps, "UVOL2") == 1
