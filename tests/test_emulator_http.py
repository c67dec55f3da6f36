"""The emulator over raw HTTP (httpx): AWS's error format, validation, transcript paging,
tokens, idempotency and the WebSocket protocol."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import httpx
import pytest
from _emulator_calls import call
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._model import parse_iso_time

INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"


def connect(http: httpx.Client, participant_token: str, types: list[str] | None = None) -> dict[str, Any]:
    response = http.post(
        "/participant/connection",
        headers={"X-Amz-Bearer": participant_token},
        json={"Type": types or ["WEBSOCKET", "CONNECTION_CREDENTIALS"]},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def connection_token(http: httpx.Client, participant_token: str) -> str:
    token: str = connect(http, participant_token, ["CONNECTION_CREDENTIALS"])["ConnectionCredentials"][
        "ConnectionToken"
    ]
    return token


def kind(item: dict[str, Any]) -> str:
    """MESSAGE, ATTACHMENT, or for an event (Type EVENT) its ContentType's name: PARTICIPANT_JOINED, ..."""
    if item["Type"] != "EVENT":
        return str(item["Type"])
    prefix = "application/vnd.amazonaws.connect.event."
    assert item["ContentType"].startswith(prefix)
    return str(item["ContentType"][len(prefix) :]).replace(".", "_").upper()


def assert_error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-ErrorType"] == code
    assert response.headers["x-amzn-RequestId"]
    message: str = response.json()["message"]
    assert message
    return message


def test_every_answer_has_a_request_id_and_errors_have_aws_shape(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat()
    token = connection_token(http, chat.participant_token)
    ok = call(http, "/participant/message", token, {"ContentType": "text/plain", "Content": "hi"})
    assert ok.status_code == 200
    ids = {ok.headers["x-amzn-RequestId"]}
    for response, status, code in [
        (
            call(http, "/participant/message", token, {"ContentType": "text/plain"}),
            400,
            "ValidationException",
        ),
        (
            call(http, "/participant/message", "bogus", {"ContentType": "text/plain", "Content": "x"}),
            403,
            "AccessDeniedException",
        ),
        (http.post("/participant/nothing-here", json={}), 404, "UnknownOperationException"),
        (http.get("/participant/message"), 405, "MethodNotAllowedException"),
        (
            http.post("/participant/message", content=b"{not json", headers={"X-Amz-Bearer": token}),
            400,
            "SerializationException",
        ),
        (
            http.post("/participant/message", content=b"[1, 2]", headers={"X-Amz-Bearer": token}),
            400,
            "SerializationException",
        ),
    ]:
        assert_error(response, status, code)
        ids.add(response.headers["x-amzn-RequestId"])
    assert len(ids) == 7


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {"ContentType": "text/plain"},
            "Value null at 'content' failed to satisfy constraint: Member must not be null",
        ),
        ({"ContentType": "text/plain", "Content": 5}, "Member must be of type string"),
        ({"ContentType": "text/plain", "Content": ""}, "Member must have length greater than or equal to 1"),
        ({"ContentType": "t" * 101, "Content": "x"}, "Member must have length less than or equal to 100"),
        (
            {"ContentType": "text/plain", "Content": "x", "ClientToken": "c" * 501},
            "less than or equal to 500",
        ),
        ({"ContentType": "text/plain", "Content": "x" * 16385}, "less than or equal to 16384"),
        ({"ContentType": "image/png", "Content": "x"}, "not supported"),
        ({"ContentType": "application/json", "Content": "{nope"}, "valid JSON"),
    ],
)
def test_send_message_validation(
    participant_service: LocalParticipantService, http: httpx.Client, body: dict[str, Any], fragment: str
) -> None:
    token = connection_token(http, participant_service.start_chat().participant_token)
    message = assert_error(call(http, "/participant/message", token, body), 400, "ValidationException")
    assert fragment in message


