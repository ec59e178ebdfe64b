"""Shifts and signups: create, list, claim, confirm, release, waitlist, roster, attendance.

Every change to a shift's signups first locks the shift row (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite's write transactions already hold the database's write lock), so
concurrent claims are served one at a time and never overbook it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import and_, func, or_
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.db import Prepared, is_postgresql, run, run_and_commit
from bot.i18n import ENGLISH_CODE, N_, person_language
from bot.models import (
    ACTIVE,
    HOLDING,
    Shift,
    ShiftKind,
    ShiftStatus,
    Signup,
    SignupStatus,
    State,
    TrainingRule,
    Volunteer,
)
from bot.services import engagement, sharing
from bot.services.clock import DateWindow, local_date, local_day_bounds, local_instant, wall_time_exists
from bot.services.errors import (
    AttendanceDoesNotApply,
    NotCoordinator,
    NotFound,
    Refused,
    ReleaseCutoffPassed,
    TurnoutError,
)
from bot.services.gates import gate
from bot.services.members import Member
from bot.services.organizations import name_of, org_names
from bot.services.people import display_names, ensure_volunteer
from bot.services.places import PLACES
from bot.services.roles import (
    Actor,
    coordinator_ids,
    is_coordinator,
    require_coordinator,
    require_shift_runner,
)
from bot.services.states import ensure_state, state_timezone

MAX_DAYS_AHEAD = 400
# A proposal waiting for a coordinator, or one turned down: never listed, never claimable.
UNPUBLISHED = (ShiftStatus.PROPOSED, ShiftStatus.DECLINED)
DEFAULT_LIST_DAYS = 7
# A page of a listing; each shift takes up to four blocks, so a page stays well inside
# Slack's 50-block message limit with room for a header, a note, a footer and paging buttons.
LIST_LIMIT = 10
# Coordinators may take attendance from an hour before start (check-in at a canvass launch).
ATTENDANCE_OPENS_BEFORE = timedelta(hours=1)


class InvalidShift(TurnoutError):
    """A new shift's details do not hold together; `field` names the part that is wrong."""

    def __init__(self, field: str, message: str, /, **values: object) -> None:
        super().__init__(message, **values)
        self.field = field


@dataclass(frozen=True)
class NewShift:
    state: str
    day: date
    start: time
    end: time
    kind: ShiftKind
    capacity: int
    location: str
    notes: str = ""


@dataclass(frozen=True)
class ShiftView:
    id: int
    # The organization that owns it.
    team_id: str
    state: str
    kind: ShiftKind
    starts_at: datetime
    ends_at: datetime
    timezone: str
    location: str
    notes: str
    capacity: int
    held: int
    waiting: int
    status: ShiftStatus
    channel_id: str | None = None
    message_ts: str | None = None
    # The volunteer who runs it (`/host`); None for a shift staff added.
    host_id: str | None = None
    # Shared with the coalition.
    shared: bool = False
    # Drawn for another organization's workspace (`seen_from`): the owning organization's name,
    # and its host's name (a mention there would name no one).
    owner: str | None = None
    host_name: str = ""

    @property
    def full(self) -> bool:
        return self.held >= self.capacity

    @property
    def cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED


@dataclass(frozen=True)
class SignupView:
    id: int
    shift: ShiftView
    # The volunteer's workspace and id.
    team_id: str
    user_id: str
    status: SignupStatus
    waitlist_position: int | None = None


@dataclass(frozen=True)
class ClaimResult:
    signup: SignupView
    already: bool
    # When the claimer's stored profile was fetched from Slack, as the claim read it (None:
    # they were new to Turnout), for the caller to refresh it after answering.
    claimer_seen_at: datetime | None = None
    # The language the claimer reads, as the claim read it (English for someone new).
    claimer_reads: str = ENGLISH_CODE


@dataclass(frozen=True)
class ReleaseResult:
    signup: SignupView
    promoted: SignupView | None
    changed: bool = True
    # Whether the signup held a place (not only a spot on the waitlist) before it was vacated.
    held_place: bool = False
    # Whether it was a claim held for acceptance (the no-show policy) that was withdrawn.
    was_held: bool = False


@dataclass(frozen=True)
class CancelResult:
    shift: ShiftView
    notify: list[Member]
    already: bool


@dataclass(frozen=True)
class RosterEntry:
    signup_id: int
    user_id: str
    name: str
    status: SignupStatus
    waitlist_position: int | None
    # 2+ no-shows in the shift's state in the last 60 days.
    flagged: bool = False
    # The person's workspace, and its organization's name when it is not the viewer's: someone
    # of another organization is shown by name and organization, never as a mention.
    team_id: str = ""
    org: str | None = None


@dataclass(frozen=True)
class Roster:
    shift: ShiftView
    entries: list[RosterEntry]
    released: int
    can_mark: bool
    # Whether the viewer runs the shift (attendance, accept, remove): its organization's runners only.
    can_run: bool = True


@dataclass(frozen=True)
class ShiftListing:
    """One page of a listing: `shifts` start at position `offset` of `total` matching shifts."""

    shifts: list[ShiftView]
    mine: dict[int, SignupView] = field(default_factory=dict)
    offset: int = 0
    total: int = 0


@dataclass(frozen=True)
class SignupPage:
    """One page of a volunteer's upcoming signups: `signups` start at `offset` of `total`."""

    signups: list[SignupView]
    offset: int
    total: int


# ---------------------------------------------------------------- reading


def shift_view(session: Session, shift: Shift) -> ShiftView:
    assert shift.id is not None
    held, waiting = _fill(session, [shift.id]).get(shift.id, (0, 0))
    return _view(shift, state_timezone(session, team_id=shift.team_id, code=shift.state), held, waiting)


def shift_views(session: Session, shifts: list[Shift]) -> list[ShiftView]:
    """Views of several shifts, with their fills counted in one query."""
    return [
        view
        for team_id in sorted({s.team_id for s in shifts})
        for view in _views(session, [s for s in shifts if s.team_id == team_id], _zones(session, team_id))
    ]


