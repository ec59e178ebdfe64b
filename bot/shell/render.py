"""Block Kit as terminal text, for `turnout shell`: legible, with every button numbered."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MENTION = re.compile(r"<([@#!])([A-Za-z0-9^]+)(?:\|([^>]*))?>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
WIDTH = 78


@dataclass(frozen=True)
class Button:
    """A button the person can press by number: where it is, and what it sends."""

    label: str
    action_id: str
    value: str
    block_id: str


def plain(text: str, name_of: Callable[[str, str], str]) -> str:
    """mrkdwn as a person reads it: mentions as names, links as their text, entities undone."""

    def mention(match: re.Match[str]) -> str:
        kind, ref, label = match.groups()
        if kind == "!":
            return "@" + (label or ref.split("^")[0])
        return kind + (label or name_of(kind, ref))

    text = MENTION.sub(mention, text)
    text = LINK.sub(lambda m: m.group(2) + f" ({m.group(1)})" if m.group(2) else m.group(1), text)
    return html.unescape(text)


def render_blocks(
    blocks: list[dict[str, Any]], name_of: Callable[[str, str], str], number: Callable[[Button], int]
) -> list[str]:
    """Lines for `blocks`; each button gets its number from `number` and shows as `[n] Label`."""
    lines: list[str] = []

    def label_of(element: dict[str, Any], block_id: str) -> str:
        button = Button(element["text"]["text"], element["action_id"], element.get("value", ""), block_id)
        return f"[{number(button)}] {button.label}"

    for block in blocks:
        kind = block.get("type")
        block_id = block.get("block_id", "")
        if kind == "header":
            lines += ["", f"━━ {block['text']['text']} ━━"]
        elif kind == "divider":
            lines.append("─" * 40)
        elif kind == "section":
            if "text" in block:
                lines += _wrap(plain(block["text"]["text"], name_of))
            for item in block.get("fields", []):
                lines += _wrap(plain(item["text"], name_of), indent="  ")
            accessory = block.get("accessory")
            if isinstance(accessory, dict) and accessory.get("type") == "button":
                lines.append("    " + label_of(accessory, block_id))
        elif kind == "context":
            texts = [plain(e.get("text", ""), name_of) for e in block.get("elements", []) if "text" in e]
            lines += _wrap(" · ".join(texts), indent="  ⋅ ")
        elif kind == "actions":
            labels = [label_of(e, block_id) for e in block.get("elements", []) if e.get("type") == "button"]
            if labels:
                lines.append("    " + "  ".join(labels))
        elif kind == "image":
            lines.append(f"  [image: {block.get('alt_text', '')}]")
    return lines


def _wrap(text: str, indent: str = "") -> list[str]:
    out: list[str] = []
    for paragraph in text.split("\n"):
        out += textwrap.wrap(
            paragraph, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent)
        ) or [""]
    return out
