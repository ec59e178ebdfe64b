"""Nothing a person reads bypasses the catalog, and everything fits Slack in every language.

Scoped to what is translated so far: `/log` (typed, its form, `undo`, `help` and every mistake),
`/stats`, `/leaderboard` and `/turnout language`, with the refusals and apologies they can give.
The README's "Languages" lists the modules still to convert; as each is converted, its commands
join `BATTERY` here. The battery runs as a person who reads a pseudo-language (tests/catalogs.py):
every catalog message in it has its letters swapped and its dates and numbers are written with
Russian CLDR data, so any plain ASCII word left in a reply was written around the catalog. What
may stay ASCII: the words people type (metric, day and language words, command names, which
SPEC §10 keeps in English), state codes, time zone abbreviations, Slack's emoji codes and
mentions, and what the person typed themselves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import time
from typing import Any

import pytest
import sqlalchemy as sa

from bot import i18n
from bot.i18n import ENGLISH, SPANISH, Lang
from bot.localslack.limits import check_message, check_view
from bot.models import State
from bot.services.places import PLACES
from bot.vocabulary import DAY_WORDS_BY_LANGUAGE, METRIC_WORDS_BY_LANGUAGE, SPAN_WORDS_BY_LANGUAGE
from handlers.common import SORRY, UNREACHABLE, apology
from handlers.languages import LANGUAGE_WORDS
from tests import factories as make
from tests.catalogs import PSEUDO_CODE, pseudo_lang
from tests.conftest import Bot
from tests.factories import TEAM
from tests.handlers.forging import log_values, submit

READER = "UREADER"
EMOJI = re.compile(r":[a-z0-9_+\-]+:")
SLACK_MARKUP = re.compile(r"<[@#!][^>]*>")
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
TYPED_WORDS = {
    *(w for words in METRIC_WORDS_BY_LANGUAGE.values() for spelled in words.values() for w in spelled),
    *(w for words in DAY_WORDS_BY_LANGUAGE.values() for w in words),
    *(w for words in SPAN_WORDS_BY_LANGUAGE.values() for w in words),
    *LANGUAGE_WORDS,
    *("log", "stats", "leaderboard", "turnout", "shifts", "me"),
}
KEPT = {*PLACES, "CST", "CDT"}


def chose(values: dict[str, Any], shift: str) -> dict[str, Any]:
    """Form values with `shift` picked in the form's shift menu."""
    return {**values, "shift": {"shift": {"type": "static_select", "selected_option": {"value": shift}}}}


def english_left(text: str, typed: str = "") -> list[str]:
    """The ASCII words in `text` that are neither typed words nor what the person typed."""
    for token in sorted(typed.split(), key=len, reverse=True):
        text = text.replace(token, " ")
    text = SLACK_MARKUP.sub(" ", EMOJI.sub(" ", text))
    words = ASCII_WORD.findall(text)
    return [w for w in words if w not in KEPT and w.lower() not in TYPED_WORDS]


