"""A redraw Slack did not take (a shift's channel post, an App Home tab) is owed, retried by the
scheduler with backoff, and each retry draws how things stand then: never a stale fill, never
a second message, never after it stopped mattering."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from bot.blocks import actions as act
from bot.deps import Deps
from bot.localslack.reading import buttons, message_text
from bot.localslack.webapi import Message
from bot.models import Delivery, DeliveryKind
from bot.services.deliveries import (
    Claim,
    claim_delivery,
    finish_redraw,
    leave_owed,
    owe_redraw,
    settle_redraw,
    take,
)
from bot.services.shifts import claim_shift
from bot.slack.delivery import Fate, failed_try, owe_pending_redraws, refresh_shift_post
from bot.slack.home import HOME_KEY
from bot.slack.redraws import Coalescer
from jobs.runner import run_due
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM, member
from tests.fastbot import slack_down, slack_up

ADD = "shift add IA 2026-11-28 10:00-13:00 canvass 5 Des Moines HQ"
SORRY = "Something went wrong"


def tick(bot: Bot, **later: float) -> None:
    bot.clock.advance(**later)
    run_due(bot.deps, bot.clock())


def owed(bot: Bot, kind: DeliveryKind) -> list[Delivery]:
    with bot.deps.read_session() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)).all())


def posted_shift(bot: Bot) -> Message:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", ADD, user="UADMIN")
    (post,) = shift_posts(bot)
    return post


def shift_posts(bot: Bot) -> list[Message]:
    """Shift posts in #iowa (a tick at 09:00 also posts the morning digest there)."""
    return [m for m in bot.slack.posts_in("CIOWA") if m.text.startswith("Shift #")]


def claim_quietly(bot: Bot, user_id: str, shift_id: int = 1) -> None:
    """A claim that reaches the database without redrawing anything (as one on another worker
    whose own redraw Slack also refused)."""
    with bot.deps.session() as session:
        make.volunteer(session, user_id, bot.clock())
        claim_shift(session, shift_id=shift_id, who=member(user_id), now=bot.clock())


def paced(bot: Bot, waiting: list[Callable[[], None]], lane_interval: float = 20.0) -> Deps:
    """`bot`'s deps with its workspace's redraws paced, each waiting in `waiting` for its turn
    (called to draw it): the scheduler's process, or one about to exit."""
    coalescer = Coalescer(
        1.0,
        lane_interval=lane_interval,
        lane_burst=1,
        schedule=lambda _seconds, action: waiting.append(action),
    )
    return replace(bot.deps, redraws=coalescer)


def owed_after_a_missed_claim(bot: Bot) -> Message:
    """The shift's post, whose redraw after a claim Slack refused is owed (Slack is back up)."""
    post = posted_shift(bot)
    slack_down(bot, "chat.update")
    bot.command("/claim", "1", user="UVOL1")
    slack_up(bot)
    return post


def updates(bot: Bot) -> int:
    return len(bot.slack.calls_to("chat.update"))


# ---------------------------------------------------------------- a shift's channel post


def test_a_redraw_slack_refused_is_retried_drawing_the_shift_as_it_stands(fast_bot: Bot) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    slack_down(bot, "chat.update")
    claimed = bot.command("/claim", "1", user="UVOL1")
    assert "You're on shift #1" in claimed.text and SORRY not in claimed.text
    assert "0/5" in message_text(post)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert (redraw.status, redraw.target, redraw.key) == ("retry", "CIOWA", "1")
    claim_quietly(bot, "UVOL2")  # the retry must draw this one too, not the fill that was missed
    slack_up(bot)
    tick(bot, minutes=1)
    assert "2/5" in message_text(post)
    assert shift_posts(bot) == [post]
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "sent"
    drawn = updates(bot)
    tick(bot, minutes=30)
    assert updates(bot) == drawn


def test_an_owed_redraw_backs_off_while_slack_stays_down(fast_bot: Bot) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    slack_down(bot, "chat.update", tries=100)
    bot.command("/claim", "1", user="UVOL1")
    tick(bot, seconds=40)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.attempts == 2 and redraw.next_attempt_at is not None
    assert redraw.next_attempt_at >= bot.clock() + timedelta(seconds=48)  # a minute, less 20 %
    tried = updates(bot)
    tick(bot, seconds=30)
    assert updates(bot) == tried  # not every tick
    slack_up(bot)
    tick(bot, minutes=2)
    assert "1/5" in message_text(post)


