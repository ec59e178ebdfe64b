"""What the scheduled posts and DMs look like, each in its reader's language: a state channel's
post in the state's (`state_language`), a DM in its recipient's, an ephemeral reply in the
caller's. The jobs resolve the language and pass its `Lang` down."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.blocks import actions as act
from bot.blocks.coalition import campaign_line
from bot.blocks.common import (
    Block,
    Reply,
    actions,
    button,
    context,
    divider,
    esc,
    header,
    kind_label,
    local_time,
    person,
    section,
    text_reply,
)
from bot.blocks.contacts import counts_text, in_place, metric_count, place, progress_bar, progress_lines
from bot.blocks.shifts import claim_button, describe
from bot.blocks.stats import standing_text
from bot.i18n import ENGLISH, Lang
from bot.services.counts import METRICS
from bot.services.deliveries import PostOutcome
from bot.services.digests import EveningDigest, MorningDigest, ShiftPeople, WeeklyDigest
from bot.services.engagement import Rung, StepUp
from bot.services.schedule import CLOCK_JOBS, Job, StateSchedule, next_run
from bot.services.shifts import ShiftView

MAX_SHIFTS_IN_DIGEST = 10
# A channel post lists at most this many cheers, and the weekly digest this many names.
MAX_CHEERS = 10
MAX_NAMES = 15


def shift_text(shift: ShiftView, lang: Lang, *, notes: bool = False) -> str:
    """A shift's card inside a post (its title, time, place and fill), drawn by the shifts
    module (`bot.blocks.shifts.describe`) in the post's language."""
    return describe(shift, notes=notes, lang=lang)


def shift_claim_button(shift: ShiftView, surface: str, lang: Lang) -> Block:
    return claim_button(shift, surface, lang)


def build_morning_post(digest: MorningDigest, lang: Lang = ENGLISH) -> Reply:
    where = place(digest.state, lang)
    today = (
        "\n".join(progress_lines(digest.today, lang))
        if digest.today.goals
        else lang._("_No goal set for today. Coordinators: `/turnout goal`._")
    )
    blocks: list[Block] = [
        header(":sunrise: " + lang._("Good morning, {place}!", place=where)),
        section(lang._("*Today's goals*") + "\n" + today),
        section(
            lang._("*Yesterday* ({day})", day=lang.day(digest.yesterday.day))
            + "\n"
            + "\n".join(progress_lines(digest.yesterday, lang))
        ),
    ]
    if digest.coalition is not None:
        blocks.append(context(":earth_americas: " + campaign_line(digest.coalition, lang)))
    if digest.needs_people:
        blocks += [divider(), section(lang._("*Shifts that still need people*"))]
        for shift in digest.needs_people[:MAX_SHIFTS_IN_DIGEST]:
            blocks.append(
                section(shift_text(shift, lang), accessory=shift_claim_button(shift, act.POST, lang))
            )
        # A channel post has no pages to turn, so the rest are a command away.
        if len(digest.needs_people) > MAX_SHIFTS_IN_DIGEST:
            more = len(digest.needs_people) - MAX_SHIFTS_IN_DIGEST
            blocks.append(
                context(
                    lang.ngettext(
                        "and {count} more: `{command}`",
                        "and {count} more: `{command}`",
                        more,
                        command=f"/shifts {digest.state}",
                    )
                )
            )
    elif digest.shifts_ahead:
        blocks.append(context(lang._("Every shift today and tomorrow is full. Thank you!")))
    else:
        blocks.append(context(lang._("No shifts today or tomorrow yet. Coordinators: `/turnout shift add`.")))
    return Reply(lang._("Good morning, {place}: today's goals and shifts", place=where), blocks)


