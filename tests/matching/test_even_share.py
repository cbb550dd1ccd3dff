"""The ``fraction`` amount level: a payment that is one of 2-4 equal parts of an invoice."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rapprochement.matching.siblings import INSTALMENT_PARTS, even_share


def test_equal_parts_with_rounding_cents() -> None:
    a = np.array([30000, 20612, 20613, 47840, 30000, 30000, 29000])
    o = np.array([90000, 61837, 61837, 143521, 30000, 60005, 90000])
    assert even_share(a, o).tolist() == [True, True, True, True, False, False, False]


@given(
    cents=st.integers(2, 10**9),
    m=st.sampled_from(INSTALMENT_PARTS),
)
def test_every_part_of_an_even_plan_is_a_share(cents: int, m: int) -> None:
    parts = [cents // m] * (m - 1)
    parts.append(cents - sum(parts))  # the last part takes the rounding
    if min(parts) <= 0:
        return
    a = np.array(parts)
    assert even_share(a, np.full(m, cents)).all()
