"""Conversation testing, and Connect's own test cases run offline (``run_test_case``: the
Testing language, version 2025-06-21, on the emulator; see docs/test-cases.md).

Conversation testing: script a chat in a test, step by step, against the emulator or a real
Connect instance (anything a ``ChatSession`` can join).

```python
from connect_participant import ListPicker, Message
from connect_participant.testing import Conversation

with client.connect(participant_token) as chat, Conversation(chat) as convo:
    chat.send_message("I want to buy fruit")
    answer = convo.expect_streamed(role="SYSTEM")  # chunks, then the completed text
    assert "fruit" in answer.text
    picker = convo.expect_interactive(ListPicker)  # the flow's list picker
    chat.select(picker, "Apple")  # what AWS's chat interface sends
    convo.expect(Message, matching="Thanks", role="SYSTEM", timeout=5)
```

``expect`` reads the chat's events in order until one matches (the type, ``role``, and
``matching``: a predicate, a substring of the content, or a compiled regular expression);
the events passed over are kept, with the matching ones, in ``convo.history`` — every event
the conversation saw, once, in order. Nothing matching within ``timeout`` seconds (or the chat
ending first) raises ``ConversationError`` (an ``AssertionError``) listing what came instead.
``AsyncConversation`` is the same with ``await``.

Entering ``with Conversation(chat)`` (``async with AsyncConversation(chat)``) waits until the
chat's events stream is live, as ``with chat.events()`` does (``StreamNotLiveError`` if it is
not within ``config.live_timeout``): everything sent in the block arrives, typing, receipts and
streamed-answer chunks included. A conversation used without ``with`` waits so on its first
``expect``; what was sent before that may then miss the socket-only events.

The waiting logic is written once (a flow, as in ``_flow``); the two classes only fetch the
next event, with a deadline.
"""

from __future__ import annotations

import asyncio
import queue
import re
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar, cast

from ._events import Event, Message
from ._flow import run_async, run_sync
from ._interactive import InteractiveTemplate
from ._session import AsyncChatSession, ChatSession
from ._streaming import StreamedText
from ._testcase import TestCase, TestCaseError, parse_test_case
from ._testcase_report import coverage_report, coverage_table, junit_xml, text_report
from ._testcase_runner import (
    TestCaseResult,
    flow_documents,
    load_test_cases,
    run_test_case,
    run_test_cases,
)
from ._validation import check_timeout
from ._ws import AsyncEventStream, EventStream
from ._ws_protocol import EventStreamConfig

__all__ = [
    "AsyncConversation",
    "Conversation",
    "ConversationError",
    "StreamedAnswer",
    "TestCase",
    "TestCaseError",
    "TestCaseResult",
    "coverage_report",
    "coverage_table",
    "flow_documents",
    "junit_xml",
    "load_test_cases",
    "parse_test_case",
    "run_test_case",
    "run_test_cases",
    "text_report",
]

E = TypeVar("E", bound=Event)
T = TypeVar("T", bound=InteractiveTemplate)
Matching = Callable[[Any], bool] | str | re.Pattern[str] | None


class ConversationError(AssertionError):
    """What was expected did not come in time (or the chat ended first)."""


@dataclass(frozen=True, slots=True)
class StreamedAnswer:
    """A streamed answer, completed: ``text`` (the whole text), ``chunks`` (as they came),
    ``message`` (the completed ``Message``)."""

    message: Message
    """The completed ``Message`` (the whole text, same ``Id`` as the chunks)."""
    chunks: tuple[str, ...]
    """The chunks' texts, as they came."""

    @property
    def text(self) -> str:
        """The whole answer's text."""
        return self.message.content or ""


@dataclass(frozen=True, slots=True)
class _Next:
    deadline: float


class _Ended:
    """The events stream ended (the chat ended, or the stream was closed)."""


_ENDED = _Ended()


def _matches(
    event: Event, kinds: type[Event] | tuple[type[Event], ...], role: str | None, matching: Matching
) -> bool:
    if not isinstance(event, kinds):
        return False
    if role is not None and event.participant_role != role:
        return False
    if matching is None:
        return True
    if isinstance(matching, str):
        return matching in (event.item.content or "")
    if isinstance(matching, re.Pattern):
        return matching.search(event.item.content or "") is not None
    return bool(matching(event))


