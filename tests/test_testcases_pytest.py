"""pytest collects ``*.test.json`` Connect test cases (given flows) and runs each on the emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
#: the installed plugins these runs have no use for (locust's imports gevent): a quicker start
QUIET = ("-p", "no:cacheprovider", "-p", "no:locust", "-p", "no:schemathesis", "-p", "no:hypothesispytest")


def test_test_json_files_are_collected_and_run(pytester: pytest.Pytester) -> None:
    cases = pytester.path / "cases"
    cases.mkdir()
    for name in ("survey-welcome-and-queue", "survey-initialization-text"):
        shutil.copy(DATA / "testcases" / f"{name}.test.json", cases)
    broken = json.loads((DATA / "testcases" / "survey-initialization-text.test.json").read_text())
    broken["Name"] = "wrong name"
    broken["Content"]["Observations"][1]["Actions"][0]["Parameters"]["Operand"] = "Bob"
    (cases / "wrong-name.test.json").write_text(json.dumps(broken))
    (cases / "not-a-case.json").write_text("{}")  # only *.test.json are test cases

    result = pytester.runpytest_subprocess("--connect-flows", str(DATA / "flows"), "cases", *QUIET)
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "FAIL  welcome (MessageReceived)" in out
    assert "expected Equals Bob, actual Ann Smith" in out


def test_nothing_is_collected_without_flows(pytester: pytest.Pytester) -> None:
    shutil.copy(DATA / "testcases" / "survey-welcome-and-queue.test.json", pytester.path)
    result = pytester.runpytest_subprocess(*QUIET)
    result.assert_outcomes()


def test_the_cases_run_under_pytest_xdist_one_emulator_per_worker(pytester: pytest.Pytester) -> None:
    """``-n 2``: every case passes, and each worker ran its cases on an emulator of its own
    (the runner needs the emulator in its process: a case's overrides are set on its flows)."""
    cases = pytester.path / "cases"
    cases.mkdir()
    names = ("survey-welcome-and-queue", "survey-initialization-text", "survey-initialization-numbers")
    for name in (*names, "survey-queue-at-capacity"):
        shutil.copy(DATA / "testcases" / f"{name}.test.json", cases)
    result = pytester.runpytest_subprocess(
        "-n", "2", "--dist", "load", "--connect-flows", str(DATA / "flows"), "cases", *QUIET,
        "--junitxml", "junit.xml", "-o", "junit_family=xunit1",
    )  # fmt: skip
    result.assert_outcomes(passed=4)
    emulators: dict[str, set[str]] = {}
    for case in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase"):
        found = {p.get("name"): p.get("value") for p in case.iter("property")}
        emulators.setdefault(found["connect_emulator"] or "", set()).add(case.get("name") or "")
    assert len(emulators) == 2, emulators  # two emulators, two cases each (load: 2 per worker)
    assert sorted(len(ran) for ran in emulators.values()) == [2, 2]
