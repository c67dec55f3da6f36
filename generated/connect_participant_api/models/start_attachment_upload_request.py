from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StartAttachmentUploadRequest")


@_attrs_define
class StartAttachmentUploadRequest:
    content_type: str
    """ Describes the MIME file type of the attachment. For a list of supported file types, see [Feature
    specifications](https://docs.aws.amazon.com/connect/latest/adminguide/feature-limits.html) in the *Amazon
    Connect Administrator Guide*. """
    attachment_size_in_bytes: int
    """ The size of the attachment in bytes. """
    attachment_name: str
    """ A case-sensitive name of the attachment being uploaded. """
    client_token: str
    """ A unique, case-sensitive identifier that you provide to ensure the idempotency of the request. If not
    provided, the Amazon Web Services SDK populates this field. For more information about idempotency, see [Making
    retries safe with idempotent APIs](https://aws.amazon.com/builders-library/making-retries-safe-with-idempotent-
    APIs/). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content_type = self.content_type

        attachment_size_in_bytes = self.attachment_size_in_bytes

        attachment_name = self.attachment_name

        client_token = self.client_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ContentType": content_type,
                "AttachmentSizeInBytes": attachment_size_in_bytes,
                "AttachmentName": attachment_name,
                "ClientToken": client_token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        content_type = src_dict["ContentType"]

        attachment_size_in_bytes = src_dict["AttachmentSizeInBytes"]

        attachment_name = src_dict["AttachmentName"]

        client_token = src_dict["ClientToken"]

        if cls is StartAttachmentUploadRequest:
            start_attachment_upload_request = _new(cls)
            start_attachment_upload_request.content_type = content_type
            start_attachment_upload_request.attachment_size_in_bytes = attachment_size_in_bytes
            start_attachment_upload_request.attachment_name = attachment_name
            start_attachment_upload_request.client_token = client_token
        else:
            start_attachment_upload_request = cls(
                content_type=content_type,
                attachment_size_in_bytes=attachment_size_in_bytes,
                attachment_name=attachment_name,
                client_token=client_token,
            )

        start_attachment_upload_request.additional_properties = (
            {} if len(src_dict) == 4 else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return start_attachment_upload_request

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
    "content_type": {
        "type": "string",
        "min_length": 1,
        "max_length": 255,
    },
    "attachment_size_in_bytes": {
        "type": "integer",
        "minimum": 1,
    },
    "attachment_name": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "client_token": {
        "type": "string",
        "min_length": 1,
        "max_length": 500,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "ContentType",
        "AttachmentSizeInBytes",
        "AttachmentName",
        "ClientToken",
    )
)
