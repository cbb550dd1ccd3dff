"""The noise helpers of the worlds: properties that hold for every input."""

from __future__ import annotations

import random
import re

from benchmarks.worlds.noise import messy_iban, transpose_digits, twin_spelling
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

NAMES = st.sampled_from(
    ["Menuiserie Lefèvre SARL", "Whitfield Industrial Supply, Inc.", "Baker & Hughes Co.",
     "Emma Schneider", "Café Lumière GmbH", "IBM", "Thames Valley Engineering Ltd"]
)  # fmt: skip
IBANS = st.sampled_from(
    ["BE38733040385372", "GB29NWBK60161331926819", "DE89370400440532013000",
     "FR1420041010050500013M02606"]
)  # fmt: skip


@given(name=NAMES, seed=st.integers(0, 10**6))
def test_a_twin_spelling_differs_a_little(name: str, seed: int) -> None:
    twin = twin_spelling(random.Random(seed), name)
    assert twin != name
    assert fuzz.ratio(twin.lower(), name.lower()) >= 80


@given(iban=IBANS, seed=st.integers(0, 10**6))
def test_a_messy_iban_has_the_same_characters(iban: str, seed: int) -> None:
    raw = messy_iban(random.Random(seed), iban)
    assert raw != iban
    assert re.sub(r"[\s-]", "", raw).upper() == iban


@given(cents=st.integers(10, 10**9), seed=st.integers(0, 10**6))
def test_transposed_digits_swap_two_neighbours(cents: int, seed: int) -> None:
    keyed = transpose_digits(random.Random(seed), cents)
    a = str(cents)
    if keyed is None:
        # no neighbours differ, save a leading pair whose swap would lead with a zero
        spots = [i for i in range(len(a) - 1) if a[i] != a[i + 1]]
        assert spots in ([], [0])
        assert not spots or a[1] == "0"
        return
    b = str(keyed)
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    assert len(b) == len(a)
    assert len(diff) == 2
    assert diff[1] == diff[0] + 1
    assert sorted(a) == sorted(b)
