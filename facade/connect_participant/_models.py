"""Typed results over the generated models: transcript items (shared with the events stream) and call results.

``Item`` is a read-only view of one transcript entry (or the decoded ``content``
of an ``aws/chat`` WebSocket frame): ``item.model`` is the generated
``connect_participant_api.models.Item`` it wraps (every member the spec has,
typed, including members added by the next ``make generate``), ``item.raw`` the
mapping AWS sent. The convenience properties (``content``, ``time``,
``receipts``, ``message_processing_status``, ...) read absent members as
``None``, never ``UNSET``; unknown item types, roles and statuses are kept as
strings (the generated enums keep values they do not know).
``Item.from_json(obj)`` accepts the object or a JSON string (the WebSocket
sends a string). ``SendResult`` wraps SendMessage's or SendEvent's response
model the same way; ``Attachment`` and ``Receipt`` expose theirs as ``.model``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from connect_participant_api.types import UNSET, Unset

from ._secrets import Secret

if TYPE_CHECKING:
    from connect_participant_api.models import (
        AttachmentItem,
        CreateParticipantConnectionResponse,
        SendEventResponse,
        SendMessageResponse,
    )
    from connect_participant_api.models import Item as ItemModel
    from connect_participant_api.models import Receipt as ReceiptModel

    from ._interactive import InteractiveTemplate

__all__ = ["Attachment", "ConnectionInfo", "Item", "Receipt", "SendResult", "parse_time"]


def _load_item(raw: Mapping[str, Any]) -> ItemModel:
    """The generated ``Item`` model's ``from_dict``, imported on the first item (not with the SDK)."""
    global _parse_item
    from connect_participant_api.models.item import Item as ItemModel

    _parse_item = ItemModel.from_dict
    return _parse_item(raw)


_parse_item = _load_item


def parse_time(value: object) -> datetime | None:
    """AWS's ISO 8601 strings (``…Z`` or ``+00:00``) to aware datetimes; ``None`` if absent or unreadable.

    A time without a zone is read as UTC (AWS's times are UTC). Years outside 1970..9000 count
    as unreadable (arithmetic near ``datetime``'s ends overflows).
    """
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when if 1970 <= when.year <= 9000 else None


def _str(value: object) -> str | None:
    """A member as ``str`` or ``None`` (absent, ``UNSET`` or not a string)."""
    return value if isinstance(value, str) else None


def _enum(value: StrEnum | Unset) -> str | None:
    """An enum member as its plain string value (unknown values were kept by the generated enum)."""
    return None if isinstance(value, Unset) else value.value


def _unset(value: str | None) -> str | Unset:
    return UNSET if value is None else value


