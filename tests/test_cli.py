"""The ``connect-participant`` command line against the emulator.

``transcript``, ``send-file`` and ``download`` run in-process through ``main()`` against the
``participant_service`` fixture; ``chat``, ``start-chat`` and ``demo`` run as real subprocesses
of the installed console script, with a scripted standard input or in a pseudo-terminal
(prompt_toolkit's interactive chat); boto3 reaches the emulator's StartChatContact through
``$AWS_ENDPOINT_URL``, as it would reach Amazon Connect.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from connect_participant import ParticipantClient
from connect_participant_cli import main
from connect_participant_emulator import LocalParticipantService

SCRIPT = shutil.which("connect-participant", path=os.path.dirname(sys.executable))


@pytest.fixture
def chat_with_items(participant_service: LocalParticipantService) -> Iterator[tuple[str, str]]:
    """A chat whose transcript holds 12 customer messages; yields (endpoint, participant token)."""
    started = participant_service.start_chat(display_name="Carol")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        for i in range(12):
            chat.send_message(f"message {i}")
        yield participant_service.endpoint_url, started.participant_token


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["json", "jsonl", "text"])
def test_transcript_formats(
    chat_with_items: tuple[str, str], capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    url, token = chat_with_items
    code, out, err = _run(
        [
            "transcript",
            "--endpoint-url",
            url,
            "--participant-token",
            token,
            "--format",
            fmt,
            "--page-size",
            "5",
        ],
        capsys,
    )
    assert code == 0, err
    assert token not in out + err
    if fmt == "json":
        items = json.loads(out)
    elif fmt == "jsonl":
        items = [json.loads(line) for line in out.splitlines()]
    else:
        assert [ln.split(": ", 1)[1] for ln in out.splitlines() if "Carol: message" in ln] == [
            f"message {i}" for i in range(12)
        ]
        return
    messages = [i["Content"] for i in items if i["Type"] == "MESSAGE"]
    assert messages == [f"message {i}" for i in range(12)]  # all pages, in order
    assert all({"Id", "Type", "AbsoluteTime"} <= set(i) for i in items)
    assert len({i["Id"] for i in items}) == len(items)


def test_transcript_token_from_stdin_and_environment(
    chat_with_items: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, token = chat_with_items
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(token + "\n"))
    code, out, _ = _run(
        ["transcript", "--endpoint-url", url, "--participant-token", "-", "--format", "jsonl"], capsys
    )
    assert code == 0
    assert len(out.splitlines()) >= 12

    monkeypatch.setenv("CONNECT_PARTICIPANT_TOKEN", token)
    code, out, _ = _run(["transcript", "--endpoint-url", url, "--format", "jsonl"], capsys)
    assert code == 0
    assert len(out.splitlines()) >= 12


def test_send_file_and_download(
    chat_with_items: tuple[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url, token = chat_with_items
    source = tmp_path / "report.pdf"
    source.write_bytes(os.urandom(300_000))
    common = ["--endpoint-url", url, "--participant-token", token]
    code, out, err = _run(["send-file", str(source), "--wait", *common], capsys)
    assert code == 0, err
    sent = json.loads(out)
    assert sent["Name"] == "report.pdf"
    assert sent["Status"] == "APPROVED"
    assert sent["Size"] == 300_000  # a JSON number

    assert "100%" in err  # the progress bar (rich) reached the end: bytes and speed shown
    assert "uploading report.pdf" in err
    assert "kB" in err
    assert token not in out + err

    # without --wait the scan's status is not known yet: JSON's null, never the text "None"
    code, out, err = _run(["send-file", str(source), "--quiet", *common], capsys)
    assert code == 0, err
    assert err == ""  # --quiet: no progress bar
    unknown = json.loads(out)
    assert unknown["Status"] is None, unknown
    assert '"None"' not in out

    folder = tmp_path / "downloads"
    folder.mkdir()
    code, out, err = _run(["download", sent["AttachmentId"], str(folder), *common], capsys)
    assert code == 0, err
    written = Path(out.strip())
    assert written == folder / "report.pdf"
    assert written.read_bytes() == source.read_bytes()
    assert "100%" in err
    # a folder that does not exist yet, named with a trailing slash: made, the file takes the name
    code, out, err = _run(["download", sent["AttachmentId"], f"{tmp_path}/new/", "--quiet", *common], capsys)
    assert code == 0, err
    assert Path(out.strip()) == tmp_path / "new" / "report.pdf"
    assert (tmp_path / "new" / "report.pdf").read_bytes() == source.read_bytes()


def test_exit_codes_and_messages(
    chat_with_items: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, token = chat_with_items
    monkeypatch.delenv("CONNECT_PARTICIPANT_TOKEN", raising=False)
    monkeypatch.delenv("CONNECT_CONNECTION_TOKEN", raising=False)

    # no token at all: a usage error naming where a token comes from
    code, _, err = _run(["transcript", "--endpoint-url", url], capsys)
    assert code == 2
    assert "participant token is needed" in err

    # a token the service refuses: the service's error, one line, no traceback, no token echoed
    bad = "not-a-real-token-" + "z" * 20
    code, out, err = _run(["transcript", "--endpoint-url", url, "--participant-token", bad], capsys)
    assert code == 1
    assert "AccessDenied" in err
    assert "Traceback" not in err
    assert bad not in out + err

    # bad input is refused before anything is sent
    code, _, err = _run(
        ["transcript", "--endpoint-url", url, "--participant-token", token, "--page-size", "0"], capsys
    )
    assert code == 2
    assert "page_size" in err
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ")
    code, _, err = _run(
        ["send-file", str(program), "--endpoint-url", url, "--participant-token", token], capsys
    )
    assert code == 2
    assert "setup.exe: Amazon Connect's chat attachments end in .csv .doc" in err
    assert "if your instance allows other types, add --any-file-type" in err
    code, _, err = _run(
        ["send-file", str(tmp_path / "missing.pdf"), "--endpoint-url", url, "--participant-token", token],
        capsys,
    )
    assert code == 2
    assert "existing file" in err
    code, _, err = _run(
        ["transcript", "--participant-token", token, "--endpoint-url", "ftp://example"], capsys
    )
    assert code == 2
    assert "endpoint_url" in err

    with pytest.raises(SystemExit) as exit_info:
        main(["transcript", "--format", "xml"])
    assert exit_info.value.code == 2


class _Reader:
    """Collects a subprocess's stdout lines on a thread; `wait_for` blocks until one matches."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stdout = proc.stdout
        threading.Thread(target=lambda: [self._queue.put(line) for line in stdout], daemon=True).start()

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if text in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"{text!r} not seen in {self.lines}")


