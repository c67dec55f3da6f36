"""The command line as people use it: a chat in a real pseudo-terminal (prompt_toolkit), a chat
started through Amazon Connect (boto3 → the emulator's StartChatContact), a missing extra, and
the library staying apart from the command line's modules."""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from connect_participant import AccessDeniedError, ChatEnded, Message, ParticipantClient, ParticipantLeft
from connect_participant_cli import main
from connect_participant_emulator import LocalParticipantService

SCRIPT = shutil.which("connect-participant", path=os.path.dirname(sys.executable))
needs_script = pytest.mark.skipif(
    SCRIPT is None, reason="the console script is installed by `make venv` (pip install -e)"
)
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|[\r\x08]")
PROMPT = "\n>"  # prompt_toolkit draws "> " as ">" and a cursor move
DEADLINE = 30.0


def _until(check: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class _Terminal:
    """The console script on a pseudo-terminal (80×24, xterm): keys in, the screen's bytes out."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:  # EIO: the process closed the terminal
                return
            if not data:
                return
            with self._lock:
                self.raw += data

    def text(self) -> str:
        """What was written, escape sequences removed (prompt_toolkit redraws with them)."""
        with self._lock:
            return ANSI.sub("", self.raw.decode("utf-8", "replace"))

    def wait_for(self, text: str) -> None:
        _until(lambda: text in self.text(), f"{text!r} on the terminal; it shows: {self.text()[-600:]!r}")

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait(10)
        self._reader.join(5)
        os.close(self.master)
        return code


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONNECT_"))}
    env.update(TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="80", LINES="24", **extra)
    return env


def _chat_terminal(service: LocalParticipantService, started: Any) -> _Terminal:
    """``connect-participant chat`` as the chat's customer, in a pseudo-terminal."""
    assert SCRIPT is not None
    argv = [SCRIPT, "chat", "--endpoint-url", service.endpoint_url]
    return _Terminal(argv, _env(CONNECT_PARTICIPANT_TOKEN=started.participant_token))


@contextlib.contextmanager
def _agent(service: LocalParticipantService, started: Any) -> Iterator[Any]:
    """An AGENT in the customer's chat: it sends messages and reads the transcript."""
    token = service.add_participant(started, "Agent", role="AGENT").participant_token
    with ParticipantClient(endpoint_url=service.endpoint_url) as client:
        yield client.connect(token)


def _customer_messages(agent: Any) -> list[str]:
    return [i.content for i in agent.transcript() if i.type == "MESSAGE" and i.participant_role == "CUSTOMER"]


def _tokens(service: LocalParticipantService) -> list[str]:
    state = service.emulator.state
    return [*state.participant_tokens, *state.connection_tokens]


@needs_script
def test_terminal_chat_keeps_what_is_typed_while_messages_arrive(
    participant_service: LocalParticipantService,
) -> None:
    started = participant_service.start_chat(display_name="Tess")
    assert SCRIPT is not None
    with _agent(participant_service, started) as agent:
        terminal = _chat_terminal(participant_service, started)
        try:
            terminal.wait_for("Connected.")
            terminal.wait_for(PROMPT)
            terminal.type("hello the")  # half a line, not sent
            terminal.wait_for("hello the")
            agent.send_message("Are you still there?")
            terminal.wait_for("Agent: Are you still there?")  # printed above the input line
            agent.send_typing()
            terminal.wait_for("Agent is typing…")
            terminal.type("re\r")  # the rest of the line, then Enter
            _until(lambda: "hello there" in _customer_messages(agent), "the whole line sent")
            terminal.wait_for("Tess: hello there")
            # history: up-arrow recalls the line, Enter sends it again
            terminal.type("\x1b[A\r")
            _until(lambda: _customer_messages(agent).count("hello there") == 2, "the recalled line sent")
            _until(lambda: terminal.text().count("Tess: hello there") == 2, "both shown")
            # a read receipt from the agent appears too
            last = next(i for i in agent.transcript(sort="DESCENDING") if i.participant_role == "CUSTOMER")
            agent.send_read(last.id)
            terminal.wait_for("] message read")
            assert _customer_messages(agent) == ["hello there", "hello there"]  # never a broken line
            # typed ahead in one go, then Ctrl-D on the empty line: a warning (the customer's leaving
            # ends the chat), then Ctrl-D again: both lines sent, in order, then it leaves
            with agent.events() as stream:
                terminal.type("one\rtwo\r\x04")
                terminal.wait_for("Leaving ends this chat for everyone: you are its customer.")
                assert terminal.proc.poll() is None
                terminal.type("\x04")
                assert terminal.proc.wait(DEADLINE) == 0
                seen = [
                    e.item.content
                    for e in itertools.takewhile(lambda e: not _customer_gone(e), stream)
                    if isinstance(e, Message) and e.item.participant_role == "CUSTOMER"
                ]
            assert seen == ["one", "two"]
        finally:
            terminal.close()
        screen = terminal.text()
        assert "Traceback" not in screen
        for token in _tokens(participant_service):
            assert token not in screen


def _customer_gone(event: Any) -> bool:
    """The event that says the customer left (or the chat ended with it)."""
    return isinstance(event, ChatEnded) or (
        isinstance(event, ParticipantLeft) and event.item.participant_role == "CUSTOMER"
    )


def _left(agent: Any) -> bool:
    """The customer left: its participant.left event is in the transcript, or the chat ended with it.
    A message of the customer's would be there too: none was sent."""
    try:
        items = list(agent.transcript())
    except AccessDeniedError:  # the customer's leaving ended the chat
        return True
    assert not [i for i in items if i.type == "MESSAGE" and i.participant_role == "CUSTOMER"]
    return any(i.participant_role == "CUSTOMER" and "participant.left" in str(i.content_type) for i in items)


@needs_script
def test_terminal_chat_ctrl_c_leaves_with_130(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat(display_name="Uma")
    assert SCRIPT is not None
    with _agent(participant_service, started) as agent:
        terminal = _chat_terminal(participant_service, started)
        try:
            terminal.wait_for(PROMPT)
            terminal.type("never sent")
            terminal.wait_for("never sent")
            terminal.type("\x03")  # Ctrl-C: leave, status 130, the half-typed line not sent
            assert terminal.proc.wait(DEADLINE) == 130
        finally:
            terminal.close()
        _until(lambda: _left(agent), "the customer leaving the chat")
        assert "Traceback" not in terminal.text()


@needs_script
def test_terminal_chat_ends_when_the_contact_ends(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat(display_name="Val")
    assert SCRIPT is not None
    terminal = _chat_terminal(participant_service, started)
    try:
        terminal.wait_for(PROMPT)
        terminal.type("half a")
        terminal.wait_for("half a")
        participant_service.stop_contact(started)  # the agent's side ends the chat (StopContact)
        terminal.wait_for("the chat ended")
        assert terminal.proc.wait(DEADLINE) == 0  # the prompt closed by itself
    finally:
        terminal.close()
    assert "Traceback" not in terminal.text()


def _aws_env(service: LocalParticipantService) -> dict[str, str]:
    """boto3 and this SDK both pointed at the emulator the way a user points them anywhere."""
    return _env(
        AWS_ENDPOINT_URL=service.endpoint_url,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example-secret",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )


INSTANCE = "11111111-2222-4333-8444-555555555555"


@needs_script
def test_start_chat_prints_only_the_new_contact_as_json(participant_service: LocalParticipantService) -> None:
    assert SCRIPT is not None
    done = subprocess.run(
        [
            *(SCRIPT, "start-chat", "--instance-id", INSTANCE, "--contact-flow-id", "flow-1"),
            *("--display-name", "Vic", "--attribute", "lang=en", "--attribute", "tier=gold=1"),
        ],
        env=_aws_env(participant_service),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # nothing logged
    started = json.loads(done.stdout)  # the only output: one JSON document
    assert set(started) == {"ContactId", "ParticipantId", "ParticipantToken"}
    assert started["ParticipantToken"] in participant_service.emulator.state.participant_tokens
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started["ParticipantToken"])
        joined = [i for i in chat.transcript() if i.display_name == "Vic"]
        assert joined
        assert joined[0].raw.get("ContactId", started["ContactId"]) == started["ContactId"]


@needs_script
def test_start_chat_usage_and_service_errors(participant_service: LocalParticipantService) -> None:
    assert SCRIPT is not None
    env = _aws_env(participant_service)
    run = lambda *args: subprocess.run(  # noqa: E731
        [SCRIPT, "start-chat", *args], env=env, capture_output=True, text=True, timeout=60
    )
    bad = run("--instance-id", INSTANCE, "--contact-flow-id", "f", "--attribute", "novalue")
    assert (bad.returncode, bad.stdout) == (2, "")
    assert "--attribute takes KEY=VALUE" in bad.stderr
    # Amazon Connect needs both ids (refused before anything is sent); the emulator needs neither
    elsewhere = run("--instance-id", INSTANCE, "--endpoint-url", "https://connect.example.com")
    assert (elsewhere.returncode, elsewhere.stdout) == (2, "")
    assert "needs --instance-id and --contact-flow-id" in elsewhere.stderr
    assert run("--instance-id", INSTANCE).returncode == 0
    invalid = run("--instance-id", "", "--contact-flow-id", "f")  # boto3 refuses it before sending
    assert (invalid.returncode, invalid.stdout) == (2, "")
    assert invalid.stderr.count("\n") == 1
    assert "InstanceId" in invalid.stderr
    participant_service.inject_fault(
        "StartChatContact", status=403, error_code="AccessDeniedException", message="Not authorized"
    )
    refused = run("--instance-id", INSTANCE, "--contact-flow-id", "f")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr == (
        "connect-participant: service error: StartChatContact: AccessDeniedException: Not authorized\n"
    )


@needs_script
def test_chat_with_instance_id_starts_and_joins(participant_service: LocalParticipantService) -> None:
    """``chat --instance-id`` runs StartChatContact (boto3) then the chat; a script drives it."""
    assert SCRIPT is not None
    done = subprocess.run(
        [
            *(SCRIPT, "chat", "--instance-id", INSTANCE, "--contact-flow-id", "flow-1"),
            *("--display-name", "Walt", "--attribute", "topic=billing"),
        ],
        env=_aws_env(participant_service),
        input="hello from walt\n/transcript\n/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Connected." in done.stdout
    assert "Walt: hello from walt" in done.stdout
    assert "Walt joined" in done.stdout
    for token in _tokens(participant_service):
        assert token not in done.stdout + done.stderr


def test_a_missing_extra_is_named_in_one_line(
    participant_service: LocalParticipantService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # import rich → ImportError
    started = participant_service.start_chat()
    argv = ["transcript", "--endpoint-url", participant_service.endpoint_url]
    code = main([*argv, "--participant-token", started.participant_token])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.strip() == (
        'connect-participant: error: this command needs rich from the "cli" extra: '
        'pip install "connect-participant[cli]"'
    )
    monkeypatch.setitem(sys.modules, "boto3", None)
    code = main(["start-chat", "--instance-id", INSTANCE, "--contact-flow-id", "f"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        'connect-participant: error: starting a chat needs boto3: pip install "connect-participant[aws]"'
    )


LIBRARY_ONLY = r"""
import json, os, sys, asyncio

WATCHED = {"connect_participant_cli", "prompt_toolkit", "rich", "boto3", "botocore"}
importers = {}

class Watch:
    # records which module first imports each watched package, then lets the import proceed
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in WATCHED and top not in importers:
            frame = sys._getframe(1)
            while frame and frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen")):
                frame = frame.f_back
            importers[top] = frame.f_globals.get("__name__") if frame else None
        return None

sys.meta_path.insert(0, Watch())
from connect_participant import ParticipantClient, AsyncParticipantClient
url, token, path = os.environ["URL"], os.environ["TOKEN"], os.environ["FILE"]
with ParticipantClient(endpoint_url=url) as client:
    chat = client.connect(token)
    with chat.events() as stream:
        chat.send_message("library only")
        next(iter(stream))
    chat.upload_attachment(path, progress=lambda done, total: None)
    list(chat.transcript())
async def main():
    async with AsyncParticipantClient(endpoint_url=url) as client:
        chat = await client.connect(token)
        await chat.send_message("async too")
        [i async for i in chat.transcript()]
asyncio.run(main())
print(json.dumps(importers))
"""


def test_the_library_never_imports_the_command_line(
    participant_service: LocalParticipantService, tmp_path: Any
) -> None:
    """Using the library (sync, async, events, an upload, the transcript) imports none of the
    command line's modules. (httpx imports rich itself when rich is installed, for its own
    command line, ``httpx._main``: the only importer allowed.)"""
    started = participant_service.start_chat()
    note = tmp_path / "note.txt"
    note.write_text("hi")
    env = _env(URL=participant_service.endpoint_url, TOKEN=started.participant_token, FILE=str(note))
    done = subprocess.run(
        [sys.executable, "-c", LIBRARY_ONLY], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    importers = json.loads(done.stdout)
    assert set(importers) <= {"rich"}, importers
    assert importers.get("rich", "httpx._main") == "httpx._main"
