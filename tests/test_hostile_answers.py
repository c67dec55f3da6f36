"""Hostile answers end in the SDK's own errors, sync and async, over real HTTP.

Each case runs against ``_hostile_server.HostileService`` with the sync client (in a worker
thread) and the async one: undecodable bodies, JSON nested beyond the parser, wrong types and
missing members, unparsable or unsafe presigned URLs and header values, zone-less and garbled
timestamps, ``NextToken`` loops, a trickled body (cut by the deadline), an answer above the
size cap, and a 403 that echoes the connection token. Every error is checked for the token
and the presigned signature in its text, repr and chain, and so is everything logged.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import gzip
import json
import logging
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from _hostile_server import Answer, HostileService
from connect_participant import (
    AccessDeniedError,
    AsyncParticipantClient,
    InternalServerError,
    InvalidResponseError,
    ParticipantClient,
    ParticipantServiceError,
    ParticipantTransportError,
    RetryPolicy,
    ValidationError,
)
from connect_participant._tokens import MAX_DOUBTS

ONCE = RetryPolicy(max_attempts=1)
SECRETS = ("ctok-hostile-", "sig-hostile", "sig-put", "sig-get", "ptok-hostile")
PARTICIPANT_TOKEN = "ptok-hostile-" + "p" * 40


@pytest.fixture
def svc() -> Iterator[HostileService]:
    with HostileService() as service:
        yield service


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Shell:
    """One test body for both clients: the sync one runs in a worker thread."""

    def __init__(self, kind: str, svc: HostileService, **options: Any) -> None:
        self.kind = kind
        options.setdefault("retry", ONCE)
        self.client: Any = (ParticipantClient if kind == "sync" else AsyncParticipantClient)(
            endpoint_url=svc.endpoint_url, **options
        )

    async def run(self, target: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(target, name)
        if self.kind == "sync":
            return await asyncio.to_thread(method, *args, **kwargs)
        return await method(*args, **kwargs)

    async def connect(self) -> Any:
        return await self.run(self.client, "connect", PARTICIPANT_TOKEN)

    async def items(self, chat: Any) -> list[Any]:
        if self.kind == "sync":
            return await asyncio.to_thread(lambda: list(chat.transcript()))
        return [item async for item in chat.transcript()]

    async def close(self) -> None:
        if self.kind == "sync":
            self.client.close()
        else:
            await self.client.close()


@pytest.fixture
async def shell(kind: str, svc: HostileService) -> AsyncIterator[Shell]:
    made = Shell(kind, svc)
    yield made
    await made.close()


def clean(error: BaseException) -> None:
    """No secret in the error's text or repr, nor in any exception it chains to."""
    seen: BaseException | None = error
    while seen is not None:
        for text in (str(seen), repr(seen), *(str(a) for a in seen.args)):
            for secret in SECRETS:
                assert secret not in text, (type(seen).__name__, text)
        seen = seen.__cause__ or seen.__context__


@pytest.fixture(autouse=True)
def nothing_secret_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)
    yield
    formatter = logging.Formatter()
    for record in caplog.records:
        text = formatter.format(record)
        for secret in SECRETS:
            assert secret not in text, text


async def bytes_written(svc: HostileService) -> int:
    """What the server wrote of its last streamed answer before the client cut it (polled: the
    server notes it once it sees the connection gone)."""
    for _ in range(100):
        if svc.written:
            break
        await asyncio.sleep(0.05)
    assert svc.written
    return svc.written[-1]


async def fails(shell: Shell, cls: type[BaseException], target: Any, name: str, *args: Any) -> Any:
    with pytest.raises(cls) as caught:
        await shell.run(target, name, *args)
    clean(caught.value)
    return caught.value


# -- undecodable bodies -------------------------------------------------------------------------

UNREADABLE_200 = [
    pytest.param(
        Answer(body=b"\x1f\x8b not gzip at all", headers={"Content-Encoding": "gzip"}), id="bad-gzip"
    ),
    pytest.param(Answer(body=b"not deflate", headers={"Content-Encoding": "deflate"}), id="bad-deflate"),
    pytest.param(Answer(body=b"[" * 100_000), id="deep-array"),
    pytest.param(Answer(body=b'{"a":' * 50_000), id="deep-object"),
    pytest.param(Answer(body=b"[]"), id="array"),
    pytest.param(Answer(body=b"null"), id="null"),
    pytest.param(Answer(body=b'{"Id": "m-1", "Absolute'), id="truncated"),
    pytest.param(Answer(body=b"\xff\xfe\x00garbage"), id="not-utf8"),
    pytest.param(Answer(body=b'{"Id": 1e999999, "n": ' + b"9" * 5000 + b"}"), id="huge-number"),
    pytest.param(
        Answer(body=b"<html>proxy says hi</html>", headers={"Content-Type": "text/html"}), id="html"
    ),
]


