"""A session shared by many threads or tasks survives repeated token expiries, and revocations of
every live token whatever its age, with a saturated pool: no errors, every message exactly once,
one renewal per expiry or revocation (see ``_sharing``). And when the 403s are about something
else (the chat ended for this participant), CreateParticipantConnection is called a bounded
number of times however many callers keep trying.

These are smaller runs than the issue's (32 threads x 100 sends, 200 tasks x 20 sends), so that
``make test`` stays within CI's budget; ``make bench`` runs the full sizes (``bench/sharing.py``).
They still span several token lifetimes with every caller's calls in flight across expiries.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from _sharing import Report, _AsyncCounting, _Counting, run_tasks, run_threads
from connect_participant import AccessDeniedError, AsyncParticipantClient, ParticipantClient
from connect_participant._tokens import DOUBT_PAUSE
from connect_participant_emulator import LocalParticipantService

CREATE = "/participant/connection"


def _holds(report: Report) -> None:
    assert report.errors == [], report.summary()
    assert set(report.contents) >= report.expected(), report.summary()
    assert all(report.contents[key] == 1 for key in report.expected()), report.summary()
    assert report.renewals <= report.expiries + 2, report.summary()
    assert report.sends_on_wire > report.callers * report.sends, "no call was refused: expiries not exercised"


def test_threads_share_a_session_across_expiries() -> None:
    _holds(run_threads(callers=32, sends=10, connections=16))


async def test_tasks_share_a_session_across_expiries() -> None:
    _holds(await run_tasks(callers=200, sends=4))


def test_threads_share_a_session_across_revocations() -> None:
    report = run_threads(callers=32, sends=6, connections=16, revoke=True)
    assert report.revocations is not None
    assert report.revocations >= 2, report.summary()
    _holds(report)


async def test_tasks_share_a_session_across_revocations() -> None:
    report = await run_tasks(callers=200, sends=5, revoke=True)
    assert report.revocations is not None
    assert report.revocations >= 2, report.summary()
    _holds(report)


def _bound(started: float) -> int:
    """Creates allowed while every call is refused: the connect, one renewal of the token that
    worked, two doubtful renewals, and one more per DOUBT_PAUSE the callers kept trying."""
    return 4 + int((time.monotonic() - started) / DOUBT_PAUSE.total_seconds())


def test_a_participant_removed_from_the_chat_costs_one_create_however_many_threads_call() -> None:
    counts: Counter[str] = Counter()
    with LocalParticipantService() as service:
        token = service.start_chat().participant_token
        transport = _Counting(httpx.HTTPTransport(limits=httpx.Limits(max_connections=8)), counts)
        with (
            httpx.Client(transport=transport) as http,
            ParticipantClient(endpoint_url=service.endpoint_url, http_client=http) as client,
            ParticipantClient(endpoint_url=service.endpoint_url) as elsewhere,
        ):
            chat = client.connect(token)
            chat.send_message("before")
            elsewhere.connect(token).disconnect()  # the customer left from another window

            def caller(n: int) -> type[BaseException] | None:
                try:
                    chat.send_message(f"m{n}")
                except Exception as exc:
                    return type(exc)
                return None

            with ThreadPoolExecutor(32) as pool:
                outcomes = list(pool.map(caller, range(320)))
    assert outcomes == [AccessDeniedError] * 320
    assert counts[CREATE] == 2  # the connect and one refused re-create: the participant token is dead


async def test_every_call_refused_while_connections_are_handed_out_costs_bounded_creates() -> None:
    counts: Counter[str] = Counter()
    async with LocalParticipantService() as service:
        token = (await service.astart_chat()).participant_token
        transport = _AsyncCounting(httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=20)), counts)
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncParticipantClient(endpoint_url=service.endpoint_url, http_client=http) as client,
        ):
            chat = await client.connect(token)
            await chat.send_message("before")  # the token worked
            # from now on every SendMessage is refused, not because of the token
            await asyncio.to_thread(service.inject_fault, "SendMessage", count=None, status=403)
            started = time.monotonic()

            async def caller(n: int) -> type[BaseException] | None:
                for k in range(5):
                    try:
                        await chat.send_message(f"m{n}-{k}")
                    except Exception as exc:
                        return type(exc)
                return None

            outcomes = await asyncio.gather(*(caller(n) for n in range(200)))
            bound = _bound(started)
    assert outcomes == [AccessDeniedError] * 200
    assert 2 <= counts[CREATE] <= bound, (counts[CREATE], bound)
