"""The interactive chat: prompt_toolkit on a terminal, plain lines on a pipe.

On a terminal, incoming messages, typing indicators and receipts are printed above the input
line (prompt_toolkit's ``patch_stdout``): what you are typing stays as it is. Up/down recall
earlier lines; Ctrl-D (on an empty line) or ``/quit`` leave the chat, Ctrl-C leaves it too
(exit status 130). When standard input or output is not a terminal (a script), lines are read
and printed as they come, with the same commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from ._output import console, describe, progress_bar

EXIT_OK = 0
EXIT_INTERRUPTED = 130
HELP = "commands: /file PATH, /transcript, /quit"


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


class _Commands:
    """What a typed line does: a message, ``/file PATH``, ``/transcript`` or ``/quit``."""

    def __init__(self, chat: Any, show: Callable[[Any], None], *, progress: bool) -> None:
        self.chat = chat
        self.show = show
        self.progress = progress

    def handle(self, line: str) -> bool:
        """Act on one line; False when it asks to leave."""
        if not line.strip():
            return True
        if line.strip() == "/quit":
            return False
        try:
            if line.startswith("/file "):
                path = Path(line[6:].strip()).expanduser()
                if not self.progress:
                    self.show(f"uploading {path.name}…")
                with progress_bar(f"uploading {path.name}", quiet=not self.progress) as report:
                    attachment = self.chat.upload_attachment(path, progress=report)
                self.show(f"sent {attachment.name} ({attachment.size} bytes)")
            elif line.strip() == "/transcript":
                for item in chronological(self.chat, 100):
                    self.show(describe(item))
            elif line.startswith("/"):
                self.show(HELP)
            else:
                self.chat.send_message(line)
        except (ValueError, OSError) as exc:  # InvalidInputError is a ValueError; a missing file
            self.show(f"not sent: {exc}")
        return True


class _Outbox:
    """Typed lines acted on in order by one worker thread: the prompt is back at once, so what is
    typed next goes to prompt_toolkit (never to the terminal's own echo) while a line is sent."""

    def __init__(self, commands: _Commands) -> None:
        self.commands = commands
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="chat-send", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (line := self.queue.get()) is not None:
            try:
                self.commands.handle(line)
            except Exception as exc:  # a service error: say so, the chat goes on
                self.commands.show(f"not sent: {exc}")

    def put(self, line: str) -> None:
        self.queue.put(line)

    def close(self, *, drain: bool) -> None:
        """Stop after the lines already typed (``drain``) or now."""
        self.queue.put(None)
        if drain:
            self.thread.join()


class _Listener:
    """Shows the chat's events as they come (receipts and typing included) until it ends."""

    def __init__(self, chat: Any, show: Callable[[Any], None], on_end: Callable[[], None]) -> None:
        self.stream = chat.events(after=newest_item_id(chat))
        self.show = show
        self.on_end = on_end
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self._run, name="chat-events", daemon=True)

    def _run(self) -> None:
        from connect_participant import ChatEnded

        try:
            for event in self.stream:
                # everything is shown as the service relays it, our own messages included
                # (this client sends no typing or receipts: those are always someone else's)
                self.show(describe(event.item))
                if isinstance(event, ChatEnded):
                    self.ended.set()
                    self.on_end()
                    return
        except Exception as exc:  # the stream failed for good: say so, the prompt stays usable
            if not self.ended.is_set():
                self.show(f"(events stopped: {type(exc).__name__}: {exc})")

    def close(self) -> None:
        self.stream.close()


@contextlib.contextmanager
def _leaving(chat: Any, listener: _Listener) -> Iterator[None]:
    """Leave the chat (DisconnectParticipant) and stop the events, however the loop ends."""
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            chat.disconnect()
        listener.close()


def run_chat(chat: Any, stdin: IO[str] | None = None, stdout: TextIO | None = None) -> int:
    """The chat on this terminal (prompt_toolkit), or line by line when it is not one."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if stdin.isatty() and stdout.isatty():
        return _terminal_chat(chat)
    return _line_chat(chat, stdin, stdout)


def _line_chat(chat: Any, stdin: IO[str], stdout: TextIO) -> int:
    out = console(stdout)
    lock = threading.Lock()

    def show(text: Any) -> None:
        with lock:
            out.print(text)

    listener = _Listener(chat, show, on_end=lambda: None)
    commands = _Commands(chat, show, progress=True)
    listener.thread.start()
    show(f"Connected. Type a message and press Enter; {HELP[10:]}.")
    with _leaving(chat, listener):
        for raw in iter(stdin.readline, ""):
            if listener.ended.is_set() or not commands.handle(raw.rstrip("\n")):
                break
    return EXIT_OK


def _terminal_chat(chat: Any) -> int:
    return asyncio.run(_terminal_loop(chat))


async def _terminal_loop(chat: Any) -> int:
    """One event loop for the whole chat: prompt_toolkit prints other threads' lines through it
    (``patch_stdout``), so it lives until the chat is left. Typed lines go to the outbox's
    worker thread, in order; the prompt comes back at once."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.patch_stdout import patch_stdout

    session: PromptSession[str] = PromptSession(history=InMemoryHistory())
    loop = asyncio.get_running_loop()

    def end_prompt() -> None:
        if session.app.is_running:
            session.app.exit(exception=EOFError())

    def chat_ended() -> None:  # called on the events thread
        loop.call_soon_threadsafe(end_prompt)

    with patch_stdout(raw=True):
        out = console(sys.stdout)  # the proxy: lines go above the prompt, what is typed stays
        listener = _Listener(chat, out.print, on_end=chat_ended)
        outbox = _Outbox(_Commands(chat, out.print, progress=False))
        listener.thread.start()
        out.print(f"Connected. Type a message and press Enter; {HELP[10:]}; Ctrl-D leaves.")
        with _leaving(chat, listener):
            code = EXIT_OK
            while not listener.ended.is_set():
                try:
                    line = await session.prompt_async("> ")
                except EOFError:
                    break
                except KeyboardInterrupt:
                    code = EXIT_INTERRUPTED
                    break
                if line.strip() == "/quit":
                    break
                outbox.put(line)
            # what was typed before leaving is sent before leaving; Ctrl-C leaves at once
            await asyncio.to_thread(outbox.close, drain=code == EXIT_OK)
    return code
