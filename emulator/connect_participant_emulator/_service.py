"""``LocalParticipantService``: the emulator on a loopback port, in a background thread."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx
from aiohttp import web

from ._app import APP_KEY, RUNNER_OPTIONS, EmulatorApp, build_app
from ._config import EmulatorConfig, Quota
from ._flows._engine import coerce_flows
from ._flows._interpreter import FlowStep
from ._flows._library import ContactFlows

__all__ = ["AddedParticipant", "Chat", "LocalParticipantService", "Transfer"]

DEFAULT_INSTANCE_ID = "00000000-0000-4000-8000-000000000001"
DEFAULT_CONTACT_FLOW_ID = "00000000-0000-4000-8000-0000000000f1"
INTERACTIVE = "application/vnd.amazonaws.connect.message.interactive"


@dataclass(frozen=True)
class Chat:
    """A chat started with StartChatContact: the customer's side of it."""

    contact_id: str
    """The chat's contact id."""
    participant_id: str
    """The customer's participant id."""
    participant_token: str = dataclasses.field(repr=False)
    """The customer's participant token (for ``client.connect``)."""
    instance_id: str = DEFAULT_INSTANCE_ID
    """The Connect instance id the chat was started on."""
    #: a persistent chat: the earlier contact it continues (StartChatContact's answer)
    continued_from_contact_id: str | None = None
    """For a persistent chat, the contact it continues; else ``None``."""


@dataclass(frozen=True)
class AddedParticipant:
    """A participant added to a chat (CreateParticipant, or an agent via the control endpoint)."""

    contact_id: str
    """The contact the participant joined."""
    participant_id: str
    """The new participant's id."""
    participant_token: str = dataclasses.field(repr=False)
    """The new participant's token (for ``client.connect``)."""
    expiry: str = ""
    """When the participant token expires (ISO 8601), as CreateParticipant answers."""


@dataclass(frozen=True)
class Transfer:
    """The outcome of a transfer made through the control endpoint."""

    succeeded: bool
    """Whether the transfer succeeded."""
    #: the chat's contact id after the transfer (Connect starts a new contact for each)
    contact_id: str
    """The contact id the chat continues under (new after a successful transfer)."""
    previous_contact_id: str
    """The contact id before the transfer."""
    #: transferred to an agent: the agent who joined
    agent: AddedParticipant | None = None
    """The agent who joined (a transfer to an agent); else ``None``."""


