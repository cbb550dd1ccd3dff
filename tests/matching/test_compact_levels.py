"""Compact feature columns: level codes read back as the same level names, and the memory-lean
look-ups give what the dict-per-pair versions gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.features import (
    FEATURE_LEVELS,
    amount_codes,
    amount_level,
    date_codes,
    date_level,
    level_names,
    levels,
    name_codes,
    name_level,
)
from rapprochement.matching.scoring import load_weights, score_frame


@pytest.mark.parametrize("feature", list(FEATURE_LEVELS))
def test_codes_round_trip_to_levels(feature: str) -> None:
    names = FEATURE_LEVELS[feature]
    codes = np.arange(len(names), dtype=np.int8)[::-1].repeat(3)
    col = pd.Series(levels(feature, codes))
    assert col.tolist() == [names[c] for c in codes]
    assert list(col.cat.categories) == list(names)
    assert col.to_numpy(dtype=object).tolist() == level_names(feature, codes).tolist()
    assert pd.DataFrame({feature: col}).to_dict("records")[0][feature] == names[codes[0]]
    assert (col == names[0]).sum() == 3
    assert col.cat.codes.dtype == np.int8  # a byte per row


def test_code_functions_match_level_functions() -> None:
    rng = np.random.default_rng(7)
    o = rng.integers(1, 1_000_000, 5000)
    a = np.concatenate([o[:1000], o[1000:2000] - 1500, o[2000:3000] * 98 // 100,
                        rng.integers(1, 2_000_000, 2000)])  # fmt: skip
    cfg = MatchConfig()
    lv = amount_level(a, o, cfg, "EUR")
    assert lv.tolist() == [FEATURE_LEVELS["amount"][c] for c in amount_codes(a, o, cfg, "EUR")]
    assert set(lv) >= {"exact", "fee", "discount", "partial", "over"}
    day = rng.integers(-1, 400, 5000)
    issue, due = rng.integers(0, 300, 5000), rng.integers(-1, 400, 5000)
    dl = date_level(day, issue, due)
    assert dl.tolist() == [FEATURE_LEVELS["date"][c] for c in date_codes(day, issue, due)]
    sim = rng.uniform(0, 100, 5000)
    assert name_level(sim).tolist() == [FEATURE_LEVELS["name"][c] for c in name_codes(sim)]


def test_score_of_compact_columns_equals_score_of_names() -> None:
    w = load_weights()
    rng = np.random.default_rng(3)
    codes = {f: rng.integers(0, len(lv), 400).astype(np.int8) for f, lv in FEATURE_LEVELS.items()}
    compact = pd.DataFrame({f: levels(f, c) for f, c in codes.items()})
    named = pd.DataFrame({f: level_names(f, c) for f, c in codes.items()})
    assert np.array_equal(score_frame(compact, w), score_frame(named, w))
    # a missing level scores 0 in both forms
    compact.loc[0, "amount"] = np.nan
    named.loc[0, "amount"] = np.nan
    assert np.array_equal(score_frame(compact, w), score_frame(named, w))
