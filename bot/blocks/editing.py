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
    section,
)
from bot.blocks.refusals import mention, people_list
from bot.blocks.shifts import build_signup_card, describe, title
from bot.i18n import ENGLISH, N_, Lang
from bot.models import SignupStatus
from bot.services.editing import MAX_REPEAT, EditResult, RepeatResult, RosterAdd, SeriesCancel
from bot.services.shifts import MAX_CAPACITY, ShiftView, SignupView

# A series listed in one message shows at most this many shifts, then how many more.
SERIES_SHOWN = 12


def short_when(shift: ShiftView, lang: Lang = ENGLISH) -> str:
    """`#13 Sat Dec 5 · 10:00 AM–1:00 PM CST`: one shift of a series on one line."""
    return f"#{shift.id} {lang.span(shift.starts_at, shift.ends_at, shift.timezone)}"


def change_lines(result: EditResult, lang: Lang = ENGLISH) -> list[str]:
    """What changed, old → new, one line each, in the words people read."""
    before, after = result.before, result.shift
    lines = []
    if "date" in result.changed or "time" in result.changed:
        old = lang.span(before.starts_at, before.ends_at, before.timezone)
        new = lang.span(after.starts_at, after.ends_at, after.timezone)
        lines.append(lang._("*When:* ~{old}~ → {new}", old=old, new=new))
    if "location" in result.changed:
        lines.append(lang._("*Where:* ~{old}~ → {new}", old=esc(before.location), new=esc(after.location)))
    if "capacity" in result.changed:
        lines.append(
            lang._(
                "*Places:* {old} → {new}", old=lang.number(before.capacity), new=lang.number(after.capacity)
            )
        )
    if "notes" in result.changed:
        lines.append(
            lang._("*Notes:* {notes}", notes=esc(after.notes)) if after.notes else lang._("*Notes:* removed")
        )
    return lines


def build_edit_result(
    result: EditResult, told: int | None = None, lang: Lang = ENGLISH, names: dict[str, str] | None = None
) -> Reply:
    """The editor's answer: what changed, who was told, and the shift as it stands. `names`:
    people of another organization, by name and organization (they are no mention here)."""
    names = names or {}
    shift = result.shift
    if not result.changed:
        text = lang._("Shift #{shift} already says that; nothing changed.", shift=shift.id)
        return Reply(text, [section(text), section(describe(shift, notes=True, lang=lang))])
    owed = len(result.told)
    told = owed if told is None else told
    if owed and told < owed:
        who = lang._(
            "Told {told} of {owed} people on it so far; the rest are on their way or will be retried.",
            told=lang.number(told),
            owed=lang.number(owed),
        )
    elif owed:
        who = lang.ngettext(
            "Told the {count} person on it by DM.", "Told the {count} people on it by DM.", owed
        )
    else:
        who = "" if result.promoted else lang._("No one on it needed telling.")
    if result.promoted:
        moved = people_list([names.get(s.user_id) or mention(s.user_id) for s in result.promoted], lang=lang)
        promoted = lang.ngettext(
            "{people} moved up from the waitlist and was told by DM.",
            "{people} moved up from the waitlist and were told by DM.",
            len(result.promoted),
            people=moved,
        )
        who = f"{who} {promoted}".strip()
    text = lang._("Changed shift #{shift}. {who}", shift=shift.id, who=who).strip()
    blocks = [section(text), section("\n".join(change_lines(result, lang)))]
    blocks.append(section(describe(shift, notes=True, lang=lang)))
    return Reply(text, blocks)


def changed_words(result: EditResult, lang: Lang) -> str:
    """`date, time`, `fecha, hora`: what changed, for a notification's one line."""
    words = {
        "date": lang.pgettext("a shift's detail", "date"),
        "time": lang.pgettext("a shift's detail", "time"),
        "capacity": lang.pgettext("a shift's detail", "capacity"),
        "location": lang.pgettext("a shift's detail", "location"),
        "notes": lang.pgettext("a shift's detail", "notes"),
    }
    return ", ".join(words.get(name, name) for name in result.changed)


