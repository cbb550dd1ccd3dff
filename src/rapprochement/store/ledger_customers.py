"""The :class:`~rapprochement.store.Ledger` methods for customers' master data, payments on
account and the dunning messages sent (a mixin, kept apart from the reconciliation core)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from rapprochement.customers import Customer, read_customers
from rapprochement.store import customer_master as _master
from rapprochement.store.ledger_base import LedgerPlumbing

__all__ = ["CustomerMethods"]


class CustomerMethods(LedgerPlumbing):
    """Customers' master data, payments on account and messages sent, on the ledger."""

    def import_customers(
        self,
        source: str | os.PathLike[str] | Sequence[Customer],
        *,
        column_map: Mapping[str, str] | None = None,
    ) -> dict[str, int]:
        """Import customers' master data from a CSV file (see
        :func:`rapprochement.customers.read_customers`) or :class:`Customer` records, in one
        transaction; importing the same file again changes nothing.

        Returns:
            ``{"rows": ..., "new": ..., "updated": ..., "unchanged": ...}``.

        Raises:
            InputError: a bad file or value (nothing is written).
        """
        if isinstance(source, str | os.PathLike):
            records = read_customers(Path(source), column_map=column_map)
        else:
            records = list(source)
        with self._write("import customers") as conn:
            counts = _master.store_customers(conn, records)
        return {"rows": len(records), **counts}

    def customer_records(self) -> dict[str, Customer]:
        """Customer id → master data, for the customers imported."""
        with self._read("read customers' master data") as conn:
            return _master.customer_records(conn)

    def payments_on_account(self) -> pd.DataFrame:
        """Overpayments held on account (``credit_id, customer_id, amount, currency, date``),
        netted in dunning statements."""
        with self._read("read payments on account") as conn:
            return _master.payments_on_account(conn)

    def record_sent_messages(self, messages: Iterable[Mapping[str, Any]]) -> int:
        """Record the dunning e-mails sent; returns how many were new."""
        with self._write("record sent messages") as conn:
            return _master.record_messages(conn, messages)

    def sent_messages(self) -> pd.DataFrame:
        """The dunning e-mails sent, oldest first."""
        with self._read("read sent messages") as conn:
            return _master.sent_messages(conn)
