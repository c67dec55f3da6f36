"""connect_participant — a typed, sync and async client for the Amazon Connect Participant Service.

```python
from connect_participant import ParticipantClient

with ParticipantClient(region="us-east-1") as client, client.connect(participant_token) as chat:
    chat.send_message("hi")
    for item in chat.transcript():
        print(item.participant_role, item.content)
```

Importing the package is cheap: each public name is imported from its module on first
use (PEP 562 ``__getattr__`` below), so a sync client that sends messages never loads
aiohttp, asyncio, the events stream or the attachments code. The ``TYPE_CHECKING``
imports tell type checkers and IDEs the same names; ``_LAZY`` must match them
(``tests/test_cold_start.py`` checks).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._secrets import install_log_redaction

if TYPE_CHECKING:
    from ._attachments import (
        AttachmentError,
        AttachmentLimits,
        AttachmentRejectedError,
        AttachmentScanTimeoutError,
        AttachmentSizeMismatchError,
        AttachmentStorageError,
    )
    from ._attachments_io import AsyncAttachmentReader, AttachmentReader
    from ._client import AsyncParticipantClient, ParticipantClient
    from ._errors import (
        AccessDeniedError,
        ClientClosedError,
        ConflictError,
        InternalServerError,
        InvalidInputError,
        InvalidResponseError,
        ParticipantServiceError,
        ParticipantTransportError,
        ResourceNotFoundError,
        ServiceQuotaExceededError,
        ThrottlingError,
        ValidationError,
    )
    from ._events import (
        AttachmentAdded,
        AuthenticationCancelled,
        AuthenticationExpired,
        AuthenticationFailed,
        AuthenticationInitiated,
        AuthenticationSucceeded,
        AuthenticationTimedOut,
        ChatEnded,
        ChatRehydrated,
        ConnectionAcknowledged,
        DeliveredReceipt,
        Event,
        Message,
        ParticipantActive,
        ParticipantAutoDisconnected,
        ParticipantDisplayNameUpdated,
        ParticipantIdle,
        ParticipantInactive,
        ParticipantInvited,
        ParticipantJoined,
        ParticipantLeft,
        ParticipantReturned,
        ReadReceipt,
        RemovedFromChat,
        TransferFailed,
        TransferSucceeded,
        Typing,
        UnknownEvent,
        WorkflowCancelled,
    )
    from ._interactive import (
        Carousel,
        InteractiveTemplate,
        Link,
        ListPicker,
        Option,
        Panel,
        QuickReply,
        TimePicker,
        TimeSlot,
        UnknownTemplate,
        ViewResource,
    )
    from ._models import Attachment, Item, Receipt, SendResult
    from ._pagination import Page, Transcript
    from ._retry import AsyncRetryTransport, RetryPolicy, RetryTransport
    from ._secrets import Secret
    from ._session import AsyncChatSession, ChatSession
    from ._streaming import StreamedText
    from ._validation import DEFAULT_CONTENT_LIMITS
    from ._views import View
    from ._ws import AsyncEventStream, EventStream
    from ._ws_protocol import EventStreamConfig, EventStreamError, GapFillError, StreamNotLiveError

# Redaction is on before any client exists. It attaches to loggers by name, so aiohttp's
# loggers are guarded without importing aiohttp: when aiohttp is first imported (async
# client, events stream) logging.getLogger hands it the very loggers that carry the filter.
install_log_redaction()

#: the private module that defines each public name (mirrors the TYPE_CHECKING imports)
_LAZY: dict[str, str] = {
    name: module
    for module, names in {
        "_attachments": "AttachmentError AttachmentLimits AttachmentRejectedError "
        "AttachmentScanTimeoutError AttachmentSizeMismatchError AttachmentStorageError",
        "_attachments_io": "AsyncAttachmentReader AttachmentReader",
        "_client": "AsyncParticipantClient ParticipantClient",
        "_errors": "AccessDeniedError ClientClosedError ConflictError InternalServerError InvalidInputError InvalidResponseError "
        "ParticipantServiceError ParticipantTransportError ResourceNotFoundError "
        "ServiceQuotaExceededError ThrottlingError ValidationError",
        "_events": "AttachmentAdded AuthenticationCancelled AuthenticationExpired "
        "AuthenticationFailed AuthenticationInitiated AuthenticationSucceeded "
        "AuthenticationTimedOut ChatEnded ChatRehydrated ConnectionAcknowledged DeliveredReceipt Event Message "
        "ParticipantActive ParticipantAutoDisconnected ParticipantDisplayNameUpdated "
        "ParticipantIdle ParticipantInactive ParticipantInvited ParticipantJoined "
        "ParticipantLeft ParticipantReturned ReadReceipt RemovedFromChat TransferFailed "
        "TransferSucceeded Typing UnknownEvent WorkflowCancelled",
        "_interactive": "Carousel InteractiveTemplate Link ListPicker Option Panel QuickReply TimePicker "
        "TimeSlot UnknownTemplate ViewResource",
        "_models": "Attachment Item Receipt SendResult",
        "_pagination": "Page Transcript",
        "_retry": "AsyncRetryTransport RetryPolicy RetryTransport",
        "_secrets": "Secret",
        "_session": "AsyncChatSession ChatSession",
        "_streaming": "StreamedText",
        "_validation": "DEFAULT_CONTENT_LIMITS",
        "_views": "View",
        "_ws": "AsyncEventStream EventStream",
        "_ws_protocol": "EventStreamConfig EventStreamError GapFillError StreamNotLiveError",
    }.items()
    for name in names.split()
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and keep the name here (PEP 562)."""
    if name == "__version__":  # the installed distribution's, from its metadata: the one version
        from importlib.metadata import PackageNotFoundError, version

        try:
            globals()[name] = version("connect-participant")
        except PackageNotFoundError:  # run from a source tree or a bundle without metadata
            globals()[name] = "0+unknown"
        return globals()[name]
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups are plain module attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "DEFAULT_CONTENT_LIMITS",
    "AccessDeniedError",
    "AsyncAttachmentReader",
    "AsyncChatSession",
    "AsyncEventStream",
    "AsyncParticipantClient",
    "AsyncRetryTransport",
    "Attachment",
    "AttachmentAdded",
    "AttachmentError",
    "AttachmentLimits",
    "AttachmentReader",
    "AttachmentRejectedError",
    "AttachmentScanTimeoutError",
    "AttachmentSizeMismatchError",
    "AttachmentStorageError",
    "AuthenticationCancelled",
    "AuthenticationExpired",
    "AuthenticationFailed",
    "AuthenticationInitiated",
    "AuthenticationSucceeded",
    "AuthenticationTimedOut",
    "Carousel",
    "ChatEnded",
    "ChatRehydrated",
    "ChatSession",
    "ClientClosedError",
    "ConflictError",
    "ConnectionAcknowledged",
    "DeliveredReceipt",
    "Event",
    "EventStream",
    "EventStreamConfig",
    "EventStreamError",
    "GapFillError",
    "InteractiveTemplate",
    "InternalServerError",
    "InvalidInputError",
    "InvalidResponseError",
    "Item",
    "Link",
    "ListPicker",
    "Message",
    "Option",
    "Page",
    "Panel",
    "ParticipantActive",
    "ParticipantAutoDisconnected",
    "ParticipantClient",
    "ParticipantDisplayNameUpdated",
    "ParticipantIdle",
    "ParticipantInactive",
    "ParticipantInvited",
    "ParticipantJoined",
    "ParticipantLeft",
    "ParticipantReturned",
    "ParticipantServiceError",
    "ParticipantTransportError",
    "QuickReply",
    "ReadReceipt",
    "Receipt",
    "RemovedFromChat",
    "ResourceNotFoundError",
    "RetryPolicy",
    "RetryTransport",
    "Secret",
    "SendResult",
    "ServiceQuotaExceededError",
    "StreamNotLiveError",
    "StreamedText",
    "ThrottlingError",
    "TimePicker",
    "TimeSlot",
    "Transcript",
    "TransferFailed",
    "TransferSucceeded",
    "Typing",
    "UnknownEvent",
    "UnknownTemplate",
    "ValidationError",
    "View",
    "ViewResource",
    "WorkflowCancelled",
]
