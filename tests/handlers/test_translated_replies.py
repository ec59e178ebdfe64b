"""Nothing a person reads bypasses the catalog, and everything fits Slack in every language.

What it covers: `/log` (typed, its form, `undo`, `help` and every mistake),
`/stats`, `/leaderboard` and `/turnout language`, with the refusals and apologies they can give;
the scheduled posts and DMs, `/turnout schedule` and `digest`, and the App Home tab; the shift
tools and hosting; the setup and ladder subcommands of `/turnout` with the held-claim notice,
Accept (on the notice and on the roster) and the trusted host's news.
Every `/turnout NAME help` and the schedule's and shift tools' role refusals are in it too.
The battery runs as a person who reads a pseudo-language (tests/catalogs.py):
every catalog message in it has its letters swapped and its dates and numbers are written with
Russian CLDR data, so any plain ASCII word left in a reply was written around the catalog. What
may stay ASCII: the words people type (metric, day and language words, command names, which
SPEC §10 keeps in English), state codes, time zone abbreviations, Slack's emoji codes and
mentions, and what the person typed themselves."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot import i18n
from bot.blocks import actions as act
from bot.blocks.common import actions, button
from bot.blocks.help import SUBCOMMAND_HELP
from bot.blocks.shifts import build_cancel_confirmation, build_shift_form, build_shift_post
from bot.i18n import ENGLISH, SPANISH, Lang
from bot.localslack.limits import check_message, check_view
from bot.localslack.reading import buttons
from bot.models import Delivery, DeliveryKind, ShiftKind, SignupStatus, State
from bot.services import engagement, states
from bot.services.members import Member
from bot.services.places import PLACES
from bot.services.roles import Actor
from bot.services.schedule import Job
from bot.services.shifts import cancel_shift, get_shift
from bot.slack.delivery import post_new_shift
from bot.vocabulary import DAY_WORDS_BY_LANGUAGE, METRIC_WORDS_BY_LANGUAGE, SPAN_WORDS_BY_LANGUAGE
from handlers.common import SORRY, UNREACHABLE, apology
from handlers.languages import LANGUAGE_WORDS
from jobs.runner import run_due
from tests import factories as make
from tests.catalogs import PSEUDO_CODE, pseudo_lang
from tests.conftest import Bot
from tests.factories import TEAM
from tests.handlers.forging import (
    edit_form,
    edit_values,
    log_values,
    press,
    shift_form,
    shift_values,
    submit,
)

READER = "UREADER"
EMOJI = re.compile(r":[a-z0-9_+\-]+:")
SLACK_MARKUP = re.compile(r"<[@#!][^>]*>")
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
TYPED_WORDS = {
    *(w for words in METRIC_WORDS_BY_LANGUAGE.values() for spelled in words.values() for w in spelled),
    *(w for words in DAY_WORDS_BY_LANGUAGE.values() for w in words),
    *(w for words in SPAN_WORDS_BY_LANGUAGE.values() for w in words),
    *LANGUAGE_WORDS,
    *("log", "stats", "leaderboard", "turnout", "shifts", "me", "claim", "unclaim", "myshifts"),
    *(kind.value for kind in ShiftKind),  # the kinds as people type them (a form's hint)
}
KEPT = {*PLACES, "CST", "CDT"}
# The kinds of shift as people type them: kept in English in every language (SPEC §10).
KIND_WORDS = {"canvass", "phonebank", "textbank", "event", "training"}
LOCATION = "Des Moines HQ, 123 Main St"  # the factories' shifts' location, as a coordinator typed it


def chose(values: dict[str, Any], shift: str) -> dict[str, Any]:
    """Form values with `shift` picked in the form's shift menu."""
    return {**values, "shift": {"shift": {"type": "static_select", "selected_option": {"value": shift}}}}


def english_left(text: str, typed: str = "") -> list[str]:
    """The ASCII words in `text` that are neither typed words nor what the person typed."""
    text = text.replace(LOCATION, " ")
    for token in sorted(typed.split(), key=len, reverse=True):
        text = text.replace(token, " ")
    text = SLACK_MARKUP.sub(" ", EMOJI.sub(" ", text))
    words = ASCII_WORD.findall(text)
    return [w for w in words if w not in KEPT and w.lower() not in TYPED_WORDS]


