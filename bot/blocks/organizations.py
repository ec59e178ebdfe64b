"""What `/turnout org` says: the name this workspace's organization goes by in the coalition."""

from __future__ import annotations

from bot.blocks.common import Reply, esc, text_reply
from bot.blocks.help import ORG, usage_text
from bot.i18n import Lang


def build_org_shown(name: str | None, lang: Lang) -> Reply:
    if name is None:
        text = lang._(
            "This organization has no name in Turnout yet. A workspace admin gives it one with "
            "`/turnout org NAME`."
        )
    else:
        text = lang._(
            "This organization is *{name}* in the coalition's numbers. A workspace admin renames it "
            "with `/turnout org NAME`.",
            name=esc(name),
        )
    return text_reply(text)


def build_org_renamed(name: str, lang: Lang) -> Reply:
    return text_reply(
        lang._("Done: this organization is *{name}* in the coalition's numbers from now on.", name=esc(name))
    )


def build_org_help(lang: Lang) -> Reply:
    text = lang._(
        "*/turnout org* shows the name this workspace's organization goes by in the coalition; a "
        "workspace admin renames it with `/turnout org NAME`."
    )
    return text_reply(f"{text}\n{usage_text(ORG, lang)}")
