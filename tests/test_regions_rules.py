"""Facts about regions and hosts (``_regions``), rule by rule, pure (found by
``make mutate --module _regions``): a region is known when a partition lists it by name; a
Participant Service host names its region, reported only when botocore does not know it; a
region belongs to the first partition that lists it or whose pattern matches it, else to
``aws``; loopback hosts are ``localhost``, ``*.localhost`` and loopback addresses, nothing else.
"""

from __future__ import annotations

import runpy

import pytest
from connect_participant import _regions
from connect_participant._regions import (
    PARTITIONS,
    is_known_region,
    is_loopback,
    partition_for,
    unknown_region_of_host,
)


def test_the_partitions_in_botocores_order_with_their_suffixes() -> None:
    # the table as a fresh import builds it (``make mutate`` switches a mutant on after the
    # module was imported: only a fresh run of the module sees a mutant of how it is built)
    fresh = runpy.run_path(_regions.__file__, run_name=_regions.__name__)["PARTITIONS"]
    assert fresh == PARTITIONS
    assert [(p.name, p.dns_suffix, p.dual_stack_dns_suffix) for p in fresh] == [
        ("aws", "amazonaws.com", "api.aws"),
        ("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"),
        ("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu"),
        ("aws-iso", "c2s.ic.gov", "api.aws.ic.gov"),
        ("aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud"),
        ("aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
        ("aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
        ("aws-us-gov", "amazonaws.com", "api.aws"),
    ]
    # the regions are the words of the listing, each one whole
    assert {"us-east-1", "us-west-2", "aws-global"} <= fresh[0].regions
    assert fresh[2].regions == frozenset({"eusc-de-east-1"})
    assert [p.region_regex for p in fresh][:2] == [
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        r"^cn\-\w+\-\d+$",
    ]


@pytest.mark.parametrize(
    "region",
    ["us-east-1", "af-south-1", "cn-northwest-1", "eusc-de-east-1", "us-isof-south-1", "us-gov-west-1"],
)
def test_a_region_some_partition_lists_is_known(region: str) -> None:
    assert is_known_region(region)


@pytest.mark.parametrize("region", ["us-east-9", "US-EAST-1", "us-east-1 ", "", "mars-north-1"])
def test_a_region_no_partition_lists_by_name_is_unknown(region: str) -> None:
    assert not is_known_region(region)


@pytest.mark.parametrize(
    ("host", "region"),
    [
        ("participant.connect.us-east-9.amazonaws.com", "us-east-9"),
        ("participant.connect-fips.us-east-9.amazonaws.com", "us-east-9"),
        ("PARTICIPANT.Connect.EU-Mars-1.amazonaws.com", "eu-mars-1"),
    ],
)
def test_the_unknown_region_a_service_host_names_is_reported(host: str, region: str) -> None:
    assert unknown_region_of_host(host) == region


@pytest.mark.parametrize(
    "host",
    [
        "participant.connect.us-east-1.amazonaws.com",
        "participant.connect-fips.us-gov-west-1.amazonaws.com",
        "PARTICIPANT.CONNECT.EU-WEST-1.AMAZONAWS.COM",
        "xparticipant.connect.us-east-9.amazonaws.com",  # not a service host
        "participant.connect.us-east-9",  # no suffix after the region
        "participant.connectx.us-east-9.amazonaws.com",
        "example.com",
        "127.0.0.1",
    ],
)
def test_a_known_region_or_another_host_reports_nothing(host: str) -> None:
    assert unknown_region_of_host(host) is None


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),  # listed
        ("us-east-9", "aws"),  # by its pattern
        ("cn-north-1", "aws-cn"),
        ("cn-south-7", "aws-cn"),
        ("eusc-de-east-1", "aws-eusc"),
        ("eusc-de-west-3", "aws-eusc"),
        ("us-iso-east-1", "aws-iso"),
        ("us-iso-north-4", "aws-iso"),
        ("us-isob-west-5", "aws-iso-b"),
        ("eu-isoe-north-2", "aws-iso-e"),
        ("us-isof-east-1", "aws-iso-f"),
        ("us-gov-west-1", "aws-us-gov"),  # listed; ``aws``'s pattern does not match it
        ("us-gov-north-8", "aws-us-gov"),
        ("aws-us-gov-global", "aws-us-gov"),  # listed, matches no pattern
        ("aws-cn-global", "aws-cn"),
        ("mars-north-1", "aws"),  # nothing matches: the first partition
        ("", "aws"),
    ],
)
def test_a_region_belongs_to_the_first_partition_that_lists_or_matches_it(
    region: str, partition: str
) -> None:
    assert partition_for(region).name == partition


def test_the_patterns_are_anchored_at_both_ends() -> None:
    assert partition_for("xcn-north-1").name == "aws"
    assert partition_for("cn-north-1x").name == "aws"


@pytest.mark.parametrize(
    "host", ["localhost", "emulator.localhost", "a.b.localhost", "127.0.0.1", "127.8.9.10", "::1"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host",
    [
        "localhost.example.com",
        "notlocalhost",
        "localhostx",
        "LOCALHOSTX",
        "10.0.0.1",
        "::2",
        "example.com",
        "",
        "[::1]",  # a URL's bracketed form is not an address
    ],
)
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)
