"""Attachment checks seen from outside, against real servers on loopback: nothing is sent when an
argument is refused (the emulator counts requests), and a download whose bytes do not match the
size GetAttachment announced fails and leaves nothing behind (a small server that lies about the
size). Kept apart from ``test_attachments_rules.py``, whose tests are pure and make ``make mutate``'s
selection for ``_attachments``."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from connect_participant import (
    AsyncParticipantClient,
    AttachmentSizeMismatchError,
    InvalidInputError,
    ParticipantClient,
)
from connect_participant_emulator import LocalParticipantService


def write(folder: Path, name: str, data: bytes = b"hello") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- nothing is sent when a check fails -------------------------------------------------------------


class Counting(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return super().handle_request(request)


def test_checks_run_before_any_request(tmp_path: Path) -> None:
    path = write(tmp_path, "a.pdf")
    counting = Counting()
    with (
        LocalParticipantService() as svc,
        httpx.Client(transport=counting) as http,
        ParticipantClient(endpoint_url=svc.endpoint_url, http_client=http) as client,
    ):
        chat = client.connect(svc.start_chat().participant_token)
        before = counting.count
        bad_calls: list[tuple[str, dict[str, Any]]] = [
            ("name", {"path_or_binary_file": path, "name": "a.exe"}),
            ("path_or_binary_file", {"path_or_binary_file": tmp_path / "missing.pdf"}),
            ("progress", {"path_or_binary_file": path, "progress": "bar"}),
            ("wait", {"path_or_binary_file": path, "wait": -1}),
            ("wait", {"path_or_binary_file": path, "wait": "yes"}),
        ]
        for argument, kwargs in bad_calls:
            with pytest.raises(InvalidInputError) as caught:
                chat.upload_attachment(**kwargs)
            assert caught.value.argument == argument
        for argument, attachment_id, dest in [
            ("attachment_id", "", tmp_path / "out.pdf"),
            ("attachment_id", "x" * 257, tmp_path / "out.pdf"),
            ("dest", "id", f"{path}/"),  # a folder that cannot be made: a file has that name
            ("dest", "id", tmp_path / "no-such-folder" / "out.pdf"),
            ("dest", "id", io.StringIO()),
        ]:
            with pytest.raises(InvalidInputError) as caught:
                chat.download_attachment(attachment_id, dest)  # type: ignore[call-overload]
            assert caught.value.argument == argument
        with pytest.raises(InvalidInputError), chat.open_attachment(""):
            pass
        assert counting.count == before
        assert not svc.emulator.state.attachments
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


class LyingStorage:
    """Participant Service + storage on loopback whose GetAttachment announces ``declared`` bytes."""

    def __init__(self, actual: bytes, declared: int) -> None:
        self.actual, self.declared = actual, declared
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path == "/participant/connection":
            return web.json_response({"ConnectionCredentials": {"ConnectionToken": "conn-token-1"}})
        if request.path == "/participant/attachment":
            url = f"{self.url}/blob?X-Amz-Signature=topsecret"
            return web.json_response({"Url": url, "AttachmentSizeInBytes": self.declared})
        return web.Response(body=self.actual)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    def __enter__(self) -> LyingStorage:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture(params=[(b"x" * 1000, 1001), (b"x" * 1000, 999)], ids=["short", "long"])
def lying(request: pytest.FixtureRequest) -> Iterator[LyingStorage]:
    actual, declared = request.param
    with LyingStorage(actual, declared) as server:
        yield server


def test_download_of_the_wrong_size_fails_and_leaves_nothing(lying: LyingStorage, tmp_path: Path) -> None:
    dest = tmp_path / "out.pdf"
    with ParticipantClient(endpoint_url=lying.url) as client:
        chat = client.connect("participant-token")
        with pytest.raises(AttachmentSizeMismatchError) as caught:
            chat.download_attachment("att-1", dest)
        assert (caught.value.expected, caught.value.actual) == (lying.declared, min(1000, lying.declared + 1))
        assert "topsecret" not in str(caught.value)
        assert list(tmp_path.iterdir()) == []
        with pytest.raises(AttachmentSizeMismatchError) as caught, chat.open_attachment("att-1") as stream:
            stream.read()
        assert caught.value.expected == lying.declared


async def test_async_download_of_the_wrong_size_fails(lying: LyingStorage, tmp_path: Path) -> None:
    async with AsyncParticipantClient(endpoint_url=lying.url) as client:
        chat = await client.connect("participant-token")
        with pytest.raises(AttachmentSizeMismatchError) as caught:
            await chat.download_attachment("att-1", tmp_path / "out.pdf")
        assert (caught.value.expected, caught.value.actual) == (lying.declared, min(1000, lying.declared + 1))
        assert "topsecret" not in str(caught.value)
        assert list(tmp_path.iterdir()) == []
        async with chat.open_attachment("att-1") as stream:
            with pytest.raises(AttachmentSizeMismatchError) as caught:
                await stream.read()
        assert caught.value.expected == lying.declared
