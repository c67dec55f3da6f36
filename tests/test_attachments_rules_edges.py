"""Attachment error edges the main tests left open (found by ``make mutate``): what a storage
error says (S3's XML fields, defaults, the signature hint, the request id from the header or the
document, the length cap) and the scan errors' text and codes."""

from __future__ import annotations

import pytest
from connect_participant import (
    Attachment,
    AttachmentRejectedError,
    AttachmentScanTimeoutError,
    AttachmentStorageError,
)
from connect_participant._attachments import storage_error


def _xml(**fields: str) -> bytes:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><Error>{inner}</Error>'.encode()


def test_an_s3_error_document_gives_code_message_and_request_id() -> None:
    body = _xml(Code="AccessDenied", Message="Request has expired", RequestId="R-XML")
    error = storage_error(403, {}, body, "upload")
    assert isinstance(error, AttachmentStorageError)
    assert (error.code, error.message, error.status_code, error.request_id) == (
        "AccessDenied",
        "upload: Request has expired",
        403,
        "R-XML",
    )


def test_the_request_id_header_wins_over_the_document() -> None:
    body = _xml(Code="InternalError", Message="We encountered an internal error", RequestId="R-XML")
    error = storage_error(500, {"x-amz-request-id": "R-HEADER"}, body, "download")
    assert error.request_id == "R-HEADER"


def test_a_body_that_is_not_an_s3_error_gets_the_defaults() -> None:
    error = storage_error(502, {}, b"<html>bad gateway</html", "upload")
    assert (error.code, error.message, error.request_id) == (
        "HTTP502",
        "upload: the attachment storage refused the request",
        None,
    )
    error = storage_error(400, {}, _xml(Code="BadDigest"), "upload")  # no Message
    assert error.message == "upload: the attachment storage refused the request"


def test_a_signature_mismatch_says_which_headers_the_put_needs() -> None:
    error = storage_error(403, {}, _xml(Code="SignatureDoesNotMatch", Message="nope"), "upload")
    assert error.message == (
        "upload: nope (the PUT must carry exactly the HeadersToInclude of StartAttachmentUpload)"
    )


def test_a_long_message_is_cut_at_500_characters() -> None:
    error = storage_error(400, {}, _xml(Code="X", Message="m" * 1000), "upload")
    assert len(error.message) == 500
    assert error.message == ("upload: " + "m" * 1000)[:500]


@pytest.mark.parametrize(("status", "shown"), [("IN_PROGRESS", "IN_PROGRESS"), (None, "not seen")])
def test_scan_timeout_text_and_code(status: str | None, shown: str) -> None:
    attachment = Attachment(id="att-1", name="a.pdf", content_type="application/pdf", status=status)
    error = AttachmentScanTimeoutError(attachment, 2.5)
    assert isinstance(error, TimeoutError)
    assert error.code == "AttachmentScanTimeout"
    assert error.message == f"no scan verdict for 'a.pdf' after 2.5s (status {shown})"
    assert error.attachment is attachment


def test_rejected_text_and_code() -> None:
    attachment = Attachment(id="att-2", name="x.exe", content_type="application/pdf", status="REJECTED")
    error = AttachmentRejectedError(attachment)
    assert error.code == "AttachmentRejected"
    assert error.status_code is None
    assert error.message == "the attachment scan rejected 'x.exe' (attachment id att-2)"
    assert error.attachment is attachment
