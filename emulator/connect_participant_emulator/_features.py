"""Chat features beyond text, as the emulator plays them: what a contact flow, a Lex bot or an
AI agent would send, driven through the control endpoint (``/_emulator/contacts/{id}/…``).

- messages from the flow (``ParticipantRole`` SYSTEM unless told otherwise), interactive
  messages among them; streamed answers: chunks sent on the sockets under one ``Id`` with
  ``MessageMetadata {MessageCompleted: false, ChunkNumber: n}``, then the whole text under
  the same ``Id`` with ``MessageCompleted: true`` (the only one kept in the transcript);
- views: a ViewResource interactive message whose ``viewToken`` DescribeView then answers
  with the view given;
- in-chat authentication: ``authentication.initiated`` (Content ``{"SessionId": …}``),
  GetAuthenticationUrl accepted for ``authentication_url_window`` seconds after it, outcomes
  (succeeded, failed, timeout, expired, cancelled) on command, on a timer, through
  CancelParticipantAuthentication, or by opening the emulator's sign-in URL;
- idle / auto-disconnect timers per role (AWS's rules: the idle timer runs first, the
  auto-disconnect one starts when the participant is idle — or at once when it is the only
  one —; a message or attachment from the participant resets both and ends idleness;
  auto-disconnect removes every participant but the customer);
- display-name updates and any other event content type.

Everything here runs on the server's event loop, like the rest of the state.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

from ._model import EVENT, EVENT_PREFIX, Contact, Participant, ServiceError, State, validation

__all__ = ["AUTH_OUTCOMES", "AuthSession", "Features", "RoleTimers"]

INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
AUTH_OUTCOMES = {
    "succeeded": EVENT_PREFIX + "authentication.succeeded",
    "failed": EVENT_PREFIX + "authentication.failed",
    "timeout": EVENT_PREFIX + "authentication.timeout",
    "expired": EVENT_PREFIX + "authentication.expired",
    "cancelled": EVENT_PREFIX + "authentication.cancelled",
}
AUTH_INITIATED = EVENT_PREFIX + "authentication.initiated"
IDLE = EVENT_PREFIX + "participant.idle"
RETURNED = EVENT_PREFIX + "participant.returned"
AUTODISCONNECTION = EVENT_PREFIX + "participant.autodisconnection"
DISPLAY_NAME_UPDATED = EVENT_PREFIX + "participant.displayname.updated"
TIMER_ROLES = ("CUSTOMER", "AGENT")
#: what the service names the flow's own messages (MessageParticipant, ShowView, authentication):
#: role SYSTEM, DisplayName "SYSTEM_MESSAGE"; only a Lex bot's replies say "BOT" (captured items)
SYSTEM_NAME = "SYSTEM_MESSAGE"


def control_error(message: str) -> ServiceError:
    return ServiceError(400, "ValidationException", message)


@dataclass(frozen=True)
class RoleTimers:
    """Idle and auto-disconnect timeouts (seconds) of one role; ``None``: not set."""

    idle: float | None = None
    disconnect: float | None = None


@dataclass(eq=False)
class AuthSession:
    session_id: str
    contact: Contact
    customer: Participant
    initiated_at: float
    outcome: str | None = None
    url_issued: bool = False
    redirect_uri: str | None = None
    timer: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class _Timer:
    participant: Participant
    idle: bool = False
    handle: asyncio.TimerHandle | None = None


@dataclass(eq=False)
class _ContactFeatures:
    system_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # view token -> View
    timers: dict[str, RoleTimers] = field(default_factory=dict)  # role -> timers
    running: dict[str, _Timer] = field(default_factory=dict)  # participant id -> its timer
    streams: set[asyncio.Task[None]] = field(default_factory=set)
    sessions: list[AuthSession] = field(default_factory=list)


def _number(body: dict[str, Any], name: str, low: float, high: float) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise control_error(f"{name} must be a number from {low} to {high}")
    return float(value)


def _text(body: dict[str, Any], name: str, *, required: bool = False, max_len: int = 16384) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            raise control_error(f"{name} is required")
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= max_len:
        raise control_error(f"{name} must be a string of 1 to {max_len} characters")
    return value


class Features:
    """The emulator's flow-side features for every contact (state kept per contact)."""

    def __init__(self, state: State, url_window: float = 60.0) -> None:
        self.state = state
        self.url_window = url_window
        # the per-contact state lives on the contact (``contact.extras``), so it goes when the
        # contact is released; the index of authentication sessions only holds them weakly
        self.auth_sessions: weakref.WeakValueDictionary[str, AuthSession] = weakref.WeakValueDictionary()
        #: applied to every new contact: role -> timers
        self.default_timers: dict[str, RoleTimers] = {}
        state.listeners.append(self._on_item)

    def of(self, contact: Contact) -> _ContactFeatures:
        found = contact.extras.get("features")
        if not isinstance(found, _ContactFeatures):
            found = _ContactFeatures(timers=dict(self.default_timers))
            contact.extras["features"] = found
        return found

    @staticmethod
    def _known(contact: Contact) -> _ContactFeatures | None:
        found = contact.extras.get("features")
        return found if isinstance(found, _ContactFeatures) else None

    @staticmethod
    def _loop() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    def _check_open(self, contact: Contact) -> None:
        self.state.check_expiry(contact)
        if contact.ended:
            raise ServiceError(409, "ConflictException", "The chat has ended.")

    def _sender(self, contact: Contact, body: dict[str, Any]) -> tuple[Participant | None, dict[str, Any]]:
        """Who sends: ``ParticipantId`` of a participant of the chat, else the flow (SYSTEM)."""
        participant_id = _text(body, "ParticipantId", max_len=256)
        if participant_id is not None:
            participant = contact.participants.get(participant_id)
            if participant is None or not participant.active:
                raise control_error("ParticipantId is not an active participant of this chat")
            return participant, {}
        role = _text(body, "ParticipantRole", max_len=32) or "SYSTEM"
        name = _text(body, "DisplayName", max_len=256) or SYSTEM_NAME
        extra = {"ParticipantId": self.of(contact).system_id, "DisplayName": name, "ParticipantRole": role}
        return None, extra

    def _add(
        self,
        contact: Contact,
        item_type: str,
        content_type: str,
        sender: tuple[Participant | None, dict[str, Any]],
        content: str | None = None,
        *,
        store: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        participant, fields = sender
        merged = {**fields, **(extra or {})}
        return self.state.add_item(
            contact, item_type, content_type, participant, content=content, store=store, extra=merged or None
        )

    # --- messages, streamed answers, interactive messages -------------------------------

    def send_message(self, contact: Contact, body: dict[str, Any]) -> dict[str, Any]:
        self._check_open(contact)
        content_type = _text(body, "ContentType", max_len=100) or "text/plain"
        sender = self._sender(contact, body)
        chunks = body.get("Chunks")
        if chunks is None:
            content = _text(body, "Content", required=True)
            assert content is not None
            item = self._add(contact, "MESSAGE", content_type, sender, content)
            return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
        if not isinstance(chunks, list) or not chunks or not all(isinstance(c, str) and c for c in chunks):
            raise control_error("Chunks must be a non-empty list of non-empty strings")
        if sum(map(len, chunks)) > 16384:
            raise control_error("the chunks together must be at most 16384 characters")
        interval = _number(body, "ChunkIntervalSeconds", 0, 60) or 0.0
        item_id = str(uuid.uuid4())
        features = self.of(contact)
        task = self._loop().create_task(
            self._stream(contact, content_type, sender, item_id, chunks, interval)
        )
        features.streams.add(task)
        task.add_done_callback(features.streams.discard)
        return {"Id": item_id, "Chunks": len(chunks)}

    async def _stream(
        self,
        contact: Contact,
        content_type: str,
        sender: tuple[Participant | None, dict[str, Any]],
        item_id: str,
        chunks: list[str],
        interval: float,
    ) -> None:
        for number, chunk in enumerate(chunks, 1):
            if contact.ended:
                return
            meta = {"MessageId": item_id, "MessageCompleted": False, "ChunkNumber": number}
            extra = {"Id": item_id, "MessageMetadata": meta}
            self._add(contact, "MESSAGE", content_type, sender, chunk, store=False, extra=extra)
            await asyncio.sleep(interval)
        if contact.ended:
            return
        meta = {"MessageId": item_id, "MessageCompleted": True}
        self._add(
            contact,
            "MESSAGE",
            content_type,
            sender,
            "".join(chunks),
            extra={"Id": item_id, "MessageMetadata": meta},
        )

    def send_event(self, contact: Contact, body: dict[str, Any]) -> dict[str, Any]:
        """Any event content type (participant.invited, transfer.succeeded, workflow.cancelled …)."""
        self._check_open(contact)
        content_type = _text(body, "ContentType", required=True, max_len=100)
        assert content_type is not None
        if not content_type.startswith(EVENT_PREFIX):
            raise control_error(f"ContentType must start with {EVENT_PREFIX}")
        item = self._add(contact, EVENT, content_type, self._sender(contact, body), _text(body, "Content"))
        return {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}

    # --- views ----------------------------------------------------------------------------

    def show_view(self, contact: Contact, body: dict[str, Any]) -> dict[str, Any]:
        """Send a ViewResource message for ``View`` (Name, Template, InputSchema, Actions …)."""
        self._check_open(contact)
        view = body.get("View")
        if not isinstance(view, dict):
            raise control_error("View must be an object (Name, Content: {Template, InputSchema, Actions})")
        view_data = body.get("ViewData", {})
        if not isinstance(view_data, dict):
            raise control_error("ViewData must be an object")
        token = "emulator-view-" + secrets.token_urlsafe(24)
        view_id = str(view.get("Id") or "view-" + uuid.uuid4().hex[:12])
        described = {
            "Id": view_id,
            "Arn": view.get("Arn")
            or f"arn:aws:connect:us-east-1:123456789012:instance/{contact.instance_id}/view/{view_id}",
            "Name": view.get("Name", "Emulator view"),
            "Version": view.get("Version", 1),
            "Content": dict(view.get("Content") or {}),
        }
        for key in ("Template", "InputSchema"):
            value = described["Content"].get(key)
            if value is not None and not isinstance(value, str):
                described["Content"][key] = json.dumps(value)  # AWS sends both as JSON strings
        self.of(contact).views[token] = described
        message = {
            "templateType": "ViewResource",
            "version": "1.0",
            "data": {"content": {"viewId": described["Arn"], "viewToken": token, "viewData": view_data}},
        }
        item = self._add(contact, "MESSAGE", INTERACTIVE, self._sender(contact, body), json.dumps(message))
        return {"Id": item["Id"], "ViewToken": token}

    def describe_view(self, participant: Participant, view_token: str) -> dict[str, Any] | None:
        view = self.of(participant.contact).views.get(view_token)
        return None if view is None else {"View": json.loads(json.dumps(view))}

    # --- authentication --------------------------------------------------------------------

    def start_authentication(self, contact: Contact, body: dict[str, Any]) -> dict[str, Any]:
        self._check_open(contact)
        customer = next((p for p in contact.participants.values() if p.role == "CUSTOMER"), None)
        if customer is None or not customer.active:
            raise control_error("the chat has no active customer")
        timeout = _number(body, "TimeoutSeconds", 0.01, 86400)
        session = AuthSession(str(uuid.uuid4()), contact, customer, time.monotonic())
        self.of(contact).sessions.append(session)  # held by the contact
        self.auth_sessions[session.session_id] = session
        sender = self._sender(contact, body)
        self._add(contact, EVENT, AUTH_INITIATED, sender, json.dumps({"SessionId": session.session_id}))
        if timeout is not None:
            session.timer = self._loop().call_later(timeout, self._finish_quietly, session, "timeout", None)
        return {"SessionId": session.session_id}

    def _session(self, contact: Contact | None, session_id: str) -> AuthSession:
        session = self.auth_sessions.get(session_id)
        if session is None or (contact is not None and session.contact is not contact):
            raise ServiceError(404, "ResourceNotFoundException", "No such authentication session.")
        return session

    def finish_authentication(
        self, contact: Contact, session_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        outcome = _text(body, "Outcome", required=True, max_len=16)
        if outcome not in AUTH_OUTCOMES:
            raise control_error(f"Outcome must be one of {', '.join(AUTH_OUTCOMES)}")
        display_name = _text(body, "DisplayName", max_len=256)
        delay = _number(body, "DelaySeconds", 0, 86400)
        session = self._session(contact, session_id)
        if session.outcome is not None:
            raise ServiceError(409, "ConflictException", f"The authentication already {session.outcome}.")
        if delay:
            if session.timer is not None:
                session.timer.cancel()
            session.timer = self._loop().call_later(
                delay, self._finish_quietly, session, outcome, display_name
            )
            return {"SessionId": session_id, "Scheduled": outcome}
        self._finish(session, outcome, display_name)
        return {"SessionId": session_id, "Outcome": outcome}

    def _finish_quietly(self, session: AuthSession, outcome: str, display_name: str | None) -> None:
        if session.outcome is None and not session.contact.ended:
            self._finish(session, outcome, display_name)

    def _finish(self, session: AuthSession, outcome: str, display_name: str | None) -> None:
        session.outcome = outcome
        if session.timer is not None:
            session.timer.cancel()
            session.timer = None
        contact = session.contact
        sender = (None, {"ParticipantId": self.of(contact).system_id, "DisplayName": SYSTEM_NAME,
                         "ParticipantRole": "SYSTEM"})  # fmt: skip
        content = json.dumps({"SessionId": session.session_id})
        self._add(contact, EVENT, AUTH_OUTCOMES[outcome], sender, content)
        if outcome == "succeeded" and session.customer.active:
            self.rename(session.customer, display_name or session.customer.display_name)

    def _customer_session(self, participant: Participant, session_id: str) -> AuthSession:
        """The session a participant's API call names: of its chat (else 400), its customer's (else 403)."""
        session = self.auth_sessions.get(session_id)
        if session is None or session.contact is not participant.contact:
            raise validation("The SessionId is not an authentication session of this chat.")
        if participant is not session.customer:
            raise ServiceError(403, "AccessDeniedException", "Access denied")
        return session

    def authentication_url(
        self, participant: Participant, session_id: str, redirect_uri: str, origin: str
    ) -> dict[str, Any]:
        session = self._customer_session(participant, session_id)
        if session.outcome is not None:
            raise validation(f"The authentication session has ended ({session.outcome}).")
        if time.monotonic() - session.initiated_at > self.url_window:
            raise validation("The authentication session is no longer accepting sign-ins.")
        session.url_issued = True
        session.redirect_uri = redirect_uri
        return {"AuthenticationUrl": f"{origin}/_emulator/authentication/{session_id}"}

    def cancel_authentication(self, participant: Participant, session_id: str) -> dict[str, Any]:
        session = self._customer_session(participant, session_id)
        if session.outcome is not None:
            raise ServiceError(409, "ConflictException", f"The authentication already {session.outcome}.")
        self._finish(session, "cancelled", None)
        return {}

    def sign_in(self, session_id: str) -> AuthSession:
        """The customer opened the sign-in URL: the authentication succeeds."""
        session = self._session(None, session_id)
        if session.outcome is None and session.url_issued and not session.contact.ended:
            self._finish(session, "succeeded", None)
        return session

    # --- display names ---------------------------------------------------------------------

    def rename(self, participant: Participant, display_name: str) -> dict[str, Any]:
        participant.display_name = display_name
        return self.state.add_item(participant.contact, EVENT, DISPLAY_NAME_UPDATED, participant)

    # --- idle and auto-disconnect timers ---------------------------------------------------

    def set_timers(self, contact: Contact, body: dict[str, Any]) -> dict[str, Any]:
        entries = body.get("Timers")
        if not isinstance(entries, list):
            raise control_error("Timers must be a list of {ParticipantRole, IdleSeconds, DisconnectSeconds}")
        parsed: dict[str, RoleTimers] = {}
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("ParticipantRole") not in TIMER_ROLES:
                raise control_error("each timer needs ParticipantRole CUSTOMER or AGENT")
            parsed[entry["ParticipantRole"]] = RoleTimers(
                _number(entry, "IdleSeconds", 0.01, 28800), _number(entry, "DisconnectSeconds", 0.01, 28800)
            )
        features = self.of(contact)
        features.timers.update(parsed)
        for participant in contact.participants.values():
            if participant.role in parsed:
                self._restart(participant)
        return {"Timers": {role: vars(t) for role, t in features.timers.items()}}

    def _timers_run(self, contact: Contact, leaving: Participant | None = None) -> bool:
        """AWS runs chat timers while the customer and an agent or custom participant are in it."""
        active = [p for p in contact.participants.values() if p.active and p is not leaving]
        return any(p.role == "CUSTOMER" for p in active) and any(
            p.role in ("AGENT", "CUSTOM_BOT") for p in active
        )

    def _restart(self, participant: Participant) -> None:
        contact = participant.contact
        features = self.of(contact)
        self._stop(features, participant)
        config = features.timers.get(participant.role)
        if config is None or not participant.active or not self._timers_run(contact):
            return
        fresh = _Timer(participant)
        features.running[participant.participant_id] = fresh
        if config.idle is not None:
            fresh.handle = self._loop().call_later(config.idle, self._went_idle, fresh)
        elif config.disconnect is not None:
            fresh.handle = self._loop().call_later(config.disconnect, self._auto_disconnect, fresh)

    def _went_idle(self, timer: _Timer) -> None:
        participant = timer.participant
        if not participant.active:
            return
        timer.idle = True
        self.state.add_item(participant.contact, EVENT, IDLE, participant)
        config = self.of(participant.contact).timers.get(participant.role)
        if config is not None and config.disconnect is not None:
            timer.handle = self._loop().call_later(config.disconnect, self._auto_disconnect, timer)

    def _auto_disconnect(self, timer: _Timer) -> None:
        participant = timer.participant
        contact = participant.contact
        if not participant.active:
            return
        self.of(contact).running.pop(participant.participant_id, None)
        self.state.add_item(contact, EVENT, AUTODISCONNECTION, participant)
        # AWS: every participant but the customer is disconnected
        for other in list(contact.participants.values()):
            if other.role != "CUSTOMER" and other.active:
                self.state.disconnect(other)

    def _on_item(self, contact: Contact, item: dict[str, Any], participant: Participant | None) -> None:
        content_type = item.get("ContentType")
        if content_type == EVENT_PREFIX + "chat.ended":
            self.close(contact)  # nothing of an ended chat keeps running
            return
        if participant is None:
            return
        kind = item.get("Type")
        features = self._known(contact)
        if features is None or not features.timers:
            return
        if kind in ("MESSAGE", "ATTACHMENT"):
            timer = features.running.get(participant.participant_id)
            if timer is not None and timer.idle:
                timer.idle = False
                self.state.add_item(contact, EVENT, RETURNED, participant)
            self._restart(participant)
        elif content_type == EVENT_PREFIX + "participant.joined":
            for other in contact.participants.values():
                if other.participant_id not in features.running:
                    self._restart(other)  # the timers start when an agent or custom participant joins
        elif content_type == EVENT_PREFIX + "participant.left":
            running = self._timers_run(contact, leaving=participant)
            for other in list(contact.participants.values()):
                if not running or other is participant:
                    self._stop(features, other)

    @staticmethod
    def _stop(features: _ContactFeatures, participant: Participant) -> None:
        timer = features.running.pop(participant.participant_id, None)
        if timer is not None and timer.handle is not None:
            timer.handle.cancel()

    def close(self, contact: Contact) -> None:
        features = self._known(contact)
        if features is None:
            return
        for timer in features.running.values():
            if timer.handle is not None:
                timer.handle.cancel()
        features.running.clear()
        for task in features.streams:
            task.cancel()
        for session in features.sessions:
            if session.timer is not None:
                session.timer.cancel()
                session.timer = None
