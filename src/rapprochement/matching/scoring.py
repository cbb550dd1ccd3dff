"""Fellegi–Sunter scoring: each feature level adds a learned log-likelihood ratio.

``logit = prior + Σ_feature weight[feature][level]``; the weights are logistic-regression
coefficients over one-hot feature levels (the first level of each feature, see
:data:`~rapprochement.matching.features.FEATURE_LEVELS`, is the baseline and weighs 0) fitted by
``benchmarks/train.py`` on labeled data and shipped as ``weights.json`` beside this module.

``score`` is the calibrated probability that an allocation is right: the regression's
``1 / (1 + e^-logit)`` is fitted on every hypothesis, most of which the assignment discards, so
it misjudges the ones that survive (a low-scoring allocation left alone by its rivals is right
far more often than its raw probability says). ``weights.json`` therefore also ships a
monotone calibration map (isotonic regression of "the allocation is right" on the raw log-odds
of the engine's final allocations on the training books), applied as a piecewise-linear
interpolation (beyond the end knots the log-odds keep a slope of one); its effect is the
``calibration`` term of an explanation. The engine corrects the weights for the book at hand
(:mod:`rapprochement.matching.chance`: how often random pairs of this book agree by chance,
against the training books' ``chance`` rates); those are the ``chance`` terms.

A ledger may add ``adjustments`` learned from its reviewers' decisions
(:mod:`rapprochement.matching.learning`): log-odds per feature level added *after* the
calibration, shown as the ``learned`` term of an explanation. The shipped file has none.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rapprochement.errors import ConfigError
from rapprochement.matching.chance import shift_frame, shift_terms
from rapprochement.matching.features import FEATURE_LEVELS, FEATURES

__all__ = [
    "MAX_LEARNED_LIFT",
    "Contribution",
    "Weights",
    "calibrate",
    "contributions",
    "level_sum",
    "load_weights",
    "score_frame",
    "shared_iban",
]

_P_MIN = 1e-6  # calibrated probabilities stay inside (0, 1): their log-odds stay finite
#: The most a ledger's learned adjustments may raise a hypothesis's log-odds (ADR 0018).
MAX_LEARNED_LIFT = 2.0


class Contribution(BaseModel):
    """One term of an explanation: the feature, its level, and the log-odds it adds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feature: str = Field(description="Feature name, or 'prior' for the base rate.")
    value: str = Field(description="The level observed (e.g. 'exact', 'known').")
    weight: float = Field(description="Log-likelihood ratio added to the log-odds.")


class Weights(BaseModel):
    """Learned weights and thresholds (the content of ``weights.json``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(description="Format version of this file.")
    prior: float = Field(description="Intercept: log-odds with every feature at its baseline.")
    weights: dict[str, dict[str, float]] = Field(description="feature → level → log-LR.")
    auto_threshold: float = Field(ge=0, le=1, description="Learned auto-match threshold.")
    suggest_threshold: float = Field(ge=0, le=1, description="Learned suggestion threshold.")
    trained_on: dict[str, Any] = Field(default_factory=dict, description="Provenance.")
    calibration: list[tuple[float, float]] = Field(
        default_factory=list,
        description="Knots (raw log-odds, calibrated probability), increasing; empty: none.",
    )
    adjustments: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="feature → level → log-odds added after the calibration, learned from a "
        "ledger's decisions (matching/learning.py); empty in the shipped file.",
    )
    auto_adjustments: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="feature → level → log-odds learned from the automatic allocations a "
        "ledger's users undid (and those they kept); applied, downward only, to what the "
        "shipped scores make automatic (matching/learning.py); empty in the shipped file.",
    )
    chance: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Chance agreement of the training books (share of random pairs at each "
        "level, see rapprochement.matching.chance); empty: no per-book correction.",
    )
    book: dict[str, dict[str, tuple[float, float]]] = Field(
        default_factory=dict,
        description="Per-book correction (key → level → (log-odds added, the book's rate)), "
        "set by the engine for the book being reconciled; empty in a weights file.",
    )

    @field_validator("calibration")
    @classmethod
    def _monotone(cls, knots: list[tuple[float, float]]) -> list[tuple[float, float]]:
        xs = [x for x, _ in knots]
        ps = [p for _, p in knots]
        if any(not math.isfinite(x) for x in xs) or any(not 0.0 <= p <= 1.0 for p in ps):
            raise ValueError("calibration knots must be finite log-odds and probabilities")
        if any(b <= a for a, b in itertools.pairwise(xs)) or any(
            b < a for a, b in itertools.pairwise(ps)
        ):
            raise ValueError("calibration knots must increase")
        return knots

    @field_validator("weights", "adjustments", "auto_adjustments")
    @classmethod
    def _known(cls, w: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for f, levels in w.items():
            if f not in FEATURE_LEVELS:
                raise ValueError(f"unknown feature {f!r}")
            for lvl, v in levels.items():
                if lvl not in FEATURE_LEVELS[f]:
                    raise ValueError(f"unknown level {lvl!r} of feature {f!r}")
                if not math.isfinite(v):
                    raise ValueError(f"weight of {f}={lvl} is not finite")
        return w


@lru_cache(maxsize=4)
def load_weights(path: str | None = None) -> Weights:
    """The shipped weights (or those at ``path``), validated.

    Raises:
        ConfigError: the file is missing or invalid.
    """
    try:
        if path is None:
            text = resources.files("rapprochement.matching").joinpath("weights.json").read_text()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        return Weights.model_validate(json.loads(text))
    except (OSError, ValueError, ValidationError) as exc:
        raise ConfigError(
            f"matching weights are missing or invalid: {exc}",
            file=path or "rapprochement/matching/weights.json",
            hint="run `python -m benchmarks.train` to regenerate them",
        ) from exc


def score_frame(df: pd.DataFrame, w: Weights) -> np.ndarray[Any, Any]:
    """Log-odds of each row of a frame holding one column per feature (level names), with
    the per-book chance correction when ``w`` carries one."""
    logit = level_sum(df, w.weights, w.prior)
    if w.book:
        logit += shift_frame(df, w.book)
    if "iban_customers" in df.columns:
        logit -= shared_iban(df["iban_customers"].fillna(0).to_numpy(dtype=np.float64))
    return logit


def shared_iban(k: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Log-odds taken off the known-IBAN evidence of a payer IBAN known for ``k`` customers
    (a factor, a parent company, a payment agent paying for several): it names one of them,
    each ``1 / k`` as likely as a customer's own account would make it, so ``log k`` (0 for
    ``k <= 1``)."""
    out: np.ndarray[Any, Any] = np.log(np.maximum(k, 1.0))
    return out


