"""Hosting (SPEC §8): volunteers run their own shifts.

A volunteer's `/host` is a proposal: not listed, not claimable, waiting for one of the state's
coordinators to approve or decline it. A trusted host's (granted per state), a coordinator's or
an admin's is published at once. Deciding is a conditional update (`… WHERE status = 'proposed'`),
so when two coordinators decide at once exactly one decision is recorded and the other is told
whose it was. Also here: the trusted-host role and the state's leads channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import Shift, ShiftStatus, Signup, SignupStatus, State, TrustedHost
from bot.services import engagement
from bot.services.errors import LeadsChannelTaken, NotCoordinator, NotFound, NotTrustedHost, Refused
from bot.services.members import Member
from bot.services.people import ensure_volunteer, languages_of
from bot.services.places import PLACES
from bot.services.roles import (
    Actor,
    coordinated_states,
    coordinator_ids,
    is_coordinator,
    is_trusted_host,
    require_coordinator,
)
from bot.services.shifts import NewShift, ShiftView, check_new_shift_times, shift_view, shift_views
from bot.services.states import ensure_state, state_language

# A volunteer may have this many proposals waiting at once: enough for a month of weekly
# canvasses, few enough that no one can flood the coordinators.
MAX_PENDING_PROPOSALS = 5
# Proposals shown per page of `/turnout proposals` (three blocks each, inside Slack's 50).
PROPOSALS_PAGE = 10


@dataclass(frozen=True)
class Hosted:
    """A shift from `/host`: `created` False when the same submission or typed line was seen
    before (the shift it made is returned)."""

    shift: ShiftView
    created: bool

    @property
    def published(self) -> bool:
        return self.shift.status == ShiftStatus.OPEN


@dataclass(frozen=True)
class Proposal:
    """A hosted shift as its deciders see it: the host, what they have done in the state, and
    the decision once there is one."""

    shift: ShiftView
    host_id: str
    attended: int
    hosted: int
    decided_by: str | None
    decided_at: datetime | None
    reason: str

    @property
    def status(self) -> ShiftStatus:
        return self.shift.status

    @property
    def pending(self) -> bool:
        return self.status == ShiftStatus.PROPOSED

    @property
    def declined(self) -> bool:
        return self.status == ShiftStatus.DECLINED

    @property
    def approved(self) -> bool:
        """Approved (and perhaps cancelled since)."""
        return self.decided_by is not None and not self.declined

    @property
    def withdrawn(self) -> bool:
        """Cancelled before anyone decided."""
        return self.decided_by is None and self.status == ShiftStatus.CANCELLED


@dataclass(frozen=True)
class Decision:
    proposal: Proposal
    # Decided before this request (by someone else, or by the same person clicking twice).
    already: bool


@dataclass(frozen=True)
class ProposalPage:
    """One page of proposals waiting: `state` is the one state asked for (None: all of
    `states`, the caller's)."""

    proposals: list[Proposal]
    state: str | None
    offset: int
    total: int


# ---------------------------------------------------------------- hosting


def host_shift(
    session: Session, *, actor: Actor, spec: NewShift, now: datetime, source_key: str | None = None
) -> Hosted:
    """Anyone may host. A trusted host of the state, its coordinators and admins publish at once;
    anyone else's shift is a proposal for the state's coordinators. A resubmitted form or a
    retyped line finds the first shift."""
    if source_key:
        existing = session.exec(select(Shift).where(Shift.source_key == source_key)).first()
        if existing is not None and existing.team_id == actor.team_id:
            return Hosted(shift_view(session, existing), created=False)
    state = ensure_state(session, team_id=actor.team_id, code=spec.state, now=now)
    starts_at, ends_at = check_new_shift_times(spec, state.timezone, now)
    publish = is_coordinator(session, actor=actor, state=spec.state) or is_trusted_host(
        session, actor=actor, state=spec.state
    )
    if not publish:
        waiting = session.exec(
            select(func.count()).where(
                Shift.team_id == actor.team_id,
                Shift.host_id == actor.user_id,
                Shift.status == ShiftStatus.PROPOSED,
                col(Shift.starts_at) > now,
            )
        ).one()
        if waiting >= MAX_PENDING_PROPOSALS:
            raise Refused(
                N_(
                    "You have {count} proposals waiting for a coordinator already. "
                    "Once they are decided you can propose more."
                ),
                count=waiting,
            )
    ensure_volunteer(session, who=actor.member, now=now)
    shift = Shift(
        team_id=actor.team_id,
        state=spec.state,
        kind=spec.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=spec.location,
        notes=spec.notes,
        capacity=spec.capacity,
        status=ShiftStatus.OPEN if publish else ShiftStatus.PROPOSED,
        host_id=actor.user_id,
        created_by=actor.user_id,
        created_at=now,
        source_key=source_key,
    )
    session.add(shift)
    session.flush()
    if publish:
        engagement.refresh_host(session, shift=shift, now=now)
    return Hosted(shift_view(session, shift), created=True)


_shift_t = Shift.__table__  # type: ignore[attr-defined]
# Only a proposal still waiting is decided: of two coordinators deciding at once, the second's
# update waits for the first's row lock (PostgreSQL) or write lock (SQLite), then finds the
# status changed and changes nothing.
_DECIDE = (
    sa.update(_shift_t)
    .where(_shift_t.c.id == sa.bindparam("shift_id"), _shift_t.c.status == ShiftStatus.PROPOSED)
    .values(
        status=sa.bindparam("status"),
        decided_by=sa.bindparam("decided_by"),
        decided_at=sa.bindparam("decided_at"),
        decline_reason=sa.bindparam("reason"),
        version=_shift_t.c.version + 1,
    )
)


def decide_proposal(
    session: Session, *, actor: Actor, shift_id: int, approve: bool, now: datetime, reason: str = ""
) -> Decision:
    """A coordinator of the proposal's state (or an admin) approves or declines it, once: a
    proposal already decided is left as it is and the decision it has is returned (`already`).
    A proposal whose start has passed can only be declined."""
    shift = _proposal_shift(session, shift_id, team_id=actor.team_id)
    require_coordinator(
        session, actor=actor, state=shift.state, doing=N_("approve or decline proposals in {state}")
    )
    if approve and shift.status == ShiftStatus.PROPOSED and shift.starts_at <= now:
        raise Refused(
            N_(
                "Shift #{shift} was to start before now, so it can't be approved. Decline it to let the host know."
            ),
            shift=shift_id,
        )
    changed = session.execute(
        _DECIDE,
        {
            "shift_id": shift_id,
            "status": ShiftStatus.OPEN if approve else ShiftStatus.DECLINED,
            "decided_by": actor.user_id,
            "decided_at": now,
            "reason": None if approve else (reason or None),
        },
    )
    won = getattr(changed, "rowcount", 0) == 1
    if won and approve:
        engagement.refresh_host(session, shift=shift, now=now)
    proposal = proposal_view(session, shift_id, team_id=actor.team_id)
    if not won and proposal.decided_by is None and not proposal.withdrawn:
        raise NotFound(
            N_("Shift #{shift} was published without a proposal; there is nothing to decide."), shift=shift_id
        )
    return Decision(proposal, already=not won)


def check_decider(session: Session, *, actor: Actor, shift_id: int) -> Proposal:
    """What a decider is about to decide, checked as a decision would be (before the reason is
    asked for): the proposal as it stands, decided or not."""
    shift = _proposal_shift(session, shift_id, team_id=actor.team_id)
    require_coordinator(
        session, actor=actor, state=shift.state, doing=N_("approve or decline proposals in {state}")
    )
    proposal = proposal_view(session, shift_id, team_id=actor.team_id)
    if proposal.decided_by is None and not proposal.pending and not proposal.withdrawn:
        raise NotFound(
            N_("Shift #{shift} was published without a proposal; there is nothing to decide."), shift=shift_id
        )
    return proposal


def _proposal_shift(session: Session, shift_id: int, *, team_id: str) -> Shift:
    shift = session.exec(
        select(Shift).where(Shift.id == shift_id).execution_options(populate_existing=True)
    ).first()
    if shift is None or shift.host_id is None or shift.team_id != team_id:
        raise NotFound(
            N_("There is no proposal #{shift}. `/turnout proposals` lists those waiting."), shift=shift_id
        )
    return shift


def proposal_view(session: Session, shift_id: int, *, team_id: str) -> Proposal:
    """The hosted shift `shift_id` of workspace `team_id` as its deciders see it, read fresh."""
    shift = _proposal_shift(session, shift_id, team_id=team_id)
    return _proposals(session, [shift])[0]


def _proposals(session: Session, shifts: list[Shift]) -> list[Proposal]:
    """Proposals for hosted shifts, with each host's record in the shift's state: shifts attended,
    and other shifts they host that were published. Two queries for the whole page (the shifts
    are all one workspace's)."""
    teams = {s.team_id for s in shifts}
    assert len(teams) <= 1, "proposals are listed one workspace at a time"
    team = next(iter(teams), "")
    hosts = sorted({s.host_id for s in shifts if s.host_id})
    attended: dict[tuple[str, str], int] = {}
    hosted: dict[tuple[str, str], int] = {}
    if hosts:
        for user_id, state, count in session.exec(
            select(Signup.volunteer_id, Shift.state, func.count())
            .join(Shift, col(Shift.id) == col(Signup.shift_id))
            .where(
                Signup.team_id == team,
                col(Signup.volunteer_id).in_(hosts),
                Signup.status == SignupStatus.ATTENDED,
            )
            .group_by(col(Signup.volunteer_id), col(Shift.state))
        ):
            attended[(user_id, state)] = count
        for host, state, count in session.exec(
            select(Shift.host_id, Shift.state, func.count())
            .where(Shift.team_id == team, col(Shift.host_id).in_(hosts), Shift.status == ShiftStatus.OPEN)
            .group_by(col(Shift.host_id), col(Shift.state))
        ):
            hosted[(str(host), state)] = count
    views = shift_views(session, shifts)
    found = []
    for shift, view in zip(shifts, views, strict=True):
        host = shift.host_id or ""
        own = 1 if shift.status == ShiftStatus.OPEN else 0  # this shift is not part of their record
        found.append(
            Proposal(
                shift=view,
                host_id=host,
                attended=attended.get((host, shift.state), 0),
                hosted=hosted.get((host, shift.state), 0) - own,
                decided_by=shift.decided_by,
                decided_at=shift.decided_at,
                reason=shift.decline_reason or "",
            )
        )
    return found


def list_proposals(
    session: Session,
    *,
    actor: Actor,
    state: str | None,
    default: str | None,
    now: datetime,
    offset: int = 0,
    limit: int = PROPOSALS_PAGE,
) -> ProposalPage:
    """Proposals still waiting that start in the future, soonest first, for one state (named, or
    the channel's or home state when the caller coordinates it), else for every state the caller
    coordinates; an offset past the end shows the last page."""
    if state is not None:
        require_coordinator(session, actor=actor, state=state, doing=N_("see {state}'s proposals"))
        states: tuple[str, ...] = (state,)
    else:
        mine = coordinated_states(session, actor=actor)
        if default is not None and default in mine:
            state, states = default, (default,)
        elif mine:
            states = tuple(mine)
        elif default is not None:
            raise NotCoordinator(
                default,
                tuple(coordinator_ids(session, team_id=actor.team_id, state=default)),
                N_("see {state}'s proposals"),
            )
        else:
            raise Refused(
                N_(
                    "Only coordinators and admins decide proposals. Yours go to the state's coordinators "
                    "as soon as you send them with `/host`."
                )
            )
    waiting = (
        Shift.team_id == actor.team_id,
        Shift.status == ShiftStatus.PROPOSED,
        col(Shift.starts_at) > now,
        *(() if len(states) == len(PLACES) else (col(Shift.state).in_(states),)),
    )
    total = session.exec(select(func.count()).select_from(Shift).where(*waiting)).one()
    offset = max(0, min(offset, (total - 1) // limit * limit)) if total else 0
    shifts = session.exec(
        select(Shift)
        .where(*waiting)
        .order_by(col(Shift.starts_at), col(Shift.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return ProposalPage(_proposals(session, list(shifts)), state, offset, total)


# ---------------------------------------------------------------- trusted hosts


def grant_trusted_host(session: Session, *, actor: Actor, user_id: str, state: str, now: datetime) -> bool:
    """A state's coordinators (and admins) trust a volunteer to publish the shifts they host there;
    False when they were trusted already."""
    require_coordinator(session, actor=actor, state=state, doing=N_("make trusted hosts in {state}"))
    team_id = actor.team_id
    ensure_state(session, team_id=team_id, code=state, now=now)
    ensure_volunteer(session, who=Member(team_id, user_id), now=now)
    if session.get(TrustedHost, (team_id, user_id, state)) is not None:
        return False
    session.add(
        TrustedHost(team_id=team_id, user_id=user_id, state=state, granted_by=actor.user_id, granted_at=now)
    )
    session.flush()
    engagement.refresh(session, who=Member(team_id, user_id), state=state, now=now)
    return True


def revoke_trusted_host(session: Session, *, actor: Actor, user_id: str, state: str) -> None:
    """Revoking leaves the shifts they host as they are; their next `/host` is a proposal again."""
    require_coordinator(session, actor=actor, state=state, doing=N_("revoke trusted hosts in {state}"))
    role = session.get(TrustedHost, (actor.team_id, user_id, state))
    if role is None:
        raise NotTrustedHost(user_id, state)
    session.delete(role)
    session.flush()


# ---------------------------------------------------------------- the leads channel


@dataclass(frozen=True)
class LeadsRoute:
    """Where news for a state's leaders goes: its leads channel, else its coordinators by DM."""

    state: str
    channel_id: str | None
    coordinator_ids: tuple[str, ...]


def set_leads_channel(
    session: Session, *, actor: Actor, code: str, channel_id: str | None, now: datetime
) -> LeadsRoute:
    """Coordinators bind (or, with None, unbind) their state's leads channel. A state's own
    channel is where its volunteers are, so it is never a leads channel; and one leads channel
    serves one state."""
    require_coordinator(session, actor=actor, state=code, doing=N_("set {state}'s leads channel"))
    if channel_id is not None:
        team = actor.team_id
        public = session.exec(
            select(State.code).where(State.team_id == team, State.channel_id == channel_id)
        ).first()
        if public is not None:
            raise LeadsChannelTaken(channel_id, public, code, leads=False)
        other = session.exec(
            select(State.code).where(
                State.team_id == team, State.leads_channel_id == channel_id, State.code != code
            )
        ).first()
        if other is not None:
            raise LeadsChannelTaken(channel_id, other, code, leads=True)
    state = ensure_state(session, team_id=actor.team_id, code=code, now=now)
    state.leads_channel_id = channel_id
    session.add(state)
    session.flush()
    return leads_route(session, team_id=actor.team_id, code=code)


def show_leads_route(session: Session, *, actor: Actor, code: str) -> LeadsRoute:
    """Coordinators see where their state's leads news goes."""
    require_coordinator(session, actor=actor, state=code, doing=N_("see where {state}'s leads news goes"))
    return leads_route(session, team_id=actor.team_id, code=code)


def leads_route(session: Session, *, team_id: str, code: str) -> LeadsRoute:
    state = session.get(State, (team_id, code))
    coordinators = tuple(coordinator_ids(session, team_id=team_id, state=code))
    return LeadsRoute(code, state.leads_channel_id if state else None, coordinators)


def leads_languages(session: Session, *, team_id: str, state: str, targets: list[str]) -> dict[str, str]:
    """The language of each place a workspace's state's leads news goes (`leads_targets`): its
    leads channel reads the state's language (a channel post), and so does a channel that was
    the leads channel when a copy was sent; a coordinator reached by DM reads their own."""
    row = session.get(State, (team_id, state))
    channel = row.leads_channel_id if row is not None else None
    people = languages_of(
        session, team_id=team_id, user_ids=[t for t in targets if t != channel and not is_channel(t)]
    )
    channel_language = state_language(session, team_id=team_id, code=state)
    return {target: people.get(target, channel_language) for target in targets}


def is_channel(target: str) -> bool:
    """A channel's id (`C…`, `G…`), as against a person's (`U…`, `W…`)."""
    return target[:1] in ("C", "G")
