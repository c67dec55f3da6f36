"""Secrets never reach repr/str, exception text or log records (at DEBUG, httpx's and httpcore's own lines included)."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator

import pytest
from _servers import FakeParticipantService, Fault
from connect_participant import (
    AccessDeniedError,
    AsyncParticipantClient,
    ParticipantClient,
    ParticipantTransportError,
    RetryPolicy,
    Secret,
)
from connect_participant._secrets import GUARDED_LOGGERS, RedactingFilter, redact

FAST = RetryPolicy(base_delay=0.001, max_delay=0.002)
PRESIGNED = (
    "/bucket/file.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeef"
)


def test_secret_is_masked() -> None:
    secret = Secret("tok-1234567890")
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret}", str([secret])):
        assert "1234567890" not in text
    assert secret.reveal() == "tok-1234567890"
    assert secret == Secret("tok-1234567890")
    assert secret != Secret("other")
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_redact_patterns() -> None:
    live = Secret("ZZZ-live-token-ZZZ")
    text = redact(
        f"GET https://s3.example.com{PRESIGNED} X-Amz-Bearer: abcdef "
        "(b'X-Amz-Bearer', b'ghijkl') /participant/views/view%2Ftoken ZZZ-live-token-ZZZ"
    )
    for leaked in ("deadbeef", "AKIAEXAMPLE", "abcdef", "ghijkl", "view%2Ftoken", live.reveal()):
        assert leaked not in text
    assert "https://s3.example.com/bucket/file.pdf?[redacted]" in text


def test_filter_rewrites_args_and_tracebacks() -> None:
    secret = Secret("QQQ-secret-QQQ")
    try:
        raise RuntimeError(f"boom {secret.reveal()}")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "httpx", logging.INFO, __file__, 1, "url %s", (secret.reveal(),), sys.exc_info()
        )
    RedactingFilter().filter(record)
    assert secret.reveal() not in record.getMessage()
    assert record.exc_text is not None
    assert secret.reveal() not in record.exc_text


# The loggers a client-side record can be created on, read from the libraries' sources (httpx,
# httpcore's five, aiohttp's client/internal/websocket; aiohttp.access/server/web are its server's)
# and from the package's own getLogger calls. Written out here, apart from GUARDED_LOGGERS (the
# list under test): a filter only sees records created on its very logger, so each needs one.
MUST_BE_GUARDED = (
    "connect_participant",
    "connect_participant.events",
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.websocket",
)


def _guarded(name: str) -> bool:
    return any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters)


def test_filters_are_installed() -> None:
    import connect_participant._ws  # noqa: F401 - creates connect_participant.events

    for name in MUST_BE_GUARDED:
        assert _guarded(name), name
    # and whatever logger the package creates later, whatever its name
    own = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "connect_participant"]
    assert "connect_participant.events" in own
    for name in own:
        assert _guarded(name), name
    assert set(GUARDED_LOGGERS) >= set(MUST_BE_GUARDED)


@pytest.mark.parametrize("name", MUST_BE_GUARDED)
def test_a_record_on_each_guarded_logger_is_scrubbed(name: str, caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret("PPP-live-secret-PPP")
    with caplog.at_level(logging.DEBUG):
        logging.getLogger(name).debug("opening https://s3.example.com%s with %s", PRESIGNED, secret.reveal())
    text = _everything_logged(caplog)
    assert "opening https://s3.example.com/bucket/file.pdf?[redacted]" in text
    for leaked in ("deadbeef", "AKIAEXAMPLE", secret.reveal()):
        assert leaked not in text


@pytest.fixture
def svc() -> Iterator[FakeParticipantService]:
    with FakeParticipantService() as service:
        service.add_items(3)
        yield service


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def _assert_clean(text: str, svc: FakeParticipantService, participant_token: str) -> None:
    assert participant_token not in text
    for token in {r.headers.get("X-Amz-Bearer", "") for r in svc.requests} - {""}:
        assert token not in text
    assert "deadbeef" not in text
    assert "AKIAEXAMPLE" not in text
    assert "X-Amz-Signature=sig" not in text


def test_no_secrets_in_debug_logs_sync(svc: FakeParticipantService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(token)
        svc.fail("SendMessage", Fault(503))
        chat.send_message("hello")
        list(chat.transcript())
        svc.revoke_connection_tokens()
        chat.send_typing()  # 403, re-create, resend
        client._http.get(svc.endpoint_url + PRESIGNED)  # a presigned URL through the same client
        client._http.get(svc.endpoint_url + "/participant/views/" + "secret-view-token")
        chat.disconnect()
    text = _everything_logged(caplog)
    assert "HTTP Request: POST" in text  # httpx's INFO line was captured...
    assert "send_request_headers" in text  # ...and httpcore's DEBUG lines
    assert "/bucket/file.pdf?[redacted]" in text
    assert "secret-view-token" not in text
    _assert_clean(text, svc, token)


async def test_no_secrets_in_debug_logs_async(
    svc: FakeParticipantService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = svc.new_participant()
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = await client.connect(token)
        svc.fail("SendMessage", Fault(drop=True))
        await chat.send_message("hello")
        async for _ in chat.transcript():
            pass
        await client._http.get(svc.endpoint_url + PRESIGNED)
        await chat.disconnect()
    text = _everything_logged(caplog)
    assert "HTTP Request: GET" in text
    _assert_clean(text, svc, token)


def test_no_secrets_in_reprs_and_errors(svc: FakeParticipantService) -> None:
    token = svc.new_participant()
    with ParticipantClient(endpoint_url=svc.endpoint_url, retry=FAST) as client:
        chat = client.connect(token)
        connection = chat.connection_token.reveal()
        texts = [
            repr(client),
            repr(chat),
            str(chat),
            repr(chat._state.connection),
            repr(chat.connection_token),
        ]
        svc.end_chat()
        with pytest.raises(AccessDeniedError) as denied:
            chat.send_message("x")
        texts += [str(denied.value), repr(denied.value)]
    with ParticipantClient(
        endpoint_url=svc.endpoint_url.replace("127.0.0.1", "127.0.0.2"), retry=FAST
    ) as client:
        gone = client.resume(connection)
        with pytest.raises(ParticipantTransportError) as failed:
            gone.send_message("x")
        texts += [str(failed.value), repr(failed.value)]
    for text in texts:
        assert token not in text
        assert connection not in text
        assert "X-Amz-Signature=sig" not in text


def test_redaction_is_by_value_whichever_secret_holds_it() -> None:
    import gc

    from connect_participant import _secrets

    value = "VVV-equal-valued-token-VVV"
    first = Secret(value)
    second = Secret(value)  # equal to the first (same hash): must count on its own
    del first
    gc.collect()
    assert value not in redact(f"echo {value}")
    del second
    gc.collect()
    # no Secret holds it any more: still redacted while among the recently retired values
    assert value not in redact(f"echo {value}")
    for n in range(_secrets.RETIRED_KEPT):
        Secret(f"filler-{n:06d}-token")
    gc.collect()
    assert value in redact(f"echo {value}")  # retired long ago: the memory it takes is bounded
    again = Secret(value)
    assert value not in redact(f"echo {value}")
    del again


def test_a_finalizer_never_waits_for_the_registry_lock() -> None:
    """A cyclic-GC pass may run a Secret's finalizer in the middle of any allocation, also one
    made while the same thread holds the registry's lock (inside redact()): the finalizer must
    not take that lock (it did once, and a whole test run hung)."""
    import threading

    from connect_participant import _secrets

    value = "held-while-locked-token"
    _secrets._register(value)  # the reference the release below gives back
    released = threading.Event()

    def finalizer() -> None:
        _secrets._release(value)
        released.set()

    with _secrets._lock:  # as inside redact() when the collector runs
        threading.Thread(target=finalizer, daemon=True).start()
        assert released.wait(10), "a finalizer waited for the registry's lock"
    assert value not in redact(f"echo {value}")
