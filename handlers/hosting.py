"""Hosting: `/host` (inline or the form), a proposal's Approve / Decline (and the form asking
why), and `/turnout proposals` with its pages."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import Reply, text_reply
from bot.blocks.help import build_command_help
from bot.blocks.hosting import (
    build_decline_done,
    build_decline_form,
    build_host_form,
    build_hosted,
    build_proposals,
    decision_note,
)
from bot.blocks.refusals import problem_text, refusal_text
from bot.deps import Deps
from bot.i18n import N_, Lang
from bot.models import DeliveryKind
from bot.services.errors import TurnoutError, UsageError
from bot.services.hosting import Decision, Hosted, check_decider, decide_proposal, host_shift, list_proposals
from bot.services.places import NATIONAL_TZ, PLACES
from bot.services.roles import Actor
from bot.services.shifts import InvalidShift
from bot.services.states import default_state, state_timezone
from bot.slack.delivery import FORM_REPLY_USEFUL_FOR, post_new_shift, send_dm
from bot.slack.forms import open_form
from bot.slack.hosting import after_decision, refresh_proposal_copies, send_proposal
from handlers.common import (
    Subcommand,
    TurnoutRequest,
    acked_by,
    acked_then,
    answering,
    apology,
    caller_lang,
    enroll,
    is_help,
    member_of,
    profile_of,
    say,
    with_note,
    work_pool,
)
from handlers.parsing import check_reason, fold_state, require_state, tokens
from handlers.payloads import STALE_BUTTON, bare_id, button_ref, check_day, submission_key, text_value
from handlers.shift_forms import (
    as_usage,
    check_shift_times,
    first_form_day,
    parse_inline_shift,
    read_shift_form,
    retype_key,
)

logger = logging.getLogger(__name__)
STALE_FORM = N_("I can't read that form. Open the proposal again: `/turnout proposals`.")
NO_REASON = N_("Say why in a line or two: the host reads it.")


# ---------------------------------------------------------------- /host


def handle_host(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """`/host` opens the form; `/host STATE DATE TIME KIND CAPACITY LOCATION…` hosts inline."""
    ack()
    text = command["text"]
    lang = caller_lang(deps, member_of(deps, command))
    if is_help(text):
        return say(respond, build_command_help("/host", lang))
    with answering(respond, lang):
        words = tokens(text)
        if not words:
            return open_host_form(deps, client, command, lang)
        args, folded = fold_state(words)
        spec = parse_inline_shift(args, rest_after(text, 5 + folded), usage.HOST)
        now = deps.clock()
        check_day(spec.day, now.date(), usage.HOST)
        user_id = command["user_id"]
        who = member_of(deps, command)
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            try:
                hosted = host_shift(
                    session, actor=actor, spec=spec, now=now, source_key=retype_key(spec, user_id, now)
                )
            except InvalidShift as invalid:
                raise as_usage(invalid, usage.HOST) from invalid
        say(respond, publish(deps, client, hosted, lang))


def rest_after(text: str, count: int) -> str:
    """The raw text after the first `count` words (its spacing kept)."""
    parts = text.strip().split(None, count)
    return parts[count] if len(parts) > count else ""


def publish(deps: Deps, client: WebClient, hosted: Hosted, lang: Lang) -> Reply:
    """A new published shift is posted in its state's channel; a new proposal goes to the leads."""
    if not hosted.created:
        return build_hosted(hosted, lang=lang)
    if hosted.published:
        posted = post_new_shift(deps, client, hosted.shift.id)
        return build_hosted(
            hosted,
            channel_id=posted.channel if posted else None,
            pending=bool(posted and not posted.posted),
            refused=posted.refused if posted else None,
            lang=lang,
        )
    return build_hosted(
        hosted, route=send_proposal(deps, client, hosted.shift.team_id, hosted.shift.id), lang=lang
    )


def open_host_form(deps: Deps, client: WebClient, command: dict[str, Any], lang: Lang) -> None:
    with deps.session() as session:
        who = member_of(deps, command)
        preselected = default_state(session, channel_id=command["channel_id"], who=who)
        tz = state_timezone(session, team_id=who.team_id, code=preselected) if preselected else NATIONAL_TZ
    states = sorted(PLACES, key=lambda code: PLACES[code].name)
    view = build_host_form(states, first_form_day(deps, tz), preselected, lang)
    open_form(client, command["trigger_id"], view)


