"""A Flow-language document (version 2019-10-30), read and checked statically.

``parse_flow(document, name=…, flow_id=…, arn=…)`` answers a :class:`Flow`, whose
``problems`` list what the emulator cannot run (an action type it does not know, a legacy
"modules" export, a transition to an action that does not exist, a parameter that cannot
be read). Each problem names the flow, the action's Identifier and its Type.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._values import OPERATORS, as_number, is_path

__all__ = [
    "FLOW_VERSION",
    "NO_OP_TYPES",
    "SUPPORTED_TYPES",
    "Action",
    "Condition",
    "Flow",
    "FlowError",
    "FlowProblem",
    "flow_uuid",
    "parse_flow",
]

FLOW_VERSION = "2019-10-30"

#: actions with no effect in an offline chat: they only go on to ``NextAction``
NO_OP_TYPES = frozenset(
    {
        "UpdateFlowLoggingBehavior",
        "UpdateContactRecordingBehavior",
        "UpdateContactRecordingAndAnalyticsBehavior",
        "UpdateContactTextToSpeechVoice",
        "UpdateContactRoutingBehavior",
        "UpdateContactMediaProcessing",
        "UpdateContactMediaStreamingBehavior",
        "UpdateContactCallbackNumber",
        "UpdateRoutingCriteria",
        "UpdateContactSpeechOptions",
        "TagContact",
        "UnTagContact",
    }
)

#: every action type the interpreter runs
SUPPORTED_TYPES = NO_OP_TYPES | frozenset(
    {
        "MessageParticipant",
        "MessageParticipantIteratively",
        "Wait",
        "Compare",
        "UpdateContactAttributes",
        "UpdateFlowAttributes",
        "UpdateContactTargetQueue",
        "TransferContactToQueue",
        "DequeueContactAndTransferToQueue",
        "UpdateContactEventHooks",
        "TransferToFlow",
        "InvokeFlowModule",
        "EndFlowModuleExecution",
        "Loop",
        "EndFlowExecution",
        "DisconnectParticipant",
        "InvokeLambdaFunction",
        "ConnectParticipantWithLexBot",
        "GetParticipantInput",
        "ShowView",
        "AuthenticateParticipant",
        "CheckHoursOfOperation",
        "DistributeByPercentage",
        "UpdateContactData",
    }
)

#: statically given numbers checked at load: (action type, parameter, low, high)
_NUMBERS: tuple[tuple[str, str, float, float], ...] = (
    ("Wait", "TimeoutSeconds", 1, 604800),
    ("Wait", "TimeLimitSeconds", 1, 604800),
    ("Loop", "LoopCount", 0, 100),
    ("InvokeLambdaFunction", "InvocationTimeLimitSeconds", 1, 8),
    ("ShowView", "InvocationTimeLimitSeconds", 1, 604800),
)

#: parameters an action cannot run without: (action type, any one of these)
_REQUIRED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Compare", ("ComparisonValue",)),
    ("Loop", ("LoopCount",)),
    ("InvokeLambdaFunction", ("LambdaFunctionARN",)),
    ("ConnectParticipantWithLexBot", ("LexV2Bot", "LexBot")),
    ("TransferToFlow", ("ContactFlowId",)),
    ("InvokeFlowModule", ("FlowModuleId",)),
    ("UpdateContactTargetQueue", ("QueueId", "AgentId")),
    ("DequeueContactAndTransferToQueue", ("QueueId", "AgentId")),
    ("UpdateContactEventHooks", ("EventHooks",)),
    ("ShowView", ("ViewResource",)),
)

_FLOW_NAMESPACE = uuid.UUID("6f1c3a52-9b7e-4d0a-8c55-0e4c1f0b7a10")


def flow_uuid(name: str) -> str:
    """The id the emulator gives a flow loaded without one: stable for its name."""
    return str(uuid.uuid5(_FLOW_NAMESPACE, name))


@dataclass(frozen=True)
class FlowProblem:
    """Something in a flow the emulator cannot run."""

    flow: str
    message: str
    identifier: str | None = None
    type: str | None = None

    def __str__(self) -> str:
        where = f"flow {self.flow!r}"
        if self.identifier is not None:
            where += f", action {self.identifier!r}"
            if self.type is not None:
                where += f" (Type {self.type})"
        return f"{where}: {self.message}"


class FlowError(ValueError):
    """A flow the emulator cannot run; ``problems`` names each flow, action and type."""

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        super().__init__(lines[0] if len(lines) == 1 else "\n".join([f"{len(lines)} problems:", *lines]))


@dataclass(frozen=True)
class Condition:
    next_action: str
    operator: str
    operands: tuple[Any, ...]


@dataclass(frozen=True)
class Action:
    identifier: str
    type: str
    parameters: Mapping[str, Any]
    next_action: str | None
    #: ErrorType -> NextAction
    errors: Mapping[str, str]
    conditions: tuple[Condition, ...]
    #: names the designer recorded for what the action references (flow, queue, bot names)
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    """One flow or flow module."""

    name: str
    flow_id: str
    arn: str
    #: ``CONTACT_FLOW``, ``CUSTOMER_QUEUE``, ``MODULE`` … (DescribeContactFlow's Type; MODULE for modules)
    type: str
    start_action: str
    actions: Mapping[str, Action]
    problems: tuple[FlowProblem, ...] = ()
    #: a module's ``Settings`` (InputParameters, OutputParameters, Transitions)
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_module(self) -> bool:
        return self.type == "MODULE"

    def check(self) -> None:
        """Raise :class:`FlowError` when the flow has problems."""
        if self.problems:
            raise FlowError(list(self.problems))


def _designer_names(metadata: Any, identifier: str) -> tuple[str, ...]:
    """Names the flow designer recorded for an action (``{"id": arn, "text": "Name"}``,
    ``{"displayName": "Name"}`` and ``…Name`` entries such as ``lexV2BotName``): what ARNs from
    another instance, or left empty, resolve by."""
    if not isinstance(metadata, Mapping):
        return ()
    actions = metadata.get("ActionMetadata")
    entry = actions.get(identifier) if isinstance(actions, Mapping) else None
    found: list[str] = []

    def walk(node: Any, depth: int) -> None:
        if depth > 6:
            return
        if isinstance(node, Mapping):
            for key, value in node.items():
                # {"text": …}, {"displayName": …}, and the bot's names ("lexV2BotName", …)
                named = key in ("text", "displayName") or (key.endswith("Name") and key != "displayName")
                if named and isinstance(value, str) and value:
                    found.append(value)
            for child in node.values():
                walk(child, depth + 1)
        elif isinstance(node, list):
            for child in node:
                walk(child, depth + 1)

    walk(entry, 0)
    return tuple(dict.fromkeys(found))


def _transitions(
    flow: str, identifier: str, kind: str, raw: Any, problems: list[FlowProblem]
) -> tuple[str | None, dict[str, str], tuple[Condition, ...]]:
    if raw is None:
        return None, {}, ()
    if not isinstance(raw, Mapping):
        problems.append(FlowProblem(flow, "Transitions must be an object", identifier, kind))
        return None, {}, ()
    next_action = raw.get("NextAction") or None
    if next_action is not None and not isinstance(next_action, str):
        problems.append(FlowProblem(flow, "NextAction must be a string", identifier, kind))
        next_action = None
    errors: dict[str, str] = {}
    for entry in raw.get("Errors") or []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("ErrorType"), str):
            problems.append(
                FlowProblem(flow, "each Errors entry needs ErrorType and NextAction", identifier, kind)
            )
            continue
        target = entry.get("NextAction")
        if isinstance(target, str) and target:
            errors.setdefault(entry["ErrorType"], target)
    conditions: list[Condition] = []
    for entry in raw.get("Conditions") or []:
        condition = entry.get("Condition") if isinstance(entry, Mapping) else None
        target = entry.get("NextAction") if isinstance(entry, Mapping) else None
        if not isinstance(condition, Mapping) or not isinstance(target, str) or not target:
            problems.append(
                FlowProblem(flow, "each Conditions entry needs NextAction and Condition", identifier, kind)
            )
            continue
        operator = condition.get("Operator")
        operands = condition.get("Operands")
        if operator not in OPERATORS:
            problems.append(FlowProblem(flow, f"unknown condition operator {operator!r}", identifier, kind))
            continue
        if not isinstance(operands, list) or not operands:
            problems.append(FlowProblem(flow, "a condition needs Operands", identifier, kind))
            continue
        conditions.append(Condition(target, operator, tuple(operands)))
    return next_action, errors, tuple(conditions)


def _check_parameters(flow: str, action: Action, problems: list[FlowProblem]) -> None:
    params = action.parameters
    for kind, names in _REQUIRED:
        if action.type == kind and not any(params.get(n) not in (None, "") for n in names):
            problems.append(
                FlowProblem(flow, f"parameter {' or '.join(names)} is required", action.identifier, kind)
            )
    for kind, name, low, high in _NUMBERS:
        if action.type != kind or name not in params:
            continue
        value = params[name]
        if is_path(value):
            continue
        number = as_number(value)
        if number is None or not low <= number <= high:
            problems.append(
                FlowProblem(
                    flow,
                    f"{name} must be a number from {low:g} to {high:g} (or a JSONPath reference), not {value!r}",
                    action.identifier,
                    kind,
                )
            )
    if action.type == "Wait" and "TimeoutSeconds" not in params and "TimeLimitSeconds" not in params:
        problems.append(
            FlowProblem(flow, "Wait needs TimeoutSeconds (or TimeLimitSeconds)", action.identifier, "Wait")
        )


def parse_flow(
    document: Any,
    *,
    name: str | None = None,
    flow_id: str | None = None,
    arn: str | None = None,
    flow_type: str | None = None,
    instance_arn: str = "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001",
) -> Flow:
    """A Flow from a Flow-language document (a mapping, as ``json.loads`` gives it).

    ``name`` defaults to the designer's ``Metadata.name``, ``flow_id`` to the end of ``arn`` or
    to an id derived from the name; problems are collected in ``Flow.problems``, not raised."""
    metadata = document.get("Metadata") if isinstance(document, Mapping) else None
    if name is None and isinstance(metadata, Mapping) and isinstance(metadata.get("name"), str):
        name = metadata["name"]
    if name is None:
        name = flow_id or (arn.rsplit("/", 1)[-1] if arn else "unnamed flow")
    if flow_id is None:
        flow_id = arn.rsplit("/", 1)[-1] if arn else flow_uuid(name)
    is_module = flow_type == "MODULE" or (
        isinstance(document, Mapping) and "Settings" in document and flow_type is None
    )
    kind = flow_type or ("MODULE" if is_module else "CONTACT_FLOW")
    if arn is None:
        arn = f"{instance_arn}/{'flow-module' if kind == 'MODULE' else 'contact-flow'}/{flow_id}"
    problems: list[FlowProblem] = []

    def empty() -> Flow:
        return Flow(name, flow_id, arn, kind, "", {}, tuple(problems))

    if not isinstance(document, Mapping):
        problems.append(FlowProblem(name, "a flow must be a JSON object"))
        return empty()
    if "modules" in document and "Actions" not in document:
        problems.append(
            FlowProblem(
                name,
                "a legacy export (the pre-2019 'modules' format): open it in the flow designer and "
                f"export it again, or pull it with DescribeContactFlow, to get the Flow language ({FLOW_VERSION})",
            )
        )
        return empty()
    version = document.get("Version")
    if version != FLOW_VERSION:
        problems.append(FlowProblem(name, f"Version must be {FLOW_VERSION!r}, not {version!r}"))
    raw_actions = document.get("Actions")
    if not isinstance(raw_actions, list):
        problems.append(FlowProblem(name, "Actions must be a list"))
        return empty()
    actions: dict[str, Action] = {}
    for raw in raw_actions:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("Identifier"), str):
            problems.append(FlowProblem(name, "every action needs an Identifier (a string)"))
            continue
        identifier = raw["Identifier"]
        action_type = raw.get("Type")
        if not isinstance(action_type, str):
            problems.append(FlowProblem(name, "the action has no Type", identifier))
            continue
        if identifier in actions:
            problems.append(FlowProblem(name, "two actions have this Identifier", identifier, action_type))
            continue
        parameters = raw.get("Parameters") or {}
        if not isinstance(parameters, Mapping):
            problems.append(FlowProblem(name, "Parameters must be an object", identifier, action_type))
            parameters = {}
        next_action, errors, conditions = _transitions(
            name, identifier, action_type, raw.get("Transitions"), problems
        )
        action = Action(
            identifier,
            action_type,
            dict(parameters),
            next_action,
            errors,
            conditions,
            _designer_names(metadata, identifier),
        )
        actions[identifier] = action
        if action_type not in SUPPORTED_TYPES:
            problems.append(
                FlowProblem(
                    name,
                    "the emulator does not run this action type (see the emulator README's supported actions)",
                    identifier,
                    action_type,
                )
            )
        else:
            _check_parameters(name, action, problems)
    for action in actions.values():
        targets = [action.next_action, *action.errors.values(), *(c.next_action for c in action.conditions)]
        for target in targets:
            if target is not None and target not in actions:
                problems.append(
                    FlowProblem(
                        name,
                        f"a transition goes to {target!r}, which is not an action of this flow",
                        action.identifier,
                        action.type,
                    )
                )
    start = document.get("StartAction")
    if not isinstance(start, str) or start not in actions:
        problems.append(FlowProblem(name, f"StartAction {start!r} is not an action of this flow"))
        start = ""
    settings = document.get("Settings")
    return Flow(
        name,
        flow_id,
        arn,
        kind,
        start,
        actions,
        tuple(problems),
        dict(settings) if isinstance(settings, Mapping) else {},
    )
