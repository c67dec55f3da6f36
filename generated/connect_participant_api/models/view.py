from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="View")


@_attrs_define
class View:
    """A view resource object. Contains metadata and content necessary to render the view."""

    id: str | Unset = UNSET
    """ The identifier of the view. """
    arn: str | Unset = UNSET
    """ The Amazon Resource Name (ARN) of the view. """
    name: str | Unset = UNSET
    """ The name of the view. """
    version: int | Unset = UNSET
    """ The current version of the view. """
    content: ViewContent | Unset = UNSET
    """ View content containing all content necessary to render a view except for runtime input data. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        arn = self.arn

        name = self.name

        version = self.version

        content: dict[str, Any] | Unset = UNSET
        if not isinstance(self.content, Unset):
            content = self.content.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["Id"] = id
        if arn is not UNSET:
            field_dict["Arn"] = arn
        if name is not UNSET:
            field_dict["Name"] = name
        if version is not UNSET:
            field_dict["Version"] = version
        if content is not UNSET:
            field_dict["Content"] = content

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        id = src_dict.get("Id", UNSET)

        arn = src_dict.get("Arn", UNSET)

        name = src_dict.get("Name", UNSET)

        version = src_dict.get("Version", UNSET)

        _content = src_dict.get("Content", UNSET)
        content: ViewContent | Unset = UNSET
        if _content is not UNSET:
            content = ViewContent.from_dict(_content)

        if cls is View:
            view = _new(cls)
            view.id = id
            view.arn = arn
            view.name = name
            view.version = version
            view.content = content
        else:
            view = cls(
                id=id,
                arn=arn,
                name=name,
                version=version,
                content=content,
            )

        view.additional_properties = (
            {}
            if len(src_dict)
            == (id is not UNSET)
            + (arn is not UNSET)
            + (name is not UNSET)
            + (version is not UNSET)
            + (_content is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return view

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
    "id": {
        "type": "string",
        "min_length": 1,
        "max_length": 500,
        "pattern": "^[a-zA-Z0-9\\_\\-:\\/$]+$",
    },
    "arn": {
        "type": "string",
    },
    "name": {
        "type": "string",
        "min_length": 1,
        "max_length": 255,
    },
    "version": {
        "type": "integer",
    },
    "content": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Id",
        "Arn",
        "Name",
        "Version",
        "Content",
    )
)

from ..models.view_content import ViewContent  # noqa: E402
