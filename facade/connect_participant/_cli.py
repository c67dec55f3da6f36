"""The ``connect-participant`` command line.

Subcommands: ``emulator`` (a local Participant Service), ``chat`` (an interactive terminal
chat), ``transcript`` (the whole transcript as text, JSON or JSONL), ``send-file`` and
``download`` (attachments with progress bars), and ``demo`` (a scripted chat against the
embedded emulator, what ``make demo`` runs).

Tokens come from an option, an environment variable, or standard input (``-``); they are
never echoed or logged. Expected failures print one line and exit non-zero: 2 for bad input
(usage, ``InvalidInputError``), 1 for an error the service returned, 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

EXIT_OK = 0
EXIT_SERVICE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PARTICIPANT_TOKEN_ENV = "CONNECT_PARTICIPANT_TOKEN"
CONNECTION_TOKEN_ENV = "CONNECT_CONNECTION_TOKEN"


class _UsageError(Exception):
    """Bad command-line input that argparse cannot see (a missing token, say)."""


# -- shared options --------------------------------------------------------------------------


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("endpoint")
    group.add_argument(
        "--region", help="default: $AWS_REGION, $AWS_DEFAULT_REGION or your AWS profile's region"
    )
    group.add_argument("--endpoint-url", help="override the endpoint (e.g. a local emulator)")


def _add_token_options(parser: argparse.ArgumentParser, *, emulator: bool = False) -> None:
    group = parser.add_argument_group("credentials (never echoed)")
    group.add_argument(
        "--participant-token",
        metavar="TOKEN",
        help=f"participant token from StartChatContact; '-' reads it from stdin; default ${PARTICIPANT_TOKEN_ENV}",
    )
    group.add_argument(
        "--connection-token",
        metavar="TOKEN",
        help=f"resume with a connection token instead; '-' reads stdin; default ${CONNECTION_TOKEN_ENV}",
    )
    if emulator:
        group.add_argument(
            "--emulator",
            action="store_true",
            help="start a chat on an embedded local emulator (a bot participant answers)",
        )


def _read_secret(value: str | None, env: str) -> str | None:
    if value == "-":
        line = sys.stdin.readline().strip()
        return line or None
    if value:
        return value
    return os.environ.get(env) or None


def _client_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    if args.endpoint_url:
        return {"endpoint_url": args.endpoint_url}
    if args.region:
        return {"region": args.region}
    return {}  # the environment and the shared config file, as AWS SDKs (a clear error if none)


@contextlib.contextmanager
def _session(args: argparse.Namespace, *, display_name: str = "You") -> Iterator[Any]:
    """A connected ChatSession from the options (or from an embedded emulator with --emulator).

    It does not disconnect on exit: reading a transcript or sending a file must not make the
    participant leave the chat. Only ``chat``'s /quit does that.
    """
    from connect_participant import ParticipantClient

    with contextlib.ExitStack() as stack:
        if getattr(args, "emulator", False):
            from connect_participant_emulator import LocalParticipantService

            service = stack.enter_context(LocalParticipantService())
            started = service.start_chat(display_name=display_name)
            client = stack.enter_context(ParticipantClient(endpoint_url=service.endpoint_url))
            chat = client.connect(started.participant_token)
            if getattr(args, "bot", True):
                stack.enter_context(_echo_bot(service, started, client))
            yield chat
            return
        participant = _read_secret(args.participant_token, PARTICIPANT_TOKEN_ENV)
        connection = None if participant else _read_secret(args.connection_token, CONNECTION_TOKEN_ENV)
        if not participant and not connection:
            raise _UsageError(
                f"a participant token is needed: --participant-token, ${PARTICIPANT_TOKEN_ENV}, "
                "or '--participant-token -' to read it from stdin"
            )
        client = stack.enter_context(ParticipantClient(**_client_kwargs(args)))
        if participant:
            yield client.connect(participant)
        else:
            assert connection is not None
            yield client.resume(connection)


def newest_item_id(chat: Any) -> str | None:
    """The id of the newest transcript item: events(after=it) then misses nothing sent later,
    even what arrives before the stream's socket has subscribed (it is filled from the transcript)."""
    for item in chat.transcript(direction="BACKWARD", sort="DESCENDING", page_size=1):
        return str(item.id) if item.id else None
    return None


@contextlib.contextmanager
def _echo_bot(service: Any, started: Any, client: Any) -> Iterator[None]:
    """A CUSTOM_BOT participant on the emulator that answers every customer message."""
    from connect_participant import Message

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


# -- output ----------------------------------------------------------------------------------


def _when(item: Any) -> str:
    """HH:MM:SS of an item's AbsoluteTime (ISO 8601, UTC)."""
    return str(getattr(item, "absolute_time", None) or "")[11:19]


