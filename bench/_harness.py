"""Shared pieces of the benchmarks: the server process, timing, and the report."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextmanager
def _child(*args: str, stderr: int | None = None) -> Iterator[tuple[str, int]]:
    """``python -m <args>`` in another process (its CPU is not the client's): (its first line
    of output, its pid); terminated (killed after 10 s) when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-m", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline(), proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stdout is not None:
            proc.stdout.close()


@contextmanager
def server_process(module: str = "bench._server", *args: str) -> Iterator[str]:
    """Runs a server module in another process and yields its URL."""
    with _child(module, *args) as (line, _):
        if not line.startswith("PORT "):
            raise RuntimeError(f"{module} did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"


@contextmanager
def emulator_process(*options: str) -> Iterator[tuple[str, int]]:
    """The emulator (``connect-participant emulator`` options) in its own process on a free
    loopback port: (endpoint URL, its pid)."""
    command = ("connect_participant_emulator", "--port", "0", *options)
    with _child(*command, stderr=subprocess.DEVNULL) as (line, pid):
        if "listening on " not in line:
            raise RuntimeError(f"the emulator did not start: {line!r}")
        yield line.rsplit("listening on ", 1)[1].strip(), pid


@dataclass(frozen=True)
class Paired:
    """Per contender: median CPU seconds per call, and the median of its per-sample ratios to the base."""

    cpu: dict[str, float]
    ratio: dict[str, float]
    spread: dict[str, tuple[float, float]]  # the ratios' first and third quartiles


def cpu_paired(fns: dict[str, Callable[[], object]], base: str, samples: int, warmup: int = 5) -> Paired:
    """Client CPU (``time.process_time``) of one call of each contender, taken call by call in
    turn, the order rotated every sample (A B C, B C A, C A B, …).

    This VM's speed drifts by tens of percent within seconds (raw httpx's own transcript time
    went from 8 to 15 ms between runs minutes apart), so each contender's call is compared
    with the base's call of the same sample, measured a few milliseconds apart: the median of
    those per-sample ratios follows the cost difference and not the drift (rounds of several
    calls, as measured before, let a slow spell fall on one contender's round).
    """
    names = list(fns)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in names}
    clock = time.process_time
    for i in range(samples):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            fn = fns[name]
            start = clock()
            fn()
            times[name].append(clock() - start)
    ratios = {name: [t / b for t, b in zip(times[name], times[base], strict=True) if b > 0] for name in names}
    return Paired(
        cpu={name: statistics.median(values) for name, values in times.items()},
        ratio={name: statistics.median(values) for name, values in ratios.items()},
        spread={name: _quartiles(values) for name, values in ratios.items()},
    )


def _quartiles(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


@dataclass
class Target:
    name: str
    value: float
    limit: float
    higher_is_better: bool = False

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def line(self) -> str:
        op = "≥" if self.higher_is_better else "≤"
        return (
            f"  {'MET ' if self.met else 'MISS'}  {self.name}: {self.value:.2f} (target {op} {self.limit:g})"
        )


@dataclass
class Report:
    targets: list[Target] = field(default_factory=list)

    def section(self, title: str) -> None:
        print(f"\n== {title} ==", flush=True)

    def row(self, label: str, value: float, unit: str, ratio_to: float | None = None, base: str = "") -> None:
        ratio = f"   {value / ratio_to:5.2f}× {base}" if ratio_to else ""
        print(f"  {label:<38} {value:>12.2f} {unit}{ratio}", flush=True)

    def paired_row(self, label: str, paired: Paired, name: str, scale: float, unit: str, base: str) -> None:
        """A contender's median CPU per call and its median per-sample ratio (quartiles) to ``base``."""
        low, high = paired.spread[name]
        print(
            f"  {label:<38} {paired.cpu[name] * scale:>12.2f} {unit}"
            f"   {paired.ratio[name]:5.2f}× {base} (quartiles {low:.2f}–{high:.2f})",
            flush=True,
        )

    def target(self, name: str, value: float, limit: float, *, higher_is_better: bool = False) -> None:
        self.targets.append(Target(name, value, limit, higher_is_better))

    def summary(self) -> bool:
        print("\n== targets ==")
        for t in self.targets:
            print(t.line())
        return all(t.met for t in self.targets)


def machine() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    except OSError:
        model = "?"
    return f"{os.cpu_count()} cores, {model}, Python {sys.version.split()[0]}"
