"""``connect-participant load`` (the load guide's own command runs with the docs' examples)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from connect_participant_cli._app import _parser
from connect_participant_cli._load import _environment

needs_locust = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="Locust is the [load] extra"
)


def run_command(command: list[str]) -> str:
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        [str(bin_dir / command[0]), *command[1:]],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert re.search(r"Aggregated\s+\d+\s+0\(0\.00%\)", out), out[-2000:]  # no failure
    assert "Traceback" not in out
    return out


def requests(out: str, name: str) -> int:
    """The number of requests in Locust's summary row for ``name``."""
    match = re.search(rf"^\w+\s+{re.escape(name)}\s+(\d+)\s", out, re.M)
    assert match, name
    return int(match.group(1))


@needs_locust
def test_a_chat_per_conversation() -> None:
    command = "connect-participant load --users 4 --spawn-rate 4 --run-time 4s --interval 0.2 --messages 2"
    out = run_command([*command.split(), "--chat-per-conversation"])
    assert requests(out, "chat started") > 4  # each conversation its own chat
    assert requests(out, "chat ended") >= requests(out, "chat started") - 4  # the last ones at the stop


def test_options_reach_the_locustfile() -> None:
    args = _parser().parse_args(["load", "--flow", "f-1", "--messages", "2", "--chat-per-conversation"])
    env = _environment(args)
    assert env["CONNECT_PARTICIPANT_LOAD_FLOW"] == "f-1"
    assert env["CONNECT_PARTICIPANT_LOAD_BOT"] == "0"  # a flow answers: no bot unless asked
    assert env["CONNECT_PARTICIPANT_LOAD_REPLIES"] == "0"  # nor an answer to each message
    assert env["CONNECT_PARTICIPANT_LOAD_HOLD_CHAT"] == "0"
    assert env["CONNECT_PARTICIPANT_LOAD_MESSAGES"] == "2"
    with_bot = _environment(_parser().parse_args(["load", "--flow", "f-1", "--bot"]))
    assert with_bot["CONNECT_PARTICIPANT_LOAD_BOT"] == "1"
    assert _environment(_parser().parse_args(["load"]))["CONNECT_PARTICIPANT_LOAD_BOT"] == "1"


def test_bad_numbers_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from connect_participant_cli import main

    assert main(["load", "--users", "0"]) == 2
    assert "--users" in capsys.readouterr().err


@needs_locust
def test_a_flow_rehearsed_on_the_local_emulator() -> None:
    # the flow greets, then waits: its greeting is each chat's first reply; no bot, no other replies
    flows = Path(__file__).parent / "data" / "load-flows"
    command = "connect-participant load --users 4 --spawn-rate 4 --run-time 4s --interval 0.3 --messages 2"
    out = run_command([*command.split(), "--flows", str(flows), "--flow", "Greeter"])
    assert requests(out, "first reply") == requests(out, "chat started") == 4
    assert "CreateParticipant " not in out  # no bot: the flow answers
    assert "between turns" not in out
