"""Training first: where a state requires one, a claim needs a training attended, recorded, or
held before the shift; a refusal offers the next trainings. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import time

import pytest
from sqlmodel import select

from bot.deps import Deps
from bot.models import Engagement, ShiftKind, Signup, SignupStatus, TrainingRule
from bot.services.errors import NotCoordinator, Refused, TrainingRequired
from bot.services.roles import Actor
from bot.services.shifts import claim_shift, mark_attendance
from bot.services.training import is_trained, record_training, requirements, set_requirement
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member
from tests.handlers.test_hot_paths import recorded

COORD = Actor(TEAM, "UCOORD", is_admin=False)


@pytest.fixture
def iowa(deps: Deps, clock: Clock) -> int:
    """Iowa's coordinator requires a training for canvassing; one canvass in four days."""
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
        for n in range(1, 4):
            make.volunteer(session, f"UVOL{n}", clock())
        canvass = make.shift(session, clock(), days_ahead=4)
    with deps.session() as session:
        assert set_requirement(
            session, actor=COORD, state="IA", kind=ShiftKind.CANVASS, required=True, now=clock()
        )
    return canvass


def training(
    deps: Deps, clock: Clock, *, state: str = "IA", days_ahead: int = 2, start: time = time(10)
) -> int:
    with deps.session() as session:
        return make.shift(
            session, clock(), state=state, days_ahead=days_ahead, start=start, kind=ShiftKind.TRAINING
        )


def claim(deps: Deps, shift_id: int, user: str = "UVOL1"):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        return claim_shift(session, shift_id=shift_id, who=member(user), now=deps.clock())


