"""Start-up surfaces: the command line, ``python -m``, the pytest fixtures, the validator."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys

import connect_participant_emulator
import httpx
import pytest
from connect_participant_emulator import EmulatorConfig, LocalParticipantService
from connect_participant_emulator._cli import main
from connect_participant_emulator._spec import load_spec, spec_path
from connect_participant_emulator._validation import SchemaValidator, format_issues


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_python_dash_m_serves_and_stops_cleanly_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "connect_participant_emulator", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        # Ctrl-C as in a terminal: a shell without job control starts background commands with
        # SIGINT ignored, and children inherit that (then no Python program stops on SIGINT)
        preexec_fn=_default_sigint,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.strip().rsplit(" ", 1)[-1]
        chat = httpx.put(
            url + "/contact/chat",
            json={"InstanceId": "i", "ContactFlowId": "f", "ParticipantDetails": {"DisplayName": "Cli"}},
        )
        assert chat.status_code == 200
        assert "ParticipantToken" in chat.json()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None
        errors = process.stderr.read()
        assert "Traceback" not in errors
        assert chat.json()["ParticipantToken"] not in errors
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_cli_reports_a_port_it_cannot_use(capsys: pytest.CaptureFixture[str]) -> None:
    with LocalParticipantService() as busy:
        assert main(["--port", str(busy.port)]) == 1
    assert "cannot listen" in capsys.readouterr().err


def test_cli_help_lists_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out
    assert "--throttling" in out


@pytest.mark.participant_service(connection_token_ttl=123.0, throttling=True)
def test_marker_options_reach_the_fixture(participant_service: LocalParticipantService) -> None:
    assert participant_service.config.connection_token_ttl == 123.0
    assert httpx.get(participant_service.endpoint_url + "/_emulator/throttling").json()["enabled"] is True


def test_session_fixture_serves(participant_service_session: LocalParticipantService) -> None:
    chat = participant_service_session.start_chat()
    assert chat.contact_id in participant_service_session.emulator.state.contacts
    assert "participant_token" not in repr(chat)


def test_service_start_stop_and_config() -> None:
    service = LocalParticipantService(config=EmulatorConfig(websocket_url_ttl=5), connection_token_ttl=7)
    with pytest.raises(RuntimeError):
        _ = service.endpoint_url
    with service:
        assert service.config.websocket_url_ttl == 5
        assert service.config.connection_token_ttl == 7
        assert httpx.get(service.endpoint_url + "/_emulator/health").json()["spec_operations"] == 11
        port = service.port
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=2)


def test_spec_is_found_and_loaded() -> None:
    path = spec_path()
    assert path is not None
    assert path.name == "connect-participant.openapi.json"
    spec = load_spec()
    assert set(spec.operations) >= {"SendMessage", "GetTranscript", "DescribeView"}
    send = spec.operations["SendMessage"]
    assert (send.method, send.path, send.body_required) == ("POST", "/participant/message", True)
    assert any(p.name == "X-Amz-Bearer" and p.required for p in send.parameters)


def test_validator_subset() -> None:
    document = {
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "required": ["Name"],
                    "additionalProperties": False,
                    "properties": {
                        "Name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2},
                        "Count": {"type": ["integer", "null"], "exclusiveMinimum": 0},
                        "Tags": {
                            "type": "object",
                            "propertyNames": {"maxLength": 3},
                            "additionalProperties": {"type": "string"},
                        },
                        "Kind": {"anyOf": [{"const": "a"}, {"const": "b"}]},
                        "Only": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                        "Unicode": {"type": "string", "pattern": "^\\p{L}+$"},
                        "List": {"type": "array", "items": {"$ref": "#/components/schemas/Leaf"}},
                    },
                },
                "Leaf": {"type": "number", "maximum": 1.5},
            }
        }
    }
    validator = SchemaValidator(document)
    thing = {"$ref": "#/components/schemas/Thing"}
    good = {
        "Name": "abc",
        "Count": 3,
        "Tags": {"abc": "x"},
        "Kind": "a",
        "Only": 2,
        "Unicode": "whatever",
        "List": [1, 1.5],
    }
    assert validator.validate(good, thing) == []
    assert validator.validate({**good, "Count": None}, thing) == []
    assert validator.validate({**good, "Count": 2.0}, thing) == []
    bad = {"Count": 0, "Tags": {"long": 1}, "Kind": "c", "Only": True, "List": [2], "Extra": 1}
    issues = validator.validate(bad, thing)
    paths = sorted(issue.path for issue in issues)
    assert paths == ["count", "extra", "kind", "list.1.member", "name", "only", "tags.long", "tags.long.key"]
    message = format_issues(issues)
    assert message.startswith("8 validation errors detected: ")
    assert "Value null at 'name' failed to satisfy constraint: Member must not be null" in message
    assert validator.validate({"Name": "A1"}, thing)[0].constraint.startswith(
        "Member must satisfy regular expression"
    )
    assert validator.validate(True, {"type": "integer"})
    assert validator.validate("x", {"enum": ["y"]})
    loop = SchemaValidator({"a": {"$ref": "#/a"}})
    with pytest.raises(ValueError, match="loop"):
        loop.validate(1, {"$ref": "#/a"})


def test_packaged_spec_is_preferred(tmp_path: pathlib.Path) -> None:
    """As installed from the wheel: the document sits in the package's _spec folder (in a wheel
    install the copied package already has one; from a checkout it is made here)."""
    source = pathlib.Path(connect_participant_emulator.__file__).parent
    package = tmp_path / "connect_participant_emulator"
    shutil.copytree(source, package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "_spec").mkdir(exist_ok=True)
    document = json.loads(pathlib.Path(str(spec_path())).read_text())
    del document["paths"]["/participant/message"]
    (package / "_spec" / "connect-participant.openapi.json").write_text(json.dumps(document))
    code = (
        "from connect_participant_emulator._spec import load_spec, spec_path;"
        "print(spec_path()); print(len(load_spec().operations))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    where, count = done.stdout.split()
    assert where == str(package / "_spec" / "connect-participant.openapi.json")
    assert count == "10"
