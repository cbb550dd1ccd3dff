"""MT940 field grammar: amounts, dates, balances (:60F: :62F: :64: ...) and the :61: line.

Each function reads one field's text and returns typed values, or raises :class:`FieldError`
with a message the parser turns into a finding. Impossible dates are not errors: they come back
as ``None`` with ``bad_date`` set, so the entry is kept.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from rapprochement.parsers._common.values import plain_decimal

__all__ = [
    "AMOUNT_WIDTH",
    "BalanceField",
    "FieldError",
    "Line61",
    "parse_amount",
    "parse_balance",
    "parse_date",
    "parse_line61",
]


class FieldError(ValueError):
    """A field's text does not follow its grammar."""


#: The SWIFT amount field (15d): at most 15 characters, decimal comma included.
AMOUNT_WIDTH = 15


def parse_amount(text: str) -> Decimal:
    """Exact amount from MT940 text: comma decimals (SWIFT), dot decimals (some banks) or none.

    ``"1234,56"``, ``"1234.56"``, ``"380115,"`` and ``"000012,5"`` are all read exactly; the last
    ``,`` or ``.`` is the decimal mark, never truncated. Anything else (``1e3``, ``1 000,00``,
    two decimal marks, more than 15 characters once leading zeros are set aside) is an error.
    """
    raw = text
    if len(text.lstrip("0")) > AMOUNT_WIDTH:
        raise FieldError(
            f"amount {raw!r} is longer than the {AMOUNT_WIDTH} characters of the SWIFT field"
        )
    if "," in text:
        if "." in text:
            dec = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if dec == "," else ",", "")
        text = text.replace(",", ".")
    value = plain_decimal(text)
    if value is None:
        raise FieldError(f"amount {raw!r} is not digits with a decimal comma")
    return value


