"""What editing a shift looks like: the edit form, what changed (for the editor and for everyone
on the shift), a weekly series, cancelling the rest of one, and people put on a roster."""

from __future__ import annotations

from datetime import date

from bot.blocks import actions as act
from bot.blocks.common import (
    Block,
    Reply,
    actions,
    button,
    context,
    esc,
    input_field,
    plural,
    section,
    when,
)
from bot.blocks.refusals import mention, people_list
from bot.blocks.shifts import build_signup_card, describe, title
from bot.models import SignupStatus
from bot.services.editing import MAX_REPEAT, EditResult, RepeatResult, RosterAdd, SeriesCancel
from bot.services.shifts import MAX_CAPACITY, ShiftView, SignupView

# A series listed in one message shows at most this many shifts, then how many more.
SERIES_SHOWN = 12


def short_when(shift: ShiftView) -> str:
    """`#13 Sat Dec 5 · 10:00 AM–1:00 PM CST`: one shift of a series on one line."""
    return f"#{shift.id} {when(shift.starts_at, shift.ends_at, shift.timezone)}"


def change_lines(result: EditResult) -> list[str]:
    """What changed, old → new, one line each, in the words people read."""
    before, after = result.before, result.shift
    lines = []
    if "date" in result.changed or "time" in result.changed:
        old = when(before.starts_at, before.ends_at, before.timezone)
        new = when(after.starts_at, after.ends_at, after.timezone)
        lines.append(f"*When:* ~{old}~ → {new}")
    if "location" in result.changed:
        lines.append(f"*Where:* ~{esc(before.location)}~ → {esc(after.location)}")
    if "capacity" in result.changed:
        lines.append(f"*Places:* {before.capacity} → {after.capacity}")
    if "notes" in result.changed:
        lines.append(f"*Notes:* {esc(after.notes)}" if after.notes else "*Notes:* removed")
    return lines


def build_edit_result(result: EditResult, told: int | None = None) -> Reply:
    """The editor's answer: what changed, who was told, and the shift as it stands."""
    shift = result.shift
    if not result.changed:
        text = f"Shift #{shift.id} already says that; nothing changed."
        return Reply(text, [section(text), section(describe(shift, notes=True))])
    owed = len(result.told)
    told = owed if told is None else told
    if owed and told < owed:
        who = f"Told {told} of {owed} people on it so far; the rest will be retried."
    elif owed:
        who = f"Told the {plural(owed, 'person', 'people')} on it by DM."
    else:
        who = "" if result.promoted else "No one on it needed telling."
    if result.promoted:
        moved = people_list([mention(s.user_id) for s in result.promoted])
        verb = "was" if len(result.promoted) == 1 else "were"
        who = f"{who} {moved} moved up from the waitlist and {verb} told by DM.".strip()
    text = f"Changed shift #{shift.id}. {who}"
    blocks = [section(text), section("\n".join(change_lines(result)))]
    blocks.append(section(describe(shift, notes=True)))
    return Reply(text, blocks)


def build_shift_changed_dm(result: EditResult, signup: SignupView) -> Reply:
    """To each person on the shift: what changed, and their Confirm / Release buttons."""
    shift = result.shift
    headline = f":pencil2: Shift #{shift.id} has changed."
    if ("date" in result.changed or "time" in result.changed) and signup.status == SignupStatus.CLAIMED:
        headline += " Can you still make it? Please confirm, or release your place for someone else."
    card = build_signup_card(signup, headline)
    blocks = [card.blocks[0], section("\n".join(change_lines(result))), *card.blocks[1:]]
    return Reply(f"Shift #{shift.id} has changed: {', '.join(result.changed)}", blocks)


