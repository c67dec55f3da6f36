"""Events protocol edges the main tests left open (found by ``make mutate``): the waits after a
failed rollover and a failed gap fill (and that they grow, and start over after a success), the
reason a refused stream ends with, the stream's counters, subscription refusals, URL freshness
and socket-lifetime boundaries, sockets the protocol gave up on, and what a fill holds back."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from connect_participant import InvalidInputError, Item
from connect_participant._errors import (
    AccessDeniedError,
    InternalServerError,
    ParticipantServiceError,
    ResourceNotFoundError,
    ValidationError,
)
from connect_participant._events import ChatEnded, Message, Typing
from connect_participant._secrets import Secret
from connect_participant._ws_protocol import (
    HEARTBEAT,
    PING,
    SUBSCRIBE,
    Action,
    Closed,
    CloseSocket,
    EventStreamConfig,
    EventStreamProtocol,
    Fail,
    FetchGap,
    FetchUrl,
    FrameIn,
    GapFailed,
    GapFillError,
    GapReady,
    Opened,
    OpenFailed,
    OpenSocket,
    SendFrame,
    UrlFailed,
    UrlReady,
    seconds_until,
)
from test_events_protocol import (
    ACK,
    EV,
    HB_REPLY,
    NACK,
    T0,
    Driver,
    attachment,
    chat_frame,
    chunk,
    emitted,
    ids,
    item,
    reconnect,
)

DEFAULTS = EventStreamConfig()
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
    assert emitted(d.feed(GapFailed(fetch.fill, DENIED))) == []  # the socket is read on a while
    (event,) = emitted(d.advance(EventStreamConfig().refusal_grace))
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
NON_NEGATIVE = ("subscribe_retry_delay", "rollover_lead", "first_retry_delay", "backoff_base", "stable_after",
                "refusal_grace")  # fmt: skip
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


# --- the counters users read as ``stream.stats`` -------------------------------------------------


def _fill_with(d: Driver, fetch: FetchGap, raws: list[dict[str, object]]) -> list[Action]:
    """Offer the transcript (newest first) until the fill says stop; hand the fill back."""
    for raw in raws:
        if not fetch.fill.offer(Item(raw)):
            break
    return d.feed(GapReady(fetch.fill))


def test_stats_count_sockets_drops_fills_duplicates_updates_and_skipped_frames() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, HB_REPLY))
    for wait in (1.0, 2.0):  # two failed reads of the transcript
        d.feed(GapFailed(fetch.fill, SERVER_ERROR))
        (fetch,) = [a for a in d.advance(wait) if isinstance(a, FetchGap)]
    out = _fill_with(d, fetch, [item(2), item(1), {"Id": "id-0"}])  # fill 1: two items
    for raw in (item(2), attachment(3, "IN_PROGRESS"), attachment(3, "APPROVED"), attachment(4, "IN_PROGRESS"),
                attachment(4, "APPROVED")):  # fmt: skip
        out += d.feed(FrameIn(sock, chat_frame(raw)))
    for junk in ('{"topic":"aws/chat","content":"[1]"}', '{"topic":"aws/chat","content":null}'):
        out += d.feed(FrameIn(sock, junk))
    d.feed(FrameIn(sock, HB_REPLY))
    sock, fetch = reconnect(d, sock)  # drop 1
    out += _fill_with(d, fetch, [item(5), attachment(4, "APPROVED"), item(2)])  # fill 2: one item
    out += d.feed(FrameIn(sock, chat_frame(item(5))))  # a duplicate
    d.feed(FrameIn(sock, HB_REPLY))
    reconnect(d, sock)  # drop 2; its fill is still running
    assert ids(out) == ["id-1", "id-2", "id-3", "id-3", "id-4", "id-4", "id-5"]
    assert d.p.stats == {"sockets": 3, "drops": 2, "rollovers": 0, "gap_fills": 2, "filled": 3, "duplicates": 2,
                         "updates": 2, "skipped": 2, "gap_fill_failures": 2, "refusals": 0}  # fmt: skip


def _keep_alive(d: Driver, sock: int, seconds: float) -> list[Action]:
    """Let ``seconds`` pass, the socket answering every heartbeat."""
    out: list[Action] = []
    for _ in range(round(seconds)):
        d.feed(FrameIn(sock, HB_REPLY))
        out += d.advance(1.0)
    return out


def test_rollovers_are_counted_and_each_one_backs_off_from_the_first_step() -> None:
    d = Driver(EventStreamConfig(max_socket_age=20))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    for _ in range(2):
        assert _fetches(_keep_alive(d, sock, 20)) == 1  # time to roll over
        d.feed(FrameIn(sock, HB_REPLY))
        assert d.feed(UrlFailed(SERVER_ERROR)) == []
        # the first failure of this rollover: 1 s (a success before does not make it 2 s)
        assert _fetches(d.advance(0.9)) == 0
        assert _fetches(d.advance(0.2)) == 1
        (opened,) = d.url()
        assert isinstance(opened, OpenSocket)
        actions = d.live(opened.sock)
        assert CloseSocket(sock) in actions
        (fetch,) = [a for a in actions if isinstance(a, FetchGap)]
        d.feed(GapReady(fetch.fill))
        sock = opened.sock
    assert (d.p.stats["sockets"], d.p.stats["rollovers"], d.p.stats["drops"]) == (3, 2, 0)


# --- subscribing --------------------------------------------------------------------------------


def test_subscription_refusals_are_retried_up_to_the_limit_with_a_full_set_of_sends_each() -> None:
    d = Driver(EventStreamConfig(subscribe_refusals=2, subscribe_attempts=3))
    sock = d.connect()
    assert d.feed(FrameIn(sock, NACK)) == []
    assert d.p.next_deadline() == pytest.approx(d.now + 0.5)  # subscribe_retry_delay
    assert d.advance(0.5) == [SendFrame(sock, SUBSCRIBE)]
    # after a refusal the unanswered subscription gets subscribe_attempts sends again
    assert d.advance(1.0) == [SendFrame(sock, SUBSCRIBE)]
    assert d.advance(1.0) == [SendFrame(sock, SUBSCRIBE)]
    assert d.advance(1.0) == [CloseSocket(sock)]
    (opened,) = d.advance(1.0)
    assert isinstance(opened, OpenSocket)
    sock = opened.sock
    d.feed(Opened(sock))
    # refused twice more (an answer whose content is no object with a status refuses too), each retried
    for refusal in (NACK, json.dumps({"topic": "aws/subscribe", "content": "success"})):
        assert d.feed(FrameIn(sock, refusal)) == []
        assert d.advance(0.5) == [SendFrame(sock, SUBSCRIBE)]
    assert d.feed(FrameIn(sock, NACK)) == [CloseSocket(sock)]  # the third: past subscribe_refusals
    # a second failed attempt in a row: the next one waits 2 s
    assert not [a for a in d.advance(1.9) if isinstance(a, OpenSocket)]
    assert [a for a in d.advance(0.2) if isinstance(a, OpenSocket)]


def test_items_before_the_first_acknowledgement_are_delivered_after_it_in_order() -> None:
    d = Driver()
    sock = d.connect()
    assert d.feed(FrameIn(sock, chat_frame(item(1)))) == []
    assert d.feed(FrameIn(sock, chat_frame(item(2)))) == []
    actions = d.feed(FrameIn(sock, ACK))
    assert actions[:2] == [SendFrame(sock, HEARTBEAT), SendFrame(sock, PING)]
    assert ids(actions) == ["id-1", "id-2"]


def test_a_protocol_without_a_config_uses_the_defaults() -> None:
    p = EventStreamProtocol()
    p.start(0.0)
    assert p.drain() == [FetchUrl()]
    url = Secret("wss://example.invalid/ws?X-Amz-Signature=d")
    p.handle(0.0, UrlReady(url, 0.0, 100.0))
    (opened,) = p.drain()
    assert opened == OpenSocket(opened.sock, url)  # the URL just fetched
    assert p.next_deadline() == 5.0  # open_timeout
    p.handle(0.0, Opened(opened.sock))
    assert p.next_deadline() == 1.0  # subscribe_timeout


# --- URLs and socket lifetimes ------------------------------------------------------------------


HELD = Secret("wss://x/?a=1")


def _start_with(config: EventStreamConfig, age: float, expires_in: float | None) -> list[Action]:
    """Start a stream holding a URL received ``age`` seconds ago; what it does first."""
    d = Driver(config)
    d.p.offer_url(HELD, received_at=d.now - age, expires_in=expires_in)
    d.p.start(d.now)
    return d.take()


@pytest.mark.parametrize(
    ("age", "expires_in", "reused"),
    [
        (84.9, None, True),
        (85.0, None, False),  # url_fresh_for: only while younger
        (84.9, 0, True),  # an expiry at the moment it was received tells nothing: the age counts
        (0.5, 1, True),  # a connect deadline 1 s away: 85 % of it
        (0.9, 1, False),
        (84.9, 105, True),  # a connect deadline (up to 5 s past the 100 s window): 85 s still
    ],
)
def test_a_held_url_is_reused_only_while_fresh(age: float, expires_in: float | None, reused: bool) -> None:
    (first,) = _start_with(DEFAULTS, age, expires_in)
    if reused:
        assert isinstance(first, OpenSocket)
        assert first.url == HELD
    else:
        assert first == FetchUrl()


def test_a_held_url_is_never_trusted_past_its_expiry_whatever_url_fresh_for() -> None:
    generous = EventStreamConfig(url_fresh_for=150, url_connect_window=100)
    assert isinstance(_start_with(generous, 49, 50)[0], OpenSocket)
    assert _start_with(generous, 51, 50) == [FetchUrl()]


def _rollover_at(config: EventStreamConfig, expires_in: float, horizon: float) -> float | None:
    """Seconds from the URL to the rollover's FetchUrl (``None``: none within ``horizon``)."""
    d = Driver(config)
    d.p.start(d.now)
    d.take()
    start = d.now
    (opened,) = d.url(expires_in=expires_in)
    assert isinstance(opened, OpenSocket)
    d.live(opened.sock)
    while True:
        d.feed(FrameIn(opened.sock, HB_REPLY))
        deadline = d.p.next_deadline()
        assert deadline is not None
        if deadline - start > horizon:
            return None
        if FetchUrl() in d.advance(deadline - d.now):
            return round(deadline - start, 6)


