"""Closed means closed: after ``client.close()`` every session method, sync and async, raises
``ClientClosedError`` (a ``ParticipantServiceError``) before anything is sent; ``disconnect()``
and leaving the session's ``with`` block are no-ops; the session's events streams end; the
client's ``connect``/``resume`` refuse too. The same when the ``http_client`` given was closed.

The tables below name every public method of the sessions: a method added later without a row
here fails ``test_every_session_method_is_covered``."""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from connect_participant import (
    AsyncChatSession,
    AsyncParticipantClient,
    ChatSession,
    ClientClosedError,
    Event,
    ListPicker,
    Message,
    ParticipantClient,
    ParticipantServiceError,
)
from connect_participant._interactive import parse_interactive
from connect_participant_api.api.participant import describe_view
from connect_participant_emulator import LocalParticipantService

PICKER = parse_interactive(
    json.dumps(
        {
            "templateType": "ListPicker",
            "version": "1.0",
            "data": {
                "content": {
                    "title": "Fruit?",
                    "elements": [
                        {"title": "Apple"},
                        {"title": "Previous options", "actionDetail": "PREVIOUS_OPTIONS"},
                        {"title": "Show more", "actionDetail": "SHOW_MORE"},
                    ],
                }
            },
        }
    )
)
assert isinstance(PICKER, ListPicker)
SESSION_ID = "0" * 36
NOT_CALLS = {"disconnect"}  # a no-op once closed: tested on its own


def _calls(tmp: Path) -> dict[str, Callable[[Any], Any]]:
    """Each public method, called with arguments it would accept on an open client."""
    upload = tmp / "note.txt"
    upload.write_bytes(b"hello")
    return {
        "send_message": lambda chat: chat.send_message("hi"),
        "send_event": lambda chat: chat.send_event("application/vnd.amazonaws.connect.event.typing"),
        "send_typing": lambda chat: chat.send_typing(),
        "send_delivered": lambda chat: chat.send_delivered("message-1"),
        "send_read": lambda chat: chat.send_read("message-1"),
        "select": lambda chat: chat.select(PICKER, "Apple"),
        "show_more": lambda chat: chat.show_more(PICKER),
        "show_previous": lambda chat: chat.show_previous(PICKER),
        "answer_view": lambda chat: chat.answer_view("Submit", {"rating": 5}),
        "describe_view": lambda chat: chat.describe_view("view-token"),
        "authentication_url": lambda chat: chat.authentication_url(SESSION_ID, "https://example.com/in"),
        "cancel_authentication": lambda chat: chat.cancel_authentication(SESSION_ID),
        "events": lambda chat: chat.events(),
        "transcript": lambda chat: chat.transcript(),
        "call": lambda chat: chat.call(describe_view, view_token="view-token"),
        "upload_attachment": lambda chat: chat.upload_attachment(upload),
        "download_attachment": lambda chat: chat.download_attachment("attachment-1", tmp / "out.bin"),
        "open_attachment": lambda chat: chat.open_attachment("attachment-1"),
    }


def _public_methods(cls: type) -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and callable(member) and not isinstance(member, type)
    }


@pytest.mark.parametrize("cls", [ChatSession, AsyncChatSession])
def test_every_session_method_is_covered(cls: type, tmp_path: Path) -> None:
    assert _public_methods(cls) == set(_calls(tmp_path)) | NOT_CALLS


@pytest.fixture(scope="module")
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService() as service:
        yield service


