"""Sync events streams when callers die: under gevent's monkey-patching (Locust's world) and not.

The gevent scenarios run in a subprocess (``tests/_gevent_streams.py``: monkey-patching must come
before everything else is imported) against the test's emulator, on loopback. Whatever is
killed, the process keeps one background loop, every later stream connects, and the
interpreter exits without a word on stderr.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from connect_participant import EventStream, InvalidInputError, Message, ParticipantClient
from connect_participant import _ws as events_io
from connect_participant_emulator import LocalParticipantService

# found, not imported: importing Locust monkey-patches the whole process with gevent
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gevent") is None,
    reason="gevent comes with the [load] extra (locust); dev installs it",
)

SCRIPT = Path(__file__).with_name("_gevent_streams.py")


def run_script(endpoint: str, scenario: str) -> tuple[dict[str, object], str]:
    env = {**os.environ, "PYTHONWARNINGS": "default"}  # a never-awaited coroutine would show
    done = subprocess.run(
        [sys.executable, str(SCRIPT), endpoint, scenario],
        capture_output=True,
        text=True,
        timeout=100,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_killed_consumers_then_100_streams(participant_service: LocalParticipantService) -> None:
    result, stderr = run_script(participant_service.endpoint_url, "killed")
    assert result == {"killed": 5, "echoed": 100, "held_open": 20}
    assert stderr == ""  # no second loop, no __del__ AttributeError, no atexit RuntimeError, no leak


def test_another_asyncio_loop_fails_the_stream_instead_of_hanging(
    participant_service: LocalParticipantService,
) -> None:
    result, stderr = run_script(participant_service.endpoint_url, "other-loop")
    assert result == {"error_code": "EventLoopFailed", "echoed": 100, "held_open": 20}
    assert stderr.splitlines() == ["the events streams' background loop could not run: RuntimeError"]


def test_a_stream_whose_constructor_was_interrupted_is_harmless() -> None:
    half_made = EventStream.__new__(EventStream)  # as if killed before __init__ got far
    assert repr(half_made) == "<EventStream closed>"
    assert list(half_made) == []
    half_made.close()
    half_made.__del__()


def test_stream_workers_are_configurable(participant_service: LocalParticipantService) -> None:
    with pytest.raises(InvalidInputError):
        EventStream.set_workers(0)
    with pytest.raises(InvalidInputError):
        EventStream.set_workers(True)  # type: ignore[arg-type]
    try:
        EventStream.set_workers(3)
        assert events_io._sync_executor()._max_workers == 3
        chat_info = participant_service.start_chat("Ann")
        with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
            chat = client.connect(chat_info.participant_token)
            with chat.events() as stream:  # its CreateParticipantConnection goes to the new executor
                sent = chat.send_message("hello")
                assert any(isinstance(e, Message) and e.id == sent.id for e in _until(stream, sent.id))
    finally:
        EventStream.set_workers(events_io._DEFAULT_WORKERS)
    assert events_io._sync_executor()._max_workers == events_io._DEFAULT_WORKERS


def _until(stream: EventStream, item_id: str | None) -> list[object]:
    seen: list[object] = []
    for event in stream:
        seen.append(event)
        if getattr(event, "id", None) == item_id:
            break
    return seen


def test_the_loop_is_the_sdks_record_not_thread_liveness(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = events_io._background_runner()
    # what gevent made Thread.is_alive() answer for a loop that was running
    monkeypatch.setattr(runner.thread, "is_alive", lambda: False)
    assert events_io._background_runner() is runner  # still the one loop
    assert not runner.ended
