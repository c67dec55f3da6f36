"""What a session sends at most once: the typing throttle and the receipt ledger (pure, thread-safe).

``send_typing`` sends at most once per interval and ``send_delivered``/``send_read`` at most
once per message; the session wraps those SendEvent flows with ``throttled_typing`` and
``deduplicated_receipt``. Apart from the events stream so that sending does not load it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from typing import Any, TypeVar

from ._errors import InvalidInputError

__all__ = ["ReceiptLedger", "TypingThrottle", "deduplicated_receipt", "throttled_typing"]


class TypingThrottle:
    """At most one typing event per ``interval`` seconds (AWS's JS library: 10 s).

    ``allow(now)`` says whether to send now and, if so, records it. The lock makes the
    check-and-record atomic for a session shared by threads (no I/O happens under it).
    """

    __slots__ = ("_before", "_last", "_lock", "interval")

    def __init__(self, interval: float = 10.0) -> None:
        if isinstance(interval, bool) or not isinstance(interval, int | float) or not interval >= 0:
            raise InvalidInputError("typing_interval", "must be a number >= 0")
        self.interval = float(interval)
        self._last: float | None = None
        self._before: float | None = None
        self._lock = threading.Lock()

    def allow(self, now: float) -> bool:
        with self._lock:
            if self._last is not None and now - self._last < self.interval:
                return False
            self._before, self._last = self._last, now
            return True

    def undo(self, now: float) -> None:
        """The send allowed at ``now`` failed: it does not count."""
        with self._lock:
            if self._last == now:
                self._last = self._before


class ReceiptLedger:
    """Receipts sent, so each message gets at most one delivered and one read receipt.

    A read receipt makes a later delivered receipt for the same message pointless (AWS's JS
    library suppresses it too). Keeps the last ``size`` messages.
    """

    __slots__ = ("_lock", "_sent", "_size")

    def __init__(self, size: int = 10_000) -> None:
        self._sent: dict[str, str] = {}  # message id -> "delivered" | "read"
        self._size = size
        self._lock = threading.Lock()

    def allow(self, message_id: str, kind: str) -> bool:
        """``kind`` is ``"delivered"`` or ``"read"``; records it when the answer is yes."""
        with self._lock:
            before = self._sent.get(message_id)
            if before == "read" or before == kind:
                return False
            self._sent.pop(message_id, None)
            self._sent[message_id] = kind
            if len(self._sent) > self._size:
                del self._sent[next(iter(self._sent))]
            return True

    def forget(self, message_id: str, kind: str) -> None:
        """The send failed: allow it again."""
        with self._lock:
            if self._sent.get(message_id) == kind:
                del self._sent[message_id]


# --- the session's send_typing / send_delivered / send_read wrap their flows with these ---------

R = TypeVar("R")


def throttled_typing(throttle: TypingThrottle, flow: Generator[Any, Any, R]) -> Generator[Any, Any, R | None]:
    """Run ``flow`` (a typing SendEvent) unless one went out less than the interval ago (then ``None``)."""
    now = time.monotonic()
    if not throttle.allow(now):
        flow.close()
        return None
    try:
        return (yield from flow)
    except BaseException:
        throttle.undo(now)
        raise


def deduplicated_receipt(
    ledger: ReceiptLedger, kind: str, message_id: str, flow: Generator[Any, Any, R]
) -> Generator[Any, Any, R | None]:
    """Run ``flow`` (a receipt SendEvent) unless this receipt was already sent (then ``None``)."""
    if not ledger.allow(message_id, kind):
        flow.close()
        return None
    try:
        return (yield from flow)
    except BaseException:
        ledger.forget(message_id, kind)
        raise
