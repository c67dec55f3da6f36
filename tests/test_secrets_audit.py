"""Adversarial audit of "secrets stay secret" and "bad input: a clear error, nothing sent".

Secrets (participant and connection tokens, WebSocket URLs, presigned upload and download
URLs) must not reach any log record of any logger at any level (ours, httpx, httpcore,
aiohttp's client and server loggers, asyncio), warnings, reprs, or exception text —
``str``/``repr``/``args`` of the exception and of every exception chained to it, and the
formatted traceback. Every failure path is provoked against real loopback servers: storage
that refuses, stalls or is unreachable, URLs aiohttp will not take, WebSocket handshakes
refused, the emulator end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import json
import logging
import socket
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _scripted_server import ScriptedServer
from _servers import OPERATIONS, FakeParticipantService, Recorded, instant
from aiohttp import web
from connect_participant import (
    AsyncChatSession,
    AsyncParticipantClient,
    ChatSession,
    EventStreamConfig,
    Message,
    ParticipantClient,
    ParticipantServiceError,
    RetryPolicy,
)
from connect_participant_cli import main as cli_main
from connect_participant_emulator import LocalParticipantService

ONE_TRY = RetryPolicy(max_attempts=1)
FAST = RetryPolicy(max_attempts=2, base_delay=0.001, max_delay=0.002)
SIG = "SIGsecret0123456789abcdef"  # the signature part of every presigned URL handed out here
QUICK = httpx.Timeout(10.0, connect=0.25, read=0.25)

# --- capturing everything -----------------------------------------------------------------------


@dataclass
class Capture:
    caplog: pytest.LogCaptureFixture
    warned: list[warnings.WarningMessage]

    def text(self) -> str:
        gc.collect()  # unclosed responses/sessions speak from __del__
        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        lines = [formatter.format(record) for record in self.caplog.records]
        lines += [f"{w.category.__name__}: {w.message}" for w in self.warned]
        return "\n".join(lines)


@pytest.fixture
def everything(caplog: pytest.LogCaptureFixture) -> Iterator[Capture]:
    """Every log record of every logger at level >= 0, and every warning."""
    caplog.set_level(0)
    for name in (
        "asyncio",
        "aiohttp",
        "httpx",
        "httpcore",
        "connect_participant",
        "connect_participant_emulator",
    ):
        caplog.set_level(0, logger=name)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        yield Capture(caplog, warned)


def exception_text(exc: BaseException) -> str:
    """str, repr and args of ``exc`` and every exception chained to it, and the traceback."""
    parts: list[str] = []
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args)]
        stack += [current.__cause__, current.__context__]
    parts.append("".join(traceback.format_exception(exc)))
    return "\n".join(parts)


def assert_clean(text: str, *secrets: str) -> None:
    for secret in (SIG, *secrets):
        assert secret not in text


# --- servers that fail in the needed ways --------------------------------------------------------


class AttachmentService(FakeParticipantService):
    """The fake service plus the three attachment calls, handing out ``storage_url``."""

    def __init__(self) -> None:
        super().__init__()
        self.storage_url = ""
        self.websocket_url = ""

    async def _handle(self, request: web.Request) -> web.Response:  # type: ignore[override]
        operation = OPERATIONS.get(request.path, "Unknown")
        if operation not in ("StartAttachmentUpload", "CompleteAttachmentUpload", "GetAttachment"):
            response = await super()._handle(request)
            if operation == "CreateParticipantConnection" and self.websocket_url and response.status == 200:
                doc = json.loads(response.body)  # type: ignore[arg-type]
                doc["Websocket"]["Url"] = self.websocket_url
                return web.json_response(doc)
            return response
        raw = await request.read()
        self.requests.append(Recorded(operation, request.path_qs, request.headers.copy(), json.loads(raw)))
        later = instant(datetime.now(UTC) + timedelta(minutes=5))
        if operation == "StartAttachmentUpload":
            return web.json_response(
                {
                    "AttachmentId": "att-1",
                    "UploadMetadata": {
                        "Url": self.storage_url,
                        "UrlExpiry": later,
                        "HeadersToInclude": {"Content-Type": "application/pdf"},
                    },
                }
            )
        if operation == "GetAttachment":
            return web.json_response(
                {"Url": self.storage_url, "UrlExpiry": later, "AttachmentSizeInBytes": 64}
            )
        return web.json_response({})


class Storage:
    """A raw TCP storage on loopback: ``mode`` says how it misbehaves.

    - ``refuse``: 403 with an S3 XML error that echoes the request line (URL and all)
    - ``stall``: reads the request, answers nothing
    - ``headers``: answers 200 with the headers and a few bytes of a 64-byte body, then stalls
    - ``garbage``: answers a malformed HTTP response
    - ``blackhole``: a listening socket whose accept queue is full, so connecting hangs
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.hits = 0
        self._stop = threading.Event()
        if mode == "blackhole":
            self.listener.listen(0)
            for _ in range(3):  # fill the accept queue (never accepted)
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", self.port))
                self.held.append(filler)
            self._thread: threading.Thread | None = None
        else:
            self.listener.listen(16)
            self.listener.settimeout(0.1)
            self._thread = threading.Thread(target=self._serve, daemon=True)
            self._thread.start()

    def url(self, path: str = "/bucket/file.pdf", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature={SIG}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.hits += 1
            self.held.append(conn)
            conn.settimeout(0.2)
            head = b""
            while b"\r\n\r\n" not in head and not self._stop.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                head += chunk
            line = head.split(b"\r\n", 1)[0]
            try:
                if self.mode == "refuse":
                    body = (
                        b"<Error><Code>AccessDenied</Code><Message>denied: "
                        + line.replace(b"&", b"&amp;")
                        + b"</Message></Error>"
                    )
                    conn.sendall(
                        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nConnection: close\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                elif self.mode == "garbage":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\nBad Header\r\n\r\n")
                elif self.mode == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + b"x" * 10)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self.listener.close()
        if self._thread is not None:
            self._thread.join(5)
        for sock in self.held:
            sock.close()


@pytest.fixture
def attachment_service() -> Iterator[AttachmentService]:
    with AttachmentService() as service:
        yield service


@pytest.fixture
def storage(request: pytest.FixtureRequest) -> Iterator[Storage]:
    store = Storage(request.param)
    try:
        yield store
    finally:
        store.close()


def _pdf(tmp_path: Path) -> Path:
    path = tmp_path / "file.pdf"
    path.write_bytes(b"%PDF" + b"x" * 60)
    return path


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- presigned upload and download failures --------------------------------------------------------

STORAGE_FAILURES = ["refuse", "stall", "headers", "garbage", "blackhole"]


def _storage_url(svc: AttachmentService, storage: Storage | None, kind: str) -> str:
    if kind == "ftp":
        url = f"ftp://127.0.0.1:21/bucket/file.pdf?X-Amz-Signature={SIG}"
    elif kind == "closed":
        url = f"http://127.0.0.1:{_closed_port()}/bucket/file.pdf?X-Amz-Signature={SIG}"
    elif kind == "badport":  # httpx takes it, the connection (or yarl) does not
        url = f"http://127.0.0.1:99999/bucket/file.pdf?X-Amz-Signature={SIG}"
    else:
        assert storage is not None
        url = storage.url()
    svc.storage_url = url
    return url


def _transfer(chat: ChatSession, action: str, tmp_path: Path) -> None:
    if action == "upload":
        chat.upload_attachment(_pdf(tmp_path))
    elif action == "download":
        chat.download_attachment("att-1", tmp_path / "out.pdf")
    else:
        with chat.open_attachment("att-1") as stream:
            stream.read()


async def _transfer_async(chat: AsyncChatSession, action: str, tmp_path: Path) -> None:
    if action == "upload":
        await chat.upload_attachment(_pdf(tmp_path))
    elif action == "download":
        await chat.download_attachment("att-1", tmp_path / "out.pdf")
    else:
        async with chat.open_attachment("att-1") as stream:
            await stream.read()


@pytest.mark.parametrize("storage", STORAGE_FAILURES, indirect=True)
@pytest.mark.parametrize("action", ["upload", "download", "open"])
def test_sync_storage_failures_leak_nothing(
    attachment_service: AttachmentService,
    storage: Storage,
    action: str,
    tmp_path: Path,
    everything: Capture,
) -> None:
    _storage_failure_sync(attachment_service, storage, storage.mode, action, tmp_path, everything)


@pytest.mark.parametrize("kind", ["ftp", "closed", "badport"])
@pytest.mark.parametrize("action", ["upload", "download", "open"])
def test_sync_unreachable_storage_leaks_nothing(
    attachment_service: AttachmentService, kind: str, action: str, tmp_path: Path, everything: Capture
) -> None:
    _storage_failure_sync(attachment_service, None, kind, action, tmp_path, everything)


def _storage_failure_sync(
    svc: AttachmentService,
    storage: Storage | None,
    kind: str,
    action: str,
    tmp_path: Path,
    everything: Capture,
) -> None:
    url = _storage_url(svc, storage, kind)
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST, timeout=QUICK) as client:
        chat = client.connect(token)
        connection = chat.connection_token.reveal()  # type: ignore[union-attr]
        with pytest.raises(ParticipantServiceError) as caught:
            _transfer(chat, action, tmp_path)
        texts = [exception_text(caught.value), repr(chat), repr(client)]
    assert_clean("\n".join([*texts, everything.text()]), url, token, connection)


