from enum import StrEnum
from typing import Self


class ResourceType(StrEnum):
    CONTACT = "CONTACT"
    CONTACT_FLOW = "CONTACT_FLOW"
    HIERARCHY_GROUP = "HIERARCHY_GROUP"
    HIERARCHY_LEVEL = "HIERARCHY_LEVEL"
    INSTANCE = "INSTANCE"
    PARTICIPANT = "PARTICIPANT"
    PHONE_NUMBER = "PHONE_NUMBER"
    USER = "USER"

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        """Keep values AWS added after this client was generated instead of raising.

        The result is a member-like instance whose name and value are the received string,
        so it round-trips unchanged and compares equal to that string.
        """
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member