def level_sum(
    df: pd.DataFrame, tables: dict[str, dict[str, float]], start: float = 0.0
) -> np.ndarray[Any, Any]:
    """``start`` plus, per row, the sum over features of ``tables[feature][level]`` (a level
    the table lacks adds 0)."""
    logit = np.full(len(df), start, dtype=np.float64)
    for f in FEATURES:
        table = tables.get(f, {})
        if table and f in df.columns:
            col = df[f]
            if isinstance(col.dtype, pd.CategoricalDtype):
                # compact level column: one weight per category, looked up by code
                cats = col.cat.categories
                per = np.array([table.get(str(c), 0.0) for c in cats] + [0.0], dtype=np.float64)
                logit += per[col.cat.codes.to_numpy()]  # code -1 (missing) → the trailing 0.0
            else:
                logit += col.map(table).fillna(0.0).to_numpy(dtype=np.float64)
    return logit


def calibrate(logit: np.ndarray[Any, Any], w: Weights) -> np.ndarray[Any, Any]:
    """Calibrated probabilities of raw log-odds (the logistic function when ``w`` has no
    calibration map)."""
    logit = np.asarray(logit, dtype=np.float64)
    if not w.calibration:
        plain: np.ndarray[Any, Any] = 1.0 / (1.0 + np.exp(-logit))
        return plain
    xs = np.array([x for x, _ in w.calibration])
    ps = np.clip(np.array([p for _, p in w.calibration]), _P_MIN, 1.0 - _P_MIN)
    out = np.interp(logit, xs, ps)
    # beyond the knots the log-odds keep their slope (1) from the end knot
    ends = np.log(ps[[0, -1]] / (1.0 - ps[[0, -1]]))
    lo, hi = logit < xs[0], logit > xs[-1]
    out[lo] = 1.0 / (1.0 + np.exp(-(ends[0] + logit[lo] - xs[0])))
    out[hi] = 1.0 / (1.0 + np.exp(-(ends[1] + logit[hi] - xs[-1])))
    clipped: np.ndarray[Any, Any] = np.clip(out, _P_MIN, 1.0 - _P_MIN)
    return clipped


def _count(value: Any) -> int:
    """A count column's value of a row (0 when missing or NaN)."""
    try:
        return int(value) if value is not None and value == value else 0
    except (TypeError, ValueError):
        return 0


def contributions(row: dict[str, Any], w: Weights) -> list[Contribution]:
    """The explanation of one hypothesis: prior, one contribution per feature, then (when
    the weights carry a calibration map) the calibration's shift of the log-odds, then (when
    they carry a ledger's learned adjustments and the calibrated score is below the automatic
    threshold) the learned term, so that the terms add up to the log-odds of the score."""
    out = [Contribution(feature="prior", value="base rate", weight=w.prior)]
    for f in FEATURES:
        lvl = str(row.get(f, ""))
        out.append(Contribution(feature=f, value=lvl, weight=w.weights.get(f, {}).get(lvl, 0.0)))
    k = _count(row.get("iban_customers"))
    if k > 1:
        out.append(
            Contribution(
                feature="iban_customers",
                value=f"the payer's IBAN is known for {k} customers",
                weight=-float(shared_iban(np.array([float(k)]))[0]),
            )
        )
    for value, shift in shift_terms(row, w.book, w.chance):
        out.append(Contribution(feature="chance", value=value, weight=shift))
    raw = sum(c.weight for c in out)
    p = float(calibrate(np.array([raw]), w)[0])
    if w.calibration:
        shift = math.log(p / (1.0 - p)) - raw
        out.append(Contribution(feature="calibration", value="isotonic", weight=shift))
    if w.adjustments and p < w.auto_threshold:
        learned = min(
            math.fsum(w.adjustments.get(f, {}).get(str(row.get(f, "")), 0.0) for f in FEATURES),
            MAX_LEARNED_LIFT,
        )
        out.append(Contribution(feature="learned", value="this ledger's decisions", weight=learned))
    elif w.auto_adjustments and p >= w.auto_threshold:
        down = min(
            math.fsum(
                w.auto_adjustments.get(f, {}).get(str(row.get(f, "")), 0.0) for f in FEATURES
            ),
            0.0,
        )
        if down < 0.0:
            why = "this ledger's undone allocations"
            out.append(Contribution(feature="learned", value=why, weight=down))
    return out
