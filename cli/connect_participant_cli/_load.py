"""``connect-participant load``: a Locust load test of chats, headless, against an emulator.

Runs Locust's own command line (``python -m locust``) on a locustfile — ours (``_locustfile``:
customers that hold a chat and talk, configured through ``CONNECT_PARTICIPANT_LOAD_*``
variables) or the user's — and, without ``--host``, a local emulator in a child process for
the run's duration. Locust prints its statistics; the exit status is Locust's (1 when a
request failed). Arguments after ``--`` go to Locust as they are (``--csv``, ``--master``, …).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

LOCUSTFILE = Path(__file__).with_name("_locustfile.py")
_PREFIX = "CONNECT_PARTICIPANT_LOAD_"


class LoadUsageError(Exception):
    """The run cannot start: a missing extra, an emulator that did not come up."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--users", type=int, default=10, help="simulated customers (default 10)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="customers started per second")
    parser.add_argument("--run-time", default="30s", help="e.g. 30s, 5m, 1h (default 30s)")
    parser.add_argument("--host", help="the Participant Service's URL; default: a local emulator for the run")
    parser.add_argument("--flow", metavar="ID", help="the ContactFlowId StartChatContact runs")
    parser.add_argument(
        "--flows",
        action="append",
        default=[],
        metavar="PATH",
        help="contact flows for the local emulator to run (a Flow-language file or folder; repeatable)",
    )
    parser.add_argument(
        "--replies",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="wait for an answer to each message (default: with the bot; a flow's greeting is always awaited)",
    )
    parser.add_argument("--instance-id", default="load-test", help="the Connect instance (default load-test)")
    parser.add_argument("--messages", type=int, default=3, help="customer messages per conversation")
    parser.add_argument(
        "--interval", type=float, default=5.0, help="seconds between two messages (default 5)"
    )
    parser.add_argument(
        "--bot",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="each customer also plays a bot that answers (default: on without --flow)",
    )
    parser.add_argument(
        "--chat-per-conversation",
        action="store_true",
        help="a new chat for each conversation (default: one chat per customer for the whole run)",
    )
    parser.add_argument("--locustfile", type=Path, help="your own locustfile (default: ours)")
    parser.add_argument("locust_args", nargs=argparse.REMAINDER, help="after --: Locust's own options")


def _environment(args: argparse.Namespace) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(_PREFIX)}
    bot = args.bot if args.bot is not None else args.flow is None
    replies = args.replies if args.replies is not None else bot
    env.update(
        {
            f"{_PREFIX}INSTANCE_ID": args.instance_id,
            f"{_PREFIX}MESSAGES": str(args.messages),
            f"{_PREFIX}INTERVAL": str(args.interval),
            f"{_PREFIX}BOT": "1" if bot else "0",
            f"{_PREFIX}REPLIES": "1" if replies else "0",
            f"{_PREFIX}HOLD_CHAT": "0" if args.chat_per_conversation else "1",
        }
    )
    if args.flow:
        env[f"{_PREFIX}FLOW"] = args.flow
    return env


@contextlib.contextmanager
def _local_emulator(flows: list[str]) -> Iterator[str]:
    """A local emulator on a free loopback port (running ``flows``), in a child process, for the block."""
    command = [sys.executable, "-m", "connect_participant_emulator", "--host", "127.0.0.1", "--port", "0"]
    for path in flows:
        command += ["--flows", path]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # noqa: S603 (this interpreter)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening on " not in line:
            raise LoadUsageError("the local emulator did not start (are the --flows valid?)")
        yield line.rsplit("listening on ", 1)[1].strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_load(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("locust") is None:
        raise LoadUsageError('load tests need Locust: pip install "connect-participant[cli,load]"')
    if args.users < 1 or args.spawn_rate <= 0 or args.messages < 1 or args.interval < 0:
        raise LoadUsageError("--users, --spawn-rate and --messages must be positive, --interval >= 0")
    extra = [arg for arg in args.locust_args if arg != "--"]
    locustfile = args.locustfile or LOCUSTFILE
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless"]
    command += ["--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.run_time]
    command += ["--stop-timeout", str(max(10, round(args.interval * 2))), "--only-summary", *extra]
    with contextlib.ExitStack() as stack:
        if args.host and args.flows:
            raise LoadUsageError("--flows is for the local emulator: give them to the emulator at --host")
        host = args.host or stack.enter_context(_local_emulator(args.flows))
        print(f"load test against {host}: {args.users} customers for {args.run_time}", flush=True)
        return subprocess.call([*command, "--host", host], env=_environment(args))  # noqa: S603 (this interpreter)
