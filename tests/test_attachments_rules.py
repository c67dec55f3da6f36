"""Attachment rules: every check made before the network, the decisions of the flows driven by
hand, the streamed body and the download size check. Pure (local files only, no sockets): with
``test_attachments_rules_edges.py`` this is ``make mutate``'s selection for ``_attachments``; the
same rules seen through real servers on loopback are in ``test_attachments_loopback.py``."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from connect_participant import (
    Attachment,
    AttachmentLimits,
    AttachmentScanTimeoutError,
    AttachmentSizeMismatchError,
    InvalidInputError,
    ParticipantClient,
)
from connect_participant._attachments import (
    CHUNK_SIZE,
    DEFAULT_ATTACHMENT_TYPES,
    DownloadSink,
    Pause,
    ReadState,
    SizeCheck,
    StoragePut,
    StorageReply,
    UploadBody,
    guess_content_type,
    is_expired_answer,
    prepare_upload,
    scan_flow,
    storage_error,
    upload_flow,
)
from connect_participant._flow import run_sync

MB = 1024 * 1024
DEFAULTS = AttachmentLimits()


def write(folder: Path, name: str, data: bytes = b"hello") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def sparse(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def accepted(*args: Any) -> tuple[str, int, str]:
    """(name, size, content type) of an accepted upload; the file is closed again."""
    with prepare_upload(*args) as source:
        return source.name, source.size, source.content_type


def rejects(argument: str, match: str, *args: Any, limits: AttachmentLimits = DEFAULTS) -> InvalidInputError:
    with pytest.raises(InvalidInputError, match=match) as caught:
        prepare_upload(*args, limits)
    assert caught.value.argument == argument
    return caught.value


# --- the source ---------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    rejects("path_or_binary_file", "not found", tmp_path / "nope.pdf", None, None)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    rejects("path_or_binary_file", "directory", folder, None, None)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # root (how CI runs) reads a chmod 0 file: the refusal comes through the module's open()
    path = write(tmp_path, "locked.pdf")

    def refuse(file: object, mode: str = "r", *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(file))

    monkeypatch.setattr("connect_participant._attachments.open", refuse, raising=False)
    error = rejects("path_or_binary_file", r"must be a readable file \(permission denied\)", path, None, None)
    assert str(tmp_path) not in str(error)
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_empty_file(tmp_path: Path) -> None:
    rejects("path_or_binary_file", "at least 1 byte", write(tmp_path, "empty.txt", b""), None, None)


def test_one_byte_and_exactly_the_limit_are_accepted(tmp_path: Path) -> None:
    assert accepted(write(tmp_path, "a.txt", b"x"), None, None, DEFAULTS)[1] == 1
    with prepare_upload(sparse(tmp_path, "b.mp4", 20 * MB), None, None, DEFAULTS) as source:
        assert source.size == 20 * MB


def test_over_the_default_size(tmp_path: Path) -> None:
    error = rejects(
        "path_or_binary_file", "at most 20971520 bytes", sparse(tmp_path, "big.mp4", 20 * MB + 1), None, None
    )
    assert "Connect's default" in str(error)
    assert "attachment_limits=AttachmentLimits" in str(error)


def test_configured_size(tmp_path: Path) -> None:
    limits = AttachmentLimits(max_size=30 * MB)
    with prepare_upload(sparse(tmp_path, "big.mp4", 25 * MB), None, None, limits) as source:
        assert source.size == 25 * MB
    error = rejects(
        "path_or_binary_file", "at most", sparse(tmp_path, "huge.mp4", 30 * MB + 1), None, None, limits=limits
    )
    assert "as configured in attachment_limits" in str(error)


def test_text_mode_file(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.txt")
    with open(path, encoding="utf-8") as text:
        rejects("path_or_binary_file", "binary mode", text, None, None)


def test_unseekable_file() -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, b"data")
    os.close(write_end)
    with open(read_end, "rb") as pipe:
        rejects("path_or_binary_file", "seekable", pipe, "pipe.txt", None)


def test_not_a_file() -> None:
    rejects("path_or_binary_file", "path .* or a binary file", 12345, None, None)
    rejects("path_or_binary_file", "path .* or a binary file", b"raw bytes", "a.txt", None)


def test_file_object_without_a_name() -> None:
    rejects("name", "required", io.BytesIO(b"abc"), None, None)


def test_file_object_name_and_position(tmp_path: Path) -> None:
    path = write(tmp_path, "data.csv", b"0123456789")
    with open(path, "rb") as f:
        f.seek(4)
        source = prepare_upload(f, None, None, DEFAULTS)
        assert (source.name, source.size, source.start, source.content_type) == ("data.csv", 6, 4, "text/csv")
        source.close()
        assert not f.closed


def test_an_opened_path_is_closed(tmp_path: Path) -> None:
    source = prepare_upload(write(tmp_path, "a.pdf"), None, None, DEFAULTS)
    source.close()
    assert source.file.closed


# --- name and type ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["setup.exe", "script.bat", "archive.zip", "page.html", "README", ".pdf"])
def test_unsupported_extensions(tmp_path: Path, name: str) -> None:
    error = rejects("name", "supported extension", write(tmp_path, "ok.pdf"), name, "application/pdf")
    assert "attachment_limits" in str(error)


def test_extension_from_the_path_itself(tmp_path: Path) -> None:
    rejects("name", "supported extension", write(tmp_path, "virus.exe"), None, None)


def test_name_length(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf")
    rejects("name", "1..256", path, "", None)
    rejects("name", "1..256", path, "x" * 253 + ".pdf", None)
    assert accepted(path, "x" * 252 + ".pdf", None, DEFAULTS)[0] == "x" * 252 + ".pdf"
    rejects("name", "1..256", path, 42, None)


@pytest.mark.parametrize("extension", sorted(DEFAULT_ATTACHMENT_TYPES))
def test_every_supported_extension_is_accepted_and_typed(tmp_path: Path, extension: str) -> None:
    assert (
        accepted(write(tmp_path, "f" + extension.upper()), None, None, DEFAULTS)[2]
        == DEFAULT_ATTACHMENT_TYPES[extension]
    )


def test_guessing() -> None:
    assert guess_content_type("Photo.JPG") == "image/jpeg"
    assert guess_content_type("a.tar.xlsx").endswith("spreadsheetml.sheet")  # type: ignore[union-attr]
    assert guess_content_type("noext") is None
    assert guess_content_type("x.unknownext") is None


def test_content_type_rules(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf")
    rejects("content_type", "media type", path, None, "pdf")
    rejects("content_type", "media type", path, None, "a/" + "b" * 254)
    rejects("content_type", "media type", path, None, 7)
    error = rejects("content_type", "supported attachment type", path, None, "application/x-msdownload")
    assert "attachment_limits" in str(error)
    assert accepted(path, None, "Application/PDF; q=1", DEFAULTS)[2] == "Application/PDF; q=1"


def test_lifted_checks(tmp_path: Path) -> None:
    anything = AttachmentLimits(extensions=None, content_types=None)
    assert accepted(write(tmp_path, "tool.exe"), None, "application/x-msdownload", anything)[2] == (
        "application/x-msdownload"
    )
    rejects("content_type", "cannot be guessed", write(tmp_path, "blob.bin"), None, None, limits=anything)
    custom = AttachmentLimits(extensions=frozenset({".LOG"}), content_types=frozenset({"text/plain"}))
    assert accepted(write(tmp_path, "x.log"), None, "text/plain", custom)[0] == "x.log"
    error = rejects("name", "supported extension", write(tmp_path, "x.pdf"), None, None, limits=custom)
    assert "as configured in attachment_limits" in str(error)


def test_limits_themselves_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="max_size"):
        AttachmentLimits(max_size=0)
    with pytest.raises(InvalidInputError, match="with a dot"):
        AttachmentLimits(extensions=frozenset({"pdf"}))
    with pytest.raises(InvalidInputError, match="set of non-empty strings"):
        AttachmentLimits(extensions=".pdf")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="attachment_limits"):
        ParticipantClient(endpoint_url="http://127.0.0.1:1", attachment_limits={"max_size": 1})  # type: ignore[typeddict-item]


# --- the streamed body ----------------------------------------------------------------------------------


def test_body_is_replayable_in_bounded_chunks(tmp_path: Path) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 5)
    seen: list[int] = []
    with prepare_upload(write(tmp_path, "a.pdf", data), None, None, DEFAULTS) as source:
        body = UploadBody(source, lambda sent, total: seen.append(sent))
        first = list(body)
        second = list(body)
    assert b"".join(first) == data
    assert first == second
    assert max(len(c) for c in first) == CHUNK_SIZE
    assert seen == [CHUNK_SIZE, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE, len(data)] * 2


async def test_async_body_is_replayable(tmp_path: Path) -> None:
    data = os.urandom(CHUNK_SIZE + 1)
    with prepare_upload(write(tmp_path, "a.pdf", data), None, None, DEFAULTS) as source:
        body = UploadBody(source)
        assert b"".join([c async for c in body]) == data
        assert b"".join([c async for c in body]) == data


def test_a_file_that_shrinks_during_the_upload(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf", b"x" * 1000)
    with prepare_upload(path, None, None, DEFAULTS) as source:
        path.write_bytes(b"x" * 10)
        with pytest.raises(AttachmentSizeMismatchError, match="changed during the upload"):
            list(UploadBody(source))


def test_a_file_that_grows_sends_the_announced_size(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf", b"x" * 1000)
    with prepare_upload(path, None, None, DEFAULTS) as source:
        with open(path, "ab") as f:
            f.write(b"y" * 500)
        assert b"".join(UploadBody(source)) == b"x" * 1000


# --- the upload and scan flows, driven by hand ---------------------------------------------------


def _call(request: Any) -> Any:
    """A stand-in for the session's call flow: yields the request, gets the JSON back."""
    return (yield request)


