"""Admins bind states and grant roles; coordinators add shifts (form or inline), cancel, take the roster."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.blocks import actions as act
from bot.localslack.reading import buttons, message_text
from bot.localslack.webapi import Message
from bot.models import Coordinator, Shift, State, Volunteer
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def test_admin_binds_a_state_to_a_typed_channel_with_a_time_zone(bot: Bot) -> None:
    reply = bot.command("/turnout", "state TX #iowa America/Denver", user="UADMIN")
    assert "Texas (TX) now posts in <#CIOWA>, on America/Denver time" in reply.text
    with bot.deps.read_session() as session:
        state = session.get(State, (TEAM, "TX"))
        assert state is not None and state.channel_id == "CIOWA" and state.timezone == "America/Denver"


def test_a_channel_holds_one_state(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    clash = bot.command("/turnout", "state NH <#CIOWA|iowa>", user="UADMIN")
    assert "already IA's channel" in clash.text


def test_workspace_owners_are_admins(bot: Bot) -> None:
    assert "now posts in" in bot.command("/turnout", "state NH #new-hampshire", user="UOWNER").text


def test_grant_and_revoke_a_coordinator_by_typed_name(bot: Bot) -> None:
    granted = bot.command("/turnout", "coordinator @cora IA", user="UADMIN")
    assert "<@UCOORD> now coordinates IA" in granted.text
    assert (
        "already coordinates" in bot.command("/turnout", "coordinator <@UCOORD|cora> IA", user="UADMIN").text
    )
    help_text = bot.command("/turnout", "help", user="UCOORD").text
    assert "As a coordinator (IA)" in help_text and "As an admin" not in help_text
    revoked = bot.command("/turnout", "coordinator remove <@UCOORD> IA", user="UADMIN")
    assert "no longer coordinates IA" in revoked.text
    with bot.deps.read_session() as session:
        assert session.exec(select(Coordinator)).all() == []


def test_home_state_is_the_default_for_shifts(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), state="NH")
    assert "New Hampshire (NH)" in bot.command("/turnout", "home nh").text
    with bot.deps.read_session() as session:
        volunteer = session.get(Volunteer, (TEAM, "UVOL1"))
        assert volunteer is not None and volunteer.home_state == "NH" and volunteer.email == "ana@example.org"
    assert "New Hampshire" in bot.command("/shifts").text


def test_shift_add_form_validates_inline_and_saves_once(bot: Bot) -> None:
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    opened = bot.command("/turnout", "shift add", user="UCOORD")
    view = opened.view
    assert view is not None and view["callback_id"] == act.SHIFT_FORM
    values = {
        "state": {"state": {"type": "static_select", "selected_option": {"value": "IA"}}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-11-01"}},
        "start": {"start": {"type": "timepicker", "selected_time": "13:00"}},
        "end": {"end": {"type": "timepicker", "selected_time": "10:00"}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "phonebank"}}},
        "capacity": {"capacity": {"type": "number_input", "value": "0"}},
        "location": {"location": {"type": "plain_text_input", "value": "   "}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
    }
    rejected = bot.driver.submit(view, values, user="UCOORD")
    assert rejected.ack["response_action"] == "errors"
    assert set(rejected.ack["errors"]) == {"end", "capacity", "location"}
    fixed = copy.deepcopy(values)
    fixed["end"]["end"]["selected_time"] = "16:00"
    fixed["capacity"]["capacity"]["value"] = "6"
    fixed["location"]["location"]["value"] = "https://zoom.example.org/j/1"
    past = bot.driver.submit(view, fixed, user="UCOORD")
    assert "date" in past.ack["errors"] and "past" in past.ack["errors"]["date"]
    fixed["date"]["date"]["selected_date"] = "2026-11-29"
    saved = bot.driver.submit(view, fixed, user="UCOORD")
    again = bot.driver.submit(view, fixed, user="UCOORD")  # the same form submitted twice
    assert saved.status == again.status == 200 and saved.body == ""
    with bot.deps.read_session() as session:
        shifts = session.exec(select(Shift)).all()
    assert len(shifts) == 1 and shifts[0].kind == "phonebank" and shifts[0].capacity == 6
    assert len(bot.slack.posts_in("CIOWA")) == 1
    assert "Added shift" in message_text(bot.slack.dms_to("UCOORD")[-1])


def test_roster_marks_attendance_and_removes(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    roster = bot.command("/turnout", f"roster {shift_id}", user="UADMIN").reply
    assert "<@UVOL1>" in message_text(roster) and "waitlisted #1" in message_text(roster)
    assert {b["action_id"] for b in buttons(roster)} == {act.REMOVE}
    removed = bot.click(roster, act.REMOVE, user="UADMIN", value=buttons(roster)[0]["value"])
    assert removed.reply.ts == roster.ts and "removed" in message_text(roster)
    assert "took you off shift" in message_text(bot.slack.dms_to("UVOL1")[-1])
    assert "it's yours" in message_text(bot.slack.dms_to("UVOL2")[-1])
    with bot.deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        bot.clock.now = shift.starts_at + timedelta(minutes=10)
    roster = bot.command("/turnout", f"roster {shift_id}", user="UADMIN").reply
    assert "_unmarked_" in message_text(roster)
    attended = bot.click(roster, act.ATTENDED, user="UADMIN")
    assert ":white_check_mark: attended" in attended.text
    stranger = bot.click(roster, act.NO_SHOW, user="UVOL3")
    assert "Only an admin" in stranger.text


def test_cancel_tells_everyone_on_the_shift(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    cancelled = bot.cancel_shift(shift_id, user="UADMIN")
    assert "Told 2 people by DM" in cancelled.text
    assert "has been cancelled" in message_text(bot.slack.dms_to("UVOL1")[-1])
    assert "has been cancelled" in message_text(bot.slack.dms_to("UVOL2")[-1])
    again = bot.cancel_shift(shift_id, user="UADMIN")
    assert "already cancelled" in again.text and len(bot.slack.dms_to("UVOL1")) == 1


def test_cancel_asks_first_and_passes_the_reason_on(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=2)
    bot.command("/claim", str(shift_id), user="UVOL1")
    asked = bot.command(
        "/turnout",  # Slack escapes &, < and > in what people type.
        f"shift cancel {shift_id} the venue &lt;b&gt;flooded&lt;/b&gt; &amp; closed",
        user="UADMIN",
    )
    (cancel,) = [b for b in buttons(asked.reply) if b["action_id"] == act.CANCEL_SHIFT]
    assert cancel["style"] == "danger" and cancel["confirm"]["confirm"]["text"] == "Cancel the shift"
    assert "1 person on it or waiting will be told by DM" in asked.text
    with bot.deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None and shift.status == "open"  # nothing happens until it is confirmed
    assert bot.slack.dms_to("UVOL1") == []
    confirmation = asked.reply
    stale = copy.deepcopy(confirmation)  # as a second, quick click would still see it
    done = bot.click(confirmation, act.CANCEL_SHIFT, user="UADMIN")
    assert "Cancelled shift" in done.text
    assert (done.reply.channel, done.reply.ts) == (confirmation.channel, confirmation.ts)  # replaced
    dm = bot.slack.dms_to("UVOL1")[-1]
    assert "*Why:* the venue &lt;b&gt;flooded&lt;/b&gt; &amp; closed" in message_text(dm)
    twice = bot.click(stale, act.CANCEL_SHIFT, user="UADMIN")
    assert "already cancelled" in twice.text and len(bot.slack.dms_to("UVOL1")) == 1


def test_only_a_coordinator_can_confirm_a_cancel(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock())
    asked = bot.command("/turnout", f"shift cancel {shift_id}", user="UADMIN")
    refused = bot.click(asked.reply, act.CANCEL_SHIFT, user="UVOL2")
    assert "Only an IA coordinator" in refused.text or "Only an admin" in refused.text
    with bot.deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None and shift.status == "open"


def test_coordinators_set_the_release_cutoff_for_their_state(bot: Bot) -> None:
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=2)
        shift = session.get(Shift, shift_id)
        assert shift is not None
        starts_at = shift.starts_at
    bot.command("/claim", str(shift_id))
    assert "until 1 hour before" in bot.command("/turnout", "cutoff IA 1", user="UCOORD").text
    assert "Only an IA coordinator" in bot.command("/turnout", "cutoff IA 0", user="UVOL2").text
    assert "not a number of hours" in bot.command("/turnout", "cutoff IA soon", user="UCOORD").text
    assert "between 0 and 72 hours" in bot.command("/turnout", "cutoff IA 100", user="UCOORD").text
    bot.clock.now = starts_at - timedelta(minutes=90)
    assert "You're off shift" in bot.command("/unclaim", str(shift_id)).text


def test_app_home_shows_shifts_impact_and_progress_with_working_buttons(bot: Bot) -> None:
    with bot.deps.session() as session:
        mine = make.shift(session, bot.clock())
        other = make.shift(session, bot.clock(), days_ahead=3, location="Ames library")
    bot.command("/turnout", "home IA")
    bot.command("/turnout", "goal IA 50 doors daily", user="UADMIN")
    bot.command("/claim", str(mine))
    bot.command("/log", "20 doors")
    exchange = bot.driver.event(
        {"type": "app_home_opened", "user": "UVOL1", "tab": "home", "channel": "DUVOL1"}
    )
    assert exchange.status == 200
    home = bot.slack.home_views["UVOL1"]
    text = message_text(Message("", "", "", home["blocks"]))
    assert f"#{mine}" in text and "20 doors" in text and "1-day streak" in text
    assert "20 / 50 doors" in text and "Ames library" in text
    bot.driver.click_view(home, act.HOME_CONFIRM, user="UVOL1")
    home = bot.slack.home_views["UVOL1"]
    assert "Confirmed: see you at shift" in str(home["blocks"])
    bot.driver.click_view(home, act.HOME_CLAIM, user="UVOL1", value=str(other))
    home = bot.slack.home_views["UVOL1"]
    assert f"You're on shift #{other}" in str(home["blocks"])
    opened = bot.driver.click_view(home, act.HOME_LOG, user="UVOL1")
    assert opened.view is not None and opened.view["callback_id"] == "log.form"


def test_a_shift_in_a_state_without_a_channel_says_it_was_not_posted_and_how_to_fix_it(bot: Bot) -> None:
    added = bot.command("/turnout", "shift add NV 2026-11-28 10:00-13:00 canvass 8 Reno HQ", user="UADMIN")
    assert "Added shift #1. It was not posted: NV has no channel yet." in added.text
    assert "`/turnout state NV #channel`" in added.text


@pytest.mark.parametrize(
    ("utc_now", "offered"),
    [
        ("2026-11-23T15:00:00+00:00", "2026-11-23"),  # 09:00 in Iowa: 10:00 today is still ahead
        ("2026-11-23T17:00:00+00:00", "2026-11-24"),  # 11:00 in Iowa: today's 10:00 has passed
    ],
)
def test_the_shift_form_offers_a_day_whose_suggested_start_is_still_ahead(
    bot: Bot, utc_now: str, offered: str
) -> None:
    """Offered in the zone of the channel's state (Alaska, first of an admin's states, is 3 hours behind)."""
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.clock.now = datetime.fromisoformat(utc_now)
    view = bot.command("/turnout", "shift add", user="UADMIN", channel="CIOWA").view
    assert view is not None
    (date_block,) = [b for b in view["blocks"] if b.get("block_id") == "date"]
    assert date_block["element"]["initial_date"] == offered
