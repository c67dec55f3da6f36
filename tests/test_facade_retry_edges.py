"""Retry policy edges the main tests left open (found by ``make mutate``): every bad policy value
named, bounds at zero and infinity, Retry-After forms at their edges, the transports' defaults,
and the aiohttp errors httpx-aiohttp passes through unmapped."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import aiohttp
import httpx
import pytest
import yarl
from connect_participant import AsyncRetryTransport, InvalidInputError, RetryPolicy, RetryTransport
from connect_participant._retry import _aiohttp_errors, parse_retry_after
from multidict import CIMultiDict, CIMultiDictProxy

NOW = datetime(2026, 11, 26, 15, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "3", None])
def test_bad_max_attempts(value: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^max_attempts: must be an int >= 1$") as caught:
        RetryPolicy(max_attempts=value)  # type: ignore[arg-type]
    assert (caught.value.argument, caught.value.rule) == ("max_attempts", "must be an int >= 1")


@pytest.mark.parametrize("name", ["base_delay", "max_delay", "max_retry_after"])
@pytest.mark.parametrize("value", [-0.001, -1, float("inf"), float("nan"), True, "1", None])
def test_bad_delays(name: str, value: object) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RetryPolicy(**{name: value})
    assert (caught.value.argument, caught.value.rule) == (name, "must be a finite number >= 0")


@pytest.mark.parametrize("name", ["base_delay", "max_delay", "max_retry_after"])
def test_zero_delays_are_allowed(name: str) -> None:
    policy = RetryPolicy(**{name: 0})
    assert getattr(policy, name) == 0.0
    assert RetryPolicy(max_attempts=1).max_attempts == 1


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "0"}, 0.0),
        ({"retry-after-ms": "-5", "retry-after": "2"}, 2.0),
        ({"retry-after-ms": "inf", "retry-after": "3"}, 3.0),
        ({"retry-after-ms": "nan"}, None),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "-1"}, None),
        ({"Retry-After": "Thu, 26 Nov 2026 15:00:07 GMT"}, 7.0),
        # "-0000": a date without a known zone; read as UTC, not refused
        ({"Retry-After": "Thu, 26 Nov 2026 15:00:09 -0000"}, 9.0),
        ({"Retry-After": "Thu, 26 Nov 2026 14:00:00 GMT"}, 0.0),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_retry_after_forms(headers: dict[str, str], seconds: float | None) -> None:
    assert parse_retry_after(headers, lambda: NOW) == seconds


def test_retry_after_date_with_the_real_clock() -> None:
    assert parse_retry_after({"Retry-After": "Thu, 01 Jan 2015 00:00:00 -0000"}) == 0.0
    ahead = parse_retry_after({"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert ahead is not None
    assert ahead > 1e9


def test_transports_default_to_httpx_and_the_default_policy() -> None:
    sync = RetryTransport()
    assert isinstance(sync.wrapped, httpx.HTTPTransport)
    assert sync.policy == RetryPolicy()
    given = httpx.MockTransport(lambda request: httpx.Response(200))
    policy = RetryPolicy(max_attempts=5)
    sync = RetryTransport(given, policy)
    assert (sync.wrapped, sync.policy) == (given, policy)

    asynchronous = AsyncRetryTransport()
    assert isinstance(asynchronous.wrapped, httpx.AsyncHTTPTransport)
    assert asynchronous.policy == RetryPolicy()
    asynchronous = AsyncRetryTransport(given, policy)
    assert (asynchronous.wrapped, asynchronous.policy) == (given, policy)


class _Raising(httpx.AsyncBaseTransport):
    """What httpx-aiohttp lets through: aiohttp's own errors (a server can garble an answer so,
    but not on demand: this stands in for it)."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        raise self.error


def _response_error(url: str) -> aiohttp.ClientResponseError:
    # real_url given: aiohttp 3.11 and later (the floor is 3.13.0) require it
    info = aiohttp.RequestInfo(
        url=yarl.URL(url), method="PUT", headers=CIMultiDictProxy(CIMultiDict()), real_url=yarl.URL(url)
    )
    return aiohttp.ClientResponseError(info, (), status=400, message=f"bad answer from {url}")


