from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UploadMetadataHeadersToInclude")


@_attrs_define
class UploadMetadataHeadersToInclude:
    """The headers to be provided while uploading the file to the URL."""

    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if cls is UploadMetadataHeadersToInclude:
            upload_metadata_headers_to_include = _new(cls)
        else:
            upload_metadata_headers_to_include = cls()

        upload_metadata_headers_to_include.additional_properties = (
            {} if len(src_dict) == 0 else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return upload_metadata_headers_to_include

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


#: The spec's bounds of each member, by attribute name (the facade checks requests against them).
CONSTRAINTS: Final[dict[str, dict[str, Any]]] = {}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(())
