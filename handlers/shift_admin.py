"""Coordinators' shift tools: `shift add` (inline or form), `shift cancel`, `roster` and its buttons."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import KINDS_TEXT, Reply, text_reply
from bot.blocks.refusals import refusal_text
from bot.blocks.shifts import (
    FORM_START,
    build_cancel_confirmation,
    build_cancel_result,
    build_cancelled_dm,
    build_roster,
    build_shift_created,
    build_shift_form,
)
from bot.deps import Deps
from bot.models import DeliveryKind, SignupStatus
from bot.services.errors import TurnoutError, UsageError
from bot.services.roles import coordinated_states
from bot.services.shifts import (
    InvalidShift,
    NewShift,
    cancel_shift,
    check_new_shift_times,
    create_shift,
    mark_attendance,
    remove_signup,
    roster,
)
from bot.services.states import default_state, state_timezone
from bot.slack.delivery import (
    FORM_REPLY_USEFUL_FOR,
    after_release,
    event_key,
    post_new_shift,
    refresh_shift_post,
    send_dm,
)
from bot.slack.forms import open_form
from handlers.common import (
    Subcommand,
    TurnoutRequest,
    acked_by,
    acked_then,
    answering,
    apology,
    enroll,
    is_help,
    profile_of,
    say,
)
from handlers.parsing import (
    MAX_REASON,
    check_capacity,
    check_location,
    check_notes,
    check_reason,
    fold_state,
    parse_capacity,
    parse_date,
    parse_kind,
    parse_shift_id,
    parse_time_range,
    require_state,
)
from handlers.payloads import (
    STALE_BUTTON,
    button_ref,
    check_day,
    offered,
    picked,
    submission_key,
    text_value,
    whole_number,
)

logger = logging.getLogger(__name__)


def run_shift(request: TurnoutRequest) -> None:
    verb = request.args[0].lower() if request.args else "help"
    if verb == "add":
        return add_shift(request)
    if verb == "cancel":
        return cancel(request)
    raise UsageError("Use `shift add` or `shift cancel`.", f"{usage.SHIFT_ADD}\nor {usage.SHIFT_CANCEL}")


def add_shift(request: TurnoutRequest) -> None:
    deps, client = request.deps, request.client
    if len(request.args) == 1:
        return open_shift_form(request)
    if is_help(request.args[1]):
        raise UsageError("Add a shift with the form, or all its details on one line.", usage.SHIFT_ADD)
    args, folded = fold_state(request.args, at=1)
    spec = parse_inline_shift(args[1:], request.rest_after(6 + folded))
    now = deps.clock()
    check_day(spec.day, deps.clock().date(), usage.SHIFT_ADD)
    with request.acting() as (session, actor):
        try:
            shift, created = create_shift(
                session, actor=actor, spec=spec, now=now, source_key=retype_key(spec, actor.user_id, now)
            )
        except InvalidShift as invalid:
            raise UsageError(invalid.message, usage.SHIFT_ADD) from invalid
    posted = post_new_shift(deps, client, shift.id) if created else None
    say(
        request.respond,
        build_shift_created(
            shift,
            created,
            posted.channel if posted else None,
            pending=bool(posted and not posted.posted),
            refused=posted.refused if posted else None,
        ),
    )


RETYPE_WINDOW = timedelta(minutes=10)


def retype_key(spec: NewShift, user_id: str, now: datetime) -> str:
    """The same shift typed again by the same person in the same ten minutes has the same key,
    so a retyped `shift add` (after a slow answer) finds the first shift instead of adding another."""
    bucket = int(now.timestamp() // RETYPE_WINDOW.total_seconds())
    fields = [spec.state, spec.day.isoformat(), f"{spec.start:%H:%M}", f"{spec.end:%H:%M}", str(spec.kind)]
    fields += [str(spec.capacity), " ".join(spec.location.split()).casefold(), user_id, str(bucket)]
    return "typed:" + hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:40]


def parse_inline_shift(args: list[str], location_text: str) -> NewShift:
    """`STATE YYYY-MM-DD HH:MM-HH:MM KIND CAPACITY LOCATION…`; the location keeps its spacing."""
    if len(args) < 6:
        missing = ["state", "date", "time range", "kind", "capacity", "location"][len(args) :]
        raise UsageError(f"Missing the {', '.join(missing)}.", usage.SHIFT_ADD)
    state = require_state(args[0], usage.SHIFT_ADD)
    day = parse_date(args[1], usage.SHIFT_ADD)
    start, end = parse_time_range(args[2], usage.SHIFT_ADD)
    kind = parse_kind(args[3])
    if kind is None:
        raise UsageError(f"`{args[3][:30]}` is not a kind of shift. Kinds: {KINDS_TEXT}.", usage.SHIFT_ADD)
    capacity = parse_capacity(args[4], usage.SHIFT_ADD)
    location = check_location(location_text, usage.SHIFT_ADD)
    return NewShift(state, day, start, end, kind, capacity, location)


def open_shift_form(request: TurnoutRequest) -> None:
    deps = request.deps
    with request.acting() as (session, actor):
        states = coordinated_states(session, actor=actor)
        likely = default_state(session, channel_id=request.command["channel_id"], user_id=actor.user_id)
    if not states:
        raise TurnoutError(
            "Only coordinators and admins can add shifts. Ask an admin to make you a coordinator."
        )
    # The date offered is the first on which the suggested start is still ahead, in the zone of
    # the state the shift is most likely for (the channel's, else the person's home state).
    zone = state_timezone_for(deps, likely if likely in states else states[0])
    local_now = deps.clock().astimezone(ZoneInfo(zone))
    day = local_now.date() + timedelta(days=local_now.time() >= FORM_START)
    open_form(request.client, request.command["trigger_id"], build_shift_form(states, day))


def state_timezone_for(deps: Deps, code: str) -> str:
    with deps.read_session() as session:
        return state_timezone(session, code)


def handle_shift_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """The form is checked field by field before the ack, so mistakes show inline; then it is saved once."""
    user_id = body["user"]["id"]
    spec, errors = read_shift_form(view)
    try:
        if spec is not None:
            errors = check_shift_times(deps, spec)
    except Exception as error:
        logger.exception("the shift form could not be checked")
        ack(response_action="errors", errors={"date": apology(error)[:150]})
        return
    if errors or spec is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    try:
        profile = profile_of(deps, client, user_id, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            shift, created = create_shift(
                session,
                actor=actor,
                spec=spec,
                now=deps.clock(),
                source_key=submission_key(user_id, view.get("id")),
            )
        posted = post_new_shift(deps, client, shift.id) if created else None
    except TurnoutError as refusal:
        answer = text_reply(f"Your shift was not added: {refusal_text(refusal)}")
        _form_reply(deps, client, user_id, view["id"], answer)
        return
    except Exception as error:
        # The form has closed: its submitter hears what happened by DM.
        logger.exception("the shift form could not be saved")
        _form_reply(deps, client, user_id, view["id"], text_reply(apology(error)))
        return
    if created:
        pending = bool(posted and not posted.posted)
        _form_reply(
            deps,
            client,
            user_id,
            view["id"],
            build_shift_created(
                shift,
                created,
                posted.channel if posted else None,
                pending=pending,
                refused=posted.refused if posted else None,
            ),
        )


def _form_reply(deps: Deps, client: WebClient, user_id: str, view_id: str, reply: Reply) -> None:
    """The form's answer by DM, once per submission (keyed like the submission: the view id is
    only as trustworthy as the client that sent it)."""
    send_dm(
        deps,
        client,
        kind=DeliveryKind.FORM_REPLY,
        user_id=user_id,
        key=submission_key(user_id, view_id),
        reply=reply,
        expires_at=deps.clock() + FORM_REPLY_USEFUL_FOR,
    )


def read_shift_form(view: dict[str, Any]) -> tuple[NewShift | None, dict[str, str]]:
    """The form's values as a new shift, or the errors to show beside each field."""
    values = view["state"]["values"]
    errors: dict[str, str] = {}

    def check(block: str, read: Any) -> Any:
        try:
            return read()
        except UsageError as problem:
            errors[block] = problem.problem[:150]
            return None

    state_value = picked(values, "state")
    state = check("state", lambda: require_state(state_value, usage.SHIFT_ADD))
    if state is not None and state not in offered(view, "state"):
        errors["state"], state = "Pick one of the states listed.", None
    day = check("date", lambda: parse_date(picked(values, "date", "selected_date"), usage.SHIFT_ADD))
    start_text = picked(values, "start", "selected_time")
    end_text = picked(values, "end", "selected_time")
    times = check("end", lambda: parse_time_range(f"{start_text}-{end_text}", usage.SHIFT_ADD))
    kind = parse_kind(picked(values, "kind"))
    if kind is None:
        errors["kind"] = f"Pick a kind: {KINDS_TEXT}."
    capacity = check(
        "capacity", lambda: check_capacity(_whole(text_value(values, "capacity")), usage.SHIFT_ADD)
    )
    location = check("location", lambda: check_location(text_value(values, "location"), usage.SHIFT_ADD))
    notes = check("notes", lambda: check_notes(text_value(values, "notes"), usage.SHIFT_ADD))
    if errors or kind is None:
        return None, errors
    return NewShift(state, day, times[0], times[1], kind, capacity, location, notes or ""), {}


