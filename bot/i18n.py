"""Languages: every word a person reads, in the language they read, from gettext catalogs.

The catalogs are `bot/locale/<language>/LC_MESSAGES/turnout.po`, kept with Babel (`pybabel
extract/update`, see the README). They ship as `.po` and are compiled in memory when this module
is imported (a few milliseconds), so a fresh checkout, `pip install -e .` or a wheel needs no build
step and can never read a `.mo` file older than its `.po`; a fuzzy entry is never used.

A `Lang` is one language, bound once and passed down explicitly: a builder is given the `Lang`
of the person who will read what it builds (the caller for an ephemeral reply, the recipient for
a DM, the state for its channel's posts). Nothing here is global mutable state, so requests on
many threads each speak their own reader's language. A `Lang` and the catalogs it reads are
immutable once built.

Messages use `str.format` fields by name (`"Recorded {counts} in {place}."`) so a translation may
reorder them; plurals go through the catalog's own plural forms (`ngettext`), never a hand-made
rule. Numbers, days and hours come from CLDR through Babel.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from gettext import NullTranslations
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "turnout"
ENGLISH_CODE = "en"
SPANISH_CODE = "es"
# The languages Turnout speaks, each with a complete catalog; the first is the default.
LANGUAGES = (ENGLISH_CODE, SPANISH_CODE)


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it here: it is translated where it is
    shown, in the reader's language (a refusal raised by a service, a usage line)."""
    return message


class Phrase(str):
    """A catalog message given as another message's value (`Only an admin can {doing}.`): it
    is translated with the message that holds it, in the same reader's language."""

    __slots__ = ()


@dataclass(frozen=True)
class Style:
    """How a language writes days, hours and large numbers, in CLDR date patterns.

    `day` and `clock` are written out rather than taken from CLDR's skeletons, whose medium day
    carries a comma (`sáb, 28 nov`) where Turnout writes `sáb 28 nov` (SPEC §10).
    `min_grouping` is CLDR's minimumGroupingDigits, which Babel does not apply: Spanish leaves
    a four-digit number ungrouped (`1234 puertas`, `12.345 puertas`)."""

    day: str
    short_day: str
    clock: str
    min_grouping: int = 1


STYLES: dict[str, Style] = {
    ENGLISH_CODE: Style(day="EEE MMM d", short_day="MMM d", clock="h:mm a"),
    SPANISH_CODE: Style(day="EEE d MMM", short_day="d MMM", clock="H:mm", min_grouping=2),
}


# Numbers below this (in size) are remembered once written: a bounded set, shared by all threads.
SMALL_NUMBERS = 100_000
# Days and times of day remembered once written, in each language: a campaign's shifts fall on
# few of them, and every shift card writes several. Past this many, the rest are written each time.
REMEMBERED_MOMENTS = 4096


