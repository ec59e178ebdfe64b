"""The Socket Mode stand-in speaks real websockets: hello first, envelopes out, acks recorded."""

from __future__ import annotations

import json
import time

from websockets.sync.client import connect

from bot.localslack.signing import slack_signature
from bot.localslack.socketmode import SocketModeLink


def test_the_link_says_hello_delivers_and_records_acks() -> None:
    link = SocketModeLink()
    try:
        with connect(link.url) as socket:
            assert json.loads(socket.recv(timeout=5)) == {"type": "hello", "num_connections": 1}
            assert link.connected.is_set()
            link.send({"envelope_id": "e1", "type": "events_api", "payload": {}})
            assert json.loads(socket.recv(timeout=5))["envelope_id"] == "e1"
            socket.send(json.dumps({"envelope_id": "e1", "payload": {"text": "ok"}}))
            deadline = time.monotonic() + 10
            while not link.acks_for("e1") and time.monotonic() < deadline:
                time.sleep(0.01)  # the link reads the ack on its own thread
            assert link.acks_for("e1") == [{"envelope_id": "e1", "payload": {"text": "ok"}}]
            assert link.acks_for("e2") == []
    finally:
        link.close()


def test_signatures_match_slacks_published_example() -> None:
    # The worked example in Slack's "Verifying requests from Slack" guide.
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        slack_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
