"""Argument checks (``_validation``) and streamed-answer stitching (``_streaming``), rule by rule,
pure: each check's accepted edges, the argument it names and the rule's exact words (found by
``make mutate --module _validation --module _streaming``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from connect_participant import InvalidInputError, Item, Message
from connect_participant._events import event_from_item
from connect_participant._streaming import StreamedText
from connect_participant._validation import (
    DEFAULT_CONTENT_LIMITS,
    check_absolute_time,
    check_bool,
    check_bounds,
    check_content,
    check_content_limits,
    check_expires_at,
    check_int,
    check_optional_content,
    check_string,
    check_timeout,
    format_instant,
    max_content,
)


def _refused(call: Any, *args: Any) -> str:
    with pytest.raises(InvalidInputError) as caught:
        call(*args)
    return str(caught.value)


# --- check_bounds: one spec entry ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("bounds", "value", "message"),
    [
        ({"type": "string", "enum": ["A", "B"]}, "C", "arg: must be one of A, B"),
        ({"type": "string", "min_length": 2, "max_length": 3}, "x", "arg: must be 2..3 characters long"),
        ({"type": "string", "min_length": 2, "max_length": 3}, "xyzw", "arg: must be 2..3 characters long"),
        ({"type": "string", "max_length": 3}, 5, "arg: must be a str of 0..3 characters"),
        ({"type": "string", "min_length": 1}, 5, "arg: must be a str of >= 1 characters"),
        ({"type": "string"}, "", None),  # no min_length: empty is allowed
        (
            {"type": "string", "pattern": "^[a-z]+$"},
            "abc1",
            "arg: must match the pattern the API gives for it",
        ),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc", None),
        (
            {"type": "string", "pattern": "(?<!x"},
            "anything",
            None,
        ),  # a pattern re can't compile: the service checks
        ({"type": "integer", "minimum": 1, "maximum": 3}, 4, "arg: must be 1..3"),
        ({"type": "number"}, True, "arg: must be a number"),
        ({"type": "number"}, "1", "arg: must be a number"),
        ({"type": "number"}, 1.5, None),
        ({"type": "number"}, 2, None),
        ({"type": "boolean"}, 1, "arg: must be a bool"),
        ({"type": "boolean"}, False, None),
        ({"type": "array"}, "ab", "arg: must be a list"),
        ({"type": "array"}, {"a": 1}, "arg: must be a list"),
        ({"type": "array", "max_items": 2}, [], None),  # no min_items: empty is allowed
        ({"type": "array", "min_items": 1, "max_items": 2}, [], "arg: must have 1..2 items"),
        ({"type": "array", "min_items": 1, "max_items": 2}, ["a", "b", "c"], "arg: must have 1..2 items"),
        ({"type": "array", "min_items": 1, "max_items": 2}, ("a", "b"), None),
        ({"type": "array", "min_items": 1}, [], "arg: must have >= 1 items"),
        (
            {"type": "array", "items": {"type": "string", "max_length": 1}},
            ["a", "bc"],
            "arg: must be 0..1 characters long",
        ),
        ({"type": "array", "items": {"type": "string", "max_length": 1}}, ["a", "b"], None),
    ],
)
def test_a_value_is_held_to_one_spec_entry(
    bounds: dict[str, Any], value: object, message: str | None
) -> None:
    if message is None:
        check_bounds("arg", value, bounds)
    else:
        assert _refused(check_bounds, "arg", value, bounds) == message


def test_nested_models_in_a_list_are_left_to_their_own_checks() -> None:
    class Model:
        def to_dict(self) -> dict[str, Any]:
            return {}

    check_bounds("arg", [Model()], {"type": "array", "items": {"type": "string"}})


def test_strings_ints_bools() -> None:
    assert check_string("s", "ab", 1, None) == "ab"
    assert _refused(check_string, "s", "", 1, None) == "s: must be >= 1 characters long"
    assert _refused(check_string, "s", "abcd", 0, 3) == "s: must be 0..3 characters long"
    assert check_int("n", 3, 1, 3) == 3
    assert check_int("n", 1, 1) == 1
    assert _refused(check_int, "n", 0, 1) == "n: must be >= 1"
    assert _refused(check_int, "n", 9, None, 5) == "n: must be <= 5"
    assert _refused(check_int, "n", True, None) == "n: must be an int"
    assert _refused(check_int, "n", 1.0, None) == "n: must be an int"
    assert check_bool("b", True) is True
    assert _refused(check_bool, "b", "yes") == "b: must be a bool"


# --- content ------------------------------------------------------------------------------------


def test_content_within_its_type_limit_or_the_api_maximum() -> None:
    limits = dict(DEFAULT_CONTENT_LIMITS)
    assert check_content("x" * 1024, "text/plain", limits) == "x" * 1024
    assert _refused(check_content, "x" * 1025, "text/plain", limits) == (
        "content: must be at most 1024 characters for text/plain (the limit configured; "
        "pass content_limits={...} to the client if your instance accepts more)"
    )
    other = "application/vnd.amazonaws.connect.message.interactive"
    assert other not in limits
    assert check_content("x" * max_content(), other, limits)
    assert _refused(check_content, "x" * (max_content() + 1), other, limits) == (
        f"content: must be at most {max_content()} characters for {other} (the API's maximum; "
        "pass content_limits={...} to the client if your instance accepts more)"
    )
    assert _refused(check_content, 5, "text/plain", limits) == "content: must be a str"
    assert _refused(check_content, "", "text/plain", limits) == "content: must not be empty"
    assert check_optional_content(None, "text/plain", limits) is None
    assert check_optional_content("hi", "text/plain", limits) == "hi"
    tight = {"text/markdown": 2}
    assert _refused(check_optional_content, "abc", "text/markdown", tight).startswith(
        "content: must be at most 2 characters for text/markdown (the limit configured"
    )


def test_content_limits_merge_onto_the_defaults() -> None:
    assert check_content_limits(None) == dict(DEFAULT_CONTENT_LIMITS)
    merged = check_content_limits({"text/plain": 4096})
    assert merged == {**DEFAULT_CONTENT_LIMITS, "text/plain": 4096}
    assert _refused(check_content_limits, [("text/plain", 1)]) == (
        "content_limits: must be a mapping of content type to maximum length"
    )
    assert _refused(check_content_limits, {"text/plain": 0}) == "content_limits['text/plain']: must be >= 1"


# --- times and timeouts -------------------------------------------------------------------------


def test_instants_are_written_in_utc_to_the_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the machine's own zone must not leak in
    time.tzset()
    try:
        local = datetime(2026, 12, 6, 18, 30, 5, 123_999, tzinfo=timezone(timedelta(hours=2)))
        assert format_instant(local) == "2026-12-06T16:30:05.123Z"
        assert (
            format_instant(datetime(2026, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC)) == "2026-01-01T00:00:00.500Z"
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert check_absolute_time("since", local) == "2026-12-06T16:30:05.123Z"
    assert _refused(check_absolute_time, "since", datetime(2026, 1, 1)) == (
        "since: must be a timezone-aware datetime"
    )
    assert _refused(check_absolute_time, "since", "2026-01-01") == "since: must be a timezone-aware datetime"


def test_expiry_is_an_aware_datetime_or_none() -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    assert check_expires_at(when) is when
    assert check_expires_at(None) is None
    for bad in (datetime(2026, 1, 1), "2026-01-01"):
        assert _refused(check_expires_at, bad) == "expires_at: must be a timezone-aware datetime or None"


@pytest.mark.parametrize("good", [0.001, 0.5, 1, 30])
def test_a_timeout_is_any_positive_finite_number(good: float) -> None:
    assert check_timeout(good) == float(good)


@pytest.mark.parametrize("bad", [0, -1, float("inf"), float("nan"), True, "5"])
def test_a_timeout_is_refused_otherwise(bad: object) -> None:
    assert (
        _refused(check_timeout, bad)
        == "timeout: must be a positive number of seconds, an httpx.Timeout or None"
    )


# --- streamed answers ---------------------------------------------------------------------------


def _chunk(item_id: str, number: int | None, text: str | None, *, completed: bool = False) -> Message:
    meta: dict[str, Any] = {"MessageCompleted": completed}
    if number is not None:
        meta["ChunkNumber"] = number
    raw: dict[str, Any] = {
        "Type": "MESSAGE",
        "Id": item_id,
        "ContentType": "text/plain",
        "MessageMetadata": meta,
    }
    if text is not None:
        raw["Content"] = text
    event = event_from_item(Item(raw))
    assert isinstance(event, Message)
    return event


def test_streamed_answers_are_kept_per_id_and_the_oldest_is_forgotten() -> None:
    text = StreamedText(size=2)
    assert text.feed(_chunk("a", 1, "a1")) == "a1"
    assert text.feed(_chunk("b", 1, "b1")) == "b1"
    assert text.feed(_chunk("a", 2, "a2")) == "a1a2"  # two answers fit
    assert text.feed(_chunk("c", 1, "c1")) == "c1"  # a third: "a" (the oldest) is forgotten
    assert text.feed(_chunk("a", 3, "a3")) is None  # cannot start a stream
    assert text.feed(_chunk("b", 2, "b2")) == "b1b2"


def test_a_completed_answer_is_its_whole_text_and_starts_over() -> None:
    text = StreamedText()
    text.feed(_chunk("a", 1, "part"))
    assert text.feed(_chunk("a", None, None, completed=True)) == ""  # no content: empty text
    assert text.feed(_chunk("a", 2, "late")) is None  # the stream was closed by the completion
    assert text.feed(_chunk("a", 1, None)) == ""  # a chunk without content adds nothing


def test_the_default_keeps_a_thousand_answers() -> None:
    text = StreamedText()
    for n in range(1001):
        text.feed(_chunk(f"m{n}", 1, "x"))
    assert text.feed(_chunk("m0", 2, "y")) is None  # the 1001st pushed the first out
    assert text.feed(_chunk("m1", 2, "y")) == "xy"
