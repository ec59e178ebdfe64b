"""A new shift's details as people give them: the inline grammar (`STATE YYYY-MM-DD
HH:MM-HH:MM KIND CAPACITY LOCATION…`) and the shift form, shared by `/turnout shift add` and
`/host`. Each reader takes the usage line to show with its errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.common import KindChoices, kinds_text
from bot.blocks.refusals import problem_text, refusal_text
from bot.blocks.shifts import FORM_START
from bot.deps import Deps
from bot.i18n import ENGLISH, N_, Lang
from bot.services.errors import UsageError
from bot.services.shifts import InvalidShift, NewShift, check_new_shift_times
from bot.services.states import state_timezone
from handlers.parsing import (
    check_capacity,
    check_location,
    check_notes,
    parse_capacity,
    parse_date,
    parse_kind,
    parse_time_range,
    require_state,
)
from handlers.payloads import check_day, offered, picked, text_value, whole_number

RETYPE_WINDOW = timedelta(minutes=10)
# What an inline shift is missing, by how many of its words were given.
MISSING = [
    N_("Missing the state, date, time range, kind, capacity, location."),
    N_("Missing the date, time range, kind, capacity, location."),
    N_("Missing the time range, kind, capacity, location."),
    N_("Missing the kind, capacity, location."),
    N_("Missing the capacity, location."),
    N_("Missing the location."),
]


def retype_key(spec: NewShift, user_id: str, now: datetime) -> str:
    """The same shift typed again by the same person in the same ten minutes has the same key,
    so a retyped `shift add` (after a slow answer) finds the first shift instead of adding another."""
    bucket = int(now.timestamp() // RETYPE_WINDOW.total_seconds())
    fields = [spec.state, spec.day.isoformat(), f"{spec.start:%H:%M}", f"{spec.end:%H:%M}", str(spec.kind)]
    fields += [str(spec.capacity), " ".join(spec.location.split()).casefold(), user_id, str(bucket)]
    return "typed:" + hashlib.sha256("\x1f".join(fields).encode()).hexdigest()[:40]


def parse_inline_shift(args: list[str], location_text: str, form: str) -> NewShift:
    """`STATE YYYY-MM-DD HH:MM-HH:MM KIND CAPACITY LOCATION…`; the location keeps its spacing."""
    if len(args) < 6:
        raise UsageError(MISSING[len(args)], form)
    state = require_state(args[0], form)
    day = parse_date(args[1], form)
    start, end = parse_time_range(args[2], form)
    kind = parse_kind(args[3])
    if kind is None:
        raise UsageError(
            N_("`{token}` is not a kind of shift. Kinds: {kinds}."),
            form,
            token=args[3][:30],
            kinds=KindChoices(),
        )
    capacity = parse_capacity(args[4], form)
    location = check_location(location_text, form)
    return NewShift(state, day, start, end, kind, capacity, location)


def first_form_day(deps: Deps, zone: str) -> date:
    """The date a shift form offers: the first on which its suggested start is still ahead, in
    the zone of the state the shift is most likely for."""
    local_now = deps.clock().astimezone(ZoneInfo(zone))
    return local_now.date() + timedelta(days=local_now.time() >= FORM_START)


def state_timezone_for(deps: Deps, team_id: str, code: str) -> str:
    with deps.read_session() as session:
        return state_timezone(session, team_id=team_id, code=code)


class FieldChecker:
    """Reads a form's fields one by one, keeping each field's error to show beside it."""

    def __init__(self, view: dict[str, Any], form: str, lang: Lang = ENGLISH) -> None:
        self.values: dict[str, Any] = view["state"]["values"]
        self.form = form
        self.lang = lang
        self.errors: dict[str, str] = {}

    def check(self, block: str, read: Callable[[], Any]) -> Any:
        try:
            return read()
        except UsageError as problem:
            self.errors[block] = problem_text(problem, self.lang)[:150]
            return None

    def details(self) -> tuple[Any, Any, Any, Any, Any]:
        """The fields a new shift and an edited one share: day, (start, end), capacity, location
        and notes; each None where its error is kept."""
        values, form = self.values, self.form
        day = self.check("date", lambda: parse_date(picked(values, "date", "selected_date"), form))
        start_text = picked(values, "start", "selected_time")
        end_text = picked(values, "end", "selected_time")
        times = self.check("end", lambda: parse_time_range(f"{start_text}-{end_text}", form))
        capacity = self.check(
            "capacity", lambda: check_capacity(capacity_number(text_value(values, "capacity"), form), form)
        )
        location = self.check("location", lambda: check_location(text_value(values, "location"), form))
        notes = self.check("notes", lambda: check_notes(text_value(values, "notes"), form))
        return day, times, capacity, location, notes


def read_shift_form(
    view: dict[str, Any], form: str, lang: Lang = ENGLISH
) -> tuple[NewShift | None, dict[str, str]]:
    """The form's values as a new shift, or the errors to show beside each field."""
    fields = FieldChecker(view, form, lang)
    state_value = picked(fields.values, "state")
    state = fields.check("state", lambda: require_state(state_value, form))
    if state is not None and state not in offered(view, "state"):
        fields.errors["state"], state = lang._("Pick one of the states listed."), None
    day, times, capacity, location, notes = fields.details()
    kind = parse_kind(picked(fields.values, "kind"))
    if kind is None:
        fields.errors["kind"] = lang._("Pick a kind: {kinds}.", kinds=kinds_text(lang))
    if fields.errors or kind is None:
        return None, fields.errors
    return NewShift(state, day, times[0], times[1], kind, capacity, location, notes or ""), {}


def capacity_number(text: str, form: str) -> int:
    number = whole_number(text)
    if number is None:
        raise UsageError(N_("Capacity is a whole number of people."), form)
    return number


def check_shift_times(
    deps: Deps, team_id: str, spec: NewShift, form: str, lang: Lang = ENGLISH
) -> dict[str, str]:
    """Time rules that need the state's zone (in the past, skipped by DST), as form errors."""
    try:
        check_day(spec.day, deps.clock().date(), form)
        check_new_shift_times(spec, state_timezone_for(deps, team_id, spec.state), deps.clock())
    except UsageError as far:
        return {"date": problem_text(far, lang)[:150]}
    except InvalidShift as invalid:
        return {"date" if invalid.field == "date" else "start": refusal_text(invalid, lang)[:150]}
    return {}


def as_usage(invalid: InvalidShift, form: str) -> UsageError:
    """A new or edited shift's details that do not hold together, told with the command's usage."""
    return UsageError(invalid.template, form, **invalid.values)
