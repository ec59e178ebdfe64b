"""Coordinators' shift tools: `shift add` (inline or form), `shift cancel`, `roster` and its buttons."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import Reply, text_reply
from bot.blocks.editing import (
    build_added_dm,
    build_edit_form,
    build_edit_result,
    build_repeat_result,
    build_series_cancel_confirmation,
    build_series_cancel_result,
    build_series_cancelled_dm,
    build_shift_changed_dm,
    repeat_fields,
    roster_add_line,
)
from bot.blocks.help import USAGE_OR
from bot.blocks.hosting import build_roster_news
from bot.blocks.refusals import people_list, problem_text, refusal_text
from bot.blocks.shifts import (
    SHARE_FIELD,
    build_cancel_confirmation,
    build_cancel_result,
    build_cancelled_dm,
    build_promoted_dm,
    build_roster,
    build_shared,
    build_shift_created,
    build_shift_form,
    share_field,
)
from bot.deps import Deps
from bot.i18n import N_, Lang, language
from bot.models import DeliveryKind, SignupStatus
from bot.services.editing import (
    MAX_REPEAT,
    EditResult,
    Repeat,
    RepeatResult,
    ShiftChanges,
    add_to_shift,
    cancel_series,
    edit_shift,
    plan_copies,
    repeat_shift,
    require_runner_of,
    shift_to_edit,
)
from bot.services.errors import CapacityBelowHeld, TurnoutError, UsageError
from bot.services.members import Member
from bot.services.organizations import org_names
from bot.services.people import languages_of
from bot.services.roles import coordinated_states
from bot.services.sharing import share_shift
from bot.services.shifts import (
    InvalidShift,
    NewShift,
    ShiftView,
    cancel_shift,
    create_shift,
    mark_attendance,
    remove_signup,
    roster,
    seen_from,
)
from bot.services.states import default_state, state_channel
from bot.slack.delivery import (
    FORM_REPLY_USEFUL_FOR,
    after_release,
    dm_lang,
    event_key,
    for_recipient,
    landed_count,
    names_for,
    post_new_shift,
    post_shared_copies,
    redraw_moved_at_risk_posts,
    refresh_shift_post,
    send_dm,
)
from bot.slack.forms import open_form
from bot.slack.held_claims import after_no_show
from bot.slack.hosting import refresh_proposal_copies
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
    resolve_user,
    say,
    with_note,
    work_pool,
)
from handlers.parsing import (
    MAX_REASON,
    check_reason,
    fold_state,
    parse_date,
    parse_edit,
    parse_repeat,
    parse_shift_id,
    parse_user,
)
from handlers.payloads import (
    STALE_BUTTON,
    button_ref,
    check_day,
    field,
    picked,
    record_id,
    submission_key,
    text_value,
    whole_number,
)
from handlers.shift_forms import (
    FieldChecker,
    as_usage,
    check_shift_times,
    first_form_day,
    parse_inline_shift,
    read_shift_form,
    retype_key,
    state_timezone_for,
)

logger = logging.getLogger(__name__)


def run_shift(request: TurnoutRequest) -> None:
    """`shift add|edit|repeat|cancel`, answered in the caller's language (refusals too)."""
    lang = caller_lang(request.deps, request.who)
    with answering(request.respond, lang):
        verb = request.args[0].lower() if request.args else "help"
        if verb == "add":
            return add_shift(request, lang)
        if verb == "cancel":
            return cancel(request, lang)
        if verb == "edit":
            return edit(request, lang)
        if verb == "repeat":
            return repeat(request, lang)
        raise UsageError(
            N_("Use `shift add`, `shift edit`, `shift repeat` or `shift cancel`."),
            USAGE_OR.join([usage.SHIFT_ADD, usage.SHIFT_EDIT, usage.SHIFT_REPEAT, usage.SHIFT_CANCEL]),
        )


