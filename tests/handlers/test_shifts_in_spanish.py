"""The shift commands as a Spanish-speaking volunteer reads them: the exact words, dates and
plurals, the channel post in the state's language whoever clicks it, and the promotion DM in
its recipient's language whoever released the place."""

from __future__ import annotations

from datetime import time

import sqlalchemy as sa

from bot.blocks import actions as act
from bot.blocks.shifts import build_cancel_confirmation
from bot.i18n import SPANISH
from bot.localslack.reading import buttons, message_text
from bot.models import State
from bot.services.roles import Actor
from bot.services.shifts import cancel_shift
from bot.slack.delivery import post_new_shift
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def seed(bot: Bot, *, capacity: int = 5, days_ahead: int = 6) -> int:
    """Iowa bound to #iowa, with one canvass on Saturday Nov 28, 10:00–13:00 CST; UVOL1 reads Spanish."""
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)
        make.volunteer(session, "UVOL1", bot.clock(), name="ana")
        session.execute(sa.text("UPDATE volunteer SET language = 'es' WHERE id = 'UVOL1'"))
        return make.shift(session, bot.clock(), days_ahead=days_ahead, capacity=capacity)


def test_shifts_reads_in_spanish_with_spanish_dates(bot: Bot) -> None:
    shift_id = seed(bot)
    reply = bot.command("/shifts", "IA semana canvass", user="UVOL1", channel="CIOWA").reply
    assert reply.blocks[0]["text"]["text"] == "Turnos abiertos de tocar puertas en Iowa esta semana"
    text = message_text(reply)
    assert f":door: *#{shift_id} · Tocar puertas* (IA)\nsáb 28 nov · 10:00–13:00 CST" in text
    assert "Turnos 1–1 de 1" in text
    assert [b["text"]["text"] for b in buttons(reply)] == ["Tomar"]
    empty = bot.command("/shifts", "IA mañana", user="UVOL1", channel="CIOWA")
    assert empty.reply.text == (
        "No hay turnos abiertos en Iowa mañana. Prueba `/shifts week`, otro estado, "
        "o pídele a un coordinador/a que agregue uno."
    )


def test_claim_and_confirm_in_spanish(bot: Bot) -> None:
    shift_id = seed(bot)
    claimed = bot.command("/claim", str(shift_id), user="UVOL1", channel="CIOWA")
    assert claimed.reply.text == f":tada: ¡Estás en el turno #{shift_id}! Por favor, confirma que vas a ir."
    assert "Tú: :white_circle: tomado, sin confirmar" in message_text(claimed.reply)
    assert [b["text"]["text"] for b in buttons(claimed.reply)] == ["Confirmar", "Liberar"]
    confirmed = bot.click(claimed.reply, act.CONFIRM, user="UVOL1")
    assert confirmed.reply.text == f":large_green_circle: Confirmado: ¡nos vemos en el turno #{shift_id}!"
    again = bot.command("/claim", str(shift_id), user="UVOL1", channel="CIOWA")
    assert again.reply.text == (
        f":ballot_box_with_check: Ya estás en el turno #{shift_id} (:large_green_circle: confirmado)."
    )
    refused = bot.command("/claim", "99", user="UVOL1", channel="CIOWA")
    assert refused.reply.text == "No existe el turno #99. `/shifts` muestra los turnos abiertos."


def test_the_waitlist_and_the_promotion_dm_follow_their_readers(bot: Bot) -> None:
    """UVOL2 reads English and releases; UVOL1, promoted, reads the DM in Spanish."""
    shift_id = seed(bot, capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL2")
    waiting = bot.command("/claim", str(shift_id), user="UVOL1", channel="CIOWA")
    assert waiting.reply.text == (
        f":hourglass_flowing_sand: El turno está lleno, así que tienes el lugar *#1* en la lista de "
        f"espera del #{shift_id}. Te escribo si se libera un lugar."
    )
    released = bot.command("/unclaim", str(shift_id), user="UVOL2")
    assert released.reply.text == f"You're off shift #{shift_id}. Thanks for letting us know."
    dm = bot.slack.dms_to("UVOL1")[-1]
    assert dm.text == (
        f":tada: Se liberó un lugar y es tuyo: ya estás en el turno #{shift_id}. Por favor, confírmalo."
    )
    assert [b["text"]["text"] for b in buttons(dm)] == ["Confirmar", "Liberar"]


def test_the_channel_post_speaks_the_states_language_whoever_clicks(bot: Bot) -> None:
    """Iowa's posts are in Spanish; an English reader's click is answered in English and the
    post is redrawn in Spanish."""
    shift_id = seed(bot)
    assert "Spanish" in bot.command("/turnout", "language IA es", user="UCOORD").text
    posted = post_new_shift(bot.deps, bot.client, shift_id)
    assert posted is not None and posted.posted
    post = next(m for m in bot.slack.posts_in("CIOWA") if f"#{shift_id}" in m.text)
    assert post.text == f"Turno #{shift_id} (tocar puertas, IA): 0/5"
    assert f"O escribe `/claim {shift_id}`." in message_text(post)
    clicked = bot.click(post, act.CLAIM, user="UVOL2")
    assert clicked.text.startswith(f":tada: You're on shift #{shift_id}!")
    assert post.text == f"Turno #{shift_id} (tocar puertas, IA): 1/5"
    assert "sáb 28 nov · 10:00–13:00 CST" in message_text(post)


def test_release_cutoff_and_paging_plurals_in_spanish(bot: Bot) -> None:
    soon = seed(bot, days_ahead=0)  # today 10:00 CST: an hour from now
    with bot.deps.session() as session:
        make.signup(session, soon, "UVOL1", bot.clock())
        for day in range(1, 12):
            make.signup(
                session, make.shift(session, bot.clock(), days_ahead=day, start=time(9)), "UVOL1", bot.clock()
            )
    too_late = bot.command("/unclaim", str(soon), user="UVOL1", channel="CIOWA")
    assert too_late.reply.text == (
        f"El turno #{soon} empieza en menos de 3 horas: falta muy poco para liberarlo por tu cuenta. "
        "Pídele a <@UCOORD> (coordinación de IA) que te saque."
    )
    mine = bot.command("/myshifts", user="UVOL1", channel="CIOWA").reply
    assert mine.text == "Tus próximos turnos: turnos 1–10 de 12"
    assert [b["text"]["text"] for b in buttons(mine)][-1] == "Siguientes 2"


def test_cancel_confirmation_counts_people_in_spanish(bot: Bot) -> None:
    shift_id = seed(bot)
    with bot.deps.session() as session:
        for user in ("UVOL1", "UVOL2"):
            make.signup(session, shift_id, user, bot.clock())
        preview = cancel_shift(
            session, actor=Actor(TEAM, "UCOORD", False), shift_id=shift_id, now=bot.clock(), dry_run=True
        )
    asked = build_cancel_confirmation(preview, "", SPANISH)
    assert asked.blocks[0]["text"]["text"] == (
        f"*¿Cancelar el turno #{shift_id}?* Se avisará por DM a 2 personas que están en el turno o esperando."
    )
