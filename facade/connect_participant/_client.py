"""``ParticipantClient`` and ``AsyncParticipantClient``: configuration, HTTP client, sessions.

``_ClientBase`` checks and holds the configuration (endpoint, retry policy,
timeout, content limits, refresh margin; from arguments, the environment and the
shared config file, see ``_config``) and makes token states; its only I/O is
reading that file. Each shell owns one httpx client whose transport is wrapped in the retry
transport — the facade's own calls and ``low_level`` (the generated client,
configured on the same httpx client) share it, so both get the same retries.

A user's ``http_client`` is used as given except that its transport is
wrapped in the retry transport (once) and, if it has no ``base_url``, the
endpoint is set as its base URL so ``low_level`` calls work. The facade does
not close a client it did not create.

The default async transport is httpx-aiohttp's ``AiohttpTransport``: httpx's
own async transport is several times slower under concurrency. It (and aiohttp
under it) is imported when the first ``AsyncParticipantClient`` is made, and the
attachments module when attachment limits are given or attachments first used:
a sync client pays for neither.
"""

from __future__ import annotations

import math
import os
import sys
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TypedDict, TypeVar, Unpack

import httpx
from connect_participant_api.client import Client as LowLevelClient

from ._errors import ClientClosedError, InvalidInputError
from ._retry import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AsyncRetryTransport,
    RetryPolicy,
    RetryTransport,
    SchemeTransport,
    check_max_response_bytes,
)
from ._secrets import Secret
from ._validation import check_content_limits, check_expires_at, check_timeout, check_token

if TYPE_CHECKING:
    from types import TracebackType

    from ._attachments import AttachmentLimits
    from ._models import ConnectionInfo
    from ._session import AsyncChatSession, ChatSession
    from ._tokens import Clock, TokenState

# Sessions, token states and the configuration reader are imported where first used (a
# client's construction or first connect), not with the package: see tests/test_cold_start.py.

__all__ = ["DEFAULT_TIMEOUT", "AsyncParticipantClient", "ParticipantClient"]

DEFAULT_TIMEOUT: Final = httpx.Timeout(15.0, connect=5.0)
_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100)


def _headers() -> dict[str, str]:
    """Our httpx clients' headers: the User-Agent names the installed version (package metadata).

    Read when a client makes its httpx client, not at import: importlib.metadata costs a cold start ~7 ms.
    """
    from . import __version__

    return {"User-Agent": f"connect-participant/{__version__}"}


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = _NotGiven()


def _attachment_limits(value: object) -> AttachmentLimits | None:
    """The limits given, checked; ``None`` means Connect's defaults (made when attachments are used)."""
    if value is None:
        return None
    from ._attachments import AttachmentLimits

    return AttachmentLimits.coerce(value)


def _aiohttp_transport() -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport

    return AiohttpTransport(limits=_LIMITS)


