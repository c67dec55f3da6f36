from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SendEventResponse")


@_attrs_define
class SendEventResponse:
    id: str | Unset = UNSET
    """ The ID of the response. """
    absolute_time: str | Unset = UNSET
    """ The time when the event was sent. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        absolute_time = self.absolute_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id
        if absolute_time is not UNSET:
            field_dict["AbsoluteTime"] = absolute_time

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        id = src_dict.get("Id", UNSET)

        absolute_time = src_dict.get("AbsoluteTime", UNSET)

        if cls is SendEventResponse:
            send_event_response = _new(cls)
            send_event_response.id = id
            send_event_response.absolute_time = absolute_time
        else:
            send_event_response = cls(
                id=id,
                absolute_time=absolute_time,
            )

        send_event_response.additional_properties = (
            {}
            if len(src_dict) == (id is not UNSET) + (absolute_time is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return send_event_response

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
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Id",
        "AbsoluteTime",
    )
)