@pytest.mark.parametrize("answer", UNREADABLE_200)
async def test_an_unreadable_200_is_an_invalid_response(
    shell: Shell, svc: HostileService, answer: Answer
) -> None:
    chat = await shell.connect()
    svc.answer("SendMessage", answer)
    error = await fails(shell, InvalidResponseError, chat, "send_message", "hi")
    assert error.code == "InvalidResponse"
    svc.answer("CreateParticipantConnection", answer)
    await fails(shell, InvalidResponseError, shell.client, "connect", PARTICIPANT_TOKEN)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b"[" * 100_000, {}),
        (b"\x1f\x8b garbage", {"Content-Encoding": "gzip"}),
        (b"\xff\xfe", {}),
        (b"<Error><Code>Nope</Code></Error>", {"Content-Type": "application/xml"}),
    ],
)
async def test_an_unreadable_500_is_still_an_internal_server_error(
    shell: Shell, svc: HostileService, body: bytes, headers: dict[str, str]
) -> None:
    chat = await shell.connect()
    svc.answer("SendMessage", Answer(500, body, headers))
    error = await fails(shell, (InternalServerError, InvalidResponseError), chat, "send_message", "hi")  # type: ignore[arg-type]
    assert error.status_code == 500


async def test_a_well_formed_gzip_answer_is_read(shell: Shell, svc: HostileService) -> None:
    chat = await shell.connect()
    body = gzip.compress(b'{"Id": "m-gz", "AbsoluteTime": "2026-11-26T10:00:00.000Z"}')
    svc.answer("SendMessage", Answer(body=body, headers={"Content-Encoding": "gzip"}, times=1))
    result = await shell.run(chat, "send_message", "hi")
    assert result.id == "m-gz"


# -- wrong types and missing members ------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"ConnectionCredentials": []},
        {"ConnectionCredentials": {"ConnectionToken": 5}},
        {"ConnectionCredentials": {"ConnectionToken": ""}},
        {"ConnectionCredentials": {"ConnectionToken": "ctok-hostile-x", "Expiry": "soon"}},
        {"ConnectionCredentials": {"ConnectionToken": "ctok-hostile-x", "Expiry": 1700000000}},
        {"ConnectionCredentials": {"ConnectionToken": "ctok-hostile-x", "Expiry": "0001-01-01T00:00:00Z"}},
    ],
)
async def test_a_connection_answer_without_a_usable_token_or_expiry(
    shell: Shell, svc: HostileService, doc: dict[str, Any]
) -> None:
    svc.answer("CreateParticipantConnection", Answer.json(doc))
    error = await fails(shell, InvalidResponseError, shell.client, "connect", PARTICIPANT_TOKEN)
    assert error.code == "InvalidResponse"


async def test_wrong_types_in_answers_read_as_missing(shell: Shell, svc: HostileService) -> None:
    chat = await shell.connect()
    svc.answer("SendMessage", Answer.json({"Id": 5, "AbsoluteTime": {"x": 1}}, times=1))
    result = await shell.run(chat, "send_message", "hi")
    assert (result.id, result.absolute_time) == (None, None)
    svc.pages = [
        {
            "Transcript": [
                {"Id": 1, "Type": [], "AbsoluteTime": 7, "Attachments": "x", "MessageMetadata": []},
                "not an item",
                {"Id": "i-2", "Attachments": [5, {"AttachmentId": 9}], "MessageMetadata": {"Receipts": {}}},
            ],
            "NextToken": 12,
            "InitialContactId": [],
        }
    ]
    items = await shell.items(chat)
    assert [item.id for item in items] == [None, "i-2"]
    first, second = items
    assert (first.type, first.time, first.attachments, first.receipts) == (None, None, (), ())
    assert all(a.id is None or isinstance(a.id, str) for a in second.attachments)
    svc.answer("SendMessage", Answer.json({"message": 123, "__type": ["x"]}, status=400, times=1))
    await fails(shell, ValidationError, chat, "send_message", "hi")