def test_a_redraw_is_owed_once_however_often_it_is_missed(fast_bot: Bot) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    slack_down(bot, "chat.update", tries=100)
    for user in ("UVOL1", "UVOL2", "UVOL3"):
        bot.command("/claim", "1", user=user)
    assert len(owed(bot, DeliveryKind.SHIFT_REDRAW)) == 1
    slack_up(bot)
    tick(bot, minutes=1)
    assert "3/5" in message_text(post)


def test_an_owed_redraw_shows_a_cancellation(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    post = posted_shift(bot)
    slack_down(bot, "chat.update")
    bot.cancel_shift(1, user="UCOORD")
    assert "0/5" in post.text
    slack_up(bot)
    tick(bot, minutes=1)
    assert "cancelled" in post.text and not [b for b in post.blocks if b.get("type") == "actions"]


def test_an_owed_redraw_is_given_up_once_the_shift_is_over(fast_bot: Bot) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    slack_down(bot, "chat.update")
    bot.command("/claim", "1", user="UVOL1")
    slack_up(bot)
    tried = updates(bot)
    tick(bot, days=7)
    assert updates(bot) == tried and "0/5" in message_text(post)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "failed" and redraw.last_error == "no longer useful"


def test_a_redraw_that_lands_later_settles_the_one_owed(fast_bot: Bot) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    slack_down(bot, "chat.update")
    bot.command("/claim", "1", user="UVOL1")
    bot.clock.advance(seconds=5)
    bot.command("/claim", "1", user="UVOL2")  # Slack is back: this redraw lands
    assert "2/5" in message_text(post)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "sent"
    drawn = updates(bot)
    tick(bot, minutes=1)
    assert updates(bot) == drawn


def test_a_claim_whose_redraw_gets_no_answer_is_not_apologised_for(fast_bot: Bot) -> None:
    """The claim was made: "Something went wrong … nothing was changed" would be untrue."""
    bot = fast_bot
    post = posted_shift(bot)
    bot.slack.delay_next("chat.update", seconds=5)  # the fast client gives up after 2.5 s
    claimed = bot.command("/claim", "1", user="UVOL1")
    assert claimed.replies and all(SORRY not in reply.text for reply in claimed.replies)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.last_error == "no_answer"
    claim_quietly(bot, "UVOL2")
    tick(bot, minutes=1)
    assert "2/5" in message_text(post) and shift_posts(bot) == [post]


def test_the_retried_redraw_is_coalesced_with_the_shift_s_other_redraws(fast_bot: Bot) -> None:
    bot = fast_bot
    posted_shift(bot)
    slack_down(bot, "chat.update")
    bot.command("/claim", "1", user="UVOL1")
    slack_up(bot)

    class Watching(Coalescer):
        keys: list[Any] = []

        def run(self, key: Any, redraw: Any, *, lane: Any = None) -> bool:
            self.keys.append((key, lane))
            return super().run(key, redraw, lane=lane)

    watching = Watching(0.0)
    bot.clock.advance(minutes=1)
    run_due(replace(bot.deps, redraws=watching), bot.clock())
    assert watching.keys == [(1, TEAM)]  # paced in the shift's workspace, as every redraw


def test_a_redraw_missed_while_the_scheduler_redraws_is_done_once_more(fast_bot: Bot) -> None:
    bot = fast_bot
    now = bot.clock()
    with bot.deps.session() as session:
        owe_redraw(
            session,
            team_id=TEAM,
            kind=DeliveryKind.SHIFT_REDRAW,
            target="CIOWA",
            key="1",
            now=now,
            error="fatal_error",
            expires_at=now + timedelta(days=1),
        )
    later = now + timedelta(minutes=1)
    with bot.deps.session() as session:
        claim = claim_delivery(
            session, team_id=TEAM, kind=DeliveryKind.SHIFT_REDRAW, target="CIOWA", key="1", now=later
        )
        assert claim is not None
    with bot.deps.session() as session:  # another worker's redraw fails while the tick draws
        owe_redraw(
            session,
            team_id=TEAM,
            kind=DeliveryKind.SHIFT_REDRAW,
            target="CIOWA",
            key="1",
            now=later,
            error="fatal_error",
            expires_at=now + timedelta(days=1),
        )
    with bot.deps.session() as session:
        finish_redraw(session, claim=claim, now=later)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "retry" and redraw.next_attempt_at is not None


# ---------------------------------------------------------------- the App Home tab


def open_home(bot: Bot, user: str = "UVOL1") -> None:
    bot.driver.event({"type": "app_home_opened", "user": user, "tab": "home", "channel": f"D{user}"})


def home_text(bot: Bot, user: str = "UVOL1") -> str:
    return message_text(Message("", "", "", bot.slack.home_views.get(user, {}).get("blocks", [])))


def publishes(bot: Bot) -> int:
    return len(bot.slack.calls_to("views.publish"))


def test_a_home_tab_slack_refused_is_published_by_the_scheduler_as_it_stands(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock())
    slack_down(bot, "views.publish")
    open_home(bot)
    assert "UVOL1" not in bot.slack.home_views
    (home,) = owed(bot, DeliveryKind.HOME)
    assert (home.status, home.target) == ("retry", "UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL1")
    slack_up(bot)
    tick(bot, minutes=1)
    assert "Your Turnout" in home_text(bot)
    assert (act.HOME_RELEASE, str(shift_id)) in home_buttons(bot)  # drawn after the claim
    (home,) = owed(bot, DeliveryKind.HOME)
    assert home.status == "sent"
    published = publishes(bot)
    tick(bot, minutes=30)
    assert publishes(bot) == published


def test_a_home_click_whose_tab_slack_refused_is_redrawn_by_the_scheduler(fast_bot: Bot) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock())
    open_home(bot)
    slack_down(bot, "views.publish")
    bot.driver.click_view(bot.slack.home_views["UVOL1"], act.HOME_CLAIM, user="UVOL1", value=str(shift_id))
    assert (act.HOME_CLAIM, str(shift_id)) in home_buttons(bot)  # the tab as it was before
    slack_up(bot)
    tick(bot, minutes=1)
    assert (act.HOME_RELEASE, str(shift_id)) in home_buttons(bot)
    assert (act.HOME_CLAIM, str(shift_id)) not in home_buttons(bot)


