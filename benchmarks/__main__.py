"""``python -m benchmarks --tier quick|full [--seed N]``: regenerate ``benchmarks/RESULTS.md``.

Quick tier (CI, < 3 min): accuracy on 2 000 payments per difficulty (one seed) and on a hard
book of 20 000, speed at 10 000. Full tier (by hand): accuracy on 10 000 payments per difficulty
on three seeds and on a hard book of 100 000, speed at 10k / 100k / 1M. Evaluation seeds start
at 1000 and are never used for development or training (the matcher's weights are fitted on
seeds 1-5). Sections of ``benchmarks.parsers``, ``benchmarks.ledger``, ``benchmarks.reruns``,
``benchmarks.lines``, ``benchmarks.worlds_bench`` (every world of ``benchmarks.worlds`` and
the leave-one-world-out table), ``benchmarks.dunning_bench`` (statements and PDF letters) and
``benchmarks.bigfiles`` (memory and time on 10^5-entry files in the quick tier, 10^6 in the
full one) (each ``run(tier, seed, out_dir) -> str``) are appended when those modules exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata as md
import json
import math
import os
import platform
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks import matching
from benchmarks.tables import PCT as _PCT
from benchmarks.tables import markdown_table as _table

OUT_DIR = Path(__file__).resolve().parent
FIGURES = OUT_DIR / "baseline_figures.json"
TIERS: dict[str, dict[str, Any]] = {
    "quick": {"n": 2000, "seeds": 1, "speed": [10_000], "timeout": 150, "scale": [20_000]},
    "full": {
        "n": 10_000,
        "seeds": 3,
        "speed": [10_000, 100_000, 1_000_000],
        "timeout": 3600,
        "scale": [100_000],
    },
}


def machine() -> str:
    """Cores, RAM, CPU model, OS and Python of this machine, one line."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f"{kb / 2**20:.1f} GiB RAM"
    except OSError:
        ram = "RAM unknown"
    return (f"{os.cpu_count()} cores ({cpu}), {ram}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")  # fmt: skip


def versions() -> str:
    """Versions of the packages that matter to the figures."""
    names = ("rapprochement", "pandas", "numpy", "scipy", "rapidfuzz", "lxml", "schwifty")
    out = []
    for n in names:
        try:
            out.append(f"{n} {md.version(n)}")
        except md.PackageNotFoundError:
            out.append(f"{n} (absent)")
    return ", ".join(out)


