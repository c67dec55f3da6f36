"""Typed chat events, and the one pure mapping from a transcript item to its event.

Every event wraps the session's typed transcript ``Item`` (``event.item``);
the shortcuts (``event.id``, ``event.participant_id``, ...) read from it.

New items and updates. The service sends an item again under the same ``Id`` when its
state changes (an attachment's scan result, each chunk of a streamed AI message and then
the completed message, a message's processing status or receipts). ``events()`` delivers
such a re-sent item as an event of the same type with ``previous`` set to the item as it
was last delivered, so ``event.is_update`` tells a new item from an update of one already
seen; an exact repeat (the same frame on two sockets, or again in a gap fill) and an older
state arriving late are dropped (the policy: ``_delivery``). An event made outside the
stream (``event_from_item(item)``) has ``previous=None``. Subclasses add properties over
``item``, never fields, so every event type carries updates the same way.

How an item becomes an event (``event_from_item``):

- by ``Type``: MESSAGE → ``Message``, ATTACHMENT → ``AttachmentAdded``,
  TYPING, PARTICIPANT_JOINED, PARTICIPANT_LEFT, CHAT_ENDED,
  TRANSFER_SUCCEEDED, TRANSFER_FAILED, MESSAGE_DELIVERED, MESSAGE_READ → the
  event of that name;
- ``Type`` MESSAGEMETADATA (how the service sends receipts on the socket):
  ``ReadReceipt`` when a receipt has a ``ReadTimestamp``, else
  ``DeliveredReceipt``;
- otherwise (``Type`` EVENT and anything newer) by ``ContentType``
  ``application/vnd.amazonaws.connect.event.<name>``;
- anything else is an ``UnknownEvent`` (never an error).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from connect_participant_api.models import ChatItemType, ParticipantRole
from connect_participant_api.models import Item as ItemModel

from ._interactive import InteractiveTemplate, json_object
from ._models import Attachment, Item, Receipt

__all__ = [
    "AttachmentAdded",
    "AuthenticationCancelled",
    "AuthenticationExpired",
    "AuthenticationFailed",
    "AuthenticationInitiated",
    "AuthenticationSucceeded",
    "AuthenticationTimedOut",
    "ChatEnded",
    "ChatRehydrated",
    "ConnectionAcknowledged",
    "DeliveredReceipt",
    "Event",
    "Message",
    "ParticipantActive",
    "ParticipantAutoDisconnected",
    "ParticipantDisplayNameUpdated",
    "ParticipantIdle",
    "ParticipantInactive",
    "ParticipantInvited",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantReturned",
    "ReadReceipt",
    "RemovedFromChat",
    "TransferFailed",
    "TransferSucceeded",
    "Typing",
    "UnknownEvent",
    "WorkflowCancelled",
    "chat_ended_item",
    "event_class",
    "event_from_item",
]

EVENT_PREFIX: Final = "application/vnd.amazonaws.connect.event."


@dataclass(frozen=True, slots=True, repr=False)
class Event:
    """Base of every event: ``item`` is the transcript item it came from.

    ``previous`` is ``None`` for an item seen for the first time; for an update (the same
    ``Id`` re-sent in a new state) it is the item as the stream last delivered it.
    """

    item: Item
    """The transcript item this event carries, typed (the same ``Item`` the transcript yields)."""
    previous: Item | None = None
    """For an update (``is_update``), the item as it was last delivered; else ``None``."""

    @staticmethod
    def from_item(item: Item) -> Event:
        """The typed event the events stream yields for a transcript item (``Message``,
        ``Typing``, ``ParticipantJoined``, …, ``UnknownEvent`` for a kind it does not know), so
        one handler serves a transcript and the stream: ``match Event.from_item(item): …``."""
        return event_from_item(item)

    @property
    def is_update(self) -> bool:
        """Whether this event re-delivers an item already seen, in a new state (see ``previous``)."""
        return self.previous is not None

    @property
    def id(self) -> str | None:
        """The item's ``Id`` (``None`` for events that carry none)."""
        return self.item.id

    @property
    def participant_id(self) -> str | None:
        """The ``ParticipantId`` of the participant the event is from."""
        return self.item.participant_id

    @property
    def participant_role(self) -> str | None:
        """The sender's role: ``CUSTOMER``, ``AGENT``, ``SYSTEM``, ``CUSTOM_BOT``, ``SUPERVISOR`` (or a newer one)."""
        return self.item.participant_role

    @property
    def display_name(self) -> str | None:
        """The sender's display name in the chat."""
        return self.item.display_name

    @property
    def time(self) -> datetime | None:
        """When the service recorded the item (``AbsoluteTime``), an aware UTC ``datetime``."""
        return self.item.time

    def __repr__(self) -> str:
        update = ", update" if self.previous is not None else ""
        return f"{type(self).__name__}({self.item!r}{update})"


