"""Nothing a person reads bypasses the catalog, and everything fits Slack in every language.

Scoped to what is translated so far: `/log` (typed, its form, `undo`, `help` and every mistake),
`/stats`, `/leaderboard` and `/turnout language`, with the refusals and apologies they can give;
the scheduled posts and DMs, `/turnout schedule` and `digest`, and the App Home tab.
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
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot import i18n
from bot.blocks import actions as act
from bot.blocks import digests
from bot.blocks import home as home_blocks
from bot.blocks.common import actions, button
from bot.i18n import ENGLISH, SPANISH, Lang
from bot.localslack.limits import check_message, check_view
from bot.models import Delivery, DeliveryKind, SignupStatus, State
from bot.services import engagement, states
from bot.services.places import PLACES
from bot.services.schedule import Job
from bot.vocabulary import DAY_WORDS_BY_LANGUAGE, METRIC_WORDS_BY_LANGUAGE, SPAN_WORDS_BY_LANGUAGE
from handlers.common import SORRY, UNREACHABLE, apology
from handlers.languages import LANGUAGE_WORDS
from jobs.runner import run_due
from tests import factories as make
from tests.catalogs import PSEUDO_CODE, pseudo_lang
from tests.conftest import Bot
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
        row = session.get(State, "IA")
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
        row = session.get(State, "WV")
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


# ---------------------------------------------------------------- the scheduled posts and the App Home


def stand_in_for_shift_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shift's card inside a post or the tab, and its Claim button, are drawn by the shifts
    module (`bot.blocks.shifts`), which is converted on its own: stood in for here by the
    shift's number, so what is checked is what the posts and the tab write around them."""
    monkeypatch.setattr(digests, "shift_text", lambda shift, lang, notes=False: f"#{shift.id}")
    monkeypatch.setattr(
        digests,
        "shift_claim_button",
        lambda shift, surface, lang: button("→", act.CLAIM, act.button_value(shift.id, surface)),
    )
    monkeypatch.setattr(home_blocks, "shift_text", lambda shift, lang: f"#{shift.id}")
    monkeypatch.setattr(home_blocks, "signup_text", lambda signup, lang: f"#{signup.shift.id}")


SCHEDULED_DMS = (
    DeliveryKind.DAY_BEFORE,
    DeliveryKind.REMINDER,
    DeliveryKind.AT_RISK,
    DeliveryKind.FOLLOW_UP,
    DeliveryKind.WEEKLY,
)


def chicago(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)


def busy_week(bot: Bot, reader: str, name: str = "Ñåɱé") -> int:
    """Iowa's week with something for every post: goals, a three-day streak, first shifts and
    step-ups to cheer, a dozen shifts tomorrow still short of people, no-shows, and a shift of
    `reader`'s, whom it makes an Iowa coordinator (the weekly digest and the leads' call for
    cover reach them too). Returns that shift (Wednesday 10:00, five places, one taken)."""
    bot.slack.add_person(reader, name)
    with bot.deps.session() as session:
        make.coordinator(session, reader, "IA", bot.clock())
        make.volunteer(session, reader, bot.clock(), name=name)
        session.execute(sa.text(f"UPDATE volunteer SET home_state = 'IA' WHERE id = '{reader}'"))
    for metric in ("doors", "calls", "convos"):
        bot.command("/turnout", f"goal IA 1000000 {metric} daily", user="UCOORD")
    for day in (20, 21, 22):
        bot.clock.now = chicago(f"2026-11-{day}T12:00")
        bot.command("/log", "2000 doors 2000 calls 2000 convos", user=reader, channel="CIOWA")
    with bot.deps.session() as session:
        for n in range(14):  # a first shift each, yesterday: welcomed in the evening post
            user = f"UFIRST{n}"
            done = make.shift(session, chicago("2026-11-20T12:00"), day=date(2026, 11, 21))
            make.signup(session, done, user, bot.clock(), SignupStatus.ATTENDED)
            engagement.refresh(session, volunteer_id=user, state="IA", now=bot.clock())
        for n in range(12):
            make.shift(session, bot.clock(), day=date(2026, 11, 24), start=time(9 + n % 8))
        mine = make.shift(session, bot.clock(), day=date(2026, 11, 25), capacity=5, host=reader)
        make.signup(session, mine, reader, bot.clock())
        missed = make.shift(session, bot.clock(), day=date(2026, 11, 26), capacity=20)
        for n in range(17):
            make.signup(session, missed, f"UMISS{n}", bot.clock(), SignupStatus.NO_SHOW)
            session.execute(
                sa.text("UPDATE volunteer SET display_name = :name WHERE id = :id"),
                {"name": f"{name[:100]} {'Ž' * (n + 1)}", "id": f"UMISS{n}"},
            )
    return mine


def run_the_week(bot: Bot) -> None:
    for at in (
        "2026-11-22T20:00",  # evening
        "2026-11-23T09:00",  # morning
        "2026-11-24T11:00",  # the day before Wednesday's shift
        "2026-11-25T08:00",  # two hours before it: a reminder, and the call for cover
    ):
        bot.clock.now = chicago(at)
        run_due(bot.deps, bot.client, bot.clock())