def add_shift(request: TurnoutRequest, lang: Lang) -> None:
    deps, client = request.deps, request.client
    if len(request.args) == 1:
        return open_shift_form(request, lang)
    if is_help(request.args[1]):
        raise UsageError(N_("Add a shift with the form, or all its details on one line."), usage.SHIFT_ADD)
    args, folded = fold_state(request.args, at=1)
    spec = parse_inline_shift(args[1:], request.rest_after(6 + folded), usage.SHIFT_ADD)
    now = deps.clock()
    check_day(spec.day, deps.clock().date(), usage.SHIFT_ADD)
    with request.acting() as (session, actor):
        try:
            shift, created = create_shift(
                session, actor=actor, spec=spec, now=now, source_key=retype_key(spec, actor.user_id, now)
            )
        except InvalidShift as invalid:
            raise as_usage(invalid, usage.SHIFT_ADD) from invalid
    posted = post_new_shift(deps, client, shift.id) if created else None
    say(
        request.respond,
        build_shift_created(
            shift,
            created,
            posted.channel if posted else None,
            pending=bool(posted and not posted.posted),
            refused=posted.refused if posted else None,
            lang=lang,
        ),
    )


def open_shift_form(request: TurnoutRequest, lang: Lang) -> None:
    deps = request.deps
    with request.acting() as (session, actor):
        states = coordinated_states(session, actor=actor)
        likely = default_state(session, channel_id=request.command["channel_id"], who=actor.member)
    if not states:
        raise TurnoutError(
            N_("Only coordinators and admins can add shifts. Ask an admin to make you a coordinator.")
        )
    # The date offered is the first on which the suggested start is still ahead, in the zone of
    # the state the shift is most likely for (the channel's, else the person's home state).
    zone = state_timezone_for(deps, actor.team_id, likely if likely in states else states[0])
    day = first_form_day(deps, zone)
    view = build_shift_form(states, day, lang)
    view["blocks"] += repeat_fields(lang)
    if deps.settings.distributed:  # a coalition: the shift may be shared as it is added
        view["blocks"].append(share_field(lang))
    open_form(request.client, request.command["trigger_id"], view)


def handle_shift_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """The form is checked field by field before the ack, so mistakes show inline; then it is saved once."""
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    spec, errors = read_shift_form(view, usage.SHIFT_ADD, lang)
    weekly, repeat_errors = read_repeat(view, lang)
    try:
        if spec is not None:
            errors = check_shift_times(deps, who.team_id, spec, usage.SHIFT_ADD, lang)
            if weekly is not None and not errors:
                errors = check_repeat(deps, who.team_id, spec, weekly, lang)
        errors = {**repeat_errors, **errors}
    except Exception as error:
        logger.exception("the shift form could not be checked")
        ack(response_action="errors", errors={"date": apology(error, lang)[:150]})
        return
    if errors or spec is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    try:
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            shift, created = create_shift(
                session,
                actor=actor,
                spec=spec,
                now=deps.clock(),
                source_key=submission_key(user_id, view.get("id")),
            )
            if created and wants_shared(view):
                share_shift(session, actor=actor, shift_id=shift.id, now=deps.clock())
            copies = (
                repeat_shift(session, actor=actor, shift_id=shift.id, repeat=weekly, now=deps.clock())
                if weekly is not None
                else None
            )
            if copies is not None and created and wants_shared(view):  # every week, as the box said
                for copy in copies.created:
                    share_shift(session, actor=actor, shift_id=copy.id, now=deps.clock())
        posted = post_new_shift(deps, client, shift.id) if created else None
        if copies is not None:
            post_copies(deps, client, copies)
    except TurnoutError as refusal:
        answer = text_reply(
            lang._("Your shift was not added: {refusal}", refusal=refusal_text(refusal, lang))
        )
        _form_reply(deps, client, who, view["id"], answer)
        return
    except Exception as error:
        # The form has closed: its submitter hears what happened by DM.
        logger.exception("the shift form could not be saved")
        _form_reply(deps, client, who, view["id"], text_reply(apology(error, lang)))
        return
    if created:
        pending = bool(posted and not posted.posted)
        _form_reply(
            deps,
            client,
            who,
            view["id"],
            build_shift_created(
                shift,
                created,
                posted.channel if posted else None,
                pending=pending,
                refused=posted.refused if posted else None,
                lang=lang,
            ),
        )


def _form_reply(deps: Deps, client: WebClient, who: Member, view_id: str, reply: Reply) -> None:
    """The form's answer by DM, once per submission (keyed like the submission: the view id is
    only as trustworthy as the client that sent it)."""
    send_dm(
        deps,
        client,
        team_id=who.team_id,
        kind=DeliveryKind.FORM_REPLY,
        user_id=who.user_id,
        key=submission_key(who.user_id, view_id),
        reply=reply,
        expires_at=deps.clock() + FORM_REPLY_USEFUL_FOR,
    )


