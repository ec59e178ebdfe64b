"""What shifts, signups and rosters look like in Slack."""

from __future__ import annotations

from datetime import date, time

from bot.blocks import actions as act
from bot.blocks.common import (
    KIND_EMOJI,
    KIND_LABEL,
    KINDS_TEXT,
    Block,
    Reply,
    actions,
    button,
    context,
    divider,
    esc,
    header,
    input_field,
    plural,
    section,
    when,
)
from bot.i18n import ENGLISH, Lang
from bot.models import SignupStatus
from bot.services.places import PLACES
from bot.services.shifts import (
    LIST_LIMIT,
    MAX_CAPACITY,
    CancelResult,
    ClaimResult,
    ListingQuery,
    ReleaseResult,
    Roster,
    ShiftListing,
    ShiftView,
    SignupPage,
    SignupView,
)

# Each person on a roster takes two blocks (a line and their buttons).
ROSTER_PAGE_SIZE = 10

STATUS_LABEL = {
    SignupStatus.CLAIMED: ":white_circle: claimed, not yet confirmed",
    SignupStatus.CONFIRMED: ":large_green_circle: confirmed",
    SignupStatus.ATTENDED: ":white_check_mark: attended",
    SignupStatus.NO_SHOW: ":x: no-show",
    SignupStatus.WAITLISTED: ":hourglass_flowing_sand: waitlisted",
    SignupStatus.PENDING: ":raised_hand: waiting for the host or a coordinator to accept",
    SignupStatus.RELEASED: "released",
    SignupStatus.REMOVED: "taken off the shift by its host or a coordinator",
}


def title(shift: ShiftView) -> str:
    return f"{KIND_EMOJI.get(shift.kind, '')} *#{shift.id} · {KIND_LABEL.get(shift.kind, shift.kind)}* ({shift.state})"


def fill(shift: ShiftView) -> str:
    text = f":busts_in_silhouette: {shift.held}/{shift.capacity}"
    if shift.full:
        text += " · full"
    if shift.waiting:
        text += f" · {shift.waiting} on the waitlist"
    return text


def describe(shift: ShiftView, *, notes: bool = False) -> str:
    lines = [
        title(shift),
        when(shift.starts_at, shift.ends_at, shift.timezone),
        f":round_pushpin: {esc(shift.location)}",
        *([f":bust_in_silhouette: Hosted by <@{shift.host_id}>"] if shift.host_id else []),
        fill(shift),
    ]
    if notes and shift.notes:
        lines.append(f":memo: {esc(shift.notes)}")
    if shift.cancelled:
        lines = [f"~{line}~" for line in lines[:2]] + [":no_entry: *Cancelled*"]
    return "\n".join(lines)


def claim_button(shift: ShiftView, surface: str) -> Block:
    value = act.button_value(shift.id, surface)
    if shift.full:
        return button("Join waitlist", act.JOIN_WAITLIST, value)
    return button("Claim", act.CLAIM, value, style="primary")


def status_line(signup: SignupView) -> str:
    label = STATUS_LABEL.get(SignupStatus(signup.status), signup.status)
    if signup.waitlist_position:
        label += f" (#{signup.waitlist_position} in line)"
    return f"You: {label}"


def signup_buttons(signup: SignupView, surface: str) -> list[Block]:
    value = act.button_value(signup.shift.id, surface)
    release = button("Release", act.RELEASE, value)
    if signup.status == SignupStatus.CLAIMED:
        return [button("Confirm", act.CONFIRM, value, style="primary"), release]
    if signup.status == SignupStatus.CONFIRMED:
        return [release]
    if signup.status == SignupStatus.WAITLISTED:
        return [button("Leave waitlist", act.RELEASE, value)]
    if signup.status == SignupStatus.PENDING:
        return [button("Withdraw", act.RELEASE, value)]
    return []


