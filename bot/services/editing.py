"""Changing a published shift (SPEC §8): edit it, repeat it weekly, cancel the rest of its
series, and put someone on it who called in or walked in.

Each change locks the shift row first, as claims do (`claim_shift` bumps the shift's version,
which takes the same lock), so an edit of capacity and a burst of claims are served one at a
time: never more places held than the capacity, and never a signup lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import (
    ACTIVE,
    HOLDING,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Shift,
    ShiftStatus,
    Signup,
    SignupStatus,
)
from bot.services import engagement, sharing
from bot.services.clock import local_date
from bot.services.errors import CapacityBelowHeld, NotCoordinator, NotFound, Refused
from bot.services.members import Member
from bot.services.organizations import org_names
from bot.services.people import display_names, ensure_volunteer
from bot.services.roles import Actor, coordinator_ids, is_coordinator, is_trusted_host, require_shift_runner
from bot.services.shifts import (
    InvalidShift,
    NewShift,
    ShiftView,
    SignupView,
    _lock_shift,
    _signup,
    _signup_view,
    _view,
    cancel_shift,
    check_new_shift_times,
    shift_view,
)
from bot.services.states import state_timezone

# At most half a year of weekly copies at a time (a campaign season); `until` obeys it too.
MAX_REPEAT = 26
# What `shift edit` can change. Kind and state stay: a different kind or state is a different shift.
EDITABLE = ("date", "time", "capacity", "location", "notes")
# Scheduled messages about a shift's time, keyed by its id: sent again for a new time.
TIMED_KINDS = (DeliveryKind.DAY_BEFORE, DeliveryKind.REMINDER, DeliveryKind.AT_RISK, DeliveryKind.FOLLOW_UP)


@dataclass(frozen=True)
class ShiftChanges:
    """What an edit asks for; None leaves that part as it is. A new day keeps the local hours,
    new hours keep the day."""

    day: date | None = None
    start: time | None = None
    end: time | None = None
    capacity: int | None = None
    location: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class EditResult:
    """`changed`: the parts that changed, in EDITABLE's order (empty: the shift already said that).
    `told`: everyone on the shift, to be told what changed (none when only the capacity did);
    `promoted`: those the new places went to, off the waitlist; `version`: the shift's, after."""

    before: ShiftView
    shift: ShiftView
    changed: tuple[str, ...]
    told: list[SignupView]
    promoted: list[SignupView]
    version: int


@dataclass(frozen=True)
class Repeat:
    """Weekly copies: `weeks` of them, or every week up to and including `until`."""

    weeks: int | None = None
    until: date | None = None


@dataclass(frozen=True)
class RepeatResult:
    shift: ShiftView
    created: list[ShiftView]
    # Weeks the series already has a shift on (a repeat typed again adds nothing twice).
    existing: list[ShiftView]


@dataclass(frozen=True)
class SeriesCancel:
    """The shifts of a series cancelled (or, in a dry run, to be), and each person to tell with
    the shifts of theirs among them."""

    shift: ShiftView
    shifts: list[ShiftView]
    notify: dict[Member, list[ShiftView]]
    already: bool


@dataclass(frozen=True)
class RosterAdd:
    """Someone a runner put on a shift: `walk_in` once it has started (marked attended)."""

    signup: SignupView
    walk_in: bool
    already: bool


@dataclass(frozen=True)
class EditableShift:
    """A shift as its edit form shows it: its local day and hours, as they would be typed, and
    whether the editor may also repeat it (each copy is a new shift: for those who publish)."""

    shift: ShiftView
    day: date
    start: time
    end: time
    can_repeat: bool = False


# ---------------------------------------------------------------- edit


def shift_to_edit(session: Session, *, actor: Actor, shift_id: int, now: datetime) -> EditableShift:
    """What the edit form is filled in with, for someone who may edit the shift, while it can be."""
    shift = _runnable(session, actor=actor, shift_id=shift_id)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("edit shift #{shift}"))
    _check_changeable(shift, now)
    tz = state_timezone(session, team_id=shift.team_id, code=shift.state)
    can_repeat = is_coordinator(session, actor=actor, state=shift.state) or (
        shift.host_id == actor.user_id and is_trusted_host(session, actor=actor, state=shift.state)
    )
    return EditableShift(shift_view(session, shift), *_local_parts(shift, tz), can_repeat=can_repeat)


