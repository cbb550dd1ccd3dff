"""A Spark :class:`~rapprochement.matching.executor.Executor`: the payment-shard stages of the
engine as Spark tasks (``mapInPandas``), on classic Spark and on Spark Connect.

The shared, read-only invoice side travels once to each executor, not once per task: a
broadcast variable on classic Spark; on Spark Connect (which has no ``SparkContext`` and no
broadcast variables) a pickled file added to the session as an artifact
(``addArtifacts(..., file=True)``), which every executor fetches once and each Python worker
reads from ``SparkFiles`` (docs/adr/0019-spark-connect-and-parsing-at-scale.md).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pyspark.sql import SparkSession

from rapprochement.matching.executor import split_payments

__all__ = ["SparkExecutor", "is_connect"]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_PROTOCOL = 5
#: a task's result travels back in rows of at most this many bytes (a Spark Connect client
#: refuses gRPC messages over 128 MiB; a row is never split across messages)
CHUNK = 16 << 20

#: a Python worker's unpickled invoice side, by artifact name (Spark Connect; the worker is
#: reused across tasks, so each reads the file once)
_SIDE: dict[str, Any] = {}


def is_connect(session: Any) -> bool:
    """Whether ``session`` is a Spark Connect session (``pyspark.sql.connect``), not classic."""
    return type(session).__module__.startswith("pyspark.sql.connect")


def default_parallelism(session: SparkSession) -> int:
    """The session's default parallelism: ``sparkContext.defaultParallelism`` on classic Spark;
    on Spark Connect ``spark.default.parallelism`` when set, else the partitions Spark gives a
    ``range`` without a partition count (the same default)."""
    if not is_connect(session):
        return int(session.sparkContext.defaultParallelism)
    conf = session.conf.get("spark.default.parallelism", None)
    if conf:
        return int(conf)
    from pyspark.sql import functions as F  # noqa: N812 (PySpark's usual name)

    ids = session.range(0, 1 << 16).select(F.spark_partition_id().alias("p"))
    top = ids.agg(F.max("p").alias("p")).first()
    return int(top["p"]) + 1 if top is not None and top["p"] is not None else 1


def _chunks(k: int, data: bytes) -> pd.DataFrame:
    """One task's pickled result as rows ``(k, part, out)`` of at most :data:`CHUNK` bytes."""
    parts = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
    return pd.DataFrame({"k": k, "part": np.arange(len(parts), dtype=np.int64), "out": parts})


def _joined(rows: Sequence[Any], n: int) -> list[bytes]:
    """The pickled result of each of the ``n`` tasks, its chunks joined in order."""
    by_k: dict[int, list[tuple[int, bytes]]] = {}
    for r in rows:
        by_k.setdefault(int(r["k"]), []).append((int(r["part"]), bytes(r["out"])))
    return [b"".join(c for _, c in sorted(by_k[k])) for k in range(n)]


class SparkExecutor:
    """Runs each shard's task as one row of a Spark DataFrame through ``mapInPandas``.

    A task (one shard's payments and, for the group search, their pairs) travels as a pickled
    cell; its result comes back to the driver in chunks, where the engine merges the results
    and runs the global stages. The invoice side is sent once to each executor (module doc).
    Executors need the driver's Python and the same versions of rapprochement and its
    dependencies (docs/spark.md).

    Args:
        session: a classic or a Spark Connect session.
        shards: payment shards per currency partition (default: the session's default
            parallelism).
    """

    def __init__(self, session: SparkSession, shards: int | None = None) -> None:
        self.session = session
        self.connect = is_connect(session)
        self.n_shards = shards or default_parallelism(session)
        self._own: SparkSession | None = None  # Spark Connect: the session the artifacts go to

    def __enter__(self) -> SparkExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release what the runs left on the cluster: under Spark Connect the invoice sides
        were added as artifacts to a session of this executor's own (a fresh server-side
        session, ``newSession()``), which this stops; the server then deletes its artifacts.
        The caller's session is untouched. Idempotent; a later :meth:`run` opens a new one.
        Nothing to do on classic Spark (its broadcast variables are destroyed after each
        stage)."""
        own, self._own = self._own, None
        if own is not None:
            own.stop()

    def _tasks_session(self) -> SparkSession:
        """Where the tasks and artifacts go: the caller's session on classic Spark (or a
        Connect client without ``newSession``), else this executor's own (see :meth:`close`)."""
        if not self.connect or not hasattr(self.session, "newSession"):
            return self.session
        if self._own is None:
            self._own = self.session.newSession()
        return self._own

    def shards(self, n_payments: int) -> list[np.ndarray[Any, Any]]:
        """Contiguous runs of payments (:func:`~rapprochement.matching.executor.split_payments`)."""
        return split_payments(n_payments, self.n_shards)

    def run(self, fn: Callable[[S, T], R], shared: S, tasks: Sequence[T]) -> list[R]:
        """``[fn(shared, task) for task in tasks]`` on the Spark executors, in task order."""
        if not tasks:
            return []
        rows = [(k, pickle.dumps(t, protocol=_PROTOCOL)) for k, t in enumerate(tasks)]
        session = self._tasks_session()
        df = session.createDataFrame(rows, "k long, task binary").repartition(len(rows))
        if self.connect:
            work = _with_artifact(session, fn, shared)
            got = df.mapInPandas(work, "k long, part long, out binary").collect()
        else:
            side = self.session.sparkContext.broadcast(shared)
            try:
                work = _with_broadcast(fn, side)
                got = df.mapInPandas(work, "k long, part long, out binary").collect()
            finally:
                side.destroy()
        return [pickle.loads(b) for b in _joined(got, len(rows))]


Work = Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]


def _tasks(fn: Callable[[Any, Any], Any], value: Any, batches: Iterator[pd.DataFrame]) -> Any:
    """``fn(value, task)`` for each pickled task of the batches, as result chunks."""
    for b in batches:
        for k, x in zip(b["k"].to_numpy(), b["task"], strict=True):
            out = pickle.dumps(fn(value, pickle.loads(x)), protocol=_PROTOCOL)
            yield _chunks(int(k), out)


def _with_broadcast(fn: Callable[[Any, Any], Any], side: Any) -> Work:
    """The ``mapInPandas`` function of classic Spark: the invoice side a broadcast variable."""

    def work(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        yield from _tasks(fn, side.value, batches)

    return work


def _with_artifact(session: SparkSession, fn: Callable[[Any, Any], Any], shared: Any) -> Work:
    """The ``mapInPandas`` function of Spark Connect: the invoice side pickled to a file that is
    added to the session as an artifact under a fresh name (artifacts live as long as the
    session: :meth:`SparkExecutor.close`; the local copy is removed once uploaded)."""
    name = f"rapprochement-side-{uuid.uuid4().hex}.pkl"
    with tempfile.TemporaryDirectory(prefix="rapprochement-") as tmp:
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            pickle.dump(shared, f, protocol=_PROTOCOL)
        session.addArtifacts(path, file=True)

    def work(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        yield from _tasks(fn, _side(name), batches)

    return work


def _side(name: str) -> Any:
    """The invoice side of artifact ``name``, read once per Python worker."""
    if name not in _SIDE:
        from pyspark import SparkFiles

        with open(SparkFiles.get(name), "rb") as f:
            value = pickle.load(f)
        _SIDE.clear()  # one reconcile's side at a time: a reused worker keeps no stale ones
        _SIDE[name] = value
    return _SIDE[name]
