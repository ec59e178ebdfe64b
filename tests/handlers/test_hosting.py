"""Hosting through Slack: `/host` (inline and form), proposals reaching the leads with Approve /
Decline, the host told the outcome, trusted hosts, `/turnout proposals`, `/turnout leads`, and
the host's and the leads' news of claims and releases."""

from __future__ import annotations

import copy
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks import actions as act
from bot.localslack.limits import check_view
from bot.localslack.reading import buttons, message_text
from bot.localslack.webapi import Message
from bot.models import Shift, ShiftStatus, TrustedHost
from tests import factories as make
from tests.conftest import Bot
from tests.handlers.forging import answered, press

HOST_LINE = "IA 2026-11-28 10:00-13:00 canvass 8 Ana's porch, 12 Elm St"


def campaign(bot: Bot, *, leads: bool = False) -> None:
    """Iowa bound to #iowa with two coordinators (Cora and Cody); optionally a private leads channel."""
    bot.slack.add_person("UCODY", "cody", real_name="Cody Coordinator")
    bot.slack.add_channel("CLEADS", "ia-leads", is_private=True)
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    bot.clock.advance(minutes=1)  # Cody coordinates after Cora: listed after her
    bot.command("/turnout", "coordinator <@UCODY> IA", user="UADMIN")
    if leads:
        bound = bot.command("/turnout", "leads IA <#CLEADS|ia-leads>", user="UCOORD")
        assert "now goes to <#CLEADS>" in bound.text


def proposal_in(messages: list[Message]) -> Message:
    (found,) = [m for m in messages if "offers to host" in message_text(m) or "Approved" in message_text(m)]
    return found


def shifts(bot: Bot) -> list[Shift]:
    with bot.deps.read_session() as session:
        return list(session.exec(select(Shift).order_by(Shift.id)))  # type: ignore[arg-type]


def test_a_volunteers_shift_reaches_the_coordinators_and_approval_posts_it(bot: Bot) -> None:
    campaign(bot)
    sent = bot.command("/host", HOST_LINE, user="UVOL1", channel="CIOWA")
    assert "Thanks for hosting! Shift #1 is a proposal until an IA coordinator approves it" in sent.text
    assert "IA's coordinators have it by DM" in sent.text
    assert "/shifts" in sent.text and bot.slack.posts_in("CIOWA") == []
    assert "No open shifts" in bot.command("/shifts", "IA", user="UVOL2").text
    cora, cody = proposal_in(bot.slack.dms_to("UCOORD")), proposal_in(bot.slack.dms_to("UCODY"))
    for copy_ in (cora, cody):
        text = message_text(copy_)
        assert "<@UVOL1> offers to host a canvass in Iowa" in text and "New to hosting" in text
        assert "Ana's porch, 12 Elm St" in text and "Hosted by <@UVOL1>" in text
        assert [b["action_id"] for b in buttons(copy_)] == [act.APPROVE, act.DECLINE]
    stale = copy.deepcopy(cody)  # as Cody's screen still shows it
    approved = bot.click(cora, act.APPROVE, user="UCOORD")
    assert "Approved shift #1: posted in <#CIOWA>, and <@UVOL1> is told by DM." in approved.text
    (post,) = bot.slack.posts_in("CIOWA")
    assert "Hosted by <@UVOL1>" in message_text(post) and "0/8" in message_text(post)
    (told,) = bot.slack.dms_to("UVOL1")
    assert "was approved by <@UCOORD> and is posted in <#CIOWA>" in message_text(told)
    for copy_ in (cora, cody):  # every copy shows the decision and offers no more buttons
        assert "*Approved* by <@UCOORD>" in message_text(copy_) and buttons(copy_) == []
    late = bot.click(stale, act.DECLINE, user="UCODY")
    assert "<@UCOORD> already approved shift #1" in late.text and "nothing changed" in late.text
    assert late.view is None and len(bot.slack.dms_to("UVOL1")) == 1
    listed = bot.command("/shifts", "IA", user="UVOL2")
    assert "Hosted by <@UVOL1>" in listed.text
    assert [s.status for s in shifts(bot)] == [ShiftStatus.OPEN]


