"""Nothing a person reads bypasses the catalog, and everything fits Slack in every language.

Scoped to what is translated so far: `/log` (typed, its form, `undo`, `help` and every mistake),
`/stats`, `/leaderboard` and `/turnout language`; the setup and ladder subcommands of `/turnout`
with the held-claim notice, Accept and the trusted host's news; with the refusals and apologies
they can give.
The README's "Languages" lists the modules still to convert; as each is converted, its commands
join `BATTERY` here. The battery runs as a person who reads a pseudo-language (tests/catalogs.py):
every catalog message in it has its letters swapped and its dates and numbers are written with
Russian CLDR data, so any plain ASCII word left in a reply was written around the catalog. What
may stay ASCII: the words people type (metric, day and language words, command names, which
SPEC §10 keeps in English), state codes, time zone abbreviations, Slack's emoji codes and
mentions, and what the person typed themselves."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot import i18n
from bot.blocks import actions as act
from bot.blocks.help import SUBCOMMAND_HELP
from bot.blocks.shifts import build_cancel_confirmation, build_shift_form, build_shift_post
from bot.i18n import ENGLISH, SPANISH, Lang
from bot.localslack.limits import check_message, check_view
from bot.localslack.reading import buttons
from bot.models import ShiftKind, SignupStatus, State
from bot.services import engagement, states
from bot.services.places import PLACES
from bot.services.roles import Actor
from bot.services.shifts import cancel_shift, get_shift
from bot.slack.delivery import post_new_shift
from bot.vocabulary import DAY_WORDS_BY_LANGUAGE, METRIC_WORDS_BY_LANGUAGE, SPAN_WORDS_BY_LANGUAGE
from handlers.common import SORRY, UNREACHABLE, apology
from handlers.languages import LANGUAGE_WORDS
from tests import factories as make
from tests.catalogs import PSEUDO_CODE, pseudo_lang
from tests.conftest import Bot
from tests.handlers.forging import log_values, press, submit

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
    leftovers = [(where, word, text) for where, text in seen for word in english_left(text)]
    assert leftovers == [], "\n".join(map(str, leftovers))
    assert len(seen) > 40


def test_shift_form_and_cancel_confirmation_come_through_the_catalog(bot: Bot) -> None:
    lang = pseudo_lang()
    form = build_shift_form(["IA", "NH"], bot.clock().date(), lang)
    assert [w for t in texts(form) for w in english_left(t)] == []
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock())
        make.signup(session, shift_id, "UVOL1", bot.clock())
        actor = Actor("UCOORD", False)
        preview = cancel_shift(session, actor=actor, shift_id=shift_id, now=bot.clock(), dry_run=True)
        assert get_shift(session, shift_id).held == 1
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
        post = build_shift_post(get_shift(session, long_one), lang)
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
        row = session.get(State, "IA")
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
    ]
    admin = [
        *("help", "state IA <#CIOWA|iowa>", "state IA <#CIOWA|iowa> Mars/Base", "state NH <#CIOWA|iowa>"),
        *("state NH <#CNH|new-hampshire> America/Chicago", "state", "coordinator <@UVOL3> NH"),
        *("coordinator <@UVOL3> NH", "coordinator remove <@UVOL3> NH", "coordinator remove <@UVOL3> NH"),
        *("coordinator <@UVOL3>", "leads IA <#CRANDOM|random>", "state NH <#CRANDOM|random>"),
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
    told = [m for m in bot.slack.dms_to("UVOL1") if "#" + str(coordinating) in m.text]
    assert told
    seen += [("accepted DM", m.text) for m in told]
    # The trusted host's news, in @ana's language.
    bot.command("/turnout", "host <@UVOL1> IA", user=READER, channel="CIOWA")
    read("trusted DM", *[m for m in bot.slack.dms_to("UVOL1") if m not in told])
    for upload in bot.slack.uploads:
        seen += [("export", str(upload.get("initial_comment") or "")), ("export", str(upload.get("title")))]
    typed = {word.lower() for word in SETUP_WORDS}
    leftovers = [
        (where, word, shown)
        for where, shown in seen
        for word in english_left(shown, where)
        if word.lower() not in typed
    ]
    assert leftovers == [], "\n".join(map(str, leftovers))
    assert len(seen) > 150


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
            engagement.note_signup(session, volunteer_id=f"UN{n:02d}", state="IA", now=bot.clock())
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
