"""Error mapping: the pure function, and every class raised over real HTTP from both error styles."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from _servers import FakeParticipantService, Fault
from connect_participant import (
    AccessDeniedError,
    AsyncParticipantClient,
    ConflictError,
    InternalServerError,
    ParticipantClient,
    ParticipantServiceError,
    ParticipantTransportError,
    ResourceNotFoundError,
    RetryPolicy,
    ServiceQuotaExceededError,
    ThrottlingError,
    ValidationError,
)
from connect_participant._errors import error_from_response, transport_error

CASES = [
    ("AccessDeniedException", 403, AccessDeniedError),
    ("ValidationException", 400, ValidationError),
    ("ServiceQuotaExceededException", 402, ServiceQuotaExceededError),
    ("ResourceNotFoundException", 404, ResourceNotFoundError),
    ("ConflictException", 409, ConflictError),
    ("ThrottlingException", 429, ThrottlingError),
    ("InternalServerException", 500, InternalServerError),
]


def _body(doc: object) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize(("code", "status", "cls"), CASES)
def test_header_style(code: str, status: int, cls: type[ParticipantServiceError]) -> None:
    error = error_from_response(
        status,
        {
            "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.x/",
            "x-amzn-RequestId": "r-1",
        },
        _body({"message": "nope"}),
    )
    assert type(error) is cls
    assert (error.code, error.message, error.status_code, error.request_id) == (code, "nope", status, "r-1")
    assert str(error) == f"{code}: nope (HTTP {status}, request id r-1)"


@pytest.mark.parametrize(("code", "status", "cls"), CASES)
@pytest.mark.parametrize("key", ["__type", "code"])
def test_body_style(code: str, status: int, cls: type[ParticipantServiceError], key: str) -> None:
    error = error_from_response(
        status,
        {"X-Amzn-Requestid": "r-2"},
        _body({key: f"com.amazonaws.connectparticipant#{code}", "Message": "x"}),
    )
    assert type(error) is cls
    assert (error.code, error.message, error.request_id) == (code, "x", "r-2")


def test_header_wins_over_body_and_code_wins_over_status() -> None:
    error = error_from_response(400, {"x-amzn-errortype": "ConflictException"}, _body({"__type": "Other"}))
    assert type(error) is ConflictError
    assert error.status_code == 400


def test_unknown_code_keeps_code_and_uses_status_class() -> None:
    error = error_from_response(403, {"x-amzn-ErrorType": "BrandNewDeniedException"}, b"{}")
    assert type(error) is AccessDeniedError
    assert error.code == "BrandNewDeniedException"
    assert error.message == "Forbidden"


def test_resource_not_found_carries_resource() -> None:
    error = error_from_response(
        404,
        {},
        _body(
            {
                "__type": "ResourceNotFoundException",
                "message": "m",
                "ResourceId": "c-1",
                "ResourceType": "CONTACT",
            }
        ),
    )
    assert isinstance(error, ResourceNotFoundError)
    assert (error.resource_id, error.resource_type) == ("c-1", "CONTACT")


@pytest.mark.parametrize(
    ("status", "body", "cls", "code", "message"),
    [
        (502, b"<html><body>Bad gateway</body></html>", InternalServerError, "HTTP502", "Bad Gateway"),
        (503, b"Service Unavailable", InternalServerError, "HTTP503", "Service Unavailable"),
        (500, b"", InternalServerError, "InternalServerException", "Internal Server Error"),
        (499, b"", ParticipantServiceError, "HTTP499", "unexpected HTTP status"),
        (302, b"[1, 2]", ParticipantServiceError, "HTTP302", "[1, 2]"),
        (429, b"{not json", ThrottlingError, "ThrottlingException", "{not json"),
        (418, _body({"message": 5}), ParticipantServiceError, "HTTP418", "I'm a Teapot"),
    ],
)
def test_odd_bodies_and_statuses(
    status: int, body: bytes, cls: type[ParticipantServiceError], code: str, message: str
) -> None:
    error = error_from_response(status, {}, body)
    assert type(error) is cls
    assert (error.code, error.message, error.request_id) == (code, message, None)


def test_messages_are_redacted() -> None:
    error = error_from_response(
        400, {}, _body({"message": "bad url https://s3/x?X-Amz-Signature=abc&X-Amz-Credential=k"})
    )
    assert "abc" not in str(error)
    assert "X-Amz-Credential" not in str(error)
    assert "[redacted]" in error.message


def test_transport_error_text() -> None:
    error = transport_error(httpx.ConnectError("[Errno 111] Connection refused"), 3)
    assert isinstance(error, ParticipantTransportError)
    assert error.status_code is None
    assert str(error) == "ConnectError: [Errno 111] Connection refused (after 3 attempts) (no HTTP response)"


# -- over HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        yield service


def _faults(code: str, status: int) -> list[Fault]:
    header = Fault(
        status, _body({"message": "h"}), {"x-amzn-ErrorType": f"{code}:http://x/", "x-amzn-RequestId": "rq"}
    )
    body = Fault(
        status,
        _body({"__type": f"com.amazonaws.connectparticipant#{code}", "Message": "b"}),
        {"x-amzn-RequestId": "rq"},
    )
    return [header, body]


@pytest.mark.parametrize(("code", "status", "cls"), CASES)
def test_every_class_raised_sync(
    svc: FakeParticipantService, code: str, status: int, cls: type[ParticipantServiceError]
) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=RetryPolicy(max_attempts=1)) as client:
        # resumed without a participant token: a 403 cannot trigger a re-create here
        chat = client.resume(client.connect(svc.new_participant()).connection_token.reveal())
        svc.fail("SendEvent", *_faults(code, status))
        for message in ("h", "b"):
            with pytest.raises(cls) as caught:
                chat.send_typing()
            assert (caught.value.code, caught.value.message, caught.value.request_id) == (code, message, "rq")
            assert caught.value.status_code == status


@pytest.fixture
async def asvc() -> AsyncIterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        yield service


@pytest.mark.parametrize(("code", "status", "cls"), CASES)
async def test_every_class_raised_async(
    asvc: FakeParticipantService, code: str, status: int, cls: type[ParticipantServiceError]
) -> None:
    async with AsyncParticipantClient(
        endpoint_url=asvc.endpoint_url, retry=RetryPolicy(max_attempts=1)
    ) as client:
        connected = await client.connect(asvc.new_participant())
        chat = client.resume(connected.connection_token.reveal())
        asvc.fail("SendMessage", *_faults(code, status))
        for message in ("h", "b"):
            with pytest.raises(cls) as caught:
                await chat.send_message("hello")
            assert (caught.value.code, caught.value.message) == (code, message)


def test_non_json_success_body_is_an_error(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(svc.new_participant())
        svc.fail("SendMessage", Fault(200, b"<html>proxy</html>"))
        with pytest.raises(ParticipantServiceError) as caught:
            chat.send_message("x")
        assert caught.value.code == "InvalidResponse"


def test_transport_failure_after_retries() -> None:
    with FakeParticipantService() as service:
        url = service.endpoint_url
    with ParticipantClient(endpoint_url=url, retry=RetryPolicy(max_attempts=2, base_delay=0.001)) as client:
        chat = client.resume("c" * 20)
        with pytest.raises(ParticipantTransportError) as caught:
            chat.send_message("x")
        assert caught.value.code == "ConnectError"
        assert caught.value.status_code is None