def edit_shift(
    session: Session, *, actor: Actor, shift_id: int, changes: ShiftChanges, now: datetime
) -> EditResult:
    """The shift's runner changes its day, hours, capacity, location or notes before it starts.
    Capacity never goes below the places held; raising it gives the new places to the waitlist
    in order. A new day or time asks for confirmations again and lets reminders go out anew."""
    shift = _lock_shift(session, shift_id, team_id=actor.team_id)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("edit shift #{shift}"))
    _check_changeable(shift, now)
    tz = state_timezone(session, team_id=shift.team_id, code=shift.state)
    before = shift_view(session, shift)
    day, start, end = _local_parts(shift, tz)
    new_day, new_start, new_end = changes.day or day, changes.start or start, changes.end or end
    changed: list[str] = []
    starts_at, ends_at = shift.starts_at, shift.ends_at
    if (new_day, new_start, new_end) != (day, start, end):
        spec = NewShift(shift.state, new_day, new_start, new_end, shift.kind, shift.capacity, shift.location)
        starts_at, ends_at = check_new_shift_times(spec, tz, now)
        changed += ["date"] if new_day != day else []
        changed += ["time"] if (new_start, new_end) != (start, end) else []
    if changes.capacity is not None and changes.capacity != shift.capacity:
        holders = _holders(session, shift_id)
        if changes.capacity < len(holders):
            raise _below_held(session, shift, changes.capacity)
        changed.append("capacity")
    if changes.location is not None and changes.location != shift.location:
        changed.append("location")
    if changes.notes is not None and changes.notes != shift.notes:
        changed.append("notes")
    if not changed:
        return EditResult(before, before, (), [], [], shift.version)

    shift.version += 1
    if starts_at != shift.starts_at or ends_at != shift.ends_at:
        shift.starts_at, shift.ends_at = starts_at, ends_at
        _ask_to_confirm_again(session, shift_id, now)
        _forget_timed_messages(session, shift_id, shift.version)
    raised = changes.capacity is not None and changes.capacity > shift.capacity
    shift.capacity = changes.capacity if changes.capacity is not None else shift.capacity
    shift.location = changes.location if changes.location is not None else shift.location
    shift.notes = changes.notes if changes.notes is not None else shift.notes
    session.add(shift)
    session.flush()
    promoted = _promote(session, shift, now) if raised else []
    view = shift_view(session, shift)
    told: list[SignupView] = []
    if set(changed) - {"capacity"}:
        on_it = session.exec(
            select(Signup)
            .where(Signup.shift_id == shift_id, col(Signup.status).in_(ACTIVE))
            .order_by(col(Signup.id))
            .execution_options(populate_existing=True)
        ).all()
        told = [_signup_view(session, s, view) for s in on_it]
    return EditResult(
        before,
        view,
        tuple(name for name in EDITABLE if name in changed),
        told,
        [_signup_view(session, s, view) for s in promoted],
        shift.version,
    )


def _check_changeable(shift: Shift, now: datetime) -> None:
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so it can't be edited."), shift=shift.id)
    if shift.status != ShiftStatus.OPEN:
        raise Refused(
            N_("Shift #{shift} is not published yet; it can be edited once it is approved."), shift=shift.id
        )
    if shift.starts_at <= now:
        raise Refused(
            N_(
                "Shift #{shift} has already started, so it can't be edited. "
                "Add walk-ins with `/turnout roster {shift} add @name`."
            ),
            shift=shift.id,
        )


def _local_parts(shift: Shift, tz: str) -> tuple[date, time, time]:
    """The shift's local day and hours, as they would be typed."""
    zone = ZoneInfo(tz)
    start, end = shift.starts_at.astimezone(zone), shift.ends_at.astimezone(zone)
    return start.date(), start.time().replace(tzinfo=None), end.time().replace(tzinfo=None)


def _holders(session: Session, shift_id: int) -> list[str]:
    """Who holds a place on the shift, in the order they signed up (as the roster lists them)."""
    return list(
        session.exec(
            select(Signup.volunteer_id)
            .where(Signup.shift_id == shift_id, col(Signup.status).in_(HOLDING))
            .order_by(col(Signup.created_at), col(Signup.id))
        )
    )