@pytest.mark.parametrize("storage", STORAGE_FAILURES, indirect=True)
@pytest.mark.parametrize("action", ["upload", "download", "open"])
async def test_async_storage_failures_leak_nothing(
    attachment_service: AttachmentService,
    storage: Storage,
    action: str,
    tmp_path: Path,
    everything: Capture,
) -> None:
    await _storage_failure_async(attachment_service, storage, storage.mode, action, tmp_path, everything)


@pytest.mark.parametrize("kind", ["ftp", "closed", "badport"])
@pytest.mark.parametrize("action", ["upload", "download", "open"])
async def test_async_unreachable_storage_leaks_nothing(
    attachment_service: AttachmentService, kind: str, action: str, tmp_path: Path, everything: Capture
) -> None:
    await _storage_failure_async(attachment_service, None, kind, action, tmp_path, everything)


async def _storage_failure_async(
    svc: AttachmentService,
    storage: Storage | None,
    kind: str,
    action: str,
    tmp_path: Path,
    everything: Capture,
) -> None:
    url = _storage_url(svc, storage, kind)
    token = svc.new_participant()
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST, timeout=QUICK) as client:
        chat = await client.connect(token)
        connection = chat.connection_token.reveal()  # type: ignore[union-attr]
        with pytest.raises(ParticipantServiceError) as caught:
            await _transfer_async(chat, action, tmp_path)
        texts = [exception_text(caught.value), repr(chat), repr(client)]
    await asyncio.sleep(0)
    assert_clean("\n".join([*texts, everything.text()]), url, token, connection)


