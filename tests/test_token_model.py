"""The token protocol (``_tokens.call_flow``) against a model service, under randomized schedules
of combined faults: concurrent calls interleaved step by step (a request is answered only when
its caller is scheduled again, so anything can happen between send and answer), revocations of
every live connection token whatever its age, the clock jumping past expiries, throttled and
refused CreateParticipantConnection, transport failures, and 403s that are not about the token
(every call refused while the service still hands out connections).

The model is the ground truth: which tokens it issued, which ever worked, which it revoked. The
properties are checked against it, not against the SDK's own bookkeeping:

- a call never gives up on a 403 with sends left unless the refused token never worked and
  ``MAX_DOUBTS`` tokens made in a row never worked, the last less than ``DOUBT_PAUSE`` ago (or the
  participant token was refused): no latch outlives its evidence;
- with revocations the only 403s, renewals <= the revocations that ended the newest token;
- when every call is refused but connections are still handed out, creates stay bounded:
  three (one for a token that worked, two doubtful) plus one per ``DOUBT_PAUSE``;
- a call that succeeded was accepted by the service once; one that failed, never.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from connect_participant import AccessDeniedError, ParticipantServiceError, Secret
from connect_participant import _operations as ops
from connect_participant._models import ConnectionInfo
from connect_participant._tokens import (
    DOUBT_PAUSE,
    MAX_DOUBTS,
    MAX_SENDS,
    Call,
    Locked,
    Reply,
    TokenState,
    call_flow,
)

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
DENIED = Reply(403, {"x-amzn-ErrorType": "AccessDeniedException"}, b'{"message":"Access denied"}')
THROTTLED = Reply(429, {"x-amzn-ErrorType": "ThrottlingException"}, b'{"message":"Rate exceeded"}')
SEEDS = 400


@dataclass
class Token:
    created: datetime
    expires: datetime | None
    alive: bool = True
    worked: bool = False


@dataclass
class World:
    """The schedule's knobs (per seed) and the service model's state."""

    rng: random.Random
    revoke_p: float
    tick_p: float
    lifetime: float | None  # seconds a token lives (None: no Expiry in the answer)
    throttle_p: float
    transport_p: float
    elsewhere_at: int | None  # step from which every call is refused (creates still work)
    refuse_at: int | None  # step from which the participant token is refused
    now: datetime = T0
    step: int = 0
    tokens: dict[str, Token] = field(default_factory=dict)
    newest: str = ""
    kills: int = 0  # revocations that ended the newest token
    accepted: dict[str, int] = field(default_factory=dict)  # client token -> 2xx answers
    created: list[tuple[datetime, str]] = field(default_factory=list)  # successful creates
    elsewhere_since: datetime | None = None

    def clock(self) -> datetime:
        return self.now

    def issue(self) -> str:
        token = f"t{len(self.tokens)}"
        expires = None if self.lifetime is None else self.now + timedelta(seconds=self.lifetime)
        self.tokens[token] = Token(self.now, expires)
        self.newest = token
        self.created.append((self.now, token))
        return token

    def between_steps(self) -> None:
        self.step += 1
        if self.rng.random() < self.revoke_p:
            if self.tokens[self.newest].alive:
                self.kills += 1
            for token in self.tokens.values():
                token.alive = False
        if self.rng.random() < self.tick_p:
            self.now += timedelta(seconds=self.rng.choice([0.2, 1, 3, 7]))
        if self.elsewhere_at is not None and self.step >= self.elsewhere_at and self.elsewhere_since is None:
            self.elsewhere_since = self.now

    def answer(self, call: Call) -> Reply:
        if self.rng.random() < self.transport_p:
            raise httpx.ConnectError("connection refused")
        bearer = call.bearer.reveal()
        if call.request.operation == "CreateParticipantConnection":
            assert bearer == "participant"
            if self.refuse_at is not None and self.step >= self.refuse_at:
                return DENIED
            if self.rng.random() < self.throttle_p:
                return THROTTLED
            token = self.issue()
            creds: dict[str, Any] = {"ConnectionToken": token}
            expires = self.tokens[token].expires
            if expires is not None:
                creds["Expiry"] = expires.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            return Reply(200, {}, json.dumps({"ConnectionCredentials": creds}).encode())
        record = self.tokens.get(bearer)
        if record is None or not record.alive or (record.expires is not None and self.now >= record.expires):
            return DENIED
        if self.elsewhere_since is not None:
            return DENIED  # not about the token: the chat ended for this participant, say
        record.worked = True
        client_token = json.loads(call.request.body or b"{}")["ClientToken"]
        self.accepted[client_token] = self.accepted.get(client_token, 0) + 1
        return Reply(200, {}, b'{"Id":"m","AbsoluteTime":"2026-12-06T12:00:00.000Z"}')


class Task:
    """One call_flow, driven one action at a time; nested Locked flows share one lock."""

    def __init__(self, name: str, flow: Any) -> None:
        self.name = name
        self.stack: list[Any] = [flow]
        self.inflight: Call | None = None
        self.waiting: Any = None  # a Locked flow waiting for the lock
        self.value: Any = None
        self.error: BaseException | None = None
        self.sends = 0
        self.bearer = ""  # the token of the call's last send
        self.outcome: Any = None
        self.done = False


def _advance(task: Task, world: World, lock: list[Task | None]) -> None:
    if task.inflight is not None:
        call, task.inflight = task.inflight, None
        try:
            task.value, task.error = world.answer(call), None
        except httpx.TransportError as exc:
            task.value, task.error = None, exc
    elif task.waiting is not None:
        if lock[0] is not None:
            return
        lock[0] = task
        task.stack.append(task.waiting)
        task.waiting = None
        task.value, task.error = None, None
    while True:
        flow = task.stack[-1]
        try:
            action = flow.send(task.value) if task.error is None else flow.throw(task.error)
        except StopIteration as stop:
            task.stack.pop()
            task.value, task.error = stop.value, None
        except Exception as exc:
            task.stack.pop()
            task.value, task.error = None, exc
        else:
            if isinstance(action, Call):
                if len(task.stack) == 1:
                    task.sends += 1
                    task.bearer = action.bearer.reveal()
                task.inflight = action
                return
            assert isinstance(action, Locked)
            if lock[0] is None:
                lock[0] = task
                task.stack.append(action.flow)
                task.value, task.error = None, None
                continue
            task.waiting = action.flow
            return
        # a flow ended (returned or raised)
        if len(task.stack) == 1 and lock[0] is task:
            lock[0] = None  # the Locked flow ended: release
        if not task.stack:
            task.done = True
            task.outcome = task.error if task.error is not None else task.value
            return


def _world(seed: int) -> World:
    rng = random.Random(seed)
    kind = rng.choice(["revocations", "revocations", "elsewhere", "refused", "mixed"])
    return World(
        rng=rng,
        revoke_p=rng.choice([0.02, 0.05, 0.15]) if kind in ("revocations", "mixed") else 0.0,
        tick_p=rng.choice([0.0, 0.05, 0.2]),
        lifetime=rng.choice([None, None, 10.0, 60.0]),
        throttle_p=rng.choice([0.0, 0.1]) if kind == "mixed" else 0.0,
        transport_p=rng.choice([0.0, 0.03]) if kind == "mixed" else 0.0,
        elsewhere_at=rng.randrange(0, 60) if kind in ("elsewhere", "mixed") else None,
        refuse_at=rng.randrange(0, 60) if kind == "refused" else None,
    )


def _run(seed: int) -> tuple[World, TokenState, list[Task]]:
    world = _world(seed)
    rng = world.rng
    first = world.issue()
    expires = world.tokens[first].expires
    state = TokenState(
        participant_token=Secret("participant"),
        connection=ConnectionInfo(Secret(first), expires),
        margin=rng.choice([0.0, 2.0]),
        clock=world.clock,
    )
    if rng.random() < 0.5:  # the first token worked before the schedule starts
        state.accept(state.generation)
        world.tokens[first].worked = True
    pending = [f"c{n}" for n in range(rng.randrange(10, 60))]
    concurrency = rng.choice([1, 3, 8, 20])
    live: list[Task] = []
    finished: list[Task] = []
    lock: list[Task | None] = [None]
    while pending or live:
        while pending and len(live) < concurrency:
            name = pending.pop(0)
            live.append(Task(name, call_flow(state, ops.send_message("text/plain", name, name))))
        task = rng.choice(live)
        _advance(task, world, lock)
        if task.done:
            live.remove(task)
            finished.append(task)
            if isinstance(task.outcome, AccessDeniedError) and task.sends < MAX_SENDS:
                _check_give_up(world, state, task, seed)
        world.between_steps()
    return world, state, finished


def _check_give_up(world: World, state: TokenState, task: Task, seed: int) -> None:
    """A call ended on a 403 with sends left: only with the evidence the protocol claims."""
    if state.refused:
        assert world.refuse_at is not None, f"seed {seed}: participant token taken as refused"
        return
    assert not world.tokens[task.bearer].worked, f"seed {seed}: gave up on a token that worked"
    never_worked = [when for when, token in world.created if not world.tokens[token].worked]
    recent = [when for when in never_worked if world.now - when < DOUBT_PAUSE]
    assert len(never_worked) >= MAX_DOUBTS, f"seed {seed}: gave up without the evidence"
    assert recent, f"seed {seed}: gave up on evidence older than the pause"


def test_randomized_schedules_keep_the_token_protocols_promises() -> None:
    kinds: dict[str, int] = {}
    for seed in range(SEEDS):
        world, _, tasks = _run(seed)
        for task in tasks:
            accepted = world.accepted.get(task.name, 0)
            if isinstance(task.outcome, BaseException):
                assert isinstance(task.outcome, ParticipantServiceError), (seed, task.outcome)
                assert accepted == 0, f"seed {seed}: {task.name} failed after the service took it"
            else:
                assert accepted == 1, f"seed {seed}: {task.name} taken {accepted} times"
        renewals = len(world.created) - 1
        only_revocations = (
            world.elsewhere_at is None
            and world.refuse_at is None
            and world.lifetime is None
            and world.throttle_p == 0
        )
        if only_revocations:
            assert renewals <= world.kills, f"seed {seed}: {renewals} renewals for {world.kills} revocations"
            kinds["revocations"] = kinds.get("revocations", 0) + 1
        if world.elsewhere_since is not None and world.lifetime is None:
            after = [when for when, _ in world.created if when >= world.elsewhere_since]
            pauses = (world.now - world.elsewhere_since) / DOUBT_PAUSE
            # one renewal of a token that worked, two doubtful ones, one more per pause (and revocations)
            assert len(after) <= 1 + 2 + int(pauses) + 1 + world.kills, (
                f"seed {seed}: {len(after)} creates while every call was refused"
            )
            kinds["elsewhere"] = kinds.get("elsewhere", 0) + 1
        if any(isinstance(t.outcome, AccessDeniedError) for t in tasks):
            kinds["denied"] = kinds.get("denied", 0) + 1
        if any(not isinstance(t.outcome, BaseException) for t in tasks) and world.kills:
            kinds["survived revocations"] = kinds.get("survived revocations", 0) + 1
    # the schedules exercised what they are for (not a result: a guard against a vacuous run)
    assert (
        min(kinds.get(k, 0) for k in ("revocations", "elsewhere", "denied", "survived revocations")) > 10
    ), kinds


def test_a_token_that_worked_is_renewed_on_a_403_whatever_the_doubts() -> None:
    now = [T0]
    state = TokenState(
        participant_token=Secret("p"), connection=ConnectionInfo(Secret("a"), None), clock=lambda: now[0]
    )
    state.doubts = (MAX_DOUBTS, T0)  # evidence against the tokens before this one
    assert state.after_refusal(state.generation) == "give up"
    state.accept(state.generation)  # it worked: the evidence is gone
    assert state.doubts == (0, None)
    assert state.after_refusal(state.generation) == "renew"


def test_doubts_last_no_longer_than_the_pause() -> None:
    now = [T0]
    state = TokenState(
        participant_token=Secret("p"), connection=ConnectionInfo(Secret("a"), None), clock=lambda: now[0]
    )
    for _ in range(MAX_DOUBTS):
        assert state.after_refusal(state.generation) == "renew"
        state.note_doubt()
        state.apply(ConnectionInfo(Secret("b"), None))
    assert state.after_refusal(state.generation) == "give up"
    now[0] = T0 + DOUBT_PAUSE
    assert state.after_refusal(state.generation) == "renew"  # the evidence aged out: try once more
    state.note_doubt()
    assert state.after_refusal(state.generation) == "give up"


def test_an_older_tokens_success_does_not_clear_doubts_about_the_newest() -> None:
    state = TokenState(
        participant_token=Secret("p"), connection=ConnectionInfo(Secret("a"), None), clock=lambda: T0
    )
    old = state.generation
    state.doubts = (MAX_DOUBTS, T0)
    state.apply(ConnectionInfo(Secret("b"), None))
    state.accept(old)  # a call sent with the old token before it was replaced came back 2xx
    assert state.after_refusal(state.generation) == "give up"
    assert state.after_refusal(old) == "resend"  # a 403 on the old one: send with the newest


def test_new_connections_for_the_events_stream_are_not_doubts() -> None:
    """The stream renews for a fresh WebSocket URL before any call worked: no 403, no doubt."""
    from connect_participant._flow import run_sync
    from connect_participant._tokens import refresh_flow

    created = Reply(200, {}, b'{"ConnectionCredentials":{"ConnectionToken":"n"}}')
    state = TokenState(
        participant_token=Secret("p"), connection=ConnectionInfo(Secret("a"), None), clock=lambda: T0
    )
    for _ in range(MAX_DOUBTS + 1):
        run_sync(refresh_flow(state, state.generation), lambda call: created)
    assert state.doubts == (0, None)
    assert state.after_refusal(state.generation) == "renew"
    run_sync(refresh_flow(state, state.generation, cure=True), lambda call: created)
    assert state.doubts[0] == 1  # a renewal after a 403 on a token that never worked
