"""Contact flows run by the emulator, end to end through the SDK as the customer: the flow's
messages as Connect shows them (SYSTEM / SYSTEM_MESSAGE, Lex as SYSTEM / BOT, interactive
templates), a scripted Lex bot, a queue whose agent joins and chats, the disconnect flow when
the agent leaves, error branches (a Lambda raising, a queue at capacity, no matching
condition), a 15-minute Wait both ways with the flow clock advanced, and the trace."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from connect_participant import (
    AsyncParticipantClient,
    AuthenticationInitiated,
    AuthenticationSucceeded,
    ChatEnded,
    ChatSession,
    Event,
    ListPicker,
    Message,
    ParticipantClient,
    ParticipantJoined,
    ParticipantLeft,
    ViewResource,
)
from connect_participant.testing import AsyncConversation, Conversation
from connect_participant_emulator import Chat, LocalParticipantService
from connect_participant_emulator.flows import (
    Agent,
    AgentSession,
    ContactFlows,
    FlowClock,
    Intent,
    ScriptedBot,
)

from tests._flow_builder import action, disconnect, flow, say

INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
BOT_ALIAS = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID/ALIASID"
QUEUE_ARN = "arn:aws:connect:us-east-1:111122223333:instance/inst/queue/q-support"
PICKER = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "content": {"title": "Which account?", "elements": [{"title": "Checking"}, {"title": "Savings"}]}
    },
}


@contextlib.contextmanager
def customer(
    svc: LocalParticipantService, contact_flow: str, **start: Any
) -> Iterator[tuple[Chat, ChatSession, Conversation]]:
    """Ann's chat on ``contact_flow``: connected through the SDK, with a conversation over its events."""
    chat = svc.start_chat("Ann", contact_flow=contact_flow, **start)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(chat.participant_token) as session,
        Conversation(session, timeout=10) as convo,
    ):
        yield chat, session, convo


def inbound_flow() -> dict[str, Any]:
    """Welcome, set the disconnect flow, a Lex bot, then by intent: a balance via Lambda or a queue."""
    return flow(
        "Inbound",
        action("log", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "channel"),
        action("channel", "Compare", {"ComparisonValue": "$.Channel"}, conditions=[("Equals", "CHAT", "welcome")],
               errors={"NoMatchingCondition": "end"}),
        say("welcome", "Welcome, $.Attributes.customerName!", "hooks"),
        action("hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerRemaining": "Goodbye"}}, "bot",
               errors={"NoMatchingError": "end"}),
        action("bot", "ConnectParticipantWithLexBot", {"Text": "How can I help?", "LexV2Bot": {"AliasArn": BOT_ALIAS}},
               conditions=[("Equals", "CheckBalance", "lookup"), ("Equals", "TalkToAgent", "queue")],
               errors={"NoMatchingCondition": "unknown", "NoMatchingError": "error"}),
        action("lookup", "InvokeLambdaFunction",
               {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:111122223333:function:balance-lookup",
                "InvocationTimeLimitSeconds": "3",
                "LambdaInvocationAttributes": {"account": "$.Lex.Slots.account"}},
               "balance", errors={"NoMatchingError": "error"}),
        say("balance", "Your balance is $.External.balance.", "end"),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN}, "transfer",
               errors={"NoMatchingError": "error"}),
        action("transfer", "TransferContactToQueue", {}, "error",
               errors={"QueueAtCapacity": "full", "NoMatchingError": "error"}),
        say("full", "All our agents are busy.", "end"),
        say("unknown", "I can't help with that.", "end"),
        say("error", "Something went wrong.", "end"),
        disconnect("end"),
    )  # fmt: skip


def goodbye_flow() -> dict[str, Any]:
    return flow("Goodbye", say("bye", "Thanks for chatting with us.", "end"), disconnect("end"))


def contact_flows(agent: Agent | None = None, *, at_capacity: bool = False) -> ContactFlows:
    flows = ContactFlows(inbound_flow(), goodbye_flow())
    flows.lex_bot(
        "*:bot-alias/BOTID/*",
        ScriptedBot(
            Intent("CheckBalance", [r"balance (of|for) (?P<account>\d+)"], reply="Let me look."),
            Intent("TalkToAgent", [r"agent|human"], reply=[PICKER, "Connecting you."]),
        ),
    )

    @flows.lambda_function("balance-lookup")
    def balance(event: dict[str, Any]) -> dict[str, str]:
        account = event["Details"]["Parameters"]["account"]
        if account == "0000":
            raise LookupError("no such account")
        return {"balance": f"${len(account) * 10}"}

    if at_capacity:
        flows.queue("q-support", at_capacity=True)
    else:
        flows.queue("q-support", agent)
    return flows


