"""Load-test a chat on Locust: ``ChatUser``, a simulated customer (the ``[load]`` extra).

```python
from locust import between, task
from connect_participant.locust import ChatUser


class Customer(ChatUser):  # locust -f this_file.py --host http://127.0.0.1:8700 (an emulator)
    wait_time = between(4, 6)
    contact_flow_id = "my-flow-id"  # optional on the emulator

    @task
    def ask(self) -> None:
        self.say("What is my balance?")  # SendMessage, then its echo on the socket
        self.expect_reply("balance")  # the bot's or agent's answer
```

Each user has its own sync ``ParticipantClient`` (a client shared by many users is several
times slower); all share one TLS context. A user starts a chat (``StartChatContact``: on the
emulator at Locust's ``host``, unsigned; on a real instance — no ``host``, ``region`` and
``instance_id`` set — through boto3, the ``[aws]`` extra, with the user's AWS credentials),
connects, opens a live events stream inside a ``connect_participant.testing.Conversation``
(``self.convo``: ``expect``, ``expect_interactive``, ``expect_streamed`` work as in a test;
``play(script)`` runs a test's ``script(chat, convo)`` as load, measured), and
disconnects when it stops. ``hold_chat = True`` (the default) keeps one chat for the whole test
(started in ``on_start``); with ``hold_chat = False`` each task opens its own:
``with self.chat_session(): ...``.

Everything measured is a Locust request event named per operation, never per URL (URLs carry
tokens). ``request_type`` is the family:

| type | names |
|---|---|
| ``API`` | ``StartChatContact``, ``CreateParticipantConnection``, ``SendMessage``, ``DisconnectParticipant`` — latency; a typed SDK error is a failure |
| ``THROTTLED`` | the same names: calls that ended in ``ThrottlingError`` (after the SDK's retries), counted apart |
| ``STREAM`` | ``stream live`` (until the socket's subscription is acknowledged), ``own message echoed`` (SendMessage called → the message seen on the socket), ``reconnect`` and ``gap fill`` (one each, from ``stream.stats``) |
| ``REPLY`` | ``first reply`` (the chat's first message from the other side: bot, agent or flow — counted from the customer's last message, or the connection if it spoke first), ``between turns`` (each later reply) |
| ``SCRIPT`` | a conversation script written for tests, played by ``play(script)``, start to end |
| ``CHAT`` | ``chat started`` (start to live stream), ``chat ended`` (the chat's duration) |

This module imports Locust; nothing else in the package does.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NoReturn, cast

import httpx
from locust import User

from ._client import DEFAULT_TIMEOUT, ParticipantClient, _headers, _NoCookies
from ._deadline_net import with_deadline_sockets
from ._errors import ParticipantServiceError, ThrottlingError
from ._events import Event, Message
from ._session import ChatSession
from .testing import Conversation, ConversationError, Matching, _matches

__all__ = ["ChatUser"]

# Locust shows INFO; httpx logs every request at INFO (a line per call of every user)
logging.getLogger("httpx").setLevel(logging.WARNING)

#: the emulator needs a ContactFlowId; without flows it starts a plain chat for any id
_ANY_FLOW = "00000000-0000-4000-8000-0000000000f1"
#: Connect's answers to too many calls (the rate) or too many active chats (LimitExceeded)
_THROTTLED_CODES = frozenset({"ThrottlingException", "TooManyRequestsException", "LimitExceededException"})
_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=10)
_shared_lock = threading.Lock()
_shared: dict[str, Any] = {}


def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every user of the process (each costs ~28 ms of CPU)."""
    with _shared_lock:
        if "ssl" not in _shared:
            _shared["ssl"] = httpx.create_ssl_context()
        context: ssl.SSLContext = _shared["ssl"]
        return context


def _connect_client(region: str | None) -> Any:
    """boto3's ``connect`` client, one per process (thread-safe), for a real instance's StartChatContact."""
    with _shared_lock:
        if "connect" not in _shared:
            try:
                import boto3  # type: ignore[import-untyped]
            except ImportError:
                raise RuntimeError(
                    'starting chats on a real instance needs boto3: pip install "connect-participant[aws,load]"'
                ) from None
            _shared["connect"] = boto3.client("connect", region_name=region)
        return _shared["connect"]


def _http_client() -> httpx.Client:
    """A user's httpx client: the SDK's default transport, on the process's TLS context."""
    transport = with_deadline_sockets(httpx.HTTPTransport(verify=_ssl_context(), limits=_LIMITS))
    http = httpx.Client(timeout=DEFAULT_TIMEOUT, transport=transport, headers=_headers())
    http._cookies = _NoCookies()
    return http


def _kind(error: BaseException, request_type: str) -> str:
    return "THROTTLED" if isinstance(error, ThrottlingError) else request_type


