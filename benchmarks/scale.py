"""``python -m benchmarks.scale`` (``make bench-scale``, outside CI): hard books of 100k, 300k
and 1M payments reconciled through the in-process, process-pool and Spark ``local[W]``
executors, each run in a fresh subprocess; wall and CPU time, peak memory, time per engine
stage; a cost model fitted to the runs and what it predicts for 10M payments on N executors.
Writes ``benchmarks/results/scale.md`` (and the raw runs, ``scale.json``: a later invocation
with other sizes or executors adds to them, so the model is fitted to every run kept).

    python -m benchmarks.scale [--sizes 100000 300000 1000000] [--executors in-process
        process spark] [--workers 2] [--seed 1000] [--timeout 3600]

Spark is skipped, with a note, when ``pyspark`` or Java is missing. Peak memory is the
largest sum of resident memory of the run's process and all its descendants (worker
processes, the JVM and its Python workers): RSS, which counts the pages a forked worker shares
with its parent twice, sampled every 0.2 s, and PSS, which does not, sampled as often as 2 % of
the wall time allows and at least every 2 s and once per stage (reading it walks the page
tables of every process: sampled every 0.2 s, it slowed a 1M run by a fifth); CPU time is
that of the same process tree (on a machine shared with other work, CPU time is inflated less
than wall time by the contention). The model (:mod:`benchmarks.scale_model`) splits each run
into the serial stages (validation, indexes, features, scoring, assignment, result frames) and the
payment-shard stages (blocking, group search).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.generator import generate

OUT = Path(__file__).resolve().parent / "results"
EXECUTORS = ("in-process", "process", "spark")
SIZES = (100_000, 300_000, 1_000_000)
#: engine log messages (:mod:`rapprochement.matching.engine`) → the stage they end
STAGES = (
    ("inputs validated", "validate"),
    ("indexes", "indexes"),
    ("candidate pairs", "blocking"),
    ("features", "features"),
    ("groups", "group search"),
    ("scoring", "scoring"),
    ("assignment", "assignment"),
    ("result frames", "results"),
)
SHARD_STAGES = ("blocking", "group search")


# ---- the process tree's memory and CPU (Linux /proc) ---------------------------------------


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d.name))
    return kids


def _tree(root: int) -> list[int]:
    kids, out, todo = _children(), [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _rss_kib(pid: int) -> int:
    """Resident memory of a process, KiB (``/proc/PID/statm``: read in constant time)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_KIB
    except (OSError, IndexError, ValueError):
        return 0


def _pss_kib(pid: int) -> int:
    """Proportional memory (``Pss``: pages shared with a forked parent counted once over
    all) of a process, KiB. The kernel walks the process's page tables to answer: tens of
    milliseconds for a process of several GiB."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return _rss_kib(pid)


_PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
#: the share of the wall time the PSS sweeps may take (each sweep walks every process's page
#: tables; at 1M payments sweeping every 0.2 s slowed the run it measured by about a fifth)
_PSS_DUTY = 0.02
#: the longest time between two PSS sweeps, seconds
_PSS_MAX_GAP = 2.0


def _cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of live processes."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in pids:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(f[11]) + int(f[12])
    return total / tick


class _Peak(threading.Thread):
    """Samples the resident memory of this process and its descendants; ``peak`` in KiB."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak, self.peak_pss, self.stop = 0, 0, threading.Event()
        #: whether PSS was sampled since :meth:`since_last` was last called
        self.swept = False
        #: the largest PSS (KiB) since :meth:`since_last` was last called
        self.stage_pss = 0

    def run(self) -> None:
        me = os.getpid()
        next_pss = 0.0
        while not self.stop.wait(0.2):
            pids = _tree(me)
            self.peak = max(self.peak, sum(_rss_kib(p) for p in pids))
            if time.perf_counter() >= next_pss:
                took = self._sweep(pids)
                # (RSS every 0.2 s; PSS as often as its cost allows, at least every 2 s)
                next_pss = time.perf_counter() + min(_PSS_MAX_GAP, max(0.2, took / _PSS_DUTY))

    def _sweep(self, pids: list[int]) -> float:
        """One PSS sample of the tree ``pids``; the seconds it took."""
        t0 = time.perf_counter()
        pss = sum(_pss_kib(p) for p in pids)
        self.peak_pss = max(self.peak_pss, pss)
        self.stage_pss = max(self.stage_pss, pss)
        self.swept = True
        return time.perf_counter() - t0

    def since_last(self) -> int:
        """The peak PSS (KiB) since the previous call, then starts a new window."""
        if not self.swept:  # (a stage shorter than the gap between two sweeps)
            self._sweep(_tree(os.getpid()))
        got, self.stage_pss, self.swept = self.stage_pss, 0, False
        return got


# ---- one run (a fresh subprocess) -----------------------------------------------------------


