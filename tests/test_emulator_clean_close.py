"""Every close the emulator starts completes the WebSocket closing handshake before TCP
closes (issue 14): the chat ending, the customer leaving, the control endpoint, shutdown.
The client is ``tests/_raw_websocket.py``, which answers the close frame late and reports
whether the server waited for it."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from connect_participant import AsyncParticipantClient, ChatEnded, ParticipantClient
from connect_participant_emulator import LocalParticipantService

from tests._raw_websocket import RawWebSocket

pytestmark = pytest.mark.timeout(60)


async def _socket(svc: LocalParticipantService, token: str) -> tuple[RawWebSocket, str]:
    """A subscribed WebSocket of the participant, and their connection token."""
    async with httpx.AsyncClient(base_url=svc.endpoint_url, timeout=10) as http:
        answer = await http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": token},
            json={"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]},
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    ws = await RawWebSocket.connect(body["Websocket"]["Url"])
    await ws.subscribe()
    return ws, body["ConnectionCredentials"]["ConnectionToken"]


def _content_types(ws: RawWebSocket) -> list[str]:
    frames = [json.loads(text) for text in ws.texts]
    return [json.loads(f["content"])["ContentType"] for f in frames if f.get("topic") == "aws/chat"]


async def test_chat_end_closes_cleanly(participant_service: LocalParticipantService) -> None:
    chat = await participant_service.astart_chat("Ann")
    agent = await participant_service.aadd_participant(chat, "Dana", role="AGENT")
    customer_ws, _ = await _socket(participant_service, chat.participant_token)
    agent_ws, _ = await _socket(participant_service, agent.participant_token)
    reports = asyncio.gather(customer_ws.close_report(), agent_ws.close_report())
    await participant_service.astop_contact(chat)
    for ws, report in zip((customer_ws, agent_ws), await reports, strict=True):
        assert report.code == 1000
        assert report.clean, report.detail
        assert _content_types(ws)[-1] == "application/vnd.amazonaws.connect.event.chat.ended"
    closes = await asyncio.to_thread(_server_closes, participant_service, 2)
    assert closes == {"clean": 2, "unclean": 0}


async def test_customer_leaving_closes_cleanly(participant_service: LocalParticipantService) -> None:
    chat = await participant_service.astart_chat("Ann")
    ws, connection = await _socket(participant_service, chat.participant_token)
    report = asyncio.ensure_future(ws.close_report())
    async with httpx.AsyncClient(base_url=participant_service.endpoint_url, timeout=10) as http:
        left = await http.post("/participant/disconnect", headers={"X-Amz-Bearer": connection}, json={})
    assert left.status_code == 200
    outcome = await report
    assert outcome.code == 1000
    assert outcome.clean, outcome.detail


@pytest.mark.parametrize("code", [1001, 1011, 4000])
async def test_control_endpoint_closes_cleanly(
    participant_service: LocalParticipantService, code: int
) -> None:
    chat = await participant_service.astart_chat("Ann")
    ws, _ = await _socket(participant_service, chat.participant_token)
    report = asyncio.ensure_future(ws.close_report())
    closed = await asyncio.to_thread(
        participant_service.close_websockets, code=code, contact_id=chat.contact_id
    )
    assert closed == 1
    outcome = await report
    assert outcome.code == code
    assert outcome.clean, outcome.detail


async def test_abrupt_close_is_reported_unclean(participant_service: LocalParticipantService) -> None:
    """The control endpoint's ``abrupt`` drops TCP on purpose: the client must see it as such
    (this is what tells the clean reports above are not a client that always says clean)."""
    chat = await participant_service.astart_chat("Ann")
    ws, _ = await _socket(participant_service, chat.participant_token)
    report = asyncio.ensure_future(ws.close_report())
    await asyncio.to_thread(participant_service.close_websockets, abrupt=True)
    outcome = await report
    assert outcome.code is None
    assert not outcome.clean


async def test_server_counts_a_client_that_hangs_up_as_unclean(
    participant_service: LocalParticipantService,
) -> None:
    chat = await participant_service.astart_chat("Ann")
    quiet, _ = await _socket(participant_service, chat.participant_token)
    polite, _ = await _socket(participant_service, chat.participant_token)
    outcomes = asyncio.gather(quiet.hang_up_on_close(), polite.close_report())
    await participant_service.astop_contact(chat)
    code, report = await outcomes
    assert code == 1000
    assert report.clean, report.detail
    closes = await asyncio.to_thread(_server_closes, participant_service, 2)
    assert closes == {"clean": 1, "unclean": 1}


async def test_shutdown_closes_cleanly() -> None:
    svc = LocalParticipantService()
    await asyncio.to_thread(svc.start)
    try:
        chat = await svc.astart_chat("Ann")
        ws, _ = await _socket(svc, chat.participant_token)
        # a short delay: aiohttp gives handlers 2 s (shutdown_timeout) to finish at shutdown
        report = asyncio.ensure_future(ws.close_report(reply_delay=0.1))
        await asyncio.sleep(0)
    finally:
        await asyncio.to_thread(svc.stop)
    outcome = await report
    assert outcome.code == 1001
    assert outcome.clean, outcome.detail


def _server_closes(svc: LocalParticipantService, want: int, timeout: float = 20.0) -> dict[str, int]:
    """The emulator's count of the closes it started, once ``want`` of them are done (polled)."""
    deadline = time.monotonic() + timeout
    while True:
        closes: dict[str, int] = httpx.get(svc.endpoint_url + "/_emulator/health").json()["server_closes"]
        if closes["clean"] + closes["unclean"] >= want or time.monotonic() > deadline:
            return closes
        time.sleep(0.05)


def _facade_close(closes: dict[str, int]) -> None:
    """The socket's end, seen from the emulator: either it started the close (the chat ended)
    and that close completed, or the facade's stream, having read ``chat.ended``, closed its
    socket first with a close handshake of its own and the emulator started none. The two race
    (the emulator closes right after it sends the item; the stream closes once it has read it),
    so either order passes; the emulator starting more than one close fails. Whether the facade
    answered the emulator's close frame is not asserted: the raw client above checks the
    emulator's side of that handshake."""
    assert closes["clean"] + closes["unclean"] <= 1, closes


def test_facade_events_stream_ends_on_the_servers_close_sync(
    participant_service: LocalParticipantService,
) -> None:
    chat = participant_service.start_chat("Ann")
    bot = participant_service.add_participant(chat, "Bot")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        robot = client.connect(bot.participant_token)
        with robot.events() as stream:
            _wait_for_socket(participant_service)
            participant_service.stop_contact(chat)
            events = list(stream)
    assert isinstance(events[-1], ChatEnded)
    _facade_close(_server_closes(participant_service, 1, timeout=3.0))


async def test_facade_events_stream_ends_on_the_servers_close_async(
    participant_service: LocalParticipantService,
) -> None:
    chat = await participant_service.astart_chat("Ann")
    bot = await participant_service.aadd_participant(chat, "Bot")
    async with AsyncParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        robot = await client.connect(bot.participant_token)
        async with robot.events() as stream:
            await asyncio.to_thread(_wait_for_socket, participant_service)
            await participant_service.astop_contact(chat)
            events = [event async for event in stream]
    assert isinstance(events[-1], ChatEnded)
    _facade_close(await asyncio.to_thread(_server_closes, participant_service, 1, 3.0))


def _wait_for_socket(svc: LocalParticipantService, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(s.subscribed for s in list(svc.emulator.state.sockets)):
        if time.monotonic() > deadline:
            raise AssertionError("no subscribed socket in time")
        time.sleep(0.02)
