"""One goal, many organizations: the campaign's goal, `/stats coalition`, `/leaderboard orgs`
and the coalition's line in every workspace's morning post, across two workspaces."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from bot.blocks.coalition import build_coalition_stats, build_org_leaderboard
from bot.config import Settings
from bot.i18n import ENGLISH, SPANISH, Lang
from bot.localslack.limits import check_message
from bot.localslack.reading import block_texts, message_text
from bot.models import Metric
from bot.services.coalition import CampaignProgress, CoalitionStats, OrgLeaderboard, OrgNumbers, OrgStanding
from bot.services.counts import Counts
from tests.conftest import SUNRISE, Bot, Coalition


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Sunrise's admin sam is the coalition's campaign admin."""
    return replace(settings, campaign_admins=frozenset({(SUNRISE, "USUNSAM")}))


def campaign_goals(bot: Bot) -> int:
    with bot.deps.read_session() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM campaigngoal")).scalar_one())


def both_bound(bot: Bot) -> None:
    """Each organization's #iowa is Iowa's channel; each has volunteers who logged."""
    assert "Iowa" in bot.command("/turnout", "state IA <#CSUNIA|iowa>", user="USUNSAM", channel="CSUNIA").text
    assert "Iowa" in bot.command("/turnout", "state IA <#CMTRIA|iowa>", user="UMTRMAX", channel="CMTRIA").text
    bot.command("/log", "40 doors 6 convos", user="USUNANA", channel="CSUNIA")
    bot.command("/log", "10 doors", user="USUNBEN", channel="CSUNIA")
    bot.command("/log", "100 calls 9 convos 2 supporters", user="UMTREVA", channel="CMTRIA")
    bot.command("/turnout", "home NH", user="UMTREVA", channel="CMTRIA")
    bot.command("/log", "5 texts", user="UMTREVA", channel="CMTRRANDOM")  # New Hampshire: still one person


def test_only_a_campaign_admin_sets_the_goal_and_every_mistake_is_named(coalition: Coalition) -> None:
    bot = coalition.bot
    refused = bot.command("/turnout", "campaign goal 1400000 supporters", user="UMTRMAX", channel="CMTRIA")
    assert "Only a campaign admin can set the coalition's goal" in refused.text
    mistakes = {
        "campaign goal lots supporters": "`lots` isn't a goal. A campaign goal is a whole number from 1 to 100,000,000.",
        "campaign goal 0 supporters": "`0` isn't a goal",
        "campaign goal 100000001 doors": "`100000001` isn't a goal",
        "campaign goal 1000 votes": "`votes` isn't a metric. Metrics: doors, calls, texts, convos, supporters.",
        "campaign goal 1000 doors by 2026-11-21": "2026-11-21 has passed (today is 2026-11-22)",
        "campaign goal 1000 doors by someday": "`someday` is not a date",
        "campaign goal 1000": "Give a number and a metric, and optionally `by` a date.",
        "campaign aim 1000 doors": "I don't understand `aim` here.",
    }
    for text, said in mistakes.items():
        assert said in bot.command("/turnout", text, user="USUNSAM", channel="CSUNIA").text, text
    assert campaign_goals(bot) == 0
    shown = bot.command("/turnout", "campaign", user="UMTREVA", channel="CMTRIA")
    assert "The coalition has no goal yet." in shown.text
    done = bot.command(
        "/turnout", "campaign goal 1,400,000 supporters by 2026-12-03", user="USUNSAM", channel="CSUNIA"
    )
    assert "The coalition's goal is now 1,400,000 supporters by Thu Dec 3." in done.text
    assert campaign_goals(bot) == 1
    # Another workspace sees the one goal.
    shown = bot.command("/turnout", "campaign", user="UMTREVA", channel="CMTRIA")
    assert "Coalition: 0 of 1,400,000 supporters (0%) · 11 days to Dec 3" in shown.text
    assert "/turnout campaign goal N METRIC" in bot.command("/turnout", "campaign help", user="UMTREVA").text


