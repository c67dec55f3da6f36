"""The flow engine (``_flows._engine``), rule by rule: its pure helpers (what ``flows=`` accepts, the
Lambda ``context``, how many arguments a handler takes, a plug-in's answer as the flow's input),
its timers on the flow clock (due ones run in order, cancelled ones never, a failing one does not
stop the others, cancelled ones do not pile up), and the control endpoint's edges (found by
``make mutate --module emulator._flows._engine``)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from connect_participant import ChatEnded, Message, ParticipantClient, ParticipantJoined
from connect_participant.testing import Conversation
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._config import EmulatorConfig
from connect_participant_emulator._flows._engine import (
    START_GRACE,
    FlowEngine,
    _as_input,
    _ContactFlows,
    _LambdaContext,
    _positional_count,
    _Timer,
    coerce_flows,
)
from connect_participant_emulator._flows._interpreter import CallFailed, CallResult, Disconnect
from connect_participant_emulator._flows._library import HoursRule, LambdaRule, LexRule, QueueRule
from connect_participant_emulator._model import State
from connect_participant_emulator.flows import Agent, ContactFlows, FlowClock, Intent, Ref, ScriptedBot

from tests._flow_builder import action, disconnect, flow, say
from tests.test_flows_emulator import customer


class Source:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- flows= ------------------------------------------------------------------------------------


def test_flows_are_a_library_a_path_or_a_list_of_paths(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "one.json").write_text(json.dumps(flow("One", disconnect())))
    (tmp_path / "b" / "two.json").write_text(json.dumps(flow("Two", disconnect())))
    library = ContactFlows()
    assert coerce_flows(library) is library
    assert [f.name for f in coerce_flows(str(tmp_path / "a")).flows] == ["One"]
    assert [f.name for f in coerce_flows(tmp_path / "b").flows] == ["Two"]
    assert [f.name for f in coerce_flows([tmp_path / "a", str(tmp_path / "b")]).flows] == ["One", "Two"]
    assert [f.name for f in coerce_flows((tmp_path / "b",)).flows] == ["Two"]
    with pytest.raises(TypeError, match=r"^flows must be a ContactFlows, a path or a list of paths$"):
        coerce_flows({"Actions": []})


# --- the Lambda context ------------------------------------------------------------------------------


def test_the_lambda_context_names_the_function_and_counts_down_on_the_flow_clock() -> None:
    source = Source(100.0)
    arn = "arn:aws:lambda:us-east-1:1:function:balance:live"
    context = _LambdaContext(Ref(arn), 3.0, source)
    assert context.function_name == "balance"
    assert context.invoked_function_arn == arn
    assert context.memory_limit_in_mb == 128
    assert uuid.UUID(context.aws_request_id).version == 4
    assert context.aws_request_id != _LambdaContext(Ref(arn), 3.0, source).aws_request_id
    assert context.get_remaining_time_in_millis() == 3000
    source.now = 101.2505
    assert context.get_remaining_time_in_millis() == 1749  # whole milliseconds, rounded down
    source.now = 103.0
    assert context.get_remaining_time_in_millis() == 0
    source.now = 104.0
    assert context.get_remaining_time_in_millis() == 0  # never negative
    assert _LambdaContext(Ref("plain-name"), 1.0, source).function_name == "plain-name"


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:lambda:us-east-1:1:function:function:live", "function"),  # a function named "function"
        ("arn:aws:lambda:us-east-1:1:function:function", "function"),
        ("arn:aws:lambda:us-east-1:1:function:fn:function", "fn"),  # an alias named "function"
        ("fn:live", "fn"),
    ],
)
def test_the_lambda_context_s_function_name_is_what_follows_function_in_the_arn(arn: str, name: str) -> None:
    assert _LambdaContext(Ref(arn), 1.0, Source(0.0)).function_name == name


# --- handlers' arguments -------------------------------------------------------------------------------


def _one(event: Any) -> None: ...
def _two(event: Any, context: Any) -> None: ...
def _star(*args: Any) -> None: ...
def _keyword(event: Any, *, context: Any = None) -> None: ...
def _positional_only(event: Any, context: Any, /) -> None: ...
def _default(event: Any, context: Any = None) -> None: ...


@pytest.mark.parametrize(
    ("function", "count"),
    [
        (_one, 1),
        (_two, 2),
        (_star, 2),
        (_keyword, 1),
        (_positional_only, 2),
        (_default, 2),
        (functools.partial(_two, 1), 1),
        (print, 2),  # (*args, ...)
        (type, 1),  # no signature: one argument
    ],
)
def test_a_handler_gets_the_context_when_it_takes_two_positional_arguments(function: Any, count: int) -> None:
    assert _positional_count(function) == count


# --- plug-ins' answers -------------------------------------------------------------------------------


def test_an_answer_is_the_call_s_result_and_a_failure_its_reason_as_text() -> None:
    assert _as_input(7, (True, {"a": 1})) == CallResult(7, {"a": 1})
    assert _as_input(7, (False, ValueError("boom"))) == CallFailed(7, "boom")


def test_timers_order_by_time_then_by_when_they_were_set() -> None:
    def nothing() -> None: ...

    assert _Timer(1.0, 5, nothing) < _Timer(2.0, 0, nothing)
    assert _Timer(1.0, 0, nothing) < _Timer(1.0, 1, nothing)
    assert not _Timer(1.0, 1, nothing) < _Timer(1.0, 1, nothing)
    assert not _Timer(2.0, 0, nothing) < _Timer(1.0, 9, nothing)


def test_the_start_grace_is_five_seconds() -> None:
    assert START_GRACE == 5.0


# --- timers on the flow clock ---------------------------------------------------------------------------


def _engine(source: Source) -> FlowEngine:
    return FlowEngine(State(EmulatorConfig()), None, ContactFlows(clock=FlowClock(source=source)))  # type: ignore[arg-type]


_CONTACT = _ContactFlows(None, None)  # type: ignore[arg-type]  # a contact on the emulator's own time


def _at(engine: FlowEngine, when: float, callback: Any, cf: Any = _CONTACT) -> Any:
    return engine._after(when, callback, cf)


async def test_due_timers_run_in_order_when_the_clock_is_advanced_and_cancelled_ones_never() -> None:
    source = Source(1000.0)
    engine = _engine(source)
    ran: list[str] = []
    _at(engine, 1010.0, lambda: ran.append("b"))
    _at(engine, 1005.0, lambda: ran.append("a"))
    _at(engine, 1010.0, lambda: ran.append("c"))  # same time: in the order set
    _at(engine, 1010.0, lambda: ran.append("cancelled")).cancelled = True
    _at(engine, 1020.0, lambda: ran.append("later"))
    assert engine.now() == 1000.0
    assert engine.advance(4.5) == 1004.5
    assert ran == []
    engine.advance(0.5)  # exactly due
    assert ran == ["a"]
    engine.advance(5)
    assert ran == ["a", "b", "c"]
    engine.advance(5)
    assert ran == ["a", "b", "c"]
    engine.advance(5)
    assert ran == ["a", "b", "c", "later"]
    engine.advance(100)
    assert ran == ["a", "b", "c", "later"]  # each runs once


async def test_a_failing_timer_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    engine = _engine(Source(0.0))
    ran: list[str] = []

    def boom() -> None:
        raise RuntimeError("boom")

    _at(engine, 1.0, boom)
    _at(engine, 1.0, lambda: ran.append("after"))
    with caplog.at_level(logging.ERROR, logger="connect_participant_emulator.flows"):
        engine.advance(1)
    assert ran == ["after"]
    assert [r.getMessage() for r in caplog.records] == ["a flow timer failed"]


async def test_timers_fire_on_the_loop_when_their_time_comes() -> None:
    source = Source(0.0)
    engine = _engine(source)
    fired = asyncio.Event()
    _at(engine, -5.0, fired.set)  # overdue: at once
    await asyncio.wait_for(fired.wait(), 5)
    soon = asyncio.Event()
    source.now = 1000.0
    _at(engine, 995.0, soon.set)  # overdue: the loop runs it on its next turn, not later
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert soon.is_set()
    later = asyncio.Event()
    _at(engine, 1000.05, later.set)
    source.now = 1001.0  # the clock moved past it before the loop's timer: fires when that wakes
    await asyncio.wait_for(later.wait(), 5)


async def test_cancelled_timers_do_not_pile_up_and_live_ones_are_never_dropped() -> None:
    engine = _engine(Source(0.0))
    kept = [_at(engine, 10.0 + i, lambda: None) for i in range(10)]
    for i in range(300):
        _at(engine, 1000.0 + i, lambda: None).cancelled = True
    assert len(engine._timers) <= 257  # dropped once more than 256 were pending
    assert all(t in engine._timers for t in kept)
    assert engine._compact_at == 256
    live = _engine(Source(0.0))
    for i in range(257):
        _at(live, 5000.0 + i, lambda: None)
    assert len(live._timers) == 257
    assert live._compact_at == 514  # nothing to drop: the next look is when twice as many wait
    for i in range(257):
        _at(live, 9000.0 + i, lambda: None)
    assert len(live._timers) == 514


async def test_an_advance_runs_what_is_due_once_even_with_the_loop_s_timer_armed() -> None:
    source = Source(0.0)
    engine = _engine(source)
    ran: list[int] = []
    _at(engine, 30.0, lambda: ran.append(1))
    _at(engine, 60.0, lambda: ran.append(2))
    engine.advance(30)
    assert ran == [1]
    await asyncio.sleep(0.01)
    assert ran == [1]
    engine.advance(30)
    assert ran == [1, 2]


# --- the control endpoint ---------------------------------------------------------------------------------


@pytest.fixture  # one per test: the routes' handlers are made while the emulator starts, so each test
# that calls them must start one to be counted by ``make mutate`` as covering them
def service() -> Any:
    with LocalParticipantService(flows=ContactFlows(flow("Bye", disconnect()))) as svc:
        yield svc


@pytest.mark.parametrize(
    "body",
    [
        {"Seconds": -1},
        {"Seconds": 10**8 + 1},
        {"Seconds": True},
        {"Seconds": "5"},
        {},
        [5],
        {"Seconds": None},
    ],
)
def test_advancing_the_clock_takes_a_number_of_seconds_from_0_to_10_to_the_8(service: Any, body: Any) -> None:
    answer = httpx.post(service.endpoint_url + "/_emulator/clock/advance", json=body)
    assert answer.status_code == 400
    assert answer.json()["message"] == "Seconds must be a number from 0 to 100000000"
    assert answer.headers["x-amzn-ErrorType"] == "ValidationException"


def test_advancing_the_clock_answers_the_new_time(service: Any) -> None:
    url = service.endpoint_url + "/_emulator/clock/advance"
    before = httpx.post(url, json={"Seconds": 0}).json()["Now"]
    after = httpx.post(url, json={"Seconds": 10**8}).json()["Now"]
    assert 10**8 <= after - before < 10**8 + 60
    small = httpx.post(url, json={"Seconds": 0.5}).json()["Now"]
    assert after + 0.5 <= small < after + 60


def test_advancing_the_clock_needs_a_json_body(service: Any) -> None:
    answer = httpx.post(service.endpoint_url + "/_emulator/clock/advance", content=b"soon")
    assert answer.status_code == 400
    assert answer.json()["message"] == "the body must be JSON"
    assert answer.headers["x-amzn-ErrorType"] == "ValidationException"


def test_an_emulator_without_flows_says_so_on_both_endpoints(
    participant_service: LocalParticipantService,
) -> None:
    url = participant_service.endpoint_url
    for answer in (
        httpx.post(url + "/_emulator/clock/advance", json={"Seconds": 1}),
        httpx.get(url + "/_emulator/contacts/x/flow-trace"),
    ):
        assert answer.status_code == 400
        assert answer.json()["message"] == "no flows are loaded (start the emulator with flows)"
        assert answer.headers["x-amzn-ErrorType"] == "ValidationException"


def test_the_trace_of_an_unknown_contact_is_not_found_and_of_a_chat_without_flow_empty(service: Any) -> None:
    unknown = httpx.get(service.endpoint_url + "/_emulator/contacts/nope/flow-trace")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No such contact."
    assert unknown.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    chat = service.start_chat("Ann")
    answer = httpx.get(service.endpoint_url + f"/_emulator/contacts/{chat.contact_id}/flow-trace")
    assert answer.json() == {"ContactId": chat.contact_id, "Steps": []}


# --- through the emulator: what the engine does for a chat -------------------------------------------

QUEUE = "arn:aws:connect:us-east-1:111122223333:instance/inst/queue/q-support"
LAMBDA = "arn:aws:lambda:us-east-1:111122223333:function:lookup"
BOT = "arn:aws:lex:us-east-1:111122223333:bot-alias/BOTID/ALIASID"


@pytest.fixture(scope="module")
def chats() -> Any:
    """One emulator for these tests; each adds its flows (unique names) and its own plug-ins."""
    library = ContactFlows()
    with LocalParticipantService(flows=library) as svc:
        yield svc


def _run(svc: Any, document: dict[str, Any], *expected: str) -> tuple[Any, dict[str, Any]]:
    """Start a chat on ``document`` (added to the emulator's flows), expect ``expected`` messages,
    then leave; answers the chat and its trace by action."""
    svc.flows.add(document)
    with customer(svc, document["Metadata"]["name"]) as (chat, _session, convo):
        for text in expected:
            convo.expect(Message, text)
    return chat, {s.identifier: s for s in svc.flow_trace(chat)}


def _call(name: str, kind: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """``kind`` (a Lambda, Lex or hours action), then "ok", "open", "closed" or "failed", then a long
    Wait: the customer leaves (a chat that ends within moments of its start is a known SDK race)."""
    conditions = None
    if kind == "CheckHoursOfOperation":
        conditions = [("Equals", "True", "open"), ("Equals", "False", "closed")]
    return flow(
        name,
        action("call", kind, parameters, "ok", errors={"NoMatchingError": "failed", "NoMatchingCondition": "ok"},
               conditions=conditions),
        say("ok", "ok", "end"),
        say("open", "open", "end"),
        say("closed", "closed", "end"),
        say("failed", "failed", "end"),
        action("end", "Wait", {"TimeoutSeconds": "3600"}, conditions=[("Equals", "WaitCompleted", "bye")]),
        disconnect("bye"),
    )  # fmt: skip


def _start(svc: Any, contact_flow: str) -> httpx.Response:
    body = {
        "InstanceId": svc.instance_id,
        "ContactFlowId": contact_flow,
        "ParticipantDetails": {"DisplayName": "Ann"},
    }
    return httpx.put(svc.endpoint_url + "/contact/chat", json=body)


def test_a_flow_module_or_a_flow_with_problems_is_no_flow_to_start_a_chat_on(chats: Any) -> None:
    chats.flows.add(
        flow("A module", action("done", "EndFlowModuleExecution")), flow_type="MODULE", flow_id="m-9"
    )
    chats.flows.add(flow("Problem", action("x", "NoSuchAction"), disconnect()), flow_id="p-9")
    before = set(chats.emulator.state.contacts)
    module = _start(chats, "m-9")
    assert module.status_code == 400
    assert module.json()["message"] == "ContactFlowId m-9: 'A module' is a flow module, not a flow"
    assert module.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    problem = _start(chats, "p-9")
    assert problem.status_code == 400
    assert problem.json()["message"].startswith(
        "ContactFlowId p-9: flow 'Problem', action 'x' (Type NoSuchAction): "
    )
    assert problem.headers["x-amzn-ErrorType"] == "InvalidParameterException"
    assert set(chats.emulator.state.contacts) == before  # no chat started
    assert _start(chats, "not a loaded flow").status_code == 200  # a chat as without flows


def test_a_lambda_nobody_registered_takes_the_error_branch(chats: Any) -> None:
    chats.flows.clear_plugins()
    _, steps = _run(
        chats, _call("No lambda", "InvokeLambdaFunction", {"LambdaFunctionARN": LAMBDA}), "failed"
    )
    assert steps["call"].note == f"no Lambda function registered for {LAMBDA!r}"


def test_an_asynchronous_lambda_nobody_registered_is_not_waited_for(chats: Any) -> None:
    chats.flows.clear_plugins()
    document = _call(
        "Async lambda",
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": LAMBDA, "InvocationType": "ASYNCHRONOUS"},
    )
    _run(chats, document, "ok")


def test_an_asynchronous_lambda_is_called_and_not_waited_for(chats: Any) -> None:
    chats.flows.clear_plugins()
    called = threading.Event()
    chats.flows.lambda_function("lookup", lambda event: called.set())
    document = _call(
        "Async called",
        "InvokeLambdaFunction",
        {"LambdaFunctionARN": LAMBDA, "InvocationType": "ASYNCHRONOUS"},
    )
    _run(chats, document, "ok")
    assert called.wait(5)


def test_a_two_argument_handler_gets_the_context_with_the_flow_s_time_limit(chats: Any) -> None:
    chats.flows.clear_plugins()
    seen: list[Any] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
        seen.append((event["Name"], context.function_name, context.get_remaining_time_in_millis()))
        return {}

    chats.flows.lambda_function("lookup", handler)
    parameters = {"LambdaFunctionARN": LAMBDA, "InvocationTimeLimitSeconds": "4"}
    _run(chats, _call("Context", "InvokeLambdaFunction", parameters), "ok")
    ((name, function, remaining),) = seen
    assert (name, function) == ("ContactFlowEvent", "lookup")
    assert 3000 < remaining <= 4000


def test_a_rule_s_timeout_wins_over_the_flow_s(chats: Any) -> None:
    chats.flows.clear_plugins()
    seen: list[int] = []
    chats.flows.lambda_function(
        "lookup", lambda e, c: seen.append(c.get_remaining_time_in_millis()) or {}, timeout=20
    )
    _run(chats, _call("Rule timeout", "InvokeLambdaFunction", {"LambdaFunctionARN": LAMBDA}), "ok")
    assert 8000 < seen[0] <= 20000


def test_async_handlers_and_handlers_answering_awaitables_are_awaited(chats: Any) -> None:
    async def coroutine_function(event: dict[str, Any]) -> dict[str, str]:
        await asyncio.sleep(0)
        return {}

    async def later() -> Any:
        raise LookupError("from the awaitable")

    for name, handler, expected in (
        ("Async handler", coroutine_function, "ok"),
        ("Awaitable answer", lambda event: later(), "failed"),
    ):
        chats.flows.clear_plugins()
        chats.flows.lambda_function("lookup", handler)
        _, steps = _run(chats, _call(name, "InvokeLambdaFunction", {"LambdaFunctionARN": LAMBDA}), expected)
    assert steps["call"].note == f"Lambda {LAMBDA!r} raised LookupError: from the awaitable"


def test_a_lex_bot_nobody_registered_takes_the_error_branch(chats: Any) -> None:
    chats.flows.clear_plugins()
    parameters = {"Text": "Hi?", "LexV2Bot": {"AliasArn": BOT}}
    chats.flows.add(_call("No bot", "ConnectParticipantWithLexBot", parameters))
    with customer(chats, "No bot") as (chat, session, convo):
        convo.expect(Message, "Hi?")
        session.send_message("hello")
        convo.expect(Message, "failed")
    steps = {s.identifier: s for s in chats.flow_trace(chat)}
    assert steps["call"].note == f"no Lex bot registered for {BOT!r}"


@pytest.mark.parametrize("kind", ["function", "coroutine function"])
def test_a_lex_bot_may_be_a_function_of_the_request(chats: Any, kind: str) -> None:
    requests: list[dict[str, Any]] = []
    answer = ScriptedBot(Intent("Yes", [r"yes"]))

    def bot(request: dict[str, Any]) -> dict[str, Any]:
        requests.append(request)
        return answer.recognize_text(request)

    async def async_bot(request: dict[str, Any]) -> dict[str, Any]:
        return bot(request)

    chats.flows.clear_plugins()
    chats.flows.lex_bot("*", bot if kind == "function" else async_bot)
    name = f"Bot {kind}"
    chats.flows.add(
        _call(name, "ConnectParticipantWithLexBot", {"Text": "Hi?", "LexV2Bot": {"AliasArn": BOT}})
    )
    with customer(chats, name) as (_chat, session, convo):
        convo.expect(Message, "Hi?")
        session.send_message("yes")
        convo.expect(Message, "ok")
    assert [r["text"] for r in requests] == ["yes"]


def test_hours_nobody_registered_are_open_and_hours_whose_function_raises_take_the_error_branch(
    chats: Any,
) -> None:
    hours = {"HoursOfOperationId": "arn:aws:connect:us-east-1:1:instance/i/operating-hours/h-1"}
    chats.flows.clear_plugins()
    _run(chats, _call("Hours open", "CheckHoursOfOperation", hours), "open")

    def broken(moment: Any) -> bool:
        raise RuntimeError("no calendar")

    chats.flows.hours("h-1", open=broken)
    _, steps = _run(chats, _call("Hours raising", "CheckHoursOfOperation", hours), "failed")
    assert steps["call"].note == "the hours function raised RuntimeError: no calendar"
    chats.flows.clear_plugins()
    chats.flows.hours("h-1", open=True)
    _run(chats, _call("Hours true", "CheckHoursOfOperation", hours), "open")
    chats.flows.clear_plugins()
    chats.flows.hours("h-1", open=lambda moment: 0)  # any value, as true or false
    _run(chats, _call("Hours falsy", "CheckHoursOfOperation", hours), "closed")


def test_hours_see_the_flow_clock_s_time_in_utc(chats: Any) -> None:
    seen: list[Any] = []
    chats.flows.clear_plugins()
    chats.flows.hours("h-2", open=lambda moment: seen.append(moment) or True)
    before = chats.flows.clock.now()
    hours = {"HoursOfOperationId": "arn:aws:connect:us-east-1:1:instance/i/operating-hours/h-2"}
    _run(chats, _call("Hours clock", "CheckHoursOfOperation", hours), "open")
    assert seen[0].tzinfo is UTC
    assert before <= seen[0].timestamp() <= chats.flows.clock.now()


def test_a_custom_bot_leaving_during_a_wait_takes_its_branch(chats: Any) -> None:
    document = flow(
        "Bot leaves",
        say("hi", "waiting", "w"),
        action("w", "Wait", {"TimeoutSeconds": "600", "Events": ["BotParticipantDisconnected"]},
               conditions=[("Equals", "WaitCompleted", "end"), ("Equals", "BotParticipantDisconnected", "gone")]),
        say("gone", "the bot left", "end"),
        disconnect("end"),
    )  # fmt: skip
    chats.flows.add(document)
    with customer(chats, "Bot leaves") as (chat, _session, convo):
        convo.expect(Message, "waiting")
        bot = chats.add_participant(chat, "Helper")
        with ParticipantClient(endpoint_url=chats.endpoint_url) as client:
            client.connect(bot.participant_token).disconnect()
        convo.expect(Message, "the bot left")
        convo.expect(ChatEnded)


def _queued(name: str) -> dict[str, Any]:
    """Queues the contact on q-support (saying "queued" first)."""
    return flow(
        name,
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE}, "queued"),
        say("queued", "queued", "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )


def _agents(svc: Any, chat: Any) -> list[tuple[str, bool]]:
    """(name, still in the chat) of the chat's agents, after the emulator's loop has caught up."""
    svc.flow_trace(chat)  # a round trip: what the loop had scheduled has run
    contact = svc.emulator.state.contacts[chat.contact_id]
    return [(p.display_name, p.active) for p in contact.participants.values() if p.role == "AGENT"]


def test_a_sync_on_join_gets_the_agent_s_session_and_its_failure_is_only_logged(
    chats: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sessions: list[Any] = []
    called = threading.Event()

    def on_join(session: Any) -> None:
        sessions.append(session)
        called.set()
        raise RuntimeError("callback broke")

    chats.flows.clear_plugins()
    agent = Agent("Sam", script=["Hi, Sam here.", "Bye."], leaves=False, on_join=on_join)
    chats.flows.queue("q-support", agent)
    chats.flows.add(_queued("Sync agent"))
    with caplog.at_level(logging.ERROR, logger="connect_participant_emulator.flows"):
        with customer(chats, "Sync agent") as (chat, session, convo):
            convo.expect(Message, "Hi, Sam here.", role="AGENT")
            assert called.wait(5)
            session.send_message("thanks")
            convo.expect(Message, "Bye.", role="AGENT")
            session.send_message("still there?")  # no line left: nothing said, and Sam stays
            assert _agents(chats, chat) == [("Sam", True)]
            said = [
                e.content for e in convo.history if isinstance(e, Message) and e.participant_role == "AGENT"
            ]
            assert said == ["Hi, Sam here.", "Bye."]
    ((s),) = sessions
    assert (s.contact_id, s.display_name, s.queue, s.endpoint_url) == (
        chat.contact_id,
        "Sam",
        "q-support",
        chats.endpoint_url,
    )
    assert s.participant_token
    assert "an agent's on_join callback failed" in [r.getMessage() for r in caplog.records]


@contextlib.contextmanager
def _waiting_for(svc: Any, name: str, agent: Agent) -> Iterator[tuple[Any, Any]]:
    """A chat on a flow that queues the contact where ``agent`` takes it; (chat, conversation)
    once the contact is queued."""
    svc.flows.clear_plugins()
    svc.flows.queue("q-support", agent)
    svc.flows.add(_queued(name))
    with customer(svc, name) as (chat, _session, convo):
        convo.expect(Message, "queued")
        yield chat, convo


def test_an_agent_due_after_the_customer_left_never_joins(chats: Any) -> None:
    with _waiting_for(chats, "Late agent", Agent("Late", delay=30)) as (chat, _convo):
        pass
    chats.advance_clock(30)
    assert _agents(chats, chat) == []


def test_an_agent_who_takes_the_contact_first_cancels_the_queue_s_agent(chats: Any) -> None:
    with _waiting_for(chats, "Taken", Agent("Planned", delay=30)) as (chat, _convo):
        chats.add_participant(chat, "Max", role="AGENT")
        chats.advance_clock(30)
        assert _agents(chats, chat) == [("Max", True)]


def test_the_queue_s_agent_joins_after_its_delay_on_the_flow_clock(chats: Any) -> None:
    with _waiting_for(chats, "Timely", Agent("Timely", delay=30)) as (chat, _convo):
        chats.advance_clock(29)
        assert _agents(chats, chat) == []
        chats.advance_clock(1)
        assert _agents(chats, chat) == [("Timely", True)]


def test_an_error_of_the_engine_s_own_is_a_step_of_its_own_in_the_trace_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    perform = FlowEngine._perform

    def broken(self: FlowEngine, cf: Any, run: Any, command: Any) -> None:
        if isinstance(command, Disconnect):  # the chat is well under way by then
            raise RuntimeError("provoked")
        perform(self, cf, run, command)

    monkeypatch.setattr(FlowEngine, "_perform", broken)
    document = flow("Broken engine", say("hi", "hello", "end"), disconnect())
    library = ContactFlows(document, clock=FlowClock(start=1_000_000.0, source=Source(0.0)))
    with caplog.at_level(logging.ERROR, logger="connect_participant_emulator.flows"):
        with LocalParticipantService(flows=library) as svc:
            with customer(svc, "Broken engine") as (chat, _session, convo):
                convo.expect(Message, "hello")
                convo.expect(ChatEnded)
            steps = svc.flow_trace(chat)
    loaded = library.get("Broken engine")
    assert loaded is not None
    assert steps[-1].to_json() == {
        "Flow": "Broken engine",
        "FlowId": loaded.flow_id,
        "Identifier": "(emulator)",
        "Type": "EmulatorError",
        "Branch": "Stopped",
        "NextAction": None,
        "Read": {},
        "Set": {},
        "Result": None,
        "Note": "the emulator failed: RuntimeError: provoked",
        "At": 1_000_000.0,
    }
    assert "the flow engine failed on 'Broken engine'" in [r.getMessage() for r in caplog.records]


def _show_view(name: str, version: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {"Id": "arn:aws:connect:us-east-1:1:instance/i/view/form-1"}
    if version is not None:
        resource["Version"] = version
    return flow(
        name,
        action("view", "ShowView", {"ViewResource": resource, "ViewData": {"k": "v"}},
               conditions=[("Equals", "Submit", "end")], errors={"NoMatchingCondition": "end", "NoMatchingError": "end"}),
        action("end", "Wait", {"TimeoutSeconds": "3600"}, conditions=[("Equals", "WaitCompleted", "bye")]),
        disconnect("bye"),
    )  # fmt: skip


@pytest.mark.parametrize("version", ["3", None])
def test_a_view_nobody_registered_is_an_empty_view_named_by_its_id(chats: Any, version: str | None) -> None:
    from connect_participant import ViewResource

    chats.flows.clear_plugins()
    name = f"Empty view {version}"
    chats.flows.add(_show_view(name, version))
    with customer(chats, name) as (_chat, session, convo):
        shown = convo.expect_interactive(ViewResource)
        assert shown.view_data == {"k": "v"}
        assert [(e.participant_role, e.display_name) for e in convo.history if isinstance(e, Message)] == [
            ("SYSTEM", "SYSTEM_MESSAGE")
        ]
        view = session.describe_view(shown.view_token or "")
    assert (view.id, view.name, view.template, view.actions) == ("form-1", "form-1", {}, ())
    assert view.raw["Content"] == {"Template": "{}", "Actions": []}
    assert view.raw["Version"] == (version or 1)  # the flow's, as written


def test_a_registered_view_keeps_its_own_version(chats: Any) -> None:
    from connect_participant import ViewResource

    chats.flows.clear_plugins()
    chats.flows.view(
        "form-1", {"Name": "Form", "Version": 7, "Content": {"Template": {"a": 1}, "Actions": ["Submit"]}}
    )
    chats.flows.add(_show_view("Own version", "3"))
    with customer(chats, "Own version") as (_chat, session, convo):
        shown = convo.expect_interactive(ViewResource)
        view = session.describe_view(shown.view_token or "")
    assert (view.id, view.name, view.version, view.template, view.actions) == (
        "form-1",
        "Form",
        7,
        {"a": 1},
        ("Submit",),
    )


def test_a_run_waiting_when_the_chat_ends_stops_and_a_running_async_handler_is_cancelled(chats: Any) -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def forever(event: dict[str, Any]) -> dict[str, str]:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return {}

    chats.flows.clear_plugins()
    chats.flows.lambda_function("lookup", forever, timeout=3600)
    document = flow(
        "Ends while waiting",
        say("hi", "hello", "call"),
        action(
            "call",
            "InvokeLambdaFunction",
            {"LambdaFunctionARN": LAMBDA},
            "end",
            errors={"NoMatchingError": "end"},
        ),
        disconnect("end"),
    )
    chats.flows.add(document)
    with customer(chats, "Ends while waiting") as (chat, _session, convo):
        convo.expect(Message, "hello")
        assert started.wait(5)
    assert cancelled.wait(5)  # the chat ended: the handler's task is cancelled
    last = chats.flow_trace(chat)[-1]
    assert (last.identifier, last.branch, last.note) == ("call", "Stopped", "the chat ended")


def test_the_disconnect_flow_runs_when_the_last_agent_leaves_not_before(chats: Any) -> None:
    sessions: list[Any] = []
    joined = threading.Event()

    def on_join(session: Any) -> None:  # run in a thread of its own
        sessions.append(session)
        joined.set()

    chats.flows.clear_plugins()
    chats.flows.queue("q-support", Agent("Sam", on_join=on_join))  # says nothing, stays
    goodbye = flow("Goodbye two", say("bye", "Goodbye from the flow.", "end"), disconnect("end"))
    inbound = _queued("Two agents")
    inbound["Actions"].insert(
        0,
        action(
            "hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerRemaining": "Goodbye two"}}, "queue"
        ),
    )
    inbound["StartAction"] = "hooks"
    chats.flows.add(goodbye)
    chats.flows.add(inbound)
    with customer(chats, "Two agents") as (chat, _session, convo):
        convo.expect(Message, "queued")
        convo.expect(ParticipantJoined, role="AGENT")
        max_ = chats.add_participant(chat, "Max", role="AGENT")
        with ParticipantClient(endpoint_url=chats.endpoint_url) as client:
            client.connect(max_.participant_token).disconnect()
            assert _agents(chats, chat) == [("Sam", True), ("Max", False)]
            assert [s.flow for s in chats.flow_trace(chat)].count("Goodbye two") == 0  # Sam is still there
            assert joined.wait(5)
            (sam,) = sessions
            client.connect(sam.participant_token).disconnect()
        convo.expect(Message, "Goodbye from the flow.")
        convo.expect(ChatEnded)


def test_an_in_chat_sign_in_is_asked_by_the_system_and_its_outcome_is_the_flow_s_branch(chats: Any) -> None:
    from connect_participant import AuthenticationInitiated

    document = flow(
        "Sign in",
        action("auth", "AuthenticateParticipant", {}, "ok", errors={"NoMatchingError": "failed"}),
        say("ok", "ok", "end"),
        say("failed", "failed", "end"),
        action("end", "Wait", {"TimeoutSeconds": "3600"}, conditions=[("Equals", "WaitCompleted", "bye")]),
        disconnect("bye"),
    )
    chats.flows.add(document)
    with customer(chats, "Sign in") as (chat, session, convo):
        asked = convo.expect(AuthenticationInitiated)
        assert (asked.participant_role, asked.display_name) == ("SYSTEM", "SYSTEM_MESSAGE")
        session.cancel_authentication(asked.session_id or "")
        convo.expect(Message, "failed")
    steps = {s.identifier: s for s in chats.flow_trace(chat)}
    assert (steps["auth"].branch, steps["auth"].note) == ("Error NoMatchingError", "authentication cancelled")


def _overridden(svc: Any, document: dict[str, Any], kind: str, resource: str, rule: Any, *said: str) -> Any:
    """A chat on ``document`` whose contact has ``rule`` as a single-use override of ``resource``
    (set before the flow starts, as a test case does); the customer then sees ``said``."""
    svc.flows.add(document)
    chat = svc.start_chat("Ann", contact_flow=document["Metadata"]["name"])
    svc.flows.override(chat.contact_id, kind, resource, rule)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(chat.participant_token) as session,
        Conversation(session, timeout=10) as convo,
    ):
        for text in said:
            if text.startswith(">"):
                session.send_message(text[1:])
            else:
                convo.expect(Message, text)
    return chat


def _twice(name: str, kind: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """``kind`` twice in a row, each saying where it went ("ok 1", "failed 2" …)."""
    conditions = None
    if kind == "CheckHoursOfOperation":
        conditions = [("Equals", "True", "ok{n}"), ("Equals", "False", "failed{n}")]
    actions = []
    for n, after in ((1, "call2"), (2, "end")):
        actions += [
            action(f"call{n}", kind, parameters, f"ok{n}",
                   errors={"NoMatchingError": f"failed{n}", "NoMatchingCondition": f"ok{n}"},
                   conditions=[(o, v, t.format(n=n)) for o, v, t in conditions] if conditions else None),
            say(f"ok{n}", f"ok {n}", after),
            say(f"failed{n}", f"failed {n}", after),
        ]  # fmt: skip
    actions.append(
        action("end", "Wait", {"TimeoutSeconds": "3600"}, conditions=[("Equals", "WaitCompleted", "bye")])
    )
    return flow(name, *actions, disconnect("bye"))


def test_an_override_of_the_contact_answers_once_then_the_registered_plug_in_does(chats: Any) -> None:
    def broken(event: Any) -> Any:
        raise LookupError("registered")

    def boom(request: Any) -> Any:
        raise LookupError("registered")

    chats.flows.clear_plugins()
    chats.flows.lambda_function("lookup", broken)
    chats.flows.lex_bot("*", boom)
    chats.flows.hours("h-1", open=True)
    lam = _twice("Override lambda", "InvokeLambdaFunction", {"LambdaFunctionARN": LAMBDA})
    _overridden(chats, lam, "lambda", "lookup", LambdaRule("lookup", lambda event: {}), "ok 1", "failed 2")
    lex = _twice(
        "Override lex", "ConnectParticipantWithLexBot", {"Text": "Hi?", "LexV2Bot": {"AliasArn": BOT}}
    )
    bot = LexRule(BOT, ScriptedBot(Intent("Yes", [r"yes"])))
    _overridden(chats, lex, "lex", BOT, bot, "Hi?", ">yes", "ok 1", "Hi?", ">yes", "failed 2")
    hours = _twice(
        "Override hours", "CheckHoursOfOperation", {"HoursOfOperationId": f"{QUEUE[:-10]}operating-hours/h-1"}
    )
    _overridden(chats, hours, "hours", "h-1", HoursRule("h-1", False), "failed 1", "ok 2")


def test_a_queue_override_of_the_contact_makes_the_queue_at_capacity_once(chats: Any) -> None:
    chats.flows.clear_plugins()
    document = flow(
        "Override queue",
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE}, "transfer"),
        action(
            "transfer",
            "TransferContactToQueue",
            {},
            errors={"QueueAtCapacity": "full", "NoMatchingError": "end"},
        ),
        say("full", "full", "again"),
        action(
            "again",
            "TransferContactToQueue",
            {},
            errors={"QueueAtCapacity": "full2", "NoMatchingError": "end"},
        ),
        say("full2", "full again", "end"),
        disconnect("end"),
    )
    chat = _overridden(
        chats, document, "queue", "q-support", QueueRule("q-support", at_capacity=True), "full"
    )
    steps = {s.identifier: s for s in chats.flow_trace(chat)}
    assert (steps["transfer"].branch, steps["again"].result) == ("Error QueueAtCapacity", "Queued")


async def test_a_contact_whose_clock_is_ahead_has_its_timers_due_that_much_earlier() -> None:
    engine = _engine(Source(0.0))
    ahead = _ContactFlows(None, None, skew=100.0)  # type: ignore[arg-type]
    ran: list[str] = []
    _at(engine, 130.0, lambda: ran.append("ahead"), ahead)  # its 130 s is the emulator's 30 s
    _at(engine, 130.0, lambda: ran.append("own"))
    engine.advance(30)
    assert ran == ["ahead"]
    engine.advance(100)
    assert ran == ["ahead", "own"]


def _contacts(engine: FlowEngine, **flows: Any) -> None:
    """Contacts by id whose flow side is ``flows[id]`` (None: a chat without flows)."""
    for contact_id, cf in flows.items():
        engine.state.contacts[contact_id] = SimpleNamespace(extras={} if cf is None else {"flows": cf})  # type: ignore[assignment]


async def test_advancing_one_contact_moves_its_clock_and_timers_only() -> None:
    engine = _engine(Source(1000.0))
    mine, other = _ContactFlows(None, None), _ContactFlows(None, None)  # type: ignore[arg-type]
    _contacts(engine, mine=mine, other=other, plain=None)
    ran: list[str] = []
    _at(engine, 1030.0, lambda: ran.append("mine"), mine)
    _at(engine, 1030.0, lambda: ran.append("other"), other)
    assert engine.advance_contact("nope", 5) is None
    assert engine.advance_contact("plain", 5) == (0.0, 1000.0)  # no flows: nothing moves
    assert engine.advance_contact("mine", 20) == (20, 1020.0)
    assert ran == []
    assert engine.advance_contact("mine", 10) == (10, 1030.0)  # the moves add up
    assert ran == ["mine"]
    assert engine.now() == 1000.0  # the emulator's own clock did not move
    engine.advance(30)
    assert ran == ["mine", "other"]


async def test_advancing_a_contact_to_its_next_timer_skips_cancelled_ones_and_others() -> None:
    engine = _engine(Source(1000.0))
    mine, other = _ContactFlows(None, None), _ContactFlows(None, None)  # type: ignore[arg-type]
    _contacts(engine, mine=mine, other=other)
    ran: list[str] = []
    _at(engine, 1010.0, lambda: ran.append("cancelled"), mine).cancelled = True
    _at(engine, 1020.0, lambda: ran.append("other"), other)
    _at(engine, 1060.0, lambda: ran.append("mine"), mine)
    assert engine.advance_contact("mine", None, at_most=59.9) == (0.0, 1000.0)  # too far
    assert engine.advance_contact("mine", None, at_most=60) == (60.0, 1060.0)  # at most: included
    assert ran == ["mine"]
    assert engine.advance_contact("mine") == (0.0, 1060.0)  # no timer left
    assert engine.advance_contact("other") == (20.0, 1020.0)  # no limit
    assert ran == ["mine", "other"]


async def test_a_contact_is_not_advanced_past_an_answering_plug_in_an_end_or_an_overdue_timer() -> None:
    engine = _engine(Source(1000.0))
    busy, ended, late = (_ContactFlows(None, None) for _ in range(3))  # type: ignore[arg-type]
    ended.ended = True
    _contacts(engine, busy=busy, ended=ended, late=late)
    for cf in (busy, ended):
        _at(engine, 1060.0, lambda: None, cf)
    answering = asyncio.get_running_loop().create_future()
    busy.tasks.add(answering)
    assert engine.advance_contact("busy") == (0.0, 1000.0)
    answering.set_result(None)
    assert engine.advance_contact("busy") == (60.0, 1060.0)  # answered: on to its timer
    assert engine.advance_contact("ended") == (0.0, 1000.0)
    _at(engine, 990.0, lambda: None, late)
    assert engine.advance_contact("late") == (0.0, 1000.0)  # already due: nothing to skip


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"Seconds": -1}, "Seconds must be a number from 0 to 100000000"),
        ({"Seconds": 10**8 + 1}, "Seconds must be a number from 0 to 100000000"),
        ({"Seconds": True}, "Seconds must be a number from 0 to 100000000"),
        ({"AtMost": "5"}, "AtMost must be a number from 0 to 100000000"),
        ({"AtMost": -0.5}, "AtMost must be a number from 0 to 100000000"),
        ([1], "the body must be a JSON object"),
    ],
)
def test_advancing_one_contact_s_clock_takes_seconds_and_at_most_from_0_to_10_to_the_8(
    service: Any, body: Any, message: str
) -> None:
    chat = service.start_chat("Ann")
    answer = httpx.post(
        service.endpoint_url + f"/_emulator/contacts/{chat.contact_id}/clock/advance", json=body
    )
    assert answer.status_code == 400
    assert answer.json()["message"] == message
    assert answer.headers["x-amzn-ErrorType"] == "ValidationException"


def test_advancing_one_contact_s_clock_answers_what_moved(service: Any) -> None:
    url = service.endpoint_url + "/_emulator/contacts/{}/clock/advance"
    unknown = httpx.post(url.format("nope"), json={"Seconds": 1})
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No such contact."
    assert unknown.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    chat = service.start_chat("Ann")  # no flow: its clock is the emulator's
    clock = service.endpoint_url + "/_emulator/clock/advance"
    before = httpx.post(clock, json={"Seconds": 0}).json()["Now"]
    for body in ({"Seconds": 10**8, "AtMost": 0}, {}, None):
        answer = (
            httpx.post(url.format(chat.contact_id), json=body)
            if body is not None
            else httpx.post(url.format(chat.contact_id))
        )
        assert answer.status_code == 200
        assert answer.json()["ContactId"] == chat.contact_id
        assert answer.json()["Advanced"] == 0.0
        assert before <= answer.json()["Now"] <= httpx.post(clock, json={"Seconds": 0}).json()["Now"]
    bad = httpx.post(url.format(chat.contact_id), content=b"soon")
    assert (bad.status_code, bad.json()["message"]) == (400, "the body must be JSON")
    assert bad.headers["x-amzn-ErrorType"] == "ValidationException"


# --- agents, hooks, hours and bots, on the engine itself (a real State, the flow clock a Source) ----


class _Chat:
    """Ann's chat on the flow named ``name`` of ``documents`` (``modules``: flow modules), driven
    on a FlowEngine of its own: no server, the flow clock a ``Source``; ``connect()`` is the
    customer's first subscription (the inbound flow starts)."""

    def __init__(
        self, name: str, *documents: dict[str, Any], modules: tuple[dict[str, Any], ...] = ()
    ) -> None:
        from connect_participant_emulator._features import Features

        self.source = Source(1000.0)
        self.library = ContactFlows(*documents, clock=FlowClock(source=self.source))
        for module in modules:
            self.library.add(module, flow_type="MODULE")
        self.state = State(EmulatorConfig())
        self.engine = FlowEngine(self.state, Features(self.state), self.library)
        self.contact = self.state.new_contact("inst", name, 60)
        self.customer = self.state.add_participant(self.contact, "CUSTOMER", "Ann")
        found = self.library.get(name)
        assert found is not None
        self.engine.start(self.contact, found, self.customer)
        self.cf: _ContactFlows = self.contact.extras["flows"]

    async def connect(self) -> None:
        self.engine._customer_connected(self.cf)
        await self.settle()

    @staticmethod
    async def settle() -> None:
        """What the engine scheduled on the loop has run."""
        for _ in range(10):
            await asyncio.sleep(0)

    def said(self, role: str | None = None) -> list[tuple[str, str, str | None]]:
        """(role, content type, text) of the chat's messages (``role``'s only, when given)."""
        items = [e.item for e in self.contact.entries if e.item["Type"] == "MESSAGE"]
        return [
            (i["ParticipantRole"], i.get("ContentType"), i.get("Content"))
            for i in items
            if role is None or i["ParticipantRole"] == role
        ]

    def agents(self) -> list[tuple[str, bool]]:
        return [(p.display_name, p.active) for p in self.contact.participants.values() if p.role == "AGENT"]

    def steps(self) -> list[tuple[str, str, str | None, str]]:
        """(flow, action, branch, note) of the trace."""
        return [(s.flow, s.identifier, s.branch, s.note) for s in self.cf.trace]


def _queue_then(name: str, *hooks: tuple[str, str]) -> dict[str, Any]:
    """Sets the event ``hooks`` (kind, flow), then queues the contact on q-support."""
    actions = []
    if hooks:
        actions.append(action("hooks", "UpdateContactEventHooks", {"EventHooks": dict(hooks)}, "queue"))
    actions += [
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE}, "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    ]
    return flow(name, *actions)


def _waits(name: str, text: str, seconds: int = 3600) -> dict[str, Any]:
    """Says ``text``, then waits (an hour)."""
    return flow(
        name,
        say("say", text, "wait"),
        action(
            "wait", "Wait", {"TimeoutSeconds": str(seconds)}, conditions=[("Equals", "WaitCompleted", "end")]
        ),
        disconnect("end"),
    )


_GREETER = flow(
    "Greeter",
    say("g", "the module says $.Modules.Input.who", "done"),
    action("done", "EndFlowModuleExecution"),
    Settings={"InputParameters": []},
)


def _invokes_greeter(name: str, who: str) -> dict[str, Any]:
    return flow(
        name,
        action("m", "InvokeFlowModule", {"FlowModuleId": "Greeter", "Parameters": {"who": who}}, "wait",
               errors={"NoMatchingError": "wait"}),
        action("wait", "Wait", {"TimeoutSeconds": "3600"}, conditions=[("Equals", "WaitCompleted", "end")]),
        disconnect("end"),
    )  # fmt: skip


async def test_the_last_agent_leaving_ends_the_chat_when_no_disconnect_flow_is_set() -> None:
    chat = _Chat("Queued", _queue_then("Queued"))
    chat.library.queue("q-support", Agent("Sam", script=["Hi."], leaves=True))
    await chat.connect()
    chat.engine.advance(0)  # the agent's delay (0 s) is over
    await chat.settle()
    assert chat.said("AGENT") == [("AGENT", "text/plain", "Hi.")]  # agents speak plain text
    assert chat.agents() == [("Sam", False)]  # the script said: Sam left
    assert chat.contact.ended


async def test_the_whisper_and_disconnect_flows_run_with_their_roles_and_may_invoke_modules() -> None:
    chat = _Chat(
        "Hooked",
        _queue_then("Hooked", ("CustomerWhisper", "Whisper"), ("CustomerRemaining", "Remaining")),
        _invokes_greeter("Whisper", "hello"),
        _invokes_greeter("Remaining", "goodbye"),
        modules=(_GREETER,),
    )
    await chat.connect()
    max_ = chat.state.add_participant(chat.contact, "AGENT", "Max")
    await chat.settle()
    assert chat.said("SYSTEM")[-1][2] == "the module says hello"
    chat.state.disconnect(max_)  # the whisper flow still waits: the disconnect flow stops it
    await chat.settle()
    assert chat.said("SYSTEM")[-1][2] == "the module says goodbye"
    assert ("Whisper", "wait", "Stopped", "disconnect flow started") in chat.steps()
    assert not chat.contact.ended


async def test_a_hook_naming_a_flow_module_is_no_flow() -> None:
    chat = _Chat(
        "Module hooks",
        _queue_then(
            "Module hooks",
            ("CustomerQueue", "Greeter"),
            ("CustomerWhisper", "Greeter"),
            ("CustomerRemaining", "Greeter"),
        ),
        modules=(_GREETER,),
    )
    await chat.connect()
    assert "Greeter" not in [flow for flow, *_ in chat.steps()]  # no queue flow
    max_ = chat.state.add_participant(chat.contact, "AGENT", "Max")
    await chat.settle()
    assert "Greeter" not in [flow for flow, *_ in chat.steps()]  # no whisper
    chat.state.disconnect(max_)
    await chat.settle()
    assert "Greeter" not in [flow for flow, *_ in chat.steps()]
    assert chat.contact.ended  # as with no disconnect flow


async def test_an_agent_added_before_the_flow_started_stops_nothing_and_the_flow_still_runs() -> None:
    chat = _Chat("Early", _waits("Early", "welcome"))
    chat.state.add_participant(chat.contact, "AGENT", "Max")  # the customer has not subscribed yet
    await chat.connect()
    assert chat.said("SYSTEM") == [("SYSTEM", "text/plain", "welcome")]


async def test_a_contact_requeued_after_another_agent_took_it_gets_the_queue_s_agent() -> None:
    chat = _Chat(
        "Requeue",
        _queue_then("Requeue", ("CustomerRemaining", "Again")),
        _queue_then("Again"),
    )
    chat.library.queue("q-support", Agent("Planned", delay=30))
    await chat.connect()
    max_ = chat.state.add_participant(chat.contact, "AGENT", "Max")  # takes it first
    await chat.settle()
    chat.engine.advance(30)
    assert chat.agents() == [("Max", True)]
    chat.state.disconnect(max_)  # the disconnect flow queues the contact again
    await chat.settle()
    chat.engine.advance(29)
    assert chat.agents() == [("Max", False)]
    chat.engine.advance(1)
    assert chat.agents() == [("Max", False), ("Planned", True)]


async def test_a_line_due_after_the_agent_left_is_not_said() -> None:
    chat = _Chat("Talk", _queue_then("Talk", ("CustomerRemaining", "Stay")), _waits("Stay", "still here"))
    chat.library.queue("q-support", Agent("Sam", script=["Hi.", "More."], leaves=False))
    await chat.connect()
    chat.engine.advance(0)
    (sam,) = [p for p in chat.contact.participants.values() if p.role == "AGENT"]
    chat.state.disconnect(sam)
    chat.engine._agent_says(chat.cf)  # the customer's message came just before Sam left
    assert chat.said("AGENT") == [("AGENT", "text/plain", "Hi.")]


@pytest.mark.parametrize("kind", ["function", "coroutine function"])
async def test_an_agent_s_on_join_gets_its_session_and_the_contact_waits_for_it(kind: str) -> None:
    """An ``on_join`` still running is a plug-in answering: advancing the contact to its next
    timer waits for it."""
    sessions: list[Any] = []
    release = threading.Event()

    def on_join(session: Any) -> None:
        sessions.append(session)
        release.wait(10)

    async def async_on_join(session: Any) -> None:
        sessions.append(session)
        while not release.is_set():
            await asyncio.sleep(0.01)

    chat = _Chat("On join", _queue_then("On join"))
    chat.library.queue("q-support", Agent("Sam", on_join=on_join if kind == "function" else async_on_join))
    await chat.connect()
    chat.engine.advance(0)
    await chat.settle()
    (sam,) = [p for p in chat.contact.participants.values() if p.role == "AGENT"]
    (session,) = sessions
    assert (
        session.contact_id,
        session.participant_id,
        session.participant_token,
        session.queue,
        session.endpoint_url,
    ) == (chat.contact.contact_id, sam.participant_id, sam.token, "q-support", None)  # no server: no URL
    now = chat.engine.now()
    chat.engine._after(now + 60, lambda: None, chat.cf)  # the contact's next timer
    assert chat.engine.advance_contact(chat.contact.contact_id) == (0.0, now)  # on_join still runs
    release.set()
    await asyncio.wait_for(asyncio.gather(*chat.cf.tasks), 5)
    await chat.settle()
    assert not chat.cf.tasks  # answered calls are forgotten
    assert chat.engine.advance_contact(chat.contact.contact_id) == (60.0, now + 60)


def test_without_an_hours_id_the_queue_s_hours_answer() -> None:
    from connect_participant_emulator._flows._interpreter import CheckHours

    chat = _Chat("Hours", _waits("Hours", "hi"))
    chat.library.hours("q-support", open=False)
    assert chat.engine._hours(CheckHours(4, None, Ref(QUEUE)), chat.cf) == CallResult(4, False)
    assert chat.engine._hours(CheckHours(5, None, None), chat.cf) == CallResult(5, True)  # no hours: open


async def test_a_lex_bot_not_answering_within_30_s_takes_the_error_branch_saying_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(A bot's time limit, without waiting it out: ``wait_for`` times out at once.)"""
    limits: list[float] = []

    async def times_out(work: Any, timeout: float) -> Any:
        limits.append(timeout)
        if asyncio.iscoroutine(work):
            work.close()
        else:
            work.cancel()
        raise TimeoutError

    chat = _Chat(
        "Slow bot",
        _call("Slow bot", "ConnectParticipantWithLexBot", {"Text": "Hi?", "LexV2Bot": {"AliasArn": BOT}}),
    )
    chat.library.lex_bot("*", lambda request: {})
    await chat.connect()
    monkeypatch.setattr(asyncio, "wait_for", times_out)
    chat.state.add_item(chat.contact, "MESSAGE", "text/plain", chat.customer, content="yes")
    await chat.settle()
    await asyncio.gather(*chat.cf.tasks)
    monkeypatch.undo()
    await chat.settle()
    assert limits == [30.0]
    (call,) = [s for s in chat.cf.trace if s.identifier == "call"]
    assert (call.branch, call.note) == (
        "Error NoMatchingError",
        f"Lex bot {BOT!r} did not answer within 30 s",
    )


async def test_the_queue_flow_runs_while_the_contact_waits_ends_leaving_it_queued_and_may_invoke_modules() -> (
    None
):
    hold = flow(
        "Hold",
        action("m", "InvokeFlowModule", {"FlowModuleId": "Greeter", "Parameters": {"who": "please hold"}}, "end",
               errors={"NoMatchingError": "end"}),
        action("end", "EndFlowExecution"),
    )  # fmt: skip
    chat = _Chat("Held", _queue_then("Held", ("CustomerQueue", "Hold")), hold, modules=(_GREETER,))
    chat.library.queue("q-support", Agent("Sam", delay=30))
    await chat.connect()
    assert chat.said("SYSTEM")[-1][2] == "the module says please hold"
    assert not chat.contact.ended  # a queue flow ending leaves the contact in its queue
    chat.engine.advance(30)
    assert chat.agents() == [("Sam", True)]


async def test_a_queued_contact_keeps_no_timer_of_its_inbound_flow() -> None:
    """Its next timer is the agent's arrival, not the end of the Wait the flow left early."""
    document = flow(
        "Left early",
        action("w", "Wait", {"TimeoutSeconds": "10", "Events": ["BotParticipantDisconnected"]},
               conditions=[("Equals", "WaitCompleted", "end"), ("Equals", "BotParticipantDisconnected", "queue")]),
        action("queue", "UpdateContactTargetQueue", {"QueueId": QUEUE}, "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )  # fmt: skip
    chat = _Chat("Left early", document)
    chat.library.queue("q-support", Agent("Sam", delay=60))
    await chat.connect()
    bot = chat.state.add_participant(chat.contact, "CUSTOM_BOT", "Helper")
    chat.state.disconnect(bot)
    await chat.settle()
    assert chat.engine.advance_contact(chat.contact.contact_id) == (60.0, 1060.0)
    assert chat.agents() == [("Sam", True)]


@pytest.mark.parametrize("kind", ["coroutine function", "function answering an awaitable"])
async def test_an_async_handler_not_answering_in_its_time_limit_takes_the_error_branch(kind: str) -> None:
    async def forever(event: Any) -> Any:
        await asyncio.sleep(3600)

    chat = _Chat("Forever", _call("Forever", "InvokeLambdaFunction", {"LambdaFunctionARN": LAMBDA}))
    handler = forever if kind == "coroutine function" else (lambda event: forever(event))
    chat.library.lambda_function("lookup", handler, timeout=0.05)
    await chat.connect()
    await asyncio.wait_for(asyncio.gather(*chat.cf.tasks), 5)
    (call,) = [s for s in chat.cf.trace if s.identifier == "call"]
    assert (call.branch, call.note) == (
        "Error NoMatchingError",
        f"Lambda {LAMBDA!r} did not answer within 0.05 s",
    )


async def test_a_contact_moved_to_a_queue_without_agents_before_the_agent_came_gets_none() -> None:
    other = QUEUE.replace("q-support", "q-other")
    move = flow(
        "Move",
        action("hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerQueue": "Hold"}}, "queue"),
        action("queue", "UpdateContactTargetQueue", {"QueueId": other}, "transfer"),
        action("transfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "end"}),
        disconnect("end"),
    )
    chat = _Chat("Moved", _queue_then("Moved", ("CustomerQueue", "Move")), move, _waits("Hold", "holding"))
    chat.library.queue("q-support", Agent("Sam", delay=30))
    await chat.connect()
    assert chat.said("SYSTEM") == [("SYSTEM", "text/plain", "holding")]  # in q-other now
    chat.engine.advance(30)
    assert chat.agents() == []  # q-support's agent does not come
    chat.state.disconnect(chat.customer)
    assert chat.contact.ended


async def test_the_inbound_flow_knows_the_customer_s_name_and_may_invoke_modules() -> None:
    inbound = _invokes_greeter("Named", "hi")
    inbound["Actions"].insert(0, say("hello", "Hello $.Customer.Name", "m"))
    inbound["StartAction"] = "hello"
    chat = _Chat("Named", inbound, modules=(_GREETER,))
    await chat.connect()
    assert [text for *_, text in chat.said("SYSTEM")] == ["Hello Ann", "the module says hi"]


async def test_the_flow_starts_when_the_customer_subscribes_not_another_participant() -> None:
    chat = _Chat("Subscribed", _waits("Subscribed", "welcome"))
    agent = chat.state.add_participant(chat.contact, "AGENT", "Max")
    chat.engine._on_subscribed(agent)
    plain = chat.state.new_contact("inst", "no flow", 60)  # a chat without flows
    chat.engine._on_subscribed(chat.state.add_participant(plain, "CUSTOMER", "Bo"))
    await chat.settle()
    assert chat.said() == []
    chat.engine._on_subscribed(chat.customer)
    await chat.settle()
    assert chat.said() == [("SYSTEM", "text/plain", "welcome")]


async def test_a_flow_replaced_by_another_is_stopped_and_leaves_no_timer() -> None:
    """The whisper flow still waits when the agent leaves: the disconnect flow stops it, and the
    contact's next timer is the disconnect flow's, not the end of the whisper's Wait."""
    chat = _Chat(
        "Replaced",
        _queue_then("Replaced", ("CustomerWhisper", "Short"), ("CustomerRemaining", "Long")),
        _waits("Short", "whisper", seconds=10),
        _waits("Long", "remaining", seconds=600),
    )
    await chat.connect()
    max_ = chat.state.add_participant(chat.contact, "AGENT", "Max")
    await chat.settle()
    chat.source.now += 4  # the flow clock when the disconnect flow starts
    chat.state.disconnect(max_)
    await chat.settle()
    stopped = [s for s in chat.cf.trace if s.flow == "Short" and s.branch == "Stopped"]
    assert [(s.identifier, s.note, s.at) for s in stopped] == [("wait", "disconnect flow started", 1004.0)]
    assert chat.engine.advance_contact(chat.contact.contact_id) == (600.0, 1604.0)


async def test_without_a_subscription_the_flow_starts_a_grace_after_the_customer_s_acknowledgement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(A client reading the transcript only: ``START_GRACE``, shortened here, after it.)"""
    from connect_participant_emulator._flows import _engine

    monkeypatch.setattr(_engine, "START_GRACE", 0.05)
    ack = _engine.CONNECTION_ACK
    chat = _Chat("Acknowledged", _waits("Acknowledged", "welcome"))
    agent = chat.state.add_participant(chat.contact, "AGENT", "Max")
    chat.state.add_item(chat.contact, "EVENT", ack, agent)  # not the customer's
    await asyncio.sleep(0.2)
    assert chat.said() == []
    chat.state.add_item(chat.contact, "EVENT", ack, chat.customer)
    chat.state.add_item(chat.contact, "EVENT", ack, chat.customer)  # a second connection: still one run
    await asyncio.sleep(0.2)
    await chat.settle()
    assert chat.said() == [("SYSTEM", "text/plain", "welcome")]
    assert len(chat.cf.runs) == 1


async def test_a_run_going_on_before_its_deadline_leaves_no_timer_behind() -> None:
    """A Wait left early (a bot left), then a Lambda call (no deadline), then a Wait of its own:
    the flow goes on, and the contact's next timer is the last Wait's end."""
    document = flow(
        "Early",
        action("w", "Wait", {"TimeoutSeconds": "10", "Events": ["BotParticipantDisconnected"]},
               conditions=[("Equals", "WaitCompleted", "end"), ("Equals", "BotParticipantDisconnected", "call")]),
        action("call", "InvokeLambdaFunction", {"LambdaFunctionARN": LAMBDA}, "ok", errors={"NoMatchingError": "end"}),
        say("ok", "ok", "w2"),
        action("w2", "Wait", {"TimeoutSeconds": "600"}, conditions=[("Equals", "WaitCompleted", "end")]),
        disconnect("end"),
    )  # fmt: skip
    chat = _Chat("Early", document)
    chat.library.lambda_function("lookup", lambda event: {})
    await chat.connect()
    bot = chat.state.add_participant(chat.contact, "CUSTOM_BOT", "Helper")
    chat.state.disconnect(bot)
    await chat.settle()
    await asyncio.wait_for(asyncio.gather(*chat.cf.tasks), 5)
    await chat.settle()
    assert chat.said("SYSTEM") == [("SYSTEM", "text/plain", "ok")]
    assert chat.engine.advance_contact(chat.contact.contact_id) == (600.0, 1600.0)


async def test_a_chat_ending_before_its_flow_started_ends_cleanly_and_the_flow_never_runs() -> None:
    chat = _Chat("Never", _waits("Never", "welcome"))
    chat.state.add_item(chat.contact, "MESSAGE", "text/plain", chat.customer, content="hello?")  # no run yet
    chat.state.disconnect(chat.customer)  # before any subscription
    assert chat.contact.ended
    chat.engine._customer_connected(chat.cf)  # a late subscription
    await chat.settle()
    assert chat.said("SYSTEM") == []
    assert chat.cf.trace == []


def test_a_flow_starts_a_chat_whatever_problems_other_loaded_flows_have() -> None:
    chat = _Chat("Good", _waits("Good", "hi"), flow("Bad", action("x", "NoSuchAction"), disconnect()))
    good = chat.engine.flow_for("Good")
    assert good is not None
    assert good.name == "Good"
    assert chat.engine.flow_for("not loaded") is None


async def test_an_authentication_outcome_of_a_session_the_flow_did_not_start_changes_nothing() -> None:
    from connect_participant_emulator._features import AUTH_OUTCOMES

    chat = _Chat("Outcome", _waits("Outcome", "hi"))
    await chat.connect()
    for content_type in AUTH_OUTCOMES.values():
        chat.state.add_item(
            chat.contact, "EVENT", content_type, None, content=json.dumps({"SessionId": "other"})
        )
    await chat.settle()
    assert [(s.identifier, s.branch) for s in chat.cf.trace] == [("say", "NextAction")]  # still waiting
