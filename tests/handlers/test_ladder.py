"""The ladder end to end: `/turnout people`, `require`, `trained`, `noshow`; a claim refused for
want of a training offers Claim buttons; a claim held by the no-show policy reaches the host or the
leads with Accept, and the volunteer hears when it is accepted."""

from __future__ import annotations

import copy
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from bot.blocks import actions as act
from bot.localslack.reading import buttons, message_text
from bot.models import ShiftKind, SignupStatus, State, Volunteer
from bot.services import engagement
from bot.services.shifts import mark_attendance
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM, member
from tests.handlers.forging import press

TABLES = ("signup", "engagement", "trainingrule", "trainingrecord", "state", "delivery")


def counts(bot: Bot) -> dict[str, int]:
    with bot.deps.read_session() as session:
        return {t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.fixture
def iowa(bot: Bot) -> Bot:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)
    return bot


def attended(bot: Bot, user: str, *days_ago: int, status: SignupStatus = SignupStatus.ATTENDED) -> None:
    """`user` was marked on shifts that started that many days ago."""
    with bot.deps.session() as session:
        for n, days in enumerate(days_ago):
            shift_id = make.shift(session, bot.clock(), days_ahead=-days, start=time(8 + n))
            signup_id = make.signup(session, shift_id, user, bot.clock())
            mark_attendance(session, actor=make.ADMIN, signup_id=signup_id, status=status, now=bot.clock())


# ---------------------------------------------------------------- /turnout people


def test_people_shows_each_segment_and_lists_it_on_a_click(iowa: Bot) -> None:
    attended(iowa, "UVOL1", 9, 6, 3)
    overview = iowa.command("/turnout", "people iowa", user="UCOORD").reply
    assert "*Ready to host* (1)" in message_text(overview) and "*New* (0)" in message_text(overview)
    listed = iowa.click(overview, act.PEOPLE_SEGMENT, user="UCOORD", value="people:IA:ready")
    assert listed.reply is overview  # drawn in place
    text = listed.text
    assert "Iowa · Ready to host" in text and "<@UVOL1> · :muscle: regular · 3 shifts attended" in text
    assert "last shift #3 on Thu Nov 19 · 0 contacts" in text and "People 1–1 of 1" in text


def test_a_long_segment_pages_with_next_and_previous(iowa: Bot) -> None:
    with iowa.deps.session() as session:
        shift_id = make.shift(session, iowa.clock(), capacity=40)
        for n in range(25):
            make.signup(session, shift_id, f"UN{n:02d}", iowa.clock())
            engagement.note_signup(session, who=member(f"UN{n:02d}"), state="IA", now=iowa.clock())
    first = iowa.command("/turnout", "people IA new", user="UCOORD").reply
    assert "People 1–10 of 25" in message_text(first)
    second = iowa.click(first, act.PEOPLE_PAGE, user="UCOORD")
    assert "People 11–20 of 25" in second.text and second.reply is first
    back = iowa.click(second.reply, act.page_action(act.PEOPLE_PAGE, act.PREVIOUS), user="UCOORD")
    assert "People 1–10 of 25" in back.text


def test_people_is_for_the_states_coordinators_and_checks_what_it_is_given(iowa: Bot) -> None:
    refused = iowa.command("/turnout", "people IA ready", user="UVOL1").text
    assert "Only an IA coordinator (<@UCOORD>) or an admin can see IA's people." in refused
    before = counts(iowa)
    assert (
        "is not one of new, ready, lapsed" in iowa.command("/turnout", "people IA keen", user="UCOORD").text
    )
    assert "is not a state" in iowa.command("/turnout", "people ZZ", user="UCOORD").text
    assert "Usage: `/turnout people STATE" in iowa.command("/turnout", "people", user="UCOORD").text
    assert counts(iowa) == before
    helped = iowa.command("/turnout", "people help", user="UVOL1").text
    assert helped.startswith("*/turnout people*:") and "ready* are regulars who have never hosted" in helped


def test_a_forged_people_button_is_refused_and_rechecks_the_role(iowa: Bot) -> None:
    for value in (
        "people:ZZ:ready",
        "people:IA:keen",
        "people:IA",
        "people:IA:new@x",
        "list:IA:new",
        "1|card",
    ):
        assert "I can't read that button" in message_text(
            press(iowa, act.PEOPLE_PAGE, value, user="UCOORD").reply
        )
    stolen = press(iowa, act.PEOPLE_SEGMENT, "people:IA:new", user="UVOL2")
    assert "can see IA's people" in message_text(stolen.reply)


