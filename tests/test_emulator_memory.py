"""A long-lived emulator stays flat: 5,000 chats started, used and ended grow its RSS by at
most 20 MB over what 500 did (issue 14), and its health counts fall back once the ended chats'
retention is over.

The emulator runs in its own process (``python -m connect_participant_emulator``) so its RSS
is measured alone; retention and the idempotency window are shortened to a second so the run
fits in CI time. Each chat: StartChatContact and CreateParticipantConnection (with client
tokens, an initial message), a message, a read receipt, a transcript page, every tenth chat a
subscribed WebSocket; then the customer disconnects (ending the chat) or StopContact ends it.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import aiohttp
import psutil
import pytest

pytestmark = pytest.mark.timeout(180)

INSTANCE = "00000000-0000-4000-8000-000000000001"
FLOW = "00000000-0000-4000-8000-0000000000f1"
RETENTION = 1.0
BUDGET_BYTES = 20 * 1024 * 1024


@pytest.fixture
def emulator() -> Iterator[tuple[str, psutil.Process]]:
    command = [
        sys.executable,
        "-m",
        "connect_participant_emulator",
        "--port",
        "0",
        "--retention-seconds",
        str(RETENTION),
        "--idempotency-seconds",
        "2",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, f"emulator did not start: {line!r}"
        yield match.group(1), psutil.Process(proc.pid)
    finally:
        proc.terminate()
        if proc.stdout is not None:
            proc.stdout.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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


async def drive(base: str, process: psutil.Process) -> tuple[int, int, dict[str, Any]]:
    connector = aiohttp.TCPConnector(limit=16)
    async with aiohttp.ClientSession(connector=connector) as session:
        await run_chats(session, base, 0, 500)
        ended = await _json(await session.get(base + "/_emulator/health"))
        assert ended["contacts"] > 0  # just ended: still readable during retention
        await settled_health(session, base)
        rss_500 = process.memory_info().rss
        await run_chats(session, base, 500, 4500)
        settled = await settled_health(session, base)
        rss_5000 = process.memory_info().rss
    return rss_500, rss_5000, settled


def test_rss_stays_flat_over_5000_chats(emulator: tuple[str, psutil.Process]) -> None:
    base, process = emulator
    began = time.monotonic()
    rss_500, rss_5000, settled = asyncio.run(drive(base, process))
    growth = rss_5000 - rss_500
    print(
        f"\nemulator RSS after 500 chats {rss_500 / 2**20:.1f} MiB, after 5,000 {rss_5000 / 2**20:.1f} MiB: "
        f"{growth / 4500:.0f} bytes per chat ({time.monotonic() - began:.0f} s)"
    )
    assert settled["contacts"] == 0, settled
    assert settled["participants"] == 0, settled
    assert settled["connection_tokens"] == 0, settled
    assert settled["idempotency_answers"] == 0, settled
    assert settled["websockets"] == 0, settled
    assert growth <= BUDGET_BYTES, f"RSS grew {growth} bytes between chat 500 and chat 5,000"