def build_shift_changed_dm(result: EditResult, signup: SignupView, lang: Lang = ENGLISH) -> Reply:
    """To each person on the shift: what changed, and their Confirm / Release buttons."""
    shift = result.shift
    headline = ":pencil2: " + lang._("Shift #{shift} has changed.", shift=shift.id)
    if ("date" in result.changed or "time" in result.changed) and signup.status == SignupStatus.CLAIMED:
        headline += " " + lang._(
            "Can you still make it? Please confirm, or release your place for someone else."
        )
    card = build_signup_card(signup, headline, lang)
    blocks = [card.blocks[0], section("\n".join(change_lines(result, lang))), *card.blocks[1:]]
    text = lang._(
        "Shift #{shift} has changed: {changes}", shift=shift.id, changes=changed_words(result, lang)
    )
    return Reply(text, blocks)


def more_line(count: int, lang: Lang) -> str:
    return lang.ngettext("and {count} more", "and {count} more", count)


def build_repeat_result(
    result: RepeatResult, channel: str | None, pending: int = 0, lang: Lang = ENGLISH
) -> Reply:
    """The answer to `shift repeat`: the copies made (and weeks the series had already)."""
    shift, created = result.shift, result.created
    if not created:
        text = lang._("Shift #{shift}'s series already has those weeks; nothing was added.", shift=shift.id)
    else:
        text = lang.ngettext(
            "Repeated shift #{shift} weekly: added {count} shift.",
            "Repeated shift #{shift} weekly: added {count} shifts.",
            len(created),
            shift=shift.id,
        )
    lines = [short_when(s, lang) for s in created[:SERIES_SHOWN]]
    if len(created) > SERIES_SHOWN:
        lines.append(more_line(len(created) - SERIES_SHOWN, lang))
    blocks = [section(f"*{text}*"), section(describe(shift, lang=lang))]
    if lines:
        blocks.append(section("\n".join(lines)))
    notes = []
    if result.existing:
        notes.append(
            lang._(
                "Already in the series: {shifts}",
                shifts=", ".join(f"#{s.id}" for s in result.existing[:SERIES_SHOWN]),
            )
        )
    if created and channel:
        posted = (
            lang._("Posted in {channel}.", channel=f"<#{channel}>")
            if not pending
            else lang._(
                "Posting in {channel}; {count} not taken yet, retried.",
                channel=f"<#{channel}>",
                count=lang.number(pending),
            )
        )
        notes.append(posted)
    elif created:
        notes.append(
            lang._(
                "Not posted: {state} has no channel yet; volunteers find them with `/shifts`.",
                state=shift.state,
            )
        )
    notes.append(lang._("`/turnout shift cancel ID series` cancels a shift and the rest of its series."))
    blocks.append(context(*notes))
    return Reply(text, blocks)


def series_lines(shifts: list[ShiftView], lang: Lang = ENGLISH) -> str:
    lines = [short_when(s, lang) for s in shifts[:SERIES_SHOWN]]
    if len(shifts) > SERIES_SHOWN:
        lines.append(more_line(len(shifts) - SERIES_SHOWN, lang))
    return "\n".join(lines)


def shift_count(count: int, lang: Lang) -> str:
    return lang.ngettext("{count} shift", "{count} shifts", count)


def build_series_cancel_confirmation(preview: SeriesCancel, reason: str, lang: Lang = ENGLISH) -> Reply:
    """Before a series is cancelled: which shifts, how many people, and a button asking once more."""
    shift, count, told = preview.shift, len(preview.shifts), len(preview.notify)
    headline = lang.ngettext(
        "Cancel shift #{shift} and the rest of its series ({count} shift)?",
        "Cancel shift #{shift} and the rest of its series ({count} shifts)?",
        count,
        shift=shift.id,
    )
    who = (
        lang.ngettext(
            "{count} person on them or waiting will be told by DM",
            "{count} people on them or waiting will be told by DM",
            told,
        )
        if told
        else lang._("No one has signed up for them, so no one needs telling")
    )
    blocks: list[Block] = [section(f"*{headline}* {who}."), section(series_lines(preview.shifts, lang))]
    if reason:
        blocks.append(context(lang._("Reason they will see: {reason}", reason=esc(reason))))
    confirm: Block = {
        # Translators: a confirmation dialog's title: at most 100 characters.
        "title": {"type": "plain_text", "text": lang._("Cancel the series?")},
        "text": {
            "type": "mrkdwn",
            "text": lang._(
                "{shifts}. {who}. This can't be undone.", shifts=shift_count(count, lang), who=who
            ),
        },
        "confirm": {"type": "plain_text", "text": lang._("Cancel them")},
        "deny": {"type": "plain_text", "text": lang._("Keep them")},
        "style": "danger",
    }
    label = lang.ngettext("Cancel {count} shift", "Cancel {count} shifts", count)
    blocks.append(
        actions(button(label, act.CANCEL_SERIES, act.cancel_value(shift.id, reason), "danger", confirm))
    )
    return Reply(headline, blocks)


