"""Workspace lanes: one workspace's slow work never holds up another's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import partial

import pytest

from bot.slack.lanes import InlineLanes, TeamLanes


@pytest.fixture
def lanes() -> Iterator[TeamLanes]:
    lanes = TeamLanes()
    yield lanes
    lanes.shutdown()


def test_a_stuck_workspace_holds_up_only_itself(lanes: TeamLanes) -> None:
    stuck = threading.Event()
    done: list[str] = []
    lanes.submit("T0A", lambda: stuck.wait(10))
    lanes.submit("T0A", lambda: done.append("a"))
    lanes.submit("T0B", lambda: done.append("b")).result(timeout=5)
    assert done == ["b"]
    assert lanes.busy("T0A") and not lanes.busy("T0B")
    stuck.set()
    lanes.wait_idle(timeout=5)
    assert done == ["b", "a"] and not lanes.busy("T0A")


def test_a_workspaces_work_runs_in_order_one_at_a_time(lanes: TeamLanes) -> None:
    seen: list[int] = []
    running = threading.Semaphore(1)

    def work(n: int) -> None:
        assert running.acquire(blocking=False), "two pieces of one workspace's work at once"
        seen.append(n)
        running.release()

    for n in range(20):
        lanes.submit("T0A", lambda n=n: work(n))  # type: ignore[misc]
    lanes.wait_idle(timeout=5)
    assert seen == list(range(20))


def test_failed_work_is_logged_and_the_lane_goes_on(
    lanes: TeamLanes, caplog: pytest.LogCaptureFixture
) -> None:
    def fail() -> None:
        raise RuntimeError("Slack said no")

    failed = lanes.submit("T0A", fail)
    after = lanes.submit("T0A", lambda: "still here")
    assert after.result(timeout=5) == "still here"
    assert isinstance(failed.exception(), RuntimeError)
    lanes.wait_idle(timeout=5)
    assert "work for workspace T0A failed" in caplog.text


def test_waiting_for_idle_lanes_gives_up_after_its_timeout(lanes: TeamLanes) -> None:
    release = threading.Event()
    lanes.submit("T0A", lambda: release.wait(10))
    with pytest.raises(TimeoutError):
        lanes.wait_idle(timeout=0.2)
    release.set()
    lanes.wait_idle(timeout=5)


def test_shut_down_lanes_take_no_more_work(lanes: TeamLanes) -> None:
    lanes.shutdown()
    with pytest.raises(RuntimeError):
        lanes.submit("T0A", lambda: None)


def test_stopping_drops_what_waits_in_every_lane_while_work_under_way_finishes() -> None:
    """A scheduler told to stop: no lane starts queued work while another's work under way is
    waited for (the standby takes over sooner)."""
    lanes = TeamLanes()
    release = {team: threading.Event() for team in ("T0A", "T0B")}
    started: list[str] = []
    running = {team: threading.Event() for team in ("T0A", "T0B")}

    def under_way(team: str) -> None:
        started.append(team)
        running[team].set()
        release[team].wait(10)

    for team in ("T0A", "T0B"):
        lanes.submit(team, partial(under_way, team))
        assert running[team].wait(5)
    queued = {team: lanes.submit(team, partial(started.append, f"{team} queued")) for team in release}
    stopper = threading.Thread(target=lambda: lanes.shutdown(wait=True, cancel_waiting=True))
    stopper.start()
    try:
        deadline = time.monotonic() + 5
        while not all(f.cancelled() for f in queued.values()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert all(f.cancelled() for f in queued.values()), "a lane kept its queued work"
        assert stopper.is_alive()  # still waiting for the work under way
    finally:
        release["T0B"].set()
        release["T0A"].set()
        stopper.join(timeout=10)
    assert sorted(started) == ["T0A", "T0B"]


def test_inline_lanes_run_at_once_on_the_callers_thread() -> None:
    lanes = InlineLanes()
    caller = threading.get_ident()
    assert lanes.submit("T0A", threading.get_ident).result() == caller
    assert not lanes.busy("T0A")


def test_keys_already_queued_on_a_lane_are_not_queued_again_until_their_work_ends(lanes: TeamLanes) -> None:
    stuck = threading.Event()
    given: list[list[int]] = []

    def work(keys: list[int]) -> int:
        given.append(keys)
        stuck.wait(10)
        return len(keys)

    first = lanes.submit_new("T0A", [1, 2, 2], work)
    assert first is not None
    assert lanes.submit_new("T0A", [2, 1], work) is None  # all held: nothing queued
    second = lanes.submit_new("T0A", [2, 3], work)
    assert second is not None
    # Another workspace's lane holds its own keys.
    assert lanes.submit_new("T0B", [1], lambda keys: keys).result(timeout=5) == [1]  # type: ignore[union-attr]
    stuck.set()
    assert (first.result(timeout=5), second.result(timeout=5)) == (2, 1)
    assert given == [[1, 2], [3]]
    # Done: the keys are free again, also after work that raised.
    assert lanes.submit_new("T0A", [1, 2, 3], lambda keys: 1 / 0) is not None
    lanes.wait_idle(timeout=5)
    again = lanes.submit_new("T0A", [3], lambda keys: keys)
    assert again is not None and again.result(timeout=5) == [3]


def test_inline_lanes_free_their_keys_at_once() -> None:
    lanes = InlineLanes()
    for _ in range(2):
        done = lanes.submit_new("T0A", ["x"], lambda keys: keys)
        assert done is not None and done.result() == ["x"]
