"""The demo's April: the bank sends a statement with a tax refund (of exactly an open invoice's
amount: never matched, categorized by the starter rules) and the SEPA return of a collection
that paid an invoice in March (reason AM04, the collection's end-to-end id): the invoice opens
again. Then a person undoes a wrong automatic allocation.

The April file is written from the ledger's own lines (the return names a real collection), as
the bank would, with :mod:`demo.writers`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from demo.make_data import ACCOUNT
from demo.writers import Line, camt053
from rapprochement.store import Ledger
from rapprochement.store import schema as t

__all__ = ["april_statement", "undo_candidate"]


def april_statement(db: Path, out: Path) -> tuple[Path, str]:
    """Write the April statement into ``out``; returns (its path, the invoice its return will
    reopen)."""
    with Ledger(db) as ledger:
        al = ledger.allocations()
        auto = al[(al["source"] == "auto") & (al["kind"] == "one_to_one")]
        x = t.transactions.c
        with ledger.engine.connect() as conn:
            rows = {
                r.transaction_id: r
                for r in conn.execute(
                    select(t.transactions).where(
                        x.transaction_id.in_(list(auto["transaction_id"])), x.end_to_end_id != ""
                    )
                )
            }
        pick = auto[auto["transaction_id"].isin(rows)].iloc[-1]
        paid = rows[pick["transaction_id"]]
        opened = ledger.open_items()
        refund = Decimal(str(opened["open_amount"].iloc[0]))
    day = dt.date(2026, 4, 7)
    lines = [
        Line(day, refund, "DGFIP", "FR7630001007941234567890185", "REMBOURSEMENT CREDIT TVA", "A1"),
        Line(
            day + dt.timedelta(days=1),
            -Decimal(paid.amount_minor).scaleb(-2),
            paid.counterparty_name,
            paid.counterparty_iban,
            f"RETOUR PRLV {pick['invoice_id']}",
            "A2",
            code="PMNT/IDDT/UPDD",
            reason="AM04",
            e2e=paid.end_to_end_id,
        ),
    ]
    path = out / "2026-04.camt053.xml"
    path.write_text(camt053(ACCOUNT, "2026-04", Decimal("10000.00"), lines), encoding="utf-8")
    return path, str(pick["invoice_id"])


def undo_candidate(db: Path) -> int:
    """The id of an automatic allocation a person finds wrong (the last one)."""
    with Ledger(db) as ledger:
        al = ledger.allocations()
        return int(al.loc[al["source"] == "auto", "allocation_id"].iloc[-1])
