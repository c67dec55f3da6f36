"""What the command line decides to print, without a terminal (found by ``make mutate --module
cli._output`` and ``--module cli._upload``): JSON values, one line per transcript item (its
words and styles), an interactive message as its numbered choices; attachment sizes in the
user's units, the limits the options set, and the library's refusals in the user's words."""

from __future__ import annotations

import enum
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from connect_participant import AttachmentLimits, InvalidInputError, Item
from connect_participant._interactive import INTERACTIVE, parse_interactive
from connect_participant_cli._output import (
    ansi,
    choices,
    console,
    describe,
    is_noise,
    item_json,
    json_value,
    print_json,
    progress_bar,
)
from connect_participant_cli._upload import INSTANCE_MAX, human, limits, parse_size, refusal

EVENT = "application/vnd.amazonaws.connect.event."
AT = "2024-05-01T12:34:56.789Z"

# --- JSON ------------------------------------------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"
    NESTED = 3


def test_json_values() -> None:
    class Named(str):
        pass

    value = {
        1: None,
        "t": True,
        "i": 7,
        "f": 1.5,
        "e": Colour.RED,
        "n": Colour.NESTED,
        "s": Named("x"),
        "l": [Colour.RED, (1, "a")],
        "o": Path("a/b"),
    }
    out = json_value(value)
    assert out == {
        "1": None,
        "t": True,
        "i": 7,
        "f": 1.5,
        "e": "red",
        "n": 3,
        "s": "x",
        "l": ["red", [1, "a"]],
        "o": "a/b",
    }
    assert type(out["s"]) is str


def test_print_json_one_line_or_indented_unicode_kept() -> None:
    out = io.StringIO()
    print_json({"a": "é", "b": [1]}, out)
    assert out.getvalue() == '{"a": "é", "b": [1]}\n'
    indented = io.StringIO()
    print_json({"a": 1}, indented, indent=2)
    assert indented.getvalue() == '{\n  "a": 1\n}\n'


def test_print_json_writes_to_stdout_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    print_json([None])
    assert capsys.readouterr().out == "[null]\n"


def test_an_item_as_json_is_what_the_service_sent() -> None:
    raw = {"Type": "MESSAGE", "Content": "hi", "Unknown": {"x": 1}}
    assert item_json(Item(raw)) == raw


# --- lines ---------------------------------------------------------------------------------------


def _item(**raw: Any) -> Item:
    return Item({"AbsoluteTime": AT, **raw})


def _event(kind: str, **raw: Any) -> Item:
    return _item(Type="EVENT", ContentType=EVENT + kind, **raw)


def _styles(text: Any) -> list[tuple[str, str]]:
    return [(text.plain[s.start : s.end], str(s.style)) for s in text.spans]


def test_a_message_line() -> None:
    item = _item(
        Type="MESSAGE",
        ContentType="text/plain",
        Content="[b]hi[/b]",
        DisplayName="Ann",
        ParticipantRole="AGENT",
    )
    line = describe(item)
    assert line.plain == "[12:34:56] Ann: [b]hi[/b]"  # never read as markup
    assert _styles(line) == [("[12:34:56] ", "dim"), ("Ann", "bold cyan")]
    mine = describe(item, mine=True, text="so far")
    assert mine.plain == "[12:34:56] Ann: so far"
    assert _styles(mine)[1] == ("Ann", "bold green")
    nameless = _item(Type="MESSAGE", ContentType="text/plain", Content="x", ParticipantRole="SYSTEM")
    assert describe(nameless).plain == "[12:34:56] SYSTEM: x"
    timeless = Item({"Type": "MESSAGE", "ContentType": "text/plain", "Content": "x"})
    assert describe(timeless).plain == "[] : x"


