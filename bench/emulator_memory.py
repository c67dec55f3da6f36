"""Emulator memory over a long life: RSS after 5,000 chats started, used and ended against
RSS after 500 (issue 14's target: at most 20 MB more), and the bytes per chat between them.
RSS is also read halfway (2,750 chats): a leak grows both halves alike, while what the
allocator keeps once (arenas and free lists sized by the busiest moment so far, which varies
with the machine's load and the Python version) lands mostly in the first half.

The emulator runs in its own process (``python -m connect_participant_emulator``) so its RSS
is measured alone; retention and the idempotency window are shortened to a second so ended
chats are released during the run. Each chat: StartChatContact (client token, initial
message) and CreateParticipantConnection, a message, a read receipt, a transcript page, every
tenth chat a subscribed WebSocket; then the customer disconnects (ending the chat) or
StopContact ends it. ``tests/test_emulator_memory.py`` runs the same measurement in CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import psutil

from bench._harness import Report, emulator_process

INSTANCE = "00000000-0000-4000-8000-000000000001"
FLOW = "00000000-0000-4000-8000-0000000000f1"
RETENTION = 1.0


@contextlib.contextmanager
def emulator() -> Iterator[tuple[str, psutil.Process]]:
    """The emulator in its own process: (endpoint URL, its process)."""
    options = ("--retention-seconds", str(RETENTION), "--idempotency-seconds", "2")
    with emulator_process(*options) as (url, pid):
        yield url, psutil.Process(pid)


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any]:
    body = await response.json()
    assert response.status == 200, body
    assert isinstance(body, dict)
    return body


async def one_chat(session: aiohttp.ClientSession, base: str, number: int) -> None:
    start = await _json(
        await session.put(
            base + "/contact/chat",
            json={
                "InstanceId": INSTANCE,
                "ContactFlowId": FLOW,
                "ParticipantDetails": {"DisplayName": f"Customer {number}"},
                "ClientToken": str(uuid.uuid4()),
                "InitialMessage": {"ContentType": "text/plain", "Content": "hello"},
            },
        )
    )
    connection = await _json(
        await session.post(
            base + "/participant/connection",
            headers={"X-Amz-Bearer": start["ParticipantToken"]},
            json={"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"], "ConnectParticipant": True},
        )
    )
    bearer = {"X-Amz-Bearer": connection["ConnectionCredentials"]["ConnectionToken"]}
    ws = None
    if number % 10 == 0:
        ws = await session.ws_connect(connection["Websocket"]["Url"])
        await ws.send_str(json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}))
        await ws.receive(timeout=10)
    sent = await _json(
        await session.post(
            base + "/participant/message",
            headers=bearer,
            json={
                "ContentType": "text/plain",
                "Content": f"message {number}",
                "ClientToken": str(uuid.uuid4()),
            },
        )
    )
    await _json(
        await session.post(
            base + "/participant/event",
            headers=bearer,
            json={
                "ContentType": "application/vnd.amazonaws.connect.event.message.read",
                "Content": json.dumps({"messageId": sent["Id"]}),
                "ClientToken": str(uuid.uuid4()),
            },
        )
    )
    await _json(await session.post(base + "/participant/transcript", headers=bearer, json={"MaxResults": 5}))
    if number % 2:
        await _json(await session.post(base + "/participant/disconnect", headers=bearer, json={}))
    else:
        await _json(
            await session.post(
                base + "/contact/stop", json={"ContactId": start["ContactId"], "InstanceId": INSTANCE}
            )
        )
    if ws is not None:
        async for _ in ws:  # chat ended, then the server closes the socket
            pass
        await ws.close()


async def run_chats(session: aiohttp.ClientSession, base: str, first: int, count: int) -> None:
    queue = iter(range(first, first + count))

    async def worker() -> None:
        for number in queue:
            await one_chat(session, base, number)

    await asyncio.gather(*(worker() for _ in range(8)))


async def settled_health(session: aiohttp.ClientSession, base: str) -> dict[str, Any]:
    """The health counts once every ended chat's retention is over (polled, generous deadline)."""
    deadline = time.monotonic() + 30 + RETENTION
    while True:
        health = await _json(await session.get(base + "/_emulator/health"))
        if health["contacts"] == 0 or time.monotonic() > deadline:
            return health
        await asyncio.sleep(RETENTION / 2)


@dataclass(frozen=True)
class Measurement:
    rss_500: int
    rss_2750: int  # halfway: 2,250 chats after the first reading, 2,250 before the last
    rss_5000: int
    settled: dict[str, Any]  # health counts once the last chats' retention is over
    seconds: float  # wall time
    cpu_seconds: float  # CPU time of the emulator and of the driver (wall time on an idle machine)

    @property
    def bytes_per_chat(self) -> float:
        return (self.rss_5000 - self.rss_500) / 4500

    @property
    def late_bytes_per_chat(self) -> float:
        """Growth per chat over the second half (2,750 -> 5,000): a leak's rate, without warm-up."""
        return (self.rss_5000 - self.rss_2750) / 2250


def measure() -> Measurement:
    began = time.monotonic()
    cpu = time.process_time()
    with emulator() as (base, process):
        rss_500, rss_2750, rss_5000, settled = asyncio.run(drive(base, process))
        times = process.cpu_times()
    cpu_seconds = time.process_time() - cpu + times.user + times.system
    return Measurement(rss_500, rss_2750, rss_5000, settled, time.monotonic() - began, cpu_seconds)


async def drive(base: str, process: psutil.Process) -> tuple[int, int, int, dict[str, Any]]:
    connector = aiohttp.TCPConnector(limit=16)
    async with aiohttp.ClientSession(connector=connector) as session:
        await run_chats(session, base, 0, 500)
        ended = await _json(await session.get(base + "/_emulator/health"))
        assert ended["contacts"] > 0  # just ended: still readable during retention
        await settled_health(session, base)
        rss_500 = process.memory_info().rss
        await run_chats(session, base, 500, 2250)
        await settled_health(session, base)
        rss_2750 = process.memory_info().rss
        await run_chats(session, base, 2750, 2250)
        settled = await settled_health(session, base)
        rss_5000 = process.memory_info().rss
    return rss_500, rss_2750, rss_5000, settled


def run(report: Report) -> None:
    report.section("emulator memory: 5,000 chats started, used and ended (retention 1 s)")
    result = measure()
    report.row("emulator RSS after 500 chats", result.rss_500 / 2**20, "MiB")
    report.row("emulator RSS after 5,000 chats", result.rss_5000 / 2**20, "MiB")
    report.row("RSS growth per chat (500 → 5,000)", result.bytes_per_chat, "bytes")
    report.row("RSS growth per chat (2,750 → 5,000)", result.late_bytes_per_chat, "bytes")
    report.row("contacts left after retention", result.settled["contacts"], "")
    report.row("CPU time, emulator + driver", result.cpu_seconds, "s")
    report.target(
        "emulator: RSS growth 500 → 5,000 chats (MB)", (result.rss_5000 - result.rss_500) / 2**20, 20.0
    )
