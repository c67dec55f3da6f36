"""The flow interpreter, action by action, through its documented branches (pure: no emulator,
no clock; times are numbers given to the run). A 15-minute Wait is a number here too."""

from __future__ import annotations

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
    InvokeLambda,
    LexTurn,
    ParticipantLeft,
    QueueContact,
    SendMessage,
    ShowView,
    StartAuthentication,
)

from tests._flow_builder import action, disconnect, flow, say

INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
PICKER = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {"content": {"title": "Pick", "elements": []}},
}


class Harness:
    """One run of the first document given, the others loaded beside it."""

    def __init__(
        self, *documents: dict[str, Any], role: str = "inbound", draw: float = 0.5, **attributes: str
    ):
        self.flows = ContactFlows(*documents)
        self.contact = ContactState("contact-1", self.flows.instance_arn, attributes=dict(attributes))
        self.run = FlowRun(self.flows.flows[0], self.contact, self.flows.find, role=role, random=lambda: draw)
        self.now = 1_000.0
        self.commands: list[Any] = []

    def _take(self) -> list[Any]:
        commands = self.run.drain()
        self.commands.extend(commands)
        return commands

    def start(self) -> list[Any]:
        self.run.start(self.now)
        return self._take()

    def say(self, text: str, content_type: str = "text/plain") -> list[Any]:
        self.run.handle(self.now, CustomerMessage(text, content_type))
        return self._take()

    def last_call(self) -> Any:
        return next(c for c in reversed(self.commands) if hasattr(c, "call_id"))

    def answer(self, value: Any) -> list[Any]:
        self.run.handle(self.now, CallResult(self.last_call().call_id, value))
        return self._take()

    def fail(self, reason: str = "boom") -> list[Any]:
        self.run.handle(self.now, CallFailed(self.last_call().call_id, reason))
        return self._take()

    def advance(self, seconds: float) -> list[Any]:
        self.now += seconds
        self.run.tick(self.now)
        return self._take()

    @property
    def messages(self) -> list[str]:
        return [c.content for c in self.commands if isinstance(c, SendMessage)]

    @property
    def path(self) -> list[tuple[str, str]]:
        return [(step.identifier, step.branch) for step in self.run.trace]

    @property
    def outcome(self) -> str | None:
        ended = [c for c in self.commands if isinstance(c, FlowEnded)]
        return ended[-1].outcome if ended else None


def ending(*labels: str) -> list[dict[str, Any]]:
    """One message + disconnect per label: a branch's destination shows in the messages."""
    actions = []
    for label in labels:
        actions.append(say(label, label, f"{label}-end"))
        actions.append(disconnect(f"{label}-end"))
    return actions


# --- MessageParticipant ----------------------------------------------------------------------------


def test_message_participant_sends_text_as_system_message_then_goes_on() -> None:
    h = Harness(
        flow("F", say("hi", "Hello $.Attributes.name, on $.Channel", "end"), disconnect()), name="Ann"
    )
    commands = h.start()
    assert commands[0] == SendMessage("Hello Ann, on CHAT", "text/plain", "SYSTEM_MESSAGE")
    assert isinstance(commands[1], Disconnect)
    assert h.outcome == "disconnected"
    assert h.path == [("hi", "NextAction"), ("end", "End")]
    assert h.run.trace[0].read == {"$.Attributes.name": "Ann", "$.Channel": "CHAT"}


def test_message_participant_sends_an_interactive_template_as_interactive_content() -> None:
    h = Harness(flow("F", say("pick", json.dumps(PICKER), "end"), disconnect()))
    (sent, *_) = h.start()
    assert sent.content_type == INTERACTIVE
    assert json.loads(sent.content) == PICKER


def test_message_participant_with_an_audio_prompt_only_takes_the_error_branch_in_chat() -> None:
    h = Harness(flow("F", action("p", "MessageParticipant", {"PromptId": "arn:prompt"}, "ok",
                                 errors={"NoMatchingError": "error"}), *ending("ok", "error")))  # fmt: skip
    h.start()
    assert h.messages == ["error"]
    assert h.path[0] == ("p", "Error NoMatchingError")
    assert "audio" in (h.run.trace[0].note or "")


# --- Wait -----------------------------------------------------------------------------------------


def waiting_flow(parameters: dict[str, Any], returned: bool = True) -> dict[str, Any]:
    conditions = [("Equals", "WaitCompleted", "timeout")]
    if returned:
        conditions.append(("Equals", "CustomerReturned", "returned"))
    return flow(
        "Wait",
        action("w", "Wait", parameters, conditions=conditions, errors={"NoMatchingError": "error"}),
        *ending("timeout", "returned", "error"),
    )


