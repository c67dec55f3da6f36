"""In-memory state of the emulated service: contacts, participants, tokens, transcript."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ._config import EmulatorConfig, Quota

__all__ = [
    "Attachment",
    "Contact",
    "Continuation",
    "Idempotency",
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
REHYDRATED = EVENT_PREFIX + "chat.rehydrated"
TRANSFER_SUCCEEDED = EVENT_PREFIX + "transfer.succeeded"
TRANSFER_FAILED = EVENT_PREFIX + "transfer.failed"
#: what read/delivered receipts carry on the sockets (``Type`` MESSAGEMETADATA)
METADATA = EVENT_PREFIX + "message.metadata"
#: the ``Type`` of every event item (joined, left, chat ended, typing, connection ack): the
#: model's enum also lists TYPING, PARTICIPANT_JOINED, ..., but the service sends EVENT and
#: AWS's chat SDKs tell events apart by ``ContentType``
EVENT = "EVENT"
#: expired grants (connection tokens, WebSocket and download URLs) are forgotten this long
#: after they expire, when their owner gets a new one or its contact is released
GRANT_GRACE_SECONDS = 60.0


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
    #: the server has sent its close frame and waits for the client's (closing handshake)
    closing: bool = False

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
    #: keys of this participant's grants in ``State.connection_tokens`` / ``websocket_grants``
    connection_keys: list[str] = field(default_factory=list)
    websocket_keys: list[str] = field(default_factory=list)
    #: a persistent chat's ``chat.rehydrated`` event went to one of this participant's sockets
    rehydration_shown: bool = False

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
    #: keys of this attachment's grants in ``State.download_grants``
    download_keys: list[str] = field(default_factory=list)


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
    #: when the contact's state is released (set when it ends)
    release_at: float | None = None
    #: GetTranscript NextTokens of this contact (``State.cursors`` keys)
    cursor_keys: list[str] = field(default_factory=list)
    #: the chat's contact ids in order: the initial one (``contact_id``), then one per
    #: transfer — Connect starts a new contact for each, InitialContactId stays the first
    segments: list[str] = field(default_factory=list)
    #: the earlier chat a persistent chat continues (StartChatContact's PersistentChat)
    continues: Continuation | None = None
    #: the ``chat.rehydrated`` item of a persistent chat
    rehydrated_item: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.segments:
            self.segments.append(self.contact_id)

    @property
    def current_id(self) -> str:
        """The contact id of the chat now (changes with each transfer)."""
        return self.segments[-1]

    def entries_until(self, contact_id: str) -> list[Entry]:
        """The items of this chat's contacts up to and including ``contact_id``."""
        allowed = set(self.segments[: self.segments.index(contact_id) + 1])
        return [entry for entry in self.entries if entry.item.get("ContactId") in allowed]

    def item_index(self, item_id: str) -> int | None:
        for index, entry in enumerate(self.entries):
            if entry.item.get("Id") == item_id:
                return index
        return None


@dataclass(eq=False)
class Continuation:
    """What a persistent chat continues: an earlier chat, up to one of its contacts."""

    chat: Contact
    #: StartChatContact's ``ContinuedFromContactId``: the earlier contact the chat continues from
    contact_id: str


@dataclass
class Cursor:
    contact_id: str
    seq: int
    direction: str


IdempotencyKey = tuple[str, str, str]  # (scope, operation, ClientToken)


