"""The events stream's I/O: one asyncio shell around ``EventStreamProtocol``, used by both APIs.

``_pump`` is the only I/O loop. It performs the protocol's actions (aiohttp
WebSockets, the session's CreateParticipantConnection and GetTranscript) and
turns what happens into the protocol's inputs through one inbox queue; every
decision is the protocol's (see ``_ws_protocol``). It runs as its own task, so
heartbeats and reconnects go on while the user's loop body runs.

- ``AsyncEventStream`` (``AsyncChatSession.events()``): the pump is a task on
  the caller's loop; ``async for`` reads an ``asyncio.Queue``.
- ``EventStream`` (``ChatSession.events()``): the same pump runs on one private
  event loop in a daemon thread shared by every sync stream of the process
  (one loop whatever happens to callers, also under gevent: see below);
  the session's sync calls run on a shared executor (``EventStream.set_workers``), and
  ``for event in ...`` reads a thread-safe queue. The user needs no event
  loop. (aiohttp, already a dependency, has no sync WebSocket client; a sync
  client would add a dependency and still need a thread to keep heartbeats
  going while the user's loop body runs.)

Entering a stream's ``with``/``async with`` waits (up to ``live_timeout``) until
the protocol is ``live`` (``StreamNotLiveError`` if not); plain iteration does
not wait. Closing a stream (``close()``/``aclose()``, leaving its ``with`` block,
the session's ``disconnect()``, the client's ``close()``, or dropping the last
reference) stops the pump, which closes its sockets and its aiohttp session.

Nothing waits on a dead task: each reader, URL fetch and gap fill reports
whatever ends it (any exception, a cancellation that is not its own) to the
protocol as an input; a pump that dies or is cancelled ends the stream with
``EventStreamError`` (also from its task's done-callback, for a task cancelled
before it ran); a sync reader checks every second that the private loop still
runs. URLs and tokens are only
revealed to aiohttp and never logged; aiohttp's exceptions (which can hold a
URL) are reduced to a status before they reach the protocol.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Protocol

import aiohttp
import yarl

from ._errors import AccessDeniedError, InvalidInputError, ParticipantServiceError, scrub
from ._events import Event
from ._models import ConnectionInfo
from ._validation import check_id
from ._ws_protocol import (
    Closed,
    CloseSocket,
    Emit,
    EventStreamConfig,
    EventStreamError,
    EventStreamProtocol,
    Fail,
    FetchGap,
    FetchUrl,
    FrameIn,
    GapFailed,
    GapFill,
    GapReady,
    Opened,
    OpenFailed,
    OpenSocket,
    SendFrame,
    StreamNotLiveError,
    UrlFailed,
    UrlReady,
    seconds_until,
)

if TYPE_CHECKING:
    from types import TracebackType

    # sessions as the protocols this module needs of them (no import of _session: no circle)
    from ._shells import AsyncShell as AsyncChatSession
    from ._shells import ShellBase as _SessionBase
    from ._shells import SyncShell as ChatSession

__all__ = ["AsyncEventStream", "EventStream", "end_streams", "open_async_stream", "open_stream"]

log = logging.getLogger("connect_participant.events")

_MAX_FRAME: Final = 1024 * 1024
_CLOSE_TIMEOUT: Final = 2.0
_POLL: Final = 1.0  # a sync reader checks this often that the private loop still runs
_GAP_PAGE: Final = 100


class _Stop:
    """Inbox sentinel: the user closed the stream."""


class _End:
    """Outbox sentinel: the stream is over (``error`` if the pump failed)."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


_STOP: Final = _Stop()

# --- what the pump needs from a session ---------------------------------------------------------


class _Backend(Protocol):
    def current(self) -> ConnectionInfo | None: ...

    async def new_connection(self) -> ConnectionInfo: ...

    async def fill(self, gap: GapFill) -> None: ...


def _usable(session: _SessionBase) -> None:
    state = session._state
    if not state.can_refresh():
        raise AccessDeniedError(
            "no new connection can be created: the session was disconnected or its participant token refused",
            code="AccessDeniedException",
            status_code=None,
        )


