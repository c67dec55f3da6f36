"""Flow documents read and checked statically, and the values inside them: JSONPath references
(whole values, inside text, in keys), placeholders, numbers written as strings, conditions.
Pure: no emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connect_participant_emulator._flows._values import (
    as_number,
    evaluate,
    lookup,
    render,
    resolve,
    substitute_placeholders,
)
from connect_participant_emulator.flows import ContactFlows, FlowError, parse_flow

from tests._flow_builder import action, disconnect, flow, say

DATA = {
    "Attributes": {"name": "Ann", "two words": "yes", "count": "10"},
    "External": {
        "items": [{"sku": "A1"}, {"sku": "B2"}],
        "vanity1": "1-800-FLOWERS",
        "nested": {"a": {"b": 3}},
    },
    "Lex": {"IntentName": "CheckBalance", "Slots": {"account": "1234"}},
    "Channel": "CHAT",
}


# --- JSONPath ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.Attributes.name", "Ann"),
        ("$.Attributes['two words']", "yes"),
        ('$.Attributes["two words"]', "yes"),
        ("$['Lex']['IntentName']", "CheckBalance"),
        ("$.Lex.Slots.account", "1234"),
        ("$.External.items[1].sku", "B2"),
        ("$.External.nested.a.b", 3),
        ("$.External.items", [{"sku": "A1"}, {"sku": "B2"}]),
        ("$.Channel", "CHAT"),
        ("$.Attributes.missing", None),
        ("$.External.items[5].sku", None),
        ("$.Channel.deeper", None),
    ],
)
def test_jsonpath_forms_read_the_contact_data(path: str, expected: object) -> None:
    assert lookup(DATA, path) == expected
    assert resolve(path, DATA) == expected  # as a whole value: the value itself, any type


def test_references_inside_text_are_replaced_and_a_trailing_full_stop_stays() -> None:
    text = "Call $.External.vanity1. Hi $.Attributes.name, you have $.Attributes.count; $.Attributes.nope!"
    assert render(text, DATA) == "Call 1-800-FLOWERS. Hi Ann, you have 10; !"
    assert render("Only $5 today", DATA) == "Only $5 today"  # a dollar amount is no reference
    assert render("items: $.External.items", DATA) == 'items: [{"sku":"A1"},{"sku":"B2"}]'


def test_references_in_keys_and_nested_values_are_resolved_and_reads_recorded() -> None:
    reads: dict[str, object] = {}
    resolved = resolve(
        {"$.Attributes.name": "$.Lex.Slots.account", "greeting": ["Hello $.Attributes.name", 7]},
        DATA,
        lambda path, value: reads.__setitem__(path, value),
    )
    assert resolved == {"Ann": "1234", "greeting": ["Hello Ann", 7]}
    assert reads == {"$.Attributes.name": "Ann", "$.Lex.Slots.account": "1234"}


def test_placeholders_are_replaced_from_the_mapping_and_unknown_ones_stay() -> None:
    document = {
        "Text": "Queue ${QueueArn} in {{ Region }} via ${AWS::Region}",
        "${Key}": ["{{Region}}", 3],
    }
    out = substitute_placeholders(document, {"QueueArn": "arn:q", "Region": "eu-west-2", "Key": "k"})
    assert out == {"Text": "Queue arn:q in eu-west-2 via ${AWS::Region}", "k": ["eu-west-2", 3]}


@pytest.mark.parametrize(
    ("value", "number"),
    [("6", 6.0), (" 2.5 ", 2.5), (8, 8.0), ("-1", -1.0), ("abc", None), ("", None), (True, None), (None, None),
     ("nan", None), ({"a": 1}, None)],
)  # fmt: skip
def test_numbers_written_as_strings(value: object, number: float | None) -> None:
    assert as_number(value) == number


@pytest.mark.parametrize(
    ("operator", "value", "operand", "matches"),
    [
        ("Equals", "CHAT", "CHAT", True),
        ("Equals", "chat", "CHAT", False),  # case counts
        ("Equals", 5, "5", True),
        ("TextStartsWith", "Hello there", "Hello", True),
        ("TextStartsWith", "Hello there", "there", False),
        ("TextEndsWith", "Hello there", "there", True),
        ("TextContains", "Hello there", "lo th", True),
        ("TextContains", "Hello there", "xyz", False),
        ("NumberGreaterThan", "10", "9", True),  # as numbers, not as text ("10" < "9")
        ("NumberGreaterThan", "9", "9", False),
        ("NumberGreaterOrEqualTo", "9", "9.0", True),
        ("NumberLessThan", "2.5", "3", True),
        ("NumberLessOrEqualTo", "4", "3", False),
        ("NumberLessThan", "abc", "3", False),  # not a number: no match
        ("Equals", None, "", False),  # nothing matches no condition
    ],
)
def test_condition_operators(operator: str, value: object, operand: object, matches: bool) -> None:
    assert evaluate(operator, value, operand) is matches


# --- static checks -------------------------------------------------------------------------------


def test_a_legacy_modules_export_is_refused_with_a_clear_error() -> None:
    legacy = {"modules": [{"id": "x", "type": "PlayPrompt", "branches": []}], "start": "x", "version": "1"}
    flows = ContactFlows()
    parsed = flows.add(legacy, name="Old chat flow")
    with pytest.raises(FlowError) as caught:
        flows.check("Old chat flow")
    text = str(caught.value)
    assert "Old chat flow" in text
    assert "legacy" in text
    assert "2019-10-30" in text
    assert parsed.problems


def test_an_unsupported_action_names_the_flow_the_identifier_and_the_type() -> None:
    document = flow(
        "Voice flow",
        say("hello", "Hi", "dial"),
        action("dial", "TransferParticipantToThirdParty", {"ThirdPartyPhoneNumber": "+15555550100"}, "end"),
        disconnect(),
    )
    with pytest.raises(FlowError) as caught:
        parse_flow(document).check()
    (problem,) = caught.value.problems
    assert (problem.flow, problem.identifier, problem.type) == (
        "Voice flow",
        "dial",
        "TransferParticipantToThirdParty",
    )
    assert "'Voice flow'" in str(caught.value)
    assert "'dial'" in str(caught.value)
    assert "TransferParticipantToThirdParty" in str(caught.value)


@pytest.mark.parametrize(
    ("document", "identifier", "words"),
    [
        (flow("F", say("a", "x", "ghost")), "a", "'ghost'"),  # a transition to no action
        (flow("F", action("w", "Wait", {"TimeLimitSeconds": "soon"}, "end"), disconnect()), "w", "TimeLimitSeconds"),
        (flow("F", action("w", "Wait", {}, "end"), disconnect()), "w", "TimeoutSeconds"),
        (flow("F", action("l", "Loop", {"LoopCount": "101"}), disconnect()), "l", "LoopCount"),
        (flow("F", action("c", "Compare", {}), disconnect()), "c", "ComparisonValue"),
        (flow("F", action("x", "InvokeLambdaFunction", {"LambdaFunctionARN": "f",
                                                          "InvocationTimeLimitSeconds": "9"})), "x", "from 1 to 8"),
        (flow("F", say("a", "x"), start="nowhere"), None, "StartAction"),
        (flow("F", say("a", "x"), say("a", "y")), "a", "two actions"),
    ],
)  # fmt: skip
def test_broken_documents_are_reported_before_anything_runs(
    document: dict[str, object], identifier: str | None, words: str
) -> None:
    problems = parse_flow(document).problems
    assert any(p.identifier == identifier and words in p.message for p in problems), problems


def test_static_numbers_written_as_strings_and_jsonpath_numbers_are_accepted() -> None:
    document = flow(
        "F",
        action("w", "Wait", {"TimeLimitSeconds": "900"}, "w2"),
        action("w2", "Wait", {"TimeoutSeconds": "$.Attributes.wait"}, "l"),
        action("l", "Loop", {"LoopCount": "3"}, conditions=[("Equals", "ContinueLooping", "w"),
                                                            ("Equals", "DoneLooping", "end")]),
        disconnect(),
    )  # fmt: skip
    assert parse_flow(document).problems == ()


def test_a_transfer_to_a_flow_not_loaded_is_an_error_of_the_flow_that_transfers() -> None:
    flows = ContactFlows(
        flow("Main", action("t", "TransferToFlow", {"ContactFlowId": "arn:aws:connect:x:1:instance/i/contact-flow/nope"},
                            errors={"NoMatchingError": "end"}), disconnect()),
    )  # fmt: skip
    with pytest.raises(FlowError) as caught:
        flows.check("Main")
    (problem,) = caught.value.problems
    assert (problem.flow, problem.identifier, problem.type) == ("Main", "t", "TransferToFlow")
    assert "nope" in problem.message


def test_flows_are_found_by_id_arn_name_and_by_the_designer_s_name_for_a_foreign_arn(tmp_path: Path) -> None:
    target = flow("Billing", say("b", "Billing here", "end"), disconnect())
    described = {
        "ContactFlow": {
            "Arn": "arn:aws:connect:us-east-1:111122223333:instance/inst/contact-flow/f-123",
            "Id": "f-123",
            "Name": "Billing (prod)",
            "Type": "CONTACT_FLOW",
            "Content": json.dumps(target),
        }
    }
    (tmp_path / "billing.json").write_text(json.dumps(described))
    main = flow("Main", action("t", "TransferToFlow", {"ContactFlowId": "arn:aws:connect:eu-west-2:9:instance/o/contact-flow/other"},
                               errors={"NoMatchingError": "end"}), disconnect())  # fmt: skip
    main["Metadata"]["ActionMetadata"]["t"] = {"ContactFlow": {"id": "arn:…/other", "text": "Billing (prod)"}}
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "main.json").write_text(json.dumps(main))
    flows = ContactFlows(tmp_path)
    billing = flows.get("f-123")
    assert billing is not None
    assert billing.name == "Billing (prod)"
    assert flows.get("arn:aws:connect:us-east-1:111122223333:instance/inst/contact-flow/f-123") is billing
    assert flows.get("Billing (prod)") is billing
    flows.check("Main")  # the foreign ARN is found by the designer's name
    main_flow = flows.get("Main")
    assert main_flow is not None
    assert main_flow.flow_id != billing.flow_id


def test_a_file_that_is_not_json_is_a_problem_of_that_flow_only(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{nope")
    (tmp_path / "manifest.json").write_text(json.dumps({"flows": []}))  # flows pull's index: skipped
    (tmp_path / "fine.json").write_text(json.dumps(flow("Fine", disconnect())))
    flows = ContactFlows(tmp_path)
    assert sorted(f.name for f in flows.flows) == ["Fine", "broken"]
    flows.check("Fine")
    with pytest.raises(FlowError, match="not JSON"):
        flows.check("broken")


def test_placeholders_given_to_the_library_apply_when_flows_load() -> None:
    flows = ContactFlows(
        flow("P", say("a", "Queue ${QueueName}", "end"), disconnect()), placeholders={"QueueName": "Sales"}
    )
    loaded = flows.get("P")
    assert loaded is not None
    assert loaded.actions["a"].parameters["Text"] == "Queue Sales"


def test_a_manifest_gives_files_their_ids_arns_names_and_module_type(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    (tmp_path / "modules").mkdir()
    (tmp_path / "flows" / "inbound.json").write_text(json.dumps(flow("exported name", disconnect())))
    module = flow("Survey module", action("done", "EndFlowModuleExecution"))
    (tmp_path / "modules" / "survey.json").write_text(json.dumps(module))
    arn = "arn:aws:connect:us-east-1:111122223333:instance/inst/contact-flow/9c95f170-0000-4000-8000-000000000001"
    manifest = {
        "instance_id": "inst",
        "flows": [{"file": "flows/inbound.json", "id": "9c95f170-0000-4000-8000-000000000001", "arn": arn,
                   "name": "Inbound", "type": "CONTACT_FLOW"}],
        "modules": [{"file": "modules/survey.json", "id": "1bc263e9", "name": "Survey module",
                     "arn": "arn:aws:connect:us-east-1:111122223333:instance/inst/flow-module/1bc263e9"}],
        "skipped": [],
    }  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    flows = ContactFlows(tmp_path)
    inbound = flows.get(arn)
    assert inbound is not None
    assert (inbound.name, inbound.flow_id, inbound.type) == (
        "Inbound",
        "9c95f170-0000-4000-8000-000000000001",
        "CONTACT_FLOW",
    )
    survey = flows.get("1bc263e9")
    assert survey is not None
    assert survey.is_module
    assert len(flows.flows) == 2


def test_clear_plugins_forgets_registrations_and_keeps_the_flows() -> None:
    from connect_participant_emulator.flows import Agent, Ref, ScriptedBot

    flows = ContactFlows(flow("F", disconnect()))
    flows.lambda_function("fn", lambda event: {})
    flows.lex_bot("*", ScriptedBot())
    flows.queue("q", Agent())
    flows.hours("h", open=False)
    flows.view("*", {"Name": "v"})
    assert flows.lambda_for(Ref("arn:aws:lambda:us-east-1:1:function:fn")) is not None
    flows.clear_plugins()
    assert (flows.lambdas, flows.bots, flows.queues, flows.hours_rules, flows.views) == ([], [], [], [], [])
    assert flows.lambda_for(Ref("arn:aws:lambda:us-east-1:1:function:fn")) is None
    assert flows.get("F") is not None


def test_a_reference_in_text_ends_before_punctuation_and_names_may_hold_dashes_and_colons() -> None:
    data = {
        "Attributes": {"order": "A1", "first-name": "Ann"},
        "SegmentAttributes": {"connect:Subtype": "chat"},
    }
    assert render("Order $.Attributes.order: shipped.", data) == "Order A1: shipped."
    assert render("Hi $.Attributes.first-name - welcome", data) == "Hi Ann - welcome"
    assert render("$.SegmentAttributes.connect:Subtype!", data) == "chat!"
    assert render("Only $.99 and $5.", data) == "Only $.99 and $5."  # prices are no references
    assert lookup(data, "$.SegmentAttributes.connect:Subtype") == "chat"
