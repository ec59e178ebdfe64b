"""What stats and leaderboards look like in Slack."""

from __future__ import annotations

from bot.blocks.common import Block, Reply, context, divider, header, person, section
from bot.blocks.contacts import counts_text, in_place, place, progress_lines
from bot.i18n import ENGLISH, Lang
from bot.models import Metric
from bot.services.leaderboards import Leaderboard
from bot.services.stats import PersonalStats, StateStats
from bot.vocabulary import metric_keyword


def build_personal_stats(stats: PersonalStats, name: str, lang: Lang) -> Reply:
    streak = (
        ":fire: " + lang.ngettext("{count}-day streak", "{count}-day streak", stats.streak)
        if stats.streak
        else lang._("No streak yet: log today to start one")
    )
    attended = lang.ngettext("{count} shift attended", "{count} shifts attended", stats.shifts_attended)
    blocks: list[Block] = [
        # A header is plain text: a name there is shown as typed and never pings anyone.
        header(lang._("{name}'s impact", name=name)[:150]),
        section(
            lang._(
                "*Today:* {today}\n*This week:* {week}\n*All time:* {all_time}",
                today=counts_text(stats.today, lang=lang),
                week=counts_text(stats.week, lang=lang),
                all_time=counts_text(stats.all_time, lang=lang),
            )
        ),
        context(f"{streak} · {attended}"),
    ]
    return Reply(
        lang._("Your impact: {counts} all time", counts=counts_text(stats.all_time, lang=lang)), blocks
    )


def build_state_stats(stats: StateStats, lang: Lang) -> Reply:
    today = stats.today
    where = place(today.state, lang)
    blocks: list[Block] = [
        header(lang._("{place} today", place=where)),
        section("\n".join(progress_lines(today, lang))),
        context(
            ":busts_in_silhouette: "
            + lang.ngettext("{count} volunteer logged today", "{count} volunteers logged today", today.active)
        ),
        divider(),
        section(
            lang._(
                "*This week* (since {day}): {counts}",
                day=lang.day(stats.week_first),
                counts=counts_text(stats.week, lang=lang),
            )
        ),
    ]
    return Reply(
        lang._("{place} today: {counts}", place=where, counts=counts_text(today.totals, lang=lang)), blocks
    )


def window_text(window: str, lang: Lang) -> str:
    """`today`, `this week`, `all time`: a leaderboard's span, as a phrase."""
    if window == "today":
        return lang.pgettext("leaderboard span", "today")
    if window == "week":
        return lang.pgettext("leaderboard span", "this week")
    return lang.pgettext("leaderboard span", "all time")


def build_leaderboard(board: Leaderboard, lang: Lang) -> Reply:
    span = window_text(board.window, lang)
    title = lang._("Leaderboard: {place}, {span}", place=place(board.state, lang), span=span)
    if not board.rows:
        text = lang._(
            "No contacts logged {span} {where} yet. `{example}` puts you on the board.",
            span=span,
            where=in_place(board.state, lang),
            example=f"/log 10 {metric_keyword(Metric.DOORS, lang.code)}",
        )
        return Reply(text, [section(text)])
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    lines = [
        f"{medals.get(row.rank, f'*{row.rank}.*')} {person(row.name, row.user_id)} — "
        f"{standing_text(row.contacts, row.convos, bold=True, lang=lang)}"
        for row in board.rows
    ]
    blocks: list[Block] = [header(title[:150]), section("\n".join(lines))]
    if board.me is None:
        blocks.append(context(lang._("You're not on this board yet: `/log` what you do and you will be.")))
    elif board.me.rank > max(r.rank for r in board.rows) or board.me.user_id not in {
        r.user_id for r in board.rows
    }:
        blocks.append(
            context(
                lang.ngettext(
                    "You: #{rank} with {count} contact",
                    "You: #{rank} with {count} contacts",
                    board.me.contacts,
                    rank=board.me.rank,
                )
            )
        )
    else:
        blocks.append(context(lang._("You're #{rank}. Keep going!", rank=board.me.rank)))
    return Reply(title, blocks)


def standing_text(contacts: int, convos: int, *, bold: bool = False, lang: Lang = ENGLISH) -> str:
    """`*12* contacts (2 conversations)`: a leaderboard row's numbers."""
    total = f"*{lang.number(contacts)}*" if bold else lang.number(contacts)
    return lang.ngettext(
        "{total} contact ({conversations})",
        "{total} contacts ({conversations})",
        contacts,
        total=total,
        conversations=lang.ngettext("{count} conversation", "{count} conversations", convos),
    )
