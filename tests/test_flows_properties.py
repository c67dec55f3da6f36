"""Randomized combined-fault property test of the flow interpreter: random flows (any graph of
the supported actions, loops included, branches missing) driven by random interleavings of
customer messages, plug-in answers (right, wrong, failed, late, for calls given up on), the
clock jumping and participants leaving. Whatever happens: no exception, one FlowEnded at most
and nothing after it, a run either waits for something or has ended, and every trace step
names an action of its flow and a real next action."""

from __future__ import annotations

import json
from typing import Any

from connect_participant_emulator.flows import (
    CallFailed,
    CallResult,
    ContactFlows,
    ContactState,
    CustomerMessage,
    FlowEnded,
    FlowRun,
    ParticipantLeft,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

IDS = [f"a{i}" for i in range(6)]
TYPES: dict[str, dict[str, Any]] = {
    "MessageParticipant": {"Text": "hi $.Attributes.x"},
    "MessageParticipantIteratively": {
        "Messages": [{"Text": "a"}, {"PromptId": "p"}],
        "InterruptFrequencySeconds": "90",
    },
    "Wait": {"TimeLimitSeconds": "60", "Events": ["CustomerReturned"]},
    "Compare": {"ComparisonValue": "$.Attributes.x"},
    "UpdateContactAttributes": {"Attributes": {"x": "$.External.v"}},
    "UpdateContactTargetQueue": {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q"},
    "TransferContactToQueue": {},
    "Loop": {"LoopCount": "2"},
    "InvokeLambdaFunction": {"LambdaFunctionARN": "fn", "ResponseValidation": {"ResponseType": "JSON"}},
    "ConnectParticipantWithLexBot": {
        "Text": "Hi",
        "LexV2Bot": {"AliasArn": "arn:bot"},
        "LexTimeoutSeconds": {"Text": "30"},
    },
    "CheckHoursOfOperation": {"HoursOfOperationId": "h"},
    "ShowView": {"ViewResource": {"Id": "v"}, "InvocationTimeLimitSeconds": "30"},
    "AuthenticateParticipant": {},
    "GetParticipantInput": {"Text": "press 1"},
    "DisconnectParticipant": {},
    "EndFlowExecution": {},
    "UpdateFlowLoggingBehavior": {"FlowLoggingBehavior": "Enabled"},
}
RESULTS = [
    "WaitCompleted",
    "CustomerReturned",
    "ContinueLooping",
    "DoneLooping",
    "True",
    "False",
    "1",
    "A",
    "Submit",
]


@st.composite
def flows(draw: st.DrawFn) -> dict[str, Any]:
    actions = []
    for identifier in IDS:
        kind = draw(st.sampled_from(sorted(TYPES)))
        transitions: dict[str, Any] = {}
        if draw(st.booleans()):
            transitions["NextAction"] = draw(st.sampled_from(IDS))
        errors = draw(st.lists(st.sampled_from(["NoMatchingError", "NoMatchingCondition", "QueueAtCapacity",
                                                "InputTimeLimitExceeded", "TimeLimitExceeded"]), max_size=3, unique=True))  # fmt: skip
        if errors:
            transitions["Errors"] = [
                {"ErrorType": e, "NextAction": draw(st.sampled_from(IDS))} for e in errors
            ]
        conditions = draw(st.lists(st.sampled_from(RESULTS), max_size=3, unique=True))
        if conditions:
            transitions["Conditions"] = [
                {
                    "NextAction": draw(st.sampled_from(IDS)),
                    "Condition": {"Operator": "Equals", "Operands": [c]},
                }
                for c in conditions
            ]
        actions.append(
            {"Identifier": identifier, "Type": kind, "Parameters": TYPES[kind], "Transitions": transitions}
        )
    return {"Version": "2019-10-30", "StartAction": "a0", "Metadata": {"name": "Random"}, "Actions": actions}


ANSWERS = [
    True,
    False,
    None,
    "succeeded",
    "timeout",
    {"v": "1"},
    json.dumps({"v": {"deep": 1}}),
    [1],
    {"sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "A", "state": "Fulfilled"}}},
    {
        "sessionState": {
            "dialogAction": {"type": "ElicitSlot"},
            "intent": {"name": "A", "state": "InProgress"},
        }
    },
    {"messages": [{"contentType": "CustomPayload", "content": '{"templateType": "ListPicker"}'}]},
]

inputs = st.lists(
    st.one_of(
        st.tuples(st.just("say"), st.sampled_from(["hi", json.dumps({"action": "Submit", "data": {}})]),
                  st.sampled_from(["text/plain", "application/vnd.amazonaws.connect.message.interactive.response"])),
        st.tuples(st.just("answer"), st.integers(-1, 2), st.sampled_from(range(len(ANSWERS)))),
        st.tuples(st.just("fail"), st.integers(-1, 2), st.just(0)),
        st.tuples(st.just("tick"), st.floats(0, 120), st.just(0)),
        st.tuples(st.just("left"), st.sampled_from(["CUSTOM_BOT", "AGENT"]), st.just(0)),
    ),
    max_size=25,
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=flows(),
    steps=inputs,
    role=st.sampled_from(["inbound", "customer_queue", "disconnect", "whisper"]),
)
def test_random_flows_under_random_events_keep_the_run_s_promises(
    document: dict[str, Any], steps: list[tuple[Any, ...]], role: str
) -> None:
    library = ContactFlows(document)
    flow = library.flows[0]
    run = FlowRun(flow, ContactState("c", library.instance_arn), library.find, role=role, random=lambda: 0.5)
    now = 0.0
    commands: list[Any] = []
    run.start(now)
    commands.extend(run.drain())
    for kind, a, b in steps:
        last_call = max((c.call_id for c in commands if hasattr(c, "call_id")), default=0)
        if kind == "say":
            run.handle(now, CustomerMessage(a, b))
        elif kind == "answer":
            run.handle(now, CallResult(last_call + a, ANSWERS[b]))
        elif kind == "fail":
            run.handle(now, CallFailed(last_call + a, "boom"))
        elif kind == "tick":
            now += a
            run.tick(now)
        else:
            run.handle(now, ParticipantLeft(a))
        commands.extend(run.drain())
    ended = [i for i, c in enumerate(commands) if isinstance(c, FlowEnded)]
    assert len(ended) <= 1
    if ended:
        assert ended[0] == len(commands) - 1  # nothing after the end
        assert run.done
    else:
        assert not run.done
        assert run.waiting_for is not None  # a live run always waits for something
    for step in run.trace:
        assert step.identifier in flow.actions
        assert step.next_action is None or step.next_action in flow.actions
