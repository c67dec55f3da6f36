"""The interactive chat: prompt_toolkit on a terminal, plain lines on a pipe.

On a terminal, incoming messages and events are printed above the input line (prompt_toolkit's
``patch_stdout``): what you are typing stays as it is. Lines still changing sit just above the
input line and settle into the scroll-back when done: a streamed answer grows there, chunk by
chunk, and "Ann is typing…" shows there for 10 s (AWS's chat widget's typing validity). Up/down
recall earlier lines; Ctrl-D (on an empty line) or ``/quit`` leave the chat — as the customer,
after a warning, since the customer's leaving ends the chat — and Ctrl-C leaves at once (exit
status 130). An interactive message's choices are answered by number or title.

As AWS's chat widget does, the chat sends a typing event while you type (at most one per 10 s,
the first at once and one more at the end of the 10 s if you kept typing; none left pending once
the line is sent) and a read receipt for the other participants' messages it shows (the first at
once, then at most one per 5 s, for the newest message shown; a read receipt says the messages
before it were read too). The chat's own typing and receipts, echoed by the service, are not
shown; read receipts are shown for your own messages only.

When standard input or output is not a terminal (a script), lines are read and printed as they
come, with the same commands; a streamed answer is printed once, complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, TextIO

from ._output import choices, console, describe, is_noise, progress_bar

EXIT_OK = 0
EXIT_INTERRUPTED = 130
HELP = "commands: /file PATH, /transcript, /quit"
#: AWS's chat widget: a typing event at most every 10 s (lodash throttle: leading and trailing)
TYPING_INTERVAL = 10.0
#: how long "… is typing" stays up without another typing event (amazon-connect-chatjs: 10 s)
TYPING_SHOWN = 10.0
#: amazon-connect-chatjs: message receipts at most every 5 s
RECEIPT_INTERVAL = 5.0
#: how long an echoed item waits for the chat's own sends in flight before it is judged
OWN_SEND_WAIT = 5.0


def newest_item_id(chat: Any) -> str | None:
    """The id of the newest transcript item: events(after=it) then misses nothing sent later,
    even what arrives before the stream's socket has subscribed (it is filled from the transcript)."""
    for item in chat.transcript(direction="BACKWARD", sort="DESCENDING", page_size=1):
        return str(item.id) if item.id else None
    return None


def chronological(chat: Any, page_size: int) -> Iterator[Any]:
    """The whole transcript, oldest first: BACKWARD pages (each ASCENDING), newest page first, reversed."""
    pages = list(chat.transcript(direction="BACKWARD", sort="ASCENDING", page_size=page_size).pages())
    for page in reversed(pages):
        yield from page.items


# -- policies (pure but for the timers they are given) ------------------------------------------


class Timer(Protocol):
    def start(self) -> None: ...
    def cancel(self) -> None: ...


