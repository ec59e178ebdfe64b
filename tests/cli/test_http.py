"""The HTTP front: Slack's signature check, /healthz, ack before work, and a real `turnout run`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

from bot.db import create_db_engine
from bot.localslack.signing import signed_headers
from bot.localslack.webapi import LocalSlack, Message
from bot.models import Delivery, DeliveryKind, Volunteer
from bot.services.clock import utcnow
from bot.services.shifts import record_shift_post
from tests import factories as make
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, Bot, bot_env

FORM = "application/x-www-form-urlencoded"


def command_body(text: str = "", command: str = "/myshifts") -> bytes:
    return urlencode(
        {
            "command": command,
            "text": text,
            "user_id": "UVOL1",
            "channel_id": "CRANDOM",
            "team_id": "T0TURNOUT",
            "response_url": "http://127.0.0.1:9/nowhere",
            "trigger_id": "t.1",
        }
    ).encode()


def test_a_forged_signature_gets_401_before_any_listener(bot: Bot) -> None:
    body = command_body()
    headers = signed_headers("not-the-secret", body, FORM)
    status, _ = bot.driver.send_raw(body, headers)
    assert status == 401
    assert bot.slack.calls_to("users.info") == [] and bot.slack.calls_to("chat.postMessage") == []


def test_a_request_older_than_five_minutes_gets_401(bot: Bot) -> None:
    body = command_body(command="/shifts")
    headers = signed_headers(SIGNING_SECRET, body, FORM, timestamp=int(time.time()) - 301)
    status, _ = bot.driver.send_raw(body, headers)
    assert status == 401
    with bot.deps.read_session() as session:
        assert session.exec(select(Volunteer)).all() == []


def test_an_unsigned_request_gets_401(bot: Bot) -> None:
    status, _ = bot.driver.send_raw(command_body(), {"content-type": FORM})
    assert status == 401


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/shifts", "IA"),
        ("/claim", "1"),
        ("/unclaim", "1"),
        ("/myshifts", ""),
        ("/turnout", "help"),
        ("/turnout", "roster 1"),
        ("/turnout", "shift add"),
        ("/claim", "nope"),
    ],
)
def test_every_command_is_acked_before_any_web_api_call(bot: Bot, command: str, text: str) -> None:
    """With Slack's Web API holding every answer, the ack still comes back at once."""
    bot.slack.gate.clear()
    outcome: dict[str, object] = {}

    def send() -> None:
        body = urlencode(
            {
                "command": command,
                "text": text,
                "user_id": "UVOL1",
                "channel_id": "CRANDOM",
                "team_id": "T0TURNOUT",
                "response_url": bot.slack.response_url("held"),
                "trigger_id": "t.held",
            }
        ).encode()
        started = time.monotonic()
        outcome["status"], _ = bot.driver.send_raw(body, signed_headers(SIGNING_SECRET, body, FORM))
        outcome["seconds"] = time.monotonic() - started

    sender = threading.Thread(target=send)
    sender.start()
    sender.join(timeout=2.5)
    acked_while_held = not sender.is_alive()
    bot.slack.gate.set()
    sender.join()
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle()
    assert acked_while_held and outcome["status"] == 200


def test_healthz_answers_ok(bot: Bot) -> None:
    statuses: list[str] = []
    body = b"".join(
        bot.driver.wsgi_app(
            {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, lambda s, h: statuses.append(s)
        )
    )
    assert statuses == ["200 OK"] and body == b"ok\n"


# How long a subprocess gets to boot and answer; generous, since the machine may be busy.
BOOT_SECONDS = 60.0


def output_of(server: subprocess.Popen[bytes]) -> str:
    """What a server printed; stops it first, so reading cannot block."""
    if server.poll() is None:
        server.terminate()
    out, _ = server.communicate(timeout=10)
    return out.decode(errors="replace") if out else ""


def wait_until(
    ready: Callable[[], bool], what: str, server: subprocess.Popen[bytes], timeout: float = BOOT_SECONDS
) -> None:
    """Poll `ready` until it holds; fail at once, with the server's output, if the server exits."""
    deadline = time.monotonic() + timeout
    while not ready():
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode} before {what}:\n{output_of(server)}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s:\n{output_of(server)}")
        time.sleep(0.05)


