"""Attachment error edges the main tests left open (found by ``make mutate``): what a storage
error says (S3's XML fields, defaults, the signature hint, the request id from the header or the
document, the length cap) and the scan errors' text and codes."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from connect_participant import (
    Attachment,
    AttachmentError,
    AttachmentLimits,
    AttachmentRejectedError,
    AttachmentScanTimeoutError,
    AttachmentSizeMismatchError,
    AttachmentStorageError,
    InvalidInputError,
    InvalidResponseError,
    ParticipantTransportError,
)
from connect_participant._attachments import (
    CHUNK_SIZE,
    DownloadSink,
    DownloadTicket,
    Pause,
    ReadState,
    SizeCheck,
    StoragePut,
    StorageReply,
    UploadBody,
    begin_upload,
    check_storage_headers,
    check_storage_url,
    check_url_expiry,
    check_wait,
    download_flow,
    guess_content_type,
    is_expired_answer,
    prepare_upload,
    scan_flow,
    storage_error,
    storage_request,
    storage_transport_errors,
    upload_flow,
)
from connect_participant._flow import run_sync
from connect_participant._retry import STORAGE
from connect_participant._secrets import Secret

DEFAULTS = AttachmentLimits()


def _xml(**fields: str) -> bytes:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><Error>{inner}</Error>'.encode()


def test_an_s3_error_document_gives_code_message_and_request_id() -> None:
    body = _xml(Code="AccessDenied", Message="Request has expired", RequestId="R-XML")
    error = storage_error(403, {}, body, "upload")
    assert isinstance(error, AttachmentStorageError)
    assert (error.code, error.message, error.status_code, error.request_id) == (
        "AccessDenied",
        "upload: Request has expired",
        403,
        "R-XML",
    )


def test_the_request_id_header_wins_over_the_document() -> None:
    body = _xml(Code="InternalError", Message="We encountered an internal error", RequestId="R-XML")
    error = storage_error(500, {"x-amz-request-id": "R-HEADER"}, body, "download")
    assert error.request_id == "R-HEADER"


def test_a_body_that_is_not_an_s3_error_gets_the_defaults() -> None:
    error = storage_error(502, {}, b"<html>bad gateway</html", "upload")
    assert (error.code, error.message, error.request_id) == (
        "HTTP502",
        "upload: the attachment storage refused the request",
        None,
    )
    error = storage_error(400, {}, _xml(Code="BadDigest"), "upload")  # no Message
    assert error.message == "upload: the attachment storage refused the request"


def test_a_signature_mismatch_says_which_headers_the_put_needs() -> None:
    error = storage_error(403, {}, _xml(Code="SignatureDoesNotMatch", Message="nope"), "upload")
    assert error.message == (
        "upload: nope (the PUT must carry exactly the HeadersToInclude of StartAttachmentUpload)"
    )


def test_a_long_message_is_cut_at_500_characters() -> None:
    error = storage_error(400, {}, _xml(Code="X", Message="m" * 1000), "upload")
    assert len(error.message) == 500
    assert error.message == ("upload: " + "m" * 1000)[:500]


@pytest.mark.parametrize(("status", "shown"), [("IN_PROGRESS", "IN_PROGRESS"), (None, "not seen")])
def test_scan_timeout_text_and_code(status: str | None, shown: str) -> None:
    attachment = Attachment(id="att-1", name="a.pdf", content_type="application/pdf", status=status)
    error = AttachmentScanTimeoutError(attachment, 2.5)
    assert isinstance(error, TimeoutError)
    assert error.code == "AttachmentScanTimeout"
    assert error.message == f"no scan verdict for 'a.pdf' after 2.5s (status {shown})"
    assert error.attachment is attachment


def test_rejected_text_and_code() -> None:
    attachment = Attachment(id="att-2", name="x.exe", content_type="application/pdf", status="REJECTED")
    error = AttachmentRejectedError(attachment)
    assert error.code == "AttachmentRejected"
    assert error.status_code is None
    assert error.message == "the attachment scan rejected 'x.exe' (attachment id att-2)"
    assert error.attachment is attachment


# --- the limits themselves ---------------------------------------------------------------------------


def _refused(argument: str, match: str, make: Callable[[], object]) -> InvalidInputError:
    with pytest.raises(InvalidInputError, match=match) as caught:
        make()
    assert caught.value.argument == argument
    return caught.value


@pytest.mark.parametrize("size", [0, -1, True, 1.5, "10"])
def test_max_size_must_be_a_positive_int(size: object) -> None:
    error = _refused("attachment_limits.max_size", "int >= 1", lambda: AttachmentLimits(max_size=size))  # type: ignore[arg-type]
    assert error.rule == "must be an int >= 1 (bytes)"


def test_the_smallest_limits_are_accepted() -> None:
    limits = AttachmentLimits(max_size=1, extensions=frozenset({".X"}), content_types=frozenset({"A/B"}))
    assert (limits.max_size, limits.extensions, limits.content_types) == (1, {".x"}, {"a/b"})
    assert limits.check_size(1) == 1
    _refused("path_or_binary_file", "at most 1 bytes", lambda: limits.check_size(2))
    error = _refused("path_or_binary_file", "at least 1 byte", lambda: limits.check_size(0))
    assert error.rule == "must hold at least 1 byte"


@pytest.mark.parametrize("field", ["extensions", "content_types"])
@pytest.mark.parametrize("values", [".pdf", frozenset({""}), frozenset({1}), [".pdf", ""]])
def test_type_lists_must_be_sets_of_non_empty_strings(field: str, values: object) -> None:
    error = _refused(
        f"attachment_limits.{field}",
        "must be a set of non-empty strings or None",
        lambda: AttachmentLimits(**{field: values}),  # type: ignore[arg-type]
    )
    assert error.rule == "must be a set of non-empty strings or None"


def test_both_type_lists_are_lowercased_and_frozen() -> None:
    limits = AttachmentLimits(extensions=[".PDF", ".Txt"], content_types=("Text/Plain",))  # type: ignore[arg-type]
    assert limits.extensions == frozenset({".pdf", ".txt"})
    assert limits.content_types == frozenset({"text/plain"})
    assert isinstance(limits.extensions, frozenset)
    assert isinstance(limits.content_types, frozenset)
    error = _refused(
        "attachment_limits.extensions", "with a dot", lambda: AttachmentLimits(extensions={".pdf", "txt"})
    )  # type: ignore[arg-type]
    assert error.rule == "must be extensions with a dot, e.g. '.pdf'"
    # a lifted extension check does not lift the content type check
    lifted = AttachmentLimits(extensions=None, content_types=["Text/Plain"])  # type: ignore[arg-type]
    assert lifted.content_types == frozenset({"text/plain"})
    _refused(
        "attachment_limits.content_types",
        "non-empty strings",
        lambda: AttachmentLimits(extensions=None, content_types=frozenset({""})),
    )
    assert AttachmentLimits(content_types={"nodot/x"}).content_types == {"nodot/x"}  # type: ignore[arg-type]


def test_coerce() -> None:
    assert AttachmentLimits.coerce(None) == AttachmentLimits()
    mine = AttachmentLimits(max_size=5)
    assert AttachmentLimits.coerce(mine) is mine
    error = _refused("attachment_limits", "AttachmentLimits", lambda: AttachmentLimits.coerce({}))
    assert error.rule == "must be an AttachmentLimits or None"


CHECKS: dict[str, Callable[[AttachmentLimits], object]] = {
    "max_size": lambda limits: limits.check_size(limits.max_size + 1),
    "extensions": lambda limits: limits.check_name("a.exe"),
    "content_types": lambda limits: limits.check_content_type("application/x-msdownload", "a.pdf"),
}


@pytest.mark.parametrize("field", sorted(CHECKS))
def test_a_refusal_says_whose_rule_it_is(field: str) -> None:
    configured: dict[str, object] = {
        "max_size": 10,
        "extensions": frozenset({".pdf", ".log"}),
        "content_types": frozenset({"application/pdf"}),
    }
    with pytest.raises(InvalidInputError) as mine:
        CHECKS[field](AttachmentLimits(**{field: configured[field]}))  # type: ignore[arg-type]
    assert "as configured in attachment_limits" in str(mine.value)
    assert "Connect's default" not in str(mine.value)
    with pytest.raises(InvalidInputError) as default:
        CHECKS[field](AttachmentLimits())
    assert (
        "Connect's default for chat attachments; if your instance's attachment settings differ, "
        "pass attachment_limits=AttachmentLimits(...) to the client"
    ) in str(default.value)
    assert "as configured" not in str(default.value)


def test_the_default_size_refusal_names_connects_default() -> None:
    error = _refused(
        "path_or_binary_file",
        r"must be at most 20971520 bytes \(Connect's default",
        lambda: AttachmentLimits().check_size(20 * 1024 * 1024 + 1),
    )
    assert "as configured" not in str(error)
    assert AttachmentLimits().check_size(20 * 1024 * 1024) == 20 * 1024 * 1024


# --- names and content types ------------------------------------------------------------------------


def test_name_bounds_are_the_specs() -> None:
    limits = AttachmentLimits(extensions=None)
    assert limits.check_name("a") == "a"
    assert limits.check_name("n" * 256) == "n" * 256
    _refused("name", r"must be a str of 1\.\.256 characters", lambda: limits.check_name("n" * 257))
    _refused("name", r"must be a str of 1\.\.256 characters", lambda: limits.check_name(""))
    _refused("name", r"must be a str of 1\.\.256 characters", lambda: limits.check_name(None))


def test_an_unsupported_extension_lists_the_allowed_ones_sorted() -> None:
    limits = AttachmentLimits(extensions=frozenset({".txt", ".csv", ".log"}))
    error = _refused("name", "supported extension", lambda: limits.check_name("a.pdf"))
    assert "(.csv .log .txt; as configured in attachment_limits)" in str(error)
    assert limits.check_name("A.LOG") == "A.LOG"
    assert limits.check_name("archive.tar.csv") == "archive.tar.csv"


def test_content_type_bounds_and_form() -> None:
    limits = AttachmentLimits(extensions=None, content_types=None)
    longest = "a/" + "b" * 253
    assert limits.check_content_type(longest, "x") == longest
    for bad in [longest + "b", "", "a/", "/b", "a b/c", "-a/b", "a/-b", "a/b c", b"a/b"]:
        _refused(
            "content_type",
            r"must be a media type such as 'image/png' \(1\.\.255\)",
            lambda bad=bad: limits.check_content_type(bad, "x"),  # type: ignore[misc]
        )
    assert limits.check_content_type("a/b ; charset=utf-8", "x") == "a/b ; charset=utf-8"
    assert limits.check_content_type("vnd.x+y/z!#$&^.+-_", "x") == "vnd.x+y/z!#$&^.+-_"


def test_a_guessed_content_type_is_checked_too() -> None:
    limits = AttachmentLimits(extensions=None, content_types=frozenset({"text/plain"}))
    assert limits.check_content_type(None, "a.txt") == "text/plain"
    _refused("content_type", "supported attachment type", lambda: limits.check_content_type(None, "a.png"))
    error = _refused(
        "content_type",
        "cannot be guessed from the name: pass content_type=",
        lambda: limits.check_content_type(None, "a.unknown"),
    )
    assert error.rule == "cannot be guessed from the name: pass content_type="
    assert AttachmentLimits(content_types=None).check_content_type(None, "a.gif") == "image/gif"


def test_the_base_type_is_compared_without_case_or_parameters() -> None:
    limits = AttachmentLimits(content_types=frozenset({"text/plain"}))
    assert limits.check_content_type("TEXT/Plain;charset=utf-8", "a.txt") == "TEXT/Plain;charset=utf-8"
    assert limits.check_content_type("text/plain ; a=b; c=d", "a.txt") == "text/plain ; a=b; c=d"
    _refused(
        "content_type", "supported attachment type", lambda: limits.check_content_type("text/plainx", "a.txt")
    )


@pytest.mark.parametrize(
    "alias",
    [
        "application/csv",
        "image/pjpeg",
        "image/heif",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "text/rtf",
    ],
)
def test_other_spellings_of_the_default_types_are_accepted(alias: str) -> None:
    assert AttachmentLimits().check_content_type(alias, "a.pdf") == alias


@pytest.mark.parametrize(
    ("name", "guess"),
    [
        (".gif", None),
        ("a.gif", "image/gif"),
        ("a.JSON", "application/json"),
        ("a.mp3", "audio/mpeg"),
        ("a.webp", "image/webp"),
        ("a.zip", "application/zip"),
        ("a.PDF", "application/pdf"),
        ("dir.d/noext", None),
    ],
)
def test_guesses(name: str, guess: str | None) -> None:
    assert guess_content_type(name) == guess


# --- the source ------------------------------------------------------------------------------------


def _write(folder: Path, name: str, data: bytes = b"hello") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_path_is_opened_owned_and_measured(tmp_path: Path) -> None:
    source = prepare_upload(str(_write(tmp_path, "Report.PDF", b"12345")), None, None, DEFAULTS)
    assert (source.name, source.size, source.start, source.content_type) == (
        "Report.PDF",
        5,
        0,
        "application/pdf",
    )
    assert source.file.read() == b"12345"
    assert repr(source) == "UploadSource(name='Report.PDF', content_type='application/pdf', size=5)"
    with source:
        pass
    assert source.file.closed


def test_a_given_name_and_type_win_over_the_paths(tmp_path: Path) -> None:
    with prepare_upload(
        _write(tmp_path, "blob.bin"), "notes.txt", "text/plain; charset=utf-8", DEFAULTS
    ) as source:
        assert (source.name, source.content_type) == ("notes.txt", "text/plain; charset=utf-8")


def test_a_file_object_is_named_after_its_path_and_left_open(tmp_path: Path) -> None:
    path = _write(tmp_path, "data.csv", b"abc")
    with open(path, "rb") as f:
        with prepare_upload(f, None, None, DEFAULTS) as source:
            assert (source.name, source.content_type, source.size) == ("data.csv", "text/csv", 3)
        assert not f.closed
        with prepare_upload(f, "other.txt", None, DEFAULTS) as source:
            assert (source.name, source.content_type) == ("other.txt", "text/plain")
        with prepare_upload(f, None, "application/csv", DEFAULTS) as source:
            assert (source.name, source.content_type) == ("data.csv", "application/csv")
    named = io.BytesIO(b"abc")
    named.name = 7  # type: ignore[attr-defined]
    error = _refused(
        "name",
        "is required when the file object has no name",
        lambda: prepare_upload(named, None, None, DEFAULTS),
    )
    assert error.rule == "is required when the file object has no name"
    _refused(
        "name", "supported extension", lambda: prepare_upload(io.BytesIO(b"abc"), "a.exe", None, DEFAULTS)
    )


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[IO[bytes]]:
    """The files the module opens from now on."""
    files: list[IO[bytes]] = []
    real_open = open

    def tracking(path: Any, mode: str = "r") -> IO[bytes]:
        f = real_open(path, mode)
        files.append(f)
        return f

    monkeypatch.setattr("connect_participant._attachments.open", tracking, raising=False)
    return files


def test_an_opened_path_is_closed_when_its_size_is_refused(tmp_path: Path, opened: list[IO[bytes]]) -> None:
    _refused(
        "path_or_binary_file",
        "at least 1 byte",
        lambda: prepare_upload(_write(tmp_path, "a.pdf", b""), None, None, DEFAULTS),
    )
    assert [f.closed for f in opened] == [True]


def test_a_callers_file_is_left_open_when_its_size_is_refused() -> None:
    empty = io.BytesIO(b"")
    _refused("path_or_binary_file", "at least 1 byte", lambda: prepare_upload(empty, "a.pdf", None, DEFAULTS))
    assert not empty.closed


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (FileNotFoundError(2, "No such file"), "must name an existing file (not found)"),
        (PermissionError(13, "Permission denied"), "must be a readable file (permission denied)"),
        (IsADirectoryError(21, "Is a directory"), "must be a file, not a directory"),
        (OSError(5, "Input/output error"), "must be a readable file (Input/output error)"),
        (OSError(), "must be a readable file (OSError)"),
    ],
)
def test_why_a_path_cannot_be_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, shown: str
) -> None:
    def refuse(path: object, mode: str = "r") -> None:
        raise error

    monkeypatch.setattr("connect_participant._attachments.open", refuse, raising=False)
    caught = _refused(
        "path_or_binary_file",
        re.escape(shown),
        lambda: prepare_upload(tmp_path / "a.pdf", None, None, DEFAULTS),
    )
    assert caught.rule == shown
    assert caught.__cause__ is None
    assert caught.__suppress_context__


def test_a_path_that_is_not_a_regular_file_is_refused_and_closed(opened: list[IO[bytes]]) -> None:
    error = _refused(
        "path_or_binary_file",
        "must be a regular file",
        lambda: prepare_upload("/dev/null", "null.txt", None, DEFAULTS),
    )
    assert error.rule == "must be a regular file"
    assert [f.closed for f in opened] == [True]


class _Odd(io.RawIOBase):
    """A binary file whose read/seek misbehave as told."""

    name = "odd.txt"

    def __init__(
        self, *, read: BaseException | None = None, seekable: bool = True, tell: BaseException | None = None
    ) -> None:
        self._read, self._seekable, self._tell = read, seekable, tell

    def read(self, size: int = -1) -> bytes:
        if self._read is not None:
            raise self._read
        return b""

    def seekable(self) -> bool:
        return self._seekable

    def tell(self) -> int:
        if self._tell is not None:
            raise self._tell
        return 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return 3


@pytest.mark.parametrize(
    ("odd", "shown"),
    [
        (_Odd(read=OSError("disk")), "must be a readable binary file (OSError)"),
        (_Odd(read=ValueError("closed")), "must be a readable binary file (ValueError)"),
        (_Odd(seekable=False), "must be seekable (the upload may be sent again)"),
        (_Odd(tell=OSError("no")), "must be a seekable binary file (OSError)"),
        (_Odd(tell=ValueError("no")), "must be a seekable binary file (ValueError)"),
        (io.StringIO("text"), "must be opened in binary mode ('rb'), not text mode"),
    ],
)
def test_why_a_file_object_cannot_be_used(odd: Any, shown: str) -> None:
    caught = _refused(
        "path_or_binary_file", re.escape(shown), lambda: prepare_upload(odd, "a.txt", None, DEFAULTS)
    )
    assert caught.rule == shown
    assert caught.__cause__ is None
    assert caught.__suppress_context__ is (caught.__context__ is not None)  # the OSError is not shown


def test_a_file_object_is_measured_from_its_position(tmp_path: Path) -> None:
    with open(_write(tmp_path, "a.txt", b"0123456789"), "rb") as f:
        f.seek(7)
        source = prepare_upload(f, None, None, DEFAULTS)
        assert (source.start, source.size, f.tell()) == (7, 3, 7)
        assert b"".join(UploadBody(source)) == b"789"


class _ReadOnly:
    def read(self, size: int = -1) -> bytes:
        return b"abc"


class _SeekOnly:
    def seek(self, offset: int, whence: int = 0) -> int:
        return 0


@pytest.mark.parametrize("source", [123, b"bytes", None, object(), _ReadOnly(), _SeekOnly()])
def test_what_is_not_a_source(source: object) -> None:
    error = _refused(
        "path_or_binary_file",
        re.escape("must be a path (str or os.PathLike) or a binary file object"),
        lambda: prepare_upload(source, "a.txt", None, DEFAULTS),
    )
    assert error.rule == "must be a path (str or os.PathLike) or a binary file object"


# --- the streamed body -----------------------------------------------------------------------------


def test_progress_counts_every_chunk_up_to_the_size(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK_SIZE // 256) + b"tail"
    seen: list[tuple[int, int]] = []
    with prepare_upload(_write(tmp_path, "a.pdf", data), None, None, DEFAULTS) as source:
        chunks = list(UploadBody(source, lambda sent, total: seen.append((sent, total))))
    assert [len(c) for c in chunks] == [CHUNK_SIZE, 4]
    assert seen == [(CHUNK_SIZE, len(data)), (len(data), len(data))]


def test_a_file_that_shrinks_says_how_far_it_got(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.pdf", b"x" * (CHUNK_SIZE + 10))
    with prepare_upload(path, None, None, DEFAULTS) as source:
        path.write_bytes(b"x" * (CHUNK_SIZE + 3))
        with pytest.raises(AttachmentSizeMismatchError) as caught:
            list(UploadBody(source))
    error = caught.value
    assert (
        error.message
        == f"'a.pdf' ended after {CHUNK_SIZE + 3} of {CHUNK_SIZE + 10} bytes (it changed during the upload)"
    )
    assert (error.expected, error.actual, error.code, error.status_code) == (
        CHUNK_SIZE + 10,
        CHUNK_SIZE + 3,
        "SizeMismatch",
        None,
    )


async def test_the_async_body_reads_the_same_chunks_and_reports_progress(tmp_path: Path) -> None:
    data = b"y" * (CHUNK_SIZE + 1)
    seen: list[tuple[int, int]] = []
    path = _write(tmp_path, "a.pdf", data)
    with prepare_upload(path, None, None, DEFAULTS) as source:
        body = UploadBody(source, lambda sent, total: seen.append((sent, total)))
        assert [len(c) async for c in body] == [CHUNK_SIZE, 1]
        assert seen == [(CHUNK_SIZE, len(data)), (len(data), len(data))]
        path.write_bytes(b"y" * 3)
        with pytest.raises(AttachmentSizeMismatchError, match="ended after 3 of"):
            [c async for c in body]
    assert repr(body) == "UploadBody(UploadSource(name='a.pdf', content_type='application/pdf', size=131073))"


# --- what is sent to the storage -------------------------------------------------------------------


def test_a_storage_get_carries_host_and_exactly_the_headers() -> None:
    request = storage_request(Secret("https://bucket.example:8443/key?X-Amz-Signature=s"), {"x-amz-a": "1"})
    assert request.method == "GET"
    assert str(request.url) == "https://bucket.example:8443/key?X-Amz-Signature=s"
    assert list(request.headers.items()) == [("host", "bucket.example:8443"), ("x-amz-a", "1")]
    assert request.extensions == {STORAGE: True}
    assert list(storage_request(Secret("https://b.example/k")).headers.items()) == [("host", "b.example")]


def test_a_storage_put_announces_the_files_size_unless_told(tmp_path: Path) -> None:
    with prepare_upload(_write(tmp_path, "a.pdf", b"12345"), None, None, DEFAULTS) as source:
        body = UploadBody(source)
        put = storage_request(Secret("https://b.example/k"), {}, body)
        assert put.method == "PUT"
        assert list(put.headers.items()) == [("host", "b.example"), ("content-length", "5")]
        assert put.stream is body
        assert put.extensions == {STORAGE: True}
        told = storage_request(Secret("https://b.example/k"), {"CONTENT-LENGTH": "5", "x-amz-a": "b"}, body)
        assert list(told.headers.items()) == [
            ("host", "b.example"),
            ("content-length", "5"),
            ("x-amz-a", "b"),
        ]


# --- what a presigned URL and its headers may be --------------------------------------------------------

UNSAFE = [
    ("http://[::1/storage", "a storage URL that does not parse"),
    ("https:///x", "a storage URL without a host"),
    ("not a url at all", "a storage URL without a host"),
    ("http://169.254.169.254/latest/meta-data", "a storage URL on a link-local or instance-metadata address"),
    ("https://169.254.169.254/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://169.254.0.1/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://[fd00:ec2::254]/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://[fe80::1]/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://2852039166/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://0xa9.0xfe.0xa9.0xfe/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://169.254.43518/x", "a storage URL on a link-local or instance-metadata address"),
    ("https://[::ffff:169.254.169.254]/x", "a storage URL on a link-local or instance-metadata address"),
    ("http://example.com/x", "a storage URL that is not https (http only to a loopback host)"),
    ("http://10.0.0.1/x", "a storage URL that is not https (http only to a loopback host)"),
    ("http://[fd00:ec2::253]/x", "a storage URL that is not https (http only to a loopback host)"),
    ("ftp://127.0.0.1/x", "a storage URL that is not https (http only to a loopback host)"),
    ("ws://localhost/x", "a storage URL that is not https (http only to a loopback host)"),
]


@pytest.mark.parametrize(("url", "what"), UNSAFE)
@pytest.mark.parametrize("operation", ["GetAttachment", "StartAttachmentUpload"])
def test_an_unsafe_storage_url_is_refused(url: str, what: str, operation: str) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        check_storage_url(url, operation)
    assert caught.value.code == "UnsafeStorageUrl"
    assert caught.value.message == f"{operation} returned {what}; not followed"
    assert caught.value.__cause__ is None


@pytest.mark.parametrize(
    "url",
    [
        "https://bucket.s3.amazonaws.com/key?X-Amz-Signature=s",
        "https://10.0.0.1/x",
        "https://[2001:db8::1]/x",
        "http://127.0.0.1:8080/x",
        "http://127.8.9.10/x",
        "http://localhost/x",
        "http://LocalHost:1/x",
        "http://[::1]:9/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://2130706433/x",
        "HTTPS://B.EXAMPLE/x",
    ],
)
def test_a_safe_storage_url_passes(url: str) -> None:
    assert check_storage_url(url, "GetAttachment") is None


def test_storage_headers_are_http_headers() -> None:
    assert check_storage_headers(None) == {}
    assert check_storage_headers({}) == {}
    assert check_storage_headers(
        {"Content-Length": 5, "x-amz-meta-a": "tab\there ~ \x80\xff", "!#$%&'*+.^_`|~": ""}
    ) == {
        "Content-Length": "5",
        "x-amz-meta-a": "tab\there ~ \x80\xff",
        "!#$%&'*+.^_`|~": "",
    }


@pytest.mark.parametrize(
    ("headers", "what"),
    [
        (["a", "b"], "HeadersToInclude that are not an object"),
        ("a: b", "HeadersToInclude that are not an object"),
        ({"a": True}, "a HeadersToInclude value that is not a string"),
        ({"a": 1.5}, "a HeadersToInclude value that is not a string"),
        ({"a": None}, "a HeadersToInclude value that is not a string"),
        ({"a": {"b": 1}}, "a HeadersToInclude value that is not a string"),
        ({"a b": "1"}, "a header name or value HTTP does not allow"),
        ({"": "1"}, "a header name or value HTTP does not allow"),
        ({"a:": "1"}, "a header name or value HTTP does not allow"),
        ({1: "1"}, "a header name or value HTTP does not allow"),
        ({"a": "1\r\nX-Evil: 2"}, "a header name or value HTTP does not allow"),
        ({"a": "1\n"}, "a header name or value HTTP does not allow"),
        ({"a": "a\x00b"}, "a header name or value HTTP does not allow"),
        ({"a": "a\x7fb"}, "a header name or value HTTP does not allow"),
        ({"a": "snow\u2603"}, "a header name or value HTTP does not allow"),
    ],
)
def test_unusable_storage_headers_are_refused(headers: object, what: str) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        check_storage_headers(headers)
    assert caught.value.code == "UnsafeStorageUrl"
    assert caught.value.message == f"StartAttachmentUpload returned {what}; not followed"


# --- the upload flow, driven by hand -----------------------------------------------------------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PUT_URL = "https://bucket.example/key?X-Amz-Signature=abc"
EXPIRED = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"


def _call(request: Any) -> Any:
    """The session's call flow, reduced to: yield the request, get the JSON back."""
    return (yield request)


