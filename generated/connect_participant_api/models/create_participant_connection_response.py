from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

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
        _websocket = src_dict.get("Websocket", UNSET)
        websocket: Websocket | Unset = UNSET
        if _websocket is not UNSET:
            websocket = Websocket.from_dict(_websocket)

        _connection_credentials = src_dict.get("ConnectionCredentials", UNSET)
        connection_credentials: ConnectionCredentials | Unset = UNSET
        if _connection_credentials is not UNSET:
            connection_credentials = ConnectionCredentials.from_dict(_connection_credentials)

        _web_rtc_connection = src_dict.get("WebRTCConnection", UNSET)
        web_rtc_connection: WebRTCConnection | Unset = UNSET
        if _web_rtc_connection is not UNSET:
            web_rtc_connection = WebRTCConnection.from_dict(_web_rtc_connection)

        if cls is CreateParticipantConnectionResponse:
            create_participant_connection_response = _new(cls)
            create_participant_connection_response.websocket = websocket
            create_participant_connection_response.connection_credentials = connection_credentials
            create_participant_connection_response.web_rtc_connection = web_rtc_connection
        else:
            create_participant_connection_response = cls(
                websocket=websocket,
                connection_credentials=connection_credentials,
                web_rtc_connection=web_rtc_connection,
            )

        create_participant_connection_response.additional_properties = (
            {}
            if len(src_dict)
            == (_websocket is not UNSET) + (_connection_credentials is not UNSET) + (_web_rtc_connection is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
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


#: The spec's bounds of each member, by attribute name (the facade checks requests against them).
CONSTRAINTS: Final[dict[str, dict[str, Any]]] = {
    "websocket": {
        "type": "object",
    },
    "connection_credentials": {
        "type": "object",
    },
    "web_rtc_connection": {
        "type": "object",
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "Websocket",
        "ConnectionCredentials",
        "WebRTCConnection",
    )
)

from ..models.connection_credentials import ConnectionCredentials  # noqa: E402
from ..models.web_rtc_connection import WebRTCConnection  # noqa: E402
from ..models.websocket import Websocket  # noqa: E402
