"""Reading what the bot showed: the words and the buttons of a message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.localslack.webapi import Message


def message_text(message: Message) -> str:
    """All the words a person sees in a message, blocks and all, on separate lines."""
    return "\n".join(block_texts(message.blocks)) or message.text


def block_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    for block in blocks:
        for key in ("text", "label"):
            if isinstance(block.get(key), dict):
                yield block[key].get("text", "")
        for item in block.get("fields", []) + block.get("elements", []):
            if item.get("type") in ("mrkdwn", "plain_text"):
                yield item.get("text", "")
            elif item.get("type") == "button":
                yield "[" + item["text"]["text"] + "]"
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            yield "[" + accessory["text"]["text"] + "]"


def buttons(message: Message) -> list[dict[str, Any]]:
    """Every button in the message, in reading order."""
    found: list[dict[str, Any]] = []
    for block in message.blocks:
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            found.append({**accessory, "block_id": block.get("block_id", "")})
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found.append({**element, "block_id": block.get("block_id", "")})
    return found


def _find_button(message: Message, action_id: str, value: str | None) -> tuple[dict[str, Any], str]:
    for button in buttons(message):
        if button.get("action_id") == action_id and (value is None or button.get("value") == value):
            return button, button["block_id"]
    raise LookupError(f"no button {action_id!r} (value {value!r}) in message: {message_text(message)!r}")