def _describe(item: Any) -> str:
    """One line for a person: a message, a file, or what an event means (typed by ``_events``)."""
    from connect_participant._events import (
        AttachmentAdded,
        ChatEnded,
        Message,
        ParticipantJoined,
        ParticipantLeft,
        Typing,
        event_from_item,
    )

    event = event_from_item(item)
    who = item.display_name or str(item.participant_role or "")
    when = f"[{_when(item)}]"
    if isinstance(event, Message):
        return f"{when} {who}: {item.content}"
    if isinstance(event, AttachmentAdded):
        names = ", ".join(f"{a.name} ({a.status})" for a in item.attachments)
        return f"{when} {who} sent a file: {names}"
    if isinstance(event, ChatEnded):
        return f"{when} — the chat ended —"
    labels: dict[type, str] = {ParticipantJoined: "joined", ParticipantLeft: "left", Typing: "is typing…"}
    label = labels.get(type(event))
    if label is None:  # other events: what their content type says (connection.acknowledged, …)
        label = (
            str(item.content_type or item.type or "")
            .rsplit("event.", 1)[-1]
            .replace("_", " ")
            .replace(".", " ")
            .lower()
        )
    return f"{when} {who} {label}".rstrip()


def _item_json(item: Any) -> dict[str, Any]:
    """The item exactly as the service sent it (AWS's member names)."""
    return dict(item.raw)


class _ProgressBar:
    """``progress(bytes_done, total)`` drawn on stderr: redrawn in place on a terminal."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent == self._last:
            return
        self._last = percent
        if self.tty:
            filled = percent * 30 // 100
            self.stream.write(
                f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% {done}/{total} B"
            )
            if percent == 100:
                self.stream.write("\n")
            self.stream.flush()
        elif percent == 100:
            self.stream.write(f"{self.label}: {done}/{total} bytes, 100%\n")
            self.stream.flush()


# -- commands --------------------------------------------------------------------------------


def _chronological(chat: Any, page_size: int) -> Iterator[Any]:
    """The whole transcript, oldest first: BACKWARD pages (each ASCENDING), newest page first, reversed."""
    pages = list(chat.transcript(direction="BACKWARD", sort="ASCENDING", page_size=page_size).pages())
    for page in reversed(pages):
        yield from page.items


def _cmd_transcript(args: argparse.Namespace) -> int:
    out: TextIO = sys.stdout
    with _session(args) as chat:
        if args.direction is None and args.sort is None:
            items: Any = _chronological(chat, args.page_size)
        else:
            items = chat.transcript(
                direction=args.direction or "BACKWARD",
                sort=args.sort or "ASCENDING",
                page_size=args.page_size,
            )
        if args.format == "json":
            json.dump([_item_json(i) for i in items], out, indent=2, ensure_ascii=False)
            out.write("\n")
        else:
            for item in items:
                line = (
                    json.dumps(_item_json(item), ensure_ascii=False)
                    if args.format == "jsonl"
                    else _describe(item)
                )
                out.write(line + "\n")
    return EXIT_OK


def _cmd_send_file(args: argparse.Namespace) -> int:
    path = Path(args.path)
    with _session(args) as chat:
        attachment = chat.upload_attachment(
            path,
            name=args.name,
            content_type=args.content_type,
            progress=None if args.quiet else _ProgressBar(f"uploading {path.name}"),
            wait=args.wait,
        )
        print(
            json.dumps(
                {"AttachmentId": attachment.id, "Name": attachment.name, "Status": str(attachment.status)}
            )
        )
    return EXIT_OK


def _attachment_name(chat: Any, attachment_id: str) -> str:
    """The attachment's name from the transcript (for a download into a folder)."""
    for item in chat.transcript(page_size=100):
        for attachment in item.attachments:
            if attachment.id == attachment_id and attachment.name:
                return Path(attachment.name).name
    return attachment_id


def _cmd_download(args: argparse.Namespace) -> int:
    with _session(args) as chat:
        dest = Path(args.dest)
        if dest.is_dir():
            dest = dest / _attachment_name(chat, args.attachment_id)
        progress = None if args.quiet else _ProgressBar(f"downloading {dest.name}")
        written = chat.download_attachment(args.attachment_id, dest, progress=progress)
        print(str(written))
    return EXIT_OK


def _cmd_chat(args: argparse.Namespace) -> int:
    with _session(args, display_name=args.display_name) as chat:
        return _interactive(chat, sys.stdin, sys.stdout)