def _tree_cpu() -> float:
    """CPU seconds of this process, its reaped children and its live descendants."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + _cpu_s(_tree(os.getpid())[1:])


class _Stages(logging.Handler):
    """Wall and CPU seconds of each engine stage: from its log message to the one before."""

    def __init__(self, peak: _Peak) -> None:
        super().__init__(logging.DEBUG)
        self.last, self.cpu0, self.peak = time.time(), _tree_cpu(), peak
        self.seconds = dict.fromkeys([s for _, s in STAGES], 0.0)
        self.cpu = dict.fromkeys([s for _, s in STAGES], 0.0)
        #: the largest PSS of the process tree during each stage, MiB
        self.pss = dict.fromkeys([s for _, s in STAGES], 0.0)

    def emit(self, record: logging.LogRecord) -> None:
        msg, cpu = record.getMessage(), _tree_cpu()
        stage = next((s for key, s in STAGES if key in msg), "other")
        self.seconds[stage] = self.seconds.get(stage, 0.0) + record.created - self.last
        self.cpu[stage] = self.cpu.get(stage, 0.0) + cpu - self.cpu0
        self.pss[stage] = max(self.pss.get(stage, 0.0), self.peak.since_last() / 1024)
        self.last, self.cpu0 = record.created, cpu


def _executor(name: str, workers: int) -> tuple[Any, Any]:
    from rapprochement.matching.executor import InProcess, ProcessPool

    if name == "in-process":
        return InProcess(), None
    if name == "process":
        return ProcessPool(workers=workers), None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    from rapprochement.spark import SparkExecutor

    session = (
        SparkSession.builder.master(f"local[{workers}]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.memory", "4g")
        .config("spark.driver.maxResultSize", "0")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return SparkExecutor(session, workers), session


def _worker(name: str, path: str, workers: int) -> None:
    """Subprocess body: one reconcile of the pickled book; prints one JSON line."""

    with open(path, "rb") as f:
        ds = pickle.load(f)
    executor, session = _executor(name, workers)
    peak = _Peak()
    peak.start()
    t0, cpu0 = time.time(), _tree_cpu()
    peak.since_last()
    stages = _Stages(peak)
    log = logging.getLogger("rapprochement.matching")
    log.addHandler(stages)
    log.setLevel(logging.DEBUG)
    res = ds.reconcile(executor=executor)
    seconds, cpu = time.time() - t0, _tree_cpu() - cpu0
    peak.stop.set()
    peak.join()
    if session is not None:
        session.stop()
    status = Path("/proc/self/status").read_text().splitlines()
    hwm = next((int(s.split()[1]) for s in status if s.startswith("VmHWM:")), 0)
    out = {
        "seconds": seconds,
        # this process, its reaped children (a pool's workers), the descendants still alive
        # (the JVM and its Python workers)
        "cpu_s": cpu,
        "driver_mib": hwm / 1024,
        "tree_mib": max(peak.peak, hwm) / 1024,
        "tree_pss_mib": peak.peak_pss / 1024,
        "stages": stages.seconds,
        "stages_cpu": stages.cpu,
        "stages_pss_mib": stages.pss,
        "allocations": len(res.allocations),
    }
    print(json.dumps(out))


def _spawn(name: str, path: str, workers: int, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.scale", "--run", name, path, str(workers)]
    load0 = os.getloadavg()[0]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if out.returncode != 0:
        return {"error": ((out.stderr.strip().splitlines() or ["?"])[-1])[:200]}
    got: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    got["load"] = round((load0 + os.getloadavg()[0]) / 2, 1)
    return got


def spark_missing() -> str | None:
    """Why Spark local cannot run here (None when it can)."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark not installed (the `spark` extra)"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime"
    return None


def _commit() -> str:
    """The checkout's short commit (with ``+`` when the tree has changes), or ``?``."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "?"
    return (head or "?") + ("+" if dirty else "")


def run(
    sizes: list[int], executors: list[str], workers: int, seed: int, timeout: float
) -> list[dict[str, Any]]:
    """One row per (size, executor): the book's size, the run's figures or its error."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="rscale-") as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            ds = generate(seed, n, "hard")
            print(f"{n}: generated in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            path = Path(tmp) / f"book{n}.pkl"
            with open(path, "wb") as f:
                pickle.dump(ds, f, protocol=pickle.HIGHEST_PROTOCOL)
            base = {
                "date": time.strftime("%Y-%m-%d"),
                "commit": _commit(),
                "size": n,
                "transactions": len(ds.transactions),
                "invoices": len(ds.invoices),
                "seed": seed,
            }
            del ds
            for name in executors:
                w = 1 if name == "in-process" else workers
                why = spark_missing() if name == "spark" else None
                got = {"error": f"skipped: {why}"} if why else _spawn(name, str(path), w, timeout)
                rows.append({**base, "executor": name, "workers": w, **got})
                print(json.dumps(rows[-1]), file=sys.stderr)
            path.unlink()
    return rows


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``old`` runs with those of ``new`` replacing the same (size, executor, workers)."""
    key = lambda r: (r["size"], r["executor"], r["workers"])  # noqa: E731
    fresh = {key(r) for r in new}
    return sorted([r for r in old if key(r) not in fresh] + new, key=key)


def main() -> None:
    """Run, merge with the runs kept in ``scale.json``, write ``scale.md``."""
    from benchmarks.scale_model import report

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--executors", nargs="+", default=list(EXECUTORS), choices=EXECUTORS)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=1000)
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--fresh", action="store_true", help="forget the runs kept in scale.json")
    a = p.parse_args()
    kept = a.out / "scale.json"
    old = [] if a.fresh or not kept.exists() else json.loads(kept.read_text())
    rows = merge(old, run(a.sizes, a.executors, a.workers, a.seed, a.timeout))
    a.out.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps(rows, indent=1) + "\n")
    (a.out / "scale.md").write_text(report(rows))
    print(report(rows))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--run":
        _worker(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