def _lenient(model: Any, raw: Mapping[str, Any]) -> Any:
    """``model.from_dict(raw)``, or, if some member does not fit the spec, from the members that do."""
    try:
        return model.from_dict(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        fitting = {}
        for key, value in raw.items():
            try:
                model.from_dict({key: value})
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            fitting[key] = value
        return model.from_dict(fitting)


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment of a transcript item, or the result of ``upload_attachment``."""

    id: str | None
    """The attachment's id (``AttachmentId``)."""
    name: str | None
    """The file's name."""
    content_type: str | None
    """The file's content type."""
    status: str | None  # IN_PROGRESS, APPROVED, REJECTED (or a newer value)
    """The scan status: ``IN_PROGRESS``, ``APPROVED``, ``REJECTED`` (or a newer value)."""
    size: int | None = None  # bytes; known for an attachment this client uploaded
    """The size in bytes; known for an attachment this client uploaded, else ``None``."""
    _model: AttachmentItem | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_model(cls, model: AttachmentItem) -> Attachment:
        """The attachment a generated ``AttachmentItem`` describes."""
        return cls(
            _str(model.attachment_id), _str(model.attachment_name), _str(model.content_type), _enum(model.status),
            None, model,
        )  # fmt: skip

    @property
    def model(self) -> AttachmentItem:
        """The generated ``AttachmentItem`` (the transcript's, or one made of what an upload knows)."""
        from connect_participant_api.models.attachment_item import AttachmentItem

        if self._model is not None and _enum(self._model.status) == self.status:
            return self._model
        made = (
            AttachmentItem.from_dict(self._model.to_dict()) if self._model is not None else AttachmentItem()
        )
        made.attachment_id, made.attachment_name = _unset(self.id), _unset(self.name)
        made.content_type = _unset(self.content_type)
        made.status = AttachmentItem.from_dict({"Status": self.status}).status if self.status else UNSET
        return made


@dataclass(frozen=True, slots=True)
class Receipt:
    """A delivered/read receipt in an item's message metadata."""

    recipient_participant_id: str | None
    """The participant the receipt is from (who received or read the message)."""
    delivered_at: str | None
    """When the message was delivered to them (ISO 8601), if it was."""
    read_at: str | None
    """When they read the message (ISO 8601), if they did."""
    _model: ReceiptModel | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_model(cls, model: ReceiptModel) -> Receipt:
        """The receipt a generated ``Receipt`` model describes."""
        return cls(
            _str(model.recipient_participant_id),
            _str(model.delivered_timestamp),
            _str(model.read_timestamp),
            model,
        )

    @property
    def model(self) -> ReceiptModel:
        """The generated ``Receipt`` model."""
        if self._model is not None:
            return self._model
        from connect_participant_api.models.receipt import Receipt as ReceiptModel

        return ReceiptModel(
            recipient_participant_id=_unset(self.recipient_participant_id),
            delivered_timestamp=_unset(self.delivered_at),
            read_timestamp=_unset(self.read_at),
        )


class Item:
    """One transcript item (message, event, attachment, ...): a view of the generated ``Item`` model."""

    __slots__ = ("model", "raw")

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        """The item's JSON object exactly as AWS sent it."""
        try:  # (the common case inline: a transcript converts every item as it is yielded)
            self.model: ItemModel = _parse_item(raw)
            """The generated ``connect_participant_api.models.Item``: every member the spec has, typed."""
        except (KeyError, TypeError, ValueError, AttributeError):
            from connect_participant_api.models.item import Item as ItemModel

            self.model = _lenient(ItemModel, raw)

    @classmethod
    def from_json(cls, value: str | bytes | Mapping[str, Any]) -> Item:
        """The item a transcript or event JSON object describes (never raises on odd members)."""
        obj = json.loads(value) if isinstance(value, str | bytes) else value
        if not isinstance(obj, Mapping):
            raise ValueError("a transcript item must be a JSON object")
        return cls(obj)

    @property
    def id(self) -> str | None:
        """The item's ``Id``."""
        value = self.model.id
        return value if isinstance(value, str) else None

    @property
    def type(self) -> str | None:
        """TYPING, MESSAGE, EVENT, ATTACHMENT, PARTICIPANT_JOINED, ... (unknown values kept)."""
        return _enum(self.model.type_)

    @property
    def content(self) -> str | None:
        """The message's content (text or JSON), or an event's; ``None`` when absent."""
        value = self.model.content
        return value if isinstance(value, str) else None

    @property
    def content_type(self) -> str | None:
        """The item's content type (a message's, or the event's ``application/vnd.amazonaws.connect.event.…``)."""
        value = self.model.content_type
        return value if isinstance(value, str) else None

    @property
    def participant_id(self) -> str | None:
        """The sender's ``ParticipantId``."""
        return _str(self.model.participant_id)

    @property
    def participant_role(self) -> str | None:
        """AGENT, CUSTOMER, SYSTEM, CUSTOM_BOT, SUPERVISOR (unknown values kept)."""
        return _enum(self.model.participant_role)

    @property
    def display_name(self) -> str | None:
        """The sender's display name."""
        return _str(self.model.display_name)

    @property
    def absolute_time(self) -> str | None:
        """The item's time as AWS sent it (ISO 8601, e.g. ``2026-11-26T15:00:00.123Z``)."""
        return _str(self.model.absolute_time)

    @property
    def time(self) -> datetime | None:
        """``absolute_time`` as an aware datetime."""
        return parse_time(self.model.absolute_time)

    @property
    def contact_id(self) -> str | None:
        """The contact the item belongs to (after a transfer, the new contact's id)."""
        return _str(self.model.contact_id)

    @property
    def related_contact_id(self) -> str | None:
        """The related contact's id, when the item names one."""
        return _str(self.model.related_contact_id)

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """The attachments the item carries (empty for anything but an attachment)."""
        entries = self.model.attachments
        if isinstance(entries, Unset):
            return ()
        return tuple(Attachment.from_model(entry) for entry in entries)

    @property
    def message_id(self) -> str | None:
        """For receipts: the id of the message the metadata is about."""
        meta = self.model.message_metadata
        return None if isinstance(meta, Unset) else _str(meta.message_id)

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        """The read and delivered receipts of a message, one per recipient."""
        meta = self.model.message_metadata
        if isinstance(meta, Unset) or isinstance(meta.receipts, Unset):
            return ()
        return tuple(Receipt.from_model(entry) for entry in meta.receipts)

    @property
    def message_processing_status(self) -> str | None:
        """PROCESSING, FAILED, REJECTED (Connect's message processing; unknown values kept)."""
        meta = self.model.message_metadata
        return None if isinstance(meta, Unset) else _enum(meta.message_processing_status)

    @property
    def interactive(self) -> InteractiveTemplate | None:
        """For an interactive message (``…message.interactive``): its typed template, else ``None``."""
        from ._interactive import INTERACTIVE, parse_interactive  # on first use (cold start)

        if self.content_type != INTERACTIVE:
            return None
        return parse_interactive(self.content)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Item) and self.raw == other.raw

    def __hash__(self) -> int:
        return hash((self.id, self.type, self.absolute_time))

    def __repr__(self) -> str:
        return (
            f"Item(id={self.id!r}, type={self.type!r}, participant_role={self.participant_role!r}, "
            f"content_type={self.content_type!r}, absolute_time={self.absolute_time!r})"
        )