def build_evening_post(digest: EveningDigest, lang: Lang = ENGLISH) -> Reply:
    where = place(digest.state, lang)
    blocks: list[Block] = [
        header(":crescent_moon: " + lang._("{place} today", place=where)),
        section("\n".join(progress_lines(digest.today, lang))),
    ]
    if digest.top:
        # The Standing's own rank, so a tie reads as it does on /leaderboard.
        lines = [
            f"{row.rank}. {person(row.name, row.user_id)} — {standing_text(row.contacts, row.convos, lang=lang)}"
            for row in digest.top
        ]
        blocks += [section(lang._("*Top volunteers today*") + "\n" + "\n".join(lines))]
    cheers = [
        ":fire: "
        + lang.ngettext(
            "{who} is on a {count}-day streak", "{who} is on a {count}-day streak", days, who=f"<@{user}>"
        )
        for user, days in digest.streaks
    ]
    cheers += [
        ":star2: " + lang._("Welcome {who}, who just finished their first shift!", who=f"<@{user}>")
        for user in digest.first_shifts
    ]
    cheers += [step_up_cheer(up, digest.state, lang) for up in digest.step_ups]
    if cheers:
        shown = cheers[:MAX_CHEERS]
        if len(cheers) > MAX_CHEERS:
            more = len(cheers) - MAX_CHEERS
            shown.append(
                lang.ngettext("…and {count} more to cheer for!", "…and {count} more to cheer for!", more)
            )
        blocks.append(section("\n".join(shown)))
    active = lang.ngettext(
        "{count} volunteer logged today", "{count} volunteers logged today", digest.today.active
    )
    blocks.append(context(f":busts_in_silhouette: {active} · " + lang._("`/log` to add yours")))
    return Reply(
        lang._("{place} today: {counts}", place=where, counts=counts_text(digest.today.totals, lang=lang)),
        blocks,
    )


def step_up_cheer(up: StepUp, state: str, lang: Lang = ENGLISH) -> str:
    """A step up the ladder, as the evening post cheers it."""
    who = f"<@{up.user_id}>"
    if up.rung == Rung.TRUSTED:
        return ":star: " + lang._(
            "{who} is now a trusted host: their shifts go up without waiting for approval!", who=who
        )
    if up.rung == Rung.HOST:
        if not up.kind:
            return ":house_with_garden: " + lang._("{who} hosted their first shift!", who=who)
        # Translators: {kind} is a kind of shift as a heading names it (Canvass, Phone bank), lowercased.
        return ":house_with_garden: " + lang._(
            "{who} hosted their first {kind}!", who=who, kind=kind_label(lang, up.kind).lower()
        )
    if up.rung == Rung.REGULAR:
        return ":muscle: " + lang._("{who} is a regular now: 3 shifts in the last 30 days!", who=who)
    return ":star2: " + lang._(
        "{who} finished their first shift {place}!", who=who, place=in_place(state, lang)
    )


def build_day_before_dm(shift: ShiftView, lang: Lang = ENGLISH) -> Reply:
    headline = ":calendar: " + lang._("Tomorrow: shift #{shift}. Can you still make it?", shift=shift.id)
    value = act.button_value(shift.id, act.CARD)
    blocks = [
        section(headline),
        section(shift_text(shift, lang, notes=True)),
        actions(
            button(lang._("Confirm"), act.CONFIRM, value, style="primary"),
            button(lang._("Can't make it"), act.RELEASE, value),
        ),
    ]
    return Reply(headline, blocks)


def build_reminder_dm(shift: ShiftView, lang: Lang = ENGLISH) -> Reply:
    headline = ":alarm_clock: " + lang._(
        "Reminder: shift #{shift} starts soon ({when}).",
        shift=shift.id,
        when=lang.span(shift.starts_at, shift.ends_at, shift.timezone),
    )
    return Reply(headline, [section(headline), section(shift_text(shift, lang, notes=True))])


def build_at_risk_post(item: ShiftPeople, lang: Lang = ENGLISH) -> Reply:
    shift = item.shift
    gaps = []
    if not shift.full:
        gaps.append(lang.ngettext("{count} open place", "{count} open places", shift.capacity - shift.held))
    if item.unconfirmed:
        gaps.append(lang.ngettext("{count} not confirmed", "{count} not confirmed", item.unconfirmed))
    if not gaps:
        # Redrawn after the last place was taken and everyone confirmed: nothing left to cover.
        headline = ":white_check_mark: " + lang._(
            "Shift #{shift} starts soon and is covered now. Thank you!", shift=shift.id
        )
        return Reply(headline, [section(headline), section(shift_text(shift, lang))])
    headline = ":warning: " + lang._(
        "Shift #{shift} starts soon and needs cover: {gaps}.", shift=shift.id, gaps=", ".join(gaps)
    )
    blocks = [
        section(headline),
        section(
            shift_text(shift, lang),
            accessory=button(
                lang._("Cover this shift"),
                act.CLAIM,
                act.button_value(shift.id, act.POST),
                style="primary",
            ),
        ),
    ]
    return Reply(headline, blocks)


