"""``rapprochement.spark`` on a real ``local[2]`` Spark session (classic): the same results as
``rapprochement.reconcile``, the shard stages run as Spark tasks.

Skipped only when Java or PySpark is absent on a developer's machine; CI installs a headless JRE
and the ``spark`` extra and sets ``RAPPROCHEMENT_REQUIRE_SPARK=1``, which turns that skip into a
failure.
"""

from __future__ import annotations

import operator
import os
import shutil
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from benchmarks.executors import to_spark
from benchmarks.generator import generate

import rapprochement
from tests.matching.test_shards import assert_same

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.3 warns that it "does not yet fully support pandas >= 3.0.0" (docs/spark.md)
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def _missing_reason() -> str | None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install default-jre-headless)"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed (pip install '.[spark]')"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A classic ``local[2]`` session on loopback, stopped after the module."""
    reason = _missing_reason()
    if reason is not None:
        if os.environ.get("RAPPROCHEMENT_REQUIRE_SPARK"):
            pytest.fail(f"Spark tests required (RAPPROCHEMENT_REQUIRE_SPARK) but {reason}")
        pytest.skip(f"{reason}; CI installs it and sets RAPPROCHEMENT_REQUIRE_SPARK=1")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("rapprochement-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _rows(df: Any) -> list[tuple[Any, ...]]:
    """Rows of a Spark or pandas frame as plain tuples (arrays and tuples as tuples)."""

    def plain(v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            return tuple(plain(x) for x in v)
        return None if v is None or (isinstance(v, float) and v != v) else v

    if not isinstance(df, pd.DataFrame):
        return [tuple(plain(v) for v in r) for r in df.collect()]
    return [tuple(plain(v) for v in r) for r in df.astype(object).itertuples(index=False)]


def test_spark_reconcile_equals_reconcile(spark: Any) -> None:
    from rapprochement.spark import reconcile

    ds = generate(11, 300, "hard")
    single = rapprochement.reconcile(
        ds.transactions, ds.invoices, remittances=ds.remittances, customers=ds.customers
    )
    got = reconcile(
        to_spark(spark, ds.transactions),
        to_spark(spark, ds.invoices),
        remittances=ds.remittances,
        customers=to_spark(spark, ds.customers),
        shards=3,
    )
    # the driver's result: every frame equal, explanations and rivals included
    assert_same(single, got.to_pandas_result())
    # the Spark frames hold the same rows (money equal as decimals)
    for name in ("allocations", "unmatched_transactions", "open_invoices", "ambiguous"):
        assert _rows(getattr(got, name)) == _rows(getattr(single, name)), name
    assert _rows(got.duplicates) == _rows(single.duplicates)
    assert got.allocations.schema["amount"].dataType.simpleString() == "decimal(38,4)"
    assert isinstance(got.allocations.first()["amount"], Decimal)
    # (one test, one JVM: under ``pytest -n 2`` a second test could start a second session)
    _executor_runs_tasks_on_spark(spark)


def _executor_runs_tasks_on_spark(spark: Any) -> None:
    from rapprochement.spark import SparkExecutor

    ex = SparkExecutor(spark, shards=4)
    assert [len(s) for s in ex.shards(10)] == [3, 3, 2, 2]
    # the shared value is broadcast; each task runs in a Python worker, results in task order
    assert ex.run(operator.mul, 10, [1, 2, 3, 4, 5]) == [10, 20, 30, 40, 50]
    assert ex.run(operator.mul, 10, []) == []
