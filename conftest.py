"""The documentation's examples, run as tests by Sybil (`make test`, through `make pytest`).

Every ```python block of README.md, docs/*.md and emulator/connect_participant_emulator/README.md
runs, in page order, each page in one namespace (a block may use what an earlier block of its
page defined); every ```bash block runs in `bash -e`. A block marked
`<!-- skip: next "why" -->` just before it (it needs real AWS, installs from PyPI, runs
`make` itself, runs forever) is still compiled (`bash -n` for shell) and then skipped with
that reason. A block that defines `test_*` functions is run as a test module would be: in a
namespace of its own (so it must import what it uses) and each `test_*` function is called,
with a fresh emulator for `participant_service`.

What every example is given against the emulator (the guides say "given `chat` ..."):

- ``svc``: the emulator (``LocalParticipantService``), one per page;
- ``started``: a chat started on it for this example, ``svc.start_chat("Ann")`` (a fresh one
  per block), and ``participant_token``: its customer's token, ``started.participant_token``;
- ``client``: ``ParticipantClient(region="us-east-1")``, and ``chat``:
  ``client.connect(participant_token)``, the customer's session — as in the quick start;
- ``open_in_browser(url)``: your app's browser; here it opens the URL with httpx (the
  emulator's sign-in page signs the customer in) without following the redirect;
- the environment: ``AWS_ENDPOINT_URL_CONNECTPARTICIPANT`` and ``AWS_ENDPOINT_URL`` name the
  emulator, ``AWS_REGION`` is ``us-east-1``, dummy AWS keys (the emulator accepts any), no
  AWS config file; shell blocks also get ``$INSTANCE``, ``$FLOW`` (any ids: the emulator
  takes any) and ``$TOKEN`` (``participant_token``);
- the working directory: a new temporary folder holding ``receipt.pdf`` (a small PDF) and
  ``flows/inbound.json`` (a small exported contact flow, ``tests/data/readme-flows``);
- the other side of the chat: when the customer's events stream subscribes (the first time
  in each example), the emulator plays the page's script from ``SCRIPTS`` below — on most
  pages the bot types, says hello and the chat ends (so ``for event in chat.events()`` ends);
  on the chat-features pages, once the customer has sent a message, a streamed AI answer, a
  list picker, a view and an in-chat authentication (``AUTH_TIMEOUT`` s, then the chat ends).
"""

from __future__ import annotations

import contextlib
import doctest
import inspect
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sybil import Example, Sybil
from sybil.evaluators.python import PythonEvaluator
from sybil.evaluators.skip import Skipper
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent
PAGES = ["README.md", "docs/*.md", "emulator/connect_participant_emulator/README.md"]
RECEIPT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AUTH_TIMEOUT = 5  # seconds the chat-features script's authentication waits for the customer

LIST_PICKER = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "content": {
            "title": "Which account?",
            "elements": [{"title": "Savings"}, {"title": "Checking"}],
        }
    },
}
SURVEY = {
    "Name": "Survey",
    "Content": {
        "Template": {"Head": {"Title": "Rate us"}},
        "InputSchema": {"rating": {"type": "number"}},
        "Actions": ["Submit", "Cancel"],
    },
}


# -- the other side of the chat, per page ---------------------------------------------------


def _greet_and_end(svc: Any, started: Any, stop: threading.Event) -> None:
    """The bot types, says hello, and the chat ends."""
    svc.send_event(started, "application/vnd.amazonaws.connect.event.typing")
    svc.send_message(started, "Hello! How can I help?")
    svc.stop_contact(started)


def _chat_features(svc: Any, started: Any, stop: threading.Event) -> None:
    """Once the customer says something: an AI answer streamed, a list picker, a view, an
    authentication, then the end."""
    _wait(lambda: _customer_messages(svc, started) > 0, stop)
    kept = _transcript_length(svc, started)
    svc.stream_message(started, ["Your balance ", "is $42."], interval=0.01)
    _wait(lambda: _transcript_length(svc, started) > kept, stop)  # the completed answer is kept
    svc.send_interactive(started, LIST_PICKER)
    svc.show_view(started, SURVEY)
    svc.start_authentication(started, timeout=AUTH_TIMEOUT)
    _wait(lambda: _authentication_over(svc, started), stop, limit=AUTH_TIMEOUT + 30)
    svc.stop_contact(started)


SCRIPTS: dict[str, Callable[[Any, Any, threading.Event], None]] = {
    "docs/chat-features.md": _chat_features,
    "docs/testing.md": _chat_features,
}


def _contact(svc: Any, started: Any) -> Any:
    return svc.emulator.state.contacts[started.contact_id]


def _transcript_length(svc: Any, started: Any) -> int:
    return len(_contact(svc, started).entries)


def _customer_messages(svc: Any, started: Any) -> int:
    return sum(
        entry.item.get("Type") == "MESSAGE" and entry.item.get("ParticipantRole") == "CUSTOMER"
        for entry in list(_contact(svc, started).entries)
    )


def _authentication_over(svc: Any, started: Any) -> bool:
    contact = _contact(svc, started)
    outcomes = ("succeeded", "failed", "timeout", "expired", "cancelled")
    return contact.ended or any(
        str(entry.item.get("ContentType", "")).rsplit(".", 1)[-1] in outcomes
        and "authentication" in str(entry.item.get("ContentType", ""))
        for entry in list(contact.entries)
    )


def _customer_subscribed(svc: Any, started: Any) -> bool:
    participant = _contact(svc, started).participants[started.participant_id]
    return any(sock.subscribed for sock in list(participant.sockets))