def build_at_risk_settled(shift: ShiftView, lang: Lang = ENGLISH) -> Reply:
    """An at-risk post whose call for cover no longer stands: the shift was cancelled, or moved
    (a new at-risk post goes out before the new time if it still needs people)."""
    if shift.cancelled:
        headline = ":no_entry: " + lang._(
            "Shift #{shift} was cancelled: no cover needed. Thank you!", shift=shift.id
        )
    else:
        headline = ":calendar: " + lang._(
            "Shift #{shift} moved to {when}: no cover needed at the old time.",
            shift=shift.id,
            when=lang.span(shift.starts_at, shift.ends_at, shift.timezone),
        )
    return Reply(headline, [section(headline), section(shift_text(shift, lang))])


def build_follow_up_dm(shift: ShiftView, lang: Lang = ENGLISH) -> Reply:
    headline = ":wave: " + lang._(
        "How did shift #{shift} go? Log your doors, calls and conversations while they're fresh.",
        shift=shift.id,
    )
    blocks = [
        section(headline),
        actions(button(lang._("Log contacts"), act.LOG_FOR_SHIFT, str(shift.id), style="primary")),
    ]
    return Reply(headline, blocks)


def week_span(digest: WeeklyDigest, lang: Lang = ENGLISH) -> str:
    """`Nov 16–Nov 22`, `16 nov–22 nov`: the week a weekly digest covers."""
    return f"{lang.short_day(digest.first)}–{lang.short_day(digest.last)}"


def build_weekly_digest(digest: WeeklyDigest, lang: Lang = ENGLISH) -> Reply:
    where = place(digest.state, lang)
    metrics = [m for m in METRICS if any(m in p.goals for p in digest.days)]
    goals = {m: sum(p.goals.get(m, 0) for p in digest.days) for m in metrics}
    goal_lines = [
        f"`{progress_bar(digest.totals.get(m), target, lang)}` "
        f"{lang.number(digest.totals.get(m))} / {metric_count(target, m, lang)}"
        for m, target in goals.items()
        if target
    ]
    headline = ":bar_chart: " + lang._("{place}, week of {span}", place=where, span=week_span(digest, lang))
    blocks: list[Block] = [
        header(headline[:150]),
        section(
            f"{fill_line(digest, lang)}\n{no_show_line(digest, lang)}\n"
            + lang._("*Week's totals:* {counts}", counts=counts_text(digest.totals, lang=lang))
        ),
    ]
    if goal_lines:
        blocks.append(section(lang._("*Against the week's goals*") + "\n" + "\n".join(goal_lines)))
    blocks.append(context(lang._("The chart shows each day's contacts against the day's goal.")))
    return Reply(headline, blocks)


def fill_line(digest: WeeklyDigest, lang: Lang = ENGLISH) -> str:
    if not digest.shifts:
        return lang._("*Fill rate:* No shifts last week.")
    return lang._(
        "*Fill rate:* {rate} ({places} on {shifts})",
        rate=lang.percent(digest.fill_rate),
        places=lang.ngettext(
            "{held}/{count} place", "{held}/{count} places", digest.places, held=lang.number(digest.held)
        ),
        shifts=lang.ngettext("{count} shift", "{count} shifts", digest.shifts),
    )