@pytest.mark.parametrize(
    ("content_type", "limit"),
    [
        ("text/plain", 1024),
        ("text/markdown", 1024),
        ("application/json", 12000),
        (INTERACTIVE_RESPONSE, 12288),
    ],
)
def test_per_content_type_message_limits(
    participant_service: LocalParticipantService, http: httpx.Client, content_type: str, limit: int
) -> None:
    token = connection_token(http, participant_service.start_chat().participant_token)

    def content(length: int) -> str:
        if content_type.startswith("text/"):
            return "a" * length
        return json.dumps("a" * (length - 2))  # a JSON string of exactly `length` characters

    at_limit = call(
        http, "/participant/message", token, {"ContentType": content_type, "Content": content(limit)}
    )
    assert at_limit.status_code == 200, at_limit.text
    over = call(
        http, "/participant/message", token, {"ContentType": content_type, "Content": content(limit + 1)}
    )
    assert str(limit) in assert_error(over, 400, "ValidationException")


@pytest.mark.participant_service(message_limits=None)
def test_message_limits_can_be_lifted(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    token = connection_token(http, participant_service.start_chat().participant_token)
    lifted = call(http, "/participant/message", token, {"ContentType": "text/plain", "Content": "a" * 16384})
    assert lifted.status_code == 200
    shape = call(http, "/participant/message", token, {"ContentType": "text/plain", "Content": "a" * 16385})
    assert_error(shape, 400, "ValidationException")


def test_other_operations_validate_against_the_spec(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    token = connection_token(http, participant_service.start_chat().participant_token)
    cases = [
        ("/participant/transcript", {"MaxResults": 101}, "less than or equal to 100"),
        ("/participant/transcript", {"MaxResults": "5"}, "type integer"),
        ("/participant/transcript", {"SortOrder": "UP"}, "enum value set"),
        ("/participant/transcript", {"StartPosition": {"MostRecent": -1}}, "startPosition.mostRecent"),
        ("/participant/transcript", {"StartPosition": "latest"}, "type object"),
        (
            "/participant/attachment",
            {"AttachmentId": "a", "UrlExpiryInSeconds": 4},
            "greater than or equal to 5",
        ),
        (
            "/participant/complete-attachment-upload",
            {"AttachmentIds": [], "ClientToken": "c"},
            "greater than or equal to 1",
        ),
        (
            "/participant/complete-attachment-upload",
            {"AttachmentIds": ["a", "b"], "ClientToken": "c"},
            "less than or equal to 1",
        ),
        (
            "/participant/start-attachment-upload",
            {
                "ContentType": "text/plain",
                "AttachmentName": "a.txt",
                "ClientToken": "c",
                "AttachmentSizeInBytes": 0,
            },
            "greater than or equal to 1",
        ),
        ("/participant/connection", {"Type": ["PIGEON"]}, "enum value set"),
        ("/participant/connection", {"Type": []}, "greater than or equal to 1"),
        ("/participant/event", {"Content": "x"}, "contentType"),
        ("/participant/authentication-url", {"SessionId": "short", "RedirectUri": "https://x"}, "sessionId"),
        ("/participant/connection", {"ConnectParticipant": "yes"}, "type boolean"),
    ]
    for path, body, fragment in cases:
        assert fragment in assert_error(call(http, path, token, body), 400, "ValidationException"), (
            path,
            body,
        )
    missing = http.post("/participant/message", json={"ContentType": "text/plain", "Content": "x"})
    assert "X-Amz-Bearer" in assert_error(missing, 400, "ValidationException")
    too_long = call(http, "/participant/message", "t" * 1001, {"ContentType": "text/plain", "Content": "x"})
    assert_error(too_long, 400, "ValidationException")


def test_participant_token_is_not_a_connection_token(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat()
    token = connection_token(http, chat.participant_token)
    wrong = call(
        http, "/participant/message", chat.participant_token, {"ContentType": "text/plain", "Content": "x"}
    )
    assert_error(wrong, 403, "AccessDeniedException")
    assert_error(
        call(http, "/participant/connection", token, {"Type": ["WEBSOCKET"]}), 403, "AccessDeniedException"
    )


@pytest.mark.participant_service(connection_token_ttl=1.0)
def test_connection_tokens_expire(participant_service: LocalParticipantService, http: httpx.Client) -> None:
    chat = participant_service.start_chat()
    answer = connect(http, chat.participant_token, ["CONNECTION_CREDENTIALS"])
    token = answer["ConnectionCredentials"]["ConnectionToken"]
    expiry = parse_iso_time(answer["ConnectionCredentials"]["Expiry"])
    assert 0 < expiry - time.time() <= 1.0
    assert call(http, "/participant/transcript", token, {}).status_code == 200
    time.sleep(max(0.0, expiry - time.time()) + 0.05)
    assert "expired" in assert_error(
        call(http, "/participant/transcript", token, {}), 403, "AccessDeniedException"
    )
    # the participant token is still good: a new connection works
    fresh = connection_token(http, chat.participant_token)
    assert call(http, "/participant/transcript", fresh, {}).status_code == 200


def test_start_chat_contact_is_idempotent_and_validated(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    body = {
        "InstanceId": "inst-1",
        "ContactFlowId": "flow",
        "ParticipantDetails": {"DisplayName": "Ann"},
        "ClientToken": "same",
    }
    first = http.put(
        "/contact/chat", json=body, headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x/y, Signature=z"}
    )
    second = http.put("/contact/chat", json=body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert (
        http.put("/contact/chat", json={**body, "ClientToken": "other"}).json()["ContactId"]
        != first.json()["ContactId"]
    )
    assert_error(
        http.put("/contact/chat", json={"InstanceId": "i", "ContactFlowId": "f"}),
        400,
        "InvalidParameterException",
    )
    # Connect's ChatMessage allows 16,384 for every content type (SendMessage's per-type caps
    # do not apply to the InitialMessage)
    long_initial = {
        **body,
        "ClientToken": "y",
        "InitialMessage": {"ContentType": "text/plain", "Content": "a" * 1025},
    }
    assert http.put("/contact/chat", json=long_initial).status_code == 200
    bad_initial = {
        **body,
        "ClientToken": "x",
        "InitialMessage": {"ContentType": "text/plain", "Content": "a" * 16385},
    }
    assert_error(http.put("/contact/chat", json=bad_initial), 400, "InvalidParameterException")
    assert_error(
        http.post(
            "/contact/create-participant",
            json={"InstanceId": "inst-1", "ContactId": "nope", "ParticipantDetails": {}},
        ),
        404,
        "ResourceNotFoundException",
    )


def test_send_event_rules(participant_service: LocalParticipantService, http: httpx.Client) -> None:
    token = connection_token(http, participant_service.start_chat().participant_token)
    prefix = "application/vnd.amazonaws.connect.event."
    assert call(http, "/participant/event", token, {"ContentType": prefix + "typing"}).status_code == 200
    # service-originated events cannot be sent
    assert_error(
        call(http, "/participant/event", token, {"ContentType": prefix + "chat.ended"}),
        400,
        "ValidationException",
    )
    assert_error(
        call(http, "/participant/event", token, {"ContentType": prefix + "message.read", "Content": "x"}),
        400,
        "ValidationException",
    )
    assert_error(
        call(
            http,
            "/participant/event",
            token,
            {"ContentType": prefix + "message.read", "Content": '{"messageId": "nope"}'},
        ),
        400,
        "ValidationException",
    )
    first = call(
        http,
        "/participant/event",
        token,
        {"ContentType": prefix + "connection.acknowledged", "ClientToken": "k"},
    )
    again = call(
        http,
        "/participant/event",
        token,
        {"ContentType": prefix + "connection.acknowledged", "ClientToken": "k"},
    )
    assert first.json() == again.json()
    transcript = call(http, "/participant/transcript", token, {}).json()["Transcript"]
    assert [(i["Type"], i["ContentType"]) for i in transcript] == [
        ("EVENT", prefix + "connection.acknowledged"),
        ("EVENT", prefix + "participant.joined"),
    ]  # DESCENDING by default


class TestTranscript:
    """25 items: PARTICIPANT_JOINED, then messages m0..m23."""

    @pytest.fixture
    def chat(
        self, participant_service: LocalParticipantService, http: httpx.Client
    ) -> tuple[str, list[dict[str, Any]]]:
        token = connection_token(http, participant_service.start_chat().participant_token)
        for n in range(24):
            assert (
                call(
                    http, "/participant/message", token, {"ContentType": "text/plain", "Content": f"m{n}"}
                ).status_code
                == 200
            )
        everything = call(
            http,
            "/participant/transcript",
            token,
            {"MaxResults": 100, "ScanDirection": "FORWARD", "SortOrder": "ASCENDING"},
        ).json()
        assert everything["NextToken"] == ""  # the last page, as the service says it
        return token, everything["Transcript"]

    @staticmethod
    def names(items: list[dict[str, Any]]) -> list[str]:
        # events are Type EVENT, named here by their ContentType (…event.participant.joined)
        return [i.get("Content", kind(i)) for i in items]

    def pages(self, http: httpx.Client, token: str, body: dict[str, Any]) -> list[list[str]]:
        pages = []
        while True:
            answer = call(http, "/participant/transcript", token, body)
            assert answer.status_code == 200, answer.text
            page = answer.json()
            pages.append(self.names(page["Transcript"]))
            if not page["NextToken"]:  # "" on the last page
                return pages
            body = {**body, "NextToken": page["NextToken"]}

    def test_defaults_are_backward_descending_ten_per_page(
        self, http: httpx.Client, chat: tuple[str, list[dict[str, Any]]]
    ) -> None:
        token, items = chat
        assert len(items) == 25
        assert self.pages(http, token, {}) == [
            [f"m{n}" for n in range(23, 13, -1)],
            [f"m{n}" for n in range(13, 3, -1)],
            ["m3", "m2", "m1", "m0", "PARTICIPANT_JOINED"],
        ]
        assert self.pages(http, token, {"SortOrder": "ASCENDING"})[0] == [f"m{n}" for n in range(14, 24)]

    def test_forward_and_descending(self, http: httpx.Client, chat: tuple[str, list[dict[str, Any]]]) -> None:
        token, _ = chat
        forward = self.pages(
            http, token, {"ScanDirection": "FORWARD", "MaxResults": 9, "SortOrder": "ASCENDING"}
        )
        assert forward[0] == ["PARTICIPANT_JOINED", *[f"m{n}" for n in range(8)]]
        assert [len(p) for p in forward] == [9, 9, 7]
        assert [name for page in forward for name in page] == [
            "PARTICIPANT_JOINED",
            *[f"m{n}" for n in range(24)],
        ]
        descending = self.pages(http, token, {"SortOrder": "DESCENDING", "MaxResults": 4})
        assert descending[0] == ["m23", "m22", "m21", "m20"]
        assert descending[-1] == ["PARTICIPANT_JOINED"]

    def test_start_positions(self, http: httpx.Client, chat: tuple[str, list[dict[str, Any]]]) -> None:
        token, items = chat
        m5 = items[6]
        assert m5["Content"] == "m5"

        def one(body: dict[str, Any]) -> list[str]:
            answer = call(
                http, "/participant/transcript", token, {"MaxResults": 3, "SortOrder": "ASCENDING", **body}
            )
            assert answer.status_code == 200, answer.text
            return self.names(answer.json()["Transcript"])

        assert one({"ScanDirection": "FORWARD", "StartPosition": {"Id": m5["Id"]}}) == ["m5", "m6", "m7"]
        assert one({"ScanDirection": "BACKWARD", "StartPosition": {"Id": m5["Id"]}}) == ["m3", "m4", "m5"]
        assert one({"StartPosition": {"Id": m5["Id"]}}) == [
            "m5",
            "m6",
            "m7",
        ]  # FORWARD by default with a start
        assert one({"ScanDirection": "BACKWARD", "StartPosition": {"MostRecent": 0}}) == ["m21", "m22", "m23"]
        assert one({"ScanDirection": "BACKWARD", "StartPosition": {"MostRecent": 2}}) == ["m19", "m20", "m21"]
        assert one({"ScanDirection": "FORWARD", "StartPosition": {"MostRecent": 1}}) == ["m22", "m23"]
        moment = parse_iso_time(items[11]["AbsoluteTime"])
        answer = call(
            http,
            "/participant/transcript",
            token,
            {
                "ScanDirection": "FORWARD",
                "SortOrder": "ASCENDING",
                "MaxResults": 100,
                "StartPosition": {"AbsoluteTime": items[11]["AbsoluteTime"]},
            },
        ).json()["Transcript"]
        start = len(items) - len(answer)
        assert [i["Id"] for i in answer] == [i["Id"] for i in items[start:]]
        assert start <= 11
        assert all(parse_iso_time(i["AbsoluteTime"]) >= moment for i in answer)
        assert start == 0 or parse_iso_time(items[start - 1]["AbsoluteTime"]) < moment
        for bad in ({"Id": "nope"}, {"AbsoluteTime": "yesterday"}, {"Id": m5["Id"], "MostRecent": 1}):
            assert_error(
                call(http, "/participant/transcript", token, {"StartPosition": bad}),
                400,
                "ValidationException",
            )
        assert_error(
            call(http, "/participant/transcript", token, {"NextToken": "forged"}), 400, "ValidationException"
        )
        assert_error(
            call(http, "/participant/transcript", token, {"ContactId": "other"}), 400, "ValidationException"
        )


async def receive_json(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    frame: dict[str, Any] = await ws.receive_json(timeout=5)
    return frame


async def test_websocket_protocol(participant_service: LocalParticipantService) -> None:
    chat = await participant_service.astart_chat()
    async with httpx.AsyncClient(base_url=participant_service.endpoint_url) as http:
        answer = (
            await http.post(
                "/participant/connection",
                headers={"X-Amz-Bearer": chat.participant_token},
                json={"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]},
            )
        ).json()
        token = answer["ConnectionCredentials"]["ConnectionToken"]
        assert 95 <= parse_iso_time(answer["Websocket"]["ConnectionExpiry"]) - time.time() <= 100.5
        async with aiohttp.ClientSession() as session, session.ws_connect(answer["Websocket"]["Url"]) as ws:
            await ws.send_json({"topic": "aws/heartbeat"})
            assert await receive_json(ws) == {"topic": "aws/heartbeat"}
            await ws.send_json({"topic": "aws/ping"})
            ping = await receive_json(ws)
            assert ping == {"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"}
            await ws.send_str("not json at all")
            await ws.send_json({"topic": "aws/subscribe", "content": {"topics": ["aws/other"]}})
            refused = await receive_json(ws)
            assert refused["content"]["status"] == "failure"
            # not subscribed yet: messages are not sent on the socket
            await http.post(
                "/participant/message",
                headers={"X-Amz-Bearer": token},
                json={"ContentType": "text/plain", "Content": "unseen"},
            )
            await ws.send_json({"topic": "aws/subscribe", "content": json.dumps({"topics": ["aws/chat"]})})
            assert (await receive_json(ws))["content"] == {"status": "success", "topics": ["aws/chat"]}
            await http.post(
                "/participant/message",
                headers={"X-Amz-Bearer": token},
                json={"ContentType": "text/plain", "Content": "seen"},
            )
            frame = await receive_json(ws)
            assert frame["topic"] == "aws/chat"
            assert frame["contentType"] == "application/json"
            assert json.loads(frame["content"])["Content"] == "seen"
            await participant_service.astop_contact(chat)
            ended = await receive_json(ws)
            assert kind(json.loads(ended["content"])) == "CHAT_ENDED"
            closing = await ws.receive(timeout=5)
            assert closing.type == aiohttp.WSMsgType.CLOSE
            assert closing.data == 1000


@pytest.mark.participant_service(websocket_url_ttl=1.0, max_websockets_per_participant=2)
async def test_websocket_url_expiry_signature_and_socket_limit(
    participant_service: LocalParticipantService,
) -> None:
    chat = await participant_service.astart_chat()
    async with (
        httpx.AsyncClient(base_url=participant_service.endpoint_url) as http,
        aiohttp.ClientSession() as session,
    ):

        async def url() -> str:
            answer = await http.post(
                "/participant/connection",
                headers={"X-Amz-Bearer": chat.participant_token},
                json={"Type": ["WEBSOCKET"]},
            )
            value: str = answer.json()["Websocket"]["Url"]
            return value

        forged = (await url()).replace("X-Amz-Signature=", "X-Amz-Signature=x")
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await session.ws_connect(forged)
        assert caught.value.status == 403
        late = await url()
        await asyncio.sleep(1.1)
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await session.ws_connect(late)
        assert caught.value.status == 403
        first = await session.ws_connect(await url())
        second = await session.ws_connect(await url())
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await session.ws_connect(await url())
        assert caught.value.status == 429
        await first.close()
        for _ in range(100):  # the server lets go of the socket once the close handshake is done
            info = (await http.get(f"/_emulator/contacts/{chat.contact_id}")).json()
            if info["Participants"][0]["WebSockets"] == 1:
                break
            await asyncio.sleep(0.02)
        third = await session.ws_connect(await url())
        for ws in (second, third):
            await ws.close()


async def test_async_with_and_bot_frames() -> None:
    async with LocalParticipantService() as svc:
        chat = await svc.astart_chat("Carla", initial_message="hello")
        bot = await svc.aadd_participant(chat, "Helper")
        agent = await svc.aadd_participant(chat, "Dana", role="AGENT")
        async with httpx.AsyncClient(base_url=svc.endpoint_url) as http:
            tokens = []
            for who in (chat.participant_token, bot.participant_token, agent.participant_token):
                answer = await http.post(
                    "/participant/connection",
                    headers={"X-Amz-Bearer": who},
                    json={"Type": ["CONNECTION_CREDENTIALS"]},
                )
                tokens.append(answer.json()["ConnectionCredentials"]["ConnectionToken"])
            transcript = (
                await http.post(
                    "/participant/transcript",
                    headers={"X-Amz-Bearer": tokens[2]},
                    json={"SortOrder": "ASCENDING"},
                )
            ).json()
            roles = [(kind(i), i.get("ParticipantRole")) for i in transcript["Transcript"]]
            assert roles == [
                ("PARTICIPANT_JOINED", "CUSTOMER"),
                ("MESSAGE", "CUSTOMER"),
                ("PARTICIPANT_JOINED", "CUSTOM_BOT"),
                ("PARTICIPANT_JOINED", "AGENT"),
            ]
            # the bot leaves: the chat goes on for the others
            assert (
                await http.post("/participant/disconnect", headers={"X-Amz-Bearer": tokens[1]}, json={})
            ).status_code == 200
            denied = await http.post("/participant/transcript", headers={"X-Amz-Bearer": tokens[1]}, json={})
            assert denied.status_code == 403
            still = await http.post("/participant/transcript", headers={"X-Amz-Bearer": tokens[0]}, json={})
            assert kind(still.json()["Transcript"][0]) == "PARTICIPANT_LEFT"


def test_browsers_get_cors_answers(participant_service: LocalParticipantService, http: httpx.Client) -> None:
    preflight = http.options(
        "/participant/message",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-bearer",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "x-amz-bearer" in preflight.headers["Access-Control-Allow-Headers"]
    denied = http.post(
        "/participant/transcript", headers={"Origin": "http://localhost:3000", "X-Amz-Bearer": "x"}, json={}
    )
    assert denied.status_code == 403
    assert denied.headers["Access-Control-Allow-Origin"] == "*"
    assert "x-amzn-ErrorType" in denied.headers["Access-Control-Expose-Headers"]
    plain = http.options("/participant/message")
    assert plain.status_code == 405


def test_chat_duration_ends_the_chat(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat()
    token = connection_token(http, chat.participant_token)
    contact = participant_service.emulator.state.contacts[chat.contact_id]
    contact.expires_at = time.time() - 1  # as if ChatDurationInMinutes had passed
    assert_error(call(http, "/participant/transcript", token, {}), 403, "AccessDeniedException")
    info = http.get(f"/_emulator/contacts/{chat.contact_id}").json()
    assert info["Ended"] is True
    assert "ParticipantToken" not in json.dumps(info)
    assert_error(
        http.post("/contact/stop", json={"ContactId": chat.contact_id, "InstanceId": chat.instance_id}),
        410,
        "ContactNotFoundException",
    )
