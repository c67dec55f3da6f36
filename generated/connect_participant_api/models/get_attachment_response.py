from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GetAttachmentResponse")


@_attrs_define
class GetAttachmentResponse:
    attachment_size_in_bytes: int
    """ The size of the attachment in bytes. """
    url: str | Unset = UNSET
    """ This is the pre-signed URL that can be used for uploading the file to Amazon S3 when used in response to
    [StartAttachmentUpload](https://docs.aws.amazon.com/connect-
    participant/latest/APIReference/API_StartAttachmentUpload.html). """
    url_expiry: str | Unset = UNSET
    """ The expiration time of the URL in ISO timestamp. It's specified in ISO 8601 format: yyyy-MM-
    ddThh:mm:ss.SSSZ. For example, 2019-11-08T02:41:28.172Z. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attachment_size_in_bytes = self.attachment_size_in_bytes

        url = self.url

        url_expiry = self.url_expiry

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "AttachmentSizeInBytes": attachment_size_in_bytes,
            }
        )
        if url is not UNSET:
            field_dict["Url"] = url
        if url_expiry is not UNSET:
            field_dict["UrlExpiry"] = url_expiry

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        attachment_size_in_bytes = src_dict["AttachmentSizeInBytes"]

        url = src_dict.get("Url", UNSET)

        url_expiry = src_dict.get("UrlExpiry", UNSET)

        if cls is GetAttachmentResponse:
            get_attachment_response = _new(cls)
            get_attachment_response.attachment_size_in_bytes = attachment_size_in_bytes
            get_attachment_response.url = url
            get_attachment_response.url_expiry = url_expiry
        else:
            get_attachment_response = cls(
                attachment_size_in_bytes=attachment_size_in_bytes,
                url=url,
                url_expiry=url_expiry,
            )

        get_attachment_response.additional_properties = (
            {}
            if len(src_dict) == 1 + (url is not UNSET) + (url_expiry is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return get_attachment_response

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
    "attachment_size_in_bytes": {
        "type": "integer",
        "minimum": 1,
    },
    "url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2000,
    },
    "url_expiry": {
        "type": "string",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "AttachmentSizeInBytes",
        "Url",
        "UrlExpiry",
    )
)
