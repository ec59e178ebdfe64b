"""What hosting looks like in Slack: `/host`'s form and answer, a proposal as its deciders see
it (its copies for the leads and `/turnout proposals`), the decline form, the host's news and
the leads' news of late releases."""

from __future__ import annotations

from datetime import date, datetime

from bot.blocks import actions as act
from bot.blocks.common import (
    KIND_LABEL,
    Block,
    Reply,
    actions,
    button,
    clock_time,
    context,
    divider,
    esc,
    header,
    local_time,
    plural,
    section,
    text_reply,
)
from bot.blocks.contacts import in_place, place
from bot.blocks.shifts import build_shift_created, build_shift_form, describe, page_buttons, page_span
from bot.i18n import ENGLISH, Lang
from bot.models import ShiftStatus, SignupStatus
from bot.services.hosting import PROPOSALS_PAGE, Hosted, LeadsRoute, Proposal, ProposalPage
from bot.services.places import PLACES, article
from bot.services.shifts import ClaimResult, ReleaseResult, ShiftView


def kind_word(shift: ShiftView) -> str:
    """`canvass`, `phone bank`: the kind as a noun in a sentence."""
    return KIND_LABEL.get(shift.kind, str(shift.kind)).lower()


def a_kind(shift: ShiftView) -> str:
    """`a canvass`, `an event`."""
    word = kind_word(shift)
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def day_word(shift: ShiftView) -> str:
    start = local_time(shift.starts_at, shift.timezone)
    return f"{start:%a %b} {start.day}"


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text}


# ---------------------------------------------------------------- /host


def build_host_form(states: list[str], today: date, preselected: str | None) -> Block:
    """`/host` with no details: the shift form, each state by its name, the caller's channel or
    home state chosen already."""
    view = build_shift_form(states, today)
    options = [{"text": _plain(f"{PLACES[s].name} ({s})"), "value": s} for s in states[:100]]
    for block in view["blocks"]:
        if block.get("block_id") == "state":
            element: Block = {"type": "static_select", "action_id": "state", "options": options}
            chosen = [o for o in options if o["value"] == preselected]
            if chosen:
                element["initial_option"] = chosen[0]
            block["element"] = element
    view["callback_id"] = act.HOST_FORM
    view["title"] = _plain("Host a shift")
    view["submit"] = _plain("Send")
    note = context(
        "A coordinator of the state approves your shift before it is posted (a trusted host's is "
        "posted at once). You run it: I DM you when people claim or release it."
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
) -> Reply:
    """The answer to `/host`: published (where it was posted), or sent to whom for approval."""
    shift = hosted.shift
    if hosted.published:
        reply = build_shift_created(shift, hosted.created, channel_id, pending=pending, refused=refused)
        note = "You host it: I'll DM you when people claim or release it."
        return Reply(reply.text, [*reply.blocks, context(note)])
    if not hosted.created:
        text = {
            ShiftStatus.PROPOSED: f"You sent shift #{shift.id} already; it is waiting for "
            f"{article(shift.state)} {shift.state} coordinator.",
            ShiftStatus.DECLINED: f"You sent shift #{shift.id} already, and it was declined (I DMed you why).",
        }.get(
            shift.status,
            f"You sent shift #{shift.id} already, and it was cancelled. "
            "To offer it again, change a detail, or send it again in ten minutes.",
        )
        return Reply(text, [section(text), section(describe(shift, notes=True))])
    if route is not None and route.channel_id:
        where = f"{shift.state}'s coordinators have it in <#{route.channel_id}>"
    elif route is not None and route.coordinator_ids:
        where = f"{shift.state}'s coordinators have it by DM"
    else:
        where = (
            f"No one coordinates {shift.state} yet, so a Turnout admin decides it "
            f"(`/turnout proposals {shift.state}`)"
        )
    text = (
        f":raising_hand: Thanks for hosting! Shift #{shift.id} is a proposal until "
        f"{article(shift.state)} {shift.state} coordinator approves it. {where}; I'll DM you what they decide."
    )
    blocks = [
        section(text),
        section(describe(shift, notes=True)),
        context("Volunteers see it in `/shifts` once it is approved."),
    ]
    return Reply(f"Shift #{shift.id} was sent for approval.", blocks)


# ---------------------------------------------------------------- proposals


def record_line(p: Proposal) -> str:
    state = p.shift.state
    if not p.attended and not p.hosted:
        return f"New to hosting: no shift attended in {state} yet."
    hosted = f", hosted {plural(p.hosted, 'other', 'others')}" if p.hosted else ""
    return f"In {state}: attended {plural(p.attended, 'shift', 'shifts')}{hosted}."


def decided_when(p: Proposal) -> str:
    if p.decided_at is None:
        return ""
    at = local_time(p.decided_at, p.shift.timezone)
    return f"{at:%a %b} {at.day} at {clock_time(at)} {at.tzname()}"


