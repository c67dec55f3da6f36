"""``connect-participant test-flow``: Connect test cases (Testing language) run on the emulator."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from connect_participant.testing import (
    TestCaseError,
    TestCaseResult,
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
        "--flows", action="append", default=[], metavar="DIR", help="flows to load (repeatable)"
    )
    parser.add_argument(
        "--instance-id",
        help="run on this Amazon Connect instance through its test APIs instead (the [aws] extra; "
        "each run is a real contact)",
    )
    parser.add_argument("--region", help="with --instance-id: Amazon Connect's region")
    parser.add_argument("--endpoint-url", help="with --instance-id: Amazon Connect's API URL")
    parser.add_argument("--profile", help="with --instance-id: the AWS profile to use")
    parser.add_argument("--poll", type=float, default=2.0, help="with --instance-id: seconds between polls")
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument(
        "--coverage-report", metavar="FILE", help="write flow coverage (JSON); the table is printed"
    )
    parser.add_argument("--concurrency", type=int, default=5, help="chats at once (default 5)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per case (default 30)")
    parser.add_argument("--seed", type=int, help="seed for the injected faults")
    parser.add_argument("--socket-drops", type=int, default=0, help="drop each customer WebSocket N times")
    parser.add_argument("--throttling", action="store_true", help="the emulator throttles as Connect does")
    parser.add_argument(
        "--latency", type=int, default=0, metavar="MS", help="delay each customer call by MS milliseconds"
    )
    parser.add_argument("--quiet", action="store_true", help="no transcript or trace for passed cases")
    return parser


def run(args: argparse.Namespace) -> int:
    from connect_participant_emulator import LocalParticipantService
    from connect_participant_emulator.flows import ContactFlows

    try:
        cases = load_test_cases(args.cases)
    except TestCaseError as exc:
        raise ValueError(str(exc)) from None
    flows = None
    if args.instance_id:
        from ._testflow_remote import run_on_instance

        results = run_on_instance(
            cases,
            instance_id=args.instance_id,
            region=args.region,
            endpoint_url=args.endpoint_url,
            profile=args.profile,
            poll=args.poll,
        )
    elif not args.flows:
        raise ValueError("give --flows DIR (the flows to run the cases on) or --instance-id")
    else:
        flows = ContactFlows(*args.flows)
        with LocalParticipantService(flows=flows, throttling=args.throttling) as svc:
            results = run_test_cases(
                cases,
                service=svc,
                concurrency=args.concurrency,
                time_limit=args.time_limit,
                socket_drops=args.socket_drops,
                seed=args.seed,
                latency=args.latency / 1000,
            )
    _print(results, args.quiet)
    if args.junit:
        Path(args.junit).write_text(junit_xml(results), encoding="utf-8")
    if args.coverage_report and flows is not None:
        report = coverage_report(flow_documents(flows), [r.trace for r in results])
        print(coverage_table(report))
        Path(args.coverage_report).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0 if all(r.passed for r in results) else EXIT_FAILED


def _print(results: list[TestCaseResult], quiet: bool) -> None:
    for result in results:
        brief = quiet and result.passed
        print(text_report([result], transcript=not brief, trace=not brief).rsplit("\n", 1)[0])
    print(text_report(results, transcript=False, trace=False).rsplit("\n", 1)[1])
