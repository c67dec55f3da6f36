"""Connection tokens: expiry decisions (pure), connect, refresh ahead, one re-create after a 403,
single-flight refresh under 20 concurrent threads and 20 concurrent tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from _servers import FakeParticipantService, Fault
from connect_participant import AccessDeniedError, AsyncParticipantClient, ParticipantClient, Secret
from connect_participant import _operations as ops
from connect_participant._flow import run_sync
from connect_participant._models import ConnectionInfo
from connect_participant._tokens import Call, Locked, Reply, TokenState, call_flow

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _info(expires: datetime | None, token: str = "ctok") -> ConnectionInfo:
    return ConnectionInfo(Secret(token), expires)


# -- pure ----------------------------------------------------------------------------------------


def test_needs_refresh_within_the_margin() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), margin=60, clock=clock)
    assert state.needs_refresh()  # no connection yet
    state.apply(_info(T0 + timedelta(hours=1)))
    assert not state.needs_refresh()
    clock.now = T0 + timedelta(minutes=58, seconds=59)
    assert not state.needs_refresh()
    clock.now = T0 + timedelta(minutes=59)
    assert state.needs_refresh()


def test_margin_is_at_most_half_the_lifetime() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), margin=60, clock=clock)
    state.apply(_info(T0 + timedelta(seconds=30)))
    assert not state.needs_refresh()
    clock.now = T0 + timedelta(seconds=15)
    assert state.needs_refresh()


def test_no_expiry_never_needs_refresh_and_resumed_tokens_without_participant_cannot() -> None:
    state = TokenState(participant_token=None, connection=_info(None))
    assert not state.needs_refresh()
    assert not state.can_refresh()
    resumed = TokenState(participant_token=None, connection=_info(T0), clock=lambda: T0 + timedelta(days=1))
    assert resumed.needs_refresh()
    assert not resumed.can_refresh()


def _drive(state: TokenState, replies: list[Reply]) -> tuple[list[str], dict[str, object] | BaseException]:
    """Run ``call_flow`` against scripted replies; return the operations sent and the outcome."""
    sent: list[str] = []

    def perform(action: Call | Locked) -> object:
        if isinstance(action, Locked):
            return run_sync(action.flow, perform)
        sent.append(action.request.operation)
        return replies.pop(0)

    try:
        return sent, run_sync(call_flow(state, ops.send_message("text/plain", "x", "ct")), perform)
    except Exception as exc:
        return sent, exc


CREATED = Reply(
    200, {}, b'{"ConnectionCredentials":{"ConnectionToken":"new","Expiry":"2026-11-27T15:00:00Z"}}'
)
DENIED = Reply(403, {"x-amzn-ErrorType": "AccessDeniedException"}, b'{"message":"no"}')
OK = Reply(200, {}, b'{"Id":"m"}')


def test_flow_403_recreates_once_then_succeeds() -> None:
    state = TokenState(participant_token=Secret("p"), connection=_info(None), clock=Clock())
    sent, outcome = _drive(state, [DENIED, CREATED, OK])
    assert sent == ["SendMessage", "CreateParticipantConnection", "SendMessage"]
    assert outcome == {"Id": "m"}
    assert state.connection is not None
    assert state.connection.connection_token.reveal() == "new"


def test_flow_403_after_recreate_gives_up_and_stops_recreating() -> None:
    """Tokens that never worked, renewed MAX_DOUBTS times and refused each time: the 403s are
    taken as not about the token (the next call sends once and ends with its 403)."""
    from connect_participant._tokens import MAX_DOUBTS

    state = TokenState(participant_token=Secret("p"), connection=_info(None), clock=Clock())
    sent, outcome = _drive(state, [DENIED, *[CREATED, DENIED] * MAX_DOUBTS])
    assert isinstance(outcome, AccessDeniedError)
    assert sent.count("CreateParticipantConnection") == MAX_DOUBTS
    sent, outcome = _drive(state, [DENIED])
    assert sent == ["SendMessage"]
    assert isinstance(outcome, AccessDeniedError)


def test_flow_chat_ended_one_create_then_none() -> None:
    state = TokenState(participant_token=Secret("p"), connection=_info(None), clock=Clock())
    sent, outcome = _drive(state, [DENIED, DENIED])
    assert sent == ["SendMessage", "CreateParticipantConnection"]
    assert isinstance(outcome, AccessDeniedError)
    assert state.refused
    sent, _ = _drive(state, [DENIED])
    assert sent == ["SendMessage"]


def test_flow_refreshes_ahead_of_expiry() -> None:
    clock = Clock()
    state = TokenState(
        participant_token=Secret("p"), connection=_info(T0 + timedelta(seconds=30)), clock=clock
    )
    sent, outcome = _drive(state, [CREATED, OK])
    assert sent == ["CreateParticipantConnection", "SendMessage"]
    assert outcome == {"Id": "m"}


# -- over HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        yield service


def test_connect(svc: FakeParticipantService) -> None:
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(token)
        create = svc.of("CreateParticipantConnection")
        assert len(create) == 1
        assert create[0].headers["X-Amz-Bearer"] == token
        assert create[0].body == {"Type": ["WEBSOCKET", "CONNECTION_CREDENTIALS"], "ConnectParticipant": True}
        assert "Authorization" not in create[0].headers  # no SigV4
        chat.send_message("hi")
        sent = svc.of("SendMessage")[0]
        assert sent.headers["X-Amz-Bearer"] == chat.connection_token.reveal() != token
        assert sent.headers["Content-Type"] == "application/json"
        assert chat.expires_at is not None
        assert chat.expires_at > datetime.now(UTC) + timedelta(minutes=50)
        for _ in range(5):
            chat.send_message("again")
    assert svc.count("CreateParticipantConnection") == 1  # never one per request


def test_connect_with_a_rejected_participant_token(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client, pytest.raises(AccessDeniedError):
        client.connect("unknown-token")


def test_refresh_before_expiry(svc: FakeParticipantService) -> None:
    svc.expiry_seconds = 100
    with ParticipantClient(endpoint_url=svc.endpoint_url, refresh_margin=60) as client:
        chat = client.connect(svc.new_participant())
        first = chat.connection_token.reveal()
        chat.send_message("fresh")  # 100 s left, margin 60 s (capped at half the lifetime): no refresh
        assert svc.count("CreateParticipantConnection") == 1
        svc.expiry_seconds = 3600
        chat._state.clock = lambda: datetime.now(UTC) + timedelta(seconds=55)  # 45 s left
        chat.send_message("renewed")
        assert svc.count("CreateParticipantConnection") == 2
        assert chat.connection_token.reveal() != first
        assert svc.of("SendMessage")[-1].headers["X-Amz-Bearer"] == chat.connection_token.reveal()


async def test_refresh_before_expiry_real_clock(svc: FakeParticipantService) -> None:
    svc.expiry_seconds = 1.0  # margin becomes 0.5 s (half the lifetime)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(svc.new_participant())
        await chat.send_message("fresh")
        assert svc.count("CreateParticipantConnection") == 1
        svc.expiry_seconds = 3600
        await asyncio.sleep(0.6)
        await chat.send_message("renewed")
        assert svc.count("CreateParticipantConnection") == 2
    assert svc.count("SendMessage") == 2


def test_one_recreate_after_403(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(svc.new_participant())
        svc.revoke_connection_tokens()
        chat.send_message("after revoke")
        assert svc.count("CreateParticipantConnection") == 2
        assert svc.count("SendMessage") == 2
        ok = svc.of("SendMessage")
        assert ok[0].body["ClientToken"] == ok[1].body["ClientToken"]


async def test_one_recreate_after_403_async(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(svc.new_participant())
        svc.revoke_connection_tokens()
        await chat.send_typing()
    assert svc.count("CreateParticipantConnection") == 2


def test_chat_ended_no_recreate_loop(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(svc.new_participant())
        svc.end_chat()
        for _ in range(3):
            with pytest.raises(AccessDeniedError):
                chat.send_message("anyone?")
        chat.disconnect()  # the chat ended: counts as disconnected
    assert svc.count("CreateParticipantConnection") == 2  # connect + the single re-create


def test_resumed_session_without_participant_token_never_creates(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        saved = client.connect(svc.new_participant()).connection_token.reveal()
        chat = client.resume(saved, expires_at=datetime.now(UTC) - timedelta(hours=1))
        chat.send_message("resumed")
        svc.revoke_connection_tokens()
        with pytest.raises(AccessDeniedError):
            chat.send_message("denied")
    assert svc.count("CreateParticipantConnection") == 1


def test_resume_with_participant_token_refreshes(svc: FakeParticipantService) -> None:
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        saved = client.connect(token).connection_token.reveal()
        chat = client.resume(
            saved, expires_at=datetime.now(UTC) + timedelta(seconds=10), participant_token=token
        )
        chat.send_message("x")
    assert svc.count("CreateParticipantConnection") == 2


def test_disconnect_does_not_recreate(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        with client.connect(svc.new_participant()) as chat:
            chat.send_message("bye")
            svc.revoke_connection_tokens()
        chat.disconnect()  # idempotent
    assert svc.count("DisconnectParticipant") == 1
    assert svc.count("CreateParticipantConnection") == 1


def _expiring(svc: FakeParticipantService) -> None:
    """Make the session's token due for renewal; new tokens will be long-lived."""
    svc.expiry_seconds = 3600
    svc.create_delay = 0.3
    svc.requests.clear()


