"""Interactive messages: typed templates parsed from the content, and the replies AWS's own
chat interface sends to them (pure: no I/O).

A message of content type ``application/vnd.amazonaws.connect.message.interactive`` holds
``{"templateType": …, "version": "1.0", "data": {"content": {…}, …}}``. ``parse_interactive``
gives a ``ListPicker``, ``TimePicker``, ``Panel``, ``QuickReply``, ``Carousel`` or
``ViewResource`` — or an ``UnknownTemplate`` for any other template type. Every template
keeps the whole document as ``raw`` (fields this version does not read are never lost) and
its ``data.content`` as ``content``.

An element of a ListPicker, Panel or QuickReply (a Carousel's cards included) is an ``Option``
when it has no ``type`` member, as AWS's choices have none; an element with a ``type`` (AWS's
Carousel example has ``{"title": "Learn More", "type": "hyperlink", "url": …}``) is a ``Link``:
AWS's chat interface renders it as a link and sends nothing when it is clicked, so the SDK
never offers it among ``options`` and ``select`` refuses it.

Replies, as AWS's chat interface (amazon-connect-chat-interface) sends them:

- choosing an option of a ListPicker, Panel or QuickReply: ``text/plain`` with the option's
  title; of a TimePicker: ``text/plain`` with the time slot's ``date``;
- choosing an option of a ListPicker or Panel inside a Carousel: ``text/plain`` holding
  ``{"templateIdentifier", "listTitle", "selectionText"}`` as JSON;
- "Show more" / "Previous options" (ListPicker options whose ``actionDetail`` is
  ``SHOW_MORE`` / ``PREVIOUS_OPTIONS``): ``…message.interactive.response`` with
  ``{"version": "1.0", "data": {"actionName", "preIndex", "nextIndex", "listId",
  "templateType", "referenceId"}, "action"}``;
- answering a view: ``…message.interactive.response`` with ``{"action", "data": <output>,
  "templateType": "ViewResource", "version": "1.0"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ._errors import InvalidInputError

__all__ = [
    "INTERACTIVE",
    "INTERACTIVE_RESPONSE",
    "Carousel",
    "InteractiveTemplate",
    "Link",
    "ListPicker",
    "Option",
    "Panel",
    "QuickReply",
    "TimePicker",
    "TimeSlot",
    "UnknownTemplate",
    "ViewResource",
    "json_object",
    "option_reply",
    "parse_interactive",
    "view_reply",
]

INTERACTIVE: Final = "application/vnd.amazonaws.connect.message.interactive"
INTERACTIVE_RESPONSE: Final = "application/vnd.amazonaws.connect.message.interactive.response"
SHOW_MORE: Final = "SHOW_MORE"
PREVIOUS_OPTIONS: Final = "PREVIOUS_OPTIONS"
_EMPTY: Mapping[str, Any] = {}


def _str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def _int(raw: Mapping[str, Any], key: str) -> int | None:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _map(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else _EMPTY


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Option:
    """One option (``elements[i]``) of a ListPicker, Panel or QuickReply."""

    title: str | None
    """The option's title: what is shown, and what a selection sends."""
    subtitle: str | None = None
    """The option's second line, if any."""
    image_type: str | None = None
    """The image's type (``URL``), if the option has an image."""
    image_data: str | None = None
    """The image (its URL), if any."""
    image_description: str | None = None
    """The image's description, for screen readers."""
    #: ``SHOW_MORE`` or ``PREVIOUS_OPTIONS`` for the list picker's paging buttons
    action_detail: str | None = None
    """``SHOW_MORE`` / ``PREVIOUS_OPTIONS`` for a list picker's paging options; else ``None``."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The option's whole JSON object, members the SDK does not type included."""

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Option:
        """The option an ``elements[i]`` JSON object describes."""
        return cls(
            title=_str(raw, "title"),
            subtitle=_str(raw, "subtitle"),
            image_type=_str(raw, "imageType"),
            image_data=_str(raw, "imageData"),
            image_description=_str(raw, "imageDescription"),
            action_detail=_str(raw, "actionDetail"),
            raw=raw,
        )

    @property
    def is_paging(self) -> bool:
        """A "Show more" / "Previous options" button rather than a choice."""
        return self.action_detail in (SHOW_MORE, PREVIOUS_OPTIONS)


