"""Starting a chat through Amazon Connect's StartChatContact, with boto3 (the ``[aws]`` extra).

This call is Connect's, not the Participant Service's: it is signed with the user's usual
AWS credentials (boto3's chain: environment, profile, SSO, instance role, …) and goes to
boto3's ``connect`` endpoint for the region (``--endpoint-url``, ``$AWS_ENDPOINT_URL_CONNECT``
or ``$AWS_ENDPOINT_URL`` point it elsewhere).

An endpoint on a loopback address is a local emulator: the request goes there unsigned, so no
AWS credentials are needed, nor a region (``us-east-1`` unless one is configured), and the
instance and contact flow ids may be left out (the emulator's defaults). Without boto3 it goes
there with httpx (the library's own dependency), the same request.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


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


#: the ids a chat on the emulator is started with when none are given (any id is accepted there)
EMULATOR_INSTANCE_ID = "00000000-0000-4000-8000-000000000001"
EMULATOR_CONTACT_FLOW_ID = "00000000-0000-4000-8000-0000000000f1"


def connect_endpoint(endpoint_url: str | None) -> str | None:
    """Where StartChatContact goes when not to AWS: the option, else the variables boto3 reads."""
    return (
        endpoint_url
        or os.environ.get("AWS_ENDPOINT_URL_CONNECT")
        or os.environ.get("AWS_ENDPOINT_URL")
        or None
    )


def is_emulator(endpoint: str | None) -> bool:
    """An ``http(s)`` URL on a loopback host: a local emulator (no AWS signature needed)."""
    from connect_participant._regions import is_loopback  # the library's one rule of loopback

    if not endpoint:
        return False
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname or ""
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and is_loopback(host)


def start_chat_contact(
    *,
    instance_id: str | None,
    contact_flow_id: str | None,
    display_name: str,
    attributes: Mapping[str, str],
    region: str | None,
    endpoint_url: str | None = None,
) -> StartedContact:
    """StartChatContact with boto3's ``connect`` client and the user's own AWS configuration, or
    unsigned to a local emulator (an endpoint on a loopback address)."""
    endpoint = connect_endpoint(endpoint_url)
    emulator = is_emulator(endpoint)
    if emulator:
        instance_id = EMULATOR_INSTANCE_ID if instance_id is None else instance_id
        contact_flow_id = EMULATOR_CONTACT_FLOW_ID if contact_flow_id is None else contact_flow_id
    elif instance_id is None or contact_flow_id is None:
        raise StartChatError(
            "starting a chat through Amazon Connect needs --instance-id and --contact-flow-id "
            "(an emulator on this machine needs neither: --endpoint-url http://127.0.0.1:8700)",
            usage=True,
        )
    request = _request(instance_id, contact_flow_id, display_name, attributes)
    try:
        import boto3  # type: ignore[import-untyped]
        import botocore.config  # type: ignore[import-untyped]
        import botocore.exceptions  # type: ignore[import-untyped]
    except ImportError:
        if emulator:
            assert endpoint is not None
            return _start_on_emulator(endpoint, request)
        raise StartChatError(
            'starting a chat needs boto3: pip install "connect-participant[aws]"', usage=True
        ) from None
    # $AWS_REGION first, as this SDK and the other AWS SDKs (boto3 reads only $AWS_DEFAULT_REGION)
    region = region or os.environ.get("AWS_REGION") or None
    options: dict[str, Any] = {"endpoint_url": endpoint}
    if emulator:  # a local emulator: no signature, so no credentials; any region
        options["config"] = botocore.config.Config(signature_version=botocore.UNSIGNED)
        region = region or boto3.Session().region_name or "us-east-1"
    try:
        client = boto3.client("connect", region_name=region, **options)
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
    return _started(answer)


def _request(
    instance_id: str, contact_flow_id: str, display_name: str, attributes: Mapping[str, str]
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "InstanceId": instance_id,
        "ContactFlowId": contact_flow_id,
        "ParticipantDetails": {"DisplayName": display_name},
    }
    if attributes:
        request["Attributes"] = dict(attributes)
    return request


def _started(answer: Mapping[str, Any]) -> StartedContact:
    return StartedContact(
        contact_id=answer["ContactId"],
        participant_id=answer["ParticipantId"],
        participant_token=answer["ParticipantToken"],
        continued_from_contact_id=answer.get("ContinuedFromContactId"),
    )


def _start_on_emulator(endpoint: str, request: dict[str, Any]) -> StartedContact:
    """PUT /contact/chat on a local emulator, unsigned (it checks no AWS signature)."""
    import httpx

    url = endpoint.rstrip("/") + "/contact/chat"
    try:
        response = httpx.put(url, json={**request, "ClientToken": str(uuid.uuid4())}, timeout=15.0)
    except httpx.HTTPError as exc:
        raise StartChatError(
            f"StartChatContact: cannot reach {endpoint} ({type(exc).__name__}); is the emulator running "
            "(connect-participant emulator)?",
            usage=False,
        ) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.is_success and isinstance(answer, dict) and "ParticipantToken" in answer:
        return _started(answer)
    code = response.headers.get("x-amzn-ErrorType", "").split(":")[0]
    message = ""
    if isinstance(answer, dict):
        code = code or str(answer.get("__type", "")).rsplit("#", 1)[-1]
        message = str(answer.get("Message") or answer.get("message") or "")
    raise StartChatError(
        f"StartChatContact: {code or f'HTTP {response.status_code}'}: {message}".rstrip(": "), usage=False
    )
