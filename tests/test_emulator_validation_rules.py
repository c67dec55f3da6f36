"""The emulator's schema validator (``_validation``), rule by rule, pure: AWS's wording of each
failed constraint, how values are shown in it, every bound at its edge (inclusive or exclusive),
the member paths, ``$ref`` pointers and their loops, the combinators (found by
``make mutate --module emulator._validation``)."""

from __future__ import annotations

from typing import Any

import pytest
from connect_participant_emulator._validation import SchemaValidator, ValidationIssue, format_issues

V = SchemaValidator({})


def _words(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    return [f"{i.path}: {i.constraint}" for i in V.validate(value, schema, path)]


# --- the message ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        ("abc", "'abc'"),
        ("x" * 64, "'" + "x" * 64 + "'"),
        ("x" * 65, "'" + "x" * 61 + "...'"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (2.5, "2.5"),
        ({"a": 1}, "'{\"a\": 1}'"),
        (["y" * 80], "'[\"" + "y" * 59 + "'"),
    ],
)
def test_values_are_shown_as_aws_shows_them(value: Any, shown: str) -> None:
    assert format_issues([ValidationIssue("content", value, "C")]) == (
        f"1 validation error detected: Value {shown} at 'content' failed to satisfy constraint: C"
    )


def test_several_issues_are_counted_and_joined() -> None:
    issues = [ValidationIssue("a", 1, "C1"), ValidationIssue("b", None, "C2")]
    assert format_issues(issues) == (
        "2 validation errors detected: Value 1 at 'a' failed to satisfy constraint: C1; "
        "Value null at 'b' failed to satisfy constraint: C2"
    )


# --- types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        ("string", ["", "a"], [1, None, b"a"]),
        ("integer", [0, -3, 2.0], [True, 2.5, "1", None]),
        ("number", [0, 2.5, -1], [True, False, "1", None]),
        ("boolean", [True, False], [0, 1, "true", None]),
        ("object", [{}, {"a": 1}], [[], "x", None]),
        ("array", [[], [1]], [{}, "x", None, (1,)]),
        ("null", [None], [0, "", False]),
    ],
)
def test_each_type_name(name: str, good: list[Any], bad: list[Any]) -> None:
    for value in good:
        assert V.validate(value, {"type": name}) == []
    for value in bad:
        assert _words(value, {"type": name}) == [f"body: Member must be of type {name}"]


def test_an_unknown_type_name_accepts_anything_and_a_list_of_names_any_of_them() -> None:
    assert V.validate(object(), {"type": "future"}) == []
    assert V.validate(None, {"type": ["string", "null"]}) == []
    assert _words(3, {"type": ["string", "null"]}) == ["body: Member must be of type string or null"]


def test_a_value_of_the_wrong_type_gets_no_other_issue() -> None:
    assert _words(5, {"type": "string", "minLength": 10, "enum": ["a"]}) == [
        "body: Member must be of type string"
    ]


# --- constraints ----------------------------------------------------------------------------------


def test_const_and_enum() -> None:
    assert _words("b", {"const": "a"}) == ["body: Member must equal 'a'"]
    assert V.validate("a", {"const": "a"}) == []
    assert _words("c", {"enum": ["a", "b"]}) == ["body: Member must satisfy enum value set: [a, b]"]
    assert V.validate("b", {"enum": ["a", "b"]}) == []


def test_string_lengths_at_their_edges_and_patterns() -> None:
    schema = {"minLength": 2, "maxLength": 4}
    assert V.validate("ab", schema) == V.validate("abcd", schema) == []
    assert _words("a", schema) == ["body: Member must have length greater than or equal to 2"]
    assert _words("abcde", schema) == ["body: Member must have length less than or equal to 4"]
    assert _words("ab", {"pattern": "^[0-9]+$"}) == [
        "body: Member must satisfy regular expression pattern: ^[0-9]+$"
    ]
    assert V.validate("x12", {"pattern": "[0-9]+"}) == []  # searched, not matched from the start
    assert V.validate("anything", {"pattern": r"^\p{L}+$"}) == []  # a pattern Python cannot read: not checked
    assert V.validate("x", {"minLength": "2", "maxLength": None, "pattern": 5}) == []