def _below_held(session: Session, shift: Shift, capacity: int) -> CapacityBelowHeld:
    """The refusal naming who holds the places: each by their own workspace's name for them,
    with their organization when it is not the shift's (a shared shift)."""
    rows = session.exec(
        select(Signup.team_id, Signup.volunteer_id)
        .where(Signup.shift_id == shift.id, col(Signup.status).in_(HOLDING))
        .order_by(col(Signup.created_at), col(Signup.id))
    ).all()
    names: dict[tuple[str, str], str] = {}
    for team in {team for team, _ in rows}:
        found = display_names(session, team_id=team, user_ids=[u for t, u in rows if t == team])
        names.update({(team, u): name for u, name in found.items()})
    foreign = sorted({team for team, _ in rows if team != shift.team_id})
    orgs = org_names(session, foreign) if foreign else {}
    return CapacityBelowHeld(
        shift.id or 0,
        capacity,
        tuple((u, names.get((t, u), u)) for t, u in rows),
        {u: orgs.get(t, t) for t, u in rows if t != shift.team_id},
    )


def _promote(session: Session, shift: Shift, now: datetime) -> list[Signup]:
    """Give the shift's free places to the first people waiting."""
    held = session.exec(
        select(func.count()).where(Signup.shift_id == shift.id, col(Signup.status).in_(HOLDING))
    ).one()
    free = shift.capacity - held
    if free <= 0:
        return []
    first = list(
        session.exec(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(col(Signup.waitlist_seq))
            .limit(free)
            .execution_options(populate_existing=True)
        )
    )
    for signup in first:
        signup.status, signup.waitlist_seq, signup.updated_at = SignupStatus.CLAIMED, None, now
        session.add(signup)
    session.flush()
    return first


def _ask_to_confirm_again(session: Session, shift_id: int, now: datetime) -> None:
    """A confirmation was for the old day and hours: it is asked for again."""
    for signup in session.exec(
        select(Signup).where(Signup.shift_id == shift_id, Signup.status == SignupStatus.CONFIRMED)
    ):
        signup.status, signup.confirmed_at, signup.updated_at = SignupStatus.CLAIMED, None, now
        session.add(signup)


def moved_key(shift_id: int, version: int) -> str:
    """The key the timed messages of a shift's old time keep once it moved (at `version`)."""
    return f"{shift_id}~moved{version}"


def _forget_timed_messages(session: Session, shift_id: int, version: int) -> None:
    """The day-before DM, reminders and at-risk post are keyed by the shift: for a shift that
    moved, those of the old time are set aside (and any still owed given up), so the jobs send
    them again for the new time."""
    rows = session.exec(
        select(Delivery).where(col(Delivery.kind).in_(TIMED_KINDS), Delivery.key == str(shift_id))
    ).all()
    for row in rows:
        row.key = moved_key(shift_id, version)
        if row.status != DeliveryStatus.SENT:
            row.status, row.last_error = DeliveryStatus.FAILED, "the shift moved"
        session.add(row)


# ---------------------------------------------------------------- repeat


def weekly_days(first: date, repeat: Repeat) -> list[date]:
    """The copies' local days: the same weekday, one to N weeks after `first` (or up to `until`)."""
    if repeat.until is not None:
        count = (repeat.until - first).days // 7
        if count < 1:
            raise InvalidShift(
                "repeat",
                N_("{until} comes before the first weekly copy ({first}); there is no week to add."),
                until=repeat.until.isoformat(),
                first=(first + timedelta(weeks=1)).isoformat(),
            )
        if count > MAX_REPEAT:
            raise InvalidShift(
                "repeat",
                N_("Repeat at most {most} weeks at a time; until {until} would be {count}."),
                most=MAX_REPEAT,
                until=repeat.until.isoformat(),
                count=count,
            )
    else:
        count = repeat.weeks or 0
        if not 1 <= count <= MAX_REPEAT:
            raise InvalidShift(
                "repeat", N_("Repeat for 1 to {most} weeks, not {count}."), most=MAX_REPEAT, count=count
            )
    return [first + timedelta(weeks=n) for n in range(1, count + 1)]


def plan_copies(
    spec: NewShift, repeat: Repeat, tz: str, now: datetime
) -> list[tuple[date, datetime, datetime]]:
    """(day, start, end) of each weekly copy of `spec`, at the same local hours whatever the
    daylight-saving time; a week whose hours do not exist (clocks spring forward) or are too
    far ahead is refused by its date."""
    copies = []
    for day in weekly_days(spec.day, repeat):
        try:
            starts_at, ends_at = check_new_shift_times(
                NewShift(spec.state, day, spec.start, spec.end, spec.kind, spec.capacity, spec.location),
                tz,
                now,
            )
        except InvalidShift as invalid:
            if str(day) in invalid.message:
                raise InvalidShift("repeat", invalid.template, **invalid.values) from invalid
            raise InvalidShift(
                "repeat", N_("The copy on {day}: {problem}"), day=day.isoformat(), problem=invalid
            ) from invalid
        copies.append((day, starts_at, ends_at))
    return copies


