"""pytest collects ``*.test.json`` Connect test cases (given flows) and runs each on the emulator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"


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

    result = pytester.runpytest_subprocess(
        "--connect-flows", str(DATA / "flows"), "cases", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "FAIL  welcome (MessageReceived)" in out
    assert "expected Equals Bob, actual Ann Smith" in out


def test_nothing_is_collected_without_flows(pytester: pytest.Pytester) -> None:
    shutil.copy(DATA / "testcases" / "survey-welcome-and-queue.test.json", pytester.path)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes()