def _start(
    headers: object = None,
    expiry: datetime | None = None,
    url: object = PUT_URL,
    attachment_id: object = "att-1",
) -> dict[str, Any]:
    meta: dict[str, Any] = {"Url": url}
    if headers is not None:
        meta["HeadersToInclude"] = headers
    if expiry is not None:
        meta["UrlExpiry"] = expiry.isoformat()
    return {"AttachmentId": attachment_id, "UploadMetadata": meta}


class Storage:
    """Answers the upload flow's actions: StartAttachmentUpload from ``starts``, PUTs from ``puts``."""

    def __init__(
        self, starts: list[dict[str, Any]], puts: list[Any], transcripts: list[dict[str, Any]] = ()
    ) -> None:  # type: ignore[assignment]
        self.starts, self.puts, self.transcripts = list(starts), list(puts), list(transcripts)
        self.log: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.put_headers: list[dict[str, str]] = []

    def __call__(self, action: Any) -> Any:
        if isinstance(action, StoragePut):
            self.log.append("PUT")
            self.put_headers.append(dict(action.headers))
            assert action.url.reveal() == PUT_URL
            assert b"".join(action.body) == b"12345"
            reply = self.puts.pop(0)
            if isinstance(reply, BaseException):
                raise reply
            return reply
        if isinstance(action, Pause):
            self.log.append(f"Pause {action.seconds}")
            return None
        self.log.append(action.operation)
        self.bodies.append(json.loads(action.body))
        if action.operation == "StartAttachmentUpload":
            return self.starts.pop(0)
        if action.operation == "GetTranscript":
            return self.transcripts.pop(0)
        return {}


