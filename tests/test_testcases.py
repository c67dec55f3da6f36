"""Connect test cases (Testing language 2025-06-21) run on the emulator: the pure interpreter,
the runner through the SDK, reports, coverage, JUnit, concurrency and faults."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import xmlschema
from connect_participant._testcase import (
    ActionStarted,
    EndRun,
    MessageSeen,
    Override,
    SendText,
    StateSeen,
    TestCaseError,
    TestCaseRun,
    evaluate,
    message_matches,
    parse_test_case,
)
from connect_participant.testing import (
    coverage_report,
    coverage_table,
    flow_documents,
    junit_xml,
    load_test_cases,
    run_test_case,
    run_test_cases,
    text_report,
)
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._flows._interpreter import Ref
from connect_participant_emulator._flows._library import LambdaRule
from connect_participant_emulator.flows import ContactFlows, Intent, ScriptedBot

DATA = Path(__file__).parent / "data"
CASES = DATA / "testcases"
#: where the rules-engine exports name their flows and Lambda functions
PLACEHOLDERS = {
    "contactFlows.RulesEngineMain.arn": "RulesEngineMain",
    "contactFlows.RulesEngineError.arn": "RulesEngineError",
    "lambdaFunctions.connectrulesinference.arn": "arn:aws:lambda:us-east-1:123456789012:function:connectrulesinference",
    "lambdaFunctions.connectupdatestate.arn": "arn:aws:lambda:us-east-1:123456789012:function:connectupdatestate",
}
#: the flows of this suite: the public chat flows and our version of AWS's example flow
SUITE_FLOWS = (
    "Simple Survey Example",
    "acme_main_AUTO",
    "SBS_Lex_Integration_Handler",
    "InteractiveMessaging",
    "RulesEngineMain",
    "RulesEngineWait",
    "RulesEngineError",
    "ExampleHoursAndMenu",
)


def suite_flows() -> ContactFlows:
    flows = ContactFlows(DATA / "flows", CASES / "flows", placeholders=PLACEHOLDERS)
    flows.hours("BasicHours", open=False)  # closed: AWS's example overrides it to get in
    flows.lex_bot(
        "*MENUBOT*",
        ScriptedBot(Intent("Sales", [r"^\s*1\s*$|sales"]), Intent("Support", [r"^\s*2\s*$|support"])),
    )
    return flows


@pytest.fixture(scope="module")
def svc() -> Iterator[LocalParticipantService]:
    with LocalParticipantService(flows=suite_flows()) as service:
        yield service


def case_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CASES / f"{name}.test.json").read_text())
    return data


def observation(doc: dict[str, Any], ident: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in doc["Content"]["Observations"] if o["Identifier"] == ident)
    return found


# --- the documents ------------------------------------------------------------------------


def minimal(*observations: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2025-06-21", "Observations": list(observations)}


def obs(
    ident: str,
    etype: str,
    props: dict[str, Any] | None = None,
    actions: list[Any] | None = None,
    nxt: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "Identifier": ident,
        "Event": {"Type": etype, "Actor": "System", "Properties": props or {}},
        "Actions": actions or [],
        "Transitions": {"NextObservations": nxt or []},
    }


def adding(action: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """Add ``action`` to the first observation."""
    return lambda d: d["Observations"][0]["Actions"].append(action)


def flow_action_override(**properties: Any) -> dict[str, Any]:
    return {
        "Type": "OverrideSystemBehavior",
        "Parameters": {"Behavior": {"Type": "FlowAction", "Properties": properties}},
    }


@pytest.mark.parametrize(
    ("mutate", "where", "says"),
    [
        (lambda d: d.update(Version="2019-10-30"), "Version", "2025-06-21"),
        (
            lambda d: d["Observations"][0]["Event"].update(Type="AgentAccepted"),
            "Event.Type",
            "'AgentAccepted' is not supported",
        ),
        (lambda d: d["Observations"][0]["Event"].update(Actor="Agent"), "Event.Actor", "'Agent' events"),
        (
            lambda d: d["Observations"][0]["Event"]["Properties"].update(PromptId="arn:prompt"),
            "Properties.PromptId",
            "voice-only",
        ),
        (
            lambda d: d["Observations"][0]["Event"]["Properties"].update(SSML="<speak>x</speak>"),
            "Properties.SSML",
            "voice-only",
        ),
        (
            lambda d: d["Observations"][0]["Event"]["Properties"].update(MatchingCriteria="Regex"),
            "MatchingCriteria",
            "'Regex' is not supported",
        ),
        (lambda d: d["Observations"][0].update(Usage={"Type": "AT_LEAST"}), "Usage.Type", "'AT_LEAST'"),
        (
            lambda d: d["Observations"][0]["Actions"].append(
                {
                    "Type": "SendInstruction",
                    "Parameters": {
                        "Actor": "Customer",
                        "Instruction": {"Type": "DtmfInput", "Properties": {"Value": "1"}},
                    },
                }
            ),
            "Instruction.Type",
            "DtmfInput is voice-only",
        ),
        (
            lambda d: d["Observations"][0]["Actions"].append(
                {
                    "Type": "SendInstruction",
                    "Parameters": {
                        "Instruction": {"Type": "TextUtterance", "Properties": {"SSML": "<speak/>"}}
                    },
                }
            ),
            "Properties.SSML",
            "voice-only",
        ),
        (
            lambda d: d["Observations"][0]["Actions"].append({"Type": "Wait"}),
            "Actions[0].Type",
            "'Wait' is not supported",
        ),
        (
            lambda d: d["Observations"][0]["Actions"].append(
                {
                    "Type": "Assert",
                    "Parameters": {"Namespace": "$.Attributes.x", "Operator": "Matches", "Operand": "a"},
                }
            ),
            "Operator",
            "'Matches' is not supported",
        ),
        (
            lambda d: d["Observations"][0]["Actions"].append(
                {"Type": "Assert", "Parameters": {"Namespace": "$.Attributes.x", "Operator": "Equals"}}
            ),
            "Operand",
            "required with Equals",
        ),
        (
            adding(
                flow_action_override(
                    ActionType="InvokeLambdaFunction",
                    ActionParameters={"LambdaFunctionARN": "f"},
                    Strategy={"Type": "MockResponse"},
                )
            ),
            "Strategy.Type",
            "'MockResponse' is not supported",
        ),
        (
            adding(flow_action_override(ActionType="PlayPrompt", ActionParameters={}, Strategy={})),
            "ActionType",
            "'PlayPrompt' cannot be overridden",
        ),
        (
            lambda d: d["Observations"][0]["Actions"].append(
                {"Type": "TestControl", "Parameters": {"Command": {"Type": "Pause"}}}
            ),
            "Command.Type",
            "'Pause' is not supported",
        ),
        (
            lambda d: d["Observations"][0]["Transitions"].update(NextObservations=["nowhere"]),
            "NextObservations",
            "'nowhere'",
        ),
        (lambda d: d["Observations"].append(copy.deepcopy(d["Observations"][0])), "Observations", "unique"),
    ],
)
def test_unsupported_or_voice_only_things_are_named(
    mutate: Callable[[dict[str, Any]], Any], where: str, says: str
) -> None:
    doc = minimal(obs("hello", "MessageReceived", {"Text": "Hi"}))
    mutate(doc)
    with pytest.raises(TestCaseError) as raised:
        parse_test_case(doc)
    assert where in raised.value.argument
    assert says in str(raised.value)


def test_voice_entry_point_and_create_test_case_fields() -> None:
    content = minimal(obs("start", "TestInitiated"))
    with pytest.raises(TestCaseError, match="VOICE_CALL is voice-only"):
        parse_test_case({"Content": content, "EntryPoint": {"Type": "VOICE_CALL"}})
    case = parse_test_case(
        {
            "Name": "n",
            "Content": json.dumps(content),
            "EntryPoint": {"Type": "CHAT", "ChatEntryPointParameters": {"FlowId": "Inbound"}},
            "InitializationData": json.dumps({"Attributes": {"tier": "gold", "years": 3}}),
        }
    )
    assert (case.name, case.flow_id, dict(case.attributes)) == (
        "n",
        "Inbound",
        {"tier": "gold", "years": "3"},
    )


@pytest.mark.parametrize(
    ("operator", "actual", "passing", "failing"),
    [
        ("Equals", "Ann", "Ann", "Bob"),
        ("Equals", "5", "5.0", "6"),
        ("TextStartsWith", "Ann Smith", "Ann", "Smith"),
        ("TextEndsWith", "Ann Smith", "Smith", "Ann"),
        ("TextContains", "Ann Smith", "n S", "x"),
        ("NumberGreaterThan", "5", "4", "5"),
        ("NumberGreaterOrEqualTo", "5", "5", "6"),
        ("NumberLessThan", "5", "6", "5"),
        ("NumberLessOrEqualTo", "5", "5", "4"),
    ],
)
def test_each_operator_passes_and_fails(operator: str, actual: str, passing: str, failing: str) -> None:
    assert evaluate(operator, True, actual, passing)
    assert not evaluate(operator, True, actual, failing)
    assert not evaluate(operator, False, None, passing)  # absent never satisfies


def test_exists() -> None:
    assert evaluate("Exists", True, "", None)
    assert not evaluate("Exists", False, None, None)


def override_action(resource: str, substitute: str) -> dict[str, Any]:
    return {
        "Identifier": f"o-{substitute}",
        "Type": "OverrideSystemBehavior",
        "Parameters": {
            "Behavior": {
                "Type": "FlowAction",
                "Properties": {
                    "ActionType": "InvokeLambdaFunction",
                    "ActionParameters": {"LambdaFunctionARN": resource},
                    "Strategy": {"Type": "SubstituteResource", "SubstituteArn": substitute},
                },
            }
        },
    }


def test_the_walk_activates_transitions_and_reports_expected_and_actual() -> None:
    case = parse_test_case(
        minimal(
            obs(
                "start",
                "TestInitiated",
                actions=[override_action("f", "first"), override_action("f", "second")],
                nxt=["hi"],
            ),
            obs(
                "hi",
                "MessageReceived",
                {"Text": "Welcome"},
                actions=[
                    {
                        "Type": "Assert",
                        "Parameters": {
                            "Namespace": "$.Attributes.tier",
                            "Operator": "Equals",
                            "Operand": "gold",
                        },
                    },
                    {
                        "Type": "SendInstruction",
                        "Parameters": {
                            "Actor": "Customer",
                            "Instruction": {"Type": "TextUtterance", "Properties": {"Text": "balance"}},
                        },
                    },
                ],
                nxt=["lambda"],
            ),
            obs(
                "lambda",
                "FlowActionStarted",
                {"ActionType": "InvokeLambdaFunction", "ActionParameters": {"LambdaFunctionARN": "f"}},
            ),
            obs("never", "MessageReceived", {"Text": "unreachable"}, nxt=["lambda"]),
        )
    )
    run = TestCaseRun(case)
    assert run.start(0) == [
        Override("lambda", "f", "first"),
        Override("lambda", "f", "second"),
    ]  # in order: FIFO
    assert (
        run.handle(1, ActionStarted("InvokeLambdaFunction", "x", "F", {"LambdaFunctionARN": "f"})) == []
    )  # not active yet
    run.handle(1, StateSeen({"Attributes": {"tier": "silver"}}))
    assert run.handle(2, MessageSeen("Welcome, Ann")) == [SendText("balance")]
    assert (
        run.handle(
            3,
            ActionStarted(
                "InvokeLambdaFunction", "x", "F", {"LambdaFunctionARN": "arn:aws:lambda:r:1:function:f"}
            ),
        )
        == []
    )
    run.finish(4, "the chat ended")
    results = run.results
    assert results["hi"].status == "failed"
    assert (results["hi"].checks[0].expected, results["hi"].checks[0].actual) == ("Equals gold", "silver")
    assert results["lambda"].status == "passed"
    assert results["never"].status == "missed"  # a start observation (nothing leads to it) that never came
    assert not run.passed


@pytest.mark.parametrize(
    ("wanted", "message", "inclusion", "similarity"),
    [
        ("Welcome to Example Corp.", "Welcome to Example Corp. How can we help?", True, True),
        ("welcome to example corp", "Welcome to  Example Corp!", False, True),  # case, spacing, punctuation
        ("Welcome to Example Corp. How can we help?", "Welcome to Example Corp", False, True),  # it contains the message
        ("Hello, and welcome", "Welcome to Example Corp.", False, False),  # a paraphrase: Connect may match it
        ("We are open", "We are not open", False, False),
    ],
)  # fmt: skip
def test_inclusion_is_connect_s_and_similarity_is_an_approximation_the_report_names(
    wanted: str, message: str, inclusion: bool, similarity: bool
) -> None:
    assert message_matches({"Text": wanted}, message) is inclusion
    assert message_matches({"Text": wanted, "MatchingCriteria": "Inclusion"}, message) is inclusion
    assert message_matches({"Text": wanted, "MatchingCriteria": "Similarity"}, message) is similarity
    similar = {"Text": wanted, "MatchingCriteria": "Similarity"}
    case = parse_test_case(
        minimal(obs("hi", "MessageReceived", similar), obs("other", "MessageReceived", {"Text": "x"}))
    )
    run = TestCaseRun(case)
    run.start(0)
    run.handle(1, MessageSeen(message))
    run.finish(2, "the chat ended")
    assert run.results["hi"].status == ("passed" if similarity else "missed")
    report = text_report([SimpleNamespace(name="c", observations=list(run.results.values()), transcript=[],
                                          trace=[], logs=[], end_reason="", error=None, seconds=0.0,
                                          clock_skipped=0.0, source="", passed=run.passed)])  # fmt: skip
    hi = report.index("  hi (MessageReceived)")
    assert report[hi:].splitlines()[1].strip().startswith("note: Similarity is approximated offline")
    assert report.count("note:") == 1  # an Inclusion observation carries no note


def test_end_test_ends_the_walk() -> None:
    case = parse_test_case(
        minimal(
            obs(
                "hi",
                "MessageReceived",
                {"Text": "x"},
                actions=[{"Type": "TestControl", "Parameters": {"Command": {"Type": "EndTest"}}}],
                nxt=["later"],
            ),
            obs("later", "MessageReceived", {"Text": "y"}),
        )
    )
    run = TestCaseRun(case)
    run.start(0)
    commands = run.handle(1, MessageSeen("x"))
    assert isinstance(commands[-1], EndRun)
    assert run.done
    assert run.results["later"].status == "missed"


def test_overrides_are_single_use_and_first_in_first_out_per_resource() -> None:
    flows = ContactFlows()
    first, second, other = (LambdaRule("*", lambda e: {}) for _ in range(3))
    flows.override("c1", "lambda", "arn:aws:lambda:us-east-1:1:function:balance", first)
    flows.override("c1", "lambda", "payments", other)
    flows.override("c1", "lambda", "balance", second)
    ref = Ref("arn:aws:lambda:us-east-1:1:function:balance")
    assert flows.take_override("c2", "lambda", ref) is None  # another contact's
    assert flows.take_override("c1", "lambda", ref) is first
    assert flows.take_override("c1", "lambda", ref) is second
    assert flows.take_override("c1", "lambda", ref) is None  # used up
    assert flows.take_override("c1", "lambda", Ref("payments")) is other


# --- on the emulator ------------------------------------------------------------------------


def test_the_suite_passes_offline(svc: LocalParticipantService) -> None:
    cases = load_test_cases([CASES])
    assert len(cases) >= 13
    results = run_test_cases(cases, service=svc, concurrency=4)
    report = text_report(results)
    assert all(r.passed for r in results), report
    example = next(r for r in results if r.name == "aws-example-hours-welcome-queue")
    assert [m["Content"] for m in example.transcript][:2] == [
        "Welcome to Example Corp.",
        "Type 1 for sales or 2 for support.",
    ]
    assert example.trace[-1]["Type"] == "TransferContactToQueue"
    logged = {(label, json.dumps(value)) for r in results for _, label, value in r.logs}
    assert ("region", '"us-east-1"') in logged


def failing(doc: dict[str, Any], ident: str, index: int, **parameters: Any) -> dict[str, Any]:
    observation(doc, ident)["Actions"][index]["Parameters"].update(parameters)
    return doc


Failure = tuple[str, Callable[[dict[str, Any]], Any], str, str, str]
TEXT, NUMBERS = "survey-initialization-text", "survey-initialization-numbers"


def operand(name: str, index: int, value: str, expected: str, actual: str) -> Failure:
    """The case's ``index``-th Assert of ``welcome`` given another operand."""
    return (name, lambda d: failing(d, "welcome", index, Operand=value), "welcome", expected, actual)


