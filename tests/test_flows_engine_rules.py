"""The flow engine (``_flows._engine``), rule by rule: its pure helpers (what ``flows=`` accepts, the
Lambda ``context``, how many arguments a handler takes, a plug-in's answer as the flow's input),
its timers on the flow clock (due ones run in order, cancelled ones never, a failing one does not
stop the others, cancelled ones do not pile up), and the control endpoint's edges (found by
``make mutate --module emulator._flows._engine``)."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator._config import EmulatorConfig
from connect_participant_emulator._flows._engine import (
    START_GRACE,
    FlowEngine,
    _as_input,
    _LambdaContext,
    _positional_count,
    _Timer,
    coerce_flows,
)
from connect_participant_emulator._flows._interpreter import CallFailed, CallResult
from connect_participant_emulator._model import State
from connect_participant_emulator.flows import ContactFlows, FlowClock, Ref

from tests._flow_builder import disconnect, flow


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


async def test_due_timers_run_in_order_when_the_clock_is_advanced_and_cancelled_ones_never() -> None:
    source = Source(1000.0)
    engine = _engine(source)
    ran: list[str] = []
    engine._after(1010.0, lambda: ran.append("b"))
    engine._after(1005.0, lambda: ran.append("a"))
    engine._after(1010.0, lambda: ran.append("c"))  # same time: in the order set
    engine._after(1010.0, lambda: ran.append("cancelled")).cancelled = True
    engine._after(1020.0, lambda: ran.append("later"))
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

    engine._after(1.0, boom)
    engine._after(1.0, lambda: ran.append("after"))
    with caplog.at_level(logging.ERROR, logger="connect_participant_emulator.flows"):
        engine.advance(1)
    assert ran == ["after"]
    assert [r.getMessage() for r in caplog.records] == ["a flow timer failed"]


async def test_timers_fire_on_the_loop_when_their_time_comes() -> None:
    source = Source(0.0)
    engine = _engine(source)
    fired = asyncio.Event()
    engine._after(-5.0, fired.set)  # overdue: at once
    await asyncio.wait_for(fired.wait(), 5)
    later = asyncio.Event()
    engine._after(0.05, later.set)
    source.now = 1.0  # the clock moved past it before the loop's timer: fires when that wakes
    await asyncio.wait_for(later.wait(), 5)


async def test_cancelled_timers_do_not_pile_up_and_live_ones_are_never_dropped() -> None:
    engine = _engine(Source(0.0))
    kept = [engine._after(10.0 + i, lambda: None) for i in range(10)]
    for i in range(300):
        engine._after(1000.0 + i, lambda: None).cancelled = True
    assert len(engine._timers) <= 257  # dropped once more than 256 were pending
    assert all(t in engine._timers for t in kept)
    assert engine._compact_at == 256
    live = _engine(Source(0.0))
    for i in range(257):
        live._after(5000.0 + i, lambda: None)
    assert len(live._timers) == 257
    assert live._compact_at == 514  # nothing to drop: the next look is when twice as many wait
    for i in range(257):
        live._after(9000.0 + i, lambda: None)
    assert len(live._timers) == 514


async def test_an_advance_runs_what_is_due_once_even_with_the_loop_s_timer_armed() -> None:
    source = Source(0.0)
    engine = _engine(source)
    ran: list[int] = []
    engine._after(30.0, lambda: ran.append(1))
    engine._after(60.0, lambda: ran.append(2))
    engine.advance(30)
    assert ran == [1]
    await asyncio.sleep(0.01)
    assert ran == [1]
    engine.advance(30)
    assert ran == [1, 2]


# --- the control endpoint ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
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
        assert re.search("ValidationException", answer.headers.get("x-amzn-ErrorType", "") + answer.text)


def test_the_trace_of_an_unknown_contact_is_not_found_and_of_a_chat_without_flow_empty(service: Any) -> None:
    unknown = httpx.get(service.endpoint_url + "/_emulator/contacts/nope/flow-trace")
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No such contact."
    chat = service.start_chat("Ann")
    answer = httpx.get(service.endpoint_url + f"/_emulator/contacts/{chat.contact_id}/flow-trace")
    assert answer.json() == {"ContactId": chat.contact_id, "Steps": []}
