"""A folder of statements as a Spark DataFrame of transactions, parsed on the executors.

Each file is read whole by one Spark task (``mapInArrow``), streamed through
:func:`rapprochement.arrow.iter_transaction_batches`: no statement goes through the driver's
Python, and the rows are those of :func:`rapprochement.transactions_frame` plus ``file``
(docs/scaling.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DateType, DecimalType, StringType, StructField, StructType

from rapprochement.arrow import (
    COLUMNS,
    FAILURE_COLUMNS,
    TRANSACTIONS_SCHEMA,
    _check_on_error,
    file_batches,
    iter_transaction_batches,
)
from rapprochement.errors import ColumnError
from rapprochement.spark.executor import default_parallelism

__all__ = ["FAILURES", "TRANSACTIONS", "StatementsRead", "read_statements"]


def _kind(col: str) -> Any:
    if col == "amount":
        return DecimalType(38, 4)
    if col in ("booking_date", "value_date"):
        return DateType()
    return StringType()


#: the Spark schema of :func:`read_statements` (that of ``rapprochement.arrow``)
TRANSACTIONS = StructType([StructField(c, _kind(c), True) for c in COLUMNS])
#: the files :func:`read_statements` skipped (``on_error="skip"``): ``file, error, location,
#: message`` (:class:`rapprochement.arrow.FileFailure`)
FAILURES = StructType([StructField(c, StringType(), c == "location") for c in FAILURE_COLUMNS])
_FAILED = "_failed"  # the column that tells a failure row from a transaction row
_BOTH = StructType(
    [
        *TRANSACTIONS.fields,
        *(StructField(f"_{c}", StringType(), True) for c in FAILURE_COLUMNS),
        StructField(_FAILED, StringType(), True),
    ]
)


@dataclass(frozen=True)
class StatementsRead:
    """What :func:`read_statements` read with ``on_error="skip"``: the ``transactions`` of the
    files it could read (:data:`TRANSACTIONS`) and the files it skipped (``failures``,
    :data:`FAILURES`), two views of one lazy parse: ``parsed`` (persist it to parse once
    when you compute both)."""

    transactions: DataFrame
    failures: DataFrame
    parsed: DataFrame


@overload
def read_statements(
    spark: SparkSession,
    files: DataFrame | Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str | None = ...,
    strict: bool = ...,
    partitions: int | None = ...,
    on_error: Literal["raise"] = ...,
) -> DataFrame: ...


@overload
def read_statements(
    spark: SparkSession,
    files: DataFrame | Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str | None = ...,
    strict: bool = ...,
    partitions: int | None = ...,
    on_error: Literal["skip"],
) -> StatementsRead: ...


def read_statements(
    spark: SparkSession,
    files: DataFrame | Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str | None = None,
    strict: bool = False,
    partitions: int | None = None,
    on_error: Literal["raise", "skip"] = "raise",
) -> DataFrame | StatementsRead:
    """The transactions of many statement files as a Spark DataFrame, each file parsed whole by
    one task on the executors (classic Spark or Spark Connect).

    Args:
        spark: the session.
        files: either paths the executors can open (a local or mounted file system: the same
            path on every node, e.g. ``/Volumes/...`` or ``/dbfs/...`` on Databricks), or a
            DataFrame with a ``path`` column and, optionally, the file's bytes in ``content``:
            ``spark.read.format("binaryFile").load(folder)`` reads any Hadoop file system
            (S3, ABFS, HDFS) that way.
        format: force a parser (as for :func:`rapprochement.read_statement`); sniffed per file
            when None.
        strict: as for :func:`rapprochement.read_statement`.
        partitions: Spark partitions (tasks) to spread the files over; default: one per path
            up to four per core for a list of paths, the DataFrame's own for a DataFrame.
        on_error: ``raise`` (default): a file that cannot be read fails the job. ``skip``: it
            is skipped whole (none of its rows) and the others are read; the result is a
            :class:`StatementsRead` whose ``failures`` lists each skipped file with the typed
            error's class, place and message.

    Returns:
        A lazy DataFrame of :data:`TRANSACTIONS` (``transactions_frame``'s columns, money as
        ``decimal(38,4)``, dates as ``date``, then ``file``), one row per payment detail of
        each booked entry, a file's rows in file order; with ``on_error="skip"``, a
        :class:`StatementsRead`.

    Raises:
        ColumnError: a DataFrame without a ``path`` column. A file that cannot be read fails
            the Spark job with its :class:`~rapprochement.errors.StatementError`, which names
            the file (``on_error="raise"``).
        ConfigError: ``on_error`` is neither ``raise`` nor ``skip``.
    """
    _check_on_error(on_error)
    if isinstance(files, DataFrame):
        if "path" not in files.columns:
            raise ColumnError(
                "the files DataFrame has no path column",
                file="read_statements",
                location=f"columns {', '.join(files.columns)}",
                hint='pass spark.read.format("binaryFile").load(folder) or a path column',
            )
        content = "content" in files.columns
        df = files.select("path", "content") if content else files.select("path")
        if partitions:
            df = df.repartition(partitions)
    else:
        if isinstance(files, (str, os.PathLike)):
            paths = [os.fspath(files)]
        else:
            paths = [os.fspath(p) for p in files]
        content = False
        df = spark.createDataFrame([(p,) for p in paths], "path string")
        n = partitions or min(len(paths), 4 * default_parallelism(spark))
        df = df.repartition(max(1, n))
    if on_error == "raise":
        return df.mapInArrow(_parser(format, strict, content), TRANSACTIONS)
    parsed = df.mapInArrow(_skipping_parser(format, strict, content), _BOTH)
    failed = parsed.where(parsed[_FAILED].isNotNull())
    return StatementsRead(
        transactions=parsed.where(parsed[_FAILED].isNull()).select(*COLUMNS),
        failures=failed.select(*(failed[f"_{c}"].alias(c) for c in FAILURE_COLUMNS)),
        parsed=parsed,
    )


def _parser(format: str | None, strict: bool, content: bool) -> Any:
    """The ``mapInArrow`` function: each row's file (its bytes when given, else its path)
    parsed into record batches."""

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            paths = b.column("path").to_pylist()
            datas = b.column("content").to_pylist() if content else [None] * len(paths)
            for path, data in zip(paths, datas, strict=True):
                source = path if data is None else data
                yield from iter_transaction_batches(source, file=path, format=format, strict=strict)

    return parse


def _skipping_parser(format: str | None, strict: bool, content: bool) -> Any:
    """As :func:`_parser`, a file that cannot be read giving one failure row instead of its
    transactions (``on_error="skip"``; schema ``_BOTH``)."""
    extra = [f"_{c}" for c in FAILURE_COLUMNS] + [_FAILED]
    schema = pa.schema([*TRANSACTIONS_SCHEMA, *((c, pa.string()) for c in extra)])

    def parse(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            paths = b.column("path").to_pylist()
            datas = b.column("content").to_pylist() if content else [None] * len(paths)
            for path, data in zip(paths, datas, strict=True):
                source = path if data is None else data
                got, failure = file_batches(source, file=path, format=format, strict=strict)
                for batch in got:
                    nulls = [pa.nulls(batch.num_rows, pa.string())] * len(extra)
                    yield pa.RecordBatch.from_arrays([*batch.columns, *nulls], schema=schema)
                if failure is not None:
                    row: dict[str, Any] = dict.fromkeys(COLUMNS)
                    row.update({f"_{c}": getattr(failure, c) for c in FAILURE_COLUMNS})
                    row.update(file=path, _failed="1")
                    yield pa.RecordBatch.from_pylist([row], schema=schema)

    return parse
