"""The catalogs and the language machinery: every marked message is in the Spanish catalog,
translated and not fuzzy; numbers, days and hours are written as each language writes them; a
person's language follows the rules of SPEC §10.

Scoped to what is marked so far (the README's "Languages" lists what remains): these tests
check every message the code marks, so they grow as each module is converted."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, time

import pytest
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from bot.i18n import (
    ENGLISH,
    LANGUAGES,
    SPANISH,
    Lang,
    catalog_path,
    language,
    person_language,
    slack_language,
)
from tests.catalogs import extracted

FIELD = re.compile(r"\{([a-z_]+)\}")


def po(code: str):  # type: ignore[no-untyped-def]
    with catalog_path(code).open("rb") as file:
        return read_po(file, locale=code)


def key(message) -> tuple[str | None, object]:  # type: ignore[no-untyped-def]
    return (message.context, message.id)


def test_every_marked_message_is_in_every_catalog_and_nothing_stale_is() -> None:
    """A message marked in the code but not in a catalog was never extracted (`pybabel extract`
    and `update` were not run); one in a catalog but not in the code is left over."""
    marked = {key(m) for m in extracted() if m.id}
    for code in LANGUAGES:
        cataloged = {key(m) for m in po(code) if m.id}
        assert sorted(map(str, marked - cataloged)) == [], f"{code}: not in the catalog"
        assert sorted(map(str, cataloged - marked)) == [], f"{code}: no longer in the code"


def test_the_spanish_catalog_has_no_missing_or_fuzzy_entry() -> None:
    catalog = po("es")
    assert not catalog.fuzzy, "the catalog's header is marked fuzzy: every message would be ignored"
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [] and fuzzy == []
    assert len(list(catalog)) > 100


# Fields only English's grammar needs, which a translation may leave out.
GRAMMAR_FIELDS = {"article"}


def test_translations_keep_every_field_of_the_english() -> None:
    """A field dropped or misspelt in a translation would lose a value or fail when shown."""
    for message in po("es"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(FIELD.findall(ids[-1]))
        for string in strings:
            fields = set(FIELD.findall(string))
            assert fields <= wanted and wanted - fields <= GRAMMAR_FIELDS, (message.id, string)


def test_plural_forms_come_from_the_catalog() -> None:
    assert po("es").plural_forms == "nplurals=2; plural=(n != 1);"
    assert SPANISH.ngettext("{count} supporter", "{count} supporters", 1) == "1 simpatizante"
    assert SPANISH.ngettext("{count} supporter", "{count} supporters", 2) == "2 simpatizantes"
    assert ENGLISH.ngettext("{count} supporter", "{count} supporters", 1) == "1 supporter"
    assert ENGLISH.ngettext("{count} supporter", "{count} supporters", 0) == "0 supporters"


@pytest.mark.parametrize(
    ("n", "english", "spanish"),
    [
        (7, "7 doors", "7 puertas"),
        # CLDR's Spanish leaves four digits ungrouped (minimumGroupingDigits 2), as the RAE advises.
        (1234, "1,234 doors", "1234 puertas"),
        (12345, "12,345 doors", "12.345 puertas"),
        (1234567, "1,234,567 doors", "1.234.567 puertas"),
    ],
)
def test_numbers_are_written_as_each_language_writes_them(n: int, english: str, spanish: str) -> None:
    assert ENGLISH.ngettext("{count} door", "{count} doors", n) == english
    assert SPANISH.ngettext("{count} door", "{count} doors", n) == spanish


def test_days_and_hours_are_written_as_each_language_writes_them() -> None:
    start, end = datetime(2026, 11, 28, 16, 0, tzinfo=UTC), datetime(2026, 11, 28, 19, 0, tzinfo=UTC)
    assert SPANISH.span(start, end, "America/Chicago") == "sáb 28 nov · 10:00–13:00 CST"
    assert ENGLISH.span(start, end, "America/Chicago") == "Sat Nov 28 · 10:00 AM–1:00 PM CST"
    assert SPANISH.short_day(date(2026, 9, 3)) == "3 sept" and ENGLISH.short_day(date(2026, 9, 3)) == "Sep 3"
    assert SPANISH.clock(time(9, 5)) == "9:05" and ENGLISH.clock(time(0, 30)) == "12:30 AM"
    assert SPANISH.percent(0.55) == "55\xa0%" and ENGLISH.percent(2.5) == "250%"
    assert SPANISH.either(["puertas", "llamadas", "textos"]) == "puertas, llamadas o textos"


@pytest.mark.parametrize("lang", [ENGLISH, SPANISH], ids=["en", "es"])
def test_whole_numbers_are_written_as_babel_writes_them(lang: Lang) -> None:
    """Counts are written without Babel's number formatting, and read exactly as it writes them
    (the language's separator, Spanish's ungrouped four digits, the minus sign)."""
    for n in [
        0,
        7,
        -7,
        999,
        1000,
        -1000,
        1234,
        9999,
        10000,
        12345,
        -12345,
        999999,
        1234567,
        10**12,
        -(10**9),
    ]:
        grouped = abs(n) >= 10 ** (2 + lang.style.min_grouping)
        assert lang.number(n) == format_decimal(n, locale=lang.locale, group_separator=grouped), n
        assert lang.number(n) == lang.number(n)  # written again, remembered or not


def test_days_and_hours_written_again_read_the_same_in_each_language() -> None:
    """Days and times of day are remembered once written: a day, the same day as a moment in it,
    and a time read the same every time, each in its own language and pattern."""
    moment = datetime(2026, 11, 28, 23, 45, tzinfo=UTC)
    for _ in range(2):
        assert ENGLISH.day(moment) == ENGLISH.day(date(2026, 11, 28)) == "Sat Nov 28"
        assert SPANISH.day(moment) == "sáb 28 nov" and SPANISH.short_day(moment) == "28 nov"
        assert ENGLISH.short_day(date(2026, 11, 28)) == "Nov 28"
        assert ENGLISH.clock(moment) == ENGLISH.clock(time(23, 45)) == "11:45 PM"
        assert SPANISH.clock(moment) == "23:45"


@pytest.mark.parametrize(
    ("chosen", "locale", "reads"),
    [
        (None, None, "en"),  # never seen, or Slack did not say
        (None, "es-LA", "es"),  # Slack's Latin American Spanish
        (None, "es-ES", "es"),
        (None, "en-US", "en"),
        (None, "fr-FR", "en"),  # no French catalog: English
        ("es", "en-US", "es"),  # `/turnout language es` wins over Slack
        ("en", "es-LA", "en"),
    ],
)
def test_a_persons_language_is_their_choice_else_their_slack_locale(
    chosen: str | None, locale: str | None, reads: str
) -> None:
    assert person_language(chosen, locale) == reads


def test_unknown_codes_speak_english() -> None:
    assert language("fr") is ENGLISH and language(None) is ENGLISH and language("es") is SPANISH
    assert slack_language("es_MX") == "es" and slack_language("") is None


def test_languages_serve_many_threads_at_once() -> None:
    """Each request speaks its own reader's language: nothing is switched globally."""
    seen: dict[str, set[str]] = {"en": set(), "es": set()}
    barrier = threading.Barrier(8)

    def speak(code: str) -> None:
        barrier.wait()
        for _ in range(200):
            seen[code].add(language(code).ngettext("{count} door", "{count} doors", 3))

    threads = [threading.Thread(target=speak, args=(code,)) for code in ("en", "es") * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {"en": {"3 doors"}, "es": {"3 puertas"}}
