"""What hosting looks like in Slack: `/host`'s form and answer, a proposal as its deciders see
it (its copies for the leads and `/turnout proposals`), the decline form, the host's news and
the leads' news of late releases."""

from __future__ import annotations

from datetime import date, datetime

from bot.blocks import actions as act
from bot.blocks.common import (
    Block,
    Reply,
    actions,
    button,
    context,
    divider,
    esc,
    header,
    local_time,
    section,
    text_reply,
)
from bot.blocks.contacts import in_place, place
from bot.blocks.shifts import build_shift_created, build_shift_form, describe, page_buttons, page_span
from bot.i18n import ENGLISH, Lang
from bot.models import ShiftStatus, SignupStatus
from bot.services.hosting import PROPOSALS_PAGE, Hosted, LeadsRoute, Proposal, ProposalPage
from bot.services.places import article
from bot.services.shifts import ClaimResult, ReleaseResult, ShiftView


def kind_word(shift: ShiftView, lang: Lang = ENGLISH) -> str:
    """`canvass`, `phone bank`: the kind as a noun in a sentence."""
    words = {
        "canvass": lang.pgettext("a kind of shift, in a sentence", "canvass"),
        "phonebank": lang.pgettext("a kind of shift, in a sentence", "phone bank"),
        "textbank": lang.pgettext("a kind of shift, in a sentence", "text bank"),
        "event": lang.pgettext("a kind of shift, in a sentence", "event"),
        "training": lang.pgettext("a kind of shift, in a sentence", "training"),
    }
    return words.get(shift.kind, str(shift.kind))


def a_kind(shift: ShiftView, lang: Lang = ENGLISH) -> str:
    """`a canvass`, `an event`: the kind with its article."""
    words = {
        "canvass": lang._("a canvass"),
        "phonebank": lang._("a phone bank"),
        "textbank": lang._("a text bank"),
        "event": lang._("an event"),
        "training": lang._("a training"),
    }
    return words.get(shift.kind, str(shift.kind))


def day_word(shift: ShiftView, lang: Lang = ENGLISH) -> str:
    """`Sat Nov 28`, `sáb 28 nov`: the shift's day in its state's zone."""
    return lang.day(local_time(shift.starts_at, shift.timezone))


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text}


# ---------------------------------------------------------------- /host


def build_host_form(states: list[str], today: date, preselected: str | None, lang: Lang = ENGLISH) -> Block:
    """`/host` with no details: the shift form, each state by its name, the caller's channel or
    home state chosen already."""
    view = build_shift_form(states, today, lang)
    options = [
        {"text": _plain(lang._("{place} ({state})", place=place(s, lang), state=s)[:75]), "value": s}
        for s in states[:100]
    ]
    for block in view["blocks"]:
        if block.get("block_id") == "state":
            element: Block = {"type": "static_select", "action_id": "state", "options": options}
            chosen = [o for o in options if o["value"] == preselected]
            if chosen:
                element["initial_option"] = chosen[0]
            block["element"] = element
    view["callback_id"] = act.HOST_FORM
    # Translators: a form's title and button: at most 24 characters each.
    view["title"] = _plain(lang._("Host a shift"))
    view["submit"] = _plain(lang._("Send"))
    note = context(
        lang._(
            "A coordinator of the state approves your shift before it is posted (a trusted host's is "
            "posted at once). You run it: I DM you when people claim or release it."
        )
    )
    view["blocks"] = [note, *view["blocks"]]
    return view


