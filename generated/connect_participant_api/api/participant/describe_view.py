from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.access_denied_exception import AccessDeniedException
from ...models.describe_view_response import DescribeViewResponse
from ...models.internal_server_exception import InternalServerException
from ...models.resource_not_found_exception import ResourceNotFoundException
from ...models.throttling_exception import ThrottlingException
from ...models.validation_exception import ValidationException
from ...types import Response


def _get_kwargs(
    view_token: str,
    *,
    x_amz_bearer: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["X-Amz-Bearer"] = x_amz_bearer

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/participant/views/{view_token}".format(
            view_token=quote(str(view_token), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    AccessDeniedException
    | DescribeViewResponse
    | InternalServerException
    | ResourceNotFoundException
    | ThrottlingException
    | ValidationException
    | None
):
    if response.status_code == 200:
        response_200 = DescribeViewResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ValidationException.from_dict(response.json())

        return response_400

    if response.status_code == 403:
        response_403 = AccessDeniedException.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ResourceNotFoundException.from_dict(response.json())

        return response_404

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
    | DescribeViewResponse
    | InternalServerException
    | ResourceNotFoundException
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
    view_token: str,
    *,
    client: AuthenticatedClient | Client,
    x_amz_bearer: str,
) -> Response[
    AccessDeniedException
    | DescribeViewResponse
    | InternalServerException
    | ResourceNotFoundException
    | ThrottlingException
    | ValidationException
]:
    """Retrieves the view for the specified view token.

    Args:
        view_token (str): An encrypted token originating from the interactive message of a
            ShowView block operation. Represents the desired view.
        x_amz_bearer (str): The connection token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccessDeniedException | DescribeViewResponse | InternalServerException | ResourceNotFoundException | ThrottlingException | ValidationException]
    """

    kwargs = _get_kwargs(
        view_token=view_token,
        x_amz_bearer=x_amz_bearer,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    view_token: str,
    *,
    client: AuthenticatedClient | Client,
    x_amz_bearer: str,
) -> (
    AccessDeniedException
    | DescribeViewResponse
    | InternalServerException
    | ResourceNotFoundException
    | ThrottlingException
    | ValidationException
    | None
):
    """Retrieves the view for the specified view token.

    Args:
        view_token (str): An encrypted token originating from the interactive message of a
            ShowView block operation. Represents the desired view.
        x_amz_bearer (str): The connection token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccessDeniedException | DescribeViewResponse | InternalServerException | ResourceNotFoundException | ThrottlingException | ValidationException
    """

    return sync_detailed(
        view_token=view_token,
        client=client,
        x_amz_bearer=x_amz_bearer,
    ).parsed


async def asyncio_detailed(
    view_token: str,
    *,
    client: AuthenticatedClient | Client,
    x_amz_bearer: str,
) -> Response[
    AccessDeniedException
    | DescribeViewResponse
    | InternalServerException
    | ResourceNotFoundException
    | ThrottlingException
    | ValidationException
]:
    """Retrieves the view for the specified view token.

    Args:
        view_token (str): An encrypted token originating from the interactive message of a
            ShowView block operation. Represents the desired view.
        x_amz_bearer (str): The connection token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccessDeniedException | DescribeViewResponse | InternalServerException | ResourceNotFoundException | ThrottlingException | ValidationException]
    """

    kwargs = _get_kwargs(
        view_token=view_token,
        x_amz_bearer=x_amz_bearer,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    view_token: str,
    *,
    client: AuthenticatedClient | Client,
    x_amz_bearer: str,
) -> (
    AccessDeniedException
    | DescribeViewResponse
    | InternalServerException
    | ResourceNotFoundException
    | ThrottlingException
    | ValidationException
    | None
):
    """Retrieves the view for the specified view token.

    Args:
        view_token (str): An encrypted token originating from the interactive message of a
            ShowView block operation. Represents the desired view.
        x_amz_bearer (str): The connection token.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccessDeniedException | DescribeViewResponse | InternalServerException | ResourceNotFoundException | ThrottlingException | ValidationException
    """

    return (
        await asyncio_detailed(
            view_token=view_token,
            client=client,
            x_amz_bearer=x_amz_bearer,
        )
    ).parsed