@dataclass(frozen=True, slots=True)
class Link:
    """An element that is not a choice: ``kind`` is its ``type`` (``"hyperlink"``), ``url`` where it
    points. AWS's chat interface opens it and sends nothing; ``select`` refuses it."""

    title: str | None
    """The text the chat interface shows for the link (``select`` refuses it by this title)."""
    url: str | None
    """Where the link points."""
    kind: str
    """The element's ``type``, e.g. ``"hyperlink"``."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The element's whole JSON object."""

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Link:
        """The link an element's JSON object describes."""
        kind = raw.get("type")
        return cls(_str(raw, "title"), _str(raw, "url"), kind if isinstance(kind, str) else str(kind), raw)


def _element(raw: Mapping[str, Any]) -> Option | Link:
    return Option.from_json(raw) if raw.get("type") is None else Link.from_json(raw)


@dataclass(frozen=True, slots=True)
class TimeSlot:
    """One slot of a TimePicker: ``date`` (ISO 8601, as sent) and ``duration`` (minutes)."""

    date: str | None
    """The slot's start, as the template gives it (ISO 8601); a selection sends it."""
    duration: int | None
    """The slot's length in minutes."""
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The slot's whole JSON object."""


@dataclass(frozen=True, slots=True)
class InteractiveTemplate:
    """Base of every template: ``raw`` is the whole document, ``content`` its ``data.content``."""

    template_type: str | None
    """The ``templateType`` (``ListPicker``, ``TimePicker``, …)."""
    version: str | None
    """The template's ``version`` (``1.0``)."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The whole template document, members the SDK does not type included."""

    @property
    def data(self) -> Mapping[str, Any]:
        """The template's ``data`` object."""
        return _map(self.raw, "data")

    @property
    def content(self) -> Mapping[str, Any]:
        """The template's ``data.content`` object: its title, elements and the rest."""
        return _map(self.data, "content")

    @property
    def title(self) -> str | None:
        """The template's title (``data.content.title``)."""
        return _str(self.content, "title")

    @property
    def subtitle(self) -> str | None:
        """The template's subtitle, if any."""
        return _str(self.content, "subtitle")

    @property
    def reply_message(self) -> Mapping[str, Any]:
        """``data.replyMessage`` (what the customer's UI shows once they chose), or ``{}``."""
        return _map(self.data, "replyMessage")


@dataclass(frozen=True, slots=True)
class _WithOptions(InteractiveTemplate):
    #: set when the template is one card of a Carousel
    template_identifier: str | None = None

    @property
    def elements(self) -> tuple[Option | Link, ...]:
        """Every element as sent, in order: choices, paging buttons and links."""
        entries = self.content.get("elements")
        if not isinstance(entries, list):
            return ()
        return tuple(_element(e) for e in entries if isinstance(e, Mapping))

    @property
    def options(self) -> tuple[Option, ...]:
        """The choices (paging buttons and links left out)."""
        return tuple(e for e in self.elements if isinstance(e, Option) and not e.is_paging)

    @property
    def links(self) -> tuple[Link, ...]:
        """The elements that are links (``type`` ``"hyperlink"``, or any type the SDK does not select)."""
        return tuple(e for e in self.elements if isinstance(e, Link))


@dataclass(frozen=True, slots=True)
class ListPicker(_WithOptions):
    """Up to 6 options (AWS's limit), each with an optional image; may page with
    "Show more" / "Previous options" (``show_more`` / ``previous``)."""

    @property
    def reference_id(self) -> str | None:
        """The ``referenceId`` that paging replies send back."""
        return _str(self.content, "referenceId")

    @property
    def list_id(self) -> str | None:
        """The ``listId`` that paging replies send back."""
        return _str(self.content, "listId")

    @property
    def pre_index(self) -> int | None:
        """Index of the previous page's start (``preIndex``), for ``chat.show_previous``."""
        return _int(self.content, "preIndex")

    @property
    def next_index(self) -> int | None:
        """Index of the next page's start (``nextIndex``), for ``chat.show_more``."""
        return _int(self.content, "nextIndex")

    def _button(self, action: str) -> Option | None:
        return next((e for e in self.elements if isinstance(e, Option) and e.action_detail == action), None)

    @property
    def show_more(self) -> Option | None:
        """The ``SHOW_MORE`` option, when the list has a next page."""
        return self._button(SHOW_MORE)

    @property
    def previous(self) -> Option | None:
        """The ``PREVIOUS_OPTIONS`` option, when the list has a previous page."""
        return self._button(PREVIOUS_OPTIONS)


