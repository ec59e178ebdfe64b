"""Editing, repeating and cancelling series, and adding people to a roster, as Slack drives them:
what the person typing sees, what everyone on the shift is told, and what Slack is sent."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot.blocks import actions as act
from bot.localslack.reading import buttons, message_text
from bot.models import Shift, ShiftStatus, Signup, SignupStatus
from bot.services.schedule import Job
from bot.slack.delivery import post_new_shift
from jobs.runner import run_job
from tests import factories as make
from tests.conftest import Bot


def campaign(bot: Bot, *, capacity: int = 2, host: str | None = None, days_ahead: int = 2) -> int:
    """IA bound to #iowa with Cora coordinating, and one posted shift."""
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=capacity, days_ahead=days_ahead)
        if host:
            make.volunteer(session, host, bot.clock())
            row = session.get(Shift, shift_id)
            assert row is not None
            row.host_id = host
            session.add(row)
    post_new_shift(bot.deps, bot.client, shift_id)
    return shift_id


def dm_texts(bot: Bot, user: str) -> list[str]:
    return [message_text(m) for m in bot.slack.dms_to(user)]


def row(bot: Bot, shift_id: int) -> Shift:
    with bot.deps.read_session() as session:
        found = session.get(Shift, shift_id)
    assert found is not None
    return found


# ---------------------------------------------------------------- edit inline


def test_an_inline_edit_tells_everyone_on_the_shift_what_changed(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    reply = bot.command(
        "/turnout", f"shift edit {shift_id} time 11:00-14:00 location Ames   library &lt;b&gt;", user="UCOORD"
    )
    assert f"Changed shift #{shift_id}. Told the 2 people on it by DM." in reply.text
    assert "~Tue Nov 24 · 10:00 AM–1:00 PM CST~ → Tue Nov 24 · 11:00 AM–2:00 PM CST" in reply.text
    for user in ("UVOL1", "UVOL2"):
        (dm,) = dm_texts(bot, user)
        assert f"Shift #{shift_id} has changed" in dm
        assert "*Where:* ~Des Moines HQ, 123 Main St~ → Ames   library &lt;b&gt;" in dm
    assert "Can you still make it?" in dm_texts(bot, "UVOL1")[0]  # holding a place: asked again
    (claimer_dm,) = bot.slack.dms_to("UVOL1")
    assert {b["action_id"] for b in buttons(claimer_dm)} == {act.CONFIRM, act.RELEASE}
    post = bot.slack.posts_in("CIOWA")[0]
    assert "Ames   library" in message_text(post) and "11:00 AM" in message_text(post)  # redrawn in place


def test_capacity_below_the_places_held_names_who_holds_them(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=3)
    for user in ("UVOL1", "UVOL2", "UVOL3"):
        bot.command("/claim", str(shift_id), user=user)
    refused = bot.command("/turnout", f"shift edit {shift_id} capacity 2", user="UCOORD")
    assert refused.text == (
        f"Shift #{shift_id} has 3 places held (<@UVOL1>, <@UVOL2>, <@UVOL3>), so its capacity can't go down "
        f"to 2. Take someone off with `/turnout roster {shift_id}` first."
    )
    assert row(bot, shift_id).capacity == 3 and bot.slack.dms_to("UVOL1") == []


def test_raising_capacity_promotes_the_waitlist_and_tells_them(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=1)
    for user in ("UVOL1", "UVOL2", "UVOL3"):
        bot.command("/claim", str(shift_id), user=user)
    reply = bot.command("/turnout", f"shift edit {shift_id} capacity 2", user="UCOORD")
    assert f"Changed shift #{shift_id}. <@UVOL2> moved up from the waitlist and was told by DM." in reply.text
    assert "it's yours" in dm_texts(bot, "UVOL2")[-1]
    assert bot.slack.dms_to("UVOL1") == [] and bot.slack.dms_to("UVOL3") == []
    assert "2/2" in message_text(bot.slack.posts_in("CIOWA")[0])


def test_an_edit_that_changes_nothing_tells_nobody(bot: Bot) -> None:
    shift_id = campaign(bot)
    bot.command("/claim", str(shift_id), user="UVOL1")
    reply = bot.command("/turnout", f"shift edit {shift_id} capacity 2", user="UCOORD")
    assert reply.text.startswith(f"Shift #{shift_id} already says that; nothing changed.")
    assert bot.slack.dms_to("UVOL1") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shift edit", "Give the id of the shift"),
        ("shift edit help", "Usage: `/turnout shift edit ID`"),
        ("shift edit x capacity 3", "`x` is not a shift id"),
        ("shift edit 1 colour red", "I can't change `colour`"),
        ("shift edit 1 capacity", "`capacity` needs a value after it, like `capacity 8`"),
        ("shift edit 1 capacity 3 capacity 4", "`capacity` is given twice"),
        ("shift edit 1 capacity 0", "between 1 and 500"),
        ("shift edit 1 date 2026-02-30", "is not a date"),
        ("shift edit 1 date 2026-11-01", "is in the past"),
        ("shift edit 1 time 13:00-10:00", "ends (10:00) before it starts"),
        ("shift edit 1 location", "Say where the shift is"),
        ("shift edit 99 capacity 3", "There is no shift #99"),
        ("shift repeat", "Give the id of the shift and how long"),
        ("shift repeat 1", "Say how long to repeat it"),
        ("shift repeat 1 weekly", "Say how long to repeat it"),
        ("shift repeat 1 monthly 3", "Say how long to repeat it"),
        ("shift repeat 1 weekly 0", "1 to 26 weeks"),
        ("shift repeat 1 weekly 27", "1 to 26 weeks"),
        ("shift repeat 1 weekly two", "is not a number of weeks"),
        ("shift repeat 1 until 2026-11-25", "there is no week to add"),
        ("shift repeat 1 until 2027-13-01", "is not a date"),
        ("shift cancel 1 series", "not part of a series"),
        ("shift frobnicate", "Use `shift add`, `shift edit`, `shift repeat` or `shift cancel`"),
        ("roster 1 add", "Name who to add"),
        ("roster 1 add ana", "is not a person"),
        ("roster 1 add <@U0NOSUCH1>", "I can't find that person"),
        ("roster 1 add " + " ".join(f"@p{n}" for n in range(11)), "at most 10 people"),
    ],
)
def test_bad_input_is_refused_specifically_and_writes_nothing(bot: Bot, text: str, expected: str) -> None:
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), capacity=3)
    tables = ("shift", "signup", "delivery")

    def counts() -> list[int]:
        with bot.deps.read_session() as session:
            return [session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables]

    before = counts()
    reply = bot.command("/turnout", text, user="UADMIN")
    assert expected in reply.text, reply.text
    assert reply.reply.ephemeral_to == "UADMIN"
    assert counts() == before


