"""`turnout shell` in-process: a `Shell` fed typed lines, read back as the person sees it."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

import pytest

from bot.blocks import actions as act
from bot.deps import Deps
from bot.models import Metric
from bot.services.clock import utcnow
from bot.services.contacts import log_contacts, recent_shifts
from bot.services.shifts import claim_shift
from bot.shell.terminal import Shell
from tests import factories
from tests.conftest import START
from tests.factories import member


def session(db: Path, *lines: str, demo: bool = True) -> str:
    """Everything the shell printed for `lines`, from start to Bye."""
    out = io.StringIO()
    Shell(db, demo=demo, inp=io.StringIO("\n".join(lines) + "\n"), out=out).run()
    return out.getvalue()


def no_class_names(out: str) -> None:
    assert not re.search(r"\b[A-Z][A-Za-z]*(Error|Exception)\b", out), out


# ---------------------------------------------------------------- 1. stale buttons, no exception names


def test_a_button_whose_message_changed_gets_one_friendly_line(tmp_path: Path) -> None:
    out = session(tmp_path / "demo.db", "/shifts IA", "click 1", "click 1")
    assert "You're on shift #1!" in out or "(updated)" in out
    assert "That button is gone: the message changed since. Look at the latest one." in out
    assert "LookupError" not in out
    no_class_names(out)


def test_a_failure_inside_the_shell_never_shows_a_python_class_name(tmp_path: Path) -> None:
    shell = Shell(tmp_path / "demo.db", demo=True, inp=io.StringIO(""), out=io.StringIO())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("response_metadata")

    shell.driver.command = broken  # type: ignore[method-assign]
    shell.handle("/shifts IA")
    shell.run()
    out = shell.out.getvalue()  # type: ignore[attr-defined]
    assert "That didn't work" in out and "KeyError" not in out and "response_metadata" not in out
    no_class_names(out)


# ---------------------------------------------------------------- 2. files the bot uploads


def test_an_export_shows_each_file_its_first_lines_and_where_it_was_saved(tmp_path: Path) -> None:
    out = session(tmp_path / "demo.db", "/turnout export IA")
    found = re.findall(r"── file in DM to @alex: (turnout-ia-[\d-]+-contacts\.csv) \((\d+) bytes\) ──", out)
    assert found, out
    name, size = found[0]
    assert "  │ date,state,volunteer,slack_id" in out
    saved = tmp_path / f"demo-{name}"
    assert f"saved as {saved}" in out
    assert saved.read_bytes().startswith(b"date,state,volunteer") and saved.stat().st_size == int(size)
    assert "-attendance.csv" in out


def test_the_weekly_chart_is_saved_as_a_png_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    # Next Monday at 06:00 in Iowa (07:00 in summer): the weekly digest goes out at 08:00.
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    (tmp_path / "demo.db.clock").write_text(f"{monday}T12:00:00+00:00\n")
    out = session(db, "clock +3h")
    # Iowa has a leads channel, where its weekly digest and chart go.
    match = re.search(r"── file in #ia-leads: (ia-\d{4}-W\d\d\.png) \(([\d.]+ KB)\) ──", out)
    assert match, out
    png = tmp_path / f"demo-{match.group(1)}"
    assert f"saved as {png}" in out
    assert png.read_bytes().startswith(b"\x89PNG")


# ---------------------------------------------------------------- 3. forms


def test_a_select_takes_the_option_name_and_asks_again_after_a_wrong_one(tmp_path: Path) -> None:
    out = session(
        tmp_path / "demo.db",
        "/turnout shift add",
        "ia",  # the state, by name in any case
        "",
        "",
        "",
        "banana",  # not a kind: asked again
        "CANVASS",
        "6",
        "Ames public library",
        "",  # notes
        "",  # repeat weekly: just this once
        "",
        "",  # not shared with the coalition
    )
    assert "(no option `banana`: type its number, 1–5, or its name)" in out
    assert out.count("Kind (number or name):") == 2
    assert re.search(r"#\d+ · Canvass\* \(IA\)", out) and "Ames public library" in out


def test_only_the_fields_with_errors_are_asked_again(tmp_path: Path) -> None:
    out = session(
        tmp_path / "demo.db",
        "/turnout shift add",
        "IA",
        "",
        "14:00",
        "12:00",  # ends before it starts
        "1",
        "6",
        "Ames public library",
        "",  # notes
        "",  # repeat weekly: just this once
        "",
        "",  # not shared with the coalition
        "17:00",  # asked again: only the end
        "",
    )
    assert "✗ Ends:" in out, out
    assert out.count("Starts (HH:MM)") == 1 and out.count("Location:") == 1
    assert out.count("Ends (HH:MM)") == 2
    assert "Ames public library" in out.split("✗ Ends:")[1]


def test_a_slash_command_inside_a_form_cancels_it_and_runs(tmp_path: Path) -> None:
    out = session(tmp_path / "demo.db", "/turnout shift add", "IA", "/myshifts", "users")
    assert "Form abandoned; nothing was sent. Running /myshifts instead." in out
    assert "Your shifts" in out or "shift" in out.split("Running /myshifts instead.")[1]
    assert "@cora   Cora Lindqvist" in out  # the shell carries on after
    assert "Added shift" not in out


def test_quit_inside_a_form_cancels_it_and_leaves(tmp_path: Path) -> None:
    out = session(tmp_path / "demo.db", "/turnout shift add", "quit", "users")
    assert "Form abandoned; nothing was sent." in out
    assert out.rstrip().endswith("Bye.") and "Cora Lindqvist" not in out


def test_end_of_input_inside_a_form_cancels_it(tmp_path: Path) -> None:
    out = io.StringIO()
    shell = Shell(tmp_path / "demo.db", demo=True, inp=io.StringIO("/turnout shift add\nIA\n"), out=out)
    assert shell.run() == 0
    assert "Form abandoned; nothing was sent." in out.getvalue()
    assert out.getvalue().rstrip().endswith("Bye.")


def test_the_log_form_offers_only_shifts_that_can_be_logged(deps: Deps) -> None:
    with deps.session() as s:
        factories.volunteer(s, "UANA", START)
        soon = factories.shift(s, START, days_ahead=0, start=datetime(2026, 1, 1, 9, 30).time())
        later = factories.shift(s, START, days_ahead=0, start=datetime(2026, 1, 1, 14, 0).time())
        tomorrow = factories.shift(s, START, days_ahead=1)
        for shift_id in (soon, later, tomorrow):
            claim_shift(s, shift_id=shift_id, who=member("UANA"), now=START)
        s.commit()
        offered = [shift_id for shift_id, _state, _start in recent_shifts(s, who=member("UANA"), now=START)]
        assert offered == [soon]
        for shift_id in offered:  # each one offered is one the log accepts
            log_contacts(
                s, who=member("UANA"), counts={Metric.DOORS: 3}, shift_id=shift_id, channel_id=None, now=START
            )


# ---------------------------------------------------------------- 4. the clock


def test_the_clock_is_kept_with_the_database_and_never_moves_back(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = session(db, "clock +2d")
    moved_to = re.search(r"It is now (.+)\.", first)
    assert moved_to
    again = session(db, "clock", "clock -1h")
    assert f"It is {moved_to.group(1)}." in again
    assert "The clock only moves forward" in again
    stored = datetime.fromisoformat((tmp_path / "demo.db.clock").read_text().strip())
    assert stored > datetime.now(UTC) + timedelta(days=1)


def test_a_stored_clock_earlier_than_now_gives_way_to_the_real_time(tmp_path: Path) -> None:
    (tmp_path / "plain.db.clock").write_text("2020-01-01T09:00:00+00:00\n")
    shell = Shell(tmp_path / "plain.db", demo=False, inp=io.StringIO(""), out=io.StringIO())
    try:
        assert shell.clock() > datetime.now(UTC) - timedelta(minutes=2)
    finally:
        shell.run()


def test_a_day_ahead_on_the_demo_says_what_it_is_doing(tmp_path: Path) -> None:
    """How long it takes is the bench's business, not a test's (shared machines make timings noise)."""
    out = io.StringIO()
    shell = Shell(tmp_path / "demo.db", demo=True, inp=io.StringIO(""), out=out)
    shell.handle("clock +1d")
    shell.run()
    assert re.search(r"Running the schedule up to \w{3} \w{3} \d+ \d\d:\d\d C[SD]T…", out.getvalue())
    assert "It is now" in out.getvalue()


# ---------------------------------------------------------------- 5. who may press what


def test_buttons_in_someone_elses_reply_dm_or_home_cannot_be_pressed(tmp_path: Path) -> None:
    out = io.StringIO()
    shell = Shell(tmp_path / "demo.db", demo=True, inp=io.StringIO(""), out=out)
    shell.handle("/shifts IA")  # a reply only @alex sees, its buttons numbered from [1]
    in_reply = max(shell.pressables)
    shell.handle("home")  # @alex's App Home, numbered on from there
    for line in ("as @ana", "click 1", f"click {in_reply + 1}", "as @alex", "click 1"):
        shell.handle(line)
    shell.run()
    said = out.getvalue()
    assert "That button is in a reply only @alex sees; `as @alex` to press it." in said
    assert "That button is in @alex's App Home; `as @alex` to press it." in said
    assert "You're on shift #1!" in said or "Confirm" in said.split("@alex@sunrise in #iowa> click 1")[-1]


def test_a_dm_button_is_for_the_person_it_was_sent_to(tmp_path: Path) -> None:
    out = io.StringIO()
    # Start at 06:00 in Iowa tomorrow, so what a day on brings does not hang on the hour the test runs.
    start = datetime.combine(utcnow().date() + timedelta(days=1), wall_time(12, 0), tzinfo=UTC)
    (tmp_path / "demo.db.clock").write_text(start.isoformat())
    shell = Shell(tmp_path / "demo.db", demo=True, inp=io.StringIO(""), out=out)
    shell.handle("clock +1d")  # day-before, reminder and after-shift DMs, each with buttons
    number, owner = max(  # the latest Confirm: a day-before DM for a shift still ahead
        (n, p.message.channel[1:])
        for n, p in shell.pressables.items()
        if p.message is not None
        and p.message.channel.startswith("D")
        and p.message.channel != "DUALEX"
        and p.button.action_id == act.CONFIRM
    )
    name = shell.slack.people[owner].name
    shell.handle(f"click {number}")
    assert f"That button is in @{name}'s DM; `as @{name}` to press it." in out.getvalue()
    shell.handle(f"as @{name}")
    shell.handle(f"click {number}")
    shell.run()
    assert out.getvalue().count("That button is in") == 1
    assert f"── DM to @{name} (updated) ──" in out.getvalue()


# ---------------------------------------------------------------- 6. rehearsing the install steps


def test_the_install_steps_can_be_rehearsed_without_the_demo(tmp_path: Path) -> None:
    out = session(
        tmp_path / "plain.db",
        "in #iowa",
        "/turnout state IA #iowa",
        "as @cora",
        "as @you",
        "/turnout coordinator @cora IA",
        "users",
        demo=False,
    )
    assert "Created #iowa in the local workspace." in out and "Now in #iowa." in out
    assert "Iowa (IA) now posts in #iowa" in out
    assert "Added @cora to the local workspace" in out and "You are now @cora." in out
    assert "@cora now coordinates IA." in out
    assert re.search(r"@cora\s+Cora\s+coordinator IA", out)


@pytest.mark.parametrize("line", ["in #Not A Channel!", "as @who?"])
def test_names_slack_would_refuse_are_not_created(tmp_path: Path, line: str) -> None:
    out = session(tmp_path / "plain.db", line, demo=False)
    assert "can't be a Slack" in out and "Created" not in out and "Added" not in out


def test_the_demo_answers_a_mistyped_name_instead_of_creating_it(tmp_path: Path) -> None:
    out = session(tmp_path / "demo.db", "as @corra", "in #iowaa")
    assert "No one called @corra here." in out and "There is no #iowaa." in out
    assert "Added" not in out and "Created" not in out


def test_lucia_reads_slack_in_spanish_so_the_demo_answers_her_in_spanish(tmp_path: Path) -> None:
    """SPEC §10: in the demo, @lucia's Slack is in Spanish; /log, /stats and /turnout answer her in
    Spanish, and the Spanish words she types count, while @alex is still answered in English."""
    out = session(
        tmp_path / "demo.db",
        "as @lucia",
        "/log 3 puertas",
        "/stats",
        "/turnout help",
        "/turnout people IA",
        "as @alex",
        "/turnout people IA",
    )
    lucia, alex = out.split("You are now @alex.")
    assert "Anotado: 3 puertas en Iowa. ¡Gracias!" in lucia
    assert "Tus totales de hoy: 3 puertas" in lucia
    assert "━━ Iowa hoy ━━" in lucia and "1 persona anotó hoy" in lucia
    assert "*Lo que puedes hacer con Turnout*" in lucia and "elegir tu estado" in lucia
    assert "Solo quien coordina IA (@cora) o un admin puede ver las personas de IA." in lucia
    assert "Iowa's people" in alex and "Personas" not in alex
