"""The transport's answer bounds without a server (``make mutate``'s fast selection for ``_retry``):
the attempt deadline and its per-phase caps, the answer-size cap (raw and decoded), the decoding
of ``Content-Encoding`` in bounded steps, attachment storage requests streamed untouched, and the
default sync transport's choice by scheme. Scripted transports and streams stand in for the
network; ``tests/test_hostile_answers.py`` plays the same cases over real HTTP."""

from __future__ import annotations

import asyncio
import gzip
import random
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from connect_participant import (
    AsyncRetryTransport,
    InvalidInputError,
    InvalidResponseError,
    RetryPolicy,
    RetryTransport,
)
from connect_participant._deadline import DEADLINE
from connect_participant._deadline_net import _DeadlineBackend
from connect_participant._retry import (
    DEFAULT_MAX_RESPONSE_BYTES,
    STORAGE,
    AnswerReader,
    SchemeTransport,
    _Steps,
    _TimeLeft,
    attempt_deadline,
    check_max_response_bytes,
    deadline_transport,
    is_bounded,
    too_late,
)

ONCE = RetryPolicy(max_attempts=1)
URL = "http://127.0.0.1:9/participant/message"
TIMEOUT = {"connect": 5.0, "read": 15.0, "write": 5.0, "pool": 5.0}


def noise(size: int) -> bytes:
    """Bytes that do not compress (a gzip of them is about as large)."""
    return random.Random(size).randbytes(size)


