"""A whole chat through the emulator with the low-level client generated from the spec."""

from __future__ import annotations

import json
import uuid

import aiohttp
import httpx
from connect_participant_api.api.participant import (
    complete_attachment_upload,
    create_participant_connection,
    describe_view,
    disconnect_participant,
    get_attachment,
    get_transcript,
    send_event,
    send_message,
    start_attachment_upload,
)
from connect_participant_api.client import Client
from connect_participant_api.models import (
    AccessDeniedException,
    ChatItemType,
    CompleteAttachmentUploadRequest,
    ConnectionType,
    CreateParticipantConnectionRequest,
    CreateParticipantConnectionResponse,
    DisconnectParticipantRequest,
    GetAttachmentRequest,
    GetAttachmentResponse,
    GetTranscriptRequest,
    GetTranscriptResponse,
    ResourceNotFoundException,
    ScanDirection,
    SendEventRequest,
    SendMessageRequest,
    SendMessageResponse,
    SortKey,
    StartAttachmentUploadRequest,
    StartAttachmentUploadResponse,
    StartPosition,
    ValidationException,
)
from connect_participant_emulator import LocalParticipantService


async def test_whole_chat_with_the_generated_client(participant_service: LocalParticipantService) -> None:
    chat = await participant_service.astart_chat("Erin", initial_message="first")
    async with Client(base_url=participant_service.endpoint_url, timeout=10) as client:
        connected = await create_participant_connection.asyncio(
            client=client,
            body=CreateParticipantConnectionRequest(
                type_=[ConnectionType.WEBSOCKET, ConnectionType.CONNECTION_CREDENTIALS],
                connect_participant=True,
            ),
            x_amz_bearer=chat.participant_token,
        )
        assert isinstance(connected, CreateParticipantConnectionResponse)
        assert connected.connection_credentials
        assert connected.websocket
        token = connected.connection_credentials.connection_token
        ws_url = connected.websocket.url
        assert isinstance(token, str)
        assert isinstance(ws_url, str)

        async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
            await ws.send_json({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
            assert (await ws.receive_json(timeout=5))["content"]["status"] == "success"

            sent = await send_message.asyncio(
                client=client,
                body=SendMessageRequest(
                    content_type="text/plain", content="from the generated client", client_token="g-1"
                ),
                x_amz_bearer=token,
            )
            assert isinstance(sent, SendMessageResponse)
            frame = await ws.receive_json(timeout=5)
            assert json.loads(frame["content"])["Id"] == sent.id

            typing = await send_event.asyncio_detailed(
                client=client,
                body=SendEventRequest(content_type="application/vnd.amazonaws.connect.event.typing"),
                x_amz_bearer=token,
            )
            assert typing.status_code == 200
            typed = json.loads((await ws.receive_json(timeout=5))["content"])
            assert (typed["Type"], typed["ContentType"]) == (
                "EVENT",
                "application/vnd.amazonaws.connect.event.typing",
            )

        too_long = await send_message.asyncio(
            client=client,
            body=SendMessageRequest(content_type="text/markdown", content="#" * 1025),
            x_amz_bearer=token,
        )
        assert isinstance(too_long, ValidationException)
        assert too_long.message
        assert "1024" in too_long.message

        for n in range(6):
            await send_message.asyncio(
                client=client,
                body=SendMessageRequest(content_type="text/plain", content=f"n{n}"),
                x_amz_bearer=token,
            )
        page = await get_transcript.asyncio(
            client=client,
            body=GetTranscriptRequest(
                max_results=4,
                scan_direction=ScanDirection.FORWARD,
                sort_order=SortKey.ASCENDING,
                start_position=StartPosition(id=sent.id),
            ),
            x_amz_bearer=token,
        )
        assert isinstance(page, GetTranscriptResponse)
        assert page.transcript
        assert [item.content for item in page.transcript] == ["from the generated client", "n0", "n1", "n2"]
        assert page.transcript[0].type_ == ChatItemType.MESSAGE
        assert isinstance(page.next_token, str)
        rest = await get_transcript.asyncio(
            client=client,
            body=GetTranscriptRequest(next_token=page.next_token, sort_order=SortKey.ASCENDING),
            x_amz_bearer=token,
        )
        assert isinstance(rest, GetTranscriptResponse)
        assert rest.transcript
        assert [item.content for item in rest.transcript] == ["n3", "n4", "n5"]

        data = b"col1,col2\n1,2\n"
        started = await start_attachment_upload.asyncio(
            client=client,
            body=StartAttachmentUploadRequest(
                content_type="text/csv",
                attachment_size_in_bytes=len(data),
                attachment_name="table.csv",
                client_token=str(uuid.uuid4()),
            ),
            x_amz_bearer=token,
        )
        assert isinstance(started, StartAttachmentUploadResponse)
        assert started.upload_metadata
        assert started.attachment_id
        headers = started.upload_metadata.headers_to_include
        assert headers
        async with httpx.AsyncClient() as raw:
            put = await raw.put(str(started.upload_metadata.url), content=data, headers=headers.to_dict())
            assert put.status_code == 200
            completed = await complete_attachment_upload.asyncio_detailed(
                client=client,
                body=CompleteAttachmentUploadRequest(
                    attachment_ids=[started.attachment_id], client_token=str(uuid.uuid4())
                ),
                x_amz_bearer=token,
            )
            assert completed.status_code == 200
            got = await get_attachment.asyncio(
                client=client,
                body=GetAttachmentRequest(attachment_id=started.attachment_id, url_expiry_in_seconds=60),
                x_amz_bearer=token,
            )
            assert isinstance(got, GetAttachmentResponse)
            assert got.attachment_size_in_bytes == len(data)
            assert (await raw.get(str(got.url))).content == data

        missing_view = await describe_view.asyncio(view_token="a/b", client=client, x_amz_bearer=token)
        assert isinstance(missing_view, ResourceNotFoundException)

        left = await disconnect_participant.asyncio_detailed(
            client=client,
            body=DisconnectParticipantRequest(client_token=str(uuid.uuid4())),
            x_amz_bearer=token,
        )
        assert left.status_code == 200
        denied = await get_transcript.asyncio(client=client, body=GetTranscriptRequest(), x_amz_bearer=token)
        assert isinstance(denied, AccessDeniedException)
