"""An evening's surge of /log: many people logging at once are each recorded once and answered
once, with the state's day adding up; on SQLite the logs that queue share commits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import sqlalchemy as sa

from bot.localslack.signing import signed_headers
from bot.services.states import ensure_state
from tests.conftest import SIGNING_SECRET, Bot
from tests.factories import TEAM

FORM = "application/x-www-form-urlencoded"
PEOPLE = 40


def test_a_surge_of_logs_is_recorded_once_and_answered_once(bot: Bot) -> None:
    with bot.deps.session() as session:
        ensure_state(session, team_id=TEAM, code="IA", now=bot.clock()).channel_id = "CIOWA"

    for n in range(PEOPLE):
        bot.slack.add_person(f"USURGE{n:03d}", f"surge{n}")

    def send(n: int) -> tuple[int, str]:
        body = urlencode(
            {
                "command": "/log",
                "text": "3 doors 1 convos",
                "user_id": f"USURGE{n:03d}",  # nobody Turnout has seen before
                "channel_id": "CIOWA",
                "team_id": "T0TURNOUT",
                "response_url": bot.slack.response_url(f"surge{n}"),
                "trigger_id": f"t.surge{n}",
            }
        ).encode()
        status, ack = bot.driver.send_raw(body, signed_headers(SIGNING_SECRET, body, FORM))
        if ack:
            bot.slack.answer_in_ack(f"surge{n}", ack)
        return status, ack

    # The first logs find the database busy for a moment, so the rest queue behind them.
    holder = bot.deps.engine.connect()
    held = holder.begin()  # on SQLite, BEGIN IMMEDIATE: the write lock
    release = threading.Timer(0.3, held.rollback)
    release.start()
    with ThreadPoolExecutor(max_workers=PEOPLE) as senders:
        acks = list(senders.map(send, range(PEOPLE)))
    release.join()
    holder.close()
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle(timeout=60)

    assert [status for status, _ack in acks] == [200] * PEOPLE
    replies = [bot.slack.responses(f"surge{n}") for n in range(PEOPLE)]
    assert [len(r) for r in replies] == [1] * PEOPLE, "each log answered exactly once"
    assert all(r[0].text.startswith(":white_check_mark: Recorded 3 doors") for r in replies)
    with bot.deps.engine.connect() as connection:
        logs = connection.execute(sa.text("SELECT count(*), count(DISTINCT volunteer_id) FROM contactlog"))
        assert tuple(logs.one()) == (PEOPLE, PEOPLE)
        day = connection.execute(
            sa.text("SELECT sum(doors), sum(convos), sum(logs), sum(active) FROM stateday WHERE state = 'IA'")
        ).one()
        assert tuple(day) == (3 * PEOPLE, PEOPLE, PEOPLE, PEOPLE)
    if bot.deps.engine.dialect.name == "sqlite":
        assert bot.deps.writes.batches >= 1, "logs that queued shared a commit"
        assert bot.deps.writes.replays == 0
