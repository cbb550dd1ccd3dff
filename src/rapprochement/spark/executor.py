"""A Spark :class:`~rapprochement.matching.executor.Executor`: the payment-shard stages of the
engine as Spark tasks (``mapInPandas``), the invoice side broadcast once to each executor."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pyspark.sql import SparkSession

from rapprochement.matching.executor import split_payments

__all__ = ["SparkExecutor"]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_PROTOCOL = 5


class SparkExecutor:
    """Runs each shard's task as one row of a Spark DataFrame through ``mapInPandas``.

    The shared, read-only invoice side (open items, payer and reference indexes) is a Spark
    broadcast variable: sent once to each executor, not once per task. A task (one shard's
    payments and, for the group search, their pairs) travels as a pickled cell; the results
    come back to the driver, where the engine merges them and runs the global stages.
    Executors need the driver's Python and the same versions of rapprochement and its
    dependencies (docs/spark.md). Classic Spark only: a Spark Connect session has no
    ``sparkContext`` to broadcast with.

    Args:
        session: the (classic) Spark session.
        shards: payment shards per currency partition (default: the session's default
            parallelism).
    """

    def __init__(self, session: SparkSession, shards: int | None = None) -> None:
        self.session = session
        self.n_shards = shards or session.sparkContext.defaultParallelism

    def shards(self, n_payments: int) -> list[np.ndarray[Any, Any]]:
        """Contiguous runs of payments (:func:`~rapprochement.matching.executor.split_payments`)."""
        return split_payments(n_payments, self.n_shards)

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T]) -> list[R]:
        """``[fn(shared, task) for task in tasks]`` on the Spark executors, in task order."""
        if not tasks:
            return []
        side = self.session.sparkContext.broadcast(shared)
        try:
            rows = [(k, pickle.dumps(t, protocol=_PROTOCOL)) for k, t in enumerate(tasks)]
            df = self.session.createDataFrame(rows, "k long, task binary").repartition(len(rows))

            def work(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
                value = side.value
                for b in batches:
                    out = [
                        pickle.dumps(fn(value, pickle.loads(x)), protocol=_PROTOCOL)
                        for x in b["task"]
                    ]
                    yield pd.DataFrame({"k": b["k"].to_numpy(), "out": out})

            got = df.mapInPandas(work, "k long, out binary").collect()
        finally:
            side.destroy()
        by_k = {int(r["k"]): bytes(r["out"]) for r in got}
        return [pickle.loads(by_k[k]) for k in range(len(rows))]
