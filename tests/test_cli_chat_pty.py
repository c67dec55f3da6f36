"""The terminal chat people use, in a real pseudo-terminal against the emulator: a streamed answer
grows on one line then settles, a numbered choice sends the option's title, typing and read
receipts reach the other participant, the chat's own events are not shown; and the command
line's edges: a closed pipe, start-chat with no AWS configuration, limits in the user's words.

The screen is read with pyte (a VT100 emulator) fed the bytes the chat wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyte
import pytest
from connect_participant import Message, ParticipantClient, ReadReceipt, Typing
from connect_participant_cli import main
from connect_participant_cli._chat import Throttle
from connect_participant_emulator import LocalParticipantService
from test_cli_terminal import DEADLINE, PROMPT, SCRIPT, _agent, _env, _Terminal, _until, needs_script


class _Screen:
    """A pseudo-terminal's screens, as pyte draws them from the bytes so far (each read a state)."""

    def __init__(self, terminal: _Terminal) -> None:
        self.terminal = terminal
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.fed = 0
        self.states: list[list[str]] = []

    def lines(self) -> list[str]:
        with self.terminal._lock:
            new = bytes(self.terminal.raw[self.fed :])
            self.fed += len(new)
        if new:
            self.stream.feed(new)
            self.states.append([line.rstrip() for line in self.screen.display])
        return [line.rstrip() for line in self.screen.display]

    def wait_for(self, text: str) -> list[str]:
        return _until(  # type: ignore[no-any-return]
            lambda: (lines := self.lines()) and any(text in line for line in lines) and lines,
            f"{text!r} on the screen",
        )


def _customer_terminal(service: LocalParticipantService, started: Any) -> _Terminal:
    assert SCRIPT is not None
    argv = [SCRIPT, "chat", "--endpoint-url", service.endpoint_url]
    return _Terminal(argv, _env(CONNECT_PARTICIPANT_TOKEN=started.participant_token))


@pytest.fixture
def customer(participant_service: LocalParticipantService) -> Iterator[tuple[Any, _Terminal, _Screen]]:
    started = participant_service.start_chat(display_name="Tess")
    terminal = _customer_terminal(participant_service, started)
    screen = _Screen(terminal)
    try:
        terminal.wait_for("Connected.")
        terminal.wait_for(PROMPT)
        yield started, terminal, screen
    finally:
        terminal.close()
    assert "Traceback" not in terminal.text()


@needs_script
def test_a_streamed_answer_grows_on_one_line_then_settles(
    participant_service: LocalParticipantService, customer: tuple[Any, _Terminal, _Screen]
) -> None:
    started, _, screen = customer
    participant_service.stream_message(started, ["Your balance ", "is ", "$42."], interval=0.5)
    final = screen.wait_for("BOT: Your balance is $42.")
    screen.wait_for(">")
    final = screen.lines()
    assert [line for line in final if "BOT:" in line] == [next(ln for ln in final if "BOT:" in ln)]
    assert next(ln for ln in final if "BOT:" in ln).endswith("] BOT: Your balance is $42.")
    seen = [next((ln for ln in state if "BOT:" in ln), "") for state in screen.states]
    texts = [line.split("BOT: ", 1)[1] for line in seen if "BOT: " in line]
    # the line grew: each chunk shown before the whole, in order, on the same one line
    assert texts.index("Your balance") < texts.index("Your balance is") < texts.index("Your balance is $42.")
    for state in screen.states:
        assert sum("BOT:" in line for line in state) <= 1


LIST_PICKER = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "content": {
            "title": "Which account?",
            "elements": [{"title": "Checking"}, {"title": "Savings"}, {"title": "Credit card"}],
        }
    },
}
QUICK_REPLY = {
    "templateType": "QuickReply",
    "version": "1.0",
    "data": {"content": {"title": "Anything else?", "elements": [{"title": "Yes"}, {"title": "No"}]}},
}


@needs_script
def test_a_choice_by_number_or_title_sends_the_options_title(
    participant_service: LocalParticipantService, customer: tuple[Any, _Terminal, _Screen]
) -> None:
    started, terminal, _ = customer
    with _agent(participant_service, started) as agent:

        def said() -> list[str]:
            return [
                i.content or ""
                for i in agent.transcript()
                if i.type == "MESSAGE" and i.participant_role == "CUSTOMER"
            ]

        participant_service.send_interactive(started, LIST_PICKER, display_name="Bot")
        terminal.wait_for("Bot: Which account? — 1) Checking  2) Savings  3) Credit card")
        terminal.type("2\r")
        _until(lambda: said() == ["Savings"], "option 2's title sent")
        terminal.type("2\r")  # answered already: now just a message
        _until(lambda: said() == ["Savings", "2"], "a plain 2")
        participant_service.send_interactive(started, QUICK_REPLY, display_name="Bot")
        terminal.wait_for("Bot: Anything else? — 1) Yes  2) No")
        terminal.type("no\r")  # a title, in any case
        _until(lambda: said() == ["Savings", "2", "No"], "the title as the option has it")


