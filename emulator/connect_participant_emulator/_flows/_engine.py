"""The emulator's side of contact flows: drives a ``FlowRun`` per contact on the server's loop.

The engine only does I/O and bookkeeping: it performs the interpreter's commands on the
emulator's state (messages through ``Features``, the customer's disconnection, a queue and its
agent), calls the plug-ins (sync ones in a thread, async ones on the loop, with timeouts), feeds
the customer's messages and the plug-ins' answers back, and wakes runs when the flow clock
reaches their deadlines (``advance`` moves that clock on and runs what became due at once).

The flows of a contact, as Connect runs them: the inbound flow (StartChatContact's
ContactFlowId) starts right after the answer; TransferContactToQueue queues the contact and
runs the CustomerQueue hook's flow while it waits; an agent (``Agent``) joining stops that
flow and runs the CustomerWhisper hook's flow; the agent leaving runs the CustomerRemaining hook's flow (the disconnect flow), or ends
the chat when there is none.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import inspect
import itertools
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from .._features import AUTH_OUTCOMES, Features
from .._model import EVENT_PREFIX, Contact, Participant, ServiceError, State
from ._document import Flow, FlowError
from ._interpreter import (
    CallFailed,
    CallResult,
    CheckHours,
    Command,
    ContactState,
    CustomerMessage,
    Disconnect,
    FlowEnded,
    FlowRun,
    FlowStep,
    Input,
    InvokeLambda,
    LexTurn,
    ParticipantLeft,
    QueueContact,
    Ref,
    SendMessage,
    ShowView,
    StartAuthentication,
)
from ._library import ContactFlows, LambdaRule, QueueRule
from ._plugins import Agent, AgentSession

__all__ = ["FlowEngine", "add_flow_routes", "coerce_flows"]

log = logging.getLogger("connect_participant_emulator.flows")

LEFT = EVENT_PREFIX + "participant.left"
JOINED = EVENT_PREFIX + "participant.joined"
ENDED = EVENT_PREFIX + "chat.ended"
CONNECTION_ACK = EVENT_PREFIX + "connection.acknowledged"
#: seconds after the customer's connection acknowledgement the flow starts when no WebSocket
#: of the customer subscribed before
START_GRACE = 5.0
_OUTCOME_OF = {content_type: outcome for outcome, content_type in AUTH_OUTCOMES.items()}


def coerce_flows(value: Any) -> ContactFlows:
    """``ContactFlows`` as given, or loaded from a path (or a list of paths)."""
    if isinstance(value, ContactFlows):
        return value
    if isinstance(value, str | os.PathLike):
        return ContactFlows(value)
    if isinstance(value, list | tuple):
        return ContactFlows(*value)
    raise TypeError("flows must be a ContactFlows, a path or a list of paths")


class _LambdaContext:
    """The ``context`` argument of a two-argument Lambda handler (the members handlers read)."""

    def __init__(self, function: Ref, timeout: float, now: Callable[[], float]) -> None:
        # the name follows the first ":function:" (a function may be named "function")
        self.function_name = (function.value.partition(":function:")[2] or function.value).split(":")[0]
        self.invoked_function_arn = function.value
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 128
        self._deadline = now() + timeout
        self._now = now

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._now()) * 1000))


@dataclass(eq=False)
class _Timer:
    #: on the emulator's flow clock (a contact's own time less its ``skew``)
    when: float
    seq: int
    callback: Callable[[], None]
    cancelled: bool = False
    #: the contact whose timer it is (its time moves with ``advance_contact``)
    owner: _ContactFlows | None = None

    def __lt__(self, other: _Timer) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


@dataclass(eq=False)
class _ContactFlows:
    """The flow side of one contact."""

    contact: Contact
    data: ContactState
    customer: Participant | None = None
    #: the inbound run, until the customer is connected
    pending: FlowRun | None = None
    runs: list[FlowRun] = field(default_factory=list)
    run: FlowRun | None = None
    run_timer: _Timer | None = None
    queue: QueueRule | None = None
    queue_ref: Ref | None = None
    agent_timer: _Timer | None = None
    agent: Participant | None = None
    agent_plan: Agent | None = None
    script_line: int = 0
    #: authentication SessionId -> (run, call id)
    auth_calls: dict[str, tuple[FlowRun, int]] = field(default_factory=dict)
    tasks: set[asyncio.Future[Any]] = field(default_factory=set)
    ended: bool = False
    #: how far this contact's flow clock is ahead of the emulator's (``advance_contact``)
    skew: float = 0.0

    @property
    def trace(self) -> list[FlowStep]:
        return [step for run in self.runs for step in run.trace]


class FlowEngine:
    """Runs the loaded flows for the chats that name them (one per emulator)."""

    def __init__(self, state: State, features: Features, flows: ContactFlows) -> None:
        self.state = state
        self.features = features
        self.flows = flows
        #: the emulator's URL, for agents played through the SDK (set by whoever starts the server)
        self.endpoint_url: str | None = None
        self._timers: list[_Timer] = []
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._compact_at = 256
        state.listeners.append(self._on_item)
        state.subscribe_listeners.append(self._on_subscribed)

    # --- StartChatContact's hooks ----------------------------------------------------------

    def flow_for(self, flow_id: str) -> Flow | None:
        """The loaded flow a StartChatContact names, None when it names none (the chat then
        starts as without flows); a flow that cannot run answers 400 before the chat starts."""
        flow = self.flows.get(flow_id)
        if flow is None:
            return None
        if flow.is_module:
            raise ServiceError(
                400,
                "InvalidParameterException",
                f"ContactFlowId {flow_id}: {flow.name!r} is a flow module, not a flow",
            )
        try:
            self.flows.check(flow_id)
        except FlowError as exc:
            raise ServiceError(400, "InvalidParameterException", f"ContactFlowId {flow_id}: {exc}") from None
        return flow

    def start(self, contact: Contact, flow: Flow, customer: Participant, attributes: Any = None) -> None:
        """Run ``flow`` for a new chat (``attributes``: StartChatContact's) once its customer is
        connected: at the first subscription of one of the customer's WebSockets (so that a
        client subscribing sees every flow message live), or ``START_GRACE`` seconds after the
        customer's CreateParticipantConnection with ConnectParticipant (a client reading the
        transcript only)."""
        data = ContactState(contact.contact_id, self.flows.instance_arn, customer_name=customer.display_name)
        if isinstance(attributes, dict):  # StartChatContact's Attributes: the contact's first attributes
            data.attributes.update({str(k): str(v) for k, v in attributes.items() if isinstance(v, str)})
        cf = _ContactFlows(contact, data, customer=customer)
        cf.pending = FlowRun(flow, data, self.flows.find)
        contact.extras["flows"] = cf

    def _customer_connected(self, cf: _ContactFlows) -> None:
        run, cf.pending = cf.pending, None
        if run is not None:
            asyncio.get_running_loop().call_soon(self._begin, cf, run)

    def _on_subscribed(self, participant: Participant) -> None:
        cf = participant.contact.extras.get("flows")
        if isinstance(cf, _ContactFlows) and participant is cf.customer:
            self._customer_connected(cf)

    def trace(self, contact_id: str) -> list[FlowStep] | None:
        contact = self.state.contacts.get(contact_id)
        if contact is None:
            return None
        cf = contact.extras.get("flows")
        return cf.trace if isinstance(cf, _ContactFlows) else []

    # --- the clock -------------------------------------------------------------------------

    def now(self) -> float:
        return self.flows.clock.now()

    def _clock(self, cf: _ContactFlows) -> float:
        """The contact's flow time: the emulator's, plus what ``advance_contact`` moved it."""
        return self.now() + cf.skew

    def advance(self, seconds: float) -> float:
        """Move the flow clock on and run everything that became due."""
        moved = self.flows.clock.advance(seconds)
        self._fire()
        return moved

    def advance_contact(
        self, contact_id: str, seconds: float | None = None, at_most: float | None = None
    ) -> tuple[float, float] | None:
        """Move one contact's flow clock on (other contacts keep theirs) and run what became due:
        ``seconds``, or (None) to the contact's next timer (a Wait's end, a bot's or a view's
        time limit, a queue's agent …) when that is at most ``at_most`` seconds away and no
        plug-in (a Lambda function, a bot) is still answering: its time limit is no timer to
        skip to. Answers (seconds moved, the contact's flow time): 0.0 moved when it has no
        such timer; None for no such contact."""
        contact = self.state.contacts.get(contact_id)
        if contact is None:
            return None
        cf = contact.extras.get("flows")
        if not isinstance(cf, _ContactFlows):
            return 0.0, self.now()
        if seconds is None:
            due = [t.when for t in self._timers if t.owner is cf and not t.cancelled]
            busy = any(not task.done() for task in cf.tasks)
            seconds = max(0.0, min(due) - self.now()) if due and not cf.ended and not busy else 0.0
            if at_most is not None and seconds > at_most:
                seconds = 0.0
        if seconds:
            cf.skew += seconds
            for timer in self._timers:
                if timer.owner is cf:
                    timer.when -= seconds
            heapq.heapify(self._timers)
            self._fire()
        return seconds, self._clock(cf)

    def _after(self, when: float, callback: Callable[[], None], cf: _ContactFlows) -> _Timer:
        """A timer for ``when`` on ``cf``'s clock."""
        timer = _Timer(when - cf.skew, next(self._seq), callback, owner=cf)
        heapq.heappush(self._timers, timer)
        if len(self._timers) > self._compact_at:  # chats ended with long Waits pending: drop their timers
            self._timers = [t for t in self._timers if not t.cancelled]
            heapq.heapify(self._timers)
            self._compact_at = max(256, 2 * len(self._timers))
        self._arm()
        return timer

    def _arm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        if self._timers:
            delay = max(0.0, self._timers[0].when - self.now())
            self._handle = asyncio.get_running_loop().call_later(min(delay, 86400.0), self._fire)

    def _fire(self) -> None:
        if self._handle is not None:  # called by advance(), not by the loop's timer
            self._handle.cancel()
            self._handle = None
        now = self.now()
        while self._timers and self._timers[0].when <= now:
            timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.cancelled = True
                try:
                    timer.callback()
                except Exception:
                    log.exception("a flow timer failed")
        self._arm()

    # --- driving runs ------------------------------------------------------------------------

    def _begin(self, cf: _ContactFlows, run: FlowRun) -> None:
        if cf.ended or cf.contact.ended:
            return
        if cf.run is not None and not cf.run.done:
            cf.run.stop(self._clock(cf), f"{run.role} flow started")
            cf.run.drain()
        if cf.run_timer is not None:
            cf.run_timer.cancelled = True
        cf.run = run
        cf.runs.append(run)
        self._step(cf, run, lambda: run.start(self._clock(cf)))

    def _feed(self, cf: _ContactFlows, run: FlowRun, event: Input) -> None:
        if run.done or cf.ended:
            return
        self._step(cf, run, lambda: run.handle(self._clock(cf), event))

    def _step(self, cf: _ContactFlows, run: FlowRun, step: Callable[[], None]) -> None:
        """One input to a run, then its commands. An error of the emulator's own ends the chat
        and says so in the trace (a test sees the chat end, never a silent hang)."""
        try:
            step()
            self._pump(cf, run)
        except Exception as exc:
            log.exception("the flow engine failed on %r", run.flow.name)
            run.trace.append(
                FlowStep(
                    run.flow.name,
                    run.flow.flow_id,
                    "(emulator)",
                    "EmulatorError",
                    "Stopped",
                    None,
                    note=f"the emulator failed: {type(exc).__name__}: {exc}",
                    at=self._clock(cf),
                )
            )
            self.state.end_contact(cf.contact)

    def _pump(self, cf: _ContactFlows, run: FlowRun) -> None:
        while True:
            commands = run.drain()
            if not commands:
                break
            for command in commands:
                try:
                    self._perform(cf, run, command)
                except ServiceError as exc:  # the chat ended under the flow
                    log.info("flow command %s not performed: %s", type(command).__name__, exc.message)
        if cf.run_timer is not None and cf.run is run:
            cf.run_timer.cancelled = True
            cf.run_timer = None
        deadline = run.next_deadline()
        if deadline is not None and not run.done and cf.run is run:
            cf.run_timer = self._after(deadline, functools.partial(self._tick, cf, run), cf)

    def _tick(self, cf: _ContactFlows, run: FlowRun) -> None:
        if run.done or cf.ended:
            return
        self._step(cf, run, lambda: run.tick(self._clock(cf)))

    def _perform(self, cf: _ContactFlows, run: FlowRun, command: Command) -> None:
        contact = cf.contact
        if isinstance(command, SendMessage):
            self.features.send_message(
                contact,
                {
                    "Content": command.content,
                    "ContentType": command.content_type,
                    "ParticipantRole": "SYSTEM",
                    "DisplayName": command.display_name,
                },
            )
        elif isinstance(command, Disconnect):
            customer = _customer(contact)
            if customer is not None and customer.active:
                self.state.disconnect(customer)
            else:
                self.state.end_contact(contact)
        elif isinstance(command, FlowEnded):
            self._ended(cf, run, command)
        elif isinstance(command, InvokeLambda):
            self._invoke_lambda(cf, run, command)
        elif isinstance(command, LexTurn):
            self._lex_turn(cf, run, command)
        elif isinstance(command, QueueContact):
            rule = self.flows.take_override(
                cf.data.contact_id, "queue", command.queue
            ) or self.flows.queue_for(command.queue)
            if rule is not None and rule.at_capacity:
                run.handle(self._clock(cf), CallResult(command.call_id, False))
                return
            cf.queue, cf.queue_ref = rule, command.queue
            run.handle(self._clock(cf), CallResult(command.call_id, True))
        elif isinstance(command, CheckHours):
            run.handle(self._clock(cf), self._hours(command, cf))
        elif isinstance(command, ShowView):
            view = self.flows.view_for(command.view) or {
                "Name": command.view.name,
                "Content": {"Template": {}, "Actions": []},
            }
            described: dict[str, Any] = {"Id": command.view.id, **view}
            if command.version is not None:
                described.setdefault("Version", command.version)
            body = {"View": described, "ViewData": command.view_data, "DisplayName": "SYSTEM_MESSAGE"}
            self.features.show_view(contact, body)
            run.handle(self._clock(cf), CallResult(command.call_id, True))
        elif isinstance(command, StartAuthentication):
            answer = self.features.start_authentication(contact, {"DisplayName": "SYSTEM_MESSAGE"})
            cf.auth_calls[answer["SessionId"]] = (run, command.call_id)

    def _hours(self, command: CheckHours, cf: _ContactFlows) -> Input:
        rule = self.flows.take_override(
            cf.data.contact_id, "hours", command.hours or command.queue
        ) or self.flows.hours_for(command.hours, command.queue)
        if rule is None:
            return CallResult(command.call_id, True)
        if isinstance(rule.open, bool):
            return CallResult(command.call_id, rule.open)
        try:
            return CallResult(
                command.call_id, bool(rule.open(datetime.fromtimestamp(self._clock(cf), tz=UTC)))
            )
        except Exception as exc:
            return CallFailed(command.call_id, f"the hours function raised {type(exc).__name__}: {exc}")

    def _ended(self, cf: _ContactFlows, run: FlowRun, ended: FlowEnded) -> None:
        if cf.run is run and cf.run_timer is not None:
            cf.run_timer.cancelled = True
            cf.run_timer = None
        if ended.outcome != "queued":
            return
        # queued: the CustomerQueue flow runs while the contact waits; the agent comes
        hook = cf.data.hooks.get("CustomerQueue")
        queue_flow = self.flows.find(hook, False) if hook is not None else None
        if queue_flow is not None:
            queue_run = FlowRun(queue_flow, cf.data, self.flows.find, role="customer_queue")
            asyncio.get_running_loop().call_soon(self._begin, cf, queue_run)
        plan = cf.queue.agent if cf.queue is not None else None
        if cf.agent_timer is not None:
            cf.agent_timer.cancelled = True
            cf.agent_timer = None
        if plan is not None and (cf.agent is None or not cf.agent.active):  # (again, from a disconnect flow)
            cf.agent_timer = self._after(
                self._clock(cf) + plan.delay, functools.partial(self._agent_joins, cf, plan), cf
            )

    # --- plug-ins ---------------------------------------------------------------------------

    def _spawn(self, cf: _ContactFlows, work: Any) -> None:
        task = asyncio.ensure_future(work)
        cf.tasks.add(task)
        task.add_done_callback(cf.tasks.discard)

    def _invoke_lambda(self, cf: _ContactFlows, run: FlowRun, command: InvokeLambda) -> None:
        rule = self.flows.take_override(
            cf.data.contact_id, "lambda", command.function
        ) or self.flows.lambda_for(command.function)
        if rule is None:
            if not command.asynchronous:
                run.handle(
                    self._clock(cf),
                    CallFailed(
                        command.call_id, f"no Lambda function registered for {command.function.value!r}"
                    ),
                )
            return
        self._spawn(cf, self._lambda_call(cf, run, rule, command))

    async def _lambda_call(
        self, cf: _ContactFlows, run: FlowRun, rule: LambdaRule, command: InvokeLambda
    ) -> None:
        timeout = rule.timeout if rule.timeout is not None else command.timeout
        event = json.loads(json.dumps(command.event))
        args: tuple[Any, ...] = (event,)
        if _positional_count(rule.function) >= 2:
            args = (event, _LambdaContext(command.function, timeout, functools.partial(self._clock, cf)))
        answer = await self._call_plugin(rule.function, args, timeout, f"Lambda {command.function.value!r}")
        if not command.asynchronous:
            self._feed(cf, run, _as_input(command.call_id, answer))

    def _lex_turn(self, cf: _ContactFlows, run: FlowRun, command: LexTurn) -> None:
        rule = self.flows.take_override(cf.data.contact_id, "lex", command.bot) or self.flows.bot_for(
            command.bot
        )
        if rule is None:
            run.handle(
                self._clock(cf),
                CallFailed(command.call_id, f"no Lex bot registered for {command.bot.value!r}"),
            )
            return
        bot = rule.bot
        target = getattr(bot, "recognize_text", None) or bot
        self._spawn(cf, self._lex_call(cf, run, target, command))

    async def _lex_call(
        self, cf: _ContactFlows, run: FlowRun, target: Callable[..., Any], command: LexTurn
    ) -> None:
        answer = await self._call_plugin(
            target, (dict(command.request),), 30.0, f"Lex bot {command.bot.value!r}"
        )
        self._feed(cf, run, _as_input(command.call_id, answer))

    async def _call_plugin(
        self, function: Callable[..., Any], args: tuple[Any, ...], timeout: float, what: str
    ) -> tuple[bool, Any]:
        """(True, answer) or (False, why it failed)."""
        try:
            if inspect.iscoroutinefunction(function):
                answer = await asyncio.wait_for(function(*args), timeout)
            else:
                loop = asyncio.get_running_loop()
                answer = await asyncio.wait_for(
                    loop.run_in_executor(None, functools.partial(function, *args)), timeout
                )
                if inspect.isawaitable(answer):
                    answer = await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            return False, f"{what} did not answer within {timeout:g} s"
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return False, f"{what} raised {type(exc).__name__}: {exc}"
        return True, answer

    # --- agents -------------------------------------------------------------------------------

    def _agent_joins(self, cf: _ContactFlows, plan: Agent) -> None:
        cf.agent_timer = None
        contact = cf.contact
        customer = _customer(contact)
        if cf.ended or contact.ended or customer is None or not customer.active:
            return
        cf.agent_plan, cf.script_line = plan, 0
        cf.agent = self.state.add_participant(contact, "AGENT", plan.name)  # -> _agent_joined
        agent = cf.agent
        self._agent_says(cf)
        if plan.on_join is not None:
            queue = cf.queue_ref.name if cf.queue_ref is not None else ""
            session = AgentSession(
                contact.current_id, agent.participant_id, agent.token, plan.name, queue, self.endpoint_url
            )
            callback = plan.on_join
            if inspect.iscoroutinefunction(callback):
                self._spawn(cf, self._agent_callback(callback(session)))
            else:
                loop = asyncio.get_running_loop()
                self._spawn(cf, self._agent_callback(loop.run_in_executor(None, callback, session)))

    def _agent_joined(self, cf: _ContactFlows, agent: Participant) -> None:
        """An agent joined (an ``Agent`` of a queue, or one added through the control endpoint):
        the queue flow stops and the CustomerWhisper flow runs."""
        if cf.ended or cf.contact.ended:
            return
        if cf.run is not None and not cf.run.done:
            cf.run.stop(self._clock(cf), f"agent {agent.display_name!r} joined")
            self._pump(cf, cf.run)
        if cf.agent_timer is not None and agent is not cf.agent:  # someone else took the contact
            cf.agent_timer.cancelled = True
            cf.agent_timer = None
        hook = cf.data.hooks.get("CustomerWhisper")
        whisper = self.flows.find(hook, False) if hook is not None else None
        if whisper is not None:  # what the customer is told as the agent joins
            self._begin(cf, FlowRun(whisper, cf.data, self.flows.find, role="whisper"))

    @staticmethod
    async def _agent_callback(work: Any) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("an agent's on_join callback failed")

    def _agent_says(self, cf: _ContactFlows) -> None:
        plan, agent = cf.agent_plan, cf.agent
        if plan is None or agent is None or not agent.active or cf.script_line >= len(plan.script):
            return
        line = plan.script[cf.script_line]
        cf.script_line += 1
        self.state.add_item(cf.contact, "MESSAGE", "text/plain", agent, content=line)
        if cf.script_line >= len(plan.script) and plan.leaves:
            asyncio.get_running_loop().call_soon(self._agent_leaves, cf, agent)

    def _agent_leaves(self, cf: _ContactFlows, agent: Participant) -> None:
        if agent.active:
            self.state.disconnect(agent)

    def _agent_left(self, cf: _ContactFlows) -> None:
        contact = cf.contact
        customer = _customer(contact)
        if cf.ended or contact.ended or customer is None or not customer.active:
            return
        hook = cf.data.hooks.get("CustomerRemaining")
        flow = self.flows.find(hook, False) if hook is not None else None
        if flow is None:
            self.state.end_contact(contact)  # no disconnect flow: the chat ends with the agent
            return
        self._begin(cf, FlowRun(flow, cf.data, self.flows.find, role="disconnect"))

    # --- what happens in the chat ---------------------------------------------------------------

    def _on_item(self, contact: Contact, item: dict[str, Any], participant: Participant | None) -> None:
        cf = contact.extras.get("flows")
        if not isinstance(cf, _ContactFlows) or cf.ended:
            return
        content_type = item.get("ContentType", "")
        if content_type == ENDED:
            self._close(cf)
            return
        loop = asyncio.get_running_loop()
        if content_type == CONNECTION_ACK and participant is cf.customer and cf.pending is not None:
            loop.call_later(START_GRACE, self._customer_connected, cf)
        elif item.get("Type") == "MESSAGE" and participant is not None and participant.role == "CUSTOMER":
            message = CustomerMessage(str(item.get("Content", "")), str(content_type))
            if cf.run is not None and not cf.run.done:
                loop.call_soon(self._feed, cf, cf.run, message)
            if cf.agent is not None and cf.agent.active:
                loop.call_soon(self._agent_says, cf)
        elif content_type == JOINED and participant is not None and participant.role == "AGENT":
            self._agent_joined(cf, participant)  # now: before the agent's first words
        elif content_type == LEFT and participant is not None:
            if participant.role == "AGENT":
                others = [
                    p
                    for p in cf.contact.participants.values()
                    if p.role == "AGENT" and p.active and p is not participant
                ]
                if not others:  # the last agent left: the disconnect flow
                    loop.call_soon(self._agent_left, cf)
            elif cf.run is not None and not cf.run.done:
                loop.call_soon(self._feed, cf, cf.run, ParticipantLeft(participant.role))
        elif content_type in _OUTCOME_OF:
            try:
                session_id = json.loads(item.get("Content") or "{}").get("SessionId")
            except (ValueError, AttributeError):
                return
            waiting = cf.auth_calls.pop(session_id, None)
            if waiting is not None:
                run, call_id = waiting
                loop.call_soon(self._feed, cf, run, CallResult(call_id, _OUTCOME_OF[content_type]))

    def _close(self, cf: _ContactFlows) -> None:
        cf.ended = True
        now = self._clock(cf)
        if cf.run is not None and not cf.run.done:
            cf.run.stop(now, "the chat ended")
            cf.run.drain()
        for timer in (cf.run_timer, cf.agent_timer):
            if timer is not None:
                timer.cancelled = True
        for task in list(cf.tasks):
            task.cancel()


def _customer(contact: Contact) -> Participant | None:
    return next((p for p in contact.participants.values() if p.role == "CUSTOMER"), None)


def _positional_count(function: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(1 for p in parameters if p.kind in kinds)


def _as_input(call_id: int, answer: tuple[bool, Any]) -> Input:
    ok, value = answer
    return CallResult(call_id, value) if ok else CallFailed(call_id, str(value))


# --- control endpoint -------------------------------------------------------------------------


def add_flow_routes(router: web.UrlDispatcher, engine_of: Callable[[], FlowEngine | None]) -> None:
    """``GET /_emulator/contacts/{contact_id}/flow-trace``, ``POST /_emulator/clock/advance``
    (every chat's flow clock) and ``POST /_emulator/contacts/{contact_id}/clock/advance`` (one
    chat's: ``{"Seconds": n}``, or to its next timer, ``{"AtMost": n}`` optional)."""
    router.add_get("/_emulator/contacts/{contact_id}/flow-trace", functools.partial(_flow_trace, engine_of))
    router.add_post("/_emulator/clock/advance", functools.partial(_advance, engine_of))
    router.add_post(
        "/_emulator/contacts/{contact_id}/clock/advance", functools.partial(_advance_contact, engine_of)
    )


# (the handlers are functions of their own, not closures: ``make mutate`` then runs the tests
# that call each one against its mutants)


def _engine_of(engine_of: Callable[[], FlowEngine | None]) -> FlowEngine:
    found = engine_of()
    if found is None:
        raise ServiceError(400, "ValidationException", "no flows are loaded (start the emulator with flows)")
    return found


def _seconds(value: object, name: str) -> float:
    """A JSON number of seconds from 0 to 10**8, else a 400 naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10**8:
        raise ServiceError(400, "ValidationException", f"{name} must be a number from 0 to 100000000")
    return float(value)


async def _flow_trace(engine_of: Callable[[], FlowEngine | None], request: web.Request) -> web.StreamResponse:
    contact_id = request.match_info["contact_id"]
    steps = _engine_of(engine_of).trace(contact_id)
    if steps is None:
        raise ServiceError(404, "ResourceNotFoundException", "No such contact.")
    return web.json_response({"ContactId": contact_id, "Steps": [s.to_json() for s in steps]})


async def _advance(engine_of: Callable[[], FlowEngine | None], request: web.Request) -> web.StreamResponse:
    try:
        body = await request.json()
    except ValueError:
        raise ServiceError(400, "ValidationException", "the body must be JSON") from None
    seconds = _seconds(body.get("Seconds") if isinstance(body, dict) else None, "Seconds")
    now = _engine_of(engine_of).advance(seconds)
    return web.json_response({"Now": now})


async def _advance_contact(
    engine_of: Callable[[], FlowEngine | None], request: web.Request
) -> web.StreamResponse:
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        raise ServiceError(400, "ValidationException", "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ServiceError(400, "ValidationException", "the body must be a JSON object")
    numbers = {}
    for name in ("Seconds", "AtMost"):
        value = body.get(name)
        numbers[name] = None if value is None else _seconds(value, name)
    contact_id = request.match_info["contact_id"]
    answer = _engine_of(engine_of).advance_contact(contact_id, numbers["Seconds"], numbers["AtMost"])
    if answer is None:
        raise ServiceError(404, "ResourceNotFoundException", "No such contact.")
    return web.json_response({"ContactId": contact_id, "Advanced": answer[0], "Now": answer[1]})
