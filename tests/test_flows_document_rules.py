"""Flow documents read and checked statically (``_flows._document``), rule by rule, pure: each
problem's exact words and where it points, the names and ids a flow gets when none is given, the
bounds of the static numbers, the parameters each action needs, the designer's names, and the
action types run being exactly those the emulator README lists (a set member removed shows
there: mutmut does not make that change) (found by ``make mutate --module emulator._flows._document``)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import connect_participant_emulator
import pytest
from connect_participant_emulator._flows._document import (
    NO_OP_TYPES,
    SUPPORTED_TYPES,
    Flow,
    FlowError,
    FlowProblem,
    flow_uuid,
    parse_flow,
)

from tests._flow_builder import action, disconnect, flow

# the package's own README (beside it: also in make mutate's copy of the tree)
README = Path(connect_participant_emulator.__file__).parent / "README.md"
INSTANCE = "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001"


def _messages(document: Any, **kwargs: Any) -> list[str]:
    return [str(p) for p in parse_flow(document, **kwargs).problems]


def _one(*actions: dict[str, Any]) -> list[str]:
    return _messages(flow("F", *actions))


# --- the README's table of actions ----------------------------------------------------------------


def _readme_actions() -> tuple[set[str], set[str]]:
    """(every action type the README's table names, those of its "no effect offline" row)."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| Action | Offline behaviour") :]
    every: set[str] = set()
    no_op: set[str] = set()
    for line in table.splitlines()[2:]:
        if not line.startswith("|"):
            break
        first, behaviour = line.split("|")[1:3]
        names = set(re.findall(r"[A-Z][A-Za-z]+", first))
        every |= names
        if "no effect offline" in behaviour and behaviour.strip().startswith("no effect"):
            no_op |= names
    return every, no_op


def test_the_action_types_run_are_those_the_readme_lists() -> None:
    every, no_op = _readme_actions()
    assert every == SUPPORTED_TYPES
    assert no_op == NO_OP_TYPES


@pytest.mark.parametrize("kind", sorted(SUPPORTED_TYPES - {"Wait"}))
def test_every_supported_type_parses_without_an_unsupported_problem(kind: str) -> None:
    assert not [m for m in _one(action("a", kind, next_action="end"), disconnect()) if "does not run" in m]


# --- problems, as text ----------------------------------------------------------------------------


def test_a_problem_names_the_flow_then_the_action_then_its_type() -> None:
    assert str(FlowProblem("F", "broken")) == "flow 'F': broken"
    assert str(FlowProblem("F", "broken", "a1")) == "flow 'F', action 'a1': broken"
    assert str(FlowProblem("F", "broken", "a1", "Wait")) == "flow 'F', action 'a1' (Type Wait): broken"
    assert str(FlowProblem("F", "broken", None, "Wait")) == "flow 'F': broken"


def test_one_problem_is_the_error_several_are_counted() -> None:
    one = FlowError([FlowProblem("F", "x")])
    assert (str(one), one.problems) == ("flow 'F': x", [FlowProblem("F", "x")])
    two = FlowError([FlowProblem("F", "x"), FlowProblem("G", "y")])
    assert str(two) == "2 problems:\nflow 'F': x\nflow 'G': y"
    assert isinstance(two, ValueError)


def test_check_raises_only_with_problems() -> None:
    good = parse_flow(flow("F", disconnect()))
    good.check()
    bad = parse_flow(flow("F", action("a", "Nope")))
    with pytest.raises(FlowError) as caught:
        bad.check()
    assert caught.value.problems == list(bad.problems)


# --- names, ids, kinds --------------------------------------------------------------------------


def test_a_flow_is_named_by_argument_then_metadata_then_id_then_arn() -> None:
    doc = flow("Designer", disconnect())
    assert parse_flow(doc, name="Given").name == "Given"
    assert parse_flow(doc).name == "Designer"
    bare = {k: v for k, v in doc.items() if k != "Metadata"}
    assert parse_flow(bare, flow_id="id-1").name == "id-1"
    assert parse_flow(bare, arn="arn:x/contact-flow/tail").name == "tail"
    assert parse_flow(bare).name == "unnamed flow"
    assert parse_flow({**bare, "Metadata": {"name": 5}}).name == "unnamed flow"


def test_a_flows_id_is_given_or_the_arns_end_or_stable_for_its_name() -> None:
    doc = flow("F", disconnect())
    assert parse_flow(doc, flow_id="given").flow_id == "given"
    assert parse_flow(doc, arn="arn:x/contact-flow/tail").flow_id == "tail"
    assert parse_flow(doc).flow_id == flow_uuid("F") == parse_flow(doc).flow_id
    assert flow_uuid("F") != flow_uuid("G")
    assert uuid.UUID(flow_uuid("F")).version == 5


def test_kind_and_arn_of_flows_and_modules() -> None:
    doc = flow("F", disconnect())
    contact = parse_flow(doc, flow_id="i")
    assert (contact.type, contact.is_module, contact.arn) == (
        "CONTACT_FLOW",
        False,
        f"{INSTANCE}/contact-flow/i",
    )
    module = parse_flow({**doc, "Settings": {"InputParameters": []}}, flow_id="m")
    assert (module.type, module.is_module, module.arn) == ("MODULE", True, f"{INSTANCE}/flow-module/m")
    assert module.settings == {"InputParameters": []}
    given = parse_flow(doc, flow_id="m", flow_type="MODULE")
    assert (given.type, given.arn) == ("MODULE", f"{INSTANCE}/flow-module/m")
    queue = parse_flow({**doc, "Settings": {}}, flow_id="q", flow_type="CUSTOMER_QUEUE")
    assert (queue.type, queue.is_module, queue.arn) == ("CUSTOMER_QUEUE", False, f"{INSTANCE}/contact-flow/q")
    assert parse_flow(doc, arn="arn:given/x").arn == "arn:given/x"
    assert parse_flow(doc, flow_id="i", instance_arn="arn:i").arn == "arn:i/contact-flow/i"
    assert parse_flow({**doc, "Settings": "x"}).settings == {}


# --- the document ---------------------------------------------------------------------------------


def test_a_document_that_is_no_object_has_one_problem() -> None:
    parsed = parse_flow(["x"], name="F")
    assert ([str(p) for p in parsed.problems], parsed.start_action, dict(parsed.actions)) == (
        ["flow 'F': a flow must be a JSON object"],
        "",
        {},
    )
    assert isinstance(parsed, Flow)


def test_a_legacy_export_is_refused_saying_how_to_get_the_flow_language() -> None:
    assert _messages({"modules": []}, name="F") == [
        "flow 'F': a legacy export (the pre-2019 'modules' format): open it in the flow designer and "
        "export it again, or pull it with DescribeContactFlow, to get the Flow language (2019-10-30)"
    ]
    assert "legacy" not in " ".join(_messages({**flow("F", disconnect()), "modules": []}))


def test_version_and_actions_and_start() -> None:
    assert _messages({**flow("F", disconnect()), "Version": "2020"}) == [
        "flow 'F': Version must be '2019-10-30', not '2020'"
    ]
    assert _messages({"Version": "2019-10-30", "Actions": {}}, name="F") == [
        "flow 'F': Actions must be a list"
    ]
    assert _messages(flow("F", disconnect(), start="nowhere")) == [
        "flow 'F': StartAction 'nowhere' is not an action of this flow"
    ]
    assert parse_flow(flow("F", disconnect(), start="nowhere")).start_action == ""
    assert parse_flow(flow("F", disconnect())).start_action == "end"


def test_each_broken_action_in_its_own_words() -> None:
    doc = flow(
        "F",
        disconnect(),
        {"Type": "Wait"},
        {"Identifier": 3, "Type": "Wait"},
        {"Identifier": "t"},
        {"Identifier": "end", "Type": "Wait", "Parameters": {"TimeoutSeconds": 5}},
        {"Identifier": "p", "Type": "DisconnectParticipant", "Parameters": ["x"]},
        "not an object",
    )
    assert _messages(doc) == [
        "flow 'F': every action needs an Identifier (a string)",
        "flow 'F': every action needs an Identifier (a string)",
        "flow 'F', action 't': the action has no Type",
        "flow 'F', action 'end' (Type Wait): two actions have this Identifier",
        "flow 'F', action 'p' (Type DisconnectParticipant): Parameters must be an object",
        "flow 'F': every action needs an Identifier (a string)",
    ]
    parsed = parse_flow(doc)
    assert parsed.actions["end"].type == "DisconnectParticipant"  # the first one stays
    assert parsed.actions["p"].parameters == {}


def test_an_unsupported_action_type_points_to_the_readme() -> None:
    assert _one(action("a", "LaunchRocket")) == [
        "flow 'F', action 'a' (Type LaunchRocket): the emulator does not run this action type "
        "(see the emulator README's supported actions)"
    ]


# --- transitions ----------------------------------------------------------------------------------


def _with_transitions(transitions: Any) -> dict[str, Any]:
    return {"Identifier": "a", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": transitions}


@pytest.mark.parametrize(
    ("transitions", "words"),
    [
        ("x", "Transitions must be an object"),
        ({"NextAction": 5}, "NextAction must be a string"),
        ({"Errors": ["x"]}, "each Errors entry needs ErrorType and NextAction"),
        (
            {"Errors": [{"ErrorType": 5, "NextAction": "end"}]},
            "each Errors entry needs ErrorType and NextAction",
        ),
        ({"Conditions": ["x"]}, "each Conditions entry needs NextAction and Condition"),
        ({"Conditions": [{"NextAction": "end"}]}, "each Conditions entry needs NextAction and Condition"),
        (
            {"Conditions": [{"NextAction": "", "Condition": {"Operator": "Equals", "Operands": ["1"]}}]},
            "each Conditions entry needs NextAction and Condition",
        ),
        (
            {"Conditions": [{"NextAction": 5, "Condition": {"Operator": "Equals", "Operands": ["1"]}}]},
            "each Conditions entry needs NextAction and Condition",
        ),
        (
            {"Conditions": [{"NextAction": "end", "Condition": {"Operator": "Like", "Operands": ["1"]}}]},
            "unknown condition operator 'Like'",
        ),
        (
            {"Conditions": [{"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": []}}]},
            "a condition needs Operands",
        ),
        (
            {"Conditions": [{"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": "1"}}]},
            "a condition needs Operands",
        ),
    ],
)
def test_each_broken_transition_in_its_own_words(transitions: Any, words: str) -> None:
    assert _one(_with_transitions(transitions), disconnect()) == [
        f"flow 'F', action 'a' (Type DisconnectParticipant): {words}"
    ]


