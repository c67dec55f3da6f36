from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

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
        id = src_dict.get("Id", UNSET)

        absolute_time = src_dict.get("AbsoluteTime", UNSET)

        _message_metadata = src_dict.get("MessageMetadata", UNSET)
        message_metadata: MessageProcessingMetadata | Unset = UNSET
        if _message_metadata is not UNSET:
            message_metadata = MessageProcessingMetadata.from_dict(_message_metadata)

        if cls is SendMessageResponse:
            send_message_response = _new(cls)
            send_message_response.id = id
            send_message_response.absolute_time = absolute_time
            send_message_response.message_metadata = message_metadata
        else:
            send_message_response = cls(
                id=id,
                absolute_time=absolute_time,
                message_metadata=message_metadata,
            )

        send_message_response.additional_properties = (
            {}
            if len(src_dict) == (id is not UNSET) + (absolute_time is not UNSET) + (_message_metadata is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
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


#: The spec's bounds of each member, by attribute name (the facade checks requests against them).
CONSTRAINTS: Final[dict[str, dict[str, Any]]] = {
    "id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "absolute_time": {
        "type": "string",
        "min_length": 1,
        "max_length": 100,
    },
    "message_metadata": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Id",
        "AbsoluteTime",
        "MessageMetadata",
    )
)

from ..models.message_processing_metadata import MessageProcessingMetadata  # noqa: E402