def assert_through_catalog(
    seen: list[tuple[str, str]],
    *,
    least: int = 0,
    typed: str = "",
    allowed: Collection[str] = (),
    where_typed: bool = True,
) -> None:
    """Every (where, text) `seen` came through the catalog: no plain English word is left in it
    but what was typed (`where`, when it is the command typed, and `typed`) or is `allowed`;
    and more than `least` texts were seen."""
    allow = {word.lower() for word in allowed}
    leftovers = [
        (where, word, shown)
        for where, shown in seen
        for word in english_left(shown, f"{where if where_typed else ''} {typed}")
        if word.lower() not in allow
    ]
    assert leftovers == [], "\n".join(map(str, leftovers))
    assert len(seen) > least


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
        session.execute(sa.text(f"UPDATE organization SET name = 'Ørğàñíẑàçíøñ' WHERE team_id = '{TEAM}'"))
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
        *(
            ("/shifts", text, "CIOWA")
            for text in (
                "",
                "help",
                "IA",
                "IA tomorrow canvass",
                "semana phonebank",
                "NH",
                "US",
                "IA 2026-11-25",
                "2030-01-01",
                "2026-02-30",
                "banana",
                "IA IA",
            )
        ),
        ("/shifts", "", "CRANDOM"),
        *(
            ("/claim", text, "CIOWA")
            for text in ("help", "", "1 2", "abc", "999", str(others), str(ahead), str(started))
        ),
        *(
            ("/unclaim", text, "CIOWA")
            for text in ("help", "", "999", str(started), str(others), str(ahead), str(ahead))
        ),
        ("/claim", str(ahead), "CIOWA"),
        *(("/myshifts", text, "CIOWA") for text in ("", "help", "x")),
        *(("/turnout", text, "CIOWA") for text in ("org", "org help")),
        # The coalition's numbers, with something logged to rank.
        ("/log", "7 doors", "CIOWA"),
        *(("/stats", text, "CIOWA") for text in ("coalition", "coalición")),
        *(
            ("/leaderboard", text, "CIOWA")
            for text in ("orgs", "orgs IA today", "orgs all", "orgs NH", "orgs sideways", "orgs help")
        ),
        *(
            ("/turnout", text, "CIOWA")
            for text in ("campaign", "campaign help", "campaign goal 5 doors", "campaign frobnicate")
        ),
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
    assert_through_catalog(seen, least=100)


def shown(where: str, message: Any) -> list[tuple[str, str]]:
    return [(where, t) for t in [message.text, *texts(message.blocks)]]


