"""How the test-case runner orders what a chat's flow did and what its customer saw
(``_Runner._collect``), against a stand-in service that keeps the emulator's one promise: a flow
records a step in its trace before it sends that step's message. The race this pins: the flow
runs its next message step between the runner's trace read and its read of the events queue.
Read in that order, the message found no step to follow and was placed by its millisecond
timestamp, which can sort before the step that sent it (a case then saw "sorry" out of order).

Then, on a stand-in wall clock, trace, session and run, the rules of what the runner hands the
run and when (``_dispatch``), what its reader makes of the events stream (``_read``), and its
loop's socket drops, clock skips and ends (``_loop``): none of these needs a chat."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from connect_participant import _testcase_runner as runner_module
from connect_participant._events import ChatEnded as StreamChatEnded
from connect_participant._events import Event
from connect_participant._models import Item
from connect_participant._testcase import (
    ActionStarted,
    ChatEnded,
    MessageSeen,
    SendText,
    StateSeen,
    parse_test_case,
)
from connect_participant._testcase_runner import _MESSAGE_WAIT, _Runner
from connect_participant_emulator._flows._interpreter import FlowStep
from connect_participant_emulator._flows._plugins import FlowClock
from connect_participant_emulator.flows import ContactFlows

CASE = {
    "Version": "2025-06-21",
    "Observations": [{"Identifier": "start", "Event": {"Type": "TestInitiated"}}],
}


class _Clock:
    def now(self) -> float:
        return time.time()


class _Flows:
    clock = _Clock()

    def get(self, _flow_id: str) -> None:
        return None


def _step(identifier: str, at: float, type_: str = "MessageParticipant", **fields: Any) -> FlowStep:
    return FlowStep("Main", "main", identifier, type_, "NextAction", None, at=at, **fields)


class _FlowRunsAsTheTraceIsRead:
    """Its first trace read returns the first step; before that read returns, the flow runs its
    second step: the step goes into the trace, then its message onto the runner's queue."""

    flows = _Flows()

    def __init__(self) -> None:
        self.runner: _Runner | None = None
        self.trace: list[FlowStep] = []
        self.reads = 0

    def flow_trace(self, _contact_id: str) -> list[FlowStep]:
        self.reads += 1
        seen = list(self.trace)
        if self.reads == 1:
            assert self.runner is not None
            second = _step("bye", time.time())
            self.trace.append(second)
            # its message's timestamp has whole milliseconds: it can read earlier than the step
            self.runner.events.put((second.at - 0.0009, MessageSeen("bye", display_name="SYSTEM_MESSAGE")))
        return seen


def test_a_message_sent_while_the_trace_is_read_follows_its_own_step() -> None:
    service = _FlowRunsAsTheTraceIsRead()
    runner = _Runner(parse_test_case({"Content": CASE}), service, "main", None, (60, 8, 300), 0, 1, 0.0)
    service.runner = runner
    first = _step("hello", time.time() - 0.5)
    service.trace.append(first)
    runner.events.put((first.at + 0.001, MessageSeen("hello", display_name="SYSTEM_MESSAGE")))
    assert runner._collect()
    assert runner._collect()
    runner.buffer.sort(key=lambda item: (item[0], item[1]))  # as _dispatch orders them
    seen: list[Any] = [item[2] for item in runner.buffer]
    said = [e.identifier if isinstance(e, ActionStarted) else e.text for e in seen]
    assert said == ["hello", "hello", "bye", "bye"]
    assert [type(e) for e in seen] == [ActionStarted, MessageSeen, ActionStarted, MessageSeen]
    assert runner.message_steps == []  # each step found its message: nothing holds the run back


# --- what the runner hands the run, and when (``_Runner._dispatch``) ------------------------------
# A stand-in wall clock (the runner's ``time``), a flow clock on it, a stand-in trace, and a
# stand-in run that records what it is handed: the rules, with no chat and no waiting.


class _Wall:
    """The runner's ``time`` module: a wall clock that moves only when told (or slept on)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class _Trace:
    """Stands in for the emulator: its flows (on the wall clock), the chat's trace, the drops."""

    def __init__(self, wall: _Wall) -> None:
        self.flows = ContactFlows(clock=FlowClock(source=wall.time))
        self.trace: list[FlowStep] = []
        self.closed: list[tuple[str, bool, float]] = []
        self.wall = wall

    def flow_trace(self, _contact_id: str) -> list[FlowStep]:
        return list(self.trace)

    def close_websockets(self, *, contact_id: str, abrupt: bool) -> None:
        self.closed.append((contact_id, abrupt, self.wall.now))


