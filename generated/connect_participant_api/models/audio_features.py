from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.meeting_feature_status import MeetingFeatureStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AudioFeatures")


@_attrs_define
class AudioFeatures:
    """Has audio-specific configurations as the operating parameter for Echo Reduction."""

    echo_reduction: MeetingFeatureStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        echo_reduction: str | Unset = UNSET
        if not isinstance(self.echo_reduction, Unset):
            echo_reduction = self.echo_reduction.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if echo_reduction is not UNSET:
            field_dict["EchoReduction"] = echo_reduction

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _echo_reduction = src_dict.get("EchoReduction", UNSET)
        echo_reduction: MeetingFeatureStatus | Unset = UNSET
        if _echo_reduction is not UNSET:
            echo_reduction = (
                _MEETINGFEATURESTATUS_BY_VALUE[_echo_reduction]
                if _echo_reduction in _MEETINGFEATURESTATUS_BY_VALUE
                else MeetingFeatureStatus(_echo_reduction)
            )

        if cls is AudioFeatures:
            audio_features = _new(cls)
            audio_features.echo_reduction = echo_reduction
        else:
            audio_features = cls(
                echo_reduction=echo_reduction,
            )

        audio_features.additional_properties = (
            {}
            if len(src_dict) == (_echo_reduction is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return audio_features

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
    "echo_reduction": {
        "type": "string",
        "enum": ["AVAILABLE", "UNAVAILABLE"],
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(("EchoReduction",))
_MEETINGFEATURESTATUS_BY_VALUE: Final[dict[object, MeetingFeatureStatus]] = {
    member.value: member for member in MeetingFeatureStatus
}
