"""``connect-participant flows pull``: an Amazon Connect instance's flows and modules, as deployed,
into a folder the emulator loads (the ``[aws]`` extra: boto3's ``connect`` client).

Connect's own calls, signed with the user's AWS credentials (boto3's chain), paginated:
ListContactFlows and ListContactFlowModules, then DescribeContactFlow / DescribeContactFlowModule
for each. Each flow is written as Connect describes it (``Id``, ``Arn``, ``Name``, ``Type``,
``State``, ``Content`` — the Flow-language document, as a string, unchanged — …), one file per
flow, named after it; ``manifest.json`` lists every file with its id, ARN, name and type.

Nothing is written until every flow has been read: a pull that fails half-way leaves the
folder as it was. A pull into a folder pulled before replaces the files its old manifest
lists (flows deleted since disappear) and leaves every other file alone.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FLOWS_DIR = "flows"
MODULES_DIR = "modules"
_NAME_LIMIT = 100
_UNSAFE = re.compile(r"[^\w .()+=,@-]")


class PullError(Exception):
    """The pull failed: ``usage`` when it is the user's setup (extra, credentials, region)."""

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class PullResult:
    flows: int
    modules: int
    skipped: list[dict[str, str]] = field(default_factory=list)

    def summary(self, dest: Path) -> str:
        modules = "module" if self.modules == 1 else "modules"
        flows = "flow" if self.flows == 1 else "flows"
        line = f"pulled {self.flows} {flows} and {self.modules} {modules} into {dest}"
        if self.skipped:
            line += f" ({len(self.skipped)} skipped, listed in {MANIFEST})"
        return line


# -- pure: file names and the manifest ---------------------------------------------------------


def file_stem(name: str, taken: set[str]) -> str:
    """A file name for a flow called ``name``: its own name where the file system allows it,
    unique in ``taken`` even on a case-insensitive file system (``taken`` is updated)."""
    stem = _UNSAFE.sub("_", name).strip(" .")[:_NAME_LIMIT] or "flow"
    candidate, n = stem, 2
    while candidate.casefold() in taken:
        candidate, n = f"{stem} ({n})", n + 1
    taken.add(candidate.casefold())
    return candidate


def plan_files(described: Sequence[Mapping[str, Any]], folder: str) -> list[tuple[str, Mapping[str, Any]]]:
    """``(relative path, described flow)`` for each flow, in a stable order (by name, then id)."""
    taken: set[str] = set()
    ordered = sorted(described, key=lambda d: (str(d.get("Name", "")), str(d.get("Id", ""))))
    return [(f"{folder}/{file_stem(str(d.get('Name') or d.get('Id')), taken)}.json", d) for d in ordered]


def manifest(
    instance_id: str,
    flows: Sequence[tuple[str, Mapping[str, Any]]],
    modules: Sequence[tuple[str, Mapping[str, Any]]],
    skipped: Sequence[Mapping[str, str]],
) -> dict[str, Any]:
    def entry(path: str, d: Mapping[str, Any], *keys: str) -> dict[str, Any]:
        return {"file": path, **{k.lower(): d[k] for k in ("Id", "Arn", "Name", *keys) if k in d}}

    return {
        "instance_id": instance_id,
        "flows": [entry(p, d, "Type", "State", "Status") for p, d in flows],
        "modules": [entry(p, d, "State", "Status") for p, d in modules],
        "skipped": list(skipped),
    }


