from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audio_features import AudioFeatures


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
        from ..models.audio_features import AudioFeatures  # noqa: PLC0415

        d = dict(src_dict)
        _audio = d.pop("Audio", UNSET)
        audio: AudioFeatures | Unset
        if isinstance(_audio, Unset):
            audio = UNSET
        else:
            audio = AudioFeatures.from_dict(_audio)

        meeting_features_configuration = cls(
            audio=audio,
        )

        meeting_features_configuration.additional_properties = d
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
