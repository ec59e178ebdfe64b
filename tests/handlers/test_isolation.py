"""The isolation matrix: in a coalition, a person of one workspace (A, Sunrise) can neither see nor
change another's (B, Make the Road) private data through any command, button, form or event.

B is set up through its own people's requests: a bound state with its leads channel, a coordinator,
a trusted host, rules, a goal, a schedule, an unshared shift with its channel post and two signups,
a series, a pending `/host` proposal, contact logs, an export, and every message, form and App Home
tab those produce. Then A's admin and A's volunteer act against all of it: typing B's ids, pressing
copies of B's buttons (B's ids in the values, the payload saying team A), submitting B's forms'
private_metadata, mentioning B's people and channels. Each row asserts:

1. nothing A was told (replies, acks, forms, DMs, App Home, uploads) names anything of B's;
2. every row of B (every table, `WHERE team_id = B`), and every row anywhere that points at B's
   shifts, is as it was;
3. no message, upload or App Home tab in B's workspace was posted or changed;
4. no Slack call used A's token on B's channels or people (the stand-in refuses and records those),
   beyond asking Slack about a person or channel A's person named (Slack answers "not found");
5. B's ids are answered exactly as ids that exist nowhere (`ghost`): no existence oracle.

`ROWS` has one row per slash command, `/turnout` subcommand, action id, view callback id and event
Turnout listens for; `test_every_listener_has_a_row` fails when a new one has none. A row can name
`scope="shared"` for data B shares with the coalition (shared shifts), which A may then see.
"""

from __future__ import annotations

import importlib
import itertools
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import handlers
from bot.blocks import actions as act
from bot.blocks.contacts import LOG_FORM
from bot.localslack.driver import Exchange
from bot.localslack.reading import buttons
from bot.localslack.signing import signed_headers
from bot.localslack.webapi import TEAM_ID, Message
from bot.services.schedule import Job
from bot.slack.installations import NOT_INSTALLED
from bot.workpool import WorkPool
from jobs.runner import run_job
from tests.conftest import MTR, SIGNING_SECRET, SUNRISE, Bot, Coalition

# A's people: its admin and a volunteer. B's: its admin, a coordinator, a trusted host and a
# volunteer whose name, email and porch appear nowhere outside B.
A_ADMIN, A_VOLUNTEER = "USUNSAM", "USUNANA"
B_ADMIN, B_COORD, B_HOST, B_VOLUNTEER = "UMTRMAX", "UMTREVA", "UMTRFLO", "UMTRZED"
A_CHANNEL, B_CHANNEL, B_LEADS = "CSUNIA", "CMTRIA", "CMTRLEADS"
B_SECRETS = (
    "Zedekiah",
    "Quillfeather",
    "mtr-secret",
    "t0mtr.example.org",
    "UMTR",
    "CMTR",
    "Casa Secreta",
    "Porche Escondido",
    "Make the Road",
    "Lorem Mtr",
)
# B's people's names, and B's numbers (its volunteer's doors, its state's goal), as whole words.
B_NUMBERS = re.compile(r"\b(987|7,?777)\b")
B_NAMES = re.compile(r"\b(Max|Eva|Flo|max|eva|flo|zed)\b")
# The calls that show something to a person (the others ask Slack, with ids A's person typed).
SHOWING = {
    "chat.postMessage",
    "chat.postEphemeral",
    "chat.update",
    "views.open",
    "views.update",
    "views.push",
    "views.publish",
    "files.completeUploadExternal",
}
# What Slack answers `user_not_found` / `channel_not_found` to, when A's person names B's.
LOOKUPS = {"users.info", "conversations.info"}
TEAM_TABLES = [t for t in SQLModel.metadata.sorted_tables if "team_id" in t.c]
SHIFT_TABLES = [t for t in SQLModel.metadata.sorted_tables if "shift_id" in t.c]


@dataclass
class World:
    """The coalition with B's private objects in place, and the surfaces B's people were shown."""

    coalition: Coalition
    shift: int = 0  # B's unshared shift, with Zed's and Flo's signups
    series: int = 0  # the first of a weekly series of B's
    proposal: int = 0  # Zed's pending `/host` proposal (a shift in PROPOSED)
    signup: int = 0  # Zed's signup on `shift`
    messages: dict[str, Message] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Copies of B's messages made for A's person (as drawn when made), and what they last typed.
    copies: dict[int, str] = field(default_factory=dict)
    typed: str = ""
    # In `ghost`'s copy: B's ids, each standing for an id no row has.
    aliases: dict[int, int] = field(default_factory=dict)

    @property
    def bot(self) -> Bot:
        return self.coalition.bot


def mention(user: str) -> str:
    return f"<@{user}>"


def channel(channel_id: str, name: str) -> str:
    return f"<#{channel_id}|{name}>"


def run(bot: Bot, user: str, command: str, text: str = "", *, where: str) -> Exchange:
    exchange = bot.driver.command(command, text, user=user, channel=where)
    assert exchange.status == 200, exchange.body
    return exchange


def b_said(bot: Bot, user: str, command: str, text: str = "", *, where: str = B_CHANNEL) -> Exchange:
    """A request of B's people, which must have worked."""
    exchange = run(bot, user, command, text, where=where)
    told = "\n".join(m.text for m in exchange.replies) + exchange.body
    assert "Something went wrong" not in told and "I don't" not in told, (command, text, told)
    return exchange


def newest(bot: Bot, sql: str) -> int:
    with bot.deps.read_session() as session:
        return int(session.execute(sa.text(sql), {"team": MTR}).scalar_one())


