"""Each world has the properties it claims: payouts net of fees, remittance advice with
deductions, PO numbers, master data spelled twice, unnormalized IBANs, transposed amounts,
equal weekly amounts, look-alike ties and amount-only coincidences labeled as non-payments."""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import pairwise

import pandas as pd
import pytest
from benchmarks.generator import Dataset
from benchmarks.worlds import generate_world
from benchmarks.worlds.market_text import PROVIDERS
from rapidfuzz import fuzz
from schwifty import IBAN


@pytest.fixture(scope="module")
def us() -> Dataset:
    return generate_world("us_ar", 11, 2500)


@pytest.fixture(scope="module")
def shop() -> Dataset:
    return generate_world("marketplace", 11, 2500)


def _tagged(ds: Dataset, tag: str) -> pd.DataFrame:
    return ds.truth[ds.truth["tags"].str.split(",").map(lambda t: tag in t)]


def _sum(values: pd.Series) -> Decimal:
    return sum(values, Decimal(0))


def test_payouts_are_net_of_fees_and_add_up(shop: Dataset) -> None:
    payouts = _tagged(shop, "payout")
    assert payouts["transaction_id"].nunique() > 1000
    inv = shop.invoices.set_index("invoice_id")
    orders = payouts[payouts["amount"] > 0]
    gross = inv.loc[orders["invoice_id"], "amount"].to_numpy()
    assert (orders["amount"].to_numpy() < gross).all()  # every charge loses its fee
    tx = shop.transactions.set_index("transaction_id")
    names = {n for p, _ in PROVIDERS for n in p.names}
    for tid, g in payouts.groupby("transaction_id"):
        assert _sum(g["amount"]) == tx.at[tid, "amount"]
        assert tx.at[tid, "counterparty_name"] in names
    sizes = payouts.groupby("transaction_id").size()
    assert sizes.max() >= 20
    assert sizes.mean() > 4
    refunds = payouts[payouts["amount"] < 0]
    assert len(refunds)
    assert (inv.loc[refunds["invoice_id"], "amount"].to_numpy() < 0).all()


def test_provider_reports_add_up_to_the_payout(shop: Dataset) -> None:
    rem, tx = shop.remittances, shop.transactions.set_index("transaction_id")
    sums = rem.groupby("transaction_id")["amount"].apply(_sum)
    assert len(sums) > 500
    assert (sums == tx.loc[sums.index, "amount"]).all()
    assert (rem.loc[rem["reference"] == "FEES", "amount"] < 0).all()
    assert set(_tagged(shop, "provider_report")["transaction_id"]) == set(rem["transaction_id"])
    no_report = set(_tagged(shop, "no_report")["transaction_id"])
    assert no_report
    assert not no_report & set(rem["transaction_id"])


def test_order_references_are_not_invoice_numbers(shop: Dataset) -> None:
    inv = shop.invoices
    orders = inv[inv["invoice_id"].str.startswith("ord-")]
    assert orders["invoice_id"].str.fullmatch(r"ord-\d+-[a-z]{2}(-R1)?").all()
    refs = orders["reference"].dropna()
    shapes = {
        "stripe": r"(ch|pi|py|re)_3\w+",
        "adyen": r"\d{16}",
        "paypal": r"[A-Z0-9]{17}",
        "amazon": r"\d{3}-\d{7}-\d{7}",
        "klarna": r"[0-9a-f]{8}-[0-9a-f]{4}",
    }
    for shape in shapes.values():
        assert refs.str.fullmatch(shape).any(), shape
    assert refs.map(lambda r: any(re.fullmatch(s, r) for s in shapes.values())).all()


def test_many_small_equal_amounts(shop: Dataset) -> None:
    top = shop.invoices["amount"].value_counts()
    assert top.iloc[0] > 100
    assert (top.index[:10] < 300).all()


def test_us_remittance_advice_deductions_and_po_numbers(us: Dataset) -> None:
    rem = us.remittances
    assert len(rem) > 1000
    deductions = rem[rem["amount"] < 0]
    assert deductions["reference"].str.match(r"DM\d+|CM-\d+|SCN\d+").all()
    assert len(deductions) > 20
    assert us.invoices["reference"].notna().mean() > 0.5  # PO numbers on invoices
    po_quoted = _tagged(us, "ref_po")
    assert len(po_quoted) > 100
    usd = us.transactions[us.transactions["currency"] == "USD"]
    assert usd["counterparty_iban"].isna().all()  # no IBAN in the US
    assert {"USD", "GBP"} <= set(us.transactions["currency"])
    assert len(_tagged(us, "acronym")) > 10


