"""`turnout shell --demo`: a small coalition to try Turnout on, seeded through the real services.

Two organizations, each in its own Slack workspace, where Turnout is installed as a coalition
installs it (the shell goes through Slack's install flow, OAuth, for each):

- **Sunrise** (`sunrise`): three early states with their channels and zones, an admin, a
  coordinator per state, a dozen volunteers (and @lucia, new this week, who reads Slack in
  Spanish), a week of shifts (one nearly full, one with a waitlist), a few days of contacts and
  standing goals. Iowa also organizes the distributed way: a leads channel, a trusted host (@kim)
  with a weekly series, a volunteer's proposal waiting for approval (@ana's), and phone banks
  that need a training first.
- **Make the Road** (`mtr`): Iowa only, in its own #iowa: an admin, a coordinator, four
  volunteers (one of them another @ana), a few shifts, contacts and goals.

Seeding twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from bot.localslack.webapi import LocalSlack
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
from bot.services.sharing import share_shift
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


@dataclass(frozen=True)
class DemoOrg:
    """An organization of the demo coalition and its Slack workspace."""

    team_id: str
    name: str
    handle: str  # the workspace's domain, as the shell names it: `@ana@sunrise`, `#iowa@mtr`
    people: list[DemoPerson]
    channels: dict[str, tuple[str, str]]  # state -> (channel id, name)
    extra_channels: list[tuple[str, str]]
    email_domain: str
    places: dict[str, list[str]]

    @property
    def admin(self) -> DemoPerson:
        return next(p for p in self.people if p.role == "admin")


SUNRISE = DemoOrg("T0SUNRISE", "Sunrise", "sunrise", PEOPLE, CHANNELS, EXTRA_CHANNELS, "example.org", PLACES)
MAKE_THE_ROAD = DemoOrg(
    "T0MTR",
    "Make the Road",
    "mtr",
    [
        DemoPerson("UMTRMAX", "max", "Max Ortiz", None, "admin"),
        DemoPerson("UMTRROSA", "rosa", "Rosa Jiménez", "IA", "coordinator IA"),
        *[
            DemoPerson(f"UMTR{name.upper()}", name, real, "IA", "volunteer")
            for name, real in [
                ("ana", "Ana Reyes"),  # another @ana: `as @ana@mtr`
                ("eva", "Eva Morales"),
                ("flo", "Flo Díaz"),
                ("gabe", "Gabe Santos"),
            ]
        ],
    ],
    {"IA": ("CMTRIOWA", "iowa")},
    [("CMTRGENERAL", "general")],
    "mtr.example.org",
    {
        "IA": [
            "Make the Road office, 1 E Grand Ave, Des Moines",
            "Iglesia San Juan, hall, Marshalltown",
            "https://call.example.org/mtr-ia",
        ]
    },
)
ORGS = [SUNRISE, MAKE_THE_ROAD]


def people_for(slack: LocalSlack) -> None:
    """The demo's workspaces in the Slack stand-in, each with its people and channels; Turnout
    is not installed in them yet (the shell installs it through Slack's install flow)."""
    for org in ORGS:
        if org.team_id not in slack.workspaces:
            slack.add_workspace(org.team_id, org.name, org.handle)
        for person in org.people:
            slack.add_person(
                person.id,
                person.name,
                team=org.team_id,
                real_name=person.real_name,
                email=f"{person.name}@{org.email_domain}",
                tz=ZONES.get(person.home or "IA", "America/Chicago"),
                is_admin=person.role == "admin",
                locale=person.locale,
            )
        for channel_id, name in [*org.channels.values(), *org.extra_channels]:
            slack.add_channel(channel_id, name, team=org.team_id)


def seed(session: Session, now: datetime) -> bool:
    """Seed the demo coalition; False (and nothing written) when it is there already."""
    seeded = select(State).where(State.team_id == SUNRISE.team_id, State.channel_id == CHANNELS["IA"][0])
    if session.exec(seeded).first() is not None:
        return False
    for org in ORGS:  # as installing names them (the shell has installed them already)
        seen(session, team_id=org.team_id, name=org.name, now=now)
    # Sunrise first: the README's tour claims its shifts by id from #1.
    shared = 0
    for org in ORGS:
        admin = _organization(session, org, now)
        volunteers = {
            code: [p.id for p in org.people if p.home == code and p.role == "volunteer" and p.seasoned]
            for code in org.channels
        }
        created = _shifts(session, org, admin, now, volunteers)
        _history(session, org, admin, now, volunteers)
        if org is SUNRISE:
            _distributed(session, now)
            shared = created["IA"][SHARED]
    # Shared shifts: Sunrise shares one of its Iowa canvasses with the coalition, so it is
    # listed in both organizations' #iowa and people of either can claim it (SPEC §9 "Shared
    # shifts"). Shared once Make the Road has bound #iowa, as `/turnout share` would be.
    share_shift(session, actor=Actor(SUNRISE.team_id, ADMIN.id, is_admin=True), shift_id=shared, now=now)
    return True


def _organization(session: Session, org: DemoOrg, now: datetime) -> Actor:
    """The organization's people as Slack describes them, its states bound to its channels, its
    coordinators named by its admin (who is returned)."""
    admin = Actor(org.team_id, org.admin.id, is_admin=True)
    for person in org.people:
        sync_volunteer(
            session,
            profile=Profile(
                org.team_id,
                person.id,
                person.name,
                person.real_name,
                f"{person.name}@{org.email_domain}",
                ZONES.get(person.home or "IA"),
                # As Slack's profile says of a workspace admin: what the bot reads to know who may act.
                is_workspace_admin=person.role == "admin",
                locale=person.locale,
            ),
            now=now,
        )
    for code, (channel_id, _name) in org.channels.items():
        bind_state(session, actor=admin, code=code, channel_id=channel_id, timezone=None, now=now)
    for person in org.people:
        if person.home:
            set_home_state(session, who=Member(org.team_id, person.id), code=person.home, now=now)
        if person.role.startswith("coordinator"):
            grant_coordinator(session, actor=admin, user_id=person.id, state=person.role.split()[1], now=now)
    return admin


# Which of its Iowa shifts Sunrise shares: the fifth, a canvass at the Cedar Rapids library.
SHARED = 4


def _shifts(
    session: Session, org: DemoOrg, admin: Actor, now: datetime, volunteers: dict[str, list[str]]
) -> dict[str, list[int]]:
    """Each state's shifts (their ids, soonest first), some of them claimed."""
    kinds = [ShiftKind.CANVASS, ShiftKind.PHONEBANK, ShiftKind.CANVASS, ShiftKind.TEXTBANK]
    places = org.places
    made: dict[str, list[int]] = {}
    for code in org.channels:
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
                places[code][n % len(places[code])],
                "Training at the start; bring water." if n == 0 else "",
            )
            view, _ = create_shift(session, actor=admin, spec=spec, now=now)
            created.append(view.id)
        people = volunteers[code]
        for user in people[:2]:  # tomorrow's small shift: nearly full
            claim_shift(session, shift_id=created[1], who=Member(org.team_id, user), now=now)
        for user in people:  # the 2-place shift: full, with a waitlist
            claim_shift(session, shift_id=created[3], who=Member(org.team_id, user), now=now)
        claim_shift(session, shift_id=created[0], who=Member(org.team_id, people[-1]), now=now)
        made[code] = created
    return made


def _history(
    session: Session, org: DemoOrg, admin: Actor, now: datetime, volunteers: dict[str, list[str]]
) -> None:
    goals = {"IA": (300, 40), "NH": (250, 30), "NV": (200, 25)} if org is SUNRISE else {"IA": (150, 20)}
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
                channel = org.channels[code][0]
                who = Member(org.team_id, user)
                log_contacts(session, who=who, counts=counts, shift_id=None, channel_id=channel, now=at)


def _distributed(session: Session, now: datetime) -> None:
    """Iowa's volunteers run their own shifts: @cora binds #ia-leads and trusts @kim, whose
    Saturday canvass repeats weekly; @ana's porch canvass waits for approval; phone banks need a
    training first, and there is one to claim."""
    team = SUNRISE.team_id
    cora, kim, ana = (Actor(team, user, is_admin=False) for user in ("UCORA", "UKIM", "UANA"))
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
