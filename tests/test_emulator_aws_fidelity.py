"""Emulator behaviours checked against AWS's documentation and AWS's own chat SDKs.

Each test names its source: the service model's documentation (botocore
``connectparticipant/2018-09-07``), AWS's iOS/Android chat SDKs (how they read socket
frames), or a real answer quoted in a public issue.
"""

from __future__ import annotations

import base64
import json
import uuid

import httpx
from _emulator_calls import call, token_for, upload
from connect_participant_emulator import LocalParticipantService

EVENT = "application/vnd.amazonaws.connect.event."


def test_access_denied_body_is_the_services(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    """A real 403 from /participant/disconnect reads {"message":"Access denied"}
    (aws-samples/aws-lex-web-ui#365)."""
    chat = participant_service.start_chat()
    token = token_for(http, chat.participant_token)
    assert call(http, "/participant/disconnect", token, {}).status_code == 200
    denied = call(http, "/participant/message", token, {"ContentType": "text/plain", "Content": "x"})
    assert denied.status_code == 403
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert denied.json() == {"message": "Access denied"}


def test_a_custom_bot_cannot_get_a_customers_attachment(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    """GetAttachment's documentation: "The participant role CUSTOM_BOT is not permitted to access
    attachments customers may upload. An AccessDeniedException can indicate that the participant
    may be a CUSTOM_BOT"."""
    chat = participant_service.start_chat()
    customer = token_for(http, chat.participant_token)
    bot = token_for(http, participant_service.add_participant(chat, "Bot").participant_token)
    agent = token_for(http, participant_service.add_participant(chat, "Dana", role="AGENT").participant_token)
    attachment_id = upload(http, customer, b"customer's file\n")
    denied = call(http, "/participant/attachment", bot, {"AttachmentId": attachment_id})
    assert denied.status_code == 403, denied.text
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    for who in (customer, agent):
        got = call(http, "/participant/attachment", who, {"AttachmentId": attachment_id})
        assert got.status_code == 200, got.text
    # the bot's own file is its to read
    own = upload(http, bot, b"bot's file\n", "bot.txt")
    assert call(http, "/participant/attachment", bot, {"AttachmentId": own}).status_code == 200


def test_receipts_while_a_supervisor_is_in_the_chat_conflict(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    """SendEvent's documentation: "Using the SendEvent API for message receipts when a supervisor
    is barged-in will result in a conflict exception" (409); typing still works."""
    chat = participant_service.start_chat()
    customer = token_for(http, chat.participant_token)
    agent = token_for(http, participant_service.add_participant(chat, "Dana", role="AGENT").participant_token)
    sent = call(http, "/participant/message", agent, {"ContentType": "text/plain", "Content": "hi"})
    receipt = {"ContentType": EVENT + "message.read", "Content": json.dumps({"messageId": sent.json()["Id"]})}
    assert call(http, "/participant/event", customer, receipt).status_code == 200
    supervisor = token_for(
        http, participant_service.add_participant(chat, "Sam", role="SUPERVISOR").participant_token
    )
    conflict = call(http, "/participant/event", customer, receipt)
    assert conflict.status_code == 409, conflict.text
    assert conflict.headers["x-amzn-ErrorType"] == "ConflictException"
    assert call(http, "/participant/event", customer, {"ContentType": EVENT + "typing"}).status_code == 200
    # the supervisor leaves: receipts work again
    assert call(http, "/participant/disconnect", supervisor, {}).status_code == 200
    assert call(http, "/participant/event", customer, receipt).status_code == 200


def test_upload_headers_are_the_eight_aws_gives(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    """A real StartAttachmentUpload answer (amazon-connect/amazon-connect-chatjs#188) holds
    Content-Type, Content-Disposition, Content-Length, x-amz-acl and four x-amz-meta-*."""
    chat = participant_service.start_chat()
    token = token_for(http, chat.participant_token)
    started = call(
        http,
        "/participant/start-attachment-upload",
        token,
        {
            "ContentType": "text/plain",
            "AttachmentSizeInBytes": 9,
            "AttachmentName": "file.txt",
            "ClientToken": str(uuid.uuid4()),
        },
    )
    headers = started.json()["UploadMetadata"]["HeadersToInclude"]
    assert set(headers) == {
        "Content-Type",
        "Content-Disposition",
        "Content-Length",
        "x-amz-acl",
        "x-amz-meta-account_id",
        "x-amz-meta-contact_id",
        "x-amz-meta-initial_contact_id",
        "x-amz-meta-organization_id",
    }
    assert headers["x-amz-acl"] == "bucket-owner-full-control"
    assert (headers["Content-Type"], headers["Content-Length"]) == ("text/plain", "9")
    assert headers["Content-Disposition"] == 'attachment; filename="file.txt"'
    assert headers["x-amz-meta-contact_id"] == chat.contact_id


def test_tokens_are_standard_base64_never_starting_with_a_dash(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    """The service's tokens are base64 text; a url-safe token may start with "-", which command
    lines (argparse) take for an option."""
    for _ in range(50):
        chat = participant_service.start_chat()
        token = token_for(http, chat.participant_token)
        for value in (chat.participant_token, token):
            assert not value.startswith("-")
            assert base64.b64decode(value, validate=True)