def test_single_flight_refresh_threads(svc: FakeParticipantService) -> None:
    svc.expiry_seconds = 100
    with ParticipantClient(endpoint_url=svc.endpoint_url, refresh_margin=60) as client:
        chat = client.connect(svc.new_participant())
        _expiring(svc)
        chat._state.clock = lambda: datetime.now(UTC) + timedelta(seconds=55)
        with ThreadPoolExecutor(20) as pool:
            results = list(pool.map(lambda i: chat.send_message(f"m{i}"), range(20)))
    assert len(results) == 20
    assert all(r.id for r in results)
    assert svc.count("CreateParticipantConnection") == 1
    assert {r.headers["X-Amz-Bearer"] for r in svc.of("SendMessage")} == {chat.connection_token.reveal()}


async def test_single_flight_refresh_tasks(svc: FakeParticipantService) -> None:
    svc.expiry_seconds = 100
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, refresh_margin=60) as client:
        chat = await client.connect(svc.new_participant())
        _expiring(svc)
        chat._state.clock = lambda: datetime.now(UTC) + timedelta(seconds=55)
        results = await asyncio.gather(*(chat.send_message(f"m{i}") for i in range(20)))
    assert len(results) == 20
    assert svc.count("CreateParticipantConnection") == 1
    assert svc.count("SendMessage") == 20


