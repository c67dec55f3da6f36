"""A model-based checker of the events stream's sans-IO protocol (``_ws_protocol``).

A ``World`` plays the service and the network around one ``EventStreamProtocol``: a model
transcript (items in order, each with its states: an attachment's scan, a streamed
message's chunks and completion, a message's processing), sockets (open, fail to open,
acknowledge a subscription late, refuse it or never answer, answer heartbeats and pings or
not, close cleanly or abruptly, carry frames late; every third socket's abrupt end or failed
opening comes as an unexpected error of the shell), CreateParticipantConnection (answers
late, fails, URLs that expire or last an hour so sockets roll over), GetTranscript (read
early or late, answered after the socket it was for closed, failing with 5xx/429, slow),
items the SDK cannot fully read (garbled times, fields of the wrong type, no Id), frames
that hold no item, typing that only goes to sockets, and the clock.

Every choice the world makes comes from a list of integers (the *schedule*): the same
schedule replays the same run, and a failing schedule is shrunk by deleting and lowering
its integers (as Hypothesis does with its choice sequences). When the schedule runs out,
the faults stop: everything is answered at once, a CHAT_ENDED item is added, and the
stream must deliver it. One schedule in four instead ends the chat right after a subscription
(after the first, second or third socket the stream takes; at the latest the next one once
the faults stop): the flow's last items (1-3, each in its final state) and ``chat.ended`` are
pushed on the sockets while the stream's gap fill is still out; that fill, any later one and
any new URL are then refused (403), and only frames still on their way arrive (in well under
``refusal_grace``). Then the invariant is checked:

- every transcript item after the start point is delivered as a new event exactly once, in
  transcript order (items only sent to sockets, like typing, at most once);
- each item's states are delivered in order, none twice, ending with its final state, each
  update naming as ``previous`` the state delivered before it;
- the stream ended by the chat's end, not by an error, a stall or a ``RemovedFromChat``
  (every item the service sent before ``chat.ended`` is delivered exactly once, also when the
  chat ended as the stream subscribed); never more than 5 sockets.

Run many schedules: ``python tests/_events_model.py --schedules 100000 --seed 0``.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connect_participant._delivery import state_print
from connect_participant._errors import AccessDeniedError, InternalServerError, ThrottlingError
from connect_participant._events import ChatEnded, Event, RemovedFromChat
from connect_participant._models import Item
from connect_participant._secrets import Secret
from connect_participant._ws_protocol import (
    HEARTBEAT,
    PING,
    SUBSCRIBE,
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
    GapFill,
    GapReady,
    Opened,
    OpenFailed,
    OpenSocket,
    SendFrame,
    UrlFailed,
    UrlReady,
)

CONFIG = EventStreamConfig(
    heartbeat_interval=5.0,
    heartbeat_timeout=5.0,
    open_timeout=3.0,
    subscribe_timeout=1.0,
    subscribe_retry_delay=0.5,
    max_socket_age=8.0,
    rollover_lead=3.0,
    first_retry_delay=0.5,
    backoff_base=0.5,
    backoff_cap=8.0,
    stable_after=5.0,
)
EV = "application/vnd.amazonaws.connect.event."
WALL0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
CLOCK0 = 1000.0
ACK = json.dumps({"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}})
NACK = json.dumps({"topic": "aws/subscribe", "content": {"status": "failure", "topics": ["aws/chat"]}})
HB_REPLY = json.dumps({"topic": "aws/heartbeat"})
PING_OK = json.dumps({"topic": "aws/ping", "statusCode": 200, "statusContent": "OK"})
PING_BAD = json.dumps({"topic": "aws/ping", "statusCode": 503, "statusContent": "Unavailable"})
URL_WINDOW = 100.0
MAX_ITEMS = 40
DENIED = AccessDeniedError("no", code="AccessDeniedException", status_code=403)
QUIET_LIMIT = 600.0  # simulated seconds the stream gets, once faults stop, to deliver everything


class Violation(AssertionError):
    """The invariant broken: ``kind`` names which part (shrinking keeps it), then the details."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class _Sock:
    url_at: float
    state: str = "connecting"  # connecting | open | closing (clean close under way)
    subscribed: bool = False  # server side: pushes aws/chat frames
    inbound: list[str] = field(default_factory=list)  # server → client, in order
    outbound: list[str] = field(default_factory=list)  # client → server, in order


