"""The regeneration drill: AWS changes the API, we run ``make generate``, the facade follows unedited.

A copy of the spec gains (a) an optional member on SendMessage's answer and on the transcript
``Item``, (b) a new value of a response enum (``ChatItemType``) and (c) a new operation that
takes the connection token. The client is regenerated from it into a temporary folder
(``make generate-into``, the same pipeline as ``make generate``) and, with that package in
place of ``generated/`` and ``facade/`` as it is, a script talks to a server on loopback that
answers with the new member and value and serves the new operation. mypy then checks that the
new member is statically typed on the facade's results and on transcript and event items.
README's "Regenerating after an API change" walks through the same steps.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from _spec_tools import ROOT, spec

NEW_MEMBER = "ConversationTone"
NEW_TYPE = "MESSAGE_EDITED"


def _changed_spec() -> dict[str, Any]:
    doc = copy.deepcopy(spec())
    schemas = doc["components"]["schemas"]
    tone = {"type": "string", "minLength": 1, "maxLength": 32, "description": "How the message sounds."}
    schemas["SendMessageResponse"]["properties"][NEW_MEMBER] = tone  # (a)
    schemas["Item"]["properties"][NEW_MEMBER] = tone
    schemas["ChatItemType"]["enum"].append(NEW_TYPE)  # (b)
    schemas["GetChatSummaryRequest"] = {  # (c)
        "type": "object",
        "required": ["MaxWords"],
        "properties": {"MaxWords": {"type": "integer", "minimum": 1, "maximum": 200}},
    }
    schemas["GetChatSummaryResponse"] = {"type": "object", "properties": {"Summary": {"type": "string"}}}
    template = doc["paths"]["/participant/disconnect"]["post"]
    operation = copy.deepcopy(template)
    operation["operationId"] = "GetChatSummary"
    operation["description"] = "Summarizes the chat so far."
    operation["requestBody"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/GetChatSummaryRequest"
    }
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/GetChatSummaryResponse"
    }
    doc["paths"]["/participant/chat-summary"] = {"post": operation}
    return doc


SCRIPT = r"""
import json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import connect_participant_api
from connect_participant import InvalidInputError, Message, ParticipantClient
from connect_participant_api.api.participant import get_chat_summary
from connect_participant_api.models import ChatItemType, GetChatSummaryRequest, GetChatSummaryResponse

assert connect_participant_api.__file__.startswith(sys.argv[1]), connect_participant_api.__file__
seen = []

