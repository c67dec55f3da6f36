"""A local emulator of the Amazon Connect Participant Service (API 2018-09-07).

``with LocalParticipantService() as svc:`` serves the 11 Participant Service operations,
Connect's StartChatContact / CreateParticipant / StopContact, the chat WebSocket and
presigned-style attachment URLs on one loopback port; README.md beside this file
documents the behaviour and the emulator-only control endpoint (``/_emulator/...``).
``LocalParticipantService(flows=…)`` runs exported contact flows
(``connect_participant_emulator.flows``).
"""

from ._app import EmulatorApp, build_app
from ._config import DEFAULT_MESSAGE_LIMITS, DEFAULT_QUOTAS, EmulatorConfig, Quota
from ._service import AddedParticipant, Chat, LocalParticipantService, Transfer

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
