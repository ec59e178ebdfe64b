"""Changing a published shift, straight against the services, on SQLite and PostgreSQL: edit,
repeat weekly, cancel the rest of a series, and put someone on it (a call-in or a walk-in)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.deps import Deps
from bot.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
    TrustedHost,
)
from bot.services.editing import (
    MAX_REPEAT,
    Repeat,
    ShiftChanges,
    add_to_shift,
    cancel_series,
    edit_shift,
    repeat_shift,
)
from bot.services.errors import CapacityBelowHeld, NotCoordinator, NotFound, NotShiftRunner, Refused
from bot.services.roles import Actor
from bot.services.shifts import InvalidShift, cancel_shift, claim_shift, confirm_signup, get_shift
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member

CORA = Actor(TEAM, "UCOORD", is_admin=False)
HOST = Actor(TEAM, "UHOST", is_admin=False)
CHICAGO = "America/Chicago"


def local(instant: datetime) -> datetime:
    return instant.astimezone(ZoneInfo(CHICAGO))


def setup(deps: Deps, *, capacity: int = 2, users: int = 4, host: str | None = None, **kwargs: object) -> int:
    """A coordinator for IA, volunteers UVOL1.., and one IA shift (hosted by `host` if given)."""
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", deps.clock())
        make.volunteer(session, "UHOST", deps.clock())
        for n in range(1, users + 1):
            make.volunteer(session, f"UVOL{n}", deps.clock())
        shift_id = make.shift(session, deps.clock(), capacity=capacity, **kwargs)  # type: ignore[arg-type]
        if host:
            row = session.get(Shift, shift_id)
            assert row is not None
            row.host_id = host
            session.add(row)
    return shift_id


def claim(deps: Deps, shift_id: int, *users: str) -> None:
    for user in users:
        with deps.session() as session:
            claim_shift(session, shift_id=shift_id, who=member(user), now=deps.clock())


def statuses(deps: Deps, shift_id: int) -> dict[str, SignupStatus]:
    with deps.read_session() as session:
        rows = session.exec(select(Signup).where(Signup.shift_id == shift_id)).all()
    return {s.volunteer_id: s.status for s in rows}


def edit(deps: Deps, shift_id: int, actor: Actor = CORA, **changes: object):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        return edit_shift(
            session,
            actor=actor,
            shift_id=shift_id,
            changes=ShiftChanges(**changes),
            now=deps.clock(),  # type: ignore[arg-type]
        )


def shift_row(deps: Deps, shift_id: int) -> Shift:
    with deps.read_session() as session:
        row = session.get(Shift, shift_id)
    assert row is not None
    return row


# ---------------------------------------------------------------- edit


def test_moving_a_shift_keeps_its_local_times_and_tells_everyone_on_it(deps: Deps) -> None:
    shift_id = setup(deps, capacity=1)
    claim(deps, shift_id, "UVOL1", "UVOL2")
    with deps.session() as session:
        confirm_signup(session, shift_id=shift_id, who=member("UVOL1"), now=deps.clock())
    result = edit(deps, shift_id, day=date(2026, 11, 29), location="Ames library")
    assert result.changed == ("date", "location")
    assert local(result.shift.starts_at).replace(tzinfo=None) == datetime(2026, 11, 29, 10, 0)
    assert local(result.before.starts_at).date() == date(2026, 11, 24)
    assert sorted(s.user_id for s in result.told) == ["UVOL1", "UVOL2"]
    # A confirmation was for the old day: it is asked for again.
    assert statuses(deps, shift_id) == {"UVOL1": SignupStatus.CLAIMED, "UVOL2": SignupStatus.WAITLISTED}
    row = shift_row(deps, shift_id)
    assert row.location == "Ames library" and row.version > 0


def test_a_new_time_keeps_the_day_and_is_checked(deps: Deps) -> None:
    shift_id = setup(deps)
    result = edit(deps, shift_id, start=time(14), end=time(17, 30))
    assert result.changed == ("time",)
    assert local(result.shift.starts_at).replace(tzinfo=None) == datetime(2026, 11, 24, 14, 0)
    assert local(result.shift.ends_at).replace(tzinfo=None) == datetime(2026, 11, 24, 17, 30)
    with pytest.raises(InvalidShift, match="in the past"), deps.session() as session:
        edit_shift(
            session,
            actor=CORA,
            shift_id=shift_id,
            changes=ShiftChanges(day=date(2026, 11, 1)),
            now=deps.clock(),
        )
    with pytest.raises(InvalidShift, match="end after it starts"), deps.session() as session:
        edit_shift(
            session, actor=CORA, shift_id=shift_id, changes=ShiftChanges(end=time(9)), now=deps.clock()
        )


def test_capacity_below_the_places_held_is_refused_naming_who_holds_them(deps: Deps) -> None:
    shift_id = setup(deps, capacity=4)
    claim(deps, shift_id, "UVOL2", "UVOL1", "UVOL3")
    with pytest.raises(CapacityBelowHeld) as refused, deps.session() as session:
        edit_shift(
            session,
            actor=CORA,
            shift_id=shift_id,
            changes=ShiftChanges(capacity=2, location="X"),
            now=deps.clock(),
        )
    assert refused.value.shift_id == shift_id and refused.value.capacity == 2
    assert [user for user, _name in refused.value.holders] == ["UVOL2", "UVOL1", "UVOL3"]
    assert refused.value.holders[0][1] == "uvol2"
    row = shift_row(deps, shift_id)
    assert row.capacity == 4 and row.location != "X"  # nothing written
    assert edit(deps, shift_id, capacity=3).shift.capacity == 3  # down to the places held is fine


def test_raising_capacity_promotes_the_waitlist_in_order(deps: Deps) -> None:
    shift_id = setup(deps, capacity=1, users=5)
    claim(deps, shift_id, "UVOL1", "UVOL2", "UVOL3", "UVOL4")
    result = edit(deps, shift_id, capacity=3)
    assert [s.user_id for s in result.promoted] == ["UVOL2", "UVOL3"]
    assert all(s.status == SignupStatus.CLAIMED for s in result.promoted)
    # A capacity change alone is news only to those it gave a place.
    assert result.told == [] and result.changed == ("capacity",)
    assert statuses(deps, shift_id)["UVOL4"] == SignupStatus.WAITLISTED
    assert result.shift.held == 3 and result.shift.waiting == 1
    with deps.session() as session:
        again = claim_shift(session, shift_id=shift_id, who=member("UVOL5"), now=deps.clock())
    assert again.signup.waitlist_position == 2


def test_an_edit_that_changes_nothing_says_so(deps: Deps) -> None:
    shift_id = setup(deps)
    claim(deps, shift_id, "UVOL1")
    before = shift_row(deps, shift_id)
    result = edit(deps, shift_id, capacity=2, location=before.location)
    assert result.changed == () and result.told == []
    assert shift_row(deps, shift_id).version == before.version


def test_started_cancelled_and_missing_shifts_cannot_be_edited(deps: Deps, clock: Clock) -> None:
    shift_id = setup(deps)
    with pytest.raises(NotFound, match="no shift #999"):
        edit(deps, 999, capacity=3)
    clock.now = shift_row(deps, shift_id).starts_at + timedelta(minutes=1)
    with pytest.raises(Refused, match="already started"):
        edit(deps, shift_id, capacity=3)
    clock.now = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
    with deps.session() as session:
        cancel_shift(session, actor=CORA, shift_id=shift_id, now=clock())
    with pytest.raises(Refused, match="cancelled"):
        edit(deps, shift_id, capacity=3)


def test_a_host_edits_their_own_shift_and_nobody_elses(deps: Deps) -> None:
    hosted = setup(deps, host="UHOST")
    with deps.session() as session:
        other = make.shift(session, deps.clock(), days_ahead=3)
    assert edit(deps, hosted, HOST, capacity=6).shift.capacity == 6
    with pytest.raises(NotShiftRunner) as refused:
        edit(deps, other, HOST, capacity=6)
    assert refused.value.coordinator_ids == ("UCOORD",) and refused.value.host_id is None
    with pytest.raises(NotShiftRunner) as stranger:
        edit(deps, hosted, Actor(TEAM, "UVOL1", is_admin=False), capacity=7)
    assert stranger.value.host_id == "UHOST"


def test_moving_a_shift_lets_its_reminders_go_out_again_at_the_new_time(deps: Deps) -> None:
    shift_id = setup(deps)
    with deps.session() as session:
        for kind, status in (
            (DeliveryKind.REMINDER, DeliveryStatus.SENT),
            (DeliveryKind.DAY_BEFORE, DeliveryStatus.RETRY),
        ):
            session.add(
                Delivery(
                    team_id=TEAM,
                    kind=kind,
                    target="UVOL1",
                    key=str(shift_id),
                    status=status,
                    claimed_at=deps.clock(),
                )
            )
        session.add(
            Delivery(
                team_id=TEAM,
                kind=DeliveryKind.SHIFT_POST,
                target="CIOWA",
                key=str(shift_id),
                claimed_at=deps.clock(),
            )
        )
    edit(deps, shift_id, capacity=3)  # not a move: nothing happens to them
    with deps.read_session() as session:
        assert sorted(d.key for d in session.exec(select(Delivery))) == [str(shift_id)] * 3
    edit(deps, shift_id, start=time(11), end=time(14))
    with deps.read_session() as session:
        rows = {d.kind: d for d in session.exec(select(Delivery))}
    assert rows[DeliveryKind.SHIFT_POST].key == str(shift_id)  # the post is the same post
    assert rows[DeliveryKind.REMINDER].key != str(shift_id)
    assert rows[DeliveryKind.DAY_BEFORE].status == DeliveryStatus.FAILED  # about the old time: not sent


# ---------------------------------------------------------------- repeat


def test_a_weekly_series_keeps_the_local_time_across_the_dst_change(deps: Deps) -> None:
    # Sat 6 March 2027, 10:00 CST; clocks spring forward on Sun 14 March.
    shift_id = setup(deps, day=date(2027, 3, 6), start=time(10), hours=3)
    with deps.session() as session:
        result = repeat_shift(
            session, actor=CORA, shift_id=shift_id, repeat=Repeat(weeks=3), now=deps.clock()
        )
    starts = [local(s.starts_at).replace(tzinfo=None) for s in result.created]
    assert starts == [datetime(2027, 3, d, 10, 0) for d in (13, 20, 27)]
    assert [s.starts_at.hour for s in result.created] == [16, 15, 15]  # UTC moves, the wall clock doesn't
    assert all(s.ends_at - s.starts_at == timedelta(hours=3) for s in result.created)
    with deps.read_session() as session:
        rows = session.exec(select(Shift).order_by(col(Shift.id))).all()
    assert {r.series_id for r in rows} == {shift_id}
    assert all(r.capacity == 2 and r.location == rows[0].location and r.kind == rows[0].kind for r in rows)


def test_repeating_again_adds_only_the_weeks_not_there_yet(deps: Deps) -> None:
    shift_id = setup(deps)
    with deps.session() as session:
        first = repeat_shift(session, actor=CORA, shift_id=shift_id, repeat=Repeat(weeks=2), now=deps.clock())
    with deps.session() as session:
        again = repeat_shift(session, actor=CORA, shift_id=shift_id, repeat=Repeat(weeks=2), now=deps.clock())
    assert len(first.created) == 2 and again.created == [] and len(again.existing) == 2
    # Repeating a copy extends the same series.
    with deps.session() as session:
        longer = repeat_shift(
            session, actor=CORA, shift_id=first.created[-1].id, repeat=Repeat(weeks=2), now=deps.clock()
        )
    assert len(longer.created) == 2
    with deps.read_session() as session:
        rows = session.exec(select(Shift)).all()
    assert len(rows) == 5 and {r.series_id for r in rows} == {shift_id}


def test_repeat_until_a_date_and_its_limits(deps: Deps) -> None:
    shift_id = setup(deps)  # Tue 24 Nov 2026
    with deps.session() as session:
        result = repeat_shift(
            session, actor=CORA, shift_id=shift_id, repeat=Repeat(until=date(2026, 12, 15)), now=deps.clock()
        )
    assert [local(s.starts_at).date() for s in result.created] == [
        date(2026, 12, 1),
        date(2026, 12, 8),
        date(2026, 12, 15),
    ]
    for repeat, problem in [
        (Repeat(until=date(2026, 11, 30)), "no week"),
        (Repeat(weeks=0), f"1 to {MAX_REPEAT}"),
        (Repeat(weeks=MAX_REPEAT + 1), f"1 to {MAX_REPEAT}"),
        (Repeat(until=date(2027, 12, 31)), f"at most {MAX_REPEAT}"),
    ]:
        with pytest.raises(InvalidShift, match=problem), deps.session() as session:
            repeat_shift(session, actor=CORA, shift_id=shift_id, repeat=repeat, now=deps.clock())
    with deps.read_session() as session:
        assert len(session.exec(select(Shift)).all()) == 4


def test_a_week_whose_time_the_clocks_skip_is_refused_by_date(deps: Deps) -> None:
    shift_id = setup(deps, day=date(2027, 3, 7), start=time(2, 30), hours=1)  # Sun 7 March, 02:30
    with pytest.raises(InvalidShift, match="2027-03-14") as refused, deps.session() as session:
        repeat_shift(session, actor=CORA, shift_id=shift_id, repeat=Repeat(weeks=2), now=deps.clock())
    assert refused.value.field == "repeat"
    with deps.read_session() as session:
        assert len(session.exec(select(Shift)).all()) == 1


def test_only_a_trusted_host_repeats_their_shift(deps: Deps) -> None:
    shift_id = setup(deps, host="UHOST")
    with pytest.raises(NotCoordinator), deps.session() as session:
        repeat_shift(session, actor=HOST, shift_id=shift_id, repeat=Repeat(weeks=1), now=deps.clock())
    with deps.session() as session:
        session.add(
            TrustedHost(
                team_id=TEAM, user_id="UHOST", state="IA", granted_by="UCOORD", granted_at=deps.clock()
            )
        )
    with deps.session() as session:
        result = repeat_shift(
            session, actor=HOST, shift_id=shift_id, repeat=Repeat(weeks=1), now=deps.clock()
        )
    assert shift_row(deps, result.created[0].id).host_id == "UHOST"


# ---------------------------------------------------------------- cancel a series


def series(deps: Deps, weeks: int = 3) -> list[int]:
    shift_id = setup(deps, capacity=3)
    with deps.session() as session:
        result = repeat_shift(
            session, actor=CORA, shift_id=shift_id, repeat=Repeat(weeks=weeks), now=deps.clock()
        )
    return [shift_id, *(s.id for s in result.created)]


def test_cancelling_a_series_cancels_that_shift_and_the_later_ones(deps: Deps) -> None:
    ids = series(deps)
    claim(deps, ids[0], "UVOL1")
    claim(deps, ids[1], "UVOL1", "UVOL2")
    claim(deps, ids[3], "UVOL1")
    with deps.session() as session:
        preview = cancel_series(
            session, actor=CORA, shift_id=ids[1], reason="", now=deps.clock(), dry_run=True
        )
    assert [s.id for s in preview.shifts] == ids[1:] and all(
        s.status == ShiftStatus.OPEN for s in preview.shifts
    )
    with deps.session() as session:
        done = cancel_series(
            session, actor=CORA, shift_id=ids[1], reason="the office moved", now=deps.clock()
        )
    assert [s.id for s in done.shifts] == ids[1:]
    # Each person once, with every shift of theirs that was cancelled.
    assert {who.user_id: [s.id for s in shifts] for who, shifts in done.notify.items()} == {
        "UVOL1": [ids[1], ids[3]],
        "UVOL2": [ids[1]],
    }
    rows = {i: shift_row(deps, i) for i in ids}
    assert rows[ids[0]].status == ShiftStatus.OPEN
    assert all(
        rows[i].status == ShiftStatus.CANCELLED and rows[i].cancel_reason == "the office moved"
        for i in ids[1:]
    )
    with deps.session() as session:
        again = cancel_series(session, actor=CORA, shift_id=ids[1], reason="", now=deps.clock())
    assert again.already and again.notify == {}


def test_a_single_shift_has_no_series_to_cancel(deps: Deps) -> None:
    shift_id = setup(deps)
    with pytest.raises(Refused, match="not part of a series"), deps.session() as session:
        cancel_series(session, actor=CORA, shift_id=shift_id, reason="", now=deps.clock())


def test_only_those_who_run_the_series_cancel_it(deps: Deps) -> None:
    ids = series(deps, weeks=1)
    with pytest.raises(NotShiftRunner), deps.session() as session:
        cancel_series(
            session, actor=Actor(TEAM, "UVOL1", is_admin=False), shift_id=ids[0], reason="", now=deps.clock()
        )
    assert all(shift_row(deps, i).status == ShiftStatus.OPEN for i in ids)


def test_the_cancel_reason_is_kept(deps: Deps) -> None:
    shift_id = setup(deps)
    with deps.session() as session:
        cancel_shift(session, actor=CORA, shift_id=shift_id, now=deps.clock(), reason="snow")
    assert shift_row(deps, shift_id).cancel_reason == "snow"


# ---------------------------------------------------------------- roster add


def add(deps: Deps, shift_id: int, user: str, actor: Actor = CORA):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        return add_to_shift(session, actor=actor, shift_id=shift_id, user_id=user, now=deps.clock())


def test_a_call_in_gets_a_free_place_or_the_waitlist(deps: Deps) -> None:
    shift_id = setup(deps, capacity=1)
    first = add(deps, shift_id, "UVOL1")
    assert first.signup.status == SignupStatus.CLAIMED and not first.walk_in and not first.already
    second = add(deps, shift_id, "UVOL2")
    assert second.signup.status == SignupStatus.WAITLISTED and second.signup.waitlist_position == 1
    assert add(deps, shift_id, "UVOL1").already
    with deps.read_session() as session:
        signup = session.exec(select(Signup).where(Signup.volunteer_id == "UVOL1")).one()
    assert signup.added_by == "UCOORD"
    assert get_shift_held(deps, shift_id) == 1


def get_shift_held(deps: Deps, shift_id: int) -> int:
    with deps.read_session() as session:
        return get_shift(session, shift_id, team_id=None).held


def test_a_walk_in_is_marked_attended_even_past_capacity(deps: Deps, clock: Clock) -> None:
    shift_id = setup(deps, capacity=1, users=4)
    claim(deps, shift_id, "UVOL1", "UVOL2")
    clock.now = shift_row(deps, shift_id).starts_at + timedelta(minutes=20)
    walk_in = add(deps, shift_id, "UVOL3")
    assert walk_in.walk_in and walk_in.signup.status == SignupStatus.ATTENDED
    waiting = add(deps, shift_id, "UVOL2")  # was on the waitlist, and came anyway
    assert waiting.signup.status == SignupStatus.ATTENDED
    assert statuses(deps, shift_id) == {
        "UVOL1": SignupStatus.CLAIMED,
        "UVOL2": SignupStatus.ATTENDED,
        "UVOL3": SignupStatus.ATTENDED,
    }
    assert get_shift_held(deps, shift_id) == 3  # over capacity: they came
    assert add(deps, shift_id, "UVOL3").already
    # A newcomer the database has never seen is enrolled.
    assert add(deps, shift_id, "UNEW1").signup.status == SignupStatus.ATTENDED


def test_adding_someone_whose_claim_is_held_accepts_it(deps: Deps) -> None:
    """The no-show policy held their claim; the runner putting them on the roster is the runner
    deciding to take them: a free place (else the waitlist), as Accept would give."""
    shift_id = setup(deps, capacity=1, host="UHOST")
    with deps.session() as session:
        make.signup(session, shift_id, "UVOL1", deps.clock(), SignupStatus.PENDING)
        make.signup(session, shift_id, "UVOL2", deps.clock(), SignupStatus.PENDING)
    first = add(deps, shift_id, "UVOL1", HOST)
    assert not first.already and first.signup.status == SignupStatus.CLAIMED
    second = add(deps, shift_id, "UVOL2", HOST)
    assert not second.already and second.signup.status == SignupStatus.WAITLISTED
    assert second.signup.waitlist_position == 1
    assert add(deps, shift_id, "UVOL1", HOST).already


def test_nobody_is_added_to_a_cancelled_shift_or_by_a_stranger(deps: Deps) -> None:
    hosted = setup(deps, host="UHOST")
    with pytest.raises(NotShiftRunner):
        add(deps, hosted, "UVOL2", Actor(TEAM, "UVOL1", is_admin=False))
    assert add(deps, hosted, "UVOL2", HOST).signup.status == SignupStatus.CLAIMED
    with deps.session() as session:
        cancel_shift(session, actor=CORA, shift_id=hosted, now=deps.clock())
    with pytest.raises(Refused, match="cancelled"):
        add(deps, hosted, "UVOL3")


# ---------------------------------------------------------------- races


def race_edit_and_claims(deps: Deps, shift_id: int, capacity: int, claimers: int) -> bool:
    """`claimers` volunteers claim while a coordinator sets the capacity, all at once; whether
    the edit went through (it may be refused for the places held by then)."""
    barrier = threading.Barrier(claimers + 1)
    errors: list[BaseException] = []
    edited: list[bool] = []

    def claimer(n: int) -> None:
        try:
            barrier.wait()
            claim(deps, shift_id, f"UVOL{n}")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    def editor() -> None:
        try:
            barrier.wait()
            edit(deps, shift_id, capacity=capacity)
            edited.append(True)
        except CapacityBelowHeld:
            edited.append(False)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(1, claimers + 1)]
    threads.insert(claimers // 2, threading.Thread(target=editor))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return edited == [True]


def fill_of(deps: Deps, shift_id: int) -> tuple[int, list[Signup]]:
    with deps.read_session() as session:
        capacity = session.exec(select(Shift.capacity).where(Shift.id == shift_id)).one()
        return capacity, list(session.exec(select(Signup).where(Signup.shift_id == shift_id)))


@pytest.mark.parametrize("round_", range(3))
def test_raising_capacity_while_claims_race_never_overbooks_or_loses_anyone(deps: Deps, round_: int) -> None:
    shift_id = setup(deps, capacity=2, users=20)
    assert race_edit_and_claims(deps, shift_id, capacity=10, claimers=20)
    capacity, signups = fill_of(deps, shift_id)
    held = [s for s in signups if s.status == SignupStatus.CLAIMED]
    waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED]
    assert capacity == 10 and len(signups) == 20  # one signup each, none lost
    assert len(held) == 10 and len(waiting) == 10
    assert len({s.waitlist_seq for s in waiting}) == 10 and all(s.waitlist_seq for s in waiting)


@pytest.mark.parametrize("round_", range(5))
def test_lowering_capacity_while_claims_race_never_overbooks_or_loses_anyone(deps: Deps, round_: int) -> None:
    shift_id = setup(deps, capacity=10, users=20)
    edited = race_edit_and_claims(deps, shift_id, capacity=6, claimers=20)
    capacity, signups = fill_of(deps, shift_id)
    held = [s for s in signups if s.status == SignupStatus.CLAIMED]
    waiting = [s for s in signups if s.status == SignupStatus.WAITLISTED]
    assert len(signups) == 20 and len(held) + len(waiting) == 20
    # Lowered while six or fewer held places, or refused because more did: never more than it holds.
    assert (capacity, len(held)) == ((6, 6) if edited else (10, 10))
    assert sorted(s.waitlist_seq for s in waiting) == sorted({s.waitlist_seq for s in waiting})