def test_stats_coalition_shows_each_organization_and_no_volunteer(coalition: Coalition) -> None:
    bot = coalition.bot
    both_bound(bot)
    bot.command("/turnout", "campaign goal 1000 supporters", user="USUNSAM", channel="CSUNIA")
    text = bot.command("/stats", "coalition", user="USUNANA", channel="CSUNIA").text
    assert "Coalition: 2 of 1,000 supporters (0%)" in text
    assert "*Sunrise*\nToday: 50 doors · 6 conversations" in text
    assert "*Make the Road*\nToday: 100 calls · 5 texts · 9 conversations · 2 supporters" in text
    assert ":busts_in_silhouette: 1 volunteer active today · 1 this week" in text  # eva, in two states
    assert ":busts_in_silhouette: 2 volunteers active today · 2 this week" in text
    for private in ("USUN", "UMTR", "Ana", "Eva", "Ben", "<@"):
        assert private not in text
    # The same numbers from the other workspace, in Spanish words too.
    assert text == bot.command("/stats", "coalition", user="UMTREVA", channel="CMTRIA").text


def test_leaderboard_orgs_ranks_organizations_with_their_names_escaped(coalition: Coalition) -> None:
    bot = coalition.bot
    both_bound(bot)
    bot.command("/turnout", "org <!channel> & Friends", user="UMTRMAX", channel="CMTRIA")
    text = bot.command("/leaderboard", "orgs", user="USUNANA", channel="CSUNIA").text
    assert "Organizations: All states, this week" in text
    assert (
        ":first_place_medal: *&lt;!channel&gt; &amp; Friends* — *116* contacts (9 conversations) · 1 active this week"
        in text
    )
    assert ":second_place_medal: *Sunrise* — *56* contacts (6 conversations) · 2 active this week" in text
    assert "Your organization is #2." in text and "<!channel>" not in text
    iowa = bot.command("/leaderboard", "orgs IA today", user="UMTREVA", channel="CMTRIA").text
    assert "Organizations: Iowa, today" in iowa and "*111* contacts" in iowa and "1 active today" in iowa
    assert "Your organization is #1." in iowa
    nh = bot.command("/leaderboard", "orgs NH all", user="USUNBEN", channel="CSUNIA").text
    assert "*5* contacts" in nh and "Sunrise" not in nh
    assert "Active volunteers are this week's" in nh
    bad = bot.command("/leaderboard", "orgs IA forever", user="USUNBEN", channel="CSUNIA").text
    assert "I don't understand `forever` here" in bad


def test_every_workspace_s_morning_post_carries_the_coalition_line(coalition: Coalition) -> None:
    bot = coalition.bot
    both_bound(bot)
    bot.command("/turnout", "digest IA morning", user="UMTRMAX", channel="CMTRIA")
    (before,) = bot.slack.posts_in("CMTRIA")
    assert "Coalition:" not in message_text(before)
    bot.command("/turnout", "campaign goal 200 conversations by 2026-11-30", user="USUNSAM", channel="CSUNIA")
    for admin, channel in (("UMTRMAX", "CMTRIA"), ("USUNSAM", "CSUNIA")):
        bot.command("/turnout", "digest IA morning", user=admin, channel=channel)
        (post,) = bot.slack.posts_in(channel)
        assert ":earth_americas: Coalition: 15 of 200 conversations (8%) · 8 days to Nov 30" in message_text(
            post
        )


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=lambda lang: lang.code)
def test_fifty_organizations_with_the_longest_names_fit_slack(lang: Lang) -> None:
    name = "<&>" * 26 + "xy"  # 80 characters, each of the first 78 escaped to 4 or 5
    counts = Counts(99999, 99999, 99999, 99999, 99999)
    orgs = [OrgNumbers(f"T{n:04d}", name, counts, 9999, counts, 9999, counts) for n in range(50)]
    progress = CampaignProgress(
        100_000_000, Metric.SUPPORTERS, date(2026, 11, 3), 99_999_999, date(2026, 11, 1)
    )
    stats = build_coalition_stats(CoalitionStats(date(2026, 11, 1), date(2026, 10, 26), progress, orgs), lang)
    assert check_message(stats.text, stats.blocks, require_text=True) == []
    more = lang.ngettext("…and {count} more organization.", "…and {count} more organizations.", 30)
    assert more in "\n".join(block_texts(stats.blocks))
    rows = [OrgStanding(n + 1, f"T{n:04d}", name, 499995, 99999, 9999) for n in range(20)]
    for window in ("today", "week", "all"):
        board = build_org_leaderboard(
            OrgLeaderboard("IA", window, None, date(2026, 11, 1), rows, rows[3]), lang
        )
        assert check_message(board.text, board.blocks, require_text=True) == []
        assert "<&>" not in "\n".join(block_texts(board.blocks))
