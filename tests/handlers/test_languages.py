"""Spanish, as a Spanish-speaking volunteer meets it: their Slack language (or
`/turnout language es`) decides what `/log`, `/stats` and `/leaderboard` answer in; the words they
type may be Spanish; a state's channel language is the coordinators' to choose."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from bot.blocks import actions as act
from bot.models import State, Volunteer
from bot.services.people import Profile, languages_of, sync_volunteer
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM
from tests.handlers.forging import log_values, press, submit


def bind(bot: Bot, state: str = "IA", channel: str = "CIOWA") -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", state, bot.clock())
        row = session.get(State, (TEAM, state))
        assert row is not None
        row.channel_id = channel
        session.add(row)


def spanish_speaker(bot: Bot, user_id: str = "UANA", name: str = "ana") -> str:
    """Someone whose Slack is in Latin American Spanish, and whom Turnout already knows."""
    bot.slack.add_person(user_id, name, locale="es-LA")
    with bot.deps.session() as session:
        sync_volunteer(
            session, profile=Profile(TEAM, user_id, display_name=name, locale="es-LA"), now=bot.clock()
        )
    return user_id


def logged(bot: Bot) -> list[tuple[str, int, int]]:
    with bot.deps.read_session() as session:
        rows = session.execute(sa.text("SELECT volunteer_id, doors, convos FROM contactlog ORDER BY id"))
        return [(v, d, c) for v, d, c in rows]


def test_log_answers_a_spanish_speaker_in_spanish_and_takes_spanish_words(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    bot.command("/turnout", "goal IA 2000 doors daily", user="UCOORD")
    first = bot.command("/log", "40 puertas 6 conversaciones", user=ana, channel="CIOWA")
    assert "Anotado: 40 puertas · 6 conversaciones en Iowa. ¡Gracias!" in first.text, first.text
    second = bot.command("/log", "1200 puerta 1 simpatizante", user=ana, channel="CIOWA")
    # Four digits stay ungrouped in Spanish (CLDR), five are grouped with a point.
    assert "Tus totales de hoy: 1240 puertas · 6 conversaciones · 1 simpatizante" in second.text
    assert "`▓▓▓▓▓▓░░░░ 62\xa0%` 1240 / 2000 puertas" in second.text
    assert "*Iowa hoy, rumbo a la meta*" in second.text
    assert "¿Te equivocaste? `/log undo` borra tu último registro." in second.text
    assert logged(bot) == [(ana, 40, 6), (ana, 1200, 0)]


def test_log_help_and_mistakes_are_in_spanish_and_write_nothing(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    help_text = bot.command("/log", "help", user=ana).text
    assert help_text.startswith("*/log* anota lo que hiciste")
    assert "puertas (puerta); llamadas (llamada)" in help_text and "En inglés: doors, door" in help_text
    assert "Uso: `/log N MÉTRICA [N MÉTRICA …] [para ID]`" in help_text
    for text, expected in [
        (
            "40 panfletos",
            "`panfletos` no es una métrica. Métricas: puertas, llamadas, textos, conversaciones o simpatizantes.",
        ),
        ("0 puertas", "0 puertas está fuera de rango: un registro acepta de 1 a 2000 por métrica."),
        ("40 puertas 5 puertas", "puertas aparece dos veces"),
        ("puertas 40", "A `puertas` le falta un número antes, como `12 puertas`."),
        ("40 puertas para", "A `para` le falta el número de turno después, como `para 12`."),
        ("40 puertas para 999", "No existe el turno #999."),
        ("40 puertas para abc", "`abc` no es un número de turno."),
    ]:
        reply = bot.command("/log", text, user=ana, channel="CIOWA").text
        assert expected in reply, (text, reply)
        assert "Usage" not in reply
    assert "¿Para qué estado cuentan?" in bot.command("/log", "5 puertas", user=ana).text
    assert logged(bot) == []


def test_undo_in_spanish_names_the_day_as_spanish_writes_it(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    bot.command("/log", "12 llamadas", user=ana, channel="CIOWA")
    undone = bot.command("/log", "undo", user=ana).text
    assert (
        undone == "Borré tu registro de 12 llamadas en Iowa (22 nov). Tus totales de ese día: nada todavía."
    )
    again = bot.command("/log", "undo", user=ana).text
    assert again == "No tienes ningún registro de las últimas 24 horas para deshacer."


def test_stats_and_the_leaderboard_in_spanish(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    bot.command("/log", "12345 puertas", user=ana, channel="CIOWA")  # refused: over 2000
    bot.command("/log", "1500 puertas", user=ana, channel="CIOWA")
    mine = bot.command("/stats", "me", user=ana).text
    assert (
        "El impacto de ana" in mine and "*Hoy:* 1500 puertas" in mine and "*En total:* 1500 puertas" in mine
    )
    assert ":fire: racha de 1 día · 0 turnos cumplidos" in mine
    state = bot.command("/stats", "nueva york", user=ana).text
    assert "Nueva York hoy" in state and "Todavía no hay nada anotado hoy." in state
    iowa = bot.command("/stats", "IA", user=ana).text
    assert "1 persona anotó hoy" in iowa and "*Esta semana* (desde el lun 16 nov): 1500 puertas" in iowa
    board = bot.command("/leaderboard", "IA semana", user=ana).text
    assert "Ranking: Iowa, esta semana" in board and "*1500* contactos (0 conversaciones)" in board
    assert "Vas en el puesto #1. ¡Sigue así!" in board
    empty = bot.command("/leaderboard", "hoy NH", user=ana).text
    assert empty == (
        "Todavía no hay contactos anotados hoy en Nuevo Hampshire. Con `/log 10 puertas` entras al ranking."
    )
    assert "Ranking: Iowa, desde el inicio" in bot.command("/leaderboard", "todo IA", user=ana).text
    assert "No entiendo `mañana` aquí" in bot.command("/leaderboard", "mañana", user=ana).text
    assert "Uso: `/stats [me|ESTADO|coalition]`" in bot.command("/stats", "help", user=ana).text


def test_the_first_reply_to_someone_never_seen_is_english_then_their_slack_language(bot: Bot) -> None:
    """Turnout answers first and asks Slack who someone is afterwards (with `include_locale`), so
    only the very first reply to a newcomer can be in English."""
    bind(bot)
    bot.slack.add_person("ULUCIA", "lucia", locale="es-ES")
    first = bot.command("/log", "5 puertas", user="ULUCIA", channel="CIOWA")
    assert "Recorded 5 doors in Iowa" in first.text
    asked = [call.params for call in bot.slack.calls_to("users.info") if call.params.get("user") == "ULUCIA"]
    assert asked and all(str(params.get("include_locale")).lower() in ("1", "true") for params in asked)
    with bot.deps.read_session() as session:
        volunteer = session.get(Volunteer, (TEAM, "ULUCIA"))
        assert volunteer is not None and volunteer.locale == "es-ES"
    assert (
        "Anotado: 5 puertas en Iowa" in bot.command("/log", "5 puertas", user="ULUCIA", channel="CIOWA").text
    )


def test_turnout_language_chooses_over_slack_and_auto_follows_slack_again(bot: Bot) -> None:
    bind(bot)
    bot.slack.add_person("UVOL1", "sam", locale="en-US")
    bot.command("/turnout", "home IA")
    assert "You read Turnout in English, your Slack language." in bot.command("/turnout", "language").text
    chosen = bot.command("/turnout", "language español").text
    assert chosen.startswith("Listo: desde ahora Turnout te habla en español.")
    assert "Anotado: 3 textos en Iowa" in bot.command("/log", "3 texts").text
    assert "Lees Turnout en español, como elegiste." in bot.command("/turnout", "language").text
    back = bot.command("/turnout", "language auto").text
    assert back == "Done: Turnout follows your Slack language again (English for now)."
    assert "Recorded 3 texts in Iowa" in bot.command("/log", "3 texts").text
    assert "isn't a language Turnout speaks" in bot.command("/turnout", "language IA fr").text
    with bot.deps.read_session() as session:
        volunteer = session.get(Volunteer, (TEAM, "UVOL1"))
        assert volunteer is not None and volunteer.language is None


def test_a_chosen_language_holds_when_slack_is_asked_again_before_answering(bot: Bot) -> None:
    """A command that decides what someone may do asks Slack for their profile again when the
    stored one is over 10 minutes old; Slack knows their locale, never the language they chose."""
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    assert "español" in bot.command("/turnout", "language es", user="UCOORD").text
    bot.clock.advance(minutes=11)
    assert "Meta de Iowa" in bot.command("/turnout", "goal IA 200 doors", user="UCOORD").text
    bot.clock.advance(minutes=11)
    assert "Personas de Iowa" in bot.command("/turnout", "people IA", user="UCOORD").text


def test_a_states_channel_language_is_its_coordinators_to_choose(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    refused = bot.command("/turnout", "language IA es", user=ana).text
    assert refused == (
        "Solo quien coordina IA (<@UCOORD>) o un admin puede elegir el idioma de las publicaciones en el "
        "canal del estado."
    )
    nobody = bot.command("/turnout", "language NH es", user=ana).text
    assert (
        nobody.startswith("Solo un admin puede elegir el idioma") and "(nadie coordina NH todavía)" in nobody
    )
    english = bot.command("/turnout", "language IA es", user="UCOORD").text
    assert english == (
        "Posts in Iowa's channel will be in Spanish: its shifts' posts, the morning and evening posts, "
        "the calls to cover a shift, and the weekly digest if it goes to a leads channel."
    )
    shown = bot.command("/turnout", "language iowa", user=ana).text
    assert shown.startswith("Las publicaciones en el canal de Iowa están en español.")
    with bot.deps.read_session() as session:
        assert session.execute(sa.text("SELECT language FROM state WHERE code = 'IA'")).scalar_one() == "es"
        assert session.execute(sa.text("SELECT language FROM state WHERE code = 'NH'")).scalar() is None
    assert "Uso: `/turnout language [es|en|auto]`" in bot.command("/turnout", "language help", user=ana).text
    assert (
        "no es el código ni el nombre de un estado"
        in bot.command("/turnout", "language Narnia es", user=ana).text
    )


def test_the_log_form_opens_and_answers_in_the_readers_language(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    opened = bot.command("/log", "", user=ana, channel="CIOWA")
    view = opened.view
    assert view is not None and view["title"]["text"] == "Anotar contactos"
    assert [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"] == [
        "Puertas",
        "Llamadas",
        "Textos",
        "Conversaciones",
        "Simpatizantes",
    ]
    form = {**view, "id": "VFORMES1"}
    empty = submit(bot, form, log_values(), user=ana)
    assert empty.ack["errors"] == {"doors": "Escribe al menos una cantidad."}
    wrong = submit(bot, form, log_values(doors="٣"), user=ana)
    assert wrong.ack["errors"] == {"doors": "Eso no es una cantidad de puertas: usa dígitos del 0 al 9."}
    done = submit(bot, form, log_values(doors="30"), user=ana)
    shown = json.dumps(done.ack["view"], ensure_ascii=False)
    assert done.ack["view"]["title"]["text"] == "Anotado" and "Anotado: 30 puertas en Iowa" in shown


def test_the_after_shift_log_button_opens_the_form_in_the_clickers_language(bot: Bot) -> None:
    bind(bot)
    ana = spanish_speaker(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=0, start=datetime(2026, 1, 1, 8).time())
        make.signup(session, shift_id, ana, bot.clock())
    clicked = press(bot, act.LOG_FOR_SHIFT, str(shift_id), user=ana)
    view = clicked.view
    assert view is not None and view["title"]["text"] == "Anotar contactos"
    option = view["blocks"][-1]["element"]["initial_option"]["text"]["text"]
    assert option == f"#{shift_id} · IA · dom 22 nov 8:00"


def test_dms_follow_each_recipients_language(bot: Bot) -> None:
    ana = spanish_speaker(bot)
    with bot.deps.session() as session:
        make.volunteer(session, "USAM", bot.clock())
        sync_volunteer(
            session,
            profile=Profile(TEAM, "UCHOSE", display_name="jo", locale="es-LA"),
            now=datetime(2026, 11, 1, tzinfo=UTC),
        )
        session.execute(sa.text("UPDATE volunteer SET language = 'en' WHERE id = 'UCHOSE'"))
        assert languages_of(session, team_id=TEAM, user_ids=[ana, "USAM", "UCHOSE", "UNEVER"]) == {
            ana: "es",
            "USAM": "en",
            "UCHOSE": "en",
            "UNEVER": "en",
        }


def test_spanish_day_words_choose_the_days_of_shifts(bot: Bot) -> None:
    bind(bot)
    with bot.deps.session() as session:
        today = make.shift(session, bot.clock(), days_ahead=0, start=datetime(2026, 1, 1, 18).time())
        tomorrow = make.shift(session, bot.clock(), days_ahead=1)
    for words, shown, hidden in [
        ("IA hoy", today, tomorrow),
        ("IA mañana", tomorrow, today),
        ("IA manana", tomorrow, today),
    ]:
        text = bot.command("/shifts", words).text
        assert f"#{shown}" in text and f"#{hidden}" not in text, (words, text)
    week = bot.command("/shifts", "semana IA").text
    assert f"#{today}" in week and f"#{tomorrow}" in week
    assert "every day" in bot.command("/turnout", "goal IA 100 llamadas daily", user="UCOORD").text
