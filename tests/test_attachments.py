"""Attachments end to end through the emulator over loopback: upload, download, open, sync and async.

The emulator checks the PUT like S3 does (every HeadersToInclude header with its value, no
unsigned x-amz-* header, the exact size, the URL's expiry), so a successful upload means the
headers were right on the server side; the tests also compare the stored bytes.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from connect_participant import (
    AsyncParticipantClient,
    AttachmentLimits,
    AttachmentRejectedError,
    AttachmentStorageError,
    InvalidInputError,
    ParticipantClient,
    ParticipantTransportError,
    RetryPolicy,
)
from connect_participant_emulator import LocalParticipantService

MB = 1024 * 1024
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05)


def make_file(folder: Path, name: str, size: int) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path = folder / name
    path.write_bytes(data)
    return path, data


def stored(svc: LocalParticipantService, attachment_id: str | None) -> Any:
    assert attachment_id is not None
    return svc.emulator.state.attachments[attachment_id]


class Recording(httpx.HTTPTransport):
    """The client's real transport, noting each request's method, path and headers as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, dict(request.headers)))
        return super().handle_request(request)


@pytest.fixture
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


@pytest.fixture
def client(svc: LocalParticipantService) -> Iterator[ParticipantClient]:
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST_RETRY) as c:
        yield c


# --- byte-exact round trips -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [MB // 2, 20 * MB], ids=["0.5MB", "20MB"])
def test_sync_round_trip_is_byte_exact(svc: LocalParticipantService, tmp_path: Path, size: int) -> None:
    path, data = make_file(tmp_path, "report.pdf", size)
    transport = Recording()
    with (
        httpx.Client(transport=transport) as http,
        ParticipantClient(endpoint_url=svc.endpoint_url, http_client=http) as client,
        client.connect(svc.start_chat().participant_token) as chat,
    ):
        att = chat.upload_attachment(path)
        assert (att.name, att.content_type, att.size, att.status) == (
            "report.pdf",
            "application/pdf",
            size,
            None,
        )
        server_side = stored(svc, att.id)
        assert server_side.data == data
        assert server_side.completed

        # The PUT carried exactly Host plus the HeadersToInclude: no bearer, no client defaults.
        puts = [headers for method, _, headers in transport.seen if method == "PUT"]
        assert len(puts) == 1
        assert {k.lower() for k in puts[0]} == {"host"} | {k.lower() for k in server_side.headers}
        for name, value in server_side.headers.items():
            assert puts[0][name.lower()] == value

        dest = tmp_path / "copy.pdf"
        assert chat.download_attachment(att.id or "", dest) == dest
        assert dest.read_bytes() == data
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]

        with chat.open_attachment(att.id or "") as stream:
            assert stream.size == size
            head = stream.read(1000)
            rest = b"".join(stream)
        assert head + rest == data


