"""Transcript paging: the pure cursor, and lazy iteration over real HTTP in both directions
and from each start position, sync and async."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from _servers import FakeParticipantService, connected_chat
from connect_participant import AsyncParticipantClient, ChatSession, Item, ParticipantClient
from connect_participant._errors import InvalidResponseError
from connect_participant._pagination import TranscriptCursor

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


# -- pure ----------------------------------------------------------------------------------------


def test_cursor_follows_next_token_and_repeats_parameters() -> None:
    cursor = TranscriptCursor(direction="FORWARD", sort="DESCENDING", page_size=2, start="item-3")
    first = cursor.next_request()
    assert first is not None
    assert first.operation == "GetTranscript"
    assert first.body is not None
    assert json.loads(first.body) == {
        "MaxResults": 2,
        "ScanDirection": "FORWARD",
        "SortOrder": "DESCENDING",
        "StartPosition": {"Id": "item-3"},
    }
    page = cursor.accept({"Transcript": [{"Id": "a"}, {"Id": "b"}, "junk"], "NextToken": "t1"})
    assert [item.id for item in page.items] == ["a", "b"]
    second = cursor.next_request()
    assert second is not None
    assert second.body is not None
    assert json.loads(second.body) == {**json.loads(first.body), "NextToken": "t1"}
    cursor.accept({"Transcript": []})
    assert cursor.done
    assert cursor.next_request() is None


def test_cursor_ends_with_an_error_on_a_repeated_token() -> None:
    cursor = TranscriptCursor()
    cursor.accept({"Transcript": [], "NextToken": "same"})
    assert not cursor.done
    with pytest.raises(InvalidResponseError, match="page 2 repeated the NextToken of page 1") as caught:
        cursor.accept({"Transcript": [], "NextToken": "same"})
    assert caught.value.code == "RepeatedNextToken"
    assert cursor.done
    assert cursor.next_request() is None


def test_cursor_ends_with_an_error_on_a_cycle_of_tokens() -> None:
    cursor = TranscriptCursor()
    for token in ("A", "B", "C"):
        cursor.accept({"Transcript": [], "NextToken": token})
        assert not cursor.done
    with pytest.raises(InvalidResponseError, match="page 4 repeated the NextToken of page 2"):
        cursor.accept({"Transcript": [], "NextToken": "B"})
    fresh = cursor.restart()  # a new iteration starts with no tokens seen
    fresh.accept({"Transcript": [], "NextToken": "B"})
    assert not fresh.done


@pytest.mark.parametrize(
    ("start", "position"),
    [
        ("item-1", {"Id": "item-1"}),
        (datetime(2026, 11, 26, 11, 0, 0, 5000, tzinfo=UTC), {"AbsoluteTime": "2026-11-26T11:00:00.005Z"}),
        (
            datetime(2026, 11, 26, 12, 0, tzinfo=UTC).astimezone(),
            {"AbsoluteTime": "2026-11-26T12:00:00.000Z"},
        ),
        (5, {"MostRecent": 5}),
        (0, {"MostRecent": 0}),
    ],
)
def test_start_positions(start: object, position: dict[str, object]) -> None:
    import json

    request = TranscriptCursor(start=start).next_request()
    assert request is not None
    assert request.body is not None
    assert json.loads(request.body)["StartPosition"] == position


def test_item_view_keeps_unknown_values_and_parses_times() -> None:
    item = Item.from_json(
        '{"Id":"i","Type":"BRAND_NEW","ParticipantRole":"ROBOT","AbsoluteTime":"2026-11-26T10:00:01.500Z",'
        '"Attachments":[{"AttachmentId":"a","AttachmentName":"f.pdf","ContentType":"application/pdf",'
        '"Status":"APPROVED"}],"MessageMetadata":{"MessageId":"m","Receipts":[{"ReadTimestamp":"t",'
        '"RecipientParticipantId":"p"}]}}'
    )
    assert (item.type, item.participant_role) == ("BRAND_NEW", "ROBOT")
    assert item.time == datetime(2026, 11, 26, 10, 0, 1, 500000, tzinfo=UTC)
    assert item.attachments[0].name == "f.pdf"
    assert item.attachments[0].status == "APPROVED"
    assert item.message_id == "m"
    assert item.receipts[0].read_at == "t"
    assert item.content is None
    assert item == Item(dict(item.raw))
    assert "BRAND_NEW" in repr(item)


# -- over HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        service.add_items(25, T0)
        yield service


@pytest.fixture
def chat(svc: FakeParticipantService) -> Iterator[ChatSession]:
    yield from connected_chat(svc)


def _ids(items: object) -> list[str]:
    return [item.id for item in items]  # type: ignore[attr-defined]


def test_lazy(chat: ChatSession, svc: FakeParticipantService) -> None:
    transcript = chat.transcript(page_size=10)
    assert svc.count("GetTranscript") == 0
    first = next(iter(transcript))
    assert first.id is not None
    assert svc.count("GetTranscript") == 1


def test_backward_over_three_pages(chat: ChatSession, svc: FakeParticipantService) -> None:
    items = list(chat.transcript(direction="BACKWARD", sort="ASCENDING", page_size=10))
    assert len(items) == 25
    assert len(set(_ids(items))) == 25
    pages = svc.of("GetTranscript")
    assert len(pages) == 3
    assert [p.body.get("NextToken") for p in pages] == [None, "10", "20"]
    assert all(p.body["ScanDirection"] == "BACKWARD" and p.body["MaxResults"] == 10 for p in pages)
    # the newest page comes first, each page in ascending order
    assert _ids(items[:10]) == [f"item-{n:04d}" for n in range(15, 25)]


def test_forward_over_three_pages(chat: ChatSession, svc: FakeParticipantService) -> None:
    items = list(chat.transcript(direction="FORWARD", page_size=10, start="item-0000"))
    assert _ids(items) == [f"item-{n:04d}" for n in range(25)]
    assert svc.count("GetTranscript") == 3


def test_descending_sort(chat: ChatSession) -> None:
    items = list(chat.transcript(direction="FORWARD", sort="DESCENDING", page_size=10, start="item-0000"))
    assert _ids(items[:10]) == [f"item-{n:04d}" for n in range(9, -1, -1)]


def test_start_by_id(chat: ChatSession, svc: FakeParticipantService) -> None:
    forward = list(chat.transcript(direction="FORWARD", page_size=4, start="item-0012"))
    assert _ids(forward) == [f"item-{n:04d}" for n in range(12, 25)]
    backward = list(chat.transcript(direction="BACKWARD", page_size=4, start="item-0012"))
    assert sorted(_ids(backward)) == [f"item-{n:04d}" for n in range(13)]
    assert all(p.body["StartPosition"] == {"Id": "item-0012"} for p in svc.of("GetTranscript"))


def test_start_by_absolute_time(chat: ChatSession, svc: FakeParticipantService) -> None:
    items = list(chat.transcript(direction="FORWARD", page_size=4, start=T0 + timedelta(seconds=20)))
    assert _ids(items) == [f"item-{n:04d}" for n in range(20, 25)]
    assert svc.of("GetTranscript")[0].body["StartPosition"] == {"AbsoluteTime": "2026-11-26T10:00:20.000Z"}
    assert svc.count("GetTranscript") == 2


def test_start_most_recent(chat: ChatSession, svc: FakeParticipantService) -> None:
    items = list(chat.transcript(direction="BACKWARD", page_size=3, start=7))
    assert sorted(_ids(items)) == [f"item-{n:04d}" for n in range(18, 25)]
    assert svc.count("GetTranscript") == 3
    assert svc.of("GetTranscript")[0].body["StartPosition"] == {"MostRecent": 7}


def test_pages_and_contact_id(chat: ChatSession, svc: FakeParticipantService) -> None:
    pages = list(chat.transcript(page_size=10, contact_id="earlier-contact").pages())
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert [p.next_token for p in pages] == ["10", "20", None]
    assert pages[0].initial_contact_id == "contact-1"
    assert svc.of("GetTranscript")[0].body["ContactId"] == "earlier-contact"


def test_empty_transcript() -> None:
    with FakeParticipantService() as empty, ParticipantClient(endpoint_url=empty.endpoint_url) as client:
        assert list(client.connect(empty.new_participant()).transcript()) == []


def test_sync_transcript_refuses_async_for(chat: ChatSession) -> None:
    with pytest.raises(TypeError, match="use 'for'"):
        chat.transcript().__aiter__().__anext__().send(None)


async def test_async_both_directions(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(svc.new_participant())
        backward = [item async for item in chat.transcript(page_size=10)]
        forward = [
            item async for item in chat.transcript(direction="FORWARD", page_size=10, start="item-0000")
        ]
        recent = [item async for item in chat.transcript(page_size=2, start=5)]
        pages = [page async for page in chat.transcript(page_size=10).pages()]
        with pytest.raises(TypeError, match="use 'async for'"):
            list(chat.transcript())
    assert len(backward) == 25
    assert _ids(forward) == [f"item-{n:04d}" for n in range(25)]
    assert len(recent) == 5
    assert len(pages) == 3
    assert svc.count("GetTranscript") == 3 + 3 + 3 + 3


def test_a_transcript_can_be_iterated_again(chat: ChatSession, svc: FakeParticipantService) -> None:
    transcript = chat.transcript(page_size=10)
    assert len(list(transcript)) == 25
    assert len(list(transcript)) == 25
    assert svc.count("GetTranscript") == 6