class ChatUser(User):
    """A customer in a chat; subclass it with ``@task`` methods (see the module's docs)."""

    abstract = True
    #: a Connect instance id (any on the emulator) and the contact flow StartChatContact runs
    instance_id: ClassVar[str] = "load-test"
    contact_flow_id: ClassVar[str | None] = None
    #: contact attributes given to StartChatContact (the flow reads them as ``$.Attributes``)
    attributes: ClassVar[dict[str, str]] = {}
    display_name: ClassVar[str] = "Load test customer"
    #: the real service's region (used when ``host`` is empty)
    region: ClassVar[str | None] = None
    #: one chat for the whole test (True), or one per ``with self.chat_session()`` (False)
    hold_chat: ClassVar[bool] = True
    #: seconds to wait for an echo or a reply
    reply_timeout: ClassVar[float] = 30.0
    #: on the emulator without a flow nobody answers: ``play_bot = True`` adds a CUSTOM_BOT
    #: (CreateParticipant) to each chat, played by this user, answering each customer message
    #: with ``bot_answer(text)``
    play_bot: ClassVar[bool] = False

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.client: ParticipantClient | None = None
        self.chat: ChatSession | None = None
        self.convo: Conversation | None = None
        self._http: httpx.Client | None = None
        self._started_at = 0.0
        self._last_said = 0.0
        self._replies = 0
        self._seen_stats: dict[str, int] = {}
        self._bot: _Bot | None = None

    # --- Locust's hooks -------------------------------------------------------------------------

    def on_start(self) -> None:
        if self.hold_chat:
            from locust.exception import RescheduleTask

            with contextlib.suppress(RescheduleTask):  # recorded; the first task tries again
                self.start_chat()

    def on_stop(self) -> None:
        self.end_chat()
        if self._http is not None:
            self._http.close()
            self._http = None
            self.client = None

    # --- metrics ------------------------------------------------------------------------------

    def record(
        self, request_type: str, name: str, seconds: float, exception: BaseException | None = None
    ) -> None:
        """One Locust request event (``seconds`` of latency; a failure when ``exception``)."""
        self.environment.events.request.fire(
            request_type=request_type,
            name=name,
            response_time=seconds * 1000.0,
            response_length=0,
            exception=exception,
            context={},
        )

    @contextlib.contextmanager
    def timed(self, name: str, request_type: str = "API", *, since: float | None = None) -> Iterator[None]:
        """Time the block (or from ``since``, a ``time.perf_counter()``) as ``name``. An SDK error
        or a conversation timeout is its failure (``ThrottlingError`` under ``THROTTLED``): the
        chat is given up and the task ends (``RescheduleTask``); the next task starts a new chat."""
        began = time.perf_counter() if since is None else since
        try:
            yield
        except (ParticipantServiceError, ConversationError) as exc:
            self._failed(request_type, name, began, exc)
        self.record(request_type, name, time.perf_counter() - began)

    def _failed(self, request_type: str, name: str, began: float, error: Exception) -> NoReturn:
        """Record ``error`` as the failure of ``name``, give up the chat, end the task."""
        from locust.exception import RescheduleTask

        self.record(_kind(error, request_type), name, time.perf_counter() - began, error)
        self.end_chat()
        raise RescheduleTask() from error

    def _stream_counters(self) -> None:
        convo = self.convo
        if convo is None:
            return
        stats = convo._stream.stats
        for key, name in (("drops", "reconnect"), ("gap_fills", "gap fill")):
            new = stats.get(key, 0) - self._seen_stats.get(key, 0)
            for _ in range(new):
                self.record("STREAM", name, 0.0)
        self._seen_stats = stats

    # --- a chat -------------------------------------------------------------------------------

    def _participant_client(self) -> ParticipantClient:
        if self.client is None:
            if not self.host and not self.region:
                raise RuntimeError("ChatUser needs a host (an emulator's URL, --host) or a region")
            self._http = _http_client()  # the client sets its endpoint as the base URL
            if self.host:
                self.client = ParticipantClient(endpoint_url=self.host, http_client=self._http)
            else:
                self.client = ParticipantClient(region=self.region, http_client=self._http)
        return self.client

    def _emulator_call(self, method: str, path: str, body: dict[str, Any], operation: str) -> Any:
        """One of Connect's calls on the emulator (it takes them unsigned)."""
        assert self._http is not None
        try:
            answer = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise ParticipantServiceError(
                f"{operation}: {type(exc).__name__}", code="TransportError", status_code=None
            ) from None
        if answer.status_code != 200:
            code = answer.headers.get("x-amzn-ErrorType", "Error").partition(":")[0]
            throttled = answer.status_code == 429 or code in _THROTTLED_CODES
            error = ThrottlingError if throttled else ParticipantServiceError
            raise error(f"{operation} failed", code=code, status_code=answer.status_code)
        return answer.json()

    def _aws_call(self, method: str, body: dict[str, Any], operation: str) -> Any:
        """One of Connect's calls through boto3; its errors as the SDK's (429s as ``ThrottlingError``)."""
        import botocore.exceptions  # type: ignore[import-untyped]

        client = _connect_client(self.region)
        try:
            return getattr(client, method)(**body)
        except botocore.exceptions.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "Error"))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            throttled = status == 429 or code in _THROTTLED_CODES
            error = ThrottlingError if throttled else ParticipantServiceError
            raise error(f"{operation} failed", code=code, status_code=status) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise ParticipantServiceError(
                f"{operation}: {type(exc).__name__}", code="TransportError", status_code=None
            ) from None

    def _start_contact(self) -> tuple[str, str]:
        """StartChatContact: (contact id, participant token)."""
        body: dict[str, Any] = {
            "InstanceId": self.instance_id,
            "ContactFlowId": self.contact_flow_id or _ANY_FLOW,
            "ParticipantDetails": {"DisplayName": self.display_name},
            "ClientToken": str(uuid.uuid4()),
        }
        if self.attributes:
            body["Attributes"] = dict(self.attributes)
        if self.host:
            started = self._emulator_call("PUT", "/contact/chat", body, "StartChatContact")
        else:
            if self.contact_flow_id is None:
                raise RuntimeError("on a real instance, ChatUser needs contact_flow_id")
            started = self._aws_call("start_chat_contact", body, "StartChatContact")
        return started["ContactId"], started["ParticipantToken"]

    def _add_bot(self, contact_id: str) -> str:
        """CreateParticipant (CUSTOM_BOT): the bot's participant token."""
        body = {
            "InstanceId": self.instance_id,
            "ContactId": contact_id,
            "ParticipantDetails": {"ParticipantRole": "CUSTOM_BOT", "DisplayName": "Load test bot"},
        }
        if self.host:
            answer = self._emulator_call("POST", "/contact/create-participant", body, "CreateParticipant")
            credentials = answer["ParticipantCredentials"]
        else:
            credentials = self._aws_call("create_participant", body, "CreateParticipant")[
                "ParticipantCredentials"
            ]
        return str(credentials["ParticipantToken"])

    def start_chat(self) -> None:
        """Start a chat, connect, open a live events stream (``self.chat``, ``self.convo``)."""
        self.end_chat()
        client = self._participant_client()
        began = time.perf_counter()
        with self.timed("StartChatContact"):
            contact_id, token = self._start_contact()
        if self.play_bot:
            with self.timed("CreateParticipant"):
                self._bot = _Bot(client, self._add_bot(contact_id), self.bot_answer)
        with self.timed("CreateParticipantConnection"):
            self.chat = client.connect(token)
        self._started_at = self._last_said = time.perf_counter()
        self._replies = 0
        self._seen_stats = {}
        with self.timed("stream live", "STREAM"):
            self.convo = Conversation(self.chat, timeout=self.reply_timeout)
            self.convo.__enter__()  # waits until the socket is subscribed (where the SDK can)
        self.record("CHAT", "chat started", time.perf_counter() - began)

    def bot_answer(self, text: str) -> str:
        """What the bot (``play_bot``) answers to a customer message."""
        return f"You said: {text}"

    def end_chat(self) -> None:
        """Disconnect (DisconnectParticipant) and close the stream; safe to call at any time."""
        chat, bot, self.chat, self._bot = self.chat, self._bot, None, None
        try:
            if chat is not None:
                self._stream_counters()  # the last reconnects and gap fills
                began = time.perf_counter()
                try:
                    chat.disconnect()
                except ParticipantServiceError as exc:
                    self.record(_kind(exc, "API"), "DisconnectParticipant", time.perf_counter() - began, exc)
                else:
                    self.record("API", "DisconnectParticipant", time.perf_counter() - began)
        finally:
            convo, self.convo = self.convo, None
            if convo is not None:
                convo.close()
            if bot is not None:
                bot.stop()
            if chat is not None:
                self.record("CHAT", "chat ended", time.perf_counter() - self._started_at)

    @contextlib.contextmanager
    def chat_session(self) -> Iterator[ChatSession]:
        """A chat for the block (the chat-per-task shape): started, then ended whatever happens."""
        self.start_chat()
        assert self.chat is not None
        try:
            yield self.chat
        finally:
            self.end_chat()

    def _ensure_chat(self) -> tuple[ChatSession, Conversation]:
        if self.chat is None or self.convo is None:
            self.start_chat()
        assert self.chat is not None
        assert self.convo is not None
        return self.chat, self.convo

    # --- a conversation -------------------------------------------------------------------------

    def say(self, text: str, content_type: str = "text/plain") -> Message:
        """SendMessage, then wait for it on the socket (``own message echoed``): that event."""
        chat, convo = self._ensure_chat()
        sending = time.perf_counter()
        with self.timed("SendMessage"):
            sent = chat.send_message(text, content_type)
        self._last_said = time.perf_counter()
        with self.timed("own message echoed", "STREAM", since=sending):
            echoed = convo.expect(Message, lambda event: event.id == sent.id, role="CUSTOMER")
        self._stream_counters()
        return echoed

    def expect_reply(
        self,
        matching: Matching = None,
        *,
        kind: type[Event] = Message,
        timeout: float | None = None,
    ) -> Event:
        """The next ``kind`` from anyone but the customer that matches (``testing``'s rules):
        ``first reply`` for the chat's first, ``between turns`` after."""
        _, convo = self._ensure_chat()
        name = self._reply_name()
        with self.timed(name, "REPLY", since=self._last_said):
            got = convo.expect(
                kind, lambda event: event.participant_role != "CUSTOMER" and _matches(event, Event, None, matching),
                timeout=timeout,
            )  # fmt: skip
        self._replies += 1
        self._stream_counters()
        return got

    def _reply_name(self) -> str:
        return "first reply" if self._replies == 0 else "between turns"

    def play(self, script: Callable[[ChatSession, Conversation], object], name: str | None = None) -> None:
        """Run a conversation script written for tests — ``script(chat, convo)``, the same
        function a pytest test calls with ``Conversation(chat)`` — in this user's chat, measured:
        the whole script under ``SCRIPT`` (its name), each of its calls under ``API``
        (``SendMessage``, ``SendEvent``, …), each event it expects from the other side under
        ``REPLY``."""
        chat, convo = self._ensure_chat()
        title: str = name or getattr(script, "__name__", None) or "script"
        with self.timed(title, "SCRIPT"):
            script(
                cast(ChatSession, _MeasuredChat(self, chat)),
                cast(Conversation, _MeasuredConversation(self, convo)),
            )
        self._stream_counters()