def substitute(name: str, ident: str, expected: str, actual: str, **change: Any) -> Failure:
    """The case's (one) substitute answering otherwise: ``change`` to its EmulatorResources entry."""

    def mutate(d: dict[str, Any]) -> None:
        entry = next(iter(d["EmulatorResources"].values()))
        (entry["Intents"][0] if "Intents" in entry else entry).update(change)

    return (name, mutate, ident, expected, actual)


# (test case, how it is made to fail, the observation the report must name, expected, actual)
FAILURES: list[Failure] = [
    operand(TEXT, 0, "Ann Jones", "Equals Ann Jones", "Ann Smith"),
    operand(TEXT, 1, "Bob", "TextStartsWith Bob", "Ann Smith"),
    operand(TEXT, 2, "Jones", "TextEndsWith Jones", "Ann Smith"),
    operand(TEXT, 3, "xyz", "TextContains xyz", "Ann Smith"),
    operand(NUMBERS, 0, "5", "NumberGreaterThan 5", "5"),
    operand(NUMBERS, 1, "6", "NumberGreaterOrEqualTo 6", "5"),
    operand(NUMBERS, 2, "5", "NumberLessThan 5", "5"),
    operand(NUMBERS, 3, "4", "NumberLessOrEqualTo 4", "5"),
    (
        "survey-welcome-and-queue",
        lambda d: failing(d, "queue", 0, Namespace="$.Attributes.surveyName"),
        "queue",
        "Exists",
        "(absent)",
    ),
    substitute(
        "rules-engine-lambda-next-flow",
        "lambda",
        "Equals RulesEngineMessage",
        "RulesEngineWait",
        Output={"CurrentRule_nextFlowArn": "RulesEngineWait"},
    ),
    substitute(
        "survey-queue-at-capacity", "disconnect", "DisconnectParticipant", "not observed", AtCapacity=False
    ),
    substitute(
        "aws-example-hours-welcome-queue",
        "Welcome Message",
        "Welcome to Example Corp.",
        "last message: 'We are closed",
        Open=False,
    ),
    substitute(
        "sbs-lex-flight-cancellation",
        "attributes",
        "Equals FlightCancellation",
        "FlightChange",
        Name="FlightChange",
    ),
]


