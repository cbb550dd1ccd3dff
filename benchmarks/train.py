"""Fit the matching weights on the labeled generator and ship them as data.

    python -m benchmarks.train [--seeds 1 2 3 4 5] [--payments 4000] [--precision 0.9985]
                               [--worlds eu_sme us_ar marketplace] [--out FILE]
                               [--world-precision 0.997] [--allow-unsafe]

Steps: for each training seed (1-5 only: evaluation seeds >= 1000 are never used here) and
each world of ``--worlds`` (default ``eu_sme``, the hard book of
:mod:`benchmarks.generator`; see :mod:`benchmarks.worlds`), generate a book, build every
hypothesis the engine considers (single invoices and groups,
:func:`rapprochement.matching.engine.hypotheses`), label it right when its invoice set is
exactly the true one for that payment, and fit an L2-regularized logistic regression over
one-hot feature levels (Newton / IRLS, numpy only). The coefficients are the log-likelihood
ratios of each level against the feature's baseline level; the intercept is the prior.
Then the engine runs on the same training books with the new weights: an isotonic regression
(pool adjacent violators) of "this allocation is right" on the raw log-odds of its final
allocations becomes the calibration map shipped with the weights (the score of an allocation
is then the share of training allocations with such log-odds that were right; the engine runs
with its per-book chance correction, whose training rates, the share of random pairs at each
level of amount, name, IBAN and date, are stored as ``chance``); the auto
threshold is the lowest calibrated score at which automatic allocations are right at least
``--precision`` of the time (a margin above the 99.5 % target); with several worlds, the
threshold is also high enough that each world's automatic allocations alone are right
``--world-precision`` of the time (:func:`auto_threshold`, ADR 0022); the suggestion threshold
is the lowest at which suggestions are still right ``--suggest-precision`` of the time.
Writes ``src/rapprochement/matching/weights.json``, or ``--out`` (the engine scores with such
a file through ``MatchConfig(weights_path=...)``; :func:`fit` does the same from Python), but
only when the scenario gate passes (:mod:`benchmarks.scenario_gate`: no scenario of
``tests/scenarios`` gets a wrong automatic allocation with the fitted file; else it exits with
status 1 and writes nothing, unless ``--allow-unsafe``).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import scenario_gate
from benchmarks.generator import Dataset
from benchmarks.worlds import WORLDS, generate_world
from rapprochement.matching import engine
from rapprochement.matching.chance import book_chance, pooled
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import FEATURE_LEVELS, FEATURES
from rapprochement.matching.scoring import Weights, calibrate, load_weights

OUT = Path(__file__).resolve().parent.parent / "src" / "rapprochement" / "matching" / "weights.json"


def _truth_sets(truth: pd.DataFrame) -> dict[str, frozenset[str]]:
    t = truth[truth["invoice_id"].notna()]
    return {str(k): frozenset(map(str, g)) for k, g in t.groupby("transaction_id")["invoice_id"]}


def _right_group(truth: frozenset[str] | None, invs: frozenset[str], source: str) -> bool:
    """Is a grouped hypothesis right: its invoices are the payment's, all of them; a
    collector's report read in part (``report_unread``: lines naming no open item leave their
    money unallocated) claims only the items it reads, so it is right when they are the
    payment's (ADR 0015)."""
    if truth is None:
        return False
    return invs <= truth if source == "report_unread" else invs == truth


def labeled_hypotheses(ds: Dataset, config: MatchConfig) -> pd.DataFrame:
    """Every hypothesis of one labeled book with its feature levels and a 0/1 label."""
    truth = _truth_sets(ds.truth)
    tx, inv, rem = engine.prepare(ds.transactions, ds.invoices, ds.remittances)
    frames = []
    for part in engine.partitions(tx, inv, rem):
        singles, groups = engine.hypotheses(part, ds.customers, config)
        tids = part.tx["transaction_id"].to_numpy()
        iids = part.inv["invoice_id"].to_numpy()
        if len(singles):
            s = singles[list(FEATURES)].copy()
            s["y"] = [
                truth.get(str(tids[t])) == frozenset((str(iids[i]),))
                for t, i in zip(singles["tx"], singles["inv"], strict=True)
            ]
            frames.append(s)
        if len(groups):
            g = groups[list(FEATURES)].copy()
            g["y"] = [
                _right_group(truth.get(str(tids[t])), frozenset(str(iids[i]) for i in invs), src)
                for t, invs, src in zip(groups["tx"], groups["invs"], groups["source"], strict=True)
            ]
            frames.append(g)
    return pd.concat(frames, ignore_index=True)


