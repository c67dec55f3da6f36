"""One session shared by many threads or tasks while connection tokens expire every ~2 s.

The emulator issues connection tokens that live ``TTL`` seconds and answers SendMessage and
CreateParticipantConnection after ``LATENCY`` seconds, and the client's pool has fewer
connections than callers, so calls wait for a connection and many are sent with a token that
expires before the service reads it. The client renews only on expiry (``refresh_margin=0``),
so every renewal after the first is driven by an expiry or a 403: the hard path.

With ``revoke=True`` tokens live a day but the emulator revokes every live connection token
every ``TTL`` seconds, whatever its age (``expire_connection_tokens()``, as a service that
ends tokens early would): the SDK learns of it only from 403s, on tokens that may never have
worked (a renewed token's first calls still wait in the pool when the next revocation comes).
A revocation also waits until as many messages as there are callers were delivered since the
last one (2xx answers to SendMessage). On a starved CPU a call's wait in the pool alone can
outlast ``TTL``, and revoking every ``TTL`` of the wall clock then refuses every send of some
calls until they give up (``MAX_SENDS`` sends, by design), or refuses renewed tokens before they
ever work until the SDK doubts them (``MAX_DOUBTS``): a run on a busy machine failed so, at the
newest versions as at the floors. Paced by deliveries too, a send waits behind fewer calls than
a revocation needs; tokens refused before they ever worked are the pure tests' part
(tests/test_facade_tokens.py).

``run_threads`` / ``run_tasks`` return a ``Report``: errors, the messages the transcript holds,
and the renewals (CreateParticipantConnection calls after the first) against the expiries
(tokens' lifetimes that ended while the test ran). Used by ``tests/test_sharing.py`` (smaller
runs) and ``bench/sharing.py`` (the issue's full sizes).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from connect_participant import AsyncParticipantClient, ParticipantClient
from connect_participant_emulator import LocalParticipantService

TTL = 2.0
LATENCY = 0.5
#: the counts' key prefix for 2xx answers (``DELIVERED + path``); the bare path counts requests
DELIVERED = "2xx "
SEND = "/participant/message"


class _Counting(httpx.BaseTransport):
    def __init__(self, wrapped: httpx.BaseTransport, counts: Counter[str]) -> None:
        self.wrapped, self.counts, self.lock = wrapped, counts, threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.counts[request.url.path] += 1
        response = self.wrapped.handle_request(request)
        if response.is_success:
            with self.lock:
                self.counts[DELIVERED + request.url.path] += 1
        return response

    def close(self) -> None:
        self.wrapped.close()


class _AsyncCounting(httpx.AsyncBaseTransport):
    def __init__(self, wrapped: httpx.AsyncBaseTransport, counts: Counter[str]) -> None:
        self.wrapped, self.counts = wrapped, counts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.counts[request.url.path] += 1
        response = await self.wrapped.handle_async_request(request)
        if response.is_success:
            self.counts[DELIVERED + request.url.path] += 1
        return response

    async def aclose(self) -> None:
        await self.wrapped.aclose()


@dataclass
class Report:
    callers: int
    sends: int
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    contents: Counter[str] = field(default_factory=Counter)
    creates: int = 0
    sends_on_wire: int = 0
    revocations: int | None = None  # revoke mode: revocations that ended at least one token

    @property
    def renewals(self) -> int:
        return self.creates - 1

    @property
    def expiries(self) -> int:
        """Tokens' lifetimes that ended while the test ran (or the revocations, in revoke mode)."""
        if self.revocations is not None:
            return self.revocations
        return math.ceil(self.elapsed / TTL)

    def expected(self) -> set[str]:
        return {f"c{c}-m{n}" for c in range(self.callers) for n in range(self.sends)}

    def summary(self) -> str:
        lost = len(self.expected() - set(self.contents))
        doubled = sum(1 for count in self.contents.values() if count > 1)
        return (
            f"{self.callers} callers x {self.sends} sends in {self.elapsed:.1f} s: {len(self.errors)} errors, "
            f"{lost} lost, {doubled} doubled, {self.renewals} renewals for {self.expiries} expiries, "
            f"{self.sends_on_wire} SendMessage requests"
        )


def _emulator(revoke: bool) -> LocalParticipantService:
    return LocalParticipantService() if revoke else LocalParticipantService(connection_token_ttl=TTL)