def test_a_file_line() -> None:
    item = _item(
        Type="ATTACHMENT",
        ContentType="application/pdf",
        DisplayName="Ann",
        Attachments=[
            {
                "AttachmentId": "a",
                "AttachmentName": "a.pdf",
                "ContentType": "application/pdf",
                "Status": "APPROVED",
            },
            {
                "AttachmentId": "b",
                "AttachmentName": "b.png",
                "ContentType": "image/png",
                "Status": "IN_PROGRESS",
            },
        ],
    )
    line = describe(item, mine=True)
    assert line.plain == "[12:34:56] Ann sent a file: a.pdf (APPROVED), b.png (IN_PROGRESS)"
    assert _styles(line) == [("[12:34:56] ", "dim"), ("Ann", "bold green")]


def test_event_lines() -> None:
    ended = describe(_event("chat.ended", ParticipantRole="SYSTEM"))
    assert ended.plain == "[12:34:56] — the chat ended —"
    assert _styles(ended)[1] == ("— the chat ended —", "bold")
    joined = describe(_event("participant.joined", DisplayName="Ann", ParticipantRole="AGENT"))
    assert joined.plain == "[12:34:56] Ann joined"
    assert _styles(joined)[1] == ("Ann joined", "italic")
    assert describe(_event("participant.left", ParticipantRole="AGENT")).plain == "[12:34:56] AGENT left"
    assert describe(_event("typing", DisplayName="Bo")).plain == "[12:34:56] Bo is typing…"
    receipts = {"Receipts": [{"DeliveredTimestamp": AT, "RecipientParticipantId": "p"}]}
    delivered = _item(Type="MESSAGEMETADATA", MessageMetadata={"MessageId": "m", **receipts})
    assert describe(delivered).plain == "[12:34:56] message delivered"  # no sender, no leading space
    read = _item(
        Type="MESSAGEMETADATA", MessageMetadata={"MessageId": "m", "Receipts": [{"ReadTimestamp": AT}]}
    )
    assert describe(read).plain == "[12:34:56] message read"
    # other events: their content type, in words
    assert describe(_event("connection.acknowledged")).plain == "[12:34:56] connection acknowledged"
    assert describe(_event("participant.display_name_updated", DisplayName="Ann")).plain == (
        "[12:34:56] Ann participant display name updated"
    )
    assert describe(_item(Type="SOMETHING_NEW")).plain == "[12:34:56] something new"
    odd = _item(Type="EVENT", ContentType="application/x.event.one.event.two_three")
    assert describe(odd).plain == "[12:34:56] two three"  # what follows the last "event."
    assert describe(_item()).plain == "[12:34:56] "


def test_only_a_connection_acknowledgement_is_noise() -> None:
    assert is_noise(_event("connection.acknowledged"))
    assert not is_noise(_event("typing"))
    assert not is_noise(_item(Type="MESSAGE", ContentType="text/plain", Content="x"))


def _interactive(kind: str, content: dict[str, Any]) -> Item:
    document = {"templateType": kind, "version": "1.0", "data": {"content": content}}
    return _item(Type="MESSAGE", ContentType=INTERACTIVE, Content=json.dumps(document), DisplayName="Bot")


def test_an_interactive_message_reads_as_its_title_and_numbered_choices() -> None:
    picker = _interactive("ListPicker", {"title": "Pick", "elements": [{"title": "A"}, {"title": "B"}, {}]})
    assert describe(picker).plain == "[12:34:56] Bot: Pick — 1) A  2) B  3) (untitled)"
    untitled = _interactive("QuickReply", {"elements": [{"title": "Yes"}]})
    assert describe(untitled).plain == "[12:34:56] Bot: QuickReply — 1) Yes"
    nameless = _item(Type="MESSAGE", ContentType=INTERACTIVE, Content='{"data": {}}', DisplayName="Bot")
    assert describe(nameless).plain == "[12:34:56] Bot: interactive message [None]"
    empty = _interactive("Panel", {"title": "Info", "elements": []})
    assert describe(empty).plain == "[12:34:56] Bot: Info [Panel]"
    slots = _interactive(
        "TimePicker",
        {
            "title": "When?",
            "timeslots": [{"date": "2024-05-02T10:00+00:00", "duration": 30}, {"date": "d2", "duration": 60}],
        },
    )
    assert (
        describe(slots).plain == "[12:34:56] Bot: When? — 1) 2024-05-02T10:00+00:00 (30 min)  2) d2 (60 min)"
    )


