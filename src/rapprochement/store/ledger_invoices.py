"""The :class:`~rapprochement.store.Ledger` methods for invoice imports and invoices settled
outside the bank (a mixin; see :mod:`rapprochement.store.settled`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, select

from rapprochement.store import events as _events
from rapprochement.store import settled as _settled
from rapprochement.store.invoices import InvoiceRow, store_invoices
from rapprochement.store.ledger_base import LedgerPlumbing
from rapprochement.store.summaries import InvoiceImportSummary

__all__ = ["InvoiceMethods", "import_invoice_rows"]


def import_invoice_rows(
    conn: Connection, rows: list[InvoiceRow], source: str, *, snapshot: bool, by: str
) -> InvoiceImportSummary:
    """Store validated rows as one recorded import, inside the caller's transaction; with
    ``snapshot``, close the open invoices the rows do not list (settled outside the bank)."""
    import_id = _settled.record_import(conn, source, snapshot, len(rows), by)
    if snapshot:
        _settled.snapshot_open_amounts(conn, rows)
    summary = store_invoices(conn, rows)
    listed = [r["invoice_id"] for r in rows]
    reopened = _settled.relist(conn, listed, import_id, by)
    closed = _settled.close_missing(conn, listed, import_id, by) if snapshot else []
    return dataclasses.replace(
        summary, import_id=import_id, snapshot=snapshot, closed=closed, reopened=reopened
    )


class InvoiceMethods(LedgerPlumbing):
    """Invoice imports, invoices settled outside the bank, disputes and promises listed and
    closed, on the ledger."""

    def settled_outside(self, *, active_only: bool = True) -> pd.DataFrame:
        """Invoices closed as settled outside the bank (by snapshot imports), with the import,
        who and when; ``active_only=False`` adds the reopened ones (the whole audit trail)."""
        with self._read("read settled invoices") as conn:
            return _settled.settlements_frame(conn, active_only=active_only)

    def invoice_imports(self) -> pd.DataFrame:
        """One row per invoice import: ``id, source, snapshot, rows, closed, made_by,
        created_at``."""
        with self._read("read invoice imports") as conn:
            rows = conn.execute(
                select(_settled.invoice_imports).order_by(_settled.invoice_imports.c.id)
            )
            return pd.DataFrame([r._asdict() for r in rows],
                                columns=list(_settled.invoice_imports.c.keys()))  # fmt: skip

    def reopen_invoices(self, invoice_ids: str | Iterable[str], *, reason: str = "") -> list[str]:
        """Reopen invoices a snapshot closed as settled outside the bank; returns them.

        Raises:
            NotFoundError: an invoice has no open settlement.
        """
        ids = [invoice_ids] if isinstance(invoice_ids, str) else list(invoice_ids)
        with self._write("reopen invoices") as conn:
            return _settled.reopen(conn, invoice_ids=ids, by=self.user, reason=reason)

    def undo_invoice_import(self, import_id: int, *, reason: str = "") -> list[str]:
        """Reopen every invoice the snapshot import ``import_id`` closed; returns them.

        Raises:
            NotFoundError: no such import.
            LedgerError: it closed nothing that is still closed.
        """
        with self._write("undo invoice import") as conn:
            return _settled.reopen(conn, import_id=import_id, by=self.user, reason=reason)

    def dunning_events(self, as_of: dt.date, *, active_only: bool = False) -> pd.DataFrame:
        """Disputes and promises with ids, customer, open amount and whether they hold on
        ``as_of`` (:func:`rapprochement.store.events.event_rows`)."""
        with self._read("read disputes and promises") as conn:
            return _events.event_rows(conn, as_of, active_only=active_only)

    def close_invoice_event(self, event_id: int, on: dt.date, *, reason: str = "") -> str:
        """End a dispute or promise on ``on``; returns its invoice."""
        with self._write("close dispute or promise") as conn:
            return _events.close_event(conn, event_id, on, reason)
