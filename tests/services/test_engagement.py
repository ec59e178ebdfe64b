"""The ladder's rollup is kept current by every change it counts, on SQLite and PostgreSQL:
claims, attendance marks and their corrections, hosted shifts published and cancelled."""

from __future__ import annotations

import contextlib
import importlib.util
import random
import threading
import time
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

import bot
from bot.deps import Deps
from bot.models import Engagement, ShiftKind, SignupStatus
from bot.services import engagement
from bot.services.editing import Repeat, add_to_shift, repeat_shift
from bot.services.engagement import Rung, standing
from bot.services.errors import TurnoutError
from bot.services.shifts import cancel_shift, claim_shift, mark_attendance, release_signup, remove_signup
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member

COORD = make.ADMIN


def row(deps: Deps, user: str, state: str = "IA") -> Engagement | None:
    with deps.read_session() as session:
        return session.get(Engagement, (TEAM, user, state))


def claim(deps: Deps, shift_id: int, user: str):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        make.volunteer(session, user, deps.clock())
    with deps.session() as session:
        return claim_shift(session, shift_id=shift_id, who=member(user), now=deps.clock())


def mark(deps: Deps, signup_id: int, status: SignupStatus) -> None:
    with deps.session() as session:
        mark_attendance(session, actor=COORD, signup_id=signup_id, status=status, now=deps.clock())


def shift(deps: Deps, **kwargs: object) -> int:
    with deps.session() as session:
        return make.shift(session, deps.clock(), **kwargs)  # type: ignore[arg-type]


def attend(
    deps: Deps, clock: Clock, user: str, status: SignupStatus = SignupStatus.ATTENDED, **kwargs: object
) -> int:
    """A shift tomorrow that `user` claims; the clock moves to its start and they are marked."""
    shift_id = shift(deps, days_ahead=1, **kwargs)
    signup_id = claim(deps, shift_id, user).signup.id
    clock.advance(days=1)
    mark(deps, signup_id, status)
    return shift_id


def test_a_first_claim_puts_someone_on_the_ladder_as_new(deps: Deps, clock: Clock) -> None:
    first_claim = clock()
    one, two = shift(deps), shift(deps, days_ahead=3)
    claim(deps, one, "UVOL1")
    clock.advance(hours=1)
    claim(deps, two, "UVOL1")
    found = row(deps, "UVOL1")
    assert found is not None and found.first_signup_at == first_claim
    assert (found.attended, found.hosted, found.no_shows) == (0, 0, 0)
    with deps.read_session() as session:
        assert standing(session, who=member("UVOL1"), state="IA", now=clock()) == Rung.NEW


def test_joining_a_waitlist_counts_as_signing_up(deps: Deps) -> None:
    full = shift(deps, capacity=1)
    claim(deps, full, "UVOL1")
    assert claim(deps, full, "UVOL2").signup.status == SignupStatus.WAITLISTED
    assert row(deps, "UVOL2") is not None


def test_a_refused_claim_puts_no_one_on_the_ladder(deps: Deps, clock: Clock) -> None:
    started = shift(deps, days_ahead=0, start=clock_time(8))  # 8:00 in Iowa: before the clock's 9:00
    with pytest.raises(TurnoutError):
        claim(deps, started, "UVOL1")
    assert row(deps, "UVOL1") is None


def test_attendance_moves_people_up_and_a_correction_moves_them_back(deps: Deps, clock: Clock) -> None:
    first = attend(deps, clock, "UVOL1")
    assert (row(deps, "UVOL1") or Engagement()).attended == 1
    with deps.read_session() as session:
        assert standing(session, who=member("UVOL1"), state="IA", now=clock()) == Rung.ACTIVE
    attend(deps, clock, "UVOL1")
    third = attend(deps, clock, "UVOL1")
    found = row(deps, "UVOL1")
    assert found is not None and found.attended == 3 and found.last_shift_id == third
    with deps.read_session() as session:
        assert standing(session, who=member("UVOL1"), state="IA", now=clock()) == Rung.REGULAR
        first_signup = session.execute(
            sa.text("SELECT id FROM signup WHERE shift_id = :s"), {"s": first}
        ).scalar_one()
    mark(deps, first_signup, SignupStatus.NO_SHOW)  # the coordinator corrects a mark
    found = row(deps, "UVOL1")
    assert found is not None and (found.attended, found.no_shows) == (2, 1)
    assert found.third_last_attended_at is None
    with deps.read_session() as session:
        assert standing(session, who=member("UVOL1"), state="IA", now=clock()) == Rung.ACTIVE


