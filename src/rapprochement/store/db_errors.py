"""Database failures as :class:`~rapprochement.errors.LedgerError`: what failed, why, what to do.

Every error the database or its driver raises (PEP 249 ``IntegrityError``, ``DataError``,
``OperationalError``, ``InternalError``, ``DatabaseError``) becomes a ``LedgerError`` naming the
operation, with the driver's message and a hint. A typed error raised while a value was bound
(a :class:`~rapprochement.store.columns.LedgerText` bound) comes out as itself. Programming
errors of ours (SQL the database does not understand, a value of the wrong type, a misused API)
are not mapped: they surface as they are, to be fixed rather than read as bad data.
"""

from __future__ import annotations

from sqlalchemy.exc import (
    DatabaseError,
    DataError,
    IntegrityError,
    InternalError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
    StatementError,
)

from rapprochement.errors import LedgerError, RapprochementError

__all__ = ["ledger_error"]

#: What each database failure means, and what to do about it.
_MEANING: tuple[tuple[type[DatabaseError], str, str], ...] = (
    (IntegrityError, "the ledger refused the change", "the data conflicts with what is stored"),
    (DataError, "a value does not fit the ledger", "docs/ledger.md lists the column bounds"),
    (
        OperationalError,
        "the database is unavailable or busy",
        "check the path or server; another process may hold the ledger for too long",
    ),
    (InternalError, "the database failed", "check the database server's log"),
)
_SQLITE_ERROR = 1
#: PostgreSQL SQLSTATEs of a ProgrammingError that is the database's setup, not our SQL.
_SETUP_STATES = {"42501": "permission denied"}


def _driver_message(exc: StatementError) -> str:
    text = str(exc.orig).strip() or type(exc.orig).__name__
    return " ".join(text.split())


def _ours(exc: StatementError) -> bool:
    """SQL the database does not understand: SQLite reports it as an OperationalError with
    the generic ``SQLITE_ERROR`` code (syntax, no such table or column), PostgreSQL as a
    ProgrammingError."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return isinstance(exc, OperationalError) and code is not None and code & 0xFF == _SQLITE_ERROR


def _meaning(exc: StatementError) -> tuple[str, str] | None:
    if _ours(exc):
        return None
    for kind, what, hint in _MEANING:
        if isinstance(exc, kind):
            return what, hint
    code = str(getattr(exc.orig, "pgcode", "") or getattr(exc.orig, "sqlstate", "") or "")
    if isinstance(exc, ProgrammingError) and code in _SETUP_STATES:
        return _SETUP_STATES[code], "grant the database user its rights on the ledger"
    if type(exc) is DatabaseError:  # e.g. SQLite: "file is not a database"
        return "database error", "check that the database is a rapprochement ledger"
    return None  # ProgrammingError, InterfaceError, NotSupportedError, a badly typed value


def ledger_error(
    exc: SQLAlchemyError, operation: str, *, writing: bool = True, file: str | None = None
) -> RapprochementError | None:
    """The typed error for ``exc`` raised during ``operation``; None for a programming error.

    Args:
        exc: what SQLAlchemy raised.
        operation: what the ledger was doing, e.g. ``"import statements"``.
        writing: the operation was a write transaction (rolled back: nothing was written).
        file: the database named in the error.
    """
    if not isinstance(exc, StatementError):
        return None  # an API misuse of ours (InvalidRequestError, CompileError, ...)
    if isinstance(exc.orig, RapprochementError):
        return exc.orig
    meaning = _meaning(exc)
    if meaning is None:
        return None
    what, hint = meaning
    after = "; nothing was written" if writing else ""
    return LedgerError(f"{operation}: {what}: {_driver_message(exc)}", file=file, hint=hint + after)
