from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

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
        d = dict(src_dict)
        content_type = d.pop("ContentType")

        attachment_size_in_bytes = d.pop("AttachmentSizeInBytes")

        attachment_name = d.pop("AttachmentName")

        client_token = d.pop("ClientToken")

        start_attachment_upload_request = cls(
            content_type=content_type,
            attachment_size_in_bytes=attachment_size_in_bytes,
            attachment_name=attachment_name,
            client_token=client_token,
        )

        start_attachment_upload_request.additional_properties = d
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
