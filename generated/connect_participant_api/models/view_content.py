from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ViewContent")


@_attrs_define
class ViewContent:
    """View content containing all content necessary to render a view except for runtime input data."""

    input_schema: str | Unset = UNSET
    """ The schema representing the input data that the view template must be supplied to render. """
    template: str | Unset = UNSET
    """ The view template representing the structure of the view. """
    actions: list[str] | Unset = UNSET
    """ A list of actions possible from the view """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        input_schema = self.input_schema

        template = self.template

        actions: list[str] | Unset = UNSET
        if not isinstance(self.actions, Unset):
            actions = self.actions

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if input_schema is not UNSET:
            field_dict["InputSchema"] = input_schema
        if template is not UNSET:
            field_dict["Template"] = template
        if actions is not UNSET:
            field_dict["Actions"] = actions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        input_schema = src_dict.get("InputSchema", UNSET)

        template = src_dict.get("Template", UNSET)

        _actions = src_dict.get("Actions", UNSET)
        actions = cast(list[str], _actions)

        if cls is ViewContent:
            view_content = _new(cls)
            view_content.input_schema = input_schema
            view_content.template = template
            view_content.actions = actions
        else:
            view_content = cls(
                input_schema=input_schema,
                template=template,
                actions=actions,
            )

        view_content.additional_properties = (
            {}
            if len(src_dict) == (input_schema is not UNSET) + (template is not UNSET) + (_actions is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return view_content

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
    "input_schema": {
        "type": "string",
    },
    "template": {
        "type": "string",
    },
    "actions": {
        "type": "array",
        "items": {
            "type": "string",
            "min_length": 1,
            "max_length": 255,
        },
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "InputSchema",
        "Template",
        "Actions",
    )
)
