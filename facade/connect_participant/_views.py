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
from typing import TYPE_CHECKING, Any

from connect_participant_api.types import Unset

if TYPE_CHECKING:
    from connect_participant_api.models import DescribeViewResponse
    from connect_participant_api.models import View as ViewModel

__all__ = ["View"]


def _json_or_text(value: object) -> Any:
    """A JSON document AWS sends as a string: parsed when it is JSON, else the string as is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return value


@dataclass(frozen=True, slots=True)
class View:
    """A view as DescribeView returns it (``raw`` keeps the whole ``View`` object)."""

    id: str | None
    """The view's id."""
    arn: str | None
    """The view's ARN."""
    name: str | None
    """The view's name."""
    version: int | None
    """The view's version number."""
    #: the view template (parsed JSON when it is JSON, else the string AWS sent)
    template: Any
    """The view's template, parsed from its JSON."""
    #: the JSON schema of the input data the template needs (parsed like ``template``)
    input_schema: Any
    """The view's input schema, parsed from its JSON."""
    #: the action names the view can answer with (e.g. ``"Submit"``, ``"Back"``)
    actions: tuple[str, ...]
    """The actions the view accepts (what ``chat.answer_view`` may send)."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The ``View`` JSON object as DescribeView answered it."""

    #: the generated ``connect_participant_api.models.View`` (every member the spec has)
    model: ViewModel | None = field(default=None, repr=False, compare=False)
    """The generated ``View`` model."""

    @classmethod
    def from_model(cls, answer: DescribeViewResponse) -> View:
        """DescribeView's answer, parsed by the generated models (``ValueError`` if it has no View)."""
        view = answer.view
        if isinstance(view, Unset):
            raise ValueError("DescribeView returned no View")
        content = view.content
        actions = [] if isinstance(content, Unset) or isinstance(content.actions, Unset) else content.actions
        version = view.version
        return cls(
            id=_str(view.id),
            arn=_str(view.arn),
            name=_str(view.name),
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
            template=None if isinstance(content, Unset) else _json_or_text(content.template),
            input_schema=None if isinstance(content, Unset) else _json_or_text(content.input_schema),
            actions=tuple(a for a in actions if isinstance(a, str)),
            raw=view.to_dict(),
            model=view,
        )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None
