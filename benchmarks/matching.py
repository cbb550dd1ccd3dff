"""Matching accuracy and speed: rapprochement against the baselines, as Markdown sections.

Accuracy: :func:`accuracy` runs every method on generated books (evaluation seeds ≥ 1000) and
returns the headline metrics. Speed: :func:`speed` times, for each size, the parse of the
CAMT.053 file written by :mod:`benchmarks.writers` and the matching, each in its own fresh
subprocess so that the peak resident memory (``VmHWM`` from ``/proc/self/status``, see
:func:`peak_rss_mib`) belongs to that step alone (the match step's figure includes loading its
input frames).
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import baselines, metrics
from benchmarks.generator import Dataset, generate

__all__ = ["METHODS", "accuracy", "matcher", "peak_rss_mib", "run_method", "speed"]

Method = Callable[[Dataset, bool], tuple[pd.DataFrame, pd.DataFrame | None]]


def matcher() -> Callable[..., Any] | None:
    """``rapprochement.reconcile`` (or ``rapprochement.matching.reconcile``) when importable."""
    import rapprochement

    fn = getattr(rapprochement, "reconcile", None)
    if fn is None:
        try:
            from rapprochement import matching as engine
        except ImportError:
            return None
        fn = getattr(engine, "reconcile", None)
    return fn if callable(fn) else None


def _rapprochement(ds: Dataset, learned: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    fn = matcher()
    if fn is None:
        raise RuntimeError("rapprochement.reconcile is not importable yet")
    kwargs: dict[str, Any] = {"remittances": ds.remittances}
    if learned:
        kwargs["customers"] = ds.customers
    result = fn(ds.transactions, ds.invoices, **kwargs)
    amb = getattr(result, "ambiguous", None)
    return result.allocations, amb if isinstance(amb, pd.DataFrame) else None


def _exact(ds: Dataset, learned: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    return baselines.exact_amount(ds.transactions, ds.invoices), None


def _erp(ds: Dataset, learned: bool) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    cust = ds.customers if learned else None
    return baselines.erp_rules(ds.transactions, ds.invoices, customers=cust), None


#: name → method(dataset, use learned customers) → (allocations, ambiguous or None).
METHODS: dict[str, Method] = {
    "rapprochement": _rapprochement,
    "baseline: exact amount": _exact,
    "baseline: ERP rules": _erp,
}


def available_methods() -> list[str]:
    """The methods that can run now (rapprochement only once ``reconcile`` exists)."""
    return [m for m in METHODS if m != "rapprochement" or matcher() is not None]


def run_method(name: str, ds: Dataset, learned: bool = True) -> dict[str, Any]:
    """Run method ``name`` on ``ds``: metrics, allocations and wall time."""
    t0 = time.perf_counter()
    alloc, amb = METHODS[name](ds, learned)
    seconds = time.perf_counter() - t0
    return {"metrics": metrics.evaluate(alloc, ds.truth, amb), "alloc": alloc, "seconds": seconds}


def accuracy(
    seeds: list[int], n: int, difficulties: tuple[str, ...] = ("easy", "medium", "hard")
) -> dict[str, Any]:
    """Metrics per (difficulty, method), averaged over ``seeds``; per-kind/tag recall and
    calibration on the first seed, hard difficulty; and the learning effect (with / without the
    learned ``customers`` frame) on the hard books."""
    rows: list[dict[str, Any]] = []
    detail: dict[str, Any] = {}
    learning: list[dict[str, Any]] = []
    for diff in difficulties:
        for seed in seeds:
            ds = generate(seed, n, diff)
            for name in available_methods():
                res = run_method(name, ds)
                rows.append({"difficulty": diff, "method": name, "seed": seed,
                             "seconds": res["seconds"], **res["metrics"]})  # fmt: skip
                if diff == "hard" and seed == seeds[0]:
                    detail[name] = {
                        "kind": metrics.recall_by(res["alloc"], ds.truth),
                        "tags": metrics.recall_by(res["alloc"], ds.truth, "tags"),
                        "calibration": metrics.calibration(res["alloc"], ds.truth),
                        "curve": metrics.threshold_curve(
                            res["alloc"], ds.truth, [i / 20 for i in range(21)]
                        ),
                    }
                if diff == "hard" and name != "baseline: exact amount":
                    without = run_method(name, ds, learned=False)["metrics"]
                    learning.append({"method": name, "seed": seed, "with": res["metrics"],
                                     "without": without})  # fmt: skip
    table = pd.DataFrame(rows)
    mean = table.drop(columns=["seed"]).groupby(["difficulty", "method"], sort=False).mean()
    return {"per_seed": table, "mean": mean.reset_index(), "detail": detail, "learning": learning}


def accuracy_by_size(sizes: list[int], seed: int) -> pd.DataFrame:
    """Metrics of every method on hard books of each size (one seed): how accuracy holds as
    the book grows (denser amounts, more similar names, more payers per factor)."""
    rows: list[dict[str, Any]] = []
    for n in sizes:
        ds = generate(seed, n, "hard")
        for name in available_methods():
            res = run_method(name, ds)
            rows.append({"size": n, "method": name, "seconds": res["seconds"], **res["metrics"]})
    return pd.DataFrame(rows)


# ---- speed -----------------------------------------------------------------------------------


def _worker(step: str, method: str, path: str) -> None:
    """Subprocess body: time one step, print JSON with seconds (wall), cpu_s (CPU time of
    the process, which other load on a shared machine inflates less) and peak RSS (MiB)."""
    t0, c0 = time.perf_counter(), time.process_time()
    if step == "parse":
        import rapprochement
        from rapprochement.matching.frames import transactions_frame

        frame = transactions_frame(rapprochement.read_statement(path))
        count = len(frame)
    else:
        with open(path, "rb") as f:
            ds: Dataset = pickle.load(f)
        t0, c0 = time.perf_counter(), time.process_time()
        alloc, _ = METHODS[method](ds, True)
        count = len(alloc)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "rss_mib": peak_rss_mib(), "rows": count}))


def peak_rss_mib() -> float:
    """Peak resident set of this process in MiB: ``VmHWM`` of ``/proc/self/status`` on Linux
    (per address space, so a fresh subprocess does not inherit its parent's peak, which
    ``ru_maxrss`` does across fork + exec), else ``getrusage(RUSAGE_SELF).ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spawn(step: str, method: str, path: str, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.matching", step, method, path]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:200]}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _available_mib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("inf")


def _project(n: int, seen: list[tuple[int, float]]) -> tuple[float, str]:
    """Peak memory (MiB) projected for size ``n`` from the peaks measured at smaller sizes:
    along the measured slope between the last two sizes (the fixed part — interpreter,
    libraries — does not grow with the book), or proportionally from a single size (an upper
    bound); never below the last peak."""
    n1, rss1 = seen[-1]
    if len(seen) >= 2 and seen[-2][0] < n1:
        n0, rss0 = seen[-2]
        slope = max((rss1 - rss0) / (n1 - n0), 0.0)
        return max(rss1 + slope * (n - n1), rss1), f"the {n0} → {n1} slope"
    return rss1 * n / n1, f"the {n1} run"


def _guarded(
    n: int,
    last: dict[str, list[tuple[int, float]]],
    step: str,
    method: str,
    path: str,
    timeout: float,
) -> dict[str, Any]:
    """Run a step unless its memory, projected from the previous sizes (:func:`_project`),
    would exceed 60 % of the memory available now (the machine is shared); remember its peak."""
    key = f"{step}:{method}"
    if last.get(key):
        projected, basis = _project(n, last[key])
        if projected > 0.6 * _available_mib():
            return {"error": f"skipped: projected {projected / 1024:.1f} GiB from "
                             f"{basis} exceeds 60 % of available memory"}  # fmt: skip
    out = _spawn(step, method, path, timeout)
    if "rss_mib" in out:
        last.setdefault(key, []).append((n, float(out["rss_mib"])))
    return out


def speed(sizes: list[int], seed: int, timeout: float = 1800) -> pd.DataFrame:
    """Rows ``size, step, method, seconds, cpu_s, rss_mib, rows, file_mib`` (or ``error``).

    A step whose memory, projected from the previous sizes, would not fit is skipped and says so.
    """
    from benchmarks.writers import write_camt053

    rows: list[dict[str, Any]] = []
    last: dict[str, list[tuple[int, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="rbench-") as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            ds = generate(seed, n, "hard")
            gen_s = time.perf_counter() - t0
            camt = Path(tmp) / f"s{n}.xml"
            size = write_camt053(ds.transactions, camt) / 2**20
            data = Path(tmp) / f"s{n}.pkl"
            with open(data, "wb") as f:
                pickle.dump(ds, f, protocol=pickle.HIGHEST_PROTOCOL)
            base = {"size": n, "transactions": len(ds.transactions), "invoices": len(ds.invoices)}
            rows.append({**base, "step": "generate", "method": "generator", "seconds": gen_s})
            parse = _guarded(n, last, "parse", "-", str(camt), timeout)
            rows.append({**base, "step": "parse CAMT.053", "method": "rapprochement",
                         "file_mib": size, **parse})  # fmt: skip
            for name in available_methods():
                res = _guarded(n, last, "match", name, str(data), timeout)
                rows.append({**base, "step": "match", "method": name, **res})
            del ds
            os.unlink(data)
            os.unlink(camt)
    return pd.DataFrame(rows)


if __name__ == "__main__":  # subprocess entry point of :func:`speed`
    _worker(sys.argv[1], sys.argv[2], sys.argv[3])
