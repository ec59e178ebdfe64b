"""What shifts, signups and rosters look like in Slack.

Every builder here takes the `Lang` of whoever reads what it builds: the person acting for a
reply, the recipient for a DM, the state for its channel's post."""

from __future__ import annotations

from datetime import date, time

from bot.blocks import actions as act
from bot.blocks.common import (
    KIND_EMOJI,
    KIND_LABEL,
    Block,
    Reply,
    actions,
    button,
    context,
    divider,
    esc,
    header,
    input_field,
    kind_label,
    kinds_text,
    section,
    someone,
)
from bot.blocks.contacts import in_place
from bot.i18n import ENGLISH, N_, Lang
from bot.models import SignupStatus
from bot.services.sharing import Shared
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

STATUS_EMOJI = {
    SignupStatus.CLAIMED: ":white_circle: ",
    SignupStatus.CONFIRMED: ":large_green_circle: ",
    SignupStatus.ATTENDED: ":white_check_mark: ",
    SignupStatus.NO_SHOW: ":x: ",
    SignupStatus.WAITLISTED: ":hourglass_flowing_sand: ",
    SignupStatus.PENDING: ":raised_hand: ",
}
STATUS_WORDS = {
    SignupStatus.CLAIMED: N_("claimed, not yet confirmed"),
    SignupStatus.CONFIRMED: N_("confirmed"),
    SignupStatus.ATTENDED: N_("attended"),
    SignupStatus.NO_SHOW: N_("no-show"),
    SignupStatus.WAITLISTED: N_("waitlisted"),
    SignupStatus.PENDING: N_("waiting for the host or a coordinator to accept"),
    SignupStatus.RELEASED: N_("released"),
    SignupStatus.REMOVED: N_("taken off the shift by its host or a coordinator"),
}
# In English, as the roster still shows it.
STATUS_LABEL = {status: STATUS_EMOJI.get(status, "") + words for status, words in STATUS_WORDS.items()}


def status_label(status: str, lang: Lang = ENGLISH) -> str:
    """`:large_green_circle: confirmed`: a signup's status with its emoji, in the reader's words."""
    words = STATUS_WORDS.get(SignupStatus(status))
    return STATUS_EMOJI.get(SignupStatus(status), "") + lang._(words) if words else status


def title(shift: ShiftView, lang: Lang = ENGLISH) -> str:
    return f"{KIND_EMOJI.get(shift.kind, '')} *#{shift.id} · {kind_label(lang, shift.kind)}* ({shift.state})"


def fill(shift: ShiftView, lang: Lang = ENGLISH) -> str:
    text = f":busts_in_silhouette: {lang.number(shift.held)}/{lang.number(shift.capacity)}"
    if shift.full:
        text += " · " + lang._("full")
    if shift.waiting:
        text += " · " + lang._("{count} on the waitlist", count=lang.number(shift.waiting))
    return text


def describe(shift: ShiftView, *, notes: bool = False, lang: Lang = ENGLISH) -> str:
    lines = [
        title(shift, lang),
        lang.span(shift.starts_at, shift.ends_at, shift.timezone),
        f":round_pushpin: {esc(shift.location)}",
        *(
            [":bust_in_silhouette: " + lang._("Hosted by {host}", host=_host(shift, lang))]
            if shift.host_id
            else []
        ),
        fill(shift, lang),
    ]
    if shift.owner is not None:
        lines.append(":handshake: " + lang._("Shared by {org}", org=esc(shift.owner)))
    elif shift.shared:
        lines.append(":handshake: " + lang._("Shared with the coalition"))
    if notes and shift.notes:
        lines.append(f":memo: {esc(shift.notes)}")
    if shift.cancelled:
        lines = [f"~{line}~" for line in lines[:2]] + [":no_entry: " + lang._("*Cancelled*")]
    return "\n".join(lines)


def _host(shift: ShiftView, lang: Lang) -> str:
    """The host: a mention in the shift's own workspace, by name and organization elsewhere."""
    assert shift.host_id is not None
    return someone(shift.host_name, shift.host_id, shift.owner, lang)


def claim_button(shift: ShiftView, surface: str, lang: Lang = ENGLISH) -> Block:
    value = act.button_value(shift.id, surface)
    if shift.full:
        return button(lang._("Join waitlist"), act.JOIN_WAITLIST, value)
    return button(lang._("Claim"), act.CLAIM, value, style="primary")