def get_shift(session: Session, shift_id: int, *, team_id: str | None) -> ShiftView:
    """The shift, as workspace `team_id` may see it: another organization's is no shift at all."""
    return get_shift_and_version(session, shift_id, team_id=team_id)[0]


def get_shift_and_version(session: Session, shift_id: int, *, team_id: str | None) -> tuple[ShiftView, int]:
    """The shift as it stands (its fill counted as `_fill` counts it, in its state's zone) and
    its version, read together in one statement (`SHIFT_VIEW`). `team_id`: the workspace asking
    (another organization's shift is no shift at all); None only for the redraw of a post the
    shift's own organization made."""
    row = run(session, SHIFT_VIEW, {"shift_id": shift_id}).first()
    if row is None or (
        team_id is not None
        and row.team_id != team_id
        and not sharing.is_visible(session, team_id=team_id, shift=cast(Shift, row))
    ):
        raise NotFound(N_("There is no shift #{shift}. `/shifts` lists the open ones."), shift=shift_id)
    view, version = shift_from_view_row(row)
    return (seen_from(session, view, team_id) if team_id is not None else view), version


def shift_from_view_row(row: Any) -> tuple[ShiftView, int]:
    """(view, version) from a row of `SHIFT_VIEW` (or a statement that adds columns to it)."""
    # The row has every column of the shift, which is all `_view` reads of one.
    shift = cast(Shift, row)
    return _view(shift, row.timezone or PLACES[row.state].timezone, int(row.held), int(row.waiting)), int(
        row.version
    )


def list_open_shifts(
    session: Session,
    *,
    who: Member,
    state: str | None,
    window: DateWindow | None,
    kind: ShiftKind | None,
    now: datetime,
    offset: int = 0,
    limit: int | None = LIST_LIMIT,
    unclaimed: bool = False,
) -> ShiftListing:
    """Shifts not yet started and not cancelled, soonest first (then by id), one page at a time,
    with the viewer's own signups (or, `unclaimed`, only shifts the viewer is not on); an offset
    past the end shows the last page."""
    zones = _zones(session, who.team_id)
    query = select(Shift).where(
        sharing.visible_to(who.team_id), Shift.status == ShiftStatus.OPEN, col(Shift.starts_at) > now
    )
    if window is None:
        query = query.where(col(Shift.starts_at) < now + timedelta(days=DEFAULT_LIST_DAYS))
    else:
        query = query.where(_in_local_dates(window, zones, state))
    if state:
        query = query.where(Shift.state == state)
    if kind:
        query = query.where(Shift.kind == kind)
    if unclaimed:
        held = select(Signup.shift_id).where(
            Signup.team_id == who.team_id, Signup.volunteer_id == who.user_id, col(Signup.status).in_(ACTIVE)
        )
        query = query.where(col(Shift.id).not_in(held))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    offset = _clamp(offset, total, limit)
    ordered = query.order_by(col(Shift.starts_at), col(Shift.id)).offset(offset)
    shifts = list(session.exec(ordered.limit(limit) if limit is not None else ordered))
    views = seen_all_from(session, _views(session, shifts, zones), who.team_id)
    return ShiftListing(views, _mine(session, who, views), offset, total)


def _in_local_dates(window: DateWindow, zones: dict[str, str], state: str | None) -> Any:
    """Starts on one of the window's local dates, each shift in its own state's zone."""
    by_zone: dict[str, list[str]] = {}
    for code, tz in zones.items():
        if state is None or code == state:
            by_zone.setdefault(tz, []).append(code)
    clauses = []
    for tz, codes in by_zone.items():
        lower, _ = local_day_bounds(window.first, tz)
        _, upper = local_day_bounds(window.last, tz)
        clauses.append(
            and_(col(Shift.state).in_(codes), col(Shift.starts_at) >= lower, col(Shift.starts_at) < upper)
        )
    return or_(*clauses)