def texts(value: Any) -> Iterator[str]:
    """Every string shown to a person in a message, view or form answer (`text` fields and form errors)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("text", "errors") and isinstance(item, str):
                yield item
            elif key == "errors" and isinstance(item, dict):
                yield from (str(v) for v in item.values())
            else:
                yield from texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)


@pytest.fixture
def reader(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, int]:
    """READER reads the pseudo-language, in a campaign with a goal and shifts to log for: one
    they are on that has started, one they are on ahead, one they are not on."""
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, PSEUDO_CODE))
    monkeypatch.setattr(i18n, "_LANGS", {**i18n._LANGS, PSEUDO_CODE: pseudo_lang()})
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
        session.add(row)
        make.volunteer(session, READER, bot.clock(), name="Ĵöŕĝé")
        session.execute(sa.text(f"UPDATE volunteer SET language = '{PSEUDO_CODE}' WHERE id = '{READER}'"))
        started = make.shift(session, bot.clock(), days_ahead=0, start=time(8))
        make.signup(session, started, READER, bot.clock())
        ahead = make.shift(session, bot.clock(), days_ahead=3)
        make.signup(session, ahead, READER, bot.clock())
        others = make.shift(session, bot.clock(), days_ahead=0, start=time(7))
    bot.command("/turnout", "goal IA 50 doors daily", user="UCOORD")
    return started, ahead, others


def battery(started: int, ahead: int, others: int) -> list[tuple[str, str, str]]:
    """(command, text, channel): every translated command, each of its answers and mistakes."""
    logs = [
        "help",
        "",
        "5 doors",
        "5 puertas 2 conversaciones",
        f"3 calls for {started}",
        f"3 calls para {ahead}",
        f"3 calls for {others}",
        "3 calls for 999",
        "3 calls for 99999999999",
        "3 calls for abc",
        "3 calls for",
        "3 for calls",
        "-5 doors",
        "0 doors",
        "2.5 doors",
        "5000 doors",
        "40 pamphlets",
        "doors 40",
        "40",
        "40 doors 5 doors",
        "lots of doors",
        "undo",
        "undo",
        "undo",
        "undo",
        "undo",
    ]
    return [
        *(("/log", text, "CIOWA") for text in logs),
        ("/log", "5 doors", "CRANDOM"),  # no state to count for
        *(("/stats", text, "CIOWA") for text in ("", "me", "IA", "new york", "help", "narnia land")),
        ("/stats", "", "CRANDOM"),
        *(
            ("/leaderboard", text, "CIOWA")
            for text in ("", "IA week", "today NH", "all", "todo", "help", "sideways", "IA IA")
        ),
        *(
            ("/turnout", f"language {text}".strip(), "CIOWA")
            # Not `language es|en|auto`: those leave the pseudo-language (tests/handlers/test_languages.py).
            for text in ("", "help", "IA", "IA es", "NH es", "IA fr", "Narnia es", "a b c")
        ),
        *(("/turnout", text, "CIOWA") for text in ("org", "org help")),
    ]


def test_every_translated_reply_comes_through_the_catalog(bot: Bot, reader: tuple[int, int, int]) -> None:
    started, ahead, others = reader
    seen: list[tuple[str, str]] = []
    for command, text, channel in battery(started, ahead, others):
        exchange = bot.command(command, text, user=READER, channel=channel)
        assert exchange.replies or exchange.view, (command, text)
        for reply in exchange.replies:
            seen += [(f"{command} {text}", t) for t in [reply.text, *texts(reply.blocks)]]
        if exchange.view is not None:
            seen += [(f"{command} {text} (form)", t) for t in texts(exchange.view)]
    form = bot.command("/log", "", user=READER, channel="CIOWA").view
    assert form is not None
    form = {**form, "id": "VPSEUDO1"}
    for values in (
        log_values(),
        log_values(doors="٣"),
        log_values(doors="99999"),
        chose(log_values(doors="4"), "not-a-shift"),
        chose(log_values(doors="4"), str(others)),
        log_values(doors="4"),
        log_values(doors="4"),  # the same form again: already recorded
    ):
        answer = submit(bot, form, values, user=READER)
        seen += [("form", t) for t in texts(answer.ack)]
    leftovers = [(where, word, shown) for where, shown in seen for word in english_left(shown, where)]
    assert leftovers == [], "\n".join(map(str, leftovers))
    assert len(seen) > 100


def test_apologies_come_through_the_catalog() -> None:
    lang = pseudo_lang()
    for error in (RuntimeError("boom"), sa.exc.OperationalError("SELECT 1", {}, Exception("down"))):
        assert english_left(apology(error, lang)) == []
    assert SPANISH._(SORRY) != SORRY and SPANISH._(UNREACHABLE) != UNREACHABLE


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=lambda lang: lang.code)
def test_translated_replies_fit_slack_in_every_language(bot: Bot, lang: Lang) -> None:
    """Spanish runs about a fifth longer than English: the longest answers still fit. The stand-in
    judges every message and view the bot sends (the `slack` fixture fails the test otherwise);
    this checks the form's answers too, which reach Slack in an HTTP response."""
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "WV", bot.clock())
        row = session.get(State, (TEAM, "WV"))
        assert row is not None
        row.channel_id = "CWV"
        session.add(row)
        name = "N" * 120
        make.volunteer(session, READER, bot.clock(), name=name)
        session.execute(sa.text(f"UPDATE volunteer SET language = '{lang.code}' WHERE id = '{READER}'"))
        shift_ids = [
            make.shift(session, bot.clock(), state="WV", days_ahead=0, start=time(8)) for _ in range(20)
        ]
        for shift_id in shift_ids:
            make.signup(session, shift_id, READER, bot.clock())
    for metric in ("doors", "calls", "texts", "convos", "supporters"):
        bot.command("/turnout", f"goal WV 1000000 {metric} daily", user="UCOORD")
    full = "2000 doors 2000 calls 2000 texts 2000 convos 2000 supporters"
    for _ in range(3):
        bot.command("/log", f"{full} for {shift_ids[-1]}", user=READER, channel="CWV")
    for command, text in [
        ("/log", "help"),
        ("/log", f"{'9' * 4000} doors"),
        ("/log", f"2 doors for {'7' * 4000}"),
        ("/stats", "me"),
        ("/stats", "west virginia"),
        ("/leaderboard", "WV all"),
        ("/turnout", "language help"),
    ]:
        exchange = bot.command(command, text, user=READER, channel="CWV")
        for reply in exchange.replies:
            assert check_message(reply.text, reply.blocks, require_text=True) == []
    form = bot.command("/log", "", user=READER, channel="CWV").view
    assert form is not None and len(form["blocks"][-1]["element"]["options"]) == 20
    check_view(form)
    form = {**form, "id": "VFIT0001"}
    answer = submit(bot, form, log_values(doors="٣" * 3000, calls="9" * 3000), user=READER)
    assert all(len(error) <= 150 for error in answer.ack["errors"].values())
    assert all(error.endswith(".") for error in answer.ack["errors"].values()), answer.ack
    done = submit(bot, form, chose(log_values(doors="2000"), str(shift_ids[0])), user=READER)
    check_view(done.ack["view"])
    assert json.dumps(done.ack["view"]).count("1000000") == 0  # goals are written in the language
