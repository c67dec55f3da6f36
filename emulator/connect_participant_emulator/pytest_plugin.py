"""pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``participant_service``: a running :class:`LocalParticipantService`, one per test.
- ``participant_service_session``: one emulator shared by the whole test session.

Options can be changed per test with the marker
``@pytest.mark.participant_service(connection_token_ttl=2, throttling=True)``
(keyword arguments of :class:`LocalParticipantService`), contact flows included:
``@pytest.mark.participant_service(flows=ContactFlows("tests/flows"))`` (see
``connect_participant_emulator.flows``).

Connect test cases (``*.test.json``) are collected and run on the emulator when flows are given:
``pytest --connect-flows tests/flows tests/cases`` (see ``_testcase_plugin``).

pytest loads this module in every project that has the SDK installed: the emulator (and
aiohttp) is imported inside the fixtures, so a test run that uses neither pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._service import LocalParticipantService
from ._testcase_plugin import pytest_addoption, pytest_collect_file, pytest_unconfigure  # noqa: F401  (hooks)

__all__ = ["participant_service", "participant_service_session"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "participant_service(**options): options of the participant_service fixture's emulator",
    )


@pytest.fixture
def participant_service(request: pytest.FixtureRequest) -> Iterator[LocalParticipantService]:
    """A Participant Service emulator on a free loopback port, stopped after the test."""
    from ._service import LocalParticipantService

    options: dict[str, object] = {}
    for marker in reversed(list(request.node.iter_markers("participant_service"))):
        options.update(marker.kwargs)
    with LocalParticipantService(**options) as service:  # type: ignore[arg-type]
        yield service


@pytest.fixture(scope="session")
def participant_service_session() -> Iterator[LocalParticipantService]:
    """One emulator for the whole session (faster; tests share its state)."""
    from ._service import LocalParticipantService

    with LocalParticipantService() as service:
        yield service
