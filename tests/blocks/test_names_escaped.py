"""Names people chose are shown as text: a display name never becomes a live mention or @channel."""

from __future__ import annotations

import json

from bot.blocks.stats import build_personal_stats
from bot.i18n import ENGLISH
from bot.localslack.reading import message_text
from bot.models import State
from bot.services.counts import Counts
from bot.services.stats import PersonalStats
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM

SNEAKY = "<!channel> <@U0VOLBOB01>"


def bob_logs_in_iowa(bot: Bot) -> None:
    bot.slack.add_person("UBOB", SNEAKY, real_name=SNEAKY)
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
        session.add(row)
    assert "40 doors" in bot.command("/log", "40 doors", user="UBOB", channel="CIOWA").text


def assert_inert(shown: str) -> None:
    assert "<!channel>" not in shown and "<@U0VOLBOB01>" not in shown, shown
    assert "&lt;!channel&gt; &lt;@U0VOLBOB01&gt;" in shown, shown


def test_the_evening_post_shows_a_sneaky_name_as_text(bot: Bot) -> None:
    bob_logs_in_iowa(bot)
    assert "Posted evening digest" in bot.command("/turnout", "digest IA evening", user="UCOORD").text
    (post,) = bot.slack.posts_in("CIOWA")
    assert "Top volunteers" in message_text(post)
    assert_inert(json.dumps(post.blocks) + post.text)


def test_the_leaderboard_shows_a_sneaky_name_as_text(bot: Bot) -> None:
    bob_logs_in_iowa(bot)
    reply = bot.command("/leaderboard", "IA week", user="UVOL1").reply
    assert_inert(json.dumps(reply.blocks) + reply.text)


def test_personal_stats_show_a_sneaky_name_only_as_plain_text() -> None:
    zero = Counts()
    reply = build_personal_stats(
        PersonalStats(zero, zero, zero, shifts_attended=1, streak=2), SNEAKY, ENGLISH
    )
    header, *rest = reply.blocks
    # A header is plain text, which Slack never turns into a mention.
    assert header["type"] == "header" and header["text"]["type"] == "plain_text"
    assert "U0VOLBOB01" not in json.dumps(rest) + reply.text
