"""The contact-flow docs stay true: the guide's examples (``docs/flows.md``) run as written, and
the emulator README's table of supported actions is the interpreter's registry.

The guide's Python blocks run in page order, each in a fresh working directory; a block that
defines ``test_*`` functions runs as a test module would (then each test is called), as the
docs' Sybil runner does. When that runner (``conftest.py`` at the top, Sybil) is there, it runs
this page with the others and the guide's test here steps aside.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from connect_participant_emulator.flows import NO_OP_TYPES, SUPPORTED_TYPES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "flows.md"
README = ROOT / "emulator" / "connect_participant_emulator" / "README.md"
_BLOCK = re.compile(r"(<!-- skip: next \"[^\"]*\" -->\n)?```(python|bash)\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str, bool]]:
    """(language, code, skipped) for each code block of the guide, in page order."""
    return [(m[2], m[3], bool(m[1])) for m in _BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))]


def _sybil_runs_the_docs() -> bool:
    conftest = ROOT / "conftest.py"
    return conftest.exists() and "sybil" in conftest.read_text(encoding="utf-8").lower()


@pytest.mark.skipif(_sybil_runs_the_docs(), reason="the docs runner (Sybil, conftest.py) runs docs/flows.md")
def test_the_guide_s_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran_tests: list[str] = []
    python_blocks = 0
    for number, (language, code, skipped) in enumerate(_blocks(), 1):
        if language == "bash":
            assert skipped, f"block {number}: a shell example here would need AWS or run forever"
            checked = subprocess.run(["bash", "-n", "-c", code], capture_output=True, text=True, check=False)
            assert checked.returncode == 0, checked.stderr
            continue
        python_blocks += 1
        workdir = tmp_path / f"block-{number}"
        workdir.mkdir()
        monkeypatch.chdir(workdir)
        namespace: dict[str, object] = {"__name__": "doc_example"}
        exec(compile(code, f"{GUIDE.name} (block {number})", "exec"), namespace)
        for name, value in list(namespace.items()):
            if name.startswith("test_") and callable(value):
                value()
                ran_tests.append(name)
    assert python_blocks == 3
    assert ran_tests == [
        "test_the_customer_reaches_an_agent",
        "test_a_full_queue_says_so",
        "test_the_lambda_function_failing_takes_the_error_branch",
        "test_every_flow_can_run",
    ]


def test_the_emulator_readme_lists_exactly_the_supported_actions() -> None:
    section = README.read_text(encoding="utf-8").split("## Contact flows", 1)[1]
    table = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("|--")]
    first_cells = [line.split("|")[1] for line in table[1:]]  # (the header row's is "Action")
    listed = [name.strip() for cell in first_cells for name in re.split(r"[,/]", cell)]
    assert sorted(listed) == sorted(SUPPORTED_TYPES)  # each once, none missing, none extra
    # the no-op types share one row that says so
    (no_op_row,) = [line for line in section.splitlines() if line.startswith("| UpdateFlowLoggingBehavior")]
    assert {n.strip() for n in no_op_row.split("|")[1].split(",")} == set(NO_OP_TYPES)
    assert "no effect offline" in no_op_row


def test_the_guide_is_in_the_site_s_navigation() -> None:
    assert "flows.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
