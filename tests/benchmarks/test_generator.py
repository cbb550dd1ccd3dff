"""The generator: deterministic, truth consistent, kinds and noise at their rates."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest
from benchmarks.gen_rates import KINDS, resolve_rates
from benchmarks.generator import Dataset, generate
from schwifty import IBAN

from rapprochement.references import ogm, qr, rf


@pytest.fixture(scope="module")
def hard() -> Dataset:
    return generate(11, 4000, "hard")


def test_deterministic_for_a_seed() -> None:
    a, b = generate(7, 300, "medium"), generate(7, 300, "medium")
    for name in ("transactions", "invoices", "remittances", "customers", "truth"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    c = generate(8, 300, "medium")
    assert not a.transactions["amount"].equals(c.transactions["amount"])


def test_exact_number_of_payments(hard: Dataset) -> None:
    payments = hard.truth.loc[hard.truth["kind"] != "unrelated", "transaction_id"].nunique()
    assert payments == 4000
    assert hard.transactions["transaction_id"].is_unique
    assert hard.invoices["invoice_id"].is_unique


def test_truth_adds_up_to_each_transaction(hard: Dataset) -> None:
    sums = hard.truth.groupby("transaction_id")["amount"].apply(lambda s: sum(s, Decimal(0)))
    tx = hard.transactions.set_index("transaction_id")["amount"]
    assert set(sums.index) == set(tx.index)
    assert (sums == tx.loc[sums.index]).all()


def test_truth_points_at_existing_invoices_within_their_amount(hard: Dataset) -> None:
    t = hard.truth[hard.truth["invoice_id"].notna()]
    assert set(t["invoice_id"]) <= set(hard.invoices["invoice_id"])
    per_inv = t.groupby("invoice_id")["amount"].apply(lambda s: sum(s, Decimal(0)))
    amount = hard.invoices.set_index("invoice_id")["amount"].loc[per_inv.index]
    assert ((per_inv <= amount) | (amount < 0)).all()
    assert ((per_inv >= amount) | (amount > 0)).all()  # credit notes netted in full
    none = hard.truth[hard.truth["invoice_id"].isna()]
    assert set(none["kind"]) <= {"overpayment", "duplicate", "unrelated"}


def _scenarios(ds: Dataset) -> pd.Series:
    t = ds.truth[~ds.truth["kind"].isin(["unrelated"])]
    counts = {}
    for kind, g in t.groupby("kind"):
        if kind in ("instalment", "split"):
            counts[kind] = g["invoice_id"].nunique()
        elif kind == "duplicate":
            counts[kind] = g["transaction_id"].nunique()
        else:
            counts[kind] = g["transaction_id"].nunique()
    s = pd.Series(counts)
    s["one_to_one"] -= s.get("duplicate", 0)  # the first payment of a duplicate pair
    return s / s.sum()


def test_each_kind_present_at_its_rate(hard: Dataset) -> None:
    shares, rates = _scenarios(hard), resolve_rates("hard", {})
    for kind in (*KINDS, "one_to_one"):
        p = rates[kind]
        tol = 0.01 + 3 * math.sqrt(p * (1 - p) / 3800)
        assert abs(shares.get(kind, 0.0) - p) < tol, (kind, shares.get(kind), p)


def test_noise_tags_present_at_their_rate(hard: Dataset) -> None:
    one = hard.truth[hard.truth["kind"] == "one_to_one"]
    tags = one["tags"].str.split(",")
    no_rem = tags.map(lambda t: "no_remittance" in t).mean()
    assert abs(no_rem - 0.14) < 0.03
    garbled = tags.map(lambda t: any(x.startswith("ref_garbled") for x in t)).mean()
    assert 0.05 < garbled < 0.25
    all_tags = set(hard.truth["tags"].str.split(",").explode().str.split(":").str[0])
    for tag in (
        "payer_not_customer",
        "name_truncated",
        "ref_po",
        "equal_amounts",
        "before_invoice",
        "remittance_advice",
        "grouped_partial",
        "structured_ref",
    ):
        assert tag in all_tags
    assert (hard.truth["kind"] == "unrelated").sum() == 400


def test_overrides_change_shares() -> None:
    ds = generate(3, 2000, "easy", grouped=0.5)
    assert abs(_scenarios(ds)["grouped"] - 0.5) < 0.05
    easy = generate(3, 2000, "easy")
    assert _scenarios(easy)["one_to_one"] > _scenarios(generate(3, 2000, "hard"))["one_to_one"]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="difficulty"):
        generate(1, 10, "insane")
    with pytest.raises(ValueError, match="unknown rate"):
        generate(1, 10, "hard", groupd=0.2)
    with pytest.raises(ValueError, match="n_payments"):
        generate(1, 0)


def test_ibans_and_references_are_valid(hard: Dataset) -> None:
    ibans = hard.transactions["counterparty_iban"].dropna().unique()[:300]
    assert all(IBAN(i).compact == i for i in ibans)
    countries = {i[:2] for i in hard.transactions["counterparty_iban"].dropna()}
    assert {"FR", "BE", "DE"} <= countries
    refs = hard.invoices["reference"].dropna()
    kinds = {"RF": 0, "OGM": 0, "QR": 0}
    for r in refs:
        if r.startswith("RF"):
            assert rf.is_valid(r)
            kinds["RF"] += 1
        elif r.startswith("+++"):
            assert ogm.is_valid(r)
            kinds["OGM"] += 1
        else:
            assert qr.is_valid(r)
            kinds["QR"] += 1
    assert all(kinds.values())


def test_dates_and_amounts_types(hard: Dataset) -> None:
    r = hard.transactions.iloc[0]
    assert isinstance(r["amount"], Decimal)
    assert isinstance(r["booking_date"], type(hard.invoices.iloc[0]["issue_date"]))
    assert (hard.invoices["amount"] < 0).any()  # credit notes
    names = hard.invoices["customer_name"]
    assert names.str.contains(r"SARL|SAS|GmbH|S\.L\.|B\.V\.", regex=True).mean() > 0.3
    assert names.str.contains("[éèàçüñ]", regex=True).any()
