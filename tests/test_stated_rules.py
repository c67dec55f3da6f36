"""Rules a user would notice, each stated once as a pure test (issue 28: an independent sample
of hand-made breakages found them untested; the loopback ones are in
``test_stated_rules_loopback.py``):

- the events de-duplication delivers an update of a known item whose progress did not move
  forward but whose state changed (one file of an attachment scanned, another still in
  progress), and forgets items beyond ``dedupe_window`` while keeping those inside it;
- a gap fill failing because the service could not be reached (or was busy, or failed) is
  retried for as long as it takes: an HTTPS outage must not end the stream with
  ``GapFillError``;
- ``*.localhost`` host names are loopback (what a container set-up names the emulator), so
  plain http to them is allowed, and only to them.
"""

from __future__ import annotations

from typing import Any

import pytest
from connect_participant import InvalidInputError, Item
from connect_participant._delivery import DeliveryLedger, Verdict, progress
from connect_participant._endpoints import check_endpoint_url
from connect_participant._errors import InternalServerError, ParticipantTransportError, ThrottlingError
from connect_participant._ws_protocol import EventStreamConfig, Fail, FetchGap, FrameIn, GapFailed, GapReady
from test_events_protocol import ACK, Driver, attachment, chat_frame, emitted, ids, item

# --- de-duplication -----------------------------------------------------------------------------


def _two_files(first: str, second: str) -> dict[str, Any]:
    raw = attachment(7, first)
    files = raw["Attachments"]
    raw["Attachments"] = [files[0], {**files[0], "AttachmentId": "b7", "Status": second}]
    return raw


def test_an_update_that_does_not_move_progress_forward_is_still_an_update() -> None:
    before, after = (
        Item(_two_files("IN_PROGRESS", "IN_PROGRESS")),
        Item(_two_files("APPROVED", "IN_PROGRESS")),
    )
    assert progress(before) == progress(after)  # neither is settled: no progress either way
    ledger = DeliveryLedger(10)
    assert ledger.accept(before) == (Verdict.NEW, None)
    verdict, previous = ledger.accept(after)
    assert (verdict, previous) == (Verdict.UPDATE, before)
    assert ledger.accept(Item(_two_files("APPROVED", "IN_PROGRESS")))[0] is Verdict.REPEAT
    assert list(ledger.unsettled()) == ["id:id-7"]  # the second file still needs to be seen settled

    d = Driver()
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    first = emitted(d.feed(FrameIn(sock, chat_frame(_two_files("IN_PROGRESS", "IN_PROGRESS")))))
    second = emitted(d.feed(FrameIn(sock, chat_frame(_two_files("APPROVED", "IN_PROGRESS")))))
    assert [e.is_update for e in first + second] == [False, True]
    assert [a.status for a in second[0].item.attachments] == ["APPROVED", "IN_PROGRESS"]


def test_the_dedupe_window_forgets_the_oldest_item_and_keeps_the_rest() -> None:
    ledger = DeliveryLedger(3)
    for n in range(1, 5):  # id-1 .. id-4: id-1 falls out of a window of 3
        assert ledger.accept(Item(item(n)))[0] is Verdict.NEW
    assert len(ledger) == 3
    assert ledger.judge(Item(item(1)))[0] is Verdict.NEW
    assert ledger.judge(Item(item(2)))[0] is Verdict.REPEAT

    d = Driver(EventStreamConfig(dedupe_window=3, heartbeat_interval=300, heartbeat_timeout=300))
    sock = d.connect()
    d.feed(FrameIn(sock, ACK))
    out = []
    for n in (1, 2, 3, 4, 2, 1):
        out += d.feed(FrameIn(sock, chat_frame(item(n))))
    assert ids(out) == ["id-1", "id-2", "id-3", "id-4", "id-1"]  # id-2 still known, id-1 forgotten


# --- gap fills through an outage ----------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        ParticipantTransportError("connection refused", code="ConnectError", status_code=None),
        ThrottlingError("slow down", code="ThrottlingException", status_code=429),
        InternalServerError("oops", code="InternalServerException", status_code=500),
    ],
    ids=["unreachable", "throttled", "failing"],
)
def test_a_gap_fill_through_an_outage_keeps_trying_and_then_delivers(error: Exception) -> None:
    config = EventStreamConfig(
        gap_fill_attempts=2, backoff_cap=5, heartbeat_interval=600, heartbeat_timeout=600
    )
    d = Driver(config, after="id-0")
    sock = d.connect()
    (*_, fetch) = d.feed(FrameIn(sock, ACK))
    waited = 0.0
    for _ in range(20):  # ten times gap_fill_attempts, about 90 s of outage
        assert isinstance(fetch, FetchGap)
        assert not [a for a in d.feed(GapFailed(fetch.fill, error)) if isinstance(a, Fail)]
        start = d.now
        (fetch,) = [a for a in d.advance(config.backoff_cap) if isinstance(a, FetchGap)]
        waited += d.now - start
    assert not d.p.finished
    assert d.p.stats["gap_fill_failures"] == 20
    for raw in (item(2), item(1), {"Id": "id-0"}):
        if not fetch.fill.offer(Item(raw)):
            break
    assert ids(d.feed(GapReady(fetch.fill))) == ["id-1", "id-2"]


# --- endpoints ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8080", "http://emulator.localhost:8080", "http://a.b.localhost", "http://[::1]:1"],
)
def test_plain_http_is_allowed_to_loopback_names(url: str) -> None:
    assert check_endpoint_url(url) == url


@pytest.mark.parametrize(
    "url", ["http://localhost.example.com", "http://notlocalhost", "http://localhostx:1", "http://10.0.0.1"]
)
def test_plain_http_is_refused_to_every_other_name(url: str) -> None:
    with pytest.raises(InvalidInputError, match="https unless the host is loopback"):
        check_endpoint_url(url)
