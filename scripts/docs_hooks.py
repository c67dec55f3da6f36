"""MkDocs hook: the API reference page lists exactly ``connect_participant.__all__``.

Each public name is rendered by mkdocstrings from the module that defines it (found by
importing the package, so lazy imports in ``__init__`` do not hide anything), grouped by that
module. A name added to ``__all__`` appears without a docs edit; one removed disappears.

The page also gets ``connect_participant.testing``, the emulator's Python API (its
``__all__`` and the pytest fixtures) and the command line's help, command by command.
Every public name and member it shows must have a docstring: each one without is a warning
(``check_docstrings``, with griffe, the loader mkdocstrings itself uses, so it counts exactly
what the page would show or hide).

The guides are checked too: a `CamelCase` name quoted in backticks must be a public name of
the package (or the emulator and its ``flows``, an AWS name of the spec, an error code the SDK
raises, or a Flow-language word the emulator's flow runner reads), a
`snake_case` name must not be a private function of the package (``event_from_item``), a
``from connect_participant import`` in a code block must import exported names, and
``chat.x`` / ``client.x`` in the prose must be attributes of the session / client classes
(the code blocks run as tests: ``conftest.py``). Each miss is a warning, so ``mkdocs build
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


def _defining_module(name: str, value: Any, package_name: str = PACKAGE) -> str:
    module = getattr(value, "__module__", None)
    if (inspect.isclass(value) or inspect.isfunction(value)) and isinstance(module, str):
        return module
    # a constant: the package module whose source assigns it at top level
    assignment = re.compile(rf"^{re.escape(name)}\b[^=\n]*=", re.MULTILINE)
    for module_name, mod in sorted(sys.modules.items()):
        if module_name.startswith(package_name + ".") and getattr(mod, name, None) is value:
            try:
                if assignment.search(inspect.getsource(mod)):
                    return module_name
            except (OSError, TypeError):
                continue
    return package_name


#: the other Python APIs the reference shows, after the package's: (title, module, intro)
MORE_APIS = [
    (
        "Conversation testing",
        f"{PACKAGE}.testing",
        "`connect_participant.testing`: script a chat step by step in a test ([guide](testing.md)).",
    ),
    (
        "The emulator",
        "connect_participant_emulator",
        "`connect_participant_emulator`: the local emulator of the service ([guide](emulator.md)).",
    ),
]
PYTEST_PLUGIN = "connect_participant_emulator.pytest_plugin"


def _api_blocks(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    names: list[str] = sorted(module.__all__, key=str.lower)
    return [f"::: {_defining_module(name, getattr(module, name), module_name)}.{name}" for name in names]


def _cli_reference() -> str:
    """Each command's ``--help``, as the command prints it (100 columns)."""
    import argparse
    import os
    from unittest import mock

    from connect_participant_cli import _app
    from connect_participant_emulator import _cli as emulator_cli

    with mock.patch.dict(os.environ, {"COLUMNS": "100"}):  # argparse wraps to the terminal's width
        parser = _app._parser()
        parts = ["### connect-participant", "```text\n" + parser.format_help().rstrip() + "\n```"]
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        for name, sub in subparsers.choices.items():
            text = emulator_cli._parser().format_help() if name == "emulator" else sub.format_help()
            parts += [f"### connect-participant {name}", "```text\n" + text.rstrip() + "\n```"]
    return "\n\n".join(parts)


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
    for title, module_name, intro in MORE_APIS:
        parts.append(f"## {title}\n\n{intro}\n\n" + "\n\n".join(_api_blocks(module_name)))
    parts.append(
        "### pytest fixtures\n\n"
        f"::: {PYTEST_PLUGIN}\n    options:\n      show_root_heading: false\n"
        "      members: [participant_service, participant_service_session]"
    )
    parts.append("## Command line\n\n`connect-participant` ([guide](cli.md)).\n\n" + _cli_reference())
    return "\n\n".join(parts)


# -- every public name and member has a docstring ---------------------------------------------

#: the folders mkdocstrings loads from (mkdocs.yml's handler ``paths``)
SEARCH_PATHS = ["facade", "generated", "emulator", "cli"]


def _documented(obj: Any, path: str) -> dict[str, bool]:
    """``path`` and its public members (declared there, as the reference shows them): has a docstring?"""
    found = {path: bool(obj.docstring and obj.docstring.value.strip())}
    if obj.is_class:
        for name, member in obj.members.items():
            if not name.startswith("_") and not member.is_alias:
                found |= _documented(member, f"{path}.{name}")
    return found


def check_docstrings() -> tuple[int, list[str]]:
    """(public names and members counted, those without a docstring) of every API the reference shows."""
    import griffe

    root = Path(__file__).resolve().parents[1]
    paths = [str(root / folder) for folder in SEARCH_PATHS]
    found: dict[str, bool] = {}
    for module_name in [PACKAGE, *(module for _, module, _ in MORE_APIS), PYTEST_PLUGIN]:
        module = griffe.load(module_name, search_paths=paths, resolve_aliases=True, resolve_external=False)
        for name in sorted(module.exports or []):
            obj = module.members[name]
            found |= _documented(obj.final_target if obj.is_alias else obj, f"{module_name}.{name}")
    return len(found), [path for path, documented in found.items() if not documented]


# -- guides stay on real names ---------------------------------------------------------------

