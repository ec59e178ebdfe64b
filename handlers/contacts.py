"""Logging contacts and seeing the impact: /log (inline, form, undo), /stats, /leaderboard,
and the coordinators' `/turnout goal` and `/turnout export`."""

from __future__ import annotations

import logging
import re
from datetime import date
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.coalition import build_coalition_stats, build_org_leaderboard
from bot.blocks.common import Reply, text_reply
from bot.blocks.contacts import (
    LOG_FORM,
    build_goal_set,
    build_log_result,
    build_logged_view,
    build_undo_result,
)
from bot.blocks.help import build_command_help, build_log_help, build_subcommand_help
from bot.blocks.refusals import problem_text, refusal_text
from bot.blocks.stats import build_leaderboard, build_personal_stats, build_state_stats
from bot.db import is_postgresql
from bot.deps import Deps
from bot.i18n import N_, Lang, language
from bot.models import Metric
from bot.services.clock import local_date
from bot.services.coalition import coalition_stats, org_leaderboard
from bot.services.contacts import LogResult, log_contacts, log_in_state_channel, read_log_place, undo_last_log
from bot.services.errors import GoalOutOfRange, TurnoutError, UsageError
from bot.services.export import export_state
from bot.services.goals import MAX_GOAL, set_goal
from bot.services.leaderboards import leaderboard
from bot.services.members import Member
from bot.services.people import Profile, ensure_volunteer, personal_timezone
from bot.services.places import NATIONAL_TZ
from bot.services.states import default_state, state_for_channel, state_timezone
from bot.services.stats import personal_stats, state_stats
from bot.slack.forms import open_log_form
from bot.vocabulary import SPAN_WORDS, fold, metric_keyword
from handlers.common import (
    Subcommand,
    TurnoutRequest,
    acked_then,
    acting_as,
    answered,
    answering,
    apology,
    as_stored,
    caller_lang,
    enroll,
    is_help,
    known_profile,
    member_of,
    profile_of,
    reads,
    say,
    work_pool,
)
from handlers.parsing import (
    check_count,
    parse_date,
    parse_day_word,
    parse_log,
    parse_metric,
    parse_state,
    split_state,
    take_state,
    tokens,
)
from handlers.payloads import (
    bare_id,
    check_day,
    offered,
    picked,
    record_id,
    submission_key,
    text_value,
    whole_number,
)

logger = logging.getLogger(__name__)
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,20}")

LEADERBOARD_WINDOWS = ("today", "week", "all")
# `/stats coalition` and `/leaderboard orgs`, in English and Spanish (folded: no accents).
COALITION_WORDS = ("coalition", "coalicion", "campaign", "campana")
ORGS_WORDS = ("orgs", "org", "organizations", "organisations", "organizaciones")


def handle_log(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps) -> None:
    ack()
    text = command["text"].strip()
    who = member_of(deps, command)
    with answering(respond, reads(deps, who)):
        if is_help(text) or not text or text.lower() == "undo":
            lang = language(profile_of(deps, client, who).reads)
            if is_help(text):
                return say(respond, build_log_help(lang))
            if not text:
                return open_log_form(deps, client, who, command["channel_id"], command["trigger_id"])
            with deps.session() as session:
                undone = undo_last_log(session, who=who, now=deps.clock())
            return say(respond, build_undo_result(undone, lang))
        request = parse_log(text, deps.settings.max_log_count, usage.LOG)
        now = deps.clock()

        def write(session: Session) -> tuple[Profile, LogResult]:
            # Database work only: on SQLite it may share a transaction with other logs, and run
            # again alone if that transaction fails (`bot.groupcommit`).
            channel = (who.team_id, command["channel_id"])
            bound = deps.channel_states.get(channel) if request.shift_id is None else None
            if bound is not None:
                logged = log_in_state_channel(
                    session, who=who, counts=request.counts, channel_id=channel[1], bound=bound, now=now
                )
                if logged is not None:
                    stored, result = logged
                    return as_stored(deps, who, stored), result
            place = read_log_place(session, who=who, channel_id=channel[1])
            if place.channel is not None and is_postgresql(session):
                deps.channel_states[channel] = place.channel
            else:
                deps.channel_states.pop(channel, None)
            profile, _actor = acting_as(deps, session, who, place.stored)
            return profile, log_contacts(
                session,
                who=who,
                counts=request.counts,
                shift_id=request.shift_id,
                channel_id=command["channel_id"],
                now=now,
                place=place,
            )

        # Who is logging, the channel's state and their home state are read in one statement, in
        # the same transaction. On PostgreSQL every write here is one statement (a new
        # volunteer's row; the log with its rollups), each committing as it runs; in a channel
        # this process has already read bound to a state, the reads and the writes are one.
        profile, result = deps.writes.run(write)
        say(respond, build_log_result(result, language(profile.reads)))