@dataclass
class _Fill:
    fill: GapFill
    read: bool = False
    error: BaseException | None = None


@dataclass
class _ModelItem:
    key: str  # "id:<Id>" or "state:<print>" as the ledger keys it
    states: list[dict[str, Any]]  # raw item per state, in order
    kind: str
    final: int  # index of the last state this item will reach


class World:
    def __init__(self, choices: list[int], *, trace: bool = False) -> None:
        self.choices = choices
        self.pos = 0
        self.quiet = False
        self.now = CLOCK0
        self.trace: list[str] | None = [] if trace else None
        self.items: list[_ModelItem] = []
        self.current: dict[str, int] = {}  # key → index of its current state
        self.by_print: dict[str, tuple[str, int]] = {}  # state print → (key, state index)
        self.socket_only: dict[str, str] = {}  # print → key of items never kept in the transcript
        self.socks: dict[int, _Sock] = {}
        self.url_requests = 0
        self.urls: dict[str, float] = {}
        self.fills: list[_Fill] = []
        self.events: list[Event] = []
        self.failed: BaseException | None = None
        self.serial = 0
        self.chat_ended = False
        self.max_socks = 0
        self.calm = self.soft_draw(4, 0)
        # one schedule in four: the chat ends right after a subscription (a contact flow that says
        # its last words and disconnects as the customer subscribes): no item before it, then the
        # last items and chat.ended on the socket, the transcript and new URLs refused (403)
        self.ends_early = self.soft_draw(4, 1) == 0
        self.end_on_ack = 1 + self.soft_draw(3, 0)  # the n-th socket acknowledged ends it
        self.acked: set[int] = set()
        self.ended_at: float | None = None  # when the chat ended early

    # --- choices ----------------------------------------------------------------------------

    def draw(self, n: int) -> int:
        """The next choice in ``range(n)``; 0 (always the benign answer) once they run out."""
        if self.quiet or self.pos >= len(self.choices):
            return 0
        value = self.choices[self.pos]
        self.pos += 1
        return value % n

    def soft_draw(self, n: int, default: int) -> int:
        """A choice where running out of them must not stop the run (setup, jitter)."""
        if self.quiet or self.pos >= len(self.choices):
            return default
        return self.draw(n)

    @property
    def exhausted(self) -> bool:
        return self.pos >= len(self.choices)

    def log(self, text: str) -> None:
        if self.trace is not None:
            self.trace.append(f"t={self.now - CLOCK0:8.3f} {text}")

    # --- items ------------------------------------------------------------------------------

    def _stamp(self, naive: bool = False) -> str:
        when = WALL0 + timedelta(seconds=round(self.now - CLOCK0, 3))
        text = when.isoformat(timespec="milliseconds")
        return text.replace("+00:00", "") if naive else text.replace("+00:00", "Z")

    def make_item(self, kind: int, *, started: bool) -> _ModelItem:
        self.serial += 1
        n = self.serial
        base: dict[str, Any] = {
            "Id": f"item-{n}",
            "Type": "MESSAGE",
            "ContentType": "text/plain",
            "Content": f"message {n}",
            "AbsoluteTime": self._stamp(),
            "ParticipantId": "p-bot",
            "ParticipantRole": "CUSTOM_BOT",
            "DisplayName": "Bot",
        }
        states: list[dict[str, Any]]
        if kind == 0:  # plain message
            name, states = "message", [base]
        elif kind == 1:  # attachment, scanned later
            files = [{"AttachmentId": f"a-{n}", "AttachmentName": "f.pdf", "ContentType": "application/pdf"}]
            base.update(Type="ATTACHMENT", ContentType="application/vnd.amazonaws.connect.message.attachment")
            del base["Content"]
            states = [dict(base, Attachments=[dict(files[0], Status=s)]) for s in ("IN_PROGRESS", "APPROVED")]
            name = "attachment"
        elif kind == 2:  # a streamed AI message: 1-3 chunks, then the completed text
            chunks = 1 + n % 3
            base.update(ParticipantRole="SYSTEM")
            states = [
                dict(
                    base,
                    Content=f"chunk {c}",
                    MessageMetadata={"MessageId": base["Id"], "MessageCompleted": False, "ChunkNumber": c},
                )
                for c in range(1, chunks + 1)
            ]
            done = {"MessageId": base["Id"], "MessageCompleted": True}
            states.append(dict(base, Content="whole text", MessageMetadata=done))
            name = "streamed"
        elif kind == 3:  # a message whose processing ends later
            meta = {"MessageId": base["Id"], "MessageProcessingStatus": "PROCESSING"}
            states = [dict(base, MessageMetadata=meta), dict(base, Content=f"message {n} (redacted)")]
            name = "processed"
        elif kind == 4:  # an event item
            base.update(Type="EVENT", ContentType=EV + "participant.joined", ParticipantRole="AGENT")
            del base["Content"]
            states, name = [base], "event"
        elif kind == 5:  # a zone-less time (read as UTC)
            states, name = [dict(base, AbsoluteTime=self._stamp(naive=True))], "naive-time"
        elif kind == 6:  # fields the SDK cannot read
            odd = dict(base, Attachments="none", MessageMetadata=7, ParticipantRole=["x"], DisplayName=None)
            if started:  # an unreadable time says nothing about the start point: only after it
                odd["AbsoluteTime"] = "yesterday-ish"
            states, name = [odd], "garbled"
        elif kind == 7:  # no Id at all
            del base["Id"]
            base["Content"] = f"anonymous {n}"
            states, name = [base], "no-id"
        else:  # an item type from the future, content nested deep
            base.update(Type="HOLOGRAM", ContentType="application/x-future", Content={"a": [[[{"b": 1}]]]})
            states, name = [base], "future"
        key = f"id:{base['Id']}" if "Id" in base else "state:" + state_print(Item(states[0]))
        item = _ModelItem(key, states, name, len(states) - 1)
        for i, raw in enumerate(states):
            self.by_print[state_print(Item(raw))] = (key, i)
        return item

    def add_item(self, kind: int, *, started: bool = True) -> None:
        item = self.make_item(kind, started=started)
        self.items.append(item)
        self.current[item.key] = 0
        self.log(f"item {short(item.key)} ({item.kind})")
        self.push(item.states[0])

    def update_item(self, item: _ModelItem) -> None:
        self.current[item.key] += 1
        state = item.states[self.current[item.key]]
        state["AbsoluteTime"] = item.states[0]["AbsoluteTime"]  # an item keeps its place
        self.log(f"update {short(item.key)} → state {self.current[item.key]}")
        self.push(state)

    def end_chat(self) -> None:
        self.serial += 1
        raw = {
            "Id": f"end-{self.serial}",
            "Type": "EVENT",
            "ContentType": EV + "chat.ended",
            "AbsoluteTime": self._stamp(),
            "ParticipantRole": "SYSTEM",
        }
        item = _ModelItem(f"id:{raw['Id']}", [raw], "chat-ended", 0)
        self.by_print[state_print(Item(raw))] = (item.key, 0)
        self.items.append(item)
        self.current[item.key] = 0
        self.chat_ended = True
        self.log("chat ended")
        self.push(raw)

    def typing(self) -> None:
        self.serial += 1
        raw = {"Id": f"typing-{self.serial}", "Type": "EVENT", "ContentType": EV + "typing",
               "AbsoluteTime": self._stamp(), "ParticipantRole": "AGENT"}  # fmt: skip
        self.socket_only[state_print(Item(raw))] = f"id:{raw['Id']}"
        self.log(f"typing {raw['Id']}")
        self.push(raw)

    def push(self, raw: dict[str, Any], *, decoded: bool = False) -> None:
        payload = dict(raw, ContactId="contact-1", InitialContactId="contact-1")
        content: Any = payload if decoded else json.dumps(payload)
        frame = json.dumps({"topic": "aws/chat", "contentType": "application/json", "content": content})
        for sock in self.socks.values():
            if sock.subscribed and sock.state == "open":
                sock.inbound.append(frame)

    def junk(self, which: int) -> None:
        frames = [
            '{"topic": "aws/chat", "content": "not json"}',
            '{"topic": "aws/chat", "content": "[1, 2]"}',
            '{"topic": "aws/chat", "content": 12}',
            "not a frame",
            '{"topic": "aws/unknown", "content": {}}',
            "[" * 5000,
        ]
        self.log(f"junk frame {which}")
        for sock in self.socks.values():
            if sock.subscribed and sock.state == "open":
                sock.inbound.append(frames[which % len(frames)])

    def transcript(self) -> list[dict[str, Any]]:
        """GetTranscript newest first: each item in its current state, at its place."""
        return [item.states[self.current[item.key]] for item in reversed(self.items)]

    # --- the protocol's actions ---------------------------------------------------------------

    def perform(self, protocol: EventStreamProtocol) -> None:
        for action in protocol.drain():
            if isinstance(action, Emit):
                self.events.append(action.event)
                self.log(f"emit {type(action.event).__name__} {action.event.id}"
                         f"{' update' if action.event.is_update else ''}")  # fmt: skip
            elif isinstance(action, SendFrame):
                sock = self.socks.get(action.sock)
                if sock is not None and sock.state == "open":
                    sock.outbound.append(action.text)
            elif isinstance(action, OpenSocket):
                self.socks[action.sock] = _Sock(self.urls[action.url.reveal()])
                self.max_socks = max(self.max_socks, len(self.socks))
                self.log(f"open socket {action.sock}")
            elif isinstance(action, CloseSocket):
                self.socks.pop(action.sock, None)
                self.log(f"client closes socket {action.sock}")
            elif isinstance(action, FetchUrl):
                self.url_requests += 1
            elif isinstance(action, FetchGap):
                self.fills.append(_Fill(action.fill))
                self.log("gap fill asked")
            elif isinstance(action, Fail):
                self.failed = action.error
                self.log(f"stream failed: {action.error!r}")

    # --- one step of the world ----------------------------------------------------------------

    def fault(self, kinds: int) -> int:
        """Which of ``kinds`` faults happens now, or -1 for none (always none once faults stop).
        The schedule's calm level makes faults rarer, so sockets also live long enough to roll
        over."""
        if self.ended_at is not None:
            return -1  # the frames still on their way arrive; nothing else fails meanwhile
        good = 2 + 6 * self.calm
        value = self.draw(good + kinds)
        return value - good if value >= good else -1

    def options(self) -> list[tuple[str, Any]]:
        benign = 1 + 3 * self.calm
        opts: list[tuple[str, Any]] = [("tick", None)] * benign
        if len(self.items) < MAX_ITEMS and not self.ends_early:
            opts += [("item", None)] * benign
        unsettled = [i for i in self.items if self.current[i.key] < i.final]
        if unsettled:
            opts.append(("update", unsettled))
        if self.ended_at is None:
            opts.append(("typing", None))
        opts.append(("junk", None))
        for sid, sock in self.socks.items():
            if sock.inbound:
                opts += [("deliver", sid)] * (2 * benign)
            if sock.outbound:
                opts += [("server", sid)] * (2 * benign)
            if sock.state == "connecting":
                opts += [("open", sid)] * benign
            elif sock.state == "open":
                opts.append(("close", sid))
            elif sock.state == "closing" and not sock.inbound:
                opts.append(("closed", sid))
        if self.url_requests:
            opts += [("url", None)] * benign
        for job in self.fills:
            opts += [("fill", job)] * benign
        return opts

    def step(self, protocol: EventStreamProtocol) -> None:
        opts = self.options()
        what, arg = opts[self.draw(len(opts))]
        getattr(self, "_" + what)(protocol, arg)
        self.perform(protocol)
        self.fire(protocol)

    def fire(self, protocol: EventStreamProtocol) -> None:
        deadline = protocol.next_deadline()
        for _ in range(100):
            if deadline is None or deadline > self.now or protocol.finished:
                return
            protocol.tick(self.now)
            self.perform(protocol)
            deadline = protocol.next_deadline()
        raise Violation("busy loop", f"tick() leaves a deadline {self.now - deadline:.3f} s in the past")

    def _tick(self, protocol: EventStreamProtocol, _: Any) -> None:
        if self.ended_at is not None:  # the last frames are on their way: well within refusal_grace
            if self.now - self.ended_at < 0.5:
                self.now += (0.01, 0.1)[self.draw(2)]
            return
        choice = self.draw(6)
        deadline = protocol.next_deadline()
        if choice == 5 and deadline is not None:
            self.now = max(self.now, deadline)
        else:
            self.now += (0.01, 0.2, 0.7, 2.0, 6.0, 12.0)[choice]

    def _item(self, protocol: EventStreamProtocol, _: Any) -> None:
        self.add_item(self.draw(9))

    def _update(self, protocol: EventStreamProtocol, unsettled: list[_ModelItem]) -> None:
        self.update_item(unsettled[self.draw(len(unsettled))])

    def _typing(self, protocol: EventStreamProtocol, _: Any) -> None:
        self.typing()

    def _junk(self, protocol: EventStreamProtocol, _: Any) -> None:
        self.junk(self.draw(6))

    def _deliver(self, protocol: EventStreamProtocol, sid: int) -> None:
        frame = self.socks[sid].inbound.pop(0)
        protocol.handle(self.now, FrameIn(sid, frame))
        if frame == ACK and self.ends_early and self.ended_at is None:
            self.perform(protocol)
            sock = self.socks.get(sid)
            # taken as the stream's socket (it sent its first heartbeat): count it
            if sock is not None and sock.subscribed and sock.state == "open" and HEARTBEAT in sock.outbound:
                self.acked.add(sid)
                if len(self.acked) >= self.end_on_ack:
                    self.end_early()

    def end_early(self) -> None:
        """The flow's last items and chat.ended, pushed right after the subscription; from now
        on the transcript and new URLs are refused, and the faults stop."""
        self.log("--- the chat ends right after the subscription ---")
        for _ in range(1 + self.draw(3)):
            self.add_item(self.draw(9))
            item = self.items[-1]
            while self.current[item.key] < item.final:
                self.update_item(item)
        self.end_chat()
        self.ended_at = self.now

    def _server(self, protocol: EventStreamProtocol, sid: int) -> None:
        sock = self.socks[sid]
        frame = sock.outbound.pop(0)
        if frame == SUBSCRIBE:
            fault = self.fault(3)  # refused, subscribed without an ack, lost
            if fault == -1:
                sock.subscribed = True
                sock.inbound.append(ACK)
            elif fault == 0:
                sock.inbound.append(NACK)
            elif fault == 1:
                sock.subscribed = True
            self.log(f"socket {sid} subscribe → {('ack', 'refused', 'no ack', 'lost')[fault + 1]}")
        elif frame == HEARTBEAT:
            if self.fault(1) == -1:
                sock.inbound.append(HB_REPLY)
            else:
                self.log(f"socket {sid} heartbeat unanswered")
        elif frame == PING:
            sock.inbound.append(PING_OK if self.fault(1) == -1 else PING_BAD)

    def _open(self, protocol: EventStreamProtocol, sid: int) -> None:
        sock = self.socks[sid]
        if self.now - sock.url_at > URL_WINDOW:
            self.log(f"socket {sid} refused: URL expired")
            del self.socks[sid]
            protocol.handle(self.now, OpenFailed(sid, 403))
            return
        fault = self.fault(2)
        if fault == -1:
            sock.state = "open"
            self.log(f"socket {sid} open")
            protocol.handle(self.now, Opened(sid))
        else:
            del self.socks[sid]
            self.log(f"socket {sid} failed to open")
            # every third socket's failure is an unexpected error of the shell (issue 22)
            error = RuntimeError("unexpected") if fault != 0 and sid % 3 == 0 else None
            protocol.handle(self.now, OpenFailed(sid, 429 if fault == 0 else None, error))

    def _close(self, protocol: EventStreamProtocol, sid: int) -> None:
        sock = self.socks[sid]
        sock.subscribed = False
        if (
            self.ended_at is not None or self.draw(2)
        ):  # the chat ended: the service closes cleanly  # clean (1000/1001): what was sent still arrives, then the close
            sock.state = "closing"
            self.log(f"server closes socket {sid} cleanly")
        else:
            del self.socks[sid]
            self.log(f"socket {sid} dropped")
            error = RuntimeError("unexpected") if sid % 3 == 0 else None  # the shell's reader died
            protocol.handle(self.now, Closed(sid, None if sid % 2 else 1006, error))

    def _closed(self, protocol: EventStreamProtocol, sid: int) -> None:
        del self.socks[sid]
        protocol.handle(self.now, Closed(sid, 1000 + sid % 2))  # normal closure or going away

    def _url(self, protocol: EventStreamProtocol, _: Any) -> None:
        self.url_requests -= 1
        if self.ended_at is not None:
            self.log("URL request refused: the chat ended")
            protocol.handle(self.now, UrlFailed(DENIED))
            return
        if self.fault(1) == 0:
            self.log("URL request failed")
            protocol.handle(self.now, UrlFailed(InternalServerError("x", code="InternalServerException",
                                                                    status_code=500)))  # fmt: skip
            return
        self.serial += 1
        url = f"wss://example.invalid/ws/{self.serial}?X-Amz-Signature=s"
        self.urls[url] = self.now
        lifetime = (URL_WINDOW, 3600.0, None)[self.draw(3)]
        self.log(f"URL ready (expires in {lifetime})")
        protocol.handle(self.now, UrlReady(Secret(url), self.now, lifetime))

    def _fill(self, protocol: EventStreamProtocol, job: _Fill) -> None:
        if not job.read and self.draw(4):
            self.read(job)
            return
        self.fills.remove(job)
        if self.ended_at is not None:
            self.log("gap fill refused: the chat ended")
            protocol.handle(self.now, GapFailed(job.fill, DENIED))
            return
        fault = self.fault(2) if job.read else self.draw(2)  # not read yet: it failed
        if job.error is None and fault == -1:
            self.log("gap fill answered")
            protocol.handle(self.now, GapReady(job.fill))
        else:
            error = job.error or (
                ThrottlingError("x", code="ThrottlingException", status_code=429)
                if fault == 0
                else InternalServerError("x", code="ServiceUnavailableException", status_code=503)
            )
            self.log(f"gap fill failed: {type(error).__name__}")
            protocol.handle(self.now, GapFailed(job.fill, error))

    def read(self, job: _Fill) -> None:
        """The shell's part of a fill: the transcript newest first to ``offer`` until it says stop."""
        job.read = True
        try:
            for raw in self.transcript():
                if not job.fill.offer(Item(raw)):
                    break
        except Exception as exc:  # the shell turns this into GapFailed
            job.error = exc
        self.log(f"gap fill read: {len(job.fill.items)} items")

    # --- once the faults stop -----------------------------------------------------------------

    def settle(self, protocol: EventStreamProtocol) -> None:
        """Answer everything promptly until the stream ends (or the time allowed runs out)."""
        self.quiet = True
        self.log("--- faults stop ---")
        if self.ends_early and self.ended_at is None:
            self.end_on_ack = (
                len(self.acked) + 1
            )  # the next socket acknowledged (a rollover's, at the latest)
        for item in self.items:
            while self.current[item.key] < item.final:
                self.update_item(item)
        self.perform(protocol)
        start = self.now
        ended_at: float | None = None
        while not protocol.finished and self.failed is None:
            busy = False
            while self.url_requests:
                self._url(protocol, None)
                busy = True
            for sid in list(self.socks):
                sock = self.socks.get(sid)
                if sock is None:
                    continue
                if sock.state == "connecting":
                    self._open(protocol, sid)
                    busy = True
                while sock.outbound and sid in self.socks:
                    self._server(protocol, sid)
                    busy = True
                while sock.inbound and sid in self.socks:
                    self._deliver(protocol, sid)
                    busy = True
                if sock.state == "closing" and sid in self.socks:
                    self._closed(protocol, sid)
                    busy = True
            for job in list(self.fills):
                self.read(job)
                self._fill(protocol, job)
                busy = True
            self.perform(protocol)
            if not busy:
                if ended_at is None and not self.ends_early:  # (else the next acknowledgement ends it)
                    self.end_chat()
                    ended_at = self.now
                    continue
                deadline = protocol.next_deadline()
                self.now = max(
                    self.now + 0.001, min(deadline if deadline is not None else self.now + 1, self.now + 1)
                )
            self.fire(protocol)
            if self.now - start > QUIET_LIMIT:
                raise Violation(
                    "stalled", f"the chat's end not delivered {QUIET_LIMIT:.0f} s after faults stopped"
                )

    # --- the invariant ------------------------------------------------------------------------

    def check(self, start_index: int) -> None:
        if self.failed is not None:
            raise Violation("stream failed", repr(self.failed))
        if self.max_socks > 5:
            raise Violation("too many sockets", f"{self.max_socks} at once (the service allows 5)")
        expected = [item.key for item in self.items[start_index:]]
        new: list[str] = []
        typing_seen: set[str] = set()
        delivered: dict[str, list[int]] = {}
        last_print: dict[str, str] = {}
        for event in self.events:
            if isinstance(event, RemovedFromChat):
                raise Violation("removed", f"the stream ended as removed from the chat: {event.item.content}")
            text = state_print(event.item)
            if text in self.socket_only:
                key = self.socket_only[text]
                if key in typing_seen or event.is_update:
                    raise Violation("duplicate", f"socket-only item {key} delivered twice")
                typing_seen.add(key)
                continue
            if text not in self.by_print:
                raise Violation("invented", f"delivered something the service never sent: {text[:120]}")
            key, index = self.by_print[text]
            if event.is_update:
                if key not in delivered:
                    raise Violation("update first", f"update of {key} before the item itself")
                if event.previous is None or state_print(event.previous) != last_print[key]:
                    raise Violation("wrong previous", f"update of {key} names the wrong previous state")
                if index <= delivered[key][-1]:
                    raise Violation(
                        "state order", f"{key}: state {index} delivered after state {delivered[key][-1]}"
                    )
                delivered[key].append(index)
            else:
                if key in delivered:
                    raise Violation("duplicate", f"{key} delivered as new twice")
                delivered[key] = [index]
                new.append(key)
            last_print[key] = text
        if new != expected:
            missing = [short(k) for k in expected if k not in new]
            extra = [short(k) for k in new if k not in expected]
            kind = "missing" if missing else "unexpected" if extra else "order"
            raise Violation(kind, f"{len(new)} of {len(expected)} items delivered as new; missing {missing[:6]}, "
                            f"not expected {extra[:6]}")  # fmt: skip
        for item in self.items[start_index:]:
            if delivered[item.key][-1] != item.final:
                raise Violation("final state", f"{short(item.key)} ({item.kind}) ended at state "
                                f"{delivered[item.key][-1]}, not its final {item.final}")  # fmt: skip
        if not isinstance(self.events[-1], ChatEnded):
            raise Violation("stalled", "the last event is not the chat's end")


