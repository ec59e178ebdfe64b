"""Volunteers' shift commands and buttons: /shifts, /claim, /unclaim, /myshifts; Claim, Confirm, Release;
Previous / Next on the long lists."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import Reply
from bot.blocks.help import build_command_help
from bot.blocks.refusals import build_refusal
from bot.blocks.shifts import (
    build_my_shifts,
    build_released,
    build_shift_list,
    build_signup_card,
    claim_headline,
    confirm_headline,
    release_headline,
)
from bot.deps import Deps
from bot.i18n import ENGLISH, N_, Lang, language
from bot.services.clock import local_date, window_for
from bot.services.errors import TurnoutError, UsageError
from bot.services.members import Member
from bot.services.people import personal_timezone, stored_profile
from bot.services.places import NATIONAL_TZ, PLACES
from bot.services.shifts import (
    ListingQuery,
    SignupView,
    claim_shift,
    confirm_signup,
    list_open_shifts,
    my_shifts_page,
    release_signup,
)
from bot.services.states import default_state, state_timezone
from bot.slack.delivery import after_release, refresh_shift_post
from bot.slack.held_claims import after_claim
from handlers.common import (
    acked_then,
    answered,
    answering,
    caller_lang,
    enroll,
    is_help,
    member_of,
    profile_of,
    reads,
    say,
    seen,
    with_note,
    work_pool,
)
from handlers.parsing import WINDOW_WORDS, parse_listing, parse_shift_id, parse_when, tokens
from handlers.payloads import STALE_BUTTON, button_ref, check_day

logger = logging.getLogger(__name__)


def handle_list_shifts(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    if is_help(command["text"]):
        return say(respond, build_command_help("/shifts", caller_lang(deps, member_of(deps, command))))
    who = member_of(deps, command)
    with answering(respond, reads(deps, who)):
        profile = profile_of(deps, client, who)
        lang = language(profile.reads)
        with deps.session() as session:
            enroll(deps, session, profile)
            query = parse_listing(command["text"], usage.SHIFTS)
            if query.state is None:
                default = default_state(session, channel_id=command["channel_id"], who=who)
                query = replace(query, state=default)
            reply = render_listing(session, deps, who, query, profile.timezone, lang=lang)
        say(respond, reply)


def handle_claim(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    if is_help(command["text"]):
        return say(respond, build_command_help("/claim", caller_lang(deps, member_of(deps, command))))
    with answering(respond, reads(deps, member_of(deps, command))):
        shift_id = parse_shift_id(single_argument(command["text"], usage.CLAIM), usage.CLAIM)
        who = member_of(deps, command)
        now = deps.clock()
        # Database work only: on SQLite it may share a transaction with other claims and logs.
        result = deps.claims.run(lambda session: claim_shift(session, shift_id=shift_id, who=who, now=now))
        seen(deps, who, result.claimer_seen_at)
        lang = language(result.claimer_reads)
        say(respond, build_signup_card(result.signup, claim_headline(result, lang), lang))
        after_claim(deps, client, result)


def handle_unclaim(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    if is_help(command["text"]):
        return say(respond, build_command_help("/unclaim", caller_lang(deps, member_of(deps, command))))
    with answering(respond, reads(deps, member_of(deps, command))):
        shift_id = parse_shift_id(single_argument(command["text"], usage.UNCLAIM), usage.UNCLAIM)
        who = member_of(deps, command)
        profile = profile_of(deps, client, who)
        with deps.session() as session:
            enroll(deps, session, profile)
            result = release_signup(session, shift_id=shift_id, who=who, now=deps.clock())
        say(respond, build_released(result, language(profile.reads)))
        after_release(deps, client, result)


def handle_my_shifts(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    lang = caller_lang(deps, member_of(deps, command))
    if command["text"].strip():
        if is_help(command["text"]):
            return say(respond, build_command_help("/myshifts", lang))
        return say(
            respond, build_refusal(UsageError(N_("`/myshifts` takes no arguments."), usage.MYSHIFTS), lang)
        )
    with answering(respond, lang):
        with deps.read_session() as session:
            page = my_shifts_page(session, who=member_of(deps, command), now=deps.clock())
        say(respond, build_my_shifts(page, lang))


def handle_shifts_page(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Previous / Next on a /shifts listing: draw that page in place (clicking twice draws it twice)."""
    ack()
    who = member_of(deps, body)
    with answering(respond, reads(deps, who)):
        surface, offset = read_surface(body["actions"][0].get("value"))
        if not surface.startswith(act.LIST + ":"):
            raise TurnoutError(STALE_BUTTON)
        query = read_listing(surface)
        profile = profile_of(deps, client, who)
        with deps.read_session() as session:
            reply = render_listing(
                session, deps, who, query, profile.timezone, offset, language(profile.reads)
            )
        say(respond, reply, replace=True)


