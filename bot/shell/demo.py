"""`turnout shell --demo`: a small campaign to try Turnout on, seeded through the real services.

Three early states with their channels and zones, an admin, a coordinator per state, a dozen
volunteers (and @lucia, new this week, who reads Slack in Spanish), a week of shifts (one nearly full, one with a waitlist), a few days of contacts
and standing goals. Iowa also organizes the distributed way: a leads channel, a trusted host
(@kim) with a weekly series, a volunteer's proposal waiting for approval (@ana's), and phone
banks that need a training first. Seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.models import Metric, ShiftKind, State
from bot.services.clock import local_date, local_instant
from bot.services.contacts import log_contacts
from bot.services.editing import Repeat, repeat_shift
from bot.services.goals import set_goal
from bot.services.hosting import grant_trusted_host, host_shift, set_leads_channel
from bot.services.members import Member
from bot.services.organizations import seen
from bot.services.people import Profile, grant_coordinator, set_home_state, sync_volunteer
from bot.services.roles import Actor
from bot.services.shifts import NewShift, claim_shift, create_shift
from bot.services.states import bind_state
from bot.services.training import set_requirement


@dataclass(frozen=True)
class DemoPerson:
    id: str
    name: str
    real_name: str
    home: str | None
    role: str  # admin, coordinator of a state, or volunteer
    locale: str = "en-US"  # the language Slack is set to, which Turnout follows
    seasoned: bool = True  # has shifts and past logs in the demo; a newcomer has none yet


ADMIN = DemoPerson("UALEX", "alex", "Alex Rivera", None, "admin")
PEOPLE = [
    ADMIN,
    DemoPerson("UCORA", "cora", "Cora Lindqvist", "IA", "coordinator IA"),
    DemoPerson("UNATE", "nate", "Nate Okafor", "NH", "coordinator NH"),
    DemoPerson("UVERA", "vera", "Vera Castillo", "NV", "coordinator NV"),
    *[
        DemoPerson(f"U{name.upper()}", name, real, home, "volunteer")
        for name, real, home in [
            ("ana", "Ana Torres", "IA"),
            ("ben", "Ben Park", "IA"),
            ("cam", "Cam Nguyen", "IA"),
            ("dee", "Dee Johnson", "IA"),
            ("eli", "Eli Brooks", "NH"),
            ("fay", "Fay Murphy", "NH"),
            ("gus", "Gus Patel", "NH"),
            ("hal", "Hal Meyer", "NV"),
            ("ivy", "Ivy Chen", "NV"),
            ("jo", "Jo Alvarez", "NV"),
            ("kim", "Kim Yusuf", "IA"),
            ("lou", "Lou Bennett", "NH"),
        ]
    ],
    # Reads Slack in Spanish, so Turnout answers her in Spanish (SPEC §10); new this week.
    DemoPerson("ULUCIA", "lucia", "Lucía Romero", "IA", "volunteer", locale="es-419", seasoned=False),
]
CHANNELS = {"IA": ("CIOWA", "iowa"), "NH": ("CNEWHAMP", "new-hampshire"), "NV": ("CNEVADA", "nevada")}
EXTRA_CHANNELS = [("CGENERAL", "general"), ("CIALEADS", "ia-leads")]
ZONES = {"IA": "America/Chicago", "NH": "America/New_York", "NV": "America/Los_Angeles"}
PLACES = {
    "IA": [
        "Des Moines field office, 412 Court Ave",
        "Cedar Rapids library, meeting room B",
        "https://call.example.org/ia",
    ],
    "NH": ["Manchester office, 88 Elm St", "Concord coffee house, 2 Main St", "https://call.example.org/nh"],
    "NV": [
        "Las Vegas office, 900 Fremont St",
        "Reno union hall, 35 Wells Ave",
        "https://text.example.org/nv",
    ],
}


def people_for(slack: LocalSlack) -> None:
    """The demo workspace in the Slack stand-in: its people and channels."""
    for person in PEOPLE:
        slack.add_person(
            person.id,
            person.name,
            real_name=person.real_name,
            email=f"{person.name}@example.org",
            tz=ZONES.get(person.home or "IA", "America/Chicago"),
            is_admin=person.role == "admin",
            locale=person.locale,
        )
    for channel_id, name in [*CHANNELS.values(), *EXTRA_CHANNELS]:
        slack.add_channel(channel_id, name)


def seed(session: Session, now: datetime) -> bool:
    """Seed the demo campaign; False (and nothing written) when it is there already."""
    if session.exec(select(State).where(State.channel_id == CHANNELS["IA"][0])).first() is not None:
        return False
    seen(session, team_id=TEAM_ID, name="Turnout shell", now=now)  # the demo's organization
    admin = Actor(TEAM_ID, ADMIN.id, is_admin=True)
    for person in PEOPLE:
        sync_volunteer(
            session,
            profile=Profile(
                TEAM_ID,
                person.id,
                person.name,
                person.real_name,
                f"{person.name}@example.org",
                ZONES.get(person.home or "IA"),
                # As Slack's profile says of a workspace admin: what the bot reads to know who may act.
                is_workspace_admin=person.role == "admin",
                locale=person.locale,
            ),
            now=now,
        )
    for code, (channel_id, _name) in CHANNELS.items():
        bind_state(session, actor=admin, code=code, channel_id=channel_id, timezone=None, now=now)
    for person in PEOPLE:
        if person.home:
            set_home_state(session, who=Member(TEAM_ID, person.id), code=person.home, now=now)
        if person.role.startswith("coordinator"):
            grant_coordinator(session, actor=admin, user_id=person.id, state=person.role.split()[1], now=now)
    volunteers = {
        code: [p.id for p in PEOPLE if p.home == code and p.role == "volunteer" and p.seasoned]
        for code in CHANNELS
    }
    _shifts(session, admin, now, volunteers)
    _history(session, admin, now, volunteers)
    _distributed(session, now)
    return True


def _shifts(session: Session, admin: Actor, now: datetime, volunteers: dict[str, list[str]]) -> None:
    kinds = [ShiftKind.CANVASS, ShiftKind.PHONEBANK, ShiftKind.CANVASS, ShiftKind.TEXTBANK]
    for code in CHANNELS:
        # The first is this evening's canvass while there is still time to get to it, else
        # tomorrow evening's; the others follow it, so they come in the same order at any hour.
        first = local_date(now, ZONES[code])
        if local_instant(first, time(17), ZONES[code]) <= now + timedelta(hours=1):
            first += timedelta(days=1)
        created = []
        for n, (days, hour, capacity) in enumerate(
            [(0, 17, 6), (1, 10, 3), (2, 14, 8), (4, 10, 2), (6, 12, 10)]
        ):
            start = time(hour)
            day = first + timedelta(days=days)
            spec = NewShift(
                code,
                day,
                start,
                time(hour + 3),
                kinds[n % len(kinds)],
                capacity,
                PLACES[code][n % len(PLACES[code])],
                "Training at the start; bring water." if n == 0 else "",
            )
            view, _ = create_shift(session, actor=admin, spec=spec, now=now)
            created.append(view.id)
        people = volunteers[code]
        for user in people[:2]:  # tomorrow's small shift: nearly full
            claim_shift(session, shift_id=created[1], who=Member(TEAM_ID, user), now=now)
        for user in people:  # the 2-place shift: full, with a waitlist
            claim_shift(session, shift_id=created[3], who=Member(TEAM_ID, user), now=now)
        claim_shift(session, shift_id=created[0], who=Member(TEAM_ID, people[-1]), now=now)


def _history(session: Session, admin: Actor, now: datetime, volunteers: dict[str, list[str]]) -> None:
    goals = {"IA": (300, 40), "NH": (250, 30), "NV": (200, 25)}
    for code, (doors, convos) in goals.items():
        set_goal(session, actor=admin, state=code, metric=Metric.DOORS, target=doors, day=None, now=now)
        set_goal(session, actor=admin, state=code, metric=Metric.CONVOS, target=convos, day=None, now=now)
        set_goal(session, actor=admin, state=code, metric=Metric.CALLS, target=doors // 2, day=None, now=now)
    for days_ago in (4, 3, 2, 1):
        for code, people in volunteers.items():
            for n, user in enumerate(people):
                if (n + days_ago) % 3 == 0 and days_ago > 1:
                    continue  # not everyone, every day
                at = now - timedelta(days=days_ago)
                counts = {
                    Metric.DOORS: 20 + 7 * n + 3 * days_ago,
                    Metric.CONVOS: 3 + n,
                    Metric.CALLS: 10 + 2 * n,
                }
                channel = CHANNELS[code][0]
                who = Member(TEAM_ID, user)
                log_contacts(session, who=who, counts=counts, shift_id=None, channel_id=channel, now=at)


def _distributed(session: Session, now: datetime) -> None:
    """Iowa's volunteers run their own shifts: @cora binds #ia-leads and trusts @kim, whose
    Saturday canvass repeats weekly; @ana's porch canvass waits for approval; phone banks need a
    training first, and there is one to claim."""
    cora, kim, ana = (Actor(TEAM_ID, user, is_admin=False) for user in ("UCORA", "UKIM", "UANA"))
    set_leads_channel(session, actor=cora, code="IA", channel_id="CIALEADS", now=now)
    grant_trusted_host(session, actor=cora, user_id="UKIM", state="IA", now=now)
    today = local_date(now, ZONES["IA"])
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    kims = host_shift(
        session,
        actor=kim,
        spec=NewShift(
            "IA", saturday, time(10), time(13), ShiftKind.CANVASS, 8, "Kim's garage, 58 Oak St, Ames"
        ),
        now=now,
    )
    repeat_shift(session, actor=kim, shift_id=kims.shift.id, repeat=Repeat(weeks=3), now=now)
    host_shift(
        session,
        actor=ana,
        spec=NewShift(
            "IA",
            saturday + timedelta(days=1),
            time(13),
            time(16),
            ShiftKind.CANVASS,
            6,
            "Ana's porch, 12 Elm St",
        ),
        now=now,
    )
    create_shift(
        session,
        actor=cora,
        spec=NewShift(
            "IA",
            today + timedelta(days=2),
            time(18),
            time(19, 30),
            ShiftKind.TRAINING,
            15,
            "https://call.example.org/ia-training",
            "How to phone bank: scripts, the dialer, tough calls.",
        ),
        now=now,
    )
    set_requirement(session, actor=cora, state="IA", kind=ShiftKind.PHONEBANK, required=True, now=now)
