"""Real exported chat flows (``tests/data/flows``, from public AWS sample repositories) run end
to end on the emulator, through the SDK as the customer.

Each test loads flows exactly as exported, plugs in what they reach outside Connect (Lambda
functions as plain Python, Lex bots as ``ScriptedBot``, queues with an ``Agent``), starts a
chat with the flow and checks what the customer sees, in order: the flow's messages, the
bot and its interactive messages, the agent who joins from the queue, the disconnect flow
after the agent leaves, the error branches (a Lambda function raising, a queue at capacity,
no matching condition, a bot failing). Waits and agent delays run on the flows' clock,
moved on by the test (``svc.advance_clock``): a 15-minute Wait takes no time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from _flow_chat import (
    CHAT_ENDED,
    CUSTOMER,
    SURVEY_WELCOME,
    agent,
    agent_takes_it,
    bot,
    corpus,
    customer,
    customer_chat,
    joined,
    lambda_arn,
    left,
    passed,
    queued,
    run_to_the_end,
    running,
    start_through_connect,
    steps,
    survey_chat,
    survey_conversation,
    survey_flows,
    system,
    timeline,
    trace_until,
)
from botocore.exceptions import ClientError
from connect_participant import ChatEnded, ChatSession, ListPicker, Message, ParticipantClient, ViewResource
from connect_participant.testing import Conversation
from connect_participant_emulator import Chat, LocalParticipantService
from connect_participant_emulator.flows import (
    Agent,
    AgentSession,
    ContactFlows,
    Intent,
    ScriptedBot,
)

# -- amazon-connect-chat-ui-examples: interactive messages through a Lex bot ------------------

PICKER = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "content": {
            "title": "What would you like to do?",
            "elements": [{"title": "Continue to agent"}, {"title": "End chat"}],
        }
    },
}
INTERACTIVE_PROMPT = 'Edit this message in the "Get customer input" block in Flows\n\nType help to get help!'


def interactive_flows(*, at_capacity: bool = False, lex: Any = None) -> ContactFlows:
    flows = ContactFlows(corpus("chat-ui-examples"))
    # the bot answers "help" with a list picker and keeps the choice in its "action" slot
    menu = ScriptedBot(Intent("Help", [r"help"], slots={"action": json.dumps(PICKER)}))
    flows.lex_bot("InteractiveMessageBot", lex or menu)  # the flow names the bot (Lex V1 form)
    if at_capacity:
        flows.queue("BasicQueue", at_capacity=True)
    else:
        script = ["Hi, this is Sam. How can I help?", "You're welcome. Goodbye!"]
        flows.queue("BasicQueue", Agent("Sam", delay=30, script=script))
    return flows


@contextmanager
def asking_for_help(
    flows: ContactFlows,
) -> Iterator[tuple[LocalParticipantService, Chat, ChatSession, Conversation]]:
    """The interactive flow's chat, once the customer has answered the bot's prompt with "help"."""
    with running(flows) as svc:
        chat_ = svc.start_chat(CUSTOMER, contact_flow="InteractiveMessaging")
        with customer_chat(svc, chat_.participant_token) as (chat, convo):
            convo.expect(Message, "Type help", role="SYSTEM")
            chat.send_message("help")
            yield svc, chat_, chat, convo


def test_interactive_flow_lex_list_picker_then_queue_and_agent() -> None:
    with running(interactive_flows()) as svc:
        started = start_through_connect(svc, "InteractiveMessaging")
        contact = started["ContactId"]
        with customer_chat(svc, started["ParticipantToken"]) as (chat, convo):
            convo.expect(Message, "Type help", role="SYSTEM")
            chat.send_message("help")
            picker = convo.expect_interactive(ListPicker)
            assert [o.title for o in picker.options] == ["Continue to agent", "End chat"]
            chat.select(picker, "Continue to agent")
            agent_takes_it(svc, contact, convo, 30, "How can I help")
            chat.send_message("Thanks, that's all")
            convo.expect(Message, "Goodbye", role="AGENT")
            convo.expect(ChatEnded)
        trace = svc.flow_trace(started["ContactId"])
    assert timeline(convo.history) == [
        bot(INTERACTIVE_PROMPT),
        customer("help"),
        ("SYSTEM", "BOT", "interactive:ListPicker"),
        customer("Continue to agent"),
        joined("AGENT", "Sam"),
        agent("Sam", "Hi, this is Sam. How can I help?"),
        customer("Thanks, that's all"),
        agent("Sam", "You're welcome. Goodbye!"),
        left("AGENT", "Sam"),
        CHAT_ENDED,
    ]
    assert steps(trace) == [
        ("UpdateFlowLoggingBehavior", "NextAction"),
        ("ConnectParticipantWithLexBot", "Error NoMatchingCondition"),  # no branch per intent
        ("Compare", "Condition Equals Continue to agent"),
        ("UpdateContactTargetQueue", "NextAction"),
        ("TransferContactToQueue", "End"),
    ]


def test_interactive_flow_end_chat_choice_disconnects() -> None:
    with asking_for_help(interactive_flows()) as (svc, chat_, chat, convo):
        chat.select(convo.expect_interactive(ListPicker), "End chat")
        convo.expect(Message, "End chat", role="CUSTOMER")
        convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    assert timeline(convo.history)[-2:] == [left("CUSTOMER", CUSTOMER), CHAT_ENDED]
    assert steps(trace)[-2:] == [
        ("Compare", "Condition Equals End chat"),
        ("DisconnectParticipant", "End"),
    ]


def test_interactive_flow_no_matching_condition_then_queue_at_capacity() -> None:
    with asking_for_help(interactive_flows(at_capacity=True)) as (svc, chat_, chat, convo):
        convo.expect_interactive(ListPicker)
        chat.send_message("Something else")  # typed instead of a choice: no condition matches
        convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    assert steps(trace)[-4:] == [
        ("Compare", "Error NoMatchingCondition"),
        ("UpdateContactTargetQueue", "NextAction"),
        ("TransferContactToQueue", "Error QueueAtCapacity"),
        ("DisconnectParticipant", "End"),
    ]
    assert timeline(convo.history)[-2:] == [left("CUSTOMER", CUSTOMER), CHAT_ENDED]


def test_interactive_flow_bot_failing_takes_the_error_branch() -> None:
    def broken_bot(request: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the bot is down")

    with asking_for_help(interactive_flows(lex=broken_bot)) as (svc, chat_, _, convo):
        convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    assert timeline(convo.history) == [
        bot(INTERACTIVE_PROMPT),
        customer("help"),
        system("Sorry I did not understand that. Please try again later."),
        left("CUSTOMER", CUSTOMER),
        CHAT_ENDED,
    ]
    assert ("ConnectParticipantWithLexBot", "Error NoMatchingError") in steps(trace)


# -- amazon-connect-step-by-step-guides-module-library: Lex V2 slots, then an agent (the SDK) --

AIRLINE_PROMPT = "Hi, welcome to the airline customer support, how can I help you?"


def test_airline_bot_fills_slots_then_an_agent_played_with_the_sdk_joins() -> None:
    flows = ContactFlows(corpus("step-by-step-guides", "SBS_Lex_Integration_Handler.json"))
    questions = {
        "FirstName": "What is your first name?",
        "LastName": "And your last name?",
        "ConfirmationNumber": "What is your confirmation number?",
    }
    cancel = Intent("FlightCancellation", [r"cancel"], slots=questions, reply="Your flight is cancelled.")
    # the export leaves the alias ARN empty; the designer recorded the bot's name beside it
    flows.lex_bot("CustomerAirlineSupport", ScriptedBot(cancel))
    problems: list[BaseException] = []

    def play_agent(session: AgentSession) -> None:
        try:
            assert session.endpoint_url is not None
            with (
                ParticipantClient(endpoint_url=session.endpoint_url) as client,
                client.connect(session.participant_token) as agent_chat,
                Conversation(agent_chat, timeout=20) as agent_convo,
            ):
                agent_chat.send_message("Hello Ann, I see your flight ABC123 is cancelled.")
                agent_convo.expect(Message, "refund", role="CUSTOMER")
                agent_chat.send_message("The refund is on its way. Goodbye!")
                agent_chat.disconnect()
        except BaseException as exc:  # handed to the test
            problems.append(exc)

    flows.queue("BasicQueue", Agent("Dana", delay=10, on_join=play_agent))
    with running(flows) as svc:
        chat_ = svc.start_chat(CUSTOMER, contact_flow="SBS_Lex_Integration_Handler")
        with customer_chat(svc, chat_.participant_token) as (chat, convo):
            convo.expect(Message, AIRLINE_PROMPT, role="SYSTEM")
            for answer, next_question in [
                ("I need to cancel my flight", "first name"),
                ("Ann", "last name"),
                ("Lee", "confirmation number"),
            ]:
                chat.send_message(answer)
                convo.expect(Message, next_question, role="SYSTEM")
            chat.send_message("ABC123")
            convo.expect(Message, "cancelled", role="SYSTEM")
            agent_takes_it(svc, chat_.contact_id, convo, 10, "ABC123 is cancelled")
            chat.send_message("When do I get my refund?")
            convo.expect(Message, "Goodbye", role="AGENT")
            convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    assert problems == []
    assert timeline(convo.history) == [
        bot(AIRLINE_PROMPT),
        customer("I need to cancel my flight"),
        bot("What is your first name?"),
        customer("Ann"),
        bot("And your last name?"),
        customer("Lee"),
        bot("What is your confirmation number?"),
        customer("ABC123"),
        bot("Your flight is cancelled."),
        joined("AGENT", "Dana"),
        agent("Dana", "Hello Ann, I see your flight ABC123 is cancelled."),
        customer("When do I get my refund?"),
        agent("Dana", "The refund is on its way. Goodbye!"),
        left("AGENT", "Dana"),
        CHAT_ENDED,
    ]
    (slots,) = [s for s in trace if s.type == "UpdateContactAttributes" and "$.Attributes.FirstName" in s.set]
    assert {k: slots.set[k] for k in slots.set} == {
        "$.Attributes.FirstName": "Ann",
        "$.Attributes.LastName": "Lee",
        "$.Attributes.ConfirmationNumber": "ABC123",
        "$.Attributes.FlightCancellation": "FlightCancellation",
    }


# -- step-by-step guides: ShowView in chat ------------------------------------------------------

LIST_VIEW = {
    "Name": "List",
    "Content": {
        "Template": {"Head": {"Title": "Details"}},
        "InputSchema": {},
        "Actions": ["ActionSelected", "Back"],
    },
}


@pytest.mark.parametrize(
    ("answer", "messages"),
    [("Back", []), ("Next", ["An error has occurred!"]), (None, ["An error has occurred!"])],
    ids=["Back", "no matching condition", "time limit exceeded"],
)
def test_view_in_chat_answered_or_timed_out(answer: str | None, messages: list[str]) -> None:
    flows = ContactFlows(corpus("step-by-step-guides", "SBS_Lex_Integration.json"))
    flows.view("list", LIST_VIEW)
    with running(flows) as svc:
        attributes = {"FirstName": "Ann", "LastName": "Lee"}
        started = start_through_connect(svc, "SBS_Lex_Integration", attributes)
        with customer_chat(svc, started["ParticipantToken"]) as (chat, convo):
            shown = convo.expect_interactive(ViewResource)
            items = shown.content["viewData"]["Items"]  # the block's ViewData, references resolved
            assert [i.get("Description") for i in items[:2]] == ["Ann", "Lee"]
            view = chat.describe_view(shown.view_token or "")
            assert view.name == "List"
            if answer is None:
                svc.advance_clock(300)  # the block's InvocationTimeLimitSeconds
            else:
                chat.answer_view(answer, {})
            convo.expect(ChatEnded)
        trace = svc.flow_trace(started["ContactId"])
    assert timeline(convo.history)[0] == ("SYSTEM", "SYSTEM_MESSAGE", "interactive:ViewResource")
    (show,) = [s for s in trace if s.type == "ShowView"]
    assert show.read["$.Attributes.FirstName"] == "Ann"  # the ViewData's references, resolved
    assert [w for r, _, w in timeline(convo.history)[1:] if r == "SYSTEM"] == messages
    assert timeline(convo.history)[-1] == CHAT_ENDED


# -- amazon-connect-rules-engine: Lambda-driven flows, Lex menus, a chat Wait ------------------

MENU_BOT = "arn:aws:lex:us-east-1:123456789012:bot-alias/MENUBOT01/TSTALIAS"
YES_NO_BOT = "arn:aws:lex:us-east-1:123456789012:bot-alias/YESNOBOT1/TSTALIAS"
RULES_PLACEHOLDERS = {
    # what the sample's deployment writes into {{…}}: here, the flows' names and our functions
    "contactFlows.RulesEngineMain.arn": "RulesEngineMain",
    "contactFlows.RulesEngineError.arn": "RulesEngineError",
    "lambdaFunctions.connectrulesinference.arn": lambda_arn("connectrulesinference"),
    "lambdaFunctions.connectnlumenu.arn": lambda_arn("connectnlumenu"),
    "lambdaFunctions.connectupdatestate.arn": lambda_arn("connectupdatestate"),
}


class RulesEngine:
    """Stand-ins for the sample's Lambda functions: rules inference (which flow next, with
    what), the NLU menu's validation, and the state updates (recorded)."""

    def __init__(self, flows: ContactFlows, rules: list[dict[str, str]], *, failing: bool = False) -> None:
        self.flows = flows
        self.rules = rules
        self.failing = failing
        self.position: dict[str, int] = {}
        self.current: dict[str, dict[str, str]] = {}
        self.updates: list[dict[str, str]] = []
        flows.lambda_function("connectrulesinference", self.inference)
        flows.lambda_function("connectnlumenu", self.nlu_menu)
        flows.lambda_function("connectupdatestate", self.update_state)

    def inference(self, event: dict[str, Any]) -> dict[str, str]:
        if self.failing:
            raise RuntimeError("rules table unavailable")
        contact = event["Details"]["ContactData"]["ContactId"]
        n = self.position.get(contact, 0)
        self.position[contact] = n + 1
        rule = dict(self.rules[n])
        flow = self.flows.get(rule.pop("flow"))
        assert flow is not None
        self.current[contact] = rule
        return {"CurrentRule_nextFlowArn": flow.arn, **rule}

    def nlu_menu(self, event: dict[str, Any]) -> dict[str, str]:
        """Like the sample's: the current rule's fields (the flow reads them again after an error)
        and the verdict on the intent the bot matched."""
        intent = event["Details"]["Parameters"]["matchedIntent"]
        return {
            **self.current[event["Details"]["ContactData"]["ContactId"]],
            "CurrentRule_validInput": "true" if intent in ("Sales", "Support") else "false",
            "CurrentRule_errorMessageType": "text",
            "CurrentRule_errorMessage": "Please say sales or support.",
            "CurrentRule_autoConfirmNow": "false",
            "CurrentRule_confirmationMessageFinalType": "text",
            "CurrentRule_confirmationMessageFinal": f"You asked for {intent.lower()}, is that right?",
            "CurrentRule_yesNoBotArn": YES_NO_BOT,
            "CurrentRule_outputStateKey": "department",
            "CurrentRule_matchedIntent": intent,
            "CurrentRule_matchedIntentRuleSet": intent,
            "CurrentRule_terminate": "false",
            "CurrentRule_done": "false",
        }

    def update_state(self, event: dict[str, Any]) -> dict[str, str]:
        self.updates.append(dict(event["Details"]["Parameters"]))
        return {}