def handle_log_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], *, deps: Deps) -> None:
    """Checked before the ack so mistakes show beside their field; recorded once per person and form."""
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    values = view["state"]["values"]
    counts: dict[Metric, int] = {}
    errors: dict[str, str] = {}
    for metric in Metric:
        raw = text_value(values, metric.value).strip()
        if not raw:
            continue
        try:
            # A number field's value is whatever the client sent: only ASCII digits are counts.
            if not raw.isascii():
                raise UsageError(
                    N_("That isn't a count of {metric}: use digits 0-9."), usage.LOG, metric=metric
                )
            counts[metric] = check_count(raw, metric, deps.settings.max_log_count, usage.LOG)
        except UsageError as problem:
            errors[metric.value] = problem_text(problem, lang)[:150]
    if not counts and not errors:
        errors[Metric.DOORS.value] = lang._("Enter at least one count.")
    chosen = picked(values, "shift")
    shift_id = record_id(chosen) if chosen else None
    listed = offered(view, "shift")
    if chosen and (shift_id is None or chosen not in listed):
        # An error must name a field the form has; a form listing no shifts has no shift field.
        errors.setdefault(
            "shift" if listed else Metric.DOORS.value, lang._("Pick one of the shifts listed, or none.")
        )
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        with deps.session() as session:
            ensure_volunteer(session, who=who, now=deps.clock())
            result = log_contacts(
                session,
                who=who,
                counts=counts,
                shift_id=shift_id,
                channel_id=channel_of(view),
                now=deps.clock(),
                source_key=submission_key(user_id, view.get("id")),
            )
    except TurnoutError as refusal:
        ack(
            response_action="errors",
            errors={"shift" if shift_id else Metric.DOORS.value: refusal_text(refusal, lang)[:150]},
        )
        return
    except Exception as error:
        # The form stays open with the reason beside it, so the counts can be sent again.
        logger.exception("the log form could not be recorded")
        ack(response_action="errors", errors={Metric.DOORS.value: apology(error, lang)[:150]})
        return
    ack(response_action="update", view=build_logged_view(result, lang))


def channel_of(view: dict[str, Any]) -> str | None:
    """The channel the form was opened from (carried in private_metadata), if it looks like one."""
    channel = view.get("private_metadata")
    return channel if isinstance(channel, str) and CHANNEL_ID.fullmatch(channel) else None


