"""The ladder of engagement and what keeps shifts safe to run (SPEC §8): `/turnout people`,
`require`, `trained` and `noshow`; the People buttons; Accept on a claim the no-show policy held."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import Reply, kind_label, kinds_text, text_reply
from bot.blocks.contacts import in_place
from bot.blocks.people import build_people_overview, build_people_page
from bot.blocks.reliability import accepted_headline
from bot.blocks.shifts import build_roster
from bot.deps import Deps
from bot.i18n import ENGLISH, N_, Lang, language
from bot.models import ShiftKind
from bot.services.engagement import Segment, people_overview, people_page
from bot.services.errors import TurnoutError, UsageError
from bot.services.places import PLACES
from bot.services.reliability import MAX_NOSHOW_LIMIT, accept_claim, noshow_limit, set_noshow_limit
from bot.services.roles import require_coordinator
from bot.services.shifts import roster
from bot.services.training import record_training, requirements, set_requirement
from bot.slack.held_claims import after_accept
from handlers.common import (
    Subcommand,
    TurnoutRequest,
    acked_then,
    answering,
    enroll,
    is_help,
    member_of,
    profile_of,
    reads,
    resolve_user,
    say,
    with_note,
)
from handlers.parsing import fold_state, parse_kind, parse_user, require_state
from handlers.payloads import STALE_BUTTON, button_ref

SEGMENT_WORDS: dict[str, Segment] = {
    "new": Segment.NEW,
    "ready": Segment.READY,
    "lapsed": Segment.LAPSED,
    "hosts": Segment.HOSTS,
    "host": Segment.HOSTS,
    "noshows": Segment.NOSHOWS,
    "noshow": Segment.NOSHOWS,
    "no-shows": Segment.NOSHOWS,
    "no-show": Segment.NOSHOWS,
}
OFF_WORDS = frozenset({"off", "none", "0"})
LIMIT = re.compile(r"[0-9]{1,2}")


def shown(token: str) -> str:
    """A token echoed back in an error: short, and unable to close the code span."""
    token = token.replace("`", "'")
    return token if len(token) <= 30 else token[:29] + "…"


def sentence(words: str) -> str:
    """`in Iowa` as a sentence starts: `In Iowa` (the rest as it was)."""
    return words[:1].upper() + words[1:]


# ---------------------------------------------------------------- /turnout people


def run_people(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args)
    if not args or len(args) > 2 or is_help(args[0]):
        raise UsageError(
            N_("Give a state, and optionally one of new, ready, lapsed, hosts or noshows."), usage.PEOPLE
        )
    code = require_state(args[0], usage.PEOPLE)
    segment = None
    if len(args) == 2:
        segment = SEGMENT_WORDS.get(args[1].lower())
        if segment is None:
            raise UsageError(
                N_("`{word}` is not one of new, ready, lapsed, hosts or noshows."),
                usage.PEOPLE,
                word=shown(args[1]),
            )
    now = request.deps.clock()
    with request.acting() as (session, actor):
        if segment is None:
            reply = build_people_overview(
                people_overview(session, actor=actor, state=code, now=now), request.lang
            )
        else:
            reply = build_people_page(
                people_page(session, actor=actor, state=code, segment=segment, now=now), request.lang
            )
    say(request.respond, reply)


def read_people_value(value: object) -> tuple[str, Segment, int]:
    """(state, segment, offset) from a People button: `people:STATE:SEGMENT[@OFFSET]`."""
    if not isinstance(value, str):
        raise TurnoutError(STALE_BUTTON)
    try:
        base, offset = act.read_page(value)
        surface, state, segment = base.split(":")
        if surface != act.PEOPLE or state not in PLACES:
            raise ValueError(base)
        return state, Segment(segment), offset
    except ValueError:
        raise TurnoutError(STALE_BUTTON) from None


def handle_people_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """A segment opened from the overview, or Previous / Next: that page drawn in place."""
    ack()
    with answering(respond, reads(deps, member_of(deps, body))):
        state, segment, offset = read_people_value(body["actions"][0].get("value"))
        profile = profile_of(deps, client, member_of(deps, body), for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            page = people_page(
                session, actor=actor, state=state, segment=segment, now=deps.clock(), offset=offset
            )
        say(respond, build_people_page(page, language(profile.reads)), replace=True)


# ---------------------------------------------------------------- training first


def run_require(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args)
    if not args or len(args) not in (1, 3) or is_help(args[0]):
        raise UsageError(N_("Give a state, a kind of shift, and `training` or `none`."), usage.REQUIRE)
    code = require_state(args[0], usage.REQUIRE)
    if len(args) == 1:
        with request.acting() as (session, actor):
            kinds = requirements(session, actor=actor, state=code)
        return say(request.respond, text_reply(rules_text(code, kinds, request.lang)))
    kind = parse_kind(args[1])
    if kind is None:
        raise UsageError(
            N_("`{word}` is not a kind of shift. Kinds: {kinds}."),
            usage.REQUIRE,
            word=shown(args[1]),
            kinds=kinds_text(request.lang),
        )
    if kind == ShiftKind.TRAINING:
        raise UsageError(
            N_("A training can't require a training first; name the kind that needs one."), usage.REQUIRE
        )
    choice = args[2].lower()
    if choice not in ("training", "none"):
        raise UsageError(N_("`{word}` should be `training` or `none`."), usage.REQUIRE, word=shown(args[2]))
    required = choice == "training"
    with request.acting() as (session, actor):
        changed = set_requirement(
            session, actor=actor, state=code, kind=kind, required=required, now=request.deps.clock()
        )
    say(request.respond, text_reply(requirement_text(code, kind, required, changed, request.lang)))


def requirement_text(code: str, kind: ShiftKind, required: bool, changed: bool, lang: Lang) -> str:
    """What `require STATE KIND training|none` did. The kind is written as within a sentence
    (`Los turnos de tocar puertas`) and the sentence starts with a capital (`Canvass shifts`)."""
    values = {"kind": kind_label(lang, kind).lower(), "where": in_place(code, lang), "state": code}
    return sentence(requirement_words(required, changed, values, lang))


def requirement_words(required: bool, changed: bool, values: dict[str, str], lang: Lang) -> str:
    if required and changed:
        return lang._(
            "{kind} shifts {where} now need a training first: one attended {where} or nationally, one recorded "
            "with `/turnout trained @user {state}`, or a place on a training that ends before the shift.",
            **values,
        )
    if required:
        return lang._("{kind} shifts {where} already need a training first.", **values)
    if changed:
        return lang._("{kind} shifts {where} no longer need a training first.", **values)
    return lang._("{kind} shifts {where} didn't need a training first.", **values)


def rules_text(code: str, kinds: list[ShiftKind], lang: Lang = ENGLISH) -> str:
    if not kinds:
        return lang._(
            "No kind of shift needs a training first {where}. `/turnout require {state} canvass training` sets one.",
            where=in_place(code, lang),
            state=code,
        )
    names = [kind_label(lang, kind).lower() for kind in kinds]
    listed = (
        names[0]
        if len(names) == 1
        else lang._("{items} and {last}", items=", ".join(names[:-1]), last=names[-1])
    )
    return lang._(
        "{where}, {kinds} shifts need a training first.", where=sentence(in_place(code, lang)), kinds=listed
    )


def run_trained(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args, at=1)
    if len(args) != 2 or is_help(args[0]):
        raise UsageError(N_("Name one person and one state."), usage.TRAINED)
    code = require_state(args[1], usage.TRAINED)
    ref = parse_user(args[0], usage.TRAINED)
    with request.acting() as (session, actor):
        # Who may is settled before anyone is looked up in Slack.
        require_coordinator(session, actor=actor, state=code, doing=N_("record trainings in {state}"))
    user_id = resolve_user(request, ref)
    with request.acting() as (session, actor):
        recorded = record_training(
            session, actor=actor, user_id=user_id, state=code, now=request.deps.clock()
        )
    lang = request.lang
    text = (
        lang._(
            "Recorded: <@{person}> is trained {where}, and may claim shifts there that need a training.",
            person=user_id,
            where=in_place(code, lang),
        )
        if recorded
        else lang._(
            "<@{person}>'s training {where} was recorded already.", person=user_id, where=in_place(code, lang)
        )
    )
    say(request.respond, text_reply(text))


# ---------------------------------------------------------------- the no-show policy


def run_noshow(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args)
    if not args or len(args) > 2 or is_help(args[0]):
        raise UsageError(N_("Give a state, and a number of no-shows or `off`."), usage.NOSHOW)
    code = require_state(args[0], usage.NOSHOW)
    deps = request.deps
    if len(args) == 1:
        with request.acting() as (session, actor):
            limit = noshow_limit(session, actor=actor, state=code)
        return say(request.respond, text_reply(policy_text(code, limit, changed=False, lang=request.lang)))
    word = args[1].lower()
    if word in OFF_WORDS:
        limit = None
    elif LIMIT.fullmatch(word) and 1 <= int(word) <= MAX_NOSHOW_LIMIT:
        limit = int(word)
    else:
        raise UsageError(
            N_("`{word}` is not a number of no-shows from 1 to {maximum}, or `off`."),
            usage.NOSHOW,
            word=shown(args[1]),
            maximum=MAX_NOSHOW_LIMIT,
        )
    with request.acting() as (session, actor):
        set_noshow_limit(session, actor=actor, state=code, limit=limit, now=deps.clock())
    say(request.respond, text_reply(policy_text(code, limit, changed=True, lang=request.lang)))


def policy_text(code: str, limit: int | None, *, changed: bool, lang: Lang = ENGLISH) -> str:
    where = sentence(in_place(code, lang))
    if limit is None:
        if changed:
            return lang._(
                "{where}, every claim now takes a place at once: the no-show policy is off.", where=where
            )
        return lang._("{where}, every claim takes a place at once: the no-show policy is off.", where=where)
    if changed:
        return lang.ngettext(
            "{where}, claims from volunteers with {count} or more no-show in the last 60 days now wait for the "
            "shift's host or a coordinator to accept them (an Accept button on the roster). `off` ends it.",
            "{where}, claims from volunteers with {count} or more no-shows in the last 60 days now wait for the "
            "shift's host or a coordinator to accept them (an Accept button on the roster). `off` ends it.",
            limit,
            where=where,
        )
    return lang.ngettext(
        "{where}, claims from volunteers with {count} or more no-show in the last 60 days wait for the "
        "shift's host or a coordinator to accept them (an Accept button on the roster). `off` ends it.",
        "{where}, claims from volunteers with {count} or more no-shows in the last 60 days wait for the "
        "shift's host or a coordinator to accept them (an Accept button on the roster). `off` ends it.",
        limit,
        where=where,
    )


# ---------------------------------------------------------------- Accept


STALE_ACCEPT = N_("I can't read that button. Open the roster again: `/turnout roster ID`.")


def read_accept_value(value: object) -> tuple[int, str, int]:
    """(signup id, surface, page offset) from an Accept button: on a roster page (`ID|roster@OFFSET`)
    or on the notice to the host or leads (`ID|card`)."""
    signup_id, surface = button_ref(value, STALE_ACCEPT)
    try:
        base, offset = act.read_page(surface)
    except ValueError:
        raise TurnoutError(STALE_ACCEPT) from None
    if base not in (act.ROSTER, act.CARD):
        raise TurnoutError(STALE_ACCEPT)
    return signup_id, base, offset


def handle_accept_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Accept a held claim; the roster (or the notice) is redrawn to say so, the volunteer told."""
    ack()
    with answering(respond, reads(deps, member_of(deps, body))):
        signup_id, surface, offset = read_accept_value(body["actions"][0].get("value"))
        profile = profile_of(deps, client, member_of(deps, body), for_permission=True)
        now = deps.clock()
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            result = accept_claim(session, actor=actor, signup_id=signup_id, now=now)
            lang = language(profile.reads)
            note = accepted_headline(result, actor.user_id, lang)
            reply: Reply = text_reply(note)
            if surface == act.ROSTER:
                shift_roster = roster(session, actor=actor, shift_id=result.signup.shift.id, now=now)
                reply = with_note(build_roster(shift_roster, offset, lang), note)
        say(respond, reply, replace=True)
        after_accept(deps, client, result)


def register(app: App, deps: Deps) -> None:
    app.action(act.ACCEPT)(**acked_then(partial(handle_accept_click, deps=deps), deps))
    for action_id in (act.PEOPLE_SEGMENT, act.PEOPLE_PAGE, act.page_action(act.PEOPLE_PAGE, act.PREVIOUS)):
        app.action(action_id)(**acked_then(partial(handle_people_click, deps=deps), deps))


SUBCOMMANDS: dict[str, Subcommand] = {
    "people": run_people,
    "require": run_require,
    "trained": run_trained,
    "noshow": run_noshow,
}