RULES = [
    {
        "flow": "RulesEngineMessage",
        "CurrentRule_messageType": "text",
        "CurrentRule_message": "Welcome to Example Bank.",
    },
    {
        "flow": "RulesEngineNLUMenu",
        "CurrentRule_offerMessageType": "text",
        "CurrentRule_offerMessage": "Would you like sales or support?",
        "CurrentRule_lexBotArn": MENU_BOT,
    },
    {"flow": "RulesEngineWait", "CurrentRule_waitTimeSeconds": "600", "CurrentRule_ruleSetName": "Callback"},
    {
        "flow": "RulesEngineMessage",
        "CurrentRule_messageType": "text",
        "CurrentRule_message": "Thanks for chatting.",
    },
    {"flow": "RulesEngineTerminate"},
]


def rules_flows() -> ContactFlows:
    flows = ContactFlows(corpus("rules-engine"), placeholders=RULES_PLACEHOLDERS)
    menu = ScriptedBot(Intent("Sales", [r"sales"]), Intent("Support", [r"support"]), fallback=None)
    flows.lex_bot(MENU_BOT, menu)
    flows.lex_bot(YES_NO_BOT, ScriptedBot(Intent("Yes", [r"^(yes|yep|sure)"]), Intent("No", [r"^no"])))
    return flows


