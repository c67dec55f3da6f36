"""The lean model template (scripts/templates/model.py.jinja) keeps the stock generator's public API.

The stock client is generated from the same spec at test time (openapi-python-client's own
model template, with only our enum template that keeps unknown values) and the two packages
are compared: the same classes, fields in the same order, the same ``__init__`` signatures
and defaults, and the same ``from_dict`` results (``repr``, ``to_dict``, errors) on many
spec-shaped documents, unknown members and unknown enum values included.
"""

from __future__ import annotations

import importlib
import inspect
import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import connect_participant_api.models as lean
import pytest
from _spec_tools import ROOT, SPEC_PATH, resolve, spec

DOCS_PER_SCHEMA = 150


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    tmp = tmp_path_factory.mktemp("stock")
    templates = tmp / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "scripts" / "templates" / "str_enum.py.jinja", templates)
    out = tmp / "out"
    subprocess.run(
        ["make", "-s", "generate-into", f"SPEC={SPEC_PATH}", f"GEN_OUT={out}", f"GEN_TEMPLATES={templates}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (out / "connect_participant_api").rename(tmp / "stock_participant_api")
    sys.path.insert(0, str(tmp))
    try:
        yield importlib.import_module("stock_participant_api.models")
    finally:
        sys.path.remove(str(tmp))
        for name in [m for m in sys.modules if m.startswith("stock_participant_api")]:
            del sys.modules[name]


def test_the_stock_package_is_really_stock(stock: ModuleType) -> None:
    """The comparison means something only if the two differ in code."""
    stock_src = Path(inspect.getfile(stock.Item)).read_text()
    lean_src = Path(inspect.getfile(lean.Item)).read_text()
    assert "d.pop(" in stock_src
    assert "d.pop(" not in lean_src
    assert "CONSTRAINTS" in lean_src
    assert "CONSTRAINTS" not in stock_src


def _model_names() -> list[str]:
    return sorted(name for name in lean.__all__ if attrs.has(getattr(lean, name)))


def test_same_classes_fields_and_signatures(stock: ModuleType) -> None:
    assert sorted(lean.__all__) == sorted(stock.__all__)
    for name in _model_names():
        ours, theirs = getattr(lean, name), getattr(stock, name)
        assert _same_fields(ours, theirs), name
        assert _signature(ours) == _signature(theirs), name
        public = {n for n in dir(ours) if not n.startswith("_")}
        assert public == {n for n in dir(theirs) if not n.startswith("_")}, name


def _same_fields(ours: type, theirs: type) -> bool:
    """Field names, order and init flags; defaults compared by repr (UNSET is each package's own object)."""
    return [(f.name, _default(f.default), f.init, f.type) for f in attrs.fields(ours)] == [
        (f.name, _default(f.default), f.init, f.type) for f in attrs.fields(theirs)
    ]


def _signature(cls: type) -> list[tuple[str, object, object, object]]:
    params = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
    return [(p.name, p.kind, p.annotation, _default(p.default)) for p in params]


def _default(value: object) -> object:
    if isinstance(value, attrs.Factory):  # type: ignore[arg-type]
        return ("factory", value.factory)
    if type(value).__name__ == "Unset":
        return "UNSET"
    return value


# -- spec-shaped documents ------------------------------------------------------------------------


def _string(rng: random.Random, schema: dict[str, Any]) -> str:
    low = schema.get("minLength", 0)
    high = min(schema.get("maxLength", low + 40), low + 40)
    return "".join(rng.choice("abcXYZ09 é-_") for _ in range(rng.randint(low, high)))


def _value(rng: random.Random, schema: dict[str, Any], depth: int) -> Any:
    schema = resolve(schema)
    if "enum" in schema:
        if rng.random() < 0.15:
            return "BRAND_NEW_" + rng.choice(["VALUE", "TYPE", "ROLE"])  # a value AWS adds later
        return rng.choice(schema["enum"])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _document(rng, schema, depth + 1)
    if kind == "array":
        count = rng.randint(schema.get("minItems", 0), min(schema.get("maxItems", 3), 3))
        return [_value(rng, schema.get("items", {}), depth) for _ in range(count)]
    if kind == "integer":
        return rng.randint(int(schema.get("minimum", -5)), int(schema.get("maximum", 10**6)))
    if kind == "number":
        return rng.uniform(0, 100)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "string":
        return _string(rng, schema)
    # a schema with no type (additionalProperties values, say): any JSON
    return rng.choice([None, 1, "x", [1, "y"], {"k": "v"}])


def _document(rng: random.Random, schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    required = set(schema.get("required", ()))
    for name, sub in schema.get("properties", {}).items():
        if name in required or (depth < 4 and rng.random() < 0.7):
            # now and then a JSON null where a member belongs (a proxy or a hostile server)
            doc[name] = None if rng.random() < 0.05 else _value(rng, sub, depth)
    extra = schema.get("additionalProperties")
    if rng.random() < 0.3:  # members the spec does not (yet) know
        key = rng.choice(["NewMember", "Zz", "aNewThing"])
        doc[key] = _value(rng, extra, depth) if isinstance(extra, dict) else rng.choice([1, "v", {"a": [1]}])
    items = list(doc.items())
    rng.shuffle(items)  # members arrive in any order
    return dict(items)


def _schema(name: str) -> dict[str, Any]:
    """A component schema, or an inline object schema the generator named parent + member."""
    schemas = spec()["components"]["schemas"]
    if name in schemas:
        return schemas[name]  # type: ignore[no-any-return]
    for parent, schema in schemas.items():
        for member, sub in schema.get("properties", {}).items():
            if sub.get("type") == "object" and parent + member == name:
                return sub  # type: ignore[no-any-return]
    raise KeyError(name)


def _outcome(cls: type, doc: dict[str, Any]) -> tuple[str, Any]:
    try:
        model = cls.from_dict(doc)  # type: ignore[attr-defined]
    except (TypeError, AttributeError) as exc:
        # a document of the wrong shape (null where an object belongs): stock copies the mapping
        # first (TypeError), lean reads it with .get (AttributeError); both refuse it, and the
        # facade turns either into InvalidResponseError
        return ("error", "not a mapping" if "NoneType" in str(exc) else type(exc).__name__)
    except Exception as exc:
        return ("error", type(exc).__name__)
    shown = re.sub(r"<\w+\.types\.Unset object at 0x[0-9a-f]+>", "UNSET", repr(model))
    return ("ok", (shown, json.dumps(model.to_dict(), sort_keys=True), model.to_dict() == doc))


@pytest.mark.parametrize("name", _model_names())
def test_from_dict_and_to_dict_agree_on_spec_shaped_documents(stock: ModuleType, name: str) -> None:
    schema = _schema(name)
    rng = random.Random(name)
    ours, theirs = getattr(lean, name), getattr(stock, name)
    unknown_seen = 0
    for _ in range(DOCS_PER_SCHEMA):
        doc = _document(rng, schema)
        ours_out, theirs_out = _outcome(ours, doc), _outcome(theirs, doc)
        assert ours_out == theirs_out, (name, doc)
        unknown_seen += "BRAND_NEW_" in json.dumps(doc) or any(
            k not in schema.get("properties", {}) for k in doc
        )
        if ours_out[0] == "ok":
            # whatever AWS sent comes back out: unknown members and enum values are kept
            assert ours.from_dict(doc).to_dict() == doc, (name, doc)
    if schema.get("properties"):
        assert unknown_seen, name  # the documents did include members or values the spec lacks


@pytest.mark.parametrize("name", _model_names())
def test_missing_required_member_fails_alike(stock: ModuleType, name: str) -> None:
    schema = _schema(name)
    rng = random.Random("required" + name)
    for member in schema.get("required", ()):
        doc = _document(rng, schema)
        doc.pop(member, None)
        assert (
            _outcome(getattr(lean, name), doc) == _outcome(getattr(stock, name), doc) == ("error", "KeyError")
        )


def test_subclasses_still_go_through_init(stock: ModuleType) -> None:
    calls: list[str] = []

    @attrs.define
    class Traced(lean.SendMessageResponse):
        def __attrs_post_init__(self) -> None:
            calls.append("init")

    made = Traced.from_dict({"Id": "m1", "Extra": 1})
    assert isinstance(made, Traced)
    assert calls == ["init"]
    assert made.to_dict() == {"Id": "m1", "Extra": 1}