# --- WebSocket URLs that fail -----------------------------------------------------------------------

STREAM_CONFIG = EventStreamConfig(
    open_timeout=0.25, first_retry_delay=0.01, backoff_base=0.02, backoff_cap=0.05, subscribe_timeout=0.2
)


def _websocket_url(svc: AttachmentService, kind: str, stack: contextlib.ExitStack) -> str:
    if kind == "refused":  # 403 handshake: ScriptedServer answers 403 to the upgrade request
        server = stack.enter_context(ScriptedServer())
        server.reply(403, {"message": "forbidden"})
        url = server.url.replace("http://", "ws://") + f"/connect?X-Amz-Signature={SIG}"
    elif kind == "ftp":
        url = f"ftp://127.0.0.1/connect?X-Amz-Signature={SIG}"
    elif kind == "closed":
        url = f"wss://127.0.0.1:{_closed_port()}/connect?X-Amz-Signature={SIG}"
    else:
        store = Storage(kind)
        stack.callback(store.close)
        url = store.url("/connect", scheme="ws")
    svc.websocket_url = url
    return url


WEBSOCKET_FAILURES = ["refused", "ftp", "closed", "garbage", "stall", "blackhole"]


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize("kind", WEBSOCKET_FAILURES)
def test_sync_websocket_failures_leak_nothing(
    attachment_service: AttachmentService, kind: str, everything: Capture
) -> None:
    with contextlib.ExitStack() as stack:
        url = _websocket_url(attachment_service, kind, stack)
        token = attachment_service.new_participant()
        with ParticipantClient(endpoint_url=attachment_service.endpoint_url, retry=FAST) as client:
            chat = client.connect(token)
            connection = chat.connection_token.reveal()  # type: ignore[union-attr]
            stream = chat.events(config=STREAM_CONFIG)
            _wait_for(lambda: stream.stats["sockets"] >= 3)
            assert stream.stats["sockets"] >= 3
            texts = [repr(stream), repr(chat), str(stream.stats)]
            stream.close()
            chat.disconnect()
    assert_clean("\n".join([*texts, everything.text()]), url, token, connection)


