"""An httpx pool whose requests are killed under gevent, run as a script by tests/test_dependency_floors.py.

``python tests/_gevent_pool.py ENDPOINT`` prints a JSON list: the switch at which a killed request
left the pool unusable (the next request waits for a connection until its pool timeout), or ``[]``.

Locust stops a user by killing its greenlet (GreenletExit) wherever it waits. httpcore 1.0.0-1.0.2
queue a request, then check the pooled connections' sockets (``poll``, a switch under gevent)
before the part that removes a failed request from the queue: a user killed there leaves a request
at the head of the queue that nothing serves, and every later request of the pool waits behind it.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
import httpx  # noqa: E402
from connect_participant._deadline_net import with_deadline_sockets  # noqa: E402

SWITCHES = 15


def main(endpoint: str) -> list[int]:
    # the SDK's sync transport, as connect_participant.locust gives each user
    transport = with_deadline_sockets(httpx.HTTPTransport(limits=httpx.Limits(max_connections=2)))
    with httpx.Client(base_url=endpoint, transport=transport, timeout=httpx.Timeout(5, pool=2)) as http:
        http.get("/_emulator/health")  # a keep-alive connection waits in the pool
        for switches in range(1, SWITCHES + 1):
            user = gevent.spawn(http.get, "/_emulator/health")
            for _ in range(switches):  # let it run up to its n-th switch
                gevent.sleep(0)
            user.kill()  # GreenletExit where it waits, as Locust stops a user
            try:
                http.get("/_emulator/health")
            except httpx.PoolTimeout:
                return [switches]
    return []


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
