"""Cold start: import time, RSS and fresh interpreter → first answered SendMessage.

What a short-lived worker (AWS Lambda) pays on every cold start, each measured in fresh
interpreters of a *lean* venv (``.tmp/bench-lean``: the project's runtime dependencies and
boto3, nothing else, as in a Lambda package; the project itself from ``facade/`` and
``generated/`` on ``PYTHONPATH``). The dev venv is not used for this: there httpx imports its
command-line client's click and rich (they are installed for the dev tools), which a
deployment does not have.

- import time of ``from connect_participant import ParticipantClient`` (the real cold-start
  path), ``import connect_participant_api`` (the generated client: the floor under the SDK),
  ``import boto3``, and the bare lazy ``import connect_participant`` for information; the
  SDK's share over the floor is also measured paired, in one process (the SDK's import once
  the generated client is imported), which a loaded machine blurs far less than the
  difference of two separate minimums;
- RSS growth of each import (RSS after minus the bare interpreter's, in the same process);
- time from starting a fresh interpreter to the first SendMessage answered by the bench
  server (connect with a participant token, then send; the same two calls for boto3).

Bytecode is compiled by a warm-up run first (into ``.tmp/bench-pycache``). Each case runs
``RUNS`` times, the cases interleaved so load from other processes falls on all of them
alike; the minimum counts (noise only ever adds time). Times are the child's CPU time
(user+sys, what wall time is on an idle machine); wall times are printed too. Targets: SDK import ≤ floor + 15 ms and ≤ 0.75× boto3's; RSS
growth ≤ boto3's; first answered SendMessage ≤ 0.75× boto3's.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import tomllib
from importlib.metadata import version
from pathlib import Path

from bench._harness import ROOT, Report, server_process

RUNS = 9
LEAN = Path(ROOT) / ".tmp" / "bench-lean"

SDK_IMPORT = "from connect_participant import ParticipantClient"
FLOOR_IMPORT = "import connect_participant_api"
# case -> (statement timed, statement run before the timing starts)
IMPORTS = {
    "sdk": (SDK_IMPORT, ""),
    "floor": (FLOOR_IMPORT, ""),
    # the SDK's own share, paired in one process: its import once the generated client is in
    "over_floor": (SDK_IMPORT, FLOOR_IMPORT),
    "boto3": ("import boto3", ""),
    "bare": ("import connect_participant", ""),
}

# One import in a fresh interpreter: CPU and wall seconds, RSS before and after (bytes).
IMPORT_CHILD = r"""
import os, sys, time
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
exec(sys.argv[2])
before = rss()
cpu, wall = time.process_time(), time.perf_counter()
exec(sys.argv[1])
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(cpu, wall, before, rss())
"""

# Fresh interpreter → connect → first SendMessage answered; prints the process's CPU seconds
# since it started (interpreter start-up included) and time.monotonic() then.
SEND_CHILDREN = {
    "sdk": r"""
import sys, time
from connect_participant import ParticipantClient
client = ParticipantClient(endpoint_url=sys.argv[1])
chat = client.connect("participant-token-bench")
chat.send_message("hello")
print(time.process_time(), time.monotonic())
""",
    "boto3": r"""
import sys, time
import boto3
client = boto3.client("connectparticipant", region_name="us-east-1", endpoint_url=sys.argv[1])
answer = client.create_participant_connection(
    ParticipantToken="participant-token-bench", Type=["CONNECTION_CREDENTIALS"], ConnectParticipant=True
)
client.send_message(
    ConnectionToken=answer["ConnectionCredentials"]["ConnectionToken"], Content="hello", ContentType="text/plain"
)
print(time.process_time(), time.monotonic())
""",
}


def _requirements() -> list[str]:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        dependencies: list[str] = tomllib.load(f)["project"]["dependencies"]
    return [*dependencies, f"boto3=={version('boto3')}"]


def lean_python() -> tuple[str, str]:
    """The lean venv's interpreter (made or refreshed when the requirements changed), and a note."""
    requirements = _requirements()
    stamp = LEAN / ".requirements"
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    python = LEAN / "bin" / "python"
    if not (python.exists() and stamp.exists() and stamp.read_text() == digest):
        print(f"  making {LEAN.relative_to(ROOT)} (runtime dependencies + boto3)…", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(LEAN)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *requirements],
                check=True,
                capture_output=True,
                text=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            print(getattr(exc, "stderr", "") or "", file=sys.stderr)
            return sys.executable, f"dev venv (lean venv failed: {exc}); httpx loads click/rich here"
        stamp.write_text(digest)
    return str(python), f"lean venv {LEAN.relative_to(ROOT)}"


