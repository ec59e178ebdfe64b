"""Slack's side of Socket Mode, for the tests and the shell: a websocket on loopback."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
from typing import Any

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketModeLink:
    """Slack's side of Socket Mode, minimally: a websocket on loopback (`ws://`) that says hello,
    delivers envelopes, answers pings, and records what the app sends back (its acks)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, name="socket-mode", daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.getsockname()[1]}/link/?ticket=local"

    def send(self, envelope: dict[str, Any]) -> None:
        with self._lock:
            for client in self._clients:
                client.sendall(_ws_frame(0x1, json.dumps(envelope).encode()))

    def acks_for(self, envelope_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.received if m.get("envelope_id") == envelope_id]

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = client.recv(4096)
            if not chunk:
                return
            request += chunk
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.decode().split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        client.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        client.sendall(_ws_frame(0x1, json.dumps({"type": "hello", "num_connections": 1}).encode()))
        with self._lock:
            self._clients.append(client)
        self.connected.set()
        while True:
            try:
                opcode, payload = _ws_read(client)
            except OSError:
                return
            if opcode == 0x8:
                return
            if opcode == 0x9:
                with self._lock:
                    client.sendall(_ws_frame(0xA, payload))
            elif opcode == 0x1:
                with self._lock:
                    self.received.append(json.loads(payload))


def _ws_frame(opcode: int, payload: bytes) -> bytes:
    """An unmasked server frame."""
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, length])
    elif length < 65536:
        header = bytes([0x80 | opcode, 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 127]) + length.to_bytes(8, "big")
    return header + payload


def _ws_read(client: socket.socket) -> tuple[int, bytes]:
    """One (masked) client frame: its opcode and payload."""

    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = client.recv(n - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(exactly(2), "big")
    elif length == 127:
        length = int.from_bytes(exactly(8), "big")
    mask = exactly(4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(exactly(length)))
    return first & 0x0F, payload
