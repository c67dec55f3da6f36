"""A lean stand-in of the Participant Service for benchmarks, run in its own process.

It answers with canned AWS-shaped bodies as fast as aiohttp allows, so the client side is
what gets measured: CreateParticipantConnection, SendMessage, SendEvent, and GetTranscript
over a fixed 1000-item transcript paged by NextToken. Start it with
``python -m bench._server`` — it prints ``PORT <n>`` when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from aiohttp import web

TRANSCRIPT_SIZE = 1000


def _items() -> list[dict[str, object]]:
    """Realistic items: ≈100-character content, receipts in the metadata, an attachment on every 10th."""
    items: list[dict[str, object]] = []
    for i in range(TRANSCRIPT_SIZE):
        when = f"2026-11-26T10:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
        item: dict[str, object] = {
            "AbsoluteTime": when,
            "Content": f"message number {i:04d} with some ordinary chat text in it, about an order and its delivery".ljust(
                100, "."
            ),
            "ContentType": "text/plain",
            "Id": f"item-{i:06d}-0000-0000-0000-000000000000",
            "Type": "MESSAGE",
            "ParticipantId": "participant-customer-0001",
            "DisplayName": "Customer" if i % 2 else "Bot",
            "ParticipantRole": "CUSTOMER" if i % 2 else "CUSTOM_BOT",
            "MessageMetadata": {
                "MessageId": f"item-{i:06d}-0000-0000-0000-000000000000",
                "Receipts": [
                    {
                        "DeliveredTimestamp": when,
                        "ReadTimestamp": when,
                        "RecipientParticipantId": "agent-0001",
                    }
                ]
                + (
                    [{"DeliveredTimestamp": when, "RecipientParticipantId": "supervisor-0001"}]
                    if i % 2
                    else []
                ),
            },
        }
        if i % 10 == 0:
            item["Type"] = "ATTACHMENT"
            item["Attachments"] = [
                {
                    "AttachmentId": f"att-{i:06d}",
                    "AttachmentName": f"photo-{i}.png",
                    "ContentType": "image/png",
                    "Status": "APPROVED",
                }
            ]
        items.append(item)
    return items


ITEMS = _items()
HEADERS = {"Content-Type": "application/json", "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000"}
CONNECTION = json.dumps(
    {
        "ConnectionCredentials": {
            "ConnectionToken": "conn-token-bench",
            "Expiry": "2099-01-01T00:00:00.000Z",
        },
        "Websocket": {"Url": "wss://127.0.0.1/ws", "ConnectionExpiry": "2099-01-01T00:00:00.000Z"},
    }
).encode()
SENT = json.dumps(
    {
        "Id": "11111111-2222-3333-4444-555555555555",
        "AbsoluteTime": "2026-11-26T10:00:00.000Z",
        "MessageMetadata": {"MessageProcessingStatus": "PROCESSING"},
    }
).encode()
# pages are cut ahead of time so the server's per-request work is a dict lookup
PAGES: dict[tuple[int, str | None], bytes] = {}


def _page(size: int, token: str | None) -> bytes:
    key = (size, token)
    if key not in PAGES:
        start = int(token) if token else 0
        body: dict[str, object] = {"InitialContactId": "contact-1", "Transcript": ITEMS[start : start + size]}
        if start + size < len(ITEMS):
            body["NextToken"] = str(start + size)
        PAGES[key] = json.dumps(body).encode()
    return PAGES[key]


async def connection(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=CONNECTION, headers=HEADERS)


async def sent(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=SENT, headers=HEADERS)


async def transcript(request: web.Request) -> web.Response:
    body = json.loads(await request.read() or b"{}")
    return web.Response(body=_page(int(body.get("MaxResults") or 10), body.get("NextToken")), headers=HEADERS)


async def empty(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=b"{}", headers=HEADERS)


def app() -> web.Application:
    application = web.Application()
    application.router.add_post("/participant/connection", connection)
    application.router.add_post("/participant/message", sent)
    application.router.add_post("/participant/event", sent)
    application.router.add_post("/participant/transcript", transcript)
    application.router.add_post("/{tail:.*}", empty)
    return application


async def serve(port: int) -> None:
    runner = web.AppRunner(app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    print(f"PORT {runner.addresses[0][1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
