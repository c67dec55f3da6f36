"""Transcript paging edges the main tests left open (found by ``make mutate``): each parameter's
error names it, the start position's bounds and types, and odd answers (empty or non-string
NextToken, a Transcript that is not a list, a non-string InitialContactId)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from connect_participant import InvalidInputError, InvalidResponseError
from connect_participant._pagination import Transcript, TranscriptCursor, start_position

ITEM = {"Id": "i-1", "Type": "MESSAGE", "Content": "hi"}
WRONG_START = (
    r"^start: must be None, an item id \(str\), an aware datetime or a most-recent count \(int 0\.\.100\)$"
)


def _rejects(argument: str, match: str, **kwargs: Any) -> None:
    with pytest.raises(InvalidInputError, match=match) as caught:
        TranscriptCursor(**kwargs)
    assert caught.value.argument == argument


@pytest.mark.parametrize(
    ("kwargs", "argument", "match"),
    [
        ({"direction": "SIDEWAYS"}, "direction", r"must be one of (FORWARD, BACKWARD|BACKWARD, FORWARD)$"),
        ({"sort": "RANDOM"}, "sort", r"must be one of (ASCENDING, DESCENDING|DESCENDING, ASCENDING)$"),
        ({"contact_id": ""}, "contact_id", "1"),
        ({"page_size": 101}, "page_size", r"must be 1\.\.100"),
        ({"start": ""}, "start", "1"),
        ({"start": datetime(2026, 1, 1)}, "start", "timezone-aware"),  # naive on purpose
        ({"start": 101}, "start", r"must be 0\.\.100"),
        ({"start": -1}, "start", r"must be 0\.\.100"),
        (
            {"start": 3.5},
            "start",
            WRONG_START,
        ),
        (
            {"start": True},
            "start",
            WRONG_START,
        ),
    ],
)
def test_each_bad_parameter_is_named(kwargs: dict[str, Any], argument: str, match: str) -> None:
    _rejects(argument, match, **kwargs)


@pytest.mark.parametrize(
    ("start", "position"),
    [
        (0, {"MostRecent": 0}),
        (100, {"MostRecent": 100}),
        ("item-1", {"Id": "item-1"}),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), {"AbsoluteTime": "2026-01-02T03:04:05.000Z"}),
        (None, None),
    ],
)
def test_start_positions_at_the_bounds(start: object, position: dict[str, Any] | None) -> None:
    got = start_position(start)
    assert (None if got is None else got.to_dict()) == position


def _pages(answers: list[dict[str, Any]]) -> tuple[list[list[str]], list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def fetch(request: Any) -> dict[str, Any]:
        sent.append(json.loads(request.body))
        return answers[len(sent) - 1]

    pages = list(Transcript(TranscriptCursor(), sync_fetch=fetch).pages())
    return [[item.id for item in page.items] for page in pages], sent


@pytest.mark.parametrize("token", ["", 5, None, ["t"]])
def test_a_next_token_that_is_not_a_nonempty_string_ends_paging(token: object) -> None:
    ids, sent = _pages([{"Transcript": [ITEM], "NextToken": token}, {"Transcript": []}])
    assert ids == [["i-1"]]
    assert len(sent) == 1


def test_a_fresh_cursor_is_not_done() -> None:
    cursor = TranscriptCursor()
    assert cursor.done is False
    cursor.accept({"Transcript": []})
    assert cursor.done is True


@pytest.mark.parametrize("transcript", [5, "abc", {"Id": "i-1"}, None])
def test_a_transcript_that_is_not_a_list_is_an_empty_page(transcript: object) -> None:
    page = TranscriptCursor().accept({"Transcript": transcript, "InitialContactId": 7})
    assert page.items == []
    assert page.initial_contact_id is None


async def test_a_transcript_belongs_to_one_kind_of_session() -> None:
    async def afetch(request: Any) -> dict[str, Any]:
        return {}

    with pytest.raises(TypeError, match=r"^this transcript belongs to an AsyncChatSession: use 'async for'$"):
        list(Transcript(TranscriptCursor(), async_fetch=afetch))
    with pytest.raises(TypeError, match=r"^this transcript belongs to a ChatSession: use 'for'$"):
        async for _ in Transcript(TranscriptCursor(), sync_fetch=lambda r: {}).pages():
            pass


async def test_items_are_iterated_across_pages_sync_and_async() -> None:
    answers = [{"Transcript": [ITEM], "NextToken": "t1"}, {"Transcript": [{**ITEM, "Id": "i-2"}]}]

    def fetch(request: Any) -> dict[str, Any]:
        return answers[json.loads(request.body).get("NextToken") == "t1"]

    async def afetch(request: Any) -> dict[str, Any]:
        return fetch(request)

    assert [item.id for item in Transcript(TranscriptCursor(), sync_fetch=fetch)] == ["i-1", "i-2"]
    assert [item.id async for item in Transcript(TranscriptCursor(), async_fetch=afetch)] == ["i-1", "i-2"]


async def test_each_iteration_of_a_looping_transcript_names_its_own_pages() -> None:
    # a service that hands back the same NextToken forever: every iteration starts again from
    # page 1, so each one's error names pages 2 and 1
    loop = "GetTranscript page 2 repeated the NextToken of page 1: the transcript would loop"

    def fetch(request: Any) -> dict[str, Any]:
        return {"Transcript": [ITEM], "NextToken": "same"}

    async def afetch(request: Any) -> dict[str, Any]:
        return fetch(request)

    transcript = Transcript(TranscriptCursor(), sync_fetch=fetch)
    for _ in range(2):
        with pytest.raises(InvalidResponseError) as caught:
            list(transcript)
        assert (caught.value.code, caught.value.message) == ("RepeatedNextToken", loop)
    with pytest.raises(InvalidResponseError) as caught:
        async for _ in Transcript(TranscriptCursor(), async_fetch=afetch):
            pass
    assert caught.value.message == loop
