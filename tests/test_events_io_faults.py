"""A stream never waits on a dead task: an unexpected exception (or a cancellation that is not the
task's own) injected at each await of the events I/O shell (``_ws``) reaches the protocol as a
loss it handles — the stream reconnects and goes on delivering — or ends the stream with a typed
``EventStreamError``; never a silent wait, never "Task exception was never retrieved".

Each fault is injected once (or every time, to reach ``unexpected_error_limit``), against the
emulator, through the public ``async with chat.events()``/``with chat.events()``."""

from __future__ import annotations

import asyncio
import logging
import threading
import types
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
from connect_participant import (
    AsyncParticipantClient,
    EventStreamConfig,
    EventStreamError,
    Message,
    ParticipantClient,
    StreamNotLiveError,
)
from connect_participant import _ws as shell
from connect_participant_emulator import LocalParticipantService

QUICK = EventStreamConfig(
    heartbeat_interval=1.0,
    heartbeat_timeout=1.5,
    open_timeout=2.0,
    first_retry_delay=0.05,
    backoff_base=0.05,
    backoff_cap=0.3,
    stable_after=0.2,
    live_timeout=10.0,
)


class Boom(Exception):
    """An error no code of the shell expects (a bug, a dependency changed under it)."""


def _cancelled() -> BaseException:
    """A CancelledError from under the task (an executor shut down under a call), not a cancel of it."""
    return asyncio.CancelledError()


class Fault:
    """Replaces ``owner.name`` (a coroutine method) with one that raises ``make()`` on calls
    ``after+1 .. after+times`` (after doing its work, with ``done_first``) and otherwise does
    what it did."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        owner: Any,
        name: str,
        make: Callable[[], BaseException] = Boom,
        *,
        after: int = 0,
        times: int | None = 1,
        done_first: bool = False,
    ) -> None:
        self.calls = 0
        self.fired = 0
        original = getattr(owner, name)
        fault = self

        async def patched(this: Any, *args: Any, **kwargs: Any) -> Any:
            fault.calls += 1
            if fault.calls > after and (times is None or fault.fired < times):
                fault.fired += 1
                if done_first:  # the work done, then the exception (nothing left unreleased)
                    await original(this, *args, **kwargs)
                raise make()
            return await original(this, *args, **kwargs)

        monkeypatch.setattr(owner, name, patched)


@pytest.fixture
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


@pytest.fixture(autouse=True)
def _no_lost_task_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing may end in "Task exception was never retrieved" (asyncio logs it at ERROR)."""
    caplog.set_level(logging.WARNING)
    yield
    lost = [r for r in caplog.records if r.name == "asyncio" and r.levelno >= logging.ERROR]
    assert lost == [], [r.getMessage() for r in lost]


def _ws_fault(monkeypatch: pytest.MonkeyPatch, svc: LocalParticipantService, name: str, make: Any) -> Fault:
    if name == "ws_connect":
        return Fault(monkeypatch, aiohttp.ClientSession, "_ws_connect", make)
    if name == "receive":  # after the acknowledgement came: a live socket's read fails
        return Fault(monkeypatch, aiohttp.ClientWebSocketResponse, "receive", make, after=1)
    if name == "send_str":  # after the subscribe frame: a live socket's heartbeat send fails
        return Fault(monkeypatch, aiohttp.ClientWebSocketResponse, "send_str", make, after=1)
    if name == "new_connection":  # a refused handshake first, so a fresh URL is fetched
        svc.inject_fault("WebSocketConnect", count=1, status=503)
        return Fault(monkeypatch, shell._AsyncBackend, "new_connection", make)
    if name == "fill":  # the first subscription's gap fill
        return Fault(monkeypatch, shell._AsyncBackend, "fill", make)
    raise AssertionError(name)


RECOVERABLE = ["ws_connect", "receive", "send_str", "new_connection", "fill"]


