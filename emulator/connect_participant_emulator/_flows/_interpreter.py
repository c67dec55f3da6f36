"""The flow interpreter, a sans-IO state machine (no sockets, no clock, no plug-in calls).

``FlowRun`` runs one flow for one contact. The shell (the emulator's ``_engine``, or a test)
starts it with the current time, feeds it what happens (``handle(now, event)``), calls
``tick(now)`` when ``next_deadline()`` passes, and performs the commands it hands out
(``drain()``) in order:

    SendMessage(content, content_type, display_name)   a message from the flow (SYSTEM)
    InvokeLambda(call_id, function, event, timeout, …)  run a Lambda plug-in -> CallResult / CallFailed
    LexTurn(call_id, bot, request)                      one RecognizeText turn -> CallResult / CallFailed
    ShowView(call_id, view, version, view_data)         show a view (the answer comes as a customer message)
    StartAuthentication(call_id, parameters)            in-chat sign-in -> CallResult(outcome) / CallFailed
    CheckHours(call_id, hours, queue)                   in hours? -> CallResult(bool) / CallFailed
    QueueContact(call_id, queue)                        put the contact in a queue -> CallResult(bool: False = at capacity)
    Disconnect()                                        the customer is disconnected (the chat ends)
    FlowEnded(outcome)                                  the run is over: disconnected, queued, ended, failed, stopped

Inputs: ``CustomerMessage(content, content_type)``, ``ParticipantLeft(role)``,
``CallResult(call_id, value)``, ``CallFailed(call_id, reason)``.

The contact's data (attributes, queue, event hooks, ``$.External``, ``$.Lex`` …) lives in a
:class:`ContactState` that the runs of one contact share (inbound flow, customer-queue flow,
disconnect flow). Every action run is recorded in ``trace`` with its branch and the data it
read and set.
"""

from __future__ import annotations

import json
import random as _random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from ._document import NO_OP_TYPES, Action, Flow
from ._values import as_number, as_text, evaluate, resolve

__all__ = [
    "CallFailed",
    "CallResult",
    "CheckHours",
    "Command",
    "ContactState",
    "CustomerMessage",
    "Disconnect",
    "FlowEnded",
    "FlowRun",
    "FlowStep",
    "Input",
    "InvokeLambda",
    "LexTurn",
    "ParticipantLeft",
    "QueueContact",
    "Ref",
    "SendMessage",
    "ShowView",
    "StartAuthentication",
]

SYSTEM_MESSAGE = "SYSTEM_MESSAGE"
BOT = "BOT"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"
#: Connect's limit for a Lambda function's answer in a flow
LAMBDA_MAX_BYTES = 32 * 1024
DEFAULT_LAMBDA_TIMEOUT = 3.0
#: actions run without waiting for anything before the run is taken for a loop and stopped
MAX_STEPS = 1000
#: MessageParticipantIteratively in chat: seconds (flow clock) between the loop's messages
ITERATION_SECONDS = 60.0


@dataclass(frozen=True)
class Ref:
    """Something a flow references (a queue, a flow, a bot, hours): as written, with the names
    the flow designer recorded for it (an export from another instance has other ARNs)."""

    value: str
    names: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.value.rsplit("/", 1)[-1] if self.value.startswith("arn:") else self.value

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.id

    def matches(self, pattern: str) -> bool:
        """``pattern`` (an ARN, id or name; ``*`` and ``?`` wildcards) names this."""
        return any(fnmatchcase(candidate, pattern) for candidate in (self.value, self.id, *self.names))


# --- commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SendMessage:
    content: str
    content_type: str = "text/plain"
    display_name: str = SYSTEM_MESSAGE


@dataclass(frozen=True)
class InvokeLambda:
    call_id: int
    function: Ref
    #: Connect's ``ContactFlowEvent``: ``{"Details": {"ContactData", "Parameters"}, "Name"}``
    event: dict[str, Any]
    timeout: float
    response_type: str
    #: ASYNCHRONOUS: the flow goes on at once and no result is awaited
    asynchronous: bool = False


@dataclass(frozen=True)
class LexTurn:
    call_id: int
    bot: Ref
    #: in the shape of Lex V2 RecognizeText: botAliasArn, localeId, sessionId, text, sessionState
    request: dict[str, Any]


@dataclass(frozen=True)
class ShowView:
    call_id: int
    view: Ref
    version: str | None
    view_data: dict[str, Any]


@dataclass(frozen=True)
class StartAuthentication:
    call_id: int
    parameters: dict[str, Any]


@dataclass(frozen=True)
class CheckHours:
    call_id: int
    hours: Ref | None
    queue: Ref | None


@dataclass(frozen=True)
class QueueContact:
    call_id: int
    queue: Ref


@dataclass(frozen=True)
class Disconnect:
    pass


@dataclass(frozen=True)
class FlowEnded:
    #: disconnected, queued, ended (no transfer, no disconnect), failed, stopped
    outcome: str
    reason: str = ""


Command = (
    SendMessage
    | InvokeLambda
    | LexTurn
    | ShowView
    | StartAuthentication
    | CheckHours
    | QueueContact
    | Disconnect
    | FlowEnded
)

# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerMessage:
    content: str
    content_type: str = "text/plain"


@dataclass(frozen=True)
class ParticipantLeft:
    role: str


@dataclass(frozen=True)
class CallResult:
    call_id: int
    value: Any


@dataclass(frozen=True)
class CallFailed:
    call_id: int
    reason: str


Input = CustomerMessage | ParticipantLeft | CallResult | CallFailed


