"""Build the project's OpenAPI document from AWS's service model for ``connectparticipant``.

The committed ``spec/connect-participant.openapi.json`` is the source of truth; this script
is how it is refreshed when AWS changes the API: ``make spec && make generate``.
It reads the model that ships in botocore (a dev-only dependency) and writes OpenAPI 3.1:

- one path per operation with AWS's method and URI, ``operationId`` = AWS's action name,
  one tag (``participant``) so every operation lands in one generated module folder;
- the ``X-Amz-Bearer`` header as a required header parameter (the service authenticates
  with the participant/connection token, never SigV4, so no SigV4 parameters appear);
- every request body as ``<Operation>Request`` (the model's shape minus its header and URI
  members) and every response as ``<Operation>Response``;
- every structure, enum, list and map of the model with its required members, enum values
  and min/max bounds; scalar shapes are inlined where they are used;
- every error with its HTTP status on the operations that raise it. Error schemas accept
  both ``message`` (what AWS sends on the wire) and ``Message`` (the model's name) and
  require nothing, so a real AWS error body parses;
- descriptions turned from the model's HTML into short Markdown (first paragraph).

Model patterns that Python's ``re`` cannot compile (``\\p{L}`` classes) are kept as
``x-aws-pattern`` instead of ``pattern`` so that validators built on ``re`` still work.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

SERVICE = "connectparticipant"
API_VERSION = "2018-09-07"
TAG = "participant"
BEARER = "X-Amz-Bearer"

ERROR_HEADER_DESCRIPTION = "The AWS error code, optionally followed by `:` and a documentation URL."


def load_model() -> dict[str, Any]:
    import botocore

    base = Path(botocore.__file__).parent / "data" / SERVICE / API_VERSION
    plain = base / "service-2.json"
    if plain.exists():
        return json.loads(plain.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    with gzip.open(base / "service-2.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


class _MarkdownParser(HTMLParser):
    """Turns the model's documentation HTML into Markdown paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._buf: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.paragraphs.append(text)
        self._buf = []

    def _out(self, text: str) -> None:
        if self._link_text is not None:
            self._link_text.append(text)
        else:
            self._buf.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p" and "".join(self._buf).strip() == "-":
            pass  # a paragraph inside a list item stays in the item
        elif tag in ("p", "ul", "ol", "note", "important"):
            self._flush()
        elif tag == "li":
            self._flush()
            self._out("- ")
        elif tag == "code":
            self._out("`")
        elif tag in ("b", "strong"):
            self._out("**")
        elif tag in ("i", "em"):
            self._out("*")
        elif tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li", "ul", "ol", "note", "important"):
            self._flush()
        elif tag == "code":
            self._out("`")
        elif tag in ("b", "strong"):
            self._out("**")
        elif tag in ("i", "em"):
            self._out("*")
        elif tag == "a" and self._link_text is not None:
            text = "".join(self._link_text)
            self._link_text = None
            if self._href and self._href.startswith("http"):
                self._out(f"[{text}]({self._href})")
            else:
                self._out(text)
            self._href = None

    def handle_data(self, data: str) -> None:
        self._out(data)

    def close(self) -> None:
        super().close()
        self._flush()


def describe(doc: str | None) -> str | None:
    """The first paragraph of an HTML documentation string, as one line of Markdown."""
    if not doc:
        return None
    parser = _MarkdownParser()
    parser.feed(doc)
    parser.close()
    for paragraph in parser.paragraphs:
        text = html.unescape(paragraph).strip()
        if text.startswith("-"):
            continue  # a list item (links to other docs): not a summary
        # keep it short: first sentence-ish chunk of at most ~400 characters
        if len(text) > 400:
            cut = text.rfind(". ", 0, 400)
            text = text[: cut + 1] if cut > 0 else text[:400].rstrip() + "…"
        if text:
            return text
    return None