@pytest.mark.skipif(SCRIPT is None, reason="the console script is installed by `make venv` (pip install -e)")
def test_chat_with_emulator_scripted_stdin(tmp_path: Path) -> None:
    """Messages both ways (an echo bot answers), a file sent, the transcript, /quit."""
    attachment = tmp_path / "notes.txt"
    attachment.write_text("some notes\n" * 100)
    assert SCRIPT is not None
    with subprocess.Popen(
        [SCRIPT, "chat", "--emulator", "--display-name", "Dana"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdin is not None
        assert proc.stderr is not None
        reader = _Reader(proc)
        try:
            reader.wait_for("Connected.")
            proc.stdin.write("hello bot\n")
            proc.stdin.flush()
            reader.wait_for("Dana: hello bot")
            reader.wait_for("EchoBot: You said: hello bot")
            proc.stdin.write(f"/file {attachment}\n")
            proc.stdin.flush()
            reader.wait_for("sent notes.txt (1100 bytes)")
            reader.wait_for("Dana sent a file: notes.txt")
            before = len(reader.lines)
            proc.stdin.write("/transcript\n")
            proc.stdin.flush()
            reader.wait_for("EchoBot joined")
            assert len(reader.lines) > before
            proc.stdin.write("/quit\n")
            proc.stdin.flush()
            assert proc.wait(20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
        assert "Traceback" not in proc.stderr.read()


@pytest.mark.skipif(SCRIPT is None, reason="the console script is installed by `make venv` (pip install -e)")
def test_demo_runs_to_the_end() -> None:
    assert SCRIPT is not None
    done = subprocess.run(
        [SCRIPT, "demo", "--delay", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "HelpBot: Thanks!" in out
    assert "identical: True" in out
    assert "scan status APPROVED" in out
    assert "page 1:" in out
    assert "Demo finished" in out


def test_transcript_text_shows_an_interactive_message_as_its_choices(
    participant_service: LocalParticipantService, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bot's list picker reads as its title and numbered choices (typing a choice's title is
    the answer AWS's chat interface sends); the JSON formats keep the document as sent."""
    started = participant_service.start_chat(display_name="Xena")
    picker = {
        "templateType": "ListPicker",
        "version": "1.0",
        "data": {
            "content": {"title": "Which account?", "elements": [{"title": "Checking"}, {"title": "Savings"}]}
        },
    }
    participant_service.send_interactive(started, picker, display_name="Bot")  # the flow's bot
    argv = ["transcript", "--endpoint-url", participant_service.endpoint_url]
    argv += ["--participant-token", started.participant_token]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    assert [ln.split("] ", 1)[1] for ln in out.splitlines() if "Bot:" in ln] == [
        "Bot: Which account? — 1) Checking  2) Savings"
    ]
    code, out, err = _run([*argv, "--format", "jsonl"], capsys)
    sent = [json.loads(ln) for ln in out.splitlines() if '"Bot"' in ln]
    assert [json.loads(i["Content"]) for i in sent if i["Type"] == "MESSAGE"] == [picker]
