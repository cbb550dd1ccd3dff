"""Memory and time on very large statement files (issue 18 item 14).

``python -m benchmarks.bigfiles --tier quick|full``: MT940 and OFX files of 10^4 and 10^5
entries (quick) or 10^5 and 10^6 (full), generated with a seed by
:mod:`benchmarks.parser_files` (corpus entries when a corpus is found). Each step runs in a
fresh interpreter: ``read_statement`` (every statement held), ``iter_statement`` (streamed),
``Ledger.import_statements`` into a new SQLite ledger, and ``rapprochement parse --json`` to a
file. The figures are the step's wall time and the peak resident set of its process (``VmHWM``,
interpreter and imports included). Linearity: time per entry at the larger size ÷ at the
smaller one (1.0 = linear).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.parser_files import build
from benchmarks.parsers import _corpus
from benchmarks.section import section_main
from benchmarks.tables import markdown_table

__all__ = ["STEPS", "TIERS", "measure", "run"]

TIERS = {"test": (200, 600), "quick": (10_000, 100_000), "full": (100_000, 1_000_000)}
FORMATS = ("mt940", "ofx")
#: The budgets of issue 18: read_statement under 1 GB, import and parse --json under 500 MB.
BUDGET_MB = {"read_statement": 1000, "import": 500, "parse --json": 500}

_SETUP = "import sys, time, json\nfrom benchmarks.parsers import _peak_kib\n"
STEPS = {
    "read_statement": (
        "from rapprochement.parsers import read_statement\n"
        "t = time.perf_counter()\n"
        "n = sum(len(s.entries) for s in read_statement(sys.argv[1]))\n"
    ),
    "iter_statement": (
        "from rapprochement.parsers import iter_statement\n"
        "from rapprochement.model import Entry\n"
        "t = time.perf_counter()\n"
        "n = sum(isinstance(x, Entry) for x in iter_statement(sys.argv[1]))\n"
    ),
    "import": (
        "from rapprochement.store import Ledger\n"
        "t = time.perf_counter()\n"
        "with Ledger(sys.argv[2] + '.db') as ledger:\n"
        "    n = ledger.import_statements([sys.argv[1]]).entries_new\n"
    ),
    "parse --json": (
        "import contextlib\n"
        "from rapprochement.cli import main\n"
        "t = time.perf_counter()\n"
        "with open(sys.argv[2] + '.json', 'w', encoding='utf-8') as fh,"
        " contextlib.redirect_stdout(fh):\n"
        "    main(['parse', '--json', sys.argv[1]])\n"
        "n = sum(1 for line in open(sys.argv[2] + '.json', encoding='utf-8')"
        " if line.startswith('        \"fingerprint\"'))\n"
    ),
}
_REPORT = "print(json.dumps([time.perf_counter() - t, _peak_kib() / 1024, n]))\n"


def _step(step: str, path: Path, scratch: Path, timeout: float) -> dict[str, object]:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    code = _SETUP + STEPS[step] + _REPORT
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, str(path), str(scratch)],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
        seconds, rss, n = json.loads(out.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    except (ValueError, IndexError):
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": last[:120]}
    return {"seconds": round(seconds, 2), "rss_mib": round(rss), "entries_read": n}


def measure(tier: str, seed: int, timeout: float = 3600) -> list[dict[str, object]]:
    """One row per format, size and step."""
    rows: list[dict[str, object]] = []
    corpus = _corpus()
    with tempfile.TemporaryDirectory(prefix="bigfiles-") as tmp:
        folder = Path(tmp)
        for fmt in FORMATS:
            for size in TIERS[tier]:
                started = time.perf_counter()
                bench = build(fmt, size, seed, corpus)
                path = folder / f"{fmt}-{size}.{'sta' if fmt == 'mt940' else 'ofx'}"
                path.write_bytes(bench.data)
                mb = len(bench.data) / 1e6
                del bench
                gen = time.perf_counter() - started
                print(f"{fmt} {size}: {mb:.0f} MB generated in {gen:.0f} s", file=sys.stderr)
                for step in STEPS:
                    got = _step(step, path, folder / f"{fmt}-{size}-{step[:6]}", timeout)
                    print(f"  {step}: {got}", file=sys.stderr)
                    rows.append(
                        {"format": fmt, "entries": size, "file_mb": round(mb), "step": step, **got}
                    )
                for leftover in folder.glob(f"{fmt}-{size}*"):
                    leftover.unlink()
    return rows


def _linearity(rows: list[dict[str, object]], sizes: tuple[int, int]) -> list[dict[str, object]]:
    out = []
    small, big = sizes
    for fmt in FORMATS:
        for step in STEPS:
            pick = {r["entries"]: r for r in rows if r["format"] == fmt and r["step"] == step}
            a, b = pick.get(small, {}), pick.get(big, {})
            if "seconds" not in a or "seconds" not in b:
                continue
            per_a = float(a["seconds"]) / small * 1e6  # type: ignore[arg-type]
            per_b = float(b["seconds"]) / big * 1e6  # type: ignore[arg-type]
            budget = BUDGET_MB.get(step)
            out.append({
                "format": fmt,
                "step": step,
                f"µs/entry at {small:,}": round(per_a, 1),
                f"µs/entry at {big:,}": round(per_b, 1),
                "ratio": round(per_b / per_a, 2),
                f"rss_mib at {big:,}": b["rss_mib"],
                "budget_mib": budget if budget is not None else "",
                "within": ("yes" if float(b["rss_mib"]) < budget else "NO") if budget else "",  # type: ignore[arg-type]
            })  # fmt: skip
    return out


def render(rows: list[dict[str, object]], tier: str, seed: int) -> str:
    """The RESULTS.md section."""
    sizes = TIERS[tier]
    cols = ["format", "entries", "file_mb", "step", "seconds", "rss_mib", "entries_read", "error"]
    table = [{**r, "entries_read": r.get("entries_read", "")} for r in rows]
    for r in table:
        r.setdefault("error", "")
    return "\n\n".join([
        "## Very large files: memory and time",
        f"`python -m benchmarks.bigfiles --tier {tier} --seed {seed}`. MT940 and OFX files of "
        f"{sizes[0]:,} and {sizes[1]:,} entries built from corpus entries "
        "(`benchmarks/parser_files.py`); each step in a fresh interpreter; `rss_mib` is the "
        "peak resident set of that process (interpreter and imports included, about 100 MiB). "
        "`import` reads the file twice (keys and counts, then the entries in batches of "
        "5 000) into a new SQLite ledger and applies the line rules; `parse --json` writes "
        "to a file. Budgets (issue 18): `read_statement` under 1 GB, `import` and "
        "`parse --json` under 500 MB; `ratio` = time per entry at the larger size ÷ at the "
        "smaller (1.0 = linear).",
        markdown_table(pd.DataFrame([{k: r.get(k, "") for k in cols} for r in table])),
        "### Linearity and budgets",
        markdown_table(pd.DataFrame(_linearity(rows, sizes))),
    ])  # fmt: skip


#: Where the full tier keeps its section: 10^6-entry files take about twenty minutes, too long
#: for the quick tier of ``make bench``, which shows this last full run under its own figures.
FULL_RESULTS = Path(__file__).resolve().parent / "results" / "bigfiles-full.md"


def run(tier: str = "quick", seed: int = 1000, out_dir: Path | None = None) -> str:
    """Measure the tier and return its section (``out_dir`` unused: no plot).

    The full tier also writes its section to :data:`FULL_RESULTS`; the quick tier appends the
    last one written, with the date it was measured, so RESULTS.md always shows 10^6 entries.
    """
    section = render(measure(tier, seed), tier, seed)
    if tier == "full":
        FULL_RESULTS.parent.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y-%m-%d")
        FULL_RESULTS.write_text(f"<!-- measured {stamp} -->\n{section}\n", encoding="utf-8")
    elif tier == "quick" and FULL_RESULTS.is_file():
        full = FULL_RESULTS.read_text(encoding="utf-8")
        stamp = full.splitlines()[0].removeprefix("<!-- measured ").removesuffix(" -->")
        body = (
            "\n".join(full.splitlines()[1:])
            .replace("\n## ", "\n### ")
            .replace("## Very large files: memory and time", "### The last full-tier run", 1)
            .replace("\n### Linearity", "\n#### Linearity")
        )
        section += f"\n\n{body.strip()}\n\n_Full tier measured {stamp}; `make bench-full` or"
        section += " `python -m benchmarks.bigfiles --tier full` measures it again._"
    return section


def main() -> None:
    """``python -m benchmarks.bigfiles --tier quick|full [--seed N]``: print the section."""
    section_main("benchmarks.bigfiles", TIERS, run)


if __name__ == "__main__":
    main()
