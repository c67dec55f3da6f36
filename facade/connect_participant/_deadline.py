"""The attempt's deadline (``time.monotonic``), set by the retry transport for each attempt and
read by the default sync transport's sockets (``_deadline_net``): a read or write never waits
past it, so even headers trickled byte by byte are cut on time. A module of its own so that
both can import it without importing each other."""

from __future__ import annotations

import contextvars

__all__ = ["DEADLINE"]

DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "connect_participant_deadline", default=None
)
