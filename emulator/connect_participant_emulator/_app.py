"""The aiohttp application: AWS wire format, WebSocket, presigned-style attachment URLs,
and the emulator-only ``/_emulator`` control endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from aiohttp import WSMsgType, web

from ._config import EmulatorConfig, Quota
from ._faults import Faults, Throttle
from ._flows._engine import FlowEngine, add_flow_routes, coerce_flows
from ._model import Contact, Participant, ServiceError, Socket, State, access_denied, iso_time, validation
from ._operations import Operations, content_disposition
from ._spec import ServiceSpec, load_spec
from ._validation import ValidationIssue, format_issues

__all__ = ["RUNNER_OPTIONS", "EmulatorApp", "build_app"]

log = logging.getLogger("connect_participant_emulator")

ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/participant/connection"): "CreateParticipantConnection",
    ("POST", "/participant/message"): "SendMessage",
    ("POST", "/participant/event"): "SendEvent",
    ("POST", "/participant/transcript"): "GetTranscript",
    ("POST", "/participant/disconnect"): "DisconnectParticipant",
    ("POST", "/participant/start-attachment-upload"): "StartAttachmentUpload",
    ("POST", "/participant/complete-attachment-upload"): "CompleteAttachmentUpload",
    ("POST", "/participant/attachment"): "GetAttachment",
    ("POST", "/participant/authentication-url"): "GetAuthenticationUrl",
    ("POST", "/participant/cancel-authentication"): "CancelParticipantAuthentication",
    ("PUT", "/contact/chat"): "StartChatContact",
    ("POST", "/contact/create-participant"): "CreateParticipant",
    ("POST", "/contact/stop"): "StopContact",
}
VIEWS_PREFIX = "/participant/views/"
EXPOSED_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
ADMIN_OPERATIONS = frozenset({"StartChatContact", "CreateParticipant", "StopContact"})
#: names the fault and latency controls accept (besides "*")
FAULT_OPERATIONS = frozenset(
    {*ROUTES.values(), "DescribeView", "WebSocketConnect", "UploadAttachment", "DownloadAttachment"}
)

_HTTP_CODES = {
    400: "BadRequestException",
    404: "UnknownOperationException",
    405: "MethodNotAllowedException",
    408: "RequestTimeoutException",
    411: "LengthRequiredException",
    413: "RequestEntityTooLargeException",
    415: "UnsupportedMediaTypeException",
}


_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_operation: contextvars.ContextVar[str] = contextvars.ContextVar("operation", default="a request")


class DropConnection(Exception):
    """Raised to end a request by closing its TCP connection without an answer."""


def error_response(status: int, code: str, message: str, **extra: str) -> web.Response:
    body: dict[str, Any] = {"message": message}
    body.update(extra)
    return web.json_response(body, status=status, headers={"x-amzn-ErrorType": code})


def s3_error(status: int, code: str, message: str, request_id: str, **extra: str) -> web.Response:
    parts = [f"<Code>{escape(code)}</Code>", f"<Message>{escape(message)}</Message>"]
    parts += [f"<{name}>{escape(value)}</{name}>" for name, value in extra.items()]
    parts += [f"<RequestId>{escape(request_id[:16])}</RequestId>", "<HostId>emulator</HostId>"]
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' + "".join(parts) + "</Error>"
    return web.Response(
        status=status,
        text=text,
        content_type="application/xml",
        headers={"x-amz-request-id": request_id[:16]},
    )


async def read_bounded(request: web.Request, limit: int) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise ServiceError(
            413, "RequestEntityTooLargeException", f"The request body is larger than {limit} bytes."
        )
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.content.iter_chunked(65536):
        total += len(chunk)
        if total > limit:
            raise ServiceError(
                413, "RequestEntityTooLargeException", f"The request body is larger than {limit} bytes."
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse_object(raw: bytes, code: str, what: str) -> dict[str, Any]:
    """A request body that must be one JSON object; anything else is a 400 with ``code``."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        raise ServiceError(400, code, f"{what} is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise ServiceError(400, code, f"{what} must be a JSON object.")
    return parsed


