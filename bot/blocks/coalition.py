"""What the coalition's numbers look like: its goal, `/stats coalition`, `/leaderboard orgs`, and
the line every morning post carries. Organizations are shown by name (escaped: a name is typed
by a person); no volunteer is named."""

from __future__ import annotations

from bot.blocks.common import Block, Reply, context, divider, esc, fit, header, section, text_reply
from bot.blocks.contacts import counts_text, in_place, metric_count, place, progress_bar
from bot.blocks.stats import standing_text, window_text
from bot.i18n import Lang
from bot.models import CampaignGoal
from bot.services.coalition import CampaignProgress, CoalitionStats, OrgLeaderboard

# Two blocks per organization: twenty of them keep a reply inside Slack's fifty blocks.
ORGS_SHOWN = 20


def campaign_line(progress: CampaignProgress, lang: Lang) -> str:
    """`Coalition: 812,400 of 1,400,000 supporters (58%) · 41 days to Nov 3`."""
    line = lang._(
        "Coalition: {done} of {goal} ({percent})",
        done=lang.number(progress.done),
        goal=metric_count(progress.target, progress.metric, lang),
        percent=lang.percent(progress.done / progress.target),
    )
    left = progress.days_left
    if progress.by is None or left is None:
        return line
    if left > 0:
        return (
            line
            + " · "
            + lang.ngettext(
                "{count} day to {day}", "{count} days to {day}", left, day=lang.short_day(progress.by)
            )
        )
    if left == 0:
        return line + " · " + lang._("the goal's day is today")
    return line + " · " + lang._("the goal's day was {day}", day=lang.short_day(progress.by))


def build_campaign_goal_set(goal: CampaignGoal, lang: Lang) -> Reply:
    target = metric_count(goal.target, goal.metric, lang)
    if goal.by_date is None:
        text = lang._(
            "The coalition's goal is now {goal}. Every organization's morning posts show the progress.",
            goal=target,
        )
    else:
        text = lang._(
            "The coalition's goal is now {goal} by {day}. Every organization's morning posts show the "
            "progress.",
            goal=target,
            day=lang.day(goal.by_date),
        )
    return text_reply(text)


def build_campaign_shown(progress: CampaignProgress | None, lang: Lang) -> Reply:
    if progress is None:
        return text_reply(
            lang._(
                "The coalition has no goal yet. A campaign admin sets one with "
                "`/turnout campaign goal N METRIC [by YYYY-MM-DD]`."
            )
        )
    line = campaign_line(progress, lang)
    bar = progress_bar(progress.done, progress.target, lang)
    return Reply(
        line, [section(f"{line}\n`{bar}`"), context(lang._("`/stats coalition` shows each organization."))]
    )


def build_coalition_stats(stats: CoalitionStats, lang: Lang) -> Reply:
    today, week, all_time = stats.totals
    title = lang._("The coalition")
    blocks: list[Block] = [header(title)]
    if stats.progress is not None:
        bar = progress_bar(stats.progress.done, stats.progress.target, lang)
        blocks.append(section(f"*{campaign_line(stats.progress, lang)}*\n`{bar}`"))
    else:
        blocks.append(
            context(lang._("No coalition goal yet: a campaign admin sets one with `/turnout campaign goal`."))
        )
    blocks.append(
        section(
            lang._(
                "*Today:* {today}\n*This week* (since {day}): {week}\n*All time:* {all_time}",
                today=counts_text(today, lang=lang),
                day=lang.day(stats.week_first),
                week=counts_text(week, lang=lang),
                all_time=counts_text(all_time, lang=lang),
            )
        )
    )
    blocks.append(divider())
    for org in stats.orgs[:ORGS_SHOWN]:
        active = lang.ngettext(
            "{count} volunteer active today", "{count} volunteers active today", org.today_active
        )
        active_week = lang.ngettext("{count} this week", "{count} this week", org.week_active)
        blocks.append(
            section(
                lang._(
                    "*{org}*\nToday: {today}\nThis week: {week}\nAll time: {all_time}",
                    org=esc(org.name),
                    today=counts_text(org.today, lang=lang),
                    week=counts_text(org.week, lang=lang),
                    all_time=counts_text(org.all_time, lang=lang),
                )
            )
        )
        blocks.append(context(f":busts_in_silhouette: {active} · {active_week}"))
    if len(stats.orgs) > ORGS_SHOWN:
        more = len(stats.orgs) - ORGS_SHOWN
        blocks.append(
            context(
                lang.ngettext("…and {count} more organization.", "…and {count} more organizations.", more)
            )
        )
    fallback = lang._("The coalition all time: {counts}", counts=counts_text(all_time, lang=lang))
    return Reply(fallback, blocks)


def build_org_leaderboard(board: OrgLeaderboard, lang: Lang) -> Reply:
    span = window_text(board.window, lang)
    where = place(board.state, lang)
    title = lang._("Organizations: {place}, {span}", place=where, span=span)
    if not board.rows:
        text = lang._(
            "No organization has logged contacts {span} {where} yet.",
            span=span,
            where=in_place(board.state, lang),
        )
        return Reply(text, [section(text)])
    medals = {1: ":first_place_medal:", 2: ":second_place_medal:", 3: ":third_place_medal:"}
    lines = []
    for row in board.rows:
        active = (
            lang.ngettext("{count} active today", "{count} active today", row.active)
            if board.window == "today"
            else lang.ngettext("{count} active this week", "{count} active this week", row.active)
        )
        mark = medals.get(row.rank, f"*{row.rank}.*")
        lines.append(
            f"{mark} *{esc(row.name)}* — {standing_text(row.contacts, row.convos, bold=True, lang=lang)} · {active}"
        )
    blocks: list[Block] = [header(title[:150]), section(fit("\n".join(lines)))]
    if board.window == "all":
        blocks.append(context(lang._("Active volunteers are this week's: all-time counts are above.")))
    if board.mine is not None:
        blocks.append(context(lang._("Your organization is #{rank}.", rank=board.mine.rank)))
    return Reply(title, blocks)
