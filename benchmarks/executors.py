"""``python -m benchmarks.executors [--n 20000] [--seed 1000] [--workers 2] [--spark]``: one
hard book reconciled in process, on a process pool and (``--spark``, needs Java and the
``spark`` extra) on Spark ``local[workers]``; wall time of each and whether its result equals
the in-process one (every result frame). A first figure for issue 16, not ``make bench-scale``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import pandas as pd

import rapprochement
from benchmarks.generator import generate
from rapprochement.matching.executor import InProcess, ProcessPool

FRAMES = ("allocations", "unmatched_transactions", "open_invoices", "ambiguous", "duplicates")


def same(a: rapprochement.ReconciliationResult, b: rapprochement.ReconciliationResult) -> bool:
    """Every result frame of ``a`` equal to ``b``'s (rivals included)."""
    return all(getattr(a, f).equals(getattr(b, f)) for f in (*FRAMES, "rivals"))


def run(n: int, seed: int, workers: int, spark: bool) -> pd.DataFrame:
    """Seconds and equality per executor on ``generate(seed, n, "hard")``."""
    ds = generate(seed, n, "hard")
    kw: dict[str, Any] = {"remittances": ds.remittances, "customers": ds.customers}
    rows = []
    ref = None
    for name, ex in (
        ("in process", InProcess()),
        (f"process pool ({workers})", ProcessPool(workers=workers)),
    ):
        t0 = time.perf_counter()
        res = rapprochement.reconcile(ds.transactions, ds.invoices, executor=ex, **kw)
        rows.append({"executor": name, "seconds": time.perf_counter() - t0})
        ref = ref or res
        rows[-1]["identical"] = same(ref, res)
    if spark:
        rows.append(_spark(ds, workers, ref))
    return pd.DataFrame(rows)


def _spark(ds: Any, workers: int, ref: Any) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    from rapprochement.spark import reconcile

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(f"local[{workers}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    tx, inv = to_spark(session, ds.transactions), to_spark(session, ds.invoices)
    cust = to_spark(session, ds.customers)
    t0 = time.perf_counter()
    got = reconcile(tx, inv, remittances=ds.remittances, customers=cust, shards=workers)
    seconds = time.perf_counter() - t0
    session.stop()
    return {
        "executor": f"spark local[{workers}]",
        "seconds": seconds,
        "identical": same(ref, got.to_pandas_result()),
    }


def to_spark(session: Any, df: pd.DataFrame) -> Any:
    """A generated book's frame as Spark: money as decimals, dates as dates, text as strings."""
    from pyspark.sql.types import DateType, DecimalType, StringType, StructField, StructType

    def kind(col: str) -> Any:
        if col in ("amount", "open_amount"):
            return DecimalType(18, 2)
        if col.endswith("_date"):
            return DateType()
        return StringType()

    schema = StructType([StructField(c, kind(c), True) for c in df.columns])
    rows = [
        tuple(None if v is None or (isinstance(v, float) and v != v) else v for v in r)
        for r in df.astype(object).itertuples(index=False, name=None)
    ]
    return session.createDataFrame(rows, schema)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--spark", action="store_true")
    a = p.parse_args()
    print(run(a.n, a.seed, a.workers, a.spark).to_string(index=False))


if __name__ == "__main__":
    main()
