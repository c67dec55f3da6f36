"""Redaction edges the main tests left open (found by ``make mutate``): overlapping live secrets,
the shortest value scrubbed, a live URL's query echoed alone, the filter on odd records, the
installer, and the exact masked forms."""

from __future__ import annotations

import gc
import logging
import pickle
import uuid
from collections.abc import Iterator

import pytest
from connect_participant import Secret
from connect_participant._secrets import (
    GUARDED_LOGGERS,
    RETIRED_KEPT,
    RedactingFilter,
    install_log_redaction,
    redact,
)


def test_a_secret_containing_another_is_replaced_whole() -> None:
    _alive = (Secret("k7Qx"), Secret("k7Qx-zW9p-Lm3r"), Secret("zW9p"))
    # "zW9p" sorts before the longer value that contains it (z > k): length decides, not order
    assert redact("token k7Qx-zW9p-Lm3r and k7Qx, zW9p.") == "token [redacted] and [redacted], [redacted]."


def test_the_shortest_scrubbed_value_is_four_characters() -> None:
    _alive = (Secret("Jq8v"), Secret("Hb2"))
    assert redact("a Jq8v b Hb2 c") == "a [redacted] b Hb2 c"


def test_a_live_urls_query_echoed_alone_is_scrubbed() -> None:
    _alive = Secret("wss://h.example/connect?X-Amz-Date=1&sig=Pq1?Rs2")
    # the query as it might be echoed without its URL (in a header, a form field, an error)
    assert redact("query: X-Amz-Date=1&sig=Pq1?Rs2 end") == "query: [redacted] end"


def test_masked_forms_are_exact() -> None:
    secret = Secret("Zz-0123456789")
    assert repr(secret) == str(secret) == f"{secret}" == f"{secret:>20}" == "Secret('********')"
    with pytest.raises(TypeError, match=r"^Secret values are not picklable$"):
        pickle.dumps(secret)


def test_filter_keeps_a_record_with_a_broken_format_string() -> None:
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "two %s %s", ("one",), None)
    assert RedactingFilter().filter(record) is True
    assert record.msg == "two %s %s"  # left for logging to report


def test_filter_rewrites_a_cached_traceback_text() -> None:
    secret = Secret("Tt-cached-secret-Tt")
    record = logging.LogRecord("httpx", logging.ERROR, __file__, 1, "failed", None, None)
    record.exc_text = f"Traceback ...\nRuntimeError: {secret.reveal()}"
    assert RedactingFilter().filter(record) is True
    assert record.exc_text == "Traceback ...\nRuntimeError: [redacted]"


def test_filter_leaves_a_clean_record_alone() -> None:
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, "sent %d bytes", (12,), None)
    assert RedactingFilter().filter(record) is True
    assert (record.msg, record.args, record.getMessage()) == ("sent %d bytes", (12,), "sent 12 bytes")


def test_install_is_idempotent_and_restores_a_removed_filter() -> None:
    logger = logging.getLogger(GUARDED_LOGGERS[-1])
    filters = [f for f in logger.filters if isinstance(f, RedactingFilter)]
    assert len(filters) == 1
    logger.removeFilter(filters[0])
    try:
        install_log_redaction()
        install_log_redaction()
        again = [f for f in logger.filters if isinstance(f, RedactingFilter)]
        assert again == filters  # the same filter, once
    finally:
        if filters[0] not in logger.filters:
            logger.addFilter(filters[0])


# -- how long a value stays redacted ----------------------------------------------------------------
# The tests below make and drop Secrets of fresh values: dropping one retires its value (the
# release is applied by the next Secret made or the next redact()). The cyclic collector is
# paused so that no stray Secret of another test retires in between and shifts the counts.


@pytest.fixture
def no_stray_collections() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _fresh(label: str) -> str:
    """A value no Secret has held yet in this process (tests may run more than once in one)."""
    return f"{label}-{uuid.uuid4().hex}"


def _retire_others(count: int) -> None:
    for _ in range(count):
        Secret(_fresh("filler"))  # made and dropped at once: retired


@pytest.mark.usefixtures("no_stray_collections")
def test_a_value_stays_redacted_while_an_equal_secret_lives() -> None:
    value = _fresh("two-holders")
    first, second = Secret(value), Secret(value)
    del first  # one holder left: the value is still live, not retired
    _retire_others(RETIRED_KEPT + 1)
    assert redact(f"echo {value}") == "echo [redacted]"
    del second  # now retired: redacted for RETIRED_KEPT more retirements
    assert redact(f"echo {value}") == "echo [redacted]"
    _retire_others(RETIRED_KEPT + 1)
    assert redact(f"echo {value}") == f"echo {value}"


@pytest.mark.usefixtures("no_stray_collections")
def test_exactly_retired_kept_values_stay_redacted() -> None:
    value = _fresh("at-the-edge")
    Secret(value)  # made and dropped: retired
    assert redact(f"echo {value}") == "echo [redacted]"
    _retire_others(RETIRED_KEPT - 1)
    assert redact(f"echo {value}") == "echo [redacted]"  # it and RETIRED_KEPT - 1 after it
    _retire_others(1)
    assert redact(f"echo {value}") == f"echo {value}"


@pytest.mark.usefixtures("no_stray_collections")
def test_a_value_made_secret_again_is_retired_afresh() -> None:
    value = _fresh("used-twice")
    Secret(value)  # retired
    _retire_others(RETIRED_KEPT - 10)
    again = Secret(value)  # live again: its retirement starts over when it goes
    del again
    _retire_others(20)  # RETIRED_KEPT + 10 after the first retirement, 20 after the second
    assert redact(f"echo {value}") == "echo [redacted]"