@dataclass(frozen=True, slots=True, repr=False)
class Message(Event):
    """A chat message (text/plain, text/markdown, JSON, interactive)."""

    @property
    def content(self) -> str | None:
        """The message's text (or JSON document, for structured content types)."""
        return self.item.content

    @property
    def content_type(self) -> str | None:
        """The message's content type (``text/plain``, ``text/markdown``, ``application/json``, ``…message.interactive``)."""
        return self.item.content_type

    @property
    def interactive(self) -> InteractiveTemplate | None:
        """The typed template of an interactive message (``ListPicker``, …), else ``None``."""
        return self.item.interactive

    @property
    def streamed(self) -> bool:
        """Part of a streamed answer (AI agents, Lex): ``MessageMetadata.MessageCompleted`` is set."""
        return isinstance(_metadata(self.item).get("MessageCompleted"), bool)

    @property
    def completed(self) -> bool:
        """False only for a chunk of a streamed answer still coming (its content is that chunk);
        the completed message (same ``Id``) holds the whole text."""
        return _metadata(self.item).get("MessageCompleted") is not False

    @property
    def chunk_number(self) -> int | None:
        """1, 2, … for the chunks of a streamed answer; ``None`` otherwise."""
        number = _metadata(self.item).get("ChunkNumber")
        return number if isinstance(number, int) and not isinstance(number, bool) else None


def _metadata(item: Item) -> Mapping[str, Any]:
    meta = item.raw.get("MessageMetadata")
    return meta if isinstance(meta, Mapping) else {}


@dataclass(frozen=True, slots=True, repr=False)
class Typing(Event):
    """The other side is typing."""


def _content_field(item: Item, key: str) -> str | None:
    """A string member of the item's JSON content (receipts' messageId, authentication's SessionId)."""
    doc = json_object(item.content)
    value = doc.get(key) if doc is not None else None
    return value if isinstance(value, str) else None


def _receipt_message_id(item: Item) -> str | None:
    meta_id = item.message_id
    if meta_id is not None:
        return meta_id
    return _content_field(item, "messageId")


@dataclass(frozen=True, slots=True, repr=False)
class _ReceiptEvent(Event):
    @property
    def message_id(self) -> str | None:
        """The message the receipt is about."""
        return _receipt_message_id(self.item)

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        """Per-recipient timestamps (MESSAGEMETADATA items only)."""
        return self.item.receipts


@dataclass(frozen=True, slots=True, repr=False)
class DeliveredReceipt(_ReceiptEvent):
    """A message was delivered to a participant."""


@dataclass(frozen=True, slots=True, repr=False)
class ReadReceipt(_ReceiptEvent):
    """A message was read by a participant."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantJoined(Event):
    """A participant joined the chat."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantLeft(Event):
    """A participant left the chat."""


@dataclass(frozen=True, slots=True, repr=False)
class ChatEnded(Event):
    """The chat ended for this participant; the events stream ends after this event.

    ``for_everyone``: true for the service's own ``CHAT_ENDED`` item (the chat is over for all);
    false for a ``RemovedFromChat``, which the SDK makes when the service refuses this
    participant without the stream having seen the chat end."""

    @property
    def for_everyone(self) -> bool:
        """Whether the chat is over for every participant (the service's own ``CHAT_ENDED``)."""
        return True


