"""The cost model of the staged engine, fitted to the runs of :mod:`benchmarks.scale`, and the
Markdown report (``benchmarks/results/scale.md``).

A run of ``n`` payments on ``W`` workers (as many payment shards) takes

    T(n, W) = a + b·n  +  c·n / W + d·W

``a + b·n``: the serial stages (validation, indexes, features, scoring, the global
assignment, the result frames), fitted to every run's serial seconds; ``c·n / W``: the
payment-shard stages (blocking, group search) spread over the workers; ``d·W``: what each
shard adds (a worker started, the invoice side shipped to it, its results merged back),
fitted to every run's shard-stage seconds. Memory: the driver's peak, ``m0 + m1·n``.
"""

from __future__ import annotations

import itertools
import math
import platform
from typing import Any

import numpy as np
from scipy.optimize import nnls

from benchmarks.scale import SHARD_STAGES, STAGES

__all__ = ["fit", "predict", "report"]

TARGET = 10_000_000
NODES = (1, 2, 8, 32, 128)


def _ok(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if "seconds" in r]


def _shard_s(r: dict[str, Any], stages: str) -> float:
    return float(sum(r[stages].get(s, 0.0) for s in SHARD_STAGES))


def _newest(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs of the newest day, when they have two sizes at least (one code version: a
    model fitted across versions mixes their costs); else all of them."""
    day = max((str(r.get("date", "")) for r in rows), default="")
    same = [r for r in rows if str(r.get("date", "")) == day]
    return same if len({r["size"] for r in same}) >= 2 else rows


def fit(
    rows: list[dict[str, Any]], cpu: bool = False, executors: tuple[str, ...] = ()
) -> dict[str, float] | None:
    """``a, b, c, d`` of the model (seconds; per payment for ``b`` and ``c``), non-negative
    least squares on the runs' wall time (``cpu``: their CPU time, per stage too: what
    dedicated cores would take) of ``executors`` (all when empty); None with fewer than two
    sizes."""
    ok = _newest([r for r in _ok(rows) if not executors or r["executor"] in executors])
    if len({r["size"] for r in ok}) < 2:
        return None
    total, stages = ("cpu_s", "stages_cpu") if cpu else ("seconds", "stages")
    n = np.array([float(r["transactions"]) for r in ok])
    w = np.array([float(r["workers"]) for r in ok])
    shard = np.array([_shard_s(r, stages) for r in ok])
    serial = np.array([float(r[total]) for r in ok]) - shard
    (a, b), _ = nnls(np.c_[np.ones_like(n), n], serial)
    # CPU time does not shrink with workers: it is the work, c·n + d·W
    (c, d), _ = nnls(np.c_[n if cpu else n / w, w], shard)
    mem_rows = [r for r in ok if r["executor"] == "in-process"] or ok
    mn = np.array([float(r["transactions"]) for r in mem_rows])
    mem = np.array([float(r["driver_mib"]) for r in mem_rows])
    (m0, m1), _ = nnls(np.c_[np.ones_like(mn), mn], mem)
    return {"a": a, "b": b, "c": c, "d": d, "m0": m0, "m1": m1}


def predict(model: dict[str, float], n: float, w: int) -> tuple[float, float, float]:
    """(serial seconds, shard seconds, driver MiB) of ``n`` payments on ``w`` dedicated
    workers, from a CPU fit (each worker's shard: its share of the work and its overhead)."""
    serial = model["a"] + model["b"] * n
    shard = model["c"] * n / w + model["d"]
    return serial, shard, model["m0"] + model["m1"] * n


def _growth(rows: list[dict[str, Any]]) -> list[str]:
    """Per executor: how time per payment grows per doubling of the book."""
    out = []
    for ex in sorted({r["executor"] for r in _ok(rows)}):
        runs = sorted((r for r in _ok(rows) if r["executor"] == ex), key=lambda r: r["size"])
        for r0, r1 in itertools.pairwise(runs):
            doublings = math.log2(r1["transactions"] / r0["transactions"])
            for key, what in (("seconds", "wall"), ("cpu_s", "CPU")):
                per0 = r0[key] / r0["transactions"]
                per1 = r1[key] / r1["transactions"]
                f = (per1 / per0) ** (1 / doublings) * 2
                out.append(
                    f"| {ex} | {r0['size']:,} → {r1['size']:,} | {what} | "
                    f"{r1[key] / r0[key]:.2f}× | {f:.2f}× |"
                )
    return out


def report(rows: list[dict[str, Any]]) -> str:
    """``scale.md``: the runs, the stages, growth per doubling, the model and its 10M figure."""
    lines = [
        "# Scale: hard books through the executors (`make bench-scale`)",
        "",
        f"Machine: {platform.machine()}, {_cores()} cores, Python {platform.python_version()}. "
        "Book: `benchmarks.generator.generate(seed, n, 'hard')` (payments plus unrelated bank "
        "lines; about 2.1 invoices per payment, of which the open items are matched). Each "
        "run in a fresh subprocess. *Peak* is the largest sum of memory of the run's "
        "process tree (driver, pool workers, JVM and its Python workers): RSS, sampled every "
        "0.2 s, counts the pages a forked worker shares with the driver twice; PSS, once "
        "(sampled at most 2 % of the time and at least every 2 s: runs before 2026-12-07 "
        "05:40 UTC sampled it every 0.2 s, which slowed a 1M run by about a fifth) "
        "(– : not measured in that run); *driver* is the main process's VmHWM. *Load* is "
        "the 1-minute load average around the run: above the core count, other work shared "
        "the machine and wall time is inflated (CPU time much less so).",
        "",
        "| payments | lines | invoices | executor | workers | wall s | CPU s | peak RSS MiB | "
        "peak PSS MiB | driver MiB | load | allocations | run |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if "seconds" not in r:
            lines.append(
                f"| {r['size']:,} | {r['transactions']:,} | {r['invoices']:,} | {r['executor']} "
                f"| {r['workers']} | {r['error']} | | | | | | | {_when(r)} |"
            )
            continue
        pss = f"{r['tree_pss_mib']:,.0f}" if r.get("tree_pss_mib") else "–"
        lines.append(
            f"| {r['size']:,} | {r['transactions']:,} | {r['invoices']:,} | {r['executor']} | "
            f"{r['workers']} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {r['tree_mib']:,.0f} | "
            f"{pss} | {r['driver_mib']:,.0f} | {r.get('load', 0):.1f} | {r['allocations']:,} "
            f"| {_when(r)} |"
        )
    names = [s for _, s in STAGES] + ["other"]
    lines += [
        "",
        "## Wall seconds per stage",
        "",
        "| payments | executor | " + " | ".join(names) + " |",
        "|---:|---|" + "---:|" * len(names),
    ]
    for r in _ok(rows):
        cells = " | ".join(f"{r['stages'].get(s, 0.0):.1f}" for s in names)
        lines.append(f"| {r['size']:,} | {r['executor']} | {cells} |")
    lines += _pss_section(rows, names[:-1])
    lines += [
        "",
        "## Growth per doubling of the book",
        "",
        "*Per doubling*: the factor by which time grows when the book doubles (2.00× is "
        "linear), from the two sizes' time per payment.",
        "",
        "| executor | sizes | time | ratio | per doubling |",
        "|---|---|---|---:|---:|",
        *_growth(rows),
    ]
    lines += _model_section(rows)
    return "\n".join(lines) + "\n"


def _when(r: dict[str, Any]) -> str:
    """The run's date and code version (``–`` for runs kept from before they were noted)."""
    return f"{r['date']} `{r['commit']}`" if r.get("date") else "–"


def _pss_section(rows: list[dict[str, Any]], names: list[str]) -> list[str]:
    """The peak PSS of the process tree during each stage (runs that measured it)."""
    runs = [r for r in _ok(rows) if r.get("stages_pss_mib")]
    if not runs:
        return []
    out = [
        "",
        "## Peak PSS per stage, MiB",
        "",
        "The largest PSS of the process tree (driver and workers) while each stage ran.",
        "",
        "| payments | executor | " + " | ".join(names) + " |",
        "|---:|---|" + "---:|" * len(names),
    ]
    for r in runs:
        cells = " | ".join(f"{r['stages_pss_mib'].get(s, 0.0):,.0f}" for s in names)
        out.append(f"| {r['size']:,} | {r['executor']} | {cells} |")
    return out


def _model_section(rows: list[dict[str, Any]]) -> list[str]:
    families = (("engine (in-process, process)", ("in-process", "process")), ("spark", ("spark",)))
    fits = [
        (name, what, m)
        for name, exs in families
        for what, cpu in (("wall", False), ("CPU", True))
        if (m := fit(rows, cpu, exs)) is not None
    ]
    if not fits:
        return ["", "## Cost model", "", "Needs runs at two sizes at least."]
    out = [
        "",
        "## Cost model",
        "",
        "Wall: T(n, W) = a + b·n (serial stages) + c·n/W + d·W (payment-shard stages on W "
        "workers, one shard each). CPU: the same work counted once, a + b·n + c·n + d·W (on "
        "W dedicated cores the shard stages then take c·n/W + d). Driver memory m0 + m1·n. "
        "Non-negative least squares per executor family, over the family's runs of the "
        "newest day when it has two sizes (one code version), else over all its runs "
        "(column *runs*).",
        "",
        "| executors | fit on | a (s) | b (µs/payment) | c (µs/payment) | d (s/shard) | "
        "m0 (MiB) | m1 (KiB/payment) | runs |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, what, m in fits:
        exs = next(e for n, e in families if n == name)
        days = sorted(
            {
                str(r.get("date", "?"))
                for r in _newest([r for r in _ok(rows) if r["executor"] in exs])
            }
        )
        out.append(
            f"| {name} | {what} | {m['a']:.1f} | {m['b'] * 1e6:.1f} | {m['c'] * 1e6:.1f} | "
            f"{m['d']:.2f} | {m['m0']:.0f} | {m['m1'] * 1024:.2f} | {', '.join(days)} |"
        )
    for name, what, m in fits:
        if what != "CPU":
            continue
        out += [
            "",
            f"### {TARGET:,} payments on N dedicated executors, predicted ({name}, CPU fit)",
            "",
            "| N | serial s | shard stages s | total s | driver GiB |",
            "|---:|---:|---:|---:|---:|",
        ]
        for w in NODES:
            serial, shard, mib = predict(m, TARGET, w)
            out.append(
                f"| {w} | {serial:,.0f} | {shard:,.0f} | {serial + shard:,.0f} | {mib / 1024:.1f} |"
            )
    return out


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))