def test_shift_posts_buttons_and_dms_come_through_the_catalog(
    bot: Bot, reader: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The channel post (in the state's language) and its redraws, a click's private answer,
    the waitlist, the promotion DM and its buttons, paging, the release cutoff and the training
    gate with its Claim buttons: all in the reader's language."""
    _started, _ahead, _others = reader
    bot.slack.add_person(READER, "jorge")  # to be sent a DM
    monkeypatch.setattr(states, "LANGUAGES", i18n.LANGUAGES)  # a state may speak the pseudo-language too
    with bot.deps.session() as session:
        session.execute(sa.text(f"UPDATE state SET language = '{PSEUDO_CODE}' WHERE code = 'IA'"))
        full = make.shift(session, bot.clock(), days_ahead=4, capacity=1, host="UCOORD")
        soon = make.shift(session, bot.clock(), days_ahead=0, start=time(11))
        make.signup(session, soon, READER, bot.clock())
        for day in range(5, 17):  # enough for a second page of /myshifts
            make.signup(session, make.shift(session, bot.clock(), days_ahead=day), READER, bot.clock())
        gated = make.shift(session, bot.clock(), days_ahead=3, kind=ShiftKind.PHONEBANK)
        make.shift(session, bot.clock(), days_ahead=1, kind=ShiftKind.TRAINING)
    bot.command("/turnout", "require IA phonebank training", user="UCOORD")
    posted = post_new_shift(bot.deps, bot.client, full)
    assert posted is not None and posted.posted
    seen: list[tuple[str, str]] = []
    post = next(m for m in bot.slack.posts_in("CIOWA") if f"#{full}" in m.text)
    seen += shown("post", post)
    bot.command("/claim", str(full), user="UVOL1")  # the last place: the post is redrawn full
    seen += shown("post, full", post)
    assert [b["action_id"] for b in buttons(post)] == [act.JOIN_WAITLIST]
    joined = bot.click(post, act.JOIN_WAITLIST, user=READER)
    seen += [("join", t) for reply in joined.replies for t in [reply.text, *texts(reply.blocks)]]
    released = bot.command("/unclaim", str(full), user="UVOL1")
    assert "You're off shift" in released.text  # UVOL1 reads English
    seen += shown("post, after", post)
    dm = bot.slack.dms_to(READER)[-1]
    seen += shown("promoted DM", dm)
    confirmed = bot.click(dm, act.CONFIRM, user=READER)
    seen += shown("confirm", confirmed.reply)
    let_go = bot.click(confirmed.reply, act.RELEASE, user=READER)
    seen += shown("release", let_go.reply)
    too_late = bot.command("/unclaim", str(soon), user=READER, channel="CIOWA")
    seen += shown("/unclaim within the cutoff", too_late.reply)
    untrained = bot.command("/claim", str(gated), user=READER, channel="CIOWA").reply
    assert [b["action_id"] for b in buttons(untrained)] == [act.CLAIM]  # the training's
    seen += shown("/claim untrained", untrained)
    mine = bot.command("/myshifts", user=READER, channel="CIOWA").reply
    seen += shown("/myshifts", mine)
    following = next(b for b in buttons(mine) if b["action_id"] == act.MYSHIFTS_PAGE)
    page_two = bot.click(mine, act.MYSHIFTS_PAGE, user=READER, value=following["value"])
    seen += shown("/myshifts page 2", page_two.reply)
    listing = bot.command("/shifts", "IA week", user=READER, channel="CIOWA").reply
    claim = next(b for b in buttons(listing) if b["action_id"] == act.CLAIM)
    clicked = bot.click(listing, act.CLAIM, user=READER, value=claim["value"])
    seen += shown("/shifts claim", clicked.reply)
    for action_id in (act.CLAIM, act.RELEASE, act.MYSHIFTS_PAGE, act.SHIFTS_PAGE):
        stale = press(bot, action_id, "nonsense", user=READER, channel="CIOWA")
        assert stale.replies, action_id
        seen += [("stale", t) for reply in stale.replies for t in [reply.text, *texts(reply.blocks)]]
    assert_through_catalog(seen, least=40, where_typed=False)


def test_shift_form_and_cancel_confirmation_come_through_the_catalog(bot: Bot) -> None:
    lang = pseudo_lang()
    form = build_shift_form(["IA", "NH"], bot.clock().date(), lang)
    assert [w for t in texts(form) for w in english_left(t)] == []
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock())
        make.signup(session, shift_id, "UVOL1", bot.clock())
        actor = Actor(TEAM, "UCOORD", False)
        preview = cancel_shift(session, actor=actor, shift_id=shift_id, now=bot.clock(), dry_run=True)
        assert get_shift(session, shift_id, team_id=TEAM).held == 1
    asked = build_cancel_confirmation(preview, "the <venue> closed", lang)
    words = [
        w for t in [asked.text, *texts(asked.blocks)] for w in english_left(t, "the &lt;venue&gt; closed")
    ]
    assert words == []


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
        ("/shifts", "WV"),
        ("/shifts", "west virginia week canvass"),
        ("/shifts", "help"),
        ("/shifts", "2099-01-01"),
        ("/myshifts", ""),
        ("/claim", "help"),
        ("/unclaim", str(shift_ids[0])),
    ]:
        exchange = bot.command(command, text, user=READER, channel="CWV")
        for reply in exchange.replies:
            assert check_message(reply.text, reply.blocks, require_text=True) == []
    check_view(build_shift_form(sorted(PLACES), bot.clock().date(), lang))
    with bot.deps.session() as session:
        long_one = make.shift(session, bot.clock(), state="WV", location="L" * 300, host="UCOORD")
        session.execute(
            sa.text(f"UPDATE shift SET notes = '{'N' * 1000}', capacity = 500 WHERE id = {long_one}")
        )
        post = build_shift_post(get_shift(session, long_one, team_id=TEAM), lang)
    assert check_message(post.text, post.blocks, require_text=True) == []
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
    # The coalition's line in every morning post.
    bot.command("/turnout", "campaign goal 1400000 supporters by 2026-12-03", user="UADMIN")
    for day in (20, 21, 22):
        bot.clock.now = chicago(f"2026-11-{day}T12:00")
        bot.command("/log", "2000 doors 2000 calls 2000 convos", user=reader, channel="CIOWA")
    with bot.deps.session() as session:
        for n in range(14):  # a first shift each, yesterday: welcomed in the evening post
            user = f"UFIRST{n}"
            done = make.shift(session, chicago("2026-11-20T12:00"), day=date(2026, 11, 21))
            make.signup(session, done, user, bot.clock(), SignupStatus.ATTENDED)
            engagement.refresh(session, who=Member(TEAM, user), state="IA", now=bot.clock())
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
        run_due(bot.deps, bot.clock())


def after_the_week(bot: Bot) -> None:
    for at in ("2026-11-25T14:00", "2026-11-30T08:00"):  # after the shift; the weekly digest
        bot.clock.now = chicago(at)
        run_due(bot.deps, bot.clock())