def after_the_week(bot: Bot) -> None:
    for at in ("2026-11-25T14:00", "2026-11-30T08:00"):  # after the shift; the weekly digest
        bot.clock.now = chicago(at)
        run_due(bot.deps, bot.client, bot.clock())


def test_every_post_and_the_home_tab_come_through_the_catalog(
    bot: Bot, reader: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Iowa's channel and READER read the pseudo-language: every post in the channel, every DM
    and chart title READER gets, `/turnout schedule` and `digest` with their mistakes, and the
    App Home tab come through the catalog."""
    stand_in_for_shift_cards(monkeypatch)
    monkeypatch.setattr(states, "LANGUAGES", (*states.LANGUAGES, PSEUDO_CODE))
    with bot.deps.session() as session:
        session.execute(sa.text(f"UPDATE state SET language = '{PSEUDO_CODE}' WHERE code = 'IA'"))
    mine = busy_week(bot, READER, name="Ĵöŕĝé")
    run_the_week(bot)
    (risk,) = [m for m in bot.slack.posts_in("CIOWA") if f"#{mine}" in m.text]
    bot.click(risk, act.CLAIM, user="UCOVER")  # redrawn: one more place taken
    bot.cancel_shift(mine)  # redrawn: no cover needed any more
    after_the_week(bot)
    with bot.deps.read_session() as session:
        # The DMs the schedule sent READER (others, about the shift's claims and its cancellation,
        # are the shifts' and hosts' modules').
        scheduled = set(
            session.exec(
                select(Delivery.message_ts).where(
                    Delivery.target == READER, col(Delivery.kind).in_(SCHEDULED_DMS)
                )
            ).all()
        )
    dms = [m for m in bot.slack.dms_to(READER) if m.ts in scheduled]
    seen: list[tuple[str, str]] = []
    for where, messages in (("channel", bot.slack.posts_in("CIOWA")), ("dm", dms)):
        for message in messages:
            seen += [(where, t) for t in [message.text, *texts(message.blocks)]]
    seen += [("upload", u["title"]) for u in bot.slack.uploads if u["channel"] == f"D{READER}"]
    for text in (
        "schedule IA",
        "schedule IA morning 08:30",
        "schedule IA reminders 08:00",
        "schedule IA lunch 08:00",
        "schedule IA morning 25:00",
        "schedule",
        "schedule Narnia",
        "digest IA",
        "digest IA evening",
        "digest IA noon",
        "digest",
    ):
        exchange = bot.command("/turnout", text, user=READER, channel="CIOWA")
        assert exchange.replies, text
        seen += [(f"/turnout {text}", t) for r in exchange.replies for t in [r.text, *texts(r.blocks)]]
    bot.driver.event({"type": "app_home_opened", "user": READER, "tab": "home", "channel": f"D{READER}"})
    seen += [("home", t) for t in texts(bot.slack.home_views[READER])]
    stale = {"blocks": [actions(button("x", act.HOME_CONFIRM, "not-a-shift"))]}
    bot.driver.click_view(stale, act.HOME_CONFIRM, user=READER)
    seen += [("home-stale", t) for t in texts(bot.slack.home_views[READER])]
    kinds = {"channel", "dm", "upload", "home", "home-stale"}
    assert kinds <= {where for where, _ in seen} and len(seen) > 100
    # What may stay as typed: the names of the posts (`/turnout schedule IA morning 08:30`) and
    # the state's time zone as the zone database names it.
    typed = " ".join([*(str(job) for job in Job), "America/Chicago"])
    leftovers = [
        (where, word, shown) for where, shown in seen for word in english_left(shown, f"{where} {typed}")
    ]
    assert leftovers == [], "\n".join(map(str, leftovers))


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=lambda lang: lang.code)
def test_the_posts_and_the_home_tab_fit_slack_in_every_language(bot: Bot, lang: Lang) -> None:
    """The busiest posts, DMs and tab, with long names, in both languages: the stand-in judges
    every message and view against Slack's limits (the `slack` fixture fails the test otherwise)."""
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        row = session.get(State, "IA")
        assert row is not None
        row.channel_id, row.language = "CIOWA", lang.code
        session.add(row)
        make.volunteer(session, READER, bot.clock())
        session.execute(sa.text(f"UPDATE volunteer SET language = '{lang.code}' WHERE id = '{READER}'"))
    mine = busy_week(bot, READER, name="N" * 120)
    run_the_week(bot)
    after_the_week(bot)
    bot.driver.event({"type": "app_home_opened", "user": READER, "tab": "home", "channel": f"D{READER}"})
    check_view(bot.slack.home_views[READER])
    for text in ("schedule IA", "digest IA evening"):
        for reply in bot.command("/turnout", text, user=READER, channel="CIOWA").replies:
            assert check_message(reply.text, reply.blocks, require_text=True) == []
    posts = bot.slack.posts_in("CIOWA")
    assert any(f"#{mine}" in m.text for m in posts) and len(posts) >= 3
    assert len(bot.slack.dms_to(READER)) >= 4 and bot.slack.uploads