def _upload(
    tmp_path: Path, storage: Storage, wait: float | None = None, clock: Callable[[], float] = lambda: 0.0
) -> Attachment:
    tokens = iter(f"token-{n}" for n in range(1, 10))
    with prepare_upload(_write(tmp_path, "a.pdf", b"12345"), None, None, DEFAULTS) as source:
        flow = upload_flow(
            _call, source, None, wait, utcnow=lambda: NOW, monotonic=clock, new_token=lambda: next(tokens)
        )
        return run_sync(flow, storage)


def test_the_upload_sends_start_put_complete_with_fresh_tokens(tmp_path: Path) -> None:
    storage = Storage(
        [_start({"x-amz-meta-a": "1"}, NOW + timedelta(seconds=1))], [StorageReply(200, {}, b"")]
    )
    assert _upload(tmp_path, storage) == Attachment("att-1", "a.pdf", "application/pdf", None, 5)
    assert storage.log == ["StartAttachmentUpload", "PUT", "CompleteAttachmentUpload"]
    assert storage.bodies == [
        {
            "ContentType": "application/pdf",
            "AttachmentSizeInBytes": 5,
            "AttachmentName": "a.pdf",
            "ClientToken": "token-1",
        },
        {"AttachmentIds": ["att-1"], "ClientToken": "token-2"},
    ]
    assert storage.put_headers == [{"x-amz-meta-a": "1"}]


