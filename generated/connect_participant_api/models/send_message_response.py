from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message_processing_metadata import MessageProcessingMetadata


T = TypeVar("T", bound="SendMessageResponse")


@_attrs_define
class SendMessageResponse:
    id: str | Unset = UNSET
    """ The ID of the message. """
    absolute_time: str | Unset = UNSET
    """ The time when the message was sent. """
    message_metadata: MessageProcessingMetadata | Unset = UNSET
    """ Contains metadata for chat messages. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        absolute_time = self.absolute_time

        message_metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.message_metadata, Unset):
            message_metadata = self.message_metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id
        if absolute_time is not UNSET:
            field_dict["AbsoluteTime"] = absolute_time
        if message_metadata is not UNSET:
            field_dict["MessageMetadata"] = message_metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_processing_metadata import MessageProcessingMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("Id", UNSET)

        absolute_time = d.pop("AbsoluteTime", UNSET)

        _message_metadata = d.pop("MessageMetadata", UNSET)
        message_metadata: MessageProcessingMetadata | Unset
        if isinstance(_message_metadata, Unset):
            message_metadata = UNSET
        else:
            message_metadata = MessageProcessingMetadata.from_dict(_message_metadata)

        send_message_response = cls(
            id=id,
            absolute_time=absolute_time,
            message_metadata=message_metadata,
        )

        send_message_response.additional_properties = d
        return send_message_response

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