# --- trace --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowStep:
    """One action run: where it went and the data it read and set."""

    flow: str
    flow_id: str
    identifier: str
    type: str
    #: ``NextAction``, ``Condition Equals CHAT``, ``Error NoMatchingCondition``, ``End``, ``Stopped``
    branch: str
    next_action: str | None
    #: JSONPath references read -> their values
    read: Mapping[str, Any] = field(default_factory=dict)
    #: what the action set (``$.Attributes.x`` -> value, ``$.Queue`` -> …)
    set: Mapping[str, Any] = field(default_factory=dict)
    #: the action's result where it has one (WaitCompleted, an intent name, True …)
    result: str | None = None
    note: str | None = None
    #: the flow clock's time (epoch seconds) when the action finished
    at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "Flow": self.flow,
            "FlowId": self.flow_id,
            "Identifier": self.identifier,
            "Type": self.type,
            "Branch": self.branch,
            "NextAction": self.next_action,
            "Read": dict(self.read),
            "Set": dict(self.set),
            "Result": self.result,
            "Note": self.note,
            "At": self.at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlowStep:
        return cls(
            data["Flow"],
            data["FlowId"],
            data["Identifier"],
            data["Type"],
            data["Branch"],
            data.get("NextAction"),
            dict(data.get("Read") or {}),
            dict(data.get("Set") or {}),
            data.get("Result"),
            data.get("Note"),
            float(data.get("At") or 0.0),
        )


# --- the contact's data --------------------------------------------------------------------


@dataclass
class ContactState:
    """What the flows of one contact read and set (shared by its inbound, queue and disconnect runs)."""

    contact_id: str
    instance_arn: str
    initial_contact_id: str = ""
    previous_contact_id: str | None = None
    customer_name: str | None = None
    language: str = "en-US"
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, Any] = field(default_factory=dict)
    lex: dict[str, Any] = field(default_factory=dict)
    views: dict[str, Any] = field(default_factory=dict)
    authentication: dict[str, Any] = field(default_factory=dict)
    stored_input: str | None = None
    queue: Ref | None = None
    #: UpdateContactEventHooks: CustomerQueue, CustomerRemaining (the disconnect flow), …
    hooks: dict[str, Ref] = field(default_factory=dict)
    #: Lex session attributes per bot (``Ref.value``), carried from turn to turn
    lex_sessions: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.initial_contact_id:
            self.initial_contact_id = self.contact_id

    def queue_data(self) -> dict[str, Any] | None:
        if self.queue is None:
            return None
        arn = self.queue.value if self.queue.value.startswith("arn:") else None
        return {"ARN": arn, "Id": self.queue.id, "Name": self.queue.name, "OutboundCallerId": None}

    def contact_data(self) -> dict[str, Any]:
        """``Details.ContactData`` of a Lambda event, as Connect sends it for a chat."""
        return {
            "Attributes": dict(self.attributes),
            "Channel": "CHAT",
            "ContactId": self.contact_id,
            "CustomerEndpoint": None,
            "CustomerId": None,
            "Description": None,
            "InitialContactId": self.initial_contact_id,
            "InitiationMethod": "API",
            "InstanceARN": self.instance_arn,
            "LanguageCode": self.language,
            "MediaStreams": {"Customer": {"Audio": None}},
            "Name": None,
            "PreviousContactId": self.previous_contact_id or self.contact_id,
            "Queue": self.queue_data(),
            "References": {},
            "SegmentAttributes": {"connect:Subtype": {"ValueString": "connect:Chat"}},
            "SystemEndpoint": None,
            "Tags": {},
        }

    def data(self, flow_attributes: Mapping[str, Any], module_input: Mapping[str, Any]) -> dict[str, Any]:
        """The root JSONPath references read from (``$.Attributes``, ``$.External``, …)."""
        root = self.contact_data()
        parts = self.instance_arn.split(":")
        root.update(
            {
                "AwsRegion": parts[3] if len(parts) > 3 else None,
                "External": self.external,
                "Lex": self.lex,
                "Views": self.views,
                "FlowAttributes": dict(flow_attributes),
                "Modules": {"Input": dict(module_input)},
                "StoredCustomerInput": self.stored_input,
                "Customer": {"Name": self.customer_name, **self.authentication},
                "Authentication": self.authentication,
            }
        )
        return root


# --- the run -----------------------------------------------------------------------------


FlowFinder = Callable[[Ref, bool], Flow | None]


@dataclass
class _Frame:
    flow: Flow
    flow_attributes: dict[str, Any] = field(default_factory=dict)
    #: the InvokeFlowModule action a module returns to
    invoker: Action | None = None
    module_input: dict[str, Any] = field(default_factory=dict)
    loops: dict[str, int] = field(default_factory=dict)


@dataclass
class _Pending:
    """What the run waits for: a plug-in's answer, the customer, time."""

    kind: str  # call, wait, lex, view, iterate
    action: Action
    call_id: int | None = None
    deadline: float | None = None
    events: frozenset[str] = frozenset()
    bot: Ref | None = None
    timeout: float | None = None
    #: customer messages that came while the bot was answering: its next turns, in order
    queued: list[str] = field(default_factory=list)
    #: MessageParticipantIteratively: the loop's messages, how many were sent, when the next
    #: goes and when InterruptFrequencySeconds ends it
    texts: list[str] = field(default_factory=list)
    sent: int = 0
    next_at: float | None = None
    interrupt_at: float | None = None


