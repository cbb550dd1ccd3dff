"""``python -m benchmarks.golden save|check DIR``: the result frames of ``reconcile`` on hard
books (2 000 and 10 000 payments, evaluation seeds 1000 and 1001), saved before a change that
must not change results (a speed-up) and compared exactly after it.

Not a test: other changes change results on purpose. Save on the commit before the change,
check on the change; ``check`` exits 1 when a frame differs and names it.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import rapprochement
from benchmarks.generator import generate

FRAMES = (
    "allocations",
    "unmatched_transactions",
    "open_invoices",
    "ambiguous",
    "duplicates",
    "rivals",
)
BOOKS = ((2000, 1000), (2000, 1001), (10_000, 1000), (10_000, 1001))


def main() -> None:
    """Save or check every book's frames in ``DIR``."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=("save", "check"))
    p.add_argument("dir", type=Path)
    a = p.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    bad = 0
    for n, seed in BOOKS:
        ds = generate(seed, n, "hard")
        t0 = time.perf_counter()
        res = rapprochement.reconcile(
            ds.transactions, ds.invoices, remittances=ds.remittances, customers=ds.customers
        )
        took = time.perf_counter() - t0
        got = {f: getattr(res, f) for f in FRAMES}
        path = a.dir / f"{n}-{seed}.pkl"
        if a.mode == "save":
            path.write_bytes(pickle.dumps(got, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"{n} payments, seed {seed}: {took:.1f} s, saved")
            continue
        ref = pickle.loads(path.read_bytes())
        diff = [f for f in FRAMES if not ref[f].equals(got[f])]
        bad += bool(diff)
        print(
            f"{n} payments, seed {seed}: {took:.1f} s, "
            + (f"DIFFERS: {diff}" if diff else "identical")
        )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