def test_the_subcommands_answer_help(bot: Bot) -> None:
    shift_help = bot.command("/turnout", "shift help").text
    assert "shift edit ID" in shift_help and "shift repeat ID weekly N" in shift_help
    assert "shift cancel ID series" in shift_help
    assert "roster ID add @user" in bot.command("/turnout", "roster help").text
    assert "Usage: `/turnout shift repeat ID weekly N`" in bot.command("/turnout", "shift repeat help").text
    coordinator_help = bot.command("/turnout", "help", user="UADMIN").text
    assert (
        "`/turnout shift edit ID`" in coordinator_help
        and "`/turnout roster ID add @user`" in coordinator_help
    )


# ---------------------------------------------------------------- the edit form


def edit_values(view: dict[str, Any], **changed: str) -> dict[str, dict[str, Any]]:
    """The edit form's values as Slack sends them back: what it was filled in with, and `changed`."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, name = block["element"], block["block_id"]
        value = changed.get(name)
        if element["type"] == "datepicker":
            values[name] = {
                name: {"type": "datepicker", "selected_date": value or element.get("initial_date")}
            }
        elif element["type"] == "timepicker":
            values[name] = {
                name: {"type": "timepicker", "selected_time": value or element.get("initial_time")}
            }
        else:
            values[name] = {name: {"type": element["type"], "value": value or element.get("initial_value")}}
    return values


def test_the_edit_form_is_filled_in_and_checks_each_field(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=3)
    for user in ("UVOL1", "UVOL2"):
        bot.command("/claim", str(shift_id), user=user)
    assert (
        "Only an IA coordinator (<@UCOORD>) or an admin"
        in bot.command("/turnout", f"shift edit {shift_id}").text
    )
    view = bot.command("/turnout", f"shift edit {shift_id}", user="UCOORD").view
    assert view is not None and view["callback_id"] == act.EDIT_FORM
    values = edit_values(view)
    assert values["date"]["date"]["selected_date"] == "2026-11-24"
    assert values["start"]["start"]["selected_time"] == "10:00"
    assert values["capacity"]["capacity"]["value"] == "3"
    refused = bot.driver.submit(view, edit_values(view, capacity="1"), user="UCOORD")
    assert refused.ack["response_action"] == "errors"
    assert (
        refused.ack["errors"]["capacity"]
        == "2 places are held (ana, ben); take someone off the roster first."
    )
    too_long = bot.driver.submit(view, edit_values(view, repeat_weeks="40"), user="UCOORD")
    assert "1 to 26" in too_long.ack["errors"]["repeat_weeks"]
    past = bot.driver.submit(view, edit_values(view, date="2026-11-01"), user="UCOORD")
    assert "past" in past.ack["errors"]["date"]
    saved = bot.driver.submit(view, edit_values(view, capacity="4", location="Ames library"), user="UCOORD")
    again = bot.driver.submit(view, edit_values(view, capacity="4", location="Ames library"), user="UCOORD")
    assert saved.status == again.status == 200 and saved.body == again.body == ""
    assert row(bot, shift_id).location == "Ames library" and row(bot, shift_id).capacity == 4
    assert len(bot.slack.dms_to("UVOL1")) == 1  # told once, though the form was sent twice
    (answer,) = [m for m in bot.slack.dms_to("UCOORD")]
    assert f"Changed shift #{shift_id}" in message_text(answer)


def test_the_edit_form_offers_repeating_only_to_those_who_may_repeat(bot: Bot) -> None:
    shift_id = campaign(bot, host="UVOL6")
    blocks = {
        user: {
            b.get("block_id")
            for b in bot.command("/turnout", f"shift edit {shift_id}", user=user).view["blocks"]
        }
        for user in ("UVOL6", "UCOORD")
    }
    # The host edits their shift, but its weekly copies would be new shifts they may not publish.
    assert "capacity" in blocks["UVOL6"] and not {"repeat_weeks", "repeat_until"} & blocks["UVOL6"]
    assert {"repeat_weeks", "repeat_until"} <= blocks["UCOORD"]
    with bot.deps.session() as session:
        make.trusted_host(session, "UVOL6", "IA", bot.clock())
    trusted = bot.command("/turnout", f"shift edit {shift_id}", user="UVOL6").view
    assert "repeat_weeks" in {b.get("block_id") for b in trusted["blocks"]}


def test_the_edit_form_refuses_a_date_far_away_beside_the_field(bot: Bot) -> None:
    shift_id = campaign(bot)
    view = bot.command("/turnout", f"shift edit {shift_id}", user="UCOORD").view
    assert view is not None
    far = bot.driver.submit(
        view, edit_values(view, date="9999-12-31", start="23:00", end="23:30"), user="UCOORD"
    )
    assert far.ack["response_action"] == "errors"
    assert "9999-12-31 is too far away" in far.ack["errors"]["date"]
    assert row(bot, shift_id).starts_at.year == 2026 and bot.slack.dms_to("UCOORD") == []


def test_the_edit_form_can_repeat_the_shift(bot: Bot) -> None:
    shift_id = campaign(bot)
    view = bot.command("/turnout", f"shift edit {shift_id}", user="UCOORD").view
    assert view is not None
    bot.driver.submit(view, edit_values(view, repeat_until="2026-12-08"), user="UCOORD")
    with bot.deps.read_session() as session:
        series = session.exec(select(Shift).where(Shift.series_id == shift_id).order_by(col(Shift.id))).all()
    assert len(series) == 3 and len(bot.slack.posts_in("CIOWA")) == 3
    assert "Repeated shift" in message_text(bot.slack.dms_to("UCOORD")[-1])


# ---------------------------------------------------------------- repeat


def test_repeat_posts_each_copy_and_a_retyped_repeat_adds_nothing(bot: Bot) -> None:
    shift_id = campaign(bot)
    reply = bot.command("/turnout", f"shift repeat {shift_id} weekly 3", user="UCOORD")
    assert f"Repeated shift #{shift_id} weekly: added 3 shifts." in reply.text
    assert "Tue Dec 1" in reply.text and "Tue Dec 15" in reply.text and "Posted in <#CIOWA>" in reply.text
    assert len(bot.slack.posts_in("CIOWA")) == 4
    again = bot.command("/turnout", f"shift repeat {shift_id} weekly 3", user="UCOORD")
    assert "already has those weeks; nothing was added" in again.text
    assert len(bot.slack.posts_in("CIOWA")) == 4
    refused = bot.command("/turnout", f"shift repeat {shift_id} weekly 3", user="UVOL1")
    assert "Only an IA coordinator (<@UCOORD>) or an admin can repeat shift" in refused.text


def test_the_add_form_offers_the_weekly_choice(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    view = bot.command("/turnout", "shift add", user="UCOORD").view
    assert view is not None and {"repeat_weeks", "repeat_until"} <= {
        b.get("block_id") for b in view["blocks"]
    }
    values = {
        "state": {"state": {"type": "static_select", "selected_option": {"value": "IA"}}},
        "date": {"date": {"type": "datepicker", "selected_date": "2027-03-07"}},
        "start": {"start": {"type": "timepicker", "selected_time": "02:30"}},
        "end": {"end": {"type": "timepicker", "selected_time": "04:00"}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "canvass"}}},
        "capacity": {"capacity": {"type": "number_input", "value": "6"}},
        "location": {"location": {"type": "plain_text_input", "value": "HQ"}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
        "repeat_weeks": {"repeat_weeks": {"type": "number_input", "value": "2"}},
        "repeat_until": {"repeat_until": {"type": "datepicker", "selected_date": None}},
    }
    skipped = bot.driver.submit(view, values, user="UCOORD")
    assert "2027-03-14" in skipped.ack["errors"]["repeat_weeks"]  # clocks skip 02:30 that Sunday
    both = copy.deepcopy(values)
    both["repeat_until"]["repeat_until"]["selected_date"] = "2027-04-01"
    assert "not both" in bot.driver.submit(view, both, user="UCOORD").ack["errors"]["repeat_until"]
    values["start"]["start"]["selected_time"] = "10:00"
    values["end"]["end"]["selected_time"] = "13:00"
    assert bot.driver.submit(view, values, user="UCOORD").body == ""
    bot.driver.submit(view, values, user="UCOORD")  # sent twice: still one shift and two copies
    with bot.deps.read_session() as session:
        shifts = session.exec(select(Shift).order_by(col(Shift.starts_at))).all()
    assert len(shifts) == 3 and {s.series_id for s in shifts} == {shifts[0].id}
    assert [s.starts_at.hour for s in shifts] == [16, 15, 15]  # 10:00 CST, then CDT from 14 March
    assert len(bot.slack.posts_in("CIOWA")) == 3


# ---------------------------------------------------------------- cancel a series


def test_cancelling_a_series_asks_first_and_tells_each_person_once(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=3)
    bot.command("/turnout", f"shift repeat {shift_id} weekly 3", user="UCOORD")
    ids = [shift_id, shift_id + 1, shift_id + 2, shift_id + 3]
    for n in ids[1:]:
        bot.command("/claim", str(n), user="UVOL1")
    bot.command("/claim", str(ids[2]), user="UVOL2")
    asked = bot.command("/turnout", f"shift cancel {ids[1]} series the office &lt;moved&gt;", user="UCOORD")
    assert "Cancel shift" in asked.text and "(3 shifts)" in asked.text
    assert "2 people on them or waiting will be told by DM" in message_text(asked.reply)
    assert all(row(bot, n).status == ShiftStatus.OPEN for n in ids)
    stale = copy.deepcopy(asked.reply)
    done = bot.click(asked.reply, act.CANCEL_SERIES, user="UCOORD")
    assert "Cancelled 3 shifts. Told 2 people by DM." in done.text
    assert row(bot, ids[0]).status == ShiftStatus.OPEN
    assert all(row(bot, n).status == ShiftStatus.CANCELLED for n in ids[1:])
    (ana,) = dm_texts(bot, "UVOL1")
    assert "3 shifts you were on have been cancelled" in ana and "*Why:* the office &lt;moved&gt;" in ana
    assert "1 shift" not in ana and f"#{ids[3]}" in ana
    (ben,) = dm_texts(bot, "UVOL2")
    assert f"Shift #{ids[2]} has been cancelled, with the rest of its series" in ben
    twice = bot.click(stale, act.CANCEL_SERIES, user="UCOORD")
    assert "nothing left to cancel" in twice.text and len(bot.slack.dms_to("UVOL1")) == 1
    assert "Cancelled" in message_text(bot.slack.posts_in("CIOWA")[1])


# ---------------------------------------------------------------- roster add


def test_a_call_in_gets_a_place_and_is_told(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=1)
    reply = bot.command("/turnout", f"roster {shift_id} add <@UVOL2|ben> @cam", user="UCOORD")
    text = reply.text
    assert f"<@UVOL2> has a place on shift #{shift_id}" in text
    assert (
        "is full, so <@UVOL3> is #1 on the waitlist" in text and f"shift edit {shift_id} capacity 2" in text
    )
    assert f"Roster for shift #{shift_id}" in text
    assert bot.slack.calls_to("users.info")  # the mention was checked with Slack
    assert "<@UCOORD> signed you up for shift" in dm_texts(bot, "UVOL2")[0]
    assert "put you on the waitlist" in dm_texts(bot, "UVOL3")[0]
    with bot.deps.read_session() as session:
        signups = session.exec(select(Signup).order_by(col(Signup.id))).all()
    assert [(s.volunteer_id, s.status, s.added_by) for s in signups] == [
        ("UVOL2", SignupStatus.CLAIMED, "UCOORD"),
        ("UVOL3", SignupStatus.WAITLISTED, "UCOORD"),
    ]
    again = bot.command("/turnout", f"roster {shift_id} add <@UVOL2>", user="UCOORD")
    assert "is already on shift" in again.text and len(bot.slack.dms_to("UVOL2")) == 1
    assert "1/1" in message_text(bot.slack.posts_in("CIOWA")[0])


def test_a_walk_in_is_marked_attended_past_capacity_by_the_host(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=1, host="UVOL6")
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.clock.now = row(bot, shift_id).starts_at + timedelta(minutes=15)
    reply = bot.command("/turnout", f"roster {shift_id} add <@UVOL2>", user="UVOL6")
    assert "<@UVOL2> is marked attended (a walk-in)." in reply.text
    assert bot.slack.dms_to("UVOL2") == []
    with bot.deps.read_session() as session:
        walk_in = session.exec(select(Signup).where(Signup.volunteer_id == "UVOL2")).one()
    assert walk_in.status == SignupStatus.ATTENDED and walk_in.marked_by == "UVOL6"
    assert "2/1" in reply.text  # over capacity: they came
    stranger = bot.command("/turnout", f"roster {shift_id} add <@UVOL3>", user="UVOL4")
    assert stranger.text.startswith("Only its host <@UVOL6>")
    # Nobody is looked up in Slack for someone who may not add them.
    assert all(call.params.get("user") != "UVOL3" for call in bot.slack.calls_to("users.info"))


def test_an_unknown_person_is_never_added(bot: Bot) -> None:
    shift_id = campaign(bot)
    refused = bot.command("/turnout", f"roster {shift_id} add <@UVOL1> <@U0NOSUCH1>", user="UCOORD")
    assert "I can't find that person" in refused.text
    with bot.deps.read_session() as session:
        assert session.exec(select(Signup)).all() == []


def test_a_shift_moved_gets_its_reminders_at_the_new_time(bot: Bot) -> None:
    shift_id = campaign(bot, days_ahead=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    at = row(bot, shift_id).starts_at - timedelta(hours=1)
    assert run_job(bot.deps, Job.REMINDERS, "IA", at, team_id=None).sent >= 1
    reminded = len(bot.slack.dms_to("UVOL1"))
    bot.command("/turnout", f"shift edit {shift_id} date {date(2026, 11, 25)}", user="UCOORD")
    assert len(bot.slack.dms_to("UVOL1")) == reminded + 1  # told of the change
    at = row(bot, shift_id).starts_at - timedelta(hours=1)
    assert run_job(bot.deps, Job.REMINDERS, "IA", at, team_id=None).sent >= 1
    assert len(bot.slack.dms_to("UVOL1")) == reminded + 2  # and reminded again, for the new day


def at_risk_posts(bot: Bot, shift_id: int) -> list[Any]:
    """The at-risk post in #iowa and its copy for the leads (Cora, by DM)."""
    posts = [m for m in bot.slack.posts_in("CIOWA") if f"Shift #{shift_id} starts soon" in message_text(m)]
    posts += [m for m in bot.slack.dms_to("UCOORD") if f"Shift #{shift_id} starts soon" in message_text(m)]
    assert len(posts) == 2
    return posts


