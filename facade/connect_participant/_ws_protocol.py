"""The events stream's protocol, as a sans-IO state machine (no sockets, no clock, no sleeps).

``EventStreamProtocol`` owns every decision of ``chat.events()``; the shell
(``_ws``) owns the sockets and HTTP calls. The shell feeds it inputs with the
current monotonic time (``handle(now, input)``), calls ``tick(now)`` when
``next_deadline()`` passes, and performs the actions it hands out
(``drain()``) in order:

    FetchUrl()               CreateParticipantConnection for a fresh Websocket.Url → UrlReady / UrlFailed
    OpenSocket(sock, url)    connect a WebSocket → Opened / OpenFailed, then FrameIn..., Closed
    SendFrame(sock, text)    send one text frame
    CloseSocket(sock)        close (or abandon the opening of) a socket; no input follows
    FetchGap(fill)           feed the transcript newest-first to ``fill.offer`` until it says
                             stop → GapReady / GapFailed
    Emit(event)              hand an event to the user
    Fail(error)              end the stream with ``error`` (raised to the user)

The policies, in one place:

- **URL freshness**: a URL just fetched is opened at once; a URL already held (``connect()``'s,
  or one used before) is reused only while younger than ``url_fresh_for`` (85 s, as AWS's JS
  library; the service's connect window is 100 s) and, when ``ConnectionExpiry`` is the
  connect deadline, within the same 85 % of the time to it; otherwise a new one is fetched.
  A URL the service refused is never used again.
- **Subscribe**: ``aws/subscribe`` for ``aws/chat`` right after the socket opens, resent when
  no ack comes within ``subscribe_timeout`` (up to ``subscribe_attempts`` sends); a refusal is
  retried after ``subscribe_retry_delay`` (up to ``subscribe_refusals`` times).
- **Keep-alive**: ``aws/heartbeat`` and ``aws/ping`` as soon as the subscription is acknowledged
  and every ``heartbeat_interval``; a heartbeat unanswered for ``heartbeat_timeout``, or a ping
  answered with a ``statusCode`` other than 200, means a dead socket: it is dropped and replaced.
- **Reconnect**: a socket is healthy once its subscription is acknowledged and a heartbeat
  answered (or it has been subscribed for ``stable_after``): that resets the backoff. When a
  healthy socket is closed by the server cleanly (1000 or 1001: a deploy, a load balancer
  moving it) the stream reconnects at once; when one is lost otherwise, the first attempt
  waits ``random() * first_retry_delay`` (so a server dropping thousands of sockets does not
  get them back at once). Each further failure waits ``backoff_base * 2**(n-1)`` ±
  ``backoff_jitter``, never more than ``backoff_cap`` (30 s).
- **Rollover**: a socket is replaced ``rollover_lead`` before its URL's ``ConnectionExpiry``
  when that expiry is a socket lifetime (later than the connect window), and in any case after
  ``max_socket_age`` (59 min, as AWS's library): a second socket is opened on a new URL and
  subscribed, and only then is the old one closed. Frames seen on both are de-duplicated, and
  the transcript is read once as after a reconnect: AWS's library skips that, and loses an
  item whose frame was still in flight on the old socket when it closed it.
- **Live**: ``live`` turns true when a subscription is first acknowledged; from then on nothing
  sent to the chat is missed, socket-only items (typing, receipts, streamed chunks) included
  (the shell's ``with chat.events()`` waits for it). Before it, socket-only items are lost for
  good; so are those sent while no socket is subscribed after a drop (the gap fill brings back
  transcript items only).
- **Chat ended**: a ``CHAT_ENDED`` item ends the stream after it is emitted. A 403 while getting
  a new URL (or filling a gap) means this participant is out of the chat (removed from a chat
  that may go on, or the chat ended meanwhile): a ``RemovedFromChat`` (a ``ChatEnded`` with
  ``for_everyone`` false) is emitted and the stream ends. But when a socket is subscribed, the
  chat's last frames (its ``chat.ended`` too) may still be on their way on it: a chat that ends
  within moments of the stream starting refuses the first transcript read before they arrive.
  So the stream then reads that socket on, and only that socket (no more fills, URLs or
  rollovers): it ends as usual on the ``CHAT_ENDED`` item, or with ``RemovedFromChat`` when the
  socket is lost or ``refusal_grace`` passes first. ``ClientClosedError`` there (the client was
  closed) ends the stream quietly, as ``close()`` does.
- **Unexpected I/O errors**: a socket's end (``OpenFailed``/``Closed``) with an ``error`` (not
  the network's: a bug, a dependency changed under the shell) or a URL fetch failing with
  anything but an SDK error is a loss like any other, but ``unexpected_error_limit`` of them in
  a row (an ordinary loss or failure, or a rollover, resets the count) end the stream with
  ``EventStreamError`` (``StreamFailed``, the last error as its cause): no reconnecting forever
  into the same bug.
- **Gap fill**: after every reconnect (and on the first subscription when the stream has a
  starting point), the transcript is read newest-first down to the newest item already
  delivered (or the stream's start time); what is missing is emitted once, oldest first, and
  items arriving live meanwhile are held back and emitted after it (an item the fill finds
  that also came live goes out with its held arrivals first, in their order, then the
  transcript's copy: a streamed answer's chunks before its completed text; a fill holding a
  completed streamed answer not yet delivered so is applied only once a ping sent on its
  answer is answered, as the transcript can be ahead of the socket). A fill only starts while
  a socket is subscribed (what it reads then meets what that socket brings); a socket lost
  while it runs means another fill after the next subscription, and what is held stays
  held until a fill covers everything before it. Items from a socket not yet acknowledged
  (or the second socket of a rollover) wait for its acknowledgement. A failed fill is
  retried with backoff; one failing ``gap_fill_attempts`` times in a row the same way with
  an error that is not the service being busy or unreachable ends the stream with
  ``GapFillError`` (typed, the last error as its cause) instead of waiting forever. What arrives twice is
  judged by ``_delivery.DeliveryLedger`` over the last ``dedupe_window`` items: a new Id is
  emitted, a known Id in a new, later state is emitted as an update (``event.previous``),
  an exact repeat or an older state is dropped.
"""

