from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebRTCMeeting")


@_attrs_define
class WebRTCMeeting:
    """A meeting created using the Amazon Chime SDK."""

    media_placement: WebRTCMediaPlacement | Unset = UNSET
    """ A set of endpoints used by clients to connect to the media service group for an Amazon Chime SDK meeting.
    """
    meeting_features: MeetingFeaturesConfiguration | Unset = UNSET
    """ The configuration settings of the features available to a meeting. """
    meeting_id: str | Unset = UNSET
    """ The Amazon Chime SDK meeting ID. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        media_placement: dict[str, Any] | Unset = UNSET
        if not isinstance(self.media_placement, Unset):
            media_placement = self.media_placement.to_dict()

        meeting_features: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meeting_features, Unset):
            meeting_features = self.meeting_features.to_dict()

        meeting_id = self.meeting_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if media_placement is not UNSET:
            field_dict["MediaPlacement"] = media_placement
        if meeting_features is not UNSET:
            field_dict["MeetingFeatures"] = meeting_features
        if meeting_id is not UNSET:
            field_dict["MeetingId"] = meeting_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _media_placement = src_dict.get("MediaPlacement", UNSET)
        media_placement: WebRTCMediaPlacement | Unset = UNSET
        if _media_placement is not UNSET:
            media_placement = WebRTCMediaPlacement.from_dict(_media_placement)

        _meeting_features = src_dict.get("MeetingFeatures", UNSET)
        meeting_features: MeetingFeaturesConfiguration | Unset = UNSET
        if _meeting_features is not UNSET:
            meeting_features = MeetingFeaturesConfiguration.from_dict(_meeting_features)

        meeting_id = src_dict.get("MeetingId", UNSET)

        if cls is WebRTCMeeting:
            web_rtc_meeting = _new(cls)
            web_rtc_meeting.media_placement = media_placement
            web_rtc_meeting.meeting_features = meeting_features
            web_rtc_meeting.meeting_id = meeting_id
        else:
            web_rtc_meeting = cls(
                media_placement=media_placement,
                meeting_features=meeting_features,
                meeting_id=meeting_id,
            )

        web_rtc_meeting.additional_properties = (
            {}
            if len(src_dict)
            == (_media_placement is not UNSET) + (_meeting_features is not UNSET) + (meeting_id is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return web_rtc_meeting

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
    "media_placement": {
        "type": "object",
    },
    "meeting_features": {
        "type": "object",
    },
    "meeting_id": {
        "type": "string",
        "pattern": "[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "MediaPlacement",
        "MeetingFeatures",
        "MeetingId",
    )
)

from ..models.meeting_features_configuration import MeetingFeaturesConfiguration  # noqa: E402
from ..models.web_rtc_media_placement import WebRTCMediaPlacement  # noqa: E402
