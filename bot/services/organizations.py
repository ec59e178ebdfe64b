"""The coalition's organizations: one per Slack workspace, and the name each goes by.

A workspace becomes an organization when it installs Turnout (or, with one workspace, when
Turnout starts and Slack says whose token it holds), named as Slack names the workspace. A
workspace admin may give it the name the coalition knows it by (`/turnout org NAME`); that name
is then the organization's own, and later installs or starts do not overwrite it.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import Organization
from bot.services.errors import Refused
from bot.services.roles import Actor, require_admin

# As long as a name may be: a coalition partner's full name fits ("Movimiento Cosecha de
# Iowa City"), a paragraph does not.
NAME_MOST = 80


def seen(
    session: Session, *, team_id: str, name: str, now: datetime, enterprise_id: str | None = None
) -> Organization:
    """Record that Turnout is installed in workspace `team_id`, which Slack calls `name`: a new
    organization, or one installed again (its history and any name it chose are kept)."""
    org = session.get(Organization, team_id)
    if org is None:
        org = Organization(
            team_id=team_id,
            enterprise_id=enterprise_id,
            name=_clean(name),
            installed_at=now,
            created_at=now,
        )
        session.add(org)
        return org
    if org.uninstalled_at is not None:
        org.installed_at, org.uninstalled_at = now, None
    if org.name_set_by is None and _clean(name):
        org.name = _clean(name)
    org.enterprise_id = enterprise_id or org.enterprise_id
    session.add(org)
    return org


def uninstalled(session: Session, *, team_id: str, now: datetime) -> None:
    """Workspace `team_id` removed Turnout: its organization stays, marked so."""
    org = session.get(Organization, team_id)
    if org is not None and org.uninstalled_at is None:
        org.uninstalled_at = now
        session.add(org)


def rename(session: Session, *, actor: Actor, team_id: str, name: str, now: datetime) -> Organization:
    """A workspace admin names their own organization; the name is kept from then on."""
    require_admin(actor, N_("rename this organization"))
    cleaned = _clean(name)
    if not cleaned:
        raise Refused(N_("Give the organization a name, e.g. `/turnout org Sunrise Iowa`."))
    if len(cleaned) > NAME_MOST:
        raise Refused(
            N_("That name is {length} characters long; an organization's name can have at most {most}."),
            length=len(cleaned),
            most=NAME_MOST,
        )
    org = session.get(Organization, team_id)
    if org is None:  # a workspace Turnout was never told of at start or install
        org = Organization(team_id=team_id, installed_at=now, created_at=now)
    org.name, org.name_set_by = cleaned, actor.user_id
    session.add(org)
    return org


def name_of(session: Session, team_id: str) -> str | None:
    """The organization's name, or None when the workspace has none yet."""
    org = session.get(Organization, team_id)
    return org.name if org is not None and org.name else None


def org_names(session: Session, team_ids: list[str]) -> dict[str, str]:
    """The names of the organizations in `team_ids` that have one."""
    rows = session.exec(
        select(Organization.team_id, Organization.name).where(col(Organization.team_id).in_(team_ids))
    )
    return {team: name for team, name in rows if name}


def _clean(name: str) -> str:
    """`name` on one line, its runs of spaces and any control characters (newlines, tabs, the
    invisible ones) made single spaces."""
    printable = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in name)
    return " ".join(printable.split())