def _checked(info: ConnectionInfo | None) -> ConnectionInfo:
    if info is None or info.websocket_url is None:
        raise ParticipantServiceError(
            "CreateParticipantConnection returned no Websocket.Url", code="InvalidResponse", status_code=None
        )
    return info


# newest first, so reading stops at the newest item already delivered
_GAP_READ: Final[dict[str, Any]] = {"direction": "BACKWARD", "sort": "DESCENDING", "page_size": _GAP_PAGE}


class _SyncBackend:
    """A ``ChatSession``'s blocking calls, run in the private loop's executor threads."""

    def __init__(self, session: ChatSession) -> None:
        self._session = session

    def current(self) -> ConnectionInfo | None:
        return self._session._state.connection

    def _new_connection(self) -> ConnectionInfo:
        _usable(self._session)
        return _checked(self._session._run(self._session._new_connection_flow()))

    def _fill(self, gap: GapFill) -> None:
        for page in self._session.transcript(**_GAP_READ).pages():
            if not gap.offer_all(page.items):
                return

    async def new_connection(self) -> ConnectionInfo:
        return await asyncio.get_running_loop().run_in_executor(_sync_executor(), self._new_connection)

    async def fill(self, gap: GapFill) -> None:
        await asyncio.get_running_loop().run_in_executor(_sync_executor(), self._fill, gap)


class _AsyncBackend:
    """An ``AsyncChatSession``'s calls, on the caller's loop."""

    def __init__(self, session: AsyncChatSession) -> None:
        self._session = session

    def current(self) -> ConnectionInfo | None:
        return self._session._state.connection

    async def new_connection(self) -> ConnectionInfo:
        _usable(self._session)
        return _checked(await self._session._run(self._session._new_connection_flow()))

    async def fill(self, gap: GapFill) -> None:
        pages = self._session.transcript(**_GAP_READ).pages().__aiter__()
        async with contextlib.aclosing(pages):  # type: ignore[type-var]
            async for page in pages:
                if not gap.offer_all(page.items):
                    return


# --- the pump -----------------------------------------------------------------------------------


def _unexpected(exc: BaseException) -> BaseException:
    """An error that is not the network's, made safe to keep: its text redacted (aiohttp's can
    hold a URL), what it wrapped cut off."""
    scrub(exc)
    return exc


def _cancelled_under(exc: BaseException) -> bool:
    """A CancelledError that did not come from cancelling the current task (an executor shut
    down under a call, a future cancelled elsewhere): a failure to report, not a stop."""
    task = asyncio.current_task()
    return isinstance(exc, asyncio.CancelledError) and (task is None or not task.cancelling())