@pytest.mark.parametrize("expires_in", [100, 105])
def test_an_expiry_within_the_connect_window_is_no_socket_lifetime(expires_in: float) -> None:
    assert _rollover_at(DEFAULTS, expires_in, horizon=120) is None


def test_an_expiry_past_the_connect_window_is_the_socket_lifetime() -> None:
    assert _rollover_at(DEFAULTS, 106, horizon=120) == 46.0  # rollover_lead (60 s) before it
    assert _rollover_at(DEFAULTS, 1800, horizon=1800) == 1740.0
    # a rollover_lead longer than the lifetime: 1 s after the subscription, not at once
    assert _rollover_at(EventStreamConfig(rollover_lead=200), 120, horizon=10) == 1.0


# --- sockets the protocol let go of -------------------------------------------------------------


def test_news_of_a_socket_already_given_up_on_changes_nothing() -> None:
    d = Driver()
    sock = d.connect()
    assert d.advance(3.0)[-1] == CloseSocket(sock)  # never acknowledged
    deadline = d.p.next_deadline()
    for late in (OpenFailed(sock, 403), Closed(sock, 1006), FrameIn(sock, ACK)):
        assert d.feed(late) == []
    assert d.p.next_deadline() == deadline  # not counted as another failure
    d.p.close()
    d.take()
    assert d.feed(Opened(99)) == [CloseSocket(99)]  # opened after the stream was closed


