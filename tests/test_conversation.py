"""One whole conversation on the emulator, sync and async, scripted with the conversation-testing
API: the customer connects, an AI answer streams in chunks and completes, the flow sends a list
picker and the customer selects, a view is shown, described and answered, authentication is
initiated and succeeds (or times out), an idle warning is followed by an auto-disconnect, the
chat ends — every step a typed event, in order, nothing lost or duplicated."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from connect_participant import (
    AsyncParticipantClient,
    AuthenticationInitiated,
    AuthenticationSucceeded,
    AuthenticationTimedOut,
    ChatEnded,
    Event,
    InvalidInputError,
    ListPicker,
    Message,
    ParticipantAutoDisconnected,
    ParticipantClient,
    ParticipantDisplayNameUpdated,
    ParticipantIdle,
    ParticipantLeft,
    Typing,
    ViewResource,
)
from connect_participant._interactive import INTERACTIVE, INTERACTIVE_RESPONSE
from connect_participant.testing import AsyncConversation, Conversation, ConversationError
from connect_participant_emulator import LocalParticipantService

CHUNKS = ["Your balance ", "is ", "$42.", " Anything else?"]
PICKER: dict[str, Any] = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "content": {"title": "Which account?", "elements": [{"title": "Checking"}, {"title": "Savings"}]}
    },
}
SURVEY: dict[str, Any] = {
    "Name": "Survey",
    "Content": {
        "Template": {"Body": [{"_id": "rating"}]},
        "InputSchema": {"type": "object"},
        "Actions": ["Submit"],
    },
}
REDIRECT = "https://example.com/signed-in"


def _timeline(history: list[Event]) -> list[tuple[str, str | None, str]]:
    """Each event as (type, role, what): the message kind, chunk or completion, or nothing.

    The customer's own connection acknowledgement may come first or not (it is sent when the
    session connects, just before the stream starts): a leading one is left out."""
    if (
        history
        and history[0].item.content_type == "application/vnd.amazonaws.connect.event.connection.acknowledged"
    ):
        history = history[1:]
    out = []
    for event in history:
        what = ""
        if isinstance(event, Message):
            if event.streamed:
                what = "completed" if event.completed else f"chunk {event.chunk_number}"
            elif event.content_type in (INTERACTIVE, INTERACTIVE_RESPONSE):
                what = event.content_type.rsplit(".", 1)[-1]
            else:
                what = event.content or ""
        out.append((type(event).__name__, event.participant_role, what))
    return out


def _expected(signed_in: bool) -> list[tuple[str, str | None, str]]:
    auth = (
        [("AuthenticationSucceeded", "SYSTEM", ""), ("ParticipantDisplayNameUpdated", "CUSTOMER", "")]
        if signed_in
        else [("AuthenticationTimedOut", "SYSTEM", "")]
    )
    return [
        ("Message", "CUSTOMER", "What is my balance?"),
        *[("Message", "SYSTEM", f"chunk {n}") for n in range(1, len(CHUNKS) + 1)],
        ("Message", "SYSTEM", "completed"),
        ("Message", "SYSTEM", "interactive"),
        ("Message", "CUSTOMER", "Savings"),
        ("Message", "SYSTEM", "interactive"),
        ("Message", "CUSTOMER", "response"),
        ("AuthenticationInitiated", "SYSTEM", ""),
        *auth,
        ("ParticipantIdle", "CUSTOMER", ""),
        ("ParticipantAutoDisconnected", "CUSTOMER", ""),
        ("ParticipantLeft", "CUSTOM_BOT", ""),
        ("ChatEnded", None, ""),
    ]


@pytest.mark.parametrize("signed_in", [True, False], ids=["sign-in succeeds", "sign-in times out"])
def test_a_whole_conversation(participant_service: LocalParticipantService, signed_in: bool) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    svc.add_participant(started, "Helper")  # a custom bot: chat timers run while one is in the chat
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
        Conversation(chat, timeout=20) as convo,
    ):
        chat.send_message("What is my balance?")
        convo.expect(Message, "balance", role="CUSTOMER")

        answer_id = svc.stream_message(started, CHUNKS, interval=0.02)
        answer = convo.expect_streamed(role="SYSTEM")
        assert (answer.message.id, answer.text, answer.chunks) == (answer_id, "".join(CHUNKS), tuple(CHUNKS))
        streamed = [i for i in chat.transcript() if i.id == answer_id]
        assert [i.content for i in streamed] == ["".join(CHUNKS)]  # once, completed

        svc.send_interactive(started, PICKER)
        picker = convo.expect_interactive(ListPicker)
        chat.select(picker, "Savings")
        convo.expect(Message, "Savings", role="CUSTOMER")

        svc.show_view(started, SURVEY, {"rating": 3})
        shown = convo.expect_interactive(ViewResource)
        view = chat.describe_view(shown.view_token or "")
        chat.answer_view("Submit", {"rating": 5}, view=view)
        convo.expect(Message, re.compile(r'"action":"Submit"'), role="CUSTOMER")

        svc.start_authentication(started, timeout=None if signed_in else 0.3)
        initiated = convo.expect(AuthenticationInitiated)
        url = chat.authentication_url(initiated.session_id or "", REDIRECT)
        if signed_in:
            assert httpx.get(url).status_code == 302  # the customer signs in
            done = convo.expect(AuthenticationSucceeded)
            renamed = convo.expect(ParticipantDisplayNameUpdated)
            assert renamed.participant_id == started.participant_id
        else:
            done = convo.expect(AuthenticationTimedOut)
        assert done.session_id == initiated.session_id

        svc.set_timers(started, "CUSTOMER", idle=0.3, disconnect=0.3)
        convo.expect(ParticipantIdle, role="CUSTOMER")
        convo.expect(ParticipantAutoDisconnected)
        convo.expect(ParticipantLeft, role="CUSTOM_BOT")
        svc.stop_contact(started)
        convo.expect(ChatEnded)
        with pytest.raises(ConversationError, match="ended"):
            convo.expect(Message, timeout=1)

        assert _timeline(convo.history) == _expected(signed_in)
        streamed = [e for e in convo.history if isinstance(e, Message) and e.streamed]
        assert [e.is_update for e in streamed] == [False, True, True, True, True]


@pytest.mark.parametrize("signed_in", [True, False], ids=["sign-in succeeds", "sign-in times out"])
async def test_a_whole_conversation_async(
    participant_service: LocalParticipantService, signed_in: bool
) -> None:
    svc = participant_service
    started = await svc.astart_chat("Ann")
    await svc.aadd_participant(started, "Helper")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with (
            await client.connect(started.participant_token) as chat,
            AsyncConversation(chat, timeout=20) as convo,
        ):
            await chat.send_message("What is my balance?")
            await convo.expect(Message, "balance", role="CUSTOMER")

            answer_id = await svc.astream_message(started, CHUNKS, interval=0.02)
            answer = await convo.expect_streamed(role="SYSTEM")
            assert (answer.message.id, answer.text, answer.chunks) == (
                answer_id,
                "".join(CHUNKS),
                tuple(CHUNKS),
            )
            streamed = [i async for i in chat.transcript() if i.id == answer_id]
            assert [i.content for i in streamed] == ["".join(CHUNKS)]  # once, completed

            await svc.asend_interactive(started, PICKER)
            picker = await convo.expect_interactive(ListPicker)
            await chat.select(picker, "Savings")
            await convo.expect(Message, "Savings", role="CUSTOMER")

            await svc.ashow_view(started, SURVEY, {"rating": 3})
            shown = await convo.expect_interactive(ViewResource)
            view = await chat.describe_view(shown.view_token or "")
            await chat.answer_view("Submit", {"rating": 5}, view=view)
            sent = await convo.expect(
                Message, lambda e: e.content_type == INTERACTIVE_RESPONSE, role="CUSTOMER"
            )
            assert json.loads(sent.content or "")["data"] == {"rating": 5}

            await svc.astart_authentication(started, timeout=None if signed_in else 0.3)
            initiated = await convo.expect(AuthenticationInitiated)
            url = await chat.authentication_url(initiated.session_id or "", REDIRECT)
            if signed_in:
                async with httpx.AsyncClient() as browser:
                    assert (await browser.get(url)).status_code == 302
                await convo.expect(AuthenticationSucceeded)
                await convo.expect(ParticipantDisplayNameUpdated)
            else:
                await convo.expect(AuthenticationTimedOut)

            await svc.aset_timers(started, "CUSTOMER", idle=0.3, disconnect=0.3)
            await convo.expect(ParticipantIdle, role="CUSTOMER")
            await convo.expect(ParticipantAutoDisconnected)
            await convo.expect(ParticipantLeft, role="CUSTOM_BOT")
            await svc.astop_contact(started)
            await convo.expect(ChatEnded)

            assert _timeline(convo.history) == _expected(signed_in)


def test_expect_reports_what_came_instead(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
        Conversation(chat, timeout=0.5) as convo,
    ):
        svc.send_message(started, "Hello, I am a bot")
        with pytest.raises(
            ConversationError, match=r"expected an interactive ListPicker.*Hello, I am a bot"
        ) as failed:
            convo.expect_interactive(ListPicker, timeout=2)
        assert "timed out" in str(failed.value)
        ack = "application/vnd.amazonaws.connect.event.connection.acknowledged"  # may come first, or not
        assert [type(e) for e in convo.history if e.item.content_type != ack] == [Message]  # seen once, kept


# --- the README's example: a bot under test, end to end --------------------------------------


def run_balance_bot(client: ParticipantClient, participant_token: str, listening: threading.Event) -> None:
    """The bot under test: answers the customer's questions until the chat ends."""
    with client.connect(participant_token) as bot, bot.events() as events:
        listening.set()  # the stream is live: nothing sent from now on is missed
        for event in events:
            if isinstance(event, Message) and event.participant_role == "CUSTOMER":
                asked = event.content or ""
                bot.send_message(
                    "Your balance is $42." if "balance" in asked else "Sorry, I can only tell balances."
                )


