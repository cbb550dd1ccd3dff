"""The statement header of a CAMT ``Stmt``/``Rpt``/``Ntfctn``: account, balances, summary.

Balances (``Bal``): ``OPBD`` is the opening balance, else ``PRCD`` (previous closing booked);
``CLBD`` the closing, ``CLAV`` the available balance; every other type is kept in
``other_balances`` with its code. The sign follows ``CdtDbtInd`` (``DBIT`` → negative); a
balance without it is read as a credit, with a finding.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from rapprochement.model import Balance, Entry
from rapprochement.parsers.camt.values import (
    Findings,
    Paths,
    excess_decimals,
    parse_count,
    parse_date,
    parse_datetime,
    parse_decimal,
    valid_currency,
)

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["StatementHeader", "read_header", "summary_findings"]


class StatementHeader:
    """Header values of one statement, and running figures for the summary check."""

    __slots__ = (
        "_created",
        "account_bic",
        "account_iban",
        "account_number",
        "account_owner",
        "available",
        "closing",
        "credit_count",
        "credit_sum",
        "currency",
        "debit_count",
        "debit_sum",
        "opening",
        "others",
        "period_end",
        "period_start",
        "sequence",
        "statement_id",
        "summary",
    )

    def __init__(self) -> None:
        self.account_iban: str | None = None
        self.account_number: str | None = None
        self.account_bic: str | None = None
        self.account_owner: str | None = None
        self.currency: str | None = None
        self.statement_id: str | None = None
        self.sequence: str | None = None
        self._created: str | None = None
        self.period_start: dt.date | None = None
        self.period_end: dt.date | None = None
        self.opening: Balance | None = None
        self.closing: Balance | None = None
        self.available: Balance | None = None
        self.others: list[Balance] = []
        #: TxsSummry figures as stated: (path, number of entries or None, sum or None).
        self.summary: list[tuple[str, int | None, Decimal | None]] = []
        self.credit_count = 0
        self.debit_count = 0
        self.credit_sum = Decimal(0)
        self.debit_sum = Decimal(0)

    def tally(self, entry: Entry) -> None:
        """Count an entry for the TxsSummry check (every status, as banks count them)."""
        if entry.amount < 0:
            self.debit_count += 1
            self.debit_sum -= entry.amount
        else:
            self.credit_count += 1
            self.credit_sum += entry.amount

    def created_at(self, message_created: str | None) -> dt.datetime | None:
        """Statement CreDtTm, else the message's GrpHdr/CreDtTm."""
        text = self._created or message_created
        return parse_datetime(text) if text else None


