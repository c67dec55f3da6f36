"""Retries, in one place: an httpx transport wrapper for sync and async clients.

- ``RetryPolicy`` holds the tunables; ``RetryPolicy.delay(...)`` is the pure
  decision: given what happened on attempt *n* (a status and headers, or a
  transport exception) it returns the seconds to sleep before the next
  attempt, or ``None`` to stop. 429, 500, 502, 503 and 504, connection errors,
  timeouts and a peer that closed the connection are retried; nothing else
  (never 400/402/403/409). Backoff is exponential with full jitter
  (``random() * min(max_delay, base_delay * 2**(n-1))``, the random source
  injectable); ``retry-after-ms`` and ``Retry-After`` (seconds or an HTTP
  date) are honoured up to ``max_retry_after``.
- ``retry_flow`` is the loop, written once as a generator (see ``_flow``).
- ``RetryTransport`` / ``AsyncRetryTransport`` wrap any httpx transport and
  only perform the flow's actions. The request is replayed unchanged, so the
  JSON body's ``ClientToken`` is the same on every attempt. A request whose
  body is a one-shot stream is sent once.

Both the facade's calls and calls through ``client.low_level`` (the generated
client) go through the same httpx client, hence through this transport.

Transport policy for API answers lives here too, so generated calls get it:

- **Deadline.** Each attempt must be answered in full within the client's
  timeout (its largest part; 15 s by default), counted from the attempt's start:
  a body trickled byte by byte is cut. Per-read timeouts are capped at the time
  left; a cut attempt is an ``httpx.ReadTimeout`` (retried like any timeout).
- **Answer-size cap.** The transport reads an API answer whole and decodes its
  ``Content-Encoding`` itself in small steps; more than ``max_response_bytes``
  (``DEFAULT_MAX_RESPONSE_BYTES``, 10 MiB) raw or decoded, or an encoding that
  does not decode, is ``InvalidResponseError`` (``ResponseTooLarge`` /
  ``InvalidResponse``) and the connection is dropped. The answer handed on has
  the decoded bytes and no ``Content-Encoding``.
- Attachment storage requests (marked with the ``STORAGE`` request extension)
  are streamed untouched: no cap, no overall deadline (per-read timeouts only).
"""

from __future__ import annotations

import logging
import math
import random as _random
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ._deadline import DEADLINE as _DEADLINE
from ._errors import InvalidInputError, InvalidResponseError, header_value, scrub
from ._flow import Flow, run_async, run_sync
from ._secrets import redact

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "RETRYABLE_STATUSES",
    "STORAGE",
    "AsyncRetryTransport",
    "RetryPolicy",
    "RetryTransport",
    "is_retryable_error",
    "parse_retry_after",
    "retry_flow",
]

log = logging.getLogger("connect_participant")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Largest API answer read (raw and decoded): GetTranscript's worst case (100 items of 16,384
#: characters, JSON-escaped) stays below it.
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
#: Request extension marking a presigned storage request: streamed, no cap, no overall deadline.
STORAGE = "connect_participant.storage"
_DECODE_STEP = 4096  # raw bytes per decoder call: deflate's ratio (< 1,100) bounds each output
_RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


def _number(name: str, value: object, *, low: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value < math.inf:
        raise InvalidInputError(name, f"must be a finite number >= {low}")
    return float(value)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many attempts a call gets and how long to wait between them.

    ``max_attempts`` counts the first try (1 disables retries). Waits are
    ``random() * min(max_delay, base_delay * 2**(attempt-1))`` unless the
    response says ``Retry-After``, which is honoured up to ``max_retry_after``.
    """

    max_attempts: int = 3
    """Attempts per call, the first included (1 disables retries)."""
    base_delay: float = 0.5
    """Seconds of the first backoff's cap; each later one doubles it."""
    max_delay: float = 8.0
    """Largest backoff, in seconds."""
    max_retry_after: float = 20.0
    """Longest ``Retry-After`` honoured, in seconds."""

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_attempts, bool)
            or not isinstance(self.max_attempts, int)
            or self.max_attempts < 1
        ):
            raise InvalidInputError("max_attempts", "must be an int >= 1")
        _number("base_delay", self.base_delay, low=0)
        _number("max_delay", self.max_delay, low=0)
        _number("max_retry_after", self.max_retry_after, low=0)

    def backoff(self, attempt: int, random: Callable[[], float] = _random.random) -> float:
        """Full-jitter exponential backoff after ``attempt`` (1-based) failed."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** min(attempt - 1, 62))
        return random() * ceiling

    def delay(
        self,
        attempt: int,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        error: BaseException | None = None,
        random: Callable[[], float] = _random.random,
        now: Callable[[], datetime] | None = None,
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to stop (pure)."""
        if attempt >= self.max_attempts:
            return None
        if error is not None:
            return self.backoff(attempt, random) if is_retryable_error(error) else None
        if status not in RETRYABLE_STATUSES:
            return None
        retry_after = parse_retry_after(headers or {}, now)
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        return self.backoff(attempt, random)