def build_series_cancel_result(result: SeriesCancel, told: int | None = None, lang: Lang = ENGLISH) -> Reply:
    shift = result.shift
    if result.already:
        text = lang._("Shift #{shift}'s series has nothing left to cancel from there.", shift=shift.id)
        return Reply(text, [section(text)])
    owed = len(result.notify)
    told = owed if told is None else told
    count = shift_count(len(result.shifts), lang)
    if told < owed:
        text = lang._(
            "Cancelled {shifts}. Told {told} of {owed} people so far; "
            "the rest are on their way or will be retried.",
            shifts=count,
            told=lang.number(told),
            owed=lang.number(owed),
        )
    else:
        text = lang.ngettext(
            "Cancelled {shifts}. Told {count} person by DM.",
            "Cancelled {shifts}. Told {count} people by DM.",
            told,
            shifts=count,
        )
    return Reply(text, [section(text), section(series_lines(result.shifts, lang))])


def build_series_cancelled_dm(shifts: list[ShiftView], reason: str, lang: Lang = ENGLISH) -> Reply:
    """One DM per person for a cancelled series, listing each of their shifts in it."""
    first = shifts[0]
    if len(shifts) == 1:
        headline = ":no_entry: " + lang._(
            "Shift #{shift} has been cancelled, with the rest of its series. Sorry for the change of plans.",
            shift=first.id,
        )
    else:
        headline = ":no_entry: " + lang.ngettext(
            "{count} shift you were on has been cancelled. Sorry for the change of plans.",
            "{count} shifts you were on have been cancelled. Sorry for the change of plans.",
            len(shifts),
        )
    blocks = [section(headline)]
    if reason:
        blocks.append(section(lang._("*Why:* {reason}", reason=esc(reason))))
    blocks.append(section(f"{title(first, lang)}\n{series_lines(shifts, lang)}"))
    blocks.append(context(lang._("`/shifts` lists other open shifts.")))
    return Reply(headline, blocks)


STATUS_NAMES = {
    SignupStatus.CLAIMED: N_("claimed"),
    SignupStatus.CONFIRMED: N_("confirmed"),
    SignupStatus.WAITLISTED: N_("waitlisted"),
    SignupStatus.PENDING: N_("pending"),
    SignupStatus.ATTENDED: N_("attended"),
    SignupStatus.NO_SHOW: N_("no show"),
    SignupStatus.RELEASED: N_("released"),
    SignupStatus.REMOVED: N_("removed"),
}


def status_name(status: str, lang: Lang) -> str:
    """A signup's status as a word in the reader's language (`no show`, `no se presentó`)."""
    name = STATUS_NAMES.get(status)  # type: ignore[call-overload]
    return lang._(name) if name else status.replace("_", " ")


def roster_add_line(add: RosterAdd, lang: Lang = ENGLISH) -> str:
    """What putting one person on the shift came to."""
    signup, who = add.signup, mention(add.signup.user_id)
    shift_id = signup.shift.id
    if add.already:
        if add.walk_in:
            return lang._("{person} is already marked attended.", person=who)
        return lang._(
            "{person} is already on shift #{shift} ({status}).",
            person=who,
            shift=shift_id,
            status=status_name(signup.status, lang),
        )
    if add.walk_in:
        return lang._("{person} is marked attended (a walk-in).", person=who)
    if signup.status == SignupStatus.WAITLISTED:
        full = lang._(
            "Shift #{shift} is full, so {person} is #{position} on the waitlist.",
            shift=shift_id,
            person=who,
            position=signup.waitlist_position,
        )
        if signup.shift.capacity >= MAX_CAPACITY:
            return (
                full
                + " "
                + lang._("It has the most places a shift can have ({most}).", most=lang.number(MAX_CAPACITY))
            )
        more = signup.shift.capacity + 1
        return (
            full
            + " "
            + lang._(
                "To give them a place, raise it: `/turnout shift edit {shift} capacity {more}`.",
                shift=shift_id,
                more=more,
            )
        )
    return lang._(
        "{person} has a place on shift #{shift}; I've sent them the details to confirm.",
        person=who,
        shift=shift_id,
    )


