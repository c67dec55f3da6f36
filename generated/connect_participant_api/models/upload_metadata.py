from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UploadMetadata")


@_attrs_define
class UploadMetadata:
    """Fields to be used while uploading the attachment."""

    url: str | Unset = UNSET
    """ This is the pre-signed URL that can be used for uploading the file to Amazon S3 when used in response to
    [StartAttachmentUpload](https://docs.aws.amazon.com/connect-
    participant/latest/APIReference/API_StartAttachmentUpload.html). """
    url_expiry: str | Unset = UNSET
    """ The expiration time of the URL in ISO timestamp. It's specified in ISO 8601 format: yyyy-MM-
    ddThh:mm:ss.SSSZ. For example, 2019-11-08T02:41:28.172Z. """
    headers_to_include: UploadMetadataHeadersToInclude | Unset = UNSET
    """ The headers to be provided while uploading the file to the URL. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        url_expiry = self.url_expiry

        headers_to_include: dict[str, Any] | Unset = UNSET
        if not isinstance(self.headers_to_include, Unset):
            headers_to_include = self.headers_to_include.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if url is not UNSET:
            field_dict["Url"] = url
        if url_expiry is not UNSET:
            field_dict["UrlExpiry"] = url_expiry
        if headers_to_include is not UNSET:
            field_dict["HeadersToInclude"] = headers_to_include

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        url = src_dict.get("Url", UNSET)

        url_expiry = src_dict.get("UrlExpiry", UNSET)

        _headers_to_include = src_dict.get("HeadersToInclude", UNSET)
        headers_to_include: UploadMetadataHeadersToInclude | Unset = UNSET
        if _headers_to_include is not UNSET:
            headers_to_include = UploadMetadataHeadersToInclude.from_dict(_headers_to_include)

        if cls is UploadMetadata:
            upload_metadata = _new(cls)
            upload_metadata.url = url
            upload_metadata.url_expiry = url_expiry
            upload_metadata.headers_to_include = headers_to_include
        else:
            upload_metadata = cls(
                url=url,
                url_expiry=url_expiry,
                headers_to_include=headers_to_include,
            )

        upload_metadata.additional_properties = (
            {}
            if len(src_dict) == (url is not UNSET) + (url_expiry is not UNSET) + (_headers_to_include is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return upload_metadata

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
    "url_expiry": {
        "type": "string",
    },
    "headers_to_include": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Url",
        "UrlExpiry",
        "HeadersToInclude",
    )
)

from ..models.upload_metadata_headers_to_include import UploadMetadataHeadersToInclude  # noqa: E402