@pytest.mark.parametrize(
    ("operation", "doc"),
    [
        ("DescribeView", {}),
        ("DescribeView", {"View": "x"}),
        ("GetAuthenticationUrl", {"AuthenticationUrl": 5}),
        ("GetAuthenticationUrl", {}),
    ],
)
async def test_unusable_view_and_authentication_answers(
    shell: Shell, svc: HostileService, operation: str, doc: dict[str, Any]
) -> None:
    chat = await shell.connect()
    svc.answer(operation, Answer.json(doc))
    if operation == "DescribeView":
        await fails(shell, InvalidResponseError, chat, "describe_view", "view-token")
    else:
        await fails(
            shell, InvalidResponseError, chat, "authentication_url", "s" * 36, "https://example.com/x"
        )


async def test_a_view_template_nested_too_deep_is_kept_as_text(shell: Shell, svc: HostileService) -> None:
    chat = await shell.connect()
    deep = "[" * 100_000
    svc.answer(
        "DescribeView",
        Answer.json({"View": {"Name": "v", "Content": {"Template": deep, "Actions": [1, "A"]}}}),
    )
    view = await shell.run(chat, "describe_view", "view-token")
    assert view.template == deep
    assert view.actions == ("A",)


# -- timestamps ---------------------------------------------------------------------------------


async def test_zone_less_times_are_utc(shell: Shell, svc: HostileService, tmp_path: Any) -> None:
    svc.expiry = "2099-01-01T00:00:00"
    svc.upload_url_expiry = "2099-01-01T00:00:00"
    chat = await shell.connect()
    assert chat.expires_at == datetime(2099, 1, 1, tzinfo=UTC)
    await shell.run(chat, "send_message", "hi")  # compares the expiry with an aware clock
    source = tmp_path / "a.txt"
    source.write_bytes(b"hello")
    attachment = await shell.run(chat, "upload_attachment", source)
    assert attachment.id == "att-1"
    svc.pages = [
        {
            "Transcript": [
                {"Id": "i-1", "AbsoluteTime": "2026-11-26T10:00:00"},
                {"Id": "i-2", "AbsoluteTime": "x"},
            ]
        }
    ]
    first, second = await shell.items(chat)
    assert first.time == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert second.time is None
    assert second.absolute_time == "x"


async def test_a_garbled_upload_url_expiry_is_taken_as_unknown(
    shell: Shell, svc: HostileService, tmp_path: Any
) -> None:
    svc.upload_url_expiry = "tomorrow-ish"
    chat = await shell.connect()
    source = tmp_path / "a.txt"
    source.write_bytes(b"hello")
    assert (await shell.run(chat, "upload_attachment", source)).id == "att-1"


# -- presigned URLs and header values -----------------------------------------------------------

UNSAFE_URLS = [
    "http://[::1/storage?X-Amz-Signature=sig-put",
    "http://169.254.169.254/latest/meta-data?X-Amz-Signature=sig-put",
    "https://169.254.169.254/x?X-Amz-Signature=sig-put",
    "https://[fd00:ec2::254]/x?X-Amz-Signature=sig-put",
    "https://[fe80::1]/x?X-Amz-Signature=sig-put",
    "https://2852039166/x?X-Amz-Signature=sig-put",
    "https://0xa9.0xfe.0xa9.0xfe/x?X-Amz-Signature=sig-put",
    "https://[::ffff:169.254.169.254]/x?X-Amz-Signature=sig-put",
    "http://example.com/x?X-Amz-Signature=sig-put",
    "ftp://127.0.0.1/x?X-Amz-Signature=sig-put",
    "https:///x?X-Amz-Signature=sig-put",
    "not a url at all sig-put",
]