def build_hosted(
    hosted: Hosted,
    *,
    route: LeadsRoute | None = None,
    channel_id: str | None = None,
    pending: bool = False,
    refused: str | None = None,
    lang: Lang = ENGLISH,
) -> Reply:
    """The answer to `/host`: published (where it was posted), or sent to whom for approval."""
    shift = hosted.shift
    if hosted.published:
        reply = build_shift_created(
            shift, hosted.created, channel_id, pending=pending, refused=refused, lang=lang
        )
        note = lang._("You host it: I'll DM you when people claim or release it.")
        return Reply(reply.text, [*reply.blocks, context(note)])
    if not hosted.created:
        if shift.status == ShiftStatus.PROPOSED:
            # Translators: {article} is English's "a"/"an" before {state}: leave it out if unused.
            text = lang._(
                "You sent shift #{shift} already; it is waiting for {article} {state} coordinator.",
                shift=shift.id,
                article=article(shift.state),
                state=shift.state,
            )
        elif shift.status == ShiftStatus.DECLINED:
            text = lang._(
                "You sent shift #{shift} already, and it was declined (I DMed you why).", shift=shift.id
            )
        else:
            text = lang._(
                "You sent shift #{shift} already, and it was cancelled. "
                "To offer it again, change a detail, or send it again in ten minutes.",
                shift=shift.id,
            )
        return Reply(text, [section(text), section(describe(shift, notes=True, lang=lang))])
    if route is not None and route.channel_id:
        where = lang._(
            "{state}'s coordinators have it in {channel}", state=shift.state, channel=f"<#{route.channel_id}>"
        )
    elif route is not None and route.coordinator_ids:
        where = lang._("{state}'s coordinators have it by DM", state=shift.state)
    else:
        where = lang._(
            "No one coordinates {state} yet, so a Turnout admin decides it (`/turnout proposals {state}`)",
            state=shift.state,
        )
    text = ":raising_hand: " + lang._(
        "Thanks for hosting! Shift #{shift} is a proposal until {article} {state} coordinator approves it. "
        "{where}; I'll DM you what they decide.",
        shift=shift.id,
        article=article(shift.state),
        state=shift.state,
        where=where,
    )
    blocks = [
        section(text),
        section(describe(shift, notes=True, lang=lang)),
        context(lang._("Volunteers see it in `/shifts` once it is approved.")),
    ]
    return Reply(lang._("Shift #{shift} was sent for approval.", shift=shift.id), blocks)


# ---------------------------------------------------------------- proposals


def record_line(p: Proposal, lang: Lang = ENGLISH) -> str:
    state = p.shift.state
    if not p.attended and not p.hosted:
        return lang._("New to hosting: no shift attended in {state} yet.", state=state)
    attended = lang.ngettext("attended {count} shift", "attended {count} shifts", p.attended)
    if p.hosted:
        return lang.ngettext(
            "In {state}: {attended}, hosted {count} other.",
            "In {state}: {attended}, hosted {count} others.",
            p.hosted,
            state=state,
            attended=attended,
        )
    return lang._("In {state}: {attended}.", state=state, attended=attended)


def decided_when(p: Proposal, lang: Lang = ENGLISH) -> str:
    if p.decided_at is None:
        return ""
    at = local_time(p.decided_at, p.shift.timezone)
    return lang._("{day} at {time} {zone}", day=lang.day(at), time=lang.clock(at), zone=at.tzname())


def decision_line(p: Proposal, lang: Lang = ENGLISH) -> str:
    """What became of the proposal, for its copies and for anyone clicking it late."""
    if p.withdrawn:
        return ":wastebasket: " + lang._("*Withdrawn*: it was cancelled before anyone decided.")
    by = f"<@{p.decided_by}>"
    if p.declined:
        if p.reason:
            return ":no_entry_sign: " + lang._(
                "*Declined* by {person} ({when}): {reason}",
                person=by,
                when=decided_when(p, lang),
                reason=esc(p.reason),
            )
        return ":no_entry_sign: " + lang._(
            "*Declined* by {person} ({when})", person=by, when=decided_when(p, lang)
        )
    line = ":white_check_mark: " + lang._(
        "*Approved* by {person} ({when}).", person=by, when=decided_when(p, lang)
    )
    if p.status == "cancelled":
        line += " " + lang._("It has been cancelled since.")
    return line


def proposal_line(p: Proposal, lang: Lang = ENGLISH) -> str:
    offer = lang._(
        "*{person} offers to host {kind} {place}.*",
        person=f"<@{p.host_id}>",
        kind=a_kind(p.shift, lang),
        place=in_place(p.shift.state, lang),
    )
    return f":raising_hand: {offer} {record_line(p, lang)}"


def decision_buttons(p: Proposal, surface: str, lang: Lang = ENGLISH) -> Block:
    value = act.button_value(p.shift.id, surface)
    return actions(
        button(lang._("Approve"), act.APPROVE, value, style="primary"),
        button(lang._("Decline"), act.DECLINE, value, style="danger"),
        block_id=f"proposal.{p.shift.id}",
    )


def build_proposal(p: Proposal, lang: Lang = ENGLISH) -> Reply:
    """A proposal's copy for the leads: Approve / Decline while it waits; once decided (by
    anyone), the decision in their place."""
    shift = p.shift
    if p.pending:
        blocks = [
            section(proposal_line(p, lang)),
            section(describe(shift, notes=True, lang=lang)),
            decision_buttons(p, act.PROPOSAL, lang),
            context(lang._("Everything waiting: `/turnout proposals {state}`", state=shift.state)),
        ]
        text = lang._(
            "{person} offers to host {kind} in {state} on {day}",
            person=f"<@{p.host_id}>",
            kind=a_kind(shift, lang),
            state=shift.state,
            day=day_word(shift, lang),
        )
        return Reply(text[:300], blocks)
    line = decision_line(p, lang)
    blocks = [section(line), section(describe(shift, lang=lang))]
    return Reply(lang._("Proposal #{shift}: {decision}", shift=shift.id, decision=line)[:300], blocks)