def listing_scope(query: ListingQuery) -> str:
    """`canvass shifts in Iowa tomorrow`: the listing's filters in words."""
    what = f"{KIND_LABEL[query.kind].lower()} shifts" if query.kind else "shifts"
    where = (
        "in any state"
        if query.state is None
        else ("nationally" if query.state == "US" else f"in {PLACES[query.state].name}")
    )
    span = {"today": "today", "tomorrow": "tomorrow", "week": "this week", None: "in the next 7 days"}
    return f"{what} {where} {span.get(query.when, f'on {query.when}')}"


def page_span(noun: str, offset: int, shown: int, total: int) -> str:
    """`Shifts 11–20 of 60`: where this page sits in the whole list."""
    return f"{noun} {offset + 1}–{offset + shown} of {total}"


def page_buttons(
    action_id: str, surface: str, offset: int, shown: int, total: int, size: int, *, lang: Lang = ENGLISH
) -> list[Block]:
    """Previous / Next for a page of `size` starting at `offset`; none when it all fits on one page.
    Slack refuses two elements with one action_id in a block, so each direction has its own."""
    buttons: list[Block] = []
    if offset > 0:
        previous = act.page_action(action_id, act.PREVIOUS)
        buttons.append(button(lang._("Previous"), previous, act.paged(surface, max(0, offset - size))))
    if offset + shown < total:
        following = min(size, total - offset - shown)
        label = lang._("Next {count}", count=lang.number(following))
        buttons.append(button(label, action_id, act.paged(surface, offset + shown)))
    return [actions(*buttons)] if buttons else []


def build_shift_list(listing: ShiftListing, *, query: ListingQuery, surface: str) -> Reply:
    """`/shifts`: one page, soonest first, each with its fill and the viewer's own state or a
    Claim button; Previous / Next page through every matching shift."""
    scope = listing_scope(query)
    if not listing.shifts:
        text = f"No open {scope}. Try `/shifts week`, another state, or ask a coordinator to add one."
        return Reply(text, [section(text)])
    here = act.paged(surface, listing.offset)
    blocks: list[Block] = [header(f"Open {scope}"[:150])]
    for shift in listing.shifts:
        mine = listing.mine.get(shift.id)
        if mine is None:
            blocks.append(section(describe(shift), accessory=claim_button(shift, here)))
        else:
            blocks.append(section(describe(shift)))
            blocks.append(context(status_line(mine)))
            if signup_buttons(mine, here):
                blocks.append(actions(*signup_buttons(mine, here)))
        blocks.append(divider())
    span = page_span("Shifts", listing.offset, len(listing.shifts), listing.total)
    blocks.append(context(span))
    blocks += page_buttons(
        act.SHIFTS_PAGE, surface, listing.offset, len(listing.shifts), listing.total, LIST_LIMIT
    )
    return Reply(f"Open {scope}: {span.lower()}", blocks)


def build_signup_card(signup: SignupView, headline: str) -> Reply:
    """One signup with what the volunteer can do next (Confirm / Release)."""
    blocks = [section(headline), section(describe(signup.shift, notes=True)), context(status_line(signup))]
    buttons = signup_buttons(signup, act.CARD)
    if buttons and not signup.shift.cancelled:
        blocks.append(actions(*buttons))
    return Reply(headline, blocks)


def claim_headline(result: ClaimResult) -> str:
    signup, shift = result.signup, result.signup.shift
    if signup.status == SignupStatus.PENDING:
        still = " still" if result.already else ""
        return (
            f":raised_hand: Your claim on shift #{shift.id} is{still} waiting for its host or a coordinator "
            "to accept it, as you missed shifts lately. I'll message you when they do."
        )
    if signup.status == SignupStatus.WAITLISTED:
        verb = "You're already" if result.already else "Shift is full, so you're"
        return f":hourglass_flowing_sand: {verb} *#{signup.waitlist_position}* on the waitlist for #{shift.id}. I'll message you if a place opens."
    if result.already:
        return f":ballot_box_with_check: You're already on shift #{shift.id} ({STATUS_LABEL[SignupStatus(signup.status)]})."
    return f":tada: You're on shift #{shift.id}! Please confirm you'll be there."


