"""`turnout shell`, driven through its input and output as a person would drive it.

The shell runs in this process on in-memory streams; one test starts the installed `turnout`
command to prove the real entry point works end to end.
"""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

from bot.shell.terminal import Shell


@dataclass
class Session:
    returncode: int
    stdout: str
    stderr: str


def shell(db: Path, *lines: str, demo: bool = True) -> Session:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        returncode = Shell(db, demo=demo, inp=io.StringIO("\n".join(lines) + "\n"), out=out).run()
    return Session(returncode, out.getvalue(), err.getvalue())


def test_the_turnout_command_starts_the_shell(tmp_path: Path) -> None:
    turnout = shutil.which("turnout", path=str(Path(sys.executable).parent))
    assert turnout, "the `turnout` command is not installed next to this Python"
    result = subprocess.run(
        [turnout, "shell", "--demo", "--db", str(tmp_path / "demo.db")],
        input="/shifts IA\nclick 1\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo campaign seeded" in result.stdout
    assert "[1] Claim" in result.stdout and "You're on shift #1!" in result.stdout
    assert result.stdout.rstrip().endswith("Bye.")
    assert "Traceback" not in result.stdout + result.stderr


def test_a_first_session_claims_logs_fills_the_form_and_sees_the_evening(tmp_path: Path) -> None:
    result = shell(
        tmp_path / "demo.db",
        "/shifts IA",
        "click 1",
        "/log 25 doors 4 convos",
        "/log",  # the form: doors, calls, texts, convos, supporters, then the shift
        "",
        "12",
        "",
        "",
        "",
        "",
        "clock +1d",
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "[1] Claim" in out and "You're on shift #1!" in out
    assert "Recorded 25 doors · 4 conversations in Iowa" in out
    assert "── form: Log contacts" in out and "Recorded 12 calls in Iowa" in out
    assert "── #iowa ──" in out and "Iowa today ━━" in out  # the evening post
    assert "Good morning, Iowa!" in out and "DM to @alex" in out
    assert out.rstrip().endswith("Bye.")


def test_bad_shell_input_gets_one_line_and_the_shell_carries_on(tmp_path: Path) -> None:
    result = shell(
        tmp_path / "demo.db",
        "click 99",
        "as @nobody",
        "clock yesterday-ish",
        "clock 2020-01-01 09:00",
        "in #nowhere",
        "/frobnicate",
        "dance",
        "/claim banana",
        "users",
    )
    out = result.stdout
    assert result.returncode == 0
    assert "There is no button [99]. Buttons shown so far: none yet." in out
    assert "No one called @nobody here." in out
    assert "I can't read `yesterday-ish` as a time." in out
    assert "The clock only moves forward" in out
    assert "There is no #nowhere." in out
    assert "/frobnicate is not one of Turnout's commands" in out
    assert "I don't know `dance`." in out
    assert "`banana` is not a shift id." in out
    assert "@cora   Cora Lindqvist   coordinator IA" in out
    assert "Traceback" not in out + result.stderr


def test_as_and_in_switch_the_person_and_the_channel(tmp_path: Path) -> None:
    result = shell(tmp_path / "demo.db", "as @nate", "in #new-hampshire", "/turnout roster 6", "clock")
    out = result.stdout
    assert "You are now @nate." in out and "Now in #new-hampshire." in out
    assert "Roster for shift #6" in out and "only @nate sees this, in #new-hampshire" in out
    assert re.search(r"It is \w{3} \w{3} \d+ \d\d:\d\d E[SD]T", out)  # New Hampshire's time in its channel


def test_seeding_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    shell(db)
    again = shell(db)
    assert "Demo campaign already here" in again.stdout
    with sqlite3.connect(db) as connection:
        shifts = dict(connection.execute("SELECT team_id, count(*) FROM shift GROUP BY team_id").fetchall())
        people = dict(
            connection.execute("SELECT team_id, count(*) FROM volunteer GROUP BY team_id").fetchall()
        )
    assert shifts == {"T0SUNRISE": 21, "T0MTR": 5}
    # Sunrise: four staff, a dozen volunteers and @lucia; Make the Road: two staff, four volunteers.
    assert people == {"T0SUNRISE": 17, "T0MTR": 6}


def test_without_the_demo_you_are_an_admin_in_general(tmp_path: Path) -> None:
    result = shell(tmp_path / "plain.db", "/turnout state IA #general", "/shifts", demo=False)
    assert "@you in #general>" in result.stdout
    assert "Iowa (IA) now posts in #general" in result.stdout
    assert "No open shifts in Iowa" in result.stdout


def test_the_edit_form_keeps_what_the_shift_says_unless_retyped(tmp_path: Path) -> None:
    result = shell(
        tmp_path / "demo.db",
        "/turnout shift edit 1",
        "",  # date: as it is
        "",  # starts
        "",  # ends
        "12",  # capacity
        "",  # location: as it is
        "",  # notes
        "",  # repeat weeks
        "",  # repeat until
        "/turnout roster 1",
    )
    assert "form: Edit shift #1" in result.stdout
    assert "Changed shift #1" in result.stdout and "*Places:* 6 → 12" in result.stdout
    assert "*Where:*" not in result.stdout and "*When:*" not in result.stdout  # kept as they were
    assert "Traceback" not in result.stdout + result.stderr
