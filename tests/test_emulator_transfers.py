"""Transfers through the control endpoint (``POST /_emulator/contacts/{id}/transfer``), as the
flow's Transfer block makes them: ``transfer.succeeded`` then the agent leaves, a new contact
id starts (InitialContactId stays), to an agent the new agent joins; a failed transfer sends
``transfer.failed`` only. Checked on the wire (sockets and transcript) and through the
facade's events, sync and async."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from connect_participant import (
    AsyncParticipantClient,
    Event,
    Message,
    ParticipantClient,
    ParticipantJoined,
    ParticipantLeft,
    TransferFailed,
    TransferSucceeded,
)
from connect_participant_emulator import LocalParticipantService

from tests._emulator_calls import call, token_for

pytestmark = pytest.mark.timeout(60)

PREFIX = "application/vnd.amazonaws.connect.event."


async def _subscribed(
    session: aiohttp.ClientSession, base: str, token: str
) -> aiohttp.ClientWebSocketResponse:
    async with session.post(
        base + "/participant/connection", headers={"X-Amz-Bearer": token}, json={"Type": ["WEBSOCKET"]}
    ) as answer:
        url = (await answer.json())["Websocket"]["Url"]
    ws = await session.ws_connect(url)
    await ws.send_str(json.dumps({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}}))
    assert json.loads((await ws.receive(timeout=10)).data)["topic"] == "aws/subscribe"
    return ws


async def _items(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while len(items) < count:
        message = await ws.receive(timeout=10)
        assert message.type == aiohttp.WSMsgType.TEXT, message
        frame = json.loads(message.data)
        if frame.get("topic") == "aws/chat":
            items.append(json.loads(frame["content"]))
    return items


async def test_transfer_to_an_agent_on_the_wire(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    chat = await svc.astart_chat("Ann")
    dana = await svc.aadd_participant(chat, "Dana", role="AGENT")
    async with aiohttp.ClientSession() as session:
        customer = await _subscribed(session, svc.endpoint_url, chat.participant_token)
        agent = await _subscribed(session, svc.endpoint_url, dana.participant_token)
        moved = await svc.atransfer(chat, to="AGENT", agent_name="Eve")
        assert moved.succeeded
        assert moved.previous_contact_id == chat.contact_id
        assert moved.contact_id != chat.contact_id
        assert moved.agent is not None
        seen = await _items(customer, 3)
        assert [i["ContentType"] for i in seen] == [
            PREFIX + "transfer.succeeded",
            PREFIX + "participant.left",
            PREFIX + "participant.joined",
        ]
        assert all(i["Type"] == "EVENT" and i["InitialContactId"] == chat.contact_id for i in seen)
        assert [i["ContactId"] for i in seen] == [chat.contact_id, chat.contact_id, moved.contact_id]
        assert seen[1]["ParticipantId"] == dana.participant_id
        assert seen[2]["ParticipantId"] == moved.agent.participant_id
        assert seen[2]["DisplayName"] == "Eve"
        # the agent who left: the transfer and their leaving, then a clean close
        assert [i["ContentType"] for i in await _items(agent, 2)] == [
            PREFIX + "transfer.succeeded",
            PREFIX + "participant.left",
        ]
        closing = await agent.receive(timeout=10)
        assert closing.type == aiohttp.WSMsgType.CLOSE
        assert closing.data == 1000
        await customer.close()

    async with httpx.AsyncClient(base_url=svc.endpoint_url, timeout=10) as http:
        refused = await http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": dana.participant_token},
            json={"Type": ["CONNECTION_CREDENTIALS"]},
        )
        assert refused.status_code == 403  # Dana left with the transfer
        info = (await http.get(f"/_emulator/contacts/{moved.contact_id}")).json()
        assert info["InitialContactId"] == chat.contact_id
        assert info["ContactIds"] == [chat.contact_id, moved.contact_id]
        assert not info["Ended"]


def test_transfer_to_a_queue_then_an_agent_picks_it_up(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    svc = participant_service
    chat = svc.start_chat("Ann")
    svc.add_participant(chat, "Dana", role="AGENT")
    moved = svc.transfer(chat)  # to a queue: nobody joins yet
    assert moved.succeeded
    assert moved.agent is None
    eve = svc.add_participant(moved.contact_id, "Eve", role="AGENT")
    token = token_for(http, eve.participant_token)
    sent = call(http, "/participant/message", token, {"ContentType": "text/plain", "Content": "Eve here"})
    assert sent.status_code == 200
    transcript = call(
        http, "/participant/transcript", token_for(http, chat.participant_token), {"MaxResults": 100}
    )
    items = transcript.json()["Transcript"][::-1]  # oldest first
    assert transcript.json()["InitialContactId"] == chat.contact_id
    kinds = [(i["ContentType"].removeprefix(PREFIX), i.get("DisplayName"), i["ContactId"]) for i in items]
    assert kinds == [
        ("participant.joined", "Ann", chat.contact_id),
        ("participant.joined", "Dana", chat.contact_id),
        ("transfer.succeeded", None, chat.contact_id),
        ("participant.left", "Dana", chat.contact_id),
        ("participant.joined", "Eve", moved.contact_id),
        ("text/plain", "Eve", moved.contact_id),
    ]
    # StopContact by any of the chat's contact ids ends it
    svc.stop_contact(moved.contact_id)
    assert http.get(f"/_emulator/contacts/{chat.contact_id}").json()["Ended"]


def test_failed_transfer_changes_nothing_else(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    svc = participant_service
    chat = svc.start_chat("Ann")
    dana = svc.add_participant(chat, "Dana", role="AGENT")
    failed = svc.transfer(chat, to="AGENT", succeed=False)
    assert not failed.succeeded
    assert failed.contact_id == failed.previous_contact_id == chat.contact_id
    assert failed.agent is None
    token = token_for(http, dana.participant_token)  # Dana is still in the chat
    items = call(http, "/participant/transcript", token, {"MaxResults": 1}).json()["Transcript"]
    assert items[0]["ContentType"] == PREFIX + "transfer.failed"
    assert items[0]["Type"] == "EVENT"


def test_transfer_control_endpoint_validates(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat("Ann")
    path = f"/_emulator/contacts/{chat.contact_id}/transfer"
    for body in ({"Destination": "NOWHERE"}, {"Outcome": "MAYBE"}, {"DisplayName": ""}, {"DisplayName": 3}):
        answer = http.post(path, json=body)
        assert answer.status_code == 400, body
        assert answer.json()["message"]
    assert http.post("/_emulator/contacts/no-such-contact/transfer", json={}).status_code == 404
    participant_service.stop_contact(chat)
    assert http.post(path, json={}).status_code == 409  # an ended chat is not transferred
    assert http.get("/_emulator/health").json()["status"] == "ok"


WANTED = (TransferSucceeded, TransferFailed, ParticipantLeft, ParticipantJoined, Message)


def _until_message(events: Iterator[Event]) -> list[Event]:
    """The transfer-related events up to the first message (which marks the end of the script)."""
    seen: list[Event] = []
    for event in events:
        if isinstance(event, WANTED):
            seen.append(event)
        if isinstance(event, Message):
            return seen
    raise AssertionError("the stream ended")


def _check_script(seen: list[Event], dana: str, eve: str) -> None:
    assert [type(e) for e in seen] == [
        TransferFailed,
        TransferSucceeded,
        ParticipantLeft,
        ParticipantJoined,
        Message,
    ]
    assert seen[2].participant_id == dana
    assert seen[3].participant_id == eve
    assert seen[3].display_name == "Eve"
    assert seen[4].participant_id == eve


def test_facade_sees_transfer_events_sync(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    chat = svc.start_chat("Ann")
    dana = svc.add_participant(chat, "Dana", role="AGENT")
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = client.connect(chat.participant_token)
        with customer.events() as stream:
            result: list[Event] = []
            reader = threading.Thread(target=lambda: result.extend(_until_message(iter(stream))), daemon=True)
            reader.start()
            _wait_subscribed(svc, chat.contact_id)
            svc.transfer(chat, to="AGENT", succeed=False)
            moved = svc.transfer(chat, to="AGENT", agent_name="Eve")
            assert moved.agent is not None
            eve = client.connect(moved.agent.participant_token)
            eve.send_message("Eve here")
            reader.join(timeout=30)
            assert not reader.is_alive()
        _check_script(result, dana.participant_id, moved.agent.participant_id)
        kinds = [item.content_type for item in customer.transcript()]
        assert kinds.index(PREFIX + "transfer.failed") < kinds.index(PREFIX + "transfer.succeeded")


async def test_facade_sees_transfer_events_async(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    chat = await svc.astart_chat("Ann")
    dana = await svc.aadd_participant(chat, "Dana", role="AGENT")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        customer = await client.connect(chat.participant_token)
        async with customer.events() as stream:

            async def read() -> list[Event]:
                seen: list[Event] = []
                async for event in stream:
                    if isinstance(event, WANTED):
                        seen.append(event)
                    if isinstance(event, Message):
                        return seen
                raise AssertionError("the stream ended")

            reader = asyncio.create_task(read())
            await asyncio.to_thread(_wait_subscribed, svc, chat.contact_id)
            await svc.atransfer(chat, to="AGENT", succeed=False)
            moved = await svc.atransfer(chat, to="AGENT", agent_name="Eve")
            assert moved.agent is not None
            eve = await client.connect(moved.agent.participant_token)
            await eve.send_message("Eve here")
            seen = await asyncio.wait_for(reader, 30)
        _check_script(seen, dana.participant_id, moved.agent.participant_id)
        kinds = [item.content_type async for item in customer.transcript()]
        assert kinds.index(PREFIX + "transfer.failed") < kinds.index(PREFIX + "transfer.succeeded")


def _wait_subscribed(svc: LocalParticipantService, contact_id: str, timeout: float = 20.0) -> None:
    """Until the customer's events stream has a subscribed socket (polled, generous deadline)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        contact = svc.emulator.state.contacts[contact_id]
        if any(s.subscribed for p in contact.participants.values() for s in p.sockets):
            return
        time.sleep(0.02)
    raise AssertionError("the events stream did not subscribe in time")