def test_a_home_tab_published_later_settles_the_one_owed(fast_bot: Bot) -> None:
    bot = fast_bot
    slack_down(bot, "views.publish")
    open_home(bot)
    bot.clock.advance(seconds=5)
    open_home(bot)
    (home,) = owed(bot, DeliveryKind.HOME)
    assert home.status == "sent"
    published = publishes(bot)
    tick(bot, minutes=1)
    assert publishes(bot) == published


def test_an_owed_home_tab_is_given_up_after_an_hour(fast_bot: Bot) -> None:
    bot = fast_bot
    slack_down(bot, "views.publish")
    open_home(bot)
    slack_up(bot)
    published = publishes(bot)
    tick(bot, minutes=61)
    assert publishes(bot) == published and "UVOL1" not in bot.slack.home_views
    (home,) = owed(bot, DeliveryKind.HOME)
    assert home.status == "failed" and home.last_error == "no longer useful"


def home_buttons(bot: Bot, user: str = "UVOL1") -> list[tuple[str, str]]:
    tab = Message("", "", "", bot.slack.home_views.get(user, {}).get("blocks", []))
    return [(b["action_id"], b.get("value", "")) for b in buttons(tab)]


def test_redraws_still_waiting_their_turn_as_the_process_exits_are_owed_and_drawn_by_the_scheduler(
    fast_bot: Bot,
) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    waiting: list[Callable[[], None]] = []
    exiting = paced(bot, waiting, lane_interval=60.0)  # a turn that never comes in this process
    claim_quietly(bot, "UVOL1")
    refresh_shift_post(exiting, bot.client, 1)
    assert len(waiting) == 1 and "0/5" in message_text(post)
    assert owe_pending_redraws(exiting) == 1
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.last_error == "process_exited" and redraw.target == "CIOWA"
    tick(bot, minutes=5)
    assert "1/5" in message_text(post) and shift_posts(bot) == [post]
    assert owe_pending_redraws(replace(bot.deps, redraws=Coalescer(1.0))) == 0  # nothing waiting


