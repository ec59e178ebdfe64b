"""Setting up and the ladder, as a Spanish-speaking coordinator and volunteers read them: the
replies follow whoever acts, a DM its recipient, and a leads channel its state's language."""

from __future__ import annotations

import copy
from datetime import time

import sqlalchemy as sa

from bot.blocks import actions as act
from bot.localslack.reading import message_text
from bot.models import SignupStatus, State
from bot.services.shifts import mark_attendance
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def reads_spanish(bot: Bot, *users: str) -> None:
    with bot.deps.session() as session:
        for user in users:
            make.volunteer(session, user, bot.clock())
            session.execute(sa.text(f"UPDATE volunteer SET language = 'es' WHERE id = '{user}'"))


def iowa(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
        session.add(row)


def missed(bot: Bot, user: str, *days_ago: int) -> None:
    with bot.deps.session() as session:
        for n, days in enumerate(days_ago):
            shift_id = make.shift(session, bot.clock(), days_ahead=-days, start=time(8 + n))
            signup_id = make.signup(session, shift_id, user, bot.clock())
            mark_attendance(
                session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.NO_SHOW, now=bot.clock()
            )


def test_a_spanish_speaking_coordinator_sets_up_iowa_in_spanish(bot: Bot) -> None:
    iowa(bot)
    reads_spanish(bot, "UCOORD")
    say = lambda text: bot.command("/turnout", text, user="UCOORD", channel="CIOWA").text  # noqa: E731
    assert say("cutoff IA 1.5") == (
        "En IA, las personas voluntarias pueden liberar un turno por su cuenta hasta 1,5 horas antes de que empiece."
    )
    assert "hasta 1 hora antes" in say("cutoff IA 1")
    assert say("noshow IA 1").startswith(
        "En Iowa, los turnos que toman personas voluntarias con 1 o más ausencias"
    )
    assert say("require IA canvass training").startswith(
        "Los turnos de tocar puertas en Iowa ahora requieren una capacitación antes"
    )
    assert say("require IA") == "En Iowa, los turnos de tocar puertas requieren una capacitación antes."
    assert say("goal IA 1234 puertas daily") == "Meta de Iowa para cada día (meta fija): 1234 puertas."
    assert say("people IA bogus") == (
        "`bogus` no es uno de new, ready, lapsed, hosts o noshows.\n"
        "Uso: `/turnout people ESTADO [new|ready|lapsed|hosts|noshows]`, p. ej. `/turnout people IA ready`"
    )
    assert (
        say("cutoff NH 3")
        == "Solo un admin puede cambiar el límite para liberar turnos en NH (nadie coordina NH todavía)."
    )
    assert (
        say("host @nadie IA")
        == "No encuentro a nadie llamado @nadie. Elige a la persona del autocompletado de Slack."
    )
    assert (
        say("frobnicate") == "No conozco `/turnout frobnicate`. `/turnout help` muestra lo que puedes hacer."
    )
    assert "*Como coordinador/a (IA)*" in say("help")
    assert "`/log 40 puertas 6 conversaciones`" in say("help")  # the reader's own words first


def test_people_reads_in_spanish_with_spanish_days(bot: Bot) -> None:
    iowa(bot)
    reads_spanish(bot, "UCOORD")
    with bot.deps.session() as session:
        for n, days in enumerate((9, 6, 3)):
            shift_id = make.shift(session, bot.clock(), days_ahead=-days, start=time(8 + n))
            signup_id = make.signup(session, shift_id, "UVOL1", bot.clock())
            mark_attendance(
                session, actor=make.ADMIN, signup_id=signup_id, status=SignupStatus.ATTENDED, now=bot.clock()
            )
    overview = bot.command("/turnout", "people IA", user="UCOORD", channel="CIOWA").reply
    assert "*Listas para organizar* (1)" in message_text(overview)
    listed = bot.click(overview, act.PEOPLE_SEGMENT, user="UCOORD", value="people:IA:ready").text
    assert "Iowa · Listas para organizar" in listed
    assert (
        "<@UVOL1> · :muscle: habitual · 3 turnos cumplidos · último turno #3 el jue 19 nov · 0 contactos"
        in listed
    )
    assert "Personas 1–1 de 1" in listed


def test_a_held_claim_speaks_to_each_in_their_own_language(bot: Bot) -> None:
    """The host reads Spanish, the volunteer English; then a volunteer reads Spanish."""
    iowa(bot)
    reads_spanish(bot, "UVOL5")
    bot.command("/turnout", "noshow IA 2", user="UCOORD")
    missed(bot, "UVOL1", 20, 10)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=3, host="UVOL5")
    bot.command("/claim", str(shift_id))
    (notice,) = bot.slack.dms_to("UVOL5")
    assert notice.text == (
        f":raised_hand: <@UVOL1> tomó el turno #{shift_id}. Su lugar espera a que lo aceptes: "
        "2 ausencias en IA en los últimos 60 días."
    )
    stale = copy.deepcopy(notice)
    accepted = bot.click(notice, act.ACCEPT, user="UVOL5")
    assert accepted.text.startswith(f"Aceptado por <@UVOL5>: <@UVOL1> está en el turno #{shift_id}.")
    (told,) = bot.slack.dms_to("UVOL1")
    assert "was accepted: you're on it" in told.text  # the volunteer reads English
    assert "ya estaba resuelto (tomado)" in bot.click(stale, act.ACCEPT, user="UVOL5").text