def test_an_at_risk_post_says_when_the_shift_moved_and_offers_no_cover_for_the_old_time(bot: Bot) -> None:
    shift_id = campaign(bot, days_ahead=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    at = row(bot, shift_id).starts_at - timedelta(hours=1)
    run_job(bot.deps, Job.REMINDERS, "IA", at, team_id=None)
    posts = at_risk_posts(bot, shift_id)
    assert all(act.CLAIM in {b["action_id"] for b in buttons(p)} for p in posts)
    bot.command("/turnout", f"shift edit {shift_id} date {date(2026, 11, 25)}", user="UCOORD")
    for post in posts:
        text = message_text(post)
        assert "starts soon" not in text and "needs cover" not in text and buttons(post) == []
        assert f"Shift #{shift_id} moved" in text and "Wed Nov 25 · 10:00 AM–1:00 PM CST" in text
    # At the new time, a fresh at-risk post goes out (the old one stays as it was redrawn).
    run_job(bot.deps, Job.REMINDERS, "IA", row(bot, shift_id).starts_at - timedelta(hours=1), team_id=None)
    fresh = [m for m in bot.slack.posts_in("CIOWA") if f"Shift #{shift_id} starts soon" in message_text(m)]
    assert len(fresh) == 1 and "Wed Nov 25" in message_text(fresh[0])


def test_an_at_risk_post_says_the_shift_was_cancelled_and_offers_no_cover(bot: Bot) -> None:
    shift_id = campaign(bot, days_ahead=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    run_job(bot.deps, Job.REMINDERS, "IA", row(bot, shift_id).starts_at - timedelta(hours=1), team_id=None)
    posts = at_risk_posts(bot, shift_id)
    bot.cancel_shift(shift_id, "Storm warning")
    for post in posts:
        text = message_text(post)
        assert "needs cover" not in text and buttons(post) == []
        assert f"Shift #{shift_id} was cancelled" in text


def test_what_a_host_does_to_their_shift_is_told_as_theirs_not_a_coordinators(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=2, host="UVOL6")
    for user in ("UVOL1", "UVOL2"):
        bot.command("/claim", str(shift_id), user=user)
    shown = bot.command("/turnout", f"roster {shift_id}", user="UVOL6")
    bot.click(shown.reply, act.REMOVE, user="UVOL6", value=None)
    (removed,) = dm_texts(bot, "UVOL1")
    assert "<@UVOL6> took you off shift" in removed and "coordinator" not in removed
    bot.cancel_shift(shift_id, "Rained out", user="UVOL6")
    (cancelled,) = dm_texts(bot, "UVOL2")
    assert f"Shift #{shift_id} has been cancelled by <@UVOL6>" in cancelled and "coordinator" not in cancelled


def test_the_host_hears_when_someone_else_adds_or_removes_people_on_their_shift(bot: Bot) -> None:
    shift_id = campaign(bot, capacity=3, host="UVOL6")
    bot.command("/claim", str(shift_id), user="UVOL1")
    host_news = len(dm_texts(bot, "UVOL6"))
    bot.command("/turnout", f"roster {shift_id} add <@UVOL2> <@UVOL3>", user="UCOORD")
    added = dm_texts(bot, "UVOL6")[host_news:]
    assert len(added) == 1  # one DM for the two of them
    assert "<@UCOORD> put <@UVOL2> and <@UVOL3> on your canvass" in added[0] and "3/3" in added[0]
    shown = bot.command("/turnout", f"roster {shift_id}", user="UCOORD")
    bot.click(shown.reply, act.REMOVE, user="UCOORD", value=None)  # the first on it: UVOL1
    (removed,) = dm_texts(bot, "UVOL6")[host_news + 1 :]
    assert "<@UCOORD> took <@UVOL1> off your canvass" in removed and "2/3" in removed
    # What the host does themselves is no news to them.
    bot.command("/turnout", f"roster {shift_id} add <@UVOL4>", user="UVOL6")
    shown = bot.command("/turnout", f"roster {shift_id}", user="UVOL6")
    bot.click(shown.reply, act.REMOVE, user="UVOL6", value=None)
    assert len(dm_texts(bot, "UVOL6")) == host_news + 2
