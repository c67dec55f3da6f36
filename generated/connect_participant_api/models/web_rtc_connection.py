from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attendee import Attendee
    from ..models.web_rtc_meeting import WebRTCMeeting


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
        from ..models.attendee import Attendee  # noqa: PLC0415
        from ..models.web_rtc_meeting import WebRTCMeeting  # noqa: PLC0415

        d = dict(src_dict)
        _attendee = d.pop("Attendee", UNSET)
        attendee: Attendee | Unset
        if isinstance(_attendee, Unset):
            attendee = UNSET
        else:
            attendee = Attendee.from_dict(_attendee)

        _meeting = d.pop("Meeting", UNSET)
        meeting: WebRTCMeeting | Unset
        if isinstance(_meeting, Unset):
            meeting = UNSET
        else:
            meeting = WebRTCMeeting.from_dict(_meeting)

        web_rtc_connection = cls(
            attendee=attendee,
            meeting=meeting,
        )

        web_rtc_connection.additional_properties = d
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
