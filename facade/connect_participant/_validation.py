"""Argument checks against the API's bounds: pure functions that return the clean value or raise.

Every public method calls these before anything is sent; an ``InvalidInputError``
names the argument and the rule, never the value (it may be a token). Bounds
come from AWS's service model (botocore 1.43, connectparticipant 2018-09-07).

Content limits per content type are defaults (``DEFAULT_CONTENT_LIMITS``):
AWS's sources disagree and an instance may accept more, so a client takes
``content_limits={content_type: n}`` to lift or lower them; a type not in the
table is held to the shape's own maximum, ``MAX_CONTENT``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final

from ._errors import InvalidInputError

__all__ = [
    "DEFAULT_CONTENT_LIMITS",
    "DIRECTIONS",
    "DISPOSITIONS",
    "MAX_CONTENT",
    "SORTS",
    "check_absolute_time",
    "check_bool",
    "check_content",
    "check_content_limits",
    "check_content_type",
    "check_expires_at",
    "check_id",
    "check_int",
    "check_optional_content",
    "check_page_size",
    "check_string",
    "check_timeout",
    "check_token",
    "format_instant",
]

MAX_CONTENT: Final = 16384
DEFAULT_CONTENT_LIMITS: Final[Mapping[str, int]] = {
    "text/plain": 1024,
    "text/markdown": 1024,
    "application/json": 12000,
    "application/vnd.amazonaws.connect.message.interactive.response": 12288,
}
DIRECTIONS: Final = ("FORWARD", "BACKWARD")
SORTS: Final = ("ASCENDING", "DESCENDING")
DISPOSITIONS: Final = ("INLINE", "ATTACHMENT")


def check_string(name: str, value: object, min_len: int, max_len: int) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(name, f"must be a str of {min_len}..{max_len} characters")
    if not min_len <= len(value) <= max_len:
        raise InvalidInputError(name, f"must be {min_len}..{max_len} characters long")
    return value


def check_token(name: str, value: object) -> str:
    """Participant and connection tokens: 1..1000 characters."""
    return check_string(name, value, 1, 1000)


def check_id(name: str, value: object) -> str:
    """Message, item, attachment and contact ids: 1..256 characters."""
    return check_string(name, value, 1, 256)


def check_content_type(value: object, name: str = "content_type") -> str:
    return check_string(name, value, 1, 100)


def check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInputError(name, "must be an int")
    if value < low or (high is not None and value > high):
        rule = f"{low}..{high}" if high is not None else f">= {low}"
        raise InvalidInputError(name, f"must be {rule}")
    return value


def check_page_size(value: object) -> int:
    return check_int("page_size", value, 1, 100)


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
    limit = limits.get(content_type, MAX_CONTENT)
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
