"""Matching on Spark (the ``spark`` extra: ``pip install 'rapprochement[spark]'``).

:func:`reconcile` takes Spark DataFrames and returns Spark DataFrames, with the same rows as
:func:`rapprochement.reconcile` on the same data. Blocking and the grouped-payment search run
per shard of payments on the Spark executors (``mapInPandas``; the invoice side sent once to
each executor); validation, the invoice- and customer-keyed features, scoring and the global
assignment run on the driver. Classic Spark and Spark Connect alike. :func:`read_statements`
parses a folder of statements on the executors into a DataFrame of transactions
(docs/spark.md, docs/scaling.md, docs/adr/0014-spark-executor.md,
docs/adr/0019-spark-connect-and-parsing-at-scale.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    ArrayType,
    DecimalType,
    DoubleType,
    StringType,
    StructField,
    StructType,
)

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.engine import reconcile as _reconcile
from rapprochement.matching.result import ReconciliationResult
from rapprochement.spark.executor import SparkExecutor
from rapprochement.spark.statements import StatementsRead, read_statements

__all__ = ["SparkExecutor", "SparkResult", "StatementsRead", "read_statements", "reconcile"]

#: money in the result frames: every ISO 4217 minor unit (at most 4 places, CLF) fits
MONEY = DecimalType(38, 4)
_S, _D = StringType(), DoubleType()


def _schema(*cols: tuple[str, Any]) -> StructType:
    return StructType([StructField(n, t, True) for n, t in cols])


ALLOCATIONS = _schema(
    ("transaction_id", _S), ("invoice_id", _S), ("amount", MONEY), ("currency", _S),
    ("status", _S), ("score", _D), ("kind", _S), ("group_id", _S), ("explanation", _S),
)  # fmt: skip
UNMATCHED = _schema(
    ("transaction_id", _S), ("currency", _S), ("amount", MONEY), ("remaining", MONEY)
)
OPEN_INVOICES = _schema(
    ("invoice_id", _S), ("customer_id", _S), ("currency", _S), ("amount", MONEY),
    ("open_amount", MONEY),
)  # fmt: skip
AMBIGUOUS = _schema(
    ("transaction_id", _S), ("alternatives", ArrayType(ArrayType(_S))), ("reason", _S)
)
DUPLICATES = _schema(("transaction_id", _S), ("duplicate_of", _S), ("invoice_id", _S))


@dataclass(frozen=True)
class SparkResult:
    """What :func:`reconcile` found, as Spark DataFrames (columns as in
    :class:`~rapprochement.matching.result.ReconciliationResult`; money as
    ``decimal(38,4)``, an ambiguous payment's alternatives as arrays of invoice ids)."""

    allocations: DataFrame
    unmatched_transactions: DataFrame
    open_invoices: DataFrame
    ambiguous: DataFrame
    duplicates: DataFrame
    _result: ReconciliationResult

    def to_pandas_result(self) -> ReconciliationResult:
        """The driver's :class:`~rapprochement.matching.result.ReconciliationResult` (all
        frames, rivals and counts included), equal to ``rapprochement.reconcile``'s."""
        return self._result


def _collect(x: DataFrame) -> pd.DataFrame:
    """A Spark DataFrame collected to the driver as a frame of Python values (decimals, dates,
    strings, None), as :func:`rapprochement.reconcile` reads lists of rows. Not
    ``toPandas()``: its Arrow path uses pandas API deprecated in pandas 3 (PySpark 4.3), and
    the engine validates the values anyway."""
    rows = [tuple(r) for r in x.collect()]
    return pd.DataFrame.from_records(rows, columns=list(x.columns)).astype(object)


def _pandas(x: DataFrame | pd.DataFrame | None) -> pd.DataFrame | None:
    """:func:`_collect` of a Spark DataFrame; a pandas frame or None as it is."""
    if x is None or isinstance(x, pd.DataFrame):
        return x
    return _collect(x)


def _spark(session: SparkSession, df: pd.DataFrame, schema: StructType) -> DataFrame:
    """``df`` as a Spark DataFrame of ``schema`` (missing values as nulls)."""
    names = schema.fieldNames()
    rows = [
        tuple(None if _missing(v) else _plain(v) for v in row)
        for row in df[names].itertuples(index=False, name=None)
    ]
    return session.createDataFrame(rows, schema)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _plain(v: Any) -> Any:
    """Tuples (an ambiguous payment's alternatives) as lists, the rest as it is."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def reconcile(
    transactions_sdf: DataFrame,
    invoices_sdf: DataFrame,
    remittances: DataFrame | pd.DataFrame | None = None,
    customers: DataFrame | pd.DataFrame | None = None,
    config: MatchConfig | None = None,
    *,
    shards: int | None = None,
    dayfirst: bool | None = None,
) -> SparkResult:
    """Match payments to open invoices on Spark (same columns and results as
    :func:`rapprochement.reconcile`).

    The inputs are collected to the driver, validated there, and the payment-shard stages
    (blocking and the group search) run as Spark tasks on ``shards`` shards of payments
    (default: the session's default parallelism). The driver must hold the inputs and the
    scored hypotheses (about 8 rows per payment): this increment spreads the work, not yet
    the memory (docs/spark.md).

    Args:
        transactions_sdf: payments, the columns of :func:`rapprochement.reconcile`'s
            ``transactions`` (money as decimals, dates as dates or ISO strings).
        invoices_sdf: open items, the columns of its ``invoices``.
        remittances: optional remittance-advice lines (Spark or pandas).
        customers: optional learned payers (Spark or pandas).
        config: thresholds and bounds (:class:`~rapprochement.MatchConfig`).
        shards: payment shards per currency.
        dayfirst: as for :func:`rapprochement.reconcile`.

    Raises:
        InputError: a typed subclass naming the column and rows of unusable input.
    """
    session = transactions_sdf.sparkSession
    # under Spark Connect the invoice sides are released when the call ends (docs/spark.md)
    with SparkExecutor(session, shards) as executor:
        res = _reconcile(
            _collect(transactions_sdf),
            _collect(invoices_sdf),
            remittances=_pandas(remittances),
            customers=_pandas(customers),
            config=config,
            dayfirst=dayfirst,
            executor=executor,
        )
    return SparkResult(
        allocations=_spark(session, res.allocations, ALLOCATIONS),
        unmatched_transactions=_spark(session, res.unmatched_transactions, UNMATCHED),
        open_invoices=_spark(session, res.open_invoices, OPEN_INVOICES),
        ambiguous=_spark(session, res.ambiguous, AMBIGUOUS),
        duplicates=_spark(session, res.duplicates, DUPLICATES),
        _result=res,
    )
