"""The training data of :mod:`benchmarks.train`, gathered by running the engine on labeled
books: every hypothesis with its feature levels and label (:func:`labeled_hypotheses`), the
books' chance agreement (:func:`chance_rates`) and the engine's final allocations with their
raw log-odds (:func:`training_allocations`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.generator import Dataset
from rapprochement.matching import engine
from rapprochement.matching.chance import book_chance, pooled
from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import FEATURES

__all__ = [
    "Allocations",
    "chance_rates",
    "labeled_hypotheses",
    "reliability",
    "training_allocations",
]


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


def _raw_logit(explanation: str) -> float:
    return math.fsum(c["weight"] for c in json.loads(explanation) if c["feature"] != "calibration")


def reliability(scores: np.ndarray[Any, Any], right: np.ndarray[Any, Any]) -> pd.DataFrame:
    """Per score decile: count, mean score and observed share right."""
    df = pd.DataFrame({"score": scores, "right": right})
    deciles = np.linspace(0, 1, 11).tolist()
    df["bucket"] = pd.cut(df["score"], deciles, include_lowest=True).astype(str)
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


@dataclass(frozen=True)
class Allocations:
    """The engine's final allocations on the training books, scored with the fitted weights
    before calibration: raw log-odds, right or not, ambiguous or not, world of the book."""

    raw: np.ndarray[Any, Any]
    right: np.ndarray[Any, Any]
    ambiguous: np.ndarray[Any, Any]
    world: np.ndarray[Any, Any]


def training_allocations(
    books: list[Dataset], config: MatchConfig, worlds: list[str] | None
) -> Allocations:
    """The engine's allocations on ``books`` scored with ``config``'s weights (no threshold)."""
    logits: list[tuple[float, bool]] = []
    right: list[bool] = []
    world_of: list[str] = []
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
    return Allocations(
        raw=np.array([x for x, _ in logits]),
        right=np.array(right, dtype=np.float64),
        ambiguous=np.array([b for _, b in logits], dtype=bool),
        world=np.array(world_of, dtype=object),
    )