async def _pump(
    protocol: EventStreamProtocol,
    backend: _Backend,
    inbox: asyncio.Queue[object],
    emit: Callable[[Event], None],
    on_live: Callable[[], None],
) -> None:
    """Drive ``protocol`` until it finishes or the user stops it; always releases everything.

    Whatever ends a piece of the I/O (any exception, a cancellation that is not the pump's own)
    reaches the protocol as an input: a socket's reader reports ``OpenFailed``/``Closed`` (with
    ``error`` when it was not the network's), a URL fetch ``UrlFailed``, a gap fill
    ``GapFailed``. An error of the pump itself ends the stream (``_run``)."""
    loop = asyncio.get_running_loop()
    clock = loop.time
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
    sockets: dict[int, aiohttp.ClientWebSocketResponse] = {}
    readers: dict[int, asyncio.Task[None]] = {}
    helpers: set[asyncio.Task[None]] = set()
    closers: set[asyncio.Task[None]] = set()  # awaited at the end, not cancelled: a clean close

    def post(event: object) -> None:
        inbox.put_nowait(event)

    def spawn(coro: Any, into: set[asyncio.Task[None]] = helpers) -> None:
        task = loop.create_task(coro)
        into.add(task)
        task.add_done_callback(into.discard)

    async def fetch_url() -> None:
        try:
            info = await backend.new_connection()
        except asyncio.CancelledError as exc:
            if not _cancelled_under(exc):
                raise
            post(UrlFailed(_unexpected(exc)))
            return
        except Exception as exc:
            post(UrlFailed(exc))
            return
        assert info.websocket_url is not None
        post(
            UrlReady(info.websocket_url, clock(), seconds_until(info.websocket_expires_at, datetime.now(UTC)))
        )

    async def fill(gap: GapFill) -> None:
        try:
            await backend.fill(gap)
        except asyncio.CancelledError as exc:
            if not _cancelled_under(exc):
                raise
            post(GapFailed(gap, _unexpected(exc)))
        except Exception as exc:
            post(GapFailed(gap, exc))
        else:
            post(GapReady(gap))

    async def read(sock: int, url: str) -> None:
        try:
            await connect_and_read(sock, url)
        except asyncio.CancelledError as exc:
            if not _cancelled_under(exc):
                # this task cancelled: by CloseSocket (which forgot it first: the protocol gave
                # the socket up already), with the pump, or by anyone else: said, in case the
                # pump goes on
                if readers.get(sock) is not None:
                    lost(sock, exc)
                raise
            lost(sock, exc)
        except Exception as exc:
            lost(sock, exc)
        finally:
            readers.pop(sock, None)

    def lost(sock: int, exc: BaseException) -> None:
        """A reader ended by an error that is not the network's: the socket is given up, and said so."""
        ws = sockets.pop(sock, None)
        if ws is not None:
            spawn(close_socket(ws), closers)
            post(Closed(sock, None, _unexpected(exc)))
        else:
            post(OpenFailed(sock, None, _unexpected(exc)))

    async def connect_and_read(sock: int, url: str) -> None:
        try:
            ws = await http.ws_connect(
                yarl.URL(url, encoded=True),
                autoping=True,
                max_msg_size=_MAX_FRAME,
                timeout=aiohttp.ClientWSTimeout(ws_close=_CLOSE_TIMEOUT),
            )
        except aiohttp.WSServerHandshakeError as exc:
            post(OpenFailed(sock, exc.status))
            return
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
            post(OpenFailed(sock, None))
            return
        sockets[sock] = ws
        post(Opened(sock))
        try:
            async for message in ws:
                if message.type is aiohttp.WSMsgType.TEXT:
                    post(FrameIn(sock, message.data))
                elif message.type is aiohttp.WSMsgType.BINARY:
                    post(FrameIn(sock, message.data.decode("utf-8", "replace")))
                elif message.type is aiohttp.WSMsgType.ERROR:
                    break
        except (aiohttp.ClientError, OSError, TimeoutError):
            pass
        code = ws.close_code  # the server's close code (1000/1001: on purpose), 1006 when lost
        if sockets.pop(sock, None) is not None:
            post(Closed(sock, code))
            await close_socket(ws)  # a no-op when the server closed it; releases it after an error

    async def close_socket(ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await ws.close()
        except asyncio.CancelledError as exc:
            if not _cancelled_under(exc):
                raise
        except Exception as exc:  # closing is best effort: the socket is forgotten either way
            log.debug("events stream: closing a socket failed: %s", type(exc).__name__)

    async def perform(action: object) -> None:
        if isinstance(action, Emit):
            emit(action.event)
        elif isinstance(action, SendFrame):
            ws = sockets.get(action.sock)
            if ws is not None and not ws.closed:
                try:
                    await ws.send_str(action.text)
                except (aiohttp.ClientError, OSError, RuntimeError):
                    pass  # a failure shows as the socket closing
                except (Exception, asyncio.CancelledError) as exc:  # not the network's: given up, and said so
                    if isinstance(exc, asyncio.CancelledError) and not _cancelled_under(exc):
                        raise
                    if sockets.pop(action.sock, None) is not None:
                        reader = readers.pop(action.sock, None)
                        if reader is not None:
                            reader.cancel()
                        spawn(close_socket(ws), closers)
                        post(Closed(action.sock, None, _unexpected(exc)))
        elif isinstance(action, OpenSocket):
            readers[action.sock] = loop.create_task(read(action.sock, action.url.reveal()))
        elif isinstance(action, CloseSocket):
            ws = sockets.pop(action.sock, None)
            reader = readers.pop(action.sock, None)
            if reader is not None:
                reader.cancel()
            if ws is not None:
                spawn(close_socket(ws), closers)
        elif isinstance(action, FetchUrl):
            spawn(fetch_url())
        elif isinstance(action, FetchGap):
            spawn(fill(action.fill))
        elif isinstance(action, Fail):
            raise action.error

    try:
        current = backend.current()
        if current is not None and current.websocket_url is not None:
            age = time.monotonic() - current.received_at
            expires_in = seconds_until(current.websocket_expires_at, datetime.now(UTC))
            protocol.offer_url(
                current.websocket_url, clock() - age, None if expires_in is None else expires_in + age
            )
        protocol.start(clock())
        live = False
        while True:
            for action in protocol.drain():
                await perform(action)
            if not live and protocol.live:
                live = True
                on_live()
            if protocol.finished:
                return
            deadline = protocol.next_deadline()
            if deadline is not None and clock() >= deadline:
                protocol.tick(clock())
                continue
            try:
                if inbox.empty() and deadline is not None:
                    async with asyncio.timeout_at(deadline):
                        event = await inbox.get()
                else:
                    event = await inbox.get()
            except TimeoutError:
                protocol.tick(clock())
                continue
            if event is _STOP:
                protocol.close()
            else:
                protocol.handle(clock(), event)  # type: ignore[arg-type]
    finally:
        tasks = (*readers.values(), *helpers)
        for task in tasks:
            task.cancel()
        pending = [close_socket(ws) for ws in sockets.values()]
        sockets.clear()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, *tasks, *closers, return_exceptions=True)
        with contextlib.suppress(Exception):
            await http.close()