def repeat_shift(
    session: Session, *, actor: Actor, shift_id: int, repeat: Repeat, now: datetime
) -> RepeatResult:
    """Coordinators (and a trusted host, for their own shift) copy a shift weekly into a series;
    a week the series already has a shift on is left as it is."""
    shift = _lock_shift(session, shift_id, team_id=actor.team_id)
    _require_publisher(session, actor=actor, shift=shift, doing=N_("repeat shift #{shift}"))
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so it can't be repeated."), shift=shift_id)
    if shift.status != ShiftStatus.OPEN:
        raise Refused(
            N_("Shift #{shift} is not published yet; it can be repeated once it is approved."), shift=shift_id
        )
    tz = state_timezone(session, team_id=shift.team_id, code=shift.state)
    day, start, end = _local_parts(shift, tz)
    spec = NewShift(shift.state, day, start, end, shift.kind, shift.capacity, shift.location, shift.notes)
    if end <= start:  # a shift that ran past midnight: the copies keep its length
        spec = NewShift(shift.state, day, start, time(23, 59), shift.kind, shift.capacity, shift.location)
    copies = plan_copies(spec, repeat, tz, now)
    series_id = shift.series_id or shift.id
    assert series_id is not None
    taken = {
        local_date(row.starts_at, tz): row
        for row in session.exec(
            select(Shift).where(or_(col(Shift.series_id) == series_id, col(Shift.id) == series_id))
        )
    }
    created: list[Shift] = []
    for copy_day, starts_at, ends_at in copies:
        if copy_day in taken:
            continue
        copy = Shift(
            team_id=shift.team_id,
            state=shift.state,
            kind=shift.kind,
            starts_at=starts_at,
            ends_at=ends_at if end > start else starts_at + (shift.ends_at - shift.starts_at),
            location=shift.location,
            notes=shift.notes,
            capacity=shift.capacity,
            created_by=actor.user_id,
            created_at=now,
            host_id=shift.host_id,
            series_id=series_id,
        )
        session.add(copy)
        created.append(copy)
    shift.series_id = series_id
    session.add(shift)
    session.flush()
    if created:
        engagement.refresh_host(session, shift=shift, now=now)  # the copies are shifts they host
    existing = [taken[d] for d, _s, _e in copies if d in taken]
    return RepeatResult(
        shift_view(session, shift),
        [_view(c, tz, 0, 0) for c in created],
        [shift_view(session, row) for row in existing],
    )


def _require_publisher(session: Session, *, actor: Actor, shift: Shift, doing: str) -> None:
    """New shifts are published by coordinators and admins, and by a trusted host for their own."""
    if is_coordinator(session, actor=actor, state=shift.state):
        return
    if shift.host_id == actor.user_id:
        if is_trusted_host(session, actor=actor, state=shift.state):
            return
        doing = N_(
            "repeat shift #{shift} (each copy is a new shift; a host publishes new shifts once a "
            "coordinator trusts them)"
        )
    coordinators = tuple(coordinator_ids(session, team_id=shift.team_id, state=shift.state))
    raise NotCoordinator(shift.state, coordinators, doing, shift=shift.id)


# ---------------------------------------------------------------- cancel a series