class Throttle:
    """A call runs at once unless one ran less than ``interval`` ago; then it is folded into one
    call at the end of that interval, with the latest argument (lodash's ``throttle``, which AWS's
    chat widget uses for typing events; amazon-connect-chatjs batches receipts the same way).
    ``cancel()`` drops a pending call. ``clock`` and ``timer`` are injected (tests drive them)."""

    def __init__(
        self,
        interval: float,
        action: Callable[[Any], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        timer: Callable[[float, Callable[[], None]], Timer] = threading.Timer,
    ) -> None:
        self.interval = interval
        self.action = action
        self.clock = clock
        self.timer = timer
        self._last: float | None = None
        self._pending: tuple[Any] | None = None
        self._timer: Timer | None = None
        self._lock = threading.Lock()

    def __call__(self, arg: Any = None) -> None:
        with self._lock:
            now = self.clock()
            if self._timer is None and (self._last is None or now - self._last >= self.interval):
                self._last = now
                run = True
            else:
                run = False
                self._pending = (arg,)
                if self._timer is None:
                    assert self._last is not None
                    self._timer = self.timer(max(0.0, self._last + self.interval - now), self._fire)
                    self._timer.start()
        if run:
            self.action(arg)

    def _fire(self) -> None:
        with self._lock:
            pending, self._pending, self._timer = self._pending, None, None
            if pending is None:
                return
            self._last = self.clock()
        self.action(pending[0])

    def cancel(self) -> None:
        with self._lock:
            self._pending = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


@dataclass
class Identity:
    """Which items are the chat's own: the ids its sends were answered with, then (learnt from the
    first echo of one) its participant id. An item that comes while a send is in flight waits for
    that send's answer before it is judged (the echo may overtake the answer)."""

    participant_id: str | None = None
    role: str | None = None
    sent: set[str] = field(default_factory=set)
    messages: set[str] = field(default_factory=set)
    in_flight: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)

    @contextlib.contextmanager
    def sending(self) -> Iterator[Callable[[Any, bool], None]]:
        """Around one send: ``record(result, is_message)`` keeps the id it was answered with."""
        with self.changed:
            self.in_flight += 1

        def record(result: Any, is_message: bool) -> None:
            sent_id = getattr(result, "id", None)
            if sent_id:
                with self.changed:
                    self.sent.add(str(sent_id))
                    if is_message:
                        self.messages.add(str(sent_id))

        try:
            yield record
        finally:
            with self.changed:
                self.in_flight -= 1
                self.changed.notify_all()

    def is_mine(self, item: Any) -> bool:
        with self.changed:
            if self.participant_id is None and item.id and item.id not in self.sent:
                self.changed.wait_for(lambda: self.in_flight == 0, timeout=OWN_SEND_WAIT)
            if self.participant_id is None and item.id in self.sent and item.participant_id:
                self.participant_id = item.participant_id
                self.role = str(item.participant_role or "") or None
            if self.participant_id is not None and item.participant_id:
                return bool(item.participant_id == self.participant_id)
            return bool(item.id and item.id in self.sent)

    def own_message(self, item_id: str | None) -> None:
        """A message of this chat's, seen echoed (its send's answer may not be back yet)."""
        if item_id:
            with self.changed:
                self.messages.add(item_id)

    def read_by_others(self, receipt: Any) -> bool:
        """A read receipt saying another participant read one of this chat's messages (a receipt
        names its reader in ``RecipientParticipantId``, as amazon-connect-chatjs reads it)."""
        with self.changed:
            if receipt.message_id not in self.messages:
                self.changed.wait_for(lambda: self.in_flight == 0, timeout=OWN_SEND_WAIT)
            if receipt.message_id not in self.messages:
                return False
            readers = [r.recipient_participant_id for r in receipt.receipts if r.read_at]
            return not readers or any(reader != self.participant_id for reader in readers)


# -- what is on the screen ----------------------------------------------------------------------


class Screen(Protocol):
    def print(self, text: Any) -> None: ...
    def live(self, key: str, text: Any | None, *, expires: float | None = None) -> None: ...


class _Lines:
    """A pipe: lines printed in order; nothing changes once printed (a streamed answer waits)."""

    def __init__(self, out: TextIO) -> None:
        self.out = console(out)
        self.lock = threading.Lock()

    def print(self, text: Any) -> None:
        with self.lock:
            self.out.print(text)

    def live(self, key: str, text: Any | None, *, expires: float | None = None) -> None:
        if key.startswith("typing:") and text is not None:
            self.print(text)  # a script sees typing as a line, as before


class _Terminal:
    """prompt_toolkit's screen: printed lines go above the prompt; live lines (a streamed answer
    growing, who is typing) are drawn between them and the input line until settled or expired."""

    def __init__(self, out: Any, loop: asyncio.AbstractEventLoop, redraw: Callable[[], None]) -> None:
        self.out = out
        self.loop = loop
        self.redraw = redraw
        self.lock = threading.Lock()
        self.lines: dict[str, tuple[str, float | None]] = {}

    def print(self, text: Any) -> None:
        self.out.print(text)  # rich's console has its own lock; prompt_toolkit's proxy never blocks

    def live(self, key: str, text: Any | None, *, expires: float | None = None) -> None:
        from ._output import ansi

        with self.lock:
            if text is None:
                if self.lines.pop(key, None) is None:
                    return
            else:
                until = time.monotonic() + expires if expires is not None else None
                self.lines[key] = (ansi(text), until)
                if expires is not None:
                    self.loop.call_soon_threadsafe(self.loop.call_later, expires + 0.05, self.redraw)
        self.loop.call_soon_threadsafe(self.redraw)

    def prompt(self) -> Any:
        from prompt_toolkit.formatted_text import ANSI

        now = time.monotonic()
        with self.lock:
            for key in [k for k, (_, until) in self.lines.items() if until is not None and until <= now]:
                del self.lines[key]
            shown = [text for text, _ in self.lines.values()]
        return ANSI("".join(f"{text}\n" for text in shown) + "> ")


