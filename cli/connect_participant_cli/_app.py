"""The ``connect-participant`` command's options, subcommands and exit statuses.

Subcommands: ``emulator`` (a local Participant Service), ``chat`` (an interactive terminal
chat; with ``--instance-id`` it first starts one through Amazon Connect), ``start-chat``
(StartChatContact: the new contact's ids and participant token as JSON), ``transcript``
(text, JSON or JSONL), ``send-file`` and ``download`` (attachments with progress bars), and
``demo`` (a scripted chat against the embedded emulator, what ``make demo`` runs).

Tokens come from an option, an environment variable, or standard input (``-``); they are
never echoed or logged — ``start-chat``'s JSON is the one place a token is printed, because
that is what it is for. Expected failures print one line and exit non-zero: 2 for bad input
(usage, ``InvalidInputError``, a missing extra), 1 for an error the service returned, 130 on
Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import connect_participant

from ._output import console, describe, item_json, print_json, progress_bar

EXIT_OK = 0
EXIT_SERVICE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

PARTICIPANT_TOKEN_ENV = "CONNECT_PARTICIPANT_TOKEN"
CONNECTION_TOKEN_ENV = "CONNECT_CONNECTION_TOKEN"
CLI_EXTRA_MODULES = ("prompt_toolkit", "rich")


class _UsageError(Exception):
    """Bad command-line input that argparse cannot see (a missing token, say)."""


class _ServiceFailure(Exception):
    """A service call failed in a way already put in words (exit status 1)."""


def _require_cli_extra() -> None:
    for module in CLI_EXTRA_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            raise _UsageError(
                f'this command needs {module} from the "cli" extra: pip install "connect-participant[cli]"'
            ) from None


# -- shared options --------------------------------------------------------------------------


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "endpoint (default: as AWS SDKs, from the environment and ~/.aws/config)"
    )
    group.add_argument("--region", help="default: $AWS_REGION, $AWS_DEFAULT_REGION or your profile's region")
    group.add_argument(
        "--endpoint-url", help="the Participant Service's URL (e.g. a local emulator's); default as AWS SDKs"
    )


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


def _add_start_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_argument_group(
        "start a chat through Amazon Connect (StartChatContact; your AWS credentials, boto3 from the [aws] extra)"
    )
    group.add_argument("--instance-id", required=required, help="the Amazon Connect instance")
    group.add_argument("--contact-flow-id", required=required, help="the contact flow that takes the chat")
    group.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a contact attribute for the flow (repeatable)",
    )


def _read_secret(value: str | None, env: str) -> str | None:
    if value == "-":
        line = sys.stdin.readline().strip()
        return line or None
    if value:
        return value
    return os.environ.get(env) or None


def _client_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """Options given on the command line; what is not given comes from the environment, as AWS SDKs."""
    kwargs: dict[str, Any] = {}
    if args.endpoint_url:
        kwargs["endpoint_url"] = args.endpoint_url
    if args.region:
        kwargs["region"] = args.region
    return kwargs


def _start(args: argparse.Namespace, display_name: str) -> Any:
    from ._start import StartChatError, parse_attributes, start_chat_contact

    try:
        attributes = parse_attributes(args.attribute)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    try:
        return start_chat_contact(
            instance_id=args.instance_id,
            contact_flow_id=args.contact_flow_id,
            display_name=display_name,
            attributes=attributes,
            region=args.region,
        )
    except StartChatError as exc:
        raise (_UsageError if exc.usage else _ServiceFailure)(str(exc)) from None


@contextlib.contextmanager
def _session(args: argparse.Namespace, *, display_name: str = "You") -> Iterator[Any]:
    """A connected ChatSession from the options: a token, a chat started through Connect
    (``--instance-id``), or an embedded emulator (``--emulator``).

    It does not disconnect on exit: reading a transcript or sending a file must not make the
    participant leave the chat. Only ``chat`` leaves.
    """
    from connect_participant import ParticipantClient

    with contextlib.ExitStack() as stack:
        if getattr(args, "emulator", False):
            from connect_participant_emulator import LocalParticipantService

            from ._demo import echo_bot

            service = stack.enter_context(LocalParticipantService())
            started = service.start_chat(display_name=display_name)
            client = stack.enter_context(ParticipantClient(endpoint_url=service.endpoint_url))
            chat = client.connect(started.participant_token)
            if getattr(args, "bot", True):
                stack.enter_context(echo_bot(service, started, client))
            yield chat
            return
        if getattr(args, "instance_id", None):
            participant: str | None = _start(args, display_name).participant_token
            connection = None
        else:
            participant = _read_secret(args.participant_token, PARTICIPANT_TOKEN_ENV)
            connection = None if participant else _read_secret(args.connection_token, CONNECTION_TOKEN_ENV)
        if not participant and not connection:
            raise _UsageError(
                f"a participant token is needed: --participant-token, ${PARTICIPANT_TOKEN_ENV}, "
                "'--participant-token -' to read it from stdin, or --instance-id and --contact-flow-id "
                "to start a chat"
            )
        client = stack.enter_context(ParticipantClient(**_client_kwargs(args)))
        if participant:
            yield client.connect(participant)
        else:
            assert connection is not None
            yield client.resume(connection)


# -- commands --------------------------------------------------------------------------------


def _cmd_transcript(args: argparse.Namespace) -> int:
    from ._chat import chronological

    out: TextIO = sys.stdout
    with _session(args) as chat:
        if args.direction is None and args.sort is None:
            items: Any = chronological(chat, args.page_size)
        else:
            items = chat.transcript(
                direction=args.direction or "BACKWARD",
                sort=args.sort or "ASCENDING",
                page_size=args.page_size,
            )
        if args.format == "json":
            json.dump([item_json(i) for i in items], out, indent=2, ensure_ascii=False)
            out.write("\n")
        elif args.format == "jsonl":
            for item in items:
                out.write(json.dumps(item_json(item), ensure_ascii=False) + "\n")
        else:
            text = console(out)
            for item in items:
                text.print(describe(item))
    return EXIT_OK


def _cmd_send_file(args: argparse.Namespace) -> int:
    path = Path(args.path)
    with _session(args) as chat, progress_bar(f"uploading {path.name}", quiet=args.quiet) as report:
        attachment = chat.upload_attachment(
            path, name=args.name, content_type=args.content_type, progress=report, wait=args.wait
        )
    print_json(
        {
            "AttachmentId": attachment.id,
            "Name": attachment.name,
            "Status": attachment.status,
            "Size": attachment.size,
        }
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
        with progress_bar(f"downloading {dest.name}", quiet=args.quiet) as report:
            written = chat.download_attachment(args.attachment_id, dest, progress=report)
        print(str(written))
    return EXIT_OK


def _cmd_chat(args: argparse.Namespace) -> int:
    from ._chat import run_chat

    if args.instance_id and not args.contact_flow_id:
        raise _UsageError("--instance-id needs --contact-flow-id")
    with _session(args, display_name=args.display_name) as chat:
        return run_chat(chat)


def _cmd_start_chat(args: argparse.Namespace) -> int:
    print_json(_start(args, args.display_name).as_json())
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from ._demo import run_demo

    return run_demo(delay=args.delay)


# -- entry point -----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-participant",
        description="Be a participant in an Amazon Connect chat from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {connect_participant.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("emulator", help="run a local Participant Service emulator (see: emulator --help)")

    def command(
        name: str, summary: str, func: Callable[[argparse.Namespace], int], **token_options: bool
    ) -> Any:
        """A subcommand that talks to the service: token and endpoint options, its handler."""
        parser = sub.add_parser(name, help=summary)
        _add_token_options(parser, **token_options)
        _add_endpoint_options(parser)
        parser.set_defaults(func=func, needs_cli_extra=True)
        return parser

    chat = command("chat", "an interactive terminal chat", _cmd_chat, emulator=True)
    chat.add_argument("--display-name", default="You", help="your name (with --emulator or --instance-id)")
    chat.add_argument("--no-bot", dest="bot", action="store_false", help="with --emulator: no echo bot")
    _add_start_options(chat, required=False)

    start = sub.add_parser(
        "start-chat", help="start a chat through Amazon Connect; print its ids and participant token (JSON)"
    )
    start.add_argument("--display-name", default="Customer", help="the customer's name in the chat")
    start.add_argument("--region", help="Amazon Connect's region (default: boto3's, from your AWS config)")
    _add_start_options(start, required=True)
    start.set_defaults(func=_cmd_start_chat, needs_cli_extra=False)

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
    demo.set_defaults(func=_cmd_demo, needs_cli_extra=False)
    return parser


def _fail(message: str, code: int) -> int:
    print(f"connect-participant: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    from connect_participant import InvalidInputError, ParticipantServiceError

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["emulator"]:  # the emulator parses its own options
        from connect_participant_emulator._cli import main as emulator_main

        return emulator_main(argv[1:])
    args = _parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if args.needs_cli_extra:
            _require_cli_extra()
        return func(args)
    except _UsageError as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    except InvalidInputError as exc:
        return _fail(f"invalid input: {exc}", EXIT_USAGE)
    except _ServiceFailure as exc:
        return _fail(f"service error: {exc}", EXIT_SERVICE)
    except ParticipantServiceError as exc:
        return _fail(f"service error: {exc}", EXIT_SERVICE)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}", EXIT_USAGE)
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return EXIT_INTERRUPTED
