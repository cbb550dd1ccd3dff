"""Bank CSV exports (web banking downloads): the format ``"csv"`` of ``read_statement``.

What is read (see :mod:`~rapprochement.parsers.csv.values` for the column names and formats):

* the header is the first line (of the first 30) whose columns name a booking date and an
  amount (one signed amount column, or a debit and a credit column); lines before it (account
  number, period, balances some banks print first) are skipped; the statement's account is the
  IBAN of an own-account column (``Auftragskonto``, ``Rekening``), else an IBAN among them;
* the separator is the one of ``;``, tab, ``,`` and ``|`` that splits the header into the most
  known columns; quoted cells (``"1 234,56"``) are read as ``csv`` reads them;
* the decimal mark and the date order are decided once per file from all its cells;
* a debit column's amounts are debits whatever their sign; a direction column (``Af``/``Bij``,
  ``D``/``C``, ``S``/``H``) signs an unsigned amount;
* with a balance column, the opening balance is the first line's balance less its amount and
  the closing balance the last line's (lines are put in date order first when the bank lists
  the newest first), so the statement's own arithmetic is checked as for every format;
* a line whose date or amount cannot be read is a finding with its line number; the rest of
  the file is read. A file with a header but no line is a statement without entries.

Every entry is booked, in the currency of its currency column (``EUR``, ``eur``, ``€``, ``Euros``;
a cell that names no ISO 4217 code is a ``bad-currency`` warning and the file's currency is
used), else ``EUR`` with an ``info`` finding (an export without currency is almost always in
the account's home currency). The whole file is read before the first entry is given out: the
number and date formats and the order of the lines are decided from all of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO

from rapprochement.errors import MalformedStatementError
from rapprochement.model import Balance, Entry, Finding, Severity, SourceRef, Statement, Transaction
from rapprochement.parsers._common import Event, StatementBegin, collect
from rapprochement.parsers._common.ident import compact_iban
from rapprochement.parsers._common.lines import choose_legacy_codec, decode_legacy, iter_lines
from rapprochement.parsers._common.values import (
    MODEL_ERRORS,
    checked_statement,
    model_problem,
    usable_currency,
)
from rapprochement.parsers.cfonb.fields import label_party
from rapprochement.parsers.csv.values import (
    AmountFormat,
    CellError,
    amount_format,
    date_format,
    match_columns,
    parse_amount,
    parse_date,
)
from rapprochement.parsers.mt940.field86 import structured_reference

__all__ = ["FORMAT", "iter_events", "parse", "sniff"]

#: The format family this module reads.
FORMAT = "csv"

_HEADER_SCAN = 30
_SEPARATORS = (";", "\t", ",", "|")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,8}(?:[ ]?[A-Z0-9]{1,4})?\b")
_DEFAULT_CURRENCY = "EUR"
_DEBIT_MARKS = {"af", "d", "debit", "s", "soll", "dr", "-"}
_CREDIT_MARKS = {"bij", "c", "credit", "h", "haben", "cr", "+"}


def _split(line: str, sep: str) -> list[str]:
    return next(csv.reader([line], delimiter=sep))


def _header(lines: list[str]) -> tuple[int, str, dict[str, int]] | None:
    """Line index, separator and column roles of the header, or None."""
    for idx, line in enumerate(lines[:_HEADER_SCAN]):
        best: tuple[int, str, dict[str, int]] | None = None
        for sep in _SEPARATORS:
            if sep not in line:
                continue
            roles = match_columns(_split(line, sep))
            has_amount = "amount" in roles or ("debit" in roles and "credit" in roles)
            if (
                "booking_date" in roles
                and has_amount
                and (best is None or len(roles) > len(best[2]))
            ):
                best = (idx, sep, roles)
        if best is not None:
            return best
    return None


def sniff(head: bytes) -> bool:
    """True when one of the first lines is a header naming a date and an amount column."""
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # cut mid-character at the end of the head, or a legacy code page (Débit in CP1252)
        if exc.start >= len(head) - 3:
            text = head[: exc.start].decode("utf-8", errors="replace")
        else:
            text = decode_legacy(head, choose_legacy_codec(head))
    return _header(text.lstrip("\ufeff").splitlines()) is not None


def parse(data: bytes, *, filename: str | None = None) -> list[Statement]:
    """All statements (one) of a bank CSV export's bytes."""
    return collect(iter_events(io.BytesIO(data), filename=filename, member=None))


