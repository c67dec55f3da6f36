"""Interactive messages: typed templates (unknown templates and fields kept), and the replies
the SDK sends compared with what AWS's own chat interface sends (the shapes on the design page,
from amazon-connect-chat-interface); then the same over real HTTP against the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from connect_participant import (
    AsyncParticipantClient,
    Carousel,
    InvalidInputError,
    Item,
    Link,
    ListPicker,
    Message,
    Option,
    Panel,
    ParticipantClient,
    QuickReply,
    TimePicker,
    UnknownTemplate,
    ViewResource,
)
from connect_participant._events import event_from_item
from connect_participant._interactive import (
    INTERACTIVE,
    INTERACTIVE_RESPONSE,
    option_reply,
    paging_reply,
    parse_interactive,
    view_reply,
)
from connect_participant_emulator import LocalParticipantService

# AWS's documented ListPicker with paging ("Show more" / "Previous options")
LIST_PICKER: dict[str, Any] = {
    "templateType": "ListPicker",
    "version": "1.0",
    "data": {
        "replyMessage": {"title": "Thanks for selecting!"},
        "content": {
            "title": "What produce would you like to buy?",
            "subtitle": "Tap to select option",
            "imageType": "URL",
            "imageData": "https://example.com/fruit.jpg",
            "referenceId": "320435df-2e3c-47ea-9206-e64f81dd8e3c",
            "listId": "serviceList",
            "preIndex": 4,
            "nextIndex": 9,
            "elements": [
                {"title": "Previous options", "actionDetail": "PREVIOUS_OPTIONS"},
                {
                    "title": "Audiologist",
                    "subtitle": "$1.00",
                    "imageType": "URL",
                    "imageData": "https://e/a.png",
                },
                {"title": "Podiatrist", "subtitle": "$1.00", "futureField": {"kept": True}},
                {"title": "Show more", "actionDetail": "SHOW_MORE"},
            ],
            "someNewField": [1, 2],
        },
    },
}
TIME_PICKER: dict[str, Any] = {
    "templateType": "TimePicker",
    "version": "1.0",
    "data": {
        "content": {
            "title": "Schedule appointment",
            "timeZoneOffset": -420,
            "location": {"latitude": 47.6, "longitude": -122.3, "title": "Seattle"},
            "timeslots": [
                {"date": "2026-12-10T15:00+00:00", "duration": 60},
                {"date": "2026-12-10T16:00+00:00", "duration": 60},
            ],
        }
    },
}
PANEL = {
    "templateType": "Panel",
    "version": "1.0",
    "data": {
        "content": {
            "title": "How can I help?",
            "elements": [{"title": "Check status"}, {"title": "Escalate"}],
        }
    },
}
QUICK_REPLY = {
    "templateType": "QuickReply",
    "version": "1.0",
    "data": {"content": {"title": "Was this helpful?", "elements": [{"title": "Yes"}, {"title": "No"}]}},
}
CAROUSEL = {
    "templateType": "Carousel",
    "version": "1.0",
    "data": {
        "content": {
            "title": "Hotels",
            "elements": [
                {
                    "templateIdentifier": "hotel-1",
                    "templateType": "Panel",
                    "version": "1.0",
                    "data": {
                        "content": {
                            "title": "Bel Air",
                            "elements": [{"title": "Book Room"}, {"title": "Details"}],
                        }
                    },
                },
                {
                    "templateIdentifier": "hotel-2",
                    "templateType": "ListPicker",
                    "version": "1.0",
                    "data": {"content": {"title": "Ritz", "elements": [{"title": "Book Suite"}]}},
                },
            ],
        }
    },
}
# A Carousel of Panel cards as AWS's admin guide describes them ("Add Amazon Lex interactive
# messages for customers in chat": up to 5 cards with a templateIdentifier, a card's elements may
# hold a hyperlink, which AWS's chat interface renders as a link and never sends as a choice),
# built here; AWS's own documented example is CHAT_INTERFACE_CAROUSEL at the end of this file.
AWS_CAROUSEL: dict[str, Any] = {
    "templateType": "Carousel",
    "version": "1.0",
    "data": {
        "content": {
            "title": "View our popular destinations",
            "elements": [
                {
                    "templateIdentifier": "template0",
                    "templateType": "Panel",
                    "version": "1.0",
                    "data": {
                        "content": {
                            "title": "California",
                            "subtitle": "Tourist destination",
                            "imageType": "URL",
                            "imageData": "https://interactive-msg.s3-us-west-2.amazonaws.com/seattle.jpg",
                            "imageDescription": "Visit California",
                            "elements": [
                                {"title": "Book flights"},
                                {"title": "Book hotels"},
                                {
                                    "title": "Learn More",
                                    "type": "hyperlink",
                                    "url": "https://www.visitcalifornia.com",
                                },
                            ],
                        }
                    },
                },
                {
                    "templateIdentifier": "template1",
                    "templateType": "Panel",
                    "version": "1.0",
                    "data": {
                        "content": {
                            "title": "New York",
                            "subtitle": "Tourist destination",
                            "elements": [
                                {"title": "Book flights"},
                                {"title": "Learn More", "type": "hyperlink", "url": "https://www.nycgo.com"},
                            ],
                        }
                    },
                },
            ],
        }
    },
}
VIEW = {
    "templateType": "ViewResource",
    "version": "1.0",
    "data": {
        "content": {
            "viewId": "arn:aws:connect:...:view/abc",
            "viewToken": "tok/en+1",
            "viewData": '{"rating": 3}',
        }
    },
}


def test_templates_parse_into_their_types() -> None:
    picker = parse_interactive(json.dumps(LIST_PICKER))
    assert isinstance(picker, ListPicker)
    assert (picker.title, picker.list_id, picker.reference_id, picker.pre_index, picker.next_index) == (
        "What produce would you like to buy?",
        "serviceList",
        "320435df-2e3c-47ea-9206-e64f81dd8e3c",
        4,
        9,
    )
    assert [o.title for o in picker.options] == ["Audiologist", "Podiatrist"]
    assert next(o.title for o in picker.elements) == "Previous options"
    assert picker.show_more is not None
    assert picker.previous is not None
    assert picker.options[0].image_data == "https://e/a.png"
    assert picker.reply_message["title"] == "Thanks for selecting!"
    time_picker = parse_interactive(json.dumps(TIME_PICKER))
    assert isinstance(time_picker, TimePicker)
    assert time_picker.time_zone_offset == -420
    assert [(s.date, s.duration) for s in time_picker.timeslots] == [
        ("2026-12-10T15:00+00:00", 60),
        ("2026-12-10T16:00+00:00", 60),
    ]
    assert time_picker.location["title"] == "Seattle"
    assert isinstance(parse_interactive(json.dumps(PANEL)), Panel)
    assert isinstance(parse_interactive(json.dumps(QUICK_REPLY)), QuickReply)
    carousel = parse_interactive(json.dumps(CAROUSEL))
    assert isinstance(carousel, Carousel)
    assert [type(c) for c in carousel.cards] == [Panel, ListPicker]
    assert [c.template_identifier for c in carousel.cards] == ["hotel-1", "hotel-2"]  # type: ignore[attr-defined]
    view = parse_interactive(json.dumps(VIEW))
    assert isinstance(view, ViewResource)
    assert (view.view_token, view.view_data) == ("tok/en+1", {"rating": 3})


def test_unknown_templates_and_fields_are_kept_whole() -> None:
    doc = {"templateType": "ApplePay", "version": "2.0", "data": {"content": {"anything": [1, {"x": None}]}}}
    unknown = parse_interactive(json.dumps(doc))
    assert isinstance(unknown, UnknownTemplate)
    assert (unknown.template_type, unknown.version, unknown.raw) == ("ApplePay", "2.0", doc)
    picker = parse_interactive(json.dumps(LIST_PICKER))
    assert picker is not None
    assert picker.raw == LIST_PICKER
    assert picker.content["someNewField"] == [1, 2]
    assert picker.options[1].raw["futureField"] == {"kept": True}  # type: ignore[attr-defined]
    for content in (None, "", "not json", "[1, 2]", "42"):
        assert parse_interactive(content) is None
    assert isinstance(parse_interactive('{"data": 5}'), UnknownTemplate)  # odd shapes never raise
    odd = parse_interactive('{"templateType": "ListPicker", "data": {"content": {"elements": "x"}}}')
    assert isinstance(odd, ListPicker)
    assert odd.options == ()


def test_message_event_and_transcript_item_reach_the_template() -> None:
    item = Item({"Type": "MESSAGE", "ContentType": INTERACTIVE, "Content": json.dumps(PANEL), "Id": "m"})
    event = event_from_item(item)
    assert isinstance(event, Message)
    assert isinstance(event.interactive, Panel)
    assert isinstance(item.interactive, Panel)
    assert (
        Item({"Type": "MESSAGE", "ContentType": "text/plain", "Content": json.dumps(PANEL)}).interactive
        is None
    )


# --- the replies, byte for byte as AWS's chat interface sends them ---------------------------


def test_selection_is_text_plain_with_the_title() -> None:
    picker = parse_interactive(json.dumps(LIST_PICKER))
    assert picker is not None
    assert option_reply(picker, 0) == ("text/plain", "Audiologist")
    assert option_reply(picker, "Podiatrist") == ("text/plain", "Podiatrist")
    assert option_reply(picker, picker.options[1]) == ("text/plain", "Podiatrist")  # type: ignore[attr-defined]
    panel = parse_interactive(json.dumps(PANEL))
    quick = parse_interactive(json.dumps(QUICK_REPLY))
    assert panel is not None
    assert quick is not None
    assert option_reply(panel, 1) == ("text/plain", "Escalate")
    assert option_reply(quick, "No") == ("text/plain", "No")


def test_show_more_and_previous_are_interactive_responses() -> None:
    picker = parse_interactive(json.dumps(LIST_PICKER))
    assert picker is not None
    kind, content = paging_reply(picker, "SHOW_MORE")
    assert kind == INTERACTIVE_RESPONSE
    # the exact bytes AWS's chat interface sends (its docs' example, keys in its order)
    assert content == (
        '{"version":"1.0","data":{"actionName":"SHOW_MORE","preIndex":4,"nextIndex":9,'
        '"listId":"serviceList","templateType":"ListPicker",'
        '"referenceId":"320435df-2e3c-47ea-9206-e64f81dd8e3c"},"action":"SHOW_MORE"}'
    )
    assert option_reply(picker, "Show more") == (kind, content)  # clicking the button is the same
    _, previous = option_reply(picker, "Previous options")
    assert json.loads(previous)["action"] == json.loads(previous)["data"]["actionName"] == "PREVIOUS_OPTIONS"


def test_time_picker_carousel_and_view_replies() -> None:
    time_picker = parse_interactive(json.dumps(TIME_PICKER))
    assert time_picker is not None
    assert option_reply(time_picker, 1) == ("text/plain", "2026-12-10T16:00+00:00")
    carousel = parse_interactive(json.dumps(CAROUSEL))
    assert isinstance(carousel, Carousel)
    kind, content = option_reply(carousel.cards[0], "Book Room")
    assert kind == "text/plain"
    assert json.loads(content) == {
        "templateIdentifier": "hotel-1",
        "listTitle": "Bel Air",
        "selectionText": "Book Room",
    }
    kind, content = view_reply("Submit", {"rating": 5})
    assert kind == INTERACTIVE_RESPONSE
    assert content == '{"action":"Submit","data":{"rating":5},"templateType":"ViewResource","version":"1.0"}'
    assert (
        view_reply("Back")[1] == '{"action":"Back","data":{},"templateType":"ViewResource","version":"1.0"}'
    )


@pytest.mark.parametrize(
    ("template", "option", "argument"),
    [
        (LIST_PICKER, 2, "option"),  # two choices: 0 and 1
        (LIST_PICKER, -1, "option"),
        (LIST_PICKER, "Dentist", "option"),
        (LIST_PICKER, 1.0, "option"),
        (LIST_PICKER, True, "option"),
        (LIST_PICKER, Option("Audiologist"), "option"),  # not one of this template's
        (TIME_PICKER, 5, "option"),
        (TIME_PICKER, "2030-01-01T00:00+00:00", "option"),
        (CAROUSEL, 0, "template"),  # choose on a card
        (VIEW, 0, "template"),
        (PANEL, "Show more", "option"),
    ],
)
def test_replies_check_their_bounds(template: dict[str, Any], option: object, argument: str) -> None:
    parsed = parse_interactive(json.dumps(template))
    assert parsed is not None
    with pytest.raises(InvalidInputError, match=argument):
        option_reply(parsed, option)


def test_paging_and_view_replies_check_their_bounds() -> None:
    panel = parse_interactive(json.dumps(PANEL))
    first_page = dict(
        LIST_PICKER, data={"content": dict(LIST_PICKER["data"]["content"], elements=[{"title": "A"}])}
    )
    picker = parse_interactive(json.dumps(first_page))
    assert panel is not None
    assert picker is not None
    with pytest.raises(InvalidInputError, match="template"):
        paging_reply(panel, "SHOW_MORE")
    with pytest.raises(InvalidInputError, match="SHOW_MORE"):
        paging_reply(picker, "SHOW_MORE")
    for action in ("", "a" * 256, None, 3):
        with pytest.raises(InvalidInputError, match="action"):
            view_reply(action)
    with pytest.raises(InvalidInputError, match="action"):
        view_reply("Delete", actions=("Submit", "Back"))
    with pytest.raises(InvalidInputError, match="output"):
        view_reply("Submit", {"when": object()})


def test_a_carousels_hyperlink_is_a_link_never_a_choice() -> None:
    carousel = parse_interactive(json.dumps(AWS_CAROUSEL))
    assert isinstance(carousel, Carousel)
    card = carousel.cards[0]
    assert isinstance(card, Panel)
    assert [o.title for o in card.options] == ["Book flights", "Book hotels"]
    assert card.links == (Link("Learn More", "https://www.visitcalifornia.com", "hyperlink"),)
    assert [type(e).__name__ for e in card.elements] == ["Option", "Option", "Link"]  # order as sent
    for refused in ("Learn More", card.links[0]):
        with pytest.raises(InvalidInputError, match=r"'Learn More' is a link \(hyperlink\), not a choice"):
            option_reply(card, refused)
    with pytest.raises(InvalidInputError, match="index from 0 to 1"):
        option_reply(card, 2)  # indexes count choices only: the link is not number 2
    kind, content = option_reply(carousel.cards[1], "Book flights")
    assert (kind, json.loads(content)) == (
        "text/plain",
        {"templateIdentifier": "template1", "listTitle": "New York", "selectionText": "Book flights"},
    )


def test_any_element_type_the_sdk_does_not_select_is_a_link() -> None:
    doc = {
        "templateType": "QuickReply",
        "version": "1.0",
        "data": {
            "content": {"title": "t", "elements": [{"title": "Yes"}, {"title": "Call us", "type": "phone"}]}
        },
    }
    quick = parse_interactive(json.dumps(doc))
    assert isinstance(quick, QuickReply)
    assert [o.title for o in quick.options] == ["Yes"]
    assert [(link.title, link.kind, link.url) for link in quick.links] == [("Call us", "phone", None)]
    with pytest.raises(InvalidInputError, match="is a link"):
        option_reply(quick, "Call us")


# --- end to end on the emulator: the bot sends, the customer answers -------------------------


def test_customer_cannot_select_a_carousels_link(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    sent_id = svc.send_interactive(started, AWS_CAROUSEL)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        carousel = next(i for i in chat.transcript() if i.id == sent_id).interactive
        assert isinstance(carousel, Carousel)
        with pytest.raises(InvalidInputError, match="is a link"):
            chat.select(carousel.cards[0], "Learn More")
        chat.select(carousel.cards[0], "Book hotels")
        mine = [
            i.content for i in chat.transcript() if i.participant_role == "CUSTOMER" and i.type == "MESSAGE"
        ]
    assert [json.loads(c or "") for c in mine] == [
        {"templateIdentifier": "template0", "listTitle": "California", "selectionText": "Book hotels"}
    ]


def test_customer_selects_and_pages_a_list_picker(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    sent_id = svc.send_interactive(started, LIST_PICKER)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        item = next(i for i in chat.transcript() if i.id == sent_id)
        picker = item.interactive
        assert isinstance(picker, ListPicker)
        chat.show_more(picker)
        chat.select(picker, "Podiatrist")
        with pytest.raises(InvalidInputError, match="option"):
            chat.select(picker, 7)
        long_title = dict(PANEL, data={"content": {"title": "t", "elements": [{"title": "x" * 1025}]}})
        too_long = parse_interactive(json.dumps(long_title))
        assert too_long is not None
        with pytest.raises(InvalidInputError, match="content"):  # text/plain's 1,024 characters
            chat.select(too_long, 0)
        mine = [
            i
            for i in chat.transcript(direction="FORWARD")
            if i.participant_role == "CUSTOMER" and i.type == "MESSAGE"
        ]
    assert [(i.content_type, i.content) for i in mine] == [
        (INTERACTIVE_RESPONSE, paging_reply(picker, "SHOW_MORE")[1]),
        ("text/plain", "Podiatrist"),
    ]


async def test_customer_answers_a_view_async(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = await svc.astart_chat("Ann")
    view_spec = {
        "Name": "Survey",
        "Content": {"Template": {"Body": []}, "InputSchema": {}, "Actions": ["Submit", "Back"]},
    }
    await svc.ashow_view(started, view_spec, {"rating": 3})
    async with AsyncParticipantClient(endpoint_url=svc.endpoint_url) as client:
        async with await client.connect(started.participant_token) as chat:
            shown = [i async for i in chat.transcript() if i.interactive is not None][-1].interactive
            assert isinstance(shown, ViewResource)
            assert shown.view_data == {"rating": 3}
            view = await chat.describe_view(shown.view_token or "")
            with pytest.raises(InvalidInputError, match="action"):
                await chat.answer_view("Delete", view=view)
            await chat.answer_view("Submit", {"rating": 5}, view=view)
            answers = [i async for i in chat.transcript() if i.content_type == INTERACTIVE_RESPONSE]
    assert [json.loads(a.content or "") for a in answers] == [
        {"action": "Submit", "data": {"rating": 5}, "templateType": "ViewResource", "version": "1.0"}
    ]


# AWS's own documented Carousel (amazon-connect-chat-interface's interactive-messages guide,
# tests/data/interactive/SOURCES.md): five ListPicker cards, each ending in a hyperlink element.
CHAT_INTERFACE_CAROUSEL: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "interactive" / "chat-interface-carousel.json").read_text()
)


def test_aws_documented_carousel_offers_its_links_as_links_only() -> None:
    carousel = parse_interactive(json.dumps(CHAT_INTERFACE_CAROUSEL))
    assert isinstance(carousel, Carousel)
    assert [type(card).__name__ for card in carousel.cards] == ["ListPicker"] * 5
    choices = [[o.title for o in card.options] for card in carousel.cards]  # type: ignore[attr-defined]
    assert choices == [
        ["Purchase Ticket", "View All Destinations"],
        ["Book Room", "View All Listings"],
        ["Book Table", "View Popular Entrees"],
        ["Purchase Ticket", "View All Destinations"],
        ["Book Tour", "View Ratings"],
    ]
    links = [card.links for card in carousel.cards]  # type: ignore[attr-defined]
    url = "https://github.com/amazon-connect/amazon-connect-chat-interface"
    assert links == [(Link("Learn More", url, "hyperlink"),)] * 4 + [
        (Link("Open Gallery", url, "hyperlink"),)
    ]
    for card, link in zip(carousel.cards, ("Learn More",) * 4 + ("Open Gallery",), strict=True):
        with pytest.raises(InvalidInputError, match=rf"'{link}' is a link \(hyperlink\), not a choice"):
            option_reply(card, link)


def test_aws_documented_carousel_on_the_emulator(participant_service: LocalParticipantService) -> None:
    svc = participant_service
    started = svc.start_chat("Ann")
    sent_id = svc.send_interactive(started, CHAT_INTERFACE_CAROUSEL)
    with (
        ParticipantClient(endpoint_url=svc.endpoint_url) as client,
        client.connect(started.participant_token) as chat,
    ):
        carousel = next(i for i in chat.transcript() if i.id == sent_id).interactive
        assert isinstance(carousel, Carousel)
        with pytest.raises(InvalidInputError, match="is a link"):
            chat.select(carousel.cards[1], "Learn More")
        chat.select(carousel.cards[1], "Book Room")
        mine = [
            i.content for i in chat.transcript() if i.participant_role == "CUSTOMER" and i.type == "MESSAGE"
        ]
    assert [json.loads(c or "") for c in mine] == [
        {
            "templateIdentifier": "2c0a55c8-3c37-41c2-b22a-62b2aaa7f1ac",
            "listTitle": "Explore Hotel destinations",
            "selectionText": "Book Room",
        }
    ]
