"""A local emulator of the Amazon Connect Participant Service (API 2018-09-07).

``with LocalParticipantService() as svc:`` serves the 11 Participant Service operations,
Connect's StartChatContact / CreateParticipant / StopContact, the chat WebSocket and
presigned-style attachment URLs on one loopback port; README.md beside this file
documents the behaviour and the emulator-only control endpoint (``/_emulator/...``).
``LocalParticipantService(flows=…)`` runs exported contact flows
(``connect_participant_emulator.flows``).

Importing the package is cheap: each public name's module (and so aiohttp) is imported on
first use (PEP 562 ``__getattr__``). pytest imports the package in every project that has the
SDK installed, for the plugin's entry point (``pytest_plugin``), fixture used or not.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import EmulatorApp, build_app
    from ._config import DEFAULT_MESSAGE_LIMITS, DEFAULT_QUOTAS, EmulatorConfig, Quota
    from ._service import AddedParticipant, Chat, LocalParticipantService, Transfer

#: the private module that defines each public name (mirrors the TYPE_CHECKING imports)
_LAZY: dict[str, str] = {
    "EmulatorApp": "_app",
    "build_app": "_app",
    "DEFAULT_MESSAGE_LIMITS": "_config",
    "DEFAULT_QUOTAS": "_config",
    "EmulatorConfig": "_config",
    "Quota": "_config",
    "AddedParticipant": "_service",
    "Chat": "_service",
    "LocalParticipantService": "_service",
    "Transfer": "_service",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DEFAULT_MESSAGE_LIMITS",
    "DEFAULT_QUOTAS",
    "AddedParticipant",
    "Chat",
    "EmulatorApp",
    "EmulatorConfig",
    "LocalParticipantService",
    "Quota",
    "Transfer",
    "build_app",
]
