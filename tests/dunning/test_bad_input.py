"""Bad input is a typed error naming the item; nothing is planned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from rapprochement.dunning import default_french_policy, plan_dunning
from rapprochement.errors import (
    AmountError,
    ColumnError,
    ConfigError,
    DateError,
    DuplicateIdError,
    InputError,
)

AS_OF = dt.date(2025, 6, 30)


def frame(**over: Any) -> pd.DataFrame:
    row = {"invoice_id": "FA-7", "customer_id": "C1", "customer_name": "Dupont",
           "amount": Decimal("100.00"), "currency": "EUR", "issue_date": dt.date(2025, 3, 1),
           "due_date": dt.date(2025, 3, 31), "open_amount": Decimal("100.00")}  # fmt: skip
    row.update(over)
    return pd.DataFrame([row])


def test_invoice_without_due_date_is_named() -> None:
    with pytest.raises(DateError, match=r"due_date, invoice FA-7: invoice has no due date"):
        plan_dunning(frame(due_date=None), None, AS_OF, default_french_policy())


def test_negative_open_amount_on_an_invoice_is_named() -> None:
    with pytest.raises(AmountError, match="FA-7"):
        plan_dunning(frame(open_amount=Decimal("-5.00")), None, AS_OF, default_french_policy())


def test_float_amounts_are_refused_and_integers_are_minor_units() -> None:
    with pytest.raises(AmountError, match="float"):
        plan_dunning(frame(amount=100.0, open_amount=100.0), None, AS_OF, default_french_policy())
    actions = plan_dunning(
        frame(amount=10000, open_amount=2550), None, AS_OF, default_french_policy()
    )
    assert actions[0].total_open == Decimal("25.50")


def test_an_invoice_listed_twice_is_named() -> None:
    twice = pd.concat([frame(), frame()], ignore_index=True)
    with pytest.raises(DuplicateIdError, match="FA-7"):
        plan_dunning(twice, None, AS_OF, default_french_policy())


def test_missing_column_is_a_column_error() -> None:
    with pytest.raises(ColumnError, match="due_date"):
        plan_dunning(frame().drop(columns=["due_date"]), None, AS_OF, default_french_policy())


def test_date_outside_the_rate_tables_is_a_finding_on_the_plan_never_a_crash() -> None:
    old = frame(due_date=dt.date(2014, 3, 31), issue_date=dt.date(2014, 3, 1))
    history = pd.DataFrame(
        [{"action_id": "x", "customer_id": "C1", "invoice_ids": '["FA-7"]', "level": "3",
          "channel": "phone", "action_date": dt.date(2025, 6, 1)}]
    )  # fmt: skip
    actions = plan_dunning(old, history, AS_OF, default_french_policy())
    penalties = [i.penalty for a in actions for i in a.items if i.penalty is not None]
    assert penalties
    assert any("2014-H1" in f.message for p in penalties for f in p.findings)
    assert not penalties[0].complete


def test_history_at_an_unknown_level_is_a_config_error() -> None:
    history = pd.DataFrame(
        [{"action_id": "x9", "customer_id": "C1", "invoice_ids": "FA-7", "level": "sms",
          "action_date": dt.date(2025, 6, 1)}]
    )  # fmt: skip
    with pytest.raises(ConfigError, match="x9"):
        plan_dunning(frame(), history, AS_OF, default_french_policy())


def test_bad_event_kind_and_inverted_dates_are_input_errors() -> None:
    events = pd.DataFrame([{"invoice_id": "FA-7", "kind": "holiday", "start": AS_OF}])
    with pytest.raises(InputError, match="holiday"):
        plan_dunning(frame(), None, AS_OF, default_french_policy(), events=events)
    events = pd.DataFrame(
        [{"invoice_id": "FA-7", "kind": "promise", "start": AS_OF, "end": dt.date(2025, 1, 1)}]
    )
    with pytest.raises(InputError, match="FA-7"):
        plan_dunning(frame(), None, AS_OF, default_french_policy(), events=events)


def test_history_from_the_ledger_as_text_is_understood() -> None:
    # The ledger stores level as text and invoice_ids as a JSON list.
    history = pd.DataFrame(
        [{"action_id": "a", "customer_id": "C1", "invoice_ids": '["FA-7"]', "level": "1",
          "channel": "email", "action_date": "2025-06-25"}]
    )  # fmt: skip
    assert plan_dunning(frame(), history, AS_OF, default_french_policy()) == []
    later = plan_dunning(frame(), history, dt.date(2025, 7, 10), default_french_policy())
    assert [a.level_name for a in later] == ["reminder2"]
