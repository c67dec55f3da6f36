"""Attachments: StartAttachmentUpload, the presigned-like PUT checked like S3, scan status,
GetAttachment's download URL and its expiry."""

from __future__ import annotations

import json
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._model import parse_iso_time


class Chat:
    def __init__(self, http: httpx.Client, token: str) -> None:
        self.http = http
        self.token = token

    def call(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, headers={"X-Amz-Bearer": self.token}, json=body)

    def start(
        self,
        name: str = "photo.png",
        size: int = 64,
        content_type: str = "image/png",
        client_token: str | None = None,
    ) -> httpx.Response:
        return self.call(
            "/participant/start-attachment-upload",
            {
                "ContentType": content_type,
                "AttachmentSizeInBytes": size,
                "AttachmentName": name,
                "ClientToken": client_token or str(uuid.uuid4()),
            },
        )

    def complete(self, attachment_id: str, client_token: str | None = None) -> httpx.Response:
        return self.call(
            "/participant/complete-attachment-upload",
            {"AttachmentIds": [attachment_id], "ClientToken": client_token or str(uuid.uuid4())},
        )


@pytest.fixture
def chat(participant_service: LocalParticipantService) -> Iterator[Chat]:
    started = participant_service.start_chat()
    with httpx.Client(base_url=participant_service.endpoint_url, timeout=10) as http:
        answer = http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": started.participant_token},
            json={"Type": ["CONNECTION_CREDENTIALS"]},
        )
        yield Chat(http, answer.json()["ConnectionCredentials"]["ConnectionToken"])


def s3_code(response: httpx.Response) -> str:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    assert root.tag == "Error"
    assert root.findtext("Message")
    code = root.findtext("Code")
    assert code is not None
    return code


