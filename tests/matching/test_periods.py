"""Settlement periods of a collector's payouts (:mod:`rapprochement.matching.periods`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from benchmarks.worlds import marketplace

import rapprochement
from rapprochement.matching.periods import alone, delays, previous, read_period


def _fee(g: int) -> int:
    return (g * 150 + 5000) // 10000 + 25


def test_delays_agree_with_every_report() -> None:
    # payout day, previous payout day, first and last item day
    assert delays([(10, None, 7, 8), (11, 10, 9, 9)]) == (2, 2)
    assert delays([(10, None, 7, 8)]) == (0, 2)
    assert delays([(10, 9, 3, 8)]) is None  # items older than the previous payout's period
    assert delays([]) is None


def test_previous_payout_and_payouts_sharing_a_day() -> None:
    assert previous([3, 5, 5, 9], 5) == 3
    assert previous([3, 5], 3) is None
    assert alone([3, 5, 9], 5)
    assert not alone([3, 5, 5, 9], 5)


def test_two_delays_reading_two_periods_that_fit_are_not_guessed() -> None:
    # day 9 nets to zero (a charge and a refund of its net): delay 1 and delay 2 read two
    # different sets of the same sum
    opens = [10000, -(10000 - _fee(10000)), 5000]
    made = [9, 9, 8]

    def named(a: int, b: int) -> list[int]:
        return [i for i, d in enumerate(made) if a <= d <= b]

    amount = 5000 - _fee(5000)
    got = read_period(amount, (None, 10), (1, 2), named, lambda a, b: [], opens, _fee)
    assert got is None
    one = read_period(amount, (None, 10), (1, 1), named, lambda a, b: [], opens, _fee)
    assert one is not None
    assert one.items == (0, 1, 2)
    assert not one.unread


def test_the_overlapping_draw_is_the_previous_world() -> None:
    period = marketplace.generate(5, 120)
    stress = marketplace.generate(5, 120, payout_draw="overlapping")
    assert len(period.transactions) == len(stress.transactions)
    assert not period.invoices.equals(stress.invoices)


def test_money_left_for_orders_without_id_is_explained() -> None:
    d = Path(__file__).resolve().parent.parent / "scenarios"
    d = d / "collector_payout_period_leaves_what_orders_without_id_share"

    def csv(name: str) -> pd.DataFrame:
        return pd.read_csv(d / name, dtype=str, keep_default_na=False)

    res = rapprochement.reconcile(
        csv("transactions.csv"), csv("invoices.csv"), remittances=csv("remittances.csv")
    )
    t3 = res.allocations[res.allocations["transaction_id"] == "T3"]
    assert len(t3) == 4
    assert "several sets of them fit" in t3["explanation"].iat[0]
    assert not len(res.notes)
