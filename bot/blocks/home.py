"""The App Home tab: a volunteer's shifts, impact and state, with buttons that work in place,
in the language of the person looking at it."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.blocks.common import Block, actions, button, context, divider, header, section
from bot.blocks.contacts import counts_text, place, progress_lines
from bot.blocks.shifts import describe, status_line
from bot.i18n import ENGLISH, Lang
from bot.models import SignupStatus
from bot.services.shifts import ShiftView, SignupView
from bot.services.stats import PersonalStats, Progress


def shift_text(shift: ShiftView, lang: Lang) -> str:
    """A shift's card on the tab (its title, time, place and fill), drawn by the shifts module."""
    return describe(shift, lang=lang)


def signup_text(signup: SignupView, lang: Lang) -> str:
    """`You: confirmed`: where the viewer stands on a shift, said by the shifts module."""
    return status_line(signup, lang)


def build_home(
    *,
    signups: list[SignupView],
    more_signups: int = 0,
    stats: PersonalStats,
    progress: Progress | None,
    open_shifts: list[ShiftView],
    more_open: int = 0,
    note: str | None = None,
    lang: Lang = ENGLISH,
) -> Block:
    """The callers bound the lists (a few signups, a few open shifts), so the tab stays well
    under Slack's 100-block limit for a view: at most 3 blocks per signup and 1 per open shift."""
    blocks: list[Block] = [header(lang._("Your Turnout"))]
    if note:
        blocks.append(section(note))
    blocks.append(
        actions(
            button(lang._("Log contacts"), act.HOME_LOG, "log", style="primary"),
            button(lang._("Find shifts"), act.HOME_FIND, "find"),
        )
    )
    blocks += [divider(), section(lang._("*Your upcoming shifts*"))]
    if not signups:
        blocks.append(context(lang._("None yet. *Find shifts* below, or `/shifts`.")))
    for signup in signups:
        blocks += [section(shift_text(signup.shift, lang)), context(signup_text(signup, lang))]
        value = str(signup.shift.id)
        if signup.status == SignupStatus.CLAIMED:
            blocks.append(
                actions(
                    button(lang._("Confirm"), act.HOME_CONFIRM, value, style="primary"),
                    button(lang._("Release"), act.HOME_RELEASE, value),
                )
            )
        elif signup.status == SignupStatus.WAITLISTED:
            blocks.append(actions(button(lang._("Leave waitlist"), act.HOME_RELEASE, value)))
        elif signup.status == SignupStatus.PENDING:
            blocks.append(actions(button(lang._("Withdraw"), act.HOME_RELEASE, value)))
        elif signup.status == SignupStatus.CONFIRMED:
            blocks.append(actions(button(lang._("Release"), act.HOME_RELEASE, value)))
    if more_signups:
        blocks.append(
            context(
                lang.ngettext(
                    "and {count} more: `{command}`",
                    "and {count} more: `{command}`",
                    more_signups,
                    command="/myshifts",
                )
            )
        )
    streak = (
        ":fire: " + lang.ngettext("{count}-day streak", "{count}-day streak", stats.streak)
        if stats.streak
        else lang._("Log today to start a streak")
    )
    attended = lang.ngettext("{count} shift attended", "{count} shifts attended", stats.shifts_attended)
    blocks += [
        divider(),
        section(
            lang._(
                "*Your impact*\nToday: {today}\nThis week: {week}\nAll time: {all_time}",
                today=counts_text(stats.today, lang=lang),
                week=counts_text(stats.week, lang=lang),
                all_time=counts_text(stats.all_time, lang=lang),
            )
        ),
        context(f"{streak} · {attended}"),
    ]
    if progress is not None:
        blocks += [
            divider(),
            section(
                lang._("*{place} today*", place=place(progress.state, lang))
                + "\n"
                + "\n".join(progress_lines(progress, lang))
            ),
        ]
    else:
        blocks += [
            divider(),
            context(lang._("Set your home state with `/turnout home ST` to see its progress here.")),
        ]
    if open_shifts:
        blocks += [divider(), section(lang._("*Open shifts*"))]
        for shift in open_shifts:
            label = lang._("Join waitlist") if shift.full else lang._("Claim")
            blocks.append(
                section(shift_text(shift, lang), accessory=button(label, act.HOME_CLAIM, str(shift.id)))
            )
        if more_open:
            blocks.append(
                context(
                    lang.ngettext(
                        "and {count} more: `{command}`",
                        "and {count} more: `{command}`",
                        more_open,
                        command="/shifts",
                    )
                )
            )
    return {"type": "home", "blocks": blocks}
