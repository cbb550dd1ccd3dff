"""The ledger's text columns: what is stored is the same on SQLite and PostgreSQL.

Every text column of :mod:`rapprochement.store.schema` is a :class:`LedgerText`, so every text
written to (or compared with) the ledger goes through one place,
:meth:`LedgerText.process_bind_param`:

- NUL characters (``\\x00``) are removed (:func:`clean_text`): PostgreSQL refuses them in text,
  SQLite keeps them; bank files (an OFX memo, a padded CFONB field) do carry them.
- Free text (names, remittance information, references, notes) has no bound (``TEXT``).
- Identifiers a unique or plain index covers are bounded (``VARCHAR(n)``; a PostgreSQL index
  entry holds at most about 2 700 bytes). A longer value is **refused** with a
  :class:`~rapprochement.errors.LedgerError` naming the column and the value, on both backends
  (SQLite does not enforce ``VARCHAR`` lengths; PostgreSQL would refuse, or silently cut where a
  driver casts). A key is never truncated: two ids cut to one would merge two customers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from rapprochement.errors import LedgerError

__all__ = [
    "ALIAS_LENGTH",
    "IBAN_LENGTH",
    "ID_LENGTH",
    "LedgerText",
    "clean_text",
    "name_columns",
]

#: Invoice, customer and account ids (an ERP's ids, an account number): 255 characters.
ID_LENGTH = 255
#: IBANs kept for a customer (an IBAN has at most 34 characters).
IBAN_LENGTH = 64
#: Payer names learned as a customer's alias (a CAMT ``Nm`` has at most 140 characters).
ALIAS_LENGTH = 300
_PREVIEW = 40


def clean_text(value: str) -> str:
    """``value`` as the ledger stores it: without NUL characters."""
    return value.replace("\x00", "") if "\x00" in value else value


class LedgerText(TypeDecorator[str]):
    """A text column: NUL removed, ``TEXT`` without ``length``, else ``VARCHAR(length)``
    with longer values refused (:class:`~rapprochement.errors.LedgerError`) on every backend.

    Args:
        length: the bound, or None for free text.
        field: ``table.column``, named in errors (set by :func:`name_columns`).
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int | None = None, field: str = "") -> None:
        super().__init__(length)
        self.length = length
        self.field = field

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``VARCHAR(length)`` or ``TEXT``."""
        return dialect.type_descriptor(String(self.length) if self.length else Text())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        """Remove NUL; refuse a value longer than the bound."""
        if not isinstance(value, str):
            return value
        value = clean_text(value)
        if self.length is not None and len(value) > self.length:
            shown = value[:_PREVIEW] + ("…" if len(value) > _PREVIEW else "")
            raise LedgerError(
                f"{self.field or 'a value'} {shown!r} has {len(value)} characters; the ledger "
                f"keeps at most {self.length}",
                hint="shorten it at the source (docs/ledger.md lists the bounds); nothing was "
                "written",
            )
        return value


def name_columns(metadata: MetaData) -> None:
    """Tell every :class:`LedgerText` column its ``table.column`` name, for its errors."""
    for table in metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, LedgerText):
                column.type.field = f"{table.name}.{column.name}"
