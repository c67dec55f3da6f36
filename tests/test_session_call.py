"""Any generated operation through a session (``chat.call``), and the named methods built on it
(DescribeView, GetAuthenticationUrl, CancelParticipantAuthentication), sync and async, against
the emulator; the facade's results as views of the generated models."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from connect_participant import (
    AsyncParticipantClient,
    InvalidInputError,
    ParticipantClient,
    ResourceNotFoundError,
    View,
)
from connect_participant_api.api.participant import (
    create_participant_connection,
    describe_view,
    get_authentication_url,
    send_message,
)
from connect_participant_api.models import (
    DescribeViewResponse,
    GetAuthenticationUrlRequest,
    Item,
    SendMessageRequest,
    SendMessageResponse,
)
from connect_participant_api.models import View as ViewModel
from connect_participant_api.types import UNSET
from connect_participant_emulator import LocalParticipantService

SESSION = "0123456789abcdef0123456789abcdef0123"  # 36 characters, as the spec wants


SURVEY = {"Name": "Survey", "Content": {"Template": "{}", "InputSchema": "{}", "Actions": ["Submit"]}}


def test_named_methods_sync(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    token = participant_service.show_view(started, SURVEY)
    session = participant_service.start_authentication(started)
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(started.participant_token) as chat:
            view = chat.describe_view(token)
            assert isinstance(view, View)
            assert view.name == "Survey"
            assert isinstance(view.model, ViewModel)  # the generated model it was read from
            assert (view.model.name, view.raw["Name"]) == ("Survey", "Survey")
            url = chat.authentication_url(session, "https://example.com/back")
            assert session in url
            assert chat.cancel_authentication(session) is None
            with pytest.raises(ResourceNotFoundError):
                chat.describe_view("no-such-view")


async def test_named_methods_async(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    token = participant_service.show_view(started, SURVEY)
    session = participant_service.start_authentication(started)
    async with AsyncParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = await client.connect(started.participant_token)
        view = await chat.describe_view(token)
        assert view.model is not None
        assert view.name == view.model.name == "Survey"
        assert session in await chat.authentication_url(session, "https://example.com/back")
        assert await chat.cancel_authentication(session) is None
        with pytest.raises(ResourceNotFoundError):
            await chat.describe_view("no-such-view")
        await chat.disconnect()


def test_call_runs_any_operation_with_the_connection_token(
    participant_service: LocalParticipantService,
) -> None:
    started = participant_service.start_chat("Carla")
    token = participant_service.show_view(started, SURVEY)
    session = participant_service.start_authentication(started)
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(started.participant_token) as chat:
            sent = chat.call(send_message, body=SendMessageRequest(content_type="text/plain", content="raw"))
            assert isinstance(sent, SendMessageResponse)
            assert isinstance(sent.id, str)
            viewed = chat.call(describe_view, view_token=token)
            assert isinstance(viewed, DescribeViewResponse)
            assert isinstance(viewed.view, ViewModel)
            body = GetAuthenticationUrlRequest(session_id=session, redirect_uri="https://example.com/")
            assert session in chat.call(get_authentication_url, body=body).authentication_url
            assert any(item.id == sent.id for item in chat.transcript())


def test_call_renews_an_expired_token_first(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        chat = client.connect(started.participant_token)
        old = chat.connection_token
        token = participant_service.show_view(started, SURVEY)
        participant_service.expire_connection_tokens()  # the service now refuses it: a 403, re-create, again
        chat.call(describe_view, view_token=token)
        assert chat.connection_token != old
        chat.disconnect()


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        (
            {"body": GetAuthenticationUrlRequest(session_id="short", redirect_uri="https://x")},
            "session_id",
            "36..36",
        ),
        (
            {"body": GetAuthenticationUrlRequest(session_id=SESSION, redirect_uri="")},
            "redirect_uri",
            "1..1024",
        ),
        (
            {"body": GetAuthenticationUrlRequest(session_id=SESSION, redirect_uri=5)},
            "redirect_uri",
            "must be a str",
        ),  # type: ignore[arg-type]
        (
            {"body": GetAuthenticationUrlRequest(session_id=SESSION, redirect_uri="u"), "x_amz_bearer": "t"},
            "x_amz_bearer",
            "leave it out",
        ),
    ],
)
def test_call_checks_the_spec_bounds_before_sending(
    participant_service: LocalParticipantService, kwargs: dict[str, object], argument: str, rule: str
) -> None:
    started = participant_service.start_chat("Carla")
    with (
        ParticipantClient(endpoint_url=participant_service.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        with pytest.raises(InvalidInputError) as caught:
            chat.call(get_authentication_url, **kwargs)
        assert (caught.value.argument, rule in caught.value.rule) == (argument, True)
        with pytest.raises(InvalidInputError, match=r"^view_token: must be 1..1000"):
            chat.describe_view("v" * 1001)
        with pytest.raises(InvalidInputError, match=r"^session_id: must be 36..36"):
            chat.authentication_url("s", "https://x")
        with pytest.raises(InvalidInputError, match=r"^operation: takes the participant token"):
            chat.call(create_participant_connection, body=None)
        with pytest.raises(InvalidInputError, match=r"^operation: must be an operation module"):
            chat.call(len)  # type: ignore[arg-type]


def test_results_are_views_of_the_generated_models(participant_service: LocalParticipantService) -> None:
    started = participant_service.start_chat("Carla")
    with ParticipantClient(endpoint_url=participant_service.endpoint_url) as client:
        with client.connect(started.participant_token) as chat:
            sent = chat.send_message("hello")
            assert isinstance(sent.model, SendMessageResponse)
            assert sent.id == sent.model.id
            items = list(chat.transcript(direction="FORWARD"))
    mine = next(item for item in items if item.id == sent.id)
    assert isinstance(mine.model, Item)
    assert mine.model.content == "hello"
    assert mine.raw["Content"] == "hello"
    # absent members read as None, never UNSET
    assert mine.model.related_contact_id is UNSET
    assert mine.related_contact_id is None
    assert mine.message_processing_status is None or isinstance(mine.message_processing_status, str)


FACADE = Path(__file__).resolve().parent.parent / "facade" / "connect_participant"


def _request_members() -> set[str]:
    from _spec_tools import spec

    schemas = spec()["components"]["schemas"]
    members: set[str] = set()
    for name, schema in schemas.items():
        if name.endswith("Request") or name == "StartPosition":
            members.update(schema.get("properties", {}))
    return members


def test_no_facade_module_builds_a_path_or_a_request_body_by_hand() -> None:
    """The one wire layer: paths and bodies come from the generated modules and models only.

    Flagged: a string that starts like an operation's path; a dict display whose keys are all
    request members (a body); a store into ``x["<request member>"]``.
    """
    members = _request_members()
    assert {"ClientToken", "MaxResults", "ContentType"} <= members
    offences: list[str] = []
    for path in sorted(FACADE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value.startswith("/participant")
            ):
                offences.append(f"{where}: path {node.value!r}")
            if isinstance(node, ast.Dict) and node.keys:
                keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
                if all(isinstance(k, str) and k in members for k in keys):
                    offences.append(f"{where}: body {keys}")
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.slice, ast.Constant)
                and node.slice.value in members
            ):
                offences.append(f"{where}: member {node.slice.value!r} set")
    assert offences == []


def test_the_rule_above_catches_the_old_hand_built_requests() -> None:
    """The same walk flags what ``_operations`` used to be (so the test above can fail)."""
    old = (
        "def send_message(c, t, k):\n"
        '    doc = {"ContentType": c, "Content": t, "ClientToken": k}\n'
        '    return _post("SendMessage", "/participant/message", doc)\n'
    )
    members = _request_members()
    tree = ast.parse(old)
    paths = [
        n for n in ast.walk(tree) if isinstance(n, ast.Constant) and str(n.value).startswith("/participant")
    ]
    bodies = [n for n in ast.walk(tree) if isinstance(n, ast.Dict) and all(
        isinstance(k, ast.Constant) and k.value in members for k in n.keys)]  # fmt: skip
    assert (len(paths), len(bodies)) == (1, 1)


def _facade_imports() -> dict[str, set[str]]:
    """Module → the facade modules it imports (``from . import x``, ``from ._x import``, typing-only too)."""
    graph: dict[str, set[str]] = {}
    for path in FACADE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module)
                else:
                    found.update(alias.name for alias in node.names)
        graph[path.stem] = found
    return graph


def test_no_import_circle_through_the_session() -> None:
    """``_session`` imports the events and attachment helpers; they know it only as protocols."""
    graph = _facade_imports()
    assert "_ws" in graph["_session"]
    assert "_attachments_io" in graph["_session"]
    reach: dict[str, set[str]] = {}

    def reachable(module: str, seen: set[str]) -> set[str]:
        for dependency in graph.get(module, set()):
            if dependency not in seen:
                seen.add(dependency)
                reachable(dependency, seen)
        return seen

    for module in graph:
        if module in {"_cli", "_demo"}:  # the command line's own circle is issue 13's
            continue
        reach[module] = reachable(module, set())
        assert module not in reach[module], f"{module} imports itself through {sorted(reach[module])}"
