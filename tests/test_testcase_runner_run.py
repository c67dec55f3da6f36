"""How a test-case run ends on a running emulator (``_Runner.run``): its customer rides out
throttling with 6 tries and a run that cannot send says so; what the run put on the emulator
(its chat's fault rules, its overrides) goes with it; a refused goodbye costs nothing; the times
the result carries. Each test starts its own emulator: the fault rules are the emulator's."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from connect_participant import _client, _retry
from connect_participant.testing import run_test_case
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._flows._interpreter import Ref
from connect_participant_emulator.flows import ContactFlows

from tests._flow_builder import action, disconnect, flow, say
from tests.test_testcases import override_action


def _flows() -> ContactFlows:
    flows = ContactFlows()
    # the Wait keeps the chat open while the customer sends; the runner skips its 60 s
    flows.add(flow("Main", say("hello", "Welcome", "wait"), action("wait", "Wait", {"TimeLimitSeconds": "60"}, "end"),
                   disconnect()))  # fmt: skip
    return flows


@pytest.fixture
def emulator() -> Iterator[LocalParticipantService]:
    with LocalParticipantService(flows=_flows()) as service:
        yield service


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The runner's retry policy with its attempts as the runner asks, its waits 1 ms: the
    attempts asked for are recorded."""
    asked: list[int] = []
    real = _retry.RetryPolicy
    assert _client.RetryPolicy is real  # the client, imported before the patch, checks for the real one

    @dataclasses.dataclass(frozen=True, slots=True)
    class Quick(real):
        base_delay: float = 0.001
        max_delay: float = 0.001

        def __post_init__(self) -> None:
            asked.append(self.max_attempts)
            real.__post_init__(self)

    monkeypatch.setattr(_retry, "RetryPolicy", Quick)
    return asked


def _case(throttled: int, *, unused_override: bool = False) -> dict[str, Any]:
    start: dict[str, Any] = {
        "Identifier": "start",
        "Event": {"Type": "TestInitiated"},
        "Actions": [],
        "Transitions": {"NextObservations": ["welcome"]},
    }
    welcome = {
        "Identifier": "welcome",
        "Event": {"Type": "MessageReceived", "Actor": "System", "Properties": {"Text": "Welcome"}},
        "Actions": [
            {
                "Identifier": "say-hi",
                "Type": "SendInstruction",
                "Parameters": {"Instruction": {"Type": "TextUtterance", "Properties": {"Text": "hi"}}},
            }
        ],
        "Transitions": {"NextObservations": ["done"]},
    }
    if unused_override:  # a Lambda the flow never calls: the override stays pending
        start["Actions"].append(override_action("unused", "stand-in"))
    return {
        "Name": f"{throttled} throttled",
        "EntryPoint": {"ChatEntryPointParameters": {"FlowId": "Main"}},
        "EmulatorResources": {"stand-in": {"Output": {}}},
        "Content": {
            "Version": "2025-06-21",
            "Metadata": {"EmulatorFaults": {"ThrottledSends": throttled, "LatencyMs": 20}},
            "Observations": [start, welcome, {"Identifier": "done", "Event": {"Type": "TestCompleted"}}],
        },
    }


def test_the_customer_rides_out_five_throttled_sends_and_the_run_leaves_nothing_behind(
    emulator: LocalParticipantService, quick_retries: list[int]
) -> None:
    before = emulator.flows.clock.now()
    result = run_test_case(_case(5, unused_override=True), service=emulator)
    after = emulator.flows.clock.now()
    assert result.passed, result.report()
    assert quick_retries == [6]
    assert result.end_reason == "the chat ended"
    assert [m["Content"] for m in result.transcript] == ["Welcome", "hi"]  # "hi" sent once: no double
    started, _, done = result.observations
    assert started.at is not None
    assert before <= started.at <= after
    assert done.at is not None
    assert done.at >= started.at + 60
    assert 0 < result.seconds < 30
    # its chat's throttling and latency rules and its pending override went with it
    assert emulator.emulator.faults.rules == []
    assert emulator.flows.take_override(result.contact_id, "lambda", Ref("unused")) is None


def test_a_send_throttled_six_times_ends_the_run_with_the_service_s_error(
    emulator: LocalParticipantService, quick_retries: list[int]
) -> None:
    result = run_test_case(_case(6), service=emulator)
    assert not result.passed
    assert result.error is not None
    assert result.error.startswith("the customer's message could not be sent: ThrottlingException")
    assert result.end_reason == "an instruction could not be carried out"
    assert [o.status for o in result.observations] == ["passed"] * 3  # TestCompleted, at its end
    assert emulator.emulator.faults.rules == []


def test_a_refused_goodbye_costs_the_run_nothing(
    emulator: LocalParticipantService, quick_retries: list[int]
) -> None:
    emulator.inject_fault("DisconnectParticipant", count=None, status=400, error_code="ValidationException")
    case = _case(0)
    case["Content"]["Observations"][1]["Transitions"]["NextObservations"] = []  # done once welcomed
    case["Content"]["Observations"].pop()
    result = run_test_case(case, service=emulator)
    assert result.passed, result.report()
    assert result.end_reason == "every observation was made"
