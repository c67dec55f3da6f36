"""The protocol's part in live streams and in an I/O shell that fails unexpectedly (pure, on a fake
clock): ``live`` once a subscription is acknowledged; a streamed answer that arrives during the
first gap fill keeps every chunk (the transcript's completed copy no longer makes them stale);
unexpected I/O errors are losses, and ``unexpected_error_limit`` of them in a row end the stream
with ``EventStreamError``; a closed client ends the stream quietly."""

from __future__ import annotations

from typing import Any

import pytest
from connect_participant import ClientClosedError, EventStreamError, InvalidInputError, Item, Message
from connect_participant._errors import InternalServerError
from connect_participant._ws_protocol import (
    PING,
    Closed,
    CloseSocket,
    EventStreamConfig,
    Fail,
    FetchGap,
    FetchUrl,
    FrameIn,
    GapFailed,
    GapReady,
    Opened,
    OpenFailed,
    OpenSocket,
    SendFrame,
    UrlFailed,
)
from test_events_protocol import ACK, FAST, HB_REPLY, Driver, chat_frame, emitted, item

PONG = '{"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"}'


class Boom(Exception):
    pass


def chunk(n: int, number: int | None, text: str) -> dict[str, Any]:
    """A streamed answer's item: chunk ``number`` (``None``: the completed message)."""
    meta: dict[str, Any] = {"MessageCompleted": number is None}
    if number is not None:
        meta["ChunkNumber"] = number
    return item(n, Content=text, MessageMetadata=meta)


def test_live_once_the_subscription_is_acknowledged() -> None:
    d = Driver(since=None)
    sock = d.connect()
    assert not d.p.live
    d.feed(FrameIn(sock, ACK))
    assert d.p.live
    d.feed(Closed(sock))
    assert d.p.live  # it was live: what is sent after a drop comes back through the fill


def test_a_streamed_answer_during_the_first_fill_keeps_every_chunk() -> None:
    from datetime import UTC, datetime

    d = Driver(since=datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    parts = ["a", "b", "c"]
    held = [chunk(5, n, p) for n, p in enumerate(parts, 1)] + [chunk(5, None, "abc")]
    typing = item(6, "TYPING", "application/vnd.amazonaws.connect.event.typing")
    for raw in [held[0], typing, *held[1:]]:
        assert d.feed(FrameIn(sock, chat_frame(raw))) == []  # held while the fill runs
    # the transcript by then: an older message and the completed answer only
    for raw in (chunk(5, None, "abc"), item(4)):
        fetch.fill.offer(Item(raw))
    assert d.feed(GapReady(fetch.fill)) == [SendFrame(sock, PING)]  # ahead of the socket: wait for it
    assert emitted(d.feed(FrameIn(sock, PONG))) == []  # the subscription's ping
    out = emitted(d.feed(FrameIn(sock, PONG)))  # the fill's: everything before it is here
    shown = [(e.id, e.chunk_number if isinstance(e, Message) else None, e.is_update) for e in out]
    assert shown == [
        ("id-4", None, False),
        ("id-5", 1, False),
        ("id-5", 2, True),
        ("id-5", 3, True),
        ("id-5", None, True),  # completed
        ("id-6", None, False),  # the typing, after the answer it came between
    ]
    assert d.p.stats["duplicates"] == 1  # the transcript's copy of the completed answer


def test_unexpected_io_errors_are_losses_until_too_many_in_a_row() -> None:
    d = Driver(EventStreamConfig(unexpected_error_limit=3, first_retry_delay=0.1, backoff_base=0.1))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    boom = Boom("injected")
    actions = d.feed(Closed(sock, None, boom))  # a live socket's reader died: reconnect
    assert not any(isinstance(a, Fail) for a in actions)
    opened = [a for a in d.advance(1.0) if isinstance(a, OpenSocket)]
    assert opened
    d.feed(OpenFailed(opened[0].sock, None, boom))  # 2 in a row
    actions = d.advance(5.0)
    assert [a for a in actions if isinstance(a, FetchUrl)]  # a URL that did not open is not reused
    failed = d.feed(UrlFailed(boom))  # 3 in a row (not an SDK error: unexpected too)
    (fail,) = [a for a in failed if isinstance(a, Fail)]
    assert isinstance(fail.error, EventStreamError)
    assert (fail.error.code, fail.error.__cause__) == ("StreamFailed", boom)
    assert "3 times in a row" in fail.error.message
    assert d.p.finished


def test_an_ordinary_loss_resets_the_count_of_unexpected_errors() -> None:
    d = Driver(EventStreamConfig(unexpected_error_limit=2, first_retry_delay=0.1, backoff_base=0.1))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    for n in range(4):
        failed = d.feed(Closed(sock, None, Boom()) if n % 2 == 0 else Closed(sock, 1006))
        assert not any(isinstance(a, Fail) for a in failed), n
        (opened,) = [a for a in d.advance(5.0) if isinstance(a, OpenSocket)]
        d.live(opened.sock)
        sock = opened.sock
    assert not d.p.finished


def test_the_end_of_a_socket_given_up_already_counts_for_nothing() -> None:
    d = Driver(EventStreamConfig(unexpected_error_limit=1))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.p.close()
    assert CloseSocket(sock) in d.take()
    assert d.feed(Closed(sock, None, Boom())) == []  # finished: nothing more


@pytest.mark.parametrize("where", ["url", "fill"])
def test_a_closed_client_ends_the_stream_quietly(where: str) -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, chat_frame(item(1))))  # held behind the fill
    if where == "fill":
        actions = d.feed(GapFailed(fetch.fill, ClientClosedError()))
    else:
        d.feed(GapReady(fetch.fill))
        d.feed(OpenFailed(sock, 403))  # a refused socket: a new URL is fetched
        d.take()
        actions = d.feed(UrlFailed(ClientClosedError()))
    assert not any(isinstance(a, Fail) for a in actions)
    assert d.p.finished


