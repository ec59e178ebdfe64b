"""Each workspace is an organization of the coalition, named as Slack names the workspace until
its admins give it the name the coalition knows it by (`/turnout org NAME`)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.models import Organization
from bot.services.organizations import seen
from bot.services.people import Profile, sync_volunteer
from tests.conftest import SUNRISE, Bot, Coalition
from tests.factories import TEAM


def organization(bot: Bot, team_id: str) -> Organization | None:
    with bot.deps.read_session() as session:
        return session.get(Organization, team_id)


def test_installing_makes_the_workspace_an_organization_named_as_slack_names_it(coalition: Coalition) -> None:
    bot = coalition.bot
    org = organization(bot, SUNRISE)
    assert org is not None
    assert (org.name, org.name_set_by, org.uninstalled_at) == ("Sunrise", None, None)
    shown = bot.command("/turnout", "org", user="USUNBEN", channel="CSUNIA")
    assert "This organization is *Sunrise* in the coalition's numbers." in shown.text


def test_a_chosen_name_outlives_reinstalls_and_an_uninstall_keeps_the_organization(
    coalition: Coalition,
) -> None:
    bot = coalition.bot
    renamed = bot.command("/turnout", "org Sunrise Movement Iowa", user="USUNSAM", channel="CSUNIA")
    assert "Done: this organization is *Sunrise Movement Iowa*" in renamed.text
    bot.clock.advance(days=1)
    bot.driver.uninstall(SUNRISE)
    gone = organization(bot, SUNRISE)
    assert gone is not None and gone.uninstalled_at == bot.clock()
    bot.clock.advance(days=1)
    assert bot.driver.install(SUNRISE).status == 200
    back = organization(bot, SUNRISE)
    assert back is not None
    assert (back.name, back.name_set_by, back.uninstalled_at) == ("Sunrise Movement Iowa", "USUNSAM", None)
    assert back.installed_at == bot.clock()


def unnamed(bot: Bot) -> bool:
    """The workspace's organization is as Turnout found it: no name given with `/turnout org`."""
    org = organization(bot, TEAM)
    return org is not None and org.name == "" and org.name_set_by is None


def test_only_an_admin_renames_and_a_refusal_changes_nothing(bot: Bot) -> None:
    refused = bot.command("/turnout", "org Not Ours", user="UVOL1")
    assert "Only a Turnout admin can rename this organization" in refused.text
    assert unnamed(bot)
    shown = bot.command("/turnout", "org", user="UVOL1")
    assert "This organization has no name in Turnout yet" in shown.text


def test_a_name_is_one_line_of_at_most_80_characters_and_shown_escaped(bot: Bot) -> None:
    too_long = bot.command("/turnout", "org " + "x" * 81, user="UADMIN")
    assert "That name is 81 characters long; an organization's name can have at most 80." in too_long.text
    assert unnamed(bot)
    bot.command("/turnout", "org  <!channel>   &\tFriends\u200b ", user="UADMIN")
    org = organization(bot, TEAM)
    assert org is not None and org.name == "<!channel> & Friends"
    shown = bot.command("/turnout", "org", user="UVOL1").text
    assert "*&lt;!channel&gt; &amp; Friends*" in shown and "<!channel>" not in shown


def test_starting_again_names_it_from_slack_but_never_over_a_chosen_name(bot: Bot) -> None:
    now = bot.clock()
    with bot.deps.session() as session:
        seen(session, team_id=TEAM, name="Turnout Local", now=now)
    with bot.deps.session() as session:
        seen(session, team_id=TEAM, name="Turnout Local Renamed In Slack", now=now)
    org = organization(bot, TEAM)
    assert org is not None and org.name == "Turnout Local Renamed In Slack"
    bot.command("/turnout", "org Our Own Name", user="UADMIN")
    with bot.deps.session() as session:
        seen(session, team_id=TEAM, name="Something Else", now=now)
    org = organization(bot, TEAM)
    assert org is not None and org.name == "Our Own Name"


def test_org_answers_a_spanish_speaker_in_spanish(bot: Bot) -> None:
    bot.slack.add_person("UANA", "ana", locale="es-LA")
    with bot.deps.session() as session:
        sync_volunteer(
            session, profile=Profile(TEAM, "UANA", display_name="ana", locale="es-LA"), now=bot.clock()
        )
        seen(session, team_id=TEAM, name="Turnout Local", now=bot.clock())
    shown = bot.command("/turnout", "org", user="UANA").text
    assert "Esta organización aparece como *Turnout Local* en los números de la coalición." in shown
    helped = bot.command("/turnout", "org help", user="UANA").text
    assert "Uso: `/turnout org [NOMBRE]`" in helped


def test_the_organization_table_has_one_row_per_workspace(bot: Bot) -> None:
    with bot.deps.session() as session:
        seen(session, team_id=TEAM, name="Turnout Local", now=bot.clock())
        seen(session, team_id=TEAM, name="Turnout Local", now=bot.clock())
    with bot.deps.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM organization")).scalar() == 1
