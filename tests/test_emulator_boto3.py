"""A whole chat through the emulator with AWS's own SDK (boto3), plus the WebSocket."""

from __future__ import annotations

import json
import uuid
from typing import Any

import aiohttp
import boto3
import httpx
import pytest
from _botocore_reference import needs_reference_model
from botocore.config import Config
from botocore.exceptions import ClientError
from connect_participant_emulator import LocalParticipantService

INSTANCE = "11111111-2222-4333-8444-555555555555"


def clients(svc: LocalParticipantService) -> tuple[Any, Any]:
    options = {
        "region_name": "us-east-1",
        "aws_access_key_id": "AKIDEXAMPLE",
        "aws_secret_access_key": "dummy-secret",
        "endpoint_url": svc.endpoint_url,
        "config": Config(retries={"max_attempts": 1, "mode": "standard"}),
    }
    return boto3.client("connect", **options), boto3.client("connectparticipant", **options)


async def next_chat_item(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    """The transcript item of the next aws/chat frame (its content is a JSON string)."""
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame.get("topic") == "aws/chat":
            assert isinstance(frame["content"], str)
            item: dict[str, Any] = json.loads(frame["content"])
            return item


@needs_reference_model  # AttachmentSizeInBytes in GetAttachment: newer than the boto3 floor's model
async def test_whole_chat_with_boto3(participant_service: LocalParticipantService) -> None:
    connect, participant = clients(participant_service)
    started = connect.start_chat_contact(
        InstanceId=INSTANCE,
        ContactFlowId="flow-1",
        ParticipantDetails={"DisplayName": "Ann"},
        InitialMessage={"ContentType": "text/plain", "Content": "I need help"},
    )
    assert started["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    contact_id = started["ContactId"]

    connection = participant.create_participant_connection(
        ParticipantToken=started["ParticipantToken"],
        Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"],
        ConnectParticipant=True,
    )
    token = connection["ConnectionCredentials"]["ConnectionToken"]
    ws_url = connection["Websocket"]["Url"]
    assert ws_url.startswith("ws://127.0.0.1:")
    assert connection["ConnectionCredentials"]["Expiry"].endswith("Z")

    bot = connect.create_participant(
        InstanceId=INSTANCE,
        ContactId=contact_id,
        ParticipantDetails={"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Bot"},
    )
    bot_token = participant.create_participant_connection(
        ParticipantToken=bot["ParticipantCredentials"]["ParticipantToken"], Type=["CONNECTION_CREDENTIALS"]
    )["ConnectionCredentials"]["ConnectionToken"]

    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
        await ws.send_json({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
        ack = await ws.receive_json(timeout=5)
        assert ack == {"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}}

        sent = participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="hello")
        item = await next_chat_item(ws)
        assert (item["Id"], item["Type"], item["Content"]) == (sent["Id"], "MESSAGE", "hello")
        assert item["ParticipantRole"] == "CUSTOMER"
        assert item["ContactId"] == item["InitialContactId"] == contact_id

        reply = participant.send_message(
            ConnectionToken=bot_token, ContentType="text/markdown", Content="**hi**"
        )
        item = await next_chat_item(ws)
        assert (item["Id"], item["ParticipantRole"], item["DisplayName"]) == (
            reply["Id"],
            "CUSTOM_BOT",
            "Bot",
        )

        participant.send_event(
            ConnectionToken=token, ContentType="application/vnd.amazonaws.connect.event.typing"
        )
        item = await next_chat_item(ws)
        # AWS sends every event as Type EVENT, told apart by ContentType
        assert (item["Type"], item["ContentType"]) == (
            "EVENT",
            "application/vnd.amazonaws.connect.event.typing",
        )
        participant.send_event(
            ConnectionToken=token,
            ContentType="application/vnd.amazonaws.connect.event.message.read",
            Content=json.dumps({"messageId": reply["Id"]}),
        )
        item = await next_chat_item(ws)
        assert item["Type"] == "MESSAGEMETADATA"
        assert item["ContentType"] == "application/vnd.amazonaws.connect.event.message.metadata"
        assert item["MessageMetadata"]["MessageId"] == reply["Id"]
        assert "ReadTimestamp" in item["MessageMetadata"]["Receipts"][0]
        assert "DeliveredTimestamp" in item["MessageMetadata"]["Receipts"][0]  # read implies delivered

        for n in range(12):
            participant.send_message(ConnectionToken=token, ContentType="text/plain", Content=f"m{n}")
        assert [(await next_chat_item(ws))["Content"] for _ in range(12)] == [f"m{n}" for n in range(12)]

        # attachment up and down
        data = b"%PDF-1.4 not really a pdf\n" * 10
        upload = participant.start_attachment_upload(
            ConnectionToken=token,
            ContentType="application/pdf",
            AttachmentSizeInBytes=len(data),
            AttachmentName="invoice.pdf",
            ClientToken=str(uuid.uuid4()),
        )
        meta = upload["UploadMetadata"]
        assert meta["HeadersToInclude"]["Content-Length"] == str(len(data))
        put = httpx.put(meta["Url"], content=data, headers=meta["HeadersToInclude"])
        assert put.status_code == 200, put.text
        participant.complete_attachment_upload(
            ConnectionToken=token, AttachmentIds=[upload["AttachmentId"]], ClientToken=str(uuid.uuid4())
        )
        item = await next_chat_item(ws)
        assert item["Type"] == "ATTACHMENT"
        assert item["Attachments"][0]["AttachmentId"] == upload["AttachmentId"]
        got = participant.get_attachment(ConnectionToken=token, AttachmentId=upload["AttachmentId"])
        assert got["AttachmentSizeInBytes"] == len(data)
        assert httpx.get(got["Url"]).content == data

        # paged transcript, newest first by default scan (BACKWARD), 10 per page
        first = participant.get_transcript(ConnectionToken=token, SortOrder="ASCENDING")
        assert len(first["Transcript"]) == 10
        assert first["InitialContactId"] == contact_id
        assert first["Transcript"][-1]["Type"] == "ATTACHMENT"
        assert first["Transcript"][-1]["Attachments"][0]["Status"] == "APPROVED"
        items = list(first["Transcript"])
        next_token = first.get("NextToken")
        while next_token:
            page = participant.get_transcript(
                ConnectionToken=token, NextToken=next_token, SortOrder="ASCENDING"
            )
            items = page["Transcript"] + items
            next_token = page.get("NextToken")
        types = [i["Type"] for i in items]
        assert types[:2] == ["EVENT", "MESSAGE"]
        assert items[0]["ContentType"] == "application/vnd.amazonaws.connect.event.participant.joined"
        assert items[1]["Content"] == "I need help"
        assert types.count("MESSAGE") == 15
        assert not any(i.get("ContentType", "").endswith(".typing") for i in items)
        read_target = next(i for i in items if i["Id"] == reply["Id"])
        assert (
            read_target["MessageMetadata"]["Receipts"][0]["RecipientParticipantId"]
            == started["ParticipantId"]
        )
        assert len({i["Id"] for i in items}) == len(items)

        # the customer leaves: the chat ends, the socket is closed after the end events
        participant.disconnect_participant(ConnectionToken=token)
        left = await next_chat_item(ws)
        ended = await next_chat_item(ws)
        assert (left["Type"], ended["Type"]) == ("EVENT", "EVENT")
        assert (left["ContentType"], ended["ContentType"]) == (
            "application/vnd.amazonaws.connect.event.participant.left",
            "application/vnd.amazonaws.connect.event.chat.ended",
        )
        closing = await ws.receive(timeout=5)
        assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING)

    for call, kwargs in [
        (
            participant.send_message,
            {"ConnectionToken": token, "ContentType": "text/plain", "Content": "late"},
        ),
        (participant.get_transcript, {"ConnectionToken": token}),
        (
            participant.send_message,
            {"ConnectionToken": bot_token, "ContentType": "text/plain", "Content": "late"},
        ),
        (
            participant.create_participant_connection,
            {"ParticipantToken": started["ParticipantToken"], "Type": ["WEBSOCKET"]},
        ),
    ]:
        with pytest.raises(ClientError) as caught:
            call(**kwargs)
        assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_boto3_sees_aws_error_codes(participant_service: LocalParticipantService) -> None:
    connect, participant = clients(participant_service)
    chat = participant_service.start_chat("Bob")
    token = participant.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"]
    )["ConnectionCredentials"]["ConnectionToken"]

    with pytest.raises(ClientError) as caught:
        participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="x" * 1025)
    error = caught.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert "1024" in error["Message"]
    # 12,000 characters is fine for JSON content, not for plain text
    participant.send_message(
        ConnectionToken=token, ContentType="application/json", Content=json.dumps("y" * 11990)
    )

    with pytest.raises(ClientError) as caught:
        participant.get_transcript(ConnectionToken=token, ScanDirection="SIDEWAYS")
    assert caught.value.response["Error"]["Code"] == "ValidationException"

    with pytest.raises(ClientError) as caught:
        participant.send_message(ConnectionToken="not-a-token", ContentType="text/plain", Content="x")
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"

    with pytest.raises(ClientError) as caught:
        participant.describe_view(ConnectionToken=token, ViewToken="no/such view")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    view = participant.describe_view(ConnectionToken=token, ViewToken="emulator-sample-view")
    assert view["View"]["Name"]

    with pytest.raises(ClientError) as caught:
        connect.stop_contact(ContactId=str(uuid.uuid4()), InstanceId=chat.instance_id)
    assert caught.value.response["Error"]["Code"] == "ContactNotFoundException"

    with pytest.raises(ClientError) as caught:
        connect.create_participant(
            InstanceId=chat.instance_id,
            ContactId=chat.contact_id,
            ParticipantDetails={"ParticipantRole": "AGENT"},
        )
    assert caught.value.response["Error"]["Code"] == "InvalidRequestException"

    connect.stop_contact(ContactId=chat.contact_id, InstanceId=chat.instance_id)
    with pytest.raises(ClientError) as caught:
        participant.get_transcript(ConnectionToken=token)
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"


def test_boto3_idempotent_retries_store_nothing_new(participant_service: LocalParticipantService) -> None:
    _, participant = clients(participant_service)
    chat = participant_service.start_chat()
    token = participant.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"]
    )["ConnectionCredentials"]["ConnectionToken"]
    first = participant.send_message(
        ConnectionToken=token, ContentType="text/plain", Content="once", ClientToken="t-1"
    )
    again = participant.send_message(
        ConnectionToken=token, ContentType="text/plain", Content="once", ClientToken="t-1"
    )
    assert (first["Id"], first["AbsoluteTime"]) == (again["Id"], again["AbsoluteTime"])
    other = participant.send_message(
        ConnectionToken=token, ContentType="text/plain", Content="once", ClientToken="t-2"
    )
    assert other["Id"] != first["Id"]
    transcript = participant.get_transcript(ConnectionToken=token, MaxResults=100)["Transcript"]
    assert [i["Content"] for i in transcript if i["Type"] == "MESSAGE"] == ["once", "once"]