def _env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "PYTHON")) and key != "VIRTUAL_ENV"
    }
    env["PYTHONPATH"] = os.pathsep.join(os.path.join(ROOT, d) for d in ("facade", "generated"))
    # bytecode compiled once and kept, but outside the source tree (check-generated compares it)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(ROOT, ".tmp", "bench-pycache")
    # boto3 reads credentials at client creation: from the environment, as in Lambda (and no
    # instance-metadata probe); the Participant Service's calls are not signed with them
    env.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    return env


def _child(python: str, env: dict[str, str], *args: str) -> list[str]:
    return subprocess.run(
        [python, "-c", *args], env=env, capture_output=True, text=True, check=True
    ).stdout.split()


def measure(python: str, url: str, runs: int = RUNS) -> dict[str, dict[str, float]]:
    """The minimum over ``runs`` interleaved rounds of each case's numbers (ms and MB)."""
    env = _env()
    for statement, setup in IMPORTS.values():  # warm-up: bytecode compiled, files in the page cache
        _child(python, env, IMPORT_CHILD, statement, setup)
    for code in SEND_CHILDREN.values():
        _child(python, env, code, url)
    samples: dict[str, dict[str, list[float]]] = {}

    def keep(kind: str, name: str, value: float) -> None:
        samples.setdefault(kind, {}).setdefault(name, []).append(value)

    for _ in range(runs):
        for name, (statement, setup) in IMPORTS.items():
            cpu, wall, before, after = _child(python, env, IMPORT_CHILD, statement, setup)
            keep("import_cpu_ms", name, float(cpu) * 1e3)
            keep("import_wall_ms", name, float(wall) * 1e3)
            keep("growth_mb", name, (int(after) - int(before)) / 2**20)
            keep("rss_mb", name, int(after) / 2**20)
        for name, code in SEND_CHILDREN.items():
            start = time.monotonic()
            cpu, answered = _child(python, env, code, url)
            keep("send_cpu_ms", name, float(cpu) * 1e3)
            keep("send_wall_ms", name, (float(answered) - start) * 1e3)
    return {
        kind: {name: min(values) for name, values in by_name.items()} for kind, by_name in samples.items()
    }


def run(report: Report) -> None:
    report.section(f"cold start — fresh interpreters, min of {RUNS} interleaved runs")
    python, note = lean_python()
    print(f"  interpreter: {note}")
    with server_process() as url:
        m = measure(python, url)
    cpu, wall, growth, rss = m["import_cpu_ms"], m["import_wall_ms"], m["growth_mb"], m["rss_mb"]
    labels = {
        "floor": "import connect_participant_api (floor)",
        "sdk": SDK_IMPORT,
        "over_floor": "  the same with the generated client in",
        "bare": "import connect_participant (lazy; info)",
        "boto3": "import boto3",
    }
    order = ("floor", "sdk", "over_floor", "bare", "boto3")
    print("  import: CPU time (user+sys; = wall time on an idle machine)")
    for name in order:
        report.row(labels[name], cpu[name], "ms", cpu["boto3"], "boto3")
    print("  import: wall time (inflated by other processes on a loaded machine)")
    for name in order:
        report.row(labels[name], wall[name], "ms", wall["boto3"], "boto3")
    print("  RSS after the import, and its growth over the bare interpreter")
    for name in order:
        report.row(labels[name], rss[name], "MB")
        report.row("  growth", growth[name], "MB", growth["boto3"], "boto3")
    send_cpu, send_wall = m["send_cpu_ms"], m["send_wall_ms"]
    print("  fresh interpreter → connect → first SendMessage answered: CPU (start-up included), wall")
    report.row("connect_participant, CPU", send_cpu["sdk"], "ms", send_cpu["boto3"], "boto3")
    report.row("boto3, CPU", send_cpu["boto3"], "ms")
    report.row("connect_participant, wall", send_wall["sdk"], "ms", send_wall["boto3"], "boto3")
    report.row("boto3, wall", send_wall["boto3"], "ms")
    print(f"  {json.dumps(m)}")
    print(f"  SDK import − generated client import, unpaired: {cpu['sdk'] - cpu['floor']:.1f} ms CPU")
    report.target("SDK import − generated client import (paired), CPU ms", cpu["over_floor"], 15)
    report.target("SDK import / boto3 import, CPU", cpu["sdk"] / cpu["boto3"], 0.75)
    report.target("SDK import RSS growth / boto3's", growth["sdk"] / growth["boto3"], 1.0)
    report.target(
        "fresh interpreter → first SendMessage, SDK / boto3, CPU", send_cpu["sdk"] / send_cpu["boto3"], 0.75
    )
