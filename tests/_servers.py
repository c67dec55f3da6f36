"""A small fake Participant Service on loopback for the facade's tests.

Real HTTP over TCP (on ``_scripted_server.ScriptedServer``'s aiohttp.web loop in a
background thread), so the sync and async clients, their transports and the retry layer
all run for real. It does what the facade's tests must control precisely and the emulator
is not built for: the connection token's Expiry, a slow CreateParticipantConnection (to
pile up concurrent refreshes), revoking tokens, and scripted faults (status, headers, raw
body, or a dropped connection).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from _scripted_server import ScriptedServer
from aiohttp import web
from connect_participant import ChatSession, ParticipantClient

OPERATIONS = {
    "/participant/connection": "CreateParticipantConnection",
    "/participant/message": "SendMessage",
    "/participant/event": "SendEvent",
    "/participant/transcript": "GetTranscript",
    "/participant/disconnect": "DisconnectParticipant",
    "/participant/start-attachment-upload": "StartAttachmentUpload",
    "/participant/complete-attachment-upload": "CompleteAttachmentUpload",
    "/participant/attachment": "GetAttachment",
}


def instant(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class Recorded:
    operation: str
    path: str
    headers: Mapping[str, str]  # case-insensitive, as HTTP headers are
    body: dict[str, Any]


@dataclass
class Fault:
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without an answer


class FakeParticipantService(ScriptedServer):
    """Runs on ``ScriptedServer``'s loop and thread, with a service's behaviour instead of a script."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Recorded] = []  # type: ignore[assignment]
        self.expiry_seconds = 3600.0
        self.create_delay = 0.0
        self.participant_tokens: set[str] = set()
        self.connection_tokens: set[str] = set()
        self.items: list[dict[str, Any]] = []
        self._faults: dict[str, list[Fault]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def endpoint_url(self) -> str:
        return self.url

    # -- control ---------------------------------------------------------------------------

    def new_participant(self) -> str:
        token = f"ptok-{next(self._ids)}-" + "p" * 40
        self.participant_tokens.add(token)
        return token

    def fail(self, operation: str, *faults: Fault) -> None:
        with self._lock:
            self._faults.setdefault(operation, []).extend(faults)

    def revoke_connection_tokens(self) -> None:
        self.connection_tokens.clear()

    def end_chat(self) -> None:
        self.participant_tokens.clear()
        self.connection_tokens.clear()

    def count(self, operation: str) -> int:
        return Counter(r.operation for r in self.requests)[operation]

    def of(self, operation: str) -> list[Recorded]:
        return [r for r in self.requests if r.operation == operation]

    def add_items(self, count: int, start: datetime | None = None) -> list[dict[str, Any]]:
        base = start or datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
        added = []
        for _ in range(count):
            n = len(self.items)
            item = {
                "Id": f"item-{n:04d}",
                "Type": "MESSAGE",
                "ContentType": "text/plain",
                "Content": f"message {n}",
                "AbsoluteTime": instant(base + timedelta(seconds=n)),
                "ParticipantId": "customer-1" if n % 2 else "agent-1",
                "ParticipantRole": "CUSTOMER" if n % 2 else "AGENT",
                "DisplayName": "Carla" if n % 2 else "Ada",
            }
            self.items.append(item)
            added.append(item)
        return added

    # -- HTTP ------------------------------------------------------------------------------

    @staticmethod
    def _error(status: int, code: str, message: str) -> web.Response:
        return web.json_response(
            {"message": message},
            status=status,
            headers={
                "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/",
                "x-amzn-RequestId": "rid-1",
            },
        )

    async def _handle(self, request: web.Request) -> web.Response:  # type: ignore[override]
        operation = OPERATIONS.get(request.path, "Unknown")
        raw = await request.read()
        body = json.loads(raw) if raw else {}
        self.requests.append(Recorded(operation, request.path_qs, request.headers.copy(), body))
        with self._lock:
            queue = self._faults.get(operation) or self._faults.get("*")
            fault = queue.pop(0) if queue else None
        if fault is not None:
            if fault.drop:
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            return web.Response(status=fault.status, body=fault.body, headers=fault.headers)
        bearer = request.headers.get("X-Amz-Bearer", "")
        if operation == "CreateParticipantConnection":
            if self.create_delay:
                await asyncio.sleep(self.create_delay)
            if bearer not in self.participant_tokens:
                return self._error(403, "AccessDeniedException", "participant token rejected")
            token = f"ctok-{next(self._ids)}-" + "c" * 40
            self.connection_tokens.add(token)
            expiry = instant(datetime.now(UTC) + timedelta(seconds=self.expiry_seconds))
            return web.json_response(
                {
                    "ConnectionCredentials": {"ConnectionToken": token, "Expiry": expiry},
                    "Websocket": {
                        "Url": f"wss://127.0.0.1/ws?X-Amz-Signature=sig{token}",
                        "ConnectionExpiry": expiry,
                    },
                },
                headers={"x-amzn-RequestId": "rid-1"},
            )
        if bearer not in self.connection_tokens:
            return self._error(403, "AccessDeniedException", "connection token rejected")
        if operation in ("SendMessage", "SendEvent"):
            now = instant(datetime.now(UTC))
            return web.json_response({"Id": f"msg-{next(self._ids)}", "AbsoluteTime": now})
        if operation == "DisconnectParticipant":
            self.connection_tokens.discard(bearer)
            return web.json_response({})
        if operation == "GetTranscript":
            return web.json_response(self._transcript(body))
        return self._error(400, "ValidationException", f"unsupported {request.path}")

    def _transcript(self, body: dict[str, Any]) -> dict[str, Any]:
        forward = body.get("ScanDirection", "BACKWARD") == "FORWARD"
        size = body.get("MaxResults", 10)
        start = body.get("StartPosition") or {}
        items = self.items
        if "Id" in start:
            anchor = next(i for i, it in enumerate(items) if it["Id"] == start["Id"])
        elif "AbsoluteTime" in start:
            times = [it["AbsoluteTime"] for it in items]
            if forward:
                anchor = next((i for i, t in enumerate(times) if t >= start["AbsoluteTime"]), len(items))
            else:
                anchor = max((i for i, t in enumerate(times) if t <= start["AbsoluteTime"]), default=-1)
        else:
            anchor = 0 if forward else len(items) - 1
        sequence = items[anchor:] if forward else items[: anchor + 1][::-1]
        if "MostRecent" in start:
            recent = items[-start["MostRecent"] :] if start["MostRecent"] else []
            sequence = recent if forward else recent[::-1]
        offset = int(body.get("NextToken", "0"))
        page = sequence[offset : offset + size]
        page = sorted(page, key=lambda it: it["AbsoluteTime"], reverse=body.get("SortOrder") == "DESCENDING")
        answer: dict[str, Any] = {"InitialContactId": "contact-1", "Transcript": page}
        if offset + size < len(sequence):
            answer["NextToken"] = str(offset + size)
        return answer

    def __enter__(self) -> FakeParticipantService:
        super().__enter__()
        return self


def connected_chat(svc: FakeParticipantService) -> Iterator[ChatSession]:
    """A connected sync session on ``svc`` with the connect request cleared from the log."""
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        session = client.connect(svc.new_participant())
        svc.requests.clear()
        yield session