@pytest.mark.parametrize("status", [200, 201, 299])
def test_every_2xx_is_a_stored_upload(tmp_path: Path, status: int) -> None:
    storage = Storage([_start()], [StorageReply(status, {}, b"")])
    assert _upload(tmp_path, storage).id == "att-1"


@pytest.mark.parametrize("status", [199, 300, 304, 500])
def test_other_statuses_fail_without_a_restart(tmp_path: Path, status: int) -> None:
    storage = Storage([_start()], [StorageReply(status, {"x-amz-request-id": "R"}, b"")])
    with pytest.raises(AttachmentStorageError) as caught:
        _upload(tmp_path, storage)
    assert (caught.value.code, caught.value.status_code, caught.value.request_id) == (
        f"HTTP{status}",
        status,
        "R",
    )
    assert caught.value.message == "attachment upload: the attachment storage refused the request"
    assert storage.log == ["StartAttachmentUpload", "PUT"]


def test_an_expired_put_restarts_once_then_fails(tmp_path: Path) -> None:
    storage = Storage([_start(), _start()], [StorageReply(403, {}, EXPIRED), StorageReply(403, {}, EXPIRED)])
    with pytest.raises(AttachmentStorageError) as caught:
        _upload(tmp_path, storage)
    assert (caught.value.code, caught.value.status_code) == ("AccessDenied", 403)
    assert storage.log == ["StartAttachmentUpload", "PUT", "StartAttachmentUpload", "PUT"]
    assert [b["ClientToken"] for b in storage.bodies] == ["token-1", "token-2"]


