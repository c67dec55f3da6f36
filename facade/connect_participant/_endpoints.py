"""Region → endpoint URL for the Participant Service, as botocore resolves ``connectparticipant``.

Pure code and a small embedded table (botocore's ``partitions.json`` outputs
and the service's endpoint rule set, both as of botocore 1.43.117); botocore is
not needed at run time (the table is in ``_regions``). ``tests/test_facade_endpoints.py`` compares every known
region and flag combination with botocore.

The rule set, in words: a region belongs to the first partition that lists it
or whose regex matches it (else to ``aws``); the host is
``participant.connect[-fips].{region}.{suffix}`` with the dual-stack suffix
when dual-stack is on — except FIPS without dual-stack in ``aws-us-gov``,
where the plain ``participant.connect.{region}.amazonaws.com`` serves FIPS.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ._errors import InvalidInputError
from ._regions import PARTITIONS, is_known_region, is_loopback, partition_for

__all__ = [
    "check_endpoint_url",
    "check_region",
    "partition_of",
    "region_warning",
    "resolve_endpoint",
]


# botocore's own rule for a region name: a valid DNS host label, not all digits.
_REGION = r"^(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$"


def known_regions() -> list[str]:
    """Every region named in the embedded table (for tests and docs)."""
    return sorted(r for p in PARTITIONS for r in p.regions)


def check_region(region: object, name: str = "region") -> str:
    """``region`` if it is a well-formed region name; ``name`` is where it came from (for the error)."""
    if not isinstance(region, str) or not re.match(_REGION, region):
        raise InvalidInputError(
            name, "must be a region name such as 'us-east-1' (letters, digits and '-', 1..63 characters)"
        )
    return region


def region_warning(region: str) -> str | None:
    """A warning for a region botocore does not know (``None`` for a known one): new regions
    appear, so it is sent to all the same; a typo shows here before it fails to resolve."""
    if is_known_region(region):
        return None
    return (
        f"region {region!r} is not one botocore knows (botocore 1.43.117's partitions); requests "
        f"go to {resolve_endpoint(region)}: check the name if that host does not resolve"
    )


def partition_of(region: str) -> str:
    return partition_for(region).name


def resolve_endpoint(region: str, *, use_fips: bool = False, use_dualstack: bool = False) -> str:
    """The service URL for ``region`` (validated) exactly as botocore 1.43.117 resolves it."""
    region = check_region(region)
    partition = partition_for(region)
    service = "participant.connect-fips" if use_fips else "participant.connect"
    if use_dualstack:
        suffix = partition.dual_stack_dns_suffix
    elif use_fips and partition.name == "aws-us-gov":
        service, suffix = "participant.connect", "amazonaws.com"
    else:
        suffix = partition.dns_suffix
    return f"https://{service}.{region}.{suffix}"


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
    if parts.scheme != "https" and not is_loopback(host):
        raise InvalidInputError(name, "must use https unless the host is loopback")
    return url.rstrip("/")