class Clock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed body, sync and async; ``tick`` runs before each chunk (a clock to advance)."""

    def __init__(self, *chunks: bytes, tick: Any = None) -> None:
        self.chunks = chunks
        self.tick = tick
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            if self.tick is not None:
                self.tick()
            self.sent += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if self.tick is not None:
                await self.tick()
            self.sent += 1
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Script(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers in turn (a Response or an exception); notes what each request carried."""

    def __init__(self, *answers: httpx.Response | BaseException) -> None:
        self.answers = list(answers)
        self.seen: list[dict[str, Any]] = []
        self.closed = False

    def _next(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout")
        self.seen.append(
            {
                "timeout": timeout,
                "read": timeout.get("read") if isinstance(timeout, dict) else None,
                "deadline": DEADLINE.get(),
            }
        )
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._next(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._next(request)

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def request(timeout: object = None, **extensions: Any) -> httpx.Request:
    made = httpx.Request("POST", URL, content=b"{}")
    if timeout is not None:
        made.extensions["timeout"] = timeout
    made.extensions.update(extensions)
    return made


def streamed(status: int, *chunks: bytes, headers: Any = None, tick: Any = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, stream=Chunks(*chunks, tick=tick))


# -- the pure parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1023, 0, -1, True, 2048.0, "4096", None])
def test_a_bad_max_response_bytes_is_named(value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_max_response_bytes(value)
    assert (caught.value.argument, caught.value.rule) == (
        "max_response_bytes",
        "must be an int >= 1024 (bytes)",
    )
    with pytest.raises(InvalidInputError, match="max_response_bytes"):
        RetryTransport(Script(), max_response_bytes=value)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="max_response_bytes"):
        AsyncRetryTransport(Script(), max_response_bytes=value)  # type: ignore[arg-type]


def test_max_response_bytes_from_1024() -> None:
    assert check_max_response_bytes(1024) == 1024
    assert check_max_response_bytes(DEFAULT_MAX_RESPONSE_BYTES) == 10 * 1024 * 1024
    assert RetryTransport(Script()).max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES
    assert RetryTransport(Script(), max_response_bytes=4096).max_response_bytes == 4096
    assert AsyncRetryTransport(Script(), max_response_bytes=4096).max_response_bytes == 4096


@pytest.mark.parametrize(
    ("timeout", "seconds"),
    [
        (None, None),
        ("15", None),
        ([15.0], None),
        (TIMEOUT, 15.0),
        ({"connect": 3, "read": None, "write": None, "pool": None}, 3),
        ({"connect": 2.5, "read": 7}, 7),
        ({"read": None}, None),
        ({}, None),
        ({"connect": 0, "read": -4.0, "write": float("inf"), "pool": float("nan")}, None),
        ({"connect": 0, "read": 0.25, "write": float("inf")}, 0.25),
        ({"read": "20", "connect": 1.0}, 1.0),
    ],
)
def test_the_attempt_deadline_is_the_largest_finite_timeout_part(
    timeout: object, seconds: float | None
) -> None:
    assert attempt_deadline(request(timeout)) == seconds


def test_storage_requests_are_not_bounded() -> None:
    assert is_bounded(request())
    assert is_bounded(request(**{STORAGE: False}))
    assert not is_bounded(request(**{STORAGE: True}))


def test_time_left_caps_every_timeout_part() -> None:
    clock = Clock(100.0)
    left = _TimeLeft({"connect": 5.0, "read": 15.0, "write": None}, 110.0, clock)
    assert dict(left) == {"connect": 5.0, "read": 15.0, "write": None}
    assert left.get("connect") == 5.0  # below the time left: as it was
    assert left.get("read") == 10.0  # above: the time left
    assert left.get("write") == 10.0  # no timeout: the time left
    assert left.get("pool") == 10.0
    assert left.get("pool", 2.0) == 2.0
    clock.now = 107.5
    assert left.get("read") == 2.5
    assert left.get("connect") == 2.5
    clock.now = 110.0
    assert left.get("read") == 0.001  # never 0 (httpcore would wait forever on some backends)
    clock.now = 500.0
    assert left.get("connect") == 0.001
    assert dict(_TimeLeft(None, 110.0, clock)) == {}
    assert dict(_TimeLeft([("read", 1.0)], 110.0, clock)) == {}


def test_too_late_names_the_deadline() -> None:
    made = request()
    error = too_late(made, 1.5)
    assert isinstance(error, httpx.ReadTimeout)
    assert str(error) == "no complete answer within the 1.5 s deadline"
    assert error.request is made
    assert str(too_late(made, 15.0)) == "no complete answer within the 15 s deadline"


def test_bounded_steps_feed_the_decoder() -> None:
    assert [len(c) for c in _Steps(b"x" * 10_000)] == [4096, 4096, 1808]
    assert list(_Steps(b"")) == []
    raw = noise(9000)
    assert b"".join(_Steps(raw)) == raw


# -- AnswerReader ------------------------------------------------------------------------------------


def test_the_cap_counts_raw_bytes() -> None:
    reader = AnswerReader(2048, 200)
    reader.feed(b"a" * 1024)
    reader.feed(b"b" * 1024)  # exactly the cap: kept
    assert reader.answer(httpx.Response(200), request()).content == b"a" * 1024 + b"b" * 1024
    reader = AnswerReader(2048, 503)
    reader.feed(b"a" * 2000)
    with pytest.raises(InvalidResponseError) as caught:
        reader.feed(b"b" * 49)
    error = caught.value
    assert (error.code, error.status_code) == ("ResponseTooLarge", 503)
    assert error.message == "the answer is larger than max_response_bytes (2048 bytes)"


def test_an_answer_in_memory_is_taken_as_it_is() -> None:
    held = httpx.Response(200, content=gzip.compress(b'{"Id": "m-1"}'), headers={"Content-Encoding": "gzip"})
    reader = AnswerReader(1024, 200)
    assert reader.held(held)  # a mock transport's answer: httpx decoded it already
    answer = reader.answer(held, request())
    assert answer.content == b'{"Id": "m-1"}'
    assert "content-encoding" not in answer.headers

    big = httpx.Response(200, content=b"x" * 1025)
    with pytest.raises(InvalidResponseError, match=r"than max_response_bytes \(1024 bytes\)"):
        AnswerReader(1024, 200).held(big)

    stream = streamed(200, b"{}")
    reader = AnswerReader(1024, 200)
    assert not reader.held(stream)
    assert not stream.stream.sent  # type: ignore[attr-defined]
    reader.feed(b"{}")
    assert reader.answer(stream, request()).content == b"{}"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("identity", lambda b: b)],
)
def test_an_encoded_answer_is_decoded_in_steps(encoding: str, compress: Any) -> None:
    body = noise(20_000)  # several decode steps
    raw = compress(body)
    made = request()
    response = httpx.Response(
        201,
        headers=[
            ("Content-Encoding", encoding),
            ("Content-Length", str(len(raw))),
            ("x-amzn-RequestId", "r-1"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
        stream=Chunks(raw),
        extensions={"http_version": b"HTTP/1.1"},
    )
    reader = AnswerReader(32 * 1024, 201)
    for start in range(0, len(raw), 1000):
        reader.feed(raw[start : start + 1000])
    answer = reader.answer(response, made)
    assert answer.content == body
    assert answer.status_code == 201
    assert answer.request is made
    assert answer.extensions == {"http_version": b"HTTP/1.1"}
    assert answer.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert answer.headers["x-amzn-requestid"] == "r-1"
    assert "content-encoding" not in answer.headers
    assert answer.headers["content-length"] == str(len(body))  # the decoded body's, not the wire's


def test_a_plain_answer_is_handed_on_whole() -> None:
    """Neither encoded nor chunked (the common answer): the same status, body, headers and extensions."""
    body = b'{"Id":"m-1"}'
    made = request()
    response = httpx.Response(
        200,
        headers=[("Content-Length", str(len(body))), ("x-amzn-RequestId", "r-2"), ("Set-Cookie", "a=1")],
        stream=Chunks(body),
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": b"OK"},
    )
    reader = AnswerReader(1024, 200)
    reader.feed(body)
    answer = reader.answer(response, made)
    assert answer.content == body
    assert answer.status_code == 200
    assert answer.request is made
    assert answer.extensions == {"http_version": b"HTTP/1.1", "reason_phrase": b"OK"}
    assert answer.headers["content-length"] == str(len(body))
    assert answer.headers["x-amzn-requestid"] == "r-2"
    assert answer.headers.get_list("set-cookie") == ["a=1"]


def test_transfer_encoding_is_not_handed_on() -> None:
    response = httpx.Response(
        200, headers={"Transfer-Encoding": "chunked", "X-Kept": "1"}, stream=Chunks(b"{}")
    )
    reader = AnswerReader(1024, 200)
    reader.feed(b"{}")
    answer = reader.answer(response, request())
    assert "transfer-encoding" not in answer.headers
    assert answer.headers["x-kept"] == "1"


def test_the_cap_counts_all_decoded_bytes() -> None:
    """Every decode step yields less than the cap; together they are more."""
    letters = random.Random(4)
    body = "".join(letters.choice("ACGT") for _ in range(200_000)).encode()  # ~4:1 in gzip
    raw = gzip.compress(body)
    limit = 128 * 1024
    assert len(raw) < limit < len(body)
    response = httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=Chunks(raw))
    steps = list(httpx.Response(200, headers=response.headers, stream=_Steps(raw)).iter_bytes())
    assert len(steps) > 4
    assert max(len(step) for step in steps) < limit
    reader = AnswerReader(limit, 200)
    reader.feed(raw)
    with pytest.raises(InvalidResponseError) as caught:
        reader.answer(response, request())
    assert caught.value.code == "ResponseTooLarge"
    reader = AnswerReader(len(body), 200)
    reader.feed(raw)
    assert reader.answer(response, request()).content == body


def test_the_cap_counts_decoded_bytes_too() -> None:
    bomb = gzip.compress(b"\0" * 1024 * 1024)  # 1 MiB of zeros in ~1 KiB
    assert len(bomb) < 4096
    headers = {"Content-Encoding": "gzip"}
    reader = AnswerReader(64 * 1024, 200)
    reader.feed(bomb)
    with pytest.raises(InvalidResponseError) as caught:
        reader.answer(httpx.Response(200, headers=headers), request())
    assert (caught.value.code, caught.value.status_code) == ("ResponseTooLarge", 200)
    assert caught.value.message == "the answer is larger than max_response_bytes (65536 bytes)"
    # exactly at the cap: read
    exact = gzip.compress(b"y" * 4096)
    reader = AnswerReader(4096, 200)
    reader.feed(exact)
    assert reader.answer(httpx.Response(200, headers=headers), request()).content == b"y" * 4096


@pytest.mark.parametrize(
    ("encoding", "raw"),
    [("gzip", b"\x1f\x8b not gzip at all"), ("deflate", b"not deflate")],
)
def test_an_encoding_that_does_not_decode_is_an_invalid_response(encoding: str, raw: bytes) -> None:
    reader = AnswerReader(1024, 500)
    reader.feed(raw)
    response = httpx.Response(500, headers={"Content-Encoding": encoding})
    with pytest.raises(InvalidResponseError) as caught:
        reader.answer(response, request())
    error = caught.value
    assert (error.code, error.status_code) == ("InvalidResponse", 500)
    assert error.message == "the answer's Content-Encoding did not decode"
    assert isinstance(error.__cause__, httpx.DecodingError)
    assert error.__cause__.__cause__ is None
    assert error.__cause__.__context__ is None


# -- the sync transport ------------------------------------------------------------------------------


def test_an_answer_is_read_whole_and_its_stream_closed() -> None:
    body = streamed(200, b'{"Id":', b' "m-1"}', headers={"Content-Type": "application/json"})
    transport = RetryTransport(Script(body), ONCE)
    made = request(TIMEOUT)
    answer = transport.handle_request(made)
    assert answer.request is made  # what httpx's client and the generated client read it with
    assert answer.content == b'{"Id": "m-1"}'
    assert answer.json() == {"Id": "m-1"}
    assert body.stream.closed  # type: ignore[attr-defined]


def test_a_streamed_answer_above_the_cap_is_cut_and_closed() -> None:
    body = streamed(200, b"x" * 1000, b"x" * 1000, b"x" * 1000, b"never read")
    transport = RetryTransport(Script(body), ONCE, max_response_bytes=2048)
    with pytest.raises(InvalidResponseError) as caught:
        transport.handle_request(request(TIMEOUT))
    assert (caught.value.code, caught.value.status_code) == ("ResponseTooLarge", 200)
    assert body.stream.sent == 3  # type: ignore[attr-defined]
    assert body.stream.closed  # type: ignore[attr-defined]


def test_a_held_answer_above_the_cap_is_refused() -> None:
    transport = RetryTransport(
        Script(httpx.Response(200, content=b"x" * 1025)), ONCE, max_response_bytes=1024
    )
    with pytest.raises(InvalidResponseError, match=r"\(1024 bytes\)"):
        transport.handle_request(request(TIMEOUT))
    fits = RetryTransport(Script(httpx.Response(200, content=b"x" * 1024)), ONCE, max_response_bytes=1024)
    assert fits.handle_request(request()).content == b"x" * 1024


def test_a_gzip_answer_is_handed_on_decoded() -> None:
    raw = gzip.compress(b'{"Id": "m-gz"}')
    body = streamed(200, raw[:5], raw[5:], headers={"Content-Encoding": "gzip"})
    answer = RetryTransport(Script(body), ONCE).handle_request(request(TIMEOUT))
    assert answer.json() == {"Id": "m-gz"}
    assert "content-encoding" not in answer.headers


def test_each_phase_waits_at_most_the_time_left_and_the_timeouts_come_back() -> None:
    clock = Clock(100.0)

    def later() -> None:
        clock.now += 4.0

    timeout = dict(TIMEOUT)
    made = request(timeout)
    script = Script(streamed(200, b"a", b"b", b"c", tick=later))
    transport = RetryTransport(script, ONCE, clock=clock)
    answer = transport.handle_request(made)
    assert answer.content == b"abc"  # 112 s: within the 15 s deadline
    seen = script.seen[0]
    assert isinstance(seen["timeout"], _TimeLeft)
    assert dict(seen["timeout"]) == TIMEOUT
    assert seen["read"] == 15.0
    assert made.extensions["timeout"] is timeout  # the request's own again
    deadline = seen["deadline"]  # the sockets' deadline (real monotonic time): about 15 s ahead
    assert deadline is not None
    assert 0 < deadline - time.monotonic() <= 15.0
    assert DEADLINE.get() is None


def test_an_answer_trickled_past_the_deadline_is_cut() -> None:
    clock = Clock(100.0)

    def later() -> None:
        clock.now += 4.0

    body = streamed(200, b"a", b"b", b"c", b"d", b"e", tick=later)
    transport = RetryTransport(Script(body), ONCE, clock=clock)
    timeout = {"connect": 1.0, "read": 15.0}
    made = request(timeout)
    with pytest.raises(httpx.ReadTimeout, match=r"^no complete answer within the 15 s deadline$") as caught:
        transport.handle_request(made)
    assert caught.value.request is made
    assert body.stream.sent == 4  # type: ignore[attr-defined]  # 116 s > 115 s: cut after the 4th
    assert body.stream.closed  # type: ignore[attr-defined]
    assert made.extensions["timeout"] is timeout
    assert DEADLINE.get() is None


def test_an_answer_ending_right_at_the_deadline_is_kept() -> None:
    clock = Clock(100.0)

    def later() -> None:
        clock.now += 5.0

    body = streamed(200, b"a", b"b", b"c", tick=later)
    answer = RetryTransport(Script(body), ONCE, clock=clock).handle_request(request({"read": 15.0}))
    assert answer.content == b"abc"  # the last chunk at 115.0 exactly


def test_a_cut_attempt_is_retried_like_any_timeout() -> None:
    clock = Clock(0.0)

    def later() -> None:
        clock.now += 10.0

    slow = streamed(200, b"a", b"b", tick=later)
    script = Script(slow, streamed(200, b"ok"))
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=0.5)
    transport = RetryTransport(script, policy, clock=clock, sleep=waits.append, random=lambda: 1.0)
    assert transport.handle_request(request({"read": 5.0})).content == b"ok"
    assert waits == [0.5]
    assert script.seen[1]["read"] == 5.0  # the second attempt gets a deadline of its own


