"""The claim loop's rules, straight against the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.blocks.refusals import refusal_text
from bot.deps import Deps
from bot.models import Signup, SignupStatus
from bot.services import shifts
from bot.services.errors import NotFound, Refused
from bot.services.shifts import (
    ClaimResult,
    cancel_shift,
    claim_shift,
    confirm_signup,
    mark_attendance,
    my_shifts,
    release_signup,
    remove_signup,
    roster,
)
from tests import factories as make
from tests.conftest import Clock
from tests.factories import member


def setup_shift(deps: Deps, capacity: int = 2, users: int = 4, **kwargs: object) -> int:
    with deps.session() as session:
        for n in range(1, users + 1):
            make.volunteer(session, f"UVOL{n}", deps.clock())
        return make.shift(session, deps.clock(), capacity=capacity, **kwargs)  # type: ignore[arg-type]


def claim(deps: Deps, shift_id: int, user: str):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        return claim_shift(session, shift_id=shift_id, who=member(user), now=deps.clock())


def test_claims_fill_places_then_the_waitlist_in_order(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=2)
    results = [claim(deps, shift_id, f"UVOL{n}") for n in range(1, 5)]
    assert [r.signup.status for r in results] == ["claimed", "claimed", "waitlisted", "waitlisted"]
    assert [r.signup.waitlist_position for r in results] == [None, None, 1, 2]
    assert results[-1].signup.shift.held == 2 and results[-1].signup.shift.waiting == 2


def test_a_claims_fill_reads_indexes_not_the_waiting_rows(deps: Deps) -> None:
    """The places held, the waitlist's length and its last place in line are each read from an
    index that holds all it needs, so a claim on a shift with hundreds waiting visits none of
    their rows (SQLite: every search a covering index; PostgreSQL, its planner kept off table
    scans as it would be on a large table: the last place read from the waitlist's order)."""
    waiting = 400
    shift_id = setup_shift(deps, capacity=1, users=1)
    claim(deps, shift_id, "UVOL1")
    now = deps.clock()
    with deps.session() as session:
        for n in range(waiting):
            make.volunteer(session, f"UWAIT{n}", now)
        session.add_all(
            Signup(
                team_id=make.TEAM,
                shift_id=shift_id,
                volunteer_id=f"UWAIT{n}",
                status=SignupStatus.WAITLISTED,
                waitlist_seq=n + 1,
                created_at=now,
                updated_at=now,
            )
            for n in range(waiting)
        )
    bind = deps.engine
    fill = str(
        shifts._CLAIM_FILL.statement.params(shift_id=shift_id).compile(
            dialect=bind.dialect, compile_kwargs={"literal_binds": True}
        )
    )
    with bind.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        if bind.dialect.name == "sqlite":
            searches = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {fill}")]
            reads = [read for read in searches if "signup" in read]
            assert len(reads) == 3 and all("USING COVERING INDEX" in read for read in reads), searches
            assert any("ix_signup_shift_seq" in read for read in reads), searches
        else:
            # A reclaim reads the fill above; a first claim, the one statement `_PG_CLAIM`.
            connection.exec_driver_sql("SET enable_seqscan = off")
            claim_values = {"team_id": make.TEAM, "volunteer_id": "UNEW", "state": "IA", "now": now}
            for statement, values in (
                (f"EXPLAIN {fill}", {}),
                (
                    f"EXPLAIN {shifts._PG_CLAIM.statement}",
                    {"shift_id": shift_id, **claim_values, "hold": False},
                ),
            ):
                plan = "\n".join(row[0] for row in connection.execute(sa.text(statement), values))
                assert "Index Only Scan Backward using ix_signup_shift_seq" in plan, plan
        assert tuple(connection.exec_driver_sql(fill).one()) == (1, waiting, waiting)


def test_claiming_twice_finds_the_same_signup(deps: Deps) -> None:
    shift_id = setup_shift(deps)
    first, again = claim(deps, shift_id, "UVOL1"), claim(deps, shift_id, "UVOL1")
    assert not first.already and again.already
    assert again.signup.id == first.signup.id
    with deps.read_session() as session:
        assert len(session.exec(select(Signup)).all()) == 1


def test_release_promotes_the_first_waitlisted(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=1, users=3)
    for n in (1, 2, 3):
        claim(deps, shift_id, f"UVOL{n}")
    with deps.session() as session:
        result = release_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
    assert result.signup.status == "released"
    assert result.promoted is not None and result.promoted.user_id == "UVOL2"
    assert result.promoted.status == "claimed"
    with deps.session() as session:
        assert (
            claim_shift(
                session, shift_id=shift_id, who=member("UVOL3"), now=deps.clock()
            ).signup.waitlist_position
            == 1
        )


def test_release_twice_changes_nothing_more(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=1, users=2)
    claim(deps, shift_id, "UVOL1")
    claim(deps, shift_id, "UVOL2")
    with deps.session() as session:
        release_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
    with deps.session() as session:
        again = release_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
    assert not again.changed and again.promoted is None


def test_reclaim_after_release_reuses_the_row(deps: Deps) -> None:
    shift_id = setup_shift(deps)
    first = claim(deps, shift_id, "UVOL1")
    with deps.session() as session:
        release_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
    again = claim(deps, shift_id, "UVOL1")
    assert again.signup.id == first.signup.id and again.signup.status == "claimed" and not again.already


def test_unclaim_inside_the_cutoff_is_refused_naming_the_coordinator(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
    shift_id = setup_shift(deps)
    claim(deps, shift_id, "UVOL1")
    with deps.read_session() as session:
        starts_at = roster(session, actor=make.ADMIN, shift_id=shift_id, now=clock()).shift.starts_at
    clock.now = starts_at - timedelta(hours=2, minutes=59)
    with pytest.raises(Refused) as refusal, deps.session() as session:
        release_signup(session, shift_id=shift_id, who=member("UVOL1"), now=clock())
    assert refusal.value.coordinator_ids == ("UCOORD",) and refusal.value.hours == 3
    text = refusal_text(refusal.value)
    assert "<@UCOORD>" in text and "3 hours" in text
    clock.now = starts_at - timedelta(hours=3, minutes=1)
    with deps.session() as session:
        assert release_signup(session, shift_id=shift_id, who=member("UVOL1"), now=clock()).changed


def test_waitlisted_may_leave_even_inside_the_cutoff(deps: Deps, clock: Clock) -> None:
    shift_id = setup_shift(deps, capacity=1)
    claim(deps, shift_id, "UVOL1")
    claim(deps, shift_id, "UVOL2")
    with deps.read_session() as session:
        starts_at = roster(session, actor=make.ADMIN, shift_id=shift_id, now=clock()).shift.starts_at
    clock.now = starts_at - timedelta(minutes=30)
    with deps.session() as session:
        result = release_signup(session, shift_id=shift_id, who=member("UVOL2"), now=clock())
    assert result.signup.status == "released" and result.promoted is None


def test_confirm_once_and_waitlisted_cannot_confirm(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=1)
    claim(deps, shift_id, "UVOL1")
    claim(deps, shift_id, "UVOL2")
    with deps.session() as session:
        first = confirm_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
        again = confirm_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
    assert first.signup.status == "confirmed" and not first.already and again.already
    with pytest.raises(Refused, match="waitlist"), deps.session() as session:
        confirm_signup(session, shift_id=shift_id, who=member("UVOL2"), now=deps.clock())


def test_unknown_cancelled_and_started_shifts_are_refused(deps: Deps, clock: Clock) -> None:
    shift_id = setup_shift(deps)
    with pytest.raises(NotFound, match="no shift #999"), deps.session() as session:
        claim_shift(session, shift_id=999, who=member("UVOL1"), now=clock())
    with deps.session() as session:
        cancel_shift(session, actor=make.ADMIN, shift_id=shift_id, now=clock())
    with pytest.raises(Refused, match="cancelled"), deps.session() as session:
        claim_shift(session, shift_id=shift_id, who=member("UVOL1"), now=clock())
    later = setup_shift(deps, days_ahead=1)
    clock.advance(days=3)
    with pytest.raises(Refused, match="already started"), deps.session() as session:
        claim_shift(session, shift_id=later, who=member("UVOL1"), now=clock())


def test_cancel_lists_everyone_to_tell_once(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=1, users=3)
    for n in (1, 2):
        claim(deps, shift_id, f"UVOL{n}")
    with deps.session() as session:
        first = cancel_shift(session, actor=make.ADMIN, shift_id=shift_id, now=deps.clock())
        again = cancel_shift(session, actor=make.ADMIN, shift_id=shift_id, now=deps.clock())
    assert sorted(who.user_id for who in first.notify) == ["UVOL1", "UVOL2"] and not first.already
    assert again.already and again.notify == []
    with deps.read_session() as session:
        assert my_shifts(session, who=member("UVOL1"), now=deps.clock()) == []


def test_coordinators_act_only_on_their_states(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        nh = make.coordinator(session, "UCOORD", "NH", clock())
    shift_id = setup_shift(deps)
    with pytest.raises(Refused, match=r"no one coordinates IA"), deps.session() as session:
        cancel_shift(session, actor=nh, shift_id=shift_id, now=clock())
    with pytest.raises(Refused), deps.session() as session:
        roster(session, actor=nh, shift_id=shift_id, now=clock())


def test_attendance_opens_an_hour_before_and_can_be_corrected(deps: Deps, clock: Clock) -> None:
    shift_id = setup_shift(deps)
    signup_id = claim(deps, shift_id, "UVOL1").signup.id
    with pytest.raises(Refused, match="opens an hour"), deps.session() as session:
        mark_attendance(
            session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.ATTENDED, now=clock()
        )
    with deps.read_session() as session:
        starts_at = roster(session, actor=make.ADMIN, shift_id=shift_id, now=clock()).shift.starts_at
    clock.now = starts_at + timedelta(hours=4)
    with deps.session() as session:
        mark_attendance(
            session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.ATTENDED, now=clock()
        )
        fixed = mark_attendance(
            session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.NO_SHOW, now=clock()
        )
    assert fixed.status == "no_show"


def test_coordinator_removal_promotes_and_is_idempotent(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=1)
    signup_id = claim(deps, shift_id, "UVOL1").signup.id
    claim(deps, shift_id, "UVOL2")
    with deps.session() as session:
        first = remove_signup(session, actor=make.ADMIN, signup_id=signup_id, now=deps.clock())
        again = remove_signup(session, actor=make.ADMIN, signup_id=signup_id, now=deps.clock())
    assert first.signup.status == "removed" and first.promoted and first.promoted.user_id == "UVOL2"
    assert not again.changed and again.promoted is None


@pytest.mark.parametrize("round_", range(3))
def test_last_slot_race_never_overbooks(deps: Deps, round_: int) -> None:
    """30 volunteers claim a 5-place shift at once: 5 hold places, 25 wait in arrival order."""
    shift_id = setup_shift(deps, capacity=5, users=30)
    barrier = threading.Barrier(30)
    errors: list[BaseException] = []

    def go(n: int) -> None:
        try:
            barrier.wait()
            claim(deps, shift_id, f"UVOL{n}")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=go, args=(n,)) for n in range(1, 31)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with deps.read_session() as session:
        signups = session.exec(select(Signup).where(Signup.shift_id == shift_id)).all()
    held = [s for s in signups if s.status == SignupStatus.CLAIMED]
    waiting = sorted(
        (s for s in signups if s.status == SignupStatus.WAITLISTED), key=lambda s: s.waitlist_seq or 0
    )
    assert len(held) == 5 and len(waiting) == 25
    assert [s.waitlist_seq for s in waiting] == list(range(1, 26))
    # Arrival order: the waitlist is in the order the claims were written.
    assert [s.id for s in waiting] == sorted(s.id for s in waiting)
    assert max(s.id for s in held) < min(s.id for s in waiting)


def race(deps: Deps, shift_id: int, users: list[str]) -> list[ClaimResult]:
    barrier = threading.Barrier(len(users))
    results: list[ClaimResult] = []
    errors: list[BaseException] = []

    def go(user: str) -> None:
        try:
            barrier.wait()
            results.append(claim(deps, shift_id, user))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=go, args=(user,)) for user in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_fifty_racing_for_five_places_never_overbook(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=5, users=50)
    results = race(deps, shift_id, [f"UVOL{n}" for n in range(1, 51)])
    with deps.read_session() as session:
        statuses = session.exec(select(Signup.status).where(Signup.shift_id == shift_id)).all()
    assert statuses.count(SignupStatus.CLAIMED) == 5 and statuses.count(SignupStatus.WAITLISTED) == 45
    positions = sorted(r.signup.waitlist_position or 0 for r in results if r.signup.status == "waitlisted")
    assert positions == list(range(1, 46))
    # Each answer's fill counts the claim it answers.
    assert max(r.signup.shift.held for r in results) == 5


def test_one_person_claiming_many_times_at_once_gets_one_signup(deps: Deps) -> None:
    shift_id = setup_shift(deps, capacity=5, users=1)
    results = race(deps, shift_id, ["UVOL1"] * 8)
    assert len({r.signup.id for r in results}) == 1
    assert sum(not r.already for r in results) == 1
    with deps.read_session() as session:
        assert len(session.exec(select(Signup).where(Signup.shift_id == shift_id)).all()) == 1
