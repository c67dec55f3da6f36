"""The eleven operations as pure request builders: arguments in, ``Request`` out.

A ``Request`` is method, path, JSON body bytes and which token authenticates
it (``PARTICIPANT`` for CreateParticipantConnection, ``CONNECTION`` for the
rest); the session adds the ``X-Amz-Bearer`` header at send time, so the same
``Request`` (and its ``ClientToken``) is sent again unchanged on a retry or
after a token refresh. Builders take already-validated values (see
``_validation``); attachments and events build their requests here too.

The facade builds these itself rather than through the generated models: the
wire format is the same (a test compares the two for every operation) and the
hot paths (SendMessage, GetTranscript) stay close to raw httpx in CPU.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import quote

__all__ = [
    "CONNECTION",
    "PARTICIPANT",
    "Request",
    "cancel_participant_authentication",
    "complete_attachment_upload",
    "create_participant_connection",
    "describe_view",
    "disconnect_participant",
    "get_attachment",
    "get_authentication_url",
    "get_transcript",
    "new_client_token",
    "send_event",
    "send_message",
    "start_attachment_upload",
]

PARTICIPANT: Final = "participant"
CONNECTION: Final = "connection"
Auth = Literal["participant", "connection"]


@dataclass(frozen=True, slots=True)
class Request:
    operation: str
    method: str
    path: str
    body: bytes | None
    auth: Auth = CONNECTION


def new_client_token() -> str:
    """A fresh idempotency token for one logical call (reused by its retries)."""
    return str(uuid.uuid4())


def _json(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()


def _post(operation: str, path: str, doc: dict[str, Any], auth: Auth = CONNECTION) -> Request:
    return Request(operation, "POST", path, _json(doc), auth)


def create_participant_connection(
    types: tuple[str, ...] = ("WEBSOCKET", "CONNECTION_CREDENTIALS"), connect_participant: bool = True
) -> Request:
    doc = {"Type": list(types), "ConnectParticipant": connect_participant}
    return _post("CreateParticipantConnection", "/participant/connection", doc, PARTICIPANT)


def send_message(content_type: str, content: str, client_token: str) -> Request:
    doc = {"ContentType": content_type, "Content": content, "ClientToken": client_token}
    return _post("SendMessage", "/participant/message", doc)


def send_event(content_type: str, content: str | None, client_token: str) -> Request:
    doc: dict[str, Any] = {"ContentType": content_type, "ClientToken": client_token}
    if content is not None:
        doc["Content"] = content
    return _post("SendEvent", "/participant/event", doc)


def get_transcript(doc: dict[str, Any]) -> Request:
    return _post("GetTranscript", "/participant/transcript", doc)


def disconnect_participant(client_token: str) -> Request:
    return _post("DisconnectParticipant", "/participant/disconnect", {"ClientToken": client_token})


def start_attachment_upload(content_type: str, size: int, name: str, client_token: str) -> Request:
    doc = {
        "ContentType": content_type,
        "AttachmentSizeInBytes": size,
        "AttachmentName": name,
        "ClientToken": client_token,
    }
    return _post("StartAttachmentUpload", "/participant/start-attachment-upload", doc)


def complete_attachment_upload(attachment_id: str, client_token: str) -> Request:
    doc = {"AttachmentIds": [attachment_id], "ClientToken": client_token}
    return _post("CompleteAttachmentUpload", "/participant/complete-attachment-upload", doc)


def get_attachment(attachment_id: str, url_expiry_seconds: int | None = None) -> Request:
    doc: dict[str, Any] = {"AttachmentId": attachment_id}
    if url_expiry_seconds is not None:
        doc["UrlExpiryInSeconds"] = url_expiry_seconds
    return _post("GetAttachment", "/participant/attachment", doc)


def describe_view(view_token: str) -> Request:
    return Request("DescribeView", "GET", "/participant/views/" + quote(view_token, safe=""), None)


def get_authentication_url(session_id: str, redirect_uri: str) -> Request:
    doc = {"SessionId": session_id, "RedirectUri": redirect_uri}
    return _post("GetAuthenticationUrl", "/participant/authentication-url", doc)


def cancel_participant_authentication(session_id: str) -> Request:
    return _post(
        "CancelParticipantAuthentication", "/participant/cancel-authentication", {"SessionId": session_id}
    )
