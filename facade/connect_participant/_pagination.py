"""Transcript paging: a pure cursor, and one page object for ``for`` and ``async for``.

``TranscriptCursor`` is the state machine: ``next_request()`` gives the next
GetTranscript ``Request`` (or ``None`` when done); ``accept(doc)`` takes the
decoded response, records ``NextToken`` and returns the page's items. Every
request repeats the original parameters (direction, sort, page size, start
position, contact id) with the latest ``NextToken``, as AWS paginators do.
Paging cannot loop: a ``NextToken`` already seen in this iteration (the one
just sent, or any earlier one: a cycle A, B, A, ...) ends it with
``InvalidResponseError`` (code ``RepeatedNextToken``) naming the page.

``Transcript`` is what ``chat.transcript(...)`` returns. It is lazy: no
request is made until it is iterated, and each iteration starts again from the
first page (so it can be iterated more than once). It wraps a page fetcher that is either
sync (``ChatSession``) or async (``AsyncChatSession``) and offers items and
pages with ``for``/``async for`` accordingly, like stripe's ``AnyIterator``.
The events stream can fill a gap with ``chat.transcript(start=last_item_id,
direction="FORWARD")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from . import _operations as ops
from ._errors import InvalidInputError, InvalidResponseError
from ._models import Item
from ._validation import (
    check_absolute_time,
    check_choice,
    check_member,
    check_page_size,
    directions,
    sorts,
)

if TYPE_CHECKING:
    from connect_participant_api.models import StartPosition

__all__ = ["Page", "Transcript", "TranscriptCursor", "start_position"]

Start = str | datetime | int | None


_JUST_DICT: Final = frozenset({dict})

#: GetTranscriptRequest members by the names ``chat.transcript()`` takes them
_NAMES = {
    "max_results": "page_size",
    "scan_direction": "direction",
    "sort_order": "sort",
    "start_position.id": "start",
    "start_position.absolute_time": "start",
    "start_position.most_recent": "start",
}


def start_position(start: object) -> StartPosition | None:
    """``start``: an item id (str), a point in time (aware datetime) or the N most recent items (int)."""
    if start is None:
        return None
    from connect_participant_api.models.start_position import StartPosition

    if isinstance(start, str):
        return StartPosition(id=check_member("start", start, StartPosition, "id"))
    if isinstance(start, datetime):
        return StartPosition(absolute_time=check_absolute_time("start", start))
    if isinstance(start, int) and not isinstance(start, bool):
        return StartPosition(most_recent=check_member("start", start, StartPosition, "most_recent"))
    raise InvalidInputError(
        "start", "must be None, an item id (str), an aware datetime or a most-recent count (int 0..100)"
    )


@dataclass(frozen=True, slots=True)
class Page:
    """One GetTranscript page (its items are made when first asked for)."""

    entries: list[Mapping[str, Any]]
    """The page's items as AWS sent them (JSON objects)."""
    next_token: str | None
    """The ``NextToken`` for the following page; ``None`` on the last."""
    initial_contact_id: str | None
    """The chat's first contact id (``InitialContactId``)."""

    @property
    def items(self) -> list[Item]:
        """The page's items, typed."""
        return [Item(entry) for entry in self.entries]