class Lang:
    """One language: its catalog, its CLDR data and its style. Immutable; share it freely."""

    def __init__(self, code: str, translations: NullTranslations, locale: Locale, style: Style) -> None:
        self.code = code
        self._translations = translations
        self.locale = locale
        self.style = style
        # Numbers as written, for the small ones every reply is full of (counts, ranks).
        self._numbers: dict[int, str] = {}
        # A whole number in a language whose standard pattern is CLDR's common `#,##0.###` with
        # Latin digits and a plain minus (English, Spanish) is Python's own grouping with the
        # language's separator: what Babel writes, without Babel's work for every new total.
        pattern = locale.decimal_formats[None]
        symbols = locale.number_symbols[locale.default_numbering_system]
        self._grouping: str | None = (
            symbols["group"]
            if locale.default_numbering_system == "latn"
            and pattern.grouping == (3, 3)
            and pattern.prefix == ("", "-")
            and pattern.suffix == ("", "")
            and symbols["minusSign"] == "-"
            else None
        )
        # Days and times of day as written, by pattern (Babel's formatting is the costly part of a shift card).
        self._moments: dict[tuple[str, date | time], str] = {}

    def __repr__(self) -> str:
        return f"Lang({self.code!r})"

    # ------------------------------------------------------------ words

    def _(self, message: str, /, **values: object) -> str:
        """`message` in this language, its `{fields}` filled with `values`."""
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def pgettext(self, context: str, message: str, /, **values: object) -> str:
        """`message` as meant in `context` (a state's name, a form's button)."""
        text = self._translations.pgettext(context, message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The form that agrees with `n`, by the catalog's plural rule; `{count}` is `n` written
        in this language."""
        return self._translations.ngettext(singular, plural, n).format(count=self.number(n), **values)

    def npgettext(self, context: str, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = self._translations.npgettext(context, singular, plural, n)
        return text.format(count=self.number(n), **values)

    # ------------------------------------------------------------ numbers

    def number(self, n: int) -> str:
        """`1,234` in English; `1234` and `12.345` in Spanish."""
        written = self._numbers.get(n)
        if written is None:
            grouped = abs(n) >= 10 ** (2 + self.style.min_grouping)
            if self._grouping is None or not isinstance(n, int):  # a sum may come back a Decimal
                written = format_decimal(n, locale=self.locale, group_separator=grouped)
            else:
                written = f"{n:,}".replace(",", self._grouping) if grouped else str(n)
            if -SMALL_NUMBERS < n < SMALL_NUMBERS:
                self._numbers[n] = written
        return written

    def percent(self, share: float) -> str:
        """`55%`, `55 %`."""
        return format_percent(share, locale=self.locale)

    def either(self, words: Sequence[str]) -> str:
        """`a, b, or c`, `a, b o c`."""
        return format_list(list(words), style="or", locale=self.locale)

    # ------------------------------------------------------------ days and hours

    def day(self, day: date) -> str:
        """`Sat Nov 28`, `sáb 28 nov`."""
        return self._date(self.style.day, day)

    def short_day(self, day: date) -> str:
        """`Nov 28`, `28 nov`."""
        return self._date(self.style.short_day, day)

    def clock(self, moment: datetime | time) -> str:
        """`10:00 AM`, `10:00`: the wall-clock time of `moment` as it is (no zone conversion)."""
        wall = moment if isinstance(moment, time) else moment.time()
        key = (self.style.clock, wall)
        written = self._moments.get(key)
        if written is None:
            written = format_time(wall, self.style.clock, locale=self.locale)
            self._remember(key, written)
        return written

    def _date(self, pattern: str, day: date) -> str:
        # A datetime is written as its date (as Babel writes it), so it is remembered as one.
        key = (pattern, day.date() if isinstance(day, datetime) else day)
        written = self._moments.get(key)
        if written is None:
            written = format_date(key[1], pattern, locale=self.locale)
            self._remember(key, written)
        return written

    def _remember(self, key: tuple[str, date | time], written: str) -> None:
        if len(self._moments) < REMEMBERED_MOMENTS:
            self._moments[key] = written

    def span(self, starts_at: datetime, ends_at: datetime, tz: str) -> str:
        """`Sat Nov 28 · 10:00 AM–1:00 PM CST`, `sáb 28 nov · 10:00–13:00 CST`, in zone `tz`."""
        zone = ZoneInfo(tz)
        start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
        return f"{self.day(start)} · {self.clock(start)}–{self.clock(end)} {start.tzname()}"


def catalog_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(code: str) -> Translations:
    """The `.po` catalog of `code`, compiled in memory (fuzzy entries left out)."""
    with catalog_path(code).open("rb") as po:
        catalog = read_po(po, locale=code, domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return Translations(mo, domain=DOMAIN)


def _build(code: str) -> Lang:
    return Lang(code, compile_catalog(code), Locale.parse(code), STYLES[code])


# Every language is built once, at import, and never changes after: threads only read it.
_LANGS: Mapping[str, Lang] = MappingProxyType({code: _build(code) for code in LANGUAGES})


def language(code: str | None) -> Lang:
    """The `Lang` for a language code (`en`, `es`); any other code, or none, is English."""
    return _LANGS.get(code or "", _LANGS[ENGLISH_CODE])


def slack_language(locale: str | None) -> str | None:
    """The language of a Slack locale (`es-LA`, `es-ES` → `es`; `en-US` → `en`); None for a
    locale Turnout has no catalog for."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


def person_language(chosen: str | None, slack_locale: str | None) -> str:
    """A person's language: the one they chose with `/turnout language`, else their Slack
    locale's, else English."""
    if chosen in LANGUAGES:
        return chosen
    return slack_language(slack_locale) or ENGLISH_CODE


ENGLISH = language(ENGLISH_CODE)
SPANISH = language(SPANISH_CODE)
