"""Statements as Arrow tables and Parquet files of transactions, streamed (needs ``pyarrow``:
``pip install 'rapprochement[spark]'`` or ``pip install pyarrow``).

The rows and columns are those of :func:`rapprochement.transactions_frame` on
:func:`rapprochement.read_statement`'s statements, plus ``file`` (the statement file they come
from); money is ``decimal128(38, 4)`` (every ISO 4217 minor unit fits), dates are ``date32``.
A file is read with :func:`rapprochement.iter_statement`, so memory holds the rows of one
statement at a time, never the file's models::

    from rapprochement.arrow import transactions_table, write_parquet

    table = transactions_table("releve.xml")                      # one file, a pyarrow.Table
    written = write_parquet(Path("statements").glob("*.xml"), "tx/", workers=4)

:func:`write_parquet` writes one Parquet file per statement file (the dataset partitioned by
file), the files read in parallel processes; ``on_error="skip"`` keeps going past a file that
cannot be read and lists it (:class:`FileFailure`). On Spark:
:func:`rapprochement.spark.read_statements` (docs/scaling.md).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, overload

import pyarrow as pa
import pyarrow.parquet as pq

from rapprochement.errors import AmountError, RapprochementError
from rapprochement.matching.model_frames import (
    _STATEMENT_COLUMNS,
    _TX_COLUMNS,
    _fingerprint,
    _tx_row,
)
from rapprochement.model import Entry, Statement
from rapprochement.parsers import Source, iter_statement

__all__ = [
    "COLUMNS",
    "FAILURE_COLUMNS",
    "MONEY",
    "TRANSACTIONS_SCHEMA",
    "FileFailure",
    "ParquetWritten",
    "file_batches",
    "iter_transaction_batches",
    "transactions_table",
    "write_parquet",
]

#: money in the Arrow and Spark frames: every ISO 4217 minor unit (at most 4 places) fits
MONEY = pa.decimal128(38, 4)
#: the columns: :func:`rapprochement.transactions_frame`'s, then the statement file
COLUMNS: tuple[str, ...] = (*_TX_COLUMNS, *_STATEMENT_COLUMNS, "file")
_DATES = {"booking_date", "value_date"}
TRANSACTIONS_SCHEMA = pa.schema(
    [(c, MONEY if c == "amount" else pa.date32() if c in _DATES else pa.string()) for c in COLUMNS]
)
#: rows per record batch (a statement's rows are never held longer than its batch)
BATCH_ROWS = 65_536
_PLACES = Decimal("0.0001")


def _rows(items: Iterable[Entry | Statement]) -> Iterator[list[dict[str, Any]]]:
    """The rows of each statement of an :func:`~rapprochement.iter_statement` stream, as
    :func:`~rapprochement.transactions_frame` builds them: its booked entries' payment details,
    emitted when the statement (which follows its entries) gives the account."""
    pending: list[tuple[Entry, list[dict[str, Any]]]] = []
    for item in items:
        if isinstance(item, Entry):
            if item.status == "booked":
                rows = [
                    _tx_row(t, str(j), item.booking_date, item.value_date)
                    for j, t in enumerate(item.transactions)
                ]
                pending.append((item, rows))
            continue
        account = item.account or ""
        out: list[dict[str, Any]] = []
        for entry, rows in pending:
            fp = entry.fingerprint or _fingerprint(
                (
                    item.account,
                    entry.booking_date,
                    entry.amount,
                    entry.bank_reference,
                    entry.source.describe(),
                )
            )
            for r in rows:
                r["transaction_id"] = f"{fp}-{r['transaction_id']}"
                r.update(account=account, bank_reference=entry.bank_reference or "")
            out.extend(rows)
        pending = []
        yield out


def _money(rows: list[dict[str, Any]], file: str) -> None:
    """Refuse (rather than round) an amount with more than the 4 places of :data:`MONEY`."""
    for r in rows:
        amount: Decimal = r["amount"]
        if amount != amount.quantize(_PLACES):
            raise AmountError(
                f"amount {amount} has more than 4 decimal places",
                file=file,
                location=f"transaction {r['transaction_id']}",
                hint="an ISO 4217 amount has at most 4; correct the file",
            )


def iter_transaction_batches(
    source: Source,
    *,
    file: str | None = None,
    format: str | None = None,
    strict: bool = False,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """The transactions of one statement file as Arrow record batches of
    :data:`TRANSACTIONS_SCHEMA`, streamed (arguments as for :func:`rapprochement.iter_statement`;
    ``file`` fills the ``file`` column and names the file in errors, default: the path).

    Raises:
        StatementError: as :func:`rapprochement.read_statement`, naming ``file``.
        AmountError: an amount with more than 4 decimal places.
    """
    name = file if file is not None else _path_name(source)
    try:
        for rows in _rows(iter_statement(source, format=format, strict=strict)):
            for i in range(0, len(rows), batch_rows):
                part = rows[i : i + batch_rows]
                _money(part, name)
                for r in part:
                    r["file"] = name
                yield pa.RecordBatch.from_pylist(part, schema=TRANSACTIONS_SCHEMA)
    except RapprochementError as e:
        raise _named(e, name) from None


def _path_name(source: Source) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else ""


def _named(e: RapprochementError, file: str) -> RapprochementError:
    """``e`` naming ``file`` when it names none (a file read from its bytes)."""
    if not e.file and file:
        e.file = file
        e.args = (e._render(),)
    return e


#: what is kept of a file skipped with ``on_error="skip"`` (:class:`FileFailure`'s fields)
FAILURE_COLUMNS = ("file", "error", "location", "message")

OnError = Literal["raise", "skip"]


@dataclass(frozen=True)
class FileFailure:
    """A statement file skipped with ``on_error="skip"``: the ``file``, the typed error's class
    name (``error``, e.g. ``UnknownFormatError``; ``OSError`` for a file that cannot be opened),
    where in the file (``location``, e.g. ``line 12``; None when the error names no place) and
    the whole ``message`` (file, place and hint, as raising it would have said)."""

    file: str
    error: str
    location: str | None
    message: str


def _check_on_error(on_error: str) -> None:
    if on_error not in ("raise", "skip"):
        from rapprochement.errors import ConfigError

        raise ConfigError(
            f"on_error must be 'raise' or 'skip', not {on_error!r}",
            hint="'skip' keeps going past a file that cannot be read and lists it",
        )


def file_batches(
    source: Source, *, file: str, format: str | None = None, strict: bool = False
) -> tuple[list[pa.RecordBatch], FileFailure | None]:
    """One file's record batches (:func:`iter_transaction_batches`), or none and why it could
    not be read: the file is skipped whole, never half read (its rows are gathered before
    any is given). A typed error (:class:`~rapprochement.errors.RapprochementError`) or an
    ``OSError`` is a failure; anything else (a bug) raises."""
    try:
        return list(iter_transaction_batches(source, file=file, format=format, strict=strict)), None
    except RapprochementError as e:
        return [], FileFailure(file, type(e).__name__, e.location, str(e))
    except OSError as e:
        where = e.strerror or str(e)
        return [], FileFailure(file, "OSError", None, f"{file}: {where}")


def transactions_table(
    source: Source, *, file: str | None = None, format: str | None = None, strict: bool = False
) -> pa.Table:
    """The transactions of one statement file as an Arrow table (:func:`iter_transaction_batches`
    gathered)."""
    batches = list(iter_transaction_batches(source, file=file, format=format, strict=strict))
    return pa.Table.from_batches(batches, schema=TRANSACTIONS_SCHEMA)


def _out_name(path: str) -> str:
    """A Parquet file name for a statement path: its name and a digest of the full path (two
    files of one name in two folders do not collide)."""
    digest = hashlib.sha1(path.encode()).hexdigest()[:10]
    return f"{Path(path).name}-{digest}.parquet"


def _write_one(path: str, out_dir: str, format: str | None, strict: bool) -> str:
    target = os.path.join(out_dir, _out_name(path))
    with pq.ParquetWriter(target, TRANSACTIONS_SCHEMA) as w:
        for batch in iter_transaction_batches(path, format=format, strict=strict):
            w.write_batch(batch)
    return target


def _write_or_skip(path: str, out_dir: str, format: str | None, strict: bool) -> Any:
    """The Parquet file written for ``path``, or its :class:`FileFailure` (nothing written)."""
    batches, failure = file_batches(path, file=path, format=format, strict=strict)
    if failure is not None:
        return failure
    target = os.path.join(out_dir, _out_name(path))
    with pq.ParquetWriter(target, TRANSACTIONS_SCHEMA) as w:
        for batch in batches:
            w.write_batch(batch)
    return target


@dataclass(frozen=True)
class ParquetWritten:
    """What :func:`write_parquet` did with ``on_error="skip"``: the Parquet ``files`` written
    (in the order of the paths read) and the statement files skipped (``failures``)."""

    files: list[str] = field(default_factory=list)
    failures: list[FileFailure] = field(default_factory=list)


@overload
def write_parquet(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    format: str | None = ...,
    strict: bool = ...,
    workers: int = ...,
    on_error: Literal["raise"] = ...,
) -> list[str]: ...


@overload
def write_parquet(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    format: str | None = ...,
    strict: bool = ...,
    workers: int = ...,
    on_error: Literal["skip"],
) -> ParquetWritten: ...


def write_parquet(
    paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    format: str | None = None,
    strict: bool = False,
    workers: int = 1,
    on_error: OnError = "raise",
) -> list[str] | ParquetWritten:
    """Write each statement file's transactions to its own Parquet file in ``out_dir`` (a
    dataset partitioned by file, readable with ``pyarrow.dataset`` or ``spark.read.parquet``),
    ``workers`` files at a time in separate processes. A file with no booked entry gives an
    empty Parquet file (the schema alone).

    ``on_error="skip"``: a file that cannot be read is skipped (nothing written for it) and
    the others are written; the result lists the skipped files with the typed error's
    message (:class:`ParquetWritten`, :class:`FileFailure`).

    Returns:
        The Parquet files written, in the order of ``paths`` (``on_error="raise"``), or a
        :class:`ParquetWritten` (``on_error="skip"``).

    Raises:
        StatementError: the first file that cannot be read (as
            :func:`rapprochement.read_statement`), with ``on_error="raise"``.
        ConfigError: ``on_error`` is neither ``raise`` nor ``skip``.
    """
    _check_on_error(on_error)
    os.makedirs(out_dir, exist_ok=True)
    files = [os.fspath(p) for p in paths]
    out = os.fspath(out_dir)
    one = _write_one if on_error == "raise" else _write_or_skip
    if workers <= 1 or len(files) <= 1:
        done = [one(p, out, format, strict) for p in files]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            n = len(files)
            done = list(pool.map(one, files, [out] * n, [format] * n, [strict] * n))
    if on_error == "raise":
        return done
    return ParquetWritten(
        files=[d for d in done if isinstance(d, str)],
        failures=[d for d in done if isinstance(d, FileFailure)],
    )
