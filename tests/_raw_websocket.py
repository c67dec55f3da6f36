"""A minimal WebSocket client (RFC 6455 over asyncio streams) that reports how a close went.

Clients such as Node's ``ws`` or browsers call a close *clean* only when the closing handshake
completed: the server's close frame came, the client's close reply reached the server, and
only then did the server close TCP. aiohttp's client cannot tell, so the tests use this one:
it answers a server's close frame after ``reply_delay`` seconds and watches whether the TCP
connection stayed open meanwhile and ended with an orderly EOF after the reply.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["CloseReport", "RawWebSocket"]


@dataclass(frozen=True)
class CloseReport:
    code: int | None  # the code of the server's close frame (None: no close frame came)
    clean: bool  # the closing handshake completed before TCP closed
    detail: str


def _masked(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        head = bytes([0x80 | opcode, 0x80 | size])
    elif size < 65536:
        head = bytes([0x80 | opcode, 0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head = bytes([0x80 | opcode, 0x80 | 127]) + size.to_bytes(8, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class RawWebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.texts: list[str] = []

    @classmethod
    async def connect(cls, url: str) -> RawWebSocket:
        parts = urlsplit(url)
        host = parts.hostname or "127.0.0.1"
        port = parts.port or 80
        reader, writer = await asyncio.open_connection(host, port)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        writer.write(
            (
                f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode("ascii")
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            writer.close()
            raise ConnectionError(f"no upgrade: {status!r}")
        return cls(reader, writer)

    async def send_json(self, frame: dict[str, Any]) -> None:
        self.writer.write(_masked(0x1, json.dumps(frame).encode()))
        await self.writer.drain()

    async def subscribe(self) -> None:
        await self.send_json({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
        while True:
            opcode, payload = await self._frame()
            if opcode == 0x1 and json.loads(payload).get("topic") == "aws/subscribe":
                return

    async def _frame(self) -> tuple[int, bytes]:
        first, second = await self.reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(await self.reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await self.reader.readexactly(8), "big")
        payload = await self.reader.readexactly(size)
        return first & 0x0F, payload

    async def hang_up_on_close(self, deadline: float = 20.0) -> int | None:
        """Read until the server's close frame, then close TCP without answering it (a client
        that does not do the closing handshake); returns the server's close code."""
        try:
            while True:
                opcode, payload = await asyncio.wait_for(self._frame(), deadline)
                if opcode == 0x8:
                    return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
        finally:
            self.writer.close()

    async def close_report(self, reply_delay: float = 0.3, deadline: float = 20.0) -> CloseReport:
        """Read until the server's close frame, answer it after ``reply_delay`` seconds, and
        say whether the closing handshake completed before TCP closed."""
        try:
            while True:
                opcode, payload = await asyncio.wait_for(self._frame(), deadline)
                if opcode == 0x8:
                    break
                if opcode == 0x1:
                    self.texts.append(payload.decode())
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.writer.close()
            return CloseReport(None, False, f"TCP closed without a close frame ({type(exc).__name__})")
        code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
        try:
            early = await asyncio.wait_for(self.reader.read(1), reply_delay)
        except TimeoutError:
            early = None  # still open: the server is waiting for the reply, as it should
        except ConnectionError as exc:
            self.writer.close()
            return CloseReport(code, False, f"reset before the close reply ({type(exc).__name__})")
        if early is not None:
            self.writer.close()
            what = "EOF" if early == b"" else "more data"
            return CloseReport(code, False, f"{what} before the client's close reply")
        try:
            self.writer.write(_masked(0x8, payload[:2]))
            await self.writer.drain()
            rest = await asyncio.wait_for(self.reader.read(), deadline)
        except (ConnectionError, TimeoutError) as exc:
            self.writer.close()
            return CloseReport(code, False, f"no orderly EOF after the close reply ({type(exc).__name__})")
        finally:
            self.writer.close()
        if rest:
            return CloseReport(code, False, "data after the close frame")
        return CloseReport(code, True, "closing handshake completed, then TCP closed")
