"""Helpers for running the corpus's real contact flows on the emulator, as the customer sees them.

A flow starts with StartChatContact, as in Connect, so its first messages may be in the
transcript before the customer's events stream opens. The tests therefore read the
transcript until the flow waits for something (the customer, the flow clock, an agent), then
open a ``Conversation`` and go on from there: nothing the flow does can fall between the two.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from connect_participant import ChatEnded, ChatSession, Event, Item, Message, ParticipantClient
from connect_participant.testing import Conversation
from connect_participant_emulator import LocalParticipantService
from connect_participant_emulator.flows import Agent, ContactFlows, FlowStep, Intent, ScriptedBot

CORPUS = Path(__file__).parent / "data" / "flows"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"
_QUIET = (
    "application/vnd.amazonaws.connect.event.typing",
    "application/vnd.amazonaws.connect.event.connection.acknowledged",
    "application/vnd.amazonaws.connect.event.message.delivered",
    "application/vnd.amazonaws.connect.event.message.read",
)

#: what the customer sees of one item: (role, display name, text — or the event's kind, or
#: "interactive:<templateType>")
Seen = tuple[str | None, str | None, str]


def corpus(*parts: str) -> Path:
    return CORPUS.joinpath(*parts)


def visible(item: Item) -> bool:
    """Messages and participant/chat events; not typing, receipts or acknowledgements."""
    return item.type in ("MESSAGE", "EVENT", "ATTACHMENT") and item.content_type not in _QUIET


def seen(item: Item) -> Seen:
    content_type = item.content_type or ""
    if item.type == "EVENT":
        what = content_type.rsplit("event.", 1)[-1]
    elif content_type == INTERACTIVE:
        what = "interactive:" + str(json.loads(item.content or "{}").get("templateType"))
    elif content_type == INTERACTIVE_RESPONSE:
        what = "response:" + str(json.loads(item.content or "{}").get("templateType"))
    else:
        what = item.content or ""
    return (item.participant_role, item.display_name, what)


def timeline(events: Iterable[Event]) -> list[Seen]:
    return [seen(e.item) for e in events if visible(e.item) and not e.is_update]


def transcript_until(
    chat: ChatSession, done: Callable[[list[Seen]], bool] | int, *, timeout: float = 15.0
) -> list[Seen]:
    """The transcript as the customer sees it, once ``done`` says the flow got where the test
    expects it to wait (an int: once it has that many visible items)."""
    check = (lambda items: len(items) >= done) if isinstance(done, int) else done
    deadline = time.monotonic() + timeout
    while True:
        items = [seen(i) for i in chat.transcript() if visible(i)]
        if check(items):
            return items
        if time.monotonic() >= deadline:
            raise AssertionError(f"the flow did not get there in {timeout}s; the customer saw {items}")
        time.sleep(0.02)


def system(text: str) -> Seen:
    """A MessageParticipant block's message."""
    return ("SYSTEM", "SYSTEM_MESSAGE", text)


def bot(text: str) -> Seen:
    """A Lex bot's message (or the prompt of a Lex block)."""
    return ("SYSTEM", "BOT", text)


def joined(role: str, name: str) -> Seen:
    return (role, name, "participant.joined")


def left(role: str, name: str) -> Seen:
    return (role, name, "participant.left")


def steps(trace: Sequence[Any], flow: str | None = None) -> list[tuple[str, str]]:
    """(action type, branch) of each step of a flow trace (of one flow, or of all)."""
    return [(s.type, s.branch) for s in trace if flow is None or s.flow == flow]


def lambda_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


INSTANCE = "11111111-2222-4333-8444-555555555555"
CUSTOMER = "Ann"
CHAT_ENDED: Seen = (None, None, "chat.ended")


def customer(text: str) -> Seen:
    return ("CUSTOMER", CUSTOMER, text)


def agent(name: str, text: str) -> Seen:
    return ("AGENT", name, text)


# -- running a flow --------------------------------------------------------------------------


