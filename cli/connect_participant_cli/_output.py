"""What the command line prints: transcript lines (rich), JSON values, progress bars (rich).

rich is imported inside the functions that draw, so ``--help`` and the JSON formats stay quick.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

Progress = Callable[[int, int], None]


def json_value(value: Any) -> Any:
    """A JSON value for what the library returns: ``None`` is ``null``, enums their value."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return json_value(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return str(value)


def print_json(value: Any, out: TextIO | None = None, *, indent: int | None = None) -> None:
    out = out or sys.stdout
    out.write(json.dumps(json_value(value), indent=indent, ensure_ascii=False) + "\n")
    out.flush()


def item_json(item: Any) -> dict[str, Any]:
    """A transcript item exactly as the service sent it (AWS's member names)."""
    return dict(item.raw)


def _when(item: Any) -> str:
    """HH:MM:SS of an item's AbsoluteTime (ISO 8601, UTC)."""
    return str(getattr(item, "absolute_time", None) or "")[11:19]


def _label(item: Any) -> str:
    """What an event item means, in words (typed by the library's one mapping of items to events)."""
    from connect_participant import (
        AttachmentAdded,
        ChatEnded,
        DeliveredReceipt,
        Event,
        Message,
        ParticipantJoined,
        ParticipantLeft,
        ReadReceipt,
        Typing,
    )

    event = Event.from_item(item)
    if isinstance(event, Message):
        return "message"
    if isinstance(event, AttachmentAdded):
        return "file"
    if isinstance(event, ChatEnded):
        return "ended"
    labels: dict[type, str] = {
        ParticipantJoined: "joined",
        ParticipantLeft: "left",
        Typing: "is typing…",
        DeliveredReceipt: "message delivered",  # receipts name no sender (as AWS sends them)
        ReadReceipt: "message read",
    }
    label = labels.get(type(event))
    if label is None:  # other events: what their content type says (connection.acknowledged, …)
        label = (
            str(item.content_type or item.type or "")
            .rsplit("event.", 1)[-1]
            .replace("_", " ")
            .replace(".", " ")
            .lower()
        )
    return label


def _message_text(item: Any) -> str:
    """A message's text; an interactive one (a list picker, quick replies, …) as its title and
    numbered choices — typing a choice's title answers it, as AWS's chat interface does."""
    template = getattr(item, "interactive", None)
    if template is None:
        return str(item.content)
    from connect_participant import TimePicker

    title = template.title or template.template_type or "interactive message"
    choices: list[str] = []
    if isinstance(template, TimePicker):
        choices = [f"{slot.date} ({slot.duration} min)" for slot in template.timeslots]
    else:
        choices = [str(option.title) for option in getattr(template, "options", ()) if option.title]
    if not choices:
        return f"{title} [{template.template_type}]"
    numbered = "  ".join(f"{n}) {choice}" for n, choice in enumerate(choices, start=1))
    return f"{title} — {numbered}"


def describe(item: Any) -> Text:
    """One line for a person: a message, a file, or what an event means (styled; text is never markup)."""
    from rich.text import Text

    who = item.display_name or str(item.participant_role or "")
    line = Text(f"[{_when(item)}] ", style="dim")
    label = _label(item)
    if label == "message":
        line.append(who, style="bold cyan")
        line.append(f": {_message_text(item)}")
    elif label == "file":
        names = ", ".join(f"{a.name} ({a.status})" for a in item.attachments)
        line.append(who, style="bold cyan")
        line.append(f" sent a file: {names}")
    elif label == "ended":
        line.append("— the chat ended —", style="bold")
    else:
        line.append(f"{who} {label}".strip(), style="italic")
    return line


def console(out: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A rich console that never wraps lines (a transcript piped to a file keeps one item a line)."""
    from rich.console import Console

    return Console(file=out, stderr=stderr, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def progress_bar(label: str, *, quiet: bool = False) -> Iterator[Progress | None]:
    """A rich progress bar on stderr (bytes, speed, time left) fed by the library's ``progress``."""
    if quiet:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console(stderr=True)) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report