def test_without_a_timeout_there_is_no_deadline() -> None:
    clock = Clock(0.0)

    def later() -> None:
        clock.now += 1000.0

    script = Script(streamed(200, b"a", b"b", tick=later))
    made = request()
    assert RetryTransport(script, ONCE, clock=clock).handle_request(made).content == b"ab"
    assert script.seen[0] == {"timeout": None, "read": None, "deadline": None}
    assert "timeout" not in made.extensions
    script = Script(streamed(200, b"a", tick=later))
    made = request({"read": None, "connect": None})
    RetryTransport(script, ONCE, clock=clock).handle_request(made)
    assert script.seen[0]["deadline"] is None
    assert type(made.extensions["timeout"]) is dict


def test_the_deadline_and_timeouts_come_back_when_the_attempt_fails() -> None:
    timeout = dict(TIMEOUT)
    made = request(timeout)
    script = Script(httpx.ConnectError("refused"))
    with pytest.raises(httpx.ConnectError):
        RetryTransport(script, ONCE).handle_request(made)
    assert isinstance(script.seen[0]["timeout"], _TimeLeft)
    assert script.seen[0]["deadline"] is not None
    assert made.extensions["timeout"] is timeout
    assert DEADLINE.get() is None


def test_a_storage_request_is_streamed_untouched() -> None:
    big = streamed(200, b"x" * 1024, b"x" * 1024)
    script = Script(big)
    transport = RetryTransport(script, ONCE, max_response_bytes=1024)
    timeout = dict(TIMEOUT)
    made = request(timeout, **{STORAGE: True})
    answer = transport.handle_request(made)
    assert answer is big  # not read, not capped
    assert not big.stream.sent  # type: ignore[attr-defined]
    assert script.seen[0]["timeout"] is timeout  # per-read timeouts only
    assert script.seen[0]["deadline"] is None
    assert answer.read() == b"x" * 2048


