"""Usage lines and help texts: what every command answers to `help` and shows on bad input."""

from __future__ import annotations

from bot.blocks.common import Reply, context, kinds_text, section
from bot.i18n import ENGLISH, LANGUAGES, N_, SPANISH_CODE, Lang
from bot.models import Metric
from bot.vocabulary import metric_keyword, metric_words

# Usage lines marked with N_ are shown in the reader's language (`usage_text`).
SHIFTS = N_("`/shifts [STATE] [today|tomorrow|week|YYYY-MM-DD] [KIND]`, e.g. `/shifts IA tomorrow canvass`")
CLAIM = N_("`/claim ID`, e.g. `/claim 12`")
UNCLAIM = N_("`/unclaim ID`, e.g. `/unclaim 12`")
MYSHIFTS = "`/myshifts`"
HOME = N_("`/turnout home STATE`, e.g. `/turnout home IA`")
STATE = N_("`/turnout state STATE #channel [TIMEZONE]`, e.g. `/turnout state TX #texas America/Chicago`")
COORDINATOR = N_("`/turnout coordinator @user STATE` or `/turnout coordinator remove @user STATE`")
SHIFT_ADD = N_(
    "`/turnout shift add` (opens a form), or "
    "`/turnout shift add STATE YYYY-MM-DD HH:MM-HH:MM KIND CAPACITY LOCATION…`, "
    "e.g. `/turnout shift add IA 2026-11-28 10:00-13:00 canvass 8 Des Moines HQ, 123 Main St`"
)
SHIFT_CANCEL = N_("`/turnout shift cancel ID [REASON…]`, e.g. `/turnout shift cancel 12 the venue closed`")
ROSTER = N_("`/turnout roster ID`, e.g. `/turnout roster 12`")
SHARE = N_("`/turnout share ID`, e.g. `/turnout share 12`")
SHIFT_EDIT = N_(
    "`/turnout shift edit ID` (opens the form), or "
    "`/turnout shift edit ID [date YYYY-MM-DD] [time HH:MM-HH:MM] [capacity N] [location TEXT…]`, "
    "e.g. `/turnout shift edit 12 time 11:00-14:00 capacity 10`"
)
SHIFT_REPEAT = N_(
    "`/turnout shift repeat ID weekly N` or `/turnout shift repeat ID until YYYY-MM-DD`, "
    "e.g. `/turnout shift repeat 12 weekly 4`"
)
SHIFT_CANCEL_SERIES = N_(
    "`/turnout shift cancel ID series [REASON…]`, e.g. `/turnout shift cancel 14 series the office moved`"
)
ROSTER_ADD = N_("`/turnout roster ID add @user [@user…]`, e.g. `/turnout roster 12 add @ana`")
HOST = N_(
    "`/host` (opens a form), or `/host STATE YYYY-MM-DD HH:MM-HH:MM KIND CAPACITY LOCATION…`, "
    "e.g. `/host IA 2026-11-28 10:00-13:00 canvass 8 Ana's porch, 12 Elm St`"
)
TRUSTED_HOST = N_("`/turnout host @user STATE` or `/turnout host remove @user STATE`")
PROPOSALS = N_("`/turnout proposals [STATE]`, e.g. `/turnout proposals IA`")
LEADS = N_(
    "`/turnout leads STATE #channel`, `/turnout leads STATE off` or `/turnout leads STATE`, "
    "e.g. `/turnout leads IA #ia-leads`"
)
CUTOFF = N_(
    "`/turnout cutoff STATE HOURS`, e.g. `/turnout cutoff IA 3` (0 lets volunteers release until the start)"
)
PEOPLE = N_("`/turnout people STATE [new|ready|lapsed|hosts|noshows]`, e.g. `/turnout people IA ready`")
REQUIRE = N_(
    "`/turnout require STATE KIND training|none`, e.g. `/turnout require IA canvass training` "
    "(`/turnout require IA` shows the rules)"
)
TRAINED = N_("`/turnout trained @user STATE`, e.g. `/turnout trained @ana IA`")
NOSHOW = N_(
    "`/turnout noshow STATE N|off`, e.g. `/turnout noshow IA 2` (`/turnout noshow IA` shows the policy)"
)