def decision_line(p: Proposal) -> str:
    """What became of the proposal, for its copies and for anyone clicking it late."""
    if p.withdrawn:
        return ":wastebasket: *Withdrawn*: it was cancelled before anyone decided."
    by = f"<@{p.decided_by}>"
    if p.declined:
        why = f": {esc(p.reason)}" if p.reason else ""
        return f":no_entry_sign: *Declined* by {by} ({decided_when(p)}){why}"
    since = " It has been cancelled since." if p.status == "cancelled" else ""
    return f":white_check_mark: *Approved* by {by} ({decided_when(p)}).{since}"


def proposal_line(p: Proposal) -> str:
    return (
        f":raising_hand: *<@{p.host_id}> offers to host {a_kind(p.shift)} "
        f"{in_place(p.shift.state)}.* {record_line(p)}"
    )


def decision_buttons(p: Proposal, surface: str) -> Block:
    value = act.button_value(p.shift.id, surface)
    return actions(
        button("Approve", act.APPROVE, value, style="primary"),
        button("Decline", act.DECLINE, value, style="danger"),
        block_id=f"proposal.{p.shift.id}",
    )


def build_proposal(p: Proposal) -> Reply:
    """A proposal's copy for the leads: Approve / Decline while it waits; once decided (by
    anyone), the decision in their place."""
    shift = p.shift
    if p.pending:
        blocks = [
            section(proposal_line(p)),
            section(describe(shift, notes=True)),
            decision_buttons(p, act.PROPOSAL),
            context(f"Everything waiting: `/turnout proposals {shift.state}`"),
        ]
        text = f"<@{p.host_id}> offers to host {a_kind(shift)} in {shift.state} on {day_word(shift)}"
        return Reply(text[:300], blocks)
    blocks = [section(decision_line(p)), section(describe(shift))]
    return Reply(f"Proposal #{shift.id}: {decision_line(p)}"[:300], blocks)


def build_proposals(page: ProposalPage) -> Reply:
    """`/turnout proposals`: one page of proposals waiting, soonest first, each with its buttons."""
    scope = place(page.state) if page.state else "your states"
    if not page.proposals:
        text = f"No proposals waiting in {scope}."
        return Reply(text, [section(text)])
    surface = act.proposals_surface(page.state)
    here = act.paged(surface, page.offset)
    blocks: list[Block] = [header(f"Proposals waiting in {scope}"[:150])]
    for p in page.proposals:
        blocks.append(section(f"{proposal_line(p)}\n{describe(p.shift, notes=True)}"))
        blocks.append(decision_buttons(p, here))
        blocks.append(divider())
    span = page_span("Proposals", page.offset, len(page.proposals), page.total)
    blocks.append(context(span))
    blocks += page_buttons(
        act.PROPOSALS_PAGE, surface, page.offset, len(page.proposals), page.total, PROPOSALS_PAGE
    )
    return Reply(f"Proposals waiting in {scope}: {span.lower()}", blocks)


def decision_note(p: Proposal, *, user_id: str, already: bool, posted_in: str | None = None) -> str:
    """What the person who clicked is told: what their decision did, or whose decision stands."""
    shift = p.shift
    if p.withdrawn:
        return f"Shift #{shift.id} was cancelled before anyone decided; there is nothing to decide."
    if already:
        who = "You" if p.decided_by == user_id else f"<@{p.decided_by}>"
        verb = "declined" if p.declined else "approved"
        return f"{who} already {verb} shift #{shift.id} ({decided_when(p)}); nothing changed."
    if p.declined:
        return f":no_entry_sign: Declined shift #{shift.id}. I'm telling <@{p.host_id}> why by DM."
    where = f"posted in <#{posted_in}>" if posted_in else "listed in `/shifts`"
    return f":white_check_mark: Approved shift #{shift.id}: {where}, and <@{p.host_id}> is told by DM."


def build_decline_form(p: Proposal) -> Block:
    """Declining asks why: the host reads it."""
    shift = p.shift
    return {
        "type": "modal",
        "callback_id": act.DECLINE_FORM,
        "private_metadata": str(shift.id),
        "title": _plain("Decline a proposal"),
        "submit": _plain("Decline"),
        "close": _plain("Back"),
        "blocks": [
            section(f"Decline <@{p.host_id}>'s {kind_word(shift)} #{shift.id}? They get your reason by DM."),
            section(describe(shift, notes=True)),
            {
                "type": "input",
                "block_id": "reason",
                "label": _plain("Why?"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "max_length": 300,
                },
                "hint": _plain(
                    "They offered to help: say what would work, e.g. join the Saturday canvass instead."
                ),
            },
        ],
    }


def build_decline_done(text: str) -> Block:
    """The decline form after it was sent: what happened (or why not)."""
    return {
        "type": "modal",
        "callback_id": act.DECLINE_FORM,
        "title": _plain("Decline a proposal"),
        "close": _plain("Done"),
        "blocks": [section(text)],
    }


