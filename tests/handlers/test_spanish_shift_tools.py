"""The shift tools and hosting in Spanish, as a Spanish-speaking coordinator, volunteer and host
read them: each reply in its reader's language, each DM in its recipient's, a leads channel's
proposal in its state's, dates and plurals as Spanish writes them."""

from __future__ import annotations

from bot.blocks import actions as act
from bot.localslack.reading import buttons, message_text
from bot.models import State
from bot.services.people import Profile, sync_volunteer
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM
from tests.handlers.forging import edit_form, edit_values, submit

SAT = "sáb 28 nov · 10:00–13:00 CST"


def spanish_speaker(bot: Bot, user_id: str, name: str) -> str:
    bot.slack.add_person(user_id, name, locale="es-LA")
    with bot.deps.session() as session:
        sync_volunteer(
            session, profile=Profile(TEAM, user_id, display_name=name, locale="es-LA"), now=bot.clock()
        )
    return user_id


def iowa(bot: Bot, coordinator: str) -> int:
    """IA bound to #iowa, `coordinator` coordinating it, and a shift on Saturday Nov 28 10:00–13:00."""
    with bot.deps.session() as session:
        make.coordinator(session, coordinator, "IA", bot.clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
        session.add(row)
        return make.shift(session, bot.clock(), days_ahead=6, capacity=3)


def test_a_series_is_cancelled_in_spanish_and_each_volunteer_told_in_theirs(bot: Bot) -> None:
    lucia = spanish_speaker(bot, "ULUCIA", "lucía")
    shift_id = iowa(bot, lucia)
    bot.slack.add_person("UVOL1", "vol1")
    repeated = bot.command("/turnout", f"shift repeat {shift_id} weekly 2", user=lucia)
    assert repeated.reply.text == f"Repetiste el turno #{shift_id} cada semana: agregaste 2 turnos."
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id + 1), user="UVOL1")
    asked = bot.command("/turnout", f"shift cancel {shift_id} series", user=lucia)
    assert asked.reply.text == f"¿Cancelar el turno #{shift_id} y el resto de su serie (3 turnos)?"
    shown = message_text(asked.reply)
    assert "Le aviso por mensaje directo a 1 persona anotada o en espera." in shown
    assert f"#{shift_id} {SAT}" in shown and f"#{shift_id + 1} sáb 5 dic · 10:00–13:00 CST" in shown
    (cancel,) = buttons(asked.reply)
    assert cancel["text"]["text"] == "Cancelar 3 turnos"
    assert cancel["confirm"]["title"]["text"] == "¿Cancelar la serie?"
    done = bot.click(asked.reply, act.CANCEL_SERIES, user=lucia)
    assert done.reply.text == "Cancelaste 3 turnos. Avisé a 1 persona por mensaje directo."
    (told,) = bot.slack.dms_to("UVOL1")
    assert "2 shifts you were on have been cancelled" in message_text(told)


def test_an_edit_tells_a_spanish_volunteer_in_spanish_and_the_coordinator_in_english(bot: Bot) -> None:
    shift_id = iowa(bot, "UCOORD")
    lucia = spanish_speaker(bot, "ULUCIA", "lucía")
    bot.command("/claim", str(shift_id), user=lucia)
    edited = bot.command("/turnout", f"shift edit {shift_id} time 11:00-14:00 capacity 1", user="UCOORD")
    assert edited.reply.text == f"Changed shift #{shift_id}. Told the 1 person on it by DM."
    (dm,) = [m for m in bot.slack.dms_to(lucia) if "cambió" in m.text]
    assert dm.text == f"El turno #{shift_id} cambió: hora, cupo"
    text = message_text(dm)
    assert f"El turno #{shift_id} cambió. ¿Todavía puedes ir?" in text
    assert f"*Cuándo:* ~{SAT}~ → sáb 28 nov · 11:00–14:00 CST" in text and "*Lugares:* 3 → 1" in text


def test_the_edit_form_and_its_mistakes_are_in_the_editors_language(bot: Bot) -> None:
    lucia = spanish_speaker(bot, "ULUCIA", "lucía")
    shift_id = iowa(bot, lucia)
    for user_id in ("UANA", "UBEN"):
        with bot.deps.session() as session:
            make.signup(session, shift_id, user_id, bot.clock())
    opened = bot.command("/turnout", f"shift edit {shift_id}", user=lucia)
    assert opened.view is not None and opened.view["title"]["text"] == f"Editar turno #{shift_id}"
    labels = [b["label"]["text"] for b in opened.view["blocks"] if b["type"] == "input"]
    assert labels[:4] == ["Fecha", "Empieza", "Termina", "Cupo"]
    form = {**edit_form(str(shift_id), "VEDITES1"), "id": "VEDITES1"}
    answer = submit(
        bot,
        form,
        edit_values(date="2026-11-28", start="10:00", end="13:00", capacity="1", location="HQ"),
        user=lucia,
    )
    assert answer.ack["errors"] == {
        "capacity": "Hay 2 lugares ocupados (uana, uben); primero saca a alguien de la lista."
    }


