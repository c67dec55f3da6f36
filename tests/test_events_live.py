"""A stream you can know is live: ``with chat.events()`` / ``async with chat.events()`` enter only once
the socket's subscription is acknowledged, so what is sent right after — a streamed answer's
chunks, typing and a receipt, none of which the transcript keeps — all arrives. 200 rounds each,
sync and async, on one chat: each round opens a new stream and at once streams an answer while the
other participant sends typing and a read receipt; every chunk, the typing and the receipt are
counted. Also: what entering does when the stream cannot get live, or ended first; and the
conversation-testing API entered the same way: an answer streamed at once keeps all its chunks."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from connect_participant import (
    AsyncChatSession,
    AsyncParticipantClient,
    ChatEnded,
    ChatSession,
    Event,
    EventStreamConfig,
    Message,
    ParticipantClient,
    ReadReceipt,
    StreamNotLiveError,
    Typing,
)
from connect_participant.testing import AsyncConversation, Conversation
from connect_participant_emulator import LocalParticipantService

ROUNDS = 200
CHUNKS = ["Your ", "balance ", "is ", "$42."]
QUICK = EventStreamConfig(heartbeat_interval=2.0, heartbeat_timeout=3.0, first_retry_delay=0.05)


class Round:
    """What one round must see: every chunk of ``answer``, one typing, one read receipt of ``read``."""

    def __init__(self, answer: str, read: str) -> None:
        self.answer = answer
        self.read = read
        self.chunks: list[int] = []
        self.completed = 0
        self.typing = 0
        self.receipts = 0

    def see(self, event: Event) -> None:
        if isinstance(event, Message) and event.id == self.answer:
            if event.completed:
                self.completed += 1
            else:
                self.chunks.append(event.chunk_number or 0)
        elif isinstance(event, Typing) and event.participant_role == "CUSTOM_BOT":
            self.typing += 1
        elif isinstance(event, ReadReceipt) and event.message_id == self.read:
            self.receipts += 1

    @property
    def done(self) -> bool:
        return self.completed >= 1 and self.typing >= 1 and self.receipts >= 1

    def counts(self) -> tuple[list[int], int, int, int]:
        return self.chunks, self.completed, self.typing, self.receipts


EXPECTED = (list(range(1, len(CHUNKS) + 1)), 1, 1, 1)


class Tally:
    """The rounds' counts added up; each round must have seen everything."""

    def __init__(self) -> None:
        self.totals = {"chunks": 0, "typing": 0, "receipts": 0}

    def add(self, n: int, this: Round) -> None:
        assert this.counts() == EXPECTED, (n, this.counts())
        self.totals["chunks"] += len(this.chunks)
        self.totals["typing"] += this.typing
        self.totals["receipts"] += this.receipts

    def check(self) -> None:
        assert self.totals == {"chunks": ROUNDS * len(CHUNKS), "typing": ROUNDS, "receipts": ROUNDS}


@pytest.fixture(scope="module")
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


def test_with_events_is_live_sync(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    helper = svc.add_participant(started, "Helper")
    tally = Tally()
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as customer,
        client.connect(helper.participant_token) as bot,
        ThreadPoolExecutor(3) as pool,
    ):
        bot.typing_interval = 0
        for n in range(ROUNDS):
            question = customer.send_message(f"question {n}").id
            assert question is not None
            with customer.events(config=QUICK) as stream:
                # at once: the answer streams while the other side types and reads the question
                answer = pool.submit(svc.stream_message, started, CHUNKS, interval=0)
                typing = pool.submit(bot.send_typing)
                receipt = pool.submit(bot.send_read, question)
                this = Round(answer.result(10), question)
                assert typing.result(10) is not None
                assert receipt.result(10) is not None
                deadline = time.monotonic() + 10
                for event in stream:
                    this.see(event)
                    if this.done or time.monotonic() > deadline:
                        break
            tally.add(n, this)
    tally.check()


async def test_with_events_is_live_async(svc: LocalParticipantService) -> None:
    started = await svc.astart_chat("Ann")
    helper = await svc.aadd_participant(started, "Helper")
    tally = Tally()
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = await client.connect(started.participant_token)
        bot = await client.connect(helper.participant_token)
        bot.typing_interval = 0
        async with customer, bot:
            for n in range(ROUNDS):
                question = (await customer.send_message(f"question {n}")).id
                assert question is not None
                async with customer.events(config=QUICK) as stream:
                    answer, typed, read = await asyncio.gather(
                        svc.astream_message(started, CHUNKS, interval=0),
                        bot.send_typing(),
                        bot.send_read(question),
                    )
                    assert typed is not None
                    assert read is not None
                    this = Round(answer, question)
                    with contextlib.suppress(TimeoutError):  # what is missing shows in the counts
                        async with asyncio.timeout(10):
                            async for event in stream:
                                this.see(event)
                                if this.done:
                                    break
                tally.add(n, this)
    tally.check()


