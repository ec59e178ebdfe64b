"""The scheduled posts in Spanish, as a state's channel, a volunteer and a coordinator read them:
a state channel's posts follow `/turnout language STATE es`, a DM its recipient's language,
whoever else reads English; and a language chosen between two tries never posts twice. The App
Home tab is in the language of whoever looks at it."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from bot.blocks import actions as act
from bot.blocks.charts import weekly_labels
from bot.blocks.common import actions, button
from bot.i18n import ENGLISH, SPANISH
from bot.localslack.reading import buttons, message_text
from bot.localslack.webapi import Message
from bot.models import Delivery, DeliveryKind, ShiftKind, SignupStatus
from bot.services.digests import weekly_digest
from bot.slack import uploads
from jobs.runner import run_due
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM
from tests.fastbot import slack_down, slack_up
from tests.handlers.test_languages import spanish_speaker
from tests.jobs.test_schedule import local, setup, tick


def spanish_channel(bot: Bot) -> None:
    setup(bot)
    assert "Spanish" in bot.command("/turnout", "language IA es", user="UCOORD").text


def test_the_morning_post_is_in_the_states_language(bot: Bot) -> None:
    spanish_channel(bot)
    bot.clock.now = local("2026-11-22T18:00")
    bot.command("/turnout", "goal IA 2000 doors daily", user="UCOORD")
    bot.command("/log", "1500 doors", channel="CIOWA")
    tick(bot, local("2026-11-23T09:00"))
    (post,) = bot.slack.posts_in("CIOWA")
    assert "Todavía no hay turnos para hoy ni mañana. Si coordinas: `/turnout shift add`." in message_text(
        post
    )
    with bot.deps.session() as session:
        shift_id = make.shift(session, local("2026-11-23T09:00"), days_ahead=1)
    bot.command("/turnout", "digest IA morning", user="UCOORD")  # brought up to date in place
    text = message_text(post)
    assert post.text == "Buenos días, Iowa: las metas y los turnos de hoy"
    assert text.startswith(":sunrise: ¡Buenos días, Iowa!\n*Metas de hoy*\n")
    # Yesterday's day and numbers as Spanish writes them: four digits ungrouped, `75 %`.
    assert "*Ayer* (dom 22 nov)\n`▓▓▓▓▓▓▓░░░ 75\xa0%` 1500 / 2000 puertas" in text
    # The shift's card, drawn by the shifts module in the post's language, with its Claim button.
    assert "*Turnos que todavía necesitan gente*" in text and "mar 24 nov · 10:00–13:00 CST" in text
    assert f"#{shift_id}" in text and "[Tomar]" in text


def test_the_evening_post_cheers_in_spanish(bot: Bot) -> None:
    spanish_channel(bot)
    for day in (20, 21, 22):
        bot.clock.now = local(f"2026-11-{day}T12:00")
        bot.command("/log", "10 doors 2 convos", channel="CIOWA")
    tick(bot, local("2026-11-22T20:00"))
    (post,) = bot.slack.posts_in("CIOWA")
    text = message_text(post)
    assert text.startswith(":crescent_moon: Iowa hoy\n")
    assert "*Quienes más hicieron hoy*\n1. ana — 12 contactos (2 conversaciones)" in text
    assert ":fire: ¡<@UVOL1> lleva una racha de 3 días!" in text
    assert ":busts_in_silhouette: 1 persona anotó hoy · `/log` para sumar lo tuyo" in text


def test_dms_follow_their_recipient_and_the_call_for_cover_each_of_its_readers(bot: Bot) -> None:
    """The channel reads Spanish, Ana reads Spanish, Bo and the host read English: each copy of
    the at-risk post is in its reader's language, and stays so when it is redrawn."""
    spanish_channel(bot)
    ana = spanish_speaker(bot)
    for user_id in ("UBO", "UHOST", "UCAL"):
        bot.slack.add_person(user_id, user_id.lower())
    with bot.deps.session() as session:
        make.volunteer(session, "UHOST", bot.clock())
        shift_id = make.shift(session, bot.clock(), days_ahead=1, capacity=3, start=time(10), host="UHOST")
    bot.command("/claim", str(shift_id), user=ana)
    bot.command("/claim", str(shift_id), user="UBO")
    tick(bot, local("2026-11-23T08:00"))  # two hours before the 10:00 shift
    (to_ana,) = bot.slack.dms_to(ana)
    assert to_ana.text == (
        f":alarm_clock: Recordatorio: el turno #{shift_id} empieza pronto (lun 23 nov · 10:00–13:00 CST)."
    )
    (to_bo,) = bot.slack.dms_to("UBO")
    assert to_bo.text.startswith(
        f":alarm_clock: Reminder: shift #{shift_id} starts soon (Mon Nov 23 · 10:00 AM"
    )
    (in_channel,) = [m for m in bot.slack.posts_in("CIOWA") if f"#{shift_id}" in m.text]
    assert in_channel.text == (
        f":warning: El turno #{shift_id} empieza pronto y hace falta cubrirlo: 1 plaza libre, 2 sin confirmar."
    )
    assert in_channel.blocks[1]["accessory"]["text"]["text"] == "Cubrir este turno"
    (to_host,) = [m for m in bot.slack.dms_to("UHOST") if "cover" in m.text]
    assert "needs cover: 1 open place, 2 not confirmed." in to_host.text
    bot.click(in_channel, act.CLAIM, user="UCAL")  # the last place is taken: both redrawn
    assert in_channel.text.startswith(
        f":warning: El turno #{shift_id} empieza pronto y hace falta cubrirlo: 3 sin"
    )
    assert "needs cover: 3 not confirmed." in to_host.text


