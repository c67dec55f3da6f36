"""The events stream's invariant under randomized schedules of combined faults.

``tests/_events_model.py`` plays the service and the network around the sans-IO protocol
(``_ws_protocol``) from a schedule of choices and checks, once the faults stop, that every
transcript item after the start point was delivered exactly once, in order, each item's
states in order up to its final one, and that the stream ended with the chat. A failing
schedule is shrunk and its step-by-step trace is the failure message. Many more schedules:
``python tests/_events_model.py --schedules 100000``.
"""

from __future__ import annotations

import logging

import _events_model as model
import pytest
from connect_participant import _ws_protocol

SCHEDULES = 1000


@pytest.fixture(autouse=True)
def _quiet_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="connect_participant.events")  # junk frames are logged


def test_no_schedule_of_combined_faults_breaks_the_invariant() -> None:
    for seed in range(SCHEDULES):
        if model.first_violation(model.schedule(seed)) is not None:
            small = model.shrink(model.schedule(seed), budget=20)
            pytest.fail(f"schedule of seed {seed}, shrunk:\n{model.replay_trace(small)}")


def test_the_model_finds_the_hole_of_a_fill_retried_with_no_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checker has teeth: with the old rule (a fill may start while no socket is subscribed,
    issue 11's bug) it finds lost items within a few schedules, and shrinks them."""

    def old_start_fill(self: _ws_protocol.EventStreamProtocol) -> None:
        if self._filling is not None or self.finished:
            return
        self._fill_needed = False
        self._fill_retry_at = None
        self._filling = _ws_protocol.GapFill(self._seen, self._since, self.config.gap_fill_limit)
        self._out.append(_ws_protocol.FetchGap(self._filling))

    monkeypatch.setattr(_ws_protocol.EventStreamProtocol, "_start_fill", old_start_fill)
    for seed in range(300):
        found = model.first_violation(model.schedule(seed))
        if found is not None and found.kind == "missing":
            break
    else:
        pytest.fail("no schedule lost an item with the old fill rule")
    small = model.shrink(model.schedule(seed), budget=10)
    assert len(small) <= len(model.schedule(seed))
    shrunk = model.first_violation(small)
    assert shrunk is not None
    assert shrunk.kind == "missing"
    assert "violation: missing" in model.replay_trace(small)


def test_the_model_finds_frames_lost_to_a_fill_refused_as_the_chat_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the old rule (a 403 ends the stream at once, whatever the subscribed socket still
    brings), schedules where the chat ends right after the subscription end the stream as
    removed from the chat, losing the flow's last items and ``chat.ended``."""

    def old_refused(self: _ws_protocol.EventStreamProtocol, now: float, reason: str) -> None:
        held, self._held = self._held, []
        for item in held:
            self._deliver(item)
        self._end(reason)

    monkeypatch.setattr(_ws_protocol.EventStreamProtocol, "_refused", old_refused)
    found = [seed for seed in range(100) if model.first_violation(model.schedule(seed)) is not None]
    assert found, "no schedule caught the old rule"
    violation = model.first_violation(model.schedule(found[0]))
    assert violation is not None
    assert violation.kind == "removed"
    assert model.World(model.schedule(found[0])).ends_early