def test_a_claim_without_training_is_refused_offering_the_next_trainings(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    later = training(deps, clock, days_ahead=3)
    sooner = training(deps, clock, days_ahead=1)
    national = training(deps, clock, state="US", days_ahead=2)
    training(deps, clock, state="NH", days_ahead=1)  # another state's: no use in Iowa
    with pytest.raises(TrainingRequired) as refused:
        claim(deps, iowa)
    assert [t.id for t in refused.value.trainings] == [sooner, national, later]
    assert refused.value.shift_id == iowa and refused.value.kind == ShiftKind.CANVASS
    assert refused.value.coordinator_ids == ("UCOORD",)
    with deps.read_session() as session:  # nothing written: no signup, no place on the ladder
        assert session.exec(select(Signup)).all() == []
        assert session.exec(select(Engagement)).all() == []


def test_the_offer_leaves_out_trainings_already_claimed_or_started(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    after = training(deps, clock, days_ahead=5)  # ends after the canvass starts: doesn't count yet
    claim(deps, after)
    started = training(deps, clock, days_ahead=0, start=time(8))
    with pytest.raises(TrainingRequired) as refused:
        claim(deps, iowa)
    assert after not in [t.id for t in refused.value.trainings]
    assert started not in [t.id for t in refused.value.trainings]


def test_holding_a_place_on_a_training_that_ends_before_the_shift_is_enough(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    claim(deps, training(deps, clock, days_ahead=2))
    assert claim(deps, iowa).signup.status == SignupStatus.CLAIMED


def test_a_waitlisted_place_on_a_training_is_not_enough(deps: Deps, clock: Clock, iowa: int) -> None:
    with deps.session() as session:
        full = make.shift(session, clock(), days_ahead=2, kind=ShiftKind.TRAINING, capacity=1)
    claim(deps, full, "UVOL2")
    assert claim(deps, full).signup.status == SignupStatus.WAITLISTED
    with pytest.raises(TrainingRequired):
        claim(deps, iowa)


def test_a_training_attended_in_the_state_or_nationally_counts(deps: Deps, clock: Clock, iowa: int) -> None:
    for user, state in (("UVOL1", "IA"), ("UVOL2", "US")):
        took = claim(deps, training(deps, clock, state=state, days_ahead=1), user)
        with deps.session() as session:
            mark_attendance(
                session, actor=make.ADMIN, signup_id=took.signup.id, status=SignupStatus.ATTENDED,
                now=took.signup.shift.starts_at,
            )  # fmt: skip
    assert claim(deps, iowa, "UVOL1").signup.status == SignupStatus.CLAIMED
    assert claim(deps, iowa, "UVOL2").signup.status == SignupStatus.CLAIMED


def test_a_training_missed_or_in_another_state_does_not_count(deps: Deps, clock: Clock, iowa: int) -> None:
    for state, status in (("IA", SignupStatus.NO_SHOW), ("NH", SignupStatus.ATTENDED)):
        took = claim(deps, training(deps, clock, state=state, days_ahead=1))
        with deps.session() as session:
            mark_attendance(
                session,
                actor=make.ADMIN,
                signup_id=took.signup.id,
                status=status,
                now=took.signup.shift.starts_at,
            )
    with pytest.raises(TrainingRequired):
        claim(deps, iowa)


def test_a_recorded_training_counts_in_its_state_and_a_national_one_everywhere(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    with deps.session() as session:
        assert record_training(session, actor=COORD, user_id="UVOL1", state="IA", now=clock())
        assert not record_training(session, actor=COORD, user_id="UVOL1", state="IA", now=clock())
        record_training(session, actor=make.ADMIN, user_id="UVOL2", state="US", now=clock())
        record_training(session, actor=make.ADMIN, user_id="UVOL3", state="NH", now=clock())
    assert claim(deps, iowa, "UVOL1").signup.status == SignupStatus.CLAIMED
    assert claim(deps, iowa, "UVOL2").signup.status == SignupStatus.CLAIMED
    with pytest.raises(TrainingRequired):
        claim(deps, iowa, "UVOL3")


def test_other_kinds_and_states_are_not_gated_and_none_lifts_the_rule(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    with deps.session() as session:
        phones = make.shift(session, clock(), kind=ShiftKind.PHONEBANK)
        nh = make.shift(session, clock(), state="NH")
    assert claim(deps, phones).signup.status == SignupStatus.CLAIMED
    assert claim(deps, nh).signup.status == SignupStatus.CLAIMED
    with deps.session() as session:
        assert set_requirement(
            session, actor=COORD, state="IA", kind=ShiftKind.CANVASS, required=False, now=clock()
        )
        assert not set_requirement(
            session, actor=COORD, state="IA", kind=ShiftKind.CANVASS, required=False, now=clock()
        )
    assert claim(deps, iowa).signup.status == SignupStatus.CLAIMED


def test_a_place_taken_before_the_rule_is_kept(deps: Deps, clock: Clock, iowa: int) -> None:
    with deps.session() as session:
        set_requirement(session, actor=COORD, state="IA", kind=ShiftKind.CANVASS, required=False, now=clock())
    first = claim(deps, iowa)
    with deps.session() as session:
        set_requirement(session, actor=COORD, state="IA", kind=ShiftKind.CANVASS, required=True, now=clock())
    again = claim(deps, iowa)
    assert again.already and again.signup.id == first.signup.id


def test_only_a_states_coordinators_set_its_rules_and_record_trainings(
    deps: Deps, clock: Clock, iowa: int
) -> None:
    volunteer = Actor(TEAM, "UVOL1", is_admin=False)
    with deps.session() as session:
        other = make.coordinator(session, "UCOORDNH", "NH", clock())
    for actor in (volunteer, other):
        with pytest.raises(NotCoordinator) as refused, deps.session() as session:
            set_requirement(
                session, actor=actor, state="IA", kind=ShiftKind.EVENT, required=True, now=clock()
            )
        assert refused.value.coordinator_ids == ("UCOORD",)
        with pytest.raises(NotCoordinator), deps.session() as session:
            record_training(session, actor=actor, user_id="UVOL2", state="IA", now=clock())
        with pytest.raises(NotCoordinator), deps.session() as session:
            requirements(session, actor=actor, state="IA")
    with deps.read_session() as session:
        assert [r.kind for r in session.exec(select(TrainingRule))] == [ShiftKind.CANVASS]
        assert not is_trained(session, who=member("UVOL2"), state="IA", before=clock())


def test_a_training_never_requires_a_training(deps: Deps, clock: Clock, iowa: int) -> None:
    with pytest.raises(Refused), deps.session() as session:
        set_requirement(session, actor=COORD, state="IA", kind=ShiftKind.TRAINING, required=True, now=clock())
    with deps.read_session() as session:
        assert requirements(session, actor=COORD, state="IA") == [ShiftKind.CANVASS]


def test_the_gate_rides_on_the_claims_own_read_of_the_state(deps: Deps, clock: Clock) -> None:
    """With no rule in the state, a claim reads the state's row once, with the shift, and nothing
    else of the gate's; a first signup also writes the ladder's row, once."""
    with deps.session() as session:
        for n in (1, 2):
            make.volunteer(session, f"UVOL{n}", clock())
        shift_id = make.shift(session, clock())
    # Every statement, those run straight on the driver (`Prepared`) too.
    with recorded(deps.engine) as seen:
        claim(deps, shift_id)
    assert len([s for s in seen if " join state " in s]) == 1, seen
    # (the read's own check that a shift of another organization is shared with the claimer's
    # workspace is a subquery on the claimer's state row, not the gate's)
    assert not [s for s in seen if " from state " in s + " " and "shared_state" not in s], seen
    reads = [s for s in seen if s.startswith("select")]
    assert not any("trainingrecord" in s or "no_show" in s for s in reads), reads
    assert len([s for s in seen if "insert into engagement" in s]) == 1
