"""``rapprochement.spark`` on Spark Connect: a ``local[2]`` Connect server on loopback (its own
JVM, started by conftest.py) and a client session without a ``SparkContext``; the same results
as ``rapprochement.reconcile``, the invoice side shipped as a session artifact."""

from __future__ import annotations

import operator
from typing import Any

import pytest

from rapprochement.spark.executor import CHUNK
from tests.spark.compare import assert_read_statements, assert_spark_equals_single

pytestmark = [
    pytest.mark.spark,
    # one Connect server per module: its tests run in one pytest-xdist worker
    pytest.mark.xdist_group("spark-connect"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def test_connect_session_has_no_spark_context(spark_connect: Any) -> None:
    from rapprochement.spark.executor import is_connect

    assert is_connect(spark_connect)
    with pytest.raises(Exception, match="JVM_ATTRIBUTE_NOT_SUPPORTED"):
        _ = spark_connect.sparkContext


def test_connect_reconcile_equals_reconcile(spark_connect: Any) -> None:
    assert_spark_equals_single(spark_connect, 11, 300, shards=3)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3])
def test_connect_reconcile_equals_reconcile_10000(spark_connect: Any, seed: int) -> None:
    assert_spark_equals_single(spark_connect, seed, 10_000, shards=4)


def test_executor_runs_tasks_on_connect(spark_connect: Any) -> None:
    from rapprochement.spark import SparkExecutor

    ex = SparkExecutor(spark_connect, shards=3)
    assert ex.connect
    # the shared value is an artifact read in each Python worker; results in task order
    assert ex.run(operator.mul, 10, [1, 2, 3, 4]) == [10, 20, 30, 40]
    assert ex.run(operator.add, "x", ["a", "b"]) == ["xa", "xb"]  # a second artifact
    big = ex.run(operator.mul, b"ab", [CHUNK // 2 + 3])
    assert big == [b"ab" * (CHUNK // 2 + 3)]
    assert SparkExecutor(spark_connect).n_shards == 2  # the server's local[2]


def test_read_statements_on_connect(spark_connect: Any) -> None:
    assert_read_statements(spark_connect)


def test_executor_close_releases_its_artifacts_session(spark_connect: Any) -> None:
    """The invoice sides go to a server-side session of the executor's own, which ``close()``
    (or leaving ``with``) stops: the server releases it with its artifacts; the caller's
    session keeps working, and a later run opens a new one."""
    from rapprochement.spark import SparkExecutor

    with SparkExecutor(spark_connect, shards=2) as ex:
        assert ex.run(operator.mul, 10, [1, 2]) == [10, 20]
        own = ex._own
        assert own is not None
        assert own.session_id != spark_connect.session_id
    assert ex._own is None
    assert own.is_stopped
    assert spark_connect.range(3).count() == 3  # the caller's session is untouched
    assert ex.run(operator.mul, 2, [5]) == [10]  # a new session for a later run
    ex.close()
    ex.close()  # idempotent
