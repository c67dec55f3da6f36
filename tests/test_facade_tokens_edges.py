"""Token-state decisions at their edges (found by ``make mutate``): the exact expiry instant, a
token that arrives already at its expiry, the end of the failure pause, and a closed state; a
session closed while a call waited to re-create, an answer httpx could not read, and what a
result wrapper's failure becomes (``parse_answer``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from connect_participant import (
    AccessDeniedError,
    InvalidResponseError,
    ParticipantServiceError,
    ParticipantTransportError,
    Secret,
)
from connect_participant import _operations as ops
from connect_participant import _wire as wire
from connect_participant._flow import run_sync
from connect_participant._models import ConnectionInfo
from connect_participant._tokens import (
    DOUBT_PAUSE,
    FAILURE_PAUSE,
    MAX_DOUBTS,
    Call,
    Locked,
    Reply,
    TokenState,
    call_flow,
    decode,
    parse_answer,
    refresh_flow,
)
from connect_participant._views import View

T0 = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _info(expires: datetime | None) -> ConnectionInfo:
    return ConnectionInfo(Secret("ctok-edges"), expires)


def test_a_token_is_not_valid_at_its_expiry_instant() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    assert state.still_valid() is False  # no connection at all
    state.apply(_info(T0 + timedelta(minutes=5)))
    clock.now = T0 + timedelta(minutes=5) - timedelta(microseconds=1)
    assert state.still_valid() is True
    clock.now = T0 + timedelta(minutes=5)
    assert state.still_valid() is False


def test_a_token_arriving_at_its_expiry_is_left_to_a_403() -> None:
    # lifetime zero (a skewed clock): no refresh per call; a 403 re-creates if it really expired
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0))
    assert state.needs_refresh() is False


def test_the_failure_pause_ends_after_exactly_failure_pause() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0 + timedelta(hours=1)))
    state.note_failure()
    clock.now = T0 + FAILURE_PAUSE - timedelta(microseconds=1)
    assert state.paused() is True
    clock.now = T0 + FAILURE_PAUSE
    assert state.paused() is False


def test_a_closed_state_never_refreshes() -> None:
    state = TokenState(participant_token=Secret("p"))
    assert state.can_refresh() is True
    state.close()
    assert state.closed is True
    assert state.can_refresh() is False


# -- the call protocol ---------------------------------------------------------------------------

OK = Reply(200, {}, b'{"Id":"m"}')


def _run(state: TokenState, replies: list[Reply], before_lock: object = None) -> tuple[list[str], object]:
    sent: list[str] = []

    def perform(action: Call | Locked) -> object:
        if isinstance(action, Locked):
            if callable(before_lock):
                before_lock()  # what another caller did while this one waited for the lock
            return run_sync(action.flow, perform)
        sent.append(action.request.operation)
        return replies.pop(0)

    try:
        return sent, run_sync(call_flow(state, ops.send_message("text/plain", "x", "ct")), perform)
    except Exception as exc:
        return sent, exc


def test_no_connection_and_no_way_to_get_one_is_access_denied() -> None:
    state = TokenState(participant_token=None)
    sent, outcome = _run(state, [])
    assert sent == []
    assert isinstance(outcome, AccessDeniedError)
    assert (outcome.code, outcome.message, outcome.status_code) == (
        "AccessDeniedException",
        "the session has no connection token",
        None,
    )


def test_a_refresh_that_failed_while_waiting_for_the_lock_is_not_repeated() -> None:
    # the token is inside its margin but still valid; another caller's ahead-of-expiry refresh
    # failed while this one waited for the lock: this one goes ahead with the token, no create
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0 + timedelta(hours=1)))
    clock.now = T0 + timedelta(minutes=59, seconds=30)
    assert state.needs_refresh()
    sent, outcome = _run(state, [OK], before_lock=state.note_failure)
    assert sent == ["SendMessage"]
    assert outcome == {"Id": "m"}


# -- decode and refresh ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 204, 299])
def test_every_2xx_is_a_success(status: int) -> None:
    assert decode(Reply(status, {}, b'{"a": 1}')) == {"a": 1}


@pytest.mark.parametrize("status", [199, 300, 304])
def test_outside_2xx_is_the_mapped_error(status: int) -> None:
    with pytest.raises(ParticipantServiceError) as caught:
        decode(Reply(status, {"x-amzn-RequestId": "r-3"}, b'{"message": "odd status"}'))
    assert (caught.value.status_code, caught.value.message, caught.value.request_id) == (
        status,
        "odd status",
        "r-3",
    )


@pytest.mark.parametrize("body", [b"[1]", b"nope", b'"text"'])
def test_a_2xx_body_that_is_not_an_object(body: bytes) -> None:
    with pytest.raises(ParticipantServiceError) as caught:
        decode(Reply(200, {}, body))
    assert caught.value.code == "InvalidResponse"
    assert caught.value.status_code == 200
    assert caught.value.message == "the service answered with a body that is not a JSON object"


def _refresh(state: TokenState, replies: list[Reply]) -> tuple[list[str], object]:
    sent: list[str] = []

    def perform(action: Call | Locked) -> object:
        assert isinstance(action, Call)
        sent.append(action.request.operation)
        return replies.pop(0)

    try:
        return sent, run_sync(refresh_flow(state, state.generation), perform)
    except Exception as exc:
        return sent, exc


def test_a_refresh_the_caller_needs_is_not_held_back_by_the_pause() -> None:
    # a 403 re-create or the events stream's new connection: not ahead of expiry, so not paused
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0 + timedelta(hours=1)))
    state.note_failure()
    assert state.paused()
    created = Reply(200, {}, b'{"ConnectionCredentials":{"ConnectionToken":"fresh"}}')
    sent, info = _refresh(state, [created])
    assert sent == ["CreateParticipantConnection"]
    assert isinstance(info, ConnectionInfo)
    assert info.connection_token.reveal() == "fresh"


def test_a_connection_answer_without_a_token_is_an_invalid_response() -> None:
    state = TokenState(participant_token=Secret("p"))
    sent, error = _refresh(state, [Reply(200, {}, b'{"ConnectionCredentials":{}}')])
    assert sent == ["CreateParticipantConnection"]
    assert isinstance(error, ParticipantServiceError)
    assert (error.code, error.status_code) == ("InvalidResponse", 200)
    assert error.message == "CreateParticipantConnection returned no ConnectionCredentials.ConnectionToken"
    assert error.__cause__ is None
    assert error.__suppress_context__
    assert state.failed is not None  # recorded: ahead-of-expiry refreshes pause


def test_the_default_margin_is_sixty_seconds() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0 + timedelta(hours=1)))
    clock.now = T0 + timedelta(minutes=59) - timedelta(microseconds=1)
    assert state.needs_refresh() is False
    clock.now = T0 + timedelta(minutes=59)
    assert state.needs_refresh() is True


def test_a_transport_failure_becomes_a_transport_error_with_its_cause() -> None:
    state = TokenState(participant_token=None, connection=_info(None))

    def perform(action: Call | Locked) -> object:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    with pytest.raises(ParticipantTransportError) as caught:
        run_sync(call_flow(state, ops.send_message("text/plain", "x", "ct")), perform)
    assert caught.value.code == "ConnectError"
    assert caught.value.message == "[Errno 111] Connection refused"
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_a_call_whose_session_closed_while_it_waited_to_recreate_ends_with_the_403() -> None:
    # disconnect() while this call waited for the refresh lock after a 403: no create, and the
    # call fails with the service's 403 instead of returning nothing
    state = TokenState(participant_token=Secret("p"), connection=_info(None))
    denied = Reply(403, {"x-amzn-ErrorType": "AccessDeniedException"}, b'{"message":"expired"}')
    sent, outcome = _run(state, [denied], before_lock=state.close)
    assert sent == ["SendMessage"]
    assert isinstance(outcome, AccessDeniedError)
    assert (outcome.code, outcome.message, outcome.status_code) == ("AccessDeniedException", "expired", 403)


def test_an_answer_httpx_could_not_read_is_an_invalid_response_with_a_scrubbed_cause() -> None:
    token = Secret("ctok-in-a-decoding-error")
    state = TokenState(participant_token=None, connection=ConnectionInfo(token, None))

    def perform(action: Call | Locked) -> object:
        raise httpx.DecodingError(f"Error -3 while decompressing data (bearer {token.reveal()})")

    with pytest.raises(InvalidResponseError) as caught:
        run_sync(call_flow(state, ops.send_message("text/plain", "x", "ct")), perform)
    error = caught.value
    assert (error.code, error.status_code) == ("InvalidResponse", None)
    assert error.message == "the answer could not be read (DecodingError)"
    assert isinstance(error.__cause__, httpx.DecodingError)
    assert str(error.__cause__) == "Error -3 while decompressing data (bearer [redacted])"


# -- parse_answer: what a result wrapper cannot use ----------------------------------------------


def _describe_view(doc: dict[str, object]) -> object:
    try:
        return parse_answer("DescribeView", View.from_model, wire.parse("describe_view", doc))
    except Exception as exc:
        return exc


def test_a_wrappers_value_error_is_named_in_the_invalid_response() -> None:
    error = _describe_view({})  # no View: View.from_model raises ValueError
    assert isinstance(error, InvalidResponseError)
    assert (error.code, error.status_code) == ("InvalidResponse", None)
    assert (
        error.message
        == "DescribeView answered with something the SDK cannot use: DescribeView returned no View"
    )
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_a_wrappers_type_error_text_is_not_passed_on() -> None:
    error = _describe_view({"View": {"Content": {"Actions": 5}}})  # iterating an int: TypeError
    assert isinstance(error, InvalidResponseError)
    assert error.message == "DescribeView answered with something the SDK cannot use"


def test_a_wrappers_value_error_text_is_redacted_and_cut_to_200_characters() -> None:
    token = Secret("ptok-quoted-by-a-wrapper")

    def wrap(answer: object) -> object:
        raise ValueError(f"bad member {token.reveal()} " + "x" * 300)

    with pytest.raises(InvalidResponseError) as caught:
        parse_answer("SendMessage", wrap, {})
    detail = ("bad member [redacted] " + "x" * 300)[:200]
    assert caught.value.message == f"SendMessage answered with something the SDK cannot use: {detail}"


def test_a_wrappers_own_service_error_passes_through() -> None:
    def wrap(answer: object) -> object:
        raise InvalidResponseError("GetAuthenticationUrl returned no AuthenticationUrl")

    with pytest.raises(InvalidResponseError) as caught:
        parse_answer("GetAuthenticationUrl", wrap, {})
    assert caught.value.message == "GetAuthenticationUrl returned no AuthenticationUrl"


# -- what counts as a token that works, and when a 403 is worth a new one --------------------------


@pytest.mark.parametrize(("status", "works"), [(200, True), (299, True), (300, False), (304, False)])
def test_only_a_2xx_answer_shows_the_token_works(status: int, works: bool) -> None:
    # evidence says 403s on tokens that never worked are not about the token; a 2xx answer with
    # the current token clears it (a 403 on it is then renewed), an answer outside 2xx does not
    state = TokenState(participant_token=Secret("p"), connection=_info(None), clock=Clock())
    state.doubts = (MAX_DOUBTS, T0)
    sent, outcome = _run(state, [Reply(status, {}, b"{}")])
    assert sent == ["SendMessage"]
    assert isinstance(outcome, ParticipantServiceError) is not works
    assert state.worked == (state.generation if works else 0)
    assert state.after_refusal(state.generation) == ("renew" if works else "give up")


def test_a_renewal_for_a_token_that_worked_is_no_doubt() -> None:
    # a token that worked was revoked: its renewal is no evidence that 403s are not about the
    # token, so the renewed token (which never worked) still gets MAX_DOUBTS renewals of its own
    created = Reply(200, {}, b'{"ConnectionCredentials":{"ConnectionToken":"n"}}')
    state = TokenState(participant_token=Secret("p"), connection=_info(None), clock=Clock())
    state.accept(state.generation)
    assert state.after_refusal(state.generation) == "renew"
    run_sync(refresh_flow(state, state.generation, cure=True), lambda call: created)
    assert state.doubts == (0, None)
    for _ in range(MAX_DOUBTS):
        assert state.after_refusal(state.generation) == "renew"
        run_sync(refresh_flow(state, state.generation, cure=True), lambda call: created)
    assert state.doubts == (MAX_DOUBTS, T0)
    assert state.after_refusal(state.generation) == "give up"


def test_an_expired_token_is_renewed_on_a_403_whatever_the_doubts() -> None:
    clock = Clock()
    state = TokenState(participant_token=Secret("p"), clock=clock)
    state.apply(_info(T0 + timedelta(seconds=1)))
    state.doubts = (MAX_DOUBTS, T0)  # the evidence is fresh (less than DOUBT_PAUSE ago) ...
    assert state.after_refusal(state.generation) == "give up"
    clock.now = T0 + timedelta(seconds=1)  # ... but the token has expired: a 403 is about it
    assert clock.now - T0 < DOUBT_PAUSE
    assert state.after_refusal(state.generation) == "renew"
