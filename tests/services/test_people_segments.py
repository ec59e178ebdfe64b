"""`/turnout people STATE SEGMENT`: who is new, ready to host, lapsed, hosting or missing shifts,
each with their rung, last shift, shifts attended and contacts. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from bot.deps import Deps
from bot.models import Metric, SignupStatus
from bot.services import engagement
from bot.services.contacts import log_contacts
from bot.services.engagement import PeoplePage, Rung, Segment, people_overview, people_page
from bot.services.errors import NotCoordinator
from bot.services.people import set_home_state
from bot.services.roles import Actor
from bot.services.shifts import claim_shift
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member

COORD = Actor(TEAM, "UCOORD", is_admin=False)


def history(
    deps: Deps, clock: Clock, user: str, *marks: tuple[int, SignupStatus], host: bool = False
) -> None:
    """`user` was marked on shifts that started that many days ago (as marking them would count)."""
    with deps.session() as session:
        make.volunteer(session, user, clock())
        for n, (days_ago, status) in enumerate(marks):
            shift_id = make.shift(session, clock(), days_ahead=-days_ago, start=time(8 + n))
            make.signup(session, shift_id, user, clock() - timedelta(days=90), status)
        if host:
            make.shift(session, clock(), days_ahead=5, host=user)
        engagement.refresh(session, who=member(user), state="IA", now=clock())


def attended(*days_ago: int) -> list[tuple[int, SignupStatus]]:
    return [(d, SignupStatus.ATTENDED) for d in days_ago]


@pytest.fixture
def campaign(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
        upcoming = make.shift(session, clock(), days_ahead=3)
        make.volunteer(session, "UNEW1", clock())
        make.volunteer(session, "UNEW2", clock())
    for user in ("UNEW1", "UNEW2"):
        with deps.session() as session:
            claim_shift(session, shift_id=upcoming, who=member(user), now=clock())
        clock.advance(minutes=5)
    history(deps, clock, "UREG", *attended(9, 6, 3))
    history(deps, clock, "UREG2", *attended(20, 8, 5, 2))
    history(deps, clock, "UHOSTREG", *attended(7, 4, 1), host=True)
    history(deps, clock, "UTRUSTREG", *attended(7, 4, 1))
    history(deps, clock, "ULAPSED", *attended(40))
    history(
        deps,
        clock,
        "UNOSHOW",
        (10, SignupStatus.NO_SHOW),
        (2, SignupStatus.NO_SHOW),
        (1, SignupStatus.ATTENDED),
    )
    with deps.session() as session:
        make.trusted_host(session, "UTRUSTREG", "IA", clock())
        make.trusted_host(session, "UTRUSTONLY", "IA", clock())
        set_home_state(session, who=member("UREG"), code="IA", now=clock())
        log_contacts(
            session, who=member("UREG"), counts={Metric.DOORS: 40, Metric.CONVOS: 6}, shift_id=None,
            channel_id=None, now=clock(),
        )  # fmt: skip


def page(deps: Deps, clock: Clock, segment: Segment, offset: int = 0, limit: int = 10) -> PeoplePage:
    with deps.read_session() as session:
        return people_page(
            session, actor=COORD, state="IA", segment=segment, now=clock(), offset=offset, limit=limit
        )


def ids(found: PeoplePage) -> list[str]:
    return [p.user_id for p in found.people]


@pytest.mark.usefixtures("campaign")
def test_each_segment_holds_who_a_coordinator_should_reach(deps: Deps, clock: Clock) -> None:
    assert ids(page(deps, clock, Segment.NEW)) == ["UNEW2", "UNEW1"]  # newest first
    assert ids(page(deps, clock, Segment.READY)) == ["UREG2", "UREG"]  # the freshest third-last shift first
    assert ids(page(deps, clock, Segment.LAPSED)) == ["ULAPSED"]
    # trusted hosts first, then by shifts hosted; a trusted host yet to sign up for anything last
    assert ids(page(deps, clock, Segment.HOSTS)) == ["UTRUSTREG", "UHOSTREG", "UTRUSTONLY"]
    assert ids(page(deps, clock, Segment.NOSHOWS)) == ["UNOSHOW"]
    with deps.read_session() as session:
        overview = people_overview(session, actor=COORD, state="IA", now=clock())
    assert overview.counts == {
        Segment.NEW: 2,
        Segment.READY: 2,
        Segment.LAPSED: 1,
        Segment.HOSTS: 3,
        Segment.NOSHOWS: 1,
    }


@pytest.mark.usefixtures("campaign")
def test_each_person_comes_with_rung_last_shift_attendance_and_contacts(deps: Deps, clock: Clock) -> None:
    ready = {p.user_id: p for p in page(deps, clock, Segment.READY).people}
    reg = ready["UREG"]
    assert (reg.rung, reg.attended, reg.contacts, reg.flagged) == (Rung.REGULAR, 3, 46, False)
    assert reg.last_attended_at is not None and reg.last_shift_id is not None
    assert clock() - reg.last_attended_at < timedelta(days=4)
    hosts = {p.user_id: p for p in page(deps, clock, Segment.HOSTS).people}
    assert hosts["UHOSTREG"].rung == Rung.HOST and hosts["UHOSTREG"].hosted == 1
    assert hosts["UTRUSTONLY"].rung == Rung.TRUSTED and hosts["UTRUSTONLY"].attended == 0
    new = page(deps, clock, Segment.NEW).people[0]
    assert new.rung == Rung.NEW and new.last_attended_at is None and new.first_signup_at is not None
    (absent,) = page(deps, clock, Segment.NOSHOWS).people
    assert absent.flagged and absent.rung == Rung.ACTIVE


@pytest.mark.usefixtures("campaign")
def test_time_moves_people_between_segments(deps: Deps, clock: Clock) -> None:
    later = clock.now + timedelta(days=33)
    clock.now = later
    assert ids(page(deps, clock, Segment.READY)) == []
    assert ids(page(deps, clock, Segment.LAPSED)) == ["UNOSHOW", "UREG2", "UREG", "ULAPSED"]
    assert ids(page(deps, clock, Segment.NOSHOWS)) == ["UNOSHOW"]
    clock.advance(days=30)
    assert ids(page(deps, clock, Segment.NOSHOWS)) == []


def test_a_long_segment_pages_and_an_offset_past_the_end_shows_the_last_page(
    deps: Deps, clock: Clock
) -> None:
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", clock())
        upcoming = make.shift(session, clock(), capacity=50)
    for n in range(23):
        with deps.session() as session:
            make.volunteer(session, f"UP{n:02d}", clock())
            claim_shift(session, shift_id=upcoming, who=member(f"UP{n:02d}"), now=clock())
    first, second = page(deps, clock, Segment.NEW), page(deps, clock, Segment.NEW, offset=10)
    last = page(deps, clock, Segment.NEW, offset=500)
    assert first.total == second.total == last.total == 23
    assert ids(first) == [f"UP{n:02d}" for n in range(22, 12, -1)]  # same instant: by id, newest first
    assert (second.offset, last.offset, len(last.people)) == (10, 20, 3)
    assert not set(ids(first)) & set(ids(second))


@pytest.mark.usefixtures("campaign")
def test_only_the_states_coordinators_and_admins_see_its_people(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        other = make.coordinator(session, "UCOORDNH", "NH", clock())
    for actor in (Actor(TEAM, "UREG", is_admin=False), Actor(TEAM, "UTRUSTREG", is_admin=False), other):
        with pytest.raises(NotCoordinator) as refused, deps.read_session() as session:
            people_page(session, actor=actor, state="IA", segment=Segment.READY, now=clock())
        assert refused.value.coordinator_ids == ("UCOORD",)
        with pytest.raises(NotCoordinator), deps.read_session() as session:
            people_overview(session, actor=actor, state="IA", now=clock())
    with deps.read_session() as session:
        assert (
            people_page(session, actor=make.ADMIN, state="IA", segment=Segment.READY, now=clock()).total == 2
        )
