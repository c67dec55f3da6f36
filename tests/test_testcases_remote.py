"""``test-flow --instance-id``: the same test-case files through Amazon Connect's test APIs, with
botocore pointed at a local stub of those APIs (no credentials, no network)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from connect_participant_cli import main

CASES = Path(__file__).parent / "data" / "testcases"


class ConnectTestApis:
    """Connect's test-case APIs as a stub: each execution is IN_PROGRESS for one poll, then ends
    with the records ``outcome`` gives (observation id -> (status, record))."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.polls: dict[str, int] = {}
        self.outcome: dict[str, tuple[str, str]] = {}
        self.lock = threading.Lock()

    def answer(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if method == "PUT" and (m := re.fullmatch(r"/test-cases/([^/]+)", path)):
                case_id = f"tc-{len(self.created) + 1}"
                self.created.append({"InstanceId": m[1], "TestCaseId": case_id, **body})
                return 200, {"TestCaseId": case_id, "TestCaseArn": f"arn:aws:connect:::test-case/{case_id}"}
            if method == "PUT" and (m := re.fullmatch(r"/test-cases/[^/]+/([^/]+)/start-execution", path)):
                self.polls[f"ex-{m[1]}"] = 0
                return 200, {"TestCaseExecutionId": f"ex-{m[1]}", "TestCaseId": m[1], "Status": "INITIATED"}
            if method == "GET" and (m := re.fullmatch(r"/test-cases/[^/]+/[^/]+/([^/]+)/summary", path)):
                self.polls[m[1]] += 1
                failed = any(status == "FAILED" for status, _ in self.outcome.values())
                status = "IN_PROGRESS" if self.polls[m[1]] < 2 else ("FAILED" if failed else "PASSED")
                return 200, {"Status": status, "ObservationSummary": {"TotalObservations": len(self.outcome)}}
            if method == "GET" and re.fullmatch(r"/test-cases/[^/]+/[^/]+/[^/]+/records", path):
                records = [
                    {"ObservationId": ident, "Status": status, "Record": record, "Timestamp": 1.0}
                    for ident, (status, record) in self.outcome.items()
                ]
                return 200, {"ExecutionRecords": records}
            if method == "DELETE" and (m := re.fullmatch(r"/test-cases/[^/]+/([^/]+)", path)):
                self.deleted.append(m[1])
                return 200, {}
        return 404, {"message": f"no route {method} {path}"}


@pytest.fixture
def connect() -> Iterator[tuple[ConnectTestApis, str]]:
    apis = ConnectTestApis()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}") if length else {}
            status, answer = apis.answer(self.command, self.path.split("?")[0], body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 404:
                self.send_header("x-amzn-ErrorType", "ResourceNotFoundException")
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = _serve

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield apis, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "stub")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "stub")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))


def test_the_same_file_runs_through_connect_s_test_apis(
    connect: tuple[ConnectTestApis, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    apis, url = connect
    apis.outcome = {
        "start": ("PASSED", "test initiated"),
        "welcome": ("PASSED", "message 'Welcome to the simple survey demonstration.'"),
        "disconnect": ("PASSED", "DisconnectParticipant started"),
        "completed": ("PASSED", "test completed"),
    }
    path = CASES / "survey-queue-at-capacity.test.json"
    junit = tmp_path / "junit.xml"
    code = main(
        [
            "test-flow",
            str(path),
            "--instance-id",
            "inst-1",
            "--endpoint-url",
            url,
            "--poll",
            "0.01",
            "--junit",
            str(junit),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    (created,) = apis.created
    original = json.loads(path.read_text())
    assert created["InstanceId"] == "inst-1"
    assert json.loads(created["Content"]) == original["Content"]  # EmulatorResources stays home
    assert "EmulatorResources" not in created["Content"]
    assert created["EntryPoint"] == {
        "Type": "CHAT",
        "ChatEntryPointParameters": {"FlowId": "Simple Survey Example"},
    }
    assert apis.deleted == [created["TestCaseId"]]
    assert "PASSED  survey-queue-at-capacity" in out
    assert "PASS  welcome (MessageReceived)" in out
    assert "Connect: PASSED" in out
    assert "<testsuites" in junit.read_text()


def test_a_failed_observation_on_the_instance_is_reported(
    connect: tuple[ConnectTestApis, str], capsys: pytest.CaptureFixture[str]
) -> None:
    apis, url = connect
    apis.outcome = {
        "start": ("PASSED", "test initiated"),
        "welcome": ("FAILED", "expected a message containing 'Welcome to'; got 'Hello'"),
    }
    path = CASES / "survey-initialization-text.test.json"
    code = main(["test-flow", str(path), "--instance-id", "inst-1", "--endpoint-url", url, "--poll", "0.01"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  welcome (MessageReceived)" in out
    assert "got 'Hello'" in out
    assert json.loads(apis.created[0]["InitializationData"]) == {"Attributes": {"customerName": "Ann Smith"}}


def test_connect_s_errors_are_reported(
    connect: tuple[ConnectTestApis, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, url = connect
    path = CASES / "survey-welcome-and-queue.test.json"
    code = main(["test-flow", str(path), "--instance-id", "inst-1", "--endpoint-url", url + "/nowhere"])
    assert code == 1
    assert "service error" in capsys.readouterr().err
