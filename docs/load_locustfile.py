"""A load test of a chat: each simulated customer holds a chat and has short conversations.

locust -f docs/load_locustfile.py --host http://127.0.0.1:8700 --headless -u 50 -r 10 -t 1m
"""

from connect_participant import Message
from connect_participant.locust import ChatUser
from locust import between, task


def ask_balance(chat, convo):
    """A conversation script, as a test writes it: with ``Conversation(chat) as convo`` in a
    pytest test, or played as load by ``ChatUser.play``."""
    chat.send_message("What is my balance?")
    convo.expect(Message, "$42", role="CUSTOM_BOT")


class Customer(ChatUser):
    wait_time = between(0.5, 1.5)  # seconds between two conversations of one customer
    # On the emulator without a contact flow nobody answers: each user also plays a bot
    # (CreateParticipant, CUSTOM_BOT). Against a flow or a real instance, leave it out.
    play_bot = True

    def bot_answer(self, text: str) -> str:
        return "Your balance is $42." if "balance" in text else "Sorry, I can only tell balances."

    @task
    def small_talk(self) -> None:
        self.say("Hello")  # SendMessage, then its echo on the socket
        self.expect_reply("only tell balances")  # "first reply", then "between turns"

    @task
    def balance(self) -> None:
        self.play(ask_balance)  # the test's script, measured