def test_a_storage_answer_retried_is_read_and_closed_first() -> None:
    busy = streamed(503, b"<Error>", b"SlowDown</Error>")
    script = Script(busy, streamed(200, b"stored"))
    policy = RetryPolicy(max_attempts=2, base_delay=0, max_delay=0)
    transport = RetryTransport(script, policy, sleep=lambda s: None)
    answer = transport.handle_request(request(**{STORAGE: True}))
    assert answer.read() == b"stored"
    assert busy.stream.sent == 2  # type: ignore[attr-defined]  # read: the connection can be reused
    assert busy.stream.closed  # type: ignore[attr-defined]


def test_close_closes_the_wrapped_transport() -> None:
    script = Script()
    RetryTransport(script).close()
    assert script.closed


# -- the async transport -----------------------------------------------------------------------------


async def test_async_answer_is_read_whole_capped_and_decoded() -> None:
    raw = gzip.compress(b'{"Id": "m-gz"}')
    body = streamed(200, raw[:5], raw[5:], headers={"Content-Encoding": "gzip"})
    made = request(TIMEOUT)
    answer = await AsyncRetryTransport(Script(body), ONCE).handle_async_request(made)
    assert answer.request is made
    assert answer.json() == {"Id": "m-gz"}
    assert "content-encoding" not in answer.headers
    assert body.stream.closed  # type: ignore[attr-defined]

    big = streamed(200, b"x" * 1000, b"x" * 1000, b"x" * 1000, b"never read")
    transport = AsyncRetryTransport(Script(big), ONCE, max_response_bytes=2048)
    with pytest.raises(InvalidResponseError) as caught:
        await transport.handle_async_request(request(TIMEOUT))
    assert (caught.value.code, caught.value.status_code) == ("ResponseTooLarge", 200)
    assert big.stream.sent == 3  # type: ignore[attr-defined]
    assert big.stream.closed  # type: ignore[attr-defined]

    held = AsyncRetryTransport(
        Script(httpx.Response(200, content=b"x" * 1025)), ONCE, max_response_bytes=1024
    )
    with pytest.raises(InvalidResponseError, match=r"than max_response_bytes \(1024 bytes\)"):
        await held.handle_async_request(request())


