"""Sending a file from the command line (``send-file`` and the chat's ``/file``): the attachment
limits from the options, and the library's refusals put in the user's words — the limit, the
file's size, the option that changes it — never the library's argument names."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

#: the options that change the limits (both commands have them)
MAX_SIZE_OPTION = "--max-attachment-size"
ANY_TYPE_OPTION = "--any-file-type"
#: the largest attachment an instance can allow (Connect's AttachedFilesConfiguration for CHAT)
INSTANCE_MAX = 104_857_600

_UNITS = {"": 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """``"52428800"``, ``"50MB"``, ``"50MiB"``, ``"512kB"`` as bytes (ValueError otherwise)."""
    match = _SIZE.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"{MAX_SIZE_OPTION} takes bytes, or a size such as 50MB or 50MiB")
    size = int(float(match.group(1)) * _UNITS[unit])
    if not 1 <= size <= INSTANCE_MAX:
        raise ValueError(f"{MAX_SIZE_OPTION} must be from 1 byte to {human(INSTANCE_MAX)} (Connect's most)")
    return size


def human(size: int) -> str:
    """``20 MiB``, ``30.5 MiB``, ``512 KiB``, ``12 bytes``."""
    for unit, factor in (("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.1f} {unit}".replace(".0 ", " ")
    return f"{size} byte" + ("" if size == 1 else "s")


def limits(args: Any) -> Any:
    """The client's ``attachment_limits`` from the options (``None``: Connect's defaults)."""
    from connect_participant import AttachmentLimits

    max_size = getattr(args, "max_attachment_size", None)
    any_type = getattr(args, "any_file_type", False)
    if max_size is None and not any_type:
        return None
    options: dict[str, Any] = {}
    if max_size is not None:
        options["max_size"] = max_size
    if any_type:
        options["extensions"] = None
        options["content_types"] = None
    return AttachmentLimits(**options)


def refusal(exc: Exception, path: Path, name: str | None, max_size: int) -> str:
    """What an ``InvalidInputError`` from ``upload_attachment`` means, in the user's words."""
    argument = getattr(exc, "argument", "")
    rule = str(getattr(exc, "rule", exc))
    shown = name or path.name
    if argument == "path_or_binary_file":
        try:
            size = os.path.getsize(path)
        except OSError:
            return f"{path}: {rule}"
        if size < 1:
            return f"{shown} is empty: an attachment needs at least 1 byte"
        if size > max_size:
            advice = (
                f"if your Amazon Connect instance allows larger attachments, raise the limit with "
                f"{MAX_SIZE_OPTION} {math.ceil(size / 1024**2)}MiB"
                if size <= INSTANCE_MAX
                else f"Amazon Connect takes no attachment above {human(INSTANCE_MAX)}"
            )
            return f"{shown} is {human(size)} ({size:,} bytes), over the {human(max_size)} attachment limit; {advice}"
        return f"{path}: cannot be sent ({rule})"
    if argument == "name":
        if "extension" in rule:
            allowed = rule[rule.find("(") + 1 : rule.find(";")] if "(" in rule else ""
            return (
                f"{shown}: Amazon Connect's chat attachments end in {allowed} by default; if your "
                f"instance allows other types, add {ANY_TYPE_OPTION}"
            )
        return f"{shown}: the name must be 1 to 256 characters (--name)"
    if argument == "content_type":
        if "guessed" in rule:
            return f"{shown}: its content type cannot be guessed from the name; give it with --content-type"
        return (
            f"{shown}: the content type is not one Amazon Connect accepts by default; if your instance "
            f"allows it, add {ANY_TYPE_OPTION}"
        )
    return f"{shown}: {rule}"
