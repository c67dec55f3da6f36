from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DisconnectParticipantRequest")


@_attrs_define
class DisconnectParticipantRequest:
    client_token: str | Unset = UNSET
    """ A unique, case-sensitive identifier that you provide to ensure the idempotency of the request. If not
    provided, the Amazon Web Services SDK populates this field. For more information about idempotency, see [Making
    retries safe with idempotent APIs](https://aws.amazon.com/builders-library/making-retries-safe-with-idempotent-
    APIs/). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_token = self.client_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if client_token is not UNSET:
            field_dict["ClientToken"] = client_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        client_token = src_dict.get("ClientToken", UNSET)

        if cls is DisconnectParticipantRequest:
            disconnect_participant_request = _new(cls)
            disconnect_participant_request.client_token = client_token
        else:
            disconnect_participant_request = cls(
                client_token=client_token,
            )

        disconnect_participant_request.additional_properties = (
            {}
            if len(src_dict) == (client_token is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return disconnect_participant_request

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
    "client_token": {
        "type": "string",
        "max_length": 500,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(("ClientToken",))