def _plots(acc: dict[str, Any], spd: pd.DataFrame | None, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, d in acc["detail"].items():
        c = d["curve"]
        if name == "rapprochement":
            ax.plot(c["recall"], c["precision"], marker=".", label=name)
            hard = acc["mean"][
                (acc["mean"]["difficulty"] == "hard") & (acc["mean"]["method"] == name)
            ]
            if len(hard):
                ax.scatter(hard["auto_rate"], hard["auto_precision"], marker="*", s=140,
                           label="rapprochement: auto only", zorder=3)  # fmt: skip
        else:
            ax.scatter(c["recall"].iloc[-1:], c["precision"].iloc[-1:], label=name)
    ax.set_xlabel("recall (pairs)")
    ax.set_ylabel("precision (pairs)")
    ax.set_title("Precision / recall by score threshold (hard)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "precision_recall.png", dpi=110)
    plt.close(fig)
    made.append("precision_recall.png")
    if spd is not None and "seconds" in spd.columns and spd["size"].nunique() >= 1:
        fig, ax = plt.subplots(figsize=(6, 4))
        ok = spd[spd["step"] != "generate"].dropna(subset=["seconds"])
        for (step, method), g in ok.groupby(["step", "method"]):
            ax.plot(g["size"], g["seconds"], marker="o", label=f"{step}: {method}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("payments")
        ax.set_ylabel("wall time (s)")
        ax.set_title("Time vs size")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(out / "time_vs_size.png", dpi=110)
        plt.close(fig)
        made.append("time_vs_size.png")
    return made


def _accuracy_md(acc: dict[str, Any], n: int, seeds: list[int]) -> str:
    mean = acc["mean"]
    cols = ["difficulty", "method", "auto_precision", "auto_rate", "precision", "recall",
            "f1", "grouped_recall", "amount_accuracy", "suggestion_precision", "refused",
            "seconds"]  # fmt: skip
    parts = [
        "## Matching accuracy",
        f"{n} customer payments per book (plus unrelated bank lines), seeds {seeds}, mean over "
        "seeds. `auto_rate` = right automatic pairs ÷ all true pairs; precision / recall / F1 "
        "count automatic + suggested pairs; see `benchmarks/metrics.py` for every definition.",
        _table(mean[[c for c in cols if c in mean.columns]], _PCT),
    ]
    detail = acc["detail"]
    if detail:
        parts.append(f"### Recall per kind and per noise tag (hard, seed {seeds[0]})")
        parts.append(
            "Auto + suggested. For `unrelated`, `duplicate` and an overpayment's excess, "
            "recall = the transaction was not allocated beyond what truly pays invoices."
        )
        for by in ("kind", "tags"):
            merged: pd.DataFrame | None = None
            for name, d in detail.items():
                col = d[by].rename(columns={"recall": name})
                merged = col if merged is None else merged.merge(col[[by, name]], on=by)
            if merged is not None:
                parts.append(_table(merged, tuple(detail)))
    if "rapprochement" in detail:
        parts.append("### Calibration of rapprochement's scores (hard, reliability table)")
        parts.append(_table(detail["rapprochement"]["calibration"], ("observed",)))
    if acc["learning"]:
        rows = [{"method": x["method"], "seed": x["seed"],
                 "auto_rate with": x["with"]["auto_rate"],
                 "auto_rate without": x["without"]["auto_rate"],
                 "f1 with": x["with"]["f1"], "f1 without": x["without"]["f1"]}
                for x in acc["learning"]]  # fmt: skip
        parts.append("### Learning effect (hard): with and without the learned `customers` frame")
        parts.append(_table(pd.DataFrame(rows), ("auto_rate with", "auto_rate without",
                                                 "f1 with", "f1 without")))  # fmt: skip
    if "rapprochement" not in acc["detail"]:
        parts.append("**rapprochement.reconcile was not importable when this file was generated:"
                     " only the baselines are measured.**")  # fmt: skip
    return "\n\n".join(parts)


def _scale_md(scale: pd.DataFrame, small: pd.DataFrame, n: int, seed: int) -> str:
    hard = small[small["difficulty"] == "hard"].assign(size=n)
    both = pd.concat([hard, scale], ignore_index=True)
    cols = ["size", "method", "auto_precision", "auto_rate", "precision", "recall", "f1",
            "grouped_recall", "seconds"]  # fmt: skip
    both = both.sort_values(["method", "size"], kind="stable")[cols]
    return "\n\n".join([
        f"### Accuracy as the book grows (hard, seed {seed})",
        "The same generator with more customers: denser amounts, more similar names, more "
        "customers per factor or parent company. The first size is the table above.",
        _table(both, _PCT),
    ])  # fmt: skip


def _speed_md(spd: pd.DataFrame) -> str:
    cols = [c for c in ("size", "transactions", "invoices", "step", "method", "seconds", "rss_mib",
                        "file_mib", "error") if c in spd.columns]  # fmt: skip
    return "\n\n".join([
        "## Speed and memory",
        "Each parse / match step runs in a fresh subprocess; `rss_mib` is its peak resident set "
        "(`VmHWM` of `/proc/self/status`; the match figure includes loading its input frames: "
        "the exact-amount baseline's row is close to that cost alone). Parse = "
        "`read_statement` + `transactions_frame` of the CAMT.053 file written by "
        "`benchmarks/writers.py` (hard book, one entry per transaction).",
        _table(spd[cols]),
    ])  # fmt: skip


def _other_section(module: str, tier: str, seed: int, out: Path) -> str:
    try:
        mod = importlib.import_module(f"benchmarks.{module}")
    except ImportError as exc:
        return f"## {module}\n\n`benchmarks/{module}.py` is not there yet ({exc}): no section."
    try:
        return str(mod.run(tier, seed, out))
    except Exception as exc:  # a peer section must not sink the whole report
        return f"## {module}\n\n`benchmarks.{module}.run` failed: {type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    """Run a tier and write RESULTS.md, the PNGs and baseline_figures.json."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    ap.add_argument("--tier", choices=sorted(TIERS), default="quick")
    ap.add_argument("--seed", type=int, default=1000, help="first evaluation seed (>= 1000)")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed section")
    ap.add_argument(
        "--no-peers",
        action="store_true",
        help="skip the parsers / ledger / reruns / worlds sections",
    )
    ap.add_argument("--payments", type=int, help="override the tier's accuracy book size")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = ap.parse_args(argv)
    if args.seed < 1000:
        ap.error("evaluation seeds start at 1000 (seeds below are for development/training)")
    tier = TIERS[args.tier]
    seeds = [args.seed + i for i in range(tier["seeds"])]
    started = time.perf_counter()
    n = args.payments or tier["n"]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    acc = matching.accuracy(seeds, n)
    scale = matching.accuracy_by_size(tier["scale"], args.seed) if not args.payments else None
    spd = None if args.no_speed else matching.speed(tier["speed"], args.seed, tier["timeout"])
    plots = _plots(acc, spd, out)
    header = "\n".join([
        "# rapprochement benchmark results",
        "",
        f"Generated by `python -m benchmarks --tier {args.tier} --seed {args.seed}` "
        f"({'make bench' if args.tier == 'quick' else 'make bench-full'}) on "
        f"{dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        f"- Evaluation seeds: {seeds} (never used for development or training; the matcher's "
        "weights are fitted on seeds 1-5).",
        f"- Machine: {machine()}.",
        f"- Versions: {versions()}.",
        "- Data: `benchmarks/generator.py` (see `docs/benchmarks.md` for the model and rates).",
    ])  # fmt: skip
    sections = [header, _accuracy_md(acc, n, seeds)]
    if scale is not None:
        sections.append(_scale_md(scale, acc["mean"], n, args.seed))
    if spd is not None:
        sections.append(_speed_md(spd))
    sections += [f"![{p}]({p})" for p in plots]
    if not args.no_peers:
        peers = (
            "parsers", "ledger", "reruns", "lines", "worlds_bench", "dunning_bench", "bigfiles",
        )  # fmt: skip
        sections += [_other_section(m, args.tier, args.seed, out) for m in peers]
    sections.append(f"_Total run time: {time.perf_counter() - started:.0f} s._")
    (out / "RESULTS.md").write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    if args.tier == "quick":
        hard = acc["mean"][acc["mean"]["difficulty"] == "hard"]
        figures = {"seed": args.seed, "n": n, "difficulty": "hard", "methods": {
            r["method"]: {k: (None if isinstance(r[k], float) and math.isnan(r[k]) else r[k])
                          for k in ("f1", "auto_precision", "auto_rate", "recall")}
            for r in hard.to_dict("records")}}  # fmt: skip
        (out / FIGURES.name).write_text(
            json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    print(f"wrote {out / 'RESULTS.md'} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
