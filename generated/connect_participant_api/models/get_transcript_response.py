from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GetTranscriptResponse")


@_attrs_define
class GetTranscriptResponse:
    initial_contact_id: str | Unset = UNSET
    """ The initial contact ID for the contact. """
    transcript: list[Item] | Unset = UNSET
    """ The list of messages in the session. """
    next_token: str | Unset = UNSET
    """ The pagination token. Use the value returned previously in the next subsequent request to retrieve the next
    set of results. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        initial_contact_id = self.initial_contact_id

        transcript: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.transcript, Unset):
            transcript = []
            for transcript_item_data in self.transcript:
                transcript_item = transcript_item_data.to_dict()
                transcript.append(transcript_item)

        next_token = self.next_token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if initial_contact_id is not UNSET:
            field_dict["InitialContactId"] = initial_contact_id
        if transcript is not UNSET:
            field_dict["Transcript"] = transcript
        if next_token is not UNSET:
            field_dict["NextToken"] = next_token

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        initial_contact_id = src_dict.get("InitialContactId", UNSET)

        _transcript = src_dict.get("Transcript", UNSET)
        transcript: list[Item] | Unset = UNSET
        if _transcript is not UNSET:
            transcript = list(map(Item.from_dict, _transcript))

        next_token = src_dict.get("NextToken", UNSET)

        if cls is GetTranscriptResponse:
            get_transcript_response = _new(cls)
            get_transcript_response.initial_contact_id = initial_contact_id
            get_transcript_response.transcript = transcript
            get_transcript_response.next_token = next_token
        else:
            get_transcript_response = cls(
                initial_contact_id=initial_contact_id,
                transcript=transcript,
                next_token=next_token,
            )

        get_transcript_response.additional_properties = (
            {}
            if len(src_dict)
            == (initial_contact_id is not UNSET) + (_transcript is not UNSET) + (next_token is not UNSET)
            else {k: v for k, v in src_dict.items() if k not in _KNOWN_KEYS}
        )
        return get_transcript_response

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
    "initial_contact_id": {
        "type": "string",
        "min_length": 1,
        "max_length": 256,
    },
    "transcript": {
        "type": "array",
        "items": {
            "type": "object",
        },
    },
    "next_token": {
        "type": "string",
        "min_length": 1,
        "max_length": 1000,
    },
}

_new = object.__new__  # an instance without __init__ (attrs classes define no __new__)
_KNOWN_KEYS: Final[frozenset[str]] = frozenset(
    (
        "InitialContactId",
        "Transcript",
        "NextToken",
    )
)

from ..models.item import Item  # noqa: E402
