"""Emulator settings and AWS's published figures it uses by default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._flows._library import ContactFlows

__all__ = [
    "DEFAULT_ATTACHMENT_EXTENSIONS",
    "DEFAULT_MESSAGE_LIMITS",
    "DEFAULT_QUOTAS",
    "EmulatorConfig",
    "Quota",
]


@dataclass(frozen=True)
class Quota:
    """A token bucket: ``rate`` requests per second on average, bursts up to ``burst``."""

    rate: float
    """Requests per second refilled (the quota's steady rate)."""
    burst: float
    """Requests allowed at once (the bucket's size)."""


#: Requests per second (rate/burst) per account and Region (all instances share them), AWS's default quotas.
DEFAULT_QUOTAS: Mapping[str, Quota] = MappingProxyType(
    {
        "CreateParticipantConnection": Quota(6, 9),
        "SendMessage": Quota(10, 15),
        "SendEvent": Quota(10, 15),
        "GetTranscript": Quota(8, 12),
        "GetAttachment": Quota(8, 12),
        "DisconnectParticipant": Quota(3, 5),
        "StartAttachmentUpload": Quota(2, 5),
        "CompleteAttachmentUpload": Quota(2, 5),
        "StartChatContact": Quota(5, 8),
        # not published for chat; Connect's usual figure for its other APIs
        "DescribeView": Quota(2, 5),
        "GetAuthenticationUrl": Quota(2, 5),
        "CancelParticipantAuthentication": Quota(2, 5),
        "CreateParticipant": Quota(2, 5),
        "StopContact": Quota(2, 5),
    }
)
"""The API rate quotas per operation (rate, burst) throttling uses by default."""

#: Largest ``Content`` per SendMessage content type (characters), from AWS's service model.
DEFAULT_MESSAGE_LIMITS: Mapping[str, int] = MappingProxyType(
    {
        "text/plain": 1024,
        "text/markdown": 1024,
        "application/json": 12000,
        "application/vnd.amazonaws.connect.message.interactive.response": 12288,
    }
)
"""The largest message per content type, in characters, as AWS enforces them."""

#: Chat attachment file types Connect accepts by default.
DEFAULT_ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".csv", ".doc", ".docx", ".heic", ".jfif", ".jpeg", ".jpg", ".mov", ".mp4", ".pdf", ".png",
        ".ppt", ".pptx", ".rtf", ".txt", ".wav", ".xls", ".xlsx",
    }
)  # fmt: skip


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything that can be tuned; the defaults follow AWS.

    Times are in seconds.
    """

    #: lifetime of a connection token (AWS documents one day)
    connection_token_ttl: float = 86400.0
    """Seconds a connection token lives (a day, as in AWS)."""
    #: how long a WebSocket URL can be connected to after it was issued
    websocket_url_ttl: float = 100.0
    """Seconds a WebSocket URL can be connected to (100, as in AWS)."""
    #: lifetime of an attachment upload URL
    upload_url_ttl: float = 300.0
    """Seconds an attachment's upload URL is valid."""
    #: default GetAttachment URL lifetime when UrlExpiryInSeconds is absent
    download_url_ttl: int = 300
    """Seconds an attachment's download URL is valid."""
    #: chat duration when StartChatContact gives none (AWS: 25 hours)
    chat_duration_minutes: int = 1500
    """How long a chat lasts, in minutes (25 hours by default, as in Connect)."""
    max_attachment_bytes: int = 20 * 1024 * 1024
    """Largest attachment accepted, in bytes (20 MB)."""
    #: None accepts any file name
    attachment_extensions: frozenset[str] | None = DEFAULT_ATTACHMENT_EXTENSIONS
    """File name extensions accepted (Connect's defaults); ``None`` accepts any."""
    max_attachments_per_contact: int = 100
    """Attachments a chat may hold; one more is refused (402)."""
    #: > 0: attachments show IN_PROGRESS for this long, then the item is sent again with its
    #: final status (APPROVED, or REJECTED when the file name contains "reject")
    attachment_scan_seconds: float = 0.0
    """Seconds an attachment stays ``IN_PROGRESS`` before its scan result (0: at once)."""
    max_websockets_per_participant: int = 5
    """Open WebSockets allowed per participant (429 beyond)."""
    #: per-content-type message caps; None lifts them (the 16,384 of the shape stays)
    message_limits: Mapping[str, int] | None = field(default_factory=lambda: dict(DEFAULT_MESSAGE_LIMITS))
    """Largest message per content type, in characters; ``None`` turns the caps off."""
    #: AWS-like 429 ThrottlingException when a per-account API rate quota is exceeded
    throttling: bool = False
    """Whether the API rate quotas are enforced (429 ThrottlingException)."""
    quotas: Mapping[str, Quota] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    """The rate quotas per operation, when throttling is on."""
    #: largest JSON request body accepted (bytes), 413 beyond
    max_request_bytes: int = 1024 * 1024
    """Largest request body accepted (413 beyond)."""
    #: validate requests against the OpenAPI document (always on unless it is missing)
    validate_requests: bool = True
    """Whether requests are validated against the spec."""
    #: GetAuthenticationUrl is accepted this long after ``authentication.initiated`` (AWS: 1 minute)
    authentication_url_window: float = 60.0
    """Seconds after an authentication starts during which GetAuthenticationUrl is accepted."""
    #: how long an ended contact is kept (transcript, participants, tokens, grants, attachments)
    #: before it is released: long enough to read ``/_emulator/contacts/{id}`` or the
    #: transcript of a persistent chat's source right after the end, short enough that a
    #: long-lived emulator stays flat
    retention_seconds: float = 300.0
    """Seconds an ended chat is kept before everything it held is released."""
    #: how long a ClientToken's first answer is replayed (AWS documents no window; it is also
    #: forgotten when its participant's contact is released)
    idempotency_seconds: float = 600.0
    """Seconds a ClientToken's first answer is replayed."""
    #: contact flows to run (``connect_participant_emulator.flows.ContactFlows``, or a path or
    #: list of paths to load): a chat whose ContactFlowId names one runs it
    flows: ContactFlows | str | Any | None = None
    """Contact flows to run (``ContactFlows``, or a path or paths to load): a chat whose
    ContactFlowId names one runs it."""