def test_a_regular_is_three_shifts_within_thirty_days(deps: Deps, clock: Clock) -> None:
    for _ in range(3):
        attend(deps, clock, "UVOL1")
    with deps.read_session() as session:
        assert standing(session, who=member("UVOL1"), state="IA", now=clock()) == Rung.REGULAR
        # the first of the three started yesterday-but-one: 30 days after it, it no longer counts
        assert (
            standing(session, who=member("UVOL1"), state="IA", now=clock() + timedelta(days=27))
            == Rung.REGULAR
        )
        assert (
            standing(session, who=member("UVOL1"), state="IA", now=clock() + timedelta(days=29))
            == Rung.ACTIVE
        )


def test_two_no_shows_in_sixty_days_are_flagged(deps: Deps, clock: Clock) -> None:
    attend(deps, clock, "UVOL1", SignupStatus.NO_SHOW)
    with deps.read_session() as session:
        assert (
            engagement.no_show_flags(session, team_id=TEAM, state="IA", volunteer_ids=["UVOL1"], now=clock())
            == set()
        )
    attend(deps, clock, "UVOL1", SignupStatus.NO_SHOW)
    with deps.read_session() as session:
        assert engagement.no_show_flags(
            session, team_id=TEAM, state="IA", volunteer_ids=["UVOL1"], now=clock()
        ) == {"UVOL1"}
        past = clock() + timedelta(days=60)
        assert (
            engagement.no_show_flags(session, team_id=TEAM, state="IA", volunteer_ids=["UVOL1"], now=past)
            == set()
        )


