"""Attachments, the logic once: validation, the upload/scan/download protocols, the streamed body.

Nothing here touches the network: ``_attachments_io`` holds the two thin
shells (sync and async) that perform the actions the protocols yield. Local
files are opened, measured, read and written here, once, for both shells (the
async shell calls the reads and writes from a worker thread).

- ``AttachmentLimits`` — what the client checks before anything is sent:
  size (1 byte .. 20 MiB by default), file extension and content type
  (Connect's default list of chat attachment types; ``.exe`` and friends are
  refused) and the name (1..256 characters, the API's rule). An instance
  whose administrator changed the limits (Connect's
  ``AttachedFilesConfiguration`` for CHAT allows up to 100 MiB and its own
  extension list) is described with ``AttachmentLimits(max_size=...,
  extensions=...)`` passed to the client; ``None`` turns a check off.
- ``prepare_upload`` validates and opens the source (a path or a seekable
  binary file) without reading it, and returns an ``UploadSource``.
- ``UploadBody`` is the PUT body: it streams the source in chunks, calls
  ``progress(bytes_sent, total)`` as chunks go out, and starts again from the
  source's start each time it is iterated, so the retry transport can replay
  it (it is an ``httpx.ByteStream`` for that reason; see the class).
- ``upload_flow`` is the protocol, a generator in the manner of ``_flow``:
  StartAttachmentUpload → PUT with exactly ``HeadersToInclude`` → Complete
  AttachmentUpload, restarting once with a new StartAttachmentUpload when the
  upload URL has expired (``UrlExpiry`` passed, or storage answers 403
  "Request has expired"), then, when asked, following the transcript until
  the scan says APPROVED or REJECTED.
- ``download_flow`` asks GetAttachment for a URL and the size; the shell
  streams the bytes into a ``DownloadSink`` (a path is written to a temporary
  file and renamed only when complete) or a ``ReadState`` (``open_attachment``),
  and ``SizeCheck`` compares what arrived with ``AttachmentSizeInBytes``.

``upload_attachment`` returns ``_models.Attachment`` (the transcript's type,
with ``size``); its ``status`` is ``None`` unless the upload waited for the scan.

Presigned URLs are held as ``Secret`` and never put into exception text,
reprs or log records. ``check_storage_url`` holds them to a rule before any
request: ``https``, or ``http`` to a loopback host (the emulator), and never a
link-local or instance-metadata address (169.254.0.0/16, fe80::/10,
``fd00:ec2::254``, in any spelling of the address); ``HeadersToInclude`` must
be header names and values HTTP allows (no CR, LF or NUL). A URL or header
that breaks the rule is ``InvalidResponseError`` (code ``UnsafeStorageUrl``).

Exception tree (all under ``ParticipantServiceError``)::

    AttachmentError
    ├── AttachmentStorageError        the storage URL refused the PUT/GET (.code from S3's XML)
    │   └── AttachmentSizeMismatchError   the bytes do not match the announced size
    ├── AttachmentRejectedError       Connect's scan rejected the file (.attachment)
    └── AttachmentScanTimeoutError    the scan had no verdict in time (also a TimeoutError)
"""

from __future__ import annotations

import asyncio
import contextlib
import email.message
import io
import ipaddress
import math
import os
import re
import secrets
import socket
import stat
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final
from xml.etree import ElementTree

import httpx
from connect_participant_api.models import (
    GetAttachmentRequest,
    GetAttachmentResponse,
    StartAttachmentUploadRequest,
    StartAttachmentUploadResponse,
)
from connect_participant_api.types import UNSET, Unset

from . import _operations as ops
from ._errors import InvalidInputError, InvalidResponseError, ParticipantServiceError, transport_error
from ._flow import Flow
from ._models import Attachment, parse_time
from ._pagination import TranscriptCursor
from ._retry import STORAGE
from ._secrets import Secret, redact
from ._validation import check_member, spec_bounds

__all__ = [
    "DEFAULT_ATTACHMENT_TYPES",
    "DEFAULT_MAX_ATTACHMENT_SIZE",
    "ApiFlow",
    "Attachment",
    "AttachmentError",
    "AttachmentLimits",
    "AttachmentRejectedError",
    "AttachmentScanTimeoutError",
    "AttachmentSizeMismatchError",
    "AttachmentStorageError",
    "DownloadSink",
    "DownloadTicket",
    "Pause",
    "SizeCheck",
    "StoragePut",
    "StorageReply",
    "UploadBody",
    "UploadSource",
    "begin_upload",
    "check_url_expiry",
    "check_wait",
    "download_flow",
    "guess_content_type",
    "prepare_upload",
    "storage_error",
    "storage_request",
    "storage_transport_errors",
    "upload_flow",
]

