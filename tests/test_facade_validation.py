"""Every InvalidInputError rule: the error names the argument and the rule, and nothing is sent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from _servers import FakeParticipantService, connected_chat
from connect_participant import (
    DEFAULT_CONTENT_LIMITS,
    AsyncParticipantClient,
    ChatSession,
    EventStreamConfig,
    InvalidInputError,
    ParticipantClient,
    RetryPolicy,
)
from connect_participant._validation import format_instant

INTERACTIVE_RESPONSE = "application/vnd.amazonaws.connect.message.interactive.response"


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        yield service


@pytest.fixture
def chat(svc: FakeParticipantService) -> Iterator[ChatSession]:
    for session in connected_chat(svc):
        yield session
        assert svc.requests == [], "an invalid call reached the server"


def test_invalid_input_error_is_a_value_error() -> None:
    error = InvalidInputError("page_size", "must be 1..100")
    assert isinstance(error, ValueError)
    assert (error.argument, error.rule, str(error)) == (
        "page_size",
        "must be 1..100",
        "page_size: must be 1..100",
    )


@pytest.mark.parametrize(
    ("content_type", "limit"),
    [
        ("text/plain", 1024),
        ("text/markdown", 1024),
        ("application/json", 12000),
        (INTERACTIVE_RESPONSE, 12288),
        ("application/vnd.amazonaws.connect.message.interactive", 16384),
        ("x/other", 16384),
    ],
)
def test_content_limit_per_type(chat: ChatSession, content_type: str, limit: int) -> None:
    with pytest.raises(
        InvalidInputError, match=rf"^content: must be at most {limit} characters for {content_type}"
    ):
        chat.send_message("x" * (limit + 1), content_type=content_type)


def test_default_limits_table() -> None:
    assert dict(DEFAULT_CONTENT_LIMITS) == {
        "text/plain": 1024,
        "text/markdown": 1024,
        "application/json": 12000,
        INTERACTIVE_RESPONSE: 12288,
    }


def test_limits_can_be_lifted(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url, content_limits={"text/plain": 4096}) as client:
        chat = client.connect(svc.new_participant())
        chat.send_message("x" * 4096)
        with pytest.raises(InvalidInputError, match="content_limits"):
            chat.send_message("x" * 4097)
    assert svc.of("SendMessage")[0].body["Content"] == "x" * 4096


SESSION_RULES: list[tuple[Any, str, str]] = [
    (lambda c: c.send_message(""), "content", "must not be empty"),
    (lambda c: c.send_message(b"bytes"), "content", "must be a str"),
    (lambda c: c.send_message(None), "content", "must be a str"),
    (lambda c: c.send_message("hi", content_type=""), "content_type", "must be 1..100 characters"),
    (lambda c: c.send_message("hi", content_type="t" * 101), "content_type", "must be 1..100 characters"),
    (lambda c: c.send_message("hi", content_type=3), "content_type", "must be a str"),
    (lambda c: c.send_event(""), "content_type", "must be 1..100 characters"),
    (lambda c: c.send_event("application/x", content=""), "content", "must not be empty"),
    (lambda c: c.send_event("application/x", content="x" * 16385), "content", "at most 16384"),
    (lambda c: c.send_delivered(""), "message_id", "must be 1..256 characters"),
    (lambda c: c.send_read("m" * 257), "message_id", "must be 1..256 characters"),
    (lambda c: c.send_read(7), "message_id", "must be a str"),
    (lambda c: c.transcript(page_size=0), "page_size", "must be 1..100"),
    (lambda c: c.transcript(page_size=101), "page_size", "must be 1..100"),
    (lambda c: c.transcript(page_size=True), "page_size", "must be an int"),
    (lambda c: c.transcript(page_size="10"), "page_size", "must be an int"),
    (lambda c: c.transcript(direction="UP"), "direction", "must be one of FORWARD, BACKWARD"),
    (lambda c: c.transcript(direction="forward"), "direction", "must be one of FORWARD, BACKWARD"),
    (lambda c: c.transcript(sort="RANDOM"), "sort", "must be one of DESCENDING, ASCENDING"),  # spec order
    (lambda c: c.transcript(start=""), "start", "must be 1..256 characters"),
    (lambda c: c.transcript(start="i" * 257), "start", "must be 1..256 characters"),
    (lambda c: c.transcript(start=101), "start", "must be 0..100"),
    (lambda c: c.transcript(start=-1), "start", "must be 0..100"),
    (lambda c: c.transcript(start=datetime(2026, 1, 1)), "start", "timezone-aware"),
    (lambda c: c.transcript(start=1.5), "start", "must be None, an item id"),
    (lambda c: c.transcript(contact_id=""), "contact_id", "must be 1..256 characters"),
]


@pytest.mark.parametrize(("call", "argument", "rule"), SESSION_RULES)
def test_session_argument_rules(chat: ChatSession, call: Any, argument: str, rule: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        call(chat)
    assert caught.value.argument == argument
    assert rule in caught.value.rule


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        ({}, "region", "give a region"),
        ({"region": "us_east_1"}, "region", "must be a region name"),
        ({"region": ""}, "region", "must be a region name"),
        ({"endpoint_url": "http://example.com"}, "endpoint_url", "https unless the host is loopback"),
        ({"endpoint_url": "not a url"}, "endpoint_url", "http(s) URL"),
        ({"endpoint_url": "https://h", "use_fips": True}, "use_fips", "cannot be combined with endpoint_url"),
        ({"endpoint_url": "https://h", "use_dualstack": True}, "use_dualstack", "cannot be combined"),
        ({"region": "us-east-1", "use_fips": "yes"}, "use_fips", "must be a bool"),
        ({"region": "us-east-1", "timeout": 0}, "timeout", "positive number"),
        ({"region": "us-east-1", "timeout": "5"}, "timeout", "positive number"),
        ({"region": "us-east-1", "retry": 3}, "retry", "must be a RetryPolicy"),
        (
            {"region": "us-east-1", "content_limits": {"text/plain": 0}},
            "content_limits['text/plain']",
            ">= 1",
        ),
        ({"region": "us-east-1", "content_limits": {"": 5}}, "content_limits", "1..100 characters"),
        ({"region": "us-east-1", "content_limits": [1]}, "content_limits", "mapping"),
        ({"region": "us-east-1", "refresh_margin": -1}, "refresh_margin", ">= 0"),
        ({"region": "us-east-1", "http_client": object()}, "http_client", "httpx.Client"),
    ],
)
def test_client_argument_rules(kwargs: dict[str, Any], argument: str, rule: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        ParticipantClient(**kwargs)
    assert caught.value.argument == argument
    assert rule in caught.value.rule


async def test_async_client_checks_the_same() -> None:
    with pytest.raises(InvalidInputError, match=r"^http_client: must be an httpx\.AsyncClient"):
        AsyncParticipantClient(region="us-east-1", http_client=object())
    with pytest.raises(InvalidInputError, match=r"^region: "):
        AsyncParticipantClient(region="bad region")


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        ({"max_attempts": 0}, "max_attempts", ">= 1"),
        ({"max_attempts": 2.5}, "max_attempts", "int"),
        ({"base_delay": -1}, "base_delay", ">= 0"),
        ({"max_delay": float("nan")}, "max_delay", ">= 0"),
        ({"max_retry_after": "1"}, "max_retry_after", "number"),
    ],
)
def test_retry_policy_rules(kwargs: dict[str, Any], argument: str, rule: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RetryPolicy(**kwargs)
    assert caught.value.argument == argument
    assert rule in caught.value.rule


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.connect(""), "participant_token"),
        (lambda c: c.connect("p" * 1001), "participant_token"),
        (lambda c: c.connect(None), "participant_token"),
        (lambda c: c.resume(""), "connection_token"),
        (lambda c: c.resume("c" * 1001), "connection_token"),
        (lambda c: c.resume("c", participant_token=""), "participant_token"),
        (lambda c: c.resume("c", expires_at=datetime(2030, 1, 1)), "expires_at"),
        (lambda c: c.resume("c", expires_at="2030-01-01"), "expires_at"),
    ],
)
def test_token_rules_and_nothing_sent(svc: FakeParticipantService, call: Any, argument: str) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        with pytest.raises(InvalidInputError) as caught:
            call(client)
        assert caught.value.argument == argument
    assert svc.requests == []


def test_rule_text_never_contains_the_value() -> None:
    secret = "s3cr3t-" * 200
    with ParticipantClient(region="us-east-1") as client, pytest.raises(InvalidInputError) as caught:
        client.connect(secret)
    assert "s3cr3t" not in str(caught.value)
    assert "s3cr3t" not in repr(caught.value)


def test_bounds_are_inclusive(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(svc.new_participant())
        chat.send_message("x" * 1024)
        chat.send_message("x", content_type="c" * 100)
        chat.send_read("m" * 256)
        list(chat.transcript(page_size=1, start=100))
        list(chat.transcript(page_size=100, start=0))
    assert svc.count("SendMessage") == 2


def test_absolute_time_format() -> None:
    when = datetime(2026, 11, 26, 15, 4, 5, 678901, tzinfo=UTC)
    assert format_instant(when) == "2026-11-26T15:04:05.678Z"


# --- gaps found by the audit: each must fail before anything is sent --------------------------------

INF, NAN = float("inf"), float("nan")


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        ({"base_delay": INF}, "base_delay", "finite"),
        ({"max_delay": INF}, "max_delay", "finite"),
        ({"max_retry_after": INF}, "max_retry_after", "finite"),
        ({"max_attempts": True}, "max_attempts", "int"),
        ({"base_delay": None}, "base_delay", "number"),
    ],
)
def test_retry_policy_values_are_finite(kwargs: dict[str, Any], argument: str, rule: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        RetryPolicy(**kwargs)
    assert (caught.value.argument, rule in caught.value.rule) == (argument, True)


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        ({"refresh_margin": NAN}, "refresh_margin", "finite"),
        ({"refresh_margin": INF}, "refresh_margin", "finite"),
        ({"refresh_margin": True}, "refresh_margin", "number"),
        ({"timeout": httpx.Timeout(-1)}, "timeout", "positive"),
        ({"timeout": httpx.Timeout(5, connect=NAN)}, "timeout", "positive"),
        ({"timeout": httpx.Timeout(5, read=0)}, "timeout", "positive"),
        ({"timeout": INF}, "timeout", "positive"),
        ({"timeout": True}, "timeout", "positive"),
        ({"timeout": b"5"}, "timeout", "positive"),
    ],
)
def test_client_numbers_are_checked(
    svc: FakeParticipantService, kwargs: dict[str, Any], argument: str, rule: str
) -> None:
    for cls in (ParticipantClient, AsyncParticipantClient):
        with pytest.raises(InvalidInputError) as caught:
            cls(endpoint_url=svc.endpoint_url, **kwargs)
        assert caught.value.argument == argument
        assert rule in caught.value.rule
    assert svc.requests == []


def test_timeout_parts_may_be_none(svc: FakeParticipantService) -> None:
    with ParticipantClient(endpoint_url=svc.endpoint_url, timeout=httpx.Timeout(None, connect=2.0)) as client:
        client.connect(svc.new_participant())
    assert svc.count("CreateParticipantConnection") == 1


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        ({"after": ""}, "after", "1..256 characters"),
        ({"after": "i" * 257}, "after", "1..256 characters"),
        ({"after": 123}, "after", "must be a str"),
        ({"after": b"item"}, "after", "must be a str"),
        ({"config": {"heartbeat_interval": 5}}, "config", "EventStreamConfig"),
        ({"config": 5}, "config", "EventStreamConfig"),
    ],
)
async def test_events_arguments_sync_and_async(
    svc: FakeParticipantService, kwargs: dict[str, Any], argument: str, rule: str
) -> None:
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(token)
        svc.requests.clear()
        with pytest.raises(InvalidInputError) as caught:
            chat.events(**kwargs)
        assert (caught.value.argument, rule in caught.value.rule) == (argument, True)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as async_client:
        async_chat = await async_client.connect(token)
        svc.requests.clear()
        with pytest.raises(InvalidInputError) as caught:
            async_chat.events(**kwargs)
        assert (caught.value.argument, rule in caught.value.rule) == (argument, True)
        await asyncio.sleep(0.05)  # a stream started by mistake would be connecting by now
    assert svc.requests == []


@pytest.mark.parametrize(
    ("kwargs", "argument", "rule"),
    [
        ({"backoff_jitter": "0.1"}, "backoff_jitter", ">= 0 and < 1"),
        ({"backoff_jitter": None}, "backoff_jitter", ">= 0 and < 1"),
        ({"backoff_jitter": True}, "backoff_jitter", ">= 0 and < 1"),
        ({"heartbeat_interval": INF}, "heartbeat_interval", "finite"),
        ({"open_timeout": INF}, "open_timeout", "finite"),
        ({"rollover_lead": INF}, "rollover_lead", "finite"),
        ({"stable_after": NAN}, "stable_after", ">= 0"),
        ({"subscribe_attempts": 2.0}, "subscribe_attempts", "int >= 1"),
        ({"dedupe_window": True}, "dedupe_window", "int >= 1"),
    ],
)
def test_event_stream_config_values(kwargs: dict[str, Any], argument: str, rule: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        EventStreamConfig(**kwargs)
    assert caught.value.argument == argument
    assert rule in caught.value.rule


@pytest.mark.parametrize("value", ["5", None, NAN, -1, True, b"1"])
def test_typing_interval_setter(chat: ChatSession, value: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^typing_interval: must be a number >= 0"):
        chat.typing_interval = value  # type: ignore[assignment]
    assert chat.typing_interval == 10.0  # unchanged
    chat.typing_interval = 0
    assert chat.typing_interval == 0.0


# --- the async session: the same rules, attachments and events included; nothing sent ---------------

ASYNC_ONLY_RULES: list[tuple[Any, str, str]] = [
    (lambda c, p: c.upload_attachment(p, name=""), "name", "1..256"),
    (lambda c, p: c.upload_attachment(p, name=5), "name", "1..256"),
    (lambda c, p: c.upload_attachment(p, content_type=5), "content_type", "media type"),
    (lambda c, p: c.upload_attachment(p, progress="bar"), "progress", "callable"),
    (lambda c, p: c.upload_attachment(p, wait=-1), "wait", "positive number"),
    (lambda c, p: c.upload_attachment(p, wait=NAN), "wait", "positive number"),
    (lambda c, p: c.upload_attachment(p.parent / "missing.pdf"), "path_or_binary_file", "existing file"),
    (lambda c, p: c.upload_attachment(b"%PDF"), "path_or_binary_file", "path"),
    (lambda c, p: c.upload_attachment(None), "path_or_binary_file", "path"),
    (lambda c, p: c.download_attachment("", p.parent / "o.pdf"), "attachment_id", "1..256"),
    (lambda c, p: c.download_attachment(None, p.parent / "o.pdf"), "attachment_id", "must be a str"),
    (lambda c, p: c.download_attachment("id", None), "dest", "path or a writable binary file"),
    (lambda c, p: c.download_attachment("id", p.parent / "o.pdf", progress=1), "progress", "callable"),
    (lambda c, p: c.open_attachment(""), "attachment_id", "1..256"),
    (lambda c, p: c.open_attachment(7), "attachment_id", "must be a str"),
]


async def _invoke(result: Any) -> None:
    if hasattr(result, "__aenter__"):  # open_attachment: checked on entering
        async with result:
            pass
    elif hasattr(result, "__await__"):
        await result


@pytest.mark.parametrize(
    ("call", "argument", "rule"),
    [*((lambda c, p, f=f: f(c), a, r) for f, a, r in SESSION_RULES), *ASYNC_ONLY_RULES],
)
async def test_async_session_argument_rules(
    svc: FakeParticipantService, tmp_path: Any, call: Any, argument: str, rule: str
) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = await client.connect(svc.new_participant())
        svc.requests.clear()
        with pytest.raises(InvalidInputError) as caught:
            await _invoke(call(chat, pdf))
        assert caught.value.argument == argument
        assert rule in caught.value.rule
    assert svc.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf"]  # no partial download left


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.connect(""), "participant_token"),
        (lambda c: c.connect(b"token"), "participant_token"),
        (lambda c: c.connect(None), "participant_token"),
        (lambda c: c.resume(""), "connection_token"),
        (lambda c: c.resume(1234), "connection_token"),
        (lambda c: c.resume("c", participant_token=""), "participant_token"),
        (lambda c: c.resume("c", expires_at=datetime(2030, 1, 1)), "expires_at"),
        (lambda c: c.resume("c", expires_at=1_900_000_000), "expires_at"),
    ],
)
async def test_async_token_rules_and_nothing_sent(
    svc: FakeParticipantService, call: Any, argument: str
) -> None:
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        with pytest.raises(InvalidInputError) as caught:
            await _invoke(call(client))
        assert caught.value.argument == argument
    assert svc.requests == []


def _closed_file(path: Any) -> Any:
    file = open(path, "wb")  # noqa: SIM115
    file.close()
    return file


@pytest.mark.parametrize("mode", ["read-only", "closed"])
async def test_download_dest_must_be_writable(svc: FakeParticipantService, tmp_path: Any, mode: str) -> None:
    """A binary file that cannot be written is refused before GetAttachment, sync and async."""
    path = tmp_path / "dest.bin"
    path.write_bytes(b"")
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url) as client:
        chat = client.connect(token)
        svc.requests.clear()
        with open(path, "rb") as read_only:
            dest = read_only if mode == "read-only" else _closed_file(path)
            with pytest.raises(InvalidInputError, match=r"^dest: must be a writable binary file"):
                chat.download_attachment("att-1", dest)
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as async_client:
        async_chat = await async_client.connect(token)
        svc.requests.clear()
        with open(path, "rb") as read_only:
            dest = read_only if mode == "read-only" else _closed_file(path)
            with pytest.raises(InvalidInputError, match=r"^dest: must be a writable binary file"):
                await async_chat.download_attachment("att-1", dest)
    assert svc.requests == []