def cancel(request: TurnoutRequest, lang: Lang) -> None:
    """`shift cancel ID [REASON…]`: checks, then asks for confirmation; the button cancels."""
    if len(request.args) < 2 or is_help(request.args[1]):
        raise UsageError(N_("Give the id of the shift to cancel, and optionally why."), usage.SHIFT_CANCEL)
    shift_id = parse_shift_id(request.args[1], usage.SHIFT_CANCEL)
    if len(request.args) > 2 and request.args[2].lower() == "series":
        return cancel_rest_of_series(request, shift_id, lang)
    reason = check_reason(request.rest_after(2), usage.SHIFT_CANCEL)
    with request.acting() as (session, actor):
        preview = cancel_shift(
            session, actor=actor, shift_id=shift_id, now=request.deps.clock(), dry_run=True
        )
    say(
        request.respond,
        build_cancel_result(preview, lang=lang)
        if preview.already
        else build_cancel_confirmation(preview, reason, lang),
    )


def handle_cancel_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Cancel, confirmed: the shift is cancelled, everyone on it told (with the reason), and the
    confirmation replaced by what happened. A second click finds it cancelled already."""
    ack()
    lang = caller_lang(deps, member_of(deps, body))
    with answering(respond, lang):
        # The value is `ID|REASON`: the id read like every button's, the reason as it was checked.
        value = body["actions"][0].get("value")
        shift_id, _ = button_ref(value)
        reason = str(value).partition("|")[2]
        if len(reason) > MAX_REASON:  # the button carries the reason as typed and checked
            raise TurnoutError(STALE_BUTTON)
        profile = profile_of(deps, client, member_of(deps, body))
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            result = cancel_shift(session, actor=actor, shift_id=shift_id, now=deps.clock())
        if result.already:
            return say(respond, build_cancel_result(result, lang=lang), replace=True)
        sent = []
        langs = recipient_langs(deps, list(result.notify))
        with deps.read_session() as session:  # a shared shift, as each recipient's workspace shows it
            views = {
                team: seen_from(session, result.shift, team) for team in {w.team_id for w in result.notify}
            }
        for who in result.notify:
            # Someone of another organization is told who cancelled by the shift's organization.
            by = actor.user_id if who.team_id == actor.team_id else None
            sent.append(
                send_dm(
                    deps,
                    client,
                    team_id=who.team_id,
                    kind=DeliveryKind.CANCELLED,
                    user_id=who.user_id,
                    key=str(shift_id),
                    reply=build_cancelled_dm(views[who.team_id], reason, by=by, lang=langs[who]),
                    expires_at=result.shift.ends_at,
                    shift_id=shift_id,
                )
            )
        say(respond, build_cancel_result(result, landed_count(sent), lang), replace=True)
        refresh_shift_post(deps, client, shift_id)
        # A proposal cancelled before anyone decided: its copies for the leads say it was withdrawn.
        refresh_proposal_copies(deps, client, result.shift.team_id, shift_id)


def run_roster(request: TurnoutRequest) -> None:
    """`roster ID` and `roster ID add @user…`, answered in the caller's language."""
    lang = caller_lang(request.deps, request.who)
    with answering(request.respond, lang):
        show_roster(request, lang)


def show_roster(request: TurnoutRequest, lang: Lang) -> None:
    if len(request.args) >= 2 and request.args[1].lower() == "add":
        return add_to_roster(request, lang)
    if len(request.args) != 1 or is_help(request.args[0]):
        raise UsageError(N_("Give the id of one shift."), usage.ROSTER)
    shift_id = parse_shift_id(request.args[0], usage.ROSTER)
    deps = request.deps
    with request.acting() as (session, actor):
        reply = build_roster(roster(session, actor=actor, shift_id=shift_id, now=deps.clock()), lang=lang)
    say(request.respond, reply)


