"""Streamed answers stitched as AWS's chat library does (pure): chunk 1 starts, the next chunk
number appends, a chunk out of order is ignored, the completed message replaces the text."""

from __future__ import annotations

from typing import Any

from connect_participant import Item, Message
from connect_participant._events import event_from_item
from connect_participant._streaming import StreamedText


def _chunk(number: int | None, text: str, *, completed: bool = False, item_id: str = "m1") -> Message:
    meta: dict[str, Any] = {"MessageCompleted": completed}
    if number is not None:
        meta["ChunkNumber"] = number
    raw = {"Type": "MESSAGE", "Id": item_id, "ContentType": "text/plain", "Content": text,
           "ParticipantRole": "SYSTEM", "MessageMetadata": meta}  # fmt: skip
    event = event_from_item(Item(raw))
    assert isinstance(event, Message)
    return event


def test_chunks_append_in_order_and_the_completed_message_replaces_them() -> None:
    text = StreamedText()
    assert text.feed(_chunk(1, "Hel")) == "Hel"
    assert text.feed(_chunk(2, "lo")) == "Hello"
    assert text.feed(_chunk(4, " late")) == "Hello"  # 3 is missing: ignored, wait for the completion
    assert text.feed(_chunk(3, ", w")) == "Hello, w"
    assert text.feed(_chunk(3, ", w")) == "Hello, w"  # a repeat changes nothing
    assert text.feed(_chunk(None, "Hello, world", completed=True)) == "Hello, world"


def test_what_is_not_a_streamed_chunk() -> None:
    text = StreamedText()
    plain = event_from_item(Item({"Type": "MESSAGE", "Id": "p", "Content": "hi"}))
    assert isinstance(plain, Message)
    assert (plain.streamed, plain.completed, plain.chunk_number) == (False, True, None)
    assert text.feed(plain) is None
    assert text.feed(_chunk(2, "no start", item_id="m2")) is None  # a stream starts with chunk 1
    assert text.feed(_chunk(None, "whole", completed=True, item_id="m3")) == "whole"
    chunk = _chunk(1, "a")
    assert (chunk.streamed, chunk.completed, chunk.chunk_number) == (True, False, 1)
