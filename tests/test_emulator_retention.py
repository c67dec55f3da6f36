"""Retention: an ended chat stays readable for ``retention_seconds``, then everything it held
(tokens, grants, attachments, idempotency answers) is released; ClientToken answers are
replayed for ``idempotency_seconds`` only."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from connect_participant_emulator import LocalParticipantService

from tests._emulator_calls import call, token_for


def _health(http: httpx.Client) -> dict[str, Any]:
    answer = http.get("/_emulator/health")
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def _wait_for(http: httpx.Client, what: str, expected: int, deadline: float = 20.0) -> dict[str, Any]:
    """Poll the health counts until ``what`` is ``expected`` (generous deadline; no timing asserted)."""
    end = time.monotonic() + deadline
    while True:
        health = _health(http)
        if health[what] == expected or time.monotonic() > end:
            return health
        time.sleep(0.05)


@pytest.mark.participant_service(retention_seconds=0.5)
def test_ended_chat_is_readable_then_released(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat("Ann", initial_message="hi")
    bot = participant_service.add_participant(chat, "Bot")
    connection = token_for(http, chat.participant_token)
    sent = call(http, "/participant/message", connection, {"ContentType": "text/plain", "Content": "a"})
    assert sent.status_code == 200
    before = _health(http)
    assert before["contacts"] == 1
    assert before["active_contacts"] == 1
    assert before["participants"] == 2
    assert before["connection_tokens"] == 1

    participant_service.stop_contact(chat)
    info = http.get(f"/_emulator/contacts/{chat.contact_id}")
    assert info.status_code == 200  # right after the end, still there
    assert info.json()["Ended"] is True
    assert info.json()["ReleasedAt"] is not None
    assert _health(http)["active_contacts"] == 0

    after = _wait_for(http, "contacts", 0)
    assert after["contacts"] == 0, after
    assert after["participants"] == 0
    assert after["connection_tokens"] == 0
    assert after["idempotency_answers"] == 0
    assert http.get(f"/_emulator/contacts/{chat.contact_id}").status_code == 404
    # released tokens are refused as the ended chat's were
    transcript = call(http, "/participant/transcript", connection, {})
    assert transcript.status_code == 403
    assert transcript.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    again = http.post(
        "/participant/connection",
        headers={"X-Amz-Bearer": bot.participant_token},
        json={"Type": ["CONNECTION_CREDENTIALS"]},
    )
    assert again.status_code == 403
    stop = http.post("/contact/stop", json={"ContactId": chat.contact_id, "InstanceId": chat.instance_id})
    assert stop.status_code == 410  # an unknown contact now


def test_a_live_chat_is_not_released(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat("Ann")
    state = participant_service.emulator.state
    assert state.sweep(time.time() + 3600) == 0  # an hour on: still live (25 h chat duration)
    assert chat.contact_id in state.contacts
    contact = state.contacts[chat.contact_id]
    # two days on (past the chat's duration and its retention): ended, then released
    assert state.sweep(time.time() + 2 * 86400) == 1
    assert contact.ended
    assert chat.contact_id not in state.contacts


@pytest.mark.participant_service(idempotency_seconds=0.5)
def test_client_token_answers_expire_after_the_window(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat("Ann")
    connection = token_for(http, chat.participant_token)
    body = {"ContentType": "text/plain", "Content": "once", "ClientToken": "retry-me"}
    first = call(http, "/participant/message", connection, body).json()
    assert call(http, "/participant/message", connection, body).json() == first  # a retry: same answer
    assert _wait_for(http, "idempotency_answers", 0)["idempotency_answers"] == 0
    later = call(http, "/participant/message", connection, body).json()
    assert later["Id"] != first["Id"]  # past the window the token is new again
    items = call(http, "/participant/transcript", connection, {"MaxResults": 100}).json()["Transcript"]
    assert [i["Content"] for i in items if i["Type"] == "MESSAGE"] == ["once", "once"]


def test_renewed_connections_do_not_pile_up(
    participant_service: LocalParticipantService, http: httpx.Client
) -> None:
    chat = participant_service.start_chat("Ann")
    state = participant_service.emulator.state
    first = token_for(http, chat.participant_token)
    assert participant_service.expire_connection_tokens(contact_id=chat.contact_id) == 1
    # just expired: still known, so its use says so
    refused = call(http, "/participant/transcript", first, {})
    assert refused.status_code == 403
    assert "expired" in refused.json()["message"]
    grant = state.connection_tokens[first]
    grant.expires_at -= 3600  # expired an hour ago
    token_for(http, chat.participant_token)  # a renewal forgets grants long expired
    assert first not in state.connection_tokens
    assert len(state.connection_tokens) == 1
