"""The committed spec against AWS's service model (botocore), member by member."""

from __future__ import annotations

from typing import Any

import pytest
from _botocore_reference import needs_reference_model
from _spec_tools import SPEC_PATH, load_script, resolve, spec

pytestmark = needs_reference_model  # AWS's model, as the spec was built from it

build_spec = load_script("build_spec")

MODEL: dict[str, Any] = build_spec.load_model()
SHAPES: dict[str, Any] = MODEL["shapes"]
OPS: dict[str, Any] = MODEL["operations"]


def _spec_operation(name: str) -> tuple[str, str, dict[str, Any]]:
    for path, methods in spec()["paths"].items():
        for method, op in methods.items():
            if op["operationId"] == name:
                return path, method, op
    raise AssertionError(f"{name} missing from the spec")


def _assert_same(
    shape_name: str, schema: dict[str, Any], where: str, drop: frozenset[str] = frozenset()
) -> None:
    """`schema` says what AWS's shape `shape_name` says: members, required, enums, bounds."""
    shape = SHAPES[shape_name]
    schema = resolve(schema)
    kind = shape["type"]
    if kind == "structure":
        members = {m: s for m, s in shape["members"].items() if m not in drop}
        assert schema["type"] == "object", where
        assert set(schema["properties"]) == set(members), f"{where}: members differ"
        assert sorted(schema.get("required", [])) == sorted(
            m for m in shape.get("required", []) if m not in drop
        ), f"{where}: required differs"
        for member, spec_member in members.items():
            _assert_same(spec_member["shape"], schema["properties"][member], f"{where}.{member}")
    elif kind == "list":
        assert schema["type"] == "array", where
        assert schema.get("minItems") == shape.get("min"), f"{where}: minItems"
        assert schema.get("maxItems") == shape.get("max"), f"{where}: maxItems"
        _assert_same(shape["member"]["shape"], schema["items"], f"{where}[]")
    elif kind == "map":
        assert schema["type"] == "object", where
        key = SHAPES[shape["key"]["shape"]]
        assert schema["propertyNames"].get("minLength") == key.get("min"), where
        assert schema["propertyNames"].get("maxLength") == key.get("max"), where
        _assert_same(shape["value"]["shape"], schema["additionalProperties"], f"{where}{{}}")
    elif kind == "string":
        assert schema["type"] == "string", where
        assert schema.get("enum") == shape.get("enum"), f"{where}: enum"
        assert schema.get("minLength") == shape.get("min"), f"{where}: minLength"
        assert schema.get("maxLength") == shape.get("max"), f"{where}: maxLength"
        assert schema.get("pattern", schema.get("x-aws-pattern")) == shape.get("pattern"), f"{where}: pattern"
    elif kind in ("integer", "long"):
        assert schema["type"] == "integer", where
        assert schema.get("minimum") == shape.get("min"), f"{where}: minimum"
        assert schema.get("maximum") == shape.get("max"), f"{where}: maximum"
    elif kind == "boolean":
        assert schema["type"] == "boolean", where
    else:
        raise AssertionError(f"{where}: unexpected shape kind {kind}")


def test_spec_has_all_eleven_operations() -> None:
    names = sorted(op["operationId"] for methods in spec()["paths"].values() for op in methods.values())
    assert names == sorted(OPS)
    assert len(names) == 11
    assert {"DescribeView", "GetAuthenticationUrl", "CancelParticipantAuthentication"} <= set(names)


@pytest.mark.parametrize("name", sorted(OPS))
def test_operation_matches_model(name: str) -> None:
    op = OPS[name]
    path, method, spec_op = _spec_operation(name)
    assert (method.upper(), path) == (op["http"]["method"], op["http"]["requestUri"])
    assert "#" not in path
    assert spec_op["tags"] == ["participant"]

    input_shape = SHAPES[op["input"]["shape"]]
    located = {m: s for m, s in input_shape["members"].items() if "location" in s}
    params = {p["name"]: p for p in spec_op.get("parameters", [])}
    assert set(params) == {s["locationName"] for s in located.values()}
    assert not any(p.lower().startswith(("x-amz-date", "authorization", "x-amz-security")) for p in params)
    for member, s in located.items():
        param = params[s["locationName"]]
        assert param["in"] == {"header": "header", "uri": "path"}[s["location"]]
        assert param["required"] is (member in input_shape.get("required", []) or s["location"] == "uri")
        _assert_same(s["shape"], param["schema"], f"{name}.{member}")
    assert params["X-Amz-Bearer"]["required"] is True

    body = spec_op.get("requestBody")
    if set(input_shape["members"]) - set(located):
        assert body is not None
        assert body["required"] is True
        _assert_same(
            op["input"]["shape"],
            body["content"]["application/json"]["schema"],
            f"{name}Request",
            drop=frozenset(located),
        )
    else:
        assert body is None

    ok = spec_op["responses"]["200"]["content"]["application/json"]["schema"]
    _assert_same(op["output"]["shape"], ok, f"{name}Response")

    expected_errors = {str(SHAPES[e["shape"]]["error"]["httpStatusCode"]): e["shape"] for e in op["errors"]}
    got_errors = {
        status: r["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        for status, r in spec_op["responses"].items()
        if status != "200"
    }
    assert got_errors == expected_errors


@pytest.mark.parametrize("name", sorted({e["shape"] for op in OPS.values() for e in op["errors"]}))
def test_error_schema_accepts_both_spellings_and_requires_nothing(name: str) -> None:
    schema = spec()["components"]["schemas"][name]
    assert "required" not in schema
    assert {"message", "Message"} <= set(schema["properties"])
    assert set(schema["properties"]) == set(SHAPES[name]["members"]) | {"message"}
    assert schema["x-aws-error"]["httpStatusCode"] == SHAPES[name]["error"]["httpStatusCode"]


def test_descriptions_are_markdown_without_html() -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    for tag in ("<p>", "</p>", "<code>", "<a href", "<ul>", "<li>", "<b>", "<i>"):
        assert tag not in text


def test_server_url_has_a_region_variable() -> None:
    (server,) = spec()["servers"]
    assert "{region}" in server["url"]
    assert server["variables"]["region"]["default"]


def test_build_script_reproduces_the_committed_spec() -> None:
    assert build_spec.render(build_spec.build_spec()) == SPEC_PATH.read_text(encoding="utf-8")