# Usage lines marked with N_ are shown in the reader's language (`usage_text`).
LOG = N_(
    "`/log N METRIC [N METRIC …] [for ID]`, e.g. `/log 40 doors 6 convos`, or `/log` for a form, or `/log undo`"
)
LANGUAGE = N_(
    "`/turnout language [es|en|auto]` or `/turnout language STATE [es|en]`, e.g. `/turnout language es` "
    "or `/turnout language IA es`"
)
ORG = N_("`/turnout org [NAME]`, e.g. `/turnout org Sunrise Iowa`")
STATS = N_("`/stats [me|STATE|coalition]`, e.g. `/stats me`, `/stats IA` or `/stats coalition`")
LEADERBOARD = N_(
    "`/leaderboard [orgs] [STATE] [today|week|all]`, e.g. `/leaderboard IA week` or `/leaderboard orgs week`"
)
CAMPAIGN = N_(
    "`/turnout campaign` or `/turnout campaign goal N METRIC [by YYYY-MM-DD]`, "
    "e.g. `/turnout campaign goal 1400000 supporters by 2026-11-03`"
)
GOAL = N_("`/turnout goal STATE N METRIC [YYYY-MM-DD|daily]`, e.g. `/turnout goal IA 500 doors daily`")
SCHEDULE = N_(
    "`/turnout schedule STATE [JOB HH:MM]`, e.g. `/turnout schedule IA` or `/turnout schedule IA morning 08:30`"
)
DIGEST = N_("`/turnout digest STATE [morning|evening]`, e.g. `/turnout digest IA evening`")
EXPORT = N_("`/turnout export STATE [FROM] [TO]`, e.g. `/turnout export IA 2026-11-01 2026-11-30`")

COMMAND_HELP: dict[str, str] = {}
# Commands whose help is translated: what the command does, and its usage line.
TRANSLATED_HELP = {
    "/host": (
        N_(
            "*/host* sets up a shift you run yourself (a canvass from your porch, a phone bank at home). "
            "The state's coordinators get it with Approve / Decline and I tell you what they decide; a "
            "trusted host's shift is posted at once. People who claim or release it are DMed to you. "
            "With no state the form picks this channel's state, else your home state."
        ),
        HOST,
    ),
    "/shifts": (
        N_(
            "*/shifts* lists open shifts, soonest first, with a Claim button each. With no state it uses "
            "this channel's state, else your home state, else all states. With no day it shows the next "
            "7 days. Kinds: {kinds}."
        ),
        SHIFTS,
    ),
    "/claim": (
        N_(
            "*/claim* signs you up for a shift. When it is full you join its waitlist and I tell you "
            "your place; if someone drops out you move up automatically."
        ),
        CLAIM,
    ),
    "/unclaim": (
        N_(
            "*/unclaim* gives up your place on a shift (or leaves its waitlist). The next person waiting "
            "gets it. Close to the start, ask the state's coordinator instead."
        ),
        UNCLAIM,
    ),
    "/myshifts": (N_("*/myshifts* shows your upcoming shifts with Confirm and Release buttons."), MYSHIFTS),
    "/stats": (
        N_(
            "*/stats* shows your impact (`me`: today, this week, all time, shifts attended, streak) or a "
            "state's day against its goals. With nothing given: this channel's state, else yours. "
            "`/stats coalition` shows the coalition's goal and every organization's today, week and all time."
        ),
        STATS,
    ),
    "/leaderboard": (
        N_(
            "*/leaderboard* ranks the top 10 volunteers by contacts (attempts plus outcomes), with "
            "conversations beside, and shows your own place. Default: this channel's state (else your home "
            "state, else all states), this week. `/leaderboard orgs` ranks the coalition's organizations, "
            "with their active volunteers (all states unless you name one)."
        ),
        LEADERBOARD,
    ),
}

