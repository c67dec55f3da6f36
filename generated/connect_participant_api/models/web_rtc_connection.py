from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebRTCConnection")


@_attrs_define
class WebRTCConnection:
    """Creates the participant’s WebRTC connection data required for the client application (mobile or web) to connect to
    the call.

    """

    attendee: Attendee | Unset = UNSET
    """ The attendee information, including attendee ID and join token. """
    meeting: WebRTCMeeting | Unset = UNSET
    """ A meeting created using the Amazon Chime SDK. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attendee: dict[str, Any] | Unset = UNSET
        if not isinstance(self.attendee, Unset):
            attendee = self.attendee.to_dict()

        meeting: dict[str, Any] | Unset = UNSET
        if not isinstance(self.meeting, Unset):
            meeting = self.meeting.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if attendee is not UNSET:
            field_dict["Attendee"] = attendee
        if meeting is not UNSET:
            field_dict["Meeting"] = meeting

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        _attendee = src_dict.get("Attendee", UNSET)
        attendee: Attendee | Unset = UNSET
        if _attendee is not UNSET:
            attendee = Attendee.from_dict(_attendee)

        _meeting = src_dict.get("Meeting", UNSET)
        meeting: WebRTCMeeting | Unset = UNSET
        if _meeting is not UNSET:
            meeting = WebRTCMeeting.from_dict(_meeting)

        if cls is WebRTCConnection:
            web_rtc_connection = _new(cls)
            web_rtc_connection.attendee = attendee
            web_rtc_connection.meeting = meeting
        else:
            web_rtc_connection = cls(
                attendee=attendee,
                meeting=meeting,
            )

        web_rtc_connection.additional_properties = (
            {}
            if len(src_dict) == (_attendee is not UNSET) + (_meeting is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return web_rtc_connection

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
    "attendee": {
        "type": "object",
    },
    "meeting": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Attendee",
        "Meeting",
    )
)

from ..models.attendee import Attendee  # noqa: E402
from ..models.web_rtc_meeting import WebRTCMeeting  # noqa: E402