def _clamp(offset: int, total: int, limit: int | None) -> int:
    """`offset` kept on a real page: never negative, never past the last page."""
    if limit is None or total == 0:
        return 0
    return max(0, min(offset, (total - 1) // limit * limit))


def my_shifts(session: Session, *, who: Member, now: datetime) -> list[SignupView]:
    """All the volunteer's signups on shifts that have not ended, soonest first."""
    return my_shifts_page(session, who=who, now=now, limit=None).signups


def my_shifts_page(
    session: Session, *, who: Member, now: datetime, offset: int = 0, limit: int | None = LIST_LIMIT
) -> SignupPage:
    """The volunteer's signups on shifts that have not ended, soonest first, one page at a time;
    an offset past the end shows the last page."""
    mine = (
        Signup.team_id == who.team_id,
        Signup.volunteer_id == who.user_id,
        col(Signup.status).in_(ACTIVE),
        Shift.status == ShiftStatus.OPEN,
        col(Shift.ends_at) > now,
    )
    joined = col(Signup.shift_id) == col(Shift.id)
    total = session.exec(select(func.count()).select_from(Signup).join(Shift, joined).where(*mine)).one()
    offset = _clamp(offset, total, limit)
    query = (
        select(Signup, Shift)
        .join(Shift, joined)
        .where(*mine)
        .order_by(col(Shift.starts_at), col(Shift.id))
        .offset(offset)
    )
    rows = session.exec(query.limit(limit) if limit is not None else query).all()
    views = {
        v.id: seen_from(session, v, who.team_id) for v in shift_views(session, [shift for _, shift in rows])
    }
    signups = [_signup_view(session, signup, views[signup.shift_id]) for signup, _ in rows]
    return SignupPage(signups, offset, total)


def roster(session: Session, *, actor: Actor, shift_id: int, now: datetime) -> Roster:
    """Its host and the state's coordinators see everyone on the shift: holding a place first,
    then the waitlist. A shared shift's roster is seen too by the state's coordinators in every
    workspace it is shared with, read-only: its people of other organizations by name and
    organization."""
    shift = sharing.get_visible_shift(session, actor.team_id, shift_id)
    doing = N_("see the roster of shift #{shift}")
    if shift.team_id == actor.team_id:
        require_shift_runner(session, actor=actor, shift=shift, doing=doing)
    else:
        if not is_coordinator(session, actor=actor, state=shift.state):
            coordinators = tuple(coordinator_ids(session, team_id=actor.team_id, state=shift.state))
            raise NotCoordinator(shift.state, coordinators, doing, shift=shift_id)
    signups = list(session.exec(select(Signup).where(Signup.shift_id == shift_id)))
    names: dict[tuple[str, str], str] = {}
    for team in sorted({s.team_id for s in signups}):
        ids = [s.volunteer_id for s in signups if s.team_id == team]
        names.update(
            ((team, vid), name) for vid, name in display_names(session, team_id=team, user_ids=ids).items()
        )
    orgs = org_names(session, sorted({s.team_id for s in signups} - {actor.team_id}))
    holding = sorted((s for s in signups if s.status in HOLDING), key=lambda s: (s.created_at, s.id or 0))
    waiting = sorted(
        (s for s in signups if s.status == SignupStatus.WAITLISTED),
        key=lambda s: s.waitlist_seq or 0,
    )
    # Claims held by the no-show policy, in the order they came, after everyone else.
    held_back = sorted(
        (s for s in signups if s.status == SignupStatus.PENDING), key=lambda s: (s.updated_at, s.id or 0)
    )
    flagged = {
        (team, vid)
        for team in sorted({s.team_id for s in signups})
        for vid in engagement.no_show_flags(
            session,
            team_id=team,
            state=shift.state,
            volunteer_ids=[s.volunteer_id for s in signups if s.team_id == team],
            now=now,
        )
    }

    def entry(s: Signup, position: int | None) -> RosterEntry:
        key = (s.team_id, s.volunteer_id)
        foreign = s.team_id != actor.team_id
        return RosterEntry(
            s.id or 0,
            s.volunteer_id,
            names.get(key, "" if foreign else s.volunteer_id),
            s.status,
            position,
            key in flagged,
            team_id=s.team_id,
            org=orgs.get(s.team_id, s.team_id) if foreign else None,
        )

    entries = (
        [entry(s, None) for s in holding]
        + [entry(s, n) for n, s in enumerate(waiting, start=1)]
        + [entry(s, None) for s in held_back]
    )
    released = sum(1 for s in signups if s.status in (SignupStatus.RELEASED, SignupStatus.REMOVED))
    can_mark = now >= shift.starts_at - ATTENDANCE_OPENS_BEFORE and shift.status == ShiftStatus.OPEN
    return Roster(
        shift_view(session, shift), entries, released, can_mark, can_run=shift.team_id == actor.team_id
    )


# ---------------------------------------------------------------- coordinators


def create_shift(
    session: Session, *, actor: Actor, spec: NewShift, now: datetime, source_key: str | None = None
) -> tuple[ShiftView, bool]:
    """Coordinators create shifts in their states, in the future; a resubmitted form finds the first."""
    require_coordinator(session, actor=actor, state=spec.state, doing=N_("add shifts in {state}"))
    if source_key:
        existing = session.exec(select(Shift).where(Shift.source_key == source_key)).first()
        if existing is not None and existing.team_id == actor.team_id:
            return shift_view(session, existing), False
    state = ensure_state(session, team_id=actor.team_id, code=spec.state, now=now)
    starts_at, ends_at = check_new_shift_times(spec, state.timezone, now)
    shift = Shift(
        team_id=actor.team_id,
        state=spec.state,
        kind=spec.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=spec.location,
        notes=spec.notes,
        capacity=spec.capacity,
        created_by=actor.user_id,
        created_at=now,
        source_key=source_key,
    )
    session.add(shift)
    session.flush()
    return _view(shift, state.timezone, 0, 0), True


def check_new_shift_times(spec: NewShift, tz: str, now: datetime) -> tuple[datetime, datetime]:
    """(start, end) in UTC for a new shift, which must be ahead, real wall-clock times, and not absurdly far."""
    if spec.end <= spec.start:
        raise InvalidShift("time", N_("The shift must end after it starts, on the same day."))
    for at in (spec.start, spec.end):
        if not wall_time_exists(spec.day, at, tz):
            raise InvalidShift(
                "time",
                N_("{time} does not exist on {day} in {zone} (clocks spring forward)."),
                time=f"{at:%H:%M}",
                day=spec.day.isoformat(),
                zone=tz,
            )
    starts_at, ends_at = local_instant(spec.day, spec.start, tz), local_instant(spec.day, spec.end, tz)
    today = local_date(now, tz)
    if starts_at <= now:
        if spec.day < today:
            raise InvalidShift(
                "date",
                N_("{day} is in the past ({state} is on {zone})."),
                day=spec.day.isoformat(),
                state=spec.state,
                zone=tz,
            )
        raise InvalidShift(
            "time",
            N_("{time} on {day} has already passed ({state} is on {zone})."),
            time=f"{spec.start:%H:%M}",
            day=spec.day.isoformat(),
            state=spec.state,
            zone=tz,
        )
    if spec.day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidShift("date", N_("Shifts can be planned up to {days} days ahead."), days=MAX_DAYS_AHEAD)
    return starts_at, ends_at


def cancel_shift(
    session: Session,
    *,
    actor: Actor,
    shift_id: int,
    now: datetime,
    dry_run: bool = False,
    reason: str = "",
) -> CancelResult:
    """Its host or the state's coordinators cancel (the reason is kept); everyone still on the
    shift (or its waitlist) is to be told. A `dry_run` makes the same checks and says who would
    be told, changing nothing: what the confirmation shows before Cancel is pressed."""
    shift = _lock_shift(session, shift_id, team_id=actor.team_id)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("cancel shift #{shift}"))
    notify = list(
        Member(team_id, user_id)
        for team_id, user_id in session.exec(
            select(Signup.team_id, Signup.volunteer_id).where(
                Signup.shift_id == shift_id,
                col(Signup.status).in_(
                    (
                        SignupStatus.CLAIMED,
                        SignupStatus.CONFIRMED,
                        SignupStatus.WAITLISTED,
                        SignupStatus.PENDING,
                    )
                ),
            )
        )
    )
    if shift.status == ShiftStatus.CANCELLED:
        return CancelResult(shift_view(session, shift), [], already=True)
    if shift.status == ShiftStatus.DECLINED:
        # Its decision stands as it was made: cancelled, it would read as approved and cancelled.
        raise Refused(
            N_("Shift #{shift} was declined, so it was never posted; there is nothing to cancel."),
            shift=shift_id,
        )
    if shift.ends_at <= now:
        raise Refused(N_("Shift #{shift} is already over; there is nothing to cancel."), shift=shift_id)
    if dry_run:
        return CancelResult(shift_view(session, shift), notify, already=False)
    shift.status = ShiftStatus.CANCELLED
    shift.cancelled_at = now
    shift.cancel_reason = reason or None
    shift.version += 1
    session.add(shift)
    session.flush()
    engagement.refresh_host(session, shift=shift, now=now)
    return CancelResult(shift_view(session, shift), notify, already=False)


def record_shift_post(session: Session, *, shift_id: int, channel_id: str, message_ts: str) -> None:
    shift = _shift(session, shift_id, team_id=None)
    shift.channel_id, shift.message_ts = channel_id, message_ts
    session.add(shift)
    session.flush()


def shift_version(session: Session, shift_id: int) -> int:
    return int(run(session, _SHIFT_VERSION, {"shift_id": shift_id}).scalar_one())


def mark_attendance(
    session: Session, *, actor: Actor, signup_id: int, status: SignupStatus, now: datetime
) -> SignupView:
    """Its host or the state's coordinators mark attended / no-show (and may correct a mark)
    from an hour before start."""
    signup = session.get(Signup, signup_id)
    if signup is None:
        raise NotFound(N_("That signup no longer exists; open the roster again."))
    shift = _lock_shift(session, signup.shift_id, team_id=actor.team_id, missing=_NO_SIGNUP)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("take attendance on shift #{shift}"))
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so there is no attendance to take."), shift=shift.id)
    session.refresh(signup)
    if signup.status not in HOLDING:
        raise AttendanceDoesNotApply(signup.volunteer_id, signup.status)
    if now < shift.starts_at - ATTENDANCE_OPENS_BEFORE:
        raise Refused(N_("Attendance opens an hour before shift #{shift} starts."), shift=shift.id)
    if signup.status != status:
        signup.status, signup.marked_by, signup.updated_at = status, actor.user_id, now
        shift.version += 1
        session.add_all([signup, shift])
        session.flush()
        engagement.refresh(
            session, who=Member(signup.team_id, signup.volunteer_id), state=shift.state, now=now
        )
    return _signup_view(session, signup, shift_view(session, shift))


