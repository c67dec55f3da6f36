"""Views (step-by-step guides) and in-chat authentication: typed results, pure parsing.

A flow's ShowView block sends an interactive message of template ``ViewResource``
whose content holds a ``viewToken``; ``session.describe_view(view_token)`` reads the
view (DescribeView, ``GET /participant/views/{ViewToken}``) and returns a ``View``:
its ``template`` and ``input_schema`` (JSON documents, parsed when they are JSON) and
the ``actions`` the customer can take. The answer to a view is an
``…message.interactive.response`` message (see ``_interactive.view_response``).

The Authenticate Customer block sends ``authentication.initiated`` (its ``Content``
JSON holds ``SessionId``); within a minute the client calls
``session.authentication_url(session_id, redirect_uri)`` (GetAuthenticationUrl) and
opens the URL, or ``session.cancel_authentication(session_id)``
(CancelParticipantAuthentication).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._validation import check_string

__all__ = [
    "View",
    "authentication_url_from_json",
    "check_redirect_uri",
    "check_session_id",
    "check_view_token",
]


def _json_or_text(value: object) -> Any:
    """A JSON document AWS sends as a string: parsed when it is JSON, else the string as is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass(frozen=True, slots=True)
class View:
    """A view as DescribeView returns it (``raw`` keeps the whole ``View`` object)."""

    id: str | None
    arn: str | None
    name: str | None
    version: int | None
    #: the view template (parsed JSON when it is JSON, else the string AWS sent)
    template: Any
    #: the JSON schema of the input data the template needs (parsed like ``template``)
    input_schema: Any
    #: the action names the view can answer with (e.g. ``"Submit"``, ``"Back"``)
    actions: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> View:
        view = doc.get("View")
        if not isinstance(view, Mapping):
            raise ValueError("DescribeView returned no View")
        content = view.get("Content")
        content = content if isinstance(content, Mapping) else {}
        actions = content.get("Actions")
        version = view.get("Version")
        return cls(
            id=_str(view, "Id"),
            arn=_str(view, "Arn"),
            name=_str(view, "Name"),
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
            template=_json_or_text(content.get("Template")),
            input_schema=_json_or_text(content.get("InputSchema")),
            actions=tuple(a for a in actions if isinstance(a, str)) if isinstance(actions, list) else (),
            raw=view,
        )


def _str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def authentication_url_from_json(doc: Mapping[str, Any]) -> str:
    url = doc.get("AuthenticationUrl")
    if not isinstance(url, str) or not url:
        raise ValueError("GetAuthenticationUrl returned no AuthenticationUrl")
    return url


def check_view_token(value: object) -> str:
    """DescribeView's ViewToken: 1..1000 characters."""
    return check_string("view_token", value, 1, 1000)


def check_session_id(value: object) -> str:
    """The authentication session id of an ``authentication.initiated`` event: 36 characters."""
    return check_string("session_id", value, 36, 36)


def check_redirect_uri(value: object) -> str:
    """GetAuthenticationUrl's RedirectUri: 1..1024 characters."""
    return check_string("redirect_uri", value, 1, 1024)
