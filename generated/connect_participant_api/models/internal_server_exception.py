from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="InternalServerException")


@_attrs_define
class InternalServerException:
    """This exception occurs when there is an internal failure in the Amazon Connect service."""

    message: str | Unset = UNSET
    """ The error message (AWS sends this spelling). """
    Message: str | Unset = UNSET
    """ The error message (the service model's spelling). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        Message = self.Message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message is not UNSET:
            field_dict["message"] = message
        if Message is not UNSET:
            field_dict["Message"] = Message

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        message = src_dict.get("message", UNSET)

        Message = src_dict.get("Message", UNSET)

        if cls is InternalServerException:
            internal_server_exception = _new(cls)
            internal_server_exception.message = message
            internal_server_exception.Message = Message
        else:
            internal_server_exception = cls(
                message=message,
                Message=Message,
            )

        internal_server_exception.additional_properties = (
            {}
            if len(src_dict) == (message is not UNSET) + (Message is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return internal_server_exception

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
    "message": {
        "type": "string",
    },
    "Message": {
        "type": "string",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "message",
        "Message",
    )
)
