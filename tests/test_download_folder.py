"""Downloads into a folder take the attachment's name (an existing folder, or a path ending in
``/``, made if missing), sync and async, and files are written with the user's umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from connect_participant import AsyncParticipantClient, ParticipantClient
from connect_participant_emulator import LocalParticipantService


@pytest.fixture
def umask() -> Iterator[None]:
    """A umask other than the usual 022, so the test sees it applied (restored after)."""
    before = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask")
def test_sync_download_into_folders(participant_service: LocalParticipantService, tmp_path: Path) -> None:
    source = tmp_path / "Q3 report.pdf"
    source.write_bytes(os.urandom(5000))
    started = participant_service.start_chat(display_name="Ann")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        attachment = chat.upload_attachment(source, wait=True)
        assert attachment.id
        existing = tmp_path / "downloads"
        existing.mkdir()
        written = chat.download_attachment(attachment.id, existing)  # no slash: an existing folder
        assert written == existing / "Q3 report.pdf"
        assert written.read_bytes() == source.read_bytes()
        assert _mode(written) == 0o640  # 0o666 less the umask 027
        fresh = chat.download_attachment(attachment.id, f"{tmp_path}/fresh/inner/")  # made, with parents
        assert fresh == tmp_path / "fresh" / "inner" / "Q3 report.pdf"
        assert fresh.read_bytes() == source.read_bytes()
        named = chat.download_attachment(attachment.id, tmp_path / "renamed.pdf")  # a file path as before
        assert named == tmp_path / "renamed.pdf"
        assert _mode(named) == 0o640
        again = chat.download_attachment(attachment.id, existing)  # the same name again: replaced
        assert again == written
        assert sorted(p.name for p in existing.iterdir()) == ["Q3 report.pdf"]  # no .part left


@pytest.mark.usefixtures("umask")
async def test_async_download_into_folders(
    participant_service: LocalParticipantService, tmp_path: Path
) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"line\n" * 400)
    started = await participant_service.astart_chat(display_name="Ann")
    async with AsyncParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        attachment = await chat.upload_attachment(source, wait=True)
        assert attachment.id
        written = await chat.download_attachment(attachment.id, f"{tmp_path}/out/")
        assert written == tmp_path / "out" / "notes.txt"
        assert written.read_bytes() == source.read_bytes()
        assert _mode(written) == 0o640
        into_existing = await chat.download_attachment(attachment.id, tmp_path / "out")
        assert into_existing == written


# The file name a folder download takes, and the folder rules themselves: test_attachments_download_rules.py.