@pytest.fixture
def world(coalition: Coalition) -> World:
    bot = coalition.bot
    slack = bot.slack
    slack.add_channel(B_LEADS, "ia-leads", team=MTR)
    slack.add_person(
        B_VOLUNTEER,
        "zed",
        team=MTR,
        real_name="Zedekiah Quillfeather",
        email="zed@mtr-secret.example.org",
    )
    w = World(coalition)
    # A: its own Iowa, a home there and a shift of its own, so A's requests reach past "not set up".
    run(bot, A_ADMIN, "/turnout", f"state IA {channel(A_CHANNEL, 'iowa')}", where=A_CHANNEL)
    run(bot, A_VOLUNTEER, "/turnout", "home IA", where=A_CHANNEL)
    run(
        bot,
        A_ADMIN,
        "/turnout",
        "shift add IA 2026-11-28 10:00-13:00 canvass 5 Sunrise Hall",
        where=A_CHANNEL,
    )

    # B: its state, leads, roles, rules, goal and schedule.
    b_said(bot, B_ADMIN, "/turnout", f"state IA {channel(B_CHANNEL, 'iowa')}")
    b_said(bot, B_ADMIN, "/turnout", f"leads IA {channel(B_LEADS, 'ia-leads')}")
    b_said(bot, B_ADMIN, "/turnout", f"coordinator {mention(B_COORD)} IA")
    b_said(bot, B_ADMIN, "/turnout", f"host {mention(B_HOST)} IA")
    b_said(bot, B_ADMIN, "/turnout", "require IA phonebank training")
    b_said(bot, B_ADMIN, "/turnout", f"trained {mention(B_VOLUNTEER)} IA")
    b_said(bot, B_ADMIN, "/turnout", "noshow IA 2")
    b_said(bot, B_ADMIN, "/turnout", "cutoff IA 2")
    b_said(bot, B_ADMIN, "/turnout", "goal IA 7777 doors daily")
    b_said(bot, B_ADMIN, "/turnout", "schedule IA morning 08:30")
    b_said(bot, B_ADMIN, "/turnout", "org Make the Road Iowa")
    # B's shifts: one with two signups, and a weekly series.
    b_said(bot, B_COORD, "/turnout", "shift add IA 2026-11-27 10:00-13:00 canvass 8 Casa Secreta, Lorem Mtr")
    w.shift = newest(bot, "SELECT max(id) FROM shift WHERE team_id = :team")
    b_said(bot, B_COORD, "/turnout", "shift add IA 2026-11-29 10:00-13:00 canvass 4 Casa Secreta")
    w.series = newest(bot, "SELECT max(id) FROM shift WHERE team_id = :team")
    b_said(bot, B_COORD, "/turnout", f"shift repeat {w.series} weekly 2")
    for person in (B_VOLUNTEER, B_HOST):
        b_said(bot, person, "/turnout", "home IA")
        b_said(bot, person, "/claim", str(w.shift))
    w.signup = newest(bot, f"SELECT id FROM signup WHERE team_id = :team AND volunteer_id = '{B_VOLUNTEER}'")
    b_said(bot, B_VOLUNTEER, "/log", "987 doors 6 convos")
    b_said(bot, B_VOLUNTEER, "/host", "IA 2026-11-30 10:00-13:00 canvass 5 Porche Escondido")
    w.proposal = newest(bot, "SELECT max(id) FROM shift WHERE team_id = :team")
    b_said(bot, B_ADMIN, "/turnout", "export IA 2026-11-01 2026-12-31")
    assert len({w.shift, w.series, w.proposal, w.signup}) == 4  # one alias each in `ghost`

    # What B's people were shown, with their buttons and forms.
    w.messages["post"] = next(
        m
        for m in slack.posts_in(B_CHANNEL)
        if any(b.get("value", "").startswith(f"{w.shift}|") for b in buttons(m))
    )
    w.messages["roster"] = b_said(bot, B_COORD, "/turnout", f"roster {w.shift}").reply
    w.messages["proposals"] = b_said(bot, B_COORD, "/turnout", "proposals IA").reply
    w.messages["people"] = b_said(bot, B_COORD, "/turnout", "people IA").reply
    w.messages["cancel"] = b_said(bot, B_COORD, "/turnout", f"shift cancel {w.shift} rain").reply
    w.messages["cancel_series"] = b_said(
        bot, B_COORD, "/turnout", f"shift cancel {w.series} series rain"
    ).reply
    w.messages["mine"] = b_said(bot, B_VOLUNTEER, "/myshifts").reply
    w.messages["shifts"] = b_said(bot, B_VOLUNTEER, "/shifts", "IA").reply
    for name, user, command, text in (
        ("edit", B_COORD, "/turnout", f"shift edit {w.shift}"),
        ("log", B_VOLUNTEER, "/log", ""),
        ("host", B_VOLUNTEER, "/host", ""),
        ("shift", B_COORD, "/turnout", "shift add"),
    ):
        view = b_said(bot, user, command, text).view
        assert view is not None, name
        w.views[name] = view
    declined = bot.driver.click(w.messages["proposals"], act.DECLINE, user=B_COORD)
    assert declined.view is not None
    w.views["decline"] = declined.view
    bot.driver.event({"type": "app_home_opened", "user": B_VOLUNTEER, "tab": "home", "channel": "DHOME"})
    w.views["home"] = slack.home_views[B_VOLUNTEER]
    return w


# ---------------------------------------------------------------- what B has, and what A was told


def b_rows(bot: Bot) -> dict[str, list[str]]:
    """Every row of B's, and every row anywhere that points at one of B's shifts."""
    shift = SQLModel.metadata.tables["shift"]
    b_shifts = sa.select(shift.c.id).where(shift.c.team_id == MTR)
    rows: dict[str, list[str]] = {}
    with bot.deps.read_session() as session:
        for table in TEAM_TABLES:
            found = session.execute(sa.select(table).where(table.c.team_id == MTR)).all()
            rows[table.name] = sorted(repr(tuple(row)) for row in found)
        for table in SHIFT_TABLES:
            found = session.execute(sa.select(table).where(table.c.shift_id.in_(b_shifts))).all()
            rows[f"{table.name} on B's shifts"] = sorted(repr(tuple(row)) for row in found)
    return rows


def in_b(slack: Any, message: Message) -> bool:
    """Whether B's people see `message`: a reply or ephemeral message is its reader's (A's person
    typing in a channel both workspaces share gets it), anything else is its channel's."""
    if message.ephemeral_to:
        return slack.team_of(message.ephemeral_to) == MTR
    if message.response_token:
        return slack.team_of(message.response_token.split(".")[1]) == MTR
    where = message.channel.removeprefix("D") if message.channel.startswith("D") else message.channel
    return message.team == MTR or (bool(where) and slack.team_of(where) == MTR)


def drawn(message: Message) -> str:
    return json.dumps([message.text, message.blocks, message.deleted, message.edits], sort_keys=True)


def b_messages(bot: Bot, answers_to: frozenset[str] = frozenset()) -> list[str]:
    """Every message, upload and App Home tab in B's workspace, as drawn (but the answers to the
    requests `answers_to`, made with B's people's ids in A's name)."""
    slack = bot.slack
    with slack.lock:
        shown = [
            f"{m.channel} {m.ts} {drawn(m)}"
            for m in slack.messages
            if in_b(slack, m) and m.response_token not in answers_to
        ]
        shown += [json.dumps(u, default=str, sort_keys=True) for u in slack.uploads if in_b_channel(slack, u)]
        shown += [
            f"{user} {json.dumps(view, sort_keys=True)}"
            for user, view in slack.home_views.items()
            if slack.team_of(user) == MTR
        ]
    return shown


def in_b_channel(slack: Any, upload: dict[str, Any]) -> bool:
    where = str(upload.get("channel") or "")
    return bool(where) and slack.team_of(where.removeprefix("D")) == MTR


@dataclass
class Mark:
    """Where the stand-in's records stood before A acted, to tell what A's request produced."""

    calls: int
    uploads: int
    drawn: dict[int, str]


def mark(bot: Bot) -> Mark:
    slack = bot.slack
    with slack.lock:
        return Mark(len(slack.calls), len(slack.uploads), {id(m): drawn(m) for m in slack.messages})


