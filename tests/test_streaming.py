"""Streamed answers stitched as AWS's chat library does (pure): chunk 1 starts, the next chunk
number appends, a chunk out of order is ignored, the completed message replaces the text."""

from __future__ import annotations

from typing import Any

from connect_participant import Item, Message
from connect_participant._events import event_from_item
from connect_participant._streaming import StreamedText
from hypothesis import given, settings
from hypothesis import strategies as st


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


# --- randomized delivery schedules: chunks duplicated, dropped, reordered, then the completion ---


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.text(alphabet="abc xyz", min_size=1, max_size=40),
    cuts=st.lists(st.integers(min_value=1, max_value=39), max_size=8),
    schedule=st.lists(
        st.tuples(st.integers(min_value=0, max_value=9), st.sampled_from(["send", "twice"])), max_size=20
    ),
    complete_twice=st.booleans(),
)
def test_any_schedule_gives_prefixes_then_the_whole_text(
    text: str, cuts: list[int], schedule: list[tuple[int, str]], complete_twice: bool
) -> None:
    bounds = sorted({c for c in cuts if c < len(text)})
    pieces = [text[a:b] for a, b in zip([0, *bounds], [*bounds, len(text)], strict=True)]
    stitched = StreamedText()
    for index, how in schedule:  # any order, repeats, gaps: chunk numbers index + 1
        if index >= len(pieces):
            continue
        for _ in range(2 if how == "twice" else 1):
            so_far = stitched.feed(_chunk(index + 1, pieces[index]))
            assert so_far is None or text.startswith(so_far)  # never a wrong or garbled text
    for _ in range(2 if complete_twice else 1):
        assert stitched.feed(_chunk(None, text, completed=True)) == text
    assert stitched.feed(_chunk(None, text, completed=True, item_id="other")) == text
