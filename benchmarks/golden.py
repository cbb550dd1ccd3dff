"""``python -m benchmarks.golden save|check DIR [--hypotheses 300000]``: what ``reconcile``
gives, saved before a change that must not change results (a speed-up) and compared exactly
after it.

* the result frames of hard books (2 000 and 10 000 payments, evaluation seeds 1000 and 1001),
  of the three other worlds (5 000 payments, seed 1000), and of the 10 000-payment hard book
  through ``ProcessPool(workers=2)`` (compared with the in-process frames: the executor never
  changes a result);
* ``--hypotheses N``: the single-invoice and grouped hypotheses (``engine.hypotheses``) of a
  hard book of N payments. Rare shapes (a payer with many credit notes, long runs of numbers)
  only show on large books: a rewrite of per-payer logic changed 7 group rows of the 300 000
  payment book and none at 10 000. About 2 minutes at 300 000.

Not a test: other changes change results on purpose. Save on the commit before the change,
check on the change; ``check`` exits 1 when a frame differs and names it.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.generator import Dataset, generate
from benchmarks.worlds import generate_world
from rapprochement.matching import engine
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.executor import ProcessPool
from rapprochement.matching.partition import as_entities

FRAMES = (
    "allocations",
    "unmatched_transactions",
    "open_invoices",
    "ambiguous",
    "duplicates",
    "rivals",
)
BOOKS = ((2000, 1000), (2000, 1001), (10_000, 1000), (10_000, 1001))
WORLDS = ("eu_sme", "us_ar", "marketplace")
WORLD_SIZE = 5000


def _frames(ds: Dataset, executor: Any = None) -> dict[str, pd.DataFrame]:
    res = ds.reconcile(executor=executor)
    return {f: getattr(res, f) for f in FRAMES}


def hypotheses(ds: Dataset) -> dict[str, pd.DataFrame]:
    """The hypotheses of the book's first currency partition with open items (singles with
    their feature levels, groups), before scoring."""
    tx, inv, rem = engine.prepare(ds.transactions, ds.invoices, ds.remittances)
    one, customers = as_entities(inv, ds.customers)
    part = next(p for p in engine.partitions(tx, one, rem) if len(p.inv))
    singles, groups = engine.hypotheses(part, customers, MatchConfig())
    return {"singles": singles, "groups": groups}


def _runs(hyp: int | None) -> list[tuple[str, str, Any]]:
    """(file name, label, thunk) of every comparison."""
    out: list[tuple[str, str, Any]] = []
    for n, seed in BOOKS:
        out.append((f"{n}-{seed}", f"{n} payments, seed {seed}", (_frames, n, seed, None)))
    out.append(
        ("10000-1000", "10000 payments, seed 1000, ProcessPool(2)", (_frames, 10_000, 1000, 2))
    )
    for w in WORLDS:
        out.append((f"{w}-{WORLD_SIZE}", f"{w}, {WORLD_SIZE} payments", (_frames, w, 1000, None)))
    if hyp:
        out.append((f"hyp-{hyp}", f"hypotheses, {hyp} payments", (hypotheses, hyp, 1000, None)))
    return out


def _book(what: int | str, seed: int) -> Dataset:
    return (
        generate_world(what, seed, WORLD_SIZE)
        if isinstance(what, str)
        else generate(seed, what, "hard")
    )


def _values(col: pd.Series) -> pd.Series:
    """A column as the values it holds: a ``Categorical`` as its values, integers as int64."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.astype(object)
    if pd.api.types.is_integer_dtype(col.dtype):
        return col.astype("int64")
    return col


def _compare(ref: pd.DataFrame, got: pd.DataFrame, loose: bool) -> str:
    """ "identical"; or, for the hypotheses whose columns a memory change may narrow or drop
    (never for the result frames, whose dtypes are public): "same values" and what changed;
    else "DIFFERS"."""
    if ref.equals(got):
        return "identical"
    if not loose or not set(got.columns) <= set(ref.columns) or not ref.index.equals(got.index):
        return "DIFFERS"
    kept = [c for c in ref.columns if c in got.columns]
    if list(got.columns) != kept:
        return "DIFFERS"
    if not all(_values(ref[c]).equals(_values(got[c])) for c in kept):
        return "DIFFERS"
    dropped = [c for c in ref.columns if c not in got.columns]
    narrowed = [c for c in kept if ref[c].dtype != got[c].dtype]
    return f"same values (dropped {dropped}, other dtypes {narrowed})"


def main() -> None:
    """Save or check every comparison's frames in ``DIR``."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=("save", "check"))
    p.add_argument("dir", type=Path)
    p.add_argument("--hypotheses", type=int, default=None, metavar="N")
    a = p.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    bad = 0
    for name, label, (fn, what, seed, workers) in _runs(a.hypotheses):
        path = a.dir / f"{name}.pkl"
        if a.mode == "save" and workers is not None:
            continue  # compared with the in-process frames saved under the same name
        ds = _book(what, seed)
        t0 = time.perf_counter()
        got = fn(ds, ProcessPool(workers=workers)) if workers else fn(ds)
        took = time.perf_counter() - t0
        if a.mode == "save":
            path.write_bytes(pickle.dumps(got, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"{label}: {took:.1f} s, saved")
            continue
        ref = pickle.loads(path.read_bytes())
        verdicts = {f: _compare(ref[f], got[f], name.startswith("hyp-")) for f in ref}
        diff = [f for f, v in verdicts.items() if v == "DIFFERS"]
        bad += bool(diff)
        notes = [f"{f}: {v}" for f, v in verdicts.items() if v not in ("identical", "DIFFERS")]
        verdict = f"DIFFERS: {diff}" if diff else "identical"
        print(f"{label}: {took:.1f} s, {verdict}" + "".join(f"; {n}" for n in notes))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
