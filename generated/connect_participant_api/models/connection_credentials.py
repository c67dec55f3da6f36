from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectionCredentials")


@_attrs_define
class ConnectionCredentials:
    """Connection credentials."""

    connection_token: str | Unset = UNSET
    """ The connection token. """
    expiry: str | Unset = UNSET
    """ The expiration of the token. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        connection_token = self.connection_token

        expiry = self.expiry

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if connection_token is not UNSET:
            field_dict["ConnectionToken"] = connection_token
        if expiry is not UNSET:
            field_dict["Expiry"] = expiry

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        connection_token = src_dict.get("ConnectionToken", UNSET)

        expiry = src_dict.get("Expiry", UNSET)

        if cls is ConnectionCredentials:
            connection_credentials = _new(cls)
            connection_credentials.connection_token = connection_token
            connection_credentials.expiry = expiry
        else:
            connection_credentials = cls(
                connection_token=connection_token,
                expiry=expiry,
            )

        connection_credentials.additional_properties = (
            {}
            if len(src_dict) == (connection_token is not UNSET) + (expiry is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return connection_credentials

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
    "connection_token": {
        "type": "string",
        "min_length": 1,
        "max_length": 1000,
    },
    "expiry": {
        "type": "string",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "ConnectionToken",
        "Expiry",
    )
)
