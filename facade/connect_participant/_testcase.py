"""Amazon Connect's Testing language (``"Version": "2025-06-21"``), read and walked as pure code.

``parse_test_case`` validates a test case (the ``Content`` of CreateTestCase, or a file holding
CreateTestCase's fields) and names anything it cannot honour for a chat: voice-only events and
instructions (DTMF, prompts, SSML, media), unknown event/action/operator/strategy types. Nothing
unsupported passes silently.

``TestCaseRun`` walks the observations: it is given what happened (``MessageSeen``,
``ActionStarted``, ``StateSeen``, ``ChatEnded``) with the time, and answers what the runner must
do (``SendText``, ``Override``, ``EndRun``); no I/O, no clock of its own. Results per
observation: passed / failed (with expected and actual) / not reached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import InvalidInputError

__all__ = [
    "ASSERT_OPERATORS",
    "EVENT_TYPES",
    "OVERRIDE_ACTION_TYPES",
    "TESTING_LANGUAGE_VERSION",
    "ActionStarted",
    "ChatEnded",
    "Check",
    "EndRun",
    "MessageSeen",
    "Observation",
    "ObservationResult",
    "Override",
    "SendText",
    "StateSeen",
    "TestCase",
    "TestCaseError",
    "TestCaseRun",
    "parse_test_case",
    "resolve_path",
]

TESTING_LANGUAGE_VERSION = "2025-06-21"
EVENT_TYPES = ("TestInitiated", "MessageReceived", "FlowActionStarted", "TestCompleted")
ACTION_TYPES = ("SendInstruction", "Assert", "OverrideSystemBehavior", "TestControl")
ASSERT_OPERATORS = (
    "Equals",
    "TextStartsWith",
    "TextEndsWith",
    "TextContains",
    "NumberGreaterThan",
    "NumberGreaterOrEqualTo",
    "NumberLessThan",
    "NumberLessOrEqualTo",
    "Exists",
)
#: the flow action whose resource an override substitutes -> (kind, the parameter naming it)
OVERRIDE_ACTION_TYPES = {
    "InvokeLambdaFunction": ("lambda", "LambdaFunctionARN"),
    "CheckHoursOfOperation": ("hours", "HoursOfOperationId"),
    "TransferContactToQueue": ("queue", "QueueId"),
    "ConnectParticipantWithLexBot": ("lex", "LexV2Bot.AliasArn"),
}
MATCHING_CRITERIA = ("Inclusion", "Similarity")
#: what the report says of each Similarity observation: Connect documents only "uses semantic
#: matching to find similar messages" (no model, no threshold), so offline it is approximated
SIMILARITY_NOTE = (
    "Similarity is approximated offline: the texts must agree once case, punctuation and spacing "
    "are ignored, one containing the other; Connect matches by meaning (a paraphrase it accepts "
    "fails here)"
)
USAGE_TYPES = ("EXACTLY",)


class TestCaseError(InvalidInputError):
    """The test case cannot be run: ``argument`` says where (``Observations[2].Actions[0]``),
    ``rule`` what is wrong or unsupported."""

    __test__ = False  # not a pytest class


# --- the document ------------------------------------------------------------------------


@dataclass(frozen=True)
class TestAction:
    __test__ = False
    identifier: str
    type: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class Observation:
    identifier: str
    event_type: str
    properties: Mapping[str, Any]
    actions: tuple[TestAction, ...]
    next_observations: tuple[str, ...]
    usage: str = "EXACTLY"


@dataclass(frozen=True)
class TestCase:
    """A parsed, checked test case (``parse_test_case``): its observations and entry point."""

    __test__ = False
    name: str
    """CreateTestCase's ``Name`` (else the file's name)."""
    observations: tuple[Observation, ...]
    """The observations, in the file's order."""
    flow_id: str | None = None
    """``EntryPoint.ChatEntryPointParameters.FlowId`` (None: the runner must be told)."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """``InitializationData``: the contact's first attributes."""
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """The document's ``Metadata``."""
    resources: Mapping[str, Any] = field(default_factory=dict)
    """Offline substitutes for ``SubstituteArn`` values (the file's ``EmulatorResources``;
    not part of CreateTestCase)."""
    faults: Mapping[str, int] = field(default_factory=dict)
    """Faults for the offline run (``EmulatorFaults`` in the document's ``Metadata`` or in the
    file: ``SocketDrops``, ``Seed``, ``ThrottledSends``, ``LatencyMs``)."""
    content: Mapping[str, Any] = field(default_factory=dict)
    """The Testing-language document itself: what CreateTestCase's ``Content`` carries."""
    initialization_data: str | None = None
    """``InitializationData`` as written (CreateTestCase's string); None when absent."""

    @property
    def starts(self) -> tuple[str, ...]:
        """The observations no other observation leads to: active from the start."""
        targets = {t for o in self.observations for t in o.next_observations}
        return tuple(o.identifier for o in self.observations if o.identifier not in targets)


