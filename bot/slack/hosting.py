"""Sending what hosting owes people: a proposal to its state's leads (one copy per leads
channel or coordinator), every copy redrawn once it is decided, and the host told the outcome."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.common import Reply
from bot.blocks.hosting import build_decision_dm, build_proposal
from bot.deps import Deps
from bot.i18n import Lang, language
from bot.models import DeliveryKind
from bot.services.deliveries import messages_sent
from bot.services.hosting import Decision, LeadsRoute, leads_languages, leads_route, proposal_view
from bot.services.members import Member
from bot.services.people import language_of
from bot.services.states import leads_targets
from bot.slack.delivery import ShiftPosted, deliver_once, post_new_shift, send_dm

logger = logging.getLogger(__name__)
# A decision the host has not read by the shift's start is still worth a few hours (a decline
# made after the start, say).
DECISION_USEFUL_FOR = timedelta(hours=6)


def send_proposal(deps: Deps, client: WebClient, team_id: str, shift_id: int) -> LeadsRoute:
    """The proposal (of workspace `team_id`) to its state's leads channel, else to each of its
    coordinators by DM; each copy is sent once and retried until the shift would start or
    someone decides it."""
    with deps.read_session() as session:
        proposal = proposal_view(session, shift_id, team_id=team_id)
        targets = leads_targets(session, team_id=team_id, code=proposal.shift.state)
        route = leads_route(session, team_id=team_id, code=proposal.shift.state)
        langs = leads_langs(session, team_id, proposal.shift.state, targets)
    for target in targets:
        lang = langs[target]
        deliver_once(
            deps,
            client,
            team_id=team_id,
            kind=DeliveryKind.PROPOSAL,
            channel=target,
            key=str(shift_id),
            build=partial(_draw_proposal, team_id=team_id, shift_id=shift_id, lang=lang),
            expires_at=proposal.shift.starts_at,
            shift_id=shift_id,
        )
    return route


def _draw_proposal(session: Session, *, team_id: str, shift_id: int, lang: Lang) -> Reply:
    return build_proposal(proposal_view(session, shift_id, team_id=team_id), lang)


def refresh_proposal_copies(deps: Deps, client: WebClient, team_id: str, shift_id: int) -> None:
    """Every copy of the proposal the leads were sent, redrawn as it stands (decided: the decision
    in place of the buttons), so no copy offers a decision that was already taken."""
    with deps.read_session() as session:
        copies = messages_sent(session, team_id=team_id, kind=DeliveryKind.PROPOSAL, key=str(shift_id))
        if not copies:
            return
        proposal = proposal_view(session, shift_id, team_id=team_id)
        targets = [target for target, _channel, _ts in copies]
        langs = leads_langs(session, team_id, proposal.shift.state, targets)
    for target, channel, ts in copies:
        reply = build_proposal(proposal, langs[target])
        try:
            client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
        except SlackApiError as error:
            logger.warning(
                "updating a copy of proposal #%s failed: %s", shift_id, error.response.get("error")
            )


def after_decision(deps: Deps, client: WebClient, decision: Decision) -> ShiftPosted | None:
    """A decision just taken: an approved shift is posted in its state's channel, the host is
    told by DM, and every copy of the proposal shows the decision. For a decision taken before
    (`already`), the copies are only redrawn. Returns where an approved shift was posted."""
    proposal = decision.proposal
    shift_id = proposal.shift.id
    posted = None
    if not decision.already:
        with deps.read_session() as session:
            host = Member(proposal.shift.team_id, proposal.host_id)
            host_lang = language(language_of(session, host))
        if proposal.approved:
            posted = post_new_shift(deps, client, shift_id)
        send_dm(
            deps,
            client,
            team_id=proposal.shift.team_id,
            kind=DeliveryKind.DECISION,
            user_id=proposal.host_id,
            key=str(shift_id),
            reply=build_decision_dm(proposal, posted.channel if posted else None, host_lang),
            expires_at=max(proposal.shift.starts_at, deps.clock() + DECISION_USEFUL_FOR),
            shift_id=shift_id,
        )
    refresh_proposal_copies(deps, client, proposal.shift.team_id, shift_id)
    return posted


def leads_langs(session: Session, team_id: str, state: str, targets: list[str]) -> dict[str, Lang]:
    """The language each place a workspace's state's leads news goes reads (`leads_languages`)."""
    found = leads_languages(session, team_id=team_id, state=state, targets=targets)
    return {target: language(code) for target, code in found.items()}
