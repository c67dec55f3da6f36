"""``connect-participant test-flow``: Connect test cases (Testing language) run on the emulator."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from connect_participant.testing import (
    TestCaseError,
    coverage_report,
    coverage_table,
    flow_documents,
    junit_xml,
    load_test_cases,
    run_test_cases,
    text_report,
)

EXIT_FAILED = 1


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "test-flow",
        help="run Amazon Connect test cases (Testing language JSON) on the emulator's flows",
        description="Run Connect test cases (Testing language, version 2025-06-21; files or folders of "
        "*.test.json) on the emulator, one chat each, concurrently; print per observation what was "
        "expected and what came, the transcript and the flow trace. Exit status 1 when a case fails.",
    )
    parser.add_argument("cases", nargs="+", metavar="CASES", help="test-case files or folders")
    parser.add_argument(
        "--flows", action="append", required=True, metavar="DIR", help="flows to load (repeatable)"
    )
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument(
        "--coverage-report", metavar="FILE", help="write flow coverage (JSON); the table is printed"
    )
    parser.add_argument("--concurrency", type=int, default=5, help="chats at once (default 5)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per case (default 30)")
    parser.add_argument("--seed", type=int, help="seed for the injected faults")
    parser.add_argument("--socket-drops", type=int, default=0, help="drop each customer WebSocket N times")
    parser.add_argument("--throttling", action="store_true", help="the emulator throttles as Connect does")
    parser.add_argument("--quiet", action="store_true", help="no transcript or trace for passed cases")
    return parser


def run(args: argparse.Namespace) -> int:
    from connect_participant_emulator import LocalParticipantService
    from connect_participant_emulator.flows import ContactFlows

    try:
        cases = load_test_cases(args.cases)
    except TestCaseError as exc:
        raise ValueError(str(exc)) from None
    flows = ContactFlows(*args.flows)
    with LocalParticipantService(flows=flows, throttling=args.throttling) as svc:
        results = run_test_cases(
            cases,
            service=svc,
            concurrency=args.concurrency,
            time_limit=args.time_limit,
            socket_drops=args.socket_drops,
            seed=args.seed,
        )
    for result in results:
        quiet = args.quiet and result.passed
        print(text_report([result], transcript=not quiet, trace=not quiet).rsplit("\n", 1)[0])
    print(text_report(results, transcript=False, trace=False).rsplit("\n", 1)[1])
    if args.junit:
        Path(args.junit).write_text(junit_xml(results), encoding="utf-8")
    if args.coverage_report:
        report = coverage_report(flow_documents(flows), [r.trace for r in results])
        print(coverage_table(report))
        Path(args.coverage_report).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if all(r.passed for r in results) else EXIT_FAILED