async def test_async_phases_wait_at_most_the_time_left_and_the_timeouts_come_back() -> None:
    clock = Clock(100.0)
    timeout = dict(TIMEOUT)
    made = request(timeout)
    script = Script(streamed(200, b"ok"))
    transport = AsyncRetryTransport(script, ONCE, clock=clock)
    assert (await transport.handle_async_request(made)).content == b"ok"
    seen = script.seen[0]
    assert isinstance(seen["timeout"], _TimeLeft)
    assert dict(seen["timeout"]) == TIMEOUT
    assert seen["read"] == 15.0
    clock.now = 112.0
    assert seen["timeout"].get("read") == 3.0  # the deadline is 115: the clock's time + 15 s
    assert made.extensions["timeout"] is timeout

    plain = request()
    script = Script(streamed(200, b"ok"))
    await AsyncRetryTransport(script, ONCE, clock=clock).handle_async_request(plain)
    assert script.seen[0]["timeout"] is None
    assert "timeout" not in plain.extensions


async def test_async_answer_trickled_past_the_deadline_is_cut() -> None:
    async def stall() -> None:
        await asyncio.sleep(30)

    body = streamed(200, b"a", b"b", tick=stall)
    timeout = {"connect": 0.01, "read": 0.05}
    made = request(timeout)
    transport = AsyncRetryTransport(Script(body), ONCE)
    with pytest.raises(httpx.ReadTimeout, match=r"^no complete answer within the 0.05 s deadline$") as caught:
        await transport.handle_async_request(made)
    assert caught.value.request is made
    assert caught.value.__cause__ is None
    assert body.stream.closed  # type: ignore[attr-defined]
    assert made.extensions["timeout"] is timeout