def _failure(exc: BaseException | None) -> BaseException | None:
    """How a pump that ended with ``exc`` ends the stream: the SDK's errors as they are (a
    ``Fail`` of the protocol), anything else as ``EventStreamError`` (``StreamFailed``)."""
    if exc is None or isinstance(exc, ParticipantServiceError):
        return exc
    if isinstance(exc, asyncio.CancelledError):
        message = "the events stream's task was cancelled (its event loop shutting down?)"
    else:
        message = f"the events stream's I/O failed unexpectedly ({type(exc).__name__})"
    failure = EventStreamError(message, code="StreamFailed", status_code=None)
    failure.__cause__ = _unexpected(exc)
    return failure


def _nothing() -> None:
    return None


async def _run(
    protocol: EventStreamProtocol,
    backend: _Backend,
    inbox: asyncio.Queue[object],
    put: Callable[[Event | _End], None],
    went_live: Callable[[], None] = _nothing,
) -> None:
    """The pump, then the stream's end: ``_End`` whatever ended it, with the error if one did."""
    try:
        await _pump(protocol, backend, inbox, put, went_live)
    except BaseException as exc:
        log.debug("events stream failed: %s", type(exc).__name__)
        put(_End(_failure(exc)))
        if not isinstance(exc, Exception):
            raise
    else:
        put(_End())


# --- sessions' streams, so disconnect() can end them ---------------------------------------------

_streams: weakref.WeakKeyDictionary[object, weakref.WeakSet[Any]] = weakref.WeakKeyDictionary()
_streams_lock = threading.Lock()


def _register(session: object, stream: object) -> None:
    with _streams_lock:
        _streams.setdefault(session, weakref.WeakSet()).add(stream)


def end_streams(session: object) -> None:
    """Stop every events stream of ``session`` (called by ``disconnect()``); does not wait."""
    with _streams_lock:
        streams = list(_streams.pop(session, ()))
    for stream in streams:
        stream._request_stop()


