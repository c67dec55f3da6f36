"""Persistent chats (StartChatContact ``PersistentChat``) as AWS documents them: only an ended
chat continues; ENTIRE_PAST_SESSION takes the past chat's initial contact id and continues
from its most recent contact, FROM_SEGMENT from the contact given (later ones dropped); the new
contact's participant reads earlier contacts' items with GetTranscript ``ContactId``, its
socket gets ``chat.rehydrated`` — over raw HTTP, and through the facade, sync and async."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from connect_participant import AsyncParticipantClient, ChatRehydrated, ParticipantClient
from connect_participant_emulator import Chat, LocalParticipantService

from tests._emulator_calls import call, token_for
from tests._raw_websocket import RawWebSocket

REHYDRATED = "application/vnd.amazonaws.connect.event.chat.rehydrated"


def _say(http: httpx.Client, chat: Chat, *texts: str) -> None:
    connection = token_for(http, chat.participant_token)
    for text in texts:
        sent = call(http, "/participant/message", connection, {"ContentType": "text/plain", "Content": text})
        assert sent.status_code == 200, sent.text


def _start(http: httpx.Client, chat: Chat, kind: str, source: str) -> httpx.Response:
    return http.put(
        "/contact/chat",
        json={
            "InstanceId": chat.instance_id,
            "ContactFlowId": "flow",
            "ParticipantDetails": {"DisplayName": "Ann"},
            "PersistentChat": {"RehydrationType": kind, "SourceContactId": source},
        },
    )


def _texts(items: list[dict[str, Any]]) -> list[str]:
    return [i["Content"] for i in items if i["Type"] == "MESSAGE"]


def _transcript(http: httpx.Client, token: str, contact_id: str | None = None) -> dict[str, Any]:
    """Every item, oldest first, paging through NextToken (pages of 2 to exercise the cursor)."""
    body: dict[str, Any] = {"MaxResults": 2, "ScanDirection": "FORWARD", "SortOrder": "ASCENDING"}
    body["StartPosition"] = {"MostRecent": 100}
    if contact_id is not None:
        body["ContactId"] = contact_id
    items: list[dict[str, Any]] = []
    while True:
        answer = call(http, "/participant/transcript", token, body)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["Transcript"]
        if not page["NextToken"]:  # "" on the last page
            return {"InitialContactId": page["InitialContactId"], "Transcript": items}
        body = {**body, "NextToken": page["NextToken"]}
        body.pop("StartPosition", None)


@pytest.fixture
def past(participant_service: LocalParticipantService, http: httpx.Client) -> tuple[Chat, list[str]]:
    """An ended chat transferred once: contact ids [C1, C2], "one" said in C1, "two" in C2."""
    chat = participant_service.start_chat("Ann")
    _say(http, chat, "one")
    transferred = participant_service.transfer(chat, to="AGENT", agent_name="Dana")
    _say(http, chat, "two")
    participant_service.stop_contact(chat)
    return chat, [chat.contact_id, transferred.contact_id]


def test_entire_past_session_continues_from_the_most_recent_contact(
    participant_service: LocalParticipantService, http: httpx.Client, past: tuple[Chat, list[str]]
) -> None:
    chat, (c1, c2) = past
    answer = _start(http, chat, "ENTIRE_PAST_SESSION", c1)
    assert answer.status_code == 200, answer.text
    started = answer.json()
    assert started["ContinuedFromContactId"] == c2
    assert started["ContactId"] not in (c1, c2)
    token = token_for(http, started["ParticipantToken"])
    for contact_id in (c1, c2):  # any contact id of the earlier chat names it
        earlier = _transcript(http, token, contact_id)
        assert earlier["InitialContactId"] == c1
        assert _texts(earlier["Transcript"]) == ["one", "two"]
        assert {i["ContactId"] for i in earlier["Transcript"]} == {c1, c2}
    own = _transcript(http, token)
    assert own["InitialContactId"] == started["ContactId"]
    assert own["Transcript"][0]["ContentType"] == REHYDRATED
    assert _texts(own["Transcript"]) == []
    assert _transcript(http, token, started["ContactId"]) == own
    info = http.get(f"/_emulator/contacts/{started['ContactId']}").json()
    assert info["ContinuedFromContactId"] == c2


def test_from_segment_drops_the_later_contacts(
    participant_service: LocalParticipantService, http: httpx.Client, past: tuple[Chat, list[str]]
) -> None:
    chat, (c1, c2) = past
    answer = _start(http, chat, "FROM_SEGMENT", c1)
    assert answer.status_code == 200, answer.text
    assert answer.json()["ContinuedFromContactId"] == c1
    token = token_for(http, answer.json()["ParticipantToken"])
    earlier = _transcript(http, token, c1)
    assert _texts(earlier["Transcript"]) == ["one"]
    refused = call(http, "/participant/transcript", token, {"ContactId": c2})  # dropped: not in the chain
    assert refused.status_code == 400
    assert refused.headers["x-amzn-ErrorType"] == "ValidationException"
    # FROM_SEGMENT with the later contact: both
    later = _start(http, chat, "FROM_SEGMENT", c2).json()
    assert later["ContinuedFromContactId"] == c2
    token = token_for(http, later["ParticipantToken"])
    assert _texts(_transcript(http, token, c2)["Transcript"]) == ["one", "two"]


def test_a_chain_of_persistent_chats_reads_back_link_by_link(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    first = participant_service.start_chat("Ann")
    _say(http, first, "first")
    participant_service.stop_contact(first)
    second = participant_service.start_chat("Ann", source_contact_id=first.contact_id)
    assert second.continued_from_contact_id == first.contact_id
    _say(http, second, "second")
    participant_service.stop_contact(second)
    third = participant_service.start_chat(
        "Ann", source_contact_id=second.contact_id, rehydration_type="FROM_SEGMENT"
    )
    token = token_for(http, third.participant_token)
    assert _texts(_transcript(http, token, second.contact_id)["Transcript"]) == ["second"]
    assert _texts(_transcript(http, token, first.contact_id)["Transcript"]) == ["first"]


def test_bad_combinations_get_connects_errors(
    participant_service: LocalParticipantService, http: httpx.Client, past: tuple[Chat, list[str]]
) -> None:
    chat, (_c1, c2) = past
    live = participant_service.start_chat("Bo")
    cases = [
        (_start(http, chat, "FROM_SEGMENT", live.contact_id), 400, "InvalidRequestException"),  # not ended
        (_start(http, chat, "ENTIRE_PAST_SESSION", c2), 400, "InvalidRequestException"),  # not the initial id
        (_start(http, chat, "FROM_SEGMENT", "no-such-contact"), 404, "ResourceNotFoundException"),
        (_start(http, chat, "SOME_SESSION", chat.contact_id), 400, "InvalidParameterException"),
    ]
    no_source = http.put(
        "/contact/chat",
        json={
            "InstanceId": chat.instance_id,
            "ContactFlowId": "flow",
            "ParticipantDetails": {"DisplayName": "Ann"},
            "PersistentChat": {"RehydrationType": "FROM_SEGMENT"},
        },
    )
    cases.append((no_source, 400, "InvalidParameterException"))
    other_instance = http.put(
        "/contact/chat",
        json={
            "InstanceId": "another-instance",
            "ContactFlowId": "flow",
            "ParticipantDetails": {"DisplayName": "Ann"},
            "PersistentChat": {"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": chat.contact_id},
        },
    )
    cases.append((other_instance, 404, "ResourceNotFoundException"))
    for answer, status, code in cases:
        assert (answer.status_code, answer.headers["x-amzn-ErrorType"]) == (status, code), answer.text
        assert answer.json()["message"]
    # nothing started: C1 and C2 (one chat, two contact ids) and the live chat
    assert http.get("/_emulator/health").json()["contacts"] == 3


async def test_rehydrated_event_reaches_the_new_contacts_socket(
    participant_service: LocalParticipantService,
) -> None:
    first = await participant_service.astart_chat("Ann")
    await participant_service.astop_contact(first)
    chat = await participant_service.astart_chat("Ann", source_contact_id=first.contact_id)
    async with httpx.AsyncClient(base_url=participant_service.endpoint_url, timeout=10) as http:
        answer = await http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": chat.participant_token},
            json={"Type": ["WEBSOCKET"]},
        )
    ws = await RawWebSocket.connect(answer.json()["Websocket"]["Url"])
    await ws.subscribe()
    report = await _after_stop(participant_service, chat, ws)
    kinds = [
        json.loads(json.loads(t)["content"]) for t in ws.texts if json.loads(t).get("topic") == "aws/chat"
    ]
    assert kinds[0]["ContentType"] == REHYDRATED
    assert kinds[0]["ContactId"] == kinds[0]["InitialContactId"] == chat.contact_id
    assert [k["ContentType"] for k in kinds].count(REHYDRATED) == 1
    assert report.clean


async def _after_stop(svc: LocalParticipantService, chat: Chat, ws: RawWebSocket) -> Any:
    import asyncio

    report = asyncio.ensure_future(ws.close_report())
    await svc.astop_contact(chat)
    return await report


def test_facade_reads_earlier_contacts_sync(
    participant_service: LocalParticipantService, http: httpx.Client, past: tuple[Chat, list[str]]
) -> None:
    _chat, (c1, c2) = past
    new = participant_service.start_chat("Ann", source_contact_id=c1)
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        session = client.connect(new.participant_token)
        earlier = list(session.transcript("FORWARD", page_size=1, contact_id=c1))
        assert [i.content for i in earlier if i.type == "MESSAGE"] == ["one", "two"]
        assert {i.contact_id for i in earlier} == {c1, c2}
        own = list(session.transcript())
        assert own[0].content_type == REHYDRATED
        with session.events() as stream:
            first = next(iter(stream))
        assert isinstance(first, ChatRehydrated)


async def test_facade_reads_earlier_contacts_async(
    participant_service: LocalParticipantService, past: tuple[Chat, list[str]]
) -> None:
    _chat, (_c1, c2) = past
    new = await participant_service.astart_chat("Ann", source_contact_id=c2, rehydration_type="FROM_SEGMENT")
    async with AsyncParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        session = await client.connect(new.participant_token)
        earlier = [i async for i in session.transcript("FORWARD", page_size=1, contact_id=c2)]
        assert [i.content for i in earlier if i.type == "MESSAGE"] == ["one", "two"]
        own = [i async for i in session.transcript(contact_id=new.contact_id)]
        assert own[0].content_type == REHYDRATED
        async with session.events() as stream:
            first = await anext(aiter(stream))
        assert isinstance(first, ChatRehydrated)