@pytest.mark.parametrize("size", [MB // 2, 20 * MB], ids=["0.5MB", "20MB"])
async def test_async_round_trip_is_byte_exact(
    svc: LocalParticipantService, tmp_path: Path, size: int
) -> None:
    path, data = make_file(tmp_path, "clip.mp4", size)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect((await svc.astart_chat()).participant_token)
        async with chat:
            att = await chat.upload_attachment(path, wait=True)
            assert (att.content_type, att.size, att.status) == ("video/mp4", size, "APPROVED")
            assert stored(svc, att.id).data == data

            dest = tmp_path / "copy.mp4"
            assert await chat.download_attachment(att.id or "", dest) == dest
            assert dest.read_bytes() == data

            async with chat.open_attachment(att.id or "") as stream:
                head = await stream.read(7)
                middle = await stream.read(300_000)
                rest = b"".join([chunk async for chunk in stream])
            assert head + middle + rest == data
            assert len(middle) == 300_000


def test_upload_from_binary_file_objects(client: ParticipantClient, svc: LocalParticipantService) -> None:
    with client.connect(svc.start_chat().participant_token) as chat:
        # a nameless in-memory file: the name is required, the bytes from the current position on
        buffer = io.BytesIO(b"skip-me|" + b"col1,col2\n1,2\n")
        buffer.seek(8)
        att = chat.upload_attachment(buffer, name="table.csv")
        assert (att.content_type, att.size) == ("text/csv", 14)
        assert stored(svc, att.id).data == b"col1,col2\n1,2\n"
        assert not buffer.closed  # the caller's file is left open

        sink = io.BytesIO()
        assert chat.download_attachment(att.id or "", sink) is None
        assert sink.getvalue() == b"col1,col2\n1,2\n"


def test_explicit_content_type_is_sent(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path
) -> None:
    path, _ = make_file(tmp_path, "note.txt", 10)
    with client.connect(svc.start_chat().participant_token) as chat:
        att = chat.upload_attachment(path, name="renamed.txt", content_type="text/plain; charset=utf-8")
        server_side = stored(svc, att.id)
        assert (server_side.name, server_side.content_type) == ("renamed.txt", "text/plain; charset=utf-8")


# --- progress -----------------------------------------------------------------------------------------


def test_progress_is_reported_as_chunks_go_out_and_come_in(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path
) -> None:
    path, _ = make_file(tmp_path, "photo.png", MB // 2)
    up: list[tuple[int, int]] = []
    down: list[tuple[int, int]] = []
    with client.connect(svc.start_chat().participant_token) as chat:
        att = chat.upload_attachment(path, progress=lambda sent, total: up.append((sent, total)))
        chat.download_attachment(
            att.id or "", tmp_path / "back.png", progress=lambda n, t: down.append((n, t))
        )
    for calls in (up, down):
        assert len(calls) >= 4  # 0.5 MB in chunks of at most 128 KiB
        assert [n for n, _ in calls] == sorted(n for n, _ in calls)
        assert calls[-1] == (MB // 2, MB // 2)
        assert {t for _, t in calls} == {MB // 2}


async def test_async_progress(svc: LocalParticipantService, tmp_path: Path) -> None:
    path, _ = make_file(tmp_path, "photo.jpg", 300_000)
    calls: list[int] = []
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect((await svc.astart_chat()).participant_token)
        await chat.upload_attachment(path, progress=lambda sent, total: calls.append(sent))
    assert calls == [131072, 262144, 300000]


# --- retries and restarts ----------------------------------------------------------------------------


def test_put_is_retried_with_the_same_bytes(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path
) -> None:
    path, data = make_file(tmp_path, "sheet.xlsx", 200_000)
    svc.inject_fault("UploadAttachment", status=503, count=1)
    sent: list[int] = []
    with client.connect(svc.start_chat().participant_token) as chat:
        att = chat.upload_attachment(path, progress=lambda n, t: sent.append(n))
    assert stored(svc, att.id).data == data
    assert len(svc.emulator.state.attachments) == 1  # the same upload, not a restart
    assert sent.count(200_000) == 2  # the body went out twice, from the start each time


async def test_async_put_is_retried_with_the_same_bytes(svc: LocalParticipantService, tmp_path: Path) -> None:
    path, data = make_file(tmp_path, "sheet.xls", 200_000)
    svc.inject_fault("UploadAttachment", status=500, count=1)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST_RETRY) as client:
        chat = await client.connect((await svc.astart_chat()).participant_token)
        att = await chat.upload_attachment(path)
    assert stored(svc, att.id).data == data


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_expired_upload_url_starts_over_once(tmp_path: Path, kind: str) -> None:
    # The URL lives 1 s; the storage holds the first PUT 1.5 s, then answers 403 "Request has expired".
    path, data = make_file(tmp_path, "late.pdf", 20_000)
    with LocalParticipantService(upload_url_ttl=1.0) as svc:
        svc.inject_fault("UploadAttachment", action="delay", delay_seconds=1.5, count=1)
        if kind == "sync":
            with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
                att = client.connect(svc.start_chat().participant_token).upload_attachment(path)
        else:
            async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as aclient:
                chat = await aclient.connect((await svc.astart_chat()).participant_token)
                att = await chat.upload_attachment(path)
        started = svc.emulator.state.attachments
        assert len(started) == 2  # a second StartAttachmentUpload, with a new ClientToken
        assert stored(svc, att.id).data == data
        assert stored(svc, att.id).completed
        assert [a.completed for a in started.values()].count(True) == 1


def test_expired_twice_gives_up(tmp_path: Path) -> None:
    path, _ = make_file(tmp_path, "late.pdf", 20_000)
    with LocalParticipantService(upload_url_ttl=1.0) as svc:
        svc.inject_fault("UploadAttachment", action="delay", delay_seconds=1.2, count=2)
        with (
            ParticipantClient(endpoint_url=svc.endpoint_url) as client,
            pytest.raises(AttachmentStorageError) as caught,
        ):
            client.connect(svc.start_chat().participant_token).upload_attachment(path)
        assert caught.value.code == "AccessDenied"
        assert caught.value.status_code == 403
        assert "expired" in str(caught.value)
        assert len(svc.emulator.state.attachments) == 2


def test_url_already_expired_on_arrival_restarts_once_without_a_put(tmp_path: Path) -> None:
    path, _ = make_file(tmp_path, "late.pdf", 20_000)
    with LocalParticipantService(upload_url_ttl=0.0) as svc:
        transport = Recording()
        with (
            httpx.Client(transport=transport) as http,
            ParticipantClient(endpoint_url=svc.endpoint_url, http_client=http) as c,
            pytest.raises(AttachmentStorageError) as caught,
        ):
            c.connect(svc.start_chat().participant_token).upload_attachment(path)
        assert caught.value.code == "ExpiredUploadUrl"
        assert len(svc.emulator.state.attachments) == 2
        assert not [m for m, _, _ in transport.seen if m == "PUT"]


def test_other_storage_403_is_not_restarted(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path
) -> None:
    path, _ = make_file(tmp_path, "doc.docx", 1000)
    with client.connect(svc.start_chat().participant_token) as chat:
        svc.inject_fault("UploadAttachment", status=403, error_code="SignatureDoesNotMatch", count=1)
        with pytest.raises(AttachmentStorageError) as caught:
            chat.upload_attachment(path)
    assert caught.value.status_code == 403
    assert len(svc.emulator.state.attachments) == 1  # no restart for a non-expiry 403


# --- scan ----------------------------------------------------------------------------------------------


def test_rejected_scan_raises(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path
) -> None:
    path, _ = make_file(tmp_path, "reject-this.pdf", 5000)
    with client.connect(svc.start_chat().participant_token) as chat:
        with pytest.raises(AttachmentRejectedError) as caught:
            chat.upload_attachment(path, wait=True)
        assert caught.value.attachment.status == "REJECTED"
        assert caught.value.attachment.name == "reject-this.pdf"
        assert "rejected" in str(caught.value)
        # without wait the upload itself succeeds; the verdict is for the caller to follow
        assert chat.upload_attachment(path, wait=False).status is None


async def test_async_rejected_scan_raises(svc: LocalParticipantService, tmp_path: Path) -> None:
    path, _ = make_file(tmp_path, "REJECT.png", 5000)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect((await svc.astart_chat()).participant_token)
        with pytest.raises(AttachmentRejectedError):
            await chat.upload_attachment(path, wait=5)


def test_wait_finds_the_attachment_among_many_items(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path
) -> None:
    path, _ = make_file(tmp_path, "a.pdf", 100)
    with client.connect(svc.start_chat().participant_token) as chat:
        first = chat.upload_attachment(path)
        for i in range(120):  # more than a page of newer items
            chat.send_message(f"m{i}")
        # a second upload is found at once; the first one is further back but still found
        assert chat.upload_attachment(path, wait=True).status == "APPROVED"
        from connect_participant._attachments import scan_flow

        assert chat._run(scan_flow(chat._fetch_flow, first, 5.0)).status == "APPROVED"


# --- limits configured for an instance --------------------------------------------------------------


def test_configured_limits_allow_what_the_instance_allows(tmp_path: Path) -> None:
    path, data = make_file(tmp_path, "tool.exe", 21 * MB)
    with LocalParticipantService(max_attachment_bytes=100 * MB, attachment_extensions=None) as svc:
        with ParticipantClient(endpoint_url=svc.endpoint_url) as strict:
            chat = strict.connect(svc.start_chat().participant_token)
            with pytest.raises(InvalidInputError, match="attachment_limits"):
                chat.upload_attachment(path, content_type="application/octet-stream")
        assert not svc.emulator.state.attachments  # nothing was sent

        limits = AttachmentLimits(max_size=100 * MB, extensions=None, content_types=None)
        with ParticipantClient(endpoint_url=svc.endpoint_url, attachment_limits=limits) as lenient:
            chat = lenient.connect(svc.start_chat().participant_token)
            att = chat.upload_attachment(path, content_type="application/octet-stream")
        assert stored(svc, att.id).data == data


# --- secrets -------------------------------------------------------------------------------------------


def _secrets_of(svc: LocalParticipantService) -> list[str]:
    state = svc.emulator.state
    values = [a.upload_signature for a in state.attachments.values()]
    values += [a.upload_url.split("?", 1)[1] for a in state.attachments.values()]
    values += list(state.download_grants)
    return values


def test_no_presigned_url_in_logs_or_errors(
    client: ParticipantClient, svc: LocalParticipantService, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, _ = make_file(tmp_path, "secret.pdf", 2000)
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    with client.connect(svc.start_chat().participant_token) as chat:
        svc.inject_fault("UploadAttachment", status=503, count=1)  # a retry logs the request
        att = chat.upload_attachment(path)
        chat.download_attachment(att.id or "", tmp_path / "copy.pdf")
        svc.inject_fault("DownloadAttachment", status=403, error_code="AccessDenied", count=1)
        with pytest.raises(AttachmentStorageError) as caught:
            chat.download_attachment(att.id or "", tmp_path / "again.pdf")
        errors.append(caught.value)
        svc.inject_fault("UploadAttachment", status=403, error_code="SignatureDoesNotMatch", count=1)
        with pytest.raises(AttachmentStorageError) as caught_put:
            chat.upload_attachment(path)
        errors.append(caught_put.value)
    secrets = _secrets_of(svc)
    assert len(secrets) >= 6
    logged = caplog.text
    assert "PUT" in logged
    assert "/_attachments/" in logged
    for secret in secrets:
        assert secret not in logged
        for error in errors:
            assert secret not in str(error)
            assert secret not in repr(error)
    assert not (tmp_path / "again.pdf").exists()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_storage_that_drops_the_connection_gives_a_transport_error(
    svc: LocalParticipantService, tmp_path: Path, kind: str
) -> None:
    path, _ = make_file(tmp_path, "drop.pdf", 5000)
    token = svc.start_chat().participant_token
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST_RETRY) as client:
        chat = client.connect(token)
        att = chat.upload_attachment(path)
        svc.inject_fault("UploadAttachment", action="drop", count=None)
        with pytest.raises(ParticipantTransportError) as up:
            chat.upload_attachment(path)
        svc.inject_fault("DownloadAttachment", action="drop", count=None)
        if kind == "sync":
            with pytest.raises(ParticipantTransportError) as down:
                chat.download_attachment(att.id or "", tmp_path / "out.pdf")
    if kind == "async":
        async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST_RETRY) as aclient:
            achat = await aclient.connect(token)
            with pytest.raises(ParticipantTransportError) as down:
                await achat.download_attachment(att.id or "", tmp_path / "out.pdf")
    for secret in _secrets_of(svc):
        for error in (up.value, down.value):
            assert secret not in str(error)
            assert secret not in repr(error)
    assert not (tmp_path / "out.pdf").exists()