class _Run:
    """Stands in for the ``TestCaseRun``: records (flow time, event) of what it is handed."""

    def __init__(self) -> None:
        self.handed: list[tuple[float, Any]] = []
        self.done = False
        self.end_reason = ""
        self.answers: dict[str, list[Any]] = {}  # a message's text -> the commands it answers
        self.finished_at: float | None = None

    def handle(self, now: float, event: Any) -> list[Any]:
        self.handed.append((now, event))
        return self.answers.get(getattr(event, "text", ""), [])

    def finish(self, now: float, reason: str) -> list[Any]:
        self.done, self.end_reason, self.finished_at = True, reason, now
        return []

    def events(self) -> list[Any]:
        return [e for _, e in self.handed if not isinstance(e, StateSeen)]


def _dispatching(monkeypatch: pytest.MonkeyPatch, **fields: Any) -> tuple[_Runner, _Wall, _Trace, _Run]:
    wall = _Wall(1000.0)
    monkeypatch.setattr(runner_module, "time", wall)
    service = _Trace(wall)
    case = parse_test_case({"Content": CASE, **fields})
    runner = _Runner(case, service, "main", {"tier": "gold"}, (30.0, 4.0, 300.0), 0, 7, 0.0)
    runner.contact_id = "c-1"
    run = runner.run_ = _Run()  # type: ignore[assignment]
    return runner, wall, service, run


def _settles(runner: _Runner) -> list[float]:
    """Records the ``settle`` each ``_dispatch`` of the runner is given (and still dispatches)."""
    given: list[float] = []
    dispatch = runner._dispatch

    def recording(settle: float) -> None:
        given.append(settle)
        dispatch(settle)

    runner._dispatch = recording  # type: ignore[method-assign]
    return given


def _message(text: str) -> MessageSeen:
    return MessageSeen(text, "SYSTEM", "SYSTEM_MESSAGE")


