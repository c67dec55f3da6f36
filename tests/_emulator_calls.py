"""Raw-HTTP helpers for the emulator tests: a connection token, one call, an attachment upload (the
``http`` fixture is in conftest)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


def token_for(http: httpx.Client, participant_token: str) -> str:
    """CreateParticipantConnection (CONNECTION_CREDENTIALS): the connection token."""
    answer = http.post(
        "/participant/connection",
        headers={"X-Amz-Bearer": participant_token},
        json={"Type": ["CONNECTION_CREDENTIALS"]},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["ConnectionCredentials"]["ConnectionToken"]
    return token


def call(http: httpx.Client, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(path, headers={"X-Amz-Bearer": token}, json=body)


def upload(http: httpx.Client, token: str, data: bytes, name: str = "notes.txt") -> str:
    """StartAttachmentUpload, the presigned PUT, CompleteAttachmentUpload: the attachment's id."""
    started = call(
        http,
        "/participant/start-attachment-upload",
        token,
        {
            "ContentType": "text/plain",
            "AttachmentSizeInBytes": len(data),
            "AttachmentName": name,
            "ClientToken": str(uuid.uuid4()),
        },
    )
    assert started.status_code == 200, started.text
    meta = started.json()["UploadMetadata"]
    assert httpx.put(meta["Url"], content=data, headers=meta["HeadersToInclude"]).status_code == 200
    attachment_id: str = started.json()["AttachmentId"]
    done = call(
        http,
        "/participant/complete-attachment-upload",
        token,
        {"AttachmentIds": [attachment_id], "ClientToken": str(uuid.uuid4())},
    )
    assert done.status_code == 200, done.text
    return attachment_id
