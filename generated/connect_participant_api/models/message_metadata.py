from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_processing_status import MessageProcessingStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="MessageMetadata")


@_attrs_define
class MessageMetadata:
    """Contains metadata related to a message."""

    message_id: str | Unset = UNSET
    """ The identifier of the message that contains the metadata information. """
    receipts: list[Receipt] | Unset = UNSET
    """ The list of receipt information for a message for different recipients. """
    message_processing_status: MessageProcessingStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message_id = self.message_id

        receipts: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.receipts, Unset):
            receipts = []
            for receipts_item_data in self.receipts:
                receipts_item = receipts_item_data.to_dict()
                receipts.append(receipts_item)

        message_processing_status: str | Unset = UNSET
        if not isinstance(self.message_processing_status, Unset):
            message_processing_status = self.message_processing_status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message_id is not UNSET:
            field_dict["MessageId"] = message_id
        if receipts is not UNSET:
            field_dict["Receipts"] = receipts
        if message_processing_status is not UNSET:
            field_dict["MessageProcessingStatus"] = message_processing_status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        message_id = src_dict.get("MessageId", UNSET)

        _receipts = src_dict.get("Receipts", UNSET)
        receipts: list[Receipt] | Unset = UNSET
        if _receipts is not UNSET:
            _receipts_list_: list[Receipt] = []
            for _receipts_entry_ in _receipts:
                _m1_ = _receipts_entry_.get("DeliveredTimestamp", UNSET)
                _m2_ = _receipts_entry_.get("ReadTimestamp", UNSET)
                _m3_ = _receipts_entry_.get("RecipientParticipantId", UNSET)
                if len(_receipts_entry_) == (_m1_ is not UNSET) + (_m2_ is not UNSET) + (_m3_ is not UNSET):
                    _receipts_made_ = _new(Receipt)
                    _receipts_made_.delivered_timestamp = _m1_
                    _receipts_made_.read_timestamp = _m2_
                    _receipts_made_.recipient_participant_id = _m3_
                    _receipts_made_.additional_properties = {}
                else:
                    _receipts_made_ = Receipt.from_dict(_receipts_entry_)
                _receipts_list_.append(_receipts_made_)
            receipts = _receipts_list_

        _message_processing_status = src_dict.get("MessageProcessingStatus", UNSET)
        message_processing_status: MessageProcessingStatus | Unset = UNSET
        if _message_processing_status is not UNSET:
            message_processing_status = (
                _MESSAGEPROCESSINGSTATUS_BY_VALUE[_message_processing_status]
                if _message_processing_status in _MESSAGEPROCESSINGSTATUS_BY_VALUE
                else MessageProcessingStatus(_message_processing_status)
            )

        if cls is MessageMetadata:
            message_metadata = _new(cls)
            message_metadata.message_id = message_id
            message_metadata.receipts = receipts
            message_metadata.message_processing_status = message_processing_status
        else:
            message_metadata = cls(
                message_id=message_id,
                receipts=receipts,
                message_processing_status=message_processing_status,
            )

        message_metadata.additional_properties = (
            {}
            if len(src_dict)
            == (message_id is not UNSET) + (_receipts is not UNSET) + (_message_processing_status is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return message_metadata

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
    "message_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "receipts": {
        "type": "array",
        "items": {
            "type": "object",
        },
    },
    "message_processing_status": {
        "type": "string",
        "enum": ["PROCESSING", "FAILED", "REJECTED"],
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "MessageId",
        "Receipts",
        "MessageProcessingStatus",
    )
)
_MESSAGEPROCESSINGSTATUS_BY_VALUE: Final[dict[object, MessageProcessingStatus]] = {
    member.value: member for member in MessageProcessingStatus
}

from ..models.receipt import Receipt  # noqa: E402
