from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GetAuthenticationUrlResponse")


@_attrs_define
class GetAuthenticationUrlResponse:
    authentication_url: str | Unset = UNSET
    """ The URL where the customer will sign in to the identity provider. This URL contains the authorize endpoint
    for the Cognito UserPool used in the authentication. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authentication_url = self.authentication_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if authentication_url is not UNSET:
            field_dict["AuthenticationUrl"] = authentication_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        authentication_url = src_dict.get("AuthenticationUrl", UNSET)

        if cls is GetAuthenticationUrlResponse:
            get_authentication_url_response = _new(cls)
            get_authentication_url_response.authentication_url = authentication_url
        else:
            get_authentication_url_response = cls(
                authentication_url=authentication_url,
            )

        get_authentication_url_response.additional_properties = (
            {}
            if len(src_dict) == (authentication_url is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return get_authentication_url_response

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
    "authentication_url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2083,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(("AuthenticationUrl",))