@dataclass(frozen=True, slots=True, repr=False)
class RemovedFromChat(ChatEnded):
    """The service refused this participant (403 on reconnecting or on reading the transcript)
    before the stream saw the chat end: it was removed from the chat (transferred away,
    auto-disconnected, disconnected from another window or by the flow) and the chat may go on
    for the others, or the chat ended while the stream was away (a 403 cannot tell which).
    A ``ChatEnded`` (the stream ends after it) with ``for_everyone`` false and no ``id``;
    ``reason`` says what was refused."""

    @property
    def for_everyone(self) -> bool:
        """Always false: only this participant is out; the chat may go on without it."""
        return False

    @property
    def reason(self) -> str:
        """What the service refused (a new connection, the transcript), in the SDK's words."""
        return self.item.content or ""


@dataclass(frozen=True, slots=True, repr=False)
class AttachmentAdded(Event):
    """A participant sent an attachment (``attachments`` has its id, name, type and scan status)."""

    @property
    def attachments(self) -> tuple[Attachment, ...]:
        """The attachments this item carries (usually one), with their scan status."""
        return self.item.attachments


@dataclass(frozen=True, slots=True, repr=False)
class TransferSucceeded(Event):
    """The contact was transferred."""


@dataclass(frozen=True, slots=True, repr=False)
class TransferFailed(Event):
    """A transfer of the contact failed."""


@dataclass(frozen=True, slots=True, repr=False)
class ConnectionAcknowledged(Event):
    """The service acknowledged a participant's connection (``connection.acknowledged``)."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantIdle(Event):
    """A participant has been idle for its role's idle timeout (the participant is the item's)."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantReturned(Event):
    """An idle participant sent something again."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantAutoDisconnected(Event):
    """An idle participant's auto-disconnect timeout passed: every participant but the customer
    is disconnected (``participant.autodisconnection``)."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantInvited(Event):
    """A participant was invited to the chat."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantActive(Event):
    """A participant became active (``participant.active``)."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantInactive(Event):
    """A participant became inactive (``participant.inactive``)."""


@dataclass(frozen=True, slots=True, repr=False)
class ParticipantDisplayNameUpdated(Event):
    """A participant's display name changed (``display_name`` is the new one), e.g. after sign-in."""


@dataclass(frozen=True, slots=True, repr=False)
class ChatRehydrated(Event):
    """A persistent chat continued an earlier one (read earlier items with ``transcript(contact_id=…)``)."""


@dataclass(frozen=True, slots=True, repr=False)
class WorkflowCancelled(Event):
    """``workflow.cancelled`` (AWS's chat library lists it; AWS documents no meaning for it)."""


@dataclass(frozen=True, slots=True, repr=False)
class _AuthenticationEvent(Event):
    @property
    def session_id(self) -> str | None:
        """The authentication session (``SessionId`` in the item's JSON content), if it says."""
        return _content_field(self.item, "SessionId")


@dataclass(frozen=True, slots=True, repr=False)
class AuthenticationInitiated(_AuthenticationEvent):
    """The flow asks the customer to sign in: call ``session.authentication_url(event.session_id,
    redirect_uri)`` within a minute, or ``session.cancel_authentication(event.session_id)``."""


@dataclass(frozen=True, slots=True, repr=False)
class AuthenticationSucceeded(_AuthenticationEvent):
    """The customer signed in."""


@dataclass(frozen=True, slots=True, repr=False)
class AuthenticationFailed(_AuthenticationEvent):
    """The sign-in failed."""


@dataclass(frozen=True, slots=True, repr=False)
class AuthenticationTimedOut(_AuthenticationEvent):
    """The customer did not sign in in time (``authentication.timeout``)."""


@dataclass(frozen=True, slots=True, repr=False)
class AuthenticationExpired(_AuthenticationEvent):
    """The sign-in session expired."""


@dataclass(frozen=True, slots=True, repr=False)
class AuthenticationCancelled(_AuthenticationEvent):
    """The customer declined to sign in (``cancel_authentication``)."""