def handle_roster_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Attended / No-show / Remove on a roster: record it, then redraw the same page in place."""
    ack()
    action = body["actions"][0]
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    with answering(respond, lang):
        signup_id, offset = read_roster_value(action.get("value"))
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            now = deps.clock()
            marked = None
            if action["action_id"] == act.REMOVE:
                result = remove_signup(session, actor=actor, signup_id=signup_id, now=now)
                shift_id = result.signup.shift.id
            else:
                status = (
                    SignupStatus.ATTENDED if action["action_id"] == act.ATTENDED else SignupStatus.NO_SHOW
                )
                marked = mark_attendance(session, actor=actor, signup_id=signup_id, status=status, now=now)
                shift_id = marked.shift.id
                result = None
            reply: Reply = build_roster(
                roster(session, actor=actor, shift_id=shift_id, now=now), offset, lang
            )
        say(respond, reply, replace=True)
        if result is not None and result.changed:
            send_dm(
                deps,
                client,
                team_id=result.signup.team_id,
                kind=DeliveryKind.REMOVED,
                user_id=result.signup.user_id,
                key=event_key(shift_id, result.signup.id, now),
                reply=text_reply(
                    dm_lang(deps, Member(result.signup.team_id, result.signup.user_id))._(
                        "{person} took you off shift #{shift}.", person=f"<@{user_id}>", shift=shift_id
                    )
                ),
                expires_at=result.signup.shift.starts_at,
                shift_id=shift_id,
            )
            after_release(deps, client, result)
            shift, removed = result.signup.shift, [result.signup.user_id]
            tell_host(deps, client, shift, removed, user_id, now, signup_id=result.signup.id, added=False)
        elif marked is not None:
            refresh_shift_post(deps, client, shift_id)
            after_no_show(deps, client, marked, marked_by=user_id)


def tell_host(
    deps: Deps,
    client: WebClient,
    shift: ShiftView,
    user_ids: list[str],
    by: str,
    now: datetime,
    *,
    signup_id: int,
    added: bool = True,
) -> None:
    """The host hears when someone else puts people on their shift or takes someone off it, as
    they hear of claims and releases; what they do themselves is no news to them."""
    host = shift.host_id
    people = [u for u in user_ids if u != host]
    if host is None or host == by or not people:
        return
    send_dm(
        deps,
        client,
        team_id=shift.team_id,
        kind=DeliveryKind.HOST_NEWS,
        user_id=host,
        key=f"roster-{'add' if added else 'off'}:{event_key(shift.id, signup_id, now)}",
        reply=build_roster_news(
            shift, people, by, added=added, lang=dm_lang(deps, Member(shift.team_id, host))
        ),
        expires_at=shift.starts_at,
        shift_id=shift.id,
    )


def handle_roster_page(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Previous / Next on a roster: draw that page of people in place (for coordinators only)."""
    ack()
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    with answering(respond, lang):
        shift_id, offset = read_roster_value(body["actions"][0].get("value"))
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            reply = build_roster(
                roster(session, actor=actor, shift_id=shift_id, now=deps.clock()), offset, lang
            )
        say(respond, reply, replace=True)


STALE_ROSTER = N_("I can't read that button. Open the roster again: `/turnout roster ID`.")


def read_roster_value(value: object) -> tuple[int, int]:
    """(signup or shift id, page offset) from a roster button: `ID|roster@OFFSET`, or a bare id
    from a roster drawn before it paged."""
    ref, surface = button_ref(value, STALE_ROSTER)
    try:
        base, offset = act.read_page(surface)
    except ValueError:
        raise TurnoutError(STALE_ROSTER) from None
    if base not in (act.ROSTER, act.CARD):
        raise TurnoutError(STALE_ROSTER)
    return ref, offset


# ---------------------------------------------------------------- editing, repeating, roster add


def edit(request: TurnoutRequest, lang: Lang) -> None:
    """`shift edit ID` opens the form filled in; with named fields, changes just those."""
    if len(request.args) < 2 or is_help(request.args[1]):
        raise UsageError(
            N_("Give the id of the shift, then what changes (or nothing, for the form)."), usage.SHIFT_EDIT
        )
    shift_id = parse_shift_id(request.args[1], usage.SHIFT_EDIT)
    deps = request.deps
    if len(request.args) == 2:
        return open_edit_form(request, shift_id, lang)
    changes = parse_edit(request.args[2:], lambda n: request.rest_after(2 + n), usage.SHIFT_EDIT)
    if changes.day is not None:
        check_day(changes.day, deps.clock().date(), usage.SHIFT_EDIT)
    with request.acting() as (session, actor):
        try:
            result = edit_shift(session, actor=actor, shift_id=shift_id, changes=changes, now=deps.clock())
        except InvalidShift as invalid:
            raise as_usage(invalid, usage.SHIFT_EDIT) from invalid
    told = tell_about_edit(deps, request.client, result)
    say(request.respond, build_edit_result(result, told, lang, promoted_names(deps, result, lang)))