def timeline(history: list[Event]) -> list[tuple[str, str | None, str | None, str | None]]:
    """(event type, role, display name, content) without the customer's own messages' echoes."""
    rows = []
    for event in history:
        role = getattr(event, "participant_role", None)
        name = getattr(event, "display_name", None)
        content = getattr(event, "content", None) if isinstance(event, Message) else None
        if type(event).__name__ == "ConnectionAcknowledged":
            continue
        rows.append((type(event).__name__, role, name, content))
    return rows


def test_a_chat_runs_its_flow_bot_queue_agent_and_disconnect_flow() -> None:
    flows = contact_flows(Agent("Sam", delay=30, script=["Hi, I'm Sam.", "Done. Anything else?"]))
    with LocalParticipantService(flows=flows) as svc:
        chat = svc.start_chat("Ann", contact_flow="Inbound", attributes={"customerName": "Ann"})
        svc_contact = chat.contact_id
        with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
            with (
                client.connect(chat.participant_token) as session,
                Conversation(session, timeout=10) as convo,
            ):
                convo.expect(Message, "Welcome, Ann!", role="SYSTEM")
                convo.expect(Message, "How can I help?", role="SYSTEM")
                svc.close_websockets(
                    contact_id=chat.contact_id, abrupt=True
                )  # a dropped socket loses nothing
                session.send_message("I need a human")
                picker = convo.expect_interactive(ListPicker)
                assert picker.title == "Which account?"
                convo.expect(Message, "Connecting you.")
                svc.advance_clock(30)  # the agent's delay, on the flow clock
                convo.expect(ParticipantJoined, role="AGENT")
                convo.expect(Message, "I'm Sam", role="AGENT")
                session.send_message("My card is blocked")
                convo.expect(Message, "Anything else?", role="AGENT")
                convo.expect(ParticipantLeft, role="AGENT")
                convo.expect(Message, "Thanks for chatting")
                convo.expect(ChatEnded)
                seen = timeline(convo.history)
    assert seen == [
        ("Message", "SYSTEM", "SYSTEM_MESSAGE", "Welcome, Ann!"),
        ("Message", "SYSTEM", "BOT", "How can I help?"),
        ("Message", "CUSTOMER", "Ann", "I need a human"),
        ("Message", "SYSTEM", "BOT", json.dumps(PICKER)),
        ("Message", "SYSTEM", "BOT", "Connecting you."),
        ("ParticipantJoined", "AGENT", "Sam", None),
        ("Message", "AGENT", "Sam", "Hi, I'm Sam."),
        ("Message", "CUSTOMER", "Ann", "My card is blocked"),
        ("Message", "AGENT", "Sam", "Done. Anything else?"),
        ("ParticipantLeft", "AGENT", "Sam", None),
        ("Message", "SYSTEM", "SYSTEM_MESSAGE", "Thanks for chatting with us."),
        ("ParticipantLeft", "CUSTOMER", "Ann", None),
        ("ChatEnded", None, None, None),
    ]
    assert svc_contact


def test_the_interactive_message_has_the_interactive_content_type_and_the_trace_tells_the_path() -> None:
    with LocalParticipantService(flows=contact_flows()) as svc:
        with customer(svc, contact_flow="Inbound", attributes={"customerName": "Ann"}) as (
            chat,
            session,
            convo,
        ):
            convo.expect(Message, "How can I help?")
            session.send_message("agent please")
            convo.expect(Message, "Connecting you.")
            types = [item.content_type for item in session.transcript() if item.participant_role == "SYSTEM"]
        steps = svc.flow_trace(chat)
    assert INTERACTIVE in types
    path = [(s.identifier, s.branch) for s in steps]
    assert path == [
        ("log", "NextAction"),
        ("channel", "Condition Equals CHAT"),
        ("welcome", "NextAction"),
        ("hooks", "NextAction"),
        ("bot", "Condition Equals TalkToAgent"),
        ("queue", "NextAction"),
        ("transfer", "End"),
    ]
    assert steps[1].read == {"$.Channel": "CHAT"}
    assert steps[4].set["$.Lex"]["IntentName"] == "TalkToAgent"
    assert steps[-1].result == "Queued"


