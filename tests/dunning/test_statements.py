"""Statements of account: one letter per customer and currency, credits netted, each invoice at
its own level, no pre-due letter for a late invoice, business days (issue 14, part A)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.dunning import DunningLevel, DunningPolicy, default_french_policy, plan_dunning
from rapprochement.dunning.calendar import BusinessCalendar

D = Decimal
POLICY = default_french_policy()
FR = BusinessCalendar("FR")


def items(*rows: dict[str, Any]) -> pd.DataFrame:
    base = {"customer_id": "C005", "customer_name": "Dupont", "currency": "EUR",
            "issue_date": dt.date(2025, 9, 1), "due_date": dt.date(2025, 10, 1)}  # fmt: skip
    return pd.DataFrame([base | r for r in rows])


def test_a_customer_with_a_credit_note_gets_one_letter_netted() -> None:
    frame = items(
        {"invoice_id": "F1", "amount": D("1980.00")},
        {"invoice_id": "F2", "amount": D("1500.00"), "due_date": dt.date(2025, 10, 20)},
        {"invoice_id": "AV1", "amount": D("-480.00"), "issue_date": dt.date(2025, 10, 5)},
    )
    history = pd.DataFrame(
        [{"customer_id": "C005", "invoice_ids": ["F1"], "level": "reminder1",
          "action_date": dt.date(2025, 10, 13)}]
    )  # fmt: skip
    # 2025-11-03 (Monday): F1 reaches reminder2 (10-13 + 15 = 10-28), F2 reminder1 (10-30)
    (a,) = plan_dunning(frame, history, dt.date(2025, 11, 3), POLICY)
    assert (a.customer_id, a.level_name, a.channel) == ("C005", "reminder2", "letter")
    assert [(i.invoice_id, i.kind, i.level_name) for i in a.items] == [
        ("F1", "invoice", "reminder2"),
        ("F2", "invoice", "reminder1"),
        ("AV1", "credit_note", None),
    ]
    assert a.total_credits == D("480.00")
    assert a.total_open == D("3000.00")  # 1980 + 1500 - 480, never 3480
    assert a.levels == {"F1": 2, "F2": 1}
    # the credit note is taken off the oldest invoice: F1 bears penalties on 1500 only
    f1 = a.items[0].penalty
    assert f1 is not None
    assert f1.amount == D("1500.00")
    # recorded, a second run the same day plans nothing, and F2 keeps its own level
    again = plan_dunning(frame, pd.DataFrame([a.to_record()]), dt.date(2025, 11, 3), POLICY)
    assert again == []


def test_a_balance_nil_or_in_the_customers_favour_is_not_dunned() -> None:
    frame = items(
        {"invoice_id": "F1", "amount": D("500.00")},
        {"invoice_id": "AV1", "amount": D("-500.00")},
    )
    assert plan_dunning(frame, None, dt.date(2025, 10, 14), POLICY) == []
    on_account = pd.DataFrame(
        [{"credit_id": "TX-9", "customer_id": "C005", "amount": D("600.00"), "currency": "EUR",
          "date": dt.date(2025, 10, 2)}]
    )  # fmt: skip
    frame = items({"invoice_id": "F1", "amount": D("500.00")})
    assert plan_dunning(frame, None, dt.date(2025, 10, 14), POLICY, credits=on_account) == []
    (a,) = plan_dunning(frame.assign(amount=D("800.00")), None, dt.date(2025, 10, 14), POLICY,
                        credits=on_account)  # fmt: skip
    assert (a.total_open, [c.kind for c in a.credits]) == (D("200.00"), ["on_account"])


def test_one_letter_per_customer_and_currency_at_the_highest_level() -> None:
    frame = items(
        {"invoice_id": "OLD", "amount": D("100.00"), "due_date": dt.date(2025, 8, 4)},
        {"invoice_id": "NEW", "amount": D("100.00"), "due_date": dt.date(2025, 10, 19)},
    )
    history = pd.DataFrame(
        [{"customer_id": "C005", "invoice_ids": ["OLD"], "level": "reminder2",
          "action_date": dt.date(2025, 9, 1)}]
    )  # fmt: skip
    (a,) = plan_dunning(frame, history, dt.date(2025, 10, 14), POLICY)
    assert {i.invoice_id: i.level_name for i in a.items} == {"OLD": "phone", "NEW": "friendly"}
    assert a.level_name == "phone"


runs = st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    dues=st.lists(st.dates(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), min_size=1, max_size=4),
    days=st.lists(st.dates(dt.date(2025, 1, 1), dt.date(2025, 8, 31)), min_size=1, max_size=8),
)
def test_an_invoice_past_due_never_gets_the_pre_due_letter(
    dues: list[dt.date], days: list[dt.date]
) -> None:
    frame = items(
        *({"invoice_id": f"F{n}", "amount": D("100.00"), "due_date": due,
           "issue_date": due - dt.timedelta(days=30)} for n, due in enumerate(dues))
    )  # fmt: skip
    records: list[dict[str, object]] = []
    for run in sorted(set(days)):
        for a in plan_dunning(frame, pd.DataFrame(records), run, POLICY):
            records.append(a.to_record())
            if a.level_name == "friendly":
                assert all(i.days_late <= 0 for i in a.invoices)
            for i in a.invoices:
                assert not (i.escalated and i.level_name == "friendly" and i.days_late > 0)


@settings(max_examples=200, deadline=None)
@given(run=runs, days=st.integers(0, 40), business=st.booleans())
def test_no_letter_dated_and_no_deadline_on_a_french_public_holiday(
    run: dt.date, days: int, business: bool
) -> None:
    policy = DunningPolicy(
        name="p",
        levels=(DunningLevel(name="r", offset_days=1, channel="email", template="reminder1",
                             payment_days=days, business_days=business),),
    )  # fmt: skip
    frame = items({"invoice_id": "F1", "amount": D("100.00"), "due_date": dt.date(2024, 12, 1),
                   "issue_date": dt.date(2024, 11, 1)})  # fmt: skip
    for a in plan_dunning(frame, None, run, policy):
        assert FR.is_business_day(a.action_date)
        assert FR.is_business_day(a.deadline), (a.deadline, FR.holiday(a.deadline))
        assert a.deadline >= a.action_date + dt.timedelta(days=days)


def test_business_days_skip_weekends_and_holidays() -> None:
    assert FR.holiday(dt.date(2026, 7, 14)) is not None
    # Friday 2026-08-14 + 1 business day: Saturday, Sunday, then 15 August falls on a
    # Saturday this year; Monday 17
    assert FR.add_business_days(dt.date(2026, 8, 14), 1) == dt.date(2026, 8, 17)
    # Thursday 2026-12-24 + 1: 25 December is a holiday, then the weekend
    assert FR.add_business_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert FR.next_business_day(dt.date(2026, 7, 14)) == dt.date(2026, 7, 15)
    assert BusinessCalendar("").is_business_day(dt.date(2026, 7, 14))
    # a formal notice on Thursday 2025-08-07 with 8 days to pay: 08-15 is Assumption Day,
    # the deadline is Monday 08-18
    frame = items({"invoice_id": "F1", "amount": D("100.00"), "due_date": dt.date(2025, 6, 2),
                   "issue_date": dt.date(2025, 5, 2)})  # fmt: skip
    history = pd.DataFrame(
        [{"customer_id": "C005", "invoice_ids": ["F1"], "level": "phone",
          "action_date": dt.date(2025, 7, 28)}]
    )  # fmt: skip
    (a,) = plan_dunning(frame, history, dt.date(2025, 8, 7), POLICY)
    assert (a.level_name, a.deadline) == ("formal_notice", dt.date(2025, 8, 18))
    # and nothing is planned on 14 July (a Monday in 2025): reminder1 waits for the 15th
    assert plan_dunning(frame, None, dt.date(2025, 7, 14), POLICY) == []
    assert plan_dunning(frame, None, dt.date(2025, 7, 15), POLICY) != []


@settings(max_examples=120, deadline=None)
@given(
    opens=st.lists(
        st.tuples(st.sampled_from(["C1", "C2"]), st.integers(-50_000, 90_000),
                  st.dates(dt.date(2025, 1, 1), dt.date(2025, 6, 30))),
        min_size=1, max_size=8,
    ),
    on_account=st.lists(st.tuples(st.sampled_from(["C1", "C2"]), st.integers(1, 40_000)),
                        max_size=3),
    run=st.dates(dt.date(2025, 1, 1), dt.date(2025, 8, 31)),
)  # fmt: skip
def test_a_statement_nets_every_credit_and_never_claims_a_balance_not_owed(
    opens: list[tuple[str, int, dt.date]], on_account: list[tuple[str, int]], run: dt.date
) -> None:
    rows = [
        {"invoice_id": f"I{n}", "customer_id": c, "amount": D(cents or 1).scaleb(-2),
         "due_date": due, "issue_date": due - dt.timedelta(days=30)}
        for n, (c, cents, due) in enumerate(opens)
    ]  # fmt: skip
    paid_ahead = [
        {"credit_id": f"P{n}", "customer_id": c, "amount": D(cents).scaleb(-2),
         "currency": "EUR", "date": dt.date(2025, 1, 1)}
        for n, (c, cents) in enumerate(on_account)
    ]  # fmt: skip
    credits = pd.DataFrame(
        paid_ahead, columns=["credit_id", "customer_id", "amount", "currency", "date"]
    )
    frame = items(*rows)
    owed = {
        c: sum((r["amount"] for r in rows if r["customer_id"] == c), D(0))
        - sum((D(x).scaleb(-2) for who, x in on_account if who == c), D(0))
        for c in ("C1", "C2")
    }
    for a in plan_dunning(frame, None, run, POLICY, credits=credits):
        credit_notes = [r for r in rows if r["customer_id"] == a.customer_id and r["amount"] < 0]
        assert {c.invoice_id for c in a.credits} == {r["invoice_id"] for r in credit_notes} | {
            f"P{n}" for n, (who, _) in enumerate(on_account) if who == a.customer_id
        }
        assert a.total_open == sum((i.open_amount for i in a.items), D(0)) > 0
        assert a.total_open <= owed[a.customer_id] + sum(
            (r["amount"] for r in rows if r["customer_id"] == a.customer_id and r["amount"] > 0
             and r["invoice_id"] not in a.invoice_ids), D(0))  # fmt: skip
        assert owed[a.customer_id] > 0


def test_the_ledger_history_keeps_each_invoices_level(tmp_path: Path) -> None:
    from rapprochement.store import Ledger

    frame = items(
        {"invoice_id": "OLD", "amount": D("100.00"), "due_date": dt.date(2025, 8, 4)},
        {"invoice_id": "NEW", "amount": D("100.00"), "due_date": dt.date(2025, 10, 19)},
    )
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_invoices(frame.assign(currency="EUR"))
        (first,) = plan_dunning(ledger.open_items(), None, dt.date(2025, 8, 18), POLICY)
        ledger.record_dunning_actions([first.to_record()])
        (second,) = plan_dunning(
            ledger.open_items(), ledger.dunning_history(), dt.date(2025, 10, 14), POLICY
        )
        ledger.record_dunning_actions([second.to_record()])
        history = ledger.dunning_history()
    # OLD got reminder1 in August; in October NEW gets the friendly reminder and OLD, listed
    # in the same statement, reaches reminder2 on its own schedule
    assert list(history["levels"]) == [{"OLD": 1}, {"OLD": 2, "NEW": 0}]
    assert second.level_name == "reminder2"