def test_choices_of_a_template_without_options() -> None:
    template = parse_interactive(json.dumps({"templateType": "Carousel", "data": {"content": {}}}))
    assert choices(template) == []
    assert choices(object()) == []


def test_a_line_as_ansi_never_wrapped() -> None:
    name = "Ann " + "n" * 150
    line = describe(_event("participant.joined", DisplayName=name))
    assert ansi(line) == f"\x1b[2m[12:34:56] \x1b[0m\x1b[3m{name} joined\x1b[0m"


def test_a_console_writes_where_it_is_told_never_wrapped_or_highlighted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    long = "count 42 at 127.0.0.1 " + "x" * 150
    out = io.StringIO()
    mine = console(out)
    mine.print(long)
    with mine.capture() as captured:  # styles rendered, as on a terminal
        mine.print(long)
    assert captured.get() == long + "\n"
    assert out.getvalue() == long + "\n"
    console().print("to stdout")
    console(stderr=True).print("to stderr")
    assert capsys.readouterr() == ("to stdout\n", "to stderr\n")


def test_a_progress_bar_is_drawn_on_stderr_from_the_first_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar("quiet", quiet=True) as report:
        assert report is None
    with progress_bar("refused") as report:
        assert report is not None  # nothing sent: nothing drawn
    assert capsys.readouterr() == ("", "")
    with progress_bar("upload a.pdf") as report:
        assert report is not None
        report(5, 10)
        report(2048, 4096)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("upload a.pdf ━")
    assert err.rstrip().endswith(" 50% 2.0/4.1 kB ? -:--:--")
    assert err.count("\n") == 1


# --- attachment sizes and refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("52428800", 52428800),
        (" 50MB ", 50_000_000),
        ("50 MiB", 50 * 1024**2),
        ("512kB", 512_000),
        ("1KiB", 1024),
        ("1.5 mib", int(1.5 * 1024**2)),
        ("7b", 7),
        ("1", 1),
        ("100MiB", INSTANCE_MAX),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "50 GB", "5e3", "-1", "1,000", "50MB extra"])
def test_sizes_that_are_not_sizes(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_size(text)
    assert str(caught.value) == "--max-attachment-size takes bytes, or a size such as 50MB or 50MiB"


@pytest.mark.parametrize("text", ["0", "0.4", str(INSTANCE_MAX + 1), "101MiB"])
def test_sizes_out_of_range(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_size(text)
    assert str(caught.value) == "--max-attachment-size must be from 1 byte to 100 MiB (Connect's most)"


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (12, "12 bytes"),
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (512 * 1024, "512 KiB"),
        (1024**2 - 1, "1024 KiB"),  # 1023.999 rounded
        (1024**2, "1 MiB"),
        (int(30.5 * 1024**2), "30.5 MiB"),
        (20 * 1024**2, "20 MiB"),
    ],
)
def test_human_sizes(size: int, text: str) -> None:
    assert human(size) == text


def test_limits_from_the_options() -> None:
    assert limits(SimpleNamespace()) is None
    assert limits(SimpleNamespace(max_attachment_size=None, any_file_type=False)) is None
    sized = limits(SimpleNamespace(max_attachment_size=5))
    assert sized == AttachmentLimits(max_size=5)
    anything = limits(SimpleNamespace(any_file_type=True))
    assert anything == AttachmentLimits(extensions=None, content_types=None)
    both = limits(SimpleNamespace(max_attachment_size=7, any_file_type=True))
    assert both == AttachmentLimits(max_size=7, extensions=None, content_types=None)


