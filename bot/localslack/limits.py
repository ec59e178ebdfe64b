"""What Slack refuses in a message or a view, judged the way Slack judges it.

The local stand-in runs every message and view through here, so a test fails where Slack would.
Most of Block Kit's limits are enforced by slack_sdk's own models (`Block.parse(...)` and
`View(...)`, whose `to_dict()` validates every nested object); the rest are in `EXTRA_LIMITS`.

Limits, from Slack's reference (api.slack.com):

- Blocks (reference/block-kit/blocks): at most 50 blocks in a message, 100 in a modal or the
  App Home tab → `invalid_blocks`.
- Enforced by slack_sdk's models, each → `invalid_blocks`: section text 3000 and at most 10
  fields; header text 150; `block_id` 255; actions block at most 25 elements; context block at
  most 10 elements; button text 75, `value` 2000, `url` 3000; `action_id` 255; select menus
  at most 100 options; overflow menus at most 5 options; confirmation dialog title 100;
  placeholders 150; image `alt_text` 2000, `image_url` 3000; input label and hint 2000.
- Not enforced by the models, so in `EXTRA_LIMITS` (→ `invalid_blocks`): each section field's
  text 2000 (reference/block-kit/blocks#section); an option's text 75, value 150 and description
  75 (reference/block-kit/composition-objects#option); checkboxes and radio buttons at most 10
  options (reference/block-kit/block-elements#checkboxes, #radio).
- Uniqueness (reference/block-kit/blocks, block-elements): a `block_id` at most once in a
  message or view, an `action_id` at most once among one block's elements → `invalid_blocks`.
- Views (reference/surfaces/views): `title`, `submit` and `close` at most 24 characters,
  `private_metadata` 3000, `callback_id` 255, a modal needs a title and, with an input block,
  a submit button → `invalid_arguments` (slack_sdk's `View` enforces the lengths).
- Messages (methods/chat.postMessage): `text` over 40,000 characters → `msg_too_long`; neither
  text nor blocks → `no_text`. Blocks without a top-level `text` are accepted by Slack, but
  then notifications and screen readers have nothing to show; Turnout's SPEC requires fallback
  text with every message, so a strict judge refuses it with `invalid_arguments` and a lenient
  one lets it through with a warning.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000


class Refused(Exception):
    """Slack's answer to something it will not take: `error` is the API's error code."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


@dataclass(frozen=True)
class Limit:
    """A limit slack_sdk's models do not check: the most `measure` may give for an object of `kind`
    (a block or element `type`, or "option")."""

    kind: str
    what: str
    most: int
    measure: Callable[[dict[str, Any]], list[int]]


def _text_length(key: str) -> Callable[[dict[str, Any]], list[int]]:
    def measure(obj: dict[str, Any]) -> list[int]:
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("text")
        return [len(value)] if isinstance(value, str) else []

    return measure


def _count(key: str) -> Callable[[dict[str, Any]], list[int]]:
    return lambda obj: [len(obj[key])] if isinstance(obj.get(key), list) else []


def _field_lengths(obj: dict[str, Any]) -> list[int]:
    return [len(str(f.get("text", ""))) for f in obj.get("fields") or [] if isinstance(f, dict)]


EXTRA_LIMITS: tuple[Limit, ...] = (
    Limit("section", "field text", 2000, _field_lengths),
    Limit("option", "option text", 75, _text_length("text")),
    Limit("option", "option value", 150, _text_length("value")),
    Limit("option", "option description", 75, _text_length("description")),
    Limit("checkboxes", "checkbox options", 10, _count("options")),
    Limit("radio_buttons", "radio button options", 10, _count("options")),
)

OPTION_KEYS = frozenset({"options", "initial_options", "initial_option"})


