"""KPI edge cases and invariants beyond the worked examples of docs/kpi.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.errors import AmountError, ColumnError, CurrencyError, DateError, InputError
from rapprochement.kpi import (
    BUCKETS,
    aged_balance,
    best_possible_dso,
    cash_forecast,
    credit_exposure,
    dso,
    payer_scores,
    revenue_from_invoices,
)
from rapprochement.kpi.aging import bucket_of

D = Decimal
AS_OF = dt.date(2026, 3, 31)


def items(*rows: tuple[str, str, Any, int, str], **extra: Any) -> pd.DataFrame:
    """rows: (invoice, customer, open amount, days late at AS_OF, currency)."""
    out = []
    for inv, cust, amount, late, ccy in rows:
        due = AS_OF - dt.timedelta(days=late)
        issue = due - dt.timedelta(days=30)
        out.append({"invoice_id": inv, "customer_id": cust, "amount": amount, "currency": ccy,
                    "issue_date": issue, "due_date": due} | extra)  # fmt: skip
    return pd.DataFrame(out)


@pytest.mark.parametrize(
    ("late", "bucket"),
    [(-3, "not_due"), (0, "not_due"), (1, "1-30"), (30, "1-30"), (31, "31-60"), (60, "31-60"),
     (61, "61-90"), (90, "61-90"), (91, "91+"), (400, "91+")],
)  # fmt: skip
def test_bucket_boundaries(late: int, bucket: str) -> None:
    assert bucket_of(late) == bucket
    frame = aged_balance(items(("F", "C", D("10.00"), late, "EUR")), AS_OF)
    assert frame.loc[bucket, "count"] == 1
    assert frame.loc[bucket, "amount"] == D("10.00")


def test_integer_amounts_are_minor_units_and_floats_are_refused() -> None:
    frame = aged_balance(items(("F", "C", 12345, 5, "EUR"), ("G", "C", 100, 5, "JPY")), AS_OF,
                         currency="JPY")  # fmt: skip
    assert frame.loc["total", "amount"] == D("100")
    with pytest.raises(AmountError, match="float"):
        aged_balance(items(("F", "C", 123.45, 5, "EUR")), AS_OF)


def test_mixed_currencies_need_a_choice() -> None:
    with pytest.raises(CurrencyError, match="EUR, USD"):
        aged_balance(items(("F", "C", D("1"), 5, "EUR"), ("G", "C", D("1"), 5, "USD")), AS_OF)


def test_invoices_issued_after_as_of_are_not_yet_receivables() -> None:
    frame = items(("F", "C", D("10.00"), -40, "EUR"))
    frame["issue_date"] = AS_OF + dt.timedelta(days=1)
    assert aged_balance(frame, AS_OF).loc["total", "count"] == 0


def test_missing_due_date_names_the_invoice() -> None:
    frame = items(("F-9", "C", D("10.00"), 5, "EUR"))
    frame["due_date"] = None
    with pytest.raises(DateError, match="F-9"):
        aged_balance(frame, AS_OF)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**7), st.integers(-29, 400)), min_size=1, max_size=30))
def test_buckets_add_up_to_the_total_and_to_the_open_invoices(rows: list[tuple[int, int]]) -> None:
    frame = items(*[(f"F{i}", "C", cents, late, "EUR") for i, (cents, late) in enumerate(rows)])
    aged = aged_balance(frame, AS_OF)
    total = sum((D(c).scaleb(-2) for c, _ in rows), D(0))
    assert aged.loc["total", "amount"] == total
    assert sum(aged.loc[list(BUCKETS), "amount"], D(0)) == total
    assert aged.loc["overdue", "count"] == sum(1 for _, late in rows if late > 0)
    shuffled = aged_balance(frame.sample(frac=1, random_state=1), AS_OF)
    assert shuffled.equals(aged)


REVENUE = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"],
                        "revenue": [D("10000"), D("12000"), D("6000")]})  # fmt: skip


def test_dso_needs_every_month_of_its_window() -> None:
    frame = items(("F", "C", D("100.00"), 5, "EUR"))
    with pytest.raises(InputError, match="2025-12"):
        dso(frame, REVENUE, AS_OF, months=4)
    with pytest.raises(InputError, match="exceed all the revenue"):
        dso(items(("F", "C", D("99999.00"), 5, "EUR")), REVENUE, AS_OF, method="countback")
    with pytest.raises(InputError, match="unknown DSO method"):
        dso(frame, REVENUE, AS_OF, method="magic")  # type: ignore[arg-type]


def test_dso_of_nothing_owed_is_zero_and_best_possible_never_exceeds_dso() -> None:
    empty = items(("F", "C", D("0.00"), 5, "EUR"))
    assert dso(empty, REVENUE, AS_OF, method="countback") == D("0.0")
    frame = items(("F", "C", D("3000.00"), 5, "EUR"), ("G", "C", D("1000.00"), -5, "EUR"))
    # 4000 / 28000 x 90 = 12.857 -> 12.9; best: 1000 / 28000 x 90 = 3.214 -> 3.2
    assert dso(frame, REVENUE, AS_OF) == D("12.9")
    assert best_possible_dso(frame, REVENUE, AS_OF) == D("3.2")


def test_revenue_from_invoices_counts_each_invoice_once_and_fills_empty_months() -> None:
    open_items = pd.DataFrame(
        [{"invoice_id": "F1", "customer_id": "C", "amount": D("100.00"), "currency": "EUR",
          "issue_date": dt.date(2026, 1, 5), "due_date": dt.date(2026, 2, 4)}]
    )  # fmt: skip
    paid = pd.DataFrame(
        [{"invoice_id": "F1", "invoice_amount": D("100.00"), "issue_date": dt.date(2026, 1, 5)},
         {"invoice_id": "F0", "invoice_amount": D("50.00"), "issue_date": dt.date(2025, 11, 5)}]
    )  # fmt: skip
    rev = revenue_from_invoices(open_items, paid)
    assert rev.to_dict() == {"2025-11": D("50.00"), "2025-12": D(0), "2026-01": D("100.00")}


def test_payer_scores_ignore_payments_after_as_of_and_handle_no_history() -> None:
    history = pd.DataFrame(
        [{"invoice_id": "I", "customer_id": "C", "amount": D("10"), "payment_date": "2026-04-02",
          "due_date": "2026-03-01"}]
    )  # fmt: skip
    scores = payer_scores(history, AS_OF)
    assert scores.empty
    assert "segment" in scores.columns
    forecast = cash_forecast(
        items(("F", "C", D("10.00"), -10, "EUR")), history, AS_OF, by="invoice"
    )
    assert forecast.loc[0, "expected_date"] == AS_OF + dt.timedelta(days=10)


def test_credit_exposure_requires_the_limit_column() -> None:
    with pytest.raises(ColumnError, match="credit_limit"):
        credit_exposure(items(("F", "C", D("1"), 1, "EUR")), pd.DataFrame({"customer_id": ["C"]}))


def test_credit_exposure_lists_customers_missing_from_the_customer_table() -> None:
    frame = items(("F", "GHOST", D("75.00"), 1, "EUR"))
    out = credit_exposure(frame, pd.DataFrame(columns=["customer_id", "credit_limit"]))
    assert out.to_dict("records") == [
        {"customer_id": "GHOST", "name": "GHOST", "segment": None, "open_amount": D("75.00"),
         "overdue_amount": D("0.00"), "credit_limit": None, "utilisation": None,
         "headroom": None, "alert": "no_limit"}
    ]  # fmt: skip


def test_forecast_leaves_out_invoices_under_an_active_dispute() -> None:
    frame = items(("F", "C", D("10.00"), 3, "EUR"), ("G", "C", D("20.00"), 3, "EUR"))
    events = pd.DataFrame([{"invoice_id": "G", "kind": "dispute", "start": AS_OF, "end": None}])
    no_history = pd.DataFrame()
    out = cash_forecast(frame, no_history, AS_OF, by="invoice", events=events)
    assert list(out["invoice_id"]) == ["F"]
    settled = events.assign(end=AS_OF - dt.timedelta(days=1), start=AS_OF - dt.timedelta(days=9))
    weekly = cash_forecast(frame, no_history, AS_OF, events=settled)
    assert weekly["amount"].sum() == D("30.00")
