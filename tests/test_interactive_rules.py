"""Interactive templates and replies (``_interactive``), rule by rule, pure: each refusal's exact
words and the argument it names, the index edges, what counts as a template's field (types
checked, booleans are no numbers), links (how they are named in the refusal) and which documents
are no template at all (found by ``make mutate --module _interactive``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from connect_participant import InvalidInputError
from connect_participant._interactive import (
    INTERACTIVE_RESPONSE,
    Carousel,
    Link,
    ListPicker,
    Option,
    Panel,
    QuickReply,
    TimePicker,
    TimeSlot,
    UnknownTemplate,
    ViewResource,
    json_object,
    option_reply,
    paging_reply,
    parse_interactive,
    view_reply,
)


def _template(kind: str, content: dict[str, Any], **extra: Any) -> Any:
    parsed = parse_interactive(
        json.dumps({"templateType": kind, "version": "1.0", "data": {"content": content}, **extra})
    )
    assert parsed is not None
    return parsed


def _refusal(call: Any, *args: Any) -> str:
    with pytest.raises(InvalidInputError) as caught:
        call(*args)
    return str(caught.value)


PICKER = {
    "title": "Pick",
    "elements": [
        {"title": "Previous options", "actionDetail": "PREVIOUS_OPTIONS"},
        {"title": "A"},
        {"title": "B"},
        {"title": "Show more", "actionDetail": "SHOW_MORE"},
    ],
}


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [None, "", "[1, 2]", '"text"', "{not json", "[" * 100_000])
def test_content_that_is_no_json_object_is_no_template(content: str | None) -> None:
    assert json_object(content) is None
    assert parse_interactive(content) is None


def test_each_template_type_has_its_class_and_others_are_unknown() -> None:
    for kind, cls in [
        ("ListPicker", ListPicker),
        ("Panel", Panel),
        ("QuickReply", QuickReply),
        ("TimePicker", TimePicker),
        ("Carousel", Carousel),
        ("ViewResource", ViewResource),
        ("Poll", UnknownTemplate),
    ]:
        parsed = _template(kind, {})
        assert type(parsed) is cls
        assert (parsed.template_type, parsed.version) == (kind, "1.0")
    nameless = parse_interactive('{"data": {}}')
    assert type(nameless) is UnknownTemplate
    assert nameless is not None
    assert nameless.template_type is None


def test_fields_of_the_wrong_type_read_as_absent_and_booleans_are_no_numbers() -> None:
    picker = _template(
        "ListPicker",
        {"title": 3, "subtitle": ["x"], "preIndex": True, "nextIndex": "9", "listId": 1, "referenceId": None},
    )
    assert (picker.title, picker.subtitle, picker.pre_index, picker.next_index) == (None, None, None, None)
    assert (picker.list_id, picker.reference_id) == (None, None)
    good = _template("ListPicker", {"preIndex": 0, "nextIndex": 5, "listId": "l", "referenceId": "r"})
    assert (good.pre_index, good.next_index, good.list_id, good.reference_id) == (0, 5, "l", "r")
    assert parse_interactive('{"templateType": "Panel", "data": []}').content == {}  # type: ignore[union-attr]
    assert _template("Panel", {}, data={"content": "x"}).content == {}


def test_elements_that_are_no_list_or_no_objects_are_skipped() -> None:
    assert _template("Panel", {"elements": {"title": "A"}}).elements == ()
    assert _template("Panel", {"elements": ["A", {"title": "B"}]}).options == (Option("B"),)
    assert _template("TimePicker", {"timeslots": "x"}).timeslots == ()
    assert _template("TimePicker", {"timeslots": [1, {"date": "d", "duration": True}]}).timeslots == (
        TimeSlot("d", None),
    )
    assert _template("Carousel", {"elements": "x"}).cards == ()
    assert len(_template("Carousel", {"elements": [1, {"templateType": "Panel"}]}).cards) == 1


def test_an_element_with_a_type_is_a_link_whatever_the_type() -> None:
    panel = _template(
        "Panel", {"elements": [{"title": "T", "type": 5, "url": 7}, {"title": "O", "type": None}]}
    )
    assert panel.links == (Link("T", None, "5"),)
    assert panel.options == (Option("O"),)


def test_an_options_fields() -> None:
    raw = {
        "title": "t",
        "subtitle": "s",
        "imageType": "URL",
        "imageData": "https://i",
        "imageDescription": "d",
        "actionDetail": "SHOW_MORE",
    }
    assert Option.from_json(raw) == Option("t", "s", "URL", "https://i", "d", "SHOW_MORE")
    assert Option.from_json(raw).is_paging
    assert Option("x", action_detail="PREVIOUS_OPTIONS").is_paging
    assert not Option("x", action_detail="OTHER").is_paging


def test_only_a_carousels_cards_keep_their_template_identifier() -> None:
    alone = _template("Panel", {"elements": [{"title": "A"}]}, templateIdentifier="id-1")
    assert alone.template_identifier is None
    assert option_reply(alone, "A") == ("text/plain", "A")
    card = {
        "templateType": "ListPicker",
        "templateIdentifier": "id-2",
        "data": {"content": {"elements": [{"title": "A"}]}},
    }
    carousel = _template("Carousel", {"elements": [card]})
    assert carousel.cards[0].template_identifier == "id-2"
    untitled = option_reply(carousel.cards[0], "A")
    assert json.loads(untitled[1]) == {"templateIdentifier": "id-2", "listTitle": "", "selectionText": "A"}
    assert untitled[1] == '{"templateIdentifier":"id-2","listTitle":"","selectionText":"A"}'


def test_view_data_is_parsed_when_it_is_json_text() -> None:
    assert _template("ViewResource", {"viewData": '{"a": 1}'}).view_data == {"a": 1}
    assert _template("ViewResource", {"viewData": "not json"}).view_data == "not json"
    assert _template("ViewResource", {"viewData": {"b": 2}}).view_data == {"b": 2}
    view = _template("ViewResource", {"viewId": "arn", "viewToken": "tok"})
    assert (view.view_id, view.view_token, view.view_data) == ("arn", "tok", None)


def test_a_time_pickers_fields() -> None:
    picker = _template("TimePicker", {"timeZoneOffset": -60, "location": {"title": "x"}})
    assert (picker.time_zone_offset, picker.location) == (-60, {"title": "x"})
    assert _template("TimePicker", {"location": "x"}).location == {}


def test_reply_message_is_the_datas_or_empty() -> None:
    doc = {
        "templateType": "Panel",
        "data": {"replyMessage": {"title": "thanks"}, "content": {"subtitle": "s"}},
    }
    parsed = parse_interactive(json.dumps(doc))
    assert parsed is not None
    assert (parsed.reply_message, parsed.subtitle) == ({"title": "thanks"}, "s")
    assert _template("Panel", {}).reply_message == {}


# --- choosing -----------------------------------------------------------------------------------


def test_indexes_count_choices_from_0_to_one_before_their_number() -> None:
    picker = _template("ListPicker", PICKER)
    assert option_reply(picker, 0) == ("text/plain", "A")
    assert option_reply(picker, 1) == ("text/plain", "B")
    for index in (2, -1):
        assert _refusal(option_reply, picker, index) == "option: must be an index from 0 to 1"


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (Option("A", "other"), "option: must be one of the template's options"),
        ("C", "option: must be the title of one of the template's options"),
        (1.0, "option: must be an Option, an index or an option's title"),
        (True, "option: must be an Option, an index or an option's title"),
        (None, "option: must be an Option, an index or an option's title"),
    ],
)
def test_each_wrong_choice_in_its_own_words(option: object, words: str) -> None:
    assert _refusal(option_reply, _template("ListPicker", PICKER), option) == words


def test_an_option_of_the_template_is_its_own_choice() -> None:
    picker = _template("ListPicker", PICKER)
    assert option_reply(picker, picker.options[1]) == ("text/plain", "B")
    assert option_reply(picker, picker.show_more)[0] == INTERACTIVE_RESPONSE


def test_a_link_is_refused_naming_it_shortly() -> None:
    long_title = "L" * 100
    panel = _template(
        "Panel",
        {"elements": [{"title": long_title, "type": "k" * 60}, {"type": "hyperlink"}, {"title": "Ok"}]},
    )
    words = "is a link ({}), not a choice: open its url; AWS's chat interface sends nothing for it"
    assert _refusal(option_reply, panel, long_title) == f"option: {'L' * 80!r} " + words.format("k" * 40)
    assert _refusal(option_reply, panel, panel.links[1]) == "option: this element " + words.format(
        "hyperlink"
    )


def test_a_choice_needs_a_title_to_send() -> None:
    panel = _template("Panel", {"elements": [{"subtitle": "no title"}, {"title": ""}]})
    for index in (0, 1):
        assert _refusal(option_reply, panel, index) == "option: has no title to send"


def test_paging_buttons_belong_to_list_pickers() -> None:
    panel = _template("Panel", {"elements": [{"title": "More", "actionDetail": "SHOW_MORE"}]})
    assert _refusal(option_reply, panel, "More") == "option: paging buttons belong to list pickers"


def test_templates_without_choices_are_refused_in_words() -> None:
    carousel = _template("Carousel", {})
    assert (
        _refusal(option_reply, carousel, 0)
        == "template: must be one of the carousel's cards (template.cards[i])"
    )
    for kind in ("ViewResource", "Poll"):
        assert _refusal(option_reply, _template(kind, {}), 0) == (
            "template: must be a ListPicker, Panel, QuickReply or TimePicker"
        )


def test_time_slots_by_slot_index_or_date() -> None:
    slots = [{"date": "d0", "duration": 30}, {"date": "d1"}, {"duration": 5}]
    picker = _template("TimePicker", {"timeslots": slots})
    assert option_reply(picker, 0) == ("text/plain", "d0")
    assert option_reply(picker, 1) == ("text/plain", "d1")
    assert option_reply(picker, "d1") == ("text/plain", "d1")
    assert option_reply(picker, picker.timeslots[0]) == ("text/plain", "d0")
    for wrong in (3, -1, 2, "d9", TimeSlot("d0", 99)):  # slot 2 has no date
        assert _refusal(option_reply, picker, wrong) == "option: must be one of the template's time slots"
    for wrong in (True, 1.0, None):
        assert (
            _refusal(option_reply, picker, wrong) == "option: must be a TimeSlot, an index or a slot's date"
        )


# --- paging and views ---------------------------------------------------------------------------


def test_paging_replies_and_their_refusals() -> None:
    picker = _template("ListPicker", PICKER)
    kind, previous = paging_reply(picker, "PREVIOUS_OPTIONS")
    assert kind == INTERACTIVE_RESPONSE
    assert json.loads(previous)["action"] == "PREVIOUS_OPTIONS"
    assert _refusal(paging_reply, _template("Panel", {}), "SHOW_MORE") == "template: must be a ListPicker"
    plain = _template("ListPicker", {"elements": [{"title": "A"}]})
    assert _refusal(paging_reply, plain, "SHOW_MORE") == "template: has no SHOW_MORE option"
    assert _refusal(paging_reply, plain, "PREVIOUS_OPTIONS") == "template: has no PREVIOUS_OPTIONS option"
    only_more = _template("ListPicker", {"elements": [{"title": "M", "actionDetail": "SHOW_MORE"}]})
    assert paging_reply(only_more, "SHOW_MORE")[0] == INTERACTIVE_RESPONSE
    assert only_more.previous is None


@pytest.mark.parametrize("action", ["a", "a" * 255])
def test_a_view_action_of_1_to_255_characters(action: str) -> None:
    assert json.loads(view_reply(action)[1])["action"] == action


@pytest.mark.parametrize("action", ["", "a" * 256, None, 5])
def test_a_view_action_outside_1_to_255_characters_is_refused(action: object) -> None:
    assert _refusal(view_reply, action) == "action: must be a str of 1..255 characters"


def test_a_view_action_must_be_one_of_its_actions_and_output_json() -> None:
    assert view_reply("Submit", None, ("Submit",))[0] == INTERACTIVE_RESPONSE
    assert _refusal(view_reply, "Delete", None, ("Submit",)) == "action: must be one of the view's actions"
    assert _refusal(view_reply, "Submit", {"x": object()}) == "output: must be JSON-serializable"
    assert _refusal(view_reply, "Submit", {1j: 1}) == "output: must be JSON-serializable"
    assert json.loads(view_reply("Submit", [1, "é"])[1])["data"] == [1, "é"]
    assert "é" in view_reply("Submit", ["é"])[1]  # not escaped: as AWS's chat interface sends it


def test_output_that_refers_to_itself_is_refused_too() -> None:
    looped: list[Any] = []
    looped.append(looped)  # json.dumps raises ValueError here, TypeError for an unknown type
    assert _refusal(view_reply, "Submit", looped) == "output: must be JSON-serializable"


@pytest.mark.parametrize("content", ["[" * 100_000, '{"a":' * 100_000])
def test_content_nested_too_deep_to_read_is_no_template_and_no_crash(content: str) -> None:
    assert parse_interactive(content) is None  # json raises RecursionError: caught like a ValueError


def test_a_title_no_element_has_is_no_choice_even_beside_a_link() -> None:
    panel = _template("Panel", {"elements": [{"title": "Web", "type": "hyperlink"}, {"title": "A"}]})
    assert (
        _refusal(option_reply, panel, "Nope") == "option: must be the title of one of the template's options"
    )


def test_previous_options_is_refused_on_a_first_page() -> None:
    first = _template(
        "ListPicker", {"elements": [{"title": "A"}, {"title": "M", "actionDetail": "SHOW_MORE"}]}
    )
    assert _refusal(paging_reply, first, "PREVIOUS_OPTIONS") == "template: has no PREVIOUS_OPTIONS option"


def test_a_link_keeps_its_whole_json_object() -> None:
    element = {"title": "Web", "type": "hyperlink", "url": "https://x", "target": "_blank"}
    assert _template("Panel", {"elements": [element]}).links[0].raw == element
