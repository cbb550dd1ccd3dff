"""Learning from a ledger's decisions: a Bayesian update of the shipped scores (ADR 0018).

The shipped weights (``weights.json``) are fitted on generated books; a ledger's reviewers know
better what *their* book's evidence is worth (payers that are often a parent company, an
accountant paying for many customers, look-alike names that are never the same firm). Each
decision is a labeled allocation: an accepted suggestion is right, a rejected one (or an
allocation a person undid) is wrong, and its feature levels are in its stored explanation.

The model keeps everything shipped and adds one learned term per feature level *after* the
calibration (:attr:`~rapprochement.matching.scoring.Weights.adjustments`)::

    log-odds(right) = logit(calibrated shipped score) + Σ_feature δ[feature][level]

``δ`` is the maximum a posteriori estimate of a logistic regression whose offset is the
shipped calibrated log-odds, under a Gaussian prior ``δ ~ N(0, PRIOR_SD²)`` for every level:
the shipped model is the prior mean, so no decision leaves it unchanged. A decision touches
one level of each of the eleven features, so the prior on a whole evidence pattern has a
standard deviation of about ``PRIOR_SD·√11 ≈ 0.66`` log-odds: ten unanimous decisions move
their pattern by about half a unit of log-odds, a hundred by about two. Newton's method from
zero with a fixed iteration budget: the same decisions give the same adjustments.

Safety: the automatic and suggestion thresholds stay the shipped ones; the learned term may
lower an allocation's log-odds without bound but raise them by at most :data:`MAX_LEARNED_LIFT`
(so only allocations the shipped model already scored about 0.74 or more can become automatic),
and the gates (an amount alone, a keying error, a tie) hold whatever a book teaches.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from rapprochement.matching.features import FEATURE_LEVELS, FEATURES
from rapprochement.matching.scoring import MAX_LEARNED_LIFT, Weights, calibrate, level_sum

__all__ = [
    "MAX_LEARNED_LIFT",
    "PRIOR_SD",
    "adjust",
    "describe",
    "fit_adjustments",
    "learned_weights",
    "levels_of",
    "shipped_logodds",
]

#: Prior standard deviation of each level's learned log-odds (see the module docstring).
PRIOR_SD = 0.5
_ITERS = 100
_P_EPS = 1e-6


def levels_of(explanation: str | None) -> dict[str, str] | None:
    """The feature levels of a stored explanation (the JSON list of contributions), or None
    when it is not a matcher's explanation (a manual allocation's note) or lacks a feature."""
    if not explanation:
        return None
    try:
        rows = json.loads(explanation)
    except ValueError:
        return None
    if not isinstance(rows, list):
        return None
    out: dict[str, str] = {}
    for c in rows:
        if not isinstance(c, dict):
            continue
        f, v = c.get("feature"), c.get("value")
        if f in FEATURE_LEVELS and isinstance(v, str) and v in FEATURE_LEVELS[f]:
            out[f] = v
    return out if len(out) == len(FEATURES) else None


def _design(levels: Sequence[Mapping[str, str]]) -> tuple[np.ndarray[Any, Any], list[Any]]:
    """One-hot of every level of every feature (no baseline: the prior fixes the scale)."""
    cols = [(f, lvl) for f in FEATURES for lvl in FEATURE_LEVELS[f]]
    index = {c: k for k, c in enumerate(cols)}
    x = np.zeros((len(levels), len(cols)), dtype=np.float64)
    for n, row in enumerate(levels):
        for f in FEATURES:
            x[n, index[(f, row[f])]] = 1.0
    return x, cols


def _logit(p: float) -> float:
    q = min(max(p, _P_EPS), 1.0 - _P_EPS)
    return math.log(q / (1.0 - q))


def shipped_logodds(base: Weights, levels: Sequence[Mapping[str, str]]) -> np.ndarray[Any, Any]:
    """Calibrated log-odds of the shipped model (``base``, its own adjustments left out) for
    hypotheses given by their levels."""
    frame = pd.DataFrame(list(levels), columns=list(FEATURES))
    p = calibrate(level_sum(frame, base.weights, base.prior), base)
    p = np.clip(p, _P_EPS, 1.0 - _P_EPS)
    out: np.ndarray[Any, Any] = np.log(p / (1.0 - p))
    return out


def fit_adjustments(
    base: Weights,
    levels: Sequence[Mapping[str, str]],
    right: Sequence[bool],
    *,
    prior_sd: float = PRIOR_SD,
    band: Literal["review", "auto"] = "review",
) -> dict[str, dict[str, float]]:
    """MAP estimate of the learned log-odds per feature level from labeled decisions.

    Args:
        base: the shipped weights (the prior mean: their calibrated score is the offset).
        levels: each decision's feature levels (see :func:`levels_of`).
        right: whether each decision found the allocation right (accepted) or wrong.
        prior_sd: the prior standard deviation of each level's log-odds.
        band: ``review``: fit on the decisions the shipped scores leave for review (the
            others say nothing about them); ``auto``: on those the shipped scores make
            automatic (automatic allocations a person undid, wrong, and those kept, right),
            for :attr:`~.scoring.Weights.auto_adjustments`.

    Returns:
        ``feature → level → δ`` for the levels that moved (rounded to 4 decimals).
    """
    if len(levels) != len(right):
        raise ValueError("one verdict per decision")
    if not levels or prior_sd <= 0:
        return {}
    offset = shipped_logodds(base, levels)
    # only what the shipped model leaves for review is re-scored (see adjust): the rest
    # says nothing about the adjustments; the automatic band is fitted apart
    below = offset < _logit(base.auto_threshold)
    fitted = below if band == "review" else ~below
    if not fitted.any():
        return {}
    x, cols = _design([lv for lv, b in zip(levels, fitted.tolist(), strict=True) if b])
    y = np.asarray(right, dtype=np.float64)[fitted]
    offset = offset[fitted]
    precision = 1.0 / prior_sd**2
    beta = np.zeros(x.shape[1])

    def loss(b: np.ndarray[Any, Any]) -> float:
        z = offset + x @ b
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * precision * (b @ b))

    for _ in range(_ITERS):
        z = np.clip(offset + x @ beta, -30.0, 30.0)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = x.T @ (p - y) + precision * beta
        hess = (x * (p * (1.0 - p))[:, None]).T @ x + precision * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        # damped: a full Newton step from scores near 0 or 1 (the automatic band) overshoots
        now, t = loss(beta), 1.0
        while t > 1e-6 and loss(beta - t * step) > now:
            t /= 2
        beta -= t * step
        if float(np.max(np.abs(t * step))) < 1e-9:
            break
    out: dict[str, dict[str, float]] = {}
    for (f, lvl), b in zip(cols, beta.tolist(), strict=True):
        v = round(b, 4)
        if v != 0.0:
            out.setdefault(f, {})[lvl] = v
    return out


def learned_weights(
    base: Weights,
    adjustments: dict[str, dict[str, float]],
    provenance: Mapping[str, Any],
    auto_adjustments: dict[str, dict[str, float]] | None = None,
) -> Weights:
    """``base`` with the learned ``adjustments`` (and ``auto_adjustments``) and their
    provenance (in ``trained_on``)."""
    trained = {**base.trained_on, "learned": dict(provenance)}
    doc = {**base.model_dump(), "adjustments": adjustments, "trained_on": trained}
    return Weights.model_validate({**doc, "auto_adjustments": auto_adjustments or {}})


def adjust(
    df: pd.DataFrame, logit: np.ndarray[Any, Any], p: np.ndarray[Any, Any], w: Weights
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Apply ``w``'s learned adjustments to scored hypotheses: a calibrated probability ``p``
    below the automatic threshold moves by the levels' learned log-odds (a lift capped at
    :data:`MAX_LEARNED_LIFT`), and the raw ``logit`` the assignment ranks by moves by the same
    amount; what the shipped scores make automatic moves only down, by ``auto_adjustments``
    (learned from automatic allocations a person undid)."""
    if not (w.adjustments or w.auto_adjustments) or not len(df):
        return logit, p
    q = np.clip(np.asarray(p, dtype=np.float64), _P_EPS, 1.0 - _P_EPS)
    shift = np.where(
        q < w.auto_threshold,
        np.minimum(level_sum(df, w.adjustments), MAX_LEARNED_LIFT),
        np.minimum(level_sum(df, w.auto_adjustments), 0.0),  # automatic: only ever down
    )
    out = np.array(p, dtype=np.float64)  # rows with no shift keep their score bit for bit
    moved = shift != 0.0
    z = np.log(q[moved] / (1.0 - q[moved])) + shift[moved]
    out[moved] = np.clip(1.0 / (1.0 + np.exp(-z)), _P_EPS, 1.0 - _P_EPS)
    return logit + shift, out


def describe(adjustments: Mapping[str, Mapping[str, float]], top: int = 8) -> list[str]:
    """The largest learned adjustments as ``feature=level +0.42`` lines, largest first."""
    items = [(f, lvl, v) for f, levels in adjustments.items() for lvl, v in levels.items()]
    items.sort(key=lambda r: (-abs(r[2]), r[0], r[1]))
    return [f"{f}={lvl} {v:+.2f}" for f, lvl, v in items[:top] if not math.isclose(v, 0.0)]
