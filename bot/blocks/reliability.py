"""What reliability says: a held claim's notice to whoever may accept it, the volunteer's news
when it is accepted, and a no-show's notice to the state's leads."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.blocks.common import Block, Reply, actions, button, context, section
from bot.blocks.shifts import build_signup_card, describe
from bot.i18n import ENGLISH, N_, Lang
from bot.models import SignupStatus
from bot.services.shifts import ClaimResult, SignupView


def build_held_claim_notice(signup: SignupView, no_shows: int, lang: Lang = ENGLISH) -> Reply:
    """To the shift's host (else the state's leads): someone's claim waits for them."""
    shift = signup.shift
    headline = lang.ngettext(
        ":raised_hand: <@{person}> claimed shift #{shift}. Their claim waits for you to accept it: "
        "{count} no-show in {state} in the last 60 days.",
        ":raised_hand: <@{person}> claimed shift #{shift}. Their claim waits for you to accept it: "
        "{count} no-shows in {state} in the last 60 days.",
        no_shows,
        person=signup.user_id,
        shift=shift.id,
        state=shift.state,
    )
    blocks: list[Block] = [
        section(headline),
        section(describe(shift, lang=lang)),
        actions(
            button(lang._("Accept"), act.ACCEPT, act.button_value(signup.id, act.CARD), style="primary"),
            block_id=f"held.{signup.id}",
        ),
        context(
            lang._(
                "Or decide on the roster: `/turnout roster {shift}` (Remove turns the claim down).",
                shift=shift.id,
            )
        ),
    ]
    return Reply(headline, blocks)


# What a signup that was settled already is now, as the person who clicked Accept reads it.
SETTLED = {
    SignupStatus.CONFIRMED: N_("<@{person}>'s claim on shift #{shift} was settled already (confirmed)."),
    SignupStatus.CLAIMED: N_("<@{person}>'s claim on shift #{shift} was settled already (claimed)."),
    SignupStatus.WAITLISTED: N_("<@{person}>'s claim on shift #{shift} was settled already (waitlisted)."),
    SignupStatus.RELEASED: N_("<@{person}>'s claim on shift #{shift} was settled already (released)."),
    SignupStatus.REMOVED: N_("<@{person}>'s claim on shift #{shift} was settled already (removed)."),
    SignupStatus.ATTENDED: N_("<@{person}>'s claim on shift #{shift} was settled already (attended)."),
    SignupStatus.NO_SHOW: N_("<@{person}>'s claim on shift #{shift} was settled already (no show)."),
}


def accepted_headline(result: ClaimResult, by: str, lang: Lang = ENGLISH) -> str:
    """What the person who clicked Accept sees."""
    signup = result.signup
    values = {"person": signup.user_id, "shift": signup.shift.id}
    if result.already:
        if signup.status == SignupStatus.PENDING:
            return lang._("<@{person}>'s claim on shift #{shift} is still waiting.", **values)
        return lang._(SETTLED[SignupStatus(signup.status)], **values)
    if signup.status == SignupStatus.WAITLISTED:
        return lang._(
            "Accepted by <@{by}>: shift #{shift} is full, so <@{person}> is #{position} on its waitlist.",
            by=by,
            position=signup.waitlist_position,
            **values,
        )
    return lang._("Accepted by <@{by}>: <@{person}> is on shift #{shift}.", by=by, **values)


def build_accepted_dm(signup: SignupView, lang: Lang = ENGLISH) -> Reply:
    """To the volunteer: their held claim was accepted."""
    if signup.status == SignupStatus.WAITLISTED:
        headline = lang._(
            ":white_check_mark: Your claim on shift #{shift} was accepted. It is full, so you're "
            "*#{position}* on its waitlist; I'll message you if a place opens.",
            shift=signup.shift.id,
            position=signup.waitlist_position,
        )
    else:
        headline = lang._(
            ":white_check_mark: Your claim on shift #{shift} was accepted: you're on it! Please confirm.",
            shift=signup.shift.id,
        )
    return build_signup_card(signup, headline, lang)


def build_no_show_notice(signup: SignupView, marked_by: str, no_shows: int, lang: Lang = ENGLISH) -> Reply:
    """To the state's leads: someone was marked absent, and how often lately."""
    shift = signup.shift
    headline = lang.ngettext(
        ":warning: <@{person}> was marked a no-show on shift #{shift} by <@{by}>: "
        "{count} no-show in {state} in the last 60 days.",
        ":warning: <@{person}> was marked a no-show on shift #{shift} by <@{by}>: "
        "{count} no-shows in {state} in the last 60 days.",
        no_shows,
        person=signup.user_id,
        shift=shift.id,
        by=marked_by,
        state=shift.state,
    )
    blocks: list[Block] = [
        section(headline),
        section(describe(shift, lang=lang)),
        context(
            lang._("`/turnout people {state} noshows` lists everyone with 2 or more.", state=shift.state)
        ),
    ]
    return Reply(headline, blocks)
