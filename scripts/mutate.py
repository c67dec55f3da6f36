"""Mutation testing of the policy modules with mutmut (``make mutate``; not part of ``make test``).

mutmut names a mutant after its module path with only a leading ``src.`` stripped, and runs the
tests from a copy of the tree; the facade lives in ``facade/connect_participant``. So each module
is run in its own workspace, ``.tmp/mutate/<module>`` (ignored by git), laid out as mutmut
expects: ``src/connect_participant`` (the facade), ``tests``, ``spec`` and ``pyproject.toml``
(the project's, with the ``[tool.mutmut]`` section below). Files are copied only when they
changed, so a later run re-tests only the functions that changed (mutmut keeps its verdicts
there) and, always, the mutants that survived last time (tests may have been added since).
One workspace per module keeps each module's test selection fixed: mutmut drops every verdict
when the selection changes. ``--fresh`` starts over.

Each module is mutated and checked against the fast tests that cover it (MODULES). Then every
mutant that was not killed is looked up in ``tests/mutation_survivors.txt``: the survivors judged
equivalent (no test can tell them apart) or not worth a test, one line why. The report prints,
per module, total / killed / survived / listed / score, where

    score = killed / (total - equivalent)

and lists the survivors nobody has explained yet (each needs a test, or a line in the file),
with their diffs, plus the file's stale lines (mutants that no longer exist or no longer survive).

    python scripts/mutate.py [--max-children N] [--module _tokens ...] [--report-only] [--fresh]
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKSPACES = ROOT / ".tmp" / "mutate"
PACKAGE = "connect_participant"
EMULATOR = "connect_participant_emulator"
CLI = "connect_participant_cli"
SURVIVORS = ROOT / "tests" / "mutation_survivors.txt"


@dataclass(frozen=True)
class Target:
    """One module to mutate: its package, the folder that holds the package, and the fast tests
    that cover it (pure tests first; loopback servers only where the module's behaviour is only
    reachable through them)."""

    package: str
    folder: str
    module: str
    tests: tuple[str, ...]

    @property
    def path(self) -> str:
        """The module's file below its package's folder: ``_tokens.py``, ``_flows/_interpreter.py``."""
        return self.module.replace(".", "/") + ".py"

    @property
    def source(self) -> Path:
        return ROOT / self.folder / self.package / self.path

    @property
    def dotted(self) -> str:
        """How mutmut's mutant names start: ``connect_participant._tokens``."""
        return f"{self.package}.{self.module}"


def _facade(module: str, *tests: str) -> Target:
    return Target(PACKAGE, "facade", module, tests)


def _emulator(module: str, *tests: str) -> Target:
    return Target(EMULATOR, "emulator", module, tests)


def _cli(module: str, *tests: str) -> Target:
    return Target(CLI, "cli", module, tests)


_EMULATOR_TESTS = (
    "tests/test_emulator_http.py",
    "tests/test_emulator_transfers.py",
    "tests/test_emulator_faults.py",
    "tests/test_emulator_robustness.py",
    "tests/test_chat_features.py",
    "tests/test_stated_rules_loopback.py",
)