# --- the flow clock ---------------------------------------------------------------------------


def test_a_five_minute_wait_ends_at_once_on_the_chat_s_own_clock(svc: LocalParticipantService) -> None:
    """The runner skips the idle chat's flow clock over RulesEngineWait's 300-second Wait (the
    default idle_limit, 4 s, would end the run long before); the emulator's clock, and so every
    other chat's, does not move."""
    flows = svc.flows
    assert flows is not None
    ahead = flows.clock.now() - time.time()
    result = run_test_case(case_json("rules-engine-five-minute-wait"), service=svc)
    assert result.passed, result.report()
    steps = result.trace
    wait = next(i for i, s in enumerate(steps) if s["Type"] == "Wait")
    assert steps[wait]["Branch"] == "Condition Equals WaitCompleted"
    assert 300 <= steps[wait]["At"] - steps[wait - 1]["At"] < 301  # the Wait's time, in flow time
    assert 290 < result.clock_skipped <= 300
    assert "flow clock skipped" in result.report()
    assert abs(flows.clock.now() - time.time() - ahead) < 1  # the emulator's clock kept its time


class _NoChatClock:
    """A service that cannot move a chat's flow clock (an older emulator, a proxy)."""

    def __init__(self, service: LocalParticipantService) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        if name == "advance_chat_clock":
            raise AttributeError(name)
        return getattr(self._service, name)


