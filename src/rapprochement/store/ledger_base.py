"""What the :class:`~rapprochement.store.Ledger` mixins rely on: its read and write
transactions (the Ledger provides them)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Connection

__all__ = ["LedgerBase"]


class LedgerBase:
    """The transactions of the ledger, for the mixins that add methods to it."""

    user: str

    def _write(
        self, operation: str
    ) -> AbstractContextManager[Connection]:  # pragma: no cover - Ledger's
        raise NotImplementedError

    def _read(
        self, operation: str
    ) -> AbstractContextManager[Connection]:  # pragma: no cover - Ledger's
        raise NotImplementedError