def _start_doc(headers: dict[str, str], expiry: datetime | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "Url": "https://bucket.example/key?X-Amz-Signature=abc",
        "HeadersToInclude": headers,
    }
    if expiry is not None:
        meta["UrlExpiry"] = expiry.isoformat()
    return {"AttachmentId": "att-1", "UploadMetadata": meta}


def test_flow_refuses_a_content_length_other_than_the_file_size(tmp_path: Path) -> None:
    with prepare_upload(write(tmp_path, "a.pdf", b"12345"), None, None, DEFAULTS) as source:
        flow = upload_flow(_call, source, None, None)
        next(flow)
        with pytest.raises(AttachmentSizeMismatchError):
            flow.send(_start_doc({"Content-Length": "6"}))


def test_flow_sends_exactly_the_headers_and_restarts_on_expiry(tmp_path: Path) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    operations: list[str] = []
    tokens: list[str] = []

    def perform(action: Any) -> Any:
        if isinstance(action, StoragePut):
            operations.append("PUT")
            assert dict(action.headers) == {"Content-Length": "5", "x-amz-meta-a": "1"}
            if operations.count("PUT") == 1:
                expired = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
                return StorageReply(403, {}, expired)
            return StorageReply(200, {}, b"")
        operations.append(action.operation)
        if action.operation == "StartAttachmentUpload":
            tokens.append(action.body.decode())
            return _start_doc({"Content-Length": "5", "x-amz-meta-a": "1"}, now + timedelta(seconds=5))
        return {}

    with prepare_upload(write(tmp_path, "a.pdf", b"12345"), None, None, DEFAULTS) as source:
        result = run_sync(upload_flow(_call, source, None, None, utcnow=lambda: now), perform)
    assert operations == [
        "StartAttachmentUpload",
        "PUT",
        "StartAttachmentUpload",
        "PUT",
        "CompleteAttachmentUpload",
    ]
    assert tokens[0] != tokens[1]  # a new ClientToken for the new upload
    assert result == Attachment("att-1", "a.pdf", "application/pdf", None, 5)