def test_after_a_clean_close_the_stream_waits_only_for_the_new_socket() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, HB_REPLY))
    assert [a for a in d.feed(Closed(sock, 1000)) if isinstance(a, OpenSocket)]
    assert d.p.next_deadline() == pytest.approx(d.now + 5.0)  # its open_timeout
    assert d.advance(4.9) == []


def test_a_socket_subscribed_for_stable_after_is_healthy_without_a_heartbeat_answer() -> None:
    d = Driver(EventStreamConfig(stable_after=5, heartbeat_interval=100, heartbeat_timeout=100))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.advance(5.0)
    d.feed(Closed(sock))
    assert d.p.next_deadline() == pytest.approx(d.now + 0.25)  # the quick first retry


def _rollover_due(*delivered: dict[str, object]) -> tuple[Driver, int]:
    """A stream whose socket, after ``delivered``, reached max_socket_age: its rollover fetches a URL."""
    d = Driver(EventStreamConfig(max_socket_age=20))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    for raw in delivered:
        d.feed(FrameIn(sock, chat_frame(raw)))
    assert _fetches(_keep_alive(d, sock, 20)) == 1
    return d, sock


def test_a_rollover_socket_that_fails_to_open_leaves_the_old_one_serving() -> None:
    d, sock = _rollover_due()
    (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    assert d.feed(OpenFailed(opened.sock, 403)) == []
    assert ids(d.feed(FrameIn(sock, chat_frame(item(1))))) == ["id-1"]
    d.feed(FrameIn(sock, HB_REPLY))
    assert _fetches(d.advance(0.9)) == 0  # tried again after the backoff, on a new URL
    assert _fetches(d.advance(0.2)) == 1


def test_the_primary_lost_while_the_rollover_url_is_on_its_way() -> None:
    d, sock = _rollover_due(item(1))
    assert d.feed(Closed(sock)) == []  # no second fetch: the one on its way serves the reconnect
    assert d.advance(5.0) == []
    (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    (fetch,) = [a for a in d.live(opened.sock) if isinstance(a, FetchGap)]
    assert ids(_fill_with(d, fetch, [item(2), item(1)])) == ["id-2"]


def test_the_primary_lost_while_the_rollover_socket_opens_hands_over_without_a_new_socket() -> None:
    d, sock = _rollover_due()
    (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    d.feed(Closed(sock))
    assert d.advance(2.0) == []  # the rollover socket takes over
    actions = d.live(opened.sock)
    assert [a for a in actions if isinstance(a, FetchGap)]
    assert d.p.stats["sockets"] == 2


# --- gap fills ----------------------------------------------------------------------------------


def test_items_arriving_after_a_failed_fill_wait_for_the_retry() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    d.feed(GapFailed(fetch.fill, SERVER_ERROR))
    assert d.feed(FrameIn(sock, chat_frame(item(3)))) == []  # held: items 1 and 2 are missing
    (retry,) = [a for a in d.advance(1.0) if isinstance(a, FetchGap)]
    assert ids(_fill_with(d, retry, [item(3), item(2), item(1), {"Id": "id-0"}])) == ["id-1", "id-2", "id-3"]


def test_a_fill_that_succeeds_starts_the_waits_and_the_count_of_failures_over() -> None:
    d = Driver(
        EventStreamConfig(gap_fill_attempts=2, heartbeat_interval=300, heartbeat_timeout=300), after="id-0"
    )
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    refused = ValidationError("bad", code="ValidationException", status_code=400)
    d.feed(GapFailed(fetch.fill, refused))
    (fetch,) = [a for a in d.advance(1.0) if isinstance(a, FetchGap)]
    _fill_with(d, fetch, [item(1), {"Id": "id-0"}])
    sock, fetch = reconnect(d, sock)
    assert not [a for a in d.feed(GapFailed(fetch.fill, refused)) if isinstance(a, Fail)]  # one in a row
    assert not [a for a in d.advance(0.9) if isinstance(a, FetchGap)]  # 1 s again, not 2 s
    (fetch,) = [a for a in d.advance(0.2) if isinstance(a, FetchGap)]
    assert ids(_fill_with(d, fetch, [item(2), item(1)])) == ["id-2"]


def test_a_fill_failing_outside_the_service_gives_up_too() -> None:
    d = Driver(
        EventStreamConfig(gap_fill_attempts=2, heartbeat_interval=300, heartbeat_timeout=300), after="id-0"
    )
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    # failures of different kinds in a row do not add up, whatever they are
    for error in (ValueError("a page"), TypeError("a page"), ParticipantServiceError("x", code="OneException", status_code=400),
                  ParticipantServiceError("x", code="OtherException", status_code=400)):  # fmt: skip
        assert not [a for a in d.feed(GapFailed(fetch.fill, error)) if isinstance(a, Fail)]
        (fetch,) = [a for a in d.advance(60) if isinstance(a, FetchGap)]
    unreadable = ValueError("an answer that is not JSON")
    d.feed(GapFailed(fetch.fill, unreadable))
    (fetch,) = [a for a in d.advance(60) if isinstance(a, FetchGap)]
    (fail,) = [a for a in d.feed(GapFailed(fetch.fill, unreadable)) if isinstance(a, Fail)]
    assert isinstance(fail.error, GapFillError)
    assert (fail.error.code, fail.error.status_code, fail.error.__cause__) == (
        "GapFillFailed",
        None,
        unreadable,
    )
    assert "2 attempts in a row failed with ValueError" in fail.error.message


def test_what_a_fill_holds_back_survives_another_socket_taking_over() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = d.feed(FrameIn(sock, chat_frame(item(1))))
    sock2, fetch1 = reconnect(d, sock)
    typing = {"Type": "TYPING", "ContentType": EV + "typing", "AbsoluteTime": "2026-11-26T15:00:03Z",
              "ParticipantRole": "AGENT"}  # fmt: skip
    assert d.feed(FrameIn(sock2, chat_frame(typing))) == []  # held (the socket's only: no transcript copy)
    d.feed(Closed(sock2))
    (opened,) = [a for a in d.advance(2.0) if isinstance(a, OpenSocket)]
    d.feed(Opened(opened.sock))
    d.feed(FrameIn(opened.sock, chat_frame(item(5))))  # before the acknowledgement
    d.feed(FrameIn(opened.sock, ACK))
    actions = _fill_with(d, fetch1, [item(2), item(1)])
    out += actions
    (fetch2,) = [a for a in actions if isinstance(a, FetchGap)]
    out += _fill_with(d, fetch2, [item(5), item(4), item(2)])
    events = emitted(out)
    assert [type(e) for e in events] == [Message, Message, Message, Message, Typing]
    assert ids(out) == ["id-1", "id-2", "id-4", "id-5", None]


def test_reading_back_to_an_unsettled_item_skips_what_the_stream_never_delivered() -> None:
    # a stream with no starting point joins while a bot streams message 1: its second chunk is
    # the first thing delivered; message 2 was sent before the stream started
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = d.feed(FrameIn(sock, chat_frame(chunk(1, 2, "lo"))))
    out += d.feed(FrameIn(sock, chat_frame(item(3))))
    sock, fetch = reconnect(d, sock)
    transcript = [item(4), item(3), item(2), chunk(1, None, "Hello"), item(0)]
    assert [fetch.fill.offer(Item(raw)) for raw in transcript[:4]] == [True, True, True, False]
    # the fill holds a completed streamed answer: applied once the socket caught up with it
    # (the ping sent with the fill's answer answered; the subscription's own ping first)
    assert emitted(d.feed(GapReady(fetch.fill))) == []
    assert emitted(d.feed(FrameIn(sock, PONG))) == []
    out += d.feed(FrameIn(sock, PONG))
    assert [(e.id, e.is_update) for e in emitted(out)] == [
        ("id-1", False),
        ("id-3", False),
        ("id-1", True),
        ("id-4", False),
    ]


def test_a_page_is_offered_item_by_item_and_says_whether_to_read_the_next() -> None:
    d = Driver(after="id-2")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    assert fetch.fill.offer_all([Item(item(5)), Item(item(4))])
    assert not fetch.fill.offer_all([Item(item(3)), Item(item(2)), Item(item(1))])
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-3", "id-4", "id-5"]


def test_a_fill_since_a_time_reads_a_time_without_a_zone_as_utc() -> None:
    d = Driver(since=T0 + timedelta(seconds=3))
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    zoneless = [dict(item(n), AbsoluteTime=(T0 + timedelta(seconds=n)).replace(tzinfo=None).isoformat())
                for n in (4, 3, 2)]  # fmt: skip
    assert [fetch.fill.offer(Item(raw)) for raw in zoneless] == [True, True, False]
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-3", "id-4"]


PONG = '{"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"}'


# --- odds and ends ------------------------------------------------------------------------------


def test_seconds_until_a_connection_expiry() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert seconds_until(None, now) is None
    assert seconds_until(now + timedelta(seconds=90), now) == 90.0
    assert seconds_until(now - timedelta(seconds=5), now) == -5.0


def test_a_chat_frame_that_holds_no_item_is_logged_without_its_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    with caplog.at_level(logging.WARNING, logger="connect_participant.events"):
        assert d.feed(FrameIn(sock, '{"topic":"aws/chat","content":"[\\"s3cr3t\\"]"}')) == []
    (record,) = caplog.records
    assert (record.name, record.levelno) == ("connect_participant.events", logging.WARNING)
    assert record.getMessage() == (
        "events stream: skipped an aws/chat frame whose content is not a JSON object"
    )
