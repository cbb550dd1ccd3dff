"""Writing journal lines: the French FEC file and a plain journal CSV for other countries.

FEC (fichier des écritures comptables, article A47 A-1 of the Livre des procédures fiscales):
18 columns in the order of :data:`FEC_COLUMNS`, a header line, fields separated by a tab (or
``|``), dates ``YYYYMMDD``, amounts with a decimal comma and no thousands separator, debit and
credit in two columns (the other one ``0,00``), ``Montantdevise`` and ``Idevise`` empty for
lines in the book currency. The file name the administration expects is
``<SIREN>FEC<closing date YYYYMMDD>.txt``; the content is UTF-8.

The plain journal CSV carries the same lines with English headers, ISO dates and dot decimals
(through :func:`rapprochement.csv_out.write_csv`, so no text cell can become a formula).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TextIO

from rapprochement.accounting.journal import JournalEntries, JournalLine
from rapprochement.csv_out import write_csv
from rapprochement.money import from_minor

__all__ = ["FEC_COLUMNS", "JOURNAL_COLUMNS", "fec_rows", "write_fec", "write_journal_csv"]

#: The 18 columns of the FEC, in the order of article A47 A-1.
FEC_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise",
)  # fmt: skip
#: The columns of the plain journal CSV (the same fields, in English).
JOURNAL_COLUMNS = (
    "journal", "journal_label", "entry", "date", "account", "account_label", "aux_account",
    "aux_label", "document", "document_date", "label", "debit", "credit", "lettering",
    "lettering_date", "validated", "currency_amount", "currency",
)  # fmt: skip

_FIELD_BREAKS = re.compile(r"[\t|\r\n\x00-\x1f]+")


def _text(value: str) -> str:
    """A text field with no separator, line break or control character in it."""
    return _FIELD_BREAKS.sub(" ", value).strip()


def _fec_date(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%Y%m%d")


def _fec_amount(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency):f}".replace(".", ",")


def _fields(x: JournalLine) -> tuple[object, ...]:
    return (
        x.journal.code, x.journal.label, x.entry_number, x.entry_date, x.account.number,
        x.account.label, x.aux_number, x.aux_label, x.piece_ref, x.piece_date, x.label,
        x.debit_minor, x.credit_minor, x.lettering, x.lettering_date, x.valid_date,
    )  # fmt: skip


def fec_rows(entries: JournalEntries) -> Iterator[list[str]]:
    """The FEC fields of each line as text, in :data:`FEC_COLUMNS` order."""
    for x in entries.lines:
        out: list[str] = []
        for i, value in enumerate(_fields(x)):
            if i in (11, 12):
                out.append(_fec_amount(int(str(value)), x.currency))
            elif isinstance(value, dt.date) or (value is None and i in (14, 15)):
                out.append(_fec_date(value if isinstance(value, dt.date) else None))
            else:
                out.append(_text(str(value)))
        out += ["", ""]  # Montantdevise, Idevise: lines are in the book currency
        yield out


def write_fec(entries: JournalEntries, fh: TextIO, *, separator: str = "\t") -> int:
    """Write the FEC (header and lines) to ``fh``; returns the number of lines.

    Args:
        separator: ``"\\t"`` (tab) or ``"|"``, the two the administration accepts.
    """
    if separator not in ("\t", "|"):
        raise ValueError("the FEC separator is a tab or '|'")
    fh.write(separator.join(FEC_COLUMNS) + "\r\n")
    n = 0
    for row in fec_rows(entries):
        fh.write(separator.join(row) + "\r\n")
        n += 1
    return n


def write_journal_csv(entries: JournalEntries, fh: TextIO, *, excel_fr: bool = False) -> int:
    """Write the plain journal CSV (ISO dates, dot decimals; ``excel_fr``: ``;`` separated,
    decimal commas) to ``fh``; returns the lines."""

    def rows() -> Iterator[list[object]]:
        for x in entries.lines:
            values = list(_fields(x))
            values[11] = from_minor(x.debit_minor, x.currency)
            values[12] = from_minor(x.credit_minor, x.currency)
            yield [*("" if v is None else v for v in values), None, ""]

    numeric = ("entry", "debit", "credit", "currency_amount")
    return write_csv(fh, JOURNAL_COLUMNS, rows(), numeric=numeric, excel_fr=excel_fr)
