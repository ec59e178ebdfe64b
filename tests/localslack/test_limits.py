"""Each limit the stand-in enforces: taken at the limit, refused just past it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from bot.localslack.limits import (
    MAX_MESSAGE_BLOCKS,
    MAX_MESSAGE_TEXT,
    MAX_VIEW_BLOCKS,
    Refused,
    block_problem,
    check_blocks,
    check_message,
    check_view,
)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str = "x") -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", *, value: str = "v", action_id: str = "go") -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "value": value, "action_id": action_id}


def option(text: str = "o", value: str = "v", description: str | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"text": plain(text), "value": value}
    if description is not None:
        made["description"] = plain(description)
    return made


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def input_of(element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "label": plain("Pick"), "element": element}


def choices(kind: str, n: int) -> dict[str, Any]:
    return {"type": kind, "action_id": "pick", "options": [option(value=str(i)) for i in range(n)]}


# (what, a block built with size n, the largest n Slack takes)
BLOCK_LIMITS: list[tuple[str, Callable[[int], dict[str, Any]], int]] = [
    ("section text", lambda n: section("x" * n), 3000),
    ("section fields", lambda n: {"type": "section", "fields": [plain("f")] * n}, 10),
    ("section field text", lambda n: {"type": "section", "fields": [plain("f" * n)]}, 2000),
    ("header text", lambda n: {"type": "header", "text": plain("h" * n)}, 150),
    ("block_id", lambda n: {"type": "divider", "block_id": "b" * n}, 255),
    ("button text", lambda n: actions(button("b" * n)), 75),
    ("button value", lambda n: actions(button(value="v" * n)), 2000),
    ("action_id", lambda n: actions(button(action_id="a" * n)), 255),
    ("actions elements", lambda n: actions(*(button(action_id=f"a{i}") for i in range(n))), 25),
    ("context elements", lambda n: {"type": "context", "elements": [plain("c")] * n}, 10),
    ("select options", lambda n: actions(choices("static_select", n)), 100),
    ("overflow options", lambda n: actions(choices("overflow", n)), 5),
    ("checkbox options", lambda n: input_of(choices("checkboxes", n)), 10),
    ("radio button options", lambda n: input_of(choices("radio_buttons", n)), 10),
    (
        "option text",
        lambda n: actions({"type": "static_select", "action_id": "s", "options": [option("o" * n)]}),
        75,
    ),
    (
        "option value",
        lambda n: actions({"type": "static_select", "action_id": "s", "options": [option(value="v" * n)]}),
        150,
    ),
    (
        "option description",
        lambda n: input_of(
            {"type": "checkboxes", "action_id": "c", "options": [option(description="d" * n)]}
        ),
        75,
    ),
    (
        "grouped option text",
        lambda n: actions(
            {
                "type": "static_select",
                "action_id": "s",
                "option_groups": [{"label": plain("g"), "options": [option("o" * n)]}],
            }
        ),
        75,
    ),
    (
        "input label",
        lambda n: {**input_of({"type": "plain_text_input", "action_id": "t"}), "label": plain("l" * n)},
        2000,
    ),
    (
        "image alt text",
        lambda n: {"type": "image", "image_url": "https://example.org/a.png", "alt_text": "a" * n},
        2000,
    ),
]


@pytest.mark.parametrize(("what", "build", "most"), BLOCK_LIMITS, ids=[w for w, _, _ in BLOCK_LIMITS])
def test_block_limits(what: str, build: Callable[[int], dict[str, Any]], most: int) -> None:
    assert block_problem(build(most)) is None
    assert block_problem(build(most + 1)) is not None


def test_unknown_or_malformed_blocks_are_refused() -> None:
    assert block_problem({"type": "sparkle"}) is not None
    assert block_problem({"text": "no type"}) is not None
    assert block_problem({"type": "section", "text": {"text": "a text object without its type"}}) is not None
    assert block_problem({"type": "section"}) is not None


def test_message_block_count() -> None:
    check_message("t", [section()] * MAX_MESSAGE_BLOCKS, require_text=True)
    with pytest.raises(Refused) as refused:
        check_message("t", [section()] * (MAX_MESSAGE_BLOCKS + 1), require_text=True)
    assert refused.value.error == "invalid_blocks"


def test_a_bad_block_refuses_the_message() -> None:
    with pytest.raises(Refused) as refused:
        check_message("t", [section(), section("x" * 3001)], require_text=True)
    assert refused.value.error == "invalid_blocks" and "block 1" in refused.value.detail


def test_message_text_length() -> None:
    check_message("x" * MAX_MESSAGE_TEXT, [], require_text=True)
    with pytest.raises(Refused) as refused:
        check_message("x" * (MAX_MESSAGE_TEXT + 1), [], require_text=True)
    assert refused.value.error == "msg_too_long"


def test_a_message_needs_text_or_blocks() -> None:
    with pytest.raises(Refused) as refused:
        check_message("", [], require_text=False)
    assert refused.value.error == "no_text"


def test_blocks_without_fallback_text_warn_or_are_refused() -> None:
    assert check_message("Fallback", [section()], require_text=True) == []
    (warning,) = check_message("", [section()], require_text=False)
    assert "fallback text" in warning
    with pytest.raises(Refused) as refused:
        check_message(None, [section()], require_text=True)
    assert refused.value.error == "invalid_arguments"


def modal(**fields: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Title"), "blocks": [section()], **fields}


def test_view_block_count() -> None:
    for kind in ({"type": "home"}, modal()):
        check_view({**kind, "blocks": [section()] * MAX_VIEW_BLOCKS})
        with pytest.raises(Refused) as refused:
            check_view({**kind, "blocks": [section()] * (MAX_VIEW_BLOCKS + 1)})
        assert refused.value.error == "invalid_blocks"


def test_a_bad_block_refuses_the_view() -> None:
    with pytest.raises(Refused) as refused:
        check_view({"type": "home", "blocks": [actions(button("b" * 76))]})
    assert refused.value.error == "invalid_blocks"


VIEW_FIELDS: list[tuple[str, Callable[[int], dict[str, Any]], int]] = [
    ("title", lambda n: modal(title=plain("t" * n)), 24),
    ("submit", lambda n: modal(submit=plain("s" * n)), 24),
    ("close", lambda n: modal(close=plain("c" * n)), 24),
    ("private_metadata", lambda n: modal(private_metadata="p" * n), 3000),
    ("callback_id", lambda n: modal(callback_id="c" * n), 255),
]


@pytest.mark.parametrize(("what", "build", "most"), VIEW_FIELDS, ids=[w for w, _, _ in VIEW_FIELDS])
def test_view_field_limits(what: str, build: Callable[[int], dict[str, Any]], most: int) -> None:
    check_view(build(most))
    with pytest.raises(Refused) as refused:
        check_view(build(most + 1))
    assert refused.value.error == "invalid_arguments"


def test_a_modal_needs_a_title_and_a_submit_for_its_inputs() -> None:
    typed = input_of({"type": "plain_text_input", "action_id": "t"})
    check_view(modal(blocks=[typed], submit=plain("Save")))
    for view in ({"type": "modal", "blocks": [section()]}, modal(blocks=[typed])):
        with pytest.raises(Refused) as refused:
            check_view(view)
        assert refused.value.error == "invalid_arguments"


def test_an_action_id_twice_in_one_block_is_refused() -> None:
    twice = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Previous"},
                "action_id": "page",
                "value": "0",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Next"},
                "action_id": "page",
                "value": "20",
            },
        ],
    }
    with pytest.raises(Refused, match="action_id 'page' already exists"):
        check_blocks([twice], 50)
    once_each = copy.deepcopy(twice)
    once_each["elements"][1]["action_id"] = "page.next"
    check_blocks([once_each, {**copy.deepcopy(once_each), "block_id": "b2"}], 50)


def test_a_block_id_twice_in_one_message_is_refused() -> None:
    block = {"type": "section", "block_id": "same", "text": {"type": "mrkdwn", "text": "hi"}}
    with pytest.raises(Refused, match="block_id 'same' already exists"):
        check_blocks([block, dict(block)], 50)
