"""A small validator for the JSON-Schema subset the project's OpenAPI document uses.

Supported keywords: ``$ref`` (local ``#/...`` pointers), ``type`` (a name or a list of
names), ``properties``, ``required``, ``additionalProperties`` (bool or schema),
``propertyNames``, ``enum``, ``const``, ``minLength``/``maxLength``, ``pattern``,
``minimum``/``maximum``, ``exclusiveMinimum``/``exclusiveMaximum``, ``items``,
``minItems``/``maxItems``, ``allOf``/``anyOf``/``oneOf``. Unknown keywords are ignored.

Errors are reported the way AWS words them: ``Value 'x' at 'content' failed to satisfy
constraint: Member must have length less than or equal to 1024``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SchemaValidator", "ValidationIssue", "format_issues"]


@dataclass(frozen=True)
class ValidationIssue:
    """One failed constraint: where (a dotted member path) and what."""

    path: str
    value: Any
    constraint: str


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:] if name else name


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value if len(value) <= 64 else value[:61] + "..."
        return "'" + text + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "'" + json.dumps(value)[:61] + "'"


def format_issues(issues: list[ValidationIssue]) -> str:
    """AWS's ValidationException wording for a list of issues."""
    count = len(issues)
    noun = "error" if count == 1 else "errors"
    parts = [
        f"Value {_show(issue.value)} at '{issue.path}' failed to satisfy constraint: {issue.constraint}"
        for issue in issues
    ]
    return f"{count} validation {noun} detected: " + "; ".join(parts)


def _type_ok(value: Any, name: str) -> bool:
    if name == "string":
        return isinstance(value, str)
    if name == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "null":
        return value is None
    return True


