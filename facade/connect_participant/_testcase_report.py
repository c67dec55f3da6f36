"""Reports of test-case runs: readable text, JUnit XML, and flow coverage (pure functions)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol
from xml.etree import ElementTree as ET

from ._testcase import ObservationResult


class _Result(Protocol):
    """A run's result (``TestCaseResult``), as the reports read it."""

    name: str
    observations: list[ObservationResult]
    transcript: list[dict[str, str]]
    trace: list[dict[str, Any]]
    logs: list[tuple[str, str, Any]]
    end_reason: str
    error: str | None
    seconds: float
    clock_skipped: float
    source: str

    @property
    def passed(self) -> bool: ...


__all__ = ["coverage_report", "coverage_table", "junit_xml", "text_report"]

_MARK = {"passed": "PASS", "failed": "FAIL", "missed": "MISS", "not reached": "----", "active": "MISS"}


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_report(results: Sequence[_Result], *, transcript: bool = True, trace: bool = True) -> str:
    """Per test case: each observation passed/failed with what was expected and what came; the
    failed Asserts (expected vs actual); LogData; the transcript; the flow trace."""
    lines: list[str] = []
    for r in results:
        head = "PASSED" if r.passed else "FAILED"
        where = f" ({r.source})" if r.source else ""
        skipped = f"; flow clock skipped {r.clock_skipped:.1f} s" if r.clock_skipped else ""
        lines.append(f"{head}  {r.name}{where}  [{r.seconds:.1f} s; {r.end_reason or 'not run'}{skipped}]")
        if r.error:
            lines.append(f"  error: {r.error}")
        for o in r.observations:
            lines.append(f"  {_MARK.get(o.status, o.status):4}  {o.identifier} ({o.event_type})")
            if o.note and o.status != "not reached":
                lines.append(f"        note: {o.note}")
            if o.status in ("failed", "missed"):
                lines.append(f"        expected: {o.expected or '(the event)'}")
                lines.append(f"        actual:   {o.actual}")
            for c in o.checks:
                if not c.passed:
                    lines.append(
                        f"        assert {c.action}: {c.what} expected {_short(c.expected)}, actual {_short(c.actual)}"
                    )
        for obs, label, value in r.logs:
            lines.append(f"  log   {obs}: {label} = {_short(value)}")
        if transcript and r.transcript:
            lines.append("  transcript:")
            lines.extend(f"    {m['DisplayName'] or m['Role']}: {_short(m['Content'])}" for m in r.transcript)
        if trace and r.trace:
            lines.append("  flow trace:")
            lines.extend(
                f"    {s['Flow']}: {s['Type']} {s['Identifier'][:36]} -> {s['Branch']}" for s in r.trace
            )
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} of {len(results)} test cases passed")
    return "\n".join(lines)


def junit_xml(results: Sequence[_Result], *, suite: str = "connect-test-cases") -> str:
    """JUnit XML (``testsuites``/``testsuite``/``testcase``, ``failure``/``error`` elements, the
    transcript and trace in ``system-out``), as CI systems read it."""
    failures = sum(1 for r in results if r.error is None and not r.passed)
    errors = sum(1 for r in results if r.error is not None)
    total = sum(r.seconds for r in results)
    root = ET.Element(
        "testsuites",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        time=f"{total:.3f}",
    )
    node = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{total:.3f}",
    )
    for r in results:
        case = ET.SubElement(
            node, "testcase", name=r.name, classname=r.source or suite, time=f"{r.seconds:.3f}"
        )
        if r.error is not None:
            ET.SubElement(case, "error", message=r.error, type="TestCaseError").text = r.error
        elif not r.passed:
            detail = text_report([r], transcript=False, trace=False)
            first = next((o for o in r.observations if not o.passed), None)
            message = f"observation {first.identifier!r} {first.status}" if first else "failed"
            ET.SubElement(case, "failure", message=message, type="ObservationFailed").text = detail
        ET.SubElement(case, "system-out").text = text_report([r])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _branches(action: Mapping[str, Any]) -> list[str]:
    """The branches an action of a flow document can take, labelled as the flow trace labels them."""
    transitions = action.get("Transitions") or {}
    out: list[str] = []
    for condition in transitions.get("Conditions") or []:
        cond = condition.get("Condition") or {}
        for operand in cond.get("Operands") or []:
            out.append(f"Condition {cond.get('Operator')} {operand}")
    if transitions.get("NextAction"):
        out.append("NextAction")
    for error in transitions.get("Errors") or []:
        out.append(f"Error {error.get('ErrorType')}")
    return out or ["End"]


