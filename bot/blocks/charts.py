"""Charts as PNG bytes: pure functions from a digest's data, labelled in the reader's language."""

from __future__ import annotations

import io
from dataclasses import dataclass

from babel.dates import format_date

from bot.i18n import ENGLISH, Lang
from bot.services.digests import WeeklyDigest


@dataclass(frozen=True)
class ChartLabels:
    """Every word on the weekly chart: its title, each day on the axis, the two series."""

    title: str
    days: list[str]
    contacts: str
    goal: str


def weekly_labels(digest: WeeklyDigest, lang: Lang = ENGLISH) -> ChartLabels:
    """`IA: contacts per day, 2026-11-16 to 2026-11-22`, days `Mon\\n16` (`lun\\n16`)."""
    return ChartLabels(
        title=lang._(
            "{state}: contacts per day, {first} to {last}",
            state=digest.state,
            first=digest.first.isoformat(),
            last=digest.last.isoformat(),
        ),
        days=[f"{format_date(p.day, 'EEE', locale=lang.locale)}\n{p.day.day}" for p in digest.days],
        contacts=lang.pgettext("chart legend", "contacts"),
        goal=lang.pgettext("chart legend", "goal"),
    )


def weekly_chart(digest: WeeklyDigest, lang: Lang = ENGLISH) -> bytes:
    """A PNG of each day's contacts (bars) against the day's goal (line)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    labels = weekly_labels(digest, lang)
    days = labels.days
    totals = [p.totals.contacts for p in digest.days]
    goals = [sum(p.goals.values()) for p in digest.days]
    figure, axes = pyplot.subplots(figsize=(7, 3.5), dpi=100)
    axes.bar(days, totals, color="#1d4f91", label=labels.contacts)
    if any(goals):
        axes.plot(days, goals, color="#d9534f", marker="o", label=labels.goal)
    axes.set_title(labels.title)
    axes.legend(loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