@pytest.mark.parametrize("kind", WEBSOCKET_FAILURES)
async def test_async_websocket_failures_leak_nothing(
    attachment_service: AttachmentService, kind: str, everything: Capture
) -> None:
    with contextlib.ExitStack() as stack:
        url = _websocket_url(attachment_service, kind, stack)
        token = attachment_service.new_participant()
        async with AsyncParticipantClient(endpoint_url=attachment_service.endpoint_url, retry=FAST) as client:
            chat = await client.connect(token)
            connection = chat.connection_token.reveal()  # type: ignore[union-attr]
            stream = chat.events(config=STREAM_CONFIG)
            deadline = time.monotonic() + 20
            # the stream starts on first use: read with a short timeout to let it run
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.05):
                    await anext(stream)
            while stream.stats["sockets"] < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert stream.stats["sockets"] >= 3
            texts = [repr(stream), repr(chat)]
            await stream.aclose()
            await chat.disconnect()
    assert_clean("\n".join([*texts, everything.text()]), url, token, connection)


def test_a_stream_that_cannot_get_a_url_ends_with_a_clean_error(
    attachment_service: AttachmentService, everything: Capture
) -> None:
    """CreateParticipantConnection refused while the stream fetches a URL: the error says so, no token."""
    token = attachment_service.new_participant()
    with ParticipantClient(endpoint_url=attachment_service.endpoint_url, retry=ONE_TRY) as client:
        attachment_service.websocket_url = f"ws://127.0.0.1:{_closed_port()}/c?X-Amz-Signature={SIG}"
        chat = client.connect(token)
        connection = chat.connection_token.reveal()  # type: ignore[union-attr]
        attachment_service.end_chat()  # the URL fails, and so does getting another
        with chat.events(config=STREAM_CONFIG) as stream:
            events = list(stream)
        texts = [repr(stream), *(repr(e) for e in events)]
        assert [type(e).__name__ for e in events] == ["RemovedFromChat"]
    assert_clean("\n".join([*texts, everything.text()]), token, connection)


# --- the emulator, end to end, with its own loggers and aiohttp's server loggers listening ----------


def _emulator_secrets(svc: LocalParticipantService) -> list[str]:
    state = svc.emulator.state
    return [
        *state.participant_tokens,
        *state.connection_tokens,
        *state.websocket_grants,
        *state.download_grants,
        *(a.upload_signature for a in state.attachments.values()),
    ]


def _message_from(stream: Any, text: str) -> Any:
    for event in stream:
        if isinstance(event, Message) and event.item.content == text:
            return event
    raise AssertionError("the stream ended before the message came")


