"""Customers on a "real instance": no host, chats started through boto3 (the [aws] extra).

tests/test_load_locust.py points boto3 and the SDK at the emulator with AWS's own endpoint
variables, so this runs offline.
"""

from connect_participant.locust import ChatUser
from locust import constant, task


class Customer(ChatUser):
    region = "us-east-1"
    instance_id = "00000000-0000-4000-8000-000000000001"
    contact_flow_id = "00000000-0000-4000-8000-0000000000f1"
    attributes = {"customerTier": "gold"}
    play_bot = True  # CreateParticipant through boto3 too
    wait_time = constant(0.5)

    @task
    def talk(self) -> None:
        self.say("Hello")
        self.expect_reply("You said")