def test_a_transient_failure_is_not_an_unexpected_error() -> None:
    d = Driver(EventStreamConfig(unexpected_error_limit=1, first_retry_delay=0.1, backoff_base=0.1))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(OpenFailed(sock))
    for _ in range(3):
        d.advance(5.0)
        d.feed(UrlFailed(InternalServerError("x", code="InternalServerException", status_code=500)))
    assert not d.p.finished


@pytest.mark.parametrize("value", [0, -1, float("inf"), True, "10"])
def test_live_timeout_is_checked(value: object) -> None:
    with pytest.raises(InvalidInputError, match="live_timeout"):
        EventStreamConfig(live_timeout=value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 1.5, True])
def test_unexpected_error_limit_is_checked(value: object) -> None:
    with pytest.raises(InvalidInputError, match="unexpected_error_limit"):
        EventStreamConfig(unexpected_error_limit=value)  # type: ignore[arg-type]


def test_a_fill_ahead_of_the_socket_waits_for_it_at_most_a_heartbeat_timeout() -> None:
    from datetime import UTC, datetime

    d = Driver(since=datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    fetch.fill.offer(Item(chunk(5, None, "abc")))  # completed before the stream: no chunk will come
    d.feed(GapReady(fetch.fill))
    assert emitted(d.advance(FAST.heartbeat_timeout - 0.1)) == []
    out = emitted(d.advance(0.2))  # no answer to the ping: applied anyway (the socket is then failed)
    assert [(e.id, e.completed) for e in out] == [("id-5", True)]


def test_a_fill_waiting_for_a_lost_socket_is_applied_at_once() -> None:
    from datetime import UTC, datetime

    d = Driver(since=datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, chat_frame(chunk(5, 1, "a"))))  # held
    fetch.fill.offer(Item(chunk(5, None, "ab")))
    d.feed(GapReady(fetch.fill))
    out = emitted(d.feed(Closed(sock)))
    assert [(e.id, e.chunk_number, e.is_update) for e in out] == [("id-5", 1, False), ("id-5", None, True)]


def test_a_fill_waiting_for_the_socket_is_applied_before_a_refused_rollover_ends_the_stream() -> None:
    from connect_participant import AccessDeniedError
    from connect_participant._events import RemovedFromChat

    d = Driver(
        EventStreamConfig(max_socket_age=30, heartbeat_interval=100, heartbeat_timeout=100), after="id-0"
    )
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    fetch.fill.offer(Item(chunk(5, None, "abc")))
    fetch.fill.offer(Item(item(0)))
    d.feed(GapReady(fetch.fill))  # waits for the socket to catch up
    assert [a for a in d.advance(31) if isinstance(a, FetchUrl)]  # time to roll over
    out = emitted(d.feed(UrlFailed(AccessDeniedError("gone", code="AccessDeniedException", status_code=403))))
    assert [type(e) for e in out] == [Message]  # the fill first; the live socket is read on a while
    out = emitted(d.advance(EventStreamConfig().refusal_grace))
    assert [type(e) for e in out] == [RemovedFromChat]


# --- the unexpected-error count, field by field (found by make mutate) ---------------------------


def _counting(limit: int) -> tuple[Driver, int]:
    d = Driver(
        EventStreamConfig(
            unexpected_error_limit=limit,
            heartbeat_interval=10,
            heartbeat_timeout=10,
            first_retry_delay=0.1,
            backoff_base=0.1,
        )
    )
    assert d.p.live is False  # before anything: not live,
    assert d.p.last_failure is None  # and no failure
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    return d, sock


