"""Shared shifts: which workspaces see a shift, and one capacity filled from every workspace
without ever being overbooked (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot.deps import Deps
from bot.models import Organization, Shift, Signup, SignupStatus, State
from bot.services.errors import NotCoordinator, NotFound, NotShiftRunner, Refused
from bot.services.members import Member
from bot.services.roles import Actor
from bot.services.sharing import get_visible_shift, open_shared_shifts, share_shift
from bot.services.shifts import (
    cancel_shift,
    claim_shift,
    get_shift,
    list_open_shifts,
    my_shifts,
    release_signup,
    roster,
)
from bot.services.states import bind_state, ensure_state
from tests import factories as make

SUNRISE, MTR = "T0SUNRISE", "T0MTR"
SAM = Actor(SUNRISE, "USUNSAM", is_admin=True)
MAX = Actor(MTR, "UMTRMAX", is_admin=True)


def _org(session: Session, team: str, name: str, now: datetime, channel: str | None) -> None:
    session.add(Organization(team_id=team, name=name, installed_at=now, created_at=now))
    session.flush()
    state = ensure_state(session, team_id=team, code="IA", now=now)
    state.channel_id = channel
    session.add(state)
    session.flush()


def coalition(deps: Deps, *, per_team: int = 2, mtr_channel: str | None = "CMTRIA") -> None:
    """Sunrise and Make the Road, each with `per_team` volunteers and (unless told otherwise) a
    channel for Iowa."""
    now = deps.clock()
    with deps.session() as session:
        _org(session, SUNRISE, "Sunrise", now, "CSUNIA")
        _org(session, MTR, "Make the Road", now, mtr_channel)
        for team, prefix in ((SUNRISE, "USUN"), (MTR, "UMTR")):
            for n in range(1, per_team + 1):
                make.volunteer(session, f"{prefix}{n}", now, f"{prefix.lower()}{n}", team=team)


def sunrise_shift(deps: Deps, *, capacity: int = 5, shared: bool = True, host: str | None = None) -> int:
    now = deps.clock()
    with deps.session() as session:
        if host is not None:
            make.volunteer(session, host, now, "hana", team=SUNRISE)
        shift_id = make.shift(
            session,
            now,
            team=SUNRISE,
            capacity=capacity,
            location="Des Moines HQ",
            created_by="USUNSAM",
            host=host,
        )
        if shared:
            share_shift(session, actor=SAM, shift_id=shift_id, now=now)
    return shift_id


def claim(deps: Deps, shift_id: int, who: Member):  # type: ignore[no-untyped-def]
    with deps.session() as session:
        return claim_shift(session, shift_id=shift_id, who=who, now=deps.clock())


@pytest.mark.parametrize("round_", range(3))
def test_thirty_claims_from_two_workspaces_fill_one_capacity_of_five(deps: Deps, round_: int) -> None:
    """15 volunteers of each organization claim a 5-place shared shift at once: exactly 5 hold
    places, 25 wait in the order they came, and every signup carries its claimer's workspace."""
    coalition(deps, per_team=15)
    shift_id = sunrise_shift(deps, capacity=5)
    with deps.read_session() as session:
        version_before = session.get(Shift, shift_id).version  # type: ignore[union-attr]
    claimers = [Member(SUNRISE, f"USUN{n}") for n in range(1, 16)] + [
        Member(MTR, f"UMTR{n}") for n in range(1, 16)
    ]
    barrier = threading.Barrier(len(claimers))
    answers: list[object] = []
    errors: list[BaseException] = []

    def go(who: Member) -> None:
        try:
            barrier.wait()
            answers.append(claim(deps, shift_id, who))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=go, args=(who,)) for who in claimers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(answers) == 30
    with deps.read_session() as session:
        signups = session.exec(select(Signup).where(Signup.shift_id == shift_id)).all()
        version = session.get(Shift, shift_id).version  # type: ignore[union-attr]
    held = [s for s in signups if s.status == SignupStatus.CLAIMED]
    waiting = sorted(
        (s for s in signups if s.status == SignupStatus.WAITLISTED), key=lambda s: s.waitlist_seq or 0
    )
    assert len(held) == 5 and len(waiting) == 25
    assert [s.waitlist_seq for s in waiting] == list(range(1, 26))
    assert [s.id for s in waiting] == sorted(s.id or 0 for s in waiting)  # in the order they came
    assert max(s.id or 0 for s in held) < min(s.id or 0 for s in waiting)
    assert version == version_before + 30
    assert {(s.team_id, s.volunteer_id[:4]) for s in signups} == {(SUNRISE, "USUN"), (MTR, "UMTR")}
    assert sorted(s.volunteer_id for s in signups) == sorted(who.user_id for who in claimers)