@pytest.mark.parametrize("late", [timedelta(0), timedelta(seconds=-1)])
def test_a_url_expired_on_arrival_restarts_once_without_a_put(tmp_path: Path, late: timedelta) -> None:
    storage = Storage([_start(expiry=NOW + late), _start(expiry=NOW + late)], [])
    with pytest.raises(AttachmentStorageError) as caught:
        _upload(tmp_path, storage)
    assert (caught.value.code, caught.value.status_code) == ("ExpiredUploadUrl", None)
    assert caught.value.message == "the upload URL had expired before the upload began"
    assert storage.log == ["StartAttachmentUpload", "StartAttachmentUpload"]


def test_one_restart_in_all(tmp_path: Path) -> None:
    storage = Storage([_start(expiry=NOW), _start()], [StorageReply(403, {}, EXPIRED)])
    with pytest.raises(AttachmentStorageError, match="Request has expired"):
        _upload(tmp_path, storage)
    assert storage.log == ["StartAttachmentUpload", "StartAttachmentUpload", "PUT"]


def test_check_url_expiry() -> None:
    assert not check_url_expiry(None, NOW)
    assert not check_url_expiry(NOW + timedelta(microseconds=1), NOW)
    assert check_url_expiry(NOW, NOW)
    assert check_url_expiry(NOW - timedelta(seconds=1), NOW)


def test_a_put_that_fails_in_transport_is_a_transport_error(tmp_path: Path) -> None:
    storage = Storage([_start()], [httpx.ConnectError("refused")])
    with pytest.raises(ParticipantTransportError) as caught:
        _upload(tmp_path, storage)
    assert caught.value.code == "ConnectError"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert storage.log == ["StartAttachmentUpload", "PUT"]


@pytest.mark.parametrize(
    ("key", "value"), [("Content-Length", "5"), ("content-length", " 5 "), ("CONTENT-LENGTH", 5)]
)
def test_a_content_length_equal_to_the_size_is_sent(tmp_path: Path, key: str, value: object) -> None:
    storage = Storage([_start({key: value})], [StorageReply(200, {}, b"")])
    _upload(tmp_path, storage)
    assert storage.put_headers == [{key: str(value)}]


@pytest.mark.parametrize(("value", "actual"), [("6", 6), ("0", 0), ("five", -1), ("-5", -1)])
def test_another_content_length_is_refused_before_the_put(tmp_path: Path, value: str, actual: int) -> None:
    storage = Storage([_start({"content-length": value})], [])
    with pytest.raises(AttachmentSizeMismatchError) as caught:
        _upload(tmp_path, storage)
    assert (caught.value.expected, caught.value.actual) == (5, actual)
    assert caught.value.message == (
        "StartAttachmentUpload's HeadersToInclude announce another Content-Length than the file's size"
    )
    assert storage.log == ["StartAttachmentUpload"]


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"AttachmentId": "att-1"},
        {"AttachmentId": "", "UploadMetadata": {"Url": PUT_URL}},
        {"AttachmentId": 5, "UploadMetadata": {"Url": PUT_URL}},
        {"UploadMetadata": {"Url": PUT_URL}},
        {"AttachmentId": "att-1", "UploadMetadata": {"Url": ""}},
        {"AttachmentId": "att-1", "UploadMetadata": {"Url": 5}},
        {"AttachmentId": "att-1", "UploadMetadata": {}},
        {"AttachmentId": "att-1", "UploadMetadata": "x"},
        {"AttachmentId": "att-1", "UploadMetadata": {"Url": PUT_URL, "HeadersToInclude": ["a"]}},
    ],
)
def test_an_unusable_start_answer(tmp_path: Path, doc: dict[str, Any]) -> None:
    storage = Storage([doc], [])
    with pytest.raises(AttachmentError) as caught:
        _upload(tmp_path, storage)
    assert type(caught.value) is AttachmentError
    assert (caught.value.code, caught.value.status_code) == ("InvalidResponse", None)
    assert caught.value.message == "StartAttachmentUpload returned no AttachmentId or upload URL"