async def test_async_timeout_of_its_own_is_not_taken_for_the_deadline() -> None:
    transport = AsyncRetryTransport(Script(TimeoutError("the wrapped transport's")), ONCE)
    with pytest.raises(TimeoutError, match="the wrapped transport's"):
        await transport.handle_async_request(request(TIMEOUT))
    transport = AsyncRetryTransport(Script(TimeoutError("no deadline")), ONCE)
    with pytest.raises(TimeoutError, match="no deadline"):
        await transport.handle_async_request(request())


async def test_async_storage_request_is_streamed_untouched() -> None:
    big = streamed(200, b"x" * 1024, b"x" * 1024)
    script = Script(big)
    timeout = dict(TIMEOUT)
    transport = AsyncRetryTransport(script, ONCE, max_response_bytes=1024)
    answer = await transport.handle_async_request(request(timeout, **{STORAGE: True}))
    assert answer is big
    assert not big.stream.sent  # type: ignore[attr-defined]
    assert script.seen[0]["timeout"] is timeout
    assert await answer.aread() == b"x" * 2048


async def test_async_storage_answer_retried_is_read_and_closed_first() -> None:
    busy = streamed(503, b"<Error>", b"SlowDown</Error>")
    script = Script(busy, streamed(200, b"stored"))

    async def no_wait(seconds: float) -> None:
        pass

    policy = RetryPolicy(max_attempts=2, base_delay=0, max_delay=0)
    transport = AsyncRetryTransport(script, policy, sleep=no_wait)
    answer = await transport.handle_async_request(request(**{STORAGE: True}))
    assert await answer.aread() == b"stored"
    assert busy.stream.sent == 2  # type: ignore[attr-defined]
    assert busy.stream.closed  # type: ignore[attr-defined]


