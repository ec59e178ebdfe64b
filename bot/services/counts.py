"""The five metrics as counts: attempts (doors, calls, texts) and outcomes (convos, supporters)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from bot.db import Row as DbRow
from bot.models import Counted, Metric

METRICS = tuple(Metric)
# Each metric's field, looked up once: every reply reads counts by metric many times.
_FIELDS = {m: m.value for m in METRICS}


@dataclass(frozen=True)
class Counts:
    doors: int = 0
    calls: int = 0
    texts: int = 0
    convos: int = 0
    supporters: int = 0

    @classmethod
    def of(cls, values: dict[Metric, int]) -> Counts:
        return cls(**{m.value: values.get(m, 0) for m in METRICS})

    @classmethod
    def of_row(cls, row: Counted | Row[Any] | DbRow | None) -> Counts:
        """The counts a log or rollup row (a model, or a row read by a Core query) holds (none
        for a missing row)."""
        return cls(**{m.value: int(getattr(row, m.value)) for m in METRICS}) if row is not None else cls()

    def get(self, metric: Metric) -> int:
        return int(getattr(self, _FIELDS[metric]))

    @property
    def contacts(self) -> int:
        """Attempts plus outcomes: what leaderboards rank by."""
        return self.doors + self.calls + self.texts + self.convos + self.supporters

    def items(self) -> list[tuple[Metric, int]]:
        return [(m, count) for m in METRICS if (count := self.get(m))]
