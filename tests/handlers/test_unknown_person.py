"""A role goes only to someone Slack knows; "not found" and "Slack is down" are told apart."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import Bot


def coordinator_rows(bot: Bot) -> int:
    with bot.deps.read_session() as session:
        return int(session.execute(sa.text("SELECT count(*) FROM coordinator")).scalar_one())


def test_a_role_for_an_id_slack_does_not_know_is_refused(bot: Bot) -> None:
    reply = bot.command("/turnout", "coordinator <@U0NOSUCH1> IA", user="UADMIN")
    assert reply.status == 200
    assert "I can't find that person in this workspace" in reply.text
    assert "U0NOSUCH1" not in reply.text and coordinator_rows(bot) == 0


def test_a_known_person_still_gets_the_role(bot: Bot) -> None:
    assert "now coordinates IA" in bot.command("/turnout", "coordinator <@UVOL2|ben> IA", user="UADMIN").text
    assert coordinator_rows(bot) == 1


def test_slack_being_down_is_not_taken_for_an_unknown_person(bot: Bot) -> None:
    bot.slack.fail_next("users.info", status=200, error="fatal_error", times=20, retry_after=None)
    reply = bot.command("/turnout", "coordinator <@UVOL2|ben> IA", user="UADMIN")
    assert reply.status == 200
    assert "can't find that person" not in reply.text
    assert "couldn't check that person with Slack" in reply.text
    assert coordinator_rows(bot) == 0


def test_a_channel_label_is_echoed_as_text(bot: Bot) -> None:
    reply = bot.command("/turnout", "state IA <#CGHOST|<!channel>", user="UADMIN")
    assert "I can't see #&lt;!channel" in reply.text and "<!channel" not in reply.text
