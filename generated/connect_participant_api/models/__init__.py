"""Contains all the data models used in inputs/outputs (each imported on first use)"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .access_denied_exception import AccessDeniedException
    from .artifact_status import ArtifactStatus
    from .attachment_item import AttachmentItem
    from .attendee import Attendee
    from .audio_features import AudioFeatures
    from .cancel_participant_authentication_request import CancelParticipantAuthenticationRequest
    from .cancel_participant_authentication_response import CancelParticipantAuthenticationResponse
    from .chat_item_type import ChatItemType
    from .complete_attachment_upload_request import CompleteAttachmentUploadRequest
    from .complete_attachment_upload_response import CompleteAttachmentUploadResponse
    from .conflict_exception import ConflictException
    from .connection_credentials import ConnectionCredentials
    from .connection_type import ConnectionType
    from .create_participant_connection_request import CreateParticipantConnectionRequest
    from .create_participant_connection_response import CreateParticipantConnectionResponse
    from .describe_view_response import DescribeViewResponse
    from .disconnect_participant_request import DisconnectParticipantRequest
    from .disconnect_participant_response import DisconnectParticipantResponse
    from .get_attachment_request import GetAttachmentRequest
    from .get_attachment_response import GetAttachmentResponse
    from .get_authentication_url_request import GetAuthenticationUrlRequest
    from .get_authentication_url_response import GetAuthenticationUrlResponse
    from .get_transcript_request import GetTranscriptRequest
    from .get_transcript_response import GetTranscriptResponse
    from .internal_server_exception import InternalServerException
    from .item import Item
    from .meeting_feature_status import MeetingFeatureStatus
    from .meeting_features_configuration import MeetingFeaturesConfiguration
    from .message_metadata import MessageMetadata
    from .message_processing_metadata import MessageProcessingMetadata
    from .message_processing_status import MessageProcessingStatus
    from .participant_role import ParticipantRole
    from .receipt import Receipt
    from .resource_not_found_exception import ResourceNotFoundException
    from .resource_type import ResourceType
    from .scan_direction import ScanDirection
    from .send_event_request import SendEventRequest
    from .send_event_response import SendEventResponse
    from .send_message_request import SendMessageRequest
    from .send_message_response import SendMessageResponse
    from .service_quota_exceeded_exception import ServiceQuotaExceededException
    from .sort_key import SortKey
    from .start_attachment_upload_request import StartAttachmentUploadRequest
    from .start_attachment_upload_response import StartAttachmentUploadResponse
    from .start_position import StartPosition
    from .throttling_exception import ThrottlingException
    from .upload_metadata import UploadMetadata
    from .upload_metadata_headers_to_include import UploadMetadataHeadersToInclude
    from .validation_exception import ValidationException
    from .view import View
    from .view_content import ViewContent
    from .web_rtc_connection import WebRTCConnection
    from .web_rtc_media_placement import WebRTCMediaPlacement
    from .web_rtc_meeting import WebRTCMeeting
    from .websocket import Websocket

_MODULES: dict[str, str] = {
    "AccessDeniedException": ".access_denied_exception",
    "ArtifactStatus": ".artifact_status",
    "AttachmentItem": ".attachment_item",
    "Attendee": ".attendee",
    "AudioFeatures": ".audio_features",
    "CancelParticipantAuthenticationRequest": ".cancel_participant_authentication_request",
    "CancelParticipantAuthenticationResponse": ".cancel_participant_authentication_response",
    "ChatItemType": ".chat_item_type",
    "CompleteAttachmentUploadRequest": ".complete_attachment_upload_request",
    "CompleteAttachmentUploadResponse": ".complete_attachment_upload_response",
    "ConflictException": ".conflict_exception",
    "ConnectionCredentials": ".connection_credentials",
    "ConnectionType": ".connection_type",
    "CreateParticipantConnectionRequest": ".create_participant_connection_request",
    "CreateParticipantConnectionResponse": ".create_participant_connection_response",
    "DescribeViewResponse": ".describe_view_response",
    "DisconnectParticipantRequest": ".disconnect_participant_request",
    "DisconnectParticipantResponse": ".disconnect_participant_response",
    "GetAttachmentRequest": ".get_attachment_request",
    "GetAttachmentResponse": ".get_attachment_response",
    "GetAuthenticationUrlRequest": ".get_authentication_url_request",
    "GetAuthenticationUrlResponse": ".get_authentication_url_response",
    "GetTranscriptRequest": ".get_transcript_request",
    "GetTranscriptResponse": ".get_transcript_response",
    "InternalServerException": ".internal_server_exception",
    "Item": ".item",
    "MeetingFeatureStatus": ".meeting_feature_status",
    "MeetingFeaturesConfiguration": ".meeting_features_configuration",
    "MessageMetadata": ".message_metadata",
    "MessageProcessingMetadata": ".message_processing_metadata",
    "MessageProcessingStatus": ".message_processing_status",
    "ParticipantRole": ".participant_role",
    "Receipt": ".receipt",
    "ResourceNotFoundException": ".resource_not_found_exception",
    "ResourceType": ".resource_type",
    "ScanDirection": ".scan_direction",
    "SendEventRequest": ".send_event_request",
    "SendEventResponse": ".send_event_response",
    "SendMessageRequest": ".send_message_request",
    "SendMessageResponse": ".send_message_response",
    "ServiceQuotaExceededException": ".service_quota_exceeded_exception",
    "SortKey": ".sort_key",
    "StartAttachmentUploadRequest": ".start_attachment_upload_request",
    "StartAttachmentUploadResponse": ".start_attachment_upload_response",
    "StartPosition": ".start_position",
    "ThrottlingException": ".throttling_exception",
    "UploadMetadata": ".upload_metadata",
    "UploadMetadataHeadersToInclude": ".upload_metadata_headers_to_include",
    "ValidationException": ".validation_exception",
    "View": ".view",
    "ViewContent": ".view_content",
    "WebRTCConnection": ".web_rtc_connection",
    "WebRTCMediaPlacement": ".web_rtc_media_placement",
    "WebRTCMeeting": ".web_rtc_meeting",
    "Websocket": ".websocket",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = (
    "AccessDeniedException",
    "ArtifactStatus",
    "AttachmentItem",
    "Attendee",
    "AudioFeatures",
    "CancelParticipantAuthenticationRequest",
    "CancelParticipantAuthenticationResponse",
    "ChatItemType",
    "CompleteAttachmentUploadRequest",
    "CompleteAttachmentUploadResponse",
    "ConflictException",
    "ConnectionCredentials",
    "ConnectionType",
    "CreateParticipantConnectionRequest",
    "CreateParticipantConnectionResponse",
    "DescribeViewResponse",
    "DisconnectParticipantRequest",
    "DisconnectParticipantResponse",
    "GetAttachmentRequest",
    "GetAttachmentResponse",
    "GetAuthenticationUrlRequest",
    "GetAuthenticationUrlResponse",
    "GetTranscriptRequest",
    "GetTranscriptResponse",
    "InternalServerException",
    "Item",
    "MeetingFeaturesConfiguration",
    "MeetingFeatureStatus",
    "MessageMetadata",
    "MessageProcessingMetadata",
    "MessageProcessingStatus",
    "ParticipantRole",
    "Receipt",
    "ResourceNotFoundException",
    "ResourceType",
    "ScanDirection",
    "SendEventRequest",
    "SendEventResponse",
    "SendMessageRequest",
    "SendMessageResponse",
    "ServiceQuotaExceededException",
    "SortKey",
    "StartAttachmentUploadRequest",
    "StartAttachmentUploadResponse",
    "StartPosition",
    "ThrottlingException",
    "UploadMetadata",
    "UploadMetadataHeadersToInclude",
    "ValidationException",
    "View",
    "ViewContent",
    "WebRTCConnection",
    "WebRTCMediaPlacement",
    "WebRTCMeeting",
    "Websocket",
)