def remove_signup(session: Session, *, actor: Actor, signup_id: int, now: datetime) -> ReleaseResult:
    """Its host or the state's coordinators take someone off a shift at any time; the waitlist
    moves up."""
    signup = session.get(Signup, signup_id)
    if signup is None:
        raise NotFound(N_("That signup no longer exists; open the roster again."))
    shift = _lock_shift(session, signup.shift_id, team_id=actor.team_id, missing=_NO_SIGNUP)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("remove people from shift #{shift}"))
    session.refresh(signup)
    if signup.status not in (
        SignupStatus.CLAIMED,
        SignupStatus.CONFIRMED,
        SignupStatus.WAITLISTED,
        SignupStatus.PENDING,
    ):
        return ReleaseResult(_signup_view(session, signup, shift_view(session, shift)), None, changed=False)
    return _vacate(session, shift, signup, SignupStatus.REMOVED, now)


# ---------------------------------------------------------------- volunteers


def claim_shift(session: Session, *, shift_id: int, who: Member, now: datetime) -> ClaimResult:
    """Take a place if one is free, else join the waitlist; claiming again finds the same signup.

    Everything that needs no lock is read first, in one statement: the shift, its state's rules,
    the caller's signup on it, whether the caller is known (a volunteer row is made for someone
    new, as a signup needs one). The claim itself is the transaction's last statements: bumping
    the shift's version (which takes the shift row's lock, held to commit, so claims on one
    shift count one at a time), then counting its fill and writing the signup (and, for a first
    signup, the volunteer's place on the ladder): on PostgreSQL one statement, read after the
    lock is taken, so it sees every claim committed before it. Another workspace's shift is no
    shift at all.

    On PostgreSQL a first claim commits the session's transaction: the bump, the claim and the
    commit go to the server in one exchange, so the lock is held for no wait on the network.
    Call it with nothing left to write in the session after it."""
    found = run(
        session, _CLAIM_READ, {"shift_id": shift_id, "team_id": who.team_id, "user_id": who.user_id}
    ).first()
    if (
        found is None
        or found.status in UNPUBLISHED
        or (found.team_id != who.team_id and not found.shared_with_caller)
    ):
        raise NotFound(N_("There is no shift #{shift}. `/shifts` lists the open ones."), shift=shift_id)
    # The row has every column of the shift, which is all `_view` and the gate read of one.
    shift = cast(Shift, found)
    timezone = found.timezone or PLACES[found.state].timezone
    if found.status == ShiftStatus.CANCELLED:
        raise _claim_cancelled(shift_id)
    if found.starts_at <= now:
        raise Refused(
            N_("Shift #{shift} has already started. `/shifts` lists upcoming ones."), shift=shift_id
        )
    if found.signup_id is not None and found.signup_status in ACTIVE:
        return _already(session, shift_id, who, found)
    # Training first, and the no-show policy (which holds the claim for acceptance: `hold`).
    hold = gate(
        session,
        shift=shift,
        who=who,
        now=now,
        needs_training=bool(found.needs_training),
        noshow_limit=found.noshow_limit,
    )
    if found.profile_updated_at is None:
        ensure_volunteer(session, who=who, now=now)

    # Its reads before the claim: on PostgreSQL the claim ends the transaction.
    shown = seen_from(session, _view(shift, timezone, 0, 0), who.team_id)
    bump = (_BUMP_OPEN_SHIFT, {"shift_id": shift_id, "claimer_team": who.team_id})
    if found.signup_id is None and is_postgresql(session):
        claim = {
            "shift_id": shift_id,
            "team_id": who.team_id,
            "volunteer_id": who.user_id,
            "state": found.state,
            "now": now,
            "hold": hold,
        }
        bumped, claimed_rows = run_and_commit(session, [bump, (_PG_CLAIM, claim)])
        capacity, taken = bumped.scalar(), claimed_rows.one()
        if capacity is None:
            raise _claim_cancelled(shift_id)
        held, waiting, last_seq, signup_id = (
            int(taken.held),
            int(taken.waiting),
            taken.last_seq,
            taken.signup_id,
        )
    else:
        capacity = run(session, *bump).scalar()
        if capacity is None:
            raise _claim_cancelled(shift_id)
        fill = tuple(run(session, _CLAIM_FILL, {"shift_id": shift_id}).one())
        held, waiting, last_seq = int(fill[0]), int(fill[1]), fill[2]
        status, seq = _claim_status(held, capacity, hold, last_seq)
        row = {"status": status, "waitlist_seq": seq, "updated_at": now}
        if found.signup_id is None:
            signup_id = run(
                session,
                _INSERT_SIGNUP,
                {
                    **row,
                    "shift_id": shift_id,
                    "team_id": who.team_id,
                    "volunteer_id": who.user_id,
                    "created_at": now,
                },
            ).scalar()
            if signup_id is not None:
                engagement.note_signup(session, who=who, state=found.state, now=now)
        else:
            signup_id = run(session, _RECLAIM_SIGNUP, {**row, "signup_id": found.signup_id}).scalar()
    if signup_id is None:
        # The same person's other request claimed first; theirs stands.
        return _already(session, shift_id, who, found)
    status, _ = _claim_status(held, capacity, hold, last_seq)
    claimed, queued = status == SignupStatus.CLAIMED, status == SignupStatus.WAITLISTED
    view = replace(shown, held=held + claimed, waiting=waiting + queued, capacity=capacity)
    return ClaimResult(
        SignupView(signup_id, view, who.team_id, who.user_id, status, waiting + 1 if queued else None),
        already=False,
        claimer_seen_at=found.profile_updated_at,
        claimer_reads=person_language(found.claimer_language, found.claimer_locale),
    )


