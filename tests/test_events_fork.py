"""Sync events streams in a forked child (a pre-forking server, ``multiprocessing``'s fork start
method): the child gets none of the parent's threads, so the background loop and the executor of
the streams' blocking calls that the parent had started must be made anew in the child, not
waited on. Found by ``make mutate``: mutmut runs each mutant in a fork of a process that had run
the tests, and every sync stream there timed out."""

from __future__ import annotations

import os
import signal
import time
import warnings

import pytest
from connect_participant import Message, ParticipantClient
from connect_participant_emulator import LocalParticipantService

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork exists on POSIX only")


def _one_message(endpoint_url: str, participant_token: str, text: str) -> bool:
    """Open a sync stream, send ``text`` and tell whether the stream delivered it."""
    with (
        ParticipantClient(endpoint_url=endpoint_url) as client,
        client.connect(participant_token) as chat,
        chat.events() as stream,
    ):
        chat.send_message(text)
        for event in stream:
            if isinstance(event, Message) and event.content == text:
                return True
    return False


def _child(endpoint_url: str, participant_token: str) -> int:
    try:
        return 0 if _one_message(endpoint_url, participant_token, "from the child") else 3
    except BaseException:  # any failure is the child's answer (its exit code)
        return 4


def test_a_forked_child_streams_events_after_the_parent_did(
    participant_service: LocalParticipantService,
) -> None:
    svc = participant_service
    assert _one_message(svc.endpoint_url, svc.start_chat("Parent").participant_token, "from the parent")
    # started before the fork: the emulator serves from a thread the child does not get
    token = svc.start_chat("Child").participant_token
    with warnings.catch_warnings():
        # 3.12+ warns that forking a process with threads may deadlock the child: that child is
        # what this test is about
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's exit code is the result
        code = 5
        try:
            signal.alarm(15)  # a child that hangs ends itself
            code = _child(svc.endpoint_url, token)
        finally:
            os._exit(code)
    deadline = time.monotonic() + 20
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail("the forked child's stream never ended")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(status) == 0, "the forked child's stream lost its message"
