"""Reliability news: whoever may accept a claim the no-show policy holds hears of it, the volunteer
hears when it is accepted, and the state's leads hear of each no-show. Each message is a durable
delivery, sent once."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks.reliability import build_accepted_dm, build_held_claim_notice, build_no_show_notice
from bot.deps import Deps
from bot.i18n import Lang, language
from bot.models import DeliveryKind, Shift, SignupStatus, State
from bot.services.engagement import recent_no_shows
from bot.services.members import Member
from bot.services.people import language_of, languages_of
from bot.services.shifts import ClaimResult, SignupView
from bot.services.states import leads_targets, state_language
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
        reads = readers(session, owner, signup.shift.state, targets)
    replies = {lang: build_held_claim_notice(signup, no_shows, lang) for lang in set(reads.values())}
    for target in targets:
        send_dm(
            deps,
            client,
            team_id=owner,
            kind=DeliveryKind.LEADS,
            user_id=target,
            key=f"held:{event_key(signup.shift.id, signup.id, now)}",
            reply=replies[reads[target]],
            expires_at=signup.shift.starts_at,
            shift_id=signup.shift.id,
        )


def after_accept(deps: Deps, client: WebClient, result: ClaimResult) -> None:
    """The volunteer whose claim was accepted is told; the shift's post shows its new fill."""
    if result.already:
        return
    signup = result.signup
    with deps.read_session() as session:
        reads = language(language_of(session, Member(signup.team_id, signup.user_id)))
    send_dm(
        deps,
        client,
        team_id=signup.team_id,
        kind=DeliveryKind.ACCEPTED,
        user_id=signup.user_id,
        key=event_key(signup.shift.id, signup.id, deps.clock()),
        reply=build_accepted_dm(signup, reads),
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
        reads = readers(session, owner, signup.shift.state, targets)
    replies = {lang: build_no_show_notice(signup, marked_by, no_shows, lang) for lang in set(reads.values())}
    for target in targets:
        send_dm(
            deps,
            client,
            team_id=owner,
            kind=DeliveryKind.LEADS,
            user_id=target,
            key=f"no-show:{signup.id}",
            reply=replies[reads[target]],
            expires_at=signup.shift.ends_at + timedelta(days=7),
            shift_id=signup.shift.id,
        )


def readers(session: Session, team_id: str, state: str, targets: list[str]) -> dict[str, Lang]:
    """The language each of a workspace's state's leads targets reads: a person their own; the
    state's leads channel that of the state's channel posts (`/turnout language STATE`)."""
    row = session.get(State, (team_id, state))
    channel = row.leads_channel_id if row is not None else None
    people = languages_of(session, team_id=team_id, user_ids=[t for t in targets if t != channel])
    channel_language = state_language(session, team_id=team_id, code=state)
    return {t: language(channel_language if t == channel else people[t]) for t in targets}
