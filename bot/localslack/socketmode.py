"""Slack's side of Socket Mode, for the tests and the shell: a websocket on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class SocketModeLink:
    """Slack's side of Socket Mode, minimally: a websocket on loopback (`ws://`) that says hello,
    delivers envelopes, answers pings, and records what the app sends back (its acks). An ack
    that carries a payload for a slash command is its reply: `on_reply(response_url, payload)`
    shows it, as Slack does."""

    def __init__(self, on_reply: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.received: list[dict[str, Any]] = []
        self._on_reply = on_reply
        self._response_urls: dict[str, str] = {}
        self.connected = threading.Event()
        self._clients: list[ServerConnection] = []
        self._lock = threading.Lock()
        # Slack's own keepalive is the client's job (slack_sdk pings); the server's pings would
        # only add noise, so they are off.
        self._server: Server = serve(self._serve, "127.0.0.1", 0, ping_interval=None)
        threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True).start()

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=local"

    def send(self, envelope: dict[str, Any]) -> None:
        message = json.dumps(envelope)
        payload = envelope.get("payload")
        with self._lock:
            if envelope.get("type") == "slash_commands" and isinstance(payload, dict):
                self._response_urls[str(envelope.get("envelope_id"))] = str(payload.get("response_url", ""))
            clients = list(self._clients)
        for client in clients:
            client.send(message)

    def acks_for(self, envelope_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.received if m.get("envelope_id") == envelope_id]

    def close(self) -> None:
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            client.close()
        self._server.shutdown()

    def _serve(self, client: ServerConnection) -> None:
        # Under the lock, so no envelope can overtake the hello; `connected` is set before the
        # hello leaves, so whoever reads the hello sees the link connected.
        with self._lock:
            self._clients.append(client)
            self.connected.set()
            client.send(json.dumps({"type": "hello", "num_connections": 1}))
        try:
            for message in client:
                ack = json.loads(message)
                with self._lock:
                    self.received.append(ack)
                    response_url = self._response_urls.get(str(ack.get("envelope_id")))
                payload = ack.get("payload")
                if response_url and isinstance(payload, dict) and payload and self._on_reply is not None:
                    self._on_reply(response_url, payload)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._clients.remove(client)
