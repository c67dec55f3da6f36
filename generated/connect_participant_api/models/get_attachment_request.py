from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GetAttachmentRequest")


@_attrs_define
class GetAttachmentRequest:
    attachment_id: str
    """ A unique identifier for the attachment. """
    url_expiry_in_seconds: int | Unset = UNSET
    """ The expiration time of the URL in ISO timestamp. It's specified in ISO 8601 format: yyyy-MM-
    ddThh:mm:ss.SSSZ. For example, 2019-11-08T02:41:28.172Z. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attachment_id = self.attachment_id

        url_expiry_in_seconds = self.url_expiry_in_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "AttachmentId": attachment_id,
            }
        )
        if url_expiry_in_seconds is not UNSET:
            field_dict["UrlExpiryInSeconds"] = url_expiry_in_seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        attachment_id = src_dict["AttachmentId"]

        url_expiry_in_seconds = src_dict.get("UrlExpiryInSeconds", UNSET)

        if cls is GetAttachmentRequest:
            get_attachment_request = _new(cls)
            get_attachment_request.attachment_id = attachment_id
            get_attachment_request.url_expiry_in_seconds = url_expiry_in_seconds
        else:
            get_attachment_request = cls(
                attachment_id=attachment_id,
                url_expiry_in_seconds=url_expiry_in_seconds,
            )

        get_attachment_request.additional_properties = (
            {}
            if len(src_dict) == 1 + (url_expiry_in_seconds is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return get_attachment_request

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
    "attachment_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "url_expiry_in_seconds": {
        "type": "integer",
        "minimum": 5,
        "maximum": 300,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "AttachmentId",
        "UrlExpiryInSeconds",
    )
)
