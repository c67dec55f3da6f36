from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.chat_item_type import ChatItemType
from ..models.participant_role import ParticipantRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="Item")


@_attrs_define
class Item:
    """An item - message or event - that has been sent."""

    absolute_time: str | Unset = UNSET
    """ The time when the message or event was sent. """
    content: str | Unset = UNSET
    """ The content of the message or event. """
    content_type: str | Unset = UNSET
    """ The type of content of the item. """
    id: str | Unset = UNSET
    """ The ID of the item. """
    type_: ChatItemType | Unset = UNSET
    participant_id: str | Unset = UNSET
    """ The ID of the sender in the session. """
    display_name: str | Unset = UNSET
    """ The chat display name of the sender. """
    participant_role: ParticipantRole | Unset = UNSET
    attachments: list[AttachmentItem] | Unset = UNSET
    """ Provides information about the attachments. """
    message_metadata: MessageMetadata | Unset = UNSET
    """ Contains metadata related to a message. """
    related_contact_id: str | Unset = UNSET
    """ The contactId on which the transcript item was originally sent. This field is only populated for persistent
    chats when the transcript item is from the past chat session. For more information, see [Enable persistent
    chat](https://docs.aws.amazon.com/connect/latest/adminguide/chat-persistence.html). """
    contact_id: str | Unset = UNSET
    """ The contactId on which the transcript item was originally sent. This field is populated only when the
    transcript item is from the current chat session. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        absolute_time = self.absolute_time

        content = self.content

        content_type = self.content_type

        id = self.id

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value

        participant_id = self.participant_id

        display_name = self.display_name

        participant_role: str | Unset = UNSET
        if not isinstance(self.participant_role, Unset):
            participant_role = self.participant_role.value

        attachments: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attachments, Unset):
            attachments = []
            for attachments_item_data in self.attachments:
                attachments_item = attachments_item_data.to_dict()
                attachments.append(attachments_item)

        message_metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.message_metadata, Unset):
            message_metadata = self.message_metadata.to_dict()

        related_contact_id = self.related_contact_id

        contact_id = self.contact_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if absolute_time is not UNSET:
            field_dict["AbsoluteTime"] = absolute_time
        if content is not UNSET:
            field_dict["Content"] = content
        if content_type is not UNSET:
            field_dict["ContentType"] = content_type
        if id is not UNSET:
            field_dict["Id"] = id
        if type_ is not UNSET:
            field_dict["Type"] = type_
        if participant_id is not UNSET:
            field_dict["ParticipantId"] = participant_id
        if display_name is not UNSET:
            field_dict["DisplayName"] = display_name
        if participant_role is not UNSET:
            field_dict["ParticipantRole"] = participant_role
        if attachments is not UNSET:
            field_dict["Attachments"] = attachments
        if message_metadata is not UNSET:
            field_dict["MessageMetadata"] = message_metadata
        if related_contact_id is not UNSET:
            field_dict["RelatedContactId"] = related_contact_id
        if contact_id is not UNSET:
            field_dict["ContactId"] = contact_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        absolute_time = src_dict.get("AbsoluteTime", UNSET)

        content = src_dict.get("Content", UNSET)

        content_type = src_dict.get("ContentType", UNSET)

        id = src_dict.get("Id", UNSET)

        _type_ = src_dict.get("Type", UNSET)
        type_: ChatItemType | Unset = UNSET
        if _type_ is not UNSET:
            type_ = _CHATITEMTYPE_BY_VALUE[_type_] if _type_ in _CHATITEMTYPE_BY_VALUE else ChatItemType(_type_)

        participant_id = src_dict.get("ParticipantId", UNSET)

        display_name = src_dict.get("DisplayName", UNSET)

        _participant_role = src_dict.get("ParticipantRole", UNSET)
        participant_role: ParticipantRole | Unset = UNSET
        if _participant_role is not UNSET:
            participant_role = (
                _PARTICIPANTROLE_BY_VALUE[_participant_role]
                if _participant_role in _PARTICIPANTROLE_BY_VALUE
                else ParticipantRole(_participant_role)
            )

        _attachments = src_dict.get("Attachments", UNSET)
        attachments: list[AttachmentItem] | Unset = UNSET
        if _attachments is not UNSET:
            attachments = list(map(AttachmentItem.from_dict, _attachments))

        _message_metadata = src_dict.get("MessageMetadata", UNSET)
        message_metadata: MessageMetadata | Unset = UNSET
        if _message_metadata is not UNSET:
            message_metadata = MessageMetadata.from_dict(_message_metadata)

        related_contact_id = src_dict.get("RelatedContactId", UNSET)

        contact_id = src_dict.get("ContactId", UNSET)

        if cls is Item:
            item = _new(cls)
            item.absolute_time = absolute_time
            item.content = content
            item.content_type = content_type
            item.id = id
            item.type_ = type_
            item.participant_id = participant_id
            item.display_name = display_name
            item.participant_role = participant_role
            item.attachments = attachments
            item.message_metadata = message_metadata
            item.related_contact_id = related_contact_id
            item.contact_id = contact_id
        else:
            item = cls(
                absolute_time=absolute_time,
                content=content,
                content_type=content_type,
                id=id,
                type_=type_,
                participant_id=participant_id,
                display_name=display_name,
                participant_role=participant_role,
                attachments=attachments,
                message_metadata=message_metadata,
                related_contact_id=related_contact_id,
                contact_id=contact_id,
            )

        item.additional_properties = (
            {} if _KNOWN_KEYS.issuperset(src_dict) else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return item

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


#: The spec's bounds of each member, by attribute name (the facade checks requests against them).
CONSTRAINTS: Final[dict[str, dict[str, Any]]] = {
    "absolute_time": {
        "type": "string",
        "min_length": 1,
        "max_length": 100,
    },
    "content": {
        "type": "string",
        "min_length": 1,
        "max_length": 16384,
    },
    "content_type": {
        "type": "string",
        "min_length": 1,
        "max_length": 100,
    },
    "id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "type_": {
        "type": "string",
        "enum": [
            "TYPING",
            "PARTICIPANT_JOINED",
            "PARTICIPANT_LEFT",
            "CHAT_ENDED",
            "TRANSFER_SUCCEEDED",
            "TRANSFER_FAILED",
            "MESSAGE",
            "EVENT",
            "ATTACHMENT",
            "CONNECTION_ACK",
            "MESSAGE_DELIVERED",
            "MESSAGE_READ",
        ],
    },
    "participant_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "display_name": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "participant_role": {
        "type": "string",
        "enum": ["AGENT", "CUSTOMER", "SYSTEM", "CUSTOM_BOT", "SUPERVISOR"],
    },
    "attachments": {
        "type": "array",
        "items": {
            "type": "object",
        },
    },
    "message_metadata": {
        "type": "object",
    },
    "related_contact_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "contact_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "AbsoluteTime",
        "Content",
        "ContentType",
        "Id",
        "Type",
        "ParticipantId",
        "DisplayName",
        "ParticipantRole",
        "Attachments",
        "MessageMetadata",
        "RelatedContactId",
        "ContactId",
    )
)
_CHATITEMTYPE_BY_VALUE: Final[dict[object, ChatItemType]] = {member.value: member for member in ChatItemType}
_PARTICIPANTROLE_BY_VALUE: Final[dict[object, ParticipantRole]] = {member.value: member for member in ParticipantRole}

from ..models.attachment_item import AttachmentItem  # noqa: E402
from ..models.message_metadata import MessageMetadata  # noqa: E402
