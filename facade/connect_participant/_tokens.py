"""Connection-token state and the call protocol, written once (see ``_flow``).

``TokenState`` holds a session's participant token (if it has one) and its
current ``ConnectionInfo`` (connection token, expiry, WebSocket URL), with a
``generation`` counter bumped on every new connection. Its decisions are pure
(injectable clock): ``needs_refresh()`` is true within ``margin`` seconds of
the expiry; ``can_refresh()`` needs a participant token that the service has
not refused.

The protocols are generators yielding two actions:

- ``Call(request, bearer)``: send one HTTP request; the shell answers with a
  ``Reply(status, headers, body)`` (or throws the httpx exception in).
- ``Locked(flow)``: run ``flow`` while holding the session's refresh lock
  (a ``threading.Lock`` in the sync shell, an ``asyncio.Lock`` in the async
  one). That is what makes refresh single-flight.

``call_flow(state, request)`` refreshes first if the token is about to
expire, sends, and after a 403 sends again with a newer connection token: the
one another caller renewed meanwhile if there is one (a shared session whose
calls wait in a saturated pool sees this all the time), else one it creates
(single-flight per generation). At most ``MAX_SENDS`` sends per call. Whether a
403 on the current token is worth a new one is ``TokenState.after_refusal``
(pure): yes when the token worked before (a 2xx came with it: it was revoked or
ended early), when it has expired, or when it never worked but no evidence says
the 403s are about something else. The evidence: ``MAX_DOUBTS`` tokens in a row
made for 403s on tokens that never worked, refused in turn, with the last such
renewal less than ``DOUBT_PAUSE`` ago. It lasts no longer than that: a token that
works (any 2xx) clears it, and after the pause one more renewal is tried. So a
403 that is not about the token (the chat ended for this participant and the
service still hands out connections, a view token of another contact) costs at
most ``MAX_DOUBTS`` creates and then one per ``DOUBT_PAUSE``, while a token
revoked before its first call is still renewed. A refused participant token
(CreateParticipantConnection itself got a 403) stops all re-creates. It returns
the decoded JSON or raises the mapped error.

``refresh_flow(state, seen)`` calls CreateParticipantConnection unless another
caller already replaced generation ``seen`` with a fresh connection; the events
stream uses it (with the current generation) to get a new WebSocket URL, and
gets the new connection token for free.

A refresh ahead of expiry that fails (throttled, say) is not fatal while the token still
works: the call goes ahead with it, and ahead-of-expiry refreshes pause for
``FAILURE_PAUSE`` so that waiting callers do not each retry CreateParticipantConnection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from . import _operations as ops
from ._errors import (
    AccessDeniedError,
    InvalidResponseError,
    ParticipantServiceError,
    error_from_response,
    scrub,
    transport_error,
)
from ._models import ConnectionInfo
from ._secrets import Secret, redact
from ._wire import parse

__all__ = [
    "DOUBT_PAUSE",
    "MAX_DOUBTS",
    "MAX_SENDS",
    "Call",
    "Locked",
    "Reply",
    "TokenState",
    "call_flow",
    "decode",
    "parse_answer",
    "refresh_flow",
]

T = TypeVar("T")
Clock = Callable[[], datetime]
#: After a failed ahead-of-expiry refresh, callers keep the still-valid token this long before
#: trying again, so a throttled CreateParticipantConnection is not retried by every waiting caller.
FAILURE_PAUSE = timedelta(seconds=5)
#: Sends of one call at most: the first, and re-sends after 403s with a renewed connection token.
MAX_SENDS = 8
#: Renewals in a row for 403s on tokens that never worked before the SDK takes such 403s as not
#: about the token (a revoked token is renewed however often; these are the doubtful ones).
MAX_DOUBTS = 2
#: How long that evidence lasts: after this long one more doubtful renewal is tried.
DOUBT_PAUSE = timedelta(seconds=5)

#: ``TokenState.after_refusal`` verdicts: send again with the token another caller renewed,
#: renew it (single-flight), or end the call with the 403.
RESEND, RENEW, GIVE_UP = "resend", "renew", "give up"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Call:
    request: ops.Request
    bearer: Secret


@dataclass(frozen=True, slots=True)
class Locked:
    flow: Generator[Call, Any, Any]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


Action = Call | Locked


class TokenState:
    """A session's tokens and the pure decisions about them."""

    def __init__(
        self,
        *,
        participant_token: Secret | None,
        connection: ConnectionInfo | None = None,
        margin: float = 60.0,
        clock: Clock = utc_now,
    ) -> None:
        self.participant_token = participant_token
        self.margin = timedelta(seconds=margin)
        self.clock = clock
        # (connection, generation, obtained at) are replaced together so readers never see a mix.
        self._current: tuple[ConnectionInfo | None, int, datetime | None] = (
            connection,
            0 if connection is None else 1,
            None,
        )
        self.refused = False  # the service rejected the participant token: never try again
        self.worked = 0  # the newest generation a 2xx answer came with (0: none yet)
        # renewals in a row for 403s on tokens that never worked, and when the last was made
        self.doubts: tuple[int, datetime | None] = (0, None)
        self.closed = False  # disconnected: no more re-creates
        self.failed: tuple[int, datetime] | None = None  # (generation, when) of the last failed refresh

    @property
    def connection(self) -> ConnectionInfo | None:
        return self._current[0]

    @property
    def generation(self) -> int:
        return self._current[1]

    def snapshot(self) -> tuple[ConnectionInfo | None, int]:
        connection, generation, _ = self._current
        return connection, generation

    def needs_refresh(self) -> bool:
        """Within the margin of the expiry (the margin is at most half the token's lifetime,
        so a service that hands out short-lived tokens does not get a create per call)."""
        connection, _, obtained = self._current
        if connection is None:
            return True
        expires = connection.expires_at
        if expires is None:
            return False
        margin = self.margin
        if obtained is not None:
            lifetime = expires - obtained
            if lifetime <= timedelta(0):
                return False  # already "expired" on arrival: a skewed clock; leave it to a 403 re-create
            margin = min(margin, lifetime / 2)
        return self.clock() >= expires - margin

    def can_refresh(self) -> bool:
        return self.participant_token is not None and not self.refused and not self.closed

    def apply(self, connection: ConnectionInfo) -> None:
        # Callers hold the session's refresh lock.
        self._current = (connection, self._current[1] + 1, self.clock())

    def close(self) -> None:
        self.closed = True

    def still_valid(self) -> bool:
        """The current connection token has not expired yet (it may be inside the margin)."""
        connection = self._current[0]
        if connection is None:
            return False
        return connection.expires_at is None or self.clock() < connection.expires_at

    def accept(self, generation: int) -> None:
        """A 2xx answer came with ``generation``'s token: it works (evidence of any doubt is gone)."""
        if generation > self.worked:
            self.worked = generation
        if generation == self._current[1]:
            self.doubts = (0, None)

    def after_refusal(self, seen: int) -> str:
        """What a call does after a 403 on ``seen``'s token: ``RESEND``, ``RENEW`` or ``GIVE_UP``."""
        if self._current[1] != seen:
            return RESEND if self._current[0] is not None else GIVE_UP
        if not self.can_refresh():
            return GIVE_UP
        if self.worked == seen or not self.still_valid() or not self._doubted():
            return RENEW
        return GIVE_UP

    def doubtful(self, seen: int) -> bool:
        """A renewal for ``seen`` would be for a token that never worked and has not expired."""
        return self.worked != seen and self.still_valid()

    def _doubted(self) -> bool:
        count, last = self.doubts
        return count >= MAX_DOUBTS and last is not None and self.clock() - last < DOUBT_PAUSE

    def note_doubt(self) -> None:
        """A renewal for a 403 on a token that never worked (callers hold the refresh lock)."""
        self.doubts = (self.doubts[0] + 1, self.clock())

    def note_failure(self) -> None:
        """A refresh failed: ahead-of-expiry refreshes of this generation pause for ``FAILURE_PAUSE``."""
        self.failed = (self._current[1], self.clock())

    def paused(self) -> bool:
        """A refresh of this generation failed moments ago, and the current token still works."""
        failed = self.failed
        return (
            failed is not None
            and failed[0] == self._current[1]
            and self.clock() - failed[1] < FAILURE_PAUSE
            and self.still_valid()
        )