def _design(df: pd.DataFrame) -> tuple[np.ndarray[Any, Any], list[tuple[str, str]]]:
    cols: list[tuple[str, str]] = []
    blocks = []
    for f in FEATURES:
        for lvl in FEATURE_LEVELS[f][1:]:  # the first level is the baseline
            cols.append((f, lvl))
            blocks.append((df[f].to_numpy() == lvl).astype(np.float64))
    return np.column_stack([np.ones(len(df)), *blocks]), cols


def fit_logistic(
    x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], l2: float = 1.0, iters: int = 50
) -> np.ndarray[Any, Any]:
    """L2-regularized logistic regression by Newton's method (the intercept is not penalized)."""
    beta = np.zeros(x.shape[1])
    pen = np.full(x.shape[1], l2)
    pen[0] = 1e-6
    for _ in range(iters):
        z = np.clip(x @ beta, -30, 30)
        p = 1 / (1 + np.exp(-z))
        grad = x.T @ (p - y) + pen * beta
        h = (x * (p * (1 - p))[:, None]).T @ x + np.diag(pen)
        step = np.linalg.solve(h, grad)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def _threshold(scores: np.ndarray[Any, Any], right: np.ndarray[Any, Any], target: float) -> float:
    """Lowest cutoff t such that allocations scoring >= t (ties included) are right at least
    ``target`` of the time; 1.0 when none is."""
    if not len(scores):
        return 1.0
    order = np.argsort(-scores, kind="stable")
    s, r = scores[order], right[order]
    cum_right = np.cumsum(r)
    # the last index of each run of equal scores: a cutoff keeps the whole run
    last = np.flatnonzero(np.r_[s[1:] != s[:-1], True])
    prec = cum_right[last] / (last + 1)
    ok = np.flatnonzero(prec >= target)
    if not len(ok):
        return 1.0
    # the lowest cutoff whose whole prefix still meets the target
    return float(s[last[ok[-1]]])


def auto_threshold(
    scores: np.ndarray[Any, Any],
    right: np.ndarray[Any, Any],
    worlds: np.ndarray[Any, Any],
    target: float,
    world_target: float = 0.997,
) -> tuple[float, dict[str, float]]:
    """The auto threshold at which automatic allocations are right at least ``target`` of the
    time on the pooled training allocations *and* at least ``world_target`` on those of each
    world separately (the highest of the pooled and per-world thresholds; ADR 0022), with each
    world's own.

    A pooled target is met by averaging: a world whose allocations are many and easy hides one
    whose high scores are overconfident, and a new user's book is one world, not the mix."""
    pooled = _threshold(scores, right, target)
    names = sorted(set(worlds.tolist()) - {""})
    by_world = {str(w): round(_threshold(scores[worlds == w], right[worlds == w], world_target), 6)
                for w in names}  # fmt: skip
    return max([pooled, *by_world.values()]), by_world


