from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Websocket")


@_attrs_define
class Websocket:
    """The websocket for the participant's connection."""

    url: str | Unset = UNSET
    """ The URL of the websocket. """
    connection_expiry: str | Unset = UNSET
    """ The URL expiration timestamp in ISO date format. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        connection_expiry = self.connection_expiry

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if url is not UNSET:
            field_dict["Url"] = url
        if connection_expiry is not UNSET:
            field_dict["ConnectionExpiry"] = connection_expiry

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        url = src_dict.get("Url", UNSET)

        connection_expiry = src_dict.get("ConnectionExpiry", UNSET)

        if cls is Websocket:
            websocket = _new(cls)
            websocket.url = url
            websocket.connection_expiry = connection_expiry
        else:
            websocket = cls(
                url=url,
                connection_expiry=connection_expiry,
            )

        websocket.additional_properties = (
            {}
            if len(src_dict) == (url is not UNSET) + (connection_expiry is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return websocket

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
    "url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2000,
    },
    "connection_expiry": {
        "type": "string",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Url",
        "ConnectionExpiry",
    )
)
