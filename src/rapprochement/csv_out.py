"""The CSV files rapprochement writes, safe to open in a spreadsheet (no formula injection).

Excel, LibreOffice and Google Sheets read a cell that starts with ``=``, ``+``, ``-`` or ``@``
(or a tab or carriage return before one) as a formula: a payer named
``=HYPERLINK("http://evil.example", "Invoice")`` would become a link in the accountant's export.
As OWASP recommends for CSV exports, every *text* cell starting with one of
:data:`FORMULA_TRIGGERS` is written with a leading single quote, which spreadsheets show as text.

Which cells are numbers is decided by the **column**, never by the value: an amount column keeps
``-12.50`` a number, while a payer named ``-12.50`` in a text column gets its quote. Every CSV the
tool writes (``export``, ``parse --csv``) goes through :func:`write_csv`.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

__all__ = ["FORMULA_TRIGGERS", "neutralize", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, plus the
#: full-width forms some spreadsheets also accept).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralize(text: str) -> str:
    """``text`` as a spreadsheet will show it: a leading ``'`` before a formula trigger."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _number(value: Any, column: str, comma: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        return str(value).replace(".", ",") if comma else str(value)
    raise TypeError(f"CSV column {column!r} holds numbers, got {type(value).__name__} {value!r}")


def write_csv(
    fh: TextIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any] | Sequence[Any]],
    *,
    numeric: Collection[str] = (),
    lineterminator: str = "\r\n",
    excel_fr: bool = False,
) -> int:
    """Write a header and ``rows`` to ``fh``; returns the number of rows.

    Args:
        fh: an open text file (``newline=""``) or stream.
        columns: the header, in order.
        rows: mappings by column name (missing keys are empty) or sequences in column order.
        numeric: the columns holding numbers (``int``, ``Decimal``, ``float`` or None), written
            as they are; every other cell is text, neutralized by :func:`neutralize`.
        lineterminator: ``"\\r\\n"`` (RFC 4180) or ``"\\n"``.
        excel_fr: as French Excel reads a CSV: ``;`` separated, numbers with a decimal comma
            (open the file with a UTF-8 BOM so Excel reads accents: ``encoding="utf-8-sig"``).

    Raises:
        ValueError: ``numeric`` names a column not in ``columns``.
        TypeError: a numeric column holds something else than a number (a bug of the caller).
    """
    unknown = set(numeric) - set(columns)
    if unknown:
        raise ValueError(f"numeric columns not in the header: {sorted(unknown)}")
    is_number = [c in numeric for c in columns]
    writer = csv.writer(fh, lineterminator=lineterminator, delimiter=";" if excel_fr else ",")
    writer.writerow([neutralize(c) for c in columns])
    n = 0
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        writer.writerow(
            [
                _number(v, c, excel_fr) if num else ("" if v is None else neutralize(str(v)))
                for c, v, num in zip(columns, values, is_number, strict=True)
            ]
        )
        n += 1
    return n