def status_line(signup: SignupView, lang: Lang = ENGLISH) -> str:
    label = status_label(signup.status, lang)
    if signup.waitlist_position:
        label += " " + lang._("(#{position} in line)", position=lang.number(signup.waitlist_position))
    return lang._("You: {status}", status=label)


def signup_buttons(signup: SignupView, surface: str, lang: Lang = ENGLISH) -> list[Block]:
    value = act.button_value(signup.shift.id, surface)
    release = button(lang._("Release"), act.RELEASE, value)
    if signup.status == SignupStatus.CLAIMED:
        return [button(lang._("Confirm"), act.CONFIRM, value, style="primary"), release]
    if signup.status == SignupStatus.CONFIRMED:
        return [release]
    if signup.status == SignupStatus.WAITLISTED:
        return [button(lang._("Leave waitlist"), act.RELEASE, value)]
    if signup.status == SignupStatus.PENDING:
        return [button(lang._("Withdraw"), act.RELEASE, value)]
    return []


def listing_scope(query: ListingQuery, lang: Lang = ENGLISH) -> str:
    """`open canvass shifts in Iowa tomorrow`: the listing's filters in words."""
    what = (
        lang._("open {kind} shifts", kind=kind_label(lang, query.kind).lower())
        if query.kind
        else lang._("open shifts")
    )
    span = {
        "today": lang._("today"),
        "tomorrow": lang._("tomorrow"),
        "week": lang._("this week"),
        None: lang._("in the next 7 days"),
    }
    when = span.get(query.when) or lang._("on {day}", day=query.when)
    # Translators: {shifts} "open canvass shifts", {place} "in Iowa", {when} "tomorrow".
    return lang._("{shifts} {place} {when}", shifts=what, place=in_place(query.state, lang), when=when)


def page_span(noun: str, offset: int, shown: int, total: int, lang: Lang = ENGLISH) -> str:
    """`Shifts 11–20 of 60`: where this page sits in the whole list (`noun` in the reader's words)."""
    return lang._(
        "{noun} {first}–{last} of {total}",
        noun=noun,
        first=lang.number(offset + 1),
        last=lang.number(offset + shown),
        total=lang.number(total),
    )


def page_buttons(
    action_id: str, surface: str, offset: int, shown: int, total: int, size: int, lang: Lang = ENGLISH
) -> list[Block]:
    """Previous / Next for a page of `size` starting at `offset`; none when it all fits on one page.
    Slack refuses two elements with one action_id in a block, so each direction has its own."""
    buttons: list[Block] = []
    if offset > 0:
        previous = act.page_action(action_id, act.PREVIOUS)
        buttons.append(button(lang._("Previous"), previous, act.paged(surface, max(0, offset - size))))
    if offset + shown < total:
        following = min(size, total - offset - shown)
        buttons.append(
            button(
                lang._("Next {count}", count=lang.number(following)),
                action_id,
                act.paged(surface, offset + shown),
            )
        )
    return [actions(*buttons)] if buttons else []


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def build_shift_list(
    listing: ShiftListing, *, query: ListingQuery, surface: str, lang: Lang = ENGLISH
) -> Reply:
    """`/shifts`: one page, soonest first, each with its fill and the viewer's own state or a
    Claim button; Previous / Next page through every matching shift."""
    scope = listing_scope(query, lang)
    if not listing.shifts:
        text = lang._(
            "No {scope}. Try `/shifts week`, another state, or ask a coordinator to add one.", scope=scope
        )
        return Reply(text, [section(text)])
    here = act.paged(surface, listing.offset)
    blocks: list[Block] = [header(capitalized(scope)[:150])]
    for shift in listing.shifts:
        mine = listing.mine.get(shift.id)
        if mine is None:
            blocks.append(section(describe(shift, lang=lang), accessory=claim_button(shift, here, lang)))
        else:
            blocks.append(section(describe(shift, lang=lang)))
            blocks.append(context(status_line(mine, lang)))
            if signup_buttons(mine, here, lang):
                blocks.append(actions(*signup_buttons(mine, here, lang)))
        blocks.append(divider())
    span = page_span(lang._("Shifts"), listing.offset, len(listing.shifts), listing.total, lang)
    blocks.append(context(span))
    blocks += page_buttons(
        act.SHIFTS_PAGE, surface, listing.offset, len(listing.shifts), listing.total, LIST_LIMIT, lang
    )
    return Reply(f"{capitalized(scope)}: {span.lower()}", blocks)


