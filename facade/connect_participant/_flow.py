"""Protocols written once as generators, run by a sync and an async runner.

Every piece of logic that needs I/O in the middle (the retry loop, a call with
its token refresh and its one re-create after a 403, a transcript page) is a
generator that *yields actions* and receives their results, in the manner of
httpx's ``Auth.auth_flow``. It never performs I/O itself. The two runners
below drive such a generator: the sync one calls ``perform(action)``, the
async one awaits it. If ``perform`` raises, the exception is thrown into the
generator at its ``yield`` so the protocol can decide (retry, re-create,
give up) in one place.

The actions are plain objects defined next to the protocol that yields them
(``_retry``: ``Send``/``Discard``/``Sleep``; ``_session``: ``Call``/
``Locked``); each shell's ``perform`` is a few lines of dispatch.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

__all__ = ["Flow", "run_async", "run_sync"]

A = TypeVar("A")
T = TypeVar("T")
Flow = Generator[A, Any, T]


def run_sync(flow: Generator[A, Any, T], perform: Callable[[A], Any]) -> T:
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            action = flow.send(reply) if error is None else flow.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            reply, error = perform(action), None
        except Exception as exc:
            reply, error = None, exc


async def run_async(flow: Generator[A, Any, T], perform: Callable[[A], Awaitable[Any]]) -> T:
    reply: Any = None
    error: BaseException | None = None
    while True:
        try:
            action = flow.send(reply) if error is None else flow.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            reply, error = await perform(action), None
        except Exception as exc:
            reply, error = None, exc
