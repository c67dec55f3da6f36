"""Sync events streams under gevent's monkey-patching, run as a script by tests/test_gevent_streams.py.

``python tests/_gevent_streams.py ENDPOINT SCENARIO`` prints one JSON line of counts; anything
on stderr (a traceback, "Exception ignored", a never-awaited coroutine) fails the test.

- ``killed``: consumers killed (greenlet kill, as Locust stops a user) while the first
  ``events()`` starts the background loop, while iterating, and right after ``events()``
  returned; then 100 new streams, each of which must see its own message; 20 of them left
  open at exit (the atexit hook must close them quietly).
- ``other-loop``: a greenlet runs its own asyncio loop while the first stream starts: that
  stream ends with the SDK's error instead of hanging; once the other loop is over, new
  streams work.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import httpx  # noqa: E402
from connect_participant import Message, ParticipantClient, ParticipantServiceError  # noqa: E402

STREAMS = 100
LEFT_OPEN = 20


def main(endpoint: str, scenario: str) -> dict[str, object]:
    control = httpx.Client(base_url=endpoint, timeout=10)
    client = ParticipantClient(endpoint_url=endpoint, region="us-east-1")

    def start_chat() -> str:
        body = {"InstanceId": "gevent", "ContactFlowId": "flow", "ParticipantDetails": {"DisplayName": "c"}}
        answer = control.put("/contact/chat", json=body)
        answer.raise_for_status()
        return str(answer.json()["ParticipantToken"])

    held: list[object] = []  # streams deliberately left open until exit

    def own_echo(i: int, keep_open: bool) -> bool:
        chat = client.connect(start_chat())
        stream = chat.events()
        sent = chat.send_message(f"message {i}")
        try:
            return any(isinstance(event, Message) and event.id == sent.id for event in stream)
        finally:
            if keep_open:
                held.append((chat, stream))
            else:
                stream.close()

    result: dict[str, object] = {}
    if scenario == "killed":
        # 1. killed while its events() starts the process's loop (Thread.start() waits: a switch)
        ready = gevent.event.Event()

        def starting() -> None:
            chat = client.connect(start_chat())
            ready.set()
            for _ in chat.events():
                pass

        first = gevent.spawn(starting)
        ready.wait()
        first.kill()
        # 2. killed while blocked in the iteration; 3. killed right after events() returned
        iterating = [gevent.spawn(own_echo, -1, False) for _ in range(3)]
        gevent.sleep(0.2)
        for greenlet in iterating:
            greenlet.kill()
        just_opened = gevent.event.Event()

        def opened() -> None:
            chat = client.connect(start_chat())
            chat.events()
            just_opened.set()
            gevent.sleep(10)

        third = gevent.spawn(opened)
        just_opened.wait()
        third.kill()
        result["killed"] = sum(g.dead for g in (first, third, *iterating))
    elif scenario == "other-loop":
        other_running = gevent.event.Event()
        release = gevent.event.Event()

        async def other_loop() -> None:
            other_running.set()
            while not release.is_set():
                await asyncio.sleep(0.01)

        other = gevent.spawn(asyncio.run, other_loop())
        other_running.wait()
        chat = client.connect(start_chat())
        try:
            next(iter(chat.events()))
        except ParticipantServiceError as exc:
            result["error_code"] = exc.code
        release.set()
        other.join()
    else:
        raise SystemExit(f"unknown scenario {scenario}")

    done = [gevent.spawn(own_echo, i, i < LEFT_OPEN) for i in range(STREAMS)]
    gevent.joinall(done, timeout=60)
    result["echoed"] = sum(1 for g in done if g.successful() and g.value is True)
    result["held_open"] = len(held)
    control.close()
    client.close()  # the held streams stay open: the atexit hook closes them
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])), flush=True)
