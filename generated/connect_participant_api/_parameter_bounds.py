"""Per operation, from the spec: the bounds of its header and path parameters, and the model of its answer (written by scripts/parameter_bounds.py)."""

from typing import Any, Final

PARAMETER_BOUNDS: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "cancel_participant_authentication": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "complete_attachment_upload": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "create_participant_connection": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "describe_view": {
        "view_token": {"in": "path", "name": "ViewToken", "type": "string", "min_length": 1, "max_length": 1000},
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000},
    },
    "disconnect_participant": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "get_attachment": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "get_authentication_url": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "get_transcript": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "send_event": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "send_message": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
    "start_attachment_upload": {
        "x_amz_bearer": {"in": "header", "name": "X-Amz-Bearer", "type": "string", "min_length": 1, "max_length": 1000}
    },
}

RESPONSE_MODELS: Final[dict[str, str | None]] = {
    "cancel_participant_authentication": "CancelParticipantAuthenticationResponse",
    "complete_attachment_upload": "CompleteAttachmentUploadResponse",
    "create_participant_connection": "CreateParticipantConnectionResponse",
    "describe_view": "DescribeViewResponse",
    "disconnect_participant": "DisconnectParticipantResponse",
    "get_attachment": "GetAttachmentResponse",
    "get_authentication_url": "GetAuthenticationUrlResponse",
    "get_transcript": "GetTranscriptResponse",
    "send_event": "SendEventResponse",
    "send_message": "SendMessageResponse",
    "start_attachment_upload": "StartAttachmentUploadResponse",
}
