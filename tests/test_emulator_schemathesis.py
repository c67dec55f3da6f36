"""Schemathesis against the emulator with the project's OpenAPI document.

Each generated request gets a fresh chat (so a generated DisconnectParticipant does not make
the rest 403) and the right token in X-Amz-Bearer: the participant token for
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
_DOCUMENT = json.loads(SPEC.read_text())
# The one place the service departs from its own model: the last GetTranscript page says
# "NextToken": "" (a captured answer; the model says at least 1 character). The emulator answers
# as the service does, so the check takes the service's shape there (issue 22).
_DOCUMENT["components"]["schemas"]["GetTranscriptResponse"]["properties"]["NextToken"].pop("minLength")
schema = schemathesis.openapi.from_dict(_DOCUMENT, config=_CONFIG)

_service: dict[str, LocalParticipantService] = {}
_clients: list[httpx.Client] = []

# Schemathesis builds some cases while collecting: the auth hook only marks which token a
# case needs, and the test puts real tokens of a fresh chat in just before the call.
PARTICIPANT = "<participant-token>"
CONNECTION = "<connection-token>"


@pytest.fixture(scope="module", autouse=True)
def emulator() -> Iterator[LocalParticipantService]:
    with (
        LocalParticipantService() as service,
        httpx.Client(base_url=service.endpoint_url, timeout=10) as http,
    ):
        _service["current"] = service
        _clients.append(http)
        yield service
        _service.clear()
        _clients.clear()


@schema.auth()
class FreshChat:
    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        return "placeholder"

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        token = PARTICIPANT if case.operation.path == "/participant/connection" else CONNECTION
        case.headers = {**(case.headers or {}), "X-Amz-Bearer": token}


def fresh_tokens() -> dict[str, str]:
    service, http = _service["current"], _clients[0]
    chat = service.start_chat("Schemathesis")
    answer = http.post(
        "/participant/connection",
        headers={"X-Amz-Bearer": chat.participant_token},
        json={"Type": ["CONNECTION_CREDENTIALS"]},
    )
    return {
        PARTICIPANT: chat.participant_token,
        CONNECTION: answer.json()["ConnectionCredentials"]["ConnectionToken"],
    }


_positive_seen = [0]


def make_domain_valid(case: schemathesis.Case) -> None:
    """Every other schema-valid case is nudged to what the service also accepts (a supported
    content type, an attachment file type, no foreign ids), so that successful answers get
    checked against the document too, not only the 400s."""
    if case.meta is None or case.meta.generation.mode.is_negative or not isinstance(case.body, dict):
        return
    _positive_seen[0] += 1
    if _positive_seen[0] % 2:
        return
    body = dict(case.body)
    path = case.operation.path
    if path == "/participant/message":
        body["ContentType"] = "text/plain"
        body["Content"] = str(body.get("Content") or "x")[:1024]
    elif path == "/participant/event":
        body["ContentType"] = "application/vnd.amazonaws.connect.event.typing"
    elif path == "/participant/start-attachment-upload":
        body.update(ContentType="image/png", AttachmentName="picture.png")
        body["AttachmentSizeInBytes"] = min(int(body.get("AttachmentSizeInBytes") or 1), 1024)
    elif path == "/participant/transcript":
        for name in ("ContactId", "NextToken"):
            body.pop(name, None)
        start = body.get("StartPosition")
        if isinstance(start, dict):
            body["StartPosition"] = {k: v for k, v in start.items() if k == "MostRecent"}
    case.body = body


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
    base_url = _service["current"].endpoint_url
    assert base_url.startswith("http://127.0.0.1:")
    make_domain_valid(case)
    if case.operation.path == "/participant/views/{ViewToken}" and not case.meta.generation.mode.is_negative:
        case.path_parameters = {"ViewToken": "emulator-sample-view"}
    bearer = (case.headers or {}).get("X-Amz-Bearer")
    if bearer in (PARTICIPANT, CONNECTION):
        case.headers = {**(case.headers or {}), "X-Amz-Bearer": fresh_tokens()[bearer]}
    case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=10)