def told_since(w: World, since: Mark, exchange: Exchange) -> str:
    """Everything A's side got from Turnout since `since`: the ack, new or redrawn messages outside B,
    forms and App Home tabs, uploads. The ids of B's people and channels that A's person typed
    are left out: echoing what someone typed tells them nothing."""
    slack = w.bot.slack
    before = {**since.drawn, **w.copies}
    with slack.lock:
        parts = [exchange.body]
        parts += [drawn(m) for m in slack.messages if not in_b(slack, m) and before.get(id(m)) != drawn(m)]
        parts += [
            json.dumps(c.params, default=str)
            for c in slack.calls[since.calls :]
            if c.team != MTR and c.method in SHOWING
        ]
        parts += [json.dumps(u, default=str) for u in slack.uploads[since.uploads :]]
    told = "\n".join(parts)
    for typed in set(re.findall(r"[UC]MTR[A-Z]+", w.typed)):
        told = told.replace(typed, "")
    return told


def assert_told_nothing_of_b(told: str, what: str, *, shared: bool = False) -> None:
    """Nothing of B's in `told`; of what B shared with the coalition (`shared`), its people's
    names may show (a shared shift's roster), never their emails or B's other data."""
    assert "Something went wrong" not in told and "Traceback" not in told, (what, told[:2000])
    for secret in B_SECRETS:
        assert secret.lower() not in told.lower(), (what, secret, told[:3000])
    counted = B_NUMBERS.search(told)
    assert counted is None, (what, counted.group(0) if counted else "", told[:3000])
    named = None if shared else B_NAMES.search(told)
    assert named is None, (what, named.group(0) if named else "", told[:3000])


# ---------------------------------------------------------------- how A reaches for B's things

Attempt = Callable[[World, str], Exchange]


def typed(command: str, text: Callable[[World], str] | str = "", *, where: str = A_CHANNEL) -> Attempt:
    """`command text` typed by the person (text may name B's ids, people and channels)."""

    def attempt(w: World, user: str) -> Exchange:
        words = text(w) if callable(text) else text
        w.typed = words
        return w.bot.driver.command(command, words, user=user, channel=where)

    attempt.__doc__ = f"{command} {text if isinstance(text, str) else '…'} in {where}"
    return names_ids(attempt) if callable(text) else attempt


def names_ids(attempt: Attempt) -> Attempt:
    """Mark `attempt` as naming B's ids: the matrix also makes it with ids no row has, and expects
    the same answer (another workspace's things are no things at all)."""
    attempt.names_ids = True  # type: ignore[attr-defined]
    return attempt


GHOST = 900_000
# A new view id for each form submitted (Slack gives each opened form its own).
VIEW_IDS = itertools.count(1)


def ghost(w: World) -> World:
    """`w` with every id of B's replaced by one that exists nowhere."""
    real = (w.shift, w.series, w.proposal, w.signup)
    fake = tuple(range(GHOST, GHOST + len(real)))
    return replace(
        w,
        shift=fake[0],
        series=fake[1],
        proposal=fake[2],
        signup=fake[3],
        aliases=dict(zip(real, fake, strict=True)),
    )