def test_a_shift_not_shared_is_no_shift_at_all_in_another_workspace(deps: Deps) -> None:
    coalition(deps)
    shift_id = sunrise_shift(deps, shared=False)
    eva = Member(MTR, "UMTR1")
    with pytest.raises(NotFound):
        claim(deps, shift_id, eva)
    with deps.session() as session:
        with pytest.raises(NotFound):
            get_shift(session, shift_id, team_id=MTR)
        with pytest.raises(NotFound):
            get_visible_shift(session, MTR, shift_id)
        listing = list_open_shifts(session, who=eva, state=None, window=None, kind=None, now=deps.clock())
        assert listing.shifts == []
        assert session.exec(select(Signup)).all() == []


def test_a_shared_shift_is_listed_and_claimable_where_the_state_has_a_channel(deps: Deps) -> None:
    coalition(deps)
    shift_id = sunrise_shift(deps, host="USUNHANA")
    eva = Member(MTR, "UMTR1")
    with deps.session() as session:
        listing = list_open_shifts(session, who=eva, state="IA", window=None, kind=None, now=deps.clock())
    assert [v.id for v in listing.shifts] == [shift_id]
    # Drawn for Make the Road: its organization and its host by name, never a mention.
    assert listing.shifts[0].owner == "Sunrise" and listing.shifts[0].host_name == "hana"
    result = claim(deps, shift_id, eva)
    assert result.signup.status == SignupStatus.CLAIMED and result.signup.team_id == MTR
    with deps.session() as session:
        mine = my_shifts(session, who=eva, now=deps.clock())
        assert [s.shift.id for s in mine] == [shift_id] and mine[0].shift.owner == "Sunrise"
        own = get_shift(session, shift_id, team_id=SUNRISE)
        assert own.owner is None and own.shared and own.held == 1


def test_a_shared_shift_is_not_listed_where_the_state_has_no_channel(deps: Deps) -> None:
    coalition(deps, mtr_channel=None)
    shift_id = sunrise_shift(deps)
    eva = Member(MTR, "UMTR1")
    with deps.session() as session:
        listing = list_open_shifts(session, who=eva, state=None, window=None, kind=None, now=deps.clock())
        assert listing.shifts == []
    with pytest.raises(NotFound):
        claim(deps, shift_id, eva)
    # Binding the channel later opens it (and it is among those the binding posts).
    with deps.session() as session:
        bind_state(session, actor=MAX, code="IA", channel_id="CMTRIA", timezone=None, now=deps.clock())
        assert open_shared_shifts(session, team_id=MTR, state="IA", now=deps.clock()) == [shift_id]
    assert claim(deps, shift_id, eva).signup.status == SignupStatus.CLAIMED


def test_someone_on_a_shared_shift_can_still_release_it_after_their_channel_is_unbound(deps: Deps) -> None:
    coalition(deps)
    shift_id = sunrise_shift(deps)
    eva = Member(MTR, "UMTR1")
    claim(deps, shift_id, eva)
    with deps.session() as session:
        state = session.get(State, (MTR, "IA"))
        assert state is not None
        state.channel_id = None
        session.add(state)
    with deps.session() as session:
        released = release_signup(session, shift_id=shift_id, who=eva, now=deps.clock())
    assert released.signup.status == SignupStatus.RELEASED


def test_only_the_owning_organization_shares_changes_or_cancels_its_shift(deps: Deps) -> None:
    coalition(deps)
    shift_id = sunrise_shift(deps, shared=False)
    now = deps.clock()
    with deps.session() as session, pytest.raises(NotFound):
        share_shift(session, actor=MAX, shift_id=shift_id, now=now)
    with deps.session() as session, pytest.raises(NotShiftRunner):
        share_shift(session, actor=Actor(SUNRISE, "USUN1", is_admin=False), shift_id=shift_id, now=now)
    with deps.session() as session:
        shared = share_shift(session, actor=SAM, shift_id=shift_id, now=now)
    assert shared.teams == [MTR]
    with deps.session() as session, pytest.raises(Refused, match="already"):
        share_shift(session, actor=SAM, shift_id=shift_id, now=now)
    with deps.session() as session, pytest.raises(Refused, match="Sunrise's, shared with the coalition"):
        cancel_shift(session, actor=MAX, shift_id=shift_id, now=now)
    with deps.read_session() as session:
        row = session.get(Shift, shift_id)
        assert row is not None and row.status == "open" and row.shared_by == "USUNSAM"


def test_the_roster_names_people_of_other_organizations_by_name_and_organization(deps: Deps) -> None:
    coalition(deps)
    shift_id = sunrise_shift(deps)
    claim(deps, shift_id, Member(SUNRISE, "USUN1"))
    claim(deps, shift_id, Member(MTR, "UMTR1"))
    with deps.session() as session:
        own = roster(session, actor=SAM, shift_id=shift_id, now=deps.clock())
        theirs = roster(session, actor=MAX, shift_id=shift_id, now=deps.clock())
        with pytest.raises(NotCoordinator):
            roster(session, actor=Actor(MTR, "UMTR2", is_admin=False), shift_id=shift_id, now=deps.clock())
    assert [(e.name, e.org) for e in own.entries] == [("usun1", None), ("umtr1", "Make the Road")]
    assert [(e.name, e.org) for e in theirs.entries] == [("usun1", "Sunrise"), ("umtr1", None)]
    assert own.can_run and not theirs.can_run
