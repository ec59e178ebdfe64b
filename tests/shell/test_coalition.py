"""`turnout shell --demo` is a coalition: two organizations, each with Turnout installed in its own
workspace through Slack's install flow, and a person of either to act as."""

from __future__ import annotations

import io
from pathlib import Path

from bot.shell.terminal import Shell


def started(db: Path) -> tuple[Shell, io.StringIO]:
    out = io.StringIO()
    return Shell(db, demo=True, inp=io.StringIO(""), out=out), out


def run(shell: Shell, out: io.StringIO, *lines: str) -> str:
    for line in lines:
        shell.out.write(shell.prompt() + line + "\n")
        shell.handle(line)
    shell.run()
    return out.getvalue()


def test_both_organizations_install_through_slacks_install_flow_and_are_listed(tmp_path: Path) -> None:
    shell, out = started(tmp_path / "demo.db")
    codes = [str(c.params.get("code", "")) for c in shell.slack.calls_to("oauth.v2.access")]
    assert [code.rsplit("-", 1)[0] for code in codes] == ["code-T0SUNRISE", "code-T0MTR"]
    assert sorted(shell.deps.workspaces.active()) == ["T0MTR", "T0SUNRISE"]
    said = run(shell, out, "orgs", "/stats coalition")
    assert "@alex@sunrise in #iowa> orgs" in said
    assert "sunrise  Sunrise          T0SUNRISE  installed, 17 people, #iowa" in said
    assert "mtr      Make the Road    T0MTR      installed, 6 people, #iowa #general" in said
    coalition = said.split("/stats coalition")[-1]
    assert "*Sunrise*" in coalition and "*Make the Road*" in coalition
    assert "*Turnout shell*" not in coalition  # the stand-in's own workspace is no organization here
    # Started again, the fresh stand-in has forgotten its tokens: installed again, seeded once.
    again, out = started(tmp_path / "demo.db")
    assert len(again.slack.calls_to("oauth.v2.access")) == 2
    assert "Demo campaign already here" in run(again, out, "orgs")


def test_a_person_of_either_organization_sees_only_their_own(tmp_path: Path) -> None:
    shell, out = started(tmp_path / "demo.db")
    said = run(shell, out, "as @ana", "/myshifts", "as @ana@mtr", "/shifts IA", "as @lucia", "/log 3 puertas")
    sunrise_ana, rest = said.split("@ana@sunrise in #iowa> as @ana@mtr")
    mtr_ana, lucia = rest.split("@ana@mtr in #iowa> as @lucia")
    assert "You are now @ana." in sunrise_ana  # @name alone: the current organization's
    assert "You are now @ana of Make the Road, in #iowa." in mtr_ana
    assert "Make the Road office, 1 E Grand Ave" in mtr_ana and "Des Moines field office" not in mtr_ana
    assert "only @ana sees this, in #iowa" in mtr_ana
    # The only @lucia is Sunrise's, and she is still answered in Spanish.
    assert "You are now @lucia of Sunrise, in #iowa." in lucia and "Anotado: 3 puertas en Iowa" in lucia


def test_in_a_channel_of_another_organization_acts_as_one_of_its_people(tmp_path: Path) -> None:
    shell, out = started(tmp_path / "demo.db")
    said = run(
        shell,
        out,
        "in #iowa@mtr",
        "users",
        "in #general",
        "in #nowhere@mtr",
        "as @ana@nowhere",
        "as @nobody@mtr",
    )
    assert "Now in #iowa of Make the Road, as @max: only Make the Road's people are in its channels." in said
    assert "@max@mtr in #iowa> users" in said
    users = said.split("@max@mtr in #iowa> users")[1]
    assert users.index("Make the Road (you are here)") < users.index("Sunrise: `as @name@sunrise`")
    assert "@max    Max Ortiz        admin (you are here)" in users
    assert "@rosa   Rosa Jiménez     coordinator IA" in users
    assert "@max@mtr in #general>" in said
    assert "There is no #nowhere@mtr. Channels: #iowa, #general." in said
    assert (
        "There is no organization `nowhere` here. Organizations: sunrise (Sunrise), mtr (Make the Road)."
        in said
    )
    assert "No one called @nobody in Make the Road. `users` lists everyone." in said


def test_another_organizations_posts_are_marked_and_their_buttons_are_theirs(tmp_path: Path) -> None:
    shell, out = started(tmp_path / "demo.db")
    shell.handle("clock +1d")  # both organizations' scheduled posts, each in its own #iowa
    said = out.getvalue()
    assert "── #iowa ──" in said and "── #iowa@mtr ──" in said
    assert "── DM to @eva@mtr ──" in said
    number = max(
        n
        for n, p in shell.pressables.items()
        if p.message is not None and p.message.channel == "CMTRIOWA" and p.message.ephemeral_to is None
    )
    said = run(shell, out, f"click {number}", "as @max@mtr", "/turnout org Make the Road Iowa", "orgs")
    assert (
        "That button is in #iowa@mtr, another organization's workspace; `in #iowa@mtr` to press it." in said
    )
    assert "mtr      Make the Road Iowa T0MTR" in said


def test_one_organization_without_the_demo_has_no_org_marks(tmp_path: Path) -> None:
    out = io.StringIO()
    shell = Shell(tmp_path / "plain.db", demo=False, inp=io.StringIO(""), out=out)
    said = run(shell, out, "orgs", "as @ana@turnout-local", "as @ana@elsewhere")
    assert "@you in #general> orgs" in said
    assert "turnout-local Turnout shell" in said and "acts in another" not in said
    assert "No one called @ana in Turnout shell." in said
    assert "There is no organization `elsewhere` here." in said


def test_the_demo_shares_one_of_sunrise_s_iowa_canvasses_claimable_from_both(tmp_path: Path) -> None:
    shell, out = started(tmp_path / "demo.db")
    said = run(
        shell,
        out,
        "as @ana@mtr",
        "/shifts IA",
        "/claim 5",
        "as @ana@sunrise",
        "/shifts IA",
        "/claim 5",
        "as @alex",
        "/turnout roster 5",
    )
    mtr_ana, sunrise = said.split("@ana@mtr in #iowa> as @ana@sunrise")
    listed = mtr_ana.split("/claim 5")[0]
    assert "#5 · Canvass" in listed and "Cedar Rapids library" in listed and "Shared by Sunrise" in listed
    assert "You're on shift #5!" in mtr_ana, mtr_ana
    sunrise_ana, roster = sunrise.split("> as @alex")
    assert "#5 · Canvass" in sunrise_ana and "You're on shift #5!" in sunrise_ana, sunrise_ana
    # Sunrise's roster names Make the Road's @ana with her organization.
    assert "(Make the Road)" in roster, roster
    assert "There is no shift" not in said