def handle_host_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """Checked field by field before the ack, so mistakes show beside the field; then hosted once,
    and the answer sent by DM (the form has closed)."""
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    spec, errors = read_shift_form(view, usage.HOST, lang)
    try:
        if spec is not None:
            errors = check_shift_times(deps, who.team_id, spec, usage.HOST, lang)
    except Exception as error:
        logger.exception("the host form could not be checked")
        ack(response_action="errors", errors={"date": apology(error, lang)[:150]})
        return
    if errors or spec is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    reply: Reply
    try:
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            hosted = host_shift(
                session,
                actor=actor,
                spec=spec,
                now=deps.clock(),
                source_key=submission_key(user_id, view.get("id")),
            )
        reply = publish(deps, client, hosted, lang)
    except TurnoutError as refusal:
        reply = text_reply(lang._("Your shift was not sent: {refusal}", refusal=refusal_text(refusal, lang)))
    except Exception as error:
        logger.exception("the host form could not be saved")
        reply = text_reply(apology(error, lang))
    send_dm(
        deps,
        client,
        team_id=who.team_id,
        kind=DeliveryKind.FORM_REPLY,
        user_id=user_id,
        key=submission_key(user_id, view.get("id")),
        reply=reply,
        expires_at=deps.clock() + FORM_REPLY_USEFUL_FOR,
    )


# ---------------------------------------------------------------- deciding


def read_proposal_value(value: object) -> tuple[int, str]:
    """(shift id, surface) from an Approve / Decline button: a copy for the leads (`proposal`)
    or a page of `/turnout proposals`; a refusal for anything Turnout did not draw."""
    shift_id, surface = button_ref(value)
    base, _ = read_surface(surface)
    if base != act.PROPOSAL:
        read_proposals_surface(surface)
    return shift_id, surface


def read_surface(surface: str) -> tuple[str, int]:
    try:
        return act.read_page(surface)
    except ValueError:
        raise TurnoutError(STALE_BUTTON) from None


def read_proposals_surface(surface: object) -> tuple[str | None, int]:
    """(state or None for all the caller's, page offset) from `proposals:ST@OFFSET`."""
    if not isinstance(surface, str):
        raise TurnoutError(STALE_BUTTON)
    base, offset = read_surface(surface)
    prefix, _, state = base.partition(":")
    if prefix != act.PROPOSALS or not (state == "*" or state in PLACES):
        raise TurnoutError(STALE_BUTTON)
    return (None if state == "*" else state), offset


def handle_approve_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Approve: the first decision wins; the shift is posted, the host told, every copy redrawn.
    Anyone clicking after is told whose decision stands."""
    ack()
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    with answering(respond, lang):
        shift_id, surface = read_proposal_value(body["actions"][0].get("value"))
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            decision = decide_proposal(
                session, actor=actor, shift_id=shift_id, approve=True, now=deps.clock()
            )
        answer_decision(deps, client, respond, surface, actor, decision, lang)


def answer_decision(
    deps: Deps,
    client: WebClient,
    respond: Respond,
    surface: str,
    actor: Actor,
    decision: Decision,
    lang: Lang,
) -> None:
    posted = after_decision(deps, client, decision)
    note = decision_note(
        decision.proposal,
        user_id=actor.user_id,
        already=decision.already,
        posted_in=posted.channel if posted is not None and posted.refused is None else None,
        lang=lang,
    )
    answer_click(deps, respond, surface, actor, note, lang)


def answer_click(deps: Deps, respond: Respond, surface: str, actor: Actor, note: str, lang: Lang) -> None:
    """A click on a copy for the leads is answered privately (the copy itself is redrawn for
    everyone); a click on `/turnout proposals` redraws that page with the note on top."""
    base, _ = read_surface(surface)
    if base == act.PROPOSAL:
        return say(respond, text_reply(note))
    state, offset = read_proposals_surface(surface)
    with deps.read_session() as session:
        page = list_proposals(
            session, actor=actor, state=state, default=None, now=deps.clock(), offset=offset
        )
    say(respond, with_note(build_proposals(page, lang), note), replace=True)


def handle_decline_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Decline: checked as a decision would be, then a form asks why (the host reads it)."""
    ack()
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    with answering(respond, lang):
        shift_id, surface = read_proposal_value(body["actions"][0].get("value"))
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            proposal = check_decider(session, actor=actor, shift_id=shift_id)
        if not proposal.pending:
            refresh_proposal_copies(deps, client, actor.team_id, shift_id)
            note = decision_note(proposal, user_id=user_id, already=True, lang=lang)
            return answer_click(deps, respond, surface, actor, note, lang)
        open_form(client, body["trigger_id"], build_decline_form(proposal, lang))


