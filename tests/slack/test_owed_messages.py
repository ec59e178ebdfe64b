"""Every message Turnout owes someone is delivered exactly once: recorded, tried at once,
retried by the scheduler tick after Slack recovers, never sent twice, in order per person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.blocks import actions as act
from bot.blocks.common import Reply
from bot.localslack.reading import buttons, message_text
from bot.localslack.webapi import Message
from bot.models import Delivery, DeliveryKind, Shift
from bot.services.deliveries import (
    STALE_AFTER,
    Claim,
    claim_delivery,
    complete_delivery,
    drop_delivery,
    metadata_key,
    payload_json,
    record_delivery,
    take,
)
from bot.slack import owed
from bot.slack.delivery import EVENT_TYPE, Fate, failed_try
from jobs.runner import run_due
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM
from tests.fastbot import slack_down, slack_up

ADD = "shift add IA 2026-11-28 10:00-13:00 canvass 5 Des Moines HQ"
PENDING = "Slack didn't take the post yet; I'll keep trying."


def tick(bot: Bot, **later: float) -> None:
    bot.clock.advance(**later)
    run_due(bot.deps, bot.clock())


def deliveries(bot: Bot, kind: str) -> list[Delivery]:
    with bot.deps.read_session() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)).all())


def claim_reminder(
    bot: Bot,
    user: str = "UVOL1",
    text: str = "Your shift starts soon.",
    *,
    useful_for: timedelta = timedelta(hours=2),
) -> Claim:
    """A reminder DM to `user`, recorded and claimed for sending now (as a sender would)."""
    with bot.deps.session() as session:
        claim = claim_delivery(
            session,
            team_id=TEAM,
            kind=DeliveryKind.REMINDER,
            target=user,
            key="7",
            now=bot.clock(),
            payload=payload_json(text, None),
            expires_at=bot.clock() + useful_for,
        )
    assert claim is not None
    return claim


def shift_posts(bot: Bot) -> list[Message]:
    """Shift posts in #iowa (ticks that move the clock by days also post digests there)."""
    return [m for m in bot.slack.posts_in("CIOWA") if _stamp(m).startswith("shift_post:")]


def morning_posts(bot: Bot) -> list[Message]:
    return [m for m in bot.slack.posts_in("CIOWA") if _stamp(m).startswith("morning:")]


def _stamp(message: Message) -> str:
    return str(((message.metadata or {}).get("event_payload") or {}).get("key", ""))


