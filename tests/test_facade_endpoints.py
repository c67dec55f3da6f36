"""Endpoint resolution matches botocore (a dev dependency) for every region and flag combination."""

from __future__ import annotations

import itertools

import boto3
import pytest
from _botocore_reference import needs_reference_model
from botocore.config import Config
from botocore.endpoint_provider import EndpointProvider
from botocore.loaders import create_loader
from connect_participant import InvalidInputError
from connect_participant._endpoints import (
    check_endpoint_url,
    check_region,
    known_regions,
    partition_of,
    resolve_endpoint,
)

pytestmark = needs_reference_model  # AWS's endpoint rules, as the region table was built from them

_loader = create_loader()
_PROVIDER = EndpointProvider(
    ruleset_data=_loader.load_service_model("connectparticipant", "endpoint-rule-set-1"),
    partition_data=_loader.load_data("partitions"),
)
_BOTOCORE_REGIONS = sorted(
    region for partition in _loader.load_data("partitions")["partitions"] for region in partition["regions"]
)
# Regions botocore does not list but that its partition regexes (or the aws fallback) place.
_UNLISTED = [
    "us-gov-south-9",
    "cn-south-3",
    "us-iso-north-2",
    "us-isob-south-7",
    "eu-isoe-north-2",
    "us-isof-west-5",
    "eusc-de-west-2",
    "ap-future-9",
    "xx-nowhere-1",
    "local",
]
_FLAGS = list(itertools.product([False, True], repeat=2))


def _botocore_url(region: str, fips: bool, dualstack: bool) -> str:
    return str(_PROVIDER.resolve_endpoint(Region=region, UseFIPS=fips, UseDualStack=dualstack).url)


def test_table_lists_exactly_botocores_regions() -> None:
    assert known_regions() == _BOTOCORE_REGIONS


@pytest.mark.parametrize("region", _BOTOCORE_REGIONS + _UNLISTED)
def test_every_region_and_flag_combination_matches_botocore(region: str) -> None:
    for fips, dualstack in _FLAGS:
        ours = resolve_endpoint(region, use_fips=fips, use_dualstack=dualstack)
        assert ours == _botocore_url(region, fips, dualstack), (region, fips, dualstack)


def test_every_partition_is_covered() -> None:
    partitions = {partition_of(r) for r in _BOTOCORE_REGIONS}
    assert partitions == {
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
        "aws-eusc",
    }


@pytest.mark.parametrize(
    ("region", "fips", "dualstack"),
    [
        ("us-east-1", False, False),
        ("us-gov-west-1", True, False),
        ("cn-north-1", True, True),
        ("eusc-de-east-1", False, True),
    ],
)
def test_matches_a_real_boto3_client(region: str, fips: bool, dualstack: bool) -> None:
    client = boto3.client(
        "connectparticipant",
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack),
    )
    assert resolve_endpoint(region, use_fips=fips, use_dualstack=dualstack) == client.meta.endpoint_url


def test_known_urls() -> None:
    assert resolve_endpoint("us-east-1") == "https://participant.connect.us-east-1.amazonaws.com"
    assert (
        resolve_endpoint("us-east-1", use_fips=True)
        == "https://participant.connect-fips.us-east-1.amazonaws.com"
    )
    assert (
        resolve_endpoint("us-gov-west-1", use_fips=True)
        == "https://participant.connect.us-gov-west-1.amazonaws.com"
    )
    assert resolve_endpoint("cn-north-1") == "https://participant.connect.cn-north-1.amazonaws.com.cn"


@pytest.mark.parametrize(
    "region", ["", "-us-east-1", "us-east-1-", "us_east_1", "12345", "a" * 64, "us east", None, 3]
)
def test_malformed_region_is_rejected(region: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^region: "):
        check_region(region)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://participant.connect.us-east-1.amazonaws.com/",
            "https://participant.connect.us-east-1.amazonaws.com",
        ),
        ("http://127.0.0.1:8700", "http://127.0.0.1:8700"),
        ("http://localhost:1/prefix/", "http://localhost:1/prefix"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://127.5.6.7", "http://127.5.6.7"),
    ],
)
def test_endpoint_url_accepted(url: str, expected: str) -> None:
    assert check_endpoint_url(url) == expected


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://example.com", "https unless the host is loopback"),
        ("http://10.0.0.1:80", "https unless the host is loopback"),
        ("ftp://127.0.0.1", "http\\(s\\) URL"),
        ("127.0.0.1:8700", "http\\(s\\) URL"),
        ("https://", "http\\(s\\) URL"),
        ("https://host:99999", "valid URL"),
        ("https://user:pw@host", "user information"),
        ("https://host/?a=b", "query string"),
        ("", "non-empty"),
        (None, "non-empty"),
    ],
)
def test_endpoint_url_rejected(url: object, rule: str) -> None:
    with pytest.raises(InvalidInputError, match=f"^endpoint_url: .*{rule}"):
        check_endpoint_url(url)