def test_single_flight_recreate_after_403_threads(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(svc.new_participant())
        svc.revoke_connection_tokens()
        svc.create_delay = 0.3
        svc.requests.clear()
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(lambda i: chat.send_message(f"m{i}"), range(20)))
        token = chat.connection_token.reveal()
    assert svc.count("CreateParticipantConnection") == 1
    assert sum(r.headers["X-Amz-Bearer"] == token for r in svc.of("SendMessage")) == 20


async def test_single_flight_recreate_after_403_tasks(svc: FakeParticipantService) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(svc.new_participant())
        svc.revoke_connection_tokens()
        svc.create_delay = 0.3
        svc.requests.clear()
        await asyncio.gather(*(chat.send_message(f"m{i}") for i in range(20)))
        token = chat.connection_token.reveal()
    assert svc.count("CreateParticipantConnection") == 1
    assert sum(r.headers["X-Amz-Bearer"] == token for r in svc.of("SendMessage")) == 20


def test_throttled_create_is_retried(svc: FakeParticipantService) -> None:
    from connect_participant import RetryPolicy

    svc.fail("CreateParticipantConnection", Fault(429, b"{}", {"x-amzn-ErrorType": "ThrottlingException"}))
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=RetryPolicy(base_delay=0.001)) as client:
        client.connect(svc.new_participant())
    assert svc.count("CreateParticipantConnection") == 2


THROTTLED = Reply(429, {"x-amzn-ErrorType": "ThrottlingException"}, b'{"message":"Rate exceeded"}')


def test_failed_refresh_ahead_of_expiry_keeps_the_working_token_and_pauses() -> None:
    clock = Clock()
    state = TokenState(
        participant_token=Secret("p"), connection=_info(T0 + timedelta(seconds=30)), clock=clock
    )
    sent, outcome = _drive(state, [THROTTLED, OK])
    assert sent == ["CreateParticipantConnection", "SendMessage"]
    assert outcome == {"Id": "m"}
    clock.now = T0 + timedelta(seconds=3)  # within the pause: no new create
    sent, _ = _drive(state, [OK])
    assert sent == ["SendMessage"]
    clock.now = T0 + timedelta(seconds=6)  # the pause is over: try again, and succeed
    sent, _ = _drive(state, [CREATED, OK])
    assert sent == ["CreateParticipantConnection", "SendMessage"]
    assert state.connection is not None
    assert state.connection.connection_token.reveal() == "new"