def test_a_spanish_speaker_is_asked_the_day_before_and_after_in_spanish(bot: Bot) -> None:
    setup(bot)  # the channel stays English: DMs do not follow it
    ana = spanish_speaker(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1, start=time(10), hours=3)
    bot.command("/claim", str(shift_id), user=ana)
    tick(bot, local("2026-11-22T11:00"))
    (day_before,) = bot.slack.dms_to(ana)
    assert day_before.text == f":calendar: Mañana: turno #{shift_id}. ¿Todavía puedes ir?"
    assert [b["text"]["text"] for b in day_before.blocks[-1]["elements"]] == ["Confirmar", "No puedo ir"]
    tick(bot, local("2026-11-23T14:00"))  # an hour after the 13:00 end
    after = bot.slack.dms_to(ana)[-1]
    assert after.text.startswith(f":wave: ¿Qué tal el turno #{shift_id}? Anota tus puertas")
    assert after.blocks[-1]["elements"][0]["text"]["text"] == "Anotar contactos"


def test_a_spanish_coordinator_gets_the_weekly_digest_and_its_chart_in_spanish(bot: Bot) -> None:
    setup(bot)
    bot.slack.add_person("UCOORD", "coord", locale="es-LA")
    bot.command("/turnout", "language es", user="UCOORD")
    bot.clock.now = local("2026-11-16T07:00")
    bot.command("/turnout", "goal IA 20 doors daily", user="UCOORD")
    with bot.deps.session() as session:
        shift_id = make.shift(session, local("2026-11-16T07:00"), days_ahead=2, capacity=4)
        make.signup(session, shift_id, "UVOL1", bot.clock(), SignupStatus.NO_SHOW)
    bot.clock.now = local("2026-11-20T12:00")
    bot.command("/log", "25 doors", channel="CIOWA")
    tick(bot, local("2026-11-23T08:00"))
    (dm,) = bot.slack.dms_to("UCOORD")
    text = message_text(dm)
    assert dm.text == ":bar_chart: Iowa, semana del 16 nov–22 nov"
    assert "*Cobertura:* 25\xa0% (1/4 plazas en 1 turno)\n*Ausencias:* 1 (ana)" in text
    assert "*Total de la semana:* 25 puertas" in text and "25 / 140 puertas" in text
    (chart,) = bot.slack.uploads
    assert chart["title"] == dm.text and chart["filename"] == "ia-2026-W47.png"  # the name is kept


def test_the_weekly_charts_labels_are_in_its_readers_language(bot: Bot) -> None:
    setup(bot)
    with bot.deps.read_session() as session:
        digest = weekly_digest(session, team_id=TEAM, state="IA", last=date(2026, 11, 22))
    spanish, english = weekly_labels(digest, SPANISH), weekly_labels(digest, ENGLISH)
    assert spanish.title == "IA: contactos por día, del 2026-11-16 al 2026-11-22"
    assert spanish.days[0] == "lun\n16" and spanish.days[-1] == "dom\n22"
    assert (spanish.contacts, spanish.goal) == ("contactos", "meta")
    assert english.title == "IA: contacts per day, 2026-11-16 to 2026-11-22"
    assert english.days[0] == "Mon\n16" and (english.contacts, english.goal) == ("contacts", "goal")


def test_a_retried_chart_is_drawn_in_the_language_of_its_digest(
    fast_bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = fast_bot
    setup(bot)
    bot.slack.add_person("UCOORD", "coord", locale="es-LA")
    bot.command("/turnout", "language es", user="UCOORD")
    drawn: list[str] = []
    real = uploads.weekly_chart
    monkeypatch.setattr(
        uploads, "weekly_chart", lambda digest, lang: drawn.append(lang.code) or real(digest, lang)
    )
    slack_down(bot, "files.getUploadURLExternal")
    bot.clock.now = local("2026-11-23T08:00")
    run_due(bot.deps, bot.clock())
    assert bot.slack.uploads == [] and len(bot.slack.dms_to("UCOORD")) == 1
    with bot.deps.read_session() as session:
        (chart,) = session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.WEEKLY_CHART)).all()
    assert json.loads(chart.payload or "{}")["lang"] == "es"
    slack_up(bot)
    bot.clock.now = local("2026-11-23T08:05")
    run_due(bot.deps, bot.clock())
    assert len(bot.slack.uploads) == 1 and drawn == ["es"]


