"""Error mapping edges that the main tests left open (found by ``make mutate``): the code read from
each body key where it disagrees with the status, namespaced codes, statuses at the 5xx edges,
bodies that are not UTF-8, odd resource fields, scrubbing and transport error text, and the fields
of InvalidResponseError, a 404 with no JSON body."""

from __future__ import annotations

import json

import httpx
import pytest
from connect_participant import (
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidResponseError,
    ParticipantServiceError,
    ResourceNotFoundError,
    ThrottlingError,
)
from connect_participant._errors import _clean_code, error_from_response, scrub, transport_error


def _body(doc: object) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize("key", ["__type", "code", "Code"])
def test_each_body_key_gives_the_code_over_the_status(key: str) -> None:
    # 400 alone would be a ValidationError: only the body's code makes it a ConflictError
    error = error_from_response(400, {}, _body({key: "ConflictException", "message": "m"}))
    assert type(error) is ConflictError
    assert error.code == "ConflictException"


def test_the_first_body_key_wins() -> None:
    error = error_from_response(
        400, {}, _body({"Code": "ThrottlingException", "__type": "ConflictException"})
    )
    assert type(error) is ConflictError


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("aws.protocols#com.amazonaws.connectparticipant#ThrottlingException", "ThrottlingException"),
        ("ns#ThrottlingException:http://internal.amazon.com/coral/x:y/", "ThrottlingException"),
        ("  ThrottlingException  ", "ThrottlingException"),
    ],
)
def test_namespaced_codes(raw: str, code: str) -> None:
    assert _clean_code(raw) == code
    assert type(error_from_response(400, {"x-amzn-ErrorType": raw}, b"")) is ThrottlingError


@pytest.mark.parametrize(
    ("status", "cls"),
    [(599, InternalServerError), (600, ParticipantServiceError), (501, InternalServerError)],
)
def test_statuses_at_the_5xx_edges(status: int, cls: type[ParticipantServiceError]) -> None:
    error = error_from_response(status, {}, b"")
    assert type(error) is cls
    assert error.code == f"HTTP{status}"


def test_a_body_that_is_not_utf8_is_read_with_replacements() -> None:
    error = error_from_response(502, {}, b"\xff\xfe bad gateway \xc3")
    assert type(error) is InternalServerError
    assert error.message == "\ufffd\ufffd bad gateway \ufffd"


def test_resource_fields_that_are_not_strings_are_dropped() -> None:
    doc = {"__type": "ResourceNotFoundException", "ResourceId": 12, "ResourceType": ["CONTACT"]}
    error = error_from_response(404, {}, _body(doc))
    assert isinstance(error, ResourceNotFoundError)
    assert (error.resource_id, error.resource_type) == (None, None)


def test_request_id_header_in_any_case() -> None:
    error = error_from_response(500, {"X-Amzn-RequestId": "r-9"}, b"")
    assert error.request_id == "r-9"
    error = error_from_response(500, httpx.Headers({"x-amzn-requestid": "r-8"}), b"")
    assert error.request_id == "r-8"


def test_repr_names_the_class_and_fields() -> None:
    error = error_from_response(429, {"x-amzn-RequestId": "r-1"}, b"")
    assert repr(error) == "ThrottlingError(code='ThrottlingException', status_code=429, request_id='r-1')"


def test_invalid_input_error_fields() -> None:
    error = InvalidInputError("max_results", "must be at most 100")
    assert isinstance(error, ValueError)
    assert (error.argument, error.rule) == ("max_results", "must be at most 100")
    assert str(error) == "max_results: must be at most 100"


def test_scrub_redacts_string_args_and_keeps_others() -> None:
    exc = httpx.ConnectError("GET https://s3.example.com/f?X-Amz-Signature=sig123 failed")
    exc.args = (*exc.args, 7)
    exc.__cause__ = ValueError("inner")
    scrub(exc)
    assert "sig123" not in exc.args[0]
    assert "https://s3.example.com/f?[redacted]" in exc.args[0]
    assert exc.args[1] == 7
    assert exc.__cause__ is None
    assert exc.__context__ is None


def test_transport_error_without_attempts_or_detail() -> None:
    error = transport_error(httpx.ReadTimeout(""))
    assert str(error) == "ReadTimeout: no detail (no HTTP response)"
    assert error.message == "no detail"
    error = transport_error(httpx.ConnectError("refused"), 0)
    assert error.message == "refused"


def test_invalid_response_error_keeps_what_it_is_given() -> None:
    # the SDK raises it with the answer's status (the size cap, a body that is not JSON)
    error = InvalidResponseError(
        "the answer is too large", code="ResponseTooLarge", status_code=200, request_id="r-4"
    )
    assert isinstance(error, ParticipantServiceError)
    assert (error.code, error.message, error.status_code, error.request_id) == (
        "ResponseTooLarge",
        "the answer is too large",
        200,
        "r-4",
    )
    assert str(error) == "ResponseTooLarge: the answer is too large (HTTP 200, request id r-4)"
    plain = InvalidResponseError("no View")
    assert (plain.code, plain.status_code, plain.request_id) == ("InvalidResponse", None, None)
    assert str(plain) == "InvalidResponse: no View (no HTTP response)"


@pytest.mark.parametrize("body", [b"", b"<html><body>Not Found</body></html>"])
def test_a_404_without_a_json_body_is_resource_not_found_with_no_resource(body: bytes) -> None:
    # a proxy's or load balancer's 404: no JSON to read the resource from
    error = error_from_response(404, {}, body)
    assert isinstance(error, ResourceNotFoundError)
    assert (error.code, error.message, error.status_code) == ("ResourceNotFoundException", "Not Found", 404)
    assert (error.resource_id, error.resource_type) == (None, None)
