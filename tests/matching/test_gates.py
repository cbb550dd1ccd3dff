"""The gates' predicates, case by case."""

from __future__ import annotations

import pytest

from rapprochement.matching.gates import identified, transposed


@pytest.mark.parametrize(
    ("paid", "due", "expected"),
    [
        (481730, 418730, True),  # 4 817.30 for 4 187.30
        (418730, 481730, True),  # the other way round
        (418703, 418730, True),  # the cents swapped
        (418730, 418730, False),  # equal: no error
        (481370, 418730, False),  # two swaps
        (471830, 418730, False),  # digits two places apart
        (41873, 418730, False),  # a digit lost, not swapped
        (418830, 418730, False),  # one digit wrong
    ],
)
def test_transposed_reads_one_adjacent_swap(paid: int, due: int, expected: bool) -> None:
    assert transposed(paid, due) is expected


@pytest.mark.parametrize(
    ("hyp", "expected"),
    [
        ({"reference": "none", "iban": "unknown", "name": "low"}, False),
        ({"reference": "tail", "iban": "unknown", "name": "low"}, True),
        ({"reference": "remittance", "iban": "unknown", "name": "low"}, True),
        ({"reference": "none", "iban": "known", "name": "low"}, True),
        ({"reference": "none", "iban": "other", "name": "high"}, True),
        ({"reference": "none", "iban": "other", "name": "medium"}, False),
    ],
)
def test_identified_needs_more_than_the_amount(hyp: dict[str, str], expected: bool) -> None:
    assert identified(hyp) is expected
