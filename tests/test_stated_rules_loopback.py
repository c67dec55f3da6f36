"""Rules a user would notice, each stated once, on the emulator (issue 28; the pure ones are in
``test_stated_rules.py``):

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
    Message,
    ParticipantAutoDisconnected,
    ParticipantClient,
    ParticipantIdle,
)
from connect_participant.testing import AsyncConversation, Conversation, ConversationError
from connect_participant_emulator import LocalParticipantService

from tests._emulator_calls import call, token_for

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
        async with (
            await client.connect(started.participant_token) as chat,
            AsyncConversation(chat, timeout=120) as convo,
        ):
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
            http,
            "/participant/transcript",
            token_for(http, token),
            {"SortOrder": "ASCENDING", "MaxResults": 100},
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
def test_idle_and_auto_disconnect_are_two_different_delays(
    participant_service: LocalParticipantService,
) -> None:
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
