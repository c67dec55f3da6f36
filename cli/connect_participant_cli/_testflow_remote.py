"""``test-flow --instance-id``: the same test cases through Amazon Connect's own test APIs
(CreateTestCase, StartTestCaseExecution, GetTestCaseExecutionSummary,
ListTestCaseExecutionRecords, DeleteTestCase), boto3 from the ``[aws]`` extra, and the same
report. Connect runs five at a time; each run is a real contact."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from connect_participant._testcase import ObservationResult, TestCase
from connect_participant.testing import TestCaseResult

from ._flows import PullError, _client

#: Connect runs at most five test cases of an instance at once
CONNECT_CONCURRENCY = 5
_DONE = ("PASSED", "FAILED", "STOPPED")


def _records(client: Any, instance_id: str, test_case_id: str, execution_id: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = client.list_test_case_execution_records(
            InstanceId=instance_id,
            TestCaseId=test_case_id,
            TestCaseExecutionId=execution_id,
            **({"NextToken": token} if token else {}),
        )
        records.extend(page.get("ExecutionRecords", []))
        token = page.get("NextToken")
        if not token:
            return records


def run_remote_case(
    client: Any,
    instance_id: str,
    source: str,
    case: TestCase,
    *,
    poll: float = 2.0,
    time_limit: float = 360.0,
    keep: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> TestCaseResult:
    """Create the test case on the instance, run it, wait for its end, read its records."""
    started = time.monotonic()
    result = TestCaseResult(
        case.name,
        [ObservationResult(o.identifier, o.event_type) for o in case.observations],
        source=source,
    )
    if case.flow_id is None:
        result.error = "no EntryPoint.ChatEntryPointParameters.FlowId: a real instance needs the flow's id"
        return result
    request: dict[str, Any] = {
        "InstanceId": instance_id,
        "Name": case.name,
        "Content": json.dumps(case.content),
        "EntryPoint": {"Type": "CHAT", "ChatEntryPointParameters": {"FlowId": case.flow_id}},
        "Status": "PUBLISHED",
    }
    if case.initialization_data:
        request["InitializationData"] = case.initialization_data
    test_case_id = client.create_test_case(**request)["TestCaseId"]
    try:
        execution = client.start_test_case_execution(
            InstanceId=instance_id, TestCaseId=test_case_id, ClientToken=str(uuid.uuid4())
        )
        execution_id = execution["TestCaseExecutionId"]
        status = execution.get("Status", "INITIATED")
        while status not in _DONE:
            if time.monotonic() - started > time_limit:
                client.stop_test_case_execution(
                    InstanceId=instance_id,
                    TestCaseId=test_case_id,
                    TestCaseExecutionId=execution_id,
                    ClientToken=str(uuid.uuid4()),
                )
                result.error = f"still running after {time_limit:g} s: stopped"
                break
            sleep(poll)
            summary = client.get_test_case_execution_summary(
                InstanceId=instance_id, TestCaseId=test_case_id, TestCaseExecutionId=execution_id
            )
            status = summary.get("Status", status)
        by_id = {o.identifier: o for o in result.observations}
        for record in _records(client, instance_id, test_case_id, execution_id):
            observation = by_id.get(str(record.get("ObservationId")))
            if observation is None:
                continue
            observation.status = {"PASSED": "passed", "FAILED": "failed"}.get(
                str(record.get("Status")), "missed"
            )
            observation.actual = str(record.get("Record") or "")
        if status == "FAILED" and all(o.passed for o in result.observations) and result.error is None:
            result.error = "Connect reports the run FAILED (no failed observation recorded)"
        result.end_reason = f"Connect: {status}"
        result.contact_id = execution_id
    finally:
        if not keep:
            client.delete_test_case(InstanceId=instance_id, TestCaseId=test_case_id)
    result.seconds = time.monotonic() - started
    return result


def run_on_instance(
    cases: Sequence[tuple[str, TestCase]],
    *,
    instance_id: str,
    region: str | None = None,
    endpoint_url: str | None = None,
    profile: str | None = None,
    poll: float = 2.0,
    keep: bool = False,
) -> list[TestCaseResult]:
    try:
        import botocore.exceptions  # type: ignore[import-untyped]
    except ImportError:
        raise PullError(
            '--instance-id needs boto3: pip install "connect-participant[aws]"', usage=True
        ) from None
    try:
        client = _client(region, endpoint_url, profile)
        with ThreadPoolExecutor(max_workers=CONNECT_CONCURRENCY) as pool:
            return list(
                pool.map(
                    lambda item: run_remote_case(client, instance_id, item[0], item[1], poll=poll, keep=keep),
                    cases,
                )
            )
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "") or "Connect"
        raise PullError(
            f"{operation}: {error.get('Code', 'error')}: {error.get('Message', '')}", usage=False
        ) from None
    except (botocore.exceptions.NoRegionError, botocore.exceptions.NoCredentialsError) as exc:
        raise PullError(str(exc), usage=True) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise PullError(f"Connect: {type(exc).__name__}: {exc}", usage=False) from None