@lru_cache(maxsize=8192)
def parse_date(yymmdd: str) -> dt.date | None:
    """A YYMMDD date (years 00-79 are 20xx, 80-99 19xx); None when impossible (30 February)."""
    yy = int(yymmdd[0:2])
    try:
        return dt.date(2000 + yy if yy < 80 else 1900 + yy, int(yymmdd[2:4]), int(yymmdd[4:6]))
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def entry_date(value_text: str, mmdd: str) -> dt.date | None:
    """The MMDD entry (booking) date of a :61:, its year taken from the value date.

    The year rolls over at the year end: value date 31 December with entry date 0102 is booked in
    January of the next year, value date 2 January with entry date 1231 in the previous year.
    """
    yy = int(value_text[0:2])
    year = 2000 + yy if yy < 80 else 1900 + yy
    vmonth = int(value_text[2:4])
    month = int(mmdd[0:2])
    if month - vmonth > 6:
        year -= 1
    elif vmonth - month > 6:
        year += 1
    try:
        return dt.date(year, month, int(mmdd[2:4]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class BalanceField:
    """A balance field (:60F:, :62M:, :64: ...): signed amount, date, currency (may be None)."""

    amount: Decimal
    date: dt.date | None
    currency: str | None
    date_text: str


_BALANCE = re.compile(
    r"\s*([CD])\s*(\d{6})\s*([A-Z]{3})?\s*([0-9][0-9,.]*|[,.][0-9]+)\s*$", re.ASCII
)


def parse_balance(text: str) -> BalanceField:
    """``C230131EUR1234,56`` (currency optional, some banks leave it out)."""
    m = _BALANCE.match(text)
    if m is None:
        raise FieldError(f"balance {text.strip()!r} is not <C|D><YYMMDD><currency><amount>")
    mark, date_text, ccy, amount_text = m.groups()
    amount = parse_amount(amount_text)
    return BalanceField(-amount if mark == "D" else amount, parse_date(date_text), ccy, date_text)


# :61: value date, entry date, mark, funds code, amount, type, references.
_LINE61 = re.compile(
    r"\s*(\d{6})"  # value date YYMMDD
    r"(\d{4}| {4})?"  # entry date MMDD (some banks write four spaces when there is none)
    r"(R?[CD])"  # mark: C, D, RC (reversal of credit), RD (reversal of debit)
    r"([A-Z])?"  # funds code (third currency letter)
    r"\s*([0-9][0-9,.]*|[,.][0-9]+)"  # amount
    r"\s*([A-Z][A-Z0-9]{3})?"  # transaction type (N/F/S + 3 chars; some banks other letters)
    r"(.*)$",  # customer reference [//bank reference]
    re.DOTALL,
)
# What may follow the amount: a transaction type (a capital letter), the references (``/``),
# or blanks before either or before the end. ``1e3``, ``1 000,00``, ``1_000`` are amounts the
# grammar would cut short (to 1): an exponent or a digit after a blank means the amount is not
# the SWIFT one.
_AFTER_AMOUNT = re.compile(r"(?![Ee][+-]?[0-9])(?:[A-Z/]|\s*$|\s+[A-Z/])", re.ASCII)


class Line61(NamedTuple):
    """The parts of a :61: statement line."""

    value_date: dt.date | None
    booking_date: dt.date | None
    amount: Decimal
    reversal: bool
    funds_code: str | None
    transaction_type: str | None
    customer_reference: str | None
    bank_reference: str | None
    supplementary: str | None
    bad_date: str | None


_new_line61 = tuple.__new__  # Line61(*values) without the keyword-parsing __new__ (hot path)
# (value date text, entry date text) -> (value date, booking date, bad-date note): statements
# repeat the same few dates, so each pair is computed once per run of distinct pairs.
_DATES: dict[tuple[str, str | None], tuple[dt.date | None, dt.date | None, str | None]] = {}
_DATES_MAX = 4096


def _line61_dates(
    vtext: str, etext: str | None
) -> tuple[dt.date | None, dt.date | None, str | None]:
    key = (vtext, etext)
    hit = _DATES.get(key)
    if hit is not None:
        return hit
    value = parse_date(vtext)
    booking = entry_date(vtext, etext) if etext else None
    bad = None
    if value is None:
        bad = f"value date {vtext!r}"
    elif etext and booking is None:
        bad = f"entry date {etext!r}"
    if len(_DATES) >= _DATES_MAX:
        _DATES.clear()
    hit = _DATES[key] = (value, booking, bad)
    return hit


def parse_line61(first: str, more: list[str]) -> Line61:
    """Parse a :61: field: its first line and its continuation lines (supplementary details).

    A first line cut before the amount (seen in Sparkasse exports) is read joined with the next.
    RC (reversal of a credit) is a debit, RD (reversal of a debit) a credit.
    """
    m = _LINE61.match(first)
    if (m is None or m.group(6) is None) and more:
        joined = _LINE61.match(first + more[0])
        if joined is not None and (m is None or joined.group(6) is not None):
            m, more = joined, more[1:]
    if m is None:
        raise FieldError(f"statement line {first.strip()!r} does not follow the :61: grammar")
    vtext, etext, mark, funds, amount_text, ttype, refs = m.groups()
    if etext == "    ":
        etext = None
    if _AFTER_AMOUNT.match(m.string, m.end(5)) is None:
        tail = m.string[m.end(5) :].strip()[:12]
        raise FieldError(
            f"amount {amount_text + tail!r} is not digits with a decimal comma"
            f" (then the transaction type)"
        )
    if "." in amount_text or len(amount_text) > AMOUNT_WIDTH:
        amount = parse_amount(amount_text)
    else:
        # SWIFT comma decimals, at most 15 characters: what parse_amount does, without its
        # checks for dots and length. The grammar leaves digits and commas only, so with one
        # comma at most the text is a plain decimal (what plain_decimal would check again).
        if amount_text.count(",") > 1:
            raise FieldError(f"amount {amount_text!r} has more than one decimal comma")
        amount = Decimal(amount_text.replace(",", "."))
    if mark == "D" or mark == "RC":
        amount = -amount
    dates = _DATES.get((vtext, etext))
    value, booking, bad = dates if dates is not None else _line61_dates(vtext, etext)
    refs = refs.strip()
    cref: str | None = refs
    bref: str | None = None
    if "//" in refs:
        cref, _, bref = refs.partition("//")
        cref, bref = cref.strip(), bref.strip()
    supp = " ".join(s.strip() for s in more if s.strip()) if more else None
    return _new_line61(
        Line61,
        (
            value,  # value_date
            booking,  # booking_date
            amount,
            mark[0] == "R",  # reversal
            funds,  # funds_code
            ttype,  # transaction_type
            cref or None,  # customer_reference
            bref or None,  # bank_reference
            supp or None,  # supplementary
            bad,  # bad_date
        ),
    )
