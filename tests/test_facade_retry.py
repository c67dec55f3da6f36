"""Retries: the pure decision, and both transports over real HTTP (ClientToken kept per call)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from _servers import FakeParticipantService, Fault
from connect_participant import (
    AsyncParticipantClient,
    AsyncRetryTransport,
    ConflictError,
    InternalServerError,
    ParticipantClient,
    ParticipantServiceError,
    RetryPolicy,
    RetryTransport,
    ServiceQuotaExceededError,
    ThrottlingError,
    ValidationError,
)
from connect_participant._retry import parse_retry_after
from connect_participant_api.api.participant import send_message as ll_send_message
from connect_participant_api.models import SendMessageRequest

FAST = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.002)
NOW = datetime(2026, 11, 26, 15, 0, 0, tzinfo=UTC)


def _one() -> float:
    return 1.0


# -- pure decisions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses(status: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=8)
    assert policy.delay(1, status=status, random=_one) == 0.5
    assert policy.delay(2, status=status, random=_one) == 1.0
    assert policy.delay(3, status=status, random=_one) is None  # max_attempts=3: no fourth


@pytest.mark.parametrize("status", [200, 400, 401, 402, 403, 404, 408, 409, 413, 501, 509])
def test_never_retried_statuses(status: int) -> None:
    assert RetryPolicy().delay(1, status=status, random=_one) is None


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("x"),
        httpx.ReadTimeout("x"),
        httpx.ConnectTimeout("x"),
        httpx.PoolTimeout("x"),
        httpx.ReadError("x"),
        httpx.WriteError("x"),
        httpx.RemoteProtocolError("x"),
    ],
)
def test_retryable_errors(error: Exception) -> None:
    assert RetryPolicy().delay(1, error=error, random=_one) == 0.5


@pytest.mark.parametrize(
    "error", [httpx.LocalProtocolError("x"), httpx.UnsupportedProtocol("x"), ValueError("x")]
)
def test_not_retryable_errors(error: Exception) -> None:
    assert RetryPolicy().delay(1, error=error, random=_one) is None


def test_full_jitter_and_cap() -> None:
    policy = RetryPolicy(max_attempts=20, base_delay=0.5, max_delay=8)
    assert [policy.delay(n, status=503, random=_one) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]
    assert policy.delay(4, status=503, random=lambda: 0.25) == 1.0
    assert policy.delay(4, status=503, random=lambda: 0.0) == 0.0
    assert policy.delay(19, status=503, random=_one) == 8
    assert RetryPolicy(max_attempts=1).delay(1, status=503) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"Retry-After": "Thu, 26 Nov 2026 15:00:07 GMT"}, 7.0),
        ({"Retry-After": "Thu, 26 Nov 2026 14:59:00 GMT"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "junk", "Retry-After": "9"}, 9.0),
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "-4"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=lambda: NOW) == expected


def test_retry_after_honoured_and_capped() -> None:
    policy = RetryPolicy(max_retry_after=20)
    assert policy.delay(1, status=429, headers={"Retry-After": "7"}, random=_one) == 7
    assert policy.delay(1, status=503, headers={"Retry-After": "600"}, random=_one) == 20
    assert policy.delay(1, status=400, headers={"Retry-After": "1"}) is None


# -- the transports over HTTP -----------------------------------------------------------------------


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        yield service


def test_retries_keep_the_client_token(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(svc.new_participant())
        svc.fail("SendMessage", Fault(503), Fault(drop=True))
        result = chat.send_message("once")
        chat.send_message("twice")
    sent = svc.of("SendMessage")
    assert len(sent) == 4
    assert result.id
    tokens = [r.body["ClientToken"] for r in sent]
    assert tokens[0] == tokens[1] == tokens[2] != tokens[3]
    assert [r.body["Content"] for r in sent] == ["once"] * 3 + ["twice"]


async def test_async_retries_keep_the_client_token(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = await client.connect(svc.new_participant())
        svc.fail(
            "SendEvent",
            Fault(429, b'{"message":"slow"}', {"x-amzn-ErrorType": "ThrottlingException"}),
            Fault(drop=True),
        )
        await chat.send_typing()
        svc.fail("DisconnectParticipant", Fault(502))
        await chat.disconnect()
    events = svc.of("SendEvent")
    assert len(events) == 3
    assert len({r.body["ClientToken"] for r in events}) == 1
    disconnects = svc.of("DisconnectParticipant")
    assert len(disconnects) == 2
    assert disconnects[0].body == disconnects[1].body


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "ValidationException", ValidationError),
        (402, "ServiceQuotaExceededException", ServiceQuotaExceededError),
        (409, "ConflictException", ConflictError),
    ],
)
def test_client_errors_are_not_retried(
    svc: FakeParticipantService, status: int, code: str, error: type[ParticipantServiceError]
) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(svc.new_participant())
        svc.fail("SendMessage", Fault(status, b"{}", {"x-amzn-ErrorType": code}))
        with pytest.raises(error) as caught:
            chat.send_message("x")
        assert type(caught.value) is error
        assert (caught.value.code, caught.value.status_code) == (code, status)
    assert svc.count("SendMessage") == 1


def test_gives_up_after_max_attempts(svc: FakeParticipantService) -> None:
    throttled = Fault(429, b'{"message":"Rate exceeded"}', {"x-amzn-ErrorType": "ThrottlingException"})
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(svc.new_participant())
        svc.fail("SendMessage", throttled, throttled, throttled)
        with pytest.raises(ThrottlingError, match="Rate exceeded"):
            chat.send_message("x")
        svc.fail("SendMessage", Fault(500), Fault(500), Fault(500), Fault(500))
        with pytest.raises(InternalServerError):
            chat.send_message("x")
    assert svc.count("SendMessage") == 6


def test_retry_after_is_waited_for(svc: FakeParticipantService) -> None:
    slept: list[float] = []
    transport = RetryTransport(httpx.HTTPTransport(), RetryPolicy(max_retry_after=0.5), sleep=slept.append)
    svc.fail("*", Fault(429, headers={"Retry-After": "0.2"}), Fault(503, headers={"Retry-After": "30"}))
    with httpx.Client(transport=transport) as http:
        assert http.post(svc.endpoint_url + "/participant/message", content=b"{}").status_code == 403
    assert slept == [0.2, 0.5]


def test_generated_low_level_calls_get_the_same_retries(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(svc.new_participant())
        svc.fail("SendMessage", Fault(503), Fault(504))
        response = ll_send_message.sync_detailed(
            client=client.low_level,
            body=SendMessageRequest(content_type="text/plain", content="low", client_token="fixed-token"),
            x_amz_bearer=chat.connection_token.reveal(),
        )
        assert response.status_code == 200
    assert [r.body["ClientToken"] for r in svc.of("SendMessage")] == ["fixed-token"] * 3


async def test_async_low_level_calls_get_the_same_retries(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = await client.connect(svc.new_participant())
        svc.fail("SendMessage", Fault(500))
        response = await ll_send_message.asyncio_detailed(
            client=client.low_level,
            body=SendMessageRequest(content_type="text/plain", content="low"),
            x_amz_bearer=chat.connection_token.reveal(),
        )
        assert response.status_code == 200
    assert svc.count("SendMessage") == 2


def test_users_http_client_gets_retries(svc: FakeParticipantService) -> None:
    with httpx.Client() as mine:
        client = ParticipantClient(endpoint_url=svc.endpoint_url, http_client=mine, retry=FAST)
        assert isinstance(mine._transport, RetryTransport)
        assert str(mine.base_url).rstrip("/") == svc.endpoint_url
        chat = client.connect(svc.new_participant())
        svc.fail("SendMessage", Fault(503))
        chat.send_message("x")
        ParticipantClient(endpoint_url=svc.endpoint_url, http_client=mine)  # not wrapped twice
        assert not isinstance(mine._transport.wrapped, RetryTransport)
        client.close()  # not ours to close
        assert not mine.is_closed
    assert svc.count("SendMessage") == 2


async def test_users_async_http_client_gets_retries(svc: FakeParticipantService) -> None:
    async with httpx.AsyncClient() as mine:
        async with AsyncParticipantClient(
            endpoint_url=svc.endpoint_url, http_client=mine, retry=FAST
        ) as client:
            assert isinstance(mine._transport, AsyncRetryTransport)
            chat = await client.connect(svc.new_participant())
            svc.fail("SendMessage", Fault(503))
            await chat.send_message("x")
        assert not mine.is_closed
    assert svc.count("SendMessage") == 2


def test_one_shot_stream_bodies_are_not_replayed(svc: FakeParticipantService) -> None:
    svc.fail("*", Fault(503))
    with httpx.Client(transport=RetryTransport(policy=FAST)) as http:
        response = http.post(svc.endpoint_url + "/participant/message", content=iter([b"{", b"}"]))
    assert response.status_code == 503
    assert svc.count("SendMessage") == 1


def test_bodies_are_replayed_byte_for_byte(svc: FakeParticipantService) -> None:
    svc.fail("*", Fault(500), Fault(500))
    body = json.dumps({"ClientToken": "abc", "Content": "é"}).encode()
    with httpx.Client(transport=RetryTransport(policy=FAST)) as http:
        http.post(svc.endpoint_url + "/participant/message", content=body)
    assert [r.body for r in svc.of("SendMessage")] == [json.loads(body)] * 3