def build_signup_card(signup: SignupView, headline: str, lang: Lang = ENGLISH) -> Reply:
    """One signup with what the volunteer can do next (Confirm / Release)."""
    blocks = [
        section(headline),
        section(describe(signup.shift, notes=True, lang=lang)),
        context(status_line(signup, lang)),
    ]
    buttons = signup_buttons(signup, act.CARD, lang)
    if buttons and not signup.shift.cancelled:
        blocks.append(actions(*buttons))
    return Reply(headline, blocks)


def claim_headline(result: ClaimResult, lang: Lang = ENGLISH) -> str:
    signup, shift = result.signup, result.signup.shift
    if signup.status == SignupStatus.PENDING:
        if result.already:
            return ":raised_hand: " + lang._(
                "Your claim on shift #{shift} is still waiting for its host or a coordinator to accept it, "
                "as you missed shifts lately. I'll message you when they do.",
                shift=shift.id,
            )
        return ":raised_hand: " + lang._(
            "Your claim on shift #{shift} is waiting for its host or a coordinator to accept it, "
            "as you missed shifts lately. I'll message you when they do.",
            shift=shift.id,
        )
    if signup.status == SignupStatus.WAITLISTED:
        position = lang.number(signup.waitlist_position or 0)
        if result.already:
            return ":hourglass_flowing_sand: " + lang._(
                "You're already *#{position}* on the waitlist for #{shift}. I'll message you if a place opens.",
                position=position,
                shift=shift.id,
            )
        return ":hourglass_flowing_sand: " + lang._(
            "Shift is full, so you're *#{position}* on the waitlist for #{shift}. "
            "I'll message you if a place opens.",
            position=position,
            shift=shift.id,
        )
    if result.already:
        return ":ballot_box_with_check: " + lang._(
            "You're already on shift #{shift} ({status}).",
            shift=shift.id,
            status=status_label(signup.status, lang),
        )
    return ":tada: " + lang._("You're on shift #{shift}! Please confirm you'll be there.", shift=shift.id)


def confirm_headline(result: ClaimResult, lang: Lang = ENGLISH) -> str:
    if result.already:
        return ":ballot_box_with_check: " + lang._(
            "You already confirmed shift #{shift}.", shift=result.signup.shift.id
        )
    return ":large_green_circle: " + lang._(
        "Confirmed: see you at shift #{shift}!", shift=result.signup.shift.id
    )


def release_headline(result: ReleaseResult, lang: Lang = ENGLISH) -> str:
    shift = result.signup.shift
    if result.signup.status == SignupStatus.REMOVED:
        return lang._(
            "You were taken off shift #{shift} already (by its host or a coordinator).", shift=shift.id
        )
    if not result.changed:
        return lang._("You're not on shift #{shift}: you released it already.", shift=shift.id)
    return lang._("You're off shift #{shift}. Thanks for letting us know.", shift=shift.id)


def build_released(result: ReleaseResult, lang: Lang = ENGLISH) -> Reply:
    """After a release: the shift as it stands, with a way back in if there is room."""
    headline = release_headline(result, lang)
    blocks = [section(headline), section(describe(result.signup.shift, lang=lang))]
    if not result.signup.shift.cancelled:
        blocks.append(actions(claim_button(result.signup.shift, act.CARD, lang)))
    return Reply(headline, blocks)


def build_my_shifts(page: SignupPage, lang: Lang = ENGLISH) -> Reply:
    """`/myshifts`: one page of the volunteer's upcoming shifts, with Previous / Next."""
    if not page.signups:
        text = lang._("You have no upcoming shifts. `/shifts` lists open ones near you.")
        return Reply(text, [section(text)])
    here = act.paged(act.MINE, page.offset)
    headline = lang._("Your upcoming shifts")
    blocks: list[Block] = [header(headline)]
    for signup in page.signups:
        blocks.append(section(describe(signup.shift, lang=lang)))
        blocks.append(context(status_line(signup, lang)))
        buttons = signup_buttons(signup, here, lang)
        if buttons:
            blocks.append(actions(*buttons))
        blocks.append(divider())
    span = page_span(lang._("Shifts"), page.offset, len(page.signups), page.total, lang)
    blocks.append(context(span))
    blocks += page_buttons(
        act.MYSHIFTS_PAGE, act.MINE, page.offset, len(page.signups), page.total, LIST_LIMIT, lang
    )
    return Reply(f"{headline}: {span.lower()}", blocks)


