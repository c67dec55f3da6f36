"""The flow interpreter's rules, one at a time (pure, fast: the mutation run of
``_flows._interpreter`` runs these per mutant). Each test states what a block does with one
kind of input: its branches, the data it reads and sets, what it sends, how it ends."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from connect_participant_emulator.flows import (
    CallFailed,
    CallResult,
    CheckHours,
    ContactFlows,
    ContactState,
    CustomerMessage,
    Disconnect,
    FlowEnded,
    FlowRun,
    FlowStep,
    InvokeLambda,
    LexTurn,
    ParticipantLeft,
    QueueContact,
    Ref,
    SendMessage,
    ShowView,
    StartAuthentication,
)

from tests._flow_builder import action, disconnect, flow, say
from tests.test_flows_interpreter import INTERACTIVE, PICKER, Harness, ending, queue_flow, waiting_flow


def test_a_trace_step_round_trips_through_json_field_by_field() -> None:
    step = FlowStep("Flow", "flow-id", "act", "Compare", "Condition Equals x", "next",
                    {"$.Attributes.a": "1"}, {"$.Attributes.b": "2"}, "x", "a note", 12.5)  # fmt: skip
    data = step.to_json()
    assert data == {"Flow": "Flow", "FlowId": "flow-id", "Identifier": "act", "Type": "Compare",
                    "Branch": "Condition Equals x", "NextAction": "next", "Read": {"$.Attributes.a": "1"},
                    "Set": {"$.Attributes.b": "2"}, "Result": "x", "Note": "a note", "At": 12.5}  # fmt: skip
    assert FlowStep.from_json(data) == step


# --- helpers -------------------------------------------------------------------------------------


def steps(h: Harness) -> list[tuple[str, str, str | None, str | None]]:
    """(identifier, branch, result, note) per trace step."""
    return [(s.identifier, s.branch, s.result, s.note) for s in h.run.trace]


def bot_flow(parameters: dict[str, Any] | None = None, **errors: str) -> dict[str, Any]:
    """A Lex block branching on the intents A and B; its errors as given (else all of them)."""
    params = {"LexV2Bot": {"AliasArn": "arn:aws:lex:us-east-1:1:bot-alias/B/A"}, **(parameters or {})}
    errs = errors or {
        "NoMatchingCondition": "other",
        "NoMatchingError": "error",
        "InputTimeLimitExceeded": "late",
    }
    return flow(
        "Bot",
        action("bot", "ConnectParticipantWithLexBot", params,
               conditions=[("Equals", "A", "a"), ("Equals", "B", "b")], errors=errs),
        *ending("a", "b", "other", "error", "late"),
    )  # fmt: skip


def started_bot(parameters: dict[str, Any] | None = None, text: str = "hi", **attributes: str) -> Harness:
    h = Harness(bot_flow(parameters), **attributes)
    h.start()
    h.say(text)
    return h


def answer(intent: str | None = "A", state: str | None = "Fulfilled", dialog: str | None = None,
           **extra: Any) -> dict[str, Any]:  # fmt: skip
    """A RecognizeText answer (V2 shape)."""
    session: dict[str, Any] = {"intent": {"name": intent, "state": state}}
    if dialog is not None:
        session["dialogAction"] = {"type": dialog}
    return {"sessionState": session, **extra}


# --- Lex: the turn sent ---------------------------------------------------------------------------


def test_a_lex_turn_is_a_recognize_text_request_for_the_bot_s_alias() -> None:
    h = Harness(bot_flow({"LexSessionAttributes": {"n": 1}}), tier="gold")
    h.contact.language = "de-DE"
    h.start()
    (turn,) = h.say("hello bot")
    assert isinstance(turn, LexTurn)
    assert turn.call_id == 1
    assert turn.request == {
        "botAliasArn": "arn:aws:lex:us-east-1:1:bot-alias/B/A",
        "botName": "A",
        "localeId": "de_DE",
        "sessionId": "contact-1",
        "text": "hello bot",
        "sessionState": {"sessionAttributes": {"n": "1"}},
        "requestAttributes": {"x-amz-lex:channels:platform": "Connect Chat"},
    }
    assert h.contact.stored_input == "hello bot"
    assert h.run.waiting_for == "lex"
    h.answer(answer("X", "InProgress", "ElicitSlot"))
    (second,) = h.say("again")
    assert second.call_id == 2


def test_a_lex_v1_bot_is_named_with_its_alias_and_has_no_alias_arn() -> None:
    h = Harness(bot_flow({"LexV2Bot": None, "LexBot": {"Name": "Survey", "Alias": "live"}}))
    h.start()
    (turn,) = h.say("hi")
    assert turn.bot.value == "Survey"
    assert turn.bot.names == ("Survey:live",)
    assert turn.request["botAliasArn"] is None
    assert turn.request["botName"] == "Survey:live"  # the name the bot is known by offline
    v1_without_alias = Harness(bot_flow({"LexV2Bot": None, "LexBot": {"Name": "Survey"}}))
    v1_without_alias.start()
    (turn,) = v1_without_alias.say("hi")
    assert turn.bot.names == ("Survey:",)


@pytest.mark.parametrize(
    "parameters",
    [{"LexV2Bot": {"AliasArn": ""}}, {"LexV2Bot": None, "LexBot": {"Name": ""}}, {"LexV2Bot": "arn:x"}],
)
def test_a_lex_block_without_a_bot_takes_no_matching_error(parameters: dict[str, Any]) -> None:
    h = Harness(bot_flow(parameters))
    assert h.start()[0] == SendMessage("error", "text/plain", "SYSTEM_MESSAGE")
    assert steps(h)[0] == (
        "bot",
        "Error NoMatchingError",
        None,
        "no Lex bot (LexV2Bot.AliasArn or LexBot.Name)",
    )


def test_a_lex_v2_bot_with_an_empty_alias_is_found_by_the_first_designer_name() -> None:
    document = bot_flow({"LexV2Bot": {"AliasArn": ""}})
    document["Metadata"]["ActionMetadata"]["bot"] = {"lexV2BotName": "First", "lexV2BotAliasName": "Second"}
    h = Harness(document)
    h.start()
    (turn,) = h.say("hi")
    assert turn.bot.value == "First"
    assert turn.request["botAliasArn"] is None


def test_lex_session_attributes_are_merged_per_bot_and_carried_from_the_bot_s_answers() -> None:
    h = started_bot({"LexSessionAttributes": {"tier": "$.Attributes.tier", "n": 2}}, tier="gold")
    assert h.last_call().request["sessionState"] == {"sessionAttributes": {"tier": "gold", "n": "2"}}
    h.answer(answer("X", "InProgress", "ElicitSlot", **{"sessionState": {
        "intent": {"name": "X", "state": "InProgress"}, "sessionAttributes": {"seen": 1, "tier": "gold"}}}))  # fmt: skip
    (turn,) = h.say("more")
    assert turn.request["sessionState"]["sessionAttributes"] == {"seen": "1", "tier": "gold"}
    key = "arn:aws:lex:us-east-1:1:bot-alias/B/A"
    assert h.contact.lex_sessions == {key: {"seen": "1", "tier": "gold"}}
    h.answer(answer("A", **{"sessionState": {"intent": {"name": "A", "state": "Fulfilled"},
                                            "sessionAttributes": "not a map"}}))  # fmt: skip
    assert h.contact.lex_sessions == {key: {"seen": "1", "tier": "gold"}}  # kept
    assert h.contact.lex["SessionAttributes"] == {"seen": "1", "tier": "gold"}


@pytest.mark.parametrize("timeout", [{"Text": "90"}, "90", 90])
def test_the_lex_timeout_is_read_from_text_or_a_number(timeout: Any) -> None:
    h = Harness(bot_flow({"LexTimeoutSeconds": timeout}))
    h.start()
    assert h.run.next_deadline() == h.now + 90
    h.advance(89)
    assert h.messages == []
    h.advance(1)
    assert h.messages == ["late"]
    assert steps(h)[0] == ("bot", "Error InputTimeLimitExceeded", None,
                           "the customer did not answer the bot in time")  # fmt: skip


def test_a_lex_block_without_a_timeout_waits_for_ever() -> None:
    h = Harness(bot_flow())
    h.start()
    assert h.run.next_deadline() is None
    assert h.advance(10**9) == []


def test_the_lex_prompt_is_sent_as_the_bot_and_an_interactive_one_as_interactive() -> None:
    h = Harness(bot_flow({"Text": json.dumps(PICKER)}))
    assert h.start() == [SendMessage(json.dumps(PICKER), INTERACTIVE, "BOT")]


@pytest.mark.parametrize("key", ["LexInitilizationData", "LexInitializationData"])
def test_the_lex_initial_message_is_the_first_turn_under_either_spelling(key: str) -> None:
    h = Harness(bot_flow({key: {"InitialMessage": "start"}}))
    (turn,) = h.start()
    assert isinstance(turn, LexTurn)
    assert turn.request["text"] == "start"
    empty = Harness(bot_flow({key: {"InitialMessage": ""}}))
    assert empty.start() == []
    assert empty.run.waiting_for == "lex"
    odd = Harness(bot_flow({key: "start"}))
    assert odd.start() == []


# --- Lex: the bot's answers --------------------------------------------------------------------------


def test_a_lex_answer_that_is_no_mapping_takes_no_matching_error() -> None:
    h = started_bot()
    h.answer(["not", "a", "response"])
    assert h.messages == ["error"]
    assert steps(h)[0] == (
        "bot",
        "Error NoMatchingError",
        None,
        "the bot's answer is not a RecognizeText response",
    )
    assert h.run.waiting_for is None


@pytest.mark.parametrize(
    ("state", "dialog"),
    [("Fulfilled", None), ("ReadyForFulfillment", "ElicitSlot"), ("Failed", None), ("InProgress", "Close")],
)
def test_a_lex_intent_is_finished_when_closed_fulfilled_ready_or_failed(
    state: str, dialog: str | None
) -> None:
    h = started_bot()
    h.answer(answer("B", state, dialog))
    assert h.messages == ["b"]
    assert h.contact.lex["DialogState"] == state
    assert steps(h)[0] == ("bot", "Condition Equals B", "B", None)


@pytest.mark.parametrize(
    ("state", "dialog"), [("InProgress", "ElicitSlot"), (None, None), ("Waiting", "Delegate")]
)
def test_a_lex_intent_in_progress_waits_for_the_customer_s_next_turn(
    state: str | None, dialog: str | None
) -> None:
    h = started_bot({"LexTimeoutSeconds": "30"})
    h.answer(answer("B", state, dialog))
    assert h.messages == []
    assert h.run.waiting_for == "lex"
    assert h.run.next_deadline() == h.now + 30
    assert h.run.trace == []


def test_a_lex_v1_answer_names_its_intent_state_slots_and_message() -> None:
    h = started_bot()
    h.answer({"intentName": "A", "dialogState": "Fulfilled", "slots": {"account": "1234"},
              "message": "Done.", "messageFormat": "PlainText"})  # fmt: skip
    assert h.messages == ["Done.", "a"]
    assert h.contact.lex == {
        "IntentName": "A",
        "Slots": {"account": "1234"},
        "SessionAttributes": {},
        "IntentConfidence": None,
        "DialogState": "Fulfilled",
    }
    assert h.run.trace[0].set == {"$.Lex": h.contact.lex}


def test_lex_v2_slots_take_the_interpreted_value_else_the_original_else_none() -> None:
    h = started_bot()
    slots = {
        "a": {"value": {"interpretedValue": "1", "originalValue": "one"}},
        "b": {"value": {"originalValue": "two"}},
        "c": {"value": None},
        "d": None,
    }
    h.answer({"sessionState": {"intent": {"name": "A", "state": "Fulfilled", "slots": slots}}})
    assert h.contact.lex["Slots"] == {"a": "1", "b": "two", "c": None, "d": None}
    odd = started_bot()
    odd.answer({"sessionState": {"intent": {"name": "A", "state": "Fulfilled", "slots": ["a"]}}})
    assert odd.contact.lex["Slots"] == {}


@pytest.mark.parametrize(
    ("interpretations", "score"),
    [
        ([{"nluConfidence": {"score": 0.87}}, {"nluConfidence": {"score": 0.1}}], 0.87),
        ([{"nluConfidence": 0.5}], 0.5),
        ([{"intent": {}}], None),
        ([], None),
        (["x"], None),
        ({"nluConfidence": 0.5}, None),
    ],
)
def test_the_lex_intent_confidence_is_the_first_interpretation_s_score(
    interpretations: Any, score: Any
) -> None:
    h = started_bot()
    h.answer(answer(interpretations=interpretations))
    assert h.contact.lex["IntentConfidence"] == (None if score is None else {"Score": score})


def test_a_queued_customer_message_becomes_the_next_turn_when_the_bot_asks_more() -> None:
    h = started_bot({"LexTimeoutSeconds": "30"}, text="one")
    assert h.say("two") == []
    assert h.say("three") == []
    (turn,) = h.answer(answer("X", "InProgress", "ElicitSlot"))
    assert turn.request["text"] == "two"
    assert h.run.next_deadline() is None  # the bot is answering again
    (turn,) = h.answer(answer("X", "InProgress", "ElicitSlot"))
    assert turn.request["text"] == "three"
    assert h.answer(answer("X", "InProgress", "ElicitSlot")) == []
    assert h.run.next_deadline() == h.now + 30


def test_a_lex_call_that_fails_takes_no_matching_error_with_the_reason() -> None:
    h = started_bot()
    h.fail("throttled")
    assert h.messages == ["error"]
    assert steps(h)[0] == ("bot", "Error NoMatchingError", None, "throttled")
    assert h.run.waiting_for is None


def test_an_answer_to_another_call_is_ignored() -> None:
    h = started_bot()
    h.run.handle(h.now, CallResult(99, answer("A")))
    h.run.handle(h.now, CallFailed(99, "late"))
    assert h.run.drain() == []
    assert h.run.waiting_for == "lex"
    h.answer(answer("A"))
    assert h.messages == ["a"]


# --- Lex: the messages a bot shows -------------------------------------------------------------------


def test_bot_messages_are_sent_as_bot_in_order_skipping_empty_and_malformed_ones() -> None:
    h = started_bot()
    h.answer(answer("X", "InProgress", "ElicitSlot", messages=[
        {"contentType": "PlainText", "content": "one"},
        "not a message",
        {"contentType": "PlainText", "content": ""},
        {"contentType": "PlainText", "content": 3},
        {"contentType": "CustomPayload", "content": json.dumps(PICKER)},
        {"contentType": "ImageResponseCard", "content": "fallback", "imageResponseCard": {"title": "Card"}},
        {"contentType": "ImageResponseCard", "content": "no title", "imageResponseCard": {"buttons": []}},
        {"contentType": "ImageResponseCard", "content": "no card", "imageResponseCard": "x"},
        {"contentType": "PlainText", "imageResponseCard": {"title": "not a card message"}},
    ]))  # fmt: skip
    sent = [(c.content, c.content_type, c.display_name) for c in h.commands if isinstance(c, SendMessage)]
    assert sent == [
        ("one", "text/plain", "BOT"),
        (json.dumps(PICKER), INTERACTIVE, "BOT"),
        ("Card", "text/plain", "BOT"),
        ("no title", "text/plain", "BOT"),
        ("no card", "text/plain", "BOT"),
    ]


def test_a_lex_v1_message_is_sent_only_when_there_is_one() -> None:
    h = started_bot()
    h.answer({"intentName": "X", "dialogState": "ElicitSlot", "message": ""})
    assert h.messages == []
    h.say("again")
    h.answer({"intentName": "X", "dialogState": "ElicitSlot", "message": "v1", "messages": "not a list"})
    assert h.messages == ["v1"]


@pytest.mark.parametrize(
    ("text", "content_type"),
    [
        (json.dumps(PICKER), INTERACTIVE),
        ("  " + json.dumps(PICKER), INTERACTIVE),
        ('{"type": "x"}', "text/plain"),
        ("[1]", "text/plain"),
        ('{"templateType": ', "text/plain"),
        ('["templateType"]', "text/plain"),
        ("plain {", "text/plain"),
    ],
)
def test_a_message_is_interactive_only_when_it_is_a_template_object(text: str, content_type: str) -> None:
    h = Harness(flow("F", say("m", text, "end"), disconnect()))
    assert h.start()[0] == SendMessage(text, content_type, "SYSTEM_MESSAGE")


# --- Lambda ---------------------------------------------------------------------------------------


def fn_flow(parameters: dict[str, Any] | None = None, validation: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:f",
        **(parameters or {}),
    }
    if validation is not None:
        params["ResponseValidation"] = {"ResponseType": validation}
    return flow(
        "Fn",
        action("fn", "InvokeLambdaFunction", params, "ok", errors={"NoMatchingError": "error"}),
        *ending("ok", "error"),
    )


def called(
    parameters: dict[str, Any] | None = None, validation: str | None = None, **attributes: str
) -> Harness:
    h = Harness(fn_flow(parameters, validation), **attributes)
    h.start()
    return h


def test_a_lambda_without_a_function_takes_no_matching_error() -> None:
    h = Harness(flow("Fn", action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "$.Attributes.fn"}, "ok",
                                  errors={"NoMatchingError": "error"}), *ending("ok", "error")))  # fmt: skip
    h.start()
    assert h.messages == ["error"]
    assert steps(h)[0] == ("fn", "Error NoMatchingError", None, "no LambdaFunctionARN")


@pytest.mark.parametrize(("limit", "timeout"), [(None, 3.0), ("5", 5.0), ("8", 8.0), ("20", 8.0), ("0", 3.0)])
def test_a_lambda_call_waits_its_time_limit_at_most_8_seconds_3_by_default(
    limit: Any, timeout: float
) -> None:
    # from an attribute: the document check of the literal's range does not see it
    h = called(
        None if limit is None else {"InvocationTimeLimitSeconds": "$.Attributes.limit"}, limit=limit or ""
    )
    call = h.last_call()
    assert isinstance(call, InvokeLambda)
    assert call.timeout == timeout
    assert call.asynchronous is False
    assert call.call_id == 1
    assert h.run.waiting_for == "call"
    assert h.run.next_deadline() is None  # the shell times the call out


def test_an_asynchronous_lambda_keeps_its_whole_time_limit_and_goes_on_at_once() -> None:
    h = Harness(
        fn_flow(
            {"InvocationType": "ASYNCHRONOUS", "InvocationTimeLimitSeconds": "$.Attributes.limit"}, "JSON"
        ),
        limit="60",
    )
    commands = h.start()
    event = {
        "Details": {"ContactData": h.contact.contact_data(), "Parameters": {}},
        "Name": "ContactFlowEvent",
    }
    function = Ref("arn:aws:lambda:us-east-1:1:function:f")
    assert commands[0] == InvokeLambda(1, function, event, 60.0, "JSON", True)
    assert h.messages == ["ok"]
    assert steps(h)[0] == ("fn", "NextAction", None, "invoked asynchronously")
    follow = Harness(
        flow(
            "Fn",
            action("a", "InvokeLambdaFunction", {"LambdaFunctionARN": "f"}, "b"),
            action(
                "b", "InvokeLambdaFunction", {"LambdaFunctionARN": "f", "InvocationType": "ASYNCHRONOUS"}, "c"
            ),
            action("c", "InvokeLambdaFunction", {"LambdaFunctionARN": "f"}, "end"),
            disconnect(),
        )
    )
    follow.start()
    follow.answer({})
    follow.answer({})
    assert [c.call_id for c in follow.commands if isinstance(c, InvokeLambda)] == [1, 2, 3]


def test_the_lambda_event_carries_the_contact_data_and_the_parameters_as_text() -> None:
    h = called({"LambdaInvocationAttributes": {"n": 2, "on": True, "who": "$.Attributes.who"}}, who="Ann")
    call = h.last_call()
    assert call.event == {
        "Details": {
            "ContactData": h.contact.contact_data(),
            "Parameters": {"n": "2", "on": "true", "who": "Ann"},
        },
        "Name": "ContactFlowEvent",
    }
    assert call.function.value == "arn:aws:lambda:us-east-1:1:function:f"
    plain = called({"LambdaInvocationAttributes": "x"})
    assert plain.last_call().event["Details"]["Parameters"] == {}


@pytest.mark.parametrize(("validation", "kind"), [(None, "STRING_MAP"), ("STRING_MAP", "STRING_MAP"),
                                                  ("JSON", "JSON"), ("json", "STRING_MAP")])  # fmt: skip
def test_the_lambda_response_type_is_json_only_when_validation_says_json(
    validation: str | None, kind: str
) -> None:
    h = called(validation=validation)
    assert h.last_call().response_type == kind
    h.answer({"deep": {"x": 1}})
    assert h.messages == ["ok" if kind == "JSON" else "error"]


def test_a_string_map_answer_is_kept_as_text_and_set_as_external() -> None:
    h = called()
    h.answer({"n": 1, "f": 1.5, "b": False, "s": "x", "none": None})
    assert h.contact.external == {"n": "1", "f": "1.5", "b": "false", "s": "x", "none": ""}
    assert h.run.trace[0].set == {"$.External": h.contact.external}
    assert steps(h)[0] == ("fn", "NextAction", None, None)


def test_a_string_map_answer_with_lists_or_objects_names_them_in_the_error() -> None:
    h = called()
    h.answer({"a": [1], "b": "x", "c": {"d": 1}})
    assert h.messages == ["error"]
    assert steps(h)[0][3] == "STRING_MAP response validation: a, c not a string"
    assert h.contact.external == {}


def test_a_json_answer_is_kept_as_json() -> None:
    h = called(validation="JSON")
    h.answer({"n": 1, "deep": {"list": [1, "a"]}})
    assert h.contact.external == {"n": 1, "deep": {"list": [1, "a"]}}


@pytest.mark.parametrize("raw", ['{"k": "v"}', b'{"k": "v"}'])
def test_a_lambda_answer_given_as_json_text_is_read(raw: Any) -> None:
    h = called()
    h.answer(raw)
    assert h.contact.external == {"k": "v"}
    assert h.messages == ["ok"]


@pytest.mark.parametrize(
    ("value", "note"),
    [
        ("not json", "the function's answer is not JSON"),
        ("[1, 2]", "the function answered list, not an object"),
        (7, "the function answered int, not an object"),
        ({"k": {1, 2}}, "the function's answer is not JSON-serializable"),
        ({"k": float("nan")}, None),
    ],
)
def test_a_lambda_answer_that_is_no_json_object_takes_no_matching_error(value: Any, note: str | None) -> None:
    h = called(validation="JSON")
    h.answer(value)
    if note is None:  # NaN is written by json.dumps: the answer is kept
        assert h.messages == ["ok"]
        return
    assert h.messages == ["error"]
    assert steps(h)[0] == ("fn", "Error NoMatchingError", None, note)


def test_a_lambda_answering_nothing_sets_an_empty_external() -> None:
    h = called()
    h.contact.external = {"old": "x"}
    h.answer(None)
    assert h.contact.external == {}
    assert h.messages == ["ok"]


def test_a_lambda_answer_may_be_32_kib_and_not_one_byte_more() -> None:
    def sized(size: int) -> dict[str, str]:
        return {"k": "x" * (size - len(json.dumps({"k": ""})))}

    assert len(json.dumps(sized(32 * 1024))) == 32 * 1024
    fits = called()
    fits.answer(sized(32 * 1024))
    assert fits.messages == ["ok"]
    over = called()
    over.answer(sized(32 * 1024 + 1))
    assert over.messages == ["error"]
    assert steps(over)[0][3] == "the function's answer is over 32768 bytes"


# --- attributes ------------------------------------------------------------------------------------


def attributes_flow(attributes: Any, **parameters: Any) -> dict[str, Any]:
    return flow(
        "A",
        action("set", "UpdateContactAttributes", {"Attributes": attributes, **parameters}, "ok",
               errors={"NoMatchingError": "error"}),
        *ending("ok", "error"),
    )  # fmt: skip


def test_update_contact_attributes_sets_each_value_as_text_and_records_it() -> None:
    h = Harness(attributes_flow({"n": 3, "s": "x", "b": True}), old="kept")
    h.start()
    assert h.contact.attributes == {"old": "kept", "n": "3", "s": "x", "b": "true"}
    assert h.run.trace[0].set == {"$.Attributes.n": "3", "$.Attributes.s": "x", "$.Attributes.b": "true"}
    assert steps(h)[0] == ("set", "NextAction", None, None)


def test_update_contact_attributes_names_the_references_that_name_nothing() -> None:
    h = Harness(attributes_flow({"a": "$.External.none", "b": "x", "c": "$.Lex.none"}))
    h.start()
    assert h.contact.attributes == {"b": "x"}
    assert steps(h)[0][3] == "nothing to set for a, c (the reference names nothing)"


@pytest.mark.parametrize(
    ("target", "attributes", "note"),
    [
        ("Current", {"b": "x"}, None),
        ("Related", {"b": "x"}, "TargetContact Related is set on this contact offline"),
        ("Related", {"a": "$.External.none"},
         "nothing to set for a (the reference names nothing); TargetContact Related is set on this contact offline"),
    ],
)  # fmt: skip
def test_update_contact_attributes_of_another_contact_sets_them_on_this_one(
    target: str, attributes: dict[str, str], note: str | None
) -> None:
    h = Harness(attributes_flow(attributes, TargetContact=target))
    h.start()
    assert steps(h)[0] == ("set", "NextAction", None, note)


@pytest.mark.parametrize("attributes", ["$.Attributes.none", "text", ["a"]])
def test_update_contact_attributes_that_are_no_object_take_no_matching_error(attributes: Any) -> None:
    h = Harness(attributes_flow(attributes))
    h.start()
    assert h.messages == ["error"]
    assert steps(h)[0] == ("set", "Error NoMatchingError", None, "Attributes must be an object")


def test_update_flow_attributes_takes_values_or_their_value_field_and_records_them() -> None:
    h = Harness(flow("F", action("fa", "UpdateFlowAttributes",
                                 {"FlowAttributes": {"a": {"Value": "1", "Type": "String"}, "b": "2", "c": {"x": 1}}},
                                 "show", errors={"NoMatchingError": "error"}),
                     say("show", "[$.FlowAttributes.a][$.FlowAttributes.b][$.FlowAttributes.c]", "end"), disconnect(),
                     *ending("error")))  # fmt: skip
    h.start()
    assert h.messages == ["[1][2][]"]
    assert h.run.trace[0].set == {
        "$.FlowAttributes.a": "1",
        "$.FlowAttributes.b": "2",
        "$.FlowAttributes.c": None,
    }
    assert h.contact.attributes == {}
    bad = Harness(flow("F", action("fa", "UpdateFlowAttributes", {"FlowAttributes": "x"}, "end",
                                   errors={"NoMatchingError": "error"}), disconnect(), *ending("error")))  # fmt: skip
    bad.start()
    assert bad.messages == ["error"]
    assert steps(bad)[0] == ("fa", "Error NoMatchingError", None, "FlowAttributes must be an object")


def test_update_contact_data_sets_the_language_or_has_no_effect_offline() -> None:
    h = Harness(flow("U", action("u", "UpdateContactData", {"LanguageCode": "$.Attributes.lang"}, "end"),
                     disconnect()), lang="es-US")  # fmt: skip
    h.start()
    assert h.contact.language == "es-US"
    assert h.run.trace[0].set == {"$.LanguageCode": "es-US"}
    assert steps(h)[0] == ("u", "NextAction", None, None)
    for parameters in ({"LanguageCode": ""}, {"Name": "x"}):
        other = Harness(flow("U", action("u", "UpdateContactData", parameters, "end"), disconnect()))
        other.start()
        assert other.contact.language == "en-US"
        assert steps(other)[0] == ("u", "NextAction", None, "no effect offline")


# --- queues and hooks ------------------------------------------------------------------------------


def target_queue_flow(parameters: dict[str, Any]) -> dict[str, Any]:
    return flow("Q", action("q", "UpdateContactTargetQueue", parameters, "ok", errors={"NoMatchingError": "error"}),
                *ending("ok", "error"))  # fmt: skip


def test_the_working_queue_is_the_queue_id_else_the_agent_id() -> None:
    h = Harness(
        target_queue_flow({"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q1", "AgentId": "ag"})
    )
    h.start()
    assert h.contact.queue is not None
    assert h.contact.queue.value == "arn:aws:connect:us-east-1:1:instance/i/queue/q1"
    assert h.run.trace[0].set == {"$.Queue": {"ARN": "arn:aws:connect:us-east-1:1:instance/i/queue/q1",
                                              "Id": "q1", "Name": "q1", "OutboundCallerId": None}}  # fmt: skip
    assert h.messages == ["ok"]
    agent = Harness(target_queue_flow({"QueueId": "", "AgentId": "$.Attributes.agent"}), agent="agent-7")
    agent.start()
    assert agent.contact.queue is not None
    assert agent.contact.queue_data() == {
        "ARN": None,
        "Id": "agent-7",
        "Name": "agent-7",
        "OutboundCallerId": None,
    }
    nothing = Harness(target_queue_flow({"QueueId": "$.Attributes.q", "AgentId": "$.Attributes.a"}))
    nothing.start()
    assert nothing.contact.queue is None
    assert nothing.messages == ["error"]
    assert steps(nothing)[0] == ("q", "Error NoMatchingError", None, "no queue (QueueId) or agent (AgentId)")


def test_a_transfer_to_queue_reads_the_queue_and_waits_for_the_answer() -> None:
    h = Harness(queue_flow())
    h.start()
    assert [s.identifier for s in h.run.trace] == ["set"]  # the transfer waits for its answer
    assert h.run.waiting_for == "call"
    h.answer(True)
    xfer = h.run.trace[-1]
    assert (xfer.branch, xfer.result, xfer.note) == ("End", "Queued", "in queue 'q-1'")
    assert xfer.read == {"$.Queue": h.contact.queue_data()}
    assert h.run.done
    assert h.run.outcome == "queued"
    assert h.commands[-1] == FlowEnded("queued")
    unset = Harness(flow("Q", action("x", "TransferContactToQueue", {}, errors={"NoMatchingError": "error"}),
                         *ending("error")))  # fmt: skip
    unset.start()
    assert steps(unset)[0] == (
        "x",
        "Error NoMatchingError",
        None,
        "no working queue set (UpdateContactTargetQueue)",
    )


def test_a_queue_at_capacity_says_so() -> None:
    h = Harness(queue_flow())
    h.start()
    h.answer(False)
    assert steps(h)[1] == ("xfer", "Error QueueAtCapacity", None, "the queue is at capacity")


def test_a_dequeue_without_a_queue_takes_no_matching_error_and_calls_nothing() -> None:
    h = Harness(flow("Q", action("move", "DequeueContactAndTransferToQueue", {"AgentId": "$.Attributes.none"},
                                 errors={"NoMatchingError": "error"}), *ending("error")), role="customer_queue")  # fmt: skip
    h.start()
    assert h.messages == ["error"]
    assert not any(isinstance(c, QueueContact) for c in h.commands)
    assert steps(h)[0] == ("move", "Error NoMatchingError", None, "no queue (QueueId) or agent (AgentId)")


def hooks_flow(hooks: Any) -> dict[str, Any]:
    return flow("H", action("hooks", "UpdateContactEventHooks", {"EventHooks": hooks}, "ok",
                            errors={"NoMatchingError": "error"}), *ending("ok", "error"))  # fmt: skip


def test_event_hooks_are_set_as_named_and_an_empty_one_removed() -> None:
    h = Harness(
        hooks_flow({"CustomerQueue": "$.Attributes.queue_flow", "CustomerRemaining": ""}), queue_flow="QF"
    )
    h.contact.hooks["CustomerRemaining"] = Ref("old")
    h.start()
    assert h.contact.hooks == {"CustomerQueue": Ref("QF")}
    assert h.run.trace[0].set == {"EventHooks.CustomerQueue": "QF"}
    assert h.messages == ["ok"]
    named = flow("H", action("hooks", "UpdateContactEventHooks", {"EventHooks": {"CustomerQueue": "arn:x"}}, "end"),
                 disconnect())  # fmt: skip
    named["Metadata"]["ActionMetadata"]["hooks"] = {"CustomerQueue": {"text": "Queue flow"}}
    k = Harness(named)
    k.start()
    assert k.contact.hooks["CustomerQueue"].names == ("Queue flow",)


@pytest.mark.parametrize("hooks", [{}, "x", "$.Attributes.none"])
def test_event_hooks_that_are_no_object_take_no_matching_error(hooks: Any) -> None:
    h = Harness(hooks_flow(hooks))
    h.start()
    assert steps(h)[0] == ("hooks", "Error NoMatchingError", None, "EventHooks must be an object")


# --- flows and modules -----------------------------------------------------------------------------


def module(name: str, *actions: dict[str, Any]) -> dict[str, Any]:
    return flow(name, *actions, Settings={"InputParameters": []})


def broken(name: str, **extra: Any) -> dict[str, Any]:
    return flow(name, action("x", "PlayPromptInVoice", {}, "end"), disconnect(), **extra)


def caller(kind: str, reference: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    key = "ContactFlowId" if kind == "TransferToFlow" else "FlowModuleId"
    return flow("Main", action("go", kind, {key: reference, **(parameters or {})}, "after",
                               errors={"NoMatchingError": "error"}), *ending("after", "error"))  # fmt: skip


def test_a_transfer_to_flow_records_the_flow_and_starts_it_afresh() -> None:
    other = flow("Other", say("o", "[$.FlowAttributes.a] [$.Modules.Input.x]", "end"), disconnect())
    h = Harness(caller("TransferToFlow", "Other"), other)
    h.start()
    assert h.messages == ["[] []"]
    first = h.run.trace[0]
    assert (first.flow, first.branch, first.next_action, first.result, first.note) == (
        "Main", "NextAction", "o", "Other", "to flow 'Other'")  # fmt: skip
    assert [s.flow for s in h.run.trace] == ["Main", "Other", "Other"]
    assert h.run.flow.name == "Other"


def test_a_transfer_to_a_flow_module_or_to_nothing_takes_no_matching_error() -> None:
    for reference in ("Greeter", "$.Attributes.none"):
        h = Harness(
            caller("TransferToFlow", reference), module("Greeter", action("d", "EndFlowModuleExecution"))
        )
        h.start()
        assert h.messages == ["error"]
    h = Harness(caller("TransferToFlow", "Nowhere"))
    h.start()
    assert steps(h)[0] == ("go", "Error NoMatchingError", None, "no loaded flow is 'Nowhere'")


def test_a_transfer_to_a_flow_with_problems_fails_the_run() -> None:
    h = Harness(caller("TransferToFlow", "Bad"), broken("Bad"))
    h.start()
    assert h.outcome == "failed"
    assert h.run.trace[0].note == "to flow 'Bad'"
    assert [type(c).__name__ for c in h.commands] == ["Disconnect", "FlowEnded"]
    assert "PlayPromptInVoice" in h.commands[-1].reason
    assert len(h.run.trace) == 1


def test_a_module_gets_its_input_and_returns_to_the_invoker_s_next_action() -> None:
    greeter = module("Greeter", say("g", "hi $.Modules.Input.who [$.FlowAttributes.f]", "done"),
                     action("done", "EndFlowModuleExecution"))  # fmt: skip
    main = caller("InvokeFlowModule", "Greeter", {"Parameters": {"who": "$.Attributes.name"}})
    main["Actions"].insert(0, action("fa", "UpdateFlowAttributes", {"FlowAttributes": {"f": "main's"}}, "go"))
    main["StartAction"] = "fa"
    h = Harness(main, greeter, name="Ann")
    h.start()
    assert h.messages == ["hi Ann []", "after"]
    assert [(s.flow, s.identifier, s.branch, s.next_action, s.result, s.note) for s in h.run.trace[1:5]] == [
        ("Main", "go", "InvokeFlowModule", "g", "Greeter", "into module 'Greeter'"),
        ("Greeter", "g", "NextAction", "done", None, None),
        ("Greeter", "done", "End", None, None, None),
        ("Main", "go", "NextAction", "after", None, "back from the module"),
    ]


def test_a_module_without_parameters_gets_no_input() -> None:
    greeter = module(
        "Greeter", say("g", "hi [$.Modules.Input.who]", "done"), action("done", "EndFlowModuleExecution")
    )
    for parameters in ({}, {"Parameters": "x"}):
        h = Harness(caller("InvokeFlowModule", "Greeter", parameters), greeter)
        h.start()
        assert h.messages == ["hi []", "after"]


def test_a_module_that_is_not_loaded_or_a_flow_takes_no_matching_error() -> None:
    h = Harness(caller("InvokeFlowModule", "Other"), flow("Other", disconnect()))
    h.start()
    assert steps(h)[0] == ("go", "Error NoMatchingError", None, "no loaded flow module is 'Other'")
    none = Harness(caller("InvokeFlowModule", "$.Attributes.none"), module("Greeter", disconnect()))
    none.start()
    assert none.messages == ["error"]


def test_a_module_with_problems_fails_the_run() -> None:
    h = Harness(caller("InvokeFlowModule", "Bad"), broken("Bad", Settings={}))
    h.start()
    assert h.outcome == "failed"
    assert h.run.trace[0].note == "into module 'Bad'"
    assert len(h.run.trace) == 1
    assert "PlayPromptInVoice" in h.commands[-1].reason


def test_a_module_s_end_without_a_next_action_ends_the_flow() -> None:
    greeter = module("Greeter", action("done", "EndFlowModuleExecution"))
    main = flow("Main", action("go", "InvokeFlowModule", {"FlowModuleId": "Greeter"}))
    h = Harness(main, greeter)
    h.start()
    assert h.outcome == "ended"
    assert steps(h)[-1] == ("go", "NextAction", None, "back from the module")
    assert h.commands[-1] == FlowEnded("ended", "no transition after 'go' (NextAction)")


def test_end_flow_module_execution_outside_a_module_ends_the_flow() -> None:
    h = Harness(flow("Main", action("done", "EndFlowModuleExecution")))
    h.start()
    assert steps(h) == [("done", "End", None, "not in a module: the flow ends")]
    assert h.commands == [Disconnect(), FlowEnded("ended", "EndFlowModuleExecution outside a module")]


# --- endings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "disconnects"),
    [("inbound", True), ("disconnect", True), ("customer_queue", False), ("whisper", False)],
)
def test_a_flow_that_ends_disconnects_the_customer_in_an_inbound_or_disconnect_flow(
    role: str, disconnects: bool
) -> None:
    ended = Harness(flow("E", action("e", "EndFlowExecution")), role=role)
    ended.start()
    assert steps(ended) == [("e", "End", None, None)]
    assert ended.commands == [Disconnect()] * disconnects + [FlowEnded("ended", "EndFlowExecution")]
    assert (ended.run.done, ended.run.outcome) == (True, "ended")
    failed = Harness(flow("F", action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "x"})), role=role)
    failed.start()
    failed.fail("boom")
    reason = "'fn' (InvokeLambdaFunction) took Error NoMatchingError and has no such branch"
    assert failed.commands[1:] == [Disconnect()] * disconnects + [FlowEnded("failed", reason)]
    assert steps(failed) == [("fn", "Error NoMatchingError", None, "boom")]
    assert (failed.run.done, failed.run.outcome, failed.run.waiting_for) == (True, "failed", None)


def test_an_unknown_role_is_refused() -> None:
    flows = ContactFlows(flow("F", disconnect()))
    with pytest.raises(ValueError, match="unknown role 'agent'"):
        FlowRun(flows.flows[0], ContactState("c", flows.instance_arn), flows.find, role="agent")


def test_disconnect_participant_disconnects_and_ends_the_run() -> None:
    h = Harness(flow("D", disconnect("bye")), role="customer_queue")
    assert h.start() == [Disconnect(), FlowEnded("disconnected")]
    assert steps(h) == [("bye", "End", None, None)]
    assert (h.run.done, h.run.outcome, h.run.next_deadline()) == (True, "disconnected", None)


def test_stopping_a_run_records_what_it_waited_for_and_ends_it_once() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    h.start()
    h.run.stop(h.now + 5, "agent joined")
    assert h.run.drain() == [FlowEnded("stopped", "agent joined")]
    assert steps(h) == [("w", "Stopped", None, "agent joined")]
    assert h.run.trace[0].at == h.now + 5
    assert (h.run.done, h.run.outcome, h.run.waiting_for, h.run.next_deadline()) == (
        True,
        "stopped",
        None,
        None,
    )
    h.run.stop(h.now + 6, "again")
    assert h.run.drain() == []
    assert len(h.run.trace) == 1
    done = Harness(flow("D", disconnect()))
    done.start()
    done.run.stop(done.now, "late")
    assert done.run.drain() == []
    assert done.run.outcome == "disconnected"


def test_a_run_stopped_before_it_waits_records_nothing() -> None:
    h = Harness(flow("D", disconnect()))
    h.run.stop(h.now, "customer left")
    assert h.run.drain() == [FlowEnded("stopped", "customer left")]
    assert h.run.trace == []


def test_a_run_starts_once() -> None:
    h = Harness(flow("F", say("m", "hi", "end"), disconnect()))
    h.start()
    h.run.start(h.now + 1)
    assert h.run.drain() == []
    assert h.messages == ["hi"]


def test_a_flow_s_problems_fail_its_run_at_once_for_any_role() -> None:
    for role, first in (("inbound", [Disconnect()]), ("whisper", [])):
        h = Harness(broken("Bad"), role=role)
        h.start()
        assert h.commands[:-1] == first
        assert h.run.outcome == "failed"
        assert h.commands[-1].reason == "; ".join(str(p) for p in h.run.flow.problems)
        assert h.run.trace == []


def test_an_action_the_emulator_does_not_run_stops_the_run_when_the_flow_was_not_checked() -> None:
    flows = ContactFlows(
        flow("F", say("m", "hi", "x"), action("x", "PlayPromptInVoice", {}, "end"), disconnect())
    )
    unchecked = dataclasses.replace(flows.flows[0], problems=())
    run = FlowRun(unchecked, ContactState("c", flows.instance_arn), flows.find, role="whisper")
    run.start(5.0)
    commands = run.drain()
    assert commands[1:] == [FlowEnded("failed", "'x': the emulator does not run PlayPromptInVoice")]
    last = run.trace[-1]
    assert (last.identifier, last.type, last.branch, last.next_action, last.note, last.at) == (
        "x", "PlayPromptInVoice", "Stopped", None, "the emulator does not run this action type", 5.0)  # fmt: skip


def test_a_run_of_more_actions_than_its_limit_without_waiting_is_stopped() -> None:
    flows = ContactFlows(flow("Spin", action("a", "UpdateFlowLoggingBehavior", {}, "b"),
                              action("b", "UpdateFlowLoggingBehavior", {}, "a")))  # fmt: skip
    run = FlowRun(flows.flows[0], ContactState("c", flows.instance_arn), flows.find, max_steps=3)
    run.start(0.0)
    assert [(s.identifier, s.branch) for s in run.trace] == [("a", "NextAction"), ("b", "NextAction"),
                                                             ("a", "NextAction"), ("b", "Stopped")]  # fmt: skip
    assert run.trace[-1].note == "3 actions ran without waiting for anything"
    assert run.drain() == [Disconnect(), FlowEnded("failed", "more than 3 actions without waiting (a loop?)")]


# --- branching ---------------------------------------------------------------------------------------


def compare_flow(errors: dict[str, str] | None, next_action: str | None = None) -> dict[str, Any]:
    return flow("C", action("c", "Compare", {"ComparisonValue": "$.Attributes.v"}, next_action,
                            conditions=[("Equals", "$.Attributes.want", "hit"), ("NumberLessThan", "5", "small")],
                            errors=errors), *ending("hit", "small", "none", "next", "error"))  # fmt: skip


def test_a_condition_s_operand_may_be_a_reference_and_the_trace_names_what_it_was() -> None:
    h = Harness(compare_flow({"NoMatchingCondition": "none"}), v="gold", want="gold")
    h.start()
    assert h.messages == ["hit"]
    step = h.run.trace[0]
    assert (step.branch, step.next_action, step.result, step.note) == (
        "Condition Equals gold",
        "hit",
        "gold",
        None,
    )
    assert step.read == {"$.Attributes.v": "gold", "$.Attributes.want": "gold"}


def test_the_first_matching_condition_wins_in_order() -> None:
    h = Harness(compare_flow({"NoMatchingCondition": "none"}), v="3", want="3")
    h.start()
    assert h.messages == ["hit"]
    small = Harness(compare_flow({"NoMatchingCondition": "none"}), v="3", want="x")
    small.start()
    assert small.messages == ["small"]
    assert small.run.trace[0].branch == "Condition NumberLessThan 5"


def test_no_matching_condition_goes_to_its_branch_else_next_action_else_no_matching_error() -> None:
    branch = Harness(compare_flow({"NoMatchingCondition": "none"}, "next"), v="9", want="x")
    branch.start()
    assert branch.messages == ["none"]
    assert steps(branch)[0] == ("c", "Error NoMatchingCondition", None, "no condition matches '9'")
    on = Harness(compare_flow(None, "next"), v="9", want="x")
    on.start()
    assert on.messages == ["next"]
    assert steps(on)[0] == ("c", "NextAction", "9", None)
    error = Harness(compare_flow({"NoMatchingError": "error"}), v="9", want="x")
    error.start()
    assert error.messages == ["error"]
    assert steps(error)[0] == (
        "c",
        "Error NoMatchingError (for NoMatchingCondition)",
        None,
        "no condition matches '9'",
    )
    nowhere = Harness(compare_flow({"InputTimeLimitExceeded": "error"}), v="9", want="x")
    nowhere.start()
    assert nowhere.outcome == "failed"
    assert steps(nowhere)[0] == (
        "c",
        "Error NoMatchingError (for NoMatchingCondition)",
        None,
        "no condition matches '9'",
    )
    assert nowhere.commands[-1].reason == (
        "'c' (Compare) took Error NoMatchingError (for NoMatchingCondition) and has no such branch"
    )


def test_nothing_to_compare_matches_no_condition() -> None:
    h = Harness(compare_flow({"NoMatchingCondition": "none"}), want="")
    h.start()
    assert h.messages == ["none"]
    assert steps(h)[0] == ("c", "Error NoMatchingCondition", None, "no condition matches None")


def test_an_error_without_its_branch_goes_to_no_matching_error_else_next_action_naming_both() -> None:
    h = Harness(bot_flow({"LexTimeoutSeconds": "10"}, NoMatchingError="error"))
    h.start()
    h.advance(10)
    assert h.messages == ["error"]
    assert steps(h)[0] == ("bot", "Error NoMatchingError (for InputTimeLimitExceeded)", None,
                           "the customer did not answer the bot in time")  # fmt: skip
    document = flow(
        "N", action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "f"}, "next"), *ending("next")
    )
    quiet = Harness(document)
    quiet.start()
    quiet.fail("")
    assert quiet.messages == ["next"]
    assert steps(quiet)[0] == ("fn", "NextAction", None, "Error NoMatchingError has no branch: NextAction")


def test_distribute_by_percentage_draws_to_two_decimals_and_names_the_draw() -> None:
    document = flow("D", action("d", "DistributeByPercentage", {},
                                conditions=[("NumberLessThan", "30", "a"), ("NumberLessThan", "100", "b")]),
                    *ending("a", "b"))  # fmt: skip
    for draw, message, note in ((0.29996, "b", "drew 30 of 100"), (0.1234, "a", "drew 12.34 of 100")):
        h = Harness(document, draw=draw)
        h.start()
        assert h.messages == [message]
        assert h.run.trace[0].note == note
        assert h.run.trace[0].result == note.split()[1]


# --- loops -------------------------------------------------------------------------------------------


def test_a_loop_counts_per_action_and_per_flow_and_notes_each_time() -> None:
    document = flow(
        "L",
        action("loop", "Loop", {"LoopCount": "$.Attributes.n"},
               conditions=[("Equals", "ContinueLooping", "again"), ("Equals", "DoneLooping", "done")]),
        say("again", "again", "loop"),
        say("done", "done", "end"), disconnect(),
    )  # fmt: skip
    h = Harness(document, n="2")
    h.start()
    notes = [s.note for s in h.run.trace if s.identifier == "loop"]
    assert notes == ["time 1 of 2", "time 2 of 2", None]
    assert [s.result for s in h.run.trace if s.identifier == "loop"] == ["ContinueLooping", "ContinueLooping",
                                                                         "DoneLooping"]  # fmt: skip
    bad = Harness(flow("L", action("loop", "Loop", {"LoopCount": "$.Attributes.n"}, errors={"NoMatchingError": "e"},
                                   conditions=[("Equals", "DoneLooping", "e")]), *ending("e")), n="many")  # fmt: skip
    bad.start()
    assert steps(bad)[0] == ("loop", "Error NoMatchingError", None, "LoopCount is not a number")


def test_a_loop_starts_over_once_it_is_done() -> None:
    document = flow(
        "L",
        action("loop", "Loop", {"LoopCount": "1"},
               conditions=[("Equals", "ContinueLooping", "again"), ("Equals", "DoneLooping", "done")]),
        say("again", "again", "loop"),
        action("done", "Wait", {"TimeLimitSeconds": "5"}, conditions=[("Equals", "WaitCompleted", "loop")]),
    )  # fmt: skip
    h = Harness(document)
    h.start()
    h.advance(5)
    assert h.messages == ["again", "again"]
    assert h.run.waiting_for == "wait"


# --- Wait ----------------------------------------------------------------------------------------------


def test_a_wait_of_nothing_or_no_time_takes_no_matching_error_naming_it() -> None:
    for raw in ("$.Attributes.none", "0", "-5"):
        h = Harness(waiting_flow({"TimeLimitSeconds": "$.Attributes.t"}), t=raw)
        h.start()
        assert h.messages == ["error"]
        assert steps(h)[0] == ("w", "Error NoMatchingError", None,
                               "the wait time is not a positive number: '$.Attributes.t'")  # fmt: skip
    short = Harness(waiting_flow({"TimeLimitSeconds": "$.Attributes.t"}), t="0.5")
    short.start()
    assert short.run.next_deadline() == short.now + 0.5


def test_a_wait_prefers_timeout_seconds_and_records_what_it_read() -> None:
    h = Harness(waiting_flow({"TimeoutSeconds": "$.Attributes.t", "TimeLimitSeconds": "999"}), t="10")
    h.start()
    assert h.run.next_deadline() == h.now + 10
    assert h.run.waiting_for == "wait"
    h.advance(10)
    assert h.run.trace[0].read == {"$.Attributes.t": "10"}
    assert h.run.trace[0].at == h.now


def test_a_wait_hears_the_events_it_declares_or_branches_on() -> None:
    declared = flow("W", action("w", "Wait", {"TimeLimitSeconds": "60", "Events": ["CustomerReturned", 3]},
                                "next", conditions=[("Equals", "WaitCompleted", "timeout")]),
                    *ending("timeout", "next"))  # fmt: skip
    h = Harness(declared)
    h.start()
    h.say("back")
    assert h.messages == ["next"]  # no branch for it: NextAction
    assert steps(h)[0] == ("w", "NextAction", "CustomerReturned", None)
    bot = flow("W", action("w", "Wait", {"TimeLimitSeconds": "60"},
                           conditions=[("Equals", "WaitCompleted", "timeout"), ("Equals", "BotParticipantDisconnected", "gone")]),
               *ending("timeout", "gone"))  # fmt: skip
    b = Harness(bot)
    b.start()
    b.say("hello")  # not heard
    assert b.run.waiting_for == "wait"
    b.run.handle(b.now, ParticipantLeft("CUSTOM_BOT"))
    b.commands.extend(b.run.drain())
    assert b.messages == ["gone"]


def test_a_customer_leaving_or_a_bot_leaving_unheard_changes_nothing() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    h.start()
    h.run.handle(h.now, ParticipantLeft("CUSTOM_BOT"))
    h.run.handle(h.now, CallResult(0, None))
    assert h.run.drain() == []
    assert h.run.waiting_for == "wait"
    lex = started_bot()
    lex.run.handle(lex.now, ParticipantLeft("CUSTOM_BOT"))
    assert lex.run.drain() == []
    assert lex.run.waiting_for == "lex"


def test_the_clock_never_goes_back_and_each_step_records_its_time() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    h.start()
    h.run.tick(h.now + 30)
    h.run.tick(h.now + 10)  # earlier: ignored
    h.run.handle(h.now + 5, CustomerMessage("back"))
    assert h.run.trace[0].at == h.now + 30
    late = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    late.start()
    late.run.tick(late.now + 61)
    assert late.run.trace[0].at == late.now + 61
    assert late.run.drain()[0] == SendMessage("timeout", "text/plain", "SYSTEM_MESSAGE")


def test_a_tick_before_the_deadline_or_after_the_end_does_nothing() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    h.start()
    h.run.tick(h.now + 59.99)
    assert h.run.drain() == []
    assert h.run.waiting_for == "wait"
    idle = Harness(
        flow("F", action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "f"}, "end"), disconnect())
    )
    idle.start()
    idle.run.tick(idle.now + 10**6)  # a call has no deadline here
    assert idle.run.drain() == []


def test_a_view_not_answered_in_time_takes_time_limit_exceeded() -> None:
    h = Harness(view_flow_short())
    h.start()
    h.answer(True)
    h.advance(29)
    assert h.messages == []
    h.advance(1)
    assert h.messages == ["late"]
    assert steps(h)[0] == ("view", "Error TimeLimitExceeded", None, "no answer to the view in time")


# --- MessageParticipantIteratively ------------------------------------------------------------------------


def iterating(messages: Any, interrupt: Any = None) -> Harness:
    parameters: dict[str, Any] = {"Messages": messages}
    if interrupt is not None:
        parameters["InterruptFrequencySeconds"] = interrupt
    h = Harness(flow("Q", action("loop", "MessageParticipantIteratively", parameters, "next",
                                 conditions=[("Equals", "MessagesInterrupted", "interrupted")],
                                 errors={"NoMatchingError": "error"}), *ending("interrupted", "next", "error")),
                role="customer_queue")  # fmt: skip
    h.start()
    return h


def test_an_iterating_message_sends_text_or_ssml_every_60_seconds() -> None:
    h = iterating([{"SSML": "<speak>one</speak>"}, {"Text": ""}, {"Text": "$.Attributes.none"}, "x",
                   {"Text": json.dumps(PICKER)}])  # fmt: skip
    assert h.commands == [SendMessage("<speak>one</speak>", "text/plain", "SYSTEM_MESSAGE")]
    assert h.run.next_deadline() == h.now + 60
    assert h.run.waiting_for == "iterate"
    h.advance(59)
    assert len(h.commands) == 1
    h.advance(1)
    assert h.commands[1:] == [SendMessage(json.dumps(PICKER), INTERACTIVE, "SYSTEM_MESSAGE")]
    assert h.run.next_deadline() == h.now + 60
    assert h.run.trace == []


def test_an_iterating_message_without_text_takes_no_matching_error() -> None:
    for messages in ([{"PromptId": "p"}], [], "x"):
        h = iterating(messages)
        assert h.messages == ["error"]
        assert steps(h)[0] == ("loop", "Error NoMatchingError", None,
                               "no Messages with Text (prompts cannot be sent in chat)")  # fmt: skip


def test_an_interrupt_sooner_than_the_next_message_comes_first() -> None:
    h = iterating([{"Text": "hold"}], "$.Attributes.none")
    assert h.run.next_deadline() == h.now + 60
    soon = iterating([{"Text": "hold"}], "20")
    assert soon.run.next_deadline() == soon.now + 20
    soon.advance(20)
    assert soon.messages == ["hold", "interrupted"]
    assert steps(soon)[0] == ("loop", "Condition Equals MessagesInterrupted", "MessagesInterrupted", None)
    exact = iterating([{"Text": "hold"}], "120")
    exact.advance(60)
    exact.advance(60)
    assert exact.messages == ["hold", "hold", "interrupted"]


# --- views --------------------------------------------------------------------------------------------


def view_flow_short(parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    params = {"ViewResource": {"Id": "form"}, "InvocationTimeLimitSeconds": "30", **(parameters or {})}
    return flow("V", action("view", "ShowView", params, conditions=[("Equals", "Submit", "submitted")],
                            errors={"NoMatchingCondition": "other", "TimeLimitExceeded": "late",
                                    "NoMatchingError": "error"}),
                *ending("submitted", "other", "late", "error"))  # fmt: skip


RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"


def test_a_view_needs_a_resource_with_an_id() -> None:
    for resource in ({"Id": ""}, "form", {"Version": "1"}):
        h = Harness(view_flow_short({"ViewResource": resource}))
        h.start()
        assert steps(h)[0] == ("view", "Error NoMatchingError", None, "ViewResource needs an Id")


def test_a_view_is_shown_with_its_data_and_version_and_waits_for_the_customer() -> None:
    h = Harness(view_flow_short({"ViewResource": {"Id": "form", "Version": 2}, "ViewData": "x"}))
    (shown,) = h.start()
    assert shown == ShowView(1, Ref("form"), "2", {})
    assert h.run.waiting_for == "view"
    assert h.run.next_deadline() == h.now + 30
    h.answer(True)
    assert h.run.waiting_for == "view"
    assert h.run.next_deadline() == h.now + 30  # the time limit covers the customer's answer too
    h.run.handle(h.now, CallResult(1, True))  # the call is answered: a repeat is ignored
    assert h.run.drain() == []
    unversioned = Harness(view_flow_short({"InvocationTimeLimitSeconds": "$.Attributes.none"}))
    (shown,) = unversioned.start()
    assert shown.version is None
    assert unversioned.run.next_deadline() is None


def test_a_view_that_cannot_be_shown_takes_no_matching_error() -> None:
    h = Harness(view_flow_short())
    h.start()
    h.fail("no such view")
    assert steps(h)[0] == ("view", "Error NoMatchingError", None, "no such view")


@pytest.mark.parametrize(
    "reply",
    [
        {"action": "Submit", "data": {"x": 1}},
        {"Action": "Submit", "ViewResultData": {"x": 1}, "templateType": "ViewResource"},
    ],
)
def test_a_view_answer_sets_views_and_branches_on_its_action(reply: dict[str, Any]) -> None:
    h = Harness(view_flow_short())
    h.start()
    h.answer(True)
    h.say(json.dumps(reply), RESPONSE)
    assert h.messages == ["submitted"]
    assert h.contact.views == {"Action": "Submit", "ViewResultData": {"x": 1}}
    assert h.run.trace[0].set == {"$.Views": {"Action": "Submit", "ViewResultData": {"x": 1}}}
    assert steps(h)[0] == ("view", "Condition Equals Submit", "Submit", None)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ('{"action": "Submit"}', "text/plain"),
        ("not json", RESPONSE),
        ('["Submit"]', RESPONSE),
        ('{"action": "Submit", "templateType": "ListPicker"}', RESPONSE),
    ],
)
def test_other_customer_messages_are_no_answer_to_a_view(content: str, content_type: str) -> None:
    h = Harness(view_flow_short())
    h.start()
    h.answer(True)
    assert h.say(content, content_type) == []
    assert h.run.waiting_for == "view"


def test_a_view_answer_before_the_view_is_shown_is_ignored() -> None:
    h = Harness(view_flow_short())
    h.start()
    assert h.say('{"action": "Submit"}', RESPONSE) == []
    assert h.run.waiting_for == "view"


# --- authentication, hours, input -------------------------------------------------------------------------


def auth_flow(conditions: list[tuple[str, Any, str]] | None = None, **errors: str) -> dict[str, Any]:
    return flow("A", action("auth", "AuthenticateParticipant", {"SessionDuration": "$.Attributes.d"}, "ok",
                            conditions=conditions, errors=errors or None),
                *ending("ok", "error", "late", "success", "out", "timeout", "failed"))  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "result"),
    [("succeeded", "Success"), ("cancelled", "OptedOut"), ("timeout", "Timeout"), ("expired", "Timeout"),
     ("failed", "Error"), ("", "Error")],
)  # fmt: skip
def test_authentication_outcomes_take_their_condition_branches(outcome: str, result: str) -> None:
    conditions = [("Equals", "Success", "success"), ("Equals", "OptedOut", "out"), ("Equals", "Timeout", "timeout"),
                  ("Equals", "Error", "failed")]  # fmt: skip
    h = Harness(auth_flow(conditions), d="60")
    (command,) = h.start()
    assert command == StartAuthentication(1, {"SessionDuration": "60"})
    h.answer(outcome)
    assert h.contact.authentication == {"AuthenticationResult": outcome}
    assert h.messages == [
        {"Success": "success", "OptedOut": "out", "Timeout": "timeout", "Error": "failed"}[result]
    ]
    assert steps(h)[0] == ("auth", f"Condition Equals {result}", result, None)


def test_authentication_without_condition_branches_goes_on_or_takes_its_error() -> None:
    def run(outcome: str) -> Harness:
        h = Harness(auth_flow(NoMatchingError="error", TimeLimitExceeded="late"))
        h.start()
        h.answer(outcome)
        return h

    assert steps(run("succeeded"))[0] == ("auth", "NextAction", "Success", None)
    assert steps(run("expired"))[0] == ("auth", "Error TimeLimitExceeded", None, "authentication expired")
    assert steps(run("cancelled"))[0] == ("auth", "Error NoMatchingError", None, "authentication cancelled")
    assert run("failed").messages == ["error"]
    assert run("succeeded").contact.data({}, {})["Customer"] == {
        "Name": None,
        "AuthenticationResult": "succeeded",
    }


def test_check_hours_asks_about_the_hours_or_the_working_queue_s() -> None:
    def hours(parameters: dict[str, Any], queue: Ref | None = None) -> Harness:
        h = Harness(flow("H", action("hours", "CheckHoursOfOperation", parameters,
                                     conditions=[("Equals", "True", "open"), ("Equals", "False", "closed")],
                                     errors={"NoMatchingError": "error"}), *ending("open", "closed", "error")))  # fmt: skip
        h.contact.queue = queue
        h.start()
        return h

    queue = Ref("arn:aws:connect:us-east-1:1:instance/i/queue/q")
    by_queue = hours({"HoursOfOperationId": ""}, queue)
    assert by_queue.commands == [CheckHours(1, None, queue)]
    both = hours({"HoursOfOperationId": "$.Attributes.none"}, queue)
    assert both.commands == [CheckHours(1, None, queue)]
    named = hours({"HoursOfOperationId": "h-1"}, queue)
    assert named.commands == [CheckHours(1, Ref("h-1"), queue)]
    neither = hours({"HoursOfOperationId": "$.Attributes.none"})
    assert steps(neither)[0] == (
        "hours",
        "Error NoMatchingError",
        None,
        "no HoursOfOperationId and no working queue",
    )
    named.answer("yes")
    assert steps(named)[0] == ("hours", "Error NoMatchingError", None, "no hours of operation answer")
    by_queue.answer(False)
    assert steps(by_queue)[0] == ("hours", "Condition Equals False", "False", None)


@pytest.mark.parametrize("key", ["LexV2Bot", "LexBot"])
def test_get_participant_input_with_a_bot_runs_the_bot(key: str) -> None:
    bot = {"AliasArn": "arn:aws:lex:us-east-1:1:bot-alias/B/A"} if key == "LexV2Bot" else {"Name": "Bot"}
    h = Harness(flow("G", action("in", "GetParticipantInput", {"Text": "Say it", key: bot},
                                 conditions=[("Equals", "A", "a")], errors={"NoMatchingError": "error"}),
                     *ending("a", "error")))  # fmt: skip
    assert h.start() == [SendMessage("Say it", "text/plain", "BOT")]
    h.say("x")
    h.answer(answer("A"))
    assert h.messages[-1] == "a"


def test_get_participant_input_without_a_bot_notes_why_it_errs() -> None:
    h = Harness(flow("G", action("in", "GetParticipantInput", {"Text": "Press 1"}, errors={"NoMatchingError": "e"}),
                     *ending("e")))  # fmt: skip
    h.start()
    assert steps(h)[0] == ("in", "Error NoMatchingError", None,
                           "in chat, Get customer input takes the Error branch unless it uses Amazon Lex (as Connect documents)")  # fmt: skip


# --- MessageParticipant ---------------------------------------------------------------------------------


def message_flow(parameters: dict[str, Any]) -> dict[str, Any]:
    return flow("M", action("m", "MessageParticipant", parameters, "next", errors={"NoMatchingError": "error"}),
                *ending("next", "error"))  # fmt: skip


@pytest.mark.parametrize(
    ("parameters", "sent"),
    [
        ({"Text": "hi", "SSML": "<speak>no</speak>"}, "hi"),
        ({"Text": "", "SSML": "<speak>yes</speak>"}, "<speak>yes</speak>"),
        ({"SSML": "<speak>yes</speak>"}, "<speak>yes</speak>"),
    ],
)
def test_a_message_is_its_text_else_its_ssml_as_written(parameters: dict[str, Any], sent: str) -> None:
    h = Harness(message_flow(parameters))
    h.start()
    assert h.messages == [sent, "next"]
    assert steps(h)[0] == ("m", "NextAction", None, None)


@pytest.mark.parametrize(
    ("parameters", "note"),
    [
        ({"PromptId": "p"}, "an audio prompt or media cannot be sent in chat"),
        ({"Media": {"Uri": "s3://x"}}, "an audio prompt or media cannot be sent in chat"),
        ({"Text": ""}, "no Text to send"),
    ],
)
def test_a_message_without_text_takes_no_matching_error(parameters: dict[str, Any], note: str) -> None:
    h = Harness(message_flow(parameters))
    h.start()
    assert h.messages == ["error"]
    assert steps(h)[0] == ("m", "Error NoMatchingError", None, note)


def test_a_message_that_is_blank_once_resolved_is_not_sent() -> None:
    h = Harness(message_flow({"SSML": "$.Attributes.none"}))
    h.start()
    assert h.messages == ["next"]
    assert steps(h)[0] == ("m", "NextAction", None, "SSML is empty here: nothing sent")


# --- the contact's data -----------------------------------------------------------------------------------


def test_the_contact_data_of_a_lambda_event_is_connect_s_chat_contact_data() -> None:
    contact = ContactState("c-2", "arn:aws:connect:eu-west-2:1:instance/i", "c-1", None, "Ann", "en-GB",
                           attributes={"a": "1"})  # fmt: skip
    data = contact.contact_data()
    assert data == {
        "Attributes": {"a": "1"},
        "Channel": "CHAT",
        "ContactId": "c-2",
        "CustomerEndpoint": None,
        "CustomerId": None,
        "Description": None,
        "InitialContactId": "c-1",
        "InitiationMethod": "API",
        "InstanceARN": "arn:aws:connect:eu-west-2:1:instance/i",
        "LanguageCode": "en-GB",
        "MediaStreams": {"Customer": {"Audio": None}},
        "Name": None,
        "PreviousContactId": "c-2",
        "Queue": None,
        "References": {},
        "SegmentAttributes": {"connect:Subtype": {"ValueString": "connect:Chat"}},
        "SystemEndpoint": None,
        "Tags": {},
    }
    data["Attributes"]["a"] = "changed"
    assert contact.attributes == {"a": "1"}
    assert ContactState("c-3", "arn", previous_contact_id="c-0").contact_data()["PreviousContactId"] == "c-0"
    assert ContactState("c-3", "arn").initial_contact_id == "c-3"


def test_the_data_flows_read_adds_the_region_and_what_flows_set() -> None:
    contact = ContactState("c", "arn:aws:connect:eu-west-2:1:instance/i", customer_name="Ann")
    contact.queue = Ref("q-1", ("Support",))
    contact.stored_input = "said"
    contact.authentication = {"AuthenticationResult": "succeeded"}
    root = contact.data({"f": 1}, {"m": 2})
    assert root["AwsRegion"] == "eu-west-2"
    assert root["Queue"] == {"ARN": None, "Id": "q-1", "Name": "Support", "OutboundCallerId": None}
    assert (root["External"], root["Lex"], root["Views"]) == ({}, {}, {})
    assert root["FlowAttributes"] == {"f": 1}
    assert root["Modules"] == {"Input": {"m": 2}}
    assert root["StoredCustomerInput"] == "said"
    assert root["Customer"] == {"Name": "Ann", "AuthenticationResult": "succeeded"}
    assert root["Authentication"] == {"AuthenticationResult": "succeeded"}
    assert root["Channel"] == "CHAT"
    assert ContactState("c", "arn:aws:connect").data({}, {})["AwsRegion"] is None
    assert ContactState("c", "a:b:c:d").data({}, {})["AwsRegion"] == "d"


def test_a_reference_is_its_arn_s_last_part_and_named_by_its_first_name() -> None:
    arn = Ref("arn:aws:connect:us-east-1:1:instance/i/queue/q-1", ("Support", "Other"))
    assert (arn.id, arn.name) == ("q-1", "Support")
    assert Ref("plain/with/slash").id == "plain/with/slash"
    assert Ref("q-2").name == "q-2"
    for pattern in ("arn:aws:connect:*", "q-1", "q-?", "Sup*", "Other"):
        assert arn.matches(pattern)
    assert not arn.matches("support")


def test_a_trace_step_read_from_json_defaults_what_is_missing() -> None:
    step = FlowStep.from_json({"Flow": "F", "FlowId": "i", "Identifier": "a", "Type": "Wait", "Branch": "End",
                               "Read": None, "Set": None, "At": None})  # fmt: skip
    assert step == FlowStep("F", "i", "a", "Wait", "End", None, {}, {}, None, None, 0.0)
    assert isinstance(step.at, float)


# --- what the designer named -------------------------------------------------------------------------


def named(document: dict[str, Any], identifier: str, name: str) -> dict[str, Any]:
    document["Metadata"]["ActionMetadata"][identifier] = {"resource": {"id": "arn:elsewhere", "text": name}}
    return document


def test_the_references_a_block_passes_on_carry_the_names_the_designer_recorded() -> None:
    hours = Harness(named(flow("H", action("h", "CheckHoursOfOperation", {"HoursOfOperationId": "h-1"},
                                          conditions=[("Equals", "True", "end")]), disconnect()), "h", "Office"))  # fmt: skip
    (check,) = hours.start()
    assert check.hours == Ref("h-1", ("Office",))
    fn = Harness(named(fn_flow(), "fn", "Lookup"))
    (call,) = fn.start()
    assert call.function == Ref("arn:aws:lambda:us-east-1:1:function:f", ("Lookup",))
    view = Harness(named(view_flow_short(), "view", "Form"))
    (shown,) = view.start()
    assert shown.view == Ref("form", ("Form",))
    bot = Harness(named(bot_flow(), "bot", "Helper"))
    bot.start()
    (turn,) = bot.say("hi")
    assert turn.bot == Ref("arn:aws:lex:us-east-1:1:bot-alias/B/A", ("Helper",))


def test_a_flow_or_module_from_another_instance_is_found_by_the_designer_s_name() -> None:
    other = flow("Other", say("o", "in other", "end"), disconnect())
    arn = "arn:aws:connect:us-east-1:2:instance/j/contact-flow/elsewhere"
    h = Harness(named(caller("TransferToFlow", arn), "go", "Other"), other)
    h.start()
    assert h.messages == ["in other"]
    greeter = module("Greeter", say("g", "in module", "done"), action("done", "EndFlowModuleExecution"))
    m = Harness(
        named(caller("InvokeFlowModule", arn.replace("contact-flow", "flow-module")), "go", "Greeter"),
        greeter,
    )
    m.start()
    assert m.messages == ["in module", "after"]


def test_every_trace_step_names_its_flow_and_the_flow_s_id() -> None:
    h = Harness(flow("F", say("m", "hi", "end"), disconnect()))
    h.start()
    assert {(s.flow, s.flow_id) for s in h.run.trace} == {("F", h.flows.flows[0].flow_id)}


# --- a run's life --------------------------------------------------------------------------------------


def broken_twice(name: str, **extra: Any) -> dict[str, Any]:
    return flow(name, action("x", "PlayPromptInVoice", {}, "y"), action("y", "GetCustomerInputInVoice", {}, "end"),
                disconnect(), **extra)  # fmt: skip


def test_a_run_not_started_waits_for_nothing_and_ignores_what_happens() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    assert (h.run.done, h.run.outcome, h.run.waiting_for, h.run.next_deadline()) == (False, None, None, None)
    h.run.tick(h.now + 100)
    h.run.handle(h.now, CustomerMessage("hi"))
    h.run.handle(h.now, CallResult(1, True))
    assert h.run.drain() == []
    assert h.run.trace == []
    h.start()
    assert h.run.next_deadline() == h.now + 60


def test_starting_a_run_again_changes_nothing_not_even_its_clock() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    h.start()
    h.run.start(h.now + 50)
    h.run.handle(h.now + 10, CustomerMessage("back"))
    assert h.run.trace[0].at == h.now + 10
    bad = Harness(broken_twice("Bad"))
    bad.start()
    bad.run.start(bad.now)
    assert bad.run.drain() == []
    assert [type(c).__name__ for c in bad.commands] == ["Disconnect", "FlowEnded"]


def test_a_flow_s_problems_are_all_named_when_its_run_fails() -> None:
    h = Harness(broken_twice("Bad"))
    h.start()
    problems = h.run.flow.problems
    assert len(problems) == 2
    assert h.commands[-1].reason == f"{problems[0]}; {problems[1]}"
    to = Harness(caller("TransferToFlow", "Bad"), broken_twice("Bad"))
    to.start()
    assert to.commands[-1].reason == "; ".join(str(p) for p in to.flows.flows[1].problems)
    assert to.commands[-1].reason.count("; ") == 1
    into = Harness(caller("InvokeFlowModule", "Bad"), broken_twice("Bad", Settings={}))
    into.start()
    assert into.commands[-1].reason == "; ".join(str(p) for p in into.flows.flows[1].problems)


# --- more branch rules ------------------------------------------------------------------------------------


def test_a_draw_that_matches_no_condition_keeps_its_note_on_next_action_and_on_the_error() -> None:
    on = Harness(flow("D", action("d", "DistributeByPercentage", {}, "b", conditions=[("NumberLessThan", "30", "a")]),
                      *ending("a", "b")), draw=0.9)  # fmt: skip
    on.start()
    assert steps(on)[0] == ("d", "NextAction", "90", "drew 90 of 100")
    error = Harness(flow("D", action("d", "DistributeByPercentage", {}, conditions=[("NumberLessThan", "30", "a")],
                                     errors={"NoMatchingCondition": "b"}), *ending("a", "b")), draw=0.9)  # fmt: skip
    error.start()
    assert steps(error)[0] == ("d", "Error NoMatchingCondition", None, "drew 90 of 100")


def test_an_authentication_outcome_without_its_condition_takes_the_error_branch() -> None:
    h = Harness(auth_flow([("Equals", "Success", "success")], NoMatchingError="error"))
    h.start()
    h.answer("cancelled")
    assert steps(h)[0] == ("auth", "Error NoMatchingError", None, "authentication cancelled")
    ok = Harness(auth_flow([("Equals", "Success", "success")], NoMatchingError="error"))
    ok.start()
    ok.answer("succeeded")
    assert ok.messages == ["success"]


def test_an_empty_function_or_agent_is_none() -> None:
    fn = Harness(flow("Fn", action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "$.Attributes.fn"}, "ok",
                                   errors={"NoMatchingError": "error"}), *ending("ok", "error")), fn="")  # fmt: skip
    fn.start()
    assert steps(fn)[0] == ("fn", "Error NoMatchingError", None, "no LambdaFunctionARN")
    agent = Harness(target_queue_flow({"QueueId": "$.Attributes.q", "AgentId": "$.Attributes.a"}), q="", a="")
    agent.start()
    assert agent.contact.queue is None
    assert steps(agent)[0] == ("q", "Error NoMatchingError", None, "no queue (QueueId) or agent (AgentId)")


def test_a_lambda_answer_rejected_takes_the_no_matching_error_branch_itself() -> None:
    nested = called()
    nested.answer({"a": [1]})
    assert steps(nested)[0][:2] == ("fn", "Error NoMatchingError")
    big = called()
    big.answer({"k": "x" * 40000})
    assert steps(big)[0][:2] == ("fn", "Error NoMatchingError")


def test_an_empty_hook_that_was_not_set_is_fine_and_the_hooks_after_it_are_set() -> None:
    h = Harness(hooks_flow({"CustomerRemaining": "", "CustomerQueue": "QF"}))
    h.start()
    assert h.contact.hooks == {"CustomerQueue": Ref("QF")}
    assert h.messages == ["ok"]


def test_an_iterating_message_goes_through_its_messages_in_order() -> None:
    h = iterating([{"Text": "one"}, {"Text": "two"}, {"Text": "three"}])
    for _ in range(3):
        h.advance(60)
    assert h.messages == ["one", "two", "three", "one"]


def test_a_reference_to_nothing_transfers_nowhere_even_beside_a_flow_named_nothing() -> None:
    unnamed = flow("", say("u", "in the unnamed flow", "end"), disconnect())
    unnamed_module = module(
        "", say("u", "in the unnamed module", "done"), action("done", "EndFlowModuleExecution")
    )
    for kind, target in (("TransferToFlow", unnamed), ("InvokeFlowModule", unnamed_module)):
        h = Harness(caller(kind, "$.Attributes.none"), target)
        h.start()
        assert h.messages == ["error"]