# `/turnout help`'s lines: a command (its placeholders and example words in the reader's
# language: `{doors}` and `{convos}` are the reader's metric words) and what it does.
EVERYONE = [
    (N_("`/turnout home STATE`"), N_("set your home state")),
    ("`/shifts`, `/claim ID`, `/unclaim ID`, `/myshifts`", N_("find and manage your shifts")),
    (
        "`/host`",
        N_("host your own shift (a form, or inline like `shift add`): the state's coordinators approve it"),
    ),
    ("`/log 40 {doors} 6 {convos}`, `/log undo`", N_("log what you did")),
    (
        N_("`/stats [me|STATE]`, `/leaderboard [STATE] [today|week|all]`"),
        N_("see the impact"),
    ),
    (
        N_("`/stats coalition`, `/leaderboard orgs [STATE]`, `/turnout campaign`"),
        N_("the coalition's goal and its organizations"),
    ),
    ("`/turnout language es|en`", N_("read Turnout in Spanish (español) or English")),
]
COORDINATORS = [
    (
        "`/turnout shift add`",
        N_(
            "add a shift (form), or inline: `/turnout shift add STATE YYYY-MM-DD HH:MM-HH:MM KIND CAPACITY "
            "LOCATION…`, e.g. `/turnout shift add IA 2026-11-28 10:00-13:00 canvass 8 Des Moines HQ, 123 Main St`"
        ),
    ),
    (
        "`/turnout shift edit ID`",
        N_(
            "change a shift (form), or inline: `/turnout shift edit ID [date YYYY-MM-DD] [time HH:MM-HH:MM] "
            "[capacity N] [location TEXT…]`"
        ),
    ),
    ("`/turnout shift repeat ID weekly N`", N_("copy a shift weekly into a series (or `until YYYY-MM-DD`)")),
    (
        N_("`/turnout shift cancel ID [REASON…]`"),
        N_("cancel a shift (`ID series`: the rest of its series); everyone on it is told by DM"),
    ),
    ("`/turnout roster ID`", N_("who's on a shift, with Attended / No-show / Remove buttons")),
    (
        N_("`/turnout share ID`"),
        N_(
            "share a shift with the coalition: posted and claimable in every organization with the state's channel"
        ),
    ),
    (
        "`/turnout roster ID add @user`",
        N_("a place for someone who called in; once it has started, a walk-in marked attended"),
    ),
    (N_("`/turnout proposals [STATE]`"), N_("volunteers' `/host` proposals waiting, with Approve / Decline")),
    (
        N_("`/turnout host @user STATE`"),
        N_("trust a volunteer to publish the shifts they host (`host remove` revokes)"),
    ),
    (
        N_("`/turnout leads STATE #channel`"),
        N_("where proposals, late releases, at-risk shifts and the weekly digest go (else to you by DM)"),
    ),
    (
        N_("`/turnout cutoff STATE HOURS`"),
        N_("how close to the start volunteers may still `/unclaim` (default 3)"),
    ),
    (
        N_("`/turnout people STATE [new|ready|lapsed|hosts|noshows]`"),
        N_("your volunteers by where they stand: who to welcome, ask to host, win back"),
    ),
    (
        N_("`/turnout require STATE KIND training|none`"),
        N_("whether claiming that kind of shift needs a training first"),
    ),
    (N_("`/turnout trained @user STATE`"), N_("record a training someone did elsewhere")),
    (
        N_("`/turnout noshow STATE N|off`"),
        N_("hold claims from people with N no-shows in 60 days for you to accept"),
    ),
    (N_("`/turnout language STATE es|en`"), N_("the language of the state's channel posts")),
    (
        N_("`/turnout goal STATE N METRIC [YYYY-MM-DD|daily]`"),
        N_("set the day's goal, or a standing daily one"),
    ),
    (N_("`/turnout schedule STATE [JOB HH:MM]`"), N_("see the state's post times, or change one")),
    (N_("`/turnout digest STATE [morning|evening]`"), N_("post that digest to the state's channel now")),
    (
        N_("`/turnout export STATE [FROM] [TO]`"),
        N_("CSVs of contacts and attendance, sent to you (default: last 30 days)"),
    ),
]
ADMINS = [
    (
        N_("`/turnout state STATE #channel [TIMEZONE]`"),
        N_("bind a state to its channel (and override its time zone)"),
    ),
    (N_("`/turnout coordinator @user STATE`"), N_("make someone a state's coordinator")),
    (N_("`/turnout coordinator remove @user STATE`"), N_("revoke it")),
    (N_("`/turnout org NAME`"), N_("the name your organization goes by in the coalition's numbers")),
]
CAMPAIGN_ADMINS = [
    (
        N_("`/turnout campaign goal N METRIC [by YYYY-MM-DD]`"),
        N_("set the coalition's one goal, shown in every organization's morning posts"),
    ),
]


