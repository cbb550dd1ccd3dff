"""Decimal amounts read from their text at once (:func:`.input_values._plain_minors`) are
the minor units, or the refusal, of reading them one at a time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from rapprochement.errors import AmountError
from rapprochement.matching import input_values

_ODD = ["-0", "0.00", "0", "1.500", "0.001", "1E+2", "1E-7", "0E-8", "NaN", "-Infinity", "7"]
_EDGE = ["999999999999999", "-999999999999999", "9999999999999.99", "-9999999999999.99",
         "10000000000000.00", "999999999999999.9", "1000000000000000",
         "123456789012345678"]  # fmt: skip


def _read(values: list[Decimal], exp: int) -> tuple[Any, str | None]:
    df = pd.DataFrame({"a": pd.Series(values, dtype=object)})
    ids = np.array([f"T{i}" for i in range(len(values))], dtype=object)
    exps = np.full(len(values), exp, dtype=np.int64)
    try:
        return input_values.amounts(df, "a", exps, "x", ids), None
    except AmountError as e:
        return None, str(e)


@pytest.mark.parametrize("seed", range(60))
def test_plain_amounts_as_one_at_a_time(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    exp = [0, 2, 3, 2][seed % 4]
    special = [Decimal(v) for v in _ODD + _EDGE]
    odd = 0.03 * (seed % 3)
    values = [
        special[int(rng.integers(len(special)))]
        if rng.random() < odd
        else Decimal(int(rng.integers(-(10**12), 10**12))).scaleb(-int(rng.integers(0, exp + 1)))
        for _ in range(300)
    ]
    monkeypatch.setattr(input_values, "_PLAIN_SLICE", 64)
    got, error = _read(values, exp)
    plain = input_values._plain_minors
    monkeypatch.setattr(input_values, "_plain_minors", lambda *_: None)
    want, want_error = _read(values, exp)
    assert error == want_error
    if want is not None:
        assert got.dtype == want.dtype == np.int64
        assert got.tolist() == want.tolist()
        assert [type(x) for x in got.tolist()] == [int] * len(values)
    if not odd:
        assert plain(values, np.full(len(values), exp)) is not None
