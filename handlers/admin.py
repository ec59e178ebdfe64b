"""Setting up: `/turnout help`, `home`, `state`, `coordinator`, `cutoff`, and the hosting roles
and channels: `host` (trusted hosts) and `leads`."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial

from babel.numbers import format_decimal
from slack_sdk.errors import SlackApiError

from bot.blocks import help as usage
from bot.blocks.common import esc, text_reply
from bot.blocks.contacts import place
from bot.blocks.help import build_turnout_help
from bot.blocks.hosting import build_leads_route, build_trusted_dm
from bot.i18n import N_, Lang
from bot.models import DeliveryKind
from bot.services.errors import NotFound, UsageError
from bot.services.hosting import grant_trusted_host, revoke_trusted_host, set_leads_channel, show_leads_route
from bot.services.members import Member
from bot.services.people import grant_coordinator, revoke_coordinator, set_home_state
from bot.services.roles import coordinated_states, require_coordinator
from bot.services.sharing import open_shared_shifts
from bot.services.states import bind_state, set_unclaim_cutoff
from bot.slack.delivery import dm_lang, post_shared_copy, send_dm
from handlers.common import Subcommand, TurnoutRequest, is_help, resolve_user, say
from handlers.parsing import ChannelRef, fold_state, parse_channel, parse_user, require_state

# Hours as people write them: ASCII digits, optionally a fraction (no exponents, inf or nan).
HOURS = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,3})?")


def run_help(request: TurnoutRequest) -> None:
    with request.acting() as (session, actor):
        states = [] if actor.is_admin else coordinated_states(session, actor=actor)
    say(
        request.respond,
        build_turnout_help(
            coordinates=states,
            is_admin=actor.is_admin,
            lang=request.lang,
            is_campaign_admin=actor.is_campaign_admin,
        ),
    )


def run_home(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args)
    if len(args) != 1 or is_help(args[0]):
        raise UsageError(N_("Give one state, by its code or its name."), usage.HOME)
    code = require_state(args[0], usage.HOME)
    deps = request.deps
    with request.acting() as (session, _actor):
        set_home_state(session, who=request.who, code=code, now=deps.clock())
    lang = request.lang
    say(
        request.respond,
        text_reply(lang._("Your home state is now {place} ({code}).", place=place(code, lang), code=code)),
    )


def run_state(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args)
    if len(args) not in (2, 3) or is_help(args[0]):
        raise UsageError(N_("Give a state, a channel and optionally a time zone."), usage.STATE)
    code = require_state(args[0], usage.STATE)
    channel = resolve_channel(request, parse_channel(args[1], usage.STATE))
    timezone = args[2] if len(args) == 3 else None
    deps = request.deps
    with request.acting() as (session, actor):
        state = bind_state(
            session, actor=actor, code=code, channel_id=channel, timezone=timezone, now=deps.clock()
        )
        shared = open_shared_shifts(session, team_id=actor.team_id, state=code, now=deps.clock())
    say(
        request.respond,
        text_reply(
            request.lang._(
                "{place} ({code}) now posts in <#{channel}>, on {timezone} time.",
                place=place(code, request.lang),
                code=code,
                channel=channel,
                timezone=state.timezone,
            )
        ),
    )
    # Other organizations' open shared shifts of the state are posted in the channel now bound
    # (after the answer, on this workspace's lane).
    for shift_id in shared:
        deps.lanes.submit(
            actor.team_id, partial(post_shared_copy, deps, request.client, shift_id, actor.team_id)
        )


def run_coordinator(request: TurnoutRequest) -> None:
    args = list(request.args)
    removing = bool(args) and args[0].lower() == "remove"
    if removing:
        args = args[1:]
    args, _ = fold_state(args, at=1)
    if len(args) != 2 or is_help(args[0]):
        raise UsageError(N_("Name one person and one state."), usage.COORDINATOR)
    code = require_state(args[1], usage.COORDINATOR)
    user_id = resolve_user(request, parse_user(args[0], usage.COORDINATOR))
    deps, lang = request.deps, request.lang
    with request.acting() as (session, actor):
        if removing:
            revoke_coordinator(session, actor=actor, user_id=user_id, state=code)
            text = lang._("<@{person}> no longer coordinates {state}.", person=user_id, state=code)
        elif grant_coordinator(session, actor=actor, user_id=user_id, state=code, now=deps.clock()):
            text = lang._("<@{person}> now coordinates {state}.", person=user_id, state=code)
        else:
            text = lang._("<@{person}> already coordinates {state}.", person=user_id, state=code)
    say(request.respond, text_reply(text))


def run_cutoff(request: TurnoutRequest) -> None:
    args, _ = fold_state(request.args)
    if len(args) != 2 or is_help(args[0]):
        raise UsageError(N_("Give a state and a number of hours."), usage.CUTOFF)
    code = require_state(args[0], usage.CUTOFF)
    hours = HOURS.fullmatch(args[1].lower().removesuffix("h"))
    if hours is None:
        shown = args[1][:20].replace("`", "'")
        raise UsageError(N_("`{hours}` is not a number of hours, like 3 or 1.5."), usage.CUTOFF, hours=shown)
    minutes = round(float(hours.group(0)) * 60)
    deps = request.deps
    with request.acting() as (session, actor):
        set_unclaim_cutoff(session, actor=actor, code=code, minutes=minutes, now=deps.clock())
    say(request.respond, text_reply(cutoff_text(code, minutes, request.lang)))


def cutoff_text(code: str, minutes: int, lang: Lang) -> str:
    """`In IA, volunteers can release a shift themselves until 1.5 hours before it starts.`"""
    if minutes == 0:
        return lang._("In {state}, volunteers can release a shift themselves until it starts.", state=code)
    if minutes % 60 == 0:
        return lang.ngettext(
            "In {state}, volunteers can release a shift themselves until {count} hour before it starts.",
            "In {state}, volunteers can release a shift themselves until {count} hours before it starts.",
            minutes // 60,
            state=code,
        )
    # A fraction of an hour is plural in both languages: `1.5 hours`, `1,5 horas`.
    return lang._(
        "In {state}, volunteers can release a shift themselves until {hours} hours before it starts.",
        state=code,
        hours=format_decimal(minutes / 60, locale=lang.locale),
    )


def run_trusted_host(request: TurnoutRequest) -> None:
    """`host [remove] @user STATE`: a state's coordinators trust a volunteer to publish the
    shifts they host there; the volunteer is told either way."""
    args = list(request.args)
    removing = bool(args) and args[0].lower() == "remove"
    if removing:
        args = args[1:]
    args, _ = fold_state(args, at=1)
    if len(args) != 2 or is_help(args[0]):
        raise UsageError(N_("Name one person and one state."), usage.TRUSTED_HOST)
    code = require_state(args[1], usage.TRUSTED_HOST)
    ref = parse_user(args[0], usage.TRUSTED_HOST)
    with request.acting() as (session, actor):
        # Who may is settled before anyone is looked up in Slack.
        doing = N_("revoke trusted hosts in {state}") if removing else N_("make trusted hosts in {state}")
        require_coordinator(session, actor=actor, state=code, doing=doing)
    user_id = resolve_user(request, ref)
    deps, lang = request.deps, request.lang
    with request.acting() as (session, actor):
        if removing:
            revoke_trusted_host(session, actor=actor, user_id=user_id, state=code)
            changed, text = (
                True,
                lang._(
                    "<@{person}> is no longer a trusted host in {state}: their next `/host` there is a proposal.",
                    person=user_id,
                    state=code,
                ),
            )
        elif grant_trusted_host(session, actor=actor, user_id=user_id, state=code, now=deps.clock()):
            changed, text = (
                True,
                lang._(
                    "<@{person}> is now a trusted host in {state}: the shifts they `/host` there are posted at once.",
                    person=user_id,
                    state=code,
                ),
            )
        else:
            changed, text = (
                False,
                lang._("<@{person}> is already a trusted host in {state}.", person=user_id, state=code),
            )
    say(request.respond, text_reply(text))
    if changed:
        now = deps.clock()
        send_dm(
            deps,
            request.client,
            team_id=request.team_id,
            kind=DeliveryKind.HOST_NEWS,
            user_id=user_id,
            key=f"trusted:{code}:{'off' if removing else 'on'}:{int(now.timestamp() * 1_000_000)}",
            reply=build_trusted_dm(
                code, trusted=not removing, lang=dm_lang(deps, Member(request.team_id, user_id))
            ),
            expires_at=now + TRUSTED_NEWS_USEFUL_FOR,
        )


TRUSTED_NEWS_USEFUL_FOR = timedelta(days=1)


def run_leads(request: TurnoutRequest) -> None:
    """`leads STATE [#channel|off]`: where a state's leads news goes, set by its coordinators."""
    args, _ = fold_state(request.args)
    if not args or len(args) > 2 or is_help(args[0]):
        raise UsageError(N_("Give a state, and a channel (or `off`)."), usage.LEADS)
    code = require_state(args[0], usage.LEADS)
    deps = request.deps
    if len(args) == 1:
        with request.acting() as (session, actor):
            route = show_leads_route(session, actor=actor, code=code)
        return say(request.respond, build_leads_route(route, changed=False, lang=request.lang))
    public = False
    channel_id: str | None = None
    if args[1].lower() not in LEADS_OFF:
        channel_id, private = channel_seen(request, parse_channel(args[1], usage.LEADS))
        public = not private
    with request.acting() as (session, actor):
        route = set_leads_channel(session, actor=actor, code=code, channel_id=channel_id, now=deps.clock())
    say(request.respond, build_leads_route(route, changed=True, public=public, lang=request.lang))


