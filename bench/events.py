"""Events stream: delivery latency and concurrent sessions per process, through the emulator.

The emulator runs in another process (``python -m bench.events --serve``), so its CPU is not
the client's. Measured:

- delivery latency: a customer sends a message (SendMessage) and the bot's ``chat.events()``
  yields it; one message at a time, p50 and p99, for ``AsyncChatSession`` and for the sync
  ``ChatSession`` (whose stream runs on the private loop thread);
- recovery after a drop: the service closes the bot's WebSocket (control endpoint: cleanly
  with 1001, or abruptly without a close frame), the customer sends a message at once (it
  reaches no socket: the stream must read it from the transcript), and the time from the
  close to the stream yielding that message is taken, p50 and p99, default
  ``EventStreamConfig``;
- concurrent sessions: one client process connects N chat sessions, each with an open events
  stream (its own WebSocket), then every session sends a message and every stream must yield
  it; each N runs in a fresh process (``--sessions N``) so its RSS is its own. Reported: the
  time to set up, the time until all N streams delivered, and RSS per session (session +
  stream, over an idle process with the client imported).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from bench._harness import ROOT, Report, server_process

LATENCY_MESSAGES = 400
RECOVERY_ROUNDS = 40
SESSION_STEPS = (500, 1000, 2000, 4000)
CONCURRENCY = 50
INSTANCE_ID = "00000000-0000-4000-8000-000000000001"
CONTACT_FLOW_ID = "00000000-0000-4000-8000-0000000000f1"


# --- the emulator process -------------------------------------------------------------------------


def serve() -> None:
    from connect_participant_emulator import LocalParticipantService

    with LocalParticipantService(port=0) as service:
        print(f"PORT {service.port}", flush=True)
        threading.Event().wait()  # until terminated


# --- Connect's admin calls (a backend's part, not measured) ---------------------------------------


async def start_chat(admin: httpx.AsyncClient, name: str = "Customer") -> tuple[str, str, str]:
    body = {
        "InstanceId": INSTANCE_ID,
        "ContactFlowId": CONTACT_FLOW_ID,
        "ParticipantDetails": {"DisplayName": name},
        "ClientToken": str(uuid.uuid4()),
    }
    answer = (await admin.put("/contact/chat", json=body)).raise_for_status().json()
    return answer["ContactId"], answer["ParticipantId"], answer["ParticipantToken"]


async def add_bot(admin: httpx.AsyncClient, contact_id: str) -> tuple[str, str]:
    body = {
        "InstanceId": INSTANCE_ID,
        "ContactId": contact_id,
        "ParticipantDetails": {"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Bot"},
    }
    answer = (await admin.post("/contact/create-participant", json=body)).raise_for_status().json()
    return answer["ParticipantId"], answer["ParticipantCredentials"]["ParticipantToken"]


async def new_chat_with_bot(url: str) -> tuple[str, str, str, str]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as admin:
        contact_id, customer_id, customer_token = await start_chat(admin)
        _bot_id, bot_token = await add_bot(admin, contact_id)
    return contact_id, customer_id, customer_token, bot_token


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- latency --------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def bot_listening(
    client: Any, customer_token: str, bot_token: str, customer_id: str
) -> AsyncIterator[tuple[Any, asyncio.Queue[tuple[str, float]]]]:
    """The customer's session and a queue of (content, arrival time) of the customer's messages
    as the bot's ``events()`` yields them; one warm-up message already went through."""
    from connect_participant import Message

    arrivals: asyncio.Queue[tuple[str, float]] = asyncio.Queue()
    customer = await client.connect(customer_token)
    robot = await client.connect(bot_token)

    async def consume() -> None:
        async with robot.events() as stream:
            async for event in stream:
                if isinstance(event, Message) and event.participant_id == customer_id:
                    arrivals.put_nowait((event.item.content or "", time.perf_counter()))

    consumer = asyncio.create_task(consume())
    try:
        await customer.send_message("warm-up")
        await asyncio.wait_for(arrivals.get(), 10)
        yield customer, arrivals
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)


