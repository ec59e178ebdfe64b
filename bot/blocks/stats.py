"""What stats and leaderboards look like in Slack."""

from __future__ import annotations

from bot.blocks.common import Block, Reply, context, divider, header, person, plural, section
from bot.blocks.contacts import counts_text, in_place, place, progress_lines
from bot.services.leaderboards import Leaderboard
from bot.services.stats import PersonalStats, StateStats


def build_personal_stats(stats: PersonalStats, name: str) -> Reply:
    streak = f":fire: {stats.streak}-day streak" if stats.streak else "No streak yet: log today to start one"
    blocks: list[Block] = [
        # A header is plain text: a name there is shown as typed and never pings anyone.
        header(f"{name}'s impact"[:150]),
        section(
            f"*Today:* {counts_text(stats.today)}\n*This week:* {counts_text(stats.week)}\n"
            f"*All time:* {counts_text(stats.all_time)}"
        ),
        context(f"{streak} · {plural(stats.shifts_attended, 'shift', 'shifts')} attended"),
    ]
    return Reply(f"Your impact: {counts_text(stats.all_time)} all time", blocks)


def build_state_stats(stats: StateStats) -> Reply:
    today = stats.today
    where = place(today.state)
    blocks: list[Block] = [
        header(f"{where} today"),
        section("\n".join(progress_lines(today))),
        context(f":busts_in_silhouette: {plural(today.active, 'volunteer', 'volunteers')} logged today"),
        divider(),
        section(
            f"*This week* (since {stats.week_first:%a %b} {stats.week_first.day}): {counts_text(stats.week)}"
        ),
    ]
    return Reply(f"{where} today: {counts_text(today.totals)}", blocks)


def build_leaderboard(board: Leaderboard) -> Reply:
    span = {"today": "today", "week": "this week", "all": "all time"}[board.window]
    title = f"Leaderboard: {place(board.state)}, {span}"
    if not board.rows:
        text = (
            f"No contacts logged {span} {in_place(board.state)} yet. `/log 10 doors` puts you on the board."
        )
        return Reply(text, [section(text)])
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    lines = [
        f"{medals.get(row.rank, f'*{row.rank}.*')} {person(row.name, row.user_id)} — {standing_text(row.contacts, row.convos, bold=True)}"
        for row in board.rows
    ]
    blocks: list[Block] = [header(title[:150]), section("\n".join(lines))]
    if board.me is None:
        blocks.append(context("You're not on this board yet: `/log` what you do and you will be."))
    elif board.me.rank > max(r.rank for r in board.rows) or board.me.user_id not in {
        r.user_id for r in board.rows
    }:
        blocks.append(
            context(f"You: #{board.me.rank} with {plural(board.me.contacts, 'contact', 'contacts')}")
        )
    else:
        blocks.append(context(f"You're #{board.me.rank}. Keep going!"))
    return Reply(title, blocks)


def standing_text(contacts: int, convos: int, *, bold: bool = False) -> str:
    """`*12* contacts (2 conversations)`: a leaderboard row's numbers."""
    total = f"*{contacts:,}*" if bold else f"{contacts:,}"
    noun = "contact" if contacts == 1 else "contacts"
    return f"{total} {noun} ({plural(convos, 'conversation', 'conversations')})"