def test_numbers_at_their_edges_inclusive_and_exclusive() -> None:
    assert V.validate(1, {"minimum": 1, "maximum": 1}) == []
    assert _words(0.5, {"minimum": 1}) == ["body: Member must have value greater than or equal to 1"]
    assert _words(1.5, {"maximum": 1}) == ["body: Member must have value less than or equal to 1"]
    assert _words(1, {"exclusiveMinimum": 1}) == ["body: Member must have value greater than 1"]
    assert _words(1, {"exclusiveMaximum": 1}) == ["body: Member must have value less than 1"]
    assert V.validate(1.5, {"exclusiveMinimum": 1, "exclusiveMaximum": 2}) == []
    # draft-4 style booleans are not bounds
    assert V.validate(0, {"exclusiveMinimum": True, "exclusiveMaximum": False}) == []
    assert V.validate(5, {"minimum": "9", "maximum": None}) == []
    assert V.validate(True, {"minimum": 5}) == []  # a boolean is no number


def test_arrays_lengths_and_items_with_their_paths() -> None:
    schema = {"minItems": 1, "maxItems": 2, "items": {"type": "string"}}
    assert V.validate(["a"], schema) == V.validate(["a", "b"], schema) == []
    assert _words([], schema, "list") == ["list: Member must have length greater than or equal to 1"]
    assert _words(["a", "b", "c"], schema) == ["body: Member must have length less than or equal to 2"]
    assert _words(["a", 5], schema, "list") == ["list.2.member: Member must be of type string"]
    assert _words([5], {"items": {"type": "string"}}) == ["body.1.member: Member must be of type string"]
    assert V.validate([5], {"items": [{"type": "string"}], "minItems": "1"}) == []


def test_objects_required_members_and_their_paths() -> None:
    schema = {
        "type": "object",
        "required": ["Content", "Type"],
        "properties": {"Content": {"type": "string"}, "Type": {"type": "string"}, "Opt": {"type": "string"}},
    }
    assert _words({"Type": None}, schema) == [
        "content: Member must not be null",
        "type: Member must not be null",
    ]
    assert _words({"Content": "x", "Type": "y", "Opt": None}, schema, "outer") == [
        "outer.opt: Member must be of type string"
    ]
    assert V.validate({"Content": "x", "Type": "y", "Other": 1}, schema) == []


def test_additional_members_allowed_refused_or_checked() -> None:
    assert _words({"x": 1}, {"additionalProperties": False}) == ["x: Member is not allowed"]
    assert _words({"x": 1}, {"additionalProperties": {"type": "string"}}) == [
        "x: Member must be of type string"
    ]
    assert V.validate({"x": 1}, {"additionalProperties": True}) == []
    issues = V.validate({"x": 7}, {"additionalProperties": False})
    assert issues == [ValidationIssue("x", 7, "Member is not allowed")]


def test_property_names_are_checked_as_keys() -> None:
    schema = {"propertyNames": {"maxLength": 2}, "additionalProperties": {"type": "string"}}
    assert _words({"abc": "v"}, schema, "Attributes") == [
        "Attributes.abc.key: Member must have length less than or equal to 2"
    ]
    assert V.validate({"ab": "v"}, schema) == []


def test_member_paths_lower_the_first_letter_only() -> None:
    schema = {"properties": {"ClientToken": {"type": "string"}, "": {"type": "string"}}}
    assert _words({"ClientToken": 1}, schema) == ["clientToken: Member must be of type string"]
    assert _words({"": 1}, schema, "p") == ["p.: Member must be of type string"]


def test_combinators() -> None:
    assert _words("a", {"allOf": [{"minLength": 2}, {"pattern": "^b"}]}) == [
        "body: Member must have length greater than or equal to 2",
        "body: Member must satisfy regular expression pattern: ^b",
    ]
    any_of = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert V.validate(3, any_of) == V.validate("3", any_of) == []
    assert _words(2.5, any_of) == ["body: Member must match at least one allowed form"]
    one_of = {"oneOf": [{"type": "number"}, {"type": "integer"}]}
    assert V.validate(2.5, one_of) == []
    assert _words(2, one_of) == ["body: Member must match exactly one allowed form"]
    assert _words("x", one_of) == ["body: Member must match exactly one allowed form"]