@pytest.mark.parametrize("parameters", [{"TimeLimitSeconds": "900"}, {"TimeoutSeconds": 900,
                                                                       "Events": ["CustomerReturned"]}])  # fmt: skip
def test_a_15_minute_wait_completes_when_the_clock_reaches_it(parameters: dict[str, Any]) -> None:
    h = Harness(waiting_flow(parameters))
    h.start()
    assert h.run.next_deadline() == h.now + 900
    assert h.advance(899.9) == []
    h.advance(0.1)
    assert h.messages == ["timeout"]
    assert h.path[0] == ("w", "Condition Equals WaitCompleted")
    assert h.run.trace[0].result == "WaitCompleted"


def test_a_15_minute_wait_takes_customer_returned_when_the_customer_writes() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "900"}))
    h.start()
    h.advance(600)
    h.say("I'm back")
    assert h.messages == ["returned"]
    assert h.path[0] == ("w", "Condition Equals CustomerReturned")
    assert h.advance(600) == []  # the wait is over: its deadline is gone


def test_a_wait_without_customer_returned_ignores_the_customer() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}, returned=False))
    h.start()
    assert h.say("hello?") == []
    h.advance(60)
    assert h.messages == ["timeout"]


def test_a_wait_time_from_an_attribute_and_a_bad_one_takes_the_error_branch() -> None:
    h = Harness(waiting_flow({"TimeoutSeconds": "$.Attributes.patience"}), patience="30")
    h.start()
    h.advance(30)
    assert h.messages == ["timeout"]
    bad = Harness(waiting_flow({"TimeoutSeconds": "$.Attributes.patience"}), patience="later")
    bad.start()
    assert bad.messages == ["error"]


def test_a_wait_for_a_bot_participant_disconnected() -> None:
    document = flow(
        "Wait",
        action("w", "Wait", {"TimeoutSeconds": "60", "Events": ["BotParticipantDisconnected"]},
               conditions=[("Equals", "WaitCompleted", "timeout"), ("Equals", "BotParticipantDisconnected", "gone")]),
        *ending("timeout", "gone"),
    )  # fmt: skip
    h = Harness(document)
    h.start()
    h.run.handle(h.now, ParticipantLeft("AGENT"))
    assert h.run.drain() == []
    h.run.handle(h.now, ParticipantLeft("CUSTOM_BOT"))
    h.commands.extend(h.run.drain())
    assert h.messages == ["gone"]


# --- Compare, attributes ----------------------------------------------------------------------------


def test_compare_takes_the_first_matching_condition_else_no_matching_condition() -> None:
    def compare(value: str) -> Harness:
        h = Harness(
            flow("C", action("c", "Compare", {"ComparisonValue": "$.Attributes.tier"},
                             conditions=[("Equals", "gold", "gold"), ("TextStartsWith", "sil", "silver"),
                                         ("NumberGreaterThan", "9", "big")],
                             errors={"NoMatchingCondition": "none"}), *ending("gold", "silver", "big", "none")),
            tier=value,
        )  # fmt: skip
        h.start()
        return h

    assert compare("gold").messages == ["gold"]
    assert compare("silverish").messages == ["silver"]
    assert compare("10").messages == ["big"]
    nothing = compare("bronze")
    assert nothing.messages == ["none"]
    assert nothing.path[0] == ("c", "Error NoMatchingCondition")
    assert nothing.run.trace[0].read == {"$.Attributes.tier": "bronze"}


def test_update_contact_attributes_sets_values_and_keys_from_references() -> None:
    h = Harness(
        flow("A",
             action("set", "UpdateContactAttributes",
                    {"Attributes": {"greeting": "Hi $.Attributes.name", "$.Attributes.keyname": "$.Channel",
                                    "absent": "$.External.nothing"}, "TargetContact": "Current"},
                    "show", errors={"NoMatchingError": "end"}),
             say("show", "$.Attributes.greeting / $.Attributes.dynamic", "end"), disconnect()),
        name="Ann", keyname="dynamic",
    )  # fmt: skip
    h.start()
    assert h.messages == ["Hi Ann / CHAT"]
    assert h.contact.attributes["dynamic"] == "CHAT"
    assert "absent" not in h.contact.attributes
    assert h.run.trace[0].set == {"$.Attributes.greeting": "Hi Ann", "$.Attributes.dynamic": "CHAT"}


def test_update_flow_attributes_are_read_in_the_flow_and_not_carried_to_the_next() -> None:
    second = flow("Second", say("s", "second sees [$.FlowAttributes.mood]", "end"), disconnect())
    first = flow(
        "First",
        action("fa", "UpdateFlowAttributes", {"FlowAttributes": {"mood": {"Value": "happy"}}}, "m"),
        say("m", "first sees $.FlowAttributes.mood", "t"),
        action("t", "TransferToFlow", {"ContactFlowId": "Second"}, errors={"NoMatchingError": "end"}),
        disconnect(),
    )
    h = Harness(first, second)
    h.start()
    assert h.messages == ["first sees happy", "second sees []"]


