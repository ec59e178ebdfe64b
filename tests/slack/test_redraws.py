"""A shift's channel post is redrawn about once a second however many claims arrive, ending on the latest fill."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.localslack.reading import message_text
from bot.models import State
from bot.slack.redraws import (
    REDRAW_SPACING_SECONDS,
    SCHEDULER_UPDATE_BUDGET,
    UPDATE_BUDGET,
    UPDATES_PER_MINUTE,
    Coalescer,
    lane_pacing,
)
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


class FakeTime:
    """A clock and a timer: what is scheduled runs when `run_due` is called, the clock moved on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.due: list[tuple[float, Callable[[], None]]] = []

    def clock(self) -> float:
        return self.now

    def schedule(self, seconds: float, action: Callable[[], None]) -> None:
        self.waits.append(seconds)
        self.due.append((self.now + seconds, action))

    def run_due(self) -> None:
        while self.due:
            at, action = self.due.pop(0)
            self.now = max(self.now, at)
            action()


def test_changes_during_a_redraw_cost_one_more_redraw_not_one_each() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, clock=fake.clock, schedule=fake.schedule)
    drawing, release = threading.Event(), threading.Event()
    redraws: list[int] = []

    def redraw() -> bool:
        redraws.append(len(redraws))
        if len(redraws) == 1:
            drawing.set()
            release.wait(10)
        return True

    assert coalescer.run(7, redraw) is False  # the caller is not held: it is scheduled, at once
    assert redraws == [] and fake.waits == [0.0]
    timer = threading.Thread(target=fake.run_due)
    timer.start()
    drawing.wait(10)
    for _ in range(20):
        assert coalescer.run(7, redraw) is False  # returns at once: a redraw is under way
    assert redraws == [0]
    release.set()
    timer.join()
    assert redraws == [0, 1]
    assert fake.waits == [0.0, 1.0]  # the second waited out the spacing
    coalescer.run(7, redraw)  # within the spacing of the last redraw: after the rest of it
    assert fake.waits == [0.0, 1.0, 1.0]
    fake.run_due()
    assert redraws == [0, 1, 2]


def test_a_redraw_that_drew_an_old_version_goes_round_again() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, clock=fake.clock, schedule=fake.schedule)
    answers = iter([False, False, True])
    count = 0

    def redraw() -> bool:
        nonlocal count
        count += 1
        return next(answers)

    coalescer.run("post", redraw)
    fake.run_due()
    assert count == 3 and fake.waits == [0.0, 1.0, 1.0]


def test_other_targets_are_not_held_back() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, clock=fake.clock, schedule=fake.schedule)
    drawn: list[int] = []
    for key in range(5):
        coalescer.run(key, lambda key=key: drawn.append(key) is None)
    fake.run_due()
    assert drawn == [0, 1, 2, 3, 4] and fake.waits == [0.0] * 5


def test_a_lane_s_redraws_take_turns_after_a_burst_and_other_lanes_are_not_held_back() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, lane_interval=3.0, lane_burst=2, clock=fake.clock, schedule=fake.schedule)
    for key in range(5):
        coalescer.run(("IA", key), lambda: True, lane="T1")
    coalescer.run(("OH", 0), lambda: True, lane="T2")
    assert fake.waits == [0.0, 0.0, 3.0, 6.0, 9.0, 0.0]
    fake.run_due()
    # A target that changed again takes the lane's next turn, not only its own spacing.
    fake.now = 10.0
    coalescer.run(("IA", 0), lambda: True, lane="T1")
    assert fake.waits[-1] == 2.0  # the turn after the one drawn at 9 s


def test_a_waiting_redraw_says_how_long_until_its_turn() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, lane_interval=3.0, lane_burst=1, clock=fake.clock, schedule=fake.schedule)
    for key in range(3):
        coalescer.run(key, lambda: True, lane="T1")
    fake.now = 1.0
    assert [coalescer.due_in(key) for key in range(3)] == [0.0, 2.0, 5.0]
    assert [coalescer.waiting(key) for key in (2, 3)] == [True, False]
    assert coalescer.due_in(3) == 0.0  # nothing waits
    fake.run_due()
    assert not coalescer.waiting(2) and coalescer.due_in(2) == 0.0


def test_a_redraw_that_goes_round_again_takes_its_lane_s_next_turn() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, lane_interval=3.0, lane_burst=1, clock=fake.clock, schedule=fake.schedule)
    answers = iter([False, True])
    coalescer.run("post", lambda: next(answers), lane="T1")
    coalescer.run("other", lambda: True, lane="T1")
    fake.run_due()
    assert fake.waits == [0.0, 3.0, 6.0]


def test_each_process_s_share_keeps_a_workspace_within_slack_s_limit() -> None:
    for processes in range(1, 21):
        interval, burst = lane_pacing(processes)
        # The most one process draws in any minute: its burst, then one each interval.
        most = burst + int(60.0 // interval)
        assert most * processes <= UPDATE_BUDGET, processes
    for processes in (21, 40, 50, 64):  # more workers than the budget has calls: about one a minute each
        interval, burst = lane_pacing(processes)
        assert interval == 60.0 and burst == 1
    interval, burst = lane_pacing(1, SCHEDULER_UPDATE_BUDGET)
    assert burst + int(60.0 // interval) <= SCHEDULER_UPDATE_BUDGET
    assert UPDATE_BUDGET + SCHEDULER_UPDATE_BUDGET < UPDATES_PER_MINUTE


def test_other_calls_a_redraw_made_push_its_lane_s_later_turns_back() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, lane_interval=3.0, lane_burst=1, clock=fake.clock, schedule=fake.schedule)
    coalescer.run("post", lambda: coalescer.charge("T1", 2) is None, lane="T1")
    fake.run_due()
    coalescer.run("other", lambda: True, lane="T1")
    assert fake.waits == [0.0, 9.0]  # its own turn, and two more for the posts it also updated


def test_a_retry_without_a_lane_keeps_the_lane_the_post_was_drawn_in() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, lane_interval=3.0, lane_burst=1, clock=fake.clock, schedule=fake.schedule)
    answers = iter([False, True])
    coalescer.run("post", lambda: next(answers), lane="T1")
    coalescer.run("post", lambda: True)  # under way: only marks it dirty
    coalescer.run("other", lambda: True, lane="T1")
    fake.run_due()
    assert fake.waits == [0.0, 3.0, 6.0]