def test_a_retried_redraw_left_waiting_its_turn_stays_owed_until_it_is_drawn(fast_bot: Bot) -> None:
    bot = fast_bot
    post = owed_after_a_missed_claim(bot)
    waiting: list[Callable[[], None]] = []
    scheduler = paced(bot, waiting)  # its workspace's turn still to come when the tick retries
    bot.clock.advance(minutes=1)
    run_due(scheduler, bot.clock())
    assert len(waiting) == 1 and "0/5" in message_text(post)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "retry"  # not drawn yet: should the process stop now, it is still owed
    assert redraw.attempts == 2  # the tick's try counts: should the drawing miss, it backs off further
    assert redraw.next_attempt_at is not None and redraw.next_attempt_at > bot.clock()
    bot.clock.advance(minutes=1)
    run_due(scheduler, bot.clock())  # due again, but still waiting its turn here: left as it is
    assert len(waiting) == 1
    (again,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert (again.status, again.attempts, again.claimed_at) == ("retry", 2, redraw.claimed_at)
    waiting.pop()()  # its turn comes
    assert "1/5" in message_text(post) and shift_posts(bot) == [post]
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "sent"


def test_a_retried_redraw_whose_process_stopped_before_its_turn_is_drawn_by_the_next_tick(
    fast_bot: Bot,
) -> None:
    bot = fast_bot
    post = owed_after_a_missed_claim(bot)
    stopped = Coalescer(1.0, lane_interval=20.0, lane_burst=1, schedule=lambda _seconds, _action: None)
    bot.clock.advance(minutes=1)
    run_due(replace(bot.deps, redraws=stopped), bot.clock())  # queued there, never drawn
    assert "0/5" in message_text(post)
    tick(bot, minutes=2)  # another scheduler, after the first stopped
    assert "1/5" in message_text(post) and shift_posts(bot) == [post]
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "sent"


def test_a_retried_redraw_drawn_before_the_tick_has_let_go_of_it_is_settled_once(fast_bot: Bot) -> None:
    bot = fast_bot
    post = owed_after_a_missed_claim(bot)

    def at_once_elsewhere(_seconds: float, action: Callable[[], None]) -> None:
        # The workspace's turn is free: the redraw goes on another thread before the tick goes on.
        drawing = threading.Thread(target=action)
        drawing.start()
        drawing.join()

    scheduler = replace(bot.deps, redraws=Coalescer(1.0, lane_interval=20.0, schedule=at_once_elsewhere))
    bot.clock.advance(minutes=1)
    run_due(scheduler, bot.clock())
    assert "1/5" in message_text(post)
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert redraw.status == "sent"
    drawn = updates(bot)
    tick(bot, minutes=30)
    assert updates(bot) == drawn  # not drawn again and again


def test_a_redraw_asked_for_after_the_exit_has_counted_what_waits_is_owed_at_once(fast_bot: Bot) -> None:
    bot = fast_bot
    post = posted_shift(bot)
    waiting: list[Callable[[], None]] = []
    exiting = paced(bot, waiting, lane_interval=60.0)
    assert owe_pending_redraws(exiting) == 0  # nothing waits yet; the process is on its way out
    claim_quietly(bot, "UVOL1")
    refresh_shift_post(exiting, bot.client, 1)  # work still finishing after that count
    assert waiting == []  # not left waiting for a turn the process will not see
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert (redraw.status, redraw.last_error) == ("retry", "process_exited")
    tick(bot, minutes=5)
    assert "1/5" in message_text(post) and shift_posts(bot) == [post]


def test_a_retried_redraw_that_keeps_missing_backs_off_further_each_time(fast_bot: Bot) -> None:
    bot = fast_bot
    posted_shift(bot)
    slack_down(bot, "chat.update", tries=100)
    bot.command("/claim", "1", user="UVOL1")
    waiting: list[Callable[[], None]] = []
    scheduler = paced(bot, waiting)
    waits = []
    for _ in range(3):
        (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
        assert redraw.next_attempt_at is not None
        bot.clock.now = redraw.next_attempt_at
        run_due(scheduler, bot.clock())
        waiting.pop()()  # its turn comes, and Slack refuses it again
        (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
        assert redraw.status == "retry" and redraw.next_attempt_at is not None
        waits.append(redraw.next_attempt_at - bot.clock())
    # 1, 2, then 4 minutes, each less at most 20 %: not every 30 s for as long as Slack fails.
    assert waits[0] >= timedelta(seconds=48) and waits[1] >= timedelta(seconds=96)
    assert waits[2] >= timedelta(seconds=192)


def test_a_retried_redraw_whose_post_is_gone_is_given_up(fast_bot: Bot) -> None:
    bot = fast_bot
    post = owed_after_a_missed_claim(bot)
    post.deleted = True  # someone deleted the shift's post meanwhile
    waiting: list[Callable[[], None]] = []
    bot.clock.advance(minutes=1)
    run_due(paced(bot, waiting), bot.clock())
    waiting.pop()()  # its turn comes: Slack answers message_not_found
    (redraw,) = owed(bot, DeliveryKind.SHIFT_REDRAW)
    assert (redraw.status, redraw.last_error) == ("failed", "message_not_found")
    tried = len(bot.slack.calls_to("chat.update"))
    tick(bot, minutes=30)
    assert len(bot.slack.calls_to("chat.update")) == tried  # not tried again and again


# ---------------------------------------------------------------- whose claim a try's end acts on


def owe_home(bot: Bot) -> None:
    now = bot.clock()
    with bot.deps.session() as session:
        owe_redraw(
            session,
            team_id=TEAM,
            kind=DeliveryKind.HOME,
            target="UVOL1",
            key=HOME_KEY,
            now=now,
            error="fatal_error",
            expires_at=now + timedelta(hours=1),
        )


def take_home(bot: Bot) -> Claim:
    with bot.deps.session() as session:
        row = session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.HOME)).one()
        claim = take(session, row, bot.clock())
    assert claim is not None
    return claim


def settle_home(bot: Bot) -> None:
    """A web worker's publish of the tab lands."""
    with bot.deps.session() as session:
        settle_redraw(
            session,
            team_id=TEAM,
            kind=DeliveryKind.HOME,
            key=HOME_KEY,
            target="UVOL1",
            drawn_at=bot.clock(),
            now=bot.clock(),
        )


def home_row(bot: Bot) -> Delivery:
    with bot.deps.read_session() as session:
        return session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.HOME)).one()


