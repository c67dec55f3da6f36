from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.access_denied_exception import AccessDeniedException
from ...models.create_participant_connection_request import CreateParticipantConnectionRequest
from ...models.create_participant_connection_response import CreateParticipantConnectionResponse
from ...models.internal_server_exception import InternalServerException
from ...models.throttling_exception import ThrottlingException
from ...models.validation_exception import ValidationException
from ...types import Response


def _get_kwargs(
    *,
    body: CreateParticipantConnectionRequest,
    x_amz_bearer: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-Amz-Bearer"] = x_amz_bearer

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/participant/connection",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    AccessDeniedException
    | CreateParticipantConnectionResponse
    | InternalServerException
    | ThrottlingException
    | ValidationException
    | None
):
    if response.status_code == 200:
        response_200 = CreateParticipantConnectionResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ValidationException.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = AccessDeniedException.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = ThrottlingException.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = InternalServerException.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    AccessDeniedException
    | CreateParticipantConnectionResponse
    | InternalServerException
    | ThrottlingException
    | ValidationException
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateParticipantConnectionRequest,
    x_amz_bearer: str,
) -> Response[
    AccessDeniedException
    | CreateParticipantConnectionResponse
    | InternalServerException
    | ThrottlingException
    | ValidationException
]:
    """Creates the participant's connection.

    Args:
        x_amz_bearer (str): This is a header parameter.
        body (CreateParticipantConnectionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccessDeniedException | CreateParticipantConnectionResponse | InternalServerException | ThrottlingException | ValidationException]
    """

    kwargs = _get_kwargs(
        body=body,
        x_amz_bearer=x_amz_bearer,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateParticipantConnectionRequest,
    x_amz_bearer: str,
) -> (
    AccessDeniedException
    | CreateParticipantConnectionResponse
    | InternalServerException
    | ThrottlingException
    | ValidationException
    | None
):
    """Creates the participant's connection.

    Args:
        x_amz_bearer (str): This is a header parameter.
        body (CreateParticipantConnectionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccessDeniedException | CreateParticipantConnectionResponse | InternalServerException | ThrottlingException | ValidationException
    """

    return sync_detailed(
        client=client,
        body=body,
        x_amz_bearer=x_amz_bearer,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateParticipantConnectionRequest,
    x_amz_bearer: str,
) -> Response[
    AccessDeniedException
    | CreateParticipantConnectionResponse
    | InternalServerException
    | ThrottlingException
    | ValidationException
]:
    """Creates the participant's connection.

    Args:
        x_amz_bearer (str): This is a header parameter.
        body (CreateParticipantConnectionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccessDeniedException | CreateParticipantConnectionResponse | InternalServerException | ThrottlingException | ValidationException]
    """

    kwargs = _get_kwargs(
        body=body,
        x_amz_bearer=x_amz_bearer,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateParticipantConnectionRequest,
    x_amz_bearer: str,
) -> (
    AccessDeniedException
    | CreateParticipantConnectionResponse
    | InternalServerException
    | ThrottlingException
    | ValidationException
    | None
):
    """Creates the participant's connection.

    Args:
        x_amz_bearer (str): This is a header parameter.
        body (CreateParticipantConnectionRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccessDeniedException | CreateParticipantConnectionResponse | InternalServerException | ThrottlingException | ValidationException
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_amz_bearer=x_amz_bearer,
        )
    ).parsed