def _claim_status(
    held: int, capacity: int, hold: bool, last_seq: int | None
) -> tuple[SignupStatus, int | None]:
    """A new claim's status and place in the waitlist's order, given the shift's fill. The
    PostgreSQL claim statement (`_PG_CLAIM`) decides the same in SQL."""
    if hold:
        return SignupStatus.PENDING, None
    if held < capacity:
        return SignupStatus.CLAIMED, None
    return SignupStatus.WAITLISTED, (last_seq or 0) + 1


def _already(session: Session, shift_id: int, who: Member, read: Any) -> ClaimResult:
    """The claimer is on the shift already; `read` is the claim's read of the shift and them."""
    found = _signup(session, shift_id, who)
    assert found is not None
    return ClaimResult(
        _signup_view(session, found, get_shift(session, shift_id, team_id=who.team_id)),
        already=True,
        claimer_seen_at=read.profile_updated_at,
        claimer_reads=person_language(read.claimer_language, read.claimer_locale),
    )


def _claim_cancelled(shift_id: int) -> Refused:
    return Refused(N_("Shift #{shift} was cancelled. `/shifts` lists the open ones."), shift=shift_id)


_shift_t = Shift.__table__.c  # type: ignore[attr-defined]
_signup_t = Signup.__table__  # type: ignore[attr-defined]
# Built once, with bound parameters, so SQLAlchemy compiles each once per dialect.
_BUMP_OPEN_SHIFT = Prepared(
    sa.update(Shift.__table__)  # type: ignore[attr-defined]
    .where(
        _shift_t.id == sa.bindparam("shift_id"),
        _shift_t.status == ShiftStatus.OPEN,
        # The claimer's organization's own, or shared with the coalition (never taken back).
        sa.or_(_shift_t.team_id == sa.bindparam("claimer_team"), _shift_t.shared_at.is_not(None)),
    )
    .values(version=_shift_t.version + 1)
    .returning(_shift_t.capacity)
)


def _of_shift(column: Any, *where: Any) -> Any:
    """`column` over the shift's signups (`where` also holds), as a scalar subquery."""
    return sa.select(column).where(_signup_t.c.shift_id == sa.bindparam("shift_id"), *where).scalar_subquery()


# A shift's places held, its waitlist's length and its last place in line, each read from an
# index alone (`ix_signup_shift_status`, `ix_signup_shift_seq`): a claim on a shift with
# thousands waiting visits none of their rows. (SQLite's; PostgreSQL's claim is `_PG_CLAIM`,
# whose counts are one pass over the shift's signups and whose last place is read likewise.)
_CLAIM_FILL = Prepared(
    sa.select(
        _of_shift(func.count(), _signup_t.c.status.in_(HOLDING)),
        _of_shift(func.count(), _signup_t.c.status == SignupStatus.WAITLISTED),
        _of_shift(func.max(_signup_t.c.waitlist_seq)),
    )
)
_RECLAIM_SIGNUP = Prepared(
    sa.update(_signup_t)
    .where(_signup_t.c.id == sa.bindparam("signup_id"), _signup_t.c.status.not_in(ACTIVE))
    .values(
        status=sa.bindparam("status"),
        waitlist_seq=sa.bindparam("waitlist_seq"),
        updated_at=sa.bindparam("updated_at"),
        confirmed_at=None,
        marked_by=None,
    )
    .returning(_signup_t.c.id)
)