@needs_script
def test_typing_and_read_receipts_reach_the_other_participant(
    participant_service: LocalParticipantService, customer: tuple[Any, _Terminal, _Screen]
) -> None:
    started, terminal, _ = customer
    with _agent(participant_service, started) as agent, agent.events() as stream:
        events: list[Any] = []
        done = threading.Event()

        def collect() -> None:
            for event in stream:
                events.append(event)
                if isinstance(event, Message) and event.item.content == "hello":
                    done.set()
                    return

        threading.Thread(target=collect, daemon=True).start()
        hi = agent.send_message("Hi, how can I help?")
        terminal.wait_for("Agent: Hi, how can I help?")
        _until(
            lambda: any(isinstance(e, ReadReceipt) and e.message_id == hi.id for e in events),
            "the customer's read receipt",
        )
        terminal.type("hel")
        _until(lambda: any(isinstance(e, Typing) for e in events), "the customer's typing event")
        terminal.type("lo\r")
        assert done.wait(DEADLINE), (events, terminal.text()[-800:])
        from_customer = [
            type(e).__name__
            for e in events
            if e.item.participant_role == "CUSTOMER" and isinstance(e, Typing | Message)
        ]
        # one typing event for the whole line (the rest folded into one that the Enter cancelled)
        assert from_customer == ["Typing", "Message"], (events, terminal.text()[-800:])
        receipt = next(e for e in events if isinstance(e, ReadReceipt))
        assert [r.recipient_participant_id for r in receipt.receipts] != [None]
        # the agent reads the customer's message: the customer sees it; its own echoes it does not
        hello = next(e for e in events if isinstance(e, Message) and e.item.content == "hello")
        agent.send_read(hello.item.id or "")
        terminal.wait_for("] message read")
    screen = terminal.text()
    assert "Tess is typing" not in screen  # its own typing, echoed by the service
    assert "connection acknowledged" not in screen
    assert screen.count("message read") == 1, screen[-800:]  # the customer's own read receipt is not shown


class _FakeTimer:
    def __init__(self, delay: float, fire: Any) -> None:
        self.delay, self.fire, self.cancelled, self.started = delay, fire, False, False

    def start(self) -> None:
        self.started = True

    def cancel(self) -> None:
        self.cancelled = True


def test_the_throttle_runs_the_first_call_then_the_latest_at_the_end_of_the_interval() -> None:
    now = [100.0]
    timers: list[_FakeTimer] = []
    sent: list[Any] = []

    def timer(delay: float, fire: Any) -> _FakeTimer:
        timers.append(_FakeTimer(delay, fire))
        return timers[-1]

    throttle = Throttle(10.0, sent.append, clock=lambda: now[0], timer=timer)
    throttle("a")
    assert sent == ["a"]
    now[0] = 103.0
    throttle("b")
    now[0] = 104.0
    throttle("c")
    assert sent == ["a"]
    assert len(timers) == 1
    assert timers[0].delay == 7.0  # the end of the interval that began at 100
    now[0] = 110.0
    timers[0].fire()
    assert sent == ["a", "c"]  # the latest only
    now[0] = 112.0
    throttle("d")  # within 10 s of the trailing call
    assert sent == ["a", "c"]
    throttle.cancel()
    assert timers[1].cancelled
    timers[1].fire()  # a timer that fires anyway after cancel sends nothing
    assert sent == ["a", "c"]
    now[0] = 125.0
    throttle("e")
    assert sent == ["a", "c", "e"]


