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


# -- a known value that is part of a URL --------------------------------------------------------------
# Found by mutation testing: the known values used to be replaced before the URL patterns ran, so a
# value equal to a URL's part before the "?" left "[redacted]?X-Amz-Signature=..." showing. The
# values and patterns are now all looked for in the text as given. Each test uses values of its own
# ({t} is fresh): a value stays redacted after its test (retired) and must not touch other texts.


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://leak-{t}.example/k7", "see [redacted]?[redacted] now"),  # the part before "?"
        ("{signed}", "see [redacted] now"),  # the whole URL
        ("https://leak-{t}.example", "see [redacted]/k7?[redacted] now"),  # a prefix
        ("https://leak-{t}.example/k7?Zq-Cred-{t}", "see [redacted] now"),  # into the query
        ("leak-{t}.example/k7?Zq", "see https://[redacted] now"),  # across the "?"
        ("{t}.example/k7", "see https://leak-[redacted]?[redacted] now"),  # inside, up to the "?"
        ("Zq-Sig-{t}=deadbeef01", "see https://leak-{t}.example/k7?[redacted] now"),  # a query value
    ],
)
def test_a_known_value_in_a_url_hides_neither_itself_nor_the_query(value: str, shown: str) -> None:
    t = uuid.uuid4().hex
    signed = f"https://leak-{t}.example/k7?Zq-Cred-{t}=AKIA1&Zq-Sig-{t}=deadbeef01"
    _alive = Secret(value.format(t=t, signed=signed))
    assert redact(f"see {signed} now") == shown.format(t=t)


def test_a_known_path_before_its_query_in_a_request_line() -> None:
    path = _fresh("/up") + "/key.pdf"
    _alive = Secret(path)
    assert redact(f"PUT {path}?Zq-Sig=abc1 HTTP/1.1") == "PUT [redacted]?[redacted] HTTP/1.1"


def test_overlapping_and_touching_known_values_are_hidden_whole() -> None:
    t = uuid.uuid4().hex
    # equally long, so neither is looked for first: each shares characters with the other
    _alive = (Secret(f"{t}-abcd-1234"), Secret(f"1234-wxyz-{t}"), Secret(f"{t}-1111"), Secret(f"2222-{t}"))
    assert redact(f"x {t}-abcd-1234-wxyz-{t} y") == "x [redacted] y"
    assert redact(f"x {t}-11112222-{t} y") == "x [redacted] y"  # side by side: one run hidden


def test_a_value_at_the_start_of_the_text_and_overlapping_itself_is_hidden() -> None:
    value = "\u0436" * 6  # a value that overlaps itself one character on
    _alive = Secret(value)
    assert redact(value) == "[redacted]"
    assert redact(value + "\u0436 end") == "[redacted] end"  # occurrences at 0 and at 1


def test_a_known_value_holding_a_space_does_not_end_the_url_it_is_part_of() -> None:
    # the patterns also look at the text with the known values masked, longest first: the shorter
    # value inside the longer one must not leave the space to end the URL before its "?"
    t = uuid.uuid4().hex
    _alive = (Secret(f"{t}/my"), Secret(f"{t}/my file"))
    assert redact(f"GET https://{t}/my file/x?Zq-Sig=1 done") == "GET https://[redacted]/x?[redacted] done"


def test_patterns_apply_in_turn() -> None:
    # the query of the URL in the header value is hidden first; the value then runs to its end,
    # past the ")" that the query held and the ">" that ended the query
    assert redact("Authorization: https://h/k?a)b>c d") == "Authorization: [redacted] d"


# -- long texts -------------------------------------------------------------------------------------
# redact() used to take time growing with the square of a long run of URL characters (a scheme's
# run tried from each of its letters, a path from each "/"): about 40 s for 64 KB of letters. These
# texts would take it many minutes, so a return of that shows as pytest's timeout (120 s), with no
# timing asserted; redaction is linear now (they take a few milliseconds each).
LONG = 400_000


@pytest.mark.parametrize(
    "text",
    [
        "a" * LONG,  # a run of scheme characters with no "://"
        "a1+.-" * (LONG // 5),
        "a://" * (LONG // 4),  # schemes all through one word with no "?"
        "(/" * (LONG // 2),  # paths all through one word with no "?"
        "x:/" * (LONG // 3),
        "=/" * (LONG // 2),
        "authorization" + " " * LONG,
    ],
)
def test_a_long_text_without_secrets_is_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a://" * (LONG // 4) + "?Zq-Sig=1", "a://" * (LONG // 4) + "?[redacted]"),
        ("(/" * (LONG // 2) + "?Zq-Sig=1 end", "(/" * (LONG // 2) + "?[redacted] end"),
        ("1" * LONG + "a://h?Zq-Sig=1", "1" * LONG + "a://h?[redacted]"),
        ("https://h/k?" + "Zq-Sig=1&" * (LONG // 9) + " end", "https://h/k?[redacted] end"),
        ("see https://h/k?s=1 " * (LONG // 20), "see https://h/k?[redacted] " * (LONG // 20)),
    ],
)
def test_a_long_text_is_redacted(text: str, shown: str) -> None:
    assert redact(text) == shown


def test_a_long_text_with_a_known_url_before_its_query() -> None:
    url = f"https://{uuid.uuid4().hex}.example/k"
    _alive = Secret(url)
    text = f"see {url}?Zq-Sig=deadbeef02 now " * (LONG // 80)
    assert redact(text) == "see [redacted]?[redacted] now " * (LONG // 80)
