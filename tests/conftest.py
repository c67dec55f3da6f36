"""Fixtures shared by several test modules (the emulator's own fixtures come from its pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from connect_participant_emulator import LocalParticipantService


@pytest.fixture
def http(participant_service: LocalParticipantService) -> Iterator[httpx.Client]:
    """A plain httpx client on the test's emulator, for raw-HTTP tests of the wire format."""
    with httpx.Client(base_url=participant_service.endpoint_url, timeout=10) as client:
        yield client


# The variables the SDK's configuration reads (``connect_participant._config``): a developer's
# own AWS settings must not change what a test sees. Tests of configuration set them on purpose.
_AWS_CONFIG_VARS = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_CONNECTPARTICIPANT",
    "AWS_ENDPOINT_URL_CONNECT",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_MAX_ATTEMPTS",
)


@pytest.fixture(autouse=True)
def _hermetic_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No AWS variable of the developer's and no shared config file (it points at a missing one)."""
    for name in _AWS_CONFIG_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path_factory.getbasetemp() / "no-aws-config"))
