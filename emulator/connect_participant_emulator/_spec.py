"""Loads the project's OpenAPI document and exposes what the emulator validates."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._validation import SchemaValidator

__all__ = ["OperationSpec", "ParameterSpec", "ServiceSpec", "SpecNotFoundError", "load_spec", "spec_path"]

_SPEC_NAME = "connect-participant.openapi.json"


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    location: str  # "header", "path" or "query"
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class OperationSpec:
    operation_id: str
    method: str
    path: str
    parameters: tuple[ParameterSpec, ...] = ()
    body_schema: Mapping[str, Any] | None = None
    body_required: bool = False
    error_statuses: frozenset[int] = field(default_factory=frozenset)


class ServiceSpec:
    """The operations of the document, by operationId, plus a validator for its schemas."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.validator = SchemaValidator(document)
        self.operations: dict[str, OperationSpec] = {}
        paths = document.get("paths") or {}
        for path, item in paths.items():
            shared = item.get("parameters") or []
            for method, operation in item.items():
                if method not in {"get", "put", "post", "delete", "patch", "head", "options"}:
                    continue
                params = [self._parameter(p) for p in [*shared, *(operation.get("parameters") or [])]]
                body = operation.get("requestBody")
                body_schema = None
                body_required = False
                if isinstance(body, Mapping):
                    body = self.validator.resolve(body)
                    body_required = bool(body.get("required", False))
                    content = body.get("content") or {}
                    media = content.get("application/json") or next(iter(content.values()), None)
                    if isinstance(media, Mapping) and isinstance(media.get("schema"), Mapping):
                        body_schema = media["schema"]
                statuses = frozenset(
                    int(code)
                    for code in (operation.get("responses") or {})
                    if str(code).isdigit() and int(code) >= 400
                )
                op_id = operation.get("operationId") or f"{method.upper()} {path}"
                self.operations[op_id] = OperationSpec(
                    operation_id=op_id,
                    method=method.upper(),
                    path=path,
                    parameters=tuple(params),
                    body_schema=body_schema,
                    body_required=body_required,
                    error_statuses=statuses,
                )

    def _parameter(self, raw: Mapping[str, Any]) -> ParameterSpec:
        param = self.validator.resolve(raw)
        return ParameterSpec(
            name=str(param.get("name", "")),
            location=str(param.get("in", "")),
            required=bool(param.get("required", False)),
            schema=param.get("schema") or {},
        )

    def schema(self, name: str) -> Mapping[str, Any] | None:
        schemas = (self.document.get("components") or {}).get("schemas") or {}
        found = schemas.get(name)
        return found if isinstance(found, Mapping) else None


class SpecNotFoundError(FileNotFoundError):
    """The emulator's OpenAPI document is in none of the places it looks: it will not start without it."""


def _packaged() -> Path:
    """Where the wheel puts the document: the package's ``_spec`` folder."""
    return Path(__file__).resolve().parent / "_spec" / _SPEC_NAME


def spec_path() -> Path | None:
    """Where the OpenAPI document is: packaged in the wheel, else the repository's ``spec/``."""
    try:
        packaged = resources.files("connect_participant_emulator").joinpath("_spec", _SPEC_NAME)
        if packaged.is_file():
            return Path(str(packaged))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        pass
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "spec" / _SPEC_NAME
        if candidate.is_file():
            return candidate
    return None


def load_spec(path: Path | None = None) -> ServiceSpec:
    """Load the document (``path``, else where ``spec_path`` finds it).

    Without it the emulator would serve unvalidated and unlike the service, so a missing
    document, or one without operations, raises ``SpecNotFoundError`` naming where it looked.
    """
    location = path if path is not None else spec_path()
    if location is None or not location.is_file():
        looked = (
            str(location)
            if location is not None
            else f"{_packaged()} (the installed package's copy), then spec/{_SPEC_NAME} in every "
            f"folder above {Path(__file__).resolve().parent} (a source checkout)"
        )
        raise SpecNotFoundError(
            f"the emulator's OpenAPI document {_SPEC_NAME} is missing: looked for {looked}. "
            "The wheel ships it; reinstall connect-participant, or run from a source checkout."
        )
    document = json.loads(location.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{location} is not a JSON object")
    spec = ServiceSpec(document)
    if not spec.operations:
        raise SpecNotFoundError(f"{location} describes no operations: not the emulator's OpenAPI document")
    return spec
