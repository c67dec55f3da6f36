"""pytest collects Connect test cases (``*.test.json``, Testing language 2025-06-21) and runs
each on the emulator, one chat per case: ``pytest --connect-flows tests/flows tests/cases``
(or ``connect_flows = tests/flows`` in the ini file). Without flows, nothing is collected.
Under pytest-xdist each worker runs its own emulator: the runner sets a case's overrides on the
emulator's flows in its own process, so the emulator must live there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_SERVICE = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("connect-test-cases", "Amazon Connect test cases on the emulator")
    group.addoption(
        "--connect-flows",
        action="append",
        default=[],
        metavar="DIR",
        help="contact flows to run collected *.test.json test cases on (repeatable)",
    )
    parser.addini("connect_flows", "contact flows for *.test.json test cases", type="paths", default=[])


def _flow_paths(config: pytest.Config) -> list[Path]:
    given = [Path(p) for p in config.getoption("connect_flows") or []]
    return given or [Path(p) for p in config.getini("connect_flows")]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(".test.json") and _flow_paths(parent.config):
        return TestCaseFile.from_parent(parent, path=file_path)
    return None


def pytest_unconfigure(config: pytest.Config) -> None:
    service = config.stash.get(_SERVICE, None)
    if service is not None:
        service.stop()


class TestCaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from connect_participant.testing import load_test_cases

        for _, case in load_test_cases([self.path]):
            yield TestCaseItem.from_parent(self, name=case.name, case=case)


class TestCaseItem(pytest.Item):
    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.report = ""

    def _service(self) -> Any:
        service = self.config.stash.get(_SERVICE, None)
        if service is None:
            from ._service import LocalParticipantService
            from .flows import ContactFlows

            service = LocalParticipantService(flows=ContactFlows(*_flow_paths(self.config))).start()
            self.config.stash[_SERVICE] = service
        return service

    def runtest(self) -> None:
        from connect_participant.testing import run_test_case

        service = self._service()
        # which emulator ran it (under pytest-xdist: the worker's own), in the JUnit XML too
        self.user_properties.append(("connect_emulator", service.endpoint_url))
        result = run_test_case(self.case, service=service)
        self.report = result.report()
        if not result.passed:
            raise TestCaseFailed(self.report)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TestCaseFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"test case: {self.name}"


class TestCaseFailed(AssertionError):
    """A test case's observation failed (the report says which, expected and actual)."""