class SchemaValidator:
    """Validates JSON values against schemas of one OpenAPI/JSON-Schema document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._document = document
        self._patterns: dict[str, re.Pattern[str] | None] = {}

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """Follow ``$ref`` pointers until a schema without one is reached."""
        seen = 0
        while "$ref" in schema:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                raise ValueError(f"unsupported $ref {ref!r}")
            node: Any = self._document
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                node = node[part]
            schema = node
            seen += 1
            if seen > 64:
                raise ValueError("$ref loop")
        return schema

    def _pattern(self, pattern: str) -> re.Pattern[str] | None:
        if pattern not in self._patterns:
            try:
                self._patterns[pattern] = re.compile(pattern)
            except re.error:
                # e.g. \p{L} classes that Python's re does not know: not checked
                self._patterns[pattern] = None
        return self._patterns[pattern]

    def validate(self, value: Any, schema: Mapping[str, Any], path: str = "") -> list[ValidationIssue]:
        """All issues of ``value`` against ``schema``; an empty list means valid."""
        issues: list[ValidationIssue] = []
        self._check(value, schema, path, issues)
        return issues

    def _check(self, value: Any, schema: Mapping[str, Any], path: str, issues: list[ValidationIssue]) -> None:
        schema = self.resolve(schema)
        where = path or "body"
        declared = schema.get("type")
        if declared is not None:
            names = [declared] if isinstance(declared, str) else list(declared)
            if not any(_type_ok(value, name) for name in names):
                issues.append(ValidationIssue(where, value, f"Member must be of type {' or '.join(names)}"))
                return
        if "const" in schema and value != schema["const"]:
            issues.append(ValidationIssue(where, value, f"Member must equal {_show(schema['const'])}"))
        enum = schema.get("enum")
        if enum is not None and value not in enum:
            allowed = ", ".join(str(v) for v in enum)
            issues.append(ValidationIssue(where, value, f"Member must satisfy enum value set: [{allowed}]"))
        if isinstance(value, str):
            self._check_string(value, schema, where, issues)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._check_number(value, schema, where, issues)
        elif isinstance(value, list):
            self._check_array(value, schema, path, issues)
        elif isinstance(value, dict):
            self._check_object(value, schema, path, issues)
        for sub in schema.get("allOf", ()):
            self._check(value, sub, path, issues)
        any_of = schema.get("anyOf")
        if any_of is not None and not any(not self.validate(value, sub, path) for sub in any_of):
            issues.append(ValidationIssue(where, value, "Member must match at least one allowed form"))
        one_of = schema.get("oneOf")
        if one_of is not None and sum(1 for sub in one_of if not self.validate(value, sub, path)) != 1:
            issues.append(ValidationIssue(where, value, "Member must match exactly one allowed form"))

    def _check_string(
        self, value: str, schema: Mapping[str, Any], where: str, issues: list[ValidationIssue]
    ) -> None:
        min_length = schema.get("minLength")
        if isinstance(min_length, int) and len(value) < min_length:
            issues.append(
                ValidationIssue(
                    where, value, f"Member must have length greater than or equal to {min_length}"
                )
            )
        max_length = schema.get("maxLength")
        if isinstance(max_length, int) and len(value) > max_length:
            issues.append(
                ValidationIssue(where, value, f"Member must have length less than or equal to {max_length}")
            )
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            compiled = self._pattern(pattern)
            if compiled is not None and compiled.search(value) is None:
                issues.append(
                    ValidationIssue(
                        where, value, f"Member must satisfy regular expression pattern: {pattern}"
                    )
                )

    def _check_number(
        self, value: float, schema: Mapping[str, Any], where: str, issues: list[ValidationIssue]
    ) -> None:
        minimum = schema.get("minimum")
        if isinstance(minimum, int | float) and value < minimum:
            issues.append(
                ValidationIssue(where, value, f"Member must have value greater than or equal to {minimum}")
            )
        maximum = schema.get("maximum")
        if isinstance(maximum, int | float) and value > maximum:
            issues.append(
                ValidationIssue(where, value, f"Member must have value less than or equal to {maximum}")
            )
        exclusive_min = schema.get("exclusiveMinimum")
        if (
            isinstance(exclusive_min, int | float)
            and not isinstance(exclusive_min, bool)
            and value <= exclusive_min
        ):
            issues.append(
                ValidationIssue(where, value, f"Member must have value greater than {exclusive_min}")
            )
        exclusive_max = schema.get("exclusiveMaximum")
        if (
            isinstance(exclusive_max, int | float)
            and not isinstance(exclusive_max, bool)
            and value >= exclusive_max
        ):
            issues.append(ValidationIssue(where, value, f"Member must have value less than {exclusive_max}"))

    def _check_array(
        self, value: list[Any], schema: Mapping[str, Any], path: str, issues: list[ValidationIssue]
    ) -> None:
        where = path or "body"
        min_items = schema.get("minItems")
        if isinstance(min_items, int) and len(value) < min_items:
            issues.append(
                ValidationIssue(where, value, f"Member must have length greater than or equal to {min_items}")
            )
        max_items = schema.get("maxItems")
        if isinstance(max_items, int) and len(value) > max_items:
            issues.append(
                ValidationIssue(where, value, f"Member must have length less than or equal to {max_items}")
            )
        items = schema.get("items")
        if isinstance(items, Mapping):
            for index, element in enumerate(value):
                self._check(element, items, f"{where}.{index + 1}.member", issues)

    def _check_object(
        self, value: dict[str, Any], schema: Mapping[str, Any], path: str, issues: list[ValidationIssue]
    ) -> None:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        for name in schema.get("required", ()):
            if value.get(name) is None:
                issues.append(ValidationIssue(self._join(path, name), None, "Member must not be null"))
        names_schema = schema.get("propertyNames")
        additional = schema.get("additionalProperties", True)
        for name, member in value.items():
            if isinstance(names_schema, Mapping):
                self._check(name, names_schema, self._join(path, name) + ".key", issues)
            if name in properties:
                if member is None and name in schema.get("required", ()):
                    continue  # already reported as missing
                # a null optional member is checked like any value: the document gives it
                # a type, and schema-driven clients never send null
                self._check(member, properties[name], self._join(path, name), issues)
            elif additional is False:
                issues.append(ValidationIssue(self._join(path, name), member, "Member is not allowed"))
            elif isinstance(additional, Mapping):
                self._check(member, additional, self._join(path, name), issues)

    @staticmethod
    def _join(path: str, name: str) -> str:
        member = _lower_first(name)
        return f"{path}.{member}" if path else member
