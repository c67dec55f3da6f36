"""Helpers for running the corpus's real contact flows on the emulator, as the customer sees them.

A flow starts with StartChatContact, as in Connect, so its first messages may be in the
transcript before the customer's events stream opens. The tests therefore read the
transcript until the flow waits for something (the customer, the flow clock, an agent), then
open a ``Conversation`` and go on from there: nothing the flow does can fall between the two.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from connect_participant import ChatSession, Event, Item

CORPUS = Path(__file__).parent / "data" / "flows"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"
_QUIET = (
    "application/vnd.amazonaws.connect.event.typing",
    "application/vnd.amazonaws.connect.event.connection.acknowledged",
    "application/vnd.amazonaws.connect.event.message.delivered",
    "application/vnd.amazonaws.connect.event.message.read",
)

#: what the customer sees of one item: (role, display name, text — or the event's kind, or
#: "interactive:<templateType>")
Seen = tuple[str | None, str | None, str]


def corpus(*parts: str) -> Path:
    return CORPUS.joinpath(*parts)


def visible(item: Item) -> bool:
    """Messages and participant/chat events; not typing, receipts or acknowledgements."""
    return item.type in ("MESSAGE", "EVENT", "ATTACHMENT") and item.content_type not in _QUIET


def seen(item: Item) -> Seen:
    content_type = item.content_type or ""
    if item.type == "EVENT":
        what = content_type.rsplit("event.", 1)[-1]
    elif content_type == INTERACTIVE:
        what = "interactive:" + str(json.loads(item.content or "{}").get("templateType"))
    elif content_type == INTERACTIVE_RESPONSE:
        what = "response:" + str(json.loads(item.content or "{}").get("templateType"))
    else:
        what = item.content or ""
    return (item.participant_role, item.display_name, what)


def timeline(events: Iterable[Event]) -> list[Seen]:
    return [seen(e.item) for e in events if visible(e.item) and not e.is_update]


def transcript_until(
    chat: ChatSession, done: Callable[[list[Seen]], bool] | int, *, timeout: float = 15.0
) -> list[Seen]:
    """The transcript as the customer sees it, once ``done`` says the flow got where the test
    expects it to wait (an int: once it has that many visible items)."""
    check = (lambda items: len(items) >= done) if isinstance(done, int) else done
    deadline = time.monotonic() + timeout
    while True:
        items = [seen(i) for i in chat.transcript() if visible(i)]
        if check(items):
            return items
        if time.monotonic() >= deadline:
            raise AssertionError(f"the flow did not get there in {timeout}s; the customer saw {items}")
        time.sleep(0.02)


def system(text: str) -> Seen:
    """A MessageParticipant block's message."""
    return ("SYSTEM", "SYSTEM_MESSAGE", text)


def bot(text: str) -> Seen:
    """A Lex bot's message (or the prompt of a Lex block)."""
    return ("SYSTEM", "BOT", text)


def joined(role: str, name: str) -> Seen:
    return (role, name, "participant.joined")


def left(role: str, name: str) -> Seen:
    return (role, name, "participant.left")


def steps(trace: Sequence[Any], flow: str | None = None) -> list[tuple[str, str]]:
    """(action type, branch) of each step of a flow trace (of one flow, or of all)."""
    return [(s.type, s.branch) for s in trace if flow is None or s.flow == flow]


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