def isotonic(
    x: np.ndarray[Any, Any], y: np.ndarray[Any, Any], min_count: int = 30
) -> list[tuple[float, float]]:
    """Knots ``(x, p)`` of the isotonic (non-decreasing) regression of 0/1 ``y`` on ``x``
    (pool adjacent violators), blocks of at least ``min_count`` observations, each block's
    share right smoothed by half an observation each way (never exactly 0 or 1)."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    blocks: list[list[float]] = []  # [sum_x, sum_y, n]
    for xv, yv in zip(xs.tolist(), ys.tolist(), strict=True):
        blocks.append([xv, yv, 1.0])
        while len(blocks) > 1 and (
            blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
            or blocks[-2][2] < min_count
        ):
            sx, sy, n = blocks.pop()
            blocks[-1][0] += sx
            blocks[-1][1] += sy
            blocks[-1][2] += n
    if len(blocks) > 1 and blocks[-1][2] < min_count:
        sx, sy, n = blocks.pop()
        blocks[-1] = [blocks[-1][0] + sx, blocks[-1][1] + sy, blocks[-1][2] + n]
    knots: list[tuple[float, float]] = []
    for sx, sy, n in blocks:
        p = (sy + 0.5) / (n + 1.0)
        if knots:
            p = max(p, knots[-1][1])
        knots.append((round(sx / n, 4), round(p, 6)))
    # strictly increasing positions (rounding may merge two)
    out: list[tuple[float, float]] = []
    for k in knots:
        if out and k[0] <= out[-1][0]:
            out[-1] = (out[-1][0], max(out[-1][1], k[1]))
        else:
            out.append(k)
    return out


def _raw_logit(explanation: str) -> float:
    return math.fsum(c["weight"] for c in json.loads(explanation) if c["feature"] != "calibration")


def reliability(scores: np.ndarray[Any, Any], right: np.ndarray[Any, Any]) -> pd.DataFrame:
    """Per score decile: count, mean score and observed share right."""
    df = pd.DataFrame({"score": scores, "right": right})
    df["bucket"] = pd.cut(df["score"], np.linspace(0, 1, 11), include_lowest=True).astype(str)
    return df.groupby("bucket", observed=True).agg(
        n=("right", "size"), mean_score=("score", "mean"), observed=("right", "mean")
    )


def chance_rates(books: list[Dataset], config: MatchConfig) -> dict[str, dict[str, float]]:
    """The training books' chance agreement (Fellegi-Sunter u of each feature level on random
    pairs, :mod:`rapprochement.matching.chance`), stored with the weights: a book reconciled
    later is compared with it."""
    found = []
    for ds in books:
        tx, inv, rem = engine.prepare(ds.transactions, ds.invoices, ds.remittances)
        found += [
            book_chance(p.tx, p.inv, config, p.currency) for p in engine.partitions(tx, inv, rem)
        ]
    return pooled(found)


def _write(doc: dict[str, Any], out: Path) -> Weights:
    out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    load_weights.cache_clear()
    return load_weights(str(out))


def fit(
    books: list[Dataset],
    out: Path,
    *,
    precision: float = 0.9985,
    suggest_precision: float = 0.30,
    l2: float = 1.0,
    suggest_floor: float = 0.001,
    provenance: dict[str, Any] | None = None,
    labeled: list[pd.DataFrame] | None = None,
    worlds: list[str] | None = None,
    world_precision: float = 0.997,
    verbose: bool = False,
) -> dict[str, Any]:
    """Fit weights, calibration and thresholds on labeled ``books`` and write them to ``out``
    (see the module docstring); returns the written document. ``labeled``: the books'
    :func:`labeled_hypotheses`, when already built (they do not depend on the weights).
    ``worlds``: the world of each book; the auto threshold then holds ``precision`` on each
    world's books separately (``world_precision`` on each: :func:`auto_threshold`), not only
    on all of them pooled."""
    if worlds is not None and len(worlds) != len(books):
        raise ValueError("worlds: one name per book")
    config = MatchConfig(weights_path=str(out))
    if labeled is None:
        labeled = [labeled_hypotheses(ds, config) for ds in books]
    data = pd.concat(labeled, ignore_index=True)
    x, cols = _design(data)
    y = data["y"].to_numpy(dtype=np.float64)
    beta = fit_logistic(x, y, l2)
    weights: dict[str, dict[str, float]] = {f: {FEATURE_LEVELS[f][0]: 0.0} for f in FEATURES}
    for (f, lvl), b in zip(cols, beta[1:], strict=True):
        weights[f][lvl] = round(float(b), 4)
    doc: dict[str, Any] = {
        "version": 1,
        "prior": round(float(beta[0]), 4),
        "weights": weights,
        "auto_threshold": 0.99,
        "suggest_threshold": 0.05,
        "trained_on": {
            **(provenance or {}),
            "hypotheses": len(data),
            "positives": int(y.sum()),
            "l2": l2,
        },
    }
    doc["chance"] = chance_rates(books, config)
    _write(doc, out)
    # calibration and thresholds from the engine's own allocations on the training books
    logits, right, world_of = [], [], []
    for k, ds in enumerate(books):
        truth = {
            (str(a), str(b))
            for a, b in zip(ds.truth["transaction_id"], ds.truth["invoice_id"], strict=True)
        }
        res = engine.reconcile(
            ds.transactions,
            ds.invoices,
            remittances=ds.remittances,
            customers=ds.customers,
            config=config.model_copy(update={"suggest_threshold": 0.0, "auto_threshold": 1.0}),
        )
        al = res.allocations[res.allocations["invoice_id"].notna()]
        al = al.drop_duplicates(["transaction_id", "invoice_id"])
        # ambiguous payments are never automatic: they set the calibration, not the threshold
        amb = al["transaction_id"].isin(set(res.ambiguous["transaction_id"])).to_numpy()
        logits.extend((_raw_logit(e), bool(b)) for e, b in zip(al["explanation"], amb, strict=True))
        right.extend(
            (str(a), str(b)) in truth
            for a, b in zip(al["transaction_id"], al["invoice_id"], strict=True)
        )
        world_of.extend([worlds[k] if worlds is not None else ""] * len(al))
    raw = np.array([x for x, _ in logits])
    ambiguous = np.array([b for _, b in logits], dtype=bool)
    rt_all = np.array(right, dtype=np.float64)
    doc["calibration"] = isotonic(raw, rt_all)
    cal = calibrate(raw, _write(doc, out))
    if verbose:
        print("reliability before calibration (training allocations)")
        print(reliability(1 / (1 + np.exp(-raw)), rt_all).to_string())
        print("after")
        print(reliability(cal, rt_all).to_string())
    sc, rt = cal[~ambiguous], rt_all[~ambiguous]
    wd = np.array(world_of, dtype=object)[~ambiguous]
    auto_t, by_world = auto_threshold(sc, rt, wd, precision, world_precision)
    doc["auto_threshold"] = round(max(0.5, auto_t), 6)
    if len(by_world) > 1:
        doc["trained_on"]["auto_threshold_by_world"] = by_world
    band = sc < doc["auto_threshold"]
    sugg = _threshold(sc[band], rt[band], suggest_precision) if band.any() else 0.05
    doc["suggest_threshold"] = round(min(max(sugg, suggest_floor), doc["auto_threshold"]), 6)
    _write(doc, out)
    if verbose:
        auto = sc >= doc["auto_threshold"]
        print(f"hypotheses {len(data)} positives {int(y.sum())}")
        print(f"auto threshold {doc['auto_threshold']}  "
              f"suggest threshold {doc['suggest_threshold']}")  # fmt: skip
        print(f"training auto precision {rt[auto].mean():.4f} on {int(auto.sum())} allocations")
        for w in sorted(set(wd.tolist()) - {""}):
            a = auto & (wd == w)
            print(f"  {w}: {rt[a].mean():.4f} on {int(a.sum())} "
                  f"(own threshold {by_world.get(w, 'n/a')})")  # fmt: skip
        print(f"wrote {out}")
    return doc


def main(argv: list[str] | None = None) -> None:
    """Command line: fit on the generated books of ``--worlds`` × ``--seeds``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--payments", type=int, default=4000)
    ap.add_argument("--worlds", nargs="+", default=["eu_sme"], choices=sorted(WORLDS))
    ap.add_argument("--out", type=Path, default=OUT, help="weights file to write")
    ap.add_argument("--precision", type=float, default=0.9985)
    ap.add_argument(
        "--world-precision",
        type=float,
        default=0.997,
        help="auto precision each training world must keep on its own (ADR 0022)",
    )
    ap.add_argument("--suggest-precision", type=float, default=0.30)
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument(
        "--suggest-floor",
        type=float,
        default=0.001,
        help="never suggest below this probability (noise, not a suggestion)",
    )
    ap.add_argument(
        "--allow-unsafe",
        action="store_true",
        help="write the file even when the scenario gate finds a wrong automatic allocation",
    )
    args = ap.parse_args(argv)
    if any(s >= 1000 for s in args.seeds):
        raise SystemExit("seeds >= 1000 are evaluation seeds: never train on them")
    pairs = [(w, s) for w in args.worlds for s in args.seeds]
    books = [generate_world(w, s, args.payments) for w, s in pairs]
    provenance: dict[str, Any] = {"generator": "benchmarks.generator", "difficulty": "hard"}
    if args.worlds != ["eu_sme"]:
        provenance = {"generator": "benchmarks.worlds", "worlds": args.worlds}
    provenance.update(seeds=args.seeds, payments=args.payments)
    trial = args.out.with_name(args.out.stem + ".trial.json")
    doc = fit(
        books,
        trial,
        precision=args.precision,
        world_precision=args.world_precision,
        suggest_precision=args.suggest_precision,
        l2=args.l2,
        suggest_floor=args.suggest_floor,
        provenance=provenance,
        worlds=[w for w, _ in pairs],
        verbose=True,
    )
    gate = scenario_gate.check(trial)
    print(gate.summary())
    doc["trained_on"]["scenario_gate"] = {
        "scenarios": gate.checked,
        "wrong_auto": gate.wrong_auto,
        "not_as_expected": gate.failed,
    }
    trial.unlink()
    if not gate.safe and not args.allow_unsafe:
        load_weights.cache_clear()
        raise SystemExit(
            f"REFUSED: {args.out} not written: these weights make a wrong automatic allocation "
            f"in {', '.join(gate.wrong_auto)} (tests/scenarios; --allow-unsafe writes it anyway)"
        )
    if not gate.safe:
        print(f"WARNING: writing unsafe weights (wrong automatic allocations: "
              f"{', '.join(gate.wrong_auto)})")  # fmt: skip
    _write(doc, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
