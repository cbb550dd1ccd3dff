"""The :class:`~rapprochement.store.Ledger` methods for the accountant's export (a mixin)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from rapprochement.accounting import (
    AccountMap,
    JournalEntries,
    build_journal,
    load_account_map,
    write_fec,
    write_journal_csv,
)
from rapprochement.errors import LedgerError
from rapprochement.store.ledger_base import LedgerPlumbing
from rapprochement.store.settlements import settlement_rows

__all__ = ["AccountsSource", "BookMethods"]

#: An account map, a TOML file naming one, or None (French defaults).
AccountsSource = AccountMap | str | os.PathLike[str] | None


def _write(
    path: str | os.PathLike[str], fill: Callable[[TextIO], object], *, bom: bool = False
) -> None:
    target = Path(path)
    try:
        with target.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
            fill(fh)
    except OSError as exc:
        raise LedgerError(f"cannot write: {exc.strerror}", file=str(target)) from None


class BookMethods(LedgerPlumbing):
    """Journal entries of the settlements: :meth:`journal`, :meth:`export_fec`,
    :meth:`export_journal`."""

    def journal(
        self, accounts: AccountsSource = None, *, validated: dt.date | None = None
    ) -> JournalEntries:
        """The matched receipts and write-offs as balanced journal entries.

        Args:
            accounts: an :class:`~rapprochement.accounting.AccountMap`, a TOML file, or None
                for the French defaults (512 bank, 411 customers, 471 suspense, 627 fees,
                665 discounts).
            validated: the validation date written on every entry (None: the day its
                allocations were made).

        Raises:
            ConfigError: the account map file is unreadable or invalid.
        """
        amap = accounts if isinstance(accounts, AccountMap) else load_account_map(accounts)
        with self._read("read settlements") as conn:
            rows = settlement_rows(conn)
        return build_journal(rows, amap, validated=validated)

    def export_fec(
        self,
        path: str | os.PathLike[str],
        accounts: AccountsSource = None,
        *,
        separator: str = "\t",
        validated: dt.date | None = None,
    ) -> JournalEntries:
        """Write the journal in the French FEC layout (18 columns, ``YYYYMMDD`` dates, comma
        decimals, tab or ``|`` separated); returns what was written (see :meth:`journal`)."""
        entries = self.journal(accounts, validated=validated)
        _write(path, lambda fh: write_fec(entries, fh, separator=separator))
        return entries

    def export_journal(
        self,
        path: str | os.PathLike[str],
        accounts: AccountsSource = None,
        *,
        validated: dt.date | None = None,
        excel_fr: bool = False,
    ) -> JournalEntries:
        """Write the journal as a plain CSV (English headers, ISO dates, dot decimals;
        ``excel_fr``: ``;`` separated, decimal commas, UTF-8 with a BOM)."""
        entries = self.journal(accounts, validated=validated)
        _write(path, lambda fh: write_journal_csv(entries, fh, excel_fr=excel_fr), bom=excel_fr)
        return entries
