"""The emulator's items and answers in the real service's shapes, and the SDK reading them.

The shapes (issue 22, with their evidence): a contact flow's own messages ("Send message"
block) are ``ParticipantRole`` SYSTEM with ``DisplayName`` "SYSTEM_MESSAGE" and only a Lex
bot's replies say "BOT" [captured items]; ATTACHMENT items have no top-level ``ContentType``,
the attachment's content type is in ``Attachments`` [captured items]; the last GetTranscript
page says ``"NextToken": ""`` [captured answer]; a transcript message without receipts carries
``MessageMetadata {MessageId, Receipts: []}`` [AWS's chat SDKs' fixtures; AWS's Android SDK
reads ``MessageId`` as always present].

Separate ``MESSAGEMETADATA`` items in GetTranscript pages (also in those fixtures; AWS's JS chat
library reads both): the emulator keeps receipts on the message they are about, as the service
model documents ``Item.MessageMetadata`` and its ``ChatItemType`` has no MESSAGEMETADATA, and
sends them on the sockets as MESSAGEMETADATA items. The SDK reads a page that has them anyway
(a scripted loopback server plays that page: the emulator does not produce it).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _emulator_calls import call, token_for, upload
from _scripted_server import ScriptedServer
from connect_participant import AttachmentAdded, Event, Message, ParticipantClient, ReadReceipt
from connect_participant_emulator import LocalParticipantService

SYSTEM = {"ParticipantRole": "SYSTEM"}

# What each shape holds: the members (any value where None) of the captured items
FLOW_MESSAGE = {
    "AbsoluteTime": None,
    "Content": None,
    "ContentType": "text/plain",
    "DisplayName": "SYSTEM_MESSAGE",
    "Id": None,
    "ParticipantId": None,
    "ParticipantRole": "SYSTEM",
    "Type": "MESSAGE",
    "MessageMetadata": None,
    "ContactId": None,
}
BOT_MESSAGE = {**FLOW_MESSAGE, "DisplayName": "BOT", "ContentType": None}
ATTACHMENT = {
    "AbsoluteTime": None,
    "Attachments": None,
    "DisplayName": None,
    "Id": None,
    "ParticipantId": None,
    "ParticipantRole": "CUSTOMER",
    "Type": "ATTACHMENT",
    "ContactId": None,
}
ATTACHMENT_ENTRY = {"AttachmentId": None, "AttachmentName": None, "ContentType": "text/plain", "Status": None}


def _matches(item: dict[str, Any], shape: dict[str, Any]) -> None:
    assert set(item) == set(shape), sorted(set(item) ^ set(shape))
    for key, value in shape.items():
        if value is not None:
            assert item[key] == value, key


@pytest.fixture(scope="module")
def service() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as svc:
        yield svc


def _transcript(http: httpx.Client, token: str) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"MaxResults": 100, "ScanDirection": "FORWARD", "SortOrder": "ASCENDING"}
    page = call(http, "/participant/transcript", token, body).json()
    assert page["NextToken"] == ""  # one page: it is the last, and says so as the service does
    items: list[dict[str, Any]] = page["Transcript"]
    return items


def test_flow_and_bot_messages_and_attachments_have_the_services_shapes(
    service: LocalParticipantService,
) -> None:
    chat = service.start_chat("Ann")
    flow_id = service.send_message(chat, "Thanks for contacting us")
    bot_id = service.send_interactive(chat, {"templateType": "QuickReply", "version": "1.0", "data": {}})
    with httpx.Client(base_url=service.endpoint_url) as http:
        token = token_for(http, chat.participant_token)
        upload(http, token, b"hi", "a.txt")
        items = _transcript(http, token)
    by_id = {item["Id"]: item for item in items}
    _matches(by_id[flow_id], FLOW_MESSAGE)
    _matches(by_id[bot_id], BOT_MESSAGE)
    attachment = next(item for item in items if item["Type"] == "ATTACHMENT")
    _matches(attachment, ATTACHMENT)
    _matches(attachment["Attachments"][0], ATTACHMENT_ENTRY)


def test_messages_without_receipts_carry_empty_receipts_and_receipts_stay_on_their_message(
    service: LocalParticipantService,
) -> None:
    chat = service.start_chat("Ann")
    bot_reply = service.send_message(chat, "Hello", display_name="BOT")
    with httpx.Client(base_url=service.endpoint_url) as http:
        token = token_for(http, chat.participant_token)
        before = {item["Id"]: item for item in _transcript(http, token)}
        receipt = {"ContentType": "application/vnd.amazonaws.connect.event.message.read", "ClientToken": "r1"}
        receipt["Content"] = json.dumps({"messageId": bot_reply})
        assert call(http, "/participant/event", token, receipt).status_code == 200
        after = {item["Id"]: item for item in _transcript(http, token)}
    assert before[bot_reply]["MessageMetadata"] == {"MessageId": bot_reply, "Receipts": []}
    receipts = after[bot_reply]["MessageMetadata"]["Receipts"]
    assert [sorted(r) for r in receipts] == [
        ["DeliveredTimestamp", "ReadTimestamp", "RecipientParticipantId"]
    ]
    assert all(item["Type"] != "MESSAGEMETADATA" for item in after.values())
    events = [item for item in after.values() if item["Type"] == "EVENT"]
    assert all("MessageMetadata" not in item for item in events)  # only messages carry it


def test_the_sdk_reads_the_emulators_shapes(service: LocalParticipantService) -> None:
    chat_info = service.start_chat("Ann")
    flow_id = service.send_message(chat_info, "Welcome")
    with (
        ParticipantClient(endpoint_url=service.endpoint_url) as client,
        client.connect(chat_info.participant_token) as chat,
    ):
        chat.upload_attachment(_binary(b"notes"), name="n.txt", content_type="text/plain")
        items = list(chat.transcript(direction="FORWARD"))  # pages end on NextToken ""
    flow = next(item for item in items if item.id == flow_id)
    event = Event.from_item(flow)
    assert isinstance(event, Message)
    assert (flow.display_name, flow.participant_role, flow.receipts) == ("SYSTEM_MESSAGE", "SYSTEM", ())
    attachment = next(item for item in items if item.type == "ATTACHMENT")
    assert attachment.content_type is None
    assert isinstance(Event.from_item(attachment), AttachmentAdded)
    assert [a.name for a in attachment.attachments] == ["n.txt"]


def _binary(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def test_the_sdk_reads_a_transcript_page_with_separate_metadata_items() -> None:
    metadata = {
        "AbsoluteTime": "2026-12-06T12:00:02.000Z",
        "ContentType": "application/vnd.amazonaws.connect.event.message.metadata",
        "Id": "meta-1",
        "Type": "MESSAGEMETADATA",
        "MessageMetadata": {
            "MessageId": "m-1",
            "Receipts": [{"RecipientParticipantId": "agent", "ReadTimestamp": "2026-12-06T12:00:02.000Z"}],
        },
    }
    message = {
        "AbsoluteTime": "2026-12-06T12:00:01.000Z",
        "Content": "hi",
        "ContentType": "text/plain",
        "Id": "m-1",
        "Type": "MESSAGE",
        "ParticipantRole": "CUSTOMER",
        "MessageMetadata": {"MessageId": "m-1", "Receipts": []},
    }
    with ScriptedServer() as server:
        server.reply(body={"InitialContactId": "c", "Transcript": [message, metadata], "NextToken": ""})
        with ParticipantClient(endpoint_url=server.url) as client:
            chat = client.resume("connection-token")
            items = list(chat.transcript())
    assert [item.type for item in items] == ["MESSAGE", "MESSAGEMETADATA"]
    assert items[0].receipts == ()
    read = Event.from_item(items[1])
    assert isinstance(read, ReadReceipt)
    assert read.message_id == "m-1"
    assert [(r.recipient_participant_id, r.read_at) for r in read.receipts] == [
        ("agent", "2026-12-06T12:00:02.000Z")
    ]
    assert len(server.requests) == 1  # NextToken "" ended the transcript