def build_repeat_result(result: RepeatResult, channel: str | None, pending: int = 0) -> Reply:
    """The answer to `shift repeat`: the copies made (and weeks the series had already)."""
    shift, created = result.shift, result.created
    if not created:
        text = f"Shift #{shift.id}'s series already has those weeks; nothing was added."
    else:
        text = f"Repeated shift #{shift.id} weekly: added {plural(len(created), 'shift', 'shifts')}."
    lines = [short_when(s) for s in created[:SERIES_SHOWN]]
    if len(created) > SERIES_SHOWN:
        lines.append(f"and {len(created) - SERIES_SHOWN} more")
    blocks = [section(f"*{text}*"), section(describe(shift))]
    if lines:
        blocks.append(section("\n".join(lines)))
    notes = []
    if result.existing:
        notes.append(
            f"Already in the series: {', '.join(f'#{s.id}' for s in result.existing[:SERIES_SHOWN])}"
        )
    if created and channel:
        posted = (
            f"Posted in <#{channel}>."
            if not pending
            else f"Posting in <#{channel}>; {pending} not taken yet, retried."
        )
        notes.append(posted)
    elif created:
        notes.append(f"Not posted: {shift.state} has no channel yet; volunteers find them with `/shifts`.")
    notes.append("`/turnout shift cancel ID series` cancels a shift and the rest of its series.")
    blocks.append(context(*notes))
    return Reply(text, blocks)


def series_lines(shifts: list[ShiftView]) -> str:
    lines = [short_when(s) for s in shifts[:SERIES_SHOWN]]
    if len(shifts) > SERIES_SHOWN:
        lines.append(f"and {len(shifts) - SERIES_SHOWN} more")
    return "\n".join(lines)


def build_series_cancel_confirmation(preview: SeriesCancel, reason: str) -> Reply:
    """Before a series is cancelled: which shifts, how many people, and a button asking once more."""
    shift, count, told = preview.shift, len(preview.shifts), len(preview.notify)
    headline = f"Cancel shift #{shift.id} and the rest of its series ({plural(count, 'shift', 'shifts')})?"
    who = (
        f"{plural(told, 'person', 'people')} on them or waiting will be told by DM"
        if told
        else "No one has signed up for them, so no one needs telling"
    )
    blocks: list[Block] = [section(f"*{headline}* {who}."), section(series_lines(preview.shifts))]
    if reason:
        blocks.append(context(f"Reason they will see: {esc(reason)}"))
    confirm: Block = {
        "title": {"type": "plain_text", "text": "Cancel the series?"},
        "text": {
            "type": "mrkdwn",
            "text": f"{plural(count, 'shift', 'shifts')}. {who}. This can't be undone.",
        },
        "confirm": {"type": "plain_text", "text": "Cancel them"},
        "deny": {"type": "plain_text", "text": "Keep them"},
        "style": "danger",
    }
    label = f"Cancel {plural(count, 'shift', 'shifts')}"
    blocks.append(
        actions(button(label, act.CANCEL_SERIES, act.cancel_value(shift.id, reason), "danger", confirm))
    )
    return Reply(headline, blocks)


def build_series_cancel_result(result: SeriesCancel, told: int | None = None) -> Reply:
    shift = result.shift
    if result.already:
        text = f"Shift #{shift.id}'s series has nothing left to cancel from there."
        return Reply(text, [section(text)])
    owed = len(result.notify)
    told = owed if told is None else told
    count = plural(len(result.shifts), "shift", "shifts")
    if told < owed:
        text = f"Cancelled {count}. Told {told} of {owed} people so far; the rest will be retried."
    else:
        text = f"Cancelled {count}. Told {plural(told, 'person', 'people')} by DM."
    return Reply(text, [section(text), section(series_lines(result.shifts))])


def build_series_cancelled_dm(shifts: list[ShiftView], reason: str) -> Reply:
    """One DM per person for a cancelled series, listing each of their shifts in it."""
    first = shifts[0]
    if len(shifts) == 1:
        headline = f":no_entry: Shift #{first.id} has been cancelled, with the rest of its series. Sorry for the change of plans."
    else:
        headline = (
            f":no_entry: {len(shifts)} shifts you were on have been cancelled. Sorry for the change of plans."
        )
    blocks = [section(headline)]
    if reason:
        blocks.append(section(f"*Why:* {esc(reason)}"))
    blocks.append(section(f"{title(first)}\n{series_lines(shifts)}"))
    blocks.append(context("`/shifts` lists other open shifts."))
    return Reply(headline, blocks)


