"""Endpoint checks (``_endpoints``), rule by rule, pure: the exact words of each refusal with the
argument it names, user information with or without a password, what is stripped from an accepted
URL, and the warning for a region botocore does not know (found by
``make mutate --module _endpoints``)."""

from __future__ import annotations

import re

import pytest
from connect_participant import InvalidInputError
from connect_participant._endpoints import check_endpoint_url, check_region, region_warning


def _refusal(url: object, name: str = "endpoint_url") -> str:
    with pytest.raises(InvalidInputError) as caught:
        check_endpoint_url(url, name)
    return str(caught.value)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "must be a non-empty URL string"),
        (7, "must be a non-empty URL string"),
        ("https://host:99999", "must be a valid URL"),
        ("ftp://127.0.0.1", "must be an http(s) URL with a host, e.g. 'https://host:443'"),
        ("https://", "must be an http(s) URL with a host, e.g. 'https://host:443'"),
        ("https://user:pw@host", "must not contain user information"),
        ("https://user@host", "must not contain user information"),
        ("https://:pw@host", "must not contain user information"),
        ("https://host/?a=b", "must not have a query string or fragment"),
        ("https://host/#part", "must not have a query string or fragment"),
        ("http://example.com", "must use https unless the host is loopback"),
    ],
)
def test_each_refusal_in_its_own_words_naming_the_source(url: object, words: str) -> None:
    assert _refusal(url, "$AWS_ENDPOINT_URL") == f"$AWS_ENDPOINT_URL: {words}"


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_both_schemes_are_accepted_on_loopback(scheme: str) -> None:
    assert check_endpoint_url(f"{scheme}://127.0.0.1:8700") == f"{scheme}://127.0.0.1:8700"


def test_only_trailing_slashes_are_stripped() -> None:
    assert check_endpoint_url("https://host/a/b//") == "https://host/a/b"
    assert check_endpoint_url("https://host/X/") == "https://host/X"


def test_a_bad_region_is_refused_in_the_rules_words_naming_its_source() -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_region("us_east_1", "$AWS_REGION")
    assert str(caught.value) == (
        "$AWS_REGION: must be a region name such as 'us-east-1' (letters, digits and '-', 1..63 characters)"
    )


def test_a_region_botocore_knows_has_no_warning_one_it_does_not_says_where_requests_go() -> None:
    assert region_warning("eu-west-1") is None
    warning = region_warning("xx-newplace-9")
    assert warning is not None
    assert re.fullmatch(
        re.escape(
            "region 'xx-newplace-9' is not one botocore knows (botocore 1.43.117's partitions); requests "
            "go to https://participant.connect.xx-newplace-9.amazonaws.com: check the name if that host "
            "does not resolve"
        ),
        warning,
    )
