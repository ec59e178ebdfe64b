"""What a refusal says: the services name what went wrong and whom it concerns; this is
where that becomes words, with mentions of the people and channels involved."""

from __future__ import annotations

from babel.numbers import format_decimal

from bot.blocks import actions as act
from bot.blocks import help as usage
from bot.blocks.common import (
    Block,
    KindChoices,
    Reply,
    context,
    esc,
    kind_label,
    kinds_text,
    section,
    someone,
    text_reply,
)
from bot.blocks.contacts import in_place
from bot.blocks.help import usage_text
from bot.blocks.shifts import claim_button, describe
from bot.i18n import ENGLISH, N_, Lang, Phrase
from bot.models import Metric, SignupStatus
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
    TrainingRequired,
    TurnoutError,
    UnknownTimezone,
    UsageError,
)
from bot.services.places import article
from bot.vocabulary import MetricChoices, metric_keyword

STATUS_WORDS = {
    SignupStatus.WAITLISTED: N_("{person} is on the waitlist, so attendance doesn't apply."),
    SignupStatus.PENDING: N_(
        "{person} is waiting for their claim to be accepted, so attendance doesn't apply."
    ),
    SignupStatus.RELEASED: N_("{person} is off the shift (released), so attendance doesn't apply."),
    SignupStatus.REMOVED: N_("{person} is off the shift (removed), so attendance doesn't apply."),
}


def refusal_text(error: TurnoutError, lang: Lang = ENGLISH) -> str:
    """The reply to a refused request, in the reader's language; errors with nothing to mention
    keep their own message (translated where the catalog has it)."""
    match error:
        case UsageError():
            return f"{problem_text(error, lang)}\n{usage_text(error.usage, lang)}"
        case NotCoordinator(state=state, coordinator_ids=ids) if ids:
            # Translators: {article} is English's "a"/"an" before {state}: leave it out if unused.
            return lang._(
                "Only {article} {state} coordinator ({people}) or an admin can {doing}.",
                article=article(state),
                state=state,
                people=", ".join(mention(u) for u in ids),
                doing=doing_text(error, lang),
            )
        case NotCoordinator(state=state):
            return lang._(
                "Only an admin (no one coordinates {state} yet) can {doing}.",
                state=state,
                doing=doing_text(error, lang),
            )
        case NotShiftRunner(state=state, host_id=None, coordinator_ids=ids):
            # A shift staff added is run by the state's coordinators alone: said as for them.
            return refusal_text(NotCoordinator(state, ids, error.doing_template, **error.doing_values), lang)
        case NotShiftRunner(state=state, host_id=host_id, coordinator_ids=ids):
            if ids:
                # Translators: {article} is English's "a"/"an" before {state}: leave it out if unused.
                return lang._(
                    "Only its host {host}, {article} {state} coordinator ({people}) or an admin can {doing}.",
                    host=mention(host_id or ""),
                    article=article(state),
                    state=state,
                    people=", ".join(mention(u) for u in ids),
                    doing=doing_text(error, lang),
                )
            return lang._(
                "Only its host {host}, {article} {state} coordinator or an admin can {doing}.",
                host=mention(host_id or ""),
                article=article(state),
                state=state,
                doing=doing_text(error, lang),
            )
        case ReleaseCutoffPassed(shift_id=shift_id, state=state, hours=hours, coordinator_ids=ids):
            ask = (
                lang._("Ask {org}, whose shift it is, to take you off it.", org=esc(error.org))
                if error.org is not None
                else lang._(
                    "Ask {people} ({state} coordinator) to take you off it.",
                    people=lang.either([mention(u) for u in ids]),
                    state=state,
                )
                if ids
                else lang._(
                    "Ask a Turnout admin to take you off it (no one coordinates {state} yet).", state=state
                )
            )
            if error.started:  # /myshifts offers Release until the end; the cutoff no longer fits
                return lang._(
                    "Shift #{shift} has already started, too late to release it yourself. {ask}",
                    shift=shift_id,
                    ask=ask,
                )
            return lang._(
                "Shift #{shift} starts within {span}, too close to release it yourself. {ask}",
                shift=shift_id,
                span=hours_text(hours, lang),
                ask=ask,
            )
        case ChannelTaken(channel_id=channel_id, holder=holder, wanted=wanted, leads=True):
            return lang._(
                "<#{channel}> is {holder}'s leads channel. Pick another channel for {wanted}'s volunteers.",
                channel=channel_id,
                holder=holder,
                wanted=wanted,
            )
        case ChannelTaken(channel_id=channel_id, holder=holder, wanted=wanted):
            return lang._(
                "<#{channel}> is already {holder}'s channel. "
                "Bind {holder} elsewhere first, or pick another channel for {wanted}.",
                channel=channel_id,
                holder=holder,
                wanted=wanted,
            )
        case NotCoordinating(user_id=user_id, state=state):
            # Translators: {article} is English's "a"/"an" before {state}: leave it out if unused.
            return lang._(
                "{person} is not {article} {state} coordinator, so there is nothing to revoke.",
                person=mention(user_id),
                article=article(state),
                state=state,
            )
        case NotTrustedHost(user_id=user_id, state=state):
            return lang._(
                "{person} is not a trusted host in {state}, so there is nothing to revoke.",
                person=mention(user_id),
                state=state,
            )
        case LeadsChannelTaken(channel_id=channel_id, holder=holder, wanted=wanted, leads=True):
            return lang._(
                "<#{channel}> is already {holder}'s leads channel. Pick another channel for {wanted}'s leads.",
                channel=channel_id,
                holder=holder,
                wanted=wanted,
            )
        case LeadsChannelTaken(channel_id=channel_id, holder=holder, wanted=wanted):
            return lang._(
                "<#{channel}> is already {holder}'s state channel, where its volunteers are. "
                "Pick another channel for {wanted}'s leads.",
                channel=channel_id,
                holder=holder,
                wanted=wanted,
            )
        case AttendanceDoesNotApply(volunteer_id=volunteer_id, status=status):
            said = STATUS_WORDS.get(status)
            if said is None:
                return lang._(
                    "Attendance doesn't apply to {person} on this shift.", person=mention(volunteer_id)
                )
            return lang._(said, person=mention(volunteer_id))
        case CapacityBelowHeld(shift_id=shift_id, capacity=capacity, holders=holders, orgs=orgs):
            return lang.ngettext(
                "Shift #{shift} has {count} place held ({people}), so its capacity can't go down to "
                "{capacity}. Take someone off with `/turnout roster {shift}` first.",
                "Shift #{shift} has {count} places held ({people}), so its capacity can't go down to "
                "{capacity}. Take someone off with `/turnout roster {shift}` first.",
                len(holders),
                shift=shift_id,
                # The shift's own people by mention; another organization's by name and organization.
                people=people_list(
                    [someone(name, u, orgs[u], lang) if u in orgs else mention(u) for u, name in holders],
                    lang=lang,
                ),
                capacity=lang.number(capacity),
            )
        case UnknownTimezone(timezone=timezone):
            problem = lang._(
                "`{timezone}` is not a time zone I know. Use an IANA name such as America/Denver.",
                timezone=timezone[:60],
            )
            return f"{problem}\n{usage_text(usage.STATE, lang)}"
        case TrainingRequired():
            lines = [
                lang._(
                    "#{shift} {when} ({state}): `/claim {shift}`",
                    shift=t.id,
                    when=lang.span(t.starts_at, t.ends_at, t.timezone),
                    state=t.state,
                )
                for t in error.trainings
            ]
            return "\n".join([training_headline(error, lang), *(f"• {line}" for line in lines)])
    return lang._(error.template, **shown_values(error.values, lang))


