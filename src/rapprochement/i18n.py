"""Numbers, money and dates as a French or English reader writes them (through babel).

One place for every human-facing format of the command line, the report and the exports:

>>> import datetime as dt
>>> from decimal import Decimal
>>> money(Decimal("1326.30"), "EUR", "fr").replace("\\u202f", " ").replace("\\xa0", " ")
'1 326,30 €'
>>> money(Decimal("1326.30"), "EUR", "en")
'€1,326.30'
>>> day(dt.date(2019, 7, 15), "fr"), day(dt.date(2019, 7, 15), "en")
('15 juillet 2019', '15 July 2019')
>>> number(Decimal("-5140.4"), "en", places=2)
'-5,140.40'

French groups digits with a narrow no-break space (U+202F) and puts a no-break space (U+00A0)
before the currency sign, as the Imprimerie nationale rules and babel's CLDR data do: a line
never breaks inside an amount. Amounts are ``Decimal`` and are never turned into floats.

The language is ``"fr"`` or ``"en"``: :func:`language` reads it from ``--lang``, else
``$RAPPROCHEMENT_LANG``, else the locale variables (``LC_ALL``, ``LC_MESSAGES``, ``LANG``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

__all__ = ["LANGUAGES", "Language", "day", "language", "money", "number"]

#: The languages the output is written in.
Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
#: The CLDR locale of each language (English amounts and dates as in the UK: 15 July 2019).
_LOCALE: dict[Language, str] = {"fr": "fr_FR", "en": "en_GB"}


def language(choice: str | None = None, env: Mapping[str, str] | None = None) -> Language:
    """The output language: ``choice`` when given (``fr``, ``fr_FR.UTF-8``, ``en``…), else
    ``$RAPPROCHEMENT_LANG``, else the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is
    set; French when it starts with ``fr``, English otherwise.

    Raises:
        ValueError: ``choice`` names neither French nor English.
    """
    if choice:
        code = choice.strip().lower()[:2]
        if code not in LANGUAGES:
            raise ValueError(f"language {choice!r}: use fr or en")
        return "fr" if code == "fr" else "en"
    environ = os.environ if env is None else env
    for var in ("RAPPROCHEMENT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def money(amount: Decimal, currency: str, lang: Language = "en") -> str:
    """``amount`` with its currency, grouped: ``1 326,30 €`` (fr), ``€1,326.30`` (en)."""
    return str(format_currency(amount, currency, locale=_LOCALE[lang]))


def number(value: Decimal | int, lang: Language = "en", *, places: int | None = None) -> str:
    """``value`` with digit grouping (``12 345``, ``12,345``); ``places`` fixes the decimals."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=_LOCALE[lang]))


def day(value: dt.date, lang: Language = "en") -> str:
    """A date in words: ``15 juillet 2019`` (fr), ``15 July 2019`` (en)."""
    return str(format_date(value, format="long", locale=_LOCALE[lang]))
