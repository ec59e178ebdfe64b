"""A rally's surge of /claim on one shift: every claim is answered once, the shift is never
overbooked, the waitlist is in order; on SQLite the claims that queue share commits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import sqlalchemy as sa

from bot.localslack.signing import signed_headers
from tests.conftest import SIGNING_SECRET, Bot
from tests.factories import TEAM, shift

FORM = "application/x-www-form-urlencoded"
PEOPLE = 30
CAPACITY = 12


def test_a_surge_of_claims_fills_the_shift_once_and_answers_each_once(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = shift(session, bot.clock(), capacity=CAPACITY)
    for n in range(PEOPLE):
        bot.slack.add_person(f"URALLY{n:03d}", f"rally{n}")

    def send(n: int) -> int:
        body = urlencode(
            {
                "command": "/claim",
                "text": str(shift_id),
                "user_id": f"URALLY{n:03d}",  # nobody Turnout has seen before
                "channel_id": "CIOWA",
                "team_id": TEAM,
                "response_url": bot.slack.response_url(f"rally{n}"),
                "trigger_id": f"t.rally{n}",
            }
        ).encode()
        status, ack = bot.driver.send_raw(body, signed_headers(SIGNING_SECRET, body, FORM))
        if ack:
            bot.slack.answer_in_ack(f"rally{n}", ack)
        return status

    # The first claims find the database busy for a moment, so the rest queue behind them.
    holder = bot.deps.engine.connect()
    held = holder.begin()  # on SQLite, BEGIN IMMEDIATE: the write lock
    if bot.deps.engine.dialect.name == "postgresql":
        holder.execute(sa.text("SELECT id FROM shift WHERE id = :id FOR UPDATE"), {"id": shift_id})
    release = threading.Timer(0.3, held.rollback)
    release.start()
    with ThreadPoolExecutor(max_workers=PEOPLE) as senders:
        statuses = list(senders.map(send, range(PEOPLE)))
    release.join()
    holder.close()
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle(timeout=60)

    assert statuses == [200] * PEOPLE
    replies = [bot.slack.responses(f"rally{n}") for n in range(PEOPLE)]
    assert [len(r) for r in replies] == [1] * PEOPLE, "each claim answered exactly once"
    assert not any("Something went wrong" in r[0].text for r in replies)
    with bot.deps.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT status, waitlist_seq FROM signup WHERE shift_id = :id ORDER BY waitlist_seq, id"),
            {"id": shift_id},
        ).all()
    assert len(rows) == PEOPLE, "each claim recorded once"
    assert sum(1 for status, _ in rows if status == "claimed") == CAPACITY, "never overbooked"
    waiting = [seq for status, seq in rows if status == "waitlisted"]
    assert waiting == list(range(1, PEOPLE - CAPACITY + 1)), "the waitlist in order, no place twice"
    if bot.deps.engine.dialect.name == "sqlite":
        assert bot.deps.writes.batches >= 1, "claims that queued shared a commit"
        assert bot.deps.writes.replays == 0