def test_upload_metadata_looks_like_s3(chat: Chat) -> None:
    answer = chat.start(name="photo.png", size=64)
    assert answer.status_code == 200
    meta = answer.json()["UploadMetadata"]
    headers = meta["HeadersToInclude"]
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Length"] == "64"
    assert headers["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert headers["x-amz-acl"] == "bucket-owner-full-control"
    assert any(name.startswith("x-amz-meta-") for name in headers)
    assert "X-Amz-Signature=" in meta["Url"]
    assert 250 < parse_iso_time(meta["UrlExpiry"]) - time.time() <= 300.5


def test_put_is_checked_like_s3(chat: Chat) -> None:
    data = b"\x89PNG" + b"x" * 60
    answer = chat.start(size=len(data)).json()
    url, headers = answer["UploadMetadata"]["Url"], answer["UploadMetadata"]["HeadersToInclude"]
    # nothing uploaded yet: completing is a conflict
    assert chat.complete(answer["AttachmentId"]).status_code == 409

    missing = {k: v for k, v in headers.items() if k != "x-amz-acl"}
    assert s3_code(chat.http.put(url, content=data, headers=missing)) == "SignatureDoesNotMatch"
    different = {**headers, "Content-Type": "image/jpeg"}
    assert s3_code(chat.http.put(url, content=data, headers=different)) == "SignatureDoesNotMatch"
    extra = {**headers, "x-amz-meta-extra": "1"}
    unsigned = chat.http.put(url, content=data, headers=extra)
    assert s3_code(unsigned) == "AccessDenied"
    assert "not signed" in unsigned.text
    short = {**headers, "Content-Length": str(len(data) - 1)}
    assert s3_code(chat.http.put(url, content=data[:-1], headers=short)) == "SignatureDoesNotMatch"
    forged = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert s3_code(chat.http.put(forged, content=data, headers=headers)) == "AccessDenied"
    # a non-S3 client habit: sending the bearer header too is fine (not an x-amz- header)
    ok = chat.http.put(url, content=data, headers={**headers, "Authorization": "ignored"})
    assert ok.status_code == 200, ok.text
    assert ok.headers["ETag"]
    assert ok.headers["x-amzn-RequestId"]

    assert chat.complete(answer["AttachmentId"], client_token="done").status_code == 200
    # idempotent: the same ClientToken again answers the same, adds nothing
    assert chat.complete(answer["AttachmentId"], client_token="done").status_code == 200
    assert chat.complete(answer["AttachmentId"]).status_code == 409
    items = chat.call("/participant/transcript", {"MaxResults": 100}).json()["Transcript"]
    attachments = [i for i in items if i["Type"] == "ATTACHMENT"]
    assert len(attachments) == 1
    assert attachments[0]["Attachments"] == [
        {
            "ContentType": "image/png",
            "AttachmentId": answer["AttachmentId"],
            "AttachmentName": "photo.png",
            "Status": "APPROVED",
        }
    ]
    # after completion the upload URL is spent
    assert s3_code(chat.http.put(url, content=data, headers=headers)) == "AccessDenied"


@pytest.mark.participant_service(upload_url_ttl=0.2)
def test_upload_url_expires(chat: Chat) -> None:
    answer = chat.start(size=3).json()
    time.sleep(0.3)
    expired = chat.http.put(
        answer["UploadMetadata"]["Url"], content=b"abc", headers=answer["UploadMetadata"]["HeadersToInclude"]
    )
    assert s3_code(expired) == "AccessDenied"
    assert "expired" in expired.text


def upload(chat: Chat, name: str, data: bytes, content_type: str = "text/plain") -> str:
    answer = chat.start(name=name, size=len(data), content_type=content_type).json()
    meta = answer["UploadMetadata"]
    assert chat.http.put(meta["Url"], content=data, headers=meta["HeadersToInclude"]).status_code == 200
    assert chat.complete(answer["AttachmentId"]).status_code == 200
    attachment_id: str = answer["AttachmentId"]
    return attachment_id


def test_scan_rejects_names_with_reject_and_get_attachment_refuses_them(chat: Chat) -> None:
    rejected = upload(chat, "please-REJECT-me.txt", b"bad")
    items = chat.call("/participant/transcript", {}).json()["Transcript"]
    assert items[0]["Attachments"][0]["Status"] == "REJECTED"  # newest first by default
    answer = chat.call("/participant/attachment", {"AttachmentId": rejected})
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "ValidationException"


def test_download_url_honours_requested_expiry(chat: Chat) -> None:
    data = "naïve text\n".encode() * 5
    attachment_id = upload(chat, "notes.txt", data)
    default = chat.call("/participant/attachment", {"AttachmentId": attachment_id}).json()
    assert default["AttachmentSizeInBytes"] == len(data)
    assert 295 < parse_iso_time(default["UrlExpiry"]) - time.time() <= 300.5
    got = chat.http.get(default["Url"])
    assert got.content == data
    assert got.headers["content-type"] == "text/plain"
    assert got.headers["content-disposition"] == 'attachment; filename="notes.txt"'
    inline = chat.call(
        "/participant/attachment", {"AttachmentId": attachment_id, "UrlContentDisposition": "INLINE"}
    ).json()
    assert chat.http.get(inline["Url"]).headers["content-disposition"].startswith("inline")

    short = chat.call(
        "/participant/attachment", {"AttachmentId": attachment_id, "UrlExpiryInSeconds": 5}
    ).json()
    assert 4 < parse_iso_time(short["UrlExpiry"]) - time.time() <= 5.5
    assert chat.http.get(short["Url"]).status_code == 200
    assert (
        s3_code(chat.http.get(short["Url"].replace("X-Amz-Signature=", "X-Amz-Signature=f")))
        == "AccessDenied"
    )
    unknown = chat.call("/participant/attachment", {"AttachmentId": "no-such-attachment"})
    assert unknown.status_code == 400


def test_download_url_expiry_is_enforced(chat: Chat, participant_service: LocalParticipantService) -> None:
    attachment_id = upload(chat, "notes.txt", b"abc")
    answer = chat.call(
        "/participant/attachment", {"AttachmentId": attachment_id, "UrlExpiryInSeconds": 5}
    ).json()
    # move the grant's clock instead of sleeping 5 s
    for grant in participant_service.emulator.state.download_grants.values():
        grant.expires_at = time.time() - 1
    expired = chat.http.get(answer["Url"])
    assert s3_code(expired) == "AccessDenied"
    assert "expired" in expired.text


def test_start_upload_limits(chat: Chat) -> None:
    too_big = chat.start(size=20 * 1024 * 1024 + 1)
    assert too_big.status_code == 400
    assert "limit" in too_big.json()["message"]
    assert chat.start(size=20 * 1024 * 1024).status_code == 200
    assert chat.start(name="tool.exe").status_code == 400
    assert chat.start(content_type="not a mime type").status_code == 400
    first = chat.start(client_token="same").json()
    again = chat.start(client_token="same").json()
    assert first == again
    missing_token = chat.call(
        "/participant/start-attachment-upload",
        {"ContentType": "image/png", "AttachmentSizeInBytes": 1, "AttachmentName": "a.png"},
    )
    assert missing_token.status_code == 400


@pytest.mark.participant_service(max_attachments_per_contact=2, attachment_extensions=None)
def test_attachment_quota_gives_402(chat: Chat) -> None:
    assert chat.start(name="a.anything").status_code == 200
    assert chat.start(name="b").status_code == 200
    third = chat.start(name="c.png")
    assert third.status_code == 402
    assert third.headers["x-amzn-ErrorType"] == "ServiceQuotaExceededException"


@pytest.mark.participant_service(attachment_scan_seconds=0.3)
async def test_scan_in_progress_then_final_status_on_the_socket(
    participant_service: LocalParticipantService,
) -> None:
    chat = await participant_service.astart_chat()
    async with (
        httpx.AsyncClient(base_url=participant_service.endpoint_url) as http,
        aiohttp.ClientSession() as session,
    ):
        answer = (
            await http.post(
                "/participant/connection",
                headers={"X-Amz-Bearer": chat.participant_token},
                json={"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]},
            )
        ).json()
        token = answer["ConnectionCredentials"]["ConnectionToken"]
        bearer = {"X-Amz-Bearer": token}
        async with session.ws_connect(answer["Websocket"]["Url"]) as ws:
            await ws.send_json({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
            await ws.receive_json(timeout=5)
            started = (
                await http.post(
                    "/participant/start-attachment-upload",
                    headers=bearer,
                    json={
                        "ContentType": "text/plain",
                        "AttachmentSizeInBytes": 2,
                        "AttachmentName": "a.txt",
                        "ClientToken": "c",
                    },
                )
            ).json()
            meta = started["UploadMetadata"]
            assert (
                await http.put(meta["Url"], content=b"ok", headers=meta["HeadersToInclude"])
            ).status_code == 200
            done = await http.post(
                "/participant/complete-attachment-upload",
                headers=bearer,
                json={"AttachmentIds": [started["AttachmentId"]], "ClientToken": "d"},
            )
            assert done.status_code == 200
            first = json.loads((await ws.receive_json(timeout=5))["content"])
            assert first["Attachments"][0]["Status"] == "IN_PROGRESS"
            early = await http.post(
                "/participant/attachment", headers=bearer, json={"AttachmentId": started["AttachmentId"]}
            )
            assert "still being scanned" in early.json()["message"]
            second = json.loads((await ws.receive_json(timeout=5))["content"])
            assert (second["Id"], second["Attachments"][0]["Status"]) == (first["Id"], "APPROVED")
            transcript = (await http.post("/participant/transcript", headers=bearer, json={})).json()[
                "Transcript"
            ]
            assert transcript[0]["Attachments"][0]["Status"] == "APPROVED"
            late = await http.post(
                "/participant/attachment", headers=bearer, json={"AttachmentId": started["AttachmentId"]}
            )
            assert late.status_code == 200
