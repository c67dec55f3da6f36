from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.chat_item_type import ChatItemType
from ..models.participant_role import ParticipantRole
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attachment_item import AttachmentItem
    from ..models.message_metadata import MessageMetadata


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
        from ..models.attachment_item import AttachmentItem  # noqa: PLC0415
        from ..models.message_metadata import MessageMetadata  # noqa: PLC0415

        d = dict(src_dict)
        absolute_time = d.pop("AbsoluteTime", UNSET)

        content = d.pop("Content", UNSET)

        content_type = d.pop("ContentType", UNSET)

        id = d.pop("Id", UNSET)

        _type_ = d.pop("Type", UNSET)
        type_: ChatItemType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = ChatItemType(_type_)

        participant_id = d.pop("ParticipantId", UNSET)

        display_name = d.pop("DisplayName", UNSET)

        _participant_role = d.pop("ParticipantRole", UNSET)
        participant_role: ParticipantRole | Unset
        if isinstance(_participant_role, Unset):
            participant_role = UNSET
        else:
            participant_role = ParticipantRole(_participant_role)

        _attachments = d.pop("Attachments", UNSET)
        attachments: list[AttachmentItem] | Unset = UNSET
        if _attachments is not UNSET:
            attachments = []
            for attachments_item_data in _attachments:
                attachments_item = AttachmentItem.from_dict(attachments_item_data)

                attachments.append(attachments_item)

        _message_metadata = d.pop("MessageMetadata", UNSET)
        message_metadata: MessageMetadata | Unset
        if isinstance(_message_metadata, Unset):
            message_metadata = UNSET
        else:
            message_metadata = MessageMetadata.from_dict(_message_metadata)

        related_contact_id = d.pop("RelatedContactId", UNSET)

        contact_id = d.pop("ContactId", UNSET)

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

        item.additional_properties = d
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