class FlowRun:
    """One run of a flow for one contact (see the module's docstring).

    ``role``: ``inbound`` (the contact's flow: ending without a transfer disconnects the
    customer, as Connect does), ``customer_queue`` (runs while the contact waits in a queue;
    ending it leaves the contact there), ``whisper`` (the CustomerWhisper hook, run when an
    agent joins; ending it leaves the chat as it is) or ``disconnect`` (the CustomerRemaining
    hook, run when the agent leaves: ending it ends the chat). An action taking an error branch
    it does not have goes on to its NextAction when it has one (real exports often leave
    MessageParticipant without error branches); with neither, the run fails and, in an inbound
    or disconnect flow, the customer is disconnected."""

    def __init__(
        self,
        flow: Flow,
        contact: ContactState,
        find_flow: FlowFinder,
        *,
        role: str = "inbound",
        random: Callable[[], float] = _random.random,
        max_steps: int = MAX_STEPS,
    ) -> None:
        if role not in ("inbound", "customer_queue", "disconnect", "whisper"):
            raise ValueError(f"unknown role {role!r}")
        self.contact = contact
        self.role = role
        self.trace: list[FlowStep] = []
        self.done = False
        self.outcome: str | None = None
        self._find = find_flow
        self._random = random
        self._max_steps = max_steps
        self._frames = [_Frame(flow)]
        self._at: Action | None = None
        self._pending: _Pending | None = None
        self._commands: list[Command] = []
        self._calls = 0
        self._now = 0.0
        self._read: dict[str, Any] = {}
        self._set: dict[str, Any] = {}
        self._started = False

    # --- the shell's side -------------------------------------------------------------

    @property
    def flow(self) -> Flow:
        """The flow (or module) running now."""
        return self._frames[-1].flow

    @property
    def waiting_for(self) -> str | None:
        """What the run waits for: ``call``, ``wait``, ``lex``, ``view``, ``iterate`` or None."""
        return None if self._pending is None else self._pending.kind

    def start(self, now: float) -> None:
        if self._started:
            return
        self._started = True
        self._now = now
        flow = self.flow
        if flow.problems:  # the emulator checks before it starts a run; a unit test may not
            self._fail("; ".join(str(p) for p in flow.problems))
            return
        self._at = flow.actions[flow.start_action]
        self._run()

    def drain(self) -> list[Command]:
        commands, self._commands = self._commands, []
        return commands

    def next_deadline(self) -> float | None:
        return None if self._pending is None or self.done else self._pending.deadline

    def tick(self, now: float) -> None:
        self._now = max(self._now, now)
        pending = self._pending
        if pending is None or self.done or pending.deadline is None or now < pending.deadline:
            return
        if pending.kind == "iterate" and (pending.interrupt_at is None or now < pending.interrupt_at):
            self._next_iteration(pending)  # the loop goes on until an agent takes the contact
            return
        self._pending = None
        action = pending.action
        if pending.kind == "iterate":
            self._branch(action, "MessagesInterrupted")
        elif pending.kind == "wait":
            self._branch(action, "WaitCompleted")
        elif pending.kind == "lex":
            self._error(action, "InputTimeLimitExceeded", "the customer did not answer the bot in time")
        else:  # a view (a plug-in call has no deadline here: the shell times it out)
            self._error(action, "TimeLimitExceeded", "no answer to the view in time")
        self._run()

    def handle(self, now: float, event: Input) -> None:
        self._now = max(self._now, now)
        pending = self._pending
        if self.done or pending is None:
            return
        if isinstance(event, CallResult | CallFailed):
            if event.call_id != pending.call_id:
                return  # an answer to a call given up on
            if pending.kind == "lex":
                pending.call_id = None
            else:
                self._pending = None
            if isinstance(event, CallFailed):
                self._pending = None
                self._error(pending.action, "NoMatchingError", event.reason)
            else:
                self._answered(pending, event.value)
        elif isinstance(event, CustomerMessage):
            self._customer_said(pending, event)
        elif isinstance(event, ParticipantLeft) and (
            pending.kind == "wait"
            and event.role == "CUSTOM_BOT"
            and "BotParticipantDisconnected" in pending.events
        ):
            self._pending = None
            self._branch(pending.action, "BotParticipantDisconnected")
        self._run()

    def stop(self, now: float, reason: str) -> None:
        """End the run from outside (the agent joined, the customer left): no command follows."""
        if self.done:
            return
        self._now = max(self._now, now)
        pending, self._pending = self._pending, None
        if pending is not None:
            self._record(pending.action, "Stopped", None, note=reason)
        self.done = True
        self.outcome = "stopped"
        self._commands.append(FlowEnded("stopped", reason))

    # --- stepping ---------------------------------------------------------------------

    def _run(self) -> None:
        steps = 0
        while self._at is not None and self._pending is None and not self.done:
            steps += 1
            if steps > self._max_steps:
                action = self._at
                self._record(
                    action,
                    "Stopped",
                    None,
                    note=f"{self._max_steps} actions ran without waiting for anything",
                )
                self._fail(f"more than {self._max_steps} actions without waiting (a loop?)")
                return
            action, self._at = self._at, None
            self._read, self._set = {}, {}
            handler = _HANDLERS.get(action.type)
            if handler is None:
                handler = FlowRun._no_op if action.type in NO_OP_TYPES else FlowRun._unsupported
            handler(self, action)

    def _data(self) -> dict[str, Any]:
        frame = self._frames[-1]
        return self.contact.data(frame.flow_attributes, frame.module_input)

    def _resolve(self, value: Any) -> Any:
        return resolve(value, self._data(), self._reader)

    def _reader(self, path: str, value: Any) -> None:
        self._read[path] = value

    def _param(self, action: Action, name: str) -> Any:
        return self._resolve(action.parameters.get(name))

    def _record(
        self,
        action: Action,
        branch: str,
        target: str | None,
        *,
        result: str | None = None,
        note: str | None = None,
    ) -> None:
        flow = self.flow
        self.trace.append(
            FlowStep(
                flow.name,
                flow.flow_id,
                action.identifier,
                action.type,
                branch,
                target,
                dict(self._read),
                dict(self._set),
                result,
                note,
                self._now,
            )
        )
        self._read, self._set = {}, {}

    def _go(
        self,
        action: Action,
        branch: str,
        target: str | None,
        *,
        result: str | None = None,
        note: str | None = None,
    ) -> None:
        self._record(action, branch, target, result=result, note=note)
        if target is None:
            self._end_of_flow(f"no transition after {action.identifier!r} ({branch})")
            return
        self._at = self.flow.actions[target]

    def _next(self, action: Action, *, result: str | None = None, note: str | None = None) -> None:
        self._go(action, "NextAction", action.next_action, result=result, note=note)

    def _error(self, action: Action, error: str, note: str | None = None) -> None:
        target = action.errors.get(error)
        branch = f"Error {error}"
        if target is None and error != "NoMatchingError":
            target = action.errors.get("NoMatchingError")
            branch = f"Error NoMatchingError (for {error})"
        if target is None and action.next_action is not None:
            # real exports often leave an action without error branches: the flow goes on
            why = f"{note}; " if note else ""
            self._go(
                action, "NextAction", action.next_action, note=f"{why}{branch} has no branch: NextAction"
            )
            return
        if target is None:
            self._record(action, branch, None, note=note)
            self._fail(f"{action.identifier!r} ({action.type}) took {branch} and has no such branch")
            return
        self._go(action, branch, target, note=note)

    def _branch(self, action: Action, value: Any, *, note: str | None = None) -> None:
        """Go where the first matching condition says; else NoMatchingCondition (or NextAction)."""
        result = None if value is None else as_text(value)
        for condition in action.conditions:
            for operand in condition.operands:
                wanted = self._resolve(operand)
                if evaluate(condition.operator, value, wanted):
                    label = f"Condition {condition.operator} {as_text(wanted)}"
                    self._go(action, label, condition.next_action, result=result, note=note)
                    return
        if "NoMatchingCondition" not in action.errors and action.next_action is not None:
            self._next(action, result=result, note=note)
            return
        self._error(
            action, "NoMatchingCondition", note if note is not None else f"no condition matches {result!r}"
        )

    def _call(self, make: Callable[[int], Command], action: Action, kind: str = "call", **extra: Any) -> int:
        self._calls += 1
        call_id = self._calls
        self._commands.append(make(call_id))
        self._pending = _Pending(kind, action, call_id=call_id, **extra)
        return call_id

    def _finish(self, outcome: str, reason: str = "") -> None:
        self.done = True
        self.outcome = outcome
        self._pending = None
        self._at = None
        self._commands.append(FlowEnded(outcome, reason))

    def _fail(self, reason: str) -> None:
        if self.role in ("inbound", "disconnect"):
            self._commands.append(Disconnect())  # Connect ends a contact whose flow fails
        self._finish("failed", reason)

    def _end_of_flow(self, reason: str) -> None:
        """The flow ran out (EndFlowExecution, or a branch going nowhere)."""
        if self.role in ("customer_queue", "whisper"):
            self._finish("ended", reason)  # the contact stays in its queue / with its agent
            return
        self._commands.append(Disconnect())  # a chat not transferred is disconnected
        self._finish("ended", reason)

    # --- actions ------------------------------------------------------------------------

    def _no_op(self, action: Action) -> None:
        self._next(action, note="no effect offline")

    def _unsupported(self, action: Action) -> None:
        self._record(action, "Stopped", None, note="the emulator does not run this action type")
        self._fail(f"{action.identifier!r}: the emulator does not run {action.type}")

    def _message(self, action: Action) -> None:
        written = next((k for k in ("Text", "SSML") if action.parameters.get(k) not in (None, "")), None)
        if written is None:
            has_prompt = any(k in action.parameters for k in ("PromptId", "Media"))
            note = "an audio prompt or media cannot be sent in chat" if has_prompt else "no Text to send"
            self._error(action, "NoMatchingError", note)
            return
        content = as_text(self._param(action, written))  # SSML is shown as written in chat
        if not content.strip():
            self._next(action, note=f"{written} is empty here: nothing sent")
            return
        self._commands.append(SendMessage(content, _content_type(content), SYSTEM_MESSAGE))
        self._next(action)

    def _message_iteratively(self, action: Action) -> None:
        messages = self._param(action, "Messages")
        texts = [
            as_text(m.get("Text") or m.get("SSML"))
            for m in messages or []
            if isinstance(m, Mapping) and (m.get("Text") or m.get("SSML"))
        ]
        if not texts:
            self._error(action, "NoMatchingError", "no Messages with Text (prompts cannot be sent in chat)")
            return
        interrupt = as_number(self._param(action, "InterruptFrequencySeconds"))
        pending = _Pending("iterate", action, texts=texts, timeout=interrupt)
        pending.interrupt_at = None if interrupt is None else self._now + interrupt
        self._pending = pending
        self._next_iteration(pending)

    def _next_iteration(self, pending: _Pending) -> None:
        """Send the loop's next message; the one after comes ITERATION_SECONDS later."""
        text = pending.texts[pending.sent % len(pending.texts)]
        pending.sent += 1
        self._commands.append(SendMessage(text, _content_type(text), SYSTEM_MESSAGE))
        pending.next_at = self._now + ITERATION_SECONDS
        pending.deadline = min(t for t in (pending.next_at, pending.interrupt_at) if t is not None)

    def _wait(self, action: Action) -> None:
        raw = action.parameters.get("TimeoutSeconds", action.parameters.get("TimeLimitSeconds"))
        seconds = as_number(self._resolve(raw))
        if seconds is None or seconds <= 0:
            self._error(action, "NoMatchingError", f"the wait time is not a positive number: {raw!r}")
            return
        declared = action.parameters.get("Events") or []
        events = {e for e in declared if isinstance(e, str)}
        events |= {str(o) for c in action.conditions for o in c.operands if o != "WaitCompleted"}
        self._pending = _Pending("wait", action, deadline=self._now + seconds, events=frozenset(events))

    def _compare(self, action: Action) -> None:
        self._branch(action, self._param(action, "ComparisonValue"))

    def _update_attributes(self, action: Action) -> None:
        attributes = self._param(action, "Attributes")
        if not isinstance(attributes, Mapping):
            self._error(action, "NoMatchingError", "Attributes must be an object")
            return
        skipped = []
        for key, value in attributes.items():
            if value is None:
                skipped.append(key)
                continue
            self.contact.attributes[key] = as_text(value)
            self._set[f"$.Attributes.{key}"] = self.contact.attributes[key]
        note = f"nothing to set for {', '.join(skipped)} (the reference names nothing)" if skipped else None
        target = action.parameters.get("TargetContact")
        if target not in (None, "Current"):
            note = ((note + "; ") if note else "") + f"TargetContact {target} is set on this contact offline"
        self._next(action, note=note)

    def _update_flow_attributes(self, action: Action) -> None:
        attributes = self._param(action, "FlowAttributes")
        if not isinstance(attributes, Mapping):
            self._error(action, "NoMatchingError", "FlowAttributes must be an object")
            return
        frame = self._frames[-1]
        for key, value in attributes.items():
            if isinstance(value, Mapping):
                value = value.get("Value")
            frame.flow_attributes[key] = value
            self._set[f"$.FlowAttributes.{key}"] = value
        self._next(action)

    def _set_queue(self, action: Action) -> Ref | None:
        """The action's QueueId (or AgentId) as the working queue; None (and the error branch) without one."""
        value = self._param(action, "QueueId")
        if value in (None, ""):
            value = self._param(action, "AgentId")
        if value in (None, ""):
            self._error(action, "NoMatchingError", "no queue (QueueId) or agent (AgentId)")
            return None
        self.contact.queue = Ref(as_text(value), action.names)
        self._set["$.Queue"] = self.contact.queue_data()
        return self.contact.queue

    def _update_target_queue(self, action: Action) -> None:
        if self._set_queue(action) is not None:
            self._next(action)

    def _transfer_to_queue(self, action: Action) -> None:
        queue = self.contact.queue
        if queue is None:
            self._error(action, "NoMatchingError", "no working queue set (UpdateContactTargetQueue)")
            return
        self._read["$.Queue"] = self.contact.queue_data()
        self._call(lambda call_id: QueueContact(call_id, queue), action)

    def _dequeue_and_transfer(self, action: Action) -> None:
        """A customer-queue flow moving the contact to another queue (or an agent's queue)."""
        queue = self._set_queue(action)
        if queue is not None:
            self._call(lambda call_id: QueueContact(call_id, queue), action)

    def _update_event_hooks(self, action: Action) -> None:
        hooks = self._param(action, "EventHooks")
        if not isinstance(hooks, Mapping) or not hooks:
            self._error(action, "NoMatchingError", "EventHooks must be an object")
            return
        for name, target in hooks.items():
            if target in (None, ""):
                self.contact.hooks.pop(name, None)
                continue
            self.contact.hooks[name] = Ref(as_text(target), action.names)
            self._set[f"EventHooks.{name}"] = as_text(target)
        self._next(action)

    def _transfer_to_flow(self, action: Action) -> None:
        reference = self._param(action, "ContactFlowId")
        target = self._find(Ref(as_text(reference), action.names), False) if reference else None
        if target is None:
            self._error(action, "NoMatchingError", f"no loaded flow is {as_text(reference)!r}")
            return
        self._record(
            action, "NextAction", target.start_action, result=target.name, note=f"to flow {target.name!r}"
        )
        if target.problems:
            self._fail("; ".join(str(p) for p in target.problems))
            return
        self._frames[-1] = _Frame(target)
        self._at = target.actions[target.start_action]

    def _invoke_module(self, action: Action) -> None:
        reference = self._param(action, "FlowModuleId")
        module = self._find(Ref(as_text(reference), action.names), True) if reference else None
        if module is None:
            self._error(action, "NoMatchingError", f"no loaded flow module is {as_text(reference)!r}")
            return
        raw_input = self._param(action, "Parameters")
        module_input = dict(raw_input) if isinstance(raw_input, Mapping) else {}
        self._record(
            action,
            "InvokeFlowModule",
            module.start_action,
            result=module.name,
            note=f"into module {module.name!r}",
        )
        if module.problems:
            self._fail("; ".join(str(p) for p in module.problems))
            return
        self._frames.append(_Frame(module, invoker=action, module_input=module_input))
        self._at = module.actions[module.start_action]

    def _end_module(self, action: Action) -> None:
        if len(self._frames) == 1:
            self._record(action, "End", None, note="not in a module: the flow ends")
            self._end_of_flow("EndFlowModuleExecution outside a module")
            return
        self._record(action, "End", None)
        invoker = self._frames.pop().invoker
        assert invoker is not None
        self._go(invoker, "NextAction", invoker.next_action, note="back from the module")

    def _loop(self, action: Action) -> None:
        count = as_number(self._param(action, "LoopCount"))
        if count is None:
            self._error(action, "NoMatchingError", "LoopCount is not a number")
            return
        loops = self._frames[-1].loops
        done = loops.get(action.identifier, 0)
        if done < count:
            loops[action.identifier] = done + 1
            self._branch(action, "ContinueLooping", note=f"time {done + 1} of {count:g}")
        else:
            loops.pop(action.identifier, None)
            self._branch(action, "DoneLooping")

    def _end_flow(self, action: Action) -> None:
        self._record(action, "End", None)
        self._end_of_flow("EndFlowExecution")

    def _disconnect(self, action: Action) -> None:
        self._record(action, "End", None)
        self._commands.append(Disconnect())
        self._finish("disconnected")

    def _invoke_lambda(self, action: Action) -> None:
        function = self._param(action, "LambdaFunctionARN")
        if function in (None, ""):
            self._error(action, "NoMatchingError", "no LambdaFunctionARN")
            return
        timeout = as_number(self._param(action, "InvocationTimeLimitSeconds")) or DEFAULT_LAMBDA_TIMEOUT
        validation = action.parameters.get("ResponseValidation")
        response_type = "STRING_MAP"
        if isinstance(validation, Mapping) and validation.get("ResponseType") == "JSON":
            response_type = "JSON"
        attributes = self._param(action, "LambdaInvocationAttributes")
        parameters = {k: as_text(v) for k, v in attributes.items()} if isinstance(attributes, Mapping) else {}
        event = {
            "Details": {"ContactData": self.contact.contact_data(), "Parameters": parameters},
            "Name": "ContactFlowEvent",
        }
        ref = Ref(as_text(function), action.names)
        if action.parameters.get("InvocationType") == "ASYNCHRONOUS":
            self._calls += 1
            self._commands.append(InvokeLambda(self._calls, ref, event, timeout, response_type, True))
            self._next(action, note="invoked asynchronously")
            return
        self._call(
            lambda call_id: InvokeLambda(call_id, ref, event, min(timeout, 8.0), response_type), action
        )

    def _lex(self, action: Action) -> None:
        v2 = self._param(action, "LexV2Bot")
        v1 = self._param(action, "LexBot")
        if isinstance(v2, Mapping) and v2.get("AliasArn"):
            bot = Ref(as_text(v2["AliasArn"]), action.names)
        elif isinstance(v2, Mapping) and action.names:  # the alias ARN left empty: by the designer's names
            bot = Ref(action.names[0], action.names)
        elif isinstance(v1, Mapping) and v1.get("Name"):
            bot = Ref(as_text(v1["Name"]), (*action.names, f"{v1.get('Name')}:{v1.get('Alias', '')}"))
        else:
            self._error(action, "NoMatchingError", "no Lex bot (LexV2Bot.AliasArn or LexBot.Name)")
            return
        attributes = self._param(action, "LexSessionAttributes")
        session = self.contact.lex_sessions.setdefault(bot.value, {})
        if isinstance(attributes, Mapping):
            session.update({k: as_text(v) for k, v in attributes.items()})
        timeout_param = self._param(action, "LexTimeoutSeconds")
        if isinstance(timeout_param, Mapping):
            timeout_param = timeout_param.get("Text")
        timeout = as_number(timeout_param)
        prompt = as_text(self._param(action, "Text"))
        if prompt.strip():
            self._commands.append(SendMessage(prompt, _content_type(prompt), BOT))
        init = self._param(action, "LexInitilizationData") or self._param(action, "LexInitializationData")
        initial = init.get("InitialMessage") if isinstance(init, Mapping) else None
        self._pending = _Pending("lex", action, bot=bot, timeout=timeout)
        self._restart_lex_timer(self._pending)
        if initial not in (None, ""):
            self._lex_turn(self._pending, as_text(initial))

    def _restart_lex_timer(self, pending: _Pending) -> None:
        pending.deadline = None if pending.timeout is None else self._now + pending.timeout

    def _lex_turn(self, pending: _Pending, text: str) -> None:
        bot = pending.bot
        assert bot is not None
        self.contact.stored_input = text
        self._calls += 1
        pending.call_id = self._calls
        pending.deadline = None  # the customer's time runs again once the bot has answered
        request = {
            "botAliasArn": bot.value if bot.value.startswith("arn:") else None,
            "botName": bot.name,
            "localeId": self.contact.language.replace("-", "_"),
            "sessionId": self.contact.contact_id,
            "text": text,
            "sessionState": {"sessionAttributes": dict(self.contact.lex_sessions.get(bot.value, {}))},
            "requestAttributes": {"x-amz-lex:channels:platform": "Connect Chat"},
        }
        self._commands.append(LexTurn(pending.call_id, bot, request))

    def _get_input(self, action: Action) -> None:
        if any(k in action.parameters for k in ("LexV2Bot", "LexBot")):
            self._lex(action)
            return
        self._error(
            action,
            "NoMatchingError",
            "in chat, Get customer input takes the Error branch unless it uses Amazon Lex (as Connect documents)",
        )

    def _show_view(self, action: Action) -> None:
        resource = self._param(action, "ViewResource")
        if not isinstance(resource, Mapping) or not resource.get("Id"):
            self._error(action, "NoMatchingError", "ViewResource needs an Id")
            return
        data = self._param(action, "ViewData")
        view_data = dict(data) if isinstance(data, Mapping) else {}
        timeout = as_number(self._param(action, "InvocationTimeLimitSeconds"))
        view = Ref(as_text(resource["Id"]), action.names)
        version = None if resource.get("Version") is None else as_text(resource.get("Version"))
        self._call(
            lambda call_id: ShowView(call_id, view, version, view_data),
            action,
            "view",
            deadline=None if timeout is None else self._now + timeout,
        )

    def _authenticate(self, action: Action) -> None:
        parameters = self._resolve(dict(action.parameters))
        self._call(lambda call_id: StartAuthentication(call_id, parameters), action)

    def _check_hours(self, action: Action) -> None:
        hours = self._param(action, "HoursOfOperationId")
        ref = Ref(as_text(hours), action.names) if hours not in (None, "") else None
        queue = self.contact.queue
        if ref is None and queue is None:
            self._error(action, "NoMatchingError", "no HoursOfOperationId and no working queue")
            return
        self._call(lambda call_id: CheckHours(call_id, ref, queue), action)

    def _update_contact_data(self, action: Action) -> None:
        language = self._param(action, "LanguageCode")
        if language not in (None, ""):
            self.contact.language = as_text(language)
            self._set["$.LanguageCode"] = self.contact.language
        self._next(action, note=None if self._set else "no effect offline")

    def _distribute(self, action: Action) -> None:
        draw = round(self._random() * 100, 2)
        self._branch(action, draw, note=f"drew {draw:g} of 100")

    # --- answers ------------------------------------------------------------------------

    def _answered(self, pending: _Pending, value: Any) -> None:
        action = pending.action
        if action.type == "InvokeLambdaFunction":
            self._lambda_answered(action, value)
        elif action.type in ("ConnectParticipantWithLexBot", "GetParticipantInput"):
            self._lex_answered(pending, value)
        elif action.type in ("TransferContactToQueue", "DequeueContactAndTransferToQueue"):
            if value:
                self._record(
                    action,
                    "End",
                    None,
                    result="Queued",
                    note=f"in queue {self.contact.queue.name!r}" if self.contact.queue else None,
                )
                self._finish("queued")
            else:
                self._error(action, "QueueAtCapacity", "the queue is at capacity")
        elif action.type == "CheckHoursOfOperation":
            if not isinstance(value, bool):
                self._error(action, "NoMatchingError", "no hours of operation answer")
            else:
                self._branch(action, "True" if value else "False")
        elif action.type == "AuthenticateParticipant":
            self._authenticated(action, as_text(value))
        elif action.type == "ShowView":
            # the view was shown: now the customer's answer is awaited
            self._pending = pending
            pending.call_id = None
        else:  # pragma: no cover - every call has an answer handler
            self._next(action)

    def _lambda_answered(self, action: Action, value: Any) -> None:
        response_type = "JSON"
        validation = action.parameters.get("ResponseValidation")
        if not (isinstance(validation, Mapping) and validation.get("ResponseType") == "JSON"):
            response_type = "STRING_MAP"
        if isinstance(value, str | bytes):
            try:
                value = json.loads(value)
            except ValueError:
                self._error(action, "NoMatchingError", "the function's answer is not JSON")
                return
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            self._error(
                action, "NoMatchingError", f"the function answered {type(value).__name__}, not an object"
            )
            return
        try:
            size = len(json.dumps(value))
        except (TypeError, ValueError):
            self._error(action, "NoMatchingError", "the function's answer is not JSON-serializable")
            return
        if size > LAMBDA_MAX_BYTES:
            self._error(action, "NoMatchingError", f"the function's answer is over {LAMBDA_MAX_BYTES} bytes")
            return
        if response_type == "STRING_MAP":
            nested = [k for k, v in value.items() if isinstance(v, Mapping | list)]
            if nested:
                self._error(
                    action,
                    "NoMatchingError",
                    f"STRING_MAP response validation: {', '.join(map(str, nested))} not a string",
                )
                return
            result: dict[str, Any] = {str(k): as_text(v) for k, v in value.items()}
        else:
            result = json.loads(json.dumps(value))
        self.contact.external = result
        self._set["$.External"] = result
        self._next(action)

    def _customer_said(self, pending: _Pending, message: CustomerMessage) -> None:
        action = pending.action
        if pending.kind == "wait":
            if "CustomerReturned" in pending.events:
                self._pending = None
                self._branch(action, "CustomerReturned")
        elif pending.kind == "lex":
            if pending.call_id is None:
                self._lex_turn(pending, message.content)
            else:  # the bot is answering: this is its next turn
                pending.queued.append(message.content)
        elif (
            pending.kind == "view"
            and pending.call_id is None
            and message.content_type == INTERACTIVE_RESPONSE
        ):
            try:
                answer = json.loads(message.content)
            except ValueError:
                return
            if not isinstance(answer, Mapping) or answer.get("templateType") not in (None, "ViewResource"):
                return
            self._pending = None
            chosen = answer.get("action", answer.get("Action"))
            self.contact.views = {
                "Action": chosen,
                "ViewResultData": answer.get("data", answer.get("ViewResultData")),
            }
            self._set["$.Views"] = dict(self.contact.views)
            self._branch(action, chosen)

    def _lex_answered(self, pending: _Pending, response: Any) -> None:
        action = pending.action
        if not isinstance(response, Mapping):
            self._pending = None
            self._error(action, "NoMatchingError", "the bot's answer is not a RecognizeText response")
            return
        for content, content_type in _lex_messages(response):
            self._commands.append(SendMessage(content, content_type, BOT))
        state = _mapping(response.get("sessionState"))
        intent = _mapping(state.get("intent"))
        dialog = _mapping(state.get("dialogAction"))
        attributes = state.get("sessionAttributes")
        assert pending.bot is not None
        if isinstance(attributes, Mapping):
            self.contact.lex_sessions[pending.bot.value] = {str(k): as_text(v) for k, v in attributes.items()}
        name = intent.get("name", response.get("intentName"))
        intent_state = intent.get("state", response.get("dialogState"))
        finished = dialog.get("type") == "Close" or intent_state in (
            "Fulfilled",
            "ReadyForFulfillment",
            "Failed",
        )
        if not finished:  # the bot asks more: the next customer message is its next turn
            if pending.queued:
                self._lex_turn(pending, pending.queued.pop(0))
            else:
                self._restart_lex_timer(pending)
            return
        self._pending = None
        slots = _lex_slots(intent.get("slots", response.get("slots")))
        interpretations = response.get("interpretations")
        confidence = None
        if isinstance(interpretations, list) and interpretations and isinstance(interpretations[0], Mapping):
            score = interpretations[0].get("nluConfidence")
            confidence = score.get("score") if isinstance(score, Mapping) else score
        self.contact.lex = {
            "IntentName": name,
            "Slots": slots,
            "SessionAttributes": dict(self.contact.lex_sessions.get(pending.bot.value, {})),
            "IntentConfidence": {"Score": confidence} if confidence is not None else None,
            "DialogState": intent_state,
        }
        self._set["$.Lex"] = dict(self.contact.lex)
        self._branch(action, name)

    def _authenticated(self, action: Action, outcome: str) -> None:
        self.contact.authentication = {"AuthenticationResult": outcome}
        results = {
            "succeeded": "Success",
            "cancelled": "OptedOut",
            "timeout": "Timeout",
            "expired": "Timeout",
        }
        result = results.get(outcome, "Error")
        if any(result in c.operands for c in action.conditions):
            self._branch(action, result)
        elif result == "Success":
            self._next(action, result=result)
        elif result == "Timeout":
            self._error(action, "TimeLimitExceeded", f"authentication {outcome}")
        else:
            self._error(action, "NoMatchingError", f"authentication {outcome}")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _content_type(text: str) -> str:
    """Interactive when the text is an interactive template (``{"templateType": …}``)."""
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return "text/plain"
    try:
        parsed = json.loads(stripped)
    except ValueError:
        return "text/plain"
    return INTERACTIVE if isinstance(parsed, Mapping) and "templateType" in parsed else "text/plain"


