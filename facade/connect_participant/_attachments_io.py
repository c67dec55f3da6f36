"""The two thin I/O shells of attachments (the logic is in ``_attachments``).

Each shell performs what the upload flow yields — ``StoragePut`` (one request
through the session's httpx client, hence through the retry transport, sent
with ``auth=None`` and as a bare ``httpx.Request`` so no bearer token and no
client default header is added), ``Pause``, and the session's own actions —
and streams downloads chunk by chunk into a ``DownloadSink`` or a
``ReadState``. The async shell moves file reads and writes to a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ._attachments import (
    CHUNK_SIZE,
    AttachmentStorageError,
    DownloadSink,
    Pause,
    ReadState,
    SizeCheck,
    StoragePut,
    StorageReply,
    begin_upload,
    download_flow,
    storage_error,
    storage_request,
    storage_transport_errors,
)
from ._flow import run_async, run_sync
from ._models import Attachment

if TYPE_CHECKING:
    # sessions as the protocols this module needs of them (no import of _session: no circle)
    from ._shells import AsyncShell as AsyncChatSession
    from ._shells import SyncShell as ChatSession

__all__ = [
    "AsyncAttachmentReader",
    "AttachmentReader",
    "download",
    "download_async",
    "open_attachment",
    "open_attachment_async",
    "upload",
    "upload_async",
]


def _failure(response: httpx.Response, action: str) -> AttachmentStorageError:
    return storage_error(response.status_code, response.headers, response.content, action)


# --- sync ------------------------------------------------------------------------------------------


def upload(chat: ChatSession, *args: object) -> Attachment:
    source, flow = begin_upload(chat._fetch_flow, chat._attachment_limits, *args)

    def perform(action: Any) -> Any:
        if isinstance(action, StoragePut):
            response = chat._http.send(storage_request(action.url, action.headers, action.body), auth=None)
            return StorageReply(response.status_code, response.headers, response.content)
        if isinstance(action, Pause):
            return time.sleep(action.seconds)
        return chat._perform(action)

    with source:
        return run_sync(flow, perform)


@contextlib.contextmanager
def _get(chat: ChatSession, attachment_id: object) -> Iterator[tuple[httpx.Response, int]]:
    ticket = chat._run(download_flow(chat._fetch_flow, attachment_id))
    with storage_transport_errors():
        response = chat._http.send(storage_request(ticket.url), auth=None, stream=True)
    try:
        with storage_transport_errors():
            if not response.is_success:
                response.read()
                raise _failure(response, "attachment download")
            yield response, ticket.size
    finally:
        response.close()


def download(chat: ChatSession, attachment_id: object, dest: object, progress: object = None) -> Path | None:
    sink = DownloadSink(dest, progress)
    try:
        with _get(chat, attachment_id) as (response, size):
            sink.start(response.headers.get("content-disposition"), str(attachment_id))
            check = SizeCheck(size)
            for chunk in response.iter_raw(CHUNK_SIZE):
                sink.write(check.feed(chunk), size)
        return sink.commit(check)
    finally:
        sink.abort()


class AttachmentReader:
    """A streamed attachment (``with chat.open_attachment(id) as stream``): ``read(n)`` or iterate chunks.

    Reading to the end checks the byte count against the announced ``size``.
    """

    def __init__(self, chunks: Iterator[bytes], state: ReadState) -> None:
        self._chunks = chunks
        self._state = state
        self.size = state.check.expected
        """The attachment's size in bytes, as the service announced it."""

    def readable(self) -> bool:
        """Always true: the attachment is read from start to end."""
        return True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the attachment (all that is left when ``size`` is -1); ``b""`` at the end."""
        while self._state.needs(size):
            self._state.push(next(self._chunks, None))
        return self._state.take(size)

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK_SIZE):
            yield chunk


@contextlib.contextmanager
def open_attachment(chat: ChatSession, attachment_id: object) -> Iterator[AttachmentReader]:
    with _get(chat, attachment_id) as (response, size):
        yield AttachmentReader(response.iter_raw(CHUNK_SIZE), ReadState(size))


# --- async -----------------------------------------------------------------------------------------


async def upload_async(chat: AsyncChatSession, *args: object) -> Attachment:
    source, flow = begin_upload(chat._fetch_flow, chat._attachment_limits, *args)

    async def perform(action: Any) -> Any:
        if isinstance(action, StoragePut):
            request = storage_request(action.url, action.headers, action.body)
            response = await chat._http.send(request, auth=None)
            return StorageReply(response.status_code, response.headers, response.content)
        if isinstance(action, Pause):
            return await asyncio.sleep(action.seconds)
        return await chat._perform(action)

    with source:
        return await run_async(flow, perform)


@contextlib.asynccontextmanager
async def _aget(chat: AsyncChatSession, attachment_id: object) -> AsyncIterator[tuple[httpx.Response, int]]:
    ticket = await chat._run(download_flow(chat._fetch_flow, attachment_id))
    with storage_transport_errors():
        response = await chat._http.send(storage_request(ticket.url), auth=None, stream=True)
    try:
        with storage_transport_errors():
            if not response.is_success:
                await response.aread()
                raise _failure(response, "attachment download")
            yield response, ticket.size
    finally:
        await response.aclose()


async def download_async(
    chat: AsyncChatSession, attachment_id: object, dest: object, progress: object = None
) -> Path | None:
    sink = DownloadSink(dest, progress)
    try:
        async with _aget(chat, attachment_id) as (response, size):
            sink.start(response.headers.get("content-disposition"), str(attachment_id))
            check = SizeCheck(size)
            async for chunk in response.aiter_raw(CHUNK_SIZE):
                await asyncio.to_thread(sink.write, check.feed(chunk), size)
        return sink.commit(check)
    finally:
        sink.abort()


class AsyncAttachmentReader:
    """A streamed attachment (``async with chat.open_attachment(id) as stream``): ``await read(n)``
    or ``async for`` chunks. Reading to the end checks the byte count against ``size``."""

    def __init__(self, chunks: AsyncIterator[bytes], state: ReadState) -> None:
        self._chunks = chunks
        self._state = state
        self.size = state.check.expected
        """The attachment's size in bytes, as the service announced it."""

    async def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the attachment (all that is left when ``size`` is -1); ``b""`` at the end."""
        while self._state.needs(size):
            self._state.push(await anext(self._chunks, None))
        return self._state.take(size)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while chunk := await self.read(CHUNK_SIZE):
            yield chunk


@contextlib.asynccontextmanager
async def open_attachment_async(
    chat: AsyncChatSession, attachment_id: object
) -> AsyncIterator[AsyncAttachmentReader]:
    async with _aget(chat, attachment_id) as (response, size):
        yield AsyncAttachmentReader(response.aiter_raw(CHUNK_SIZE), ReadState(size))
