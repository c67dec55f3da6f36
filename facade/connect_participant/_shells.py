"""What the I/O helpers (``_ws``, ``_attachments_io``) need from a session, as protocols.

The session modules import those helpers; the helpers know sessions only through these
protocols, so no module imports ``_session`` back (no import circle, not even for typing).
``ChatSession`` satisfies ``SyncShell`` and ``AsyncChatSession`` ``AsyncShell`` (mypy checks
it where a session passes itself to a helper).
"""

from __future__ import annotations

from collections.abc import Awaitable, Generator
from datetime import datetime
from typing import Any, Protocol, TypeVar

import httpx

from ._attachments import AttachmentLimits
from ._models import ConnectionInfo
from ._pagination import Transcript
from ._tokens import TokenState
from ._wire import Request

__all__ = ["AsyncShell", "ShellBase", "SyncShell"]

T = TypeVar("T")
Flow = Generator[Any, Any, T]


class ShellBase(Protocol):
    _state: TokenState
    _attachment_limits: AttachmentLimits | None  # None: Connect's defaults

    def _fetch_flow(self, request: Request) -> Flow[dict[str, Any]]: ...

    def _new_connection_flow(self) -> Flow[ConnectionInfo | None]: ...

    def transcript(
        self,
        direction: str = ...,
        sort: str = ...,
        page_size: int = ...,
        start: str | datetime | int | None = ...,
        *,
        contact_id: str | None = ...,
    ) -> Transcript: ...


class SyncShell(ShellBase, Protocol):
    _http: httpx.Client

    def _run(self, flow: Flow[T]) -> T: ...

    def _perform(self, action: Any) -> Any: ...


class AsyncShell(ShellBase, Protocol):
    _http: httpx.AsyncClient

    def _run(self, flow: Flow[T]) -> Awaitable[T]: ...

    def _perform(self, action: Any) -> Awaitable[Any]: ...
