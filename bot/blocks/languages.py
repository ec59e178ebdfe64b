"""What `/turnout language` says: which language someone reads, and a state's channel's."""

from __future__ import annotations

from bot.blocks.common import Reply, text_reply
from bot.blocks.contacts import place
from bot.blocks.help import LANGUAGE, language_name, usage_text
from bot.i18n import Lang, slack_language


def build_language_help(lang: Lang) -> Reply:
    text = lang._(
        "*/turnout language* chooses the language Turnout speaks to you: `es` (español) or `en` "
        "(English); `auto` follows your Slack language, which is where everyone starts. Coordinators "
        "choose the language of their state's channel posts with `/turnout language STATE es`."
    )
    return text_reply(f"{text}\n{usage_text(LANGUAGE, lang)}")


def build_language_chosen(lang: Lang, *, chosen: bool) -> Reply:
    """After `/turnout language es|en|auto`, in the language now chosen."""
    name = language_name(lang.code, lang)
    if chosen:
        text = lang._(
            "Done: Turnout speaks to you in {language} now. `/turnout language auto` follows your Slack "
            "language again.",
            language=name,
        )
    else:
        text = lang._("Done: Turnout follows your Slack language again ({language} for now).", language=name)
    return text_reply(text)


def build_language_shown(lang: Lang, *, chosen: str | None, locale: str | None) -> Reply:
    """`/turnout language`: what you read, and why."""
    name = language_name(lang.code, lang)
    if chosen:
        why = lang._("You read Turnout in {language}, as you chose.", language=name)
    elif slack_language(locale):
        why = lang._("You read Turnout in {language}, your Slack language.", language=name)
    else:
        why = lang._("You read Turnout in {language}.", language=name)
    how = lang._(
        "`/turnout language es` for español, `/turnout language en` for English, `/turnout language auto` "
        "to follow your Slack language."
    )
    return text_reply(f"{why} {how}")


def build_state_language(state: str, code: str, lang: Lang, *, changed: bool) -> Reply:
    """A state's channel language, shown or just changed, in the caller's language."""
    values = {"place": place(state, lang), "language": language_name(code, lang), "code": state}
    if changed:
        text = lang._(
            "Posts in {place}'s channel will be in {language}: its shifts' posts, the morning and evening "
            "posts, the calls to cover a shift, and the weekly digest if it goes to a leads channel.",
            **values,
        )
    else:
        text = lang._(
            "Posts in {place}'s channel are in {language}. A coordinator changes it with "
            "`/turnout language {code} es` or `/turnout language {code} en`.",
            **values,
        )
    return text_reply(text)
