from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.message_processing_status import MessageProcessingStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.receipt import Receipt


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
        from ..models.receipt import Receipt  # noqa: PLC0415

        d = dict(src_dict)
        message_id = d.pop("MessageId", UNSET)

        _receipts = d.pop("Receipts", UNSET)
        receipts: list[Receipt] | Unset = UNSET
        if _receipts is not UNSET:
            receipts = []
            for receipts_item_data in _receipts:
                receipts_item = Receipt.from_dict(receipts_item_data)

                receipts.append(receipts_item)

        _message_processing_status = d.pop("MessageProcessingStatus", UNSET)
        message_processing_status: MessageProcessingStatus | Unset
        if isinstance(_message_processing_status, Unset):
            message_processing_status = UNSET
        else:
            message_processing_status = MessageProcessingStatus(_message_processing_status)

        message_metadata = cls(
            message_id=message_id,
            receipts=receipts,
            message_processing_status=message_processing_status,
        )

        message_metadata.additional_properties = d
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
