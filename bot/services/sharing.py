"""Shared shifts: the one place that decides which shifts a workspace of the coalition sees.

A shift belongs to the organization that made it (`Shift.team_id`). Its organization may share
it with the coalition (`/turnout share ID`); from then on it is listed, posted and claimable in
every other workspace that has a channel for its state, and one capacity is filled from all of
them. Sharing is one-way: once people of other organizations may hold places, it is never
taken back.

Every entry point that reads a shift by id, and every listing, goes through `visible_to`, so
a shift that is neither the workspace's own nor shared with it is no shift at all there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.blocks.common import esc
from bot.i18n import N_
from bot.models import ACTIVE, Organization, Shift, ShiftPost, ShiftStatus, Signup, State
from bot.services.errors import NotFound, Refused
from bot.services.roles import Actor, require_shift_runner

NO_SHIFT = N_("There is no shift #{shift}. `/shifts` lists the open ones.")

_shift_t = Shift.__table__.c  # type: ignore[attr-defined]
# Aliases of their own, so the condition stays whole inside statements that join these tables.
_state_t = State.__table__.alias("shared_state").c  # type: ignore[attr-defined]
_org_t = Organization.__table__.alias("shared_org").c  # type: ignore[attr-defined]
_signup_t = Signup.__table__.alias("shared_signup").c  # type: ignore[attr-defined]


def shared_with(team: Any, shift: Any = _shift_t) -> Any:
    """The SQL condition that a shared shift (columns `shift`) is open to workspace `team` (a
    value or a bound parameter): its organization is still installed, and `team` has a channel
    for its state, or already has someone on it (who can always see a shift they are on)."""
    return sa.and_(
        shift.shared_at.is_not(None),
        sa.exists().where(_org_t.team_id == shift.team_id, _org_t.uninstalled_at.is_(None)),
        sa.or_(
            sa.exists().where(
                _state_t.team_id == team, _state_t.code == shift.state, _state_t.channel_id.is_not(None)
            ),
            sa.exists().where(
                _signup_t.shift_id == shift.id, _signup_t.team_id == team, _signup_t.status.in_(ACTIVE)
            ),
        ),
    )


def visible_to(team_id: str, shift: Any = _shift_t) -> Any:
    """The SQL condition that the shift (columns `shift`) is visible to workspace `team_id`: its
    own, or shared with it."""
    return sa.or_(shift.team_id == team_id, shared_with(team_id, shift))


def is_visible(session: Session, *, team_id: str, shift: Shift) -> bool:
    if shift.team_id == team_id:
        return True
    if shift.shared_at is None:
        return False
    query = (
        sa.select(shared_with(team_id, _shift_t))
        .select_from(Shift.__table__)  # type: ignore[attr-defined]
        .where(_shift_t.id == shift.id)
    )
    return bool(session.execute(query).scalar())


def get_visible_shift(session: Session, team_id: str, shift_id: int, *, lock: bool = False) -> Shift:
    """The shift, as workspace `team_id` may see it (locked for update with `lock`): neither its
    own nor shared with it, it is no shift at all."""
    query = select(Shift).where(Shift.id == shift_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    shift = session.exec(query).first()
    if shift is None or not is_visible(session, team_id=team_id, shift=shift):
        raise NotFound(NO_SHIFT, shift=shift_id)
    return shift


@dataclass(frozen=True)
class Shared:
    """A shift just shared: the workspaces it is now open to (each with a channel for its state)."""

    shift_id: int
    state: str
    teams: list[str]


def share_shift(session: Session, *, actor: Actor, shift_id: int, now: datetime) -> Shared:
    """Its organization's host, coordinators or admins share a published, upcoming shift with the
    coalition; sharing it again says so and changes nothing."""
    shift = session.exec(
        select(Shift).where(Shift.id == shift_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if shift is None or not is_visible(session, team_id=actor.team_id, shift=shift):
        raise NotFound(NO_SHIFT, shift=shift_id)
    if shift.team_id != actor.team_id:  # another organization's, shared with this workspace
        raise not_yours(session, shift)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("share shift #{shift}"))
    if shift.shared_at is not None:
        raise Refused(N_("Shift #{shift} is shared with the coalition already."), shift=shift_id)
    if shift.status != ShiftStatus.OPEN:
        raise Refused(N_("Only a published shift can be shared; shift #{shift} is not."), shift=shift_id)
    if shift.starts_at <= now:
        raise Refused(
            N_("Shift #{shift} has already started, so there is no sharing it now."), shift=shift_id
        )
    shift.shared_at, shift.shared_by = now, actor.user_id
    shift.version += 1
    session.add(shift)
    session.flush()
    return Shared(shift_id, shift.state, teams_with_channel(session, shift))


def teams_with_channel(session: Session, shift: Shift) -> list[str]:
    """The other installed workspaces with a channel for the shift's state: where it is posted."""
    rows = session.exec(
        select(State.team_id)
        .join(Organization, col(Organization.team_id) == col(State.team_id))
        .where(
            State.code == shift.state,
            col(State.channel_id).is_not(None),
            State.team_id != shift.team_id,
            col(Organization.uninstalled_at).is_(None),
        )
        .order_by(col(State.team_id))
    )
    return list(rows)


def open_shared_shifts(session: Session, *, team_id: str, state: str, now: datetime) -> list[int]:
    """Other organizations' open, upcoming shared shifts of `state` (what a workspace that binds
    the state's channel has yet to post), soonest first."""
    rows = session.exec(
        select(Shift.id)
        .where(
            Shift.state == state,
            Shift.team_id != team_id,
            col(Shift.shared_at).is_not(None),
            Shift.status == ShiftStatus.OPEN,
            col(Shift.starts_at) > now,
        )
        .order_by(col(Shift.starts_at), col(Shift.id))
    )
    return [shift_id for shift_id in rows if shift_id is not None]


def record_post(session: Session, *, shift_id: int, team_id: str, channel_id: str, message_ts: str) -> None:
    """Where a shared shift's post in workspace `team_id` is (one per shift and workspace)."""
    post = session.get(ShiftPost, (team_id, shift_id))
    if post is None:
        post = ShiftPost(team_id=team_id, shift_id=shift_id, channel_id=channel_id, message_ts=message_ts)
    else:
        post.channel_id, post.message_ts = channel_id, message_ts
    session.add(post)
    session.flush()


def posts_elsewhere(session: Session, *, shift_id: int) -> list[ShiftPost]:
    """The shift's posts in workspaces other than its own."""
    return list(session.exec(select(ShiftPost).where(ShiftPost.shift_id == shift_id)))


def not_yours(session: Session, shift: Shift) -> Refused:
    """The refusal for changing another organization's shared shift (its volunteers may claim,
    confirm and release; everything else is its own organization's)."""
    org = session.get(Organization, shift.team_id)
    return Refused(
        N_("Shift #{shift} is {org}'s, shared with the coalition: only {org} can change it."),
        shift=shift.id,
        # The name as its organization typed it, made inert for the reply's mrkdwn.
        org=esc(org.name if org is not None and org.name else shift.team_id),
    )