def test_decline_asks_why_and_the_host_reads_it(bot: Bot) -> None:
    campaign(bot, leads=True)
    bot.command("/host", HOST_LINE, user="UVOL1")
    assert bot.slack.dms_to("UCOORD") == [] and bot.slack.dms_to("UCODY") == []
    in_leads = proposal_in(bot.slack.posts_in("CLEADS"))
    opened = bot.click(in_leads, act.DECLINE, user="UCOORD")
    view = opened.view
    assert view is not None and view["callback_id"] == act.DECLINE_FORM
    assert "Decline <@UVOL1>'s canvass #1?" in str(view["blocks"])
    empty = bot.driver.submit(
        view, {"reason": {"reason": {"type": "plain_text_input", "value": "  "}}}, user="UCOORD"
    )
    assert set(empty.ack["errors"]) == {"reason"}
    assert shifts(bot)[0].status == ShiftStatus.PROPOSED
    reason = {
        "reason": {
            "reason": {"type": "plain_text_input", "value": "<!channel> we canvass Elm St & Oak already"}
        }
    }
    done = bot.driver.submit(view, reason, user="UCOORD")
    assert done.ack["response_action"] == "update"
    check_view(done.ack["view"])  # Slack would take it
    assert "Declined shift #1. I'm telling <@UVOL1> why by DM." in str(done.ack["view"]["blocks"])
    (told,) = bot.slack.dms_to("UVOL1")
    assert "was declined by <@UCOORD>" in message_text(told)
    # Read as plain text (a typed mention is only text), and shown escaped.
    assert "*Why:* @channel we canvass Elm St &amp; Oak already" in message_text(told)
    assert "*Declined* by <@UCOORD>" in message_text(in_leads) and buttons(in_leads) == []
    assert "@channel we canvass Elm St &amp; Oak" in message_text(in_leads)
    again = bot.driver.submit(view, reason, user="UCOORD")
    assert "You already declined shift #1" in str(again.ack["view"]["blocks"])
    assert len(bot.slack.dms_to("UVOL1")) == 1 and bot.slack.posts_in("CIOWA") == []
    assert shifts(bot)[0].decline_reason == "@channel we canvass Elm St & Oak already"