def _protocol(
    session: _SessionBase, after: str | None, config: EventStreamConfig | None
) -> EventStreamProtocol:
    if after is not None:
        check_id("after", after)
    if config is not None and not isinstance(config, EventStreamConfig):
        raise InvalidInputError("config", "must be an EventStreamConfig or None")
    if session._state.participant_token is None:
        raise InvalidInputError(
            "participant_token",
            "events() needs it to get WebSocket URLs: use connect(), or resume(..., participant_token=...)",
        )
    # no ``after``: the stream starts now, and items from this moment on are read from the
    # transcript on the first subscription, so nothing sent after events() returned is missed
    # (to the millisecond, as the service stamps items: an item of this very millisecond counts)
    now = datetime.now(UTC)
    since = None if after is not None else now.replace(microsecond=now.microsecond // 1000 * 1000)
    return EventStreamProtocol(config, after=after, since=since)


class _Outbox:
    """What the pump's task hands the stream: each event, then its end (``put``; the end also
    comes from the task's done-callback, for a task cancelled before it ran: the first end
    counts), and going live. Going live or the end settle the wait of ``with``/``async with``.
    Not the stream itself: the task must not keep the stream alive (dropping it stops it)."""

    __slots__ = ("_enqueue", "_lock", "_settle", "ended", "error", "live")

    def __init__(self, enqueue: Callable[[Event | _End], None], settle: Callable[[], None]) -> None:
        self._enqueue = enqueue
        self._settle = settle
        self._lock = threading.Lock()
        self.live = self.ended = False
        self.error: BaseException | None = None

    def put(self, item: Event | _End) -> None:
        if isinstance(item, _End):
            with self._lock:
                if self.ended:
                    return
                self.ended = True
            self.error = item.error
            self._enqueue(item)
            self._settle()
        else:
            self._enqueue(item)

    def went_live(self) -> None:
        self.live = True
        self._settle()

    def task_done(self, task: asyncio.Future[None] | concurrent.futures.Future[None]) -> None:
        """The pump's task ended: one cancelled (or failed) before ``_run`` could say so ends here."""
        self.put(_End(_failure(asyncio.CancelledError() if task.cancelled() else task.exception())))


class _Stream:
    """What both stream classes share: counters, repr, and reading the pump's outbox."""

    _done: bool
    _stats: dict[str, int]
    _protocol: EventStreamProtocol
    _out: _Outbox

    def _not_live(self, timeout: float) -> StreamNotLiveError:
        error = StreamNotLiveError(
            f"the events stream was not live within {timeout:g} s: no subscription acknowledged "
            f"({self._stats['sockets']} sockets opened)",
            code="StreamNotLive",
            status_code=None,
        )
        error.__cause__ = self._protocol.last_failure
        return error

    @property
    def stats(self) -> dict[str, int]:
        """Counters: sockets opened, drops, rollovers, gap fills, items filled, duplicates dropped,
        refusals (403s that ended the stream, or made it read its socket on for ``refusal_grace``)."""
        return dict(self._stats)

    def _unwrap(self, item: Event | _End, stop: type[Exception]) -> Event:
        if isinstance(item, _End):
            self._done = True
            if item.error is not None:
                raise item.error
            raise stop
        return item

    def __repr__(self) -> str:
        state = "closed" if self._done else "live" if self._out.live else "starting"
        return f"<{type(self).__name__} {state}>"


# --- async --------------------------------------------------------------------------------------

_running: set[asyncio.Task[None]] = set()  # strong references: the loop keeps only weak ones


class AsyncEventStream(_Stream):
    """``async with chat.events() as stream: async for event in stream:`` — typed events until the
    chat ends or the stream is closed.

    Entering waits until the stream is live (its socket's subscription acknowledged: nothing sent
    from then on is missed, typing, receipts and streamed chunks included) for up to
    ``EventStreamConfig.live_timeout`` seconds, else closes it and raises ``StreamNotLiveError``;
    a stream that ended before (the chat ended) enters, and yields its end. Leaving closes it.
    Plain ``async for event in chat.events()`` also works: the stream starts at once but is only
    live a moment later, see the events guide. ``aclose()`` releases the socket.
    """

    def __init__(self, session: AsyncChatSession, protocol: EventStreamProtocol) -> None:
        self._events: asyncio.Queue[Event | _End] = asyncio.Queue()
        self._inbox: asyncio.Queue[object] = asyncio.Queue()
        self._protocol = protocol
        self._backend = _AsyncBackend(session)
        self._stats = protocol.stats
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._done = False
        self._settled = asyncio.Event()
        self._out = _Outbox(self._events.put_nowait, self._settled.set)
        _register(session, self)
        with contextlib.suppress(RuntimeError):  # no running loop yet: start on first use
            self._start()

    def _start(self) -> None:
        if self._task is None and not self._done:
            self._loop = asyncio.get_running_loop()
            run = _run(self._protocol, self._backend, self._inbox, self._out.put, self._out.went_live)
            self._task = self._loop.create_task(run)
            _running.add(self._task)
            self._task.add_done_callback(_running.discard)
            self._task.add_done_callback(self._out.task_done)

    def __aiter__(self) -> AsyncEventStream:
        return self

    async def __anext__(self) -> Event:
        if self._done:
            raise StopAsyncIteration
        self._start()
        return self._unwrap(await self._events.get(), StopAsyncIteration)

    def _request_stop(self) -> None:
        loop = self._loop
        if loop is None:
            self._done = True
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing left to stop
            loop.call_soon_threadsafe(self._inbox.put_nowait, _STOP)

    async def aclose(self) -> None:
        """Stop the stream and wait until its socket is closed."""
        self._request_stop()
        self._done = True
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(Exception):
                await asyncio.shield(task)

    async def __aenter__(self) -> AsyncEventStream:
        """Wait until the stream is live (see the class); the stream, ready for ``async for``."""
        self._start()
        timeout = self._protocol.config.live_timeout
        try:
            async with asyncio.timeout(timeout):
                await self._settled.wait()
        except TimeoutError:
            await self.aclose()
            raise self._not_live(timeout) from None
        except BaseException:
            await self.aclose()
            raise
        if not self._out.live and self._out.error is not None:
            await self.aclose()
            raise self._out.error
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __del__(self) -> None:
        if self._task is not None and not self._task.done():
            self._request_stop()


def open_async_stream(
    session: AsyncChatSession, after: str | None = None, config: EventStreamConfig | None = None
) -> AsyncEventStream:
    return AsyncEventStream(session, _protocol(session, after, config))


# --- sync: the same pump on a private loop ------------------------------------------------------
#
# One loop per process for every sync stream, whatever happens to the callers. Under gevent's
# monkey-patching the loop's "thread" is a greenlet on the caller's OS thread, and a caller can
# be killed (GreenletExit) at any switch: inside ``Thread.start()``, which waits for the thread
# to begin, or in a constructor. So the loop's liveness is the SDK's own record, set before the
# thread starts and cleared only by the loop's thread when ``run_forever`` returns: a caller
# killed half-way leaves a recorded, running loop, never a second one (which asyncio refuses on
# a thread where a loop is already running, and whose streams would then never start).

_DEFAULT_WORKERS: Final = 64
_runner_lock = threading.Lock()
_runner: _LoopRunner | None = None
_workers = _DEFAULT_WORKERS
_executor: ThreadPoolExecutor | None = None


class _LoopRunner:
    """The background loop and its liveness, as the SDK records it (not ``Thread.is_alive()``)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.ended = False  # set by the loop's thread only, once run_forever has returned or failed
        self.finished = threading.Event()
        self.error: BaseException | None = None
        self.outboxes: weakref.WeakSet[EventStream] = weakref.WeakSet()
        self.thread = threading.Thread(target=self._serve, name="connect-participant-events", daemon=True)

    @property
    def usable(self) -> bool:
        return not self.ended  # a forked child starts without one (_forget_parent_threads)

    def start(self) -> None:
        try:
            self.thread.start()
        except Exception as exc:  # the thread could not be made: it never runs
            self._finish(exc)
            raise
        # anything else (a killed greenlet, KeyboardInterrupt) arrives while start() waits for
        # the thread, which then exists and runs the loop: it stays the process's loop

    def _serve(self) -> None:
        error: BaseException | None = None
        try:
            self.loop.run_forever()
        except BaseException as exc:  # e.g. another asyncio loop running on this OS thread (gevent)
            error = exc
        self._finish(error)

    def _finish(self, error: BaseException | None) -> None:
        self.error = error
        self.ended = True
        if error is not None:
            log.warning("the events streams' background loop could not run: %s", type(error).__name__)
            failure = _loop_failure(error)
            for stream in list(self.outboxes):  # streams given to a loop that never ran: end them
                stream._out.put(_End(failure))
        if not self.loop.is_running():
            with contextlib.suppress(Exception):
                self.loop.close()
        self.finished.set()


def _loop_failure(error: BaseException) -> EventStreamError:
    why = (
        "another asyncio event loop is running in this thread (under gevent all greenlets share "
        "one thread: run no other event loop in the process)"
        if "another loop is running" in str(error)
        else type(error).__name__
    )
    return EventStreamError(
        f"the events streams' background loop could not run: {why}", code="EventLoopFailed", status_code=None
    )


def _background_runner() -> _LoopRunner:
    """The process's running loop for sync streams, started on first use (and again only if it ended)."""
    global _runner
    with _runner_lock:
        runner = _runner
        if runner is None or not runner.usable:
            runner = _LoopRunner()
            _runner = runner  # recorded before start(): a caller killed while it waits leaves it
            runner.start()
        return runner


def _forget_parent_threads() -> None:
    """In a forked child: the parent's loop thread and executor threads do not exist here (an
    executor whose idle threads were copied never starts one, and its work would wait forever),
    and the lock may have been held by one of them. Start over: both are made on first use."""
    global _runner_lock, _runner, _executor
    _runner_lock = threading.Lock()
    _runner = None
    _executor = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_threads)