@pytest.mark.parametrize(
    ("utterance", "attributes_queue", "expected"),
    [
        ("what is the balance of 1234", None, "Your balance is $40."),
        ("what is the balance of 0000", None, "Something went wrong."),  # the Lambda raises
        ("talk to an agent", "full", "All our agents are busy."),  # QueueAtCapacity
        ("tell me a joke", None, "I can't help with that."),  # FallbackIntent: no matching condition
    ],
)
def test_branches_the_customer_reaches(utterance: str, attributes_queue: str | None, expected: str) -> None:
    with LocalParticipantService(flows=contact_flows(at_capacity=attributes_queue == "full")) as svc:
        with customer(svc, contact_flow="Inbound", attributes={"customerName": "Ann"}) as (
            chat,
            session,
            convo,
        ):
            convo.expect(Message, "How can I help?")
            session.send_message(utterance)
            convo.expect(Message, expected, role="SYSTEM")
            convo.expect(ChatEnded)
        steps = svc.flow_trace(chat)
    if "0000" in utterance:
        failed = next(s for s in steps if s.identifier == "lookup")
        assert failed.branch == "Error NoMatchingError"
        assert "LookupError: no such account" in (failed.note or "")


def wait_flow() -> dict[str, Any]:
    return flow(
        "Idle check",
        say("ask", "Are you still there?", "wait"),
        action("wait", "Wait", {"TimeLimitSeconds": "900"},
               conditions=[("Equals", "WaitCompleted", "gone"), ("Equals", "CustomerReturned", "back")],
               errors={"NoMatchingError": "gone"}),
        say("back", "Welcome back!", "end"),
        say("gone", "Closing the chat after 15 minutes.", "end"),
        disconnect("end"),
    )  # fmt: skip


