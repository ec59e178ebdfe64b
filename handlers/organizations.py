"""`/turnout org [NAME]`: the name this workspace's organization goes by in the coalition."""

from __future__ import annotations

from bot.blocks.organizations import build_org_help, build_org_renamed, build_org_shown
from bot.services.organizations import name_of, rename
from handlers.common import Subcommand, TurnoutRequest, answering, caller_lang, is_help, say


def run_org(request: TurnoutRequest) -> None:
    deps = request.deps
    lang = caller_lang(deps, request.who)
    with answering(request.respond, lang):
        if request.args and is_help(request.args[0]) and len(request.args) == 1:
            return say(request.respond, build_org_help(lang))
        if not request.args:
            with deps.read_session() as session:
                name = name_of(session, request.team_id)
            return say(request.respond, build_org_shown(name, lang))
        with request.acting() as (session, actor):
            org = rename(
                session, actor=actor, team_id=request.team_id, name=request.rest_after(0), now=deps.clock()
            )
            name = org.name
        say(request.respond, build_org_renamed(name, lang))


SUBCOMMANDS: dict[str, Subcommand] = {"org": run_org}