def confirm_headline(result: ClaimResult) -> str:
    if result.already:
        return f":ballot_box_with_check: You already confirmed shift #{result.signup.shift.id}."
    return f":large_green_circle: Confirmed: see you at shift #{result.signup.shift.id}!"


def release_headline(result: ReleaseResult) -> str:
    shift = result.signup.shift
    if result.signup.status == SignupStatus.REMOVED:
        return f"You were taken off shift #{shift.id} already (by its host or a coordinator)."
    if not result.changed:
        return f"You're not on shift #{shift.id}: you released it already."
    return f"You're off shift #{shift.id}. Thanks for letting us know."


def build_released(result: ReleaseResult) -> Reply:
    """After a release: the shift as it stands, with a way back in if there is room."""
    headline = release_headline(result)
    blocks = [section(headline), section(describe(result.signup.shift))]
    if not result.signup.shift.cancelled:
        blocks.append(actions(claim_button(result.signup.shift, act.CARD)))
    return Reply(headline, blocks)


def build_my_shifts(page: SignupPage) -> Reply:
    """`/myshifts`: one page of the volunteer's upcoming shifts, with Previous / Next."""
    if not page.signups:
        text = "You have no upcoming shifts. `/shifts` lists open ones near you."
        return Reply(text, [section(text)])
    here = act.paged(act.MINE, page.offset)
    blocks: list[Block] = [header("Your upcoming shifts")]
    for signup in page.signups:
        blocks.append(section(describe(signup.shift)))
        blocks.append(context(status_line(signup)))
        buttons = signup_buttons(signup, here)
        if buttons:
            blocks.append(actions(*buttons))
        blocks.append(divider())
    span = page_span("Shifts", page.offset, len(page.signups), page.total)
    blocks.append(context(span))
    blocks += page_buttons(
        act.MYSHIFTS_PAGE, act.MINE, page.offset, len(page.signups), page.total, LIST_LIMIT
    )
    return Reply(f"Your upcoming shifts: {span.lower()}", blocks)


def build_shift_post(shift: ShiftView) -> Reply:
    """The shift's message in its state channel, kept current as people claim and release."""
    blocks: list[Block] = [section(describe(shift, notes=True))]
    if not shift.cancelled:
        blocks.append(actions(claim_button(shift, act.POST), block_id=f"post.{shift.id}"))
        blocks.append(context(f"Or type `/claim {shift.id}`."))
    status = "cancelled" if shift.cancelled else f"{shift.held}/{shift.capacity}"
    return Reply(f"Shift #{shift.id} ({shift.kind}, {shift.state}): {status}", blocks)


def build_promoted_dm(signup: SignupView) -> Reply:
    headline = (
        f":tada: A place opened up and it's yours: you're now on shift #{signup.shift.id}. Please confirm."
    )
    return build_signup_card(signup, headline)


def build_cancelled_dm(shift: ShiftView, reason: str = "", *, by: str | None = None) -> Reply:
    """`by`: who cancelled it (its host or a coordinator), named."""
    who = f" by <@{by}>" if by else ""
    headline = f":no_entry: Shift #{shift.id} has been cancelled{who}. Sorry for the change of plans."
    blocks = [section(headline)]
    if reason:
        blocks.append(section(f"*Why:* {esc(reason)}"))
    blocks += [section(describe(shift)), context("`/shifts` lists other open shifts.")]
    return Reply(headline, blocks)