@pytest.mark.parametrize("customer_returns", [False, True], ids=["wait completes", "customer returns"])
def test_rules_engine_menu_confirmation_wait_and_goodbye(customer_returns: bool) -> None:
    flows = rules_flows()
    engine = RulesEngine(flows, RULES)
    with running(flows) as svc:
        chat_ = svc.start_chat(CUSTOMER, contact_flow="RulesEngineBootstrap")
        with customer_chat(svc, chat_.participant_token) as (chat, convo):
            convo.expect(Message, "sales or support", role="SYSTEM")  # the menu bot listens
            chat.send_message("sales please")
            convo.expect(Message, "is that right", role="SYSTEM")
            chat.send_message("yes")
            trace_until(svc, chat_.contact_id, passed("525d3fb5", 1))  # the Wait block began
            if customer_returns:
                chat.send_message("Are you still there?")
            else:
                svc.advance_clock(600)
            convo.expect(Message, "Thanks for chatting.", role="SYSTEM")
            convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    returned = [customer("Are you still there?")] if customer_returns else []
    assert [s for s in timeline(convo.history) if s != bot(" ")] == [
        system("Welcome to Example Bank."),
        bot("Would you like sales or support?"),  # in chat the offer is the Lex block's prompt
        customer("sales please"),
        bot("You asked for sales, is that right?"),
        customer("yes"),
        *returned,
        system("Thanks for chatting."),
        left("CUSTOMER", CUSTOMER),
        CHAT_ENDED,
    ]
    (wait,) = [s for s in trace if s.type == "Wait"]
    assert wait.branch == (
        "Condition Equals CustomerReturned" if customer_returns else "Condition Equals WaitCompleted"
    )
    flows_run = list(dict.fromkeys(s.flow for s in trace))
    assert flows_run == [
        "RulesEngineBootstrap",
        "RulesEngineMain",
        "RulesEngineMessage",
        "RulesEngineNLUMenu",
        "RulesEngineWait",
        "RulesEngineTerminate",
    ]
    confirmed = {"key1": "department", "value1": "Sales", "key2": "NextRuleSet", "value2": "Sales"}
    assert engine.updates[0] == confirmed
    if customer_returns:
        assert engine.updates[1] == {"key1": "NextRuleSet", "value1": "Callback"}