def handle_decline_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """The reason is checked before the ack; the decision is taken, and the form then shows what
    became of it (declined, or whose decision stood). The host is told after."""
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    values = (view.get("state") or {}).get("values") or {}
    try:
        shift_id = bare_id(view.get("private_metadata"), STALE_FORM)
        reason = check_reason(text_value(values, "reason"), usage.PROPOSALS)
        if not reason:
            raise UsageError(NO_REASON, usage.PROPOSALS)
    except UsageError as problem:
        ack(response_action="errors", errors={"reason": problem_text(problem, lang)[:150]})
        return
    except TurnoutError as stale:
        ack(response_action="update", view=build_decline_done(refusal_text(stale, lang), lang))
        return
    try:
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            decision = decide_proposal(
                session, actor=actor, shift_id=shift_id, approve=False, reason=reason, now=deps.clock()
            )
    except TurnoutError as refusal:
        ack(response_action="update", view=build_decline_done(refusal_text(refusal, lang), lang))
        return
    except Exception as error:
        logger.exception("a proposal could not be declined")
        ack(response_action="update", view=build_decline_done(apology(error, lang), lang))
        return
    note = decision_note(decision.proposal, user_id=user_id, already=decision.already, lang=lang)
    ack(response_action="update", view=build_decline_done(note, lang))
    after_decision(deps, client, decision)


# ---------------------------------------------------------------- /turnout proposals


def run_proposals(request: TurnoutRequest) -> None:
    """`/turnout proposals [STATE]`, answered in the caller's language (refusals too)."""
    lang = caller_lang(request.deps, request.who)
    with answering(request.respond, lang):
        list_waiting(request, lang)


def list_waiting(request: TurnoutRequest, lang: Lang) -> None:
    args, _ = fold_state(request.args)
    if len(args) > 1 or (args and is_help(args[0])):
        raise UsageError(N_("Give one state, or none for the proposals in your states."), usage.PROPOSALS)
    state = require_state(args[0], usage.PROPOSALS) if args else None
    deps = request.deps
    with request.acting() as (session, actor):
        default = (
            None
            if state
            else default_state(session, channel_id=request.command["channel_id"], who=request.who)
        )
        page = list_proposals(session, actor=actor, state=state, default=default, now=deps.clock())
    say(request.respond, build_proposals(page, lang))


def handle_proposals_page(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Previous / Next on `/turnout proposals`: that page, drawn in place."""
    ack()
    lang = caller_lang(deps, member_of(deps, body))
    with answering(respond, lang):
        state, offset = read_proposals_surface(body["actions"][0].get("value"))
        profile = profile_of(deps, client, member_of(deps, body), for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            page = list_proposals(
                session, actor=actor, state=state, default=None, now=deps.clock(), offset=offset
            )
        say(respond, build_proposals(page, lang), replace=True)


def register(app: App, deps: Deps) -> None:
    pool = work_pool(app)
    app.command("/host")(**acked_then(partial(handle_host, deps=deps), deps))
    app.view(act.HOST_FORM)(**acked_by(partial(handle_host_form, deps=deps), deps, pool))
    app.view(act.DECLINE_FORM)(**acked_by(partial(handle_decline_form, deps=deps), deps, pool))
    app.action(act.APPROVE)(**acked_then(partial(handle_approve_click, deps=deps), deps))
    app.action(act.DECLINE)(**acked_then(partial(handle_decline_click, deps=deps), deps))
    for action_id in (act.PROPOSALS_PAGE, act.page_action(act.PROPOSALS_PAGE, act.PREVIOUS)):
        app.action(action_id)(**acked_then(partial(handle_proposals_page, deps=deps), deps))


SUBCOMMANDS: dict[str, Subcommand] = {"proposals": run_proposals}
