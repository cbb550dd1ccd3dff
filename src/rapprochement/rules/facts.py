""":class:`~rapprochement.rules.match.LineFacts` of parsed statements and of transaction frames.

The transaction id is the one the ledger and :func:`rapprochement.transactions_frame` give the
line (``<entry fingerprint>-<detail index>``), so facts, categories and matches line up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import pandas as pd

from rapprochement.model import Entry, Statement, Transaction
from rapprochement.rules.match import LineFacts

__all__ = [
    "code_scheme",
    "entry_text",
    "facts_of_frame",
    "facts_of_statements",
    "line_codes",
    "own_ibans",
]

_SCHEMES = {"mt940": "mt940", "mt942": "mt940", "ofx": "ofx", "cfonb120": "cfonb"}


def code_scheme(source_format: str) -> str | None:
    """The bank transaction code scheme of a statement format (None for CSV exports)."""
    if source_format.startswith("camt"):
        return "camt"
    return _SCHEMES.get(source_format)


def line_codes(source_format: str, entry: Entry, tx: Transaction) -> dict[str, str]:
    """The line's bank transaction codes by scheme (``camt``, ``mt940``, ``gvc``, ``ofx``,
    ``cfonb``)."""
    codes: dict[str, str] = {}
    scheme = code_scheme(source_format)
    if scheme and entry.bank_transaction_code:
        codes[scheme] = entry.bank_transaction_code
    gvc = tx.extra.get("gvc")
    if gvc:
        codes["gvc"] = gvc
    return codes


def entry_text(entry: Entry, tx: Transaction) -> str:
    """The bank's own text on the line: the entry's (``AddtlNtryInf``, raw ``:86:``, CFONB
    label) and, for a return, its ``RtrInf/AddtlInf``."""
    parts = (entry.additional_info or "", tx.extra.get("return_info", ""))
    return " ".join(p for p in parts if p)


def line_text(entry: Entry, tx: Transaction) -> str:
    """Remittance, referred documents and the entry's own text, joined."""
    docs = " ".join(d.number for d in tx.referred_documents if d.number)
    parts = (tx.remittance_info, docs, entry_text(entry, tx))
    return " ".join(p for p in parts if p)


def _return_reason(tx: Transaction) -> str:
    return tx.return_reason or tx.extra.get("reject_code", "") or ""


def iter_lines(
    statements: Iterable[Statement],
) -> Iterator[tuple[Statement, Entry, int, Transaction]]:
    """(statement, entry, detail index, transaction) of every booked payment line."""
    for st in statements:
        for entry in st.booked_entries:
            for j, tx in enumerate(entry.transactions):
                yield st, entry, j, tx


def facts_of_statements(statements: Iterable[Statement]) -> list[LineFacts]:
    """Facts of every booked payment line (entries without a fingerprint are skipped: they
    cannot be named the way the ledger and the matcher name them)."""
    out = []
    for st, entry, j, tx in iter_lines(statements):
        if not entry.fingerprint:
            continue
        out.append(
            LineFacts(
                transaction_id=f"{entry.fingerprint}-{j}",
                amount=tx.amount,
                currency=tx.currency,
                counterparty_name=tx.counterparty_name or tx.ultimate_party_name or "",
                counterparty_iban=tx.counterparty_iban or "",
                text=line_text(entry, tx),
                codes=line_codes(st.source_format, entry, tx),
                reversal=entry.reversal,
                return_reason=_return_reason(tx),
                end_to_end_id=tx.end_to_end_id or "",
            )
        )
    return out


def own_ibans(statements: Iterable[Statement]) -> set[str]:
    """The account IBANs of the statements (the books' own accounts)."""
    return {st.account_iban for st in statements if st.account_iban}


def _s(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def facts_of_frame(df: pd.DataFrame) -> list[LineFacts]:
    """Facts of a transactions frame; optional columns ``bank_transaction_code`` (with
    ``code_scheme``: camt, mt940, gvc, ofx, cfonb), ``additional_info``, ``reversal``,
    ``return_reason``."""
    out = []
    cols = set(df.columns)
    for rec in df.to_dict("records"):
        code = _s(rec.get("bank_transaction_code"))
        scheme = _s(rec.get("code_scheme"))
        text = " ".join(
            p for p in (_s(rec.get("remittance_info")), _s(rec.get("additional_info"))) if p
        )
        out.append(
            LineFacts(
                transaction_id=str(rec["transaction_id"]),
                amount=Decimal(str(rec["amount"])),
                currency=_s(rec.get("currency")),
                counterparty_name=_s(rec.get("counterparty_name")),
                counterparty_iban=_s(rec.get("counterparty_iban")),
                text=text,
                codes={scheme: code} if code and scheme else {},
                reversal=bool(rec.get("reversal")) if "reversal" in cols else False,
                return_reason=_s(rec.get("return_reason")),
                end_to_end_id=_s(rec.get("end_to_end_id")),
            )
        )
    return out
