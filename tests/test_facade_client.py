"""The public surface: construction, endpoint_url, low_level, sessions, events, context managers,
and the facade's requests matching the generated client's for every operation."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator

import connect_participant
import pytest
from _servers import FakeParticipantService
from _spec_tools import mismatches
from connect_participant import (
    AsyncChatSession,
    AsyncParticipantClient,
    AsyncRetryTransport,
    ChatSession,
    ParticipantClient,
    RetryTransport,
)
from connect_participant import _operations as ops
from connect_participant_api import models as ll_models
from connect_participant_api.api.participant import get_transcript as ll_get_transcript
from connect_participant_api.client import Client as LowLevelClient
from httpx_aiohttp import AiohttpTransport

EVENT = "application/vnd.amazonaws.connect.event."


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        yield service


def test_public_names() -> None:
    for name in ("ParticipantClient", "AsyncParticipantClient", "RetryPolicy", "InvalidInputError"):
        assert name in connect_participant.__all__
    assert all(hasattr(connect_participant, name) for name in connect_participant.__all__)


def test_endpoint_url_from_region() -> None:
    with ParticipantClient(region="eu-west-2") as client:
        assert client.endpoint_url == "https://participant.connect.eu-west-2.amazonaws.com"
    with ParticipantClient(region="us-east-1", use_fips=True, use_dualstack=True) as client:
        assert client.endpoint_url == "https://participant.connect-fips.us-east-1.api.aws"
    with ParticipantClient(region="us-east-1", endpoint_url="http://127.0.0.1:8700/") as client:
        assert client.endpoint_url == "http://127.0.0.1:8700"


def test_defaults_retry_transport_and_timeout() -> None:
    with ParticipantClient(region="us-east-1") as client:
        assert isinstance(client._http._transport, RetryTransport)
        assert client._http.timeout.read == 15.0
        assert client._http.timeout.connect == 5.0
    with ParticipantClient(region="us-east-1", timeout=2.5) as client:
        assert client._http.timeout.read == 2.5


async def test_async_default_transport_is_aiohttp() -> None:
    async with AsyncParticipantClient(region="us-east-1") as client:
        transport = client._http._transport
        assert isinstance(transport, AsyncRetryTransport)
        assert isinstance(transport.wrapped, AiohttpTransport)


def test_low_level_is_the_generated_client_on_the_same_http_client(svc: FakeParticipantService) -> None:
    svc.add_items(3)
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        low = client.low_level
        assert isinstance(low, LowLevelClient)
        assert low.get_httpx_client() is client._http
        assert client.low_level is low
        chat = client.connect(svc.new_participant())
        response = ll_get_transcript.sync_detailed(
            client=low,
            body=ll_models.GetTranscriptRequest(max_results=2),
            x_amz_bearer=chat.connection_token.reveal(),
        )
        assert response.status_code == 200
        assert isinstance(response.parsed, ll_models.GetTranscriptResponse)
        assert len(response.parsed.transcript) == 2


async def test_async_low_level(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        assert client.low_level.get_async_httpx_client() is client._http
        chat = await client.connect(svc.new_participant())
        response = await ll_get_transcript.asyncio_detailed(
            client=client.low_level,
            body=ll_models.GetTranscriptRequest(),
            x_amz_bearer=chat.connection_token.reveal(),
        )
        assert response.status_code == 200


def test_sync_session_calls(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        with client.connect(svc.new_participant()) as chat:
            assert isinstance(chat, ChatSession)
            assert chat.endpoint_url == svc.endpoint_url
            sent = chat.send_message('{"a":1}', content_type="application/json")
            assert sent.id
            assert sent.absolute_time
            chat.send_typing()
            chat.send_delivered("msg-1")
            chat.send_read("msg-1")
            chat.send_event(EVENT + "message.read", content='{"messageId":"x"}')
        assert svc.count("DisconnectParticipant") == 1
    message = svc.of("SendMessage")[0].body
    assert message["ContentType"] == "application/json"
    assert message["Content"] == '{"a":1}'
    events = [r.body for r in svc.of("SendEvent")]
    assert [e["ContentType"] for e in events] == [
        EVENT + "typing",
        EVENT + "message.delivered",
        EVENT + "message.read",
        EVENT + "message.read",
    ]
    assert "Content" not in events[0]
    assert json.loads(events[1]["Content"]) == {"messageId": "msg-1"}
    assert len({e["ClientToken"] for e in events}) == 4  # one per logical call


async def test_async_session_calls(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with await client.connect(svc.new_participant()) as chat:
            assert isinstance(chat, AsyncChatSession)
            await chat.send_message("hi")
            await chat.send_typing()
            await chat.send_delivered("m")
            await chat.send_read("m")
            await chat.send_event(EVENT + "typing")
        resumed = client.resume("c" * 10)
        assert isinstance(resumed, AsyncChatSession)
    assert svc.count("SendEvent") == 4
    assert svc.count("DisconnectParticipant") == 1


def test_context_manager_disconnects_even_on_error(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        with pytest.raises(RuntimeError), client.connect(svc.new_participant()):
            raise RuntimeError("app failure")
    assert svc.count("DisconnectParticipant") == 1


def test_resume_continues_a_saved_session(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        first = client.connect(svc.new_participant())
        saved, expires = first.connection_token.reveal(), first.expires_at
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.resume(saved, expires_at=expires)
        chat.send_message("back again")
        assert chat.expires_at == expires
    assert svc.of("SendMessage")[0].headers["X-Amz-Bearer"] == saved
    assert svc.count("CreateParticipantConnection") == 1


def test_websocket_connection_is_kept_for_events(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(svc.new_participant())
        connection = chat._state.connection
        assert connection is not None
        assert connection.websocket_url is not None
        assert connection.websocket_url.reveal().startswith("wss://")
        before = chat._state.generation
        fresh = chat._run(chat._new_connection_flow())
        assert fresh is not None
        assert chat._state.generation == before + 1
        assert fresh.websocket_url is not None
        assert fresh.websocket_url != connection.websocket_url
    assert svc.count("CreateParticipantConnection") == 2


# -- the facade's requests are the generated client's (built by its modules: see test_session_call) --

WIRE: list[tuple[str, str, Callable[[], ops.Request]]] = [
    (
        "create_participant_connection",
        "CreateParticipantConnectionRequest",
        ops.create_participant_connection,
    ),
    ("send_message", "SendMessageRequest", lambda: ops.send_message("text/plain", "hé", "ct")),
    ("send_event", "SendEventRequest", lambda: ops.send_event(EVENT + "typing", None, "ct")),
    (
        "get_transcript",
        "GetTranscriptRequest",
        lambda: ops.get_transcript(
            ll_models.GetTranscriptRequest(
                max_results=5, start_position=ll_models.StartPosition(most_recent=3)
            )
        ),
    ),
    ("disconnect_participant", "DisconnectParticipantRequest", lambda: ops.disconnect_participant("ct")),
    (
        "start_attachment_upload",
        "StartAttachmentUploadRequest",
        lambda: ops.start_attachment_upload("image/png", 10, "a.png", "ct"),
    ),
    (
        "complete_attachment_upload",
        "CompleteAttachmentUploadRequest",
        lambda: ops.complete_attachment_upload("att", "ct"),
    ),
    ("get_attachment", "GetAttachmentRequest", lambda: ops.get_attachment("att", 60)),
    (
        "get_authentication_url",
        "GetAuthenticationUrlRequest",
        lambda: ops.get_authentication_url("s" * 36, "https://r"),
    ),
    (
        "cancel_participant_authentication",
        "CancelParticipantAuthenticationRequest",
        lambda: ops.cancel_participant_authentication("s" * 36),
    ),
]


@pytest.mark.parametrize(("module", "model", "build"), WIRE)
def test_request_matches_generated(module: str, model: str, build: Callable[[], ops.Request]) -> None:
    request = build()
    assert request.body is not None
    doc = json.loads(request.body)
    # every member we send is one the spec's schema knows (a misspelled optional member would
    # survive from_dict/to_dict: the generated models keep unknown keys), required ones present
    assert list(mismatches(doc, {"$ref": f"#/components/schemas/{model}"})) == []
    body = getattr(ll_models, model).from_dict(doc)
    assert body.to_dict() == doc
    kwargs = importlib.import_module(f"connect_participant_api.api.participant.{module}")._get_kwargs(
        body=body, x_amz_bearer="b"
    )
    assert (kwargs["method"].upper(), kwargs["url"]) == (request.method, request.path)


def test_describe_view_matches_generated() -> None:
    from connect_participant_api.api.participant import describe_view

    request = ops.describe_view("a/b c")
    kwargs = describe_view._get_kwargs("a/b c", x_amz_bearer="b")
    assert (kwargs["method"].upper(), kwargs["url"]) == (request.method, request.path)
    assert request.path == "/participant/views/a%2Fb%20c"
    assert request.body is None
