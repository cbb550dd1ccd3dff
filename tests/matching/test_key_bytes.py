"""The key index built from the keys as bytes, a slice at a time (:mod:`.key_bytes`), is the
index built from every key as a Python string; printed references compacted at once give the
keys of one at a time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from rapprochement.matching import key_bytes, refindex
from rapprochement.matching.free_keys import checksummed, free_key, reference_keys
from rapprochement.matching.refindex import KeyIndex

_REFS = [
    "RF18 5390 0754 7034",
    "rf18539007547034",
    "RF19539007547034",
    "+++090/9337/55493+++",
    "210000000003139471430009017",
    "12345674",
    "pay_7Hq2Lx9",
    "dossier-lemoine-B",
    "Straße 12-34/2026",
    "ﬁle-00123",
    "Ünïcödé-778899",
    "a\x00b-123456",
    "FA-2026-000123",
    "   ",
    "x",
]
_IDS = [
    "FA-2026-000123",
    "F2026/023464",
    "20260020004",
    "Rechnung-ä-4711",
    "ＦＡ-２０２６-１２",
    "AB",
]


def _one_at_a_time(refs: list[str]) -> tuple[list[int], list[str], list[int]]:
    rows: list[int] = []
    keys: list[str] = []
    lvls: list[int] = []
    for i, ref in enumerate(refs):
        for key, lvl in ((checksummed(ref), 0), (free_key(ref), 2)):
            if key:
                rows.append(i)
                keys.append(key)
                lvls.append(lvl)
    return rows, keys, lvls


@pytest.mark.parametrize("nul", [False, True])
def test_reference_keys_as_one_at_a_time(nul: bool) -> None:
    refs = [r for r in _REFS if nul or "\x00" not in r]
    assert reference_keys(refs) == _one_at_a_time(refs)


def _state(index: KeyIndex) -> list[Any]:
    by_len = sorted((k, v[0].tobytes(), v[1]) for k, v in index.by_len.items())
    arrays = [
        a.tobytes() + str(a.dtype).encode() for a in (index.n, index.start, index.inv, index.lvl)
    ]
    return [by_len, arrays, index.has_free]


@pytest.mark.parametrize("seed", range(3))
def test_key_index_from_bytes_is_the_same(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    ids = [f"{_IDS[k % len(_IDS)]}-{rng.integers(0, 60)}" for k in range(n)]
    refs = [_REFS[rng.integers(0, len(_REFS))] if rng.random() < 0.6 else "" for _ in range(n)]
    refs = [r.replace("\x00", "") for r in refs]
    inv = pd.DataFrame({"invoice_id": ids, "reference": refs})
    monkeypatch.setattr(key_bytes, "_SLICE", 37)  # many slices, keys of a row across them
    fast = KeyIndex(inv)
    monkeypatch.setattr(refindex, "invoice_key_bytes", lambda *_: None)
    assert _state(fast) == _state(KeyIndex(inv))
