"""Token-state decisions at their edges (found by ``make mutate``): the exact expiry instant, a
token that arrives already at its expiry, the end of the failure pause, and a closed state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connect_participant import Secret
from connect_participant._models import ConnectionInfo
from connect_participant._tokens import FAILURE_PAUSE, TokenState

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