def build_decision_dm(p: Proposal, channel_id: str | None) -> Reply:
    """The host hears what was decided, and by whom."""
    shift = p.shift
    if p.declined:
        headline = (
            f":no_entry_sign: Your {kind_word(shift)} on {day_word(shift)} (#{shift.id}) was declined "
            f"by <@{p.decided_by}>."
        )
        blocks = [section(headline)]
        if p.reason:
            blocks.append(section(f"*Why:* {esc(p.reason)}"))
        blocks += [section(describe(shift)), context("Thank you for offering. `/host` proposes another.")]
        return Reply(headline, blocks)
    where = f" and is posted in <#{channel_id}>" if channel_id else "; volunteers find it with `/shifts`"
    headline = f":tada: Your {kind_word(shift)} #{shift.id} was approved by <@{p.decided_by}>{where}."
    blocks = [
        section(headline),
        section(describe(shift, notes=True)),
        context(
            f"You run it: I'll DM you when people claim or release it; `/turnout roster {shift.id}` "
            "shows who's coming."
        ),
    ]
    return Reply(headline, blocks)


# ---------------------------------------------------------------- news for hosts and leads


def build_claim_news(result: ClaimResult) -> Reply:
    """To the host: someone claimed their shift, or joined its waitlist."""
    signup, shift = result.signup, result.signup.shift
    if signup.status == SignupStatus.WAITLISTED:
        headline = (
            f":hourglass_flowing_sand: <@{signup.user_id}> joined the waitlist for your {kind_word(shift)} "
            f"#{shift.id} on {day_word(shift)} (#{signup.waitlist_position} in line)."
        )
    else:
        headline = (
            f":wave: <@{signup.user_id}> claimed a place on your {kind_word(shift)} #{shift.id} on "
            f"{day_word(shift)}: {shift.held}/{shift.capacity}."
        )
    return Reply(headline, [section(headline), context(f"`/turnout roster {shift.id}` shows everyone.")])


def build_release_news(result: ReleaseResult) -> Reply:
    """To the host: someone gave up their place (or left the waitlist), and who moved up."""
    signup, shift = result.signup, result.signup.shift
    if result.held_place:
        headline = (
            f":arrow_down: <@{signup.user_id}> released their place on your {kind_word(shift)} #{shift.id} "
            f"on {day_word(shift)}: {shift.held}/{shift.capacity}."
        )
    elif result.was_held:
        headline = (
            f"<@{signup.user_id}> withdrew their claim on your {kind_word(shift)} #{shift.id}; "
            "it no longer waits for you to accept it."
        )
    else:
        headline = f"<@{signup.user_id}> left the waitlist for your {kind_word(shift)} #{shift.id}."
    if result.promoted is not None:
        headline += f" <@{result.promoted.user_id}> moved up from the waitlist."
    return Reply(headline, [section(headline), context(f"`/turnout roster {shift.id}` shows everyone.")])


def build_roster_news(shift: ShiftView, user_ids: list[str], by: str, *, added: bool) -> Reply:
    """To the host: someone else (a coordinator, an admin) put people on their shift or took
    someone off it; `shift` as it stands after."""
    names = [f"<@{u}>" for u in user_ids]
    people = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    verb = f"put {people} on" if added else f"took {people} off"
    headline = (
        f":clipboard: <@{by}> {verb} your {kind_word(shift)} #{shift.id} on {day_word(shift)}: "
        f"{shift.held}/{shift.capacity}."
    )
    if shift.waiting:
        headline += f" {shift.waiting} on the waitlist."
    return Reply(headline, [section(headline), context(f"`/turnout roster {shift.id}` shows everyone.")])


def starts_in(shift: ShiftView, now: datetime) -> str:
    minutes = max(0, int((shift.starts_at - now).total_seconds() // 60))
    if minutes < 90:
        return plural(minutes, "minute", "minutes")
    return plural(round(minutes / 60), "hour", "hours")


def build_late_release(result: ReleaseResult, now: datetime) -> Reply:
    """To the leads: a place given up less than a day before the start."""
    signup, shift = result.signup, result.signup.shift
    headline = (
        f":warning: <@{signup.user_id}> released shift #{shift.id}, which starts in "
        f"{starts_in(shift, now)}: {shift.held}/{shift.capacity} now."
    )
    if result.promoted is not None:
        headline += f" <@{result.promoted.user_id}> moved up from the waitlist."
    return Reply(
        headline,
        [
            section(headline),
            section(describe(shift)),
            context(f"`/turnout roster {shift.id}` shows everyone."),
        ],
    )


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
    """To a volunteer whose trusted-host role in `state` was granted or revoked, in their language."""
    name = place(state, lang)
    if trusted:
        text = lang._(
            ":star2: You're now a trusted host in {place}: the shifts you `/host` there are posted at once, "
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