def test_a_language_chosen_between_two_tries_does_not_post_twice(fast_bot: Bot) -> None:
    """The delivery's key is the post's kind, channel and day, never its language."""
    bot = fast_bot
    setup(bot)
    slack_down(bot)
    tick(bot, local("2026-11-24T09:00"))
    assert bot.slack.posts_in("CIOWA") == []
    slack_up(bot)
    bot.command("/turnout", "language IA es", user="UCOORD")
    for minutes in (1, 2, 5, 10, 30):
        tick(bot, local("2026-11-24T09:00") + timedelta(minutes=minutes))
    bot.command("/turnout", "digest IA morning", user="UCOORD")  # brought up to date, in Spanish
    (post,) = bot.slack.posts_in("CIOWA")
    assert post.text == "Buenos días, Iowa: las metas y los turnos de hoy"


def test_a_step_up_names_the_kind_of_shift_in_spanish(bot: Bot) -> None:
    from bot.blocks.digests import step_up_cheer
    from bot.services.engagement import Rung, StepUp

    up = StepUp(user_id="UANA", rung=Rung.HOST, kind=ShiftKind.PHONEBANK)
    assert (
        step_up_cheer(up, "IA", SPANISH)
        == ":house_with_garden: ¡<@UANA> organizó su primer turno de banco de llamadas!"
    )
    assert step_up_cheer(up, "IA", ENGLISH) == ":house_with_garden: <@UANA> hosted their first phone bank!"


def test_schedule_and_digest_answer_a_spanish_coordinator_in_spanish(bot: Bot) -> None:
    setup(bot)
    bot.slack.add_person("UCOORD", "coord", locale="es-LA")
    bot.command("/turnout", "language es", user="UCOORD")
    bot.clock.now = local("2026-11-22T12:00")
    shown = bot.command("/turnout", "schedule IA", user="UCOORD").text
    assert shown.startswith("*Iowa publica en la hora de America/Chicago*\n")
    assert "• `morning` 09:00 todos los días — próxima: lun 23 nov 09:00 CST" in shown
    assert "• `weekly` 08:00 los lunes — próxima: lun 23 nov 08:00 CST" in shown
    wrong = bot.command("/turnout", "schedule IA reminders 08:00", user="UCOORD").text
    assert wrong.startswith("`reminders` va según cada turno. Publicaciones con hora:")
    late = bot.command("/turnout", "schedule IA morning 25:00", user="UCOORD").text
    assert late.startswith("`25:00` no es una hora.")
    posted = bot.command("/turnout", "digest IA evening", user="UCOORD").text
    assert posted == "Publiqué el resumen de la tarde de IA en <#CIOWA>."
    (post,) = bot.slack.posts_in("CIOWA")
    assert post.text.startswith("Iowa today: ")  # the channel's language is English still


def home_text(bot: Bot, user: str) -> str:
    return message_text(Message("", "", "", bot.slack.home_views[user]["blocks"]))


def test_the_home_tab_is_in_its_viewers_language(bot: Bot) -> None:
    setup(bot)
    ana = spanish_speaker(bot)
    bot.driver.event({"type": "app_home_opened", "user": ana, "tab": "home", "channel": f"D{ana}"})
    text = home_text(bot, ana)
    assert text.startswith(
        "Tu Turnout\n[Anotar contactos]\n[Buscar turnos]\n*Tus próximos turnos*\n"
        "Ninguno todavía. *Buscar turnos* aquí abajo, o `/shifts`."
    )
    assert "*Tu impacto*\nHoy: nada todavía\nEsta semana: nada todavía\nEn total: nada todavía" in text
    assert "Anota algo hoy para empezar una racha · 0 turnos cumplidos" in text
    assert "Elige tu estado con `/turnout home ST` para ver aquí cómo va." in text
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1)
    bot.command("/claim", str(shift_id), user=ana)
    bot.command("/log", "1200 doors", user=ana, channel="CIOWA")
    bot.driver.event({"type": "app_home_opened", "user": ana, "tab": "home", "channel": f"D{ana}"})
    home = bot.slack.home_views[ana]
    labels = [b["text"]["text"] for b in buttons(Message("", "", "", home["blocks"]))]
    assert labels == ["Anotar contactos", "Buscar turnos", "Confirmar", "Liberar"]
    assert "Hoy: 1200 puertas" in home_text(bot, ana) and "racha de 1 día" in home_text(bot, ana)
    stale = {"blocks": [actions(button("x", act.HOME_CONFIRM, "not-a-shift"))]}
    bot.driver.click_view(stale, act.HOME_CONFIRM, user=ana)
    assert home_text(bot, ana).startswith(
        "Tu Turnout\n:warning: No puedo leer ese botón. Aquí tienes tu pestaña de inicio, actualizada."
    )
