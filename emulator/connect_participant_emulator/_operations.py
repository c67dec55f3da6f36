"""The Participant Service operations and Connect's chat admin calls, on the in-memory state."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from ._features import Features
from ._model import (
    CONNECTION_ACK,
    DELIVERED,
    EVENT,
    METADATA,
    READ,
    TYPING,
    Attachment,
    Contact,
    Continuation,
    Cursor,
    Entry,
    Participant,
    ServiceError,
    State,
    access_denied,
    iso_time,
    parse_iso_time,
    validation,
)

if TYPE_CHECKING:
    from ._flows._engine import FlowEngine

__all__ = ["Operations", "body_bool", "body_int", "body_str", "content_disposition"]

MESSAGE_TYPES = frozenset(
    {
        "text/plain",
        "text/markdown",
        "application/json",
        "application/vnd.amazonaws.connect.message.interactive.response",
    }
)
EVENT_TYPES = frozenset({TYPING, CONNECTION_ACK, DELIVERED, READ})
SHAPE_MAX_CONTENT = 16384
DEFAULT_PAGE = 10
_MIME = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;[\x20-\x7e]*)?$")
_SAMPLE_VIEW_TOKEN = "emulator-sample-view"


def _member(name: str) -> str:
    return name[:1].lower() + name[1:]


def body_str(
    body: dict[str, Any], name: str, *, required: bool = False, min_len: int = 0, max_len: int = 0
) -> str | None:
    """A string member, checked for type and length whatever the spec says."""
    value = body.get(name)
    if value is None:
        if required:
            raise validation(
                f"1 validation error detected: Value null at '{_member(name)}' failed to satisfy constraint: Member must not be null"
            )
        return None
    if not isinstance(value, str):
        raise validation(
            f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: Member must be of type string"
        )
    if len(value) < min_len or (max_len and len(value) > max_len):
        raise validation(
            f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: "
            f"Member must have length between {min_len} and {max_len or 'any'}"
        )
    return value


def body_int(
    body: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    low: int | None = None,
    high: int | None = None,
) -> int | None:
    value = body.get(name)
    if value is None:
        if required:
            raise validation(
                f"1 validation error detected: Value null at '{_member(name)}' failed to satisfy constraint: Member must not be null"
            )
        return None
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    ):
        raise validation(
            f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: Member must be of type integer"
        )
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise validation(
            f"1 validation error detected: Value {number} at '{_member(name)}' failed to satisfy constraint: "
            f"Member must have value between {low} and {high}"
        )
    return number


def body_bool(body: dict[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise validation(
            f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: Member must be of type boolean"
        )
    return value


def body_obj(body: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any] | None:
    value = body.get(name)
    if value is None:
        if required:
            raise validation(
                f"1 validation error detected: Value null at '{_member(name)}' failed to satisfy constraint: Member must not be null"
            )
        return None
    if not isinstance(value, dict):
        raise validation(
            f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: Member must be a structure"
        )
    return value


def body_list(body: dict[str, Any], name: str, *, required: bool = False) -> list[Any] | None:
    value = body.get(name)
    if value is None:
        if required:
            raise validation(
                f"1 validation error detected: Value null at '{_member(name)}' failed to satisfy constraint: Member must not be null"
            )
        return None
    if not isinstance(value, list):
        raise validation(
            f"1 validation error detected: Value at '{_member(name)}' failed to satisfy constraint: Member must be a list"
        )
    return value


def _connect_error(code: str, message: str, status: int = 400) -> ServiceError:
    return ServiceError(status, code, message)


def content_disposition(kind: str, name: str) -> str:
    if name.isascii() and name.isprintable() and '"' not in name and "\\" not in name:
        value = f'{kind}; filename="{name}"'
    else:
        value = f"{kind}; filename*=UTF-8''{quote(name, safe='')}"
    return value if len(value) <= 256 else kind


def _as_listed(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as GetTranscript lists it (a copy): a message without receipts carries
    ``MessageMetadata {MessageId, Receipts: []}``, as the service's transcripts do (AWS's chat
    SDKs' fixtures; AWS's Android SDK reads MessageId as always there). Receipts stay on the
    message they are about; the sockets get them as MESSAGEMETADATA items (see ``_receipt``)."""
    listed: dict[str, Any] = json.loads(json.dumps(item))
    if listed.get("Type") == "MESSAGE" and "MessageMetadata" not in listed:
        listed["MessageMetadata"] = {"MessageId": listed.get("Id"), "Receipts": []}
    return listed