@dataclass(frozen=True, slots=True)
class Panel(_WithOptions):
    """A titled message with up to 10 option buttons (AWS's limit)."""


@dataclass(frozen=True, slots=True)
class QuickReply(_WithOptions):
    """A prompt with short reply buttons."""


@dataclass(frozen=True, slots=True)
class TimePicker(InteractiveTemplate):
    """Appointment time slots (``timeslots``), in ``time_zone_offset`` minutes from UTC."""

    @property
    def time_zone_offset(self) -> int | None:
        """The slots' time zone, in minutes from UTC (``timeZoneOffset``)."""
        return _int(self.content, "timeZoneOffset")

    @property
    def location(self) -> Mapping[str, Any]:
        """The appointment's ``location`` object (latitude, longitude, title), if any."""
        return _map(self.content, "location")

    @property
    def timeslots(self) -> tuple[TimeSlot, ...]:
        """The time slots offered, in order."""
        entries = self.content.get("timeslots")
        if not isinstance(entries, list):
            return ()
        return tuple(
            TimeSlot(_str(e, "date"), _int(e, "duration"), e) for e in entries if isinstance(e, Mapping)
        )


@dataclass(frozen=True, slots=True)
class Carousel(InteractiveTemplate):
    """Cards side by side, each a ListPicker or Panel (``cards``)."""

    @property
    def cards(self) -> tuple[InteractiveTemplate, ...]:
        """The carousel's cards, each a template of its own (a ``Panel``, a ``ListPicker``, …)."""
        entries = self.content.get("elements")
        if not isinstance(entries, list):
            return ()
        return tuple(_parse(e, nested=True) for e in entries if isinstance(e, Mapping))


@dataclass(frozen=True, slots=True)
class ViewResource(InteractiveTemplate):
    """A view (step-by-step guide): ``session.describe_view(template.view_token)``, then
    ``session.answer_view(action, output)``."""

    @property
    def view_id(self) -> str | None:
        """The view's id (an ARN)."""
        return _str(self.content, "viewId")

    @property
    def view_token(self) -> str | None:
        """The token to pass to ``chat.describe_view``."""
        return _str(self.content, "viewToken")

    @property
    def view_data(self) -> Any:
        """The input data for the view (``viewData``; parsed when sent as a JSON string)."""
        value = self.content.get("viewData")
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value


@dataclass(frozen=True, slots=True)
class UnknownTemplate(InteractiveTemplate):
    """A template type this version does not know: read ``raw``."""


_TEMPLATES: Final[Mapping[str, type[InteractiveTemplate]]] = {
    "ListPicker": ListPicker,
    "Panel": Panel,
    "QuickReply": QuickReply,
    "TimePicker": TimePicker,
    "Carousel": Carousel,
    "ViewResource": ViewResource,
}


def _parse(doc: Mapping[str, Any], *, nested: bool = False) -> InteractiveTemplate:
    kind = _str(doc, "templateType")
    cls = _TEMPLATES.get(kind or "", UnknownTemplate)
    version = _str(doc, "version")
    if issubclass(cls, _WithOptions):
        return cls(kind, version, doc, _str(doc, "templateIdentifier") if nested else None)
    return cls(kind, version, doc)


def json_object(content: str | None) -> Mapping[str, Any] | None:
    """``content`` parsed when it is a JSON object, else ``None`` (never raises)."""
    if not content:
        return None
    try:
        doc = json.loads(content)
    except (ValueError, RecursionError):
        return None
    return doc if isinstance(doc, Mapping) else None


def parse_interactive(content: str | None) -> InteractiveTemplate | None:
    """The template of an interactive message's content; ``None`` if it is not a JSON object."""
    doc = json_object(content)
    return _parse(doc) if doc is not None else None


# --- replies --------------------------------------------------------------------------------


def _not_a_choice(link: Link) -> InvalidInputError:
    title = repr(link.title[:80]) if link.title else "this element"
    return InvalidInputError(
        "option",
        f"{title} is a link ({link.kind[:40]}), not a choice: open its url; AWS's chat interface sends"
        " nothing for it",
    )


