"""Parser benchmark: our CAMT / MT940 / OFX parsers side by side with mt-940, ofxparse, pycamt.

``python -m benchmarks.parsers [--tier quick|full] [--seed N]`` builds one large statement per
format from corpus entries (:mod:`benchmarks.parser_files`; quick: 5 000 entries, full: 50 000),
reads it with ``rapprochement.read_statement`` and with the peer library of that format, and
reports entries/s, MB/s, peak memory and correctness (entry count and sum of amounts against the
generator's truth). Peers whose time grows with the square of the entries (ofxparse on SGML,
pycamt) get a smaller file of the same entries, said in the table. Peak memory is the growth of
the peak resident set (``VmHWM``, else ``ru_maxrss``) of a fresh subprocess during the
parse: it sees lxml's C allocations, which ``tracemalloc`` would miss.

Beside each figure: the format's pure-Python ceiling measured on the same file
(:func:`benchmarks.parser_floor.ceilings`) and how far below it the parser is, and for ours the
ratio to the best peer. The goals (issue 17, docs/adr/0006): at least :data:`PEER_FACTOR` × the
best peer, and within :data:`~benchmarks.parser_floor.CEILING_FACTOR` of the ceiling.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from benchmarks.parser_files import FORMATS, BenchFile, build

__all__ = ["PEER_FACTOR", "run"]

TIERS = {"quick": 5_000, "full": 50_000}
#: Largest file given to the quadratic peers, per tier.
PEER_CAP = {"quick": 2_000, "full": 5_000}
QUADRATIC = {"ofxparse", "pycamt"}
#: Timed runs per (format, parser), the best kept; the quadratic peers run once.
REPEATS = {"quick": 7, "full": 3}
#: The goal: ``read_statement`` at least this many times as fast as the best peer (issue 17).
PEER_FACTOR = 2.0
#: The goal against the ceiling (benchmarks.parser_floor.CEILING_FACTOR, kept equal by a test).
CEILING_FACTOR = 2.0
PEER_OF = {"camt": "pycamt", "mt940": "mt-940", "ofx": "ofxparse"}
OURS = "rapprochement"

Result = tuple[int, Decimal]


def _ours(fmt: str) -> Callable[[bytes], Result]:
    from rapprochement import read_statement

    def parse(data: bytes) -> Result:
        statements = read_statement(data, format=fmt)
        entries = [e for s in statements for e in s.entries if e.status == "booked"]
        return len(entries), sum((e.amount for e in entries), Decimal(0))

    return parse


def _ours_events(fmt: str) -> Callable[[bytes], Result]:
    """The format module's event stream alone: no fingerprints, no statement assembly."""
    import importlib

    from rapprochement.model import Entry

    module = importlib.import_module(f"rapprochement.parsers.{fmt}")

    def parse(data: bytes) -> Result:
        count, total = 0, Decimal(0)
        for ev in module.iter_events(io.BytesIO(data), filename=None, member=None):
            if isinstance(ev, Entry) and ev.status == "booked":
                count += 1
                total += ev.amount
        return count, total

    return parse


def _mt940(data: bytes) -> Result:
    import mt940

    transactions = mt940.parse(data)
    return len(transactions), sum((t.data["amount"].amount for t in transactions), Decimal(0))


def _ofxparse(data: bytes) -> Result:
    import warnings

    from ofxparse import OfxParser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ofx = OfxParser.parse(io.BytesIO(data))
    txs = [t for account in ofx.accounts for t in account.statement.transactions]
    return len(txs), sum((Decimal(t.amount) for t in txs), Decimal(0))


def _pycamt(data: bytes) -> Result:
    from pycamt.parser import Camt053Parser  # type: ignore[import-untyped]

    txs = Camt053Parser(data).get_transactions()
    total = Decimal(0)
    for t in txs:
        amount = Decimal(t["Amount"])
        total += amount if t["CreditDebitIndicator"] == "CRDT" else -amount
    return len(txs), total


def _parser(fmt: str, name: str) -> Callable[[bytes], Result]:
    if name == OURS:
        return _ours(fmt)
    if name == f"{OURS} (events only)":
        return _ours_events(fmt)
    return {"mt-940": _mt940, "ofxparse": _ofxparse, "pycamt": _pycamt}[name]


@dataclass
class Row:
    """One measured (format, parser) pair."""

    fmt: str
    parser: str
    entries: int
    size_mb: float
    seconds: float | None = None
    peak_mb: float | None = None
    correct: str = ""
    note: str = ""

    @property
    def rate(self) -> float | None:
        return self.entries / self.seconds if self.seconds else None


def _time(parse: Callable[[bytes], Result], data: bytes, repeats: int) -> tuple[float, Result]:
    best = float("inf")
    result: Result = (0, Decimal(0))
    for _ in range(repeats):
        gc.collect()
        start = time.process_time()
        result = parse(data)
        best = min(best, time.process_time() - start)
    return best, result


