"""The test-case runner's decisions that need no running chat (``_testcase_runner``; found by
``make mutate --module _testcase_runner``): how files become test cases and their names, the
contact data Asserts see, which plug-in a SubstituteArn stands for, the parameters an action
ran with, the flows as coverage lists them, the run's settings, and the errors that stop a run
before or as it starts. The emulator is created, never started: these paths end before a chat
(the loopback tests in ``test_testcases.py`` run the rest)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from connect_participant._testcase import EndRun, Override, SendText, TestCaseError, parse_test_case
from connect_participant._testcase_runner import (
    _contact_data,
    _parameters,
    _Runner,
    _set_path,
    _substitute_rule,
    flow_documents,
    load_test_cases,
    run_test_case,
    run_test_cases,
)
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._flows._interpreter import FlowStep
from connect_participant_emulator._flows._library import HoursRule, LambdaRule, LexRule, QueueRule
from connect_participant_emulator._flows._plugins import FlowClock
from connect_participant_emulator.flows import ContactFlows, ScriptedBot

from tests._flow_builder import action, disconnect, flow

CASE = {
    "Version": "2025-06-21",
    "Observations": [{"Identifier": "start", "Event": {"Type": "TestInitiated"}}],
}


def _case(**fields: Any) -> Any:
    return parse_test_case({"Content": CASE, **fields})


# --- files ---------------------------------------------------------------------------------------


def test_files_and_folders_become_named_test_cases(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    (folder / "deeper").mkdir(parents=True)
    (folder / "b.test.json").write_text(json.dumps(CASE), encoding="utf-8")
    (folder / "deeper" / "a.test.json").write_text(
        json.dumps({"Name": "Named", "Content": CASE}), encoding="utf-8"
    )
    (folder / "ignored.json").write_text("not a test case", encoding="utf-8")
    single = tmp_path / "one.json"
    single.write_text(json.dumps(CASE), encoding="utf-8")
    found = load_test_cases([folder, str(single)])
    assert [(source, case.name) for source, case in found] == [
        (str(folder / "b.test.json"), "b"),
        (str(folder / "deeper" / "a.test.json"), "Named"),
        (str(single), "one"),
    ]
    plain = tmp_path / "plain.test"
    plain.write_text(json.dumps(CASE), encoding="utf-8")
    assert load_test_cases([plain])[0][1].name == "plain"
    unicode = tmp_path / "é.test.json"
    unicode.write_text(json.dumps({"Name": "ünïcode", "Content": CASE}), encoding="utf-8")
    assert load_test_cases([unicode])[0][1].name == "ünïcode"


def test_a_bad_file_is_named_in_the_refusal(tmp_path: Path) -> None:
    bad = tmp_path / "bad.test.json"
    bad.write_text(json.dumps({**CASE, "Version": "1"}), encoding="utf-8")
    with pytest.raises(TestCaseError) as caught:
        load_test_cases([bad])
    assert caught.value.argument == f"{bad}: Version"
    assert str(caught.value) == f"{bad}: Version: must be '2025-06-21' (the Testing language), not '1'"
    assert caught.value.__suppress_context__


# --- the contact's data --------------------------------------------------------------------------


def test_a_path_is_set_creating_what_is_missing() -> None:
    data: dict[str, Any] = {"Attributes": {"a": "1"}, "Queue": "not an object"}
    _set_path(data, "$.Attributes.b", "2")
    _set_path(data, "$.Queue.Name", "Sales")
    _set_path(data, "$.Lex.Session.Intent", "Buy")
    _set_path(data, "Top", 1)
    assert data == {
        "Attributes": {"a": "1", "b": "2"},
        "Queue": {"Name": "Sales"},
        "Lex": {"Session": {"Intent": "Buy"}},
        "Top": 1,
    }


def _step(identifier: str = "a", type_: str = "Wait", **fields: Any) -> FlowStep:
    return FlowStep("Main", "main-id", identifier, type_, "NextAction", None, **fields)


def test_the_contact_data_is_the_attributes_then_what_the_steps_read_and_set() -> None:
    steps = [
        _step(read={"$.External.x": "read"}, set={"$.Attributes.tier": "gold"}),
        _step(read={"$.Attributes.tier": "read wins not"}, set={"$.Attributes.tier": "silver"}),
    ]
    data = _contact_data("c1", steps, {"tier": "none", "name": "Ann"})
    assert data == {
        "Channel": "CHAT",
        "ContactId": "c1",
        "InitialContactId": "c1",
        "Attributes": {"tier": "silver", "name": "Ann"},
        "External": {"x": "read"},
    }
    given = {"k": "v"}
    assert _contact_data("c2", [], given)["Attributes"] is not given


# --- overrides -----------------------------------------------------------------------------------


def test_a_substitute_described_in_the_file() -> None:
    case = _case(
        EmulatorResources={
            "ok": {"Output": {"balance": "5"}},
            "fails": {"Error": "boom", "Output": {"x": 1}},
            "empty": {},
            "closed": {"Open": False},
            "full": {"AtCapacity": True},
            "bot": {
                "Intents": [{"Name": "Buy", "Utterances": ["buy"], "Reply": "Sure"}, {"Name": "Bare"}],
                "Fallback": "Eh?",
            },
        }
    )
    flows = ContactFlows()
    ok = _substitute_rule("lambda", "ok", case, flows)
    assert isinstance(ok, LambdaRule)
    assert ok.pattern == "ok"
    assert ok.function({}) == {"balance": "5"}
    fails = _substitute_rule("lambda", "fails", case, flows)
    assert fails.pattern == "fails"
    with pytest.raises(RuntimeError, match=r"^boom$"):
        fails.function({})
    assert _substitute_rule("lambda", "empty", case, flows).function({}) == {}
    assert _substitute_rule("hours", "closed", case, flows) == HoursRule("closed", False)
    assert _substitute_rule("hours", "empty", case, flows) == HoursRule("empty", True)
    assert _substitute_rule("queue", "full", case, flows) == QueueRule("full", None, True)
    assert _substitute_rule("queue", "empty", case, flows) == QueueRule("empty", None, False)
    bot = _substitute_rule("lex", "bot", case, flows)
    assert isinstance(bot, LexRule)
    assert bot.pattern == "bot"
    assert isinstance(bot.bot, ScriptedBot)
    buy, bare = bot.bot.intents
    assert (buy.name, buy.utterances, buy.reply) == ("Buy", ("buy",), "Sure")
    assert (bare.name, bare.utterances, bare.reply) == ("Bare", (), None)
    assert bot.bot.fallback == "Eh?"
    assert _substitute_rule("lex", "empty", case, flows).bot.intents == ()


def test_a_substitute_registered_on_the_flows_else_none() -> None:
    flows = ContactFlows()
    flows.lambda_function("balance", lambda event: {})
    flows.lex_bot("Menu*", ScriptedBot())
    flows.queue("Sales", at_capacity=True)
    flows.hours("Weekdays", open=False)
    case = _case(EmulatorResources={"not-a-description": "x"})
    assert (
        _substitute_rule("lambda", "arn:aws:lambda:us-east-1:1:function:balance", case, flows)
        is flows.lambdas[0]
    )
    assert _substitute_rule("lex", "MenuBot", case, flows) is flows.bots[0]
    assert _substitute_rule("queue", "Sales", case, flows) is flows.queues[0]
    assert _substitute_rule("hours", "Weekdays", case, flows) is flows.hours_rules[0]
    for kind in ("lambda", "lex", "queue", "hours"):
        assert _substitute_rule(kind, "not-a-description", case, flows) is None


# --- the parameters an action ran with -----------------------------------------------------------


def _flows() -> ContactFlows:
    flows = ContactFlows()
    flows.add(
        flow(
            "Main",
            action(
                "a",
                "InvokeLambdaFunction",
                {"LambdaFunctionARN": "$.Attributes.fn", "Nested": {"X": "$.Attributes.x"}},
                "c",
                errors={"NoMatchingError": "end"},
            ),
            action(
                "c",
                "Compare",
                {"ComparisonValue": "$.Attributes.x"},
                conditions=[("Equals", "1", "end"), ("Equals", "2", "end")],
                errors={"NoMatchingCondition": "end"},
            ),
            disconnect(),
        ),
        flow_id="main-id",
    )
    return flows


def test_an_actions_parameters_as_the_flow_read_them() -> None:
    flows = _flows()
    step = _step("a", "InvokeLambdaFunction", read={"$.Attributes.fn": "balance", "$.Attributes.x": None})
    assert _parameters(flows, step) == {"LambdaFunctionARN": "balance", "Nested": {"X": "$.Attributes.x"}}
    by_name = FlowStep(
        "Main", "unknown-id", "a", "InvokeLambdaFunction", "NextAction", None, read={"$.Attributes.x": "7"}
    )
    assert _parameters(flows, by_name) == {"LambdaFunctionARN": "$.Attributes.fn", "Nested": {"X": "7"}}
    assert _parameters(flows, _step("nowhere")) == {}
    assert _parameters(flows, FlowStep("Other", "other-id", "a", "Wait", "End", None)) == {}


def test_the_flows_as_coverage_lists_them() -> None:
    documents = flow_documents(_flows())
    assert documents == [
        {
            "Name": "Main",
            "Id": "main-id",
            "Type": "CONTACT_FLOW",
            "Actions": [
                {
                    "Identifier": "a",
                    "Type": "InvokeLambdaFunction",
                    "Transitions": {
                        "NextAction": "c",
                        "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "end"}],
                    },
                },
                {
                    "Identifier": "c",
                    "Type": "Compare",
                    "Transitions": {
                        "Errors": [{"ErrorType": "NoMatchingCondition", "NextAction": "end"}],
                        "Conditions": [
                            {"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": ["1"]}},
                            {"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": ["2"]}},
                        ],
                    },
                },
                {"Identifier": "end", "Type": "DisconnectParticipant", "Transitions": {}},
            ],
        }
    ]


# --- the run's settings and early ends ------------------------------------------------------------


def _service(flows: ContactFlows | None = None) -> LocalParticipantService:
    return LocalParticipantService(flows=flows)  # not started: these runs end before a chat


def test_the_runs_settings() -> None:
    case = _case(
        EntryPoint={"ChatEntryPointParameters": {"FlowId": "from-case"}},
        InitializationData={"a": "case", "b": "case"},
        EmulatorFaults={"Seed": 7, "SocketDrops": 1, "ThrottledSends": 2, "LatencyMs": 1500},
    )
    runner = _Runner(case, _service(), "given", {"b": "given", "c": "given"}, (9.0, 2.0, 60.0), 3, 11, 0.5)
    assert runner.flow_id == "from-case"
    assert runner.attributes == {"a": "case", "b": "given", "c": "given"}
    assert (runner.time_limit, runner.idle_limit, runner.clock_limit) == (9.0, 2.0, 60.0)
    assert (runner.drops, runner.throttled_sends, runner.latency) == (3, 2, 1.5)  # the more of each
    assert runner.rng.random() == random.Random(7).random()  # the case's seed wins
    assert runner.result.name == "test case"
    assert [o.identifier for o in runner.result.observations] == ["start"]
    plain = _Runner(
        _case(EmulatorFaults={"SocketDrops": 4}), _service(), "given", None, (1.0, 1.0, 1.0), 0, 11, 0.25
    )
    assert plain.flow_id == "given"
    assert plain.attributes == {}
    assert (plain.drops, plain.throttled_sends, plain.latency) == (4, 0, 0.25)
    assert plain.rng.random() == random.Random(11).random()
    bare = _Runner(_case(), _service(), "given", None, (1.0, 1.0, 1.0), 0, None, 0.0)
    assert (bare.drops, bare.throttled_sends, bare.latency) == (0, 0, 0.0)  # no faults unless asked


def test_a_run_without_a_flow_or_with_one_not_loaded_is_an_error() -> None:
    assert run_test_case(CASE, service=_service()).error == (
        "no flow: give EntryPoint.ChatEntryPointParameters.FlowId or flow_id"
    )
    missing = run_test_case(json.dumps(CASE), service=_service(ContactFlows()), flow_id="Nope")
    assert missing.error == "flow 'Nope' is not loaded in the emulator"
    assert not missing.passed
    assert (
        run_test_case(CASE, service=_service(None), flow_id="Main").error
        == "flow 'Main' is not loaded in the emulator"
    )


def test_cases_run_in_the_order_given_with_their_sources() -> None:
    case = _case()
    results = run_test_cases([("a.json", case), case, ("c.json", case)], service=_service(), concurrency=0)
    assert [r.source for r in results] == ["a.json", "", "c.json"]
    assert all(r.error is not None and r.error.startswith("no flow") for r in results)
    # the options reach each run
    (given,) = run_test_cases([case], service=_service(ContactFlows()), flow_id="Nope")
    assert given.error == "flow 'Nope' is not loaded in the emulator"


def _runner(**fields: Any) -> _Runner:
    flows = ContactFlows(clock=FlowClock(source=lambda: 1000.0))
    return _Runner(_case(**fields), _service(flows), "Main", None, (30.0, 4.0, 300.0), 0, None, 0.0)


#: a case that is complete once the test ends: what stops a run early still completes it
COMPLETING = {
    "Version": "2025-06-21",
    "Observations": [{"Identifier": "done", "Event": {"Type": "TestCompleted"}}],
}


class _RefusedSend:
    """Stands in for a connected session whose sends the service refuses."""

    def send_message(self, text: str) -> None:
        from connect_participant import ThrottlingError

        raise ThrottlingError("Rate exceeded", code="ThrottlingException", status_code=429, request_id="r-1")


@pytest.mark.parametrize(
    ("session", "command", "error", "reason"),
    [
        (
            None,
            Override("queue", "Sales", "Nobody"),
            "no substitute known",
            "an override could not be applied",
        ),
        (None, SendText("hi"), "SendInstruction before", "an instruction came too early"),
        (
            _RefusedSend(),
            SendText("hi"),
            "the customer's message could not be sent: ",
            "an instruction could not be carried out",
        ),
    ],
)
def test_what_stops_a_run_early_completes_it_at_the_chat_s_flow_time(
    session: Any, command: Any, error: str, reason: str
) -> None:
    runner = _runner(Content=COMPLETING)
    runner.session = session
    runner.run_.start(runner._now())
    assert not runner._perform([command, EndRun("never")])
    assert runner.result.error is not None
    assert runner.result.error.startswith(error)
    assert (runner.run_.end_reason, runner.result.end_reason) == (reason, "")
    (done,) = runner.result.observations
    assert (done.status, done.at) == ("passed", 1000.0)


def test_a_refused_send_ends_the_run_with_the_service_s_error() -> None:
    runner = _runner()
    runner.session = _RefusedSend()
    assert not runner._perform([SendText("hi")])
    assert runner.result.error == (
        "the customer's message could not be sent: ThrottlingException: Rate exceeded (HTTP 429, request id r-1)"
    )


def test_an_override_nothing_stands_for_stops_the_run() -> None:
    runner = _runner()
    assert runner._now() == 1000.0
    assert not runner._perform([Override("queue", "Sales", "Nobody"), SendText("never")])
    assert runner.result.error == (
        "no substitute known for SubstituteArn 'Nobody' (queue): describe it in the file's "
        "EmulatorResources or register a plug-in for it"
    )
    assert (runner.run_.done, runner.run_.end_reason) == (True, "an override could not be applied")


def test_an_override_is_registered_for_this_contact() -> None:
    runner = _runner(EmulatorResources={"Full": {"AtCapacity": True}})
    runner.contact_id = "c1"
    assert runner._perform([Override("queue", "Sales", "Full"), EndRun("every observation was made")])
    flows = runner.service.flows
    from connect_participant_emulator._flows._interpreter import Ref

    assert flows.take_override("c1", "queue", Ref("Sales")) == QueueRule("Full", None, True)
    assert runner.result.error is None
    assert runner.result.end_reason == "every observation was made"


def test_an_instruction_before_the_chat_is_connected_stops_the_run() -> None:
    runner = _runner()
    assert not runner._perform([SendText("hello")])
    assert runner.result.error == "SendInstruction before the chat is connected (in TestInitiated)"
    assert (runner.run_.done, runner.run_.end_reason) == (True, "an instruction came too early")


def test_an_idle_chat_s_clock_moves_to_its_next_timer_until_the_clock_limit_is_spent() -> None:
    runner = _runner()
    runner.clock_limit = 100.0
    runner.contact_id = "c-1"
    moves = [30.0, 0.0, 0.5, 69.0, 0.5]
    asked: list[tuple[str, float]] = []

    def advance(contact_id: str, *, at_most: float) -> float:
        asked.append((contact_id, at_most))
        return moves.pop(0)

    runner.advance_chat_clock = advance
    # True when the clock moved (by any amount), False when the chat had no timer to move to
    assert [runner._skip_to_timer() for _ in range(5)] == [True, False, True, True, True]
    # each move may take at most what is left of the limit: the skips add up
    assert asked == [("c-1", 100.0), ("c-1", 70.0), ("c-1", 70.0), ("c-1", 69.5), ("c-1", 0.5)]
    assert (runner.skew, runner.result.clock_skipped) == (100.0, 100.0)
    # the limit spent: the chat's clock is not asked to move again
    assert runner._skip_to_timer() is False
    assert len(asked) == 5


def test_a_service_that_refuses_to_move_the_clock_is_not_asked_again() -> None:
    runner = _runner()
    asked: list[float] = []

    def refuse(contact_id: str, *, at_most: float) -> float:
        asked.append(at_most)
        raise RuntimeError("no such endpoint")

    runner.advance_chat_clock = refuse
    assert runner._skip_to_timer() is False
    assert runner._skip_to_timer() is False  # real time from now on
    assert (asked, runner.advance_chat_clock, runner.skew) == ([300.0], None, 0.0)


class _FaultRecorder:
    """Stands in for the emulator's ``inject_fault``: records each rule, answers its id."""

    def __init__(self) -> None:
        self.rules: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def inject_fault(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.rules.append((args, kwargs))
        return {"id": len(self.rules) + 40}


def test_a_case_s_faults_are_injected_for_its_chat_only_and_kept_for_removal() -> None:
    runner = _runner()
    recorder = _FaultRecorder()
    runner.service = recorder
    runner.contact_id = "c-1"
    runner.throttled_sends, runner.latency = 2, 0.5
    runner._inject_faults()
    assert recorder.rules == [
        (
            ("SendMessage",),
            {"count": 2, "status": 429, "error_code": "ThrottlingException", "contact_id": "c-1"},
        ),
        (("*",), {"count": None, "action": "delay", "delay_seconds": 0.5, "contact_id": "c-1"}),
    ]
    assert runner.fault_ids == ["41", "42"]  # removed when the run ends
    # no throttled sends and no latency: nothing injected
    quiet = _runner()
    quiet.service = recorder = _FaultRecorder()
    quiet.throttled_sends, quiet.latency = 0, 0.0
    quiet._inject_faults()
    assert (recorder.rules, quiet.fault_ids) == ([], [])


class _RecordedRunner:
    """Stands in for ``_Runner``: records what ``run_test_case`` starts it with."""

    made: list[tuple[Any, ...]] = []

    def __init__(self, *args: Any) -> None:
        _RecordedRunner.made.append(args)

    def run(self) -> str:
        return "the result"


class _OwnService:
    """Stands in for the emulator ``run_test_case`` starts when given none."""

    started: list[Any] = []

    def __init__(self, *, flows: Any) -> None:
        _OwnService.started.append(flows)

    def __enter__(self) -> _OwnService:
        return self

    def __exit__(self, *exc: object) -> None:
        _OwnService.started.append("stopped")


def test_run_test_case_starts_its_own_emulator_on_the_flows_when_given_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import connect_participant._testcase_runner as runner_module
    import connect_participant_emulator

    monkeypatch.setattr(runner_module, "_Runner", _RecordedRunner)
    monkeypatch.setattr(connect_participant_emulator, "LocalParticipantService", _OwnService)
    _RecordedRunner.made, _OwnService.started = [], []
    case = _case()
    options: dict[str, Any] = {
        "flow_id": "Main",
        "attributes": {"a": "1"},
        "time_limit": 7.0,
        "idle_limit": 2.0,
        "socket_drops": 3,
        "seed": 9,
        "latency": 0.5,
        "clock_limit": 60.0,
    }
    assert runner_module.run_test_case(case, flows="the flows", **options) == "the result"
    (made,) = _RecordedRunner.made
    assert made[0] is case
    assert isinstance(made[1], _OwnService)  # every option goes on to the run on that emulator
    assert made[2:] == ("Main", {"a": "1"}, (7.0, 2.0, 60.0), 3, 9, 0.5)
    assert _OwnService.started == ["the flows", "stopped"]  # and it is stopped after the run
    # the defaults: 30 s in all, 4 s idle, Connect's 5 minutes of flow time to skip, no faults
    _RecordedRunner.made = []
    runner_module.run_test_case(case, service="given")
    assert _RecordedRunner.made == [(case, "given", None, None, (30.0, 4.0, 300.0), 0, None, 0.0)]


@pytest.mark.parametrize("latency", [-0.001, 10.001, True])
def test_run_test_case_takes_a_latency_from_0_to_10_seconds(
    latency: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connect_participant._testcase_runner as runner_module

    monkeypatch.setattr(runner_module, "_Runner", _RecordedRunner)
    _RecordedRunner.made = []
    with pytest.raises(TestCaseError) as refused:
        runner_module.run_test_case(_case(), service="given", latency=latency)
    assert (refused.value.argument, refused.value.rule) == ("latency", "must be from 0 to 10 seconds")
    assert _RecordedRunner.made == []
    runner_module.run_test_case(_case(), service="given", latency=10.0)  # the bound itself is allowed
    assert _RecordedRunner.made[0][-1] == 10.0


class _RefusingService:
    """Has the case's flow but refuses to start the chat: records how it was asked."""

    def __init__(self, flows: ContactFlows) -> None:
        self.flows = flows
        self.asked: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def start_chat(self, *args: Any, **kwargs: Any) -> Any:
        self.asked.append((args, kwargs))
        raise RuntimeError("the flow has problems")


@pytest.mark.parametrize(("attributes", "sent"), [({"tier": "gold"}, {"tier": "gold"}), ({}, None)])
def test_the_chat_starts_as_customer_on_the_case_s_flow_with_its_attributes_or_says_why_not(
    attributes: dict[str, str], sent: dict[str, str] | None
) -> None:
    service = _RefusingService(_flows())
    runner = _Runner(_case(), service, "Main", attributes, (30.0, 4.0, 300.0), 0, None, 0.0)
    runner.attributes = attributes  # the case's InitializationData merged with the run's
    result = runner.run()
    assert service.asked == [(("Customer",), {"contact_flow": "Main", "attributes": sent})]
    assert result.error == "the chat could not start: the flow has problems"
