"""On the emulator, sync and async: the stream's transcript read is refused (403) before the
chat's last frames reach its open socket, and they are still delivered, the stream ending with
the chat itself.

The race, made deterministic: GetTranscript answers 403 (as it does once a chat has ended), so
the stream's first gap fill is refused right after the subscription; only then does the flow
say its last words and end the chat. The old protocol ended the stream with ``RemovedFromChat``
at the refusal and lost the message and ``chat.ended`` (seen with real contact flows about once
in four full runs of the test-case suite). A participant refused with nothing more on its
socket still gets ``RemovedFromChat``, after ``refusal_grace``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from connect_participant import (
    AsyncEventStream,
    AsyncParticipantClient,
    ChatEnded,
    EventStream,
    EventStreamConfig,
    Message,
    ParticipantClient,
    RemovedFromChat,
)
from connect_participant_emulator import LocalParticipantService

LAST_WORDS = "Thank you for contacting us. Goodbye."
#: generous: the flow's last words come after the test has seen the refusal (a few calls away)
PATIENT = EventStreamConfig(refusal_grace=30.0)
#: a refused participant whose socket brings nothing more ends soon
SHORT = EventStreamConfig(refusal_grace=0.2)


@pytest.fixture
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


def refuse_transcripts(svc: LocalParticipantService) -> None:
    svc.inject_fault("GetTranscript", count=None, status=403, error_code="AccessDeniedException")


def refused(stream: EventStream | AsyncEventStream) -> Callable[[], bool]:
    return lambda: stream.stats.get("refusals", 0) >= 1  # (stats is a copy: read it each time)


def wait_until(done: Callable[[], bool], limit: float = 10.0) -> bool:
    """Poll ``done`` until it holds or ``limit`` seconds pass (a bound, not a timing assertion)."""
    end = time.monotonic() + limit
    while not done():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


async def await_until(done: Callable[[], bool], limit: float = 10.0) -> bool:
    end = time.monotonic() + limit
    while not done():
        if time.monotonic() > end:
            return False
        await asyncio.sleep(0.01)
    return True


def check_the_end(events: list[Any]) -> None:
    said = [e.content for e in events if isinstance(e, Message)]
    assert said == [LAST_WORDS]
    assert isinstance(events[-1], ChatEnded)
    assert not isinstance(events[-1], RemovedFromChat)
    assert events[-1].for_everyone
    assert sum(isinstance(e, ChatEnded) for e in events) == 1


def read_all(
    svc: LocalParticipantService, config: EventStreamConfig, *, then_end: bool
) -> tuple[list[Any], Any, bool]:
    """A customer's stream whose transcript reads are refused; ``then_end``: once the stream
    has seen the refusal, the flow says its last words and ends the chat. The events, the
    stream's counters, and whether the refusal was seen (within a bound)."""
    chat = svc.start_chat(display_name="Customer")
    refuse_transcripts(svc)
    saw_refusal = False
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        with customer.events(config=config) as stream:
            if then_end:
                saw_refusal = wait_until(refused(stream))  # the first fill got its 403
                svc.clear_faults()
                svc.send_message(chat, LAST_WORDS)  # the flow's last words, then it ends the chat
                svc.stop_contact(chat)
            events = list(stream)
    return events, stream.stats, saw_refusal


async def aread_all(
    svc: LocalParticipantService, config: EventStreamConfig, *, then_end: bool
) -> tuple[list[Any], Any, bool]:
    """``read_all``, with the async client."""
    chat = await svc.astart_chat(display_name="Customer")
    await asyncio.to_thread(refuse_transcripts, svc)
    saw_refusal = False
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = await client.connect(chat.participant_token)
        async with customer.events(config=config) as stream:
            if then_end:
                saw_refusal = await await_until(refused(stream))
                await asyncio.to_thread(svc.clear_faults)
                await svc.asend_message(chat, LAST_WORDS)
                await svc.astop_contact(chat)
            events = [event async for event in stream]
    return events, stream.stats, saw_refusal


def test_the_last_frames_after_a_refused_first_fill_are_delivered(svc: LocalParticipantService) -> None:
    events, stats, saw_refusal = read_all(svc, PATIENT, then_end=True)
    check_the_end(events)
    assert saw_refusal
    assert stats["refusals"] == 1


async def test_async_the_last_frames_after_a_refused_first_fill_are_delivered(
    svc: LocalParticipantService,
) -> None:
    events, stats, saw_refusal = await aread_all(svc, PATIENT, then_end=True)
    check_the_end(events)
    assert saw_refusal
    assert stats["refusals"] == 1


def check_removed(events: list[Any]) -> None:
    assert [type(e) for e in events] == [RemovedFromChat]
    assert not events[0].for_everyone
    assert "refused the transcript (403)" in str(events[0].item.content)


def test_a_refused_participant_with_a_silent_socket_is_removed_after_the_grace(
    svc: LocalParticipantService,
) -> None:
    check_removed(read_all(svc, SHORT, then_end=False)[0])


async def test_async_a_refused_participant_with_a_silent_socket_is_removed_after_the_grace(
    svc: LocalParticipantService,
) -> None:
    check_removed((await aread_all(svc, SHORT, then_end=False))[0])
