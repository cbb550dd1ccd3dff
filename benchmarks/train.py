"""Fit the matching weights on the labeled generator and ship them as data.

    python -m benchmarks.train [--seeds 1 2 3 4 5] [--payments 4000] [--precision 0.9985]
                               [--worlds eu_sme us_ar marketplace] [--out FILE]
                               [--world-precision 0.995] [--z 1] [--auto-floor 0.95]
                               [--l2 1] [--center FILE] [--monotone] [--allow-unsafe]

Steps: for each training seed (1-5 only: evaluation seeds >= 1000 are never used here) and
each world of ``--worlds`` (default ``eu_sme``, the hard book of
:mod:`benchmarks.generator`; see :mod:`benchmarks.worlds`), generate a book, build every
hypothesis the engine considers (single invoices and groups,
:func:`rapprochement.matching.engine.hypotheses`), label it right when its invoice set is
exactly the true one for that payment, and fit an L2-regularized logistic regression over
one-hot feature levels (Newton / IRLS; the penalty pulls toward zero, or toward the weights of
``--center``; ``--monotone`` keeps the orders between levels of
:data:`benchmarks.fitting.ORDERS`). The coefficients are the log-likelihood
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
``--world-precision`` of the time, by the Wilson lower bound at ``--z`` standard errors
(:func:`auto_threshold`, ADR 0022, 0027), and never below ``--auto-floor``, a calibrated
score (ADR 0027); the suggestion threshold
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import scenario_gate
from benchmarks.fitting import (
    auto_threshold,
    fit_logistic,
    isotonic,
    order_pairs,
    precision_threshold,
)
from benchmarks.generator import Dataset
from benchmarks.train_data import (
    Allocations,
    chance_rates,
    labeled_hypotheses,
    reliability,
    training_allocations,
)
from benchmarks.worlds import WORLDS, generate_world
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import FEATURE_LEVELS, FEATURES
from rapprochement.matching.scoring import Weights, calibrate, load_weights

__all__ = [
    "FEATURES",
    "FEATURE_LEVELS",
    "OUT",
    "Allocations",
    "Options",
    "auto_threshold",
    "chance_rates",
    "coefficients",
    "fit",
    "isotonic",
    "labeled_hypotheses",
    "main",
    "thresholds",
]

OUT = Path(__file__).resolve().parent.parent / "src" / "rapprochement" / "matching" / "weights.json"


def _design(df: pd.DataFrame) -> tuple[np.ndarray[Any, Any], list[tuple[str, str]]]:
    cols: list[tuple[str, str]] = []
    blocks = []
    for f in FEATURES:
        for lvl in FEATURE_LEVELS[f][1:]:  # the first level is the baseline
            cols.append((f, lvl))
            blocks.append((df[f].to_numpy() == lvl).astype(np.float64))
    return np.column_stack([np.ones(len(df)), *blocks]), cols


def _write(doc: dict[str, Any], out: Path) -> Weights:
    out.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    load_weights.cache_clear()
    return load_weights(str(out))


@dataclass(frozen=True)
class Options:
    """How :func:`fit` fits (ADR 0022, 0027). Defaults: the plain fit of ADR 0022."""

    #: automatic allocations right this often on all training allocations pooled
    precision: float = 0.9985
    #: ... and this often on each training world's own (the highest threshold wins), ...
    world_precision: float = 0.995
    #: ... the share right of a world being its Wilson lower bound at ``z`` standard errors
    #: (0: the share itself; ADR 0022 had 0.997 and 0)
    z: float = 1.0
    #: an allocation is automatic only when its own calibrated score is at least this (ADR 0022
    #: had 0.5): the score is the share right of the training allocations scoring alike
    auto_floor: float = 0.95
    suggest_precision: float = 0.30
    #: never suggest below this probability (noise, not a suggestion)
    suggest_floor: float = 0.001
    #: L2 penalty of the weights, toward ``center`` (a weights file) or zero
    l2: float = 1.0
    center: Path | None = None
    #: keep the orders of :data:`benchmarks.fitting.ORDERS` between levels
    monotone: bool = False


def _center(path: Path | None, cols: list[tuple[str, str]]) -> np.ndarray[Any, Any] | None:
    if path is None:
        return None
    w = load_weights(str(path))
    return np.array([w.prior] + [w.weights.get(f, {}).get(lvl, 0.0) for f, lvl in cols])


def coefficients(data: pd.DataFrame, opts: Options) -> tuple[float, dict[str, dict[str, float]]]:
    """The prior and the weights of each feature level fitted on labeled hypotheses."""
    x, cols = _design(data)
    y = data["y"].to_numpy(dtype=np.float64)
    order = order_pairs(cols) if opts.monotone else None
    beta = fit_logistic(x, y, opts.l2, center=_center(opts.center, cols), order=order)
    weights: dict[str, dict[str, float]] = {f: {FEATURE_LEVELS[f][0]: 0.0} for f in FEATURES}
    for (f, lvl), b in zip(cols, beta[1:], strict=True):
        weights[f][lvl] = round(float(b), 4)
    return round(float(beta[0]), 4), weights


def thresholds(doc: dict[str, Any], al: Allocations, opts: Options, out: Path) -> dict[str, Any]:
    """Calibrate ``al`` with ``doc``'s map and set ``doc``'s auto and suggestion thresholds."""
    cal = calibrate(al.raw, _write(doc, out))
    sc, rt, wd = cal[~al.ambiguous], al.right[~al.ambiguous], al.world[~al.ambiguous]
    auto_t, by_world = auto_threshold(sc, rt, wd, opts.precision, opts.world_precision, opts.z)
    doc["auto_threshold"] = round(max(opts.auto_floor, auto_t), 6)
    if len(by_world) > 1:
        doc["trained_on"]["auto_threshold_by_world"] = by_world
    band = sc < doc["auto_threshold"]
    sugg = precision_threshold(sc[band], rt[band], opts.suggest_precision) if band.any() else 0.05
    doc["suggest_threshold"] = round(min(max(sugg, opts.suggest_floor), doc["auto_threshold"]), 6)
    return doc


def fit(
    books: list[Dataset],
    out: Path,
    *,
    options: Options | None = None,
    provenance: dict[str, Any] | None = None,
    labeled: list[pd.DataFrame] | None = None,
    worlds: list[str] | None = None,
    verbose: bool = False,
) -> dict[str, Any]:
    """Fit weights, calibration and thresholds on labeled ``books`` and write them to ``out``
    (see the module docstring); returns the written document. ``labeled``: the books'
    :func:`labeled_hypotheses`, when already built (they do not depend on the weights).
    ``worlds``: the world of each book; the auto threshold then holds on each world's books
    separately, not only on all of them pooled (:func:`auto_threshold`)."""
    opts = options or Options()
    if worlds is not None and len(worlds) != len(books):
        raise ValueError("worlds: one name per book")
    config = MatchConfig(weights_path=str(out))
    if labeled is None:
        labeled = [labeled_hypotheses(ds, config) for ds in books]
    data = pd.concat(labeled, ignore_index=True)
    prior, weights = coefficients(data, opts)
    doc: dict[str, Any] = {
        "version": 1,
        "prior": prior,
        "weights": weights,
        "auto_threshold": 0.99,
        "suggest_threshold": 0.05,
        "trained_on": {
            **(provenance or {}),
            "hypotheses": len(data),
            "positives": int(data["y"].sum()),
            **_fit_options(opts),
        },
    }
    doc["chance"] = chance_rates(books, config)
    _write(doc, out)
    # calibration and thresholds from the engine's own allocations on the training books
    al = training_allocations(books, config, worlds)
    doc["calibration"] = isotonic(al.raw, al.right)
    doc = thresholds(doc, al, opts, out)
    _write(doc, out)
    if verbose:
        _report(doc, al, out)
    return doc


def _fit_options(opts: Options) -> dict[str, Any]:
    """The options recorded in ``trained_on`` (those differing from the plain fit's, and l2)."""
    plain = Options()
    out: dict[str, Any] = {"l2": opts.l2}
    for k, v in vars(opts).items():
        if k != "l2" and v != getattr(plain, k):
            out[k] = str(v) if isinstance(v, Path) else v
    return out


def _share(right: np.ndarray[Any, Any]) -> str:
    return f"{right.mean():.4f}" if len(right) else "n/a"


def _report(doc: dict[str, Any], al: Allocations, out: Path) -> None:
    cal = calibrate(al.raw, load_weights(str(out)))
    print("reliability before calibration (training allocations)")
    print(reliability(1 / (1 + np.exp(-al.raw)), al.right).to_string())
    print("after")
    print(reliability(cal, al.right).to_string())
    sc, rt, wd = cal[~al.ambiguous], al.right[~al.ambiguous], al.world[~al.ambiguous]
    auto = sc >= doc["auto_threshold"]
    by_world = doc["trained_on"].get("auto_threshold_by_world", {})
    print(
        f"hypotheses {doc['trained_on']['hypotheses']} positives {doc['trained_on']['positives']}"
    )
    print(f"auto threshold {doc['auto_threshold']}  suggest threshold {doc['suggest_threshold']}")
    print(f"training auto precision {_share(rt[auto])} on {int(auto.sum())} allocations")
    for w in sorted(set(wd.tolist()) - {""}):
        a = auto & (wd == w)
        print(f"  {w}: {_share(rt[a])} on {int(a.sum())} "
              f"(own threshold {by_world.get(w, 'n/a')})")  # fmt: skip
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> None:
    """Command line: fit on the generated books of ``--worlds`` × ``--seeds``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--payments", type=int, default=4000)
    ap.add_argument("--worlds", nargs="+", default=["eu_sme"], choices=sorted(WORLDS))
    ap.add_argument("--out", type=Path, default=OUT, help="weights file to write")
    d = Options()
    ap.add_argument("--precision", type=float, default=d.precision)
    ap.add_argument(
        "--world-precision",
        type=float,
        default=d.world_precision,
        help="auto precision each training world must keep on its own (ADR 0022, 0027)",
    )
    ap.add_argument(
        "--z",
        type=float,
        default=d.z,
        help="a world's auto precision is its Wilson lower bound at Z standard errors (0: the "
        "share itself; ADR 0027)",
    )
    ap.add_argument(
        "--auto-floor",
        type=float,
        default=d.auto_floor,
        help="never automatic below this calibrated score (ADR 0027)",
    )
    ap.add_argument("--suggest-precision", type=float, default=d.suggest_precision)
    ap.add_argument("--l2", type=float, default=d.l2)
    ap.add_argument(
        "--center",
        type=Path,
        default=None,
        help="a weights file the L2 penalty pulls toward (default: zero; ADR 0027)",
    )
    ap.add_argument(
        "--monotone",
        action="store_true",
        help="keep the orders between levels of benchmarks.fitting.ORDERS (ADR 0027)",
    )
    ap.add_argument(
        "--suggest-floor",
        type=float,
        default=d.suggest_floor,
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
        options=Options(
            precision=args.precision,
            world_precision=args.world_precision,
            z=args.z,
            auto_floor=args.auto_floor,
            suggest_precision=args.suggest_precision,
            suggest_floor=args.suggest_floor,
            l2=args.l2,
            center=args.center,
            monotone=args.monotone,
        ),
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
