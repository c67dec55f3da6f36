"""The events shell against a scripted loopback WebSocket server: a refused handshake gets a fresh
URL, a socket that stops answering heartbeats is found dead and replaced, and what was missed
meanwhile comes from the transcript — in order, once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from connect_participant import Event, Item
from connect_participant._models import ConnectionInfo
from connect_participant._secrets import Secret
from connect_participant._ws import _STOP, _run
from connect_participant._ws_protocol import EventStreamConfig, EventStreamProtocol, GapFill


def chat_item(n: int) -> dict[str, Any]:
    return {
        "Id": f"id-{n}",
        "Type": "MESSAGE",
        "ContentType": "text/plain",
        "Content": f"m{n}",
        "AbsoluteTime": f"2026-11-26T15:00:0{n}.000Z",
    }


class Script:
    """Connection 1 acks and sends item 1, then goes silent (no heartbeat replies); item 2 is
    only in the transcript; connection 2 answers everything and sends item 3."""

    def __init__(self) -> None:
        self.connections = 0
        self.closed_by_client: list[int] = []
        self.transcript = [chat_item(1), chat_item(2)]

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("X-Amz-Signature") == "stale":
            raise web.HTTPForbidden()
        self.connections += 1
        number = self.connections
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            topic = json.loads(message.data)["topic"]
            if topic == "aws/subscribe":
                ack = {"status": "success", "topics": ["aws/chat"]}
                await ws.send_str(json.dumps({"topic": topic, "content": ack}))
                if number == 1:
                    await ws.send_str(json.dumps({"topic": "aws/chat", "content": json.dumps(chat_item(1))}))
                else:
                    self.transcript.append(chat_item(3))
                    await ws.send_str(json.dumps({"topic": "aws/chat", "content": json.dumps(chat_item(3))}))
            elif topic in ("aws/heartbeat", "aws/ping") and number > 1:
                await ws.send_str(json.dumps({"topic": topic, "statusCode": 200}))
        self.closed_by_client.append(number)
        return ws


@pytest.fixture
async def server() -> AsyncIterator[tuple[Script, str]]:
    script = Script()
    app = web.Application()
    app.router.add_get("/ws", script.websocket)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield script, f"ws://127.0.0.1:{port}/ws"
    await runner.cleanup()


class Backend:
    def __init__(self, script: Script, url: str) -> None:
        self.script = script
        self.url = url
        self.created = 0

    def _info(self, key: str) -> ConnectionInfo:
        return ConnectionInfo(Secret("conn-token"), None, Secret(f"{self.url}?X-Amz-Signature={key}"), None)

    def current(self) -> ConnectionInfo:
        return self._info("stale")  # fresh by its age, but the server refuses it

    async def new_connection(self) -> ConnectionInfo:
        self.created += 1
        return self._info(f"k{self.created}")

    async def fill(self, gap: GapFill) -> None:
        gap.offer_all([Item(raw) for raw in reversed(self.script.transcript)])


async def test_refused_url_dead_socket_and_gap_fill(server: tuple[Script, str]) -> None:
    script, url = server
    backend = Backend(script, url)
    config = EventStreamConfig(
        heartbeat_interval=0.2,
        heartbeat_timeout=0.3,
        first_retry_delay=0.01,
        backoff_base=0.01,
        stable_after=10,
    )
    protocol = EventStreamProtocol(config)  # no start point: the first read is after the drop
    inbox: asyncio.Queue[object] = asyncio.Queue()
    out: asyncio.Queue[Any] = asyncio.Queue()
    pump = asyncio.create_task(_run(protocol, backend, inbox, out.put_nowait))
    events: list[Event] = []
    async with asyncio.timeout(10):
        while len(events) < 3:
            events.append(await out.get())
    inbox.put_nowait(_STOP)
    await asyncio.wait_for(pump, 5)
    assert [e.item.id for e in events] == ["id-1", "id-2", "id-3"]
    assert backend.created == 1  # one fresh URL after the refused one, then reused while fresh
    assert script.connections == 2
    assert protocol.stats["drops"] == 1  # the silent socket
    assert protocol.stats["duplicates"] >= 1  # item 3 came live and from the transcript
    await asyncio.sleep(0.05)
    assert sorted(script.closed_by_client) == [1, 2]  # both sockets closed by the client
    assert type(await out.get()).__name__ == "_End"