def promoted_names(deps: Deps, result: EditResult, lang: Lang) -> dict[str, str]:
    """Those of another organization the edit moved up, as the shift's workspace names them."""
    people = [Member(s.team_id, s.user_id) for s in result.promoted]
    return names_for(deps, result.shift.team_id, people, lang)


def tell_about_edit(deps: Deps, client: WebClient, result: EditResult) -> int:
    """Everyone on the shift is told what changed, those given a place that it is theirs, and
    its channel post is redrawn; how many of those told have their DM so far (`landed_count`)."""
    if not result.changed:
        return 0
    shift = result.shift
    sent = []
    langs = recipient_langs(deps, [Member(s.team_id, s.user_id) for s in result.told])
    for signup in result.told:
        sent.append(
            send_dm(
                deps,
                client,
                team_id=signup.team_id,
                kind=DeliveryKind.SHIFT_CHANGED,
                user_id=signup.user_id,
                key=f"{shift.id}@{result.version}",
                reply=build_shift_changed_dm(
                    result, for_recipient(deps, signup), langs[Member(signup.team_id, signup.user_id)]
                ),
                expires_at=shift.starts_at,
                shift_id=shift.id,
            )
        )
    for promoted in result.promoted:
        send_dm(
            deps,
            client,
            team_id=promoted.team_id,
            kind=DeliveryKind.PROMOTED,
            user_id=promoted.user_id,
            key=event_key(shift.id, promoted.id, deps.clock()),
            reply=build_promoted_dm(
                for_recipient(deps, promoted), dm_lang(deps, Member(promoted.team_id, promoted.user_id))
            ),
            expires_at=shift.starts_at,
            shift_id=shift.id,
        )
    refresh_shift_post(deps, client, shift.id)
    if {"date", "time"} & set(result.changed):
        redraw_moved_at_risk_posts(deps, client, shift.id, result.version)
    return landed_count(sent)


def open_edit_form(request: TurnoutRequest, shift_id: int, lang: Lang) -> None:
    deps = request.deps
    with request.acting() as (session, actor):
        editable = shift_to_edit(session, actor=actor, shift_id=shift_id, now=deps.clock())
    start, end = f"{editable.start:%H:%M}", f"{editable.end:%H:%M}"
    view = build_edit_form(editable.shift, editable.day, start, end, repeat=editable.can_repeat, lang=lang)
    open_form(request.client, request.command["trigger_id"], view)


