"""Hosting's messages and forms stay inside Slack's limits at their largest, and show what
people typed as text."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from bot.blocks.hosting import (
    build_decision_dm,
    build_decline_done,
    build_decline_form,
    build_host_form,
    build_proposal,
    build_proposals,
)
from bot.localslack.limits import MAX_MESSAGE_BLOCKS, check_message, check_view
from bot.models import ShiftKind, ShiftStatus
from bot.services.hosting import PROPOSALS_PAGE, Proposal, ProposalPage
from bot.services.places import PLACES
from bot.services.shifts import MAX_LOCATION, MAX_NOTES, ShiftView
from tests.factories import TEAM

SNEAKY = "<!channel> & <@U0SNEAKY1> "
START = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def largest(shift_id: int, status: ShiftStatus = ShiftStatus.PROPOSED) -> Proposal:
    shift = ShiftView(
        team_id=TEAM,
        id=2**31 - 1 - shift_id,
        state="NH",
        kind=ShiftKind.PHONEBANK,
        starts_at=START,
        ends_at=START + timedelta(hours=3),
        timezone="America/New_York",
        location=(SNEAKY * 40)[:MAX_LOCATION],
        notes=(SNEAKY * 100)[:MAX_NOTES],
        capacity=500,
        held=499,
        waiting=9999,
        status=status,
        host_id="U0HOST0001",
    )
    decided = status != ShiftStatus.PROPOSED
    return Proposal(
        shift=shift,
        host_id="U0HOST0001",
        attended=9999,
        hosted=999,
        decided_by="U0COORD001" if decided else None,
        decided_at=START - timedelta(days=1) if decided else None,
        reason=(SNEAKY * 20)[:300] if status == ShiftStatus.DECLINED else "",
    )


def assert_inert(payload: object) -> None:
    shown = json.dumps(payload)
    assert "<!channel>" not in shown and "<@U0SNEAKY1>" not in shown


def test_a_full_page_of_the_largest_proposals_fits_one_message() -> None:
    page = ProposalPage([largest(n) for n in range(PROPOSALS_PAGE)], "NH", 10, 10_000)
    reply = build_proposals(page)
    assert check_message(reply.text, reply.blocks, require_text=True) == []
    assert len(reply.blocks) <= MAX_MESSAGE_BLOCKS - 1  # room for the note a click puts on top
    assert_inert(reply.blocks)


def test_a_proposal_and_its_decisions_fit_and_show_typed_text_as_text() -> None:
    for status in (ShiftStatus.PROPOSED, ShiftStatus.OPEN, ShiftStatus.DECLINED, ShiftStatus.CANCELLED):
        proposal = largest(1, status)
        for reply in (build_proposal(proposal), build_decision_dm(proposal, "CNH")):
            assert check_message(reply.text, reply.blocks, require_text=True) == []
            assert_inert([reply.text, reply.blocks])
    declined = build_decision_dm(largest(1, ShiftStatus.DECLINED), None)
    assert "*Why:* &lt;!channel&gt; &amp; &lt;@U0SNEAKY1&gt;" in json.dumps(declined.blocks)


def test_the_host_and_decline_forms_are_views_slack_takes() -> None:
    states = sorted(PLACES, key=lambda code: PLACES[code].name)
    check_view(build_host_form(states, date(2026, 11, 28), "NH"))
    check_view(build_host_form(states, date(2026, 11, 28), None))
    form = build_decline_form(largest(1))
    check_view(form)
    assert_inert(form)
    check_view(build_decline_done("x" * 3000))