# `/turnout NAME help`: what the subcommand does, then its usage.
SUBCOMMAND_HELP = {
    "home": (N_("Sets your home state: the default for `/shifts`, `/log` and `/leaderboard`."), HOME),
    "state": (N_("Binds a state to its channel, where its posts go (admins)."), STATE),
    "coordinator": (N_("Grants or revokes a state's coordinator role (admins)."), COORDINATOR),
    "cutoff": (N_("Sets how close to the start volunteers may still release a shift themselves."), CUTOFF),
    "shift": (
        N_(
            "Adds a shift (a form, or inline), changes one, repeats it weekly or cancels it; everyone on it is told."
        ),
        SHIFT_ADD,
    ),
    "roster": (
        N_("Shows who is on a shift, with Attended / No-show buttons; `add` puts someone on it."),
        f"{ROSTER}\nor {ROSTER_ADD}",  # two usage lines, each translated by usage_text
    ),
    "share": (
        N_(
            "Shares a shift with the coalition: every organization with a channel for its state lists and "
            "posts it, and their volunteers fill its places too. Sharing cannot be undone."
        ),
        SHARE,
    ),
    "host": (
        N_(
            "Makes a volunteer a trusted host in a state, so the shifts they `/host` there are posted "
            "without waiting for approval; `remove` revokes it (coordinators)."
        ),
        TRUSTED_HOST,
    ),
    "proposals": (
        N_(
            "Lists volunteers' `/host` proposals waiting for a decision, soonest first, with Approve / "
            "Decline. No state: this channel's or your home state if you coordinate it, else all yours."
        ),
        PROPOSALS,
    ),
    "leads": (
        N_(
            "Binds the channel where a state's leaders get proposals, releases and \"can't make it\" "
            "inside 24 hours, at-risk shifts and the weekly digest; `off` sends them to the "
            "coordinators by DM again; with no channel, says where they go now (coordinators)."
        ),
        LEADS,
    ),
    "people": (
        N_(
            "Lists a state's volunteers by where they stand on the ladder (new, active, regular, host, "
            "trusted host), with their last shift, shifts attended and contacts: *new* have never attended, "
            "*ready* are regulars who have never hosted, *lapsed* attended before but not in 30 days, "
            "*noshows* missed 2+ shifts in 60 days. With no segment: how many people each holds."
        ),
        PEOPLE,
    ),
    "require": (
        N_(
            "Makes claiming a kind of shift in a state need a training first (attended in the state or "
            "nationally, recorded with `trained`, or a place on one that ends before the shift), or lifts it."
        ),
        REQUIRE,
    ),
    "trained": (
        N_("Records a training someone did elsewhere, so they may claim shifts that need one."),
        TRAINED,
    ),
    "noshow": (
        N_(
            "Holds claims from volunteers with N or more no-shows in the state in the last 60 days until the "
            "shift's host or a coordinator accepts them (an Accept button on the roster); `off` ends it."
        ),
        NOSHOW,
    ),
    "goal": (
        N_(
            "Sets a state's goal for one day, or a standing daily goal that applies from today on "
            "(past days keep the goal they had)."
        ),
        GOAL,
    ),
    "schedule": (
        N_("Shows a state's post times in its own zone; with a job and a time, changes it."),
        SCHEDULE,
    ),
    "digest": (
        N_("Posts a state's morning or evening digest now (updating it if it is out already)."),
        DIGEST,
    ),
    "export": (
        N_("Sends you CSVs of a state's contacts and attendance (default: the last 30 days)."),
        EXPORT,
    ),
    "campaign": (
        N_(
            "Shows the coalition's goal and how far it has come; `goal` sets it (campaign admins). "
            "`/stats coalition` and `/leaderboard orgs` show each organization."
        ),
        CAMPAIGN,
    ),
}