def test_without_a_clock_to_advance_the_run_ends_after_idle_time(svc: LocalParticipantService) -> None:
    """The fallback: the chat sits in its Wait in real time and the run ends after idle_limit."""
    doc = case_json("rules-engine-five-minute-wait")
    content = doc["Content"]
    content["Observations"] = [o for o in content["Observations"] if o["Identifier"] not in ("back", "bye")]
    waiting = observation(doc, "wait")
    waiting["Event"]["Properties"] = {"ActionType": "Compare"}  # the action before the Wait
    waiting["Actions"] = []
    waiting["Transitions"]["NextObservations"] = ["completed"]
    result = run_test_case(doc, service=_NoChatClock(svc), idle_limit=1.0)
    assert result.passed, result.report()
    assert result.end_reason == "nothing happened for 1 s"
    assert result.clock_skipped == 0
    assert result.trace[-1]["Type"] == "Wait"
    assert result.trace[-1]["Branch"] == "Stopped"  # still waiting when the run ended the chat
    skipped = run_test_case(doc, service=svc, idle_limit=1.0)  # the same case, clock skipped
    assert skipped.passed, skipped.report()
    assert "Condition Equals WaitCompleted" in [s["Branch"] for s in skipped.trace]


def test_clock_limit_bounds_what_the_runner_skips(svc: LocalParticipantService) -> None:
    result = run_test_case(
        case_json("rules-engine-five-minute-wait"), service=svc, idle_limit=1.0, clock_limit=60
    )
    assert not result.passed
    assert result.clock_skipped == 0  # the Wait's 300 s are more than the 60 allowed
    assert [o.identifier for o in result.failures()] == ["wait"]
    assert (result.trace[-1]["Type"], result.trace[-1]["Branch"]) == ("Wait", "Stopped")


