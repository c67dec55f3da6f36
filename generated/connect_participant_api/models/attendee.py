from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Attendee")


@_attrs_define
class Attendee:
    """The attendee information, including attendee ID and join token."""

    attendee_id: str | Unset = UNSET
    """ The Amazon Chime SDK attendee ID. """
    join_token: str | Unset = UNSET
    """ The join token used by the Amazon Chime SDK attendee. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attendee_id = self.attendee_id

        join_token = self.join_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if attendee_id is not UNSET:
            field_dict["AttendeeId"] = attendee_id
        if join_token is not UNSET:
            field_dict["JoinToken"] = join_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        attendee_id = src_dict.get("AttendeeId", UNSET)

        join_token = src_dict.get("JoinToken", UNSET)

        if cls is Attendee:
            attendee = _new(cls)
            attendee.attendee_id = attendee_id
            attendee.join_token = join_token
        else:
            attendee = cls(
                attendee_id=attendee_id,
                join_token=join_token,
            )

        attendee.additional_properties = (
            {}
            if len(src_dict) == (attendee_id is not UNSET) + (join_token is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return attendee

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
    "attendee_id": {
        "type": "string",
    },
    "join_token": {
        "type": "string",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "AttendeeId",
        "JoinToken",
    )
)