def short(key: str) -> str:
    """An item key for messages: the Id, or the content of an item without one."""
    if key.startswith("id:"):
        return key[3:]
    try:
        return "no Id: " + str(json.loads(key[6:]).get("Content"))
    except ValueError:
        return key[:60]


def play(world: World) -> None:
    """Run ``world``'s schedule against a fresh protocol, then check the invariant."""
    # items before the stream starts, then the start point: a time, or after an item
    before = world.soft_draw(4, 1)
    for _ in range(before):
        world.add_item(0, started=False)
        world.now += 0.5
    after = world.items[-1].states[0]["Id"] if before and world.soft_draw(2, 0) else None
    world.now += 0.5
    since = None if after is not None else WALL0 + timedelta(seconds=round(world.now - CLOCK0, 3))
    protocol = EventStreamProtocol(
        CONFIG, after=after, since=since, random=lambda: world.soft_draw(1000, 500) / 1000
    )
    world.log(f"stream starts {'after ' + after if after else 'at ' + str(since)}")
    protocol.start(world.now)
    world.perform(protocol)
    while not protocol.finished and world.failed is None and not world.exhausted:
        world.step(protocol)
    if world.failed is None and not protocol.finished:
        world.settle(protocol)
    world.check(before)


def run(choices: list[int]) -> World:
    world = World(choices)
    play(world)
    return world


