from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DescribeViewResponse")


@_attrs_define
class DescribeViewResponse:
    view: View | Unset = UNSET
    """ A view resource object. Contains metadata and content necessary to render the view. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        view: dict[str, Any] | Unset = UNSET
        if not isinstance(self.view, Unset):
            view = self.view.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if view is not UNSET:
            field_dict["View"] = view

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _view = src_dict.get("View", UNSET)
        view: View | Unset = UNSET
        if _view is not UNSET:
            view = View.from_dict(_view)

        if cls is DescribeViewResponse:
            describe_view_response = _new(cls)
            describe_view_response.view = view
        else:
            describe_view_response = cls(
                view=view,
            )

        describe_view_response.additional_properties = (
            {} if len(src_dict) == (_view is not UNSET) else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return describe_view_response

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
    "view": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(("View",))

from ..models.view import View  # noqa: E402