def build_subcommand_help(name: str, lang: Lang = ENGLISH) -> Reply:
    """`/turnout NAME help`: a one-line description and the usage, read as help, not as an error."""
    what, form = SUBCOMMAND_HELP[name]
    text = lang._("*/turnout {name}*: {what}", name=name, what=lang._(what)) + "\n" + usage_text(form, lang)
    if name == "shift":
        for form in (SHIFT_EDIT, SHIFT_REPEAT, SHIFT_CANCEL, SHIFT_CANCEL_SERIES):
            text += "\n" + lang._("Or: {usage}", usage=lang._(form))
    return Reply(text, [section(text)])


def usage_text(usage: str, lang: Lang = ENGLISH) -> str:
    """`Usage: …`, in the reader's language where the usage line is translated; several usage
    lines (`A\nor B`) are each translated."""
    lines = usage.split(USAGE_OR)
    joined = ("\n" + lang.pgettext("between usage lines", "or") + " ").join(lang._(line) for line in lines)
    return lang._("Usage: {usage}", usage=joined)


# Between the usage lines of a command that has several.
USAGE_OR = "\nor "


def build_log_help(lang: Lang) -> Reply:
    """`/log help`, its metric words taken from the parser's own tables so the two cannot drift:
    the reader's language's words, then the other language's."""
    words = metric_words(lang.code)
    metrics = "; ".join(
        f"{found[0]} ({', '.join(found[1:])})" if len(found) > 1 else found[0] for found in words.values()
    )
    other = next(code for code in LANGUAGES if code != lang.code)
    text = lang._(
        "*/log* records what you did: counts only, never names or numbers. Metrics: {metrics}. In {other}: "
        "{other_words}. Add `for ID` to tie it to your shift. It counts for the shift's state, else this "
        "channel's, else your home state.",
        metrics=metrics,
        other=language_name(other, lang),
        other_words=", ".join(word for found in metric_words(other).values() for word in found),
    )
    text += "\n" + usage_text(LOG, lang)
    return Reply(text, [section(text)])


def language_name(code: str, lang: Lang) -> str:
    """A language's name as the reader writes it: `Spanish`, `español`."""
    return lang._("Spanish") if code == SPANISH_CODE else lang._("English")


def build_command_help(command: str, lang: Lang = ENGLISH) -> Reply:
    if command in TRANSLATED_HELP:
        what, form = TRANSLATED_HELP[command]
        text = f"{lang._(what, kinds=kinds_text(lang))}\n{usage_text(form, lang)}"
    else:
        text = COMMAND_HELP[command]
    return Reply(text, [section(text)])


def build_turnout_help(
    *, coordinates: list[str], is_admin: bool, lang: Lang = ENGLISH, is_campaign_admin: bool = False
) -> Reply:
    """`/turnout help`: what this person may do, with the reader's own words (`/log 40 puertas`)."""
    words = {
        "doors": metric_keyword(Metric.DOORS, lang.code),
        "convos": metric_keyword(Metric.CONVOS, lang.code),
    }

    def line(cmd: str, what: str) -> str:
        return f"• {lang._(cmd).format(**words)} — {lang._(what)}"

    title = lang._("What you can do with Turnout")
    # One section per audience: each stays well inside a section's 3,000 characters in Spanish.
    groups = [[f"*{title}*", *(line(cmd, what) for cmd, what in EVERYONE)]]
    if coordinates or is_admin:
        scope = lang._("any state") if is_admin else ", ".join(coordinates)
        groups.append(
            [lang._("*As a coordinator ({scope})*", scope=scope), *(line(c, w) for c, w in COORDINATORS)]
        )
    if is_admin:
        groups.append([lang._("*As an admin*"), *(line(cmd, what) for cmd, what in ADMINS)])
    if is_campaign_admin:
        groups.append([lang._("*As a campaign admin*"), *(line(cmd, what) for cmd, what in CAMPAIGN_ADMINS)])
    note = lang._("Every command answers `help`, e.g. `/shifts help`.")
    return Reply(title, [*(section("\n".join(group)) for group in groups), context(note)])
