"""The evening post cheers each step up the ladder once: a first shift, becoming a regular,
hosting a first shift, becoming a trusted host."""

from __future__ import annotations

from datetime import date, time, timedelta

from bot.blocks.digests import build_evening_post
from bot.deps import Deps
from bot.localslack.reading import message_text
from bot.models import Engagement, ShiftKind, SignupStatus
from bot.services import engagement
from bot.services.digests import evening_digest
from tests import factories as make
from tests.conftest import Bot, Clock
from tests.factories import TEAM, member
from tests.jobs.test_schedule import local, setup, tick


def history(
    deps: Deps, user: str, *days: date, state: str = "IA", kind: ShiftKind = ShiftKind.CANVASS
) -> None:
    """`user` attended a shift at 10:00 on each of `days` (counted as marking them would)."""
    with deps.session() as session:
        make.volunteer(session, user, deps.clock())
        for day in days:
            shift_id = make.shift(session, deps.clock(), state=state, day=day, kind=kind)
            make.signup(session, shift_id, user, deps.clock(), SignupStatus.ATTENDED)
        engagement.refresh(session, who=member(user), state=state, now=deps.clock())


def cheers(deps: Deps, day: date, state: str = "IA") -> str:
    """The evening post for `day` as it would be drawn (and marked) now."""
    with deps.session() as session:
        reply = build_evening_post(
            evening_digest(session, team_id=TEAM, state=state, day=day, now=deps.clock())
        )
    return "\n".join(b["text"]["text"] for b in reply.blocks if b["type"] == "section")


SUN, MON, TUE, WED = (date(2026, 11, 22) + timedelta(days=n) for n in range(4))


def test_a_regular_is_cheered_once_and_the_same_post_drawn_again_keeps_it(bot: Bot) -> None:
    setup(bot)
    bot.clock.now = local("2026-11-22T19:00")
    history(bot.deps, "UVOL1", date(2026, 11, 20), date(2026, 11, 21), SUN)
    tick(bot, local("2026-11-22T20:00"))
    (post,) = [m for m in bot.slack.posts_in("CIOWA") if "today" in message_text(m)]
    assert "<@UVOL1> is a regular now: 3 shifts in the last 30 days!" in message_text(post)
    assert "Welcome <@UVOL1>" not in message_text(post)  # the higher rung is the news
    bot.clock.now = local("2026-11-22T21:00")
    bot.command("/turnout", "digest IA evening", user="UCOORD")  # brought up to date in place
    assert "<@UVOL1> is a regular now" in message_text(post)
    tick(bot, local("2026-11-23T20:00"))
    monday = [m for m in bot.slack.posts_in("CIOWA") if m is not post and "today" in message_text(m)]
    assert monday and "regular" not in message_text(monday[-1])


def test_a_first_shift_anywhere_is_a_welcome_and_a_first_in_a_new_state_a_cheer(
    deps: Deps, clock: Clock
) -> None:
    clock.now = local("2026-11-22T19:00")
    history(deps, "UVOL1", SUN)
    history(deps, "UVOL2", date(2026, 11, 10), state="NH")
    history(deps, "UVOL2", SUN)
    text = cheers(deps, SUN)
    assert "Welcome <@UVOL1>, who just finished their first shift!" in text
    assert "<@UVOL2> finished their first shift in Iowa!" in text
    assert "UVOL" not in cheers(deps, MON)


def test_hosting_is_cheered_once_the_first_hosted_shift_has_taken_place(deps: Deps, clock: Clock) -> None:
    clock.now = local("2026-11-22T19:00")
    with deps.session() as session:
        make.volunteer(session, "UHOST", clock())
        make.shift(session, clock(), day=TUE, kind=ShiftKind.PHONEBANK, host="UHOST")
        engagement.refresh(session, who=member("UHOST"), state="IA", now=clock())
    assert "UHOST" not in cheers(deps, SUN)  # published, not yet hosted
    clock.now = local("2026-11-24T20:00")
    assert "<@UHOST> hosted their first phone bank!" in cheers(deps, TUE)
    clock.now = local("2026-11-25T20:00")
    assert "UHOST" not in cheers(deps, WED)


def test_a_trusted_host_is_cheered_and_a_lower_rung_later_is_not(deps: Deps, clock: Clock) -> None:
    clock.now = local("2026-11-22T19:00")
    history(deps, "UVOL1", SUN)
    with deps.session() as session:
        make.trusted_host(session, "UVOL1", "IA", clock())
    text = cheers(deps, SUN)
    assert "<@UVOL1> is now a trusted host" in text and "Welcome <@UVOL1>" not in text
    clock.now = local("2026-11-23T20:00")
    history(deps, "UVOL1", date(2026, 11, 21), MON)  # now a regular too: not news for a trusted host
    assert "UVOL1" not in cheers(deps, MON)


def test_history_from_before_the_ladder_is_not_news(deps: Deps, clock: Clock) -> None:
    clock.now = local("2026-11-22T19:00")
    history(deps, "UVOL1", date(2026, 11, 20), date(2026, 11, 21), SUN)
    with deps.session() as session:
        row = session.get(Engagement, (TEAM, "UVOL1", "IA"))
        assert row is not None
        row.celebrated_rung = "regular"  # as the migration leaves what happened before it
        session.add(row)
    assert "UVOL1" not in cheers(deps, SUN)


def test_a_launch_day_of_step_ups_stays_inside_the_post(deps: Deps, clock: Clock) -> None:
    clock.now = local("2026-11-22T19:00")
    with deps.session() as session:
        shift_id = make.shift(session, clock(), day=SUN, start=time(9), capacity=200)
        for n in range(120):
            user = f"UV{n:03d}"
            make.signup(session, shift_id, user, clock(), SignupStatus.ATTENDED)
            engagement.refresh(session, who=member(user), state="IA", now=clock())
    text = cheers(deps, SUN)
    assert text.count("Welcome") == 10 and "and 110 more to cheer for!" in text