@dataclass(frozen=True, slots=True, repr=False)
class UnknownEvent(Event):
    """An item of a type this version does not know (read ``item.type`` / ``item.content_type``)."""


_BY_TYPE: Final[Mapping[str, type[Event]]] = {
    "MESSAGE": Message,
    "ATTACHMENT": AttachmentAdded,
    "TYPING": Typing,
    "PARTICIPANT_JOINED": ParticipantJoined,
    "PARTICIPANT_LEFT": ParticipantLeft,
    "CHAT_ENDED": ChatEnded,
    "TRANSFER_SUCCEEDED": TransferSucceeded,
    "TRANSFER_FAILED": TransferFailed,
    "MESSAGE_DELIVERED": DeliveredReceipt,
    "MESSAGE_READ": ReadReceipt,
    "CONNECTION_ACK": ConnectionAcknowledged,
}
_BY_CONTENT_TYPE: Final[Mapping[str, type[Event]]] = {
    EVENT_PREFIX + "typing": Typing,
    EVENT_PREFIX + "message.delivered": DeliveredReceipt,
    EVENT_PREFIX + "message.read": ReadReceipt,
    EVENT_PREFIX + "participant.joined": ParticipantJoined,
    EVENT_PREFIX + "participant.left": ParticipantLeft,
    EVENT_PREFIX + "chat.ended": ChatEnded,
    EVENT_PREFIX + "transfer.succeeded": TransferSucceeded,
    EVENT_PREFIX + "transfer.failed": TransferFailed,
    EVENT_PREFIX + "connection.acknowledged": ConnectionAcknowledged,
    EVENT_PREFIX + "participant.idle": ParticipantIdle,
    EVENT_PREFIX + "participant.returned": ParticipantReturned,
    EVENT_PREFIX + "participant.autodisconnection": ParticipantAutoDisconnected,
    EVENT_PREFIX + "participant.invited": ParticipantInvited,
    EVENT_PREFIX + "participant.active": ParticipantActive,
    EVENT_PREFIX + "participant.inactive": ParticipantInactive,
    EVENT_PREFIX + "participant.displayname.updated": ParticipantDisplayNameUpdated,
    EVENT_PREFIX + "chat.rehydrated": ChatRehydrated,
    EVENT_PREFIX + "workflow.cancelled": WorkflowCancelled,
    EVENT_PREFIX + "authentication.initiated": AuthenticationInitiated,
    EVENT_PREFIX + "authentication.succeeded": AuthenticationSucceeded,
    EVENT_PREFIX + "authentication.failed": AuthenticationFailed,
    EVENT_PREFIX + "authentication.timeout": AuthenticationTimedOut,
    EVENT_PREFIX + "authentication.expired": AuthenticationExpired,
    EVENT_PREFIX + "authentication.cancelled": AuthenticationCancelled,
}


def event_class(item: Item) -> type[Event]:
    """The event type of a transcript item (pure; unknown kinds give ``UnknownEvent``)."""
    kind = item.type
    if kind == "MESSAGEMETADATA":
        receipts = item.receipts
        if any(r.read_at for r in receipts):
            return ReadReceipt
        if any(r.delivered_at for r in receipts):
            return DeliveredReceipt
        return UnknownEvent
    cls = _BY_TYPE.get(kind) if kind is not None else None
    if cls is None:
        content_type = item.content_type
        cls = _BY_CONTENT_TYPE.get(content_type) if content_type is not None else None
    return cls or UnknownEvent


def event_from_item(item: Item, previous: Item | None = None) -> Event:
    """The typed event for a transcript item; ``previous``: the item as last delivered, for an update."""
    return event_class(item)(item, previous)


def chat_ended_item(reason: str) -> Item:
    """A synthetic CHAT_ENDED item without an Id, for when the service refused this participant
    (403): the item of a ``RemovedFromChat``."""
    model = ItemModel(
        type_=ChatItemType.CHAT_ENDED,
        content_type=EVENT_PREFIX + "chat.ended",
        participant_role=ParticipantRole.SYSTEM,
        content=reason,
    )
    return Item(model.to_dict())
