"""Typed results: transcript items (shared with the events stream) and call results.

``Item`` is a thin, read-only view over the JSON object AWS sends (a
transcript entry, or the decoded ``content`` of an ``aws/chat`` WebSocket
frame): building one costs a reference, fields are read on access, and
unknown item types or roles are kept as plain strings, never rejected.
``Item.from_json(obj)`` accepts the object or a JSON string (the WebSocket
sends a string). ``item.raw`` is the original mapping.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ._interactive import INTERACTIVE, InteractiveTemplate, parse_interactive
from ._secrets import Secret

__all__ = ["Attachment", "ConnectionInfo", "Item", "Receipt", "SendResult", "parse_time"]


def parse_time(value: object) -> datetime | None:
    """AWS's ISO 8601 strings (``…Z`` or ``+00:00``) to aware datetimes; ``None`` if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment of a transcript item, or the result of ``upload_attachment``."""

    id: str | None
    name: str | None
    content_type: str | None
    status: str | None  # IN_PROGRESS, APPROVED, REJECTED (or a newer value)
    size: int | None = None  # bytes; known for an attachment this client uploaded


@dataclass(frozen=True, slots=True)
class Receipt:
    """A delivered/read receipt in an item's message metadata."""

    recipient_participant_id: str | None
    delivered_at: str | None
    read_at: str | None


class Item:
    """One transcript item (message, event, attachment, ...)."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    @classmethod
    def from_json(cls, value: str | bytes | Mapping[str, Any]) -> Item:
        obj = json.loads(value) if isinstance(value, str | bytes) else value
        if not isinstance(obj, Mapping):
            raise ValueError("a transcript item must be a JSON object")
        return cls(obj)

    @property
    def id(self) -> str | None:
        return _str(self.raw, "Id")

    @property
    def type(self) -> str | None:
        """TYPING, MESSAGE, EVENT, ATTACHMENT, PARTICIPANT_JOINED, ... (unknown values kept)."""
        return _str(self.raw, "Type")

    @property
    def content(self) -> str | None:
        return _str(self.raw, "Content")

    @property
    def content_type(self) -> str | None:
        return _str(self.raw, "ContentType")

    @property
    def participant_id(self) -> str | None:
        return _str(self.raw, "ParticipantId")

    @property
    def participant_role(self) -> str | None:
        """AGENT, CUSTOMER, SYSTEM, CUSTOM_BOT, SUPERVISOR (unknown values kept)."""
        return _str(self.raw, "ParticipantRole")

    @property
    def display_name(self) -> str | None:
        return _str(self.raw, "DisplayName")

    @property
    def absolute_time(self) -> str | None:
        """The item's time as AWS sent it (ISO 8601, e.g. ``2026-11-26T15:00:00.123Z``)."""
        return _str(self.raw, "AbsoluteTime")

    @property
    def time(self) -> datetime | None:
        """``absolute_time`` as an aware datetime."""
        return parse_time(self.raw.get("AbsoluteTime"))

    @property
    def contact_id(self) -> str | None:
        return _str(self.raw, "ContactId")

    @property
    def related_contact_id(self) -> str | None:
        return _str(self.raw, "RelatedContactId")

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        entries = self.raw.get("Attachments")
        if not isinstance(entries, list):
            return ()
        return tuple(
            Attachment(
                _str(a, "AttachmentId"), _str(a, "AttachmentName"), _str(a, "ContentType"), _str(a, "Status")
            )
            for a in entries
            if isinstance(a, Mapping)
        )

    @property
    def message_id(self) -> str | None:
        """For receipts: the id of the message the metadata is about."""
        meta = self.raw.get("MessageMetadata")
        return _str(meta, "MessageId") if isinstance(meta, Mapping) else None

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        meta = self.raw.get("MessageMetadata")
        entries = meta.get("Receipts") if isinstance(meta, Mapping) else None
        if not isinstance(entries, list):
            return ()
        return tuple(
            Receipt(
                _str(r, "RecipientParticipantId"), _str(r, "DeliveredTimestamp"), _str(r, "ReadTimestamp")
            )
            for r in entries
            if isinstance(r, Mapping)
        )

    @property
    def interactive(self) -> InteractiveTemplate | None:
        """For an interactive message (``…message.interactive``): its typed template, else ``None``."""
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


@dataclass(frozen=True, slots=True)
class SendResult:
    """What SendMessage / SendEvent return: the new item's id and time."""

    id: str | None
    absolute_time: str | None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> SendResult:
        return cls(_str(doc, "Id"), _str(doc, "AbsoluteTime"))


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
    def from_json(cls, doc: Mapping[str, Any]) -> ConnectionInfo:
        creds = doc.get("ConnectionCredentials")
        token = creds.get("ConnectionToken") if isinstance(creds, Mapping) else None
        if not isinstance(token, str) or not token:
            raise ValueError("CreateParticipantConnection returned no ConnectionCredentials.ConnectionToken")
        socket = doc.get("Websocket")
        url = _str(socket, "Url") if isinstance(socket, Mapping) else None
        return cls(
            connection_token=Secret(token),
            expires_at=parse_time(creds.get("Expiry") if isinstance(creds, Mapping) else None),
            websocket_url=Secret(url) if url else None,
            websocket_expires_at=parse_time(socket.get("ConnectionExpiry"))
            if isinstance(socket, Mapping)
            else None,
        )
