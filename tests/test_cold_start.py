"""Cold start: the package imports each public name's module on first use, and a sync client
sending messages never loads aiohttp (nor the events stream, the attachments code or asyncio).

The import checks run in a fresh interpreter (a subprocess): this test process has long since
imported everything, the emulator's aiohttp server included.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import connect_participant
import pytest
from connect_participant_emulator import LocalParticipantService

INIT = Path(connect_participant.__file__)

# What only the async client, the events stream or attachments need.
NOT_FOR_SYNC = ("aiohttp", "httpx_aiohttp", "asyncio", "connect_participant_emulator")
# The facade modules a sync client may load to connect, send, read the transcript and leave.
# A module new on this path costs every cold start: if it must be here, add it and check
# `make bench coldstart` (python -m bench coldstart); else import it where it is first used.
SYNC_PATH = {
    "connect_participant",
    "connect_participant._client",
    "connect_participant._config",
    "connect_participant._deadline",
    "connect_participant._deadline_net",
    "connect_participant._endpoints",
    "connect_participant._errors",
    "connect_participant._flow",
    "connect_participant._models",
    "connect_participant._operations",
    "connect_participant._pagination",
    "connect_participant._regions",  # the partitions table, moved out of _endpoints (issue 22)
    "connect_participant._retry",
    "connect_participant._secrets",
    "connect_participant._send_policy",
    "connect_participant._session",
    "connect_participant._tokens",
    "connect_participant._validation",
    "connect_participant._views",
    "connect_participant._wire",
}

CHILD = r"""
import json, logging, os, sys

def loaded():
    return sorted(m for m in NOT_FOR_SYNC if m in sys.modules)

def facade():
    return sorted(m for m in sys.modules if m.split(".")[0] == "connect_participant")

NOT_FOR_SYNC = json.loads(sys.argv[1])
report = {}
import connect_participant
report["import"] = loaded()
from connect_participant import ParticipantClient, RetryPolicy
report["from_import"] = loaded()

with ParticipantClient(endpoint_url=os.environ["ENDPOINT"], retry=RetryPolicy(max_attempts=2)) as client:
    with client.connect(os.environ["PARTICIPANT_TOKEN"]) as chat:
        report["message_id"] = chat.send_message("cold start").id
        report["typing"] = chat.send_typing() is not None
        report["read"] = chat.send_read(report["message_id"]) is not None
        report["contents"] = [item.content for item in chat.transcript() if item.type == "MESSAGE"]
report["after_chat"] = loaded()
report["facade"] = facade()

# aiohttp imported after the package still logs through the redacting filter
from connect_participant import Secret
import aiohttp.log
secret = Secret("a-token-that-must-not-show")
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(self.format(record))
aiohttp.log.client_logger.addHandler(Keep())
aiohttp.log.client_logger.setLevel(logging.DEBUG)
aiohttp.log.client_logger.debug("connecting with %s", secret.reveal())
report["aiohttp_log"] = records
print(json.dumps(report))
"""


def _type_checking_imports() -> dict[str, str]:
    """name -> module of every ``from .module import name`` under ``if TYPE_CHECKING:`` in __init__."""
    names: dict[str, str] = {}
    for node in ast.parse(INIT.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom), ast.unparse(stmt)
                assert stmt.level == 1, ast.unparse(stmt)
                assert stmt.module is not None
                names.update(dict.fromkeys((alias.name for alias in stmt.names), stmt.module))
    return names


def test_lazy_table_mirrors_the_typed_imports_and_all() -> None:
    typed = _type_checking_imports()
    assert typed == connect_participant._LAZY
    assert sorted(connect_participant.__all__) == sorted(typed)


def test_every_public_name_resolves_to_its_module_object() -> None:
    for name, module in connect_participant._LAZY.items():
        value = getattr(connect_participant, name)
        assert value is getattr(sys.modules[f"connect_participant.{module}"], name)
        assert name in dir(connect_participant)
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchName'"):
        connect_participant.NoSuchName  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        from connect_participant import NoSuchName  # type: ignore[attr-defined]  # noqa: F401


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from connect_participant import *", namespace)
    assert set(connect_participant.__all__) <= set(namespace)


def test_sync_client_never_imports_aiohttp(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Cold", initial_message="hello")
    env = {
        **os.environ,
        "ENDPOINT": participant_service.endpoint_url,
        "PARTICIPANT_TOKEN": started.participant_token,
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(NOT_FOR_SYNC)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["import"] == []
    assert report["from_import"] == []
    assert report["after_chat"] == []
    assert set(report["facade"]) - SYNC_PATH == set(), "new on the sync path (see SYNC_PATH)"
    # the chat really happened on the emulator
    assert report["contents"] == ["hello", "cold start"]
    assert report["typing"] is True
    assert report["read"] is True
    # redaction guards aiohttp's loggers though aiohttp came after the package
    assert len(report["aiohttp_log"]) == 1
    assert "a-token-that-must-not-show" not in report["aiohttp_log"][0]
    assert "[redacted]" in report["aiohttp_log"][0]


MODELS_CHILD = r"""
import json, sys
from connect_participant_api.api.participant import send_message
print(json.dumps(sorted(m for m in sys.modules if m.startswith("connect_participant_api.models."))))
"""


def test_generated_models_load_on_first_use() -> None:
    """The generated models package imports a model's module when the name is first used, so
    one operation's module loads its own models only (the template models_init.py.jinja)."""
    import connect_participant_api.models as models

    assert set(models._MODULES) == set(models.__all__)
    for name in models.__all__:
        value = getattr(models, name)
        assert value.__name__ == name
        assert value.__module__ == f"connect_participant_api.models{models._MODULES[name]}"
        assert name in dir(models)
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchModel'"):
        models.NoSuchModel  # noqa: B018

    result = subprocess.run(
        [sys.executable, "-c", MODELS_CHILD], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = json.loads(result.stdout)
    assert "connect_participant_api.models.send_message_request" in loaded
    assert "connect_participant_api.models.send_message_response" in loaded
    assert "connect_participant_api.models.get_transcript_response" not in loaded
    assert "connect_participant_api.models.item" not in loaded
