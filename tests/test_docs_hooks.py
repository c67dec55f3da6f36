"""The docs hook (scripts/docs_hooks.py) warns on what is wrong, and only on that.

Its warnings fail ``make docs-strict`` (in ``make test``): a false positive blocks every build,
a miss lets a renamed or private name into the guides. The docstring check is tested on
modules griffe reads from source, as mkdocstrings does.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import griffe
import pytest
from _spec_tools import load_script


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    return load_script("docs_hooks")


@pytest.mark.parametrize(
    "prose",
    [
        "raises `InvalidResponseError` with code `RepeatedNextToken`",  # an error code the SDK raises
        "codes `UnsafeStorageUrl`, `ResponseTooLarge` and `InvalidResponse`",
        "a persistent chat's socket gets `chat.rehydrated` (`ChatRehydrated`)",  # a content type
        "`chat.select(picker, 'Savings')` and `client.connect(token)`",
        "`Event.from_item(item)` and `send_message`",
        "```python\nchat = svc.start_chat('Ann')\nprint(chat.participant_id)\n```\n",  # code runs as a test
    ],
)
def test_real_names_are_not_warned_about(hooks: ModuleType, prose: str) -> None:
    assert hooks.check_names(prose, "page.md") == []


@pytest.mark.parametrize(
    ("prose", "named"),
    [
        ("use `ChatSesion` to", "ChatSesion"),
        ("the transcript, through `event_from_item`", "event_from_item"),
        ("call `chat.send_messages(...)`", "chat.send_messages"),
        ("```python\nfrom connect_participant import ChatSession, NoSuchName\n```\n", "NoSuchName"),
    ],
)
def test_wrong_and_private_names_are_warned_about(hooks: ModuleType, prose: str, named: str) -> None:
    problems = hooks.check_names(prose, "page.md")
    assert len(problems) == 1, problems
    assert named in problems[0]


def test_the_public_api_is_documented(hooks: ModuleType) -> None:
    counted, missing = hooks.check_docstrings()
    assert missing == []
    assert counted > 400  # the package, its testing module, the emulator and its fixtures


def test_a_member_without_a_docstring_is_found(hooks: ModuleType) -> None:
    module = griffe.visit(
        "sample",
        Path("sample.py"),
        '''
class Chat:
    """A chat."""

    name: str
    """Its name."""
    size: int

    def send(self) -> None:
        """Send."""

    def close(self) -> None:
        pass

    def _private(self) -> None:
        pass
''',
    )
    found = hooks._documented(module.members["Chat"], "sample.Chat")
    assert [path for path, documented in found.items() if not documented] == [
        "sample.Chat.size",
        "sample.Chat.close",
    ]
    assert "sample.Chat._private" not in found


def test_the_reference_holds_every_api(hooks: ModuleType) -> None:
    page = hooks.reference_markdown()
    for wanted in (
        "::: connect_participant._client.ParticipantClient",
        "::: connect_participant.testing.Conversation",
        "::: connect_participant_emulator._service.LocalParticipantService",
        "members: [participant_service, participant_service_session]",
        "### connect-participant start-chat",
        "### connect-participant emulator",
    ):
        assert wanted in page