def build_proposals(page: ProposalPage, lang: Lang = ENGLISH) -> Reply:
    """`/turnout proposals`: one page of proposals waiting, soonest first, each with its buttons."""
    scope = place(page.state, lang) if page.state else lang._("your states")
    if not page.proposals:
        text = lang._("No proposals waiting in {scope}.", scope=scope)
        return Reply(text, [section(text)])
    surface = act.proposals_surface(page.state)
    here = act.paged(surface, page.offset)
    heading = lang._("Proposals waiting in {scope}", scope=scope)
    blocks: list[Block] = [header(heading[:150])]
    for p in page.proposals:
        blocks.append(section(f"{proposal_line(p, lang)}\n{describe(p.shift, notes=True, lang=lang)}"))
        blocks.append(decision_buttons(p, here, lang))
        blocks.append(divider())
    span = page_span(lang._("Proposals"), page.offset, len(page.proposals), page.total, lang)
    blocks.append(context(span))
    blocks += page_buttons(
        act.PROPOSALS_PAGE, surface, page.offset, len(page.proposals), page.total, PROPOSALS_PAGE, lang
    )
    return Reply(f"{heading}: {span.lower()}", blocks)


def decision_note(
    p: Proposal, *, user_id: str, already: bool, posted_in: str | None = None, lang: Lang = ENGLISH
) -> str:
    """What the person who clicked is told: what their decision did, or whose decision stands."""
    shift = p.shift
    if p.withdrawn:
        return lang._(
            "Shift #{shift} was cancelled before anyone decided; there is nothing to decide.", shift=shift.id
        )
    if already:
        values = {"shift": shift.id, "when": decided_when(p, lang)}
        if p.decided_by == user_id:
            if p.declined:
                return lang._("You already declined shift #{shift} ({when}); nothing changed.", **values)
            return lang._("You already approved shift #{shift} ({when}); nothing changed.", **values)
        person = f"<@{p.decided_by}>"
        if p.declined:
            return lang._(
                "{person} already declined shift #{shift} ({when}); nothing changed.", person=person, **values
            )
        return lang._(
            "{person} already approved shift #{shift} ({when}); nothing changed.", person=person, **values
        )
    host = f"<@{p.host_id}>"
    if p.declined:
        return ":no_entry_sign: " + lang._(
            "Declined shift #{shift}. I'm telling {host} why by DM.", shift=shift.id, host=host
        )
    if posted_in:
        return ":white_check_mark: " + lang._(
            "Approved shift #{shift}: posted in {channel}, and {host} is told by DM.",
            shift=shift.id,
            channel=f"<#{posted_in}>",
            host=host,
        )
    return ":white_check_mark: " + lang._(
        "Approved shift #{shift}: listed in `/shifts`, and {host} is told by DM.", shift=shift.id, host=host
    )


def build_decline_form(p: Proposal, lang: Lang = ENGLISH) -> Block:
    """Declining asks why: the host reads it."""
    shift = p.shift
    return {
        "type": "modal",
        "callback_id": act.DECLINE_FORM,
        "private_metadata": str(shift.id),
        # Translators: a form's title and buttons: at most 24 characters each.
        "title": _plain(lang._("Decline a proposal")),
        "submit": _plain(lang._("Decline")),
        "close": _plain(lang._("Back")),
        "blocks": [
            section(
                lang._(
                    "Decline {person}'s {kind} #{shift}? They get your reason by DM.",
                    person=f"<@{p.host_id}>",
                    kind=kind_word(shift, lang),
                    shift=shift.id,
                )
            ),
            section(describe(shift, notes=True, lang=lang)),
            {
                "type": "input",
                "block_id": "reason",
                "label": _plain(lang._("Why?")),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "max_length": 300,
                },
                "hint": _plain(
                    lang._(
                        "They offered to help: say what would work, e.g. join the Saturday canvass instead."
                    )
                ),
            },
        ],
    }


def build_decline_done(text: str, lang: Lang = ENGLISH) -> Block:
    """The decline form after it was sent: what happened (or why not)."""
    return {
        "type": "modal",
        "callback_id": act.DECLINE_FORM,
        "title": _plain(lang._("Decline a proposal")),
        "close": _plain(lang._("Done")),
        "blocks": [section(text)],
    }