def test_rules_engine_menu_asks_again_when_no_intent_matches() -> None:
    flows = rules_flows()
    RulesEngine(flows, RULES)
    with running(flows) as svc:
        chat_ = svc.start_chat(CUSTOMER, contact_flow="RulesEngineBootstrap")
        with customer_chat(svc, chat_.participant_token) as (chat, convo):
            convo.expect(Message, "sales or support", role="SYSTEM")
            chat.send_message("a pizza, please")  # the bot's FallbackIntent: no condition
            convo.expect(Message, "Please say sales or support.", role="SYSTEM")
            convo.expect(Message, "Would you like sales or support?", role="SYSTEM")  # asked again
            chat.send_message("support")
            convo.expect(Message, "You asked for support, is that right?", role="SYSTEM")
        trace = svc.flow_trace(chat_)
    assert timeline(convo.history)[2:6] == [
        customer("a pizza, please"),
        system("Please say sales or support."),
        bot("Would you like sales or support?"),
        customer("support"),
    ]
    menu = [(s.type, s.branch) for s in trace if s.flow == "RulesEngineNLUMenu"]
    assert menu[:6] == [
        ("Compare", "Condition Equals CHAT"),
        ("ConnectParticipantWithLexBot", "Error NoMatchingCondition"),
        ("InvokeLambdaFunction", "NextAction"),
        ("Compare", "Condition Equals false"),  # the function found the input not valid
        ("Compare", "Condition Equals text"),
        ("MessageParticipant", "NextAction"),
    ]


