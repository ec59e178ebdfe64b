"""The words people type, per language: commands keep their English names, but metric and day
words are also accepted in Spanish (SPEC §10). The parser accepts every language's words at
once, whoever types them; help lists the reader's own.

Words are matched without case or accents (`conversacion`, `manana`), as people type on phones."""

from __future__ import annotations

import unicodedata

from bot.i18n import ENGLISH, ENGLISH_CODE, SPANISH_CODE
from bot.models import Metric

# Per language, each metric's words: the first is the one Turnout writes in examples and errors.
METRIC_WORDS_BY_LANGUAGE: dict[str, dict[Metric, tuple[str, ...]]] = {
    ENGLISH_CODE: {
        Metric.DOORS: ("doors", "door", "knock", "knocks"),
        Metric.CALLS: ("calls", "call", "dial", "dials"),
        Metric.TEXTS: ("texts", "text", "sms"),
        Metric.CONVOS: ("convos", "convo", "conversation", "conversations"),
        Metric.SUPPORTERS: ("supporters", "supporter", "id", "ids"),
    },
    SPANISH_CODE: {
        Metric.DOORS: ("puertas", "puerta"),
        Metric.CALLS: ("llamadas", "llamada"),
        Metric.TEXTS: ("textos", "texto", "mensajes", "mensaje"),
        Metric.CONVOS: ("conversaciones", "conversación"),
        Metric.SUPPORTERS: ("simpatizantes", "simpatizante"),
    },
}

# Day words as `/shifts` and `/leaderboard` take them, to the English word the parsers use.
DAY_WORDS_BY_LANGUAGE: dict[str, dict[str, str]] = {
    ENGLISH_CODE: {"today": "today", "tomorrow": "tomorrow", "week": "week"},
    SPANISH_CODE: {"hoy": "today", "mañana": "tomorrow", "semana": "week"},
}

# A leaderboard's span beyond the day words: `all` (`todo`).
SPAN_WORDS_BY_LANGUAGE: dict[str, dict[str, str]] = {
    ENGLISH_CODE: {"all": "all"},
    SPANISH_CODE: {"todo": "all"},
}


def fold(word: str) -> str:
    """`word` as it is matched: lower case, accents dropped (`Mañana` → `manana`)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


METRIC_WORDS: dict[str, Metric] = {
    fold(word): metric
    for words in METRIC_WORDS_BY_LANGUAGE.values()
    for metric, spelled in words.items()
    for word in spelled
}
DAY_WORDS: dict[str, str] = {
    fold(word): meaning for words in DAY_WORDS_BY_LANGUAGE.values() for word, meaning in words.items()
}

SPAN_WORDS: dict[str, str] = {
    fold(word): meaning for words in SPAN_WORDS_BY_LANGUAGE.values() for word, meaning in words.items()
}


def metric_keyword(metric: Metric, code: str) -> str:
    """The word Turnout writes for `metric` in language `code` (`doors`, `puertas`)."""
    words = METRIC_WORDS_BY_LANGUAGE.get(code) or METRIC_WORDS_BY_LANGUAGE[ENGLISH_CODE]
    return words[metric][0]


def metric_words(code: str) -> dict[Metric, tuple[str, ...]]:
    """Every metric's words in language `code`, for help."""
    return METRIC_WORDS_BY_LANGUAGE.get(code) or METRIC_WORDS_BY_LANGUAGE[ENGLISH_CODE]


class MetricChoices(tuple[Metric, ...]):
    """Metrics offered as a choice in a message's values (`Metrics: {metrics}.`): written as
    their words in the reader's language, joined with "or" (`bot.blocks.refusals`); in English
    where no reader is known."""

    def __format__(self, spec: str) -> str:
        return ENGLISH.either([metric_keyword(m, ENGLISH_CODE) for m in self])


ALL_METRICS = MetricChoices(tuple(Metric))
