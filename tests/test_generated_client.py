"""Every generated operation, sync and asyncio, over real HTTP on loopback.

A scripted server records what the generated client sends and answers with bodies built
from the spec, so each test round-trips a fully populated request and response.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from _scripted_server import ScriptedServer
from _spec_tools import Operation, enum_schemas, example, operations, resolve, spec, walk_enums
from connect_participant_api import models
from connect_participant_api.client import Client

OPERATIONS = operations()
TOKEN = "bearer-token-for-tests"
VIEW_TOKEN = "a/b"


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


def _module(op: Operation) -> Any:
    return importlib.import_module(f"connect_participant_api.api.participant.{op.module}")


def _kwargs(op: Operation) -> tuple[list[Any], dict[str, Any], Any]:
    """Positional args, keyword args and the request body's JSON for one call."""
    args: list[Any] = [VIEW_TOKEN] if "{ViewToken}" in op.path else []
    kwargs: dict[str, Any] = {"x_amz_bearer": TOKEN}
    body_json = None
    if op.body_schema:
        body_json = example({"$ref": f"#/components/schemas/{op.body_schema}"})
        kwargs["body"] = getattr(models, op.body_schema).from_dict(body_json)
    return args, kwargs, body_json


def _call_sync(op: Operation, base_url: str) -> Any:
    args, kwargs, _ = _kwargs(op)
    with Client(base_url=base_url, timeout=10) as client:
        return _module(op).sync_detailed(*args, client=client, **kwargs)


def _call_async(op: Operation, base_url: str) -> Any:
    args, kwargs, _ = _kwargs(op)

    async def run() -> Any:
        async with Client(base_url=base_url, timeout=10) as client:
            return await _module(op).asyncio_detailed(*args, client=client, **kwargs)

    return asyncio.run(run())


CALLERS = {"sync": _call_sync, "asyncio": _call_async}


def test_every_operation_is_generated() -> None:
    assert len(OPERATIONS) == 11
    for op in OPERATIONS:
        module = _module(op)
        for fn in ("sync", "sync_detailed", "asyncio", "asyncio_detailed"):
            assert callable(getattr(module, fn)), f"{op.name}.{fn}"


@pytest.mark.parametrize("mode", sorted(CALLERS))
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda o: o.name)
def test_round_trip(server: ScriptedServer, op: Operation, mode: str) -> None:
    response_json = example({"$ref": f"#/components/schemas/{op.response_schema}"})
    server.reply(200, response_json, {"x-amzn-RequestId": "req-1"})
    before = len(server.requests)

    result = CALLERS[mode](op, server.url)

    (sent,) = server.requests[before:]
    _, _, body_json = _kwargs(op)
    assert sent.method == op.method.upper()
    assert sent.headers["X-Amz-Bearer"] == TOKEN
    assert "Authorization" not in sent.headers
    if op.name == "DescribeView":
        assert sent.raw_path == "/participant/views/a%2Fb"
        assert sent.body == b""
    else:
        assert sent.raw_path == op.path
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.json() == body_json
    assert result.status_code == 200
    assert isinstance(result.parsed, getattr(models, op.response_schema))
    assert result.parsed.to_dict() == response_json


@pytest.mark.parametrize("mode", sorted(CALLERS))
@pytest.mark.parametrize(
    ("op", "status"),
    [(op, status) for op in OPERATIONS for status in sorted(op.errors)],
    ids=lambda v: v.name if isinstance(v, Operation) else str(v),
)
def test_lower_case_error_body_parses(server: ScriptedServer, op: Operation, status: int, mode: str) -> None:
    """AWS sends `{"message": ...}` although its model says `Message`: both must parse."""
    code = op.errors[status]
    server.reply(
        status, {"message": f"{code} happened"}, {"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/"}
    )
    result = CALLERS[mode](op, server.url)
    assert result.status_code == status
    assert type(result.parsed).__name__ == code
    assert result.parsed.message == f"{code} happened"

    server.reply(status, {"Message": "capitalised"})
    result = CALLERS[mode](op, server.url)
    assert result.parsed.Message == "capitalised"
    assert result.parsed.to_dict() == {"Message": "capitalised"}


def _enums_in_responses() -> list[tuple[Operation, str]]:
    pairs = []
    for op in OPERATIONS:
        for name in walk_enums({"$ref": f"#/components/schemas/{op.response_schema}"}):
            pairs.append((op, name))
    return pairs


def test_responses_carry_the_expected_enums() -> None:
    reachable = {name for _, name in _enums_in_responses()}
    assert {"ChatItemType", "ParticipantRole", "ArtifactStatus", "MessageProcessingStatus"} <= reachable
    assert reachable <= set(enum_schemas())


@pytest.mark.parametrize(
    ("op", "enum_name"), _enums_in_responses(), ids=lambda v: v.name if isinstance(v, Operation) else v
)
def test_unknown_enum_values_are_kept(server: ScriptedServer, op: Operation, enum_name: str) -> None:
    """AWS adds enum values over time; a new one must not crash parsing and must round-trip."""
    response_json = example(
        {"$ref": f"#/components/schemas/{op.response_schema}"}, enum_value="BRAND_NEW_VALUE"
    )
    server.reply(200, response_json)
    result = _call_sync(op, server.url)
    assert result.status_code == 200
    assert result.parsed.to_dict() == response_json
    enum_cls = getattr(models, enum_name)
    value = enum_cls("BRAND_NEW_VALUE")
    assert value == "BRAND_NEW_VALUE"
    assert str(value) == "BRAND_NEW_VALUE"
    assert isinstance(value, enum_cls)
    assert enum_cls(enum_schemas()[enum_name][0]) is getattr(enum_cls, enum_schemas()[enum_name][0])


def test_example_builder_covers_every_schema() -> None:
    """The examples used above fill every property of every component (so round trips are complete)."""
    for name, schema in spec()["components"]["schemas"].items():
        value = example({"$ref": f"#/components/schemas/{name}"})
        if resolve(schema).get("properties"):
            assert set(value) == set(resolve(schema)["properties"]), name