# --- queues, hooks, transfers ---------------------------------------------------------------------------


def queue_flow() -> dict[str, Any]:
    return flow(
        "Q",
        action("set", "UpdateContactTargetQueue", {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/q-1"},
               "xfer", errors={"NoMatchingError": "error"}),
        action("xfer", "TransferContactToQueue", {}, "error",
               errors={"QueueAtCapacity": "full", "NoMatchingError": "error"}),
        *ending("full", "error"),
    )  # fmt: skip


def test_transfer_to_queue_queues_the_contact_and_ends_the_flow_without_disconnecting() -> None:
    h = Harness(queue_flow())
    (command,) = h.start()
    assert isinstance(command, QueueContact)
    assert command.queue.id == "q-1"
    h.answer(True)
    assert h.outcome == "queued"
    assert not any(isinstance(c, Disconnect) for c in h.commands)
    assert h.path == [("set", "NextAction"), ("xfer", "End")]
    assert h.contact.queue_data() == {"ARN": "arn:aws:connect:us-east-1:1:instance/i/queue/q-1", "Id": "q-1",
                                      "Name": "q-1", "OutboundCallerId": None}  # fmt: skip


def test_transfer_to_queue_at_capacity_takes_queue_at_capacity() -> None:
    h = Harness(queue_flow())
    h.start()
    h.answer(False)
    assert h.messages == ["full"]
    assert h.path[1] == ("xfer", "Error QueueAtCapacity")


def test_transfer_to_queue_without_a_queue_or_failing_takes_no_matching_error() -> None:
    document = flow("Q", action("xfer", "TransferContactToQueue", {}, errors={"NoMatchingError": "error"}),
                    *ending("error"))  # fmt: skip
    h = Harness(document)
    h.start()
    assert h.messages == ["error"]
    failing = Harness(queue_flow())
    failing.start()
    failing.fail("queue service down")
    assert failing.messages == ["error"]


def test_a_queue_set_by_the_designer_s_name_is_named_in_the_contact_data() -> None:
    document = queue_flow()
    document["Metadata"]["ActionMetadata"]["set"] = {"queue": {"text": "BasicQueue"}}
    h = Harness(document)
    h.start()
    assert h.contact.queue is not None
    assert h.contact.queue.name == "BasicQueue"
    assert h.contact.queue.matches("Basic*")


def test_update_contact_event_hooks_records_the_queue_and_disconnect_flows() -> None:
    h = Harness(flow("H", action("hooks", "UpdateContactEventHooks",
                                 {"EventHooks": {"CustomerRemaining": "arn:…/contact-flow/d-1", "CustomerQueue": "Queue flow"}},
                                 "end", errors={"NoMatchingError": "end"}), disconnect()))  # fmt: skip
    h.start()
    assert {k: v.value for k, v in h.contact.hooks.items()} == {
        "CustomerRemaining": "arn:…/contact-flow/d-1",
        "CustomerQueue": "Queue flow",
    }


def test_transfer_to_flow_goes_to_the_other_flow_or_takes_the_error_branch() -> None:
    other = flow("Other", say("o", "in other", "end"), disconnect())
    main = flow("Main", action("t", "TransferToFlow", {"ContactFlowId": "$.Attributes.target"},
                               errors={"NoMatchingError": "error"}), *ending("error"))  # fmt: skip
    h = Harness(main, other, target="Other")
    h.start()
    assert h.messages == ["in other"]
    assert h.run.trace[0].note == "to flow 'Other'"
    missing = Harness(main, other, target="Nowhere")
    missing.start()
    assert missing.messages == ["error"]


def test_invoke_flow_module_runs_the_module_and_comes_back_to_next_action() -> None:
    module = flow("Greeter", say("g", "module says hi to $.Modules.Input.who", "done"),
                  action("done", "EndFlowModuleExecution"), Settings={"InputParameters": []})  # fmt: skip
    main = flow("Main", action("m", "InvokeFlowModule", {"FlowModuleId": "Greeter", "Parameters": {"who": "Ann"}},
                               "after", errors={"NoMatchingError": "error"}), *ending("after", "error"))  # fmt: skip
    h = Harness(main, module)
    h.start()
    assert h.messages == ["module says hi to Ann", "after"]
    assert [s.flow for s in h.run.trace] == ["Main", "Greeter", "Greeter", "Main", "Main", "Main"]
    unknown = Harness(flow("Main", action("m", "InvokeFlowModule", {"FlowModuleId": "Nope"}, "after",
                                          errors={"NoMatchingError": "error"}), *ending("after", "error")))  # fmt: skip
    unknown.start()
    assert unknown.messages == ["error"]


# --- loops, endings --------------------------------------------------------------------------------


def test_loop_continues_loop_count_times_then_is_done_once_and_resets() -> None:
    document = flow(
        "L",
        action("loop", "Loop", {"LoopCount": "2"},
               conditions=[("Equals", "ContinueLooping", "again"), ("Equals", "DoneLooping", "done")]),
        say("again", "again", "loop"),
        say("done", "done", "loop2"),
        action("loop2", "Loop", {"LoopCount": 0},
               conditions=[("Equals", "ContinueLooping", "never"), ("Equals", "DoneLooping", "end")]),
        *ending("never"), disconnect(),
    )  # fmt: skip
    h = Harness(document)
    h.start()
    assert h.messages == ["again", "again", "done"]
    assert [b for i, b in h.path if i == "loop"] == ["Condition Equals ContinueLooping"] * 2 + [
        "Condition Equals DoneLooping"
    ]


def test_end_flow_execution_disconnects_an_inbound_contact_but_not_a_queued_one() -> None:
    document = flow("E", say("m", "bye", "e"), action("e", "EndFlowExecution"))
    inbound = Harness(document)
    inbound.start()
    assert [type(c).__name__ for c in inbound.commands] == ["SendMessage", "Disconnect", "FlowEnded"]
    assert inbound.outcome == "ended"
    queued = Harness(document, role="customer_queue")
    queued.start()
    assert [type(c).__name__ for c in queued.commands] == ["SendMessage", "FlowEnded"]


def test_a_flow_that_loops_without_waiting_is_stopped_and_the_contact_disconnected() -> None:
    document = flow("Spin", action("a", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "b"),
                    action("b", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "a"))  # fmt: skip
    h = Harness(document)
    h.start()
    assert h.outcome == "failed"
    assert isinstance(h.commands[-2], Disconnect)
    assert h.run.trace[-1].branch == "Stopped"


def test_no_op_actions_go_on_and_say_so_in_the_trace() -> None:
    document = flow(
        "N",
        action("log", "UpdateFlowLoggingBehavior", {"FlowLoggingBehavior": "Enabled"}, "rec"),
        action("rec", "UpdateContactRecordingBehavior", {}, "voice"),
        action("voice", "UpdateContactTextToSpeechVoice", {"TextToSpeechVoice": "Joanna"}, "prio"),
        action("prio", "UpdateContactRoutingBehavior", {"QueuePriority": "1"}, "end"),
        disconnect(),
    )
    h = Harness(document)
    h.start()
    assert h.path[:4] == [
        ("log", "NextAction"),
        ("rec", "NextAction"),
        ("voice", "NextAction"),
        ("prio", "NextAction"),
    ]
    assert h.run.trace[0].note == "no effect offline"


def test_distribute_by_percentage_draws_a_number_and_compares_it() -> None:
    document = flow("D", action("d", "DistributeByPercentage", {},
                                conditions=[("NumberLessThan", "30", "a")], errors={"NoMatchingCondition": "b"}),
                    *ending("a", "b"))  # fmt: skip
    low, high = Harness(document, draw=0.1), Harness(document, draw=0.9)
    low.start()
    high.start()
    assert (low.messages, high.messages) == (["a"], ["b"])


# --- Lambda ----------------------------------------------------------------------------------------


def lambda_flow(validation: str | None = None, invocation: str | None = None) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "LambdaFunctionARN": "arn:aws:lambda:us-east-1:1:function:lookup",
        "InvocationTimeLimitSeconds": "6",
        "LambdaInvocationAttributes": {"phone": "$.Attributes.phone", "fixed": "x"},
    }
    if validation:
        parameters["ResponseValidation"] = {"ResponseType": validation}
    if invocation:
        parameters["InvocationType"] = invocation
    return flow(
        "L",
        action("fn", "InvokeLambdaFunction", parameters, "show", errors={"NoMatchingError": "error"}),
        say("show", "got $.External.name $.External.deep.level", "end"),
        disconnect(),
        *ending("error"),
    )


