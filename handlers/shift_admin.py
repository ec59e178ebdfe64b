"""Coordinators' shift tools: `shift add` (inline or form), `shift cancel`, `roster` and its buttons."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import KINDS_TEXT, Reply, text_reply
from bot.blocks.refusals import refusal_text
from bot.blocks.shifts import (
    build_cancel_result,
    build_cancelled_dm,
    build_roster,
    build_shift_created,
    build_shift_form,
)
from bot.deps import Deps
from bot.models import SignupStatus
from bot.services.clock import local_date
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
from bot.services.states import state_timezone
from bot.slack.delivery import after_release, post_new_shift, refresh_shift_post, send_dm
from handlers.common import (
    Subcommand,
    TurnoutRequest,
    acked_by,
    acked_then,
    answering,
    enroll,
    is_help,
    profile_of,
    say,
)
from handlers.parsing import (
    check_capacity,
    check_location,
    check_notes,
    parse_capacity,
    parse_date,
    parse_kind,
    parse_shift_id,
    parse_time_range,
    require_state,
)


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
    spec = parse_inline_shift(request.args[1:], request.rest_after(6))
    with request.acting() as (session, actor):
        try:
            shift, created = create_shift(session, actor=actor, spec=spec, now=deps.clock())
        except InvalidShift as invalid:
            raise UsageError(invalid.message, usage.SHIFT_ADD) from invalid
    channel = post_new_shift(deps, client, shift.id) if created else None
    say(request.respond, build_shift_created(shift, created, channel))


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
    if not states:
        raise TurnoutError(
            "Only coordinators and admins can add shifts. Ask an admin to make you a coordinator."
        )
    today = local_date(deps.clock(), state_timezone_for(deps, states[0]))
    request.client.views_open(trigger_id=request.command["trigger_id"], view=build_shift_form(states, today))


def state_timezone_for(deps: Deps, code: str) -> str:
    with deps.read_session() as session:
        return state_timezone(session, code)


def handle_shift_form(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps
) -> None:
    """The form is checked field by field before the ack, so mistakes show inline; then it is saved once."""
    user_id = body["user"]["id"]
    spec, errors = read_shift_form(view["state"]["values"])
    if spec is not None:
        errors = check_shift_times(deps, spec)
    if errors or spec is None:
        ack(response_action="errors", errors=errors)
        return
    ack()
    try:
        profile = profile_of(deps, client, user_id, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            shift, created = create_shift(
                session, actor=actor, spec=spec, now=deps.clock(), source_key=view["id"]
            )
    except TurnoutError as refusal:
        send_dm(client, user_id, text_reply(f"Your shift was not added: {refusal_text(refusal)}"))
        return
    channel = post_new_shift(deps, client, shift.id) if created else None
    if created:
        send_dm(client, user_id, build_shift_created(shift, created, channel))


def read_shift_form(values: dict[str, Any]) -> tuple[NewShift | None, dict[str, str]]:
    """The form's values as a new shift, or the errors to show beside each field."""

    def value(block: str) -> Any:
        return values.get(block, {}).get(block, {})

    errors: dict[str, str] = {}

    def check(block: str, read: Any) -> Any:
        try:
            return read()
        except UsageError as problem:
            errors[block] = problem.problem[:150]
            return None

    state_option = value("state").get("selected_option") or {}
    kind_option = value("kind").get("selected_option") or {}
    state = check("state", lambda: require_state(state_option.get("value", ""), usage.SHIFT_ADD))
    day = check("date", lambda: parse_date(value("date").get("selected_date") or "", usage.SHIFT_ADD))
    start_text, end_text = value("start").get("selected_time") or "", value("end").get("selected_time") or ""
    times = check("end", lambda: parse_time_range(f"{start_text}-{end_text}", usage.SHIFT_ADD))
    kind = parse_kind(kind_option.get("value", ""))
    if kind is None:
        errors["kind"] = f"Pick a kind: {KINDS_TEXT}."
    capacity = check(
        "capacity", lambda: check_capacity(_whole(value("capacity").get("value")), usage.SHIFT_ADD)
    )
    location = check(
        "location", lambda: check_location(value("location").get("value") or "", usage.SHIFT_ADD)
    )
    notes = check("notes", lambda: check_notes(value("notes").get("value") or "", usage.SHIFT_ADD))
    if errors or kind is None:
        return None, errors
    return NewShift(state, day, times[0], times[1], kind, capacity, location, notes or ""), {}


def _whole(text: str | None) -> int:
    if text is None or not text.strip().isdigit():
        raise UsageError("Capacity is a whole number of people.", usage.SHIFT_ADD)
    return int(text)


def check_shift_times(deps: Deps, spec: NewShift) -> dict[str, str]:
    """Time rules that need the state's zone (in the past, skipped by DST), as form errors."""
    try:
        check_new_shift_times(spec, state_timezone_for(deps, spec.state), deps.clock())
    except InvalidShift as invalid:
        return {"date" if invalid.field == "date" else "start": invalid.message[:150]}
    return {}


def cancel(request: TurnoutRequest) -> None:
    if len(request.args) != 2:
        raise UsageError("Give the id of the shift to cancel.", usage.SHIFT_CANCEL)
    shift_id = parse_shift_id(request.args[1], usage.SHIFT_CANCEL)
    deps, client = request.deps, request.client
    with request.acting() as (session, actor):
        result = cancel_shift(session, actor=actor, shift_id=shift_id, now=deps.clock())
    say(request.respond, build_cancel_result(result))
    if not result.already:
        for user_id in result.notify:
            send_dm(client, user_id, build_cancelled_dm(result.shift))
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
        signup_id, offset = read_roster_value(action["value"])
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
                client, result.signup.user_id, text_reply(f"A coordinator took you off shift #{shift_id}.")
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
        shift_id, offset = read_roster_value(body["actions"][0]["value"])
        profile = profile_of(deps, client, user_id, for_permission=True)
        with deps.session() as session:
            actor = enroll(deps, session, profile)
            reply = build_roster(roster(session, actor=actor, shift_id=shift_id, now=deps.clock()), offset)
        say(respond, reply, replace=True)


def read_roster_value(value: str) -> tuple[int, int]:
    """(signup or shift id, page offset) from a roster button: `ID|roster@OFFSET`, or a bare id
    from a roster drawn before it paged."""
    try:
        ref, surface = act.read_value(value)
        base, offset = act.read_page(surface)
        if base not in (act.ROSTER, act.CARD):
            raise ValueError(surface)
    except ValueError:
        raise TurnoutError("I can't read that button. Open the roster again: `/turnout roster ID`.") from None
    return ref, offset


def register(app: App, deps: Deps) -> None:
    pool = app.listener_runner.listener_executor
    app.view(act.SHIFT_FORM)(**acked_by(partial(handle_shift_form, deps=deps), deps, pool))
    for action_id in (act.ATTENDED, act.NO_SHOW, act.REMOVE):
        app.action(action_id)(**acked_then(partial(handle_roster_click, deps=deps), deps))
    app.action(act.ROSTER_PAGE)(**acked_then(partial(handle_roster_page, deps=deps), deps))


SUBCOMMANDS: dict[str, Subcommand] = {"shift": run_shift, "roster": run_roster}
