"""Test data: statement files written with demo.writers, invoice CSVs, and a ledger dump by
natural keys (independent of insertion order and surrogate ids)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from demo.writers import Line, camt053, mt940
from sqlalchemy import select

from rapprochement.store import Ledger
from rapprochement.store import schema as t

ACCOUNT = "FR7630004000031234567890143"
ACME_IBAN = "FR7630006000011234567890189"
BETA_IBAN = "DE89370400440532013000"
D = Decimal


def line(day: int, amount: str, name: str, iban: str, text: str, ref: str) -> Line:
    return Line(dt.date(2026, 3, day), Decimal(amount), name, iban, text, ref)


LINES = [
    line(2, "1200.00", "ACME SA", ACME_IBAN, "Facture FA-001", "R1"),
    line(3, "300.00", "BETA GMBH", BETA_IBAN, "Rechnung 2026", "R2"),
    line(4, "-45.90", "BANQUE", "", "Frais de tenue de compte", "R3"),
    line(5, "450.00", "ACME HOLDING", "FR1420041010050500013M02606", "paiement", "R4"),
    line(6, "75.00", "GAMMA SARL", "BE68539007547034", "FA-004 FA-005", "R5"),
]


def write_mt940(path: Path, lines: list[Line], stmt_id: str = "S1", opening: str = "1000") -> Path:
    path.write_text(mt940(ACCOUNT, stmt_id, Decimal(opening), lines), encoding="latin-1")
    return path


def write_camt(path: Path, lines: list[Line], stmt_id: str = "C1", opening: str = "1000") -> Path:
    path.write_text(camt053(ACCOUNT, stmt_id, Decimal(opening), lines), encoding="utf-8")
    return path


INVOICES_CSV = """\
invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference,\
customer_iban
FA-001,C1,Acme SA,1200.00,EUR,2026-02-01,2026-03-03,FA-001,FR7630006000011234567890189
FA-002,C2,Beta GmbH,300.00,EUR,2026-02-05,2026-03-07,FA-002,
FA-003,C1,Acme SA,450.00,EUR,2026-02-10,2026-03-12,FA-003,
FA-004,C3,Gamma SARL,50.00,EUR,2026-02-11,2026-03-13,FA-004,
FA-005,C3,Gamma SARL,25.00,EUR,2026-02-12,2026-03-14,FA-005,
FA-006,C4,Delta SAS,999.00,EUR,2026-02-12,2026-03-14,FA-006,
"""


def write_invoices(path: Path, text: str = INVOICES_CSV) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def dump(ledger: Ledger) -> dict[str, Any]:
    """Everything imported, by natural keys, sorted."""
    with ledger.engine.connect() as conn:
        e, s, x = t.entries.c, t.statements.c, t.transactions.c
        entries = sorted(
            tuple(r)
            for r in conn.execute(
                select(e.fingerprint, e.booking_date, e.amount_minor, e.currency, e.status)
            )
        )
        statements = sorted(
            tuple(r) for r in conn.execute(select(s.statement_key, s.statement_id, s.entry_count))
        )
        links = sorted(
            tuple(r)
            for r in conn.execute(
                select(s.statement_key, e.fingerprint).select_from(
                    t.statement_entries.join(
                        t.statements, t.statements.c.id == t.statement_entries.c.statement_pk
                    ).join(t.entries, t.entries.c.id == t.statement_entries.c.entry_pk)
                )
            )
        )
        txs = sorted(
            tuple(r)
            for r in conn.execute(
                select(x.transaction_id, x.amount_minor, x.counterparty_name, x.remittance_info)
            )
        )
    return {"entries": entries, "statements": statements, "links": links, "transactions": txs}
