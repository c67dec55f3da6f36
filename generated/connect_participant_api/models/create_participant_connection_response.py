from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connection_credentials import ConnectionCredentials
    from ..models.web_rtc_connection import WebRTCConnection
    from ..models.websocket import Websocket


T = TypeVar("T", bound="CreateParticipantConnectionResponse")


@_attrs_define
class CreateParticipantConnectionResponse:
    websocket: Websocket | Unset = UNSET
    """ The websocket for the participant's connection. """
    connection_credentials: ConnectionCredentials | Unset = UNSET
    """ Connection credentials. """
    web_rtc_connection: WebRTCConnection | Unset = UNSET
    """ Creates the participant’s WebRTC connection data required for the client application (mobile or web) to
    connect to the call. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        websocket: dict[str, Any] | Unset = UNSET
        if not isinstance(self.websocket, Unset):
            websocket = self.websocket.to_dict()

        connection_credentials: dict[str, Any] | Unset = UNSET
        if not isinstance(self.connection_credentials, Unset):
            connection_credentials = self.connection_credentials.to_dict()

        web_rtc_connection: dict[str, Any] | Unset = UNSET
        if not isinstance(self.web_rtc_connection, Unset):
            web_rtc_connection = self.web_rtc_connection.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if websocket is not UNSET:
            field_dict["Websocket"] = websocket
        if connection_credentials is not UNSET:
            field_dict["ConnectionCredentials"] = connection_credentials
        if web_rtc_connection is not UNSET:
            field_dict["WebRTCConnection"] = web_rtc_connection

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.connection_credentials import ConnectionCredentials  # noqa: PLC0415
        from ..models.web_rtc_connection import WebRTCConnection  # noqa: PLC0415
        from ..models.websocket import Websocket  # noqa: PLC0415

        d = dict(src_dict)
        _websocket = d.pop("Websocket", UNSET)
        websocket: Websocket | Unset
        if isinstance(_websocket, Unset):
            websocket = UNSET
        else:
            websocket = Websocket.from_dict(_websocket)

        _connection_credentials = d.pop("ConnectionCredentials", UNSET)
        connection_credentials: ConnectionCredentials | Unset
        if isinstance(_connection_credentials, Unset):
            connection_credentials = UNSET
        else:
            connection_credentials = ConnectionCredentials.from_dict(_connection_credentials)

        _web_rtc_connection = d.pop("WebRTCConnection", UNSET)
        web_rtc_connection: WebRTCConnection | Unset
        if isinstance(_web_rtc_connection, Unset):
            web_rtc_connection = UNSET
        else:
            web_rtc_connection = WebRTCConnection.from_dict(_web_rtc_connection)

        create_participant_connection_response = cls(
            websocket=websocket,
            connection_credentials=connection_credentials,
            web_rtc_connection=web_rtc_connection,
        )

        create_participant_connection_response.additional_properties = d
        return create_participant_connection_response

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
