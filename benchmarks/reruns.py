"""Re-runs and the daily loop through the ledger: is a later run ever less right than the first?

Two measurements on the hard world, each through a fresh SQLite ledger with the real engine:

* **unchanged ledger**: the whole book imported once, then ``reconcile`` three times. A second
  run on the same evidence must add no automatic allocation below the first run's precision
  (:mod:`rapprochement.store.evidence` holds proposals that rest on nothing new);
* **daily loop**: the bank lines imported in five slices by booking date, ``reconcile`` after
  each (the invoices are all known from the start), as the daily loop in ``docs/cli.md`` runs.

Right = the ground truth pairs the line with that invoice. Run alone:
``python -m benchmarks.reruns --tier quick``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from benchmarks.generator import generate
from benchmarks.section import section_main
from benchmarks.writers import write_camt053
from rapprochement.store import Ledger
from rapprochement.store import schema as t

__all__ = ["run"]

SIZES = {"quick": (2_000, 20_000), "full": (2_000, 20_000)}
#: A smaller size for the section's own test.
SIZES["test"] = (150,)
SLICES = 5


def _dataset_ids(ledger: Ledger) -> dict[str, str]:
    """Ledger line id → the generator's id (the writer stores it as the bank reference)."""
    with ledger.engine.connect() as conn:
        q = select(t.transactions.c.transaction_id, t.entries.c.bank_reference).join(
            t.entries, t.entries.c.id == t.transactions.c.entry_pk
        )
        return {r[0]: str(r[1]) for r in conn.execute(q)}


def _run_row(ledger: Ledger, rs: Any, truth: set[tuple[str, str]], label: str) -> dict[str, Any]:
    ids = _dataset_ids(ledger)
    al = ledger.allocations()
    mine = al[(al["run_id"] == rs.run_id) & (al["source"] == "auto") & al["invoice_id"].notna()]
    pairs = {
        (ids.get(str(a), ""), str(b))
        for a, b in zip(mine["transaction_id"], mine["invoice_id"], strict=True)
    }
    right = len(pairs & truth)
    return {
        "run": label,
        "auto pairs": len(pairs),
        "right": right,
        "precision": right / len(pairs) if pairs else None,
        "suggestions": rs.suggestions,
        "held as suggestions": rs.held_as_suggestions,
        "held unmatched": rs.held_unmatched,
        "seconds": rs.seconds,
    }


def _truth(ds: Any) -> set[tuple[str, str]]:
    tr = ds.truth[ds.truth["invoice_id"].notna()]
    return set(zip(tr["transaction_id"].astype(str), tr["invoice_id"].astype(str), strict=True))


def unchanged(n: int, seed: int, work: Path) -> list[dict[str, Any]]:
    """Import the whole book, reconcile three times."""
    ds = generate(seed=seed, n_payments=n, difficulty="hard")
    path = work / f"book-{n}.xml"
    write_camt053(ds.transactions, path)
    truth = _truth(ds)
    rows = []
    with Ledger(work / f"unchanged-{n}.db") as ledger:
        ledger.import_invoices(ds.invoices)
        ledger.import_statements(path)
        for k in range(3):
            rows.append(_run_row(ledger, ledger.reconcile(), truth, f"run {k + 1}"))
    return rows


def daily(n: int, seed: int, work: Path) -> list[dict[str, Any]]:
    """Import the lines in ``SLICES`` slices by booking date, reconcile after each."""
    ds = generate(seed=seed, n_payments=n, difficulty="hard")
    tx = ds.transactions.sort_values(["booking_date", "transaction_id"]).reset_index(drop=True)
    days = sorted(tx["booking_date"].unique())
    cuts = [days[len(days) * k // SLICES] for k in range(1, SLICES)]
    truth = _truth(ds)
    rows = []
    with Ledger(work / f"daily-{n}.db") as ledger:
        ledger.import_invoices(ds.invoices)
        bounds = [None, *cuts, None]
        for k in range(SLICES):
            lo, hi = bounds[k], bounds[k + 1]
            part = tx[
                (tx["booking_date"] >= lo if lo is not None else True)
                & (tx["booking_date"] < hi if hi is not None else True)
            ]
            path = work / f"daily-{n}-{k}.xml"
            write_camt053(part, path)
            ledger.import_statements(path)
            rows.append(_run_row(ledger, ledger.reconcile(), truth, f"slice {k + 1}"))
    return rows


def _md(rows: list[dict[str, Any]]) -> str:
    df = pd.DataFrame(rows)
    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "|".join("---" if c == "run" else "---:" for c in df.columns) + "|"
    out = [head, sep]
    for r in rows:
        cells = []
        for c in df.columns:
            v = r[c]
            if c == "precision":
                cells.append("–" if v is None else f"{v:.2%}")
            elif isinstance(v, float):
                cells.append(f"{v:.1f}")
            else:
                cells.append(str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def run(tier: str = "quick", seed: int = 0, out_dir: Path = Path("benchmarks")) -> str:
    """The re-runs section of ``benchmarks/RESULTS.md`` (Markdown)."""
    seed = seed or 1000
    t0 = time.perf_counter()
    parts = [
        f"## Re-runs and the daily loop (ledger, hard world, seed {seed})",
        "",
        "Automatic pairs each `reconcile` adds and how many the ground truth confirms. On an",
        "unchanged ledger a later run only holds what the first left (suggestions stay",
        "suggestions, unmatched lines stay unmatched: `rapprochement.store.evidence`). In the",
        f"daily loop the lines arrive in {SLICES} slices by booking date, the invoices up front.",
    ]
    with tempfile.TemporaryDirectory(prefix="rap-reruns-") as tmp:
        work = Path(tmp)
        for n in SIZES[tier]:
            parts += [
                "",
                f"### {n:,} payments: unchanged ledger",
                "",
                _md(unchanged(n, seed, work)),
            ]
            parts += ["", f"### {n:,} payments: daily loop", "", _md(daily(n, seed, work))]
    parts += ["", f"_Section time: {time.perf_counter() - t0:.0f} s._"]
    return "\n".join(parts) + "\n"


def main() -> None:
    """Print the section for one tier."""
    section_main("python -m benchmarks.reruns", SIZES, run)


if __name__ == "__main__":
    main()