def _jsonable(described: Mapping[str, Any]) -> dict[str, Any]:
    """The Describe answer as JSON (timestamps as ISO 8601 text)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in described.items()}


# -- I/O: Connect's API and the folder ---------------------------------------------------------


def _client(region: str | None, endpoint_url: str | None, profile: str | None) -> Any:
    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        raise PullError(
            'pulling flows needs boto3: pip install "connect-participant[aws]"', usage=True
        ) from None
    # $AWS_REGION first, as this SDK and the other AWS SDKs (boto3 reads only $AWS_DEFAULT_REGION);
    # a session of its own: boto3's default one keeps the credentials it found first
    session = boto3.session.Session(profile_name=profile)
    return session.client(
        "connect", region_name=region or os.environ.get("AWS_REGION") or None, endpoint_url=endpoint_url
    )


def _paginate(client: Any, operation: str, key: str, **request: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**request):
        found.extend(page.get(key, []))
    return found


def _read_instance(
    client: Any, instance_id: str, types: Sequence[str], warn: Callable[[str], None]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, str]]]:
    import botocore.exceptions  # type: ignore[import-untyped]

    request: dict[str, Any] = {"InstanceId": instance_id}
    if types:
        request["ContactFlowTypes"] = list(types)
    summaries = _paginate(client, "list_contact_flows", "ContactFlowSummaryList", **request)
    module_summaries = _paginate(
        client,
        "list_contact_flow_modules",
        "ContactFlowModulesSummaryList",
        InstanceId=instance_id,
        ContactFlowModuleState="ACTIVE",
    )
    flows: list[dict[str, Any]] = []
    modules: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []

    def skip(summary: Mapping[str, Any], kind: str, reason: str) -> None:
        skipped.append(
            {"kind": kind, "id": str(summary.get("Id")), "name": str(summary.get("Name")), "reason": reason}
        )
        warn(f"skipped {kind} {summary.get('Name')!r} ({summary.get('Id')}): {reason}")

    for summary in summaries:
        if summary.get("ContactFlowState") == "ARCHIVED":
            skip(summary, "flow", "archived")
            continue
        try:
            answer = client.describe_contact_flow(InstanceId=instance_id, ContactFlowId=summary["Id"])
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ContactFlowNotPublishedException":
                skip(summary, "flow", "not published (only saved)")
                continue
            if code == "ResourceNotFoundException":  # deleted while we listed
                skip(summary, "flow", "deleted during the pull")
                continue
            raise
        flows.append(_jsonable(answer["ContactFlow"]))
    for summary in module_summaries:
        try:
            answer = client.describe_contact_flow_module(
                InstanceId=instance_id, ContactFlowModuleId=summary["Id"]
            )
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") == "ResourceNotFoundException":
                skip(summary, "module", "deleted during the pull")
                continue
            raise
        modules.append(_jsonable(answer["ContactFlowModule"]))
    return flows, modules, skipped


def _previous_files(dest: Path) -> list[Path]:
    """The files an earlier pull wrote here (from its manifest), to replace."""
    try:
        old = json.loads((dest / MANIFEST).read_text(encoding="utf-8"))
        entries: Iterable[Mapping[str, Any]] = [*old.get("flows", []), *old.get("modules", [])]
        paths = [dest / str(e["file"]) for e in entries]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []
    root = dest.resolve()
    return [p for p in paths if p.resolve().is_relative_to(root)]  # never outside the folder


def _write(
    dest: Path, files: Sequence[tuple[str, Mapping[str, Any]]], manifest_doc: Mapping[str, Any]
) -> None:
    for stale in _previous_files(dest):
        stale.unlink(missing_ok=True)
    for sub in (FLOWS_DIR, MODULES_DIR):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    for path, described in files:
        (dest / path).write_text(json.dumps(described, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (dest / MANIFEST).write_text(
        json.dumps(manifest_doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def pull_flows(
    *,
    instance_id: str,
    dest: Path,
    region: str | None = None,
    endpoint_url: str | None = None,
    profile: str | None = None,
    types: Sequence[str] = (),
    warn: Callable[[str], None] = lambda _: None,
) -> PullResult:
    """Every (published, active) flow and module of the instance into ``dest``."""
    try:
        import botocore.exceptions
    except ImportError:
        raise PullError(
            'pulling flows needs boto3: pip install "connect-participant[aws]"', usage=True
        ) from None
    if dest.exists() and not dest.is_dir():
        raise PullError(f"{dest} is not a folder", usage=True)
    try:
        client = _client(region, endpoint_url, profile)
        flows, modules, skipped = _read_instance(client, instance_id, types, warn)
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "") or "Connect"
        raise PullError(
            f"{operation}: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": "), usage=False
        ) from None
    except (
        botocore.exceptions.NoRegionError,
        botocore.exceptions.NoCredentialsError,
        botocore.exceptions.ProfileNotFound,
    ) as exc:
        raise PullError(str(exc), usage=True) from None
    except botocore.exceptions.ParamValidationError as exc:  # one line: its report spans several
        raise PullError(
            "; ".join(ln.strip() for ln in str(exc).splitlines() if ln.strip()), usage=True
        ) from None
    except botocore.exceptions.BotoCoreError as exc:  # the endpoint cannot be reached, …
        raise PullError(f"Connect: {type(exc).__name__}: {exc}", usage=False) from None
    flow_files = plan_files(flows, FLOWS_DIR)
    module_files = plan_files(modules, MODULES_DIR)
    dest.mkdir(parents=True, exist_ok=True)
    _write(dest, [*flow_files, *module_files], manifest(instance_id, flow_files, module_files, skipped))
    return PullResult(flows=len(flow_files), modules=len(module_files), skipped=skipped)