# ---------------------------------------------------------------- training first


def test_require_training_gates_claims_and_the_refusal_offers_the_next_training(iowa: Bot) -> None:
    set_rule = iowa.command("/turnout", "require IA canvass training", user="UCOORD").text
    assert "Canvass shifts in Iowa now need a training first" in set_rule
    assert "already need" in iowa.command("/turnout", "require IA canvass training", user="UCOORD").text
    assert (
        "Iowa, canvass shifts need a training first."
        in iowa.command("/turnout", "require IA", user="UCOORD").text
    )
    with iowa.deps.session() as session:
        canvass = make.shift(session, iowa.clock(), days_ahead=4, location="<!channel> HQ")
        training = make.shift(
            session, iowa.clock(), days_ahead=1, kind=ShiftKind.TRAINING, location="<!channel> Library"
        )
    refused = iowa.command("/claim", str(canvass))
    assert "Canvass shifts in Iowa need a training first" in refused.text
    assert "&lt;!channel&gt; Library" in refused.text and "<!channel>" not in refused.text
    assert [b["value"] for b in buttons(refused.reply)] == [f"{training}|card"]
    took = iowa.click(refused.reply, act.CLAIM)
    assert f"You're on shift #{training}" in took.text
    assert f"You're on shift #{canvass}" in iowa.command("/claim", str(canvass)).text
    lifted = iowa.command("/turnout", "require IA canvass none", user="UCOORD").text
    assert "Canvass shifts in Iowa no longer need a training first." in lifted


def test_with_no_training_scheduled_the_refusal_says_whom_to_ask(iowa: Bot) -> None:
    iowa.command("/turnout", "require IA phonebank training", user="UCOORD")
    with iowa.deps.session() as session:
        phones = make.shift(session, iowa.clock(), kind=ShiftKind.PHONEBANK)
    text = iowa.command("/claim", str(phones)).text
    assert "No training is scheduled yet: ask <@UCOORD> (IA coordinator)" in text
    recorded = iowa.command("/turnout", "trained <@UVOL1> IA", user="UCOORD").text
    assert "Recorded: <@UVOL1> is trained in Iowa" in recorded
    assert "recorded already" in iowa.command("/turnout", "trained @ana iowa", user="UCOORD").text
    assert f"You're on shift #{phones}" in iowa.command("/claim", str(phones)).text


def test_the_app_home_explains_a_refusal_with_commands(iowa: Bot) -> None:
    iowa.command("/turnout", "require IA canvass training", user="UCOORD")
    with iowa.deps.session() as session:
        canvass = make.shift(session, iowa.clock(), days_ahead=4)
        training = make.shift(session, iowa.clock(), days_ahead=1, kind=ShiftKind.TRAINING)
    view = {"id": "VHOME", "type": "home", "blocks": []}
    home = {"type": "actions", "block_id": "h", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Claim"}, "action_id": act.HOME_CLAIM,
         "value": str(canvass)},
    ]}  # fmt: skip
    view["blocks"] = [home]
    iowa.driver.click_view(view, act.HOME_CLAIM, user="UVOL1")
    published = iowa.slack.home_views["UVOL1"]
    text = "\n".join(b["text"]["text"] for b in published["blocks"] if b.get("type") == "section")
    assert "need a training first" in text and f"`/claim {training}`" in text


def test_require_trained_and_noshow_refuse_bad_input_writing_nothing(iowa: Bot) -> None:
    before = counts(iowa)
    for text, problem in [
        ("require IA picnic training", "is not a kind of shift"),
        ("require IA training training", "A training can't require a training first"),
        ("require IA canvass maybe", "should be `training` or `none`"),
        ("require IA canvass", "Usage: `/turnout require"),
        ("trained IA", "Usage: `/turnout trained"),
        ("trained ana IA", "is not a person"),
        ("trained <@U0NOSUCH1> IA", "I can't find that person"),
        ("noshow IA 0.5", "is not a number of no-shows from 1 to 10"),
        ("noshow IA 11", "is not a number of no-shows from 1 to 10"),
        ("noshow", "Usage: `/turnout noshow"),
    ]:
        assert problem in iowa.command("/turnout", text, user="UCOORD").text, text
    assert counts(iowa) == before
    for sub in ("require", "trained", "noshow"):
        assert iowa.command("/turnout", f"{sub} help", user="UVOL1").text.startswith(f"*/turnout {sub}*:")