def test_a_proposal_reaches_a_spanish_leads_channel_in_spanish_and_the_host_in_english(bot: Bot) -> None:
    iowa(bot, "UCOORD")
    bot.slack.add_channel("CLEADS", "ia-leads", is_private=True)
    bot.command("/turnout", "leads IA <#CLEADS|ia-leads>", user="UCOORD")
    bot.command("/turnout", "language IA es", user="UCOORD")
    sent = bot.command(
        "/host", "IA 2026-11-28 10:00-13:00 canvass 8 Ana's porch", user="UVOL1", channel="CIOWA"
    )
    assert "Thanks for hosting!" in sent.text
    (proposal,) = bot.slack.posts_in("CLEADS")
    assert proposal.text == "<@UVOL1> se ofrece a organizar un turno para tocar puertas en IA el sáb 28 nov"
    assert [b["text"]["text"] for b in buttons(proposal)] == ["Aprobar", "Rechazar"]
    clicked = bot.click(proposal, act.APPROVE, user="UCOORD")
    assert "Approved shift #" in clicked.text  # the coordinator reads English
    (decided,) = bot.slack.posts_in("CLEADS")
    assert "*Aprobada* por <@UCOORD> (dom 22 nov a las 9:00 CST)." in message_text(decided)
    news = [m.text for m in bot.slack.dms_to("UVOL1")]
    assert any("canvass" in text and "was approved by <@UCOORD>" in text for text in news), news


def test_the_roster_and_a_cancellation_in_spanish(bot: Bot) -> None:
    lucia = spanish_speaker(bot, "ULUCIA", "lucía")
    shift_id = iowa(bot, lucia)
    bot.slack.add_person("UVOL1", "vol1")
    marta = spanish_speaker(bot, "UMARTA", "marta")
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user=marta)
    shown = bot.command("/turnout", f"roster {shift_id}", user=lucia)
    assert shown.reply.text == f"Lista del turno #{shift_id}"
    text = message_text(shown.reply)
    assert "<@UVOL1> — :white_circle: tomado, sin confirmar" in text
    assert "Personas" in text and "2/3 lugares ocupados · 0 en lista de espera" in text
    assert "Los botones de asistencia aparecen una hora antes de que empiece el turno." in text
    assert {b["text"]["text"] for b in buttons(shown.reply)} == {"Sacar"}
    added = bot.command("/turnout", f"roster {shift_id} add <@UVOL1>", user=lucia)
    assert f"<@UVOL1> ya está en el turno #{shift_id} (anotado/a)." in message_text(added.reply)
    done = bot.cancel_shift(shift_id, "llueve", user=lucia)
    assert done.reply.text == f"Cancelaste el turno #{shift_id}. Avisé a 2 personas por mensaje directo."
    (english,) = bot.slack.dms_to("UVOL1")
    assert english.text.startswith(f":no_entry: Shift #{shift_id} has been cancelled by <@ULUCIA>.")
    (spanish,) = [m for m in bot.slack.dms_to(marta) if "canceló" in m.text]
    assert (
        spanish.text == f":no_entry: <@ULUCIA> canceló el turno #{shift_id}. Perdón por el cambio de planes."
    )
    assert "*Por qué:* llueve" in message_text(spanish)


def test_without_a_leads_channel_each_coordinator_gets_the_proposal_in_their_language(bot: Bot) -> None:
    iowa(bot, "UCOORD")
    lucia = spanish_speaker(bot, "ULUCIA", "lucía")
    with bot.deps.session() as session:
        make.coordinator(session, lucia, "IA", bot.clock())
    bot.command("/host", "IA 2026-11-28 10:00-13:00 phonebank 8 Zoom", user="UVOL1", channel="CIOWA")
    (english,) = bot.slack.dms_to("UCOORD")
    (spanish,) = [m for m in bot.slack.dms_to(lucia) if "se ofrece" in m.text]
    assert english.text == "<@UVOL1> offers to host a phone bank in IA on Sat Nov 28"
    assert spanish.text == "<@UVOL1> se ofrece a organizar un banco de llamadas en IA el sáb 28 nov"
    bot.click(english, act.DECLINE, user="UCOORD")
    (form,) = [call.params["view"] for call in bot.slack.calls_to("views.open")]
    declined = submit(
        bot, {**form, "id": "VDECLINE1"}, {"reason": {"reason": {"value": "Sin cupo"}}}, user="UCOORD"
    )
    assert "Declined shift #" in str(declined.ack)
    (redrawn,) = [m for m in bot.slack.dms_to(lucia) if "Rechazada" in message_text(m)]
    assert "*Rechazada* por <@UCOORD>" in message_text(redrawn) and "Sin cupo" in message_text(redrawn)