def is_retryable_error(error: BaseException) -> bool:
    return isinstance(error, _RETRYABLE_ERRORS)


def parse_retry_after(headers: Mapping[str, str], now: Callable[[], datetime] | None = None) -> float | None:
    """``retry-after-ms``, else ``Retry-After`` as seconds or an HTTP date; ``None`` if absent or bad."""
    millis = header_value(headers, "retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
        except ValueError:
            value = -1.0
        if value >= 0 and value == value and value != float("inf"):
            return value
    raw = header_value(headers, "retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds < float("inf") else None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now() if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


# --- answer bounds: the deadline and the size cap (pure) ----------------------------------------


def check_max_response_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1024:
        raise InvalidInputError("max_response_bytes", "must be an int >= 1024 (bytes)")
    return value


def attempt_deadline(request: httpx.Request) -> float | None:
    """Seconds an attempt may take in all: the request's largest timeout part (None: no timeout)."""
    timeouts = request.extensions.get("timeout")
    if not isinstance(timeouts, Mapping):
        return None
    parts = [v for v in timeouts.values() if isinstance(v, int | float) and 0 < v < math.inf]
    return max(parts) if parts else None


def is_bounded(request: httpx.Request) -> bool:
    """An API call (not a presigned storage request): read whole, capped, within the deadline."""
    return not request.extensions.get(STORAGE)


class _TimeLeft(dict[str, float | None]):
    """A request's ``timeout`` extension whose parts never exceed the time left to the deadline
    (httpcore and httpx-aiohttp read them with ``.get`` when each phase starts)."""

    def __init__(self, base: object, deadline: float, clock: Callable[[], float]) -> None:
        super().__init__(base if isinstance(base, Mapping) else {})
        self._deadline = deadline
        self._clock = clock

    def get(self, key: str, default: Any = None) -> Any:
        value = super().get(key, default)
        left = max(self._deadline - self._clock(), 0.001)
        return left if value is None or value > left else value


def deadline_transport(limits: httpx.Limits, *, verify: bool = True) -> httpx.HTTPTransport:
    """httpx's sync transport whose sockets honour the attempt's deadline on every read and write.

    It reaches into httpx's connection pool (``_pool``, httpcore's ``_network_backend``); if a
    later httpx has neither, the transport is plain and the deadline is checked between reads.
    """
    from ._deadline_net import with_deadline_sockets  # httpcore: imported with the first transport

    return with_deadline_sockets(httpx.HTTPTransport(limits=limits, verify=verify))


class SchemeTransport(httpx.BaseTransport):
    """The default sync transport: ``https`` requests go to a verifying TLS transport made on the
    first one, plain ``http`` requests (the emulator, a loopback presigned URL) to one made on the
    first of those. A verifying transport loads the CA bundle when it is made (≈20 ms of CPU, a
    fifth of a cold start), which a client that never speaks TLS should not pay; the plain one has
    no certificates and is never handed an ``https`` request."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._lock = threading.Lock()
        self._by_scheme: dict[bool, httpx.HTTPTransport] = {}

    def _transport(self, tls: bool) -> httpx.HTTPTransport:
        transport = self._by_scheme.get(tls)  # made already: no lock to take
        if transport is None:
            with self._lock:
                transport = self._by_scheme.get(tls)
                if transport is None:
                    transport = deadline_transport(self._limits, verify=tls)
                    self._by_scheme[tls] = transport
        return transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport(request.url.scheme != "http").handle_request(request)

    def close(self) -> None:
        with self._lock:
            transports, self._by_scheme = list(self._by_scheme.values()), {}
        for transport in transports:
            transport.close()


def too_late(request: httpx.Request, seconds: float) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(f"no complete answer within the {seconds:g} s deadline", request=request)


class AnswerReader:
    """Collects an API answer's raw bytes up to the cap and decodes them in bounded steps (pure)."""

    __slots__ = ("_chunks", "_decoded", "_limit", "_size", "status")

    def __init__(self, limit: int, status: int) -> None:
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._decoded = False
        self.status = status

    def _too_large(self) -> InvalidResponseError:
        return InvalidResponseError(
            f"the answer is larger than max_response_bytes ({self._limit} bytes)",
            code="ResponseTooLarge",
            status_code=self.status,
        )

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            self._chunks.clear()
            raise self._too_large()
        self._chunks.append(chunk)

    def held(self, response: httpx.Response) -> bool:
        """An answer already in memory (a mock transport's, say): taken as it is, already decoded."""
        if not response.is_stream_consumed:
            return False
        self._decoded = True
        self.feed(response.content)
        return True

    def answer(self, response: httpx.Response, request: httpx.Request) -> httpx.Response:
        """The answer to hand on: decoded body, no ``Content-Encoding`` (or the typed error)."""
        headers = response.headers
        raw = b"".join(self._chunks)
        self._chunks.clear()
        plain = not self._decoded and "content-encoding" not in headers
        if plain or self._decoded:
            body = raw
        else:
            # httpx's own decoders, fed a bounded step at a time through a throwaway response
            encoded = httpx.Response(response.status_code, headers=headers, stream=_Steps(raw))
            parts: list[bytes] = []
            size = 0
            try:
                for part in encoded.iter_bytes():
                    size += len(part)
                    if size > self._limit:
                        raise self._too_large()
                    parts.append(part)
            except httpx.DecodingError as exc:
                error = InvalidResponseError(
                    "the answer's Content-Encoding did not decode", status_code=response.status_code
                )
                scrub(exc)
                raise error from exc
            body = b"".join(parts)
        kept: httpx.Headers | list[tuple[str, str]]
        if plain and "transfer-encoding" not in headers:
            # the common answer: the body as it came, its Content-Length (if any) already right;
            # the headers object is handed over as it is (no second normalization)
            kept = headers
        else:
            kept = [
                (k, v)
                for k, v in headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
        return httpx.Response(
            response.status_code,
            headers=kept,
            content=body,
            request=request,
            extensions=response.extensions,
        )


class _Steps(httpx.SyncByteStream):
    def __init__(self, raw: bytes) -> None:
        self._raw = raw

    def __iter__(self) -> Iterator[bytes]:
        raw = self._raw
        for start in range(0, len(raw), _DECODE_STEP):
            yield raw[start : start + _DECODE_STEP]


# --- the loop, once -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Send:
    request: httpx.Request


@dataclass(frozen=True, slots=True)
class Discard:
    response: httpx.Response


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


def retry_flow(
    policy: RetryPolicy, request: httpx.Request, random: Callable[[], float]
) -> Flow[Send | Discard | Sleep, httpx.Response]:
    replayable = isinstance(request.stream, httpx.ByteStream)
    attempt = 0
    while True:
        attempt += 1
        try:
            response: httpx.Response = yield Send(request)
        except Exception as exc:
            delay = policy.delay(attempt, error=exc, random=random) if replayable else None
            if delay is None:
                raise
            reason = type(exc).__name__
        else:
            delay = policy.delay(
                attempt, status=response.status_code, headers=response.headers, random=random
            )
            if delay is None or not replayable:
                return response
            reason = str(response.status_code)
            yield Discard(response)
        log.debug(
            "%s %s: %s on attempt %d, retrying in %.3fs",
            request.method,
            request.url.path,
            reason,
            attempt,
            delay,
        )
        yield Sleep(delay)


class RetryTransport(httpx.BaseTransport):
    """Wraps a sync httpx transport with ``RetryPolicy`` retries."""

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Any] = time.sleep,
        random: Callable[[], float] = _random.random,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.wrapped = transport if transport is not None else httpx.HTTPTransport()
        """The httpx transport that sends each attempt."""
        self.policy = policy if policy is not None else RetryPolicy()
        """The ``RetryPolicy`` applied."""
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        """Largest API answer read, raw and decoded (else ``InvalidResponseError``)."""
        self._sleep = sleep
        self._random = random
        self._clock = clock

    def _attempt(self, request: httpx.Request) -> httpx.Response:
        if not is_bounded(request):
            return self.wrapped.handle_request(request)
        seconds = attempt_deadline(request)
        base = request.extensions.get("timeout")
        deadline = None if seconds is None else self._clock() + seconds
        if seconds is not None and deadline is not None:
            request.extensions["timeout"] = _TimeLeft(base, deadline, self._clock)
        mark = _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
        try:
            response = self.wrapped.handle_request(request)
            reader = AnswerReader(self.max_response_bytes, response.status_code)
            try:
                if not reader.held(response):
                    for chunk in response.iter_raw():
                        reader.feed(chunk)
                        if seconds is not None and deadline is not None and self._clock() > deadline:
                            raise too_late(request, seconds)
            finally:
                response.close()
        finally:
            _DEADLINE.reset(mark)
            if deadline is not None:
                request.extensions["timeout"] = base
        return reader.answer(response, request)

    def _perform(self, action: Send | Discard | Sleep) -> Any:
        if isinstance(action, Send):
            return self._attempt(action.request)
        if isinstance(action, Discard):
            action.response.read()  # an error body is small: read it so the connection can be reused
            return action.response.close()
        return self._sleep(action.seconds)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying throttling and server errors as the policy says."""
        return run_sync(retry_flow(self.policy, request, self._random), self._perform)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.wrapped.close()


def _aiohttp_errors() -> tuple[type[Exception], ...]:
    """aiohttp's base error if aiohttp is loaded, else nothing to catch: an aiohttp error can only
    come from a transport that imported aiohttp (importing it here would cost every sync user)."""
    aiohttp = sys.modules.get("aiohttp")
    return () if aiohttp is None else (aiohttp.ClientError,)


def _unmapped(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """An httpx error for an aiohttp one httpx-aiohttp does not map (a malformed answer raises
    ``ClientResponseError``, whose text carries the whole URL): redacted text, no chain."""
    import aiohttp  # loaded already: exc is one of its errors

    kind = httpx.RemoteProtocolError if isinstance(exc, aiohttp.ClientResponseError) else httpx.TransportError
    return kind(redact(str(exc)), request=request)


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Wraps an async httpx transport with ``RetryPolicy`` retries."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Any] | None = None,
        random: Callable[[], float] = _random.random,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import asyncio  # here, not at the top: a sync client never needs it

        self.wrapped = transport if transport is not None else httpx.AsyncHTTPTransport()
        """The httpx transport that sends each attempt."""
        self.policy = policy if policy is not None else RetryPolicy()
        """The ``RetryPolicy`` applied."""
        self.max_response_bytes = check_max_response_bytes(max_response_bytes)
        """Largest API answer read, raw and decoded (else ``InvalidResponseError``)."""
        self._sleep = sleep if sleep is not None else asyncio.sleep
        self._random = random
        self._clock = clock

    async def _attempt(self, request: httpx.Request) -> httpx.Response:
        import asyncio  # loaded already: this is an async client

        if not is_bounded(request):
            return await self.wrapped.handle_async_request(request)
        seconds = attempt_deadline(request)
        base = request.extensions.get("timeout")
        if seconds is not None:
            request.extensions["timeout"] = _TimeLeft(base, self._clock() + seconds, self._clock)
        try:
            async with asyncio.timeout(seconds) as scope:
                response = await self.wrapped.handle_async_request(request)
                reader = AnswerReader(self.max_response_bytes, response.status_code)
                try:
                    if not reader.held(response):
                        async for chunk in response.aiter_raw():
                            reader.feed(chunk)
                finally:
                    await response.aclose()
        except TimeoutError:
            if seconds is not None and scope.expired():
                raise too_late(request, seconds) from None
            raise
        finally:
            if seconds is not None:
                request.extensions["timeout"] = base
        return reader.answer(response, request)

    async def _perform(self, action: Send | Discard | Sleep) -> Any:
        if isinstance(action, Send):
            try:
                return await self._attempt(action.request)
            except httpx.TransportError as exc:  # also what low_level calls get: no URL in it
                scrub(exc)
                raise
            except _aiohttp_errors() as exc:  # what httpx-aiohttp passes through unmapped
                error = _unmapped(exc, action.request)
            raise error  # outside the except: no chained aiohttp error (its text holds the URL)
        if isinstance(action, Discard):
            await action.response.aread()
            return await action.response.aclose()
        return await self._sleep(action.seconds)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, retrying throttling and server errors as the policy says."""
        return await run_async(retry_flow(self.policy, request, self._random), self._perform)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self.wrapped.aclose()