_state_t = State.__table__.c  # type: ignore[attr-defined]
_SHIFT_VERSION = sa.select(_shift_t.version).where(_shift_t.id == sa.bindparam("shift_id"))


def _count_signups(*where: Any) -> Any:
    return sa.select(func.count()).where(_signup_t.c.shift_id == _shift_t.id, *where).scalar_subquery()


# The shift as every redraw of its channel post reads it: its columns, zone, fill and version.
SHIFT_VIEW = (
    sa.select(
        *Shift.__table__.c,  # type: ignore[attr-defined]
        _state_t.timezone,
        _count_signups(_signup_t.c.status.in_(HOLDING)).label("held"),
        _count_signups(_signup_t.c.status == SignupStatus.WAITLISTED).label("waiting"),
    )
    .select_from(
        Shift.__table__.outerjoin(  # type: ignore[attr-defined]
            State.__table__,  # type: ignore[attr-defined]
            sa.and_(_state_t.team_id == _shift_t.team_id, _state_t.code == _shift_t.state),
        )
    )
    .where(_shift_t.id == sa.bindparam("shift_id"))
)


def _insert_signup(insert: Any) -> Any:
    columns = ("shift_id", "team_id", "volunteer_id", "status", "waitlist_seq", "created_at", "updated_at")
    statement = insert(_signup_t).values({name: sa.bindparam(name) for name in columns})
    # A second request from the same person that lost the race inserts nothing.
    statement = statement.on_conflict_do_nothing(index_elements=["shift_id", "team_id", "volunteer_id"])
    return statement.returning(_signup_t.c.id)


# SQLite only: PostgreSQL's first claims go through `_PG_CLAIM`.
_INSERT_SIGNUP = Prepared(_insert_signup(sqlite_insert))
_vol_t = Volunteer.__table__.c  # type: ignore[attr-defined]
_rule_t = TrainingRule.__table__.c  # type: ignore[attr-defined]
# What a claim reads before taking any lock, in one statement.
_CLAIM_READ = Prepared(
    sa.select(
        *Shift.__table__.c,  # type: ignore[attr-defined]
        _state_t.timezone,
        _state_t.noshow_limit,
        sa.exists()
        .where(
            _rule_t.team_id == _shift_t.team_id,
            _rule_t.state == _shift_t.state,
            _rule_t.kind == _shift_t.kind,
        )
        .label("needs_training"),
        sharing.shared_with(sa.bindparam("team_id")).label("shared_with_caller"),
        _signup_t.c.id.label("signup_id"),
        _signup_t.c.status.label("signup_status"),
        *(
            sa.select(column)
            .where(_vol_t.team_id == sa.bindparam("team_id"), _vol_t.id == sa.bindparam("user_id"))
            .scalar_subquery()
            .label(label)
            for column, label in (
                (_vol_t.profile_updated_at, "profile_updated_at"),
                (_vol_t.language, "claimer_language"),
                (_vol_t.locale, "claimer_locale"),
            )
        ),
    )
    .select_from(
        Shift.__table__.outerjoin(  # type: ignore[attr-defined]
            State.__table__,  # type: ignore[attr-defined]
            and_(_state_t.team_id == _shift_t.team_id, _state_t.code == _shift_t.state),
        ).outerjoin(
            _signup_t,
            and_(
                _signup_t.c.shift_id == _shift_t.id,
                _signup_t.c.team_id == sa.bindparam("team_id"),
                _signup_t.c.volunteer_id == sa.bindparam("user_id"),
            ),
        )
    )
    .where(_shift_t.id == sa.bindparam("shift_id"))
)


def _in(values: tuple[SignupStatus, ...]) -> str:
    return ", ".join(f"'{value.value}'" for value in values)


# PostgreSQL, a first claim, sent with the bump that locks the shift's row (`_BUMP_OPEN_SHIFT`)
# and the commit in one exchange (`run_and_commit`): count the fill, write the signup (its status
# decided as `_claim_status` decides it) and the volunteer's place on the ladder, in one
# statement. Read committed gives each statement a snapshot taken as it starts, after the lock,
# so it sees every claim committed before. It reads the capacity itself, under the bump's own
# conditions: when the bump matched nothing (the shift was cancelled since the claim's read; a
# shift is never reopened, nor unshared), neither does this, and nothing is written.
_PG_CLAIM = Prepared(
    sa.text(
        f"""
        WITH shift_now AS (
            SELECT capacity FROM shift
            WHERE id = :shift_id AND status = '{ShiftStatus.OPEN.value}'
              AND (team_id = :team_id OR shared_at IS NOT NULL)
        ), fill AS (
            SELECT count(*) FILTER (WHERE status IN ({_in(HOLDING)})) AS held,
                   count(*) FILTER (WHERE status = '{SignupStatus.WAITLISTED.value}') AS waiting,
                   (SELECT max(waitlist_seq) FROM signup WHERE shift_id = :shift_id) AS last_seq
            FROM signup WHERE shift_id = :shift_id
        ), ins AS (
            INSERT INTO signup (shift_id, team_id, volunteer_id, status, waitlist_seq, created_at, updated_at)
            SELECT :shift_id, :team_id, :volunteer_id,
                   CASE WHEN :hold THEN '{SignupStatus.PENDING.value}'
                        WHEN fill.held < shift_now.capacity THEN '{SignupStatus.CLAIMED.value}'
                        ELSE '{SignupStatus.WAITLISTED.value}' END,
                   CASE WHEN NOT :hold AND fill.held >= shift_now.capacity
                        THEN coalesce(fill.last_seq, 0) + 1 END,
                   :now, :now
            FROM fill, shift_now
            ON CONFLICT (shift_id, team_id, volunteer_id) DO NOTHING
            RETURNING id
        ), ladder AS (
            INSERT INTO engagement (team_id, volunteer_id, state, first_signup_at, attended, hosted, no_shows)
            SELECT :team_id, :volunteer_id, :state, :now, 0, 0, 0 FROM ins
            ON CONFLICT (team_id, volunteer_id, state) DO NOTHING
        )
        SELECT fill.held, fill.waiting, fill.last_seq, (SELECT id FROM ins) AS signup_id FROM fill
        """
    )
    .bindparams(
        sa.bindparam("now", type_=_signup_t.c.created_at.type),
        sa.bindparam("hold", type_=sa.Boolean()),
    )
    .columns(
        sa.column("held", sa.Integer()),
        sa.column("waiting", sa.Integer()),
        sa.column("last_seq", sa.Integer()),
        sa.column("signup_id", sa.Integer()),
    )
)


