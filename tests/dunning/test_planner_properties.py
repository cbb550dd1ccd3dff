"""Planner invariants under random ledgers (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapprochement.dunning import DunningAction, default_french_policy, plan_dunning

POLICY = default_french_policy()
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
dates = st.dates(START, END)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, list[dt.date]]:
    n = draw(st.integers(1, 8))
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for i in range(n):
        cents = draw(st.integers(100, 10_000_000))
        paid = draw(st.sampled_from(["none", "part", "all"]))
        open_cents = {"none": cents, "part": cents // 2, "all": 0}[paid]
        due = draw(st.dates(START, dt.date(2025, 9, 30)))
        rows.append(
            {"invoice_id": f"I{i:02d}", "customer_id": draw(st.sampled_from(["C1", "C2", "C3"])),
             "amount": Decimal(cents).scaleb(-2), "currency": "EUR",
             "issue_date": due - dt.timedelta(days=30), "due_date": due,
             "open_amount": Decimal(open_cents).scaleb(-2),
             "status": draw(st.sampled_from(["open", "open", "open", "credited"]))}
        )  # fmt: skip
        for kind in ("dispute", "promise"):
            if draw(st.booleans()):
                start = draw(dates)
                end = draw(st.one_of(st.none(), st.dates(start, END)))
                events.append({"invoice_id": f"I{i:02d}", "kind": kind, "start": start, "end": end})
    runs = sorted(set(draw(st.lists(dates, min_size=1, max_size=6))))
    cols = ["invoice_id", "kind", "start", "end"]
    return pd.DataFrame(rows), pd.DataFrame(events, columns=cols), runs


def _run(items: pd.DataFrame, events: pd.DataFrame, runs: list[dt.date]) -> list[DunningAction]:
    records: list[dict[str, object]] = []
    out: list[DunningAction] = []
    for day in runs:
        actions = plan_dunning(items, pd.DataFrame(records), day, POLICY, events=events)
        records.extend(a.to_record() for a in actions)
        out.extend(actions)
    return out


def _paused(events: pd.DataFrame, inv: str, day: dt.date) -> bool:
    for e in events.to_dict("records"):
        end = e["end"] if isinstance(e["end"], dt.date) else None
        if e["invoice_id"] == inv and e["start"] <= day and (end is None or day <= end):
            return True
    return False


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_no_action_for_a_paid_credited_disputed_or_promised_item(
    ledger: tuple[pd.DataFrame, pd.DataFrame, list[dt.date]],
) -> None:
    items, events, runs = ledger
    by_id = {r["invoice_id"]: r for r in items.to_dict("records")}
    for action in _run(items, events, runs):
        for inv in action.invoice_ids:
            row = by_id[inv]
            assert row["open_amount"] > 0
            assert row["status"] == "open"
            assert not _paused(events, inv, action.action_date)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_a_second_run_the_same_day_plans_nothing_and_levels_rise_one_at_a_time(
    ledger: tuple[pd.DataFrame, pd.DataFrame, list[dt.date]],
) -> None:
    items, events, runs = ledger
    records: list[dict[str, object]] = []
    reached: dict[str, int] = {}
    for day in runs:
        actions = plan_dunning(items, pd.DataFrame(records), day, POLICY, events=events)
        records.extend(a.to_record() for a in actions)
        assert plan_dunning(items, pd.DataFrame(records), day, POLICY, events=events) == []
        for a in actions:
            assert a.levels, "a statement is sent only when an invoice reaches a new level"
            assert a.level == max(i.level for i in a.items if i.level is not None)
            for inv, level in a.levels.items():
                before = reached.get(inv, -1)
                # one level up, or two when the skippable friendly reminder was jumped
                assert level == before + 1 or (before == -1 and level == 1)
                reached[inv] = level


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.randoms(use_true_random=False))
def test_row_order_never_changes_the_plan(
    ledger: tuple[pd.DataFrame, pd.DataFrame, list[dt.date]], rnd: Any
) -> None:
    items, events, runs = ledger
    order = list(range(len(items)))
    rnd.shuffle(order)
    shuffled = items.iloc[order].reset_index(drop=True)
    assert _run(items, events, runs) == _run(shuffled, events, runs)


@settings(max_examples=40, deadline=None)
@given(ledgers())
def test_each_action_is_one_customer_one_day_and_adds_up(
    ledger: tuple[pd.DataFrame, pd.DataFrame, list[dt.date]],
) -> None:
    items, events, runs = ledger
    seen: set[tuple[dt.date, str]] = set()
    for a in _run(items, events, runs):
        assert a.action_date.weekday() < 5
        key = (a.action_date, a.customer_id)
        assert key not in seen
        seen.add(key)
        assert a.total_open == sum(i.open_amount for i in a.items) > 0
        assert a.total_claimed == a.total_open + a.total_interest + a.total_indemnity + a.fee
        assert a.total_indemnity == Decimal(40) * sum(1 for i in a.items if i.penalty)