class _NoCookies(httpx.Cookies):
    """Our own clients keep no cookies from answers, as AWS SDKs keep none: neither the service
    nor presigned storage needs them, and httpx's cookie handling cost about an eighth of an
    async SendMessage's CPU (it builds a urllib request and an email message per answer)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class ClientOptions(TypedDict, total=False):
    """The keywords both clients take besides ``region`` and ``http_client``."""

    endpoint_url: str | None
    use_fips: bool | None
    use_dualstack: bool | None
    retry: RetryPolicy | None
    timeout: float | httpx.Timeout | None
    content_limits: Mapping[str, int] | None
    attachment_limits: AttachmentLimits | None
    refresh_margin: float
    max_response_bytes: int


class _ClientBase:
    """Configuration and token-state construction, shared by both clients.

    No I/O but reading the shared config file (``_config``): arguments, then the
    environment, then the file, as AWS SDKs resolve them.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        use_fips: bool | None = None,
        use_dualstack: bool | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout | _NotGiven | None = NOT_GIVEN,
        content_limits: Mapping[str, int] | None = None,
        attachment_limits: AttachmentLimits | None = None,
        refresh_margin: float = 60.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        _clock: Clock | None = None,
        _environ: Mapping[str, str] | None = None,
    ) -> None:
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidInputError("retry", "must be a RetryPolicy")
        env = os.environ if _environ is None else _environ
        from ._config import load_shared_config, resolve_config

        config = resolve_config(
            region=region,
            endpoint_url=endpoint_url,
            use_fips=use_fips,
            use_dualstack=use_dualstack,
            environ=env,
            shared=load_shared_config(env),
        )
        if config.warning is not None:
            import warnings

            warnings.warn(config.warning, UserWarning, stacklevel=3)
        self._endpoint_url = config.endpoint_url
        self._region = config.region
        if retry is None:
            retry = RetryPolicy() if config.max_attempts is None else RetryPolicy(config.max_attempts)
        self._retry = retry
        if isinstance(timeout, _NotGiven):
            self._timeout = DEFAULT_TIMEOUT
        elif isinstance(timeout, httpx.Timeout):
            for part in (timeout.connect, timeout.read, timeout.write, timeout.pool):
                check_timeout(part)  # each a positive number of seconds or None
            self._timeout = timeout
        else:
            self._timeout = httpx.Timeout(check_timeout(timeout))
        self._content_limits = check_content_limits(content_limits)
        self._attachment_limits = _attachment_limits(attachment_limits)
        if (
            isinstance(refresh_margin, bool)
            or not isinstance(refresh_margin, int | float)
            or not 0 <= refresh_margin < math.inf
        ):
            raise InvalidInputError("refresh_margin", "must be a finite number of seconds >= 0")
        self._refresh_margin = float(refresh_margin)
        self._max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._clock = _clock
        self._closed = False
        self._sessions: weakref.WeakSet[Any] = weakref.WeakSet()  # their streams end on close()

    @property
    def endpoint_url(self) -> str:
        """The service URL requests go to."""
        return self._endpoint_url

    @property
    def region(self) -> str | None:
        """The region in use (``None`` when only an endpoint URL was configured)."""
        return self._region

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint_url={self._endpoint_url!r})"

    def _token_state(
        self, participant_token: Secret | None, connection: ConnectionInfo | None = None
    ) -> TokenState:
        from ._tokens import TokenState, utc_now

        return TokenState(
            participant_token=participant_token,
            connection=connection,
            margin=self._refresh_margin,
            clock=self._clock or utc_now,
        )

    def _connect_state(self, participant_token: object) -> TokenState:
        return self._token_state(Secret(check_token("participant_token", participant_token)))

    def _resume_state(
        self, connection_token: object, expires_at: object, participant_token: object
    ) -> TokenState:
        from ._models import ConnectionInfo

        connection = ConnectionInfo(
            Secret(check_token("connection_token", connection_token)), check_expires_at(expires_at)
        )
        participant = (
            None if participant_token is None else Secret(check_token("participant_token", participant_token))
        )
        return self._token_state(participant, connection)

    def _http_client(
        self,
        given: H | None,
        kind: type[H],
        retry_wrapper: Callable[..., Any],
        default_transport: Callable[[], Any],
    ) -> H:
        """Our httpx client with the retry transport, or the user's with its transport wrapped once."""
        if given is None:
            transport = retry_wrapper(
                default_transport(), self._retry, max_response_bytes=self._max_response_bytes
            )
            http = kind(
                base_url=self._endpoint_url, timeout=self._timeout, transport=transport, headers=_headers()
            )
            http._cookies = _NoCookies()  # httpx has no public switch; `cookies=` would copy it
            return http
        if not isinstance(given, kind):
            raise InvalidInputError("http_client", f"must be an httpx.{kind.__name__}")
        if not isinstance(given._transport, retry_wrapper):  # type: ignore[arg-type]
            given._transport = retry_wrapper(
                given._transport, self._retry, max_response_bytes=self._max_response_bytes
            )
        if not str(given.base_url):
            given.base_url = httpx.URL(self._endpoint_url)
        return given

    def _session_kwargs(self, state: TokenState) -> dict[str, Any]:
        if self._closed:
            raise ClientClosedError()
        return {
            "endpoint_url": self._endpoint_url,
            "state": state,
            "content_limits": self._content_limits,
            "attachment_limits": self._attachment_limits,
            "client_closed": self._is_closed,
        }

    def _is_closed(self) -> bool:
        return self._closed

    def _adopt(self, session: Any) -> Any:
        self._sessions.add(session)
        return session

    def _mark_closed(self) -> None:
        """Closed: every session's calls raise ``ClientClosedError`` and its streams end."""
        self._closed = True
        events_io = sys.modules.get(f"{__package__}._ws")  # not loaded: no stream was ever opened
        if events_io is not None:
            for session in list(self._sessions):
                events_io.end_streams(session)