def test_invoke_lambda_sends_connect_s_event_and_puts_a_string_map_under_external() -> None:
    h = Harness(lambda_flow(), phone="+15555550100")
    (call,) = h.start()
    assert isinstance(call, InvokeLambda)
    assert call.function.value.endswith(":function:lookup")
    assert call.timeout == 6.0
    assert call.response_type == "STRING_MAP"
    assert call.event["Name"] == "ContactFlowEvent"
    assert call.event["Details"]["Parameters"] == {"phone": "+15555550100", "fixed": "x"}
    data = call.event["Details"]["ContactData"]
    assert (data["ContactId"], data["Channel"], data["Attributes"]) == (
        "contact-1",
        "CHAT",
        {"phone": "+15555550100"},
    )
    h.answer({"name": "Ann", "count": 3})
    assert h.messages == ["got Ann "]
    assert h.contact.external == {"name": "Ann", "count": "3"}


def test_a_string_map_lambda_answering_nested_json_takes_the_error_branch_json_accepts_it() -> None:
    strict = Harness(lambda_flow())
    strict.start()
    strict.answer({"name": "Ann", "deep": {"level": 2}})
    assert strict.messages == ["error"]
    assert "STRING_MAP" in (strict.run.trace[0].note or "")
    lenient = Harness(lambda_flow("JSON"))
    lenient.start()
    lenient.answer(json.dumps({"name": "Ann", "deep": {"level": 2}}))  # JSON text is read too
    assert lenient.messages == ["got Ann 2"]