def _whole(text: str) -> int:
    number = whole_number(text)
    if number is None:
        raise UsageError("Capacity is a whole number of people.", usage.SHIFT_ADD)
    return number


def check_shift_times(deps: Deps, spec: NewShift) -> dict[str, str]:
    """Time rules that need the state's zone (in the past, skipped by DST), as form errors."""
    try:
        check_day(spec.day, deps.clock().date(), usage.SHIFT_ADD)
        check_new_shift_times(spec, state_timezone_for(deps, spec.state), deps.clock())
    except UsageError as far:
        return {"date": far.problem[:150]}
    except InvalidShift as invalid:
        return {"date" if invalid.field == "date" else "start": invalid.message[:150]}
    return {}


def cancel(request: TurnoutRequest) -> None:
    """`shift cancel ID [REASON…]`: checks, then asks for confirmation; the button cancels."""
    if len(request.args) < 2 or is_help(request.args[1]):
        raise UsageError("Give the id of the shift to cancel, and optionally why.", usage.SHIFT_CANCEL)
    shift_id = parse_shift_id(request.args[1], usage.SHIFT_CANCEL)
    reason = check_reason(request.rest_after(2), usage.SHIFT_CANCEL)
    with request.acting() as (session, actor):
        preview = cancel_shift(
            session, actor=actor, shift_id=shift_id, now=request.deps.clock(), dry_run=True
        )
    say(
        request.respond,
        build_cancel_result(preview) if preview.already else build_cancel_confirmation(preview, reason),
    )


