"""Error mapping edges that the main tests left open (found by ``make mutate``): the code read from
each body key where it disagrees with the status, namespaced codes, statuses at the 5xx edges,
bodies that are not UTF-8, odd resource fields, scrubbing and transport error text, and the fields
of InvalidResponseError, a 404 with no JSON body; what a transport error's text says (the host and
port it went to, never the path or query; a hint by failure and host) and ClientClosedError's."""

from __future__ import annotations

import json

import httpx
import pytest
from connect_participant import (
    ClientClosedError,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidResponseError,
    ParticipantServiceError,
    ParticipantTransportError,
    ResourceNotFoundError,
    ThrottlingError,
)
from connect_participant._errors import (
    _clean_code,
    error_from_response,
    scrub,
    transport_error,
    transport_hint,
)


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


# -- a transport error's text: the host and port, never the rest of the URL; a hint by cause -----

_SIGNED = "/connect/att/secret-key?X-Amz-Signature=sig987&X-Amz-Credential=AKIDX"


def _failed(exc_type: type[httpx.TransportError], detail: str, url: str) -> httpx.TransportError:
    return exc_type(detail, request=httpx.Request("PUT", url))


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://files.example.com", "host files.example.com port 80"),
        ("https://files.example.com", "host files.example.com port 443"),
        ("ws://files.example.com", "host files.example.com port 80"),
        ("wss://files.example.com", "host files.example.com port 443"),
        ("https://files.example.com:8443", "host files.example.com port 8443"),
        ("http://files.example.com:443", "host files.example.com port 443"),
        ("ftp://files.example.com", "host files.example.com"),  # no port known for the scheme
    ],
)
def test_a_transport_error_names_the_host_and_the_port_its_scheme_implies(url: str, named: str) -> None:
    error = transport_error(_failed(httpx.ReadError, "connection reset by peer", url + _SIGNED), 2)
    # a reset names no likely cause: no hint, the text ends with where it went
    assert error.message == f"connection reset by peer (after 2 attempts); {named}"
    assert str(error) == f"ReadError: {error.message} (no HTTP response)"
    assert error.host == "files.example.com"
    assert isinstance(error, ParticipantTransportError)
    for secret in ("secret-key", "sig987", "AKIDX", "X-Amz", "/connect/"):
        assert secret not in f"{error} {error!r} {error.__cause__}"


def test_a_transport_error_without_a_host_names_none() -> None:
    # a URL with no host (file:///...) or an exception raised without a request: no "host", no hint
    for exc in (
        _failed(httpx.ConnectError, "[Errno 111] Connection refused", "file:///tmp/upload"),
        httpx.ConnectError("[Errno 111] Connection refused"),
    ):
        error = transport_error(exc)
        assert error.message == "[Errno 111] Connection refused"
        assert error.host is None


@pytest.mark.parametrize(
    ("kind", "detail", "url", "message"),
    [
        (
            httpx.ConnectError,
            "[Errno 111] Connection refused",
            "http://127.0.0.1:8700",
            "[Errno 111] Connection refused; host 127.0.0.1 port 8700 — is the emulator running on "
            "127.0.0.1:8700? (python -m connect_participant_emulator --port 8700)",
        ),
        (
            httpx.ConnectError,
            "[Errno 111] Connection refused",
            "https://files.example.com",
            "[Errno 111] Connection refused; host files.example.com port 443 — nothing accepted the "
            "connection on files.example.com:443: is endpoint_url right?",
        ),
        (
            httpx.ConnectTimeout,
            "",  # httpx's timeouts often say nothing: the kind of error tells
            "https://files.example.com:8443",
            "no detail; host files.example.com port 8443 — no connection to files.example.com:8443 "
            "in time: is the host reachable from here?",
        ),
        (
            httpx.ConnectError,
            "[Errno -2] Name or service not known",
            "https://participant.connect.us-east-99.amazonaws.com",
            "[Errno -2] Name or service not known; host participant.connect.us-east-99.amazonaws.com "
            "port 443 — unknown region 'us-east-99'? (not one botocore knows: check region= or $AWS_REGION)",
        ),
    ],
)
def test_a_transport_errors_text_ends_with_the_hint_for_its_cause(
    kind: type[httpx.TransportError], detail: str, url: str, message: str
) -> None:
    error = transport_error(_failed(kind, detail, url + _SIGNED))
    assert error.message == message
    assert error.code == kind.__name__


