"""Run Connect test cases on the emulator: a chat on the test's flow, the SDK as the customer.

The emulator (a separate package) is imported here, lazily, when a run needs one; the library
never imports it at module import.
"""

from __future__ import annotations

import contextlib
import os
import queue
import random
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import ParticipantServiceError
from ._testcase import (
    MAX_LATENCY_MS,
    ActionStarted,
    ChatEnded,
    EndRun,
    MessageSeen,
    ObservationResult,
    Override,
    SendText,
    StateSeen,
    TestCase,
    TestCaseError,
    TestCaseRun,
    parse_test_case,
)

__all__ = ["TestCaseResult", "flow_documents", "load_test_cases", "run_test_case", "run_test_cases"]


@dataclass
class TestCaseResult:
    """What a test case's run gave: per observation passed/failed (expected vs actual), the
    transcript the customer saw, the flow trace, LogData values."""

    __test__ = False
    name: str
    """The test case's name."""
    observations: list[ObservationResult]
    """Per observation: ``status`` (passed, failed, missed, not reached), ``expected``,
    ``actual`` and the Asserts' ``checks``."""
    transcript: list[dict[str, str]] = field(default_factory=list)
    """The messages the customer saw: ``{"Role", "DisplayName", "Content"}``."""
    trace: list[dict[str, Any]] = field(default_factory=list)
    """The flow trace (``FlowStep.to_json()`` of each action the chat's flows ran)."""
    logs: list[tuple[str, str, Any]] = field(default_factory=list)
    """LogData values: (observation, label, value)."""
    contact_id: str = ""
    """The chat's contact id (on a real instance: the execution's id)."""
    end_reason: str = ""
    """Why the run ended (the chat ended, an EndTest, every observation made, a limit)."""
    error: str | None = None
    """A problem running it (no substitute for an override, the chat could not start…)."""
    seconds: float = 0.0
    """How long the run took."""
    clock_skipped: float = 0.0
    """Flow-clock seconds the runner skipped while the chat was idle (a Wait's time, a bot's
    time limit …): the chat's flow time ran this much ahead of the wall clock."""
    source: str = ""
    """The file it came from (when loaded from one)."""

    @property
    def passed(self) -> bool:
        """No error, and no observation failed or missed."""
        return self.error is None and all(o.passed for o in self.observations)

    def failures(self) -> list[ObservationResult]:
        """The observations that failed or never happened."""
        return [o for o in self.observations if not o.passed]

    def report(self) -> str:
        """The readable report (``text_report``) of this run."""
        from ._testcase_report import text_report

        return text_report([self])


def load_test_cases(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, TestCase]]:
    """Test cases from files and folders (a folder: its ``*.test.json`` files, sorted, recursively)."""
    found: list[tuple[str, TestCase]] = []
    for raw in paths:
        path = Path(raw)
        files = sorted(path.rglob("*.test.json")) if path.is_dir() else [path]
        for file in files:
            text = file.read_text(encoding="utf-8")
            try:
                case = parse_test_case(text, name=None)
            except TestCaseError as exc:
                raise TestCaseError(f"{file}: {exc.argument}", exc.rule) from None
            if case.name == "test case":
                case = parse_test_case(text, name=file.name.removesuffix(".json").removesuffix(".test"))
            found.append((str(file), case))
    return found


_SENDS_MESSAGE = ("MessageParticipant", "MessageParticipantIteratively")
#: how long a step that sent a message waits for it before the run goes on without it
_MESSAGE_WAIT = 5.0
#: a bot message this close (seconds) to a Lex step is the answer that ended it
_LEX_REPLY = 0.05


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.removeprefix("$.").split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _contact_data(contact_id: str, steps: Sequence[Any], attributes: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "Channel": "CHAT",
        "ContactId": contact_id,
        "InitialContactId": contact_id,
        "Attributes": dict(attributes),
    }
    for step in steps:
        for path, value in {**dict(step.read), **dict(step.set)}.items():
            _set_path(data, str(path), value)
    return data