def _refused(call: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        call()
    return caught.value


def test_a_file_too_large_or_empty_in_the_users_words(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * (3 * 1024**2 + 1))
    exc = InvalidInputError("path_or_binary_file", "is larger than max_size")
    assert refusal(exc, big, None, 2 * 1024**2) == (
        "big.pdf is 3 MiB (3,145,729 bytes), over the 2 MiB attachment limit; if your Amazon Connect "
        "instance allows larger attachments, raise the limit with --max-attachment-size 4MiB"
    )
    exact = tmp_path / "exact.pdf"
    exact.write_bytes(b"x" * 2048)
    assert refusal(exc, exact, "shown.pdf", 1024) == (
        "shown.pdf is 2 KiB (2,048 bytes), over the 1 KiB attachment limit; if your Amazon Connect "
        "instance allows larger attachments, raise the limit with --max-attachment-size 1MiB"
    )
    assert (
        refusal(exc, exact, None, 2048) == f"{exact}: cannot be sent (is larger than max_size)"
    )  # at the limit
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert refusal(exc, empty, None, 1024) == "empty.txt is empty: an attachment needs at least 1 byte"
    one = tmp_path / "one.txt"
    one.write_bytes(b"x")
    assert refusal(exc, one, None, 1024) == f"{one}: cannot be sent (is larger than max_size)"
    missing = tmp_path / "missing.txt"
    assert refusal(exc, missing, None, 1024) == f"{missing}: is larger than max_size"


def test_a_file_above_what_connect_takes(tmp_path: Path) -> None:
    huge = tmp_path / "huge.mov"
    with huge.open("wb") as out:  # sparse: no disk space used
        out.truncate(INSTANCE_MAX + 1)
    exc = InvalidInputError("path_or_binary_file", "too large")
    assert refusal(exc, huge, None, 20 * 1024**2) == (
        "huge.mov is 100 MiB (104,857,601 bytes), over the 20 MiB attachment limit; "
        "Amazon Connect takes no attachment above 100 MiB"
    )
    at_most = tmp_path / "most.mov"
    with at_most.open("wb") as out:
        out.truncate(INSTANCE_MAX)
    assert refusal(exc, at_most, None, 20 * 1024**2).endswith(
        "raise the limit with --max-attachment-size 100MiB"
    )


def test_names_and_content_types_in_the_users_words(tmp_path: Path) -> None:
    path = tmp_path / "run.exe"
    defaults = AttachmentLimits()
    extension = _refused(lambda: defaults.check_name("run.exe"))
    assert refusal(extension, path, None, 1) == (
        "run.exe: Amazon Connect's chat attachments end in .csv .doc .docx .heic .jfif .jpeg .jpg .mov .mp4 .pdf "
        ".png .ppt .pptx .rtf .txt .wav .xls .xlsx by default; if your instance allows other types, add --any-file-type"
    )
    bare = InvalidInputError("name", "must end with a supported extension")
    assert refusal(bare, path, "given.exe", 1) == (
        "given.exe: Amazon Connect's chat attachments end in  by default; if your instance allows other types, "
        "add --any-file-type"
    )
    length = _refused(lambda: defaults.check_name(""))
    assert refusal(length, path, None, 1) == "run.exe: the name must be 1 to 256 characters (--name)"
    guess = _refused(lambda: defaults.check_content_type(None, "x.zzz"))
    assert refusal(guess, path, None, 1) == (
        "run.exe: its content type cannot be guessed from the name; give it with --content-type"
    )
    kind = _refused(lambda: defaults.check_content_type("application/x-foo", "a.pdf"))
    assert refusal(kind, path, None, 1) == (
        "run.exe: the content type is not one Amazon Connect accepts by default; if your instance allows it, "
        "add --any-file-type"
    )
    other = InvalidInputError("client_token", "must be short")
    assert refusal(other, path, None, 1) == "run.exe: must be short"
    assert refusal(ValueError("plain"), path, None, 1) == "run.exe: plain"
