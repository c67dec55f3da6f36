"""docs/test-cases.md is in the site (its examples run with every page's, by the docs runner,
Sybil, in conftest.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_guide_is_in_the_site_s_navigation() -> None:
    assert "test-cases.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_the_docs_runner_runs_the_guide() -> None:
    assert "docs/*.md" in (ROOT / "conftest.py").read_text(encoding="utf-8")
