"""Engines and schema migrations for the ledger.

Why not alembic: the ledger owns one small schema that only moves forward, shipped inside the
library and applied on open, not by an operator running a tool. A ``schema_version`` table and
an ordered list of Python steps (each run in the same transaction as its version row) give that
without a second configuration tree (``alembic.ini``, ``env.py``, revision files) or a new
dependency. Should the ledger ever need branching or downgrades, alembic can adopt the existing
tables (``alembic stamp``).

SQLite is opened in WAL mode with a busy timeout; write transactions start with
``BEGIN IMMEDIATE`` so two writers queue instead of failing midway (see :func:`write_begin`).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    cast,
    create_engine,
    event,
    func,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from rapprochement.errors import LedgerError
from rapprochement.store import schema as t
from rapprochement.store.columns import LedgerText
from rapprochement.store.db_errors import ledger_error

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "WIDENED_COLUMNS",
    "make_engine",
    "migrate",
    "normalize_url",
    "pg_url",
]

Migration = tuple[int, str, Callable[[Connection], None]]


def _v1_initial(conn: Connection) -> None:
    t.metadata.create_all(conn, checkfirst=True)
    conn.execute(insert(t.ledger_lock).values(name="ledger", holder=None, acquired_at=None))


def _v2_write_offs(conn: Connection) -> None:
    from rapprochement.store.write_offs import backfill_write_offs

    backfill_write_offs(conn)


def _v3_evidence(conn: Connection) -> None:
    from rapprochement.store.evidence import add_evidence_columns

    add_evidence_columns(conn)


def _v5_lines(conn: Connection) -> None:
    from rapprochement.store.lines import create_line_tables

    create_line_tables(conn)


def _v6_customer_master(conn: Connection) -> None:
    from rapprochement.store.customer_master import create_master_tables

    create_master_tables(conn)


def _v7_settled_outside(conn: Connection) -> None:
    from rapprochement.store.settled import create_settlement_tables

    create_settlement_tables(conn)


def _v8_line_documents(conn: Connection) -> None:
    from rapprochement.store.remittances import create_document_tables

    create_document_tables(conn)


def _v9_learned_weights(conn: Connection) -> None:
    from rapprochement.store.learned_weights import create_learning_table

    create_learning_table(conn)


def _v10_auto_adjustments(conn: Connection) -> None:
    from rapprochement.store.learned_weights import add_auto_adjustments

    add_auto_adjustments(conn)


#: Columns schema 4 widened: (length in schema 2, length now or None for TEXT).
WIDENED_COLUMNS: dict[str, dict[str, tuple[int, int | None]]] = {
    "ledger_lock": {"holder": (200, None)},
    "accounts": {"account": (64, 255), "owner": (200, None)},
    "statements": {"statement_id": (200, None), "source_format": (16, None)},
    "entries": {"bank_reference": (200, None)},
    "transactions": {
        "counterparty_name": (200, None),
        "counterparty_iban": (64, None),
        "structured_reference": (200, None),
        "end_to_end_id": (200, None),
    },
    "customers": {"customer_id": (100, 255), "name": (200, None), "segment": (60, None)},
    "customer_ibans": {"customer_id": (100, 255)},
    "customer_aliases": {"customer_id": (100, 255), "alias": (200, 300)},
    "invoices": {"invoice_id": (100, 255), "customer_id": (100, 255), "reference": (200, None)},
    "reconcile_runs": {"matcher": (200, None), "version": (40, None)},
    "allocations": {
        "invoice_id": (100, 255),
        "made_by": (100, None),
        "group_id": (100, None),
        "version": (40, None),
    },
    "suggestions": {"invoice_id": (100, 255), "group_id": (100, None)},
    "decisions": {"invoice_id": (100, 255), "decided_by": (100, None)},
    "invoice_events": {"invoice_id": (100, 255)},
    "dunning_actions": {
        "customer_id": (100, 255),
        "action_id": (100, None),
        "level": (60, None),
        "channel": (40, None),
    },
}


def _v4_text_columns(conn: Connection) -> None:
    """PostgreSQL: widen the columns of :data:`WIDENED_COLUMNS` (no table rewrite). SQLite does not
    enforce ``VARCHAR`` lengths; there, NUL is removed from the free text already stored (the
    ledger now stores none, and PostgreSQL never could)."""
    if conn.dialect.name == "postgresql":
        for table, columns in WIDENED_COLUMNS.items():
            for column, (_, length) in columns.items():
                kind = "TEXT" if length is None else f"VARCHAR({length})"
                conn.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE {kind}'))
        return
    for tbl in t.metadata.sorted_tables:
        if "id" not in tbl.c:
            continue
        for col in tbl.c:
            if isinstance(col.type, LedgerText) and col.type.length is None:
                dirty = select(tbl.c.id, col).where(
                    func.instr(cast(col, LargeBinary), literal(b"\x00")) > 0
                )
                for pk, value in conn.execute(dirty).all():  # written back without NUL
                    conn.execute(update(tbl).where(tbl.c.id == pk).values({col.name: value}))


#: Ordered schema steps: (version, description, function). Append, never edit a shipped step.
MIGRATIONS: tuple[Migration, ...] = (
    (1, "initial ledger schema", _v1_initial),
    (2, "write off the shortfall of fee and discount allocations", _v2_write_offs),
    (3, "what each reconcile run saw: re-runs need new evidence", _v3_evidence),
    (4, "free text unbounded, ids up to 255 characters, no NUL in text", _v4_text_columns),
    (5, "line rules, categories, returns and undo", _v5_lines),
    (6, "customers' master data and dunning messages sent", _v6_customer_master),
    (7, "invoice imports and invoices settled outside the bank (snapshots)", _v7_settled_outside),
    (8, "the documents each bank line refers to (amounts, discounts)", _v8_line_documents),
    (9, "scores learned from the ledger's decisions", _v9_learned_weights),
    (10, "scores learned from undone automatic allocations", _v10_auto_adjustments),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def normalize_url(target: str | os.PathLike[str]) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (``books.db`` → ``sqlite:///…``)."""
    text = os.fspath(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _pg_driver(url: URL) -> URL:
    """``postgresql://`` with the driver that is installed (psycopg 3, else psycopg2)."""
    if url.drivername != "postgresql":
        return url
    for module, driver in (("psycopg", "postgresql+psycopg"), ("psycopg2", "postgresql+psycopg2")):
        if importlib.util.find_spec(module) is not None:
            return url.set(drivername=driver)
    raise LedgerError(
        "no PostgreSQL driver installed",
        hint="pip install 'rapprochement[postgres]' (psycopg2-binary)",
    )


def pg_url(target: str) -> URL:
    """A PostgreSQL URL with an installed driver (for tools and tests that connect directly)."""
    return _pg_driver(make_url(target))


def make_engine(target: str | os.PathLike[str], *, timeout: float = 600.0) -> Engine:
    """Create the engine for a ledger URL or path.

    Args:
        target: ``sqlite:///path.db``, a plain path, or ``postgresql://user@host/db``.
        timeout: seconds a writer waits for another writer (SQLite busy timeout, PostgreSQL
            lock wait) before giving up with a :class:`LedgerError`.
    """
    url_text = normalize_url(target)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise LedgerError(f"not a database URL: {exc}", file=url_text) from None
    if url.get_backend_name() == "sqlite":
        db = url.database or ""
        if db and db != ":memory:" and not Path(db).parent.is_dir():
            raise LedgerError(
                "the ledger's folder does not exist",
                file=db,
                hint="create the folder or pass another --db path",
            )
        engine = create_engine(url, connect_args={"timeout": timeout})
        _sqlite_events(engine, timeout)
        return engine
    if url.get_backend_name() == "postgresql":
        url = _pg_driver(url)
        ms = int(timeout * 1000)
        return create_engine(
            url, connect_args={"options": f"-c lock_timeout={ms}"}, pool_pre_ping=True
        )
    raise LedgerError(
        f"unsupported database {url.get_backend_name()!r}",
        file=url_text,
        hint="use a SQLite path or a postgresql:// URL",
    )


def _sqlite_events(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the sqlite3 module) decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("ledger_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("schema_version"):
        return 0
    versions = conn.execute(select(t.schema_version.c.version)).scalars().all()
    return max(versions, default=0)


def migrate(engine: Engine) -> int:
    """Bring the schema to :data:`SCHEMA_VERSION`; returns the version found before.

    All pending steps run in one transaction with their version rows, so a failed step leaves
    the ledger as it was. Concurrent openers queue (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL
    advisory lock) and the second finds the schema already current.

    Raises:
        LedgerError: the database is newer than this library, or cannot be opened.
    """
    try:
        with engine.connect().execution_options(ledger_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(7142026)"))
            before = _current_version(conn)
            if before > SCHEMA_VERSION:
                raise LedgerError(
                    f"the ledger has schema version {before}, this library knows up to "
                    f"{SCHEMA_VERSION}",
                    file=engine.url.render_as_string(hide_password=True),
                    hint="upgrade rapprochement",
                )
            for version, description, step in MIGRATIONS:
                if version <= before:
                    continue
                step(conn)
                conn.execute(
                    insert(t.schema_version).values(
                        version=version,
                        description=description,
                        applied_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    )
                )
    except OperationalError as exc:
        raise LedgerError(
            f"cannot open the ledger: {exc.orig}",
            file=engine.url.render_as_string(hide_password=True),
            hint="check the path or URL and that the server is running",
        ) from None
    except SQLAlchemyError as exc:
        typed = ledger_error(
            exc, "open the ledger", file=engine.url.render_as_string(hide_password=True)
        )
        if typed is None:
            raise
        raise typed from exc
    return before