def test_hosting_counts_published_shifts_and_a_cancel_takes_one_back(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.volunteer(session, "UHOST", clock())
        hosted = make.shift(session, clock(), host="UHOST")
        make.shift(session, clock(), host="UHOST", days_ahead=4)
        engagement.refresh(session, who=member("UHOST"), state="IA", now=clock())  # as publishing does
    found = row(deps, "UHOST")
    assert found is not None and found.hosted == 2
    with deps.read_session() as session:
        assert standing(session, who=member("UHOST"), state="IA", now=clock()) == Rung.HOST
    with deps.session() as session:
        cancel_shift(session, actor=COORD, shift_id=hosted, now=clock())
    assert (row(deps, "UHOST") or Engagement()).hosted == 1


def test_a_trusted_host_stands_on_the_top_rung(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.trusted_host(session, "UVOL1", "IA", clock())
    with deps.read_session() as session:
        assert standing(session, who=member("UVOL1"), state="IA", now=clock()) == Rung.TRUSTED
        assert standing(session, who=member("UVOL1"), state="NH", now=clock()) == Rung.NEW


def test_each_state_keeps_its_own_ladder(deps: Deps, clock: Clock) -> None:
    attend(deps, clock, "UVOL1", state="NH")
    assert row(deps, "UVOL1", "IA") is None
    assert (row(deps, "UVOL1", "NH") or Engagement()).attended == 1


def backfill() -> ModuleType:
    """The migration that started the ladder from existing signups: an independent count."""
    path = next((Path(bot.__file__).parent / "migrations" / "versions").glob("0006_*.py"))
    spec = importlib.util.spec_from_file_location("ladder_migration", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COUNTED = (
    "volunteer_id, state, attended, no_shows, last_shift_id, last_attended_at, third_last_attended_at, "
    "second_last_no_show_at"
)


def test_the_rollup_always_equals_a_count_from_scratch(deps: Deps, clock: Clock) -> None:
    """Claims, releases, removals, marks and corrections in any order leave the rollup exactly
    as counting every signup again would (the migration's own query, written independently)."""
    rng = random.Random(12)
    people = [f"UVOL{n}" for n in range(1, 7)]
    for _day in range(8):
        ids = [shift(deps, days_ahead=1, state=rng.choice(["IA", "NH"]), capacity=2) for _ in range(3)]
        signups: list[tuple[int, int, str]] = []
        for user in rng.sample(people, 5):
            shift_id = rng.choice(ids)
            result = claim(deps, shift_id, user)
            signups.append((shift_id, result.signup.id, user))
        for shift_id, _signup_id, user in signups[:1]:
            with deps.session() as session:
                release_signup(session, shift_id=shift_id, who=member(user), now=clock())
        for _shift_id, signup_id, _user in signups[1:2]:
            with deps.session() as session:
                remove_signup(session, actor=COORD, signup_id=signup_id, now=clock())
        clock.advance(days=1)
        for _shift_id, signup_id, _user in signups[2:]:
            for status in rng.sample([SignupStatus.ATTENDED, SignupStatus.NO_SHOW], rng.randint(1, 2)):
                with contextlib.suppress(TurnoutError):  # a waitlisted place: attendance doesn't apply
                    mark(deps, signup_id, status)
    query = backfill().BACKFILL_ENGAGEMENT.replace("INSERT INTO engagement", "INSERT INTO fresh_engagement")
    with deps.session() as session:
        session.execute(
            sa.text("CREATE TEMPORARY TABLE fresh_engagement AS SELECT * FROM engagement WHERE 1 = 0")
        )
        session.execute(sa.text(query))
        kept = session.execute(
            sa.text(f"SELECT {COUNTED} FROM engagement ORDER BY volunteer_id, state")
        ).all()
        fresh = session.execute(
            sa.text(f"SELECT {COUNTED} FROM fresh_engagement ORDER BY volunteer_id, state")
        ).all()
        session.execute(sa.text("DROP TABLE fresh_engagement"))
    assert kept == fresh
    assert any(r.attended for r in kept) and any(r.no_shows for r in kept)


def test_two_marks_for_one_person_at_once_are_both_counted(deps: Deps, clock: Clock) -> None:
    """Two shifts, two markers, one volunteer: each mark is counted, neither over the other."""
    one, two = shift(deps, days_ahead=1), shift(deps, days_ahead=1, start=clock_time(14))
    first, second = claim(deps, one, "UVOL1").signup.id, claim(deps, two, "UVOL1").signup.id
    clock.advance(days=1, hours=6)
    errors: list[BaseException] = []

    def mark_second() -> None:
        try:
            mark(deps, second, SignupStatus.ATTENDED)
        except BaseException as error:  # reported below
            errors.append(error)

    with deps.session() as session:
        mark_attendance(session, actor=COORD, signup_id=first, status=SignupStatus.ATTENDED, now=clock())
        racer = threading.Thread(target=mark_second)
        racer.start()
        time.sleep(0.3)  # the second mark waits for this transaction's locks
    racer.join(timeout=30)
    assert not errors and not racer.is_alive()
    found = row(deps, "UVOL1")
    assert found is not None and found.attended == 2


def test_kinds_of_shift_are_all_counted_alike(deps: Deps, clock: Clock) -> None:
    attend(deps, clock, "UVOL1", kind=ShiftKind.PHONEBANK)
    attend(deps, clock, "UVOL1", kind=ShiftKind.TRAINING)
    assert (row(deps, "UVOL1") or Engagement()).attended == 2


def test_a_call_in_joins_the_ladder_and_a_walk_in_counts_as_attended(deps: Deps, clock: Clock) -> None:
    one, two = shift(deps, days_ahead=1), shift(deps, days_ahead=2)
    with deps.session() as session:
        make.volunteer(session, "UVOL1", clock())
        add_to_shift(session, actor=COORD, shift_id=one, user_id="UVOL1", now=clock())
    found = row(deps, "UVOL1")
    assert found is not None and found.attended == 0
    clock.advance(days=2, hours=2)  # the second shift is under way
    with deps.session() as session:
        add_to_shift(session, actor=COORD, shift_id=two, user_id="UVOL1", now=clock())
    found = row(deps, "UVOL1")
    assert found is not None and found.attended == 1 and found.last_shift_id == two


def test_repeating_a_hosted_shift_counts_each_copy_as_hosted(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.volunteer(session, "UHOST", clock())
        hosted = make.shift(session, clock(), host="UHOST")
        engagement.refresh(session, who=member("UHOST"), state="IA", now=clock())
    with deps.session() as session:
        repeat_shift(session, actor=COORD, shift_id=hosted, repeat=Repeat(weeks=3), now=clock())
    assert (row(deps, "UHOST") or Engagement()).hosted == 4