from __future__ import annotations

import json
import logging
import math
import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from ._delivery import DeliveryLedger, Verdict, item_key
from ._errors import (
    AccessDeniedError,
    ClientClosedError,
    InternalServerError,
    InvalidInputError,
    ParticipantServiceError,
    ParticipantTransportError,
    ThrottlingError,
)
from ._events import ChatEnded, Event, RemovedFromChat, chat_ended_item, event_from_item
from ._models import Item
from ._secrets import Secret

__all__ = [
    "HEARTBEAT",
    "PING",
    "SUBSCRIBE",
    "CloseSocket",
    "Closed",
    "Emit",
    "EventStreamConfig",
    "EventStreamError",
    "EventStreamProtocol",
    "Fail",
    "FetchGap",
    "FetchUrl",
    "FrameIn",
    "GapFailed",
    "GapFill",
    "GapFillError",
    "GapReady",
    "OpenFailed",
    "OpenSocket",
    "Opened",
    "SendFrame",
    "StreamNotLiveError",
    "UrlFailed",
    "UrlReady",
    "seconds_until",
]

log = logging.getLogger("connect_participant.events")

SUBSCRIBE: Final = '{"topic":"aws/subscribe","content":{"topics":["aws/chat"]}}'
HEARTBEAT: Final = '{"topic":"aws/heartbeat"}'
PING: Final = '{"topic":"aws/ping"}'