def test_a_bot_end_to_end(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Ann")
    bot = participant_service.add_participant(started, "BalanceBot")  # CUSTOM_BOT
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        listening = threading.Event()
        args = (client, bot.participant_token, listening)
        worker = threading.Thread(target=run_balance_bot, args=args, daemon=True)
        worker.start()
        assert listening.wait(10)  # the customer asks once the bot listens (before, it could read
        # the question in the transcript already and start after it: a test race, not the SDK's)
        with client.connect(started.participant_token) as chat, Conversation(chat, timeout=10) as convo:
            chat.send_message("What is my balance?")
            convo.expect(Message, "$42", role="CUSTOM_BOT")
            chat.send_message("And my PIN?")
            convo.expect(Message, "only tell balances", role="CUSTOM_BOT")
        worker.join(30)  # the customer left: the chat ended, the bot's stream ended
        assert not worker.is_alive()


# --- faults combined: socket drops (clean and abrupt) at random moments during the scripted steps


@pytest.mark.parametrize("seed", range(4))
def test_conversation_survives_socket_drops(participant_service: LocalParticipantService, seed: int) -> None:
    """Randomized schedules of clean and abrupt socket drops while answers stream and the flow
    sends: every step still arrives as a typed event, once, in order (gap fill and updates)."""
    import random
    import threading

    from connect_participant import EventStreamConfig

    fast = EventStreamConfig(
        heartbeat_interval=1.0, heartbeat_timeout=1.5, open_timeout=2.0, first_retry_delay=0.05,
        backoff_base=0.05, backoff_cap=0.5, stable_after=0.2,
    )  # fmt: skip
    rng = random.Random(seed)
    svc = participant_service
    started = svc.start_chat("Ann")
    svc.add_participant(started, "Helper")
    stop = threading.Event()

    def chaos() -> None:
        while not stop.wait(rng.uniform(0.05, 0.4)):
            svc.close_websockets(code=rng.choice([1001, 1011, 4000]), abrupt=rng.random() < 0.5)

    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
        Conversation(chat, timeout=30, config=fast) as convo,
    ):
        dropper = threading.Thread(target=chaos, daemon=True)
        dropper.start()
        try:
            for round_ in range(3):
                chunks = [f"r{round_}c{n} " for n in range(1, rng.randint(2, 6))]
                answer_id = svc.stream_message(started, chunks, interval=rng.uniform(0.0, 0.05))
                answer = convo.expect_streamed(lambda e, wanted=answer_id: e.id == wanted)
                assert answer.text == "".join(chunks)
                svc.send_interactive(started, PICKER)
                picker = convo.expect_interactive(ListPicker)
                chat.select(picker, rng.choice(["Checking", "Savings"]))
        finally:
            stop.set()
            dropper.join(5)
        convo.expect(Message, role="CUSTOMER")  # the last selection, echoed
        completed = [e for e in convo.history if isinstance(e, Message) and e.streamed and e.completed]
        assert len(completed) == len({e.id for e in completed}) == 3  # each answer completed once
        pickers = [e for e in convo.history if isinstance(e, Message) and e.interactive is not None]
        assert len(pickers) == len({e.id for e in pickers}) == 3  # nothing lost, nothing twice


