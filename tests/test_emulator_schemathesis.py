"""Schemathesis against the emulator with the project's OpenAPI document.

Each generated request gets a fresh chat (so a generated DisconnectParticipant does not make
the rest 403) with the right token in X-Amz-Bearer: the participant token for
CreateParticipantConnection, a connection token for the others. Loopback only: the base URL
is the emulator's, never the document's ``servers``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._spec import spec_path
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SanitizationConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SPEC = spec_path()
assert SPEC is not None
# failure reports must not show the bearer tokens either
_SANITIZE = [*SanitizationConfig().keys_to_sanitize, "x-amz-bearer"]
_CONFIG = schemathesis.Config.from_dict({"output": {"sanitization": {"keys-to-sanitize": _SANITIZE}}})
schema = schemathesis.openapi.from_dict(json.loads(SPEC.read_text()), config=_CONFIG)

_service: dict[str, LocalParticipantService] = {}
_clients: list[httpx.Client] = []


def _http() -> httpx.Client:
    if not _clients:
        _clients.append(httpx.Client(timeout=10))
    return _clients[0]


def current() -> LocalParticipantService:
    """The module's emulator, started on first use (schemathesis may ask for auth early)."""
    if "current" not in _service:
        _service["current"] = LocalParticipantService().start()
    return _service["current"]


@pytest.fixture(scope="module", autouse=True)
def emulator() -> Iterator[LocalParticipantService]:
    yield current()
    _service.pop("current").stop()
    while _clients:
        _clients.pop().close()


@schema.auth(refresh_interval=None)
class FreshChat:
    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> tuple[str, str]:
        service = current()
        chat = service.start_chat("Schemathesis")
        answer = _http().post(
            service.endpoint_url + "/participant/connection",
            headers={"X-Amz-Bearer": chat.participant_token},
            json={"Type": ["CONNECTION_CREDENTIALS"]},
        )
        return chat.participant_token, answer.json()["ConnectionCredentials"]["ConnectionToken"]

    def set(self, case: schemathesis.Case, data: tuple[str, str], context: schemathesis.AuthContext) -> None:
        participant_token, connection_token = data
        token = participant_token if case.operation.path == "/participant/connection" else connection_token
        case.headers = {**(case.headers or {}), "X-Amz-Bearer": token}


CHECKS: list[Any] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_emulator_conforms_to_the_spec(case: schemathesis.Case) -> None:
    base_url = current().endpoint_url
    assert base_url.startswith("http://127.0.0.1:")
    case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=10)
