"""Snapshot import benchmark: the cost of taking an ERP export as the complete list of open items.

A fresh SQLite ledger gets ``n`` invoices; then a snapshot listing half of them (the other half
closed as settled outside the bank), then the undo of that snapshot. Run alone:
``python -m benchmarks.snapshot --tier quick`` (``full``: 100 000 invoices).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.section import section_main
from rapprochement.store import Ledger

__all__ = ["run"]

SIZES = {"quick": 5_000, "full": 100_000}


def _invoices(n: int, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    return pd.DataFrame(
        {
            "invoice_id": [f"FA-{i:07d}" for i in range(n)],
            "customer_id": [f"C{rng.randrange(n // 10 + 1):05d}" for _ in range(n)],
            "customer_name": "Client",
            "amount": [f"{rng.randrange(1_000, 5_000_000) / 100:.2f}" for _ in range(n)],
            "currency": "EUR",
            "issue_date": "2026-10-01",
            "due_date": "2026-10-31",
        }
    )


def run(tier: str = "quick", seed: int = 1000) -> str:
    """Time import, snapshot (half closed) and undo; returns a Markdown section."""
    n = SIZES[tier]
    frame = _invoices(n, seed)
    kept = frame.sample(frac=0.5, random_state=seed).sort_values("invoice_id")
    with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp) / "b.db") as ledger:
        t0 = time.perf_counter()
        ledger.import_invoices(frame)
        t1 = time.perf_counter()
        snap = ledger.import_invoices(kept, snapshot=True)
        t2 = time.perf_counter()
        assert snap.import_id is not None
        back = ledger.undo_invoice_import(snap.import_id)
        t3 = time.perf_counter()
        still = len(ledger.open_items())
    assert len(back) == len(snap.closed) == n - len(kept)
    assert still == n
    return "\n".join([
        f"### Snapshot import ({n} invoices, SQLite, seed {seed})",
        "",
        "| step | invoices | seconds |",
        "|---|---:|---:|",
        f"| first import | {n} | {t1 - t0:.2f} |",
        f"| snapshot listing half (closes {len(snap.closed)}) | {len(kept)} | {t2 - t1:.2f} |",
        f"| undo of the snapshot (reopens {len(back)}) | {len(back)} | {t3 - t2:.2f} |",
        "",
    ])  # fmt: skip


def main() -> None:
    """Print the section for one tier."""
    section_main("python -m benchmarks.snapshot", SIZES, run)


if __name__ == "__main__":
    main()
