"""Reports of test-case runs (``_testcase_report``), rule by rule, pure (found by
``make mutate --module _testcase_report``): the text report's lines, word for word; JUnit XML's
counts and elements; which actions and branches the coverage report counts as run; the coverage
table's columns."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from connect_participant._testcase import Check, ObservationResult
from connect_participant.testing import (
    TestCaseResult,
    coverage_report,
    coverage_table,
    junit_xml,
    text_report,
)


def _passing() -> TestCaseResult:
    return TestCaseResult(
        name="greets",
        observations=[
            ObservationResult("hello", "MessageReceived", status="passed", expected="x", actual="y")
        ],
        transcript=[
            {"Role": "SYSTEM", "DisplayName": "Bot", "Content": "Hello"},
            {"Role": "CUSTOMER", "DisplayName": "", "Content": "hi"},
        ],
        trace=[
            {"Flow": "Main", "Type": "MessageParticipant", "Identifier": "a" * 40, "Branch": "NextAction"}
        ],
        logs=[("hello", "answer", {"n": 1})],
        end_reason="every observation was made",
        seconds=1.25,
        source="cases/greets.json",
    )


def _failing() -> TestCaseResult:
    return TestCaseResult(
        name="asks",
        observations=[
            ObservationResult("start", "TestInitiated", status="passed"),
            ObservationResult(
                "menu",
                "MessageReceived",
                status="failed",
                expected="message Inclusion 'Menu'",
                actual="message 'Menu?'",
                checks=[
                    Check("a1", "$.Attributes.x", "Equals 1", "2", passed=False),
                    Check("a2", "$.Attributes.y", "Exists", "ok", passed=True),
                ],
            ),
            ObservationResult("bye", "MessageReceived", status="missed", actual="not observed"),
            ObservationResult("later", "FlowActionStarted"),
            ObservationResult("odd", "TestCompleted", status="strange"),
            ObservationResult("open", "TestCompleted", status="active"),
        ],
        transcript=[{"Role": "SYSTEM", "DisplayName": "", "Content": "Menu?"}],
        trace=[{"Flow": "Main", "Type": "Wait", "Identifier": "w", "Branch": "Timeout"}],
    )


def test_the_text_report_line_by_line() -> None:
    assert text_report([_passing(), _failing()]).splitlines() == [
        "PASSED  greets (cases/greets.json)  [1.2 s; every observation was made]",
        "  PASS  hello (MessageReceived)",
        '  log   hello: answer = {"n": 1}',
        "  transcript:",
        "    Bot: Hello",
        "    CUSTOMER: hi",
        "  flow trace:",
        f"    Main: MessageParticipant {'a' * 36} -> NextAction",
        "FAILED  asks  [0.0 s; not run]",
        "  PASS  start (TestInitiated)",
        "  FAIL  menu (MessageReceived)",
        "        expected: message Inclusion 'Menu'",
        "        actual:   message 'Menu?'",
        "        assert a1: $.Attributes.x expected Equals 1, actual 2",
        "  MISS  bye (MessageReceived)",
        "        expected: (the event)",
        "        actual:   not observed",
        "  ----  later (FlowActionStarted)",
        "  strange  odd (TestCompleted)",
        "  MISS  open (TestCompleted)",
        "  transcript:",
        "    SYSTEM: Menu?",
        "  flow trace:",
        "    Main: Wait w -> Timeout",
        "1 of 2 test cases passed",
    ]


def test_the_text_report_leaves_out_the_transcript_and_trace_when_asked() -> None:
    assert text_report([_passing()], transcript=False, trace=False).splitlines() == [
        "PASSED  greets (cases/greets.json)  [1.2 s; every observation was made]",
        "  PASS  hello (MessageReceived)",
        '  log   hello: answer = {"n": 1}',
        "1 of 1 test cases passed",
    ]
    assert "flow trace:" in text_report([_passing()], transcript=False)
    assert "transcript:" in text_report([_passing()], trace=False)
    assert text_report([]) == "0 of 0 test cases passed"


def test_the_flow_clock_skipped_and_an_observations_note() -> None:
    result = TestCaseResult(
        name="waits",
        observations=[
            ObservationResult("a", "MessageReceived", status="passed", note="approximated"),
            ObservationResult("b", "MessageReceived", note="never shown: not reached"),
        ],
        end_reason="every observation was made",
        clock_skipped=300.04,
    )
    assert text_report([result]).splitlines() == [
        "PASSED  waits  [0.0 s; every observation was made; flow clock skipped 300.0 s]",
        "  PASS  a (MessageReceived)",
        "        note: approximated",
        "  ----  b (MessageReceived)",
        "1 of 1 test cases passed",
    ]


def test_an_error_is_its_own_line_and_long_values_are_shortened_to_120() -> None:
    result = TestCaseResult(
        name="broken",
        observations=[],
        logs=[("o", "exact", "x" * 120), ("o", "long", "y" * 121), ("o", "other", object)],
        error="no substitute for 'q'",
    )
    assert text_report([result]).splitlines() == [
        "FAILED  broken  [0.0 s; not run]",
        "  error: no substitute for 'q'",
        f"  log   o: exact = {'x' * 120}",
        f"  log   o: long = {'y' * 119}…",
        f'  log   o: other = "{object}"',
        "0 of 1 test cases passed",
    ]


def _xml(results: list[TestCaseResult], **kwargs: Any) -> ET.Element:
    text = junit_xml(results, **kwargs)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    assert text.endswith("</testsuites>\n")
    assert "\n  <testsuite " in text  # indented
    return ET.fromstring(text)


def test_junit_counts_failures_and_errors_apart() -> None:
    errored = TestCaseResult(name="err", observations=[], error="could not start", seconds=0.5)
    root = _xml([_passing(), _failing(), errored, _failing()])
    suite = root.find("testsuite")
    assert suite is not None
    expected = {
        "name": "connect-test-cases",
        "tests": "4",
        "failures": "2",
        "errors": "1",
        "time": "1.750",
    }
    assert root.attrib == expected
    assert suite.attrib == {**expected, "skipped": "0"}
    cases = suite.findall("testcase")
    assert [c.attrib for c in cases] == [
        {"name": "greets", "classname": "cases/greets.json", "time": "1.250"},
        {"name": "asks", "classname": "connect-test-cases", "time": "0.000"},
        {"name": "err", "classname": "connect-test-cases", "time": "0.500"},
        {"name": "asks", "classname": "connect-test-cases", "time": "0.000"},
    ]
    assert len(cases) == 4
    passed, failed, error = cases[:3]
    assert [child.tag for child in passed] == ["system-out"]
    assert passed[0].text == text_report([_passing()])
    assert [child.tag for child in failed] == ["failure", "system-out"]
    failure = failed[0]
    assert failure.attrib == {"message": "observation 'menu' failed", "type": "ObservationFailed"}
    assert failure.text == text_report([_failing()], transcript=False, trace=False)  # the verdicts only
    assert "transcript:" not in failure.text
    assert "flow trace:" not in failure.text
    assert failed[1].text == text_report([_failing()])  # everything
    assert [child.tag for child in error] == ["error", "system-out"]
    assert error[0].attrib == {"message": "could not start", "type": "TestCaseError"}
    assert error[0].text == "could not start"


def test_junit_names_the_suite_and_a_failure_without_a_failed_observation() -> None:
    # failed, but by no observation (a result whose ``passed`` says so)
    class Odd(TestCaseResult):
        @property
        def passed(self) -> bool:
            return False

    odd = Odd(name="odd", observations=[ObservationResult("ok", "TestInitiated", status="passed")])
    root = _xml([odd], suite="mine")
    assert root.attrib["name"] == "mine"
    case = root.find("testsuite/testcase")
    assert case is not None
    assert case.attrib["classname"] == "mine"
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "failed"


# --- coverage ------------------------------------------------------------------------------------

FLOW = {
    "Name": "Main",
    "Id": "f1",
    "Actions": [
        {
            "Identifier": "check",
            "Type": "Compare",
            "Transitions": {
                "NextAction": "say",
                "Conditions": [
                    {"NextAction": "x", "Condition": {"Operator": "Equals", "Operands": ["a", "b"]}},
                ],
                "Errors": [{"NextAction": "y", "ErrorType": "NoMatchingCondition"}],
            },
        },
        {"Identifier": "say", "Type": "MessageParticipant", "Transitions": {"NextAction": "end"}},
        {"Identifier": "end", "Type": "DisconnectParticipant"},
        {"Identifier": "never", "Type": "DisconnectParticipant", "Transitions": {}},
    ],
}
OTHER = {"Name": "Other", "Id": "f2", "Actions": [{"Identifier": "check", "Type": "Compare"}]}


def _step(ident: str, branch: str, flow: str = "f1", note: str | None = None) -> dict[str, Any]:
    step = {"FlowId": flow, "Identifier": ident, "Branch": branch}
    if note is not None:
        step["Note"] = note
    return step


def test_coverage_counts_runs_and_branches_taken() -> None:
    traces = [
        [_step("check", "Condition Equals a"), _step("say", "NextAction"), _step("end", "End")],
        [
            _step("check", "Error NoMatchingError (for NoMatchingCondition)"),
            _step("say", "Error Whatever", note="the action has no branch: NextAction"),
        ],
        [_step("check", "Condition Equals a")],
    ]
    report = coverage_report([FLOW, OTHER], traces)
    assert report == {
        "Flows": [
            {
                "Flow": "Main",
                "FlowId": "f1",
                "Actions": [
                    {
                        "Identifier": "check",
                        "Type": "Compare",
                        "Runs": 3,
                        "Branches": [
                            {"Branch": "Condition Equals a", "Taken": 2},
                            {"Branch": "Condition Equals b", "Taken": 0},
                            {"Branch": "NextAction", "Taken": 0},
                            {"Branch": "Error NoMatchingCondition", "Taken": 1},
                        ],
                    },
                    {
                        "Identifier": "say",
                        "Type": "MessageParticipant",
                        "Runs": 2,
                        "Branches": [{"Branch": "NextAction", "Taken": 2}],
                    },
                    {
                        "Identifier": "end",
                        "Type": "DisconnectParticipant",
                        "Runs": 1,
                        "Branches": [{"Branch": "End", "Taken": 1}],
                    },
                    {
                        "Identifier": "never",
                        "Type": "DisconnectParticipant",
                        "Runs": 0,
                        "Branches": [{"Branch": "End", "Taken": 0}],
                    },
                ],
            },
            {
                "Flow": "Other",
                "FlowId": "f2",
                "Actions": [
                    {
                        "Identifier": "check",
                        "Type": "Compare",
                        "Runs": 0,
                        "Branches": [{"Branch": "End", "Taken": 0}],
                    }
                ],
            },
        ],
        "Totals": {"actions": 5, "actions_run": 3, "branches": 8, "branches_taken": 4},
    }


def test_a_stopped_action_lists_the_outcome_it_took_instead_of_its_branches() -> None:
    # an action whose run took none of its branches (the chat ended in it): its outcome is listed,
    # and ``End`` is dropped unless it was taken
    flow = {
        "Name": "M",
        "Id": "f",
        "Actions": [
            {"Identifier": "wait", "Type": "Wait", "Transitions": {"NextAction": "n"}},
            {"Identifier": "end", "Type": "DisconnectParticipant"},
        ],
    }
    traces = [[_step("wait", "stopped", "f"), _step("wait", "stopped", "f"), _step("end", "ended", "f")]]
    actions = coverage_report([flow], traces)["Flows"][0]["Actions"]
    assert actions[0]["Branches"] == [{"Branch": "NextAction", "Taken": 0}, {"Branch": "stopped", "Taken": 2}]
    assert actions[1]["Branches"] == [{"Branch": "ended", "Taken": 1}]
    # a trace of another flow's action of the same identifier counts for that flow only
    other = coverage_report([flow], [[_step("wait", "NextAction", "g")]])["Flows"][0]["Actions"]
    assert other[0]["Runs"] == 0
    assert other[0]["Branches"] == [{"Branch": "NextAction", "Taken": 0}]


def test_a_flow_with_no_actions_or_transitions_lists_nothing_and_counts_nothing() -> None:
    assert coverage_report([{"Name": "Empty", "Id": "e"}], []) == {
        "Flows": [{"Flow": "Empty", "FlowId": "e", "Actions": []}],
        "Totals": {"actions": 0, "actions_run": 0, "branches": 0, "branches_taken": 0},
    }
    # conditions, operands and errors may be absent or null
    flow = {
        "Name": "N",
        "Id": "n",
        "Actions": [
            {
                "Identifier": "c",
                "Type": "Compare",
                "Transitions": {"Conditions": [{"Condition": None}, {}], "Errors": None, "NextAction": ""},
            }
        ],
    }
    assert coverage_report([flow], [])["Flows"][0]["Actions"][0]["Branches"] == [
        {"Branch": "End", "Taken": 0}
    ]


def test_the_coverage_table_one_row_per_branch() -> None:
    report = {
        "Flows": [
            {
                "Flow": "Main",
                "Actions": [
                    {
                        "Identifier": "check-" + "i" * 40,
                        "Type": "Compare",
                        "Runs": 3,
                        "Branches": [
                            {"Branch": "Condition Equals a", "Taken": 2},
                            {"Branch": "NextAction", "Taken": 0},
                        ],
                    },
                    {
                        "Identifier": "end",
                        "Type": "Disconnect",
                        "Runs": 0,
                        "Branches": [{"Branch": "End", "Taken": 0}],
                    },
                ],
            }
        ],
        "Totals": {"actions": 2, "actions_run": 1, "branches": 3, "branches_taken": 1},
    }
    ident = ("check-" + "i" * 40)[:36]
    assert coverage_table(report).splitlines() == [
        "flow  action" + " " * 32 + "type        runs  branch              taken",
        f"Main  {ident}  Compare     3     Condition Equals a  2",
        " " * 62 + "NextAction          -",
        "Main  end" + " " * 35 + "Disconnect  0     End                 -",
        "actions run: 1/2; branches taken: 1/3",
    ]


def test_the_coverage_table_cuts_cells_at_40_characters() -> None:
    long = "b" * 50
    report = {
        "Flows": [
            {
                "Flow": "F",
                "Actions": [
                    {"Identifier": "a", "Type": "T", "Runs": 1, "Branches": [{"Branch": long, "Taken": 1}]}
                ],
            }
        ],
        "Totals": {"actions": 1, "actions_run": 1, "branches": 1, "branches_taken": 1},
    }
    lines = coverage_table(report).splitlines()
    assert lines[0] == "flow  action  type  runs  branch" + " " * 36 + "taken"
    assert lines[1] == f"F     a       T     1     {'b' * 40}  1"
