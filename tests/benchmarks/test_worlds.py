"""The worlds: deterministic, same column contract as the generator, truth consistent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from benchmarks.generator import Dataset, generate
from benchmarks.worlds import WORLDS, generate_world, marketplace, us_ar

FRAMES = ("transactions", "invoices", "remittances", "customers", "truth")
NEW = ("us_ar", "marketplace")


@pytest.fixture(scope="module")
def books() -> dict[str, Dataset]:
    return {w: generate_world(w, 7, 800) for w in WORLDS}


def test_registry_names_three_worlds() -> None:
    assert set(WORLDS) == {"eu_sme", "us_ar", "marketplace"}


def test_eu_sme_is_the_hard_book() -> None:
    a, b = generate_world("eu_sme", 3, 120), generate(3, 120, "hard")
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("world", NEW)
def test_same_seed_same_frames(world: str) -> None:
    a, b = generate_world(world, 5, 300), generate_world(world, 5, 300)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = generate_world(world, 6, 300)
    assert not a.transactions["amount"].equals(c.transactions["amount"])


@pytest.mark.parametrize("world", NEW)
def test_column_contract_of_the_generator(world: str, books: dict[str, Dataset]) -> None:
    ref, ds = books["eu_sme"], books[world]
    for name in FRAMES:
        assert list(getattr(ds, name).columns) == list(getattr(ref, name).columns), name
    tx, inv = ds.transactions, ds.invoices
    assert tx["transaction_id"].is_unique
    assert inv["invoice_id"].is_unique
    for frame, cols in (
        (tx, ("amount",)),
        (inv, ("amount", "open_amount")),
        (ds.truth, ("amount",)),
    ):
        for col in cols:
            assert frame[col].map(lambda v: isinstance(v, Decimal)).all()
    for frame, cols in ((tx, ("booking_date", "value_date")), (inv, ("issue_date", "due_date"))):
        for col in cols:
            assert frame[col].map(lambda v: isinstance(v, dt.date)).all()
    assert set(ds.remittances["transaction_id"]) <= set(tx["transaction_id"])
    assert set(ds.customers["customer_id"]) <= set(inv["customer_id"])
    assert ds.difficulty == world


@pytest.mark.parametrize("world", NEW)
def test_truth_adds_up_and_stays_within_invoices(world: str, books: dict[str, Dataset]) -> None:
    ds = books[world]
    sums = ds.truth.groupby("transaction_id")["amount"].apply(lambda s: sum(s, Decimal(0)))
    tx = ds.transactions.set_index("transaction_id")["amount"]
    assert set(sums.index) == set(tx.index)
    assert (sums == tx.loc[sums.index]).all()
    paid = ds.truth[ds.truth["invoice_id"].notna()]
    assert set(paid["invoice_id"]) <= set(ds.invoices["invoice_id"])
    per_inv = paid.groupby("invoice_id")["amount"].apply(lambda s: sum(s, Decimal(0)))
    amount = ds.invoices.set_index("invoice_id")["amount"].loc[per_inv.index]
    assert ((per_inv <= amount) | (amount < 0)).all()
    assert ((per_inv >= amount) | (amount > 0)).all()  # credit notes netted in full
    none = ds.truth[ds.truth["invoice_id"].isna()]
    assert set(none["kind"]) <= {"overpayment", "duplicate", "unrelated", "transposed"}


@pytest.mark.parametrize("world", NEW)
def test_exactly_n_customer_payments(world: str, books: dict[str, Dataset]) -> None:
    t = books[world].truth
    assert t.loc[t["kind"] != "unrelated", "transaction_id"].nunique() == 800


@pytest.mark.parametrize("world", [*NEW, "eu_sme"])
def test_bad_arguments(world: str) -> None:
    with pytest.raises(ValueError, match="n"):
        generate_world(world, 1, 0)
    with pytest.raises(ValueError, match="unknown world"):
        generate_world("atlantis", 1, 10)


def test_unknown_or_negative_rate() -> None:
    with pytest.raises(ValueError, match="unknown rate"):
        us_ar.generate(1, 10, groupd=0.2)
    with pytest.raises(ValueError, match=">= 0"):
        marketplace.generate(1, 10, payout=-0.1)


def test_rates_change_the_mix() -> None:
    few = us_ar.generate(2, 500, grouped=0.0)
    many = us_ar.generate(2, 500, grouped=0.6)
    assert "grouped" not in set(few.truth["kind"])
    assert (many.truth["kind"] == "grouped").sum() > 500
