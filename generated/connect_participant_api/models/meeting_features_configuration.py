from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MeetingFeaturesConfiguration")


@_attrs_define
class MeetingFeaturesConfiguration:
    """The configuration settings of the features available to a meeting."""

    audio: AudioFeatures | Unset = UNSET
    """ Has audio-specific configurations as the operating parameter for Echo Reduction. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audio: dict[str, Any] | Unset = UNSET
        if not isinstance(self.audio, Unset):
            audio = self.audio.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if audio is not UNSET:
            field_dict["Audio"] = audio

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _audio = src_dict.get("Audio", UNSET)
        audio: AudioFeatures | Unset = UNSET
        if _audio is not UNSET:
            audio = AudioFeatures.from_dict(_audio)

        if cls is MeetingFeaturesConfiguration:
            meeting_features_configuration = _new(cls)
            meeting_features_configuration.audio = audio
        else:
            meeting_features_configuration = cls(
                audio=audio,
            )

        meeting_features_configuration.additional_properties = (
            {}
            if len(src_dict) == (_audio is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return meeting_features_configuration

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
    "audio": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(("Audio",))

from ..models.audio_features import AudioFeatures  # noqa: E402
