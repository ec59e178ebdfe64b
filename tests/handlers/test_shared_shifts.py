"""Shared shifts across the coalition, driven as Slack drives Turnout: Sunrise shares a shift,
Make the Road's volunteers see it in their own #iowa and claim it there, and both workspaces'
posts stay current, each drawn with its own token and naming people of the other organization
by name, never by a mention their workspace cannot resolve (the stand-in warns on those, and
the `slack` fixture fails on any warning)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot import i18n
from bot.blocks import actions as act
from bot.blocks.common import Reply
from bot.localslack.reading import buttons
from bot.models import Delivery, DeliveryKind, Shift, ShiftPost, Signup, SignupStatus
from bot.services import states
from bot.services.schedule import Job
from bot.slack.delivery import Fate, send_dm
from jobs.runner import run_due, run_job
from tests import factories as make
from tests.catalogs import PSEUDO_CODE, pseudo_lang
from tests.conftest import MTR, SUNRISE, Bot, Coalition
from tests.handlers.forging import shift_values, submit
from tests.handlers.test_translated_replies import assert_through_catalog, texts


def settle(bot: Bot) -> None:
    """Everything sent after the answers (lanes, coalesced redraws) has gone out."""
    for _ in range(3):
        assert bot.driver.executor is not None
        bot.driver.executor.wait_idle()
        bot.deps.lanes.wait_idle()
        bot.deps.redraws.wait_idle()


def set_up(coalition: Coalition, capacity: int = 5, shared: bool = True) -> int:
    """Both organizations bind #iowa; Sunrise's admin adds a shift (and shares it)."""
    bot = coalition.bot
    assert "now posts in" in bot.command("/turnout", "state IA #iowa", user="USUNSAM", channel="CSUNIA").text
    assert "now posts in" in bot.command("/turnout", "state IA #iowa", user="UMTRMAX", channel="CMTRIA").text
    added = bot.command(
        "/turnout",
        f"shift add IA 2026-11-28 10:00-13:00 canvass {capacity} Des Moines HQ",
        user="USUNSAM",
        channel="CSUNIA",
    )
    assert "Added shift #1" in added.text, added.text
    if shared:
        answer = bot.command("/turnout", "share 1", user="USUNSAM", channel="CSUNIA")
        assert "shared with the coalition and posted for Make the Road" in answer.text, answer.text
    settle(bot)
    return 1


def post_in(bot: Bot, channel: str):  # type: ignore[no-untyped-def]
    """Shift #1's post in `channel`, as it stands (where Turnout recorded it: the shift's own
    workspace's on the shift, another's among its copies)."""
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None
        where = {(shift.channel_id, shift.message_ts)}
        where |= {(p.channel_id, p.message_ts) for p in session.exec(select(ShiftPost))}
    posts = [m for m in bot.slack.posts_in(channel) if (m.channel, m.ts) in where]
    assert len(posts) == 1, posts
    return posts[0]


def test_a_shared_shift_is_posted_in_both_workspaces_and_claimed_from_either(coalition: Coalition) -> None:
    bot = coalition.bot
    set_up(coalition)
    theirs = post_in(bot, "CMTRIA")
    assert theirs.team == MTR and "Shared by Sunrise" in str(theirs.blocks)
    # Eva claims from Make the Road's own post, with the button there.
    claimed = bot.click(theirs, act.CLAIM, user="UMTREVA")
    assert claimed.status == 200
    bot.command("/claim", "1", user="USUNANA", channel="CSUNIA")
    settle(bot)
    for channel in ("CSUNIA", "CMTRIA"):
        post = bot.slack.message(channel, post_in(bot, channel).ts)
        assert post is not None and "2/5" in post.text, (channel, post.text if post else None)
    with bot.deps.read_session() as session:
        signups = {(s.team_id, s.volunteer_id) for s in session.exec(select(Signup))}
        copies = list(session.exec(select(ShiftPost)))
    assert signups == {(MTR, "UMTREVA"), (SUNRISE, "USUNANA")}
    assert [(c.team_id, c.channel_id) for c in copies] == [(MTR, "CMTRIA")]
    # Each post was drawn with its own workspace's token only.
    assert {c.team for c in bot.slack.calls_to("chat.update") if c.params.get("channel") == "CMTRIA"} == {MTR}
    assert {c.team for c in bot.slack.calls_to("chat.update") if c.params.get("channel") == "CSUNIA"} == {
        SUNRISE
    }


