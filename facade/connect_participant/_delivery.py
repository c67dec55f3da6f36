"""New item, update, or repeat: the events stream's one de-duplication policy (pure, no I/O).

The service sends an item again under the same ``Id`` when its state changes: an ATTACHMENT
when the scan ends (``Attachments[].Status`` IN_PROGRESS → APPROVED | REJECTED), a streamed
AI message for each chunk (``MessageMetadata {MessageCompleted: false, ChunkNumber: n}``) and
once more, complete (``MessageCompleted: true``, the whole text), a message whose processing
ends (``MessageMetadata.MessageProcessingStatus`` PROCESSING → …), a message whose receipts
grew (as the transcript shows them). The stream also sees the very same item twice: on two
sockets during a rollover, live and again in a gap fill. ``DeliveryLedger.judge`` tells them
apart:

- ``NEW``: an ``Id`` not delivered before → an event with ``previous=None``;
- ``UPDATE``: a known ``Id`` in a state not delivered before and not older than the last one
  delivered → an event of the same type with ``previous`` = the item as last delivered
  (``event.is_update`` is true);
- ``REPEAT``: a state of this ``Id`` already delivered (compared on the whole item but the
  fields that say where it was sent from, ``ContactId`` and ``InitialContactId``) → dropped;
- ``STALE``: a state older than the last one delivered (a chunk after a later chunk or after
  the completed message, IN_PROGRESS after APPROVED, a transcript copy without the receipts
  already delivered) → dropped.

"Older" is ``progress(item)``: settled beats unsettled (see ``settled``), then a higher
``ChunkNumber``, then more receipt timestamps. Items without an ``Id`` are keyed by their
whole content, so only exact repeats of them are dropped. A message's ``MessageMetadata`` that
holds only its own ``MessageId`` and ``Receipts: []`` (every message of the service's
transcripts has it; socket copies have none) counts as absent.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from ._models import Item

__all__ = ["DeliveryLedger", "Verdict", "item_key", "progress", "settled", "state_print"]

#: fields that say where a copy of an item was sent from, not what state it is in
_WHERE_FROM: Final = frozenset({"ContactId", "InitialContactId"})


class Verdict(enum.Enum):
    NEW = "new"
    UPDATE = "update"
    REPEAT = "repeat"
    STALE = "stale"


def _metadata(item: Item) -> Mapping[str, Any] | None:
    meta = item.raw.get("MessageMetadata")
    return meta if isinstance(meta, Mapping) else None


def settled(item: Item) -> bool:
    """Whether the item is in a final state: no attachment still being scanned, a streamed
    message completed (``MessageCompleted`` not ``false``), processing not ``PROCESSING``."""
    meta = _metadata(item)
    if meta is not None and (
        meta.get("MessageCompleted") is False or meta.get("MessageProcessingStatus") == "PROCESSING"
    ):
        return False
    return not any(attachment.status == "IN_PROGRESS" for attachment in item.attachments)


def progress(item: Item) -> tuple[int, int, int]:
    """How far along its life an item's state is (compared between states of one ``Id``)."""
    meta = _metadata(item)
    chunk = meta.get("ChunkNumber") if meta is not None else None
    if not isinstance(chunk, int) or isinstance(chunk, bool):
        chunk = 0
    receipts = meta.get("Receipts") if meta is not None else None
    stamps = 0
    if isinstance(receipts, list):
        for receipt in receipts:
            if isinstance(receipt, Mapping):
                stamps += sum(1 for k in ("DeliveredTimestamp", "ReadTimestamp") if receipt.get(k))
    return (int(settled(item)), chunk, stamps)


def _bare_metadata(item: Item, meta: Any) -> bool:
    """``MessageMetadata`` that says nothing: no receipts yet (``Receipts: []``) and the item's own
    ``MessageId``. The service's transcript lists every message with it; the socket's copy of the
    same message has none: the same state."""
    if not isinstance(meta, Mapping) or meta.get("Receipts", []) != []:
        return False
    return all(k == "Receipts" or (k == "MessageId" and v == item.id) for k, v in meta.items())


