"""The emulator's in-memory model (``_model``), rule by rule, pure: no server, a fake clock.

Times and their formats, tokens, the idempotency window, the token bucket, contacts and their
segments, transfers (a SUPERVISOR leaves a transferred chat like the agent), the end of a chat,
grants and their pruning, retention, the transcript's items and frames, cursors (found by
``make mutate --module emulator._model``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time as real_time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from connect_participant_emulator import _model
from connect_participant_emulator._config import EmulatorConfig, Quota
from connect_participant_emulator._model import (
    EVENT,
    GRANT_GRACE_SECONDS,
    Contact,
    Continuation,
    Cursor,
    Entry,
    Idempotency,
    Participant,
    ServiceError,
    Socket,
    State,
    TokenBucket,
    access_denied,
    iso_time,
    new_token,
    parse_iso_time,
    validation,
)

from tests._fake_clock import Clock

JOINED = _model.JOINED
LEFT = _model.LEFT
ENDED = _model.ENDED


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(1_000_000.0)
    monkeypatch.setattr(_model, "time", fake)
    return fake


@pytest.fixture
def state(clock: Clock) -> State:
    return State(EmulatorConfig(retention_seconds=100.0, idempotency_seconds=50.0))


def _socket(participant: Participant, *, subscribed: bool = True) -> tuple[Socket, list[str]]:
    aborted: list[str] = []
    sock = Socket(participant, asyncio.Queue(), lambda: aborted.append("abort"), subscribed=subscribed)
    participant.sockets.add(sock)
    return sock, aborted


def _drain(sock: Socket) -> list[Any]:
    out = []
    while not sock.queue.empty():
        out.append(sock.queue.get_nowait())
    return out


def _content_types(contact: Contact) -> list[str | None]:
    return [e.item.get("ContentType") for e in contact.entries]


# --- errors, times, tokens -------------------------------------------------------------------------


def test_service_errors_carry_status_code_message_and_extras() -> None:
    error = ServiceError(404, "ResourceNotFoundException", "gone", ResourceId="r1")
    assert (error.status, error.code, error.message, error.extra) == (
        404,
        "ResourceNotFoundException",
        "gone",
        {"ResourceId": "r1"},
    )
    assert str(error) == "gone"
    bad = validation("no good")
    assert (bad.status, bad.code, bad.message) == (400, "ValidationException", "no good")
    denied = access_denied()
    assert (denied.status, denied.code, denied.message) == (403, "AccessDeniedException", "Access denied")
    assert access_denied("expired").message == "expired"


@pytest.mark.parametrize(
    ("epoch", "text"),
    [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1.2349, "1970-01-01T00:00:01.234Z"),
        (1573180888.172, "2019-11-08T02:41:28.172Z"),
        (59.999, "1970-01-01T00:00:59.999Z"),
    ],
)
def test_iso_time_is_utc_to_the_millisecond(epoch: float, text: str) -> None:
    assert iso_time(epoch) == text


@pytest.mark.parametrize(
    ("text", "epoch"),
    [
        ("1970-01-01T00:00:01.500Z", 1.5),
        ("1970-01-01T00:00:01.500z", 1.5),
        ("  1970-01-01T00:00:02Z  ", 2.0),
        ("1970-01-01T00:00:03", 3.0),  # no zone: UTC
        ("1970-01-01T01:00:04+01:00", 4.0),
        ("2019-11-08T02:41:28.172Z", 1573180888.172),
    ],
)
def test_parse_iso_time_reads_zones_and_takes_none_as_utc(text: str, epoch: float) -> None:
    assert parse_iso_time(text) == pytest.approx(epoch)


def test_parse_iso_time_refuses_what_is_not_a_time() -> None:
    with pytest.raises(ValueError):
        parse_iso_time("yesterday")


def test_tokens_are_standard_base64_of_96_random_bytes() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(base64.b64decode(token, validate=True)) == 96
        assert token.isascii()


# --- sockets, participants, contacts ---------------------------------------------------------------


def test_a_socket_queues_frames_and_its_close_code(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    sock, _ = _socket(ann)
    sock.push("frame")
    sock.close()
    sock.close(4000)
    assert _drain(sock) == ["frame", ("close", 1000), ("close", 4000)]
    assert not Socket(ann, asyncio.Queue(), lambda: None).subscribed
    assert not sock.closing


def test_a_participant_is_active_until_it_leaves_or_the_chat_ends(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    assert ann.active
    assert bot.active
    assert not ann.left
    assert not ann.acknowledged
    assert not ann.rehydration_shown
    bot.left = True
    assert not bot.active
    assert ann.active
    contact.ended = True
    assert not ann.active


def test_a_contact_starts_with_one_segment_its_own_id() -> None:
    contact = Contact("c1", "i", "f", 0.0)
    assert contact.segments == ["c1"]
    assert contact.current_id == "c1"
    assert not contact.ended
    assert contact.release_at is None
    assert contact.continues is None
    assert contact.rehydrated_item is None
    given = Contact("c2", "i", "f", 0.0, segments=["c0", "c2"])
    assert given.segments == ["c0", "c2"]
    assert given.current_id == "c2"


def test_entries_until_a_segment_and_item_index() -> None:
    contact = Contact("c1", "i", "f", 0.0)
    contact.segments += ["c2", "c3"]
    items = [{"Id": f"m{n}", "ContactId": cid} for n, cid in enumerate(["c1", "c2", "c2", "c3"])]
    contact.entries = [Entry(n, 0.0, item) for n, item in enumerate(items)]
    assert [e.item["Id"] for e in contact.entries_until("c1")] == ["m0"]
    assert [e.item["Id"] for e in contact.entries_until("c2")] == ["m0", "m1", "m2"]
    assert [e.item["Id"] for e in contact.entries_until("c3")] == ["m0", "m1", "m2", "m3"]
    assert contact.item_index("m0") == 0
    assert contact.item_index("m2") == 2
    assert contact.item_index("m3") == 3
    assert contact.item_index("nope") is None


# --- idempotency -------------------------------------------------------------------------------------


def test_idempotency_replays_within_its_window_only() -> None:
    memory = Idempotency(10.0)
    key = ("scope", "Op", "token")
    assert memory.recall(key, 0.0) is None
    memory.remember(key, {"a": 1}, "owner", 100.0)
    assert len(memory) == 1
    assert memory.recall(key, 100.0) == {"a": 1}
    assert memory.recall(key, 109.99) == {"a": 1}
    assert memory.recall(key, 110.0) is None  # the window's end is out
    assert memory.recall(("scope", "Op", "other"), 100.0) is None


def test_idempotency_forgets_an_owners_answers_only() -> None:
    memory = Idempotency(10.0)
    memory.remember(("s", "Op", "t1"), {"n": 1}, "c1", 0.0)
    memory.remember(("s", "Op", "t2"), {"n": 2}, "c1", 0.0)
    memory.remember(("s", "Op", "t3"), {"n": 3}, "c2", 0.0)
    memory.forget("c1")
    assert len(memory) == 1
    assert memory.recall(("s", "Op", "t1"), 1.0) is None
    assert memory.recall(("s", "Op", "t3"), 1.0) == {"n": 3}
    memory.forget("c1")  # twice: nothing left to forget
    memory.forget("unknown")
    assert len(memory) == 1


def test_idempotency_sweep_drops_expired_answers_and_keeps_live_ones() -> None:
    memory = Idempotency(10.0)
    memory.remember(("s", "Op", "old"), {"n": 1}, "c1", 0.0)
    memory.remember(("s", "Op", "new"), {"n": 2}, "c2", 5.0)
    memory.sweep(9.99)
    assert len(memory) == 2
    memory.sweep(10.0)  # the first one's window ends at 10
    assert len(memory) == 1
    assert memory.recall(("s", "Op", "new"), 10.0) == {"n": 2}
    memory.sweep(15.0)
    assert len(memory) == 0
    assert memory._owned == {}


def test_idempotency_sweep_keeps_an_answer_remembered_again() -> None:
    memory = Idempotency(10.0)
    key = ("s", "Op", "t")
    memory.remember(key, {"n": 1}, "c1", 0.0)
    memory.remember(key, {"n": 2}, "c1", 8.0)  # the same key again: its newer expiry counts
    memory.sweep(12.0)
    assert memory.recall(key, 12.0) == {"n": 2}


# --- the token bucket -------------------------------------------------------------------------------


def test_token_bucket_allows_a_burst_then_refills_at_its_rate(clock: Clock) -> None:
    bucket = TokenBucket(Quota(rate=2, burst=3))
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.25  # half a token
    assert not bucket.take()
    clock.now += 0.25  # one token
    assert bucket.take()
    assert not bucket.take()
    clock.now += 100.0  # never more than the burst
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_token_bucket_takes_exactly_one_token() -> None:
    bucket = TokenBucket(Quota(rate=1, burst=1))
    assert bucket.rate == 1.0
    assert bucket.burst == 1.0
    assert bucket.tokens == 1.0
    assert bucket.take()


def test_token_bucket_counts_a_fraction_of_a_second(clock: Clock) -> None:
    bucket = TokenBucket(Quota(rate=8, burst=1))
    assert bucket.take()
    clock.now += 0.125
    assert bucket.take()
    assert bucket.tokens == pytest.approx(0.0)


# --- contacts and participants ----------------------------------------------------------------------


def test_a_new_contact_lasts_its_duration_and_is_known_by_id(state: State, clock: Clock) -> None:
    contact = state.new_contact("inst", "flow", 60)
    assert contact.expires_at == clock.now + 3600
    assert state.contacts[contact.contact_id] is contact
    assert (contact.instance_id, contact.contact_flow_id) == ("inst", "flow")
    assert contact.entries == []
    assert contact.rehydrated_item is None
    other = state.new_contact("inst", "flow", 60)
    assert other.contact_id != contact.contact_id


def test_a_persistent_chat_starts_with_its_rehydrated_item(state: State) -> None:
    earlier = state.new_contact("i", "f", 60)
    later = state.new_contact("i", "f", 60, Continuation(earlier, earlier.contact_id))
    assert later.continues is not None
    assert later.continues.chat is earlier
    assert _content_types(later) == [_model.REHYDRATED]
    assert later.rehydrated_item is later.entries[0].item
    assert later.rehydrated_item["Type"] == EVENT


def test_add_participant_joins_with_its_own_token(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    assert (ann.role, ann.display_name, ann.contact) == ("CUSTOMER", "Ann", contact)
    assert contact.participants == {ann.participant_id: ann, bot.participant_id: bot}
    assert state.participant_tokens[ann.token] is ann
    assert ann.token != bot.token
    assert ann.participant_id != bot.participant_id
    joined = contact.entries[0].item
    assert joined["ContentType"] == JOINED
    assert (joined["ParticipantId"], joined["DisplayName"], joined["ParticipantRole"]) == (
        ann.participant_id,
        "Ann",
        "CUSTOMER",
    )


def _customer_and_bot_listening(state: State) -> tuple[Contact, Participant, Participant, Socket, Socket]:
    """A chat of a customer and a bot, each with a subscribed socket."""
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    return contact, ann, bot, _socket(ann)[0], _socket(bot)[0]


def test_the_customer_leaving_ends_the_chat_for_everyone(state: State, clock: Clock) -> None:
    contact, ann, _bot, ann_sock, bot_sock = _customer_and_bot_listening(state)
    state.disconnect(ann)
    assert _content_types(contact)[-2:] == [LEFT, ENDED]
    assert contact.entries[-1].item.get("ParticipantId") is None  # chat.ended has no sender
    assert ann.left
    assert contact.ended
    assert contact.release_at == clock.now + 100.0
    assert _drain(bot_sock)[-1] == ("close", 1000)
    assert _drain(ann_sock)[-1] == ("close", 1000)


def test_another_participant_leaving_does_not_end_the_chat(state: State) -> None:
    contact, ann, bot, ann_sock, bot_sock = _customer_and_bot_listening(state)
    state.disconnect(bot)
    left = contact.entries[-1].item
    assert (left["ContentType"], left["ParticipantId"]) == (LEFT, bot.participant_id)
    assert bot.left
    assert not contact.ended
    assert not ann.left
    assert _drain(bot_sock) == [state.frame(contact, left), ("close", 1000)]
    assert _drain(ann_sock) == [state.frame(contact, left)]
    assert contact.release_at is None


def test_ending_a_chat_twice_ends_it_once(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    state.add_participant(contact, "CUSTOMER", "Ann")
    state.end_contact(contact)
    clock.now += 10
    state.end_contact(contact)
    assert _content_types(contact).count(ENDED) == 1
    assert contact.release_at == clock.now - 10 + 100.0


def test_a_chat_past_its_duration_ends_when_looked_at(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    state.check_expiry(contact)
    clock.now = contact.expires_at - 0.001
    state.check_expiry(contact)
    assert not contact.ended
    state.check_expiry(contact, now=contact.expires_at)
    assert contact.ended
    other = state.new_contact("i", "f", 60)
    clock.now = other.expires_at
    state.check_expiry(other)  # no time given: the clock's
    assert other.ended


# --- transfers ----------------------------------------------------------------------------------


def test_a_successful_transfer_moves_agents_and_supervisors_out(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    dana = state.add_participant(contact, "AGENT", "Dana")
    sam = state.add_participant(contact, "SUPERVISOR", "Sam")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    first = contact.contact_id
    new_id, agent = state.transfer(contact, "QUEUE", "unused", succeed=True)
    assert agent is None
    assert new_id != first
    assert contact.segments == [first, new_id]
    assert contact.current_id == new_id
    assert state.contacts[new_id] is contact
    assert state.contacts[first] is contact
    assert dana.left
    assert sam.left
    assert not ann.left
    assert not bot.left
    assert not contact.ended
    tail = [(e.item["ContentType"], e.item.get("ParticipantId")) for e in contact.entries[4:]]
    assert tail == [
        (_model.TRANSFER_SUCCEEDED, None),
        (LEFT, dana.participant_id),
        (LEFT, sam.participant_id),
    ]
    # items before the transfer keep the first contact id; later ones carry the new one
    assert contact.entries[4].item["ContactId"] == first
    assert contact.entries[5].item["ContactId"] == first
    state.add_item(contact, "MESSAGE", "text/plain", ann, content="hi")
    assert contact.entries[-1].item["ContactId"] == new_id


def test_a_transfer_to_an_agent_brings_the_new_agent_in(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    state.add_participant(contact, "CUSTOMER", "Ann")
    dana = state.add_participant(contact, "AGENT", "Dana")
    dana.left = True  # an agent who left already does not leave twice
    new_id, agent = state.transfer(contact, "AGENT", "Eve", succeed=True)
    assert agent is not None
    assert (agent.role, agent.display_name, agent.left) == ("AGENT", "Eve", False)
    assert _content_types(contact)[-2:] == [_model.TRANSFER_SUCCEEDED, JOINED]
    assert contact.entries[-1].item["ContactId"] == new_id
    assert _content_types(contact).count(LEFT) == 0


def test_a_failed_transfer_changes_nothing_but_its_event(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    state.add_participant(contact, "CUSTOMER", "Ann")
    dana = state.add_participant(contact, "AGENT", "Dana")
    same, agent = state.transfer(contact, "AGENT", "Eve", succeed=False)
    assert (same, agent) == (contact.contact_id, None)
    assert contact.segments == [contact.contact_id]
    assert _content_types(contact)[-1] == _model.TRANSFER_FAILED
    assert not dana.left
    assert len(contact.participants) == 2


# --- transcript views (persistent chats) -----------------------------------------------------------


def test_transcript_view_of_the_chat_itself(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    state.add_participant(contact, "CUSTOMER", "Ann")
    new_id, _ = state.transfer(contact, "QUEUE", "", succeed=True)
    for asked in (None, contact.contact_id, new_id):
        key, initial, entries = state.transcript_view(contact, asked)
        assert (key, initial) == (contact.contact_id, contact.contact_id)
        assert entries is contact.entries


def test_transcript_view_follows_persistent_chats_back_up_to_their_contact(state: State) -> None:
    first = state.new_contact("i", "f", 60)
    state.add_participant(first, "CUSTOMER", "Ann")
    seg2, _ = state.transfer(first, "QUEUE", "", succeed=True)
    seg3, _ = state.transfer(first, "QUEUE", "", succeed=True)
    state.end_contact(first)
    second = state.new_contact("i", "f", 60, Continuation(first, seg2))  # continues from segment 2
    state.end_contact(second)
    third = state.new_contact("i", "f", 60, Continuation(second, second.contact_id))
    key, initial, entries = state.transcript_view(third, seg2)
    assert (key, initial) == (f"{first.contact_id}/{seg2}", first.contact_id)
    assert entries == first.entries_until(seg2)
    assert state.transcript_view(third, first.contact_id)[2] == first.entries_until(seg2)
    key, initial, entries = state.transcript_view(third, second.contact_id)
    assert (key, initial) == (f"{second.contact_id}/{second.contact_id}", second.contact_id)
    assert entries == second.entries
    with pytest.raises(ServiceError) as raised:
        state.transcript_view(third, seg3)  # after the contact continued from: not reachable
    assert raised.value.status == 400
    assert seg3 in raised.value.message
    with pytest.raises(ServiceError):
        state.transcript_view(first, second.contact_id)  # links go back, never forward


# --- sockets ------------------------------------------------------------------------------------


def test_items_reach_subscribed_sockets_of_participants_still_in(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    gone = state.add_participant(contact, "AGENT", "Gone")
    subscribed, _ = _socket(ann)
    waiting, _ = _socket(ann, subscribed=False)
    bot_sock, _ = _socket(bot)
    gone_sock, _ = _socket(gone)
    gone.left = True
    item = state.add_item(contact, "MESSAGE", "text/plain", bot, content="hi")
    frame = state.frame(contact, item)
    assert _drain(subscribed) == [frame]
    assert _drain(bot_sock) == [frame]
    assert _drain(waiting) == []
    assert _drain(gone_sock) == []


def test_a_frame_is_an_aws_chat_message_with_the_initial_contact_id(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    state.add_participant(contact, "CUSTOMER", "Ann")
    state.transfer(contact, "QUEUE", "", succeed=True)
    item = {"Id": "x", "ContactId": contact.current_id}
    frame = json.loads(State.frame(contact, item))
    assert frame["contentType"] == "application/json"
    assert frame["topic"] == "aws/chat"
    assert set(frame) == {"content", "contentType", "topic"}
    assert json.loads(frame["content"]) == {
        "Id": "x",
        "ContactId": contact.current_id,
        "InitialContactId": contact.contact_id,
    }
    assert "InitialContactId" not in item  # the stored item is left alone


def test_a_subscribed_socket_gets_the_rehydration_once_per_participant(state: State) -> None:
    earlier = state.new_contact("i", "f", 60)
    state.end_contact(earlier)
    later = state.new_contact("i", "f", 60, Continuation(earlier, earlier.contact_id))
    ann = state.add_participant(later, "CUSTOMER", "Ann")
    heard: list[Participant] = []
    state.subscribe_listeners.append(heard.append)
    first, _ = _socket(ann)
    second, _ = _socket(ann)
    state.subscribed(first)
    state.subscribed(second)
    assert later.rehydrated_item is not None
    assert _drain(first) == [state.frame(later, later.rehydrated_item)]
    assert _drain(second) == []
    assert ann.rehydration_shown
    assert heard == [ann, ann]


def test_a_subscribed_socket_of_an_ordinary_chat_gets_nothing_extra(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    sock, _ = _socket(ann)
    state.subscribed(sock)
    assert _drain(sock) == []
    assert not ann.rehydration_shown


# --- items --------------------------------------------------------------------------------------


def test_an_item_has_the_services_members(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    heard: list[tuple[Contact, dict[str, Any], Participant | None]] = []
    state.listeners.append(lambda c, i, p: heard.append((c, i, p)))
    clock.now = 1573180888.172
    item = state.add_item(contact, "MESSAGE", "text/plain", ann, content="hello")
    assert list(item) == [
        "AbsoluteTime",
        "ContentType",
        "Id",
        "Type",
        "Content",
        "ParticipantId",
        "DisplayName",
        "ParticipantRole",
        "ContactId",
    ]
    assert item["AbsoluteTime"] == "2019-11-08T02:41:28.172Z"
    assert (item["ContentType"], item["Type"], item["Content"]) == ("text/plain", "MESSAGE", "hello")
    assert (item["ParticipantId"], item["DisplayName"], item["ParticipantRole"]) == (
        ann.participant_id,
        "Ann",
        "CUSTOMER",
    )
    assert item["ContactId"] == contact.contact_id
    entry = contact.entries[-1]
    assert entry.item is item
    assert entry.time == clock.now
    assert heard == [(contact, item, ann)]


def test_items_without_content_type_sender_or_storage(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    sock, _ = _socket(ann)
    files = [{"AttachmentId": "a1"}]
    item = state.add_item(contact, "ATTACHMENT", None, ann, attachments=files)
    assert "ContentType" not in item
    assert "Content" not in item
    assert item["Attachments"] == files
    typing = state.add_item(contact, EVENT, _model.TYPING, None, store=False, extra={"Extra": 1})
    assert "ParticipantId" not in typing
    assert "Attachments" not in typing
    assert typing["Extra"] == 1
    assert contact.entries[-1].item is item  # the typing event went out only
    assert _drain(sock) == [state.frame(contact, item), state.frame(contact, typing)]
    plain = state.add_item(contact, EVENT, _model.TYPING, None, extra={})
    assert "Extra" not in plain


def test_extra_members_override_and_items_get_rising_sequence_numbers(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    item = state.add_item(contact, "MESSAGE", "text/plain", None, content="x", extra={"Id": "fixed"})
    assert item["Id"] == "fixed"
    state.add_item(contact, "MESSAGE", "text/plain", None, content="y")
    seqs = [e.seq for e in contact.entries]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    assert seqs[0] >= 1
    assert seqs[1] == seqs[0] + 1
    assert contact.entries[0].item["Id"] != contact.entries[1].item["Id"]


# --- tokens and grants ------------------------------------------------------------------------------


def test_participant_tokens_work_while_the_participant_is_active(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    assert state.participant_for_token(ann.token) is ann
    with pytest.raises(ServiceError) as raised:
        state.participant_for_token("unknown")
    assert (raised.value.status, raised.value.message) == (403, "Access denied")
    bot.left = True
    with pytest.raises(ServiceError) as raised:
        state.participant_for_token(bot.token)
    assert (raised.value.status, raised.value.message) == (403, "Access denied")
    clock.now = contact.expires_at  # the chat's duration is over: it ends on this look
    with pytest.raises(ServiceError):
        state.participant_for_token(ann.token)
    assert contact.ended


def test_connection_tokens_work_until_they_expire(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60 * 48)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    grant = state.issue_connection(ann)
    assert grant.expires_at == clock.now + 86400.0
    assert state.connection_tokens[grant.token] is grant
    assert ann.connection_keys == [grant.token]
    assert state.participant_for_connection(grant.token) is ann
    clock.now = grant.expires_at - 0.001
    assert state.participant_for_connection(grant.token) is ann
    clock.now = grant.expires_at
    with pytest.raises(ServiceError) as raised:
        state.participant_for_connection(grant.token)
    assert (raised.value.status, raised.value.message) == (403, "The connection token has expired.")
    with pytest.raises(ServiceError) as raised:
        state.participant_for_connection("unknown")
    assert (raised.value.status, raised.value.message) == (403, "Access denied")


def test_connection_tokens_of_a_participant_who_left_or_an_expired_chat_are_refused(
    state: State, clock: Clock
) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    bot_grant = state.issue_connection(bot)
    ann_grant = state.issue_connection(ann)
    bot.left = True
    with pytest.raises(ServiceError) as raised:
        state.participant_for_connection(bot_grant.token)
    assert raised.value.message == "Access denied"
    clock.now = contact.expires_at
    with pytest.raises(ServiceError) as raised:
        state.participant_for_connection(ann_grant.token)
    assert raised.value.message == "Access denied"
    assert contact.ended


def test_expire_connection_tokens_by_contact_and_participant(state: State, clock: Clock) -> None:
    one = state.new_contact("i", "f", 60)
    two = state.new_contact("i", "f", 60)
    ann = state.add_participant(one, "CUSTOMER", "Ann")
    bot = state.add_participant(one, "CUSTOM_BOT", "Bot")
    ben = state.add_participant(two, "CUSTOMER", "Ben")
    grants = {p.participant_id: state.issue_connection(p) for p in (ann, bot, ben)}
    assert state.expire_connection_tokens(participant_id=bot.participant_id) == 1
    assert grants[bot.participant_id].expires_at == clock.now
    assert grants[ann.participant_id].expires_at > clock.now
    assert state.expire_connection_tokens(contact_id=one.contact_id) == 1  # the bot's expired already
    assert grants[ann.participant_id].expires_at == clock.now
    assert grants[ben.participant_id].expires_at > clock.now
    assert state.expire_connection_tokens(contact_id=two.contact_id, participant_id=ann.participant_id) == 0
    assert state.expire_connection_tokens() == 1
    assert grants[ben.participant_id].expires_at == clock.now
    assert state.expire_connection_tokens() == 0


def test_websocket_and_download_grants(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    key, deadline = state.issue_websocket(ann)
    assert deadline == clock.now + 100.0
    assert state.websocket_grants[key].participant is ann
    assert state.websocket_grants[key].connect_deadline == deadline
    assert ann.websocket_keys == [key]
    other, _ = state.issue_websocket(ann)
    assert other != key
    assert ann.websocket_keys == [key, other]
    attachment = _attachment(contact, ann)
    dkey, expires = state.issue_download(attachment, 30, "inline")
    assert expires == clock.now + 30
    grant = state.download_grants[dkey]
    assert (grant.attachment, grant.expires_at, grant.disposition) == (attachment, expires, "inline")
    assert attachment.download_keys == [dkey]


def _attachment(contact: Contact, participant: Participant) -> _model.Attachment:
    attachment = _model.Attachment("a1", contact, participant, "f.txt", "text/plain", 3, {}, "sig", 0.0)
    attachment.data = b"abc"
    contact.attachments["a1"] = attachment
    return attachment


def test_grants_expired_over_a_minute_ago_are_pruned_when_another_is_issued(
    state: State, clock: Clock
) -> None:
    contact = state.new_contact("i", "f", 60 * 48)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    old = state.issue_connection(ann)
    clock.now = old.expires_at + GRANT_GRACE_SECONDS  # exactly a minute past: pruned
    recent = state.issue_connection(ann)
    assert old.token not in state.connection_tokens
    assert ann.connection_keys == [recent.token]
    clock.now = recent.expires_at + GRANT_GRACE_SECONDS - 0.001  # not quite a minute: kept
    newest = state.issue_connection(ann)
    assert ann.connection_keys == [recent.token, newest.token]
    assert recent.token in state.connection_tokens
    del state.connection_tokens[recent.token]  # a key whose grant went elsewhere is dropped
    state.issue_connection(ann)
    assert recent.token not in ann.connection_keys
    assert len(ann.connection_keys) == 2


def test_websocket_and_download_grants_are_pruned_by_their_own_expiry(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60 * 48)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    key, deadline = state.issue_websocket(ann)
    attachment = _attachment(contact, ann)
    dkey, expires = state.issue_download(attachment, 10, "attachment")
    clock.now = deadline + GRANT_GRACE_SECONDS - 0.001
    state.issue_websocket(ann)
    assert key in state.websocket_grants
    clock.now = deadline + GRANT_GRACE_SECONDS
    state.issue_websocket(ann)
    assert key not in state.websocket_grants
    assert key not in ann.websocket_keys
    clock.now = expires + GRANT_GRACE_SECONDS - 0.001
    state.issue_download(attachment, 10, "attachment")
    assert dkey in state.download_grants
    clock.now = expires + GRANT_GRACE_SECONDS
    state.issue_download(attachment, 10, "attachment")
    assert dkey not in state.download_grants
    assert dkey not in attachment.download_keys


# --- retention ----------------------------------------------------------------------------------


def test_an_ended_chat_is_released_after_its_retention(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    bot = state.add_participant(contact, "CUSTOM_BOT", "Bot")
    seg2, _ = state.transfer(contact, "QUEUE", "", succeed=True)
    state.issue_connection(ann)
    state.issue_websocket(bot)
    attachment = _attachment(contact, ann)
    state.attachments["a1"] = attachment
    state.issue_download(attachment, 10, "inline")
    state.add_cursor(contact, Cursor(contact.contact_id, 1, "FORWARD"))
    state.idempotency.remember(("s", "Op", "t"), {}, contact.contact_id, clock.now)
    _, aborted = _socket(ann)
    other = state.new_contact("i", "f", 60)
    state.add_participant(other, "CUSTOMER", "Ben")
    state.end_contact(contact)
    clock.now += 99.999
    assert state.sweep() == 0
    assert contact.contact_id in state.contacts
    clock.now += 0.001
    assert state.sweep() == 1
    assert contact.contact_id not in state.contacts
    assert seg2 not in state.contacts
    assert other.contact_id in state.contacts
    assert ann.token not in state.participant_tokens
    assert bot.token not in state.participant_tokens
    assert len(state.participant_tokens) == 1
    assert state.connection_tokens == {}
    assert state.websocket_grants == {}
    assert state.download_grants == {}
    assert state.attachments == {}
    assert len(state.cursors) == 0
    assert ann.connection_keys == []
    assert bot.websocket_keys == []
    assert attachment.data is None
    assert contact.attachments == {}
    assert contact.cursor_keys == []
    assert len(state.idempotency) == 0
    assert aborted == ["abort"]
    assert state.sweep() == 0


def test_release_leaves_what_another_contact_took_over(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    other = state.new_contact("i", "f", 60)
    state.contacts[contact.contact_id] = other  # (ids are unique; this checks whose entry goes)
    stranger = state.add_participant(other, "CUSTOMER", "Ben")
    state.participant_tokens[ann.token] = stranger
    state.release(contact)
    assert state.contacts[contact.contact_id] is other
    assert state.participant_tokens[ann.token] is stranger


def test_chats_are_released_in_order_each_after_its_own_retention(state: State, clock: Clock) -> None:
    first = state.new_contact("i", "f", 60)
    second = state.new_contact("i", "f", 60)
    state.end_contact(first)
    clock.now += 50
    state.end_contact(second)
    clock.now += 50
    assert state.sweep() == 1
    assert first.contact_id not in state.contacts
    assert second.contact_id in state.contacts
    clock.now += 50
    assert state.sweep(clock.now) == 1
    assert second.contact_id not in state.contacts


def test_sweep_ends_chats_past_their_duration_every_30_seconds(state: State, clock: Clock) -> None:
    start = clock.now
    state.sweep()  # the first sweep scans at once
    contact = state.new_contact("i", "f", 60)
    clock.now = contact.expires_at
    state.sweep(start + 29.999)  # within 30 s of the last scan: not looked at
    assert not contact.ended
    state.sweep(contact.expires_at)
    assert contact.ended
    assert contact.release_at == contact.expires_at + 100.0


def test_sweep_scans_at_exactly_30_seconds(state: State, clock: Clock) -> None:
    start = clock.now
    state.sweep(start)
    contact = state.new_contact("i", "f", 60)
    contact.expires_at = start
    state.sweep(start + 30.0)
    assert contact.ended


def test_sweep_forgets_expired_idempotency_answers(state: State, clock: Clock) -> None:
    state.idempotency.remember(("s", "Op", "t"), {}, "c", clock.now)
    state.sweep(clock.now + 49.999)
    assert len(state.idempotency) == 1
    state.sweep(clock.now + 50.0)
    assert len(state.idempotency) == 0


# --- cursors ---------------------------------------------------------------------------------------


def test_cursors_are_kept_per_contact_and_bounded(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    tokens = [state.add_cursor(contact, Cursor("c", n, "FORWARD")) for n in range(1001)]
    assert len(set(tokens)) == 1001
    assert tokens[0] not in state.cursors  # a contact keeps its newest 1000
    assert tokens[1] in state.cursors
    assert state.cursors[tokens[1]].seq == 1
    assert contact.cursor_keys == tokens[1:]
    assert len(state.cursors) == 1000


def test_a_contact_keeps_exactly_1000_cursors(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    tokens = [state.add_cursor(contact, Cursor("c", n, "FORWARD")) for n in range(1000)]
    assert tokens[0] in state.cursors
    assert len(contact.cursor_keys) == 1000


def test_all_cursors_together_are_bounded_oldest_first(state: State) -> None:
    contacts = [state.new_contact("i", "f", 60) for _ in range(21)]
    first = state.add_cursor(contacts[0], Cursor("c", 0, "FORWARD"))
    second = state.add_cursor(contacts[0], Cursor("c", 1, "FORWARD"))
    for contact in contacts[1:]:
        for n in range(997 if contact is contacts[1] else 1000):
            state.add_cursor(contact, Cursor("c", n, "BACKWARD"))
    assert len(state.cursors) == 20000 - 1
    last = state.add_cursor(contacts[1], Cursor("c", 5, "BACKWARD"))
    assert len(state.cursors) == 20000
    assert first in state.cursors
    newest = state.add_cursor(contacts[1], Cursor("c", 6, "BACKWARD"))
    assert len(state.cursors) == 20000
    assert first not in state.cursors
    assert {second, last, newest} <= set(state.cursors)


# --- found by the first mutation run ---------------------------------------------------------------


@pytest.fixture
def far_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A local time zone far from UTC, so a time read or written as local time shows."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    real_time.tzset()
    yield
    monkeypatch.undo()
    real_time.tzset()


def test_times_are_utc_whatever_the_local_zone(far_zone: None) -> None:
    assert iso_time(0.0) == "1970-01-01T00:00:00.000Z"
    assert parse_iso_time("1970-01-01T00:00:03") == 3.0


def test_a_fresh_state_is_empty_and_counts_from_one(state: State, clock: Clock) -> None:
    assert state.sockets == set()
    assert state.server_closes == {"clean": 0, "unclean": 0}
    contact = state.new_contact("i", "f", 60)
    state.add_participant(contact, "CUSTOMER", "Ann")
    assert contact.entries[0].seq == 1


def test_the_first_sweep_looks_for_expired_chats_whatever_the_time(clock: Clock) -> None:
    state = State(EmulatorConfig())
    contact = state.new_contact("i", "f", 60)
    contact.expires_at = 0.0
    state.sweep(0.5)
    assert contact.ended


def test_sweep_waits_30_seconds_between_looks(state: State, clock: Clock) -> None:
    start = clock.now
    state.sweep(start)
    contact = state.new_contact("i", "f", 60)
    contact.expires_at = start  # expired already
    state.sweep(start + 29.999)
    assert not contact.ended
    clock.now = start  # the scan uses the sweep's time, not the clock's
    contact.expires_at = start + 50
    state.sweep(start + 60.0)
    assert contact.ended


def test_sweep_releases_every_chat_that_is_due(state: State, clock: Clock) -> None:
    contacts = [state.new_contact("i", "f", 60) for _ in range(3)]
    for contact in contacts[:2]:
        state.end_contact(contact)
    clock.now += 100.0
    assert state.sweep() == 2
    assert list(state.contacts) == [contacts[2].contact_id]


def test_release_forgets_the_contacts_idempotency_answers(state: State, clock: Clock) -> None:
    contact = state.new_contact("i", "f", 60)
    other = state.new_contact("i", "f", 60)
    state.end_contact(contact)
    clock.now += 99.0
    state.idempotency.remember(("s", "Op", "t"), {}, contact.contact_id, clock.now)  # due much later
    state.idempotency.remember(("s", "Op", "u"), {}, other.contact_id, clock.now)
    clock.now += 1.0
    state.sweep()
    assert len(state.idempotency) == 1
    assert state.idempotency.recall(("s", "Op", "u"), clock.now) == {}


def test_release_copes_with_cursors_gone_already(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    state.add_cursor(contact, Cursor("c", 0, "FORWARD"))
    for _ in range(20):
        filler = state.new_contact("i", "f", 60)
        for n in range(1000):
            state.add_cursor(filler, Cursor("c", n, "FORWARD"))
    assert len(contact.cursor_keys) == 1
    assert contact.cursor_keys[0] not in state.cursors
    state.end_contact(contact)
    state.release(contact)
    assert contact.cursor_keys == []


def test_a_contact_over_its_cursors_copes_with_its_oldest_gone_already(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    oldest = state.add_cursor(contact, Cursor("c", 0, "FORWARD"))
    for _ in range(20):
        filler = state.new_contact("i", "f", 60)
        for n in range(1000):
            state.add_cursor(filler, Cursor("c", n, "FORWARD"))
    assert oldest not in state.cursors
    for n in range(1000):
        state.add_cursor(contact, Cursor("c", n, "FORWARD"))
    assert oldest not in contact.cursor_keys
    assert len(contact.cursor_keys) == 1000


def test_grant_keys_are_long_random_strings(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    cursor = state.add_cursor(contact, Cursor("c", 0, "FORWARD"))
    websocket, _ = state.issue_websocket(ann)
    download, _ = state.issue_download(_attachment(contact, ann), 10, "inline")
    assert len(base64.urlsafe_b64decode(cursor + "=")) == 32
    assert len(base64.urlsafe_b64decode(websocket)) == 48
    assert len(bytes.fromhex(download)) == 32


def test_items_have_uuid_ids_and_events_have_type_event(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    dana = state.add_participant(contact, "AGENT", "Dana")
    state.transfer(contact, "QUEUE", "", succeed=False)
    state.transfer(contact, "QUEUE", "", succeed=True)
    state.disconnect(ann)
    items = [e.item for e in contact.entries]
    assert [i["ContentType"] for i in items] == [
        JOINED,
        JOINED,
        _model.TRANSFER_FAILED,
        _model.TRANSFER_SUCCEEDED,
        LEFT,
        LEFT,
        ENDED,
    ]
    assert all(i["Type"] == EVENT for i in items)
    ids = [str(uuid.UUID(i["Id"])) for i in items]
    assert ids == [i["Id"] for i in items]
    assert len(set(ids)) == len(ids)
    assert dana.left


def test_a_participant_who_left_first_does_not_stop_the_others_hearing(state: State) -> None:
    contact = state.new_contact("i", "f", 60)
    gone = state.add_participant(contact, "AGENT", "Gone")
    ann = state.add_participant(contact, "CUSTOMER", "Ann")
    gone.left = True
    sock, _ = _socket(ann)
    item = state.add_item(contact, "MESSAGE", "text/plain", ann, content="hi")
    assert _drain(sock) == [state.frame(contact, item)]


def test_expire_connection_tokens_counts_every_grant_it_expires(state: State, clock: Clock) -> None:
    one = state.new_contact("i", "f", 60)
    two = state.new_contact("i", "f", 60)
    ben = state.add_participant(two, "CUSTOMER", "Ben")
    ann = state.add_participant(one, "CUSTOMER", "Ann")
    bot = state.add_participant(one, "CUSTOM_BOT", "Bot")
    for participant in (ben, ann, bot):  # the other contact's grant first
        state.issue_connection(participant)
    assert state.expire_connection_tokens(participant_id=bot.participant_id) == 1
    assert state.expire_connection_tokens(contact_id=one.contact_id) == 1
    state.issue_connection(ann)
    state.issue_connection(bot)
    assert state.expire_connection_tokens(contact_id=one.contact_id) == 2


def test_forgetting_an_owner_copes_with_answers_swept_already() -> None:
    memory = Idempotency(10.0)
    memory.remember(("s", "Op", "old"), {}, "c1", 0.0)
    memory.remember(("s", "Op", "new"), {}, "c2", 5.0)
    memory.sweep(12.0)  # "old" is gone, its owner's set still names it
    memory.forget("c1")
    assert len(memory) == 1


@pytest.mark.parametrize(
    ("live", "owners", "pruned"), [(1, 66, False), (1, 67, True), (2, 68, False), (2, 69, True)]
)
def test_owner_sets_are_pruned_past_twice_the_answers_plus_64(live: int, owners: int, pruned: bool) -> None:
    memory = Idempotency(10.0)
    for n in range(owners - live):
        memory.remember(("s", "Op", f"t{n}"), {}, f"owner{n}", 0.0)
    for n in range(live):
        memory.remember(("s", "Op", f"live{n}"), {}, f"keeper{n}", 45.0)
    memory.sweep(50.0)  # the bound: 2 * live answers + 64 owners; past it, owners of none go
    assert len(memory._owned) == (live if pruned else owners)
    assert all(memory._owned[f"keeper{n}"] == {("s", "Op", f"live{n}")} for n in range(live))
