"""What a refusal says: the services name what went wrong and whom it concerns; this is
where that becomes words, with mentions of the people and channels involved."""

from __future__ import annotations

from bot.blocks import help as usage
from bot.blocks.common import Reply, plural, text_reply
from bot.models import SignupStatus
from bot.services.errors import (
    AttendanceDoesNotApply,
    CapacityBelowHeld,
    ChannelTaken,
    LeadsChannelTaken,
    NotCoordinating,
    NotCoordinator,
    NotShiftRunner,
    NotTrustedHost,
    ReleaseCutoffPassed,
    TurnoutError,
    UnknownTimezone,
)
from bot.services.places import article

STATUS_WORDS = {
    SignupStatus.WAITLISTED: "on the waitlist",
    SignupStatus.RELEASED: "off the shift (released)",
    SignupStatus.REMOVED: "off the shift (removed)",
}


def refusal_text(error: TurnoutError) -> str:
    """The reply to a refused request; errors with nothing to mention keep their own message."""
    match error:
        case NotCoordinator(state=state, coordinator_ids=ids, doing=doing):
            who = (
                f"{article(state)} {state} coordinator ({', '.join(mention(u) for u in ids)}) or an admin"
                if ids
                else f"an admin (no one coordinates {state} yet)"
            )
            return f"Only {who} can {doing}."
        case NotShiftRunner(state=state, host_id=None, coordinator_ids=ids, doing=doing):
            # A shift staff added is run by the state's coordinators alone: said as for them.
            return refusal_text(NotCoordinator(state, ids, doing))
        case NotShiftRunner(state=state, host_id=host_id, coordinator_ids=ids, doing=doing):
            staff = (
                f"{article(state)} {state} coordinator ({', '.join(mention(u) for u in ids)})"
                if ids
                else f"{article(state)} {state} coordinator"
            )
            return f"Only its host {mention(host_id or '')}, {staff} or an admin can {doing}."
        case ReleaseCutoffPassed(shift_id=shift_id, state=state, hours=hours, coordinator_ids=ids):
            span = f"{hours:g} hour{'s' if hours != 1 else ''}"
            ask = (
                f"Ask {' or '.join(mention(u) for u in ids)} ({state} coordinator) to take you off it."
                if ids
                else f"Ask a Turnout admin to take you off it (no one coordinates {state} yet)."
            )
            if error.started:  # /myshifts offers Release until the end; the cutoff no longer fits
                return f"Shift #{shift_id} has already started, too late to release it yourself. {ask}"
            return f"Shift #{shift_id} starts within {span}, too close to release it yourself. {ask}"
        case ChannelTaken(channel_id=channel_id, holder=holder, wanted=wanted):
            return (
                f"<#{channel_id}> is already {holder}'s channel. "
                f"Bind {holder} elsewhere first, or pick another channel for {wanted}."
            )
        case NotCoordinating(user_id=user_id, state=state):
            return f"{mention(user_id)} is not {article(state)} {state} coordinator, so there is nothing to revoke."
        case NotTrustedHost(user_id=user_id, state=state):
            return f"{mention(user_id)} is not a trusted host in {state}, so there is nothing to revoke."
        case LeadsChannelTaken(channel_id=channel_id, holder=holder, wanted=wanted, leads=leads):
            what = (
                f"{holder}'s leads channel"
                if leads
                else f"{holder}'s state channel, where its volunteers are"
            )
            return f"<#{channel_id}> is already {what}. Pick another channel for {wanted}'s leads."
        case AttendanceDoesNotApply(volunteer_id=volunteer_id, status=status):
            words = STATUS_WORDS.get(status, status)
            return f"{mention(volunteer_id)} is {words}, so attendance doesn't apply."
        case CapacityBelowHeld(shift_id=shift_id, capacity=capacity, holders=holders):
            return (
                f"Shift #{shift_id} has {plural(len(holders), 'place', 'places')} held "
                f"({people_list([mention(u) for u, _name in holders])}), so its capacity can't go down to "
                f"{capacity}. Take someone off with `/turnout roster {shift_id}` first."
            )
        case UnknownTimezone():
            return f"{error.message}\nUsage: {usage.STATE}"
    return error.message


def build_refusal(error: TurnoutError) -> Reply:
    return text_reply(refusal_text(error))


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


MAX_NAMED = 10


def people_list(names: list[str], most: int = MAX_NAMED) -> str:
    """`a, b, c and 4 more`: at most `most` named, so a long list stays a short line."""
    shown = ", ".join(names[:most])
    return f"{shown} and {len(names) - most} more" if len(names) > most else shown