async def latency_async(url: str) -> list[float]:
    from connect_participant import AsyncParticipantClient

    _contact, customer_id, customer_token, bot_token = await new_chat_with_bot(url)
    async with (
        AsyncParticipantClient(endpoint_url=url) as client,
        bot_listening(client, customer_token, bot_token, customer_id) as (customer, arrivals),
    ):
        samples = []
        for i in range(LATENCY_MESSAGES):
            text = f"m{i}"
            start = time.perf_counter()
            await customer.send_message(text)
            got, at = await asyncio.wait_for(arrivals.get(), 10)
            assert got == text, (got, text)
            samples.append(at - start)
    return samples


def latency_sync(url: str) -> list[float]:
    from connect_participant import Message, ParticipantClient

    _contact, customer_id, customer_token, bot_token = asyncio.run(new_chat_with_bot(url))
    arrivals: queue.SimpleQueue[tuple[str, float]] = queue.SimpleQueue()
    with ParticipantClient(endpoint_url=url) as client:
        customer = client.connect(customer_token)
        robot = client.connect(bot_token)
        stream = robot.events()

        def consume() -> None:
            for event in stream:
                if isinstance(event, Message) and event.participant_id == customer_id:
                    arrivals.put((event.item.content or "", time.perf_counter()))

        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        customer.send_message("warm-up")
        arrivals.get(timeout=10)
        samples = []
        for i in range(LATENCY_MESSAGES):
            text = f"m{i}"
            start = time.perf_counter()
            customer.send_message(text)
            got, at = arrivals.get(timeout=10)
            assert got == text, (got, text)
            samples.append(at - start)
        stream.close()
        consumer.join(5)
    return samples


# --- recovery after a drop ------------------------------------------------------------------------


async def recovery_async(url: str, abrupt: bool) -> list[float]:
    """Seconds from the service closing the stream's socket to the stream yielding a message sent
    while it was down, ``RECOVERY_ROUNDS`` times."""
    from connect_participant import AsyncParticipantClient

    contact_id, customer_id, customer_token, bot_token = await new_chat_with_bot(url)
    async with (
        AsyncParticipantClient(endpoint_url=url) as client,
        httpx.AsyncClient(base_url=url, timeout=10) as control,
        bot_listening(client, customer_token, bot_token, customer_id) as (customer, arrivals),
    ):
        samples = []
        close = {"code": 1001, "abrupt": abrupt, "contact_id": contact_id}
        for i in range(RECOVERY_ROUNDS):
            await asyncio.sleep(0.3)  # the socket back and healthy (heartbeat answered)
            start = time.perf_counter()
            closed = (await control.post("/_emulator/websockets/close", json=close)).raise_for_status().json()
            assert closed["closed"] >= 1, closed
            text = f"missed-{i}"
            await customer.send_message(text)
            got, at = await asyncio.wait_for(arrivals.get(), 30)
            assert got == text, (got, text)
            samples.append(at - start)
    return samples


# --- concurrent sessions (run in a fresh process per N) -------------------------------------------


