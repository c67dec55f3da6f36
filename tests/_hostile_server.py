"""A hostile Participant Service on loopback: what broken proxies, bad networks and future
service changes may answer, over real HTTP and WebSocket.

By default it behaves (every operation the facade calls answers well, presigned storage URLs
point at its own ``/storage/`` routes, the WebSocket URL at its own ``/ws``). A test then makes
one operation hostile with ``svc.answer(operation, Answer)`` — any status, headers and raw
body, optionally trickled byte by byte or streamed without end — or changes what the good
answers carry (``connection_token``, ``expiry``, ``upload_url``, ``upload_headers``,
``download_url``, ``pages``, ``ws_frames``). It records what reached it, so a test can tell
"refused before any request" from "sent and failed", and how many body bytes it managed to
write before the client cut the connection.

The WebSocket route answers ``aws/subscribe`` with success, then sends ``ws_frames`` (raw
text, hostile or not) and stays open: reusable for events-stream tests.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from _scripted_server import ScriptedServer
from _servers import OPERATIONS as _OPERATIONS
from aiohttp import WSMsgType, web

OPERATIONS = {
    **_OPERATIONS,
    "/participant/authentication-url": "GetAuthenticationUrl",
    "/participant/cancel-authentication": "CancelParticipantAuthentication",
}


def later(seconds: float = 3600) -> str:
    when = datetime.now(UTC) + timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    #: > 0: send the headers, then the body one byte per this many seconds
    trickle: float = 0.0
    #: > 0: stream this many bytes of a JSON string body (a huge answer) in 64 KiB chunks
    stream_bytes: int = 0
    #: answer this many times, then behave again (0: for good)
    times: int = 0
    #: wait this long before answering at all (no status line meanwhile)
    delay: float = 0.0
    #: > 0 with ``head``: write these raw bytes (status line and headers) one per this many seconds
    head: bytes = b""

    @classmethod
    def json(
        cls, doc: Any, status: int = 200, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Answer:
        wire = {"Content-Type": "application/json", **(headers or {})}
        return cls(status, json.dumps(doc).encode(), wire, **kwargs)


class HostileService(ScriptedServer):
    """Runs on ``ScriptedServer``'s loop and thread (real TCP on 127.0.0.1), hostile on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str], bytes]] = []  # (operation, headers, body)
        self.connection_token = "ctok-hostile-" + "c" * 40
        self.expiry: Any = None  # None: an hour from now, as AWS writes it
        self.upload_url: str | None = None  # None: this server's /storage/put
        self.upload_headers: Any = {"x-amz-meta-a": "1"}
        self.upload_url_expiry: Any = None  # None: five minutes from now
        self.download_url: str | None = None  # None: this server's /storage/get
        self.download_body = b"hello"
        self.pages: list[dict[str, Any]] = [{"Transcript": []}]  # GetTranscript answers, cycled
        self.ws_frames: list[str] = []
        self.written: list[int] = []  # body bytes written per hostile streamed answer before the cut
        self._answers: dict[str, Answer] = {}
        self._lock = threading.Lock()

    # -- control -------------------------------------------------------------------------------

    def answer(self, operation: str, answer: Answer) -> None:
        with self._lock:
            self._answers[operation] = answer

    def count(self, operation: str) -> int:
        return Counter(op for op, _, _ in self.seen)[operation]

    @property
    def endpoint_url(self) -> str:
        return self.url

    # -- HTTP ----------------------------------------------------------------------------------

    def _take(self, operation: str) -> Answer | None:
        with self._lock:
            answer = self._answers.get(operation)
            if answer is not None and answer.times:
                answer.times -= 1
                if answer.times == 0:
                    del self._answers[operation]
            return answer

    async def _handle(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if request.path == "/ws":
            return await self._websocket(request)
        body = await request.read()
        operation = OPERATIONS.get(request.path, "Storage" if request.path.startswith("/storage/") else "?")
        if request.path.startswith("/participant/views/"):
            operation = "DescribeView"
        self.seen.append((operation, dict(request.headers), body))
        answer = self._take(operation)
        if answer is not None:
            return await self._hostile(request, answer)
        return await self._good(request, operation, body)

    async def _hostile(self, request: web.Request, answer: Answer) -> web.StreamResponse:
        waited = 0.0
        while waited < answer.delay:  # until the client gives up (closes), so shutdown is quick
            if request.transport is None or request.transport.is_closing():
                return web.Response()
            await asyncio.sleep(0.05)
            waited += 0.05
        if answer.head:
            return await self._trickle_head(request, answer)
        if not answer.trickle and not answer.stream_bytes:
            return web.Response(status=answer.status, body=answer.body, headers=answer.headers)
        response = web.StreamResponse(status=answer.status, headers=answer.headers)
        total = answer.stream_bytes + 2 if answer.stream_bytes else len(answer.body)
        response.content_length = total
        await response.prepare(request)
        written = 0
        try:
            if answer.trickle:
                for index in range(len(answer.body)):
                    await response.write(answer.body[index : index + 1])
                    written += 1
                    await asyncio.sleep(answer.trickle)
            else:
                await response.write(b'"')
                chunk = b"x" * 65536
                while written < answer.stream_bytes:
                    part = chunk[: answer.stream_bytes - written]
                    await response.write(part)
                    written += len(part)
                await response.write(b'"')
            await response.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client cut the connection: the point of most of these answers
        finally:
            self.written.append(written)
        return response

    async def _trickle_head(self, request: web.Request, answer: Answer) -> web.StreamResponse:
        """The status line and headers themselves trickled, written to the socket directly."""
        transport = request.transport
        written = 0
        for index in range(len(answer.head)):
            if transport is None or transport.is_closing():
                break
            transport.write(answer.head[index : index + 1])
            written += 1
            await asyncio.sleep(answer.trickle)
        self.written.append(written)
        if transport is not None:
            transport.close()
        return web.Response()

    async def _good(self, request: web.Request, operation: str, body: bytes) -> web.StreamResponse:
        if operation == "CreateParticipantConnection":
            expiry = later() if self.expiry is None else self.expiry
            return web.json_response(
                {
                    "ConnectionCredentials": {"ConnectionToken": self.connection_token, "Expiry": expiry},
                    "Websocket": {
                        "Url": self.url.replace("http://", "ws://") + "/ws?X-Amz-Signature=sig-hostile",
                        "ConnectionExpiry": expiry,
                    },
                }
            )
        if operation in ("SendMessage", "SendEvent"):
            return web.json_response({"Id": f"msg-{len(self.seen)}", "AbsoluteTime": later(0)})
        if operation == "GetTranscript":
            page = self.pages[(self.count("GetTranscript") - 1) % len(self.pages)]
            return web.json_response(page)
        if operation == "StartAttachmentUpload":
            return web.json_response(
                {
                    "AttachmentId": "att-1",
                    "UploadMetadata": {
                        "Url": self.upload_url or self.url + "/storage/put?X-Amz-Signature=sig-put",
                        "UrlExpiry": later(300) if self.upload_url_expiry is None else self.upload_url_expiry,
                        "HeadersToInclude": self.upload_headers,
                    },
                }
            )
        if operation == "GetAttachment":
            return web.json_response(
                {
                    "Url": self.download_url or self.url + "/storage/get?X-Amz-Signature=sig-get",
                    "UrlExpiry": later(300),
                    "AttachmentSizeInBytes": len(self.download_body),
                }
            )
        if operation == "Storage":
            if request.method == "GET":
                return web.Response(body=self.download_body)
            return web.Response()
        return web.json_response({})

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.seen.append(("WebSocket", dict(request.headers), b""))
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            if '"aws/subscribe"' in message.data:
                ack = {"status": "success", "topics": ["aws/chat"]}
                await socket.send_str(json.dumps({"topic": "aws/subscribe", "content": ack}))
                for frame in self.ws_frames:
                    await socket.send_str(frame)
        return socket

    def __enter__(self) -> HostileService:
        super().__enter__()
        return self
