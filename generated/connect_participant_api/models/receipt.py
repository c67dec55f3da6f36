from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Receipt")


@_attrs_define
class Receipt:
    """The receipt for the message delivered to the recipient."""

    delivered_timestamp: str | Unset = UNSET
    """ The time when the message was delivered to the recipient. """
    read_timestamp: str | Unset = UNSET
    """ The time when the message was read by the recipient. """
    recipient_participant_id: str | Unset = UNSET
    """ The identifier of the recipient of the message. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        delivered_timestamp = self.delivered_timestamp

        read_timestamp = self.read_timestamp

        recipient_participant_id = self.recipient_participant_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if delivered_timestamp is not UNSET:
            field_dict["DeliveredTimestamp"] = delivered_timestamp
        if read_timestamp is not UNSET:
            field_dict["ReadTimestamp"] = read_timestamp
        if recipient_participant_id is not UNSET:
            field_dict["RecipientParticipantId"] = recipient_participant_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        delivered_timestamp = src_dict.get("DeliveredTimestamp", UNSET)

        read_timestamp = src_dict.get("ReadTimestamp", UNSET)

        recipient_participant_id = src_dict.get("RecipientParticipantId", UNSET)

        if cls is Receipt:
            receipt = _new(cls)
            receipt.delivered_timestamp = delivered_timestamp
            receipt.read_timestamp = read_timestamp
            receipt.recipient_participant_id = recipient_participant_id
        else:
            receipt = cls(
                delivered_timestamp=delivered_timestamp,
                read_timestamp=read_timestamp,
                recipient_participant_id=recipient_participant_id,
            )

        receipt.additional_properties = (
            {}
            if len(src_dict)
            == (delivered_timestamp is not UNSET)
            + (read_timestamp is not UNSET)
            + (recipient_participant_id is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return receipt

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
    "delivered_timestamp": {
        "type": "string",
        "min_length": 1,
        "max_length": 100,
    },
    "read_timestamp": {
        "type": "string",
        "min_length": 1,
        "max_length": 100,
    },
    "recipient_participant_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "DeliveredTimestamp",
        "ReadTimestamp",
        "RecipientParticipantId",
    )
)
