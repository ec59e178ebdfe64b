"""The messages the code marks for translation, read from the source as `pybabel extract` reads
them, and a pseudo-language built from them for the guard tests.

The pseudo-language translates exactly the extracted messages, each with every ASCII letter
swapped for an accented look-alike (`Recorded` → `Ŕéçöŕðéð`), and writes dates and numbers
with Russian CLDR data (`сб 28 нояб.`). Whatever reaches a person in it with plain ASCII
letters did not come through the catalog or through Babel."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.support import Translations

from bot.i18n import SPANISH_CODE, STYLES, Lang

ROOT = Path(__file__).resolve().parent.parent
PSEUDO_CODE = "qps"  # a private-use language tag, as Windows and Chromium name their pseudo-locales

_LOOKALIKES = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçðéƒĝĥîĵķļɱñöþʠŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
FIELD = re.compile(r"(\{[a-z_]+\})")


# Fields only English's grammar needs ("an IA"): a translation leaves them out, and so does this one.
GRAMMAR_FIELDS = ("{article} ",)


def pseudo(text: str) -> str:
    """`text` with its letters swapped, its `{fields}` kept (but for English's grammar)."""
    for grammar in GRAMMAR_FIELDS:
        text = text.replace(grammar, "")
    return "".join(
        part if FIELD.fullmatch(part) else part.translate(_LOOKALIKES) for part in FIELD.split(text)
    )


@cache
def extracted() -> Catalog:
    """Every message marked in bot/, handlers/ and jobs/, by babel.cfg's mapping."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(locale=SPANISH_CODE)
    for _file, _line, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS, comment_tags=("Translators:",)
    ):
        catalog.add(message, context=context, auto_comments=comments)
    return catalog


@cache
def pseudo_lang() -> Lang:
    catalog = Catalog(locale=SPANISH_CODE)  # Spanish's plural rule: n != 1, like English's
    for message in extracted():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            catalog.add(message.id, tuple(pseudo(form) for form in message.id), context=message.context)
        else:
            catalog.add(message.id, pseudo(message.id), context=message.context)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return Lang(PSEUDO_CODE, Translations(mo), Locale.parse("ru"), STYLES[SPANISH_CODE])