def _peak_kib() -> int:
    """Peak RSS of this process in KiB: ``VmHWM`` on Linux (reset by exec, unlike ru_maxrss,
    which a child inherits from the parent it was forked from), else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _peak_rss_mb(fmt: str, name: str, path: Path) -> float | None:
    """Growth of the peak RSS while parsing ``path`` in a fresh interpreter, in MB."""
    code = (
        "import json\n"
        "from benchmarks.parsers import _parser, _peak_kib\n"
        f"parse = _parser({fmt!r}, {name!r})\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "before = _peak_kib()\n"
        "parse(data)\n"
        "print(json.dumps([before, _peak_kib()]))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900
        )
        before, after = json.loads(out.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError):
        return None
    return float(max(0, after - before)) / 1024


def _measure(fmt: str, name: str, bench: BenchFile, tmp: Path, repeats: int) -> Row:
    row = Row(fmt, name, bench.entries, len(bench.data) / 1e6)
    try:
        seconds, (count, total) = _time(_parser(fmt, name), bench.data, repeats)
    except Exception as exc:  # a peer crashing is a result, not a benchmark failure
        row.correct = f"crashed: {type(exc).__name__}"
        return row
    row.seconds = seconds
    ok = count == bench.entries and total == bench.total
    row.correct = (
        "yes" if ok else f"no ({count} entries, sum {total} vs {bench.entries}, {bench.total})"
    )
    path = tmp / f"{fmt}-{bench.entries}.dat"
    if not path.exists():
        path.write_bytes(bench.data)
    row.peak_mb = _peak_rss_mb(fmt, name, path)
    return row


def _corpus() -> Path | None:
    env = os.environ.get("RAPPROCHEMENT_CORPUS")
    for c in [Path(env)] if env else []:
        if c.is_dir():
            return c
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
    return default if default.is_dir() else None


def measure(
    tier: str = "quick", seed: int = 0
) -> tuple[list[Row], dict[str, str], dict[str, float]]:
    """Every row of the table, the origin of each format's entries, and each format's ceiling
    in entries/s on the same file."""
    from benchmarks.parser_floor import ceilings

    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; use one of {', '.join(TIERS)}")
    n, cap = TIERS[tier], min(PEER_CAP[tier], TIERS[tier])
    # best of 7 (quick): on a shared machine the minimum of a few runs still moved by a tenth
    repeats = REPEATS[tier]
    corpus = _corpus()
    rows: list[Row] = []
    origins: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="rapprochement-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for fmt in FORMATS:
            bench = build(fmt, n, seed, corpus)
            origins[fmt] = bench.origin
            rows.append(_measure(fmt, OURS, bench, tmp, repeats))
            rows.append(_measure(fmt, f"{OURS} (events only)", bench, tmp, repeats))
            peer = PEER_OF[fmt]
            if peer in QUADRATIC and cap < n:
                small = build(fmt, cap, seed, corpus)
                row = _measure(fmt, peer, small, tmp, 1)
                row.note = f"capped at {cap:,} entries: time grows with n²"
            else:
                row = _measure(fmt, peer, bench, tmp, repeats)
            rows.append(row)
    return rows, origins, ceilings(n, seed, corpus)


def _fmt_num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}×"


def _below(rate: float | None, ceiling: float | None) -> float | None:
    """How many times below the ceiling a rate is (ceiling ÷ rate)."""
    return ceiling / rate if rate and ceiling else None


def _peer(rows: list[Row], fmt: str) -> Row:
    return next(r for r in rows if r.fmt == fmt and r.parser == PEER_OF[fmt])


def _verdicts(rows: list[Row], ceilings: dict[str, float]) -> list[str]:
    out = []
    for fmt in FORMATS:
        ours = next(r for r in rows if r.fmt == fmt and r.parser == OURS)
        peer = _peer(rows, fmt)
        rate = ours.rate or 0.0
        if peer.rate:
            ratio = rate / peer.rate
            met = "met" if ratio >= PEER_FACTOR else "NOT met"
            vs = f"{ratio:.1f}× {PEER_OF[fmt]} (goal ≥ {PEER_FACTOR:g}×: {met})"
        else:
            vs = f"{PEER_OF[fmt]} {peer.correct}"
        ceiling = ceilings.get(fmt)
        below = _below(rate, ceiling)
        if ceiling and below is not None:
            met = "met" if below <= CEILING_FACTOR else "NOT met"
            vc = (
                f"ceiling {ceiling:,.0f}, {below:.1f}× below it "
                f"(goal within {CEILING_FACTOR:g}×: {met})"
            )
        else:
            vc = "ceiling not measured"
        out.append(
            f"- **{fmt.upper()}**: {rate:,.0f} entries/s; {vs}; {vc}; correct: {ours.correct}"
        )
    return out


def _plot(rows: list[Row], ceilings: dict[str, float], out_dir: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [
        f"{r.fmt}\n{r.parser.replace(OURS, 'ours').replace(' (events only)', '*')}" for r in rows
    ]
    values = [r.rate or 0 for r in rows]
    colors = ["#1f77b4" if r.parser.startswith(OURS) else "#999999" for r in rows]
    ax.bar(range(len(rows)), values, color=colors)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("entries / s (log)")
    for fmt_i, fmt in enumerate(FORMATS):
        if fmt in ceilings:
            x0, x1 = fmt_i * 3 - 0.4, fmt_i * 3 + 2.4
            ax.hlines(ceilings[fmt], x0, x1, colors="black", linestyles="dotted")
            ax.hlines(ceilings[fmt] / CEILING_FACTOR, x0, x1, colors="red", linestyles="dashed")
    ax.set_title(
        "Parser throughput (blue: ours, *: events only; grey: peers;\n"
        "dotted: pure-Python ceiling; red: goal, half the ceiling)",
        fontsize=9,
    )
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "parsers.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def render(
    rows: list[Row],
    origins: dict[str, str],
    tier: str,
    seed: int,
    plot: Path | None,
    ceilings: dict[str, float] | None = None,
) -> str:
    """The Markdown section."""
    ceilings = ceilings or {}
    lines = [
        "## Statement parsers",
        "",
        f"Tier `{tier}` ({TIERS[tier]:,} entries per file), seed {seed}; "
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared), one process. Time: CPU time of the process (robust to "
        f"other jobs on a shared machine), best of {REPEATS[tier]} runs (peers whose time grows "
        "with n²: one), "
        "`read_statement` (sniff, parse, fingerprints, balance check). "
        "*Events only*: the format module's event stream without fingerprints. "
        "Peak memory: growth of the peak RSS of a fresh subprocess while parsing "
        "(`VmHWM` from /proc, else `ru_maxrss`), including the decoded text and every model kept. "
        "*Ceiling*: what a pure-Python reader of this model must spend per entry on the same file "
        "before reading any field (`python -m benchmarks.parser_floor`: the entry's models and "
        "fingerprint, plus lxml's parse for CAMT or the tag grammar for MT940 and OFX); "
        "*below ceiling*: ceiling ÷ entries/s; *× best peer*: entries/s ÷ the peer's.",
        "",
        "| Format | Parser | Entries | MB | Seconds | Entries/s | MB/s | Peak RSS MB | Correct |"
        " Ceiling entries/s | Below ceiling | × best peer | Note |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        mbs = r.size_mb / r.seconds if r.seconds else None
        ceiling = ceilings.get(r.fmt)
        peer = _peer(rows, r.fmt).rate if r.parser.startswith(OURS) else None
        vs_peer = r.rate / peer if r.rate and peer else None
        lines.append(
            f"| {r.fmt} | {r.parser} | {r.entries:,} | {r.size_mb:.1f} | "
            f"{_fmt_num(r.seconds, 3)} | {_fmt_num(r.rate)} | {_fmt_num(mbs, 1)} | "
            f"{_fmt_num(r.peak_mb, 0)} | {r.correct} | {_fmt_num(ceiling)} | "
            f"{_times(_below(r.rate, ceiling))} | {_times(vs_peer)} | {r.note} |"
        )
    goals = (
        f"Goals (issue 17, docs/adr/0006): `read_statement` at least {PEER_FACTOR:g}× the best "
        f"Python peer on each format, and within {CEILING_FACTOR:g}× of the format's pure-Python "
        "ceiling; linear time and flat memory at 1M entries (the big-files section)."
    )
    lines += ["", goals, "", *_verdicts(rows, ceilings), ""]
    lines += [f"- entries of `{fmt}`: {origin}" for fmt, origin in origins.items()]
    if plot is not None:
        lines += ["", f"![parser throughput]({plot.name})"]
    return "\n".join(lines) + "\n"


def run(tier: str = "quick", seed: int = 0, out_dir: Path = Path("benchmarks")) -> str:
    """Run the parser benchmark and return its Markdown section (a PNG plot goes to out_dir)."""
    rows, origins, ceilings = measure(tier, seed)
    plot = _plot(rows, ceilings, out_dir)
    return render(rows, origins, tier, seed, plot, ceilings)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.parsers``: print the section, write benchmarks/results/parsers.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--tier", choices=sorted(TIERS), default="quick")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=Path("benchmarks") / "results")
    args = ap.parse_args(argv)
    section = run(args.tier, args.seed, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "parsers.md").write_text(section, encoding="utf-8")
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
