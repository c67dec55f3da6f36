"""connect_participant — a typed, sync and async client for the Amazon Connect Participant Service.

```python
from connect_participant import ParticipantClient

with ParticipantClient(region="us-east-1") as client, client.connect(participant_token) as chat:
    chat.send_message("hi")
    for item in chat.transcript():
        print(item.participant_role, item.content)
```
"""

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
    ConflictError,
    InternalServerError,
    InvalidInputError,
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
    TransferFailed,
    TransferSucceeded,
    Typing,
    UnknownEvent,
    WorkflowCancelled,
)
from ._models import Attachment, Item, Receipt, SendResult
from ._pagination import Page, Transcript
from ._retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from ._secrets import Secret, install_log_redaction
from ._session import AsyncChatSession, ChatSession
from ._validation import DEFAULT_CONTENT_LIMITS
from ._views import View
from ._ws import AsyncEventStream, EventStream
from ._ws_protocol import EventStreamConfig

install_log_redaction()

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
    "ChatEnded",
    "ChatRehydrated",
    "ChatSession",
    "ConflictError",
    "DeliveredReceipt",
    "Event",
    "EventStream",
    "EventStreamConfig",
    "InternalServerError",
    "InvalidInputError",
    "Item",
    "Message",
    "Page",
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
    "ReadReceipt",
    "Receipt",
    "ResourceNotFoundError",
    "RetryPolicy",
    "RetryTransport",
    "Secret",
    "SendResult",
    "ServiceQuotaExceededError",
    "ThrottlingError",
    "Transcript",
    "TransferFailed",
    "TransferSucceeded",
    "Typing",
    "UnknownEvent",
    "ValidationError",
    "View",
    "WorkflowCancelled",
]