def test_the_run_is_handed_events_in_time_order_then_arrival_order(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, _, run = _dispatching(monkeypatch)
    late, early, tie_second, tie_first = (ChatEnded(str(n)) for n in range(4))
    runner.buffer = [
        (990.0, 1.0, late),
        (980.0, 2.0, early),
        (985.0, 5.0, tie_second),
        (985.0, 4.0, tie_first),
    ]
    runner._dispatch(0.3)
    assert run.events() == [early, tie_first, tie_second, late]
    assert runner.buffer == []


def test_what_came_less_than_settle_ago_is_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, wall, _, run = _dispatching(monkeypatch)
    at_horizon, within = ChatEnded("at"), ChatEnded("within")
    runner.buffer = [(999.5, 1.0, at_horizon), (999.75, 2.0, within)]
    runner._dispatch(0.5)  # the horizon: 999.5, exactly settle ago
    assert run.events() == [at_horizon]
    assert runner.buffer == [(999.75, 2.0, within)]
    wall.now = 1000.25
    runner._dispatch(0.5)
    assert run.events() == [at_horizon, within]


def test_each_event_comes_after_the_contact_data_as_the_steps_up_to_its_time_left_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner, _, _, run = _dispatching(monkeypatch)
    runner.skew = 0.0
    when = 990.0
    sets = [
        ("before", when - 1.0, "silver"),
        ("same ms", when + 0.0005, "platinum"),  # timestamps are in ms: within half of one is "up to"
        ("after", when + 0.01, "lead"),
    ]
    runner.steps = [_step(name, at, set={"$.Attributes.tier": tier}) for name, at, tier in sets]
    hello = _message("hello")
    runner.buffer = [(when, 1.0, hello)]
    runner._dispatch(0.3)
    state = StateSeen(
        {"Channel": "CHAT", "ContactId": "c-1", "InitialContactId": "c-1", "Attributes": {"tier": "platinum"}}
    )
    assert run.handed == [(1000.0, state), (1000.0, hello)]  # at the chat's flow time


def test_the_flow_time_handed_is_the_chat_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, service, run = _dispatching(monkeypatch)
    runner.skew = 60.0  # the runner moved this chat's clock on: its steps carry flow times
    runner.steps = [
        _step("earlier", 999.0 + 60.0, set={"$.Attributes.tier": "silver"}),
        _step("later", 1000.0 + 60.0, set={"$.Attributes.tier": "lead"}),
    ]
    runner.buffer = [(999.5, 1.0, _message("hello"))]
    runner._dispatch(0.3)
    assert [now for now, _ in run.handed] == [1060.0, 1060.0]
    assert run.handed[0][1].data["Attributes"] == {"tier": "silver"}  # "later" came after it
    assert service.flows.clock.now() == 1000.0


def test_the_transcript_keeps_each_message_handed(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, _, run = _dispatching(monkeypatch)
    bot = MessageSeen("Sure", "CUSTOM_BOT", "BOT", "text/markdown")
    runner.buffer = [
        (990.0, 1.0, bot),
        (991.0, 2.0, ActionStarted("Wait", "w")),
        (992.0, 3.0, _message("Bye")),
    ]
    runner._dispatch(0.3)
    assert len(run.events()) == 3
    assert runner.result.transcript == [
        {"Role": "CUSTOM_BOT", "DisplayName": "BOT", "Content": "Sure"},
        {"Role": "SYSTEM", "DisplayName": "SYSTEM_MESSAGE", "Content": "Bye"},
    ]


def test_handing_stops_when_the_run_cannot_go_on(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, _, run = _dispatching(monkeypatch)
    run.answers = {"ask": [SendText("too early")]}  # no session yet: the run cannot go on
    rest = (992.0, 3.0, _message("after"))
    runner.buffer = [(990.0, 1.0, _message("fine")), (991.0, 2.0, _message("ask")), rest]
    runner._dispatch(0.3)
    assert [e.text for e in run.events()] == ["fine", "ask"]
    assert runner.buffer == [rest]
    assert runner.result.error == "SendInstruction before the chat is connected (in TestInitiated)"
    assert (run.done, run.end_reason) == (True, "an instruction came too early")


def test_nothing_is_handed_once_the_run_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, _, run = _dispatching(monkeypatch)
    run.done = True
    runner.buffer = [(990.0, 1.0, _message("late"))]
    runner._dispatch(0.3)
    assert (run.handed, len(runner.buffer)) == ([], 1)


def test_a_step_that_sends_a_message_holds_back_what_follows_until_the_message_is_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner, wall, service, run = _dispatching(monkeypatch)
    service.trace = [_step("hello", 1000.0), _step("wait", 1000.1, "Wait")]
    assert runner._collect()
    wall.now = 1001.0  # both steps are past settle, the message is not here
    runner._dispatch(0.3)
    assert [e.identifier for e in run.events()] == ["hello"]  # the step itself is handed
    runner._dispatch(0.3)
    assert len(run.events()) == 1
    runner.events.put((1000.2, _message("hello")))  # late, as from a busy emulator
    assert runner._collect()
    runner._dispatch(0.3)
    said = [e.identifier if isinstance(e, ActionStarted) else e.text for e in run.events()]
    assert said == ["hello", "hello", "wait"]  # its message, then what followed


def test_a_message_not_seen_within_message_wait_holds_nothing_back(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, wall, service, run = _dispatching(monkeypatch)
    service.trace = [_step("hello", 1000.0), _step("wait", 1000.1, "Wait")]
    assert runner._collect()
    wall.now = 1000.0 + _MESSAGE_WAIT - 0.25
    runner._dispatch(0.3)
    assert [e.identifier for e in run.events()] == ["hello"]
    wall.now = 1000.0 + _MESSAGE_WAIT  # waited for long enough: the run goes on without it
    runner._dispatch(0.3)
    assert [e.identifier for e in run.events()] == ["hello", "wait"]
    assert runner.message_steps == []


# --- what the reader makes of the customer's events stream (``_Runner._read``) -------------------


class _Session:
    """Stands in for the customer's session: its events stream yields these, then fails with
    ``failure`` (when given) or ends."""

    def __init__(self, *events: Any, failure: Exception | None = None) -> None:
        self.given = events
        self.failure = failure

    def events(self) -> Iterator[Any]:
        yield from self.given
        if self.failure is not None:
            raise self.failure


def _event(**raw: Any) -> Any:
    return Event.from_item(Item.from_json({"Id": f"i{len(raw)}", "Type": "MESSAGE", **raw}))


def _read(monkeypatch: pytest.MonkeyPatch, session: _Session) -> list[tuple[float, Any]]:
    runner, wall, _, _ = _dispatching(monkeypatch)
    wall.now = 2000.0
    runner._read(session)
    read = []
    while not runner.events.empty():
        read.append(runner.events.get_nowait())
    return read


def test_each_message_read_becomes_a_message_seen_at_its_time(monkeypatch: pytest.MonkeyPatch) -> None:
    full = _event(
        Content="**Hi**",
        ContentType="text/markdown",
        ParticipantRole="CUSTOM_BOT",
        DisplayName="BOT",
        AbsoluteTime="2026-12-07T00:00:01.500Z",
    )
    bare = _event(Content="plain")  # no role, name, type or time
    update = type(full)(full.item, previous=full.item)  # the same message re-sent: not new
    empty = _event(ContentType="text/plain")  # no content
    read = _read(monkeypatch, _Session(full, bare, update, empty))
    assert read == [
        (1796601601.5, MessageSeen("**Hi**", "CUSTOM_BOT", "BOT", "text/markdown")),
        (2000.0, MessageSeen("plain", "", "", "text/plain")),  # no time: when it was read
        (2000.0, ChatEnded("the chat ended")),
    ]


def test_the_reader_ends_on_the_chat_s_end(monkeypatch: pytest.MonkeyPatch) -> None:
    ended = Event.from_item(
        Item.from_json(
            {"Id": "e", "Type": "EVENT", "ContentType": "application/vnd.amazonaws.connect.event.chat.ended"}
        )
    )
    assert isinstance(ended, StreamChatEnded)
    read = _read(monkeypatch, _Session(_event(Content="bye"), ended, _event(Content="never")))
    assert [event for _, event in read] == [
        MessageSeen("bye", "", "", "text/plain"),
        ChatEnded("the chat ended"),
    ]
    assert read[-1][0] == 2000.0


class _StreamBroke(Exception):
    pass


def test_a_failing_stream_ends_the_run_naming_its_exception_class(monkeypatch: pytest.MonkeyPatch) -> None:
    read = _read(monkeypatch, _Session(_event(Content="hi"), failure=_StreamBroke("secret token in here")))
    assert read == [
        (2000.0, MessageSeen("hi", "", "", "text/plain")),
        (2000.0, ChatEnded("the events stream failed: _StreamBroke")),  # the class, never the text
    ]


# --- the loop's socket drops (``_Runner._loop``) -------------------------------------------------


def test_the_customer_s_socket_is_dropped_as_often_as_asked_at_moments_drawn_from_the_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner, wall, service, run = _dispatching(monkeypatch)
    runner.drops, runner.idle_limit = 3, 2.0
    settles = _settles(runner)
    runner._loop(wall.now)
    # a dropped socket's gap comes back from the transcript a moment later: what came in the
    # last 1.5 s (not 0.3 s) is held back, so it can still be put in order
    assert settles
    assert set(settles) == {1.5}
    seeded = random.Random(7)
    moments = sorted(seeded.uniform(0.05, 1.0) for _ in range(3))
    assert [contact for contact, _, _ in service.closed] == ["c-1"] * 3
    assert [abrupt for _, abrupt, _ in service.closed] == [seeded.random() < 0.5 for _ in range(3)]
    # each at the loop's first turn at or after its moment (the loop turns every 0.05 s)
    assert all(
        0 <= at - 1000.0 - moment < 0.05 + 1e-9
        for (_, _, at), moment in zip(service.closed, moments, strict=True)
    )
    assert run.end_reason == "nothing happened for 2 s"


def test_an_idle_chat_s_clock_is_moved_on_until_no_timer_is_left_then_the_run_ends_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner, wall, _, run = _dispatching(monkeypatch)
    runner.idle_limit = 2.0
    moves = [30.0, 0.0]
    asked: list[float] = []

    def advance(_contact_id: str, *, at_most: float) -> float:
        asked.append(wall.now)
        return moves.pop(0)

    runner.advance_chat_clock = advance
    runner._loop(wall.now)
    # asked once the chat was idle for settle (0.3 s) and a little more; after a move, idle
    # counts again from it; after a skip that found no timer, never again: the run ends idle
    assert len(asked) == 2
    assert 0.5 < asked[0] - 1000.0 < 0.5 + 0.05 + 1e-9
    assert 0.5 < asked[1] - asked[0] < 0.5 + 0.05 + 1e-9
    assert runner.skew == 30.0
    assert run.end_reason == "nothing happened for 2 s"
    assert run.finished_at == wall.now + 30.0  # at the chat's flow time: 30 s ahead of the wall clock
    assert 2.0 < wall.now - asked[0] < 2.0 + 0.05 + 1e-9  # idle since the last move


def test_a_run_still_busy_at_its_time_limit_ends_on_it(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, wall, service, run = _dispatching(monkeypatch)
    runner.time_limit, runner.idle_limit = 1.0, 5.0
    runner.advance_chat_clock = None
    settles = _settles(runner)
    runner._loop(wall.now)
    assert run.end_reason == "the time limit (1 s) came"
    assert 1.0 < wall.now - 1000.0 < 1.0 + 0.05 + 1e-9
    assert run.finished_at == wall.now  # at the chat's flow time (here: the wall clock's)
    assert settles
    assert set(settles) == {0.3}
    assert service.closed == []  # no drops asked


# --- where each step and event goes in the buffer (``_Runner._collect``) -------------------------


def test_steps_go_in_at_their_wall_clock_time_and_a_step_that_sent_nothing_holds_nothing_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner, _, service, _ = _dispatching(monkeypatch)
    runner.skew = 60.0  # the chat's flow clock runs 60 s ahead of the wall clock
    empty = _step("empty", 1059.0, note="$.Attributes.text is empty here: nothing sent")
    service.trace = [_step("hello", 1058.0), empty, _step("bot", 1059.5, "ConnectParticipantWithLexBot")]
    assert runner._collect()
    assert [(when, order) for when, order, _ in runner.buffer] == [(998.0, 1.0), (999.0, 2.0), (999.5, 3.0)]
    assert runner.message_steps == [(998.0, 1.0)]  # "empty" sent no message: nothing to wait for
    assert runner.lex_steps == [(999.5, 3.0)]
    assert runner.buffer[0][2] == ActionStarted("MessageParticipant", "hello", "Main", {})  # its flow's name
    assert runner._collect() is False  # nothing new


def test_a_bot_s_answer_follows_the_lex_step_it_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, service, _ = _dispatching(monkeypatch)
    service.trace = [_step("menu", 990.0, "ConnectParticipantWithLexBot"), _step("wait", 990.01, "Wait")]
    assert runner._collect()
    runner.events.put((990.04, MessageSeen("Sure", "CUSTOM_BOT", "BOT")))  # within _LEX_REPLY
    runner.events.put((995.0, MessageSeen("Later", "CUSTOM_BOT", "BOT")))  # far from it: its own time
    assert runner._collect()
    keys = {getattr(e, "text", getattr(e, "identifier", "")): (w, o) for w, o, e in runner.buffer}
    assert keys == {"menu": (990.0, 1.0), "wait": (990.01, 2.0), "Sure": (990.0, 1.5), "Later": (995.0, 4.0)}


def test_messages_keep_the_order_they_came_in(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, _, _ = _dispatching(monkeypatch)
    runner.events.put((990.0, MessageSeen("first", "AGENT", "Ann")))
    runner.events.put((989.0, MessageSeen("second", "AGENT", "Ann")))  # an earlier timestamp
    runner.events.put((989.5, ChatEnded()))  # not a message: its own time
    assert runner._collect()
    assert [(w, o, e.reason if isinstance(e, ChatEnded) else e.text) for w, o, e in runner.buffer] == [
        (990.0, 1.0, "first"),
        (990.0, 1.01, "second"),  # right after the message before it
        (989.5, 3.0, "the chat ended"),
    ]


def test_a_bot_s_answer_follows_the_closest_of_several_lex_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, service, _ = _dispatching(monkeypatch)
    service.trace = [_step(name, at, "ConnectParticipantWithLexBot") for name, at in
                     (("first", 980.0), ("second", 985.0), ("third", 990.0))]  # fmt: skip
    assert runner._collect()
    runner.events.put((985.03, MessageSeen("Sure", "CUSTOM_BOT", "BOT")))  # the second's answer
    assert runner._collect()
    assert runner.buffer[-1][:2] == (985.0, 2.5)  # right after the second, not the first or last


def test_only_a_flow_s_message_is_placed_after_the_step_that_sent_it(monkeypatch: pytest.MonkeyPatch) -> None:
    runner, _, service, _ = _dispatching(monkeypatch)
    service.trace = [_step("hello", 990.0)]
    assert runner._collect()
    runner.events.put((992.0, MessageSeen("hi", "CUSTOMER", "Customer")))  # not the flow's message
    runner.events.put((993.0, MessageSeen("Sure", "CUSTOM_BOT", "BOT")))
    assert runner._collect()
    assert [(w, o) for w, o, _ in runner.buffer] == [(990.0, 1.0), (992.0, 2.0), (993.0, 3.0)]
    assert runner.message_steps == [(990.0, 1.0)]  # still waiting for the step's own message
