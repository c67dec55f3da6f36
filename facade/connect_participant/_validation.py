"""Argument checks against the API's bounds: pure functions that return the clean value or raise.

Every public method calls these before anything is sent; an ``InvalidInputError``
names the argument and the rule, never the value (it may be a token). The API's
bounds come from the spec at generation time: each generated model module carries
its members' ``CONSTRAINTS`` and ``connect_participant_api._parameter_bounds`` the
header and path parameters'; ``check_bounds`` holds a value to one such entry.
What is left hand-written here is what the spec does not hold (content limits per
content type, a page size of at least 1, timestamps, timeouts, ...).

Content limits per content type are defaults (``DEFAULT_CONTENT_LIMITS``):
AWS's sources disagree and an instance may accept more, so a client takes
``content_limits={content_type: n}`` to lift or lower them; a type not in the
table is held to the shape's own maximum, ``max_content()`` (from the spec).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

from connect_participant_api._parameter_bounds import PARAMETER_BOUNDS

from ._errors import InvalidInputError

__all__ = [
    "DEFAULT_CONTENT_LIMITS",
    "DISPOSITIONS",
    "check_absolute_time",
    "check_bool",
    "check_bounds",
    "check_content",
    "check_content_limits",
    "check_content_type",
    "check_expires_at",
    "check_id",
    "check_int",
    "check_member",
    "check_optional_content",
    "check_page_size",
    "check_string",
    "check_timeout",
    "check_token",
    "directions",
    "format_instant",
    "max_content",
    "sorts",
]


def spec_bounds(model: type, member: str) -> Mapping[str, Any]:
    """A generated model member's bounds from the spec (its module's ``CONSTRAINTS``)."""
    constraints: Mapping[str, Mapping[str, Any]] = sys.modules[model.__module__].CONSTRAINTS
    return constraints[member]


def _model(name: str) -> type:
    """A generated model class, its module imported now (the SDK's import loads none of them)."""
    import connect_participant_api.models as models

    cls: type = getattr(models, name)
    return cls


@cache
def max_content() -> int:
    """The longest content SendMessage takes at all (a content type not in the limits table is held to it)."""
    limit: int = spec_bounds(_model("SendMessageRequest"), "content")["max_length"]
    return limit


@cache
def directions() -> tuple[str, ...]:
    return tuple(spec_bounds(_model("GetTranscriptRequest"), "scan_direction")["enum"])


@cache
def sorts() -> tuple[str, ...]:
    return tuple(spec_bounds(_model("GetTranscriptRequest"), "sort_order")["enum"])


DEFAULT_CONTENT_LIMITS: Final[Mapping[str, int]] = {
    "text/plain": 1024,
    "text/markdown": 1024,
    "application/json": 12000,
    "application/vnd.amazonaws.connect.message.interactive.response": 12288,
}
"""The largest message per content type, in characters, as Connect documents them (give the client ``content_limits=`` to change them)."""
DISPOSITIONS: Final = ("INLINE", "ATTACHMENT")
_TOKEN: Final = PARAMETER_BOUNDS["send_message"]["x_amz_bearer"]


def check_string(name: str, value: object, min_len: int, max_len: int | None) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(name, f"must be a str of {_span(min_len, max_len)} characters")
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        raise InvalidInputError(name, f"must be {_span(min_len, max_len)} characters long")
    return value


def check_bounds(name: str, value: object, bounds: Mapping[str, Any]) -> None:
    """``value`` against one spec entry (``type``, ``min_length``/``max_length``, ``minimum``/``maximum``,
    ``min_items``/``max_items``, ``items``, ``enum``, ``pattern``), with the same rules' wording throughout."""
    kind = bounds.get("type")
    if "enum" in bounds:
        check_choice(name, value, tuple(bounds["enum"]))
    elif kind == "string":
        text = check_string(name, value, bounds.get("min_length", 0), bounds.get("max_length"))
        pattern = _pattern(bounds.get("pattern"))
        if pattern is not None and pattern.search(text) is None:
            raise InvalidInputError(name, "must match the pattern the API gives for it")
    elif kind == "integer":
        check_int(name, value, bounds.get("minimum"), bounds.get("maximum"))
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInputError(name, "must be a number")
    elif kind == "boolean":
        check_bool(name, value)
    elif kind == "array":
        if not isinstance(value, list | tuple):
            raise InvalidInputError(name, "must be a list")
        low, high = bounds.get("min_items", 0), bounds.get("max_items")
        if len(value) < low or (high is not None and len(value) > high):
            raise InvalidInputError(name, f"must have {_span(low, high)} items")
        items = bounds.get("items")
        if items:
            for entry in value:
                if not hasattr(entry, "to_dict"):  # nested models are checked member by member
                    check_bounds(name, entry, items)


@cache
def _pattern(pattern: str | None) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error:  # a pattern Python's re cannot compile: the service checks it
        return None


def _span(low: int | None, high: int | None) -> str:
    if high is None:
        return f">= {low}"
    if low is None:
        return f"<= {high}"
    return f"{low}..{high}"


def check_member(name: str, value: object, model: type, member: str) -> Any:
    """``value`` for ``model``'s ``member``, held to the spec's bounds (named ``name`` in errors)."""
    check_bounds(name, value, spec_bounds(model, member))
    return value


def check_token(name: str, value: object) -> str:
    """Participant and connection tokens: the spec's bounds of the ``X-Amz-Bearer`` header."""
    check_bounds(name, value, _TOKEN)
    return value  # type: ignore[return-value]


def check_id(name: str, value: object) -> str:
    """Message and item ids: the spec's bounds of a transcript item's ``Id``."""
    return check_member(name, value, _model("Item"), "id")  # type: ignore[no-any-return]


def check_content_type(value: object, name: str = "content_type") -> str:
    return check_member(name, value, _model("SendMessageRequest"), "content_type")  # type: ignore[no-any-return]


def check_int(name: str, value: object, low: int | None, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(name, "must be an int")
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidInputError(name, f"must be {_span(low, high)}")
    return value


def check_page_size(value: object) -> int:
    """GetTranscript's MaxResults as the spec bounds it, but at least 1 (a page of none never ends)."""
    maximum = spec_bounds(_model("GetTranscriptRequest"), "max_results").get("maximum")
    return check_int("page_size", value, 1, maximum)


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidInputError(name, "must be a bool")
    return value


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidInputError(name, f"must be one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value


def check_content_limits(value: object) -> dict[str, int]:
    """Merge a user's per-content-type limits onto the defaults."""
    limits = dict(DEFAULT_CONTENT_LIMITS)
    if value is None:
        return limits
    if not isinstance(value, Mapping):
        raise InvalidInputError("content_limits", "must be a mapping of content type to maximum length")
    for key, limit in value.items():
        check_content_type(key, "content_limits")
        limits[key] = check_int(f"content_limits[{key!r}]", limit, 1)
    return limits


def check_content(content: object, content_type: str, limits: Mapping[str, int]) -> str:
    limit = limits.get(content_type)
    if limit is None:
        limit = max_content()
    if not isinstance(content, str):
        raise InvalidInputError("content", "must be a str")
    if not content:
        raise InvalidInputError("content", "must not be empty")
    if len(content) > limit:
        source = "the limit configured" if content_type in limits else "the API's maximum"
        raise InvalidInputError(
            "content",
            f"must be at most {limit} characters for {content_type} ({source}; "
            "pass content_limits={...} to the client if your instance accepts more)",
        )
    return content


def check_optional_content(content: object, content_type: str, limits: Mapping[str, int]) -> str | None:
    return None if content is None else check_content(content, content_type, limits)


def format_instant(value: datetime) -> str:
    """AWS's Instant format: ``YYYY-MM-DDThh:mm:ss.sssZ`` in UTC."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def check_absolute_time(name: str, value: object) -> str:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInputError(name, "must be a timezone-aware datetime")
    return format_instant(value)


def check_expires_at(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInputError("expires_at", "must be a timezone-aware datetime or None")
    return value


def check_timeout(value: object) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInputError("timeout", "must be a positive number of seconds, an httpx.Timeout or None")
    return float(value)