def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TestCaseError(where, "must be a JSON object")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TestCaseError(where, "must be a non-empty string")
    return value.strip()


def _json_value(value: Any, where: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise TestCaseError(where, f"is not JSON: {exc}") from None
    return value


def parse_test_case(document: Mapping[str, Any] | str, *, name: str | None = None) -> TestCase:
    """A test case from its JSON (text or parsed): either the Testing-language document itself
    (``{"Version": "2025-06-21", "Observations": [...]}``) or CreateTestCase's fields
    (``{"Name", "Content": <document or its text>, "EntryPoint", "InitializationData"}``)."""
    root = _obj(_json_value(document, "test case"), "test case")
    entry: Mapping[str, Any] = {}
    init: Any = None
    if "Content" in root:
        name = name or (root.get("Name") if isinstance(root.get("Name"), str) else None)
        entry = _obj(root.get("EntryPoint") or {}, "EntryPoint")
        init = root.get("InitializationData")
        content = _obj(_json_value(root["Content"], "Content"), "Content")
        resources = root.get("EmulatorResources") or {}
        faults = _faults(root.get("EmulatorFaults") or {}, "EmulatorFaults")
    else:
        content = root
        resources = {}
        faults = {}
    version = content.get("Version")
    if version != TESTING_LANGUAGE_VERSION:
        raise TestCaseError(
            "Version", f"must be {TESTING_LANGUAGE_VERSION!r} (the Testing language), not {version!r}"
        )
    flow_id = _entry_flow(entry)
    attributes = _attributes(init)
    raw_obs = content.get("Observations")
    if not isinstance(raw_obs, list) or not raw_obs:
        raise TestCaseError("Observations", "must be a non-empty list")
    observations = tuple(_observation(o, f"Observations[{i}]") for i, o in enumerate(raw_obs))
    ids = [o.identifier for o in observations]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TestCaseError("Observations", f"identifiers must be unique: {', '.join(duplicates)}")
    for i, o in enumerate(observations):
        for target in o.next_observations:
            if target not in ids:
                raise TestCaseError(
                    f"Observations[{i}].Transitions.NextObservations", f"names no observation: {target!r}"
                )
    metadata = _obj(content.get("Metadata") or {}, "Metadata")
    # faults declared in the document's Metadata (Connect keeps it and ignores it), then the file's
    faults = {**_faults(metadata.get("EmulatorFaults") or {}, "Metadata.EmulatorFaults"), **faults}
    return TestCase(
        name=name or "test case",
        observations=observations,
        flow_id=flow_id,
        attributes=attributes,
        metadata=metadata,
        resources=_obj(resources, "EmulatorResources"),
        faults=faults,
        content=content,
        initialization_data=init if isinstance(init, str) else (json.dumps(init) if init else None),
    )


FAULTS = ("SocketDrops", "Seed", "ThrottledSends", "LatencyMs")
#: the most latency a case may ask for (each of the customer's calls waits this long)
MAX_LATENCY_MS = 10_000


def _faults(raw: Any, where: str) -> dict[str, int]:
    faults = _obj(raw, where)
    for key, value in faults.items():
        if key not in FAULTS:
            raise TestCaseError(
                f"{where}.{key}", f"is not a fault the emulator injects ({', '.join(FAULTS)})"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TestCaseError(f"{where}.{key}", "must be a whole number >= 0")
        if key == "LatencyMs" and value > MAX_LATENCY_MS:
            raise TestCaseError(f"{where}.{key}", f"must be at most {MAX_LATENCY_MS} (ms)")
    return dict(faults)


def _entry_flow(entry: Mapping[str, Any]) -> str | None:
    if not entry:
        return None
    kind = entry.get("Type", "CHAT")
    if kind == "VOICE_CALL":
        raise TestCaseError("EntryPoint.Type", "VOICE_CALL is voice-only: the emulator runs chats (use CHAT)")
    if kind != "CHAT":
        raise TestCaseError("EntryPoint.Type", f"must be CHAT, not {kind!r}")
    params = _obj(entry.get("ChatEntryPointParameters") or {}, "EntryPoint.ChatEntryPointParameters")
    flow = params.get("FlowId")
    return _text(flow, "EntryPoint.ChatEntryPointParameters.FlowId") if flow is not None else None


def _attributes(init: Any) -> dict[str, str]:
    if init is None or init == "":
        return {}
    data = _obj(_json_value(init, "InitializationData"), "InitializationData")
    attrs = data.get("Attributes", data) if isinstance(data.get("Attributes"), Mapping) else data
    out: dict[str, str] = {}
    for key, value in attrs.items():
        if not isinstance(value, str | int | float | bool):
            raise TestCaseError(f"InitializationData.{key}", "a contact attribute must be a string")
        out[str(key)] = value if isinstance(value, str) else json.dumps(value)
    return out


def _observation(raw: Any, where: str) -> Observation:
    o = _obj(raw, where)
    ident = _text(o.get("Identifier"), f"{where}.Identifier")
    event = _obj(o.get("Event"), f"{where}.Event")
    etype = event.get("Type")
    if etype not in EVENT_TYPES:
        raise TestCaseError(
            f"{where}.Event.Type", f"{etype!r} is not supported (supported: {', '.join(EVENT_TYPES)})"
        )
    actor = event.get("Actor", "System")
    if actor != "System":
        raise TestCaseError(f"{where}.Event.Actor", f"{actor!r} events are not supported (only System)")
    props = _obj(event.get("Properties") or {}, f"{where}.Event.Properties")
    if etype == "MessageReceived":
        for voice in ("PromptId", "SSML", "Media"):
            if props.get(voice):
                raise TestCaseError(
                    f"{where}.Event.Properties.{voice}", "is voice-only: a chat message is matched by Text"
                )
        _text(props.get("Text"), f"{where}.Event.Properties.Text")
        crit = props.get("MatchingCriteria", "Inclusion")
        if crit not in MATCHING_CRITERIA:
            raise TestCaseError(
                f"{where}.Event.Properties.MatchingCriteria",
                f"{crit!r} is not supported ({', '.join(MATCHING_CRITERIA)})",
            )
    if etype == "FlowActionStarted":
        _text(props.get("ActionType"), f"{where}.Event.Properties.ActionType")
    usage = _obj(o.get("Usage") or {}, f"{where}.Usage").get("Type", "EXACTLY")
    if usage not in USAGE_TYPES:
        raise TestCaseError(f"{where}.Usage.Type", f"{usage!r} is not supported ({', '.join(USAGE_TYPES)})")
    raw_actions = o.get("Actions") or []
    if not isinstance(raw_actions, list):
        raise TestCaseError(f"{where}.Actions", "must be a list")
    actions = tuple(_action(a, f"{where}.Actions[{i}]", etype) for i, a in enumerate(raw_actions))
    transitions = _obj(o.get("Transitions") or {}, f"{where}.Transitions")
    nxt = transitions.get("NextObservations") or []
    if not isinstance(nxt, list) or not all(isinstance(n, str) for n in nxt):
        raise TestCaseError(
            f"{where}.Transitions.NextObservations", "must be a list of observation identifiers"
        )
    return Observation(ident, etype, props, actions, tuple(n for n in nxt if n), usage)


def _action(raw: Any, where: str, event_type: str) -> TestAction:
    a = _obj(raw, where)
    ident = str(a["Identifier"]) if isinstance(a.get("Identifier"), str) else where
    atype = a.get("Type")
    if atype not in ACTION_TYPES:
        raise TestCaseError(
            f"{where}.Type", f"{atype!r} is not supported (supported: {', '.join(ACTION_TYPES)})"
        )
    p = _obj(a.get("Parameters") or {}, f"{where}.Parameters")
    if atype == "SendInstruction":
        actor = p.get("Actor", "Customer")
        if actor != "Customer":
            raise TestCaseError(
                f"{where}.Parameters.Actor", f"{actor!r} instructions are not supported (only Customer)"
            )
        instr = _obj(p.get("Instruction"), f"{where}.Parameters.Instruction")
        itype = instr.get("Type")
        if itype == "DtmfInput":
            raise TestCaseError(
                f"{where}.Parameters.Instruction.Type",
                "DtmfInput is voice-only: a chat customer types (use TextUtterance)",
            )
        if itype != "TextUtterance":
            raise TestCaseError(
                f"{where}.Parameters.Instruction.Type", f"{itype!r} is not supported (TextUtterance)"
            )
        props = _obj(instr.get("Properties"), f"{where}.Parameters.Instruction.Properties")
        if props.get("SSML") and not props.get("Text"):
            raise TestCaseError(f"{where}.Parameters.Instruction.Properties.SSML", "is voice-only: give Text")
        _text(props.get("Text"), f"{where}.Parameters.Instruction.Properties.Text")
    elif atype == "Assert":
        _text(p.get("Namespace"), f"{where}.Parameters.Namespace")
        op = p.get("Operator")
        if op not in ASSERT_OPERATORS:
            raise TestCaseError(
                f"{where}.Parameters.Operator", f"{op!r} is not supported ({', '.join(ASSERT_OPERATORS)})"
            )
        if op != "Exists" and "Operand" not in p:
            raise TestCaseError(f"{where}.Parameters.Operand", f"is required with {op}")
    elif atype == "OverrideSystemBehavior":
        _override_spec(p, where)
    else:
        command = _obj(p.get("Command"), f"{where}.Parameters.Command")
        ctype = command.get("Type")
        if ctype not in ("EndTest", "LogData"):
            raise TestCaseError(
                f"{where}.Parameters.Command.Type", f"{ctype!r} is not supported (EndTest, LogData)"
            )
        if ctype == "LogData":
            props = _obj(command.get("Properties"), f"{where}.Parameters.Command.Properties")
            _obj(props.get("Expressions"), f"{where}.Parameters.Command.Properties.Expressions")
    return TestAction(ident, atype, p)


def _dig(data: Mapping[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _override_spec(p: Mapping[str, Any], where: str) -> tuple[str, str, str]:
    """(kind, resource, substitute) of an OverrideSystemBehavior's parameters."""
    behavior = _obj(p.get("Behavior"), f"{where}.Parameters.Behavior")
    if behavior.get("Type") != "FlowAction":
        raise TestCaseError(
            f"{where}.Parameters.Behavior.Type", f"{behavior.get('Type')!r} is not supported (FlowAction)"
        )
    props = _obj(behavior.get("Properties"), f"{where}.Parameters.Behavior.Properties")
    action_type = str(props.get("ActionType", "")).strip()
    if action_type not in OVERRIDE_ACTION_TYPES:
        raise TestCaseError(
            f"{where}.Parameters.Behavior.Properties.ActionType",
            f"{action_type!r} cannot be overridden (supported: {', '.join(OVERRIDE_ACTION_TYPES)})",
        )
    kind, param = OVERRIDE_ACTION_TYPES[action_type]
    action_params = _obj(
        props.get("ActionParameters"), f"{where}.Parameters.Behavior.Properties.ActionParameters"
    )
    resource = _dig(action_params, param)
    if resource is None and kind == "lex":
        resource = _dig(action_params, "LexBot.Name")
    resource = _text(resource, f"{where}.Parameters.Behavior.Properties.ActionParameters.{param}")
    strategy = _obj(props.get("Strategy"), f"{where}.Parameters.Behavior.Properties.Strategy")
    if strategy.get("Type") != "SubstituteResource":
        raise TestCaseError(
            f"{where}.Parameters.Behavior.Properties.Strategy.Type",
            f"{strategy.get('Type')!r} is not supported (SubstituteResource)",
        )
    substitute = _text(
        strategy.get("SubstituteArn"), f"{where}.Parameters.Behavior.Properties.Strategy.SubstituteArn"
    )
    return kind, resource, substitute


# --- what the runner tells the run, and what it is told -----------------------------------


@dataclass(frozen=True)
class MessageSeen:
    """A message the customer received (or sent: role CUSTOMER, ignored for matching)."""

    text: str
    role: str = "SYSTEM"
    display_name: str = ""
    content_type: str = "text/plain"


@dataclass(frozen=True)
class ActionStarted:
    """A flow action ran: its type, identifier, flow and parameters (as the flow wrote them)."""

    type: str
    identifier: str = ""
    flow: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StateSeen:
    """The contact's data as the flow has it now (``{"Attributes": {...}, "External": ...}``)."""

    data: Mapping[str, Any]


@dataclass(frozen=True)
class ChatEnded:
    reason: str = "the chat ended"


Input = MessageSeen | ActionStarted | StateSeen | ChatEnded


@dataclass(frozen=True)
class SendText:
    text: str


@dataclass(frozen=True)
class Override:
    """Substitute ``resource`` (a Lambda, hours, queue or Lex bot of the flow) by ``substitute``
    the next time the flow uses it (single use; FIFO per resource)."""

    kind: str
    resource: str
    substitute: str


@dataclass(frozen=True)
class EndRun:
    reason: str


Command = SendText | Override | EndRun


@dataclass(frozen=True)
class Check:
    """One Assert (or the observation's own match), with what was expected and what came."""

    action: str
    what: str
    expected: Any
    actual: Any
    passed: bool


@dataclass
class ObservationResult:
    identifier: str
    event_type: str
    #: passed, failed, not reached (never activated), missed (active, the event never came)
    status: str = "not reached"
    expected: str = ""
    actual: str = ""
    checks: list[Check] = field(default_factory=list)
    at: float | None = None
    #: how this observation is matched offline where that differs from Connect (SIMILARITY_NOTE)
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.status in ("passed", "not reached")


def resolve_path(data: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """(found, value) of a JSONPath like ``$.Attributes.x`` / ``$.External['a b']`` in ``data``."""
    if not path.startswith("$"):
        return False, None
    parts = re.findall(r"\.([^.\[]+)|\[['\"]([^'\"]+)['\"]\]|\[(\d+)\]", path[1:])
    value: Any = data
    for name, quoted, index in parts:
        key = name or quoted
        if key:
            if not isinstance(value, Mapping) or key not in value:
                return False, None
            value = value[key]
        else:
            if not isinstance(value, list) or int(index) >= len(value):
                return False, None
            value = value[int(index)]
    return True, value


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value) if isinstance(value, Mapping | list) else str(value)


def evaluate(operator: str, found: bool, actual: Any, operand: Any) -> bool:
    if operator == "Exists":
        return found and actual is not None
    if not found:
        return False
    text, wanted = _as_text(actual), _as_text(operand)
    if operator == "Equals":
        a, b = _number(actual), _number(operand)
        return text == wanted or (a is not None and b is not None and a == b)
    if operator == "TextStartsWith":
        return text.startswith(wanted)
    if operator == "TextEndsWith":
        return text.endswith(wanted)
    if operator == "TextContains":
        return wanted in text
    a, b = _number(actual), _number(operand)
    if a is None or b is None:
        return False
    return {
        "NumberGreaterThan": a > b,
        "NumberGreaterOrEqualTo": a >= b,
        "NumberLessThan": a < b,
        "NumberLessOrEqualTo": a <= b,
    }[operator]


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s$]", " ", text.casefold()).split())


def message_matches(props: Mapping[str, Any], text: str) -> bool:
    """``Inclusion``: the message contains the text (as written), as Connect documents.
    ``Similarity``: Connect documents "semantic matching" and nothing more; offline the texts
    must agree once case, punctuation and spacing are ignored, one containing the other
    (``SIMILARITY_NOTE``)."""
    wanted = str(props.get("Text", ""))
    if props.get("MatchingCriteria", "Inclusion") == "Inclusion":
        return wanted in text
    a, b = _normal(wanted), _normal(text)
    return bool(a) and (a in b or b in a)


def _resource_matches(wanted: Any, actual: Any) -> bool:
    if wanted is None:
        return True
    if isinstance(wanted, Mapping):
        return isinstance(actual, Mapping) and all(
            _resource_matches(v, actual.get(k)) for k, v in wanted.items()
        )
    w, a = _as_text(wanted).strip(), _as_text(actual).strip() if actual is not None else ""
    if w == a:
        return True
    tails = {x.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for x in (w, a)}
    return len(tails) == 1 and bool(a)


def action_matches(props: Mapping[str, Any], started: ActionStarted) -> bool:
    if str(props.get("ActionType", "")).strip() != started.type:
        return False
    wanted = props.get("ActionParameters") or {}
    return isinstance(wanted, Mapping) and all(
        _resource_matches(v, started.parameters.get(k)) for k, v in wanted.items()
    )


# --- the walk ------------------------------------------------------------------------------


class TestCaseRun:
    """One run of a test case. ``start(now)`` then ``handle(now, event)`` for what happens;
    ``finish(now, reason)`` when the chat is over (or the time limit came). Each answers
    commands for the runner. ``results`` (per observation), ``logs`` (LogData), ``passed``."""

    __test__ = False

    def __init__(self, case: TestCase) -> None:
        self.case = case
        self.results = {
            o.identifier: ObservationResult(o.identifier, o.event_type, expected=_describe(o), note=_note(o))
            for o in case.observations
        }
        self._by_id = {o.identifier: o for o in case.observations}
        self.active: list[str] = []
        self.state: dict[str, Any] = {}
        self.logs: list[tuple[str, str, Any]] = []
        self.done = False
        self.end_reason = ""
        self.last_message: str | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results.values())

    def _activate(self, identifiers: Sequence[str]) -> None:
        for ident in identifiers:
            if ident not in self.active and self.results[ident].status in ("not reached",):
                self.active.append(ident)
                self.results[ident].status = "active"

    def start(self, now: float) -> list[Command]:
        self._activate(self.case.starts)
        return self._match_kind(now, "TestInitiated", None) + self._idle_end()

    def handle(self, now: float, event: Input) -> list[Command]:
        if self.done:
            return []
        if isinstance(event, StateSeen):
            self.state = dict(event.data)
            return []
        if isinstance(event, ChatEnded):
            return self.finish(now, event.reason)
        if isinstance(event, MessageSeen):
            if event.role == "CUSTOMER":
                return []
            self.last_message = event.text
            return self._match_kind(now, "MessageReceived", event) + self._idle_end()
        return self._match_kind(now, "FlowActionStarted", event) + self._idle_end()

    def finish(self, now: float, reason: str) -> list[Command]:
        if self.done:
            return []
        commands = self._match_kind(now, "TestCompleted", None)
        self.done = True
        self.end_reason = reason
        for ident in list(self.active):
            result = self.results[ident]
            result.status = "missed"
            result.actual = f"not observed before the test ended ({reason})"
            if self.last_message is not None and result.event_type == "MessageReceived":
                result.actual += f"; last message: {self.last_message!r}"
        self.active.clear()
        return commands

    def _idle_end(self) -> list[Command]:
        """Nothing left to observe: the test is over."""
        if not self.done and not self.active:
            self.done = True
            self.end_reason = "every observation was made"
            return [EndRun(self.end_reason)]
        return []

    def _match_kind(self, now: float, kind: str, event: MessageSeen | ActionStarted | None) -> list[Command]:
        for ident in list(self.active):
            obs = self._by_id[ident]
            if obs.event_type != kind:
                continue
            if isinstance(event, MessageSeen) and not message_matches(obs.properties, event.text):
                continue
            if isinstance(event, ActionStarted) and not action_matches(obs.properties, event):
                continue
            return self._observed(now, obs, event)
        return []

    def _observed(
        self, now: float, obs: Observation, event: MessageSeen | ActionStarted | None
    ) -> list[Command]:
        result = self.results[obs.identifier]
        self.active.remove(obs.identifier)
        result.status = "passed"
        result.at = now
        result.expected = _describe(obs)
        if isinstance(event, MessageSeen):
            result.actual = f"message {event.text!r}"
        elif isinstance(event, ActionStarted):
            result.actual = f"{event.type} {event.identifier!r} in {event.flow!r}"
        else:
            result.actual = obs.event_type
        commands: list[Command] = []
        scope = dict(self.state)
        if isinstance(event, MessageSeen):
            scope["Message"] = {
                "Text": event.text,
                "ContentType": event.content_type,
                "ParticipantRole": event.role,
                "DisplayName": event.display_name,
            }
        ended = False
        for action in obs.actions:
            p = action.parameters
            if action.type == "SendInstruction":
                commands.append(SendText(str(p["Instruction"]["Properties"]["Text"])))
            elif action.type == "Assert":
                operator, path = str(p["Operator"]), str(p["Namespace"]).strip()
                found, actual = resolve_path(scope, path)
                ok = evaluate(operator, found, actual, p.get("Operand"))
                expected = f"{operator} {_as_text(p.get('Operand'))}" if operator != "Exists" else "Exists"
                result.checks.append(
                    Check(action.identifier, path, expected, actual if found else "(absent)", ok)
                )
                if not ok:
                    result.status = "failed"
            elif action.type == "OverrideSystemBehavior":
                kind, resource, substitute = _override_spec(p, action.identifier)
                commands.append(Override(kind, resource, substitute))
            else:
                command = p["Command"]
                if command["Type"] == "LogData":
                    for label, path in command["Properties"]["Expressions"].items():
                        found, value = resolve_path(scope, str(path))
                        self.logs.append((obs.identifier, str(label), value if found else None))
                else:
                    ended = True
        self._activate(obs.next_observations)
        if ended:
            commands += self.finish(now, f"EndTest in {obs.identifier!r}")
            commands.append(EndRun(self.end_reason))
        return commands


def _note(obs: Observation) -> str:
    similar = obs.event_type == "MessageReceived" and obs.properties.get("MatchingCriteria") == "Similarity"
    return SIMILARITY_NOTE if similar else ""


def _describe(obs: Observation) -> str:
    p = obs.properties
    if obs.event_type == "MessageReceived":
        return f"message {p.get('MatchingCriteria', 'Inclusion')} {p.get('Text')!r}"
    if obs.event_type == "FlowActionStarted":
        params = p.get("ActionParameters") or {}
        return f"{str(p.get('ActionType')).strip()} {json.dumps(params) if params else ''}".strip()
    return obs.event_type