def check_message(text: Any, blocks: list[dict[str, Any]], *, require_text: bool) -> list[str]:
    """Refuse a message Slack would refuse (see the module's docstring); return the warnings for
    one it would take with reservations."""
    text = "" if text is None else str(text)
    if not text and not blocks:
        raise Refused("no_text", "a message needs text or blocks")
    if len(text) > MAX_MESSAGE_TEXT:
        raise Refused("msg_too_long", f"text has {len(text)} characters, at most {MAX_MESSAGE_TEXT}")
    check_blocks(blocks, MAX_MESSAGE_BLOCKS)
    if blocks and not text.strip():
        warning = "blocks without fallback text: notifications and screen readers show nothing"
        if require_text:
            raise Refused("invalid_arguments", warning)
        return [warning]
    return []


def check_view(view: dict[str, Any]) -> None:
    """Refuse a modal or App Home view Slack would refuse (see the module's docstring)."""
    blocks = view.get("blocks") or []
    if not isinstance(blocks, list):
        raise Refused("invalid_blocks", "blocks must be a list")
    # The view's own fields are judged apart from its blocks, which Slack answers differently.
    own_fields = {k: v for k, v in view.items() if k not in ("blocks", "id")}
    try:
        View(**own_fields, blocks=[{"type": "divider"}]).to_dict()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as error:
        raise Refused("invalid_arguments", str(error)) from error
    if view.get("type") == "modal":
        if not view.get("title"):
            raise Refused("invalid_arguments", "a modal needs a title")
        if not view.get("submit") and any(b.get("type") == "input" for b in blocks if isinstance(b, dict)):
            raise Refused("invalid_arguments", "a modal with an input block needs a submit button")
    check_blocks(blocks, MAX_VIEW_BLOCKS)


def check_blocks(blocks: list[dict[str, Any]], most: int) -> None:
    """Refuse more than `most` blocks, or any block Block Kit does not allow."""
    if len(blocks) > most:
        raise Refused("invalid_blocks", f"{len(blocks)} blocks, at most {most}")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        problem = block_problem(block)
        if problem is not None:
            raise Refused("invalid_blocks", f"block {index}: {problem}")
        # Slack refuses a repeated block_id in one message or view ...
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                raise Refused("invalid_blocks", f"block {index}: block_id {block_id!r} already exists")
            block_ids.add(block_id)
        # ... and a repeated action_id among one block's elements.
        action_ids = [str(e["action_id"]) for e in _elements(block) if e.get("action_id") is not None]
        repeated = {a for a in action_ids if action_ids.count(a) > 1}
        if repeated:
            raise Refused(
                "invalid_blocks", f"block {index}: action_id {sorted(repeated)[0]!r} already exists"
            )


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The interactive elements directly in a block: its elements, accessory or input element."""
    found = [e for e in block.get("elements", []) if isinstance(e, dict)]
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            found.append(block[key])
    return found


def block_problem(block: Any) -> str | None:
    """Why Slack would refuse this block, or None if it would take it."""
    if not isinstance(block, dict) or "type" not in block:
        return "a block is an object with a type"
    try:
        parsed = Block.parse(copy.deepcopy(block))
        if parsed is None:
            return f"unknown block type {block['type']!r}"
        parsed.to_dict()
    except SlackObjectFormationError as error:
        return str(error)
    except (TypeError, KeyError, ValueError, AttributeError) as error:
        return f"malformed block ({type(error).__name__}: {error})"
    for kind, obj in _objects(block):
        for limit in EXTRA_LIMITS:
            if limit.kind == kind:
                over = [n for n in limit.measure(obj) if n > limit.most]
                if over:
                    return f"{limit.what} is {max(over)}, at most {limit.most}"
    return None


def _objects(value: Any, parent_key: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object inside a block with its kind: its `type`, or "option" for a menu's options."""
    if isinstance(value, list):
        for item in value:
            yield from _objects(item, parent_key)
    elif isinstance(value, dict):
        if parent_key in OPTION_KEYS:
            yield "option", value
        elif isinstance(value.get("type"), str):
            yield value["type"], value
        for key, item in value.items():
            yield from _objects(item, key)
