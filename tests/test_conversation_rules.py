"""Conversation testing's rules (``connect_participant.testing``), pure: which event an ``expect``
matches (type, role, a substring, a regular expression or a predicate), what its error says
(what was expected, why it stopped, the events that came instead), each ``expect``'s deadline
(its own timeout, else the conversation's), what ``history`` keeps, and how a streamed answer's
chunks are collected. The waiting logic is a flow (``_flow``): these tests drive it with the
events a chat would give, the loopback tests (``test_conversation.py``,
``test_stated_rules_loopback.py``) drive it with a chat (found by ``make mutate --module testing``).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from connect_participant import InvalidInputError, Item, ListPicker, Message, ParticipantJoined, Typing
from connect_participant._events import Event, event_from_item
from connect_participant._flow import run_sync
from connect_participant._interactive import INTERACTIVE
from connect_participant.testing import (
    _ENDED,
    ConversationError,
    StreamedAnswer,
    _describe,
    _matches,
    _Next,
    _Script,
    _what,
)


def _message(content: str | None, role: str | None = "SYSTEM", **extra: Any) -> Message:
    raw: dict[str, Any] = {
        "Type": "MESSAGE",
        "Id": extra.pop("Id", f"m-{content}"),
        "ContentType": "text/plain",
    }
    if content is not None:
        raw["Content"] = content
    if role is not None:
        raw["ParticipantRole"] = role
    event = event_from_item(Item({**raw, **extra}))
    assert isinstance(event, Message)
    return event


def _typing(role: str = "AGENT") -> Event:
    return event_from_item(
        Item(
            {
                "Type": "EVENT",
                "ContentType": "application/vnd.amazonaws.connect.event.typing",
                "ParticipantRole": role,
            }
        )
    )


def _joined() -> Event:
    return event_from_item(
        Item(
            {
                "Type": "EVENT",
                "ContentType": "application/vnd.amazonaws.connect.event.participant.joined",
                "ParticipantRole": "AGENT",
            }
        )
    )


def _picker(title: str = "Pick") -> Message:
    content = {
        "templateType": "ListPicker",
        "version": "1.0",
        "data": {"content": {"title": title, "elements": []}},
    }
    return _message(json.dumps(content), ContentType=INTERACTIVE, Id=f"p-{title}")


def _chunk(
    item_id: str, number: int | None, text: str, *, completed: bool = False, role: str = "SYSTEM"
) -> Message:
    meta: dict[str, Any] = {"MessageCompleted": completed}
    if number is not None:
        meta["ChunkNumber"] = number
    return _message(text, role, Id=item_id, MessageMetadata=meta)


class _Chat:
    """What a chat gives the flow, one answer per wait: an event, ``None`` (the wait's deadline
    came) or ``_ENDED``; the waits are kept."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.waits: list[_Next] = []

    def __call__(self, action: _Next) -> Any:
        assert isinstance(action, _Next)
        self.waits.append(action)
        return self.answers.pop(0)


def _expect(
    script: _Script,
    chat: _Chat,
    kind: Any = Event,
    matching: Any = None,
    *,
    role: str | None = None,
    timeout: float | None = None,
    what: str = "it",
) -> Any:
    return run_sync(script.expect_flow(kind, matching, role, timeout, what), chat)


# --- matching ------------------------------------------------------------------------------------


def test_the_type_and_role_must_match() -> None:
    hello = _message("hello", "AGENT")
    assert _matches(hello, Message, None, None)
    assert _matches(hello, Event, None, None)
    assert _matches(hello, (Typing, Message), None, None)
    assert not _matches(hello, Typing, None, None)
    assert not _matches(hello, (Typing, ParticipantJoined), None, None)
    assert _matches(hello, Message, "AGENT", None)
    assert not _matches(hello, Message, "SYSTEM", None)
    assert not _matches(_message("hello", None), Message, "AGENT", None)


