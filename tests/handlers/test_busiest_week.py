"""A campaign's busiest week: long lists page, and nothing the bot sends is something Slack refuses.

Slack refuses a message with more than 50 blocks (100 in a view) or a block past Block Kit's
limits with `invalid_blocks`, and the volunteer then sees nothing. Every test here checks every
message and view the bot has drawn against those limits after each step.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, time
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block as SlackBlock
from sqlmodel import Session, select

import handlers.shifts
from bot.blocks import actions as act
from bot.blocks.digests import build_morning_post
from bot.localslack.reading import buttons, message_text
from bot.localslack.webapi import Message
from bot.models import Metric, Signup, State
from bot.services.contacts import log_contacts
from bot.services.digests import morning_digest
from bot.services.shifts import claim_shift
from handlers.common import SORRY
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM, member

MESSAGE_BLOCKS, VIEW_BLOCKS = 50, 100
# Markup, a channel-wide ping, a mention, a link and emoji, 300 characters of it: all must stay inert.
LOUD = "*bold* _it_ ~gone~ `code` <!channel> <@UVOL2> <https://evil.example|click> :tada: & "
LOCATION = (LOUD * 4)[:300]


def slack_refusals(blocks: list[dict[str, Any]], limit: int) -> list[str]:
    """What Slack would refuse in these blocks: too many, or any block past Block Kit's limits."""
    problems = [f"{len(blocks)} blocks (limit {limit})"] if len(blocks) > limit else []
    for n, block in enumerate(blocks):
        parsed = SlackBlock.parse(block)
        if parsed is None:
            problems.append(f"block {n}: not a block: {block!r:.100}")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as error:
            problems.append(f"block {n} ({block.get('type')}): {error}")
        if len(block.get("block_id", "")) > 255:
            problems.append(f"block {n}: block_id over 255 characters")
        elements = [*block.get("elements", []), block.get("accessory") or {}]
        for element in elements:
            if len(element.get("action_id", "")) > 255:
                problems.append(f"block {n}: action_id over 255 characters")
            if len(element.get("value", "")) > 2000:
                problems.append(f"block {n}: button value over 2000 characters")
    return problems


def assert_slack_accepts(bot: Bot) -> None:
    """Every message (sent or updated) and every view the bot has drawn so far, checked as Slack would."""
    with bot.slack.lock:
        messages = [m for m in bot.slack.messages if not m.deleted]
        views = [*bot.slack.views.values(), *bot.slack.home_views.values()]
    assert messages or views, "nothing was drawn"
    for message in messages:
        assert message.text.strip(), f"no fallback text: {message_text(message)[:200]!r}"
        problems = slack_refusals(message.blocks, MESSAGE_BLOCKS)
        assert not problems, f"Slack would refuse {message.text[:80]!r}: {problems}"
    for view in views:
        problems = slack_refusals(view.get("blocks", []), VIEW_BLOCKS)
        assert not problems, f"Slack would refuse a {view.get('type')} view: {problems}"


def shift_ids(message: Message) -> list[int]:
    """The shifts a listing shows, in order, from their titles (`#12 · Canvass`)."""
    return [int(n) for n in re.findall(r"\*#(\d+) · ", message_text(message))]


def page_button(message: Message, action_id: str, label: str) -> dict[str, Any] | None:
    return next(
        (
            b
            for b in buttons(message)
            if b["action_id"] in (action_id, act.page_action(action_id, act.PREVIOUS))
            and b["text"]["text"].startswith(label)
        ),
        None,
    )


def turn(bot: Bot, message: Message, action_id: str, label: str, user: str) -> Message:
    """Press Next / Previous and return the message as redrawn in place."""
    found = page_button(message, action_id, label)
    assert found is not None, f"no {label} button in {message_text(message)[-300:]!r}"
    exchange = bot.click(message, found["action_id"], user=user, value=found["value"])
    assert exchange.status == 200
    redrawn = exchange.reply
    assert (redrawn.channel, redrawn.ts) == (message.channel, message.ts), "not redrawn in place"
    assert_slack_accepts(bot)
    return redrawn


def walk(bot: Bot, first: Message, action_id: str, user: str, read: Any) -> list[list[Any]]:
    """Every page from `first` on, following Next until there is none."""
    pages, message = [read(first)], first
    while page_button(message, action_id, "Next") is not None:
        message = turn(bot, message, action_id, "Next", user)
        pages.append(read(message))
    return pages