class TranscriptCursor:
    """Pure paging state for GetTranscript."""

    __slots__ = ("_base", "_done", "_next_token", "_pages", "_seen")

    def __init__(
        self,
        *,
        direction: object = "BACKWARD",
        sort: object = "ASCENDING",
        page_size: object = 100,
        start: object = None,
        contact_id: object = None,
    ) -> None:
        from connect_participant_api.models.get_transcript_request import GetTranscriptRequest
        from connect_participant_api.models.scan_direction import ScanDirection
        from connect_participant_api.models.sort_key import SortKey

        base = GetTranscriptRequest(
            max_results=check_page_size(page_size),
            scan_direction=ScanDirection(check_choice("direction", direction, directions())),
            sort_order=SortKey(check_choice("sort", sort, sorts())),
        )
        position = start_position(start)
        if position is not None:
            base.start_position = position
        if contact_id is not None:
            base.contact_id = check_member("contact_id", contact_id, GetTranscriptRequest, "contact_id")
        self._base = base
        self._next_token: str | None = None
        self._done = False
        self._seen: dict[str, int] = {}  # NextToken -> the page (1-based) that gave it
        self._pages = 0

    @property
    def done(self) -> bool:
        return self._done

    def restart(self) -> TranscriptCursor:
        """A cursor with the same parameters, back at the first page."""
        fresh = TranscriptCursor.__new__(TranscriptCursor)
        fresh._base, fresh._next_token, fresh._done = self._base, None, False
        fresh._seen, fresh._pages = {}, 0
        return fresh

    def next_request(self) -> ops.Request | None:
        if self._done:
            return None
        if self._next_token is None:
            return ops.get_transcript(self._base, _NAMES)
        return ops.get_transcript(attrs.evolve(self._base, next_token=self._next_token), _NAMES)

    def accept(self, doc: Mapping[str, Any]) -> Page:
        raw_items = doc.get("Transcript")
        if not isinstance(raw_items, list):
            entries: list[Mapping[str, Any]] = []
        elif set(map(type, raw_items)) <= _JUST_DICT:  # what JSON gives: no ABC check per item
            entries = raw_items
        else:
            entries = [entry for entry in raw_items if isinstance(entry, Mapping)]
        token = doc.get("NextToken")
        token = token if isinstance(token, str) and token else None
        self._pages += 1
        if token is not None:
            first = self._seen.get(token)
            if first is not None:
                self._done = True
                raise InvalidResponseError(
                    f"GetTranscript page {self._pages} repeated the NextToken of page {first}: "
                    "the transcript would loop",
                    code="RepeatedNextToken",
                )
            self._seen[token] = self._pages
        else:
            self._done = True
        self._next_token = token
        initial = doc.get("InitialContactId")
        return Page(entries, token, initial if isinstance(initial, str) else None)


SyncFetch = Callable[[ops.Request], Mapping[str, Any]]
AsyncFetch = Callable[[ops.Request], Awaitable[Mapping[str, Any]]]


class Transcript:
    """Every transcript item across pages, fetched lazily as you iterate.

    ``for item in chat.transcript()`` (``ChatSession``) or
    ``async for item in chat.transcript()`` (``AsyncChatSession``);
    ``.pages()`` iterates whole ``Page`` objects the same way.
    """

    __slots__ = ("_async_fetch", "_cursor", "_sync_fetch")

    def __init__(
        self,
        cursor: TranscriptCursor,
        *,
        sync_fetch: SyncFetch | None = None,
        async_fetch: AsyncFetch | None = None,
    ) -> None:
        self._cursor = cursor
        self._sync_fetch = sync_fetch
        self._async_fetch = async_fetch

    def _need(self, kind: str) -> None:
        if kind == "sync" and self._sync_fetch is None:
            raise TypeError("this transcript belongs to an AsyncChatSession: use 'async for'")
        if kind == "async" and self._async_fetch is None:
            raise TypeError("this transcript belongs to a ChatSession: use 'for'")

    def _sync_pages(self) -> Iterator[Page]:
        self._need("sync")
        assert self._sync_fetch is not None
        cursor = self._cursor.restart()
        while (request := cursor.next_request()) is not None:
            yield cursor.accept(self._sync_fetch(request))

    async def _async_pages(self) -> AsyncIterator[Page]:
        self._need("async")
        assert self._async_fetch is not None
        cursor = self._cursor.restart()
        while (request := cursor.next_request()) is not None:
            yield cursor.accept(await self._async_fetch(request))

    def pages(self) -> _Pages:
        """Iterate whole ``Page`` objects instead of items."""
        return _Pages(self)

    def __iter__(self) -> Iterator[Item]:
        for page in self._sync_pages():
            for entry in page.entries:  # each item converted as it is yielded, not a page up front
                yield Item(entry)

    async def __aiter__(self) -> AsyncIterator[Item]:
        async for page in self._async_pages():
            for entry in page.entries:
                yield Item(entry)


class _Pages:
    __slots__ = ("_transcript",)

    def __init__(self, transcript: Transcript) -> None:
        self._transcript = transcript

    def __iter__(self) -> Iterator[Page]:
        return self._transcript._sync_pages()

    def __aiter__(self) -> AsyncIterator[Page]:
        return self._transcript._async_pages()
