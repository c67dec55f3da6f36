"""A refused transcript read (403) does not cut off the frames still on their way on the socket.

Found running contact flows on the emulator: a flow can end the chat within milliseconds of the
customer's subscription. The stream's first gap fill then reads the transcript of a chat that
has just ended and gets 403, while the flow's last message, ``participant.left`` and
``chat.ended`` are still on their way on the open, subscribed socket. The stream ended at once
with ``RemovedFromChat`` and dropped them. The rule now: with a subscribed socket, a 403 (on
the transcript, or on a new URL) makes the stream read that socket on, alone, until
``chat.ended`` comes (the usual end), the socket is lost, or ``refusal_grace`` passes (then
``RemovedFromChat``). Without a subscribed socket it ends at once, as before.
"""

from __future__ import annotations

from connect_participant import ChatEnded, Message, ParticipantLeft, RemovedFromChat
from connect_participant._errors import AccessDeniedError, InternalServerError
from connect_participant._models import Item
from connect_participant._ws_protocol import (
    Action,
    Closed,
    CloseSocket,
    EventStreamConfig,
    FetchGap,
    FetchUrl,
    FrameIn,
    GapFailed,
    GapReady,
    OpenSocket,
    UrlFailed,
)
from test_events_protocol import ACK, EV, FAST, HB_REPLY, Driver, chat_frame, emitted, ids, item, reconnect

DENIED = AccessDeniedError("no", code="AccessDeniedException", status_code=403)
SERVER_ERROR = InternalServerError("x", code="InternalServerException", status_code=500)
GRACE = FAST.refusal_grace


def left(n: int) -> dict[str, object]:
    return item(n, "EVENT", EV + "participant.left")


def ended(n: int) -> dict[str, object]:
    return item(n, "EVENT", EV + "chat.ended")


def refused_first_fill(config: EventStreamConfig = FAST) -> tuple[Driver, int, list[Action]]:
    """A stream that starts after ``id-0``: subscribed, its first fill refused (the chat just ended)."""
    d = Driver(config, after="id-0")
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    return d, sock, d.feed(GapFailed(fetch.fill, DENIED))


def asks(actions: list[Action]) -> list[Action]:
    """What the stream asks of the service: URLs, sockets, transcript reads."""
    return [a for a in actions if isinstance(a, FetchUrl | OpenSocket | FetchGap)]


def retried_fill_at_rollover() -> tuple[Driver, int, FetchGap]:
    """A stream whose first fill failed (500): its retry is still out when the socket's rollover
    asks for a URL (the URL request is on its way)."""
    d = Driver(
        EventStreamConfig(max_socket_age=30, heartbeat_interval=100, heartbeat_timeout=100), after="id-0"
    )
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    d.feed(GapFailed(fetch.fill, SERVER_ERROR))
    assert [a for a in d.advance(31) if isinstance(a, FetchUrl)]  # the fill retried meanwhile, and a rollover
    (retry,) = [a for a in d.log if isinstance(a, FetchGap) and a is not fetch]
    return d, sock, retry


def test_frames_after_a_refused_fill_are_all_delivered_and_the_stream_ends_with_the_chat() -> None:
    d, sock, actions = refused_first_fill()
    assert emitted(actions) == []
    assert not d.p.finished
    out: list[Action] = []
    for raw in (item(1), left(2), ended(3)):  # the flow's last message, its leaving, the end
        out += d.feed(FrameIn(sock, chat_frame(raw)))
    events = emitted(out)
    assert [(type(e), e.id) for e in events] == [
        (Message, "id-1"),
        (ParticipantLeft, "id-2"),
        (ChatEnded, "id-3"),
    ]
    assert events[-1].for_everyone  # the chat's own end, not a RemovedFromChat
    assert d.p.finished
    assert CloseSocket(sock) in out
    assert asks(d.log[-len(out) - len(actions) :]) == []  # no new URL, socket or read meanwhile
    assert d.p.stats["refusals"] == 1


def test_what_was_held_goes_out_first_each_item_once_in_order() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    assert d.feed(FrameIn(sock, chat_frame(item(1)))) == []  # held: the fill runs
    out = d.feed(GapFailed(fetch.fill, DENIED))
    assert ids(out) == ["id-1"]
    for raw in (item(1), item(2), item(2), left(3), ended(4)):  # repeats are dropped
        out += d.feed(FrameIn(sock, chat_frame(raw)))
    assert ids(out) == ["id-1", "id-2", "id-3", "id-4"]
    assert isinstance(emitted(out)[-1], ChatEnded)
    assert emitted(out)[-1].for_everyone
    assert d.p.stats["duplicates"] == 2


def test_a_silent_socket_ends_the_stream_with_removed_from_chat_after_the_grace() -> None:
    d, sock, _ = refused_first_fill(EventStreamConfig(refusal_grace=5.0, heartbeat_interval=2.0))
    assert d.p.next_deadline() is not None
    out: list[Action] = []
    for _ in range(4):  # the socket stays up and answers its heartbeats, but brings nothing
        out += d.advance(1.2)
        d.feed(FrameIn(sock, HB_REPLY))
    assert emitted(out) == []  # 4.8 s: still reading
    assert not d.p.finished
    assert asks(out) == []
    (event,) = emitted(d.advance(0.3))
    assert isinstance(event, RemovedFromChat)
    assert not event.for_everyone
    assert (
        event.item.content
        == "the service refused the transcript (403): the chat ended or the participant left"
    )
    assert d.p.finished
    assert CloseSocket(sock) in d.log
    assert d.p.next_deadline() is None