def test_transitions_read_next_errors_and_conditions() -> None:
    transitions = {
        "NextAction": "end",
        "Errors": [
            {"ErrorType": "NoMatchingError", "NextAction": "end"},
            {"ErrorType": "NoMatchingError", "NextAction": "other"},  # the first one wins
            {"ErrorType": "Skipped", "NextAction": ""},
            {"ErrorType": "AlsoSkipped"},
        ],
        "Conditions": [{"NextAction": "other", "Condition": {"Operator": "Equals", "Operands": ["1", "2"]}}],
    }
    parsed = parse_flow(flow("F", _with_transitions(transitions), disconnect(), disconnect("other")))
    assert parsed.problems == ()
    a = parsed.actions["a"]
    assert (a.next_action, dict(a.errors)) == ("end", {"NoMatchingError": "end"})
    assert [(c.next_action, c.operator, c.operands) for c in a.conditions] == [
        ("other", "Equals", ("1", "2"))
    ]
    empty = parse_flow(flow("F", _with_transitions({"NextAction": ""}))).actions["a"]
    assert empty.next_action is None
    none = parse_flow(flow("F", _with_transitions(None))).actions["a"]
    assert (none.next_action, dict(none.errors), none.conditions) == (None, {}, ())


def test_every_transition_to_a_missing_action_is_named() -> None:
    transitions = {
        "NextAction": "n",
        "Errors": [{"ErrorType": "E", "NextAction": "e"}],
        "Conditions": [{"NextAction": "c", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
    }
    assert _one(_with_transitions(transitions)) == [
        f"flow 'F', action 'a' (Type DisconnectParticipant): a transition goes to {t!r}, which is not an action of this flow"
        for t in ("n", "e", "c")
    ]


# --- parameters -------------------------------------------------------------------------------------

_REQUIRED = [
    ("Compare", ("ComparisonValue",)),
    ("Loop", ("LoopCount",)),
    ("InvokeLambdaFunction", ("LambdaFunctionARN",)),
    ("ConnectParticipantWithLexBot", ("LexV2Bot", "LexBot")),
    ("TransferToFlow", ("ContactFlowId",)),
    ("InvokeFlowModule", ("FlowModuleId",)),
    ("UpdateContactTargetQueue", ("QueueId", "AgentId")),
    ("DequeueContactAndTransferToQueue", ("QueueId", "AgentId")),
    ("UpdateContactEventHooks", ("EventHooks",)),
    ("ShowView", ("ViewResource",)),
]


@pytest.mark.parametrize(("kind", "names"), _REQUIRED)
def test_each_action_that_needs_a_parameter_says_which(kind: str, names: tuple[str, ...]) -> None:
    words = f"flow 'F', action 'a' (Type {kind}): parameter {' or '.join(names)} is required"
    assert _one(action("a", kind, {}, "end"), disconnect()) == [words]
    for missing in (dict.fromkeys(names), dict.fromkeys(names, "")):
        assert words in _one(action("a", kind, missing, "end"), disconnect())
    for name in names:
        given = {name: "3"}
        assert not [m for m in _one(action("a", kind, given, "end"), disconnect()) if "is required" in m]


_NUMBERS = [
    ("Wait", "TimeoutSeconds", "1", "604800"),
    ("Wait", "TimeLimitSeconds", "1", "604800"),
    ("Loop", "LoopCount", "0", "100"),
    ("InvokeLambdaFunction", "InvocationTimeLimitSeconds", "1", "8"),
    ("ShowView", "InvocationTimeLimitSeconds", "1", "604800"),
]
_NEEDS = {"InvokeLambdaFunction": {"LambdaFunctionARN": "arn"}, "ShowView": {"ViewResource": {"Id": "v"}}}


@pytest.mark.parametrize(("kind", "name", "low", "high"), _NUMBERS)
def test_each_static_number_from_its_low_to_its_high(kind: str, name: str, low: str, high: str) -> None:
    def problems(value: Any) -> list[str]:
        return _one(action("a", kind, {**_NEEDS.get(kind, {}), name: value}, "end"), disconnect())

    for fine in (low, high, float(low), int(high), "$.Attributes.n"):
        assert problems(fine) == []
    for wrong in (float(low) - 0.5, float(high) + 0.5, "many", None):
        assert problems(wrong)[-1:] == [
            f"flow 'F', action 'a' (Type {kind}): {name} must be a number from {low} to {high} "
            f"(or a JSONPath reference), not {wrong!r}"
        ]


def test_a_number_of_another_actions_type_is_not_checked() -> None:
    assert (
        _one(action("a", "MessageParticipant", {"Text": "x", "TimeoutSeconds": "-5"}, "end"), disconnect())
        == []
    )


def test_wait_needs_a_timeout_of_either_name() -> None:
    assert _one(action("a", "Wait", {}, "end"), disconnect()) == [
        "flow 'F', action 'a' (Type Wait): Wait needs TimeoutSeconds (or TimeLimitSeconds)"
    ]


# --- the designer's names ---------------------------------------------------------------------------


def test_the_designers_names_for_an_action() -> None:
    doc = flow("F", action("a", "TransferToFlow", {"ContactFlowId": "arn:x"}, "end"), disconnect())
    doc["Metadata"]["ActionMetadata"] = {
        "a": {
            "ContactFlow": {"id": "arn:x", "text": "Main menu"},
            "queue": {"displayName": "Sales"},
            "bot": [{"lexV2BotName": "Helper"}, {"text": "Main menu"}, {"text": ""}, {"text": 5}],
            "displayNames": {"text": "Deep"},
            "a1": {"a2": {"a3": {"a4": {"a5": {"a6": {"text": "six deep"}}}}}},
            "b1": {"b2": {"b3": {"b4": {"b5": {"b6": {"b7": {"text": "seven deep"}}}}}}},
            "l1": [[[[[{"text": "six via lists"}]]]]],
            "m1": [[[[[[{"text": "seven via lists"}]]]]]],
        }
    }
    assert parse_flow(doc).actions["a"].names == (
        "Main menu",
        "Sales",
        "Helper",
        "Deep",
        "six deep",
        "six via lists",
    )
    doc["Metadata"]["ActionMetadata"] = ["x"]
    assert parse_flow(doc).actions["a"].names == ()
    doc["Metadata"] = "x"
    assert parse_flow(doc, name="F").actions["a"].names == ()


@pytest.mark.parametrize(
    "operator",
    [
        "Equals",
        "TextStartsWith",
        "TextEndsWith",
        "TextContains",
        "NumberGreaterThan",
        "NumberGreaterOrEqualTo",
        "NumberLessThan",
        "NumberLessOrEqualTo",
    ],
)
def test_every_condition_operator_of_the_flow_language_is_read(operator: str) -> None:
    compare = action("a", "Compare", {"ComparisonValue": "1"}, "end", conditions=[(operator, "1", "end")])
    parsed = parse_flow(flow("F", compare, disconnect()))
    assert parsed.problems == ()
    assert parsed.actions["a"].conditions[0].operator == operator


def test_a_flow_that_cannot_be_read_still_has_its_name_id_arn_and_kind() -> None:
    parsed = parse_flow("not a flow", flow_id="i")
    assert (parsed.name, parsed.flow_id, parsed.arn, parsed.type) == (
        "i",
        "i",
        f"{INSTANCE}/contact-flow/i",
        "CONTACT_FLOW",
    )
    legacy = parse_flow({"modules": []}, name="L", flow_type="MODULE", flow_id="m")
    assert (legacy.flow_id, legacy.arn, legacy.type) == ("m", f"{INSTANCE}/flow-module/m", "MODULE")


def test_an_arn_without_a_slash_is_its_own_name_and_id() -> None:
    parsed = parse_flow({k: v for k, v in flow("F", disconnect()).items() if k != "Metadata"}, arn="arn-only")
    assert (parsed.name, parsed.flow_id) == ("arn-only", "arn-only")


def test_a_broken_transition_entry_does_not_hide_the_ones_after_it() -> None:
    good_condition = {"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": ["1"]}}
    for broken in (
        "x",
        {"NextAction": "end", "Condition": {"Operator": "Like", "Operands": ["1"]}},
        {"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": []}},
    ):
        transitions = {
            "Conditions": [broken, good_condition],
            "Errors": ["x", {"ErrorType": "E", "NextAction": "end"}],
        }
        parsed = parse_flow(flow("F", _with_transitions(transitions), disconnect()))
        assert len(parsed.problems) == 2
        assert [c.next_action for c in parsed.actions["a"].conditions] == ["end"]
        assert dict(parsed.actions["a"].errors) == {"E": "end"}


def test_a_number_is_checked_whatever_came_before_it_in_the_table() -> None:
    view = action("a", "ShowView", {"ViewResource": {"Id": "v"}, "InvocationTimeLimitSeconds": "0"}, "end")
    assert len(_one(view, disconnect())) == 1


def test_a_reference_in_one_number_does_not_spare_the_next() -> None:
    wait = action("a", "Wait", {"TimeoutSeconds": "$.Attributes.t", "TimeLimitSeconds": "0"}, "end")
    assert _one(wait, disconnect()) == [
        "flow 'F', action 'a' (Type Wait): TimeLimitSeconds must be a number from 1 to 604800 "
        "(or a JSONPath reference), not '0'"
    ]
