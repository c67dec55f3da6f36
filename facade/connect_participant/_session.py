"""``ChatSession`` and ``AsyncChatSession``: one base that decides, two shells that do I/O.

``_SessionBase`` validates arguments and builds each call as a flow (see
``_flow`` and ``_tokens``); the sync shell runs flows with ``run_sync`` and a
``threading.Lock``, the async shell with ``run_async`` and an
``asyncio.Lock``. A public method of a shell is one line: run the flow the
base built.

Internal API for the pieces that plug in later (attachments, events):

- ``session._state``: ``TokenState`` — ``.participant_token`` (``Secret`` or
  ``None``), ``.connection`` (``ConnectionInfo``: connection token, expiry,
  ``websocket_url`` and its expiry, all secrets as ``Secret``),
  ``.generation``.
- ``session._call_flow(request, parse)``: a flow for any ``_operations``
  request with refresh and re-create handled; run it with
  ``session._run(flow)`` (sync) or ``await session._run(flow)`` (async).
  Attachments: ``ops.start_attachment_upload(...)`` →
  ``session._call_flow``; the presigned PUT/GET go through
  ``session._http`` (the same httpx client, so retries apply; send no
  bearer header) with exactly the ``HeadersToInclude``; then
  ``ops.complete_attachment_upload(...)``.
- ``session._new_connection_flow()``: single-flight CreateParticipantConnection
  returning the new ``ConnectionInfo`` (fresh WebSocket URL and connection
  token) — what the events stream calls before each (re)connect.
- ``session.transcript(start=item_id, direction="FORWARD")`` fills a gap
  after a reconnect; ``Item.from_json`` parses WebSocket frames.
- ``session._content_limits`` for content checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Generator, Mapping
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast, overload

import httpx

from . import _operations as ops
from . import _wire as wire
from ._errors import AccessDeniedError, ClientClosedError, InvalidInputError, InvalidResponseError
from ._flow import run_async, run_sync
from ._models import Attachment, ConnectionInfo, SendResult
from ._pagination import Transcript, TranscriptCursor
from ._secrets import Secret
from ._send_policy import ReceiptLedger, TypingThrottle, deduplicated_receipt, throttled_typing
from ._tokens import Action, Call, Locked, Reply, TokenState, call_flow, parse_answer, refresh_flow
from ._validation import check_content, check_content_type, check_id, check_optional_content
from ._views import View

if TYPE_CHECKING:
    from types import TracebackType

    from connect_participant_api.models import SendEventResponse, SendMessageResponse

    from . import _attachments_io as attachments
    from . import _ws as events_io
    from ._attachments import AttachmentLimits, Progress
    from ._interactive import InteractiveTemplate
    from ._ws_protocol import EventStreamConfig

__all__ = ["AsyncChatSession", "ChatSession"]

T = TypeVar("T")
Flow = Generator[Action, Any, T]

TYPING = "application/vnd.amazonaws.connect.event.typing"
DELIVERED = "application/vnd.amazonaws.connect.event.message.delivered"
READ = "application/vnd.amazonaws.connect.event.message.read"


def _never() -> bool:
    return False


def _receipt(message_id: object) -> str:
    return json.dumps({"messageId": check_id("message_id", message_id)}, separators=(",", ":"))


class _SessionBase:
    """Everything but I/O: argument checks, requests, the flows, result parsing."""

    def __init__(
        self,
        *,
        endpoint_url: str,
        state: TokenState,
        content_limits: Mapping[str, int],
        attachment_limits: AttachmentLimits | None = None,
        client_closed: Callable[[], bool] | None = None,
    ) -> None:
        self._endpoint_url = endpoint_url
        self._client_closed = client_closed or _never
        self._state = state
        self._content_limits = content_limits
        self._attachment_limits = attachment_limits  # None: Connect's defaults
        self._disconnected = False
        self._urls: dict[str, httpx.URL] = {}  # parsed once: httpx parses a str URL on every request
        self._typing = TypingThrottle()
        self._receipts = ReceiptLedger()

    # -- read-only facts -----------------------------------------------------------------------

    @property
    def connection_token(self) -> Secret | None:
        """The current connection token (``.reveal()`` it to save the session for ``resume``)."""
        connection = self._state.connection
        return connection.connection_token if connection is not None else None

    @property
    def expires_at(self) -> datetime | None:
        """When the current connection token expires, if the service said."""
        connection = self._state.connection
        return connection.expires_at if connection is not None else None

    @property
    def endpoint_url(self) -> str:
        return self._endpoint_url

    def __repr__(self) -> str:
        state = "disconnected" if self._disconnected else "open"
        return f"<{type(self).__name__} {state} endpoint={self._endpoint_url!r} expires_at={self.expires_at}>"

    @property
    def typing_interval(self) -> float:
        """``send_typing()`` sends at most once per this many seconds (default 10, as AWS's JS library)."""
        return self._typing.interval

    @typing_interval.setter
    def typing_interval(self, seconds: float) -> None:
        self._typing = TypingThrottle(seconds)

    # -- a closed client ------------------------------------------------------------------------

    def _closed(self) -> bool:
        """The client was closed (or the httpx client it was given): no call can be made."""
        http: httpx.Client | httpx.AsyncClient = getattr(self, "_http")  # noqa: B009 (each shell's own type)
        return self._client_closed() or http.is_closed

    def _check_open(self, flow: Generator[Any, Any, Any] | None = None) -> None:
        if self._closed():
            if flow is not None:
                flow.close()
            raise ClientClosedError()

    def _closed_disconnect(self) -> bool:
        """``disconnect()`` on a closed client: its streams end, nothing is sent; whether it was."""
        if not self._closed():
            return False
        events_io = sys.modules.get(f"{__package__}._ws")
        if events_io is not None:
            events_io.end_streams(self)
        self._disconnected = True
        self._state.close()
        return True

    # -- flows ---------------------------------------------------------------------------------

    def _typing_flow(self) -> Flow[SendResult[SendEventResponse] | None]:
        return throttled_typing(self._typing, self._event_flow(TYPING))

    def _receipt_flow(self, kind: str, message_id: object) -> Flow[SendResult[SendEventResponse] | None]:
        flow = self._event_flow(READ if kind == "read" else DELIVERED, _receipt(message_id))
        return deduplicated_receipt(self._receipts, kind, cast(str, message_id), flow)

    def _call_flow(self, request: ops.Request, wrap: Callable[[Any], T]) -> Flow[T]:
        """Call, then the answer as the operation's generated response model, wrapped by ``wrap``."""
        answer = wire.parse(request.module, (yield from call_flow(self._state, request)))
        return parse_answer(request.operation, wrap, answer)

    def _connect_flow(self) -> Flow[ConnectionInfo | None]:
        return (yield from refresh_flow(self._state, self._state.generation))

    def _new_connection_flow(self) -> Flow[ConnectionInfo | None]:
        """A new connection (fresh WebSocket URL), single-flight per generation."""
        info: ConnectionInfo | None = yield Locked(refresh_flow(self._state, self._state.generation))
        return info

    def _message_flow(self, content: object, content_type: object) -> Flow[SendResult[SendMessageResponse]]:
        kind = check_content_type(content_type)
        text = check_content(content, kind, self._content_limits)
        return self._call_flow(ops.send_message(kind, text, ops.new_client_token()), SendResult)

    def _event_flow(
        self, content_type: object, content: object = None
    ) -> Flow[SendResult[SendEventResponse]]:
        kind = check_content_type(content_type)
        text = check_optional_content(content, kind, self._content_limits)
        return self._call_flow(ops.send_event(kind, text, ops.new_client_token()), SendResult)

    def _operation_flow(self, operation: ModuleType, kwargs: dict[str, Any]) -> Flow[Any]:
        """Any generated operation with this session's connection token, refresh and re-create."""
        if not isinstance(operation, ModuleType) or not hasattr(operation, "_get_kwargs"):
            raise InvalidInputError("operation", "must be an operation module of connect_participant_api.api")
        name = wire.operation_name(operation)
        if wire.takes_participant_token(name):
            raise InvalidInputError(
                "operation", "takes the participant token: the session makes connections itself"
            )
        bearer = wire.bearer_parameter(name)
        if bearer is not None and bearer in kwargs:
            raise InvalidInputError(bearer, "is the session's to give: leave it out")
        request = wire.request(operation, **kwargs)
        return wire.parse(request.module, (yield from call_flow(self._state, request)))

    def _reply_flow(self, reply: tuple[str, str]) -> Flow[SendResult[SendMessageResponse]]:
        return self._message_flow(reply[1], reply[0])

    # the interactive-message module is imported by the replies that need it (cold start)
    def _select_flow(
        self, template: InteractiveTemplate, option: object
    ) -> Flow[SendResult[SendMessageResponse]]:
        from ._interactive import option_reply

        return self._reply_flow(option_reply(template, option))

    def _paging_flow(
        self, template: InteractiveTemplate, button: str
    ) -> Flow[SendResult[SendMessageResponse]]:
        from ._interactive import paging_reply

        return self._reply_flow(paging_reply(template, button))

    def _answer_view_flow(
        self, action: object, output: object, view: object
    ) -> Flow[SendResult[SendMessageResponse]]:
        from ._interactive import view_reply

        if view is not None and not isinstance(view, View):
            raise InvalidInputError("view", "must be the View describe_view returned, or None")
        return self._reply_flow(view_reply(action, output, view.actions if view is not None else None))

    def _describe_view_flow(self, view_token: object) -> Flow[View]:
        from connect_participant_api.api.participant import describe_view as _describe_view
        from connect_participant_api.models.describe_view_response import DescribeViewResponse

        answer: DescribeViewResponse = yield from self._operation_flow(
            _describe_view, {"view_token": view_token}
        )
        return parse_answer("DescribeView", View.from_model, answer)

    def _authentication_url_flow(self, session_id: object, redirect_uri: object) -> Flow[str]:
        from connect_participant_api.api.participant import get_authentication_url as _get_authentication_url
        from connect_participant_api.models.get_authentication_url_request import GetAuthenticationUrlRequest
        from connect_participant_api.models.get_authentication_url_response import (
            GetAuthenticationUrlResponse,
        )

        body = GetAuthenticationUrlRequest(session_id=session_id, redirect_uri=redirect_uri)  # type: ignore[arg-type]
        answer: GetAuthenticationUrlResponse = yield from self._operation_flow(
            _get_authentication_url, {"body": body}
        )
        if not isinstance(answer.authentication_url, str):
            raise InvalidResponseError("GetAuthenticationUrl returned no AuthenticationUrl")
        return answer.authentication_url

    def _cancel_authentication_flow(self, session_id: object) -> Flow[None]:
        from connect_participant_api.api.participant import (
            cancel_participant_authentication as _cancel_participant_authentication,
        )
        from connect_participant_api.models.cancel_participant_authentication_request import (
            CancelParticipantAuthenticationRequest,
        )

        body = CancelParticipantAuthenticationRequest(session_id=session_id)  # type: ignore[arg-type]
        yield from self._operation_flow(_cancel_participant_authentication, {"body": body})

    def _disconnect_flow(self) -> Flow[None]:
        events_io = sys.modules.get(f"{__package__}._ws")  # not loaded: no stream was ever opened
        if events_io is not None:
            events_io.end_streams(self)
        if self._disconnected:
            return
        self._disconnected = True
        self._state.close()
        # AccessDenied: the participant already left or the chat ended; disconnected either way.
        with contextlib.suppress(AccessDeniedError):
            yield from call_flow(
                self._state, ops.disconnect_participant(ops.new_client_token()), recreate=False
            )

    def _cursor(
        self, direction: object, sort: object, page_size: object, start: object, contact_id: object
    ) -> TranscriptCursor:
        return TranscriptCursor(
            direction=direction, sort=sort, page_size=page_size, start=start, contact_id=contact_id
        )

    def _fetch_flow(self, request: ops.Request) -> Flow[dict[str, Any]]:
        return (yield from call_flow(self._state, request))

    def _request(self, call: Call) -> tuple[str, httpx.URL, bytes | None, dict[str, str]]:
        request = call.request
        headers = dict(request.headers)
        if request.bearer_header is not None:
            headers[request.bearer_header] = call.bearer.reveal()
        url = self._urls.get(request.path)
        if url is None:
            url = httpx.URL(self._endpoint_url + request.path)
            if request.method == "POST":  # the fixed paths; DescribeView's carry a token: not kept
                self._urls[request.path] = url
        return request.method, url, request.body, headers


class ChatSession(_SessionBase):
    """A chat participant's session (sync). Use as a context manager to disconnect on exit."""

    def __init__(self, http: httpx.Client, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._http = http
        self._lock = threading.Lock()

    def _perform(self, action: Action) -> Any:
        if isinstance(action, Call):
            self._check_open()
            method, url, body, headers = self._request(action)
            try:
                response = self._http.request(method, url, content=body, headers=headers)
            except Exception:
                if self._closed():  # closed meanwhile: whatever httpx made of it, it is that
                    raise ClientClosedError() from None
                raise
            return Reply(response.status_code, response.headers, response.content)
        with self._lock:
            return run_sync(action.flow, self._perform)

    def _run(self, flow: Flow[T]) -> T:
        self._check_open(flow)
        return run_sync(flow, self._perform)

    def send_message(self, content: str, content_type: str = "text/plain") -> SendResult[SendMessageResponse]:
        """Send a message; ``content`` is checked against ``content_type``'s limit first."""
        return self._run(self._message_flow(content, content_type))

    def send_event(self, content_type: str, content: str | None = None) -> SendResult[SendEventResponse]:
        """Send an event of ``content_type`` (SendEvent), e.g. ``application/vnd.amazonaws.connect.event.typing``."""
        return self._run(self._event_flow(content_type, content))

    def send_typing(self) -> SendResult[SendEventResponse] | None:
        """At most once per ``typing_interval``; ``None`` when skipped."""
        return self._run(self._typing_flow())

    def send_delivered(self, message_id: str) -> SendResult[SendEventResponse] | None:
        """Once per message (not after a read receipt); ``None`` when skipped."""
        return self._run(self._receipt_flow("delivered", message_id))

    def send_read(self, message_id: str) -> SendResult[SendEventResponse] | None:
        """Once per message; ``None`` when skipped."""
        return self._run(self._receipt_flow("read", message_id))

    def select(self, template: InteractiveTemplate, option: object) -> SendResult[SendMessageResponse]:
        """Choose ``option`` of an interactive message (an ``Option``, an index into ``options``
        or a title; a ``TimeSlot`` for a TimePicker), sent as AWS's chat interface sends it."""
        return self._run(self._select_flow(template, option))

    def show_more(self, template: InteractiveTemplate) -> SendResult[SendMessageResponse]:
        """A list picker's "Show more" button (an ``…interactive.response``)."""
        return self._run(self._paging_flow(template, "SHOW_MORE"))

    def show_previous(self, template: InteractiveTemplate) -> SendResult[SendMessageResponse]:
        """A list picker's "Previous options" button (an ``…interactive.response``)."""
        return self._run(self._paging_flow(template, "PREVIOUS_OPTIONS"))

    def answer_view(
        self, action: str, output: object = None, *, view: View | None = None
    ) -> SendResult[SendMessageResponse]:
        """Answer a view with ``action`` (one of ``view.actions`` when ``view`` is given) and ``output``."""
        return self._run(self._answer_view_flow(action, output, view))

    def describe_view(self, view_token: str) -> View:
        """The view a ShowView block sent (DescribeView); ``view_token`` from the ViewResource message."""
        return self._run(self._describe_view_flow(view_token))

    def authentication_url(self, session_id: str, redirect_uri: str) -> str:
        """The sign-in URL for an ``AuthenticationInitiated`` event's ``session_id`` (GetAuthenticationUrl)."""
        return self._run(self._authentication_url_flow(session_id, redirect_uri))

    def cancel_authentication(self, session_id: str) -> None:
        """Decline an in-chat sign-in (CancelParticipantAuthentication): the flow takes its opt-out branch."""
        self._run(self._cancel_authentication_flow(session_id))

    def events(
        self, *, after: str | None = None, config: EventStreamConfig | None = None
    ) -> events_io.EventStream:
        """Typed events as they happen: ``with chat.events() as stream: for event in stream:``.

        ``with`` enters once the stream is live (nothing sent from then on is missed, typing,
        receipts and streamed chunks included; ``StreamNotLiveError`` after ``config.live_timeout``);
        plain ``for event in chat.events()`` starts at once and may miss those socket-only events
        in its first moments. From now on, or from just after item ``after``; ends on ChatEnded,
        ``close()``, ``disconnect()`` or the client's ``close()``.
        """
        from . import _ws as events_io

        self._check_open()
        return events_io.open_stream(self, after, config)

    def transcript(
        self,
        direction: str = "BACKWARD",
        sort: str = "ASCENDING",
        page_size: int = 100,
        start: str | datetime | int | None = None,
        *,
        contact_id: str | None = None,
    ) -> Transcript:
        """Every item, lazily across pages. ``start``: item id, aware datetime, or N most recent."""
        self._check_open()
        cursor = self._cursor(direction, sort, page_size, start, contact_id)
        return Transcript(cursor, sync_fetch=lambda request: self._run(self._fetch_flow(request)))

    def call(self, operation: ModuleType, /, **kwargs: Any) -> Any:
        """Any generated operation, e.g. ``chat.call(describe_view, view_token=...)``: its response model.

        ``operation`` is a module of ``connect_participant_api.api.participant``; ``kwargs`` are its
        own (``body=<Op>Request(...)``, path parameters) without the token, which the session adds
        (renewing it as needed). Checked against the spec's bounds first; errors mapped as for every call.
        """
        return self._run(self._operation_flow(operation, kwargs))

    def disconnect(self) -> None:
        """Leave the chat (idempotent; a chat that already ended counts as disconnected; a no-op
        once the client is closed)."""
        if not self._closed_disconnect():
            with contextlib.suppress(ClientClosedError):  # the client closed meanwhile
                self._run(self._disconnect_flow())

    def upload_attachment(
        self,
        path_or_binary_file: str | os.PathLike[str] | IO[bytes],
        name: str | None = None,
        content_type: str | None = None,
        progress: Progress | None = None,
        wait: bool | float = False,
    ) -> Attachment:
        """Start → streamed PUT → complete; ``wait`` follows the scan (True: up to 60 s, or seconds).

        Checked first against ``attachment_limits``; see ``_attachments`` for the rules.
        """
        from . import _attachments_io as attachments

        self._check_open()
        return attachments.upload(self, path_or_binary_file, name, content_type, progress, wait)

    @overload
    def download_attachment(
        self, attachment_id: str, dest: str | os.PathLike[str], progress: Progress | None = None
    ) -> Path: ...
    @overload
    def download_attachment(
        self, attachment_id: str, dest: IO[bytes], progress: Progress | None = None
    ) -> Path | None: ...
    def download_attachment(
        self, attachment_id: str, dest: Any, progress: Progress | None = None
    ) -> Path | None:
        """Stream an attachment to ``dest``: a file path (written whole or not at all, with your umask;
        returned), a folder (existing, or a path ending in ``/``: the file takes the attachment's name)
        or a binary file."""
        from . import _attachments_io as attachments

        self._check_open()
        return attachments.download(self, attachment_id, dest, progress)

    def open_attachment(
        self, attachment_id: str
    ) -> contextlib.AbstractContextManager[attachments.AttachmentReader]:
        """``with chat.open_attachment(id) as stream:`` — ``stream.read(n)`` or iterate its chunks."""
        from . import _attachments_io as attachments

        self._check_open()
        return attachments.open_attachment(self, attachment_id)

    def __enter__(self) -> ChatSession:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.disconnect()


class AsyncChatSession(_SessionBase):
    """A chat participant's session (async). Use ``async with`` to disconnect on exit."""

    def __init__(self, http: httpx.AsyncClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        import asyncio  # here, not at the top: a sync client never needs it

        self._http = http
        self._lock = asyncio.Lock()

    async def _perform(self, action: Action) -> Any:
        if isinstance(action, Call):
            self._check_open()
            method, url, body, headers = self._request(action)
            try:
                response = await self._http.request(method, url, content=body, headers=headers)
            except Exception:
                if self._closed():  # closed meanwhile: whatever httpx made of it, it is that
                    raise ClientClosedError() from None
                raise
            return Reply(response.status_code, response.headers, response.content)
        async with self._lock:
            return await run_async(action.flow, self._perform)

    async def _run(self, flow: Flow[T]) -> T:
        self._check_open(flow)
        return await run_async(flow, self._perform)

    async def send_message(
        self, content: str, content_type: str = "text/plain"
    ) -> SendResult[SendMessageResponse]:
        """Send a message; ``content`` is checked against ``content_type``'s limit first."""
        return await self._run(self._message_flow(content, content_type))

    async def send_event(
        self, content_type: str, content: str | None = None
    ) -> SendResult[SendEventResponse]:
        """Send an event of ``content_type`` (SendEvent), e.g. ``application/vnd.amazonaws.connect.event.typing``."""
        return await self._run(self._event_flow(content_type, content))

    async def send_typing(self) -> SendResult[SendEventResponse] | None:
        """At most once per ``typing_interval``; ``None`` when skipped."""
        return await self._run(self._typing_flow())

    async def send_delivered(self, message_id: str) -> SendResult[SendEventResponse] | None:
        """Once per message (not after a read receipt); ``None`` when skipped."""
        return await self._run(self._receipt_flow("delivered", message_id))

    async def send_read(self, message_id: str) -> SendResult[SendEventResponse] | None:
        """Once per message; ``None`` when skipped."""
        return await self._run(self._receipt_flow("read", message_id))

    async def select(self, template: InteractiveTemplate, option: object) -> SendResult[SendMessageResponse]:
        """Choose ``option`` of an interactive message (an ``Option``, an index into ``options``
        or a title; a ``TimeSlot`` for a TimePicker), sent as AWS's chat interface sends it."""
        return await self._run(self._select_flow(template, option))

    async def show_more(self, template: InteractiveTemplate) -> SendResult[SendMessageResponse]:
        """A list picker's "Show more" button (an ``…interactive.response``)."""
        return await self._run(self._paging_flow(template, "SHOW_MORE"))

    async def show_previous(self, template: InteractiveTemplate) -> SendResult[SendMessageResponse]:
        """A list picker's "Previous options" button (an ``…interactive.response``)."""
        return await self._run(self._paging_flow(template, "PREVIOUS_OPTIONS"))

    async def answer_view(
        self, action: str, output: object = None, *, view: View | None = None
    ) -> SendResult[SendMessageResponse]:
        """Answer a view with ``action`` (one of ``view.actions`` when ``view`` is given) and ``output``."""
        return await self._run(self._answer_view_flow(action, output, view))

    async def describe_view(self, view_token: str) -> View:
        """The view a ShowView block sent (DescribeView); ``view_token`` from the ViewResource message."""
        return await self._run(self._describe_view_flow(view_token))

    async def authentication_url(self, session_id: str, redirect_uri: str) -> str:
        """The sign-in URL for an ``AuthenticationInitiated`` event's ``session_id`` (GetAuthenticationUrl)."""
        return await self._run(self._authentication_url_flow(session_id, redirect_uri))

    async def cancel_authentication(self, session_id: str) -> None:
        """Decline an in-chat sign-in (CancelParticipantAuthentication): the flow takes its opt-out branch."""
        await self._run(self._cancel_authentication_flow(session_id))

    def events(
        self, *, after: str | None = None, config: EventStreamConfig | None = None
    ) -> events_io.AsyncEventStream:
        """Typed events as they happen: ``async with chat.events() as stream: async for event in stream:``.

        ``async with`` enters once the stream is live; see ``ChatSession.events``. Ends on ChatEnded,
        ``aclose()``, ``disconnect()`` or the client's ``close()``.
        """
        from . import _ws as events_io

        self._check_open()
        return events_io.open_async_stream(self, after, config)

    def transcript(
        self,
        direction: str = "BACKWARD",
        sort: str = "ASCENDING",
        page_size: int = 100,
        start: str | datetime | int | None = None,
        *,
        contact_id: str | None = None,
    ) -> Transcript:
        """Every item, lazily across pages (``async for``). ``start``: item id, aware datetime, or N most recent."""
        self._check_open()
        cursor = self._cursor(direction, sort, page_size, start, contact_id)
        return Transcript(cursor, async_fetch=lambda request: self._run(self._fetch_flow(request)))

    async def call(self, operation: ModuleType, /, **kwargs: Any) -> Any:
        """Any generated operation, e.g. ``await chat.call(describe_view, view_token=...)``; see ``ChatSession.call``."""
        return await self._run(self._operation_flow(operation, kwargs))

    async def disconnect(self) -> None:
        """Leave the chat (idempotent; a chat that already ended counts as disconnected; a no-op
        once the client is closed)."""
        if not self._closed_disconnect():
            with contextlib.suppress(ClientClosedError):  # the client closed meanwhile
                await self._run(self._disconnect_flow())

    async def upload_attachment(
        self,
        path_or_binary_file: str | os.PathLike[str] | IO[bytes],
        name: str | None = None,
        content_type: str | None = None,
        progress: Progress | None = None,
        wait: bool | float = False,
    ) -> Attachment:
        """Start → streamed PUT → complete; ``wait`` follows the scan (True: up to 60 s, or seconds)."""
        from . import _attachments_io as attachments

        self._check_open()
        return await attachments.upload_async(self, path_or_binary_file, name, content_type, progress, wait)

    @overload
    async def download_attachment(
        self, attachment_id: str, dest: str | os.PathLike[str], progress: Progress | None = None
    ) -> Path: ...
    @overload
    async def download_attachment(
        self, attachment_id: str, dest: IO[bytes], progress: Progress | None = None
    ) -> Path | None: ...
    async def download_attachment(
        self, attachment_id: str, dest: Any, progress: Progress | None = None
    ) -> Path | None:
        """Stream an attachment to ``dest``: a file path (written whole or not at all, with your umask;
        returned), a folder (existing, or a path ending in ``/``: the file takes the attachment's name)
        or a binary file."""
        from . import _attachments_io as attachments

        self._check_open()
        return await attachments.download_async(self, attachment_id, dest, progress)

    def open_attachment(
        self, attachment_id: str
    ) -> contextlib.AbstractAsyncContextManager[attachments.AsyncAttachmentReader]:
        """``async with chat.open_attachment(id) as stream:`` — ``await stream.read(n)`` or ``async for``."""
        from . import _attachments_io as attachments

        self._check_open()
        return attachments.open_attachment_async(self, attachment_id)

    async def __aenter__(self) -> AsyncChatSession:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.disconnect()