def test_emulator_sync_session_leaks_nothing(
    participant_service: LocalParticipantService, tmp_path: Path, everything: Capture
) -> None:
    svc = participant_service
    started = svc.start_chat()
    texts: list[str] = [repr(svc), repr(started)]
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(started.participant_token)
        with chat.events(config=STREAM_CONFIG) as stream:
            chat.send_message("one")
            texts.append(repr(_message_from(stream, "one")))
            svc.close_websockets(abrupt=True)
            svc.expire_connection_tokens()
            chat.send_message("two")
            texts.append(repr(_message_from(stream, "two")))
            svc.inject_fault("UploadAttachment", status=503)
            attachment = chat.upload_attachment(_pdf(tmp_path))
            svc.inject_fault("DownloadAttachment", action="drop")
            chat.download_attachment(attachment.id, tmp_path / "back.pdf")  # type: ignore[arg-type]
            with chat.open_attachment(attachment.id) as reader:  # type: ignore[arg-type]
                texts += [repr(reader), repr(reader.read())]
            texts += [repr(item) for item in chat.transcript()]
            texts += [repr(stream), repr(attachment), repr(chat), repr(client)]
        secrets = _emulator_secrets(svc)
        chat.disconnect()
    assert len(secrets) >= 6
    logged = everything.text()
    assert "HTTP Request: PUT [redacted]" in logged  # httpx's INFO line of the presigned PUT, scrubbed
    assert_clean("\n".join([*texts, logged]), *secrets)


async def test_emulator_async_session_leaks_nothing(
    participant_service: LocalParticipantService, tmp_path: Path, everything: Capture
) -> None:
    svc = participant_service
    started = await svc.astart_chat()
    texts: list[str] = [repr(svc), repr(started)]
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = await client.connect(started.participant_token)
        async with chat.events(config=STREAM_CONFIG) as stream:
            await chat.send_message("one")
            async for event in stream:
                if isinstance(event, Message):
                    texts.append(repr(event))
                    break
            await asyncio.to_thread(svc.expire_connection_tokens)
            await asyncio.to_thread(svc.inject_fault, "UploadAttachment", action="drop")
            attachment = await chat.upload_attachment(_pdf(tmp_path))
            await chat.download_attachment(attachment.id, tmp_path / "back.pdf")  # type: ignore[arg-type]
            async with chat.open_attachment(attachment.id) as reader:  # type: ignore[arg-type]
                texts += [repr(reader), repr(await reader.read())]
            texts += [repr(item) async for item in chat.transcript()]
            texts += [repr(stream), repr(attachment), repr(chat), repr(client)]
        secrets = _emulator_secrets(svc)
        await chat.disconnect()
    assert len(secrets) >= 6
    assert_clean("\n".join([*texts, everything.text()]), *secrets)


# --- the command line --------------------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["refuse"], indirect=True)
def test_cli_errors_leak_nothing(
    attachment_service: AttachmentService,
    storage: Storage,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    everything: Capture,
) -> None:
    url = _storage_url(attachment_service, storage, "refuse")
    token = attachment_service.new_participant()
    endpoint = ["--endpoint-url", attachment_service.endpoint_url]
    outputs: list[str] = []
    for argv in (
        ["send-file", str(_pdf(tmp_path)), "--participant-token", token, *endpoint],
        ["download", "att-1", str(tmp_path / "out.pdf"), "--participant-token", token, *endpoint],
    ):
        assert cli_main(argv) == 1  # the storage refused: a service error, one line, no traceback
        out, err = capsys.readouterr()
        assert "AccessDenied" in err
        outputs += [out, err]
    gone = attachment_service.new_participant()
    attachment_service.participant_tokens.discard(gone)
    monkeypatch.setattr("sys.stdin", io.StringIO(gone + "\n"))
    assert cli_main(["transcript", "--participant-token", "-", *endpoint]) == 1
    outputs += list(capsys.readouterr())
    closed = ["--endpoint-url", f"http://127.0.0.1:{_closed_port()}"]
    monkeypatch.setenv("CONNECT_PARTICIPANT_TOKEN", token)
    assert cli_main(["transcript", *closed]) == 1
    outputs += list(capsys.readouterr())
    assert_clean("\n".join([*outputs, everything.text()]), url, token, gone)