def _reopened(d: Driver, actions: list[Any]) -> int:
    (opened,) = [a for a in actions if isinstance(a, OpenSocket)]
    d.live(opened.sock)
    return opened.sock


def _silent_until_reopened(d: Driver, sock: int) -> list[Any]:
    """Answer no heartbeat: time passes until ``sock`` is given up and another one is opened."""
    actions: list[Any] = []
    while not any(isinstance(a, OpenSocket) for a in actions):
        actions += d.advance(0.5)
        assert len(actions) < 20
    assert CloseSocket(sock) in actions
    return actions


def test_an_unexpected_error_is_logged_by_its_type_and_the_last_one_named_in_the_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    d, sock = _counting(2)
    with caplog.at_level("WARNING", logger="connect_participant.events"):
        d.feed(Closed(sock, None, Boom("no secrets here")))
    assert [r.getMessage() for r in caplog.records] == [
        "events stream: unexpected Boom in its I/O; treated as a lost connection"
    ]
    sock = _reopened(d, d.advance(5.0))
    (fail,) = [a for a in d.feed(Closed(sock, None, KeyError("k"))) if isinstance(a, Fail)]
    assert (
        fail.error.message == "the events stream's I/O failed unexpectedly 2 times in a row (last: KeyError)"
    )


def test_the_last_failure_to_connect_is_kept_for_the_never_live_error() -> None:
    d, sock = _counting(5)
    d.feed(Closed(sock, None, Boom()))
    (opened,) = [a for a in d.advance(5.0) if isinstance(a, OpenSocket)]
    boom = Boom("open")
    d.feed(OpenFailed(opened.sock, None, boom))
    assert d.p.last_failure is boom
    d.advance(5.0)  # a new URL is asked for
    refused = InternalServerError("x", code="InternalServerException", status_code=500)
    d.feed(UrlFailed(refused))
    assert d.p.last_failure is refused


def test_a_refused_url_resets_the_count_of_unexpected_errors() -> None:
    d, sock = _counting(3)
    d.feed(Closed(sock, None, Boom()))  # 1
    (opened,) = [a for a in d.advance(5.0) if isinstance(a, OpenSocket)]
    d.feed(OpenFailed(opened.sock, None, Boom()))  # 2
    d.advance(5.0)
    d.feed(UrlFailed(InternalServerError("x", code="InternalServerException", status_code=500)))  # 0
    for _ in range(2):  # 1, 2: still under the limit
        assert [a for a in d.advance(5.0) if isinstance(a, FetchUrl)]
        assert not [a for a in d.feed(UrlFailed(Boom())) if isinstance(a, Fail)]
    assert not d.p.finished


def test_a_heartbeat_timeout_resets_the_count_of_unexpected_errors() -> None:
    d, sock = _counting(2)
    d.feed(Closed(sock, None, Boom()))  # 1
    sock = _reopened(d, d.advance(5.0))
    sock = _reopened(d, _silent_until_reopened(d, sock))  # lost the ordinary way (0)
    assert not [a for a in d.feed(Closed(sock, None, Boom())) if isinstance(a, Fail)]  # 1
    assert not d.p.finished


def test_the_end_of_a_socket_dropped_already_is_no_unexpected_error() -> None:
    d, sock = _counting(1)
    _silent_until_reopened(d, sock)
    assert not [a for a in d.feed(Closed(sock, None, Boom())) if isinstance(a, Fail)]
    assert not [a for a in d.feed(OpenFailed(sock, None, Boom())) if isinstance(a, Fail)]
    assert not d.p.finished


def test_a_finished_rollover_resets_the_count_of_unexpected_errors() -> None:
    d = Driver(
        EventStreamConfig(
            max_socket_age=60, heartbeat_interval=10, unexpected_error_limit=2, first_retry_delay=0.1
        )
    )
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    for _ in range(6):
        d.feed(FrameIn(sock, HB_REPLY))
        actions = d.advance(10)
    assert actions[-1] == FetchUrl()
    (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    d.feed(OpenFailed(opened.sock, None, Boom()))  # the rollover's socket: 1 unexpected error
    new: list[Any] = []
    while not new:
        d.feed(FrameIn(sock, HB_REPLY))
        actions = d.advance(1)
        if FetchUrl() in actions:
            actions += d.url()
        new = [a for a in actions if isinstance(a, OpenSocket)]
        assert d.now < 2000
    d.feed(Opened(new[0].sock))
    assert CloseSocket(sock) in d.feed(FrameIn(new[0].sock, ACK))  # rolled over: the count is 0
    assert not [a for a in d.feed(Closed(new[0].sock, None, Boom())) if isinstance(a, Fail)]  # 1
    assert not d.p.finished