# --- when it cannot get live -------------------------------------------------------------------


def _no_websocket(svc: LocalParticipantService) -> None:
    """Every WebSocket handshake refused (503), as when the service will not take the socket."""
    svc.inject_fault("WebSocketConnect", count=None, status=503)


@pytest.fixture
def own_svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


def test_entering_gives_up_with_a_typed_error_sync(own_svc: LocalParticipantService) -> None:
    started = own_svc.start_chat("Ann")
    _no_websocket(own_svc)
    config = EventStreamConfig(live_timeout=1.0, first_retry_delay=0.05, backoff_base=0.05, backoff_cap=0.2)
    with ParticipantClient(endpoint_url=own_svc.endpoint_url) as client:
        chat: ChatSession = client.connect(started.participant_token)
        stream = chat.events(config=config)
        with pytest.raises(StreamNotLiveError) as failed, stream:
            pytest.fail("entered a stream that is not live")
        assert failed.value.code == "StreamNotLive"
        assert stream.stats["sockets"] >= 2  # it kept trying meanwhile
        assert list(stream) == []  # closed: iteration ends at once
        assert "closed" in repr(stream)


async def test_entering_gives_up_with_a_typed_error_async(own_svc: LocalParticipantService) -> None:
    started = await own_svc.astart_chat("Ann")
    _no_websocket(own_svc)
    config = EventStreamConfig(live_timeout=1.0, first_retry_delay=0.05, backoff_base=0.05, backoff_cap=0.2)
    async with AsyncParticipantClient(endpoint_url=own_svc.endpoint_url) as client:
        chat: AsyncChatSession = await client.connect(started.participant_token)
        stream = chat.events(config=config)
        with pytest.raises(StreamNotLiveError):
            async with stream:
                pytest.fail("entered a stream that is not live")
        assert [e async for e in stream] == []


def test_a_stream_of_an_ended_chat_enters_and_yields_its_end(own_svc: LocalParticipantService) -> None:
    started = own_svc.start_chat("Ann")
    with ParticipantClient(endpoint_url=own_svc.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        own_svc.stop_contact(started)
        # the service refuses a new connection (403): the chat ended before the stream was live
        with chat.events(config=QUICK) as stream:
            events = list(stream)
        assert isinstance(events[-1], ChatEnded)  # (RemovedFromChat: the refusal cannot tell which)


async def test_live_streams_in_many_tasks_at_once(own_svc: LocalParticipantService) -> None:
    """Four streams of one session (the service allows five sockets per participant) entered together: each is live, each sees the same answer."""
    started = await own_svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=own_svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)

        async def listen(ready: asyncio.Event, go: asyncio.Event) -> list[int]:
            async with chat.events(config=QUICK) as stream:
                ready.set()
                await go.wait()
                seen: list[int] = []
                async for event in stream:
                    if isinstance(event, Message) and event.streamed:
                        if event.completed:
                            return seen
                        seen.append(event.chunk_number or 0)
            return seen

        readies = [asyncio.Event() for _ in range(4)]
        go = asyncio.Event()
        tasks = [asyncio.create_task(listen(r, go)) for r in readies]
        async with asyncio.timeout(20):
            await asyncio.gather(*(r.wait() for r in readies))
            go.set()
            await own_svc.astream_message(started, CHUNKS, interval=0)
            results = await asyncio.gather(*tasks)
        assert results == [list(range(1, len(CHUNKS) + 1))] * 4
        await chat.disconnect()


# --- the conversation-testing API: entered live, a streamed answer at once has all its chunks --


CONVERSATIONS = 30


def test_a_conversation_entered_sees_every_chunk_of_an_answer_streamed_at_once(
    svc: LocalParticipantService,
) -> None:
    started = svc.start_chat("Ann")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        for n in range(CONVERSATIONS):
            with Conversation(chat, timeout=10, config=QUICK) as convo:
                answer_id = svc.stream_message(started, CHUNKS, interval=0)
                answer = convo.expect_streamed(lambda e, wanted=answer_id: e.id == wanted)
                assert answer.chunks == tuple(CHUNKS), (n, answer.chunks)


async def test_an_async_conversation_entered_sees_every_chunk_of_an_answer_streamed_at_once(
    svc: LocalParticipantService,
) -> None:
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        async with chat:
            for n in range(CONVERSATIONS):
                async with AsyncConversation(chat, timeout=10, config=QUICK) as convo:
                    answer_id = await svc.astream_message(started, CHUNKS, interval=0)
                    answer = await convo.expect_streamed(lambda e, wanted=answer_id: e.id == wanted)
                    assert answer.chunks == tuple(CHUNKS), (n, answer.chunks)
