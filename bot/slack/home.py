"""Each person's App Home tab: drawn from how things stand, and published until it lands.

A publish Slack did not take (5xx, 429 past the client's retries, no answer) is owed: one
`home` delivery per person, retried by the scheduler with backoff for `HOME_USEFUL_FOR`, each
retry drawing the tab as it stands then (without the one-line note on top that said what a
click just did: by then it would be stale). A publish that goes through settles one owed from
before it, so a retry never draws over a newer tab. Publishing is idempotent (the tab is
replaced), so a publish whose outcome is unknown is simply done again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks.home import build_home
from bot.deps import Deps
from bot.i18n import Lang, language
from bot.models import Delivery, DeliveryKind
from bot.services.clock import local_date
from bot.services.deliveries import finish_redraw, owe_redraw, redraws_owed, settle_redraw, take
from bot.services.members import Member
from bot.services.people import language_of, personal_timezone
from bot.services.places import NATIONAL_TZ
from bot.services.shifts import list_open_shifts, my_shifts_page
from bot.services.states import default_state, state_timezone
from bot.services.stats import personal_stats, state_progress
from bot.slack.delivery import Delivered, Fate, Missed, failed_try, missed_redraw

logger = logging.getLogger(__name__)
OPEN_SHIFTS_SHOWN = 3
OPEN_SHIFTS_FOUND = 10
# The tab shows the soonest few of a volunteer's shifts and points to /myshifts for the rest,
# so it stays far inside the 100 blocks Slack allows a view however busy the volunteer is.
MY_SHIFTS_SHOWN = 5
# A tab is looked at while it is open, and every opening draws it afresh: a missed publish is
# worth retrying for an hour.
HOME_USEFUL_FOR = timedelta(hours=1)
HOME_KEY = "home"


def draw_home(
    session: Session,
    *,
    who: Member,
    now: datetime,
    profile_tz: str | None = None,
    note: str | None = None,
    find: bool = False,
    lang: Lang | None = None,
) -> dict[str, Any]:
    """`who`'s tab as things stand (`find`: more open shifts), with `note` on top, in `lang`
    (by default, the language `who` reads)."""
    home = default_state(session, channel_id="", who=who)
    tz = personal_timezone(session, who=who, profile_tz=profile_tz, fallback=NATIONAL_TZ)
    listing = list_open_shifts(
        session,
        who=who,
        state=home,
        window=None,
        kind=None,
        now=now,
        limit=OPEN_SHIFTS_FOUND if find else OPEN_SHIFTS_SHOWN,
        unclaimed=True,
    )
    mine = my_shifts_page(session, who=who, now=now, limit=MY_SHIFTS_SHOWN)
    return build_home(
        signups=mine.signups,
        more_signups=mine.total - len(mine.signups),
        stats=personal_stats(session, who=who, today=local_date(now, tz)),
        progress=state_progress(
            session,
            team_id=who.team_id,
            state=home,
            day=local_date(now, state_timezone(session, team_id=who.team_id, code=home)),
        )
        if home
        else None,
        open_shifts=listing.shifts,
        more_open=listing.total - len(listing.shifts),
        note=note,
        lang=lang or language(language_of(session, who)),
    )


def publish(client: WebClient, user_id: str, view: dict[str, Any]) -> Missed | None:
    """Publish `view` as `user_id`'s tab; what Slack did not take, if anything."""
    try:
        client.views_publish(user_id=user_id, view=view)
    except Exception as error:
        missed = missed_redraw(user_id, error)
        logger.warning("the App Home of %s could not be published: %s", user_id, missed.problem)
        return missed
    return None


def publish_home(
    deps: Deps, client: WebClient, who: Member, view: dict[str, Any], drawn_at: datetime
) -> None:
    """Publish a tab drawn from how things stood at `drawn_at`; if Slack does not take it (and
    retrying can help), it is owed and the scheduler publishes a fresh one."""
    user_id, team_id = who.user_id, who.team_id
    missed = publish(client, user_id, view)
    now = deps.clock()
    if missed is not None:
        if not missed.permanent:
            with deps.session() as session:
                owe_redraw(
                    session,
                    team_id=team_id,
                    kind=DeliveryKind.HOME,
                    target=user_id,
                    key=HOME_KEY,
                    now=now,
                    error=missed.error,
                    expires_at=now + HOME_USEFUL_FOR,
                )
        return
    with deps.read_session() as session:
        owed_before = redraws_owed(
            session, team_id=team_id, kind=DeliveryKind.HOME, key=HOME_KEY, target=user_id
        )
    if owed_before:
        with deps.session() as session:
            settle_redraw(
                session,
                team_id=team_id,
                kind=DeliveryKind.HOME,
                key=HOME_KEY,
                target=user_id,
                drawn_at=drawn_at,
                now=now,
            )


def retry_home(deps: Deps, client: WebClient, delivery_id: int, now: datetime) -> Delivered | None:
    """A scheduler tick's retry of an owed tab: the person's tab as it stands now, published
    (None when someone else has it, or it is not due)."""
    with deps.session() as session:
        row = session.get(Delivery, delivery_id, populate_existing=True)
        if row is None:
            return None
        user_id, who = row.target, Member(row.team_id, row.target)
        claim = take(session, row, now)
        if claim is None:
            return None
    with deps.read_session() as session:
        view = draw_home(session, who=who, now=now)
    missed = publish(client, user_id, view)
    if missed is not None:
        return failed_try(deps, claim, missed.error, missed.problem, permanent=missed.permanent)
    with deps.session() as session:
        finish_redraw(session, claim=claim, now=deps.clock())
    return Delivered(Fate.SENT, channel=user_id)
