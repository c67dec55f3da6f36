"""The bench's customers: each holds a chat with an open events stream for the whole run and
sends a message every ~5 s, timing its echo on the socket (``own message echoed``)."""

from __future__ import annotations

import random
import time

from connect_participant.locust import ChatUser
from locust import between, task


class HeldCustomer(ChatUser):
    wait_time = between(4.5, 5.5)  # a message every ~5 s, not in lockstep

    def on_start(self) -> None:
        super().on_start()
        time.sleep(random.uniform(0, 5))  # customers do not all speak at once (gevent's sleep)

    @task
    def message(self) -> None:
        self.say("still here")