def _python_re_ok(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


class SpecBuilder:
    def __init__(self, model: dict[str, Any]) -> None:
        self.model = model
        self.shapes: dict[str, Any] = model["shapes"]
        self.components: dict[str, Any] = {}

    # -- shapes -------------------------------------------------------------------------

    def _named(self, name: str) -> bool:
        """Structures and enums get a component schema; other scalars and lists are inlined."""
        shape = self.shapes[name]
        return shape["type"] == "structure" or "enum" in shape

    def ref_or_inline(self, name: str) -> dict[str, Any]:
        if self._named(name):
            self.component(name)
            return {"$ref": f"#/components/schemas/{name}"}
        return self.schema_of(name)

    def component(self, name: str) -> None:
        if name in self.components:
            return
        self.components[name] = {}  # placeholder against recursion
        self.components[name] = self.schema_of(name)

    def schema_of(self, name: str, *, drop_members: frozenset[str] = frozenset()) -> dict[str, Any]:
        shape = self.shapes[name]
        kind = shape["type"]
        schema: dict[str, Any]
        if kind == "structure":
            schema = {"type": "object"}
            properties: dict[str, Any] = {}
            for member, spec in shape["members"].items():
                if member in drop_members:
                    continue
                prop = self.ref_or_inline(spec["shape"])
                doc = describe(spec.get("documentation"))
                if doc:
                    prop = {**prop, "description": doc}
                properties[member] = prop
            required = [m for m in shape.get("required", []) if m not in drop_members]
            if required:
                schema["required"] = required
            schema["properties"] = properties
        elif kind == "list":
            schema = {"type": "array", "items": self.ref_or_inline(shape["member"]["shape"])}
            if "min" in shape:
                schema["minItems"] = shape["min"]
            if "max" in shape:
                schema["maxItems"] = shape["max"]
        elif kind == "map":
            key = self.shapes[shape["key"]["shape"]]
            names: dict[str, Any] = {"type": "string"}
            if "min" in key:
                names["minLength"] = key["min"]
            if "max" in key:
                names["maxLength"] = key["max"]
            schema = {
                "type": "object",
                "propertyNames": names,
                "additionalProperties": self.ref_or_inline(shape["value"]["shape"]),
            }
        elif kind == "string":
            schema = {"type": "string"}
            if "enum" in shape:
                schema["enum"] = list(shape["enum"])
            if "min" in shape:
                schema["minLength"] = shape["min"]
            if "max" in shape:
                schema["maxLength"] = shape["max"]
            if "pattern" in shape:
                key_name = "pattern" if _python_re_ok(shape["pattern"]) else "x-aws-pattern"
                schema[key_name] = shape["pattern"]
        elif kind in ("integer", "long"):
            schema = {"type": "integer"}
            if kind == "long":
                schema["format"] = "int64"
            if "min" in shape:
                schema["minimum"] = shape["min"]
            if "max" in shape:
                schema["maximum"] = shape["max"]
        elif kind == "boolean":
            schema = {"type": "boolean"}
        elif kind == "timestamp":
            schema = {"type": "string", "format": "date-time"}
        else:  # pragma: no cover - the model has no other kinds today
            raise SystemExit(f"unsupported shape type {kind!r} for {name}")
        if shape.get("sensitive"):
            schema["x-aws-sensitive"] = True
        if self._named(name) and shape.get("documentation"):
            doc = describe(shape["documentation"])
            if doc:
                schema = {"description": doc, **schema}
        return schema

    def error_component(self, name: str) -> None:
        """AWS error shapes, loosened to what the wire carries: `message` or `Message`, nothing required."""
        if name in self.components:
            return
        shape = self.shapes[name]
        properties: dict[str, Any] = {
            "message": {"type": "string", "description": "The error message (AWS sends this spelling)."},
        }
        for member, spec in shape["members"].items():
            prop = self.ref_or_inline(spec["shape"])
            doc = describe(spec.get("documentation"))
            if member == "Message":
                doc = "The error message (the service model's spelling)."
            if doc:
                prop = {**prop, "description": doc}
            properties[member] = prop
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        doc = describe(shape.get("documentation"))
        if doc:
            schema = {"description": doc, **schema}
        schema["x-aws-error"] = {"code": name, "httpStatusCode": shape["error"]["httpStatusCode"]}
        self.components[name] = schema

    # -- operations ---------------------------------------------------------------------

    def operation(self, op_name: str) -> tuple[str, str, dict[str, Any]]:
        op = self.model["operations"][op_name]
        method = op["http"]["method"].lower()
        path = op["http"]["requestUri"]
        input_shape = self.shapes[op["input"]["shape"]]
        parameters: list[dict[str, Any]] = []
        non_body: set[str] = set()
        for member, spec in input_shape["members"].items():
            location = spec.get("location")
            if location not in ("header", "uri", "querystring"):
                continue
            non_body.add(member)
            param_schema = self.schema_of(spec["shape"])
            doc = describe(spec.get("documentation"))
            if doc:
                param_schema = {**param_schema, "description": doc}
            parameters.append(
                {
                    "name": spec.get("locationName", member),
                    "in": {"header": "header", "uri": "path", "querystring": "query"}[location],
                    "required": member in input_shape.get("required", []) or location == "uri",
                    "schema": param_schema,
                }
            )
        operation: dict[str, Any] = {"operationId": op_name, "tags": [TAG]}
        summary = describe(op.get("documentation"))
        if summary:
            operation["description"] = summary
        if parameters:
            operation["parameters"] = parameters
        request_name = f"{op_name}Request"
        body_members = [m for m in input_shape["members"] if m not in non_body]
        if body_members:
            self.components[request_name] = self.schema_of(
                op["input"]["shape"], drop_members=frozenset(non_body)
            )
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request_name}"}}},
            }
        response_name = f"{op_name}Response"
        self.components[response_name] = self.schema_of(op["output"]["shape"])
        request_id_header = {
            "x-amzn-RequestId": {"description": "The request's id.", "schema": {"type": "string"}}
        }
        responses: dict[str, Any] = {
            "200": {
                "description": "Success.",
                "headers": request_id_header,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{response_name}"}}
                },
            }
        }
        for error in sorted(
            op.get("errors", []), key=lambda e: self.shapes[e["shape"]]["error"]["httpStatusCode"]
        ):
            name = error["shape"]
            self.error_component(name)
            status = str(self.shapes[name]["error"]["httpStatusCode"])
            responses[status] = {
                "description": name,
                "headers": {
                    "x-amzn-ErrorType": {
                        "description": ERROR_HEADER_DESCRIPTION,
                        "schema": {"type": "string"},
                    },
                    **request_id_header,
                },
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
            }
        operation["responses"] = responses
        return path, method, operation

    def build(self) -> dict[str, Any]:
        meta = self.model["metadata"]
        paths: dict[str, dict[str, Any]] = {}
        for op_name in sorted(self.model["operations"]):
            path, method, operation = self.operation(op_name)
            paths.setdefault(path, {})[method] = operation
        return {
            "openapi": "3.1.0",
            "info": {
                "title": meta["serviceFullName"],
                "version": meta["apiVersion"],
                "description": describe(self.model.get("documentation"))
                or "The Amazon Connect Participant Service.",
                "x-aws-service-id": meta["serviceId"],
                "x-generated-by": "scripts/build_spec.py from botocore's service model; do not edit by hand",
            },
            "servers": [
                {
                    "url": "https://participant.connect.{region}.amazonaws.com",
                    "variables": {"region": {"default": "us-east-1", "description": "The AWS Region."}},
                }
            ],
            "tags": [{"name": TAG, "description": "Operations of a chat participant."}],
            "paths": dict(sorted(paths.items())),
            "components": {"schemas": dict(sorted(self.components.items()))},
        }


def build_spec(model: dict[str, Any] | None = None) -> dict[str, Any]:
    return SpecBuilder(model if model is not None else load_model()).build()


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    text = render(build_spec())
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
