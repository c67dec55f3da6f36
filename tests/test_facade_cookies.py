"""Our own httpx clients keep no cookies from answers (as AWS SDKs keep none); a client the user
gives keeps its own cookie handling. Real HTTP on loopback (ScriptedServer)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from _scripted_server import ScriptedServer
from connect_participant import AsyncParticipantClient, ParticipantClient

SENT = {"Id": "m-1", "AbsoluteTime": "2026-12-01T10:00:00.000Z"}
COOKIE = {"Set-Cookie": "AWSALB=sticky-value; Path=/"}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        server.reply(200, SENT, COOKIE)
        yield server


def _cookies_sent(server: ScriptedServer) -> list[str | None]:
    return [r.headers.get("Cookie") for r in server.requests]


def test_own_client_sends_no_cookie_back(server: ScriptedServer) -> None:
    with ParticipantClient(endpoint_url=server.url) as client:
        chat = client.resume("conn-token")
        chat.send_message("one")
        chat.send_message("two")
        assert not client.low_level.get_httpx_client().cookies
    assert len(server.requests) == 2
    assert _cookies_sent(server) == [None, None]


async def test_own_async_client_sends_no_cookie_back(server: ScriptedServer) -> None:
    async with AsyncParticipantClient(endpoint_url=server.url) as client:
        chat = client.resume("conn-token")
        await chat.send_message("one")
        await chat.send_message("two")
        assert not client.low_level.get_async_httpx_client().cookies
    assert _cookies_sent(server) == [None, None]


def test_users_client_keeps_its_cookie_handling(server: ScriptedServer) -> None:
    with httpx.Client() as http, ParticipantClient(endpoint_url=server.url, http_client=http) as client:
        chat = client.resume("conn-token")
        chat.send_message("one")
        chat.send_message("two")
    assert _cookies_sent(server) == [None, "AWSALB=sticky-value"]


async def test_users_async_client_keeps_its_cookie_handling(server: ScriptedServer) -> None:
    async with httpx.AsyncClient() as http:
        async with AsyncParticipantClient(endpoint_url=server.url, http_client=http) as client:
            chat = client.resume("conn-token")
            await chat.send_message("one")
            await chat.send_message("two")
    assert _cookies_sent(server) == [None, "AWSALB=sticky-value"]
