"""Sharing: one session shared by 32 threads x 100 sends and by 200 tasks x 20 sends while
connection tokens expire every 2 s and the emulator answers after 0.5 s (issue 15's sizes).

The harness is ``tests/_sharing.py`` (``tests/test_sharing.py`` runs smaller sizes in
``make test``). Targets: no errors, no message lost or doubled, renewals <= expiries + 2.
"""

from __future__ import annotations

import asyncio
import os
import sys

from bench._harness import ROOT, Report

sys.path.insert(0, os.path.join(ROOT, "tests"))

import _sharing


def _targets(report: Report, label: str, run: _sharing.Report) -> None:
    print(f"  {run.summary()}", flush=True)
    lost = len(run.expected() - set(run.contents))
    doubled = sum(1 for key in run.expected() if run.contents[key] > 1)
    report.target(f"sharing {label}: errors", len(run.errors), 0)
    report.target(f"sharing {label}: messages lost or doubled", lost + doubled, 0)
    report.target(f"sharing {label}: renewals - expiries", run.renewals - run.expiries, 2)


def run(report: Report) -> None:
    report.section(
        "sharing: 32 threads x 100 sends, 16 connections, tokens expiring every 2 s, 0.5 s latency"
    )
    _targets(report, "32 threads", _sharing.run_threads(callers=32, sends=100, connections=16))
    report.section("sharing: 200 tasks x 20 sends, 100 connections, tokens expiring every 2 s, 0.5 s latency")
    _targets(report, "200 tasks", asyncio.run(_sharing.run_tasks(callers=200, sends=20)))
    report.section("sharing: the same while every live token is revoked every 2 s (tokens live a day)")
    _targets(
        report,
        "32 threads, revoked",
        _sharing.run_threads(callers=32, sends=100, connections=16, revoke=True),
    )
    _targets(
        report, "200 tasks, revoked", asyncio.run(_sharing.run_tasks(callers=200, sends=20, revoke=True))
    )
