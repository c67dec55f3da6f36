"""The events stream keeps what the service sent before the chat ended, even when the socket
closes while a gap fill runs and the reconnection is refused (403).

Found running real contact flows on the emulator: a flow that says something and disconnects
the customer right after the stream subscribes. Its frames arrive while the stream's first
transcript read runs (so they are held), the socket then closes (the chat ended), the read
answers, and the new connection is refused: the held items were dropped with the 403.
"""

from __future__ import annotations

from connect_participant import ChatEnded, Message, ParticipantLeft, RemovedFromChat
from connect_participant._errors import AccessDeniedError
from connect_participant._models import Item
from connect_participant._ws_protocol import Closed, FetchGap, FrameIn, GapReady, UrlFailed
from test_events_protocol import ACK, Driver, chat_frame, emitted, ids, item

DENIED = AccessDeniedError("no", code="AccessDeniedException", status_code=403)


def test_items_held_during_a_fill_are_delivered_when_the_reconnection_is_refused() -> None:
    d = Driver(after="id-0")
    sock = d.connect()
    (fetch,) = [a for a in d.feed(FrameIn(sock, ACK)) if isinstance(a, FetchGap)]
    d.feed(FrameIn(sock, chat_frame(item(2))))  # held: the fill has not answered yet
    d.feed(
        FrameIn(
            sock, chat_frame(item(3, "EVENT", "application/vnd.amazonaws.connect.event.participant.left"))
        )
    )
    d.feed(Closed(sock, 1000))  # the chat ended: the service closed the socket
    fetch.fill.offer(Item(item(1)))
    fetch.fill.offer(Item({"Id": "id-0"}))
    delivered = ids(d.feed(GapReady(fetch.fill)))
    d.advance(100)  # a new connection is asked for
    actions = d.feed(UrlFailed(DENIED))
    events = emitted(actions)
    assert delivered == ["id-1"]
    assert [e.id for e in events[:-1]] == ["id-2", "id-3"]  # each once, in order, then the end
    assert [type(e) for e in events] == [Message, ParticipantLeft, RemovedFromChat]  # refused: out of it
    assert isinstance(events[-1], ChatEnded)
    assert d.p.finished
