"""Small Flow-language documents for tests, written the way real exports write them."""

from __future__ import annotations

from typing import Any


def action(
    identifier: str,
    type_: str,
    parameters: dict[str, Any] | None = None,
    next_action: str | None = None,
    *,
    errors: dict[str, str] | None = None,
    conditions: list[tuple[str, Any, str]] | None = None,
) -> dict[str, Any]:
    """One action; ``conditions``: (operator, operand, next action)."""
    transitions: dict[str, Any] = {}
    if next_action is not None:
        transitions["NextAction"] = next_action
    if errors:
        transitions["Errors"] = [{"NextAction": target, "ErrorType": kind} for kind, target in errors.items()]
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": operator, "Operands": [operand]}}
            for operator, operand, target in conditions
        ]
    return {
        "Identifier": identifier,
        "Type": type_,
        "Parameters": parameters or {},
        "Transitions": transitions,
    }


def flow(name: str, *actions: dict[str, Any], start: str | None = None, **extra: Any) -> dict[str, Any]:
    """A document whose start is the first action (or ``start``), named ``name`` in its Metadata."""
    return {
        "Version": "2019-10-30",
        "StartAction": start or actions[0]["Identifier"],
        "Metadata": {"entryPointPosition": {"x": 40, "y": 40}, "ActionMetadata": {}, "name": name},
        "Actions": list(actions),
        **extra,
    }


def say(identifier: str, text: str, next_action: str | None = None) -> dict[str, Any]:
    """A MessageParticipant whose error branch goes where it would go anyway."""
    errors = {"NoMatchingError": next_action} if next_action else None
    return action(identifier, "MessageParticipant", {"Text": text}, next_action, errors=errors)


def disconnect(identifier: str = "end") -> dict[str, Any]:
    return action(identifier, "DisconnectParticipant")
