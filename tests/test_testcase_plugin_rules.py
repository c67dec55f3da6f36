"""The pytest plug-in for Connect test cases (``_testcase_plugin``), rule by rule, in process (so
that ``make mutate --module emulator._testcase_plugin`` sees it): which files are collected and
when, where the flows come from (option over ini, several folders), one emulator for the whole
run and stopped at its end, and how a failing case reads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from connect_participant_emulator import _service
from connect_participant_emulator import _testcase_plugin as plugin

pytest_plugins = ["pytester"]

DATA = Path(__file__).parent / "data"
SURVEYS = DATA / "flows" / "contact-surveys"
PASSING = "survey-initialization-text"  # runs on the surveys' flows with no plug-in


def _cases(pytester: pytest.Pytester, *names: str, folder: str = "cases") -> Path:
    cases = pytester.path / folder
    cases.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(DATA / "testcases" / f"{name}.test.json", cases)
    return cases


def _failing(cases: Path) -> None:
    broken = json.loads((DATA / "testcases" / f"{PASSING}.test.json").read_text())
    broken["Name"] = "wrong name"
    broken["Content"]["Observations"][1]["Actions"][0]["Parameters"]["Operand"] = "Bob"
    (cases / "wrong-name.test.json").write_text(json.dumps(broken))


def _flows_copy(pytester: pytest.Pytester, name: str) -> Path:
    target = pytester.path / name
    shutil.copytree(SURVEYS, target)
    return target


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every emulator the plug-in starts."""
    services: list[Any] = []
    start = _service.LocalParticipantService.start

    def counting(self: Any) -> Any:
        services.append(self)
        return start(self)

    monkeypatch.setattr(_service.LocalParticipantService, "start", counting)
    return services


def test_only_test_json_files_are_collected_named_by_their_cases(pytester: pytest.Pytester) -> None:
    cases = _cases(pytester, PASSING)
    (cases / "other.json").write_text("{}")
    (cases / "notes.test.txt").write_text("{}")
    items, _ = pytester.inline_genitems("--connect-flows", str(SURVEYS))
    assert [(type(i), i.name) for i in items] == [(plugin.TestCaseItem, PASSING)]
    (item,) = items
    assert item.reportinfo() == (cases / f"{PASSING}.test.json", 0, f"test case: {PASSING}")
    assert item.location[1:] == (0, f"test case: {PASSING}")
    assert item.report == ""  # not run yet


def test_nothing_is_collected_without_flows(pytester: pytest.Pytester, started: list[Any]) -> None:
    _cases(pytester, PASSING)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.inline_run("-p", "no:cacheprovider")
    assert result.getcalls("pytest_itemcollected") == []
    result.assertoutcome()  # and no error collecting
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    assert started == []


def test_cases_pass_on_one_emulator_for_the_run_stopped_at_its_end(
    pytester: pytest.Pytester, started: list[Any]
) -> None:
    cases = _cases(pytester, PASSING, "survey-welcome-and-queue")
    _failing(cases)
    result = pytester.inline_run("--connect-flows", str(SURVEYS), "-p", "no:cacheprovider")
    result.assertoutcome(passed=2, failed=1)
    assert len(started) == 1
    with pytest.raises(RuntimeError, match="not running"):
        _ = started[0].endpoint_url
    items = {call.item.name: call.item for call in result.getcalls("pytest_itemcollected")}
    assert "PASS" in items[PASSING].report  # the passing case's report is kept too
    url = _service.LocalParticipantService.endpoint_url_for(started[0].host, started[0].port)
    assert items[PASSING].user_properties == [("connect_emulator", url)]  # which emulator ran it
    (failure,) = result.getfailures()
    # a failed case reads as its report (observation, expected, actual), no traceback
    assert str(failure.longrepr) == items["wrong name"].report
    assert "FAIL  welcome (MessageReceived)" in str(failure.longrepr)
    assert "expected Equals Bob, actual Ann Smith" in str(failure.longrepr)
    assert failure.head_line == "test case: wrong name"


def test_an_error_of_the_run_reads_as_a_traceback(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    import connect_participant.testing

    def broken(case: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the runner broke")

    monkeypatch.setattr(connect_participant.testing, "run_test_case", broken)
    _cases(pytester, PASSING)
    result = pytester.inline_run("--connect-flows", str(SURVEYS), "-p", "no:cacheprovider")
    (failure,) = result.getfailures()
    text = str(failure.longrepr)
    assert "RuntimeError: the runner broke" in text
    assert "def broken" in text  # the traceback, as pytest shows any error


def test_the_flows_can_come_from_the_ini_file_relative_to_it(
    pytester: pytest.Pytester, started: list[Any]
) -> None:
    _flows_copy(pytester, "flows")
    _cases(pytester, PASSING)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nconnect_flows = flows\n")
    result = pytester.inline_run("-p", "no:cacheprovider")
    result.assertoutcome(passed=1)
    assert len(started) == 1


def test_the_option_overrides_the_ini_file(pytester: pytest.Pytester) -> None:
    (pytester.path / "empty").mkdir()
    _cases(pytester, PASSING)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\nconnect_flows = empty\n")
    pytester.inline_run("-p", "no:cacheprovider").assertoutcome(failed=1)  # no such flow there
    pytester.inline_run("--connect-flows", str(SURVEYS), "-p", "no:cacheprovider").assertoutcome(passed=1)


def test_the_option_can_be_given_several_times_and_every_folder_is_loaded(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "empty").mkdir()
    _cases(pytester, PASSING)
    for first, second in (("empty", str(SURVEYS)), (str(SURVEYS), "empty")):
        result = pytester.inline_run(
            "--connect-flows", first, "--connect-flows", second, "-p", "no:cacheprovider"
        )
        result.assertoutcome(passed=1)


def test_a_failed_case_is_an_assertion_error() -> None:
    assert issubclass(plugin.TestCaseFailed, AssertionError)


def test_the_help_names_the_option_and_the_ini_setting(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_inprocess("--help")
    out = result.stdout.str()
    assert "Amazon Connect test cases on the emulator:" in out
    assert re.search(
        r"--connect-flows=DIR\s+contact flows to run collected \*\.test\.json test cases on\s+\(repeatable\)",
        out,
    )
    assert re.search(r"connect_flows \(paths\):\s+contact flows for \*\.test\.json test cases", out)
