from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GetAuthenticationUrlRequest")


@_attrs_define
class GetAuthenticationUrlRequest:
    session_id: str
    """ The sessionId provided in the authenticationInitiated event. """
    redirect_uri: str
    """ The URL where the customer will be redirected after Amazon Cognito authorizes the user. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        redirect_uri = self.redirect_uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "SessionId": session_id,
                "RedirectUri": redirect_uri,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        session_id = src_dict["SessionId"]

        redirect_uri = src_dict["RedirectUri"]

        if cls is GetAuthenticationUrlRequest:
            get_authentication_url_request = _new(cls)
            get_authentication_url_request.session_id = session_id
            get_authentication_url_request.redirect_uri = redirect_uri
        else:
            get_authentication_url_request = cls(
                session_id=session_id,
                redirect_uri=redirect_uri,
            )

        get_authentication_url_request.additional_properties = (
            {} if len(src_dict) == 2 else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return get_authentication_url_request

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
    "session_id": {
        "type": "string",
        "min_length": 36,
        "max_length": 36,
    },
    "redirect_uri": {
        "type": "string",
        "min_length": 1,
        "max_length": 1024,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "SessionId",
        "RedirectUri",
    )
)