def build_shift_post(shift: ShiftView, lang: Lang = ENGLISH) -> Reply:
    """The shift's message in its state channel, kept current as people claim and release; in
    the state's language (`lang`)."""
    blocks: list[Block] = [section(describe(shift, notes=True, lang=lang))]
    if not shift.cancelled:
        blocks.append(actions(claim_button(shift, act.POST, lang), block_id=f"post.{shift.id}"))
        blocks.append(context(lang._("Or type `/claim {shift}`.", shift=shift.id)))
    status = (
        lang._("cancelled") if shift.cancelled else f"{lang.number(shift.held)}/{lang.number(shift.capacity)}"
    )
    # Translators: a notification's text; {kind} is the kind of shift, lowercase ("canvass").
    text = lang._(
        "Shift #{shift} ({kind}, {state}): {status}",
        shift=shift.id,
        kind=kind_label(lang, shift.kind).lower(),
        state=shift.state,
        status=status,
    )
    return Reply(text, blocks)


def build_shared(shared: Shared, orgs: list[str], lang: Lang = ENGLISH) -> Reply:
    """`/turnout share ID`'s answer: where the shift now is too (organizations' names, escaped)."""
    if orgs:
        text = lang._(
            "Shift #{shift} is shared with the coalition and posted for {orgs}. "
            "Their volunteers fill the same places; sharing cannot be undone.",
            shift=shared.shift_id,
            orgs=", ".join(esc(org) for org in orgs),
        )
    else:
        text = lang._(
            "Shift #{shift} is shared with the coalition. No other organization has a channel for {state} "
            "yet; it is posted there as soon as one does. Sharing cannot be undone.",
            shift=shared.shift_id,
            state=shared.state,
        )
    return Reply(text, [section(":handshake: " + text)])


def build_promoted_dm(signup: SignupView, lang: Lang = ENGLISH) -> Reply:
    """To the person who moved up from the waitlist, in their language."""
    headline = ":tada: " + lang._(
        "A place opened up and it's yours: you're now on shift #{shift}. Please confirm.",
        shift=signup.shift.id,
    )
    return build_signup_card(signup, headline, lang)


def build_cancelled_dm(
    shift: ShiftView, reason: str = "", *, by: str | None = None, lang: Lang = ENGLISH
) -> Reply:
    """`by`: who cancelled it (its host or a coordinator), named."""
    if by:
        said = lang._(
            "Shift #{shift} has been cancelled by {person}. Sorry for the change of plans.",
            shift=shift.id,
            person=f"<@{by}>",
        )
    else:
        said = lang._("Shift #{shift} has been cancelled. Sorry for the change of plans.", shift=shift.id)
    headline = f":no_entry: {said}"
    blocks = [section(headline)]
    if reason:
        blocks.append(section(lang._("*Why:* {reason}", reason=esc(reason))))
    blocks += [section(describe(shift, lang=lang)), context(lang._("`/shifts` lists other open shifts."))]
    return Reply(headline, blocks)


def build_cancel_confirmation(preview: CancelResult, reason: str, lang: Lang = ENGLISH) -> Reply:
    """Before a shift is cancelled: what it is, who will be told, and a Cancel button that asks once more."""
    shift, told = preview.shift, len(preview.notify)
    headline = lang._("Cancel shift #{shift}?", shift=shift.id)
    who = (
        lang.ngettext(
            "{count} person on it or waiting will be told by DM",
            "{count} people on it or waiting will be told by DM",
            told,
        )
        if told
        else lang._("No one has signed up, so no one needs telling")
    )
    blocks: list[Block] = [section(f"*{headline}* {who}."), section(describe(shift, lang=lang))]
    if reason:
        blocks.append(context(lang._("Reason they will see: {reason}", reason=esc(reason))))
    confirm: Block = {
        "title": {"type": "plain_text", "text": headline[:100]},
        "text": {"type": "mrkdwn", "text": lang._("{who}. This can't be undone.", who=who)},
        "confirm": {"type": "plain_text", "text": lang._("Cancel the shift")},
        "deny": {"type": "plain_text", "text": lang._("Keep it")},
        "style": "danger",
    }
    button_ = button(
        lang._("Cancel shift #{shift}", shift=shift.id),
        act.CANCEL_SHIFT,
        act.cancel_value(shift.id, reason),
        "danger",
        confirm,
    )
    blocks.append(actions(button_))
    return Reply(headline, blocks)