def build_added_dm(signup: SignupView, added_by: str, lang: Lang = ENGLISH) -> Reply:
    """To someone who called in: they are on the shift (or its waitlist), with its details."""
    if signup.status == SignupStatus.WAITLISTED:
        headline = lang._(
            "{person} put you on the waitlist for shift #{shift} (#{position} in line). "
            "I'll message you if a place opens.",
            person=mention(added_by),
            shift=signup.shift.id,
            position=signup.waitlist_position,
        )
    else:
        headline = ":wave: " + lang._(
            "{person} signed you up for shift #{shift}. Please confirm you'll be there.",
            person=mention(added_by),
            shift=signup.shift.id,
        )
    return build_signup_card(signup, headline, lang)


# ---------------------------------------------------------------- forms


def repeat_fields(lang: Lang = ENGLISH) -> list[Block]:
    """The shift forms' weekly choice: a number of weeks or a last date (neither: just this once)."""
    return [
        input_field(
            "repeat_weeks",
            lang._("Repeat weekly: how many more weeks"),
            {
                "type": "number_input",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": str(MAX_REPEAT),
            },
            optional=True,
            hint=lang._(
                "Same day and time each week, up to {most}. Leave empty for just this once.", most=MAX_REPEAT
            ),
        ),
        input_field(
            "repeat_until",
            lang._("…or weekly until"),
            {"type": "datepicker"},
            optional=True,
            hint=lang._("The last date of the series"),
        ),
    ]


def build_edit_form(
    shift: ShiftView, local_day: date, start: str, end: str, *, repeat: bool = True, lang: Lang = ENGLISH
) -> Block:
    """`/turnout shift edit ID`: the shift's form, filled in with what it says now; the weekly
    choice only for someone who may `repeat`."""
    text_input: Block = {"type": "plain_text_input"}
    return {
        "type": "modal",
        "callback_id": act.EDIT_FORM,
        "private_metadata": str(shift.id),
        # Translators: a form's title: at most 24 characters with the shift's number.
        "title": {"type": "plain_text", "text": lang._("Edit shift #{shift}", shift=shift.id)[:24]},
        "submit": {"type": "plain_text", "text": lang._("Save")},
        "close": {"type": "plain_text", "text": lang._("Cancel")},
        "blocks": [
            context(describe(shift, lang=lang) + "\n" + lang._("Everyone on it is told what changes.")),
            input_field(
                "date",
                lang._("Date"),
                {"type": "datepicker", "initial_date": local_day.isoformat()},
            ),
            input_field(
                "start",
                lang._("Starts"),
                {"type": "timepicker", "initial_time": start},
                hint=lang._("State's local time"),
            ),
            input_field("end", lang._("Ends"), {"type": "timepicker", "initial_time": end}),
            input_field(
                "capacity",
                lang._("Capacity"),
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(MAX_CAPACITY),
                    "initial_value": str(shift.capacity),
                },
                hint=lang.ngettext(
                    "{count} place held now; raising it gives places to the waitlist",
                    "{count} places held now; raising it gives places to the waitlist",
                    shift.held,
                ),
            ),
            input_field(
                "location",
                lang._("Location"),
                {**text_input, "max_length": 300, "initial_value": shift.location},
            ),
            input_field(
                "notes",
                lang._("Notes"),
                {
                    **text_input,
                    "multiline": True,
                    "max_length": 1000,
                    **({"initial_value": shift.notes} if shift.notes else {}),
                },
                optional=True,
            ),
            *(repeat_fields(lang) if repeat else []),
        ],
    }