@pytest.mark.parametrize("url", UNSAFE_URLS)
async def test_an_unsafe_presigned_url_is_refused_before_any_request(
    shell: Shell, svc: HostileService, url: str, tmp_path: Any
) -> None:
    chat = await shell.connect()
    svc.upload_url = url
    svc.download_url = url.replace("sig-put", "sig-get")
    source = tmp_path / "a.txt"
    source.write_bytes(b"hello")
    error = await fails(shell, InvalidResponseError, chat, "upload_attachment", source)
    assert error.code == "UnsafeStorageUrl"
    error = await fails(shell, InvalidResponseError, chat, "download_attachment", "att-1", tmp_path / "b")
    assert error.code == "UnsafeStorageUrl"
    assert svc.count("Storage") == 0
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"x-amz-meta-a": "1\r\nX-Evil: 2"}, "UnsafeStorageUrl"),
        ({"x-amz-meta-a": "1\n"}, "UnsafeStorageUrl"),
        ({"x-amz-meta-a": "a\x00b"}, "UnsafeStorageUrl"),
        ({"bad name": "1"}, "UnsafeStorageUrl"),
        ({"x-amz-meta-a": "snow\u2603"}, "UnsafeStorageUrl"),
        ({"x-amz-meta-a": {"nested": 1}}, "UnsafeStorageUrl"),
        (["x-amz-meta-a", "1"], "InvalidResponse"),  # not an object: the whole answer is unusable
    ],
)
async def test_unusable_headers_to_include_are_refused_before_the_put(
    shell: Shell, svc: HostileService, headers: Any, code: str, tmp_path: Any
) -> None:
    chat = await shell.connect()
    svc.upload_headers = headers
    source = tmp_path / "a.txt"
    source.write_bytes(b"hello")
    error = await fails(shell, ParticipantServiceError, chat, "upload_attachment", source)
    assert error.code == code
    assert svc.count("Storage") == 0


async def test_loopback_http_and_https_urls_are_followed(
    shell: Shell, svc: HostileService, tmp_path: Any
) -> None:
    chat = await shell.connect()
    svc.download_url = svc.url.replace("127.0.0.1", "localhost") + "/storage/get?X-Amz-Signature=sig-get"
    assert await shell.run(chat, "download_attachment", "att-1", tmp_path / "b") == tmp_path / "b"
    assert (tmp_path / "b").read_bytes() == b"hello"


# -- paging -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "page", "first"),
    [(["A", "B", "A"], 3, 1), (["A", "A"], 2, 1), (["A", "B", "C", "B"], 4, 2)],
)
async def test_a_next_token_seen_before_ends_paging_with_an_error(
    shell: Shell, svc: HostileService, tokens: list[str], page: int, first: int
) -> None:
    chat = await shell.connect()
    svc.pages = [{"Transcript": [{"Id": f"i-{n}"}], "NextToken": token} for n, token in enumerate(tokens)]
    with pytest.raises(
        InvalidResponseError, match=f"page {page} repeated the NextToken of page {first}"
    ) as caught:
        await shell.items(chat)
    assert caught.value.code == "RepeatedNextToken"
    assert svc.count("GetTranscript") == page


# -- bounded calls: deadline and size cap -------------------------------------------------------


@pytest.mark.parametrize("operation", ["SendMessage", "CreateParticipantConnection"])
async def test_a_trickled_answer_is_cut_at_the_deadline(
    kind: str, svc: HostileService, operation: str
) -> None:
    body = b'{"Id": "m-1", "AbsoluteTime": "2026-11-26T10:00:00.000Z", "pad": "' + b"." * 40 + b'"}'
    shell = Shell(kind, svc, timeout=1.0)
    try:
        chat = await shell.connect()
        svc.answer(operation, Answer(body=body, headers={"Content-Type": "application/json"}, trickle=0.25))
        if operation == "SendMessage":
            await fails(shell, ParticipantTransportError, chat, "send_message", "hi")
        else:
            await fails(shell, ParticipantTransportError, shell.client, "connect", PARTICIPANT_TOKEN)
    finally:
        await shell.close()
    # cut long before the whole body (under 2 bytes a second it would take 20 s)
    assert await bytes_written(svc) < len(body)


async def test_trickled_headers_are_cut_at_the_deadline(kind: str, svc: HostileService) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: " + b"a" * 60 + b"\r\n\r\n"
    shell = Shell(kind, svc, timeout=1.0)
    try:
        chat = await shell.connect()
        svc.answer("SendMessage", Answer(head=head, trickle=0.25))
        await fails(shell, ParticipantTransportError, chat, "send_message", "hi")
    finally:
        await shell.close()
    assert await bytes_written(svc) < len(head)  # 4 bytes a second: the whole head would take 25 s


async def test_a_server_that_never_answers_is_cut_at_the_deadline(kind: str, svc: HostileService) -> None:
    shell = Shell(kind, svc, timeout=1.0)
    try:
        chat = await shell.connect()
        svc.answer("SendMessage", Answer(delay=60))
        error = await fails(shell, ParticipantTransportError, chat, "send_message", "hi")
        assert "Timeout" in error.code
    finally:
        await shell.close()