def handle_cancel_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Cancel, confirmed: the shift is cancelled, everyone on it told (with the reason), and the
    confirmation replaced by what happened. A second click finds it cancelled already."""
    ack()
    with answering(respond):
        # The value is `ID|REASON`: the id read like every button's, the reason as it was checked.
        value = body["actions"][0].get("value")
        shift_id, _ = button_ref(value)
        reason = str(value).partition("|")[2]
        if len(reason) > MAX_REASON:  # the button carries the reason as typed and checked
            raise TurnoutError(STALE_BUTTON)
        profile = profile_of(deps, client, body["user"]["id"])
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            result = cancel_shift(session, actor=actor, shift_id=shift_id, now=deps.clock())
        if result.already:
            return say(respond, build_cancel_result(result), replace=True)
        told = 0
        for user_id in result.notify:
            told += send_dm(
                deps,
                client,
                kind=DeliveryKind.CANCELLED,
                user_id=user_id,
                key=str(shift_id),
                reply=build_cancelled_dm(result.shift, reason),
                expires_at=result.shift.ends_at,
                shift_id=shift_id,
            ).landed
        say(respond, build_cancel_result(result, told), replace=True)
        refresh_shift_post(deps, client, shift_id)


def run_roster(request: TurnoutRequest) -> None:
    if len(request.args) != 1 or is_help(request.args[0]):
        raise UsageError("Give the id of one shift.", usage.ROSTER)
    shift_id = parse_shift_id(request.args[0], usage.ROSTER)
    deps = request.deps
    with request.acting() as (session, actor):
        reply = build_roster(roster(session, actor=actor, shift_id=shift_id, now=deps.clock()))
    say(request.respond, reply)


def handle_roster_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Attended / No-show / Remove on a roster: record it, then redraw the same page in place."""
    ack()
    action = body["actions"][0]
    user_id = body["user"]["id"]
    with answering(respond):
        signup_id, offset = read_roster_value(action.get("value"))
        profile = profile_of(deps, client, user_id, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            now = deps.clock()
            if action["action_id"] == act.REMOVE:
                result = remove_signup(session, actor=actor, signup_id=signup_id, now=now)
                shift_id = result.signup.shift.id
            else:
                status = (
                    SignupStatus.ATTENDED if action["action_id"] == act.ATTENDED else SignupStatus.NO_SHOW
                )
                shift_id = mark_attendance(
                    session, actor=actor, signup_id=signup_id, status=status, now=now
                ).shift.id
                result = None
            reply: Reply = build_roster(roster(session, actor=actor, shift_id=shift_id, now=now), offset)
        say(respond, reply, replace=True)
        if result is not None and result.changed:
            send_dm(
                deps,
                client,
                kind=DeliveryKind.REMOVED,
                user_id=result.signup.user_id,
                key=event_key(shift_id, result.signup.id, now),
                reply=text_reply(f"A coordinator took you off shift #{shift_id}."),
                expires_at=result.signup.shift.starts_at,
                shift_id=shift_id,
            )
            after_release(deps, client, result)
        elif result is None:
            refresh_shift_post(deps, client, shift_id)


def handle_roster_page(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps
) -> None:
    """Previous / Next on a roster: draw that page of people in place (for coordinators only)."""
    ack()
    user_id = body["user"]["id"]
    with answering(respond):
        shift_id, offset = read_roster_value(body["actions"][0].get("value"))
        profile = profile_of(deps, client, user_id, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            reply = build_roster(roster(session, actor=actor, shift_id=shift_id, now=deps.clock()), offset)
        say(respond, reply, replace=True)


STALE_ROSTER = "I can't read that button. Open the roster again: `/turnout roster ID`."


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


def register(app: App, deps: Deps) -> None:
    pool = app.listener_runner.listener_executor
    app.view(act.SHIFT_FORM)(**acked_by(partial(handle_shift_form, deps=deps), deps, pool))
    for action_id in (act.ATTENDED, act.NO_SHOW, act.REMOVE):
        app.action(action_id)(**acked_then(partial(handle_roster_click, deps=deps), deps))
    app.action(act.CANCEL_SHIFT)(**acked_then(partial(handle_cancel_click, deps=deps), deps))
    for roster_page in (act.ROSTER_PAGE, act.page_action(act.ROSTER_PAGE, act.PREVIOUS)):
        app.action(roster_page)(**acked_then(partial(handle_roster_page, deps=deps), deps))


SUBCOMMANDS: dict[str, Subcommand] = {"shift": run_shift, "roster": run_roster}