def _substitute_rule(kind: str, substitute: str, case: TestCase, flows: Any) -> Any:
    """The plug-in rule a SubstituteArn stands for: the test file's ``EmulatorResources`` entry,
    else a plug-in registered on the flows for that ARN/name; None when neither knows it."""
    from connect_participant_emulator._flows._interpreter import Ref
    from connect_participant_emulator._flows._library import HoursRule, LambdaRule, LexRule, QueueRule
    from connect_participant_emulator.flows import Intent, ScriptedBot

    spec = case.resources.get(substitute)
    if isinstance(spec, Mapping):
        if kind == "lambda":
            if "Error" in spec:
                message = str(spec["Error"])

                def failing(event: Any) -> Any:
                    raise RuntimeError(message)

                return LambdaRule(substitute, failing)
            output = dict(spec.get("Output") or {})
            return LambdaRule(substitute, lambda event: output)
        if kind == "hours":
            return HoursRule(substitute, bool(spec.get("Open", True)))
        if kind == "queue":
            return QueueRule(substitute, None, bool(spec.get("AtCapacity", False)))
        intents = [
            Intent(str(i["Name"]), tuple(i.get("Utterances") or ()), i.get("Reply"))
            for i in spec.get("Intents") or []
        ]
        return LexRule(substitute, ScriptedBot(*intents, fallback=spec.get("Fallback")))
    ref = Ref(substitute)
    if kind == "lambda":
        return flows.lambda_for(ref)
    if kind == "lex":
        return flows.bot_for(ref)
    if kind == "queue":
        return flows.queue_for(ref)
    return flows.hours_for(ref, None)


def _parameters(flows: Any, step: Any) -> dict[str, Any]:
    flow = flows.get(step.flow_id) or flows.get(step.flow)
    action = flow.actions.get(step.identifier) if flow is not None else None
    if action is None:
        return {}
    read = dict(step.read)

    def resolved(value: Any) -> Any:  # a JSONPath parameter as the flow read it
        if isinstance(value, str) and value in read and read[value] is not None:
            return read[value]
        if isinstance(value, Mapping):
            return {k: resolved(v) for k, v in value.items()}
        return value

    return {k: resolved(v) for k, v in action.parameters.items()}


def run_test_case(
    case: TestCase | Mapping[str, Any] | str,
    *,
    service: Any = None,
    flows: Any = None,
    flow_id: str | None = None,
    attributes: Mapping[str, str] | None = None,
    time_limit: float = 30.0,
    idle_limit: float = 4.0,
    socket_drops: int = 0,
    seed: int | None = None,
    latency: float = 0.0,
    clock_limit: float = 300.0,
) -> TestCaseResult:
    """Run one test case on the emulator: start a chat on its flow (``EntryPoint``'s
    ``FlowId``, else ``flow_id``) with its ``InitializationData`` attributes, connect as the
    customer with the SDK, walk its observations. ``service``: a running
    ``LocalParticipantService`` (many cases may share it, concurrently); else one is started
    for this case on ``flows`` (a ``ContactFlows`` or a path). The run ends on the chat's end,
    an EndTest, every observation made, ``idle_limit`` seconds without anything new, or
    ``time_limit``. ``socket_drops``: close the customer's WebSocket that many times at
    moments drawn from ``seed`` (the observations must still hold). ``latency``: every call of
    the customer (sends, transcript, connection, WebSocket) waits that many seconds in the
    emulator first. A case's own ``EmulatorFaults`` (in its ``Metadata`` or its file) add to
    these: ``SocketDrops``, ``Seed``, ``ThrottledSends``, ``LatencyMs``. The faults are this
    chat's alone: other chats on the emulator see none of them.

    The flow clock: when the chat is idle (nothing new, no message on its way) and the flow
    has a timer pending (a Wait, a bot's or a view's time limit, a queue's agent), the runner
    moves this chat's flow clock to it (``advance_chat_clock``; other chats keep theirs), so a
    5-minute Wait ends at once and at the same flow time on every run. ``clock_limit``: the
    flow seconds it may skip in all (Connect stops a test after 5 minutes; 0: never skip).
    Against a service that cannot advance a chat's clock, the run waits in real time and
    ends after ``idle_limit`` idle seconds, as before."""
    if not isinstance(case, TestCase):
        case = parse_test_case(case)
    if isinstance(latency, bool) or not 0 <= latency <= MAX_LATENCY_MS / 1000:
        raise TestCaseError("latency", f"must be from 0 to {MAX_LATENCY_MS // 1000} seconds")
    if service is None:
        from connect_participant_emulator import LocalParticipantService

        with LocalParticipantService(flows=flows) as own:
            return run_test_case(
                case,
                service=own,
                flow_id=flow_id,
                attributes=attributes,
                time_limit=time_limit,
                idle_limit=idle_limit,
                socket_drops=socket_drops,
                seed=seed,
                latency=latency,
                clock_limit=clock_limit,
            )
    limits = (time_limit, idle_limit, clock_limit)
    return _Runner(case, service, flow_id, attributes, limits, socket_drops, seed, latency).run()