async def test_async_transport_errors_lose_the_url_and_their_chain() -> None:
    url = "https://bucket.s3.example.com/f?X-Amz-Signature=sig789"
    error = httpx.ConnectError(f"cannot reach {url}")
    error.__cause__ = OSError(url)
    transport = AsyncRetryTransport(Script(error), ONCE)
    with pytest.raises(httpx.ConnectError) as caught:
        await transport.handle_async_request(request(TIMEOUT))
    assert caught.value is error
    assert "sig789" not in str(caught.value)
    assert str(caught.value).startswith("cannot reach https://bucket.s3.example.com/f?")
    assert caught.value.__cause__ is None


async def test_async_close_closes_the_wrapped_transport() -> None:
    script = Script()
    await AsyncRetryTransport(script).aclose()
    assert script.closed


async def test_async_default_sleep_is_asyncio_sleep() -> None:
    script = Script(streamed(503, b""), streamed(200, b"ok"))
    policy = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.001)
    answer = await AsyncRetryTransport(script, policy).handle_async_request(request())
    assert answer.content == b"ok"


# -- the default sync transport ----------------------------------------------------------------------


def test_deadline_transport_has_deadline_sockets() -> None:
    limits = httpx.Limits(max_connections=7, max_keepalive_connections=3)
    transport = deadline_transport(limits)
    pool = transport._pool
    assert isinstance(pool._network_backend, _DeadlineBackend)
    assert pool._max_connections == 7
    assert pool._max_keepalive_connections == 3
    assert pool._ssl_context.verify_mode.name == "CERT_REQUIRED"
    plain = deadline_transport(limits, verify=False)
    assert plain._pool._ssl_context.verify_mode.name == "CERT_NONE"
    transport.close()
    plain.close()


def test_the_default_transport_picks_one_per_scheme() -> None:
    limits = httpx.Limits(max_connections=4)
    scheme = SchemeTransport(limits)
    tls = scheme._transport(True)
    plain = scheme._transport(False)
    assert tls is scheme._transport(True)  # made once
    assert plain is scheme._transport(False)
    assert tls is not plain
    assert tls._pool._ssl_context.verify_mode.name == "CERT_REQUIRED"
    assert plain._pool._ssl_context.verify_mode.name == "CERT_NONE"
    assert tls._pool._max_connections == plain._pool._max_connections == 4
    scheme.close()
    assert scheme._by_scheme == {}
    assert (
        tls._pool.connections == []
    )  # httpcore's public view (its list was _pool before 1.0.3, then _connections)
    assert plain._pool.connections == []


def test_the_default_transport_routes_by_scheme() -> None:
    scheme = SchemeTransport(httpx.Limits())
    routed: list[str] = []
    plain = Script(httpx.Response(200, text="plain"))
    tls = Script(httpx.Response(200, text="tls"), httpx.Response(200, text="tls"))
    scheme._by_scheme = {False: plain, True: tls}  # type: ignore[dict-item]
    for url in ("http://127.0.0.1/x", "https://example.com/x", "HTTPS://example.com/y"):
        routed.append(scheme.handle_request(httpx.Request("GET", url)).text)
    assert routed == ["plain", "tls", "tls"]
    scheme.close()
    assert plain.closed
    assert tls.closed
    assert scheme._by_scheme == {}


class RaceLock:
    """A lock under which another thread has just made the transport this one waited for."""

    def __init__(self, scheme: SchemeTransport, made: Any) -> None:
        self.scheme = scheme
        self.made = made

    def __enter__(self) -> None:
        self.scheme._by_scheme[True] = self.made

    def __exit__(self, *exc: object) -> None:
        pass


def test_a_transport_made_while_waiting_for_the_lock_is_used() -> None:
    scheme = SchemeTransport(httpx.Limits())
    winner = Script(httpx.Response(200, text="winner's"))
    scheme._lock = RaceLock(scheme, winner)  # type: ignore[assignment]
    assert scheme._transport(True) is winner  # not replaced (it may hold connections already)
    assert scheme._by_scheme == {True: winner}


def test_only_the_scheme_used_is_made() -> None:
    scheme = SchemeTransport(httpx.Limits())
    scheme._transport(False)
    assert list(scheme._by_scheme) == [False]
    scheme.close()