def no_show_line(digest: WeeklyDigest, lang: Lang = ENGLISH) -> str:
    if not digest.no_shows:
        return lang._("*No-shows:* none")
    # One name per person, with how often, and a bounded list: a big week must still fit one section.
    times = Counter(digest.no_show_names)
    names = [esc(name) + (f" ×{n}" if n > 1 else "") for name, n in times.most_common(MAX_NAMES)]
    if len(times) > MAX_NAMES:
        more = len(times) - MAX_NAMES
        names.append(lang.ngettext("and {count} more", "and {count} more", more))
    return lang._("*No-shows:* {count} ({names})", count=lang.number(digest.no_shows), names=", ".join(names))


def build_schedule(schedule: StateSchedule, now: datetime, lang: Lang = ENGLISH) -> Reply:
    """`/turnout schedule ST`: each post's local time and its next run."""
    lines = []
    for job in CLOCK_JOBS:
        at = schedule.times[job]
        upcoming = local_time(next_run(schedule, job, now), schedule.timezone)
        if job == Job.WEEKLY:
            text = lang._(
                "• `{job}` {time} Mondays — next {day} {next}",
                job=job,
                time=f"{at:%H:%M}",
                day=lang.day(upcoming),
                next=f"{upcoming:%H:%M %Z}",
            )
        elif job == Job.DAY_BEFORE:
            text = lang._(
                "• `{job}` {time} the day before each shift — next {day} {next}",
                job=job,
                time=f"{at:%H:%M}",
                day=lang.day(upcoming),
                next=f"{upcoming:%H:%M %Z}",
            )
        else:
            text = lang._(
                "• `{job}` {time} daily — next {day} {next}",
                job=job,
                time=f"{at:%H:%M}",
                day=lang.day(upcoming),
                next=f"{upcoming:%H:%M %Z}",
            )
        lines.append(text)
    lead = int(schedule.reminder_lead.total_seconds() // 60)
    follow = int(schedule.follow_up.total_seconds() // 60)
    lines.append(
        lang._(
            "• `reminders` {lead} min before each shift; `after-shift` {follow} min after it ends",
            lead=lang.number(lead),
            follow=lang.number(follow),
        )
    )
    text = (
        lang._("*{place} posts on {zone} time*", place=place(schedule.state, lang), zone=schedule.timezone)
        + "\n"
        + "\n".join(lines)
    )
    return Reply(
        lang._("{state} schedule", state=schedule.state),
        [
            section(text),
            context(lang._("Change one: `/turnout schedule ST morning 08:30`")),
        ],
    )


def build_digest_posted(
    outcome: PostOutcome, digest: str, state: str, channel_id: str, lang: Lang = ENGLISH
) -> Reply:
    """The answer to a coordinator's `/turnout digest`: what happened to the post."""
    channel = f"<#{channel_id}>"
    morning = digest == "morning"
    if outcome == PostOutcome.RETRYING:
        text = (
            lang._(
                "Slack didn't take the morning digest for {state} in {channel} yet; I'll keep trying.",
                state=state,
                channel=channel,
            )
            if morning
            else lang._(
                "Slack didn't take the evening digest for {state} in {channel} yet; I'll keep trying.",
                state=state,
                channel=channel,
            )
        )
    elif outcome == PostOutcome.SENT:
        text = (
            lang._("Posted morning digest for {state} in {channel}.", state=state, channel=channel)
            if morning
            else lang._("Posted evening digest for {state} in {channel}.", state=state, channel=channel)
        )
    elif outcome == PostOutcome.UPDATED:
        text = (
            lang._(
                "Updated the already-posted morning digest for {state} in {channel}.",
                state=state,
                channel=channel,
            )
            if morning
            else lang._(
                "Updated the already-posted evening digest for {state} in {channel}.",
                state=state,
                channel=channel,
            )
        )
    elif outcome == PostOutcome.ALREADY:
        text = (
            lang._("Already posted morning digest for {state} in {channel}.", state=state, channel=channel)
            if morning
            else lang._(
                "Already posted evening digest for {state} in {channel}.", state=state, channel=channel
            )
        )
    else:
        text = (
            lang._("Already posting morning digest for {state} in {channel}.", state=state, channel=channel)
            if morning
            else lang._(
                "Already posting evening digest for {state} in {channel}.", state=state, channel=channel
            )
        )
    return text_reply(text)
