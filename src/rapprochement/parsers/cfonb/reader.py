"""CFONB 120 (French "relevé de compte sur support informatique", AFB 120) parser.

The statement format French banks deliver over EBICS and their web banking, next to CAMT.053.
Fixed records of 120 characters, one per line (some exports put them end to end without line
breaks, some cut the trailing blanks: both are read):

``01`` old balance (opens a statement) · ``04`` movement (one entry) · ``05`` complement of the
movement before it (qualifier + 70 characters, see :mod:`~rapprochement.parsers.cfonb.fields`) ·
``07`` new balance (closes the statement). A file holds any number of statements, one per
account and period.

Positions used (1-based, as in the CFONB specification): 1–2 record code, 3–7 bank code, 8–11
internal operation code, 12–16 desk (guichet), 17–19 currency, 20 number of decimals, 22–32
account number, 33–34 interbank operation code, 35–40 date (JJMMAA: balance date, or booking
date of a movement), 41–42 reject reason, 43–48 value date, 49–79 label, 82–88 entry number,
89 exoneration code, 90 unavailability code, 91–104 amount, 105–120 reference.

The account is given as bank, desk and account number (a RIB without its key): the IBAN is
computed from them (:func:`~rapprochement.parsers.cfonb.fields.french_iban`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, BinaryIO

from rapprochement.errors import MalformedStatementError
from rapprochement.model import Balance, Entry, Finding, Severity, SourceRef, Statement, Transaction
from rapprochement.money import currency_exponent
from rapprochement.parsers._common import Event, StatementBegin, collect
from rapprochement.parsers._common.lines import iter_lines
from rapprochement.parsers._common.values import (
    MODEL_ERRORS,
    checked_statement,
    model_problem,
    usable_currency,
)
from rapprochement.parsers.cfonb.fields import (
    AmountError,
    Complements,
    french_iban,
    label_party,
    parse_amount,
    parse_date,
)
from rapprochement.parsers.mt940.field86 import join_wrapped, structured_reference

__all__ = ["FORMAT", "iter_events", "parse", "sniff"]

#: The format family this module reads.
FORMAT = "cfonb"
RECORD = 120

_SNIFF = re.compile(rb"0[147]\d{5}[ 0-9A-Z]{4}\d{5}[A-Z ]{3}[0-9 ] [ 0-9A-Z]{11}")
_RECORD_START = re.compile(r"0[1457]\d{5}")


def sniff(head: bytes) -> bool:
    """True when the file starts with a CFONB 120 record (``01``, ``04`` or ``07``)."""
    return _SNIFF.match(head) is not None


def parse(data: bytes, *, filename: str | None = None) -> list[Statement]:
    """All statements of a CFONB 120 file's bytes."""
    return collect(iter_events(io.BytesIO(data), filename=filename, member=None))


def _records(lines: Iterator[str]) -> Iterator[tuple[int, str, str | None]]:
    """``(line number, record, problem)``: each record padded to 120 characters; records put
    end to end on one line are split; ``problem`` says what was odd about the line's length."""
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if not line:
            continue
        if (
            len(raw) > RECORD
            and len(raw) % RECORD == 0
            and all(_RECORD_START.match(raw, k) for k in range(0, len(raw), RECORD))
        ):
            for k in range(0, len(raw), RECORD):
                yield lineno, raw[k : k + RECORD], None
            continue
        problem = None
        if len(line) > RECORD:
            problem = f"{len(line)} characters, not {RECORD}: the characters after {RECORD} ignored"
        yield lineno, line[:RECORD].ljust(RECORD), problem


class _Statement:
    """One statement being read (between a ``01`` and its ``07``)."""

    def __init__(self, index: int, source: SourceRef, record: str) -> None:
        self.index = index
        self.source = source
        self.bank, self.desk, self.account = record[2:7], record[11:16], record[21:32].strip()
        self.currency = _currency(record)
        self.iban = french_iban(self.bank, self.desk, self.account)
        self.number = f"{self.bank}{self.desk}{self.account}"
        self.findings: list[Finding] = []
        self.opening: Balance | None = None
        self.closing: Balance | None = None
        self.began = False

    def finding(self, code: str, severity: Severity, message: str, line: int) -> None:
        src = self.source.model_copy(update={"line": line})
        self.findings.append(Finding(code=code, severity=severity, message=message, source=src))

    def begin(self) -> StatementBegin | None:
        if self.began:
            return None
        self.began = True
        return StatementBegin(self.index, self.iban or self.number)

    def same_account(self, record: str) -> bool:
        return (record[2:7], record[11:16], record[21:32].strip()) == (
            self.bank,
            self.desk,
            self.account,
        )

    def build(self) -> Statement:
        return checked_statement(
            self.source,
            account_iban=self.iban,
            account_number=None if self.iban else self.number,
            currency=self.currency,
            period_start=self.opening.date if self.opening else None,
            period_end=self.closing.date if self.closing else None,
            opening_balance=self.opening,
            closing_balance=self.closing,
            source_format="cfonb120",
            source_version="CFONB 120",
            findings=tuple(self.findings),
        )