def test_a_failed_scheduled_redraw_is_logged_and_the_next_change_redraws_again() -> None:
    fake = FakeTime()
    coalescer = Coalescer(1.0, clock=fake.clock, schedule=fake.schedule)
    outcomes = iter([True, RuntimeError("Slack is down"), True])
    drawn = 0

    def redraw() -> bool:
        nonlocal drawn
        drawn += 1
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    coalescer.run("post", redraw)
    fake.run_due()
    coalescer.run("post", redraw)  # within the spacing: after it
    fake.run_due()  # fails on the timer: logged, not raised
    assert drawn == 2
    fake.now += 5
    coalescer.run("post", redraw)
    fake.run_due()
    assert drawn == 3 and fake.waits == [0.0, 1.0, 0.0]


def test_without_spacing_the_caller_draws() -> None:
    coalescer = Coalescer(0.0)
    drawn: list[str] = []
    assert coalescer.run("post", lambda: drawn.append(threading.current_thread().name) is None)
    assert drawn == [threading.current_thread().name]


def test_with_spacing_the_coalescer_s_own_threads_draw() -> None:
    coalescer = Coalescer(0.05)
    drawn: list[str] = []
    for _ in range(3):
        coalescer.run("post", lambda: drawn.append(threading.current_thread().name) is None)
    assert coalescer.wait_idle(5)
    assert drawn and len(drawn) <= 2 and all(name.startswith("redraw") for name in drawn)


def coordinator_with_iowa_channel(bot: Bot) -> None:
    """UCOORD coordinates Iowa, whose channel is #iowa (CIOWA)."""
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)


def test_a_burst_of_claims_redraws_the_post_a_few_times_and_ends_on_the_final_fill(bot: Bot) -> None:
    bot.deps.redraws.spacing = REDRAW_SPACING_SECONDS  # as in production (the fixture skips the wait)
    coordinator_with_iowa_channel(bot)
    created = bot.command(
        "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 500 Des Moines HQ", user="UCOORD"
    )
    assert "posted it in <#CIOWA>" in created.text
    (post,) = bot.slack.posts_in("CIOWA")
    shift_id = int(created.text.split("#")[1].split()[0].strip("*"))
    claimers = [f"UBURST{n}" for n in range(24)]
    for user in claimers:
        bot.slack.add_person(user, user.lower())
    updates_before = len(bot.slack.calls_to("chat.update"))
    barrier = threading.Barrier(len(claimers))

    def go(user: str) -> None:
        barrier.wait()
        bot.command("/claim", str(shift_id), user=user)

    threads = [threading.Thread(target=go, args=(user,)) for user in claimers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle()
    assert bot.deps.redraws.wait_idle()  # the last redraw waits out the spacing on a timer
    assert "24/500" in message_text(post)
    assert len(bot.slack.calls_to("chat.update")) - updates_before < len(claimers) // 2


def test_claims_on_many_shifts_redraw_their_posts_within_slack_s_limit_and_end_on_the_fill(bot: Bot) -> None:
    """Slack answers chat.update with 429 past 50 calls a minute in a workspace; here the limit
    is 10 a second, and the coalescer's pace is scaled to keep within it: a burst of 2, then one
    every 0.2 s (7 in any second)."""
    bot.deps.redraws.spacing = 0.05
    bot.deps.redraws.lane_interval, bot.deps.redraws.lane_burst = 0.2, 2
    coordinator_with_iowa_channel(bot)
    shift_ids = []
    for n in range(14):
        created = bot.command(
            "/turnout",
            f"shift add IA 2026-11-28 {n + 6:02d}:00-{n + 7:02d}:00 canvass 20 Des Moines HQ",
            user="UCOORD",
        )
        assert "posted it in <#CIOWA>" in created.text
        shift_ids.append(int(created.text.split("#")[1].split()[0].strip("*")))
    assert bot.deps.redraws.wait_idle()
    bot.slack.limit_updates(calls=10, window=1.0)
    updates_before = len(bot.slack.calls_to("chat.update"))
    for n, shift_id in enumerate(shift_ids):
        user = f"URALLY{n}"
        bot.slack.add_person(user, user.lower())
        assert "You're on" in bot.command("/claim", str(shift_id), user=user).text
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle()
    assert bot.deps.redraws.wait_idle()
    assert bot.slack.rate_limited == 0
    times = [call.at for call in bot.slack.calls_to("chat.update")[updates_before:]]
    # 14 redraws, 2 at once and then one every 0.2 s: however quickly the claims came.
    assert len(times) == 14 and times[-1] - times[0] >= 12 * 0.2 * 0.9
    posts = bot.slack.posts_in("CIOWA")
    assert len(posts) == 14 and all("1/20" in message_text(post) for post in posts)