class _Row:
    __slots__ = ("amount", "booking", "cells", "day", "line", "value")

    def __init__(
        self,
        line: int,
        cells: list[str],
        booking: dt.date | None,
        value: dt.date | None,
        day: dt.date,
        amount: Decimal,
    ) -> None:
        self.line = line
        self.cells = cells
        self.booking = booking
        self.value = value
        #: The date the line is ordered by: its booking date, else its value date.
        self.day = day
        self.amount = amount


def _cell(cells: list[str], roles: dict[str, int], role: str) -> str:
    i = roles.get(role)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def iter_events(
    stream: BinaryIO, *, filename: str | None = None, member: str | None = None
) -> Iterator[Event]:
    """Events of a bank CSV export: its begin, its entries (in date order), the statement."""
    lines = list(iter_lines(stream, filename=filename, member=member))
    found = _header(lines)
    if found is None:
        raise MalformedStatementError(
            "no header line naming a date and an amount column (or debit and credit columns)"
            f" in the first {_HEADER_SCAN} lines",
            file=filename,
            location=member,
            hint="export the statement as CSV with its header line; or use CAMT, MT940, OFX",
        )
    at, sep, roles = found
    source = SourceRef(file=filename, statement_index=0, line=at + 1, member=member)
    findings: list[Finding] = []

    def finding(code: str, severity: Severity, message: str, line: int) -> None:
        where = source.model_copy(update={"line": line})
        findings.append(Finding(code=code, severity=severity, message=message, source=where))

    body = [(n + 1, _split(line, sep)) for n, line in enumerate(lines) if n > at and line.strip()]
    amount_cells = [
        _cell(c, roles, r) for _, c in body for r in ("amount", "debit", "credit", "balance")
    ]
    nfmt = amount_format(x for x in amount_cells if x)
    dfmt = date_format(_cell(c, roles, "booking_date") for _, c in body)
    rows: list[_Row] = []
    balances: dict[int, Decimal] = {}
    for line, cells in body:
        try:
            booking = parse_date(_cell(cells, roles, "booking_date"), dfmt)
            value = parse_date(_cell(cells, roles, "value_date"), dfmt)
            amount = _amount(cells, roles, nfmt)
            balance = parse_amount(_cell(cells, roles, "balance"), nfmt)
        except CellError as exc:
            finding("bad-entry", "error", f"line skipped: {exc}", line)
            continue
        # A line with neither date is no booking (a total, a footer); with a value date only,
        # the value date stands in for the booking date (parsers._checks, with its finding).
        day = booking or value
        if day is None or amount is None:
            if any(c.strip() for c in cells):
                what = "date" if day is None else "amount"
                finding("bad-entry", "error", f"line skipped: no {what}", line)
            continue
        rows.append(_Row(line, cells, booking, value, day, amount))
        if balance is not None:
            balances[line] = balance
    if len(rows) > 1 and rows[0].day > rows[-1].day:
        rows.reverse()  # newest first in the file: put in date order
    account = _account(
        [_cell(rows[0].cells, roles, "account")] if rows and "account" in roles else lines[:at]
    ) or _account(lines[:at])
    codes = {r.line: _currency_code(_cell(r.cells, roles, "currency")) for r in rows}
    currency = next((c for c in codes.values() if c), _DEFAULT_CURRENCY)
    if "currency" not in roles:
        finding("no-currency", "info", "no currency column: amounts read as EUR", at + 1)
    for r in rows:
        cell = _cell(r.cells, roles, "currency")
        if cell and codes[r.line] is None:
            finding(
                "bad-currency",
                "warning",
                f"currency {cell!r} is not an ISO 4217 code; {currency} used",
                r.line,
            )
    yield StatementBegin(0, account)
    for row in rows:
        try:
            yield _entry(row, roles, codes[row.line] or currency, source)
        except MODEL_ERRORS as exc:
            finding("bad-entry", "error", f"line skipped: {model_problem(exc)}", row.line)
    opening = closing = None
    if rows and rows[0].line in balances and rows[-1].line in balances:
        first, last = rows[0], rows[-1]
        try:
            opening = Balance(amount=balances[first.line] - first.amount, date=first.day)
            closing = Balance(amount=balances[last.line], date=last.day)
        except MODEL_ERRORS as exc:
            finding("bad-balance", "error", f"balances left out: {model_problem(exc)}", at + 1)
            opening = closing = None
    yield checked_statement(
        source,
        account_iban=account,
        currency=currency,
        period_start=rows[0].day if rows else None,
        period_end=rows[-1].day if rows else None,
        opening_balance=opening,
        closing_balance=closing,
        source_format="csv",
        source_version=None,
        findings=tuple(findings),
    )


