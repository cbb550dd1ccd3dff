"""Accuracy metrics of allocations against the generator's truth. Pure functions on frames.

Definitions (a *pair* is ``(transaction_id, invoice_id)``; allocation rows of one pair are
summed first; truth rows without an invoice are not pairs):

* precision / recall / F1 over pairs, for the statuses considered (auto + suggested unless told);
* amount accuracy: among the right pairs, the share whose allocated amount equals the truth's;
* auto-match rate: right automatic pairs ÷ all true pairs; auto precision: right automatic pairs
  ÷ automatic pairs; suggestion precision: right suggested pairs ÷ suggested pairs;
* per-kind (and per-tag) recall: share of true pairs found; for truth rows with no invoice
  (``unrelated``, ``duplicate``, an overpayment's excess) "found" means the transaction was not
  allocated beyond what truly pays invoices;
* calibration: pairs bucketed by score, mean score vs observed share right;
* ambiguity refusals: transactions the engine refused as ambiguous, and the share of them whose
  truth carries the ``equal_amounts`` or ``no_remittance`` tag (a refusal with a reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd

__all__ = [
    "ambiguity_refusals",
    "amount_accuracy",
    "calibration",
    "evaluate",
    "pair_scores",
    "recall_by",
    "threshold_curve",
]


def _pairs(alloc: pd.DataFrame, statuses: Iterable[str] | None = None) -> pd.DataFrame:
    a = alloc[alloc["invoice_id"].notna()]
    if statuses is not None and "status" in a.columns:
        a = a[a["status"].isin(list(statuses))]
    if a.empty:
        return pd.DataFrame(columns=["transaction_id", "invoice_id", "amount", "score", "status"])
    agg: dict[str, Any] = {"amount": lambda s: sum((Decimal(str(v)) for v in s), Decimal(0))}
    if "score" in a.columns:
        agg["score"] = "max"
    if "status" in a.columns:
        agg["status"] = "first"
    return a.groupby(["transaction_id", "invoice_id"], as_index=False, sort=False).agg(agg)


def _truth_pairs(truth: pd.DataFrame) -> pd.DataFrame:
    return _pairs(truth.drop(columns=[c for c in ("status", "score") if c in truth.columns]))


def _keys(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(df["transaction_id"], df["invoice_id"], strict=True))


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def pair_scores(
    alloc: pd.DataFrame, truth: pd.DataFrame, statuses: Sequence[str] = ("auto", "suggested")
) -> dict[str, float]:
    """Pair precision, recall, F1 (and tp / fp / fn counts) for allocations of ``statuses``."""
    pred, true = _keys(_pairs(alloc, statuses)), _keys(_truth_pairs(truth))
    tp = len(pred & true)
    p, r = _ratio(tp, len(pred)), _ratio(tp, len(true))
    f1 = 2 * p * r / (p + r) if pred and true and (p + r) > 0 else 0.0
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": len(pred) - tp,
            "fn": len(true) - tp}  # fmt: skip


def amount_accuracy(alloc: pd.DataFrame, truth: pd.DataFrame) -> float:
    """Among right pairs, the share whose allocated amount equals the true amount."""
    m = _pairs(alloc).merge(_truth_pairs(truth), on=["transaction_id", "invoice_id"])
    if m.empty:
        return float("nan")
    return float((m["amount_x"] == m["amount_y"]).mean())


def recall_by(
    alloc: pd.DataFrame,
    truth: pd.DataFrame,
    by: str = "kind",
    statuses: Sequence[str] = ("auto", "suggested"),
) -> pd.DataFrame:
    """Recall per ``kind`` (or per tag with ``by="tags"``): columns ``by, n, recall``."""
    t = truth.copy()
    pred = _keys(_pairs(alloc, statuses))
    a = alloc
    if "status" in a.columns:
        a = a[a["status"].isin(list(statuses))]
    alloc_sum = (
        a[a["invoice_id"].notna()]
        .groupby("transaction_id")["amount"]
        .apply(lambda s: sum((Decimal(str(v)) for v in s), Decimal(0)))
    )
    paying = (
        t[t["invoice_id"].notna()]
        .groupby("transaction_id")["amount"]
        .apply(lambda s: sum((Decimal(str(v)) for v in s), Decimal(0)))
    )
    found = []
    for tid, iid in zip(t["transaction_id"], t["invoice_id"], strict=True):
        if isinstance(iid, str):
            found.append((tid, iid) in pred)
        else:
            found.append(alloc_sum.get(tid, Decimal(0)) <= paying.get(tid, Decimal(0)))
    t["found"] = found
    if by == "tags":
        t = t.assign(tags=t["tags"].fillna("").str.split(",")).explode("tags")
        t = t[t["tags"] != ""]
        t["tags"] = t["tags"].str.split(":").str[0]
    out = t.groupby(by, as_index=False).agg(n=("found", "size"), recall=("found", "mean"))
    return out.sort_values("n", ascending=False, ignore_index=True)


def calibration(alloc: pd.DataFrame, truth: pd.DataFrame, bins: int = 10) -> pd.DataFrame:
    """Reliability table: per score bucket, ``n``, ``mean_score`` and ``observed`` share right."""
    p = _pairs(alloc)
    if p.empty or "score" not in p.columns:
        return pd.DataFrame(columns=["bucket", "n", "mean_score", "observed"])
    true = _keys(_truth_pairs(truth))
    p["right"] = [k in true for k in zip(p["transaction_id"], p["invoice_id"], strict=True)]
    p["score"] = p["score"].astype(float)
    edges = [i / bins for i in range(bins + 1)]
    p["bucket"] = pd.cut(p["score"], edges, include_lowest=True).astype(str)
    out = p.groupby("bucket", as_index=False, observed=True).agg(
        n=("right", "size"), mean_score=("score", "mean"), observed=("right", "mean")
    )
    return out


def threshold_curve(
    alloc: pd.DataFrame, truth: pd.DataFrame, thresholds: Sequence[float]
) -> pd.DataFrame:
    """Precision and recall if every pair scoring at least ``t`` were accepted, per ``t``."""
    p = _pairs(alloc)
    true = _keys(_truth_pairs(truth))
    right = [k in true for k in zip(p["transaction_id"], p["invoice_id"], strict=True)]
    scores = p["score"].astype(float).tolist() if "score" in p.columns else [1.0] * len(p)
    rows = []
    for t in thresholds:
        kept = [r for r, s in zip(right, scores, strict=True) if s >= t]
        tp = sum(kept)
        rows.append({"threshold": t, "precision": _ratio(tp, len(kept)),
                     "recall": _ratio(tp, len(true)), "n": len(kept)})  # fmt: skip
    return pd.DataFrame(rows)


def ambiguity_refusals(ambiguous: pd.DataFrame | None, truth: pd.DataFrame) -> dict[str, float]:
    """Count of refused transactions and the share with a reason (equal amounts, no remittance)."""
    if ambiguous is None or len(ambiguous) == 0 or "transaction_id" not in ambiguous.columns:
        return {"refused": 0, "justified": float("nan")}
    tids = set(ambiguous["transaction_id"])
    t = truth[truth["transaction_id"].isin(tids)]
    reason = t["tags"].fillna("").str.contains("equal_amounts|no_remittance", regex=True)
    justified = t[reason]["transaction_id"].nunique()
    return {"refused": len(tids), "justified": _ratio(justified, len(tids))}


def evaluate(
    alloc: pd.DataFrame, truth: pd.DataFrame, ambiguous: pd.DataFrame | None = None
) -> dict[str, float]:
    """The headline figures of one run, as a flat dict (see the module docstring)."""
    all_ = pair_scores(alloc, truth)
    auto = pair_scores(alloc, truth, ("auto",))
    sugg = pair_scores(alloc, truth, ("suggested",))
    kinds = recall_by(alloc, truth)
    grouped = kinds.loc[kinds["kind"] == "grouped", "recall"]
    refusals = ambiguity_refusals(ambiguous, truth)
    return {
        "precision": all_["precision"],
        "recall": all_["recall"],
        "f1": all_["f1"],
        "auto_rate": auto["recall"],
        "auto_precision": auto["precision"],
        "suggestion_precision": sugg["precision"],
        "amount_accuracy": amount_accuracy(alloc, truth),
        "grouped_recall": float(grouped.iloc[0]) if len(grouped) else float("nan"),
        "refused": refusals["refused"],
        "refused_justified": refusals["justified"],
    }