#: the session's methods a script may call, by the operation they time
_OPERATIONS = {
    "send_message": "SendMessage",
    "select": "SendMessage",
    "send_event": "SendEvent",
    "send_typing": "SendEvent",
    "send_read": "SendEvent",
    "send_delivered": "SendEvent",
    "upload_attachment": "UploadAttachment",
    "download_attachment": "GetAttachment",
    "describe_view": "DescribeView",
    "disconnect": "DisconnectParticipant",
}


class _MeasuredChat:
    """A ``ChatSession`` whose calls are timed as Locust request events."""

    def __init__(self, user: ChatUser, chat: ChatSession) -> None:
        self._user = user
        self._chat = chat

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._chat, attribute)
        found = _OPERATIONS.get(attribute)
        if found is None or not callable(value):
            return value
        user, operation = self._user, found

        def measured(*args: Any, **kwargs: Any) -> Any:
            with user.timed(operation):
                result = value(*args, **kwargs)
            if operation == "SendMessage":
                user._last_said = time.perf_counter()
            return result

        return measured


class _MeasuredConversation:
    """A ``Conversation`` whose waits for the other side are timed as replies."""

    def __init__(self, user: ChatUser, convo: Conversation) -> None:
        self._user = user
        self._convo = convo

    def __getattr__(self, attribute: str) -> Any:
        value = getattr(self._convo, attribute)
        if attribute not in ("expect", "expect_interactive", "expect_streamed"):
            return value
        user = self._user

        def measured(*args: Any, **kwargs: Any) -> Any:
            name = user._reply_name()
            began = user._last_said
            try:
                result = value(*args, **kwargs)
            except (ParticipantServiceError, ConversationError) as exc:
                user._failed("REPLY", name, began, exc)
            history = self._convo.history
            if history and history[-1].participant_role != "CUSTOMER":  # the other side's: a reply
                user.record("REPLY", name, time.perf_counter() - began)
                user._replies += 1
            return result

        return measured


class _Bot:
    """A CUSTOM_BOT answering every customer message, in a thread (a greenlet under Locust)."""

    def __init__(self, client: ParticipantClient, token: str, answer: Callable[[str], str]) -> None:
        self._chat = client.connect(token)
        self._stream = self._chat.events()
        self._answer = answer
        self._thread = threading.Thread(target=self._run, name="load-test-bot", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._stream as stream:
                for event in stream:
                    if isinstance(event, Message) and event.participant_role == "CUSTOMER":
                        self._chat.send_message(self._answer(event.content or ""))
        except ParticipantServiceError:
            pass  # the chat ended under it

    def stop(self) -> None:
        self._stream.close()
