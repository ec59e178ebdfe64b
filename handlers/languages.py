"""`/turnout language`: the language Turnout speaks to someone, and a state's channel's."""

from __future__ import annotations

from bot.blocks import help as usage
from bot.blocks.languages import (
    build_language_chosen,
    build_language_help,
    build_language_shown,
    build_state_language,
)
from bot.i18n import ENGLISH_CODE, N_, SPANISH_CODE, language, person_language
from bot.services.errors import UsageError
from bot.services.people import set_language
from bot.services.states import set_state_language, state_language
from bot.vocabulary import fold
from handlers.common import (
    Subcommand,
    TurnoutRequest,
    answering,
    caller_lang,
    is_help,
    profile_of,
    say,
)
from handlers.parsing import fold_state, parse_state, require_state

# What people type for each language (in either language), and `auto` to follow Slack.
AUTO = "auto"
LANGUAGE_WORDS = {
    **dict.fromkeys(("es", "espanol", "spanish", "castellano"), SPANISH_CODE),
    **dict.fromkeys(("en", "english", "ingles"), ENGLISH_CODE),
    **dict.fromkeys(("auto", "slack"), AUTO),
}


def parse_language(word: str) -> str | None:
    """`es`, `en` or `auto`, from a code or a name (`español`, `English`); None otherwise."""
    return LANGUAGE_WORDS.get(fold(word))


def run_language(request: TurnoutRequest) -> None:
    deps, who = request.deps, request.who
    lang = caller_lang(deps, who)
    # Answered here, in the caller's language, rather than by the router.
    with answering(request.respond, lang):
        args, _ = fold_state(request.args)
        if args and is_help(args[0]):
            return say(request.respond, build_language_help(lang))
        if not args:
            profile = profile_of(deps, request.client, who, for_permission=True)
            shown = language(profile.reads)
            return say(
                request.respond, build_language_shown(shown, chosen=profile.language, locale=profile.locale)
            )
        chosen = parse_language(args[0]) if len(args) == 1 else None
        if chosen is not None:
            profile = profile_of(deps, request.client, who, for_permission=True)
            code = None if chosen == AUTO else chosen
            with deps.session() as session:
                set_language(session, who=who, code=code, now=deps.clock())
            now_reads = language(person_language(code, profile.locale))
            return say(request.respond, build_language_chosen(now_reads, chosen=code is not None))
        if len(args) == 1 and (state := parse_state(args[0])) is not None:
            with deps.read_session() as session:
                code = state_language(session, team_id=who.team_id, code=state)
            return say(request.respond, build_state_language(state, code, lang, changed=False))
        if len(args) != 2:
            raise UsageError(N_("Give `es` or `en`, or a state and `es` or `en`."), usage.LANGUAGE)
        state = require_state(args[0], usage.LANGUAGE)
        wanted = parse_language(args[1])
        if wanted not in (SPANISH_CODE, ENGLISH_CODE):
            raise UsageError(
                N_("`{word}` isn't a language Turnout speaks: give `es` or `en`."),
                usage.LANGUAGE,
                word=args[1][:20].replace("`", "'"),
            )
        with request.acting() as (session, actor):
            set_state_language(session, actor=actor, code=state, language=wanted, now=deps.clock())
        say(request.respond, build_state_language(state, wanted, lang, changed=True))


SUBCOMMANDS: dict[str, Subcommand] = {"language": run_language}
