"""What logs, goals, stats and leaderboards look like in Slack."""

from __future__ import annotations

from datetime import date, datetime

from bot.blocks.common import Block, Reply, context, local_time, section
from bot.i18n import ENGLISH, Lang
from bot.models import Metric
from bot.services.contacts import LogResult, UndoResult
from bot.services.counts import METRICS, Counts
from bot.services.places import PLACES
from bot.services.stats import Progress

LOG_FORM = "log.form"
BAR_WIDTH = 10


def metric_count(count: int, metric: Metric, lang: Lang = ENGLISH) -> str:
    """`1 door`, `40 doors`, `1 puerta`, `40 puertas`."""
    match metric:
        case Metric.DOORS:
            return lang.ngettext("{count} door", "{count} doors", count)
        case Metric.CALLS:
            return lang.ngettext("{count} call", "{count} calls", count)
        case Metric.TEXTS:
            return lang.ngettext("{count} text", "{count} texts", count)
        case Metric.CONVOS:
            return lang.ngettext("{count} conversation", "{count} conversations", count)
        case Metric.SUPPORTERS:
            return lang.ngettext("{count} supporter", "{count} supporters", count)


def metric_label(metric: Metric, lang: Lang = ENGLISH) -> str:
    """A metric's name as a field's label: `Doors`, `Puertas`."""
    match metric:
        case Metric.DOORS:
            return lang.pgettext("metric label", "Doors")
        case Metric.CALLS:
            return lang.pgettext("metric label", "Calls")
        case Metric.TEXTS:
            return lang.pgettext("metric label", "Texts")
        case Metric.CONVOS:
            return lang.pgettext("metric label", "Conversations")
        case Metric.SUPPORTERS:
            return lang.pgettext("metric label", "Supporters")


def place(state: str | None, lang: Lang = ENGLISH) -> str:
    """A state's name (`Iowa`, `Nueva York`), or all of them."""
    return lang._(PLACES[state].name) if state else lang._("All states")


def in_place(state: str | None, lang: Lang = ENGLISH) -> str:
    """`in Iowa`, `nationally`, `in any state`: where something happened, read as a phrase."""
    if state is None:
        return lang._("in any state")
    if state == "US":
        return lang._("nationally")
    return lang._("in {place}", place=place(state, lang))


def counts_text(counts: Counts, empty: str | None = None, lang: Lang = ENGLISH) -> str:
    """`40 doors · 6 conversations`; `empty` (else "nothing yet") when there are none."""
    parts = [metric_count(value, metric, lang) for metric, value in counts.items()]
    return " · ".join(parts) or (empty if empty is not None else lang._("nothing yet"))


def progress_bar(value: int, goal: int, lang: Lang = ENGLISH) -> str:
    """`▓▓▓▓▓░░░░░ 50%`: filled in tenths, capped at full, percentage uncapped."""
    share = value / goal if goal else 0.0
    filled = min(BAR_WIDTH, int(share * BAR_WIDTH))
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {lang.percent(share)}"


def progress_lines(progress: Progress, lang: Lang = ENGLISH) -> list[str]:
    """One line per metric with a goal (bar and numbers), then the rest as plain totals."""
    lines = []
    for metric in METRICS:
        goal = progress.goals.get(metric)
        value = progress.totals.get(metric)
        if goal:
            done = " :tada:" if value >= goal else ""
            toward = f"{lang.number(value)} / {metric_count(goal, metric, lang)}"
            lines.append(f"`{progress_bar(value, goal, lang)}` {toward}{done}")
        elif value:
            lines.append(lang._("{counts} (no goal set)", counts=metric_count(value, metric, lang)))
    return lines or [lang._("Nothing logged yet today.")]


