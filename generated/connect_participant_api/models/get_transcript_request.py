from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.scan_direction import ScanDirection
from ..models.sort_key import SortKey
from ..types import UNSET, Unset

T = TypeVar("T", bound="GetTranscriptRequest")


@_attrs_define
class GetTranscriptRequest:
    contact_id: str | Unset = UNSET
    """ The contactId from the current contact chain for which transcript is needed. """
    max_results: int | Unset = UNSET
    """ The maximum number of results to return in the page. Default: 10. """
    next_token: str | Unset = UNSET
    """ The pagination token. Use the value returned previously in the next subsequent request to retrieve the next
    set of results. """
    scan_direction: ScanDirection | Unset = UNSET
    sort_order: SortKey | Unset = UNSET
    start_position: StartPosition | Unset = UNSET
    """ A filtering option for where to start. For example, if you sent 100 messages, start with message 50. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        contact_id = self.contact_id

        max_results = self.max_results

        next_token = self.next_token

        scan_direction: str | Unset = UNSET
        if not isinstance(self.scan_direction, Unset):
            scan_direction = self.scan_direction.value

        sort_order: str | Unset = UNSET
        if not isinstance(self.sort_order, Unset):
            sort_order = self.sort_order.value

        start_position: dict[str, Any] | Unset = UNSET
        if not isinstance(self.start_position, Unset):
            start_position = self.start_position.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if contact_id is not UNSET:
            field_dict["ContactId"] = contact_id
        if max_results is not UNSET:
            field_dict["MaxResults"] = max_results
        if next_token is not UNSET:
            field_dict["NextToken"] = next_token
        if scan_direction is not UNSET:
            field_dict["ScanDirection"] = scan_direction
        if sort_order is not UNSET:
            field_dict["SortOrder"] = sort_order
        if start_position is not UNSET:
            field_dict["StartPosition"] = start_position

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        contact_id = src_dict.get("ContactId", UNSET)

        max_results = src_dict.get("MaxResults", UNSET)

        next_token = src_dict.get("NextToken", UNSET)

        _scan_direction = src_dict.get("ScanDirection", UNSET)
        scan_direction: ScanDirection | Unset = UNSET
        if _scan_direction is not UNSET:
            scan_direction = (
                _SCANDIRECTION_BY_VALUE[_scan_direction]
                if _scan_direction in _SCANDIRECTION_BY_VALUE
                else ScanDirection(_scan_direction)
            )

        _sort_order = src_dict.get("SortOrder", UNSET)
        sort_order: SortKey | Unset = UNSET
        if _sort_order is not UNSET:
            sort_order = _SORTKEY_BY_VALUE[_sort_order] if _sort_order in _SORTKEY_BY_VALUE else SortKey(_sort_order)

        _start_position = src_dict.get("StartPosition", UNSET)
        start_position: StartPosition | Unset = UNSET
        if _start_position is not UNSET:
            start_position = StartPosition.from_dict(_start_position)

        if cls is GetTranscriptRequest:
            get_transcript_request = _new(cls)
            get_transcript_request.contact_id = contact_id
            get_transcript_request.max_results = max_results
            get_transcript_request.next_token = next_token
            get_transcript_request.scan_direction = scan_direction
            get_transcript_request.sort_order = sort_order
            get_transcript_request.start_position = start_position
        else:
            get_transcript_request = cls(
                contact_id=contact_id,
                max_results=max_results,
                next_token=next_token,
                scan_direction=scan_direction,
                sort_order=sort_order,
                start_position=start_position,
            )

        get_transcript_request.additional_properties = (
            {} if _KNOWN_KEYS.issuperset(src_dict) else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return get_transcript_request

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
    "contact_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "max_results": {
        "type": "integer",
        "minimum": 0,
        "maximum": 100,
    },
    "next_token": {
        "type": "string",
        "min_length": 1,
        "max_length": 1000,
    },
    "scan_direction": {
        "type": "string",
        "enum": ["FORWARD", "BACKWARD"],
    },
    "sort_order": {
        "type": "string",
        "enum": ["DESCENDING", "ASCENDING"],
    },
    "start_position": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "ContactId",
        "MaxResults",
        "NextToken",
        "ScanDirection",
        "SortOrder",
        "StartPosition",
    )
)
_SCANDIRECTION_BY_VALUE: Final[dict[object, ScanDirection]] = {member.value: member for member in ScanDirection}
_SORTKEY_BY_VALUE: Final[dict[object, SortKey]] = {member.value: member for member in SortKey}

from ..models.start_position import StartPosition  # noqa: E402