def test_the_grace_counts_from_the_first_refusal() -> None:
    """A second 403 while the socket is read on (a URL asked for before) does not extend it."""
    d = Driver(
        EventStreamConfig(max_socket_age=30, heartbeat_interval=100, heartbeat_timeout=100), after="id-0"
    )
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    d.feed(GapReady(fetch.fill))
    assert [a for a in d.advance(31) if isinstance(a, FetchUrl)]  # a rollover's URL is on its way
    assert emitted(d.feed(UrlFailed(DENIED))) == []
    d.advance(GRACE - 0.5)
    assert emitted(d.feed(UrlFailed(DENIED))) == []
    assert d.p.stats["refusals"] == 1
    (event,) = emitted(d.advance(0.6))
    assert isinstance(event, RemovedFromChat)
    assert (
        event.item.content
        == "the service refused a new connection (403): the chat ended or the participant left"
    )
    assert CloseSocket(sock) in d.log


def test_a_socket_closed_after_a_refusal_ends_the_stream_at_once_without_reconnecting() -> None:
    for close in (Closed(1, 1000), Closed(1, 1001), Closed(1, None)):
        d, sock, _ = refused_first_fill()
        assert sock == close.sock
        out = d.feed(FrameIn(sock, chat_frame(item(1))))
        out += d.feed(close)
        events = emitted(out)
        assert [type(e) for e in events] == [Message, RemovedFromChat]
        assert events[1].item.content == (
            "the service refused the transcript (403): the chat ended or the participant left"
        )
        assert d.p.finished
        assert asks(out + d.advance(60)) == []


def test_a_socket_failing_its_heartbeat_after_a_refusal_ends_the_stream() -> None:
    d, _, _ = refused_first_fill(
        EventStreamConfig(refusal_grace=60.0, heartbeat_interval=1.0, heartbeat_timeout=1.0)
    )
    out = d.advance(2.5)  # a heartbeat unanswered for heartbeat_timeout: a dead socket
    assert [type(e) for e in emitted(out)] == [RemovedFromChat]
    assert asks(out) == []


def test_a_later_fill_refused_while_the_new_socket_brings_the_last_frames() -> None:
    """Not only the first fill: after a reconnect, the chat ends while the gap is read."""
    d = Driver(after="id-0")
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    fetch.fill.offer(Item(item(1)))
    fetch.fill.offer(Item({"Id": "id-0"}))
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-1"]
    d.feed(FrameIn(sock, HB_REPLY))
    sock, refill = reconnect(d, sock)
    out = d.feed(FrameIn(sock, chat_frame(item(2))))  # held while the gap is read
    out += d.feed(GapFailed(refill.fill, DENIED))
    out += d.feed(FrameIn(sock, chat_frame(left(3))))
    out += d.feed(FrameIn(sock, chat_frame(ended(4))))
    assert ids(out) == ["id-2", "id-3", "id-4"]
    assert emitted(out)[-1].for_everyone
    assert d.p.finished


def test_without_a_subscribed_socket_a_refusal_still_ends_the_stream_at_once() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    d.feed(FrameIn(sock, chat_frame(item(1))))  # held
    d.feed(Closed(sock, None))  # lost while the fill runs: no socket subscribed now
    events = emitted(d.feed(GapFailed(fetch.fill, DENIED)))
    assert [type(e) for e in events] == [Message, RemovedFromChat]
    assert d.p.finished


def test_a_refusal_while_reading_on_drops_any_socket_but_the_subscribed_one() -> None:
    """A rollover socket still opening when the transcript is refused is closed: only the
    subscribed socket is read on."""
    d, sock, retry = retried_fill_at_rollover()
    (opened,) = d.url()  # the rollover's socket opens
    assert isinstance(opened, OpenSocket)
    out = d.feed(GapFailed(retry.fill, DENIED))
    assert CloseSocket(opened.sock) in out
    assert CloseSocket(sock) not in out
    out = d.feed(FrameIn(sock, chat_frame(ended(1))))
    assert [type(e) for e in emitted(out)] == [ChatEnded]


def test_a_fill_still_running_when_a_url_is_refused_is_applied_before_the_frames_after_it() -> None:
    d, sock, retry = retried_fill_at_rollover()
    out = d.feed(FrameIn(sock, chat_frame(item(2))))  # held: the retried fill runs
    out += d.feed(UrlFailed(DENIED))  # the rollover's URL refused: the chat ended
    assert emitted(out) == []  # the fill may yet answer: what it holds waits for it
    out += d.feed(FrameIn(sock, chat_frame(ended(3))))  # held too
    retry.fill.offer(Item(ended(3)))
    retry.fill.offer(Item(item(2)))
    retry.fill.offer(Item(item(1)))
    retry.fill.offer(Item({"Id": "id-0"}))
    out += d.feed(GapReady(retry.fill))
    assert ids(out) == ["id-1", "id-2", "id-3"]
    assert emitted(out)[-1].for_everyone
    assert d.p.finished


def test_a_fill_still_running_that_fails_otherwise_releases_what_it_held() -> None:
    d, sock, retry = retried_fill_at_rollover()
    d.feed(FrameIn(sock, chat_frame(item(2))))  # held
    assert emitted(d.feed(UrlFailed(DENIED))) == []
    out = d.feed(GapFailed(retry.fill, SERVER_ERROR))
    assert ids(out) == ["id-2"]  # no retry now: the held item goes out, the socket is read on
    assert asks(out + d.advance(GRACE - 0.1)) == []
    out = d.feed(FrameIn(sock, chat_frame(ended(3))))
    assert ids(out) == ["id-3"]


def test_a_zero_grace_ends_at_the_next_tick() -> None:
    d, _, actions = refused_first_fill(EventStreamConfig(refusal_grace=0))
    assert emitted(actions) == []
    assert d.p.next_deadline() == d.now
    (event,) = emitted(d.advance(0))
    assert isinstance(event, RemovedFromChat)
