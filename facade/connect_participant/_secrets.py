"""Secret values and log redaction.

Participant tokens, connection tokens, WebSocket URLs and presigned S3 URLs are
secrets: they must never reach ``repr()``, ``str()``, exception text or log
records. Internal API (attachments and events use the same pieces):

- ``Secret(value)`` wraps one; ``.reveal()`` is the only way to the value.
  Redaction is by value, not by object: every value a ``Secret`` was made of
  is scrubbed from every log record of the guarded loggers and from every
  error text while any ``Secret`` of that value is alive (counted per value,
  so a second, equal ``Secret`` keeps it registered when the first is
  collected), and afterwards for as long as it is among the last
  ``RETIRED_KEPT`` values retired (an exception or a request object may still
  quote it).
- ``redact(text)`` is the pure scrubbing function: URL query strings (where
  presigned signatures live; of absolute URLs of any scheme and of bare paths
  as a request line shows them), view tokens in DescribeView paths, bearer
  header values, and the values of live secrets, all looked for in the text as
  given (a secret that is part of a URL does not hide the URL's query from the
  patterns), in time linear in the text's length.
- ``install_log_redaction()`` (idempotent, run on import of the package)
  attaches ``RedactingFilter`` to httpx's, httpcore's and aiohttp's client
  loggers and to ``connect_participant`` and its child ``connect_participant.events``.
  Filters on a logger only see records created on that very logger, so every
  child logger is listed by name.
"""

from __future__ import annotations

import hmac
import logging
import re
import threading
import weakref
from collections import OrderedDict, deque

__all__ = ["GUARDED_LOGGERS", "RedactingFilter", "Secret", "install_log_redaction", "redact"]

_REDACTED = "[redacted]"
# stands for a known value's characters where the patterns look for a URL's shape around it:
# a character of a path, a query or a header value, not of a scheme, and no path starts after it
_MASK = "*"
#: values no ``Secret`` holds any more that are still redacted (most recently retired first out last)
RETIRED_KEPT = 1024
_lock = threading.Lock()
_counts: dict[str, int] = {}  # value -> live Secret objects holding it
_retired: OrderedDict[str, None] = OrderedDict()
# Values whose Secret was collected, applied under the lock later: a finalizer may run in the
# middle of any allocation, also one made while this thread holds the lock, so it never locks.
_pending: deque[str] = deque()
_cache: list[list[str]] = [[]]  # [values to scrub, longest first]; rebuilt after every change
_stale = [False]


def _drain() -> None:
    """Apply the pending releases (the caller holds ``_lock``)."""
    while _pending:
        value = _pending.popleft()
        left = _counts.get(value, 0) - 1
        if left > 0:
            _counts[value] = left
            continue
        _counts.pop(value, None)
        _retired[value] = None
        while len(_retired) > RETIRED_KEPT:
            _retired.popitem(last=False)
        _stale[0] = True


def _register(value: str) -> None:
    with _lock:
        _drain()
        _counts[value] = _counts.get(value, 0) + 1
        _retired.pop(value, None)
        _stale[0] = True


def _release(value: str) -> None:
    _pending.append(value)  # thread-safe, takes no lock (see _pending)


