"""A session shared by many threads or tasks survives repeated token expiries with a saturated
pool: no errors, every message exactly once, one renewal per expiry (see ``_sharing``).

These are smaller runs than the issue's (32 threads x 100 sends, 200 tasks x 20 sends), so that
``make test`` stays within CI's budget; ``make bench`` runs the full sizes (``bench/sharing.py``).
They still span several token lifetimes with every caller's calls in flight across expiries.
"""

from __future__ import annotations

from _sharing import Report, run_tasks, run_threads


def _holds(report: Report) -> None:
    assert report.errors == [], report.summary()
    assert set(report.contents) >= report.expected(), report.summary()
    assert all(report.contents[key] == 1 for key in report.expected()), report.summary()
    assert report.renewals <= report.expiries + 2, report.summary()
    assert report.sends_on_wire > report.callers * report.sends, "no call was refused: expiries not exercised"


def test_threads_share_a_session_across_expiries() -> None:
    _holds(run_threads(callers=32, sends=10, connections=16))


async def test_tasks_share_a_session_across_expiries() -> None:
    _holds(await run_tasks(callers=200, sends=4))