def test_a_retry_whose_redraw_another_drawing_settled_meanwhile_is_not_reported_given_up(
    fast_bot: Bot,
) -> None:
    """The tick's publish is refused while a web worker's, drawn later, went through and
    settled the owed tab: nothing was given up."""
    bot = fast_bot
    owe_home(bot)
    bot.clock.advance(minutes=1)
    claim = take_home(bot)
    bot.clock.advance(seconds=1)
    settle_home(bot)
    late = failed_try(bot.deps, claim, "ratelimited", "Slack answered 429 ratelimited")
    assert home_row(bot).status == "sent"
    assert late.fate == Fate.ALREADY


def test_an_old_claim_ending_does_not_finish_the_claim_that_replaced_it(fast_bot: Bot) -> None:
    """A tab settled and then owed again counts its attempts from 1 again, so a taker of the
    new debt holds the same attempts as a taker of the old: the old holder's end (a publish
    drawn before the new miss) must not finish the new claim, or the new miss is lost."""
    bot = fast_bot
    owe_home(bot)
    bot.clock.advance(minutes=1)
    old = take_home(bot)  # its publish is slow
    bot.clock.advance(seconds=1)
    settle_home(bot)
    bot.clock.advance(seconds=1)
    owe_home(bot)  # a later change's publish misses: owed again
    bot.clock.advance(minutes=1)
    new = take_home(bot)
    assert (new.id, new.attempts) == (old.id, old.attempts)
    with bot.deps.session() as session:  # the old publish returns
        finish_redraw(session, claim=old, now=bot.clock())
    failed_try(bot.deps, new, "ratelimited", "Slack answered 429 ratelimited")  # the new one misses
    assert home_row(bot).status == "retry"


def test_a_redraw_left_owed_is_due_at_the_instant_given_whatever_the_server_s_time_zone(
    fast_bot: Bot,
) -> None:
    """PostgreSQL converts a timestamp with a zone to its session's time zone before storing it
    in a column without one: the instant must go in as the column stores it, naive UTC."""
    bot = fast_bot
    now = bot.clock()
    with bot.deps.session() as session:
        if bot.deps.engine.dialect.name == "postgresql":
            session.execute(sa.text("SET TIME ZONE 'Asia/Tokyo'"))  # a server not kept on UTC
        owe_redraw(
            session,
            team_id=TEAM,
            kind=DeliveryKind.SHIFT_REDRAW,
            target="CIOWA",
            key="1",
            now=now,
            error="fatal_error",
            expires_at=now + timedelta(hours=8),
        )
        row = session.exec(select(Delivery)).one()
        claim = take(session, row, now + timedelta(minutes=1))
        assert claim is not None
        leave_owed(session, claim=claim, retry_at=now + timedelta(minutes=2))
    with bot.deps.read_session() as session:
        assert session.exec(select(Delivery.next_attempt_at)).one() == now + timedelta(minutes=2)
