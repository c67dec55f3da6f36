"""A long-lived emulator stays flat: 5,000 chats started, used and ended grow its RSS by at
most 20 MB over what 500 did (issue 14), and its health counts fall back once the ended chats'
retention is over. The measurement is ``bench/emulator_memory.py`` (also a ``make bench``
section); this runs it in CI and prints the bytes per chat."""

from __future__ import annotations

import pytest

from bench.emulator_memory import measure

# ~20 s of CPU (emulator + driver); a generous bound for a loaded machine
pytestmark = pytest.mark.timeout(600)

BUDGET_BYTES = 20 * 1024 * 1024


def test_rss_stays_flat_over_5000_chats() -> None:
    result = measure()
    print(
        f"\nemulator RSS after 500 chats {result.rss_500 / 2**20:.1f} MiB, after 5,000 "
        f"{result.rss_5000 / 2**20:.1f} MiB: {result.bytes_per_chat:.0f} bytes per chat "
        f"({result.seconds:.0f} s, {result.cpu_seconds:.0f} s CPU)"
    )
    settled = result.settled
    assert settled["contacts"] == 0, settled
    assert settled["participants"] == 0, settled
    assert settled["connection_tokens"] == 0, settled
    assert settled["idempotency_answers"] == 0, settled
    assert settled["websockets"] == 0, settled
    growth = result.rss_5000 - result.rss_500
    assert growth <= BUDGET_BYTES, f"RSS grew {growth} bytes between chat 500 and chat 5,000"