def _background_loop() -> asyncio.AbstractEventLoop:
    return _background_runner().loop


def _sync_executor() -> ThreadPoolExecutor:
    """Threads (greenlets under gevent) for sync streams' blocking calls, shared by the process."""
    global _executor
    with _runner_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(_workers, thread_name_prefix="connect-participant-events-io")
        return _executor


def set_sync_workers(workers: int) -> None:
    """Size the executor of every sync stream's blocking calls (see ``EventStream.set_workers``)."""
    global _workers, _executor
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 10_000:
        raise InvalidInputError("workers", "must be an int from 1 to 10000")
    with _runner_lock:
        _workers, old, _executor = workers, _executor, None
    if old is not None:
        old.shutdown(wait=False)  # calls already running finish; new ones go to the new executor


@atexit.register
def _stop_background_loop() -> None:
    global _runner, _executor
    with _runner_lock:
        runner, _runner = _runner, None
        executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)
    if runner is None or not runner.usable:
        return
    loop = runner.loop

    async def stop_all() -> None:
        # streams still open end as close() ends them (sockets closed, sessions released);
        # what is not over by then is cancelled
        for stream in list(runner.outboxes):
            if stream._inbox is not None:
                stream._inbox.put_nowait(_STOP)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=_CLOSE_TIMEOUT)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        loop.stop()

    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
        loop.call_soon_threadsafe(lambda: loop.create_task(stop_all()))
        runner.finished.wait(timeout=5)  # the loop's thread closes the loop once it has stopped


