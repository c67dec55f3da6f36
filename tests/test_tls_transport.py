"""The default sync transport: TLS requests are verified, and a client that only speaks plain
HTTP (the emulator, loopback) never loads the CA bundle (≈20 ms of a cold start)."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from connect_participant import ParticipantClient, ParticipantTransportError, RetryPolicy
from connect_participant._retry import RetryTransport, SchemeTransport
from connect_participant_emulator import LocalParticipantService


def _scheme_transport(client: ParticipantClient) -> SchemeTransport:
    retry = client._http._transport
    assert isinstance(retry, RetryTransport)
    assert isinstance(retry.wrapped, SchemeTransport)
    return retry.wrapped


def test_plain_http_never_builds_the_verifying_transport(
    participant_service: LocalParticipantService,
) -> None:
    started = participant_service.start_chat()
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(started.participant_token) as chat:
            chat.send_message("hello")
        assert set(_scheme_transport(client)._by_scheme) == {False}  # the plain transport only


@pytest.fixture
def untrusted_https_server(tmp_path: Path) -> Iterator[str]:
    """A loopback TLS server whose self-signed certificate no CA vouches for."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    handshakes: list[str] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(10)
                try:
                    with context.wrap_socket(conn, server_side=True):
                        handshakes.append("completed")  # only if the client trusted the certificate
                except (ssl.SSLError, OSError):
                    handshakes.append("refused")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        listener.close()
        thread.join(10)
    assert handshakes
    assert set(handshakes) == {"refused"}


def test_tls_is_verified(untrusted_https_server: str) -> None:
    with ParticipantClient(endpoint_url=untrusted_https_server, retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(ParticipantTransportError) as caught:
            client.connect("participant-token")
        assert isinstance(caught.value.__cause__, httpx.ConnectError)
        assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value.__cause__)
        assert set(_scheme_transport(client)._by_scheme) == {True}
