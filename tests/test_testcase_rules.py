"""Connect's Testing language as the SDK reads and walks it (``_testcase``), rule by rule, pure
(found by ``make mutate --module _testcase``): each refusal in its exact words naming where it
is; what a parsed test case holds; JSONPath look-ups, operators, message and action matching; and
the walk: which observation is active, what each answers, why a run ends and what a missed
observation says."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from connect_participant._testcase import (
    FAULTS,
    SIMILARITY_NOTE,
    ActionStarted,
    ChatEnded,
    Check,
    EndRun,
    MessageSeen,
    ObservationResult,
    Override,
    SendText,
    StateSeen,
    TestCaseError,
    TestCaseRun,
    _as_text,
    _override_spec,
    _resource_matches,
    action_matches,
    evaluate,
    message_matches,
    parse_test_case,
    resolve_path,
)


def _doc(*observations: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2025-06-21", "Observations": list(observations)}


def _obs(
    ident: str, event: str = "TestInitiated", props: dict[str, Any] | None = None, **more: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"Identifier": ident, "Event": {"Type": event}}
    if props is not None:
        out["Event"]["Properties"] = props
    out.update(more)
    return out


def _with_action(action: Any) -> dict[str, Any]:
    return _doc(_obs("o", Actions=[action]))


def _override(**properties: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ActionType": "InvokeLambdaFunction",
        "ActionParameters": {"LambdaFunctionARN": "fn"},
        "Strategy": {"Type": "SubstituteResource", "SubstituteArn": "sub"},
    }
    base.update(properties)
    base = {key: value for key, value in base.items() if value is not ...}  # ``...``: left out
    return {
        "Type": "OverrideSystemBehavior",
        "Parameters": {"Behavior": {"Type": "FlowAction", "Properties": base}},
    }


def _send(**instruction: Any) -> dict[str, Any]:
    return {"Type": "SendInstruction", "Parameters": {"Instruction": instruction}}


A = "Observations[0].Actions[0]"
BEHAVIOR = f"{A}.Parameters.Behavior.Properties"
OPERATORS = (
    "Equals, TextStartsWith, TextEndsWith, TextContains, NumberGreaterThan, NumberGreaterOrEqualTo, "
    "NumberLessThan, NumberLessOrEqualTo, Exists"
)
NON_EMPTY = "must be a non-empty string"
OBJECT = "must be a JSON object"

REFUSALS: list[tuple[Any, str]] = [
    # the document
    ([], f"test case: {OBJECT}"),
    ("[1]", f"test case: {OBJECT}"),
    (
        {"Version": "2025-06-22", "Observations": []},
        "Version: must be '2025-06-21' (the Testing language), not '2025-06-22'",
    ),
    ({"Observations": [_obs("a")]}, "Version: must be '2025-06-21' (the Testing language), not None"),
    ({"Version": "2025-06-21"}, "Observations: must be a non-empty list"),
    ({"Version": "2025-06-21", "Observations": []}, "Observations: must be a non-empty list"),
    ({"Version": "2025-06-21", "Observations": {"a": 1}}, "Observations: must be a non-empty list"),
    (
        _doc(_obs("b"), _obs("a"), _obs("b"), _obs("a"), _obs("c")),
        "Observations: identifiers must be unique: a, b",
    ),
    (
        _doc(_obs("a"), _obs("b", Transitions={"NextObservations": ["a", "z"]})),
        "Observations[1].Transitions.NextObservations: names no observation: 'z'",
    ),
    ({**_doc(_obs("a")), "Metadata": "x"}, f"Metadata: {OBJECT}"),
    # CreateTestCase's fields
    ({"Content": "nope"}, "Content: is not JSON: Expecting value: line 1 column 1 (char 0)"),
    ({"Content": []}, f"Content: {OBJECT}"),
    ({"Content": _doc(_obs("a")), "EntryPoint": "x"}, f"EntryPoint: {OBJECT}"),
    (
        {"Content": _doc(_obs("a")), "EntryPoint": {"Type": "VOICE_CALL"}},
        "EntryPoint.Type: VOICE_CALL is voice-only: the emulator runs chats (use CHAT)",
    ),
    (
        {"Content": _doc(_obs("a")), "EntryPoint": {"Type": "chat"}},
        "EntryPoint.Type: must be CHAT, not 'chat'",
    ),
    (
        {"Content": _doc(_obs("a")), "EntryPoint": {"ChatEntryPointParameters": "x"}},
        f"EntryPoint.ChatEntryPointParameters: {OBJECT}",
    ),
    (
        {"Content": _doc(_obs("a")), "EntryPoint": {"ChatEntryPointParameters": {"FlowId": " "}}},
        f"EntryPoint.ChatEntryPointParameters.FlowId: {NON_EMPTY}",
    ),
    (
        {"Content": _doc(_obs("a")), "EntryPoint": {"ChatEntryPointParameters": {"FlowId": 7}}},
        f"EntryPoint.ChatEntryPointParameters.FlowId: {NON_EMPTY}",
    ),
    (
        {"Content": _doc(_obs("a")), "InitializationData": "{"},
        "InitializationData: is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    ),
    ({"Content": _doc(_obs("a")), "InitializationData": "[1]"}, f"InitializationData: {OBJECT}"),
    (
        {"Content": _doc(_obs("a")), "InitializationData": {"Attributes": {"a": "x", "k": [1]}}},
        "InitializationData.k: a contact attribute must be a string",
    ),
    (
        {"Content": _doc(_obs("a")), "InitializationData": {"k": None}},
        "InitializationData.k: a contact attribute must be a string",
    ),
    ({"Content": _doc(_obs("a")), "EmulatorResources": "x"}, f"EmulatorResources: {OBJECT}"),
    ({"Content": _doc(_obs("a")), "EmulatorFaults": "x"}, f"EmulatorFaults: {OBJECT}"),
    (
        {"Content": _doc(_obs("a")), "EmulatorFaults": {"Latency": 1}},
        f"EmulatorFaults.Latency: is not a fault the emulator injects ({', '.join(FAULTS)})",
    ),
    (
        {"Content": _doc(_obs("a")), "EmulatorFaults": {"Seed": -1}},
        "EmulatorFaults.Seed: must be a whole number >= 0",
    ),
    (
        {"Content": _doc(_obs("a")), "EmulatorFaults": {"SocketDrops": True}},
        "EmulatorFaults.SocketDrops: must be a whole number >= 0",
    ),
    (
        {"Content": _doc(_obs("a")), "EmulatorFaults": {"LatencyMs": 10_001}},
        "EmulatorFaults.LatencyMs: must be at most 10000 (ms)",
    ),
    (
        {**_doc(_obs("a")), "Metadata": {"EmulatorFaults": {"Drops": 1}}},
        f"Metadata.EmulatorFaults.Drops: is not a fault the emulator injects ({', '.join(FAULTS)})",
    ),
    ({**_doc(_obs("a")), "Metadata": {"EmulatorFaults": "x"}}, f"Metadata.EmulatorFaults: {OBJECT}"),
    (
        {**_doc(_obs("a")), "Metadata": {"EmulatorFaults": {"LatencyMs": -1}}},
        "Metadata.EmulatorFaults.LatencyMs: must be a whole number >= 0",
    ),
    (
        {"Content": _doc(_obs("a")), "EmulatorFaults": {"ThrottledSends": 1.0}},
        "EmulatorFaults.ThrottledSends: must be a whole number >= 0",
    ),
    # observations
    (_doc("x"), f"Observations[0]: {OBJECT}"),
    (_doc({"Event": {"Type": "TestInitiated"}}), f"Observations[0].Identifier: {NON_EMPTY}"),
    (
        _doc({"Identifier": "  ", "Event": {"Type": "TestInitiated"}}),
        f"Observations[0].Identifier: {NON_EMPTY}",
    ),
    (_doc({"Identifier": "a"}), f"Observations[0].Event: {OBJECT}"),
    (
        _doc(_obs("a", "AgentAccepted")),
        "Observations[0].Event.Type: 'AgentAccepted' is not supported "
        "(supported: TestInitiated, MessageReceived, FlowActionStarted, TestCompleted)",
    ),
    (
        _doc({"Identifier": "a", "Event": {"Type": "TestInitiated", "Actor": "Customer"}}),
        "Observations[0].Event.Actor: 'Customer' events are not supported (only System)",
    ),
    (_doc(_obs("a", "TestInitiated", "x")), f"Observations[0].Event.Properties: {OBJECT}"),  # type: ignore[arg-type]
    (
        _doc(_obs("a", "MessageReceived", {"Text": "t", "PromptId": "p"})),
        "Observations[0].Event.Properties.PromptId: is voice-only: a chat message is matched by Text",
    ),
    (
        _doc(_obs("a", "MessageReceived", {"Text": "t", "SSML": "<s/>"})),
        "Observations[0].Event.Properties.SSML: is voice-only: a chat message is matched by Text",
    ),
    (
        _doc(_obs("a", "MessageReceived", {"Text": "t", "Media": {"x": 1}})),
        "Observations[0].Event.Properties.Media: is voice-only: a chat message is matched by Text",
    ),
    (_doc(_obs("a", "MessageReceived", {})), f"Observations[0].Event.Properties.Text: {NON_EMPTY}"),
    (_doc(_obs("a", "MessageReceived")), f"Observations[0].Event.Properties.Text: {NON_EMPTY}"),
    (
        _doc(_obs("a", "MessageReceived", {"Text": "t", "MatchingCriteria": "Regex"})),
        "Observations[0].Event.Properties.MatchingCriteria: 'Regex' is not supported (Inclusion, Similarity)",
    ),
    (_doc(_obs("a", "FlowActionStarted", {})), f"Observations[0].Event.Properties.ActionType: {NON_EMPTY}"),
    (_doc(_obs("a", Usage="x")), f"Observations[0].Usage: {OBJECT}"),
    (
        _doc(_obs("a", Usage={"Type": "AT_LEAST"})),
        "Observations[0].Usage.Type: 'AT_LEAST' is not supported (EXACTLY)",
    ),
    (_doc(_obs("a", Actions={"Type": "Assert"})), "Observations[0].Actions: must be a list"),
    (_doc(_obs("a", Transitions="x")), f"Observations[0].Transitions: {OBJECT}"),
    (
        _doc(_obs("a", Transitions={"NextObservations": "b"})),
        "Observations[0].Transitions.NextObservations: must be a list of observation identifiers",
    ),
    (
        _doc(_obs("a", Transitions={"NextObservations": ["a", 1]})),
        "Observations[0].Transitions.NextObservations: must be a list of observation identifiers",
    ),
    # actions
    (_with_action("x"), f"{A}: {OBJECT}"),
    (
        _with_action({"Type": "Wait"}),
        f"{A}.Type: 'Wait' is not supported (supported: SendInstruction, Assert, OverrideSystemBehavior, TestControl)",
    ),
    (_with_action({"Type": "Assert", "Parameters": "x"}), f"{A}.Parameters: {OBJECT}"),
    (
        _with_action({"Type": "SendInstruction", "Parameters": {"Actor": "Agent"}}),
        f"{A}.Parameters.Actor: 'Agent' instructions are not supported (only Customer)",
    ),
    (_with_action({"Type": "SendInstruction"}), f"{A}.Parameters.Instruction: {OBJECT}"),
    (
        _with_action(_send(Type="DtmfInput")),
        f"{A}.Parameters.Instruction.Type: DtmfInput is voice-only: a chat customer types (use TextUtterance)",
    ),
    (
        _with_action(_send(Type="Speech")),
        f"{A}.Parameters.Instruction.Type: 'Speech' is not supported (TextUtterance)",
    ),
    (_with_action(_send(Type="TextUtterance")), f"{A}.Parameters.Instruction.Properties: {OBJECT}"),
    (
        _with_action(_send(Type="TextUtterance", Properties={"SSML": "<s/>"})),
        f"{A}.Parameters.Instruction.Properties.SSML: is voice-only: give Text",
    ),
    (
        _with_action(_send(Type="TextUtterance", Properties={"SSML": "", "Text": ""})),
        f"{A}.Parameters.Instruction.Properties.Text: {NON_EMPTY}",
    ),
    (
        _with_action({"Type": "Assert", "Parameters": {"Operator": "Exists"}}),
        f"{A}.Parameters.Namespace: {NON_EMPTY}",
    ),
    (
        _with_action({"Type": "Assert", "Parameters": {"Namespace": "$.x", "Operator": "Matches"}}),
        f"{A}.Parameters.Operator: 'Matches' is not supported ({OPERATORS})",
    ),
    (
        _with_action({"Type": "Assert", "Parameters": {"Namespace": "$.x", "Operator": "TextContains"}}),
        f"{A}.Parameters.Operand: is required with TextContains",
    ),
    (_with_action({"Type": "OverrideSystemBehavior"}), f"{A}.Parameters.Behavior: {OBJECT}"),
    (
        _with_action({"Type": "OverrideSystemBehavior", "Parameters": {"Behavior": {"Type": "Mock"}}}),
        f"{A}.Parameters.Behavior.Type: 'Mock' is not supported (FlowAction)",
    ),
    (
        _with_action({"Type": "OverrideSystemBehavior", "Parameters": {"Behavior": {"Type": "FlowAction"}}}),
        f"{BEHAVIOR}: {OBJECT}",
    ),
    (
        _with_action(_override(ActionType="PlayPrompt")),
        f"{BEHAVIOR}.ActionType: 'PlayPrompt' cannot be overridden (supported: InvokeLambdaFunction, "
        "CheckHoursOfOperation, TransferContactToQueue, ConnectParticipantWithLexBot)",
    ),
    (
        _with_action(_override(ActionType=None)),
        f"{BEHAVIOR}.ActionType: 'None' cannot be overridden (supported: InvokeLambdaFunction, "
        "CheckHoursOfOperation, TransferContactToQueue, ConnectParticipantWithLexBot)",
    ),
    (
        _with_action(_override(ActionType=...)),
        f"{BEHAVIOR}.ActionType: '' cannot be overridden (supported: InvokeLambdaFunction, "
        "CheckHoursOfOperation, TransferContactToQueue, ConnectParticipantWithLexBot)",
    ),
    (_with_action(_override(ActionParameters=None)), f"{BEHAVIOR}.ActionParameters: {OBJECT}"),
    (
        _with_action(_override(ActionParameters={"QueueId": "q"})),
        f"{BEHAVIOR}.ActionParameters.LambdaFunctionARN: {NON_EMPTY}",
    ),
    (
        _with_action(_override(ActionType="CheckHoursOfOperation")),
        f"{BEHAVIOR}.ActionParameters.HoursOfOperationId: {NON_EMPTY}",
    ),
    (
        _with_action(
            _override(ActionType="ConnectParticipantWithLexBot", ActionParameters={"LexV2Bot": "x"})
        ),
        f"{BEHAVIOR}.ActionParameters.LexV2Bot.AliasArn: {NON_EMPTY}",
    ),
    (_with_action(_override(Strategy=None)), f"{BEHAVIOR}.Strategy: {OBJECT}"),
    (
        _with_action(_override(Strategy={"Type": "MockResponse"})),
        f"{BEHAVIOR}.Strategy.Type: 'MockResponse' is not supported (SubstituteResource)",
    ),
    (
        _with_action(_override(Strategy={"Type": "SubstituteResource"})),
        f"{BEHAVIOR}.Strategy.SubstituteArn: {NON_EMPTY}",
    ),
    (_with_action({"Type": "TestControl"}), f"{A}.Parameters.Command: {OBJECT}"),
    (
        _with_action({"Type": "TestControl", "Parameters": {"Command": {"Type": "Pause"}}}),
        f"{A}.Parameters.Command.Type: 'Pause' is not supported (EndTest, LogData)",
    ),
    (
        _with_action({"Type": "TestControl", "Parameters": {"Command": {"Type": "LogData"}}}),
        f"{A}.Parameters.Command.Properties: {OBJECT}",
    ),
    (
        _with_action(
            {"Type": "TestControl", "Parameters": {"Command": {"Type": "LogData", "Properties": {}}}}
        ),
        f"{A}.Parameters.Command.Properties.Expressions: {OBJECT}",
    ),
]


@pytest.mark.parametrize(("document", "words"), REFUSALS)
def test_each_refusal_in_its_own_words_naming_where(document: Any, words: str) -> None:
    with pytest.raises(TestCaseError) as caught:
        parse_test_case(document)
    assert str(caught.value) == words
    assert caught.value.argument == words.split(": ", 1)[0]


def test_not_json_at_all() -> None:
    with pytest.raises(TestCaseError) as caught:
        parse_test_case("{")
    assert str(caught.value).startswith("test case: is not JSON: Expecting property name")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


# --- what a parsed case holds ------------------------------------------------------------------


def test_the_document_itself() -> None:
    doc = _doc(
        _obs("start", Transitions={"NextObservations": ["hi", ""]}),
        _obs(
            " hi ", "MessageReceived", {"Text": "Hi", "SSML": "", "MatchingCriteria": "Similarity"}, Usage={}
        ),
        _obs("done", "TestCompleted", Usage={"Type": "EXACTLY"}),
    )
    case = parse_test_case(json.dumps(doc))
    assert case.name == "test case"
    assert (case.flow_id, case.attributes, case.metadata, case.resources, case.faults) == (
        None,
        {},
        {},
        {},
        {},
    )
    assert case.initialization_data is None
    assert case.content == doc
    assert [o.identifier for o in case.observations] == ["start", "hi", "done"]
    start, hi, done = case.observations
    assert start.next_observations == ("hi",)
    assert (hi.event_type, hi.usage, dict(hi.properties)) == (
        "MessageReceived",
        "EXACTLY",
        {"Text": "Hi", "SSML": "", "MatchingCriteria": "Similarity"},
    )
    assert (done.actions, done.next_observations, done.properties) == ((), (), {})
    assert case.starts == ("start", "done")
    assert parse_test_case(doc, name="mine").name == "mine"
    assert parse_test_case({**doc, "Metadata": {"Owner": "me"}}).metadata == {"Owner": "me"}


def test_faults_from_the_metadata_then_the_file() -> None:
    content = {**_doc(_obs("a")), "Metadata": {"EmulatorFaults": {"Seed": 1, "LatencyMs": 10_000}}}
    assert parse_test_case(content).faults == {"Seed": 1, "LatencyMs": 10_000}
    both = parse_test_case({"Content": content, "EmulatorFaults": {"Seed": 2, "SocketDrops": 3}})
    assert both.faults == {"Seed": 2, "LatencyMs": 10_000, "SocketDrops": 3}  # the file's win
    assert parse_test_case({**_doc(_obs("a")), "Metadata": {"EmulatorFaults": None}}).faults == {}


def test_a_similarity_observation_carries_the_offline_note() -> None:
    run = _run(
        _obs("s", "MessageReceived", {"Text": "a", "MatchingCriteria": "Similarity"}),
        _obs("i", "MessageReceived", {"Text": "a", "MatchingCriteria": "Inclusion"}),
        _obs("t", "TestCompleted", {"MatchingCriteria": "Similarity"}),
    )
    assert [r.note for r in run.results.values()] == [SIMILARITY_NOTE, "", ""]
    assert SIMILARITY_NOTE.startswith("Similarity is approximated offline")


def test_create_test_case_fields() -> None:
    content = _doc(_obs("a"))
    case = parse_test_case(
        {
            "Name": "n",
            "Content": json.dumps(content),
            "EntryPoint": {"Type": "CHAT", "ChatEntryPointParameters": {"FlowId": " Inbound "}},
            "InitializationData": {"Attributes": {"tier": "gold", "years": 3, "vip": True, "rate": 1.5}},
            "EmulatorResources": {"sub": {"x": 1}},
            "EmulatorFaults": {"Seed": 0, "SocketDrops": 2},
        }
    )
    assert (case.name, case.flow_id) == ("n", "Inbound")
    assert case.attributes == {"tier": "gold", "years": "3", "vip": "true", "rate": "1.5"}
    assert case.initialization_data == json.dumps(
        {"Attributes": {"tier": "gold", "years": 3, "vip": True, "rate": 1.5}}
    )
    assert (case.resources, case.faults, case.content) == (
        {"sub": {"x": 1}},
        {"Seed": 0, "SocketDrops": 2},
        content,
    )
    # a name given wins; a Name that is not a string is no name; the entry point defaults to CHAT
    assert parse_test_case({"Name": "n", "Content": content}, name="given").name == "given"
    assert parse_test_case({"Name": 7, "Content": content}).name == "test case"
    default = parse_test_case(
        {"Content": content, "EntryPoint": {"ChatEntryPointParameters": {"FlowId": "F"}}}
    )
    assert default.flow_id == "F"
    assert parse_test_case({"Content": content, "EntryPoint": {"Type": "CHAT"}}).flow_id is None
    assert parse_test_case({"Content": content, "EntryPoint": None}).flow_id is None
    text = parse_test_case({"Content": content, "InitializationData": '{"a": "b"}'})
    assert (text.attributes, text.initialization_data) == ({"a": "b"}, '{"a": "b"}')
    flat = parse_test_case({"Content": content, "InitializationData": {"Attributes": "x", "k": "v"}})
    assert flat.attributes == {"Attributes": "x", "k": "v"}  # Attributes that is no object: the whole is
    assert parse_test_case({"Content": content, "InitializationData": ""}).attributes == {}
    assert parse_test_case({"Content": content, "InitializationData": {}}).initialization_data is None
    assert (
        parse_test_case({"Content": content, "EmulatorResources": None, "EmulatorFaults": None}).faults == {}
    )


def test_actions_keep_their_identifier_type_and_parameters() -> None:
    assertion = {
        "Identifier": "check",
        "Type": "Assert",
        "Parameters": {"Namespace": " $.x ", "Operator": "Exists"},
    }
    nameless = {"Identifier": 7, "Type": "TestControl", "Parameters": {"Command": {"Type": "EndTest"}}}
    send = _send(Type="TextUtterance", Properties={"Text": "hi", "SSML": "<s/>"})
    case = parse_test_case(_doc(_obs("o", Actions=[assertion, nameless, send, _override()])))
    actions = case.observations[0].actions
    assert [(a.identifier, a.type) for a in actions] == [
        ("check", "Assert"),
        ("Observations[0].Actions[1]", "TestControl"),
        ("Observations[0].Actions[2]", "SendInstruction"),
        ("Observations[0].Actions[3]", "OverrideSystemBehavior"),
    ]
    assert actions[0].parameters == assertion["Parameters"]
    logdata = {
        "Type": "TestControl",
        "Parameters": {"Command": {"Type": "LogData", "Properties": {"Expressions": {}}}},
    }
    assert parse_test_case(_with_action(logdata)).observations[0].actions[0].type == "TestControl"
    assert parse_test_case(_doc(_obs("o", Actions=None))).observations[0].actions == ()


@pytest.mark.parametrize(
    ("properties", "spec"),
    [
        ({}, ("lambda", "fn", "sub")),
        (
            {"ActionType": " CheckHoursOfOperation ", "ActionParameters": {"HoursOfOperationId": " h "}},
            ("hours", "h", "sub"),
        ),
        (
            {"ActionType": "TransferContactToQueue", "ActionParameters": {"QueueId": "q"}},
            ("queue", "q", "sub"),
        ),
        (
            {
                "ActionType": "ConnectParticipantWithLexBot",
                "ActionParameters": {"LexV2Bot": {"AliasArn": "arn:alias"}},
            },
            ("lex", "arn:alias", "sub"),
        ),
        (
            {"ActionType": "ConnectParticipantWithLexBot", "ActionParameters": {"LexBot": {"Name": "Old"}}},
            ("lex", "Old", "sub"),
        ),
        ({"Strategy": {"Type": "SubstituteResource", "SubstituteArn": " other "}}, ("lambda", "fn", "other")),
    ],
)
def test_what_an_override_substitutes(properties: dict[str, Any], spec: tuple[str, str, str]) -> None:
    parameters = _override(**properties)["Parameters"]
    assert _override_spec(parameters, "here") == spec


def test_only_a_lex_bot_falls_back_to_its_v1_name() -> None:
    parameters = _override(ActionParameters={"LexBot": {"Name": "Old"}})["Parameters"]
    with pytest.raises(TestCaseError, match="LambdaFunctionARN"):
        _override_spec(parameters, "here")


# --- values ---------------------------------------------------------------------------------------

DATA = {"Attributes": {"x": "1", "a b": {"c": [10, 20]}}, "External": None, "List": [{"k": "v"}]}


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("$", (True, DATA)),
        ("$.Attributes.x", (True, "1")),
        ("$.Attributes['a b'].c[1]", (True, 20)),
        ('$.Attributes["a b"].c[0]', (True, 10)),
        ("$.List[0].k", (True, "v")),
        ("$.External", (True, None)),
        ("Attributes.x", (False, None)),
        ("$.Attributes.y", (False, None)),
        ("$.Attributes.x.y", (False, None)),
        ("$.Attributes['a b'].c[2]", (False, None)),
        ("$.Attributes[0]", (False, None)),
        ("$.External.x", (False, None)),
    ],
)
def test_json_paths(path: str, found: tuple[bool, Any]) -> None:
    assert resolve_path(DATA, path) == found


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("a", "a"),
        (True, "true"),
        (False, "false"),
        (2.0, "2"),
        (2.5, "2.5"),
        (3, "3"),
        (None, "None"),
        ({"a": 1}, '{"a": 1}'),
        ([1, "b"], '[1, "b"]'),
    ],
)
def test_values_as_text(value: Any, text: str) -> None:
    assert _as_text(value) == text


@pytest.mark.parametrize(
    ("operator", "actual", "operand", "result"),
    [
        ("Exists", "", None, True),
        ("Exists", None, None, False),
        ("Equals", "Ann", "Ann", True),
        ("Equals", "Ann", "ann", False),
        ("Equals", "5", 5.0, True),
        ("Equals", 5, "5.00", True),
        ("Equals", "5", "6", False),
        ("Equals", "x", 5, False),
        ("Equals", True, "true", True),
        ("TextStartsWith", "Ann Smith", "Ann", True),
        ("TextStartsWith", "Ann Smith", "Smith", False),
        ("TextEndsWith", "Ann Smith", "Smith", True),
        ("TextEndsWith", "Ann Smith", "Ann", False),
        ("TextContains", "Ann Smith", "n S", True),
        ("TextContains", "Ann", "Ann Smith", False),
        ("NumberGreaterThan", "5", 4, True),
        ("NumberGreaterThan", "5", 5, False),
        ("NumberGreaterOrEqualTo", "5", 5, True),
        ("NumberGreaterOrEqualTo", "5", 6, False),
        ("NumberLessThan", "5", 6, True),
        ("NumberLessThan", "5", 5, False),
        ("NumberLessOrEqualTo", "5", 5, True),
        ("NumberLessOrEqualTo", "5", 4, False),
        ("NumberLessThan", "x", 5, False),
        ("NumberGreaterThan", 5, "x", False),
        ("NumberGreaterThan", None, 1, False),
    ],
)
def test_operators(operator: str, actual: Any, operand: Any, result: bool) -> None:
    assert evaluate(operator, True, actual, operand) is result
    if operator != "Exists":
        assert evaluate(operator, False, actual, operand) is False  # absent never satisfies
    else:
        assert evaluate(operator, False, "", None) is False


@pytest.mark.parametrize(
    ("properties", "text", "result"),
    [
        ({"Text": "Hello"}, "Hello, Ann", True),
        ({"Text": "hello"}, "Hello, Ann", False),
        ({"Text": "Hello", "MatchingCriteria": "Inclusion"}, "Say Hello", True),
        ({"Text": "hello ANN!", "MatchingCriteria": "Similarity"}, "Hello,  Ann", True),
        ({"Text": "Hello", "MatchingCriteria": "Similarity"}, "Well: hello, Ann", True),
        ({"Text": "Hello, Ann, and welcome", "MatchingCriteria": "Similarity"}, "hello ann", True),
        ({"Text": "Goodbye", "MatchingCriteria": "Similarity"}, "Hello", False),
        ({"Text": "$5", "MatchingCriteria": "Similarity"}, "costs $5 now", True),
        ({"Text": "!!", "MatchingCriteria": "Similarity"}, "anything", False),
        ({"MatchingCriteria": "Similarity"}, "anything", False),
        ({}, "anything", True),
    ],
)
def test_message_matching(properties: dict[str, Any], text: str, result: bool) -> None:
    assert message_matches(properties, text) is result


@pytest.mark.parametrize(
    ("wanted", "actual", "result"),
    [
        (None, "anything", True),
        ("fn", "fn", True),
        (" fn ", "fn ", True),
        ("fn", "arn:aws:lambda:us-east-1:1:function:fn", True),
        ("arn:aws:lambda:us-east-1:1:function:fn", "fn", True),
        ("queue/q1", "arn:aws:connect:r:1:instance/i/queue/q1", True),
        ("fn", "other", False),
        ("fn", None, False),
        ("", None, True),
        (5, 5.0, True),
        ({"Name": "bot"}, {"Name": "bot", "Alias": "a"}, True),
        ({"Name": "bot"}, {"Name": "other"}, False),
        ({"Name": "bot"}, "bot", False),
        ({"Name": None}, {}, True),
    ],
)
def test_resource_matching(wanted: Any, actual: Any, result: bool) -> None:
    assert _resource_matches(wanted, actual) is result


def test_action_matching() -> None:
    started = ActionStarted(
        "InvokeLambdaFunction", "id", "F", {"LambdaFunctionARN": "arn:x:function:fn", "Timeout": "3"}
    )
    assert action_matches({"ActionType": " InvokeLambdaFunction "}, started)
    assert action_matches(
        {"ActionType": "InvokeLambdaFunction", "ActionParameters": {"LambdaFunctionARN": "fn"}}, started
    )
    assert not action_matches(
        {"ActionType": "InvokeLambdaFunction", "ActionParameters": {"LambdaFunctionARN": "gn"}}, started
    )
    assert not action_matches(
        {
            "ActionType": "InvokeLambdaFunction",
            "ActionParameters": {"LambdaFunctionARN": "fn", "Timeout": "4"},
        },
        started,
    )
    assert not action_matches({"ActionType": "InvokeLambdaFunction", "ActionParameters": "fn"}, started)
    assert not action_matches({"ActionType": "CheckHoursOfOperation"}, started)
    assert not action_matches({}, started)


# --- the walk -------------------------------------------------------------------------------------


def _assert(ident: str, path: str, operator: str, operand: Any = None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"Namespace": f" {path} ", "Operator": operator}
    if operand is not None:
        parameters["Operand"] = operand
    return {"Identifier": ident, "Type": "Assert", "Parameters": parameters}


def _control(kind: str, **properties: Any) -> dict[str, Any]:
    command: dict[str, Any] = {"Type": kind}
    if properties:
        command["Properties"] = properties
    return {"Type": "TestControl", "Parameters": {"Command": command}}


def _run(*observations: dict[str, Any]) -> TestCaseRun:
    return TestCaseRun(parse_test_case(_doc(*observations)))


def test_a_run_starts_with_the_observations_nothing_leads_to() -> None:
    run = _run(
        _obs("hi", "MessageReceived", {"Text": "Hi"}, Transitions={"NextObservations": ["bye"]}),
        _obs("bye", "MessageReceived", {"Text": "Bye"}),
        _obs("act", "FlowActionStarted", {"ActionType": "Wait"}),
    )
    assert [r.status for r in run.results.values()] == ["not reached"] * 3
    assert [r.identifier for r in run.results.values()] == ["hi", "bye", "act"]
    assert (run.done, run.end_reason, run.logs, run.state, run.last_message) == (False, "", [], {}, None)
    assert run.passed  # not reached is not a failure
    assert run.start(0) == []
    assert run.active == ["hi", "act"]
    assert [r.status for r in run.results.values()] == ["active", "not reached", "active"]
    assert not run.passed  # active is not passed
    assert run.results["hi"].expected == "message Inclusion 'Hi'"
    assert run.results["act"].expected == "Wait"


def test_each_observation_is_made_once_by_its_own_kind_of_event() -> None:
    run = _run(
        _obs("hi", "MessageReceived", {"Text": "Hi"}, Transitions={"NextObservations": ["act"]}),
        _obs(
            "act",
            "FlowActionStarted",
            {"ActionType": " Wait ", "ActionParameters": {"Seconds": "5"}},
            Transitions={"NextObservations": ["hi2"]},
        ),
        _obs("hi2", "MessageReceived", {"Text": "Hi"}),
    )
    assert run.results["act"].expected == 'Wait {"Seconds": "5"}'
    run.start(0)
    assert run.handle(1, MessageSeen("Hi", role="CUSTOMER")) == []  # the customer's own: not matched
    assert run.results["hi"].status == "active"
    assert run.handle(1, ActionStarted("Wait", "w", "F", {"Seconds": "5"})) == []  # "act" not active yet
    assert run.handle(2, MessageSeen("Hi there")) == []
    assert (run.results["hi"].status, run.results["hi"].at, run.results["hi"].actual) == (
        "passed",
        2,
        "message 'Hi there'",
    )
    assert run.active == ["act"]
    assert run.handle(3, MessageSeen("Hi again")) == []  # "hi2" not active yet
    assert run.handle(4, ActionStarted("Wait", "w1", "Main", {"Seconds": "6"})) == []  # parameters differ
    assert run.handle(5, ActionStarted("Wait", "w2", "Main", {"Seconds": "5"})) == []
    assert run.results["act"].actual == "Wait 'w2' in 'Main'"
    assert (run.results["act"].at, run.results["act"].expected) == (5, 'Wait {"Seconds": "5"}')
    assert run.handle(6, MessageSeen("Hi at last")) == [EndRun("every observation was made")]
    assert (run.done, run.end_reason, run.passed) == (True, "every observation was made", True)
    assert run.handle(7, MessageSeen("Hi")) == []  # done: nothing more
    assert run.finish(8, "later") == []
    assert run.end_reason == "every observation was made"


def test_test_initiated_and_test_completed() -> None:
    run = _run(
        _obs("start", Actions=[_send(Type="TextUtterance", Properties={"Text": "hello"})]),
        _obs("end", "TestCompleted", Actions=[_assert("a", "$.Attributes.x", "Equals", "1")]),
    )
    assert run.start(1) == [SendText("hello")]
    assert (run.results["start"].actual, run.results["start"].at) == ("TestInitiated", 1)
    assert run.active == ["end"]
    run.handle(1, StateSeen({"Attributes": {"x": "1"}}))
    run.handle(1, StateSeen({"Attributes": {"x": "2"}}))  # the latest state counts
    assert run.handle(2, ChatEnded("the agent ended it")) == []
    assert (run.done, run.end_reason, run.results["end"].at) == (True, "the agent ended it", 2)
    assert run.results["end"].status == "failed"
    assert run.results["end"].checks == [Check("a", "$.Attributes.x", "Equals 1", "2", False)]
    assert run.handle(3, ChatEnded()) == []


def test_a_missed_observation_says_why_and_the_last_message() -> None:
    run = _run(
        _obs("hi", "MessageReceived", {"Text": "Hi"}),
        _obs("act", "FlowActionStarted", {"ActionType": "Wait"}),
    )
    run.start(0)
    run.handle(1, MessageSeen("Hello"))
    run.handle(2, MessageSeen("Bye", role="CUSTOMER"))  # not the last message the customer got
    assert run.finish(3, "time limit") == []
    assert run.results["hi"].status == "missed"
    assert (
        run.results["hi"].actual == "not observed before the test ended (time limit); last message: 'Hello'"
    )
    assert run.results["act"].actual == "not observed before the test ended (time limit)"
    assert run.active == []
    quiet = _run(_obs("hi", "MessageReceived", {"Text": "Hi"}))
    quiet.start(0)
    quiet.finish(1, "the chat ended")
    assert quiet.results["hi"].actual == "not observed before the test ended (the chat ended)"
    assert ChatEnded().reason == "the chat ended"


def test_asserts_see_the_state_and_the_message() -> None:
    run = _run(
        _obs(
            "hi",
            "MessageReceived",
            {"Text": "Hi"},
            Actions=[
                _assert("t", "$.Message.Text", "Equals", "Hi Ann"),
                _assert("c", "$.Message.ContentType", "Equals", "text/markdown"),
                _assert("r", "$.Message.ParticipantRole", "Equals", "AGENT"),
                _assert("d", "$.Message.DisplayName", "Equals", "Bo"),
                _assert("x", "$.Attributes.x", "Exists"),
                _assert("y", "$.Attributes.y", "Equals", 2),
            ],
        ),
    )
    run.start(0)
    run.handle(0, StateSeen({"Attributes": {"x": "1"}}))
    run.handle(1, MessageSeen("Hi Ann", role="AGENT", display_name="Bo", content_type="text/markdown"))
    result = run.results["hi"]
    assert [(c.action, c.passed) for c in result.checks] == [
        ("t", True),
        ("c", True),
        ("r", True),
        ("d", True),
        ("x", True),
        ("y", False),
    ]
    assert result.checks[4] == Check("x", "$.Attributes.x", "Exists", "1", True)
    assert result.checks[5] == Check("y", "$.Attributes.y", "Equals 2", "(absent)", False)
    assert result.status == "failed"
    assert "Message" not in run.state  # the message is seen by this observation's Asserts only
    defaults = MessageSeen("x")
    assert (defaults.role, defaults.display_name, defaults.content_type) == ("SYSTEM", "", "text/plain")


def test_logdata_and_overrides_and_end_test() -> None:
    run = _run(
        _obs(
            "start",
            Actions=[
                _override(),
                _control("LogData", Expressions={"tier": "$.Attributes.tier", "gone": "$.Attributes.none"}),
                _control("EndTest"),
                _send(Type="TextUtterance", Properties={"Text": "after the end, in the same observation"}),
            ],
            Transitions={"NextObservations": ["later"]},
        ),
        _obs("later", "MessageReceived", {"Text": "x"}),
    )
    run.handle(0, StateSeen({"Attributes": {"tier": "gold"}}))
    commands = run.start(1)
    assert commands == [
        Override("lambda", "fn", "sub"),
        SendText("after the end, in the same observation"),
        EndRun("EndTest in 'start'"),
    ]
    assert run.logs == [("start", "tier", "gold"), ("start", "gone", None)]
    assert (run.done, run.end_reason) == (True, "EndTest in 'start'")
    assert run.results["later"].status == "missed"  # activated, then the test ended
    ends = _run(
        _obs("start", Actions=[_control("EndTest")]),
        _obs("completed", "TestCompleted"),
    )
    assert ends.start(3) == [EndRun("EndTest in 'start'")]
    assert (ends.results["completed"].status, ends.results["completed"].at) == ("passed", 3)
    assert run.results["start"].status == "passed"


def test_an_observation_is_activated_once() -> None:
    run = _run(
        _obs("a", Transitions={"NextObservations": ["c", "c"]}),
        _obs("b", "MessageReceived", {"Text": "b"}, Transitions={"NextObservations": ["c"]}),
        _obs("c", "MessageReceived", {"Text": "c"}),
    )
    run.start(0)
    assert run.active == ["b", "c"]
    run.handle(1, MessageSeen("c"))
    assert run.active == ["b"]
    run.handle(2, MessageSeen("b"))  # leads to "c", made already: not again
    assert run.results["c"].status == "passed"
    assert run.done


def test_an_event_is_matched_against_every_active_observation_of_its_kind() -> None:
    run = _run(
        _obs("a", "MessageReceived", {"Text": "A", "MatchingCriteria": "Similarity"}),
        _obs("b", "MessageReceived", {"Text": "B"}),
        _obs("x", "FlowActionStarted", {"ActionType": "Wait"}),
        _obs("y", "FlowActionStarted", {"ActionType": "Compare"}),
    )
    assert run.results["a"].expected == "message Similarity 'A'"
    run.start(0)
    run.handle(1, MessageSeen("B"))
    run.handle(2, ActionStarted("Compare"))
    assert [r.status for r in run.results.values()] == ["active", "passed", "active", "passed"]


def test_the_first_active_observation_that_matches_is_made() -> None:
    run = _run(
        _obs("one", "MessageReceived", {"Text": "Hi"}),
        _obs("two", "MessageReceived", {"Text": "Hi"}),
    )
    run.start(0)
    run.handle(1, MessageSeen("Hi"))
    assert (run.results["one"].status, run.results["two"].status) == ("passed", "active")


def test_observation_results() -> None:
    result = ObservationResult("o", "TestInitiated")
    assert (result.status, result.expected, result.actual, result.checks, result.at) == (
        "not reached",
        "",
        "",
        [],
        None,
    )
    assert [
        ObservationResult("o", "x", status=s).passed
        for s in ("passed", "not reached", "failed", "missed", "active")
    ] == [True, True, False, False, False]


def test_a_case_is_not_changed_by_a_run() -> None:
    doc = _doc(_obs("a", "MessageReceived", {"Text": "x"}))
    case = parse_test_case(copy.deepcopy(doc))
    run = TestCaseRun(case)
    run.start(0)
    run.handle(1, MessageSeen("x"))
    assert case.content == doc
    again = TestCaseRun(case)
    assert again.results["a"].status == "not reached"
