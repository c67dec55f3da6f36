"""The flows' plug-ins (``_flows._plugins``), rule by rule, pure: the flow clock over an injected
time source, and the scripted Lex bot's answers field by field — which intent an utterance
picks, how slots are asked for and filled, what the fallback says, and the shape of the
RecognizeText answer (found by ``make mutate --module emulator._flows._plugins``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from connect_participant_emulator.flows import Agent, AgentSession, FlowClock, Intent, ScriptedBot


class Source:
    """A time source the test moves."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- the clock -------------------------------------------------------------------------------


def test_a_clock_without_a_start_is_its_source_and_runs_on_with_it() -> None:
    source = Source(1000.0)
    clock = FlowClock(source=source)
    assert clock.now() == 1000.0
    source.now = 1002.5
    assert clock.now() == 1002.5
    assert clock.datetime() == datetime.fromtimestamp(1002.5, tz=UTC)
    assert clock.datetime().tzinfo is UTC


@pytest.mark.parametrize("start", [datetime(2026, 12, 7, 9, tzinfo=UTC), 1_796_634_000.0, 1_796_634_000])
def test_a_clock_starts_at_its_start_and_runs_on_from_there(start: datetime | float) -> None:
    source = Source(50.0)
    clock = FlowClock(start, source=source)
    assert clock.now() == 1_796_634_000.0
    source.now = 60.0
    assert clock.now() == 1_796_634_010.0
    assert clock.datetime() == datetime(2026, 12, 7, 9, 0, 10, tzinfo=UTC)


def test_the_default_source_is_the_wall_clock() -> None:
    before = datetime.now(UTC).timestamp()
    now = FlowClock().now()
    assert before <= now <= datetime.now(UTC).timestamp()


def test_advancing_moves_the_clock_on_by_exactly_that_and_answers_the_new_time() -> None:
    source = Source(10.0)
    clock = FlowClock(source=source)
    assert clock.advance(5) == 15.0
    assert clock.advance(0) == 15.0  # zero is allowed: nothing moves
    assert clock.advance(2.5) == 17.5
    assert clock.now() == 17.5
    source.now = 11.0
    assert clock.now() == 18.5  # the advances stay on top of the source


def test_the_clock_never_moves_back() -> None:
    clock = FlowClock(source=Source(10.0))
    with pytest.raises(ValueError, match=r"^the clock only moves forward$"):
        clock.advance(-0.001)
    assert clock.now() == 10.0


# --- the scripted bot -------------------------------------------------------------------------


def _intent(answer: dict[str, Any]) -> dict[str, Any]:
    intent: dict[str, Any] = answer["sessionState"]["intent"]
    return intent


def _slot_values(answer: dict[str, Any]) -> dict[str, str]:
    return {k: v["value"]["interpretedValue"] for k, v in _intent(answer)["slots"].items()}


def test_a_recognised_intent_answers_the_whole_recognize_text_shape() -> None:
    bot = ScriptedBot(Intent("Balance", [r"balance of (?P<account>\d+)"], reply="It is $42."))
    answer = bot.recognize_text(
        {"text": "the BALANCE of 12", "sessionId": "s", "sessionState": {"sessionAttributes": {"a": "1"}}}
    )
    slot = {"value": {"originalValue": "12", "interpretedValue": "12", "resolvedValues": ["12"]}}
    intent = {
        "name": "Balance",
        "slots": {"account": slot},
        "state": "Fulfilled",
        "confirmationState": "None",
    }
    assert answer == {
        "messages": [{"contentType": "PlainText", "content": "It is $42."}],
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": intent,
            "sessionAttributes": {"a": "1"},
        },
        "interpretations": [{"intent": intent, "nluConfidence": {"score": 1.0}}],
        "sessionId": "",
    }


def test_an_utterance_no_intent_matches_is_the_fallback_intent_saying_the_fallback() -> None:
    bot = ScriptedBot(Intent("Balance", [r"balance"]), fallback="Sorry?")
    answer = bot.recognize_text({"text": "weather", "sessionId": "s"})
    intent = {"name": "FallbackIntent", "slots": {}, "state": "Failed", "confirmationState": "None"}
    assert answer == {
        "messages": [{"contentType": "PlainText", "content": "Sorry?"}],
        "sessionState": {"dialogAction": {"type": "Close"}, "intent": intent, "sessionAttributes": {}},
        "interpretations": [{"intent": intent, "nluConfidence": {"score": 0.0}}],
        "sessionId": "",
    }


def test_the_default_fallback_message_and_no_fallback_message() -> None:
    default = ScriptedBot().recognize_text({"text": "x"})
    assert default["messages"] == [
        {"contentType": "PlainText", "content": "Sorry, I didn't understand that."}
    ]
    assert ScriptedBot(fallback=None).recognize_text({"text": "x"})["messages"] == []


def test_utterances_are_searched_case_insensitively_first_intent_and_first_pattern_win() -> None:
    bot = ScriptedBot(
        Intent("First", [r"^never$", r"or(?P<which>d)er"]),
        Intent("Second", [r"order"]),
    )
    answer = bot.recognize_text({"text": "my ORDER please"})
    assert _intent(answer)["name"] == "First"
    assert _slot_values(answer) == {"which": "D"}  # the text as written, not lowered
    assert _intent(bot.recognize_text({"text": "NEVER"}))["name"] == "First"
    assert _intent(bot.recognize_text({"text": "nevermore"}))["name"] == "FallbackIntent"


def test_named_groups_that_did_not_take_part_are_no_slots() -> None:
    bot = ScriptedBot(Intent("Pay", [r"pay(?: (?P<amount>\d+))?(?: to (?P<who>\w+))?"]))
    assert _slot_values(bot.recognize_text({"text": "pay to bob"})) == {"who": "bob"}
    assert _slot_values(bot.recognize_text({"text": "pay 5"})) == {"amount": "5"}