ITEMS = [
    {"Id": "m1", "Type": "MESSAGE", "Content": "hi", "ContentType": "text/plain",
     "ParticipantRole": "AGENT", "AbsoluteTime": "2026-12-01T10:00:00.000Z", "ConversationTone": "warm"},
    {"Id": "m2", "Type": "MESSAGE_EDITED", "Content": "hi!", "ContentType": "text/plain",
     "AbsoluteTime": "2026-12-01T10:00:01.000Z"},
    {"Id": "m3", "Type": "SOMETHING_EVEN_NEWER", "AbsoluteTime": "2026-12-01T10:00:02.000Z"},
]

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        bearer = self.headers.get("X-Amz-Bearer")
        seen.append((self.path, bearer, body))
        creates = sum(1 for p, _, _ in seen if p == "/participant/connection")
        if self.path == "/participant/connection":
            answer = {"ConnectionCredentials": {"ConnectionToken": f"ctok-{creates}",
                                                "Expiry": "2099-01-01T00:00:00.000Z"}}
        elif self.path == "/participant/message":
            answer = {"Id": "m9", "AbsoluteTime": "2026-12-01T10:00:03.000Z", "ConversationTone": "calm"}
        elif self.path == "/participant/transcript":
            answer = {"Transcript": ITEMS, "InitialContactId": "c1"}
        elif self.path == "/participant/chat-summary" and bearer == "ctok-1":
            return self.reply(403, {"message": "expired"}, "AccessDeniedException")
        elif self.path == "/participant/chat-summary":
            answer = {"Summary": f"{body['MaxWords']} words"}
        else:
            return self.reply(404, {"message": "no such path"}, "ResourceNotFoundException")
        self.reply(200, answer)

    def reply(self, status, doc, error=None):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.end_headers()
        self.wfile.write(data)

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}"
out = {}
with ParticipantClient(endpoint_url=url) as client:
    chat = client.connect("participant-token")
    sent = chat.send_message("hello")
    out["a_send"] = sent.model.conversation_tone
    items = list(chat.transcript())
    out["a_item"] = items[0].model.conversation_tone
    out["a_event"] = Message(items[0]).item.model.conversation_tone
    out["b_known"] = [items[1].type, items[1].model.type_ is ChatItemType.MESSAGE_EDITED]
    out["b_unknown"] = [items[2].type, items[2].model.to_dict()["Type"]]
    summary = chat.call(get_chat_summary, body=GetChatSummaryRequest(max_words=12))
    out["c_summary"] = [type(summary) is GetChatSummaryResponse, summary.summary]
    out["c_bearers"] = [b for p, b, _ in seen if p == "/participant/chat-summary"]
    out["c_creates"] = sum(1 for p, _, _ in seen if p == "/participant/connection")
    try:
        chat.call(get_chat_summary, body=GetChatSummaryRequest(max_words=500))
    except InvalidInputError as exc:
        out["c_bound"] = str(exc)
server.shutdown()
print(json.dumps(out))
"""

TYPED = """
from connect_participant import ChatSession, Message
from connect_participant_api.types import Unset


def check(chat: ChatSession) -> None:
    sent = chat.send_message("hello")
    tone: str | Unset = sent.model.conversation_tone
    for item in chat.transcript():
        also: str | Unset = item.model.conversation_tone
        event_tone: str | Unset = Message(item).item.model.conversation_tone
        wrong: int = item.model.conversation_tone  # E: the member is a str, and mypy knows it
"""


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("drill")
    changed = tmp / "spec.json"
    changed.write_text(json.dumps(_changed_spec(), indent=2), encoding="utf-8")
    out = tmp / "out"
    subprocess.run(
        ["make", "-s", "generate-into", f"SPEC={changed}", f"GEN_OUT={out}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out


def _env(regenerated: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(regenerated), str(ROOT / "facade")])}


def test_the_facade_follows_a_regenerated_client_unedited(regenerated: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(regenerated)],
        env=_env(regenerated),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    # (a) the new member, on SendMessage's result, transcript items and the items inside events
    assert (out["a_send"], out["a_item"], out["a_event"]) == ("calm", "warm", "warm")
    # (b) the new enum value is a member now; one newer still is kept as sent
    assert out["b_known"] == [NEW_TYPE, True]
    assert out["b_unknown"] == ["SOMETHING_EVEN_NEWER", "SOMETHING_EVEN_NEWER"]
    # (c) the new operation through the session: 403 with the first token, re-created, sent again
    assert out["c_summary"] == [True, "12 words"]
    assert out["c_bearers"] == ["ctok-1", "ctok-2"]
    assert out["c_creates"] == 2
    assert out["c_bound"] == "max_words: must be 1..200"  # its bounds came from the changed spec too


def test_the_new_member_is_statically_typed(regenerated: Path, tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(textwrap.dedent(TYPED), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(snippet),
        ],
        env={**_env(regenerated), "MYPYPATH": os.pathsep.join([str(regenerated), str(ROOT / "facade")])},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [line for line in run.stdout.splitlines() if ": error:" in line]
    # exactly the one line meant to be wrong: the three right ones type-check
    assert len(errors) == 1, run.stdout
    assert "snippet.py:12:" in errors[0]
    assert (
        'Incompatible types in assignment (expression has type "str | Unset", variable has type "int")'
        in errors[0]
    )