def test_rules_engine_lambda_raising_takes_the_error_flow() -> None:
    flows = rules_flows()
    RulesEngine(flows, RULES, failing=True)
    seen, trace = run_to_the_end(flows, "RulesEngineBootstrap")
    assert seen == [
        system("I am sorry, I have encountered an error. Good-bye."),
        left("CUSTOMER", CUSTOMER),
        CHAT_ENDED,
    ]
    assert ("InvokeLambdaFunction", "Error NoMatchingError") in steps(trace, "RulesEngineMain")
    assert [s.flow for s in trace][-2:] == ["RulesEngineError", "RulesEngineError"]


# -- the rules engine's chat disconnect flow: 15 minutes to come back --------------------------

INBOUND_WITH_DISCONNECT_FLOW = {
    "Version": "2019-10-30",
    "StartAction": "hello",
    "Metadata": {"name": "Inbound (test)"},
    "Actions": [
        {
            "Identifier": "hello",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Hello, connecting you to an agent."},
            "Transitions": {"NextAction": "hook"},
        },
        {
            "Identifier": "hook",
            "Type": "UpdateContactEventHooks",
            "Parameters": {"EventHooks": {"CustomerRemaining": "RulesEngineDisconnect"}},
            "Transitions": {
                "NextAction": "queue",
                "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
            },
        },
        {
            "Identifier": "queue",
            "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": "BasicQueue"},
            "Transitions": {
                "NextAction": "transfer",
                "Errors": [{"NextAction": "bye", "ErrorType": "NoMatchingError"}],
            },
        },
        {
            "Identifier": "transfer",
            "Type": "TransferContactToQueue",
            "Parameters": {},
            "Transitions": {
                "NextAction": "bye",
                "Errors": [
                    {"NextAction": "bye", "ErrorType": "QueueAtCapacity"},
                    {"NextAction": "bye", "ErrorType": "NoMatchingError"},
                ],
            },
        },
        {"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
    ],
}
AGENT_LEFT = "The agent has disconnected. If you send a message within the next 15 minutes, you be reconnected to an agent."


