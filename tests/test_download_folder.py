"""Downloads into a folder take the attachment's name (an existing folder, or a path ending in
``/``, made if missing), sync and async, and files are written with the user's umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from connect_participant import AsyncParticipantClient, InvalidInputError, ParticipantClient
from connect_participant._attachments import DownloadSink, _attachment_file_name
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


def test_a_folder_download_refuses_a_folder_of_that_name(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").mkdir()
    sink = DownloadSink(tmp_path)
    with pytest.raises(InvalidInputError, match=r"already holds a folder named 'report\.pdf'"):
        sink.start('attachment; filename="report.pdf"', "att-1")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("inline; filename*=UTF-8''na%C3%AFve%20plan.txt", "naïve plan.txt"),
        ('attachment; filename="../../etc/passwd"', "passwd"),  # never outside the folder
        ('attachment; filename="..\\\\evil.bat"', "evil.bat"),
        ('attachment; filename=".bashrc"', "bashrc"),  # never a hidden file
        ('attachment; filename=".."', "att-1"),
        ('attachment; filename="a\\x07b.txt"', "ab.txt"),  # no control characters
        ("attachment", "att-1"),  # no name: the attachment id
        (None, "att-1"),
        ("attachment; filename=", "att-1"),
    ],
)
def test_the_file_name_a_folder_download_takes(header: str | None, name: str) -> None:
    if header is not None:
        header = header.replace("\\x07", "\x07")
    assert _attachment_file_name(header, "att-1") == name