def test_failed_refresh_of_an_expired_token_raises() -> None:
    from connect_participant import ThrottlingError

    clock = Clock()
    state = TokenState(
        participant_token=Secret("p"), connection=_info(T0 - timedelta(seconds=1)), clock=clock
    )
    sent, outcome = _drive(state, [THROTTLED])
    assert sent == ["CreateParticipantConnection"]
    assert isinstance(outcome, ThrottlingError)
    sent, outcome = _drive(state, [CREATED, OK])  # expired: no pause, the next call tries again
    assert sent == ["CreateParticipantConnection", "SendMessage"]


def test_throttled_refresh_under_concurrency_is_not_a_stampede(svc: FakeParticipantService) -> None:
    from connect_participant import RetryPolicy

    svc.expiry_seconds = 100
    with ParticipantClient(
        endpoint_url=svc.endpoint_url, retry=RetryPolicy(max_attempts=1), refresh_margin=60
    ) as client:
        chat = client.connect(svc.new_participant())
        throttled = Fault(429, b"{}", {"x-amzn-ErrorType": "ThrottlingException"})
        svc.fail("CreateParticipantConnection", *[throttled] * 20)
        svc.requests.clear()
        chat._state.clock = lambda: datetime.now(UTC) + timedelta(seconds=55)  # inside the margin
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(lambda i: chat.send_message(f"m{i}"), range(20)))
    assert svc.count("CreateParticipantConnection") == 1
    assert svc.count("SendMessage") == 20


def test_a_token_expired_on_arrival_does_not_refresh_on_every_call() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0 - timedelta(minutes=5)))  # the client's clock runs ahead of the service's
    assert not state.needs_refresh()
    sent, _ = _drive(state, [OK])
    assert sent == ["SendMessage"]


def test_flow_403_on_a_token_renewed_meanwhile_resends_without_creating() -> None:
    """A shared session: another caller renewed the token while this call was on the wire."""
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), connection=_info(None, "old"), clock=clock)
    sent: list[str] = []
    bearers: list[str] = []

    def perform(action: Call | Locked) -> object:
        if isinstance(action, Locked):
            return run_sync(action.flow, perform)
        sent.append(action.request.operation)
        bearers.append(action.bearer.reveal())
        if len(sent) == 1:
            state.apply(_info(None, "renewed-by-another"))  # meanwhile, elsewhere
            return DENIED
        return OK

    outcome = run_sync(call_flow(state, ops.send_message("text/plain", "x", "ct")), perform)
    assert outcome == {"Id": "m"}
    assert sent == ["SendMessage", "SendMessage"]
    assert bearers == ["old", "renewed-by-another"]


def test_flow_tokens_expiring_on_the_way_are_renewed_again_up_to_the_bound() -> None:
    """A saturated pool: every token has expired by the time the service reads it."""
    from connect_participant._tokens import MAX_SENDS

    clock = Clock()
    state = TokenState(participant_token=Secret("p"), connection=_info(None), clock=clock)
    sent: list[str] = []

    def perform(action: Call | Locked) -> object:
        if isinstance(action, Locked):
            return run_sync(action.flow, perform)
        sent.append(action.request.operation)
        if action.request.operation == "CreateParticipantConnection":
            expiry = (clock.now + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            body = b'{"ConnectionCredentials":{"ConnectionToken":"t","Expiry":"%s"}}' % expiry.encode()
            return Reply(200, {}, body)
        clock.now += timedelta(seconds=3)  # the token expires while the request waits and travels
        return DENIED

    with pytest.raises(AccessDeniedError):
        run_sync(call_flow(state, ops.send_message("text/plain", "x", "ct")), perform)
    assert sent.count("SendMessage") == MAX_SENDS
    assert sent.count("CreateParticipantConnection") == MAX_SENDS - 1
    # only the first token (no stated expiry, never worked) made a doubt; the expired ones did not
    assert state.doubts[0] == 1