@pytest.mark.parametrize("customer_returns", [False, True], ids=["15 minutes pass", "customer returns"])
def test_disconnect_flow_runs_when_the_agent_leaves(customer_returns: bool) -> None:
    flows = ContactFlows(corpus("rules-engine"), placeholders=RULES_PLACEHOLDERS)
    flows.add(INBOUND_WITH_DISCONNECT_FLOW)
    flows.queue("BasicQueue", Agent("Sam", delay=5, script=["Hi, Sam here.", "Bye for now!"]))
    with running(flows) as svc:
        chat_ = svc.start_chat(CUSTOMER, contact_flow="Inbound (test)")
        with customer_chat(svc, chat_.participant_token) as (chat, convo):
            convo.expect(Message, "connecting you", role="SYSTEM")
            agent_takes_it(svc, chat_.contact_id, convo, 5, "Hi, Sam here.")
            chat.send_message("I have a question")
            convo.expect(Message, AGENT_LEFT, role="SYSTEM")  # the agent left: the disconnect flow
            rounds = 1
            if customer_returns:
                chat.send_message("Are you still there?")
                convo.expect(Message, "another agent", role="SYSTEM")
                trace_until(svc, chat_.contact_id, lambda t: sum(queued([s]) for s in t) >= 2)
                svc.advance_clock(5)
                convo.expect(Message, "Hi, Sam here.", role="AGENT")
                chat.send_message("Sorry, one more thing")
                convo.expect(Message, AGENT_LEFT, role="SYSTEM")
                rounds = 2
            trace_until(svc, chat_.contact_id, passed("44c598fe", rounds))  # the Wait began
            svc.advance_clock(900)  # 15 minutes, in no time
            convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    agent_round = [
        joined("AGENT", "Sam"),
        agent("Sam", "Hi, Sam here."),
        customer("I have a question"),
        agent("Sam", "Bye for now!"),
        left("AGENT", "Sam"),
        system(AGENT_LEFT),
    ]
    second_round = [
        customer("Are you still there?"),
        system("You are now being transferred to queue to chat with another agent."),
        joined("AGENT", "Sam"),
        agent("Sam", "Hi, Sam here."),
        customer("Sorry, one more thing"),
        agent("Sam", "Bye for now!"),
        left("AGENT", "Sam"),
        system(AGENT_LEFT),
    ]
    assert timeline(convo.history) == [
        system("Hello, connecting you to an agent."),
        *agent_round,
        *(second_round if customer_returns else []),
        system("Your session has expired, good-bye."),
        left("CUSTOMER", CUSTOMER),
        CHAT_ENDED,
    ]
    waits = [s for s in trace if s.type == "Wait"]
    expected = ["Condition Equals CustomerReturned"] if customer_returns else []
    assert [w.branch for w in waits] == [*expected, "Condition Equals WaitCompleted"]