def build_cancel_result(result: CancelResult, told: int | None = None, lang: Lang = ENGLISH) -> Reply:
    """`told`: how many of those to tell have their DM so far; the rest are on their way (sent on
    their own workspace's lane) or retried."""
    shift = result.shift
    owed = len(result.notify)
    told = owed if told is None else told
    if result.already:
        text = lang._("Shift #{shift} was already cancelled.", shift=shift.id)
    elif told < owed:
        text = lang._(
            "Cancelled shift #{shift}. Told {told} of {owed} people so far; "
            "the rest are on their way or will be retried.",
            shift=shift.id,
            told=lang.number(told),
            owed=lang.number(owed),
        )
    else:
        text = lang.ngettext(
            "Cancelled shift #{shift}. Told {count} person by DM.",
            "Cancelled shift #{shift}. Told {count} people by DM.",
            told,
            shift=shift.id,
        )
    return Reply(text, [section(text), section(describe(shift, lang=lang))])


def build_shift_created(
    shift: ShiftView,
    created: bool,
    channel_id: str | None,
    *,
    pending: bool = False,
    refused: str | None = None,
    lang: Lang = ENGLISH,
) -> Reply:
    """`pending`: the shift exists but Slack has not taken its channel post yet (it is retried);
    `refused`: Slack will not take it (its reason), so nothing is retried."""
    values = {"shift": shift.id, "state": shift.state}
    if created and channel_id and refused:
        text = lang._(
            "Added shift #{shift}, but Slack would not post it in {channel} ({reason}). If the channel is "
            "private, invite @Turnout to it; volunteers find the shift with `/shifts`.",
            channel=f"<#{channel_id}>",
            reason=esc(refused),
            **values,
        )
    elif created and channel_id and pending:
        text = lang._("Added shift #{shift}. Slack didn't take the post yet; I'll keep trying.", **values)
    elif created and channel_id is None:
        text = lang._(
            "Added shift #{shift}. It was not posted: {state} has no channel yet. An admin binds one with "
            "`/turnout state {state} #channel`; volunteers find it with `/shifts` meanwhile.",
            **values,
        )
    elif created:
        text = lang._(
            "Added shift #{shift} and posted it in {channel}.", channel=f"<#{channel_id}>", **values
        )
    else:
        text = lang._("Already added shift #{shift}.", **values)
    return Reply(text, [section(text), section(describe(shift, notes=True, lang=lang))])


