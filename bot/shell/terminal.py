"""`turnout shell`: the whole bot in a terminal, with no Slack workspace.

An embedded SQLite file, the local Slack stand-in that the real `WebClient` reaches over
loopback, and the real Bolt app receiving requests signed as Slack signs them: the same
handlers, services and jobs as production. Type commands as any person, press buttons by
number, fill forms field by field, and move a simulated clock to run the schedule.

The simulated clock is kept beside the database, in `<db>.clock` (one ISO-8601 UTC time):
on restart the shell resumes from it when it is later than the real time, so the clock never
moves backwards under data written at a simulated time. Files the bot uploads (exports, the
weekly chart) are saved beside the database too, as `<db stem>-<file name>`.

Without `--demo` the local workspace is made up as you go: `in #name` creates a channel that
does not exist yet and `as @name` adds a person, so the README's install steps can be
rehearsed. The demo's people and channels are fixed, so there a typo is answered, not created.

With `--demo` Turnout runs as a coalition's distributed app: the stand-in has two organizations'
workspaces, Sunrise (`sunrise`) and Make the Road (`mtr`), and the shell installs Turnout in each
through Slack's install flow (OAuth) every time it starts, since the stand-in forgets the tokens it
minted. You act as one person of one workspace at a time: `as @ana@mtr` or `in #iowa@mtr` moves
to the other, `@name` alone is the current workspace's person (or the only one of that name), and
what another workspace's people see is shown with its `@org`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.cli.app import build_app, build_wsgi
from bot.cli.main import Workspace
from bot.config import Settings
from bot.db import upgrade
from bot.deps import make_deps
from bot.localslack.driver import SlackDriver, TrackingExecutor
from bot.localslack.webapi import TEAM_ID, LocalSlack, Message, Person
from bot.services.clock import utcnow
from bot.services.members import Member
from bot.services.organizations import org_names, seen
from bot.services.roles import Actor, coordinated_states
from bot.services.schedule import events_between
from bot.services.states import default_state, state_timezone
from bot.shell.render import Button, plain, render_blocks
from bot.slack.client import make_client
from bot.slack.pacing import Pacer
from bot.slack.profiles import ProfileRefresher
from bot.slack.redraws import Coalescer
from jobs.runner import run_due

logger = logging.getLogger(__name__)
TOKEN = "xoxb-turnout-shell"
YOU = ("UYOU", "you")
# The demo coalition's distributed app, as its organizations' workspaces install it.
DEMO_CLIENT_ID = "1000000000.2000000000"
DEMO_CLIENT_SECRET = "turnout-shell-demo"
COMMANDS = (
    "/shifts",
    "/claim",
    "/unclaim",
    "/myshifts",
    "/log",
    "/stats",
    "/leaderboard",
    "/host",
    "/turnout",
)
CSV_PREVIEW = 5
# How long the shell waits, before showing what changed, for work handed to workspaces' lanes.
LANE_WAIT_SECONDS = 5.0
WIDTH = 100
SLACK_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
DURATION = re.compile(r"^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
HELP = """Type what a person types in Slack, or a shell command:
  /shifts IA, /claim 3, /log 20 doors, /turnout help …   slash commands, as the current person
  click N            press button [N]
  as @name           act as someone else (users lists everyone);
                     @name@org: someone of another organization (the demo's sunrise, mtr)
  in #channel        type in another channel; #channel@org: in another organization's workspace
  users              the people, with their roles
  orgs               the organizations (one per workspace) and who is in each
  home               open the current person's App Home tab
  clock              the simulated time
  clock +2h          move it (+30m, +1d, +1d2h, 20:00, tomorrow 09:00, 2026-11-28 09:00),
                     running every scheduled job that falls due on the way
  help               this list
  quit               leave (Ctrl-D works too)"""


# What the stand-in workspace is called in the shell.
SHELL_WORKSPACE = "Turnout shell"


@dataclass
class ShellClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Pressable:
    button: Button
    message: Message | None = None
    view: dict[str, Any] | None = None
    owner: str | None = None  # whose App Home or modal the button is in


@dataclass(frozen=True)
class Cancelled:
    """A form left part-way; `then` is what the person typed instead, to run next."""

    then: str | None = None


class Shell:
    def __init__(
        self, db_path: Path, *, demo: bool, out: TextIO = sys.stdout, inp: TextIO = sys.stdin
    ) -> None:
        self.out, self.inp = out, inp
        self.db_path = db_path
        self.demo = demo
        self.clock_file = db_path.with_name(db_path.name + ".clock")
        self.pending: list[str] = []
        self.leaving = False
        self.slack = LocalSlack(token=TOKEN).start()
        secret = secrets.token_hex(16)
        url = f"sqlite:///{db_path}"
        # A shell database from before coalitions is the stand-in workspace's; a new demo's are only
        # its organizations' (the stand-in's own workspace is not one of them).
        fresh_demo = demo and not db_path.exists()
        upgrade(url, team=None if fresh_demo else Workspace(TEAM_ID, SHELL_WORKSPACE))
        if demo:  # a coalition: one distributed app, installed in each organization's workspace
            from bot.shell.demo import ORGS, SUNRISE

            self.slack.enable_oauth(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
            settings = Settings(
                slack_signing_secret=secret,
                database_url=url,
                slack_api_url=self.slack.api_url,
                slack_client_id=DEMO_CLIENT_ID,
                slack_client_secret=DEMO_CLIENT_SECRET,
                campaign_admins=frozenset({(SUNRISE.team_id, SUNRISE.admin.id)}),
                member_workspaces=frozenset(org.team_id for org in ORGS),
            )
            self.orgs = [org.team_id for org in ORGS]
        else:
            settings = Settings(
                slack_bot_token=TOKEN,
                slack_signing_secret=secret,
                database_url=url,
                slack_api_url=self.slack.api_url,
                admins=frozenset({YOU[0]}),
            )
            self.orgs = [TEAM_ID]
        self.clock = ShellClock(self._resume_clock())
        # Time is simulated, so pacing the stand-in's posts would only slow the rehearsal down.
        self.deps = replace(
            make_deps(settings, clock=self.clock, team_id=None if demo else TEAM_ID),
            make_pacer=lambda: Pacer(1000, sleep=lambda _s: None),
            redraws=Coalescer(0.0),
            profiles=ProfileRefresher(0.0),
        )
        self.client = make_client(settings)
        self.executor = TrackingExecutor()
        app = build_app(self.deps, client=self.client, executor=self.executor)
        self.driver = SlackDriver(build_wsgi(app, self.deps), self.slack, secret, self.executor)
        if demo:
            self._seed_demo()
        else:
            with self.deps.session() as session:  # the stand-in's workspace is the campaign's organization
                seen(session, team_id=TEAM_ID, name=SHELL_WORKSPACE, now=self.clock())
            self.slack.add_person(*YOU, real_name="You", is_admin=True)
            self.slack.add_channel("CGENERAL", "general")
            self.user, self.channel = YOU[0], "CGENERAL"
        self.pressables: dict[int, Pressable] = {}
        self.shown = len(self.slack.messages)
        self.uploads_shown = len(self.slack.uploads)
        self.edits = {id(m): m.edits for m in self.slack.messages}

    def _resume_clock(self) -> datetime:
        """The later of the real time and the time stored beside the database."""
        now = utcnow().replace(second=0, microsecond=0)
        try:
            stored = datetime.fromisoformat(self.clock_file.read_text().strip())
        except (OSError, ValueError):
            return now
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=UTC)
        return max(now, stored.astimezone(UTC))

    def _store_clock(self) -> None:
        self.clock_file.write_text(self.clock().isoformat() + "\n")

    def _seed_demo(self) -> None:
        """The two organizations' workspaces, Turnout installed in each through Slack's install
        flow (as each organization's admin), then their campaign."""
        from bot.shell import demo

        demo.people_for(self.slack)
        for org in demo.ORGS:
            page = self.driver.install(org.team_id)
            if page.status != 200:
                raise RuntimeError(
                    f"installing Turnout in {org.name} failed: {page.status} {page.body[:200]}"
                )
        with self.deps.session() as session:
            fresh = demo.seed(session, self.clock())
        self.user, self.channel = demo.ADMIN.id, demo.CHANNELS["IA"][0]
        self.say(
            "Demo campaign "
            + ("seeded" if fresh else "already here")
            + ": a coalition of two organizations, each with Turnout installed in its own workspace"
            " through Slack's install page: Sunrise (Iowa, New Hampshire and Nevada) and Make the Road"
            " (Iowa). You are @alex@sunrise, an admin, in #iowa. Try /shifts, `users` or `orgs`."
        )

    # ------------------------------------------------------------ the loop

    def run(self) -> int:
        self.say("Turnout shell: the real bot, a local Slack. `help` lists what you can do; Ctrl-D leaves.")
        try:
            while not self.leaving:
                line = self.read(self.prompt())
                if line is None or line.strip() in ("quit", "exit"):
                    break
                self.handle(line.strip())
            self.say("Bye.")
            return 0
        finally:
            self.executor.shutdown(wait=True)
            self.deps.lanes.shutdown()
            self.slack.stop()

    def handle(self, line: str) -> None:
        """One line of input. Nothing typed can stop the shell: a mistake gets one line back."""
        self.pending.append(line)
        while self.pending and not self.leaving:
            line = self.pending.pop(0).strip()
            if not line:
                continue
            try:
                self.dispatch(line)
            except ShellError as error:
                self.say(str(error))
            except Exception:  # the shell survives anything; the bot's own errors are its to report
                logger.debug("shell command %r failed", line, exc_info=True)
                self.say("That didn't work: something went wrong inside the shell. Try again, or `help`.")

    def dispatch(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word.startswith("/"):
            return self.slash(word.lower(), rest)
        actions: dict[str, Callable[[str], None]] = {
            "click": self.click,
            "as": self.act_as,
            "in": self.go_to,
            "users": self.users,
            "orgs": self.list_orgs,
            "home": self.home,
            "clock": self.move_clock,
            "help": lambda _r: self.say(HELP),
        }
        if word.lower() not in actions:
            raise ShellError(
                f"I don't know `{word[:30]}`. Slash commands start with /; `help` lists the rest."
            )
        actions[word.lower()](rest)

    # ------------------------------------------------------------ commands

    def slash(self, command: str, text: str) -> None:
        if command not in COMMANDS:
            raise ShellError(f"{command} is not one of Turnout's commands: {', '.join(COMMANDS)}.")
        exchange = self.driver.command(command, text, user=self.user, channel=self.channel)
        if exchange.status != 200:
            raise ShellError(f"Slack would show an error: the bot answered HTTP {exchange.status}.")
        self.show()
        if exchange.view is not None:
            self.fill(exchange.view)

    def click(self, rest: str) -> None:
        if not rest.isdigit() or int(rest) not in self.pressables:
            shown = f"[1]–[{max(self.pressables)}]" if self.pressables else "none yet"
            raise ShellError(f"There is no button [{rest[:10]}]. Buttons shown so far: {shown}.")
        target = self.pressables[int(rest)]
        self.may_press(target)
        button = target.button
        try:
            if target.view is not None:
                exchange = self.driver.click_view(
                    target.view, button.action_id, user=self.user, value=button.value
                )
            else:
                assert target.message is not None
                if target.message.deleted:
                    raise LookupError("deleted")
                exchange = self.driver.click(
                    target.message, button.action_id, user=self.user, value=button.value
                )
        except LookupError:
            raise ShellError(
                "That button is gone: the message changed since. Look at the latest one."
            ) from None
        self.show()
        if exchange.view is not None:
            self.fill(exchange.view)
        if target.view is not None and target.view.get("type") == "home":
            self.render_home()

    def may_press(self, target: Pressable) -> None:
        """Slack shows a DM, an ephemeral reply or an App Home to one person only: only they can press."""
        message = target.message
        if (
            message is not None
            and not message.channel.startswith("D")
            and not message.ephemeral_to
            and message.team
            and message.team != self.team
        ):
            where = "#" + self.name("#", message.channel)
            raise ShellError(
                f"That button is in {where}, another organization's workspace; `in {where}` to press it."
            )
        if message is not None and message.channel.startswith("D"):
            owner, where = message.channel[1:], "in @{}'s DM"
        elif message is not None and message.ephemeral_to:
            owner, where = message.ephemeral_to, "in a reply only @{} sees"
        elif target.owner is not None:
            kind = "App Home" if (target.view or {}).get("type") == "home" else "form"
            owner, where = target.owner, "in @{}'s " + kind
        else:
            return
        if owner != self.user:
            name = self.name("@", owner)
            raise ShellError(f"That button is {where.format(name)}; `as @{name}` to press it.")

    def act_as(self, rest: str) -> None:
        name, _, org = rest.strip().removeprefix("@").strip().lower().partition("@")
        name = name.strip()
        if not name:
            raise ShellError("Whom? `as @name`; `users` lists everyone.")
        team = self._org(org) if org else None
        person = self._person(name, team)
        if person is None:
            if (
                self.demo or team is not None
            ):  # the demo's cast is fixed, so a typo is not taken for a newcomer
                where = f" in {self._org_name(team)}" if team else " here"
                raise ShellError(f"No one called @{name[:30]}{where}. `users` lists everyone.")
            if not SLACK_NAME.fullmatch(name):
                raise ShellError(
                    f"@{name[:30]} can't be a Slack name: use lowercase letters, digits, . - and _."
                )
            person = self.slack.add_person(
                self._new_id("U", name, self.slack.people), name, real_name=name.title()
            )
            self.say(f"Added @{name} to the local workspace (a new person, not an admin).")
        if person.team == self.team:
            self.user = person.id
            return self.say(f"You are now @{person.name}.")
        # Into another workspace: the channel of the same name there, else its first.
        here = self.slack.channels.get(self.channel)
        theirs = [c for c in self.slack.channels.values() if c.team == person.team]
        channel = next((c for c in theirs if here is not None and c.name == here.name), theirs[0])
        self.user, self.channel = person.id, channel.id
        self.say(f"You are now @{person.name} of {self._org_name(person.team)}, in #{channel.name}.")

    def go_to(self, rest: str) -> None:
        name, _, org = rest.strip().removeprefix("#").strip().lower().partition("@")
        name = name.strip()
        if not name:
            raise ShellError("Which channel? `in #name`.")
        team = self._org(org) if org else self.team
        channel = next((c for c in self.slack.channels.values() if c.name == name and c.team == team), None)
        if channel is None:
            if self.demo or team != self.team:
                names = ", ".join(
                    "#" + self.name("#", c.id) for c in self.slack.channels.values() if c.team == team
                )
                raise ShellError(f"There is no #{name[:30]}{'@' + org if org else ''}. Channels: {names}.")
            if not SLACK_NAME.fullmatch(name):
                raise ShellError(
                    f"#{name[:30]} can't be a Slack channel name: use lowercase letters, digits, - and _."
                )
            channel = self.slack.add_channel(self._new_id("C", name, self.slack.channels), name)
            self.say(f"Created #{name} in the local workspace.")
        if channel.team != self.team:
            # Only that workspace's people are in its channels: its person of the same name, else its admin.
            me = self.slack.people[self.user]
            people = [p for p in self.slack.people.values() if p.team == channel.team]
            person = next(
                (p for p in people if p.name == me.name),
                next((p for p in people if p.is_admin or p.is_owner), people[0] if people else None),
            )
            if person is None:
                raise ShellError(f"No one is in {self._org_name(channel.team)}'s workspace yet.")
            self.user, self.channel = person.id, channel.id
            org = self._org_name(channel.team)
            return self.say(
                f"Now in #{channel.name} of {org}, as @{person.name}: only {org}'s people are in its channels."
            )
        self.channel = channel.id
        self.say(f"Now in #{channel.name}.")

    def _person(self, name: str, team: str | None) -> Person | None:
        """The person called `name` in `team`; with no team, the current workspace's, else the
        only one of that name in any organization's workspace."""
        people = [p for p in self.slack.people.values() if p.name.lower() == name and p.team in self.orgs]
        if team is not None:
            return next((p for p in people if p.team == team), None)
        mine = [p for p in people if p.team == self.team]
        if mine or len(people) <= 1:
            found = mine or people
            return found[0] if found else None
        options = " or ".join(f"`as @{name}@{self._handle(p.team)}`" for p in people)
        orgs = " and in ".join(self._org_name(p.team) for p in people)
        raise ShellError(f"There is an @{name} in {orgs}: say which, {options}.")

    @property
    def team(self) -> str:
        """The workspace of the person you are acting as."""
        person = self.slack.people.get(self.user)
        return person.team if person is not None else self.orgs[0]

    def _handle(self, team: str) -> str:
        """How the shell names a workspace after `@`: its domain (`sunrise`, `mtr`)."""
        return self.slack.workspace(team).domain

    def _org(self, text: str) -> str:
        """The organization's workspace that `text` names: its handle, its name, or the start of either."""
        wanted = text.strip().lower()
        exact = [t for t in self.orgs if wanted in (self._handle(t), self._slug(t))]
        starting = [
            t for t in self.orgs if self._handle(t).startswith(wanted) or self._slug(t).startswith(wanted)
        ]
        found = exact or starting
        if wanted and len(found) == 1:
            return found[0]
        known = ", ".join(f"{self._handle(t)} ({self._org_name(t)})" for t in self.orgs)
        raise ShellError(f"There is no organization `{text[:30]}` here. Organizations: {known}.")

    def _slug(self, team: str) -> str:
        return re.sub(r"[^a-z0-9]", "", self.slack.workspace(team).name.lower())

    def _org_name(self, team: str) -> str:
        """The organization's name as Turnout knows it (`/turnout org NAME` renames it)."""
        with self.deps.read_session() as session:
            names = org_names(session, [team])
        return names.get(team) or self.slack.workspace(team).name

    @staticmethod
    def _new_id(prefix: str, name: str, taken: dict[str, Any]) -> str:
        """An id made from the name, so a restarted shell gives the same name the same id."""
        stem = prefix + (re.sub(r"[^A-Z0-9]", "", name.upper()) or "X")
        candidate, n = stem, 1
        while candidate in taken or len(candidate) < 3:
            n += 1
            candidate = f"{stem}{n}"
        return candidate

    def users(self, _rest: str) -> None:
        teams = sorted(self.orgs, key=lambda t: t != self.team)  # the current workspace first
        for team in teams:
            if len(self.orgs) > 1:
                here = " (you are here)" if team == self.team else f": `as @name@{self._handle(team)}`"
                self.say(f"{self._org_name(team)}{here}")
            self._people_of(team)

    def _people_of(self, team: str) -> None:
        settings = self.deps.settings
        with self.deps.read_session() as session:
            for person in self.slack.people.values():
                if person.team != team:
                    continue
                admin = person.is_admin or settings.is_listed_admin(team, person.id)
                states = [] if admin else coordinated_states(session, actor=Actor(team, person.id, False))
                role = "admin" if admin else (f"coordinator {', '.join(states)}" if states else "volunteer")
                mark = " (you are here)" if person.id == self.user else ""
                self.say(f"  @{person.name:<6} {person.real_name:<16} {role}{mark}")

    def list_orgs(self, _rest: str) -> None:
        """The organizations, one per workspace: handle, name, whether Turnout is installed, people, channels."""
        installed = set(self.deps.workspaces.active())
        self.say("Organizations (one Slack workspace each):")
        for team in self.orgs:
            people = sum(1 for p in self.slack.people.values() if p.team == team)
            channels = " ".join("#" + c.name for c in self.slack.channels.values() if c.team == team)
            state = "installed" if team in installed else "not installed"
            mark = "  ← you are here" if team == self.team else ""
            self.say(
                f"  {self._handle(team):<8} {self._org_name(team):<16} {team:<10} {state}, "
                f"{people} people, {channels}{mark}"
            )
        if len(self.orgs) > 1:
            self.say("`as @name@org` or `in #channel@org` acts in another organization's workspace.")

    def home(self, _rest: str) -> None:
        self.driver.event(
            {"type": "app_home_opened", "user": self.user, "tab": "home", "channel": "D" + self.user}
        )
        self.render_home()

    def render_home(self) -> None:
        view = self.slack.home_views.get(self.user)
        if view is None:
            raise ShellError("The App Home did not open.")
        self.say(f"── App Home of @{self.name('@', self.user)} ──")
        owner = self.user
        for line in render_blocks(
            view["blocks"], self.name, lambda b: self.number(b, view=view, owner=owner)
        ):
            self.say(line)

    def move_clock(self, rest: str) -> None:
        if not rest:
            return self.say(f"It is {self.local(self.clock())}.")
        if rest.lstrip().startswith("-"):
            raise ShellError(f"The clock only moves forward; it is {self.local(self.clock())}.")
        target = self.parse_time(rest)
        if target <= self.clock():
            raise ShellError(f"The clock only moves forward; it is {self.local(self.clock())}.")
        start = self.clock()
        with self.deps.read_session() as session:
            events = events_between(session, start, target)
        if events:
            self.say(f"Running the schedule up to {self.local(target)}…")
        for instant in [*events, target]:
            self.clock.now = instant
            self._store_clock()
            run_due(self.deps, instant)
            self.show()
        self.say(f"It is now {self.local(target)}.")

    # ------------------------------------------------------------ forms

    def fill(self, view: dict[str, Any]) -> None:
        """A modal as a form: each field asked in turn; mistakes come back beside the field.

        `cancel`, `quit`, Ctrl-D or a typed /command leaves the form without sending it; a
        /command then runs, and `quit` leaves the shell."""
        title = view.get("title", {}).get("text", "Form")
        self.say(f"── form: {title} (blank skips an optional field; `cancel` abandons it) ──")
        inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
        for block in view.get("blocks", []):
            if block.get("type") == "context":
                self.say(
                    "  ⋅ " + " ".join(plain(e.get("text", ""), self.name) for e in block.get("elements", []))
                )
        values: dict[str, dict[str, Any]] = {}
        ask = inputs
        for _attempt in range(5):
            for block in ask:
                answer = self.ask_field(block)
                if isinstance(answer, Cancelled):
                    return self.cancel_form(answer)
                values[block["block_id"]] = answer
            exchange = self.driver.submit(view, {k: v for k, v in values.items() if v}, user=self.user)
            ack = exchange.ack
            if ack.get("response_action") == "errors":
                labels = {b["block_id"]: b["label"]["text"] for b in inputs}
                for block_id, message in ack["errors"].items():
                    self.say(f"  ✗ {labels.get(block_id, block_id)}: {message}")
                ask = [b for b in inputs if b["block_id"] in ack["errors"]]
                continue
            if ack.get("response_action") == "update":
                self.render_view(ack["view"])
            self.show()
            return None
        self.say("Form abandoned after five tries; nothing more was sent.")
        return None

    def render_view(self, view: dict[str, Any]) -> None:
        owner = self.user
        for line in render_blocks(
            view.get("blocks", []), self.name, lambda b: self.number(b, view=view, owner=owner)
        ):
            self.say(line)

    def cancel_form(self, cancelled: Cancelled) -> None:
        then = cancelled.then
        if then is None or then == "cancel":
            return self.say("Form abandoned; nothing was sent.")
        if then in ("quit", "exit"):
            self.leaving = True
            return self.say("Form abandoned; nothing was sent.")
        self.say(f"Form abandoned; nothing was sent. Running {then.split()[0]} instead.")
        self.pending.insert(0, then)
        return None

    def ask_field(self, block: dict[str, Any]) -> dict[str, Any] | Cancelled:
        element, label = block["element"], block["label"]["text"]
        kind, action_id = element["type"], element["action_id"]
        optional = " (optional)" if block.get("optional") else ""
        if kind == "static_select":
            options = element.get("options", [])
            initial = element.get("initial_option")
            for n, option in enumerate(options, start=1):
                self.say(f"    {n}. {option['text']['text']}")
            default = f", Enter for {initial['text']['text']}" if initial else ""
            while True:
                answer = self.read(f"  {label}{optional} (number or name{default}): ")
                if (leave := self._leaves_form(answer)) is not None:
                    return leave
                text = (answer or "").strip()
                if not text:
                    chosen = initial
                    if chosen is None and not block.get("optional"):
                        self.say(f"  ({label} is needed: pick one of the {len(options)} above.)")
                        continue
                    break
                chosen = _choose(options, text)
                if chosen is not None:
                    break
                self.say(f"  (no option `{text[:20]}`: type its number, 1–{len(options)}, or its name)")
            return {action_id: {"type": kind, "selected_option": chosen}} if chosen else {}
        hint = {"datepicker": " (YYYY-MM-DD)", "timepicker": " (HH:MM)"}.get(kind, "")
        initial = element.get("initial_date") or element.get("initial_time") or element.get("initial_value")
        default = f", Enter for {initial}" if initial else ""
        answer = self.read(f"  {label}{optional}{hint}{default}: ")
        if (leave := self._leaves_form(answer)) is not None:
            return leave
        text = (answer or "").strip() or initial or ""
        key = {"datepicker": "selected_date", "timepicker": "selected_time"}.get(kind, "value")
        return {action_id: {"type": kind, key: text}} if text else {}

    @staticmethod
    def _leaves_form(answer: str | None) -> Cancelled | None:
        if answer is None:
            return Cancelled()
        text = answer.strip()
        if text.lower() in ("cancel", "quit", "exit") or text.startswith("/"):
            return Cancelled(text if text.lower() != "cancel" else None)
        return None

    # ------------------------------------------------------------ showing what Slack shows

    def show(self) -> None:
        """Everything new or changed in the workspace since last time, once the work each
        workspace's lane was handed (a DM or a post in another workspace) is done."""
        with contextlib.suppress(TimeoutError):  # what a lane still waits on shows up next time
            self.deps.lanes.wait_idle(timeout=LANE_WAIT_SECONDS)
        with self.slack.lock:
            changed = [
                m
                for m in self.slack.messages[: self.shown]
                if not m.deleted and m.edits > self.edits.get(id(m), 0)
            ]
            fresh = list(self.slack.messages[self.shown :])
            self.shown = len(self.slack.messages)
            self.edits = {id(m): m.edits for m in self.slack.messages}
            uploads = list(self.slack.uploads[self.uploads_shown :])
            self.uploads_shown = len(self.slack.uploads)
        for message in changed:
            self.render(message, updated=True)
        for message in fresh:
            if not message.deleted:
                self.render(message, updated=False)
        for upload in uploads:
            self.render_upload(upload)

    def render_upload(self, upload: dict[str, Any]) -> None:
        """A file the bot sent: its name, size and place; a CSV's first lines; saved beside the database."""
        content: bytes = upload.get("content") or b""
        filename = Path(str(upload.get("filename") or "file")).name
        channel = str(upload.get("channel") or "")
        if channel.startswith("D"):
            where = f"DM to @{self.name('@', channel[1:])}"
        elif channel:
            where = "#" + self.name("#", channel)
        else:
            where = "nowhere in particular"
        self.say(f"── file in {where}: {filename} ({_size(len(content))}) ──")
        if upload.get("initial_comment"):
            self.say(plain(str(upload["initial_comment"]), self.name))
        saved = self.db_path.with_name(f"{self.db_path.stem}-{filename}")
        saved.write_bytes(content)
        if filename.lower().endswith(".csv"):
            lines = content.decode("utf-8", errors="replace").splitlines()
            for line in lines[:CSV_PREVIEW]:
                self.say("  │ " + line[:WIDTH])
            if len(lines) > CSV_PREVIEW:
                self.say(f"  │ … {len(lines) - CSV_PREVIEW} more lines")
        self.say(f"  saved as {saved}")

    def render(self, message: Message, *, updated: bool) -> None:
        where = self.where(message)
        self.say(f"── {where}{' (updated)' if updated else ''} ──")
        lines = render_blocks(message.blocks, self.name, lambda b: self.number(b, message=message))
        for line in lines or [plain(message.text, self.name)]:
            self.say(line)

    def where(self, message: Message) -> str:
        if message.channel.startswith("D"):
            return f"DM to @{self.name('@', message.channel[1:])}"
        channel = "#" + self.name("#", message.channel)
        if message.ephemeral_to:
            return f"only @{self.name('@', message.ephemeral_to)} sees this, in {channel}"
        return channel

    def number(
        self,
        button: Button,
        *,
        message: Message | None = None,
        view: dict[str, Any] | None = None,
        owner: str | None = None,
    ) -> int:
        n = max(self.pressables, default=0) + 1
        self.pressables[n] = Pressable(button, message, view, owner)
        return n

    def name(self, kind: str, ref: str) -> str:
        """A person's or channel's name; `@org` after it when it is another organization's."""
        found = self.slack.people.get(ref) if kind == "@" else self.slack.channels.get(ref)
        if found is None:
            return ref
        elsewhere = len(self.orgs) > 1 and found.team != self.team
        return found.name + (f"@{self._handle(found.team)}" if elsewhere else "")

    # ------------------------------------------------------------ time

    def zone(self) -> str:
        """The channel's state's zone, else the person's home state's, else UTC."""
        with self.deps.read_session() as session:
            who = Member(self.team, self.user)
            state = default_state(session, channel_id=self.channel, who=who)
            return state_timezone(session, team_id=self.team, code=state) if state else "UTC"

    def local(self, instant: datetime) -> str:
        moment = instant.astimezone(ZoneInfo(self.zone()))
        return f"{moment:%a %b} {moment.day} {moment:%H:%M %Z}"

    def parse_time(self, text: str) -> datetime:
        now = self.clock().astimezone(ZoneInfo(self.zone()))
        if match := DURATION.match(text.replace(" ", "")):
            days, hours, minutes = (int(g or 0) for g in match.groups())
            if days or hours or minutes:
                return self.clock() + timedelta(days=days, hours=hours, minutes=minutes)
        words = text.lower().split()
        day = now.date()
        if words and words[0] == "tomorrow":
            day, words = day + timedelta(days=1), words[1:]
        elif words and re.fullmatch(r"\d{4}-\d{2}-\d{2}", words[0]):
            try:
                day = date.fromisoformat(words[0])
            except ValueError:
                raise ShellError(f"{words[0]} is not a real date.") from None
            words = words[1:]
        if len(words) == 1 and re.fullmatch(r"\d{1,2}:\d{2}", words[0]):
            hour, minute = (int(x) for x in words[0].split(":"))
            if hour < 24 and minute < 60:
                local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(self.zone()))
                return local.astimezone(UTC)
        raise ShellError(f"I can't read `{text[:30]}` as a time. Try +2h, +30m, 20:00 or tomorrow 09:00.")

    # ------------------------------------------------------------ terminal

    def prompt(self) -> str:
        """`@alex in #iowa> `; in a coalition, whose workspace too: `@alex@sunrise in #iowa> `."""
        org = f"@{self._handle(self.team)}" if len(self.orgs) > 1 else ""
        return f"@{self.name('@', self.user)}{org} in #{self.name('#', self.channel)}> "

    def read(self, prompt: str) -> str | None:
        try:
            if self.inp is sys.stdin and sys.stdin.isatty():
                return input(prompt)
            # Piped input: echo each line after its prompt, so the transcript reads like a session.
            self.out.write(prompt)
            line = self.inp.readline()
            self.out.write(line if line.endswith("\n") else line + "\n")
            self.out.flush()
            return line.rstrip("\n") if line else None
        except EOFError:
            self.out.write("\n")
            return None

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.1f} KB"


def _choose(options: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The option numbered `text`, or the one whose text is `text` (any case), or else None."""
    if text.isdigit():
        return options[int(text) - 1] if 1 <= int(text) <= len(options) else None
    wanted = text.casefold()
    exact = [o for o in options if o["text"]["text"].casefold() == wanted]
    starting = [o for o in options if o["text"]["text"].casefold().startswith(wanted)]
    found = exact or starting
    return found[0] if len(found) == 1 else None


class ShellError(Exception):
    """A shell command that could not be done; the message says why in one line."""


def main(db: str | None, demo: bool) -> int:
    path = Path(db or "turnout-shell.db").resolve()
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    shell = Shell(path, demo=demo)
    return shell.run()
