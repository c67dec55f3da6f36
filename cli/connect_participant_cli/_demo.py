"""``make demo``: a scripted chat against the embedded emulator, printed step by step.

A customer starts a chat (StartChatContact), connects, and talks to a bot participant
(CreateParticipant) that answers with typing indicators; the customer sends a file with a
progress bar, the bot confirms it (a bot may not download it), the customer pages through the
transcript, and both leave. Everything runs on loopback; nothing needs an AWS account.
"""

from __future__ import annotations

import contextlib
import queue
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connect_participant import (
    AttachmentAdded,
    ChatEnded,
    ChatSession,
    EventStream,
    Message,
    ParticipantClient,
    Typing,
)

from ._chat import newest_item_id

REPLY_TIMEOUT = 20.0


class _Printer:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.step_no = 0

    def step(self, text: str) -> None:
        time.sleep(self.delay)
        with self.lock:
            self.step_no += 1
            print(f"\n{self.step_no}. {text}", flush=True)

    def say(self, text: str) -> None:
        with self.lock:
            print(f"   {text}", flush=True)


def _bot(bot: ChatSession, stream: EventStream) -> None:
    """Answers the customer: typing first, then a reply; acknowledges files it is sent."""
    for event in stream:
        item = event.item
        if item.participant_role != "CUSTOMER":
            continue
        if isinstance(event, Message):
            bot.send_read(item.id or "")
            bot.send_typing()
            time.sleep(0.2)
            bot.send_message(f"Thanks! I read: “{item.content}”. Send me the receipt, please.")
        elif isinstance(event, AttachmentAdded):
            # AWS does not let a CUSTOM_BOT download a customer's file (403): it acknowledges it
            for attachment in item.attachments:
                bot.send_message(f"Got {attachment.name}, status {attachment.status}. All done!")
        elif isinstance(event, ChatEnded):
            return


def _customer_listener(stream: EventStream, out: _Printer, inbox: queue.Queue[Any]) -> None:
    for event in stream:
        item = event.item
        if item.participant_role == "CUSTOMER":
            continue
        if isinstance(event, Typing):
            out.say(f"customer sees: {item.display_name} is typing…")
        elif isinstance(event, Message):
            out.say(
                f"customer sees: [{(item.absolute_time or '')[11:19]}] {item.display_name}: {item.content}"
            )
            inbox.put(item)
        elif isinstance(event, ChatEnded):
            inbox.put(None)
            return


def _kind(item: Any) -> str:
    """MESSAGE, ATTACHMENT, … or, for an EVENT item, what its content type says (participant.joined, …)."""
    if item.type == "EVENT" and item.content_type:
        return str(item.content_type).rsplit("event.", 1)[-1]
    return str(item.type)


@contextlib.contextmanager
def echo_bot(service: Any, started: Any, client: ParticipantClient) -> Iterator[None]:
    """A CUSTOM_BOT participant on the emulator that answers every customer message (``chat --emulator``)."""
    token = service.add_participant(started, "EchoBot").participant_token
    bot = client.connect(token)
    stream = bot.events(after=newest_item_id(bot))
    stop = threading.Event()

    def run() -> None:
        try:
            for event in stream:
                if stop.is_set():
                    return
                item = event.item
                if isinstance(event, Message) and item.participant_role == "CUSTOMER":
                    bot.send_typing()
                    bot.send_message(f"You said: {item.content}")
        except Exception:  # the chat ended or the emulator stopped: the bot just leaves
            return

    thread = threading.Thread(target=run, name="echo-bot", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            bot.disconnect()
        stream.close()
        thread.join(5)


@contextlib.contextmanager
def _thread(target: Any, *args: Any) -> Iterator[threading.Thread]:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    yield thread


def _progress(out: _Printer) -> Any:
    marks: set[int] = set()

    def report(done: int, total: int) -> None:
        quarter = 4 * done // max(total, 1)
        if quarter not in marks:
            marks.add(quarter)
            bar = "#" * (quarter * 5) + "." * (20 - quarter * 5)
            out.say(f"upload [{bar}] {done:>7}/{total} bytes")

    return report


def run_demo(delay: float = 0.3) -> int:
    from connect_participant_emulator import LocalParticipantService

    out = _Printer(delay)
    started_at = time.monotonic()
    inbox: queue.Queue[Any] = queue.Queue()
    with tempfile.TemporaryDirectory() as tmp, LocalParticipantService() as service:
        work = Path(tmp)
        out.step(f"Started the embedded Participant Service emulator at {service.endpoint_url}")

        chat_info = service.start_chat(display_name="Alice", initial_message="Hi, I have a question")
        out.step(f"StartChatContact: contact {chat_info.contact_id[:8]}…, customer Alice")

        with ParticipantClient(endpoint_url=service.endpoint_url) as client:
            customer = client.connect(chat_info.participant_token)
            out.step(f"Alice connected: {customer!r}")

            bot_info = service.add_participant(chat_info, "HelpBot")
            bot = client.connect(bot_info.participant_token)
            out.step("CreateParticipant: HelpBot (CUSTOM_BOT) joined and connected")

            # streams start after the newest item: nothing sent from here on is missed
            bot_stream = bot.events(after=newest_item_id(bot))
            customer_stream = customer.events(after=newest_item_id(customer))
            with (
                bot_stream,
                customer_stream,
                _thread(_bot, bot, bot_stream),
                _thread(_customer_listener, customer_stream, out, inbox),
            ):
                out.step("Alice types and sends a message")
                customer.send_typing()
                sent = customer.send_message("My order #1234 has not arrived.")
                out.say(f"SendMessage → id {sent.id[:8] if sent.id else '?'}…")
                reply = inbox.get(timeout=REPLY_TIMEOUT)
                if reply is None:
                    raise RuntimeError("the chat ended before the bot answered")

                out.step("Alice sends a file (start → PUT → complete), with a progress bar")
                receipt = work / "receipt.txt"
                receipt.write_bytes(b"Order 1234, paid 2026-11-20.\n" * 20_000)
                attachment = customer.upload_attachment(receipt, progress=_progress(out), wait=True)
                out.say(
                    f"attachment {attachment.name}: {attachment.size} bytes, scan status {attachment.status}"
                )
                inbox.get(timeout=REPLY_TIMEOUT)

                out.step("Alice downloads her own file back and compares")
                back = customer.download_attachment(attachment.id or "", work / "receipt-copy.txt")
                same = Path(back).read_bytes() == receipt.read_bytes()
                out.say(f"downloaded {Path(back).stat().st_size} bytes, identical: {same}")
                if not same:
                    raise RuntimeError("the downloaded file differs from the one sent")

                out.step("Alice pages through the transcript (pages of 4 items, newest page first)")
                for number, page in enumerate(customer.transcript(page_size=4).pages(), start=1):
                    kinds = ", ".join(
                        f"{_kind(i)}:{i.display_name or i.participant_role}" for i in page.items
                    )
                    out.say(f"page {number}: {kinds}")

                out.step("Both leave: DisconnectParticipant")
                bot.disconnect()
                customer.disconnect()
    out.step(f"Demo finished in {time.monotonic() - started_at:.1f} s")
    return 0