@pytest.mark.parametrize(
    ("name", "mutate", "ident", "expected", "actual"),
    FAILURES,
    ids=[f"{f[0]}-{f[3].split()[0]}" for f in FAILURES],
)
def test_a_failing_case_names_the_observation_expected_and_actual(
    svc: LocalParticipantService,
    name: str,
    mutate: Callable[[dict[str, Any]], Any],
    ident: str,
    expected: str,
    actual: str,
) -> None:
    doc = case_json(name)
    mutate(doc)
    result = run_test_case(doc, service=svc, idle_limit=2.0)
    assert not result.passed
    report = result.report()
    failed = [o.identifier for o in result.failures()]
    assert ident in failed, report
    block = report[report.index(f"  {ident} (") :]
    assert expected in block, report
    assert actual in block, report


def test_overrides_of_the_suite_are_what_makes_them_pass(svc: LocalParticipantService) -> None:
    """Without its override each override case fails: the substitute, not the default, answered."""
    for name in (
        "survey-queue-at-capacity",
        "aws-example-hours-welcome-queue",
        "rules-engine-lambda-next-flow",
        "sbs-lex-flight-cancellation",
    ):
        doc = case_json(name)
        start = observation(doc, doc["Content"]["Observations"][0]["Identifier"])
        start["Actions"] = [a for a in start["Actions"] if a["Type"] != "OverrideSystemBehavior"]
        assert not run_test_case(doc, service=svc, idle_limit=2.0).passed, name


