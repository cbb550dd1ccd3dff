"""What the :class:`~rapprochement.store.Ledger` mixins need from it: its user and its read
and write transactions (each mixin keeps one concern apart from the ledger's core)."""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import Connection

__all__ = ["LedgerPlumbing"]


class LedgerPlumbing:
    """The user decisions are attributed to, and the ledger's transactions."""

    user: str

    def _write(
        self, operation: str
    ) -> AbstractContextManager[Connection]:  # pragma: no cover - Ledger's
        raise NotImplementedError

    def _read(
        self, operation: str
    ) -> AbstractContextManager[Connection]:  # pragma: no cover - Ledger's
        raise NotImplementedError