# ---------------------------------------------------------------- no-shows


def test_a_held_claim_reaches_the_host_who_accepts_it_and_the_volunteer_is_told(iowa: Bot) -> None:
    assert "the no-show policy is off" in iowa.command("/turnout", "noshow IA", user="UCOORD").text
    on = iowa.command("/turnout", "noshow IA 2", user="UCOORD").text
    assert "claims from volunteers with 2 or more no-shows in the last 60 days now wait" in on
    attended(iowa, "UVOL1", 20, 10, status=SignupStatus.NO_SHOW)
    with iowa.deps.session() as session:
        make.volunteer(session, "UVOL5", iowa.clock())
        shift_id = make.shift(session, iowa.clock(), days_ahead=3, host="UVOL5")
    held = iowa.command("/claim", str(shift_id))
    assert "is waiting for its host or a coordinator to accept it" in held.text
    assert [b["action_id"] for b in buttons(held.reply)] == [act.RELEASE]  # Withdraw
    (notice,) = iowa.slack.dms_to("UVOL5")
    assert "<@UVOL1> claimed shift" in message_text(notice) and "2 no-shows in IA" in message_text(notice)
    assert iowa.slack.dms_to("UCOORD") == []  # the host runs it: the coordinators are not bothered
    stale = copy.deepcopy(notice)
    refused = iowa.click(notice, act.ACCEPT, user="UVOL2")
    assert "can accept claims on shift" in refused.text
    accepted = iowa.click(notice, act.ACCEPT, user="UVOL5")
    assert f"Accepted by <@UVOL5>: <@UVOL1> is on shift #{shift_id}." in accepted.text
    assert accepted.reply is notice
    (told,) = iowa.slack.dms_to("UVOL1")
    assert "was accepted: you're on it" in message_text(told)
    assert {b["action_id"] for b in buttons(told)} == {act.CONFIRM, act.RELEASE}
    assert "settled already" in iowa.click(stale, act.ACCEPT, user="UCOORD").text
    assert len(iowa.slack.dms_to("UVOL1")) == 1


def test_a_held_claim_withdrawn_is_told_to_the_host_as_withdrawn(iowa: Bot) -> None:
    iowa.command("/turnout", "noshow IA 2", user="UCOORD")
    attended(iowa, "UVOL1", 20, 10, status=SignupStatus.NO_SHOW)
    with iowa.deps.session() as session:
        make.volunteer(session, "UVOL5", iowa.clock())
        shift_id = make.shift(session, iowa.clock(), days_ahead=3, host="UVOL5")
    held = iowa.command("/claim", str(shift_id))
    iowa.click(held.reply, act.RELEASE)
    notice, news = (message_text(m) for m in iowa.slack.dms_to("UVOL5"))
    assert "waits for you to accept it" in notice
    assert f"<@UVOL1> withdrew their claim on your canvass #{shift_id}" in news and "waitlist" not in news


def test_without_a_host_the_leads_hear_and_the_roster_has_accept(iowa: Bot) -> None:
    iowa.command("/turnout", "noshow IA 1", user="UCOORD")
    attended(iowa, "UVOL1", 5, status=SignupStatus.NO_SHOW)
    attended(iowa, "UVOL2", 6, 4, status=SignupStatus.NO_SHOW)
    with iowa.deps.session() as session:
        shift_id = make.shift(session, iowa.clock(), days_ahead=3, capacity=1)
    iowa.command("/claim", str(shift_id), user="UVOL3")
    iowa.command("/claim", str(shift_id), user="UVOL1")
    iowa.command("/claim", str(shift_id), user="UVOL2")
    assert len(iowa.slack.dms_to("UCOORD")) == 2  # no leads channel: each coordinator by DM
    roster = iowa.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    text = message_text(roster)
    assert "<@UVOL2> — :raised_hand: waiting for the host or a coordinator to accept" in text
    assert ":warning: 2+ no-shows in 60 days" in text
    first, _second = [b["value"] for b in buttons(roster) if b["action_id"] == act.ACCEPT]
    accepted = iowa.click(roster, act.ACCEPT, user="UCOORD", value=first)
    assert "shift #" in accepted.text and "is full, so <@UVOL1> is #1 on its waitlist" in accepted.text
    assert accepted.reply is roster and "Roster for shift" in accepted.text
    assert "on its waitlist" in message_text(iowa.slack.dms_to("UVOL1")[-1])


