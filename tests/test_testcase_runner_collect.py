"""How the test-case runner orders what a chat's flow did and what its customer saw
(``_Runner._collect``), against a stand-in service that keeps the emulator's one promise: a flow
records a step in its trace before it sends that step's message. The race this pins: the flow
runs its next message step between the runner's trace read and its read of the events queue.
Read in that order, the message found no step to follow and was placed by its millisecond
timestamp, which can sort before the step that sent it (a case then saw "sorry" out of order)."""

from __future__ import annotations

import time
from typing import Any

from connect_participant._testcase import ActionStarted, MessageSeen, parse_test_case
from connect_participant._testcase_runner import _Runner
from connect_participant_emulator._flows._interpreter import FlowStep

CASE = {
    "Version": "2025-06-21",
    "Observations": [{"Identifier": "start", "Event": {"Type": "TestInitiated"}}],
}


class _Clock:
    def now(self) -> float:
        return time.time()


class _Flows:
    clock = _Clock()

    def get(self, _flow_id: str) -> None:
        return None


def _step(identifier: str, at: float) -> FlowStep:
    return FlowStep("Main", "main", identifier, "MessageParticipant", "NextAction", None, at=at)


class _FlowRunsAsTheTraceIsRead:
    """Its first trace read returns the first step; before that read returns, the flow runs its
    second step: the step goes into the trace, then its message onto the runner's queue."""

    flows = _Flows()

    def __init__(self) -> None:
        self.runner: _Runner | None = None
        self.trace: list[FlowStep] = []
        self.reads = 0

    def flow_trace(self, _contact_id: str) -> list[FlowStep]:
        self.reads += 1
        seen = list(self.trace)
        if self.reads == 1:
            assert self.runner is not None
            second = _step("bye", time.time())
            self.trace.append(second)
            # its message's timestamp has whole milliseconds: it can read earlier than the step
            self.runner.events.put((second.at - 0.0009, MessageSeen("bye", display_name="SYSTEM_MESSAGE")))
        return seen


def test_a_message_sent_while_the_trace_is_read_follows_its_own_step() -> None:
    service = _FlowRunsAsTheTraceIsRead()
    runner = _Runner(parse_test_case({"Content": CASE}), service, "main", None, (60, 8, 300), 0, 1, 0.0)
    service.runner = runner
    first = _step("hello", time.time() - 0.5)
    service.trace.append(first)
    runner.events.put((first.at + 0.001, MessageSeen("hello", display_name="SYSTEM_MESSAGE")))
    assert runner._collect()
    assert runner._collect()
    runner.buffer.sort(key=lambda item: (item[0], item[1]))  # as _dispatch orders them
    seen: list[Any] = [item[2] for item in runner.buffer]
    said = [e.identifier if isinstance(e, ActionStarted) else e.text for e in seen]
    assert said == ["hello", "hello", "bye", "bye"]
    assert [type(e) for e in seen] == [ActionStarted, MessageSeen, ActionStarted, MessageSeen]
    assert runner.message_steps == []  # each step found its message: nothing holds the run back
