"""The accountant's side: settlements as journal entries (FEC for France, a plain journal CSV
elsewhere), posted to accounts given as data (:mod:`.accounts`).

>>> from rapprochement.store import Ledger
>>> with Ledger("books.db") as ledger:                                  # doctest: +SKIP
...     ledger.export_fec("123456789FEC20261231.txt", accounts="accounts.toml")
"""

from __future__ import annotations

from rapprochement.accounting.accounts import Account, AccountMap, Journal, load_account_map
from rapprochement.accounting.fec import FEC_COLUMNS, write_fec, write_journal_csv
from rapprochement.accounting.journal import JournalEntries, JournalLine, build_journal

__all__ = [
    "FEC_COLUMNS",
    "Account",
    "AccountMap",
    "Journal",
    "JournalEntries",
    "JournalLine",
    "build_journal",
    "load_account_map",
    "write_fec",
    "write_journal_csv",
]