# name (``--module``) -> what it mutates and the tests that must kill it. Facade modules keep
# their bare names; the emulator's are ``emulator.<module>``, the CLI's ``cli.<module>``.
MODULES: dict[str, Target] = {
    "_tokens": _facade(
        "_tokens",
        "tests/test_facade_tokens.py",
        "tests/test_facade_tokens_edges.py",
        "tests/test_token_model.py",
    ),
    "_retry": _facade(
        "_retry",
        "tests/test_facade_retry.py",
        "tests/test_facade_retry_edges.py",
        "tests/test_facade_retry_bounds.py",
    ),
    "_deadline": _facade("_deadline", "tests/test_deadline_net.py", "tests/test_facade_retry_bounds.py"),
    "_deadline_net": _facade("_deadline_net", "tests/test_deadline_net.py"),
    "_pagination": _facade(
        "_pagination", "tests/test_facade_transcript.py", "tests/test_facade_transcript_edges.py"
    ),
    "_secrets": _facade("_secrets", "tests/test_facade_secrets.py", "tests/test_facade_secrets_edges.py"),
    "_attachments": _facade(
        "_attachments",
        "tests/test_attachments_rules.py",
        "tests/test_attachments_rules_edges.py",
        "tests/test_attachments_download_rules.py",
    ),
    "_ws_protocol": _facade(
        "_ws_protocol",
        "tests/test_events_protocol.py",
        "tests/test_events_protocol_edges.py",
        "tests/test_events_protocol_refused.py",
        "tests/test_events_protocol_live.py",
        "tests/test_events_protocol_held.py",
    ),
    "_errors": _facade("_errors", "tests/test_facade_errors.py", "tests/test_facade_errors_edges.py"),
    "_delivery": _facade(
        "_delivery",
        "tests/test_delivery_rules.py",
        "tests/test_stated_rules.py",
        "tests/test_events_protocol.py",
        "tests/test_events_protocol_edges.py",
    ),
    "_endpoints": _facade(
        "_endpoints",
        "tests/test_endpoints_rules.py",
        "tests/test_facade_endpoints.py",
        "tests/test_stated_rules.py",
    ),
    "_interactive": _facade("_interactive", "tests/test_interactive_rules.py", "tests/test_interactive.py"),
    "_config": _facade("_config", "tests/test_config_rules.py", "tests/test_facade_config.py"),
    "_validation": _facade(
        "_validation", "tests/test_validation_rules.py", "tests/test_facade_validation.py"
    ),
    "_streaming": _facade("_streaming", "tests/test_validation_rules.py", "tests/test_streaming.py"),
    "testing": _facade(
        "testing",
        "tests/test_conversation_rules.py",
        "tests/test_conversation.py",
        "tests/test_stated_rules_loopback.py",
    ),
    "_regions": _facade("_regions", "tests/test_regions_rules.py", "tests/test_endpoints_rules.py"),
    "_testcase_report": _facade("_testcase_report", "tests/test_testcase_report_rules.py"),
    "_testcase": _facade("_testcase", "tests/test_testcase_rules.py"),
    # the runner's loop (events, flow steps, timing, the chat's clock) is only reachable with a
    # chat: a few loopback tests of the suite after the rules
    "_testcase_runner": _facade(
        "_testcase_runner",
        "tests/test_testcase_runner_rules.py",
        "tests/test_testcase_runner_collect.py",
        "tests/test_testcase_runner_run.py",
        "tests/test_testcases.py::test_the_suite_passes_offline",
        "tests/test_testcases.py::test_a_failing_case_names_the_observation_expected_and_actual",
        "tests/test_testcases.py::test_a_five_minute_wait_ends_at_once_on_the_chat_s_own_clock",
        "tests/test_testcases.py::test_without_a_clock_to_advance_the_run_ends_after_idle_time",
        "tests/test_testcases.py::test_clock_limit_bounds_what_the_runner_skips",
    ),
    "cli._output": _cli("_output", "tests/test_cli_output_rules.py"),
    "cli._upload": _cli("_upload", "tests/test_cli_output_rules.py"),
    # the model, the features and the operations are pure code over the state: their rule tests
    # call them directly (a fake clock, a recording loop). A loopback test covers most of their
    # functions, so each one slows every surviving mutant: only _features keeps one file (its
    # streams and timers on a real loop, ~9 s)
    "emulator._model": _emulator("_model", "tests/test_emulator_model_rules.py"),
    "emulator._features": _emulator(
        "_features", "tests/test_emulator_features_rules.py", "tests/test_chat_features.py"
    ),
    "emulator._operations": _emulator("_operations", "tests/test_emulator_operations_rules.py"),
    "emulator._validation": _emulator(
        "_validation",
        "tests/test_emulator_validation_rules.py",
        "tests/test_emulator_cli.py",
        *_EMULATOR_TESTS,
    ),
    "emulator._flows._values": _emulator(
        "_flows._values",
        "tests/test_flows_values_rules.py",
        "tests/test_flows_interpreter.py",
        "tests/test_flows_document.py",
    ),
    "emulator._flows._document": _emulator(
        "_flows._document", "tests/test_flows_document_rules.py", "tests/test_flows_document.py"
    ),
    # pure and fast only (the property test takes seconds per mutant)
    "emulator._flows._interpreter": _emulator(
        "_flows._interpreter", "tests/test_flows_interpreter_rules.py", "tests/test_flows_interpreter.py"
    ),
    "emulator._faults": _emulator(
        "_faults", "tests/test_emulator_faults_rules.py", "tests/test_emulator_faults.py"
    ),
    "emulator._testcase_plugin": _emulator("_testcase_plugin", "tests/test_testcase_plugin_rules.py"),
    "emulator._flows._plugins": _emulator(
        "_flows._plugins", "tests/test_flows_plugins_rules.py", "tests/test_flows_interpreter.py"
    ),
    "emulator._flows._library": _emulator(
        "_flows._library", "tests/test_flows_library_rules.py", "tests/test_flows_document.py"
    ),
    "emulator._flows._engine": _emulator(
        "_flows._engine",
        "tests/test_flows_engine_rules.py",
        "tests/test_flows_emulator.py",
        # reads the emulator's README, which the workspace does not copy
        "--deselect=tests/test_flows_emulator.py::test_the_emulator_readme_s_flow_example_runs",
        # runs the command line in a subprocess, which imports the unmutated emulator
        "--deselect=tests/test_flows_emulator.py::test_the_command_line_loads_flows_and_names_their_problems",
    ),
}