def test_an_unsafe_start_answer_is_refused_before_the_put(tmp_path: Path) -> None:
    for doc in [_start(url="http://example.com/k"), _start({"a": "b\r\nc: d"})]:
        storage = Storage([doc], [])
        with pytest.raises(InvalidResponseError) as caught:
            _upload(tmp_path, storage)
        assert caught.value.code == "UnsafeStorageUrl"
        assert caught.value.message.startswith("StartAttachmentUpload returned ")
        assert storage.log == ["StartAttachmentUpload"]


def _transcript(*attachments: tuple[str, str | None], next_token: str | None = None) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"Id": "m1", "Type": "MESSAGE"}]
    for attachment_id, status in attachments:
        entry: dict[str, Any] = {"AttachmentId": attachment_id}
        if status is not None:
            entry["Status"] = status
        items.append({"Id": f"i-{attachment_id}", "Type": "ATTACHMENT", "Attachments": [entry]})
    doc: dict[str, Any] = {"Transcript": items}
    if next_token is not None:
        doc["NextToken"] = next_token
    return doc


def test_the_scan_after_an_upload_keeps_the_flows_clock(tmp_path: Path) -> None:
    clock = iter([0.0, 5.0])
    storage = Storage([_start()], [StorageReply(200, {}, b"")], [_transcript(("att-1", "IN_PROGRESS"))])
    with pytest.raises(AttachmentScanTimeoutError) as caught:
        _upload(tmp_path, storage, wait=1.0, clock=lambda: next(clock))
    assert caught.value.attachment.status == "IN_PROGRESS"
    assert storage.log[-1] == "GetTranscript"


def test_the_upload_waits_for_the_scan_when_asked(tmp_path: Path) -> None:
    storage = Storage([_start()], [StorageReply(200, {}, b"")], [_transcript(("att-1", "APPROVED"))])
    assert _upload(tmp_path, storage, wait=5.0) == Attachment(
        "att-1", "a.pdf", "application/pdf", "APPROVED", 5
    )
    assert storage.log == ["StartAttachmentUpload", "PUT", "CompleteAttachmentUpload", "GetTranscript"]


# --- following the scan ----------------------------------------------------------------------------


def _scan(
    storage: Storage, timeout: float, clock: Callable[[], float], attachment_id: str | None = "att-1"
) -> Attachment:
    start = Attachment(attachment_id, "a.pdf", "application/pdf", None, 5)
    return run_sync(scan_flow(_call, start, timeout, monotonic=clock), storage)


def test_the_scan_looks_through_every_page_newest_first() -> None:
    storage = Storage(
        [],
        [],
        [
            _transcript(("other", "APPROVED"), next_token="T2"),
            _transcript(("att-1", "APPROVED"), ("att-1", "REJECTED")),
        ],
    )
    assert _scan(storage, 5.0, lambda: 0.0).status == "APPROVED"
    assert storage.log == ["GetTranscript", "GetTranscript"]
    assert storage.bodies == [
        {"MaxResults": 100, "ScanDirection": "BACKWARD", "SortOrder": "DESCENDING"},
        {"MaxResults": 100, "ScanDirection": "BACKWARD", "SortOrder": "DESCENDING", "NextToken": "T2"},
    ]


def test_an_attachment_without_a_status_is_in_progress() -> None:
    clock = iter([0.0, 0.0, 10.0])
    storage = Storage([], [], [_transcript(("att-1", None)), _transcript(("att-1", None))])
    with pytest.raises(AttachmentScanTimeoutError) as caught:
        _scan(storage, 5.0, lambda: next(clock))
    assert caught.value.attachment.status == "IN_PROGRESS"


def test_not_in_the_transcript_yet_is_no_status() -> None:
    clock = iter([0.0, 1.0, 2.0])
    storage = Storage(
        [], [], [_transcript(next_token="T2"), _transcript(("other", "APPROVED")), _transcript()]
    )
    with pytest.raises(AttachmentScanTimeoutError) as caught:
        _scan(storage, 2.0, lambda: next(clock))
    assert caught.value.attachment.status is None
    assert caught.value.message == "no scan verdict for 'a.pdf' after 2s (status not seen)"
    assert storage.log == ["GetTranscript", "GetTranscript", "Pause 0.25", "GetTranscript"]


def test_a_rejected_scan_raises_with_the_attachment() -> None:
    storage = Storage([], [], [_transcript(("att-1", "IN_PROGRESS")), _transcript(("att-1", "REJECTED"))])
    with pytest.raises(AttachmentRejectedError) as caught:
        _scan(storage, 5.0, lambda: 0.0)
    assert caught.value.attachment == Attachment("att-1", "a.pdf", "application/pdf", "REJECTED", 5)
    assert storage.log == ["GetTranscript", "Pause 0.25", "GetTranscript"]


def test_pauses_double_up_to_four_seconds_and_never_pass_the_deadline() -> None:
    answers = [_transcript(("att-1", "IN_PROGRESS")) for _ in range(8)] + [_transcript(("att-1", "APPROVED"))]
    storage = Storage([], [], answers)
    assert _scan(storage, 100.0, lambda: 0.0).status == "APPROVED"
    assert [e for e in storage.log if e.startswith("Pause")] == [
        "Pause 0.25", "Pause 0.5", "Pause 1.0", "Pause 2.0", "Pause 4.0", "Pause 4.0", "Pause 4.0", "Pause 4.0",
    ]  # fmt: skip
    clock = iter([0.0, 9.9])
    storage = Storage([], [], [_transcript(("att-1", "IN_PROGRESS")), _transcript(("att-1", "APPROVED"))])
    assert _scan(storage, 10.0, lambda: next(clock)).status == "APPROVED"
    assert len(storage.log) == 3
    assert float(storage.log[1].split()[1]) == pytest.approx(0.1)


def test_the_deadline_is_inclusive_and_an_unknown_id_is_looked_for_as_empty() -> None:
    clock = iter([0.0, 3.0])
    storage = Storage([], [], [_transcript(("", "IN_PROGRESS"))])
    with pytest.raises(AttachmentScanTimeoutError) as caught:
        _scan(storage, 3.0, lambda: next(clock), attachment_id=None)
    assert caught.value.attachment.status == "IN_PROGRESS"
    assert storage.log == ["GetTranscript"]


# --- the upload's arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "timeout"), [(False, None), (None, None), (True, 60.0), (2, 2.0), (0.5, 0.5)]
)
def test_check_wait(wait: object, timeout: float | None) -> None:
    assert check_wait(wait) == timeout
    assert type(check_wait(wait)) is type(timeout)


@pytest.mark.parametrize("wait", [0, -1, 0.0, float("nan"), float("inf"), "5", [1]])
def test_check_wait_refuses(wait: object) -> None:
    error = _refused("wait", "must be a bool or a positive number of seconds", lambda: check_wait(wait))
    assert error.rule == "must be a bool or a positive number of seconds"


