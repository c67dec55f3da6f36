"""The contact-flow docs stay true: the emulator README's table of supported actions is the
interpreter's registry, and the guide is in the site's navigation (its examples run with every
other page's, through the docs runner in ``conftest.py``)."""

from __future__ import annotations

import re
from pathlib import Path

from connect_participant_emulator.flows import NO_OP_TYPES, SUPPORTED_TYPES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "flows.md"
README = ROOT / "emulator" / "connect_participant_emulator" / "README.md"
_BLOCK = re.compile(r"(<!-- skip: next \"[^\"]*\" -->\n)?```(python|bash)\n(.*?)```", re.S)


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
