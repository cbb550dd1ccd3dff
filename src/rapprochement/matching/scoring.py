"""Fellegi–Sunter scoring: each feature level adds a learned log-likelihood ratio.

``logit = prior + Σ_feature weight[feature][level]`` and ``score = 1 / (1 + e^-logit)``, the
calibrated probability that the hypothesis is right. The weights are logistic-regression
coefficients over one-hot feature levels (the first level of each feature, see
:data:`~rapprochement.matching.features.FEATURE_LEVELS`, is the baseline and weighs 0) fitted by
``benchmarks/train.py`` on labeled data and shipped as ``weights.json`` beside this module.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rapprochement.errors import ConfigError
from rapprochement.matching.features import FEATURE_LEVELS, FEATURES

__all__ = ["Contribution", "Weights", "contributions", "load_weights", "score_frame"]


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

    @field_validator("weights")
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
    """Log-odds of each row of a frame holding one column per feature (level names)."""
    logit = np.full(len(df), w.prior, dtype=np.float64)
    for f in FEATURES:
        table = w.weights.get(f, {})
        if table and f in df.columns:
            logit += df[f].map(table).fillna(0.0).to_numpy(dtype=np.float64)
    return logit


def contributions(row: dict[str, Any], w: Weights) -> list[Contribution]:
    """The explanation of one hypothesis: prior then one contribution per feature."""
    out = [Contribution(feature="prior", value="base rate", weight=w.prior)]
    for f in FEATURES:
        lvl = str(row.get(f, ""))
        out.append(Contribution(feature=f, value=lvl, weight=w.weights.get(f, {}).get(lvl, 0.0)))
    return out