def build_roster(roster: Roster, offset: int = 0, lang: Lang = ENGLISH) -> Reply:
    """Coordinators' view: everyone on the shift, a page of people at a time, with attendance
    buttons once it opens; an offset past the end shows the last page."""
    shift, entries = roster.shift, roster.entries
    offset = max(0, min(offset, (len(entries) - 1) // ROSTER_PAGE_SIZE * ROSTER_PAGE_SIZE)) if entries else 0
    page = entries[offset : offset + ROSTER_PAGE_SIZE]
    here = act.paged(act.ROSTER, offset)
    heading = lang._("Roster for shift #{shift}", shift=shift.id)
    blocks: list[Block] = [header(heading), section(describe(shift, notes=True, lang=lang))]
    if not entries:
        blocks.append(section(lang._("_No one has signed up yet._")))
    for entry in page:
        label = status_label(entry.status, lang)
        if roster.can_mark and entry.status in (SignupStatus.CLAIMED, SignupStatus.CONFIRMED):
            label += " · " + lang._("_unmarked_")
        if entry.waitlist_position:
            label += f" #{entry.waitlist_position}"
        if entry.flagged:
            label += " · :warning: " + lang._("2+ no-shows in 60 days")
        # One's own organization's people by mention; another's by name and organization.
        who = (
            f"<@{entry.user_id}>"
            if entry.org is None
            else someone(entry.name, entry.user_id, entry.org, lang)
        )
        blocks.append(section(f"{who} — {label}"))
        value = act.button_value(entry.signup_id, here)
        elements: list[Block] = []
        if not roster.can_run:
            continue
        if entry.status == SignupStatus.PENDING and not shift.cancelled:
            elements.append(button(lang._("Accept"), act.ACCEPT, value, style="primary"))
        if roster.can_mark and entry.status not in (SignupStatus.WAITLISTED, SignupStatus.PENDING):
            elements += [
                button(lang._("Attended"), act.ATTENDED, value, style="primary"),
                button(lang._("No-show"), act.NO_SHOW, value, style="danger"),
            ]
        if entry.status in (
            SignupStatus.CLAIMED,
            SignupStatus.CONFIRMED,
            SignupStatus.WAITLISTED,
            SignupStatus.PENDING,
        ):
            elements.append(
                button(
                    lang._("Remove"),
                    act.REMOVE,
                    value,
                    confirm={
                        "title": {"type": "plain_text", "text": lang._("Remove from shift?")},
                        "text": {
                            "type": "mrkdwn",
                            "text": lang._("They'll lose their place; the waitlist moves up."),
                        },
                        "confirm": {"type": "plain_text", "text": lang._("Remove")},
                        "deny": {"type": "plain_text", "text": lang._("Keep")},
                    },
                )
            )
        if elements:
            blocks.append(actions(*elements, block_id=f"roster.{entry.signup_id}"))
    notes = []
    if entries:
        span = page_span(lang._("People"), offset, len(page), len(entries), lang)
        places = lang._(
            "{held}/{capacity} places held · {waiting} on the waitlist",
            held=lang.number(shift.held),
            capacity=lang.number(shift.capacity),
            waiting=lang.number(shift.waiting),
        )
        notes.append(f"{span} · {places}")
    if roster.released:
        notes.append(lang._("{count} released or removed", count=lang.number(roster.released)))
    if not roster.can_run:
        notes.append(lang._("Shared with the coalition: its own organization takes attendance."))
    elif not roster.can_mark and not shift.cancelled:
        notes.append(lang._("Attendance buttons appear an hour before the shift starts."))
    if notes:
        blocks.append(context(" · ".join(notes)))
    roster_surface = act.button_value(shift.id, act.ROSTER)
    blocks += page_buttons(
        act.ROSTER_PAGE, roster_surface, offset, len(page), len(entries), ROSTER_PAGE_SIZE, lang
    )
    return Reply(heading, blocks)


# ---------------------------------------------------------------- the shift form (modal)


# The form's suggested times; a day whose suggested start has passed is not suggested.
FORM_START, FORM_END = time(10, 0), time(13, 0)


SHARE_FIELD = "share"


def share_field(lang: Lang = ENGLISH) -> Block:
    """The shift form's "share with the coalition" checkbox (offered in a coalition only)."""
    option = {
        "text": {"type": "plain_text", "text": lang._("Share with the coalition")},
        "description": {
            "type": "plain_text",
            "text": lang._("Posted in every organization with this state's channel."),
        },
        "value": SHARE_FIELD,
    }
    return input_field(
        SHARE_FIELD, lang._("Coalition"), {"type": "checkboxes", "options": [option]}, optional=True
    )


def build_shift_form(states: list[str], day: date, lang: Lang = ENGLISH) -> Block:
    """`/turnout shift add` with no details: a modal; errors come back inline per field."""
    state_options = [{"text": {"type": "plain_text", "text": s}, "value": s} for s in states[:100]]
    kind_options = [
        {"text": {"type": "plain_text", "text": kind_label(lang, k)}, "value": k} for k in KIND_LABEL
    ]

    state_element: Block = {"type": "static_select", "options": state_options}
    if len(states) == 1:
        state_element["initial_option"] = state_options[0]
    return {
        "type": "modal",
        "callback_id": act.SHIFT_FORM,
        # Translators: a form's title and buttons: at most 24 characters each.
        "title": {"type": "plain_text", "text": lang._("Add a shift")},
        "submit": {"type": "plain_text", "text": lang._("Add shift")},
        "close": {"type": "plain_text", "text": lang._("Cancel")},
        "blocks": [
            input_field("state", lang._("State"), state_element),
            input_field("date", lang._("Date"), {"type": "datepicker", "initial_date": day.isoformat()}),
            input_field(
                "start",
                lang._("Starts"),
                {"type": "timepicker", "initial_time": f"{FORM_START:%H:%M}"},
                hint=lang._("State's local time"),
            ),
            input_field("end", lang._("Ends"), {"type": "timepicker", "initial_time": f"{FORM_END:%H:%M}"}),
            input_field(
                "kind",
                lang._("Kind"),
                {"type": "static_select", "options": kind_options},
                hint=kinds_text(lang),
            ),
            input_field(
                "capacity",
                lang._("Capacity"),
                {
                    "type": "number_input",
                    "is_decimal_allowed": False,
                    "min_value": "1",
                    "max_value": str(MAX_CAPACITY),
                },
            ),
            input_field(
                "location",
                lang._("Location"),
                {"type": "plain_text_input", "max_length": 300},
                hint=lang._("An address, a place, or a call link"),
            ),
            input_field(
                "notes",
                lang._("Notes"),
                {"type": "plain_text_input", "multiline": True, "max_length": 1000},
                optional=True,
            ),
        ],
    }
