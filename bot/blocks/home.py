"""The App Home tab: a volunteer's shifts, impact and state, with buttons that work in place."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.blocks.common import Block, actions, button, context, divider, header, section
from bot.blocks.contacts import counts_text, place, progress_lines
from bot.blocks.shifts import describe, status_line
from bot.models import SignupStatus
from bot.services.shifts import ShiftView, SignupView
from bot.services.stats import PersonalStats, Progress


def build_home(
    *,
    signups: list[SignupView],
    more_signups: int = 0,
    stats: PersonalStats,
    progress: Progress | None,
    open_shifts: list[ShiftView],
    more_open: int = 0,
    note: str | None = None,
) -> Block:
    """The callers bound the lists (a few signups, a few open shifts), so the tab stays well
    under Slack's 100-block limit for a view: at most 3 blocks per signup and 1 per open shift."""
    blocks: list[Block] = [header("Your Turnout")]
    if note:
        blocks.append(section(note))
    blocks.append(
        actions(
            button("Log contacts", act.HOME_LOG, "log", style="primary"),
            button("Find shifts", act.HOME_FIND, "find"),
        )
    )
    blocks += [divider(), section("*Your upcoming shifts*")]
    if not signups:
        blocks.append(context("None yet. *Find shifts* below, or `/shifts`."))
    for signup in signups:
        blocks += [section(describe(signup.shift)), context(status_line(signup))]
        value = str(signup.shift.id)
        if signup.status == SignupStatus.CLAIMED:
            blocks.append(
                actions(
                    button("Confirm", act.HOME_CONFIRM, value, style="primary"),
                    button("Release", act.HOME_RELEASE, value),
                )
            )
        elif signup.status in (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.PENDING):
            label = {SignupStatus.WAITLISTED: "Leave waitlist", SignupStatus.PENDING: "Withdraw"}.get(
                signup.status, "Release"
            )
            blocks.append(actions(button(label, act.HOME_RELEASE, value)))
    if more_signups:
        blocks.append(context(f"and {more_signups} more: `/myshifts`"))
    streak = f":fire: {stats.streak}-day streak" if stats.streak else "Log today to start a streak"
    blocks += [
        divider(),
        section(
            f"*Your impact*\nToday: {counts_text(stats.today)}\nThis week: {counts_text(stats.week)}\n"
            f"All time: {counts_text(stats.all_time)}"
        ),
        context(
            f"{streak} · {stats.shifts_attended} shift{'s' if stats.shifts_attended != 1 else ''} attended"
        ),
    ]
    if progress is not None:
        blocks += [
            divider(),
            section(f"*{place(progress.state)} today*\n" + "\n".join(progress_lines(progress))),
        ]
    else:
        blocks += [
            divider(),
            context("Set your home state with `/turnout home ST` to see its progress here."),
        ]
    if open_shifts:
        blocks += [divider(), section("*Open shifts*")]
        for shift in open_shifts:
            label = "Join waitlist" if shift.full else "Claim"
            blocks.append(section(describe(shift), accessory=button(label, act.HOME_CLAIM, str(shift.id))))
        if more_open:
            blocks.append(context(f"and {more_open} more: `/shifts`"))
    return {"type": "home", "blocks": blocks}
