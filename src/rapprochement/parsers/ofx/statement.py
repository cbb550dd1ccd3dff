"""An OFX statement aggregate (STMTRS, CCSTMTRS, INVSTMTRS) as it is read, and its Statement.

The tokenizer (:mod:`rapprochement.parsers.ofx.reader`) fills an :class:`OpenStatement` with
the leaves of the aggregate (``CURDEF``, ``DTSTART``/``DTEND``), its account aggregate and its
balances;
:func:`finish_statement` turns it into the :class:`~rapprochement.model.Statement` with the
findings of the statement level (missing account or currency, empty balance, error status,
investment statement, encoding note).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rapprochement.model import Balance, Finding, SourceRef, Statement
from rapprochement.parsers._common.values import (
    MODEL_ERRORS,
    NO_CURRENCY,
    checked_statement,
    model_problem,
    usable_currency,
)
from rapprochement.parsers.ofx.entry import clean_iban
from rapprochement.parsers.ofx.text import parse_amount_text, parse_date, parse_datetime, unescape

__all__ = ["OpenStatement", "finish_statement"]


class OpenStatement:
    """An open statement: what has been read of it so far."""

    __slots__ = (
        "account", "begun", "ccy", "fields", "findings", "index", "kind", "line", "status"
    )  # fmt: skip

    def __init__(self, kind: str, index: int, line: int, status: str | None) -> None:
        self.kind = kind
        self.index = index
        self.line = line
        self.status = status
        self.fields: dict[str, str] = {}
        self.account: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.begun = False
        self.ccy: str | None = None

    def account_id(self) -> str | None:
        """ACCTID of the statement's account aggregate, None when absent or empty."""
        raw = self.account.get("ACCTID", "").strip()
        return unescape(raw) if raw else None

    def currency(self) -> str:
        """CURDEF when it is an ISO 4217 code, else ``XXX`` (ISO "no currency")."""
        ccy = self.fields.get("CURDEF", "").strip().upper()
        return ccy if usable_currency(ccy) else NO_CURRENCY


def finish_statement(
    cur: OpenStatement,
    *,
    source: SourceRef,
    created_at_raw: str | None,
    version: str | None,
    note: str | None,
) -> Statement:
    """The :class:`Statement` of a closed statement aggregate, with its findings."""
    src = source
    findings = cur.findings
    if note:
        findings.append(Finding(code="encoding", severity="info", message=note, source=src))
    if cur.status == "ERROR":
        findings.append(
            Finding(
                code="status-error",
                severity="warning",
                message="the bank's response STATUS has SEVERITY ERROR for this statement",
                source=src,
            )
        )
    if cur.kind == "investment":
        findings.append(
            Finding(
                code="investment-statement",
                severity="info",
                message="investment statement (INVSTMTRS): only its bank transactions "
                "(INVBANKTRAN) are read; trades, income and positions are skipped",
                source=src,
            )
        )
    acct = cur.account_id()
    iban = clean_iban(acct) if acct else None
    if acct is None:
        findings.append(
            Finding(
                code="missing-account",
                severity="warning",
                message="the statement has no account id (ACCTID)",
                source=src,
            )
        )
    ccy = cur.fields.get("CURDEF", "").strip().upper()
    if not usable_currency(ccy):
        findings.append(
            Finding(
                code="bad-currency" if ccy else "missing-currency",
                severity="warning",
                message=f"CURDEF {ccy!r} is not an ISO 4217 currency code; entries without a "
                "CURRENCY of their own are marked XXX",
                source=src,
            )
        )
        ccy = ""
    return checked_statement(
        src,
        account_iban=iban,
        account_number=None if iban else acct,
        currency=ccy or None,
        created_at=_datetime(created_at_raw),
        period_start=_date(cur, "DTSTART", src),
        period_end=_date(cur, "DTEND", src),
        closing_balance=_balance(cur, "LEDGERBAL", src),
        available_balance=_balance(cur, "AVAILBAL", src),
        source_format="ofx",
        source_version=version,
        findings=tuple(findings),
    )


def _datetime(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        return None


def _date(cur: OpenStatement, key: str, src: SourceRef) -> dt.date | None:
    raw = cur.fields.get(key, "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except ValueError as exc:
        cur.findings.append(
            Finding(code="bad-date", severity="warning", message=f"{key}: {exc}", source=src)
        )
        return None


def _balance(cur: OpenStatement, key: str, src: SourceRef) -> Balance | None:
    packed = cur.fields.get("\x00" + key)
    if packed is None:
        return None
    raw_amount, _, raw_date = packed.partition("\x00")
    if not raw_amount.strip():
        cur.findings.append(
            Finding(
                code="empty-balance",
                severity="warning",
                message=f"{key} has no BALAMT; the balance is left empty",
                source=src,
            )
        )
        return None
    try:
        amount: Decimal = parse_amount_text(raw_amount)
    except ValueError as exc:
        cur.findings.append(
            Finding(code="bad-balance", severity="error", message=f"{key}: {exc}", source=src)
        )
        return None
    date = None
    if raw_date.strip():
        try:
            date = parse_date(raw_date.strip())
        except ValueError as exc:
            cur.findings.append(
                Finding(code="bad-date", severity="warning", message=f"{key}: {exc}", source=src)
            )
    try:
        return Balance(amount=amount, date=date, type=key)
    except MODEL_ERRORS as exc:
        cur.findings.append(
            Finding(
                code="bad-balance",
                severity="error",
                message=f"{key}: {model_problem(exc)}; the balance is left empty",
                source=src,
            )
        )
        return None
