"""Rules a user would notice, each stated once as a test (issue 28: an independent sample of
hand-made breakages found them untested):

- the events de-duplication delivers an update of a known item whose progress did not move
  forward but whose state changed (one file of an attachment scanned, another still in
  progress), and forgets items beyond ``dedupe_window`` while keeping those inside it;
- a gap fill failing because the service could not be reached (or was busy, or failed) is
  retried for as long as it takes: an HTTPS outage must not end the stream with
  ``GapFillError``;
- ``*.localhost`` host names are loopback (what a container set-up names the emulator), so
  plain http to them is allowed, and only to them;
- ``Conversation.expect(..., timeout=…)`` takes its own timeout, shorter or longer than the
  conversation's, checks it, and once the chat's events ended every later ``expect`` fails at
  once, sync and async;
- the emulator: a SUPERVISOR leaves a chat that is transferred, like the agent; the idle timer
  and the auto-disconnect timer are two different delays.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import httpx
import pytest
from connect_participant import (
    AsyncParticipantClient,
    ChatEnded,
    InvalidInputError,
    Item,
    Message,
    ParticipantAutoDisconnected,
    ParticipantClient,
    ParticipantIdle,
)
from connect_participant._delivery import DeliveryLedger, Verdict, progress
from connect_participant._endpoints import check_endpoint_url
from connect_participant._errors import (
    InternalServerError,
    ParticipantTransportError,
    ThrottlingError,
)
from connect_participant._ws_protocol import EventStreamConfig, Fail, FetchGap, FrameIn, GapFailed, GapReady
from connect_participant.testing import AsyncConversation, Conversation, ConversationError
from connect_participant_emulator import LocalParticipantService
from test_events_protocol import ACK, Driver, attachment, chat_frame, emitted, ids, item

from tests._emulator_calls import call, token_for

# --- de-duplication -----------------------------------------------------------------------------


def _two_files(first: str, second: str) -> dict[str, Any]:
    raw = attachment(7, first)
    files = raw["Attachments"]
    raw["Attachments"] = [files[0], {**files[0], "AttachmentId": "b7", "Status": second}]
    return raw


def test_an_update_that_does_not_move_progress_forward_is_still_an_update() -> None:
    before, after = Item(_two_files("IN_PROGRESS", "IN_PROGRESS")), Item(_two_files("APPROVED", "IN_PROGRESS"))
    assert progress(before) == progress(after)  # neither is settled: no progress either way
    ledger = DeliveryLedger(10)
    assert ledger.accept(before) == (Verdict.NEW, None)
    verdict, previous = ledger.accept(after)
    assert (verdict, previous) == (Verdict.UPDATE, before)
    assert ledger.accept(Item(_two_files("APPROVED", "IN_PROGRESS")))[0] is Verdict.REPEAT
    assert list(ledger.unsettled()) == ["id:id-7"]  # the second file still needs to be seen settled

    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    first = emitted(d.feed(FrameIn(sock, chat_frame(_two_files("IN_PROGRESS", "IN_PROGRESS")))))
    second = emitted(d.feed(FrameIn(sock, chat_frame(_two_files("APPROVED", "IN_PROGRESS")))))
    assert [e.is_update for e in first + second] == [False, True]
    assert [a.status for a in second[0].item.attachments] == ["APPROVED", "IN_PROGRESS"]


def test_the_dedupe_window_forgets_the_oldest_item_and_keeps_the_rest() -> None:
    ledger = DeliveryLedger(3)
    for n in range(1, 5):  # id-1 .. id-4: id-1 falls out of a window of 3
        assert ledger.accept(Item(item(n)))[0] is Verdict.NEW
    assert len(ledger) == 3
    assert ledger.judge(Item(item(1)))[0] is Verdict.NEW
    assert ledger.judge(Item(item(2)))[0] is Verdict.REPEAT

    d = Driver(EventStreamConfig(dedupe_window=3, heartbeat_interval=300, heartbeat_timeout=300))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = []
    for n in (1, 2, 3, 4, 2, 1):
        out += d.feed(FrameIn(sock, chat_frame(item(n))))
    assert ids(out) == ["id-1", "id-2", "id-3", "id-4", "id-1"]  # id-2 still known, id-1 forgotten


# --- gap fills through an outage ----------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ParticipantTransportError("connection refused", code="ConnectError", status_code=None),
        ThrottlingError("slow down", code="ThrottlingException", status_code=429),
        InternalServerError("oops", code="InternalServerException", status_code=500),
    ],
    ids=["unreachable", "throttled", "failing"],
)
def test_a_gap_fill_through_an_outage_keeps_trying_and_then_delivers(error: Exception) -> None:
    config = EventStreamConfig(gap_fill_attempts=2, backoff_cap=5, heartbeat_interval=600, heartbeat_timeout=600)
    d = Driver(config, after="id-0")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    waited = 0.0
    for _ in range(20):  # ten times gap_fill_attempts, about 90 s of outage
        assert isinstance(fetch, FetchGap)
        assert not [a for a in d.feed(GapFailed(fetch.fill, error)) if isinstance(a, Fail)]
        start = d.now
        (fetch,) = [a for a in d.advance(config.backoff_cap) if isinstance(a, FetchGap)]
        waited += d.now - start
    assert not d.p.finished
    assert d.p.stats["gap_fill_failures"] == 20
    for raw in (item(2), item(1), {"Id": "id-0"}):
        if not fetch.fill.offer(Item(raw)):
            break
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-1", "id-2"]


# --- endpoints ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://localhost:8080", "http://emulator.localhost:8080", "http://a.b.localhost", "http://[::1]:1"]
)
def test_plain_http_is_allowed_to_loopback_names(url: str) -> None:
    assert check_endpoint_url(url) == url


@pytest.mark.parametrize(
    "url", ["http://localhost.example.com", "http://notlocalhost", "http://localhostx:1", "http://10.0.0.1"]
)
def test_plain_http_is_refused_to_every_other_name(url: str) -> None:
    with pytest.raises(InvalidInputError, match="https unless the host is loopback"):
        check_endpoint_url(url)


# --- Conversation timeouts ----------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_expect_takes_its_own_timeout(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
        Conversation(chat, timeout=120) as convo,
    ):
        # shorter than the conversation's: a hang here would outlast the test's own timeout
        with pytest.raises(ConversationError, match="timed out"):
            convo.expect(Message, "never sent", timeout=0.2)
        convo.timeout = 0.2  # now longer than the conversation's
        later = threading.Timer(1.0, svc.send_message, (started, "late but in time"))
        later.start()
        try:
            assert convo.expect(Message, "late", timeout=15).content == "late but in time"
        finally:
            later.cancel()
        for bad in (-1, float("nan"), "5", True):
            with pytest.raises(InvalidInputError, match="timeout"):
                convo.expect(Message, timeout=bad)  # type: ignore[arg-type]
        svc.stop_contact(started)
        convo.expect(ChatEnded, timeout=15)
        for _ in range(2):  # the second after the end fails as fast as the first
            with pytest.raises(ConversationError, match="ended"):
                convo.expect(Message, timeout=60)


@pytest.mark.timeout(30)
async def test_expect_takes_its_own_timeout_async(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with await client.connect(started.participant_token) as chat, AsyncConversation(
            chat, timeout=120
        ) as convo:
            with pytest.raises(ConversationError, match="timed out"):
                await convo.expect(Message, "never sent", timeout=0.2)
            convo.timeout = 0.2
            later = threading.Timer(1.0, svc.send_message, (started, "late but in time"))
            later.start()
            try:
                assert (await convo.expect(Message, "late", timeout=15)).content == "late but in time"
            finally:
                later.cancel()
            for bad in (-1, float("nan"), "5", True):
                with pytest.raises(InvalidInputError, match="timeout"):
                    await convo.expect(Message, timeout=bad)  # type: ignore[arg-type]
            await svc.astop_contact(started)
            await convo.expect(ChatEnded, timeout=15)
            for _ in range(2):
                with pytest.raises(ConversationError, match="ended"):
                    await convo.expect(Message, timeout=60)


# --- the emulator -------------------------------------------------------------------------------


def _transcript(svc: LocalParticipantService, token: str) -> list[dict[str, Any]]:
    with httpx.Client(base_url=svc.endpoint_url) as http:
        answer = call(
            http, "/participant/transcript", token_for(http, token), {"SortOrder": "ASCENDING", "MaxResults": 100}
        )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["Transcript"])


def test_a_supervisor_leaves_a_transferred_chat_like_the_agent(
    participant_service: LocalParticipantService,
) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    agent = svc.add_participant(started, "Dana", role="AGENT")
    supervisor = svc.add_participant(started, "Sam", role="SUPERVISOR")
    moved = svc.transfer(started, to="QUEUE")
    assert moved.succeeded
    left = [
        (i.get("ParticipantRole"), i.get("ParticipantId"))
        for i in _transcript(svc, started.participant_token)
        if i.get("ContentType", "").endswith("participant.left")
    ]
    assert left == [("AGENT", agent.participant_id), ("SUPERVISOR", supervisor.participant_id)]
    with httpx.Client(base_url=svc.endpoint_url) as http:
        answer = http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": supervisor.participant_token},
            json={"Type": ["CONNECTION_CREDENTIALS"]},
        )
    assert answer.status_code == 403  # the supervisor is out of the chat


@pytest.mark.timeout(30)
def test_idle_and_auto_disconnect_are_two_different_delays(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    svc.add_participant(started, "Helper")  # timers run while a custom bot is in the chat
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
        Conversation(chat, timeout=20) as convo,
    ):
        armed = datetime.now().astimezone()
        svc.set_timers(started, "CUSTOMER", idle=0.2, disconnect=1.5)
        idle = convo.expect(ParticipantIdle, role="CUSTOMER")
        gone = convo.expect(ParticipantAutoDisconnected)
    idle_at, gone_at = (datetime.fromisoformat(e.item.absolute_time or "") for e in (idle, gone))
    # lower bounds only (a timer never fires early): the idle delay runs from when the timers
    # were set, the auto-disconnect delay from the idle event, each its own value
    assert (idle_at - armed).total_seconds() >= 0.2 - 0.01
    assert (gone_at - idle_at).total_seconds() >= 1.5 - 0.01
