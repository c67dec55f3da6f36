"""The emulator's fault rules, pure (``_faults``; found by ``make mutate --module emulator._faults``):
what a rule spec may say and the error that names what is wrong, the defaults a rule takes, which
rule a call consumes, latency per operation, and throttling switched off or without a quota."""

from __future__ import annotations

from typing import Any

import pytest
from connect_participant_emulator._config import EmulatorConfig, Quota
from connect_participant_emulator._faults import Faults, Throttle


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"operation": ""}, "operation must be an operation name or '*'"),
        ({"operation": 7}, "operation must be an operation name or '*'"),
        ({"count": 0}, "count must be a positive integer or null (until removed)"),
        ({"count": True}, "count must be a positive integer or null (until removed)"),
        ({"count": 1.0}, "count must be a positive integer or null (until removed)"),
        ({"action": "explode"}, "action must be one of error, drop, delay"),
        ({"status": 399}, "status must be an HTTP error status (400..599)"),
        ({"status": 600}, "status must be an HTTP error status (400..599)"),
        ({"status": True}, "status must be an HTTP error status (400..599)"),
        ({"status": "500"}, "status must be an HTTP error status (400..599)"),
        ({"delay_seconds": -0.1}, "delay_seconds must be a number from 0 to 600"),
        ({"delay_seconds": 600.5}, "delay_seconds must be a number from 0 to 600"),
        ({"delay_seconds": True}, "delay_seconds must be a number from 0 to 600"),
        ({"delay_seconds": "1"}, "delay_seconds must be a number from 0 to 600"),
        ({"when": "during"}, "when must be 'before' or 'after'"),
        ({"error_code": 5}, "error_code and message must be strings"),
        ({"message": ["x"]}, "error_code and message must be strings"),
        ({"contact_id": ""}, "contact_id must be a contact's id"),
        ({"contact_id": 7}, "contact_id must be a contact's id"),
    ],
)
def test_a_bad_rule_is_refused_with_what_is_wrong(spec: dict[str, Any], message: str) -> None:
    faults = Faults()
    with pytest.raises(ValueError) as caught:
        faults.add(spec)
    assert str(caught.value) == message
    assert faults.rules == []


@pytest.mark.parametrize(
    ("spec", "kept"),
    [
        ({"status": 400}, {"status": 400}),
        ({"status": 599}, {"status": 599}),
        ({"delay_seconds": 0}, {"delay_seconds": 0.0}),
        ({"delay_seconds": 600}, {"delay_seconds": 600.0}),
        ({"count": None}, {"remaining": None}),
        ({"count": 3}, {"remaining": 3}),
    ],
)
def test_the_bounds_themselves_are_allowed(spec: dict[str, Any], kept: dict[str, Any]) -> None:
    rule = Faults().add(spec).to_json()
    assert {k: rule[k] for k in kept} == kept


def test_a_rule_takes_the_documented_defaults() -> None:
    faults = Faults()
    assert faults.add({}).to_json() == {
        "id": "1",
        "operation": "*",
        "remaining": 1,
        "action": "error",
        "status": 500,
        "error_code": "InternalServerException",
        "message": "Injected fault (InternalServerException).",
        "delay_seconds": 0.0,
        "when": "before",
        "contact_id": None,
    }
    assert faults.add({"status": 429}).error_code == "ThrottlingException"
    assert faults.add({"status": 418}).error_code == "InternalServerException"  # no default of its own
    assert [r.id for r in faults.rules] == ["1", "2", "3"]


def test_a_rule_scoped_to_a_contact_matches_only_that_contact_s_calls() -> None:
    faults = Faults()
    assert not faults.scoped
    mine = faults.add({"operation": "SendMessage", "contact_id": "c1", "count": 2})
    everyone = faults.add({"operation": "SendMessage"})
    assert faults.scoped
    assert faults.take("SendMessage", "before", "c2") is everyone
    assert faults.take("SendMessage", "before", None) is None  # the unscoped one is used up
    assert faults.take("SendMessage", "before", "c1") is mine
    assert faults.take("SendMessage", "before", "c1") is mine
    assert faults.rules == []
    assert not faults.scoped


def test_a_call_consumes_the_first_matching_rule_at_its_point() -> None:
    faults = Faults()
    after = faults.add({"operation": "SendMessage", "when": "after", "count": 1})
    other = faults.add({"operation": "GetTranscript", "count": 1})
    twice = faults.add({"operation": "*", "count": 2})
    assert faults.take("SendMessage", "before") is twice  # the GetTranscript rule is passed over
    assert faults.take("SendMessage", "after") is after
    assert faults.take("SendMessage", "after") is None  # used up
    assert faults.take("GetTranscript", "before") is other
    assert faults.take("SendEvent", "before") is twice
    assert faults.rules == []
    forever = faults.add({"count": None})
    for _ in range(5):
        assert faults.take("SendEvent", "before") is forever
    assert faults.rules == [forever]


def test_latency_for_an_operation_falls_back_to_the_wildcard() -> None:
    faults = Faults()
    assert faults.latency_for("SendMessage") == 0.0
    faults.latency["*"] = 0.5
    faults.latency["GetTranscript"] = 2.0
    assert faults.latency_for("SendMessage") == 0.5
    assert faults.latency_for("GetTranscript") == 2.0


def test_throttling_off_or_without_a_quota_allows_every_call() -> None:
    quota = Quota(rate=1.0, burst=1)
    throttle = Throttle(EmulatorConfig(throttling=False, quotas={"SendMessage": quota}))
    assert all(throttle.allow("SendMessage") for _ in range(5))
    throttle.configure(True, None)
    assert throttle.allow("SendMessage")
    assert not throttle.allow("SendMessage")  # a burst of one
    assert all(throttle.allow("SendEvent") for _ in range(5))  # no quota of its own