# --- $ref -------------------------------------------------------------------------------------------


def test_refs_follow_local_pointers_with_escapes() -> None:
    document = {"components": {"a/b": {"$ref": "#/components/c~0d"}, "c~d": {"type": "string"}}}
    validator = SchemaValidator(document)
    assert validator.resolve({"$ref": "#/components/a~1b"}) == {"type": "string"}
    assert (
        validator.validate(1, {"$ref": "#/components/a~1b"})[0].constraint == "Member must be of type string"
    )


@pytest.mark.parametrize("ref", ["other.json#/a", "#a", 5])
def test_only_local_pointers_are_supported(ref: Any) -> None:
    with pytest.raises(ValueError, match=f"^unsupported \\$ref {ref!r}$"):
        SchemaValidator({}).resolve({"$ref": ref})


def test_a_ref_loop_stops_after_64_steps() -> None:
    chain: dict[str, Any] = {f"s{i}": {"$ref": f"#/s{i + 1}"} for i in range(63)}
    chain["s63"] = {"type": "string"}
    assert SchemaValidator(chain).resolve({"$ref": "#/s0"}) == {"type": "string"}  # 64 steps
    longer: dict[str, Any] = {f"s{i}": {"$ref": f"#/s{i + 1}"} for i in range(64)}
    longer["s64"] = {"type": "string"}
    with pytest.raises(ValueError, match=r"^\$ref loop$"):
        SchemaValidator(longer).resolve({"$ref": "#/s0"})


@pytest.mark.parametrize(
    ("value", "schema"),
    [
        (5, {"type": "string"}),
        ("b", {"const": "a"}),
        ("c", {"enum": ["a"]}),
        ("a", {"minLength": 2}),
        ("abc", {"maxLength": 2}),
        ("a", {"pattern": "^b"}),
        (0, {"minimum": 1}),
        (2, {"maximum": 1}),
        (1, {"exclusiveMinimum": 1}),
        (1, {"exclusiveMaximum": 1}),
        ([], {"minItems": 1}),
        ([1, 2], {"maxItems": 1}),
        ({"x": 1}, {"additionalProperties": False}),
        (2.5, {"anyOf": [{"type": "string"}]}),
        (2, {"oneOf": [{"type": "number"}, {"type": "integer"}]}),
    ],
)
def test_each_issue_carries_the_value_that_failed(value: Any, schema: dict[str, Any]) -> None:
    (issue,) = V.validate(value, schema)
    expected = value["x"] if isinstance(value, dict) else value
    assert issue.value == expected
    assert type(issue.value) is type(expected)


def test_a_missing_required_member_is_named_below_its_parent() -> None:
    schema = {"properties": {"Inner": {"required": ["Content"]}}}
    assert _words({"Inner": {}}, schema, "outer") == ["outer.inner.content: Member must not be null"]


def test_members_and_all_of_keep_the_parents_path() -> None:
    assert _words({"x": 1}, {"additionalProperties": False}, "outer") == ["outer.x: Member is not allowed"]
    assert _words("a", {"allOf": [{"minLength": 2}]}, "outer") == [
        "outer: Member must have length greater than or equal to 2"
    ]


def test_a_null_optional_member_is_checked_even_with_no_required_list() -> None:
    assert _words({"Opt": None}, {"properties": {"Opt": {"type": "string"}}}) == [
        "opt: Member must be of type string"
    ]


def test_a_missing_required_member_does_not_hide_the_members_after_it() -> None:
    schema = {"required": ["A"], "properties": {"A": {"type": "string"}, "B": {"type": "string"}}}
    assert _words({"A": None, "B": 5}, schema) == [
        "a: Member must not be null",
        "b: Member must be of type string",
    ]


def test_one_of_counts_the_forms_that_match_not_those_that_fail() -> None:
    three = {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]}
    assert V.validate("x", three) == []
    assert _words(2.5, three) == ["body: Member must match exactly one allowed form"]
