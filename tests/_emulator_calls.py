"""Raw-HTTP helpers for the emulator tests: a connection token, one call (the ``http`` fixture is in conftest)."""

from __future__ import annotations

from typing import Any

import httpx


def token_for(http: httpx.Client, participant_token: str) -> str:
    """CreateParticipantConnection (CONNECTION_CREDENTIALS): the connection token."""
    answer = http.post(
        "/participant/connection",
        headers={"X-Amz-Bearer": participant_token},
        json={"Type": ["CONNECTION_CREDENTIALS"]},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["ConnectionCredentials"]["ConnectionToken"]
    return token


def call(http: httpx.Client, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(path, headers={"X-Amz-Bearer": token}, json=body)
