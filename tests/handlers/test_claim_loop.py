"""The volunteer's claim loop end to end: signed Slack requests into the real Bolt app."""

from __future__ import annotations

import copy
import threading

import pytest
from sqlmodel import select

from bot.blocks import actions as act
from bot.localslack.reading import buttons, message_text
from bot.models import Signup
from handlers import shifts as shifts_handlers
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def seed(bot: Bot, capacity: int = 2, bind: bool = True) -> int:
    deps = bot.deps
    with deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", deps.clock())
        if bind:
            from bot.models import State

            state = session.get(State, (TEAM, "IA"))
            assert state is not None
            state.channel_id = "CIOWA"
            session.add(state)
        return make.shift(session, deps.clock(), capacity=capacity)


def test_shifts_lists_with_fill_and_a_claim_button(bot: Bot) -> None:
    shift_id = seed(bot)
    reply = bot.command("/shifts", "IA").reply
    text = message_text(reply)
    assert f"#{shift_id}" in text and "0/2" in text and "Des Moines HQ" in text
    assert "CST" in text  # shown in Iowa's own zone
    assert [b["action_id"] for b in buttons(reply)] == [act.CLAIM]
    assert reply.ephemeral_to == "UVOL1"


def test_shifts_in_a_bound_channel_defaults_to_its_state(bot: Bot) -> None:
    seed(bot)
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), state="NH")
    text = bot.command("/shifts", channel="CIOWA").text
    assert "Iowa" in text and "(NH)" not in text


def test_claim_by_button_redraws_the_list_so_it_cannot_claim_twice(bot: Bot) -> None:
    seed(bot)
    listing = bot.command("/shifts", "IA").reply
    stale = copy.deepcopy(listing)  # what a second, quicker click still sees
    first = bot.click(listing, act.CLAIM)
    assert "You're on shift" in first.text and "1/2" in first.text
    # the same message, redrawn: the Claim button is gone, Confirm / Release are offered
    assert first.reply.ts == listing.ts
    assert {b["action_id"] for b in buttons(first.reply)} == {act.CONFIRM, act.RELEASE}
    # a double click on the stale button finds the same signup
    again = bot.click(stale, act.CLAIM)
    assert "already" in again.text
    with bot.deps.read_session() as session:
        assert len(session.exec(select(Signup)).all()) == 1


def test_claim_command_then_confirm_and_release_buttons(bot: Bot) -> None:
    shift_id = seed(bot)
    claimed = bot.command("/claim", str(shift_id))
    assert "You're on shift" in claimed.text
    card = claimed.reply
    confirmed = bot.click(card, act.CONFIRM)
    assert "Confirmed" in confirmed.text
    assert confirmed.reply is card  # the card itself was redrawn
    assert len(bot.slack.messages) == 1
    assert [b["action_id"] for b in buttons(confirmed.reply)] == [act.RELEASE]
    released = bot.click(confirmed.reply, act.RELEASE)
    assert "You're off shift" in released.text
    assert [b["action_id"] for b in buttons(released.reply)] == [act.CLAIM]


def test_retyped_claim_finds_the_existing_signup(bot: Bot) -> None:
    shift_id = seed(bot)
    bot.command("/claim", str(shift_id))
    again = bot.command("/claim", f"#{shift_id}")
    assert "already on shift" in again.text
    with bot.deps.read_session() as session:
        assert len(session.exec(select(Signup)).all()) == 1


