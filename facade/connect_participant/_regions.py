"""Facts about regions and hosts, with no dependencies: the partitions botocore knows (its
``partitions.json`` outputs as of botocore 1.43.117, embedded; botocore is not needed at run
time), which regions they list by name, and loopback hosts. ``_endpoints`` resolves endpoints
from them; ``_errors`` uses them for its hints (this module imports neither).
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple

__all__ = ["PARTITIONS", "is_known_region", "is_loopback", "partition_for", "unknown_region_of_host"]


class _Partition(NamedTuple):
    name: str
    dns_suffix: str
    dual_stack_dns_suffix: str
    region_regex: str  # compiled by re (and cached there) when first matched, not at import
    regions: frozenset[str]


def _p(name: str, dns: str, dual: str, regex: str, regions: str) -> _Partition:
    return _Partition(name, dns, dual, regex, frozenset(regions.split()))


# Order matters: botocore tries the partitions in this order.
PARTITIONS: tuple[_Partition, ...] = (
    _p(
        "aws",
        "amazonaws.com",
        "api.aws",
        r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        "af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 ap-northeast-3 ap-south-1 "
        "ap-south-2 ap-southeast-1 ap-southeast-2 ap-southeast-3 ap-southeast-4 ap-southeast-5 "
        "ap-southeast-6 ap-southeast-7 aws-global ca-central-1 ca-west-1 eu-central-1 eu-central-2 "
        "eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 eu-west-3 il-central-1 me-central-1 "
        "me-south-1 mx-central-1 sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2",
    ),
    _p(
        "aws-cn",
        "amazonaws.com.cn",
        "api.amazonwebservices.com.cn",
        r"^cn\-\w+\-\d+$",
        "aws-cn-global cn-north-1 cn-northwest-1",
    ),
    _p(
        "aws-eusc",
        "amazonaws.eu",
        "api.amazonwebservices.eu",
        r"^eusc\-(de)\-\w+\-\d+$",
        "eusc-de-east-1",
    ),
    _p(
        "aws-iso",
        "c2s.ic.gov",
        "api.aws.ic.gov",
        r"^us\-iso\-\w+\-\d+$",
        "aws-iso-global us-iso-east-1 us-iso-west-1",
    ),
    _p(
        "aws-iso-b",
        "sc2s.sgov.gov",
        "api.aws.scloud",
        r"^us\-isob\-\w+\-\d+$",
        "aws-iso-b-global us-isob-east-1 us-isob-west-1",
    ),
    _p(
        "aws-iso-e",
        "cloud.adc-e.uk",
        "api.cloud-aws.adc-e.uk",
        r"^eu\-isoe\-\w+\-\d+$",
        "aws-iso-e-global eu-isoe-west-1",
    ),
    _p(
        "aws-iso-f",
        "csp.hci.ic.gov",
        "api.aws.hci.ic.gov",
        r"^us\-isof\-\w+\-\d+$",
        "aws-iso-f-global us-isof-east-1 us-isof-south-1",
    ),
    _p(
        "aws-us-gov",
        "amazonaws.com",
        "api.aws",
        r"^us\-gov\-\w+\-\d+$",
        "aws-us-gov-global us-gov-east-1 us-gov-west-1",
    ),
)


def is_known_region(region: str) -> bool:
    """``region`` is one the embedded partitions list by name (botocore's ``partitions.json``)."""
    return any(region in partition.regions for partition in PARTITIONS)


_SERVICE_HOST = r"^participant\.connect(?:-fips)?\.([a-z0-9-]+)\."  # compiled (and cached) by re on use


def unknown_region_of_host(host: str) -> str | None:
    """The region of a Participant Service host (``participant.connect.<region>.<suffix>``) when
    botocore does not know it, else ``None``."""
    match = re.match(_SERVICE_HOST, host.lower())
    if match is None or is_known_region(match.group(1)):
        return None
    return match.group(1)


def partition_for(region: str) -> _Partition:
    for partition in PARTITIONS:
        if region in partition.regions or re.match(partition.region_regex, region):
            return partition
    return PARTITIONS[0]


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