def _describe(events: list[Event]) -> str:
    if not events:
        return "nothing"
    shown = [
        f"{type(e).__name__}({e.participant_role or '-'}: {(e.item.content or '')[:40]!r})"
        for e in events[-10:]
    ]
    more = f"{len(events) - 10} more, then " if len(events) > 10 else ""
    return more + ", ".join(shown)


class _Script:
    """Everything but I/O: the history and the waiting flows."""

    def __init__(self, timeout: float) -> None:
        self.timeout = check_timeout(timeout) or 10.0
        self.history: list[Event] = []

    def _deadline(self, timeout: float | None) -> float:
        seconds = self.timeout if timeout is None else check_timeout(timeout) or self.timeout
        return time.monotonic() + seconds

    def expect_flow(
        self,
        kinds: type[Event] | tuple[type[Event], ...],
        matching: Matching,
        role: str | None,
        timeout: float | None,
        what: str,
    ) -> Generator[_Next, Event | _Ended | None, Event]:
        deadline = self._deadline(timeout)
        start = len(self.history)
        while True:
            got = yield _Next(deadline)
            if got is None or isinstance(got, _Ended):
                why = "the chat's events ended" if isinstance(got, _Ended) else "timed out"
                seen = _describe(self.history[start:])
                raise ConversationError(f"expected {what}; {why} after {seen}")
            self.history.append(got)
            if _matches(got, kinds, role, matching):
                return got

    def interactive_flow(
        self, template_type: type[InteractiveTemplate], matching: Matching, timeout: float | None
    ) -> Generator[_Next, Event | _Ended | None, InteractiveTemplate | None]:
        check = _interactive_check(template_type, matching)
        what = f"an interactive {template_type.__name__}"
        found = yield from self.expect_flow(Message, check, None, timeout, what)
        return cast(Message, found).interactive

    def streamed_flow(
        self, matching: Matching, role: str | None, timeout: float | None
    ) -> Generator[_Next, Event | _Ended | None, StreamedAnswer]:
        stitched = StreamedText()
        chunks: dict[str, list[str]] = {}

        def step(event: Any) -> bool:
            if not isinstance(event, Message) or not event.streamed or event.id is None:
                return False
            if role is not None and event.participant_role != role:
                return False
            before = stitched.feed(event)
            if not event.completed:
                if before is not None:
                    chunks.setdefault(event.id, []).append(event.content or "")
                return False
            return _matches(event, Message, role, matching)

        done = yield from self.expect_flow(Message, step, None, timeout, "a completed streamed message")
        message = cast(Message, done)
        return StreamedAnswer(message, tuple(chunks.get(message.id or "", ())))


def _interactive_check(template_type: type[InteractiveTemplate], matching: Matching) -> Callable[[Any], bool]:
    def check(event: Any) -> bool:
        template = event.interactive if isinstance(event, Message) else None
        if not isinstance(template, template_type):
            return False
        return _matches(event, Message, None, matching)

    return check


