"""Values in flows (``_flows._values``), rule by rule, pure: how values show as text, the edges of
the number comparisons and of list indexes, the exact words of a bad reference or operator, and
that every reference read while resolving is reported, in keys and lists too (found by
``make mutate --module emulator._flows._values``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from connect_participant_emulator._flows._values import as_text, evaluate, lookup, parse_path, resolve


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "true"), (False, "false"), (2.0, "2"), (-3.0, "-3"), (2.5, "2.5"), (7, "7"), (None, "")],
)
def test_values_show_as_text_the_way_json_writes_them(value: Any, text: str) -> None:
    assert as_text(value) == text


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        ("NumberLessThan", "5", 5, False),
        ("NumberLessThan", "4.5", 5, True),
        ("NumberLessOrEqualTo", "5", 5, True),
        ("NumberLessOrEqualTo", "5.5", 5, False),
        ("NumberGreaterThan", 5, "5", False),
        ("NumberGreaterOrEqualTo", 5, "5", True),
    ],
)
def test_number_comparisons_at_their_edge(operator: str, left: Any, right: Any, expected: bool) -> None:
    assert evaluate(operator, left, right) is expected


@pytest.mark.parametrize("operator", ["NumberAbout", "TextLike"])
def test_an_unknown_operator_is_named(operator: str) -> None:
    with pytest.raises(ValueError, match=f"^unknown operator {operator}$"):
        evaluate(operator, "1", "1")


def test_list_indexes_run_from_0_to_one_before_the_length() -> None:
    data = {"L": ["first", "second"]}
    assert lookup(data, "$.L[0]") == "first"
    assert lookup(data, "$.L[1]") == "second"
    assert lookup(data, "$.L[2]") is None


@pytest.mark.parametrize("path", ["Attributes.x", "$.Attributes..x", "$.A[x]"])
def test_a_bad_reference_is_quoted_in_the_error(path: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(f'not a JSONPath reference: {path!r}')}$"):
        parse_path(path)


def test_every_reference_read_is_reported_in_keys_and_lists_too() -> None:
    data = {"A": {"k": "key", "v": "value", "i": "item"}}
    read: list[tuple[str, Any]] = []
    resolved = resolve(
        {"$.A.k": "$.A.v", "list": ["$.A.i", "x $.A.i y"]}, data, lambda p, v: read.append((p, v))
    )
    assert resolved == {"key": "value", "list": ["item", "x item y"]}
    assert sorted(read) == sorted(
        [("$.A.k", "key"), ("$.A.v", "value"), ("$.A.i", "item"), ("$.A.i", "item")]
    )
