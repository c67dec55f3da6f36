"""Where a download goes, as rules (pure: a ``DownloadSink`` over a temporary folder, no servers).

- A folder download's file takes the attachment's name from the storage answer's
  ``Content-Disposition`` (``filename*`` or ``filename``), reduced to a plain name inside the
  folder (no directory part, no leading dot, no control characters, at most 255 characters); the
  attachment id when the answer names none (or names it unreadably).
- A destination is a folder when it is an existing folder or a path ending in ``/`` (made, with its
  parents, when missing); a folder must be writable. Anything else is a file path in an existing
  folder.
- Bytes go to a hidden ``.<16 hex>.part`` file beside the target, created new (never an existing
  file), with ``0o666`` less the user's umask, and renamed into place when complete.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from connect_participant import InvalidInputError
from connect_participant._attachments import DownloadSink, SizeCheck, _attachment_file_name

PART = re.compile(r"\.[0-9a-f]{16}\.part")


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tests run from a folder of their own: a file written relative to the working directory
    (instead of into the destination) shows up there, not in the project."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def _download(
    sink: DownloadSink, data: bytes, header: str | None = None, attachment_id: str = "att-1"
) -> Path | None:
    """What the shells do with a sink once the storage answered: start, write, commit."""
    sink.start(header, attachment_id)
    check = SizeCheck(len(data))
    sink.write(check.feed(data), len(data))
    return sink.commit(check)


def _refusal(call: Callable[[], object]) -> str:
    with pytest.raises(InvalidInputError) as caught:
        call()
    assert caught.value.argument == "dest"
    return caught.value.rule


# --- the file name a folder download takes -------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("inline; filename*=UTF-8''na%C3%AFve%20plan.txt", "naïve plan.txt"),  # RFC 2231, decoded
        ('attachment; filename="X-ray.png"', "X-ray.png"),  # only dots are taken off the front
        ('attachment; filename="report."', "report."),  # ... and only off the front
        # never outside the folder: the last part of a path, whichever separator it uses
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="a/b/c.txt"', "c.txt"),
        ('attachment; filename="..\\\\evil.bat"', "evil.bat"),
        ('attachment; filename="C:\\\\Users\\\\ann\\\\plan.txt"', "plan.txt"),
        # never a hidden file, never blank around the name
        ('attachment; filename=".bashrc"', "bashrc"),
        ('attachment; filename=" . notes.txt "', "notes.txt"),
        ('attachment; filename="a\x07b\x1b.txt"', "ab.txt"),  # no control characters
        # no usable name: the attachment id
        ('attachment; filename=".."', "att-1"),
        ('attachment; filename="\x07"', "att-1"),
        ('attachment; filename="dir/"', "att-1"),
        ("attachment; filename=", "att-1"),
        ("attachment", "att-1"),
        ("", "att-1"),
        (None, "att-1"),
        ("attachment; filename*=idna''report.pdf", "att-1"),  # a charset Python cannot decode with
    ],
)
def test_the_file_name_a_folder_download_takes(header: str | None, name: str) -> None:
    assert _attachment_file_name(header, "att-1") == name


def test_a_long_name_is_cut_to_255_characters() -> None:
    """255 is the longest name the usual file systems take; the name is cut, not refused."""
    long = "é" * 200 + "b" * 100 + ".txt"
    assert (
        _attachment_file_name(f"attachment; filename*=UTF-8''{'%C3%A9' * 200}{'b' * 100}.txt", "a")
        == long[:255]
    )
    exact = "c" * 255
    assert _attachment_file_name(f'attachment; filename="{exact}"', "a") == exact


# --- what counts as a folder ---------------------------------------------------------------------


def test_an_existing_folder_with_or_without_a_slash(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    for dest in (folder, str(folder), f"{folder}/"):
        assert (
            _download(DownloadSink(dest), b"pdf", 'attachment; filename="report.pdf"')
            == folder / "report.pdf"
        )
    assert sorted(p.name for p in folder.iterdir()) == ["report.pdf"]
    assert (folder / "report.pdf").read_bytes() == b"pdf"


def test_a_missing_path_ending_in_a_slash_is_made_with_its_parents(tmp_path: Path) -> None:
    sink = DownloadSink(f"{tmp_path}/fresh/inner/")
    assert (tmp_path / "fresh" / "inner").is_dir()  # made at once: checked before anything is fetched
    assert _download(sink, b"x", None, "att-9") == tmp_path / "fresh" / "inner" / "att-9"


def test_a_missing_path_without_a_slash_is_a_file(tmp_path: Path) -> None:
    dest = tmp_path / "report"
    assert _download(DownloadSink(dest), b"x", 'attachment; filename="other.pdf"') == dest
    assert dest.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "report"]


def test_a_folder_that_cannot_be_made_says_why(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_bytes(b"")
    rule = _refusal(lambda: DownloadSink(f"{tmp_path}/file.txt/sub/"))
    assert rule == f"must be a folder that exists or can be made ({os.strerror(errno.ENOTDIR)})"


def test_a_folder_error_without_a_reason_names_its_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def makedirs(path: str, exist_ok: bool = False) -> None:
        raise PermissionError  # no errno, no strerror: nothing else to say

    monkeypatch.setattr(os, "makedirs", makedirs)
    rule = _refusal(lambda: DownloadSink(f"{tmp_path}/new/"))
    assert rule == "must be a folder that exists or can be made (PermissionError)"


def test_a_folder_must_be_writable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As a read-only mount answers ``access()`` (a chmod would not do: root writes anywhere): the
    folder may be looked into but not written to, so the download is refused before it starts."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    real = os.access

    def access(path: str, mode: int) -> bool:
        if path == str(folder) and mode & os.W_OK:
            return False
        return real(path, mode)

    monkeypatch.setattr(os, "access", access)
    assert _refusal(lambda: DownloadSink(folder)) == "must be a writable folder"
    assert _refusal(lambda: DownloadSink(f"{folder}/")) == "must be a writable folder"
    assert list(folder.iterdir()) == []
    assert _download(DownloadSink(tmp_path), b"ok") == tmp_path / "att-1"  # another folder is fine


def test_a_folder_download_refuses_a_folder_of_that_name(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").mkdir()
    sink = DownloadSink(tmp_path)
    rule = _refusal(lambda: sink.start('attachment; filename="report.pdf"', "att-1"))
    assert rule == "already holds a folder named 'report.pdf'"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "report.pdf"]  # nothing created


# --- start: only a folder download is named by the answer ----------------------------------------


def test_a_file_path_keeps_its_name_whatever_the_answer_says(tmp_path: Path) -> None:
    dest = tmp_path / "mine.bin"
    assert _download(DownloadSink(dest), b"data", 'attachment; filename="theirs.pdf"') == dest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "mine.bin"]


def test_a_callers_file_is_written_as_is(tmp_path: Path, elsewhere: Path) -> None:
    with (tmp_path / "given.bin").open("wb") as handle:
        assert (
            _download(DownloadSink(handle), b"data", 'attachment; filename="theirs.pdf"')
            == tmp_path / "given.bin"
        )
    buffer = io.BytesIO()
    assert _download(DownloadSink(buffer), b"data", 'attachment; filename="theirs.pdf"') is None
    assert buffer.getvalue() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "given.bin"]
    assert list(elsewhere.iterdir()) == []


def test_a_folder_download_writes_nothing_until_the_answer_names_it(tmp_path: Path) -> None:
    sink = DownloadSink(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd"]
    sink.start('attachment; filename="report.pdf"', "att-1")
    parts = [p.name for p in tmp_path.iterdir() if p.name != "cwd"]
    assert len(parts) == 1
    assert PART.fullmatch(parts[0])
    sink.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd"]


# --- the temporary file ----------------------------------------------------------------------------


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    before = os.umask(0o022)

    def set_mask(mask: int) -> None:
        os.umask(mask)

    yield set_mask
    os.umask(before)


@pytest.mark.parametrize("mask", [0o002, 0o027, 0o000])
def test_files_are_created_0o666_less_the_umask(
    tmp_path: Path, umask: Callable[[int], None], mask: int
) -> None:
    """As ``open()`` and ``cp`` create files: readable by whom the user's umask allows, never executable."""
    umask(mask)
    as_path = _download(DownloadSink(tmp_path / "named.bin"), b"x")
    in_folder = _download(DownloadSink(tmp_path), b"x", 'attachment; filename="report.pdf"')
    for written in (as_path, in_folder):
        assert written is not None
        assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~mask


