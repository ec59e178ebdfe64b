"""`/turnout people`: a state's volunteers by where they stand on the ladder of engagement."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.blocks.common import Block, Reply, button, context, header, local_time, section
from bot.blocks.contacts import place
from bot.blocks.shifts import page_buttons
from bot.i18n import ENGLISH, N_, Lang
from bot.services.engagement import PEOPLE_PAGE, PeopleOverview, PeoplePage, Person, Rung, Segment

RUNG_LABEL = {
    Rung.NEW: N_(":seedling: new"),
    Rung.ACTIVE: N_(":walking: active"),
    Rung.REGULAR: N_(":muscle: regular"),
    Rung.HOST: N_(":house_with_garden: host"),
    Rung.TRUSTED: N_(":star: trusted host"),
}
# What each segment is, and what a coordinator might do about it.
SEGMENT_TITLE = {
    Segment.NEW: N_("New"),
    Segment.READY: N_("Ready to host"),
    Segment.LAPSED: N_("Lapsed"),
    Segment.HOSTS: N_("Hosts"),
    Segment.NOSHOWS: N_("No-shows"),
}
SEGMENT_MEANS = {
    Segment.NEW: N_("signed up but never attended yet: welcome them"),
    Segment.READY: N_("regulars (3+ shifts in 30 days) who have never hosted: ask them to host"),
    Segment.LAPSED: N_("attended before, nothing in the last 30 days: win them back"),
    Segment.HOSTS: N_("hosts and trusted hosts"),
    Segment.NOSHOWS: N_("2+ no-shows in the last 60 days"),
}
NOBODY = {
    Segment.NEW: N_("No one is waiting for their first shift in {place}."),
    Segment.READY: N_("No regular is waiting to be asked to host yet in {place}."),
    Segment.LAPSED: N_("No one has lapsed in {place}."),
    Segment.HOSTS: N_("No one hosts yet in {place}."),
    Segment.NOSHOWS: N_("No one has 2 no-shows in the last 60 days in {place}."),
}


def people_surface(state: str, segment: Segment) -> str:
    return f"{act.PEOPLE}:{state}:{segment.value}"


def build_people_overview(overview: PeopleOverview, lang: Lang = ENGLISH) -> Reply:
    """How many people each segment holds, with a button to list each."""
    where = place(overview.state, lang)
    blocks: list[Block] = [header(lang._("{place}'s people", place=where))]
    for segment in Segment:
        count = overview.counts[segment]
        text = f"*{lang._(SEGMENT_TITLE[segment])}* ({lang.number(count)}): {lang._(SEGMENT_MEANS[segment])}"
        accessory = (
            button(lang._("List"), act.PEOPLE_SEGMENT, people_surface(overview.state, segment))
            if count
            else None
        )
        blocks.append(section(text, accessory=accessory))
    blocks.append(
        context(
            lang._(
                "Or type `/turnout people {state} ready` (or new, lapsed, hosts, noshows).",
                state=overview.state,
            )
        )
    )
    summary = ", ".join(
        f"{lang.number(overview.counts[s])} {lang._(SEGMENT_TITLE[s]).lower()}" for s in Segment
    )
    return Reply(lang._("{place}'s people: {summary}", place=where, summary=summary), blocks)


def build_people_page(page: PeoplePage, lang: Lang = ENGLISH) -> Reply:
    """One page of a segment, ten people at a time, with Previous / Next."""
    where = place(page.state, lang)
    title = f"{where} · {lang._(SEGMENT_TITLE[page.segment])}"
    if not page.people:
        text = (
            lang._(NOBODY[page.segment], place=where)
            + " "
            + lang._("`/turnout people {state}` shows every segment.", state=page.state)
        )
        return Reply(text, [section(text)])
    means = lang._(SEGMENT_MEANS[page.segment])
    blocks: list[Block] = [header(title), context(means[:1].upper() + means[1:] + ".")]
    for n, person in enumerate(page.people, start=page.offset + 1):
        blocks.append(section(f"*{n}.* {person_line(person, page.timezone, lang)}"))
    span = lang._(
        "People {first}–{last} of {total}",
        first=page.offset + 1,
        last=page.offset + len(page.people),
        total=lang.number(page.total),
    )
    blocks.append(context(span))
    surface = people_surface(page.state, page.segment)
    blocks += page_buttons(
        act.PEOPLE_PAGE, surface, page.offset, len(page.people), page.total, PEOPLE_PAGE, lang=lang
    )
    return Reply(f"{title}: {span.lower()}", blocks)


def person_line(person: Person, tz: str, lang: Lang = ENGLISH) -> str:
    """`@ana · regular · 7 shifts attended · last shift #12 on Sat Nov 28 · 340 contacts`."""
    parts = [f"<@{person.user_id}>", lang._(RUNG_LABEL[person.rung])]
    parts.append(lang.ngettext("{count} shift attended", "{count} shifts attended", person.attended))
    if person.hosted:
        parts.append(lang.ngettext("{count} shift hosted", "{count} shifts hosted", person.hosted))
    if person.last_attended_at is not None and person.last_shift_id is not None:
        last = local_time(person.last_attended_at, tz)
        parts.append(lang._("last shift #{shift} on {day}", shift=person.last_shift_id, day=lang.day(last)))
    elif person.first_signup_at is not None:
        first = local_time(person.first_signup_at, tz)
        parts.append(lang._("signed up {day}", day=lang.day(first)))
    parts.append(lang.ngettext("{count} contact", "{count} contacts", person.contacts))
    if person.flagged:
        parts.append(lang._(":warning: 2+ no-shows in 60 days"))
    return " · ".join(parts)