def forged(message: Message, action_id: str, value: str) -> Message:
    """A copy of `message` whose first `action_id` button carries `value`, as a tampered payload would."""
    blocks = copy.deepcopy(message.blocks)
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("action_id") == action_id:
                element["value"] = value
                return Message(message.channel, message.ts, message.text, blocks, message.ephemeral_to)
    raise LookupError(action_id)


def claim_all(session: Session, user_id: str, shift_ids: list[int], now: datetime) -> None:
    make.volunteer(session, user_id, now)
    for shift_id in shift_ids:
        claim_shift(session, shift_id=shift_id, who=member(user_id), now=now)


# ---------------------------------------------------------------- /shifts


def test_sixty_open_shifts_page_through_every_one_exactly_once(bot: Bot) -> None:
    with bot.deps.session() as session:
        ids = [
            make.shift(
                session,
                bot.clock(),
                days_ahead=1 + n % 6,
                start=time(8 + n // 6),
                hours=1,
                location=LOCATION,
            )
            for n in range(60)
        ]
        # The volunteer holds a third of them, so those entries take four blocks each.
        claim_all(session, "UVOL1", ids[::3], bot.clock())
    soonest_first = sorted(ids, key=lambda i: (ids.index(i) % 6, ids.index(i) // 6))

    first = bot.command("/shifts", "IA week").reply
    assert_slack_accepts(bot)
    assert "Shifts 1–10 of 60" in message_text(first)
    assert page_button(first, act.SHIFTS_PAGE, "Previous") is None
    pages = walk(bot, first, act.SHIFTS_PAGE, "UVOL1", shift_ids)

    assert [len(page) for page in pages] == [10] * 6
    assert [i for page in pages for i in page] == soonest_first
    last = bot.slack.responses(bot.slack.messages[-1].response_token or "")[-1]
    assert "Shifts 51–60 of 60" in message_text(last)
    back = turn(bot, last, act.SHIFTS_PAGE, "Previous", "UVOL1")
    assert shift_ids(back) == pages[4] and "Shifts 41–50 of 60" in message_text(back)


def test_a_claim_on_page_two_redraws_page_two_with_the_note(bot: Bot) -> None:
    with bot.deps.session() as session:
        ids = [
            make.shift(session, bot.clock(), days_ahead=1 + n % 6, start=time(8 + n // 6), hours=1)
            for n in range(60)
        ]
        claim_all(session, "UVOL1", ids, bot.clock())
    # UVOL1 holds every shift: each entry is four blocks, the fullest a page can be.
    first = bot.command("/shifts", "IA week", user="UVOL2").reply
    second = turn(bot, first, act.SHIFTS_PAGE, "Next", "UVOL2")
    target = shift_ids(second)[3]
    claimed = bot.click(second, act.CLAIM, user="UVOL2", value=f"{target}|list:IA week *@10").reply
    assert_slack_accepts(bot)
    text = message_text(claimed)
    assert f"You're on shift #{target}" in text and "Shifts 11–20 of 60" in text
    assert shift_ids(claimed) == shift_ids(second)
    # The volunteer's own entry now carries Confirm / Release that come back to this page.
    confirmed = bot.click(claimed, act.CONFIRM, user="UVOL2", value=f"{target}|list:IA week *@10").reply
    assert_slack_accepts(bot)
    assert "Confirmed" in message_text(confirmed) and "Shifts 11–20 of 60" in message_text(confirmed)
    assert len(confirmed.blocks) <= MESSAGE_BLOCKS


def test_a_listing_that_cannot_be_drawn_after_a_claim_is_answered_with_the_claims_card(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim is committed before its listing is drawn anew (on PostgreSQL the claim commits
    itself). A listing that fails to draw then is answered with the claim's card: never an
    apology for a claim that stands."""
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1)
    listing = bot.command("/shifts", "IA week", user="UVOL2").reply

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the listing could not be drawn")

    monkeypatch.setattr(handlers.shifts, "render_listing", broken)
    claimed = bot.click(listing, act.CLAIM, user="UVOL2").reply
    text = message_text(claimed)
    assert f"You're on shift #{shift_id}" in text and SORRY not in text
    with bot.deps.read_session() as session:
        (signup,) = session.exec(select(Signup).where(Signup.shift_id == shift_id)).all()
        assert signup.volunteer_id == "UVOL2" and signup.status == "claimed"


def test_a_long_location_full_of_markup_stays_inert_and_within_limits(bot: Bot) -> None:
    with bot.deps.session() as session:
        for n in range(12):
            make.shift(session, bot.clock(), days_ahead=1, start=time(8 + n), hours=1, location=LOCATION)
    listing = bot.command("/shifts", "IA").reply
    assert_slack_accepts(bot)
    raw = "\n".join(b["text"]["text"] for b in listing.blocks if b["type"] == "section")
    assert "<!channel>" not in raw and "<@UVOL2>" not in raw and "<https://" not in raw
    assert raw.count("&lt;!channel&gt;") == 10 * LOCATION.count("<!channel>")
    assert "Shifts 1–10 of 12" in message_text(listing)


# ---------------------------------------------------------------- /myshifts


def test_a_volunteer_on_twenty_five_shifts_pages_through_myshifts(bot: Bot) -> None:
    with bot.deps.session() as session:
        ids = [
            make.shift(
                session,
                bot.clock(),
                days_ahead=1 + n % 5,
                start=time(8 + n // 5),
                hours=1,
                location=LOCATION,
            )
            for n in range(25)
        ]
        claim_all(session, "UVOL2", ids, bot.clock())

    first = bot.command("/myshifts", user="UVOL2").reply
    assert_slack_accepts(bot)
    pages = walk(bot, first, act.MYSHIFTS_PAGE, "UVOL2", shift_ids)
    assert [len(page) for page in pages] == [10, 10, 5]
    assert sorted(i for page in pages for i in page) == sorted(ids)

    last = bot.slack.responses(bot.slack.messages[-1].response_token or "")[-1]
    assert "Shifts 21–25 of 25" in message_text(last)
    gone = shift_ids(last)[0]
    released = bot.click(last, act.RELEASE, user="UVOL2", value=f"{gone}|mine@20").reply
    assert_slack_accepts(bot)
    text = message_text(released)
    assert f"You're off shift #{gone}" in text and "Shifts 21–24 of 24" in text
    assert gone not in shift_ids(released)


def test_the_app_home_of_a_busy_volunteer_shows_a_few_and_points_to_the_rest(bot: Bot) -> None:
    with bot.deps.session() as session:
        ids = [
            make.shift(session, bot.clock(), days_ahead=1 + n % 5, start=time(8 + n // 5), location=LOCATION)
            for n in range(40)
        ]
        claim_all(session, "UVOL1", ids[:25], bot.clock())
    bot.command("/turnout", "home IA")
    bot.driver.event({"type": "app_home_opened", "user": "UVOL1", "tab": "home", "channel": "DUVOL1"})
    home = bot.slack.home_views["UVOL1"]
    assert_slack_accepts(bot)
    text = message_text(Message("", "", "", home["blocks"]))
    assert "and 20 more: `/myshifts`" in text and "and 12 more: `/shifts`" in text
    bot.driver.click_view(home, act.HOME_FIND, user="UVOL1")
    assert_slack_accepts(bot)
    found = bot.slack.home_views["UVOL1"]
    offered = [b for b in buttons(Message("", "", "", found["blocks"])) if b["action_id"] == act.HOME_CLAIM]
    # The soonest ten shifts the volunteer is not on (shift n is on day 1 + n % 5 at 8 + n // 5).
    soonest_free = sorted(range(25, 40), key=lambda n: (n % 5, n // 5))[:10]
    assert [int(b["value"]) for b in offered] == [ids[n] for n in soonest_free]
    assert "and 5 more: `/shifts`" in message_text(Message("", "", "", found["blocks"]))


# ---------------------------------------------------------------- rosters


@pytest.fixture
def full_roster(bot: Bot) -> tuple[int, list[str]]:
    """A shift 30 minutes away (attendance is open) with 40 people holding places and 10 waiting."""
    people = [f"UV{n:02d}" for n in range(50)]
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(
            session, bot.clock(), days_ahead=0, start=time(9, 30), capacity=40, location=LOCATION
        )
        for user in people:
            make.volunteer(session, user, bot.clock(), name=f"{LOUD[:60]} {user}")
            claim_shift(session, shift_id=shift_id, who=member(user), now=bot.clock())
    return shift_id, people


def mentions(message: Message) -> list[str]:
    return re.findall(r"<@(UV\d\d)>", message_text(message))


def test_a_forty_person_roster_with_a_waitlist_shows_everyone_page_by_page(
    bot: Bot, full_roster: tuple[int, list[str]]
) -> None:
    shift_id, people = full_roster
    first = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    assert_slack_accepts(bot)
    assert "People 1–10 of 50 · 40/40 places held · 10 on the waitlist" in message_text(first)
    pages = walk(bot, first, act.ROSTER_PAGE, "UCOORD", mentions)
    assert [len(page) for page in pages] == [10] * 5
    assert [user for page in pages for user in page] == people
    assert "#10" in message_text(bot.slack.responses(bot.slack.messages[-1].response_token or "")[-1])


def test_attended_on_roster_page_two_redraws_page_two(bot: Bot, full_roster: tuple[int, list[str]]) -> None:
    shift_id, people = full_roster
    first = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    second = turn(bot, first, act.ROSTER_PAGE, "Next", "UCOORD")
    assert mentions(second) == people[10:20]
    attended = next(b for b in buttons(second) if b["action_id"] == act.ATTENDED)
    marked = bot.click(second, act.ATTENDED, user="UCOORD", value=attended["value"]).reply
    assert_slack_accepts(bot)
    assert mentions(marked) == people[10:20] and "People 11–20 of 50" in message_text(marked)
    assert f"<@{people[10]}> — :white_check_mark: attended" in message_text(marked)
    # Removing someone on the last page keeps the coordinator there; the waitlist moves up.
    last = turn(
        bot,
        turn(bot, turn(bot, marked, act.ROSTER_PAGE, "Next", "UCOORD"), act.ROSTER_PAGE, "Next", "UCOORD"),
        act.ROSTER_PAGE,
        "Next",
        "UCOORD",
    )
    removed = next(b for b in buttons(last) if b["action_id"] == act.REMOVE)
    after = bot.click(last, act.REMOVE, user="UCOORD", value=removed["value"]).reply
    assert_slack_accepts(bot)
    assert "People 41–49 of 49" in message_text(after)


def test_roster_paging_is_for_coordinators_only(bot: Bot, full_roster: tuple[int, list[str]]) -> None:
    shift_id, _ = full_roster
    first = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    following = page_button(first, act.ROSTER_PAGE, "Next")
    assert following is not None
    refused = bot.click(first, act.ROSTER_PAGE, user="UVOL3", value=following["value"])
    assert "UV1" not in refused.text and "coordinator" in refused.text.lower()


# ---------------------------------------------------------------- forged paging buttons


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        (act.SHIFTS_PAGE, "list:ZZ week *@10"),
        (act.SHIFTS_PAGE, "list:IA someday *@10"),
        (act.SHIFTS_PAGE, "list:IA week juggling@10"),
        (act.SHIFTS_PAGE, "list:IA week *@-10"),
        (act.SHIFTS_PAGE, "list:IA week *@ten"),
        (act.SHIFTS_PAGE, "list:IA week *@99999999999"),
        (act.SHIFTS_PAGE, "mine@10"),
        (act.SHIFTS_PAGE, ""),
        (act.CLAIM, "1|list:IA week * extra"),
        (act.CLAIM, "99999999999|mine"),
        (act.CLAIM, "1|somewhere"),
    ],
)
def test_a_forged_listing_button_gets_a_clean_refusal(bot: Bot, action_id: str, value: str) -> None:
    with bot.deps.session() as session:
        for n in range(12):
            make.shift(session, bot.clock(), days_ahead=1, start=time(8 + n), hours=1)
    listing = bot.command("/shifts", "IA week").reply
    exchange = bot.click(forged(listing, action_id, value), action_id, value=value)
    assert exchange.status == 200
    assert "can't read that button" in exchange.text and SORRY not in exchange.text
    with bot.deps.read_session() as session:
        assert session.exec(select(Signup)).all() == []  # nothing was claimed


@pytest.mark.parametrize("value", ["mine@x", "list:IA week *@10", "mine@-1", "card"])
def test_a_forged_myshifts_page_button_gets_a_clean_refusal(bot: Bot, value: str) -> None:
    with bot.deps.session() as session:
        ids = [make.shift(session, bot.clock(), days_ahead=1, start=time(8 + n), hours=1) for n in range(12)]
        claim_all(session, "UVOL1", ids, bot.clock())
    mine = bot.command("/myshifts").reply
    exchange = bot.click(forged(mine, act.MYSHIFTS_PAGE, value), act.MYSHIFTS_PAGE, value=value)
    assert "can't read that button" in exchange.text and SORRY not in exchange.text


@pytest.mark.parametrize("value", ["abc|roster@10", "99999999999|roster", "1|roster@x", "1|list:IA * *"])
def test_a_forged_roster_button_gets_a_clean_refusal(
    bot: Bot, full_roster: tuple[int, list[str]], value: str
) -> None:
    shift_id, _ = full_roster
    first = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    for action_id in (act.ROSTER_PAGE, act.ATTENDED):
        exchange = bot.click(forged(first, action_id, value), action_id, user="UCOORD", value=value)
        assert "can't read that button" in exchange.text and SORRY not in exchange.text


def test_an_old_offset_past_the_end_shows_the_last_page(bot: Bot) -> None:
    with bot.deps.session() as session:
        for n in range(12):
            make.shift(session, bot.clock(), days_ahead=1, start=time(8 + n), hours=1)
    listing = bot.command("/shifts", "IA week").reply
    value = "list:IA week *@40"
    redrawn = bot.click(forged(listing, act.SHIFTS_PAGE, value), act.SHIFTS_PAGE, value=value).reply
    assert "Shifts 11–12 of 12" in message_text(redrawn)


# ---------------------------------------------------------------- bounded posts


def test_the_morning_post_shows_ten_shifts_that_need_people_and_counts_the_rest(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)
        for n in range(24):
            make.shift(
                session,
                bot.clock(),
                days_ahead=n % 2,
                start=time(11 + n // 2 // 2, 30 * (n // 2 % 2)),
                location=LOCATION,
            )
    assert "Posted morning digest" in bot.command("/turnout", "digest IA morning", user="UCOORD").text
    assert_slack_accepts(bot)
    (post,) = bot.slack.posts_in("CIOWA")
    text = message_text(post)
    assert len([b for b in buttons(post) if b["action_id"] == act.CLAIM]) == 10
    assert "and 14 more: `/shifts IA`" in text


def test_the_morning_post_needs_no_pointer_when_everything_fits(bot: Bot) -> None:
    with bot.deps.session() as session:
        for n in range(3):
            make.shift(session, bot.clock(), days_ahead=1, start=time(9 + n))
        digest = morning_digest(session, team_id=TEAM, state="IA", day=bot.clock().date(), now=bot.clock())
    post = build_morning_post(digest)
    assert len(post.blocks) <= MESSAGE_BLOCKS and not slack_refusals(post.blocks, MESSAGE_BLOCKS)
    assert "more:" not in message_text(Message("", "", "", post.blocks))


def test_a_leaderboard_with_ties_stays_within_limits(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)
        for n in range(30):
            user = make.volunteer(
                session, f"UT{n:02d}", bot.clock(), name=f"Volunteer with a long name {n:02d}"
            )
            log_contacts(
                session,
                who=member(user),
                counts={Metric.DOORS: 40},
                shift_id=None,
                channel_id="CIOWA",
                now=bot.clock(),
            )
    board = bot.command("/leaderboard", "IA today").reply
    assert_slack_accepts(bot)
    assert message_text(board).count(":first_place_medal:") == 20  # every tie shown, up to 20 rows
    assert len(board.blocks) <= MESSAGE_BLOCKS


def test_the_helper_catches_what_slack_refuses() -> None:
    too_many = [{"type": "divider"}] * 51
    assert slack_refusals(too_many, MESSAGE_BLOCKS) and not slack_refusals(too_many, VIEW_BLOCKS)
    long_text = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert slack_refusals(long_text, MESSAGE_BLOCKS)
    long_value = [
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Next"},
                    "action_id": "a",
                    "value": "v" * 2001,
                }
            ],
        }
    ]
    assert slack_refusals(long_value, MESSAGE_BLOCKS)