class EmulatorApp:
    """Holds the state and serves it; ``build_app`` wraps it in an aiohttp Application."""

    def __init__(self, config: EmulatorConfig | None = None, spec: ServiceSpec | None = None) -> None:
        self.config = config or EmulatorConfig()
        """The emulator's settings (``EmulatorConfig``)."""
        self.spec = spec if spec is not None else load_spec()
        """The OpenAPI document requests are validated against."""
        self.state = State(self.config)
        """The in-memory state: contacts, participants, tokens, attachments, sockets (for tests that look inside)."""
        self.operations = Operations(self.state)
        """The 11 Participant Service operations and Connect's three, over ``state``."""
        if self.config.flows is not None:
            flows = coerce_flows(self.config.flows)
            self.operations.flow_engine = FlowEngine(self.state, self.operations.features, flows)
        self.faults = Faults()
        """The injected faults and latencies (``/_emulator/faults``, ``/_emulator/latency``)."""
        self.throttle = Throttle(self.config)
        """The per-operation token buckets (``/_emulator/throttling``)."""
        self.started = time.time()
        """When the emulator started (``time.time()``)."""

    # --- plumbing --------------------------------------------------------------------

    @web.middleware
    async def middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """aiohttp middleware: CORS, AWS-shaped errors and the request id on every answer."""
        request_id = str(uuid.uuid4())
        _request_id.set(request_id)
        self.state.sweep()  # release what is due (cheap when nothing is)
        response: web.StreamResponse
        try:
            if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
                response = self.preflight(request)
            else:
                response = await handler(request)
        except ServiceError as exc:
            response = error_response(exc.status, exc.code, exc.message, **exc.extra)
        except DropConnection:
            # close the TCP connection without an answer; what is returned is never sent
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            code = _HTTP_CODES.get(
                exc.status, "BadRequestException" if exc.status < 500 else "InternalServerException"
            )
            response = error_response(exc.status, code, exc.reason)
            allow = exc.headers.get("Allow")
            if allow is not None:
                response.headers["Allow"] = allow
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception:
            log.exception("internal error while serving %s", _operation.get())
            response = error_response(500, "InternalServerException", "An internal error occurred.")
        if not response.prepared:
            response.headers["x-amzn-RequestId"] = request_id
            if "Origin" in request.headers:
                response.headers["Access-Control-Allow-Origin"] = "*"
                response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        return response

    @staticmethod
    def preflight(request: web.Request) -> web.Response:
        """CORS preflight, as the service answers browsers (AWS's chat library runs in one)."""
        asked = request.headers.get("Access-Control-Request-Headers", "")
        return web.Response(
            status=200,
            headers={
                "Access-Control-Allow-Methods": "GET, POST, PUT",
                "Access-Control-Allow-Headers": asked or "*",
                "Access-Control-Max-Age": "600",
            },
        )

    def origin(self, request: web.Request) -> str:
        """The ``http://host:port`` the request reached, for the URLs the emulator hands out."""
        return f"{request.scheme}://{request.host}"

    def route(self, request: web.Request) -> tuple[str, str | None]:
        """The AWS operation a request names and its path parameter (``(operation, parameter)``)."""
        raw_path = request.raw_path.split("?", 1)[0]
        path = request.path
        operation = ROUTES.get((request.method, path))
        if operation is not None:
            return operation, None
        if raw_path.startswith(VIEWS_PREFIX) and len(raw_path) > len(VIEWS_PREFIX):
            token = raw_path[len(VIEWS_PREFIX) :]
            if "/" not in token:
                if request.method != "GET":
                    raise web.HTTPMethodNotAllowed(request.method, ["GET"])
                return "DescribeView", unquote(token)
        allowed = [method for (method, known), _ in ROUTES.items() if known == path]
        if allowed:
            raise web.HTTPMethodNotAllowed(request.method, allowed)
        raise ServiceError(404, "UnknownOperationException", "No operation matches this method and path.")

    async def before(self, request: web.Request, operation: str) -> str | None:
        """What runs before an operation: throttling, injected latency and ``before`` faults.
        Answers the call's contact when a fault rule is scoped to one (else None)."""
        latency = self.faults.latency_for(operation)
        if latency > 0:
            await asyncio.sleep(latency)
        contact_id = self.fault_scope(request)
        await self.apply_fault(operation, "before", contact_id)
        return contact_id

    def fault_scope(self, request: web.Request) -> str | None:
        """The contact whose participant makes this call (its connection or participant token,
        or its WebSocket URL), looked up only while a fault rule is scoped to a contact."""
        if not self.faults.scoped:
            return None
        state = self.state
        participant: Participant | None = None
        bearer = request.headers.get("X-Amz-Bearer")
        if bearer:
            grant = state.connection_tokens.get(bearer)
            participant = grant.participant if grant is not None else state.participant_tokens.get(bearer)
        else:
            socket = state.websocket_grants.get(request.query.get("X-Amz-Signature", ""))
            participant = socket.participant if socket is not None else None
        return participant.contact.contact_id if participant is not None else None

    async def apply_fault(self, operation: str, when: str, contact_id: str | None = None) -> None:
        """Apply the first matching injected fault of ``operation`` at ``when`` (``before``/``after``)."""
        rule = self.faults.take(operation, when, contact_id)
        if rule is None:
            return
        if rule.action == "delay":
            await asyncio.sleep(rule.delay_seconds)
            return
        if rule.delay_seconds:
            await asyncio.sleep(rule.delay_seconds)
        if rule.action == "drop":
            raise DropConnection
        raise ServiceError(rule.status, rule.error_code, rule.message)

    async def read_json(self, request: web.Request, operation: str) -> dict[str, Any]:
        """The request's JSON body (400 SerializationException if it is not a JSON object; 413 if too large)."""
        raw = await read_bounded(request, self.config.max_request_bytes)
        if not raw.strip():
            op = self.spec.operations.get(operation)
            if op is not None and op.body_required and self.config.validate_requests:
                # AWS's SDKs always send at least {} for these operations
                raise ServiceError(400, "SerializationException", "The request body is missing.")
            return {}
        return parse_object(raw, "SerializationException", "The request body")

    def validate(
        self, operation: str, request: web.Request, body: dict[str, Any], view_token: str | None
    ) -> None:
        """Check a request against the spec (members, types, bounds, the bearer header); a ValidationException if it fails."""
        if not self.config.validate_requests:
            return
        op = self.spec.operations.get(operation)
        if op is None:
            return
        validator = self.spec.validator
        issues = []
        for param in op.parameters:
            value: str | None
            if param.location == "header":
                value = request.headers.get(param.name)
            elif param.location == "path":
                value = view_token if param.name == "ViewToken" else request.match_info.get(param.name)
            elif param.location == "query":
                value = request.query.get(param.name)
            else:
                continue
            if value is None:
                if param.required:
                    issues.append(ValidationIssue(param.name, None, "Member must not be null"))
                continue
            issues.extend(validator.validate(value, param.schema, param.name))
        if op.body_schema is not None:
            issues.extend(validator.validate(body, op.body_schema))
        if issues:
            raise validation(format_issues(issues))

    # --- AWS operations --------------------------------------------------------------

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Answer one Participant Service or Connect API request."""
        operation, view_token = self.route(request)
        _operation.set(operation)
        contact_id = await self.before(request, operation)
        body = {} if operation == "DescribeView" else await self.read_json(request, operation)
        bearer = request.headers.get("X-Amz-Bearer")
        if not self.throttle.allow(operation):
            raise ServiceError(429, "ThrottlingException", "Rate exceeded")
        if operation not in ADMIN_OPERATIONS:
            self.validate(operation, request, body, view_token)
        answer = self.call(operation, request, body, bearer or "", view_token)
        await self.apply_fault(operation, "after", contact_id)
        return web.json_response(answer)

    def call(
        self, operation: str, request: web.Request, body: dict[str, Any], bearer: str, view_token: str | None
    ) -> dict[str, Any]:
        """Run ``operation`` on the state and return its JSON answer."""
        ops = self.operations
        if operation == "StartChatContact":
            return ops.start_chat_contact(body)
        if operation == "CreateParticipant":
            return ops.create_participant(body)
        if operation == "StopContact":
            return ops.stop_contact(body)
        if not bearer:
            raise validation(
                "1 validation error detected: Value null at 'X-Amz-Bearer' failed to satisfy constraint: "
                "Member must not be null"
            )
        if operation == "CreateParticipantConnection":
            return ops.create_participant_connection(bearer, body, self.origin(request))
        participant = self.state.participant_for_connection(bearer)
        if operation == "SendMessage":
            return ops.send_message(participant, body)
        if operation == "SendEvent":
            return ops.send_event(participant, body)
        if operation == "GetTranscript":
            return ops.get_transcript(participant, body)
        if operation == "DisconnectParticipant":
            return ops.disconnect_participant(participant, body)
        if operation == "StartAttachmentUpload":
            return ops.start_attachment_upload(participant, body, self.origin(request))
        if operation == "CompleteAttachmentUpload":
            return ops.complete_attachment_upload(participant, body)
        if operation == "GetAttachment":
            return ops.get_attachment(participant, body, self.origin(request))
        if operation == "DescribeView":
            return ops.describe_view(participant, view_token or "")
        if operation == "GetAuthenticationUrl":
            return ops.get_authentication_url(participant, body, self.origin(request))
        if operation == "CancelParticipantAuthentication":
            return ops.cancel_participant_authentication(participant, body)
        raise ServiceError(404, "UnknownOperationException", "No operation matches this method and path.")

    # --- WebSocket -------------------------------------------------------------------

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """The chat WebSocket: subscribe, heartbeat, ping, and the ``aws/chat`` frames."""
        _operation.set("WebSocketConnect")
        await self.before(request, "WebSocketConnect")
        key = request.query.get("X-Amz-Signature", "")
        grant = self.state.websocket_grants.get(key)
        if grant is None:
            raise ServiceError(403, "ForbiddenException", "Forbidden")
        if time.time() > grant.connect_deadline:
            raise ServiceError(403, "ForbiddenException", "The WebSocket URL has expired.")
        participant = grant.participant
        self.state.check_expiry(participant.contact)
        if not participant.active:
            raise access_denied()
        if len(participant.sockets) >= self.config.max_websockets_per_participant:
            raise ServiceError(
                429, "LimitExceededException", "Too many open WebSocket connections for this participant."
            )
        ws = web.WebSocketResponse(max_msg_size=256 * 1024)
        ws.headers["x-amzn-RequestId"] = _request_id.get()
        await ws.prepare(request)
        transport = request.transport

        def abort() -> None:
            if transport is not None:
                transport.abort()

        sock = Socket(participant=participant, queue=asyncio.Queue(), abort=abort)
        participant.sockets.add(sock)
        self.state.sockets.add(sock)
        closing: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        sender = asyncio.create_task(self._pump(sock, ws, closing))
        try:
            while True:
                receiving = asyncio.ensure_future(ws.receive())
                waiting: set[asyncio.Future[Any]] = {receiving, closing}
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if not receiving.done():
                    # The server closes (chat ended, participant left, control endpoint,
                    # shutdown). Stop reading first: aiohttp's close() called while another
                    # task reads drops TCP right after its close frame; called here, it sends
                    # the frame, waits for the client's close frame (bounded by the response's
                    # timeout) and only then closes TCP — the closing handshake clients check.
                    receiving.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await receiving
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        await ws.close(code=closing.result())
                    # aiohttp keeps the client's close code, or 1006 when none came in time
                    answered = ws.close_code is not None and ws.close_code != 1006
                    self.state.server_closes["clean" if answered else "unclean"] += 1
                    break
                message = receiving.result()
                if message.type == WSMsgType.TEXT:
                    self._on_frame(sock, participant, message.data)
                elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        finally:
            participant.sockets.discard(sock)
            self.state.sockets.discard(sock)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sender
        return ws

    @staticmethod
    async def _pump(sock: Socket, ws: web.WebSocketResponse, closing: asyncio.Future[int]) -> None:
        """Sends the socket's frames in order; a close request (after the frames queued before
        it) is handed to the handler, which does the closing handshake."""
        while True:
            frame = await sock.queue.get()
            if isinstance(frame, tuple):
                sock.closing = True
                if not closing.done():
                    closing.set_result(frame[1])
                return
            try:
                await ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return

    def _on_frame(self, sock: Socket, participant: Participant, text: str) -> None:
        try:
            frame = json.loads(text)
        except (ValueError, RecursionError):
            return
        if not isinstance(frame, dict):
            return
        topic = frame.get("topic")
        if topic in ("aws/subscribe", "aws/unsubscribe"):
            content = frame.get("content")
            if isinstance(content, str):  # some clients send the content JSON-encoded
                try:
                    content = json.loads(content)
                except (ValueError, RecursionError):
                    content = None
            topics = content.get("topics") if isinstance(content, dict) else None
            if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
                topics = []
            if topic == "aws/subscribe":
                ok = "aws/chat" in topics and participant.active
                if ok:
                    sock.subscribed = True
                ack: dict[str, Any] = {"status": "success" if ok else "failure", "topics": topics}
            else:
                if "aws/chat" in topics:
                    sock.subscribed = False
                ack = {"status": "success", "topics": topics}
            sock.push(json.dumps({"topic": topic, "content": ack}))
            if sock.subscribed:
                self.state.subscribed(sock)
        elif topic == "aws/heartbeat":
            sock.push(json.dumps({"topic": "aws/heartbeat"}))
        elif topic == "aws/ping":
            sock.push(json.dumps({"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"}))

    # --- presigned-like attachment URLs ----------------------------------------------

    async def upload(self, request: web.Request) -> web.StreamResponse:
        """The presigned-style PUT of an attachment, checked like S3."""
        _operation.set("UploadAttachment")
        await self.before(request, "UploadAttachment")
        request_id = _request_id.get()
        attachment = self.state.attachments.get(request.match_info["attachment_id"])
        signature = request.query.get("X-Amz-Signature", "")
        if attachment is None or signature != attachment.upload_signature:
            return s3_error(403, "AccessDenied", "Access Denied", request_id)
        if time.time() > attachment.upload_expires_at:
            return s3_error(403, "AccessDenied", "Request has expired", request_id)
        if attachment.completed or not attachment.participant.active:
            return s3_error(403, "AccessDenied", "Access Denied", request_id)
        for name, value in attachment.headers.items():
            if request.headers.get(name) != value:
                return s3_error(
                    403,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. "
                    "Check your key and signing method.",
                    request_id,
                )
        signed = {name.lower() for name in attachment.headers}
        unsigned = sorted(
            h.lower() for h in request.headers if h.lower().startswith("x-amz-") and h.lower() not in signed
        )
        if unsigned:
            return s3_error(
                403,
                "AccessDenied",
                "There were headers present in the request which were not signed",
                request_id,
                HeadersNotSigned=", ".join(unsigned),
            )
        try:
            data = await read_bounded(request, attachment.size)
        except ServiceError:
            data = b""
        if len(data) != attachment.size:
            return s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
                request_id,
            )
        attachment.data = data
        etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'
        await self.apply_fault("UploadAttachment", "after")
        return web.Response(status=200, headers={"ETag": etag, "x-amz-request-id": request_id[:16]})

    async def download(self, request: web.Request) -> web.StreamResponse:
        """The presigned-style GET of an attachment."""
        _operation.set("DownloadAttachment")
        await self.before(request, "DownloadAttachment")
        request_id = _request_id.get()
        grant = self.state.download_grants.get(request.query.get("X-Amz-Signature", ""))
        if grant is None or grant.attachment.attachment_id != request.match_info["attachment_id"]:
            return s3_error(403, "AccessDenied", "Access Denied", request_id)
        if time.time() > grant.expires_at:
            return s3_error(403, "AccessDenied", "Request has expired", request_id)
        attachment = grant.attachment
        return web.Response(
            body=attachment.data or b"",
            headers={
                "Content-Type": attachment.content_type,
                "Content-Disposition": content_disposition(grant.disposition, attachment.name),
                "x-amz-request-id": request_id[:16],
            },
        )

    # --- /_emulator control endpoint -------------------------------------------------

    async def control_json(self, request: web.Request) -> dict[str, Any]:
        """A control-endpoint request's JSON object body (400 if it is not one)."""
        raw = await read_bounded(request, 65536)
        if not raw.strip():
            return {}
        return parse_object(raw, "ValidationException", "The body")

    async def health(self, request: web.Request) -> web.StreamResponse:
        """``GET /_emulator/health``: status and counts."""
        state = self.state
        return web.json_response(
            {
                "status": "ok",
                "contacts": len(state.contacts),
                "active_contacts": sum(not c.ended for c in state.contacts.values()),
                "participants": len(state.participant_tokens),
                "connection_tokens": len(state.connection_tokens),
                "attachments": len(state.attachments),
                "idempotency_answers": len(state.idempotency),
                "websockets": len(state.sockets),
                "server_closes": dict(state.server_closes),
                "spec_operations": len(self.spec.operations),
            }
        )

    async def add_fault(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/faults``: add a fault rule; 201 with the rule."""
        body = await self.control_json(request)
        operation = body.get("operation", "*")
        if isinstance(operation, str) and operation != "*" and operation not in FAULT_OPERATIONS:
            raise ServiceError(
                400,
                "ValidationException",
                f"Unknown operation {operation!r}; known: {', '.join(sorted(FAULT_OPERATIONS))}",
            )
        try:
            rule = self.faults.add(body)
        except ValueError as exc:
            raise ServiceError(400, "ValidationException", str(exc)) from None
        return web.json_response(rule.to_json(), status=201)

    async def list_faults(self, request: web.Request) -> web.StreamResponse:
        """``GET /_emulator/faults``: the fault rules and latencies."""
        return web.json_response(
            {"faults": [rule.to_json() for rule in self.faults.rules], "latency": dict(self.faults.latency)}
        )

    async def clear_faults(self, request: web.Request) -> web.StreamResponse:
        """``DELETE /_emulator/faults[/{id}]``: remove fault rules; ``{"removed": n}``."""
        fault_id = request.match_info.get("fault_id")
        before = len(self.faults.rules)
        if fault_id is None:
            self.faults.rules.clear()
        else:
            self.faults.rules[:] = [rule for rule in self.faults.rules if rule.id != fault_id]
        return web.json_response({"removed": before - len(self.faults.rules)})

    async def set_latency(self, request: web.Request) -> web.StreamResponse:
        """``PUT /_emulator/latency``: delay an operation (0 removes); ``{"latency": {…}}``."""
        body = await self.control_json(request)
        seconds = body.get("seconds", 0)
        operation = body.get("operation", "*")
        if isinstance(operation, str) and operation != "*" and operation not in FAULT_OPERATIONS:
            raise ServiceError(400, "ValidationException", f"Unknown operation {operation!r}")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds <= 600:
            raise ServiceError(400, "ValidationException", "seconds must be a number from 0 to 600")
        if not isinstance(operation, str) or not operation:
            raise ServiceError(400, "ValidationException", "operation must be an operation name or '*'")
        if seconds:
            self.faults.latency[operation] = float(seconds)
        else:
            self.faults.latency.pop(operation, None)
        return web.json_response({"latency": dict(self.faults.latency)})

    async def close_websockets(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/websockets/close``: close sockets, cleanly or abruptly; ``{"closed": n}``."""
        body = await self.control_json(request)
        code = body.get("code", 1001)
        abrupt = body.get("abrupt", False)
        contact_id = body.get("contact_id")
        if (
            isinstance(code, bool)
            or not isinstance(code, int)
            or not (code in (1000, 1001, 1011) or 3000 <= code <= 4999)
        ):
            raise ServiceError(400, "ValidationException", "code must be 1000, 1001, 1011 or 3000..4999")
        if not isinstance(abrupt, bool):
            raise ServiceError(400, "ValidationException", "abrupt must be a boolean")
        closed = 0
        for sock in list(self.state.sockets):
            if contact_id is not None and sock.participant.contact.contact_id != contact_id:
                continue
            if abrupt:
                sock.abort()
            else:
                sock.close(code)
            closed += 1
        return web.json_response({"closed": closed})

    async def expire_tokens(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/connection-tokens/expire``: expire connection tokens; ``{"expired": n}``."""
        body = await self.control_json(request)
        contact_id = body.get("contact_id")
        participant_id = body.get("participant_id")
        if not (contact_id is None or isinstance(contact_id, str)) or not (
            participant_id is None or isinstance(participant_id, str)
        ):
            raise ServiceError(400, "ValidationException", "contact_id and participant_id must be strings")
        expired = self.state.expire_connection_tokens(contact_id, participant_id)
        return web.json_response({"expired": expired})

    async def get_throttling(self, request: web.Request) -> web.StreamResponse:
        """``GET /_emulator/throttling``: whether throttling is on, and the quotas."""
        return web.json_response(self.throttle.to_json())

    async def set_throttling(self, request: web.Request) -> web.StreamResponse:
        """``PUT /_emulator/throttling``: turn throttling on or off, change quotas."""
        body = await self.control_json(request)
        enabled = body.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            raise ServiceError(400, "ValidationException", "enabled must be a boolean")
        raw = body.get("quotas") or {}
        if not isinstance(raw, dict):
            raise ServiceError(400, "ValidationException", "quotas must map operation names to {rate, burst}")
        quotas: dict[str, Quota] = {}
        for name, value in raw.items():
            rate = value.get("rate") if isinstance(value, dict) else None
            burst = value.get("burst") if isinstance(value, dict) else None
            if not all(
                isinstance(x, int | float) and not isinstance(x, bool) and x > 0 for x in (rate, burst)
            ):
                raise ServiceError(
                    400, "ValidationException", f"quota for {name} needs positive rate and burst"
                )
            assert isinstance(rate, int | float)
            assert isinstance(burst, int | float)
            quotas[name] = Quota(float(rate), float(burst))
        self.throttle.configure(enabled, quotas)
        return web.json_response(self.throttle.to_json())

    async def reset(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/reset``: clear faults and latency, throttling back to the start-up settings."""
        self.faults.reset()
        self.throttle.reset()
        return web.json_response({"status": "reset"})

    async def contact_info(self, request: web.Request) -> web.StreamResponse:
        """``GET /_emulator/contacts/{id}``: the contact's participants, state and item count (no tokens)."""
        contact = self.state.contacts.get(request.match_info["contact_id"])
        if contact is None:
            raise ServiceError(404, "ResourceNotFoundException", "No such contact.")
        self.state.check_expiry(contact)
        return web.json_response(
            {
                "ContactId": contact.contact_id,
                "InstanceId": contact.instance_id,
                "Ended": contact.ended,
                "Participants": [
                    {
                        "ParticipantId": p.participant_id,
                        "ParticipantRole": p.role,
                        "DisplayName": p.display_name,
                        "Left": p.left,
                        "WebSockets": len(p.sockets),
                    }
                    for p in contact.participants.values()
                ],
                "TranscriptItems": len(contact.entries),
                # the chat's contact ids: the initial one, then one per transfer
                "InitialContactId": contact.contact_id,
                "ContactIds": list(contact.segments),
                "ContinuedFromContactId": contact.continues.contact_id if contact.continues else None,
                # when an ended contact's state is released (retention_seconds after the end)
                "ReleasedAt": iso_time(contact.release_at) if contact.release_at is not None else None,
            }
        )

    async def add_contact_participant(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/contacts/{id}/participants``: add a participant of any role, as CreateParticipant."""
        body = await self.control_json(request)
        details = {
            "ParticipantRole": body.get("ParticipantRole", "AGENT"),
            "DisplayName": body.get("DisplayName"),
        }
        answer = self.operations.create_participant(
            {"ContactId": request.match_info["contact_id"], "ParticipantDetails": details}, any_role=True
        )
        return web.json_response(answer)

    # --- chat features the flow would produce (see ``_features``) ------------------------

    def _contact(self, request: web.Request) -> Contact:
        contact = self.state.contacts.get(request.match_info["contact_id"])
        if contact is None:
            raise ServiceError(404, "ResourceNotFoundException", "No such contact.")
        return contact

    async def contact_message(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/contacts/{id}/messages``: the flow's message, or a streamed answer (``Chunks``)."""
        body = await self.control_json(request)
        return web.json_response(self.operations.features.send_message(self._contact(request), body))

    async def contact_event(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/contacts/{id}/events``: any event, as the flow's."""
        body = await self.control_json(request)
        return web.json_response(self.operations.features.send_event(self._contact(request), body))

    async def contact_view(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/contacts/{id}/views``: show a view (a ViewResource message); answers its token."""
        body = await self.control_json(request)
        return web.json_response(self.operations.features.show_view(self._contact(request), body))

    async def contact_authentication(self, request: web.Request) -> web.StreamResponse:
        """``POST /_emulator/contacts/{id}/authentication[/{session}]``: start or finish an in-chat authentication."""
        body = await self.control_json(request)
        features = self.operations.features
        contact = self._contact(request)
        session_id = request.match_info.get("session_id")
        if session_id is None:
            return web.json_response(features.start_authentication(contact, body))
        return web.json_response(features.finish_authentication(contact, session_id, body))

    async def contact_timers(self, request: web.Request) -> web.StreamResponse:
        """``PUT /_emulator/contacts/{id}/timers``: the idle and auto-disconnect timers."""
        body = await self.control_json(request)
        return web.json_response(self.operations.features.set_timers(self._contact(request), body))

    async def participant_display_name(self, request: web.Request) -> web.StreamResponse:
        """``PUT …/participants/{id}/display-name``: rename a participant."""
        body = await self.control_json(request)
        participant = self._contact(request).participants.get(request.match_info["participant_id"])
        name = body.get("DisplayName")
        if participant is None or not participant.active:
            raise ServiceError(404, "ResourceNotFoundException", "No such active participant.")
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise ServiceError(
                400, "ValidationException", "DisplayName must be a string of 1 to 256 characters"
            )
        item = self.operations.features.rename(participant, name)
        return web.json_response({"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]})

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        """The emulator's stand-in for the identity provider's page: opening it signs the customer in."""
        session = self.operations.features.sign_in(request.match_info["session_id"])
        if session.redirect_uri:
            raise web.HTTPFound(session.redirect_uri)
        return web.json_response({"SessionId": session.session_id, "Outcome": session.outcome})

    async def transfer(self, request: web.Request) -> web.StreamResponse:
        """A transfer as the flow's Transfer block makes it (to a queue or an agent)."""
        body = await self.control_json(request)
        contact = self._contact(request)
        destination = body.get("Destination", "QUEUE")
        outcome = body.get("Outcome", "SUCCEEDED")
        name = body.get("DisplayName", "Agent")
        if destination not in ("QUEUE", "AGENT"):
            raise ServiceError(400, "ValidationException", "Destination must be QUEUE or AGENT")
        if outcome not in ("SUCCEEDED", "FAILED"):
            raise ServiceError(400, "ValidationException", "Outcome must be SUCCEEDED or FAILED")
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise ServiceError(
                400, "ValidationException", "DisplayName must be a string of 1 to 256 characters"
            )
        self.state.check_expiry(contact)
        if contact.ended:
            raise ServiceError(409, "ConflictException", "The contact has ended.")
        previous = contact.current_id
        current, agent = self.state.transfer(contact, destination, name, outcome == "SUCCEEDED")
        answer: dict[str, Any] = {
            "Outcome": outcome,
            "ContactId": current,
            "PreviousContactId": previous,
            "InitialContactId": contact.contact_id,
        }
        if agent is not None:
            answer["ParticipantId"] = agent.participant_id
            answer["ParticipantCredentials"] = {
                "ParticipantToken": agent.token,
                "Expiry": iso_time(contact.expires_at),
            }
        return web.json_response(answer)

    async def sweeper(self, app: web.Application) -> AsyncIterator[None]:
        """A background task releasing what is due while no request comes (cleanup context)."""

        async def sweep_forever() -> None:
            period = max(0.05, min(30.0, self.config.retention_seconds / 4))
            while True:
                await asyncio.sleep(period)
                self.state.sweep()

        task = asyncio.create_task(sweep_forever())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every WebSocket cleanly when the server stops."""
        for sock in list(self.state.sockets):
            sock.close(1001)
        await asyncio.sleep(0)


APP_KEY = web.AppKey("connect_participant_emulator", EmulatorApp)


class _NoRequestLine(logging.Filter):
    """aiohttp's server logs a malformed request with the error, whose text quotes the request
    line, query and all (WebSocket keys, presigned signatures): keep the message and the kind
    of error, not the error's text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.getMessage()}: {type(record.exc_info[1]).__name__}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


_server_log = logging.getLogger("connect_participant_emulator.server")
_server_log.addFilter(_NoRequestLine())

#: options for ``web.AppRunner``: long request lines (a 1,000-character ViewToken can be
#: 12 kB once percent-encoded), no access log and a server log without request lines (URLs
#: carry presigned signatures)
RUNNER_OPTIONS: dict[str, Any] = {
    "access_log": None,
    "logger": _server_log,
    "shutdown_timeout": 2.0,
    "max_line_size": 65536,
    "max_field_size": 65536,
}


def build_app(config: EmulatorConfig | None = None, spec: ServiceSpec | None = None) -> web.Application:
    """An aiohttp Application serving the emulator (state lives in ``app[APP_KEY]``)."""
    emulator = EmulatorApp(config, spec)
    app = web.Application(middlewares=[emulator.middleware], client_max_size=1024 * 1024)
    app[APP_KEY] = emulator
    router = app.router
    router.add_get("/connect/websocket", emulator.websocket)
    router.add_put("/_attachments/{attachment_id}", emulator.upload)
    router.add_get("/_attachments/{attachment_id}", emulator.download, allow_head=False)
    router.add_get("/_emulator/health", emulator.health)
    router.add_post("/_emulator/faults", emulator.add_fault)
    router.add_get("/_emulator/faults", emulator.list_faults)
    router.add_delete("/_emulator/faults", emulator.clear_faults)
    router.add_delete("/_emulator/faults/{fault_id}", emulator.clear_faults)
    router.add_put("/_emulator/latency", emulator.set_latency)
    router.add_post("/_emulator/websockets/close", emulator.close_websockets)
    router.add_post("/_emulator/connection-tokens/expire", emulator.expire_tokens)
    router.add_get("/_emulator/throttling", emulator.get_throttling)
    router.add_put("/_emulator/throttling", emulator.set_throttling)
    router.add_post("/_emulator/reset", emulator.reset)
    router.add_get("/_emulator/contacts/{contact_id}", emulator.contact_info)
    router.add_post("/_emulator/contacts/{contact_id}/participants", emulator.add_contact_participant)
    router.add_post("/_emulator/contacts/{contact_id}/messages", emulator.contact_message)
    router.add_post("/_emulator/contacts/{contact_id}/events", emulator.contact_event)
    router.add_post("/_emulator/contacts/{contact_id}/views", emulator.contact_view)
    router.add_post("/_emulator/contacts/{contact_id}/authentication", emulator.contact_authentication)
    router.add_post(
        "/_emulator/contacts/{contact_id}/authentication/{session_id}", emulator.contact_authentication
    )
    router.add_put("/_emulator/contacts/{contact_id}/timers", emulator.contact_timers)
    router.add_put(
        "/_emulator/contacts/{contact_id}/participants/{participant_id}/display-name",
        emulator.participant_display_name,
    )
    router.add_get("/_emulator/authentication/{session_id}", emulator.sign_in)
    router.add_post("/_emulator/contacts/{contact_id}/transfer", emulator.transfer)
    add_flow_routes(router, lambda: emulator.operations.flow_engine)
    router.add_route("*", "/{tail:.*}", emulator.dispatch)
    app.on_shutdown.append(emulator.on_shutdown)
    app.cleanup_ctx.append(emulator.sweeper)
    return app