def test_a_lambda_that_fails_or_answers_no_object_takes_the_error_branch() -> None:
    failing = Harness(lambda_flow())
    failing.start()
    failing.fail("ValueError: no such customer")
    assert failing.messages == ["error"]
    assert failing.run.trace[0].note == "ValueError: no such customer"
    odd = Harness(lambda_flow())
    odd.start()
    odd.answer([1, 2])
    assert odd.messages == ["error"]


def test_an_asynchronous_lambda_invocation_does_not_wait() -> None:
    h = Harness(lambda_flow(invocation="ASYNCHRONOUS"))
    commands = h.start()
    assert isinstance(commands[0], InvokeLambda)
    assert commands[0].asynchronous
    assert h.messages == ["got  "]


# --- Lex ----------------------------------------------------------------------------------------


def lex_flow(**extra: Any) -> dict[str, Any]:
    parameters = {"Text": "How can I help?", "LexV2Bot": {"AliasArn": "arn:aws:lex:us-east-1:1:bot-alias/B/A"},
                  "LexSessionAttributes": {"tier": "$.Attributes.tier"}, **extra}  # fmt: skip
    return flow(
        "Lex",
        action("bot", "ConnectParticipantWithLexBot", parameters,
               conditions=[("Equals", "CheckBalance", "balance"), ("Equals", "TalkToAgent", "agent")],
               errors={"NoMatchingCondition": "other", "NoMatchingError": "error",
                       "InputTimeLimitExceeded": "timeout"}),
        say("balance", "balance for $.Lex.Slots.account ($.Lex.IntentName)", "end"), disconnect(),
        *ending("agent", "other", "error", "timeout"),
    )  # fmt: skip


def lex_answer(intent: str, state: str = "Fulfilled", dialog: str = "Close", text: str | None = None,
               slots: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "messages": [{"contentType": "PlainText", "content": text}] if text else [],
        "sessionState": {
            "dialogAction": {"type": dialog},
            "intent": {"name": intent, "state": state,
                       "slots": {k: {"value": {"interpretedValue": v}} for k, v in (slots or {}).items()}},
            "sessionAttributes": {"tier": "gold", "seen": "1"},
        },
    }  # fmt: skip


def test_lex_prompts_as_bot_takes_turns_and_branches_on_the_intent() -> None:
    h = Harness(lex_flow(), tier="gold")
    assert h.start() == [SendMessage("How can I help?", "text/plain", "BOT")]
    (turn,) = h.say("what's my balance")
    assert isinstance(turn, LexTurn)
    assert turn.request["text"] == "what's my balance"
    assert turn.request["sessionState"]["sessionAttributes"] == {"tier": "gold"}
    assert turn.request["sessionId"] == "contact-1"
    asked = h.answer(lex_answer("CheckBalance", "InProgress", "ElicitSlot", text="Which account?"))
    assert asked == [SendMessage("Which account?", "text/plain", "BOT")]  # still in the bot
    h.say("1234")
    h.answer(lex_answer("CheckBalance", slots={"account": "1234"}, text="Checking."))
    assert h.messages[-1] == "balance for 1234 (CheckBalance)"
    assert h.contact.lex["SessionAttributes"] == {"tier": "gold", "seen": "1"}
    assert h.path[0] == ("bot", "Condition Equals CheckBalance")


def test_lex_intent_without_a_branch_takes_no_matching_condition_and_failures_no_matching_error() -> None:
    other = Harness(lex_flow())
    other.start()
    other.say("hmm")
    other.answer(lex_answer("FallbackIntent", "Failed"))
    assert other.messages[-1] == "other"
    broken = Harness(lex_flow())
    broken.start()
    broken.say("hi")
    broken.fail("no Lex bot registered")
    assert broken.messages[-1] == "error"


