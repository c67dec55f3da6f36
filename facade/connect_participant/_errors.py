"""The exceptions of connect_participant, and the one function that maps a response to one.

Exception tree::

    ValueError
    └── InvalidInputError            an argument broke a rule; nothing was sent
    Exception
    └── ParticipantServiceError      .code .message .status_code .request_id
        ├── AccessDeniedError            AccessDeniedException, 403 (also: chat ended)
        ├── ValidationError              ValidationException, 400
        ├── ServiceQuotaExceededError    ServiceQuotaExceededException, 402
        ├── ResourceNotFoundError        ResourceNotFoundException, 404 (.resource_id, .resource_type)
        ├── ConflictError                ConflictException, 409
        ├── ThrottlingError              ThrottlingException, 429 (after the retries ran out)
        ├── InternalServerError          InternalServerException, 500 and other 5xx
        ├── InvalidResponseError         an answer the SDK cannot use (.code says why: InvalidResponse,
        │                                ResponseTooLarge, RepeatedNextToken, UnsafeStorageUrl)
        ├── ParticipantTransportError    no HTTP answer (connect error, timeout) after the retries
        └── ClientClosedError            the session's client was closed: nothing was sent

``error_from_response(status, headers, body)`` is pure: the AWS code comes from
the ``x-amzn-ErrorType`` header (the part before ``:``), else ``__type`` or
``code`` in a JSON body (the part after ``#``), else from the status. No
exception text ever carries a token or a URL: messages are the service's own
text, passed through ``redact``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

from ._regions import is_loopback, unknown_region_of_host
from ._secrets import redact

__all__ = [
    "AccessDeniedError",
    "ClientClosedError",
    "ConflictError",
    "InternalServerError",
    "InvalidInputError",
    "InvalidResponseError",
    "ParticipantServiceError",
    "ParticipantTransportError",
    "ResourceNotFoundError",
    "ServiceQuotaExceededError",
    "ThrottlingError",
    "ValidationError",
    "error_from_response",
    "header_value",
    "scrub",
    "transport_error",
    "transport_hint",
]


class InvalidInputError(ValueError):
    """An argument broke one of the API's rules; no request was sent.

    ``argument`` names the argument and ``rule`` says what it must be. The
    offending value is never included (it may be a token).
    """

    def __init__(self, argument: str, rule: str) -> None:
        self.argument = argument
        """The name of the argument (or setting) that was refused."""
        self.rule = rule
        """The rule it broke, in words (never the value itself)."""
        super().__init__(f"{argument}: {rule}")


class ParticipantServiceError(Exception):
    """Root of every error the service (or the way to it) produced."""

    aws_code: str | None = None
    """The AWS error code this class stands for (``None`` on the base class)."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int | None,
        request_id: str | None = None,
    ) -> None:
        self.code = code
        """The error code the service answered (``x-amzn-ErrorType``), or the SDK's own code."""
        self.message = message
        """The service's message (tokens and presigned URLs masked)."""
        self.status_code = status_code
        """The HTTP status of the answer; ``None`` when there was no answer."""
        self.request_id = request_id
        """The answer's ``x-amzn-RequestId``, for AWS support; ``None`` if absent."""
        super().__init__(message)

    def __str__(self) -> str:
        where = f"HTTP {self.status_code}" if self.status_code is not None else "no HTTP response"
        rid = f", request id {self.request_id}" if self.request_id else ""
        return f"{self.code}: {self.message} ({where}{rid})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status_code={self.status_code!r}, request_id={self.request_id!r})"


class AccessDeniedError(ParticipantServiceError):
    """403: the token is invalid or expired, or the participant left / the chat ended."""

    aws_code = "AccessDeniedException"
    """``AccessDeniedException``: the token is not (or no longer) allowed, e.g. the participant left or the chat ended."""


class ValidationError(ParticipantServiceError):
    """400: the service rejected the request's content."""

    aws_code = "ValidationException"
    """``ValidationException``: the service refused a request's content."""