def test_a_missing_slot_is_asked_for_and_the_next_message_of_that_session_fills_it() -> None:
    bot = ScriptedBot(
        Intent("Book", [r"book"], reply="Booked.", slots={"day": "Which day?", "time": "What time?"}),
        Intent("Day", [r"monday"]),
    )
    asked = bot.recognize_text({"text": "book", "sessionId": "s1"})
    assert asked["messages"] == [{"contentType": "PlainText", "content": "Which day?"}]
    assert asked["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "day"}
    assert (_intent(asked)["name"], _intent(asked)["state"]) == ("Book", "InProgress")
    # another session is not in the middle of Book
    assert _intent(bot.recognize_text({"text": "monday", "sessionId": "s2"}))["name"] == "Day"
    # the answer fills the first missing slot, stripped, even when it matches another intent
    second = bot.recognize_text({"text": "  monday ", "sessionId": "s1"})
    assert second["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "time"}
    assert second["messages"][0]["content"] == "What time?"
    assert _slot_values(second) == {"day": "monday"}
    done = bot.recognize_text({"text": "9am", "sessionId": "s1"})
    assert done["sessionState"]["dialogAction"] == {"type": "Close"}
    assert (_intent(done)["name"], _intent(done)["state"]) == ("Book", "Fulfilled")
    assert _slot_values(done) == {"day": "monday", "time": "9am"}
    assert done["messages"] == [{"contentType": "PlainText", "content": "Booked."}]
    # the intent is over: the session starts afresh
    assert _intent(bot.recognize_text({"text": "monday", "sessionId": "s1"}))["name"] == "Day"


def test_a_slot_given_in_the_utterance_is_not_asked_for() -> None:
    bot = ScriptedBot(Intent("Book", [r"book (?P<day>\w+)"], reply="Booked.", slots={"day": "Which day?"}))
    answer = bot.recognize_text({"text": "book friday", "sessionId": "s"})
    assert (_intent(answer)["state"], _slot_values(answer)) == ("Fulfilled", {"day": "friday"})


def test_sessions_without_an_id_share_one_session() -> None:
    bot = ScriptedBot(Intent("Book", [r"book"], slots={"day": "Which day?"}))
    bot.recognize_text({"text": "book"})
    assert _slot_values(bot.recognize_text({"text": "tuesday", "sessionId": ""})) == {"day": "tuesday"}


def test_an_intent_completes_in_its_own_state() -> None:
    bot = ScriptedBot(Intent("Cancel", [r"cancel"], state="ReadyForFulfillment"))
    answer = bot.recognize_text({"text": "cancel"})
    assert _intent(answer)["state"] == "ReadyForFulfillment"
    assert answer["interpretations"][0]["nluConfidence"] == {"score": 1.0}
    assert answer["messages"] == []  # no reply


def test_replies_are_plain_text_or_interactive_templates_in_order() -> None:
    picker = {"templateType": "ListPicker", "data": {"content": {"title": "Pick"}}}
    bot = ScriptedBot(
        Intent("One", [r"one"], reply=picker),
        Intent("Two", [r"two"], reply=["First.", picker, "Last."]),
    )
    assert bot.recognize_text({"text": "one"})["messages"] == [
        {"contentType": "CustomPayload", "content": json.dumps(picker)}
    ]
    assert bot.recognize_text({"text": "two"})["messages"] == [
        {"contentType": "PlainText", "content": "First."},
        {"contentType": "CustomPayload", "content": json.dumps(picker)},
        {"contentType": "PlainText", "content": "Last."},
    ]


@pytest.mark.parametrize(
    ("state", "attributes"),
    [
        (None, {}),
        ("not a mapping", {}),
        ({}, {}),
        ({"sessionAttributes": None}, {}),
        ({"sessionAttributes": {"k": "v"}}, {"k": "v"}),
    ],
)
def test_session_attributes_are_given_back_as_received(state: Any, attributes: dict[str, str]) -> None:
    request: dict[str, Any] = {"text": "x"}
    if state is not None:
        request["sessionState"] = state
    for bot in (ScriptedBot(), ScriptedBot(Intent("X", [r"x"]))):
        assert bot.recognize_text(request)["sessionState"]["sessionAttributes"] == attributes


def test_every_request_is_kept_as_received_and_missing_text_is_empty() -> None:
    bot = ScriptedBot(Intent("Any", [r"^$"]))
    request = {"sessionId": "s", "localeId": "en_US"}
    answer = bot.recognize_text(request)
    assert _intent(answer)["name"] == "Any"  # no text: the empty utterance
    request["localeId"] = "changed"
    assert bot.requests == [{"sessionId": "s", "localeId": "en_US"}]  # a copy
    bot.recognize_text({"text": 5})
    assert len(bot.requests) == 2


def test_the_text_of_a_request_is_read_as_text() -> None:
    bot = ScriptedBot(Intent("Five", [r"^5$"]))
    assert _intent(bot.recognize_text({"text": 5}))["name"] == "Five"


# --- agents -----------------------------------------------------------------------------------


def test_an_agent_by_default_joins_at_once_as_agent_says_nothing_and_leaves() -> None:
    assert Agent() == Agent(name="Agent", delay=0.0, script=(), leaves=True, on_join=None)


def test_an_agent_session_keeps_its_token_out_of_its_repr() -> None:
    session = AgentSession("c", "p", "secret-token", "Ann", "Sales")
    assert session.endpoint_url is None
    assert "secret-token" not in repr(session)
    assert session.participant_token == "secret-token"