def bind_iowa(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")


def test_a_shift_post_slack_refused_is_retried_after_it_recovers_and_lands_once(fast_bot: Bot) -> None:
    bot = fast_bot
    bind_iowa(bot)
    slack_down(bot, tries=1)
    created = bot.command("/turnout", ADD, user="UADMIN")
    assert created.text.startswith("Added shift #1.") and PENDING in created.text
    assert "posted" not in created.text and shift_posts(bot) == []
    slack_up(bot)
    tick(bot, minutes=1)
    (post,) = shift_posts(bot)
    assert "Des Moines HQ" in message_text(post)
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None and shift.message_ts == post.ts  # claims now redraw it
    tick(bot, minutes=30)
    assert len(shift_posts(bot)) == 1
    (delivery,) = deliveries(bot, DeliveryKind.SHIFT_POST)
    assert delivery.status == "sent" and delivery.message_ts == post.ts


def test_a_shift_post_is_not_retried_once_the_shift_has_started(fast_bot: Bot) -> None:
    bot = fast_bot
    bind_iowa(bot)
    slack_down(bot, tries=1)
    bot.command("/turnout", ADD, user="UADMIN")
    slack_up(bot)
    tick(bot, days=7)
    assert shift_posts(bot) == []
    (delivery,) = deliveries(bot, DeliveryKind.SHIFT_POST)
    assert delivery.status == "failed" and delivery.last_error == "no longer useful"


def test_a_promotion_dm_slack_refused_is_sent_once_after_it_recovers(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    slack_down(bot, tries=1)
    assert "You're off shift" in bot.command("/unclaim", str(shift_id), user="UVOL1").text
    assert bot.slack.dms_to("UVOL2") == []
    slack_up(bot)
    tick(bot, minutes=1)
    tick(bot, minutes=10)
    (dm,) = bot.slack.dms_to("UVOL2")
    assert "it's yours" in message_text(dm)


def test_cancel_says_who_was_told_and_the_rest_are_retried(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock())
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    slack_down(bot, tries=1)  # the first DM fails, the second goes
    cancelled = bot.cancel_shift(shift_id, user="UCOORD")
    assert "Told 1 of 2 people so far; the rest are on their way or will be retried." in cancelled.text
    told = [user for user in ("UVOL1", "UVOL2") if bot.slack.dms_to(user)]
    assert len(told) == 1
    tick(bot, minutes=1)
    tick(bot, minutes=10)
    for user in ("UVOL1", "UVOL2"):
        (dm,) = bot.slack.dms_to(user)
        assert "has been cancelled" in message_text(dm)


def test_cancel_with_slack_up_tells_everyone(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock())
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    cancelled = bot.cancel_shift(shift_id, user="UCOORD")
    assert "Told 2 people by DM." in cancelled.text


def test_a_cancellation_dm_is_not_retried_after_the_shift_would_have_ended(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock())
    bot.command("/claim", str(shift_id), user="UVOL1")
    slack_down(bot, tries=1)
    bot.cancel_shift(shift_id, user="UCOORD")
    slack_up(bot)
    tick(bot, days=5)
    assert bot.slack.dms_to("UVOL1") == []
    (delivery,) = deliveries(bot, DeliveryKind.CANCELLED)
    assert delivery.status == "failed"


def test_the_roster_remove_dm_is_retried(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    roster = bot.command("/turnout", f"roster {shift_id}", user="UADMIN").reply
    slack_down(bot, tries=1)
    bot.click(roster, act.REMOVE, user="UADMIN", value=buttons(roster)[0]["value"])
    assert bot.slack.dms_to("UVOL1") == [] or len(bot.slack.dms_to("UVOL1")) == 1
    slack_up(bot)
    tick(bot, minutes=1)
    tick(bot, minutes=10)
    (dm,) = bot.slack.dms_to("UVOL1")
    assert "took you off shift" in message_text(dm)


# ---------------------------------------------------------------- a slow answer, a crash


def test_a_post_answered_after_the_client_gave_up_is_found_not_sent_again(fast_bot: Bot) -> None:
    bot = fast_bot
    bind_iowa(bot)
    bot.slack.delay_next("chat.postMessage", seconds=12)
    created = bot.command("/turnout", ADD, user="UADMIN")
    # The shift exists and its post is pending: not "nothing was changed".
    assert created.text.startswith("Added shift #1.") and PENDING in created.text
    (post,) = shift_posts(bot)  # Slack did it; the answer just came too late
    retyped = bot.command("/turnout", ADD, user="UADMIN")
    assert retyped.text.startswith("Already added shift #1")
    tick(bot, minutes=1)
    assert shift_posts(bot) == [post]
    (delivery,) = deliveries(bot, DeliveryKind.SHIFT_POST)
    assert delivery.status == "sent" and delivery.message_ts == post.ts
    with bot.deps.read_session() as session:
        assert len(session.exec(select(Shift)).all()) == 1
        shift = session.get(Shift, 1)
        assert shift is not None and shift.message_ts == post.ts


def test_a_retyped_shift_add_after_ten_minutes_or_by_someone_else_is_a_new_shift(fast_bot: Bot) -> None:
    bot = fast_bot
    bind_iowa(bot)
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    assert "Added shift #1" in bot.command("/turnout", ADD, user="UADMIN").text
    assert "Already added shift #1" in bot.command("/turnout", ADD, user="UADMIN").text
    assert "Added shift #2" in bot.command("/turnout", ADD, user="UCOORD").text
    bot.clock.advance(minutes=11)
    assert "Added shift #3" in bot.command("/turnout", ADD, user="UADMIN").text


def test_a_morning_digest_answered_late_ends_sent_with_the_real_ts(fast_bot: Bot) -> None:
    bot = fast_bot
    bind_iowa(bot)
    bot.clock.now = bot.clock.now.replace(hour=15, minute=0) + timedelta(days=2)  # 09:00 in Iowa
    bot.slack.delay_next("chat.postMessage", seconds=12)
    tick(bot)
    (post,) = morning_posts(bot)
    (delivery,) = deliveries(bot, DeliveryKind.MORNING)
    assert delivery.status == "retry"
    tick(bot, seconds=30)
    tick(bot, minutes=1)
    tick(bot, minutes=6)
    assert morning_posts(bot) == [post]
    (delivery,) = deliveries(bot, DeliveryKind.MORNING)
    assert delivery.status == "sent" and delivery.message_ts == post.ts and delivery.channel_id == "CIOWA"


def test_a_crash_between_sending_and_completing_does_not_send_twice(fast_bot: Bot) -> None:
    bot = fast_bot
    text = "Your shift starts soon."
    key = metadata_key(DeliveryKind.REMINDER, "UVOL1", "7")
    claim_reminder(bot, text=text)  # a scheduler claimed a DM, sent it, and was killed
    sent = bot.client.chat_postMessage(
        channel="UVOL1", text=text, metadata={"event_type": EVENT_TYPE, "event_payload": {"key": key}}
    )
    tick(bot, minutes=1)  # the claim may still be live: left alone
    assert len(bot.slack.dms_to("UVOL1")) == 1
    tick(bot, seconds=STALE_AFTER.total_seconds())
    tick(bot, minutes=1)
    assert len(bot.slack.dms_to("UVOL1")) == 1
    (delivery,) = deliveries(bot, DeliveryKind.REMINDER)
    assert delivery.status == "sent" and delivery.message_ts == sent["ts"]


def test_a_crash_before_sending_sends_it_once_the_claim_is_stale(fast_bot: Bot) -> None:
    bot = fast_bot
    claim_reminder(bot)
    tick(bot, seconds=STALE_AFTER.total_seconds() + 1)
    tick(bot, minutes=1)
    (dm,) = bot.slack.dms_to("UVOL1")
    assert dm.text == "Your shift starts soon."


# ---------------------------------------------------------------- order per person and shift


def test_a_cancellation_never_overtakes_a_pending_promotion_dm(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    slack_down(bot, tries=1)
    bot.command("/unclaim", str(shift_id), user="UVOL1")  # UVOL2's promotion DM fails
    slack_up(bot)
    cancelled = bot.cancel_shift(shift_id, user="UCOORD")
    assert "Told 0 of 1 people so far" in cancelled.text
    assert bot.slack.dms_to("UVOL2") == []  # the cancellation waits behind the promotion
    tick(bot, minutes=1)
    tick(bot, minutes=10)
    # The promotion is pointless once the shift is cancelled: only the cancellation goes.
    (dm,) = bot.slack.dms_to("UVOL2")
    assert "has been cancelled" in message_text(dm)
    (promotion,) = deliveries(bot, DeliveryKind.PROMOTED)
    assert promotion.status == "failed" and promotion.last_error == "no longer useful"


def test_messages_to_one_person_about_one_shift_go_out_in_the_order_recorded(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    roster = bot.command("/turnout", f"roster {shift_id}", user="UADMIN").reply
    slack_down(bot, tries=1)
    bot.command("/unclaim", str(shift_id), user="UVOL1")  # UVOL2 moves up; the DM fails
    slack_up(bot)
    roster = bot.command("/turnout", f"roster {shift_id}", user="UADMIN").reply
    remove = next(b for b in buttons(roster) if b["action_id"] == act.REMOVE)
    bot.click(roster, act.REMOVE, user="UADMIN", value=remove["value"])  # then UVOL2 is removed
    assert bot.slack.dms_to("UVOL2") == []  # the removal waits behind the promotion
    tick(bot, minutes=1)
    tick(bot, minutes=10)
    texts = [message_text(m) for m in bot.slack.dms_to("UVOL2")]
    assert len(texts) == 2 and "it's yours" in texts[0] and "took you off shift" in texts[1]


def test_a_sender_whose_claim_went_stale_cannot_undo_the_send_that_took_it_over(fast_bot: Bot) -> None:
    """A sender that hangs past STALE_AFTER loses its claim; the tick takes the message over
    and sends it. When the first sender's try comes back failed (or the message no longer
    worth sending), what it records must not turn the sent message back into one owed."""
    bot = fast_bot
    first = claim_reminder(bot)
    tick(bot, seconds=STALE_AFTER.total_seconds() + 1)  # the tick takes it over and sends it
    assert len(bot.slack.dms_to("UVOL1")) == 1
    late = failed_try(bot.deps, first, "no_answer", "Slack did not answer (ReadTimeout)", permanent=False)
    assert late.fate == Fate.ALREADY and late.ts == bot.slack.dms_to("UVOL1")[0].ts
    with bot.deps.session() as session:
        drop_delivery(session, claim=first)
    (delivery,) = deliveries(bot, DeliveryKind.REMINDER)
    assert delivery.status == "sent" and delivery.last_error is None
    tick(bot, hours=1)
    assert len(bot.slack.dms_to("UVOL1")) == 1


def test_an_owed_message_whose_retry_fails_holds_up_none_of_the_others(
    fast_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever goes wrong retrying one owed message, the tick goes on to the next, and the
    one that failed is tried again at a later tick."""
    bot = fast_bot
    for user in ("UVOL1", "UVOL2"):
        claim_reminder(bot, user, f"Your shift starts soon, {user}.")
    message = owed._message

    def broken_for_the_first(session: Session, row: Delivery, now: datetime) -> Reply | None:
        if row.target == "UVOL1":
            raise RuntimeError("a payload that cannot be read")
        return message(session, row, now)

    monkeypatch.setattr(owed, "_message", broken_for_the_first)
    tick(bot, seconds=STALE_AFTER.total_seconds() + 1)  # both claims stale: both owed again
    assert bot.slack.dms_to("UVOL1") == []
    assert [m.text for m in bot.slack.dms_to("UVOL2")] == ["Your shift starts soon, UVOL2."]
    monkeypatch.setattr(owed, "_message", message)
    tick(bot, minutes=1)
    assert [m.text for m in bot.slack.dms_to("UVOL1")] == ["Your shift starts soon, UVOL1."]
    assert len(bot.slack.dms_to("UVOL2")) == 1


def test_an_expired_claim_completed_as_the_tick_gives_it_up_stays_sent(fast_bot: Bot) -> None:
    """The tick reads a stale claim on a message that has expired; before it gives the message
    up, the claim's own sender, slow but not dead, records it sent. The tick's giving up is a
    compare-and-set on what it read, so the send stands. (On PostgreSQL: SQLite's writers take
    turns, so there the sender's write cannot come between the tick's read and its own.)"""
    bot = fast_bot
    if bot.deps.engine.dialect.name == "sqlite":
        pytest.skip("SQLite's write transactions take turns: the race needs two writers at once")
    first = claim_reminder(bot, useful_for=timedelta(minutes=1))
    later = bot.clock() + STALE_AFTER + timedelta(seconds=1)
    with bot.deps.session() as tick_session:
        row = tick_session.exec(select(Delivery).where(Delivery.target == "UVOL1")).one()
        assert row.status == "claimed"
        with bot.deps.session() as sender:
            complete_delivery(sender, claim=first, channel_id="DUVOL1", message_ts="1.000100", now=later)
        assert take(tick_session, row, later) is None
    (delivery,) = deliveries(bot, DeliveryKind.REMINDER)
    assert delivery.status == "sent" and delivery.message_ts == "1.000100"


def test_a_database_out_of_reach_stops_a_ticks_retries_at_the_first(fast_bot: Bot) -> None:
    """Each owed delivery's retry would wait on a database that cannot be reached (SQLite's busy
    timeout, PostgreSQL's connection attempt): the first such failure ends the tick's retries,
    for the next tick to take up, rather than being waited out once per delivery."""
    bot = fast_bot
    for user in ("UVOL1", "UVOL2", "UVOL3"):
        claim_reminder(bot, user)
    tries: list[int] = []

    @contextmanager
    def unreachable() -> Iterator[Session]:
        tries.append(1)
        raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
        yield  # a generator, as a session factory is

    down = replace(bot.deps, session=unreachable)
    bot.clock.advance(seconds=STALE_AFTER.total_seconds() + 1)  # every claim stale: all three owed
    with pytest.raises(sa.exc.OperationalError):
        owed.retry_owed(down, bot.client, TEAM)
    assert len(tries) == 1


def test_a_message_claimed_late_in_a_long_tick_is_not_taken_over_and_sent_again(fast_bot: Bot) -> None:
    """A tick's claim is dated when it is taken: dated from the tick's start, six minutes of
    earlier retries would make it stale at once, and another process would send it too."""
    bot = fast_bot
    tick_began = bot.clock()
    with bot.deps.session() as session:
        record_delivery(
            session,
            team_id=TEAM,
            kind=DeliveryKind.REMINDER,
            target="UVOL1",
            key="7",
            now=tick_began,
            payload=payload_json("Your shift starts soon.", None),
            expires_at=tick_began + timedelta(hours=2),
        )
        (delivery_id,) = session.exec(select(Delivery.id)).all()
    bot.clock.advance(minutes=6)  # the tick's earlier retries took six minutes
    others: list[object] = []

    def meanwhile(_channel: str) -> None:  # after the tick took it, before it is sent
        others.append(owed._retry_message(bot.deps, bot.client, delivery_id, bot.clock(), None))

    owed.retry_owed(bot.deps, bot.client, TEAM, wait=meanwhile)
    assert others == [None]  # the other sender found it claimed
    assert len(bot.slack.dms_to("UVOL1")) == 1


def test_a_tick_dated_ahead_of_the_clock_leaves_a_fresh_claim_to_its_sender(fast_bot: Bot) -> None:
    """Claims are stamped by the deps' clock and judged stale by it. A tick run as of a later
    time (a test's, the shell's) found a claim made a moment ago stale, took it over and sent
    the message while its sender was sending it too: one morning post went out twice."""
    bot = fast_bot
    claim_reminder(bot)  # its sender is sending it now
    run_due(bot.deps, bot.clock() + timedelta(days=2))
    assert bot.slack.dms_to("UVOL1") == []
    (delivery,) = deliveries(bot, DeliveryKind.REMINDER)
    assert delivery.status == "claimed" and delivery.attempts == 1
    bot.clock.advance(seconds=STALE_AFTER.total_seconds() + 1)  # its sender is gone after all
    run_due(bot.deps, bot.clock())
    assert len(bot.slack.dms_to("UVOL1")) == 1
