"""Starting a chat through Amazon Connect's StartChatContact, with boto3 (the ``[aws]`` extra).

This call is Connect's, not the Participant Service's: it is signed with the user's usual
AWS credentials (boto3's chain: environment, profile, SSO, instance role, …) and goes to
boto3's ``connect`` endpoint for the region (``$AWS_ENDPOINT_URL_CONNECT`` /
``$AWS_ENDPOINT_URL`` point it elsewhere, e.g. at the emulator).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class StartChatError(Exception):
    """StartChatContact failed: ``usage`` when it is the user's setup (credentials, region)."""

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class StartedContact:
    contact_id: str
    participant_id: str
    participant_token: str = field(repr=False)
    continued_from_contact_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        """AWS's member names, as ``aws connect start-chat-contact`` prints them."""
        answer: dict[str, Any] = {
            "ContactId": self.contact_id,
            "ParticipantId": self.participant_id,
            "ParticipantToken": self.participant_token,
        }
        if self.continued_from_contact_id:
            answer["ContinuedFromContactId"] = self.continued_from_contact_id
        return answer


def parse_attributes(pairs: list[str]) -> dict[str, str]:
    """``["k=v", …]`` as a dict; a pair without ``=`` or with an empty key is refused (ValueError)."""
    attributes: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError("--attribute takes KEY=VALUE")
        attributes[key] = value
    return attributes


def start_chat_contact(
    *,
    instance_id: str,
    contact_flow_id: str,
    display_name: str,
    attributes: Mapping[str, str],
    region: str | None,
) -> StartedContact:
    """StartChatContact with boto3's ``connect`` client and the user's own AWS configuration."""
    try:
        import boto3  # type: ignore[import-untyped]
        import botocore.exceptions  # type: ignore[import-untyped]
    except ImportError:
        raise StartChatError(
            'starting a chat needs boto3: pip install "connect-participant[aws]"', usage=True
        ) from None
    request: dict[str, Any] = {
        "InstanceId": instance_id,
        "ContactFlowId": contact_flow_id,
        "ParticipantDetails": {"DisplayName": display_name},
    }
    if attributes:
        request["Attributes"] = dict(attributes)
    try:
        # $AWS_REGION first, as this SDK and the other AWS SDKs (boto3 reads only $AWS_DEFAULT_REGION)
        client = boto3.client("connect", region_name=region or os.environ.get("AWS_REGION") or None)
        answer = client.start_chat_contact(**request)
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise StartChatError(
            f"StartChatContact: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": "),
            usage=False,
        ) from None
    except (botocore.exceptions.NoRegionError, botocore.exceptions.NoCredentialsError) as exc:
        raise StartChatError(f"StartChatContact: {exc}", usage=True) from None
    except botocore.exceptions.ParamValidationError as exc:  # one line: its report spans several
        report = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise StartChatError(f"StartChatContact: {report}", usage=True) from None
    except botocore.exceptions.BotoCoreError as exc:  # the endpoint cannot be reached, …
        raise StartChatError(f"StartChatContact: {type(exc).__name__}", usage=False) from None
    return StartedContact(
        contact_id=answer["ContactId"],
        participant_id=answer["ParticipantId"],
        participant_token=answer["ParticipantToken"],
        continued_from_contact_id=answer.get("ContinuedFromContactId"),
    )