def build_cancel_confirmation(preview: CancelResult, reason: str) -> Reply:
    """Before a shift is cancelled: what it is, who will be told, and a Cancel button that asks once more."""
    shift, told = preview.shift, len(preview.notify)
    headline = f"Cancel shift #{shift.id}?"
    who = (
        f"{plural(told, 'person', 'people')} on it or waiting will be told by DM"
        if told
        else "No one has signed up, so no one needs telling"
    )
    blocks: list[Block] = [section(f"*{headline}* {who}."), section(describe(shift))]
    if reason:
        blocks.append(context(f"Reason they will see: {esc(reason)}"))
    confirm: Block = {
        "title": {"type": "plain_text", "text": f"Cancel shift #{shift.id}?"[:100]},
        "text": {"type": "mrkdwn", "text": f"{who}. This can't be undone."},
        "confirm": {"type": "plain_text", "text": "Cancel the shift"},
        "deny": {"type": "plain_text", "text": "Keep it"},
        "style": "danger",
    }
    button_ = button(
        f"Cancel shift #{shift.id}", act.CANCEL_SHIFT, act.cancel_value(shift.id, reason), "danger", confirm
    )
    blocks.append(actions(button_))
    return Reply(headline, blocks)


def build_cancel_result(result: CancelResult, told: int | None = None) -> Reply:
    """`told`: how many of those to tell have their DM so far (the rest are retried)."""
    shift = result.shift
    owed = len(result.notify)
    told = owed if told is None else told
    if result.already:
        text = f"Shift #{shift.id} was already cancelled."
    elif told < owed:
        text = f"Cancelled shift #{shift.id}. Told {told} of {owed} people so far; the rest will be retried."
    else:
        text = f"Cancelled shift #{shift.id}. Told {told} {'person' if told == 1 else 'people'} by DM."
    return Reply(text, [section(text), section(describe(shift))])


def build_shift_created(
    shift: ShiftView,
    created: bool,
    channel_id: str | None,
    *,
    pending: bool = False,
    refused: str | None = None,
) -> Reply:
    """`pending`: the shift exists but Slack has not taken its channel post yet (it is retried);
    `refused`: Slack will not take it (its reason), so nothing is retried."""
    verb = "Added" if created else "Already added"
    if created and channel_id and refused:
        text = (
            f"{verb} shift #{shift.id}, but Slack would not post it in <#{channel_id}> ({esc(refused)}). "
            "If the channel is private, invite @Turnout to it; volunteers find the shift with `/shifts`."
        )
    elif created and channel_id and pending:
        text = f"{verb} shift #{shift.id}. Slack didn't take the post yet; I'll keep trying."
    elif created and channel_id is None:
        text = (
            f"{verb} shift #{shift.id}. It was not posted: {shift.state} has no channel yet. An admin binds "
            f"one with `/turnout state {shift.state} #channel`; volunteers find it with `/shifts` meanwhile."
        )
    else:
        where = f" and posted it in <#{channel_id}>" if channel_id and created else ""
        text = f"{verb} shift #{shift.id}{where}."
    return Reply(text, [section(text), section(describe(shift, notes=True))])