M = TypeVar("M", "SendMessageResponse", "SendEventResponse")


class SendResult(Generic[M]):
    """What SendMessage / SendEvent return: a view of the generated response model (``.model``:
    ``SendMessageResponse`` or ``SendEventResponse``, every member the spec has)."""

    __slots__ = ("model",)

    def __init__(self, model: M) -> None:
        self.model: M = model
        """The generated response model (``SendMessageResponse`` / ``SendEventResponse``)."""

    @property
    def id(self) -> str | None:
        """The ``Id`` the service gave the message or event."""
        return _str(self.model.id)

    @property
    def absolute_time(self) -> str | None:
        """When the service recorded it, as AWS wrote it (ISO 8601)."""
        return _str(self.model.absolute_time)

    @property
    def time(self) -> datetime | None:
        """When the service recorded it, an aware UTC ``datetime``."""
        return parse_time(self.model.absolute_time)

    @property
    def message_processing_status(self) -> str | None:
        """SendMessage's PROCESSING, FAILED or REJECTED (``None`` for events, or if the service did not say)."""
        meta = getattr(self.model, "message_metadata", UNSET)  # SendEventResponse has none
        return None if isinstance(meta, Unset) else _enum(meta.message_processing_status)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SendResult) and self.model == other.model

    def __hash__(self) -> int:
        return hash((self.id, self.absolute_time))

    def __repr__(self) -> str:
        return f"SendResult(id={self.id!r}, absolute_time={self.absolute_time!r})"


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """A CreateParticipantConnection result; tokens and URLs are ``Secret``."""

    connection_token: Secret
    expires_at: datetime | None
    websocket_url: Secret | None = None
    websocket_expires_at: datetime | None = None
    #: ``time.monotonic()`` when it arrived: the events stream uses ``websocket_url`` only while fresh
    received_at: float = field(default_factory=time.monotonic, compare=False)

    @classmethod
    def from_model(cls, model: CreateParticipantConnectionResponse) -> ConnectionInfo:
        creds = model.connection_credentials
        token = None if isinstance(creds, Unset) else _str(creds.connection_token)
        if not token:
            raise ValueError("CreateParticipantConnection returned no ConnectionCredentials.ConnectionToken")
        socket = model.websocket
        url = None if isinstance(socket, Unset) else _str(socket.url)
        expiry = None if isinstance(creds, Unset) or isinstance(creds.expiry, Unset) else creds.expiry
        expires_at = parse_time(expiry)
        if expiry is not None and expires_at is None:
            raise ValueError(
                "CreateParticipantConnection returned an unreadable ConnectionCredentials.Expiry"
            )
        return cls(
            connection_token=Secret(token),
            expires_at=expires_at,
            websocket_url=Secret(url) if url else None,
            websocket_expires_at=None if isinstance(socket, Unset) else parse_time(socket.connection_expiry),
        )
