"""Streamed answers (AI agents, Lex with message streaming): the chunks stitched into the text so
far, as AWS's chat library does it (``PartialMessageUtil``), pure and without I/O.

On the socket a streamed answer is a series of MESSAGE items under one ``Id`` with
``MessageMetadata {MessageCompleted: false, ChunkNumber: 1..n}`` — each holding its chunk —
then the same ``Id`` with ``MessageCompleted: true`` holding the whole text. ``events()``
delivers the first chunk as a ``Message`` and the rest as updates of it (``is_update``).
``StreamedText.feed(event)`` returns the text so far: chunk 1 starts it, the next chunk number
appends, a chunk out of order is ignored (the completed message will carry everything), the
completed message replaces it.
"""

from __future__ import annotations

from ._events import Event, Message

__all__ = ["StreamedText"]


class StreamedText:
    """The text so far of each streamed answer, by message ``Id`` (keeps ``size`` answers)."""

    __slots__ = ("_parts", "_size")

    def __init__(self, size: int = 1000) -> None:
        self._parts: dict[str, tuple[int, list[str]]] = {}  # id -> (last chunk number, chunks)
        self._size = size

    def feed(self, event: Event) -> str | None:
        """The text so far of the answer ``event`` belongs to; ``None`` for anything but a
        streamed message (or a chunk that cannot start one)."""
        if not isinstance(event, Message) or not event.streamed or event.id is None:
            return None
        key = event.id
        content = event.content or ""
        if event.completed:
            self._parts.pop(key, None)
            return content
        number = event.chunk_number
        known = self._parts.get(key)
        if known is None:
            if number != 1:
                return None
            self._parts[key] = (1, [content])
            if len(self._parts) > self._size:
                del self._parts[next(iter(self._parts))]
            return content
        last, chunks = known
        if number == last + 1:
            chunks.append(content)
            self._parts[key] = (number, chunks)
        return "".join(chunks)