def first_violation(choices: list[int]) -> Violation | None:
    try:
        run(choices)
    except Violation as exc:
        return exc
    return None


def shrink(choices: list[int], budget: float = 20.0) -> list[int]:
    """A smaller schedule failing the same way (deleting runs of choices, then lowering them)."""
    target = first_violation(choices)
    assert target is not None

    def fails(candidate: list[int]) -> bool:
        found = first_violation(candidate)
        return found is not None and found.kind == target.kind

    end = time.monotonic() + budget
    improved = True
    while improved and time.monotonic() < end:
        improved = False
        size = max(1, len(choices) // 2)
        while size >= 1 and time.monotonic() < end:
            i = 0
            while i < len(choices) and time.monotonic() < end:
                candidate = choices[:i] + choices[i + size :]
                if fails(candidate):
                    choices = candidate
                    improved = True
                else:
                    i += size
            size //= 2
        for i in range(len(choices)):
            if time.monotonic() > end:
                break
            for lower in (0, choices[i] // 2, choices[i] - 1):
                if 0 <= lower < choices[i]:
                    candidate = [*choices[:i], lower, *choices[i + 1 :]]
                    if fails(candidate):
                        choices = candidate
                        improved = True
                        break
    return choices


def schedule(seed: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(1 << 16) for _ in range(rng.randrange(20, 400))]


def search(seeds: range, on_progress: Callable[[int], None] | None = None) -> tuple[int, list[int] | None]:
    """Run the schedules of ``seeds``; the first failing one, or None, and how many ran."""
    ran = 0
    for seed in seeds:
        choices = schedule(seed)
        ran += 1
        if first_violation(choices) is not None:
            return ran, choices
        if on_progress is not None and ran % 5000 == 0:
            on_progress(ran)
    return ran, None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.getLogger("connect_participant.events").setLevel(logging.ERROR)  # junk frames are logged
    began = time.monotonic()
    ran, failing = search(
        range(args.seed, args.seed + args.schedules),
        lambda n: print(f"{n} schedules, {time.monotonic() - began:.0f} s", file=sys.stderr, flush=True),
    )
    if failing is None:
        print(f"{ran} schedules (seeds {args.seed}..{args.seed + ran - 1}): no violation")
        return 0
    small = shrink(failing, budget=120)
    print(f"violation after {ran} schedules; shrunk from {len(failing)} to {len(small)} choices")
    print(replay_trace(small))
    return 1


def replay_trace(choices: list[int]) -> str:
    """What happened in one schedule, step by step, and its violation if any."""
    world = World(choices, trace=True)
    message = "no violation"
    try:
        play(world)
    except Violation as exc:
        message = f"violation: {exc}"
    return f"{message}\nschedule: {choices}\n" + "\n".join(world.trace or [])


if __name__ == "__main__":
    sys.exit(main())
