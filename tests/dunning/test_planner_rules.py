"""Focused planner rules: anchors, fees, minimums, segments, currencies, credit notes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd

from rapprochement.dunning import (
    DunningLevel,
    DunningPolicy,
    PolicySet,
    default_french_policy,
    plan_dunning,
)

D = Decimal


def items(*rows: dict[str, Any]) -> pd.DataFrame:
    base = {"customer_id": "C1", "customer_name": "Dupont", "currency": "EUR",
            "issue_date": dt.date(2025, 1, 1), "due_date": dt.date(2025, 1, 31)}  # fmt: skip
    return pd.DataFrame([base | r for r in rows])


EOM = DunningPolicy(
    name="eom",
    levels=(
        DunningLevel(name="first", anchor="end_of_month", offset_days=10, channel="email",
                     template="reminder1", fee=D("15.00")),
        DunningLevel(name="second", anchor="previous", offset_days=20, channel="letter",
                     template="reminder2", include_penalties=True, min_amount=D("100")),
    ),
)  # fmt: skip


def test_end_of_month_anchor_and_fee() -> None:
    # due 2025-01-15, end of month 01-31, + 10 = 02-10 (no grace in this policy)
    frame = items({"invoice_id": "F1", "amount": D("50.00"), "due_date": dt.date(2025, 1, 15)})
    assert plan_dunning(frame, None, dt.date(2025, 2, 9), EOM) == []
    (a,) = plan_dunning(frame, None, dt.date(2025, 2, 10), EOM)
    assert (a.level_name, a.fee, a.total_claimed) == ("first", D("15.00"), D("65.00"))


def test_minimum_amount_applies_to_the_grouped_letter() -> None:
    frame = items(
        {"invoice_id": "F1", "amount": D("60.00")}, {"invoice_id": "F2", "amount": D("30.00")}
    )
    history = pd.DataFrame(
        [{"customer_id": "C1", "invoice_ids": ["F1", "F2"], "level": "first",
          "action_date": dt.date(2025, 2, 10)}]
    )  # fmt: skip
    # 60 + 30 = 90 < 100: no second letter, ever
    assert plan_dunning(frame, history, dt.date(2025, 3, 17), EOM) == []
    frame.loc[1, "amount"] = D("40.00")
    (a,) = plan_dunning(frame, history, dt.date(2025, 3, 17), EOM)
    assert a.total_open == D("100.00")


def test_policy_set_picks_the_policy_of_each_customers_segment() -> None:
    strict = EOM.model_copy(update={"name": "strict"})
    ps = PolicySet(default=default_french_policy(), by_segment={"risky": strict})
    frame = items(
        {"invoice_id": "F1", "amount": D("50.00")},
        {"invoice_id": "F2", "amount": D("50.00"), "customer_id": "C2"},
    )
    actions = plan_dunning(frame, None, dt.date(2025, 2, 10), ps, segments={"C2": "risky"})
    assert [(a.customer_id, a.policy, a.level_name) for a in actions] == [
        ("C1", "fr-default", "reminder1"),
        ("C2", "strict", "first"),
    ]
    assert actions[1].segment == "risky"


def test_one_letter_per_currency_and_credit_notes_are_never_dunned() -> None:
    frame = items(
        {"invoice_id": "F1", "amount": D("50.00")},
        {"invoice_id": "F2", "amount": D("70.00"), "currency": "USD"},
        {"invoice_id": "CN", "amount": D("-20.00")},
    )
    actions = plan_dunning(frame, None, dt.date(2025, 2, 10), default_french_policy())
    assert [(a.currency, a.invoice_ids) for a in actions] == [("EUR", ("F1",)), ("USD", ("F2",))]


def test_history_after_as_of_is_ignored_when_replanning_the_past() -> None:
    frame = items({"invoice_id": "F1", "amount": D("50.00")})
    history = pd.DataFrame(
        [{"customer_id": "C1", "invoice_ids": ["F1"], "level": 1,
          "action_date": dt.date(2025, 3, 1)}]
    )  # fmt: skip
    (a,) = plan_dunning(frame, history, dt.date(2025, 2, 10), default_french_policy())
    assert a.level_name == "reminder1"


def test_an_expired_dispute_resumes_at_the_level_reached() -> None:
    frame = items({"invoice_id": "F1", "amount": D("50.00")})
    history = pd.DataFrame(
        [{"customer_id": "C1", "invoice_ids": ["F1"], "level": 1,
          "action_date": dt.date(2025, 2, 10)}]
    )  # fmt: skip
    events = pd.DataFrame(
        [{"invoice_id": "F1", "kind": "dispute", "start": dt.date(2025, 2, 12),
          "end": dt.date(2025, 4, 30)}]
    )  # fmt: skip
    policy = default_french_policy()
    assert plan_dunning(frame, history, dt.date(2025, 4, 30), policy, events=events) == []
    # 1 May is a public holiday in France: the next business day
    assert plan_dunning(frame, history, dt.date(2025, 5, 1), policy, events=events) == []
    (a,) = plan_dunning(frame, history, dt.date(2025, 5, 2), policy, events=events)
    assert a.level_name == "reminder2"


def test_nothing_after_the_last_level() -> None:
    frame = items({"invoice_id": "F1", "amount": D("50.00")})
    history = pd.DataFrame(
        [{"customer_id": "C1", "invoice_ids": ["F1"], "level": "litigation",
          "action_date": dt.date(2025, 3, 1)}]
    )  # fmt: skip
    assert plan_dunning(frame, history, dt.date(2025, 12, 1), default_french_policy()) == []
