"""``connect-participant emulator``: run the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from aiohttp import web

from ._app import APP_KEY, RUNNER_OPTIONS, build_app
from ._config import EmulatorConfig
from ._flows._document import FlowError
from ._flows._library import ContactFlows
from ._spec import SpecNotFoundError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="connect-participant emulator",
        description="Local emulator of the Amazon Connect Participant Service (and Connect's chat calls).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="port (default 8700; 0 picks a free one)")
    parser.add_argument(
        "--connection-token-ttl", type=float, default=86400.0, help="connection token lifetime in seconds"
    )
    parser.add_argument(
        "--websocket-url-ttl", type=float, default=100.0, help="seconds a WebSocket URL stays connectable"
    )
    parser.add_argument(
        "--throttling", action="store_true", help="answer 429 over AWS's per-account API rate quotas"
    )
    parser.add_argument(
        "--no-message-limits", action="store_true", help="lift the per-content-type message caps"
    )
    parser.add_argument(
        "--retention-seconds",
        type=float,
        default=300.0,
        help="seconds an ended chat is kept before its state is released (default 300)",
    )
    parser.add_argument(
        "--idempotency-seconds",
        type=float,
        default=600.0,
        help="seconds a ClientToken's first answer is replayed (default 600)",
    )
    parser.add_argument(
        "--flows",
        action="append",
        metavar="PATH",
        help="contact flows to run: a Flow-language JSON file or a folder of them (repeatable)",
    )
    parser.add_argument(
        "--flow-placeholder",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="replace ${NAME} / {{NAME}} in the flows (repeatable)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="log at INFO (never tokens or URLs)")
    return parser


async def _serve(host: str, port: int, config: EmulatorConfig) -> None:
    runner = web.AppRunner(build_app(config), **RUNNER_OPTIONS)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        bound = int(sockets[0].getsockname()[1]) if sockets else port
        shown = f"[{host}]" if ":" in host else host
        engine = runner.app[APP_KEY].operations.flow_engine
        if engine is not None:
            engine.endpoint_url = f"http://{shown}:{bound}"
        print(f"Connect Participant Service emulator listening on http://{shown}:{bound}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` excludes the program and sub-command names."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    flows = None
    if args.flows:
        placeholders = dict(item.split("=", 1) for item in args.flow_placeholder if "=" in item)
        try:
            flows = ContactFlows(*args.flows, placeholders=placeholders)
        except FlowError as exc:
            print(f"cannot load the flows: {exc}", file=sys.stderr)
            return 1
        for flow in flows.flows:
            state = "ok" if not flow.problems else f"{len(flow.problems)} problem(s): {flow.problems[0]}"
            print(f"flow {flow.name!r} (id {flow.flow_id}): {state}", file=sys.stderr)
    config = EmulatorConfig(
        connection_token_ttl=args.connection_token_ttl,
        websocket_url_ttl=args.websocket_url_ttl,
        throttling=args.throttling,
        message_limits=None if args.no_message_limits else EmulatorConfig().message_limits,
        retention_seconds=args.retention_seconds,
        idempotency_seconds=args.idempotency_seconds,
        flows=flows,
    )
    try:
        asyncio.run(_serve(args.host, args.port, config))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr, flush=True)
    except SpecNotFoundError as exc:  # an OSError too: before the listening error
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
