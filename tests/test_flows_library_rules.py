"""The flow library (``_flows._library``), rule by rule, pure: what files, folders, manifests and
DescribeContactFlow answers load as (names, ids, ARNs, types), how a flow is found, which
problems ``check`` reports, and how plug-ins and a test case's single-use overrides are looked up
(found by ``make mutate --module emulator._flows._library``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from connect_participant_emulator._flows._document import flow_uuid
from connect_participant_emulator._flows._library import (
    DEFAULT_INSTANCE_ARN,
    HoursRule,
    LambdaRule,
    LexRule,
    QueueRule,
)
from connect_participant_emulator.flows import Agent, ContactFlows, FlowClock, FlowError, FlowProblem, Ref

from tests._flow_builder import action, disconnect, flow

INSTANCE = "arn:aws:connect:us-east-1:111122223333:instance/inst"
ARN = f"{INSTANCE}/contact-flow/f-1"
MODULE_ARN = f"{INSTANCE}/flow-module/m-1"


def _write(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def _transfer(
    name: str, target: str, kind: str = "TransferToFlow", param: str = "ContactFlowId"
) -> dict[str, Any]:
    return flow(name, action("t", kind, {param: target}, errors={"NoMatchingError": "end"}), disconnect())


def _broken(name: str) -> dict[str, Any]:
    return flow(name, action("x", "NoSuchAction"), disconnect())


def _problems(flows: ContactFlows, reference: str | None = None) -> list[tuple[str, str, str | None]]:
    try:
        flows.check(reference)
    except FlowError as exc:
        return [(p.flow, p.message, p.identifier) for p in exc.problems]
    return []


# --- a library --------------------------------------------------------------------------------


def test_a_new_library_runs_on_the_wall_clock_in_the_default_instance() -> None:
    placeholders = {"A": "1"}
    flows = ContactFlows(placeholders=placeholders)
    placeholders["A"] = "2"
    assert flows.placeholders == {"A": "1"}  # a copy
    assert isinstance(flows.clock, FlowClock)
    assert flows.instance_arn == DEFAULT_INSTANCE_ARN
    assert DEFAULT_INSTANCE_ARN == (
        "arn:aws:connect:us-east-1:123456789012:instance/00000000-0000-4000-8000-000000000001"
    )
    assert flows.flows == []
    clock = FlowClock(start=0)
    assert ContactFlows(clock=clock).clock is clock
    assert ContactFlows(placeholders=None).placeholders == {}


def test_the_flows_list_is_a_copy() -> None:
    flows = ContactFlows(flow("A", disconnect()))
    flows.flows.clear()
    assert [f.name for f in flows.flows] == ["A"]


def test_a_flow_added_gets_its_arn_on_the_library_s_instance_with_placeholders_replaced() -> None:
    flows = ContactFlows(instance_arn=INSTANCE, placeholders={"Who": "Ann"})
    added = flows.add(flow("Hello", action("s", "MessageParticipant", {"Text": "Hi ${Who}"}), disconnect()))
    assert (added.name, added.flow_id, added.arn, added.type) == (
        "Hello",
        flow_uuid("Hello"),
        f"{INSTANCE}/contact-flow/{flow_uuid('Hello')}",
        "CONTACT_FLOW",
    )
    assert added.actions["s"].parameters["Text"] == "Hi Ann"
    assert flows.flows == [added]


def test_a_document_given_as_text_is_parsed() -> None:
    added = ContactFlows().add(json.dumps(flow("Text", disconnect())))
    assert (added.name, added.problems) == ("Text", ())


@pytest.mark.parametrize("key", ["ContactFlow", None])
def test_a_describe_contact_flow_answer_gives_id_arn_name_and_type(key: str | None) -> None:
    inner = {"Id": "f-1", "Arn": ARN, "Name": "Described", "Type": "CUSTOMER_QUEUE",
             "Content": json.dumps(flow("exported", disconnect()))}  # fmt: skip
    added = ContactFlows().add({key: inner} if key else inner)
    assert (added.name, added.flow_id, added.arn, added.type, added.problems) == (
        "Described", "f-1", ARN, "CUSTOMER_QUEUE", ()
    )  # fmt: skip


@pytest.mark.parametrize("key", ["ContactFlowModule", None])
def test_a_describe_contact_flow_module_answer_is_a_module(key: str | None) -> None:
    inner = {
        "Id": "m-1",
        "Arn": MODULE_ARN,
        "Name": "Mod",
        "Content": flow("m", action("done", "EndFlowModuleExecution")),
    }
    added = ContactFlows().add({key: inner} if key else inner)
    assert (added.name, added.flow_id, added.arn, added.type, added.is_module) == (
        "Mod",
        "m-1",
        MODULE_ARN,
        "MODULE",
        True,
    )


def test_arguments_win_over_what_the_answer_says() -> None:
    inner = {
        "Id": "f-1",
        "Arn": ARN,
        "Name": "Described",
        "Type": "CONTACT_FLOW",
        "Content": flow("x", disconnect()),
    }
    added = ContactFlows().add(
        {"ContactFlow": inner},
        name="Mine",
        flow_id="f-9",
        arn=f"{INSTANCE}/contact-flow/f-9",
        flow_type="CUSTOMER_QUEUE",
    )
    assert (added.name, added.flow_id, added.arn, added.type) == (
        "Mine",
        "f-9",
        f"{INSTANCE}/contact-flow/f-9",
        "CUSTOMER_QUEUE",
    )


def test_a_describe_answer_whose_content_is_not_json_is_a_problem() -> None:
    added = ContactFlows().add({"ContactFlow": {"Id": "f-1", "Name": "Bad", "Content": "{nope"}})
    assert [p.message for p in added.problems] == ["a flow must be a JSON object"]
    assert added.name == "Bad"


def test_a_document_with_actions_and_content_is_a_document_not_an_answer() -> None:
    document = {**flow("Doc", disconnect()), "Content": "ignored"}
    added = ContactFlows().add(document)
    assert (added.name, added.problems) == ("Doc", ())


def test_the_default_name_applies_only_when_nothing_names_the_flow() -> None:
    flows = ContactFlows()
    assert flows.add(flow("Meta", disconnect()), default_name="stem").name == "Meta"
    nameless = flow("", disconnect())
    assert flows.add(nameless, default_name="stem").name == "stem"
    del nameless["Metadata"]["name"]
    assert flows.add(nameless, default_name="stem").name == "stem"
    assert flows.add({**nameless, "Metadata": "odd"}, default_name="stem").name == "stem"
    assert flows.add(nameless, name="given", default_name="stem").name == "given"
    described = {"ContactFlow": {"Name": "Described", "Content": nameless}}
    assert flows.add(described, default_name="stem").name == "Described"


# --- files and folders ----------------------------------------------------------------------------


def test_a_file_is_named_by_its_metadata_else_by_its_stem(tmp_path: Path) -> None:
    flows = ContactFlows()
    named = flows.load(_write(tmp_path / "a.json", flow("Designer", disconnect())))
    nameless = flow("", disconnect())
    del nameless["Metadata"]["name"]
    stem = flows.load(str(_write(tmp_path / "my flow.json", nameless)))
    assert [f.name for f in named + stem] == ["Designer", "my flow"]


def test_a_file_that_is_not_json_is_a_flow_with_that_problem(tmp_path: Path) -> None:
    flows = ContactFlows(instance_arn=INSTANCE)
    (loaded,) = flows.load(_write(tmp_path / "broken.json", "{nope"))
    assert (loaded.name, loaded.flow_id, loaded.arn, loaded.type, loaded.start_action, dict(loaded.actions)) == (
        "broken", flow_uuid("broken"), f"{INSTANCE}/contact-flow/{flow_uuid('broken')}", "CONTACT_FLOW", "", {}
    )  # fmt: skip
    (problem,) = loaded.problems
    assert problem.flow == "broken"
    assert problem.message.startswith("broken.json is not JSON: Expecting property name")
    assert flows.flows == [loaded]
    assert flows.get("broken") is loaded


def test_a_file_that_cannot_be_read_raises(tmp_path: Path) -> None:
    flows = ContactFlows()
    with pytest.raises(FlowError, match=r"^flow '.*missing.json': cannot read the file: "):
        flows.load(tmp_path / "missing.json")
    (tmp_path / "latin.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(FlowError, match=r"^flow '.*latin.json': cannot read the file: .*codec"):
        flows.load(tmp_path / "latin.json")
    assert flows.flows == []


def test_a_folder_loads_every_json_file_sorted_sub_folders_included(tmp_path: Path) -> None:
    _write(tmp_path / "b.json", flow("B", disconnect()))
    _write(tmp_path / "a" / "z.json", flow("Z", disconnect()))
    _write(tmp_path / "c" / "d" / "c.json", flow("C", disconnect()))
    _write(tmp_path / "notes.txt", "not a flow")
    added = ContactFlows().load(tmp_path)
    assert [f.name for f in added] == ["Z", "B", "C"]  # a/z.json, b.json, c/d/c.json


def test_a_folder_s_manifest_is_no_flow_and_names_its_files(tmp_path: Path) -> None:
    _write(tmp_path / "flows" / "in.json", flow("exported", disconnect()))
    _write(tmp_path / "flows" / "other.json", flow("Other", disconnect()))
    _write(tmp_path / "modules" / "m.json", flow("exported module", action("done", "EndFlowModuleExecution")))
    _write(tmp_path / "modules" / "m2.json", flow("module two", action("done", "EndFlowModuleExecution")))
    _write(tmp_path / "sub" / "manifest.json", {"flows": [{"file": "x"}]})  # only the folder's own
    _write(
        tmp_path / "manifest.json",
        {
            "flows": [
                {
                    "file": "flows/in.json",
                    "id": "f-1",
                    "arn": ARN,
                    "name": "Inbound",
                    "type": "CUSTOMER_QUEUE",
                },
                {"file": "flows/other.json", "id": "", "name": 5},  # empty and non-text values are ignored
                {"id": "no-file"},
                "not an entry",
            ],
            "modules": [
                {
                    "file": "modules/m.json",
                    "id": "m-1",
                    "arn": MODULE_ARN,
                    "name": "Mod",
                    "type": "CONTACT_FLOW",
                },
                {"file": "modules/m2.json", "arn": f"{INSTANCE}/flow-module/m-2"},
            ],
        },
    )
    flows = ContactFlows()
    added = {f.name: f for f in flows.load(tmp_path)}
    assert sorted(added) == ["Inbound", "Mod", "Other", "module two"]
    inbound = added["Inbound"]
    assert (inbound.flow_id, inbound.arn, inbound.type) == ("f-1", ARN, "CUSTOMER_QUEUE")
    other = added["Other"]
    assert other.flow_id == flow_uuid("Other")
    module = added["Mod"]
    assert (module.flow_id, module.arn, module.type) == ("m-1", MODULE_ARN, "MODULE")
    two = added["module two"]
    assert (two.flow_id, two.type) == ("m-2", "MODULE")


def test_a_manifest_entry_with_a_module_arn_and_no_type_is_a_module(tmp_path: Path) -> None:
    _write(tmp_path / "m.json", flow("m", action("done", "EndFlowModuleExecution")))
    _write(tmp_path / "f.json", flow("f", disconnect()))
    _write(
        tmp_path / "manifest.json",
        {"flows": [{"file": "m.json", "arn": MODULE_ARN}, {"file": "f.json", "arn": ARN}]},
    )
    added = {f.flow_id: f.type for f in ContactFlows().load(tmp_path)}
    assert added == {"m-1": "MODULE", "f-1": "CONTACT_FLOW"}


@pytest.mark.parametrize(
    "manifest", [[{"file": "a.json", "name": "X"}], {"flows": None, "modules": None}, {}]
)
def test_a_manifest_of_another_shape_names_nothing(tmp_path: Path, manifest: Any) -> None:
    _write(tmp_path / "a.json", flow("A", disconnect()))
    _write(tmp_path / "manifest.json", manifest)
    assert [f.name for f in ContactFlows(tmp_path).flows] == ["A"]


@pytest.mark.parametrize(("content", "words"), [("{nope", "Expecting property name"), (b"\xff{", "codec")])
def test_a_manifest_that_cannot_be_read_raises(tmp_path: Path, content: str | bytes, words: str) -> None:
    _write(tmp_path / "a.json", flow("A", disconnect()))
    index = tmp_path / "manifest.json"
    if isinstance(content, bytes):
        index.write_bytes(content)
    else:
        index.write_text(content)
    with pytest.raises(FlowError) as caught:
        ContactFlows(tmp_path)
    (problem,) = caught.value.problems
    assert problem.flow == str(index)
    assert problem.message.startswith("cannot read the manifest: ")
    assert words in problem.message


def test_a_manifest_that_is_a_folder_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").mkdir()
    _write(tmp_path / "manifest.json" / "inner.json", flow("Inner", disconnect()))
    assert [f.name for f in ContactFlows(tmp_path).flows] == ["Inner"]


def test_sources_of_every_kind_load_in_order(tmp_path: Path) -> None:
    file = _write(tmp_path / "one.json", flow("One", disconnect()))
    folder = tmp_path / "more"
    _write(folder / "two.json", flow("Two", disconnect()))
    flows = ContactFlows(file, folder, flow("Three", disconnect()))
    assert [f.name for f in flows.flows] == ["One", "Two", "Three"]


# --- finding flows ---------------------------------------------------------------------------------


def test_flows_are_found_by_arn_or_id_first_then_by_the_arn_s_id_then_by_name() -> None:
    flows = ContactFlows()
    by_name = flows.add(flow("f-2", disconnect()), flow_id="x-1", arn=f"{INSTANCE}/contact-flow/x-1")
    by_id = flows.add(flow("Second", disconnect()), flow_id="f-2", arn=f"{INSTANCE}/contact-flow/f-2")
    assert flows.get("f-2") is by_id  # an id wins over an earlier flow's name
    assert flows.get(f"{INSTANCE}/contact-flow/x-1") is by_name
    assert (
        flows.get("arn:aws:connect:eu-west-2:9:instance/other/contact-flow/f-2") is by_id
    )  # the id of a foreign ARN
    assert flows.get("Second") is by_id
    assert flows.get("nothing") is None
    assert (
        flows.find(Ref("arn:aws:connect:eu-west-2:9:instance/o/contact-flow/zz", ("nope", "Second")), None)
        is by_id
    )


def test_finding_keeps_flows_and_modules_apart() -> None:
    flows = ContactFlows()
    module = flows.add(
        flow("Same", action("done", "EndFlowModuleExecution")), flow_type="MODULE", flow_id="m-1"
    )
    plain = flows.add(flow("Same", disconnect()), flow_id="f-1")
    assert flows.find(Ref("Same"), True) is module
    assert flows.find(Ref("Same"), False) is plain
    assert flows.find(Ref("Same"), None) is module  # the first loaded
    assert flows.find(Ref(plain.flow_id), True) is None
    assert flows.find(Ref(module.arn), False) is None
    assert flows.find(Ref("x", ("Same",)), False) is plain


# --- check -------------------------------------------------------------------------------------------


def test_check_of_every_flow_raises_every_problem_and_nothing_when_there_is_none() -> None:
    flows = ContactFlows(flow("Fine", disconnect()))
    flows.check()
    flows.add(_broken("B1"))
    flows.add(_broken("B2"))
    assert [(flow_name, identifier) for flow_name, _, identifier in _problems(flows)] == [
        ("B1", "x"),
        ("B2", "x"),
    ]


def test_check_of_a_flow_not_loaded_says_so() -> None:
    with pytest.raises(FlowError) as caught:
        ContactFlows().check("nope")
    assert caught.value.problems == [FlowProblem("nope", "no loaded flow has this id, ARN or name")]


def test_check_of_a_flow_reports_the_flows_it_reaches_and_not_the_others() -> None:
    flows = ContactFlows(
        _transfer("Main", "Next"),
        _transfer("Next", "Main"),  # a cycle ends
        _broken("Unreached"),
    )
    flows.check("Main")
    flows.add(_broken("Far"))
    flows.add(_transfer("Via", "Far"))
    assert [(f, i) for f, _, i in _problems(flows, "Via")] == [("Far", "x")]
    assert _problems(flows, "Main") == []


def test_a_cycle_reports_each_problem_once() -> None:
    broken = _transfer("Main", "Loop")
    broken["Actions"].append(action("x", "NoSuchAction"))
    flows = ContactFlows(broken, _transfer("Loop", "Main"))
    assert [(f, i) for f, _, i in _problems(flows, "Loop")] == [("Main", "x")]


@pytest.mark.parametrize(
    ("kind", "param", "target", "message"),
    [
        (
            "TransferToFlow",
            "ContactFlowId",
            "missing",
            "ContactFlowId 'missing': no loaded flow has this id, ARN or name",
        ),
        (
            "InvokeFlowModule",
            "FlowModuleId",
            "gone",
            "FlowModuleId 'gone': no loaded flow module has this id, ARN or name",
        ),
    ],
)
def test_a_transfer_or_a_module_not_loaded_is_a_problem_of_the_action(
    kind: str, param: str, target: str, message: str
) -> None:
    flows = ContactFlows(_transfer("Main", target, kind, param))
    with pytest.raises(FlowError) as caught:
        flows.check("Main")
    assert caught.value.problems == [FlowProblem("Main", message, "t", kind)]


def test_a_transfer_reaches_flows_only_and_an_invoke_modules_only() -> None:
    flows = ContactFlows(
        _transfer("ToFlow", "Mod"),
        _transfer("ToModule", "Plain", "InvokeFlowModule", "FlowModuleId"),
        _transfer("Good", "Mod", "InvokeFlowModule", "FlowModuleId"),
    )
    flows.add(flow("Mod", action("done", "EndFlowModuleExecution")), flow_type="MODULE")
    flows.add(flow("Plain", disconnect()))
    assert [i for _, _, i in _problems(flows, "ToFlow")] == ["t"]
    assert [i for _, _, i in _problems(flows, "ToModule")] == ["t"]
    flows.check("Good")


def test_a_module_s_problems_count_for_the_flow_that_invokes_it() -> None:
    module = flow("Mod", action("done", "EndFlowModuleExecution"), action("x", "NoSuchAction"))
    flows = ContactFlows(_transfer("Main", "Mod", "InvokeFlowModule", "FlowModuleId"))
    flows.add(module, flow_type="MODULE")
    assert [(f, i) for f, _, i in _problems(flows, "Main")] == [("Mod", "x")]


@pytest.mark.parametrize("target", ["$.Attributes.next", "flow-${Stage}", "flow-{{Stage}}"])
def test_a_target_known_only_at_run_time_is_not_checked(target: str) -> None:
    ContactFlows(
        _transfer("Main", target), _transfer("Mod", target, "InvokeFlowModule", "FlowModuleId")
    ).check()
    ContactFlows(_transfer("Main", target)).check("Main")
    ContactFlows(_transfer("Main", target, "InvokeFlowModule", "FlowModuleId")).check("Main")


def test_only_transfers_and_invokes_reach_other_flows() -> None:
    flows = ContactFlows(
        flow("Main", action("q", "MessageParticipant", {"Text": "hi", "ContactFlowId": "nowhere", "FlowModuleId": "no"}, "end"),
             disconnect()),
    )  # fmt: skip
    flows.check("Main")


def test_event_hooks_reach_their_flows_and_a_hook_not_loaded_is_no_problem() -> None:
    hooks = action(
        "h",
        "UpdateContactEventHooks",
        {"EventHooks": {"CustomerQueue": "Queue flow", "CustomerRemaining": "not loaded", "Other": 5}},
        "end",
    )
    flows = ContactFlows(flow("Main", hooks, disconnect()), _broken("Queue flow"))
    assert [f for f, _, _ in _problems(flows, "Main")] == ["Queue flow"]
    other = action(
        "h",
        "UpdateContactAttributes",
        {"EventHooks": {"CustomerQueue": "Queue flow"}, "Attributes": {}},
        "end",
    )
    flows.add(flow("NotHooks", other, disconnect()))
    assert _problems(flows, "NotHooks") == []
    odd = action("h", "UpdateContactEventHooks", {"EventHooks": "Queue flow"}, "end")
    flows.add(flow("OddHooks", odd, disconnect()))
    assert _problems(flows, "OddHooks") == []


def test_an_event_hook_reaches_flows_not_modules() -> None:
    hooks = action("h", "UpdateContactEventHooks", {"EventHooks": {"CustomerQueue": "Mod"}}, "end")
    flows = ContactFlows(flow("Main", hooks, disconnect()))
    flows.add(
        flow("Mod", action("done", "EndFlowModuleExecution"), action("x", "NoSuchAction")), flow_type="MODULE"
    )
    assert _problems(flows, "Main") == []


# --- plug-ins --------------------------------------------------------------------------------------


def test_registering_plugins_keeps_them_in_order() -> None:
    flows = ContactFlows()

    def fn(event: Any) -> Any:
        return {}

    assert flows.lambda_function("a", fn) is fn
    decorator = flows.lambda_function("b", timeout=3)
    assert decorator(fn) is fn
    bot = object()
    assert flows.lex_bot("bot", bot) is bot
    agent = Agent()
    flows.queue("q", agent)
    flows.queue("full", at_capacity=True)
    flows.hours("h", open=False)
    flows.view("v", {"Name": "V"})
    assert flows.lambdas == [LambdaRule("a", fn, None), LambdaRule("b", fn, 3)]
    assert flows.bots == [LexRule("bot", bot)]
    assert flows.queues == [QueueRule("q", agent, False), QueueRule("full", None, True)]
    assert flows.hours_rules == [HoursRule("h", False)]
    assert flows.views == [("v", {"Name": "V"})]


def test_lambda_functions_are_found_by_arn_id_function_name_or_designer_name_first_rule_first() -> None:
    flows = ContactFlows()
    first, second = (lambda e: 1), (lambda e: 2)
    flows.lambda_function("balance", first)
    flows.lambda_function("*", second)
    arn = "arn:aws:lambda:us-east-1:1:function:balance"
    for ref in (
        Ref(arn),
        Ref(arn + ":live"),
        Ref("balance"),
        Ref("arn:aws:lambda:x:1:function:other", ("balance",)),
    ):
        rule = flows.lambda_for(ref)
        assert rule is not None, ref
        assert rule.function is first, ref
    other = flows.lambda_for(Ref("arn:aws:lambda:x:1:function:other"))
    assert other is not None
    assert other.function is second
    assert flows.lambda_for(Ref("")) is None  # nothing to match: even * does not


def test_a_lambda_function_s_arn_pattern_matches_the_arn() -> None:
    flows = ContactFlows()
    flows.lambda_function("*:function:balance-*", lambda e: 1)
    assert flows.lambda_for(Ref("arn:aws:lambda:us-east-1:1:function:balance-lookup")) is not None
    assert flows.lambda_for(Ref("arn:aws:lambda:us-east-1:1:function:other")) is None


@pytest.mark.parametrize("kind", ["bot", "queue", "view"])
def test_bots_queues_and_views_are_found_by_value_id_or_designer_name(kind: str) -> None:
    flows = ContactFlows()
    register = {"bot": lambda p, v: flows.lex_bot(p, v), "queue": lambda p, v: flows.queue(p, v),
                "view": lambda p, v: flows.view(p, v)}[kind]  # fmt: skip
    lookup = {"bot": flows.bot_for, "queue": flows.queue_for, "view": flows.view_for}[kind]
    first: Any = Agent("first") if kind == "queue" else {"Name": "first"}
    second: Any = Agent("second") if kind == "queue" else {"Name": "second"}
    register("Sales", first)
    register("*", second)

    def found(ref: Ref) -> Any:
        got = lookup(ref)
        if got is None:
            return None
        value = got if kind == "view" else (got.agent if kind == "queue" else got.bot)
        return value["Name"] if isinstance(value, dict) else value.name

    assert found(Ref(f"{INSTANCE}/queue/Sales")) == "first"  # the ARN's id
    assert found(Ref("Sales")) == "first"
    assert found(Ref(f"{INSTANCE}/queue/q-1", ("Sales",))) == "first"  # the designer's name
    assert found(Ref(f"{INSTANCE}/queue/q-1")) == "second"
    empty = ContactFlows()
    assert {"bot": empty.bot_for, "queue": empty.queue_for, "view": empty.view_for}[kind](
        Ref("Sales")
    ) is None


def test_hours_are_found_by_the_hours_else_by_the_queue() -> None:
    flows = ContactFlows()
    flows.hours("Support hours", open=False)
    flows.hours("Sales", open=True)
    assert flows.hours_for(None, None) is None
    by_hours = flows.hours_for(Ref(f"{INSTANCE}/operating-hours/h-1", ("Support hours",)), Ref("Sales"))
    assert by_hours == HoursRule("Support hours", False)
    assert flows.hours_for(None, Ref("Sales")) == HoursRule("Sales", True)
    assert flows.hours_for(Ref("h-1"), Ref("Sales")) is None  # named hours are not the queue's
    assert flows.hours_for(Ref(f"{INSTANCE}/operating-hours/Sales"), None) == HoursRule("Sales", True)


# --- overrides ---------------------------------------------------------------------------------------


def test_an_override_is_used_once_per_contact_first_in_first_out() -> None:
    flows = ContactFlows()
    flows.override("c1", "queue", "Sales", "first")
    flows.override("c1", "queue", "Sales", "second")
    flows.override("c2", "queue", "Sales", "other contact")
    assert flows.take_override("c1", "lambda", Ref("Sales")) is None  # another kind
    assert flows.take_override("c1", "queue", Ref("Sales")) == "first"
    assert flows.take_override("c1", "queue", Ref("Sales")) == "second"
    assert flows.take_override("c1", "queue", Ref("Sales")) is None
    assert flows.take_override("c2", "queue", Ref("Sales")) == "other contact"
    assert flows.take_override(None, "queue", Ref("Sales")) is None
    flows.override("c3", "queue", "Sales", "x")
    assert flows.take_override("c3", "queue", None) is None
    assert flows.take_override("c3", "queue", Ref("Support")) is None  # another resource
    assert flows.take_override("c3", "queue", Ref("Sales")) == "x"


def test_overrides_of_one_contact_are_cleared_together() -> None:
    flows = ContactFlows()
    flows.override("c1", "hours", "H", 1)
    flows.override("c1", "lex", "B", 2)
    flows.override("c2", "hours", "H", 3)
    flows.clear_overrides("c1")
    flows.clear_overrides("never")
    assert flows.take_override("c1", "hours", Ref("H")) is None
    assert flows.take_override("c1", "lex", Ref("B")) is None
    assert flows.take_override("c2", "hours", Ref("H")) == 3


def test_an_override_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^kind must be lambda, lex, queue or hours, not 'view'$"):
        ContactFlows().override("c", "view", "v", None)
    flows = ContactFlows()
    for kind in ("lambda", "lex", "queue", "hours"):
        flows.override("c", kind, "r", kind)
        assert flows.take_override("c", kind, Ref("r")) == kind


@pytest.mark.parametrize(
    ("resource", "ref"),
    [
        (f"{INSTANCE}/queue/q-1", Ref("q-1")),  # the resource's ARN, the flow's id
        ("q-1", Ref(f"{INSTANCE}/queue/q-1")),  # the resource's id, the flow's ARN
        ("Sales", Ref(f"{INSTANCE}/queue/q-1", ("Sales",))),  # the designer's name
        (
            "arn:aws:connect:eu-west-2:9:instance/o/queue/q-1",
            Ref(f"{INSTANCE}/queue/q-1"),
        ),  # another instance
        ("Sal*", Ref("x", ("Sales",))),  # a pattern
    ],
)
def test_an_override_names_its_resource_by_arn_id_name_or_pattern(resource: str, ref: Ref) -> None:
    flows = ContactFlows()
    flows.override("c", "queue", resource, "rule")
    assert flows.take_override("c", "queue", ref) == "rule"


def test_a_lambda_override_names_the_function_by_name_or_arn() -> None:
    arn = "arn:aws:lambda:us-east-1:1:function:balance"
    flows = ContactFlows()
    flows.override("c", "lambda", "balance", "by name")
    assert flows.take_override("c", "lambda", Ref(arn + ":live")) == "by name"
    flows.override("c", "lambda", "arn:aws:lambda:eu-west-1:2:function:balance", "by arn")
    assert flows.take_override("c", "lambda", Ref(arn)) == "by arn"
    flows.override("c", "queue", "balance", "a queue")
    assert flows.take_override("c", "queue", Ref(arn)) is None  # a function name only for lambdas
    assert flows.take_override("c", "queue", Ref("balance")) == "a queue"


def test_the_oldest_matching_override_is_taken_and_the_others_stay() -> None:
    flows = ContactFlows()
    flows.override("c", "queue", "A", "a")
    flows.override("c", "queue", "B", "b1")
    flows.override("c", "queue", "B", "b2")
    assert flows.take_override("c", "queue", Ref("B")) == "b1"
    assert flows.take_override("c", "queue", Ref("A")) == "a"
    assert flows.take_override("c", "queue", Ref("B")) == "b2"


# --- found by make mutate ------------------------------------------------------------------------


def test_a_manifest_s_modules_are_modules_and_its_ids_are_the_flows_ids_without_arns(tmp_path: Path) -> None:
    _write(tmp_path / "m.json", flow("m", action("done", "EndFlowModuleExecution")))
    _write(tmp_path / "f.json", flow("f", disconnect()))
    _write(
        tmp_path / "manifest.json",
        {"flows": [{"file": "f.json", "id": "f-7"}], "modules": [{"file": "m.json", "id": "m-7"}]},
    )
    added = {f.name: (f.flow_id, f.type) for f in ContactFlows().load(tmp_path)}
    assert added == {"f": ("f-7", "CONTACT_FLOW"), "m": ("m-7", "MODULE")}


def test_a_describe_answer_s_id_is_the_flow_s_id_without_an_arn() -> None:
    added = ContactFlows().add(
        {"ContactFlow": {"Id": "f-5", "Name": "X", "Content": flow("x", disconnect())}}
    )
    assert added.flow_id == "f-5"
    assert added.arn == f"{DEFAULT_INSTANCE_ARN}/contact-flow/f-5"


def test_a_flow_reached_twice_does_not_stop_the_search_for_the_others() -> None:
    main = flow(
        "Main",
        action("t1", "TransferToFlow", {"ContactFlowId": "Broken"}, errors={"NoMatchingError": "end"}),
        action("t2", "TransferToFlow", {"ContactFlowId": "Back"}, errors={"NoMatchingError": "end"}),
        disconnect(),
    )
    flows = ContactFlows(main, _transfer("Back", "Main"), _broken("Broken"))
    assert [(f, i) for f, _, i in _problems(flows, "Main")] == [("Broken", "x")]


def test_an_event_hook_s_foreign_arn_is_found_by_the_designer_s_name() -> None:
    foreign = "arn:aws:connect:eu-west-2:9:instance/o/contact-flow/other"
    hooks = action("h", "UpdateContactEventHooks", {"EventHooks": {"CustomerQueue": foreign}}, "end")
    main = flow("Main", hooks, disconnect())
    main["Metadata"]["ActionMetadata"]["h"] = {"CustomerQueue": {"id": foreign, "text": "Queue flow"}}
    flows = ContactFlows(main, _broken("Queue flow"))
    assert [f for f, _, _ in _problems(flows, "Main")] == ["Queue flow"]
