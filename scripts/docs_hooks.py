"""MkDocs hook: the API reference page lists exactly ``connect_participant.__all__``.

Each public name is rendered by mkdocstrings from the module that defines it (found by
importing the package, so lazy imports in ``__init__`` do not hide anything), grouped by that
module. A name added to ``__all__`` appears without a docs edit; one removed disappears.

The guides are checked too: a `CamelCase` name quoted in backticks must be a public name of
the package (or the emulator, or an AWS name of the spec), a ``from connect_participant
import`` in a code block must import exported names, and ``chat.x`` / ``client.x`` must be
attributes of the session / client classes. Each miss is a warning, so ``mkdocs build
--strict`` (in ``make test``) fails when a guide still uses a renamed name.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

MARKER = "<!-- public API -->"
PACKAGE = "connect_participant"

# module (without the package) → section title, in page order; other modules go to "More"
SECTIONS = {
    "_client": "Clients",
    "_session": "Sessions",
    "_pagination": "Transcript",
    "_models": "Results",
    "_events": "Events",
    "_ws": "Events",
    "_ws_protocol": "Events",
    "_attachments": "Attachments",
    "_attachments_io": "Attachments",
    "_retry": "Retries",
    "_errors": "Errors",
    "_secrets": "Secrets",
}


def _defining_module(name: str, value: Any) -> str:
    module = getattr(value, "__module__", None)
    if (inspect.isclass(value) or inspect.isfunction(value)) and isinstance(module, str):
        return module
    # a constant: the package module whose source assigns it at top level
    assignment = re.compile(rf"^{re.escape(name)}\b[^=\n]*=", re.MULTILINE)
    for module_name, mod in sorted(sys.modules.items()):
        if module_name.startswith(PACKAGE + ".") and getattr(mod, name, None) is value:
            try:
                if assignment.search(inspect.getsource(mod)):
                    return module_name
            except (OSError, TypeError):
                continue
    return PACKAGE


def reference_markdown() -> str:
    package = importlib.import_module(PACKAGE)
    groups: dict[str, list[str]] = {}
    for name in sorted(package.__all__, key=str.lower):
        module = _defining_module(name, getattr(package, name))
        title = SECTIONS.get(module.removeprefix(PACKAGE + "."), "More")
        groups.setdefault(title, []).append(f"::: {module}.{name}")
    order = [*dict.fromkeys(SECTIONS.values()), "More"]
    parts = []
    for title in order:
        if title in groups:
            parts.append(f"## {title}\n\n" + "\n\n".join(groups[title]))
    return "\n\n".join(parts)


# -- guides stay on real names ---------------------------------------------------------------

log = logging.getLogger("mkdocs.plugins.connect_participant")
_CODE_NAME = re.compile(r"`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?:\(\))?`")  # `ChatSession`, `Message()`
_IMPORTED = re.compile(r"from connect_participant import \(?([^)\n]*(?:\n[^)\n]*)*?)\)?\n")
_MEMBER = re.compile(r"(?<![.\w])(chat|client|async_chat)\.([a-z_][a-z0-9_]*)")  # not `event.chat.x`
# AWS and other names the guides quote that are neither in the spec nor exported
_OTHER_NAMES = {"StartChatContact", "CreateParticipant", "StopContact", "ClientToken", "NextToken", "Expiry"}


def _known_names() -> set[str]:
    package = importlib.import_module(PACKAGE)
    emulator = importlib.import_module("connect_participant_emulator")
    models = importlib.import_module("connect_participant_api.models")
    spec = json.loads(Path(__file__).resolve().parents[1].joinpath(SPEC).read_text())
    aws: set[str] = set(spec["components"]["schemas"])
    for operations in spec["paths"].values():
        aws.update(
            op["operationId"] for op in operations.values() if isinstance(op, dict) and "operationId" in op
        )
    for schema in spec["components"]["schemas"].values():
        aws.update(schema.get("properties", {}))
    testing = importlib.import_module(f"{PACKAGE}.testing")
    return {
        *package.__all__,
        *testing.__all__,
        *emulator.__all__,
        *models.__all__,
        *aws,
        *_OTHER_NAMES,
        *dir(builtins),
    }


SPEC = "spec/connect-participant.openapi.json"


def _members() -> dict[str, set[str]]:
    package = importlib.import_module(PACKAGE)
    session = set(dir(package.ChatSession)) | set(dir(package.AsyncChatSession))
    client = set(dir(package.ParticipantClient)) | set(dir(package.AsyncParticipantClient))
    return {"chat": session, "async_chat": session, "client": client}


def check_names(markdown: str, page: str) -> list[str]:
    """Names a guide uses that the package does not have (each a warning: --strict fails)."""
    known = _known_names()
    problems = [
        f"{page}: `{name}` is not a public name of {PACKAGE} (nor an AWS name of the spec)"
        for name in sorted(set(_CODE_NAME.findall(markdown)))
        if name not in known
    ]
    package = importlib.import_module(PACKAGE)
    for names in _IMPORTED.findall(markdown):
        for name in re.split(r"[\s,]+", names.strip()):
            if name and name not in package.__all__:
                problems.append(f"{page}: imports {name} from {PACKAGE}, which does not export it")
    members = _members()
    for owner, member in sorted(set(_MEMBER.findall(markdown))):
        if member not in members[owner]:
            problems.append(f"{page}: `{owner}.{member}` — no such attribute on the {owner} class")
    return problems


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    for problem in check_names(markdown, page.file.src_path):
        log.warning(problem)
    if MARKER in markdown:
        return markdown.replace(MARKER, reference_markdown())
    return markdown
