"""A small scripted HTTP server on loopback for tests of the generated client.

It records every request (method, raw path, headers, body) and answers with whatever the
test queued last (status, JSON body, headers). It runs aiohttp.web on its own event loop in
a background thread, so sync and async clients alike talk to it over real TCP.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._reply = Reply()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def reply(self, status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps({} if body is None else body).encode()
        self._reply = Reply(status, raw, {"Content-Type": "application/json", **(headers or {})})

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            Recorded(request.method, request.raw_path, dict(request.headers), await request.read())
        )
        reply = self._reply
        return web.Response(status=reply.status, body=reply.body, headers=reply.headers)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