@contextmanager
def running(flows: ContactFlows) -> Iterator[LocalParticipantService]:
    with LocalParticipantService(flows=flows) as svc:
        yield svc


def start_through_connect(
    svc: LocalParticipantService, flow: str, attributes: dict[str, str] | None = None
) -> dict[str, Any]:
    """StartChatContact as a website's backend calls it (boto3's ``connect`` client)."""
    connect = boto3.client(
        "connect",
        endpoint_url=svc.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="example-secret",
    )
    request: dict[str, Any] = {
        "InstanceId": INSTANCE,
        "ContactFlowId": flow,
        "ParticipantDetails": {"DisplayName": CUSTOMER},
    }
    if attributes:
        request["Attributes"] = attributes
    answer: dict[str, Any] = connect.start_chat_contact(**request)
    return answer


def trace_until(
    svc: LocalParticipantService,
    contact_id: str,
    done: Callable[[list[FlowStep]], bool],
    timeout: float = 15.0,
) -> list[FlowStep]:
    """The contact's flow trace once ``done`` holds (the flow got to the step the test waits for)."""
    deadline = time.monotonic() + timeout
    while True:
        trace = list(svc.flow_trace(contact_id))
        if done(trace):
            return trace
        if time.monotonic() >= deadline:
            raise AssertionError(f"the flow did not get there in {timeout}s: {steps(trace)}")
        time.sleep(0.02)


def queued(trace: Sequence[FlowStep]) -> bool:
    return any(s.type == "TransferContactToQueue" and s.result == "Queued" for s in trace)


def agent_takes_it(
    svc: LocalParticipantService, contact_id: str, convo: Conversation, delay: float, greeting: str
) -> None:
    """Once the flow has queued the contact, the flows' clock moves on by the agent's delay (no
    waiting) and the agent's first words arrive."""
    trace_until(svc, contact_id, queued)
    svc.advance_clock(delay)
    convo.expect(Message, greeting, role="AGENT")


def passed(identifier_prefix: str, count: int = 1) -> Callable[[list[FlowStep]], bool]:
    """The flow has passed ``count`` times through the action whose Identifier starts so (the
    trace records an action once it is done: to know a Wait began, look for the one before)."""
    return lambda trace: sum(s.identifier.startswith(identifier_prefix) for s in trace) >= count


@contextmanager
def customer_chat(
    svc: LocalParticipantService, participant_token: str
) -> Iterator[tuple[ChatSession, Conversation]]:
    """The customer's session and a conversation on its events. The emulator starts the flow
    when the customer's events stream subscribes (as a chat client does on connecting), so
    the conversation sees everything the flow does."""
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(participant_token) as chat,
        Conversation(chat, timeout=20) as convo,
    ):
        yield chat, convo


# -- amazon-connect-contact-surveys: an agent, then the post-chat survey (module, Loop, Lex) ----

SURVEY_PLACEHOLDERS = {
    "LambdaGetSurveyConfig.Arn": lambda_arn("getSurveyConfig"),
    "LambdaSurveyUtils.Arn": lambda_arn("surveyUtils"),
    "LambdaProcessSurveyFlagsConfig.Arn": lambda_arn("processSurveyFlags"),
    "LambdaWriteSurveysResults.Arn": lambda_arn("writeSurveyResults"),
    "GenericLexBotAlias.Arn": "arn:aws:lex:us-east-1:123456789012:bot-alias/SURVEYBOT/TSTALIAS",
}
QUESTIONS = ["How satisfied were you with the agent? (0-9)", "How likely are you to recommend us? (0-9)"]


