"""`/turnout people`: a state's volunteers by where they stand on the ladder of engagement."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.blocks.common import Block, Reply, button, context, header, local_time, plural, section
from bot.blocks.contacts import place
from bot.blocks.shifts import page_buttons, page_span
from bot.services.engagement import PEOPLE_PAGE, PeopleOverview, PeoplePage, Person, Rung, Segment

RUNG_LABEL = {
    Rung.NEW: ":seedling: new",
    Rung.ACTIVE: ":walking: active",
    Rung.REGULAR: ":muscle: regular",
    Rung.HOST: ":house_with_garden: host",
    Rung.TRUSTED: ":star: trusted host",
}
# What each segment is, and what a coordinator might do about it.
SEGMENT_TITLE = {
    Segment.NEW: "New",
    Segment.READY: "Ready to host",
    Segment.LAPSED: "Lapsed",
    Segment.HOSTS: "Hosts",
    Segment.NOSHOWS: "No-shows",
}
SEGMENT_MEANS = {
    Segment.NEW: "signed up but never attended yet: welcome them",
    Segment.READY: "regulars (3+ shifts in 30 days) who have never hosted: ask them to host",
    Segment.LAPSED: "attended before, nothing in the last 30 days: win them back",
    Segment.HOSTS: "hosts and trusted hosts",
    Segment.NOSHOWS: "2+ no-shows in the last 60 days",
}
NOBODY = {
    Segment.NEW: "No one is waiting for their first shift",
    Segment.READY: "No regular is waiting to be asked to host yet",
    Segment.LAPSED: "No one has lapsed",
    Segment.HOSTS: "No one hosts yet",
    Segment.NOSHOWS: "No one has 2 no-shows in the last 60 days",
}


def people_surface(state: str, segment: Segment) -> str:
    return f"{act.PEOPLE}:{state}:{segment.value}"


def build_people_overview(overview: PeopleOverview) -> Reply:
    """How many people each segment holds, with a button to list each."""
    where = place(overview.state)
    blocks: list[Block] = [header(f"{where}'s people")]
    for segment in Segment:
        count = overview.counts[segment]
        text = f"*{SEGMENT_TITLE[segment]}* ({count:,}): {SEGMENT_MEANS[segment]}"
        accessory = (
            button("List", act.PEOPLE_SEGMENT, people_surface(overview.state, segment)) if count else None
        )
        blocks.append(section(text, accessory=accessory))
    blocks.append(
        context(f"Or type `/turnout people {overview.state} ready` (or new, lapsed, hosts, noshows).")
    )
    summary = ", ".join(f"{overview.counts[s]:,} {SEGMENT_TITLE[s].lower()}" for s in Segment)
    return Reply(f"{where}'s people: {summary}", blocks)


def build_people_page(page: PeoplePage) -> Reply:
    """One page of a segment, ten people at a time, with Previous / Next."""
    where = place(page.state)
    title = f"{where} · {SEGMENT_TITLE[page.segment]}"
    if not page.people:
        text = f"{NOBODY[page.segment]} in {where}. `/turnout people {page.state}` shows every segment."
        return Reply(text, [section(text)])
    blocks: list[Block] = [header(title), context(SEGMENT_MEANS[page.segment].capitalize() + ".")]
    for n, person in enumerate(page.people, start=page.offset + 1):
        blocks.append(section(f"*{n}.* {person_line(person, page.timezone)}"))
    span = page_span("People", page.offset, len(page.people), page.total)
    blocks.append(context(span))
    surface = people_surface(page.state, page.segment)
    blocks += page_buttons(act.PEOPLE_PAGE, surface, page.offset, len(page.people), page.total, PEOPLE_PAGE)
    return Reply(f"{title}: {span.lower()}", blocks)


def person_line(person: Person, tz: str) -> str:
    """`@ana · regular · 7 shifts attended · last shift #12 on Sat Nov 28 · 340 contacts`."""
    parts = [f"<@{person.user_id}>", RUNG_LABEL[person.rung]]
    parts.append(plural(person.attended, "shift attended", "shifts attended"))
    if person.hosted:
        parts.append(f"{plural(person.hosted, 'shift', 'shifts')} hosted")
    if person.last_attended_at is not None and person.last_shift_id is not None:
        last = local_time(person.last_attended_at, tz)
        parts.append(f"last shift #{person.last_shift_id} on {last:%a %b} {last.day}")
    elif person.first_signup_at is not None:
        first = local_time(person.first_signup_at, tz)
        parts.append(f"signed up {first:%a %b} {first.day}")
    parts.append(plural(person.contacts, "contact", "contacts"))
    if person.flagged:
        parts.append(":warning: 2+ no-shows in 60 days")
    return " · ".join(parts)