# what mutmut reports -> how it counts here
KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def _sync_tree(src: Path, dst: Path) -> None:
    """Make ``dst`` a copy of ``src`` (``.py``/data files); unchanged files keep their mtime."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for path in src.rglob("*"):
        if "__pycache__" in path.parts:
            continue
        rel = path.relative_to(src)
        wanted.add(rel)
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif not target.exists() or not filecmp.cmp(path, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)  # a fresh mtime: mutmut re-mutates files newer than their mutants
    for path in sorted(dst.rglob("*"), reverse=True):
        rel = path.relative_to(dst)
        if "__pycache__" in path.parts or rel in wanted:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _workspace(module: str) -> Path:
    return WORKSPACES / module


def prepare(name: str) -> None:
    target = MODULES[name]
    work = _workspace(name)
    copy = work / "src" / target.package / target.path
    if copy.exists() and not filecmp.cmp(target.source, copy, shallow=False):
        # mutmut re-collects which tests cover which function only for new tests: functions new
        # in a changed module would be "no tests". Make it collect them all again.
        (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    # the facade always (the emulator's and the CLI's tests use it too); the emulator or the CLI
    # only when it is mutated, else the tests import it from the checkout
    packages = [PACKAGE] if target.package == PACKAGE else [PACKAGE, target.package]
    _sync_tree(ROOT / "facade" / PACKAGE, work / "src" / PACKAGE)
    if target.package != PACKAGE:
        _sync_tree(ROOT / target.folder / target.package, work / "src" / target.package)
    _sync_tree(ROOT / "tests", work / "tests")
    _sync_tree(ROOT / "spec", work / "spec")
    config = f"""

[tool.mutmut]
source_paths = {_toml_list([f"src/{package}" for package in packages])}
only_mutate = ["src/{target.package}/{target.path}"]
pytest_add_cli_args_test_selection = {_toml_list(list(target.tests))}
# a mutant that sleeps (a retry delay, say) uses no CPU time, so mutmut's CPU limit never stops it
pytest_add_cli_args = ["-q", "--timeout=20"]
use_git_change_detection = false
"""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8") + config
    toml = work / "pyproject.toml"
    if not toml.exists() or toml.read_text(encoding="utf-8") != text:
        toml.write_text(text, encoding="utf-8")
    meta = work / "mutants" / "src" / target.package / f"{target.path}.meta"
    if meta.exists():
        # test the survivors again: tests may have been added for them since
        data = json.loads(meta.read_text(encoding="utf-8"))
        verdicts = data["exit_code_by_key"]
        for key, code in verdicts.items():
            if code is not None and code not in (1, 3, 36, 37, 24, -24, 152, 255, -11, -9):  # killed
                verdicts[key] = None
        meta.write_text(json.dumps(data, indent=4), encoding="utf-8")


def has_functions(name: str) -> bool:
    """mutmut mutates only function and method bodies: a module of constants has no mutants (and
    mutmut stops with an error when no test covers any)."""
    tree = ast.parse(MODULES[name].source.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) for node in ast.walk(tree))


def run_mutmut(name: str, max_children: int) -> None:
    mutmut = Path(sys.executable).parent / "mutmut"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    print(f"=== mutmut: {name} (tests: {' '.join(MODULES[name].tests)})", flush=True)
    subprocess.run(
        [str(mutmut), "run", "--max-children", str(max_children)], cwd=_workspace(name), env=env, check=True
    )


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    name: str  # connect_participant._tokens.x_decode__mutmut_7
    status: str
    diff: str
    target: str  # the MODULES name it belongs to

    @property
    def function(self) -> str:
        return self.name.partition("__mutmut_")[0]

    @property
    def key(self) -> str:
        """Function plus the changed lines: stays the same when other mutants are renumbered."""
        removed = [
            line[1:].strip()
            for line in self.diff.splitlines()
            if line.startswith("-") and not line.startswith("---")
        ]
        added = [
            line[1:].strip()
            for line in self.diff.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        return f"{self.function} | {' / '.join(removed)} => {' / '.join(added)}"


def collect(modules: list[str]) -> list[Mutant]:
    """Every mutant of ``modules`` with its status and diff, read through mutmut's own API."""
    from mutmut.configuration import reset_config
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    here = Path.cwd()
    out = []
    try:
        for module in modules:
            work = _workspace(module)
            if not (work / "pyproject.toml").exists():
                continue
            os.chdir(work)
            reset_config()
            target = MODULES[module]
            path = Path("src") / target.package / target.path
            data = SourceFileMutationData(path=path)
            data.load()
            for name, code in sorted(data.exit_code_by_key.items()):
                status = status_by_exit_code[code]
                # a diff is read only where the report shows one: the runner's module is 1.6 MB
                # once mutated, and diffing every unchecked mutant of it took minutes
                shown = status not in KILLED and status != "not checked"
                diff = get_diff_for_mutant(name, path=path) if shown else ""
                out.append(Mutant(name, status, diff, module))
    finally:
        os.chdir(here)
    return out


