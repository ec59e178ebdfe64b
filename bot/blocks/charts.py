"""Charts as PNG bytes: pure functions from a digest's data."""

from __future__ import annotations

import io

from bot.services.digests import WeeklyDigest


def weekly_chart(digest: WeeklyDigest) -> bytes:
    """A PNG of each day's contacts (bars) against the day's goal (line)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    days = [f"{p.day:%a}\n{p.day.day}" for p in digest.days]
    totals = [p.totals.contacts for p in digest.days]
    goals = [sum(p.goals.values()) for p in digest.days]
    figure, axes = pyplot.subplots(figsize=(7, 3.5), dpi=100)
    axes.bar(days, totals, color="#1d4f91", label="contacts")
    if any(goals):
        axes.plot(days, goals, color="#d9534f", marker="o", label="goal")
    axes.set_title(f"{digest.state}: contacts per day, {digest.first} to {digest.last}")
    axes.legend(loc="upper left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return buffer.getvalue()
