"""An all-states listing counts its days in the viewer's own zone, also when a click redraws it."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.blocks import actions as act
from bot.localslack.reading import message_text
from bot.services.people import Profile, sync_volunteer
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def test_a_claim_redraws_today_in_the_viewers_zone(bot: Bot) -> None:
    bot.slack.add_person("UHONO", "kai", real_name="Kai", tz="Pacific/Honolulu")
    # 19:30 on Sunday in Honolulu, already 00:30 on Monday in New York.
    bot.clock.now = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
    with bot.deps.session() as session:
        # Turnout has met Kai before: their Slack profile, and so their zone, is stored.
        sync_volunteer(
            session, profile=Profile(TEAM, "UHONO", "kai", timezone="Pacific/Honolulu"), now=bot.clock()
        )
        tonight = make.shift(session, bot.clock(), state="HI", days_ahead=0, start=time(20, 30), hours=2)
    listing = bot.command("/shifts", "today", user="UHONO").reply
    assert f"#{tonight}" in message_text(listing)
    claimed = bot.click(listing, act.CLAIM, user="UHONO")
    redrawn = message_text(claimed.reply)
    assert f"#{tonight} · Canvass" in redrawn and "You: :white_circle: claimed" in redrawn