@dataclass(frozen=True, slots=True)
class EventStreamConfig:
    """Timings of ``chat.events()`` (seconds). The defaults follow or tighten AWS's JS library."""

    heartbeat_interval: float = 10.0
    """Seconds between heartbeats (and pings) on a live socket."""
    heartbeat_timeout: float = 10.0
    """Seconds to wait for a heartbeat's answer before the socket counts as dead."""
    open_timeout: float = 5.0
    """Seconds to open a WebSocket."""
    subscribe_timeout: float = 1.0
    """Seconds to wait for the subscription's acknowledgement."""
    subscribe_attempts: int = 3
    """Subscriptions tried on one socket before it is replaced."""
    subscribe_retry_delay: float = 0.5
    """Seconds between subscription attempts."""
    subscribe_refusals: int = 5
    """Refused subscriptions in a row before the stream gives up."""
    url_fresh_for: float = 85.0
    """Seconds a WebSocket URL is used for new sockets after it was received."""
    url_connect_window: float = 100.0
    """Seconds the service lets a URL be connected to (about 100)."""
    max_socket_age: float = 3540.0
    """Seconds after which a socket is replaced (rolled over) anyway."""
    rollover_lead: float = 60.0
    """Seconds before the connection's expiry that a socket rolls over to a fresh URL."""
    first_retry_delay: float = 0.5
    """Seconds (jittered) before the first reconnect after a socket is lost."""
    backoff_base: float = 1.0
    """Seconds of the first backoff while reconnects fail; doubles each time."""
    backoff_cap: float = 30.0
    """Largest wait between reconnects, in seconds."""
    backoff_jitter: float = 0.3
    """Fraction of each wait that is random (0 to 1)."""
    stable_after: float = 10.0
    """Seconds live after which a socket counts as healthy (and the backoff resets)."""
    gap_fill_limit: int = 1000
    """Most transcript items read back to fill one gap."""
    gap_fill_attempts: int = 5
    """Failed gap fills in a row before ``GapFillError``."""
    dedupe_window: int = 10_000
    """Item states remembered to drop repeats."""
    live_timeout: float = 10.0
    """Seconds ``with chat.events() as stream:`` waits for the subscription's acknowledgement (else ``StreamNotLiveError``)."""
    unexpected_error_limit: int = 5
    """Unexpected errors in a row under the stream's I/O before it ends with ``EventStreamError`` (``StreamFailed``)."""
    refusal_grace: float = 2.0
    """Seconds the stream reads its subscribed socket on after the service refuses this participant (403) —
    the chat's last frames may still be on their way — before it ends with ``RemovedFromChat``."""

    def __post_init__(self) -> None:
        for name in (
            "heartbeat_interval",
            "heartbeat_timeout",
            "open_timeout",
            "subscribe_timeout",
            "url_fresh_for",
            "url_connect_window",
            "max_socket_age",
            "backoff_cap",
            "live_timeout",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
                raise InvalidInputError(name, "must be a finite number > 0")
        for name in ("subscribe_retry_delay", "rollover_lead", "first_retry_delay", "backoff_base",
                     "stable_after", "refusal_grace"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
                raise InvalidInputError(name, "must be a finite number >= 0")
        jitter = self.backoff_jitter
        if isinstance(jitter, bool) or not isinstance(jitter, int | float) or not 0 <= jitter < 1:
            raise InvalidInputError("backoff_jitter", "must be a number >= 0 and < 1")
        for name in ("subscribe_attempts", "subscribe_refusals", "gap_fill_limit", "gap_fill_attempts",
                     "dedupe_window", "unexpected_error_limit"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidInputError(name, "must be an int >= 1")

    def backoff(self, failures: int, random: Callable[[], float] = _random.random) -> float:
        """Seconds before the next connection attempt after ``failures`` failed ones (0: a drop)."""
        if failures <= 0:
            return random() * min(self.first_retry_delay, self.backoff_cap)
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** min(failures - 1, 30))
        spread = 1.0 + self.backoff_jitter * (2.0 * random() - 1.0)
        return min(self.backoff_cap, ceiling * spread)


# --- actions (what the shell does) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FetchUrl:
    pass


@dataclass(frozen=True, slots=True)
class OpenSocket:
    sock: int
    url: Secret


@dataclass(frozen=True, slots=True)
class SendFrame:
    sock: int
    text: str


@dataclass(frozen=True, slots=True)
class CloseSocket:
    sock: int


@dataclass(frozen=True, slots=True)
class FetchGap:
    fill: GapFill


@dataclass(frozen=True, slots=True)
class Emit:
    event: Event


@dataclass(frozen=True, slots=True)
class Fail:
    error: BaseException


Action = FetchUrl | OpenSocket | SendFrame | CloseSocket | FetchGap | Emit | Fail


class EventStreamError(ParticipantServiceError):
    """The events stream ended on a failure of its own, not the chat's (``code`` says which):
    ``StreamFailed`` when its I/O failed in a way that is not the network's (an unexpected error
    ``EventStreamConfig.unexpected_error_limit`` times in a row, or its task or event loop ended
    under it), with the last error as ``__cause__``. ``events(after=<last id seen>)`` resumes."""


class GapFillError(EventStreamError):
    """The events stream could not read the transcript to fill a gap: it failed the same way
    ``EventStreamConfig.gap_fill_attempts`` times in a row (the last failure is ``__cause__``).
    The stream ends with it rather than wait forever; ``events(after=<last id seen>)`` resumes."""


class StreamNotLiveError(EventStreamError):
    """Entering ``with chat.events()`` (or ``async with``) gave up: no subscription of the events
    socket was acknowledged within ``EventStreamConfig.live_timeout`` seconds (the last connection
    failure, if any, is ``__cause__``). The stream is closed."""


# --- inputs (what happened) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlReady:
    url: Secret
    received_at: float  # the protocol's clock (monotonic)
    expires_in: float | None  # seconds from received_at to Websocket.ConnectionExpiry


@dataclass(frozen=True, slots=True)
class UrlFailed:
    error: BaseException


@dataclass(frozen=True, slots=True)
class Opened:
    sock: int


@dataclass(frozen=True, slots=True)
class OpenFailed:
    sock: int
    status: int | None = None  # the HTTP status of a refused handshake
    error: BaseException | None = None  # an unexpected error (not the network's) that ended it


@dataclass(frozen=True, slots=True)
class FrameIn:
    sock: int
    text: str


@dataclass(frozen=True, slots=True)
class Closed:
    sock: int
    code: int | None = None  # the close frame's code; None when the connection was just lost
    error: BaseException | None = None  # an unexpected error (not the network's) that ended it


@dataclass(frozen=True, slots=True)
class GapReady:
    fill: GapFill


@dataclass(frozen=True, slots=True)
class GapFailed:
    fill: GapFill
    error: BaseException


Input = UrlReady | UrlFailed | Opened | OpenFailed | FrameIn | Closed | GapReady | GapFailed

#: close codes of a server that closed a socket on purpose (normal closure, going away)
_CLEAN_CLOSE: Final = (1000, 1001)

#: fill failures that mean "busy or unreachable": retried for as long as they last
_TRANSIENT: Final = (ThrottlingError, InternalServerError, ParticipantTransportError)


def seconds_until(when: datetime | None, now: datetime) -> float | None:
    """Seconds from ``now`` to ``when`` (both aware), or ``None`` when unknown."""
    return None if when is None else (when - now).total_seconds()


# --- de-duplication and gap fill ----------------------------------------------------------------


class GapFill:
    """Collects, newest first, the transcript items the stream has not delivered yet.

    ``offer(item)`` returns whether the shell should go on reading. It stops at the first item
    already delivered (everything older was delivered too) unless some delivered item was
    still unsettled (an attachment being scanned, a streamed message not complete): then it
    reads on until it has seen each of those, collecting their new states as updates (nothing
    else older than a delivered item). It also stops at the first item older than the stream's
    start, or after ``limit`` items collected.
    """

    __slots__ = ("_anchored", "_ledger", "_limit", "_pending", "_since", "items")

    def __init__(self, ledger: DeliveryLedger, since: datetime | None, limit: int) -> None:
        self._ledger = ledger
        self._since = since
        self._limit = limit
        self._pending = set(ledger.unsettled())
        self._anchored = False
        self.items: list[Item] = []

    def offer(self, item: Item) -> bool:
        if self._since is not None:
            when = item.time  # aware: a time without a zone is read as UTC
            if when is not None and when < self._since:
                return False
        key = item_key(item)
        self._pending.discard(key)
        if key in self._ledger:
            self._anchored = True
            if self._ledger.judge(item, key)[0] is Verdict.UPDATE:
                self.items.append(item)
            if not self._pending:
                return False
        elif not self._anchored:
            self.items.append(item)
        return len(self.items) < self._limit

    def offer_all(self, items: list[Item]) -> bool:
        """``offer`` each item of a page in turn; whether to read the next page."""
        return all(self.offer(item) for item in items)

    def in_order(self) -> list[Item]:
        """The collected items, oldest first."""
        return self.items[::-1]


# --- the state machine --------------------------------------------------------------------------

_OPENING, _SUBSCRIBING, _LIVE = "opening", "subscribing", "live"
_CONNECT, _ROLLOVER = "connect", "rollover"


@dataclass(frozen=True, slots=True)
class _HeldUrl:
    url: Secret
    good_until: float  # reused (not just fetched) only before this
    ends: float | None  # its ConnectionExpiry when that is a socket lifetime (not the connect deadline)


class _Sock:
    __slots__ = (
        "answered",
        "deadline",
        "early",
        "hb_sent",
        "id",
        "live_at",
        "next_hb",
        "pings",
        "pongs",
        "purpose",
        "refusals",
        "roll_at",
        "state",
        "tries",
        "url_ends",
    )

    def __init__(self, sock_id: int, purpose: str, deadline: float, url_ends: float | None):
        self.id = sock_id
        self.purpose = purpose
        self.state = _OPENING
        self.deadline = deadline
        self.tries = 0
        self.refusals = 0
        self.hb_sent: float | None = None
        self.next_hb = 0.0
        self.live_at = 0.0
        self.roll_at = float("inf")
        self.url_ends = url_ends  # its URL's ConnectionExpiry when that is the socket's lifetime
        self.answered = False  # a heartbeat answered since the subscription: a healthy socket
        self.pings = 0  # aws/ping frames sent, and answered: the answers come in order
        self.pongs = 0
        self.early: list[Item] = []  # items that came before it became the primary socket


class EventStreamProtocol:
    """All decisions of one events stream. Not thread-safe: one shell drives it."""

    def __init__(
        self,
        config: EventStreamConfig | None = None,
        *,
        after: str | None = None,
        since: datetime | None = None,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.config = config if config is not None else EventStreamConfig()
        self.finished = False
        self._random = random
        self._out: list[Action] = []
        self._socks: dict[int, _Sock] = {}
        self._ids = 0
        self._primary: int | None = None
        self._url: _HeldUrl | None = None  # the last fetched URL
        self._fetching = False
        self._fetch_for = _CONNECT
        # reconnects and rollovers
        self._failures = 0
        self._retry_at: float | None = None
        self._rolling = False
        self._roll_failures = 0
        # delivery
        self._seen = DeliveryLedger(self.config.dedupe_window)
        if after is not None:
            self._seen.seed(after)
        self._since = since
        self._fill_needed = after is not None or since is not None
        self._filling: GapFill | None = None
        self._fill_failures = 0
        self._fill_same: tuple[int, str] = (0, "")  # repeated non-transient failures, their kind
        self._fill_retry_at: float | None = None
        self._held: list[Item] = []
        # unexpected I/O errors in a row (not the network's: a bug, a broken dependency)
        self._unexpected = 0
        #: a subscription has been acknowledged: from then on nothing sent to the chat is missed
        self.live = False
        #: the last failure to connect (for the error raised when the stream never gets live)
        self.last_failure: BaseException | None = None
        # a fill read, waiting for the socket to catch up with it: (fill, socket, pongs, deadline)
        self._barrier: tuple[GapFill, int, int, float] | None = None
        # refused (403) while a socket is subscribed: when to stop reading it, and why
        self._refusal: tuple[float, str] | None = None
        #: counters for monitoring (read from any thread; only the shell's thread writes them)
        self.stats = {"sockets": 0, "drops": 0, "rollovers": 0, "gap_fills": 0, "filled": 0, "duplicates": 0,
                      "updates": 0, "skipped": 0, "gap_fill_failures": 0, "refusals": 0}  # fmt: skip

    # --- the shell's interface ------------------------------------------------------------------

    def start(self, now: float) -> None:
        self._connect(now)

    def offer_url(self, url: Secret, received_at: float, expires_in: float | None) -> None:
        """A URL the session already has (from ``connect()``): used if still fresh."""
        self._store_url(UrlReady(url, received_at, expires_in))

    def drain(self) -> list[Action]:
        out, self._out = self._out, []
        return out

    @property
    def delivered(self) -> int:
        """How many distinct items the de-duplication ledger holds."""
        return len(self._seen)

    def close(self) -> None:
        """The user closed the stream (or disconnected): drop every socket, emit nothing more."""
        self._finish()

    def handle(self, now: float, event: Input) -> None:
        if self.finished:
            if isinstance(event, Opened):
                self._out.append(CloseSocket(event.sock))
            return
        if isinstance(event, FrameIn):
            self._on_frame(now, event.sock, event.text)
        elif isinstance(event, UrlReady):
            self._on_url(now, event)
        elif isinstance(event, UrlFailed):
            self._on_url_failed(now, event.error)
        elif isinstance(event, Opened):
            self._on_opened(now, event.sock)
        elif isinstance(event, OpenFailed):
            if event.sock in self._socks:
                self._url = None  # never reuse a URL the service refused or that did not open
                self.last_failure = event.error
            if not self._count_unexpected(event.sock, event.error):
                self._on_closed(now, event.sock)
        elif isinstance(event, Closed):
            if not self._count_unexpected(event.sock, event.error):
                self._on_closed(now, event.sock, event.code in _CLEAN_CLOSE)
        elif isinstance(event, GapReady):
            self._on_gap(now, event.fill)
        else:
            self._on_gap_failed(now, event.fill, event.error)
        self._check_barrier(now)

    def next_deadline(self) -> float | None:
        if self.finished:
            return None
        times: list[float] = []
        for s in self._socks.values():
            if s.state != _LIVE:
                times.append(s.deadline)
                continue
            times.append(s.next_hb)
            if s.hb_sent is not None:
                times.append(s.hb_sent + self.config.heartbeat_timeout)
            if s.id == self._primary and not self._rolling:
                times.append(s.roll_at)
        for when in (self._retry_at, self._fill_retry_at):
            if when is not None:
                times.append(when)
        if self._barrier is not None:
            times.append(self._barrier[3])
        if self._refusal is not None:
            times.append(self._refusal[0])
        return min(times) if times else None

    def tick(self, now: float) -> None:
        if self.finished:
            return
        cfg = self.config
        for s in list(self._socks.values()):
            if s.id not in self._socks:
                continue
            if s.state == _OPENING:
                if now >= s.deadline:
                    self._fail(now, s)
            elif s.state == _SUBSCRIBING:
                if now >= s.deadline:
                    if s.tries >= cfg.subscribe_attempts:
                        self._fail(now, s)
                    else:
                        self._subscribe(now, s)
            else:
                if s.hb_sent is not None and now >= s.hb_sent + cfg.heartbeat_timeout:  # as next_deadline
                    self._fail(now, s)
                    continue
                if now >= s.next_hb:
                    self._heartbeat(now, s)
                if s.id == self._primary and not self._rolling and now >= s.roll_at:
                    self._rolling = True
                    self._fetch(_ROLLOVER)
        if self._retry_at is not None and now >= self._retry_at:
            self._retry_at = None
            self._connect(now)
        if self._fill_retry_at is not None and now >= self._fill_retry_at:
            self._fill_retry_at = None
            self._start_fill()  # without a subscribed socket, the next subscription starts it
        self._check_barrier(now)
        if self._refusal is not None and now >= self._refusal[0]:
            self._end(self._refusal[1])  # the socket brought no chat.ended in time

    # --- connecting -----------------------------------------------------------------------------

    def _connect(self, now: float) -> None:
        if self.finished or self._primary is not None:
            return
        if any(s.purpose == _CONNECT for s in self._socks.values()):
            return
        if self._url is not None and now < self._url.good_until:
            self._open(now, _CONNECT)
        else:
            self._fetch(_CONNECT)

    def _fetch(self, purpose: str) -> None:
        if self._refusal is not None:
            return  # refused: only the subscribed socket is read now
        if self._fetching:
            if purpose == _CONNECT:
                self._fetch_for = _CONNECT
            return
        self._fetching = True
        self._fetch_for = purpose
        self._out.append(FetchUrl())

    def _store_url(self, ready: UrlReady) -> None:
        cfg = self.config
        good_until = ready.received_at + cfg.url_fresh_for
        lifetime = ready.expires_in
        ends = None
        # no expiry, or one in the past (the clocks disagree): the expiry tells nothing
        if lifetime is not None and lifetime > 0:
            if lifetime <= cfg.url_connect_window + 5:
                # ConnectionExpiry is the connect deadline: reuse the URL for the same share of it
                # as AWS's library trusts of the 100 s window (85 s)
                share = min(1.0, cfg.url_fresh_for / cfg.url_connect_window)
                good_until = min(good_until, ready.received_at + lifetime * share)
            else:
                ends = ready.received_at + lifetime  # ConnectionExpiry is the socket's lifetime
        self._url = _HeldUrl(ready.url, good_until, ends)

    def _on_url(self, now: float, ready: UrlReady) -> None:
        self._fetching = False
        self._store_url(ready)  # a URL just fetched is used right away, whatever its lifetime
        if self._refusal is not None:
            return  # refused meanwhile: no new socket
        if self._fetch_for == _ROLLOVER and self._primary is not None:
            self._open(now, _ROLLOVER)
        else:
            self._rolling = False
            self._connect(now)

    def _on_url_failed(self, now: float, error: BaseException) -> None:
        self._fetching = False
        self.last_failure = error
        if isinstance(error, ClientClosedError):
            self._finish()  # the client was closed: the stream ends as on close()
            return
        if isinstance(error, ParticipantServiceError):
            self._unexpected = 0  # a failure the ordinary way
        elif self._count_unexpected(None, error):
            return
        if isinstance(error, AccessDeniedError):
            self._check_barrier(now, force=True)  # a fill read meanwhile comes first
            self._refused(
                now, "the service refused a new connection (403): the chat ended or the participant left"
            )
            return
        if self._refusal is not None:
            return  # refused already: nothing is fetched again
        if self._fetch_for == _ROLLOVER and self._primary is not None:
            self._rollover_failed(now)
        else:
            self._rolling = False
            self._failures += 1
            self._retry_at = now + self.config.backoff(self._failures, self._random)

    def _open(self, now: float, purpose: str) -> None:
        assert self._url is not None
        self._ids += 1
        self.stats["sockets"] += 1
        sock = _Sock(self._ids, purpose, now + self.config.open_timeout, self._url.ends)
        self._socks[sock.id] = sock
        self._out.append(OpenSocket(sock.id, self._url.url))

    def _on_opened(self, now: float, sock_id: int) -> None:
        s = self._socks.get(sock_id)
        if s is None:
            self._out.append(CloseSocket(sock_id))  # given up on already
            return
        s.state = _SUBSCRIBING
        self._subscribe(now, s)

    def _subscribe(self, now: float, s: _Sock) -> None:
        s.tries += 1
        s.deadline = now + self.config.subscribe_timeout
        self._out.append(SendFrame(s.id, SUBSCRIBE))

    def _on_subscribe_ack(self, now: float, s: _Sock, content: object) -> None:
        if s.state != _SUBSCRIBING:
            return
        status = content.get("status") if isinstance(content, dict) else None
        if status != "success":
            s.refusals += 1
            if s.refusals > self.config.subscribe_refusals:
                self._fail(now, s)
            else:
                s.tries = 0
                s.deadline = now + self.config.subscribe_retry_delay
            return
        cfg = self.config
        s.state = _LIVE
        s.live_at = now
        self.live = True
        s.roll_at = now + cfg.max_socket_age
        if s.url_ends is not None:  # roll over before the socket's lifetime ends
            s.roll_at = min(s.roll_at, max(now + 1.0, s.url_ends - cfg.rollover_lead))
        self._heartbeat(now, s)
        old = self._primary
        self._primary = s.id
        if s.purpose == _ROLLOVER and old is not None:
            # An item sent just before the new subscription took effect went to the old socket
            # only, and its frame may still be on the way when the old socket is closed here;
            # the transcript has it, so read it like after any reconnect.
            self._roll_failures = 0
            self._unexpected = 0
            self._drop(old)
            self._fill_needed = True
            self.stats["rollovers"] += 1
        s.purpose = _CONNECT
        self._rolling = False
        self._retry_at = None
        early, s.early = s.early, []
        if self._fill_needed or self._filling is not None:
            self._held += early
            self._start_fill()
        else:
            for item in early:
                self._deliver(item)

    def _heartbeat(self, now: float, s: _Sock) -> None:
        if s.hb_sent is None:
            s.hb_sent = now
        s.next_hb = now + self.config.heartbeat_interval
        self._out.append(SendFrame(s.id, HEARTBEAT))
        self._ping(s)

    def _ping(self, s: _Sock) -> None:
        s.pings += 1
        self._out.append(SendFrame(s.id, PING))

    # --- losing sockets -------------------------------------------------------------------------

    def _drop(self, sock_id: int) -> None:
        if self._socks.pop(sock_id, None) is not None:
            self._out.append(CloseSocket(sock_id))

    def _fail(self, now: float, s: _Sock) -> None:
        self._unexpected = 0  # a loss the ordinary way (a timeout, a refusal)
        self._drop(s.id)
        self._lost(now, s)

    def _on_closed(self, now: float, sock_id: int, clean: bool = False) -> None:
        s = self._socks.pop(sock_id, None)
        if s is not None:
            self._lost(now, s, clean)

    def _rollover_failed(self, now: float) -> None:
        self._rolling = False
        self._roll_failures += 1
        primary = self._socks.get(self._primary) if self._primary is not None else None
        if primary is not None:
            primary.roll_at = now + self.config.backoff(self._roll_failures, self._random)

    def _lost(self, now: float, s: _Sock, clean: bool = False) -> None:
        if self.finished:
            return
        if self._refusal is not None:
            self._end(self._refusal[1])  # the one socket still read is gone: no chat.ended came
            return
        if s.purpose == _ROLLOVER:
            self._rollover_failed(now)
            return
        if s.id == self._primary:
            self._primary = None
            self._fill_needed = True
            self.stats["drops"] += 1
        healthy = s.state == _LIVE and (s.answered or now - s.live_at >= self.config.stable_after)
        if healthy:
            self._failures = 0
        else:
            self._failures += 1
        # a replacement on its way takes over: it fills the gap once subscribed
        for other in self._socks.values():
            if other.purpose == _ROLLOVER:
                other.purpose = _CONNECT
                self._rolling = False
                return
        if self._fetching:
            self._fetch_for = _CONNECT
            self._rolling = False
            return
        self._rolling = False
        if clean and healthy:
            self._retry_at = None
            self._connect(now)
        else:
            self._retry_at = now + self.config.backoff(self._failures, self._random)

    # --- frames and delivery --------------------------------------------------------------------

    def _on_frame(self, now: float, sock_id: int, text: str) -> None:
        s = self._socks.get(sock_id)
        if s is None:
            return
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return
        if not isinstance(doc, dict):
            return
        topic = doc.get("topic")
        if topic == "aws/chat":
            try:
                item = Item.from_json(doc.get("content"))  # type: ignore[arg-type]
            except (ValueError, TypeError, RecursionError):
                # nothing to deliver: not an item at all (what it held is not logged)
                self.stats["skipped"] += 1
                log.warning("events stream: skipped an aws/chat frame whose content is not a JSON object")
                return
            self._on_item(s, item)
        elif topic == "aws/heartbeat":
            s.hb_sent = None
            if s.state == _LIVE:
                s.answered = True
        elif topic == "aws/ping":
            s.pongs += 1
            status = doc.get("statusCode")
            if isinstance(status, int) and not isinstance(status, bool) and status != 200:
                self._fail(now, s)
        elif topic == "aws/subscribe":
            self._on_subscribe_ack(now, s, doc.get("content"))

    def _on_item(self, s: _Sock, item: Item) -> None:
        if s.id != self._primary:
            s.early.append(item)
        elif self._filling is not None or self._fill_needed:
            self._held.append(item)
        else:
            self._deliver(item)

    def _deliver(self, item: Item) -> None:
        if self.finished:
            return
        verdict, previous = self._seen.accept(item)
        if verdict is Verdict.REPEAT or verdict is Verdict.STALE:
            self.stats["duplicates"] += 1
            return
        if verdict is Verdict.UPDATE:
            self.stats["updates"] += 1
        event = event_from_item(item, previous)
        self._out.append(Emit(event))
        if isinstance(event, ChatEnded):
            self._finish()

    def _start_fill(self) -> None:
        """Read the transcript now if a socket is subscribed and no fill runs (else: later)."""
        if self._filling is not None or self._primary is None or self.finished:
            return  # (refused: nothing asks for a fill, the transcript and URLs are not read again)
        self._fill_needed = False
        self._fill_retry_at = None
        self._filling = GapFill(self._seen, self._since, self.config.gap_fill_limit)
        self._out.append(FetchGap(self._filling))

    def _on_gap(self, now: float, fill: GapFill) -> None:
        if fill is not self._filling or self._barrier is not None:
            return
        primary = self._socks.get(self._primary) if self._primary is not None else None
        if primary is not None and primary.state == _LIVE and self._ahead(fill):
            # The transcript can be ahead of the socket: a streamed answer completed there
            # while its chunks are still on their way here. Applied now, its completed copy
            # would make each chunk that comes after it stale. Frames come in order, so once
            # a ping sent now is answered, everything sent before the fill was read is here
            # (held): then it is applied. A lost socket, or no answer within heartbeat_timeout,
            # applies it at once.
            self._ping(primary)
            self._barrier = (fill, primary.id, primary.pings, now + self.config.heartbeat_timeout)
            return
        self._apply_fill(fill)

    def _ahead(self, fill: GapFill) -> bool:
        """Whether ``fill`` holds a completed streamed answer not delivered completed yet."""
        for item in fill.items:
            meta = item.raw.get("MessageMetadata")
            completed = isinstance(meta, dict) and meta.get("MessageCompleted") is True
            if completed and self._seen.judge(item)[0] is not Verdict.REPEAT:
                return True
        return False

    def _check_barrier(self, now: float, *, force: bool = False) -> None:
        if self._barrier is None:
            return
        fill, sock_id, pongs, deadline = self._barrier
        s = self._socks.get(sock_id)
        if force or s is None or s.id != self._primary or s.pongs >= pongs or now >= deadline:
            self._barrier = None
            self._apply_fill(fill)

    def _apply_fill(self, fill: GapFill) -> None:
        if fill is not self._filling or self.finished:
            return
        self._filling = None
        self._fill_failures = 0
        self._fill_same = (0, "")
        self.stats["gap_fills"] += 1
        self.stats["filled"] += len(fill.items)
        # An item that also came live while the fill ran (a streamed answer's chunks, then its
        # completed message) is delivered with the states the socket brought, in their order,
        # where the fill reaches it: its held arrivals first, then the transcript's copy (often
        # its last state only), which the ledger drops as a repeat or delivers as a later
        # state. The transcript's copy first made every earlier state held behind it stale:
        # the chunks of an answer streamed during the fill were lost so.
        held_keys = {item_key(item) for item in self._held}
        for item in fill.in_order():
            key = item_key(item)
            if key in held_keys:
                same = [h for h in self._held if item_key(h) == key]
                self._held = [h for h in self._held if item_key(h) != key]
                held_keys.discard(key)
                for arrival in same:
                    self._deliver(arrival)
            self._deliver(item)
        if self._fill_needed:
            # the socket was lost meanwhile: what is held may follow a new gap, so keep holding
            # until a fill made while a socket is subscribed again reads past it
            self._start_fill()
            return
        held, self._held = self._held, []
        for item in held:
            self._deliver(item)

    def _on_gap_failed(self, now: float, fill: GapFill, error: BaseException) -> None:
        if fill is not self._filling:
            return
        self._filling = None
        if isinstance(error, ClientClosedError):
            self._finish()  # the client was closed: the stream ends as on close()
            return
        if isinstance(error, AccessDeniedError) or self._refusal is not None:
            self._refused(
                now, "the service refused the transcript (403): the chat ended or the participant left"
            )
            return
        self._fill_needed = True
        self._fill_failures += 1
        self.stats["gap_fill_failures"] += 1
        if not isinstance(error, _TRANSIENT):
            kind = f"{type(error).__name__}:{getattr(error, 'code', '')}"
            count = self._fill_same[0] + 1 if self._fill_same[1] == kind else 1
            self._fill_same = (count, kind)
            if count >= self.config.gap_fill_attempts:
                self._give_up(error, count)
                return
        else:
            self._fill_same = (0, "")
        self._fill_retry_at = now + self.config.backoff(self._fill_failures, self._random)

    def _give_up(self, error: BaseException, count: int) -> None:
        failure = GapFillError(
            f"the transcript could not be read to fill a gap in the events stream: {count} attempts "
            f"in a row failed with {type(error).__name__}",
            code="GapFillFailed",
            status_code=getattr(error, "status_code", None),
        )
        failure.__cause__ = error
        self._out.append(Fail(failure))
        self._finish()

    def _count_unexpected(self, sock: int | None, error: BaseException | None) -> bool:
        """Count an unexpected I/O error (``None``: a loss the ordinary way, which resets the
        count); whether it ended the stream (``unexpected_error_limit`` of them in a row)."""
        if error is None:
            self._unexpected = 0
            return False
        if sock is not None and sock not in self._socks:
            return False  # a socket given up on already: its end tells nothing
        self._unexpected += 1
        log.warning(
            "events stream: unexpected %s in its I/O; treated as a lost connection", type(error).__name__
        )
        if self._unexpected < self.config.unexpected_error_limit:
            return False
        failure = EventStreamError(
            f"the events stream's I/O failed unexpectedly {self._unexpected} times in a row "
            f"(last: {type(error).__name__})",
            code="StreamFailed",
            status_code=None,
        )
        failure.__cause__ = error
        self._out.append(Fail(failure))
        self._finish()
        return True

    # --- the end --------------------------------------------------------------------------------

    def _refused(self, now: float, reason: str) -> None:
        """The service refused this participant (403): removed from the chat, or the chat ended.
        What is held goes out now (the service sent it before). Without a subscribed socket the
        stream ends here; with one, the chat's last frames may still be on their way on it (a
        chat ending as the stream starts: the fill's 403 comes before them), so it is read on,
        alone, until ``chat.ended`` comes, it is lost, or ``refusal_grace`` passes."""
        if self._refusal is None:
            self.stats["refusals"] += 1
            if self._primary is not None:
                self._refusal = (now + self.config.refusal_grace, reason)
                for sock_id in list(self._socks):
                    if sock_id != self._primary:
                        self._drop(sock_id)  # a rollover under way: not needed now
                self._fill_needed = False  # the transcript is refused: no more fills
                self._fill_retry_at = None
        if self._filling is None or self._refusal is None:  # a running fill may yet answer
            held, self._held = self._held, []
            for item in held:
                self._deliver(item)
        if self._refusal is None:
            self._end(reason)

    def _end(self, reason: str) -> None:
        if not self.finished:
            self._out.append(Emit(RemovedFromChat(chat_ended_item(reason))))
            self._finish()

    def _finish(self) -> None:
        self.finished = True
        for sock_id in list(self._socks):
            self._drop(sock_id)
        self._retry_at = self._fill_retry_at = None
        self._filling = None
        self._barrier = None
        self._held = []
        self._refusal = None
