"""Load tests on Locust (``connect_participant.locust``), headless, against the test's emulator.

Locust monkey-patches the process with gevent when imported, so every run here is a subprocess
(``python -m locust`` with a locustfile); the emulator runs in the test's process, on loopback.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from connect_participant_emulator import LocalParticipantService, Quota

# found, not imported: importing Locust monkey-patches the whole process with gevent
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("locust") is None, reason="Locust is the [load] extra; dev installs it"
)

ROOT = Path(__file__).resolve().parent.parent
DOCS_LOCUSTFILE = ROOT / "docs" / "load_locustfile.py"

#: what every run of a conversation reports (request type, name)
METRICS = {
    ("API", "StartChatContact"),
    ("API", "CreateParticipantConnection"),
    ("API", "SendMessage"),
    ("API", "DisconnectParticipant"),
    ("STREAM", "stream live"),
    ("STREAM", "own message echoed"),
    ("STREAM", "reconnect"),
    ("STREAM", "gap fill"),
    ("REPLY", "first reply"),
    ("REPLY", "between turns"),
    ("CHAT", "chat started"),
    ("CHAT", "chat ended"),
    ("SCRIPT", "ask_balance"),
}


def run_locust(
    locustfile: Path,
    host: str | None,
    users: int,
    seconds: int,
    during: Any = None,
    env: dict[str, str] | None = None,
) -> tuple[dict[tuple[str, str], dict[str, Any]], str]:
    """A headless run: its final stats by (type, name), and its stderr."""
    command = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless"]
    command += ["--host", host] if host else []
    command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "10"]
    command += ["--json", "--skip-log", "--exit-code-on-error", "0"]
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,  # as on CI
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    ) as process:
        if during is not None:
            threading.Thread(target=during, daemon=True).start()
        stdout, stderr = process.communicate(timeout=seconds + 60)
    assert process.returncode == 0, stderr[-3000:]
    stats = {(entry["method"], entry["name"]): entry for entry in json.loads(stdout)}
    return stats, stderr


def test_50_customers_with_a_short_conversation_each(participant_service: LocalParticipantService) -> None:
    def drop_every_socket() -> None:
        """Once every customer and bot has its socket, all are dropped: the streams reconnect
        and fill the gap (items sent meanwhile reached no socket)."""
        state = participant_service.emulator.state
        deadline = time.monotonic() + 30
        while len(state.sockets) < 100 and time.monotonic() < deadline:
            time.sleep(0.1)
        participant_service.close_websockets(abrupt=True)

    stats, stderr = run_locust(
        DOCS_LOCUSTFILE, participant_service.endpoint_url, users=50, seconds=10, during=drop_every_socket
    )
    assert set(stats) >= METRICS, sorted(METRICS - set(stats))
    failures = {key: entry["num_failures"] for key, entry in stats.items() if entry["num_failures"]}
    assert failures == {}
    assert stats["CHAT", "chat started"]["num_requests"] == 50  # one held chat per customer
    assert stats["CHAT", "chat ended"]["num_requests"] == 50  # each disconnected at the stop
    turns = stats["REPLY", "first reply"]["num_requests"] + stats["REPLY", "between turns"]["num_requests"]
    assert turns == stats["API", "SendMessage"]["num_requests"]  # every message answered, once
    assert stats["STREAM", "own message echoed"]["num_requests"] < turns  # say() only, not the script
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr


def test_throttling_is_counted_apart(tmp_path: Path) -> None:
    # StartChatContact 1/s with a burst of 2: most of 8 customers' chats are refused at first
    tight = {"StartChatContact": Quota(1, 2)}
    with LocalParticipantService() as svc:
        svc.set_throttling(True, tight)
        stats, stderr = run_locust(DOCS_LOCUSTFILE, svc.endpoint_url, users=8, seconds=4)
    throttled = stats.get(("THROTTLED", "StartChatContact"))
    assert throttled is not None, sorted(stats)
    assert throttled["num_failures"] == throttled["num_requests"] > 0
    assert stats["API", "StartChatContact"]["num_failures"] == 0  # the other errors' row
    assert "Traceback" not in stderr


def test_a_real_instance_through_boto3(participant_service: LocalParticipantService) -> None:
    # no host: StartChatContact and CreateParticipant go through boto3's connect client and the
    # SDK to the region's endpoint, both pointed at the emulator by AWS's endpoint variables
    endpoints = {
        "AWS_ENDPOINT_URL_CONNECT": participant_service.endpoint_url,
        "AWS_ENDPOINT_URL_CONNECTPARTICIPANT": participant_service.endpoint_url,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }
    stats, stderr = run_locust(ROOT / "tests" / "_aws_locustfile.py", None, users=5, seconds=4, env=endpoints)
    assert stats["API", "StartChatContact"]["num_requests"] == 5
    assert stats["API", "CreateParticipant"]["num_requests"] == 5
    assert stats["REPLY", "first reply"]["num_requests"] == 5
    assert {key: e["num_failures"] for key, e in stats.items() if e["num_failures"]} == {}
    assert "Traceback" not in stderr


def test_the_library_never_imports_locust() -> None:
    code = (
        "import sys, connect_participant, connect_participant.testing\n"
        "for name in connect_participant.__all__: getattr(connect_participant, name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