def decode(reply: Reply) -> dict[str, Any]:
    """A 2xx reply's JSON object, or the mapped exception for anything else."""
    if not 200 <= reply.status <= 299:
        raise error_from_response(reply.status, reply.headers, reply.body)
    if not reply.body:
        return {}
    try:
        doc = json.loads(reply.body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        doc = None
    if not isinstance(doc, dict):
        raise InvalidResponseError(
            "the service answered with a body that is not a JSON object", status_code=reply.status
        )
    return doc


def parse_answer(operation: str, wrap: Callable[[Any], T], answer: Any) -> T:
    """A result wrapper's output; whatever it raises on an answer it cannot use (a missing member,
    a wrong type, JSON nested too deep inside a string) becomes ``InvalidResponseError``."""
    try:
        return wrap(answer)
    except ParticipantServiceError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        detail = redact(str(exc))[:200] if isinstance(exc, ValueError) else ""
        raise InvalidResponseError(
            f"{operation} answered with something the SDK cannot use" + (f": {detail}" if detail else ""),
        ) from None


def _send(request: ops.Request, bearer: Secret) -> Generator[Call, Any, Reply]:
    try:
        reply: Reply = yield Call(request, bearer)
    except httpx.TransportError as exc:
        raise transport_error(exc) from exc
    except httpx.HTTPError as exc:  # an answer httpx could not read (DecodingError, say)
        error = InvalidResponseError(f"the answer could not be read ({type(exc).__name__})")
        scrub(exc)
        raise error from exc
    return reply


def refresh_flow(
    state: TokenState, seen: int, *, ahead: bool = False, cure: bool = False
) -> Generator[Call, Any, ConnectionInfo | None]:
    """Create a new connection, unless someone replaced generation ``seen`` with a fresh one meanwhile.

    ``ahead``: a refresh before expiry, skipped while a recent failure pauses them (the token
    still works). A failure is recorded; a rejected participant token stops all re-creates.
    ``cure``: a renewal after a 403; one for a token that never worked counts as a doubt (see
    ``TokenState.after_refusal``). The events stream's renewals for a new WebSocket URL are not.
    """
    if state.generation != seen and not state.needs_refresh():
        return state.connection
    if not state.can_refresh() or (ahead and state.paused()):
        return state.connection
    assert state.participant_token is not None
    doubtful = cure and state.generation == seen and state.doubtful(seen)
    try:
        reply = yield from _send(ops.create_participant_connection(), state.participant_token)
        info = ConnectionInfo.from_model(parse("create_participant_connection", decode(reply)))
    except AccessDeniedError:
        state.refused = True
        raise
    except ParticipantServiceError:
        state.note_failure()
        raise
    except ValueError as exc:
        state.note_failure()
        raise InvalidResponseError(str(exc), status_code=reply.status) from None
    if doubtful:
        state.note_doubt()
    state.apply(info)
    return info


def call_flow(
    state: TokenState, request: ops.Request, *, recreate: bool = True
) -> Generator[Action, Any, dict[str, Any]]:
    """One logical call with the connection token: refresh ahead, send, re-create once after a 403."""
    if state.can_refresh() and state.needs_refresh() and not state.paused():
        try:
            yield Locked(refresh_flow(state, state.generation, ahead=True))
        except ParticipantServiceError:
            if not state.still_valid():
                raise  # expired: nothing to fall back on
            # else: the refresh was ahead of time; carry on with the token that still works
    connection, seen = state.snapshot()
    if connection is None:
        raise AccessDeniedError(
            "the session has no connection token", code="AccessDeniedException", status_code=None
        )
    reply = yield from _send(request, connection.connection_token)
    sends = 1
    while reply.status == 403 and recreate and sends < MAX_SENDS:
        verdict = state.after_refusal(seen)
        if verdict == GIVE_UP:
            break
        if verdict == RENEW:
            yield Locked(refresh_flow(state, seen, cure=True))
        connection, now = state.snapshot()
        if now == seen or connection is None:
            break  # no new connection (the refresh was refused or not possible)
        seen = now
        reply = yield from _send(request, connection.connection_token)
        sends += 1
    if 200 <= reply.status <= 299:
        state.accept(seen)
    return decode(reply)