def test_begin_upload_checks_every_argument_before_anything_is_sent(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.pdf", b"12345")
    error = _refused(
        "progress", "must be a callable progress", lambda: begin_upload(_call, None, path, progress="bar")
    )
    assert error.rule == "must be a callable progress(bytes_sent, total) or None"
    _refused("wait", "positive number", lambda: begin_upload(_call, None, path, wait=-1))
    _refused("attachment_limits", "AttachmentLimits or None", lambda: begin_upload(_call, {}, path))  # type: ignore[arg-type]
    _refused("name", "supported extension", lambda: begin_upload(_call, None, path, name="a.exe"))
    _refused(
        "path_or_binary_file",
        "at most 4 bytes",
        lambda: begin_upload(_call, AttachmentLimits(max_size=4), path),
    )
    seen: list[int] = []
    source, flow = begin_upload(
        _call, None, path, "b.txt", "text/plain; charset=utf-8", lambda sent, total: seen.append(sent), 3
    )
    with source:
        assert (source.name, source.content_type, source.size) == ("b.txt", "text/plain; charset=utf-8", 5)
        storage = Storage([_start()], [StorageReply(200, {}, b"")], [_transcript(("att-1", "APPROVED"))])
        done = run_sync(flow, storage)
    assert done.status == "APPROVED"
    assert seen == [5]
    source, flow = begin_upload(_call, None, path)
    with source:
        assert (source.name, source.content_type) == ("a.pdf", "application/pdf")
        assert run_sync(flow, Storage([_start()], [StorageReply(200, {}, b"")])).status is None


# --- download -------------------------------------------------------------------------------------


def _download(
    doc: object, attachment_id: object = "att-1", url_expiry: object = None
) -> tuple[Any, DownloadTicket]:
    flow = download_flow(_call, attachment_id, url_expiry)
    request = next(flow)
    with pytest.raises(StopIteration) as stop:
        flow.send(doc)
    return request, stop.value.value


def test_get_attachment_asks_for_the_url_and_returns_it_with_the_size() -> None:
    request, ticket = _download({"Url": PUT_URL, "AttachmentSizeInBytes": 7})
    assert (request.operation, json.loads(request.body)) == ("GetAttachment", {"AttachmentId": "att-1"})
    assert (ticket.url.reveal(), ticket.size) == (PUT_URL, 7)
    assert PUT_URL not in repr(ticket)
    request, ticket = _download({"Url": PUT_URL, "AttachmentSizeInBytes": 0}, "att-2", 300)
    assert json.loads(request.body) == {"AttachmentId": "att-2", "UrlExpiryInSeconds": 300}
    assert ticket.size == 0
    assert (
        json.loads(_download({"Url": PUT_URL, "AttachmentSizeInBytes": 1}, "a", 5)[0].body)[
            "UrlExpiryInSeconds"
        ]
        == 5
    )


@pytest.mark.parametrize("expiry", [4, 301, 0, -5, True, 5.0, "60"])
def test_the_url_expiry_is_the_specs(expiry: object) -> None:
    error = _refused("url_expiry", "must be an int", lambda: download_flow(_call, "att-1", expiry))
    assert error.rule == "must be an int of 5..300 seconds or None"


def test_the_attachment_id_is_checked_before_anything_is_sent() -> None:
    _refused("attachment_id", ".", lambda: download_flow(_call, "", None))
    _refused("attachment_id", ".", lambda: download_flow(_call, 5, None))


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"AttachmentSizeInBytes": 3},
        {"Url": "", "AttachmentSizeInBytes": 3},
        {"Url": 5, "AttachmentSizeInBytes": 3},
        {"Url": PUT_URL},
        {"Url": PUT_URL, "AttachmentSizeInBytes": -1},
        {"Url": PUT_URL, "AttachmentSizeInBytes": True},
        {"Url": PUT_URL, "AttachmentSizeInBytes": "3"},
        {"Url": PUT_URL, "AttachmentSizeInBytes": 1.5},
        [],
    ],
)
def test_an_unusable_get_attachment_answer(doc: object) -> None:
    with pytest.raises(AttachmentError) as caught:
        _download(doc)
    assert type(caught.value) is AttachmentError
    assert (caught.value.code, caught.value.status_code) == ("InvalidResponse", None)
    assert caught.value.message == "GetAttachment returned no download URL or size"


def test_an_unsafe_download_url_is_refused() -> None:
    with pytest.raises(InvalidResponseError) as caught:
        _download({"Url": "http://169.254.169.254/x", "AttachmentSizeInBytes": 3})
    assert caught.value.message == (
        "GetAttachment returned a storage URL on a link-local or instance-metadata address; not followed"
    )


def test_size_check_messages_and_exact_sizes() -> None:
    check = SizeCheck(3)
    assert check.feed(b"ab") == b"ab"
    assert check.feed(b"c") == b"c"
    check.finish()
    assert (check.expected, check.received) == (3, 3)
    with pytest.raises(AttachmentSizeMismatchError) as caught:
        check.feed(b"d")
    assert caught.value.message == "the download sent more bytes than AttachmentSizeInBytes (4 vs 3)"
    assert (caught.value.expected, caught.value.actual, caught.value.code) == (3, 4, "SizeMismatch")
    short = SizeCheck(3)
    short.feed(b"a")
    with pytest.raises(AttachmentSizeMismatchError) as caught:
        short.finish()
    assert caught.value.message == "the download sent fewer bytes than AttachmentSizeInBytes (1 vs 3)"
    SizeCheck(0).finish()


def test_read_state_hands_out_what_was_asked_across_chunks() -> None:
    state = ReadState(9)
    assert state.needs(-1)
    assert state.needs(1)
    assert not state.needs(0)
    state.push(b"")
    assert state.needs(1)
    state.push(b"abcd")
    state.push(b"efg")
    assert not state.needs(7)
    assert state.needs(8)
    assert state.take(0) == b""
    assert state.take(1) == b"a"
    assert state.take(5) == b"bcdef"
    assert state.take(10) == b"g"
    assert state.take(3) == b""
    state.push(b"hi")
    assert state.needs(-1)
    state.push(None)
    assert state.done
    assert not state.needs(-1)
    assert not state.needs(5)
    assert state.take(-1) == b"hi"
    assert (state.check.received, state.check.expected) == (9, 9)


def test_read_state_checks_the_size_at_the_end_and_on_the_way() -> None:
    state = ReadState(3)
    state.push(b"ab")
    with pytest.raises(AttachmentSizeMismatchError, match="fewer"):
        state.push(None)
    state = ReadState(1)
    with pytest.raises(AttachmentSizeMismatchError, match="more"):
        state.push(b"ab")
    assert state.take(-1) == b""


