"""`/turnout campaign [goal N METRIC [by YYYY-MM-DD]]`: the coalition's one goal."""

from __future__ import annotations

from bot.blocks import help as usage
from bot.blocks.coalition import build_campaign_goal_set, build_campaign_shown
from bot.blocks.help import build_subcommand_help
from bot.i18n import N_
from bot.models import Metric
from bot.services.coalition import (
    MAX_CAMPAIGN_GOAL,
    CampaignGoalOutOfRange,
    NotCampaignAdmin,
    campaign_progress,
    set_campaign_goal,
)
from bot.services.errors import UsageError
from bot.vocabulary import metric_keyword
from handlers.common import Subcommand, TurnoutRequest, is_help, say
from handlers.parsing import parse_date, parse_metric
from handlers.payloads import whole_number


def run_campaign(request: TurnoutRequest) -> None:
    args, lang = request.args, request.lang
    if args and is_help(args[0]):
        return say(request.respond, build_subcommand_help("campaign", lang))
    if not args:
        with request.deps.read_session() as session:
            progress = campaign_progress(session, now=request.deps.clock())
        return say(request.respond, build_campaign_shown(progress, lang))
    if args[0].lower() != "goal":
        raise UsageError(N_("I don't understand `{word}` here."), usage.CAMPAIGN, word=args[0][:40])
    with request.acting() as (session, actor):
        # Who may set it first: anyone else learns that before how to write it.
        if not actor.is_campaign_admin:
            raise NotCampaignAdmin()
        rest = args[1:]
        if len(rest) == 4 and rest[2].lower() in ("by", "para"):
            rest = [*rest[:2], rest[3]]
        if len(rest) not in (2, 3):
            raise UsageError(N_("Give a number and a metric, and optionally `by` a date."), usage.CAMPAIGN)
        # `1,400,000` and `1_400_000` are how people write big numbers.
        target = whole_number(rest[0].replace(",", "").replace("_", ""))
        if target is None or not 1 <= target <= MAX_CAMPAIGN_GOAL:
            raise _not_a_goal(rest[0], request)
        metric = parse_metric(rest[1])
        if metric is None:
            raise UsageError(
                N_("`{word}` isn't a metric. Metrics: {metrics}."),
                usage.CAMPAIGN,
                word=rest[1][:30].replace("`", "'"),
                metrics=", ".join(metric_keyword(m, lang.code) for m in Metric),
            )
        by = parse_date(rest[2], usage.CAMPAIGN) if len(rest) == 3 else None
        try:
            goal = set_campaign_goal(
                session, actor=actor, target=target, metric=metric, by=by, now=request.deps.clock()
            )
        except CampaignGoalOutOfRange:
            raise _not_a_goal(rest[0], request) from None
    say(request.respond, build_campaign_goal_set(goal, lang))


def _not_a_goal(text: str, request: TurnoutRequest) -> UsageError:
    return UsageError(
        N_("`{goal}` isn't a goal. A campaign goal is a whole number from 1 to {maximum}."),
        usage.CAMPAIGN,
        goal=text[:20].replace("`", "'"),
        maximum=request.lang.number(MAX_CAMPAIGN_GOAL),
    )


SUBCOMMANDS: dict[str, Subcommand] = {"campaign": run_campaign}
