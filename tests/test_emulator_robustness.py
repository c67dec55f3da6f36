"""Malformed input of every kind gets a proper 4xx and the emulator keeps serving."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import httpx
import pytest
from connect_participant_emulator import LocalParticipantService

# every operation's members, each of a wrong type
WRONG_TYPES = {
    "ContentType": ["text/plain"],
    "Content": {"a": 1},
    "MaxResults": "ten",
    "StartPosition": [1],
    "AttachmentIds": "x",
    "AttachmentId": 5,
    "AttachmentName": False,
    "AttachmentSizeInBytes": "1",
    "Type": "WEBSOCKET",
    "ConnectParticipant": "yes",
    "ClientToken": 7,
}
NON_FINITE = (
    b'{"MaxResults": 1e400, "Content": NaN, "Type": Infinity, "ContentType": -Infinity, "AttachmentId": NaN}'
)


def malformed_requests(bearer: str) -> list[dict[str, Any]]:
    """Request kwargs for httpx, one per kind of bad input."""
    good_headers = {"X-Amz-Bearer": bearer, "Content-Type": "application/json"}
    paths = [
        "/participant/message",
        "/participant/event",
        "/participant/transcript",
        "/participant/connection",
        "/participant/start-attachment-upload",
        "/participant/complete-attachment-upload",
        "/participant/attachment",
        "/participant/disconnect-not",
    ]
    kinds: list[dict[str, Any]] = []
    for path in paths:
        kinds += [
            {"method": "POST", "url": path, "content": b"{", "headers": good_headers},
            {"method": "POST", "url": path, "content": b"\xff\xfe\x00garbage", "headers": good_headers},
            {"method": "POST", "url": path, "content": b'"just a string"', "headers": good_headers},
            {
                "method": "POST",
                "url": path,
                "content": b"[" * 100000 + b"]" * 100000,
                "headers": good_headers,
            },
            {"method": "POST", "url": path, "content": b"1" * 5000, "headers": good_headers},
            {"method": "POST", "url": path, "json": WRONG_TYPES, "headers": good_headers},
            {"method": "POST", "url": path, "content": NON_FINITE, "headers": good_headers},
            {"method": "POST", "url": path, "json": {"ContentType": "text/plain", "Content": "x"}},
            {"method": "DELETE", "url": path, "headers": good_headers},
            {"method": "PATCH", "url": path, "content": b"{}", "headers": good_headers},
        ]
    kinds += [
        {"method": "GET", "url": "/no/such/path"},
        {"method": "GET", "url": "/participant/views/"},
        {"method": "POST", "url": "/participant/views/abc", "headers": good_headers},
        {"method": "PUT", "url": "/contact/chat", "content": b"nope"},
        {
            "method": "PUT",
            "url": "/contact/chat",
            "json": {"InstanceId": 5, "ContactFlowId": [], "ParticipantDetails": "x"},
        },
        {"method": "POST", "url": "/contact/create-participant", "json": {"ContactId": {"x": 1}}},
        {"method": "POST", "url": "/contact/stop", "json": {"ContactId": None, "InstanceId": 1.5}},
        {"method": "PUT", "url": "/_attachments/nope?X-Amz-Signature=1", "content": b"data"},
        {"method": "GET", "url": "/_attachments/nope"},
        {"method": "GET", "url": "/connect/websocket?X-Amz-Signature=forged"},
        {"method": "POST", "url": "/_emulator/faults", "content": b"[]"},
        {"method": "GET", "url": "/participant/transcript%00"},
    ]
    return kinds


async def test_a_thousand_malformed_requests_leave_it_serving(
    participant_service: LocalParticipantService,
) -> None:
    chat = await participant_service.astart_chat()
    async with httpx.AsyncClient(base_url=participant_service.endpoint_url, timeout=10) as http:
        connected = await http.post(
            "/participant/connection",
            headers={"X-Amz-Bearer": chat.participant_token},
            json={"Type": ["CONNECTION_CREDENTIALS"]},
        )
        token = connected.json()["ConnectionCredentials"]["ConnectionToken"]
        kinds = malformed_requests(token)
        rng = random.Random(7)
        statuses: dict[int, int] = {}
        for n in range(1000):
            request = kinds[n] if n < len(kinds) else rng.choice(kinds)
            response = await http.request(**request)
            assert 400 <= response.status_code < 500, (
                request["method"],
                request["url"],
                response.status_code,
                response.text[:200],
            )
            assert response.headers["x-amzn-RequestId"]
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert set(statuses) <= {400, 403, 404, 405, 413}
        # still serving correct answers
        sent = await http.post(
            "/participant/message",
            headers={"X-Amz-Bearer": token},
            json={"ContentType": "text/plain", "Content": "still here"},
        )
        assert sent.status_code == 200
        transcript = await http.post("/participant/transcript", headers={"X-Amz-Bearer": token}, json={})
        assert transcript.json()["Transcript"][0]["Content"] == "still here"  # newest first by default


@pytest.mark.participant_service(max_request_bytes=64 * 1024)
def test_oversized_bodies_get_413(participant_service: LocalParticipantService) -> None:
    chat = participant_service.start_chat()
    with httpx.Client(base_url=participant_service.endpoint_url) as http:
        big = json.dumps({"ContentType": "text/plain", "Content": "x" * (65 * 1024)}).encode()
        answer = http.post(
            "/participant/message", headers={"X-Amz-Bearer": chat.participant_token}, content=big
        )
        assert answer.status_code == 413
        assert answer.headers["x-amzn-ErrorType"] == "RequestEntityTooLargeException"

        def chunks() -> Any:
            for _ in range(100):
                yield b"x" * 1024

        streamed = http.post("/participant/message", headers={"X-Amz-Bearer": "t"}, content=chunks())
        assert streamed.status_code == 413
        assert http.get("/_emulator/health").status_code == 200


async def test_raw_protocol_garbage(participant_service: LocalParticipantService) -> None:
    host, port = "127.0.0.1", participant_service.port
    for garbage in (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(garbage)
            await writer.drain()
            reply = await asyncio.wait_for(reader.read(4096), timeout=5)
        finally:
            writer.close()
            await writer.wait_closed()
        assert reply == b"" or reply[:10] in (b"HTTP/1.1 4", b"HTTP/1.0 4"), reply[:40]
    # a client that connects and goes away mid-request
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"POST /participant/message HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    async with httpx.AsyncClient(base_url=participant_service.endpoint_url) as http:
        assert (await http.get("/_emulator/health")).status_code == 200


async def test_many_chats_at_once_stay_separate(participant_service: LocalParticipantService) -> None:
    async with httpx.AsyncClient(base_url=participant_service.endpoint_url, timeout=10) as http:

        async def one_chat(n: int) -> None:
            chat = await participant_service.astart_chat(f"user-{n}")
            answer = await http.post(
                "/participant/connection",
                headers={"X-Amz-Bearer": chat.participant_token},
                json={"Type": ["CONNECTION_CREDENTIALS"]},
            )
            token = answer.json()["ConnectionCredentials"]["ConnectionToken"]
            for k in range(5):
                sent = await http.post(
                    "/participant/message",
                    headers={"X-Amz-Bearer": token},
                    json={"ContentType": "text/plain", "Content": f"{n}:{k}"},
                )
                assert sent.status_code == 200
            items = (
                await http.post(
                    "/participant/transcript",
                    headers={"X-Amz-Bearer": token},
                    json={"SortOrder": "ASCENDING"},
                )
            ).json()["Transcript"]
            assert [i["Content"] for i in items if i["Type"] == "MESSAGE"] == [f"{n}:{k}" for k in range(5)]

        await asyncio.gather(*(one_chat(n) for n in range(30)))