@pytest.mark.parametrize("customer_returns", [True, False])
def test_a_15_minute_wait_with_the_flow_clock_advanced(customer_returns: bool) -> None:
    clock = FlowClock(start=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    with LocalParticipantService(flows=ContactFlows(wait_flow(), clock=clock)) as svc:
        with customer(svc, contact_flow="Idle check") as (chat, session, convo):
            convo.expect(Message, "Are you still there?")
            svc.advance_clock(899)
            if customer_returns:
                session.send_message("yes, sorry")
                convo.expect(Message, "Welcome back!", role="SYSTEM")
            else:
                svc.advance_clock(1)
                convo.expect(Message, "Closing the chat after 15 minutes.", role="SYSTEM")
            convo.expect(ChatEnded)
        waited = next(s for s in svc.flow_trace(chat) if s.identifier == "wait")
    assert waited.result == ("CustomerReturned" if customer_returns else "WaitCompleted")
    # the step's time is the flow clock's: 2026-12-07 09:14:59 or later, however fast the test ran
    assert waited.at >= datetime(2026, 12, 7, 9, 14, 59, tzinfo=UTC).timestamp()


def test_one_chat_s_flow_clock_moves_and_the_others_keep_theirs() -> None:
    """``advance_chat_clock``: to the chat's next timer (its Wait's end) or by seconds; another
    chat in the same Wait stays in it; the emulator's clock does not move."""
    clock = FlowClock(start=datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    with LocalParticipantService(flows=ContactFlows(wait_flow(), clock=clock)) as svc:
        with (
            customer(svc, contact_flow="Idle check") as (first, _, convo),
            customer(svc, contact_flow="Idle check") as (second, _, other),
        ):
            convo.expect(Message, "Are you still there?")
            other.expect(Message, "Are you still there?")
            assert svc.advance_chat_clock(first, at_most=600) == 0.0  # the Wait ends later than that
            moved = svc.advance_chat_clock(first)  # to the Wait's end
            assert 899 < moved <= 900
            convo.expect(Message, "Closing the chat after 15 minutes.", role="SYSTEM")
            convo.expect(ChatEnded)
            assert svc.advance_chat_clock(first) == 0.0  # over: no timer
            assert [s.identifier for s in svc.flow_trace(second)] == ["ask"]  # still waiting
            assert svc.advance_chat_clock(second, 100) == 100.0
            assert [s.identifier for s in svc.flow_trace(second)] == ["ask"]  # 800 s to go
        assert clock.now() < datetime(2026, 12, 7, 9, 5, tzinfo=UTC).timestamp()
        waited = next(s for s in svc.flow_trace(first) if s.identifier == "wait")
        assert waited.at >= datetime(2026, 12, 7, 9, 15, tzinfo=UTC).timestamp()
        with httpx.Client(base_url=svc.endpoint_url) as http:
            unknown = http.post("/_emulator/contacts/no-such-contact/clock/advance", json={})
            bad = http.post(f"/_emulator/contacts/{second.contact_id}/clock/advance", json={"AtMost": -1})
            not_json = http.post(f"/_emulator/contacts/{second.contact_id}/clock/advance", content=b"[")
    assert unknown.status_code == 404
    assert bad.status_code == 400
    assert not_json.status_code == 400


def test_a_chat_s_clock_does_not_skip_over_a_plug_in_still_answering() -> None:
    """A Lambda function still at work: "to the next timer" would be its time limit, so the
    chat's clock stays; once it answered, the flow goes on."""
    entered, answer = threading.Event(), threading.Event()

    def slow(event: dict[str, Any]) -> dict[str, str]:
        entered.set()
        answer.wait(10)
        return {"tier": "gold"}

    lookup = flow(
        "Lookup",
        action("lookup", "InvokeLambdaFunction", {"LambdaFunctionARN": "slow", "InvocationTimeLimitSeconds": "8"},
               "done", errors={"NoMatchingError": "failed"}),
        say("done", "Found you.", "end"),
        say("failed", "The lookup failed.", "end"),
        disconnect("end"),
    )  # fmt: skip
    flows = ContactFlows(lookup)
    flows.lambda_function("slow", slow)
    with LocalParticipantService(flows=flows) as svc:
        with customer(svc, contact_flow="Lookup") as (chat, _, convo):
            assert entered.wait(10)
            assert svc.advance_chat_clock(chat) == 0.0  # the Lambda's 8 s are no Wait
            answer.set()
            convo.expect(Message, "Found you.", role="SYSTEM")


def test_a_flow_the_emulator_cannot_run_is_refused_before_the_chat_starts() -> None:
    broken = flow(
        "Voice menu", action("dial", "TransferParticipantToThirdParty", {}, "end"), disconnect("end")
    )
    with LocalParticipantService(flows=ContactFlows(broken)) as svc:
        with pytest.raises(RuntimeError) as caught:
            svc.start_chat("Ann", contact_flow="Voice menu")
        assert svc.emulator.state.contacts == {}
    text = str(caught.value)
    assert "InvalidParameterException" in text
    assert "'Voice menu'" in text
    assert "'dial'" in text
    assert "TransferParticipantToThirdParty" in text


def test_a_chat_without_a_known_flow_behaves_as_before(participant_service: LocalParticipantService) -> None:
    chat = participant_service.start_chat("Ann")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(chat.participant_token) as session:
            session.send_message("hello?")
            items = list(session.transcript())
    assert [i.participant_role for i in items if i.type == "MESSAGE"] == ["CUSTOMER"]
    with httpx.Client(base_url=participant_service.endpoint_url) as http:
        answer = http.get(f"/_emulator/contacts/{chat.contact_id}/flow-trace")
    assert answer.status_code == 400  # no flows loaded in this emulator
    assert "no flows are loaded" in answer.json()["message"]


@pytest.mark.participant_service(flows=ContactFlows(goodbye_flow()))
def test_the_fixture_takes_flows_and_the_control_endpoint_returns_the_trace(
    participant_service: LocalParticipantService,
) -> None:
    chat = participant_service.start_chat("Ann", contact_flow="Goodbye")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(chat.participant_token) as session, Conversation(session, timeout=10) as convo:
            convo.expect(Message, "Thanks for chatting")
            convo.expect(ChatEnded)
    with httpx.Client(base_url=participant_service.endpoint_url) as http:
        answer = http.get(f"/_emulator/contacts/{chat.contact_id}/flow-trace").json()
        unknown = http.get("/_emulator/contacts/no-such-contact/flow-trace")
        bad = http.post("/_emulator/clock/advance", json={"Seconds": "soon"})
    assert [(s["Identifier"], s["Branch"], s["Flow"]) for s in answer["Steps"]] == [
        ("bye", "NextAction", "Goodbye"),
        ("end", "End", "Goodbye"),
    ]
    assert unknown.status_code == 404
    assert bad.status_code == 400


async def test_async_lambda_and_an_agent_played_through_the_sdk() -> None:
    """The agent's callback connects with the SDK (async) and chats; an async Lambda answers."""
    joined: list[AgentSession] = []

    async def play_agent(agent: AgentSession) -> None:
        joined.append(agent)
        assert agent.endpoint_url is not None
        async with AsyncParticipantClient(endpoint_url=agent.endpoint_url) as client:
            async with await client.connect(agent.participant_token) as session:
                events = session.events()  # from now on: the customer's answer is not missed
                await session.send_message(f"Agent {agent.display_name} from queue {agent.queue} here.")
                async for event in events:
                    if isinstance(event, Message) and event.participant_role == "CUSTOMER":
                        await session.send_message(f"You said: {event.content}")
                        break
            # leaving the session disconnects the agent: the disconnect flow runs

    flows = contact_flows(Agent("Riya", on_join=play_agent))
    flows.lambdas.clear()

    @flows.lambda_function("*:function:balance-lookup")
    async def balance(event: dict[str, Any], context: Any) -> str:
        await asyncio.sleep(0)
        assert context.function_name == "balance-lookup"
        return json.dumps({"balance": "$7"})

    async with LocalParticipantService(flows=flows) as svc:
        chat = await svc.astart_chat("Ann", contact_flow="Inbound", attributes={"customerName": "Ann"})
        async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
            async with await client.connect(chat.participant_token) as session:
                async with AsyncConversation(session, timeout=10) as convo:
                    await convo.expect(Message, "How can I help?")
                    await session.send_message("a human please")
                    await convo.expect(ParticipantJoined, role="AGENT")
                    await convo.expect(Message, "Agent Riya from queue", role="AGENT")
                    await session.send_message("hello Riya")
                    await convo.expect(Message, "You said: hello Riya", role="AGENT")
                    await convo.expect(Message, "Thanks for chatting", role="SYSTEM")
                    await convo.expect(ChatEnded)
        steps = await svc.aflow_trace(chat)
    assert [s.flow for s in steps][-2:] == ["Goodbye", "Goodbye"]
    assert joined[0].queue == "q-support"


def test_the_emulator_readme_s_flow_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example of the emulator README's "Contact flows" section, run as written (the docs'
    runner runs it too) over the small exported flow in ``tests/data/readme-flows``, with the
    trace it prints checked."""
    readme = (
        Path(__file__).parent.parent / "emulator" / "connect_participant_emulator" / "README.md"
    ).read_text()
    section = readme.split("## Contact flows", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(Path(__file__).parent / "data" / "readme-flows", tmp_path / "flows")
    monkeypatch.chdir(tmp_path)
    printed: list[tuple[Any, ...]] = []
    exec(compile(example, "README.md", "exec"), {"print": lambda *args: printed.append(args)})
    assert [row[:4] for row in printed] == [
        ("Inbound", "hello", "MessageParticipant", "NextAction"),
        ("Inbound", "bot", "ConnectParticipantWithLexBot", "Condition Equals TalkToAgent"),
        ("Inbound", "queue", "UpdateContactTargetQueue", "NextAction"),
        ("Inbound", "transfer", "TransferContactToQueue", "End"),
    ]


def test_the_customer_queue_flow_runs_while_queued_and_stops_when_the_agent_joins() -> None:
    queue_flow = flow(
        "Queue music",
        say("queued", "You are number $.Queue.Name in line.", "loop"),
        action("loop", "Loop", {"LoopCount": "5"},
               conditions=[("Equals", "ContinueLooping", "wait"), ("Equals", "DoneLooping", "done")]),
        action("wait", "Wait", {"TimeLimitSeconds": "60"}, conditions=[("Equals", "WaitCompleted", "still")],
               errors={"NoMatchingError": "done"}),
        say("still", "Still waiting, thanks for your patience.", "loop"),
        action("done", "EndFlowExecution"),
    )  # fmt: skip
    inbound = flow(
        "Inbound",
        action("hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerQueue": "Queue music"}}, "queue",
               errors={"NoMatchingError": "end"}),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN}, "transfer", errors={"NoMatchingError": "end"}),
        action("transfer", "TransferContactToQueue", {}, errors={"QueueAtCapacity": "end", "NoMatchingError": "end"}),
        disconnect("end"),
    )  # fmt: skip
    flows = ContactFlows(inbound, queue_flow)
    flows.queue("q-support", Agent("Sam", delay=150, script=["Sam here, sorry for the wait."], leaves=False))
    with LocalParticipantService(flows=flows) as svc:
        with customer(svc, contact_flow="Inbound") as (chat, _session, convo):
            convo.expect(Message, "You are number q-support in line.")
            svc.advance_clock(60)
            convo.expect(Message, "Still waiting")
            svc.advance_clock(60)
            convo.expect(Message, "Still waiting")
            svc.advance_clock(30)  # 150 s: the agent joins; the queue flow stops in its Wait
            convo.expect(ParticipantJoined, role="AGENT")
            convo.expect(Message, "Sam here", role="AGENT")
            svc.advance_clock(600)
            svc.stop_contact(chat)
            convo.expect(ChatEnded)
            said = [e.content for e in convo.history if isinstance(e, Message)]
        steps = svc.flow_trace(chat)
    assert said.count("Still waiting, thanks for your patience.") == 2  # nothing after the agent joined
    assert steps[-1].flow == "Queue music"
    assert (steps[-1].identifier, steps[-1].branch, steps[-1].note) == (
        "wait",
        "Stopped",
        "agent 'Sam' joined",
    )


def test_a_flow_named_by_arn_runs_for_a_client_that_reads_the_transcript_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("connect_participant_emulator._flows._engine.START_GRACE", 0.05)
    flows = ContactFlows(goodbye_flow())
    goodbye = flows.get("Goodbye")
    assert goodbye is not None
    with (
        LocalParticipantService(flows=flows) as svc,
        httpx.Client(base_url=svc.endpoint_url, timeout=10) as http,
    ):
        started = http.put("/contact/chat", json={"InstanceId": svc.instance_id, "ContactFlowId": goodbye.arn,
                                                  "ParticipantDetails": {"DisplayName": "Ann"}})  # fmt: skip
        token = started.json()["ParticipantToken"]
        connection = http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": token},
            json={"Type": ["CONNECTION_CREDENTIALS"], "ConnectParticipant": True},
        ).json()["ConnectionCredentials"]["ConnectionToken"]
        assert connection
        for _ in range(200):  # the flow starts shortly after the connection (no WebSocket here)
            threading.Event().wait(0.05)
            if svc.flow_trace(started.json()["ContactId"]):
                break
        steps = svc.flow_trace(started.json()["ContactId"])
    assert [s.identifier for s in steps] == ["bye", "end"]


def test_a_lambda_timing_out_and_hours_closed_on_the_flow_clock() -> None:
    document = flow(
        "Hours",
        action("hours", "CheckHoursOfOperation", {"HoursOfOperationId": "arn:aws:connect:us-east-1:1:instance/i/operating-hours/h-1"},
               conditions=[("Equals", "True", "fn"), ("Equals", "False", "closed")], errors={"NoMatchingError": "end"}),
        say("closed", "We are closed at the weekend.", "fn"),
        action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "slow-one", "InvocationTimeLimitSeconds": "8"},
               "end", errors={"NoMatchingError": "failed"}),
        say("failed", "The lookup failed.", "end"),
        disconnect("end"),
    )  # fmt: skip
    flows = ContactFlows(
        document, clock=FlowClock(start=datetime(2026, 12, 6, 12, 0, tzinfo=UTC))
    )  # a Sunday
    flows.hours("h-1", open=lambda moment: moment.weekday() < 5)
    release = threading.Event()

    @flows.lambda_function("slow-one", timeout=0.2)
    def slow(event: dict[str, Any]) -> dict[str, str]:
        release.wait(5)
        return {}

    with LocalParticipantService(flows=flows) as svc:
        with customer(svc, contact_flow="Hours") as (chat, _session, convo):
            convo.expect(Message, "closed at the weekend")
            convo.expect(Message, "The lookup failed.")
            convo.expect(ChatEnded)
        release.set()
        steps = {s.identifier: s for s in svc.flow_trace(chat)}
    assert steps["hours"].result == "False"
    assert "did not answer within 0.2 s" in (steps["fn"].note or "")


def test_the_command_line_loads_flows_and_names_their_problems(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_text(
        json.dumps(flow("Greeter", say("hi", "${Greeting}!", "end"), disconnect()))
    )
    broken = flow(
        "Voice menu", action("dial", "TransferParticipantToThirdParty", {}, "end"), disconnect("end")
    )
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    process = subprocess.Popen(
        [sys.executable, "-m", "connect_participant_emulator", "--port", "0", "--flows", str(tmp_path),
         "--flow-placeholder", "Greeting=Hello"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.strip().rsplit(" ", 1)[-1]
        start = {"InstanceId": "i", "ParticipantDetails": {"DisplayName": "Cli"}}
        good = httpx.put(url + "/contact/chat", json={**start, "ContactFlowId": "Greeter"})
        bad = httpx.put(url + "/contact/chat", json={**start, "ContactFlowId": "Voice menu"})
        trace = httpx.get(url + f"/_emulator/contacts/{good.json()['ContactId']}/flow-trace")
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=10)
    assert good.status_code == 200
    assert trace.json()["Steps"] == []  # the customer has not connected yet
    assert bad.status_code == 400
    assert "TransferParticipantToThirdParty" in bad.json()["message"]
    assert "flow 'Greeter'" in errors
    assert "ok" in errors
    assert "flow 'Voice menu'" in errors
    assert "1 problem(s)" in errors


def test_the_customer_whisper_flow_runs_as_the_agent_joins() -> None:
    whisper = flow("Whisper", say("w", "You are now chatting with our $.Queue.Name team.", "e"),
                   action("e", "EndFlowExecution"))  # fmt: skip
    inbound = flow(
        "Inbound",
        action("hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerWhisper": "Whisper"}}, "queue"),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN}, "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )
    inbound["Metadata"]["ActionMetadata"]["queue"] = {"queue": {"text": "Support"}}
    flows = ContactFlows(inbound, whisper)
    flows.queue("Support", Agent("Sam", script=["Hi!"], leaves=False))
    with LocalParticipantService(flows=flows) as svc:
        with customer(svc, contact_flow="Inbound") as (chat, _session, convo):
            convo.expect(ParticipantJoined, role="AGENT")
            convo.expect(Message, "You are now chatting with our Support team.", role="SYSTEM")
            convo.expect(Message, "Hi!", role="AGENT")
            svc.stop_contact(chat)
            convo.expect(ChatEnded)


def test_an_agent_added_by_the_test_takes_the_queued_contact_and_leaving_runs_the_disconnect_flow() -> None:
    queue_music = flow(
        "Queue music",
        say("queued", "Please hold.", "wait"),
        action("wait", "Wait", {"TimeLimitSeconds": "30"}, conditions=[("Equals", "WaitCompleted", "queued")]),
    )  # fmt: skip
    inbound = flow(
        "Inbound",
        action("hooks", "UpdateContactEventHooks",
               {"EventHooks": {"CustomerQueue": "Queue music", "CustomerRemaining": "Goodbye"}}, "queue"),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN}, "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )  # fmt: skip
    with LocalParticipantService(flows=ContactFlows(inbound, queue_music, goodbye_flow())) as svc:
        with customer(svc, "Inbound") as (chat, _session, convo):
            convo.expect(Message, "Please hold.")
            agent = svc.add_participant(chat, "Max", role="AGENT")  # the test plays the agent
            convo.expect(ParticipantJoined, role="AGENT")
            svc.advance_clock(60)  # the queue flow's Wait would repeat "Please hold." now: it stopped
            with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
                with client.connect(agent.participant_token) as agent_session:
                    agent_session.send_message("Max here.")
                    convo.expect(Message, "Max here.", role="AGENT")
            convo.expect(ParticipantLeft, role="AGENT")
            convo.expect(Message, "Thanks for chatting with us.", role="SYSTEM")
            convo.expect(ChatEnded)
            holds = [e for e in convo.history if isinstance(e, Message) and e.content == "Please hold."]
        steps = svc.flow_trace(chat)
    assert len(holds) == 1
    assert [s.flow for s in steps][-2:] == ["Goodbye", "Goodbye"]
    assert (
        next(s for s in steps if s.flow == "Queue music" and s.branch == "Stopped").note
        == "agent 'Max' joined"
    )


def test_a_view_and_an_in_chat_sign_in_from_the_flow_through_the_sdk() -> None:
    document = flow(
        "Guided",
        action("view", "ShowView",
               {"ViewResource": {"Id": "arn:aws:connect:us-east-1:1:instance/i/view/feedback", "Version": "1"},
                "ViewData": {"Heading": "Hello $.Attributes.customerName"}, "InvocationTimeLimitSeconds": "300"},
               conditions=[("Equals", "Submit", "thanks")],
               errors={"NoMatchingCondition": "end", "TimeLimitExceeded": "end", "NoMatchingError": "end"}),
        say("thanks", "Thanks for rating us $.Views.ViewResultData.rating.", "auth"),
        action("auth", "AuthenticateParticipant", {}, "signed", errors={"NoMatchingError": "end"}),
        say("signed", "You are signed in.", "end"),
        disconnect("end"),
    )  # fmt: skip
    flows = ContactFlows(document)
    form = {
        "Name": "Feedback",
        "Content": {"Template": {"Body": []}, "InputSchema": {}, "Actions": ["Submit"]},
    }
    flows.view("feedback", form)
    with LocalParticipantService(flows=flows) as svc:
        with customer(svc, "Guided", attributes={"customerName": "Ann"}) as (chat, session, convo):
            shown = convo.expect_interactive(ViewResource)
            assert shown.view_data == {"Heading": "Hello Ann"}
            view = session.describe_view(shown.view_token or "")
            assert view.name == "Feedback"
            session.answer_view("Submit", {"rating": 5}, view=view)
            convo.expect(Message, "Thanks for rating us 5.", role="SYSTEM")
            initiated = convo.expect(AuthenticationInitiated)
            url = session.authentication_url(initiated.session_id or "", "https://example.com/back")
            assert httpx.get(url).status_code == 302  # the customer signs in
            convo.expect(AuthenticationSucceeded)
            convo.expect(Message, "You are signed in.", role="SYSTEM")
            convo.expect(ChatEnded)
        steps = svc.flow_trace(chat)
    assert [(s.identifier, s.result) for s in steps][:3] == [
        ("view", "Submit"),
        ("thanks", None),
        ("auth", "Success"),
    ]


def test_queueing_again_from_the_disconnect_flow_brings_an_agent_again() -> None:
    back_to_queue = flow(
        "Back to queue",
        say("m", "Transferring you again.", "queue"),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN}, "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )
    inbound = flow(
        "Inbound",
        action(
            "hooks",
            "UpdateContactEventHooks",
            {"EventHooks": {"CustomerRemaining": "Back to queue"}},
            "queue",
        ),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE_ARN}, "queued"),
        say("queued", "An agent will be with you shortly.", "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )
    flows = ContactFlows(inbound, back_to_queue)
    flows.queue("q-support", Agent("Sam", delay=5, script=["Hi, Sam here."]))
    with LocalParticipantService(flows=flows) as svc:
        with customer(svc, "Inbound") as (chat, _session, convo):
            convo.expect(Message, "An agent will be with you shortly.")  # queued: the agent's delay runs
            svc.advance_clock(5)
            convo.expect(Message, "Hi, Sam here.", role="AGENT")
            convo.expect(ParticipantLeft, role="AGENT")  # one line said: Sam leaves
            convo.expect(Message, "Transferring you again.", role="SYSTEM")
            svc.advance_clock(5)
            convo.expect(ParticipantJoined, role="AGENT")
            convo.expect(Message, "Hi, Sam here.", role="AGENT")
            svc.stop_contact(chat)
            convo.expect(ChatEnded)


async def test_timers_of_chats_ended_during_long_waits_do_not_pile_up() -> None:
    """A long-lived emulator: 600 chats each end during a 7-day Wait; their timers go."""
    from connect_participant_emulator import EmulatorApp, EmulatorConfig

    week = flow("Week", say("m", "See you next week.", "w"),
                action("w", "Wait", {"TimeLimitSeconds": "604800"}, errors={"NoMatchingError": "end"}), disconnect("end"))  # fmt: skip
    app = EmulatorApp(EmulatorConfig(flows=ContactFlows(week)))
    engine = app.operations.flow_engine
    assert engine is not None
    for _ in range(600):
        answer = app.operations.start_chat_contact(
            {"InstanceId": "i", "ContactFlowId": "Week", "ParticipantDetails": {"DisplayName": "Ann"}}
        )
        contact = app.state.contacts[answer["ContactId"]]
        (customer_,) = contact.participants.values()
        for listener in app.state.subscribe_listeners:  # as when the customer's socket subscribes
            listener(customer_)
        await asyncio.sleep(0)  # the flow starts, says its message and waits
        steps = engine.trace(contact.contact_id)
        assert steps
        assert steps[0].identifier == "m"
        app.state.end_contact(contact)
    pending = engine._timers  # the engine's heap of wake-ups
    assert len(pending) <= 512
    assert sum(not t.cancelled for t in pending) == 0


def test_an_error_of_the_emulator_s_own_ends_the_chat_and_says_so_in_the_trace(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in the engine (provoked here: performing a message raises) never leaves a silent hang."""
    from connect_participant_emulator._flows._engine import FlowEngine

    def broken(self: FlowEngine, cf: object, run: object, command: object) -> None:
        raise RuntimeError("provoked")

    monkeypatch.setattr(FlowEngine, "_perform", broken)
    with LocalParticipantService(flows=ContactFlows(goodbye_flow())) as svc:
        with customer(svc, "Goodbye") as (chat, _session, convo):
            convo.expect(ChatEnded)
        steps = svc.flow_trace(chat)
    assert (steps[-1].type, steps[-1].branch) == ("EmulatorError", "Stopped")
    assert steps[-1].note == "the emulator failed: RuntimeError: provoked"
    assert "the flow engine failed" in caplog.text


def test_flows_given_as_a_folder_are_loaded_at_once_and_take_plug_ins_after_the_start(tmp_path: Path) -> None:
    document = flow(
        "Lookup",
        action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:greet"},
               "hi", errors={"NoMatchingError": "end"}),
        say("hi", "$.External.greeting", "end"),
        disconnect("end"),
    )  # fmt: skip
    (tmp_path / "lookup.json").write_text(json.dumps(document))
    with LocalParticipantService(flows=str(tmp_path)) as svc:
        assert svc.flows is not None
        assert svc.flows.get("Lookup") is not None
        svc.flows.lambda_function("greet", lambda event: {"greeting": "Registered after the start."})
        with customer(svc, "Lookup") as (_chat, _session, convo):
            convo.expect(Message, "Registered after the start.")
    assert LocalParticipantService().flows is None
