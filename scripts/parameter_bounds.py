"""Write a small table per operation from the spec: its parameters' bounds and its answer's model.

openapi-python-client 0.29.1 keeps no raw schema for parameters (the model
template puts the request bodies' bounds beside each model as ``CONSTRAINTS``),
so ``make generate`` runs this after the generator and writes
``connect_participant_api/_parameter_bounds.py``; ``make check-generated``
compares it with the rest of ``generated/``.

    PARAMETER_BOUNDS[operation module][python keyword] = {"in": "header", "name": "X-Amz-Bearer", ...}
    RESPONSE_MODELS[operation module] = "SendMessageResponse"  # the model of the 2xx answer (or None)

The facade reads both: bounds to check arguments before sending, the model to parse an answer
without building an ``httpx.Response`` for the generated ``_parse_response``.

Operation modules and keywords are named as the generator names them
(``SendMessage`` → ``send_message``, ``X-Amz-Bearer`` → ``x_amz_bearer``).
"""

from __future__ import annotations

import argparse
import json
import pprint
from pathlib import Path
from typing import Any

from openapi_python_client.strings import ClassName, PythonIdentifier, snake_case

_KEYS = {
    "type": "type",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minimum": "minimum",
    "maximum": "maximum",
    "pattern": "pattern",
    "enum": "enum",
}


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return [op for item in spec["paths"].values() for method, op in item.items() if method in methods]


def response_models(spec: dict[str, Any]) -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for operation in _operations(spec):
        model = None
        for status, response in sorted(operation.get("responses", {}).items()):
            if status.startswith("2"):
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                ref = schema.get("$ref")
                model = str(ClassName(ref.rsplit("/", 1)[-1], prefix="")) if ref else None
                break
        table[snake_case(operation["operationId"])] = model
    return dict(sorted(table.items()))


def parameter_bounds(spec: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for operation in _operations(spec):
        params: dict[str, dict[str, Any]] = {}
        for param in operation.get("parameters", []):
            schema = param.get("schema", {})
            bounds: dict[str, Any] = {"in": param["in"], "name": param["name"]}
            bounds.update({ours: schema[theirs] for theirs, ours in _KEYS.items() if theirs in schema})
            params[str(PythonIdentifier(param["name"], prefix="field"))] = bounds
        table[snake_case(operation["operationId"])] = params
    return dict(sorted(table.items()))


def render(spec: dict[str, Any]) -> str:
    bounds = pprint.pformat(parameter_bounds(spec), width=110, sort_dicts=False)
    models = pprint.pformat(response_models(spec), width=110, sort_dicts=False)
    return (
        '"""Per operation, from the spec: the bounds of its header and path parameters, and the model '
        'of its answer (written by scripts/parameter_bounds.py)."""\n\n'
        "from typing import Any, Final\n\n"
        f"PARAMETER_BOUNDS: Final[dict[str, dict[str, dict[str, Any]]]] = {bounds}\n\n"
        f"RESPONSE_MODELS: Final[dict[str, str | None]] = {models}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    args.output.write_text(render(spec), encoding="utf-8")


if __name__ == "__main__":
    main()
