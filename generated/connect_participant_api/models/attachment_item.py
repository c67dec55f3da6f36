from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.artifact_status import ArtifactStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AttachmentItem")


@_attrs_define
class AttachmentItem:
    """The case-insensitive input to indicate standard MIME type that describes the format of the file that will be
    uploaded.

    """

    content_type: str | Unset = UNSET
    """ Describes the MIME file type of the attachment. For a list of supported file types, see [Feature
    specifications](https://docs.aws.amazon.com/connect/latest/adminguide/feature-limits.html) in the *Amazon
    Connect Administrator Guide*. """
    attachment_id: str | Unset = UNSET
    """ A unique identifier for the attachment. """
    attachment_name: str | Unset = UNSET
    """ A case-sensitive name of the attachment being uploaded. """
    status: ArtifactStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        content_type = self.content_type

        attachment_id = self.attachment_id

        attachment_name = self.attachment_name

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if content_type is not UNSET:
            field_dict["ContentType"] = content_type
        if attachment_id is not UNSET:
            field_dict["AttachmentId"] = attachment_id
        if attachment_name is not UNSET:
            field_dict["AttachmentName"] = attachment_name
        if status is not UNSET:
            field_dict["Status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        content_type = d.pop("ContentType", UNSET)

        attachment_id = d.pop("AttachmentId", UNSET)

        attachment_name = d.pop("AttachmentName", UNSET)

        _status = d.pop("Status", UNSET)
        status: ArtifactStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = ArtifactStatus(_status)

        attachment_item = cls(
            content_type=content_type,
            attachment_id=attachment_id,
            attachment_name=attachment_name,
            status=status,
        )

        attachment_item.additional_properties = d
        return attachment_item

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