def test_lex_times_out_with_input_time_limit_exceeded() -> None:
    h = Harness(lex_flow(LexTimeoutSeconds={"Text": "300"}))
    h.start()
    h.advance(299)
    h.say("balance")  # a customer message restarts the timer
    h.answer(lex_answer("CheckBalance", "InProgress", "ElicitSlot"))
    h.advance(299)
    assert h.messages == ["How can I help?"]
    h.advance(1)
    assert h.messages[-1] == "timeout"
    assert h.path[0] == ("bot", "Error InputTimeLimitExceeded")


def test_lex_initial_message_is_the_first_turn_and_custom_payloads_are_interactive() -> None:
    h = Harness(
        lex_flow(Text="", LexInitilizationData={"InitialMessage": "$.Attributes.first"}), first="agent pls"
    )
    (turn,) = h.start()
    assert isinstance(turn, LexTurn)
    assert turn.request["text"] == "agent pls"
    h.answer({"messages": [{"contentType": "CustomPayload", "content": json.dumps(PICKER)}],
              "sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "TalkToAgent", "state": "Fulfilled"}}})  # fmt: skip
    picker = next(c for c in h.commands if isinstance(c, SendMessage))
    assert (picker.content_type, picker.display_name) == (INTERACTIVE, "BOT")
    assert h.messages[-1] == "agent"


def test_get_participant_input_takes_the_error_branch_in_chat() -> None:
    document = flow("G", action("in", "GetParticipantInput", {"Text": "Press 1", "InputTimeLimitSeconds": "5"},
                                conditions=[("Equals", "1", "one")], errors={"NoMatchingError": "error"}),
                    *ending("one", "error"))  # fmt: skip
    h = Harness(document)
    h.start()
    assert h.messages == ["error"]
    assert "Lex" in (h.run.trace[0].note or "")


# --- views, authentication, hours ------------------------------------------------------------------


def view_flow() -> dict[str, Any]:
    return flow(
        "V",
        action("view", "ShowView",
               {"ViewResource": {"Id": "arn:aws:connect:us-east-1:1:instance/i/view/form", "Version": "$LATEST"},
                "ViewData": {"Heading": "Hi $.Attributes.name"}, "InvocationTimeLimitSeconds": "600"},
               conditions=[("Equals", "Submit", "submitted")],
               errors={"NoMatchingCondition": "other", "TimeLimitExceeded": "late", "NoMatchingError": "error"}),
        say("submitted", "thanks, $.Views.ViewResultData.email", "end"), disconnect(),
        *ending("other", "late", "error"),
    )  # fmt: skip


def test_show_view_shows_the_view_and_branches_on_the_customer_s_action() -> None:
    h = Harness(view_flow(), name="Ann")
    (shown,) = h.start()
    assert isinstance(shown, ShowView)
    assert (shown.view.id, shown.version, shown.view_data) == ("form", "$LATEST", {"Heading": "Hi Ann"})
    h.answer(True)
    assert h.say("Submit") == []  # plain text is no answer to a view
    reply = {
        "action": "Submit",
        "data": {"email": "ann@example.com"},
        "templateType": "ViewResource",
        "version": "1.0",
    }
    h.say(json.dumps(reply), "application/vnd.amazonaws.connect.message.interactive.response")
    assert h.messages == ["thanks, ann@example.com"]


def test_show_view_other_action_and_timeout() -> None:
    other = Harness(view_flow())
    other.start()
    other.answer(True)
    other.say(
        json.dumps({"action": "Back", "data": {}}),
        "application/vnd.amazonaws.connect.message.interactive.response",
    )
    assert other.messages == ["other"]
    late = Harness(view_flow())
    late.start()
    late.answer(True)
    late.advance(600)
    assert late.messages == ["late"]


def test_authenticate_participant_success_and_the_other_outcomes() -> None:
    document = flow("A", action("auth", "AuthenticateParticipant", {"SessionDuration": "60"}, "ok",
                                errors={"NoMatchingError": "error", "TimeLimitExceeded": "late"}),
                    *ending("ok", "error", "late"))  # fmt: skip
    results = {}
    for outcome in ("succeeded", "failed", "timeout", "cancelled"):
        h = Harness(document)
        (command,) = h.start()
        assert isinstance(command, StartAuthentication)
        h.answer(outcome)
        results[outcome] = h.messages
    assert results == {"succeeded": ["ok"], "failed": ["error"], "timeout": ["late"], "cancelled": ["error"]}


def test_check_hours_of_operation_branches_on_true_and_false() -> None:
    document = flow("H", action("hours", "CheckHoursOfOperation", {"HoursOfOperationId": "arn:…/operating-hours/h-1"},
                                conditions=[("Equals", "True", "open"), ("Equals", "False", "closed")],
                                errors={"NoMatchingError": "error"}), *ending("open", "closed", "error"))  # fmt: skip
    for answer, expected in ((True, "open"), (False, "closed"), (None, "error")):
        h = Harness(document)
        (command,) = h.start()
        assert isinstance(command, CheckHours)
        assert command.hours is not None
        assert command.hours.id == "h-1"
        h.answer(answer)
        assert h.messages == [expected]
    no_hours = flow("H", action("hours", "CheckHoursOfOperation", {},
                                conditions=[("Equals", "True", "open"), ("Equals", "False", "closed")],
                                errors={"NoMatchingError": "error"}), *ending("open", "closed", "error"))  # fmt: skip
    h = Harness(no_hours)
    h.start()
    assert h.messages == ["error"]  # neither hours nor a working queue to take them from


def test_a_stopped_run_emits_nothing_more() -> None:
    h = Harness(waiting_flow({"TimeLimitSeconds": "60"}))
    h.start()
    h.run.stop(h.now, "agent joined")
    h.commands.extend(h.run.drain())
    assert h.outcome == "stopped"
    assert h.advance(120) == []
    assert h.say("hi") == []
    assert h.path == [("w", "Stopped")]


def test_the_scripted_bot_matches_utterances_elicits_missing_slots_and_falls_back() -> None:
    from connect_participant_emulator.flows import Intent, ScriptedBot

    bot = ScriptedBot(
        Intent("OrderStatus", [r"order (?P<order>\d+)", r"where is my order"], reply="On its way.",
               slots={"order": "Which order number?"}),
        Intent("TalkToAgent", [r"agent"], reply=[PICKER, "Connecting."]),
        fallback="Sorry?",
    )  # fmt: skip
    request = {"sessionId": "s1", "sessionState": {"sessionAttributes": {"tier": "gold"}}}
    direct = bot.recognize_text({**request, "text": "status of ORDER 42"})
    assert direct["sessionState"]["intent"]["name"] == "OrderStatus"
    assert direct["sessionState"]["intent"]["slots"]["order"]["value"]["interpretedValue"] == "42"
    assert direct["sessionState"]["dialogAction"] == {"type": "Close"}
    assert direct["sessionState"]["sessionAttributes"] == {"tier": "gold"}
    asked = bot.recognize_text({**request, "text": "Where is my order?"})
    assert asked["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "order"}
    assert asked["messages"] == [{"contentType": "PlainText", "content": "Which order number?"}]
    filled = bot.recognize_text({**request, "text": " 7 "})
    assert (filled["sessionState"]["intent"]["state"], filled["messages"][0]["content"]) == (
        "Fulfilled",
        "On its way.",
    )
    assert filled["sessionState"]["intent"]["slots"]["order"]["value"]["interpretedValue"] == "7"
    agent = bot.recognize_text({**request, "text": "agent"})
    assert [m["contentType"] for m in agent["messages"]] == ["CustomPayload", "PlainText"]
    fallback = bot.recognize_text({**request, "text": "weather?"})
    assert (fallback["sessionState"]["intent"]["name"], fallback["sessionState"]["intent"]["state"]) == (
        "FallbackIntent",
        "Failed",
    )
    assert len(bot.requests) == 5


def test_a_lex_conversation_with_the_scripted_bot_fills_the_slot_through_the_flow() -> None:
    from connect_participant_emulator.flows import Intent, ScriptedBot

    bot = ScriptedBot(
        Intent("CheckBalance", [r"balance"], reply="Checking.", slots={"account": "Which account?"})
    )
    h = Harness(lex_flow())
    h.start()
    for text in ("my balance", "1234"):
        (turn,) = h.say(text)
        h.answer(bot.recognize_text(turn.request))
    assert h.messages == ["How can I help?", "Which account?", "Checking.", "balance for 1234 (CheckBalance)"]


def test_an_error_without_an_error_branch_goes_on_to_next_action_as_real_exports_expect() -> None:
    document = flow(
        "R",
        action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "x"}, "msg"),  # no Errors at all
        action("msg", "MessageParticipant", {"Text": "$.External.message"}, "after"),
        say("after", "after", "end"),
        disconnect(),
    )
    h = Harness(document)
    h.start()
    h.fail("boom")
    assert h.messages == ["after"]  # the empty message is not sent
    assert h.path[:2] == [("fn", "NextAction"), ("msg", "NextAction")]
    assert h.run.trace[0].note == "boom; Error NoMatchingError has no branch: NextAction"
    assert h.run.trace[1].note == "Text is empty here: nothing sent"
    terminal = Harness(flow("T", action("fn", "InvokeLambdaFunction", {"LambdaFunctionARN": "x"})))
    terminal.start()
    terminal.fail("boom")
    assert terminal.outcome == "failed"
    assert isinstance(terminal.commands[-2], Disconnect)


def test_system_values_the_region_and_the_language_set_by_update_contact_data() -> None:
    document = flow(
        "S",
        action("lang", "UpdateContactData", {"LanguageCode": "fr-CA"}, "show"),
        say("show", "$.AwsRegion $.LanguageCode $.InstanceARN", "bot"),
        action(
            "bot",
            "ConnectParticipantWithLexBot",
            {"Text": " ", "LexBot": {"Name": "Survey", "Alias": "live"}},
        ),
    )
    h = Harness(document)
    h.start()
    assert h.messages == [f"us-east-1 fr-CA {h.flows.instance_arn}"]  # a blank prompt is not sent
    (turn,) = h.say("hi")
    assert turn.request["localeId"] == "fr_CA"
    assert turn.bot.matches("Survey")


def test_messages_sent_while_the_bot_answers_are_its_next_turns_and_its_time_does_not_count() -> None:
    h = Harness(lex_flow(LexTimeoutSeconds={"Text": "60"}))
    h.start()
    (first,) = h.say("balance")
    assert h.say("for account 1234") == []  # queued: the bot is still answering
    assert h.run.next_deadline() is None  # no timeout while the bot answers
    h.advance(3600)
    (second,) = h.answer(lex_answer("CheckBalance", "InProgress", "ElicitSlot"))
    assert isinstance(second, LexTurn)
    assert (first.request["text"], second.request["text"]) == ("balance", "for account 1234")
    assert h.contact.stored_input == "for account 1234"
    h.answer(lex_answer("CheckBalance", "InProgress", "ElicitSlot", text="Anything else?"))
    assert h.run.next_deadline() == h.now + 60


def test_a_run_of_a_flow_with_problems_fails_at_once_naming_them() -> None:
    h = Harness(flow("Broken", action("x", "PlayPromptInVoice", {}, "end"), disconnect()))
    h.start()
    assert h.outcome == "failed"
    ended = h.commands[-1]
    assert isinstance(ended, FlowEnded)
    assert "'x'" in ended.reason
    assert "PlayPromptInVoice" in ended.reason
    assert isinstance(h.commands[0], Disconnect)


def test_message_participant_iteratively_loops_until_stopped_or_interrupted() -> None:
    def looping(**extra: Any) -> Harness:
        document = flow(
            "Queue",
            action("loop", "MessageParticipantIteratively",
                   {"Messages": [{"Text": "Please hold."}, {"PromptId": "arn:prompt"}, {"Text": "Still here."}], **extra},
                   "error", conditions=[("Equals", "MessagesInterrupted", "interrupted")],
                   errors={"NoMatchingError": "error"}),
            *ending("interrupted", "error"),
        )  # fmt: skip
        h = Harness(document, role="customer_queue")
        h.start()
        return h

    forever = looping()
    for _ in range(4):
        forever.advance(60)
    assert forever.messages == ["Please hold.", "Still here.", "Please hold.", "Still here.", "Please hold."]
    assert forever.run.waiting_for == "iterate"
    interrupted = looping(InterruptFrequencySeconds="150")
    interrupted.advance(60)
    interrupted.advance(60)
    interrupted.advance(30)
    assert interrupted.messages == ["Please hold.", "Still here.", "Please hold.", "interrupted"]
    assert interrupted.path[0] == ("loop", "Condition Equals MessagesInterrupted")


def test_an_empty_lex_alias_arn_is_found_by_the_bot_names_the_designer_recorded() -> None:
    document = lex_flow(LexV2Bot={"AliasArn": ""})
    document["Metadata"]["ActionMetadata"]["bot"] = {
        "parameters": {"LexV2Bot": {"AliasArn": {"displayName": "TestBotAlias"}}},
        "lexV2BotName": "CustomerAirlineSupport",
        "lexV2BotAliasName": "TestBotAlias",
    }
    h = Harness(document)
    h.start()
    (turn,) = h.say("cancel my flight")
    assert isinstance(turn, LexTurn)
    assert turn.bot.matches("CustomerAirlineSupport")
    assert turn.bot.matches("TestBotAlias")


def test_a_queue_flow_moves_the_contact_to_another_queue_or_stays_at_capacity() -> None:
    document = flow(
        "Queue flow",
        action("move", "DequeueContactAndTransferToQueue", {"QueueId": "arn:aws:connect:us-east-1:1:instance/i/queue/vip"},
               errors={"QueueAtCapacity": "full", "NoMatchingError": "error"}),
        *ending("full", "error"),
    )  # fmt: skip
    moved = Harness(document, role="customer_queue")
    (command,) = moved.start()
    assert isinstance(command, QueueContact)
    assert command.queue.id == "vip"
    moved.answer(True)
    assert moved.outcome == "queued"
    full = Harness(document, role="customer_queue")
    full.start()
    full.answer(False)
    assert full.messages == ["full"]
    assert full.path[0] == ("move", "Error QueueAtCapacity")
