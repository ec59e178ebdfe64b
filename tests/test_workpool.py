"""The listeners' work pool holds at most its bound of admitted work, frees a place as each piece
ends, and lets Bolt's lazy listeners in over the bound after a short wait."""

from __future__ import annotations

import threading
import time
from functools import partial

import pytest

from bot.workpool import WAITING, WorkPool


@pytest.fixture
def pool() -> WorkPool:
    pool = WorkPool(2, waiting=1)
    yield pool
    pool.shutdown(wait=True)


def test_the_bound_is_the_threads_and_the_work_that_may_wait() -> None:
    assert WorkPool(2, waiting=1).limit == 3
    assert WorkPool(15).limit == 15 + WAITING


def test_work_past_the_bound_is_not_admitted(pool: WorkPool) -> None:
    release = threading.Event()
    for _ in range(3):
        assert pool.admit(0)
        pool.start_admitted(release.wait, 10)
    started = time.monotonic()
    assert not pool.admit(0.2)
    assert time.monotonic() - started >= 0.2  # it waited its whole allowance for room
    assert pool.held == 3
    release.set()


def test_a_place_frees_when_its_work_ends_and_a_waiting_command_takes_it(pool: WorkPool) -> None:
    release = threading.Event()
    for _ in range(3):
        assert pool.admit(0)
        pool.start_admitted(release.wait, 10)
    threading.Timer(0.1, release.set).start()
    assert pool.admit(5)
    pool.start_admitted(lambda: None).result(5)
    deadline = time.monotonic() + 5
    while pool.held and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.held == 0


def test_work_that_fails_frees_its_place(pool: WorkPool) -> None:
    def broken() -> None:
        raise RuntimeError("broken")

    assert pool.admit(0)
    with pytest.raises(RuntimeError):
        pool.start_admitted(broken).result(5)
    deadline = time.monotonic() + 5
    while pool.held and time.monotonic() < deadline:
        time.sleep(0.01)
    assert pool.held == 0


def test_a_lazy_listener_waits_for_room_then_goes_in_over_the_bound(
    pool: WorkPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.workpool.LAZY_WAIT_SECONDS", 0.1)
    release = threading.Event()
    for _ in range(3):
        assert pool.admit(0)
        pool.start_admitted(release.wait, 10)
    late = pool.submit(lambda: "done")  # acked already: never turned away
    assert pool.held == 4
    release.set()
    assert late.result(5) == "done"


def test_a_pool_shut_down_frees_the_place_it_could_not_use(pool: WorkPool) -> None:
    pool.shutdown(wait=True)
    assert pool.admit(0)
    with pytest.raises(RuntimeError):
        pool.start_admitted(lambda: None)
    assert pool.held == 0


def test_work_started_first_runs_at_once_while_the_pool_is_full_and_takes_no_place(pool: WorkPool) -> None:
    release = threading.Event()
    for _ in range(3):
        assert pool.admit(0)
        pool.start_admitted(release.wait, 10)
    try:
        assert pool.start_first(lambda: "checked").result(timeout=5) == "checked"
        assert pool.held == 3
    finally:
        release.set()


def test_work_started_first_takes_an_idle_pool_thread_when_every_kept_one_is_busy() -> None:
    pool = WorkPool(2, waiting=1, first_threads=1)
    release = threading.Event()
    try:
        assert pool.start_first(partial(release.wait, 10)) is not None  # the one kept thread, busy
        checked = pool.start_first(lambda: "checked")
        assert checked is not None and checked.result(timeout=5) == "checked"
        assert pool.held == 0  # it ran on the pool, and its place there is free again
    finally:
        release.set()
        pool.shutdown(wait=True)


def test_work_started_first_is_turned_away_rather_than_queued_when_no_thread_frees() -> None:
    pool = WorkPool(2, waiting=1, first_threads=1)
    release = threading.Event()
    ran: list[str] = []
    try:
        assert pool.start_first(partial(release.wait, 10)) is not None  # the one kept thread, busy
        for _ in range(2):  # every pool thread busy
            assert pool.admit(0)
            pool.start_admitted(release.wait, 10)
        started = time.monotonic()
        assert pool.start_first(partial(ran.append, "turned away"), timeout=0.2) is None
        assert time.monotonic() - started >= 0.2
        assert pool.held == 2  # nothing more went on the pool
        threading.Timer(0.1, release.set).start()  # the kept thread frees within the wait
        later = pool.start_first(partial(ran.append, "checked"), timeout=5)
        assert later is not None
        later.result(timeout=5)
    finally:
        release.set()
        pool.shutdown(wait=True)
    assert ran == ["checked"]