def test_a_shift_not_shared_stays_its_organization_s_own(coalition: Coalition) -> None:
    bot = coalition.bot
    set_up(coalition, shared=False)
    assert [m for m in bot.slack.posts_in("CMTRIA") if "Des Moines HQ" in str(m.blocks)] == []
    refused = bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    assert "There is no shift #1" in refused.text
    listed = bot.command("/shifts", "IA", user="UMTREVA", channel="CMTRIA")
    assert "Des Moines HQ" not in listed.text + str(listed.reply)
    roster = bot.command("/turnout", "roster 1", user="UMTRMAX", channel="CMTRIA")
    assert "There is no shift #1" in roster.text


def test_sharing_is_for_the_shift_s_own_organization_and_only_once(coalition: Coalition) -> None:
    bot = coalition.bot
    set_up(coalition)
    again = bot.command("/turnout", "share 1", user="USUNSAM", channel="CSUNIA")
    assert "already" in again.text
    theirs = bot.command("/turnout", "shift cancel 1", user="UMTRMAX", channel="CMTRIA")
    assert "only Sunrise can change it" in theirs.text
    volunteer = bot.command("/turnout", "share 1", user="USUNANA", channel="CSUNIA")
    assert "share shift #1" in volunteer.text
    with bot.deps.read_session() as session:
        row = session.get(Shift, 1)
        assert row is not None and row.status == "open" and row.shared_by == "USUNSAM"


