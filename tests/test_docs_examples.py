"""The docs' examples are all collected: no code block escapes the runner in ``conftest.py``.

Sybil runs ```python and ```bash blocks; a block in another spelling (```py, ```sh,
```console, or no language at all) would silently not run. Every fenced block of the pages
must therefore say what it is: code that runs, or one of the kinds that are not code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        ROOT / "emulator/connect_participant_emulator/README.md",
    ]
)
RUN = {"python", "bash"}  # what conftest.py's Sybil runs
NOT_CODE = {"text", "ini", "json"}  # output, config files, documents
_OPENING = re.compile(r"^```(.*)$", re.MULTILINE)


def _fence_languages(markdown: str) -> list[str]:
    """The language of each fenced block (openings only: a fence alternates opening / closing)."""
    return [match.group(1).strip() for match in _OPENING.finditer(markdown)][::2]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_code_block_is_run_or_is_not_code(page: Path) -> None:
    languages = _fence_languages(page.read_text())
    unknown = [language or "(none)" for language in languages if language not in RUN | NOT_CODE]
    assert not unknown, f"{page.name}: blocks the docs tests would not run: {unknown}"


def test_the_pages_hold_examples() -> None:
    counts = {page: sum(lang == "python" for lang in _fence_languages(page.read_text())) for page in PAGES}
    assert sum(counts.values()) >= 30, counts  # 31 python blocks when this was written
    assert all(counts[ROOT / name] for name in ("README.md", "docs/quickstart.md", "docs/emulator.md"))


def test_a_fence_in_another_spelling_is_caught() -> None:
    page = "text\n\n```py\nprint(1)\n```\n\n```python\nprint(2)\n```\n"
    assert _fence_languages(page) == ["py", "python"]