def test_survey_after_the_agent_leaves() -> None:
    flows, backend = survey_flows()
    with running(flows) as svc:
        with survey_chat(svc) as (chat_, chat, convo):
            for answer in ["8", "12", "3"]:  # 12 is not an answer: the question comes again
                convo.expect(Message, lambda e: e.display_name == "BOT", role="SYSTEM")
                chat.send_message(answer)
                convo.expect(Message, answer, role="CUSTOMER")
            convo.expect(ChatEnded)
        trace = svc.flow_trace(chat_)
    assert timeline(convo.history) == [SURVEY_WELCOME, *survey_conversation()]
    assert len(backend.results) == 1
    answers = {k: v for k, v in backend.results[0].items() if k.startswith("survey_")}
    assert answers == {"survey_result_1": "8", "survey_result_2": "3"}  # JSONPath in attribute keys
    assert backend.results[0]["surveyId"] == "csat"
    flows_run = list(dict.fromkeys(s.flow for s in trace))
    assert flows_run == ["Simple Survey Example", "Survey Example Disconnect", "Contact Survey"]


def test_survey_queue_at_capacity_ends_the_chat_without_a_survey() -> None:
    flows, backend = survey_flows(at_capacity=True)
    seen, trace = run_to_the_end(flows, "Simple Survey Example")
    assert seen == [SURVEY_WELCOME, left("CUSTOMER", CUSTOMER), CHAT_ENDED]
    assert ("TransferContactToQueue", "Error QueueAtCapacity") in steps(trace)
    assert {s.flow for s in trace} == {"Simple Survey Example"}  # no agent left: no disconnect flow
    assert backend.results == []


# -- amazon-connect-gitlab-cicd-terraform: what the offline run finds in a real export ---------


def test_acme_main_reaches_a_bot_its_flow_attributes_do_not_define() -> None:
    """The export reads ``$.FlowAttributes.acme-lexbot``, but its UpdateFlowAttributes block sets
    ``ACME-lexbot2-tfdemo/current``: the Lex block has no bot and takes its error branch."""
    flows = ContactFlows(corpus("gitlab-cicd-terraform"))
    flows.lex_bot("*", ScriptedBot(Intent("Sales", [r"sales"]), Intent("Finance", [r"finance"])))
    seen, trace = run_to_the_end(flows, "acme_main_AUTO")
    assert seen == [
        system("Welcome to ACME corporation"),  # SSML, shown as written in chat
        system("We are experiencing technical difficulties. Please retry your call."),
        left("CUSTOMER", CUSTOMER),
        CHAT_ENDED,
    ]
    (lex,) = [s for s in trace if s.type == "ConnectParticipantWithLexBot"]
    assert lex.branch == "Error NoMatchingError"
    flow_attributes = next(s for s in trace if s.type == "UpdateFlowAttributes").set
    assert "$.FlowAttributes.ACME-lexbot2-tfdemo/current" in flow_attributes
    assert "$.FlowAttributes.acme-lexbot" not in flow_attributes


# -- a legacy export: refused before the chat starts ---------------------------------------------


def test_starting_a_chat_on_a_legacy_export_is_a_clear_error() -> None:
    flows = ContactFlows(corpus("legacy"))
    with running(flows) as svc:
        with pytest.raises(ClientError) as raised:
            start_through_connect(svc, "Basic Chat")
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert "Basic Chat" in error["Message"]
    assert "legacy" in error["Message"]