class SurveyBackend:
    """Stand-ins for the survey sample's Lambda functions (config, next question, validation,
    flags, results); ``results`` keeps the contact attributes the results function got."""

    def __init__(self, flows: ContactFlows) -> None:
        self.results: list[dict[str, str]] = []
        flows.lambda_function("getSurveyConfig", self.config)
        flows.lambda_function("surveyUtils", self.utils)
        flows.lambda_function("processSurveyFlags", lambda event: {})
        flows.lambda_function("writeSurveyResults", self.write)

    def config(self, event: dict[str, Any]) -> dict[str, str]:
        questions = {f"question_{n}": q for n, q in enumerate(QUESTIONS, 1)}
        flags = {f"flag_question_{n}": "" for n in range(1, 6)}
        return {
            "surveyId": "csat",
            "introPrompt": "Please answer 2 quick questions.",
            "outroPrompt": "Thank you for your feedback!",
            "surveySize": str(len(QUESTIONS)),
            "min": "0",
            "max": "9",
            **questions,
            **flags,
        }

    def utils(self, event: dict[str, Any]) -> dict[str, str]:
        params = dict(event["Details"]["Parameters"])
        operation = params.pop("operation")
        index = int(params["currentQuestionIndex"])
        answer = {**params, "nextQuestion": params[f"question_{index}"]}
        if operation == "getNextSurveyQuestion":
            return {**answer, "newCounter": str(index + 1)}
        given = params["input"]
        valid = given.isdigit() and int(params["min"]) <= int(given) <= int(params["max"])
        return {**answer, "validInput": "true" if valid else "false"}

    def write(self, event: dict[str, Any]) -> dict[str, str]:
        self.results.append(dict(event["Details"]["ContactData"]["Attributes"]))
        return {}


def survey_flows(*, at_capacity: bool = False) -> tuple[ContactFlows, SurveyBackend]:
    flows = ContactFlows(corpus("contact-surveys"), placeholders=SURVEY_PLACEHOLDERS)
    digits = [Intent(str(n), [rf"^\s*{n}\s*$"]) for n in range(10)]
    flows.lex_bot("*SURVEYBOT*", ScriptedBot(*digits, fallback=None))
    if at_capacity:
        flows.queue("BasicQueue", at_capacity=True)
    else:
        flows.queue(
            "BasicQueue",
            Agent("Sam", delay=5, script=["Hi, I'm Sam. What can I do?", "It ships today. Bye!"]),
        )
    return flows, SurveyBackend(flows)


SURVEY_WELCOME = system("Welcome to the simple survey demonstration.")


def survey_conversation() -> list[Seen]:
    return [
        joined("AGENT", "Sam"),
        agent("Sam", "Hi, I'm Sam. What can I do?"),
        customer("Where is my order?"),
        agent("Sam", "It ships today. Bye!"),
        left("AGENT", "Sam"),
        system("Please answer 2 quick questions."),
        bot(QUESTIONS[0]),
        customer("8"),
        bot(QUESTIONS[1]),
        customer("12"),
        system("Invalid input."),
        bot(QUESTIONS[1]),
        customer("3"),
        system("Thank you for your feedback!"),
        left("CUSTOMER", CUSTOMER),
        CHAT_ENDED,
    ]


@contextmanager
def survey_chat(svc: LocalParticipantService) -> Iterator[tuple[Any, ChatSession, Conversation]]:
    """The survey sample's chat, once the agent has greeted the customer and been asked something."""
    chat_ = svc.start_chat(CUSTOMER, contact_flow="Simple Survey Example")
    with customer_chat(svc, chat_.participant_token) as (chat, convo):
        convo.expect(Message, "Welcome", role="SYSTEM")
        agent_takes_it(svc, chat_.contact_id, convo, 5, "What can I do")
        chat.send_message("Where is my order?")
        yield chat_, chat, convo


def run_to_the_end(flows: ContactFlows, flow: str) -> tuple[list[Seen], list[FlowStep]]:
    """A chat with ``flow`` that ends on its own: what the customer saw, and the flow trace."""
    with running(flows) as svc:
        chat_ = svc.start_chat(CUSTOMER, contact_flow=flow)
        with customer_chat(svc, chat_.participant_token) as (_, convo):
            convo.expect(ChatEnded)
        return timeline(convo.history), list(svc.flow_trace(chat_))