class ServiceQuotaExceededError(ParticipantServiceError):
    """402: a quota (e.g. attachments in a chat) is used up."""

    aws_code = "ServiceQuotaExceededException"
    """``ServiceQuotaExceededException``: a quota of the chat or instance is used up (e.g. attachments per chat)."""


class ResourceNotFoundError(ParticipantServiceError):
    """404: the named resource does not exist."""

    aws_code = "ResourceNotFoundException"
    """``ResourceNotFoundException``: the contact, attachment or view does not exist."""
    resource_id: str | None = None
    """The id of the resource not found, when the service names it."""
    resource_type: str | None = None
    """The type of the resource not found, when the service names it."""


class ConflictError(ParticipantServiceError):
    """409: the request conflicts with the resource's state."""

    aws_code = "ConflictException"
    """``ConflictException``: the request conflicts with the chat's state (e.g. a receipt while a supervisor barged in)."""


class ThrottlingError(ParticipantServiceError):
    """429: over the request-rate quota, even after the retries."""

    aws_code = "ThrottlingException"
    """``ThrottlingException``: too many requests; raised once the retries are used up."""


class InternalServerError(ParticipantServiceError):
    """500 (and other 5xx): the service failed, even after the retries."""

    aws_code = "InternalServerException"
    """``InternalServerException``: the service failed; raised once the retries are used up."""


