"""Values in flows: JSONPath references, placeholders, numbers written as strings, conditions.

Pure functions, no state: the interpreter gives them the contact's data as a plain mapping
(``{"Attributes": {...}, "External": {...}, "Lex": {...}, "Channel": "CHAT", ...}``).

- A **whole value** ``"$.Attributes.intro"`` is replaced by what it names (any JSON value;
  ``None`` when it names nothing).
- **Inside text** (``"Your number is $.External.vanity1."``) each reference is replaced by its
  value as text (nothing when it names nothing).
- Paths: ``$.A.b``, ``$.A['b c']``, ``$.A["b"]``, ``$.A.list[0]``, ``$['A']['b']``.
- **Placeholders** ``${Name}`` (CloudFormation/Terraform) and ``{{Name}}`` are replaced from a
  mapping when the document is loaded; unknown ones stay as written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "OPERATORS",
    "as_number",
    "as_text",
    "evaluate",
    "is_path",
    "lookup",
    "parse_path",
    "render",
    "resolve",
    "substitute_placeholders",
]

#: a name: word characters, with "-" or ":" only between them (``connect:Subtype``, ``first-name``),
#: so that "$.Attributes.order: shipped" reads ``order`` and keeps its colon
_NAME = r"[A-Za-z0-9_]+(?:[-:][A-Za-z0-9_]+)*"
_SEGMENT = rf"(?:\.{_NAME}|\[\d+\]|\['[^']*'\]|\[\"[^\"]*\"\])"
#: a reference inside text: ``$.`` or ``$[`` and then segments (a trailing "." is not taken)
#: (the first name starts with a letter, as every root does: "$.99" in a price is no reference)
_INLINE = re.compile(rf"\$(?:\.(?=[A-Za-z]){_NAME}|\['[^']*'\]|\[\"[^\"]*\"\]){_SEGMENT}*")
_WHOLE = re.compile(rf"\$(?:\.(?=[A-Za-z]){_NAME}|\['[^']*'\]|\[\"[^\"]*\"\]){_SEGMENT}*\Z")
_PARTS = re.compile(rf"\.({_NAME})|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_DOLLAR_PLACEHOLDER = re.compile(r"\$\{([^{}]+)\}")
_BRACE_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")

#: the comparison operators of Compare and the other actions' conditions
OPERATORS = frozenset(
    {
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberGreaterOrEqualTo",
        "NumberLessThan",
        "NumberLessOrEqualTo",
    }
)


def is_path(value: object) -> bool:
    """Whether ``value`` is a JSONPath reference as a whole value (``"$.Attributes.x"``)."""
    return isinstance(value, str) and _WHOLE.match(value.strip()) is not None


def parse_path(path: str) -> list[str | int]:
    """``"$.A['b c'].d[0]"`` -> ``["A", "b c", "d", 0]``."""
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError(f"not a JSONPath reference: {path!r}")
    parts: list[str | int] = []
    position = 1
    while position < len(text):
        match = _PARTS.match(text, position)
        if match is None:
            raise ValueError(f"not a JSONPath reference: {path!r}")
        name, index, single, double = match.groups()
        if index is not None:
            parts.append(int(index))
        else:
            parts.append(name if name is not None else single if single is not None else double)
        position = match.end()
    return parts


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """The value ``path`` names in ``data``, or None."""
    current: Any = data
    for part in parse_path(path):
        if isinstance(part, int):
            if isinstance(current, list) and 0 <= part < len(current):
                current = current[part]
                continue
            return None
        if isinstance(current, Mapping) and part in current:
            current = current[part]
            continue
        return None
    return current


def as_text(value: Any) -> str:
    """A value as a flow shows it in text: strings as they are, JSON for the rest, "" for None."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    return json.dumps(value, separators=(",", ":"))


Reader = Callable[[str, Any], None]


def resolve(value: Any, data: Mapping[str, Any], read: Reader | None = None) -> Any:
    """A parameter's value: a whole-value reference becomes what it names, references inside
    text are replaced, mappings and lists are resolved member by member (keys too)."""
    if isinstance(value, str):
        if is_path(value):
            found = lookup(data, value)
            if read is not None:
                read(value.strip(), found)
            return found
        return render(value, data, read)
    if isinstance(value, Mapping):
        return {as_text(resolve(k, data, read)): resolve(v, data, read) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, data, read) for v in value]
    return value


def render(text: str, data: Mapping[str, Any], read: Reader | None = None) -> str:
    """``text`` with every reference in it replaced by its value as text."""
    if "$" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        path = match.group(0)
        found = lookup(data, path)
        if read is not None:
            read(path, found)
        return as_text(found)

    return _INLINE.sub(replace, text)


def substitute_placeholders(value: Any, placeholders: Mapping[str, str]) -> Any:
    """``${Name}`` and ``{{Name}}`` in every string of ``value`` replaced from ``placeholders``
    (keys and values of mappings alike); names not in the mapping stay as written."""
    if not placeholders:
        return value
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            return placeholders.get(name, match.group(0))

        return _BRACE_PLACEHOLDER.sub(replace, _DOLLAR_PLACEHOLDER.sub(replace, value))
    if isinstance(value, Mapping):
        return {
            substitute_placeholders(k, placeholders): substitute_placeholders(v, placeholders)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [substitute_placeholders(v, placeholders) for v in value]
    return value


def as_number(value: Any) -> float | None:
    """A number, also when written as a string (``"6"``, ``" 2.5 "``); None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def evaluate(operator: str, value: Any, operand: Any) -> bool:
    """One condition: ``value`` (what the action compares) against ``operand``.

    Text operators compare as text, case-sensitive; number operators read both sides as
    numbers (strings included) and are false when either is not one; nothing (None) matches
    no condition."""
    if value is None:
        return False
    if operator.startswith("Number"):
        left, right = as_number(value), as_number(operand)
        if left is None or right is None:
            return False
        if operator == "NumberGreaterThan":
            return left > right
        if operator == "NumberGreaterOrEqualTo":
            return left >= right
        if operator == "NumberLessThan":
            return left < right
        if operator == "NumberLessOrEqualTo":
            return left <= right
        raise ValueError(f"unknown operator {operator}")
    text, wanted = as_text(value), as_text(operand)
    if operator == "Equals":
        return text == wanted
    if operator == "TextStartsWith":
        return text.startswith(wanted)
    if operator == "TextEndsWith":
        return text.endswith(wanted)
    if operator == "TextContains":
        return wanted in text
    raise ValueError(f"unknown operator {operator}")