def _lex_messages(response: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What a bot's answer shows the customer: (content, content type) per message."""
    found: list[tuple[str, str]] = []
    messages = response.get("messages")
    if not isinstance(messages, list):
        # Lex V1 PostText: one message; its messageFormat does not matter (the content says
        # whether it is interactive), an empty one is skipped below
        messages = [{"content": response.get("message")}]
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        content = message.get("content")
        if message.get("contentType") == "ImageResponseCard" and isinstance(
            message.get("imageResponseCard"), Mapping
        ):
            card = message["imageResponseCard"]
            content = card.get("title") or content
        if not isinstance(content, str) or not content:
            continue
        found.append((content, _content_type(content)))
    return found


def _lex_slots(slots: Any) -> dict[str, Any]:
    """``{"slot": {"value": {"interpretedValue": "x"}}}`` (V2) or ``{"slot": "x"}`` (V1) -> ``{"slot": "x"}``."""
    if not isinstance(slots, Mapping):
        return {}
    flat: dict[str, Any] = {}
    for name, slot in slots.items():
        if isinstance(slot, Mapping):
            value = slot.get("value")
            if isinstance(value, Mapping):
                flat[name] = value.get("interpretedValue", value.get("originalValue"))
            else:
                flat[name] = None
        else:
            flat[name] = slot
    return flat


_HANDLERS: dict[str, Callable[[FlowRun, Action], None]] = {
    "MessageParticipant": FlowRun._message,
    "MessageParticipantIteratively": FlowRun._message_iteratively,
    "Wait": FlowRun._wait,
    "Compare": FlowRun._compare,
    "UpdateContactAttributes": FlowRun._update_attributes,
    "UpdateFlowAttributes": FlowRun._update_flow_attributes,
    "UpdateContactTargetQueue": FlowRun._update_target_queue,
    "TransferContactToQueue": FlowRun._transfer_to_queue,
    "DequeueContactAndTransferToQueue": FlowRun._dequeue_and_transfer,
    "UpdateContactEventHooks": FlowRun._update_event_hooks,
    "TransferToFlow": FlowRun._transfer_to_flow,
    "InvokeFlowModule": FlowRun._invoke_module,
    "EndFlowModuleExecution": FlowRun._end_module,
    "Loop": FlowRun._loop,
    "EndFlowExecution": FlowRun._end_flow,
    "DisconnectParticipant": FlowRun._disconnect,
    "InvokeLambdaFunction": FlowRun._invoke_lambda,
    "ConnectParticipantWithLexBot": FlowRun._lex,
    "GetParticipantInput": FlowRun._get_input,
    "ShowView": FlowRun._show_view,
    "AuthenticateParticipant": FlowRun._authenticate,
    "CheckHoursOfOperation": FlowRun._check_hours,
    "DistributeByPercentage": FlowRun._distribute,
    "UpdateContactData": FlowRun._update_contact_data,
}