def test_an_unknown_substitute_is_an_error_not_a_pass(svc: LocalParticipantService) -> None:
    doc = case_json("rules-engine-lambda-next-flow")
    doc.pop("EmulatorResources")
    result = run_test_case(doc, service=svc)
    assert not result.passed
    assert result.error is not None
    assert "EmulatorResources" in result.error


def test_coverage_lists_every_action_and_branch_and_junit_validates(
    svc: LocalParticipantService, tmp_path: Path
) -> None:
    results = run_test_cases(load_test_cases([CASES]), service=svc, concurrency=4)
    flows = svc.flows
    assert flows is not None
    documents = [d for d in flow_documents(flows) if d["Name"] in SUITE_FLOWS]
    report = coverage_report(documents, [r.trace for r in results])
    listed = {(f["Flow"], a["Identifier"]) for f in report["Flows"] for a in f["Actions"]}
    every = {(d["Name"], a["Identifier"]) for d in documents for a in d["Actions"]}
    assert listed == every
    survey = next(f for f in report["Flows"] if f["Flow"] == "Simple Survey Example")
    by_id = {a["Identifier"][:8]: a for a in survey["Actions"]}
    assert by_id["ce42704a"]["Runs"] >= 1  # the welcome message ran
    assert by_id["50c74b2e"]["Runs"] == 0  # "You forgot to set the disconnect flow": never
    transfer = {b["Branch"]: b["Taken"] for b in by_id["d7227083"]["Branches"]}
    assert transfer["Error QueueAtCapacity"] >= 1
    assert transfer["Error NoMatchingError"] == 0
    table = coverage_table(report)
    assert "Error QueueAtCapacity" in table
    assert "branches taken:" in table
    totals = report["Totals"]
    assert 0 < totals["branches_taken"] < totals["branches"]

    results[0].observations[0].status = "failed"  # one failure, for the XML's sake
    xml = junit_xml(results)
    schema = xmlschema.XMLSchema(DATA / "junit.xsd")
    schema.validate(xml)
    assert '<failure message="observation' in xml


