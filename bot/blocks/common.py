"""Small Block Kit pieces shared by every builder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import ENGLISH, N_, Lang

Block = dict[str, Any]

KIND_EMOJI = {
    "canvass": ":door:",
    "phonebank": ":telephone_receiver:",
    "textbank": ":speech_balloon:",
    "event": ":mega:",
    "training": ":mortar_board:",
}
KIND_LABEL = {
    "canvass": N_("Canvass"),
    "phonebank": N_("Phone bank"),
    "textbank": N_("Text bank"),
    "event": N_("Event"),
    "training": N_("Training"),
}


def kind_label(lang: Lang, kind: str | None) -> str:
    """`Phone bank`, `Banco de llamadas`: a kind of shift as a heading names it."""
    label = KIND_LABEL.get(kind or "")
    return lang._(label) if label else (kind or "")


def kinds_text(lang: Lang) -> str:
    """The kinds as people type them (always the English words), for hints and errors:
    `canvass, phonebank, textbank, event, or training`."""
    return lang.either(list(KIND_LABEL))


class KindChoices:
    """The kinds offered as a choice in a refusal's values (`Kinds: {kinds}.`): joined with "or"
    in the reader's language by `bot.blocks.refusals`; in English where no reader is known."""

    def __format__(self, spec: str) -> str:
        return kinds_text(ENGLISH)


@dataclass(frozen=True)
class Reply:
    """A message: `text` is the notification fallback, `blocks` what people see."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def esc(text: str) -> str:
    """Text people typed, made inert in mrkdwn (no mentions, no @channel, no links)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SECTION_TEXT = 3000


def fit(text: str, most: int = SECTION_TEXT) -> str:
    """`text` cut to at most `most` characters where it must be, at the last whole line (else the
    last space), never inside an `&amp;` entity or a `<@U…>` mention, with `…` to say so."""
    if len(text) <= most:
        return text
    head = text[: most - 1]
    cut = max(head.rfind("\n"), 0) or max(head.rfind(" "), 0) or len(head)
    head = head[:cut]
    # Never leave half an entity or half a mention behind.
    if head.rfind("&") > head.rfind(";"):
        head = head[: head.rfind("&")]
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    return head.rstrip() + "…"


def person(name: str, user_id: str) -> str:
    """A person in mrkdwn: their name escaped; a mention when Turnout has no name for them yet
    (Slack shows the mention as their name, so no raw id ever reaches the page)."""
    return f"<@{user_id}>" if not name or name == user_id else esc(name)


def someone(name: str, user_id: str, org: str | None, lang: Lang = ENGLISH) -> str:
    """A person as a workspace shows them: one of its own as `person` does; someone of another
    organization (`org`) by name and organization, never as a mention the workspace cannot
    resolve."""
    if org is None:
        return person(name, user_id)
    known = name and name != user_id  # a bare id would mean nothing there either
    return lang._("{name} ({org})", name=esc(name) if known else lang._("A volunteer"), org=esc(org))


def section(text: str, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": fit(text)}}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:3000]} for t in texts][:10]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def divider() -> Block:
    return {"type": "divider"}


def button(
    label: str, action_id: str, value: str, style: str | None = None, confirm: Block | None = None
) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def text_reply(text: str) -> Reply:
    return Reply(text, [section(text)])


def local_time(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(ZoneInfo(tz))


def input_field(
    block_id: str, label: str, element: Block, *, optional: bool = False, hint: str | None = None
) -> Block:
    """A form's input block; its element answers to the same id, so errors land beside it."""
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": block_id},
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block
