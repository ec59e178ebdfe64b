"""Reliability news: whoever may accept a claim the no-show policy holds hears of it, the volunteer
hears when it is accepted, and the state's leads hear of each no-show. Each message is a durable
delivery, sent once."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient

from bot.blocks.reliability import build_accepted_dm, build_held_claim_notice, build_no_show_notice
from bot.deps import Deps
from bot.models import DeliveryKind, Shift, SignupStatus
from bot.services.engagement import recent_no_shows
from bot.services.members import Member
from bot.services.shifts import ClaimResult, SignupView
from bot.services.states import leads_targets
from bot.slack import delivery
from bot.slack.delivery import event_key, refresh_shift_post, send_dm


def after_claim(deps: Deps, client: WebClient, result: ClaimResult) -> None:
    """After any new claim. One that took a place or joined the waitlist redraws the channel post
    and is news for the host (`delivery.after_claim`); one held for acceptance is put before the
    shift's host, else the state's leads (its leads channel, else each coordinator by DM)."""
    signup = result.signup
    if result.already:
        return
    if signup.status != SignupStatus.PENDING:
        delivery.after_claim(deps, client, result)
        return
    now = deps.clock()
    with deps.read_session() as session:
        shift = session.get(Shift, signup.shift.id)
        host = shift.host_id if shift else None
        owner = signup.shift.team_id
        targets = [host] if host else leads_targets(session, team_id=owner, code=signup.shift.state)
        who = Member(signup.team_id, signup.user_id)
        no_shows = recent_no_shows(session, who=who, state=signup.shift.state, now=now)
    reply = build_held_claim_notice(signup, no_shows)
    for target in targets:
        send_dm(
            deps,
            client,
            team_id=owner,
            kind=DeliveryKind.LEADS,
            user_id=target,
            key=f"held:{event_key(signup.shift.id, signup.id, now)}",
            reply=reply,
            expires_at=signup.shift.starts_at,
            shift_id=signup.shift.id,
        )


def after_accept(deps: Deps, client: WebClient, result: ClaimResult) -> None:
    """The volunteer whose claim was accepted is told; the shift's post shows its new fill."""
    if result.already:
        return
    signup = result.signup
    send_dm(
        deps,
        client,
        team_id=signup.team_id,
        kind=DeliveryKind.ACCEPTED,
        user_id=signup.user_id,
        key=event_key(signup.shift.id, signup.id, deps.clock()),
        reply=build_accepted_dm(signup),
        expires_at=signup.shift.starts_at,
        shift_id=signup.shift.id,
    )
    refresh_shift_post(deps, client, signup.shift.id)


def after_no_show(deps: Deps, client: WebClient, signup: SignupView, *, marked_by: str) -> None:
    """A no-show is news for the state's leads (SPEC §8): its leads channel, else each coordinator
    by DM, never the person who marked it. Marking the same signup again tells no one twice."""
    if signup.status != SignupStatus.NO_SHOW:
        return
    now = deps.clock()
    with deps.read_session() as session:
        owner = signup.shift.team_id
        leads = leads_targets(session, team_id=owner, code=signup.shift.state)
        targets = [t for t in leads if t != marked_by]
        who = Member(signup.team_id, signup.user_id)
        no_shows = recent_no_shows(session, who=who, state=signup.shift.state, now=now)
    reply = build_no_show_notice(signup, marked_by, no_shows)
    for target in targets:
        send_dm(
            deps,
            client,
            team_id=owner,
            kind=DeliveryKind.LEADS,
            user_id=target,
            key=f"no-show:{signup.id}",
            reply=reply,
            expires_at=signup.shift.ends_at + timedelta(days=7),
            shift_id=signup.shift.id,
        )
