from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_processing_status import MessageProcessingStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="MessageProcessingMetadata")


@_attrs_define
class MessageProcessingMetadata:
    """Contains metadata for chat messages."""

    message_processing_status: MessageProcessingStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message_processing_status: str | Unset = UNSET
        if not isinstance(self.message_processing_status, Unset):
            message_processing_status = self.message_processing_status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message_processing_status is not UNSET:
            field_dict["MessageProcessingStatus"] = message_processing_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _message_processing_status = d.pop("MessageProcessingStatus", UNSET)
        message_processing_status: MessageProcessingStatus | Unset
        if isinstance(_message_processing_status, Unset):
            message_processing_status = UNSET
        else:
            message_processing_status = MessageProcessingStatus(_message_processing_status)

        message_processing_metadata = cls(
            message_processing_status=message_processing_status,
        )

        message_processing_metadata.additional_properties = d
        return message_processing_metadata

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
