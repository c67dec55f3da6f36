"""Load generation on Locust: customers held per worker process, and a distributed run.

Locust (``connect_participant.locust``, ``bench/_load_locustfile.py``) drives customers who each
hold a chat with an open events stream and send a message every ~5 s; the emulator runs in its
own process. Measured, per step of users in one Locust process (a worker's worth):
the echo p99 (SendMessage called → the message back on the customer's socket) over the run
(ramp at 50 users/s, then 20 s holding them all), failures, SendMessage/s, StartChatContact
p50, and the process's peak RSS. The largest step with 0 failures and echo p99
under 1 s is the per-process result; the first step past it is the limit found. Then 1 master
+ 2 workers (Locust's ``--master``/``--worker``) hold users together: totals.

On this shared 2-core VM the emulator, the Locust processes and everything else running share
two cores: the numbers understate what a worker does on a core of its own.
"""

from __future__ import annotations

import contextlib
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bench._harness import ROOT, Report, emulator_process

LOCUSTFILE = Path(__file__).with_name("_load_locustfile.py")
STEPS = (250, 500, 1000, 1500, 2000)
SPAWN_RATE = 50
HOLD_SECONDS = 20
DISTRIBUTED_USERS = 1000
ECHO_P99_LIMIT_MS = 1000.0
MESSAGE_EVERY = 5.0  # seconds, as the locustfile's wait_time


def _raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children inherit it


@contextlib.contextmanager
def emulator() -> Iterator[str]:
    with emulator_process("--retention-seconds", "5") as (url, _):
        yield url


def percentile(entry: dict[str, Any], q: float) -> float:
    """A percentile (ms) of a Locust stats entry, from its response-time histogram."""
    times = sorted((float(ms), count) for ms, count in entry.get("response_times", {}).items())
    total = sum(count for _, count in times)
    if not total:
        return float("nan")
    seen = 0
    for ms, count in times:
        seen += count
        if seen >= q * total:
            return ms
    return times[-1][0]


def run_seconds(users: int) -> int:
    return users // SPAWN_RATE + HOLD_SECONDS + 5


def locust_command(host: str, users: int, *extra: str) -> list[str]:
    run_time = run_seconds(users)
    return [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--host", host, "--headless",
        "-u", str(users), "-r", str(SPAWN_RATE), "-t", f"{run_time}s", "--stop-timeout", "15",
        "--json", "--skip-log", "--exit-code-on-error", "0", *extra,
    ]  # fmt: skip


@dataclass
class Run:
    stats: dict[tuple[str, str], Any]
    rss_mb: float  # the largest sum of the Locust processes' RSS
    steady_cores: float  # their CPU (cores) while every customer is held, after the ramp


def run_locust(command: list[str], users: int, workers: int = 0) -> Run:
    """A headless run (with ``workers``: a master and its workers on this machine)."""
    helpers = [
        subprocess.Popen(
            [*command[:5], "--worker", "--master-port", "5599"], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]  # fmt: skip
    if workers:
        command = [*command, "--master", "--master-bind-port", "5599", "--expect-workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = [psutil.Process(p.pid) for p in (process, *helpers)]
    began = time.monotonic()
    steady_from, steady_to = users / SPAWN_RATE + 8, run_seconds(users) - 2
    peak, cpu = 0.0, []
    while process.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, sum(p.memory_info().rss for p in watched) / 2**20)
            cpu.append((time.monotonic() - began, sum(sum(p.cpu_times()[:2]) for p in watched)))
        time.sleep(1)
    stdout, stderr = process.communicate()
    for helper in helpers:  # a worker stops its users (each disconnects) once the master is gone
        try:
            helper.wait(120)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()
    try:
        entries = json.loads(stdout)
    except json.JSONDecodeError:
        print(stderr[-2000:])
        raise
    window = [sample for sample in cpu if steady_from <= sample[0] <= steady_to]
    cores = (
        (window[-1][1] - window[0][1]) / (window[-1][0] - window[0][0]) if len(window) > 1 else float("nan")
    )
    return Run({(e["method"], e["name"]): e for e in entries}, peak, cores)


def summarize(stats: dict[tuple[str, str], Any], seconds: float) -> dict[str, float]:
    echo = stats.get(("STREAM", "own message echoed"), {})
    sends = stats.get(("API", "SendMessage"), {})
    failures = sum(e["num_failures"] for e in stats.values())
    started = stats.get(("API", "StartChatContact"), {})
    return {
        "echo_p50": percentile(echo, 0.5),
        "echo_p99": percentile(echo, 0.99),
        "sends_per_s": sends.get("num_requests", 0) / seconds,
        "failures": failures,
        "start_p50": percentile(started, 0.5),
    }


def run(report: Report) -> None:
    report.section("load generation on Locust: customers held per process (a message every ~5 s)")
    _raise_fd_limit()
    best = 0
    limit: int | None = None
    per_core: list[float] = []
    with emulator() as host:
        for users in STEPS:  # every step runs: on a shared machine one noisy step is not the limit
            run = run_locust(locust_command(host, users), users)
            s = summarize(run.stats, run_seconds(users))
            ok = s["failures"] == 0 and s["echo_p99"] < ECHO_P99_LIMIT_MS
            # a starved process does less work: count the messages it handled, not the users it had
            per_core.append(s["sends_per_s"] * MESSAGE_EVERY / run.steady_cores)
            print(
                f"  {users:>5} users: echo p50 {s['echo_p50']:.0f} ms, p99 {s['echo_p99']:.0f} ms, "
                f"{s['sends_per_s']:.0f} SendMessage/s, {s['failures']:.0f} failures, "
                f"StartChatContact p50 {s['start_p50']:.0f} ms, RSS {run.rss_mb:.0f} MB, "
                f"CPU {run.steady_cores:.2f} cores held{'' if ok else '  (missed)'}",
                flush=True,
            )
            if ok and limit is None:
                best = users
            elif not ok and limit is None:
                limit = users
        report.row("customers held by one process (p99 < 1 s)", best, "users")
        if limit is not None:
            print(f"  per-process limit: between {best} and {limit} users", flush=True)
        # CPU is what contention moves least: held customers (a message every 5 s) one core's CPU covers
        report.row("customers per core of CPU (from SendMessage/s)", statistics.median(per_core), "users")
        report.target(
            "load: customers held per Locust process, echo p99 < 1 s", best, 1000, higher_is_better=True
        )

    report.section(f"load generation: 1 master + 2 workers, {DISTRIBUTED_USERS} customers")
    with emulator() as host:
        run = run_locust(locust_command(host, DISTRIBUTED_USERS), DISTRIBUTED_USERS, workers=2)
        s = summarize(run.stats, run_seconds(DISTRIBUTED_USERS))
        ended = run.stats.get(("CHAT", "chat ended"), {}).get("num_requests", 0)
        print(
            f"  {DISTRIBUTED_USERS} users over 2 workers: echo p50 {s['echo_p50']:.0f} ms, "
            f"p99 {s['echo_p99']:.0f} ms, {s['sends_per_s']:.0f} SendMessage/s, {s['failures']:.0f} failures, "
            f"{ended} chats ended (disconnected at the stop), RSS (master + workers) {run.rss_mb:.0f} MB, "
            f"CPU {run.steady_cores:.2f} cores held",
            flush=True,
        )
        report.target("load: distributed run, failures", s["failures"], 0)


if __name__ == "__main__":
    run(Report())
