from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

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
        _message_processing_status = src_dict.get("MessageProcessingStatus", UNSET)
        message_processing_status: MessageProcessingStatus | Unset = UNSET
        if _message_processing_status is not UNSET:
            message_processing_status = (
                _MESSAGEPROCESSINGSTATUS_BY_VALUE[_message_processing_status]
                if _message_processing_status in _MESSAGEPROCESSINGSTATUS_BY_VALUE
                else MessageProcessingStatus(_message_processing_status)
            )

        if cls is MessageProcessingMetadata:
            message_processing_metadata = _new(cls)
            message_processing_metadata.message_processing_status = message_processing_status
        else:
            message_processing_metadata = cls(
                message_processing_status=message_processing_status,
            )

        message_processing_metadata.additional_properties = (
            {}
            if len(src_dict) == (_message_processing_status is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
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


#: The spec's bounds of each member, by attribute name (the facade checks requests against them).
CONSTRAINTS: Final[dict[str, dict[str, Any]]] = {
    "message_processing_status": {
        "type": "string",
        "enum": ["PROCESSING", "FAILED", "REJECTED"],
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(("MessageProcessingStatus",))
_MESSAGEPROCESSINGSTATUS_BY_VALUE: Final[dict[object, MessageProcessingStatus]] = {
    member.value: member for member in MessageProcessingStatus
}
