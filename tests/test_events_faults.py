"""``chat.events()`` end to end through combined faults on the emulator, sync and async.

Sockets are closed again and again (cleanly and abruptly, through the control endpoint)
while GetTranscript fails (5xx and throttling, more times in a row than the client's own
retries absorb, so the stream's gap fills fail) and connection tokens expire: every message
arrives once, in order. And an attachment's scan result reaches an events consumer as an
update, also when the scan ends while the consumer's socket is down.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from connect_participant import (
    AsyncParticipantClient,
    AttachmentAdded,
    EventStream,
    EventStreamConfig,
    GapFillError,
    Message,
    ParticipantClient,
    RetryPolicy,
    ValidationError,
)
from connect_participant_emulator import LocalParticipantService

COUNT = 120
# short timings so drops are noticed and mended quickly in tests
FAST = EventStreamConfig(
    heartbeat_interval=1.0,
    heartbeat_timeout=1.5,
    open_timeout=2.0,
    subscribe_timeout=1.0,
    first_retry_delay=0.05,
    backoff_base=0.05,
    backoff_cap=0.5,
    stable_after=0.2,
)
# two attempts per call: four injected GetTranscript failures in a row reach the stream
RETRY = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02)


@pytest.fixture
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService(attachment_scan_seconds=0.5) as service:
        yield service


def storm(svc: LocalParticipantService, i: int, contact_id: str) -> None:
    """Every 10 messages: GetTranscript starts failing (503 or 429, 4 times in a row), the chat's
    sockets are closed (1000, 1001 or abruptly), and closed again a message later while the
    next two WebSocket connects fail, so a failed gap fill is retried while no socket is
    subscribed (issue 11's hole). Every 30 messages the connection tokens expire."""
    if i % 10 == 5:
        svc.inject_fault("GetTranscript", count=4, status=503 if (i // 10) % 2 else 429)
        how = (i // 10) % 3
        svc.close_websockets(abrupt=how == 0, code=1000 if how == 1 else 1001, contact_id=contact_id)
    elif i % 10 == 6:
        svc.inject_fault("WebSocketConnect", count=2, status=500)
        svc.close_websockets(abrupt=True, contact_id=contact_id)
    if i % 30 == 15:
        assert svc.expire_connection_tokens(contact_id=contact_id) >= 1


def new_messages(events: list[Any], sender: str) -> list[str]:
    return [e.content for e in events if isinstance(e, Message) and e.participant_id == sender]


def check(stats: dict[str, int]) -> None:
    assert stats["drops"] >= 6  # the closes were seen and mended...
    assert stats["gap_fill_failures"] >= 3  # ...while the transcript failed to be read


def test_sync_messages_once_in_order_through_closes_failing_fills_and_token_expiry(
    svc: LocalParticipantService,
) -> None:
    chat = svc.start_chat(display_name="Customer")
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=RETRY) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        stream = robot.events(config=FAST)
        seen: list[Any] = []
        done = threading.Event()

        def read(stream: EventStream) -> None:
            for event in stream:
                seen.append(event)
                if len(new_messages(seen, chat.participant_id)) >= COUNT:
                    break
            done.set()

        reader = threading.Thread(target=read, args=(stream,), daemon=True)
        reader.start()
        for i in range(COUNT):
            customer.send_message(f"c-{i}")
            storm(svc, i, chat.contact_id)
            time.sleep(0.04)
        assert done.wait(60)
        stream.close()
        assert new_messages(seen, chat.participant_id) == [f"c-{i}" for i in range(COUNT)]
        assert not any(e.is_update for e in seen if isinstance(e, Message))
        check(stream.stats)


async def test_async_messages_once_in_order_through_closes_failing_fills_and_token_expiry(
    svc: LocalParticipantService,
) -> None:
    chat = await svc.astart_chat(display_name="Customer")
    bot = await svc.aadd_participant(chat, "Bot")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=RETRY) as client:
        customer = await client.connect(chat.participant_token)
        robot = await client.connect(bot.participant_token)
        stream = robot.events(config=FAST)
        seen: list[Any] = []

        async def read() -> None:
            async for event in stream:
                seen.append(event)
                if len(new_messages(seen, chat.participant_id)) >= COUNT:
                    return

        reader = asyncio.create_task(read())
        for i in range(COUNT):
            await customer.send_message(f"c-{i}")
            await asyncio.to_thread(storm, svc, i, chat.contact_id)
            await asyncio.sleep(0.04)
        await asyncio.wait_for(reader, 60)
        await stream.aclose()
        assert new_messages(seen, chat.participant_id) == [f"c-{i}" for i in range(COUNT)]
        check(stream.stats)


def test_an_events_consumer_sees_the_attachment_scan_result(svc: LocalParticipantService) -> None:
    chat = svc.start_chat(display_name="Customer")
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        with robot.events(config=FAST) as stream:
            events = iter(stream)

            def next_attachment() -> AttachmentAdded:
                for event in events:
                    if isinstance(event, AttachmentAdded):
                        return event
                raise AssertionError("the stream ended")

            # live: IN_PROGRESS, then the same item again, APPROVED, as an update of it
            customer.upload_attachment(io.BytesIO(b"quarterly numbers"), name="report.txt")
            added = next_attachment()
            assert (added.is_update, added.attachments[0].status) == (False, "IN_PROGRESS")
            scanned = next_attachment()
            assert scanned.id == added.id
            assert (scanned.is_update, scanned.attachments[0].status) == (True, "APPROVED")
            assert scanned.previous is not None
            assert scanned.previous.attachments[0].status == "IN_PROGRESS"

            # the scan ends while the bot's socket is down and cannot come back: the gap fill
            # reads back to the attachment still being scanned and delivers its result
            customer.upload_attachment(io.BytesIO(b"a second file"), name="notes.txt")
            second = next_attachment()
            assert second.attachments[0].status == "IN_PROGRESS"
            svc.inject_fault("WebSocketConnect", count=None, status=500)
            svc.close_websockets(abrupt=True, contact_id=chat.contact_id)
            customer.send_message("after the file")
            time.sleep(0.8)  # the scan (0.5 s) ends meanwhile
            svc.clear_faults()
            update = next_attachment()
            assert (update.id, update.is_update, update.attachments[0].status) == (
                second.id,
                True,
                "APPROVED",
            )
            message = next(e for e in events if isinstance(e, Message))
            assert (message.content, message.is_update) == ("after the file", False)
            assert stream.stats["drops"] >= 1


def test_a_gap_fill_failing_the_same_way_ends_the_stream_with_a_typed_error(
    svc: LocalParticipantService,
) -> None:
    """GetTranscript answers 400 every time: the stream gives up after ``gap_fill_attempts`` fills
    instead of holding everything back forever, and says why."""
    chat = svc.start_chat(display_name="Customer")
    bot = svc.add_participant(chat, "Bot")
    svc.inject_fault("GetTranscript", count=None, status=400)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(bot.participant_token).events(config=FAST) as stream,
    ):
        with pytest.raises(GapFillError) as failure:
            list(stream)  # the first fill (from the stream's start) fails
        assert isinstance(failure.value.__cause__, ValidationError)
        assert stream.stats["gap_fill_failures"] == FAST.gap_fill_attempts


async def test_async_a_gap_fill_failing_the_same_way_ends_the_stream_with_a_typed_error(
    svc: LocalParticipantService,
) -> None:
    chat = await svc.astart_chat(display_name="Customer")
    bot = await svc.aadd_participant(chat, "Bot")
    await asyncio.to_thread(svc.inject_fault, "GetTranscript", count=None, status=400)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        robot = await client.connect(bot.participant_token)
        async with robot.events(config=FAST) as stream:
            with pytest.raises(GapFillError) as failure:
                async for _ in stream:
                    pass
            assert isinstance(failure.value.__cause__, ValidationError)
            assert stream.stats["gap_fill_failures"] == FAST.gap_fill_attempts
