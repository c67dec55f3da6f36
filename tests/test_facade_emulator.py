"""The facade against the project's emulator of the service (real HTTP on loopback):
whole chats, paging, token lifetimes, faults, throttling and the end of a chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from connect_participant import (
    AccessDeniedError,
    AsyncParticipantClient,
    ChatSession,
    ConflictError,
    InternalServerError,
    ParticipantClient,
    ResourceNotFoundError,
    RetryPolicy,
    ServiceQuotaExceededError,
    ThrottlingError,
    ValidationError,
)
from connect_participant_emulator import LocalParticipantService

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def _messages(chat: ChatSession) -> list[str]:
    return [item.content or "" for item in chat.transcript(direction="FORWARD") if item.type == "MESSAGE"]


def test_a_whole_chat(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla", initial_message="I need help")
    agent = participant_service.add_participant(started, "Ada", role="AGENT")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with (
            client.connect(started.participant_token) as customer,
            client.connect(agent.participant_token) as ada,
        ):
            sent = customer.send_message("hello")
            ada.send_message("**hi**, how can I help?", content_type="text/markdown")
            ada.send_read(sent.id or "")
            customer.send_typing()
            items = list(customer.transcript(direction="FORWARD", page_size=100))
        assert [i.content for i in items if i.type == "MESSAGE"] == [
            "I need help",
            "hello",
            "**hi**, how can I help?",
        ]
        mine = next(i for i in items if i.id == sent.id)
        assert (mine.participant_role, mine.display_name, mine.content_type) == (
            "CUSTOMER",
            "Carla",
            "text/plain",
        )
        assert mine.absolute_time is not None
        assert mine.time is not None
        assert any(
            i.type == "EVENT"
            and i.content_type == "application/vnd.amazonaws.connect.event.participant.joined"
            for i in items
        )


async def test_a_whole_chat_async(participant_service: LocalParticipantService) -> None:
    started = await participant_service.astart_chat("Carla")
    async with AsyncParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        async with await client.connect(started.participant_token) as chat:
            await asyncio.gather(*(chat.send_message(f"m{i}") for i in range(10)))
            await chat.send_typing()
            contents = [i.content async for i in chat.transcript(page_size=3) if i.type == "MESSAGE"]
        assert sorted(contents) == sorted(f"m{i}" for i in range(10))


@pytest.fixture
def long_chat(participant_service: LocalParticipantService) -> Iterator[ChatSession]:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        for n in range(30):
            chat.send_message(f"message {n:02d}")
        yield chat


def test_paging_both_directions(long_chat: ChatSession) -> None:
    forward = list(long_chat.transcript(direction="FORWARD", page_size=7))
    backward = list(long_chat.transcript(direction="BACKWARD", page_size=7))
    assert len(forward) >= 30  # messages plus the join events
    assert {i.id for i in forward} == {i.id for i in backward}
    assert len({i.id for i in forward}) == len(forward)
    assert [i.content for i in forward if i.type == "MESSAGE"] == [f"message {n:02d}" for n in range(30)]
    pages = list(long_chat.transcript(direction="FORWARD", page_size=7).pages())
    assert len(pages) >= 5
    assert all(len(p.items) == 7 for p in pages[:-1])


def test_each_start_position(long_chat: ChatSession) -> None:
    everything = list(long_chat.transcript(direction="FORWARD", page_size=100))
    middle = next(i for i in everything if i.content == "message 15")
    after = list(long_chat.transcript(direction="FORWARD", page_size=4, start=middle.id))
    assert [i.content for i in after] == [f"message {n:02d}" for n in range(15, 30)]
    before = list(long_chat.transcript(direction="BACKWARD", page_size=4, start=middle.id))
    assert before[0].id == middle.id or middle.id in {i.id for i in before}
    assert all(i.content != "message 16" for i in before)
    assert middle.time is not None
    since = list(long_chat.transcript(direction="FORWARD", page_size=4, start=middle.time))
    assert since[0].time is not None
    assert since[0].time >= middle.time.replace(microsecond=middle.time.microsecond // 1000 * 1000)
    assert "message 29" in {i.content for i in since}
    recent = list(long_chat.transcript(direction="FORWARD", page_size=2, start=5))
    assert [i.content for i in recent][-5:] == [f"message {n:02d}" for n in range(25, 30)]


@pytest.mark.participant_service(connection_token_ttl=2)
def test_refresh_before_expiry(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        first = chat.connection_token
        chat.send_message("one")
        time.sleep(1.2)  # past half of the 2 s lifetime: renewed before use
        chat.send_message("two")
        assert chat.connection_token != first
        time.sleep(2.2)  # the first token has expired on the server by now
        chat.send_message("three")
        assert _messages(chat) == ["one", "two", "three"]


def test_one_recreate_after_403(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        first = chat.connection_token
        assert participant_service.expire_connection_tokens(contact_id=started.contact_id) >= 1
        chat.send_message("after expiry")
        assert chat.connection_token != first
        assert _messages(chat) == ["after expiry"]


def test_chat_ended(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(started.participant_token) as chat:
            chat.send_message("bye")
            participant_service.stop_contact(started)
            with pytest.raises(AccessDeniedError):
                chat.send_message("anyone?")
            with pytest.raises(AccessDeniedError):
                chat.send_message("still?")
        # leaving the with-block disconnected quietly although the chat had ended


@pytest.mark.participant_service(connection_token_ttl=3)
def test_single_flight_threads(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    participant_service.set_latency(0.3, "CreateParticipantConnection")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        time.sleep(1.6)
        before = chat._state.generation
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(lambda i: chat.send_message(f"t{i}"), range(20)))
        assert chat._state.generation == before + 1
        assert len(_messages(chat)) == 20


@pytest.mark.participant_service(connection_token_ttl=3)
async def test_single_flight_tasks(participant_service: LocalParticipantService) -> None:
    started = await participant_service.astart_chat("Carla")
    await asyncio.to_thread(participant_service.set_latency, 0.3, "CreateParticipantConnection")
    async with AsyncParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        await asyncio.sleep(1.6)
        before = chat._state.generation
        await asyncio.gather(*(chat.send_message(f"t{i}") for i in range(20)))
        assert chat._state.generation == before + 1


def test_retry_after_a_lost_answer_sends_one_message(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url, retry=FAST) as client:
        chat = client.connect(started.participant_token)
        participant_service.inject_fault("SendMessage", status=503, when="after", count=2)
        chat.send_message("exactly once")
        participant_service.inject_fault("SendMessage", action="drop", when="after")
        chat.send_message("once again")
        assert _messages(chat) == ["exactly once", "once again"]


@pytest.mark.participant_service(throttling=True)
def test_throttling_is_normal_life(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    patient = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=1.0)
    with ParticipantClient(endpoint_url=participant_service.endpoint_url, retry=patient) as client:
        chat = client.connect(started.participant_token)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: chat.send_message(f"burst {i}"), range(25)))
    with ParticipantClient(endpoint_url=participant_service.endpoint_url, retry=patient) as client:
        assert len(_messages(client.resume(chat.connection_token.reveal()))) == 25


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (402, ServiceQuotaExceededError),
        (403, AccessDeniedError),
        (404, ResourceNotFoundError),
        (409, ConflictError),
        (429, ThrottlingError),
        (500, InternalServerError),
    ],
)
def test_every_error_class_from_the_emulator(
    participant_service: LocalParticipantService, status: int, cls: type[Exception]
) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url, retry=FAST) as client:
        saved = client.connect(started.participant_token).connection_token.reveal()
        chat = client.resume(saved)  # no participant token: a 403 is final
        participant_service.inject_fault("SendEvent", status=status, count=None, message="injected")
        with pytest.raises(cls) as caught:
            chat.send_typing()
        assert caught.value.message == "injected"  # type: ignore[attr-defined]
        assert caught.value.request_id  # type: ignore[attr-defined]
