"""The emulator's operations (``_operations``), rule by rule, on the model directly (no server, a
fake clock): the body checks and AWS's wording, StartChatContact / CreateParticipant /
StopContact, persistent chats, connections, messages and events, receipts, GetTranscript's
paging, attachments and the small calls (found by ``make mutate --module emulator._operations``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time as real_time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from connect_participant_emulator import _model, _operations
from connect_participant_emulator._config import EmulatorConfig
from connect_participant_emulator._model import Participant, ServiceError, State, iso_time
from connect_participant_emulator._operations import (
    Operations,
    _as_listed,
    body_bool,
    body_int,
    body_list,
    body_obj,
    body_str,
    content_disposition,
)

from tests._fake_clock import Clock

P = _model.EVENT_PREFIX
ORIGIN = "http://127.0.0.1:9"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(_operations, "time", fake)
    monkeypatch.setattr(_model, "time", fake)
    return fake


def _ops(clock: Clock, **config: Any) -> Operations:
    return Operations(State(EmulatorConfig(**config)))


@pytest.fixture
def ops(clock: Clock) -> Operations:
    return _ops(clock)


def _refused(call: Callable[[], Any], status: int = 400, code: str | None = None) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call()
    assert raised.value.status == status, raised.value.message
    if code is not None:
        assert raised.value.code == code
    return raised.value


def _start(ops: Operations, **body: Any) -> dict[str, Any]:
    request = {"InstanceId": "inst", "ContactFlowId": "flow", "ParticipantDetails": {"DisplayName": "Ann"}}
    request.update(body)
    return ops.start_chat_contact(request)


def _customer(ops: Operations, **body: Any) -> Participant:
    return ops.state.participant_tokens[_start(ops, **body)["ParticipantToken"]]


def _joined(ops: Operations, customer: Participant, role: str, name: str = "X") -> Participant:
    return ops.state.add_participant(customer.contact, role, name)


# --- body checks, in AWS's words ----------------------------------------------------------------


def test_body_str() -> None:
    assert body_str({}, "Name") is None
    assert body_str({"Name": ""}, "Name") == ""
    assert body_str({"Name": "ab"}, "Name", min_len=2, max_len=2) == "ab"
    assert body_str({"Name": "x" * 5000}, "Name") == "x" * 5000  # no max: any length
    error = _refused(lambda: body_str({}, "ClientToken", required=True), code="ValidationException")
    assert error.message == (
        "1 validation error detected: Value null at 'clientToken' failed to satisfy constraint: "
        "Member must not be null"
    )
    error = _refused(lambda: body_str({"Name": 5}, "Name"))
    assert error.message == (
        "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must be of type string"
    )
    for value in ("a", "abcd"):
        error = _refused(lambda value=value: body_str({"Name": value}, "Name", min_len=2, max_len=3))
        assert error.message == (
            "1 validation error detected: Value at 'name' failed to satisfy constraint: "
            "Member must have length between 2 and 3"
        )
    error = _refused(lambda: body_str({"Name": ""}, "Name", min_len=1))
    assert error.message.endswith("Member must have length between 1 and any")


def test_body_int() -> None:
    assert body_int({}, "N") is None
    assert body_int({"N": 3}, "N", low=3, high=3) == 3
    assert body_int({"N": 4.0}, "N") == 4
    assert type(body_int({"N": 4.0}, "N")) is int
    assert body_int({"N": -7}, "N") == -7
    error = _refused(lambda: body_int({}, "MaxResults", required=True))
    assert error.message == (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: "
        "Member must not be null"
    )
    for value in (True, 2.5, "3", None if False else [1]):
        error = _refused(lambda value=value: body_int({"N": value}, "N"))
        assert error.message == (
            "1 validation error detected: Value at 'n' failed to satisfy constraint: Member must be of type integer"
        )
    error = _refused(lambda: body_int({"N": 2}, "N", low=3, high=5))
    assert error.message == (
        "1 validation error detected: Value 2 at 'n' failed to satisfy constraint: "
        "Member must have value between 3 and 5"
    )
    _refused(lambda: body_int({"N": 6}, "N", low=3, high=5))
    _refused(lambda: body_int({"N": 6}, "N", high=5))
    _refused(lambda: body_int({"N": 2}, "N", low=3))
    assert body_int({"N": 0}, "N", low=0) == 0


def test_body_bool_obj_and_list() -> None:
    assert body_bool({}, "B") is None
    assert body_bool({"B": False}, "B") is False
    error = _refused(lambda: body_bool({"B": 1}, "B"))
    assert error.message.endswith("at 'b' failed to satisfy constraint: Member must be of type boolean")
    assert body_obj({}, "O") is None
    assert body_obj({"O": {}}, "O") == {}
    assert _refused(lambda: body_obj({}, "O", required=True)).message.endswith("Member must not be null")
    assert _refused(lambda: body_obj({"O": []}, "O")).message.endswith("Member must be a structure")
    assert body_list({}, "L") is None
    assert body_list({"L": []}, "L") == []
    assert _refused(lambda: body_list({}, "L", required=True)).message.endswith("Member must not be null")
    assert _refused(lambda: body_list({"L": {}}, "L")).message.endswith("Member must be a list")
    assert "at 'l'" in _refused(lambda: body_list({"L": 1}, "L")).message


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("a.txt", 'attachment; filename="a.txt"'),
        ('a"b.txt', "attachment; filename*=UTF-8''a%22b.txt"),
        ("a\\b.txt", "attachment; filename*=UTF-8''a%5Cb.txt"),
        ("é.txt", "attachment; filename*=UTF-8''%C3%A9.txt"),
        ("a\tb.txt", "attachment; filename*=UTF-8''a%09b.txt"),
        ("a/b c.txt", 'attachment; filename="a/b c.txt"'),
        ("x" * 233, 'attachment; filename="' + "x" * 233 + '"'),  # 256 characters
        ("x" * 234, "attachment"),  # 257: the name is left out
    ],
)
def test_content_disposition(name: str, header: str) -> None:
    assert content_disposition("attachment", name) == header


def test_as_listed_adds_receipts_to_messages_only_and_copies() -> None:
    message = {"Id": "m1", "Type": "MESSAGE", "Nested": {"a": 1}}
    listed = _as_listed(message)
    assert listed == {
        "Id": "m1",
        "Type": "MESSAGE",
        "Nested": {"a": 1},
        "MessageMetadata": {"MessageId": "m1", "Receipts": []},
    }
    listed["Nested"]["a"] = 2
    assert message == {"Id": "m1", "Type": "MESSAGE", "Nested": {"a": 1}}
    kept = {"Id": "m2", "Type": "MESSAGE", "MessageMetadata": {"MessageId": "m2", "Receipts": [{"R": 1}]}}
    assert _as_listed(kept) == kept
    assert _as_listed({"Id": "e", "Type": "EVENT"}) == {"Id": "e", "Type": "EVENT"}


# --- StartChatContact ----------------------------------------------------------------------------


def test_start_chat_contact(ops: Operations, clock: Clock) -> None:
    answer = _start(ops)
    assert set(answer) == {"ContactId", "ParticipantId", "ParticipantToken"}
    contact = ops.state.contacts[answer["ContactId"]]
    customer = ops.state.participant_tokens[answer["ParticipantToken"]]
    assert (customer.participant_id, customer.role, customer.display_name) == (
        answer["ParticipantId"],
        "CUSTOMER",
        "Ann",
    )
    assert (contact.instance_id, contact.contact_flow_id) == ("inst", "flow")
    assert contact.expires_at == clock.now + 1500 * 60  # 25 hours by default
    assert [e.item["ContentType"] for e in contact.entries] == [P + "participant.joined"]
    longer = ops.state.contacts[_start(ops, ChatDurationInMinutes=10080)["ContactId"]]
    assert longer.expires_at == clock.now + 10080 * 60
    shortest = ops.state.contacts[_start(ops, ChatDurationInMinutes=60)["ContactId"]]
    assert shortest.expires_at == clock.now + 3600


def test_start_chat_contact_with_an_initial_message(ops: Operations) -> None:
    answer = _start(ops, InitialMessage={"ContentType": "text/plain", "Content": "x" * 2000})
    contact = ops.state.contacts[answer["ContactId"]]
    item = contact.entries[-1].item
    assert (item["Type"], item["ContentType"], item["Content"]) == ("MESSAGE", "text/plain", "x" * 2000)
    assert item["ParticipantId"] == answer["ParticipantId"]  # no per-type cap: up to 16,384
    _start(ops, InitialMessage={"ContentType": "text/plain", "Content": "x" * 16384})
    for initial in (
        "hello",
        {"ContentType": "text/plain"},
        {"Content": "x"},
        {"ContentType": "image/png", "Content": "x"},
        {"ContentType": "application/json", "Content": "{"},
        {"ContentType": "text/plain", "Content": "x" * 16385},
    ):
        _refused(
            lambda initial=initial: _start(ops, InitialMessage=initial), code="InvalidParameterException"
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"InstanceId": None}, "InstanceId is required."),
        ({"InstanceId": "i" * 101}, "InstanceId must be a string of 1 to 100 characters."),
        ({"InstanceId": ""}, "InstanceId must be a string of 1 to 100 characters."),
        ({"ContactFlowId": "f" * 501}, "ContactFlowId must be a string of 0 to 500 characters."),
        ({"ContactFlowId": 5}, "ContactFlowId must be a string of 0 to 500 characters."),
        ({"ParticipantDetails": None}, "ParticipantDetails is required and must be an object."),
        ({"ParticipantDetails": {}}, "DisplayName is required."),
        (
            {"ParticipantDetails": {"DisplayName": "d" * 257}},
            "DisplayName must be a string of 1 to 256 characters.",
        ),
        ({"ClientToken": "t" * 501}, "ClientToken must be a string of 0 to 500 characters."),
        ({"ChatDurationInMinutes": 59}, "ChatDurationInMinutes must be an integer from 60 to 10080."),
        ({"ChatDurationInMinutes": 10081}, "ChatDurationInMinutes must be an integer from 60 to 10080."),
        ({"ChatDurationInMinutes": True}, "ChatDurationInMinutes must be an integer from 60 to 10080."),
        ({"ChatDurationInMinutes": 60.0}, "ChatDurationInMinutes must be an integer from 60 to 10080."),
        ({"InitialMessage": "hi"}, "InitialMessage must be an object."),
    ],
)
def test_start_chat_contact_checks_its_body(ops: Operations, body: dict[str, Any], message: str) -> None:
    request: dict[str, Any] = {
        "InstanceId": "inst",
        "ContactFlowId": "",
        "ParticipantDetails": {"DisplayName": "A"},
    }
    request.update(body)
    request = {k: v for k, v in request.items() if v is not None}
    error = _refused(lambda: ops.start_chat_contact(request), code="InvalidParameterException")
    assert error.message == message
    assert ops.state.contacts == {}


def test_start_chat_contact_is_idempotent_per_instance(ops: Operations, clock: Clock) -> None:
    first = _start(ops, ClientToken="t1")
    assert _start(ops, ClientToken="t1") == first
    assert len(ops.state.contacts) == 1
    assert _start(ops, ClientToken="t1", InstanceId="other") != first
    assert _start(ops, ClientToken="t2") != first
    assert _start(ops) != _start(ops)  # no token: a new chat each time
    clock.now += 600.0  # the idempotency window (600 s) is over
    assert _start(ops, ClientToken="t1") != first


# --- persistent chats -------------------------------------------------------------------------------


def test_a_persistent_chat_continues_an_ended_chat(ops: Operations) -> None:
    source = _customer(ops)
    seg2, _ = ops.state.transfer(source.contact, "QUEUE", "", succeed=True)
    ops.state.end_contact(source.contact)
    first_id = source.contact.contact_id
    entire = _start(
        ops, PersistentChat={"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": first_id}
    )
    assert entire["ContinuedFromContactId"] == seg2  # its most recent contact
    later = ops.state.contacts[entire["ContactId"]]
    assert later.continues is not None
    assert later.continues.chat is source.contact
    assert later.entries[0].item["ContentType"] == P + "chat.rehydrated"
    segment = _start(ops, PersistentChat={"RehydrationType": "FROM_SEGMENT", "SourceContactId": first_id})
    assert segment["ContinuedFromContactId"] == first_id
    from_seg2 = _start(ops, PersistentChat={"RehydrationType": "FROM_SEGMENT", "SourceContactId": seg2})
    assert from_seg2["ContinuedFromContactId"] == seg2
    assert "ContinuedFromContactId" not in _start(ops)


def test_a_persistent_chat_needs_an_ended_source_of_its_instance(ops: Operations, clock: Clock) -> None:
    source = _customer(ops)
    first_id = source.contact.contact_id
    seg2, _ = ops.state.transfer(source.contact, "QUEUE", "", succeed=True)

    def persistent(kind: Any = "FROM_SEGMENT", source_id: Any = first_id, **body: Any) -> dict[str, Any]:
        return _start(ops, PersistentChat={"RehydrationType": kind, "SourceContactId": source_id}, **body)

    error = _refused(lambda: persistent(), code="InvalidRequestException")
    assert error.message == "Only chat sessions that have ended can be rehydrated."
    error = _refused(lambda: persistent(source_id="nope"), 404, "ResourceNotFoundException")
    assert error.message == (
        "The source contact nope does not exist in this instance (or is past the emulator's retention)."
    )
    _refused(lambda: persistent(InstanceId="other"), 404)
    clock.now = source.contact.expires_at  # past its duration: it ends when looked at
    persistent()
    error = _refused(lambda: persistent("ENTIRE_PAST_SESSION", seg2), code="InvalidRequestException")
    assert error.message == (
        "ENTIRE_PAST_SESSION takes the initial contact id of the past chat session as SourceContactId."
    )
    for kind in ("SEGMENT", None):
        error = _refused(lambda kind=kind: persistent(kind), code="InvalidParameterException")
        assert (
            error.message
            == "PersistentChat.RehydrationType is required: ENTIRE_PAST_SESSION or FROM_SEGMENT."
        )
    error = _refused(lambda: _start(ops, PersistentChat="x"), code="InvalidParameterException")
    assert error.message == "PersistentChat must be an object."
    _refused(lambda: persistent(source_id=""), code="InvalidParameterException")
    _refused(lambda: persistent(source_id="s" * 257), code="InvalidParameterException")


def test_an_idempotent_persistent_start_is_replayed_before_the_source_is_checked(ops: Operations) -> None:
    source = _customer(ops)
    ops.state.end_contact(source.contact)
    body = {"RehydrationType": "FROM_SEGMENT", "SourceContactId": source.contact.contact_id}
    first = _start(ops, PersistentChat=body, ClientToken="t")
    ops.state.release(source.contact)  # the source is gone now
    assert _start(ops, PersistentChat=body, ClientToken="t") == first


# --- CreateParticipant and StopContact -----------------------------------------------------------


def test_create_participant(ops: Operations) -> None:
    customer = _customer(ops)
    contact = customer.contact
    body = {
        "InstanceId": "inst",
        "ContactId": contact.contact_id,
        "ParticipantDetails": {"DisplayName": "Bot"},
    }
    answer = ops.create_participant(body)
    bot = contact.participants[answer["ParticipantId"]]
    assert (bot.role, bot.display_name) == ("CUSTOM_BOT", "Bot")
    assert answer["ParticipantCredentials"] == {
        "ParticipantToken": bot.token,
        "Expiry": iso_time(contact.expires_at),
    }
    unnamed = ops.create_participant({**body, "ParticipantDetails": {}})
    assert contact.participants[unnamed["ParticipantId"]].display_name == "Custom Bot"
    error = _refused(
        lambda: ops.create_participant({**body, "ParticipantDetails": {"ParticipantRole": "AGENT"}}),
        code="InvalidRequestException",
    )
    assert error.message == "ParticipantRole must be one of CUSTOM_BOT."
    agent = ops.create_participant(
        {"ContactId": contact.contact_id, "ParticipantDetails": {"ParticipantRole": "SUPERVISOR"}},
        any_role=True,
    )
    assert contact.participants[agent["ParticipantId"]].display_name == "Supervisor"
    error = _refused(
        lambda: ops.create_participant(
            {**body, "ParticipantDetails": {"ParticipantRole": "X"}}, any_role=True
        )
    )
    assert error.message == "ParticipantRole must be one of AGENT, CUSTOMER, CUSTOM_BOT, SUPERVISOR, SYSTEM."
    error = _refused(
        lambda: ops.create_participant({**body, "ParticipantDetails": "x"}), code="InvalidRequestException"
    )
    assert error.message == "ParticipantDetails is required and must be an object."
    _refused(
        lambda: ops.create_participant({k: v for k, v in body.items() if k != "InstanceId"}),
        code="InvalidParameterException",
    )
    _refused(
        lambda: ops.create_participant({**body, "ContactId": "c" * 257}), code="InvalidParameterException"
    )
    error = _refused(
        lambda: ops.create_participant({**body, "InstanceId": "other"}), 404, "ResourceNotFoundException"
    )
    assert error.message == "The contact does not exist."
    _refused(lambda: ops.create_participant({**body, "ContactId": "nope"}), 404)
    _refused(lambda: ops.create_participant({**body, "ParticipantDetails": {"DisplayName": ""}}))


def test_create_participant_is_idempotent_and_needs_an_active_contact(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    contact = customer.contact
    body = {
        "InstanceId": "inst",
        "ContactId": contact.contact_id,
        "ParticipantDetails": {},
        "ClientToken": "t",
    }
    first = ops.create_participant(body)
    assert ops.create_participant(body) == first
    assert len(contact.participants) == 2
    other = _customer(ops)
    assert ops.create_participant({**body, "ContactId": other.contact.contact_id}) != first
    clock.now = contact.expires_at
    error = _refused(
        lambda: ops.create_participant({**body, "ClientToken": "u"}), code="InvalidRequestException"
    )
    assert error.message == "The contact is not active."
    assert contact.ended


def test_stop_contact(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    contact = customer.contact
    body = {"ContactId": contact.contact_id, "InstanceId": "inst"}
    error = _refused(
        lambda: ops.stop_contact({**body, "InstanceId": "other"}), 410, "ContactNotFoundException"
    )
    assert error.message == "The contact with the specified ID is not active or does not exist."
    _refused(lambda: ops.stop_contact({**body, "ContactId": "nope"}), 410)
    _refused(lambda: ops.stop_contact({"ContactId": contact.contact_id}), 400, "InvalidParameterException")
    _refused(lambda: ops.stop_contact({"InstanceId": "inst"}), 400, "InvalidParameterException")
    assert ops.stop_contact(body) == {}
    assert contact.ended
    error = _refused(lambda: ops.stop_contact(body), 410, "ContactNotFoundException")
    assert error.message == "The contact with the specified ID is not active or does not exist."
    expiring = _customer(ops).contact
    clock.now = expiring.expires_at
    _refused(lambda: ops.stop_contact({"ContactId": expiring.contact_id, "InstanceId": "inst"}), 410)


# --- CreateParticipantConnection -------------------------------------------------------------------


def test_connection_with_a_websocket_and_credentials(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    answer = ops.create_participant_connection(
        customer.token, {"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"]}, ORIGIN
    )
    assert set(answer) == {"Websocket", "ConnectionCredentials"}
    url = urlsplit(answer["Websocket"]["Url"])
    assert (url.scheme, url.netloc, url.path) == ("ws", "127.0.0.1:9", "/connect/websocket")
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Date"] == [real_time.strftime("%Y%m%dT%H%M%SZ", real_time.gmtime(clock.now))]
    assert query["X-Amz-Expires"] == ["100"]
    (key,) = query["X-Amz-Signature"]
    assert ops.state.websocket_grants[key].participant is customer
    assert answer["Websocket"]["ConnectionExpiry"] == iso_time(clock.now + 100)
    token = answer["ConnectionCredentials"]["ConnectionToken"]
    assert ops.state.connection_tokens[token].participant is customer
    assert answer["ConnectionCredentials"]["Expiry"] == iso_time(clock.now + 86400)
    assert not customer.acknowledged
    secure = ops.create_participant_connection(customer.token, {"Type": ["WEBSOCKET"]}, "https://h")
    assert secure["Websocket"]["Url"].startswith("wss://h/connect/websocket?")
    other = ops.create_participant_connection(customer.token, {"Type": ["WEBSOCKET"]}, "ws://h")
    assert other["Websocket"]["Url"].startswith("ws://h/connect/websocket?")
    assert ops.create_participant_connection(customer.token, {}, ORIGIN) == {}


def test_connection_with_webrtc(ops: Operations) -> None:
    customer = _customer(ops)
    answer = ops.create_participant_connection(customer.token, {"Type": ["WEBRTC_CONNECTION"]}, ORIGIN)
    rtc = answer["WebRTCConnection"]
    meeting = rtc["Meeting"]["MeetingId"]
    assert rtc["Meeting"]["MediaPlacement"] == {
        "AudioHostUrl": f"{ORIGIN}/_emulator/webrtc/{meeting}/audio",
        "AudioFallbackUrl": f"{ORIGIN}/_emulator/webrtc/{meeting}/audio-fallback",
        "SignalingUrl": f"{ORIGIN}/_emulator/webrtc/{meeting}/signaling",
        "EventIngestionUrl": f"{ORIGIN}/_emulator/webrtc/{meeting}/events",
    }
    assert rtc["Meeting"]["MeetingFeatures"] == {"Audio": {"EchoReduction": "UNAVAILABLE"}}
    assert set(rtc["Attendee"]) == {"AttendeeId", "JoinToken"}
    assert len(rtc["Attendee"]["JoinToken"]) >= 40
    assert rtc["Attendee"]["AttendeeId"] != meeting


def test_connect_participant_acknowledges_once(ops: Operations) -> None:
    customer = _customer(ops)
    contact = customer.contact
    ops.create_participant_connection(
        customer.token, {"Type": ["CONNECTION_CREDENTIALS"], "ConnectParticipant": False}, ORIGIN
    )
    assert not customer.acknowledged
    for _ in range(2):
        ops.create_participant_connection(customer.token, {"ConnectParticipant": True}, ORIGIN)
    acks = [e.item for e in contact.entries if e.item["ContentType"] == P + "connection.acknowledged"]
    assert len(acks) == 1
    assert acks[0]["ParticipantId"] == customer.participant_id
    assert customer.acknowledged


def test_connection_checks_its_types_and_token(ops: Operations) -> None:
    customer = _customer(ops)
    error = _refused(
        lambda: ops.create_participant_connection(customer.token, {"Type": ["WEBSOCKET", "SMS"]}, ORIGIN)
    )
    assert error.message == (
        "1 validation error detected: Value at 'type' failed to satisfy constraint: Member must satisfy "
        "enum value set: [WEBSOCKET, CONNECTION_CREDENTIALS, WEBRTC_CONNECTION]"
    )
    assert ops.state.websocket_grants == {}
    _refused(lambda: ops.create_participant_connection(customer.token, {"ConnectParticipant": "yes"}, ORIGIN))
    _refused(lambda: ops.create_participant_connection("nope", {}, ORIGIN), 403)


# --- SendMessage ----------------------------------------------------------------------------------


def test_send_message(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    answer = ops.send_message(customer, {"ContentType": "text/plain", "Content": "hi"})
    item = customer.contact.entries[-1].item
    assert answer == {"Id": item["Id"], "AbsoluteTime": iso_time(clock.now)}
    assert (item["Type"], item["Content"], item["ParticipantId"]) == (
        "MESSAGE",
        "hi",
        customer.participant_id,
    )
    for body in (
        {"Content": "hi"},
        {"ContentType": "text/plain"},
        {"ContentType": "text/plain", "Content": ""},
        {"ContentType": "", "Content": "x"},
        {"ContentType": "t" * 101, "Content": "x"},
        {"ContentType": "text/plain", "Content": "x", "ClientToken": "t" * 501},
    ):
        _refused(lambda body=body: ops.send_message(customer, body), code="ValidationException")


def test_send_message_is_idempotent_per_participant(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    body = {"ContentType": "text/plain", "Content": "hi", "ClientToken": "t"}
    first = ops.send_message(customer, body)
    assert ops.send_message(customer, body) == first
    assert ops.send_message(bot, body) != first
    messages = [e for e in customer.contact.entries if e.item["Type"] == "MESSAGE"]
    assert len(messages) == 2
    clock.now += 600
    assert ops.send_message(customer, body) != first


@pytest.mark.parametrize(
    ("content_type", "ok", "too_long"),
    [
        ("text/plain", "x" * 1024, "x" * 1025),
        ("text/markdown", "x" * 1024, "x" * 1025),
        ("application/json", '"' + "x" * 11998 + '"', '"' + "x" * 11999 + '"'),
        (
            "application/vnd.amazonaws.connect.message.interactive.response",
            '"' + "x" * 12286 + '"',
            '"' + "x" * 12287 + '"',
        ),
    ],
)
def test_each_content_type_has_its_limit(ops: Operations, content_type: str, ok: str, too_long: str) -> None:
    customer = _customer(ops)
    ops.send_message(customer, {"ContentType": content_type, "Content": ok})
    error = _refused(lambda: ops.send_message(customer, {"ContentType": content_type, "Content": too_long}))
    assert error.message == (
        "1 validation error detected: Value at 'content' failed to satisfy constraint: Member must have "
        f"length less than or equal to {len(ok)} for content type {content_type}"
    )


def test_message_limits_can_be_lifted_or_changed(clock: Clock) -> None:
    lifted = _ops(clock, message_limits=None)
    customer = _customer(lifted)
    lifted.send_message(customer, {"ContentType": "text/plain", "Content": "x" * 16384})
    _refused(lambda: lifted.send_message(customer, {"ContentType": "text/plain", "Content": "x" * 16385}))
    own = _ops(clock, message_limits={"text/plain": 3})
    customer = _customer(own)
    own.send_message(customer, {"ContentType": "text/plain", "Content": "abc"})
    _refused(lambda: own.send_message(customer, {"ContentType": "text/plain", "Content": "abcd"}))
    own.send_message(
        customer, {"ContentType": "text/markdown", "Content": "x" * 16384}
    )  # no limit: the shape's


def test_message_types_and_json_content(ops: Operations) -> None:
    customer = _customer(ops)
    error = _refused(lambda: ops.send_message(customer, {"ContentType": "image/png", "Content": "x"}))
    assert error.message == (
        "Content type 'image/png' is not supported. Supported: application/json, "
        "application/vnd.amazonaws.connect.message.interactive.response, text/markdown, text/plain."
    )
    error = _refused(lambda: ops.send_message(customer, {"ContentType": "application/json", "Content": "{"}))
    assert error.message == "Content of type application/json must be valid JSON."
    ops.send_message(customer, {"ContentType": "text/markdown", "Content": "{"})
    ops.send_message(customer, {"ContentType": "text/plain", "Content": "{"})
    kind = "application/vnd.amazonaws.connect.message.interactive.response"
    _refused(lambda: ops.send_message(customer, {"ContentType": kind, "Content": "not json"}))
    ops.send_message(customer, {"ContentType": kind, "Content": "{}"})


# --- SendEvent and receipts --------------------------------------------------------------------------


def test_typing_goes_out_without_being_kept(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    seen: list[dict[str, Any]] = []
    ops.state.listeners.append(lambda c, item, p: seen.append(item))
    count = len(customer.contact.entries)
    answer = ops.send_event(customer, {"ContentType": P + "typing", "Content": "{}"})
    assert answer == {"Id": seen[-1]["Id"], "AbsoluteTime": iso_time(clock.now)}
    assert (seen[-1]["Type"], seen[-1]["Content"]) == ("EVENT", "{}")
    assert len(customer.contact.entries) == count


def test_a_connection_acknowledgement_event_is_kept(ops: Operations) -> None:
    customer = _customer(ops)
    ops.send_event(customer, {"ContentType": P + "connection.acknowledged"})
    item = customer.contact.entries[-1].item
    assert (item["ContentType"], item["ParticipantId"], item["Type"]) == (
        P + "connection.acknowledged",
        customer.participant_id,
        "EVENT",
    )
    assert customer.acknowledged


def test_send_event_checks_its_type_and_receipts_their_message(ops: Operations) -> None:
    customer = _customer(ops)
    error = _refused(lambda: ops.send_event(customer, {"ContentType": P + "participant.joined"}))
    assert error.message == (
        f"Event content type '{P}participant.joined' is not supported. Supported: "
        f"{P}connection.acknowledged, {P}message.delivered, {P}message.read, {P}typing."
    )
    for content in (None, "nope", "[]", '{"messageId": 5}', '{"id": "x"}'):
        body = {"ContentType": P + "message.read"}
        if content is not None:
            body["Content"] = content
        error = _refused(lambda body=body: ops.send_event(customer, body))
        assert error.message == 'Receipts need Content {"messageId": "<id>"}.'.replace(
            "Receipts", "Receipt events"
        )
    error = _refused(
        lambda: ops.send_event(
            customer, {"ContentType": P + "message.delivered", "Content": '{"messageId": "m"}'}
        )
    )
    assert error.message == "Message m is not in this chat."
    _refused(lambda: ops.send_event(customer, {"ContentType": P + "typing", "Content": ""}))
    _refused(lambda: ops.send_event(customer, {"ContentType": P + "typing", "ClientToken": "t" * 501}))
    _refused(lambda: ops.send_event(customer, {}))


def test_receipts_stay_on_their_message_and_go_out_as_metadata(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    contact = customer.contact
    sent = ops.send_message(bot, {"ContentType": "text/plain", "Content": "hi"})
    socket_items: list[dict[str, Any]] = []
    sock = _model.Socket(customer, asyncio.Queue(), lambda: None, subscribed=True)
    customer.sockets.add(sock)
    delivered_at = iso_time(clock.now)
    body = {"ContentType": P + "message.delivered", "Content": json.dumps({"messageId": sent["Id"]})}
    answer = ops.send_event(customer, body)
    clock.now += 2
    read_at = iso_time(clock.now)
    ops.send_event(customer, {**body, "ContentType": P + "message.read"})
    while not sock.queue.empty():
        frame = sock.queue.get_nowait()
        assert isinstance(frame, str)
        socket_items.append(json.loads(json.loads(frame)["content"]))
    message = contact.entries[contact.item_index(sent["Id"]) or 0].item
    mine = {
        "RecipientParticipantId": customer.participant_id,
        "DeliveredTimestamp": delivered_at,
        "ReadTimestamp": read_at,
    }
    assert message["MessageMetadata"] == {"MessageId": sent["Id"], "Receipts": [mine]}
    first, second = socket_items
    assert answer == {"Id": first["Id"], "AbsoluteTime": delivered_at}
    assert (first["Type"], first["ContentType"], first["ContactId"]) == (
        "MESSAGEMETADATA",
        P + "message.metadata",
        contact.contact_id,
    )
    assert first["MessageMetadata"] == {
        "MessageId": sent["Id"],
        "Receipts": [{"RecipientParticipantId": customer.participant_id, "DeliveredTimestamp": delivered_at}],
    }
    assert second["MessageMetadata"]["Receipts"] == [mine]
    assert first["Id"] != second["Id"]
    assert all(e.item["Type"] != "MESSAGEMETADATA" for e in contact.entries)  # not kept as items


def test_read_implies_delivered_and_receipts_are_per_recipient(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    sent = ops.send_message(customer, {"ContentType": "text/plain", "Content": "hi"})
    read = {"ContentType": P + "message.read", "Content": json.dumps({"messageId": sent["Id"]})}
    ops.send_event(bot, read)
    first = iso_time(clock.now)
    clock.now += 1
    ops.send_event(customer, read)
    message = customer.contact.entries[customer.contact.item_index(sent["Id"]) or 0].item
    assert message["MessageMetadata"]["Receipts"] == [
        {"RecipientParticipantId": bot.participant_id, "ReadTimestamp": first, "DeliveredTimestamp": first},
        {
            "RecipientParticipantId": customer.participant_id,
            "ReadTimestamp": iso_time(clock.now),
            "DeliveredTimestamp": iso_time(clock.now),
        },
    ]
    clock.now += 1
    ops.send_event(bot, {**read, "ContentType": P + "message.delivered"})
    assert message["MessageMetadata"]["Receipts"][0]["DeliveredTimestamp"] == iso_time(clock.now)
    assert message["MessageMetadata"]["Receipts"][0]["ReadTimestamp"] == first


def test_receipts_are_refused_while_a_supervisor_is_in(ops: Operations) -> None:
    customer = _customer(ops)
    sent = ops.send_message(customer, {"ContentType": "text/plain", "Content": "hi"})
    sam = _joined(ops, customer, "SUPERVISOR")
    read = {"ContentType": P + "message.read", "Content": json.dumps({"messageId": sent["Id"]})}
    error = _refused(lambda: ops.send_event(customer, read), 409, "ConflictException")
    assert error.message == "Message receipts are not supported while a supervisor is in the chat."
    sam.left = True
    ops.send_event(customer, read)


def test_send_event_is_idempotent(ops: Operations) -> None:
    customer = _customer(ops)
    body = {"ContentType": P + "typing", "ClientToken": "t"}
    first = ops.send_event(customer, body)
    assert ops.send_event(customer, body) == first
    assert ops.send_event(customer, {**body, "ClientToken": "u"}) != first


def test_disconnect_participant(ops: Operations) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    assert ops.disconnect_participant(bot, {}) == {}
    assert bot.left
    assert not customer.contact.ended
    _refused(lambda: ops.disconnect_participant(customer, {"ClientToken": "t" * 501}))
    assert not customer.left
    ops.disconnect_participant(customer, {"ClientToken": "t"})
    assert customer.contact.ended


# --- GetTranscript ---------------------------------------------------------------------------------


def _chat_of(ops: Operations, clock: Clock, count: int) -> tuple[Participant, list[str]]:
    customer = _customer(ops)
    ids = [customer.contact.entries[0].item["Id"]]  # participant.joined
    for n in range(count - 1):
        clock.now += 1
        ids.append(ops.send_message(customer, {"ContentType": "text/plain", "Content": f"m{n}"})["Id"])
    return customer, ids


def _page(ops: Operations, who: Participant, **body: Any) -> tuple[list[str], str]:
    answer = ops.get_transcript(who, body)
    return [i["Id"] for i in answer["Transcript"]], answer["NextToken"]


def test_transcript_defaults_backward_descending_ten(ops: Operations, clock: Clock) -> None:
    customer, ids = _chat_of(ops, clock, 13)
    answer = ops.get_transcript(customer, {})
    assert answer["InitialContactId"] == customer.contact.contact_id
    assert [i["Id"] for i in answer["Transcript"]] == ids[3:][::-1]
    rest, token = _page(ops, customer, NextToken=answer["NextToken"])
    assert (rest, token) == (ids[:3][::-1], "")
    assert answer["Transcript"][-1]["MessageMetadata"] == {"MessageId": ids[3], "Receipts": []}


def test_transcript_forward_ascending_pages(ops: Operations, clock: Clock) -> None:
    customer, ids = _chat_of(ops, clock, 7)
    page, token = _page(ops, customer, ScanDirection="FORWARD", SortOrder="ASCENDING", MaxResults=3)
    assert page == ids[:3]
    page, token = _page(ops, customer, NextToken=token, SortOrder="ASCENDING", MaxResults=3)
    assert page == ids[3:6]
    page, token = _page(ops, customer, NextToken=token, SortOrder="ASCENDING", MaxResults=3)
    assert (page, token) == (ids[6:], "")
    page, token = _page(ops, customer, ScanDirection="FORWARD", MaxResults=7)
    assert (page, token) == (ids[::-1], "")
    page, token = _page(ops, customer, ScanDirection="FORWARD", MaxResults=6)
    assert page == ids[:6][::-1]
    assert token != ""
    assert _page(ops, customer, MaxResults=0)[0] == ids[-10:][::-1]  # 0: the default page
    page, token = _page(ops, customer, MaxResults=100, SortOrder="ASCENDING")
    assert (page, token) == (ids, "")


def test_transcript_backward_pages_meet_the_start_exactly(ops: Operations, clock: Clock) -> None:
    customer, ids = _chat_of(ops, clock, 6)
    page, token = _page(ops, customer, MaxResults=3, SortOrder="ASCENDING")
    assert page == ids[3:]
    page, token = _page(ops, customer, MaxResults=3, SortOrder="ASCENDING", NextToken=token)
    assert (page, token) == (ids[:3], "")


def test_transcript_start_positions(ops: Operations, clock: Clock) -> None:
    customer, ids = _chat_of(ops, clock, 6)
    entries = customer.contact.entries
    stamp = entries[2].item["AbsoluteTime"]
    asc = {"SortOrder": "ASCENDING", "MaxResults": 2}
    assert _page(ops, customer, StartPosition={"Id": ids[2]}, **asc)[0] == ids[2:4]  # FORWARD with a start
    assert _page(ops, customer, StartPosition={"Id": ids[2]}, ScanDirection="BACKWARD", **asc)[0] == ids[1:3]
    assert _page(ops, customer, StartPosition={"AbsoluteTime": stamp}, **asc)[0] == ids[2:4]
    assert (
        _page(ops, customer, StartPosition={"AbsoluteTime": stamp}, ScanDirection="BACKWARD", **asc)[0]
        == ids[1:3]
    )
    between = iso_time(parse(stamp) + 0.5)
    assert _page(ops, customer, StartPosition={"AbsoluteTime": between}, **asc)[0] == ids[3:5]
    assert (
        _page(ops, customer, StartPosition={"AbsoluteTime": between}, ScanDirection="BACKWARD", **asc)[0]
        == ids[1:3]
    )
    late = iso_time(clock.now + 100)
    assert _page(ops, customer, StartPosition={"AbsoluteTime": late}, **asc) == ([], "")
    assert (
        _page(ops, customer, StartPosition={"AbsoluteTime": late}, ScanDirection="BACKWARD", **asc)[0]
        == ids[4:]
    )
    assert _page(ops, customer, StartPosition={"MostRecent": 1}, **asc)[0] == ids[4:6]
    assert (
        _page(ops, customer, StartPosition={"MostRecent": 0}, ScanDirection="BACKWARD", **asc)[0] == ids[4:]
    )
    assert _page(ops, customer, StartPosition={"MostRecent": 100}, **asc)[0] == ids[:2]
    assert _page(ops, customer, StartPosition={}, **asc)[0] == ids[4:]  # empty: like none
    error = _refused(lambda: ops.get_transcript(customer, {"StartPosition": {"Id": ids[0], "MostRecent": 1}}))
    assert error.message == "StartPosition takes exactly one of Id, AbsoluteTime and MostRecent."
    _refused(lambda: ops.get_transcript(customer, {"StartPosition": {"Id": ids[0], "AbsoluteTime": stamp}}))
    _refused(
        lambda: ops.get_transcript(customer, {"StartPosition": {"AbsoluteTime": stamp, "MostRecent": 1}})
    )
    error = _refused(lambda: ops.get_transcript(customer, {"StartPosition": {"Id": "nope"}}))
    assert error.message == "StartPosition Id nope is not in the transcript."
    error = _refused(lambda: ops.get_transcript(customer, {"StartPosition": {"AbsoluteTime": "soon"}}))
    assert error.message == "StartPosition AbsoluteTime is not an ISO 8601 time."
    _refused(lambda: ops.get_transcript(customer, {"StartPosition": {"MostRecent": 101}}))
    _refused(lambda: ops.get_transcript(customer, {"StartPosition": {"Other": 1, "MostRecent": -1}}))


def parse(text: str) -> float:
    return _model.parse_iso_time(text)


def test_anchor_without_a_known_position() -> None:
    entries = [_model.Entry(n, 0.0, {"Id": str(n), "AbsoluteTime": iso_time(n)}) for n in range(3)]
    assert Operations._anchor(entries, None, "FORWARD") == 0
    assert Operations._anchor(entries, None, "BACKWARD") == 2
    assert Operations._anchor(entries, {"Other": 1}, "FORWARD") == 0
    assert Operations._anchor(entries, {"Other": 1}, "BACKWARD") == 2
    assert Operations._anchor(entries, {"AbsoluteTime": iso_time(1)}, "FORWARD") == 1
    assert Operations._anchor(entries, {"AbsoluteTime": iso_time(1)}, "BACKWARD") == 1
    assert Operations._anchor(entries, {"AbsoluteTime": iso_time(-1)}, "BACKWARD") is None
    assert Operations._anchor(entries, {"MostRecent": 5}, "FORWARD") == 0
    assert Operations._anchor(entries, {"Id": "0"}, "BACKWARD") == 0
    assert Operations._anchor([], None, "BACKWARD") == -1


def test_transcript_checks_its_arguments_and_tokens(ops: Operations, clock: Clock) -> None:
    customer, _ids = _chat_of(ops, clock, 4)
    other, _ = _chat_of(ops, clock, 4)
    error = _refused(lambda: ops.get_transcript(customer, {"ScanDirection": "UP"}))
    assert error.message == "ScanDirection must be FORWARD or BACKWARD."
    error = _refused(lambda: ops.get_transcript(customer, {"SortOrder": "RANDOM"}))
    assert error.message == "SortOrder must be ASCENDING or DESCENDING."
    for body in (
        {"MaxResults": 101},
        {"MaxResults": -1},
        {"NextToken": ""},
        {"NextToken": "t" * 1001},
        {"ContactId": ""},
        {"ContactId": "c" * 257},
        {"StartPosition": []},
    ):
        _refused(lambda body=body: ops.get_transcript(customer, body))
    _, token = _page(ops, customer, MaxResults=1)
    error = _refused(lambda: ops.get_transcript(other, {"NextToken": token}))
    assert error.message == "The NextToken is not valid."
    _refused(lambda: ops.get_transcript(customer, {"NextToken": "unknown"}))
    cursor = ops.state.cursors[token]
    cursor.seq = -5  # its item is no longer in the transcript
    assert (
        _refused(lambda: ops.get_transcript(customer, {"NextToken": token})).message
        == "The NextToken is not valid."
    )
    _page(ops, customer, NextToken=_page(ops, customer, MaxResults=1)[1], MaxResults=100)


def test_a_next_token_keeps_its_direction(ops: Operations, clock: Clock) -> None:
    customer, ids = _chat_of(ops, clock, 5)
    _, token = _page(ops, customer, ScanDirection="FORWARD", MaxResults=2)
    page, _ = _page(
        ops, customer, NextToken=token, ScanDirection="BACKWARD", SortOrder="ASCENDING", MaxResults=2
    )
    assert page == ids[2:4]


def test_transcript_of_an_earlier_chat_and_of_an_empty_one(ops: Operations, clock: Clock) -> None:
    source, ids = _chat_of(ops, clock, 3)
    ops.state.end_contact(source.contact)
    later = _customer(
        ops, PersistentChat={"RehydrationType": "FROM_SEGMENT", "SourceContactId": source.contact.contact_id}
    )
    answer = ops.get_transcript(later, {"ContactId": source.contact.contact_id, "SortOrder": "ASCENDING"})
    assert answer["InitialContactId"] == source.contact.contact_id
    assert [i["Id"] for i in answer["Transcript"]][:3] == ids
    _refused(lambda: ops.get_transcript(later, {"ContactId": "nope"}))
    empty = _customer(ops)
    empty.contact.entries.clear()
    assert ops.get_transcript(empty, {}) == {
        "InitialContactId": empty.contact.contact_id,
        "Transcript": [],
        "NextToken": "",
    }
    assert ops.get_transcript(empty, {"ScanDirection": "FORWARD"})["Transcript"] == []


# --- attachments ---------------------------------------------------------------------------------


def _upload(ops: Operations, who: Participant, name: str = "f.txt", **body: Any) -> dict[str, Any]:
    request = {
        "ContentType": "text/plain",
        "AttachmentSizeInBytes": 3,
        "AttachmentName": name,
        "ClientToken": name,
    }
    request.update(body)
    return ops.start_attachment_upload(who, request, ORIGIN)


def _uploaded(ops: Operations, who: Participant, name: str = "f.txt") -> str:
    attachment_id = _upload(ops, who, name)["AttachmentId"]
    ops.state.attachments[attachment_id].data = b"abc"
    ops.complete_attachment_upload(who, {"AttachmentIds": [attachment_id], "ClientToken": "c" + name})
    return attachment_id


def test_start_attachment_upload(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    answer = _upload(ops, customer, 'my "file".txt')
    attachment = ops.state.attachments[answer["AttachmentId"]]
    assert customer.contact.attachments[attachment.attachment_id] is attachment
    contact_id = customer.contact.contact_id
    headers = {
        "Content-Type": "text/plain",
        "Content-Disposition": "attachment; filename*=UTF-8''my%20%22file%22.txt",
        "Content-Length": "3",
        "x-amz-acl": "bucket-owner-full-control",
        "x-amz-meta-account_id": "123456789012",
        "x-amz-meta-contact_id": contact_id,
        "x-amz-meta-initial_contact_id": contact_id,
        "x-amz-meta-organization_id": "inst",
    }
    assert answer["UploadMetadata"]["HeadersToInclude"] == headers
    assert answer["UploadMetadata"]["UrlExpiry"] == iso_time(clock.now + 300)
    url = urlsplit(answer["UploadMetadata"]["Url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ORIGIN}/_attachments/{attachment.attachment_id}"
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Date"] == [real_time.strftime("%Y%m%dT%H%M%SZ", real_time.gmtime(clock.now))]
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-SignedHeaders"] == [
        "content-disposition;content-length;content-type;host;x-amz-acl;x-amz-meta-account_id;"
        "x-amz-meta-contact_id;x-amz-meta-initial_contact_id;x-amz-meta-organization_id"
    ]
    assert query["X-Amz-Signature"] == [attachment.upload_signature]
    assert (attachment.name, attachment.content_type, attachment.size, attachment.participant) == (
        'my "file".txt',
        "text/plain",
        3,
        customer,
    )
    assert attachment.upload_expires_at == clock.now + 300
    assert attachment.upload_url == answer["UploadMetadata"]["Url"]
    assert attachment.headers == headers
    assert not attachment.completed
    assert attachment.status == "IN_PROGRESS"


def test_start_attachment_upload_checks_type_size_name_and_quota(clock: Clock) -> None:
    ops = _ops(clock, max_attachment_bytes=10, max_attachments_per_contact=2)
    customer = _customer(ops)
    error = _refused(lambda: _upload(ops, customer, ContentType="text"))
    assert error.message == "ContentType 'text' is not a valid media type."
    _upload(ops, customer, "a.txt", ContentType="text/plain; charset=utf-8")
    error = _refused(lambda: _upload(ops, customer, "b.txt", AttachmentSizeInBytes=11))
    assert error.message == "AttachmentSizeInBytes 11 is over the limit of 10 bytes."
    error = _refused(lambda: _upload(ops, customer, "b.exe"))
    assert error.message == "Attachments of this file type are not supported: '.exe'."
    error = _refused(lambda: _upload(ops, customer, "README"))
    assert error.message == "Attachments of this file type are not supported: 'README'."
    _upload(ops, customer, "B.TXT", AttachmentSizeInBytes=10)
    error = _refused(lambda: _upload(ops, customer, "c.txt"), 402, "ServiceQuotaExceededException")
    assert error.message == "The number of attachments in this chat is at its limit."
    for body in (
        {"AttachmentSizeInBytes": 0},
        {"ClientToken": ""},
        {"AttachmentName": ""},
        {"ContentType": "t" * 256},
        {"AttachmentName": "n" * 257},
        {"ClientToken": "t" * 501},
    ):
        _refused(lambda body=body: _upload(ops, customer, **body))
    anything = _ops(clock, attachment_extensions=None)
    _upload(anything, _customer(anything), "README")


def test_start_attachment_upload_is_idempotent(ops: Operations) -> None:
    customer = _customer(ops)
    first = _upload(ops, customer, "a.txt", ClientToken="t")
    assert _upload(ops, customer, "a.txt", ClientToken="t") == first
    assert len(customer.contact.attachments) == 1


def test_complete_attachment_upload(ops: Operations) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    attachment_id = _upload(ops, customer)["AttachmentId"]
    attachment = ops.state.attachments[attachment_id]
    body = {"AttachmentIds": [attachment_id], "ClientToken": "c"}
    error = _refused(lambda: ops.complete_attachment_upload(customer, body), 409, "ConflictException")
    assert error.message == "The attachment has not been uploaded."
    error = _refused(lambda: ops.complete_attachment_upload(bot, {**body, "ClientToken": "b"}))
    assert error.message == f"Attachment {attachment_id} was not started by this participant."
    _refused(lambda: ops.complete_attachment_upload(customer, {**body, "AttachmentIds": ["nope"]}))
    attachment.data = b"abc"
    assert ops.complete_attachment_upload(customer, body) == {}
    assert attachment.completed
    assert attachment.status == "APPROVED"
    item = customer.contact.entries[-1].item
    assert (item["Type"], item["ParticipantId"], "ContentType" in item) == (
        "ATTACHMENT",
        customer.participant_id,
        False,
    )
    assert item["Attachments"] == [
        {
            "ContentType": "text/plain",
            "AttachmentId": attachment_id,
            "AttachmentName": "f.txt",
            "Status": "APPROVED",
        }
    ]
    assert ops.complete_attachment_upload(customer, body) == {}  # replayed
    error = _refused(lambda: ops.complete_attachment_upload(customer, {**body, "ClientToken": "d"}), 409)
    assert error.message == "The attachment upload was already completed."
    for ids in ([], [attachment_id, attachment_id], [5]):
        error = _refused(
            lambda ids=ids: ops.complete_attachment_upload(customer, {**body, "AttachmentIds": ids})
        )
        assert error.message == "AttachmentIds must hold exactly one attachment id."
    _refused(lambda: ops.complete_attachment_upload(customer, {"AttachmentIds": [attachment_id]}))
    _refused(lambda: ops.complete_attachment_upload(customer, {"ClientToken": "x"}))


def test_a_file_named_reject_is_rejected(ops: Operations) -> None:
    customer = _customer(ops)
    attachment_id = _uploaded(ops, customer, "ReJeCt-me.txt")
    assert ops.state.attachments[attachment_id].status == "REJECTED"
    assert customer.contact.entries[-1].item["Attachments"][0]["Status"] == "REJECTED"


async def test_a_scan_delay_shows_in_progress_then_the_verdict(clock: Clock) -> None:
    ops = _ops(clock, attachment_scan_seconds=0.01)
    customer = _customer(ops)
    sock = _model.Socket(customer, asyncio.Queue(), lambda: None, subscribed=True)
    customer.sockets.add(sock)
    attachment_id = _uploaded(ops, customer)
    attachment = ops.state.attachments[attachment_id]
    item = customer.contact.entries[-1].item
    assert attachment.status == "IN_PROGRESS"
    assert item["Attachments"][0]["Status"] == "IN_PROGRESS"
    while attachment.status == "IN_PROGRESS":
        await asyncio.sleep(0.005)
    assert attachment.status == "APPROVED"
    assert item["Attachments"][0]["Status"] == "APPROVED"
    frames = []
    while not sock.queue.empty():
        frames.append(json.loads(json.loads(sock.queue.get_nowait())["content"]))  # type: ignore[arg-type]
    assert [(f["Id"], f["Attachments"][0]["Status"]) for f in frames if f["Type"] == "ATTACHMENT"] == [
        (item["Id"], "IN_PROGRESS"),
        (item["Id"], "APPROVED"),
    ]
    second = _uploaded(ops, customer, "g.txt")
    ops.state.end_contact(customer.contact)
    while ops.state.attachments[second].status == "IN_PROGRESS":
        await asyncio.sleep(0.005)
    while not sock.queue.empty():
        frame = sock.queue.get_nowait()
        assert not isinstance(frame, str) or "APPROVED" not in frame  # an ended chat hears nothing more


def test_get_attachment(ops: Operations, clock: Clock) -> None:
    customer = _customer(ops)
    attachment_id = _uploaded(ops, customer)
    answer = ops.get_attachment(customer, {"AttachmentId": attachment_id}, ORIGIN)
    assert answer["AttachmentSizeInBytes"] == 3
    assert answer["UrlExpiry"] == iso_time(clock.now + 300)
    url = urlsplit(answer["Url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ORIGIN}/_attachments/{attachment_id}"
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    grant = ops.state.download_grants[query["X-Amz-Signature"][0]]
    assert (grant.disposition, grant.expires_at) == ("attachment", clock.now + 300)
    inline = ops.get_attachment(
        customer,
        {"AttachmentId": attachment_id, "UrlExpiryInSeconds": 5, "UrlContentDisposition": "INLINE"},
        ORIGIN,
    )
    query = parse_qs(urlsplit(inline["Url"]).query)
    assert query["X-Amz-Expires"] == ["5"]
    assert inline["UrlExpiry"] == iso_time(clock.now + 5)
    assert ops.state.download_grants[query["X-Amz-Signature"][0]].disposition == "inline"
    for body in ({"UrlExpiryInSeconds": 4}, {"UrlExpiryInSeconds": 301}, {"UrlContentDisposition": "inline"}):
        _refused(
            lambda body=body: ops.get_attachment(customer, {"AttachmentId": attachment_id, **body}, ORIGIN)
        )
    error = _refused(
        lambda: ops.get_attachment(
            customer, {"AttachmentId": attachment_id, "UrlContentDisposition": "X"}, ORIGIN
        )
    )
    assert error.message == "UrlContentDisposition must be INLINE or ATTACHMENT."
    ops.get_attachment(customer, {"AttachmentId": attachment_id, "UrlExpiryInSeconds": 300}, ORIGIN)


def test_get_attachment_refuses_what_cannot_be_downloaded(ops: Operations) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    agent = _joined(ops, customer, "AGENT")
    pending = _upload(ops, customer, "p.txt")["AttachmentId"]
    error = _refused(lambda: ops.get_attachment(customer, {"AttachmentId": pending}, ORIGIN))
    assert error.message == f"Attachment {pending} is not in this chat."
    _refused(lambda: ops.get_attachment(customer, {"AttachmentId": "nope"}, ORIGIN))
    _refused(lambda: ops.get_attachment(customer, {}, ORIGIN))
    done = _uploaded(ops, customer)
    error = _refused(
        lambda: ops.get_attachment(bot, {"AttachmentId": done}, ORIGIN), 403, "AccessDeniedException"
    )
    ops.get_attachment(agent, {"AttachmentId": done}, ORIGIN)
    bots = _uploaded(ops, bot, "b.txt")
    ops.get_attachment(bot, {"AttachmentId": bots}, ORIGIN)  # its own (not a customer's) is fine
    ops.state.attachments[done].status = "IN_PROGRESS"
    error = _refused(lambda: ops.get_attachment(customer, {"AttachmentId": done}, ORIGIN))
    assert error.message == f"Attachment {done} is still being scanned."
    ops.state.attachments[done].status = "REJECTED"
    error = _refused(lambda: ops.get_attachment(customer, {"AttachmentId": done}, ORIGIN))
    assert error.message == f"Attachment {done} was rejected by the scan."


# --- the rest ---------------------------------------------------------------------------------------


def test_describe_view(ops: Operations) -> None:
    customer = _customer(ops)
    sample = ops.describe_view(customer, "emulator-sample-view")["View"]
    assert sample == {
        "Id": "emulator-sample-view",
        "Arn": "arn:aws:connect:us-east-1:123456789012:instance/inst/view/emulator-sample-view:1",
        "Name": "Emulator sample view",
        "Version": 1,
        "Content": {
            "InputSchema": "{}",
            "Template": '{"Head":{"Title":"Sample"},"Body":[]}',
            "Actions": ["Submit"],
        },
    }
    token = ops.features.show_view(customer.contact, {"View": {"Name": "Mine"}})["ViewToken"]
    assert ops.describe_view(customer, token)["View"]["Name"] == "Mine"
    error = _refused(lambda: ops.describe_view(customer, "v" * 300), 404, "ResourceNotFoundException")
    assert (error.message, error.extra) == ("The view does not exist.", {"ResourceId": "v" * 256})


def test_authentication_calls_check_the_session_id(ops: Operations) -> None:
    customer = _customer(ops)
    _joined(ops, customer, "AGENT")
    session_id = ops.features.start_authentication(customer.contact, {})["SessionId"]
    answer = ops.get_authentication_url(
        customer, {"SessionId": session_id, "RedirectUri": "https://r"}, ORIGIN
    )
    assert answer == {"AuthenticationUrl": f"{ORIGIN}/_emulator/authentication/{session_id}"}
    for body in (
        {"SessionId": session_id[:35], "RedirectUri": "https://r"},
        {"SessionId": session_id},
        {"SessionId": session_id, "RedirectUri": ""},
        {"SessionId": session_id, "RedirectUri": "r" * 1025},
        {"RedirectUri": "https://r"},
    ):
        _refused(lambda body=body: ops.get_authentication_url(customer, body, ORIGIN))
    _refused(lambda: ops.cancel_participant_authentication(customer, {"SessionId": session_id + "x"}))
    _refused(lambda: ops.cancel_participant_authentication(customer, {}))
    assert ops.cancel_participant_authentication(customer, {"SessionId": session_id}) == {}
    assert ops.features.auth_sessions[session_id].outcome == "cancelled"


def test_operations_share_the_states_config(clock: Clock) -> None:
    ops = _ops(clock, authentication_url_window=7.0)
    assert ops.config is ops.state.config
    assert ops.features.url_window == 7.0
    assert ops.features.state is ops.state
    assert ops.flow_engine is None


# --- every member's bounds, in AWS's words (found by the mutation run) ---------------------------


def _call(ops: Operations, operation: str, body: dict[str, Any]) -> Callable[[], Any]:
    """One call of ``operation`` by a customer of a fresh chat (with an uploaded attachment and an
    authentication session: their ids are ``ATTACHMENT`` and ``SESSION`` in ``body``)."""
    customer = _customer(ops)
    _joined(ops, customer, "AGENT")
    attachment_id = _uploaded(ops, customer)
    session_id = ops.features.start_authentication(customer.contact, {})["SessionId"]
    body = {
        k: {"ATTACHMENT": attachment_id, "SESSION": session_id}.get(v, v) if isinstance(v, str) else v
        for k, v in body.items()
    }
    method = getattr(ops, operation)
    if operation in ("start_attachment_upload", "get_attachment", "get_authentication_url"):
        return lambda: method(customer, body, ORIGIN)
    return lambda: method(customer, body)


_BASES: dict[str, dict[str, Any]] = {
    "send_message": {"ContentType": "text/plain", "Content": "hi"},
    "send_event": {"ContentType": P + "typing"},
    "disconnect_participant": {},
    "get_transcript": {},
    "start_attachment_upload": {
        "ContentType": "text/plain",
        "AttachmentSizeInBytes": 3,
        "AttachmentName": "a.txt",
        "ClientToken": "t",
    },
    "complete_attachment_upload": {"AttachmentIds": ["ATTACHMENT"], "ClientToken": "t"},
    "get_attachment": {"AttachmentId": "ATTACHMENT"},
    "get_authentication_url": {"SessionId": "SESSION", "RedirectUri": "https://r"},
    "cancel_participant_authentication": {"SessionId": "SESSION"},
}

# (operation, member, shortest, longest, required)
_STRINGS = [
    ("send_message", "ContentType", 1, 100, True),
    ("send_message", "Content", 1, 16384, True),
    ("send_message", "ClientToken", 0, 500, False),
    ("send_event", "ContentType", 1, 100, True),
    ("send_event", "Content", 1, 16384, False),
    ("send_event", "ClientToken", 0, 500, False),
    ("disconnect_participant", "ClientToken", 0, 500, False),
    ("get_transcript", "ContactId", 1, 256, False),
    ("get_transcript", "NextToken", 1, 1000, False),
    ("get_transcript", "ScanDirection", 0, 0, False),
    ("get_transcript", "SortOrder", 0, 0, False),
    ("start_attachment_upload", "ContentType", 1, 255, True),
    ("start_attachment_upload", "AttachmentName", 1, 256, True),
    ("start_attachment_upload", "ClientToken", 1, 500, True),
    ("complete_attachment_upload", "ClientToken", 1, 500, True),
    ("get_attachment", "AttachmentId", 1, 256, True),
    ("get_authentication_url", "SessionId", 36, 36, True),
    ("get_authentication_url", "RedirectUri", 1, 1024, True),
    ("cancel_participant_authentication", "SessionId", 36, 36, True),
]


def _length_error(member: str, low: int, high: int) -> str:
    return (
        f"1 validation error detected: Value at '{member[:1].lower() + member[1:]}' failed to satisfy "
        f"constraint: Member must have length between {low} and {high or 'any'}"
    )


def _member_outcome(ops: Operations, operation: str, member: str, value: Any) -> str:
    """What ``operation`` answers with ``member`` set to ``value`` (left out for None)."""
    body = {**_BASES[operation], member: value}
    if value is None:
        del body[member]
    return _outcome(_call(ops, operation, body))


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except ServiceError as error:
        return error.message
    return "ok"


@pytest.mark.parametrize(("operation", "member", "low", "high", "required"), _STRINGS)
def test_string_members_are_checked_at_their_bounds(
    ops: Operations, operation: str, member: str, low: int, high: int, required: bool
) -> None:
    def outcome(value: Any) -> str:
        return _member_outcome(ops, operation, member, value)

    error = _length_error(member, low, high)
    if high:
        assert outcome("x" * (high + 1)) == error
        assert outcome("x" * high) != error
    if low:
        assert outcome("x" * (low - 1)) == error
        assert outcome("x" * low) != error
    null = (
        f"1 validation error detected: Value null at '{member[:1].lower() + member[1:]}' failed to satisfy "
        "constraint: Member must not be null"
    )
    assert (outcome(None) == null) is required
    assert outcome(5).endswith("Member must be of type string")


# (operation, member, lowest, highest, required)
_INTEGERS = [
    ("get_transcript", "MaxResults", 0, 100, False),
    ("start_attachment_upload", "AttachmentSizeInBytes", 1, None, True),
    ("get_attachment", "UrlExpiryInSeconds", 5, 300, False),
]


@pytest.mark.parametrize(("operation", "member", "low", "high", "required"), _INTEGERS)
def test_integer_members_are_checked_at_their_bounds(
    ops: Operations, operation: str, member: str, low: int, high: int | None, required: bool
) -> None:
    def outcome(value: Any) -> str:
        return _member_outcome(ops, operation, member, value)

    def error(value: int) -> str:
        return (
            f"1 validation error detected: Value {value} at '{member[:1].lower() + member[1:]}' failed to "
            f"satisfy constraint: Member must have value between {low} and {high}"
        )

    assert outcome(low - 1) == error(low - 1)
    assert outcome(low) != error(low)
    if high is not None:
        assert outcome(high + 1) == error(high + 1)
        assert outcome(high) != error(high)
    assert outcome(None).endswith("Member must not be null") is required
    assert outcome("1").endswith("Member must be of type integer")


@pytest.mark.parametrize(
    ("member", "value", "high"),
    [("Id", "i" * 257, 256), ("AbsoluteTime", "t" * 101, 100), ("MostRecent", 101, 100)],
)
def test_start_position_members_are_checked(ops: Operations, member: str, value: Any, high: int) -> None:
    customer = _customer(ops)
    message = _outcome(lambda: ops.get_transcript(customer, {"StartPosition": {member: value}}))
    name = member[:1].lower() + member[1:]
    if isinstance(value, str):
        assert message == _length_error(member, 1, high)
        assert _outcome(
            lambda: ops.get_transcript(customer, {"StartPosition": {member: ""}})
        ) == _length_error(member, 1, high)
        assert (
            _outcome(lambda: ops.get_transcript(customer, {"StartPosition": {member: value[:-1]}})) != message
        )
    else:
        assert message == (
            f"1 validation error detected: Value 101 at '{name}' failed to satisfy constraint: "
            "Member must have value between 0 and 100"
        )
        assert _outcome(lambda: ops.get_transcript(customer, {"StartPosition": {member: -1}})) != "ok"
        assert _outcome(lambda: ops.get_transcript(customer, {"StartPosition": {member: 0}})) == "ok"


def test_a_sign_in_url_keeps_its_redirect(ops: Operations) -> None:
    customer = _customer(ops)
    _joined(ops, customer, "AGENT")
    session_id = ops.features.start_authentication(customer.contact, {})["SessionId"]
    ops.get_authentication_url(customer, {"SessionId": session_id, "RedirectUri": "https://back"}, ORIGIN)
    assert ops.features.auth_sessions[session_id].redirect_uri == "https://back"


class _FlowEngine:
    """Stands in for ``_flows._engine.FlowEngine``: knows one flow id, records each start."""

    def __init__(self) -> None:
        self.started: list[tuple[Any, ...]] = []

    def flow_for(self, flow_id: str) -> object | None:
        return {"flow": flow_id} if flow_id == "known" else None

    def start(self, contact: Any, flow: Any, customer: Any, attributes: Any = None) -> None:
        self.started.append((contact, flow, customer, attributes))


def test_a_chat_whose_flow_is_loaded_starts_it(ops: Operations) -> None:
    engine = _FlowEngine()
    ops.flow_engine = engine  # type: ignore[assignment]
    customer = _customer(ops, ContactFlowId="known", Attributes={"a": "1"})
    assert engine.started == [(customer.contact, {"flow": "known"}, customer, {"a": "1"})]
    _customer(ops, ContactFlowId="other")
    assert len(engine.started) == 1


def test_an_idempotent_answer_lasts_no_longer_than_its_chat(ops: Operations, clock: Clock) -> None:
    first = _start(ops, ClientToken="t")
    contact = ops.state.contacts[first["ContactId"]]
    ops.state.end_contact(contact)
    clock.now += 300.0  # the retention: the chat is released
    ops.state.sweep()
    assert _start(ops, ClientToken="t") != first


def test_an_empty_client_token_is_no_token(ops: Operations) -> None:
    assert _start(ops, ClientToken="") != _start(ops, ClientToken="")
    customer = _customer(ops)
    body = {"ContentType": "text/plain", "Content": "hi", "ClientToken": ""}
    assert ops.send_message(customer, body) != ops.send_message(customer, body)


def test_a_receipt_for_a_streamed_answer(ops: Operations) -> None:
    customer = _customer(ops)
    bot = _joined(ops, customer, "CUSTOM_BOT")
    done = {"MessageId": "m1", "MessageCompleted": True}
    ops.state.add_item(
        customer.contact,
        "MESSAGE",
        "text/plain",
        bot,
        content="x",
        extra={"Id": "m1", "MessageMetadata": done},
    )
    ops.send_event(customer, {"ContentType": P + "message.delivered", "Content": '{"messageId": "m1"}'})
    message = customer.contact.entries[-1].item
    assert message["MessageMetadata"]["MessageCompleted"] is True
    assert [r["RecipientParticipantId"] for r in message["MessageMetadata"]["Receipts"]] == [
        customer.participant_id
    ]


# (call, member path, shortest, longest, required): Connect's admin calls say it their own way
_CONNECT_STRINGS = [
    ("start", ("InstanceId",), 1, 100, True),
    ("start", ("ContactFlowId",), 0, 500, True),
    ("start", ("ClientToken",), 0, 500, False),
    ("start", ("ParticipantDetails", "DisplayName"), 1, 256, True),
    ("start", ("InitialMessage", "ContentType"), 1, 100, True),
    ("start", ("InitialMessage", "Content"), 1, 16384, True),
    ("start", ("PersistentChat", "SourceContactId"), 1, 256, True),
    ("create", ("InstanceId",), 1, 100, True),
    ("create", ("ContactId",), 1, 256, True),
    ("create", ("ClientToken",), 0, 500, False),
    ("create", ("ParticipantDetails", "DisplayName"), 1, 256, False),
    ("create_any", ("InstanceId",), 1, 100, False),
    ("stop", ("ContactId",), 1, 256, True),
    ("stop", ("InstanceId",), 1, 100, True),
]


@pytest.mark.parametrize(("call", "path", "low", "high", "required"), _CONNECT_STRINGS)
def test_connect_members_are_checked_at_their_bounds(
    ops: Operations, call: str, path: tuple[str, ...], low: int, high: int, required: bool
) -> None:
    def outcome(value: Any) -> str:
        customer = _customer(ops)
        if call == "start":
            body: dict[str, Any] = {
                "InstanceId": "inst",
                "ContactFlowId": "flow",
                "ParticipantDetails": {"DisplayName": "Ann"},
                "InitialMessage": {"ContentType": "text/plain", "Content": "hi"},
                "PersistentChat": {"RehydrationType": "FROM_SEGMENT", "SourceContactId": "s"},
            }
            run = ops.start_chat_contact
        elif call == "stop":
            body = {"InstanceId": "inst", "ContactId": customer.contact.contact_id}
            run = ops.stop_contact
        else:
            body = {"InstanceId": "inst", "ContactId": customer.contact.contact_id, "ParticipantDetails": {}}
            run = (
                ops.create_participant
                if call == "create"
                else lambda b: ops.create_participant(b, any_role=True)
            )
        holder = body
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
        if value is None:
            del holder[path[-1]]
        return _outcome(lambda: run(body))

    name = path[-1]
    error = f"{name} must be a string of {low} to {high} characters."
    assert outcome("x" * (high + 1)) == error
    assert outcome("x" * high) != error
    if low:
        assert outcome("x" * (low - 1)) == error
        assert outcome("x" * low) != error
    assert (outcome(None) == f"{name} is required.") is required
    assert outcome(5) == error


def test_webrtc_ids_are_uuids_and_the_join_token_32_random_bytes(ops: Operations) -> None:
    customer = _customer(ops)
    rtc = ops.create_participant_connection(customer.token, {"Type": ["WEBRTC_CONNECTION"]}, ORIGIN)[
        "WebRTCConnection"
    ]
    meeting, attendee = rtc["Meeting"]["MeetingId"], rtc["Attendee"]["AttendeeId"]
    assert str(uuid.UUID(meeting)) == meeting
    assert str(uuid.UUID(attendee)) == attendee
    assert len(base64.urlsafe_b64decode(rtc["Attendee"]["JoinToken"] + "=")) == 32
    again = ops.create_participant_connection(customer.token, {"Type": ["WEBRTC_CONNECTION"]}, ORIGIN)
    assert again["WebRTCConnection"]["Meeting"]["MeetingId"] != meeting


def test_the_acknowledgement_of_connect_participant_is_an_event(ops: Operations) -> None:
    customer = _customer(ops)
    ops.create_participant_connection(customer.token, {"ConnectParticipant": True}, ORIGIN)
    assert customer.contact.entries[-1].item["Type"] == "EVENT"


def test_a_backward_page_that_leaves_one_item_points_at_it(ops: Operations, clock: Clock) -> None:
    customer, ids = _chat_of(ops, clock, 6)
    page, token = _page(ops, customer, MaxResults=5, SortOrder="ASCENDING")
    assert page == ids[1:]
    assert token != ""
    assert _page(ops, customer, NextToken=token, MaxResults=5) == ([ids[0]], "")


def test_typing_is_the_senders_typing_event(ops: Operations) -> None:
    customer = _customer(ops)
    seen: list[dict[str, Any]] = []
    ops.state.listeners.append(lambda c, item, p: seen.append(item))
    ops.send_event(customer, {"ContentType": P + "typing"})
    assert seen[-1]["ContentType"] == P + "typing"
    assert seen[-1]["ParticipantId"] == customer.participant_id


def test_a_time_anchor_in_an_empty_transcript_is_none() -> None:
    for scan in ("FORWARD", "BACKWARD"):
        assert Operations._anchor([], {"AbsoluteTime": iso_time(0)}, scan) is None


def test_a_message_keeps_its_content_type(ops: Operations) -> None:
    customer = _customer(ops)
    ops.send_message(customer, {"ContentType": "text/markdown", "Content": "*hi*"})
    assert customer.contact.entries[-1].item["ContentType"] == "text/markdown"


def test_completing_twice_is_a_conflict(ops: Operations) -> None:
    customer = _customer(ops)
    attachment_id = _uploaded(ops, customer)
    body = {"AttachmentIds": [attachment_id], "ClientToken": "again"}
    _refused(lambda: ops.complete_attachment_upload(customer, body), 409, "ConflictException")


@pytest.mark.parametrize("name", ["my.file.txt", ".txt", "UPPER.PDF"])
def test_the_file_type_is_the_names_last_suffix(ops: Operations, name: str) -> None:
    customer = _customer(ops)
    attachment_id = _upload(ops, customer, name)["AttachmentId"]
    attachment = ops.state.attachments[attachment_id]
    assert attachment.contact is customer.contact
    assert len(bytes.fromhex(attachment.upload_signature)) == 32


def test_a_name_whose_last_suffix_is_not_allowed_is_refused(ops: Operations) -> None:
    customer = _customer(ops)
    error = _refused(lambda: _upload(ops, customer, "report.txt.exe"))
    assert error.message == "Attachments of this file type are not supported: '.exe'."


def test_message_content_errors_are_validation_exceptions(ops: Operations) -> None:
    customer = _customer(ops)
    for body in (
        {"ContentType": "image/png", "Content": "x"},
        {"ContentType": "text/plain", "Content": "x" * 1025},
        {"ContentType": "application/json", "Content": "{"},
    ):
        _refused(lambda body=body: ops.send_message(customer, body), 400, "ValidationException")


def test_a_slash_in_a_non_ascii_file_name_is_escaped_too() -> None:
    assert content_disposition("inline", "é/x.txt") == "inline; filename*=UTF-8''%C3%A9%2Fx.txt"
