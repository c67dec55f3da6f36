"""The locustfile of ``connect-participant load``: customers who talk, set by environment variables.

``CONNECT_PARTICIPANT_LOAD_`` + ``FLOW`` (ContactFlowId), ``INSTANCE_ID``, ``MESSAGES`` (per
conversation), ``INTERVAL`` (seconds between messages), ``BOT`` (1: each customer also plays
a bot that answers), ``HOLD_CHAT`` (1: one chat per customer for the whole run; 0: one per
conversation). Each message is sent, seen echoed on the socket, and, when a bot or a flow
answers, its reply awaited. Usable with Locust's own command line too:
``locust -f <this file> --host http://127.0.0.1:8700``.
"""

from __future__ import annotations

import os
import time

from connect_participant.locust import ChatUser
from locust import constant, task

_PREFIX = "CONNECT_PARTICIPANT_LOAD_"


def _setting(name: str, default: str) -> str:
    return os.environ.get(_PREFIX + name, default)


class Customer(ChatUser):
    instance_id = _setting("INSTANCE_ID", "load-test")
    contact_flow_id = _setting("FLOW", "") or None
    play_bot = _setting("BOT", "1") == "1"
    hold_chat = _setting("HOLD_CHAT", "1") == "1"
    wait_time = constant(float(_setting("INTERVAL", "5")))
    messages = int(_setting("MESSAGES", "3"))
    interval = float(_setting("INTERVAL", "5"))

    def bot_answer(self, text: str) -> str:
        return f"Thanks, noted: {text}"

    def _talk(self) -> None:
        for turn in range(self.messages):
            if turn:
                self.wait_between_messages()
            self.say(f"message {turn + 1} of {self.messages}")
            if self.play_bot or self.contact_flow_id:
                self.expect_reply()

    def wait_between_messages(self) -> None:
        time.sleep(self.interval)  # gevent's sleep: Locust has monkey-patched the process

    @task
    def conversation(self) -> None:
        if self.hold_chat:
            self._talk()
        else:
            with self.chat_session():
                self._talk()