def handle_log_for_shift(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """ "Log contacts" under an after-shift DM: the log form with that shift chosen."""
    ack()
    who = member_of(deps, body)
    with answering(respond, reads(deps, who)):
        shift_id = bare_id(body["actions"][0].get("value"))
        open_log_form(deps, client, who, "", body["trigger_id"], shift_id=shift_id)


def handle_stats(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    words = tokens(command["text"])
    who = member_of(deps, command)
    with answering(respond, reads(deps, who)):
        # `me` is always the caller, never Maine (that is `/stats maine`).
        mine = len(words) == 1 and words[0].lower() == "me"
        # A state's stats are read with the caller's profile, in one read transaction, and
        # answered once it has ended (a reply that goes through the response_url holds nothing).
        with deps.read_session() as session:
            profile = known_profile(deps, session, who)
            lang = language(profile.reads)
            reply = _stats_reply(session, deps, who, command["channel_id"], words, mine, lang)
        if reply is not None:
            return say(respond, reply)
        with deps.session() as session:
            enroll(deps, session, profile)
            tz = personal_timezone(session, who=who, profile_tz=profile.timezone, fallback=NATIONAL_TZ)
            stats = personal_stats(session, who=who, today=local_date(deps.clock(), tz))
        say(respond, build_personal_stats(stats, profile.name, lang))


def _stats_reply(
    session: Session, deps: Deps, who: Member, channel_id: str, words: list[str], mine: bool, lang: Lang
) -> Reply | None:
    """`/stats`' answer from the read session: help, the coalition's or a state's numbers; None
    for the caller's own, which are read in a write session (they may be new to Turnout)."""
    if words and is_help(words[0]):
        return build_command_help("/stats", lang)
    if len(words) == 1 and fold(words[0]) in COALITION_WORDS:
        return build_coalition_stats(coalition_stats(session, now=deps.clock()), lang)
    named = None if mine or not words else parse_state(" ".join(words))
    if words and not mine and named is None:
        raise UsageError(N_("I don't understand `{words}`."), usage.STATS, words=" ".join(words)[:40])
    state = None if mine else named or state_for_channel(session, team_id=who.team_id, channel_id=channel_id)
    if state is None:
        return None
    return build_state_stats(state_stats(session, team_id=who.team_id, state=state, now=deps.clock()), lang)


def handle_leaderboard(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    ack()
    words = tokens(command["text"])
    who = member_of(deps, command)
    with answering(respond, reads(deps, who)):
        lang = caller_lang(deps, who)
        if words and is_help(words[0]):
            return say(respond, build_command_help("/leaderboard", lang))
        orgs = bool(words) and fold(words[0]) in ORGS_WORDS
        if orgs:
            words = words[1:]
        state, window = None, None
        while words:
            code, size = take_state(words) if state is None else (None, 0)
            word, words = words[0], words[max(size, 1) :]
            # `hoy`, `semana`, `todo` are `today`, `week` and `all`.
            span = parse_day_word(word) or SPAN_WORDS.get(fold(word)) or word.lower()
            if code is not None:
                state = code
            elif span in LEADERBOARD_WINDOWS and window is None:
                window = span
            else:
                raise UsageError(
                    N_("I don't understand `{word}` here (or it is given twice)."),
                    usage.LEADERBOARD,
                    word=word[:40],
                )
        if orgs:
            # The organizations across all states unless one is named: the coalition's board.
            with deps.read_session() as session:
                ranked = org_leaderboard(
                    session, team_id=who.team_id, state=state, window=window or "week", now=deps.clock()
                )
            return say(respond, build_org_leaderboard(ranked, lang))
        with deps.read_session() as session:
            state = state or default_state(session, channel_id=command["channel_id"], who=who)
            board = leaderboard(session, who=who, state=state, window=window or "week", now=deps.clock())
        say(respond, build_leaderboard(board, lang))


def run_goal(request: TurnoutRequest) -> None:
    if request.args and is_help(request.args[0]):
        return say(request.respond, build_subcommand_help("goal", request.lang))
    if not request.args:
        raise UsageError(
            N_("Give a state, a number and a metric (and optionally a date or `daily`)."), usage.GOAL
        )
    state, args = split_state(request.args, usage.GOAL)
    args = [state, *args]
    if not 3 <= len(args) <= 4:
        raise UsageError(
            N_("Give a state, a number and a metric (and optionally a date or `daily`)."), usage.GOAL
        )
    target = whole_number(args[1])
    if target is None:
        raise _not_a_goal(args[1], request.lang)
    metric = parse_metric(args[2])
    if metric is None:
        raise UsageError(
            N_("`{word}` isn't a metric. Metrics: {metrics}."),
            usage.GOAL,
            word=args[2][:30].replace("`", "'"),
            metrics=", ".join(metric_keyword(m, request.lang.code) for m in Metric),
        )
    when = args[3].lower() if len(args) == 4 else None
    day: date | None = None
    with request.acting() as (session, actor):
        if when != "daily":
            day = (
                check_day(parse_date(when, usage.GOAL), request.deps.clock().date(), usage.GOAL)
                if when
                else local_date(
                    request.deps.clock(), state_timezone(session, team_id=actor.team_id, code=state)
                )
            )
        try:
            set_goal(
                session,
                actor=actor,
                state=state,
                metric=metric,
                target=target,
                day=day,
                now=request.deps.clock(),
            )
        except GoalOutOfRange:
            raise _not_a_goal(args[1], request.lang) from None
    say(
        request.respond,
        build_goal_set(state, metric, target, day, request.lang),
    )


def _not_a_goal(text: str, lang: Lang) -> UsageError:
    # set_goal checks the range; this says it in the words of the command, with its usage.
    shown = text[:20].replace("`", "'")
    return UsageError(
        N_("`{goal}` isn't a goal. Goals are whole numbers from 1 to {maximum}."),
        usage.GOAL,
        goal=shown,
        maximum=lang.number(MAX_GOAL),
    )


def run_export(request: TurnoutRequest) -> None:
    if request.args and is_help(request.args[0]):
        return say(request.respond, build_subcommand_help("export", request.lang))
    if not request.args:
        raise UsageError(N_("Give a state, and optionally the first and last dates."), usage.EXPORT)
    state, rest = split_state(request.args, usage.EXPORT)
    args = [state, *rest]
    if len(args) > 3:
        raise UsageError(N_("Give a state, and optionally the first and last dates."), usage.EXPORT)
    today = request.deps.clock().date()
    first = check_day(parse_date(args[1], usage.EXPORT), today, usage.EXPORT) if len(args) > 1 else None
    last = check_day(parse_date(args[2], usage.EXPORT), today, usage.EXPORT) if len(args) > 2 else None
    with request.acting() as (session, actor):
        export = export_state(
            session, actor=actor, state=state, first=first, last=last, now=request.deps.clock()
        )
    client, lang = request.client, request.lang
    # The files' columns stay English, as the voter file and its tools expect; the message is the reader's.
    dm = client.conversations_open(users=request.user_id)["channel"]["id"]
    stem = f"turnout-{state.lower()}-{export.first}-{export.last}"
    client.files_upload_v2(
        channel=dm,
        initial_comment=lang._(
            "{state} from {first} to {last}: {contacts}, {attendance}.",
            state=state,
            first=export.first.isoformat(),
            last=export.last.isoformat(),
            contacts=lang.ngettext("{count} contact row", "{count} contact rows", export.contact_rows),
            attendance=lang.ngettext(
                "{count} attendance row", "{count} attendance rows", export.attendance_rows
            ),
        ),
        file_uploads=[
            {
                "content": export.contacts_csv,
                "filename": f"{stem}-contacts.csv",
                "title": lang._("{state} contacts", state=state),
            },
            {
                "content": export.attendance_csv,
                "filename": f"{stem}-attendance.csv",
                "title": lang._("{state} attendance", state=state),
            },
        ],
    )
    say(
        request.respond,
        text_reply(
            lang._(
                "Sent you the {state} export ({first} to {last}) by DM.",
                state=state,
                first=export.first.isoformat(),
                last=export.last.isoformat(),
            )
        ),
    )


def register(app: App, deps: Deps) -> None:
    pool = work_pool(app)
    app.command("/log")(**answered(partial(handle_log, deps=deps), deps, pool))
    app.command("/stats")(**answered(partial(handle_stats, deps=deps), deps, pool))
    app.command("/leaderboard")(**answered(partial(handle_leaderboard, deps=deps), deps, pool))
    app.view(LOG_FORM)(partial(handle_log_form, deps=deps))
    app.action(act.LOG_FOR_SHIFT)(**acked_then(partial(handle_log_for_shift, deps=deps), deps))


SUBCOMMANDS: dict[str, Subcommand] = {"goal": run_goal, "export": run_export}
