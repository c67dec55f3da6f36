"""The behaviour changes that set the dependency floors, one direct test each.

CI (``.ci/run``) runs the whole suite at the newest versions and then at the floors
pyproject.toml declares (``make pytest RESOLUTION=lowest``), each in a venv made from scratch.
A version below a floor fails a test here, within the test's own timeout rather than after one
hang per test of the suite:

- aiohttp 3.11 (``ClientWSTimeout``): on 3.10 the events stream's reader dies on its first
  connect and ``chat.events()`` never yields;
- aiohttp 3.11.11: before it, a keep-alive connection to the emulator hangs now and then on the
  request after one whose large body the server answered without reading (a 404);
- aiohttp 3.13.0: before it, a request's headers can go out as another thread's (the emulator's
  answer's status line and headers): every thread serialized headers in one static buffer;
- httpx 0.27.1 and httpx-aiohttp 0.1.9: the per-attempt deadline and the answer size cap, in
  tests/test_hostile_answers.py (``..._cut_at_the_deadline``, ``test_an_answer_above_the_cap_is_refused_and_cut``)
  and tests/test_facade_retry_bounds.py;
- httpcore 1.0.3: before it, a request killed while it waits (a greenlet killed as Locust stops a
  user) can stay at the head of the pool's queue, and every later request of that pool then ends
  in ``PoolTimeout`` (a load test's DisconnectParticipant at the stop: tests/test_load_locust.py).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from connect_participant import Message, ParticipantClient
from connect_participant_emulator import LocalParticipantService


@pytest.mark.timeout(60)
def test_the_events_stream_yields(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat()
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(started.participant_token) as chat:
            chat.send_message("Hello!")
            items = list(chat.transcript())
            at = [item.content for item in items].index("Hello!")
            for event in chat.events(after=items[at - 1].id):  # on aiohttp 3.10: never
                assert isinstance(event, Message)
                assert event.item.content == "Hello!"
                break


@pytest.mark.timeout(120)
def test_keep_alive_survives_unread_large_bodies(participant_service: LocalParticipantService) -> None:
    """200 rounds on one connection: a 256 KB body to a path that answers 404 unread, then a small
    request. aiohttp 3.11.0-3.11.10 hang on one of them in about half the runs of 1000 requests
    of test_emulator_robustness; here the pattern repeats, each request with a 5 s timeout."""
    big = b"[" * 131072 + b"]" * 131072
    with httpx.Client(base_url=participant_service.endpoint_url, timeout=5) as http:
        for _ in range(200):
            unread = http.post("/participant/no-such-operation", content=big)
            assert unread.status_code == 404
            small = http.get("/_emulator/health")
            assert small.status_code == 200


class _Handoff(str):
    """A header value whose ``str()`` runs Python code, ``meanwhile``: aiohttp's C serializer calls
    it midway through the request's headers. Any Python code run there (a finalizer the garbage
    collector calls, say) can hand the GIL to another thread; ``meanwhile`` makes that certain."""

    meanwhile: Callable[[], object]

    def __str__(self) -> str:
        self.meanwhile()
        return str.__str__(self)


@pytest.mark.timeout(60)
async def test_a_request_goes_out_as_written_while_the_emulator_answers_another(
    participant_service: LocalParticipantService,
) -> None:
    """The emulator answers in its thread while a client in this one writes a request's headers.
    Before aiohttp 3.13.0 (aio-libs/aiohttp#11464) both wrote into the same static buffer: the
    request went out starting with the other answer's status line, the emulator answered 400
    (``BadHttpMethod``), and the call failed. Seen so in tests/test_sharing.py's run of 200 tasks
    (``Invalid method encountered: b'HTTP/1.1 403 Forbidden'``), a collection in mid-serialization
    switching threads."""
    import aiohttp

    url = participant_service.endpoint_url + "/_emulator/health"
    answered: list[int] = []
    probe = _Handoff("1")
    # a blocking call on purpose: this thread waits inside the serializer while the emulator's
    # thread serializes its answer to another client
    probe.meanwhile = lambda: answered.append(httpx.get(url, timeout=10).status_code)
    async with aiohttp.ClientSession() as session:
        async with session.get(url, headers={"X-Probe": probe}) as response:
            status = response.status
    assert answered == [200], "the serializer did not run Python code mid-request once"
    assert status == 200, "the request's headers went out overwritten by another answer's: aiohttp < 3.13.0?"


@pytest.mark.skipif(
    importlib.util.find_spec("gevent") is None,
    reason="gevent comes with the [load] extra (locust); dev installs it",
)
@pytest.mark.timeout(120)
def test_a_request_killed_under_gevent_leaves_the_pool_usable(
    participant_service: LocalParticipantService,
) -> None:
    """A request killed at each of its first switches, then another on the same pool: on httpcore
    1.0.0-1.0.2 the one killed at its first switch (the pooled socket's poll) blocks the pool."""
    script = Path(__file__).with_name("_gevent_pool.py")
    run = subprocess.run(
        [sys.executable, str(script), participant_service.endpoint_url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=100,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr == ""
    assert json.loads(run.stdout) == [], "a killed request blocked the pool: httpcore < 1.0.3?"