class LocalParticipantService:
    """Runs the emulator on ``host`` (loopback by default) and a free port.

    ``with LocalParticipantService() as svc:`` or ``async with ...``; ``svc.endpoint_url`` is
    the URL to give any client (both the Participant Service and Connect's chat calls are
    served there). Keyword arguments override fields of :class:`EmulatorConfig`, e.g.
    ``LocalParticipantService(connection_token_ttl=2, throttling=True)``.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        config: EmulatorConfig | None = None,
        instance_id: str = DEFAULT_INSTANCE_ID,
        **overrides: Any,
    ) -> None:
        base = config or EmulatorConfig()
        self.config = dataclasses.replace(base, **overrides) if overrides else base
        """The emulator's settings (``EmulatorConfig``)."""
        if self.config.flows is not None and not isinstance(self.config.flows, ContactFlows):
            self.config = dataclasses.replace(self.config, flows=coerce_flows(self.config.flows))
        self.host = host
        """The loopback address it listens on."""
        self.port = port
        """The port it listens on (0 before start: a free one is chosen)."""
        self.instance_id = instance_id
        """The Connect instance id chats are started on."""
        self.region = "us-east-1"
        """The region it claims to be (``us-east-1``)."""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._app: web.Application | None = None
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    # --- life cycle ------------------------------------------------------------------

    @property
    def endpoint_url(self) -> str:
        """The emulator's URL, ``http://127.0.0.1:<port>``: give it to clients as ``endpoint_url``."""
        if self._thread is None:
            raise RuntimeError("the emulator is not running")
        return self.endpoint_url_for(self.host, self.port)

    @staticmethod
    def endpoint_url_for(host: str, port: int) -> str:
        """The URL clients use for an emulator listening on ``host`` and ``port``."""
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def flows(self) -> ContactFlows | None:
        """The contact flows this emulator runs (``flows=``; a path given is loaded at once):
        register plug-ins on it, before or after the start."""
        flows = self.config.flows
        return flows if isinstance(flows, ContactFlows) else None

    @property
    def emulator(self) -> EmulatorApp:
        """The running application's state (read it from tests; it lives in the server thread)."""
        if self._app is None:
            raise RuntimeError("the emulator is not running")
        return self._app[APP_KEY]

    def start(self) -> Self:
        """Start serving in a thread of its own; returns once it listens."""
        if self._thread is not None:
            return self
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._serve, name="connect-participant-emulator", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise RuntimeError(f"the emulator could not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        """Stop serving (every WebSocket closed cleanly) and wait for the thread."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=15)
        self._thread = None
        self._loop = None
        self._app = None

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        self._app = build_app(self.config)
        runner = web.AppRunner(self._app, **RUNNER_OPTIONS)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        engine = self._app[APP_KEY].operations.flow_engine
        if engine is not None:
            engine.endpoint_url = self.endpoint_url_for(self.host, self.port)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    # --- Connect's chat calls, as a backend would make them --------------------------

    def _chat_body(
        self,
        display_name: str,
        initial_message: str | None,
        client_token: str | None,
        instance_id: str | None,
        source_contact_id: str | None = None,
        rehydration_type: str = "ENTIRE_PAST_SESSION",
        contact_flow: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "InstanceId": instance_id or self.instance_id,
            "ContactFlowId": contact_flow or DEFAULT_CONTACT_FLOW_ID,
            "ParticipantDetails": {"DisplayName": display_name},
            "ClientToken": client_token or str(uuid.uuid4()),
        }
        if attributes is not None:
            body["Attributes"] = dict(attributes)
        if initial_message is not None:
            body["InitialMessage"] = {"ContentType": "text/plain", "Content": initial_message}
        if source_contact_id is not None:
            body["PersistentChat"] = {
                "RehydrationType": rehydration_type,
                "SourceContactId": source_contact_id,
            }
        return body

    @staticmethod
    def _check(response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            code = response.headers.get("x-amzn-ErrorType", str(response.status_code))
            try:
                message = response.json().get("message", "")
            except ValueError:
                message = response.text[:200]
            raise RuntimeError(f"{code}: {message}")
        answer = response.json()
        assert isinstance(answer, dict)
        return answer

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        with self._client_lock:
            if self._client is None:
                # one client for the service: connections kept alive, one TLS context built
                self._client = httpx.Client(base_url=self.endpoint_url, timeout=10.0)
            client = self._client
        return self._check(client.request(method, path, json=body if body is not None else {}))

    async def _arequest(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.endpoint_url, timeout=10.0) as client:
            return self._check(await client.request(method, path, json=body if body is not None else {}))

    def _ids(self, chat: Chat | str) -> tuple[str, str]:
        """(contact id, instance id) of a Chat or a bare contact id."""
        if isinstance(chat, Chat):
            return chat.contact_id, chat.instance_id
        return chat, self.instance_id

    @staticmethod
    def _started(answer: dict[str, Any], body: dict[str, Any]) -> Chat:
        return Chat(
            answer["ContactId"],
            answer["ParticipantId"],
            answer["ParticipantToken"],
            body["InstanceId"],
            answer.get("ContinuedFromContactId"),
        )

    def start_chat(
        self,
        display_name: str = "Customer",
        *,
        initial_message: str | None = None,
        client_token: str | None = None,
        instance_id: str | None = None,
        source_contact_id: str | None = None,
        rehydration_type: str = "ENTIRE_PAST_SESSION",
        contact_flow: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> Chat:
        """StartChatContact: a new chat with a CUSTOMER participant. With ``source_contact_id``
        a persistent chat continuing that ended chat (``rehydration_type`` ENTIRE_PAST_SESSION:
        the chat's initial contact id; FROM_SEGMENT: any of its contact ids). ``contact_flow``:
        the ContactFlowId (id, ARN or name of a loaded flow: the flow runs for the chat);
        ``attributes``: the contact attributes the flow starts with."""
        body = self._chat_body(
            display_name,
            initial_message,
            client_token,
            instance_id,
            source_contact_id,
            rehydration_type,
            contact_flow,
            attributes,
        )
        return self._started(self._request("PUT", "/contact/chat", body), body)

    async def astart_chat(
        self,
        display_name: str = "Customer",
        *,
        initial_message: str | None = None,
        client_token: str | None = None,
        instance_id: str | None = None,
        source_contact_id: str | None = None,
        rehydration_type: str = "ENTIRE_PAST_SESSION",
        contact_flow: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> Chat:
        """``start_chat``, awaited."""
        body = self._chat_body(
            display_name,
            initial_message,
            client_token,
            instance_id,
            source_contact_id,
            rehydration_type,
            contact_flow,
            attributes,
        )
        return self._started(await self._arequest("PUT", "/contact/chat", body), body)

    def _participant_call(
        self, chat: Chat | str, display_name: str, role: str
    ) -> tuple[str, str, dict[str, Any]]:
        contact_id, instance_id = self._ids(chat)
        details = {"ParticipantRole": role, "DisplayName": display_name}
        if role == "CUSTOM_BOT":
            body = {"InstanceId": instance_id, "ContactId": contact_id, "ParticipantDetails": details}
            return "POST", "/contact/create-participant", body
        return "POST", f"/_emulator/contacts/{contact_id}/participants", details

    @staticmethod
    def _added(contact_id: str, answer: dict[str, Any]) -> AddedParticipant:
        credentials = answer["ParticipantCredentials"]
        return AddedParticipant(
            contact_id,
            answer["ParticipantId"],
            credentials["ParticipantToken"],
            credentials.get("Expiry", ""),
        )

    def add_participant(
        self, chat: Chat | str, display_name: str = "Bot", *, role: str = "CUSTOM_BOT"
    ) -> AddedParticipant:
        """Add a participant: CUSTOM_BOT through CreateParticipant, other roles (AGENT,
        SUPERVISOR) through the emulator's control endpoint."""
        method, path, body = self._participant_call(chat, display_name, role)
        return self._added(self._ids(chat)[0], self._request(method, path, body))

    async def aadd_participant(
        self, chat: Chat | str, display_name: str = "Bot", *, role: str = "CUSTOM_BOT"
    ) -> AddedParticipant:
        """``add_participant``, awaited."""
        method, path, body = self._participant_call(chat, display_name, role)
        return self._added(self._ids(chat)[0], await self._arequest(method, path, body))

    def _stop_body(self, chat: Chat | str) -> dict[str, Any]:
        contact_id, instance_id = self._ids(chat)
        return {"ContactId": contact_id, "InstanceId": instance_id}

    def stop_contact(self, chat: Chat | str) -> None:
        """StopContact: ends the chat; every participant's tokens then get 403."""
        self._request("POST", "/contact/stop", self._stop_body(chat))

    async def astop_contact(self, chat: Chat | str) -> None:
        """``stop_contact``, awaited."""
        await self._arequest("POST", "/contact/stop", self._stop_body(chat))

    def _transfer_call(
        self, chat: Chat | str, to: str, agent_name: str, succeed: bool
    ) -> tuple[str, str, dict[str, Any]]:
        body = {
            "Destination": to,
            "DisplayName": agent_name,
            "Outcome": "SUCCEEDED" if succeed else "FAILED",
        }
        return "POST", f"/_emulator/contacts/{self._ids(chat)[0]}/transfer", body

    @classmethod
    def _transferred(cls, answer: dict[str, Any]) -> Transfer:
        agent = cls._added(answer["ContactId"], answer) if "ParticipantId" in answer else None
        return Transfer(
            answer["Outcome"] == "SUCCEEDED", answer["ContactId"], answer["PreviousContactId"], agent
        )

    def transfer(
        self, chat: Chat | str, *, to: str = "QUEUE", agent_name: str = "Agent", succeed: bool = True
    ) -> Transfer:
        """Transfer the chat to a queue or an agent (``to`` QUEUE or AGENT), as the flow's
        Transfer block does: ``transfer.succeeded``, the agents leave, a new contact id (and,
        to an agent, the agent joins); ``succeed=False``: only ``transfer.failed``."""
        return self._transferred(self._request(*self._transfer_call(chat, to, agent_name, succeed)))

    async def atransfer(
        self, chat: Chat | str, *, to: str = "QUEUE", agent_name: str = "Agent", succeed: bool = True
    ) -> Transfer:
        """``transfer``, awaited."""
        return self._transferred(await self._arequest(*self._transfer_call(chat, to, agent_name, succeed)))

    # --- control endpoint helpers ----------------------------------------------------

    def inject_fault(
        self,
        operation: str = "*",
        *,
        count: int | None = 1,
        status: int = 500,
        action: str = "error",
        error_code: str | None = None,
        message: str | None = None,
        delay_seconds: float = 0.0,
        when: str = "before",
        contact_id: str | None = None,
    ) -> dict[str, Any]:
        """Make the next ``count`` calls of ``operation`` fail (see ``POST /_emulator/faults``);
        ``contact_id``: only the calls of that chat's participants."""
        body: dict[str, Any] = {
            "operation": operation,
            "count": count,
            "status": status,
            "action": action,
            "delay_seconds": delay_seconds,
            "when": when,
        }
        if contact_id is not None:
            body["contact_id"] = contact_id
        if error_code is not None:
            body["error_code"] = error_code
        if message is not None:
            body["message"] = message
        return self._request("POST", "/_emulator/faults", body)

    def clear_faults(self) -> int:
        """Remove every injected fault; returns how many there were."""
        return int(self._request("DELETE", "/_emulator/faults")["removed"])

    def remove_fault(self, fault_id: str) -> bool:
        """Remove one injected fault (the ``id`` ``inject_fault`` answered); False if it was gone."""
        return bool(self._request("DELETE", f"/_emulator/faults/{fault_id}")["removed"])

    def set_latency(self, seconds: float, operation: str = "*") -> None:
        """Delay ``operation`` (``*``: all) by ``seconds``; 0 removes the delay."""
        self._request("PUT", "/_emulator/latency", {"seconds": seconds, "operation": operation})

    def close_websockets(
        self, *, code: int = 1001, abrupt: bool = False, contact_id: str | None = None
    ) -> int:
        """Close the chat WebSockets (of one contact, or all), cleanly with ``code`` or abruptly; returns how many."""
        body: dict[str, Any] = {"code": code, "abrupt": abrupt}
        if contact_id is not None:
            body["contact_id"] = contact_id
        return int(self._request("POST", "/_emulator/websockets/close", body)["closed"])

    def expire_connection_tokens(
        self, *, contact_id: str | None = None, participant_id: str | None = None
    ) -> int:
        """Expire connection tokens (of a contact or participant, or all); returns how many."""
        body = {
            k: v for k, v in (("contact_id", contact_id), ("participant_id", participant_id)) if v is not None
        }
        return int(self._request("POST", "/_emulator/connection-tokens/expire", body)["expired"])

    def set_throttling(self, enabled: bool, quotas: dict[str, Quota] | None = None) -> dict[str, Any]:
        """Turn the API rate quotas on or off (and change them); returns the throttling settings."""
        body: dict[str, Any] = {"enabled": enabled}
        if quotas:
            body["quotas"] = {name: {"rate": q.rate, "burst": q.burst} for name, q in quotas.items()}
        return self._request("PUT", "/_emulator/throttling", body)

    def reset_faults(self) -> None:
        """Remove faults and latency and put throttling back to the configured settings."""
        self._request("POST", "/_emulator/reset")

    # --- what the flow, a bot or an AI agent would send (see the README's feature tables) --

    def _contact_path(self, chat: Chat | str, tail: str) -> str:
        return f"/_emulator/contacts/{self._ids(chat)[0]}/{tail}"

    def _message_call(
        self,
        chat: Chat | str,
        content: str | None,
        content_type: str,
        chunks: list[str] | None,
        interval: float,
        sender: dict[str, str],
    ) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {"ContentType": content_type, **sender}
        if chunks is not None:
            body["Chunks"] = list(chunks)
            body["ChunkIntervalSeconds"] = interval
        else:
            body["Content"] = content
        return "POST", self._contact_path(chat, "messages"), body

    @staticmethod
    def _sender(participant_id: str | None, role: str, display_name: str) -> dict[str, str]:
        if participant_id is not None:
            return {"ParticipantId": participant_id}
        return {"ParticipantRole": role, "DisplayName": display_name}

    def send_message(
        self,
        chat: Chat | str,
        content: str,
        content_type: str = "text/plain",
        *,
        participant_id: str | None = None,
        role: str = "SYSTEM",
        display_name: str = "SYSTEM_MESSAGE",
    ) -> str:
        """A message from the flow (SYSTEM, "SYSTEM_MESSAGE", as the service names a flow's
        messages; pass ``display_name="BOT"`` for a Lex bot's reply) or from ``participant_id``;
        returns its Id."""
        sender = self._sender(participant_id, role, display_name)
        return str(self._request(*self._message_call(chat, content, content_type, None, 0, sender))["Id"])

    async def asend_message(
        self,
        chat: Chat | str,
        content: str,
        content_type: str = "text/plain",
        *,
        participant_id: str | None = None,
        role: str = "SYSTEM",
        display_name: str = "SYSTEM_MESSAGE",
    ) -> str:
        """``send_message``, awaited."""
        sender = self._sender(participant_id, role, display_name)
        call = self._message_call(chat, content, content_type, None, 0, sender)
        return str((await self._arequest(*call))["Id"])

    def stream_message(
        self,
        chat: Chat | str,
        chunks: list[str],
        *,
        interval: float = 0.05,
        content_type: str = "text/plain",
        display_name: str = "BOT",
    ) -> str:
        """An AI answer streamed in ``chunks`` (one every ``interval`` s, then the whole text); its Id."""
        sender = self._sender(None, "SYSTEM", display_name)
        return str(
            self._request(*self._message_call(chat, None, content_type, chunks, interval, sender))["Id"]
        )

    async def astream_message(
        self,
        chat: Chat | str,
        chunks: list[str],
        *,
        interval: float = 0.05,
        content_type: str = "text/plain",
        display_name: str = "BOT",
    ) -> str:
        """``stream_message``, awaited."""
        sender = self._sender(None, "SYSTEM", display_name)
        call = self._message_call(chat, None, content_type, chunks, interval, sender)
        return str((await self._arequest(*call))["Id"])

    def send_interactive(
        self, chat: Chat | str, template: dict[str, Any], *, display_name: str = "BOT"
    ) -> str:
        """An interactive message (``{"templateType": "ListPicker", "version": "1.0", "data": …}``)."""
        return self.send_message(chat, json.dumps(template), INTERACTIVE, display_name=display_name)

    async def asend_interactive(
        self, chat: Chat | str, template: dict[str, Any], *, display_name: str = "BOT"
    ) -> str:
        """``send_interactive``, awaited."""
        return await self.asend_message(chat, json.dumps(template), INTERACTIVE, display_name=display_name)

    def _event_call(
        self, chat: Chat | str, content_type: str, content: str | None, sender: dict[str, str]
    ) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {"ContentType": content_type, **sender}
        if content is not None:
            body["Content"] = content
        return "POST", self._contact_path(chat, "events"), body

    def send_event(
        self,
        chat: Chat | str,
        content_type: str,
        content: str | None = None,
        *,
        participant_id: str | None = None,
        role: str = "SYSTEM",
        display_name: str = "SYSTEM_MESSAGE",
    ) -> str:
        """Any event (``application/vnd.amazonaws.connect.event.…``), e.g. participant.invited; its Id."""
        call = self._event_call(chat, content_type, content, self._sender(participant_id, role, display_name))
        return str(self._request(*call)["Id"])

    async def asend_event(
        self,
        chat: Chat | str,
        content_type: str,
        content: str | None = None,
        *,
        participant_id: str | None = None,
        role: str = "SYSTEM",
        display_name: str = "SYSTEM_MESSAGE",
    ) -> str:
        """``send_event``, awaited."""
        call = self._event_call(chat, content_type, content, self._sender(participant_id, role, display_name))
        return str((await self._arequest(*call))["Id"])

    def _view_call(
        self, chat: Chat | str, view: dict[str, Any], view_data: dict[str, Any] | None
    ) -> tuple[str, str, dict[str, Any]]:
        return "POST", self._contact_path(chat, "views"), {"View": view, "ViewData": view_data or {}}

    def show_view(
        self, chat: Chat | str, view: dict[str, Any], view_data: dict[str, Any] | None = None
    ) -> str:
        """A ShowView block: sends the ViewResource message; DescribeView then answers ``view``
        (``{"Name": …, "Content": {"Template": …, "InputSchema": …, "Actions": [...]}}``). Its view token."""
        return str(self._request(*self._view_call(chat, view, view_data))["ViewToken"])

    async def ashow_view(
        self, chat: Chat | str, view: dict[str, Any], view_data: dict[str, Any] | None = None
    ) -> str:
        """``show_view``, awaited."""
        return str((await self._arequest(*self._view_call(chat, view, view_data)))["ViewToken"])

    def _auth_call(self, chat: Chat | str, timeout: float | None) -> tuple[str, str, dict[str, Any]]:
        body = {} if timeout is None else {"TimeoutSeconds": timeout}
        return "POST", self._contact_path(chat, "authentication"), body

    def start_authentication(self, chat: Chat | str, *, timeout: float | None = None) -> str:
        """An Authenticate Customer block: sends ``authentication.initiated``; its SessionId.
        ``timeout``: seconds until ``authentication.timeout`` unless finished before."""
        return str(self._request(*self._auth_call(chat, timeout))["SessionId"])

    async def astart_authentication(self, chat: Chat | str, *, timeout: float | None = None) -> str:
        """``start_authentication``, awaited."""
        return str((await self._arequest(*self._auth_call(chat, timeout)))["SessionId"])

    def _finish_call(
        self, chat: Chat | str, session_id: str, outcome: str, display_name: str | None, delay: float
    ) -> tuple[str, str, dict[str, Any]]:
        body: dict[str, Any] = {"Outcome": outcome, "DelaySeconds": delay}
        if display_name is not None:
            body["DisplayName"] = display_name
        return "POST", self._contact_path(chat, f"authentication/{session_id}"), body

    def finish_authentication(
        self,
        chat: Chat | str,
        session_id: str,
        outcome: str = "succeeded",
        *,
        display_name: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """End a sign-in: ``succeeded`` (then ``participant.displayname.updated``), ``failed``,
        ``timeout``, ``expired`` or ``cancelled`` — now, or ``delay`` seconds later."""
        self._request(*self._finish_call(chat, session_id, outcome, display_name, delay))

    async def afinish_authentication(
        self,
        chat: Chat | str,
        session_id: str,
        outcome: str = "succeeded",
        *,
        display_name: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """``finish_authentication``, awaited."""
        await self._arequest(*self._finish_call(chat, session_id, outcome, display_name, delay))

    def _timers_call(
        self, chat: Chat | str, role: str, idle: float | None, disconnect: float | None
    ) -> tuple[str, str, dict[str, Any]]:
        timer = {"ParticipantRole": role, "IdleSeconds": idle, "DisconnectSeconds": disconnect}
        return "PUT", self._contact_path(chat, "timers"), {"Timers": [timer]}

    def set_timers(
        self,
        chat: Chat | str,
        role: str = "CUSTOMER",
        *,
        idle: float | None = None,
        disconnect: float | None = None,
    ) -> None:
        """Idle and auto-disconnect timeouts (seconds) for a role (CUSTOMER or AGENT), as
        UpdateParticipantRoleConfig sets them (AWS counts minutes, 2..480)."""
        self._request(*self._timers_call(chat, role, idle, disconnect))

    async def aset_timers(
        self,
        chat: Chat | str,
        role: str = "CUSTOMER",
        *,
        idle: float | None = None,
        disconnect: float | None = None,
    ) -> None:
        """``set_timers``, awaited."""
        await self._arequest(*self._timers_call(chat, role, idle, disconnect))

    def _rename_call(
        self, chat: Chat | str, participant_id: str, name: str
    ) -> tuple[str, str, dict[str, Any]]:
        path = self._contact_path(chat, f"participants/{participant_id}/display-name")
        return "PUT", path, {"DisplayName": name}

    def update_display_name(self, chat: Chat | str, participant_id: str, display_name: str) -> None:
        """Rename a participant: ``participant.displayname.updated`` on the chat."""
        self._request(*self._rename_call(chat, participant_id, display_name))

    async def aupdate_display_name(self, chat: Chat | str, participant_id: str, display_name: str) -> None:
        """``update_display_name``, awaited."""
        await self._arequest(*self._rename_call(chat, participant_id, display_name))

    # --- contact flows (``flows=``; see ``connect_participant_emulator.flows``) -----------

    def _trace_call(self, chat: Chat | str) -> tuple[str, str]:
        return "GET", self._contact_path(chat, "flow-trace")

    def flow_trace(self, chat: Chat | str) -> list[FlowStep]:
        """Every action the chat's flows ran, in order, with its branch and the data it read and set."""
        answer = self._request(*self._trace_call(chat))
        return [FlowStep.from_json(step) for step in answer["Steps"]]

    async def aflow_trace(self, chat: Chat | str) -> list[FlowStep]:
        """``flow_trace``, awaited."""
        answer = await self._arequest(*self._trace_call(chat))
        return [FlowStep.from_json(step) for step in answer["Steps"]]

    def advance_clock(self, seconds: float) -> float:
        """Move the flows' clock ``seconds`` on: Waits, bot timeouts and agent delays that became
        due run now (a 15-minute Wait takes no 15 minutes). Answers the clock's new time."""
        return float(self._request("POST", "/_emulator/clock/advance", {"Seconds": seconds})["Now"])

    async def aadvance_clock(self, seconds: float) -> float:
        """``advance_clock``, awaited."""
        return float((await self._arequest("POST", "/_emulator/clock/advance", {"Seconds": seconds}))["Now"])

    def _chat_clock_call(
        self, chat: Chat | str, seconds: float | None, at_most: float | None
    ) -> tuple[str, str, dict[str, Any]]:
        body = {k: v for k, v in (("Seconds", seconds), ("AtMost", at_most)) if v is not None}
        return "POST", self._contact_path(chat, "clock/advance"), body

    def advance_chat_clock(
        self, chat: Chat | str, seconds: float | None = None, *, at_most: float | None = None
    ) -> float:
        """Move one chat's flow clock on (other chats keep theirs) and run what became due:
        ``seconds``, or (None) to the chat's next timer (a Wait's end, a bot's or a view's time
        limit, a queue's agent …) when that is at most ``at_most`` seconds away. Answers the
        seconds it moved (0.0: the chat has no timer, or it is further than ``at_most``)."""
        return float(self._request(*self._chat_clock_call(chat, seconds, at_most))["Advanced"])

    async def aadvance_chat_clock(
        self, chat: Chat | str, seconds: float | None = None, *, at_most: float | None = None
    ) -> float:
        """``advance_chat_clock``, awaited."""
        return float((await self._arequest(*self._chat_clock_call(chat, seconds, at_most)))["Advanced"])