def _pick(template: _WithOptions, option: object) -> Option:
    """``option``: an ``Option`` of the template, its index in ``options``, or its title."""
    choices = template.elements
    if isinstance(option, Link):
        raise _not_a_choice(option)
    if isinstance(option, Option):
        if option not in choices:
            raise InvalidInputError("option", "must be one of the template's options")
        return option
    if isinstance(option, int) and not isinstance(option, bool):
        plain = template.options
        if not 0 <= option < len(plain):
            raise InvalidInputError("option", f"must be an index from 0 to {len(plain) - 1}")
        return plain[option]
    if isinstance(option, str):
        found = next((e for e in choices if isinstance(e, Option) and e.title == option), None)
        if found is None:
            link = next((e for e in choices if isinstance(e, Link) and e.title == option), None)
            if link is not None:
                raise _not_a_choice(link)
            raise InvalidInputError("option", "must be the title of one of the template's options")
        return found
    raise InvalidInputError("option", "must be an Option, an index or an option's title")


def option_reply(template: InteractiveTemplate, option: object) -> tuple[str, str]:
    """``(content_type, content)`` of the customer's choice of ``option``, as AWS's chat UI sends it.

    ListPicker, Panel, QuickReply (also a card of a Carousel): ``option`` is an ``Option`` of
    it, an index into ``options`` or an option's title. TimePicker: a ``TimeSlot``, an index
    into ``timeslots`` or a slot's ``date``.
    """
    if isinstance(template, TimePicker):
        return "text/plain", _pick_slot(template, option)
    if isinstance(template, Carousel):
        raise InvalidInputError("template", "must be one of the carousel's cards (template.cards[i])")
    if not isinstance(template, _WithOptions):
        raise InvalidInputError("template", "must be a ListPicker, Panel, QuickReply or TimePicker")
    chosen = _pick(template, option)
    if chosen.is_paging:
        if not isinstance(template, ListPicker):
            raise InvalidInputError("option", "paging buttons belong to list pickers")
        return INTERACTIVE_RESPONSE, _paging_reply(template, chosen.action_detail or "")
    if not chosen.title:
        raise InvalidInputError("option", "has no title to send")
    if template.template_identifier is not None:  # a card of a carousel
        doc = {
            "templateIdentifier": template.template_identifier,
            "listTitle": template.title or "",
            "selectionText": chosen.title,
        }
        return "text/plain", _json(doc)
    return "text/plain", chosen.title


def _pick_slot(template: TimePicker, option: object) -> str:
    slots = template.timeslots
    chosen: TimeSlot | None
    if isinstance(option, TimeSlot):
        chosen = option if option in slots else None
    elif isinstance(option, int) and not isinstance(option, bool):
        chosen = slots[option] if 0 <= option < len(slots) else None
    elif isinstance(option, str):
        chosen = next((s for s in slots if s.date == option), None)
    else:
        raise InvalidInputError("option", "must be a TimeSlot, an index or a slot's date")
    if chosen is None or not chosen.date:
        raise InvalidInputError("option", "must be one of the template's time slots")
    return chosen.date


def _paging_reply(template: ListPicker, action: str) -> str:
    doc = {
        "version": "1.0",
        "data": {
            "actionName": action,
            "preIndex": template.pre_index,
            "nextIndex": template.next_index,
            "listId": template.list_id,
            "templateType": "ListPicker",
            "referenceId": template.reference_id,
        },
        "action": action,
    }
    return _json(doc)


def paging_reply(template: InteractiveTemplate, action: str) -> tuple[str, str]:
    """ "Show more" (``SHOW_MORE``) or "Previous options" (``PREVIOUS_OPTIONS``) of a list picker."""
    if not isinstance(template, ListPicker):
        raise InvalidInputError("template", "must be a ListPicker")
    button = template.show_more if action == SHOW_MORE else template.previous
    if button is None:
        raise InvalidInputError("template", f"has no {action} option")
    return INTERACTIVE_RESPONSE, _paging_reply(template, action)


def view_reply(
    action: object, output: object = None, actions: tuple[str, ...] | None = None
) -> tuple[str, str]:
    """The answer to a view: ``action`` (one of the view's ``actions`` when given) and its ``output``."""
    if not isinstance(action, str) or not 1 <= len(action) <= 255:
        raise InvalidInputError("action", "must be a str of 1..255 characters")
    if actions is not None and action not in actions:
        raise InvalidInputError("action", "must be one of the view's actions")
    if output is None:
        output = {}
    try:
        data = json.loads(_json(output))
    except (TypeError, ValueError):
        raise InvalidInputError("output", "must be JSON-serializable") from None
    doc = {"action": action, "data": data, "templateType": "ViewResource", "version": "1.0"}
    return INTERACTIVE_RESPONSE, _json(doc)