def test_two_coordinators_approving_at_once_post_it_once_and_tell_the_host_once(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    copies = {
        "UCOORD": proposal_in(bot.slack.dms_to("UCOORD")),
        "UCODY": proposal_in(bot.slack.dms_to("UCODY")),
    }
    barrier = threading.Barrier(2)
    answers: dict[str, str] = {}

    def click(user: str) -> None:
        barrier.wait()
        answers[user] = bot.click(copies[user], act.APPROVE, user=user).text

    threads = [threading.Thread(target=click, args=(user,)) for user in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [user for user, text in answers.items() if "Approved shift #1" in text]
    assert len(won) == 1
    (loser,) = set(copies) - set(won)
    assert f"<@{won[0]}> already approved shift #1" in answers[loser]
    assert len(bot.slack.posts_in("CIOWA")) == 1 and len(bot.slack.dms_to("UVOL1")) == 1
    for message in copies.values():
        assert f"*Approved* by <@{won[0]}>" in message_text(message) and buttons(message) == []


def test_a_volunteer_cannot_approve_and_is_told_who_can(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    cora = proposal_in(bot.slack.dms_to("UCOORD"))
    for user in ("UVOL1", "UVOL2"):
        refused = bot.click(cora, act.APPROVE, user=user)
        assert refused.text == (
            "Only an IA coordinator (<@UCOORD>, <@UCODY>) or an admin can approve or decline proposals in IA."
        )
        assert bot.click(cora, act.DECLINE, user=user).view is None
    assert shifts(bot)[0].status == ShiftStatus.PROPOSED and bot.slack.dms_to("UVOL1") == []


@pytest.mark.parametrize("action_id", [act.APPROVE, act.DECLINE, act.PROPOSALS_PAGE])
def test_a_forged_or_stale_proposal_button_changes_nothing(bot: Bot, action_id: str) -> None:
    campaign(bot)
    with bot.deps.session() as session:
        staff = make.shift(session, bot.clock())
    bot.command("/host", HOST_LINE, user="UVOL1")
    forged = [
        "x|proposal",
        "0|proposal",
        f"{2**40}|proposal",
        "2|proposals:ZZ",
        "2|list:IA * *",
        "2|proposal@x",
    ]
    if action_id == act.PROPOSALS_PAGE:
        forged = ["proposals:ZZ", "proposal", "proposals:IA@-1", "list:IA * *@10", "proposals:IA@999999999"]
    for value in forged:
        told = answered(press(bot, action_id, value, user="UCOORD"), bot, "UCOORD")
        assert "I can't read that button" in told, (value, told)
    if action_id != act.PROPOSALS_PAGE:
        told = answered(press(bot, action_id, f"{staff}|proposal", user="UCOORD"), bot, "UCOORD")
        assert f"There is no proposal #{staff}" in told
    assert shifts(bot)[1].status == ShiftStatus.PROPOSED and bot.slack.dms_to("UVOL1") == []


def test_a_forged_decline_form_changes_nothing(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "no"}}}
    for metadata in ("1; drop", "", "0", None, "99999999999999"):
        forged = {"id": "VFORGED", "type": "modal", "callback_id": act.DECLINE_FORM, "blocks": []}
        if metadata is not None:
            forged["private_metadata"] = metadata
        answer = bot.driver.submit(forged, reason, user="UCOORD")
        assert "can't read that form" in str(answer.ack["view"]["blocks"])
    assert shifts(bot)[0].status == ShiftStatus.PROPOSED and bot.slack.dms_to("UVOL1") == []


def test_trusted_hosts_publish_directly_and_are_told(bot: Bot) -> None:
    campaign(bot)
    granted = bot.command("/turnout", "host @ana IA", user="UCOORD")
    assert "<@UVOL1> is now a trusted host in IA" in granted.text
    assert "trusted host in Iowa" in message_text(bot.slack.dms_to("UVOL1")[-1])
    assert "already a trusted host" in bot.command("/turnout", "host <@UVOL1> iowa", user="UCOORD").text
    published = bot.command("/host", HOST_LINE, user="UVOL1")
    assert "Added shift #1 and posted it in <#CIOWA>" in published.text and "You host it" in published.text
    assert bot.slack.dms_to("UCOORD") == [] and len(bot.slack.posts_in("CIOWA")) == 1
    refused = bot.command("/turnout", "host <@UVOL3> IA", user="UVOL2")
    assert (
        refused.text
        == "Only an IA coordinator (<@UCOORD>, <@UCODY>) or an admin can make trusted hosts in IA."
    )
    assert (
        "no longer a trusted host in IA" in bot.command("/turnout", "host remove @ana IA", user="UCODY").text
    )
    assert "no longer a trusted host in Iowa" in message_text(bot.slack.dms_to("UVOL1")[-1])
    missing = bot.command("/turnout", "host remove <@UVOL1> IA", user="UCOORD")
    assert missing.text == "<@UVOL1> is not a trusted host in IA, so there is nothing to revoke."
    assert "Name one person and one state" in bot.command("/turnout", "host IA", user="UCOORD").text
    assert "Usage: `/turnout host @user STATE`" in bot.command("/turnout", "host help").text
    with bot.deps.read_session() as session:
        assert session.exec(select(TrustedHost)).all() == []
    bot.command("/host", HOST_LINE.replace("2026-11-28", "2026-11-29"), user="UVOL1")
    assert proposal_in(bot.slack.dms_to("UCOORD"))  # a proposal again


def test_a_coordinator_or_admin_hosting_publishes_at_once(bot: Bot) -> None:
    campaign(bot)
    by_admin = bot.command("/host", HOST_LINE, user="UADMIN")
    assert "Added shift #1 and posted it in <#CIOWA>" in by_admin.text
    by_coordinator = bot.command("/host", HOST_LINE.replace("8 Ana's", "6 Cora's"), user="UCOORD")
    assert "Added shift #2" in by_coordinator.text
    assert [s.host_id for s in shifts(bot)] == ["UADMIN", "UCOORD"]
    assert bot.slack.dms_to("UCODY") == []


def test_the_host_form_picks_the_channels_state_and_sends_once(bot: Bot) -> None:
    campaign(bot)
    opened = bot.command("/host", user="UVOL1", channel="CIOWA")
    view = opened.view
    assert view is not None and view["callback_id"] == act.HOST_FORM
    state = next(b for b in view["blocks"] if b.get("block_id") == "state")
    assert state["element"]["initial_option"]["value"] == "IA"
    assert {"text": {"type": "plain_text", "text": "Iowa (IA)"}, "value": "IA"} in state["element"]["options"]
    bot.command("/turnout", "home NH", user="UVOL2")
    elsewhere = bot.command("/host", user="UVOL2", channel="CRANDOM").view
    assert elsewhere is not None
    chosen = next(b for b in elsewhere["blocks"] if b.get("block_id") == "state")["element"]["initial_option"]
    assert chosen["value"] == "NH"
    values: dict[str, dict[str, Any]] = {
        "state": {"state": {"type": "static_select", "selected_option": {"value": "IA"}}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-11-28"}},
        "start": {"start": {"type": "timepicker", "selected_time": "10:00"}},
        "end": {"end": {"type": "timepicker", "selected_time": "09:00"}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "phonebank"}}},
        "capacity": {"capacity": {"type": "number_input", "value": "4"}},
        "location": {"location": {"type": "plain_text_input", "value": "https://zoom.example.org/j/9"}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
    }
    wrong = bot.driver.submit(view, values, user="UVOL1")
    assert set(wrong.ack["errors"]) == {"end"} and shifts(bot) == []
    values["end"]["end"]["selected_time"] = "12:00"
    bot.driver.submit(view, values, user="UVOL1")
    bot.driver.submit(view, values, user="UVOL1")  # submitted twice
    (shift,) = shifts(bot)
    assert shift.status == ShiftStatus.PROPOSED and shift.kind == "phonebank" and shift.host_id == "UVOL1"
    assert "Thanks for hosting!" in message_text(bot.slack.dms_to("UVOL1")[-1])
    assert len(bot.slack.dms_to("UVOL1")) == 1 and len(bot.slack.dms_to("UCOORD")) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("IA 2026-11-28 10:00-13:00 canvass 8", "Missing the location."),
        ("IA 2026-11-28", "Missing the time range, kind, capacity, location."),
        ("ZZ 2026-11-28 10:00-13:00 canvass 8 Porch", "`ZZ` is not a state"),
        ("IA 2026-02-30 10:00-13:00 canvass 8 Porch", "is not a date"),
        ("IA 2026-11-28 13:00-10:00 canvass 8 Porch", "ends (10:00) before it starts"),
        ("IA 2026-11-28 10:00-13:00 picnic 8 Porch", "`picnic` is not a kind of shift"),
        ("IA 2026-11-28 10:00-13:00 canvass 0 Porch", "Capacity must be between 1 and 500"),
        ("IA 2026-11-01 10:00-13:00 canvass 8 Porch", "is in the past"),
        ("IA 2026-11-28 10:00-13:00 canvass 8 " + "x" * 301, "keep it to at most 300"),
    ],
)
def test_bad_host_lines_say_what_is_wrong_and_write_nothing(bot: Bot, text: str, says: str) -> None:
    answer = bot.command("/host", text, user="UVOL1")
    assert says in answer.text and "Usage: `/host`" in answer.text
    assert shifts(bot) == [] and bot.slack.dms_to("UCOORD") == []


