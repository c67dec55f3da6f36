"""In-memory state of the emulated service: contacts, participants, tokens, transcript."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._config import EmulatorConfig, Quota

__all__ = [
    "Attachment",
    "Contact",
    "Participant",
    "ServiceError",
    "Socket",
    "State",
    "TokenBucket",
    "iso_time",
    "parse_iso_time",
]

EVENT_PREFIX = "application/vnd.amazonaws.connect.event."
TYPING = EVENT_PREFIX + "typing"
CONNECTION_ACK = EVENT_PREFIX + "connection.acknowledged"
DELIVERED = EVENT_PREFIX + "message.delivered"
READ = EVENT_PREFIX + "message.read"
JOINED = EVENT_PREFIX + "participant.joined"
LEFT = EVENT_PREFIX + "participant.left"
ENDED = EVENT_PREFIX + "chat.ended"
ATTACHMENT_CONTENT_TYPE = "application/vnd.amazonaws.connect.message.attachment"
#: what read/delivered receipts carry on the sockets (``Type`` MESSAGEMETADATA)
METADATA = EVENT_PREFIX + "message.metadata"
#: the ``Type`` of every event item (joined, left, chat ended, typing, connection ack): the
#: model's enum also lists TYPING, PARTICIPANT_JOINED, ..., but the service sends EVENT and
#: AWS's chat SDKs tell events apart by ``ContentType``
EVENT = "EVENT"


class ServiceError(Exception):
    """An AWS error answer: status, code for ``x-amzn-ErrorType`` and a message."""

    def __init__(self, status: int, code: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def validation(message: str) -> ServiceError:
    return ServiceError(400, "ValidationException", message)


def access_denied(message: str = "Access denied") -> ServiceError:  # the service's own wording
    return ServiceError(403, "AccessDeniedException", message)


def iso_time(epoch: float) -> str:
    """``2019-11-08T02:41:28.172Z``, the format AWS uses."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso_time(text: str) -> float:
    """Epoch seconds of an ISO 8601 time; a time without zone is taken as UTC."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def new_token() -> str:
    """Standard base64, like the service's tokens: never starts with "-" (a url-safe token can,
    and a command line then reads ``--participant-token -x…`` as a missing value)."""
    return base64.b64encode(secrets.token_bytes(96)).decode("ascii")


@dataclass(eq=False)
class Socket:
    """One open WebSocket of a participant."""

    participant: Participant
    queue: asyncio.Queue[tuple[str, int] | str]
    abort: Callable[[], None]  # drops the TCP connection
    subscribed: bool = False

    def push(self, frame: str) -> None:
        self.queue.put_nowait(frame)

    def close(self, code: int = 1000) -> None:
        self.queue.put_nowait(("close", code))


@dataclass(eq=False)
class Participant:
    participant_id: str
    contact: Contact
    role: str
    display_name: str
    token: str
    left: bool = False
    acknowledged: bool = False
    sockets: set[Socket] = field(default_factory=set)

    @property
    def active(self) -> bool:
        return not self.left and not self.contact.ended


@dataclass(eq=False)
class ConnectionGrant:
    token: str
    participant: Participant
    expires_at: float


@dataclass(eq=False)
class WebSocketGrant:
    participant: Participant
    connect_deadline: float


@dataclass(eq=False)
class Attachment:
    attachment_id: str
    contact: Contact
    participant: Participant
    name: str
    content_type: str
    size: int
    headers: dict[str, str]
    upload_signature: str
    upload_expires_at: float
    upload_url: str = ""
    data: bytes | None = None
    completed: bool = False
    status: str = "IN_PROGRESS"


@dataclass(eq=False)
class DownloadGrant:
    attachment: Attachment
    expires_at: float
    disposition: str


@dataclass
class Entry:
    seq: int
    time: float
    item: dict[str, Any]


@dataclass(eq=False)
class Contact:
    contact_id: str
    instance_id: str
    contact_flow_id: str
    expires_at: float
    participants: dict[str, Participant] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    ended: bool = False
    #: state of the chat features the control endpoint drives (``_features``), released with the contact
    extras: dict[str, Any] = field(default_factory=dict)

    def item_index(self, item_id: str) -> int | None:
        for index, entry in enumerate(self.entries):
            if entry.item.get("Id") == item_id:
                return index
        return None


@dataclass
class Cursor:
    contact_id: str
    seq: int
    direction: str


class TokenBucket:
    def __init__(self, quota: Quota) -> None:
        self.rate = float(quota.rate)
        self.burst = float(quota.burst)
        self.tokens = self.burst
        self.updated = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class State:
    """All contacts of one emulator process. Used from the server's event loop only."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.contacts: dict[str, Contact] = {}
        self.participant_tokens: dict[str, Participant] = {}
        self.connection_tokens: dict[str, ConnectionGrant] = {}
        self.websocket_grants: dict[str, WebSocketGrant] = {}
        self.download_grants: dict[str, DownloadGrant] = {}
        self.attachments: dict[str, Attachment] = {}
        self.cursors: OrderedDict[str, Cursor] = OrderedDict()
        # (scope, operation, client token) -> first answer
        self.idempotency: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.sockets: set[Socket] = set()
        #: called with (contact, item, sender) for every item added (the chat features' timers)
        self.listeners: list[Callable[[Contact, dict[str, Any], Participant | None], None]] = []
        self._seq = 0

    # --- contacts and participants -------------------------------------------------

    def new_contact(self, instance_id: str, flow_id: str, duration_minutes: int) -> Contact:
        contact = Contact(
            contact_id=str(uuid.uuid4()),
            instance_id=instance_id,
            contact_flow_id=flow_id,
            expires_at=time.time() + duration_minutes * 60,
        )
        self.contacts[contact.contact_id] = contact
        return contact

    def add_participant(self, contact: Contact, role: str, display_name: str) -> Participant:
        participant = Participant(
            participant_id=str(uuid.uuid4()),
            contact=contact,
            role=role,
            display_name=display_name,
            token=new_token(),
        )
        contact.participants[participant.participant_id] = participant
        self.participant_tokens[participant.token] = participant
        self.add_item(contact, EVENT, JOINED, participant)
        return participant

    def check_expiry(self, contact: Contact) -> None:
        if not contact.ended and time.time() >= contact.expires_at:
            self.end_contact(contact)

    def end_contact(self, contact: Contact) -> None:
        if contact.ended:
            return
        self.add_item(contact, EVENT, ENDED, None)
        contact.ended = True
        for participant in contact.participants.values():
            for sock in list(participant.sockets):
                sock.close(1000)

    def disconnect(self, participant: Participant) -> None:
        contact = participant.contact
        self.add_item(contact, EVENT, LEFT, participant)
        if participant.role == "CUSTOMER":
            # the customer leaving ends the chat: everyone gets CHAT_ENDED, then sockets close
            self.end_contact(contact)
        participant.left = True
        for sock in list(participant.sockets):
            sock.close(1000)

    # --- tokens --------------------------------------------------------------------

    def participant_for_token(self, token: str) -> Participant:
        participant = self.participant_tokens.get(token)
        if participant is None:
            raise access_denied()
        self.check_expiry(participant.contact)
        if not participant.active:
            raise access_denied()
        return participant

    def participant_for_connection(self, token: str) -> Participant:
        grant = self.connection_tokens.get(token)
        if grant is None:
            raise access_denied()
        if time.time() >= grant.expires_at:
            raise access_denied("The connection token has expired.")
        self.check_expiry(grant.participant.contact)
        if not grant.participant.active:
            raise access_denied()
        return grant.participant

    def issue_connection(self, participant: Participant) -> ConnectionGrant:
        grant = ConnectionGrant(
            token=new_token(),
            participant=participant,
            expires_at=time.time() + self.config.connection_token_ttl,
        )
        self.connection_tokens[grant.token] = grant
        return grant

    def issue_websocket(self, participant: Participant) -> tuple[str, float]:
        key = secrets.token_urlsafe(48)
        deadline = time.time() + self.config.websocket_url_ttl
        self.websocket_grants[key] = WebSocketGrant(participant=participant, connect_deadline=deadline)
        return key, deadline

    def expire_connection_tokens(
        self, contact_id: str | None = None, participant_id: str | None = None
    ) -> int:
        count = 0
        now = time.time()
        for grant in self.connection_tokens.values():
            participant = grant.participant
            if contact_id is not None and participant.contact.contact_id != contact_id:
                continue
            if participant_id is not None and participant.participant_id != participant_id:
                continue
            if grant.expires_at > now:
                grant.expires_at = now
                count += 1
        return count

    # --- transcript ----------------------------------------------------------------

    def add_item(
        self,
        contact: Contact,
        item_type: str,
        content_type: str,
        participant: Participant | None,
        content: str | None = None,
        attachments: list[dict[str, str]] | None = None,
        store: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create an item, keep it in the transcript (if ``store``) and send it on every socket."""
        self._seq += 1
        now = time.time()
        item: dict[str, Any] = {
            "AbsoluteTime": iso_time(now),
            "ContentType": content_type,
            "Id": str(uuid.uuid4()),
            "Type": item_type,
        }
        if content is not None:
            item["Content"] = content
        if participant is not None:
            item["ParticipantId"] = participant.participant_id
            item["DisplayName"] = participant.display_name
            item["ParticipantRole"] = participant.role
        if attachments is not None:
            item["Attachments"] = attachments
        if extra:
            item.update(extra)
        item["ContactId"] = contact.contact_id
        if store:
            contact.entries.append(Entry(seq=self._seq, time=now, item=item))
        self.broadcast(contact, item)
        for listener in self.listeners:
            listener(contact, item, participant)
        return item

    def broadcast(self, contact: Contact, item: dict[str, Any]) -> None:
        payload = dict(item)
        payload["InitialContactId"] = contact.contact_id
        frame = json.dumps(
            {"content": json.dumps(payload), "contentType": "application/json", "topic": "aws/chat"}
        )
        for participant in contact.participants.values():
            if participant.left:
                continue
            for sock in participant.sockets:
                if sock.subscribed:
                    sock.push(frame)

    def add_cursor(self, cursor: Cursor) -> str:
        token = secrets.token_urlsafe(32)
        self.cursors[token] = cursor
        while len(self.cursors) > 20000:
            self.cursors.popitem(last=False)
        return token