def test_a_string_is_a_substring_of_the_content_a_pattern_is_searched_a_predicate_decides() -> None:
    hello = _message("Hello there")
    assert _matches(hello, Message, None, "lo th")
    assert not _matches(hello, Message, None, "hello")
    assert _matches(hello, Message, None, re.compile("th.re"))  # anywhere, not only at the start
    assert not _matches(hello, Message, None, re.compile("^there"))
    assert _matches(hello, Message, None, lambda e: e.content.startswith("Hel"))
    assert not _matches(hello, Message, None, lambda e: None)  # falsy is no match
    assert _matches(hello, Message, None, lambda e: 1)  # truthy is a match
    contentless = _message(None)
    assert _matches(contentless, Message, None, "")
    assert not _matches(contentless, Message, None, "x")
    assert not _matches(contentless, Message, None, "X")
    assert _matches(contentless, Message, None, re.compile(""))
    assert not _matches(contentless, Message, None, re.compile("."))


def test_what_an_expect_names() -> None:
    assert _what(Message, None, None) == "Message"
    assert _what((Message, Typing), "AGENT", "hi") == "Message/Typing from AGENT containing 'hi'"
    assert _what(Message, None, re.compile("a+b")) == "Message matching /a+b/"
    assert _what(Event, "SYSTEM", lambda e: True) == "Event from SYSTEM matching the predicate"


def test_what_came_instead_is_described_the_last_ten() -> None:
    assert _describe([]) == "nothing"
    assert _describe([_message("x" * 50, "AGENT"), _typing("CUSTOMER"), _message(None, None)]) == (
        f"Message(AGENT: {'x' * 40!r}), Typing(CUSTOMER: ''), Message(-: '')"
    )
    ten = [_message(str(i)) for i in range(10)]
    assert _describe(ten) == ", ".join(f"Message(SYSTEM: '{i}')" for i in range(10))
    eleven = [_message(str(i)) for i in range(11)]  # one more than shown: the count says so
    assert _describe(eleven) == "1 more, then " + ", ".join(f"Message(SYSTEM: '{i}')" for i in range(1, 11))
    twelve = [_message(str(i)) for i in range(12)]
    assert _describe(twelve) == "2 more, then " + ", ".join(f"Message(SYSTEM: '{i}')" for i in range(2, 12))


# --- waiting ------------------------------------------------------------------------------------


def test_the_first_match_is_returned_and_everything_seen_is_kept_once_in_order() -> None:
    script = _Script(5)
    typing, other, wanted, later = _typing(), _message("other"), _message("wanted"), _message("later")
    chat = _Chat(typing, other, wanted, later)
    assert _expect(script, chat, Message, "want") is wanted
    assert script.history == [typing, other, wanted]
    assert _expect(script, chat, Message) is later
    assert script.history == [typing, other, wanted, later]
    assert chat.answers == []


def test_each_wait_has_one_deadline_the_expects_own_timeout_else_the_conversations() -> None:
    script = _Script(5)
    before = time.monotonic()
    chat = _Chat(_typing(), _typing(), _message("a"))
    _expect(script, chat, Message)
    after = time.monotonic()
    deadlines = {wait.deadline for wait in chat.waits}
    assert len(deadlines) == 1  # the deadline is the expect's, not one per event
    assert before + 5 <= deadlines.pop() <= after + 5
    for own in (0.25, 60, 7):  # shorter or longer than the conversation's
        chat = _Chat(_message("a"))
        before = time.monotonic()
        _expect(script, chat, timeout=own)
        assert before + own <= chat.waits[0].deadline <= time.monotonic() + own
    script.timeout = 30  # a later change of the conversation's timeout counts
    chat = _Chat(_message("a"))
    before = time.monotonic()
    _expect(script, chat)
    assert before + 30 <= chat.waits[0].deadline <= time.monotonic() + 30


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "5", True])
def test_a_bad_timeout_is_refused_before_waiting(bad: Any) -> None:
    chat = _Chat(_message("a"))
    with pytest.raises(InvalidInputError, match=r"^timeout: must be a positive number"):
        _expect(_Script(5), chat, timeout=bad)
    assert chat.waits == []
    with pytest.raises(InvalidInputError, match=r"^timeout: must be a positive number"):
        _Script(bad)


def test_the_conversations_timeout_is_ten_seconds_unless_given() -> None:
    assert _Script(None).timeout == 10.0  # type: ignore[arg-type]
    assert _Script(2).timeout == 2.0
    assert isinstance(_Script(2).timeout, float)