# -- the chat ------------------------------------------------------------------------------------


class _Outbox:
    """Sends one at a time, in order, on one worker thread (typed lines, typing events, receipts):
    the prompt is back at once, so what is typed next goes to prompt_toolkit (never to the
    terminal's own echo) while a line is sent."""

    def __init__(self, show: Callable[[Any], None]) -> None:
        self.show = show
        self.queue: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="chat-send", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (job := self.queue.get()) is not None:
            try:
                job()
            except Exception as exc:  # a service error: say so, the chat goes on
                self.show(f"not sent: {exc}")

    def put(self, job: Callable[[], None]) -> None:
        self.queue.put(job)

    def close(self, *, drain: bool) -> None:
        """Stop after the jobs already queued (``drain``) or now."""
        self.queue.put(None)
        if drain:
            self.thread.join()


class _Chat:
    """One chat's state and decisions, shared by the terminal and the line modes."""

    def __init__(
        self, chat: Any, screen: Screen, *, progress: bool, customer: bool | None, max_size: int | None = None
    ) -> None:
        self.chat = chat
        self.max_size = max_size  # the attachment limit given on the command line (None: Connect's)
        self.screen = screen
        self.progress = progress
        self.customer = customer  # known when this command started the chat; else learnt
        self.me = Identity()
        self.outbox = _Outbox(screen.print)
        self.choice: Any = None  # the newest interactive message from the other side
        self.streams: dict[str, dict[int, str]] = {}
        self.ended = threading.Event()
        chat.typing_interval = 0  # the throttle below is the widget's (leading and trailing)
        self.typing = Throttle(TYPING_INTERVAL, lambda _: self.outbox.put(self._send_typing))
        self.receipts = Throttle(RECEIPT_INTERVAL, lambda mid: self.outbox.put(lambda: self._send_read(mid)))

    # sending (on the outbox thread)

    def _send_typing(self) -> None:
        with self.me.sending() as record:
            record(self.chat.send_typing(), False)

    def _send_read(self, message_id: str) -> None:
        with self.me.sending() as record:
            record(self.chat.send_read(message_id), False)

    def _send_message(self, text: str) -> None:
        with self.me.sending() as record:
            record(self.chat.send_message(text), True)

    def _select(self, template: Any, index: int) -> None:
        with self.me.sending() as record:
            record(self.chat.select(template, index), True)

    def _send_file(self, path: Path) -> None:
        from connect_participant import AttachmentLimits, InvalidInputError

        from ._upload import refusal

        if not self.progress:
            self.screen.print(f"uploading {path.name}…")
        try:
            with (
                progress_bar(f"uploading {path.name}", quiet=not self.progress) as report,
                self.me.sending() as record,
            ):
                attachment = self.chat.upload_attachment(path, progress=report)
                record(attachment, True)
        except InvalidInputError as exc:
            limit = self.max_size or AttachmentLimits().max_size
            self.screen.print(f"not sent: {refusal(exc, path, None, limit)}")
            return
        except OSError as exc:
            self.screen.print(f"not sent: {exc.strerror or exc}: {path}")
            return
        self.screen.print(f"sent {attachment.name} ({attachment.size} bytes)")

    def _transcript(self) -> None:
        for item in chronological(self.chat, 100):
            if not is_noise(item):
                self.screen.print(describe(item, mine=self.me.is_mine(item)))

    # typed lines

    def typed(self, text: str) -> None:
        """The input line changed: a typing event, as the widget sends it (not for commands)."""
        if text.strip() and not text.startswith("/"):
            self.typing()

    def handle(self, line: str) -> None:
        """Act on one line (``/quit`` is the caller's): a command, a choice, or a message."""
        text = line.strip()
        if not text:
            return
        self.typing.cancel()  # the widget cancels a pending typing event when the line is sent
        if text.startswith("/file "):
            path = Path(text[6:].strip()).expanduser()
            self.outbox.put(lambda: self._send_file(path))
        elif text == "/transcript":
            self.outbox.put(self._transcript)
        elif text.startswith("/"):
            self.screen.print(HELP)
        elif (picked := self._choice(text)) is not None:
            template, index = picked
            self.choice = None
            self.outbox.put(lambda: self._select(template, index))
        else:
            self.outbox.put(lambda: self._send_message(line))

    def _choice(self, text: str) -> tuple[Any, int] | None:
        """A typed answer to the newest interactive message: its choice's number or title."""
        if self.choice is None:
            return None
        listed = choices(self.choice)
        if text.isdigit() and 1 <= int(text) <= len(listed):
            return self.choice, int(text) - 1
        folded = [c.casefold() for c in listed]
        if text.casefold() in folded:
            return self.choice, folded.index(text.casefold())
        return None

    # what the service sends

    def listen(self, stream: Any, on_end: Callable[[], None]) -> None:
        from connect_participant import ChatEnded

        try:
            for event in stream:
                self.shown(event)
                if isinstance(event, ChatEnded):
                    self.ended.set()
                    on_end()
                    return
        except Exception as exc:  # the stream failed for good: say so, the prompt stays usable
            if not self.ended.is_set():
                self.screen.print(f"(events stopped: {type(exc).__name__}: {exc})")

    def shown(self, event: Any) -> None:
        """Show one event (or not) and answer it as the widget would (a read receipt)."""
        from connect_participant import (
            AttachmentAdded,
            DeliveredReceipt,
            Message,
            ParticipantJoined,
            ParticipantLeft,
            ReadReceipt,
            Typing,
        )

        item = event.item
        if is_noise(item) or isinstance(event, DeliveredReceipt):
            return  # a read receipt says more; delivered ones would be noise in a terminal
        if isinstance(event, ReadReceipt):
            if self.me.read_by_others(event):
                self.screen.print(describe(item))
            return
        mine = self.me.is_mine(item)
        if mine and self.customer is None and self.me.role:
            self.customer = self.me.role == "CUSTOMER"
        if mine and isinstance(event, Message | AttachmentAdded):
            self.me.own_message(item.id)  # its receipts may come before its send's answer
        who = item.participant_id or item.display_name or ""
        if isinstance(event, Typing):
            if not mine:
                self.screen.live(f"typing:{who}", describe(item), expires=TYPING_SHOWN)
            return
        if isinstance(event, Message):
            if not event.completed:  # a chunk of a streamed answer: the line grows
                chunks = self.streams.setdefault(item.id or "", {})
                chunks[event.chunk_number or len(chunks) + 1] = item.content or ""
                so_far = "".join(chunks[n] for n in sorted(chunks))
                self.screen.live(f"message:{item.id}", describe(item, text=so_far))
                return
            if event.is_update and event.previous is not None and Message(event.previous).completed:
                return  # a message shown already, updated (receipts, processing status)
            self.streams.pop(item.id or "", None)
            self.screen.live(f"message:{item.id}", None)
            self.screen.live(f"typing:{who}", None)
            self.screen.print(describe(item, mine=mine))
            if not mine:
                if item.interactive is not None and choices(item.interactive):
                    self.choice = item.interactive
                if item.id:
                    self.receipts(item.id)
            return
        if isinstance(event, AttachmentAdded) and not mine and item.id and not event.is_update:
            self.receipts(item.id)
        if isinstance(event, ParticipantJoined | ParticipantLeft) and mine:
            return  # your own joining and leaving: you know
        self.screen.print(describe(item, mine=mine))

    def leaving_ends_the_chat(self) -> bool:
        """Whether leaving ends the chat: this participant is the customer (or may be)."""
        return self.customer is not False

    def close(self, *, drain: bool) -> None:
        self.typing.cancel()
        self.receipts.cancel()
        self.outbox.close(drain=drain)


