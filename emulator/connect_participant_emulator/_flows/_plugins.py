"""What a flow reaches outside Connect, as plain Python: Lex bots, agents, hours, the clock.

- :class:`ScriptedBot`: a small Lex bot for tests (utterance pattern -> intent, slots,
  messages), answering in the shape of Lex V2 ``RecognizeText``.
- :class:`Agent`: who takes a contact from a queue (after a delay, saying a script, or a
  callback that plays the agent with the SDK).
- :class:`FlowClock`: the flows' time (Wait, Lex timeouts, agent delays, hours of operation);
  ``advance(seconds)`` moves it on without waiting.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Agent", "AgentSession", "FlowClock", "Intent", "ScriptedBot"]


class FlowClock:
    """The flows' clock: wall-clock time (or ``start``) plus what tests ``advance``.

    ``now()`` is epoch seconds. ``FlowClock(start=datetime(2026, 12, 7, 9, tzinfo=UTC))``
    starts at that moment and runs on from there in real time. Thread-safe."""

    def __init__(
        self, start: datetime | float | None = None, *, source: Callable[[], float] = time.time
    ) -> None:
        self._source = source
        base = source()
        if start is None:
            self._offset = 0.0
        else:
            epoch = start.timestamp() if isinstance(start, datetime) else float(start)
            self._offset = epoch - base
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._source() + self._offset

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` on (nothing waits); answers the new time. Through the
        emulator use ``svc.advance_clock(seconds)``, which also runs what became due."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._source() + self._offset


@dataclass(frozen=True)
class Intent:
    """One intent of a :class:`ScriptedBot`.

    ``utterances``: regular expressions (searched, case-insensitive); named groups become
    slots. ``reply``: what the bot says when the intent is recognised (text, or an
    interactive template as a dict). ``slots``: slot name -> the question asked while that slot
    has no value (the intent is then in progress; the customer's next message fills it)."""

    name: str
    utterances: Sequence[str] = ()
    reply: str | Mapping[str, Any] | Sequence[str | Mapping[str, Any]] | None = None
    slots: Mapping[str, str] = field(default_factory=dict)
    #: the intent's state when complete: Fulfilled, ReadyForFulfillment or Failed
    state: str = "Fulfilled"


def _messages(
    reply: str | Mapping[str, Any] | Sequence[str | Mapping[str, Any]] | None,
) -> list[dict[str, Any]]:
    if reply is None:
        return []
    items: Sequence[Any] = [reply] if isinstance(reply, str | Mapping) else reply
    messages = []
    for item in items:
        if isinstance(item, Mapping):
            messages.append({"contentType": "CustomPayload", "content": json.dumps(item)})
        else:
            messages.append({"contentType": "PlainText", "content": str(item)})
    return messages


class ScriptedBot:
    """A Lex V2 bot for tests: ``recognize_text(request)`` answers as RecognizeText does.

    ``ScriptedBot(Intent("CheckBalance", [r"balance"], reply="Your balance is $42."),
    Intent("TalkToAgent", [r"agent|human"]), fallback="Sorry?")``. An utterance no intent
    matches gives ``FallbackIntent`` (closed, state Failed) with the ``fallback`` message.
    ``requests`` keeps every request received."""

    def __init__(self, *intents: Intent, fallback: str | None = "Sorry, I didn't understand that.") -> None:
        self.intents = intents
        self.fallback = fallback
        self.requests: list[dict[str, Any]] = []
        # sessionId -> (intent in progress, slots so far)
        self._sessions: dict[str, tuple[Intent, dict[str, str]]] = {}

    def recognize_text(self, request: Mapping[str, Any]) -> dict[str, Any]:
        self.requests.append(dict(request))
        text = str(request.get("text", ""))
        session_id = str(request.get("sessionId", ""))
        state = request.get("sessionState")
        attributes = dict(state.get("sessionAttributes") or {}) if isinstance(state, Mapping) else {}
        ongoing = self._sessions.pop(session_id, None)
        if ongoing is not None:
            intent, slots = ongoing
            missing = [name for name in intent.slots if name not in slots]
            slots[missing[0]] = text.strip()
        else:
            found = self._match(text)
            if found is None:
                return self._answer(
                    "FallbackIntent", "Failed", {}, attributes, _messages(self.fallback), None
                )
            intent, slots = found
        missing = [name for name in intent.slots if name not in slots]
        if missing:
            self._sessions[session_id] = (intent, slots)
            ask = _messages(intent.slots[missing[0]])
            return self._answer(intent.name, "InProgress", slots, attributes, ask, missing[0])
        return self._answer(intent.name, intent.state, slots, attributes, _messages(intent.reply), None)

    def _match(self, text: str) -> tuple[Intent, dict[str, str]] | None:
        for intent in self.intents:
            for pattern in intent.utterances:
                match = re.search(pattern, text, re.IGNORECASE)
                if match is not None:
                    slots = {k: v for k, v in match.groupdict().items() if v is not None}
                    return intent, slots
        return None

    @staticmethod
    def _answer(
        name: str,
        state: str,
        slots: Mapping[str, str],
        attributes: Mapping[str, str],
        messages: list[dict[str, Any]],
        eliciting: str | None,
    ) -> dict[str, Any]:
        dialog: dict[str, Any] = (
            {"type": "ElicitSlot", "slotToElicit": eliciting} if eliciting else {"type": "Close"}
        )
        lex_slots = {
            k: {"value": {"originalValue": v, "interpretedValue": v, "resolvedValues": [v]}}
            for k, v in slots.items()
        }
        intent = {"name": name, "slots": lex_slots, "state": state, "confirmationState": "None"}
        return {
            "messages": messages,
            "sessionState": {"dialogAction": dialog, "intent": intent, "sessionAttributes": dict(attributes)},
            "interpretations": [
                {"intent": intent, "nluConfidence": {"score": 1.0 if name != "FallbackIntent" else 0.0}}
            ],
            "sessionId": "",
        }


@dataclass(frozen=True)
class AgentSession:
    """The agent who joined, as a callback gets it: the participant token lets the SDK play it
    (``ParticipantClient(endpoint_url=session.endpoint_url).connect(session.participant_token)``)."""

    contact_id: str
    participant_id: str
    participant_token: str = field(repr=False)
    display_name: str
    queue: str
    #: the emulator's URL (None when it is not known, e.g. an app built without a server)
    endpoint_url: str | None = None


AgentCallback = Callable[[AgentSession], None] | Callable[[AgentSession], Awaitable[None]]


@dataclass(frozen=True)
class Agent:
    """Who takes contacts from a queue.

    Joins ``delay`` seconds (flow clock) after the contact is queued, as ``name``; says the
    first line of ``script`` on joining and each next line after each customer message; after
    the last line leaves the chat when ``leaves`` (the disconnect flow then runs). ``on_join``
    (sync: run in a thread; async: on the emulator's loop) is called with an
    :class:`AgentSession` once the agent has joined."""

    name: str = "Agent"
    delay: float = 0.0
    script: Sequence[str] = ()
    leaves: bool = True
    on_join: AgentCallback | None = None
