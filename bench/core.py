"""Facade core: client CPU per SendMessage and per 1000-item transcript, async throughput.

Compares, in one run against the same server process:
- sync SendMessage: facade vs raw httpx vs boto3 (client CPU per call);
- a 1000-item transcript in pages of 100 (realistic items: ≈100-character content, receipts,
  an attachment on every 10th): facade vs raw httpx vs boto3 (client CPU);

- async SendMessage at 50 in flight: facade vs aiobotocore vs raw aiohttp (calls/s).

The sync contenders take turns call by call (``cpu_paired``) and each ratio is the median of
per-sample ratios to raw httpx, so the machine's drifting speed does not pass for a
difference between them.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx

from bench._harness import Report, cpu_paired, server_process

PARTICIPANT_TOKEN = "participant-token-bench"
CONNECTION_TOKEN = "conn-token-bench"
SEND_CALLS = 1000
TRANSCRIPT_SAMPLES = 150
ASYNC_CALLS = 3000
IN_FLIGHT = 50
ASYNC_ROUNDS = 15  # short rounds: one slow round (a GC pass, the VM's drift) moves the median little


def _boto3_client(url: str, service: str = "connectparticipant") -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
    ).client(service, endpoint_url=url, config=Config(retries={"max_attempts": 1}))


def _raw_send(client: httpx.Client) -> Any:
    body = json.dumps({"ContentType": "text/plain", "Content": "hello", "ClientToken": str(uuid.uuid4())})
    response = client.post(
        "/participant/message",
        content=body,
        headers={"X-Amz-Bearer": CONNECTION_TOKEN, "Content-Type": "application/json"},
    )
    response.raise_for_status()
    return response.json()


def _raw_transcript(client: httpx.Client) -> int:
    count = 0
    token = None
    while True:
        body: dict[str, Any] = {"MaxResults": 100, "ScanDirection": "BACKWARD", "SortOrder": "ASCENDING"}
        if token:
            body["NextToken"] = token
        response = client.post(
            "/participant/transcript",
            content=json.dumps(body),
            headers={"X-Amz-Bearer": CONNECTION_TOKEN, "Content-Type": "application/json"},
        )
        response.raise_for_status()
        page = response.json()
        for item in page["Transcript"]:
            count += bool(item["Id"])
        token = page.get("NextToken")
        if not token:
            return count


def _boto3_transcript(client: Any) -> int:
    count = 0
    kwargs: dict[str, Any] = {"ConnectionToken": CONNECTION_TOKEN, "MaxResults": 100}
    while True:
        page = client.get_transcript(**kwargs)
        for item in page["Transcript"]:
            count += bool(item["Id"])
        if not page.get("NextToken"):
            return count
        kwargs["NextToken"] = page["NextToken"]


def bench_sync(report: Report, url: str) -> None:
    from connect_participant import ParticipantClient

    raw = httpx.Client(base_url=url)
    boto = _boto3_client(url)
    with ParticipantClient(endpoint_url=url) as client:
        chat = client.connect(PARTICIPANT_TOKEN)

        report.section("sync SendMessage — client CPU per call (median; ratio: median of per-call ratios)")
        sends = cpu_paired(
            {
                "raw": lambda: _raw_send(raw),
                "facade": lambda: chat.send_message("hello"),
                "boto3": lambda: boto.send_message(
                    ConnectionToken=CONNECTION_TOKEN, ContentType="text/plain", Content="hello"
                ),
            },
            base="raw",
            samples=SEND_CALLS,
            warmup=100,
        )
        report.row("raw httpx", sends.cpu["raw"] * 1e6, "µs")
        report.paired_row("connect_participant", sends, "facade", 1e6, "µs", "raw httpx")
        report.paired_row("boto3", sends, "boto3", 1e6, "µs", "raw httpx")
        report.target("sync send CPU, facade / raw httpx", sends.ratio["facade"], 1.10)

        report.section("transcript of 1000 items, pages of 100 — client CPU per transcript")
        assert _raw_transcript(raw) == 1000
        assert sum(1 for _ in chat.transcript(page_size=100)) == 1000
        assert _boto3_transcript(boto) == 1000
        transcripts = cpu_paired(
            {
                "raw": lambda: _raw_transcript(raw),
                "facade": lambda: sum(1 for item in chat.transcript(page_size=100) if item.id),
                "boto3": lambda: _boto3_transcript(boto),
            },
            base="raw",
            samples=TRANSCRIPT_SAMPLES,
        )
        report.row("raw httpx", transcripts.cpu["raw"] * 1e3, "ms")
        report.paired_row("connect_participant", transcripts, "facade", 1e3, "ms", "raw httpx")
        report.paired_row("boto3", transcripts, "boto3", 1e3, "ms", "raw httpx")
        report.target("transcript CPU, facade / raw httpx", transcripts.ratio["facade"], 1.40)
    raw.close()


async def _throughput(call: Any, calls: int, in_flight: int = IN_FLIGHT) -> float:
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return calls / (time.perf_counter() - start)


async def _bench_async(report: Report, url: str) -> None:
    import contextlib
    import statistics

    import aiohttp
    from aiobotocore.session import get_session
    from botocore.config import Config
    from connect_participant import AsyncParticipantClient

    report.section(
        f"async SendMessage, {IN_FLIGHT} in flight — calls per second (wall; ratio: median of {ASYNC_ROUNDS} rounds)"
    )
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(AsyncParticipantClient(endpoint_url=url))
        chat = await client.connect(PARTICIPANT_TOKEN)
        boto = await stack.enter_async_context(
            get_session().create_client(
                "connectparticipant",
                region_name="us-east-1",
                endpoint_url=url,
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
                config=Config(retries={"max_attempts": 1}, max_pool_connections=IN_FLIGHT),
            )
        )
        http = await stack.enter_async_context(aiohttp.ClientSession(base_url=url))

        async def raw_call() -> Any:
            body = json.dumps(
                {"ContentType": "text/plain", "Content": "hello", "ClientToken": str(uuid.uuid4())}
            )
            async with http.post(
                "/participant/message",
                data=body,
                headers={"X-Amz-Bearer": CONNECTION_TOKEN, "Content-Type": "application/json"},
            ) as response:
                response.raise_for_status()
                return await response.json()

        calls: dict[str, Any] = {
            "facade": lambda: chat.send_message("hello"),
            "boto3": lambda: boto.send_message(
                ConnectionToken=CONNECTION_TOKEN, ContentType="text/plain", Content="hello"
            ),
            "raw": raw_call,
        }
        for call in calls.values():  # warm up connections
            for _ in range(100):
                await call()
        # The contenders take turns round by round (order rotated), as the sync ones take turns
        # call by call: this VM's speed drifts within seconds, and each round's ratio compares
        # runs a second apart.
        rates: dict[str, list[float]] = {name: [] for name in calls}
        names = list(calls)
        for i in range(ASYNC_ROUNDS):
            k = i % len(names)
            for name in names[k:] + names[:k]:
                rates[name].append(await _throughput(calls[name], ASYNC_CALLS // ASYNC_ROUNDS))

    median = statistics.median
    round_ratios = [f / b for f, b in zip(rates["facade"], rates["boto3"], strict=True)]
    facade_ratio = median(round_ratios)
    q1, _, q3 = statistics.quantiles(round_ratios, n=4)
    raw_ratio = median(r / b for r, b in zip(rates["raw"], rates["boto3"], strict=True))
    report.row("aiobotocore", median(rates["boto3"]), "calls/s")
    print(
        f"  {'connect_participant (AsyncParticipantClient)':<38} {median(rates['facade']):>12.2f} calls/s"
        f"   {facade_ratio:5.2f}× aiobotocore (quartiles {q1:.2f}–{q3:.2f})",
        flush=True,
    )
    print(
        f"  {'raw aiohttp':<38} {median(rates['raw']):>12.2f} calls/s   {raw_ratio:5.2f}× aiobotocore",
        flush=True,
    )
    report.target("async throughput, facade / aiobotocore", facade_ratio, 1.5, higher_is_better=True)


def run(report: Report) -> None:
    with server_process() as url:
        bench_sync(report, url)
        asyncio.run(_bench_async(report, url))
