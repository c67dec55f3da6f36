"""The default sync transport's sockets under the attempt's deadline (``_deadline``,
``_deadline_net``), without a server: every connect, read, write and TLS start waits at most the
time left, and none starts once it is over. Recording stand-ins play the socket layer;
``tests/test_hostile_answers.py`` checks the same over real sockets (trickled headers cut)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpcore
import httpx
import pytest
from connect_participant import _deadline_net
from connect_participant._deadline import DEADLINE
from connect_participant._deadline_net import (
    _capped,
    _DeadlineBackend,
    _DeadlineStream,
    with_deadline_sockets,
)

FAR = 1000.0  # seconds ahead: a deadline no test run reaches


@pytest.fixture
def deadline() -> Iterator[Any]:
    """Sets the attempt's deadline ``seconds`` from now (negative: already over)."""
    marks: list[Any] = []

    def put(seconds: float | None) -> None:
        marks.append(DEADLINE.set(None if seconds is None else time.monotonic() + seconds))

    yield put
    for mark in reversed(marks):
        DEADLINE.reset(mark)


class Stream(httpcore.NetworkStream):
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.tls = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.calls.append(("read", max_bytes, timeout))
        return b"data"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.calls.append(("write", buffer, timeout))

    def close(self) -> None:
        self.calls.append(("close",))

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        self.calls.append(("start_tls", ssl_context, server_hostname, timeout))
        self.tls = Stream()
        return self.tls

    def get_extra_info(self, info: str) -> Any:
        self.calls.append(("get_extra_info", info))
        return f"info:{info}"


class Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.streams: list[Stream] = []

    def _stream(self) -> Stream:
        self.streams.append(Stream())
        return self.streams[-1]

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        self.calls.append(("connect_tcp", host, port, timeout, local_address, socket_options))
        return self._stream()

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        self.calls.append(("connect_unix_socket", path, timeout, socket_options))
        return self._stream()

    def sleep(self, seconds: float) -> None:
        self.calls.append(("sleep", seconds))


def near(value: Any, seconds: float) -> bool:
    """About ``seconds`` left (a little less: time passed since it was set)."""
    return isinstance(value, float) and seconds - 60 < value <= seconds


def test_without_a_deadline_timeouts_are_as_given(deadline: Any) -> None:
    assert DEADLINE.get() is None
    assert _capped(None) is None
    assert _capped(5.0) == 5.0
    deadline(None)
    assert _capped(7.5) == 7.5


def test_timeouts_are_capped_at_the_time_left(deadline: Any) -> None:
    deadline(FAR)
    assert _capped(5.0) == 5.0  # shorter than the time left: as given
    assert near(_capped(None), FAR)  # none: the time left
    assert near(_capped(5000.0), FAR)  # longer: the time left


def test_nothing_starts_once_the_deadline_is_over(deadline: Any) -> None:
    deadline(-0.5)
    with pytest.raises(httpcore.ReadTimeout, match=r"^no complete answer within the deadline$"):
        _capped(5.0)
    with pytest.raises(httpcore.ReadTimeout):
        _capped(None)


def test_the_time_left_to_the_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [50.0]
    monkeypatch.setattr(_deadline_net, "time", SimpleNamespace(monotonic=lambda: now[0]))
    mark = DEADLINE.set(60.0)
    try:
        assert _capped(None) == 10.0
        assert _capped(4.0) == 4.0
        now[0] = 59.5
        assert _capped(None) == 0.5  # under a second left: still tried
        assert _capped(4.0) == 0.5
        now[0] = 60.0  # none left: a socket timeout of 0 would make the socket non-blocking
        with pytest.raises(httpcore.ReadTimeout):
            _capped(None)
    finally:
        DEADLINE.reset(mark)


def test_the_stream_passes_every_call_on_with_the_capped_timeout(deadline: Any) -> None:
    inner = Stream()
    stream = _DeadlineStream(inner)
    deadline(FAR)
    assert stream.read(65536, 5.0) == b"data"
    stream.write(b"GET / HTTP/1.1\r\n", 3.0)
    stream.read(10)
    stream.write(b"x")
    assert stream.get_extra_info("ssl_object") == "info:ssl_object"
    stream.close()
    assert inner.calls[:2] == [("read", 65536, 5.0), ("write", b"GET / HTTP/1.1\r\n", 3.0)]
    assert inner.calls[2][:2] == ("read", 10)
    assert near(inner.calls[2][2], FAR)
    assert inner.calls[3][:2] == ("write", b"x")
    assert near(inner.calls[3][2], FAR)
    assert inner.calls[4:] == [("get_extra_info", "ssl_object"), ("close",)]