def _wait(condition: Callable[[], bool], stop: threading.Event, limit: float = 60) -> bool:
    deadline = time.monotonic() + limit
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            if condition():
                return True
        except RuntimeError:  # a set changed size while read from this thread: look again
            pass
        stop.wait(0.01)
    return False


def _play(svc: Any, started: Any, script: Callable[..., None], stop: threading.Event) -> None:
    if not _wait(lambda: _customer_subscribed(svc, started), stop, limit=600):
        return
    try:
        script(svc, started, stop)
    except httpx.HTTPError:
        pass  # the example ended the chat (or left) before the script was done
    except RuntimeError as exc:  # the emulator's helpers raise RuntimeError for 4xx answers
        if not stop.is_set():
            print(f"doc example script stopped: {exc}", file=sys.stderr)


# -- the givens -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def svc() -> Iterator[Any]:
    from connect_participant_emulator import LocalParticipantService

    with LocalParticipantService() as service:
        yield service


@pytest.fixture
def _doc_environment(svc: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CONNECTPARTICIPANT", svc.endpoint_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL", svc.endpoint_url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "docs-example")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "docs-example")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    (tmp_path / "receipt.pdf").write_bytes(RECEIPT)
    shutil.copytree(ROOT / "tests" / "data" / "readme-flows", tmp_path / "flows")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def started(svc: Any, request: pytest.FixtureRequest, _doc_environment: Path) -> Iterator[Any]:
    chat = svc.start_chat("Ann")
    page = Path(str(request.node.path)).resolve().relative_to(ROOT).as_posix()
    stop = threading.Event()
    other_side = threading.Thread(
        target=_play, args=(svc, chat, SCRIPTS.get(page, _greet_and_end), stop), daemon=True
    )
    other_side.start()
    yield chat
    stop.set()
    other_side.join(30)
    with contextlib.suppress(RuntimeError):  # the chat may have ended already
        svc.stop_contact(chat)


@pytest.fixture
def participant_token(started: Any) -> str:
    return str(started.participant_token)


@pytest.fixture
def client(_doc_environment: Path) -> Iterator[Any]:
    from connect_participant import ParticipantClient

    with ParticipantClient(region="us-east-1") as participant_client:
        yield participant_client


@pytest.fixture
def chat(client: Any, participant_token: str) -> Iterator[Any]:
    session = client.connect(participant_token)
    yield session
    from connect_participant import ParticipantServiceError

    with contextlib.suppress(ParticipantServiceError):  # the example may have ended the chat
        session.disconnect()


@pytest.fixture
def open_in_browser() -> Callable[[str], None]:
    def open_in_browser(url: str) -> None:
        page = httpx.get(url, timeout=10, follow_redirects=False)  # signs in, then redirects
        if page.status_code != 302:
            page.raise_for_status()

    return open_in_browser


GIVENS = ["svc", "started", "participant_token", "client", "chat", "open_in_browser"]


# -- evaluators -----------------------------------------------------------------------------


class _TestModuleEvaluator(PythonEvaluator):
    """A block that defines ``test_*`` functions runs as a test module: alone, then its tests."""

    def __call__(self, example: Example) -> None:
        __tracebackhide__ = True
        if "def test_" not in example.parsed:
            super().__call__(example)
            return
        page_namespace = example.namespace
        module: dict[str, Any] = {"__name__": "doc_example"}
        example.namespace = module
        try:
            super().__call__(example)
        finally:
            example.namespace = page_namespace
        for name, value in list(module.items()):
            if name.startswith("test_") and callable(value):
                _call_test(value)


def _call_test(test: Callable[..., Any]) -> None:
    from connect_participant_emulator import LocalParticipantService

    parameters = list(inspect.signature(test).parameters)
    unknown = [
        name for name in parameters if name not in ("participant_service", "participant_service_session")
    ]
    if unknown:
        raise AssertionError(f"{test.__name__} asks for fixtures the docs do not give: {unknown}")
    with LocalParticipantService() as service:
        test(**dict.fromkeys(parameters, service))


def _run_bash(example: Example) -> None:
    namespace = example.namespace
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(INSTANCE="docs-instance", FLOW="docs-flow", TOKEN=str(namespace["participant_token"]))
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", str(example.parsed)],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"shell example exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )


class _CompileThenSkip(Skipper):
    """``<!-- skip: next "why" -->``: the block is still compiled (``bash -n`` for shell)."""

    def evaluate_other_example(self, example: Example) -> None:
        state = self.state_for(example)
        if state.active and state.exception is not None:
            source = str(example.parsed)
            if example.region.evaluator is _run_bash:
                checked = subprocess.run(
                    ["bash", "-n", "-c", source],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if checked.returncode != 0:
                    raise AssertionError(f"skipped shell example does not parse:\n{checked.stderr}")
            else:
                compile(source, example.path, "exec", dont_inherit=True)
        super().evaluate_other_example(example)


class _SkipParser(SkipParser):
    def __init__(self) -> None:
        super().__init__()
        self.skipper = _CompileThenSkip(self.directive)


class _PythonParser(PythonCodeBlockParser):
    def __init__(self) -> None:
        super().__init__(doctest_optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        self.codeblock_parser = CodeBlockParser("python", _TestModuleEvaluator())


pytest_collect_file = Sybil(
    parsers=[_SkipParser(), _PythonParser(), CodeBlockParser("bash", _run_bash)],
    patterns=PAGES,
    fixtures=GIVENS,
).pytest()