def build_decision_dm(p: Proposal, channel_id: str | None, lang: Lang = ENGLISH) -> Reply:
    """The host hears what was decided, and by whom."""
    shift = p.shift
    if p.declined:
        headline = ":no_entry_sign: " + lang._(
            "Your {kind} on {day} (#{shift}) was declined by {person}.",
            kind=kind_word(shift, lang),
            day=day_word(shift, lang),
            shift=shift.id,
            person=f"<@{p.decided_by}>",
        )
        blocks = [section(headline)]
        if p.reason:
            blocks.append(section(lang._("*Why:* {reason}", reason=esc(p.reason))))
        blocks += [
            section(describe(shift, lang=lang)),
            context(lang._("Thank you for offering. `/host` proposes another.")),
        ]
        return Reply(headline, blocks)
    values = {"kind": kind_word(shift, lang), "shift": shift.id, "person": f"<@{p.decided_by}>"}
    if channel_id:
        headline = ":tada: " + lang._(
            "Your {kind} #{shift} was approved by {person} and is posted in {channel}.",
            channel=f"<#{channel_id}>",
            **values,
        )
    else:
        headline = ":tada: " + lang._(
            "Your {kind} #{shift} was approved by {person}; volunteers find it with `/shifts`.", **values
        )
    blocks = [
        section(headline),
        section(describe(shift, notes=True, lang=lang)),
        context(
            lang._(
                "You run it: I'll DM you when people claim or release it; `/turnout roster {shift}` "
                "shows who's coming.",
                shift=shift.id,
            )
        ),
    ]
    return Reply(headline, blocks)


# ---------------------------------------------------------------- news for hosts and leads


def roster_hint(shift: ShiftView, lang: Lang) -> Block:
    return context(lang._("`/turnout roster {shift}` shows everyone.", shift=shift.id))


def shown(user_id: str, names: dict[str, str] | None) -> str:
    """A person in a message to someone of the shift's own workspace: a mention, or, for someone
    of another organization on a shared shift, the name and organization given in `names`."""
    return (names or {}).get(user_id) or f"<@{user_id}>"


def build_claim_news(result: ClaimResult, lang: Lang = ENGLISH, names: dict[str, str] | None = None) -> Reply:
    """To the host: someone claimed their shift, or joined its waitlist (`names`: as `shown`)."""
    signup, shift = result.signup, result.signup.shift
    values = {
        "person": shown(signup.user_id, names),
        "kind": kind_word(shift, lang),
        "shift": shift.id,
        "day": day_word(shift, lang),
    }
    if signup.status == SignupStatus.WAITLISTED:
        headline = ":hourglass_flowing_sand: " + lang._(
            "{person} joined the waitlist for your {kind} #{shift} on {day} (#{position} in line).",
            position=signup.waitlist_position,
            **values,
        )
    else:
        headline = ":wave: " + lang._(
            "{person} claimed a place on your {kind} #{shift} on {day}: {held}/{capacity}.",
            held=shift.held,
            capacity=shift.capacity,
            **values,
        )
    return Reply(headline, [section(headline), roster_hint(shift, lang)])


def build_release_news(
    result: ReleaseResult, lang: Lang = ENGLISH, names: dict[str, str] | None = None
) -> Reply:
    """To the host: someone gave up their place (or left the waitlist), and who moved up
    (`names`: as `shown`)."""
    signup, shift = result.signup, result.signup.shift
    values = {"person": shown(signup.user_id, names), "kind": kind_word(shift, lang), "shift": shift.id}
    if result.held_place:
        headline = ":arrow_down: " + lang._(
            "{person} released their place on your {kind} #{shift} on {day}: {held}/{capacity}.",
            day=day_word(shift, lang),
            held=shift.held,
            capacity=shift.capacity,
            **values,
        )
    elif result.was_held:
        headline = lang._(
            "{person} withdrew their claim on your {kind} #{shift}; it no longer waits for you to accept it.",
            **values,
        )
    else:
        headline = lang._("{person} left the waitlist for your {kind} #{shift}.", **values)
    if result.promoted is not None:
        headline += " " + lang._(
            "{person} moved up from the waitlist.", person=shown(result.promoted.user_id, names)
        )
    return Reply(headline, [section(headline), roster_hint(shift, lang)])