def read_header(stmt: _Element, p: Paths, findings: Findings, xpath: str) -> StatementHeader:
    """Everything of a statement that precedes its first ``Ntry``."""
    h = StatementHeader()
    h.statement_id = p.text(stmt, "Id")
    h.sequence = p.first_text(stmt, "ElctrncSeqNb", "LglSeqNb")
    h._created = p.text(stmt, "CreDtTm")
    start = p.first_text(stmt, "FrToDt/FrDtTm", "FrToDt/FrDt")
    end = p.first_text(stmt, "FrToDt/ToDtTm", "FrToDt/ToDt")
    h.period_start = parse_date(start) if start else None
    h.period_end = parse_date(end) if end else None
    iban = p.text(stmt, "Acct/Id/IBAN")
    h.account_iban = "".join(iban.split()).upper() if iban else None
    h.account_number = (
        None if iban else p.first_text(stmt, "Acct/Id/Othr/Id", "Acct/Id/PrtryAcct/Id")
    )
    h.account_owner = p.first_text(stmt, "Acct/Ownr/Nm", "Acct/Ownr/Pty/Nm", "Acct/Nm")
    h.account_bic = p.first_text(stmt, "Acct/Svcr/FinInstnId/BIC", "Acct/Svcr/FinInstnId/BICFI")
    ccy = p.text(stmt, "Acct/Ccy")
    for i, bal in enumerate(p.findall(stmt, "Bal"), 1):
        got = _balance(bal, p, findings, f"{xpath}/Bal[{i}]")
        if got is None:
            continue
        balance, bal_ccy = got
        ccy = ccy or bal_ccy
        code = balance.type
        if code == "OPBD" and (h.opening is None or h.opening.type != "OPBD"):
            if h.opening is not None:
                h.others.append(h.opening)
            h.opening = balance
        elif code == "PRCD" and h.opening is None:
            h.opening = balance
        elif code == "CLBD" and h.closing is None:
            h.closing = balance
        elif code == "CLAV" and h.available is None:
            h.available = balance
        else:
            h.others.append(balance)
    h.currency = ccy if valid_currency(ccy) else None
    if ccy is not None and h.currency is None:
        findings.add(
            "bad-currency",
            "warning",
            f"{xpath}: account currency {ccy!r} is not an ISO 4217 currency code; not used",
            xpath,
        )
    for path in ("TtlNtries", "TtlCdtNtries", "TtlDbtNtries"):
        node = p.find(stmt, f"TxsSummry/{path}")
        if node is None:
            continue
        count = p.text(node, "NbOfNtries")
        total = p.first_text(node, "Sum", "TtlNetNtry/Amt", "TtlNetNtryAmt")
        h.summary.append(
            (
                path,
                parse_count(count),
                parse_decimal(total) if total and path != "TtlNtries" else None,
            )
        )
    return h


def _balance(
    bal: _Element, p: Paths, findings: Findings, where: str
) -> tuple[Balance, str | None] | None:
    code = p.first_text(bal, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry", "Tp/Cd", "Tp/Prtry")
    amt = p.find(bal, "Amt")
    amount = parse_decimal(amt.text or "") if amt is not None else None
    if amount is None:
        text = None if amt is None else amt.text
        findings.add(
            "bad-balance",
            "warning",
            f"{where}/Amt {text!r} is not an amount; balance ignored",
            where,
        )
        return None
    assert amt is not None
    ccy = amt.get("Ccy")
    if valid_currency(ccy) and excess_decimals(amount, str(ccy)):
        findings.add(
            "excess-decimals",
            "warning",
            f"{where}/Amt {amount} has more decimals than {ccy} allows; kept exactly",
            where,
        )
    ind = p.text(bal, "CdtDbtInd")
    if ind not in ("CRDT", "DBIT"):
        findings.add(
            "balance-without-indicator",
            "warning",
            f"{where} ({code}) has CdtDbtInd {ind!r}; read as a credit balance",
            where,
        )
    if ind == "DBIT" and amount:
        amount = -amount
    text = p.first_text(bal, "Dt/Dt", "Dt/DtTm")
    date = parse_date(text) if text else None
    if text and date is None:
        findings.add("bad-date", "warning", f"{where}/Dt {text!r} is not a date", where)
    return Balance.model_construct(amount=amount, date=date, type=code), ccy


def summary_findings(h: StatementHeader, findings: Findings, xpath: str, entries: int) -> None:
    """A ``summary-mismatch`` finding per TxsSummry figure the entries contradict."""
    got = {
        "TtlNtries": (entries, None),
        "TtlCdtNtries": (h.credit_count, h.credit_sum),
        "TtlDbtNtries": (h.debit_count, h.debit_sum),
    }
    for path, count, total in h.summary:
        have_count, have_sum = got[path]
        problems = []
        if count is not None and count != have_count:
            problems.append(f"NbOfNtries {count} but {have_count} entries")
        if total is not None and have_sum is not None and total != have_sum:
            problems.append(f"Sum {total} but the entries sum to {have_sum}")
        if problems:
            findings.add(
                "summary-mismatch",
                "warning",
                f"{xpath}/TxsSummry/{path}: " + "; ".join(problems),
                f"{xpath}/TxsSummry/{path}",
            )
