"""The ledger store: the persistent books of reconciliation (SQLAlchemy; SQLite or PostgreSQL).

>>> from rapprochement.store import Ledger
>>> with Ledger("books.db") as ledger:                      # doctest: +SKIP
...     ledger.import_statements(["2026-03.xml", "2026-03.sta"])
...     ledger.import_invoices("open_items.csv")
...     ledger.reconcile()

Modules: :mod:`.schema` (tables), :mod:`.migrate` (engines, versioned schema), :mod:`.importer`
(statements), :mod:`.invoices` (CSV), :mod:`.reconcile` (runs), :mod:`.review` (decisions and
learning), :mod:`.queries` (views), :mod:`.dunning` (events and actions), :mod:`.ledger` (API).
"""

from __future__ import annotations

from rapprochement.store.ledger import Ledger
from rapprochement.store.migrate import SCHEMA_VERSION
from rapprochement.store.summaries import (
    ImportSummary,
    InvoiceImportSummary,
    ReconcileSummary,
    StatementFindings,
)

__all__ = [
    "SCHEMA_VERSION",
    "ImportSummary",
    "InvoiceImportSummary",
    "Ledger",
    "ReconcileSummary",
    "StatementFindings",
]