log = logging.getLogger("mkdocs.plugins.connect_participant")
_CODE_NAME = re.compile(r"`([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)(?:\(\))?`")  # `ChatSession`, `Message()`
_IMPORTED = re.compile(r"from connect_participant import \(?([^)\n]*(?:\n[^)\n]*)*?)\)?\n")
_MEMBER = re.compile(r"(?<![.\w])(chat|client|async_chat)\.([a-z_][a-z0-9_]*)")  # not `event.chat.x`
_SNAKE_NAME = re.compile(r"`([a-z][a-z0-9]*_[a-z0-9_]+)(?:\(.*?\))?`")  # `event_from_item(item)`
_FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_ERROR_CODE = re.compile(r'\bcode="([A-Z][A-Za-z]+)"')  # InvalidResponseError(..., code="RepeatedNextToken")
# AWS and other names the guides quote that are neither in the spec nor exported
# the Flow language's words the emulator's flow runner reads (action types, parameters, branches,
# error types, ``ContactFlowEvent``): every CamelCase string literal of its sources
_FLOW_WORD = re.compile(r'"([A-Z][A-Za-z0-9]+)"')
_OTHER_NAMES = {"StartChatContact", "CreateParticipant", "StopContact", "ClientToken", "NextToken", "Expiry"}
_OTHER_NAMES |= {"CreateTestCase", "TestCaseEntryPoint"}  # Connect's test-case API (docs/test-cases.md)
_OTHER_NAMES |= {"ContactFlowId", "LimitExceededException"}  # StartChatContact's parameter, its quota error
# connect_participant.locust is read, not imported: importing Locust monkey-patches the process
_LOCUST_MODULE = Path(__file__).resolve().parents[1] / "facade" / "connect_participant" / "locust.py"
_LOCUST_NAMES = set(
    re.findall(r'"(\w+)"', re.search(r"__all__ = \[(.*?)\]", _LOCUST_MODULE.read_text()).group(1))
)


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
    facade = Path(package.__file__).parent
    error_codes = {code for source in facade.glob("*.py") for code in _ERROR_CODE.findall(source.read_text())}
    flows = importlib.import_module("connect_participant_emulator.flows")
    flow_words = {
        word
        for source in Path(flows.__file__).parent.joinpath("_flows").glob("*.py")
        for word in _FLOW_WORD.findall(source.read_text())
    }
    # and the Testing language's words the test-case runner reads (Connect's test cases)
    testing_words = {
        word for source in facade.glob("_testcase*.py") for word in _FLOW_WORD.findall(source.read_text())
    }
    return {
        *error_codes,
        *flows.__all__,
        *flow_words,
        *testing_words,
        *package.__all__,
        *testing.__all__,
        *emulator.__all__,
        *models.__all__,
        *aws,
        *_OTHER_NAMES,
        *_LOCUST_NAMES,
        *dir(builtins),
    }


SPEC = "spec/connect-participant.openapi.json"
EVENT_PREFIX = "application/vnd.amazonaws.connect.event."


def _private_names() -> set[str]:
    """Functions and classes of the package's private modules that users never see: not exported,
    not a member of an exported class (``event_from_item``, say, behind ``Event.from_item``)."""
    package = importlib.import_module(PACKAGE)
    public = [getattr(package, name) for name in package.__all__]
    members = {member for value in public if inspect.isclass(value) for member in dir(value)}
    defined: set[str] = set()
    for source in Path(package.__file__).parent.glob("_*.py"):
        if source.name != "__init__.py":
            defined |= set(
                re.findall(r"^(?:async )?(?:def|class) ([a-z][a-z0-9_]*)\b", source.read_text(), re.M)
            )
    testing = importlib.import_module(f"{PACKAGE}.testing")
    return defined - set(package.__all__) - set(testing.__all__) - members - set(dir(builtins))


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
    private = _private_names()
    for name in sorted(set(_SNAKE_NAME.findall(markdown)) & private):
        problems.append(f"{page}: `{name}` is private to {PACKAGE} (users cannot rely on it)")
    package = importlib.import_module(PACKAGE)
    for names in _IMPORTED.findall(markdown):
        for name in re.split(r"[\s,]+", names.strip()):
            if name and name not in package.__all__:
                problems.append(f"{page}: imports {name} from {PACKAGE}, which does not export it")
    members = _members()
    from connect_participant._events import _BY_CONTENT_TYPE

    content_types = {content_type.removeprefix(EVENT_PREFIX) for content_type in _BY_CONTENT_TYPE}
    prose = _FENCED.sub("", markdown)  # code blocks run as tests, where `chat` may be anything
    for owner, member in sorted(set(_MEMBER.findall(prose))):
        if f"{owner}.{member}" in content_types:  # `chat.rehydrated`: an event's content type
            continue
        if member not in members[owner]:
            problems.append(f"{page}: `{owner}.{member}` — no such attribute on the {owner} class")
    return problems


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    for problem in check_names(markdown, page.file.src_path):
        log.warning(problem)
    if MARKER in markdown:
        counted, missing = check_docstrings()
        for path in missing:
            log.warning(f"{page.file.src_path}: {path} has no docstring (the reference would hide it)")
        log.info(f"reference: {counted - len(missing)} of {counted} public names and members documented")
        return markdown.replace(MARKER, reference_markdown())
    return markdown
