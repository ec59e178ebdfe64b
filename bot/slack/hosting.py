"""Sending what hosting owes people: a proposal to its state's leads (one copy per leads
channel or coordinator), every copy redrawn once it is decided, and the host told the outcome."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.hosting import build_decision_dm, build_proposal
from bot.deps import Deps
from bot.models import DeliveryKind
from bot.services.deliveries import sent_messages
from bot.services.hosting import Decision, LeadsRoute, leads_route, proposal_view
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
    for target in targets:
        deliver_once(
            deps,
            client,
            team_id=team_id,
            kind=DeliveryKind.PROPOSAL,
            channel=target,
            key=str(shift_id),
            build=lambda session: build_proposal(proposal_view(session, shift_id, team_id=team_id)),
            expires_at=proposal.shift.starts_at,
            shift_id=shift_id,
        )
    return route


def refresh_proposal_copies(deps: Deps, client: WebClient, team_id: str, shift_id: int) -> None:
    """Every copy of the proposal the leads were sent, redrawn as it stands (decided: the decision
    in place of the buttons), so no copy offers a decision that was already taken."""
    with deps.read_session() as session:
        copies = sent_messages(session, team_id=team_id, kind=DeliveryKind.PROPOSAL, key=str(shift_id))
        reply = build_proposal(proposal_view(session, shift_id, team_id=team_id)) if copies else None
    if reply is None:
        return
    for channel, ts in copies:
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
        if proposal.approved:
            posted = post_new_shift(deps, client, shift_id)
        send_dm(
            deps,
            client,
            team_id=proposal.shift.team_id,
            kind=DeliveryKind.DECISION,
            user_id=proposal.host_id,
            key=str(shift_id),
            reply=build_decision_dm(proposal, posted.channel if posted else None),
            expires_at=max(proposal.shift.starts_at, deps.clock() + DECISION_USEFUL_FOR),
            shift_id=shift_id,
        )
    refresh_proposal_copies(deps, client, proposal.shift.team_id, shift_id)
    return posted