def build_roster_news(
    shift: ShiftView, user_ids: list[str], by: str, *, added: bool, lang: Lang = ENGLISH
) -> Reply:
    """To the host: someone else (a coordinator, an admin) put people on their shift or took
    someone off it; `shift` as it stands after."""
    values = {
        "by": f"<@{by}>",
        "people": and_list([f"<@{u}>" for u in user_ids], lang),
        "kind": kind_word(shift, lang),
        "shift": shift.id,
        "day": day_word(shift, lang),
        "held": shift.held,
        "capacity": shift.capacity,
    }
    if added:
        line = lang._("{by} put {people} on your {kind} #{shift} on {day}: {held}/{capacity}.", **values)
    else:
        line = lang._("{by} took {people} off your {kind} #{shift} on {day}: {held}/{capacity}.", **values)
    headline = ":clipboard: " + line
    if shift.waiting:
        headline += " " + lang.ngettext("{count} on the waitlist.", "{count} on the waitlist.", shift.waiting)
    return Reply(headline, [section(headline), roster_hint(shift, lang)])


def and_list(items: list[str], lang: Lang) -> str:
    """`a, b and c`, `a, b y c`."""
    if len(items) == 1:
        return items[0]
    return lang._("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


def starts_in(shift: ShiftView, now: datetime, lang: Lang = ENGLISH) -> str:
    minutes = max(0, int((shift.starts_at - now).total_seconds() // 60))
    if minutes < 90:
        return lang.ngettext("{count} minute", "{count} minutes", minutes)
    return lang.ngettext("{count} hour", "{count} hours", round(minutes / 60))


def build_late_release(
    result: ReleaseResult, now: datetime, lang: Lang = ENGLISH, names: dict[str, str] | None = None
) -> Reply:
    """To the leads: a place given up less than a day before the start (`names`: as `shown`)."""
    signup, shift = result.signup, result.signup.shift
    headline = ":warning: " + lang._(
        "{person} released shift #{shift}, which starts in {starts_in}: {held}/{capacity} now.",
        person=shown(signup.user_id, names),
        shift=shift.id,
        starts_in=starts_in(shift, now, lang),
        held=shift.held,
        capacity=shift.capacity,
    )
    if result.promoted is not None:
        headline += " " + lang._(
            "{person} moved up from the waitlist.", person=shown(result.promoted.user_id, names)
        )
    return Reply(headline, [section(headline), section(describe(shift, lang=lang)), roster_hint(shift, lang)])


def build_leads_route(
    route: LeadsRoute, *, changed: bool, public: bool = False, lang: Lang = ENGLISH
) -> Reply:
    """Where a state's leads news goes (after `/turnout leads`), in the coordinator's language."""
    name = f"{place(route.state, lang)} ({route.state})"
    if route.channel_id:
        text = (
            lang._(
                "{state}'s leads news now goes to <#{channel}>: proposals, releases and \"can't make it\" "
                "inside 24 hours, at-risk shifts and the weekly digest.",
                state=name,
                channel=route.channel_id,
            )
            if changed
            else lang._(
                "{state}'s leads news goes to <#{channel}>: proposals, releases and \"can't make it\" "
                "inside 24 hours, at-risk shifts and the weekly digest.",
                state=name,
                channel=route.channel_id,
            )
        )
        if public:
            text += " " + lang._(
                "Note: <#{channel}> is public, so anyone in the workspace can read it.",
                channel=route.channel_id,
            )
    elif route.coordinator_ids:
        people = ", ".join(f"<@{u}>" for u in route.coordinator_ids)
        text = (
            lang._(
                "{state}'s leads news now goes to its coordinators by DM ({people}): proposals, releases "
                'and "can\'t make it" inside 24 hours, at-risk shifts and the weekly digest.',
                state=name,
                people=people,
            )
            if changed
            else lang._(
                "{state}'s leads news goes to its coordinators by DM ({people}): proposals, releases "
                'and "can\'t make it" inside 24 hours, at-risk shifts and the weekly digest.',
                state=name,
                people=people,
            )
        )
    else:
        text = lang._(
            "{state} has no leads channel and no coordinators, so its leads news goes nowhere yet. "
            "Bind one with `/turnout leads {code} #channel`.",
            state=name,
            code=route.state,
        )
    return text_reply(text)


def build_trusted_dm(state: str, *, trusted: bool, lang: Lang = ENGLISH) -> Reply:
    """To a volunteer whose trusted-host role in `state` was granted or revoked."""
    name = place(state, lang)
    if trusted:
        text = ":star2: " + lang._(
            "You're now a trusted host in {place}: the shifts you `/host` there are posted at once, "
            "without waiting for a coordinator. Thank you for leading!",
            place=name,
        )
    else:
        text = lang._(
            "You're no longer a trusted host in {place}: the shifts you `/host` there go to a coordinator "
            "for approval first.",
            place=name,
        )
    return text_reply(text)