def run_test_cases(
    cases: Sequence[TestCase | tuple[str, TestCase]],
    *,
    service: Any,
    concurrency: int = 5,
    **options: Any,
) -> list[TestCaseResult]:
    """Run test cases concurrently (``concurrency`` chats at once) on one running emulator;
    results in the order given."""

    def one(item: TestCase | tuple[str, TestCase]) -> TestCaseResult:
        source, case = item if isinstance(item, tuple) else ("", item)
        result = run_test_case(case, service=service, **options)
        result.source = source
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, cases))


class _Runner:
    def __init__(
        self,
        case: TestCase,
        service: Any,
        flow_id: str | None,
        attributes: Mapping[str, str] | None,
        limits: tuple[float, float, float],
        socket_drops: int,
        seed: int | None,
        latency: float,
    ) -> None:
        self.case = case
        self.service = service
        self.flow_id = case.flow_id or flow_id
        self.attributes = {**case.attributes, **(attributes or {})}
        self.time_limit, self.idle_limit, self.clock_limit = limits
        faults = case.faults
        self.rng = random.Random(faults.get("Seed", seed))
        self.drops = max(socket_drops, faults.get("SocketDrops", 0))
        self.throttled_sends = faults.get("ThrottledSends", 0)
        self.latency = max(latency, faults.get("LatencyMs", 0) / 1000)
        #: the ids of the fault rules this run injected (for this chat only), removed at its end
        self.fault_ids: list[str] = []
        self.run_ = TestCaseRun(case)
        self.result = TestCaseResult(case.name, list(self.run_.results.values()))
        self.events: queue.Queue[Any] = queue.Queue()
        self.steps_seen = 0
        self.steps: list[Any] = []
        #: (wall-clock time, arrival, event) not yet given to the run
        self.buffer: list[tuple[float, float, Any]] = []
        #: (time, order) of the steps that sent a SYSTEM_MESSAGE not yet seen
        self.message_steps: list[tuple[float, float]] = []
        self.last_message: tuple[float, float] = (0.0, 0.0)
        self.lex_steps: list[tuple[float, float]] = []
        self.arrivals = 0
        self.contact_id = ""
        self.session: Any = None
        #: flow seconds this chat's clock was moved on (the chat's flow time = the emulator's + this)
        self.skew = 0.0
        #: the service's way to move one chat's flow clock (None: it has none; wait in real time)
        self.advance_chat_clock = getattr(service, "advance_chat_clock", None)

    def run(self) -> TestCaseResult:
        from ._client import ParticipantClient
        from ._retry import RetryPolicy

        started = time.monotonic()
        if self.flow_id is None:
            self.result.error = "no flow: give EntryPoint.ChatEntryPointParameters.FlowId or flow_id"
            return self.result
        flows = self.service.flows
        if flows is None or flows.get(self.flow_id) is None:
            self.result.error = f"flow {self.flow_id!r} is not loaded in the emulator"
            return self.result
        try:
            chat = self.service.start_chat(
                "Customer", contact_flow=self.flow_id, attributes=self.attributes or None
            )
        except Exception as exc:  # the emulator's 400 names the flow's problems
            self.result.error = f"the chat could not start: {exc}"
            return self.result
        self.contact_id = self.result.contact_id = chat.contact_id
        try:
            self._inject_faults()
            if not self._perform(self.run_.start(self._now())):
                return self.result
            # a customer retries what is throttled (6 tries, backing off), as a chat client does
            retry = RetryPolicy(max_attempts=6)
            with ParticipantClient(endpoint_url=self.service.endpoint_url, retry=retry) as client:
                with client.connect(chat.participant_token) as session:
                    self.session = session
                    reader = threading.Thread(target=self._read, args=(session,), daemon=True)
                    reader.start()
                    self._loop(started)  # returns once the run is done
                    # a failed goodbye must not cost the run its result (an ended chat's is a no-op)
                    with contextlib.suppress(ParticipantServiceError):
                        session.disconnect()
        finally:
            for fault_id in self.fault_ids:
                self.service.remove_fault(fault_id)
            flows.clear_overrides(self.contact_id)
            self.result.logs = list(self.run_.logs)
            self.result.end_reason = self.run_.end_reason or self.result.end_reason
            self.result.seconds = time.monotonic() - started
            self.result.trace = [s.to_json() for s in self.service.flow_trace(self.contact_id)]
        return self.result

    def _inject_faults(self) -> None:
        """This chat's faults: its next sends throttled (429, as Connect answers; the customer
        retries), and latency on each of its customer's calls until the run ends."""
        if self.throttled_sends:
            rule = self.service.inject_fault(
                "SendMessage",
                count=self.throttled_sends,
                status=429,
                error_code="ThrottlingException",
                contact_id=self.contact_id,
            )
            self.fault_ids.append(str(rule["id"]))
        if self.latency > 0:
            rule = self.service.inject_fault(
                "*", count=None, action="delay", delay_seconds=self.latency, contact_id=self.contact_id
            )
            self.fault_ids.append(str(rule["id"]))

    def _arrival(self) -> float:
        self.arrivals += 1
        return self.arrivals

    def _now(self) -> float:
        """This chat's flow time."""
        return float(self.service.flows.clock.now()) + self.skew  # a run has flows (run checks)

    def _skip_to_timer(self) -> bool:
        """The chat is idle: move its flow clock to its next timer (within ``clock_limit``);
        True when it moved."""
        left = self.clock_limit - self.skew
        if self.advance_chat_clock is None or left <= 0:
            return False
        try:
            moved = float(self.advance_chat_clock(self.contact_id, at_most=left))
        except RuntimeError:  # the emulator refused (an older one without the endpoint): real time
            self.advance_chat_clock = None
            return False
        self.skew += moved
        self.result.clock_skipped = self.skew
        return moved > 0

    def _read(self, session: Any) -> None:
        from ._events import ChatEnded as ChatEndedEvent
        from ._events import Message

        try:
            for event in session.events():
                if isinstance(event, Message) and not event.is_update and event.content is not None:
                    when = event.time.timestamp() if event.time is not None else time.time()
                    seen = MessageSeen(
                        event.content,
                        event.participant_role or "",
                        event.display_name or "",
                        event.content_type or "text/plain",
                    )
                    self.events.put((when, seen))
                elif isinstance(event, ChatEndedEvent):
                    break
        except Exception as exc:  # the stream failed for good: the run ends on it
            self.events.put((time.time(), ChatEnded(f"the events stream failed: {type(exc).__name__}")))
            return
        self.events.put((time.time(), ChatEnded("the chat ended")))

    def _collect(self) -> bool:
        """New flow steps and events into the time-ordered buffer; True when anything came."""
        flows = self.service.flows
        offset = self._now() - time.time()  # the flow clock may run ahead of the wall clock
        # the events first, then the trace: a flow records a step before it sends the step's
        # message, so every message taken here finds its step in the trace read after it
        came: list[tuple[float, object]] = []
        while True:
            try:
                came.append(self.events.get_nowait())
            except queue.Empty:
                break
        steps = self.service.flow_trace(self.contact_id)
        news = False
        for step in steps[self.steps_seen :]:
            self.steps_seen += 1
            self.steps.append(step)
            started = ActionStarted(step.type, step.identifier, step.flow, _parameters(flows, step))
            step_key = (step.at - offset, float(self._arrival()))
            self.buffer.append((*step_key, started))
            if step.type in _SENDS_MESSAGE and "nothing" not in str(step.note or ""):
                self.message_steps.append(step_key)
            elif step.type == "ConnectParticipantWithLexBot":
                self.lex_steps.append(step_key)
            news = True
        for when, event in came:
            key: tuple[float, float] = (when, self._arrival())
            if (
                isinstance(event, MessageSeen)
                and event.display_name == "SYSTEM_MESSAGE"
                and self.message_steps
            ):
                # the flow's message: right after the step that sent it (timestamps are in ms,
                # a flow runs several actions within one)
                at, order = self.message_steps.pop(0)
                key = (at, order + 0.5)
            elif isinstance(event, MessageSeen) and event.display_name == "BOT":
                # the bot's answer ending a Lex action: the emulator sends it once the flow has
                # gone on; it belongs right after the Lex step
                closest = min(self.lex_steps, key=lambda k: abs(k[0] - when), default=None)
                if closest is not None and abs(closest[0] - when) < _LEX_REPLY:
                    key = (closest[0], closest[1] + 0.5)
            if isinstance(event, MessageSeen):  # messages keep the order they came in
                key = max(key, (self.last_message[0], self.last_message[1] + 0.01))
                self.last_message = key
            self.buffer.append((*key, event))
            news = True
        return news

    def _dispatch(self, settle: float) -> None:
        """Give the run, in time order, what happened more than ``settle`` seconds ago (a step
        is in the trace at once, its message comes over the WebSocket a moment later)."""
        offset = self._now() - time.time()
        now = time.time()
        horizon = now - settle
        # a step that sent a message holds back what came after it until the message is here
        # (a busy emulator delivers it later than the step shows in the trace); 5 s at most
        self.message_steps = [k for k in self.message_steps if now - k[0] < _MESSAGE_WAIT]
        barrier = min(self.message_steps, default=None)
        self.buffer.sort(key=lambda item: (item[0], item[1]))
        while (
            self.buffer
            and not self.run_.done
            and self.buffer[0][0] <= horizon
            and (barrier is None or (self.buffer[0][0], self.buffer[0][1]) <= barrier)
        ):
            when, _, event = self.buffer.pop(0)
            upto = [s for s in self.steps if s.at - offset <= when + 0.0005]
            data = _contact_data(self.contact_id, upto, self.attributes)
            self.run_.handle(self._now(), StateSeen(data))
            if isinstance(event, MessageSeen):
                self.result.transcript.append(
                    {"Role": event.role, "DisplayName": event.display_name, "Content": event.text}
                )
            if not self._perform(self.run_.handle(self._now(), event)):
                return

    def _loop(self, started: float) -> None:
        drop_at = sorted(self.rng.uniform(0.05, 1.0) for _ in range(self.drops))
        settle = 1.5 if self.drops else 0.3
        last_news = time.monotonic()
        may_skip = True  # until a skip finds no timer, then again after something new
        while not self.run_.done:
            elapsed = time.monotonic() - started
            if drop_at and elapsed >= drop_at[0]:
                drop_at.pop(0)
                self.service.close_websockets(contact_id=self.contact_id, abrupt=self.rng.random() < 0.5)
            if self._collect():
                last_news = time.monotonic()
                may_skip = True
            self._dispatch(settle)
            if self.run_.done:
                return
            if elapsed > self.time_limit:
                self.run_.finish(self._now(), f"the time limit ({self.time_limit:g} s) came")
                return
            idle = time.monotonic() - last_news
            if may_skip and not self.buffer and not self.message_steps and idle > settle + 0.2:
                may_skip = self._skip_to_timer()
                if may_skip:
                    last_news = time.monotonic()
                    continue
            if not self.buffer and idle > self.idle_limit:
                self.run_.finish(self._now(), f"nothing happened for {self.idle_limit:g} s")
                return
            time.sleep(0.05)

    def _perform(self, commands: Sequence[Any]) -> bool:
        """Carry out the run's commands; False when the run cannot go on."""
        flows = self.service.flows
        for command in commands:
            if isinstance(command, Override):
                rule = _substitute_rule(command.kind, command.substitute, self.case, flows)
                if rule is None:
                    self.result.error = (
                        f"no substitute known for SubstituteArn {command.substitute!r} ({command.kind}): "
                        "describe it in the file's EmulatorResources or register a plug-in for it"
                    )
                    self.run_.finish(self._now(), "an override could not be applied")
                    return False
                flows.override(self.contact_id, command.kind, command.resource, rule)
            elif isinstance(command, SendText):
                if self.session is None:
                    self.result.error = "SendInstruction before the chat is connected (in TestInitiated)"
                    self.run_.finish(self._now(), "an instruction came too early")
                    return False
                try:
                    self.session.send_message(command.text)
                except ParticipantServiceError as exc:  # throttled past its tries, the chat over …
                    self.result.error = f"the customer's message could not be sent: {exc}"
                    self.run_.finish(self._now(), "an instruction could not be carried out")
                    return False
            elif isinstance(command, EndRun):
                self.result.end_reason = command.reason
        return True


def flow_documents(flows: Any) -> list[dict[str, Any]]:
    """The loaded flows (a ``ContactFlows``) as ``{"Name", "Id", "Actions"}`` with each action's
    transitions in Flow-language form: what ``coverage_report`` lists."""
    documents = []
    for flow in flows.flows:
        actions = []
        for action in flow.actions.values():
            transitions: dict[str, Any] = {}
            if action.next_action:
                transitions["NextAction"] = action.next_action
            if action.errors:
                transitions["Errors"] = [{"ErrorType": e, "NextAction": n} for e, n in action.errors.items()]
            if action.conditions:
                transitions["Conditions"] = [
                    {
                        "NextAction": c.next_action,
                        "Condition": {"Operator": c.operator, "Operands": list(c.operands)},
                    }
                    for c in action.conditions
                ]
            actions.append({"Identifier": action.identifier, "Type": action.type, "Transitions": transitions})
        documents.append({"Name": flow.name, "Id": flow.flow_id, "Type": flow.type, "Actions": actions})
    return documents