@pytest.mark.parametrize("make", [Boom, _cancelled], ids=["exception", "cancelled from under"])
@pytest.mark.parametrize("where", RECOVERABLE)
async def test_a_fault_at_an_await_is_a_loss_the_stream_recovers_from(
    svc: LocalParticipantService, monkeypatch: pytest.MonkeyPatch, where: str, make: Any
) -> None:
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        fault = _ws_fault(monkeypatch, svc, where, make)
        async with asyncio.timeout(20), chat.events(config=QUICK) as stream:
            for n in range(3):  # before, while and after the stream mends
                await svc.asend_message(started, f"m{n}")
            got: list[str] = []
            async for event in stream:
                if isinstance(event, Message) and event.participant_role == "SYSTEM":
                    got.append(event.content or "")
                    if len(got) == 3:
                        break
            if where in ("receive", "send_str"):
                # the live socket was given up: a new one came, and what was said meanwhile too
                await _until(lambda: fault.fired == 1)
        assert got == ["m0", "m1", "m2"]
        assert fault.fired == 1
        await chat.disconnect()


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def test_an_unexpected_error_every_time_ends_the_stream_with_a_typed_error(
    svc: LocalParticipantService, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = await svc.astart_chat("Ann")
    config = EventStreamConfig(
        first_retry_delay=0.01, backoff_base=0.01, backoff_cap=0.05, unexpected_error_limit=3
    )
    fault = Fault(monkeypatch, aiohttp.ClientSession, "_ws_connect", times=None)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        with pytest.raises(EventStreamError) as failed:
            async with asyncio.timeout(10), chat.events(config=config):
                pytest.fail("entered a stream that could not open a socket")
        assert failed.value.code == "StreamFailed"
        assert not isinstance(failed.value, StreamNotLiveError)
        assert isinstance(failed.value.__cause__, Boom)
        assert fault.fired == 3
        await chat.disconnect()


def test_an_unexpected_error_every_time_ends_a_sync_stream_too(
    svc: LocalParticipantService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync stream: live first, then every read fails (and every reconnect's): it ends."""
    started = svc.start_chat("Ann")
    config = EventStreamConfig(
        first_retry_delay=0.01, backoff_base=0.01, backoff_cap=0.05, unexpected_error_limit=3
    )
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        with chat.events(config=config) as stream:
            Fault(monkeypatch, aiohttp.ClientWebSocketResponse, "receive", times=None)
            svc.send_message(started, "hello")  # wakes the reader that is waiting (not failing) yet
            with pytest.raises(EventStreamError) as failed:
                for _ in stream:
                    pass
        assert failed.value.code == "StreamFailed"
        chat.disconnect()


async def test_the_pumps_own_wait_failing_ends_the_stream_with_a_typed_error(
    svc: LocalParticipantService,
) -> None:
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        stream = chat.events(config=QUICK)
        inbox = stream._inbox
        real_get = inbox.get

        async def get() -> object:
            inbox.get = real_get  # type: ignore[method-assign]
            raise Boom

        inbox.get = get  # type: ignore[method-assign]
        with pytest.raises(EventStreamError) as failed:
            async with asyncio.timeout(10), stream:
                pytest.fail("entered a stream whose pump died")
        assert failed.value.code == "StreamFailed"
        assert isinstance(failed.value.__cause__, Boom)
        await chat.disconnect()


async def test_a_pump_cancelled_from_outside_ends_the_stream_with_a_typed_error(
    svc: LocalParticipantService,
) -> None:
    """Its task cancelled (its loop shutting down, say) — once live, and before it ever ran."""
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        async with asyncio.timeout(10), chat.events(config=QUICK) as stream:
            assert stream._task is not None
            stream._task.cancel()
            with pytest.raises(EventStreamError, match="cancelled"):
                async for _ in stream:
                    pass
        never_ran = chat.events(config=QUICK)
        assert never_ran._task is not None
        never_ran._task.cancel()  # before its first step: _run never starts
        with pytest.raises(EventStreamError, match="cancelled"):
            async with asyncio.timeout(10):
                await anext(never_ran)
        await never_ran.aclose()
        await chat.disconnect()


@pytest.mark.parametrize("where", ["close", "session close"])
async def test_a_failing_close_does_not_fail_the_end(
    svc: LocalParticipantService, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    started = await svc.astart_chat("Ann")
    owner = aiohttp.ClientWebSocketResponse if where == "close" else aiohttp.ClientSession
    fault = Fault(monkeypatch, owner, "close", done_first=True)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        async with asyncio.timeout(10), chat.events(config=QUICK) as stream:
            await chat.send_message("hello")
            async for event in stream:
                if isinstance(event, Message):
                    break
        assert fault.fired == 1  # the close failed, and the stream still ended cleanly
        assert [e async for e in stream] == []
        await chat.disconnect()


def test_a_sync_stream_whose_loop_stopped_raises_instead_of_waiting(
    svc: LocalParticipantService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The private loop stops under a live stream without ending its task (a thread killed, a
    loop stopped by someone else): the reader notices within seconds and raises. (A loop of the
    test's own stands in for the shared one, so no other stream is touched.)"""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = types.SimpleNamespace(loop=loop, outboxes=weakref.WeakSet(), ended=False, error=None)
    monkeypatch.setattr(shell, "_background_runner", lambda: runner)
    started = svc.start_chat("Ann")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        stream = chat.events(config=QUICK)
        with stream:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            with pytest.raises(EventStreamError, match="loop stopped"):
                next(stream)
            # let the stopped loop finish this stream on a thread of our own, then close it
            thread = threading.Thread(target=loop.run_forever, daemon=True)
            thread.start()
        stream._future.result(10)
        chat.disconnect()
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


# --- combined: faults at random awaits, socket drops, while messages come ------------------------


class Plan:
    """One-shot faults armed at random moments, each at one of the shell's awaits."""

    WHERE = {
        "ws_connect": (aiohttp.ClientSession, "_ws_connect"),
        "receive": (aiohttp.ClientWebSocketResponse, "receive"),
        "send_str": (aiohttp.ClientWebSocketResponse, "send_str"),
        "new_connection": (shell._AsyncBackend, "new_connection"),
        "fill": (shell._AsyncBackend, "fill"),
    }

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.armed: dict[str, Callable[[], BaseException]] = {}
        self.fired: list[str] = []
        for where, (owner, name) in self.WHERE.items():
            self._patch(monkeypatch, where, owner, name)

    def _patch(self, monkeypatch: pytest.MonkeyPatch, where: str, owner: Any, name: str) -> None:
        original = getattr(owner, name)
        plan = self

        async def patched(this: Any, *args: Any, **kwargs: Any) -> Any:
            make = plan.armed.pop(where, None)
            if make is not None:
                plan.fired.append(where)
                raise make()
            return await original(this, *args, **kwargs)

        monkeypatch.setattr(owner, name, patched)


@pytest.mark.parametrize("seed", range(3))
async def test_random_faults_at_random_awaits_lose_nothing(
    svc: LocalParticipantService, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Faults armed at random awaits (exceptions and cancellations from under), combined with
    clean and abrupt socket drops, while the flow sends 30 messages: once the faults stop, every
    message has arrived once, in order."""
    import random

    rng = random.Random(seed)
    plan = Plan(monkeypatch)
    config = EventStreamConfig(
        heartbeat_interval=1.0, heartbeat_timeout=1.5, open_timeout=2.0, first_retry_delay=0.05,
        backoff_base=0.05, backoff_cap=0.3, stable_after=0.2, gap_fill_attempts=100,
        unexpected_error_limit=100,
    )  # fmt: skip
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        got: list[str] = []
        async with chat.events(config=config) as stream:

            async def chaos() -> None:
                for _ in range(12):
                    await asyncio.sleep(rng.uniform(0.02, 0.25))
                    if rng.random() < 0.3:
                        await asyncio.to_thread(
                            svc.close_websockets, code=rng.choice([1001, 1011]), abrupt=rng.random() < 0.5
                        )
                    else:
                        plan.armed[rng.choice(list(Plan.WHERE))] = rng.choice([Boom, _cancelled])

            async def flow() -> list[str]:
                sent = []
                for n in range(30):
                    sent.append(await svc.asend_message(started, f"m{n}"))
                    await asyncio.sleep(rng.uniform(0.0, 0.08))
                return sent

            async def collect() -> None:
                async for event in stream:
                    if isinstance(event, Message) and event.participant_role == "SYSTEM" and event.id:
                        got.append(event.id)
                        if len(got) >= 30:
                            return

            collector = asyncio.create_task(collect())
            async with asyncio.timeout(60):
                sent, _ = await asyncio.gather(flow(), chaos())
                plan.armed.clear()  # the faults stop
                await collector
        assert got == sent
        assert plan.fired  # faults did fire
        await chat.disconnect()