def test_a_held_claim_goes_to_the_leads_channel_when_there_is_one(iowa: Bot) -> None:
    with iowa.deps.session() as session:
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.leads_channel_id, state.noshow_limit = "CRANDOM", 1
        session.add(state)
        shift_id = make.shift(session, iowa.clock(), days_ahead=3)
    attended(iowa, "UVOL1", 5, status=SignupStatus.NO_SHOW)
    iowa.command("/claim", str(shift_id))
    (notice,) = [m for m in iowa.slack.posts_in("CRANDOM") if "claimed shift" in message_text(m)]
    assert "1 no-show in IA" in message_text(notice) and iowa.slack.dms_to("UCOORD") == []


def test_noshows_segment_lists_the_flagged(iowa: Bot) -> None:
    attended(iowa, "UVOL1", 30, 2, status=SignupStatus.NO_SHOW)
    iowa.clock.advance(days=1)
    text = iowa.command("/turnout", "people IA noshows", user="UCOORD").text
    assert "<@UVOL1> · :seedling: new · 0 shifts attended" in text and ":warning: 2+ no-shows" in text
    iowa.clock.now += timedelta(days=40)
    assert "No one has 2 no-shows" in iowa.command("/turnout", "people IA noshows", user="UCOORD").text


# ---------------------------------------------------------------- no-shows reach the leads


def no_show_notices(bot: Bot, target: str) -> list[str]:
    messages = bot.slack.posts_in(target) if target.startswith("C") else bot.slack.dms_to(target)
    return [m.text for m in messages if "was marked a no-show" in m.text]


def mark_no_show_from_the_roster(bot: Bot, *, by: str) -> int:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.clock.advance(days=1, hours=1)  # under way: attendance is open
    roster = bot.command("/turnout", f"roster {shift_id}", user=by).reply
    assert "was marked" not in bot.click(roster, act.NO_SHOW, user=by).text
    bot.click(roster, act.NO_SHOW, user=by)  # a second click tells no one twice
    return shift_id


def test_a_no_show_is_news_for_the_leads_channel(iowa: Bot) -> None:
    iowa.slack.add_channel("CLEADS", "ia-leads", is_private=True)
    assert "<#CLEADS>" in iowa.command("/turnout", "leads IA <#CLEADS|ia-leads>", user="UCOORD").text
    shift_id = mark_no_show_from_the_roster(iowa, by="UCOORD")
    (notice,) = no_show_notices(iowa, "CLEADS")
    assert f"<@UVOL1> was marked a no-show on shift #{shift_id} by <@UCOORD>: 1 no-show in IA" in notice


def test_without_a_leads_channel_the_other_coordinators_hear_of_a_no_show(iowa: Bot) -> None:
    with iowa.deps.session() as session:
        make.coordinator(session, "UVOL5", "IA", iowa.clock())
    mark_no_show_from_the_roster(iowa, by="UCOORD")
    assert len(no_show_notices(iowa, "UVOL5")) == 1
    assert no_show_notices(iowa, "UCOORD") == []  # the one who marked it knows


@pytest.mark.parametrize("text", ["trained <@UVOL2> IA", "host <@UVOL2> IA", "host remove <@UVOL2> IA"])
def test_someone_without_the_role_is_refused_before_anyone_is_looked_up(iowa: Bot, text: str) -> None:
    refused = iowa.command("/turnout", text, user="UVOL1")
    assert refused.text.startswith("Only an IA coordinator (<@UCOORD>) or an admin can")
    assert all(call.params.get("user") != "UVOL2" for call in iowa.slack.calls_to("users.info"))
    with iowa.deps.read_session() as session:
        assert session.get(Volunteer, (TEAM, "UVOL2")) is None