def test_the_roster_names_the_other_organization_s_people_and_a_release_reaches_them(
    coalition: Coalition,
) -> None:
    bot = coalition.bot
    set_up(coalition, capacity=1)
    bot.command("/claim", "1", user="USUNANA", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")  # waitlisted
    settle(bot)
    own = bot.command("/turnout", "roster 1", user="USUNSAM", channel="CSUNIA")
    assert "Eva (Make the Road)" in str(own.reply) or "eva (Make the Road)" in str(own.reply)
    seen_there = bot.command("/turnout", "roster 1", user="UMTRMAX", channel="CMTRIA")
    assert "(Sunrise)" in str(seen_there.reply)
    assert not [b for b in buttons(seen_there.reply) if b.get("action_id") in (act.ATTENDED, act.REMOVE)]
    # Ana releases: Eva moves up, told by DM in her own workspace.
    bot.command("/unclaim", "1", user="USUNANA", channel="CSUNIA")
    settle(bot)
    dms = bot.slack.dms_to("UMTREVA")
    assert len(dms) == 1 and dms[0].team == MTR and "A place opened up" in dms[0].text
    for channel in ("CSUNIA", "CMTRIA"):
        post = bot.slack.message(channel, post_in(bot, channel).ts)
        assert post is not None and "1/1" in post.text


def test_cancelling_a_shared_shift_tells_everyone_in_their_own_workspace(coalition: Coalition) -> None:
    bot = coalition.bot
    set_up(coalition)
    bot.command("/claim", "1", user="USUNANA", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    answer = bot.cancel_shift(1, "storm", user="USUNSAM")
    # Eva's DM goes on Make the Road's lane, and lands in time to be counted.
    assert "Cancelled shift #1. Told 2 people by DM." in answer.text, answer.text
    settle(bot)
    for user, team in (("USUNANA", SUNRISE), ("UMTREVA", MTR)):
        dms = [m for m in bot.slack.dms_to(user) if "cancelled" in m.text]
        assert len(dms) == 1 and dms[0].team == team, (user, dms)
    post = bot.slack.message("CMTRIA", post_in(bot, "CMTRIA").ts)
    assert post is not None and "cancelled" in post.text


def test_cancelling_waits_on_no_other_workspaces_slack(coalition: Coalition) -> None:
    """Make the Road's Slack answers 5 s late when Sunrise's coordinator cancels the shared
    shift: the coordinator's answer and Ana's DM come at once; Eva's DM waits on Make the Road's
    lane and reaches her once, with Make the Road's token."""
    bot = coalition.bot
    set_up(coalition)
    bot.command("/claim", "1", user="USUNANA", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    settle(bot)
    bot.slack.delay_next("chat.postMessage", seconds=5, team=MTR)
    started = time.monotonic()
    answer = bot.cancel_shift(1, "storm", user="USUNSAM")
    assert time.monotonic() - started < 2.5
    # Eva's DM is on its way on her workspace's lane, not yet sent: she is not counted as told.
    assert "Told 1 of 2 people so far; the rest are on their way" in answer.text, answer.text
    assert [m.team for m in bot.slack.dms_to("USUNANA") if "cancelled" in m.text] == [SUNRISE]
    assert bot.deps.lanes.busy(MTR)
    settle(bot)
    assert [m.team for m in bot.slack.dms_to("UMTREVA") if "cancelled" in m.text] == [MTR]
    with bot.deps.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT team_id, target, status, attempts FROM delivery WHERE kind = 'cancelled'")
        )
        assert sorted((r.team_id, r.target, str(r.status).lower(), r.attempts) for r in rows) == [
            (MTR, "UMTREVA", "sent", 1),
            (SUNRISE, "USUNANA", "sent", 1),
        ]


def test_a_dm_for_another_workspace_stays_owed_once_the_lanes_are_shut_down(coalition: Coalition) -> None:
    """A process stopping has shut its lanes: a DM a request owes Make the Road's Eva is
    recorded, nothing is sent, and it stays owed for a later run to send."""
    bot = coalition.bot
    set_up(coalition)
    bot.deps.lanes.shutdown()
    sunrise = bot.deps.workspaces.client(SUNRISE)
    assert sunrise is not None
    told = send_dm(
        bot.deps,
        sunrise,
        team_id=MTR,
        kind=DeliveryKind.CANCELLED,
        user_id="UMTREVA",
        key="1",
        reply=Reply("Shift #1 was cancelled.", []),
    )
    assert told.fate == Fate.PENDING and bot.slack.dms_to("UMTREVA") == []
    with bot.deps.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT team_id, target, status, attempts FROM delivery WHERE kind = 'cancelled'")
        )
        assert [(r.team_id, r.target, str(r.status).lower(), r.attempts) for r in rows] == [
            (MTR, "UMTREVA", "retry", 0)
        ]


def test_binding_the_state_later_posts_the_open_shared_shifts(coalition: Coalition) -> None:
    bot = coalition.bot
    assert "now posts in" in bot.command("/turnout", "state IA #iowa", user="USUNSAM", channel="CSUNIA").text
    bot.command(
        "/turnout",
        "shift add IA 2026-11-28 10:00-13:00 canvass 5 Des Moines HQ",
        user="USUNSAM",
        channel="CSUNIA",
    )
    answer = bot.command("/turnout", "share 1", user="USUNSAM", channel="CSUNIA")
    assert "No other organization has a channel for IA yet" in answer.text
    assert "now posts in" in bot.command("/turnout", "state IA #iowa", user="UMTRMAX", channel="CMTRIA").text
    settle(bot)
    assert "Shared by Sunrise" in str(post_in(bot, "CMTRIA").blocks)


def test_claims_from_both_workspaces_at_once_end_both_posts_at_five_of_five(coalition: Coalition) -> None:
    bot = coalition.bot
    set_up(coalition, capacity=5)
    people = [("USUNANA", "CSUNIA"), ("USUNBEN", "CSUNIA"), ("USUNSAM", "CSUNIA")]
    people += [("UMTREVA", "CMTRIA"), ("UMTRFLO", "CMTRIA"), ("UMTRMAX", "CMTRIA")]
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def go(user: str, channel: str) -> None:
        try:
            barrier.wait()
            bot.command("/claim", "1", user=user, channel=channel)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=go, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    settle(bot)
    with bot.deps.read_session() as session:
        statuses = list(session.exec(select(Signup.status)))
    assert statuses.count(SignupStatus.CLAIMED) == 5 and statuses.count(SignupStatus.WAITLISTED) == 1
    for channel in ("CSUNIA", "CMTRIA"):
        post = bot.slack.message(channel, post_in(bot, channel).ts)
        assert post is not None and "5/5" in post.text, (channel, post.text if post else None)
        assert "1 on the waitlist" in str(post.blocks)


def test_another_organization_s_view_of_a_shared_shift_comes_through_the_catalog(
    coalition: Coalition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make the Road's admin reads the pseudo-language: the shared shift listed, its post, its
    roster and the refusal to change it carry no English but names."""
    monkeypatch.setattr(i18n, "LANGUAGES", (*i18n.LANGUAGES, PSEUDO_CODE))
    monkeypatch.setattr(i18n, "_LANGS", {**i18n._LANGS, PSEUDO_CODE: pseudo_lang()})
    monkeypatch.setattr(states, "LANGUAGES", i18n.LANGUAGES)  # a state may speak the pseudo-language too
    bot = coalition.bot
    set_up(coalition)
    bot.command("/claim", "1", user="USUNANA", channel="CSUNIA")
    with bot.deps.session() as session:
        session.execute(sa.text(f"UPDATE volunteer SET language = '{PSEUDO_CODE}' WHERE id = 'UMTRMAX'"))
        session.execute(
            sa.text(f"UPDATE state SET language = '{PSEUDO_CODE}' WHERE team_id = '{MTR}' AND code = 'IA'")
        )
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")  # Make the Road's post is redrawn
    settle(bot)
    seen: list[tuple[str, str]] = []
    for command, text in (
        ("/shifts", "IA"),
        ("/turnout", "roster 1"),
        ("/turnout", "shift cancel 1"),
        ("/claim", "1"),
        ("/myshifts", ""),
    ):
        exchange = bot.command(command, text, user="UMTRMAX", channel="CMTRIA")
        seen += [(f"{command} {text}", t) for m in exchange.replies for t in [m.text, *texts(m.blocks)]]
    post = bot.slack.message("CMTRIA", post_in(bot, "CMTRIA").ts)
    assert post is not None
    seen += [("post", t) for t in [post.text, *texts(post.blocks)]]
    names = ("Sunrise", "Make", "the", "Road", "Des", "Moines", "HQ", "ana", "eva", "max")
    assert_through_catalog(seen, least=10, allowed=names)


def test_the_host_hears_of_a_claim_from_another_organization_by_name_and_organization(
    coalition: Coalition,
) -> None:
    bot = coalition.bot
    set_up(coalition)
    with bot.deps.session() as session:
        make.volunteer(session, "USUNANA", bot.clock(), "ana", team=SUNRISE)
        make.volunteer(session, "UMTREVA", bot.clock(), "eva", team=MTR)
        session.execute(sa.text("UPDATE shift SET host_id = 'USUNANA' WHERE id = 1"))
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    settle(bot)
    (news,) = bot.slack.dms_to("USUNANA")
    assert news.team == SUNRISE and "eva (Make the Road) claimed a place on your canvass #1" in news.text
    # Eva sees Ana as Sunrise's host, by name.
    mine = bot.command("/myshifts", "", user="UMTREVA", channel="CMTRIA")
    assert "Hosted by ana (Sunrise)" in str(mine.reply)
    # Too close to the start, Eva is pointed to Sunrise, not to people her workspace cannot resolve.
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None
        bot.clock.now = shift.starts_at - timedelta(hours=1)
    late = bot.command("/unclaim", "1", user="UMTREVA", channel="CMTRIA")
    assert "Ask Sunrise, whose shift it is, to take you off it." in late.text, late.text


def test_someone_of_another_organization_logs_for_the_shared_shift_they_were_on(coalition: Coalition) -> None:
    bot = coalition.bot
    set_up(coalition)
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None
        bot.clock.now = shift.starts_at + timedelta(hours=1)
    logged = bot.command("/log", "12 doors for 1", user="UMTREVA", channel="CMTRIA")
    assert "12" in logged.text and "There is no shift" not in logged.text, logged.text
    with bot.deps.read_session() as session:
        rows = session.execute(sa.text("SELECT team_id, volunteer_id, shift_id, doors FROM contactlog")).all()
    assert [tuple(r) for r in rows] == [(MTR, "UMTREVA", 1, 12)]  # counted for her own organization
    other = bot.command("/log", "3 doors for 1", user="UMTRFLO", channel="CMTRIA")
    assert "You weren't on shift #1" in other.text


# The shift form's "Share with the coalition" box, ticked.
SHARE_TICKED = {"share": {"share": {"type": "checkboxes", "selected_options": [{"value": "share"}]}}}


def sunrise_shift_form(bot: Bot) -> dict[str, Any]:
    """Both organizations bind #iowa; the shift form Sunrise's admin opens."""
    for user, channel in (("USUNSAM", "CSUNIA"), ("UMTRMAX", "CMTRIA")):
        bot.command("/turnout", "state IA #iowa", user=user, channel=channel)
    bot.command("/turnout", "shift add", user="USUNSAM", channel="CSUNIA")
    (form,) = [call.params["view"] for call in bot.slack.calls_to("views.open")]
    view: dict[str, Any] = form
    return view


def test_the_shift_form_shares_a_new_shift_when_its_box_is_ticked(coalition: Coalition) -> None:
    bot = coalition.bot
    form = sunrise_shift_form(bot)
    assert "share" in [block.get("block_id") for block in form["blocks"]]
    submit(bot, {**form, "id": "VSHARED1"}, {**shift_values(capacity="4"), **SHARE_TICKED}, user="USUNSAM")
    settle(bot)
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None and shift.shared_by == "USUNSAM"
    assert "Shared by Sunrise" in str(post_in(bot, "CMTRIA").blocks)
    # Left unticked, the next one stays Sunrise's own.
    submit(bot, {**form, "id": "VSHARED2"}, shift_values(capacity="4", location="Ames"), user="USUNSAM")
    with bot.deps.read_session() as session:
        second = session.get(Shift, 2)
        assert second is not None and second.shared_at is None


def test_one_workspace_s_shift_form_offers_no_sharing(bot: Bot) -> None:
    bot.command("/turnout", "shift add", user="UADMIN", channel="CIOWA")
    (form,) = [call.params["view"] for call in bot.slack.calls_to("views.open")]
    assert "share" not in [block.get("block_id") for block in form["blocks"]]


def test_a_training_refusal_names_the_shift_s_organization_not_its_coordinators(coalition: Coalition) -> None:
    """Make the Road's volunteer can't resolve a mention of Sunrise's coordinator: the refusal
    points them to Sunrise by name instead."""
    bot = coalition.bot
    set_up(coalition)
    for said in (
        bot.command("/turnout", "coordinator <@USUNBEN> IA", user="USUNSAM", channel="CSUNIA"),
        bot.command("/turnout", "require IA canvass training", user="USUNSAM", channel="CSUNIA"),
    ):
        assert said.status == 200 and "Only" not in said.text, said.text
    own = bot.command("/claim", "1", user="USUNANA", channel="CSUNIA").text
    assert "ask <@USUNBEN> (IA coordinator)" in own
    theirs = bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA").text
    assert "needs a training first" in theirs or "need a training first" in theirs, theirs
    assert "<@USUN" not in theirs and "ask Sunrise, whose shift it is," in theirs, theirs
    with bot.deps.read_session() as session:
        assert session.exec(select(Signup)).all() == []


def test_no_message_goes_to_an_uninstalled_organization_with_another_s_token(coalition: Coalition) -> None:
    """Make the Road uninstalls after eva claimed Sunrise's shared shift: cancelling it tells
    Sunrise's people, and sends nothing to eva with Sunrise's token."""
    bot = coalition.bot
    set_up(coalition)
    bot.command("/claim", "1", user="USUNANA", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    settle(bot)
    bot.driver.uninstall(MTR)
    after = len(bot.slack.calls)
    bot.cancel_shift(1, "storm", user="USUNSAM")
    settle(bot)
    assert len([m for m in bot.slack.dms_to("USUNANA") if "cancelled" in m.text]) == 1
    to_eva = [c for c in bot.slack.calls[after:] if "UMTREVA" in str(c.params)]
    assert to_eva == []
    assert bot.slack.refusals == []


def host_ana(bot: Bot) -> None:
    """Ana (Sunrise) hosts shift #1; Eva (Make the Road) is known by name."""
    with bot.deps.session() as session:
        make.volunteer(session, "USUNANA", bot.clock(), "ana", team=SUNRISE)
        make.volunteer(session, "UMTREVA", bot.clock(), "eva", team=MTR)
        session.execute(sa.text("UPDATE shift SET host_id = 'USUNANA' WHERE id = 1"))


def test_an_edit_tells_another_organization_s_volunteer_by_name_not_by_mention(coalition: Coalition) -> None:
    """Eva's DM about a changed time, and her DM about a place the raised capacity gave her, name
    Sunrise's host by name and organization (a mention would warn, and the fixture fails)."""
    bot = coalition.bot
    set_up(coalition, capacity=1)
    host_ana(bot)
    bot.command("/claim", "1", user="USUNBEN", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")  # waitlisted
    settle(bot)
    edited = bot.command("/turnout", "shift edit 1 time 11:00-14:00", user="USUNSAM", channel="CSUNIA")
    assert "changed" in edited.text.lower(), edited.text
    settle(bot)
    (changed,) = [m for m in bot.slack.dms_to("UMTREVA") if "has changed" in m.text]
    assert changed.team == MTR and "Hosted by ana (Sunrise)" in str(changed.blocks), changed.blocks
    raised = bot.command("/turnout", "shift edit 1 capacity 2", user="USUNSAM", channel="CSUNIA")
    assert raised.status == 200, raised.text
    settle(bot)
    (promoted,) = [m for m in bot.slack.dms_to("UMTREVA") if "A place opened up" in m.text]
    assert promoted.team == MTR and "Hosted by ana (Sunrise)" in str(promoted.blocks), promoted.blocks
    # Sunrise's own people still see their host as a mention.
    (own,) = [m for m in bot.slack.dms_to("USUNBEN") if "has changed" in m.text]
    assert "<@USUNANA>" in str(own.blocks)


def test_a_capacity_below_the_places_held_names_another_organization_s_holder_by_name(
    coalition: Coalition,
) -> None:
    bot = coalition.bot
    set_up(coalition, capacity=3)
    host_ana(bot)
    bot.command("/claim", "1", user="USUNBEN", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    settle(bot)
    refused = bot.command("/turnout", "shift edit 1 capacity 1", user="USUNSAM", channel="CSUNIA")
    assert "can't go down to 1" in refused.text, refused.text
    assert "<@USUNBEN>" in refused.text and "eva (Make the Road)" in refused.text, refused.text
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None and shift.capacity == 3


def test_roster_add_on_a_shared_shift_tells_everyone_in_their_own_workspace_s_terms(
    coalition: Coalition,
) -> None:
    bot = coalition.bot
    set_up(coalition, capacity=1)
    host_ana(bot)
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    settle(bot)
    added = bot.command("/turnout", "roster 1 add <@USUNBEN>", user="USUNSAM", channel="CSUNIA")
    assert added.status == 200 and "eva (Make the Road)" in str(added.reply), added.reply
    settle(bot)
    (ben,) = [m for m in bot.slack.dms_to("USUNBEN") if "waitlist" in m.text]
    assert ben.team == SUNRISE and "waitlist" in ben.text and "<@USUNANA>" in str(ben.blocks)
    assert {m.team for m in bot.slack.dms_to("USUNANA")} == {SUNRISE}
    assert any("eva (Make the Road)" in m.text for m in bot.slack.dms_to("USUNANA"))
    # Make the Road's admin may claim it but not put people on it: it is Sunrise's to run.
    theirs = bot.command("/turnout", "roster 1 add <@UMTRFLO>", user="UMTRMAX", channel="CMTRIA")
    assert "only Sunrise can change it" in theirs.text, theirs.text
    with bot.deps.read_session() as session:
        assert {s.volunteer_id for s in session.exec(select(Signup))} == {"UMTREVA", "USUNBEN"}


def test_reminders_and_follow_ups_reach_another_organization_s_volunteer_in_her_own_workspace(
    coalition: Coalition,
) -> None:
    """The day-before DM, the reminder and the after-shift follow-up go to Eva with Make the
    Road's token, naming Sunrise's host by name (each job run in every workspace)."""
    bot = coalition.bot
    set_up(coalition)
    host_ana(bot)
    bot.command("/claim", "1", user="USUNBEN", channel="CSUNIA")
    bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA")
    settle(bot)
    with bot.deps.read_session() as session:
        shift = session.get(Shift, 1)
        assert shift is not None
        starts, ends = shift.starts_at, shift.ends_at
    for job, at in (
        (Job.DAY_BEFORE, starts - timedelta(hours=18)),
        (Job.REMINDERS, starts - timedelta(hours=1)),
        (Job.AFTER_SHIFT, ends + timedelta(hours=1, minutes=5)),
    ):
        bot.clock.now = at
        run_job(bot.deps, job, "IA", at, team_id=None)
        run_job(bot.deps, job, "IA", at, team_id=None)  # run again: each DM goes once
        settle(bot)
    for user, team in (("USUNBEN", SUNRISE), ("UMTREVA", MTR)):
        dms = bot.slack.dms_to(user)
        assert {m.team for m in dms} == {team}, (user, dms)
        keys = [m.metadata["event_payload"]["key"].split(":")[0] for m in dms if m.metadata]
        for kind in ("day-before", "reminder", "follow_up"):
            assert keys.count(kind) == 1, (user, keys)
    eva = " ".join(str(m.blocks) for m in bot.slack.dms_to("UMTREVA"))
    assert "<@USUN" not in eva


def test_a_shift_shared_from_the_form_and_repeated_weekly_shares_every_week(coalition: Coalition) -> None:
    bot = coalition.bot
    form = sunrise_shift_form(bot)
    weeks = {"repeat_weeks": {"repeat_weeks": {"type": "number_input", "value": "2"}}}
    submit(
        bot,
        {**form, "id": "VSHAREDWEEKLY"},
        {**shift_values(capacity="4"), **SHARE_TICKED, **weeks},
        user="USUNSAM",
    )
    settle(bot)
    with bot.deps.read_session() as session:
        shifts = session.exec(select(Shift).order_by(col(Shift.id))).all()
    assert len(shifts) == 3, [(s.id, s.starts_at) for s in shifts]
    assert [s.shared_by for s in shifts] == ["USUNSAM"] * 3
    with bot.deps.read_session() as session:  # and each week is posted in Make the Road's #iowa
        copies = session.exec(select(ShiftPost).where(ShiftPost.team_id == MTR)).all()
    assert sorted(c.shift_id for c in copies) == [s.id for s in shifts]


def test_an_owed_copy_no_longer_shared_holds_up_none_of_its_workspaces_other_owed_messages(
    coalition: Coalition,
) -> None:
    """Make the Road owes a copy of Sunrise's shift post when Sunrise leaves: the copy is no
    longer worth sending (dropped), and a DM owed in Make the Road after it is still sent."""
    bot = coalition.bot
    bot.command("/turnout", "state IA #iowa", user="USUNSAM", channel="CSUNIA")
    bot.command("/turnout", "state IA #iowa", user="UMTRMAX", channel="CMTRIA")
    bot.command(
        "/turnout",
        "shift add IA 2026-11-28 10:00-13:00 canvass 5 Des Moines HQ",
        user="USUNSAM",
        channel="CSUNIA",
    )
    bot.slack.fail_next("chat.postMessage", 200, error="fatal_error", team=MTR)  # the copy is refused once
    bot.command("/turnout", "share 1", user="USUNSAM", channel="CSUNIA")
    settle(bot)
    bot.driver.uninstall(SUNRISE)
    settle(bot)
    mtr = bot.deps.workspaces.client(MTR)
    assert mtr is not None
    bot.slack.fail_next("chat.postMessage", 200, error="fatal_error", team=MTR)
    told = send_dm(
        bot.deps,
        mtr,
        team_id=MTR,
        kind=DeliveryKind.CANCELLED,
        user_id="UMTREVA",
        key="other",
        reply=Reply("An unrelated owed DM.", []),
        expires_at=bot.clock() + timedelta(hours=3),
    )
    assert told.fate == Fate.RETRYING
    for _ in range(6):  # half an hour of ticks
        bot.clock.advance(minutes=5)
        run_due(bot.deps, bot.clock(), team_id=MTR)
    assert [m.text for m in bot.slack.dms_to("UMTREVA")] == ["An unrelated owed DM."]
    with bot.deps.read_session() as session:
        copy = session.exec(
            select(Delivery).where(Delivery.kind == DeliveryKind.SHIFT_POST, Delivery.team_id == MTR)
        ).one()
    assert copy.status == "failed"
