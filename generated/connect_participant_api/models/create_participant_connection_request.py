from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.connection_type import ConnectionType
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateParticipantConnectionRequest")


@_attrs_define
class CreateParticipantConnectionRequest:
    type_: list[ConnectionType] | Unset = UNSET
    """ Type of connection information required. If you need `CONNECTION_CREDENTIALS` along with marking participant
    as connected, pass `CONNECTION_CREDENTIALS` in `Type`. """
    connect_participant: bool | Unset = UNSET
    """ Amazon Connect Participant is used to mark the participant as connected for customer participant in message
    streaming, as well as for agent or manager participant in non-streaming chats. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_: list[str] | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = []
            for type_item_data in self.type_:
                type_item = type_item_data.value
                type_.append(type_item)

        connect_participant = self.connect_participant

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["Type"] = type_
        if connect_participant is not UNSET:
            field_dict["ConnectParticipant"] = connect_participant

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _type_ = src_dict.get("Type", UNSET)
        type_: list[ConnectionType] | Unset = UNSET
        if _type_ is not UNSET:
            type_ = [
                _CONNECTIONTYPE_BY_VALUE[_item] if _item in _CONNECTIONTYPE_BY_VALUE else ConnectionType(_item)
                for _item in _type_
            ]

        connect_participant = src_dict.get("ConnectParticipant", UNSET)

        if cls is CreateParticipantConnectionRequest:
            create_participant_connection_request = _new(cls)
            create_participant_connection_request.type_ = type_
            create_participant_connection_request.connect_participant = connect_participant
        else:
            create_participant_connection_request = cls(
                type_=type_,
                connect_participant=connect_participant,
            )

        create_participant_connection_request.additional_properties = (
            {}
            if len(src_dict) == (_type_ is not UNSET) + (connect_participant is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return create_participant_connection_request

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
    "type_": {
        "type": "array",
        "min_items": 1,
        "items": {
            "type": "string",
            "enum": ["WEBSOCKET", "CONNECTION_CREDENTIALS", "WEBRTC_CONNECTION"],
        },
    },
    "connect_participant": {
        "type": "boolean",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Type",
        "ConnectParticipant",
    )
)
_CONNECTIONTYPE_BY_VALUE: Final[dict[object, ConnectionType]] = {member.value: member for member in ConnectionType}