def test_full_shift_waitlists_and_a_release_promotes_with_a_dm(bot: Bot) -> None:
    shift_id = seed(bot, capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    waiting = bot.command("/claim", str(shift_id), user="UVOL2")
    assert "#1* on the waitlist" in waiting.text
    released = bot.command("/unclaim", str(shift_id), user="UVOL1")
    assert "You're off shift" in released.text
    dms = bot.slack.dms_to("UVOL2")
    assert len(dms) == 1 and "it's yours" in message_text(dms[0])
    assert {b["action_id"] for b in buttons(dms[0])} == {act.CONFIRM, act.RELEASE}
    confirmed = bot.click(dms[0], act.CONFIRM, user="UVOL2")
    assert "Confirmed" in confirmed.text


def test_shift_list_offers_join_waitlist_when_full(bot: Bot) -> None:
    shift_id = seed(bot, capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    listing = bot.command("/shifts", "IA", user="UVOL2").reply
    assert [b["action_id"] for b in buttons(listing)] == [act.JOIN_WAITLIST]
    joined = bot.click(listing, act.JOIN_WAITLIST, user="UVOL2")
    assert "#1 in line" in joined.text


def test_myshifts_shows_status_and_buttons(bot: Bot) -> None:
    shift_id = seed(bot)
    assert "no upcoming shifts" in bot.command("/myshifts").text
    bot.command("/claim", str(shift_id))
    mine = bot.command("/myshifts").reply
    assert f"#{shift_id}" in message_text(mine) and "not yet confirmed" in message_text(mine)
    confirmed = bot.click(mine, act.CONFIRM)
    assert confirmed.reply.ts == mine.ts and ":large_green_circle: confirmed" in confirmed.text


def test_the_channel_post_stays_current(bot: Bot) -> None:
    shift_id = seed(bot, capacity=2)
    # created through the command, so it is posted to #iowa once
    created = bot.command(
        "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 2 Des Moines HQ", user="UCOORD"
    )
    assert "posted it in <#CIOWA>" in created.text
    posts = bot.slack.posts_in("CIOWA")
    assert len(posts) == 1 and "0/2" in message_text(posts[0])
    new_id = shift_id + 1
    bot.click(posts[0], act.CLAIM, user="UVOL1")
    bot.command("/claim", str(new_id), user="UVOL2")
    assert "2/2" in message_text(posts[0]) and "full" in message_text(posts[0])
    assert [b["action_id"] for b in buttons(posts[0])] == [act.JOIN_WAITLIST]
    bot.command("/claim", str(new_id), user="UVOL3")
    assert "1 on the waitlist" in message_text(posts[0])
    bot.cancel_shift(new_id, user="UCOORD")
    assert "Cancelled" in message_text(posts[0]) and buttons(posts[0]) == []
    assert len(bot.slack.posts_in("CIOWA")) == 1  # kept current, never posted twice


def test_clicking_claim_on_the_channel_post_answers_only_the_clicker(bot: Bot) -> None:
    bound = bot.command("/turnout", "state IA <#CIOWA|iowa>", user="UADMIN")
    assert "now posts in <#CIOWA>" in bound.text
    bot.command("/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 2 Des Moines HQ", user="UADMIN")
    (post,) = bot.slack.posts_in("CIOWA")
    clicked = bot.click(post, act.CLAIM, user="UVOL4")
    assert clicked.reply.ephemeral_to == "UVOL4" and "You're on shift" in clicked.text
    assert "1/2" in message_text(post)


def test_thirty_people_racing_through_slack_all_get_a_clear_answer(bot: Bot) -> None:
    """30 /claim commands at once for 5 places: 5 are on, 25 are told their place in line."""
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=5)
    for n in range(7, 31):
        bot.slack.add_person(f"UVOL{n}", f"vol{n}")
    barrier = threading.Barrier(30)
    texts: dict[int, str] = {}

    def go(n: int) -> None:
        barrier.wait()
        exchange = bot.command("/claim", str(shift_id), user=f"UVOL{n}")
        assert exchange.status == 200
        texts[n] = exchange.text

    threads = [threading.Thread(target=go, args=(n,)) for n in range(1, 31)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    on = [t for t in texts.values() if "You're on shift" in t]
    waiting = sorted(int(t.split("*#")[1].split("*")[0]) for t in texts.values() if "on the waitlist" in t)
    assert len(texts) == 30 and len(on) == 5 and waiting == list(range(1, 26))


def test_a_claim_whose_follow_up_fails_is_not_then_said_to_have_changed_nothing(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer went, the claim stands: an error after it (telling the host, redrawing the
    post) is logged, never followed by "nothing was changed"."""
    shift_id = seed(bot)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the follow-up failed")

    monkeypatch.setattr(shifts_handlers, "after_claim", broken)
    claimed = bot.command("/claim", str(shift_id))
    assert [message_text(reply) for reply in claimed.replies] == [message_text(claimed.reply)]
    assert "You're on shift" in claimed.text and "nothing was changed" not in claimed.text
    assert "failed after its answer had gone" in caplog.text
    with bot.deps.read_session() as session:
        assert len(session.exec(select(Signup)).all()) == 1
