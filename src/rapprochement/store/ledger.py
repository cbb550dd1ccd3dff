"""The :class:`Ledger`: the persistent books of a reconciliation workflow.

Every method that writes runs in **one** database transaction that first takes the ledger's
write lock (SQLite ``BEGIN IMMEDIATE``; on PostgreSQL a row lock on ``ledger_lock``), so a crash
midway leaves the ledger as it was and two writers (two reconciles, an import during a
reconcile) run one after the other, each seeing what the other committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import Connection, update
from sqlalchemy.exc import SQLAlchemyError

from rapprochement.errors import NotFoundError
from rapprochement.store import dunning as _dunning
from rapprochement.store import learned_weights as _learned
from rapprochement.store import queries as _q
from rapprochement.store import review as _review
from rapprochement.store import schema as t
from rapprochement.store.db_errors import ledger_error
from rapprochement.store.importer import BATCH_SIZE, Progress, StatementSource, plan_sources
from rapprochement.store.importer import store_sources as _store_sources
from rapprochement.store.invoices import read_invoices
from rapprochement.store.ledger_books import BookMethods
from rapprochement.store.ledger_customers import CustomerMethods
from rapprochement.store.ledger_invoices import InvoiceMethods, import_invoice_rows
from rapprochement.store.ledger_learning import LearningMethods, base_weights
from rapprochement.store.ledger_lines import LineMethods
from rapprochement.store.ledger_queue import QueueMethods
from rapprochement.store.line_views import line_status
from rapprochement.store.lines import apply_line_rules, forget_category
from rapprochement.store.migrate import SCHEMA_VERSION, make_engine, migrate
from rapprochement.store.reconcile import Matcher, Stage, default_matcher, run_reconcile
from rapprochement.store.summaries import ImportSummary, InvoiceImportSummary, ReconcileSummary
from rapprochement.store.undo import clear_rejection

__all__ = ["Ledger"]


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        return "unknown"


class Ledger(
    LineMethods, InvoiceMethods, CustomerMethods, BookMethods, QueueMethods, LearningMethods
):
    """Persistent reconciliation ledger on SQLite (a file path) or PostgreSQL (a URL).

    Args:
        target: ``"books.db"``, ``"sqlite:///books.db"`` or ``"postgresql://user@host/db"``.
            The schema is created or migrated on open.
        user: who decisions and manual allocations are attributed to (default: the OS user).
        timeout: seconds to wait for another writer before failing.

    Raises:
        LedgerError: the database cannot be opened or is newer than this library.
    """

    def __init__(
        self, target: str | os.PathLike[str], *, user: str | None = None, timeout: float = 600.0
    ) -> None:
        self.engine = make_engine(target, timeout=timeout)
        self.user = user or _user()
        migrate(self.engine)

    # ----------------------------------------------------------------- plumbing
    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    @contextmanager
    def _write(self, operation: str) -> Iterator[Connection]:
        """One write transaction holding the ledger lock; database errors → LedgerError."""
        try:
            with (
                self.engine.connect().execution_options(ledger_write=True) as conn,
                conn.begin(),
            ):
                conn.execute(
                    update(t.ledger_lock)
                    .where(t.ledger_lock.c.name == "ledger")
                    .values(
                        holder=f"{self.user} pid {os.getpid()}",
                        acquired_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                )
                yield conn
        except SQLAlchemyError as exc:
            typed = ledger_error(exc, operation)
            if typed is None:
                raise
            raise typed from exc

    @contextmanager
    def _read(self, operation: str) -> Iterator[Connection]:
        """One read transaction; database errors → LedgerError."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            typed = ledger_error(exc, operation, writing=False)
            if typed is None:
                raise
            raise typed from exc

    # ----------------------------------------------------------------- imports
    def import_statements(
        self,
        paths_or_statements: StatementSource | Iterable[StatementSource],
        *,
        progress: Progress | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> ImportSummary:
        """Import statement files (or parsed statements) in one transaction.

        Every file is read through before anything is written, then read again and written
        ``batch_size`` entries at a time: memory stays flat in the number of entries, and a
        failure anywhere leaves the ledger as it was. Entries already in the ledger (same
        fingerprint) are skipped, so importing twice, overlapping statements, or files in
        another order give the same ledger.

        Args:
            paths_or_statements: a path, a :class:`~rapprochement.Statement`, or several.
            progress: called with (entries done, entries total) while writing.
            batch_size: entries written (and open lines read by the line rules) at once; it
                bounds memory and changes nothing in the ledger.
        """
        names, sources = plan_sources(paths_or_statements)
        with self._write("import statements") as conn:
            # line details are kept with each batch (store/lines.py)
            summary = _store_sources(conn, names, sources, progress, batch_size=batch_size)
            # line rules and returns applied over the open lines, batch_size at a time
            lines = apply_line_rules(conn, by=self.user, page=batch_size)
        return dataclasses.replace(summary, line_rules=dataclasses.asdict(lines))

    def import_invoices(
        self,
        csv_path_or_df: str | os.PathLike[str] | pd.DataFrame,
        column_map: Mapping[str, str] | None = None,
        *,
        snapshot: bool = False,
        sheet: str | None = None,
    ) -> InvoiceImportSummary:
        """Import or update invoices (and their customers) from a CSV or .xlsx file or DataFrame.

        Args:
            csv_path_or_df: the CSV (``,`` ``;`` or tab separated), an ``.xlsx`` or a DataFrame.
            column_map: our column name → yours, e.g. ``{"invoice_id": "Numero"}``; French and
                English header names are recognised without it.
            snapshot: the file is the complete list of open items: an open invoice it does not
                list is closed as settled outside the bank, recorded and reversible
                (:meth:`reopen_invoices`, :meth:`undo_invoice_import`); see
                :mod:`rapprochement.store.settled`.
            sheet: the sheet of an ``.xlsx`` file (default: the first).

        Raises:
            InputError: a missing column or a bad row (named by line and column); nothing
                is imported.
        """
        rows = read_invoices(csv_path_or_df, column_map, sheet=sheet)
        source = "<DataFrame>" if isinstance(csv_path_or_df, pd.DataFrame) else str(csv_path_or_df)
        with self._write("import invoices") as conn:
            return import_invoice_rows(conn, rows, source, snapshot=snapshot, by=self.user)

    # ----------------------------------------------------------------- matching
    def reconcile(
        self,
        config: Any = None,
        as_of: dt.date | None = None,
        *,
        matcher: Matcher | None = None,
        stage: Stage | None = None,
        learn: bool = True,
    ) -> ReconcileSummary:
        """Match open lines to open invoices; apply automatic allocations, queue suggestions.

        Args:
            config: a :class:`~rapprochement.matching.config.MatchConfig` (None: defaults).
            as_of: only lines booked on or before this date.
            matcher: the matching function (default :func:`rapprochement.reconcile`).
            stage: called with a short text at each stage (for progress display).
            learn: score with what the ledger's decisions taught (refitted when they changed,
                :meth:`learning`); False: the shipped scores.
        """
        fn = matcher or default_matcher()
        with self._write("reconcile") as conn:
            lines = apply_line_rules(conn, by=self.user)  # categorized lines and returns apart
            weights = _learned.refresh(conn, base_weights(config), by=self.user) if learn else None
            summary = run_reconcile(conn, fn, config, as_of, stage, weights)
        return dataclasses.replace(summary, line_rules=dataclasses.asdict(lines))

    def suggestions(self, state: str | None = "pending") -> pd.DataFrame:
        """Suggestions (pending by default; ``state=None`` for all) with their explanation."""
        with self._read("read suggestions") as conn:
            return _q.suggestions_frame(conn, state)

    def accept(self, suggestion_ids: int | Iterable[int], *, note: str = "") -> list[int]:
        """Accept suggestions (each with its whole group); returns the new allocation ids.

        Several ids are decided in one transaction: all of them or, on any error, none.

        Raises:
            NotFoundError: no such suggestion.
            LedgerError: not pending, or the money is no longer available.
        """
        with self._write("accept suggestions") as conn:
            made = _review.decide_many(
                conn, _ids(suggestion_ids), partial(_review.accept, by=self.user, note=note)
            )
        return [a for ids in made for a in ids]

    def reject(self, suggestion_ids: int | Iterable[int], *, note: str = "") -> int:
        """Reject suggestions (each with its whole group), all or none; returns the rows
        rejected. A rejected pair is never proposed again."""
        with self._write("reject suggestions") as conn:
            return sum(
                _review.decide_many(
                    conn, _ids(suggestion_ids), partial(_review.reject, by=self.user, note=note)
                )
            )

    def allocate(
        self, transaction_id: str, invoice_id: str | None, amount: Decimal | str, *, note: str = ""
    ) -> int:
        """Record a manual allocation; returns its id (``invoice_id=None``: overpayment).

        A person's allocation overrides a rule's category and lifts an undo's rejection of
        the pair."""
        with self._write("allocate by hand") as conn:
            made = _review.allocate(
                conn, transaction_id, invoice_id, Decimal(str(amount)), by=self.user, note=note
            )
            forget_category(conn, transaction_id)
            clear_rejection(conn, transaction_id, invoice_id)
            return made

    # ----------------------------------------------------------------- views
    def status(self) -> dict[str, Any]:
        """Counts: entries, lines matched, open invoices and amount, suggestions, learning."""
        with self._read("read status") as conn:
            # match_rate: over customer payments (line_views), not every line
            return {**_q.status(conn, SCHEMA_VERSION), **line_status(conn)}

    def allocations(self) -> pd.DataFrame:
        """Every allocation with who or what made it."""
        with self._read("read allocations") as conn:
            return _q.allocations_frame(conn)

    def export_allocations(self, path: str | os.PathLike[str], *, excel_fr: bool = False) -> int:
        """Write the allocations as CSV for an ERP (see :func:`allocations`); returns the number
        of rows. ``excel_fr``: ``;`` separated, decimal commas, UTF-8 with a BOM."""
        with self._read("export allocations") as conn:
            return _q.export_allocations(conn, path, excel_fr=excel_fr)

    def open_items(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Open invoices and credit notes with their open amount (``Decimal``)."""
        with self._read("read open items") as conn:
            return _q.open_items(conn, as_of)

    def customers(self) -> pd.DataFrame:
        """``customer_id, name, segment, credit_limit``."""
        with self._read("read customers") as conn:
            return _q.customers_frame(conn)

    def payment_history(self) -> pd.DataFrame:
        """Allocations to invoices with payment, issue and due dates."""
        with self._read("read payment history") as conn:
            return _q.payment_history(conn)

    # ----------------------------------------------------------------- dunning
    def invoice_events(self) -> pd.DataFrame:
        """Disputes and promises to pay: ``invoice_id, kind, start, end, note``."""
        with self._read("read invoice events") as conn:
            return _dunning.invoice_events(conn)

    def add_invoice_event(
        self,
        invoice_id: str,
        kind: str,
        start: dt.date | str,
        end: dt.date | str | None = None,
        note: str = "",
    ) -> int:
        """Record a dispute or promise to pay (``kind`` ``"dispute"`` or ``"promise"``)."""
        with self._write("add invoice event") as conn:
            return _dunning.add_invoice_event(conn, invoice_id, kind, start, end, note)

    def dunning_history(self) -> pd.DataFrame:
        """Recorded dunning actions (``invoice_ids`` as a list, ``payload`` as a dict)."""
        with self._read("read dunning history") as conn:
            return _dunning.dunning_history(conn)

    def record_dunning_actions(self, actions: list[Mapping[str, Any]]) -> int:
        """Record dunning actions in one transaction; an action already recorded (same
        customer, invoices, level and date) is not recorded again. Returns how many were new."""
        with self._write("record dunning actions") as conn:
            return _dunning.record_dunning_actions(conn, actions)


#: Ids are 64-bit integers in the database: a larger number names no suggestion.
_MAX_ID = 2**63 - 1


def _ids(suggestion_ids: int | Iterable[int]) -> list[int]:
    """One id or several; an id no suggestion can have is a NotFoundError."""
    ids = [suggestion_ids] if isinstance(suggestion_ids, int) else list(suggestion_ids)
    for i in ids:
        if not 0 < i <= _MAX_ID:
            raise NotFoundError(f"no suggestion {i}", hint="list them with `rapprochement review`")
    return ids