def state_print(item: Item) -> str:
    """The item's state as one string: its whole JSON but ``ContactId`` / ``InitialContactId``
    (and a ``MessageMetadata`` that says nothing, see ``_bare_metadata``)."""
    state = {k: v for k, v in item.raw.items() if k not in _WHERE_FROM}
    if "MessageMetadata" in state and _bare_metadata(item, state["MessageMetadata"]):
        del state["MessageMetadata"]
    try:
        return json.dumps(state, sort_keys=True, separators=(",", ":"), default=repr)
    except (TypeError, ValueError, RecursionError):
        return repr(sorted(state))  # not JSON-like at all: one state per set of keys


def item_key(item: Item) -> str:
    """What makes two arrivals the same item: its ``Id``, or for an item without one its state."""
    item_id = item.id
    return "id:" + item_id if item_id else "state:" + state_print(item)


class _Record:
    __slots__ = ("last", "prints", "progress")

    def __init__(self, last: Item | None) -> None:
        self.last = last
        self.prints: set[str] | None = None  # computed when a second arrival needs them
        self.progress = progress(last) if last is not None else (0, 0, 0)

    def known_prints(self) -> set[str]:
        if self.prints is None:
            self.prints = {state_print(self.last)} if self.last is not None else set()
        return self.prints


class DeliveryLedger:
    """What the stream delivered, per item key, for the last ``size`` items (oldest forgotten).

    ``judge`` says what an arrival is without recording it; ``accept`` judges and records a
    ``NEW`` or ``UPDATE``. ``unsettled()`` lists the delivered items whose last state was not
    final (a gap fill reads back far enough to see what became of them).
    """

    __slots__ = ("_records", "_size", "_unsettled")

    def __init__(self, size: int) -> None:
        self._records: dict[str, _Record] = {}
        self._unsettled: dict[str, None] = {}
        self._size = size

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def seed(self, item_id: str) -> None:
        """The stream starts after this item: it counts as delivered (its state is taken from the
        first copy that arrives)."""
        self._add("id:" + item_id, _Record(None))

    def judge(self, item: Item, key: str | None = None) -> tuple[Verdict, Item | None]:
        """The verdict for ``item`` and the item as last delivered under its key (or ``None``)."""
        record = self._records.get(item_key(item) if key is None else key)
        if record is None:
            return Verdict.NEW, None
        if record.last is None:
            return Verdict.REPEAT, None
        if state_print(item) in record.known_prints():
            return Verdict.REPEAT, record.last
        if progress(item) < record.progress:
            return Verdict.STALE, record.last
        return Verdict.UPDATE, record.last

    def accept(self, item: Item) -> tuple[Verdict, Item | None]:
        """``judge``, then record ``item`` as delivered if it is new or an update."""
        key = item_key(item)
        verdict, previous = self.judge(item, key)
        if verdict is Verdict.NEW:
            self._add(key, _Record(item))
        else:
            record = self._records[key]
            if record.last is None:  # the seeded start item: its first copy sets its state
                self._records[key] = _Record(item)
            elif verdict is Verdict.UPDATE:
                record.known_prints().add(state_print(item))
                record.last = item
                record.progress = progress(item)
            else:
                return verdict, previous
        if settled(item):
            self._unsettled.pop(key, None)
        else:
            self._unsettled[key] = None
        return verdict, previous

    def unsettled(self) -> Iterator[str]:
        """Keys of delivered items whose last delivered state was not final."""
        return iter(tuple(self._unsettled))

    def _add(self, key: str, record: _Record) -> None:
        self._records[key] = record
        if len(self._records) > self._size:
            oldest = next(iter(self._records))
            del self._records[oldest]
            self._unsettled.pop(oldest, None)