def test_every_post_and_the_home_tab_come_through_the_catalog(
    bot: Bot, reader: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Iowa's channel and READER read the pseudo-language: every post in the channel, every DM
    and chart title READER gets, `/turnout schedule` and `digest` with their mistakes, and the
    App Home tab come through the catalog."""
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
        "schedule NH",  # refused: READER doesn't coordinate New Hampshire
        "schedule NH morning 08:30",
        "digest NH",
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
    assert_through_catalog(seen, typed=typed)


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=lambda lang: lang.code)
def test_the_posts_and_the_home_tab_fit_slack_in_every_language(bot: Bot, lang: Lang) -> None:
    """The busiest posts, DMs and tab, with long names, in both languages: the stand-in judges
    every message and view against Slack's limits (the `slack` fixture fails the test otherwise)."""
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        row = session.get(State, (TEAM, "IA"))
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


# ---------------------------------------------------------------- shift tools and hosting


@pytest.fixture
def editor(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """READER reads the pseudo-language and coordinates IA, with a shift two people hold, a
    weekly series, and a shift hosted by someone else in WV (which READER does not run)."""
    for user_id in (
        READER,
        "UCOORD2",
        "UCOORD3",
        "UHOST",
        "UANA",
        "UBEN",
        "UVOL1",
        "UVOL2",
        "UVOL3",
        "UVOL4",
    ):
        bot.slack.add_person(user_id, user_id.lower()[1:])
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, PSEUDO_CODE))
    monkeypatch.setattr(i18n, "_LANGS", {**i18n._LANGS, PSEUDO_CODE: pseudo_lang()})
    with bot.deps.session() as session:
        make.coordinator(session, READER, "IA", bot.clock())
        make.coordinator(session, "UCOORD2", "WV", bot.clock())
        session.execute(sa.text(f"UPDATE volunteer SET language = '{PSEUDO_CODE}' WHERE id = '{READER}'"))
        held = make.shift(session, bot.clock(), days_ahead=6, capacity=3)
        make.volunteer(session, "UANA", bot.clock(), name="Åñá")  # names people chose are shown as they are
        make.volunteer(session, "UBEN", bot.clock(), name="Ɓéñ")
        make.signup(session, held, "UANA", bot.clock())
        make.signup(session, held, "UBEN", bot.clock())
        series = make.shift(session, bot.clock(), days_ahead=4)
        make.volunteer(session, "UHOST", bot.clock())
        hosted = make.shift(session, bot.clock(), state="WV", days_ahead=3, host="UHOST")
    bot.command("/turnout", f"shift repeat {series} weekly 2", user=READER)
    return {"held": held, "series": series, "hosted": hosted}