def confirm_signup(session: Session, *, shift_id: int, who: Member, now: datetime) -> ClaimResult:
    """A volunteer holding a place confirms they will come; confirming twice changes nothing."""
    shift = _lock_shift(session, shift_id, team_id=who.team_id, shared_ok=True)
    signup = _signup(session, shift_id, who)
    if signup is None or signup.status in (SignupStatus.RELEASED, SignupStatus.REMOVED):
        raise Refused(N_("You are not on shift #{shift}. `/claim {shift}` signs you up."), shift=shift_id)
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so there is nothing to confirm."), shift=shift_id)
    if signup.status == SignupStatus.WAITLISTED:
        raise Refused(
            N_(
                "You are on the waitlist for shift #{shift}; I'll message you if a place opens, "
                "and you can confirm then."
            ),
            shift=shift_id,
        )
    if signup.status == SignupStatus.PENDING:
        raise Refused(
            N_(
                "Your claim on shift #{shift} is waiting for its host or a coordinator to accept it; "
                "I'll message you when they do, and you can confirm then."
            ),
            shift=shift_id,
        )
    if signup.status != SignupStatus.CLAIMED:
        return ClaimResult(
            _signup_view(session, signup, seen_from(session, shift_view(session, shift), who.team_id)),
            already=True,
        )
    if shift.ends_at <= now:
        raise Refused(N_("Shift #{shift} is over."), shift=shift_id)
    signup.status, signup.confirmed_at, signup.updated_at = SignupStatus.CONFIRMED, now, now
    shift.version += 1
    session.add_all([signup, shift])
    session.flush()
    return ClaimResult(
        _signup_view(session, signup, seen_from(session, shift_view(session, shift), who.team_id)),
        already=False,
    )


def release_signup(session: Session, *, shift_id: int, who: Member, now: datetime) -> ReleaseResult:
    """A volunteer gives up their place (or leaves the waitlist); refused inside the state's cutoff."""
    shift = _lock_shift(session, shift_id, team_id=who.team_id, shared_ok=True)
    signup = _signup(session, shift_id, who)
    if signup is None:
        raise Refused(N_("You are not signed up for shift #{shift}."), shift=shift_id)
    if signup.status in (SignupStatus.RELEASED, SignupStatus.REMOVED):
        return ReleaseResult(
            _signup_view(session, signup, seen_from(session, shift_view(session, shift), who.team_id)),
            None,
            changed=False,
        )
    if signup.status in (SignupStatus.ATTENDED, SignupStatus.NO_SHOW):
        raise Refused(
            N_("Shift #{shift} has been marked already; there is nothing to release."), shift=shift_id
        )
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so you are off it already."), shift=shift_id)
    if signup.status not in (SignupStatus.WAITLISTED, SignupStatus.PENDING):
        state = session.get(State, (shift.team_id, shift.state))
        cutoff = timedelta(minutes=state.unclaim_cutoff_minutes if state else 180)
        if now >= shift.starts_at - cutoff:
            assert shift.id is not None
            foreign = shift.team_id != who.team_id
            raise ReleaseCutoffPassed(
                shift.id,
                shift.state,
                cutoff.total_seconds() / 3600,
                () if foreign else tuple(coordinator_ids(session, team_id=shift.team_id, state=shift.state)),
                started=now >= shift.starts_at,
                org=name_of(session, shift.team_id) or shift.team_id if foreign else None,
            )
    return _vacate(session, shift, signup, SignupStatus.RELEASED, now, viewer=who.team_id)


# ---------------------------------------------------------------- internals


def _vacate(
    session: Session,
    shift: Shift,
    signup: Signup,
    status: SignupStatus,
    now: datetime,
    viewer: str | None = None,
) -> ReleaseResult:
    held_a_place = signup.status in HOLDING
    was_held = signup.status == SignupStatus.PENDING
    signup.status, signup.waitlist_seq, signup.updated_at = status, None, now
    session.add(signup)
    session.flush()
    promoted = None
    if held_a_place and shift.status == ShiftStatus.OPEN and shift.starts_at > now:
        held, _ = _fill(session, [shift.id or 0]).get(shift.id or 0, (0, 0))
        first = session.exec(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(col(Signup.waitlist_seq))
            .limit(1)
        ).first()
        if first is not None and held < shift.capacity:
            first.status, first.waitlist_seq, first.updated_at = SignupStatus.CLAIMED, None, now
            session.add(first)
            promoted = first
    shift.version += 1
    session.add(shift)
    session.flush()
    view = shift_view(session, shift)
    return ReleaseResult(
        _signup_view(session, signup, seen_from(session, view, viewer or shift.team_id)),
        _signup_view(session, promoted, seen_from(session, view, promoted.team_id)) if promoted else None,
        held_place=held_a_place,
        was_held=was_held,
    )