def _interactive(chat: Any, stdin: IO[str], stdout: TextIO) -> int:
    """Incoming messages print above the prompt; lines typed are sent; /file, /transcript, /quit."""
    tty = stdout.isatty() and stdin.isatty()
    prompt = "> " if tty else ""
    lock = threading.Lock()
    ended = threading.Event()

    def show(text: str) -> None:
        with lock:
            if tty:
                stdout.write("\r\x1b[K" + text + "\n" + prompt)
            else:
                stdout.write(text + "\n")
            stdout.flush()

    from connect_participant import ChatEnded, DeliveredReceipt, ReadReceipt

    stream = chat.events(after=newest_item_id(chat))

    def listen() -> None:
        try:
            for event in stream:
                item = event.item
                if isinstance(event, DeliveredReceipt | ReadReceipt):
                    continue
                # everything else is shown as the service relays it, our own messages included
                # (this prompt never sends typing events, so typing is always someone else's)
                show(_describe(item))
                if isinstance(event, ChatEnded):
                    ended.set()
                    return
        except Exception as exc:  # the stream failed for good: say so, the prompt stays usable
            if not ended.is_set():
                show(f"(events stopped: {exc})")

    listener = threading.Thread(target=listen, name="chat-events", daemon=True)
    listener.start()
    show("Connected. Type a message and press Enter; /file PATH, /transcript, /quit.")
    try:
        for raw in iter(stdin.readline, ""):
            line = raw.rstrip("\n")
            if ended.is_set():
                break
            if not line.strip():
                continue
            if line == "/quit":
                break
            try:
                if line.startswith("/file "):
                    path = Path(line[6:].strip()).expanduser()
                    attachment = chat.upload_attachment(path, progress=_ProgressBar(f"uploading {path.name}"))
                    show(f"sent {attachment.name} ({attachment.size} bytes)")
                elif line == "/transcript":
                    for item in _chronological(chat, 100):
                        show(_describe(item))
                elif line.startswith("/"):
                    show("commands: /file PATH, /transcript, /quit")
                else:
                    chat.send_message(line)
            except ValueError as exc:
                show(f"not sent: {exc}")
    finally:
        with contextlib.suppress(Exception):
            chat.disconnect()
        stream.close()
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from connect_participant._demo import run_demo

    return run_demo(delay=args.delay)


# -- entry point -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-participant",
        description="Be a participant in an Amazon Connect chat from the terminal.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("emulator", help="run a local Participant Service emulator (see: emulator --help)")

    def command(
        name: str, summary: str, func: Callable[[argparse.Namespace], int], **token_options: bool
    ) -> Any:
        """A subcommand that talks to the service: token and endpoint options, its handler."""
        parser = sub.add_parser(name, help=summary)
        _add_token_options(parser, **token_options)
        _add_endpoint_options(parser)
        parser.set_defaults(func=func)
        return parser

    chat = command("chat", "an interactive terminal chat", _cmd_chat, emulator=True)
    chat.add_argument("--display-name", default="You", help="your name with --emulator")
    chat.add_argument("--no-bot", dest="bot", action="store_false", help="with --emulator: no echo bot")

    tr = command("transcript", "print the whole transcript", _cmd_transcript)
    tr.add_argument("--format", choices=["text", "json", "jsonl"], default="text")
    tr.add_argument(
        "--direction",
        choices=["FORWARD", "BACKWARD"],
        help="raw GetTranscript scan (default: oldest first overall)",
    )
    tr.add_argument("--sort", choices=["ASCENDING", "DESCENDING"], help="raw GetTranscript sort within pages")
    tr.add_argument("--page-size", type=int, default=100)

    sf = command("send-file", "send a file into the chat", _cmd_send_file)
    sf.add_argument("path")
    sf.add_argument("--name", help="attachment name (default: the file's name)")
    sf.add_argument("--content-type", help="default: guessed from the name")
    sf.add_argument("--wait", action="store_true", help="wait for Connect's scan to approve it")
    sf.add_argument("--quiet", action="store_true", help="no progress bar")

    dl = command("download", "download an attachment", _cmd_download)
    dl.add_argument("attachment_id")
    dl.add_argument("dest", help="file or folder to write")
    dl.add_argument("--quiet", action="store_true", help="no progress bar")

    demo = sub.add_parser("demo", help="a scripted chat against the embedded emulator")
    demo.add_argument("--delay", type=float, default=0.3, help="seconds between steps (default 0.3)")
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from connect_participant._errors import InvalidInputError, ParticipantServiceError

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:  # the emulator parses its own options
        from connect_participant_emulator._cli import main as emulator_main

        return emulator_main(argv[1:])
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except _UsageError as exc:
        print(f"connect-participant: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InvalidInputError as exc:
        print(f"connect-participant: invalid input: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ParticipantServiceError as exc:
        print(f"connect-participant: service error: {exc}", file=sys.stderr)
        return EXIT_SERVICE
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"connect-participant: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
