"""The locustfile of ``connect-participant load``: customers who talk, set by environment variables.

``CONNECT_PARTICIPANT_LOAD_`` + ``FLOW`` (ContactFlowId), ``INSTANCE_ID``, ``MESSAGES`` (per
conversation), ``INTERVAL`` (seconds between messages), ``BOT`` (1: each customer also plays
a bot that answers), ``REPLIES`` (1: wait for an answer to each message), ``HOLD_CHAT`` (1: one
chat per customer for the whole run; 0: one per conversation). With a flow, its first message
(the greeting) is awaited once the chat is live; each message is sent and seen echoed on the
socket, and its answer awaited when ``REPLIES``. Usable with Locust's own command line too:
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
    replies = _setting("REPLIES", "1") == "1"
    hold_chat = _setting("HOLD_CHAT", "1") == "1"
    wait_time = constant(float(_setting("INTERVAL", "5")))
    messages = int(_setting("MESSAGES", "3"))
    interval = float(_setting("INTERVAL", "5"))

    def bot_answer(self, text: str) -> str:
        return f"Thanks, noted: {text}"

    def start_chat(self) -> None:
        super().start_chat()
        if self.contact_flow_id and not self.play_bot:
            self.expect_reply()  # the flow speaks first: its greeting is the "first reply"

    def _talk(self) -> None:
        for turn in range(self.messages):
            if turn:
                self.wait_between_messages()
            self.say(f"message {turn + 1} of {self.messages}")
            if self.replies:
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