@dataclass(frozen=True)
class Listed:
    key: str
    kind: str  # "equivalent" or "not worth a test"
    why: str
    line: int


def read_survivors_file() -> dict[str, Listed]:
    """``function | removed => added | equivalent|not worth a test: why`` per line; # comments."""
    listed: dict[str, Listed] = {}
    if not SURVIVORS.exists():
        return listed
    for number, raw in enumerate(SURVIVORS.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"(.+?) \| (.*) \|\| (equivalent|not worth a test): (.+)", line)
        if match is None:
            raise SystemExit(
                f"{SURVIVORS.name}:{number}: expected 'function | removed => added || kind: why'"
            )
        function, change, kind, why = match.groups()
        key = f"{function} | {change}"
        listed[key] = Listed(key, kind, why, number)
    return listed


def report(mutants: list[Mutant], modules: list[str]) -> int:
    listed = read_survivors_file()
    seen: set[str] = set()
    unexplained: list[Mutant] = []
    rows = []
    totals: Counter[str] = Counter()
    for module in modules:
        mine = [m for m in mutants if m.target == module]
        counts: Counter[str] = Counter()
        for mutant in mine:
            if mutant.status in KILLED:
                counts["killed"] += 1
                continue
            if mutant.status == "not checked":
                counts["not checked"] += 1
                continue
            entry = listed.get(mutant.key)
            if entry is not None:
                seen.add(entry.key)
                counts["equivalent" if entry.kind == "equivalent" else "not worth"] += 1
            else:
                unexplained.append(mutant)
            counts["survived"] += 1
        counts["total"] = len(mine)
        totals.update(counts)
        rows.append((module, counts))
    rows.append(("all", totals))

    print()
    print(
        f"{'module':<22}{'total':>7}{'killed':>8}{'survived':>10}{'equiv.':>8}{'not worth':>11}{'score':>8}"
    )
    for module, c in rows:
        relevant = c["total"] - c["equivalent"] - c["not checked"]
        score = f"{100 * c['killed'] / relevant:.1f}%" if relevant else "-"
        print(
            f"{module:<22}{c['total']:>7}{c['killed']:>8}{c['survived']:>10}{c['equivalent']:>8}"
            f"{c['not worth']:>11}{score:>8}"
        )
    if totals["not checked"]:
        print(f"({totals['not checked']} mutants not checked yet: the run was interrupted)")
    print("score = killed / (total - equivalent); timeouts count as killed")

    if unexplained:
        print(
            f"\n{len(unexplained)} surviving mutants need a test or a line in {SURVIVORS.relative_to(ROOT)}:"
        )
        for mutant in unexplained:
            print(f"\n# {mutant.name}: {mutant.status}")
            print(f"# key: {mutant.key}")
            print("\n".join(mutant.diff.splitlines()[2:]))
    ran = {MODULES[m.target].dotted for m in mutants}
    stale = [e for k, e in listed.items() if k not in seen and k.split(" | ")[0].rpartition(".")[0] in ran]
    if stale:
        print(
            f"\n{len(stale)} lines of {SURVIVORS.name} match no surviving mutant (killed now, or the code changed):"
        )
        for entry in stale:
            print(f"  line {entry.line}: {entry.key}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutants (default 2)")
    parser.add_argument("--module", action="append", choices=sorted(MODULES), help="only these (repeatable)")
    parser.add_argument("--report-only", action="store_true", help="print the last run's results")
    parser.add_argument("--fresh", action="store_true", help="drop the workspaces' earlier verdicts first")
    args = parser.parse_args()
    modules = args.module or list(MODULES)
    if not args.report_only:
        for module in modules:
            if args.fresh:
                shutil.rmtree(_workspace(module), ignore_errors=True)
            if not has_functions(module):
                print(f"=== mutmut: {module}: no function or method, nothing to mutate", flush=True)
                continue
            prepare(module)
            run_mutmut(module, args.max_children)
    return report(collect(modules), modules)


if __name__ == "__main__":
    sys.exit(main())
