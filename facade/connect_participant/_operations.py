"""The facade's calls of the eleven operations: generated request models through ``_wire.request``.

Each builder fills the generated request model with already-checked values and lets
the generated operation module build the request (``_wire``); none of them knows a
path or a member's JSON name. ``names`` maps a model member to the argument the
facade's caller knows it by, so a bound the spec holds fails with that argument named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connect_participant_api.types import UNSET

from ._wire import CONNECTION, PARTICIPANT, Request, new_client_token, request

if TYPE_CHECKING:
    from connect_participant_api.models import GetTranscriptRequest

# Each builder imports its operation module and models when first called (later calls find them
# in sys.modules): importing the SDK loads no operation, a program loads the ones it uses.

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


def create_participant_connection(
    types: tuple[str, ...] = ("WEBSOCKET", "CONNECTION_CREDENTIALS"), connect_participant: bool = True
) -> Request:
    from connect_participant_api.api.participant import (
        create_participant_connection as _create_participant_connection,
    )
    from connect_participant_api.models.connection_type import ConnectionType
    from connect_participant_api.models.create_participant_connection_request import (
        CreateParticipantConnectionRequest,
    )

    body = CreateParticipantConnectionRequest(
        type_=[ConnectionType(kind) for kind in types], connect_participant=connect_participant
    )
    return request(_create_participant_connection, body=body)


def send_message(content_type: str, content: str, client_token: str) -> Request:
    from connect_participant_api.api.participant import send_message as _send_message
    from connect_participant_api.models.send_message_request import SendMessageRequest

    body = SendMessageRequest(content_type=content_type, content=content, client_token=client_token)
    return request(_send_message, body=body)


def send_event(content_type: str, content: str | None, client_token: str) -> Request:
    from connect_participant_api.api.participant import send_event as _send_event
    from connect_participant_api.models.send_event_request import SendEventRequest

    body = SendEventRequest(
        content_type=content_type, content=UNSET if content is None else content, client_token=client_token
    )
    return request(_send_event, body=body)


def get_transcript(body: GetTranscriptRequest, names: dict[str, str] | None = None) -> Request:
    from connect_participant_api.api.participant import get_transcript as _get_transcript

    return request(_get_transcript, names, body=body)


def disconnect_participant(client_token: str) -> Request:
    from connect_participant_api.api.participant import disconnect_participant as _disconnect_participant
    from connect_participant_api.models.disconnect_participant_request import DisconnectParticipantRequest

    return request(_disconnect_participant, body=DisconnectParticipantRequest(client_token=client_token))


def start_attachment_upload(content_type: str, size: int, name: str, client_token: str) -> Request:
    from connect_participant_api.api.participant import start_attachment_upload as _start_attachment_upload
    from connect_participant_api.models.start_attachment_upload_request import StartAttachmentUploadRequest

    body = StartAttachmentUploadRequest(
        content_type=content_type,
        attachment_size_in_bytes=size,
        attachment_name=name,
        client_token=client_token,
    )
    names = {"attachment_size_in_bytes": "size", "attachment_name": "name"}
    return request(_start_attachment_upload, names, body=body)


def complete_attachment_upload(attachment_id: str, client_token: str) -> Request:
    from connect_participant_api.api.participant import (
        complete_attachment_upload as _complete_attachment_upload,
    )
    from connect_participant_api.models.complete_attachment_upload_request import (
        CompleteAttachmentUploadRequest,
    )

    body = CompleteAttachmentUploadRequest(attachment_ids=[attachment_id], client_token=client_token)
    return request(_complete_attachment_upload, {"attachment_ids": "attachment_id"}, body=body)


def get_attachment(attachment_id: str, url_expiry_seconds: int | None = None) -> Request:
    from connect_participant_api.api.participant import get_attachment as _get_attachment
    from connect_participant_api.models.get_attachment_request import GetAttachmentRequest

    body = GetAttachmentRequest(
        attachment_id=attachment_id,
        url_expiry_in_seconds=UNSET if url_expiry_seconds is None else url_expiry_seconds,
    )
    return request(_get_attachment, {"url_expiry_in_seconds": "url_expiry"}, body=body)


def describe_view(view_token: str) -> Request:
    from connect_participant_api.api.participant import describe_view as _describe_view

    return request(_describe_view, view_token=view_token)


def get_authentication_url(session_id: str, redirect_uri: str) -> Request:
    from connect_participant_api.api.participant import get_authentication_url as _get_authentication_url
    from connect_participant_api.models.get_authentication_url_request import GetAuthenticationUrlRequest

    body = GetAuthenticationUrlRequest(session_id=session_id, redirect_uri=redirect_uri)
    return request(_get_authentication_url, body=body)


def cancel_participant_authentication(session_id: str) -> Request:
    from connect_participant_api.api.participant import (
        cancel_participant_authentication as _cancel_participant_authentication,
    )
    from connect_participant_api.models.cancel_participant_authentication_request import (
        CancelParticipantAuthenticationRequest,
    )

    return request(
        _cancel_participant_authentication, body=CancelParticipantAuthenticationRequest(session_id=session_id)
    )