class Conversation(_Script):
    """A scripted chat over ``chat.events()`` (sync). Use as a context manager."""

    def __init__(
        self, chat: ChatSession, *, timeout: float = 10.0, config: EventStreamConfig | None = None
    ) -> None:
        super().__init__(timeout)
        self.chat = chat
        """The session the conversation reads."""
        self._stream: EventStream = chat.events(config=config)
        self._queue: queue.SimpleQueue[Event | _Ended | BaseException] = queue.SimpleQueue()
        self._ended = False
        self._reader: threading.Thread | None = None

    def _begin(self) -> None:
        """Wait until the stream is live, then read it in a thread (once)."""
        if self._reader is None:
            self._stream.__enter__()
            self._reader = threading.Thread(target=self._read, name="conversation-reader", daemon=True)
            self._reader.start()

    def _read(self) -> None:
        try:
            for event in self._stream:
                self._queue.put(event)
        except BaseException as exc:  # handed to the test that waits
            self._queue.put(exc)
        self._queue.put(_ENDED)

    def _perform(self, action: _Next) -> Event | _Ended | None:
        if self._ended:
            return _ENDED
        self._begin()
        try:
            got = self._queue.get(timeout=max(0.0, action.deadline - time.monotonic()))
        except queue.Empty:
            return None
        if isinstance(got, BaseException):
            raise got
        if isinstance(got, _Ended):
            self._ended = True
        return got

    def expect(
        self,
        kind: type[E] | tuple[type[E], ...] = Event,  # type: ignore[assignment]
        matching: Matching = None,
        *,
        role: str | None = None,
        timeout: float | None = None,
    ) -> E:
        """The next event of ``kind`` from ``role`` that matches; the ones before it are passed over."""
        flow = self.expect_flow(kind, matching, role, timeout, _what(kind, role, matching))
        return cast(E, run_sync(flow, self._perform))

    def expect_interactive(
        self,
        template_type: type[T] = InteractiveTemplate,  # type: ignore[assignment]
        matching: Matching = None,
        *,
        timeout: float | None = None,
    ) -> T:
        """The next interactive message whose template is a ``template_type``: that template."""
        return cast(T, run_sync(self.interactive_flow(template_type, matching, timeout), self._perform))

    def expect_streamed(
        self, matching: Matching = None, *, role: str | None = None, timeout: float | None = None
    ) -> StreamedAnswer:
        """Follow a streamed answer (its chunks, as updates of one message) until it completes."""
        return run_sync(self.streamed_flow(matching, role, timeout), self._perform)

    def close(self) -> None:
        """Stop reading the chat's events (the ``with`` block does it)."""
        self._stream.close()

    def __enter__(self) -> Conversation:
        """Wait until the events stream is live (``StreamNotLiveError`` if it is not in time)."""
        self._begin()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncConversation(_Script):
    """A scripted chat over ``chat.events()`` (async). Use ``async with``."""

    def __init__(
        self, chat: AsyncChatSession, *, timeout: float = 10.0, config: EventStreamConfig | None = None
    ) -> None:
        super().__init__(timeout)
        self.chat = chat
        """The session the conversation reads."""
        self._stream: AsyncEventStream = chat.events(config=config)
        self._ended = False
        self._begun = False

    async def _begin(self) -> None:
        """Wait until the stream is live (once)."""
        if not self._begun:
            self._begun = True
            await self._stream.__aenter__()

    async def _perform(self, action: _Next) -> Event | _Ended | None:
        if self._ended:
            return _ENDED
        await self._begin()
        try:
            # a cancelled Queue.get loses nothing: the event stays for the next call
            return await asyncio.wait_for(anext(self._stream), max(0.0, action.deadline - time.monotonic()))
        except TimeoutError:
            return None
        except StopAsyncIteration:
            self._ended = True
            return _ENDED

    async def expect(
        self,
        kind: type[E] | tuple[type[E], ...] = Event,  # type: ignore[assignment]
        matching: Matching = None,
        *,
        role: str | None = None,
        timeout: float | None = None,
    ) -> E:
        """The next event of ``kind`` from ``role`` that matches; the ones before it are passed over."""
        flow = self.expect_flow(kind, matching, role, timeout, _what(kind, role, matching))
        return cast(E, await run_async(flow, self._perform))

    async def expect_interactive(
        self,
        template_type: type[T] = InteractiveTemplate,  # type: ignore[assignment]
        matching: Matching = None,
        *,
        timeout: float | None = None,
    ) -> T:
        """The next interactive message whose template is a ``template_type``: that template."""
        return cast(
            T, await run_async(self.interactive_flow(template_type, matching, timeout), self._perform)
        )

    async def expect_streamed(
        self, matching: Matching = None, *, role: str | None = None, timeout: float | None = None
    ) -> StreamedAnswer:
        """Follow a streamed answer (its chunks, as updates of one message) until it completes."""
        return await run_async(self.streamed_flow(matching, role, timeout), self._perform)

    async def aclose(self) -> None:
        """Stop reading the chat's events (the ``async with`` block does it)."""
        await self._stream.aclose()

    async def __aenter__(self) -> AsyncConversation:
        """Wait until the events stream is live (``StreamNotLiveError`` if it is not in time)."""
        await self._begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def _what(kind: type[Event] | tuple[type[Event], ...], role: str | None, matching: Matching) -> str:
    names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
    parts = [names]
    if role is not None:
        parts.append(f"from {role}")
    if isinstance(matching, str):
        parts.append(f"containing {matching!r}")
    elif isinstance(matching, re.Pattern):
        parts.append(f"matching /{matching.pattern}/")
    elif matching is not None:
        parts.append("matching the predicate")
    return " ".join(parts)
