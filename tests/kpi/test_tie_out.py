"""KPIs that tie out: D441-6 part B (disputed invoices), the forecast spread by each payer's
lateness, credit notes treated alike by the report's card and aged table, DSO caveats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd

from rapprochement.kpi import aged_balance, cash_forecast, dso_history
from rapprochement.kpi.forecast import MIN_WAIT_DAYS
from rapprochement.report import collect, render_report
from rapprochement.store import Ledger

D = Decimal
AS_OF = dt.date(2026, 3, 31)


def _items(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """(invoice, customer, open amount, due date) issued 2026-01-01."""
    return pd.DataFrame(
        [{"invoice_id": i, "customer_id": c, "amount": a, "open_amount": a, "currency": "EUR",
          "issue_date": "2026-01-01", "due_date": d} for i, c, a, d in rows]
    )  # fmt: skip


def _paid(*rows: tuple[str, str, int]) -> pd.DataFrame:
    """(invoice, customer, days late) paid in full, 100.00 each, due 2025-10-31."""
    due = dt.date(2025, 10, 31)
    return pd.DataFrame(
        [{"invoice_id": i, "customer_id": c, "amount": "100.00", "due_date": due,
          "payment_date": due + dt.timedelta(days=late)} for i, c, late in rows]
    )  # fmt: skip


def test_disputed_invoices_leave_the_buckets_for_the_excluded_section() -> None:
    items = _items(("F1", "C", "100.00", "2026-03-01"), ("F2", "C", "250.00", "2026-02-01"))
    events = pd.DataFrame([{"invoice_id": "F2", "kind": "dispute", "start": AS_OF, "end": None}])
    table = aged_balance(items, AS_OF, events=events)
    assert (table.loc["total", "count"], table.loc["total", "amount"]) == (1, D("100.00"))
    assert table.loc["excluded_disputed", "count"] == 1
    assert table.loc["excluded_disputed", "amount"] == D("250.00")
    assert table.loc["31-60", "count"] == 0


def test_overdue_invoices_are_spread_by_their_payers_lateness_not_into_this_week() -> None:
    history = _paid(("P1", "SLOW", 20), ("P2", "SLOW", 60), ("Q1", "FAST", 0))
    items = _items(
        ("S1", "SLOW", "100.00", "2026-02-09"),  # 50 days late, habit 40; paid once at 60: +10
        ("S2", "SLOW", "100.00", "2025-12-01"),  # 120 days late: beyond all: + habit 40 days
        ("F1", "FAST", "100.00", "2026-03-20"),  # 11 days late, FAST never late: + a week
    )
    out = cash_forecast(items, history, AS_OF, by="invoice").set_index("invoice_id")
    assert out.loc["S1", "expected_date"] == AS_OF + dt.timedelta(days=10)
    assert out.loc["S2", "expected_date"] == AS_OF + dt.timedelta(days=40)
    assert out.loc["F1", "expected_date"] == AS_OF + dt.timedelta(days=MIN_WAIT_DAYS)
    assert out["beyond_habit"].all()
    weeks = cash_forecast(items, history, AS_OF)
    assert AS_OF - dt.timedelta(days=AS_OF.weekday()) not in set(weeks["week_start"])


def test_a_promise_to_pay_puts_the_invoice_on_its_promised_date() -> None:
    items = _items(("F1", "C", "100.00", "2026-02-01"))
    events = pd.DataFrame([{"invoice_id": "F1", "kind": "promise", "start": AS_OF,
                            "end": dt.date(2026, 4, 15)}])  # fmt: skip
    out = cash_forecast(items, pd.DataFrame(), AS_OF, by="invoice", events=events)
    assert out.loc[0, "expected_date"] == dt.date(2026, 4, 15)


def test_dso_history_shorter_than_the_period_gives_a_caveat() -> None:
    revenue = pd.Series({"2026-02": D("1000"), "2026-03": D("2000")})
    assert dso_history(revenue, AS_OF, 3) == (
        2,
        "revenue history starts 2026-02: DSO over 2 month(s), not 3; it is not comparable "
        "with a full period (the first month may be partial too)",
    )
    full = pd.Series({"2026-01": D("1"), **revenue.to_dict()})
    assert dso_history(full, AS_OF, 3) == (3, None)


def test_the_reports_card_and_aged_table_treat_credit_notes_alike(tmp_path: Path) -> None:
    frame = _items(
        ("F1", "C1", "1000.00", "2026-03-15"),
        ("F2", "C1", "500.00", "2026-01-15"),
        ("AV1", "C1", "-300.00", "2026-03-01"),
    ).assign(customer_name="Dupont", issue_date="2026-02-02")
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_invoices(frame)
        ledger.add_invoice_event("F2", "dispute", "2026-03-01", None, "wrong quantity")
        ledger.add_invoice_event("F1", "promise", "2026-03-20", "2026-04-10", "by phone")
        data = collect(ledger, AS_OF)
        net = D(ledger.status()["open_amount"]["EUR"])
    o = data.open_totals
    assert (o["invoices"], o["disputed"], o["credit_notes"]) == (
        D("1000.00"), D("500.00"), D("-300.00"),
    )  # fmt: skip
    assert o["net"] == net == D("1200.00")
    html = render_report(data)
    assert "(B) excluded: disputed" in html
    assert "1,200.00 EUR" in html  # the net card (English grouping: the report is in English)
    assert "wrong quantity" in html
    assert "promise to pay" in html
    assert "DSO caveat: revenue history starts 2026-02: DSO over 2 month(s), not 3" in html
    assert data.dso["standard"] is not None
    assert html.count("<svg") == 2