def coverage_report(
    flows: Iterable[Mapping[str, Any]], traces: Iterable[Sequence[Mapping[str, Any]]]
) -> dict[str, Any]:
    """Which actions and branches of each flow the traces ran. ``flows``: ``{"Name", "Id",
    "Actions": [<Flow-language actions>]}``; ``traces``: flow traces (``FlowStep.to_json()``).
    Every action and branch is listed, run or not, with how many times."""
    ran: dict[tuple[str, str], int] = {}
    took: dict[tuple[str, str, str], int] = {}
    for trace in traces:
        for step in trace:
            key = (str(step.get("FlowId")), str(step.get("Identifier")))
            ran[key] = ran.get(key, 0) + 1
            branch = str(step.get("Branch"))
            if branch.startswith("Error NoMatchingError (for "):
                branch = "Error " + branch[len("Error NoMatchingError (for ") : -1]
            if "has no branch: NextAction" in str(step.get("Note") or ""):
                branch = "NextAction"
            took[(*key, branch)] = took.get((*key, branch), 0) + 1
    report: list[dict[str, Any]] = []
    totals = {"actions": 0, "actions_run": 0, "branches": 0, "branches_taken": 0}
    for flow in flows:
        fid = str(flow.get("Id"))
        actions = []
        for action in flow.get("Actions") or []:
            ident = str(action.get("Identifier"))
            branches = [{"Branch": b, "Taken": took.get((fid, ident, b), 0)} for b in _branches(action)]
            if ran.get((fid, ident)) and not any(b["Taken"] for b in branches):
                # a terminal or stopped action: its one outcome was taken
                for label in {k[2] for k in took if k[:2] == (fid, ident)}:
                    branches.append({"Branch": label, "Taken": took[(fid, ident, label)]})
                branches = [b for b in branches if b["Taken"] or b["Branch"] != "End"]
            actions.append(
                {
                    "Identifier": ident,
                    "Type": action.get("Type"),
                    "Runs": ran.get((fid, ident), 0),
                    "Branches": branches,
                }
            )
            totals["actions"] += 1
            totals["actions_run"] += bool(ran.get((fid, ident)))
            totals["branches"] += len(branches)
            totals["branches_taken"] += sum(1 for b in branches if b["Taken"])
        report.append({"Flow": flow.get("Name"), "FlowId": fid, "Actions": actions})
    return {"Flows": report, "Totals": totals}


def coverage_table(report: Mapping[str, Any]) -> str:
    """The coverage report as a text table: one row per branch, run or not."""
    rows = [("flow", "action", "type", "runs", "branch", "taken")]
    for flow in report["Flows"]:
        for action in flow["Actions"]:
            for i, branch in enumerate(action["Branches"]):
                rows.append(
                    (
                        str(flow["Flow"]) if i == 0 else "",
                        action["Identifier"][:36] if i == 0 else "",
                        str(action["Type"]) if i == 0 else "",
                        str(action["Runs"]) if i == 0 else "",
                        str(branch["Branch"]),
                        str(branch["Taken"]) if branch["Taken"] else "-",
                    )
                )
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(6)]
    out = [
        "  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    t = report["Totals"]
    out.append(
        f"actions run: {t['actions_run']}/{t['actions']}; branches taken: {t['branches_taken']}/{t['branches']}"
    )
    return "\n".join(out)
