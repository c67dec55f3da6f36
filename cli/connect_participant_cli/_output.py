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


def choices(template: Any) -> list[str]:
    """What can be chosen in an interactive message, in order: ``chat.select(template, i)`` sends
    choice ``i`` (a list picker's, quick reply's or panel's options; a time picker's slots)."""
    from connect_participant import TimePicker

    if isinstance(template, TimePicker):
        return [f"{slot.date} ({slot.duration} min)" for slot in template.timeslots]
    return [str(option.title or "(untitled)") for option in getattr(template, "options", ())]


def _message_text(item: Any) -> str:
    """A message's text; an interactive one (a list picker, quick replies, …) as its title and
    numbered choices — typing a choice's number or title answers it, as AWS's chat interface does."""
    template = getattr(item, "interactive", None)
    if template is None:
        return str(item.content)
    title = template.title or template.template_type or "interactive message"
    listed = choices(template)
    if not listed:
        return f"{title} [{template.template_type}]"
    numbered = "  ".join(f"{n}) {choice}" for n, choice in enumerate(listed, start=1))
    return f"{title} — {numbered}"


def is_noise(item: Any) -> bool:
    """What a person need not see: the service acknowledging a connection."""
    from connect_participant import ConnectionAcknowledged, Event

    return isinstance(Event.from_item(item), ConnectionAcknowledged)


def describe(item: Any, *, mine: bool = False, text: str | None = None) -> Text:
    """One line for a person: a message, a file, or what an event means. The time is dim, the name
    coloured (green for this participant's own items, cyan for the others'), the text as it is
    (never read as markup). ``text`` replaces a message's text (a streamed answer so far)."""
    from rich.text import Text

    who = item.display_name or str(item.participant_role or "")
    name_style = "bold green" if mine else "bold cyan"
    line = Text()
    line.append(f"[{_when(item)}] ", style="dim")
    label = _label(item)
    if label == "message":
        line.append(who, style=name_style)
        line.append(f": {_message_text(item) if text is None else text}")
    elif label == "file":
        names = ", ".join(f"{a.name} ({a.status})" for a in item.attachments)
        line.append(who, style=name_style)
        line.append(f" sent a file: {names}")
    elif label == "ended":
        line.append("— the chat ended —", style="bold")
    else:
        line.append(f"{who} {label}".strip(), style="italic")
    return line


def ansi(text: Text) -> str:
    """``text`` as ANSI escape sequences (for prompt_toolkit, which draws the lines still changing)."""
    import io

    from rich.console import Console

    out = Console(
        file=io.StringIO(), force_terminal=True, color_system="standard", highlight=False, soft_wrap=True
    )
    with out.capture() as captured:
        out.print(text, end="")
    return captured.get()


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
    bar = Progress(*columns, console=console(stderr=True))
    task = bar.add_task(label, total=None)
    started = False

    def report(done: int, total: int) -> None:
        nonlocal started
        if not started:  # drawn from the first bytes: a file refused before sending draws nothing
            bar.start()
            started = True
        bar.update(task, completed=done, total=total)

    try:
        yield report
    finally:
        if started:
            bar.stop()