class ParticipantClient(_ClientBase):
    """Sync client of the Amazon Connect Participant Service.

    ``ParticipantClient(region="us-east-1")`` or ``ParticipantClient(endpoint_url=...)``;
    keywords: ``use_fips``, ``use_dualstack``, ``retry=RetryPolicy(...)``, ``timeout``
    (seconds, ``httpx.Timeout`` or ``None``; 15 s by default), ``http_client`` (your
    ``httpx.Client``), ``content_limits`` (lift per-content-type message limits),
    ``attachment_limits`` (``AttachmentLimits``: your instance's attachment size/types),
    ``refresh_margin`` (seconds before expiry to renew the connection token),
    ``max_response_bytes`` (largest API answer read, 10 MiB by default; attachments are
    streamed and not affected). The timeout is also each attempt's overall deadline.
    The client's own ``httpx.Client`` keeps no cookies from answers, as AWS SDKs keep none
    (an ``http_client`` you give keeps its own cookie handling).
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        http_client: httpx.Client | None = None,
        **kwargs: Unpack[ClientOptions],
    ) -> None:
        super().__init__(region, **kwargs)
        self._owns_http = http_client is None
        self._http = self._http_client(
            http_client, httpx.Client, RetryTransport, lambda: SchemeTransport(_LIMITS)
        )
        self._low_level: LowLevelClient | None = None

    @property
    def low_level(self) -> LowLevelClient:
        """The generated client on this client's httpx client: same retries and timeout.

        Use its ``sync``/``sync_detailed`` functions (its ``asyncio*`` ones would make an
        httpx client of their own, without the retries: use ``AsyncParticipantClient`` for those).
        """
        if self._low_level is None:
            self._low_level = LowLevelClient(
                base_url=self._endpoint_url, timeout=self._timeout
            ).set_httpx_client(self._http)
        return self._low_level

    def connect(self, participant_token: str) -> ChatSession:
        """CreateParticipantConnection (ConnectParticipant=True) and a session that renews the token."""
        from ._session import ChatSession

        chat = ChatSession(self._http, **self._session_kwargs(self._connect_state(participant_token)))
        chat._run(chat._connect_flow())
        return self._adopt(chat)  # type: ignore[no-any-return]

    def resume(
        self,
        connection_token: str,
        expires_at: datetime | None = None,
        *,
        participant_token: str | None = None,
    ) -> ChatSession:
        """A session from a saved connection token (renewable only if ``participant_token`` is given)."""
        state = self._resume_state(connection_token, expires_at, participant_token)
        from ._session import ChatSession

        return self._adopt(ChatSession(self._http, **self._session_kwargs(state)))  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the client: its sessions' calls raise ``ClientClosedError`` from now on, their
        events streams end (as on ``disconnect()``), ``disconnect()`` is a no-op. Idempotent."""
        self._mark_closed()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ParticipantClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncParticipantClient(_ClientBase):
    """Async client; the same names as ``ParticipantClient``, awaited.

    ``http_client`` takes your ``httpx.AsyncClient``; by default the client uses
    httpx over aiohttp (``httpx_aiohttp.AiohttpTransport``), keeping no cookies.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        **kwargs: Unpack[ClientOptions],
    ) -> None:
        super().__init__(region, **kwargs)
        self._owns_http = http_client is None
        self._http = self._http_client(
            http_client, httpx.AsyncClient, AsyncRetryTransport, _aiohttp_transport
        )
        self._low_level: LowLevelClient | None = None

    @property
    def low_level(self) -> LowLevelClient:
        """The generated client on this client's httpx client: same retries and timeout.

        Use its ``asyncio``/``asyncio_detailed`` functions (its sync ones would make an httpx
        client of their own, without the retries).
        """
        if self._low_level is None:
            self._low_level = LowLevelClient(
                base_url=self._endpoint_url, timeout=self._timeout
            ).set_async_httpx_client(self._http)
        return self._low_level

    async def connect(self, participant_token: str) -> AsyncChatSession:
        """CreateParticipantConnection (ConnectParticipant=True) and a session that renews the token."""
        from ._session import AsyncChatSession

        chat = AsyncChatSession(self._http, **self._session_kwargs(self._connect_state(participant_token)))
        await chat._run(chat._connect_flow())
        return self._adopt(chat)  # type: ignore[no-any-return]

    def resume(
        self,
        connection_token: str,
        expires_at: datetime | None = None,
        *,
        participant_token: str | None = None,
    ) -> AsyncChatSession:
        """A session from a saved connection token (renewable only if ``participant_token`` is given)."""
        state = self._resume_state(connection_token, expires_at, participant_token)
        from ._session import AsyncChatSession

        return self._adopt(AsyncChatSession(self._http, **self._session_kwargs(state)))  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Close the client; see ``ParticipantClient.close``."""
        self._mark_closed()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncParticipantClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
