"""Chat features beyond text against the emulator (real HTTP on loopback), sync and async:
views (DescribeView answers the view the flow showed), in-chat authentication (URL window,
outcomes, cancel), idle / auto-disconnect timers, display-name updates, and the typed event of
every event content type the service sends."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import pytest
from connect_participant import (
    AccessDeniedError,
    AsyncParticipantClient,
    AuthenticationCancelled,
    AuthenticationExpired,
    AuthenticationFailed,
    AuthenticationInitiated,
    AuthenticationSucceeded,
    AuthenticationTimedOut,
    ChatEnded,
    ChatRehydrated,
    ChatSession,
    Event,
    InvalidInputError,
    Item,
    Message,
    ParticipantActive,
    ParticipantAutoDisconnected,
    ParticipantClient,
    ParticipantDisplayNameUpdated,
    ParticipantIdle,
    ParticipantInactive,
    ParticipantInvited,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantReturned,
    ResourceNotFoundError,
    TransferFailed,
    TransferSucceeded,
    Typing,
    UnknownEvent,
    ValidationError,
    View,
    WorkflowCancelled,
)
from connect_participant_emulator import LocalParticipantService

PREFIX = "application/vnd.amazonaws.connect.event."
SURVEY = {
    "Name": "Survey",
    "Content": {
        "Template": {"Head": {"Title": "How did we do?"}, "Body": [{"_id": "rating"}]},
        "InputSchema": {"type": "object", "properties": {"rating": {"type": "integer"}}},
        "Actions": ["Submit", "Back"],
    },
}


@pytest.fixture
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService(authentication_url_window=60.0) as service:
        yield service


def _events(chat: ChatSession) -> list[Event]:
    return [Event.from_item(item) for item in chat.transcript(direction="FORWARD")]


def _wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


# --- the typed event of every event content type --------------------------------------------


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("typing", Typing),
        ("participant.joined", ParticipantJoined),
        ("participant.left", ParticipantLeft),
        ("participant.idle", ParticipantIdle),
        ("participant.returned", ParticipantReturned),
        ("participant.invited", ParticipantInvited),
        ("participant.active", ParticipantActive),
        ("participant.inactive", ParticipantInactive),
        ("participant.autodisconnection", ParticipantAutoDisconnected),
        ("participant.displayname.updated", ParticipantDisplayNameUpdated),
        ("transfer.succeeded", TransferSucceeded),
        ("transfer.failed", TransferFailed),
        ("chat.ended", ChatEnded),
        ("chat.rehydrated", ChatRehydrated),
        ("authentication.initiated", AuthenticationInitiated),
        ("authentication.succeeded", AuthenticationSucceeded),
        ("authentication.failed", AuthenticationFailed),
        ("authentication.timeout", AuthenticationTimedOut),
        ("authentication.expired", AuthenticationExpired),
        ("authentication.cancelled", AuthenticationCancelled),
        ("workflow.cancelled", WorkflowCancelled),
    ],
)
def test_every_event_content_type_has_its_event(name: str, cls: type[Event]) -> None:
    item = Item({"Type": "EVENT", "ContentType": PREFIX + name, "Id": "e1", "ParticipantRole": "SYSTEM"})
    event = Event.from_item(item)
    assert type(event) is cls
    assert event.item is item


def test_unknown_event_types_stay_unknown_and_whole() -> None:
    raw = {"Type": "EVENT", "ContentType": PREFIX + "something.new", "Id": "x", "Extra": {"a": 1}}
    event = Event.from_item(Item(raw))
    assert type(event) is UnknownEvent
    assert event.item.raw == raw


def test_authentication_events_read_their_session_id() -> None:
    session = "0f6c7e43-5d80-4a37-9b5c-0c1c2b3d4e5f"
    for name in ("initiated", "succeeded", "cancelled"):
        item = Item(
            {
                "Type": "EVENT",
                "ContentType": f"{PREFIX}authentication.{name}",
                "Content": json.dumps({"SessionId": session}),
            }
        )
        event = Event.from_item(item)
        assert getattr(event, "session_id") == session  # noqa: B009 - every authentication event has it
    for content in (None, "not json", "[1]", '{"SessionId": 5}'):
        raw = {"Type": "EVENT", "ContentType": PREFIX + "authentication.initiated"}
        if content is not None:
            raw["Content"] = content
        event = Event.from_item(Item(raw))
        assert isinstance(event, AuthenticationInitiated)
        assert event.session_id is None


# --- views ----------------------------------------------------------------------------------


def test_describe_view_answers_the_view_the_flow_showed(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    token = svc.show_view(started, SURVEY, {"rating": 3})
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        shown = [e for e in _events(chat) if isinstance(e, Message)][-1]
        doc = json.loads(shown.content or "")
        assert doc["templateType"] == "ViewResource"
        assert doc["data"]["content"]["viewToken"] == token
        view = chat.describe_view(token)
        assert isinstance(view, View)
        assert view.name == "Survey"
        assert view.actions == ("Submit", "Back")
        assert view.template == SURVEY["Content"]["Template"]  # type: ignore[index]
        assert view.input_schema["properties"]["rating"] == {"type": "integer"}
        assert view.raw["Content"]["Actions"] == ["Submit", "Back"]
        with pytest.raises(ResourceNotFoundError):
            chat.describe_view("emulator-view-that-was-never-shown")


async def test_describe_view_async(svc: LocalParticipantService) -> None:
    started = await svc.astart_chat("Ann")
    token = await svc.ashow_view(started, SURVEY)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with await client.connect(started.participant_token) as chat:
            view = await chat.describe_view(token)
            assert (view.name, view.actions) == ("Survey", ("Submit", "Back"))


@pytest.mark.parametrize("token", ["", "x" * 1001, None, 5])
def test_describe_view_checks_the_token_before_sending(svc: LocalParticipantService, token: object) -> None:
    started = svc.start_chat("Ann")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        with pytest.raises(InvalidInputError, match="view_token"):
            chat.describe_view(token)  # type: ignore[arg-type]


# --- in-chat authentication ----------------------------------------------------------------


def test_authentication_url_then_sign_in_succeeds(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    agent = svc.add_participant(started, "Dana", role="AGENT")
    session_id = svc.start_authentication(started)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        initiated = next(e for e in _events(chat) if isinstance(e, AuthenticationInitiated))
        assert initiated.session_id == session_id
        url = chat.authentication_url(initiated.session_id or "", "https://example.com/back")
        assert url.startswith(svc.endpoint_url)
        with client.connect(agent.participant_token) as dana, pytest.raises(AccessDeniedError):
            dana.authentication_url(session_id, "https://example.com/back")  # only the customer signs in
        svc.finish_authentication(started, session_id, "succeeded", display_name="Ann (verified)")
        events = _events(chat)
        kinds = [type(e) for e in events]
        done = kinds.index(AuthenticationSucceeded)
        assert kinds[done + 1] is ParticipantDisplayNameUpdated
        renamed = events[done + 1]
        assert (renamed.display_name, renamed.participant_id) == ("Ann (verified)", started.participant_id)
        with pytest.raises(ValidationError):  # the session is over
            chat.authentication_url(session_id, "https://example.com/back")


def test_opening_the_emulators_sign_in_url_signs_in(svc: LocalParticipantService) -> None:
    import httpx

    started = svc.start_chat("Ann")
    session_id = svc.start_authentication(started)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        url = chat.authentication_url(session_id, "https://example.com/back")
        answer = httpx.get(url, follow_redirects=False)
        assert answer.status_code == 302
        assert answer.headers["location"] == "https://example.com/back"
        assert any(
            isinstance(e, AuthenticationSucceeded) and e.session_id == session_id for e in _events(chat)
        )


async def test_cancel_authentication_async(svc: LocalParticipantService) -> None:
    started = await svc.astart_chat("Ann")
    session_id = await svc.astart_authentication(started)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with await client.connect(started.participant_token) as chat:
            url = await chat.authentication_url(session_id, "https://example.com/back")
            assert session_id in url
            await chat.cancel_authentication(session_id)
            items = [i async for i in chat.transcript(direction="FORWARD")]
            cancelled = [
                Event.from_item(i) for i in items if isinstance(Event.from_item(i), AuthenticationCancelled)
            ]
            assert [e.session_id for e in cancelled] == [session_id]  # type: ignore[attr-defined]
            with pytest.raises(Exception, match="already"):
                await chat.cancel_authentication(session_id)


def test_authentication_times_out_by_timer_and_outcomes_on_command(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    timed = svc.start_authentication(started, timeout=0.2)
    failed = svc.start_authentication(started)
    expired = svc.start_authentication(started)
    svc.finish_authentication(started, failed, "failed")
    svc.finish_authentication(started, expired, "expired", delay=0.1)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        _wait_for(
            lambda: (
                sum(isinstance(e, AuthenticationTimedOut | AuthenticationExpired) for e in _events(chat)) == 2
            )
        )
        outcomes = {
            (type(e).__name__, getattr(e, "session_id", None))
            for e in _events(chat)
            if type(e).__name__.startswith("Authentication") and not isinstance(e, AuthenticationInitiated)
        }
        assert outcomes == {
            ("AuthenticationTimedOut", timed),
            ("AuthenticationFailed", failed),
            ("AuthenticationExpired", expired),
        }


def test_authentication_url_only_within_the_window() -> None:
    with LocalParticipantService(authentication_url_window=0.2) as svc:
        started = svc.start_chat("Ann")
        session_id = svc.start_authentication(started)
        with (
            ParticipantClient(endpoint_url=svc.endpoint_url) as client,
            client.connect(started.participant_token) as chat,
        ):
            time.sleep(0.4)
            with pytest.raises(ValidationError):
                chat.authentication_url(session_id, "https://example.com/back")


@pytest.mark.parametrize(
    ("session_id", "redirect", "argument"),
    [
        ("x" * 35, "https://r", "session_id"),
        ("x" * 37, "https://r", "session_id"),
        (None, "https://r", "session_id"),
        ("x" * 36, "", "redirect_uri"),
        ("x" * 36, "h" * 1025, "redirect_uri"),
    ],
)
def test_authentication_arguments_are_checked_before_sending(
    svc: LocalParticipantService, session_id: object, redirect: object, argument: str
) -> None:
    started = svc.start_chat("Ann")
    svc.inject_fault(
        "GetAuthenticationUrl", count=None, status=500
    )  # any request sent would fail differently
    svc.inject_fault("CancelParticipantAuthentication", count=None, status=500)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        with pytest.raises(InvalidInputError, match=argument):
            chat.authentication_url(session_id, redirect)  # type: ignore[arg-type]
        if argument == "session_id":
            with pytest.raises(InvalidInputError, match="session_id"):
                chat.cancel_authentication(session_id)  # type: ignore[arg-type]


# --- timers and display names --------------------------------------------------------------


def test_idle_then_returned_then_auto_disconnect(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    agent = svc.add_participant(started, "Dana", role="AGENT")
    svc.set_timers(started, "CUSTOMER", idle=0.3, disconnect=0.6)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        _wait_for(lambda: any(isinstance(e, ParticipantIdle) for e in _events(chat)))
        chat.send_message("still here")
        _wait_for(lambda: any(isinstance(e, ParticipantAutoDisconnected) for e in _events(chat)))
        events = _events(chat)
        # joining and the customer's own connection acknowledgement may come at any point here
        ack = PREFIX + "connection.acknowledged"
        timeline = [
            type(e) for e in events if not isinstance(e, ParticipantJoined) and e.item.content_type != ack
        ]
        idle = timeline.index(ParticipantIdle)
        assert timeline[idle : idle + 3] == [ParticipantIdle, Message, ParticipantReturned]
        auto = timeline.index(ParticipantAutoDisconnected)
        assert timeline[auto - 1] is ParticipantIdle  # idle again first, then the auto-disconnect
        assert timeline[auto + 1] is ParticipantLeft
        left = events[[type(e) for e in events].index(ParticipantLeft)]
        assert left.participant_id == agent.participant_id  # the agent leaves, the customer stays
        chat.send_message("the chat goes on")  # with its flow


def test_display_name_update(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    svc.update_display_name(started, started.participant_id, "Ann B.")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        renamed = [e for e in _events(chat) if isinstance(e, ParticipantDisplayNameUpdated)]
        assert [(e.participant_id, e.display_name) for e in renamed] == [(started.participant_id, "Ann B.")]
        sent = chat.send_message("hi")
        mine = next(i for i in chat.transcript() if i.id == sent.id)
        assert mine.display_name == "Ann B."


def test_control_endpoint_refuses_malformed_feature_requests(svc: LocalParticipantService) -> None:
    import httpx

    started = svc.start_chat("Ann")
    base = f"{svc.endpoint_url}/_emulator/contacts/{started.contact_id}"
    bad = [
        ("POST", "/messages", {"Chunks": []}),
        ("POST", "/messages", {"Chunks": ["a", 5]}),
        ("POST", "/messages", {}),
        ("POST", "/events", {"ContentType": "text/plain"}),
        ("POST", "/views", {"View": "nope"}),
        ("POST", "/authentication", {"TimeoutSeconds": -1}),
        ("POST", "/authentication/" + "0" * 36, {"Outcome": "succeeded"}),
        ("PUT", "/timers", {"Timers": [{"ParticipantRole": "SUPERVISOR", "IdleSeconds": 1}]}),
        ("PUT", "/participants/nobody/display-name", {"DisplayName": "x"}),
    ]
    with httpx.Client(timeout=10) as http:
        for method, path, body in bad:
            answer = http.request(method, base + path, json=body)
            assert 400 <= answer.status_code < 500, (path, answer.status_code)
            assert "message" in answer.json()
        session_id = svc.start_authentication(started)
        bad_outcome = http.post(f"{base}/authentication/{session_id}", json={"Outcome": "maybe"})
        assert bad_outcome.status_code == 400
        assert http.get(f"{svc.endpoint_url}/_emulator/health").json()["status"] == "ok"


def test_an_ended_chat_stops_its_timers_streams_and_sign_ins(svc: LocalParticipantService) -> None:
    started = svc.start_chat("Ann")
    svc.add_participant(started, "Helper")
    svc.start_authentication(started, timeout=0.2)
    svc.set_timers(started, "CUSTOMER", idle=0.2, disconnect=0.2)
    svc.stream_message(started, ["a", "b", "c"], interval=0.2)
    svc.stop_contact(started)
    time.sleep(1.0)
    contact = svc.emulator.state.contacts[started.contact_id]
    assert contact.entries[-1].item["ContentType"] == PREFIX + "chat.ended"  # nothing after the end
    assert not any(e.item["Type"] == "MESSAGE" for e in contact.entries)  # the answer never completed
