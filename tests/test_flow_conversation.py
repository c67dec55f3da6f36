"""A real flow driven with ``connect_participant.testing``, sync and async, with the customer's
WebSocket dropped in the middle: nothing the flow says in the meantime is lost or repeated.

The flows: contact-surveys' "Simple Survey Example" (a welcome, a queue and an agent), its
disconnect flow and the "Contact Survey" module (a Loop of Lex questions answered in chat),
exactly as published in aws-samples/amazon-connect-contact-surveys.
"""

from __future__ import annotations

import asyncio
import time

from _flow_chat import (
    CUSTOMER,
    QUESTIONS,
    SURVEY_WELCOME,
    queued,
    running,
    survey_chat,
    survey_conversation,
    survey_flows,
    timeline,
)
from connect_participant import AsyncParticipantClient, ChatEnded, Message
from connect_participant.testing import AsyncConversation

EXPECTED = [SURVEY_WELCOME, *survey_conversation()]


def test_survey_conversation_with_a_socket_drop() -> None:
    flows, backend = survey_flows()
    with running(flows) as svc:
        with survey_chat(svc) as (chat_, chat, convo):
            convo.expect(Message, QUESTIONS[0], role="SYSTEM")
            chat.send_message("8")
            convo.expect(Message, QUESTIONS[1], role="SYSTEM")
            # the socket drops; the flow answers the next message while the stream reconnects
            assert svc.close_websockets(contact_id=chat_.contact_id, abrupt=True) >= 1
            chat.send_message("12")
            convo.expect(Message, "Invalid input.", role="SYSTEM")
            convo.expect(Message, QUESTIONS[1], role="SYSTEM")
            chat.send_message("3")
            convo.expect(ChatEnded)
    assert timeline(convo.history) == EXPECTED
    ids = [e.id for e in convo.history if not e.is_update]
    assert len(ids) == len(set(ids))  # nothing twice
    assert [{k: v for k, v in r.items() if k.startswith("survey_result")} for r in backend.results] == [
        {"survey_result_1": "8", "survey_result_2": "3"}
    ]


async def _trace_until_queued(svc: object, contact_id: str) -> None:
    deadline = time.monotonic() + 15
    while not queued(await svc.aflow_trace(contact_id)):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the contact was not queued"
        await asyncio.sleep(0.02)


async def test_survey_conversation_with_a_socket_drop_async() -> None:
    flows, backend = survey_flows()
    with running(flows) as svc:
        chat_ = await svc.astart_chat(CUSTOMER, contact_flow="Simple Survey Example")
        async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
            async with (
                await client.connect(chat_.participant_token) as chat,
                AsyncConversation(chat, timeout=20) as convo,
            ):
                await convo.expect(Message, "Welcome", role="SYSTEM")
                await _trace_until_queued(svc, chat_.contact_id)
                await svc.aadvance_clock(5)
                await convo.expect(Message, "What can I do", role="AGENT")
                await chat.send_message("Where is my order?")
                await convo.expect(Message, QUESTIONS[0], role="SYSTEM")
                await chat.send_message("8")
                await convo.expect(Message, QUESTIONS[1], role="SYSTEM")
                closed = await asyncio.to_thread(
                    svc.close_websockets, contact_id=chat_.contact_id, abrupt=True
                )
                assert closed >= 1
                await chat.send_message("12")
                await convo.expect(Message, "Invalid input.", role="SYSTEM")
                await convo.expect(Message, QUESTIONS[1], role="SYSTEM")
                await chat.send_message("3")
                await convo.expect(ChatEnded)
    assert timeline(convo.history) == EXPECTED
    ids = [e.id for e in convo.history if not e.is_update]
    assert len(ids) == len(set(ids))
    assert len(backend.results) == 1
