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
