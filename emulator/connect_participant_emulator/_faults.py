"""Fault injection and throttling state, driven by the ``/_emulator`` control endpoint."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

from ._config import EmulatorConfig, Quota
from ._model import TokenBucket

__all__ = ["DEFAULT_ERROR_CODES", "FaultRule", "Faults", "Throttle"]

DEFAULT_ERROR_CODES = {
    400: "ValidationException",
    402: "ServiceQuotaExceededException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    409: "ConflictException",
    429: "ThrottlingException",
    500: "InternalServerException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}

ACTIONS = ("error", "drop", "delay")
WHEN = ("before", "after")


@dataclass
class FaultRule:
    id: str
    operation: str
    remaining: int | None  # None: until removed
    action: str
    status: int
    error_code: str
    message: str
    delay_seconds: float
    when: str
    #: only the calls of this contact's participants (None: every call)
    contact_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.latency: dict[str, float] = {}
        self._ids = itertools.count(1)

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Build a rule from the control endpoint's JSON; raises ValueError on bad input."""
        operation = spec.get("operation", "*")
        if not isinstance(operation, str) or not operation:
            raise ValueError("operation must be an operation name or '*'")
        count = spec.get("count", 1)
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ValueError("count must be a positive integer or null (until removed)")
        action = spec.get("action", "error")
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}")
        status = spec.get("status", 500)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400..599)")
        code = spec.get("error_code") or DEFAULT_ERROR_CODES.get(status, "InternalServerException")
        message = spec.get("message") or f"Injected fault ({code})."
        delay = spec.get("delay_seconds", 0.0)
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 600:
            raise ValueError("delay_seconds must be a number from 0 to 600")
        when = spec.get("when", "before")
        if when not in WHEN:
            raise ValueError("when must be 'before' or 'after'")
        if not isinstance(code, str) or not isinstance(message, str):
            raise ValueError("error_code and message must be strings")
        contact_id = spec.get("contact_id")
        if contact_id is not None and (not isinstance(contact_id, str) or not contact_id):
            raise ValueError("contact_id must be a contact's id")
        rule = FaultRule(
            id=str(next(self._ids)),
            operation=operation,
            remaining=count,
            action=action,
            status=status,
            error_code=code,
            message=message,
            delay_seconds=float(delay),
            when=when,
            contact_id=contact_id,
        )
        self.rules.append(rule)
        return rule

    @property
    def scoped(self) -> bool:
        """Some rule is for one contact's calls only (a call's contact must be looked up)."""
        return any(rule.contact_id is not None for rule in self.rules)

    def take(self, operation: str, when: str, contact_id: str | None = None) -> FaultRule | None:
        """Consume one use of the first rule matching ``operation`` at this point (and the
        call's contact, for a rule scoped to one)."""
        for rule in self.rules:
            if rule.when != when or rule.operation not in (operation, "*"):
                continue
            if rule.contact_id is not None and rule.contact_id != contact_id:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
            return rule
        return None

    def latency_for(self, operation: str) -> float:
        return self.latency.get(operation, self.latency.get("*", 0.0))

    def reset(self) -> None:
        self.rules.clear()
        self.latency.clear()


class Throttle:
    """Token buckets per operation: AWS's API rate quotas are per account and Region (shared by
    all the account's Connect instances), and one emulator is one account in one Region."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.enabled = config.throttling
        self.quotas: dict[str, Quota] = dict(config.quotas)
        self._defaults = (config.throttling, dict(config.quotas))
        self.buckets: dict[str, TokenBucket] = {}

    def allow(self, operation: str) -> bool:
        if not self.enabled:
            return True
        quota = self.quotas.get(operation)
        if quota is None:
            return True
        bucket = self.buckets.get(operation)
        if bucket is None:
            bucket = self.buckets[operation] = TokenBucket(quota)
        return bucket.take()

    def configure(self, enabled: bool | None, quotas: dict[str, Quota] | None) -> None:
        if enabled is not None:
            self.enabled = enabled
        if quotas:
            self.quotas.update(quotas)
        self.buckets.clear()

    def reset(self) -> None:
        self.enabled, quotas = self._defaults
        self.quotas = dict(quotas)
        self.buckets.clear()

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "quotas": {name: {"rate": q.rate, "burst": q.burst} for name, q in sorted(self.quotas.items())},
        }