def _currency(record: str) -> str | None:
    """The record's currency (positions 17-19) when it is an ISO 4217 code, else None."""
    ccy = record[16:19]
    return ccy if usable_currency(ccy) else None


def _decimals(record: str, stmt: _Statement, lineno: int) -> int:
    """The record's number of decimals (position 20), else the currency's, else 2."""
    mark = record[19]
    if "0" <= mark <= "9":
        return int(mark)
    ccy = _currency(record) or stmt.currency
    fallback = currency_exponent(ccy) if ccy else 2
    stmt.finding(
        "no-decimals",
        "warning",
        f"number of decimals {mark!r} is not a digit; {fallback} used (the currency's)",
        lineno,
    )
    return fallback


def _balance(record: str, stmt: _Statement, lineno: int) -> Balance | None:
    try:
        amount = parse_amount(record[90:104], _decimals(record, stmt, lineno))
    except AmountError as exc:
        stmt.finding("bad-balance", "error", f"{exc}; balance left out", lineno)
        return None
    day = parse_date(record[34:40])
    if day is None and record[34:40].strip():
        stmt.finding("bad-date", "warning", f"impossible date {record[34:40]!r}", lineno)
    try:
        return Balance(amount=amount, date=day, type=record[0:2])
    except MODEL_ERRORS as exc:
        stmt.finding("bad-balance", "error", f"{model_problem(exc)}; balance left out", lineno)
        return None


class _Movement:
    """A ``04`` record waiting for its ``05`` complements."""

    def __init__(self, record: str, lineno: int, amount: Decimal) -> None:
        self.record = record
        self.lineno = lineno
        self.amount = amount
        self.complements = Complements()


def _entry(mv: _Movement, stmt: _Statement) -> Entry:
    rec = mv.record
    credit = mv.amount > 0
    fields: dict[str, Any] = mv.complements.fields(credit)
    instructed = fields.get("instructed_currency")
    if instructed is not None and not usable_currency(instructed):
        stmt.finding(
            "bad-currency",
            "warning",
            f"MMO currency {instructed!r} is not an ISO 4217 currency code; left empty",
            mv.lineno,
        )
        del fields["instructed_currency"]
    label = join_wrapped([rec[48:79].rstrip(), *mv.complements.label_lines], 31)
    remittance = mv.complements.remittance_text()
    fields["remittance_info"] = remittance or label
    if "counterparty_name" not in fields and (name := label_party(label, credit)):
        fields["counterparty_name"] = name  # no NPY / NBE complement: the label's
    fields["remittance_lines"] = tuple(
        s.strip()
        for s in (mv.complements.remittance or [rec[48:79], *mv.complements.label_lines])
        if s.strip()
    )
    if "structured_reference" not in fields:
        ref = structured_reference(fields["remittance_info"])
        if ref:
            fields["structured_reference"] = ref
    extra: dict[str, str] = fields.setdefault("extra", {})
    for key, (a, b) in {
        "internal_code": (7, 11),
        "entry_number": (81, 88),
        "reject_code": (40, 42),
        "exoneration_code": (88, 89),
        "unavailability_code": (89, 90),
    }.items():
        if value := rec[a:b].strip():
            extra[key] = value
    booking, value_date = parse_date(rec[34:40]), parse_date(rec[42:48])
    for what, text, day in (("booking", rec[34:40], booking), ("value", rec[42:48], value_date)):
        if day is None and text.strip():
            stmt.finding("bad-date", "warning", f"impossible {what} date {text!r}", mv.lineno)
    currency = _currency(rec) or stmt.currency
    if currency is None or currency != rec[16:19]:
        stmt.finding(
            "bad-currency",
            "warning",
            f"currency {rec[16:19]!r} is not an ISO 4217 code; {currency or 'XXX'} used",
            mv.lineno,
        )
    currency = currency or "XXX"
    tx = Transaction(amount=mv.amount, currency=currency, **fields)
    return Entry(
        amount=mv.amount,
        currency=currency,
        booking_date=booking,
        value_date=value_date,
        status="booked",
        bank_transaction_code=rec[32:34].strip() or None,
        bank_reference=rec[104:120].strip() or None,
        additional_info=label or None,
        transactions=(tx,),
        source=stmt.source.model_copy(update={"line": mv.lineno}),
    )


