"""The flow corpus (``tests/data/flows``: real exports from public AWS sample repositories) as
the emulator reads it, before anything runs: every Flow-language flow loads without a problem,
by the name it was exported with; the legacy "modules" exports are refused with a clear error
naming the flow; every file's source is named in ``SOURCES.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from connect_participant_emulator.flows import SUPPORTED_TYPES, ContactFlows, FlowError

CORPUS = Path(__file__).parent / "data" / "flows"
FLOW_FILES = sorted(p for p in CORPUS.rglob("*.json") if p.parent.name != "legacy")
LEGACY_FILES = sorted((CORPUS / "legacy").glob("*.json"))


def _document(path: Path) -> dict[str, object]:
    document = json.loads(path.read_text(encoding="utf-8"))
    content = document.get("Content")
    return json.loads(content) if isinstance(content, str) else document


def test_the_corpus_has_at_least_ten_flow_language_flows_and_a_legacy_export() -> None:
    versions = {_document(p).get("Version") for p in FLOW_FILES}
    assert versions == {"2019-10-30"}
    assert len(FLOW_FILES) >= 10
    assert LEGACY_FILES


def test_every_corpus_file_names_its_source() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in [*FLOW_FILES, *LEGACY_FILES]:
        folder, name = path.parent.name, path.name
        # a row names the file itself, or its folder and the file's name among several
        assert f"`{folder}/{name}`" in sources or (f"`{folder}/" in sources and f"`{name}`" in sources), (
            f"{folder}/{name} is not in SOURCES.md"
        )


@pytest.mark.parametrize("path", FLOW_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_corpus_flow_loads_without_a_problem(path: Path) -> None:
    flows = ContactFlows(path)
    (flow,) = flows.flows
    assert flow.problems == ()  # (the flows it references are checked with the whole corpus)
    document = _document(path)
    used = {a["Type"] for a in document["Actions"]}  # type: ignore[index]
    assert used <= SUPPORTED_TYPES, used - SUPPORTED_TYPES


def test_the_whole_corpus_loads_as_one_instance() -> None:
    flows = ContactFlows(*FLOW_FILES)
    flows.check()
    for flow in flows.flows:  # and every flow it reaches (TransferToFlow, modules, hooks) is found
        flows.check(flow.name)
    names = {f.name for f in flows.flows}
    # the names the flows reference each other by (event hooks, modules, TransferToFlow)
    assert {"Simple Survey Example", "Survey Example Disconnect", "Contact Survey"} <= names
    assert flows.get("Contact Survey") is not None
    assert flows.get("Contact Survey").is_module  # type: ignore[union-attr]


@pytest.mark.parametrize("path", LEGACY_FILES, ids=lambda p: p.stem)
def test_a_legacy_export_is_refused_with_a_clear_error(path: Path) -> None:
    flows = ContactFlows(path)
    with pytest.raises(FlowError) as raised:
        flows.check()
    message = str(raised.value)
    assert path.stem in message  # the flow's name
    assert "legacy" in message
    assert "2019-10-30" in message  # what to do instead
