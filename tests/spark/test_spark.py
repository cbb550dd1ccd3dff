"""``rapprochement.spark`` on a real ``local[2]`` Spark session (classic): the same results as
``rapprochement.reconcile``, the shard stages run as Spark tasks (the session: conftest.py)."""

from __future__ import annotations

import operator
from typing import Any

import pytest

from rapprochement.spark.executor import CHUNK
from tests.spark.compare import assert_read_statements, assert_spark_equals_single

pytestmark = [
    pytest.mark.spark,
    # one JVM per module: its tests run in one pytest-xdist worker (make test: --dist loadgroup)
    pytest.mark.xdist_group("spark-classic"),
    # PySpark 4.3 warns that it "does not yet fully support pandas >= 3.0.0" (docs/spark.md)
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def test_spark_reconcile_equals_reconcile(spark: Any) -> None:
    assert_spark_equals_single(spark, 11, 300, shards=3)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3])
def test_spark_reconcile_equals_reconcile_10000(spark: Any, seed: int) -> None:
    assert_spark_equals_single(spark, seed, 10_000, shards=4)


def test_executor_runs_tasks_on_spark(spark: Any) -> None:
    from rapprochement.spark import SparkExecutor

    ex = SparkExecutor(spark, shards=4)
    assert not ex.connect
    assert [len(s) for s in ex.shards(10)] == [3, 3, 2, 2]
    # the shared value is broadcast; each task runs in a Python worker, results in task order
    assert ex.run(operator.mul, 10, [1, 2, 3, 4, 5]) == [10, 20, 30, 40, 50]
    assert ex.run(operator.mul, 10, []) == []
    # a result larger than a chunk comes back whole
    big = ex.run(operator.mul, b"ab", [CHUNK // 2 + 3, 1])
    assert big == [b"ab" * (CHUNK // 2 + 3), b"ab"]
    assert SparkExecutor(spark).n_shards == 2  # local[2]'s default parallelism


def test_read_statements_on_spark(spark: Any) -> None:
    assert_read_statements(spark)


def test_read_statements_can_skip_a_broken_file(spark: Any, tmp_path: Any) -> None:
    """``on_error="skip"``: the good files' rows, and the broken one listed with the typed
    error's class and message (file and place); the default still fails the job."""
    import pytest

    from rapprochement.spark import StatementsRead, read_statements
    from tests.test_arrow import STATEMENTS, expected_rows

    broken = tmp_path / "broken.sta"
    broken.write_text("no statement here\n")
    good = STATEMENTS[0]
    got = read_statements(spark, [str(good), str(broken)], on_error="skip")
    assert isinstance(got, StatementsRead)
    assert [tuple(r) for r in got.transactions.collect()] == expected_rows(good, str(good))
    failures = [r.asDict() for r in got.failures.collect()]
    assert len(failures) == 1
    assert failures[0]["file"] == str(broken)
    assert failures[0]["error"] == "UnknownFormatError"
    assert failures[0]["message"].startswith(f"{broken}: ")
    with pytest.raises(Exception, match=r"broken\.sta"):
        read_statements(spark, [str(good), str(broken)]).collect()