async def hold_sessions(url: str, count: int) -> dict[str, Any]:
    import psutil
    from connect_participant import AsyncParticipantClient, Message

    process = psutil.Process()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def limited(coro: Any) -> Any:
        async with gate:
            return await coro

    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_connections=CONCURRENCY)
    ) as admin:
        chats = await asyncio.gather(*(limited(start_chat(admin)) for _ in range(count)))
    async with AsyncParticipantClient(endpoint_url=url) as client:
        baseline = process.memory_info().rss
        started = time.perf_counter()
        sessions = await asyncio.gather(*(limited(client.connect(token)) for _c, _p, token in chats))
        streams = [session.events() for session in sessions]
        received = [asyncio.get_running_loop().create_future() for _ in range(count)]

        async def consume(index: int) -> None:
            async for event in streams[index]:
                if isinstance(event, Message) and event.item.content == f"ping-{index}":
                    received[index].set_result(time.perf_counter())
                    return

        consumers = [asyncio.create_task(consume(i)) for i in range(count)]
        # every stream subscribed: each has opened its socket and read its transcript once
        deadline = time.perf_counter() + 120
        while sum(s.stats["gap_fills"] for s in streams) < count and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
        setup = time.perf_counter() - started
        rss = process.memory_info().rss
        sent_at = time.perf_counter()
        await asyncio.gather(*(limited(s.send_message(f"ping-{i}")) for i, s in enumerate(sessions)))
        done, _ = await asyncio.wait(received, timeout=60)
        delivered = len(done)
        all_delivered = (max(f.result() for f in done) - sent_at) if done else float("nan")
        drops = sum(s.stats["drops"] for s in streams)
        for task in consumers:
            task.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        await asyncio.gather(*(s.aclose() for s in streams))
    return {
        "sessions": count,
        "delivered": delivered,
        "drops": drops,
        "setup_s": setup,
        "all_delivered_s": all_delivered,
        "rss_per_session_kb": (rss - baseline) / count / 1024,
    }


def sessions_step(url: str, count: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.events", "--sessions", str(count), "--url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        return {"sessions": count, "delivered": 0, "error": result.stderr.strip().splitlines()[-1:]}
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


# --- the section ----------------------------------------------------------------------------------


def run(report: Report) -> None:
    with server_process("bench.events", "--serve") as url:
        report.section(
            f"events — delivery latency, SendMessage → other side's events(), {LATENCY_MESSAGES} messages"
        )
        for label, samples in (
            ("async", asyncio.run(latency_async(url))),
            ("sync (private loop thread)", latency_sync(url)),
        ):
            report.row(f"{label} p50", percentile(samples, 50) * 1e3, "ms")
            report.row(f"{label} p99", percentile(samples, 99) * 1e3, "ms")
            report.row(f"{label} mean", statistics.fmean(samples) * 1e3, "ms")

        report.section(
            f"events — recovery after a drop: socket closed by the service → first missed message "
            f"yielded, {RECOVERY_ROUNDS} drops each"
        )
        for label, abrupt in (("clean close (1001)", False), ("abrupt drop (no close frame)", True)):
            samples = asyncio.run(recovery_async(url, abrupt))
            report.row(f"{label} p50", percentile(samples, 50) * 1e3, "ms")
            report.row(f"{label} p99", percentile(samples, 99) * 1e3, "ms")
            report.target(f"recovery after a drop, {label}, p99 (s)", percentile(samples, 99), 1.0)

    report.section("events — concurrent sessions in one process (each with its own WebSocket)")
    held = 0
    for count in SESSION_STEPS:
        # a fresh emulator per step: the sessions of the previous step are not in its way
        with server_process("bench.events", "--serve") as url:
            step = sessions_step(url, count)
        if "error" in step:
            print(f"  {count} sessions: failed ({' '.join(step['error'])})", flush=True)
            break
        ok = step["delivered"] == count and step["drops"] == 0
        print(
            f"  {count:>5} sessions: set up in {step['setup_s']:.1f} s, all {step['delivered']} streams "
            f"delivered in {step['all_delivered_s'] * 1e3:.0f} ms, {step['drops']} drops, "
            f"RSS {step['rss_per_session_kb']:.0f} KiB per session{'' if ok else '  (INCOMPLETE)'}",
            flush=True,
        )
        if not ok:
            break
        held = count
    report.row("sessions held (every stream delivering)", held, "sessions")
    report.target("concurrent sessions with events in one process", held, 1000, higher_is_better=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.events")
    parser.add_argument("--serve", action="store_true", help="run the emulator and print its port")
    parser.add_argument("--sessions", type=int, help="hold this many sessions against --url, print JSON")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.serve:
        serve()
    elif args.sessions:
        print(json.dumps(asyncio.run(hold_sessions(args.url, args.sessions))), flush=True)
    else:
        report = Report()
        run(report)
        sys.exit(0 if report.summary() else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