def build_roster(roster: Roster, offset: int = 0) -> Reply:
    """Coordinators' view: everyone on the shift, a page of people at a time, with attendance
    buttons once it opens; an offset past the end shows the last page."""
    shift, entries = roster.shift, roster.entries
    offset = max(0, min(offset, (len(entries) - 1) // ROSTER_PAGE_SIZE * ROSTER_PAGE_SIZE)) if entries else 0
    page = entries[offset : offset + ROSTER_PAGE_SIZE]
    here = act.paged(act.ROSTER, offset)
    blocks: list[Block] = [header(f"Roster for shift #{shift.id}"), section(describe(shift, notes=True))]
    if not entries:
        blocks.append(section("_No one has signed up yet._"))
    for entry in page:
        label = STATUS_LABEL.get(SignupStatus(entry.status), entry.status)
        if roster.can_mark and entry.status in (SignupStatus.CLAIMED, SignupStatus.CONFIRMED):
            label += " · _unmarked_"
        if entry.waitlist_position:
            label += f" #{entry.waitlist_position}"
        if entry.flagged:
            label += " · :warning: 2+ no-shows in 60 days"
        blocks.append(section(f"<@{entry.user_id}> — {label}"))
        value = act.button_value(entry.signup_id, here)
        elements: list[Block] = []
        if entry.status == SignupStatus.PENDING and not shift.cancelled:
            elements.append(button("Accept", act.ACCEPT, value, style="primary"))
        if roster.can_mark and entry.status not in (SignupStatus.WAITLISTED, SignupStatus.PENDING):
            elements += [
                button("Attended", act.ATTENDED, value, style="primary"),
                button("No-show", act.NO_SHOW, value, style="danger"),
            ]
        if entry.status in (
            SignupStatus.CLAIMED,
            SignupStatus.CONFIRMED,
            SignupStatus.WAITLISTED,
            SignupStatus.PENDING,
        ):
            elements.append(
                button(
                    "Remove",
                    act.REMOVE,
                    value,
                    confirm={
                        "title": {"type": "plain_text", "text": "Remove from shift?"},
                        "text": {
                            "type": "mrkdwn",
                            "text": "They'll lose their place; the waitlist moves up.",
                        },
                        "confirm": {"type": "plain_text", "text": "Remove"},
                        "deny": {"type": "plain_text", "text": "Keep"},
                    },
                )
            )
        if elements:
            blocks.append(actions(*elements, block_id=f"roster.{entry.signup_id}"))
    notes = []
    if entries:
        notes.append(
            f"{page_span('People', offset, len(page), len(entries))} · "
            f"{shift.held}/{shift.capacity} places held · {shift.waiting} on the waitlist"
        )
    if roster.released:
        notes.append(f"{roster.released} released or removed")
    if not roster.can_mark and not shift.cancelled:
        notes.append("Attendance buttons appear an hour before the shift starts.")
    if notes:
        blocks.append(context(" · ".join(notes)))
    roster_surface = act.button_value(shift.id, act.ROSTER)
    blocks += page_buttons(act.ROSTER_PAGE, roster_surface, offset, len(page), len(entries), ROSTER_PAGE_SIZE)
    return Reply(f"Roster for shift #{shift.id}", blocks)


# ---------------------------------------------------------------- the shift form (modal)


# The form's suggested times; a day whose suggested start has passed is not suggested.
FORM_START, FORM_END = time(10, 0), time(13, 0)


def build_shift_form(states: list[str], day: date) -> Block:
    """`/turnout shift add` with no details: a modal; errors come back inline per field."""
    state_options = [{"text": {"type": "plain_text", "text": s}, "value": s} for s in states[:100]]
    kind_options = [{"text": {"type": "plain_text", "text": KIND_LABEL[k]}, "value": k} for k in KIND_LABEL]

    state_element: Block = {"type": "static_select", "options": state_options}
    if len(states) == 1:
        state_element["initial_option"] = state_options[0]
    return {
        "type": "modal",
        "callback_id": act.SHIFT_FORM,
        "title": {"type": "plain_text", "text": "Add a shift"},
        "submit": {"type": "plain_text", "text": "Add shift"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            input_field("state", "State", state_element),
            input_field("date", "Date", {"type": "datepicker", "initial_date": day.isoformat()}),
            input_field(
                "start",
                "Starts",
                {"type": "timepicker", "initial_time": f"{FORM_START:%H:%M}"},
                hint="State's local time",
            ),
            input_field("end", "Ends", {"type": "timepicker", "initial_time": f"{FORM_END:%H:%M}"}),
            input_field("kind", "Kind", {"type": "static_select", "options": kind_options}, hint=KINDS_TEXT),
            input_field(
                "capacity",
                "Capacity",
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(MAX_CAPACITY),
                },
            ),
            input_field(
                "location",
                "Location",
                {"type": "plain_text_input", "max_length": 300},
                hint="An address, a place, or a call link",
            ),
            input_field(
                "notes",
                "Notes",
                {"type": "plain_text_input", "multiline": True, "max_length": 1000},
                optional=True,
            ),
        ],
    }
