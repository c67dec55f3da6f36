"""The ``connect-participant`` command's options, subcommands and exit statuses.

Subcommands: ``emulator`` (a local Participant Service), ``chat`` (an interactive terminal
chat; with ``--instance-id`` it first starts one through Amazon Connect), ``start-chat``
(StartChatContact: the new contact's ids and participant token as JSON), ``transcript``
(text, JSON or JSONL), ``send-file`` and ``download`` (attachments with progress bars),
``flows pull`` (an Amazon Connect instance's flows into a folder the emulator loads),
``demo`` (a scripted chat against the embedded emulator, what ``make demo`` runs), and ``load``
(a Locust load test of chats, ``_load``).

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

from ._output import console, describe, is_noise, item_json, print_json, progress_bar

EXIT_OK = 0
EXIT_SERVICE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, what `yes | head -1` reports for `yes`

PARTICIPANT_TOKEN_ENV = "CONNECT_PARTICIPANT_TOKEN"
CONNECTION_TOKEN_ENV = "CONNECT_CONNECTION_TOKEN"
#: the [cli] extra's modules, by what needs them
CHAT_MODULES = ("prompt_toolkit", "rich")  # the interactive chat; lines and progress bars
RICH = ("rich",)  # text transcripts and progress bars


class _UsageError(Exception):
    """Bad command-line input that argparse cannot see (a missing token, say)."""


class _ServiceFailure(Exception):
    """A service call failed in a way already put in words (exit status 1)."""


def _require_cli_extra(modules: Sequence[str]) -> None:
    for module in modules:
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


def _add_limit_options(parser: argparse.ArgumentParser) -> None:
    from ._upload import ANY_TYPE_OPTION, MAX_SIZE_OPTION, parse_size

    def size(text: str) -> int:
        try:
            return parse_size(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    group = parser.add_argument_group(
        "attachment limits (default: Amazon Connect's, 20 MiB and its file types)"
    )
    group.add_argument(
        MAX_SIZE_OPTION,
        type=size,
        metavar="SIZE",
        help="the largest file your instance accepts: bytes, or e.g. 50MB, 50MiB (Connect allows up to 100 MiB)",
    )
    group.add_argument(
        ANY_TYPE_OPTION, action="store_true", help="send any file type (your instance accepts other types)"
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
    from ._upload import limits

    kwargs: dict[str, Any] = {"attachment_limits": limits(args)}
    if args.endpoint_url:
        kwargs["endpoint_url"] = args.endpoint_url
    if args.region:
        kwargs["region"] = args.region
    return kwargs


def _start(args: argparse.Namespace, display_name: str, *, endpoint_url: str | None) -> Any:
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
            endpoint_url=endpoint_url,
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
            client = stack.enter_context(
                ParticipantClient(
                    endpoint_url=service.endpoint_url,
                    attachment_limits=_client_kwargs(args)["attachment_limits"],
                )
            )
            chat = client.connect(started.participant_token)
            if getattr(args, "bot", True):
                stack.enter_context(echo_bot(service, started, client))
            yield chat
            return
        if getattr(args, "instance_id", None):
            from ._start import is_emulator

            # the Participant Service's URL is Connect's too only on an emulator (which serves both)
            connect_url = args.endpoint_url if is_emulator(args.endpoint_url) else None
            participant: str | None = _start(args, display_name, endpoint_url=connect_url).participant_token
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
                if not is_noise(item):
                    text.print(describe(item))
    return EXIT_OK


def _cmd_send_file(args: argparse.Namespace) -> int:
    from connect_participant import AttachmentLimits, InvalidInputError

    from ._upload import refusal

    path = Path(args.path)
    with _session(args) as chat, progress_bar(f"uploading {path.name}", quiet=args.quiet) as report:
        try:
            attachment = chat.upload_attachment(
                path, name=args.name, content_type=args.content_type, progress=report, wait=args.wait
            )
        except InvalidInputError as exc:
            if exc.argument not in ("path_or_binary_file", "name", "content_type"):
                raise
            limit = args.max_attachment_size or AttachmentLimits().max_size
            raise _UsageError(refusal(exc, path, args.name, limit)) from None
    print_json(
        {
            "AttachmentId": attachment.id,
            "Name": attachment.name,
            "Status": attachment.status,
            "Size": attachment.size,
        }
    )
    return EXIT_OK


def _cmd_download(args: argparse.Namespace) -> int:
    with _session(args) as chat:
        dest: str = args.dest  # a folder (existing, or ending in "/") takes the attachment's name
        with progress_bar("downloading", quiet=args.quiet) as report:
            written = chat.download_attachment(args.attachment_id, dest, progress=report)
        print(str(written))
    return EXIT_OK


def _cmd_chat(args: argparse.Namespace) -> int:
    from ._chat import run_chat

    if args.instance_id and not args.contact_flow_id:
        raise _UsageError("--instance-id needs --contact-flow-id")
    started_here = bool(args.emulator or args.instance_id)  # this command started it: the customer
    with _session(args, display_name=args.display_name) as chat:
        return run_chat(chat, customer=True if started_here else None, max_size=args.max_attachment_size)


def _cmd_start_chat(args: argparse.Namespace) -> int:
    print_json(_start(args, args.display_name, endpoint_url=args.endpoint_url).as_json())
    return EXIT_OK


def _cmd_flows_pull(args: argparse.Namespace) -> int:
    from ._flows import PullError, pull_flows

    def warn(message: str) -> None:
        print(f"connect-participant: {message}", file=sys.stderr)

    dest = Path(args.dir)
    try:
        result = pull_flows(
            instance_id=args.instance_id,
            dest=dest,
            region=args.region,
            endpoint_url=args.endpoint_url,
            profile=args.profile,
            types=args.type,
            warn=warn,
        )
    except PullError as exc:
        raise (_UsageError if exc.usage else _ServiceFailure)(str(exc)) from None
    print(result.summary(dest))
    return EXIT_OK


def _cmd_test_flow(args: argparse.Namespace) -> int:
    from ._flows import PullError
    from ._testflow import run

    try:
        return run(args)
    except PullError as exc:
        raise (_UsageError if exc.usage else _ServiceFailure)(str(exc)) from None
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _cmd_load(args: argparse.Namespace) -> int:
    from ._load import LoadUsageError, run_load

    try:
        return run_load(args)
    except LoadUsageError as exc:
        raise _UsageError(str(exc)) from None


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
        parser.set_defaults(func=func, needs=RICH)
        return parser

    chat = command("chat", "an interactive terminal chat", _cmd_chat, emulator=True)
    chat.set_defaults(needs=CHAT_MODULES)
    chat.add_argument("--display-name", default="You", help="your name (with --emulator or --instance-id)")
    chat.add_argument("--no-bot", dest="bot", action="store_false", help="with --emulator: no echo bot")
    _add_start_options(chat, required=False)
    _add_limit_options(chat)

    start = sub.add_parser(
        "start-chat", help="start a chat through Amazon Connect; print its ids and participant token (JSON)"
    )
    start.add_argument("--display-name", default="Customer", help="the customer's name in the chat")
    start.add_argument("--region", help="Amazon Connect's region (default: boto3's, from your AWS config)")
    start.add_argument(
        "--endpoint-url",
        help="Connect's URL (default: boto3's, or $AWS_ENDPOINT_URL_CONNECT / $AWS_ENDPOINT_URL); "
        "a local emulator's (http://127.0.0.1:8700) needs no AWS credentials, region or ids",
    )
    _add_start_options(start, required=False)
    start.set_defaults(func=_cmd_start_chat, needs=())

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
    _add_limit_options(sf)

    dl = command("download", "download an attachment", _cmd_download)
    dl.add_argument("attachment_id")
    dl.add_argument(
        "dest",
        help="file to write, or a folder (existing, or ending in '/') where it takes the attachment's name",
    )
    dl.add_argument("--quiet", action="store_true", help="no progress bar")

    flows = sub.add_parser("flows", help="contact flows for the emulator (see: flows pull --help)")
    flows_sub = flows.add_subparsers(dest="flows_command", required=True, metavar="COMMAND")
    pull = flows_sub.add_parser(
        "pull",
        help="write an Amazon Connect instance's flows and modules to a folder the emulator loads",
        description="Write every published, active flow and module of an Amazon Connect instance, as "
        "deployed, to DIR (one JSON file each, and manifest.json with their names and ids). Your AWS "
        "credentials, boto3 from the [aws] extra.",
    )
    pull.add_argument("dir", metavar="DIR", help="the folder to write (created if missing)")
    pull.add_argument("--instance-id", required=True, help="the Amazon Connect instance's id")
    pull.add_argument("--region", help="Amazon Connect's region (default: boto3's, from your AWS config)")
    pull.add_argument("--endpoint-url", help="Amazon Connect's API URL (default: boto3's for the region)")
    pull.add_argument("--profile", help="the AWS profile whose credentials to use (default: boto3's chain)")
    pull.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="TYPE",
        help="only flows of this type, e.g. CONTACT_FLOW, CUSTOMER_QUEUE (repeatable; default: all)",
    )
    pull.set_defaults(func=_cmd_flows_pull, needs=())

    from ._testflow import add_parser as add_test_flow

    add_test_flow(sub).set_defaults(func=_cmd_test_flow, needs=())

    load = sub.add_parser("load", help="a Locust load test of chats (the [load] extra; see: load --help)")
    from ._load import add_arguments

    add_arguments(load)
    load.set_defaults(func=_cmd_load, needs=())

    demo = sub.add_parser("demo", help="a scripted chat against the embedded emulator")
    demo.add_argument("--delay", type=float, default=0.3, help="seconds between steps (default 0.3)")
    demo.set_defaults(func=_cmd_demo, needs=())
    return parser


def _needs(args: argparse.Namespace) -> Sequence[str]:
    """The [cli] extra's modules this command line uses: none for JSON output or ``--quiet``."""
    if getattr(args, "format", "text") != "text" or getattr(args, "quiet", False):
        return ()
    needs: Sequence[str] = args.needs
    return needs


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
        _require_cli_extra(_needs(args))
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
    except BrokenPipeError:  # the reader left (`transcript --format json | head -1`): stop quietly
        _quiet_stdout()
        return EXIT_PIPE_CLOSED


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush of what was still
    buffered for the closed pipe does not print an error at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
