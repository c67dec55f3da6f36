"""Events protocol edges the main tests left open (found by ``make mutate``): the waits after a
failed rollover and a failed gap fill (and that they grow), the reason a refused stream ends
with, and the gap-fill statistics."""

from __future__ import annotations

import pytest
from connect_participant import InvalidInputError, Item
from connect_participant._errors import (
    AccessDeniedError,
    InternalServerError,
    ResourceNotFoundError,
    ValidationError,
)
from connect_participant._events import ChatEnded
from connect_participant._ws_protocol import (
    Closed,
    EventStreamConfig,
    Fail,
    FetchGap,
    FetchUrl,
    FrameIn,
    GapFailed,
    GapFillError,
    GapReady,
    UrlFailed,
)
from test_events_protocol import ACK, HB_REPLY, Driver, chat_frame, emitted, ids, item

SERVER_ERROR = InternalServerError("x", code="InternalServerException", status_code=500)
DENIED = AccessDeniedError("no", code="AccessDeniedException", status_code=403)


def _fetches(actions: list[object]) -> int:
    return sum(isinstance(a, FetchUrl) for a in actions)


def test_a_failed_rollover_waits_its_backoff_and_the_wait_grows() -> None:
    # backoff_base 1.0 and random 0.5 (no jitter): 1 s after the first failure, 2 s after the second
    d = Driver(
        EventStreamConfig(max_socket_age=20, backoff_base=1.0, heartbeat_interval=10, heartbeat_timeout=10)
    )
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, HB_REPLY))
    d.advance(10)
    d.feed(FrameIn(sock, HB_REPLY))
    assert FetchUrl() in d.advance(10)  # time to roll over
    d.feed(FrameIn(sock, HB_REPLY))
    assert d.feed(UrlFailed(SERVER_ERROR)) == []
    assert _fetches(d.advance(0.9)) == 0
    assert _fetches(d.advance(0.2)) == 1
    assert d.feed(UrlFailed(SERVER_ERROR)) == []
    assert _fetches(d.advance(1.9)) == 0
    assert _fetches(d.advance(0.2)) == 1
    # the old socket served all along
    assert ids(d.feed(FrameIn(sock, chat_frame(item(1))))) == ["id-1"]


def test_a_failed_gap_fill_waits_its_backoff_and_the_wait_grows() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    d.feed(GapFailed(fetch.fill, SERVER_ERROR))
    assert not any(isinstance(a, FetchGap) for a in d.advance(0.9))
    (retry,) = [a for a in d.advance(0.2) if isinstance(a, FetchGap)]
    d.feed(GapFailed(retry.fill, SERVER_ERROR))
    assert not any(isinstance(a, FetchGap) for a in d.advance(1.9))
    (again,) = [a for a in d.advance(0.2) if isinstance(a, FetchGap)]
    again.fill.offer(Item(item(2)))  # newest first, down to the item the stream starts after
    again.fill.offer(Item(item(1)))
    again.fill.offer(Item({"Id": "id-0"}))
    assert ids(d.feed(GapReady(again.fill))) == ["id-1", "id-2"]
    assert (d.p.stats["gap_fills"], d.p.stats["filled"]) == (1, 2)


def test_a_refused_new_connection_ends_the_stream_with_the_reason() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(Closed(sock))
    d.advance(100)  # the URL went stale: a new one is asked for
    (event,) = emitted(d.feed(UrlFailed(DENIED)))
    assert isinstance(event, ChatEnded)
    assert event.item.content == (
        "the service refused a new connection (403): the chat ended or the participant left"
    )


def test_a_refused_gap_fill_ends_the_stream_with_the_reason() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    (event,) = emitted(d.feed(GapFailed(fetch.fill, DENIED)))
    assert isinstance(event, ChatEnded)
    assert event.item.content == (
        "the service refused the transcript (403): the chat ended or the participant left"
    )


def _fail_fill(d: Driver, fetch: FetchGap, error: Exception) -> tuple[FetchGap | None, list[object]]:
    actions = d.feed(GapFailed(fetch.fill, error))
    retry = [a for a in d.advance(60) if isinstance(a, FetchGap)]
    return (retry[0] if retry else None), actions


def test_a_gap_fill_failing_the_same_way_gives_up_with_the_last_error() -> None:
    d = Driver(
        EventStreamConfig(gap_fill_attempts=3, heartbeat_interval=300, heartbeat_timeout=300), after="id-0"
    )
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    refused = ValidationError("bad", code="ValidationException", status_code=400)
    assert isinstance(fetch, FetchGap)
    # a different failure in between starts the count again
    fetch, _ = _fail_fill(d, fetch, refused)
    assert fetch is not None
    fetch, _ = _fail_fill(
        d, fetch, ResourceNotFoundError("gone", code="ResourceNotFoundException", status_code=404)
    )
    assert fetch is not None
    fetch, _ = _fail_fill(d, fetch, refused)
    assert fetch is not None
    fetch, _ = _fail_fill(d, fetch, refused)
    assert fetch is not None
    _, actions = _fail_fill(d, fetch, refused)
    (fail,) = [a for a in actions if isinstance(a, Fail)]
    assert isinstance(fail.error, GapFillError)
    assert (fail.error.code, fail.error.status_code) == ("GapFillFailed", 400)
    assert fail.error.__cause__ is refused
    assert "3 attempts in a row failed with ValidationError" in fail.error.message
    assert d.p.finished


POSITIVE = ("heartbeat_interval", "heartbeat_timeout", "open_timeout", "subscribe_timeout", "url_fresh_for",
            "url_connect_window", "max_socket_age", "backoff_cap")  # fmt: skip
NON_NEGATIVE = ("subscribe_retry_delay", "rollover_lead", "first_retry_delay", "backoff_base", "stable_after")
COUNTS = ("subscribe_attempts", "subscribe_refusals", "gap_fill_limit", "gap_fill_attempts", "dedupe_window")


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [(n, v, "must be a finite number > 0") for n in POSITIVE for v in (0, -1, float("inf"), True, "1")]
    + [
        (n, v, "must be a finite number >= 0")
        for n in NON_NEGATIVE
        for v in (-0.001, float("inf"), True, "1")
    ]
    + [("backoff_jitter", v, "must be a number >= 0 and < 1") for v in (-0.1, 1, 1.5, True, "0")]
    + [(n, v, "must be an int >= 1") for n in COUNTS for v in (0, 1.0, True, "2")],
)
def test_every_config_value_is_checked_and_named(name: str, value: object, rule: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        EventStreamConfig(**{name: value})
    assert (caught.value.argument, caught.value.rule) == (name, rule)


@pytest.mark.parametrize("name", [*NON_NEGATIVE, "backoff_jitter"])
def test_zero_is_allowed_where_the_rule_says_so(name: str) -> None:
    assert getattr(EventStreamConfig(**{name: 0}), name) == 0
    assert EventStreamConfig(gap_fill_attempts=1, heartbeat_interval=0.001).gap_fill_attempts == 1
