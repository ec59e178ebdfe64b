"""What logs, goals, stats and leaderboards look like in Slack."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.common import Block, Reply, context, local_time, plural, section
from bot.models import Metric
from bot.services.contacts import LogResult, UndoResult
from bot.services.counts import METRICS, Counts
from bot.services.places import PLACES
from bot.services.stats import Progress

LOG_FORM = "log.form"
BAR_WIDTH = 10
METRIC_LABEL = {
    Metric.DOORS: "doors",
    Metric.CALLS: "calls",
    Metric.TEXTS: "texts",
    Metric.CONVOS: "conversations",
    Metric.SUPPORTERS: "supporters",
}
METRIC_ONE = {
    Metric.DOORS: "door",
    Metric.CALLS: "call",
    Metric.TEXTS: "text",
    Metric.CONVOS: "conversation",
    Metric.SUPPORTERS: "supporter",
}


def metric_count(count: int, metric: Metric) -> str:
    """`1 door`, `40 doors`."""
    return plural(count, METRIC_ONE[metric], METRIC_LABEL[metric])


def metric_word(count: int, metric: Metric) -> str:
    """The metric's noun as it agrees with `count`, without the count."""
    return METRIC_ONE[metric] if count == 1 else METRIC_LABEL[metric]


def place(state: str | None) -> str:
    return PLACES[state].name if state else "All states"


def in_place(state: str | None) -> str:
    """`in Iowa`, `nationally`, `in any state`: where something happened, read as a phrase."""
    if state is None:
        return "in any state"
    return "nationally" if state == "US" else f"in {PLACES[state].name}"


def counts_text(counts: Counts, empty: str = "nothing yet") -> str:
    """`40 doors · 6 conversations`."""
    parts = [metric_count(value, metric) for metric, value in counts.items()]
    return " · ".join(parts) or empty


def progress_bar(value: int, goal: int) -> str:
    """`▓▓▓▓▓░░░░░ 50%`: filled in tenths, capped at full, percentage uncapped."""
    share = value / goal if goal else 0.0
    filled = min(BAR_WIDTH, int(share * BAR_WIDTH))
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {share:.0%}"


def progress_lines(progress: Progress) -> list[str]:
    """One line per metric with a goal (bar and numbers), then the rest as plain totals."""
    lines = []
    for metric in METRICS:
        goal = progress.goals.get(metric)
        value = progress.totals.get(metric)
        if goal:
            done = " :tada:" if value >= goal else ""
            lines.append(f"`{progress_bar(value, goal)}` {value:,} / {metric_count(goal, metric)}{done}")
        elif value:
            lines.append(f"{metric_count(value, metric)} (no goal set)")
    return lines or ["Nothing logged yet today."]


def build_log_result(result: LogResult) -> Reply:
    where = place(result.state)
    verb = "Already recorded" if result.already else "Recorded"
    tied = f" for shift #{result.shift_id}" if result.shift_id else ""
    headline = f":white_check_mark: {verb} {counts_text(result.recorded)}{tied} in {where}. Thank you!"
    blocks = [
        section(headline),
        context(f"Your totals today: {counts_text(result.mine_today)}"),
        section(f"*{where} today toward its goal*\n" + "\n".join(progress_lines(result.progress))),
        context("Made a mistake? `/log undo` removes your last log."),
    ]
    return Reply(headline, blocks)


def build_undo_result(result: UndoResult) -> Reply:
    text = (
        f"Removed your log of {counts_text(result.removed)} in {place(result.state)} ({result.day:%b} {result.day.day}). "
        f"Your totals that day: {counts_text(result.mine_today)}."
    )
    return Reply(text, [section(text)])


def build_goal_set(state: str, metric: Metric, target: int, day: str) -> Reply:
    when = "every day (standing goal)" if day == "daily" else f"on {day}"
    text = f"{place(state)}'s goal {when}: {metric_count(target, metric)}."
    return Reply(text, [section(text)])


def build_log_form(
    shifts: list[tuple[int, str, datetime]],
    tz_of: dict[str, str],
    *,
    channel_id: str,
    shift_id: int | None = None,
) -> Block:
    """`/log` with no arguments: a number field per metric and an optional shift."""
    blocks: list[Block] = []
    for metric in METRICS:
        blocks.append(
            {
                "type": "input",
                "block_id": metric.value,
                "optional": True,
                "label": {"type": "plain_text", "text": METRIC_LABEL[metric].capitalize()},
                "element": {
                    "type": "number_input",
                    "action_id": metric.value,
                    "is_decimal_allowed": False,
                    "min_value": "1",
                },
            }
        )
    options = []
    for sid, state, starts_at in shifts:
        start = local_time(starts_at, tz_of[state])
        label = f"#{sid} · {state} · {start:%a %b} {start.day} {start:%I:%M %p}".replace(" 0", " ")
        options.append({"text": {"type": "plain_text", "text": label[:75]}, "value": str(sid)})
    if options:
        element: Block = {
            "type": "static_select",
            "action_id": "shift",
            "options": options,
            "placeholder": {"type": "plain_text", "text": "Not tied to a shift"},
        }
        chosen = next((o for o in options if o["value"] == str(shift_id)), None)
        if chosen:
            element["initial_option"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": "shift",
                "optional": True,
                "label": {"type": "plain_text", "text": "For shift"},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": LOG_FORM,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "Log contacts"},
        "submit": {"type": "plain_text", "text": "Log"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [context("Counts only: never names, numbers or addresses."), *blocks],
    }


def build_logged_view(result: LogResult) -> Block:
    """The log form, after submitting: what was recorded and the state's progress."""
    reply = build_log_result(result)
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Logged"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": reply.blocks,
    }
