"""The comparison every Spark test makes: ``rapprochement.spark.reconcile`` on a session gives
the rows of ``rapprochement.reconcile`` on the same book (the driver's result frame for frame,
explanations and rivals included, and the Spark frames row for row)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pandas as pd
from benchmarks.executors import to_spark
from benchmarks.generator import Dataset, generate

import rapprochement
from tests.matching.test_shards import assert_same

SPARK_FRAMES = ("allocations", "unmatched_transactions", "open_invoices", "ambiguous", "duplicates")


def rows(df: Any) -> list[tuple[Any, ...]]:
    """Rows of a Spark or pandas frame as plain tuples (arrays and tuples as tuples)."""

    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return tuple(plain(x) for x in v)
        return None if v is None or (isinstance(v, float) and v != v) else v

    if not isinstance(df, pd.DataFrame):
        return [tuple(plain(v) for v in r) for r in df.collect()]
    return [tuple(plain(v) for v in r) for r in df.astype(object).itertuples(index=False)]


@cache
def book(seed: int, n: int) -> tuple[Dataset, rapprochement.ReconciliationResult]:
    """A hard generated book and its in-process result (computed once per test process)."""
    ds = generate(seed, n, "hard")
    single = rapprochement.reconcile(
        ds.transactions, ds.invoices, remittances=ds.remittances, customers=ds.customers
    )
    return ds, single


def assert_spark_equals_single(session: Any, seed: int, n: int, shards: int) -> Any:
    """``rapprochement.spark.reconcile`` on ``session`` equals the in-process result of the
    book ``(seed, n)``; returns the Spark result."""
    from rapprochement.spark import reconcile

    ds, single = book(seed, n)
    got = reconcile(
        to_spark(session, ds.transactions),
        to_spark(session, ds.invoices),
        remittances=ds.remittances,
        customers=to_spark(session, ds.customers),
        shards=shards,
    )
    assert_same(single, got.to_pandas_result())
    for name in SPARK_FRAMES:
        assert rows(getattr(got, name)) == rows(getattr(single, name)), name
    assert got.allocations.schema["amount"].dataType.simpleString() == "decimal(38,4)"
    assert isinstance(got.allocations.first()["amount"], Decimal)
    return got


def assert_read_statements(session: Any) -> None:
    """``read_statements`` on ``session``: each fixture statement's rows as
    ``transactions_frame(read_statement(f))``'s, from paths and from ``binaryFile`` bytes."""
    from rapprochement.spark import read_statements
    from tests.test_arrow import STATEMENTS, expected_rows

    def by_file(df: Any) -> dict[str, list[tuple[Any, ...]]]:
        assert df.columns[-1] == "file"
        out: dict[str, list[tuple[Any, ...]]] = {}
        for r in df.collect():
            out.setdefault(r["file"], []).append(tuple(r))
        return out

    want = {str(p): expected_rows(p, str(p)) for p in STATEMENTS}
    want = {k: v for k, v in want.items() if v}  # a file without booked entries has no rows
    got = by_file(read_statements(session, [str(p) for p in STATEMENTS]))
    assert got == want
    mt940 = STATEMENTS[0].parent.parent / "mt940"
    files = session.read.format("binaryFile").option("pathGlobFilter", "*.sta").load(str(mt940))
    got = {k.removeprefix("file:"): v for k, v in by_file(read_statements(session, files)).items()}
    expected = {k: [(*r[:-1], "file:" + k) for r in v] for k, v in want.items() if k in got}
    assert len(got) == len(list(mt940.glob("*.sta")))
    assert got == expected
