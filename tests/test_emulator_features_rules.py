"""The emulator's chat features (``_features``), rule by rule, on the model directly: the flow's
messages and streamed answers, views, in-chat authentication, display names and the idle /
auto-disconnect timers. Timers go to a recording loop (each delay is read, then fired by the
test), so ``set_timers(idle=…, disconnect=…)`` shows which delay is which (found by
``make mutate --module emulator._features``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from connect_participant_emulator import _features, _model
from connect_participant_emulator._config import EmulatorConfig
from connect_participant_emulator._features import (
    AUTH_INITIATED,
    AUTH_OUTCOMES,
    AUTODISCONNECTION,
    DISPLAY_NAME_UPDATED,
    IDLE,
    INTERACTIVE,
    RETURNED,
    SYSTEM_NAME,
    Features,
    RoleTimers,
)
from connect_participant_emulator._model import EVENT_PREFIX, Contact, Participant, ServiceError, State

from tests._fake_clock import Clock

LEFT = _model.LEFT
ENDED = _model.ENDED


class Handle:
    def __init__(self, delay: float, callback: Callable[..., None], args: tuple[Any, ...]) -> None:
        self.delay, self.callback, self.args = delay, callback, args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def fire(self) -> None:
        assert not self.cancelled
        self.callback(*self.args)


class Loop:
    """Records ``call_later``; tasks go to the running loop of an async test."""

    def __init__(self) -> None:
        self.handles: list[Handle] = []

    def call_later(self, delay: float, callback: Callable[..., None], *args: Any) -> Handle:
        handle = Handle(delay, callback, args)
        self.handles.append(handle)
        return handle

    def create_task(self, coro: Any) -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(coro)

    def pending(self) -> list[Handle]:
        return [h for h in self.handles if not h.cancelled]

    def fire_last(self) -> Handle:
        handle = self.handles[-1]
        handle.fire()
        return handle


@pytest.fixture
def loop(monkeypatch: pytest.MonkeyPatch) -> Loop:
    fake = Loop()
    monkeypatch.setattr(Features, "_loop", staticmethod(lambda: fake))
    return fake


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(5000.0)
    monkeypatch.setattr(_features, "time", fake)
    monkeypatch.setattr(_model, "time", fake)
    return fake


@pytest.fixture
def state(clock: Clock) -> State:
    return State(EmulatorConfig())


@pytest.fixture
def features(state: State, loop: Loop) -> Features:
    return Features(state, url_window=60.0)


def _chat(state: State, *roles: str) -> tuple[Contact, list[Participant]]:
    contact = state.new_contact("inst", "flow", 60)
    people = [state.add_participant(contact, role, role.title()) for role in roles]
    return contact, people


def _kinds(contact: Contact, start: int = 0) -> list[tuple[str | None, str | None]]:
    return [(e.item.get("ContentType"), e.item.get("ParticipantId")) for e in contact.entries[start:]]


def _refused(call: Callable[[], Any], status: int = 400) -> ServiceError:
    with pytest.raises(ServiceError) as raised:
        call()
    assert raised.value.status == status
    return raised.value


# --- argument checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0.5, 0.5), (1, 1.0), (2, 2.0)])
def test_numbers_in_range_are_floats(value: Any, expected: float | None) -> None:
    got = _features._number({"N": value}, "N", 0.5, 2)
    assert got == expected
    assert got is None or type(got) is float


@pytest.mark.parametrize("value", [0.49, 2.01, True, False, "1", [1]])
def test_numbers_out_of_range_or_of_another_type_are_refused(value: Any) -> None:
    error = _refused(lambda: _features._number({"N": value}, "N", 0.5, 2))
    assert (error.code, error.message) == ("ValidationException", "N must be a number from 0.5 to 2")


def test_texts_are_checked_for_presence_type_and_length() -> None:
    assert _features._text({}, "T") is None
    assert _features._text({"T": "a"}, "T", max_len=1) == "a"
    assert _features._text({"T": "x" * 16384}, "T") == "x" * 16384
    assert _refused(lambda: _features._text({}, "T", required=True)).message == "T is required"
    for bad in ("", "ab", 5):
        error = _refused(lambda bad=bad: _features._text({"T": bad}, "T", max_len=1))
        assert (error.code, error.message) == (
            "ValidationException",
            "T must be a string of 1 to 1 characters",
        )
    _refused(lambda: _features._text({"T": "x" * 16385}, "T"))


def test_role_timers_are_unset_by_default() -> None:
    assert (RoleTimers().idle, RoleTimers().disconnect) == (None, None)


# --- per-contact state --------------------------------------------------------------------------------


def test_each_contact_gets_its_features_with_the_default_timers(state: State, features: Features) -> None:
    features.default_timers["CUSTOMER"] = RoleTimers(idle=5.0)
    one, _ = _chat(state)
    two, _ = _chat(state)
    assert Features._known(one) is None
    mine = features.of(one)
    assert features.of(one) is mine
    assert Features._known(one) is mine
    assert features.of(two) is not mine
    assert mine.timers == {"CUSTOMER": RoleTimers(idle=5.0)}
    mine.timers["AGENT"] = RoleTimers(idle=1.0)
    assert features.default_timers == {"CUSTOMER": RoleTimers(idle=5.0)}  # a copy per contact
    one.extras["features"] = "something else"
    assert Features._known(one) is None
    assert features.of(one) is not mine


def test_features_listen_to_the_state(state: State, loop: Loop) -> None:
    features = Features(state)
    assert features.url_window == 60.0
    assert features._on_item in state.listeners
    assert len(features.auth_sessions) == 0
    assert features.default_timers == {}


# --- messages -------------------------------------------------------------------------------------


def test_the_flows_message_is_sent_as_system(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    answer = features.send_message(contact, {"Content": "Welcome"})
    item = contact.entries[-1].item
    assert answer == {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
    assert (item["Type"], item["ContentType"], item["Content"]) == ("MESSAGE", "text/plain", "Welcome")
    assert (item["ParticipantRole"], item["DisplayName"]) == ("SYSTEM", SYSTEM_NAME)
    assert item["ParticipantId"] == features.of(contact).system_id
    features.send_message(contact, {"Content": "again", "ContentType": "text/markdown"})
    again = contact.entries[-1].item
    assert again["ParticipantId"] == item["ParticipantId"]  # one SYSTEM participant per chat
    assert again["ContentType"] == "text/markdown"


def test_a_message_can_name_its_role_and_name_or_a_participant(state: State, features: Features) -> None:
    contact, (ann, bot) = _chat(state, "CUSTOMER", "CUSTOM_BOT")
    features.send_message(contact, {"Content": "hi", "ParticipantRole": "BOT", "DisplayName": "Lex"})
    item = contact.entries[-1].item
    assert (item["ParticipantRole"], item["DisplayName"]) == ("BOT", "Lex")
    features.send_message(contact, {"Content": "me", "ParticipantId": bot.participant_id})
    item = contact.entries[-1].item
    assert (item["ParticipantId"], item["ParticipantRole"], item["DisplayName"]) == (
        bot.participant_id,
        "CUSTOM_BOT",
        "Custom_Bot",
    )
    bot.left = True
    error = _refused(
        lambda: features.send_message(contact, {"Content": "x", "ParticipantId": bot.participant_id})
    )
    assert error.message == "ParticipantId is not an active participant of this chat"
    _refused(lambda: features.send_message(contact, {"Content": "x", "ParticipantId": "nobody"}))
    _refused(lambda: features.send_message(contact, {"Content": "x", "ParticipantId": "p" * 257}))
    _refused(lambda: features.send_message(contact, {"Content": "x", "ParticipantRole": "R" * 33}))
    _refused(lambda: features.send_message(contact, {"Content": "x", "DisplayName": "D" * 257}))
    _refused(lambda: features.send_message(contact, {"Content": "x", "ContentType": "t" * 101}))
    features.send_message(
        contact, {"Content": "x", "ParticipantId": ann.participant_id, "DisplayName": "D" * 256}
    )


def test_nothing_is_sent_to_a_chat_that_ended(state: State, features: Features, clock: Clock) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    clock.now = contact.expires_at  # past its duration: it ends on this look
    error = _refused(lambda: features.send_message(contact, {"Content": "x"}), 409)
    assert (error.code, error.message) == ("ConflictException", "The chat has ended.")
    assert contact.ended
    for send in (features.send_event, features.show_view, features.start_authentication):
        _refused(lambda send=send: send(contact, {}), 409)


def test_a_message_needs_content_and_chunks_must_be_strings(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    assert _refused(lambda: features.send_message(contact, {})).message == "Content is required"
    for chunks in ([], ["a", ""], ["a", 5], "abc", {"a": 1}):
        error = _refused(lambda chunks=chunks: features.send_message(contact, {"Chunks": chunks}))
        assert error.message == "Chunks must be a non-empty list of non-empty strings"
    error = _refused(lambda: features.send_message(contact, {"Chunks": ["x" * 16384, "y"]}))
    assert error.message == "the chunks together must be at most 16384 characters"
    for interval in (-0.1, 60.1):
        _refused(
            lambda i=interval: features.send_message(contact, {"Chunks": ["a"], "ChunkIntervalSeconds": i})
        )


async def test_a_streamed_answer_is_chunks_then_the_whole_text_kept(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    seen: list[dict[str, Any]] = []
    state.listeners.append(lambda c, item, p: seen.append(item))
    answer = features.send_message(
        contact, {"Chunks": ["Hel", "lo"], "ChunkIntervalSeconds": 0, "ContentType": "text/markdown"}
    )
    assert answer["Chunks"] == 2
    item_id = answer["Id"]
    assert len(features.of(contact).streams) == 1
    for _ in range(10):
        await asyncio.sleep(0)
    assert features.of(contact).streams == set()  # done and forgotten
    assert [(i["Id"], i["Content"], i["MessageMetadata"]) for i in seen] == [
        (item_id, "Hel", {"MessageId": item_id, "MessageCompleted": False, "ChunkNumber": 1}),
        (item_id, "lo", {"MessageId": item_id, "MessageCompleted": False, "ChunkNumber": 2}),
        (item_id, "Hello", {"MessageId": item_id, "MessageCompleted": True}),
    ]
    assert all(i["ContentType"] == "text/markdown" and i["Type"] == "MESSAGE" for i in seen)
    assert [e.item["Id"] for e in contact.entries if e.item["Type"] == "MESSAGE"] == [item_id]
    assert seen[-1]["ParticipantRole"] == "SYSTEM"
    assert ann.active


async def test_a_stream_stops_when_the_chat_ends(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    seen: list[dict[str, Any]] = []
    state.listeners.append(lambda c, item, p: seen.append(item) if item["Type"] == "MESSAGE" else None)
    stream = features._stream(contact, "text/plain", (None, {}), "id1", ["a", "b", "c"], 0)
    task = asyncio.get_running_loop().create_task(stream)
    await asyncio.sleep(0)  # the task sends its first chunk and yields in its sleep
    state.end_contact(contact)
    await task
    assert [(i["Content"], i["MessageMetadata"]["MessageCompleted"]) for i in seen] == [("a", False)]


async def test_a_stream_whose_chat_ends_after_the_last_chunk_is_not_completed(
    state: State, features: Features
) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    seen: list[dict[str, Any]] = []
    state.listeners.append(lambda c, item, p: seen.append(item) if item["Type"] == "MESSAGE" else None)
    stream = features._stream(contact, "text/plain", (None, {}), "id1", ["a"], 0.01)
    task = asyncio.get_running_loop().create_task(stream)
    await asyncio.sleep(0)
    state.end_contact(contact)
    await task
    assert [i["Content"] for i in seen] == ["a"]


# --- events ------------------------------------------------------------------------------------------


def test_any_event_content_type_can_be_sent(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    kind = EVENT_PREFIX + "participant.invited"
    answer = features.send_event(contact, {"ContentType": kind, "Content": "{}"})
    item = contact.entries[-1].item
    assert answer == {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
    assert (item["Type"], item["ContentType"], item["Content"]) == ("EVENT", kind, "{}")
    features.send_event(contact, {"ContentType": kind, "ParticipantId": ann.participant_id})
    item = contact.entries[-1].item
    assert "Content" not in item
    assert item["ParticipantId"] == ann.participant_id
    error = _refused(lambda: features.send_event(contact, {"ContentType": "text/plain"}))
    assert error.message == f"ContentType must start with {EVENT_PREFIX}"
    assert _refused(lambda: features.send_event(contact, {})).message == "ContentType is required"
    _refused(lambda: features.send_event(contact, {"ContentType": EVENT_PREFIX + "x" * 70}))


# --- views -------------------------------------------------------------------------------------------


def test_a_view_is_shown_as_a_view_resource_and_described_by_its_token(
    state: State, features: Features
) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    view = {
        "Id": "v1",
        "Arn": "arn:view",
        "Name": "Card",
        "Version": 3,
        "Content": {"Template": {"Head": {}}, "InputSchema": "{}", "Actions": ["Go"]},
    }
    answer = features.show_view(contact, {"View": view, "ViewData": {"a": 1}})
    token = answer["ViewToken"]
    assert token.startswith("emulator-view-")
    assert len(token) == len("emulator-view-") + 32
    item = contact.entries[-1].item
    assert answer["Id"] == item["Id"]
    assert (item["Type"], item["ContentType"], item["ParticipantRole"]) == ("MESSAGE", INTERACTIVE, "SYSTEM")
    assert json.loads(item["Content"]) == {
        "templateType": "ViewResource",
        "version": "1.0",
        "data": {"content": {"viewId": "arn:view", "viewToken": token, "viewData": {"a": 1}}},
    }
    described = features.describe_view(ann, token)
    assert described == {
        "View": {
            "Id": "v1",
            "Arn": "arn:view",
            "Name": "Card",
            "Version": 3,
            "Content": {"Template": '{"Head": {}}', "InputSchema": "{}", "Actions": ["Go"]},
        }
    }
    described["View"]["Name"] = "changed"  # a copy
    assert features.describe_view(ann, token)["View"]["Name"] == "Card"  # type: ignore[index]
    assert features.describe_view(ann, "emulator-view-unknown") is None
    _other, (ben,) = _chat(state, "CUSTOMER")
    assert features.describe_view(ben, token) is None  # views belong to their chat


def test_a_view_gets_defaults_for_what_it_leaves_out(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    answer = features.show_view(contact, {"View": {"Content": {"InputSchema": {"type": "object"}}}})
    described = features.describe_view(ann, answer["ViewToken"])
    assert described is not None
    view = described["View"]
    assert view["Id"].startswith("view-")
    assert len(view["Id"]) == len("view-") + 12
    assert view["Arn"] == f"arn:aws:connect:us-east-1:123456789012:instance/inst/view/{view['Id']}"
    assert (view["Name"], view["Version"]) == ("Emulator view", 1)
    assert view["Content"] == {"InputSchema": '{"type": "object"}'}
    content = json.loads(contact.entries[-1].item["Content"])["data"]["content"]
    assert content["viewData"] == {}
    assert content["viewId"] == view["Arn"]
    bare = features.show_view(contact, {"View": {}})
    assert features.describe_view(ann, bare["ViewToken"])["View"]["Content"] == {}  # type: ignore[index]


def test_a_view_must_be_an_object_and_its_data_too(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    error = _refused(lambda: features.show_view(contact, {"View": "card"}))
    assert error.message == "View must be an object (Name, Content: {Template, InputSchema, Actions})"
    error = _refused(lambda: features.show_view(contact, {"View": {}, "ViewData": [1]}))
    assert error.message == "ViewData must be an object"
    assert contact.entries[-1].item["ContentType"] == _model.JOINED  # nothing was sent


# --- authentication ------------------------------------------------------------------------------


def test_authentication_starts_for_the_active_customer(state: State, features: Features, loop: Loop) -> None:
    contact, (ann, _dana) = _chat(state, "CUSTOMER", "AGENT")
    answer = features.start_authentication(contact, {})
    session_id = answer["SessionId"]
    session = features.auth_sessions[session_id]
    assert (session.contact, session.customer, session.outcome, session.timer) == (contact, ann, None, None)
    assert session in features.of(contact).sessions
    item = contact.entries[-1].item
    assert (item["Type"], item["ContentType"], item["ParticipantRole"]) == ("EVENT", AUTH_INITIATED, "SYSTEM")
    assert json.loads(item["Content"]) == {"SessionId": session_id}
    assert loop.handles == []  # no timeout given
    features.start_authentication(contact, {"TimeoutSeconds": 7})
    assert loop.handles[-1].delay == 7.0
    _refused(lambda: features.start_authentication(contact, {"TimeoutSeconds": 0.009}))
    _refused(lambda: features.start_authentication(contact, {"TimeoutSeconds": 86401}))
    features.start_authentication(contact, {"TimeoutSeconds": 0.01})
    features.start_authentication(contact, {"TimeoutSeconds": 86400})


def test_authentication_needs_an_active_customer(state: State, features: Features) -> None:
    contact, (_dana,) = _chat(state, "AGENT")
    error = _refused(lambda: features.start_authentication(contact, {}))
    assert error.message == "the chat has no active customer"
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    ann.left = True
    _refused(lambda: features.start_authentication(contact, {}))


def test_an_authentication_times_out_on_its_timer(state: State, features: Features, loop: Loop) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {"TimeoutSeconds": 5})["SessionId"]
    loop.fire_last()
    session = features.auth_sessions[session_id]
    assert session.outcome == "timeout"
    item = contact.entries[-1].item
    assert item["ContentType"] == AUTH_OUTCOMES["timeout"]
    assert (item["ParticipantRole"], item["DisplayName"]) == ("SYSTEM", SYSTEM_NAME)
    assert item["ParticipantId"] == features.of(contact).system_id
    assert json.loads(item["Content"]) == {"SessionId": session_id}
    assert session.timer is None


def test_a_late_timer_does_nothing(state: State, features: Features, loop: Loop) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {"TimeoutSeconds": 5})["SessionId"]
    session = features.auth_sessions[session_id]
    features._finish_quietly(session, "failed", None)
    count = len(contact.entries)
    features._finish_quietly(session, "timeout", None)  # decided already
    assert session.outcome == "failed"
    assert len(contact.entries) == count
    other_id = features.start_authentication(contact, {})["SessionId"]
    state.end_contact(contact)
    count = len(contact.entries)
    features._finish_quietly(features.auth_sessions[other_id], "timeout", None)  # the chat ended
    assert features.auth_sessions[other_id].outcome is None
    assert len(contact.entries) == count


def test_outcomes_on_command_now_or_later(state: State, features: Features, loop: Loop) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    first = features.start_authentication(contact, {"TimeoutSeconds": 30})["SessionId"]
    timeout_handle = loop.handles[-1]
    answer = features.finish_authentication(contact, first, {"Outcome": "failed"})
    assert answer == {"SessionId": first, "Outcome": "failed"}
    assert timeout_handle.cancelled
    assert contact.entries[-1].item["ContentType"] == AUTH_OUTCOMES["failed"]
    error = _refused(lambda: features.finish_authentication(contact, first, {"Outcome": "succeeded"}), 409)
    assert (error.code, error.message) == ("ConflictException", "The authentication already failed.")
    second = features.start_authentication(contact, {"TimeoutSeconds": 30})["SessionId"]
    timeout_handle = loop.handles[-1]
    answer = features.finish_authentication(
        contact, second, {"Outcome": "succeeded", "DelaySeconds": 2, "DisplayName": "Ann Verified"}
    )
    assert answer == {"SessionId": second, "Scheduled": "succeeded"}
    assert timeout_handle.cancelled
    scheduled = loop.handles[-1]
    assert scheduled.delay == 2.0
    assert features.auth_sessions[second].outcome is None
    scheduled.fire()
    assert features.auth_sessions[second].outcome == "succeeded"
    assert ann.display_name == "Ann Verified"
    assert _kinds(contact)[-2:] == [
        (AUTH_OUTCOMES["succeeded"], features.of(contact).system_id),
        (DISPLAY_NAME_UPDATED, ann.participant_id),
    ]
    third = features.start_authentication(contact, {})["SessionId"]
    features.finish_authentication(contact, third, {"Outcome": "expired", "DelaySeconds": 1})
    assert loop.handles[-1].delay == 1.0  # no timer of its own to cancel first
    features.finish_authentication(contact, third, {"Outcome": "cancelled", "DelaySeconds": 0})
    assert features.auth_sessions[third].outcome == "cancelled"


def test_success_keeps_the_name_unless_one_is_given(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]
    features.finish_authentication(contact, session_id, {"Outcome": "succeeded"})
    assert ann.display_name == "Customer"
    assert _kinds(contact)[-1] == (DISPLAY_NAME_UPDATED, ann.participant_id)
    gone = features.start_authentication(contact, {})["SessionId"]
    ann.left = True
    count = len(contact.entries)
    features.finish_authentication(contact, gone, {"Outcome": "succeeded", "DisplayName": "X"})
    assert ann.display_name == "Customer"
    assert len(contact.entries) == count + 1


def test_finish_checks_its_arguments_and_the_session(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    other, _ = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]
    error = _refused(lambda: features.finish_authentication(contact, session_id, {}))
    assert error.message == "Outcome is required"
    error = _refused(lambda: features.finish_authentication(contact, session_id, {"Outcome": "maybe"}))
    assert error.message == "Outcome must be one of succeeded, failed, timeout, expired, cancelled"
    _refused(lambda: features.finish_authentication(contact, session_id, {"Outcome": "x" * 17}))
    _refused(
        lambda: features.finish_authentication(contact, session_id, {"Outcome": "failed", "DelaySeconds": -1})
    )
    _refused(
        lambda: features.finish_authentication(contact, session_id, {"Outcome": "failed", "DisplayName": ""})
    )
    for contact_, sid in ((other, session_id), (contact, "0" * 36)):
        error = _refused(
            lambda c=contact_, s=sid: features.finish_authentication(c, s, {"Outcome": "failed"}), 404
        )
        assert (error.code, error.message) == ("ResourceNotFoundException", "No such authentication session.")
    assert features._session(None, session_id).session_id == session_id


def test_the_sign_in_url_is_for_the_chats_customer_within_the_window(
    state: State, features: Features, clock: Clock
) -> None:
    contact, (ann, bot) = _chat(state, "CUSTOMER", "CUSTOM_BOT")
    _other, (ben,) = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]
    error = _refused(lambda: features.authentication_url(ben, session_id, "https://r", "http://o"))
    assert error.message == "The SessionId is not an authentication session of this chat."
    _refused(lambda: features.authentication_url(ann, "0" * 36, "https://r", "http://o"))
    error = _refused(lambda: features.authentication_url(bot, session_id, "https://r", "http://o"), 403)
    assert (error.code, error.message) == ("AccessDeniedException", "Access denied")
    clock.now += 60.0  # the window's last moment
    answer = features.authentication_url(ann, session_id, "https://back", "http://host:1")
    assert answer == {"AuthenticationUrl": f"http://host:1/_emulator/authentication/{session_id}"}
    session = features.auth_sessions[session_id]
    assert session.url_issued
    assert session.redirect_uri == "https://back"
    clock.now += 0.001
    error = _refused(lambda: features.authentication_url(ann, session_id, "https://r", "http://o"))
    assert error.message == "The authentication session is no longer accepting sign-ins."
    features.finish_authentication(contact, session_id, {"Outcome": "failed"})
    error = _refused(lambda: features.authentication_url(ann, session_id, "https://r", "http://o"))
    assert error.message == "The authentication session has ended (failed)."


def test_signing_in_succeeds_only_after_the_url_was_issued(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]
    assert features.sign_in(session_id).outcome is None  # no URL yet
    features.authentication_url(ann, session_id, "https://r", "http://o")
    assert features.sign_in(session_id).outcome == "succeeded"
    assert _kinds(contact)[-2][0] == AUTH_OUTCOMES["succeeded"]
    count = len(contact.entries)
    assert features.sign_in(session_id).outcome == "succeeded"
    assert len(contact.entries) == count
    ended = features.start_authentication(contact, {})["SessionId"]
    features.authentication_url(ann, ended, "https://r", "http://o")
    state.end_contact(contact)
    assert features.sign_in(ended).outcome is None
    _refused(lambda: features.sign_in("0" * 36), 404)


def test_the_customer_can_cancel_once(state: State, features: Features) -> None:
    contact, (ann, bot) = _chat(state, "CUSTOMER", "CUSTOM_BOT")
    session_id = features.start_authentication(contact, {})["SessionId"]
    _refused(lambda: features.cancel_authentication(bot, session_id), 403)
    assert features.cancel_authentication(ann, session_id) == {}
    assert features.auth_sessions[session_id].outcome == "cancelled"
    assert _kinds(contact)[-1][0] == AUTH_OUTCOMES["cancelled"]
    error = _refused(lambda: features.cancel_authentication(ann, session_id), 409)
    assert error.message == "The authentication already cancelled."


def test_a_rename_is_an_event_of_the_participant(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    item = features.rename(ann, "Ann B.")
    assert ann.display_name == "Ann B."
    assert (item["Type"], item["ContentType"], item["DisplayName"], item["ParticipantId"]) == (
        "EVENT",
        DISPLAY_NAME_UPDATED,
        "Ann B.",
        ann.participant_id,
    )
    assert contact.entries[-1].item is item


# --- idle and auto-disconnect timers ------------------------------------------------------------


def _timers(
    features: Features, contact: Contact, **roles: tuple[float | None, float | None]
) -> dict[str, Any]:
    entries = []
    for role, (idle, disconnect) in roles.items():
        entry: dict[str, Any] = {"ParticipantRole": role}
        if idle is not None:
            entry["IdleSeconds"] = idle
        if disconnect is not None:
            entry["DisconnectSeconds"] = disconnect
        entries.append(entry)
    return features.set_timers(contact, {"Timers": entries})


def test_idle_and_auto_disconnect_are_two_delays(state: State, features: Features, loop: Loop) -> None:
    contact, (ann, dana) = _chat(state, "CUSTOMER", "AGENT")
    answer = _timers(features, contact, CUSTOMER=(0.2, 1.5))
    assert answer == {"Timers": {"CUSTOMER": {"idle": 0.2, "disconnect": 1.5}}}
    (idle,) = loop.pending()
    assert idle.delay == 0.2  # the idle timer runs first
    idle.fire()
    assert _kinds(contact)[-1] == (IDLE, ann.participant_id)
    gone = loop.handles[-1]
    assert gone.delay == 1.5
    assert gone is not idle
    gone.fire()
    assert _kinds(contact)[-2:] == [(AUTODISCONNECTION, ann.participant_id), (LEFT, dana.participant_id)]
    assert dana.left
    assert not ann.left
    assert ann.participant_id not in features.of(contact).running


def test_only_an_auto_disconnect_delay_starts_at_once(state: State, features: Features, loop: Loop) -> None:
    contact, (ann, bot, sam) = _chat(state, "CUSTOMER", "CUSTOM_BOT", "SUPERVISOR")
    _timers(features, contact, CUSTOMER=(None, 3.0))
    (gone,) = loop.pending()
    assert gone.delay == 3.0
    gone.fire()
    assert _kinds(contact)[-3:] == [
        (AUTODISCONNECTION, ann.participant_id),
        (LEFT, bot.participant_id),
        (LEFT, sam.participant_id),
    ]
    assert not contact.ended


def test_an_idle_timer_alone_never_disconnects(state: State, features: Features, loop: Loop) -> None:
    contact, (ann, _dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, CUSTOMER=(0.5, None))
    loop.fire_last()
    assert _kinds(contact)[-1] == (IDLE, ann.participant_id)
    assert len(loop.handles) == 1


def test_set_timers_checks_its_entries(state: State, features: Features, loop: Loop) -> None:
    contact, _ = _chat(state, "CUSTOMER", "AGENT")
    error = _refused(lambda: features.set_timers(contact, {}))
    assert error.message == "Timers must be a list of {ParticipantRole, IdleSeconds, DisconnectSeconds}"
    for entry in ({"ParticipantRole": "SUPERVISOR"}, "CUSTOMER", {}):
        error = _refused(lambda entry=entry: features.set_timers(contact, {"Timers": [entry]}))
        assert error.message == "each timer needs ParticipantRole CUSTOMER or AGENT"
    for bad in ({"IdleSeconds": 0.009}, {"DisconnectSeconds": 28801}):
        _refused(
            lambda bad=bad: features.set_timers(contact, {"Timers": [{"ParticipantRole": "AGENT", **bad}]})
        )
    assert loop.handles == []
    assert features.of(contact).timers == {}
    _timers(features, contact, AGENT=(0.01, 28800))
    assert loop.pending()[0].delay == 0.01


def test_timers_are_per_role_and_setting_them_restarts_that_role(
    state: State, features: Features, loop: Loop
) -> None:
    contact, (_ann, dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, CUSTOMER=(10, None))
    customer_first = loop.handles[-1]
    answer = _timers(features, contact, AGENT=(20, 30))
    assert answer["Timers"] == {
        "CUSTOMER": {"idle": 10.0, "disconnect": None},
        "AGENT": {"idle": 20.0, "disconnect": 30.0},
    }
    assert not customer_first.cancelled  # the customer's timer goes on
    assert [h.delay for h in loop.pending()] == [10, 20]
    running = features.of(contact).running
    assert running[dana.participant_id].handle is loop.handles[-1]
    _timers(features, contact, CUSTOMER=(11, None))
    assert customer_first.cancelled
    assert loop.handles[-1].delay == 11


def test_timers_run_only_while_the_customer_and_an_agent_or_bot_are_in(
    state: State, features: Features, loop: Loop
) -> None:
    contact, (_ann,) = _chat(state, "CUSTOMER")
    _timers(features, contact, CUSTOMER=(5, None))
    assert loop.handles == []  # the customer alone: no timers
    sam = state.add_participant(contact, "SUPERVISOR", "Sam")
    assert loop.handles == []
    assert sam.active
    state.add_participant(contact, "CUSTOM_BOT", "Bot")  # joining starts them
    assert [h.delay for h in loop.pending()] == [5]
    assert features._timers_run(contact)
    bot_chat, (_dana,) = _chat(state, "AGENT")
    assert not features._timers_run(bot_chat)


def test_a_message_ends_idleness_and_restarts_the_timers(
    state: State, features: Features, loop: Loop
) -> None:
    contact, (ann, _dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, CUSTOMER=(5, 9), AGENT=(7, None))
    first = loop.handles[0]
    assert first.args[0].participant is ann
    state.add_item(contact, "MESSAGE", "text/plain", ann, content="still here")
    assert first.cancelled
    assert [h.delay for h in loop.pending()] == [7, 5]  # no RETURNED: the customer was not idle
    assert RETURNED not in [k for k, _ in _kinds(contact)]
    loop.pending()[-1].fire()
    assert _kinds(contact)[-1] == (IDLE, ann.participant_id)
    pending = loop.pending()[-1]
    assert pending.delay == 9
    state.add_item(contact, "ATTACHMENT", None, ann, attachments=[])
    assert pending.cancelled
    assert _kinds(contact)[-2:] == [(None, ann.participant_id), (RETURNED, ann.participant_id)]
    assert loop.pending()[-1].delay == 5
    state.add_item(contact, "EVENT", EVENT_PREFIX + "typing", ann)  # typing restarts nothing
    assert loop.pending()[-1].delay == 5
    assert len(loop.handles) == 5


def test_an_items_sender_only_restarts_its_own_timers(state: State, features: Features, loop: Loop) -> None:
    contact, (_ann, dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, CUSTOMER=(5, None), AGENT=(7, None))
    customer, agent = loop.handles
    features.send_message(contact, {"Content": "from the flow"})  # no participant: nothing moves
    state.add_item(contact, "MESSAGE", "text/plain", dana, content="hi")
    assert agent.cancelled
    assert not customer.cancelled


def test_a_participant_leaving_stops_its_timer_and_all_when_the_timers_stop_running(
    state: State, features: Features, loop: Loop
) -> None:
    contact, (_ann, dana, bot) = _chat(state, "CUSTOMER", "AGENT", "CUSTOM_BOT")
    _timers(features, contact, CUSTOMER=(5, None), AGENT=(7, None))
    customer, agent = loop.handles
    state.disconnect(dana)  # the bot stays: the customer's timer goes on
    assert agent.cancelled
    assert not customer.cancelled
    assert dana.participant_id not in features.of(contact).running
    state.disconnect(bot)  # no agent or bot left: every timer stops
    assert customer.cancelled
    assert features.of(contact).running == {}


def test_a_timer_of_someone_who_left_does_nothing(state: State, features: Features, loop: Loop) -> None:
    contact, (_ann, dana, bot) = _chat(state, "CUSTOMER", "AGENT", "CUSTOM_BOT")
    _timers(features, contact, AGENT=(5, 6))
    idle = loop.handles[-1]
    dana.left = True
    count = len(contact.entries)
    idle.fire()
    assert len(contact.entries) == count
    assert len(loop.handles) == 1
    dana.left = False
    idle.fire()
    gone = loop.handles[-1]
    dana.left = True
    gone.fire()
    assert AUTODISCONNECTION not in [k for k, _ in _kinds(contact)]
    assert bot.active


def test_timers_of_a_role_without_settings_are_not_started(
    state: State, features: Features, loop: Loop
) -> None:
    contact, (ann, dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, AGENT=(5, None))
    assert [h.args[0].participant for h in loop.handles] == [dana]
    features._restart(ann)
    assert len(loop.handles) == 1
    dana.left = True
    features._restart(dana)  # inactive: its timer stops, none starts
    assert loop.handles[0].cancelled
    assert len(loop.handles) == 1


def test_the_end_of_a_chat_stops_everything(state: State, features: Features, loop: Loop) -> None:
    contact, (_ann, _dana) = _chat(state, "CUSTOMER", "AGENT")
    session_id = features.start_authentication(contact, {"TimeoutSeconds": 5})["SessionId"]
    auth_timer = loop.handles[-1]
    _timers(features, contact, CUSTOMER=(5, None), AGENT=(6, None))
    state.end_contact(contact)
    assert all(h.cancelled for h in loop.handles)
    assert auth_timer.cancelled
    assert features.auth_sessions[session_id].timer is None
    assert features.of(contact).running == {}
    untouched, _ = _chat(state, "CUSTOMER")
    features.close(untouched)  # nothing was ever started: nothing to stop
    assert Features._known(untouched) is None


async def test_the_end_of_a_chat_cancels_its_streams(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    features.send_message(contact, {"Chunks": ["a", "b"], "ChunkIntervalSeconds": 30})
    (task,) = features.of(contact).streams
    await asyncio.sleep(0)
    state.end_contact(contact)
    await asyncio.sleep(0)
    assert task.cancelled()


def test_items_of_chats_without_timers_are_ignored(state: State, features: Features, loop: Loop) -> None:
    contact, (ann, dana) = _chat(state, "CUSTOMER", "AGENT")
    features.of(contact)  # features, but no timers
    state.add_item(contact, "MESSAGE", "text/plain", ann, content="x")
    state.disconnect(dana)
    assert loop.handles == []
    assert features.of(contact).running == {}


# --- bounds and codes (found by the mutation run) ------------------------------------------------


def test_the_features_events_are_of_type_event(state: State, features: Features, loop: Loop) -> None:
    contact, (_ann, _dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, CUSTOMER=(1, 2))
    loop.fire_last()
    loop.fire_last()
    kinds = {e.item["ContentType"]: e.item["Type"] for e in contact.entries}
    assert kinds[IDLE] == kinds[AUTODISCONNECTION] == "EVENT"


def test_finish_checks_each_member_at_its_bound(state: State, features: Features, loop: Loop) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]

    def finish(**body: Any) -> str:
        try:
            features.finish_authentication(contact, session_id, {"Outcome": "failed", **body})
        except ServiceError as error:
            return error.message
        return "ok"

    assert finish(Outcome="x" * 17) == "Outcome must be a string of 1 to 16 characters"
    assert finish(DisplayName="D" * 257) == "DisplayName must be a string of 1 to 256 characters"
    assert finish(DelaySeconds=86400.5) == "DelaySeconds must be a number from 0 to 86400"
    assert finish(DelaySeconds=86400, DisplayName="D" * 256) == "ok"
    assert loop.handles[-1].delay == 86400


def test_send_event_content_type_is_at_most_100_characters(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    longest = EVENT_PREFIX + "x" * (100 - len(EVENT_PREFIX))
    features.send_event(contact, {"ContentType": longest})
    error = _refused(lambda: features.send_event(contact, {"ContentType": longest + "x"}))
    assert error.message == "ContentType must be a string of 1 to 100 characters"


def test_cancelling_twice_is_a_conflict(state: State, features: Features) -> None:
    contact, (ann,) = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]
    features.cancel_authentication(ann, session_id)
    error = _refused(lambda: features.cancel_authentication(ann, session_id), 409)
    assert error.code == "ConflictException"


async def test_each_streamed_answer_has_its_own_id_and_may_fill_the_limit(
    state: State, features: Features
) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    first = features.send_message(contact, {"Chunks": ["x" * 16383, "y"]})["Id"]
    second = features.send_message(contact, {"Chunks": ["z"]})["Id"]
    assert first != second
    assert str(uuid.UUID(first)) == first
    assert str(uuid.UUID(second)) == second
    for task in list(features.of(contact).streams):
        await task


def test_timer_delays_are_bounded_both_ways(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER", "AGENT")
    for bad in ({"IdleSeconds": 28800.5}, {"DisconnectSeconds": 0.009}):
        error = _refused(
            lambda bad=bad: features.set_timers(contact, {"Timers": [{"ParticipantRole": "AGENT", **bad}]})
        )
        name = next(iter(bad))
        assert error.message == f"{name} must be a number from 0.01 to 28800"


def test_returning_is_said_once_per_idleness(state: State, features: Features, loop: Loop) -> None:
    contact, (ann, _dana) = _chat(state, "CUSTOMER", "AGENT")
    _timers(features, contact, CUSTOMER=(5, None))
    loop.fire_last()
    state.add_item(contact, "MESSAGE", "text/plain", ann, content="back")
    state.add_item(contact, "MESSAGE", "text/plain", ann, content="still back")
    returned = [e.item for e in contact.entries if e.item["ContentType"] == RETURNED]
    assert len(returned) == 1
    assert returned[0]["Type"] == "EVENT"


def test_authentication_outcomes_are_events(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    session_id = features.start_authentication(contact, {})["SessionId"]
    features.finish_authentication(contact, session_id, {"Outcome": "failed"})
    assert contact.entries[-1].item["Type"] == "EVENT"


def test_a_senders_participant_id_is_at_most_256_characters(state: State, features: Features) -> None:
    contact, _ = _chat(state, "CUSTOMER")
    error = _refused(lambda: features.send_message(contact, {"Content": "x", "ParticipantId": "p" * 257}))
    assert error.message == "ParticipantId must be a string of 1 to 256 characters"
    error = _refused(lambda: features.send_message(contact, {"Content": "x", "ParticipantId": "p" * 256}))
    assert error.message == "ParticipantId is not an active participant of this chat"