def answers_healthz(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            return bool(response.status == 200 and response.read() == b"ok\n")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_turnout(
    command: str, tmp_path: Path, slack: LocalSlack, port: int, database_url: str, **env: str
) -> subprocess.Popen[bytes]:
    """`turnout COMMAND` (run or serve) on `port`, against the stand-in, its output captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", command],
        env={
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_APP_TOKEN": "",
            "SLACK_API_URL": slack.api_url,
            "PORT": str(port),
            "DATABASE_URL": database_url,
            **env,
        },
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.parametrize("command", ["run", "serve"])
def test_turnout_serves_signed_commands_over_http(tmp_path: Path, command: str) -> None:
    """The real entry points: gunicorn, migrations on start, Bolt, and the Web API through SLACK_API_URL."""
    slack = LocalSlack(token=BOT_TOKEN).start()
    slack.add_person("UVOL1", "ana")
    port = free_port()
    server = start_turnout(command, tmp_path, slack, port, f"sqlite:///{tmp_path / 'run.db'}")
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers_healthz(base), f"answer on /healthz from turnout {command}", server)
        body = urlencode(
            {
                "command": "/shifts",
                "text": "IA",
                "user_id": "UVOL1",
                "channel_id": "CX",
                "response_url": slack.response_url("r.UVOL1.CX"),
                "trigger_id": "t",
            }
        ).encode()
        request = urllib.request.Request(
            base + "/slack/events", data=body, headers=signed_headers(SIGNING_SECRET, body, FORM)
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            # Slack shows a reply the ack carries as it shows one sent to the response_url.
            slack.answer_in_ack("r.UVOL1.CX", response.read().decode())
        wait_until(lambda: bool(slack.responses("r.UVOL1.CX")), "reply to /shifts", server)
        (reply,) = slack.responses("r.UVOL1.CX")
        assert "No open shifts in Iowa" in reply.text
        forged = urllib.request.Request(
            base + "/slack/events", data=body, headers=signed_headers("wrong", body, FORM)
        )
        assert refused_with(forged) == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
        slack.stop()


def refused_with(request: urllib.request.Request) -> int:
    """The error status the server answers `request` with. Once, under heavy load in CI, the
    connection was reset instead of answered (cause not yet known): that is tried once more."""
    for attempt in range(2):
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as error:
            return error.code
        except ConnectionResetError:
            if attempt:
                raise
            continue
        pytest.fail("the request was accepted")
    raise AssertionError("unreachable")


def test_a_missing_setting_stops_start_up_naming_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TURNOUT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is missing" in result.stderr and "Traceback" not in result.stderr


def slash_envelope(envelope_id: str, command: str, text: str, response_url: str) -> dict[str, object]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "command": command,
            "text": text,
            "user_id": "UVOL1",
            "channel_id": "CX",
            "team_id": "T0TURNOUT",
            "api_app_id": "A0TURNOUT",
            "response_url": response_url,
            "trigger_id": "t",
        },
    }


def test_turnout_run_in_socket_mode_acks_and_answers(tmp_path: Path) -> None:
    """With SLACK_APP_TOKEN set, the bot opens Socket Mode through SLACK_API_URL, acks each
    envelope over the socket and answers through the response_url."""
    slack = LocalSlack(token=BOT_TOKEN, app_token="xapp-test").start()
    slack.add_person("UVOL1", "ana")
    link = slack.open_socket_mode()
    env = {
        **bot_env(slack, f"sqlite:///{tmp_path / 'socket.db'}"),
        "SLACK_APP_TOKEN": "xapp-test",
        "SLACK_SIGNING_SECRET": "",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert link.connected.wait(timeout=BOOT_SECONDS), "the bot never connected"
        # An envelope sent while the client is still reading the hello can be lost, so probe with
        # harmless ones, each under a new id, until the app acks one: then it is listening.
        probes: list[str] = []
        last_probe = 0.0

        def acked_a_probe() -> bool:
            nonlocal last_probe
            if any(link.acks_for(probe) for probe in probes):
                return True
            if time.monotonic() - last_probe > 1:
                probes.append(f"probe-{len(probes)}")
                link.send(slash_envelope(probes[-1], "/turnout", "help", slack.response_url("r.probe")))
                last_probe = time.monotonic()
            return False

        wait_until(acked_a_probe, "ack of a Socket Mode envelope", server)
        link.send(slash_envelope("env-1", "/shifts", "IA", slack.response_url("r.UVOL1.CX")))
        wait_until(
            lambda: bool(link.acks_for("env-1") and slack.responses("r.UVOL1.CX")),
            "ack and reply for the envelope",
            server,
        )
        assert link.acks_for("env-1"), "no ack for the envelope"
        (reply,) = slack.responses("r.UVOL1.CX")
        assert "No open shifts in Iowa" in reply.text
        assert slack.calls_to("apps.connections.open")
    finally:
        server.terminate()
        server.wait(timeout=10)
        slack.stop()


def test_channel_post_redraws_still_waiting_as_a_worker_exits_are_owed(tmp_path: Path) -> None:
    """A worker's redraws wait their turn within Slack's chat.update limit (a burst of 5, then
    one every 1.7 s with one worker): those still waiting as it shuts down are recorded as owed,
    for the scheduler, by gunicorn's worker_exit hook."""
    slack = LocalSlack(token=BOT_TOKEN).start()
    slack.add_channel("CIOWA", "iowa")
    port = free_port()
    url = f"sqlite:///{tmp_path / 'run.db'}"
    server = start_turnout("serve", tmp_path, slack, port, url, TURNOUT_WEB_WORKERS="1")
    engine = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers_healthz(base), "answer on /healthz from turnout serve", server)
        engine = create_db_engine(url)
        with Session(engine) as session:
            shift_ids = [make.shift(session, utcnow(), capacity=50) for _ in range(12)]
            for n, shift_id in enumerate(shift_ids):
                ts = f"1700000000.{n:06d}"
                slack.store(Message("CIOWA", ts, "Shift (not yet redrawn)", []))
                record_shift_post(session, shift_id=shift_id, channel_id="CIOWA", message_ts=ts)
            session.commit()
        for n, shift_id in enumerate(shift_ids):
            slack.add_person(f"URALLY{n}", f"rally{n}")
            body = urlencode(
                {
                    "command": "/claim",
                    "text": str(shift_id),
                    "user_id": f"URALLY{n}",
                    "channel_id": "CIOWA",
                    "response_url": slack.response_url(f"r.{n}"),
                    "trigger_id": "t",
                }
            ).encode()
            request = urllib.request.Request(
                base + "/slack/events", data=body, headers=signed_headers(SIGNING_SECRET, body, FORM)
            )
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200 and "You're on" in response.read().decode()
        server.terminate()
        out, _ = server.communicate(timeout=30)
        assert "redraws left undrawn at exit failed" not in out.decode(), out.decode()
        with Session(engine) as session:
            owed = {
                int(d.key): d
                for d in session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.SHIFT_REDRAW))
            }
        assert owed and all(d.last_error == "process_exited" and d.target == "CIOWA" for d in owed.values())
        for n, shift_id in enumerate(shift_ids):
            post = slack.message("CIOWA", f"1700000000.{n:06d}")
            assert post is not None
            assert shift_id in owed or "1/50" in post.text  # drawn before the exit, or owed
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        if engine is not None:
            engine.dispose()
        slack.stop()