def test_fifty_cases_run_concurrently_on_one_emulator(svc: LocalParticipantService) -> None:
    cases = load_test_cases([CASES])
    fifty = [cases[i % len(cases)] for i in range(50)]
    results = run_test_cases(fifty, service=svc, concurrency=50, time_limit=60, idle_limit=8)
    failed = [r for r in results if not r.passed]
    assert not failed, text_report(failed)
    assert len({r.contact_id for r in results}) == 50


def test_a_seeded_run_with_socket_drops_throttling_and_latency_still_passes() -> None:
    """Every case of the suite under combined faults: each customer's WebSocket dropped twice
    (seeded), the emulator's rate quotas on plus three throttled sends, 40 ms on each customer
    call (one case asks for 150 ms and two throttled sends of its own)."""
    with LocalParticipantService(flows=suite_flows(), throttling=True) as faulty:
        faulty.inject_fault("SendMessage", count=3, status=429, error_code="ThrottlingException")
        results = run_test_cases(
            load_test_cases([CASES]),
            service=faulty,
            concurrency=3,
            socket_drops=2,
            seed=20261206,
            latency=0.04,
            idle_limit=8,
        )
        left = [rule for rule in faulty.emulator.faults.rules if rule.contact_id is not None]
    failed = [r for r in results if not r.passed]
    assert not failed, text_report(failed)
    assert left == []  # the runs' own fault rules (one chat's each) went with them


class _Recording:
    """The service, with the fault rules the runner asks it for written down."""

    def __init__(self, service: LocalParticipantService) -> None:
        self._service = service
        self.injected: list[dict[str, Any]] = []

    def inject_fault(self, operation: str = "*", **rule: Any) -> dict[str, Any]:
        self.injected.append({"operation": operation, **rule})
        return self._service.inject_fault(operation, **rule)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._service, name)