def _amount(cells: list[str], roles: dict[str, int], nfmt: AmountFormat) -> Decimal | None:
    if "amount" in roles:
        amount = parse_amount(_cell(cells, roles, "amount"), nfmt)
        mark = _cell(cells, roles, "direction").lower()
        if amount is not None and mark:
            if mark in _DEBIT_MARKS:
                amount = -abs(amount)
            elif mark in _CREDIT_MARKS:
                amount = abs(amount)
        return amount
    debit = parse_amount(_cell(cells, roles, "debit"), nfmt)
    credit = parse_amount(_cell(cells, roles, "credit"), nfmt)
    if debit and credit:
        raise CellError(f"both a debit ({debit}) and a credit ({credit})")
    if debit:
        return -abs(debit)
    if credit is not None:
        return abs(credit)
    return Decimal(0) if debit is not None else None


def _account(preamble: list[str]) -> str | None:
    for line in preamble:
        for m in _IBAN.finditer(line.upper()):
            iban = compact_iban(m.group(0).replace(" ", ""))
            if iban:
                return iban
    return None


_CURRENCY_NAMES = {"€": "EUR", "EURO": "EUR", "EUROS": "EUR", "£": "GBP"}


def _currency_code(cell: str) -> str | None:
    """The ISO 4217 code a currency cell means (``eur``, ``€``, ``Euros`` → ``EUR``), else None."""
    text = cell.strip().upper()
    text = _CURRENCY_NAMES.get(text, text)
    return text if usable_currency(text) else None


def _entry(row: _Row, roles: dict[str, int], currency: str, source: SourceRef) -> Entry:
    text = _cell(row.cells, roles, "remittance")
    # no counterparty column: French labels name it ("VIR SEPA RECU /DE DUPONT SARL ...")
    name = _cell(row.cells, roles, "counterparty") or label_party(text, row.amount > 0)
    raw_iban = _cell(row.cells, roles, "counterparty_iban").replace(" ", "")
    iban = compact_iban(raw_iban) if raw_iban else None
    ccy = currency
    tx = Transaction(
        amount=row.amount,
        currency=ccy,
        counterparty_name=name,
        counterparty_iban=iban,
        counterparty_account=None if iban or not raw_iban else raw_iban,
        remittance_info=text,
        remittance_lines=(text,) if text else (),
        structured_reference=structured_reference(text),
    )
    return Entry(
        amount=row.amount,
        currency=ccy,
        booking_date=row.booking,
        value_date=row.value,
        status="booked",
        bank_reference=_cell(row.cells, roles, "reference") or None,
        additional_info=text or None,
        transactions=(tx,),
        source=source.model_copy(update={"line": row.line}),
    )
