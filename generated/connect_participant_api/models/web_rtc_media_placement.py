from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebRTCMediaPlacement")


@_attrs_define
class WebRTCMediaPlacement:
    """A set of endpoints used by clients to connect to the media service group for an Amazon Chime SDK meeting."""

    audio_host_url: str | Unset = UNSET
    """ The audio host URL. """
    audio_fallback_url: str | Unset = UNSET
    """ The audio fallback URL. """
    signaling_url: str | Unset = UNSET
    """ The signaling URL. """
    event_ingestion_url: str | Unset = UNSET
    """ The event ingestion URL to which you send client meeting events. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audio_host_url = self.audio_host_url

        audio_fallback_url = self.audio_fallback_url

        signaling_url = self.signaling_url

        event_ingestion_url = self.event_ingestion_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if audio_host_url is not UNSET:
            field_dict["AudioHostUrl"] = audio_host_url
        if audio_fallback_url is not UNSET:
            field_dict["AudioFallbackUrl"] = audio_fallback_url
        if signaling_url is not UNSET:
            field_dict["SignalingUrl"] = signaling_url
        if event_ingestion_url is not UNSET:
            field_dict["EventIngestionUrl"] = event_ingestion_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        audio_host_url = src_dict.get("AudioHostUrl", UNSET)

        audio_fallback_url = src_dict.get("AudioFallbackUrl", UNSET)

        signaling_url = src_dict.get("SignalingUrl", UNSET)

        event_ingestion_url = src_dict.get("EventIngestionUrl", UNSET)

        if cls is WebRTCMediaPlacement:
            web_rtc_media_placement = _new(cls)
            web_rtc_media_placement.audio_host_url = audio_host_url
            web_rtc_media_placement.audio_fallback_url = audio_fallback_url
            web_rtc_media_placement.signaling_url = signaling_url
            web_rtc_media_placement.event_ingestion_url = event_ingestion_url
        else:
            web_rtc_media_placement = cls(
                audio_host_url=audio_host_url,
                audio_fallback_url=audio_fallback_url,
                signaling_url=signaling_url,
                event_ingestion_url=event_ingestion_url,
            )

        web_rtc_media_placement.additional_properties = (
            {}
            if len(src_dict)
            == (audio_host_url is not UNSET)
            + (audio_fallback_url is not UNSET)
            + (signaling_url is not UNSET)
            + (event_ingestion_url is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return web_rtc_media_placement

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
    "audio_host_url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2000,
    },
    "audio_fallback_url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2000,
    },
    "signaling_url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2000,
    },
    "event_ingestion_url": {
        "type": "string",
        "min_length": 1,
        "max_length": 2000,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "AudioHostUrl",
        "AudioFallbackUrl",
        "SignalingUrl",
        "EventIngestionUrl",
    )
)