async def test_unmapped_aiohttp_errors_become_httpx_errors_without_the_url() -> None:
    url = "https://bucket.s3.example.com/f?X-Amz-Signature=sig456&X-Amz-Credential=AKIA1"
    policy = RetryPolicy(max_attempts=3, base_delay=0, max_delay=0)

    garbled = _Raising(_response_error(url))
    transport = AsyncRetryTransport(garbled, policy)
    request = httpx.Request("PUT", url, content=b"x")
    with pytest.raises(httpx.RemoteProtocolError) as caught:
        await transport.handle_async_request(request)
    assert garbled.calls == 3  # a garbled answer is a protocol error: retried
    assert caught.value.request is request
    assert "sig456" not in str(caught.value)
    assert "bad answer from https://bucket.s3.example.com/f?[redacted]" in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None

    other = _Raising(aiohttp.ClientPayloadError(f"payload of {url} broken"))
    transport = AsyncRetryTransport(other, policy)
    with pytest.raises(httpx.TransportError) as caught:
        await transport.handle_async_request(request)
    assert type(caught.value) is httpx.TransportError
    assert other.calls == 1  # not known to be transient: not retried
    assert "sig456" not in str(caught.value)
    assert str(caught.value) == "payload of https://bucket.s3.example.com/f?[redacted] broken"
    assert caught.value.request is request


def test_without_aiohttp_loaded_there_is_no_aiohttp_error_to_catch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if the process never imported it
    assert _aiohttp_errors() == ()
    monkeypatch.undo()
    assert _aiohttp_errors() == (aiohttp.ClientError,)


async def test_async_transport_waits_with_the_sleep_it_was_given() -> None:
    answers = [httpx.Response(503), httpx.Response(200)]
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    class Scripted(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            return answers.pop(0)

    policy = RetryPolicy(max_attempts=2, base_delay=0.25, max_delay=0.25)
    transport = AsyncRetryTransport(Scripted(), policy, sleep=record, random=lambda: 1.0)
    response = await transport.handle_async_request(
        httpx.Request("POST", "http://127.0.0.1/x", content=b"{}")
    )
    assert response.status_code == 200
    assert waits == [0.25]


class _Script(httpx.BaseTransport):
    """Answers in turn: a Response, or an exception to raise."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_each_retry_is_logged_with_its_reason_and_wait(caplog: pytest.LogCaptureFixture) -> None:
    script = _Script(httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(200))
    waits: list[float] = []
    policy = RetryPolicy(max_attempts=3, base_delay=0.25, max_delay=0.25)
    transport = RetryTransport(script, policy, sleep=waits.append, random=lambda: 1.0)
    with caplog.at_level(logging.DEBUG, logger="connect_participant"):
        response = transport.handle_request(httpx.Request("POST", "http://127.0.0.1/participant/message?x=1"))
    assert response.status_code == 200
    assert waits == [0.25, 0.25]
    lines = [r.getMessage() for r in caplog.records if r.name == "connect_participant"]
    assert lines == [
        "POST /participant/message: ConnectError on attempt 1, retrying in 0.250s",
        "POST /participant/message: 503 on attempt 2, retrying in 0.250s",
    ]


def test_a_streamed_body_is_not_sent_again_after_a_transport_error() -> None:
    script = _Script(httpx.ConnectError("reset"), httpx.Response(200))
    transport = RetryTransport(
        script, RetryPolicy(max_attempts=3, base_delay=0, max_delay=0), sleep=lambda s: None
    )
    request = httpx.Request("PUT", "http://127.0.0.1/blob", content=iter([b"chunk"]))
    with pytest.raises(httpx.ConnectError):
        transport.handle_request(request)
    assert script.calls == 1


def test_delay_reads_a_retry_after_date_with_the_clock_it_is_given() -> None:
    policy = RetryPolicy(max_retry_after=20)
    headers = {"Retry-After": "Thu, 26 Nov 2026 15:00:07 GMT"}
    assert policy.delay(1, status=503, headers=headers, now=lambda: NOW) == 7.0
