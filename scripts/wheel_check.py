"""Install a built wheel alone in a fresh venv outside the checkout and use it as a user would.

    python scripts/wheel_check.py dist/connect_participant-0.1.0-py3-none-any.whl [-c constraints.txt]

1. the wheel holds the licence (``*.dist-info/licenses/LICENSE``), the emulator's OpenAPI
   document and its metadata names the licence, the URLs and the Python versions;
2. ``pip install WHEEL`` in a new venv in a temporary folder (its dependencies from the index,
   within ``-c`` constraints if given: the wheel-install test passes the running environment's
   versions, so the floors run checks the wheel at the floors); every import comes from that venv;
3. ``connect-participant --version`` prints the wheel's version;
4. the emulator's console script serves with its 11 operations, and the README quick start runs
   against it (typing, a message, the transcript, an attachment, the events stream);
5. every one of the 11 operations through the SDK, on the packaged ``LocalParticipantService``;
6. then pytest joins the venv: ``pytest --co`` in a fresh project imports neither aiohttp nor the
   emulator (the plugin costs nothing until used), and a test using the ``participant_service``
   fixture passes;
7. with ``--emulator-tests DIR``: the emulator's start-up tests (tests/test_emulator_cli.py) run
   against the installed wheel, from a copy outside the checkout.

Prints one line per check; exits non-zero at the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
OPERATIONS = 11

QUICK_START = r"""
import pathlib, sys
from connect_participant import Message, ParticipantClient

endpoint, participant_token = sys.argv[1], sys.stdin.read().strip()  # the token never on a command line
pathlib.Path("receipt.pdf").write_bytes(b"%PDF-1.4 a receipt")
with ParticipantClient(region="us-east-1", endpoint_url=endpoint) as client:
    with client.connect(participant_token) as chat:
        chat.send_typing()
        chat.send_message("Hello!")
        items = list(chat.transcript(page_size=100))
        chat.upload_attachment("receipt.pdf", progress=lambda done, total: None)
        # the stream starts when events() is called: from the item before "Hello!", it brings it again
        at = [item.content for item in items].index("Hello!")
        for event in chat.events(after=items[at - 1].id):
            if isinstance(event, Message):
                assert event.item.content == "Hello!", event.item.content
                break
print("quick start ok:", len(items), "transcript items, the message again from the events stream")
"""

ALL_OPERATIONS = r"""
import json, pathlib
import connect_participant, connect_participant_emulator
from connect_participant import ParticipantClient
from connect_participant_emulator import LocalParticipantService

done = []
with LocalParticipantService() as service, ParticipantClient(endpoint_url=service.endpoint_url) as client:
    started = service.start_chat(display_name="Wheel")
    chat = client.connect(started.participant_token)
    done.append("CreateParticipantConnection")
    chat.send_message("hi"); done.append("SendMessage")
    chat.send_event("application/vnd.amazonaws.connect.event.typing"); done.append("SendEvent")
    list(chat.transcript()); done.append("GetTranscript")
    pathlib.Path("note.txt").write_text("a note")
    attachment_id = chat.upload_attachment("note.txt").id
    done += ["StartAttachmentUpload", "CompleteAttachmentUpload"]
    assert chat.download_attachment(attachment_id, pathlib.Path("back.txt")) is not None
    assert pathlib.Path("back.txt").read_text() == "a note"; done.append("GetAttachment")
    view = {"Name": "Form", "Content": {"Template": "{}", "InputSchema": "{}", "Actions": ["Submit"]}}
    token = service.show_view(started, view)
    assert chat.describe_view(token).name == "Form"; done.append("DescribeView")
    session_id = service.start_authentication(started)
    assert chat.authentication_url(session_id, "https://example.com/back"); done.append("GetAuthenticationUrl")
    chat.cancel_authentication(session_id); done.append("CancelParticipantAuthentication")
    chat.disconnect(); done.append("DisconnectParticipant")
print(json.dumps(done))
"""

FIXTURE_TEST = """
import httpx
import pytest


@pytest.mark.participant_service(throttling=True)
def test_emulator_fixture(participant_service):
    chat = participant_service.start_chat()
    assert chat.contact_id
    health = httpx.get(participant_service.endpoint_url + "/_emulator/health").json()
    assert health["spec_operations"] == 11
