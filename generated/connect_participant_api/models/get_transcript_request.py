from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.scan_direction import ScanDirection
from ..models.sort_key import SortKey
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.start_position import StartPosition


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
        from ..models.start_position import StartPosition  # noqa: PLC0415

        d = dict(src_dict)
        contact_id = d.pop("ContactId", UNSET)

        max_results = d.pop("MaxResults", UNSET)

        next_token = d.pop("NextToken", UNSET)

        _scan_direction = d.pop("ScanDirection", UNSET)
        scan_direction: ScanDirection | Unset
        if isinstance(_scan_direction, Unset):
            scan_direction = UNSET
        else:
            scan_direction = ScanDirection(_scan_direction)

        _sort_order = d.pop("SortOrder", UNSET)
        sort_order: SortKey | Unset
        if isinstance(_sort_order, Unset):
            sort_order = UNSET
        else:
            sort_order = SortKey(_sort_order)

        _start_position = d.pop("StartPosition", UNSET)
        start_position: StartPosition | Unset
        if isinstance(_start_position, Unset):
            start_position = UNSET
        else:
            start_position = StartPosition.from_dict(_start_position)

        get_transcript_request = cls(
            contact_id=contact_id,
            max_results=max_results,
            next_token=next_token,
            scan_direction=scan_direction,
            sort_order=sort_order,
            start_position=start_position,
        )

        get_transcript_request.additional_properties = d
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