class _Reader:
    def __init__(self, filename: str | None, member: str | None) -> None:
        self.filename = filename
        self.member = member
        self.stmt: _Statement | None = None
        self.pending: _Movement | None = None
        self.index = 0
        self.produced = 0
        self.out: list[Event] = []

    def open(self, record: str, lineno: int) -> _Statement:
        src = SourceRef(
            file=self.filename, statement_index=self.index, line=lineno, member=self.member
        )
        self.stmt = _Statement(self.index, src, record)
        self.index += 1
        return self.stmt

    def flush(self) -> None:
        mv, stmt = self.pending, self.stmt
        self.pending = None
        if mv is None or stmt is None:
            return
        begin = stmt.begin()
        if begin is not None:
            self.out.append(begin)
        try:
            self.out.append(_entry(mv, stmt))
        except MODEL_ERRORS as exc:
            stmt.finding("bad-entry", "error", f"entry skipped: {model_problem(exc)}", mv.lineno)

    def close(self, lineno: int | None) -> None:
        self.flush()
        stmt = self.stmt
        if stmt is None:
            return
        if stmt.closing is None and lineno is None:
            stmt.finding(
                "no-closing-balance",
                "warning",
                "the file ends before the new-balance record (07): cut short?",
                stmt.source.line or 1,
            )
        begin = stmt.begin()
        if begin is not None:
            self.out.append(begin)
        self.out.append(stmt.build())
        self.produced += 1
        self.stmt = None

    def record(self, lineno: int, rec: str, problem: str | None) -> None:
        code = rec[0:2]
        stmt = self.stmt
        if code == "01":
            if stmt is not None:
                stmt_line = lineno
                self.flush()
                stmt.finding(
                    "no-closing-balance",
                    "warning",
                    f"a new statement starts at line {stmt_line} before this one's 07 record",
                    stmt_line,
                )
                self.close(stmt_line)
            stmt = self.open(rec, lineno)
            stmt.opening = _balance(rec, stmt, lineno)
        elif code in ("04", "05", "07"):
            if stmt is None:
                stmt = self.open(rec, lineno)
                stmt.finding(
                    "no-opening-balance",
                    "warning",
                    f"record {code} before any old-balance record (01): no opening balance",
                    lineno,
                )
            elif code != "05" and not stmt.same_account(rec):
                stmt.finding(
                    "account-mismatch",
                    "warning",
                    f"record {code} is for account {rec[2:7]} {rec[11:16]} {rec[21:32].strip()},"
                    f" the statement for {stmt.bank} {stmt.desk} {stmt.account}",
                    lineno,
                )
            if code == "04":
                self.flush()
                try:
                    amount = parse_amount(rec[90:104], _decimals(rec, stmt, lineno))
                except AmountError as exc:
                    stmt.finding("bad-entry", "error", f"entry skipped: {exc}", lineno)
                    return
                self.pending = _Movement(rec, lineno, amount)
            elif code == "05":
                if self.pending is None:
                    stmt.finding(
                        "orphan-complement",
                        "warning",
                        f"complement record (05) {rec[45:48]!r} follows no movement (04): skipped",
                        lineno,
                    )
                    return
                self.pending.complements.add(rec[45:48].strip() or "???", rec[48:118])
            else:
                self.flush()
                stmt.closing = _balance(rec, stmt, lineno)
                self.close(lineno)
        elif stmt is not None:
            stmt.finding(
                "unknown-record",
                "info",
                f"record code {code!r} is not a CFONB 120 statement record: skipped",
                lineno,
            )
        if problem and self.stmt is not None:
            self.stmt.finding("bad-record-length", "warning", f"record: {problem}", lineno)


def iter_events(
    stream: BinaryIO, *, filename: str | None = None, member: str | None = None
) -> Iterator[Event]:
    """Events of a CFONB 120 stream: per statement, its begin, entries, then the statement."""
    reader = _Reader(filename, member)
    # No line length limit: some banks put every 120-character record end to end on one line.
    for lineno, rec, problem in _records(iter_lines(stream, max_line=None)):
        reader.record(lineno, rec, problem)
        if reader.out:
            yield from reader.out
            reader.out.clear()
    reader.close(None)
    yield from reader.out
    if reader.produced == 0:
        raise MalformedStatementError(
            "no CFONB 120 statement found (no 01, 04 or 07 record)",
            file=filename,
            location=member,
            hint="check that the file is a CFONB 120 (AFB 120) statement export",
        )
