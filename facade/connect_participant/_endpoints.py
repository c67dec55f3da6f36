"""Region → endpoint URL for the Participant Service, as botocore resolves ``connectparticipant``.

Pure code and a small embedded table (botocore's ``partitions.json`` outputs
and the service's endpoint rule set, both as of botocore 1.43.117); botocore is
not needed at run time. ``tests/test_facade_endpoints.py`` compares every known
region and flag combination with botocore.

The rule set, in words: a region belongs to the first partition that lists it
or whose regex matches it (else to ``aws``); the host is
``participant.connect[-fips].{region}.{suffix}`` with the dual-stack suffix
when dual-stack is on — except FIPS without dual-stack in ``aws-us-gov``,
where the plain ``participant.connect.{region}.amazonaws.com`` serves FIPS.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from ._errors import InvalidInputError

__all__ = ["check_endpoint_url", "check_region", "partition_of", "resolve_endpoint"]


class _Partition(NamedTuple):
    name: str
    dns_suffix: str
    dual_stack_dns_suffix: str
    region_regex: str  # compiled by re (and cached there) when first matched, not at import
    regions: frozenset[str]


def _p(name: str, dns: str, dual: str, regex: str, regions: str) -> _Partition:
    return _Partition(name, dns, dual, regex, frozenset(regions.split()))


# Order matters: botocore tries the partitions in this order.
_PARTITIONS: tuple[_Partition, ...] = (
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

# botocore's own rule for a region name: a valid DNS host label, not all digits.
_REGION = r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$"


def known_regions() -> list[str]:
    """Every region named in the embedded table (for tests and docs)."""
    return sorted(r for p in _PARTITIONS for r in p.regions)


def check_region(region: object, name: str = "region") -> str:
    """``region`` if it is a well-formed region name; ``name`` is where it came from (for the error)."""
    if not isinstance(region, str) or not re.match(_REGION, region):
        raise InvalidInputError(
            name, "must be a region name such as 'us-east-1' (letters, digits and '-', 1..63 characters)"
        )
    return region


def partition_of(region: str) -> str:
    return _partition(region).name


def _partition(region: str) -> _Partition:
    for partition in _PARTITIONS:
        if region in partition.regions or re.match(partition.region_regex, region):
            return partition
    return _PARTITIONS[0]


def resolve_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """The service URL for ``region`` (validated) exactly as botocore 1.43.117 resolves it."""
    region = check_region(region)
    partition = _partition(region)
    service = "participant.connect-fips" if use_fips else "participant.connect"
    if use_dualstack:
        suffix = partition.dual_stack_dns_suffix
    elif use_fips and partition.name == "aws-us-gov":
        service, suffix = "participant.connect", "amazonaws.com"
    else:
        suffix = partition.dns_suffix
    return f"https://{service}.{region}.{suffix}"


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint_url(url: object, name: str = "endpoint_url") -> str:
    """Validate a user's ``endpoint_url``; return it without a trailing ``/``.

    ``name`` is where the URL came from (the argument, a variable, the config file), for the error.
    """
    if not isinstance(url, str) or not url:
        raise InvalidInputError(name, "must be a non-empty URL string")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InvalidInputError(name, "must be a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInputError(name, "must be an http(s) URL with a host, e.g. 'https://host:443'")
    if parts.username is not None or parts.password is not None:
        raise InvalidInputError(name, "must not contain user information")
    if parts.query or parts.fragment:
        raise InvalidInputError(name, "must not have a query string or fragment")
    if parts.scheme != "https" and not _is_loopback(host):
        raise InvalidInputError(name, "must use https unless the host is loopback")
    return url.rstrip("/")