def editing_battery(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(command, text): `shift`, `roster`, `proposals` and `/host`, each answer and mistake that
    is drawn by the modules converted so far."""
    held, series, hosted = ids["held"], ids["series"], ids["hosted"]
    shift_texts = [
        "shift",
        "shift frobnicate",
        "shift add help",
        "shift add IA",
        "shift add IA 2026-11-28",
        "shift add IA 2026-11-28 10:00-13:00 canvass",
        "shift add IA 2026-13-45 10:00-13:00 canvass 5 HQ",
        "shift add IA 2026-11-28 25:00-26:00 canvass 5 HQ",
        "shift add IA 2026-11-28 13:00-10:00 canvass 5 HQ",
        "shift add IA 2026-11-28 1000-1300 canvass 5 HQ",
        "shift add IA 2026-11-28 10:00-13:00 dance 5 HQ",
        "shift add IA 2026-11-28 10:00-13:00 canvass lots HQ",
        "shift add IA 2026-11-28 10:00-13:00 canvass 5000 HQ",
        f"shift add IA 2026-11-28 10:00-13:00 canvass 5 {'x' * 400}",
        "shift add IA 2031-01-01 10:00-13:00 canvass 5 HQ",
        "shift edit",
        "shift edit abc",
        "shift edit 999",
        f"shift edit {held} colour red",
        f"shift edit {held} capacity",
        f"shift edit {held} capacity 3 capacity 4",
        f"shift edit {held} capacity 0",
        f"shift edit {held} capacity 1",
        f"shift edit {held} time 10:00",
        f"shift edit {held} date 2031-01-01",
        f"shift edit {hosted} capacity 4",
        "shift repeat",
        f"shift repeat {held}",
        f"shift repeat {held} weekly lots",
        f"shift repeat {held} weekly 99",
        f"shift repeat {held} until 2026-13-01",
        f"shift repeat {held} until 2026-11-29",
        f"shift repeat {hosted} weekly 2",
        "shift cancel",
        f"shift cancel {held} series",
        f"shift cancel {series} series the office &lt;moved&gt;",
        f"shift cancel {hosted} series",
        f"shift cancel {held} {'why ' * 100}",
        f"shift cancel {hosted}",
        "shift add WV 2026-11-28 10:00-13:00 canvass 5 HQ",
    ]
    roster_texts = [
        "roster",
        "roster abc",
        f"roster {held} add",
        f"roster {held} add ana",
        f"roster {held} add {' '.join(f'<@U{n:04d}>' for n in range(11))}",
        f"roster {hosted} add <@UANA>",
        f"roster {hosted}",  # refused: READER doesn't run WV's shifts
    ]
    return [
        *(("/turnout", text) for text in shift_texts),
        *(("/turnout", text) for text in roster_texts),
        *(("/turnout", text) for text in ("proposals", "proposals IA", "proposals IA NH", "proposals WV")),
        *(
            ("/host", text)
            for text in ("help", "IA", "IA 2026-11-28 10:00-13:00 dance 5 HQ", "IA 2026-11-28")
        ),
    ]


def test_shift_tools_and_hosting_come_through_the_catalog(bot: Bot, editor: dict[str, int]) -> None:
    seen: list[tuple[str, str]] = []
    for command, text in editing_battery(editor):
        exchange = bot.command(command, text, user=READER, channel="CIOWA")
        assert exchange.replies, (command, text)
        for reply in exchange.replies:
            seen += [(f"{command} {text}", t) for t in [reply.text, *texts(reply.blocks)]]
    # The forms' mistakes, shown beside their fields.
    held = editor["held"]
    edit = {**edit_form(str(held), "VPSEUDOED"), "id": "VPSEUDOED"}
    for values in (
        edit_values(
            date="2026-13-45", start="10:00", end="09:00", capacity="x", location="", notes="n" * 2000
        ),
        edit_values(date="2026-11-28", start="10:00", end="13:00", capacity="1", location="HQ"),
        edit_values(
            date="2026-11-28", start="10:00", end="13:00", capacity="3", location="HQ", repeat_weeks="99"
        ),
        edit_values(
            date="2026-11-28",
            start="10:00",
            end="13:00",
            capacity="3",
            location="HQ",
            repeat_weeks="2",
            repeat_until="2026-12-20",
        ),
        edit_values(
            date="2026-11-28",
            start="10:00",
            end="13:00",
            capacity="3",
            location="HQ",
            repeat_until="2026-11-30",
        ),
    ):
        answer = submit(bot, edit, values, user=READER)
        seen += [("edit form", t) for t in texts(answer.ack)]
    stale = {**edit_form("not-a-shift", "VPSEUDOE2"), "id": "VPSEUDOE2"}
    answer = submit(
        bot,
        stale,
        edit_values(date="2026-11-28", start="10:00", end="13:00", capacity="3", location="HQ"),
        user=READER,
    )
    seen += [("edit form", t) for t in texts(answer.ack)]
    for form_view in (shift_form("VPSEUDOSH"), {**shift_form("VPSEUDOHO"), "callback_id": act.HOST_FORM}):
        for values in (
            shift_values(state="NH", kind="dance", capacity="x", location="", day="2026-13-45"),
            shift_values(day="2031-01-01"),
        ):
            answer = submit(bot, form_view, values, user=READER)
            seen += [("shift form", t) for t in texts(answer.ack)]
    # The weekly series' confirmation and its Cancel button.
    asked = bot.command("/turnout", f"shift cancel {editor['series']} series", user=READER, channel="CIOWA")
    done = bot.click(asked.reply, act.CANCEL_SERIES, user=READER)
    seen += [("cancel series click", t) for t in [done.reply.text, *texts(done.reply.blocks)]]
    # DMs in READER's language: made a trusted host, then no longer; news of their hosted shift.
    bot.command("/turnout", "coordinator <@UCOORD3> NH", user="UADMIN")
    bot.command("/turnout", f"host <@{READER}> NH", user="UCOORD3")
    bot.command("/turnout", f"host remove <@{READER}> NH", user="UCOORD3")
    with bot.deps.session() as session:
        mine = make.shift(session, bot.clock(), state="NH", days_ahead=5, capacity=1, host=READER)
    bot.command("/claim", str(mine), user="UVOL1")
    bot.command("/claim", str(mine), user="UVOL2")
    bot.command("/unclaim", str(mine), user="UVOL2")
    bot.command("/unclaim", str(mine), user="UVOL1")
    bot.command("/turnout", f"roster {mine} add <@UVOL3> <@UVOL4>", user="UCOORD3")
    dms = bot.slack.dms_to(READER)
    assert len(dms) >= 6, [m.text for m in dms]
    for message in dms:
        seen += [("DM", t) for t in [message.text, *texts(message.blocks)]]
    assert_through_catalog(seen, least=100, allowed=KIND_WORDS)


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=lambda lang: lang.code)
def test_shift_tools_and_hosting_fit_slack_in_every_language(bot: Bot, lang: Lang) -> None:
    """The longest answers of the shift tools and hosting (a 26-week series cancelled with the
    longest reason, ten people added at once, a full page of proposals, the forms) still fit
    Slack in both languages."""
    name = "N" * 80
    people = [f"UP{n:03d}" for n in range(10)]
    for user_id in (READER, *people, "UHOST"):
        bot.slack.add_person(user_id, name)
    with bot.deps.session() as session:
        make.coordinator(session, READER, "WV", bot.clock())
        for user_id in (READER, *people):
            make.volunteer(session, user_id, bot.clock(), name=name)
        session.execute(sa.text(f"UPDATE volunteer SET language = '{lang.code}' WHERE id = '{READER}'"))
        first = make.shift(session, bot.clock(), state="WV", days_ahead=1, capacity=1, location="L" * 300)
        hosts = [f"UH{n:03d}" for n in range(12)]
        for host in hosts:
            make.volunteer(session, host, bot.clock(), name=name)
    bot.command("/turnout", f"shift repeat {first} weekly 26", user=READER, channel="CWV")
    for n, host in enumerate(hosts):
        bot.slack.add_person(host, name)
        bot.command("/host", f"WV 2026-12-{n + 1:02d} 10:00-13:00 canvass 8 {'P' * 300}", user=host)
    replies = [
        bot.command("/turnout", f"shift cancel {first} series {'r' * 300}", user=READER, channel="CWV"),
        bot.command("/turnout", f"roster {first} add {' '.join(f'<@{u}>' for u in people)}", user=READER),
        bot.command("/turnout", f"roster {first}", user=READER),
        bot.command("/turnout", "proposals WV", user=READER),
        bot.command("/turnout", f"shift edit {first} capacity 11 location {'Q' * 300}", user=READER),
        bot.command("/host", "help", user=READER),
    ]
    for exchange in replies:
        assert exchange.replies
        for reply in exchange.replies:
            assert check_message(reply.text, reply.blocks, require_text=True) == []
    assert len(buttons(replies[3].reply)) >= 20  # a full page of proposals, each with Approve / Decline
    assert len(replies[1].reply.blocks) > 10  # the roster with everyone added
    for opened in (
        bot.command("/turnout", f"shift edit {first + 1}", user=READER).view,
        bot.command("/host", "", user=READER).view,
        bot.command("/turnout", "shift add", user=READER).view,
    ):
        assert opened is not None
        check_view(opened)
    done = bot.click(replies[0].reply, act.CANCEL_SERIES, user=READER)
    assert check_message(done.reply.text, done.reply.blocks, require_text=True) == []
    assert len(done.reply.text) > 20


def test_shift_tools_whole_answers_come_through_the_catalog(bot: Bot, editor: dict[str, int]) -> None:
    """What the shift tools and hosting answer when they succeed, with each shift described:
    a shift added, edited, repeated and cancelled, a roster, proposals and their decisions, and
    what everyone involved is told, each in READER's pseudo-language."""
    held = editor["held"]
    seen: list[tuple[str, str]] = []

    def keep(where: str, exchange: Any) -> None:
        for reply in exchange.replies:
            seen.extend((where, t) for t in [reply.text, *texts(reply.blocks)])
        if exchange.view is not None:
            seen.extend((f"{where} (form)", t) for t in texts(exchange.view))

    for text in (
        "shift add IA 2026-11-28 10:00-13:00 canvass 5 HQ",
        "shift add IA 2026-11-28 10:00-13:00 canvass 5 HQ",
        "shift add",
        f"shift edit {held}",
        f"shift edit {held} time 11:00-14:00 capacity 4 location Ámés",
        f"shift edit {held} capacity 4",
        f"shift repeat {held} weekly 2",
        f"roster {held}",
        f"roster {held} add <@UVOL1> <@UANA>",
    ):
        keep(f"/turnout {text}", bot.command("/turnout", text, user=READER, channel="CIOWA"))
    asked = bot.command("/turnout", f"shift cancel {held} ŕáíñ", user=READER, channel="CIOWA")
    keep("shift cancel", asked)
    keep("cancel click", bot.click(asked.reply, act.CANCEL_SHIFT, user=READER))
    keep("shift cancel again", bot.command("/turnout", f"shift cancel {held}", user=READER, channel="CIOWA"))
    # Proposals for READER to decide, hosted by others; READER's own proposal, decided by another.
    for n, host in enumerate(("UVOL1", "UVOL2")):
        bot.command(
            "/host", f"IA 2026-11-2{n + 7} 10:00-13:00 canvass 5 Ṕöŕçĥ {n}", user=host, channel="CIOWA"
        )
    page = bot.command("/turnout", "proposals IA", user=READER, channel="CIOWA")
    keep("proposals", page)
    keep("approve", bot.click(page.reply, act.APPROVE, user=READER))
    keep(
        "host",
        bot.command("/host", "WV 2026-11-28 10:00-13:00 canvass 5 Ṕöŕçĥ", user=READER, channel="CIOWA"),
    )
    keep(
        "host again",
        bot.command("/host", "WV 2026-11-28 10:00-13:00 canvass 5 Ṕöŕçĥ", user=READER, channel="CIOWA"),
    )
    for copy_ in bot.slack.dms_to("UCOORD2"):
        if any(b.get("action_id") == act.APPROVE for b in buttons(copy_)):
            bot.click(copy_, act.APPROVE, user="UCOORD2")
    for message in bot.slack.dms_to(READER):
        seen.extend(("DM", t) for t in [message.text, *texts(message.blocks)])
    # EST: WV's zone, as the zone database writes it.
    assert_through_catalog(seen, least=100, allowed={*KIND_WORDS, "EST"})


# ---------------------------------------------------------------- setting up and the ladder

SETUP_WORDS = {
    # What people type in these commands, kept in every language (SPEC §10).
    *("new", "ready", "lapsed", "hosts", "noshows", "training", "none", "off", "daily", "remove"),
    *("canvass", "phonebank", "textbank", "event", "help", "frobnicate", "narnia", "bogus", "maybe"),
    *("notaperson", "nobody", "notachannel", "nochannel", "abc", "flyers", "notadate", "iowa", "random"),
    *("Mars", "Base", "America", "Chicago"),
    # Command and subcommand names, as help writes them.
    *("claim", "unclaim", "myshifts", "host", "undo", "shift", "add", "edit", "repeat", "weekly", "roster"),
    *("user", "id", "language"),
}


@pytest.fixture
def coordinating(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> int:
    """READER coordinates Iowa and hosts a shift there; READER, the admin and @ana read the
    pseudo-language. Returns READER's shift."""
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, PSEUDO_CODE))
    monkeypatch.setattr(i18n, "_LANGS", {**i18n._LANGS, PSEUDO_CODE: pseudo_lang()})
    bot.slack.add_person(READER, "reader")
    with bot.deps.session() as session:
        make.coordinator(session, READER, "IA", bot.clock())
        make.volunteer(session, "UADMIN", bot.clock())
        make.volunteer(session, "UVOL1", bot.clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
        session.add(row)
        hosted = make.shift(session, bot.clock(), days_ahead=3, host=READER)
        for user in (READER, "UADMIN", "UVOL1"):
            session.execute(sa.text(f"UPDATE volunteer SET language = '{PSEUDO_CODE}' WHERE id = '{user}'"))
        for days in (20, 10):  # @ana missed two shifts lately
            missed = make.shift(session, bot.clock(), days_ahead=-days)
            make.signup(session, missed, "UVOL1", bot.clock(), status=SignupStatus.NO_SHOW)
    return hosted


def setup_battery(bot: Bot) -> list[tuple[str, str]]:
    """(user, `/turnout` text): every setup and ladder subcommand, each answer and mistake."""
    soon = (bot.clock().date() + timedelta(days=3)).isoformat()
    mine = [
        *("help", "", "frobnicate", "home IA", "home narnia", "home", "home help", "goal help"),
        *("cutoff IA 1.5", "cutoff IA 1", "cutoff IA 0", "cutoff IA 2", "cutoff IA abc", "cutoff IA 100"),
        *("cutoff NH 3", "cutoff help", "cutoff"),
        *("host <@UVOL2> IA", "host <@UVOL2> IA", "host remove <@UVOL2> IA", "host remove <@UVOL2> IA"),
        *("host @nobody IA", "host <@UNOPE> IA", "host notaperson IA", "host <@UVOL2> NH", "host"),
        *("leads IA", "leads IA <#CRANDOM|random>", "leads IA", "leads IA off", "leads IA #nochannel"),
        *("leads IA <#CIOWA|iowa>", "leads IA notachannel", "leads"),
        *("people IA", "people IA new", "people IA ready", "people IA lapsed", "people IA hosts"),
        *("people IA noshows", "people IA bogus", "people", "people NH"),
        *("require IA", "require IA canvass training", "require IA canvass training"),
        *(
            "require IA phonebank training",
            "require IA",
            "require IA canvass none",
            "require IA canvass none",
        ),
        *("require IA training training", "require IA bogus training", "require IA canvass maybe", "require"),
        *("trained <@UVOL2> IA", "trained <@UVOL2> IA", "trained <@UVOL2>", "trained <@UVOL2> NH"),
        *("noshow IA", "noshow IA 1", "noshow IA off", "noshow IA 99", "noshow NH", "noshow IA 2"),
        *("goal IA 50 doors", "goal IA 50 doors daily", f"goal IA 1234 puertas {soon}", "goal IA abc doors"),
        *("goal IA 50 flyers", "goal IA 50 doors 2020-01-01", "goal IA 50 doors notadate", "goal NH 5 doors"),
        *("goal", "export IA", f"export IA {soon} 2026-11-01", "export IA notadate", "export NH", "export"),
        *("state IA <#CIOWA|iowa>", "coordinator <@UVOL3> IA"),
        *("share 1", "share 1", "share 999", "share abc", "share", "roster 1"),  # READER's hosted shift
        *(f"{name} help" for name in SUBCOMMAND_HELP),  # every `/turnout NAME help`
    ]
    admin = [
        *("help", "state IA <#CIOWA|iowa>", "state IA <#CIOWA|iowa> Mars/Base", "state NH <#CIOWA|iowa>"),
        *("state NH <#CNH|new-hampshire> America/Chicago", "state", "coordinator <@UVOL3> NH"),
        *("coordinator <@UVOL3> NH", "coordinator remove <@UVOL3> NH", "coordinator remove <@UVOL3> NH"),
        *("coordinator <@UVOL3>", "leads IA <#CRANDOM|random>", "state NH <#CRANDOM|random>"),
        *("campaign", "campaign goal 1400000 supporters by 2026-12-03", "campaign", "campaign goal 0 doors"),
        *("campaign goal 5 flyers", "campaign goal 5 doors by 2020-01-01", "campaign goal 5"),
        *("campaign goal 5 doors notadate", "campaign goal 5 doors"),
    ]
    return [*((READER, text) for text in mine), *(("UADMIN", text) for text in admin)]


def test_every_setup_and_ladder_reply_comes_through_the_catalog(bot: Bot, coordinating: int) -> None:
    seen: list[tuple[str, str]] = []

    def read(where: str, *messages: Any) -> None:
        for message in messages:
            seen.extend((where, t) for t in [message.text, *texts(message.blocks)])

    for user, text in setup_battery(bot):
        exchange = bot.command("/turnout", text, user=user, channel="CIOWA")
        assert exchange.replies, text
        read(text, *exchange.replies)
    # The People buttons, page by page.
    overview = bot.command("/turnout", "people IA", user=READER, channel="CIOWA").reply
    read("people click", bot.click(overview, act.PEOPLE_SEGMENT, user=READER, value="people:IA:new").reply)
    # A held claim: its notice to the host (whose shift description is the shifts module's), the
    # host's Accept, and @ana's news (its headline: the card beneath is the shifts module's).
    bot.command("/claim", str(coordinating), user="UVOL1")
    (notice,) = bot.slack.dms_to(READER)
    seen += [("held notice", t) for t in [notice.text, *texts([notice.blocks[0], *notice.blocks[2:]])]]
    stale = copy.deepcopy(notice)
    read("accept", bot.click(notice, act.ACCEPT, user=READER).reply)
    read("accept again", bot.click(stale, act.ACCEPT, user=READER).reply)
    # A held claim accepted from the roster, which is redrawn in the reader's language.
    with bot.deps.session() as session:
        later = make.shift(session, bot.clock(), days_ahead=4, host=READER)
    bot.command("/claim", str(later), user="UVOL1")
    shown_roster = bot.command("/turnout", f"roster {later}", user=READER, channel="CIOWA").reply
    read("roster accept", bot.click(shown_roster, act.ACCEPT, user=READER).reply)
    told = [m for m in bot.slack.dms_to("UVOL1") if "#" + str(coordinating) in m.text]
    assert told
    seen += [("accepted DM", m.text) for m in told]
    # The trusted host's news, in @ana's language.
    bot.command("/turnout", "host <@UVOL1> IA", user=READER, channel="CIOWA")
    read("trusted DM", *[m for m in bot.slack.dms_to("UVOL1") if m not in told])
    for upload in bot.slack.uploads:
        seen += [("export", str(upload.get("initial_comment") or "")), ("export", str(upload.get("title")))]
    assert_through_catalog(seen, least=150, allowed=SETUP_WORDS)


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=lambda lang: lang.code)
def test_setup_and_ladder_replies_fit_slack_in_every_language(bot: Bot, lang: Lang) -> None:
    """The longest setup and ladder answers, as an admin reads them: every help, a full page of
    people, every kind needing a training, a leads route naming many coordinators."""
    with bot.deps.session() as session:
        make.volunteer(session, "UADMIN", bot.clock())
        session.execute(sa.text(f"UPDATE volunteer SET language = '{lang.code}' WHERE id = 'UADMIN'"))
        for n in range(12):
            make.coordinator(session, f"UCOORDINATOR{n:02d}", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock(), capacity=40)
        for n in range(25):
            make.signup(session, shift_id, f"UN{n:02d}", bot.clock())
            engagement.note_signup(session, who=Member(TEAM, f"UN{n:02d}"), state="IA", now=bot.clock())
    texts_ = [
        "help",
        *(f"{name} help" for name in SUBCOMMAND_HELP),
        "people IA",
        "people IA new",
        *(f"require IA {kind} training" for kind in ("canvass", "phonebank", "textbank", "event")),
        "require IA",
        "noshow IA 10",
        "cutoff IA 1.5",
        "leads IA",
        "goal IA 100000 supporters daily",
        f"goal IA 1 doors {'9' * 400}",
        "frobnicate " + "x" * 3000,
    ]
    for text in texts_:
        exchange = bot.command("/turnout", text, user="UADMIN", channel="CIOWA")
        assert exchange.replies, text
        for reply in exchange.replies:
            assert check_message(reply.text, reply.blocks, require_text=True) == [], text
    page = bot.command("/turnout", "people IA new", user="UADMIN", channel="CIOWA").reply
    following = bot.click(page, act.PEOPLE_PAGE, user="UADMIN")
    assert check_message(following.reply.text, following.reply.blocks, require_text=True) == []
    if lang is SPANISH:
        assert "Personas 11–20 de 25" in following.text