def test_the_leads_channel_reads_its_states_language_and_a_dm_its_recipients(bot: Bot) -> None:
    iowa(bot)
    reads_spanish(bot, "UVOL2")
    with bot.deps.session() as session:
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.leads_channel_id, state.noshow_limit, state.language = "CRANDOM", 1, "es"
        session.add(state)
        shift_id = make.shift(session, bot.clock(), days_ahead=3)
    missed(bot, "UVOL1", 5)
    bot.command("/claim", str(shift_id))
    (notice,) = [m for m in bot.slack.posts_in("CRANDOM") if f"#{shift_id}" in m.text]
    assert "1 ausencia en IA en los últimos 60 días" in notice.text
    assert "trusted host in IA" in bot.command("/turnout", "host <@UVOL2> IA", user="UCOORD").text
    (news,) = bot.slack.dms_to("UVOL2")
    assert news.text.startswith(":star2: Ahora organizas con confianza en Iowa")


def test_the_shift_tools_help_and_the_schedule_refusal_read_in_spanish(bot: Bot) -> None:
    iowa(bot)
    reads_spanish(bot, "UVOL1")
    say = lambda text: bot.command("/turnout", text, user="UVOL1", channel="CIOWA").text  # noqa: E731
    shift_help = say("shift help")
    assert shift_help.startswith("*/turnout shift*: Crea un turno (con un formulario o en una línea)")
    assert (
        "\nO: `/turnout shift cancel ID [MOTIVO…]`, p. ej. `/turnout shift cancel 12 cerró el local`"
        in shift_help
    )
    assert say("roster help").startswith("*/turnout roster*: Muestra quién está en un turno")
    assert say("proposals help").startswith("*/turnout proposals*: Muestra las propuestas de `/host`")
    assert say("schedule IA").endswith("ver el horario de las publicaciones de IA.")
    assert say("digest IA").endswith("publicar el resumen de IA.")


def test_a_held_claim_accepted_on_the_roster_redraws_it_in_the_hosts_language(bot: Bot) -> None:
    iowa(bot)
    reads_spanish(bot, "UHOST", "UVOL1")
    missed(bot, "UVOL1", 20, 10)
    bot.command("/turnout", "noshow IA 2", user="UCOORD", channel="CIOWA")
    with bot.deps.session() as session:
        hosted = make.shift(session, bot.clock(), days_ahead=3, host="UHOST")
    bot.command("/claim", str(hosted), user="UVOL1")
    shown = bot.command("/turnout", f"roster {hosted}", user="UHOST", channel="CIOWA").reply
    redrawn = message_text(bot.click(shown, act.ACCEPT, user="UHOST").reply)
    assert redrawn.startswith(
        f"Aceptado por <@UHOST>: <@UVOL1> está en el turno #{hosted}.\nLista del turno #{hosted}\n"
    )
    assert "<@UVOL1> — :white_circle: tomado, sin confirmar · :warning: 2+ ausencias en 60 días" in redrawn
