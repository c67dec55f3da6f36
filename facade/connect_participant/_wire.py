"""The one wire layer: requests built by the generated operation modules, answers parsed by generated models.

``request(op_module, **kwargs)`` checks the arguments against the spec's bounds (the
models' ``CONSTRAINTS`` and the generated ``PARAMETER_BOUNDS`` table), runs the
module's own ``_get_kwargs`` and freezes the result as a ``Request``: method, path,
JSON body bytes and which header carries the token. The session adds the token at send
time, so the same ``Request`` (and its ``ClientToken``) goes out unchanged on a retry
or after a token refresh. ``parse(request, doc)`` turns a 2xx answer's JSON object
into the operation's response model (from the generated ``RESPONSE_MODELS`` table).

Nothing here knows an operation's path or members: an operation AWS adds is usable
right after ``make generate``. What the spec cannot say stays in the facade: which
token an operation takes (``create_participant_connection`` takes the participant
token, every other one the connection token), content limits per content type, etc.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any, Final, Literal

import attrs
import connect_participant_api.models as _models
from connect_participant_api._parameter_bounds import PARAMETER_BOUNDS, RESPONSE_MODELS
from connect_participant_api.types import UNSET, Unset

from ._errors import InvalidResponseError
from ._validation import check_bounds

__all__ = [
    "CONNECTION",
    "PARTICIPANT",
    "Request",
    "bearer_parameter",
    "check_model",
    "new_client_token",
    "operation_name",
    "parse",
    "request",
    "takes_participant_token",
]

PARTICIPANT: Final = "participant"
CONNECTION: Final = "connection"
Auth = Literal["participant", "connection"] | None
#: The one operation that takes the participant token (what the spec says in prose only).
_PARTICIPANT_OPERATIONS: Final = frozenset({"create_participant_connection"})
_BEARER: Final = "X-Amz-Bearer"
_JSON: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # one encoder for every body
_SLOT: Final = "\x00bearer\x00"  # stands in for the token while the generated code builds the request


@dataclass(frozen=True, slots=True)
class Request:
    operation: str  # the API action: "SendMessage"
    method: str
    path: str
    body: bytes | None
    headers: tuple[tuple[str, str], ...] = ()  # besides the token's
    auth: Auth = CONNECTION
    bearer_header: str | None = _BEARER
    module: str = ""  # the generated module's name: "send_message"


def new_client_token() -> str:
    """A fresh idempotency token for one logical call (reused by its retries)."""
    return str(uuid.uuid4())


def operation_name(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1]


def takes_participant_token(operation: str) -> bool:
    return operation in _PARTICIPANT_OPERATIONS


@cache
def bearer_parameter(operation: str) -> str | None:
    """The keyword of the operation's ``X-Amz-Bearer`` header, if it takes one."""
    for keyword, bounds in PARAMETER_BOUNDS.get(operation, {}).items():
        if bounds.get("in") == "header" and bounds.get("name") == _BEARER:
            return keyword
    return None


@cache
def _constraints(module_name: str) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """A model module's ``CONSTRAINTS`` (member -> bounds), read once per module."""
    module = sys.modules[module_name]
    found: Mapping[str, Mapping[str, Any]] = getattr(module, "CONSTRAINTS", {})
    return tuple(found.items())


def check_model(model: object, names: Mapping[str, str] | None = None, prefix: str = "") -> None:
    """Every member set on a generated request model against the spec's bounds.

    ``names`` maps a member (``"max_results"``, or ``"start_position.id"`` inside) to the
    argument the caller knows it by (``"page_size"``, ``"start"``); else the member's own name.
    """
    names = names or {}
    for member, bounds in _constraints(type(model).__module__):
        value = getattr(model, member, UNSET)
        if isinstance(value, Unset):
            continue
        path = prefix + member
        if bounds.get("type", "object") == "object" and attrs.has(type(value)):
            check_model(value, names, path + ".")
            continue
        check_bounds(names.get(path, path), value, bounds)


def request(module: ModuleType, names: Mapping[str, str] | None = None, **kwargs: Any) -> Request:
    """The operation's request from its generated module, arguments checked against the spec first."""
    operation = operation_name(module)
    bearer = bearer_parameter(operation)
    names = names or {}
    for keyword, value in kwargs.items():
        if keyword == "body":
            check_model(value, names)
        elif keyword in PARAMETER_BOUNDS.get(operation, {}):
            check_bounds(names.get(keyword, keyword), value, PARAMETER_BOUNDS[operation][keyword])
    if bearer is not None:
        kwargs[bearer] = _SLOT
    built = module._get_kwargs(**kwargs)
    headers = dict(built.get("headers", {}))
    bearer_header = next((name for name, value in headers.items() if value == _SLOT), None)
    if bearer_header is not None:
        del headers[bearer_header]
    body: bytes | None = None
    if "json" in built:
        body = _JSON.encode(built["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    path = str(built["url"])
    params = built.get("params")
    if params:
        from httpx import QueryParams

        path += "?" + str(QueryParams({k: v for k, v in params.items() if v is not None}))
    auth: Auth = None
    if bearer_header is not None:
        auth = PARTICIPANT if takes_participant_token(operation) else CONNECTION
    return Request(
        _action(operation),
        str(built["method"]).upper(),
        path,
        body,
        tuple(headers.items()),
        auth,
        bearer_header,
        operation,
    )


@cache
def _action(operation: str) -> str:
    """The API action of a generated module's name: ``send_message`` -> ``SendMessage``."""
    return "".join(part[:1].upper() + part[1:] for part in operation.split("_"))


@cache
def response_model(operation: str) -> Callable[[Mapping[str, Any]], Any] | None:
    name = RESPONSE_MODELS.get(operation)
    model = getattr(_models, name) if name else None
    return model.from_dict if model is not None else None


def parse(operation: str, doc: Mapping[str, Any]) -> Any:
    """A 2xx answer's JSON object as the operation's response model (``doc`` itself if it has none)."""
    from_dict = response_model(operation)
    if from_dict is None:
        return doc
    try:
        return from_dict(doc)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise InvalidResponseError(
            f"the service's {operation} answer does not match the spec ({type(exc).__name__})"
        ) from None
