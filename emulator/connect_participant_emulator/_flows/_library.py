"""``ContactFlows``: the flows an emulator runs and the plug-ins they reach.

Files it reads (``.json``; a folder: every ``*.json`` in it, sorted, sub-folders included,
but ``manifest.json``, which, when there, gives the files' ids, ARNs, names and types):

- a Flow-language document as the designer exports it (``{"Version": "2019-10-30",
  "StartAction", "Actions", "Metadata": {"name": …}}``): named by ``Metadata.name`` (else the
  file's stem), its id derived from the name (``flow_uuid``);
- DescribeContactFlow's / DescribeContactFlowModule's answer (``{"ContactFlow": {"Id", "Arn",
  "Name", "Type", "Content": "<the document as a string>"}}`` / ``{"ContactFlowModule": …}``),
  or the inner object alone: id, ARN, name and type come from it — what ``flows pull`` writes.

Flows are found by id, ARN or name (``ContactFlowId`` of StartChatContact, TransferToFlow's
``ContactFlowId``, InvokeFlowModule's ``FlowModuleId``); an ARN from another instance is
found by the name the flow designer recorded beside it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ._document import Flow, FlowError, FlowProblem, parse_flow
from ._interpreter import Ref
from ._plugins import Agent, FlowClock
from ._values import substitute_placeholders

__all__ = ["ContactFlows", "HoursRule", "LambdaRule", "LexRule", "QueueRule"]

DEFAULT_INSTANCE_ARN = "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001"

#: a folder's index file (``connect-participant flows pull`` writes one), not a flow
MANIFEST = "manifest.json"

FlowSource = str | os.PathLike[str] | Mapping[str, Any]


@dataclass(frozen=True)
class LambdaRule:
    pattern: str
    function: Callable[..., Any]
    #: overrides the flow's InvocationTimeLimitSeconds (seconds, real time)
    timeout: float | None = None


@dataclass(frozen=True)
class LexRule:
    pattern: str
    #: an object with ``recognize_text(request)`` or a callable(request), sync or async
    bot: Any


@dataclass(frozen=True)
class QueueRule:
    pattern: str
    agent: Agent | None = None
    at_capacity: bool = False


@dataclass(frozen=True)
class HoursRule:
    pattern: str
    open: bool | Callable[[datetime], bool]


def _manifest(folder: Path) -> dict[Path, dict[str, Any]]:
    """A folder's ``manifest.json`` (as ``flows pull`` writes it: ``{"flows": [{"file", "id",
    "arn", "name", "type"}], "modules": [...]}``, files relative to the folder): file -> entry."""
    index = folder / MANIFEST
    if not index.is_file():
        return {}
    try:
        manifest = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise FlowError([FlowProblem(str(index), f"cannot read the manifest: {exc}")]) from exc
    entries: dict[Path, dict[str, Any]] = {}
    for group, module in (("flows", False), ("modules", True)):
        for entry in manifest.get(group) or [] if isinstance(manifest, Mapping) else []:
            if isinstance(entry, Mapping) and isinstance(entry.get("file"), str):
                found = dict(entry)
                if module:
                    found["type"] = "MODULE"
                entries[(folder / entry["file"]).resolve()] = found
    return entries


def _matches(pattern: str, candidates: Iterable[str]) -> bool:
    return any(fnmatchcase(c, pattern) for c in candidates if c)


class ContactFlows:
    """Flows (and flow modules) plus the plug-ins their runs call.

    ``ContactFlows("tests/flows", placeholders={"QueueArn": "…"})``; then register plug-ins
    (``lambda_function``, ``lex_bot``, ``queue``, ``hours``, ``view``) and give it to the
    emulator: ``LocalParticipantService(flows=flows)``. Loading never raises for a flow's
    content: each flow's problems are kept and :meth:`check` raises them (StartChatContact of
    a flow with problems answers 400 naming them)."""

    def __init__(
        self,
        *sources: FlowSource,
        placeholders: Mapping[str, str] | None = None,
        clock: FlowClock | None = None,
        instance_arn: str = DEFAULT_INSTANCE_ARN,
    ) -> None:
        self.placeholders = dict(placeholders or {})
        self.clock = clock or FlowClock()
        self.instance_arn = instance_arn
        self._flows: list[Flow] = []
        self.lambdas: list[LambdaRule] = []
        self.bots: list[LexRule] = []
        self.queues: list[QueueRule] = []
        self.hours_rules: list[HoursRule] = []
        #: contact id -> [(kind, resource, rule)]: single-use substitutes (a test case's overrides)
        self._overrides: dict[str, list[tuple[str, str, Any]]] = {}
        self._overrides_lock = threading.Lock()
        self.views: list[tuple[str, dict[str, Any]]] = []
        for source in sources:
            self.load(source)

    # --- flows ------------------------------------------------------------------------

    @property
    def flows(self) -> list[Flow]:
        return list(self._flows)

    def load(self, source: FlowSource) -> list[Flow]:
        """Add the flows of a file, a folder or a document (mapping); answers them."""
        if isinstance(source, Mapping):
            return [self.add(source)]
        path = Path(source)
        if path.is_dir():
            known = _manifest(path)
            added: list[Flow] = []
            for file in sorted(path.rglob("*.json")):
                if file.name == MANIFEST:  # the index ``flows pull`` writes beside the flows
                    continue
                entry = known.get(file.resolve(), {})
                if entry:
                    added.append(self._load_file(file, entry))
                else:
                    added.extend(self.load(file))
            return added
        return [self._load_file(path, {})]

    def _load_file(self, path: Path, entry: Mapping[str, Any]) -> Flow:
        """One file; ``entry``: its manifest entry (id, arn, name, type), if any."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise FlowError([FlowProblem(str(path), f"cannot read the file: {exc}")]) from exc
        except ValueError as exc:
            flow = self.add({}, name=path.stem)
            problem = FlowProblem(flow.name, f"{path.name} is not JSON: {exc}")
            self._flows[-1] = Flow(flow.name, flow.flow_id, flow.arn, flow.type, "", {}, (problem,))
            return self._flows[-1]
        text = {k: v for k, v in entry.items() if isinstance(v, str) and v}
        flow_type = text.get("type")
        if flow_type is None and "/flow-module/" in text.get("arn", ""):
            flow_type = "MODULE"
        return self.add(
            document,
            name=text.get("name"),
            flow_id=text.get("id"),
            arn=text.get("arn"),
            flow_type=flow_type,
            default_name=path.stem,
        )

    def add(
        self,
        document: Mapping[str, Any] | str,
        *,
        name: str | None = None,
        flow_id: str | None = None,
        arn: str | None = None,
        flow_type: str | None = None,
        default_name: str | None = None,
    ) -> Flow:
        """Add one flow: a Flow-language document (mapping or JSON text), or a
        DescribeContactFlow(Module) answer. Answers the parsed :class:`Flow`."""
        if isinstance(document, str):
            document = json.loads(document)
        assert isinstance(document, Mapping)
        described: Mapping[str, Any] | None = None
        module = False
        for key in ("ContactFlow", "ContactFlowModule"):
            if isinstance(document.get(key), Mapping):
                described, module = document[key], key == "ContactFlowModule"
        if described is None and "Content" in document and "Actions" not in document:
            described = document
            module = "/flow-module/" in str(document.get("Arn", ""))
        content: Any = document
        if described is not None:
            content = described.get("Content")
            if isinstance(content, str):
                try:
                    content = json.loads(content)
                except ValueError:
                    content = None
            name = name or described.get("Name")
            flow_id = flow_id or described.get("Id")
            arn = arn or described.get("Arn")
            flow_type = flow_type or ("MODULE" if module else described.get("Type"))
        if name is None and not (
            isinstance(content, Mapping)
            and isinstance(content.get("Metadata"), Mapping)
            and content["Metadata"].get("name")
        ):
            name = default_name
        content = substitute_placeholders(content, self.placeholders)
        flow = parse_flow(
            content, name=name, flow_id=flow_id, arn=arn, flow_type=flow_type, instance_arn=self.instance_arn
        )
        self._flows.append(flow)
        return flow

    def get(self, reference: str) -> Flow | None:
        """The flow (or module) whose id, ARN or name is ``reference``."""
        return self.find(Ref(reference), None)

    def find(self, reference: Ref, module: bool | None) -> Flow | None:
        """By ARN, then id, then name; then by the names the designer recorded beside it."""
        candidates = [f for f in self._flows if module is None or f.is_module == module]
        value = reference.value
        for flow in candidates:
            if value in (flow.arn, flow.flow_id):
                return flow
        tail = reference.id
        for flow in candidates:
            if tail == flow.flow_id:
                return flow
        for name in (value, *reference.names):
            for flow in candidates:
                if name == flow.name:
                    return flow
        return None

    def check(self, reference: str | None = None) -> None:
        """Raise :class:`FlowError` with every problem of a flow and of each flow it reaches
        (TransferToFlow, InvokeFlowModule, event hooks), or of every flow when None."""
        problems: list[FlowProblem] = []
        if reference is None:
            for flow in self._flows:
                problems.extend(flow.problems)
        else:
            start = self.get(reference)
            if start is None:
                raise FlowError([FlowProblem(reference, "no loaded flow has this id, ARN or name")])
            problems.extend(self._reachable_problems(start))
        if problems:
            raise FlowError(problems)

    def _reachable_problems(self, start: Flow) -> list[FlowProblem]:
        problems: list[FlowProblem] = []
        seen: set[str] = set()
        todo = [start]
        while todo:
            flow = todo.pop()
            if flow.arn in seen:
                continue
            seen.add(flow.arn)
            problems.extend(flow.problems)
            for action in flow.actions.values():
                for param, module in (("ContactFlowId", False), ("FlowModuleId", True)):
                    value = (
                        action.parameters.get(param)
                        if action.type in ("TransferToFlow", "InvokeFlowModule")
                        else None
                    )
                    if not isinstance(value, str) or value.startswith("$") or "${" in value or "{{" in value:
                        continue
                    target = self.find(Ref(value, action.names), module)
                    if target is None:
                        what = "flow module" if module else "flow"
                        problems.append(
                            FlowProblem(
                                flow.name,
                                f"{param} {value!r}: no loaded {what} has this id, ARN or name",
                                action.identifier,
                                action.type,
                            )
                        )
                    else:
                        todo.append(target)
                hooks = (
                    action.parameters.get("EventHooks") if action.type == "UpdateContactEventHooks" else None
                )
                if isinstance(hooks, Mapping):
                    for value in hooks.values():
                        target = (
                            self.find(Ref(value, action.names), False) if isinstance(value, str) else None
                        )
                        if target is not None:
                            todo.append(target)
        return problems

    # --- plug-ins -----------------------------------------------------------------------

    def lambda_function(
        self, pattern: str, function: Callable[..., Any] | None = None, *, timeout: float | None = None
    ) -> Any:
        """Register a Lambda function for ARNs/names matching ``pattern`` (``*`` wildcards;
        the function's name alone matches its ARN). ``function(event)`` or
        ``function(event, context)``, sync or async, gets Connect's ``ContactFlowEvent`` and
        answers a mapping (or JSON text); raising takes the action's error branch. Usable as
        a decorator: ``@flows.lambda_function("*:function:balance")``."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.lambdas.append(LambdaRule(pattern, fn, timeout))
            return fn

        return register(function) if function is not None else register

    def lex_bot(self, pattern: str, bot: Any) -> Any:
        """Register a Lex bot for alias ARNs / bot names matching ``pattern``: a
        :class:`ScriptedBot`, any object with ``recognize_text(request)``, or a callable(request);
        sync or async; it answers in the shape of Lex V2 RecognizeText."""
        self.bots.append(LexRule(pattern, bot))
        return bot

    def queue(self, pattern: str, agent: Agent | None = None, *, at_capacity: bool = False) -> None:
        """How queues matching ``pattern`` (ARN, id or name) behave: ``at_capacity`` makes
        TransferContactToQueue take QueueAtCapacity; else the contact is queued and ``agent``
        (if any) takes it. Queues not registered accept contacts and no agent comes."""
        self.queues.append(QueueRule(pattern, agent, at_capacity))

    def hours(self, pattern: str, open: bool | Callable[[datetime], bool]) -> None:
        """Hours of operation matching ``pattern`` (id, ARN or name; a queue's name or ARN when
        CheckHoursOfOperation names no hours): ``open`` or a function of the flow clock's UTC
        time. Hours not registered are open."""
        self.hours_rules.append(HoursRule(pattern, open))

    def view(self, pattern: str, view: Mapping[str, Any]) -> None:
        """What DescribeView answers for a ShowView of views matching ``pattern``
        (``{"Name", "Content": {"Template", "InputSchema", "Actions": [...]}}``)."""
        self.views.append((pattern, dict(view)))

    def clear_plugins(self) -> None:
        """Forget every registered Lambda function, Lex bot, queue, hours and view (the flows
        stay): one emulator can serve several tests, each registering its own plug-ins."""
        self.lambdas.clear()
        self.bots.clear()
        self.queues.clear()
        self.hours_rules.clear()
        self.views.clear()

    # --- single-use overrides of one contact (Connect's test cases) --------------------------

    def override(self, contact_id: str, kind: str, resource: str, rule: Any) -> None:
        """The next time ``contact_id``'s flows use ``resource`` (an ARN, id or name; ``kind``:
        ``lambda``, ``lex``, ``queue`` or ``hours``), ``rule`` (a LambdaRule, LexRule, QueueRule or
        HoursRule) answers instead, once; several overrides of one resource are used first in,
        first out — as a Connect test case's OverrideSystemBehavior."""
        if kind not in ("lambda", "lex", "queue", "hours"):
            raise ValueError(f"kind must be lambda, lex, queue or hours, not {kind!r}")
        with self._overrides_lock:
            self._overrides.setdefault(contact_id, []).append((kind, resource, rule))

    def clear_overrides(self, contact_id: str) -> None:
        with self._overrides_lock:
            self._overrides.pop(contact_id, None)

    def take_override(self, contact_id: str | None, kind: str, ref: Ref | None) -> Any:
        """The oldest override of ``ref`` for the contact (removed: single use), or None."""
        if contact_id is None or ref is None:
            return None
        names = {ref.value, ref.id, *ref.names}
        if kind == "lambda":
            names.add(ref.value.rsplit(":function:", 1)[-1].split(":")[0])
        with self._overrides_lock:
            pending = self._overrides.get(contact_id) or []
            for i, (k, resource, rule) in enumerate(pending):
                tail = resource.rsplit("/", 1)[-1].rsplit(":function:", 1)[-1]
                if k == kind and (resource in names or tail in names or _matches(resource, names)):
                    del pending[i]
                    return rule
        return None

    # --- lookups (the engine's) -------------------------------------------------------------

    def lambda_for(self, ref: Ref) -> LambdaRule | None:
        names = (ref.value, ref.id, ref.value.rsplit(":function:", 1)[-1].split(":")[0], *ref.names)
        return next((rule for rule in self.lambdas if _matches(rule.pattern, names)), None)

    def bot_for(self, ref: Ref) -> LexRule | None:
        return next(
            (rule for rule in self.bots if _matches(rule.pattern, (ref.value, ref.id, *ref.names))), None
        )

    def queue_for(self, ref: Ref) -> QueueRule | None:
        return next(
            (rule for rule in self.queues if _matches(rule.pattern, (ref.value, ref.id, *ref.names))), None
        )

    def hours_for(self, hours: Ref | None, queue: Ref | None) -> HoursRule | None:
        ref = hours or queue
        if ref is None:
            return None
        return next(
            (r for r in self.hours_rules if _matches(r.pattern, (ref.value, ref.id, *ref.names))), None
        )

    def view_for(self, ref: Ref) -> dict[str, Any] | None:
        return next((v for p, v in self.views if _matches(p, (ref.value, ref.id, *ref.names))), None)
