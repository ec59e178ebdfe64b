"""What grows with a campaign stays inside one section: lists are bounded, and a cut never
leaves half an entity or half a mention behind."""

from __future__ import annotations

from datetime import date

from bot.blocks.common import SECTION_TEXT, esc, fit, person, section
from bot.blocks.digests import MAX_CHEERS, MAX_NAMES, build_evening_post, no_show_line
from bot.localslack.limits import check_blocks
from bot.services.counts import Counts
from bot.services.digests import EveningDigest, WeeklyDigest
from bot.services.stats import Progress

DAY = date(2026, 11, 23)


def test_fit_keeps_short_text_and_cuts_long_text_at_a_line() -> None:
    assert fit("short") == "short"
    lines = "\n".join(f"line {n}" for n in range(1000))
    cut = fit(lines)
    assert len(cut) <= SECTION_TEXT and cut.endswith("…")
    assert all(line.startswith("line ") for line in cut.removesuffix("…").rstrip().split("\n"))


def test_fit_never_cuts_inside_an_entity_or_a_mention() -> None:
    escaped = esc("&" * 2000)  # 10,000 characters of `&amp;`
    cut = fit(escaped)
    assert len(cut) <= SECTION_TEXT and cut.removesuffix("…").endswith("&amp;")
    mentions = " ".join(f"<@U{n:08d}>" for n in range(400))
    assert fit(mentions).removesuffix("…").rstrip().endswith(">")
    assert len(section(mentions)["text"]["text"]) <= SECTION_TEXT


def test_a_launch_day_of_first_shifts_fits_the_evening_post() -> None:
    today = Progress("IA", DAY, Counts(), {}, 0)
    firsts = [f"U{n:08d}" for n in range(150)]
    digest = EveningDigest("IA", DAY, today, [], [(f"UST{n:06d}", 5) for n in range(40)], firsts)
    reply = build_evening_post(digest)
    check_blocks(reply.blocks, 50)
    text = "\n".join(b["text"]["text"] for b in reply.blocks if b["type"] == "section")
    assert text.count(":fire:") + text.count(":star2:") == MAX_CHEERS
    assert f"and {40 + 150 - MAX_CHEERS} more to cheer for" in text


def test_no_shows_name_each_person_once_with_how_often() -> None:
    names = ["Ana", "Ana", "Ana", "Ben"] + [f"Person {n}" for n in range(30)]
    digest = WeeklyDigest("IA", DAY, DAY, 5, 20, 10, len(names), [], names)
    line = no_show_line(digest)
    assert line.startswith(f"*No-shows:* {len(names)} (Ana ×3, Ben, ")
    assert line.count("Ana") == 1 and f"and {32 - MAX_NAMES} more" in line


def test_a_person_without_a_name_yet_is_a_mention_never_a_raw_id() -> None:
    assert person("U07ABCDEF", "U07ABCDEF") == "<@U07ABCDEF>"
    assert person("", "U07ABCDEF") == "<@U07ABCDEF>"
    assert person("<!channel> Ana", "U07ABCDEF") == "&lt;!channel&gt; Ana"