def test_the_temporary_file_is_hidden_beside_the_target(tmp_path: Path) -> None:
    dest = tmp_path / "out.bin"
    sink = DownloadSink(dest)
    (part,) = (p for p in tmp_path.iterdir() if p.name != "cwd")
    assert PART.fullmatch(part.name)
    sink.write(b"abc", 3)
    sink.abort()  # a failed download leaves nothing behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd"]


def _names(monkeypatch: pytest.MonkeyPatch, *names: str) -> list[int]:
    """``secrets.token_hex`` answers these names in turn (the last one for ever); the sizes asked."""
    asked: list[int] = []

    def token_hex(size: int) -> str:
        asked.append(size)
        return names[min(len(asked), len(names)) - 1]

    monkeypatch.setattr("connect_participant._attachments.secrets.token_hex", token_hex)
    return asked


def test_an_existing_file_is_never_taken_for_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = tmp_path / ".aaaaaaaaaaaaaaaa.part"
    taken.write_bytes(b"someone else's")
    asked = _names(monkeypatch, "a" * 16, "b" * 16)
    dest = tmp_path / "out.bin"
    assert _download(DownloadSink(dest), b"mine") == dest
    assert asked == [8, 8]  # another name was drawn
    assert taken.read_bytes() == b"someone else's"
    assert dest.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".aaaaaaaaaaaaaaaa.part", "cwd", "out.bin"]


def test_after_100_taken_names_the_download_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".cccccccccccccccc.part").write_bytes(b"")
    asked = _names(monkeypatch, "c" * 16)
    rule = _refusal(lambda: DownloadSink(tmp_path / "out.bin"))
    assert rule == "must be writable (no free temporary name beside it)"
    assert len(asked) == 100
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cccccccccccccccc.part", "cwd"]
