"""`/healthz` is a read: it answers while another process holds SQLite's write lock."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from tests.conftest import Bot


def _get(wsgi: Callable[..., Iterable[bytes]], path: str) -> tuple[str, bytes]:
    statuses: list[str] = []
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO(b"")}
    body = b"".join(wsgi(environ, lambda status, _headers: statuses.append(status)))
    return statuses[0], body


def test_health_says_ok(bot: Bot) -> None:
    assert _get(bot.driver.wsgi_app, "/healthz") == ("200 OK", b"ok\n")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_health_answers_while_another_process_holds_the_write_lock(bot: Bot) -> None:
    writer = sqlite3.connect(str(bot.deps.engine.url.database), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process, mid-transaction
    try:
        status, body = _get(bot.driver.wsgi_app, "/healthz")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert status == "200 OK", body
