"""``chat.events()`` against the emulator: a customer and a bot exchange messages through drops,
token expiry and socket rollovers, sync and async; chat end, disconnect, close, typing, receipts."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from connect_participant import (
    AsyncParticipantClient,
    ChatEnded,
    ChatSession,
    Event,
    EventStream,
    EventStreamConfig,
    InvalidInputError,
    Message,
    ParticipantClient,
    ParticipantJoined,
    ReadReceipt,
    RemovedFromChat,
    Typing,
)
from connect_participant_emulator import LocalParticipantService

COUNT = 200
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


@pytest.fixture
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


def _sockets(svc: LocalParticipantService) -> int:
    return len(svc.emulator.state.sockets)


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def next_message(stream: Iterator[Any]) -> Message:
    """The next Message (the stream also shows the connection's own events, e.g. CONNECTION_ACK)."""
    for event in stream:
        if isinstance(event, Message):
            return event
    raise AssertionError("the stream ended")


class Collector(threading.Thread):
    """Reads a stream in a thread: the other side's message texts, in order."""

    def __init__(self, stream: EventStream, other: str, want: int) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.other = other
        self.want = want
        self.texts: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for event in self.stream:
                if isinstance(event, Message) and event.participant_id == self.other:
                    self.texts.append(event.item.content or "")
                    if len(self.texts) >= self.want:
                        break
        except BaseException as exc:
            self.error = exc
        finally:
            self.stream.close()


def _disruptions(svc: LocalParticipantService, i: int, chat_id: str) -> None:
    """Mid-stream: all WebSockets closed twice (once cleanly, once abruptly), tokens expired once."""
    if i == 50:
        assert svc.close_websockets() >= 2
    elif i == 100:
        assert svc.expire_connection_tokens(contact_id=chat_id) >= 2
    elif i == 150:
        assert svc.close_websockets(abrupt=True) >= 1


def test_sync_200_messages_each_way_through_drops_and_token_expiry(
    svc: LocalParticipantService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chat = svc.start_chat(display_name="Customer")
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        sees_bot = Collector(customer.events(config=FAST), bot.participant_id, COUNT)
        sees_customer = Collector(robot.events(config=FAST), chat.participant_id, COUNT)
        sees_bot.start()
        sees_customer.start()
        for i in range(COUNT):
            customer.send_message(f"c-{i}")
            robot.send_message(f"b-{i}")
            _disruptions(svc, i, chat.contact_id)
        for collector in (sees_bot, sees_customer):
            collector.join(30)
            collector.stream.close()
            assert collector.error is None
        assert sees_bot.texts == [f"b-{i}" for i in range(COUNT)]
        assert sees_customer.texts == [f"c-{i}" for i in range(COUNT)]
        for collector in (sees_bot, sees_customer):
            stats = collector.stream.stats
            assert stats["drops"] >= 2  # both closes were seen and mended...
            assert stats["gap_fills"] >= 3  # ...and the transcript read after each (and at the start)
        # closing the streams released their sockets
        _wait_for(lambda: _sockets(svc) == 0)
    # no token or WebSocket URL reached a log record
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (chat.participant_token, bot.participant_token, "X-Amz-Signature"):
        assert secret not in logged


async def test_async_200_messages_each_way_through_drops_and_token_expiry(
    svc: LocalParticipantService,
) -> None:
    chat = await svc.astart_chat(display_name="Customer")
    bot = await svc.aadd_participant(chat, "Bot")

    async def collect(stream: Any, other: str) -> list[str]:
        texts: list[str] = []
        async with stream:
            async for event in stream:
                if isinstance(event, Message) and event.participant_id == other:
                    texts.append(event.item.content or "")
                    if len(texts) >= COUNT:
                        break
        return texts

    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = await client.connect(chat.participant_token)
        robot = await client.connect(bot.participant_token)
        sees_bot = asyncio.create_task(collect(customer.events(config=FAST), bot.participant_id))
        sees_customer = asyncio.create_task(collect(robot.events(config=FAST), chat.participant_id))
        for i in range(COUNT):
            await customer.send_message(f"c-{i}")
            await robot.send_message(f"b-{i}")
            if i in (50, 100, 150):
                await asyncio.to_thread(_disruptions, svc, i, chat.contact_id)
        bot_texts, customer_texts = await asyncio.wait_for(asyncio.gather(sees_bot, sees_customer), 30)
        assert bot_texts == [f"b-{i}" for i in range(COUNT)]
        assert customer_texts == [f"c-{i}" for i in range(COUNT)]
        await asyncio.to_thread(_wait_for, lambda: _sockets(svc) == 0)


def test_rollover_to_new_urls_loses_nothing(svc: LocalParticipantService) -> None:
    """Sockets replaced every 0.3 s (a second socket, then the first closed) while messages flow."""
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    rolling = EventStreamConfig(
        max_socket_age=0.3, heartbeat_interval=1.0, first_retry_delay=0.05, backoff_base=0.05
    )
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        before = svc.emulator.state.connection_tokens.copy()
        collector = Collector(customer.events(config=rolling), bot.participant_id, 100)
        collector.start()
        for i in range(100):
            robot.send_message(f"b-{i}")
            time.sleep(0.01)
        collector.join(20)
        assert collector.error is None
        assert collector.texts == [f"b-{i}" for i in range(100)]
        assert collector.stream.stats["rollovers"] >= 3
        assert collector.stream.stats["drops"] == 0
        # each rollover fetched a new URL with CreateParticipantConnection
        assert len(svc.emulator.state.connection_tokens) - len(before) >= 3


def test_stale_connect_url_is_replaced(svc: LocalParticipantService) -> None:
    """connect()'s WebSocket URL is past its connect window: events() fetches a fresh one."""
    svc.stop()
    with LocalParticipantService(websocket_url_ttl=0.5) as short:
        chat = short.start_chat()
        bot = short.add_participant(chat, "Bot")
        with ParticipantClient(endpoint_url=short.endpoint_url) as client:
            customer = client.connect(chat.participant_token)
            robot = client.connect(bot.participant_token)
            time.sleep(0.6)
            # a fault rule that only counts: every WebSocket connect attempt takes one use
            counter = short.emulator.faults.add(
                {"operation": "WebSocketConnect", "action": "delay", "count": 1000, "delay_seconds": 0}
            )
            with customer.events(config=FAST) as stream:
                robot.send_message("late")
                next_message(stream)
                assert stream.stats["sockets"] == 1
            # one socket, on the fresh URL: the stale one was never tried (a 403 and a retry)
            assert counter.remaining == 999


def test_chat_end_ends_the_stream(svc: LocalParticipantService) -> None:
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        robot = client.connect(bot.participant_token)
        stream = robot.events(config=FAST)
        svc.stop_contact(chat)
        events = list(stream)  # ends by itself
        assert isinstance(events[-1], ChatEnded)
        # the service's item (Type EVENT; for_everyone) or, if the socket was not subscribed yet,
        # a RemovedFromChat (the 403 cannot tell a removal from the end)
        assert events[-1].item.content_type == "application/vnd.amazonaws.connect.event.chat.ended"
        _wait_for(lambda: _sockets(svc) == 0)


def test_chat_ended_while_disconnected_is_reported(svc: LocalParticipantService) -> None:
    """The chat ends while the socket is down and cannot come back: a 403 means it ended."""
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        robot = client.connect(bot.participant_token)
        stream = robot.events(config=FAST)
        robot.send_message("first")
        next_message(stream)
        svc.inject_fault("WebSocketConnect", count=None, status=500)
        svc.close_websockets(abrupt=True)
        svc.stop_contact(chat)
        svc.clear_faults()
        ended = list(stream)
        assert isinstance(ended[-1], ChatEnded)


def test_a_participant_removed_from_a_chat_that_goes_on_is_told_so(svc: LocalParticipantService) -> None:
    """The bot is disconnected from elsewhere while the chat goes on: its stream ends with a
    RemovedFromChat (a ChatEnded not for everyone), not the chat's end; the customer chats on."""
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        stream = client.connect(bot.participant_token).events(config=FAST)
        customer.send_message("hello")
        next_message(stream)
        client.connect(bot.participant_token).disconnect()  # the flow (or an admin) removes the bot
        events = list(stream)  # ends by itself
        customer.send_message("still here")  # the chat goes on
    last = events[-1]
    assert isinstance(last, RemovedFromChat)
    assert isinstance(last, ChatEnded)  # the stream ends after it, as after any end
    assert last.for_everyone is False
    assert last.id is None
    assert "403" in last.reason
    assert not any(type(e) is ChatEnded for e in events)  # the chat itself did not end


def test_disconnect_ends_the_stream_and_close_releases_the_socket(svc: LocalParticipantService) -> None:
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        stream = robot.events(config=FAST)
        customer.send_message("hello")
        next_message(stream)
        _wait_for(lambda: _sockets(svc) == 1)
        robot.disconnect()
        rest = list(stream)
        assert rest == [], rest  # ended at once: no ParticipantLeft/ChatEnded from a reconnect
        _wait_for(lambda: _sockets(svc) == 0)
        # a stream left behind without close(): dropping it releases the socket too
        other = customer.events(config=FAST)
        customer.send_message("again")
        next_message(other)
        del other
        _wait_for(lambda: _sockets(svc) == 0)


def test_typing_is_throttled_and_receipts_deduplicated(svc: LocalParticipantService) -> None:
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer: ChatSession = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        customer.typing_interval = 0.5
        with robot.events(config=FAST) as stream:
            # typing events are not kept in the transcript: make sure the socket is live first
            customer.send_message("ready?")
            next_message(stream)
            sent = [customer.send_typing() for _ in range(5)]
            assert sent[0] is not None
            assert sent[1:] == [None] * 4
            time.sleep(0.55)
            assert customer.send_typing() is not None
            message = customer.send_message("read me")
            assert message.id is not None
            assert robot.send_read(message.id) is not None
            assert robot.send_read(message.id) is None
            assert robot.send_delivered(message.id) is None  # read already: delivered is pointless
            customer.send_message("done")
            kinds: list[type] = []
            for event in stream:
                kinds.append(type(event))
                if isinstance(event, Message) and event.item.content == "done":
                    break
        assert kinds.count(Typing) == 2
        assert kinds.count(ReadReceipt) == 1


async def test_async_stream_ends_on_chat_end_and_aclose_releases(svc: LocalParticipantService) -> None:
    chat = await svc.astart_chat()
    bot = await svc.aadd_participant(chat, "Bot")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        robot = await client.connect(bot.participant_token)
        customer = await client.connect(chat.participant_token)
        stream = customer.events(config=FAST)
        await robot.send_message("hi")
        async for event in stream:
            if isinstance(event, Message):
                break
        await stream.aclose()
        await asyncio.to_thread(_wait_for, lambda: _sockets(svc) == 0)
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()
        stream2 = robot.events(config=FAST)
        await svc.astop_contact(chat)
        kinds = [type(e) async for e in stream2]
        # the service's end, or (the socket not yet subscribed when the chat ended) a RemovedFromChat
        assert issubclass(kinds[-1], ChatEnded)


def test_a_resumed_session_needs_its_participant_token(svc: LocalParticipantService) -> None:
    chat = svc.start_chat()
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        token = client.connect(chat.participant_token).connection_token
        assert token is not None
        with pytest.raises(InvalidInputError, match="participant_token"):
            client.resume(token.reveal()).events()
        resumed = client.resume(token.reveal(), participant_token=chat.participant_token)
        with resumed.events(config=FAST) as stream:
            resumed.send_message("back")
            assert next_message(stream).item.content == "back"
        assert "Secret" not in repr(stream)
        assert chat.participant_token not in repr(stream) + repr(resumed)


def test_events_after_an_item_replays_what_followed_it_first(svc: LocalParticipantService) -> None:
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        first = robot.send_message("one")
        robot.send_message("two")
        robot.send_message("three")
        assert first.id is not None
        with customer.events(after=first.id, config=FAST) as stream:
            robot.send_message("four")
            texts = [next_message(stream).item.content for _ in range(3)]
        assert texts == ["two", "three", "four"]


def test_event_from_item_on_the_transcript_is_the_streams_event(svc: LocalParticipantService) -> None:
    """``Event.from_item(item)`` on the transcript gives, item by item, the event type the stream gave."""
    chat = svc.start_chat()
    bot = svc.add_participant(chat, "Bot")
    streamed: dict[str, type] = {}
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        robot = client.connect(bot.participant_token)
        with robot.events(config=FAST) as stream:

            def until(content: str) -> None:
                for event in stream:
                    if event.id is not None:
                        streamed[event.id] = type(event)
                    if isinstance(event, Message) and event.item.content == content:
                        return

            customer.send_message("ready?")
            until("ready?")
            svc.add_participant(chat, "Agent")  # joins while the socket is live
            customer.send_typing()
            customer.send_message("done")
            until("done")
        kept = {item.id: type(Event.from_item(item)) for item in robot.transcript() if item.id in streamed}
    assert {Message, ParticipantJoined} <= set(kept.values())
    assert kept == {key: streamed[key] for key in kept}