MALFORMED = [
    b"GET /connect/websocket?key=%s\x01 HTTP/1.1\r\nHost: h\r\n\r\n",  # a control character in the URL
    b"GET /connect/websocket?key=%s HTTP/9.9\r\n\r\n",  # an unknown HTTP version
    b"PUT /_attachments/a?X-Amz-Signature=%s HTTP/1.1\r\nBad Header\r\n\r\n",
    b"G\x01T /_attachments/a?X-Amz-Signature=%s HTTP/1.1\r\n\r\n",  # logged at DEBUG
]


@pytest.mark.parametrize("request_line", MALFORMED)
def test_emulator_server_logs_no_request_line(
    participant_service: LocalParticipantService, request_line: bytes, everything: Capture
) -> None:
    """aiohttp's server logs a malformed request with its request line; the emulator's URLs carry
    WebSocket keys and presigned signatures in their query."""
    port = int(participant_service.endpoint_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request_line % SIG.encode())
        assert conn.recv(12) == b"HTTP/1.0 400"
    _wait_for(lambda: any("Error handling request" in r.getMessage() for r in everything.caplog.records))
    assert any("Error handling request" in r.getMessage() for r in everything.caplog.records)
    assert_clean(everything.text())


# --- asyncio's own report of an exception nobody retrieved -------------------------------------------


async def test_unretrieved_task_exception_leaks_nothing(
    attachment_service: AttachmentService, tmp_path: Path, everything: Capture
) -> None:
    url = _storage_url(attachment_service, None, "ftp")  # aiohttp's error quotes this URL whole
    token = attachment_service.new_participant()
    async with AsyncParticipantClient(endpoint_url=attachment_service.endpoint_url, retry=FAST) as client:
        chat = await client.connect(token)
        connection = chat.connection_token.reveal()  # type: ignore[union-attr]
        task = asyncio.get_running_loop().create_task(chat.upload_attachment(_pdf(tmp_path)))
        await asyncio.wait([task])
        del task  # its exception never retrieved: asyncio logs it, traceback and chain
        text = everything.text()
    assert "Task exception was never retrieved" in text
    assert_clean(text, url, token, connection)


# --- the generated client through the facade's httpx client (DescribeView: a token in the path) ------

VIEW_TOKEN = "viewSECRETtoken0123456789"
BEARER = "ctok-" + "0123456789"  # not spelled out where a traceback would show the source line


@pytest.mark.parametrize("storage", ["blackhole", "garbage"], indirect=True)
async def test_low_level_describe_view_failures_leak_nothing(storage: Storage, everything: Capture) -> None:
    """The generated client's calls share the facade's transport: its errors must not quote the URL."""
    from connect_participant_api.api.participant import describe_view

    endpoint = f"http://127.0.0.1:{storage.port}"
    async with AsyncParticipantClient(endpoint_url=endpoint, retry=FAST, timeout=QUICK) as client:
        with pytest.raises(httpx.TransportError) as caught:
            await describe_view.asyncio_detailed(VIEW_TOKEN, client=client.low_level, x_amz_bearer=BEARER)
    assert_clean("\n".join([exception_text(caught.value), everything.text()]), VIEW_TOKEN, BEARER)


@pytest.mark.parametrize("storage", ["blackhole", "garbage"], indirect=True)
def test_low_level_describe_view_failures_leak_nothing_sync(storage: Storage, everything: Capture) -> None:
    from connect_participant_api.api.participant import describe_view

    endpoint = f"http://127.0.0.1:{storage.port}"
    with ParticipantClient(endpoint_url=endpoint, retry=FAST, timeout=QUICK) as client:
        with pytest.raises(httpx.TransportError) as caught:
            describe_view.sync_detailed(VIEW_TOKEN, client=client.low_level, x_amz_bearer=BEARER)
    assert_clean("\n".join([exception_text(caught.value), everything.text()]), VIEW_TOKEN, BEARER)