# --- what an expect passes over, on a chat (the pure rules: test_conversation_rules.py) -------------


FOUR = (
    ("hi from the flow", "SYSTEM", "SYSTEM_MESSAGE"),
    ("the bot answers", "CUSTOM_BOT", "BOT"),
    ("the flow again", "SYSTEM", "SYSTEM_MESSAGE"),
    ("the bot again", "CUSTOM_BOT", "BOT"),
)


@contextlib.contextmanager
def _conversation(svc: LocalParticipantService, timeout: float) -> Iterator[tuple[Any, Conversation]]:
    """A new chat's customer, in a conversation: (the started chat, the conversation)."""
    started = svc.start_chat("Ann")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
        Conversation(chat, timeout=timeout) as convo,
    ):
        yield started, convo


@contextlib.asynccontextmanager
async def _aconversation(
    svc: LocalParticipantService, timeout: float
) -> AsyncIterator[tuple[Any, AsyncConversation]]:
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with (
            await client.connect(started.participant_token) as chat,
            AsyncConversation(chat, timeout=timeout) as convo,
        ):
            yield started, convo


@pytest.mark.timeout(30)
def test_expect_passes_over_other_roles_and_contents(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    with _conversation(svc, 15) as (started, convo):
        for text, role, name in FOUR:
            svc.send_message(started, text, role=role, display_name=name)
        assert convo.expect(Message, role="CUSTOM_BOT").content == "the bot answers"
        assert convo.expect(Message, "bot again").content == "the bot again"
        with pytest.raises(ConversationError) as failed:
            convo.expect(Message, "never", role="AGENT", timeout=0.3)
        assert str(failed.value) == "expected Message from AGENT containing 'never'; timed out after nothing"


@pytest.mark.timeout(30)
async def test_expect_passes_over_other_roles_and_contents_async(
    participant_service: LocalParticipantService,
) -> None:
    svc = participant_service
    async with _aconversation(svc, 15) as (started, convo):
        for text, role, name in FOUR:
            await svc.asend_message(started, text, role=role, display_name=name)
        assert (await convo.expect(Message, role="CUSTOM_BOT")).content == "the bot answers"
        assert (await convo.expect(Message, "bot again")).content == "the bot again"
        with pytest.raises(ConversationError) as failed:
            await convo.expect(Message, "never", role="AGENT", timeout=0.3)
        assert str(failed.value) == "expected Message from AGENT containing 'never'; timed out after nothing"


TYPING = "application/vnd.amazonaws.connect.event.typing"


def _picker(title: str) -> str:
    return json.dumps({**PICKER, "data": {"content": {**PICKER["data"]["content"], "title": title}}})


@pytest.mark.timeout(60)
def test_a_conversations_options_and_helpers_on_a_chat(participant_service: LocalParticipantService) -> None:
    """Its settings (a bad events config refused at once, ten seconds unless given); streamed
    and interactive answers picked by content and role, with their chunks; each helper with its
    own timeout (the conversation's is longer than the test's)."""
    svc = participant_service
    started = svc.start_chat("Ann")
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        with pytest.raises(InvalidInputError, match=r"^config: must be an EventStreamConfig or None$"):
            Conversation(chat, config=42)  # type: ignore[arg-type]
        assert Conversation(chat).timeout == 10.0
        with Conversation(chat, timeout=120) as convo:
            assert (convo.timeout, convo.chat) == (120.0, chat)
            # the chat is read in a daemon thread: a conversation left open never holds up the exit
            readers = [t for t in threading.enumerate() if t.name == "conversation-reader"]
            assert readers
            assert all(t.daemon for t in readers)
            for chunks in (["fir", "st"], ["sec", "ond"]):
                svc.stream_message(started, chunks)
            answer = convo.expect_streamed("second", role="SYSTEM", timeout=15)
            assert (answer.text, answer.chunks) == ("second", ("sec", "ond"))
            svc.send_event(started, TYPING, role="AGENT", display_name="Bo")
            assert convo.expect(Typing, timeout=15).display_name == "Bo"
            for title in ("First", "Second"):
                svc.send_message(started, _picker(title), INTERACTIVE)
            assert convo.expect_interactive(ListPicker, "Second", timeout=15).title == "Second"
            with pytest.raises(ConversationError, match="timed out"):
                convo.expect_interactive(ListPicker, timeout=0.3)
            svc.stream_message(started, ["third"])
            with pytest.raises(ConversationError, match="timed out"):
                convo.expect_streamed(role="CUSTOM_BOT", timeout=2)


@pytest.mark.timeout(60)
async def test_a_conversations_options_and_helpers_on_a_chat_async(
    participant_service: LocalParticipantService,
) -> None:
    svc = participant_service
    started = await svc.astart_chat("Ann")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with await client.connect(started.participant_token) as chat:
            with pytest.raises(InvalidInputError, match=r"^config: must be an EventStreamConfig or None$"):
                AsyncConversation(chat, config=42)  # type: ignore[arg-type]
            assert AsyncConversation(chat).timeout == 10.0
            async with AsyncConversation(chat, timeout=120) as convo:
                assert (convo.timeout, convo.chat) == (120.0, chat)
                for chunks in (["fir", "st"], ["sec", "ond"]):
                    await svc.astream_message(started, chunks)
                answer = await convo.expect_streamed("second", role="SYSTEM", timeout=15)
                assert (answer.text, answer.chunks) == ("second", ("sec", "ond"))
                await svc.asend_event(started, TYPING, role="AGENT", display_name="Bo")
                assert (await convo.expect(Typing, timeout=15)).display_name == "Bo"
                for title in ("First", "Second"):
                    await svc.asend_message(started, _picker(title), INTERACTIVE)
                assert (await convo.expect_interactive(ListPicker, "Second", timeout=15)).title == "Second"
                with pytest.raises(ConversationError, match="timed out"):
                    await convo.expect_interactive(ListPicker, timeout=0.3)
                await svc.astream_message(started, ["third"])
                with pytest.raises(ConversationError, match="timed out"):
                    await convo.expect_streamed(role="CUSTOM_BOT", timeout=2)


@pytest.mark.timeout(30)
def test_an_expect_ends_at_its_deadline_not_later(participant_service: LocalParticipantService) -> None:
    """A message sent after an ``expect``'s deadline is not its answer: the next one's."""
    svc = participant_service
    with _conversation(svc, 15) as (started, convo):
        late = threading.Timer(0.6, svc.send_message, (started, "late"))
        late.start()
        try:
            with pytest.raises(ConversationError, match="timed out"):
                convo.expect(Message, "late", timeout=0.2)
            assert convo.expect(Message, "late").content == "late"
        finally:
            late.cancel()


@pytest.mark.timeout(30)
async def test_an_expect_ends_at_its_deadline_not_later_async(
    participant_service: LocalParticipantService,
) -> None:
    svc = participant_service
    async with _aconversation(svc, 15) as (started, convo):
        late = threading.Timer(0.6, svc.send_message, (started, "late"))
        late.start()
        try:
            with pytest.raises(ConversationError, match="timed out"):
                await convo.expect(Message, "late", timeout=0.2)
            assert (await convo.expect(Message, "late")).content == "late"
        finally:
            late.cancel()
