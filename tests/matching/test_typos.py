"""A reference to another customer's invoice that does not fit is read as a typo."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast
from unittest.mock import patch

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.matching import advice_typos
from rapprochement.matching.advice_typos import AmountIndex
from rapprochement.matching.edits import typo_rows
from rapprochement.matching.group_context import GroupIndex
from rapprochement.matching.typos import deletions, drop_typo_readings, key_of, one_edit


def test_one_edit() -> None:
    assert one_edit("F0106", "F0107")  # a character changed
    assert one_edit("F0106", "F01060")  # one added
    assert one_edit("F01060", "F0160")  # one dropped
    assert one_edit("F0106", "F0160")  # two neighbours swapped
    assert not one_edit("F0106", "F0106")
    assert not one_edit("F0106", "F0170")  # two changes
    assert not one_edit("106", "107")  # too short to say


def _singles(**over: list[str]) -> pd.DataFrame:
    base = {
        "tx": [0, 0],
        "inv": [0, 1],
        "customer_id": ["C1", "C2"],
        "reference": ["exact", "none"],
        "amount": ["partial", "exact"],
        "iban": ["unknown", "unknown"],
        "name": ["low", "low"],
    }
    base.update(over)
    return pd.DataFrame(base)


INV = pd.DataFrame({"invoice_id": ["F-0106", "F-0107"], "reference": ["F-0106", ""]})


def test_the_named_invoice_that_does_not_fit_is_dropped_for_the_one_that_does() -> None:
    out = drop_typo_readings(_singles(), INV)
    assert list(out["inv"]) == [1]


def test_the_named_invoice_stays_when_the_payer_is_its_customer_or_the_numbers_differ() -> None:
    assert len(drop_typo_readings(_singles(iban=["known", "unknown"]), INV)) == 2
    assert len(drop_typo_readings(_singles(customer_id=["C1", "C1"]), INV)) == 2
    far = pd.DataFrame({"invoice_id": ["F-0106", "F-0291"], "reference": ["", ""]})
    assert len(drop_typo_readings(_singles(), far)) == 2
    assert len(drop_typo_readings(_singles(reference=["checksum", "none"]), INV)) == 2


# ---- the amount index of mistyped advice lines: dict probes give what a scan gives -------

_CHARS = "AB01"  # a small alphabet: many keys one edit apart
_KEY = st.text(alphabet=_CHARS, min_size=2, max_size=7)


@given(st.lists(_KEY, max_size=6), _KEY)
def test_keys_one_edit_apart_share_a_deletion_form(keys: list[str], key: str) -> None:
    for other in keys:
        if one_edit(key, other):
            assert deletions(key) & deletions(other)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-3, 3), _KEY, _KEY | st.just("")), max_size=40),
    st.sets(_KEY, max_size=3),
    st.integers(0, 3),
    st.sampled_from([0, 1000]),
)
def test_amount_index_finds_what_a_scan_finds(
    items: list[tuple[int, str, str]], quoted: set[str], amount: int, scan: int
) -> None:
    opens = np.array([a for a, _, _ in items], dtype=np.int64)
    ids = np.array([i for _, i, _ in items], dtype=object)
    refs = np.array([r for _, _, r in items], dtype=object)
    by_amount = GroupIndex.by_amount.func(cast(Any, SimpleNamespace(open=opens)))
    index = SimpleNamespace(numbers=(ids, refs), by_amount=by_amount)
    amounts = AmountIndex(cast(Any, SimpleNamespace(open=opens, index=index)))
    expected = [
        k
        for k in range(len(items))
        if abs(int(opens[k])) == amount
        and any(one_edit(q, key_of(x)) for q in quoted for x in (ids[k], refs[k]))
    ]
    with patch.object(advice_typos, "_SCAN", scan):  # the shapes checked first, or not
        assert amounts.near(amount, quoted) == expected
        assert amounts.near(amount, quoted) == expected  # (the second time from its keys)


def _one_edit_by_definition(a: str, b: str) -> bool:
    """One edit apart by listing every string one edit from ``a`` (the slow definition)."""
    if min(len(a), len(b)) < 4 or a == b:
        return False
    chars = set(a) | set(b)
    near = {a[:k] + a[k + 1 :] for k in range(len(a))}
    near |= {a[:k] + c + a[k + 1 :] for k in range(len(a)) for c in chars}
    near |= {a[:k] + c + a[k:] for k in range(len(a) + 1) for c in chars}
    near |= {a[:k] + a[k + 1] + a[k] + a[k + 2 :] for k in range(len(a) - 1)}
    return b in near


@settings(max_examples=500)
@given(_KEY, _KEY)
def test_one_edit_is_the_definition(a: str, b: str) -> None:
    assert one_edit(a, b) == _one_edit_by_definition(a, b)
    assert one_edit(a, b) == one_edit(b, a)


@settings(max_examples=500)
@given(_KEY, st.integers(0, 7), st.sampled_from(_CHARS), st.integers(0, 3))
def test_one_edit_of_a_mutated_key(a: str, at: int, ch: str, kind: int) -> None:
    k = at % len(a)
    b = [
        a[:k] + ch + a[k + 1 :],  # changed
        a[:k] + ch + a[k:],  # added
        a[:k] + a[k + 1 :],  # dropped
        a[:k] + a[k + 1 : k + 2] + a[k] + a[k + 2 :],  # swapped with the next
    ][kind]
    assert one_edit(a, b) == _one_edit_by_definition(a, b)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.sets(_KEY, max_size=2)), max_size=12),
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), max_size=15),
    st.lists(st.sets(_KEY, max_size=2), min_size=6, max_size=6),
    st.integers(0, 2**32 - 1),
)
def test_typo_rows_are_the_pairwise_comparison(
    suspects: list[tuple[int, set[str]]],
    fitting: list[tuple[int, int]],
    items: list[set[str]],
    seed: int,
) -> None:
    # the suspects' and fitting readings' payments, the pairs that may be compared at random
    fitting = sorted(fitting)
    group = np.array([g for g, _ in suspects], dtype=np.int64)
    fit_group = np.array([g for g, _ in fitting], dtype=np.int64)
    fit_item = np.array([i for _, i in fitting], dtype=np.int64)
    allowed = np.random.default_rng(seed).random((len(suspects), len(fitting))) < 0.7

    def apart(s: Any, f: Any) -> Any:
        return allowed[s, f]

    want = [
        any(
            fg == g and allowed[k, f] and any(one_edit(a, b) for a in mine for b in items[fi])
            for f, (fg, fi) in enumerate(fitting)
        )
        for k, (g, mine) in enumerate(suspects)
    ]
    got = typo_rows([m for _, m in suspects], group, items, fit_item, fit_group, apart)
    assert got.tolist() == want


def test_typo_rows_compare_long_keys_too() -> None:
    long_ = "7" * 150
    got = typo_rows(
        [{long_}, {"F0106"}],
        np.array([0, 1]),
        [{long_ + "1"}, {"F0170"}],
        np.array([0, 1]),
        np.array([0, 1]),
        lambda s, f: np.ones(len(s), dtype=bool),
    )
    assert got.tolist() == [True, False]  # a digit added; two changes
