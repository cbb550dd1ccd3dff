"""Values of bank CSV exports: column names, amounts and dates as each bank writes them.

Web banking exports have no standard: ``;`` or ``,`` or tab separators, ``1 234,56`` or
``1,234.56`` amounts, one signed column or a debit and a credit column, ``31/12/2026`` or
``31.12.2026`` or ``2026-12-31`` dates, and a few lines of account information before the
header. This module recognises the columns by name (French, English, German, Dutch, Spanish,
Italian headers, accents and case ignored) and decides the number and date formats once per
file, from all its values, so that ``1,234`` is never read one way on a line and the other way
on the next. Dates are read by :mod:`rapprochement.dates`, shared with the invoice import and
the matching inputs.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rapprochement import dates
from rapprochement.dates import DateFormat, date_format
from rapprochement.errors import ConfigError
from rapprochement.parsers._common.values import plain_decimal

__all__ = [
    "ROLES",
    "AmountFormat",
    "CellError",
    "DateFormat",
    "add_column_names",
    "amount_format",
    "date_format",
    "match_columns",
    "normalize_header",
    "parse_amount",
    "parse_date",
]


class CellError(ValueError):
    """A cell that does not follow the file's number or date format."""


_UNITS = frozenset({"eur", "euro", "euros", "chf", "usd", "gbp", "in", "en"})


def normalize_header(name: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: ``Date d'opération`` →
    ``date d operation``; a unit is dropped (``Montant (EUR)``, ``Débit euros`` → ``montant``,
    ``debit``)."""
    name = re.sub(r"\([^)]*\)", " ", name)
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    while len(words) > 1 and words[-1] in _UNITS:
        words.pop()
    return " ".join(words)


#: Column role → header names (normalized), most specific first. A header matches a role when
#: it equals one of its names.
ROLES: dict[str, tuple[str, ...]] = {
    "booking_date": (
        "date operation", "date d operation", "date comptable", "date de comptabilisation",
        "date", "booking date", "transaction date", "posting date", "date posted",
        "buchungstag", "buchungsdatum", "datum", "boekdatum", "fecha", "fecha operacion",
        "data", "data operazione", "data contabile",
    ),
    "value_date": (
        "date valeur", "date de valeur", "value date", "valuta", "valutadatum", "wertstellung",
        "rentedatum", "fecha valor", "data valuta",
    ),
    "amount": (
        "montant", "montant eur", "amount", "betrag", "bedrag", "importe", "importo",
        "transaction amount", "umsatz",
    ),
    "debit": ("debit", "debits", "soll", "withdrawal", "withdrawals", "paid out", "af", "cargo",
              "addebiti", "montant debit"),
    "credit": ("credit", "credits", "haben", "deposit", "deposits", "paid in", "bij", "abono",
               "accrediti", "montant credit"),
    "direction": ("af bij", "sens", "debit credit", "soll haben", "cd"),
    "currency": ("devise", "currency", "wahrung", "waehrung", "valuta code", "moneda", "divisa"),
    "remittance": (
        "libelle", "libelle operation", "libelle de l operation", "description", "details",
        "detail", "verwendungszweck", "mededelingen", "omschrijving", "concepto", "descrizione",
        "motif", "reference", "memo", "narrative", "buchungstext", "communication",
    ),
    "counterparty": (
        "beneficiaire", "tiers", "contrepartie", "payee", "payer", "name", "counterparty",
        "beguenstigter zahlungspflichtiger", "auftraggeber empfanger", "auftraggeber",
        "empfanger", "naam tegenpartij", "naam omschrijving", "ordenante", "beneficiario",
    ),
    "counterparty_iban": (
        "iban", "iban tiers", "iban contrepartie", "counterparty iban", "kontonummer iban",
        "tegenrekening", "iban beneficiario",
    ),
    "balance": ("solde", "balance", "saldo", "running balance", "kontostand"),
    "account": ("auftragskonto", "rekening", "account", "own account", "compte",
                "numero de compte", "cuenta", "conto"),
    "reference": ("reference banque", "bank reference", "transaction id", "id", "referenz"),
}  # fmt: skip


def add_column_names(role: str, *names: str) -> None:
    """Teach the reader more header names for a role (your bank's ``Montant opération``):
    ``add_column_names("amount", "Montant opération")``. Names are compared normalized
    (:func:`normalize_header`) and tried before the built-in ones of the role.

    Raises:
        ConfigError: ``role`` is not one of :data:`ROLES`.
    """
    if role not in ROLES:
        raise ConfigError(
            f"unknown CSV column role {role!r}", hint=f"use one of {', '.join(ROLES)}"
        )
    extra = tuple(n for n in (normalize_header(x) for x in names) if n and n not in ROLES[role])
    ROLES[role] = (*extra, *ROLES[role])


def match_columns(header: Sequence[str]) -> dict[str, int]:
    """Role → column index for the header's columns (each column one role, each role one
    column: the first column whose name is one of the role's names, roles in :data:`ROLES`
    order)."""
    names = [normalize_header(h) for h in header]
    found: dict[str, int] = {}
    used: set[int] = set()
    for role, options in ROLES.items():
        for option in options:
            hits = [i for i, n in enumerate(names) if n == option and i not in used]
            if hits:
                found[role] = hits[0]
                used.add(hits[0])
                break
    return found


class AmountFormat:
    """How a file writes amounts: its decimal mark (``","`` or ``"."``)."""

    def __init__(self, decimal: str) -> None:
        self.decimal = decimal
        self.group = "." if decimal == "," else ","


_CURRENCY_MARKS = re.compile(r"[€$£]|\b(?:EUR|USD|GBP|CHF)\b", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def _clean_amount(text: str) -> str:
    return _SPACES.sub("", _CURRENCY_MARKS.sub("", text))


def amount_format(cells: Iterable[str]) -> AmountFormat:
    """The decimal mark of a file, from all its amount cells: a mark followed by one or two
    digits at the end of a cell, the other mark (if any) before it; comma when the file
    never tells (every amount whole): the European default."""
    votes = {",": 0, ".": 0}
    for cell in cells:
        text = _clean_amount(cell).strip("+-()")
        m = re.search(r"([.,])(\d{1,2})$", text)
        if m is None:
            continue
        votes[m.group(1)] += 1
    return AmountFormat("." if votes["."] > votes[","] else ",")


def parse_amount(cell: str, fmt: AmountFormat) -> Decimal | None:
    """The signed amount of a cell (None when blank): ``1 234,56``, ``-12,50 €``, ``(12.50)``
    (negative), ``12,50-`` (trailing sign, some German banks)."""
    text = _clean_amount(cell)
    if not text or text in ("-", "--"):
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    g, d = re.escape(fmt.group), re.escape(fmt.decimal)
    # digits, grouped by threes when a group mark is written, then the decimals
    if not re.fullmatch(rf"(?:\d+|\d{{1,3}}(?:{g}\d{{3}})+)(?:{d}\d+)?|{d}\d+", text):
        raise CellError(f"not an amount: {cell!r}")
    value = plain_decimal(text.replace(fmt.group, "").replace(fmt.decimal, "."))
    if value is None:  # non-ASCII digits ("١٢٣"): the pattern's \d admits them
        raise CellError(f"not an amount: {cell!r}")
    return -value if negative and value else value


def parse_date(cell: str, fmt: DateFormat) -> dt.date | None:
    """The date of a cell in the file's format (None when blank); a time after it is ignored
    (:func:`rapprochement.dates.parse_date`)."""
    try:
        return dates.parse_date(cell, fmt.order)
    except ValueError as exc:
        raise CellError(str(exc)) from None