class _Revoker:
    """Revokes every live connection token every ``TTL`` seconds while the callers run, and only
    once as many messages as there are callers were delivered since the last revocation."""

    def __init__(self, service: LocalParticipantService, report: Report, counts: Counter[str]) -> None:
        self.service, self.report, self.counts = service, report, counts
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        report.revocations = 0

    def _run(self) -> None:
        last = self.counts[DELIVERED + SEND]
        while not self.stop.wait(TTL):
            while self.counts[DELIVERED + SEND] - last < self.report.callers:
                if self.stop.wait(0.05):
                    return
            last = self.counts[DELIVERED + SEND]
            if self.service.expire_connection_tokens() and self.report.revocations is not None:
                self.report.revocations += 1

    def __enter__(self) -> _Revoker:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        self.thread.join()


def _slow(service: LocalParticipantService) -> None:
    service.set_latency(LATENCY, "SendMessage")
    service.set_latency(LATENCY, "CreateParticipantConnection")


def _transcript(chat: Any) -> Counter[str]:
    return Counter(item.content for item in chat.transcript(page_size=100) if item.type == "MESSAGE")


def run_threads(callers: int = 32, sends: int = 100, connections: int = 16, revoke: bool = False) -> Report:
    report = Report(callers, sends)
    counts: Counter[str] = Counter()
    with _emulator(revoke) as service:
        chat_info = service.start_chat()
        transport = _Counting(httpx.HTTPTransport(limits=httpx.Limits(max_connections=connections)), counts)
        with (
            httpx.Client(transport=transport, timeout=30) as http,
            ParticipantClient(
                endpoint_url=service.endpoint_url, http_client=http, refresh_margin=0
            ) as client,
        ):
            _slow(service)
            chat = client.connect(chat_info.participant_token)

            def caller(c: int) -> None:
                for n in range(sends):
                    try:
                        chat.send_message(f"c{c}-m{n}")
                    except Exception as exc:
                        report.errors.append(f"{type(exc).__name__}: {exc}")

            start = time.monotonic()
            with contextlib.ExitStack() as revoking:
                if revoke:
                    revoking.enter_context(_Revoker(service, report, counts))
                with ThreadPoolExecutor(callers) as pool:
                    list(pool.map(caller, range(callers)))
            report.elapsed = time.monotonic() - start
            service.set_latency(0, "SendMessage")
            service.set_latency(0, "CreateParticipantConnection")
            report.contents = _transcript(chat)
    report.creates = counts["/participant/connection"]
    report.sends_on_wire = counts[SEND]
    return report


async def run_tasks(callers: int = 200, sends: int = 20, revoke: bool = False) -> Report:
    report = Report(callers, sends)
    counts: Counter[str] = Counter()
    async with _emulator(revoke) as service:
        chat_info = await service.astart_chat()
        from httpx_aiohttp import AiohttpTransport

        transport = _AsyncCounting(AiohttpTransport(limits=httpx.Limits(max_connections=100)), counts)
        async with (
            httpx.AsyncClient(transport=transport, timeout=30) as http,
            AsyncParticipantClient(
                endpoint_url=service.endpoint_url, http_client=http, refresh_margin=0
            ) as client,
        ):
            await asyncio.to_thread(_slow, service)
            chat = await client.connect(chat_info.participant_token)

            async def caller(c: int) -> None:
                for n in range(sends):
                    try:
                        await chat.send_message(f"c{c}-m{n}")
                    except Exception as exc:
                        report.errors.append(f"{type(exc).__name__}: {exc}")

            start = time.monotonic()
            with contextlib.ExitStack() as revoking:
                if revoke:
                    revoking.enter_context(_Revoker(service, report, counts))
                await asyncio.gather(*(caller(c) for c in range(callers)))
            report.elapsed = time.monotonic() - start
            await asyncio.to_thread(service.set_latency, 0, "SendMessage")
            await asyncio.to_thread(service.set_latency, 0, "CreateParticipantConnection")
            contents: Counter[str] = Counter()
            async for item in chat.transcript(page_size=100):
                if item.type == "MESSAGE" and item.content is not None:
                    contents[item.content] += 1
            report.contents = contents
    report.creates = counts["/participant/connection"]
    report.sends_on_wire = counts[SEND]
    return report