class InvalidResponseError(ParticipantServiceError):
    """An answer the SDK cannot use: not JSON, nested too deep, wrong types or missing members,
    undecodable (bad gzip), above the answer-size cap, a transcript ``NextToken`` already seen,
    or a presigned URL or header the SDK refuses to follow. ``code`` says which."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "InvalidResponse",
        status_code: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code, status_code=status_code, request_id=request_id)


class ParticipantTransportError(ParticipantServiceError):
    """No HTTP answer (connection refused or reset, timeout) after the retries. ``host``: where
    the request went (the message names it too, with a hint where a cause is likely)."""

    host: str | None = None
    """The host (and port) the request went to, never its path or query; ``None`` when unknown."""


class ClientClosedError(ParticipantServiceError):
    """The client this session came from was closed (``client.close()``, or leaving its ``with``
    block), or the ``http_client`` given to it was: every call of the session raises this,
    before anything is sent. ``disconnect()`` and leaving the session's ``with`` block are then
    no-ops, and its events streams end as on ``disconnect()``."""

    def __init__(self, message: str = "the client was closed: this session can make no more calls") -> None:
        super().__init__(message, code="ClientClosed", status_code=None)


_BY_CODE: dict[str, type[ParticipantServiceError]] = {
    cls.aws_code: cls
    for cls in (
        AccessDeniedError,
        ValidationError,
        ServiceQuotaExceededError,
        ResourceNotFoundError,
        ConflictError,
        ThrottlingError,
        InternalServerError,
    )
    if cls.aws_code
}
_BY_STATUS: dict[int, type[ParticipantServiceError]] = {
    400: ValidationError,
    402: ServiceQuotaExceededError,
    403: AccessDeniedError,
    404: ResourceNotFoundError,
    409: ConflictError,
    429: ThrottlingError,
}
_MAX_MESSAGE = 500


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that works on plain dicts and httpx.Headers."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


def _clean_code(raw: str) -> str:
    code = raw.strip()
    if "#" in code:
        code = code.rsplit("#", 1)[1]
    return code.split(":", 1)[0].strip()


def _parse_body(body: bytes) -> Mapping[str, Any] | None:
    if not body:
        return None
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None
    return parsed if isinstance(parsed, dict) else None


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "unexpected HTTP status"


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> ParticipantServiceError:
    """Map a non-2xx response to its exception (pure)."""
    doc = _parse_body(body)
    code: str | None = None
    header_code = header_value(headers, "x-amzn-ErrorType")
    if header_code and _clean_code(header_code):
        code = _clean_code(header_code)
    elif doc is not None:
        for key in ("__type", "code", "Code"):
            value = doc.get(key)
            if isinstance(value, str) and _clean_code(value):
                code = _clean_code(value)
                break

    message: str | None = None
    if doc is not None:
        for key in ("message", "Message"):
            value = doc.get(key)
            if isinstance(value, str):
                message = value
                break
    elif body:
        text = body.decode("utf-8", "replace").strip()
        if text and not text.lstrip().startswith("<"):
            message = text
    if not message:
        message = _status_text(status)
    message = redact(message)[:_MAX_MESSAGE]

    cls = _BY_CODE.get(code) if code else None
    if cls is None:
        cls = _BY_STATUS.get(status)
        if cls is None and 500 <= status <= 599:
            cls = InternalServerError
        if cls is None:
            cls = ParticipantServiceError
    if code is None:
        code = cls.aws_code if cls.aws_code and status in (*_BY_STATUS, 500) else f"HTTP{status}"

    error = cls(message, code=code, status_code=status, request_id=header_value(headers, "x-amzn-RequestId"))
    if isinstance(error, ResourceNotFoundError) and doc is not None:
        rid, rtype = doc.get("ResourceId"), doc.get("ResourceType")
        error.resource_id = rid if isinstance(rid, str) else None
        error.resource_type = rtype if isinstance(rtype, str) else None
    return error


def scrub(exc: BaseException) -> None:
    """Redact an exception's text in place and cut off the exceptions it wrapped (httpx-aiohttp
    wraps aiohttp's errors, whose text can be a whole URL, a presigned one or DescribeView's)."""
    exc.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in exc.args)
    exc.__cause__ = exc.__context__ = None


_REFUSED: Final = (
    "connection refused",
    "actively refused",
    "connect call failed",  # aiohttp's text for a refused connection
    "errno 111]",
    "errno 61]",
    "10061",
)
_NO_NAME: Final = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "cannot resolve",
    "errno -2]",
    "errno -3]",
    "errno -5]",
    "errno 8]",
    "11001",
)


def _host_of(exc: BaseException) -> tuple[str, int | None] | None:
    """The host and port the failed request went to (never its path or query), if known."""
    try:
        url = exc.request.url  # type: ignore[attr-defined]  # httpx: RuntimeError when not set
        host = url.host
    except (AttributeError, RuntimeError):
        return None
    if not isinstance(host, str) or not host:
        return None
    port = url.port or {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(url.scheme)
    return host, port


def transport_hint(kind: str, detail: str, host: str, port: int | None) -> str | None:
    """What to check when a request to ``host`` failed this way (pure): the emulator when nothing
    listens on a loopback port, a region botocore does not know when a service host does not
    resolve, the host name otherwise."""
    text = detail.lower()
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if any(mark in text for mark in _REFUSED):
        if is_loopback(host):
            return (
                f"is the emulator running on {where}? (python -m connect_participant_emulator --port {port})"
            )
        return f"nothing accepted the connection on {where}: is endpoint_url right?"
    if any(mark in text for mark in _NO_NAME):
        region = unknown_region_of_host(host)
        if region is not None:
            return f"unknown region {region!r}? (not one botocore knows: check region= or $AWS_REGION)"
        return f"the host name {host!r} did not resolve: check endpoint_url or region, and the network"
    if kind in ("ConnectTimeout", "PoolTimeout") or "timed out" in text:
        return f"no connection to {where} in time: is the host reachable from here?"
    return None


def transport_error(exc: BaseException, attempts: int | None = None) -> ParticipantTransportError:
    """Wrap an httpx transport failure; the text names the failure, the host it went to (never
    the rest of the URL: a path or query can hold a token or a signature) and, where a cause is
    likely, what to check (``transport_hint``).

    ``exc`` stays the new error's cause, scrubbed (see ``scrub``).
    """
    detail = redact(str(exc))[:_MAX_MESSAGE] or "no detail"
    kind = type(exc).__name__
    place = _host_of(exc)
    scrub(exc)
    tries = f" (after {attempts} attempts)" if attempts else ""
    text = f"{detail}{tries}"
    if place is not None:
        host, port = place
        text += f"; host {host}" + (f" port {port}" if port else "")
        hint = transport_hint(kind, detail, host, port)
        if hint:
            text += f" — {hint}"
    error = ParticipantTransportError(text, code=kind, status_code=None)
    error.host = place[0] if place is not None else None
    return error