class Idempotency:
    """First answers per (scope, operation, ClientToken), replayed for ``window`` seconds.

    AWS documents no window; the emulator's is ``EmulatorConfig.idempotency_seconds``. Every
    answer also has an owner (a contact id): when that contact is released, its answers go too.
    """

    def __init__(self, window: float) -> None:
        self.window = window
        self._answers: dict[IdempotencyKey, tuple[float, dict[str, Any]]] = {}
        self._order: deque[tuple[float, IdempotencyKey]] = deque()  # expiry order (one window)
        self._owned: dict[str, set[IdempotencyKey]] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def recall(self, key: IdempotencyKey, now: float) -> dict[str, Any] | None:
        entry = self._answers.get(key)
        if entry is None or entry[0] <= now:
            return None
        return entry[1]

    def remember(self, key: IdempotencyKey, answer: dict[str, Any], owner: str, now: float) -> None:
        expires_at = now + self.window
        self._answers[key] = (expires_at, answer)
        self._order.append((expires_at, key))
        self._owned.setdefault(owner, set()).add(key)

    def forget(self, owner: str) -> None:
        for key in self._owned.pop(owner, ()):
            self._answers.pop(key, None)

    def sweep(self, now: float) -> None:
        order = self._order
        while order and order[0][0] <= now:
            _, key = order.popleft()
            entry = self._answers.get(key)
            if entry is not None and entry[0] <= now:
                del self._answers[key]
        if not self._answers:
            self._owned.clear()
        elif len(self._owned) > 2 * len(self._answers) + 64:
            # owners whose answers all expired: drop their (empty or stale) key sets
            self._owned = {
                owner: live
                for owner, keys in self._owned.items()
                if (live := {k for k in keys if k in self._answers})
            }


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
        self.idempotency = Idempotency(config.idempotency_seconds)
        self.sockets: set[Socket] = set()
        #: closes the server started: "clean" when the client's close frame came back
        self.server_closes = {"clean": 0, "unclean": 0}
        #: called with (contact, item, sender) for every item added (the chat features' timers)
        self.listeners: list[Callable[[Contact, dict[str, Any], Participant | None], None]] = []
        #: called with the participant each time one of its sockets subscribes (contact flows start then)
        self.subscribe_listeners: list[Callable[[Participant], None]] = []
        self._seq = 0
        # ended contacts in the order they are due for release (one retention window apart)
        self._releases: deque[Contact] = deque()
        self._next_expiry_scan = 0.0

    # --- retention -------------------------------------------------------------------

    def sweep(self, now: float | None = None) -> int:
        """Release ended contacts whose retention is over, forget expired idempotency
        answers and (every 30 s) end chats past their duration. Cheap when nothing is due."""
        now = time.time() if now is None else now
        if now >= self._next_expiry_scan:
            self._next_expiry_scan = now + 30.0
            for contact in list(self.contacts.values()):
                self.check_expiry(contact, now)
        released = 0
        queue = self._releases
        while queue and (queue[0].release_at or 0.0) <= now:
            self.release(queue.popleft())
            released += 1
        self.idempotency.sweep(now)
        return released

    def release(self, contact: Contact) -> None:
        """Forget an ended contact: its tokens, grants, sockets, attachments and idempotency
        answers. Its transcript stays reachable only from a persistent chat continuing it."""
        for contact_id in contact.segments:
            if self.contacts.get(contact_id) is contact:
                del self.contacts[contact_id]
        for participant in contact.participants.values():
            if self.participant_tokens.get(participant.token) is participant:
                del self.participant_tokens[participant.token]
            for key in participant.connection_keys:
                self.connection_tokens.pop(key, None)
            for key in participant.websocket_keys:
                self.websocket_grants.pop(key, None)
            participant.connection_keys.clear()
            participant.websocket_keys.clear()
            for sock in list(participant.sockets):
                sock.abort()  # closed when the chat ended; a client that never answered
        for attachment in contact.attachments.values():
            self.attachments.pop(attachment.attachment_id, None)
            for key in attachment.download_keys:
                self.download_grants.pop(key, None)
            attachment.data = None
        contact.attachments.clear()
        for key in contact.cursor_keys:
            self.cursors.pop(key, None)
        contact.cursor_keys.clear()
        self.idempotency.forget(contact.contact_id)

    # --- contacts and participants -------------------------------------------------

    def new_contact(
        self, instance_id: str, flow_id: str, duration_minutes: int, continues: Continuation | None = None
    ) -> Contact:
        contact = Contact(
            contact_id=str(uuid.uuid4()),
            instance_id=instance_id,
            contact_flow_id=flow_id,
            expires_at=time.time() + duration_minutes * 60,
            continues=continues,
        )
        self.contacts[contact.contact_id] = contact
        if continues is not None:
            # kept in the transcript; each participant's first subscribed socket gets it
            contact.rehydrated_item = self.add_item(contact, EVENT, REHYDRATED, None)
        return contact

    def transcript_view(self, contact: Contact, contact_id: str | None) -> tuple[str, str, list[Entry]]:
        """What GetTranscript reads for ``ContactId``: (cursor key, InitialContactId, items).

        None or any contact id of the participant's own chat: the chat's items. A contact id of
        an earlier chat this one continues (persistent chats, followed back link by link): that
        chat's items up to the contact it was continued from."""
        if contact_id is None or contact_id in contact.segments:
            return contact.contact_id, contact.contact_id, contact.entries
        link = contact.continues
        while link is not None:
            earlier = link.chat
            reachable = earlier.segments[: earlier.segments.index(link.contact_id) + 1]
            if contact_id in reachable:
                key = f"{earlier.contact_id}/{link.contact_id}"
                return key, earlier.contact_id, earlier.entries_until(link.contact_id)
            link = earlier.continues
        raise validation(f"Contact {contact_id} is not a contact of this participant's chat.")

    def transfer(
        self, contact: Contact, destination: str, agent_name: str, succeed: bool
    ) -> tuple[str, Participant | None]:
        """A transfer, as the flow's Transfer block makes it: on success ``transfer.succeeded``,
        the agents (and supervisors) leave, a new contact id starts (InitialContactId stays)
        and, to an agent, the new agent joins; on failure only ``transfer.failed``. Answers
        the chat's contact id afterwards and the new agent, if any."""
        if not succeed:
            self.add_item(contact, EVENT, TRANSFER_FAILED, None)
            return contact.current_id, None
        self.add_item(contact, EVENT, TRANSFER_SUCCEEDED, None)
        for participant in list(contact.participants.values()):
            if participant.role in ("AGENT", "SUPERVISOR") and not participant.left:
                self.disconnect(participant)
        new_id = str(uuid.uuid4())
        contact.segments.append(new_id)
        self.contacts[new_id] = contact
        agent = self.add_participant(contact, "AGENT", agent_name) if destination == "AGENT" else None
        return new_id, agent

    def subscribed(self, sock: Socket) -> None:
        """A socket subscribed: a persistent chat's ``chat.rehydrated`` reaches the participant."""
        participant = sock.participant
        item = participant.contact.rehydrated_item
        if item is not None and not participant.rehydration_shown:
            participant.rehydration_shown = True
            sock.push(self.frame(participant.contact, item))
        for listener in self.subscribe_listeners:
            listener(participant)

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

    def check_expiry(self, contact: Contact, now: float | None = None) -> None:
        if not contact.ended and (time.time() if now is None else now) >= contact.expires_at:
            self.end_contact(contact)

    def end_contact(self, contact: Contact) -> None:
        if contact.ended:
            return
        self.add_item(contact, EVENT, ENDED, None)
        contact.ended = True
        contact.release_at = time.time() + self.config.retention_seconds
        self._releases.append(contact)
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
        self._prune(participant.connection_keys, self.connection_tokens, lambda g: g.expires_at)
        self.connection_tokens[grant.token] = grant
        participant.connection_keys.append(grant.token)
        return grant

    def issue_websocket(self, participant: Participant) -> tuple[str, float]:
        key = secrets.token_urlsafe(48)
        deadline = time.time() + self.config.websocket_url_ttl
        self._prune(participant.websocket_keys, self.websocket_grants, lambda g: g.connect_deadline)
        self.websocket_grants[key] = WebSocketGrant(participant=participant, connect_deadline=deadline)
        participant.websocket_keys.append(key)
        return key, deadline

    def issue_download(self, attachment: Attachment, seconds: int, disposition: str) -> tuple[str, float]:
        key = secrets.token_hex(32)
        expires_at = time.time() + seconds
        self._prune(attachment.download_keys, self.download_grants, lambda g: g.expires_at)
        self.download_grants[key] = DownloadGrant(attachment, expires_at, disposition)
        attachment.download_keys.append(key)
        return key, expires_at

    @staticmethod
    def _prune(keys: list[str], grants: dict[str, Any], expiry: Callable[[Any], float]) -> None:
        """Drop an owner's grants expired over a minute ago (a long chat renews its connection
        many times); recently expired ones stay, so their use still says "expired"."""
        cutoff = time.time() - GRANT_GRACE_SECONDS
        kept: list[str] = []
        for key in keys:
            grant = grants.get(key)
            if grant is None:
                continue
            if expiry(grant) <= cutoff:
                del grants[key]
            else:
                kept.append(key)
        keys[:] = kept

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
        content_type: str | None,
        participant: Participant | None,
        content: str | None = None,
        attachments: list[dict[str, str]] | None = None,
        store: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create an item, keep it in the transcript (if ``store``) and send it on every socket.

        ``content_type`` None: the item has no top-level ``ContentType`` (the service's ATTACHMENT
        items carry theirs in ``Attachments`` only)."""
        self._seq += 1
        now = time.time()
        item: dict[str, Any] = {"AbsoluteTime": iso_time(now)}
        if content_type is not None:
            item["ContentType"] = content_type
        item["Id"] = str(uuid.uuid4())
        item["Type"] = item_type
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
        item["ContactId"] = contact.current_id
        if store:
            contact.entries.append(Entry(seq=self._seq, time=now, item=item))
        self.broadcast(contact, item)
        for listener in self.listeners:
            listener(contact, item, participant)
        return item

    @staticmethod
    def frame(contact: Contact, item: dict[str, Any]) -> str:
        """The ``aws/chat`` frame of an item (with the chat's InitialContactId)."""
        payload = dict(item)
        payload["InitialContactId"] = contact.contact_id
        return json.dumps(
            {"content": json.dumps(payload), "contentType": "application/json", "topic": "aws/chat"}
        )

    def broadcast(self, contact: Contact, item: dict[str, Any]) -> None:
        frame = self.frame(contact, item)
        for participant in contact.participants.values():
            if participant.left:
                continue
            for sock in participant.sockets:
                if sock.subscribed:
                    sock.push(frame)

    def add_cursor(self, contact: Contact, cursor: Cursor) -> str:
        token = secrets.token_urlsafe(32)
        self.cursors[token] = cursor
        contact.cursor_keys.append(token)
        if len(contact.cursor_keys) > 1000:  # a long chat paged many times: its oldest go first
            self.cursors.pop(contact.cursor_keys.pop(0), None)
        while len(self.cursors) > 20000:
            self.cursors.popitem(last=False)
        return token
