"""What the scheduled posts and DMs look like."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.blocks import actions as act
from bot.blocks.common import (
    KIND_LABEL,
    Block,
    Reply,
    actions,
    button,
    context,
    divider,
    esc,
    header,
    local_time,
    person,
    plural,
    section,
    text_reply,
    when,
)
from bot.blocks.contacts import counts_text, in_place, metric_count, place, progress_bar, progress_lines
from bot.blocks.shifts import claim_button, describe
from bot.blocks.stats import standing_text
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


def build_morning_post(digest: MorningDigest) -> Reply:
    where = place(digest.state)
    blocks: list[Block] = [
        header(f":sunrise: Good morning, {where}!"),
        section(
            "*Today's goals*\n"
            + (
                "\n".join(progress_lines(digest.today))
                if digest.today.goals
                else "_No goal set for today. Coordinators: `/turnout goal`._"
            )
        ),
        section(
            f"*Yesterday* ({digest.yesterday.day:%a %b} {digest.yesterday.day.day})\n"
            + "\n".join(progress_lines(digest.yesterday))
        ),
    ]
    if digest.needs_people:
        blocks += [divider(), section("*Shifts that still need people*")]
        for shift in digest.needs_people[:MAX_SHIFTS_IN_DIGEST]:
            blocks.append(section(describe(shift), accessory=claim_button(shift, act.POST)))
        # A channel post has no pages to turn, so the rest are a command away.
        if len(digest.needs_people) > MAX_SHIFTS_IN_DIGEST:
            more = len(digest.needs_people) - MAX_SHIFTS_IN_DIGEST
            blocks.append(context(f"and {more} more: `/shifts {digest.state}`"))
    elif digest.shifts_ahead:
        blocks.append(context("Every shift today and tomorrow is full. Thank you!"))
    else:
        blocks.append(context("No shifts today or tomorrow yet. Coordinators: `/turnout shift add`."))
    return Reply(f"Good morning, {where}: today's goals and shifts", blocks)


def build_evening_post(digest: EveningDigest) -> Reply:
    where = place(digest.state)
    blocks: list[Block] = [
        header(f":crescent_moon: {where} today"),
        section("\n".join(progress_lines(digest.today))),
    ]
    if digest.top:
        # The Standing's own rank, so a tie reads as it does on /leaderboard.
        lines = [
            f"{row.rank}. {person(row.name, row.user_id)} — {standing_text(row.contacts, row.convos)}"
            for row in digest.top
        ]
        blocks += [section("*Top volunteers today*\n" + "\n".join(lines))]
    cheers = [f":fire: <@{user}> is on a {days}-day streak" for user, days in digest.streaks]
    cheers += [
        f":star2: Welcome <@{user}>, who just finished their first shift!" for user in digest.first_shifts
    ]
    cheers += [step_up_cheer(up, digest.state) for up in digest.step_ups]
    if cheers:
        shown = cheers[:MAX_CHEERS]
        if len(cheers) > MAX_CHEERS:
            shown.append(f"…and {len(cheers) - MAX_CHEERS} more to cheer for!")
        blocks.append(section("\n".join(shown)))
    blocks.append(
        context(
            f":busts_in_silhouette: {plural(digest.today.active, 'volunteer', 'volunteers')} logged today"
            " · `/log` to add yours"
        )
    )
    return Reply(f"{where} today: {counts_text(digest.today.totals)}", blocks)


def step_up_cheer(up: StepUp, state: str) -> str:
    """A step up the ladder, as the evening post cheers it."""
    who = f"<@{up.user_id}>"
    if up.rung == Rung.TRUSTED:
        return f":star: {who} is now a trusted host: their shifts go up without waiting for approval!"
    if up.rung == Rung.HOST:
        kind = KIND_LABEL.get(up.kind or "", "shift").lower()
        return f":house_with_garden: {who} hosted their first {kind}!"
    if up.rung == Rung.REGULAR:
        return f":muscle: {who} is a regular now: 3 shifts in the last 30 days!"
    return f":star2: {who} finished their first shift {in_place(state)}!"


def build_day_before_dm(shift: ShiftView) -> Reply:
    headline = f":calendar: Tomorrow: shift #{shift.id}. Can you still make it?"
    value = act.button_value(shift.id, act.CARD)
    blocks = [
        section(headline),
        section(describe(shift, notes=True)),
        actions(
            button("Confirm", act.CONFIRM, value, style="primary"),
            button("Can't make it", act.RELEASE, value),
        ),
    ]
    return Reply(headline, blocks)


def build_reminder_dm(shift: ShiftView) -> Reply:
    start = when(shift.starts_at, shift.ends_at, shift.timezone)
    headline = f":alarm_clock: Reminder: shift #{shift.id} starts soon ({start})."
    return Reply(headline, [section(headline), section(describe(shift, notes=True))])


def build_at_risk_post(item: ShiftPeople) -> Reply:
    shift = item.shift
    gaps = []
    if not shift.full:
        gaps.append(f"{plural(shift.capacity - shift.held, 'open place', 'open places')}")
    if item.unconfirmed:
        gaps.append(f"{item.unconfirmed} not confirmed")
    if not gaps:
        # Redrawn after the last place was taken and everyone confirmed: nothing left to cover.
        headline = f":white_check_mark: Shift #{shift.id} starts soon and is covered now. Thank you!"
        return Reply(headline, [section(headline), section(describe(shift))])
    headline = f":warning: Shift #{shift.id} starts soon and needs cover: {', '.join(gaps)}."
    blocks = [
        section(headline),
        section(
            describe(shift),
            accessory=button(
                "Cover this shift", act.CLAIM, act.button_value(shift.id, act.POST), style="primary"
            ),
        ),
    ]
    return Reply(headline, blocks)


def build_at_risk_settled(shift: ShiftView) -> Reply:
    """An at-risk post whose call for cover no longer stands: the shift was cancelled, or moved
    (a new at-risk post goes out before the new time if it still needs people)."""
    if shift.cancelled:
        headline = f":no_entry: Shift #{shift.id} was cancelled: no cover needed. Thank you!"
    else:
        new_time = when(shift.starts_at, shift.ends_at, shift.timezone)
        headline = f":calendar: Shift #{shift.id} moved to {new_time}: no cover needed at the old time."
    return Reply(headline, [section(headline), section(describe(shift))])


def build_follow_up_dm(shift: ShiftView) -> Reply:
    headline = (
        f":wave: How did shift #{shift.id} go? Log your doors, calls and conversations while they're fresh."
    )
    blocks = [
        section(headline),
        actions(button("Log contacts", act.LOG_FOR_SHIFT, str(shift.id), style="primary")),
    ]
    return Reply(headline, blocks)


def build_weekly_digest(digest: WeeklyDigest) -> Reply:
    where = place(digest.state)
    metrics = [m for m in METRICS if any(m in p.goals for p in digest.days)]
    goals = {m: sum(p.goals.get(m, 0) for p in digest.days) for m in metrics}
    goal_lines = [
        f"`{progress_bar(digest.totals.get(m), target)}` {digest.totals.get(m):,} / {metric_count(target, m)}"
        for m, target in goals.items()
        if target
    ]
    headline = f":bar_chart: {where}, week of {digest.first:%b} {digest.first.day}–{digest.last:%b} {digest.last.day}"
    blocks: list[Block] = [
        header(headline[:150]),
        section(
            f"{fill_line(digest)}\n{no_show_line(digest)}\n*Week's totals:* {counts_text(digest.totals)}"
        ),
    ]
    if goal_lines:
        blocks.append(section("*Against the week's goals*\n" + "\n".join(goal_lines)))
    blocks.append(context("The chart shows each day's contacts against the day's goal."))
    return Reply(headline, blocks)


def fill_line(digest: WeeklyDigest) -> str:
    if not digest.shifts:
        return "*Fill rate:* No shifts last week."
    return (
        f"*Fill rate:* {digest.fill_rate:.0%} ({digest.held}/{plural(digest.places, 'place', 'places')} "
        f"on {plural(digest.shifts, 'shift', 'shifts')})"
    )


def no_show_line(digest: WeeklyDigest) -> str:
    if not digest.no_shows:
        return "*No-shows:* none"
    # One name per person, with how often, and a bounded list: a big week must still fit one section.
    times = Counter(digest.no_show_names)
    names = [esc(name) + (f" ×{n}" if n > 1 else "") for name, n in times.most_common(MAX_NAMES)]
    if len(times) > MAX_NAMES:
        names.append(f"and {len(times) - MAX_NAMES} more")
    return f"*No-shows:* {digest.no_shows} ({', '.join(names)})"


def build_schedule(schedule: StateSchedule, now: datetime) -> Reply:
    """`/turnout schedule ST`: each post's local time and its next run."""
    lines = []
    for job in CLOCK_JOBS:
        at = schedule.times[job]
        upcoming = local_time(next_run(schedule, job, now), schedule.timezone)
        day = (
            "Mondays"
            if job == Job.WEEKLY
            else ("the day before each shift" if job == Job.DAY_BEFORE else "daily")
        )
        lines.append(f"• `{job}` {at:%H:%M} {day} — next {upcoming:%a %b} {upcoming.day} {upcoming:%H:%M %Z}")
    lead = int(schedule.reminder_lead.total_seconds() // 60)
    follow = int(schedule.follow_up.total_seconds() // 60)
    lines.append(f"• `reminders` {lead} min before each shift; `after-shift` {follow} min after it ends")
    text = f"*{place(schedule.state)} posts on {schedule.timezone} time*\n" + "\n".join(lines)
    return Reply(
        f"{schedule.state} schedule",
        [section(text), context("Change one: `/turnout schedule ST morning 08:30`")],
    )


POSTED_WORDS = {
    PostOutcome.SENT: "Posted",
    PostOutcome.UPDATED: "Updated the already-posted",
    PostOutcome.ALREADY: "Already posted",
    PostOutcome.PENDING: "Already posting",
}


def build_digest_posted(outcome: PostOutcome, digest: str, state: str, channel_id: str) -> Reply:
    """The answer to a coordinator's `/turnout digest`: what happened to the post."""
    if outcome == PostOutcome.RETRYING:
        return text_reply(
            f"Slack didn't take the {digest} digest for {state} in <#{channel_id}> yet; I'll keep trying."
        )
    return text_reply(f"{POSTED_WORDS[outcome]} {digest} digest for {state} in <#{channel_id}>.")