def aliased(w: World, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`blocks` with the ids in button values replaced by `w.aliases`."""
    copied = json.loads(json.dumps(blocks))
    for block in copied:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            ref, bar, rest = str(element.get("value", "")).partition("|")
            if bar and ref.isdigit() and int(ref) in w.aliases:
                element["value"] = f"{w.aliases[int(ref)]}|{rest}"
    return copied


def answer(exchange: Exchange) -> str:
    """What a request was answered, its numbers left out."""
    view = exchange.view
    shown = [exchange.body, *(m.text for m in exchange.replies), str(view.get("callback_id")) if view else ""]
    return re.sub(r"\d+", "N", "\n".join(shown))


def copy_of(w: World, blocks: list[dict[str, Any]], user: str) -> Message:
    """B's message as A's person might have it: pasted into A's channel, shown only to them."""
    slack = w.bot.slack
    copy = Message(
        A_CHANNEL,
        f"1700000000.{len(slack.messages):06d}",
        "copy",
        json.loads(json.dumps(blocks)),
        ephemeral_to=user,
        team=SUNRISE,
    )
    w.copies[id(copy)] = drawn(copy)
    return slack.store(copy)


def pressed(name: str, action_id: str, value: Callable[[World], str] | None = None) -> Attempt:
    """Press `action_id` on a copy of B's message `name` (B's ids in the button's value)."""

    def attempt(w: World, user: str) -> Exchange:
        copy = copy_of(w, aliased(w, w.messages[name].blocks), user)
        return w.bot.driver.click(copy, action_id, user=user, value=value(w) if value else None)

    return names_ids(attempt)


def forged(action_id: str, value: Callable[[World], str]) -> Attempt:
    """Press `action_id` carrying `value` (B's ids) on a message in A's channel; on the App Home for
    its buttons."""

    def attempt(w: World, user: str) -> Exchange:
        button = {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": action_id}
        blocks = [{"type": "actions", "block_id": "b", "elements": [{**button, "value": value(w)}]}]
        if action_id.startswith("home."):
            return w.bot.driver.click_view(
                {"id": "VHOME", "type": "home", "blocks": blocks}, action_id, user=user
            )
        return w.bot.driver.click(copy_of(w, blocks, user), action_id, user=user)

    return names_ids(attempt)


def home_pressed(action_id: str) -> Attempt:
    """Press `action_id` on a copy of B's volunteer's App Home tab."""

    def attempt(w: World, user: str) -> Exchange:
        view = w.views["home"]
        if not any(b.get("action_id") == action_id for b in buttons(Message("", "", "", view["blocks"]))):
            pytest.skip(f"B's App Home has no {action_id} button")
        return w.bot.driver.click_view({**view, "id": "VHOME"}, action_id, user=user)

    return attempt


def filled(view: dict[str, Any], changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The values of `view`'s inputs as Slack sends them on submit: as drawn, with `changes` by block."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind, change = element["type"], changes.get(block_id)
        if kind == "datepicker":
            value: dict[str, Any] = {"selected_date": change or element.get("initial_date")}
        elif kind == "timepicker":
            value = {"selected_time": change or element.get("initial_time")}
        elif kind in ("static_select", "radio_buttons"):
            option = {"value": change} if change else element.get("initial_option")
            if option is None and element.get("options"):
                option = element["options"][0]
            value = {"selected_option": option}
        elif kind == "checkboxes":
            value = {"selected_options": element.get("initial_options", [])}
        else:
            value = {"value": change if change is not None else element.get("initial_value")}
        values[block_id] = {element["action_id"]: {"type": kind, **value}}
    return values


def submitted(name: str, **changes: Callable[[World], str] | str) -> Attempt:
    """Submit B's form `name` (its private_metadata naming B's shift or channel) as A's person."""

    def attempt(w: World, user: str) -> Exchange:
        view = {**w.views[name], "id": f"V{name.upper()}COPY{next(VIEW_IDS)}"}
        metadata = str(view.get("private_metadata") or "")
        if metadata.isdigit() and int(metadata) in w.aliases:
            view["private_metadata"] = str(w.aliases[int(metadata)])
        wanted = {block: change(w) if callable(change) else change for block, change in changes.items()}
        return w.bot.driver.submit(view, filled(view, wanted), user=user)

    return names_ids(attempt)


def event(kind: str, **fields: Any) -> Attempt:
    def attempt(w: World, user: str) -> Exchange:
        return w.bot.driver.event({"type": kind, "user": user, **fields})

    return attempt


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Row:
    """What A's people try against B's things through one listener (`key`): a slash command
    (`/claim`), a `/turnout` subcommand (`/turnout shift`), an action (`action:shift.claim`), a
    form (`view:shift.form`) or an event (`event:app_home_opened`).

    `scope` is what of B's the row reaches for: "private" (nothing of it may show in A), or
    "shared" (data B shared with the coalition: names and counts may show, emails and B's other
    data may not)."""

    key: str
    attempts: tuple[Attempt, ...]
    scope: str = "private"
    users: tuple[str, ...] = (A_ADMIN, A_VOLUNTEER)


def shift_id(w: World) -> str:
    return str(w.shift)


def rows() -> list[Row]:
    s = shift_id
    b_iowa, b_leads = channel(B_CHANNEL, "iowa"), channel(B_LEADS, "ia-leads")
    return [
        # Slash commands, in A's channel and in B's (a Slack Connect channel both can see).
        Row(
            "/shifts",
            tuple(
                typed("/shifts", t, where=c) for t in ("", "IA", "IA week") for c in (A_CHANNEL, B_CHANNEL)
            ),
        ),
        Row(
            "/claim",
            (
                *tuple(
                    typed("/claim", t) for t in (s, lambda w: str(w.proposal), lambda w: str(w.series + 1))
                ),
                typed("/claim", s, where=B_CHANNEL),
            ),
        ),
        Row("/unclaim", tuple(typed("/unclaim", t) for t in (s, lambda w: str(w.series)))),
        Row("/myshifts", (typed("/myshifts"), typed("/myshifts", where=B_CHANNEL))),
        Row(
            "/log",
            (
                typed("/log", lambda w: f"5 doors for {w.shift}"),
                typed("/log", "3 calls"),
                typed("/log", "undo"),
                typed("/log"),
                typed("/log", "2 doors", where=B_CHANNEL),
            ),
        ),
        Row(
            "/stats",
            (
                *tuple(typed("/stats", t, where=c) for t in ("", "me", "IA") for c in (A_CHANNEL, B_CHANNEL)),
                typed("/stats", mention(B_VOLUNTEER)),
            ),
        ),
        Row(
            "/leaderboard",
            tuple(
                typed("/leaderboard", t, where=c)
                for t in ("", "IA all", "IA week")
                for c in (A_CHANNEL, B_CHANNEL)
            ),
        ),
        Row("/host", (typed("/host", "IA 2026-12-01 10:00-13:00 canvass 5 Sunrise porch"), typed("/host"))),
        # `/turnout` and its subcommands.
        Row("/turnout", (typed("/turnout"), typed("/turnout", lambda w: f"nonsense {w.shift}"))),
        Row("/turnout help", (typed("/turnout", "help"), typed("/turnout", "help shift"))),
        Row("/turnout home", (typed("/turnout", "home IA"), typed("/turnout", "home", where=B_CHANNEL))),
        Row(
            "/turnout state",
            (
                typed("/turnout", f"state IA {b_iowa}"),
                typed("/turnout", f"state NH {b_leads}"),
                typed("/turnout", "state IA"),
            ),
        ),
        Row(
            "/turnout coordinator",
            (
                typed("/turnout", f"coordinator {mention(B_COORD)} IA"),
                typed("/turnout", f"coordinator remove {mention(B_COORD)} IA"),
                typed("/turnout", f"coordinator {mention(B_VOLUNTEER)} IA"),
            ),
        ),
        Row("/turnout cutoff", (typed("/turnout", "cutoff IA 5"), typed("/turnout", "cutoff IA"))),
        Row(
            "/turnout host",
            (
                typed("/turnout", f"host {mention(B_VOLUNTEER)} IA"),
                typed("/turnout", f"host remove {mention(B_HOST)} IA"),
            ),
        ),
        Row(
            "/turnout leads",
            (
                typed("/turnout", f"leads IA {b_leads}"),
                typed("/turnout", "leads IA"),
                typed("/turnout", "leads IA off"),
            ),
        ),
        Row(
            "/turnout shift",
            (
                typed("/turnout", lambda w: f"shift edit {w.shift} capacity 1 location Here"),
                typed("/turnout", lambda w: f"shift edit {w.shift}"),
                typed("/turnout", lambda w: f"shift edit {w.proposal} capacity 9"),
                typed("/turnout", lambda w: f"shift repeat {w.shift} weekly 2"),
                typed("/turnout", lambda w: f"shift cancel {w.shift} rain"),
                typed("/turnout", lambda w: f"shift cancel {w.series} series rain"),
            ),
        ),
        Row(
            "/turnout roster",
            (
                typed("/turnout", lambda w: f"roster {w.shift}"),
                typed("/turnout", lambda w: f"roster {w.proposal}"),
                typed("/turnout", lambda w: f"roster {w.shift} add {mention(A_VOLUNTEER)}"),
                typed("/turnout", f"roster 1 add {mention(B_VOLUNTEER)}"),
            ),
        ),
        Row(
            "/turnout share",
            tuple(
                typed("/turnout", lambda w, f=f: f"share {f(w)}")
                for f in (shift_id, lambda w: w.proposal, lambda w: w.series)
            ),
        ),
        Row("/turnout goal", (typed("/turnout", "goal IA 100 doors daily"), typed("/turnout", "goal IA"))),
        Row(
            "/turnout export",
            (typed("/turnout", "export IA 2026-11-01 2026-12-31"), typed("/turnout", "export IA")),
        ),
        Row(
            "/turnout schedule",
            (typed("/turnout", "schedule IA"), typed("/turnout", "schedule IA morning 07:00")),
        ),
        Row("/turnout digest", (typed("/turnout", "digest IA"), typed("/turnout", "digest IA evening"))),
        Row("/turnout proposals", (typed("/turnout", "proposals"), typed("/turnout", "proposals IA"))),
        Row(
            "/turnout people",
            tuple(
                typed("/turnout", f"people IA {segment}".strip())
                for segment in ("", "new", "ready", "lapsed", "hosts", "noshows")
            ),
        ),
        Row(
            "/turnout require",
            (typed("/turnout", "require IA"), typed("/turnout", "require IA canvass training")),
        ),
        Row(
            "/turnout trained",
            (
                typed("/turnout", f"trained {mention(B_VOLUNTEER)} IA"),
                typed("/turnout", f"trained {mention(B_HOST)} IA"),
            ),
        ),
        Row("/turnout noshow", (typed("/turnout", "noshow IA"), typed("/turnout", "noshow IA off"))),
        Row("/turnout language", (typed("/turnout", "language IA es"), typed("/turnout", "language es"))),
        Row("/turnout org", (typed("/turnout", "org"), typed("/turnout", "org Renamed By Sunrise"))),
        Row(
            "/turnout campaign",
            (typed("/turnout", "campaign"), typed("/turnout", "campaign goal 5000 doors")),
        ),
        # Buttons: copies of B's messages, and values naming B's shifts and signups.
        Row(
            f"action:{act.CLAIM}",
            (pressed("post", act.CLAIM), forged(act.CLAIM, lambda w: f"{w.proposal}|card")),
        ),
        Row(f"action:{act.JOIN_WAITLIST}", (forged(act.JOIN_WAITLIST, lambda w: f"{w.shift}|post"),)),
        Row(f"action:{act.CONFIRM}", (pressed("mine", act.CONFIRM), pressed("shifts", act.CONFIRM))),
        Row(f"action:{act.RELEASE}", (pressed("mine", act.RELEASE), pressed("shifts", act.RELEASE))),
        Row(f"action:{act.ATTENDED}", (forged(act.ATTENDED, lambda w: f"{w.signup}|roster"),)),
        Row(f"action:{act.NO_SHOW}", (forged(act.NO_SHOW, lambda w: f"{w.signup}|roster"),)),
        Row(f"action:{act.REMOVE}", (pressed("roster", act.REMOVE, lambda w: f"{w.signup}|roster"),)),
        Row(f"action:{act.ACCEPT}", (forged(act.ACCEPT, lambda w: f"{w.signup}|card"),)),
        Row(f"action:{act.LOG_FOR_SHIFT}", (forged(act.LOG_FOR_SHIFT, shift_id),)),
        Row(f"action:{act.CANCEL_SHIFT}", (pressed("cancel", act.CANCEL_SHIFT),)),
        Row(f"action:{act.CANCEL_SERIES}", (pressed("cancel_series", act.CANCEL_SERIES),)),
        Row(f"action:{act.APPROVE}", (pressed("proposals", act.APPROVE),)),
        Row(f"action:{act.DECLINE}", (pressed("proposals", act.DECLINE),)),
        *(
            Row(f"action:{page}", (forged(page, value),))
            for family, value in (
                (act.SHIFTS_PAGE, lambda w: "list:IA * *@10"),
                (act.MYSHIFTS_PAGE, lambda w: "mine@10"),
                (act.ROSTER_PAGE, lambda w: f"{w.shift}|roster@10"),
                (act.PEOPLE_PAGE, lambda w: "people:IA:new@10"),
                (act.PROPOSALS_PAGE, lambda w: "proposals:IA@10"),
            )
            for page in (family, act.page_action(family, act.PREVIOUS))
        ),
        Row(
            f"action:{act.PEOPLE_SEGMENT}",
            (
                pressed("people", act.PEOPLE_SEGMENT, lambda w: "people:IA:new"),
                pressed("people", act.PEOPLE_SEGMENT, lambda w: "people:IA:hosts"),
            ),
        ),
        Row(
            f"action:{act.HOME_CLAIM}",
            (forged(act.HOME_CLAIM, shift_id), forged(act.HOME_CLAIM, lambda w: str(w.proposal))),
        ),
        Row(
            f"action:{act.HOME_CONFIRM}", (forged(act.HOME_CONFIRM, shift_id), home_pressed(act.HOME_CONFIRM))
        ),
        Row(
            f"action:{act.HOME_RELEASE}", (forged(act.HOME_RELEASE, shift_id), home_pressed(act.HOME_RELEASE))
        ),
        Row(f"action:{act.HOME_LOG}", (forged(act.HOME_LOG, shift_id),)),
        Row(f"action:{act.HOME_FIND}", (forged(act.HOME_FIND, lambda w: "IA"),)),
        # Forms: B's, submitted by A's people (private_metadata naming B's shift, proposal or channel).
        Row(f"view:{LOG_FORM}", (submitted("log", doors="4"), submitted("log", doors="4", shift=shift_id))),
        Row(f"view:{act.SHIFT_FORM}", (submitted("shift"),)),
        Row(f"view:{act.EDIT_FORM}", (submitted("edit", capacity="1"),)),
        Row(f"view:{act.HOST_FORM}", (submitted("host", location="Sunrise porch"),)),
        Row(f"view:{act.DECLINE_FORM}", (submitted("decline", reason="no"),)),
        # Events from A's workspace.
        Row("event:app_home_opened", (event("app_home_opened", tab="home", channel="DHOME"),)),
        Row(
            "event:app_uninstalled",
            (lambda w, user: w.bot.driver.event({"type": "app_uninstalled"}, team=SUNRISE),),
            users=(A_ADMIN,),
        ),
        Row(
            "event:tokens_revoked",
            (
                lambda w, user: w.bot.driver.event(
                    {"type": "tokens_revoked", "tokens": {"bot": []}}, team=SUNRISE
                ),
            ),
            users=(A_ADMIN,),
        ),
    ]


ROWS = rows()


# The rows in four parts, each on one set-up of B's world (each row still takes its own snapshot
# of B before it starts): the set-up is most of a row's cost. The events come last, since
# `app_uninstalled` ends A's installation.
PARTS = {
    "slash commands": [r for r in ROWS if r.key.startswith("/") and not r.key.startswith("/turnout")],
    "/turnout": [r for r in ROWS if r.key.startswith("/turnout")],
    "buttons": [r for r in ROWS if r.key.startswith("action:")],
    "forms and events": [r for r in ROWS if r.key.startswith(("view:", "event:"))],
}


@pytest.mark.slack_refusals
@pytest.mark.parametrize("part", list(PARTS))
def test_a_person_of_one_workspace_neither_sees_nor_changes_anothers(world: World, part: str) -> None:
    for row in PARTS[part]:
        try_row(world, row)


def try_row(world: World, row: Row) -> None:
    bot = world.bot
    rows_before, messages_before = b_rows(bot), b_messages(bot)
    for user in row.users:
        for n, attempt in enumerate(row.attempts):
            since = mark(bot)
            world.typed = ""
            exchange = attempt(world, user)
            what = f"{row.key} #{n} by {user}"
            assert exchange.status == 200, (what, exchange.status, exchange.body)
            told = told_since(world, since, exchange)
            assert_told_nothing_of_b(told, what, shared=row.scope == "shared")
            assert b_rows(bot) == rows_before, what
            assert b_messages(bot) == messages_before, what
            refused = [r for r in bot.slack.refusals if r.method not in LOOKUPS]
            assert refused == [], (what, refused)
            if getattr(attempt, "names_ids", False):
                missing = attempt(ghost(world), user)
                assert answer(exchange) == answer(missing), (
                    f"{what}: B's ids are answered unlike missing ones"
                )


def test_the_parts_hold_every_row_once() -> None:
    assert sorted(r.key for part in PARTS.values() for r in part) == sorted(r.key for r in ROWS)


# ---------------------------------------------------------------- the matrix is complete


class Listeners:
    """Stands in for Bolt's App while `handlers.register` attaches listeners: records their keys."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.listener_runner = SimpleNamespace(listener_executor=WorkPool(1))

    def _record(self, key: str) -> Callable[..., None]:
        self.keys.add(key)
        return lambda *args, **kwargs: None

    def command(self, name: str) -> Callable[..., None]:
        return self._record(name)

    def action(self, action_id: str) -> Callable[..., None]:
        return self._record(f"action:{action_id}")

    def view(self, callback_id: str) -> Callable[..., None]:
        return self._record(f"view:{callback_id}")

    def event(self, kind: str) -> Callable[..., None]:
        return self._record(f"event:{kind}")

    def error(self, _handler: Any) -> None:
        return None


def listened_for() -> set[str]:
    """Every slash command, `/turnout` subcommand, action id, view callback id and event that
    Turnout listens for."""
    app = Listeners()
    handlers.register(app, None)  # type: ignore[arg-type]
    subcommands = set()
    for module in pkgutil.iter_modules(handlers.__path__):
        found = getattr(importlib.import_module(f"handlers.{module.name}"), "SUBCOMMANDS", {})
        subcommands |= {f"/turnout {name}" for name in found}
    # Every id `bot.blocks.actions` names, whether a listener is added for it one by one or in a loop.
    ids = {
        value
        for name, value in vars(act).items()
        if name.isupper() and isinstance(value, str) and "." in value
    }
    heard = {key.split(":", 1)[1] for key in app.keys if ":" in key}
    return app.keys | subcommands | {f"action:{i}" for i in ids - heard}


def test_every_listener_has_a_row() -> None:
    keys = {row.key for row in ROWS}
    assert len(keys) == len(ROWS), "two rows for one listener"
    unlisted = listened_for() - keys
    assert not unlisted, f"add a row to the isolation matrix for: {sorted(unlisted)}"
    assert "/turnout shift" in keys and f"action:{act.CLAIM}" in keys and f"view:{LOG_FORM}" in keys


# ---------------------------------------------------------------- requests for the wrong workspace

CHISPA = "T0CHISPA"


def all_rows(bot: Bot) -> dict[str, list[str]]:
    with bot.deps.read_session() as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(sa.select(table)).all())
            for table in SQLModel.metadata.sorted_tables
            if table.name != "slack_oauth_states"
        }


def test_a_workspace_that_never_installed_turnout_is_told_so_and_reaches_nothing(world: World) -> None:
    """Correctly signed requests from a workspace without an installation, naming B's ids."""
    bot, slack = world.bot, world.bot.slack
    slack.add_workspace(CHISPA, "Chispa", "chispa")
    slack.add_person("UCHIANA", "ana", team=CHISPA, is_admin=True)
    slack.add_channel("CCHIIA", "iowa", team=CHISPA)
    rows_before, messages_before = all_rows(bot), b_messages(bot)
    driver = bot.driver
    asked = [
        driver.command("/claim", str(world.shift), user="UCHIANA", channel="CCHIIA"),
        driver.command("/turnout", f"roster {world.shift}", user="UCHIANA", channel="CCHIIA"),
        driver.command("/turnout", f"coordinator {mention(B_COORD)} IA", user="UCHIANA", channel="CCHIIA"),
        driver.click(world.messages["roster"], act.REMOVE, user="UCHIANA", team=CHISPA),
        driver.click(world.messages["post"], act.CLAIM, user="UCHIANA", team=CHISPA),
        driver.submit(
            {**world.views["edit"], "id": "VEDIT"}, filled(world.views["edit"], {}), user="UCHIANA"
        ),
    ]
    for exchange in asked[:3]:
        assert exchange.status == 200 and exchange.text == NOT_INSTALLED, exchange.body
    for exchange in asked[3:]:
        # Bolt answers a click or a form from a workspace it cannot authorize as it answers any.
        assert exchange.status == 200, exchange.body
        assert exchange.replies == [] or exchange.text == NOT_INSTALLED
    driver.event({"type": "app_home_opened", "user": "UCHIANA", "tab": "home", "channel": "D1"})
    assert all_rows(bot) == rows_before
    assert b_messages(bot) == messages_before
    assert slack.calls_to("chat.postMessage", team=CHISPA) == []


def test_a_request_with_a_bad_signature_does_nothing(world: World) -> None:
    """B's own coordinator's roster click and cancel, signed with another secret."""
    bot = world.bot
    rows_before, messages_before = all_rows(bot), b_messages(bot)
    forger = replace(bot.driver, signing_secret="not-the-apps-secret")
    answered = [
        forger.command("/turnout", f"shift cancel {world.shift}", user=B_COORD, channel=B_CHANNEL),
        forger.click(world.messages["roster"], act.REMOVE, user=B_COORD),
        forger.click(world.messages["cancel"], act.CANCEL_SHIFT, user=B_COORD),
        forger.submit(
            {**world.views["edit"], "id": "VEDIT"},
            filled(world.views["edit"], {"capacity": "1"}),
            user=B_COORD,
        ),
    ]
    assert [exchange.status for exchange in answered] == [401] * len(answered)
    assert all_rows(bot) == rows_before
    assert b_messages(bot) == messages_before


@pytest.mark.slack_refusals
def test_a_payload_naming_one_workspace_with_anothers_people_acts_only_in_the_one_it_names(
    world: World,
) -> None:
    """B's people's ids in requests whose payload says team A (as Enterprise Grid sends a person
    who is in both): Turnout acts for a person of A with that id, who has nothing of B's."""
    bot, slack = world.bot, world.bot.slack
    rows_before, messages_before = b_rows(bot), b_messages(bot)
    attempts: list[Callable[[], Exchange]] = [
        lambda: bot.driver.command("/myshifts", user=B_VOLUNTEER, channel=A_CHANNEL, team=SUNRISE),
        lambda: bot.driver.command(
            "/unclaim", str(world.shift), user=B_VOLUNTEER, channel=A_CHANNEL, team=SUNRISE
        ),
        lambda: bot.driver.command("/log", "undo", user=B_VOLUNTEER, channel=A_CHANNEL, team=SUNRISE),
        lambda: bot.driver.command("/stats", "me", user=B_VOLUNTEER, channel=A_CHANNEL, team=SUNRISE),
        lambda: bot.driver.command(
            "/turnout", f"roster {world.shift}", user=B_COORD, channel=A_CHANNEL, team=SUNRISE
        ),
        lambda: bot.driver.command("/turnout", "proposals IA", user=B_COORD, channel=A_CHANNEL, team=SUNRISE),
        lambda: bot.driver.command("/turnout", "people IA", user=B_ADMIN, channel=A_CHANNEL, team=SUNRISE),
        lambda: bot.driver.command("/turnout", "cutoff IA 9", user=B_ADMIN, channel=A_CHANNEL, team=SUNRISE),
        lambda: bot.driver.click(world.messages["mine"], act.RELEASE, user=B_VOLUNTEER, team=SUNRISE),
        lambda: bot.driver.click(world.messages["roster"], act.REMOVE, user=B_COORD, team=SUNRISE),
        lambda: bot.driver.click(world.messages["cancel"], act.CANCEL_SHIFT, user=B_COORD, team=SUNRISE),
        lambda: bot.driver.click(world.messages["proposals"], act.APPROVE, user=B_COORD, team=SUNRISE),
        lambda: bot.driver.submit(
            {**world.views["edit"], "id": "VEDIT"},
            filled(world.views["edit"], {"capacity": "1"}),
            user=B_COORD,
            team=SUNRISE,
        ),
    ]
    tokens: set[str] = set()
    for n, attempt in enumerate(attempts):
        exchange = attempt()
        tokens.add(exchange.token)
        assert exchange.status == 200, (n, exchange.body)
        told = "\n".join(m.text + json.dumps(m.blocks) for m in exchange.replies) + exchange.body
        for secret in ("Zedekiah", "Quillfeather", "mtr-secret", "Casa Secreta", "Porche Escondido", "987"):
            assert secret not in told, (n, secret, told)
        assert b_rows(bot) == rows_before, n
        assert b_messages(bot, frozenset(tokens)) == messages_before, n
    with bot.deps.read_session() as session:
        teams = session.execute(
            sa.text("SELECT DISTINCT team_id FROM volunteer WHERE id LIKE 'UMTR%'")
        ).scalars()
        assert set(teams) <= {MTR, SUNRISE}
    assert (
        slack.calls_to("chat.postMessage", team=MTR)[-1:] == slack.calls_to("chat.postMessage", team=MTR)[-1:]
    )


def test_one_workspace_mode_acts_in_its_workspace_whatever_the_payload_says(bot: Bot) -> None:
    """With SLACK_BOT_TOKEN, a payload naming another team (a Slack Connect guest, say) acts only
    in the home workspace: rows are written there, nothing is written for the team it names."""
    bot.slack.add_workspace(MTR, "Make the Road", "mtr")
    admin = bot.driver.command("/turnout", "state IA <#CIOWA|iowa>", user="UADMIN", channel="CIOWA", team=MTR)
    assert "Iowa" in admin.text, admin.text
    homed = bot.driver.command("/turnout", "home IA", user="UVOL1", channel="CIOWA", team=MTR)
    assert "Your home state is now Iowa" in homed.text
    logged = bot.driver.command("/log", "12 doors", user="UVOL1", channel="CIOWA", team=MTR)
    assert "Recorded 12 doors" in logged.text
    with bot.deps.read_session() as session:
        for table in TEAM_TABLES:
            teams = set(session.execute(sa.select(table.c.team_id).distinct()).scalars())
            assert teams <= {TEAM_ID}, (table.name, teams)
        assert session.execute(sa.text("SELECT count(*) FROM contactlog")).scalar_one() == 1


# ---------------------------------------------------------------- scheduled jobs

# B's shift starts 2026-11-27 16:00 UTC (10:00 in Iowa): the evening before, just before it,
# just after it, and the Monday after (the weekly digest), and the set-up's own time.
JOB_TIMES = (
    datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
    datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
    datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
    datetime(2026, 11, 27, 20, 30, tzinfo=UTC),
    datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
)


@pytest.mark.parametrize("job", list(Job))
def test_a_workspaces_jobs_post_nothing_of_anothers(world: World, job: Job) -> None:
    """Each job of A's, run at the times B's shift makes it busy, with A's own shift beside it."""
    bot = world.bot
    run(
        bot,
        A_ADMIN,
        "/turnout",
        "shift add IA 2026-11-27 10:00-13:00 canvass 5 Sunrise Hall",
        where=A_CHANNEL,
    )
    run(
        bot,
        A_VOLUNTEER,
        "/claim",
        str(newest(bot, f"SELECT max(id) FROM shift WHERE team_id = '{SUNRISE}'")),
        where=A_CHANNEL,
    )
    rows_before, messages_before = b_rows(bot), b_messages(bot)
    for at in JOB_TIMES:
        since = mark(bot)
        world.typed = ""
        run_job(bot.deps, job, None, at, team_id=SUNRISE)
        bot.driver.executor.wait_idle() if bot.driver.executor else None
        what = f"{job} at {at:%m-%d %H:%M}"
        told = told_since(world, since, Exchange(200, "", "", bot.slack, "", "", ""))
        assert_told_nothing_of_b(told, what)
        assert b_rows(bot) == rows_before, what
        assert b_messages(bot) == messages_before, what
    assert bot.slack.refusals == []


# ---------------------------------------------------------------- the checks see what they look for


def test_the_checks_catch_bs_data_where_bs_own_people_see_it(world: World) -> None:
    """The same observations, made of B's own people's requests and jobs, find B's data: the
    matrix's silence above is the bot's, not blindness of the checks."""
    bot = world.bot
    for user, command, text in (
        (B_COORD, "/turnout", f"roster {world.shift}"),
        (B_VOLUNTEER, "/shifts", "IA"),
        (B_ADMIN, "/turnout", "export IA 2026-11-01 2026-12-31"),
        (B_VOLUNTEER, "/stats", "me"),
    ):
        since = mark(bot)
        exchange = b_said(bot, user, command, text)
        with bot.slack.lock:
            seen = [drawn(m) for m in bot.slack.messages if since.drawn.get(id(m)) != drawn(m)]
            seen += [json.dumps(u, default=str) for u in bot.slack.uploads[since.uploads :]]
        with pytest.raises(AssertionError):
            assert_told_nothing_of_b("\n".join(seen) + exchange.body, f"{command} {text}")
    rows_before, messages_before = b_rows(bot), b_messages(bot)
    b_said(bot, B_COORD, "/turnout", f"shift edit {world.shift} capacity 9")
    assert b_rows(bot) != rows_before
    assert b_messages(bot) != messages_before  # its channel post was redrawn
    for job in Job:
        before = b_messages(bot)
        for at in JOB_TIMES:
            run_job(bot.deps, job, None, at, team_id=MTR)
        assert b_messages(bot) != before, f"{job} posted nothing in B at the matrix's times"


# ---------------------------------------------------------------- the workspace Bolt authorized


@pytest.mark.slack_refusals
def test_a_form_acts_in_the_workspace_bolt_authorized_it_for(world: World) -> None:
    """A form opened through a Slack Connect channel says where Turnout is installed
    (`view.app_installed_team_id`, here A) apart from the submitter's `team` (here B): Bolt
    authorizes it with A's installation, so it acts in A, where B's shift is no shift."""
    bot = world.bot
    rows_before, messages_before = b_rows(bot), b_messages(bot)
    view = {**world.views["edit"], "id": "VEDITCONNECT", "app_installed_team_id": SUNRISE}
    exchange = bot.driver.submit(view, filled(view, {"capacity": "1"}), user=B_COORD)
    assert exchange.status == 200
    # Answered as a form's refusals are, by DM (which the stand-in, knowing Eva only in B, refuses).
    (answer,) = bot.slack.calls_to("chat.postMessage")[-1:]
    assert answer.team == SUNRISE and "There is no shift #" in str(answer.params.get("text")), answer
    assert_told_nothing_of_b(exchange.body, "the form's ack")
    assert b_rows(bot) == rows_before
    assert b_messages(bot) == messages_before
    refused = [r for r in bot.slack.refusals if r.method not in LOOKUPS]
    assert [r.detail.split()[0] for r in refused] == [f"D{B_COORD}"], refused


@pytest.mark.slack_refusals
def test_an_event_acts_in_the_workspace_bolt_authorized_it_for(world: World) -> None:
    """An event from a shared channel names the workspace it happened in (`team_id`, here B) and
    the installation it is delivered to (`authorizations`, here A's): Bolt authorizes it with A's,
    so it acts in A and writes nothing in B."""
    bot = world.bot
    rows_before, messages_before = b_rows(bot), b_messages(bot)
    payload = {
        "token": "legacy-verification-token",
        "team_id": MTR,
        "api_app_id": "A0TURNOUT",
        "type": "event_callback",
        "event_id": "EvCONNECT",
        "event_time": 1_700_000_000,
        "authorizations": [{"team_id": SUNRISE, "user_id": "U0BOT", "is_bot": True, "enterprise_id": None}],
        "event": {"type": "app_home_opened", "user": A_VOLUNTEER, "tab": "home", "channel": "DHOME"},
    }
    body = json.dumps(payload).encode()
    status, _text = bot.driver._wsgi(body, signed_headers(SIGNING_SECRET, body, "application/json"))
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle()
    assert status == 200
    assert b_rows(bot) == rows_before
    assert b_messages(bot) == messages_before
    assert A_VOLUNTEER in bot.slack.home_views
    assert [r for r in bot.slack.refusals if r.method not in LOOKUPS] == []


# ---------------------------------------------------------------- a shift B shares with the coalition

# What of B's may never show in A, even about a shift B shared: its people's emails, its other
# shifts' places, its numbers, and raw mentions of its people or channels A's workspace cannot
# resolve. (The shared shift's place, its people's names and B's name may show.)
B_PRIVATE = (
    "mtr-secret",
    "t0mtr.example.org",
    "Casa Secreta",
    "Porche Escondido",
    "Lorem Mtr",
    "<@UMTR",
    "CMTR",
)


def assert_told_only_what_b_shared(told: str, what: str) -> None:
    assert "Something went wrong" not in told and "Traceback" not in told, (what, told[:2000])
    for secret in B_PRIVATE:
        assert secret.lower() not in told.lower(), (what, secret, told[:3000])
    counted = B_NUMBERS.search(told)
    assert counted is None, (what, counted.group(0) if counted else "", told[:3000])


def shared_shift(w: World) -> tuple[int, int]:
    """B's coordinator adds a shift and shares it; B's volunteer Zed claims it: (shift, Zed's signup)."""
    bot = w.bot
    b_said(bot, B_COORD, "/turnout", "shift add IA 2026-11-26 10:00-13:00 canvass 6 Shared Hall")
    shared = newest(bot, "SELECT max(id) FROM shift WHERE team_id = :team")
    b_said(bot, B_COORD, "/turnout", f"share {shared}")
    b_said(bot, B_VOLUNTEER, "/claim", str(shared))
    for _ in range(3):  # its copy posted in A's #iowa, and every redraw, done
        assert bot.driver.executor is not None
        bot.driver.executor.wait_idle()
        bot.deps.lanes.wait_idle()
        bot.deps.redraws.wait_idle()
    signup = newest(
        bot, f"SELECT id FROM signup WHERE shift_id = {shared} AND volunteer_id = '{B_VOLUNTEER}'"
    )
    return shared, signup


@pytest.mark.slack_refusals
def test_a_shared_shift_of_b_is_claimable_from_a_and_otherwise_still_b_s(world: World) -> None:
    """A sees B's shared shift (its place, count, B's name, who is on it by name) and can claim
    it; A can neither edit, cancel, repeat, re-share, add to, take attendance on nor remove from
    it, and no answer shows B's people's emails, B's other data or a mention A cannot resolve."""
    bot = world.bot
    shared, zed = shared_shift(world)
    refused: list[Attempt] = [
        typed("/turnout", f"shift edit {shared} capacity 2"),
        typed("/turnout", f"shift edit {shared}"),
        typed("/turnout", f"shift cancel {shared} rain"),
        typed("/turnout", f"shift repeat {shared} weekly 2"),
        typed("/turnout", f"share {shared}"),
        typed("/turnout", f"roster {shared} add {mention(A_VOLUNTEER)}"),
        forged(act.ATTENDED, lambda w: f"{zed}|{act.ROSTER}"),
        forged(act.NO_SHOW, lambda w: f"{zed}|{act.ROSTER}"),
        forged(act.REMOVE, lambda w: f"{zed}|{act.ROSTER}"),
        typed("/turnout", "export IA 2026-11-01 2026-12-31"),
    ]
    seen: list[Attempt] = [
        typed("/shifts", "IA"),
        typed("/turnout", f"roster {shared}"),
        typed("/stats", "IA"),
    ]
    for user in (A_ADMIN, A_VOLUNTEER):
        rows_before, messages_before = b_rows(bot), b_messages(bot)
        for n, attempt in enumerate([*refused, *seen]):
            since = mark(bot)
            world.typed = ""
            exchange = attempt(world, user)
            what = f"shared shift #{n} ({attempt.__doc__ or ''}) by {user}"
            assert exchange.status == 200, (what, exchange.body)
            assert_told_only_what_b_shared(told_since(world, since, exchange), what)
            said = exchange.body + " ".join(m.text for m in exchange.replies)
            if attempt in refused[:-1]:  # the shift is plainly there: refused as B's, not "no shift"
                assert "only Make the Road Iowa can change it" in said, (what, said[:300])
            assert b_rows(bot) == rows_before, what
            assert b_messages(bot) == messages_before, what
            assert [r for r in bot.slack.refusals if r.method not in LOOKUPS] == [], what
    listed = bot.driver.command("/shifts", "IA", user=A_VOLUNTEER, channel=A_CHANNEL)
    assert "Shared Hall" in str(listed.reply) and "Shared by Make the Road" in str(listed.reply)
    roster = bot.driver.command("/turnout", f"roster {shared}", user=A_ADMIN, channel=A_CHANNEL)
    assert "(Make the Road Iowa)" in str(roster.reply), roster.reply
    assert not [b for b in buttons(roster.reply) if b.get("action_id") in (act.ATTENDED, act.REMOVE)]
    # A's volunteer claims it: A's signup, on B's shift, and nothing else of B's changes.
    since = mark(bot)
    claimed = bot.driver.command("/claim", str(shared), user=A_VOLUNTEER, channel=A_CHANNEL)
    assert f"on shift #{shared}" in claimed.text, claimed.text
    assert_told_only_what_b_shared(told_since(world, since, claimed), "claim of the shared shift")
    with bot.deps.read_session() as session:
        on_it = session.execute(
            sa.text("SELECT team_id, volunteer_id FROM signup WHERE shift_id = :s ORDER BY id"), {"s": shared}
        ).all()
    assert [tuple(r) for r in on_it] == [(MTR, B_VOLUNTEER), (SUNRISE, A_VOLUNTEER)]