class EventStream(_Stream):
    """``with chat.events() as stream: for event in stream:`` — typed events until the chat ends
    or the stream is closed.

    Entering waits until the stream is live (its socket's subscription acknowledged: nothing sent
    from then on is missed, typing, receipts and streamed chunks included) for up to
    ``EventStreamConfig.live_timeout`` seconds, else closes it and raises ``StreamNotLiveError``;
    a stream that ended before (the chat ended) enters, and yields its end. Leaving closes it.
    Plain ``for event in chat.events()`` also works: the stream starts at once but is only live
    a moment later, see the events guide. ``close()`` releases the socket. No event loop is
    needed from the caller: the stream runs on a private loop thread shared by all sync streams,
    and its blocking calls (CreateParticipantConnection, transcript reads) on a shared executor
    (``EventStream.set_workers``). Safe under gevent's monkey-patching, where the loop runs in a
    greenlet: run no other asyncio loop in such a process.
    """

    # class-level defaults: an instance whose constructor was interrupted (a killed greenlet,
    # KeyboardInterrupt) still closes and is collected without errors
    _done = True
    _loop: asyncio.AbstractEventLoop | None = None
    _future: concurrent.futures.Future[None] | None = None
    _inbox: asyncio.Queue[object] | None = None

    def __init__(self, session: ChatSession, protocol: EventStreamProtocol) -> None:
        self._events: queue.SimpleQueue[Event | _End] = queue.SimpleQueue()
        self._protocol = protocol
        self._settled = threading.Event()
        self._out = _Outbox(self._events.put, self._settled.set)
        self._stats = protocol.stats
        self._done = False
        inbox: asyncio.Queue[object] = asyncio.Queue()
        self._inbox = inbox
        runner = _background_runner()
        self._loop = runner.loop
        runner.outboxes.add(self)
        _register(session, self)
        coro = _run(protocol, _SyncBackend(session), inbox, self._out.put, self._out.went_live)
        try:
            future = asyncio.run_coroutine_threadsafe(coro, runner.loop)
        except RuntimeError:  # the loop ended and was closed in between
            coro.close()
            self._out.put(_End(_loop_failure(runner.error or RuntimeError("closed"))))
            return
        self._future = future
        future.add_done_callback(self._out.task_done)
        if runner.ended and not future.done():  # the loop failed while this was handed over
            self._out.put(_End(_loop_failure(runner.error or RuntimeError("ended"))))

    @classmethod
    def set_workers(cls, workers: int) -> None:
        """Threads (greenlets under gevent) for the blocking calls of every sync stream of the
        process — CreateParticipantConnection and transcript reads; 64 by default. Raise it
        when one process holds many streams (a load test); calls already running finish."""
        set_sync_workers(workers)

    def _loop_gone(self) -> bool:
        """The private loop stopped (or its thread died) with this stream's task unfinished."""
        future, loop = self._future, self._loop
        if future is None or loop is None or future.done():
            return False
        return loop.is_closed() or not loop.is_running()

    def _wait(self, wait: Callable[[float], Any], timeout: float | None) -> Any:
        """``wait(seconds)`` in slices until it returns something, ``timeout`` passes (``None``),
        or the private loop is gone twice in a row (``EventStreamError``): never a silent wait
        on a loop that will not run again."""
        deadline = None if timeout is None else time.monotonic() + timeout
        gone = 0
        while True:
            left = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            if left <= 0:
                return None
            got = wait(left)
            if got is not None:
                return got
            gone = gone + 1 if self._loop_gone() else 0
            if gone >= 2:  # twice: a loop just created may not be running yet
                self._done = True
                raise EventStreamError(
                    "the events stream's event loop stopped under it", code="StreamFailed", status_code=None
                )

    def __iter__(self) -> EventStream:
        return self

    def _next_or_none(self, seconds: float) -> Event | _End | None:
        try:
            return self._events.get(timeout=seconds)
        except queue.Empty:
            return None

    def __next__(self) -> Event:
        if self._done:
            raise StopIteration
        item: Event | _End = self._wait(self._next_or_none, None)
        return self._unwrap(item, StopIteration)

    def _request_stop(self) -> None:
        loop, inbox, future = self._loop, self._inbox, self._future
        if loop is None or inbox is None or (future is not None and future.done()):
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nothing left to stop
            loop.call_soon_threadsafe(inbox.put_nowait, _STOP)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the stream and wait (up to ``timeout`` seconds) until its socket is closed."""
        self._request_stop()
        self._done = True
        future = self._future
        if future is not None:
            with contextlib.suppress(Exception):
                future.result(timeout)

    def __enter__(self) -> EventStream:
        """Wait until the stream is live (see the class); the stream, ready for ``for``."""
        timeout = self._protocol.config.live_timeout
        try:
            settled = self._wait(lambda seconds: self._settled.wait(seconds) or None, timeout)
        except BaseException:
            self.close()
            raise
        if settled is None:
            self.close()
            raise self._not_live(timeout)
        if not self._out.live and self._out.error is not None:
            self.close()
            raise self._out.error
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __del__(self) -> None:
        self._request_stop()


def open_stream(
    session: ChatSession, after: str | None = None, config: EventStreamConfig | None = None
) -> EventStream:
    return EventStream(session, _protocol(session, after, config))