def cancel_series(
    session: Session, *, actor: Actor, shift_id: int, reason: str, now: datetime, dry_run: bool = False
) -> SeriesCancel:
    """Cancel a shift and every later one of its series that has not started; each person on
    them is to be told once. A `dry_run` says what would be cancelled, changing nothing."""
    shift = _lock_shift(session, shift_id, team_id=actor.team_id)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("cancel the series of shift #{shift}"))
    if shift.series_id is None:
        raise Refused(
            N_("Shift #{shift} is not part of a series. `/turnout shift cancel {shift}` cancels it alone."),
            shift=shift_id,
        )
    rows = session.exec(
        select(Shift)
        .where(
            Shift.series_id == shift.series_id,
            col(Shift.starts_at) >= shift.starts_at,
            col(Shift.starts_at) > now,
            Shift.status == ShiftStatus.OPEN,
        )
        .order_by(col(Shift.starts_at), col(Shift.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        require_shift_runner(session, actor=actor, shift=row, doing=N_("cancel shift #{shift}"))
    if not rows:
        return SeriesCancel(shift_view(session, shift), [], {}, already=True)
    shifts: list[ShiftView] = []
    notify: dict[Member, list[ShiftView]] = {}
    for row in rows:
        assert row.id is not None
        result = cancel_shift(session, actor=actor, shift_id=row.id, now=now, dry_run=dry_run, reason=reason)
        shifts.append(result.shift)
        for who in result.notify:
            notify.setdefault(who, []).append(result.shift)
    return SeriesCancel(shift_view(session, shift), shifts, notify, already=False)


# ---------------------------------------------------------------- roster add


def add_to_shift(session: Session, *, actor: Actor, shift_id: int, user_id: str, now: datetime) -> RosterAdd:
    """A shift's runner puts someone on it: before it starts, someone who called in takes a free
    place (else the waitlist), and a claim the no-show policy held is accepted so; once it has
    started, a walk-in is marked attended, past the capacity if need be (they came)."""
    shift = _lock_shift(session, shift_id, team_id=actor.team_id)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("add people to shift #{shift}"))
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so nobody can be added to it."), shift=shift_id)
    if shift.status != ShiftStatus.OPEN:
        raise Refused(
            N_("Shift #{shift} is not published yet; people can be added once it is approved."),
            shift=shift_id,
        )
    who = Member(actor.team_id, user_id)  # someone of the runner's own workspace
    ensure_volunteer(session, who=who, now=now)
    signup = _signup(session, shift_id, who)
    walk_in = now >= shift.starts_at
    # A claim the no-show policy held is on the shift without a place: adding them accepts it.
    on_it = signup is not None and signup.status in ACTIVE and signup.status != SignupStatus.PENDING
    if signup is not None and (signup.status == SignupStatus.ATTENDED if walk_in else on_it):
        return RosterAdd(_signup_view(session, signup, shift_view(session, shift)), walk_in, already=True)
    if signup is None:
        signup = Signup(
            team_id=who.team_id,
            shift_id=shift_id,
            volunteer_id=user_id,
            status=SignupStatus.CLAIMED,
            created_at=now,
            updated_at=now,
            added_by=actor.user_id,
        )
    elif signup.status == SignupStatus.PENDING:
        signup.marked_by = actor.user_id  # accepted, as Accept records it
    elif signup.status not in ACTIVE:
        signup.added_by, signup.confirmed_at = actor.user_id, None
    signup.updated_at, signup.waitlist_seq = now, None
    if walk_in:
        signup.status, signup.marked_by = SignupStatus.ATTENDED, actor.user_id
    elif len(_holders(session, shift_id)) < shift.capacity:
        signup.status = SignupStatus.CLAIMED
    else:
        last = session.exec(select(func.max(Signup.waitlist_seq)).where(Signup.shift_id == shift_id)).one()
        signup.status, signup.waitlist_seq = SignupStatus.WAITLISTED, (last or 0) + 1
    shift.version += 1
    session.add_all([signup, shift])
    session.flush()
    # On the ladder from now on; a walk-in marked attended counts as a shift attended.
    engagement.refresh(session, who=who, state=shift.state, now=now)
    return RosterAdd(_signup_view(session, signup, shift_view(session, shift)), walk_in, already=False)


def require_runner_of(session: Session, *, actor: Actor, shift_id: int, doing: str) -> None:
    """Refused, naming who can, unless the actor runs the shift."""
    shift = _runnable(session, actor=actor, shift_id=shift_id)
    require_shift_runner(session, actor=actor, shift=shift, doing=doing)


def _runnable(session: Session, *, actor: Actor, shift_id: int) -> Shift:
    """The shift, for its own organization to run: one the actor's workspace cannot see is no
    shift at all; another organization's shared shift is refused as that organization's."""
    shift = session.get(Shift, shift_id)
    if shift is None or not sharing.is_visible(session, team_id=actor.team_id, shift=shift):
        raise NotFound(N_("There is no shift #{shift}. `/shifts` lists the open ones."), shift=shift_id)
    if shift.team_id != actor.team_id:
        raise sharing.not_yours(session, shift)
    return shift
