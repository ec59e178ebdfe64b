"""Workspace lanes: one workspace's slow work never holds up another's."""

from __future__ import annotations

import threading
from collections.abc import Iterator

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


def test_inline_lanes_run_at_once_on_the_callers_thread() -> None:
    lanes = InlineLanes()
    caller = threading.get_ident()
    assert lanes.submit("T0A", threading.get_ident).result() == caller
    assert not lanes.busy("T0A")
