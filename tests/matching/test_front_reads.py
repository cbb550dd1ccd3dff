"""The serial front read faster, the same: amounts as read one at a time, the key index built
in a forked child."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from benchmarks.generator import generate

from rapprochement.errors import AmountError
from rapprochement.matching import input_values
from rapprochement.matching.executor import InProcess, ProcessPool
from rapprochement.matching.frames import prepare_invoices
from rapprochement.matching.index_fork import key_index_beside
from rapprochement.matching.refindex import KeyIndex, key_index

_ODD = ["NaN", "-Infinity", "sNaN", "1E+2", "-1.5E-3", "0E-8", "-0", "0.000", "1E+20", "12.345"]
_EDGE = ["99999999999999.99", "999999999999999", "9999999999999.99", "-9999999999999.99"]
_MORE = ["10000000000000.00", "1.000", "0.001", "1234567890123456789.12", "257.58", "-0.05"]


def _amounts(values: list[Decimal], exps: list[int]) -> tuple[Any, str | None]:
    df = pd.DataFrame({"a": pd.Series(values, dtype=object)})
    ids = np.array([f"T{i}" for i in range(len(values))], dtype=object)
    try:
        return input_values.amounts(df, "a", np.array(exps, dtype=np.int64), "x", ids), None
    except AmountError as e:
        return None, str(e)


@pytest.mark.parametrize("seed", range(40))
def test_decimal_amounts_read_as_one_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    special = [Decimal(v) for v in _ODD + _EDGE + _MORE]
    values = [
        special[int(rng.integers(len(special)))]
        if rng.random() < 0.02 * (seed % 3)
        else Decimal(int(rng.integers(-(10**12), 10**12))).scaleb(-int(rng.integers(0, 5)))
        for _ in range(200)
    ]
    exps = [int(e) for e in rng.choice([0, 2, 2, 3, 4], size=len(values))]
    want = [input_values._minor(v, e) for v, e in zip(values, exps, strict=True)]
    got, error = _amounts(values, exps)
    if any(isinstance(m, str) for m in want):  # the error of the first unusable value
        assert error is not None
        assert got is None
        first = next(m for m in want if isinstance(m, str))
        assert input_values._REASONS[str(first)][0] in error
    else:
        assert error is None
        assert got.dtype == np.int64
        assert got.tolist() == want


def _same(a: KeyIndex, b: KeyIndex) -> None:
    assert sorted(vars(a)) == sorted(vars(b))
    assert list(a.by_len) == list(b.by_len)
    for length, (arr, first) in a.by_len.items():
        assert np.array_equal(arr, b.by_len[length][0])
        assert first == b.by_len[length][1]
    for name in ("n", "start", "inv", "lvl"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype
        assert np.array_equal(x, y)
    assert a.has_free == b.has_free
    assert all(x.equals(y) for x, y in zip(a.numbers, b.numbers, strict=True))


def test_key_index_built_beside_is_the_same() -> None:
    ds = generate(200, 1000, "hard")
    inv = prepare_invoices(ds.invoices)
    want = key_index(inv)
    _same(key_index_beside(inv, InProcess())(), want)
    if "fork" in multiprocessing.get_all_start_methods():
        fork = multiprocessing.get_context("fork")
        _same(key_index_beside(inv, ProcessPool(2, mp_context=fork))(), want)
