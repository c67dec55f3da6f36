"""A stand-in for the ``time`` module of an emulator module under test (``monkeypatch.setattr(module,
"time", Clock())``): ``time()`` and ``monotonic()`` read the test's ``now``; formatting is the real
module's, at that time."""

from __future__ import annotations

import time as real_time


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def gmtime(self, seconds: float | None = None) -> real_time.struct_time:
        return real_time.gmtime(self.now if seconds is None else seconds)

    def strftime(self, fmt: str, moment: real_time.struct_time) -> str:
        return real_time.strftime(fmt, moment)