LEADS_OFF = frozenset({"off", "none", "remove"})


def resolve_channel(request: TurnoutRequest, ref: ChannelRef) -> str:
    """A channel id the bot can see, from a mention or a typed #name."""
    return channel_seen(request, ref)[0]


def channel_seen(request: TurnoutRequest, ref: ChannelRef) -> tuple[str, bool]:
    """(id, whether it is private) of a channel the bot can see, from a mention or a typed #name."""
    # A mention's label is whatever the client put there: shown as text, never as markup.
    channel_id = ref.id or request.deps.directory.channel_id(request.client, ref.name or "")
    if channel_id is None:
        if ref.name:
            raise NotFound(
                N_(
                    "I can't find #{channel}. Pick it from Slack's autocomplete, or invite @Turnout to it first."
                ),
                channel=esc(ref.name),
            )
        raise NotFound(
            N_(
                "I can't find that channel. Pick it from Slack's autocomplete, or invite @Turnout to it first."
            )
        )
    try:
        info = request.client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        if ref.name:
            raise NotFound(
                N_("I can't see #{channel}; if it is private, invite @Turnout to it first."),
                channel=esc(ref.name),
            ) from error
        raise NotFound(
            N_("I can't see that channel; if it is private, invite @Turnout to it first.")
        ) from error
    return channel_id, bool((info.get("channel") or {}).get("is_private"))


SUBCOMMANDS: dict[str, Subcommand] = {
    "help": run_help,
    "home": run_home,
    "state": run_state,
    "coordinator": run_coordinator,
    "cutoff": run_cutoff,
    "host": run_trusted_host,
    "leads": run_leads,
}
