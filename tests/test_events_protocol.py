"""The events stream's pure parts: event mapping, the sans-IO protocol, typing throttle, receipts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from connect_participant import InvalidInputError, Item
from connect_participant._errors import (
    AccessDeniedError,
    InternalServerError,
    ThrottlingError,
    ValidationError,
)
from connect_participant._events import (
    AttachmentAdded,
    ChatEnded,
    ConnectionAcknowledged,
    DeliveredReceipt,
    Message,
    ParticipantJoined,
    ParticipantLeft,
    ReadReceipt,
    RemovedFromChat,
    TransferFailed,
    TransferSucceeded,
    Typing,
    UnknownEvent,
    event_from_item,
)
from connect_participant._secrets import Secret
from connect_participant._send_policy import ReceiptLedger, TypingThrottle
from connect_participant._ws_protocol import (
    HEARTBEAT,
    PING,
    SUBSCRIBE,
    Action,
    Closed,
    CloseSocket,
    Emit,
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
)

EV = "application/vnd.amazonaws.connect.event."
T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def item(n: int, kind: str = "MESSAGE", content_type: str = "text/plain", **extra: Any) -> dict[str, Any]:
    return {
        "Id": f"id-{n}",
        "Type": kind,
        "ContentType": content_type,
        "Content": f"m{n}",
        "AbsoluteTime": (T0 + timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
        "ParticipantRole": "CUSTOMER",
        **extra,
    }


def chat_frame(raw: dict[str, Any], *, as_string: bool = True) -> str:
    return json.dumps({"topic": "aws/chat", "content": json.dumps(raw) if as_string else raw})


ACK = json.dumps({"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}})
NACK = json.dumps({"topic": "aws/subscribe", "content": {"status": "failure", "topics": ["aws/chat"]}})
HB_REPLY = json.dumps({"topic": "aws/heartbeat"})

FAST = EventStreamConfig(
    heartbeat_interval=10,
    heartbeat_timeout=10,
    first_retry_delay=0.5,
    backoff_base=1.0,
    stable_after=10,
    max_socket_age=3540,
)


class Driver:
    """Runs the protocol on a fake clock and records what it asks the shell to do."""

    def __init__(self, config: EventStreamConfig = FAST, **kwargs: Any) -> None:
        self.now = 1000.0
        self.p = EventStreamProtocol(config, random=lambda: 0.5, **kwargs)
        self.log: list[Action] = []

    def take(self) -> list[Action]:
        actions = self.p.drain()
        self.log.extend(actions)
        return actions

    def feed(self, event: Any) -> list[Action]:
        self.p.handle(self.now, event)
        return self.take()

    def advance(self, seconds: float) -> list[Action]:
        """Move the clock, firing every deadline on the way (as the shell would)."""
        end = self.now + seconds
        out: list[Action] = []
        while True:
            deadline = self.p.next_deadline()
            if deadline is None or deadline > end:
                break
            self.now = max(self.now, deadline)
            self.p.tick(self.now)
            out += self.take()
        self.now = end
        return out

    def url(self, expires_in: float | None = 100.0) -> list[Action]:
        return self.feed(UrlReady(Secret("wss://example.invalid/ws?X-Amz-Signature=s"), self.now, expires_in))

    def live(self, sock: int) -> list[Action]:
        self.feed(Opened(sock))
        return self.feed(FrameIn(sock, ACK))

    def connect(self) -> int:
        """start → fetch URL → open → subscribe → ack; returns the socket id."""
        self.p.start(self.now)
        assert self.take() == [FetchUrl()]
        (opened,) = self.url()
        assert isinstance(opened, OpenSocket)
        assert self.feed(Opened(opened.sock)) == [SendFrame(opened.sock, SUBSCRIBE)]
        return opened.sock


def emitted(actions: list[Action]) -> list[Any]:
    return [a.event for a in actions if isinstance(a, Emit)]


def ids(actions: list[Action]) -> list[str | None]:
    return [e.item.id for e in emitted(actions)]


# --- event mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "content_type", "cls"),
    [
        ("MESSAGE", "text/plain", Message),
        ("MESSAGE", "application/vnd.amazonaws.connect.message.interactive", Message),
        ("ATTACHMENT", "application/vnd.amazonaws.connect.message.attachment", AttachmentAdded),
        ("TYPING", EV + "typing", Typing),
        ("EVENT", EV + "typing", Typing),
        ("EVENT", EV + "message.delivered", DeliveredReceipt),
        ("EVENT", EV + "message.read", ReadReceipt),
        ("MESSAGE_DELIVERED", EV + "message.delivered", DeliveredReceipt),
        ("MESSAGE_READ", EV + "message.read", ReadReceipt),
        ("PARTICIPANT_JOINED", EV + "participant.joined", ParticipantJoined),
        ("EVENT", EV + "participant.joined", ParticipantJoined),
        ("PARTICIPANT_LEFT", EV + "participant.left", ParticipantLeft),
        ("CHAT_ENDED", EV + "chat.ended", ChatEnded),
        ("EVENT", EV + "chat.ended", ChatEnded),
        ("TRANSFER_SUCCEEDED", EV + "transfer.succeeded", TransferSucceeded),
        ("EVENT", EV + "transfer.failed", TransferFailed),
        ("CONNECTION_ACK", EV + "connection.acknowledged", ConnectionAcknowledged),
        ("EVENT", EV + "connection.acknowledged", ConnectionAcknowledged),
        ("SOMETHING_NEW", "application/x-new", UnknownEvent),
        ("EVENT", EV + "something.new", UnknownEvent),
    ],
)
def test_event_types(kind: str, content_type: str, cls: type) -> None:
    event = event_from_item(Item(item(1, kind, content_type)))
    assert type(event) is cls
    assert event.item.id == "id-1"
    assert event.id == "id-1"
    assert event.participant_role == "CUSTOMER"
    assert cls.__name__ in repr(event)


def test_receipts_from_metadata_and_event_content() -> None:
    meta = {
        "Id": "r1",
        "Type": "MESSAGEMETADATA",
        "MessageMetadata": {
            "MessageId": "msg-7",
            "Receipts": [{"RecipientParticipantId": "p2", "ReadTimestamp": "2026-11-26T15:00:01Z"}],
        },
    }
    read = event_from_item(Item(meta))
    assert isinstance(read, ReadReceipt)
    assert read.message_id == "msg-7"
    assert read.receipts[0].read_at == "2026-11-26T15:00:01Z"
    delivered = dict(meta, MessageMetadata={"MessageId": "m", "Receipts": [{"DeliveredTimestamp": "x"}]})
    assert isinstance(event_from_item(Item(delivered)), DeliveredReceipt)
    assert isinstance(event_from_item(Item(dict(meta, MessageMetadata={}))), UnknownEvent)
    event = event_from_item(Item(item(2, "EVENT", EV + "message.read", Content='{"messageId":"msg-9"}')))
    assert isinstance(event, ReadReceipt)
    assert event.message_id == "msg-9"
    broken = event_from_item(Item(item(3, "EVENT", EV + "message.read", Content="not json")))
    assert isinstance(broken, ReadReceipt)
    assert broken.message_id is None


def test_message_and_attachment_shortcuts() -> None:
    message = event_from_item(Item(item(4)))
    assert isinstance(message, Message)
    assert (message.content, message.content_type) == ("m4", "text/plain")
    assert message.time == T0 + timedelta(seconds=4)
    attached = event_from_item(
        Item(item(5, "ATTACHMENT", "x", Attachments=[{"AttachmentId": "a", "Status": "APPROVED"}]))
    )
    assert isinstance(attached, AttachmentAdded)
    assert attached.attachments[0].status == "APPROVED"


# --- backoff ------------------------------------------------------------------------------------


def test_backoff_doubles_with_jitter_and_caps_at_30s() -> None:
    cfg = EventStreamConfig()
    mid = [cfg.backoff(n, lambda: 0.5) for n in range(1, 9)]
    assert mid == [1, 2, 4, 8, 16, 30, 30, 30]
    assert cfg.backoff(3, lambda: 0.0) == pytest.approx(4 * 0.7)
    assert cfg.backoff(3, lambda: 0.999999) == pytest.approx(4 * 1.3, rel=1e-5)
    assert cfg.backoff(6, lambda: 0.999999) == 30  # jitter never goes past the cap
    assert cfg.backoff(10_000, lambda: 0.5) == 30
    # the first attempt after a drop: full jitter within first_retry_delay
    assert cfg.backoff(0, lambda: 0.0) == 0
    assert cfg.backoff(0, lambda: 0.999) == pytest.approx(0.4995)


def test_config_is_checked() -> None:
    with pytest.raises(InvalidInputError, match="heartbeat_interval"):
        EventStreamConfig(heartbeat_interval=0)
    with pytest.raises(InvalidInputError, match="backoff_jitter"):
        EventStreamConfig(backoff_jitter=1.0)
    with pytest.raises(InvalidInputError, match="subscribe_attempts"):
        EventStreamConfig(subscribe_attempts=0)


# --- connecting, subscribing, keep-alive --------------------------------------------------------


def test_subscribe_ack_then_heartbeat_and_ping_every_interval() -> None:
    d = Driver()
    sock = d.connect()
    assert d.feed(FrameIn(sock, ACK)) == [SendFrame(sock, HEARTBEAT), SendFrame(sock, PING)]
    d.feed(FrameIn(sock, HB_REPLY))
    assert d.p.next_deadline() == pytest.approx(d.now + 10)
    for _ in range(3):
        actions = d.advance(10)
        assert actions == [SendFrame(sock, HEARTBEAT), SendFrame(sock, PING)]
        d.feed(FrameIn(sock, HB_REPLY))
    assert d.feed(FrameIn(sock, chat_frame(item(1)))) == [Emit(Message(Item(item(1))))]


def test_subscribe_is_resent_without_ack_then_the_socket_is_replaced() -> None:
    d = Driver()
    sock = d.connect()
    assert d.advance(1.0) == [SendFrame(sock, SUBSCRIBE)]
    assert d.advance(1.0) == [SendFrame(sock, SUBSCRIBE)]
    assert d.advance(1.0) == [CloseSocket(sock)]  # three sends, no ack
    # reconnect after backoff (1 s for the first failure); the URL is still fresh: no fetch
    actions = d.advance(1.0)
    assert len(actions) == 1
    assert isinstance(actions[0], OpenSocket)
    assert actions[0].sock != sock


def test_a_refused_subscription_is_retried_after_500ms() -> None:
    d = Driver()
    sock = d.connect()
    assert d.feed(FrameIn(sock, NACK)) == []
    assert d.advance(0.5) == [SendFrame(sock, SUBSCRIBE)]
    assert d.feed(FrameIn(sock, ACK))[0] == SendFrame(sock, HEARTBEAT)


def test_missing_heartbeat_reply_means_a_dead_socket() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))  # heartbeat sent now, never answered
    actions = d.advance(10)
    assert CloseSocket(sock) in actions
    # it was live for < stable_after: counted as a failure, 1 s backoff, then a new socket
    later = d.advance(1.0)
    assert any(isinstance(a, OpenSocket) for a in later)


def test_unhealthy_ping_drops_the_socket() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    assert d.feed(FrameIn(sock, json.dumps({"topic": "aws/ping", "statusCode": 200}))) == []
    assert d.feed(FrameIn(sock, json.dumps({"topic": "aws/ping", "statusCode": 500}))) == [CloseSocket(sock)]


def test_open_timeout_and_refused_handshake_never_reuse_the_url() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(Closed(sock))  # closed before the ack: a failed attempt
    (opened,) = d.advance(1.0)
    assert isinstance(opened, OpenSocket)
    d.feed(OpenFailed(opened.sock, 403))
    assert d.advance(2.0) == [FetchUrl()]  # the refused URL is not used again
    (again,) = d.url()
    assert isinstance(again, OpenSocket)
    assert d.advance(5.0) == [CloseSocket(again.sock)]  # not open within open_timeout
    # a late "opened" for the abandoned socket is closed right away
    assert d.feed(Opened(again.sock)) == [CloseSocket(again.sock)]


def test_url_freshness() -> None:
    d = Driver()
    d.p.offer_url(Secret("wss://x/?a=1"), received_at=d.now - 90, expires_in=100)
    d.p.start(d.now)
    assert d.take() == [FetchUrl()]  # 90 s old: past the 85 s AWS's library trusts
    d2 = Driver()
    d2.p.offer_url(Secret("wss://x/?a=1"), received_at=d2.now - 10, expires_in=100)
    d2.p.start(d2.now)
    (opened,) = d2.take()
    assert isinstance(opened, OpenSocket)
    d3 = Driver()  # a ConnectionExpiry sooner than 100 s shortens the trust the same way (85 %)
    d3.p.offer_url(Secret("wss://x/?a=1"), received_at=d3.now - 10, expires_in=11)
    d3.p.start(d3.now)
    assert d3.take() == [FetchUrl()]
    d4 = Driver()  # an expiry in the past means the clocks disagree: only the age counts
    d4.p.offer_url(Secret("wss://x/?a=1"), received_at=d4.now - 10, expires_in=-50)
    d4.p.start(d4.now)
    assert isinstance(d4.take()[0], OpenSocket)
    # a URL just fetched is opened even when its expiry looks near
    d5 = Driver()
    d5.p.start(d5.now)
    d5.take()
    assert isinstance(d5.url(expires_in=0.5)[0], OpenSocket)


def test_reconnect_backoff_grows_while_attempts_fail_and_resets_after_a_stable_socket() -> None:
    d = Driver(EventStreamConfig(stable_after=15))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    assert CloseSocket(sock) in d.advance(10)  # heartbeat reply missing → dead after 10 s
    d.log.clear()
    waits = []
    for _ in range(4):
        start = d.now
        while not any(isinstance(a, FetchUrl | OpenSocket) for a in d.advance(0.05)):
            pass
        waits.append(round(d.now - start, 1))
        last = d.log[-1]
        if isinstance(last, FetchUrl):
            d.feed(UrlFailed(InternalServerError("x", code="InternalServerException", status_code=500)))
        else:
            assert isinstance(last, OpenSocket)
            d.feed(OpenFailed(last.sock, None))
    assert waits == [1.0, 2.0, 4.0, 8.0]
    # now a socket that stays healthy for > stable_after, then drops: quick jittered retry
    d.advance(20)
    opened = [a for a in d.log if isinstance(a, OpenSocket | FetchUrl)][-1]
    if isinstance(opened, FetchUrl):
        (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    d.live(opened.sock)
    for _ in range(2):
        d.feed(FrameIn(opened.sock, HB_REPLY))
        d.advance(10)
    d.feed(FrameIn(opened.sock, HB_REPLY))
    d.feed(Closed(opened.sock))
    assert d.p.next_deadline() == pytest.approx(d.now + 0.25)  # random()=0.5 × 0.5 s


def _fail_attempts(d: Driver, count: int) -> None:
    """Let ``count`` connection attempts in a row fail (URL fetch or open)."""
    for _ in range(count):
        while not (actions := [a for a in d.advance(0.05) if isinstance(a, FetchUrl | OpenSocket)]):
            pass
        if isinstance(actions[-1], FetchUrl):
            d.feed(UrlFailed(InternalServerError("x", code="InternalServerException", status_code=500)))
        else:
            d.feed(OpenFailed(actions[-1].sock, None))


def _next_socket(d: Driver) -> int:
    while not (actions := [a for a in d.advance(0.05) if isinstance(a, FetchUrl | OpenSocket)]):
        pass
    if isinstance(actions[-1], FetchUrl):
        (opened,) = d.url()
    else:
        opened = actions[-1]
    assert isinstance(opened, OpenSocket)
    d.live(opened.sock)
    return opened.sock


@pytest.mark.parametrize("code", [1000, 1001])
def test_a_clean_close_of_a_healthy_socket_reconnects_at_once(code: int) -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, HB_REPLY))  # healthy: subscribed, heartbeat answered
    actions = d.feed(Closed(sock, code))
    (opened,) = [a for a in actions if isinstance(a, OpenSocket)]  # now, on the fresh URL
    # not healthy yet (no heartbeat answered): closed cleanly again, it backs off
    d.live(opened.sock)
    assert not [a for a in d.feed(Closed(opened.sock, code)) if isinstance(a, OpenSocket | FetchUrl)]
    # lost without a close frame: a jittered retry within first_retry_delay, not at once
    sock = _next_socket(d)
    d.feed(FrameIn(sock, HB_REPLY))
    assert d.feed(Closed(sock, 1006)) == []
    assert d.p.next_deadline() == pytest.approx(d.now + 0.25)  # random()=0.5 × 0.5 s


def test_backoff_resets_once_a_socket_is_healthy_not_only_after_stable_after() -> None:
    d = Driver(EventStreamConfig(stable_after=1000))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(Closed(sock))  # never answered a heartbeat: a failure
    _fail_attempts(d, 4)  # the backoff has grown to 16 s
    sock = _next_socket(d)
    d.feed(FrameIn(sock, HB_REPLY))
    d.feed(Closed(sock))  # healthy a moment ago: back to the quick first retry
    assert d.p.next_deadline() == pytest.approx(d.now + 0.25)


def test_403_while_reconnecting_means_the_chat_ended() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(Closed(sock))
    d.advance(100)  # the URL went stale meanwhile
    assert FetchUrl() in d.log
    actions = d.feed(UrlFailed(AccessDeniedError("no", code="AccessDeniedException", status_code=403)))
    (event,) = emitted(actions)
    assert isinstance(event, ChatEnded)
    assert event.item.type == "CHAT_ENDED"
    assert d.p.finished
    assert d.p.next_deadline() is None


def test_chat_ended_item_ends_the_stream_and_closes_the_socket() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    actions = d.feed(FrameIn(sock, chat_frame(item(9, "CHAT_ENDED", EV + "chat.ended"))))
    assert isinstance(emitted(actions)[0], ChatEnded)
    assert actions[-1] == CloseSocket(sock)
    assert d.p.finished
    assert d.feed(FrameIn(sock, chat_frame(item(10)))) == []


def test_close_releases_every_socket() -> None:
    d = Driver()
    sock = d.connect()
    d.p.close()
    assert d.take() == [CloseSocket(sock)]
    assert d.p.finished


def test_junk_frames_are_ignored_and_decoded_content_is_accepted() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    for junk in ("not json", "[]", '{"topic":"aws/chat","content":null}', '{"topic":"aws/chat","content":"[1]"}',
                 '{"topic":"other"}'):  # fmt: skip
        assert d.feed(FrameIn(sock, junk)) == []
    assert ids(d.feed(FrameIn(sock, chat_frame(item(1), as_string=False)))) == ["id-1"]


# --- de-duplication and gap fill ----------------------------------------------------------------


def test_duplicates_are_dropped() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = []
    for n in (1, 2, 1, 3, 2):
        out += d.feed(FrameIn(sock, chat_frame(item(n))))
    assert ids(out) == ["id-1", "id-2", "id-3"]
    assert not any(e.is_update for e in emitted(out))
    # items without an Id are keyed by their whole state: an exact repeat is dropped, not others
    typing = {"Type": "TYPING", "ContentType": EV + "typing", "AbsoluteTime": "2026-11-26T15:00:09Z"}
    later = dict(typing, AbsoluteTime="2026-11-26T15:00:10Z")
    got = [emitted(d.feed(FrameIn(sock, chat_frame(x)))) for x in (typing, typing, later)]
    assert [len(x) for x in got] == [1, 0, 1]
    # where a copy was sent from is not state: the same item with ContactId fields is a repeat
    assert emitted(d.feed(FrameIn(sock, chat_frame(item(3, ContactId="c", InitialContactId="c"))))) == []
    assert d.p.stats["duplicates"] == 4


def attachment(n: int, status: str) -> dict[str, Any]:
    files = [{"AttachmentId": f"a{n}", "AttachmentName": "f.pdf", "ContentType": "application/pdf",
              "Status": status}]  # fmt: skip
    return item(n, "ATTACHMENT", "application/vnd.amazonaws.connect.message.attachment", Attachments=files)


def chunk(n: int, number: int | None, text: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"MessageId": f"id-{n}", "MessageCompleted": number is None}
    if number is not None:
        meta["ChunkNumber"] = number
    return item(n, ParticipantRole="SYSTEM", Content=text, MessageMetadata=meta)


def test_a_re_sent_item_in_a_new_state_is_an_update_of_the_same_type() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    first = emitted(d.feed(FrameIn(sock, chat_frame(attachment(1, "IN_PROGRESS")))))
    scanned = emitted(d.feed(FrameIn(sock, chat_frame(attachment(1, "APPROVED")))))
    again = emitted(d.feed(FrameIn(sock, chat_frame(attachment(1, "APPROVED")))))
    late = emitted(d.feed(FrameIn(sock, chat_frame(attachment(1, "IN_PROGRESS")))))
    assert [type(e) for e in first + scanned] == [AttachmentAdded, AttachmentAdded]
    assert (first[0].is_update, first[0].previous) == (False, None)
    assert scanned[0].is_update
    assert scanned[0].attachments[0].status == "APPROVED"
    assert scanned[0].previous.attachments[0].status == "IN_PROGRESS"
    assert "update" in repr(scanned[0])
    assert again == late == []  # a repeat, and an older state arriving late
    assert (d.p.stats["updates"], d.p.stats["duplicates"]) == (1, 2)


def test_streamed_message_chunks_and_completion_are_updates_late_chunks_dropped() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = []
    for raw in (chunk(1, 1, "Hel"), chunk(1, 2, "lo"), chunk(1, 1, "Hel"), chunk(1, None, "Hello"),
                chunk(1, 3, "!"), chunk(1, None, "Hello")):  # fmt: skip
        out += emitted(d.feed(FrameIn(sock, chat_frame(raw))))
    assert [(e.content, e.is_update) for e in out] == [("Hel", False), ("lo", True), ("Hello", True)]
    assert all(isinstance(e, Message) for e in out)
    assert out[2].previous.content == "lo"


def test_gap_fill_reads_back_to_unsettled_items_and_delivers_their_new_state() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, chat_frame(item(1))))
    d.feed(FrameIn(sock, chat_frame(attachment(2, "IN_PROGRESS"))))
    d.feed(FrameIn(sock, chat_frame(item(3))))
    sock, fetch = reconnect(d, sock)
    # the scan ended while no socket was there; the transcript shows the final state in place
    transcript = [item(5), item(4), item(3), attachment(2, "APPROVED"), item(1), item(0)]
    offered = 0
    for raw in transcript:
        offered += 1
        if not fetch.fill.offer(Item(raw)):
            break
    assert offered == 4  # read past item 3 (delivered) to the attachment, not further
    got = emitted(d.feed(GapReady(fetch.fill)))
    assert [(e.id, e.is_update) for e in got] == [("id-2", True), ("id-4", False), ("id-5", False)]
    # settled now: the next fill stops at the newest delivered item
    sock, fetch = reconnect(d, sock, wait=3.0)
    assert not fetch.fill.offer(Item(item(5)))


def reconnect(d: Driver, sock: int, wait: float = 1.0) -> tuple[int, FetchGap]:
    d.feed(Closed(sock))
    actions = d.advance(wait)
    (opened,) = [a for a in actions if isinstance(a, OpenSocket)]
    actions = d.live(opened.sock)
    (fetch,) = [a for a in actions if isinstance(a, FetchGap)]
    return opened.sock, fetch


def test_gap_fill_after_reconnect_is_in_order_without_gaps_or_duplicates() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = []
    for n in (1, 2):
        out += d.feed(FrameIn(sock, chat_frame(item(n))))
    sock2, fetch = reconnect(d, sock)
    # while the transcript is read, live items are held back
    assert d.feed(FrameIn(sock2, chat_frame(item(5)))) == []
    assert d.feed(FrameIn(sock2, chat_frame(item(6)))) == []
    # the transcript, newest first: 5 4 3 2 1 — reading stops at 2 (already delivered)
    offered = []
    for n in (5, 4, 3, 2, 1):
        offered.append(n)
        if not fetch.fill.offer(Item(item(n))):
            break
    assert offered == [5, 4, 3, 2]
    out += d.feed(GapReady(fetch.fill))
    assert ids(out) == ["id-1", "id-2", "id-3", "id-4", "id-5", "id-6"]
    # and afterwards live items flow straight through
    assert ids(d.feed(FrameIn(sock2, chat_frame(item(7))))) == ["id-7"]


def test_gap_fill_starts_from_the_given_item_or_time() -> None:
    d = Driver(after="id-2")
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    for n in (4, 3, 2, 1):
        if not fetch.fill.offer(Item(item(n))):
            break
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-3", "id-4"]

    d = Driver(since=T0 + timedelta(seconds=3))
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    # reading stops at the first item older than the start (item 2): no further page is asked for
    assert [fetch.fill.offer(Item(item(n))) for n in (5, 4, 3, 2)] == [True, True, True, False]
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-3", "id-4", "id-5"]

    # no starting point: no read on the first subscription
    d = Driver()
    sock = d.connect()
    assert not any(isinstance(a, FetchGap) for a in d.feed(FrameIn(sock, ACK)))


def test_gap_fill_is_bounded() -> None:
    d = Driver(EventStreamConfig(gap_fill_limit=3), after="gone")
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    assert [fetch.fill.offer(Item(item(n))) for n in (9, 8, 7)] == [True, True, False]
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-7", "id-8", "id-9"]


def test_a_second_drop_during_a_gap_fill_reads_again_before_releasing_held_items() -> None:
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = d.feed(FrameIn(sock, chat_frame(item(1))))
    sock2, fetch1 = reconnect(d, sock)
    d.feed(FrameIn(sock2, chat_frame(item(3))))  # held
    # the second socket drops too before the first read returns; a third connects
    d.feed(Closed(sock2))
    (opened,) = [a for a in d.advance(2.0) if isinstance(a, OpenSocket)]
    d.live(opened.sock)
    d.feed(FrameIn(opened.sock, chat_frame(item(5))))  # held (after a gap: item 4)
    for n in (2, 1):  # the first read saw only item 2
        if not fetch1.fill.offer(Item(item(n))):
            break
    actions = d.feed(GapReady(fetch1.fill))
    out += actions
    (fetch2,) = [a for a in actions if isinstance(a, FetchGap)]
    for n in (5, 4, 3, 2):
        if not fetch2.fill.offer(Item(item(n))):
            break
    out += d.feed(GapReady(fetch2.fill))
    assert ids(out) == ["id-1", "id-2", "id-3", "id-4", "id-5"]


def test_failed_gap_fill_is_retried_and_a_403_ends_the_stream() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    d.feed(FrameIn(sock, chat_frame(item(2))))  # held
    d.feed(GapFailed(fetch.fill, InternalServerError("x", code="InternalServerException", status_code=500)))
    (retry,) = [a for a in d.advance(1.0) if isinstance(a, FetchGap)]
    fetch.fill.offer(Item(item(1)))  # a stale answer is ignored
    assert d.feed(GapReady(fetch.fill)) == []
    retry.fill.offer(Item(item(2)))
    retry.fill.offer(Item(item(1)))
    retry.fill.offer(Item({"Id": "id-0"}))
    assert ids(d.feed(GapReady(retry.fill))) == ["id-1", "id-2"]

    d = Driver(after="id-0")
    sock = d.connect()
    (_, _, fetch) = d.feed(FrameIn(sock, ACK))
    assert isinstance(fetch, FetchGap)
    d.feed(FrameIn(sock, chat_frame(item(2))))
    actions = d.feed(
        GapFailed(fetch.fill, AccessDeniedError("x", code="AccessDeniedException", status_code=403))
    )
    assert [type(e) for e in emitted(actions)] == [Message]  # what is held goes out at once...
    assert not d.p.finished  # ...and the subscribed socket is read on for the chat's last frames
    events = emitted(d.advance(FAST.refusal_grace))  # none came
    assert [type(e) for e in events] == [RemovedFromChat]  # a ChatEnded not for everyone
    assert d.p.finished


def test_a_fill_retry_while_no_socket_is_subscribed_waits_for_the_next_subscription() -> None:
    """The hole issue 11 found: the retry read the transcript with no socket subscribed, cleared
    "fill needed", and the next subscription started without a fill."""
    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, chat_frame(item(1))))
    sock, fetch = reconnect(d, sock)
    d.feed(GapFailed(fetch.fill, InternalServerError("x", code="InternalServerException", status_code=503)))
    d.feed(Closed(sock))  # lost before the retry is due
    actions = d.advance(0.9)  # the retry's time passes while the next socket is still opening
    assert not [a for a in actions if isinstance(a, FetchGap)]
    (opened,) = [a for a in actions + d.advance(5) if isinstance(a, OpenSocket)]
    actions = d.live(opened.sock)
    (fetch,) = [a for a in actions if isinstance(a, FetchGap)]  # the subscription fills the gap
    d.feed(FrameIn(opened.sock, chat_frame(item(4))))  # held until the fill is in
    for n in (4, 3, 2, 1):
        if not fetch.fill.offer(Item(item(n))):
            break
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-2", "id-3", "id-4"]


def test_a_fill_failing_the_same_way_gives_up_with_a_typed_error_but_outages_do_not() -> None:
    d = Driver(EventStreamConfig(heartbeat_interval=1e6, heartbeat_timeout=1e6), after="id-0")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    busy = ThrottlingError("slow down", code="ThrottlingException", status_code=429)
    for _ in range(20):  # the service busy: retried for as long as it lasts
        d.feed(GapFailed(fetch.fill, busy))
        (fetch,) = [a for a in d.advance(60) if isinstance(a, FetchGap)]
    assert not d.p.finished
    bad = ValidationError("x", code="ValidationException", status_code=400)
    for attempt in range(1, 6):
        actions = d.feed(GapFailed(fetch.fill, bad))
        if attempt < 5:
            (fetch,) = [a for a in d.advance(60) if isinstance(a, FetchGap)]
    (fail,) = [a for a in actions if isinstance(a, Fail)]
    assert isinstance(fail.error, GapFillError)
    assert fail.error.__cause__ is bad
    assert "5 attempts" in str(fail.error)
    assert "ValidationError" in str(fail.error)
    assert d.p.finished
    assert [a for a in actions if isinstance(a, CloseSocket)]


def test_items_on_a_socket_before_its_acknowledgement_wait_for_it() -> None:
    d = Driver(EventStreamConfig(max_socket_age=60, heartbeat_interval=100, heartbeat_timeout=100))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.advance(60)
    (opened,) = d.url()
    d.feed(Opened(opened.sock))
    # the new socket brings item 2 before its ack; the old one still brings item 1
    assert emitted(d.feed(FrameIn(opened.sock, chat_frame(item(2))))) == []
    assert ids(d.feed(FrameIn(sock, chat_frame(item(1))))) == ["id-1"]
    actions = d.feed(FrameIn(opened.sock, ACK))
    (fetch,) = [a for a in actions if isinstance(a, FetchGap)]
    assert emitted(actions) == []
    for n in (2, 1):
        if not fetch.fill.offer(Item(item(n))):
            break
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-2"]


# --- rollover -----------------------------------------------------------------------------------


def test_rollover_opens_a_second_socket_and_closes_the_first_once_subscribed() -> None:
    d = Driver(EventStreamConfig(max_socket_age=60, heartbeat_interval=10))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = d.feed(FrameIn(sock, chat_frame(item(1))))
    for _ in range(5):
        d.feed(FrameIn(sock, HB_REPLY))
        d.advance(10)
    d.feed(FrameIn(sock, HB_REPLY))
    assert d.advance(10)[-1] == FetchUrl()
    (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    assert opened.sock != sock
    out += d.feed(FrameIn(sock, chat_frame(item(2))))
    d.feed(Opened(opened.sock))
    out += d.feed(FrameIn(sock, chat_frame(item(3))))
    out += d.feed(FrameIn(opened.sock, chat_frame(item(3))))  # on both during the overlap
    actions = d.feed(FrameIn(opened.sock, ACK))
    assert CloseSocket(sock) in actions
    # item 4 went to the old socket just before the switch and its frame never came: the
    # transcript read after the switch finds it; item 5 arrives live meanwhile and waits
    (fetch,) = [a for a in actions if isinstance(a, FetchGap)]
    out += d.feed(FrameIn(sock, chat_frame(item(4))))  # the old socket is gone: ignored
    out += d.feed(FrameIn(opened.sock, chat_frame(item(5))))
    for n in (5, 4, 3):
        if not fetch.fill.offer(Item(item(n))):
            break
    out += d.feed(GapReady(fetch.fill))
    out += d.feed(FrameIn(opened.sock, chat_frame(item(5))))
    assert ids(out) == ["id-1", "id-2", "id-3", "id-4", "id-5"]


def test_rollover_before_a_connection_expiry_that_is_a_socket_lifetime() -> None:
    d = Driver()
    d.p.start(d.now)
    d.take()
    (opened,) = d.url(expires_in=3600)  # ConnectionExpiry an hour away: the socket's lifetime
    assert isinstance(opened, OpenSocket)
    d.live(opened.sock)
    assert d.p.next_deadline() is not None
    # roll over 60 s before the expiry, not after 59 minutes of age
    fetched_at = None
    for _ in range(400):
        d.feed(FrameIn(opened.sock, HB_REPLY))
        if FetchUrl() in d.advance(10):
            fetched_at = d.now
            break
    assert fetched_at is not None
    assert 3530 <= fetched_at - 1000 <= 3540


def test_old_socket_dying_during_rollover_hands_over_to_the_new_one_with_a_gap_fill() -> None:
    d = Driver(EventStreamConfig(max_socket_age=20))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, chat_frame(item(1))))
    d.feed(FrameIn(sock, HB_REPLY))
    d.advance(10)
    d.feed(FrameIn(sock, HB_REPLY))
    assert FetchUrl() in d.advance(10)
    (opened,) = d.url()
    assert isinstance(opened, OpenSocket)
    d.feed(Closed(sock))  # the old one dies before the new one is subscribed
    assert d.p.next_deadline() is not None
    actions = d.live(opened.sock)
    assert any(isinstance(a, FetchGap) for a in actions)


def test_failed_rollover_keeps_the_old_socket_and_tries_again() -> None:
    d = Driver(EventStreamConfig(max_socket_age=20))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    d.feed(FrameIn(sock, HB_REPLY))
    d.advance(10)
    d.feed(FrameIn(sock, HB_REPLY))
    assert FetchUrl() in d.advance(10)
    d.feed(FrameIn(sock, HB_REPLY))
    assert d.feed(UrlFailed(InternalServerError("x", code="InternalServerException", status_code=500))) == []
    assert FetchUrl() in d.advance(1.0)
    assert ids(d.feed(FrameIn(sock, chat_frame(item(1))))) == ["id-1"]


# --- typing and receipts ------------------------------------------------------------------------


def test_typing_throttle() -> None:
    throttle = TypingThrottle(10)
    assert [throttle.allow(t) for t in (0, 1, 9.9, 10, 15, 20.5)] == [True, False, False, True, False, True]
    assert TypingThrottle(0).allow(5)
    assert TypingThrottle(0).allow(5)
    with pytest.raises(InvalidInputError):
        TypingThrottle(-1)


def test_receipts_once_per_message_and_read_wins() -> None:
    ledger = ReceiptLedger(size=2)
    assert ledger.allow("m1", "delivered")
    assert not ledger.allow("m1", "delivered")
    assert ledger.allow("m1", "read")
    assert not ledger.allow("m1", "read")
    assert not ledger.allow("m1", "delivered")  # read already sent: delivered is pointless
    assert ledger.allow("m2", "read")
    assert not ledger.allow("m2", "delivered")
    ledger.forget("m2", "read")
    assert ledger.allow("m2", "read")
    ledger.allow("m3", "read")  # size 2: m1 is forgotten
    assert ledger.allow("m1", "read")
