"""Errors that say where and what to do: a transport error names the host it went to (never the
path or query: they can hold a token or a signature) and, where a cause is likely, a hint —
nothing listening on a loopback port (is the emulator running?), a service host that does not
resolve for a region botocore does not know. Over real sockets where a server can produce the
failure (a closed loopback port); a name that does not resolve cannot be produced on loopback
without a DNS query, so that one comes from a transport that raises what httpx raises then.
The hint for each failure and host, rule by rule, is in ``test_facade_errors_edges.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

import httpx
import pytest
from connect_participant import (
    AsyncParticipantClient,
    ParticipantClient,
    ParticipantTransportError,
    RetryPolicy,
)
from connect_participant._errors import transport_error

PARTICIPANT_TOKEN = "participant-token-Zx81QpT3nVb7"
CONNECTION_TOKEN = "connection-token-Yq93LmW2cXa5"
ONE_TRY = RetryPolicy(max_attempts=1)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _clean(text: str) -> None:
    for secret in (PARTICIPANT_TOKEN, CONNECTION_TOKEN, "X-Amz-Signature", "/participant/"):
        assert secret not in text


def test_a_refused_connection_names_the_host_and_asks_about_the_emulator() -> None:
    port = _closed_port()
    with ParticipantClient(endpoint_url=f"http://127.0.0.1:{port}", retry=ONE_TRY) as client:
        with pytest.raises(ParticipantTransportError) as refused:
            client.connect(PARTICIPANT_TOKEN)
        chat = client.resume(CONNECTION_TOKEN)
        with pytest.raises(ParticipantTransportError) as sending:
            chat.send_message("hello")
    for error in (refused.value, sending.value):
        text = f"{error} {error!r} {error.message}"
        assert f"host 127.0.0.1 port {port}" in str(error)
        assert f"is the emulator running on 127.0.0.1:{port}?" in str(error)
        assert f"python -m connect_participant_emulator --port {port}" in str(error)
        assert error.host == "127.0.0.1"
        _clean(text)
        _clean(f"{error.__cause__}")


async def test_a_refused_connection_names_the_host_async() -> None:
    port = _closed_port()
    async with AsyncParticipantClient(endpoint_url=f"http://localhost:{port}", retry=ONE_TRY) as client:
        chat = client.resume(CONNECTION_TOKEN)
        with pytest.raises(ParticipantTransportError) as sending:
            await asyncio.wait_for(chat.send_message("hello"), 30)
    error = sending.value
    assert f"host localhost port {port}" in str(error)
    assert f"is the emulator running on localhost:{port}?" in str(error)
    _clean(f"{error} {error!r} {error.__cause__}")


def _unresolvable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ("us-east-99", "unknown region 'us-east-99'? (not one botocore knows: check region= or $AWS_REGION)"),
        ("eu-west-1", "did not resolve: check endpoint_url or region, and the network"),
    ],
)
def test_a_service_host_that_does_not_resolve_names_the_region_botocore_does_not_know(
    region: str, hint: str
) -> None:
    transport = httpx.MockTransport(_unresolvable)
    with contextlib.ExitStack() as stack:
        if region == "us-east-99":
            stack.enter_context(pytest.warns(UserWarning, match="us-east-99"))
        http = stack.enter_context(httpx.Client(transport=transport))
        client = stack.enter_context(ParticipantClient(region=region, http_client=http, retry=ONE_TRY))
        failed = stack.enter_context(pytest.raises(ParticipantTransportError))
        client.connect(PARTICIPANT_TOKEN)
    text = str(failed.value)
    assert f"host participant.connect.{region}.amazonaws.com port 443" in text
    assert hint in text
    assert ("unknown region" in text) == (region == "us-east-99")
    _clean(f"{text} {failed.value!r}")


def test_a_presigned_urls_host_is_named_and_its_path_and_signature_are_not() -> None:
    url = "https://bucket.s3.us-west-2.amazonaws.com/connect/att/secret-key?X-Amz-Signature=abc123&X-Amz-Credential=AK"
    error = transport_error(
        httpx.ConnectError("[Errno 111] Connection refused", request=httpx.Request("PUT", url))
    )
    text = f"{error} {error!r}"
    assert "host bucket.s3.us-west-2.amazonaws.com port 443" in text
    assert "nothing accepted the connection on bucket.s3.us-west-2.amazonaws.com:443" in text
    for part in ("secret-key", "abc123", "X-Amz", "/connect/"):
        assert part not in text


def test_an_error_without_a_request_still_reads_well() -> None:
    error = transport_error(httpx.ConnectError("[Errno 111] Connection refused"))
    assert str(error) == "ConnectError: [Errno 111] Connection refused (no HTTP response)"
    assert error.host is None