class Secret:
    """A string that never shows itself in ``repr``/``str``/f-strings."""

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        _register(value)
        weakref.finalize(self, _release, value)

    def reveal(self) -> str:
        """The secret value, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Secret values are not picklable")


# Each pattern names the part it hides ``hidden``. Every pattern scans a text in time linear in
# its length: one that could start at many places of a long run of characters (a URL scheme's or
# path's) is tried only at the start of each run of URL characters (a "word": no space, quote,
# angle bracket, "?" or "#"), and an atomic group commits to the first place in the word it can
# start at: every later place in the same word ends at the same "?" or not, so trying them again
# could only cost time (it made a long word's redaction quadratic: about 40 s for 64 KB).
_WORD_START = r"(?<![^\s?#\"'<>])"
_IN_WORD = r"[^\s?#\"'<>]"
_QUERY = r"\?(?P<hidden>[^\s\"'<>]*)"
# A URL's query string holds presigned signatures and credentials (any scheme: a URL the
# HTTP client refuses, ftp:// say, is quoted whole in its error): the query of the first
# scheme:// in a word (a scheme starts at the first letter of a run of scheme characters) ...
_URL_QUERY = re.compile(
    rf"{_WORD_START}(?>{_IN_WORD}*?(?<![a-z0-9+.-])[0-9+.-]*+[a-z][a-z0-9+.-]*+://){_IN_WORD}*+{_QUERY}",
    re.IGNORECASE,
)
# ... also in a request line or an error that echoes only the path and query
# ("PUT /bucket/key?X-Amz-Signature=..."): a path starts at a "/" after a space, quote, "(",
# "=", ":", "," or "[", or at the start of the text.
_PATH_QUERY = re.compile(rf"{_WORD_START}(?>{_IN_WORD}*?(?<![^\s\"'(=:,\[])/){_IN_WORD}*+{_QUERY}")
# DescribeView carries a view token in its path.
_VIEW_PATH = re.compile(r"(?:/participant/views/)(?P<hidden>[^\s?#\"'<>]+)")
# Header values in httpcore/h11 style reprs or "Name: value" text.
_HEADER = re.compile(
    r"(?:x-amz-bearer|authorization|x-amz-security-token)['\"]?\s*[:,=]\s*b?['\"]?(?P<hidden>[^'\"\s,)]+)",
    re.IGNORECASE,
)
_PATTERNS = (_URL_QUERY, _PATH_QUERY, _VIEW_PATH, _HEADER)


def _known_values() -> list[str]:
    with _lock:
        _drain()
        if not _stale[0]:
            return _cache[0]
        values = [*_counts, *_retired]
        _stale[0] = False
        # a URL's query alone (an echo of it in another form still carries the signature)
        values += [v.split("?", 1)[1] for v in values if "?" in v]
        # Longest first: a value that contains another is masked whole (see _hidden_spans)
        _cache[0] = sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)
        return _cache[0]


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` (in order, apart) replaced by ``_MASK``."""
    pieces: list[str] = []
    shown = 0  # text[:shown] is done
    for start, end in spans:
        pieces += (text[shown:start], _MASK * (end - start))
        shown = end
    pieces.append(text[shown:])
    return "".join(pieces)


def _hidden_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` shows a secret: every occurrence of a known value, and what the patterns
    hide, applied in turn (each sees what the ones before it hid as masked characters) to the
    text with the known values masked and also to the text as given (a known value that is part
    of a URL must not hide the URL's shape: the query after it would show)."""
    spans: list[tuple[int, int]] = []
    masked = text
    for value in _known_values():
        start = text.find(value)
        if start < 0:
            continue
        while start >= 0:  # overlapping occurrences too: two values may share characters
            spans.append((start, start + len(value)))
            start = text.find(value, start + 1)
        masked = masked.replace(value, _MASK * len(value))
    for searched in {text, masked}:  # one text when no known value occurs in it
        for pattern in _PATTERNS:
            found = [match.span("hidden") for match in pattern.finditer(searched)]
            if found:
                spans += found
                searched = _masked(searched, found)
    return spans


def redact(text: str) -> str:
    """Scrub secrets from ``text`` (pure apart from reading the known secret values).

    Each run of hidden characters becomes one ``[redacted]``; so does an empty query string (a
    URL shows the same whatever its query held). Time grows linearly with the text's length."""
    spans = _hidden_spans(text)
    if not spans:
        return text
    spans.sort()
    pieces: list[str] = []
    shown = 0  # text[:shown] is done
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_start <= end:  # overlapping or touching: one marker
            end = max(end, next_end)
            continue
        pieces += (text[shown:start], _REDACTED)
        shown = end
        start, end = next_start, next_end
    pieces += (text[shown:start], _REDACTED, text[end:])
    return "".join(pieces)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and cached traceback text) with ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging to report
            return True
        clean = redact(message)
        if clean != message:
            record.msg = clean
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


GUARDED_LOGGERS = (
    "connect_participant",
    "connect_participant.events",
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "aiohttp.client",
    "aiohttp.internal",
    "aiohttp.websocket",
)
_FILTER = RedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to every guarded logger (idempotent)."""
    for name in GUARDED_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
