from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

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
        content_type = src_dict.get("ContentType", UNSET)

        attachment_id = src_dict.get("AttachmentId", UNSET)

        attachment_name = src_dict.get("AttachmentName", UNSET)

        _status = src_dict.get("Status", UNSET)
        status: ArtifactStatus | Unset = UNSET
        if _status is not UNSET:
            status = (
                _ARTIFACTSTATUS_BY_VALUE[_status] if _status in _ARTIFACTSTATUS_BY_VALUE else ArtifactStatus(_status)
            )

        if cls is AttachmentItem:
            attachment_item = _new(cls)
            attachment_item.content_type = content_type
            attachment_item.attachment_id = attachment_id
            attachment_item.attachment_name = attachment_name
            attachment_item.status = status
        else:
            attachment_item = cls(
                content_type=content_type,
                attachment_id=attachment_id,
                attachment_name=attachment_name,
                status=status,
            )

        attachment_item.additional_properties = (
            {}
            if len(src_dict)
            == (content_type is not UNSET)
            + (attachment_id is not UNSET)
            + (attachment_name is not UNSET)
            + (_status is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
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


#: The spec's bounds of each member, by attribute name (the facade checks requests against them).
CONSTRAINTS: Final[dict[str, dict[str, Any]]] = {
    "content_type": {
        "type": "string",
        "min_length": 1,
        "max_length": 255,
    },
    "attachment_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "attachment_name": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "status": {
        "type": "string",
        "enum": ["APPROVED", "REJECTED", "IN_PROGRESS"],
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "ContentType",
        "AttachmentId",
        "AttachmentName",
        "Status",
    )
)
_ARTIFACTSTATUS_BY_VALUE: Final[dict[object, ArtifactStatus]] = {member.value: member for member in ArtifactStatus}