def test_a_case_s_faults_are_its_chat_s_alone(svc: LocalParticipantService) -> None:
    recording = _Recording(svc)
    result = run_test_case(case_json("sbs-lex-under-faults"), service=recording)
    assert result.passed, result.report()
    assert sorted((r["operation"], r.get("action", "error")) for r in recording.injected) == [
        ("*", "delay"),  # Metadata.EmulatorFaults.LatencyMs
        ("SendMessage", "error"),  # EmulatorFaults.ThrottledSends
    ]
    assert {r["contact_id"] for r in recording.injected} == {result.contact_id}
    assert next(r for r in recording.injected if r["operation"] == "*")["delay_seconds"] == 0.15
    assert svc.emulator.faults.rules == []
    with pytest.raises(TestCaseError, match="latency"):
        run_test_case(case_json("sbs-lex-under-faults"), service=svc, latency=-1)


def test_cli_test_flow_report_junit_and_coverage(tmp_path: Path) -> None:
    from connect_participant_cli import main

    junit, coverage = tmp_path / "junit.xml", tmp_path / "coverage.json"
    cases = [str(CASES / f"{n}.test.json") for n in ("survey-welcome-and-queue", "survey-queue-at-capacity")]
    code = main(
        [
            "test-flow",
            "--flows",
            str(DATA / "flows"),
            *cases,
            "--junit",
            str(junit),
            "--coverage-report",
            str(coverage),
            "--latency",
            "20",
        ]
    )
    assert code == 0
    xmlschema.XMLSchema(DATA / "junit.xsd").validate(str(junit))
    report = json.loads(coverage.read_text())
    assert any(f["Flow"] == "Simple Survey Example" for f in report["Flows"])

    broken = tmp_path / "broken.test.json"
    doc = case_json("survey-initialization-text")
    failing(doc, "welcome", 0, Operand="Bob")
    broken.write_text(json.dumps(doc))
    assert main(["test-flow", "--flows", str(DATA / "flows"), str(broken)]) == 1
    voice = tmp_path / "voice.test.json"
    doc["EntryPoint"]["Type"] = "VOICE_CALL"
    voice.write_text(json.dumps(doc))
    assert main(["test-flow", "--flows", str(DATA / "flows"), str(voice)]) == 2


def test_the_library_does_not_import_the_emulator() -> None:
    code = "import sys, connect_participant.testing; print(any(m.startswith('connect_participant_emulator') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_emulator_faults_are_checked() -> None:
    content = minimal(obs("start", "TestInitiated"))
    case = parse_test_case({"Content": content, "EmulatorFaults": {"SocketDrops": 2, "Seed": 7}})
    assert dict(case.faults) == {"SocketDrops": 2, "Seed": 7}
    with pytest.raises(TestCaseError, match="not a fault the emulator injects"):
        parse_test_case({"Content": content, "EmulatorFaults": {"Latency": 2}})
    with pytest.raises(TestCaseError, match="whole number"):
        parse_test_case({"Content": content, "EmulatorFaults": {"SocketDrops": -1}})
    with pytest.raises(TestCaseError, match="at most 10000"):
        parse_test_case({"Content": content, "EmulatorFaults": {"LatencyMs": 10_001}})
    in_metadata = {**content, "Metadata": {"EmulatorFaults": {"LatencyMs": 200, "Seed": 1}}}
    assert dict(parse_test_case(in_metadata).faults) == {"LatencyMs": 200, "Seed": 1}
    both = parse_test_case({"Content": in_metadata, "EmulatorFaults": {"Seed": 7}})
    assert dict(both.faults) == {"LatencyMs": 200, "Seed": 7}  # the file's own win
    with pytest.raises(TestCaseError, match=r"Metadata\.EmulatorFaults\.Latency"):
        parse_test_case({**content, "Metadata": {"EmulatorFaults": {"Latency": 2}}})