def test_the_stream_refuses_reads_and_writes_past_the_deadline(deadline: Any) -> None:
    inner = Stream()
    stream = _DeadlineStream(inner)
    deadline(-1)
    with pytest.raises(httpcore.ReadTimeout):
        stream.read(100, 5.0)
    with pytest.raises(httpcore.ReadTimeout):
        stream.write(b"x", 5.0)
    assert inner.calls == []


def test_a_tls_stream_keeps_the_deadline(deadline: Any) -> None:
    inner = Stream()
    stream = _DeadlineStream(inner)
    context = object()
    deadline(FAR)
    tls = stream.start_tls(context, "example.com", 4.0)
    assert inner.calls == [("start_tls", context, "example.com", 4.0)]
    assert isinstance(tls, _DeadlineStream)
    tls.read(5)
    assert inner.tls is not None
    assert inner.tls.calls[0][:2] == ("read", 5)
    assert near(inner.tls.calls[0][2], FAR)
    stream.start_tls(context)
    assert inner.calls[1][:3] == ("start_tls", context, None)
    assert near(inner.calls[1][3], FAR)


def test_the_backend_connects_within_the_deadline(deadline: Any) -> None:
    inner = Backend()
    backend = _DeadlineBackend(inner)
    deadline(FAR)
    options = [(1, 2, 3)]
    tcp = backend.connect_tcp("127.0.0.1", 8080, 2.0, "127.0.0.2", options)
    assert inner.calls[0] == ("connect_tcp", "127.0.0.1", 8080, 2.0, "127.0.0.2", options)
    assert isinstance(tcp, _DeadlineStream)
    tcp.read(1)
    assert near(inner.streams[0].calls[0][2], FAR)  # its reads are capped too
    backend.connect_tcp("example.com", 443)
    assert inner.calls[1][:3] == ("connect_tcp", "example.com", 443)
    assert near(inner.calls[1][3], FAR)
    assert inner.calls[1][4:] == (None, None)
    unix = backend.connect_unix_socket("/run/x.sock", 1.5, options)
    assert inner.calls[2] == ("connect_unix_socket", "/run/x.sock", 1.5, options)
    assert isinstance(unix, _DeadlineStream)
    unix.write(b"y")
    assert near(inner.streams[2].calls[0][2], FAR)
    backend.connect_unix_socket("/run/y.sock")
    assert inner.calls[3][:2] == ("connect_unix_socket", "/run/y.sock")
    assert near(inner.calls[3][2], FAR)
    assert inner.calls[3][3] is None
    backend.sleep(0.25)
    assert inner.calls[4] == ("sleep", 0.25)


def test_the_backend_does_not_connect_past_the_deadline(deadline: Any) -> None:
    inner = Backend()
    backend = _DeadlineBackend(inner)
    deadline(-1)
    with pytest.raises(httpcore.ReadTimeout):
        backend.connect_tcp("127.0.0.1", 8080, 2.0)
    with pytest.raises(httpcore.ReadTimeout):
        backend.connect_unix_socket("/run/x.sock", 2.0)
    assert inner.calls == []


def test_an_httpx_transport_gets_the_deadline_under_its_pool(deadline: Any) -> None:
    transport = httpx.HTTPTransport()
    original = transport._pool._network_backend
    assert with_deadline_sockets(transport) is transport
    backend = transport._pool._network_backend
    assert isinstance(backend, _DeadlineBackend)
    assert backend._inner is original
    deadline(-1)  # over before the connect: refused without touching the network
    with pytest.raises(httpx.ReadTimeout, match="within the deadline"):
        transport.handle_request(httpx.Request("GET", "http://127.0.0.1:9/"))
    transport.close()


def test_a_transport_without_the_expected_pool_is_left_plain() -> None:
    class Later(httpx.HTTPTransport):
        def __init__(self) -> None:  # a later httpx without _pool
            pass

    later = Later()
    assert with_deadline_sockets(later) is later
    assert not hasattr(later, "_pool")

    class Other(httpx.HTTPTransport):
        def __init__(self) -> None:
            self._pool = object()  # type: ignore[assignment]

    other = Other()
    assert with_deadline_sockets(other) is other
    transport = httpx.HTTPTransport()
    transport._pool._network_backend = object()  # type: ignore[assignment]
    with_deadline_sockets(transport)
    assert not isinstance(transport._pool._network_backend, _DeadlineBackend)