_LOOPBACK_REFUSED = "is the emulator running on {where}? (python -m connect_participant_emulator --port 8700)"


@pytest.mark.parametrize(
    ("kind", "detail", "host", "hint"),
    [
        # refused: by each platform's wording; on loopback the emulator is the likely cause
        ("ConnectError", "[Errno 111] Connection refused", "127.0.0.1", _LOOPBACK_REFUSED),
        ("ConnectError", "[Errno 111] Connection refused", "::1", _LOOPBACK_REFUSED),
        ("ConnectError", "Connect call failed ('127.0.0.1', 8700)", "localhost", _LOOPBACK_REFUSED),
        ("ConnectError", "[WinError 10061] actively refused", "emu.localhost", _LOOPBACK_REFUSED),
        (
            "ConnectError",
            "[Errno 61] Connection refused",
            "example.com",
            "nothing accepted the connection on {where}: is endpoint_url right?",
        ),
        # a name that does not resolve: a region botocore does not know, else the name itself
        (
            "ConnectError",
            "[Errno -2] Name or service not known",
            "participant.connect.eu-west-1.amazonaws.com",
            "the host name 'participant.connect.eu-west-1.amazonaws.com' did not resolve: check endpoint_url or region, and the network",
        ),
        (
            "ConnectError",
            "getaddrinfo failed",
            "participant.connect-fips.us-gov-east-9.amazonaws.com",
            "unknown region 'us-gov-east-9'? (not one botocore knows: check region= or $AWS_REGION)",
        ),
        (
            "ConnectError",
            "[Errno 8] nodename nor servname provided",
            "nowhere.invalid",
            "the host name 'nowhere.invalid' did not resolve: check endpoint_url or region, and the network",
        ),
        # no connection in time: a connect or pool timeout whatever its text, any text saying so
        (
            "ConnectTimeout",
            "",
            "203.0.113.7",
            "no connection to {where} in time: is the host reachable from here?",
        ),
        (
            "PoolTimeout",
            "",
            "203.0.113.7",
            "no connection to {where} in time: is the host reachable from here?",
        ),
        (
            "ReadTimeout",
            "The read operation timed out",
            "::1",
            "no connection to {where} in time: is the host reachable from here?",
        ),
        ("ReadTimeout", "", "203.0.113.7", None),  # a read that took long names no cause
        ("ReadError", "connection reset by peer", "example.com", None),
        ("RemoteProtocolError", "Server disconnected without sending a response.", "127.0.0.1", None),
    ],
)
def test_the_hint_by_failure_and_host(kind: str, detail: str, host: str, hint: str | None) -> None:
    where = f"[{host}]:8700" if host == "::1" else f"{host}:8700"
    expected = hint.format(where=where) if hint is not None else None
    assert transport_hint(kind, detail, host, 8700) == expected


def test_a_hint_names_the_port_it_was_given() -> None:
    assert transport_hint("ConnectError", "Connection refused", "localhost", 9911) == (
        "is the emulator running on localhost:9911? (python -m connect_participant_emulator --port 9911)"
    )


def test_client_closed_error_says_the_client_was_closed() -> None:
    error = ClientClosedError()
    assert isinstance(error, ParticipantServiceError)
    assert (error.code, error.status_code, error.request_id) == ("ClientClosed", None, None)
    assert error.message == "the client was closed: this session can make no more calls"
    assert (
        str(error)
        == "ClientClosed: the client was closed: this session can make no more calls (no HTTP response)"
    )
    other = ClientClosedError("the http_client given was closed")
    assert (other.code, other.message) == ("ClientClosed", "the http_client given was closed")