def test_overpayments_and_duplicates_leave_cash_on_no_invoice(us: Dataset) -> None:
    for kind in ("overpayment", "duplicate"):
        rows = us.truth[us.truth["kind"] == kind]
        assert rows["invoice_id"].isna().sum() > 10, kind


@pytest.mark.parametrize("world", ["us_ar", "marketplace"])
def test_master_data_spells_one_company_twice(world: str, us: Dataset, shop: Dataset) -> None:
    ds = us if world == "us_ar" else shop
    spanning = _tagged(ds, "twin_records")
    assert spanning["transaction_id"].nunique() >= 3
    inv = ds.invoices.set_index("invoice_id")
    for _, g in spanning.groupby("transaction_id"):
        items = inv.loc[g["invoice_id"].dropna()]
        names = items.loc[items["amount"] > 0, "customer_name"].unique()
        ids = items.loc[items["amount"] > 0, "customer_id"].unique()
        assert len(ids) == 2
        assert len(names) == 2
        assert fuzz.ratio(names[0].lower(), names[1].lower()) >= 80


@pytest.mark.parametrize("world", ["us_ar", "marketplace"])
def test_unnormalized_ibans_compact_to_valid_ones(world: str, us: Dataset, shop: Dataset) -> None:
    ds = us if world == "us_ar" else shop
    tids = set(_tagged(ds, "iban_unnormalized")["transaction_id"])
    shown = ds.transactions.loc[ds.transactions["transaction_id"].isin(tids), "counterparty_iban"]
    assert len(shown) >= 5
    for raw in shown:
        compact = re.sub(r"[\s-]", "", raw).upper()
        assert raw != compact
        assert IBAN(compact).is_valid
    master = ds.invoices["customer_iban"].dropna()
    assert master.str.contains(r"[-\sa-z]", regex=True).any()


@pytest.mark.parametrize("world", ["us_ar", "marketplace"])
def test_transposed_amounts(world: str, us: Dataset, shop: Dataset) -> None:
    ds = us if world == "us_ar" else shop
    rows = _tagged(ds, "amount_transposed")
    rows = rows[rows["invoice_id"].notna()]
    assert len(rows) >= 5
    inv = ds.invoices.set_index("invoice_id")["amount"]
    tx = ds.transactions.set_index("transaction_id")["amount"]
    for tid, iid in zip(rows["transaction_id"], rows["invoice_id"], strict=True):
        a, b = str(int(inv[iid] * 100)), str(int(tx[tid] * 100))
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        assert len(a) == len(b)
        assert len(diff) == 2
        assert diff[1] == diff[0] + 1
        assert (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])


@pytest.mark.parametrize("world", ["us_ar", "marketplace"])
def test_equal_weekly_amounts(world: str, us: Dataset, shop: Dataset) -> None:
    ds = us if world == "us_ar" else shop
    rows = _tagged(ds, "weekly_equal")
    items = ds.invoices.set_index("invoice_id").loc[rows["invoice_id"]]
    runs = items.groupby(["customer_id", "amount"])["issue_date"].apply(sorted)
    assert any(len(r) >= 4 and all((b - a).days == 7 for a, b in pairwise(r)) for r in runs)


@pytest.mark.parametrize("world", ["us_ar", "marketplace"])
def test_lookalike_customers_paid_alike_the_same_day(
    world: str, us: Dataset, shop: Dataset
) -> None:
    ds = us if world == "us_ar" else shop
    rows = _tagged(ds, "lookalike_tie")
    tx = ds.transactions.set_index("transaction_id")
    inv = ds.invoices.set_index("invoice_id")
    lines = tx.loc[rows["transaction_id"]].assign(
        customer=inv.loc[rows["invoice_id"], "customer_id"].to_numpy()
    )
    pairs = lines.groupby(["booking_date", "amount", "counterparty_name"])["customer"].nunique()
    assert (pairs == 2).sum() >= 1


@pytest.mark.parametrize("world", ["us_ar", "marketplace"])
def test_amount_only_coincidences_are_non_payments(world: str, us: Dataset, shop: Dataset) -> None:
    ds = us if world == "us_ar" else shop
    rows = _tagged(ds, "amount_coincidence")
    assert len(rows) >= 10
    assert (rows["kind"] == "unrelated").all()
    assert rows["invoice_id"].isna().all()
    paid = set(ds.truth["invoice_id"].dropna())
    open_amounts = set(ds.invoices.loc[~ds.invoices["invoice_id"].isin(paid), "amount"])
    lines = ds.transactions.set_index("transaction_id").loc[rows["transaction_id"]]
    assert lines["amount"].isin(open_amounts).all()
    assert lines["counterparty_iban"].isna().all()
