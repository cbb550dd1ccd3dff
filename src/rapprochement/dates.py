"""Calendar dates written as text: ISO, ``yyyymmdd``, and ``31/12/2026`` or ``12/31/2026`` with
the day/month order decided once for a whole column (or file), never value by value.

One reader for every place that reads user-written dates: bank CSV exports
(:mod:`rapprochement.parsers.csv.values`), the invoice CSV import of the ledger, and the frames
given to :func:`rapprochement.reconcile`. So ``03/04/2026`` is never 3 April in one place and 4
March in another, nor 4 March on one row and 13 April (``13/04/2026``) on the next.

Accepted forms (a time after the date is ignored: ``2026-04-03T23:30:00+02:00`` is 3 April, the
date as written in its own zone):

* year first: ``2026-04-03``, ``2026/4/3``, ``2026.04.03``, ``20260403``;
* day or month first, ``/``, ``.`` or ``-`` separated, 4- or 2-digit year (``26`` → 2026,
  ``85`` → 1985): ``03/04/2026``, ``3.4.26``.

:func:`date_kind` tells which orders a text fits; :func:`column_order` decides the order of a
column from the kinds of all its values; :func:`parse_date` reads one text in that order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Literal

__all__ = [
    "AmbiguousDateOrderError",
    "DateFormat",
    "DateKind",
    "DateOrder",
    "MixedDateOrderError",
    "column_order",
    "date_format",
    "date_kind",
    "parse_date",
]

#: How a column writes its dates: year first, day first or month first.
DateOrder = Literal["ymd", "dmy", "mdy"]
#: What one text fits: ``iso`` (year first), ``dmy`` only (first number above 12), ``mdy`` only
#: (second number above 12), ``either`` (both numbers at most 12), ``neither`` (both above 12).
DateKind = Literal["iso", "dmy", "mdy", "either", "neither"]

_TIME = r"(?:[T ].*)?$"  # a time (and zone) may follow the date; nothing else may
_YMD = re.compile(r"(\d{4})(?:([./-])(\d{1,2})\2(\d{1,2})|(\d\d)(\d\d))" + _TIME)
_DMY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d\d)" + _TIME)


class AmbiguousDateOrderError(ValueError):
    """Every day-or-month-first date of a column reads both ways (``03/04/2026``)."""


class MixedDateOrderError(ValueError):
    """A column has dates that are day first only (``13/04``) and others month first only."""


class DateFormat:
    """How a file writes dates: ISO (year first), or day first, or month first."""

    def __init__(self, order: DateOrder) -> None:
        self.order: DateOrder = order


def date_kind(text: str) -> DateKind | None:
    """Which orders ``text`` fits (see :data:`DateKind`), None when it is no date form at all."""
    text = text.strip()
    if _YMD.match(text):
        return "iso"
    m = _DMY.match(text)
    if m is None:
        return None
    a, b = int(m.group(1)), int(m.group(3))
    if a > 12 and b > 12:
        return "neither"
    return "dmy" if a > 12 else "mdy" if b > 12 else "either"


def column_order(kinds: Iterable[DateKind | None], dayfirst: bool | None = None) -> DateOrder:
    """The order of a column, from the kinds of its values (repeats do not matter).

    Args:
        kinds: :func:`date_kind` of the column's texts.
        dayfirst: True (``31/12/2026``) or False (``12/31/2026``) imposes the order; None
            decides it from the values: day first when one shows it (``13/04/2026``), month
            first when one shows that (``04/13/2026``), year first when every value is ISO.

    Raises:
        MixedDateOrderError: ``dayfirst`` is None and values show both orders.
        AmbiguousDateOrderError: ``dayfirst`` is None and no value shows the order.
    """
    if dayfirst is not None:
        return "dmy" if dayfirst else "mdy"
    seen = set(kinds)
    if "dmy" in seen and "mdy" in seen:
        raise MixedDateOrderError("some dates are day first, others month first")
    if "dmy" in seen:
        return "dmy"
    if "mdy" in seen:
        return "mdy"
    if "either" in seen:
        raise AmbiguousDateOrderError("every date reads both day first and month first")
    return "ymd"


def date_format(cells: Iterable[str]) -> DateFormat:
    """The date order of a bank CSV export, from all its date cells: year first when the dates
    are ISO; else day first unless more values show month first (US exports). Unlike
    :func:`column_order`, a file that never tells is day first (European banks' exports)."""
    day_first = month_first = iso = 0
    for cell in cells:
        kind = date_kind(cell)
        iso += kind == "iso"
        day_first += kind in ("dmy", "neither")
        month_first += kind in ("mdy", "neither")
    if iso and not (day_first or month_first):
        return DateFormat("ymd")
    return DateFormat("mdy" if month_first > day_first else "dmy")


def parse_date(text: str, order: DateOrder) -> dt.date | None:
    """The date ``text`` means in a column of ``order`` (None when blank). Year-first text is
    read as such whatever the order; a day-or-month-first text in a ``ymd`` column is read
    day first.

    Raises:
        ValueError: not a date form, or an impossible date (``30/02/2026``, month 13).
    """
    text = text.strip()
    if not text:
        return None
    m = _YMD.match(text)
    if m is not None:
        y, mo, d = m.group(1), m.group(3) or m.group(5), m.group(4) or m.group(6)
        return _date(int(y), int(mo), int(d), text)
    m = _DMY.match(text)
    if m is None:
        raise ValueError(f"not a date: {text!r}")
    a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if len(m.group(4)) == 2:
        y += 2000 if y < 80 else 1900
    day, month = (b, a) if order == "mdy" else (a, b)
    return _date(y, month, day, text)


def _date(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"impossible date: {text!r}") from None