def test_host_answers_help(bot: Bot) -> None:
    assert "*/host* sets up a shift you run yourself" in bot.command("/host", "help").text
    assert "`/host`" in bot.command("/turnout", "help").text


def test_a_retyped_host_line_sends_one_proposal(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    again = bot.command("/host", HOST_LINE, user="UVOL1")
    assert "You sent shift #1 already; it is waiting for an IA coordinator." in again.text
    assert len(shifts(bot)) == 1 and len(bot.slack.dms_to("UCOORD")) == 1


def test_a_host_line_retyped_after_its_shift_was_cancelled_says_cancelled(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    bot.cancel_shift(1, user="UVOL1")
    again = bot.command("/host", HOST_LINE, user="UVOL1")
    assert "You sent shift #1 already, and it was cancelled." in again.text
    assert "declined" not in again.text and len(shifts(bot)) == 1


def test_proposals_page_and_a_decision_redraws_the_page(bot: Bot) -> None:
    campaign(bot)
    for n in range(12):
        user = f"UVOL{n % 3 + 1}"
        bot.command("/host", HOST_LINE.replace("2026-11-28", f"2026-12-{n + 1:02d}"), user=user)
    page = bot.command("/turnout", "proposals", user="UCOORD", channel="CIOWA")
    assert "Proposals waiting in Iowa" in page.text and "Proposals 1–10 of 12" in page.text
    shown = page.reply
    assert len([b for b in buttons(shown) if b["action_id"] == act.APPROVE]) == 10
    following = bot.click(shown, act.PROPOSALS_PAGE, user="UCOORD")
    assert "Proposals 11–12 of 12" in following.text and following.reply.ts == shown.ts
    first = next(b for b in buttons(following.reply) if b["action_id"] == act.APPROVE)
    done = bot.click(following.reply, act.APPROVE, user="UCOORD", value=first["value"])
    assert "Approved shift #11" in done.text and "Proposals 11–11 of 11" in done.text
    assert len(bot.slack.posts_in("CIOWA")) == 1
    # The copy Cody has by DM shows it approved too.
    assert "*Approved* by <@UCOORD>" in message_text(
        next(m for m in bot.slack.dms_to("UCODY") if "#11" in message_text(m))
    )


def test_who_sees_proposals(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    bot.command("/turnout", "home IA", user="UVOL2")
    refused = bot.command("/turnout", "proposals", user="UVOL2")
    assert refused.text == "Only an IA coordinator (<@UCOORD>, <@UCODY>) or an admin can see IA's proposals."
    assert (
        "Only coordinators and admins decide proposals"
        in bot.command("/turnout", "proposals", user="UVOL3").text
    )
    assert (
        "No proposals waiting in New Hampshire" in bot.command("/turnout", "proposals NH", user="UADMIN").text
    )
    assert "Proposals waiting in Iowa" in bot.command("/turnout", "proposals iowa", user="UADMIN").text
    assert "is not a state" in bot.command("/turnout", "proposals ZZ", user="UCOORD").text
    assert (
        "Usage: `/turnout proposals [STATE]`"
        in bot.command("/turnout", "proposals IA NH", user="UCOORD").text
    )


def test_leads_channel_is_bound_shown_and_unbound_by_coordinators(bot: Bot) -> None:
    campaign(bot)
    bot.slack.add_channel("COPEN", "ia-team")
    shown = bot.command("/turnout", "leads IA", user="UCOORD")
    assert "to its coordinators by DM (<@UCOORD>, <@UCODY>)" in shown.text
    bound = bot.command("/turnout", "leads IA #ia-leads", user="UCOORD")
    assert "Iowa (IA)'s leads news now goes to <#CLEADS>" in bound.text and "public" not in bound.text
    public = bot.command("/turnout", "leads IA <#COPEN|ia-team>", user="UCOORD")
    assert "now goes to <#COPEN>" in public.text and "<#COPEN> is public" in public.text
    clash = bot.command("/turnout", "leads IA #iowa", user="UCOORD")
    assert (
        clash.text
        == "<#CIOWA> is already IA's state channel, where its volunteers are. Pick another channel for IA's leads."
    )
    refused = bot.command("/turnout", "leads IA #ia-leads", user="UVOL1")
    assert (
        refused.text == "Only an IA coordinator (<@UCOORD>, <@UCODY>) or an admin can set IA's leads channel."
    )
    assert "can't find #nowhere" in bot.command("/turnout", "leads IA #nowhere", user="UCOORD").text
    assert "not a channel" in bot.command("/turnout", "leads IA everyone", user="UCOORD").text
    off = bot.command("/turnout", "leads IA off", user="UCOORD")
    assert "now goes to its coordinators by DM" in off.text
    assert "Usage: `/turnout leads STATE #channel`" in bot.command("/turnout", "leads", user="UCOORD").text


def test_the_host_hears_of_claims_and_releases_but_not_of_their_own(bot: Bot) -> None:
    campaign(bot)
    bot.command("/turnout", "host @ana IA", user="UCOORD")
    bot.command("/host", HOST_LINE.replace(" 8 ", " 1 "), user="UVOL1")
    news = len(bot.slack.dms_to("UVOL1"))
    bot.command("/claim", "1", user="UVOL2")
    assert "<@UVOL2> claimed a place on your canvass #1 on Sat Nov 28: 1/1." in message_text(
        bot.slack.dms_to("UVOL1")[-1]
    )
    (post,) = bot.slack.posts_in("CIOWA")
    bot.click(post, act.JOIN_WAITLIST, user="UVOL3")
    assert "<@UVOL3> joined the waitlist for your canvass #1" in message_text(bot.slack.dms_to("UVOL1")[-1])
    bot.command("/unclaim", "1", user="UVOL2")
    released = message_text(bot.slack.dms_to("UVOL1")[-1])
    assert "<@UVOL2> released their place on your canvass #1" in released
    assert "<@UVOL3> moved up from the waitlist" in released
    bot.command("/claim", "1", user="UVOL1")  # the host on their own waitlist: no news to themselves
    assert len(bot.slack.dms_to("UVOL1")) == news + 3
    with bot.deps.session() as session:
        staff = make.shift(session, bot.clock())
    bot.command("/claim", str(staff), user="UVOL2")
    assert len(bot.slack.dms_to("UVOL1")) == news + 3


def test_a_late_release_goes_to_the_leads_an_early_one_does_not(bot: Bot) -> None:
    campaign(bot)
    with bot.deps.session() as session:
        soon = make.shift(session, bot.clock(), days_ahead=1)
        later = make.shift(session, bot.clock(), days_ahead=5)
        starts = session.get(Shift, soon).starts_at  # type: ignore[union-attr]
    for shift_id in (soon, later):
        bot.command("/claim", str(shift_id), user="UVOL2")
        bot.command("/claim", str(shift_id), user="UVOL3")
    bot.command("/unclaim", str(later), user="UVOL2")
    assert bot.slack.dms_to("UCOORD") == []
    bot.clock.now = starts - timedelta(hours=20)
    bot.command("/unclaim", str(soon), user="UVOL2")
    for coordinator in ("UCOORD", "UCODY"):
        (news,) = bot.slack.dms_to(coordinator)
        assert f"<@UVOL2> released shift #{soon}, which starts in 20 hours: 1/5 now." in message_text(news)
    bot.command("/turnout", "leads IA #ia-leads", user="UCOORD")
    bot.command("/unclaim", str(soon), user="UVOL3")
    (in_leads,) = bot.slack.posts_in("CLEADS")
    assert f"<@UVOL3> released shift #{soon}" in message_text(in_leads) and "0/5 now" in message_text(
        in_leads
    )
    assert len(bot.slack.dms_to("UCOORD")) == 1


def test_approving_in_a_state_without_a_channel_lists_it_and_says_so(bot: Bot) -> None:
    bot.command("/turnout", "coordinator <@UCOORD> NV", user="UADMIN")
    bot.command("/host", "NV 2026-11-28 10:00-13:00 canvass 8 Reno library", user="UVOL1")
    (copy_,) = bot.slack.dms_to("UCOORD")
    approved = bot.click(copy_, act.APPROVE, user="UCOORD")
    assert "Approved shift #1: listed in `/shifts`, and <@UVOL1> is told by DM." in approved.text
    assert "volunteers find it with `/shifts`" in message_text(bot.slack.dms_to("UVOL1")[-1])
    assert "Hosted by <@UVOL1>" in bot.command("/shifts", "NV", user="UVOL2").text


def test_hosting_subcommands_answer_help(bot: Bot) -> None:
    for name, usage_line in (
        ("proposals", "Usage: `/turnout proposals [STATE]`"),
        ("leads", "Usage: `/turnout leads STATE #channel`"),
        ("host", "Usage: `/turnout host @user STATE`"),
    ):
        assert usage_line in bot.command("/turnout", f"{name} help", user="UVOL1").text


def test_a_proposal_cancelled_before_a_decision_is_shown_withdrawn(bot: Bot) -> None:
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    cora = proposal_in(bot.slack.dms_to("UCOORD"))
    stale = copy.deepcopy(cora)  # as Cora's screen still shows it
    assert "Cancelled shift #1" in bot.cancel_shift(1, user="UADMIN").text
    late = bot.click(stale, act.APPROVE, user="UCOORD")
    assert "Shift #1 was cancelled before anyone decided; there is nothing to decide." in late.text
    assert "*Withdrawn*" in message_text(cora) and buttons(cora) == []
    assert bot.slack.posts_in("CIOWA") == [] and bot.slack.dms_to("UVOL1") == []


def test_a_proposal_withdrawn_by_its_host_is_shown_withdrawn_on_every_copy_at_once(bot: Bot) -> None:
    campaign(bot, leads=True)
    bot.command("/host", HOST_LINE, user="UVOL1")
    (copy_,) = bot.slack.posts_in("CLEADS")
    assert [b["action_id"] for b in buttons(copy_)] == [act.APPROVE, act.DECLINE]
    assert "Cancelled shift #1" in bot.cancel_shift(1, user="UVOL1").text
    # No coordinator has to click a stale Approve to learn there is nothing left to decide.
    assert "*Withdrawn*" in message_text(copy_) and buttons(copy_) == []