def handle_edit_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """The edit form is checked and saved before the ack, so every mistake (a time in the past,
    a capacity below the places held) shows beside its field; the people on it are told after."""
    who = member_of(deps, body)
    lang = caller_lang(deps, who)
    shift_id = record_id(view.get("private_metadata"))
    changes, errors = read_edit_form(view, lang)
    weekly, repeat_errors = read_repeat(view, lang)
    errors = {**errors, **repeat_errors}
    if changes is not None and changes.day is not None:
        try:  # as the inline edit does: a date far away is refused, never tried
            check_day(changes.day, deps.clock().date(), usage.SHIFT_EDIT)
        except UsageError as far:
            errors["date"] = problem_text(far, lang)[:150]
    if shift_id is None:
        errors["date"] = lang._(
            "I can't tell which shift this form is for. Run `/turnout shift edit ID` again."
        )
    if errors or changes is None or shift_id is None:
        ack(response_action="errors", errors=errors)
        return
    copies: RepeatResult | None = None
    try:
        profile = profile_of(deps, client, who, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            now = deps.clock()
            result = edit_shift(session, actor=actor, shift_id=shift_id, changes=changes, now=now)
            if weekly is not None:
                copies = repeat_shift(session, actor=actor, shift_id=shift_id, repeat=weekly, now=now)
    except InvalidShift as invalid:
        block = {"repeat": "repeat_until" if weekly and weekly.until else "repeat_weeks", "time": "start"}
        errors = {block.get(invalid.field, invalid.field): refusal_text(invalid, lang)[:150]}
        ack(response_action="errors", errors=errors)
        return
    except CapacityBelowHeld as held:
        names = people_list(
            [
                esc_plain(
                    lang._("{name} ({org})", name=name, org=held.orgs[user]) if user in held.orgs else name
                )
                for user, name in held.holders
            ],
            5,
            lang=lang,
        )
        text = lang.ngettext(
            "{count} place is held ({names}); take someone off the roster first.",
            "{count} places are held ({names}); take someone off the roster first.",
            len(held.holders),
            names=names,
        )
        ack(response_action="errors", errors={"capacity": text[:150]})
        return
    except TurnoutError as refusal:
        ack()
        answer = text_reply(lang._("Nothing was changed: {refusal}", refusal=refusal_text(refusal, lang)))
        _form_reply(deps, client, who, view["id"], answer)
        return
    except Exception as error:
        logger.exception("the edit form could not be saved")
        ack(response_action="errors", errors={"date": apology(error, lang)[:150]})
        return
    ack()
    told = tell_about_edit(deps, client, result)
    reply = build_edit_result(result, told, lang, promoted_names(deps, result, lang))
    if copies is not None:
        channel, pending = post_copies(deps, client, copies)
        reply = Reply(
            reply.text, [*reply.blocks, *build_repeat_result(copies, channel, pending, lang).blocks]
        )
    _form_reply(deps, client, who, view["id"], reply)


def esc_plain(name: str) -> str:
    """A name in a form's error: plain text, so nothing to escape, only kept short."""
    return name if len(name) <= 30 else name[:29] + "…"


def read_edit_form(view: dict[str, Any], lang: Lang) -> tuple[ShiftChanges | None, dict[str, str]]:
    """The edit form's values, or the errors to show beside each field."""
    fields = FieldChecker(view, usage.SHIFT_EDIT, lang)
    day, times, capacity, location, notes = fields.details()
    if fields.errors:
        return None, fields.errors
    return ShiftChanges(day, times[0], times[1], capacity, location, notes or ""), {}


def wants_shared(view: dict[str, Any]) -> bool:
    """Whether the form's "share with the coalition" box is ticked (it is offered in a coalition)."""
    chosen = field(view["state"]["values"], SHARE_FIELD).get("selected_options")
    return isinstance(chosen, list) and any(
        isinstance(option, dict) and option.get("value") == SHARE_FIELD for option in chosen
    )


def read_repeat(view: dict[str, Any], lang: Lang) -> tuple[Repeat | None, dict[str, str]]:
    """A shift form's weekly choice: a number of weeks or a last date, or neither (None)."""
    values = view["state"]["values"]
    weeks_text = text_value(values, "repeat_weeks").strip()
    until_text = picked(values, "repeat_until", "selected_date")
    if weeks_text and until_text:
        return None, {"repeat_until": lang._("Give the number of weeks or the last date, not both.")}
    if weeks_text:
        weeks = whole_number(weeks_text)
        if weeks is None or not 1 <= weeks <= MAX_REPEAT:
            return None, {"repeat_weeks": lang._("A number of weeks from 1 to {most}.", most=MAX_REPEAT)}
        return Repeat(weeks=weeks), {}
    if until_text:
        try:
            return Repeat(until=parse_date(until_text, usage.SHIFT_REPEAT)), {}
        except UsageError as problem:
            return None, {"repeat_until": problem_text(problem, lang)[:150]}
    return None, {}


def check_repeat(deps: Deps, team_id: str, spec: NewShift, weekly: Repeat, lang: Lang) -> dict[str, str]:
    """A new shift's weekly copies, checked like the shift (DST, too far ahead) as form errors."""
    try:
        plan_copies(spec, weekly, state_timezone_for(deps, team_id, spec.state), deps.clock())
    except InvalidShift as invalid:
        return {"repeat_until" if weekly.until else "repeat_weeks": refusal_text(invalid, lang)[:150]}
    return {}


def repeat(request: TurnoutRequest, lang: Lang) -> None:
    """`shift repeat ID weekly N | until YYYY-MM-DD`: weekly copies, posted like any new shift."""
    if len(request.args) < 2 or is_help(request.args[1]):
        raise UsageError(N_("Give the id of the shift and how long to repeat it."), usage.SHIFT_REPEAT)
    shift_id = parse_shift_id(request.args[1], usage.SHIFT_REPEAT)
    weekly = parse_repeat(request.args[2:], usage.SHIFT_REPEAT)
    deps = request.deps
    if weekly.until is not None:
        check_day(weekly.until, deps.clock().date(), usage.SHIFT_REPEAT)
    with request.acting() as (session, actor):
        try:
            result = repeat_shift(session, actor=actor, shift_id=shift_id, repeat=weekly, now=deps.clock())
        except InvalidShift as invalid:
            raise as_usage(invalid, usage.SHIFT_REPEAT) from invalid
    channel, pending = post_copies(deps, request.client, result)
    say(request.respond, build_repeat_result(result, channel, pending, lang))


def post_copies(deps: Deps, client: WebClient, result: RepeatResult) -> tuple[str | None, int]:
    """Each new copy posted in its state's channel like any new shift, paced one a second;
    (the channel, how many Slack has not taken yet: those are retried)."""
    pacer = deps.make_pacer()
    channel: str | None = None
    pending = 0
    for copy in result.created:
        with deps.read_session() as session:
            channel = state_channel(session, team_id=copy.team_id, code=copy.state)
        if channel is None:
            return None, 0
        pacer.wait(channel)
        posted = post_new_shift(deps, client, copy.id)
        pending += bool(posted and not posted.posted)
    return channel, pending


def cancel_rest_of_series(request: TurnoutRequest, shift_id: int, lang: Lang) -> None:
    """`shift cancel ID series [REASON…]`: checks, then asks for confirmation; the button cancels."""
    reason = check_reason(request.rest_after(3), usage.SHIFT_CANCEL_SERIES)
    with request.acting() as (session, actor):
        preview = cancel_series(
            session, actor=actor, shift_id=shift_id, reason=reason, now=request.deps.clock(), dry_run=True
        )
    say(
        request.respond,
        build_series_cancel_result(preview, lang=lang)
        if preview.already
        else build_series_cancel_confirmation(preview, reason, lang),
    )


def handle_cancel_series_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Cancelling a series, confirmed: each person on its shifts told once (with the reason),
    the confirmation replaced by what happened. A second click finds nothing left to cancel."""
    ack()
    lang = caller_lang(deps, member_of(deps, body))
    with answering(respond, lang):
        value = body["actions"][0].get("value")
        shift_id, _ = button_ref(value)
        reason = str(value).partition("|")[2]
        if len(reason) > MAX_REASON:
            raise TurnoutError(STALE_BUTTON)
        profile = profile_of(deps, client, member_of(deps, body))
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            result = cancel_series(session, actor=actor, shift_id=shift_id, reason=reason, now=deps.clock())
        sent = []
        langs = recipient_langs(deps, list(result.notify))
        for who, shifts in result.notify.items():
            sent.append(
                send_dm(
                    deps,
                    client,
                    team_id=who.team_id,
                    kind=DeliveryKind.CANCELLED,
                    user_id=who.user_id,
                    key=f"series:{shift_id}",
                    reply=build_series_cancelled_dm(shifts, reason, langs[who]),
                    expires_at=max(s.ends_at for s in shifts),
                    shift_id=shifts[0].id,
                )
            )
        say(respond, build_series_cancel_result(result, landed_count(sent), lang), replace=True)
        for shift in result.shifts:
            refresh_shift_post(deps, client, shift.id)


MAX_ADDED = 10


def add_to_roster(request: TurnoutRequest, lang: Lang) -> None:
    """`roster ID add @user [@user…]`: each person checked with Slack, then put on the shift
    (a call-in told by DM); the answer is the roster as it now stands."""
    shift_id = parse_shift_id(request.args[0], usage.ROSTER_ADD)
    words = request.args[2:]
    if not words or is_help(words[0]):
        raise UsageError(N_("Name who to add, like `@ana`."), usage.ROSTER_ADD)
    if len(words) > MAX_ADDED:
        raise UsageError(N_("Add at most {most} people at a time."), usage.ROSTER_ADD, most=MAX_ADDED)
    refs = [parse_user(word, usage.ROSTER_ADD) for word in words]
    deps = request.deps
    with request.acting() as (session, actor):
        # Who may add is settled before anyone is looked up in Slack.
        require_runner_of(session, actor=actor, shift_id=shift_id, doing=N_("add people to shift #{shift}"))
    people = list(dict.fromkeys(resolve_user(request, ref) for ref in refs))
    with request.acting() as (session, actor):
        now = deps.clock()
        added = [add_to_shift(session, actor=actor, shift_id=shift_id, user_id=u, now=now) for u in people]
        reply = build_roster(roster(session, actor=actor, shift_id=shift_id, now=now), lang=lang)
    langs = recipient_langs(deps, [Member(r.signup.team_id, r.signup.user_id) for r in added])
    for result in added:
        signup = result.signup
        if not result.already and not result.walk_in and signup.user_id != request.user_id:
            send_dm(
                deps,
                request.client,
                team_id=signup.team_id,
                kind=DeliveryKind.PROMOTED,
                user_id=signup.user_id,
                key=event_key(shift_id, signup.id, now),
                reply=build_added_dm(
                    for_recipient(deps, signup),
                    request.user_id,
                    langs[Member(signup.team_id, signup.user_id)],
                ),
                expires_at=signup.shift.starts_at,
                shift_id=shift_id,
            )
    if any(not result.already for result in added):
        refresh_shift_post(deps, request.client, shift_id)
    call_ins = [r.signup for r in added if not r.already and not r.walk_in]
    if call_ins:
        shift, people = call_ins[-1].shift, [s.user_id for s in call_ins]
        tell_host(deps, request.client, shift, people, request.user_id, now, signup_id=call_ins[0].id)
    note = " ".join(roster_add_line(result, lang) for result in added)
    say(request.respond, with_note(reply, note))


def recipient_langs(deps: Deps, people: list[Member]) -> dict[Member, Lang]:
    """The language each person reads, for DMs to them (English for someone never seen): one
    query per workspace among them."""
    langs: dict[Member, Lang] = {}
    with deps.read_session() as session:
        for team_id in sorted({who.team_id for who in people}):
            user_ids = [who.user_id for who in people if who.team_id == team_id]
            found = languages_of(session, team_id=team_id, user_ids=user_ids)
            langs.update({Member(team_id, user_id): language(code) for user_id, code in found.items()})
    return langs


def register(app: App, deps: Deps) -> None:
    pool = work_pool(app)
    app.view(act.SHIFT_FORM)(**acked_by(partial(handle_shift_form, deps=deps), deps, pool))
    for action_id in (act.ATTENDED, act.NO_SHOW, act.REMOVE):
        app.action(action_id)(**acked_then(partial(handle_roster_click, deps=deps), deps))
    app.action(act.CANCEL_SHIFT)(**acked_then(partial(handle_cancel_click, deps=deps), deps))
    app.action(act.CANCEL_SERIES)(**acked_then(partial(handle_cancel_series_click, deps=deps), deps))
    app.view(act.EDIT_FORM)(**acked_by(partial(handle_edit_form, deps=deps), deps, pool))
    for roster_page in (act.ROSTER_PAGE, act.page_action(act.ROSTER_PAGE, act.PREVIOUS)):
        app.action(roster_page)(**acked_then(partial(handle_roster_page, deps=deps), deps))


def run_share(request: TurnoutRequest) -> None:
    """`share ID`: the shift's organization shares it with the coalition; it is posted at once in
    every other workspace with a channel for its state (each on its own lane)."""
    lang = request.lang
    with answering(request.respond, lang):
        if len(request.args) != 1 or is_help(request.args[0]):
            raise UsageError(N_("Give the id of one shift."), usage.SHARE)
        shift_id = parse_shift_id(request.args[0], usage.SHARE)
        deps = request.deps
        with request.acting() as (session, actor):
            shared = share_shift(session, actor=actor, shift_id=shift_id, now=deps.clock())
            names = org_names(session, shared.teams)
        post_shared_copies(deps, request.client, shift_id)
        refresh_shift_post(deps, request.client, shift_id)  # its own post says it is shared
        say(request.respond, build_shared(shared, [names.get(t, t) for t in shared.teams], lang))


SUBCOMMANDS: dict[str, Subcommand] = {"shift": run_shift, "roster": run_roster, "share": run_share}
