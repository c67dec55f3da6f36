"""Reading the committed OpenAPI document in tests: operations, schemas, valid examples."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "connect-participant.openapi.json"


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` imported as module ``name`` (the scripts folder is not a package)."""
    found = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert found is not None
    assert found.loader is not None
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module
    found.loader.exec_module(module)
    return module


@cache
def spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema a `$ref` points at (with sibling keys such as `description` kept)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = spec()["components"]["schemas"][name]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return {**target, **extra}
    return schema


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    body_schema: str | None
    response_schema: str
    errors: dict[int, str]

    @property
    def module(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()


def operations() -> list[Operation]:
    out = []
    for path, methods in spec()["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            responses = op["responses"]
            ok = ref_name(responses["200"]["content"]["application/json"]["schema"])
            assert ok is not None
            errors = {
                int(status): str(ref_name(r["content"]["application/json"]["schema"]))
                for status, r in responses.items()
                if status != "200"
            }
            out.append(
                Operation(op["operationId"], method, path, ref_name(body) if body else None, ok, errors)
            )
    return sorted(out, key=lambda o: o.name)


def enum_schemas() -> dict[str, list[str]]:
    return {n: s["enum"] for n, s in spec()["components"]["schemas"].items() if "enum" in s}


def example(schema: dict[str, Any], *, enum_value: str | None = None, seed: str = "x") -> Any:
    """A valid value of `schema` with every property present.

    With `enum_value`, every enum takes that value instead of a listed one (to test that
    values AWS adds later are kept).
    """
    schema = resolve(schema)
    if "enum" in schema:
        return enum_value if enum_value is not None else schema["enum"][-1]
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        return {
            name: example(prop, enum_value=enum_value, seed=name)
            for name, prop in schema["properties"].items()
        }
    if kind == "object":  # a map
        return {"X-Key-" + seed: example(schema["additionalProperties"], enum_value=enum_value, seed=seed)}
    if kind == "array":
        count = max(1, min(2, schema.get("maxItems", 2)))
        return [example(schema["items"], enum_value=enum_value, seed=f"{seed}{i}") for i in range(count)]
    if kind == "integer":
        low = schema.get("minimum", 1)
        high = schema.get("maximum", low + 41)
        return min(max(low, 7), high)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("pattern", "").startswith("[a-fA-F0-9]{8}"):
            return "0123abcd-0123-4567-89ab-0123456789ab"
        if "pattern" in schema:
            return "view-1"
        low, high = schema.get("minLength", 1), schema.get("maxLength", 64)
        value = f"{seed}-value"
        if len(value) < low:
            value = value + "x" * (low - len(value))
        return value[:high]
    raise AssertionError(f"no example for {schema}")


def walk_enums(schema: dict[str, Any], seen: set[str] | None = None) -> Iterator[str]:
    """Names of the enum schemas reachable from `schema`."""
    seen = set() if seen is None else seen
    name = ref_name(schema)
    if name is not None:
        if name in seen:
            return
        seen.add(name)
    schema = resolve(schema)
    if "enum" in schema and name:
        yield name
    for prop in schema.get("properties", {}).values():
        yield from walk_enums(prop, seen)
    if "items" in schema:
        yield from walk_enums(schema["items"], seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from walk_enums(schema["additionalProperties"], seen)


def mismatches(value: Any, schema: dict[str, Any], where: str = "$") -> Iterator[str]:
    """Where ``value`` leaves ``schema``: members the spec does not know (a misspelled optional
    member), required members missing, JSON types that differ; nested objects and arrays too."""
    schema = resolve(schema)
    kind = schema.get("type")
    json_types: dict[str, type | tuple[type, ...]] = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    if kind in json_types and (
        not isinstance(value, json_types[kind]) or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        yield f"{where}: {type(value).__name__}, the spec says {kind}"
        return
    if kind == "object" and "properties" in schema:
        properties = schema["properties"]
        for name in value:
            if name not in properties:
                yield f"{where}: member {name!r} is not in the spec"
            else:
                yield from mismatches(value[name], properties[name], f"{where}.{name}")
        for name in schema.get("required", []):
            if name not in value:
                yield f"{where}: required member {name!r} is missing"
    elif kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        for name, item in value.items():
            yield from mismatches(item, schema["additionalProperties"], f"{where}[{name!r}]")
    elif kind == "array":
        for i, item in enumerate(value):
            yield from mismatches(item, schema["items"], f"{where}[{i}]")