def roster_add_line(add: RosterAdd) -> str:
    """What putting one person on the shift came to."""
    signup, who = add.signup, mention(add.signup.user_id)
    shift_id = signup.shift.id
    if add.already:
        if add.walk_in:
            return f"{who} is already marked attended."
        return f"{who} is already on shift #{shift_id} ({signup.status.replace('_', ' ')})."
    if add.walk_in:
        return f"{who} is marked attended (a walk-in)."
    if signup.status == SignupStatus.WAITLISTED:
        full = f"Shift #{shift_id} is full, so {who} is #{signup.waitlist_position} on the waitlist."
        if signup.shift.capacity >= MAX_CAPACITY:
            return f"{full} It has the most places a shift can have ({MAX_CAPACITY})."
        more = signup.shift.capacity + 1
        return f"{full} To give them a place, raise it: `/turnout shift edit {shift_id} capacity {more}`."
    return f"{who} has a place on shift #{shift_id}; I've sent them the details to confirm."


def build_added_dm(signup: SignupView, added_by: str) -> Reply:
    """To someone who called in: they are on the shift (or its waitlist), with its details."""
    if signup.status == SignupStatus.WAITLISTED:
        headline = (
            f"{mention(added_by)} put you on the waitlist for shift #{signup.shift.id} "
            f"(#{signup.waitlist_position} in line). I'll message you if a place opens."
        )
    else:
        headline = f":wave: {mention(added_by)} signed you up for shift #{signup.shift.id}. Please confirm you'll be there."
    return build_signup_card(signup, headline)


# ---------------------------------------------------------------- forms


def repeat_fields() -> list[Block]:
    """The shift forms' weekly choice: a number of weeks or a last date (neither: just this once)."""
    return [
        input_field(
            "repeat_weeks",
            "Repeat weekly: how many more weeks",
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": str(MAX_REPEAT),
            },
            optional=True,
            hint=f"Same day and time each week, up to {MAX_REPEAT}. Leave empty for just this once.",
        ),
        input_field(
            "repeat_until",
            "…or weekly until",
            {"type": "datepicker"},
            optional=True,
            hint="The last date of the series",
        ),
    ]


def build_edit_form(shift: ShiftView, local_day: date, start: str, end: str, *, repeat: bool = True) -> Block:
    """`/turnout shift edit ID`: the shift's form, filled in with what it says now; the weekly
    choice only for someone who may `repeat`."""
    text_input: Block = {"type": "plain_text_input"}
    return {
        "type": "modal",
        "callback_id": act.EDIT_FORM,
        "private_metadata": str(shift.id),
        "title": {"type": "plain_text", "text": f"Edit shift #{shift.id}"[:24]},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            context(f"{describe(shift)}\nEveryone on it is told what changes."),
            input_field("date", "Date", {"type": "datepicker", "initial_date": local_day.isoformat()}),
            input_field(
                "start", "Starts", {"type": "timepicker", "initial_time": start}, hint="State's local time"
            ),
            input_field("end", "Ends", {"type": "timepicker", "initial_time": end}),
            input_field(
                "capacity",
                "Capacity",
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(MAX_CAPACITY),
                    "initial_value": str(shift.capacity),
                },
                hint=f"{shift.held} places held now; raising it gives places to the waitlist",
            ),
            input_field(
                "location",
                "Location",
                {**text_input, "max_length": 300, "initial_value": shift.location},
            ),
            input_field(
                "notes",
                "Notes",
                {
                    **text_input,
                    "multiline": True,
                    "max_length": 1000,
                    **({"initial_value": shift.notes} if shift.notes else {}),
                },
                optional=True,
            ),
            *(repeat_fields() if repeat else []),
        ],
    }