"""


# the emulator itself (its plugin and the test-case plugin's hooks import only pytest)
_EMULATOR = {"connect_participant_emulator._app", "connect_participant_emulator._service"}
# pytest --co in-process, then what it imported (-X importtime misses import_module, pytest's way)
COLLECT = (
    "import json, sys, pytest\n"
    "code = pytest.main(['--co', '-q', '-p', 'no:cacheprovider'])\n"
    "print(json.dumps({'code': int(code), 'modules': sorted(sys.modules)}))\n"
)


def step(message: str) -> None:
    print(f"wheel-check: {message}", flush=True)


def fail(message: str) -> None:
    print(f"wheel-check: FAILED: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 600, stdin: str = "") -> str:
    try:
        done = subprocess.run(
            args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as late:
        fail(f"{' '.join(map(str, args))} still running after {timeout} s:\n{late.stdout!r}\n{late.stderr!r}")
        raise
    if done.returncode != 0:
        fail(
            f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


def check_archive(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        licences = [n for n in names if re.fullmatch(r"[^/]+\.dist-info/licenses/LICENSE", n)]
        if not licences:
            fail(f"no LICENSE in the wheel's .dist-info/licenses/ ({wheel.name})")
        text = archive.read(licences[0]).decode()
        if "Apache License" not in text or "Version 2.0, January 2004" not in text:
            fail("the wheel's LICENSE is not the Apache License 2.0")
        if "connect_participant_emulator/_spec/connect-participant.openapi.json" not in names:
            fail("the emulator's OpenAPI document is not in the wheel")
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for field in ("License-Expression: Apache-2.0", "License-File: LICENSE", "Requires-Python: >=3.11"):
        if field not in metadata:
            fail(f"METADATA lacks {field!r}")
    for label in ("Documentation", "Source", "Changelog", "Issues"):
        if not re.search(rf"^Project-URL: {label}, https://", metadata, re.MULTILINE):
            fail(f"METADATA has no Project-URL {label}")
    version = re.search(r"^Version: (\S+)$", metadata, re.MULTILINE)
    if version is None:
        fail("METADATA has no Version")
    assert version is not None
    step(f"{wheel.name}: licence, OpenAPI document, metadata ok (version {version[1]})")
    return version[1]


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_emulator(script: Path, cwd: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [str(script), "emulator", "--host", "127.0.0.1", "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Ctrl-C as in a terminal: a shell without job control (a CI script, `make test &`)
        # starts background commands with SIGINT ignored, and children inherit that; then the
        # emulator never sees the Ctrl-C this check sends
        preexec_fn=_default_sigint,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on http://127.0.0.1:" not in line:
        process.kill()
        fail(f"the emulator did not start: {line!r} {process.communicate(timeout=10)[1][-2000:]}")
    return process, line.strip().rsplit(" ", 1)[-1]


def http_json(method: str, url: str, body: dict[str, object] | None = None) -> dict[str, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # loopback only
        parsed: dict[str, object] = json.loads(answer.read())
    return parsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="install a wheel alone in a fresh venv and use it")
    parser.add_argument("wheel", type=Path)
    parser.add_argument("-c", "--constraints", type=Path, help="pip constraints for the wheel's dependencies")
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder (removed after)")
    parser.add_argument(
        "--emulator-tests", type=Path, metavar="TESTS", help="the checkout's tests/: run the emulator's there"
    )
    args = parser.parse_args(argv)
    wheel = args.wheel.resolve()
    version = check_archive(wheel)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="wheel-check-"))
    try:
        return _check(wheel, version, workdir.resolve(), args)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _check(wheel: Path, version: str, workdir: Path, args: argparse.Namespace) -> int:
    if workdir.is_relative_to(CHECKOUT):
        fail(f"{workdir} is inside the checkout")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    venv = workdir / "venv"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    constraints = ["-c", str(args.constraints.resolve())] if args.constraints else []
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run([*pip, str(wheel), *constraints], workdir, env)
    run([str(python), "-m", "pip", "check"], workdir, env)
    step(f"installed alone in {venv} ({time.monotonic() - started:.0f} s)")

    where = run(
        [
            str(python),
            "-c",
            "import connect_participant, connect_participant_emulator as e, connect_participant_api as a;"
            "print(connect_participant.__file__); print(e.__file__); print(a.__file__); print(connect_participant.__version__)",
        ],
        workdir,
        env,
    ).split()
    if any(not Path(path).is_relative_to(venv) for path in where[:3]) or where[3] != version:
        fail(f"imports not from the venv, or another version: {where}")
    step(f"imports come from the venv; connect_participant.__version__ == {version}")

    shown = run([str(bin_dir / "connect-participant"), "--version"], workdir, env).strip()
    if shown != f"connect-participant {version}":
        fail(f"connect-participant --version printed {shown!r}")
    step(f"connect-participant --version: {shown}")

    emulator, url = start_emulator(bin_dir / "connect-participant", workdir, env)
    try:
        health = http_json("GET", url + "/_emulator/health")
        if health.get("spec_operations") != OPERATIONS:
            fail(f"the emulator serves {health.get('spec_operations')} operations, not {OPERATIONS}")
        chat = http_json(
            "PUT",
            url + "/contact/chat",
            {"InstanceId": "i", "ContactFlowId": "f", "ParticipantDetails": {"DisplayName": "Wheel"}},
        )
        (workdir / "quick_start.py").write_text(QUICK_START)
        out = run(
            [str(python), "quick_start.py", url],
            workdir,
            env,
            timeout=120,
            stdin=str(chat["ParticipantToken"]),
        )
        step(f"emulator console script: {OPERATIONS} operations; README quick start: {out.strip()}")
    finally:
        emulator.send_signal(signal.SIGINT)
        try:
            emulator.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            emulator.kill()
            emulator.communicate()
    if emulator.returncode not in (0, -signal.SIGINT):
        fail(f"the emulator exited {emulator.returncode} on Ctrl-C")

    (workdir / "all_operations.py").write_text(ALL_OPERATIONS)
    done = json.loads(run([str(python), "all_operations.py"], workdir, env, timeout=120))
    if len(set(done)) != OPERATIONS:
        fail(f"{len(set(done))} operations ran, not {OPERATIONS}: {done}")
    step(f"all {OPERATIONS} operations through the SDK on the packaged emulator")

    # pytest is the user's, not a dependency: it joins the venv only now (the running one's version)
    run([*pip, f"pytest=={_installed('pytest')}"], workdir, env)
    project = workdir / "project"
    project.mkdir()
    (project / "test_uses_fixture.py").write_text(FIXTURE_TEST)
    collected = json.loads(
        run([str(python), "-c", COLLECT], project, env, timeout=120).strip().splitlines()[-1]
    )
    imported = set(collected["modules"])
    if collected["code"] != 0 or "connect_participant_emulator.pytest_plugin" not in imported:
        fail(
            f"pytest --co: exit {collected['code']}, plugin loaded: {'connect_participant_emulator.pytest_plugin' in imported}"
        )
    heavy = sorted(m for m in imported if m.split(".")[0] == "aiohttp" or m in _EMULATOR)
    if heavy:
        fail(f"pytest --co imported {heavy[:8]}")
    out = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env, timeout=120)
    if "1 passed" not in out:
        fail(f"the fixture test did not pass:\n{out[-2000:]}")
    step(
        "pytest --co loads the plugin but neither aiohttp nor the emulator; the participant_service fixture works"
    )

    if args.emulator_tests:
        _emulator_tests(args.emulator_tests.resolve(), workdir, pip, python, env)
    return 0


def _installed(name: str) -> str:
    from importlib import metadata

    return metadata.version(name)


def _emulator_tests(tests: Path, workdir: Path, pip: list[str], python: Path, env: dict[str, str]) -> None:
    """The emulator's start-up tests, from a copy outside the checkout, on the installed wheel."""
    run(
        [*pip, *(f"{name}=={_installed(name)}" for name in ("pytest-asyncio", "pytest-timeout"))],
        workdir,
        env,
    )
    suite = workdir / "emulator-tests"
    (suite / "tests").mkdir(parents=True)
    for name in ("conftest.py", "test_emulator_cli.py"):
        shutil.copy(tests / name, suite / "tests" / name)
    options = (tests.parent / "pyproject.toml").read_text()
    (suite / "pyproject.toml").write_text(options[options.index("[tool.pytest.ini_options]") :])
    out = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], suite, env, timeout=300)
    summary = out.strip().splitlines()[-1]
    if " failed" in summary or " error" in summary or " passed" not in summary:
        fail(f"the emulator's tests on the wheel: {summary}")
    step(f"the emulator's start-up tests on the installed wheel: {summary}")


if __name__ == "__main__":
    sys.exit(main())
