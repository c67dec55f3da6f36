from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StartAttachmentUploadResponse")


@_attrs_define
class StartAttachmentUploadResponse:
    attachment_id: str | Unset = UNSET
    """ A unique identifier for the attachment. """
    upload_metadata: UploadMetadata | Unset = UNSET
    """ Fields to be used while uploading the attachment. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attachment_id = self.attachment_id

        upload_metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.upload_metadata, Unset):
            upload_metadata = self.upload_metadata.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if attachment_id is not UNSET:
            field_dict["AttachmentId"] = attachment_id
        if upload_metadata is not UNSET:
            field_dict["UploadMetadata"] = upload_metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        attachment_id = src_dict.get("AttachmentId", UNSET)

        _upload_metadata = src_dict.get("UploadMetadata", UNSET)
        upload_metadata: UploadMetadata | Unset = UNSET
        if _upload_metadata is not UNSET:
            upload_metadata = UploadMetadata.from_dict(_upload_metadata)

        if cls is StartAttachmentUploadResponse:
            start_attachment_upload_response = _new(cls)
            start_attachment_upload_response.attachment_id = attachment_id
            start_attachment_upload_response.upload_metadata = upload_metadata
        else:
            start_attachment_upload_response = cls(
                attachment_id=attachment_id,
                upload_metadata=upload_metadata,
            )

        start_attachment_upload_response.additional_properties = (
            {}
            if len(src_dict) == (attachment_id is not UNSET) + (_upload_metadata is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return start_attachment_upload_response

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
    "upload_metadata": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "AttachmentId",
        "UploadMetadata",
    )
)

from ..models.upload_metadata import UploadMetadata  # noqa: E402
