"""What reliability says: a held claim's notice to whoever may accept it, the volunteer's news
when it is accepted, and a no-show's notice to the state's leads."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.blocks.common import Block, Reply, actions, button, context, plural, section
from bot.blocks.shifts import build_signup_card, describe
from bot.models import SignupStatus
from bot.services.shifts import ClaimResult, SignupView


def build_held_claim_notice(signup: SignupView, no_shows: int) -> Reply:
    """To the shift's host (else the state's leads): someone's claim waits for them."""
    shift = signup.shift
    headline = (
        f":raised_hand: <@{signup.user_id}> claimed shift #{shift.id}. Their claim waits for you to accept it: "
        f"{plural(no_shows, 'no-show', 'no-shows')} in {shift.state} in the last 60 days."
    )
    blocks: list[Block] = [
        section(headline),
        section(describe(shift)),
        actions(
            button("Accept", act.ACCEPT, act.button_value(signup.id, act.CARD), style="primary"),
            block_id=f"held.{signup.id}",
        ),
        context(f"Or decide on the roster: `/turnout roster {shift.id}` (Remove turns the claim down)."),
    ]
    return Reply(headline, blocks)


def accepted_headline(result: ClaimResult, by: str) -> str:
    """What the person who clicked Accept sees."""
    signup = result.signup
    who, shift_id = f"<@{signup.user_id}>", signup.shift.id
    if result.already:
        if signup.status == SignupStatus.PENDING:
            return f"{who}'s claim on shift #{shift_id} is still waiting."
        return f"{who}'s claim on shift #{shift_id} was settled already ({signup.status.replace('_', ' ')})."
    if signup.status == SignupStatus.WAITLISTED:
        return f"Accepted by <@{by}>: shift #{shift_id} is full, so {who} is #{signup.waitlist_position} on its waitlist."
    return f"Accepted by <@{by}>: {who} is on shift #{shift_id}."


def build_accepted_dm(signup: SignupView) -> Reply:
    """To the volunteer: their held claim was accepted."""
    if signup.status == SignupStatus.WAITLISTED:
        headline = (
            f":white_check_mark: Your claim on shift #{signup.shift.id} was accepted. It is full, so you're "
            f"*#{signup.waitlist_position}* on its waitlist; I'll message you if a place opens."
        )
    else:
        headline = f":white_check_mark: Your claim on shift #{signup.shift.id} was accepted: you're on it! Please confirm."
    return build_signup_card(signup, headline)


def build_no_show_notice(signup: SignupView, marked_by: str, no_shows: int) -> Reply:
    """To the state's leads: someone was marked absent, and how often lately."""
    shift = signup.shift
    headline = (
        f":warning: <@{signup.user_id}> was marked a no-show on shift #{shift.id} by <@{marked_by}>: "
        f"{plural(no_shows, 'no-show', 'no-shows')} in {shift.state} in the last 60 days."
    )
    blocks: list[Block] = [
        section(headline),
        section(describe(shift)),
        context(f"`/turnout people {shift.state} noshows` lists everyone with 2 or more."),
    ]
    return Reply(headline, blocks)