def _transcript(status: str | None) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"Id": "m1", "Type": "MESSAGE"}]
    if status is not None:
        items.append(
            {"Id": "i1", "Type": "ATTACHMENT", "Attachments": [{"AttachmentId": "att-1", "Status": status}]}
        )
    return {"Transcript": items}


def test_scan_polls_until_a_verdict_with_growing_pauses() -> None:
    answers = iter(
        [_transcript(None), _transcript("IN_PROGRESS"), _transcript("IN_PROGRESS"), _transcript("APPROVED")]
    )
    pauses: list[float] = []

    def perform(action: Any) -> Any:
        if isinstance(action, Pause):
            pauses.append(action.seconds)
            return None
        assert action.operation == "GetTranscript"
        return next(answers)

    start = Attachment("att-1", "a.pdf", "application/pdf", None, 5)
    done = run_sync(scan_flow(_call, start, 30.0, monotonic=lambda: 0.0), perform)
    assert done.status == "APPROVED"
    assert pauses == [0.25, 0.5, 1.0]


def test_scan_times_out_with_the_last_status() -> None:
    clock = iter(float(t) for t in range(100))

    def perform(action: Any) -> Any:
        return None if isinstance(action, Pause) else _transcript("IN_PROGRESS")

    start = Attachment("att-1", "a.pdf", "application/pdf", None, 5)
    with pytest.raises(AttachmentScanTimeoutError) as caught:
        run_sync(scan_flow(_call, start, 3.0, monotonic=lambda: next(clock)), perform)
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.attachment.status == "IN_PROGRESS"


