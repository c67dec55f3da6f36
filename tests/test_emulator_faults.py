"""Fault injection (/_emulator control endpoint), AWS-like throttling, and retries by boto3."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import boto3
import httpx
import pytest
from _emulator_calls import token_for
from connect_participant_emulator import LocalParticipantService, Quota


def send(http: httpx.Client, token: str, text: str = "hi", client_token: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"ContentType": "text/plain", "Content": text}
    if client_token:
        body["ClientToken"] = client_token
    return http.post("/participant/message", headers={"X-Amz-Bearer": token}, json=body)


def messages(http: httpx.Client, token: str) -> list[str]:
    items = http.post(
        "/participant/transcript",
        headers={"X-Amz-Bearer": token},
        json={"MaxResults": 100, "SortOrder": "ASCENDING"},
    ).json()
    return [i["Content"] for i in items["Transcript"] if i["Type"] == "MESSAGE"]


def test_next_calls_fail_with_given_status(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    token = token_for(http, participant_service.start_chat().participant_token)
    rule = participant_service.inject_fault("SendMessage", count=2, status=500)
    assert rule["remaining"] == 2
    participant_service.inject_fault(
        "GetTranscript", status=503, error_code="ServiceUnavailable", message="try later"
    )
    for _ in range(2):
        failed = send(http, token)
        assert failed.status_code == 500
        assert failed.headers["x-amzn-ErrorType"] == "InternalServerException"
        assert failed.headers["x-amzn-RequestId"]
    assert send(http, token).status_code == 200
    unavailable = http.post("/participant/transcript", headers={"X-Amz-Bearer": token}, json={})
    assert (unavailable.status_code, unavailable.headers["x-amzn-ErrorType"]) == (503, "ServiceUnavailable")
    assert unavailable.json() == {"message": "try later"}
    assert messages(http, token) == ["hi"]  # failed "before" calls stored nothing
    assert http.get("/_emulator/faults").json()["faults"] == []


def test_a_fault_scoped_to_one_chat_leaves_the_others_alone(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    one, other = participant_service.start_chat(), participant_service.start_chat()
    rule = participant_service.inject_fault(
        "SendMessage", count=None, status=429, error_code="ThrottlingException", contact_id=one.contact_id
    )
    assert rule["contact_id"] == one.contact_id
    participant_service.inject_fault("SendMessage", status=500)  # every chat's: after the scoped one
    mine, theirs = token_for(http, one.participant_token), token_for(http, other.participant_token)
    assert send(http, theirs).status_code == 500  # the unscoped rule: the scoped one passes it by
    assert send(http, theirs).status_code == 200
    assert [send(http, mine).status_code for _ in range(3)] == [429, 429, 429]  # until removed
    assert participant_service.remove_fault(rule["id"]) is True
    assert participant_service.remove_fault(rule["id"]) is False
    assert send(http, mine).status_code == 200
    bad = http.post("/_emulator/faults", json={"operation": "SendMessage", "contact_id": 7})
    assert bad.status_code == 400


def test_fault_after_the_work_and_idempotent_retry(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    token = token_for(http, participant_service.start_chat().participant_token)
    participant_service.inject_fault("SendMessage", status=500, when="after")
    lost = send(http, token, "once", client_token="ct-1")
    assert lost.status_code == 500
    retried = send(http, token, "once", client_token="ct-1")
    assert retried.status_code == 200
    assert messages(http, token) == ["once"]


def test_boto3_retries_through_injected_faults_without_duplicates(
    participant_service: LocalParticipantService,
) -> None:
    participant = boto3.client(
        "connectparticipant",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url=participant_service.endpoint_url,
    )
    chat = participant_service.start_chat()
    token = participant.create_participant_connection(
        ParticipantToken=chat.participant_token, Type=["CONNECTION_CREDENTIALS"]
    )["ConnectionCredentials"]["ConnectionToken"]
    participant_service.inject_fault("SendMessage", status=500, when="after")
    participant_service.inject_fault("SendMessage", action="drop", when="after")
    answer = participant.send_message(ConnectionToken=token, ContentType="text/plain", Content="exactly once")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    items = participant.get_transcript(ConnectionToken=token)["Transcript"]
    assert [i["Content"] for i in items if i["Type"] == "MESSAGE"] == ["exactly once"]


def test_drop_connection(participant_service: LocalParticipantService, http: httpx.Client) -> None:
    token = token_for(http, participant_service.start_chat().participant_token)
    participant_service.inject_fault("*", action="drop")
    # a dropped connection reads as closed (FIN) or, with the request body still unread on the
    # server side, as reset (RST): which one is a race of the kernel, not of the emulator
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        send(http, token)
    assert send(http, token).status_code == 200


def test_latency_and_delays(participant_service: LocalParticipantService, http: httpx.Client) -> None:
    token = token_for(http, participant_service.start_chat().participant_token)
    participant_service.set_latency(0.4, "GetTranscript")
    began = time.perf_counter()
    assert http.post("/participant/transcript", headers={"X-Amz-Bearer": token}, json={}).status_code == 200
    assert time.perf_counter() - began >= 0.4
    # only GetTranscript is slowed (an upper bound on SendMessage's time would be a timing assertion)
    assert http.get("/_emulator/faults").json()["latency"] == {"GetTranscript": 0.4}
    assert send(http, token).status_code == 200
    participant_service.set_latency(0, "GetTranscript")
    participant_service.inject_fault("SendMessage", action="delay", delay_seconds=0.2)
    began = time.perf_counter()
    assert send(http, token).status_code == 200
    assert time.perf_counter() - began >= 0.2
    assert http.get("/_emulator/faults").json() == {"faults": [], "latency": {}}


def test_expire_connection_tokens_now(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    one = participant_service.start_chat()
    other = participant_service.start_chat()
    token_one, token_other = token_for(http, one.participant_token), token_for(http, other.participant_token)
    assert participant_service.expire_connection_tokens(contact_id=one.contact_id) == 1
    assert send(http, token_one).status_code == 403
    assert send(http, token_other).status_code == 200
    assert send(http, token_for(http, one.participant_token)).status_code == 200


async def test_close_all_websockets(participant_service: LocalParticipantService) -> None:
    chat = await participant_service.astart_chat()
    async with (
        httpx.AsyncClient(base_url=participant_service.endpoint_url) as http,
        aiohttp.ClientSession() as session,
    ):

        async def socket() -> aiohttp.ClientWebSocketResponse:
            answer = await http.post(
                "/participant/connection",
                headers={"X-Amz-Bearer": chat.participant_token},
                json={"Type": ["WEBSOCKET"]},
            )
            return await session.ws_connect(answer.json()["Websocket"]["Url"])

        graceful, other = await socket(), await socket()
        closed = await http.post("/_emulator/websockets/close", json={"code": 1001})
        assert closed.json() == {"closed": 2}
        for ws in (graceful, other):
            message = await ws.receive(timeout=5)
            assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 1001)

        abrupt = await socket()
        assert (await http.post("/_emulator/websockets/close", json={"abrupt": True})).json() == {"closed": 1}
        message = await abrupt.receive(timeout=5)
        assert message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
        await abrupt.close()

        await http.post("/_emulator/faults", json={"operation": "WebSocketConnect", "status": 503})
        with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
            await socket()
        assert caught.value.status == 503
        for ws in (graceful, other):
            await ws.close()


def test_control_endpoint_rejects_bad_input(http: httpx.Client) -> None:
    for body in (
        {"action": "explode"},
        {"count": 0},
        {"status": 200},
        {"delay_seconds": -1},
        {"when": "during"},
        {"operation": ""},
        {"operation": "SendMesage"},
    ):
        answer = http.post("/_emulator/faults", json=body)
        assert answer.status_code == 400, body
        assert answer.json()["message"]
    assert http.post("/_emulator/faults", content=b"{").status_code == 400
    created = http.post("/_emulator/faults", json={"operation": "SendEvent", "count": None}).json()
    assert created["remaining"] is None
    assert http.delete(f"/_emulator/faults/{created['id']}").json() == {"removed": 1}
    assert http.put("/_emulator/latency", json={"seconds": "slow"}).status_code == 400
    assert http.put("/_emulator/latency", json={"seconds": 1, "operation": "Nope"}).status_code == 400
    assert http.post("/_emulator/websockets/close", json={"code": 999}).status_code == 400
    assert http.put("/_emulator/throttling", json={"quotas": {"SendMessage": {"rate": 0}}}).status_code == 400
    assert http.get("/_emulator/health").json()["status"] == "ok"


@pytest.mark.participant_service(throttling=True)
def test_throttling_uses_aws_quotas_per_account(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat(instance_id="instance-a")
    # started before the burst: a slow start_chat after it would let the bucket refill (6/s)
    other = participant_service.start_chat(instance_id="instance-b")
    statuses = []
    for _ in range(20):
        statuses.append(
            http.post(
                "/participant/connection",
                headers={"X-Amz-Bearer": chat.participant_token},
                json={"Type": ["CONNECTION_CREDENTIALS"]},
            )
        )
    assert all(r.status_code == 200 for r in statuses[:9])  # burst of 9
    throttled = [r for r in statuses if r.status_code == 429]
    assert throttled
    assert throttled[0].headers["x-amzn-ErrorType"] == "ThrottlingException"
    # AWS's API rate quotas are per account and Region: another instance shares the bucket
    shared = http.post(
        "/participant/connection",
        headers={"X-Amz-Bearer": other.participant_token},
        json={"Type": ["CONNECTION_CREDENTIALS"]},
    )
    assert shared.status_code == 429


def test_throttling_can_be_switched_on_and_tuned(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    token = token_for(http, participant_service.start_chat().participant_token)
    for _ in range(20):
        assert send(http, token).status_code == 200  # off by default
    state = participant_service.set_throttling(True, {"SendMessage": Quota(rate=2, burst=2)})
    assert state["quotas"]["SendMessage"] == {"rate": 2.0, "burst": 2.0}
    assert [send(http, token).status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(0.6)  # one token back at 2/s
    assert send(http, token).status_code == 200
    participant_service.reset_faults()
    assert http.get("/_emulator/throttling").json()["enabled"] is False
    assert send(http, token).status_code == 200
