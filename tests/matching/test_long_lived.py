"""The collector during a reconcile (:mod:`rapprochement.matching.long_lived`): objects set
aside at stage ends, all handed back at the end, a caller's own freeze left alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pandas as pd
import pytest

from rapprochement.matching import long_lived
from rapprochement.matching.engine import reconcile


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def _book() -> tuple[pd.DataFrame, pd.DataFrame]:
    tx = pd.DataFrame(
        {
            "transaction_id": ["T1"],
            "booking_date": ["2026-03-02"],
            "amount": ["120.00"],
            "currency": ["EUR"],
            "counterparty_name": ["ACME SARL"],
            "counterparty_iban": [""],
            "remittance_info": ["FACTURE F-1001"],
        }
    )
    inv = pd.DataFrame(
        {
            "invoice_id": ["F-1001"],
            "customer_id": ["C1"],
            "customer_name": ["Acme SARL"],
            "amount": ["120.00"],
            "currency": ["EUR"],
            "issue_date": ["2026-02-01"],
            "due_date": ["2026-03-01"],
        }
    )
    return tx, inv


def test_settle_sets_aside_within_stages_and_hands_back() -> None:
    kept = [[i] for i in range(1000)]  # tracked containers alive across the stage end
    with long_lived.stages():
        long_lived.large_book(long_lived.SETTLE_MIN)
        long_lived.settle()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_none_frozen_answers_as_the_freeze_count() -> None:
    assert long_lived.none_frozen()
    with long_lived.stages():
        long_lived.large_book(long_lived.SETTLE_MIN)
        assert long_lived.none_frozen()
        long_lived.settle()
        assert not long_lived.none_frozen()
    assert long_lived.none_frozen()
    gc.freeze()  # a caller's own freeze
    assert not long_lived.none_frozen()


def test_a_small_book_is_left_to_the_collector() -> None:
    with long_lived.stages():
        long_lived.large_book(long_lived.SETTLE_MIN - 1)
        long_lived.settle()
        assert gc.get_freeze_count() == 0
        assert not long_lived.active()


def test_settle_outside_a_reconcile_does_nothing() -> None:
    long_lived.settle()
    assert gc.get_freeze_count() == 0


def test_a_callers_freeze_is_left_alone() -> None:
    gc.freeze()
    mine = gc.get_freeze_count()
    with long_lived.stages():
        long_lived.large_book(long_lived.SETTLE_MIN)
        long_lived.settle()
        assert gc.get_freeze_count() == mine
    assert gc.get_freeze_count() == mine


def test_a_disabled_collector_is_left_alone() -> None:
    gc.disable()
    try:
        with long_lived.stages():
            long_lived.large_book(long_lived.SETTLE_MIN)
            long_lived.settle()
            assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_reconcile_hands_everything_back_even_when_it_fails() -> None:
    tx, inv = _book()
    result = reconcile(tx, inv)
    assert list(result.allocations["invoice_id"]) == ["F-1001"]
    assert gc.get_freeze_count() == 0
    with pytest.raises(Exception, match="amount"):
        reconcile(tx.assign(amount=["not money"]), inv)
    assert gc.get_freeze_count() == 0