# --- storage answers --------------------------------------------------------------------------------


def test_storage_errors_are_read_from_s3_xml_without_urls() -> None:
    body = (
        b"<?xml version='1.0'?><Error><Code>SignatureDoesNotMatch</Code><Message>see "
        b"https://bucket.s3.amazonaws.com/k?X-Amz-Signature=deadbeef</Message><RequestId>R1</RequestId></Error>"
    )
    error = storage_error(403, {"x-amz-request-id": "R1"}, body, "attachment upload")
    assert (error.code, error.status_code, error.request_id) == ("SignatureDoesNotMatch", 403, "R1")
    assert "HeadersToInclude" in str(error)
    assert "deadbeef" not in str(error)
    assert storage_error(500, {}, b"oops", "x").code == "HTTP500"
    assert is_expired_answer(
        403, b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    )
    assert is_expired_answer(403, b"<Error><Code>AccessDenied</Code><Expires>2026</Expires></Error>")
    assert not is_expired_answer(
        403, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    )
    assert not is_expired_answer(400, b"<Error><Message>Request has expired</Message></Error>")
    assert not is_expired_answer(403, b"{not xml")


# --- download size checks -------------------------------------------------------------------------


def test_size_check_and_read_state() -> None:
    check = SizeCheck(5)
    check.feed(b"abc")
    with pytest.raises(AttachmentSizeMismatchError, match="fewer"):
        check.finish()
    with pytest.raises(AttachmentSizeMismatchError, match="more"):
        SizeCheck(2).feed(b"abc")
    state = ReadState(6)
    state.push(b"abc")
    state.push(b"def")
    assert state.take(2) == b"ab"
    assert state.take(3) == b"cde"
    assert not state.needs(1)
    assert state.needs(2)
    state.push(None)
    assert state.take(-1) == b"f"
    assert not state.needs(-1)


def test_sink_puts_the_file_in_place_only_when_complete(tmp_path: Path) -> None:
    dest = tmp_path / "out.bin"
    sink = DownloadSink(dest)
    check = SizeCheck(3)
    sink.write(check.feed(b"abc"), 3)
    assert not dest.exists()
    assert sink.commit(check) == dest
    assert dest.read_bytes() == b"abc"

    failed = DownloadSink(tmp_path / "bad.bin")
    short = SizeCheck(5)
    failed.write(short.feed(b"abc"), 5)
    with pytest.raises(AttachmentSizeMismatchError):
        failed.commit(short)
    failed.abort()
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