class Operations:
    """One method per operation; each takes the validated JSON body and returns the answer."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.features = Features(state, state.config.authentication_url_window)
        #: runs contact flows for chats whose ContactFlowId names a loaded flow (``_flows``)
        self.flow_engine: FlowEngine | None = None

    @property
    def config(self) -> Any:
        return self.state.config

    # --- idempotency ---------------------------------------------------------------

    def _remembered(self, scope: str, operation: str, client_token: str | None) -> dict[str, Any] | None:
        if not client_token:
            return None
        return self.state.idempotency.recall((scope, operation, client_token), time.time())

    def _remember(
        self, scope: str, operation: str, client_token: str | None, answer: dict[str, Any], contact: Contact
    ) -> None:
        """Keep the first answer for the idempotency window, and no longer than ``contact``."""
        if client_token:
            self.state.idempotency.remember(
                (scope, operation, client_token), answer, contact.contact_id, time.time()
            )

    # --- Connect admin calls -------------------------------------------------------

    def start_chat_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        instance_id = self._connect_str(body, "InstanceId", 1, 100, required=True)
        flow_id = self._connect_str(body, "ContactFlowId", 0, 500, required=True)
        details = body.get("ParticipantDetails")
        if not isinstance(details, dict):
            raise _connect_error(
                "InvalidParameterException", "ParticipantDetails is required and must be an object."
            )
        display_name = self._connect_str(details, "DisplayName", 1, 256, required=True)
        client_token = self._connect_str(body, "ClientToken", 0, 500)
        duration = body.get("ChatDurationInMinutes", self.config.chat_duration_minutes)
        if isinstance(duration, bool) or not isinstance(duration, int) or not 60 <= duration <= 10080:
            raise _connect_error(
                "InvalidParameterException", "ChatDurationInMinutes must be an integer from 60 to 10080."
            )
        initial = body.get("InitialMessage")
        initial_type = initial_content = None
        if initial is not None:
            if not isinstance(initial, dict):
                raise _connect_error("InvalidParameterException", "InitialMessage must be an object.")
            initial_type = self._connect_str(initial, "ContentType", 1, 100, required=True)
            initial_content = self._connect_str(initial, "Content", 1, SHAPE_MAX_CONTENT, required=True)
            assert initial_type is not None
            assert initial_content is not None
            # Connect's ChatMessage: "Maximum of 16,384 bytes for all content types" (no per-type caps)
            self._check_message(
                initial_type, initial_content, code="InvalidParameterException", per_type_limits=False
            )
        assert instance_id is not None
        assert flow_id is not None
        assert display_name is not None
        persistent = self._persistent_chat(body)
        remembered = self._remembered("instance:" + instance_id, "StartChatContact", client_token)
        if remembered is not None:
            return remembered
        continues = self._continuation(instance_id, *persistent) if persistent is not None else None
        flow = self.flow_engine.flow_for(flow_id) if self.flow_engine is not None else None
        contact = self.state.new_contact(instance_id, flow_id, duration, continues)
        customer = self.state.add_participant(contact, "CUSTOMER", display_name)
        if initial_type is not None:
            self.state.add_item(contact, "MESSAGE", initial_type, customer, content=initial_content)
        if flow is not None and self.flow_engine is not None:
            self.flow_engine.start(contact, flow, customer, body.get("Attributes"))  # runs after this answer
        answer = {
            "ContactId": contact.contact_id,
            "ParticipantId": customer.participant_id,
            "ParticipantToken": customer.token,
        }
        if continues is not None:
            answer["ContinuedFromContactId"] = continues.contact_id
        self._remember("instance:" + instance_id, "StartChatContact", client_token, answer, contact)
        return answer

    def _persistent_chat(self, body: dict[str, Any]) -> tuple[str, str] | None:
        """StartChatContact's ``PersistentChat``: (RehydrationType, SourceContactId) or None."""
        persistent = body.get("PersistentChat")
        if persistent is None:
            return None
        if not isinstance(persistent, dict):
            raise _connect_error("InvalidParameterException", "PersistentChat must be an object.")
        kind = persistent.get("RehydrationType")
        if kind not in ("ENTIRE_PAST_SESSION", "FROM_SEGMENT"):
            # AWS: "RehydrationType is required for persistent chat"
            raise _connect_error(
                "InvalidParameterException",
                "PersistentChat.RehydrationType is required: ENTIRE_PAST_SESSION or FROM_SEGMENT.",
            )
        source = self._connect_str(persistent, "SourceContactId", 1, 256, required=True)
        assert source is not None
        return kind, source

    def _continuation(self, instance_id: str, kind: str, source_id: str) -> Continuation:
        """The earlier chat a persistent chat continues, as AWS documents the two types:
        ENTIRE_PAST_SESSION takes the initial contact id of an ended chat and continues from its
        most recent contact; FROM_SEGMENT continues from the contact given. Only ended chats
        can be continued."""
        source = self.state.contacts.get(source_id)
        if source is None or source.instance_id != instance_id:
            raise ServiceError(
                404,
                "ResourceNotFoundException",
                f"The source contact {source_id} does not exist in this instance (or is past the "
                "emulator's retention).",
            )
        self.state.check_expiry(source)
        if not source.ended:
            raise _connect_error(
                "InvalidRequestException", "Only chat sessions that have ended can be rehydrated."
            )
        if kind == "ENTIRE_PAST_SESSION":
            if source_id != source.contact_id:
                raise _connect_error(
                    "InvalidRequestException",
                    "ENTIRE_PAST_SESSION takes the initial contact id of the past chat session as "
                    "SourceContactId.",
                )
            return Continuation(source, source.current_id)
        return Continuation(source, source_id)

    def create_participant(self, body: dict[str, Any], *, any_role: bool = False) -> dict[str, Any]:
        instance_id = self._connect_str(body, "InstanceId", 1, 100, required=not any_role)
        contact_id = self._connect_str(body, "ContactId", 1, 256, required=True)
        client_token = self._connect_str(body, "ClientToken", 0, 500)
        details = body.get("ParticipantDetails")
        if not isinstance(details, dict):
            raise _connect_error(
                "InvalidRequestException", "ParticipantDetails is required and must be an object."
            )
        role = details.get("ParticipantRole", "CUSTOM_BOT")
        allowed = {"AGENT", "CUSTOMER", "CUSTOM_BOT", "SUPERVISOR", "SYSTEM"} if any_role else {"CUSTOM_BOT"}
        if role not in allowed:
            raise _connect_error(
                "InvalidRequestException", f"ParticipantRole must be one of {', '.join(sorted(allowed))}."
            )
        display_name = self._connect_str(details, "DisplayName", 1, 256) or role.replace("_", " ").title()
        contact = self.state.contacts.get(contact_id or "")
        if contact is None or (instance_id is not None and contact.instance_id != instance_id):
            raise ServiceError(404, "ResourceNotFoundException", "The contact does not exist.")
        self.state.check_expiry(contact)
        if contact.ended:
            raise _connect_error("InvalidRequestException", "The contact is not active.")
        remembered = self._remembered("contact:" + contact.contact_id, "CreateParticipant", client_token)
        if remembered is not None:
            return remembered
        participant = self.state.add_participant(contact, role, display_name)
        answer = {
            "ParticipantCredentials": {
                "ParticipantToken": participant.token,
                "Expiry": iso_time(contact.expires_at),
            },
            "ParticipantId": participant.participant_id,
        }
        self._remember("contact:" + contact.contact_id, "CreateParticipant", client_token, answer, contact)
        return answer

    def stop_contact(self, body: dict[str, Any]) -> dict[str, Any]:
        contact_id = self._connect_str(body, "ContactId", 1, 256, required=True)
        instance_id = self._connect_str(body, "InstanceId", 1, 100, required=True)
        contact = self.state.contacts.get(contact_id or "")
        if contact is None or contact.instance_id != instance_id:
            raise ServiceError(
                410,
                "ContactNotFoundException",
                "The contact with the specified ID is not active or does not exist.",
            )
        self.state.check_expiry(contact)
        if contact.ended:
            raise ServiceError(
                410,
                "ContactNotFoundException",
                "The contact with the specified ID is not active or does not exist.",
            )
        self.state.end_contact(contact)
        return {}

    @staticmethod
    def _connect_str(
        body: dict[str, Any], name: str, low: int, high: int, *, required: bool = False
    ) -> str | None:
        value = body.get(name)
        if value is None:
            if required:
                raise _connect_error("InvalidParameterException", f"{name} is required.")
            return None
        if not isinstance(value, str) or not low <= len(value) <= high:
            raise _connect_error(
                "InvalidParameterException", f"{name} must be a string of {low} to {high} characters."
            )
        return value

    # --- Participant Service ---------------------------------------------------------

    def create_participant_connection(self, token: str, body: dict[str, Any], origin: str) -> dict[str, Any]:
        participant = self.state.participant_for_token(token)
        types = body_list(body, "Type") or []
        for kind in types:
            if kind not in {"WEBSOCKET", "CONNECTION_CREDENTIALS", "WEBRTC_CONNECTION"}:
                raise validation(
                    "1 validation error detected: Value at 'type' failed to satisfy constraint: Member must satisfy enum value set: [WEBSOCKET, CONNECTION_CREDENTIALS, WEBRTC_CONNECTION]"
                )
        connect = body_bool(body, "ConnectParticipant")
        answer: dict[str, Any] = {}
        if "WEBSOCKET" in types:
            key, deadline = self.state.issue_websocket(participant)
            ws_origin = "ws" + origin[4:] if origin.startswith("http") else origin
            query = urlencode(
                {
                    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                    "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                    "X-Amz-Expires": str(int(self.config.websocket_url_ttl)),
                    "X-Amz-Signature": key,
                }
            )
            answer["Websocket"] = {
                "Url": f"{ws_origin}/connect/websocket?{query}",
                "ConnectionExpiry": iso_time(deadline),
            }
        if "CONNECTION_CREDENTIALS" in types:
            grant = self.state.issue_connection(participant)
            answer["ConnectionCredentials"] = {
                "ConnectionToken": grant.token,
                "Expiry": iso_time(grant.expires_at),
            }
        if "WEBRTC_CONNECTION" in types:
            meeting = str(uuid.uuid4())
            answer["WebRTCConnection"] = {
                "Attendee": {"AttendeeId": str(uuid.uuid4()), "JoinToken": secrets.token_urlsafe(32)},
                "Meeting": {
                    "MediaPlacement": {
                        "AudioHostUrl": f"{origin}/_emulator/webrtc/{meeting}/audio",
                        "AudioFallbackUrl": f"{origin}/_emulator/webrtc/{meeting}/audio-fallback",
                        "SignalingUrl": f"{origin}/_emulator/webrtc/{meeting}/signaling",
                        "EventIngestionUrl": f"{origin}/_emulator/webrtc/{meeting}/events",
                    },
                    "MeetingFeatures": {"Audio": {"EchoReduction": "UNAVAILABLE"}},
                    "MeetingId": meeting,
                },
            }
        if connect and not participant.acknowledged:
            participant.acknowledged = True
            self.state.add_item(participant.contact, EVENT, CONNECTION_ACK, participant)
        return answer

    def send_message(self, participant: Participant, body: dict[str, Any]) -> dict[str, Any]:
        content_type = body_str(body, "ContentType", required=True, min_len=1, max_len=100)
        content = body_str(body, "Content", required=True, min_len=1, max_len=SHAPE_MAX_CONTENT)
        client_token = body_str(body, "ClientToken", max_len=500)
        assert content_type is not None
        assert content is not None
        self._check_message(content_type, content)
        remembered = self._remembered(participant.participant_id, "SendMessage", client_token)
        if remembered is not None:
            return remembered
        item = self.state.add_item(participant.contact, "MESSAGE", content_type, participant, content=content)
        answer = {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
        self._remember(participant.participant_id, "SendMessage", client_token, answer, participant.contact)
        return answer

    def _check_message(
        self,
        content_type: str,
        content: str,
        code: str = "ValidationException",
        *,
        per_type_limits: bool = True,
    ) -> None:
        if content_type not in MESSAGE_TYPES:
            raise ServiceError(
                400,
                code,
                f"Content type '{content_type}' is not supported. Supported: {', '.join(sorted(MESSAGE_TYPES))}.",
            )
        limits = self.config.message_limits if per_type_limits else None
        limit = limits.get(content_type, SHAPE_MAX_CONTENT) if limits is not None else SHAPE_MAX_CONTENT
        if len(content) > limit:
            raise ServiceError(
                400,
                code,
                f"1 validation error detected: Value at 'content' failed to satisfy constraint: "
                f"Member must have length less than or equal to {limit} for content type {content_type}",
            )
        if content_type != "text/plain" and content_type != "text/markdown":
            try:
                json.loads(content)
            except ValueError:
                raise ServiceError(400, code, f"Content of type {content_type} must be valid JSON.") from None

    def send_event(self, participant: Participant, body: dict[str, Any]) -> dict[str, Any]:
        content_type = body_str(body, "ContentType", required=True, min_len=1, max_len=100)
        content = body_str(body, "Content", min_len=1, max_len=SHAPE_MAX_CONTENT)
        client_token = body_str(body, "ClientToken", max_len=500)
        assert content_type is not None
        if content_type not in EVENT_TYPES:
            raise validation(
                f"Event content type '{content_type}' is not supported. Supported: {', '.join(sorted(EVENT_TYPES))}."
            )
        message_id: str | None = None
        if content_type in (DELIVERED, READ):
            try:
                parsed = json.loads(content or "")
            except ValueError:
                parsed = None
            if not isinstance(parsed, dict) or not isinstance(parsed.get("messageId"), str):
                raise validation('Receipt events need Content {"messageId": "<id>"}.')
            message_id = parsed["messageId"]
        remembered = self._remembered(participant.participant_id, "SendEvent", client_token)
        if remembered is not None:
            return remembered
        state = self.state
        contact = participant.contact
        if content_type == TYPING:
            item = state.add_item(contact, EVENT, content_type, participant, content=content, store=False)
        elif content_type == CONNECTION_ACK:
            participant.acknowledged = True
            item = state.add_item(contact, EVENT, content_type, participant)
        else:
            assert message_id is not None
            item = self._receipt(participant, content_type, message_id)
        answer = {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
        self._remember(participant.participant_id, "SendEvent", client_token, answer, participant.contact)
        return answer

    def _receipt(self, participant: Participant, content_type: str, message_id: str) -> dict[str, Any]:
        contact = participant.contact
        index = contact.item_index(message_id)
        if index is None:
            raise validation(f"Message {message_id} is not in this chat.")
        if any(p.role == "SUPERVISOR" and p.active for p in contact.participants.values()):
            # AWS: receipts while a supervisor is barged in give a ConflictException
            raise ServiceError(
                409,
                "ConflictException",
                "Message receipts are not supported while a supervisor is in the chat.",
            )
        now = iso_time(time.time())
        stamp = "ReadTimestamp" if content_type == READ else "DeliveredTimestamp"
        target = contact.entries[index].item
        metadata = target.setdefault("MessageMetadata", {"MessageId": message_id, "Receipts": []})
        receipts: list[dict[str, str]] = metadata.setdefault("Receipts", [])
        mine = next(
            (r for r in receipts if r.get("RecipientParticipantId") == participant.participant_id), None
        )
        if mine is None:
            mine = {"RecipientParticipantId": participant.participant_id}
            receipts.append(mine)
        mine[stamp] = now
        if stamp == "ReadTimestamp":
            mine.setdefault("DeliveredTimestamp", now)  # read implies delivered
        # sent on the sockets as AWS does (Type MESSAGEMETADATA, ContentType
        # ...event.message.metadata, the recipient's receipt so far), not kept as an item
        item: dict[str, Any] = {
            "AbsoluteTime": now,
            "ContentType": METADATA,
            "Id": str(uuid.uuid4()),
            "Type": "MESSAGEMETADATA",
            "MessageMetadata": {"MessageId": message_id, "Receipts": [dict(mine)]},
            "ContactId": contact.contact_id,
        }
        self.state.broadcast(contact, item)
        return item

    def disconnect_participant(self, participant: Participant, body: dict[str, Any]) -> dict[str, Any]:
        body_str(body, "ClientToken", max_len=500)
        self.state.disconnect(participant)
        return {}

    def get_transcript(self, participant: Participant, body: dict[str, Any]) -> dict[str, Any]:
        contact = participant.contact
        contact_id = body_str(body, "ContactId", min_len=1, max_len=256)
        view, initial_id, entries = self.state.transcript_view(contact, contact_id)
        max_results = body_int(body, "MaxResults", low=0, high=100)
        page_size = max_results if max_results else DEFAULT_PAGE
        next_token = body_str(body, "NextToken", min_len=1, max_len=1000)
        start = body_obj(body, "StartPosition")
        # AWS's documented defaults: BACKWARD without a StartPosition, FORWARD with one;
        # DESCENDING (AWS's chat library asks for ASCENDING explicitly)
        scan = body_str(body, "ScanDirection") or ("FORWARD" if start else "BACKWARD")
        sort = body_str(body, "SortOrder") or "DESCENDING"
        if scan not in {"FORWARD", "BACKWARD"}:
            raise validation("ScanDirection must be FORWARD or BACKWARD.")
        if sort not in {"ASCENDING", "DESCENDING"}:
            raise validation("SortOrder must be ASCENDING or DESCENDING.")
        count = len(entries)
        if next_token is not None:
            cursor = self.state.cursors.get(next_token)
            if cursor is None or cursor.contact_id != view:
                raise validation("The NextToken is not valid.")
            scan = cursor.direction
            anchor = next((i for i, e in enumerate(entries) if e.seq == cursor.seq), None)
            if anchor is None:
                raise validation("The NextToken is not valid.")
        else:
            anchor = self._anchor(entries, start, scan)
        page: list[int] = []
        follow: int | None = None
        if anchor is not None and 0 <= anchor < count:
            if scan == "FORWARD":
                page = list(range(anchor, min(count, anchor + page_size)))
                follow = anchor + page_size if anchor + page_size < count else None
            else:
                low = max(0, anchor - page_size + 1)
                page = list(range(anchor, low - 1, -1))
                follow = low - 1 if low > 0 else None
        page.sort(reverse=sort == "DESCENDING")
        answer: dict[str, Any] = {
            "InitialContactId": initial_id,
            "Transcript": [_as_listed(entries[i].item) for i in page],
        }
        # the service's last page says "NextToken": "" (captured answer) rather than leaving it out
        follow_token = (
            "" if follow is None else self.state.add_cursor(contact, Cursor(view, entries[follow].seq, scan))
        )
        answer["NextToken"] = follow_token
        return answer

    @staticmethod
    def _anchor(entries: list[Entry], start: dict[str, Any] | None, scan: str) -> int | None:
        count = len(entries)
        if not start:
            return 0 if scan == "FORWARD" else count - 1
        item_id = body_str(start, "Id", min_len=1, max_len=256)
        when = body_str(start, "AbsoluteTime", min_len=1, max_len=100)
        most_recent = body_int(start, "MostRecent", low=0, high=100)
        given = sum(x is not None for x in (item_id, when, most_recent))
        if given > 1:
            raise validation("StartPosition takes exactly one of Id, AbsoluteTime and MostRecent.")
        if item_id is not None:
            index = next((i for i, e in enumerate(entries) if e.item.get("Id") == item_id), None)
            if index is None:
                raise validation(f"StartPosition Id {item_id} is not in the transcript.")
            return index
        if when is not None:
            try:
                moment = parse_iso_time(when)
            except ValueError:
                raise validation("StartPosition AbsoluteTime is not an ISO 8601 time.") from None
            # item times are kept to the millisecond, as they are shown
            stamps = [parse_iso_time(e.item["AbsoluteTime"]) for e in entries]
            if scan == "FORWARD":
                return next((i for i, t in enumerate(stamps) if t >= moment), None)
            return next((i for i in range(count - 1, -1, -1) if stamps[i] <= moment), None)
        if most_recent is not None:
            return max(0, count - 1 - most_recent)
        return 0 if scan == "FORWARD" else count - 1

    # --- attachments -----------------------------------------------------------------

    def start_attachment_upload(
        self, participant: Participant, body: dict[str, Any], origin: str
    ) -> dict[str, Any]:
        content_type = body_str(body, "ContentType", required=True, min_len=1, max_len=255)
        size = body_int(body, "AttachmentSizeInBytes", required=True, low=1)
        name = body_str(body, "AttachmentName", required=True, min_len=1, max_len=256)
        client_token = body_str(body, "ClientToken", required=True, min_len=1, max_len=500)
        assert content_type is not None
        assert size is not None
        assert name is not None
        remembered = self._remembered(participant.participant_id, "StartAttachmentUpload", client_token)
        if remembered is not None:
            return remembered
        config = self.config
        if not _MIME.match(content_type):
            raise validation(f"ContentType '{content_type}' is not a valid media type.")
        if size > config.max_attachment_bytes:
            raise validation(
                f"AttachmentSizeInBytes {size} is over the limit of {config.max_attachment_bytes} bytes."
            )
        extensions = config.attachment_extensions
        if extensions is not None:
            dot = name.rfind(".")
            suffix = name[dot:].lower() if dot >= 0 else ""
            if suffix not in extensions:
                raise validation(f"Attachments of this file type are not supported: '{suffix or name}'.")
        contact = participant.contact
        if len(contact.attachments) >= config.max_attachments_per_contact:
            raise ServiceError(
                402,
                "ServiceQuotaExceededException",
                "The number of attachments in this chat is at its limit.",
            )
        attachment_id = str(uuid.uuid4())
        headers = {
            "Content-Type": content_type,
            "Content-Disposition": content_disposition("attachment", name),
            "Content-Length": str(size),
            "x-amz-acl": "bucket-owner-full-control",
            "x-amz-meta-account_id": "123456789012",
            "x-amz-meta-contact_id": contact.contact_id,
            "x-amz-meta-initial_contact_id": contact.contact_id,
            "x-amz-meta-organization_id": contact.instance_id[:256],
        }  # the eight headers a real StartAttachmentUpload answer holds (chatjs issue #188)
        signature = secrets.token_hex(32)
        expires_at = time.time() + config.upload_url_ttl
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                "X-Amz-Expires": str(int(config.upload_url_ttl)),
                "X-Amz-SignedHeaders": ";".join(sorted(h.lower() for h in [*headers, "host"])),
                "X-Amz-Signature": signature,
            }
        )
        url = f"{origin}/_attachments/{attachment_id}?{query}"
        attachment = Attachment(
            attachment_id=attachment_id,
            contact=contact,
            participant=participant,
            name=name,
            content_type=content_type,
            size=size,
            headers=headers,
            upload_signature=signature,
            upload_expires_at=expires_at,
            upload_url=url,
        )
        contact.attachments[attachment_id] = attachment
        self.state.attachments[attachment_id] = attachment
        answer = {
            "AttachmentId": attachment_id,
            "UploadMetadata": {
                "Url": url,
                "UrlExpiry": iso_time(expires_at),
                "HeadersToInclude": dict(headers),
            },
        }
        self._remember(
            participant.participant_id, "StartAttachmentUpload", client_token, answer, participant.contact
        )
        return answer

    def complete_attachment_upload(self, participant: Participant, body: dict[str, Any]) -> dict[str, Any]:
        ids = body_list(body, "AttachmentIds", required=True)
        client_token = body_str(body, "ClientToken", required=True, min_len=1, max_len=500)
        assert ids is not None
        if len(ids) != 1 or not isinstance(ids[0], str):
            raise validation("AttachmentIds must hold exactly one attachment id.")
        remembered = self._remembered(participant.participant_id, "CompleteAttachmentUpload", client_token)
        if remembered is not None:
            return remembered
        attachment = participant.contact.attachments.get(ids[0])
        if attachment is None or attachment.participant is not participant:
            raise validation(f"Attachment {ids[0]} was not started by this participant.")
        if attachment.completed:
            raise ServiceError(409, "ConflictException", "The attachment upload was already completed.")
        if attachment.data is None:
            raise ServiceError(409, "ConflictException", "The attachment has not been uploaded.")
        attachment.completed = True
        verdict = "REJECTED" if "reject" in attachment.name.lower() else "APPROVED"
        delay = self.config.attachment_scan_seconds
        attachment.status = verdict if delay <= 0 else "IN_PROGRESS"
        contact = participant.contact
        item = self.state.add_item(
            contact,
            "ATTACHMENT",
            None,  # as the service's: the content type is the attachment's, in Attachments
            participant,
            attachments=[
                {
                    "ContentType": attachment.content_type,
                    "AttachmentId": attachment.attachment_id,
                    "AttachmentName": attachment.name,
                    "Status": attachment.status,
                }
            ],
        )
        if delay > 0:

            def scanned() -> None:
                attachment.status = verdict
                item["Attachments"][0]["Status"] = verdict
                if not contact.ended:
                    self.state.broadcast(contact, item)  # the same item Id, its final status

            asyncio.get_running_loop().call_later(delay, scanned)
        answer: dict[str, Any] = {}
        self._remember(
            participant.participant_id, "CompleteAttachmentUpload", client_token, answer, participant.contact
        )
        return answer

    def get_attachment(self, participant: Participant, body: dict[str, Any], origin: str) -> dict[str, Any]:
        attachment_id = body_str(body, "AttachmentId", required=True, min_len=1, max_len=256)
        expiry = body_int(body, "UrlExpiryInSeconds", low=5, high=300)
        disposition = body.get("UrlContentDisposition", "ATTACHMENT")
        if disposition not in {"INLINE", "ATTACHMENT"}:
            raise validation("UrlContentDisposition must be INLINE or ATTACHMENT.")
        attachment = participant.contact.attachments.get(attachment_id or "")
        if attachment is None or not attachment.completed:
            raise validation(f"Attachment {attachment_id} is not in this chat.")
        if participant.role == "CUSTOM_BOT" and attachment.participant.role == "CUSTOMER":
            # AWS: "The participant role CUSTOM_BOT is not permitted to access attachments
            # customers may upload" (AccessDeniedException)
            raise access_denied()
        if attachment.status == "IN_PROGRESS":
            raise validation(f"Attachment {attachment_id} is still being scanned.")
        if attachment.status != "APPROVED":
            raise validation(f"Attachment {attachment_id} was {attachment.status.lower()} by the scan.")
        seconds = expiry if expiry is not None else self.config.download_url_ttl
        signature, expires_at = self.state.issue_download(attachment, seconds, disposition.lower())
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Expires": str(seconds),
                "X-Amz-Signature": signature,
            }
        )
        return {
            "Url": f"{origin}/_attachments/{attachment.attachment_id}?{query}",
            "UrlExpiry": iso_time(expires_at),
            "AttachmentSizeInBytes": attachment.size,
        }

    # --- the rest --------------------------------------------------------------------

    def describe_view(self, participant: Participant, view_token: str) -> dict[str, Any]:
        sent = self.features.describe_view(participant, view_token)
        if sent is not None:
            return sent  # a view the emulator showed in this chat (control endpoint)
        if view_token != _SAMPLE_VIEW_TOKEN:
            raise ServiceError(
                404, "ResourceNotFoundException", "The view does not exist.", ResourceId=view_token[:256]
            )
        return {
            "View": {
                "Id": "emulator-sample-view",
                "Arn": f"arn:aws:connect:us-east-1:123456789012:instance/{participant.contact.instance_id}/view/emulator-sample-view:1",
                "Name": "Emulator sample view",
                "Version": 1,
                "Content": {
                    "InputSchema": "{}",
                    "Template": '{"Head":{"Title":"Sample"},"Body":[]}',
                    "Actions": ["Submit"],
                },
            }
        }

    def get_authentication_url(
        self, participant: Participant, body: dict[str, Any], origin: str
    ) -> dict[str, Any]:
        session_id = body_str(body, "SessionId", required=True, min_len=36, max_len=36)
        redirect = body_str(body, "RedirectUri", required=True, min_len=1, max_len=1024)
        assert session_id is not None
        assert redirect is not None
        return self.features.authentication_url(participant, session_id, redirect, origin)

    def cancel_participant_authentication(
        self, participant: Participant, body: dict[str, Any]
    ) -> dict[str, Any]:
        session_id = body_str(body, "SessionId", required=True, min_len=36, max_len=36)
        assert session_id is not None
        return self.features.cancel_authentication(participant, session_id)
