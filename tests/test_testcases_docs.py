"""docs/test-cases.md stays true: its Python examples run as written, in page order, sharing one
namespace, each in a fresh working directory (as the docs' Sybil runner runs them). When that
runner (``conftest.py`` at the top, Sybil) is there, it runs the page and this test steps aside."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "test-cases.md"
_BLOCK = re.compile(r"(<!-- skip: next \"[^\"]*\" -->\n)?```(python|bash)\n(.*?)```", re.S)


def _sybil_runs_the_docs() -> bool:
    conftest = ROOT / "conftest.py"
    return conftest.exists() and "sybil" in conftest.read_text(encoding="utf-8").lower()


@pytest.mark.skipif(
    _sybil_runs_the_docs(), reason="the docs runner (Sybil, conftest.py) runs docs/test-cases.md"
)
def test_the_guide_s_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace: dict[str, object] = {"__name__": "doc_example"}
    ran = 0
    for number, match in enumerate(_BLOCK.finditer(GUIDE.read_text(encoding="utf-8")), 1):
        skipped, language, code = bool(match[1]), match[2], match[3]
        if language == "bash":
            assert skipped, f"block {number}: an unmarked shell example"
            checked = subprocess.run(["bash", "-n", "-c", code], capture_output=True, text=True, check=False)
            assert checked.returncode == 0, checked.stderr
            continue
        workdir = tmp_path / f"block-{number}"
        workdir.mkdir()
        monkeypatch.chdir(workdir)
        exec(compile(code, f"{GUIDE.name} (block {number})", "exec"), namespace)
        ran += 1
    assert ran == 3


def test_the_guide_is_in_the_site_s_navigation() -> None:
    assert "test-cases.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