WARNING = (
    "Leaving ends this chat for everyone: you are its customer. "
    "Press Ctrl-D again or type /quit again to leave; type anything else to stay."
)
WARNING_UNSURE = (
    "If you are this chat's customer, leaving ends it for everyone. "
    "Press Ctrl-D again or type /quit again to leave; type anything else to stay."
)


LEFT = "Leaving: the chat ends for everyone, since you are its customer."
LEFT_UNSURE = "Leaving: if you are this chat's customer, the chat ends for everyone."


@contextlib.contextmanager
def _leaving(chat: Any, stream: Any) -> Iterator[None]:
    """Leave the chat (DisconnectParticipant) and stop the events, however the loop ends."""
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            chat.disconnect()
        stream.close()


def _live_events(chat: Any) -> Any:
    """The chat's events stream, once live: from then on nothing sent is missed, typing and
    receipts included (messages before it are filled in from the transcript, after the newest)."""
    stream = chat.events(after=newest_item_id(chat))
    return stream.__enter__()  # waits for the socket's subscription; closed by _leaving


def run_chat(
    chat: Any,
    stdin: IO[str] | None = None,
    stdout: TextIO | None = None,
    *,
    customer: bool | None = None,
    max_size: int | None = None,
) -> int:
    """The chat on this terminal (prompt_toolkit), or line by line when it is not one.
    ``customer``: whether this participant is the chat's customer, when the caller knows;
    ``max_size``: the attachment limit the command line was given."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if stdin.isatty() and stdout.isatty():
        return asyncio.run(_terminal_loop(chat, customer, max_size))
    return _line_chat(chat, stdin, stdout, customer, max_size)


def _line_chat(chat: Any, stdin: IO[str], stdout: TextIO, customer: bool | None, max_size: int | None) -> int:
    screen = _Lines(stdout)
    state = _Chat(chat, screen, progress=True, customer=customer, max_size=max_size)
    stream = _live_events(chat)
    listener = threading.Thread(target=state.listen, args=(stream, lambda: None), daemon=True)
    listener.start()
    screen.print(f"Connected. Type a message and press Enter; {HELP[10:]}.")
    with _leaving(chat, stream):
        for raw in iter(stdin.readline, ""):
            line = raw.rstrip("\n")
            if state.ended.is_set():
                break
            if line.strip() == "/quit":
                if state.leaving_ends_the_chat():
                    screen.print(LEFT if state.customer else LEFT_UNSURE)
                break
            state.handle(line)
        state.close(drain=True)
    return EXIT_OK


async def _terminal_loop(chat: Any, customer: bool | None, max_size: int | None) -> int:
    """One event loop for the whole chat: prompt_toolkit prints other threads' lines through it
    (``patch_stdout``) and draws the live lines in its prompt, so it lives until the chat is left.
    Typed lines go to the outbox's worker thread, in order; the prompt comes back at once."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.patch_stdout import patch_stdout

    session: PromptSession[str] = PromptSession(history=InMemoryHistory())
    loop = asyncio.get_running_loop()

    def redraw() -> None:
        if session.app.is_running:
            session.app.invalidate()

    def end_prompt() -> None:
        if session.app.is_running:
            session.app.exit(exception=EOFError())

    with patch_stdout(raw=True):
        screen = _Terminal(console(sys.stdout), loop, redraw)  # the proxy: lines go above the prompt
        state = _Chat(chat, screen, progress=False, customer=customer, max_size=max_size)
        session.default_buffer.on_text_changed += lambda buffer: state.typed(buffer.text)
        stream = await asyncio.to_thread(_live_events, chat)
        listener = threading.Thread(
            target=state.listen, args=(stream, lambda: loop.call_soon_threadsafe(end_prompt)), daemon=True
        )
        listener.start()
        screen.print(f"Connected. Type a message and press Enter; {HELP[10:]}; Ctrl-D leaves.")
        warned = False
        with _leaving(chat, stream):
            code = EXIT_OK
            while not state.ended.is_set():
                try:
                    line = await session.prompt_async(screen.prompt)
                except EOFError:
                    line = "/quit"
                except KeyboardInterrupt:
                    code = EXIT_INTERRUPTED
                    break
                if state.ended.is_set():
                    break
                if line.strip() == "/quit":
                    if warned or not state.leaving_ends_the_chat():
                        break
                    warned = True
                    screen.print(WARNING if state.customer else WARNING_UNSURE)
                    continue
                warned = False
                state.handle(line)
            # what was typed before leaving is sent before leaving; Ctrl-C leaves at once
            await asyncio.to_thread(state.close, drain=code == EXIT_OK)
    return code