CHUNK_SIZE: Final = 128 * 1024
DEFAULT_MAX_ATTACHMENT_SIZE: Final = 20 * 1024 * 1024
# the spec's bounds (StartAttachmentUpload's AttachmentName and ContentType, GetAttachment's expiry)
_NAME: Final = spec_bounds(StartAttachmentUploadRequest, "attachment_name")
_TYPE: Final = spec_bounds(StartAttachmentUploadRequest, "content_type")
_EXPIRY: Final = spec_bounds(GetAttachmentRequest, "url_expiry_in_seconds")
MIN_NAME: Final[int] = _NAME["min_length"]
MAX_NAME: Final[int] = _NAME["max_length"]
MIN_CONTENT_TYPE: Final[int] = _TYPE["min_length"]
MAX_CONTENT_TYPE: Final[int] = _TYPE["max_length"]

#: Connect's default chat attachment types (admin guide, "Feature specifications"):
#: extension → the content type sent when none is given.
DEFAULT_ATTACHMENT_TYPES: Final[Mapping[str, str]] = {
    ".csv": "text/csv",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".heic": "image/heic",
    ".jfif": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".mov": "video/quicktime",
    ".mp4": "video/mp4",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".wav": "audio/wav",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Other spellings of the same types that browsers and OSes use.
_CONTENT_TYPE_ALIASES: Final = frozenset(
    {
        "application/csv",
        "image/pjpeg",
        "image/heif",
        "audio/x-wav",
        "audio/wave",
        "audio/vnd.wave",
        "text/rtf",
    }
)
# A few more types for guessing only, when the user lifted the extension check.
_EXTRA_GUESSES: Final[Mapping[str, str]] = {
    ".gif": "image/gif",
    ".json": "application/json",
    ".mp3": "audio/mpeg",
    ".webp": "image/webp",
    ".zip": "application/zip",
}
_DEFAULT_EXTENSIONS: Final = frozenset(DEFAULT_ATTACHMENT_TYPES)
_DEFAULT_CONTENT_TYPES: Final = frozenset(DEFAULT_ATTACHMENT_TYPES.values()) | _CONTENT_TYPE_ALIASES
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*(\s*;.*)?$")
_HINT = (
    "Connect's default for chat attachments; if your instance's attachment settings differ, "
    "pass attachment_limits=AttachmentLimits(...) to the client"
)


def _extension(name: str) -> str:
    """``".pdf"`` for ``"Report.PDF"``; a name like ``".pdf"`` (a dot file) has none, as in ``os.path``."""
    return os.path.splitext(name)[1].lower()


def guess_content_type(name: str) -> str | None:
    """The content type for a file name, from its extension (``None`` if unknown)."""
    ext = _extension(name)
    return DEFAULT_ATTACHMENT_TYPES.get(ext) or _EXTRA_GUESSES.get(ext)


@dataclass(frozen=True, slots=True)
class AttachmentLimits:
    """The attachment rules checked before an upload; Connect's chat defaults unless told otherwise.

    ``max_size`` in bytes (an instance can allow up to 104857600);
    ``extensions``: allowed file name extensions (``".pdf"``…), ``None`` for any;
    ``content_types``: allowed content types, ``None`` for any media type.
    """

    max_size: int = DEFAULT_MAX_ATTACHMENT_SIZE
    """Largest file allowed, in bytes (Connect's default: 20 MB)."""
    extensions: frozenset[str] | None = _DEFAULT_EXTENSIONS
    """File name extensions allowed (lower case, with the dot); ``None`` allows any."""
    content_types: frozenset[str] | None = _DEFAULT_CONTENT_TYPES
    """Content types allowed; ``None`` allows any."""

    def __post_init__(self) -> None:
        if isinstance(self.max_size, bool) or not isinstance(self.max_size, int) or self.max_size < 1:
            raise InvalidInputError("attachment_limits.max_size", "must be an int >= 1 (bytes)")
        for field, values in (("extensions", self.extensions), ("content_types", self.content_types)):
            if values is None:
                continue
            if isinstance(values, str) or not all(isinstance(v, str) and v for v in values):
                raise InvalidInputError(
                    f"attachment_limits.{field}", "must be a set of non-empty strings or None"
                )
            object.__setattr__(self, field, frozenset(v.lower() for v in values))
        if self.extensions is not None and not all(e.startswith(".") for e in self.extensions):
            raise InvalidInputError(
                "attachment_limits.extensions", "must be extensions with a dot, e.g. '.pdf'"
            )

    @classmethod
    def coerce(cls, value: object) -> AttachmentLimits:
        """The limits ``value`` stands for: an ``AttachmentLimits`` as is, ``None`` for Connect's defaults."""
        if value is None:
            return cls()
        if not isinstance(value, AttachmentLimits):
            raise InvalidInputError("attachment_limits", "must be an AttachmentLimits or None")
        return value

    def _says(self, field: str) -> str:
        """Whether a refusal comes from Connect's default or from the user's configuration."""
        default = {
            "max_size": DEFAULT_MAX_ATTACHMENT_SIZE,
            "extensions": _DEFAULT_EXTENSIONS,
            "content_types": _DEFAULT_CONTENT_TYPES,
        }[field]
        return _HINT if getattr(self, field) == default else "as configured in attachment_limits"

    def check_name(self, name: object) -> str:
        """The attachment's name if its extension is allowed, else ``InvalidInputError``."""
        if not isinstance(name, str) or not MIN_NAME <= len(name) <= MAX_NAME:
            raise InvalidInputError("name", f"must be a str of {MIN_NAME}..{MAX_NAME} characters")
        if self.extensions is not None and _extension(name) not in self.extensions:
            allowed = " ".join(sorted(self.extensions))
            raise InvalidInputError(
                "name", f"must end with a supported extension ({allowed}; {self._says('extensions')})"
            )
        return name

    def check_content_type(self, content_type: object, name: str) -> str:
        """The content type to send for ``name`` (``content_type``, or guessed from the name) if allowed, else ``InvalidInputError``."""
        if content_type is None:
            guessed = guess_content_type(name)
            if guessed is None:
                raise InvalidInputError("content_type", "cannot be guessed from the name: pass content_type=")
            content_type = guessed
        if (
            not isinstance(content_type, str)
            or not MIN_CONTENT_TYPE <= len(content_type) <= MAX_CONTENT_TYPE
            or not _MEDIA_TYPE.match(content_type)
        ):
            raise InvalidInputError(
                "content_type",
                f"must be a media type such as 'image/png' ({MIN_CONTENT_TYPE}..{MAX_CONTENT_TYPE})",
            )
        base = content_type.partition(";")[0].strip().lower()
        if self.content_types is not None and base not in self.content_types:
            raise InvalidInputError(
                "content_type",
                f"must be a supported attachment type, e.g. image/png ({self._says('content_types')})",
            )
        return content_type

    def check_size(self, size: int) -> int:
        """``size`` if it is within ``max_size`` (and not empty), else ``InvalidInputError``."""
        if size < 1:
            raise InvalidInputError("path_or_binary_file", "must hold at least 1 byte")
        if size > self.max_size:
            raise InvalidInputError(
                "path_or_binary_file", f"must be at most {self.max_size} bytes ({self._says('max_size')})"
            )
        return size


# --- errors -----------------------------------------------------------------------------------


class AttachmentError(ParticipantServiceError):
    """Root of the attachment-specific errors."""


class AttachmentStorageError(AttachmentError):
    """The attachment storage (the presigned URL) refused the PUT or GET; ``code`` is S3's."""


class AttachmentSizeMismatchError(AttachmentStorageError):
    """The bytes sent or received do not match the size announced for the attachment."""

    def __init__(self, message: str, *, expected: int, actual: int) -> None:
        super().__init__(message, code="SizeMismatch", status_code=None)
        self.expected = expected
        """The size the service announced, in bytes."""
        self.actual = actual
        """The number of bytes actually transferred."""


class AttachmentRejectedError(AttachmentError):
    """Connect's attachment scan rejected the file; ``attachment`` says which."""

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(
            f"the attachment scan rejected {attachment.name!r} (attachment id {attachment.id})",
            code="AttachmentRejected",
            status_code=None,
        )
        self.attachment = attachment
        """The attachment as the scan left it (``status`` ``REJECTED``)."""


class AttachmentScanTimeoutError(AttachmentError, TimeoutError):
    """The scan gave no verdict within the time allowed; ``attachment`` has the last status seen."""

    def __init__(self, attachment: Attachment, timeout: float) -> None:
        super().__init__(
            f"no scan verdict for {attachment.name!r} after {timeout:g}s (status {attachment.status or 'not seen'})",
            code="AttachmentScanTimeout",
            status_code=None,
        )
        self.attachment = attachment
        """The attachment as last seen (its scan still ``IN_PROGRESS``)."""


def _xml_fields(body: bytes) -> dict[str, str]:
    """Top-level text fields of an S3 ``<Error>`` document (empty if it is not one)."""
    if not body.lstrip().startswith(b"<"):
        return {}
    try:
        root = ElementTree.fromstring(body[:65536])  # noqa: S314 - our own storage's short error document
    except ElementTree.ParseError:
        return {}
    return {child.tag: (child.text or "").strip() for child in root}


def storage_error(
    status: int, headers: Mapping[str, str], body: bytes, action: str
) -> AttachmentStorageError:
    """Map a storage answer (S3 XML error, or anything) to an ``AttachmentStorageError`` (pure)."""
    fields = _xml_fields(body)
    code = fields.get("Code") or f"HTTP{status}"
    message = fields.get("Message") or "the attachment storage refused the request"
    hint = ""
    if code == "SignatureDoesNotMatch":
        hint = " (the PUT must carry exactly the HeadersToInclude of StartAttachmentUpload)"
    request_id = headers.get("x-amz-request-id") or fields.get("RequestId")
    # the whole text is redacted (in time linear in its length: at most the 64 KiB read), then cut:
    # a known value that starts in the part shown is hidden however far it reaches
    text = redact(f"{action}: {message}{hint}")
    return AttachmentStorageError(text[:500], code=code, status_code=status, request_id=request_id)


@contextlib.contextmanager
def storage_transport_errors() -> Iterator[None]:
    """Around a download: a transport failure (after the retries) becomes ``ParticipantTransportError``."""
    try:
        yield
    except httpx.TransportError as exc:
        raise transport_error(exc) from exc


def is_expired_answer(status: int, body: bytes) -> bool:
    """S3's answer to a presigned URL used too late: 403 AccessDenied "Request has expired"."""
    if status != 403:
        return False
    fields = _xml_fields(body)
    return "expired" in fields.get("Message", "").lower() or "Expires" in fields


# --- the source and the streamed body -------------------------------------------------------------


class UploadSource:
    """A validated upload: the open binary file, where its bytes start, and what to announce."""

    __slots__ = ("_owned", "content_type", "file", "name", "size", "start")

    def __init__(
        self, file: IO[bytes], start: int, size: int, name: str, content_type: str, owned: bool
    ) -> None:
        self.file = file
        self.start = start
        self.size = size
        self.name = name
        self.content_type = content_type
        self._owned = owned

    def close(self) -> None:
        """Closes the file if ``prepare_upload`` opened it (a caller's file is left open)."""
        if self._owned:
            self.file.close()

    def __enter__(self) -> UploadSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"UploadSource(name={self.name!r}, content_type={self.content_type!r}, size={self.size})"


_SOURCE = "path_or_binary_file"


def _open_path(path: str | os.PathLike[str]) -> IO[bytes]:
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by UploadSource.close
    except FileNotFoundError:
        raise InvalidInputError(_SOURCE, "must name an existing file (not found)") from None
    except PermissionError:
        raise InvalidInputError(_SOURCE, "must be a readable file (permission denied)") from None
    except IsADirectoryError:
        raise InvalidInputError(_SOURCE, "must be a file, not a directory") from None
    except OSError as exc:
        raise InvalidInputError(
            _SOURCE, f"must be a readable file ({exc.strerror or type(exc).__name__})"
        ) from None
    if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
        file.close()
        raise InvalidInputError(_SOURCE, "must be a regular file")
    return file


def _measure(file: IO[bytes]) -> tuple[int, int]:
    """(start, size) of a seekable binary file from its current position, without reading it."""
    try:
        probe = file.read(0)
    except (OSError, ValueError) as exc:
        raise InvalidInputError(_SOURCE, f"must be a readable binary file ({type(exc).__name__})") from None
    if not isinstance(probe, bytes):
        raise InvalidInputError(_SOURCE, "must be opened in binary mode ('rb'), not text mode")
    try:
        seekable = file.seekable()
        if seekable:
            start = file.tell()
            end = file.seek(0, io.SEEK_END)
            file.seek(start)
    except (OSError, ValueError) as exc:
        raise InvalidInputError(_SOURCE, f"must be a seekable binary file ({type(exc).__name__})") from None
    if not seekable:  # outside the try: InvalidInputError is a ValueError too
        raise InvalidInputError(_SOURCE, "must be seekable (the upload may be sent again)")
    return start, end - start


def prepare_upload(
    source: object, name: object, content_type: object, limits: AttachmentLimits
) -> UploadSource:
    """Validate everything before the network; the file is opened (a path) or measured (a file), not read."""
    if isinstance(source, str | os.PathLike):
        path_name = os.path.basename(os.fspath(source))
        checked_name = limits.check_name(path_name if name is None else name)
        checked_type = limits.check_content_type(content_type, checked_name)
        file: IO[bytes] = _open_path(source)
        owned = True
    elif hasattr(source, "read") and hasattr(source, "seek"):
        if name is None:
            raw_name = getattr(source, "name", None)
            if not isinstance(raw_name, str):
                raise InvalidInputError("name", "is required when the file object has no name")
            name = os.path.basename(raw_name)
        checked_name = limits.check_name(name)
        checked_type = limits.check_content_type(content_type, checked_name)
        file = source  # type: ignore[assignment]
        owned = False
    else:
        raise InvalidInputError(_SOURCE, "must be a path (str or os.PathLike) or a binary file object")
    try:
        start, size = _measure(file)
        limits.check_size(size)
    except BaseException:
        if owned:
            file.close()
        raise
    return UploadSource(file, start, size, checked_name, checked_type, owned)


Progress = Callable[[int, int], object]


class _Reader:
    """The state of one pass over the source: what is left, what went out, who to tell."""

    __slots__ = ("progress", "remaining", "sent", "source")

    def __init__(self, source: UploadSource, progress: Progress | None) -> None:
        source.file.seek(source.start)
        self.source = source
        self.remaining = source.size
        self.sent = 0
        self.progress = progress

    def want(self) -> int:
        return min(CHUNK_SIZE, self.remaining)

    def accept(self, chunk: bytes) -> bytes:
        if not chunk:
            raise AttachmentSizeMismatchError(
                f"{self.source.name!r} ended after {self.sent} of {self.source.size} bytes (it changed during the upload)",
                expected=self.source.size,
                actual=self.sent,
            )
        self.remaining -= len(chunk)
        self.sent += len(chunk)
        if self.progress is not None:
            self.progress(self.sent, self.source.size)
        return chunk


class UploadBody(httpx.ByteStream):
    """The PUT body: the source in chunks, from its start again on every iteration.

    It subclasses ``httpx.ByteStream`` because that is how httpx and our retry
    transport recognise a body they may send again; unlike the base class it
    holds a file, not bytes, and is never read whole. Exactly ``size`` bytes
    are sent (a file that shrank meanwhile raises ``AttachmentSizeMismatchError``).
    The async iteration reads in a worker thread so the event loop never waits
    on the disk.
    """

    def __init__(self, source: UploadSource, progress: Progress | None = None) -> None:
        super().__init__(b"")
        self.source = source
        self.progress = progress

    def __iter__(self) -> Iterator[bytes]:
        reader = _Reader(self.source, self.progress)
        read = self.source.file.read
        while reader.remaining:
            yield reader.accept(read(reader.want()))

    async def __aiter__(self) -> AsyncIterator[bytes]:
        reader = _Reader(self.source, self.progress)
        read = self.source.file.read
        while reader.remaining:
            yield reader.accept(await asyncio.to_thread(read, reader.want()))

    def __repr__(self) -> str:
        return f"UploadBody({self.source!r})"


# --- actions the protocols yield --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoragePut:
    """PUT ``body`` to ``url`` with exactly ``headers``; the reply is a ``StorageReply``."""

    url: Secret
    headers: Mapping[str, str]
    body: UploadBody


@dataclass(frozen=True, slots=True)
class StorageReply:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Pause:
    seconds: float


def storage_request(
    url: Secret, headers: Mapping[str, str] | None = None, body: UploadBody | None = None
) -> httpx.Request:
    """A PUT (with ``body``) or GET of a presigned URL: ``Host`` plus exactly ``headers``.

    Built as a bare ``httpx.Request`` and sent with ``client.send(..., auth=None)``,
    so neither the client's default headers nor a bearer token are added.
    """
    target = httpx.URL(url.reveal())
    wire = {"Host": target.netloc.decode("ascii"), **(headers or {})}
    if body is None:
        return httpx.Request("GET", target, headers=wire, extensions={STORAGE: True})
    if not any(key.lower() == "content-length" for key in wire):
        wire["Content-Length"] = str(body.source.size)
    return httpx.Request("PUT", target, headers=wire, stream=body, extensions={STORAGE: True})


# --- what a presigned URL and its headers may be (pure) ------------------------------------------

_METADATA_V6 = ipaddress.IPv6Address("fd00:ec2::254")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address a host names literally (any IPv4 spelling a resolver accepts), else None."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:  # 2852039166, 0xa9.0xfe.0xa9.0xfe, 169.254.43518: what inet_aton (and connect) accept
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _unsafe(what: str, operation: str) -> InvalidResponseError:
    return InvalidResponseError(f"{operation} returned {what}; not followed", code="UnsafeStorageUrl")


def check_storage_url(url: str, operation: str) -> None:
    """A presigned URL the SDK may follow: https (or http to loopback), never link-local/metadata."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host
    except (httpx.InvalidURL, ValueError, TypeError):
        raise _unsafe("a storage URL that does not parse", operation) from None
    if not host:
        raise _unsafe("a storage URL without a host", operation)
    address = _address(host)
    if address is not None and (address.is_link_local or address == _METADATA_V6):
        raise _unsafe("a storage URL on a link-local or instance-metadata address", operation)
    loopback = host.lower() == "localhost" or (address is not None and address.is_loopback)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise _unsafe("a storage URL that is not https (http only to a loopback host)", operation)


def check_storage_headers(headers: object) -> dict[str, str]:
    """``HeadersToInclude`` as names and values HTTP allows (no CR/LF/NUL; names are tokens)."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise _unsafe("HeadersToInclude that are not an object", "StartAttachmentUpload")
    clean: dict[str, str] = {}
    for key, value in headers.items():
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _unsafe("a HeadersToInclude value that is not a string", "StartAttachmentUpload")
        text = str(value)
        if not isinstance(key, str) or not _HEADER_NAME.fullmatch(key) or not _HEADER_VALUE.fullmatch(text):
            raise _unsafe("a header name or value HTTP does not allow", "StartAttachmentUpload")
        clean[key] = text
    return clean


# --- upload -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ticket:
    attachment_id: str
    url: Secret
    expires_at: datetime | None
    headers: dict[str, str]


def _parse_start(doc: Mapping[str, Any]) -> _Ticket:
    """StartAttachmentUpload's answer through the generated model (an unusable one: ``AttachmentError``)."""
    try:
        answer = StartAttachmentUploadResponse.from_dict(doc)
    except (KeyError, TypeError, ValueError, AttributeError):
        answer = StartAttachmentUploadResponse()
    attachment_id = answer.attachment_id
    meta = answer.upload_metadata
    url = UNSET if isinstance(meta, Unset) else meta.url
    if not isinstance(attachment_id, str) or not attachment_id or not isinstance(url, str) or not url:
        raise AttachmentError(
            "StartAttachmentUpload returned no AttachmentId or upload URL",
            code="InvalidResponse",
            status_code=None,
        )
    assert not isinstance(meta, Unset)
    headers = meta.headers_to_include
    secret = Secret(url)
    check_storage_url(url, "StartAttachmentUpload")
    clean = check_storage_headers(None if isinstance(headers, Unset) else headers.additional_properties)
    return _Ticket(attachment_id, secret, parse_time(meta.url_expiry), clean)


def check_url_expiry(expires_at: datetime | None, now: datetime) -> bool:
    """True when an upload URL is already past its ``UrlExpiry`` (unknown expiry: assume valid)."""
    return expires_at is not None and now >= expires_at


def _check_declared_length(ticket: _Ticket, size: int) -> None:
    for key, value in ticket.headers.items():
        if key.lower() == "content-length" and value.strip() != str(size):
            raise AttachmentSizeMismatchError(
                "StartAttachmentUpload's HeadersToInclude announce another Content-Length than the file's size",
                expected=size,
                actual=int(value) if value.strip().isdigit() else -1,
            )


ApiFlow = Callable[[ops.Request], Flow[Any, dict[str, Any]]]
"""A session's ``_fetch_flow``: one service call (token refresh included) as a flow giving the JSON."""


def upload_flow(
    call: ApiFlow,
    source: UploadSource,
    progress: Progress | None,
    wait: float | None,
    *,
    utcnow: Callable[[], datetime] = lambda: datetime.now(UTC),
    monotonic: Callable[[], float] = time.monotonic,
    new_token: Callable[[], str] = ops.new_client_token,
) -> Flow[Any, Attachment]:
    """Start → PUT → Complete, once more from Start if the upload URL expired, then the scan if ``wait``."""
    body = UploadBody(source, progress)
    restarts_left = 1
    while True:
        start = ops.start_attachment_upload(source.content_type, source.size, source.name, new_token())
        ticket = _parse_start((yield from call(start)))
        _check_declared_length(ticket, source.size)
        if check_url_expiry(ticket.expires_at, utcnow()):
            if restarts_left:
                restarts_left -= 1
                continue
            raise AttachmentStorageError(
                "the upload URL had expired before the upload began",
                code="ExpiredUploadUrl",
                status_code=None,
            )
        try:
            reply: StorageReply = yield StoragePut(ticket.url, ticket.headers, body)
        except httpx.TransportError as exc:  # after the retry transport gave up
            raise transport_error(exc) from exc
        if 200 <= reply.status < 300:
            break
        if restarts_left and is_expired_answer(reply.status, reply.body):
            restarts_left -= 1
            continue
        raise storage_error(reply.status, reply.headers, reply.body, "attachment upload")
    yield from call(ops.complete_attachment_upload(ticket.attachment_id, new_token()))
    attachment = Attachment(ticket.attachment_id, source.name, source.content_type, None, source.size)
    if wait is None:
        return attachment
    return (yield from scan_flow(call, attachment, wait, monotonic=monotonic))


def begin_upload(
    call: ApiFlow,
    limits: AttachmentLimits | None,
    source: object,
    name: object = None,
    content_type: object = None,
    progress: object = None,
    wait: object = False,
) -> tuple[UploadSource, Flow[Any, Attachment]]:
    """Check every argument and open the source (nothing sent yet); the shell runs the flow, then closes."""
    timeout = check_wait(wait)
    if progress is not None and not callable(progress):
        raise InvalidInputError("progress", "must be a callable progress(bytes_sent, total) or None")
    prepared = prepare_upload(source, name, content_type, AttachmentLimits.coerce(limits))
    return prepared, upload_flow(call, prepared, progress, timeout)


# --- following the scan -----------------------------------------------------------------------

SCAN_FIRST_POLL: Final = 0.25
SCAN_MAX_POLL: Final = 4.0
DEFAULT_SCAN_TIMEOUT: Final = 60.0


def check_wait(wait: object) -> float | None:
    """``wait``: False (do not follow the scan), True (up to 60 s) or a number of seconds."""
    if wait is False or wait is None:
        return None
    if wait is True:
        return DEFAULT_SCAN_TIMEOUT
    if isinstance(wait, int | float) and math.isfinite(wait) and wait > 0:
        return float(wait)
    raise InvalidInputError("wait", "must be a bool or a positive number of seconds")


def _status_in(items: Any, attachment_id: str) -> str | None:
    for item in items:
        for entry in item.attachments:
            if entry.id == attachment_id:
                return entry.status or "IN_PROGRESS"
    return None


def _find_status(call: ApiFlow, attachment_id: str) -> Flow[Any, str | None]:
    """The attachment's status in the transcript, newest items first (``None`` if not there yet)."""
    cursor = TranscriptCursor(direction="BACKWARD", sort="DESCENDING", page_size=100)
    while (request := cursor.next_request()) is not None:
        page = cursor.accept((yield from call(request)))
        status = _status_in(page.items, attachment_id)
        if status is not None:
            return status
    return None


def scan_flow(
    call: ApiFlow, attachment: Attachment, timeout: float, *, monotonic: Callable[[], float] = time.monotonic
) -> Flow[Any, Attachment]:
    """Poll the transcript until the scan says APPROVED (return) or REJECTED (raise), within ``timeout``."""
    attachment_id = attachment.id or ""
    deadline = monotonic() + timeout
    interval = SCAN_FIRST_POLL
    while True:
        status = yield from _find_status(call, attachment_id)
        attachment = replace(attachment, status=status)
        if status == "APPROVED":
            return attachment
        if status == "REJECTED":
            raise AttachmentRejectedError(attachment)
        left = deadline - monotonic()
        if left <= 0:
            raise AttachmentScanTimeoutError(attachment, timeout)
        yield Pause(min(interval, left))
        interval = min(interval * 2, SCAN_MAX_POLL)


# --- download -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DownloadTicket:
    url: Secret
    size: int


def check_url_expiry_seconds(value: object) -> int | None:
    if value is None:
        return None
    low, high = _EXPIRY["minimum"], _EXPIRY["maximum"]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInputError("url_expiry", f"must be an int of {low}..{high} seconds or None")
    return value


def download_flow(
    call: ApiFlow, attachment_id: object, url_expiry: object = None
) -> Flow[Any, DownloadTicket]:
    """GetAttachment: the URL to GET and the size the bytes must add up to (arguments checked now)."""
    request = ops.get_attachment(
        check_member("attachment_id", attachment_id, GetAttachmentRequest, "attachment_id"),
        check_url_expiry_seconds(url_expiry),
    )
    return _download_flow(call, request)


def _download_flow(call: ApiFlow, request: ops.Request) -> Flow[Any, DownloadTicket]:
    doc = yield from call(request)
    try:
        answer = GetAttachmentResponse.from_dict(doc)
        url, size = answer.url, answer.attachment_size_in_bytes
    except (KeyError, TypeError, ValueError, AttributeError):
        url, size = None, None
    if not isinstance(url, str) or not url or isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise AttachmentError(
            "GetAttachment returned no download URL or size", code="InvalidResponse", status_code=None
        )
    secret = Secret(url)
    check_storage_url(url, "GetAttachment")
    return DownloadTicket(secret, size)


class SizeCheck:
    """Counts the bytes of a download and holds them to ``AttachmentSizeInBytes``."""

    __slots__ = ("expected", "received")

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.received = 0

    def feed(self, chunk: bytes) -> bytes:
        self.received += len(chunk)
        if self.received > self.expected:
            raise self._error("more")
        return chunk

    def finish(self) -> None:
        if self.received != self.expected:
            raise self._error("fewer")

    def _error(self, what: str) -> AttachmentSizeMismatchError:
        return AttachmentSizeMismatchError(
            f"the download sent {what} bytes than AttachmentSizeInBytes ({self.received} vs {self.expected})",
            expected=self.expected,
            actual=self.received,
        )


class ReadState:
    """The reading side of an open attachment: buffered chunks, ``read(n)``, the size check at the end."""

    __slots__ = ("_chunks", "_held", "_offset", "check", "done")

    def __init__(self, expected_size: int) -> None:
        self.check = SizeCheck(expected_size)
        self._chunks: list[bytes] = []
        self._offset = 0
        self._held = 0
        self.done = False

    def needs(self, size: int) -> bool:
        """Whether ``take(size)`` wants another chunk pulled from the network first."""
        return not self.done and (size < 0 or self._held < size)

    def push(self, chunk: bytes | None) -> None:
        """A chunk from the network, or ``None`` at the end (where the size is checked)."""
        if chunk is None:
            self.done = True
            self.check.finish()
        elif chunk:
            self._chunks.append(self.check.feed(chunk))
            self._held += len(chunk)

    def take(self, size: int) -> bytes:
        """Up to ``size`` bytes (everything held when ``size < 0``)."""
        want = self._held if size < 0 else min(size, self._held)
        self._held -= want
        out: list[bytes] = []
        while want:
            head = self._chunks[0]
            piece = head[self._offset : self._offset + want]
            out.append(piece)
            want -= len(piece)
            self._offset += len(piece)
            if self._offset == len(head):
                self._chunks.pop(0)
                self._offset = 0
        return out[0] if len(out) == 1 else b"".join(out)


def _attachment_file_name(content_disposition: str | None, attachment_id: str) -> str:
    """The file name a download into a folder takes: the attachment's name, as the storage answer's
    ``Content-Disposition`` gives it (``filename*`` or ``filename``), reduced to a plain name in the
    folder (no directory part, no leading dot, no control characters); the attachment id when the
    answer names none."""
    name = ""
    if content_disposition:
        header = email.message.Message()
        header["Content-Disposition"] = content_disposition
        with contextlib.suppress(Exception):  # a malformed header names nothing
            name = str(header.get_filename() or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".").strip()
    return name[:255] if name else attachment_id


class DownloadSink:
    """Where a download goes: a path (written to a temporary file beside it, renamed when complete),
    a folder (an existing one, or a path ending in ``/``: the file takes the attachment's name), or
    a caller's writable binary file (written as is). Checked before anything is fetched; a file is
    created with the user's umask (``open(..., 0o666)``), as ``open()`` and ``cp`` create files."""

    __slots__ = ("_file", "_final", "_folder", "_progress", "_temp", "written")

    def __init__(self, dest: object, progress: object = None) -> None:
        if progress is not None and not callable(progress):
            raise InvalidInputError("progress", "must be a callable progress(bytes_received, total) or None")
        self._progress: Progress | None = progress
        self.written = 0
        self._final: str | None = None
        self._temp: str | None = None
        self._folder: str | None = None
        self._file: IO[bytes] | None = None
        if isinstance(dest, str | os.PathLike):
            raw = os.fspath(dest)
            if not isinstance(raw, str):
                raise InvalidInputError("dest", "must be a str path, os.PathLike or a writable binary file")
            final = os.path.abspath(raw)
            if raw.endswith(("/", os.sep)) or os.path.isdir(final):
                try:
                    os.makedirs(final, exist_ok=True)
                except OSError as exc:
                    raise InvalidInputError(
                        "dest",
                        f"must be a folder that exists or can be made ({exc.strerror or type(exc).__name__})",
                    ) from None
                if not os.access(final, os.W_OK | os.X_OK):
                    raise InvalidInputError("dest", "must be a writable folder")
                self._folder = final
                return
            folder = os.path.dirname(final)
            if not os.path.isdir(folder):
                raise InvalidInputError("dest", "must be in an existing directory")
            self._final = final
            self._create_temp()
        elif hasattr(dest, "write") and not isinstance(dest, io.TextIOBase):
            try:
                writable = dest.writable() if hasattr(dest, "writable") else True
            except ValueError:  # closed
                writable = False
            if not writable:
                raise InvalidInputError(
                    "dest", "must be a writable binary file (this one is read-only or closed)"
                )
            self._file = dest  # type: ignore[assignment]
        else:
            raise InvalidInputError("dest", "must be a path or a writable binary file")

    def _create_temp(self) -> None:
        """A new temporary file beside ``_final`` (the kernel applies the umask to its 0o666)."""
        assert self._final is not None
        folder = os.path.dirname(self._final)
        flags = (
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        )
        for _ in range(100):
            temp = os.path.join(folder, f".{secrets.token_hex(8)}.part")
            try:
                handle = os.open(temp, flags, 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise InvalidInputError(
                    "dest", f"must be writable ({exc.strerror or type(exc).__name__})"
                ) from None
            self._file = os.fdopen(handle, "wb")
            self._temp = temp
            return
        raise InvalidInputError("dest", "must be writable (no free temporary name beside it)")

    def start(self, content_disposition: str | None, attachment_id: str) -> None:
        """The storage answered: a download into a folder now knows its file's name."""
        if self._folder is not None and self._file is None:
            self._final = os.path.join(
                self._folder, _attachment_file_name(content_disposition, attachment_id)
            )
            if os.path.isdir(self._final):
                raise InvalidInputError(
                    "dest", f"already holds a folder named {os.path.basename(self._final)!r}"
                )
            self._create_temp()

    def write(self, chunk: bytes, total: int) -> None:
        assert self._file is not None
        self._file.write(chunk)
        self.written += len(chunk)
        if self._progress is not None:
            self._progress(self.written, total)

    def commit(self, check: SizeCheck) -> Path | None:
        """The bytes are all there (checked): put them in place; the path written (``None``: unnamed file)."""
        check.finish()
        assert self._file is not None
        if self._temp is None or self._final is None:
            name = getattr(self._file, "name", None)
            return Path(name) if isinstance(name, str) else None
        self._file.close()
        os.replace(self._temp, self._final)
        self._temp = None
        return Path(self._final)

    def abort(self) -> None:
        """The download failed: remove the partial file (a caller's file is left as it is)."""
        if self._temp is not None and self._file is not None:
            self._file.close()
            with contextlib.suppress(OSError):
                os.unlink(self._temp)
            self._temp = None