def test_a_timeout_names_what_was_expected_and_what_came_since_the_expect_began() -> None:
    script = _Script(5)
    _expect(script, _Chat(_message("before")))
    chat = _Chat(_typing("AGENT"), _message("nope", "AGENT"), None)
    with pytest.raises(ConversationError) as caught:
        _expect(script, chat, Message, "yes", what="a Message containing 'yes'")
    assert str(caught.value) == (
        "expected a Message containing 'yes'; timed out after Typing(AGENT: ''), Message(AGENT: 'nope')"
    )
    assert len(script.history) == 3
    with pytest.raises(ConversationError) as nothing:
        _expect(script, _Chat(None), what="x")
    assert str(nothing.value) == "expected x; timed out after nothing"
    assert isinstance(nothing.value, AssertionError)


def test_the_chat_ending_first_says_so() -> None:
    script = _Script(5)
    with pytest.raises(ConversationError) as caught:
        _expect(script, _Chat(_message("last"), _ENDED), Typing, what="Typing")
    assert str(caught.value) == "expected Typing; the chat's events ended after Message(SYSTEM: 'last')"
    assert script.history == [_message("last")]


# --- interactive and streamed ---------------------------------------------------------------------


def test_the_next_interactive_message_of_the_type_gives_its_template() -> None:
    script = _Script(5)
    # an event that is no message (it has no template) is passed over like a plain message
    chat = _Chat(_message("plain"), _typing(), _picker("First"), _picker("Second"))
    template = run_sync(script.interactive_flow(ListPicker, "Second", None), chat)
    assert isinstance(template, ListPicker)
    assert template.title == "Second"
    assert len(script.history) == 4
    with pytest.raises(
        ConversationError, match=r"^expected an interactive ListPicker; timed out after nothing$"
    ):
        run_sync(script.interactive_flow(ListPicker, None, 3), _Chat(None))
    from connect_participant import TimePicker

    with pytest.raises(
        ConversationError, match="expected an interactive TimePicker; the chat's events ended"
    ):
        run_sync(script.interactive_flow(TimePicker, None, None), _Chat(_picker(), _ENDED))


def test_a_streamed_answer_collects_its_chunks_until_it_completes() -> None:
    script = _Script(5)
    chat = _Chat(
        _chunk("a", 1, "Hel"),
        _chunk("other", 1, "not from the role", role="AGENT"),
        _message("plain, not streamed"),
        _chunk("a", 2, "lo"),
        _chunk("b", 3, "a chunk that cannot start an answer"),
        _chunk("a", 3, ""),  # an empty chunk is kept as one, empty
        _chunk("a", None, "Hello", completed=True),
    )
    answer = run_sync(script.streamed_flow(None, "SYSTEM", None), chat)
    assert isinstance(answer, StreamedAnswer)
    assert (answer.text, answer.chunks, answer.message.id) == ("Hello", ("Hel", "lo", ""), "a")
    assert len(script.history) == 7


def test_a_streamed_answer_must_match_and_come_from_the_role() -> None:
    script = _Script(5)
    chat = _Chat(
        _chunk("x", 1, "Bye"),
        _chunk("x", None, "Bye now", completed=True),
        _chunk("y", None, "Hi from an agent", completed=True, role="AGENT"),
        _chunk("z", None, "Hi", completed=True),
    )
    answer = run_sync(script.streamed_flow("Hi", "SYSTEM", None), chat)
    assert (answer.text, answer.chunks) == ("Hi", ())
    any_role = run_sync(
        script.streamed_flow(None, None, None), _Chat(_chunk("w", None, "W", completed=True, role="AGENT"))
    )
    assert any_role.text == "W"
    empty = run_sync(script.streamed_flow(None, None, None), _Chat(_chunk("e", None, "", completed=True)))
    assert empty.text == ""
    with pytest.raises(ConversationError, match=r"^expected a completed streamed message; timed out after"):
        run_sync(script.streamed_flow(None, None, None), _Chat(_chunk("q", 1, "part"), None))


def test_a_streamed_message_without_an_id_is_not_an_answer() -> None:
    script = _Script(5)
    nameless = event_from_item(
        Item(
            {
                "Type": "MESSAGE",
                "Content": "x",
                "ParticipantRole": "SYSTEM",
                "MessageMetadata": {"MessageCompleted": True},
            }
        )
    )
    with pytest.raises(ConversationError):
        run_sync(script.streamed_flow(None, None, None), _Chat(nameless, None))