async def test_an_answer_above_the_cap_is_refused_and_cut(shell: Shell, svc: HostileService) -> None:
    chat = await shell.connect()
    total = 50 * 1024 * 1024
    svc.answer("SendMessage", Answer(headers={"Content-Type": "application/json"}, stream_bytes=total))
    error = await fails(shell, InvalidResponseError, chat, "send_message", "hi")
    assert error.code == "ResponseTooLarge"
    assert await bytes_written(svc) < total


@functools.cache
def gzip_bomb() -> bytes:
    """64 MiB of JSON string in about 64 KB of gzip, compressed a mebibyte at a time."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * (1024 * 1024)
    parts = [packer.compress(b'{"Id": "')]
    parts += [packer.compress(block) for _ in range(64)]
    parts += [packer.compress(b'"}'), packer.flush()]
    return b"".join(parts)


async def test_a_gzip_bomb_is_refused(shell: Shell, svc: HostileService) -> None:
    chat = await shell.connect()
    assert len(gzip_bomb()) < 200_000
    svc.answer("SendMessage", Answer(body=gzip_bomb(), headers={"Content-Encoding": "gzip"}))
    error = await fails(shell, InvalidResponseError, chat, "send_message", "hi")
    assert error.code == "ResponseTooLarge"


async def test_the_cap_is_configurable_and_attachments_are_not_capped(
    kind: str, svc: HostileService, tmp_path: Any
) -> None:
    shell = Shell(kind, svc, max_response_bytes=4096)
    try:
        chat = await shell.connect()
        svc.pages = [{"Transcript": [{"Id": f"i-{n}", "Content": "x" * 100} for n in range(50)]}]
        with pytest.raises(InvalidResponseError) as caught:
            await shell.items(chat)
        assert caught.value.code == "ResponseTooLarge"
        svc.download_body = b"z" * 100_000
        path = await shell.run(chat, "download_attachment", "att-1", tmp_path / "big")
        assert path.read_bytes() == svc.download_body
    finally:
        await shell.close()
    with pytest.raises(ValueError, match="max_response_bytes"):
        ParticipantClient(endpoint_url=svc.endpoint_url, max_response_bytes=10)


# -- secrets ------------------------------------------------------------------------------------


async def test_a_403_echoing_the_token_never_shows_it(shell: Shell, svc: HostileService) -> None:
    chat = await shell.connect()
    echo = Answer.json(
        {"message": f"connection token {svc.connection_token} expired"},
        status=403,
        headers={"x-amzn-ErrorType": "AccessDeniedException"},
    )
    svc.answer("SendMessage", echo)
    # the re-created connection carries the same token string: a new, equal Secret
    error = await fails(shell, AccessDeniedError, chat, "send_message", "hi")
    assert "[redacted]" in str(error)
    # the connect, then tokens that never worked renewed MAX_DOUBTS times before giving up
    assert svc.count("CreateParticipantConnection") == 1 + MAX_DOUBTS
    del chat
    gc.collect()
    error = await fails(shell, AccessDeniedError, await shell.connect(), "send_message", "hi")
    assert "[redacted]" in str(error)


# -- the events stream (WebSocket) --------------------------------------------------------------


def frame(item: Any) -> str:
    return json.dumps({"topic": "aws/chat", "content": item if isinstance(item, str) else json.dumps(item)})


async def test_events_deliver_items_with_zone_less_or_garbled_times(
    shell: Shell, svc: HostileService
) -> None:
    svc.ws_frames = [
        frame({"Id": "i-1", "Type": "MESSAGE", "Content": "a", "AbsoluteTime": "2026-11-26T10:00:00"}),
        "not json",
        "[" * 100_000,
        frame("[" * 100_000),
        frame({"Id": "i-2", "Type": "MESSAGE", "Content": "b", "AbsoluteTime": "garbled"}),
        frame({"Id": "i-3", "Type": "MESSAGE", "Content": "c", "AbsoluteTime": "2026-11-26T10:00:02.000Z"}),
    ]
    chat = await shell.connect()
    stream = chat.events()
    events: list[Any] = []
    if shell.kind == "sync":

        def take() -> None:
            for event in stream:
                events.append(event)
                if len(events) == 3:
                    stream.close()

        await asyncio.to_thread(take)
    else:
        async for event in stream:
            events.append(event)
            if len(events) == 3:
                await stream.aclose()
    assert [event.item.id for event in events] == ["i-1", "i-2", "i-3"]
    assert events[0].item.time == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert events[1].item.time is None
