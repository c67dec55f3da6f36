"""The events stream's de-duplication policy (``_delivery``), rule by rule, pure: what counts as
settled, how far along its life a state is, what makes two arrivals the same item or the same
state, and what the ledger remembers (found by ``make mutate --module _delivery``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from connect_participant import Item
from connect_participant._delivery import DeliveryLedger, Verdict, item_key, progress, settled, state_print


def _message(meta: Any = None, **extra: Any) -> Item:
    raw: dict[str, Any] = {
        "Id": "m1",
        "Type": "MESSAGE",
        "ContentType": "text/plain",
        "Content": "hi",
        **extra,
    }
    if meta is not None:
        raw["MessageMetadata"] = meta
    return Item(raw)


def _receipt(delivered: bool, read: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"RecipientParticipantId": "p"}
    if delivered:
        out["DeliveredTimestamp"] = "2026-12-06T10:00:00.000Z"
    if read:
        out["ReadTimestamp"] = "2026-12-06T10:00:01.000Z"
    return out


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        (None, (1, 0, 0)),
        ("not an object", (1, 0, 0)),  # metadata that is not an object counts as none
        ({"MessageCompleted": False, "ChunkNumber": 3}, (0, 3, 0)),
        ({"MessageCompleted": True, "ChunkNumber": 3}, (1, 3, 0)),
        ({"ChunkNumber": True}, (1, 0, 0)),  # a boolean is no chunk number
        ({"ChunkNumber": "4"}, (1, 0, 0)),  # nor is a string
        ({"ChunkNumber": 2.0}, (1, 0, 0)),
        ({"Receipts": [_receipt(True, False)]}, (1, 0, 1)),
        ({"Receipts": [_receipt(False, True)]}, (1, 0, 1)),
        ({"Receipts": [_receipt(True, True), _receipt(True, False)]}, (1, 0, 3)),
        ({"Receipts": [_receipt(False, False), "junk", 7]}, (1, 0, 0)),
        ({"Receipts": {"DeliveredTimestamp": "x"}}, (1, 0, 0)),  # receipts must be a list
        ({"MessageProcessingStatus": "PROCESSING"}, (0, 0, 0)),
        ({"MessageProcessingStatus": "processing"}, (1, 0, 0)),  # AWS's values are upper case
        ({"MessageProcessingStatus": "COMPLETED"}, (1, 0, 0)),
    ],
)
def test_progress_is_settled_then_chunk_then_receipt_stamps(
    meta: Any, expected: tuple[int, int, int]
) -> None:
    item = _message(meta)
    assert progress(item) == expected
    assert settled(item) is bool(expected[0])


def test_an_attachment_is_settled_only_when_no_file_is_still_scanned() -> None:
    def files(*statuses: str) -> Item:
        return Item(
            {
                "Id": "a",
                "Type": "ATTACHMENT",
                "Attachments": [{"AttachmentId": s, "Status": s} for s in statuses],
            }
        )

    assert settled(files("APPROVED", "REJECTED"))
    assert not settled(files("APPROVED", "IN_PROGRESS"))


def test_an_item_is_keyed_by_its_id_or_else_by_its_whole_state() -> None:
    assert item_key(_message()) == "id:m1"
    no_id = Item({"Type": "EVENT", "ContentType": "x"})
    assert item_key(no_id) == "state:" + state_print(no_id)


def test_the_state_print_ignores_where_a_copy_came_from_and_the_order_of_members() -> None:
    one = Item({"Id": "m1", "Content": "a", "ContactId": "c1", "InitialContactId": "c0"})
    other = Item({"InitialContactId": "cX", "ContactId": "c2", "Content": "a", "Id": "m1"})
    assert state_print(one) == state_print(other) == '{"Content":"a","Id":"m1"}'
    ledger = DeliveryLedger(5)
    ledger.accept(one)
    assert ledger.accept(other) == (Verdict.REPEAT, one)


def test_values_json_cannot_write_still_tell_states_apart() -> None:
    one, two = (Item({"Id": "m1", "Amount": Decimal(n)}) for n in ("1", "2"))
    assert state_print(one) != state_print(two)
    ledger = DeliveryLedger(5)
    ledger.accept(one)
    assert ledger.accept(two)[0] is Verdict.UPDATE


def test_an_item_json_cannot_write_at_all_is_one_state_per_set_of_members() -> None:
    def looped(*names: str) -> Item:
        raw: dict[str, Any] = {}
        for name in names:
            raw[name] = raw  # a loop: not JSON
        return Item(raw)

    assert state_print(looped("a", "b")) == state_print(looped("b", "a")) == repr(["a", "b"])
    assert state_print(looped("a")) != state_print(looped("a", "b"))


def test_a_seeded_start_item_is_a_repeat_and_its_first_copy_sets_its_state() -> None:
    ledger = DeliveryLedger(5)
    ledger.seed("m1")
    first = _message({"MessageCompleted": False, "ChunkNumber": 1})
    assert ledger.judge(first) == (Verdict.REPEAT, None)
    assert ledger.accept(first) == (Verdict.REPEAT, None)
    assert list(ledger.unsettled()) == ["id:m1"]  # the first copy's state is what counts now
    assert ledger.accept(first) == (Verdict.REPEAT, first)
    done = _message({"MessageCompleted": True})
    assert ledger.accept(done) == (Verdict.UPDATE, first)
    assert list(ledger.unsettled()) == []


def test_a_forgotten_item_leaves_the_unsettled_list_too() -> None:
    ledger = DeliveryLedger(1)
    ledger.accept(_message({"MessageCompleted": False, "ChunkNumber": 1}))
    assert list(ledger.unsettled()) == ["id:m1"]
    ledger.accept(Item({"Id": "m2", "Type": "MESSAGE"}))
    assert "id:m1" not in ledger
    assert list(ledger.unsettled()) == []


def test_an_older_state_is_stale_and_a_newer_one_an_update() -> None:
    ledger = DeliveryLedger(5)
    chunk2 = _message({"MessageCompleted": False, "ChunkNumber": 2})
    assert ledger.accept(chunk2) == (Verdict.NEW, None)
    assert ledger.accept(_message({"MessageCompleted": False, "ChunkNumber": 1})) == (Verdict.STALE, chunk2)
    chunk3 = _message({"MessageCompleted": False, "ChunkNumber": 3})
    assert ledger.accept(chunk3) == (Verdict.UPDATE, chunk2)
    read = _message({"Receipts": [_receipt(True, True)]})
    assert ledger.accept(read) == (Verdict.UPDATE, chunk3)
    assert ledger.accept(_message({"Receipts": [_receipt(True, False)]})) == (Verdict.STALE, read)


# -- a MessageMetadata that says nothing ------------------------------------------------------------
# The service's transcript lists every message with MessageMetadata {MessageId: its own id,
# Receipts: []}; the socket's copy of the same message has none. Such metadata says nothing: the
# two are one state. Any other metadata is part of the state.


@pytest.mark.parametrize(
    "meta",
    [
        {"MessageId": "m1", "Receipts": []},  # the transcript's copy of a message nobody received yet
        {"Receipts": [], "MessageId": "m1"},
        {"MessageId": "m1"},  # no receipts member: none yet either
        {"Receipts": []},
        {},
    ],
)
def test_metadata_with_only_the_items_own_id_and_no_receipts_is_the_socket_copys_state(meta: Any) -> None:
    socket_copy = _message()
    transcript_copy = _message(meta, ContactId="c1")
    assert state_print(transcript_copy) == state_print(socket_copy) == state_print(_message(meta))
    assert (
        state_print(socket_copy) == '{"Content":"hi","ContentType":"text/plain","Id":"m1","Type":"MESSAGE"}'
    )
    ledger = DeliveryLedger(5)
    ledger.accept(socket_copy)
    assert ledger.accept(transcript_copy) == (Verdict.REPEAT, socket_copy)


@pytest.mark.parametrize(
    "meta",
    [
        {"MessageId": "m2", "Receipts": []},  # another message's id
        {"MessageId": "m1", "Receipts": [_receipt(True, False)]},  # a receipt came
        {"MessageId": "m1", "Receipts": None},  # receipts that are not an empty list
        {"MessageId": "m1", "Receipts": [], "MessageCompleted": True},  # a member that says something
        {"Other": "m1"},  # the item's id under another name
        {"receipts": [], "MessageId": "m1"},  # AWS's names are case-sensitive
        {"messageid": "m1"},
        "m1",  # metadata that is not an object is kept as it is
        [],
    ],
)
def test_any_other_metadata_is_part_of_the_state(meta: Any) -> None:
    socket_copy = _message()
    with_meta = _message(meta)
    assert state_print(with_meta) != state_print(socket_copy)
    assert '"MessageMetadata":' in state_print(with_meta)
    ledger = DeliveryLedger(5)
    ledger.accept(socket_copy)
    assert ledger.accept(with_meta)[0] is Verdict.UPDATE