def problem_text(error: UsageError, lang: Lang = ENGLISH) -> str:
    """What was wrong with the input, without the usage line (a form shows it beside a field)."""
    return lang._(error.problem_template, **shown_values(error.values, lang))


def shown_values(values: dict[str, object], lang: Lang) -> dict[str, object]:
    """A refusal's values as the reader reads them: a metric as its word in their language
    (`doors`, `puertas`), a choice of metrics as those words joined with "or"."""
    shown: dict[str, object] = {}
    for name, value in values.items():
        if isinstance(value, TurnoutError):  # a refusal within a refusal ("The copy on …: …")
            shown[name] = refusal_text(value, lang)
        elif isinstance(value, KindChoices):
            shown[name] = kinds_text(lang)
        elif isinstance(value, MetricChoices):
            shown[name] = lang.either([metric_keyword(m, lang.code) for m in value])
        elif isinstance(value, Metric):
            shown[name] = metric_keyword(value, lang.code)
        elif isinstance(value, Phrase):
            shown[name] = lang._(value)
        else:
            shown[name] = value
    return shown


def hours_text(hours: float, lang: Lang = ENGLISH) -> str:
    """`3 hours`, `1 hour`, `2.5 hours`; `2,5 horas`."""
    if hours == int(hours):
        return lang.ngettext("{count} hour", "{count} hours", int(hours))
    return lang._("{hours} hours", hours=format_decimal(hours, locale=lang.locale))


def training_headline(error: TrainingRequired, lang: Lang = ENGLISH) -> str:
    """Why a claim was refused for want of a training, and what to do about it."""
    need = ":mortar_board: " + lang._(
        "{kind} shifts {place} need a training first, so shift #{shift} can't be claimed yet.",
        kind=kind_label(lang, error.kind),
        place=in_place(error.state, lang),
        shift=error.shift_id,
    )
    if error.trainings:
        return (
            need
            + " "
            + lang._(
                "Claim one of the next trainings (one that ends before shift #{shift} starts counts, and so "
                "does a national one), then claim the shift again:",
                shift=error.shift_id,
            )
        )
    ask = (
        lang._("ask {org}, whose shift it is,", org=esc(error.org))
        if error.org is not None
        else lang._(
            "ask {people} ({state} coordinator)",
            people=lang.either([mention(u) for u in error.coordinator_ids]),
            state=error.state,
        )
        if error.coordinator_ids
        else lang._("ask a Turnout admin (no one coordinates {state} yet)", state=error.state)
    )
    return need + " " + lang._("No training is scheduled yet: {ask} when the next one is.", ask=ask)


def build_refusal(error: TurnoutError, lang: Lang = ENGLISH) -> Reply:
    if isinstance(error, TrainingRequired) and error.trainings:
        headline = training_headline(error, lang)
        blocks: list[Block] = [section(headline)]
        for training in error.trainings:
            blocks.append(
                section(describe(training, lang=lang), accessory=claim_button(training, act.CARD, lang))
            )
        blocks.append(context(lang._("A training is a shift like any other: claim it, then come along.")))
        return Reply(headline, blocks)
    return text_reply(refusal_text(error, lang))


def doing_text(error: NotCoordinator | NotShiftRunner, lang: Lang) -> str:
    """What the refused person tried to do, in their language (`edit shift #12`)."""
    return lang._(error.doing_template, **error.doing_values)


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


MAX_NAMED = 10


def people_list(names: list[str], most: int = MAX_NAMED, *, lang: Lang = ENGLISH) -> str:
    """`a, b, c and 4 more`: at most `most` named, so a long list stays a short line."""
    shown = ", ".join(names[:most])
    if len(names) <= most:
        return shown
    return lang.ngettext(
        "{names} and {count} more", "{names} and {count} more", len(names) - most, names=shown
    )