_NO_SIGNUP = N_("That signup no longer exists; open the roster again.")


def _shift(session: Session, shift_id: int, *, team_id: str | None) -> Shift:
    """The shift, for workspace `team_id`: another organization's is no shift at all (None: the
    shift's own organization is acting, e.g. recording the post it made)."""
    shift = session.get(Shift, shift_id)
    if shift is None or (team_id is not None and shift.team_id != team_id):
        raise NotFound(N_("There is no shift #{shift}. `/shifts` lists the open ones."), shift=shift_id)
    return shift


def _lock_shift(
    session: Session, shift_id: int, *, team_id: str, missing: str | None = None, shared_ok: bool = False
) -> Shift:
    """The shift, locked, for workspace `team_id`. A shift it cannot see is no shift at all; another
    organization's shared shift is its own volunteers' to confirm and release (`shared_ok`), and
    otherwise only its organization's to change."""
    shift = session.exec(
        select(Shift).where(Shift.id == shift_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if shift is None or not sharing.is_visible(session, team_id=team_id, shift=shift):
        raise NotFound(
            missing or N_("There is no shift #{shift}. `/shifts` lists the open ones."), shift=shift_id
        )
    if shift.team_id != team_id and not shared_ok:
        raise sharing.not_yours(session, shift)
    return shift


def _signup(session: Session, shift_id: int, who: Member) -> Signup | None:
    return session.exec(
        select(Signup)
        .where(Signup.shift_id == shift_id, Signup.team_id == who.team_id, Signup.volunteer_id == who.user_id)
        .execution_options(populate_existing=True)
    ).first()


def _fill(session: Session, shift_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(places held, people waiting) per shift."""
    fill: dict[int, tuple[int, int]] = {}
    if not shift_ids:
        return fill
    rows = session.exec(
        select(Signup.shift_id, Signup.status, func.count())
        .where(col(Signup.shift_id).in_(shift_ids), col(Signup.status).in_(ACTIVE))
        .group_by(col(Signup.shift_id), col(Signup.status))
    )
    for shift_id, status, count in rows:
        held, waiting = fill.get(shift_id, (0, 0))
        if status == SignupStatus.WAITLISTED:
            waiting += count
        elif status in HOLDING:  # a claim held for acceptance takes no place
            held += count
        fill[shift_id] = (held, waiting)
    return fill


def _zones(session: Session, team_id: str) -> dict[str, str]:
    """Each state's zone as workspace `team_id` set it (the state's own zone where it did not)."""
    zones = {code: place.timezone for code, place in PLACES.items()}
    zones.update(dict(session.exec(select(State.code, State.timezone).where(State.team_id == team_id)).all()))
    return zones


def _view(shift: Shift, tz: str, held: int, waiting: int) -> ShiftView:
    assert shift.id is not None
    return ShiftView(
        id=shift.id,
        team_id=shift.team_id,
        state=shift.state,
        kind=shift.kind,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        timezone=tz,
        location=shift.location,
        notes=shift.notes,
        capacity=shift.capacity,
        held=held,
        waiting=waiting,
        status=shift.status,
        channel_id=shift.channel_id,
        message_ts=shift.message_ts,
        host_id=shift.host_id,
        shared=shift.shared_at is not None,
    )


def seen_from(session: Session, view: ShiftView, team_id: str) -> ShiftView:
    """The shift as workspace `team_id` shows it: another organization's shared shift names its
    organization, and its host by name."""
    if view.team_id == team_id:
        return view
    host_name = ""
    if view.host_id is not None:
        host_name = display_names(session, team_id=view.team_id, user_ids=[view.host_id]).get(
            view.host_id, ""
        )
    owner = name_of(session, view.team_id) or view.team_id
    return replace(view, owner=owner, host_name=host_name)


def seen_all_from(session: Session, views: list[ShiftView], team_id: str) -> list[ShiftView]:
    return [seen_from(session, view, team_id) for view in views]


def _views(session: Session, shifts: list[Shift], zones: dict[str, str]) -> list[ShiftView]:
    fill = _fill(session, [s.id for s in shifts if s.id is not None])
    return [_view(s, zones[s.state], *fill.get(s.id or 0, (0, 0))) for s in shifts]


def _mine(session: Session, who: Member, views: list[ShiftView]) -> dict[int, SignupView]:
    by_id = {v.id: v for v in views}
    if not by_id:
        return {}
    signups = session.exec(
        select(Signup).where(
            Signup.team_id == who.team_id,
            Signup.volunteer_id == who.user_id,
            col(Signup.shift_id).in_(by_id),
            col(Signup.status).in_(ACTIVE),
        )
    )
    return {s.shift_id: _signup_view(session, s, by_id[s.shift_id]) for s in signups}


def _signup_view(session: Session, signup: Signup, shift: ShiftView) -> SignupView:
    position = None
    if signup.status == SignupStatus.WAITLISTED:
        position = session.exec(
            select(func.count()).where(
                Signup.shift_id == signup.shift_id,
                Signup.status == SignupStatus.WAITLISTED,
                col(Signup.waitlist_seq) <= (signup.waitlist_seq or 0),
            )
        ).one()
    assert signup.id is not None
    return SignupView(signup.id, shift, signup.team_id, signup.volunteer_id, signup.status, position)


MAX_CAPACITY = 500


MAX_LOCATION = 300


MAX_NOTES = 1000


@dataclass(frozen=True)
class ListingQuery:
    """`/shifts` filters; encoded into buttons so a click can redraw the same listing."""

    state: str | None
    when: str | None
    kind: ShiftKind | None

    def encode(self) -> str:
        return " ".join((self.state or "*", self.when or "*", self.kind or "*"))

    @classmethod
    def decode(cls, text: str) -> ListingQuery:
        state, when, kind = (None if part == "*" else part for part in text.split())
        return cls(state, when, ShiftKind(kind) if kind else None)
