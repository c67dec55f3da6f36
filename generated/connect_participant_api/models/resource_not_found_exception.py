from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.resource_type import ResourceType
from ..types import UNSET, Unset

T = TypeVar("T", bound="ResourceNotFoundException")


@_attrs_define
class ResourceNotFoundException:
    """The resource was not found."""

    message: str | Unset = UNSET
    """ The error message (AWS sends this spelling). """
    Message: str | Unset = UNSET
    """ The error message (the service model's spelling). """
    resource_id: str | Unset = UNSET
    """ The identifier of the resource. """
    resource_type: ResourceType | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        Message = self.Message

        resource_id = self.resource_id

        resource_type: str | Unset = UNSET
        if not isinstance(self.resource_type, Unset):
            resource_type = self.resource_type.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if message is not UNSET:
            field_dict["message"] = message
        if Message is not UNSET:
            field_dict["Message"] = Message
        if resource_id is not UNSET:
            field_dict["ResourceId"] = resource_id
        if resource_type is not UNSET:
            field_dict["ResourceType"] = resource_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        message = src_dict.get("message", UNSET)

        Message = src_dict.get("Message", UNSET)

        resource_id = src_dict.get("ResourceId", UNSET)

        _resource_type = src_dict.get("ResourceType", UNSET)
        resource_type: ResourceType | Unset = UNSET
        if _resource_type is not UNSET:
            resource_type = (
                _RESOURCETYPE_BY_VALUE[_resource_type]
                if _resource_type in _RESOURCETYPE_BY_VALUE
                else ResourceType(_resource_type)
            )

        if cls is ResourceNotFoundException:
            resource_not_found_exception = _new(cls)
            resource_not_found_exception.message = message
            resource_not_found_exception.Message = Message
            resource_not_found_exception.resource_id = resource_id
            resource_not_found_exception.resource_type = resource_type
        else:
            resource_not_found_exception = cls(
                message=message,
                Message=Message,
                resource_id=resource_id,
                resource_type=resource_type,
            )

        resource_not_found_exception.additional_properties = (
            {}
            if len(src_dict)
            == (message is not UNSET)
            + (Message is not UNSET)
            + (resource_id is not UNSET)
            + (_resource_type is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return resource_not_found_exception

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
    "message": {
        "type": "string",
    },
    "Message": {
        "type": "string",
    },
    "resource_id": {
        "type": "string",
    },
    "resource_type": {
        "type": "string",
        "enum": [
            "CONTACT",
            "CONTACT_FLOW",
            "INSTANCE",
            "PARTICIPANT",
            "HIERARCHY_LEVEL",
            "HIERARCHY_GROUP",
            "USER",
            "PHONE_NUMBER",
        ],
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "message",
        "Message",
        "ResourceId",
        "ResourceType",
    )
)
_RESOURCETYPE_BY_VALUE: Final[dict[object, ResourceType]] = {member.value: member for member in ResourceType}