class Spy(httpx.BaseTransport):
    """Our own transport under the client: records each request that would go out."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.path)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncSpy(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


METHODS = sorted(_calls(Path(".")))


@pytest.mark.parametrize("given", [False, True], ids=["own http client", "given http client"])
@pytest.mark.parametrize("method", METHODS)
def test_every_sync_method_raises_once_the_client_is_closed(
    svc: LocalParticipantService, method: str, given: bool, tmp_path: Path
) -> None:
    started = svc.start_chat("Ann")
    spy = Spy()
    http = httpx.Client(transport=spy) if given else None
    client = ParticipantClient(endpoint_url=svc.endpoint_url, http_client=http)
    chat = client.connect(started.participant_token)
    client.close()  # a given http client stays open (not the SDK's to close): the session is done anyway
    before = len(spy.sent)
    with pytest.raises(ClientClosedError) as closed:
        _calls(tmp_path)[method](chat)
    assert isinstance(closed.value, ParticipantServiceError)
    assert (closed.value.code, closed.value.status_code) == ("ClientClosed", None)
    assert "closed" in str(closed.value)
    chat.disconnect()  # a no-op, as often as asked
    chat.disconnect()
    with chat:  # leaving is a no-op too
        pass
    assert len(spy.sent) == before  # nothing was sent
    if http is not None:
        http.close()


@pytest.mark.parametrize("given", [False, True], ids=["own http client", "given http client"])
@pytest.mark.parametrize("method", METHODS)
async def test_every_async_method_raises_once_the_client_is_closed(
    svc: LocalParticipantService, method: str, given: bool, tmp_path: Path
) -> None:
    started = await svc.astart_chat("Ann")
    spy = AsyncSpy()
    http = httpx.AsyncClient(transport=spy) if given else None
    client = AsyncParticipantClient(endpoint_url=svc.endpoint_url, http_client=http)
    chat = await client.connect(started.participant_token)
    await client.close()
    before = len(spy.sent)
    with pytest.raises(ClientClosedError) as closed:  # noqa: PT012 (a call, and its awaiting if a coroutine)
        result = _calls(tmp_path)[method](chat)
        if inspect.isawaitable(result):
            await result
    assert closed.value.code == "ClientClosed"
    await chat.disconnect()
    await chat.disconnect()
    async with chat:
        pass
    assert len(spy.sent) == before
    if http is not None:
        await http.aclose()


def test_a_closed_client_refuses_new_sessions(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    client = ParticipantClient(endpoint_url=svc.endpoint_url)
    client.close()
    client.close()  # idempotent
    with pytest.raises(ClientClosedError):
        client.connect(started.participant_token)
    with pytest.raises(ClientClosedError):
        client.resume("connection-token")


async def test_a_closed_async_client_refuses_new_sessions(svc: LocalParticipantService) -> None:
    started = await svc.astart_chat("Ann")
    client = AsyncParticipantClient(endpoint_url=svc.endpoint_url)
    await client.close()
    with pytest.raises(ClientClosedError):
        await client.connect(started.participant_token)
    with pytest.raises(ClientClosedError):
        client.resume("connection-token")


def test_closing_the_given_http_client_closes_the_session(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    http = httpx.Client()
    client = ParticipantClient(endpoint_url=svc.endpoint_url, http_client=http)
    chat = client.connect(started.participant_token)
    http.close()  # the user's own client, closed under the session: the SDK's words, not httpx's
    with pytest.raises(ClientClosedError):
        chat.send_message("hi")
    chat.disconnect()


def test_closing_the_client_ends_its_streams_quietly(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    client = ParticipantClient(endpoint_url=svc.endpoint_url)
    chat = client.connect(started.participant_token)
    seen: list[Event] = []
    errors: list[BaseException] = []
    with chat.events() as stream:
        chat.send_message("hello")

        def read() -> None:
            try:
                seen.extend(stream)
            except BaseException as exc:  # reported below
                errors.append(exc)

        reader = threading.Thread(target=read)
        reader.start()
        svc.send_message(started, "are you there?")
        while not any(isinstance(e, Message) and e.participant_role == "SYSTEM" for e in seen):
            reader.join(0.05)
            assert reader.is_alive()
        client.close()
        reader.join(10)
        assert not reader.is_alive()  # the stream ended
    assert errors == []  # quietly, as on disconnect()
    with pytest.raises(ClientClosedError):
        chat.events()


async def test_closing_the_async_client_ends_its_streams_quietly(svc: LocalParticipantService) -> None:
    started = await svc.astart_chat("Ann")
    client = AsyncParticipantClient(endpoint_url=svc.endpoint_url)
    chat = await client.connect(started.participant_token)
    async with chat.events() as stream:
        await chat.send_message("hello")
        async for event in stream:
            if isinstance(event, Message):
                break
        await client.close()
        assert [e async for e in stream] == []  # ended, without an error
    await chat.disconnect()