def _big_chat(service: LocalParticipantService) -> str:
    started = service.start_chat(display_name="Pat")
    with ParticipantClient(endpoint_url=service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        for i in range(120):
            chat.send_message(f"{i} " + "x" * 1000)
    return started.participant_token


@needs_script
def test_transcript_json_into_a_pipe_closed_early_exits_quietly(
    participant_service: LocalParticipantService,
) -> None:
    """`transcript --format json | head -1`: more than a pipe holds, the reader leaves after a line."""
    token = _big_chat(participant_service)
    assert SCRIPT is not None
    done = subprocess.run(
        [
            "bash",
            "-c",
            f'"{SCRIPT}" transcript --format json --endpoint-url "$URL" | head -1; echo "${{PIPESTATUS[0]}}" >&2',
        ],
        env=_env(URL=participant_service.endpoint_url, CONNECT_PARTICIPANT_TOKEN=token),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "[\n"
    assert done.stderr == "141\n"  # the writer's status as for any tool whose reader left; no traceback


@needs_script
@pytest.mark.parametrize("how", ["option", "variable"])
def test_start_chat_on_the_emulator_needs_no_aws_configuration(
    participant_service: LocalParticipantService, tmp_path: Path, how: str
) -> None:
    assert SCRIPT is not None
    env = _env(HOME=str(tmp_path))  # no AWS_* variables, no ~/.aws
    argv = [SCRIPT, "start-chat", "--display-name", "Ann"]
    if how == "option":
        argv += ["--endpoint-url", participant_service.endpoint_url]
    else:
        env["AWS_ENDPOINT_URL"] = participant_service.endpoint_url
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    started = json.loads(done.stdout)
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started["ParticipantToken"])
        assert any(i.display_name == "Ann" for i in chat.transcript())


def test_start_chat_on_the_emulator_without_boto3(
    participant_service: LocalParticipantService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 → ImportError
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    assert main(["start-chat", "--endpoint-url", participant_service.endpoint_url]) == 0
    started = json.loads(capsys.readouterr().out)
    assert started["ParticipantToken"] in participant_service.emulator.state.participant_tokens
    participant_service.inject_fault(
        "StartChatContact", status=403, error_code="AccessDeniedException", message="Not authorized"
    )
    assert main(["start-chat", "--endpoint-url", participant_service.endpoint_url]) == 1
    assert capsys.readouterr().err == (
        "connect-participant: service error: StartChatContact: AccessDeniedException: Not authorized\n"
    )


@pytest.mark.participant_service(max_attachment_bytes=40 * 1024 * 1024)  # an instance allowing 40 MiB
def test_a_file_over_the_limit_is_refused_in_the_users_words(
    participant_service: LocalParticipantService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = participant_service.start_chat()
    big = tmp_path / "scan.pdf"
    with open(big, "wb") as f:
        f.truncate(30 * 1024 * 1024)
    common = [
        "--endpoint-url",
        participant_service.endpoint_url,
        "--participant-token",
        started.participant_token,
    ]
    assert main(["send-file", str(big), *common]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "connect-participant: error: scan.pdf is 30 MiB (31,457,280 bytes), over the 20 MiB attachment "
        "limit; if your Amazon Connect instance allows larger attachments, raise the limit with "
        "--max-attachment-size 30MiB\n"
    )
    assert main(["send-file", str(big), "--quiet", "--max-attachment-size", "30MiB", *common]) == 0
    assert json.loads(capsys.readouterr().out)["Size"] == 30 * 1024 * 1024


def test_a_missing_extra_names_the_module_the_command_uses(
    participant_service: LocalParticipantService,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "prompt_toolkit", None)  # only the interactive chat needs it
    started = participant_service.start_chat()
    common = [
        "--endpoint-url",
        participant_service.endpoint_url,
        "--participant-token",
        started.participant_token,
    ]
    assert main(["transcript", *common]) == 0
    capsys.readouterr()
    assert main(["chat", *common]) == 2
    assert "this command needs prompt_toolkit" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "rich", None)
    assert main(["transcript", "--format", "jsonl", *common]) == 0  # JSON needs neither


@needs_script
def test_the_chats_file_command_says_the_limit_in_the_users_words(tmp_path: Path) -> None:
    big = tmp_path / "scan.pdf"
    with open(big, "wb") as f:
        f.truncate(30 * 1024 * 1024)
    assert SCRIPT is not None
    done = subprocess.run(
        [SCRIPT, "chat", "--emulator", "--no-bot"],
        input=f"/file {big}\n/quit\n",
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "not sent: scan.pdf is 30 MiB (31,457,280 bytes), over the 20 MiB attachment limit; if your "
        "Amazon Connect instance allows larger attachments, raise the limit with --max-attachment-size 30MiB"
    ) in done.stdout
    assert "path_or_binary_file" not in done.stdout + done.stderr
    assert "Leaving: the chat ends for everyone, since you are its customer." in done.stdout


@needs_script
def test_a_script_sees_a_streamed_answer_once_complete(participant_service: LocalParticipantService) -> None:
    from test_cli import _Reader

    started = participant_service.start_chat(display_name="Sam")
    assert SCRIPT is not None
    with subprocess.Popen(
        [SCRIPT, "chat", "--endpoint-url", participant_service.endpoint_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(CONNECT_PARTICIPANT_TOKEN=started.participant_token),
    ) as proc:
        assert proc.stdin is not None
        reader = _Reader(proc)
        try:
            reader.wait_for("Connected.")
            participant_service.stream_message(started, ["Your balance ", "is ", "$42."], interval=0.05)
            reader.wait_for("BOT: Your balance is $42.")
            proc.stdin.write("/quit\n")
            proc.stdin.flush()
            assert proc.wait(DEADLINE) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
        reader.wait_for("Leaving")
    assert [line for line in reader.lines if "BOT" in line] == [
        next(line for line in reader.lines if "BOT" in line)
    ]
    assert "connection acknowledged" not in "".join(reader.lines)