def test_a_sink_path_is_written_beside_it_and_renamed_when_complete(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    sink = DownloadSink(str(tmp_path / "out.bin"), lambda done, total: seen.append((done, total)))
    check = SizeCheck(5)
    sink.write(check.feed(b"abc"), 5)
    sink.write(check.feed(b"de"), 5)
    assert sink.written == 5
    assert seen == [(3, 5), (5, 5)]
    (part,) = tmp_path.iterdir()
    assert part.name.startswith(".")
    assert part.name.endswith(".part")
    assert sink.commit(check) == tmp_path / "out.bin"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    assert (tmp_path / "out.bin").read_bytes() == b"abcde"
    sink.abort()  # after the commit: nothing to remove
    assert (tmp_path / "out.bin").read_bytes() == b"abcde"


def test_aborting_when_the_partial_file_is_gone_already(tmp_path: Path) -> None:
    sink = DownloadSink(tmp_path / "out.bin")
    sink.write(b"abc", 3)
    (part,) = tmp_path.iterdir()
    part.unlink()
    sink.abort()
    assert list(tmp_path.iterdir()) == []


def test_an_aborted_sink_leaves_nothing_and_keeps_an_older_file(tmp_path: Path) -> None:
    (tmp_path / "out.bin").write_bytes(b"old")
    sink = DownloadSink(tmp_path / "out.bin")
    sink.write(b"new", 3)
    sink.abort()
    sink.abort()
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    assert (tmp_path / "out.bin").read_bytes() == b"old"


def test_a_callers_file_is_written_as_is_and_left_open(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    sink = DownloadSink(buffer)
    check = SizeCheck(2)
    sink.write(check.feed(b"ab"), 2)
    assert sink.commit(check) is None
    sink.abort()
    assert buffer.getvalue() == b"ab"
    assert not buffer.closed
    with open(tmp_path / "mine.bin", "wb") as f:
        sink = DownloadSink(f)
        sink.write(b"x", 1)
        check = SizeCheck(1)
        check.feed(b"x")
        assert sink.commit(check) == tmp_path / "mine.bin"
        assert not f.closed
    with pytest.raises(AttachmentSizeMismatchError):
        DownloadSink(io.BytesIO()).commit(SizeCheck(1))


class _WriteOnly:
    def write(self, data: bytes) -> int:
        return len(data)


def test_what_a_sink_accepts(tmp_path: Path) -> None:
    assert DownloadSink(_WriteOnly()).commit(SizeCheck(0)) is None  # no writable(): taken as writable
    closed = io.BytesIO()
    closed.close()
    cases: list[tuple[object, str]] = [
        (tmp_path / "missing" / "out.bin", "must be in an existing directory"),
        (b"/tmp/out.bin", "must be a path or a writable binary file"),
        (None, "must be a path or a writable binary file"),
        (io.StringIO(), "must be a path or a writable binary file"),
        (
            io.BufferedReader(io.BytesIO(b"x")),
            "must be a writable binary file (this one is read-only or closed)",
        ),
        (closed, "must be a writable binary file (this one is read-only or closed)"),
    ]
    for dest, rule in cases:
        error = _refused("dest", re.escape(rule), lambda dest=dest: DownloadSink(dest))  # type: ignore[misc]
        assert error.rule == rule
    error = _refused("progress", "callable", lambda: DownloadSink(io.BytesIO(), progress=3))
    assert error.rule == "must be a callable progress(bytes_received, total) or None"
    assert list(tmp_path.iterdir()) == []


def test_a_sink_in_a_folder_it_cannot_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("connect_participant._attachments.os.open", refuse)
    error = _refused("dest", "writable", lambda: DownloadSink(tmp_path / "out.bin"))
    assert error.rule == "must be writable (Permission denied)"
    assert error.__suppress_context__

    def bare(*args: object) -> None:
        raise OSError

    monkeypatch.setattr("connect_participant._attachments.os.open", bare)
    assert (
        _refused("dest", "writable", lambda: DownloadSink(tmp_path / "out.bin")).rule
        == "must be writable (OSError)"
    )


def test_a_bytes_path_like_is_refused(tmp_path: Path) -> None:
    class BytesPath:
        def __fspath__(self) -> bytes:
            return bytes(tmp_path / "out.bin")

    error = _refused("dest", "str path", lambda: DownloadSink(BytesPath()))
    assert error.rule == "must be a str path, os.PathLike or a writable binary file"


def test_transport_failures_of_a_download_are_transport_errors() -> None:
    with pytest.raises(ParticipantTransportError) as caught, storage_transport_errors():
        raise httpx.ReadTimeout("slow")
    assert caught.value.code == "ReadTimeout"
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    with pytest.raises(KeyError), storage_transport_errors():
        raise KeyError("x")
    with storage_transport_errors():
        pass


# --- storage answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "expired"),
    [
        (403, EXPIRED, True),
        (403, b"  \n" + EXPIRED, True),
        (403, b"<Error><Code>AccessDenied</Code><Message>Request has EXPIRED</Message></Error>", True),
        (403, b"<Error><Code>AccessDenied</Code><Expires>2026-01-01T00:00:00Z</Expires></Error>", True),
        (403, b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", False),
        (403, b"<Error><Code>AccessDenied</Code></Error>", False),
        (403, b"Request has expired", False),
        (403, b"<Error><Message>Request has expired</Message>", False),
        (400, EXPIRED, False),
        (404, EXPIRED, False),
    ],
)
def test_is_expired_answer(status: int, body: bytes, expired: bool) -> None:
    assert is_expired_answer(status, body) is expired


def test_only_the_start_of_a_huge_error_document_is_read() -> None:
    body = b"<Error><Code>AccessDenied</Code><Message>" + b"x" * 70000 + b"</Message></Error>"
    assert storage_error(403, {}, body, "upload").code == "HTTP403"  # cut at 64 KiB: not a document
    # a message of 64 KB of letters once took redact() about 40 s of CPU (its time is linear now)
    small = b"<Error><Code>AccessDenied</Code><Message>" + b"x" * 65000 + b"</Message></Error>"
    error = storage_error(403, {}, small, "upload")
    assert (error.code, error.message) == ("AccessDenied", ("upload: " + "x" * 65000)[:500])
    secret = b"https://elsewhere.example/k?X-Amz-Signature=" + b"s" * 5000
    error = storage_error(
        403, {}, b"<Error><Code>A</Code><Message>" + secret + b"</Message></Error>", "upload"
    )
    assert error.message.startswith("upload: https://elsewhere.example/k?")
    assert "sss" not in error.message


def test_a_long_known_value_in_a_storage_error_is_hidden_whole() -> None:
    # the whole message is redacted before it is cut to 500 characters: a known value that starts
    # in the part shown shows none of itself however long it is
    value = f"tok-{uuid.uuid4().hex}-" + "Q" * 5000
    _alive = Secret(value)
    body = b"<Error><Code>A</Code><Message>" + value.encode() + b" left</Message></Error>"
    assert storage_error(403, {}, body, "upload").message == "upload: [redacted] left"


def test_an_error_document_is_read_up_to_64_kib() -> None:
    head = b"<Error><Code>AccessDenied</Code><Message>"
    tail = b"</Message></Error>"
    fits = head + b"m" * (65536 - len(head) - len(tail)) + tail
    assert len(fits) == 65536
    assert storage_error(403, {}, fits, "upload").code == "AccessDenied"
    assert storage_error(403, {}, fits + b" ", "upload").code == "AccessDenied"
    over = head + b"m" * (65537 - len(head) - len(tail)) + tail
    assert storage_error(403, {}, over, "upload").code == "HTTP403"


def test_empty_and_spaced_fields_of_an_error_document() -> None:
    body = b"\n<Error><Code> NoSuchKey </Code><Message/><RequestId>  R-1 </RequestId></Error>"
    error = storage_error(404, {}, body, "download")
    assert (error.code, error.request_id) == ("NoSuchKey", "R-1")
    assert error.message == "download: the attachment storage refused the request"