def handle_my_shifts_page(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Previous / Next on /myshifts: draw that page in place."""
    ack()
    who = member_of(deps, body)
    with answering(respond, reads(deps, who)):
        surface, offset = read_surface(body["actions"][0].get("value"))
        if surface != act.MINE:
            raise TurnoutError(STALE_BUTTON)
        with deps.read_session() as session:
            lang = reader_lang(session, who)
            page = my_shifts_page(session, who=who, now=deps.clock(), offset=offset)
        say(respond, build_my_shifts(page, lang), replace=True)


def handle_claim_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    with answering(respond, reads(deps, member_of(deps, body))):
        shift_id, surface, who = clicked(deps, body)
        profile = profile_of(deps, client, who)
        lang = language(profile.reads)
        with deps.session() as session:
            enroll(deps, session, profile)
            result = claim_shift(session, shift_id=shift_id, who=who, now=deps.clock())
        headline = claim_headline(result, lang)
        # Drawn once the claim is committed (on PostgreSQL the claim commits itself): a surface
        # that cannot be drawn now is answered with the claim's card, never an apology.
        try:
            with deps.read_session() as session:
                redrawn = redraw(session, deps, surface, who, headline, lang)
        except TurnoutError:  # a listing that no longer stands (a day now past)
            redrawn = None
        except Exception:
            logger.exception("redrawing %s after a claim on shift %s failed", surface, shift_id)
            redrawn = None
        # Answered once committed: a slow response_url holds no lock and no connection.
        answer_click(respond, surface, redrawn, result.signup, headline, lang)
        after_claim(deps, client, result)


def handle_confirm_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    with answering(respond, reads(deps, member_of(deps, body))):
        shift_id, surface, who = clicked(deps, body)
        with deps.session() as session:
            lang = reader_lang(session, who)
            result = confirm_signup(session, shift_id=shift_id, who=who, now=deps.clock())
            headline = confirm_headline(result, lang)
            redrawn = redraw(session, deps, surface, who, headline, lang)
        answer_click(respond, surface, redrawn, result.signup, headline, lang)
        if not result.already:
            refresh_shift_post(deps, client, shift_id)


def handle_release_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    with answering(respond, reads(deps, member_of(deps, body))):
        shift_id, surface, who = clicked(deps, body)
        with deps.session() as session:
            lang = reader_lang(session, who)
            result = release_signup(session, shift_id=shift_id, who=who, now=deps.clock())
            redrawn = redraw(session, deps, surface, who, release_headline(result, lang), lang)
        say(respond, redrawn or build_released(result, lang), replace=surface != act.POST)
        after_release(deps, client, result)


def clicked(deps: Deps, body: dict[str, Any]) -> tuple[int, str, Member]:
    """(shift id, surface, who clicked) from a shift button's payload, checked before anything
    is done, so a button Turnout did not draw changes nothing."""
    shift_id, surface = button_ref(body["actions"][0].get("value"), STALE_BUTTON)
    base, _ = read_surface(surface)
    if base.startswith(act.LIST + ":"):
        read_listing(base)
    elif base not in (act.MINE, act.POST, act.CARD):
        raise TurnoutError(STALE_BUTTON)
    return shift_id, surface, member_of(deps, body)


def read_surface(surface: object) -> tuple[str, int]:
    """(surface, page offset) from a button; a refusal for anything Turnout did not write."""
    if not isinstance(surface, str):
        raise TurnoutError(STALE_BUTTON)
    try:
        return act.read_page(surface)
    except ValueError:
        raise TurnoutError(STALE_BUTTON) from None


def read_listing(surface: str) -> ListingQuery:
    """A listing's filters from its surface (`list:ARGS`), each checked as if typed."""
    try:
        query = ListingQuery.decode(surface.removeprefix(act.LIST + ":"))
        if query.state is not None and query.state not in PLACES:
            raise ValueError(query.state)
        if query.when is not None and parse_when(query.when) != query.when:
            raise ValueError(query.when)
    except (ValueError, TurnoutError):
        raise TurnoutError(STALE_BUTTON) from None
    return query


def answer_click(
    respond: Respond, surface: str, redrawn: Reply | None, signup: SignupView, headline: str, lang: Lang
) -> None:
    """Redraw the clicked message in place; a click on a shared channel post is answered privately."""
    say(respond, redrawn or build_signup_card(signup, headline, lang), replace=surface != act.POST)


# ---------------------------------------------------------------- surfaces


def redraw(session: Session, deps: Deps, surface: str, who: Member, note: str, lang: Lang) -> Reply | None:
    """A listing surface drawn anew with `note` on top; None for a single card or a channel
    post, which the caller draws from its result."""
    base, offset = read_surface(surface)
    if base == act.MINE:
        page = my_shifts_page(session, who=who, now=deps.clock(), offset=offset)
        return with_note(build_my_shifts(page, lang), note)
    if base.startswith(act.LIST + ":"):
        return with_note(render_listing(session, deps, who, read_listing(base), None, offset, lang), note)
    return None


def render_listing(
    session: Session,
    deps: Deps,
    who: Member,
    query: ListingQuery,
    user_tz: str | None,
    offset: int = 0,
    lang: Lang = ENGLISH,
) -> Reply:
    """The listing for `query`; local dates count in the state's zone (the viewer's, for all states,
    also when a click redraws it and Slack's profile is not at hand)."""
    tz = (
        state_timezone(session, team_id=who.team_id, code=query.state)
        if query.state
        else personal_timezone(session, who=who, profile_tz=user_tz, fallback=NATIONAL_TZ)
    )
    today = local_date(deps.clock(), tz)
    if query.when and query.when not in WINDOW_WORDS:
        check_day(date.fromisoformat(query.when), today, usage.SHIFTS)
    window = window_for(query.when, today) if query.when else None
    listing = list_open_shifts(
        session,
        who=who,
        state=query.state,
        window=window,
        kind=query.kind,
        now=deps.clock(),
        offset=offset,
    )
    return build_shift_list(listing, query=query, surface=act.list_surface(query.encode()), lang=lang)


def reader_lang(session: Session, who: Member) -> Lang:
    """The language `who` reads, read in the request's own session (English for someone never seen)."""
    stored = stored_profile(session, who=who)
    return language(stored[0].reads) if stored else ENGLISH


def single_argument(text: str, form: str) -> str:
    parts = tokens(text)
    if len(parts) != 1:
        raise UsageError(N_("Give exactly one shift id.") if parts else N_("Which shift? Give its id."), form)
    return parts[0]


def register(app: App, deps: Deps) -> None:
    pool = work_pool(app)
    app.command("/shifts")(**answered(partial(handle_list_shifts, deps=deps), deps, pool))
    app.command("/claim")(**answered(partial(handle_claim, deps=deps), deps, pool))
    app.command("/unclaim")(**answered(partial(handle_unclaim, deps=deps), deps, pool))
    app.command("/myshifts")(**answered(partial(handle_my_shifts, deps=deps), deps, pool))
    app.action(act.CLAIM)(**acked_then(partial(handle_claim_click, deps=deps), deps))
    app.action(act.JOIN_WAITLIST)(**acked_then(partial(handle_claim_click, deps=deps), deps))
    app.action(act.CONFIRM)(**acked_then(partial(handle_confirm_click, deps=deps), deps))
    app.action(act.RELEASE)(**acked_then(partial(handle_release_click, deps=deps), deps))
    for family, listener in (
        (act.SHIFTS_PAGE, handle_shifts_page),
        (act.MYSHIFTS_PAGE, handle_my_shifts_page),
    ):
        for action_id in (family, act.page_action(family, act.PREVIOUS)):
            app.action(action_id)(**acked_then(partial(listener, deps=deps), deps))