def build_log_result(result: LogResult, lang: Lang) -> Reply:
    where = place(result.state, lang)
    recorded = counts_text(result.recorded, lang=lang)
    if result.shift_id and result.already:
        headline = lang._(
            "Already recorded {counts} for shift #{shift} in {place}. Thank you!",
            counts=recorded,
            shift=result.shift_id,
            place=where,
        )
    elif result.shift_id:
        headline = lang._(
            "Recorded {counts} for shift #{shift} in {place}. Thank you!",
            counts=recorded,
            shift=result.shift_id,
            place=where,
        )
    elif result.already:
        headline = lang._("Already recorded {counts} in {place}. Thank you!", counts=recorded, place=where)
    else:
        headline = lang._("Recorded {counts} in {place}. Thank you!", counts=recorded, place=where)
    headline = f":white_check_mark: {headline}"
    blocks = [
        section(headline),
        context(lang._("Your totals today: {counts}", counts=counts_text(result.mine_today, lang=lang))),
        section(
            lang._("*{place} today toward its goal*", place=where)
            + "\n"
            + "\n".join(progress_lines(result.progress, lang))
        ),
        context(lang._("Made a mistake? `/log undo` removes your last log.")),
    ]
    return Reply(headline, blocks)


def build_undo_result(result: UndoResult, lang: Lang) -> Reply:
    text = lang._(
        "Removed your log of {counts} in {place} ({day}). Your totals that day: {totals}.",
        counts=counts_text(result.removed, lang=lang),
        place=place(result.state, lang),
        day=lang.short_day(result.day),
        totals=counts_text(result.mine_today, lang=lang),
    )
    return Reply(text, [section(text)])


def build_goal_set(state: str, metric: Metric, target: int, day: date | None, lang: Lang = ENGLISH) -> Reply:
    """`/turnout goal`'s answer: the goal as it now stands, for one day or every day (`day` None)."""
    values = {"place": place(state, lang), "goal": metric_count(target, metric, lang)}
    text = (
        lang._("{place}'s goal every day (standing goal): {goal}.", **values)
        if day is None
        else lang._("{place}'s goal on {day}: {goal}.", day=day.isoformat(), **values)
    )
    return Reply(text, [section(text)])


def build_log_form(
    shifts: list[tuple[int, str, datetime]],
    tz_of: dict[str, str],
    lang: Lang,
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
                "label": {"type": "plain_text", "text": metric_label(metric, lang)},
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
        label = f"#{sid} · {state} · {lang.day(start)} {lang.clock(start)}"
        options.append({"text": {"type": "plain_text", "text": label[:75]}, "value": str(sid)})
    if options:
        element: Block = {
            "type": "static_select",
            "action_id": "shift",
            "options": options,
            "placeholder": {"type": "plain_text", "text": lang._("Not tied to a shift")},
        }
        chosen = next((o for o in options if o["value"] == str(shift_id)), None)
        if chosen:
            element["initial_option"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": "shift",
                "optional": True,
                "label": {"type": "plain_text", "text": lang._("For shift")},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": LOG_FORM,
        "private_metadata": channel_id,
        # Translators: a form's title, at most 24 characters.
        "title": {"type": "plain_text", "text": lang._("Log contacts")},
        # Translators: the form's submit button, at most 24 characters.
        "submit": {"type": "plain_text", "text": lang.pgettext("log form", "Log")},
        # Translators: the form's close button, at most 24 characters.
        "close": {"type": "plain_text", "text": lang.pgettext("form", "Cancel")},
        "blocks": [context(lang._("Counts only: never names, numbers or addresses.")), *blocks],
    }


def build_logged_view(result: LogResult, lang: Lang) -> Block:
    """The log form, after submitting: what was recorded and the state's progress."""
    reply = build_log_result(result, lang)
    return {
        "type": "modal",
        # Translators: a form's title, at most 24 characters.
        "title": {"type": "plain_text", "text": lang._("Logged")},
        # Translators: the form's close button, at most 24 characters.
        "close": {"type": "plain_text", "text": lang.pgettext("form", "Done")},
        "blocks": reply.blocks,
    }
