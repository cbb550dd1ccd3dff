"""Bad input raises a typed error naming the column and the rows; good input in every form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import rapprochement
from rapprochement.errors import (
    AmountError,
    ColumnError,
    CurrencyError,
    DateError,
    DuplicateIdError,
)
from rapprochement.matching import MatchConfig, count_candidates


def _tx(**over: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "transaction_id": ["T1", "T2"],
        "booking_date": ["2026-03-01", "2026-03-02"],
        "amount": [Decimal("100.00"), Decimal("50.50")],
        "currency": ["EUR", "EUR"],
        "counterparty_name": ["ACME SA", "FOO GMBH"],
        "counterparty_iban": ["", ""],
        "remittance_info": ["FA-2026-000001", "INV0000002"],
    }
    base.update(over)
    return pd.DataFrame(base)


def _inv(**over: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "invoice_id": ["FA-2026-000001", "INV0000002"],
        "customer_id": ["C1", "C2"],
        "customer_name": ["Acme SA", "Foo GmbH"],
        "amount": ["100.00", "50.50"],
        "currency": ["EUR", "EUR"],
        "issue_date": ["2026-02-01", "2026-02-02"],
        "due_date": ["2026-03-01", "2026-03-02"],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_missing_column_is_named_with_a_hint() -> None:
    with pytest.raises(ColumnError, match="remittance_info") as e:
        rapprochement.reconcile(_tx().rename(columns={"remittance_info": "remittance"}), _inv())
    assert "rename" in str(e.value)


def test_duplicate_ids_name_the_rows() -> None:
    with pytest.raises(DuplicateIdError, match="rows 0, 1"):
        rapprochement.reconcile(_tx(transaction_id=["T1", "T1"]), _inv())
    with pytest.raises(DuplicateIdError, match="invoice_id"):
        rapprochement.reconcile(_tx(), _inv(invoice_id=["X", "X"]))


@pytest.mark.parametrize("bad", [np.nan, "", "abc", None])
def test_missing_or_unreadable_amount(bad: object) -> None:
    with pytest.raises(AmountError, match=r"row.* 1"):
        rapprochement.reconcile(_tx(amount=["100.00", bad]), _inv())


def test_float_amounts_exact_at_the_currency_precision_are_accepted() -> None:
    res = rapprochement.reconcile(_tx(amount=[100.0, 50.5]), _inv())
    assert set(res.allocations["amount"]) == {Decimal("100.00"), Decimal("50.50")}


def test_float_amount_inexact_at_the_currency_precision_is_refused() -> None:
    with pytest.raises(AmountError, match="inexact") as e:
        rapprochement.reconcile(_tx(amount=[100.0, 50.505]), _inv())
    assert "rows 1" in str(e.value)


def test_large_float_amount_inexact_at_the_currency_precision_is_refused() -> None:
    # A relative tolerance would round 12 345 678.905 to a cent; it must be refused instead.
    with pytest.raises(AmountError, match="inexact"):
        rapprochement.reconcile(_tx(amount=[100.0, 12345678.905]), _inv())


def test_unknown_currency() -> None:
    with pytest.raises(CurrencyError, match="rows 1"):
        rapprochement.reconcile(_tx(currency=["EUR", "euro"]), _inv())


def test_dates_that_do_not_parse() -> None:
    with pytest.raises(DateError, match="booking_date"):
        rapprochement.reconcile(_tx(booking_date=["2026-03-01", "2026-02-31"]), _inv())
    with pytest.raises(DateError, match="issue_date"):
        rapprochement.reconcile(_tx(), _inv(issue_date=["2026-02-01", None]))


def test_open_amount_of_the_wrong_sign() -> None:
    with pytest.raises(AmountError, match="open_amount"):
        rapprochement.reconcile(_tx(), _inv(open_amount=["-1.00", None]))


def test_models_are_accepted() -> None:
    txs = [
        rapprochement.Transaction(
            amount=Decimal("100.00"),
            currency="EUR",
            counterparty_name="ACME",
            remittance_info="FA-2026-000001",
        )
    ]
    invs = [
        rapprochement.Invoice(
            invoice_id="FA-2026-000001",
            customer_id="C1",
            customer_name="Acme SA",
            amount=Decimal("100.00"),
            currency="EUR",
            issue_date=dt.date(2026, 2, 1),
        )
    ]
    res = rapprochement.reconcile(txs, invs)
    assert list(res.allocations["invoice_id"]) == ["FA-2026-000001"]


def test_mixed_currencies_are_partitioned_never_mixed() -> None:
    res = rapprochement.reconcile(_tx(currency=["EUR", "CHF"]), _inv())
    assert list(res.allocations["transaction_id"]) == ["T1"]
    assert list(res.unmatched_transactions["transaction_id"]) == ["T2"]


def test_config_round_trips_through_json_and_validates() -> None:
    c = MatchConfig(max_group_size=5, fee_max=Decimal("20"))
    assert MatchConfig.model_validate_json(c.model_dump_json()) == c
    with pytest.raises(ValueError, match="fee_min"):
        MatchConfig(fee_min=Decimal("10"), fee_max=Decimal("5"))


def test_count_candidates_before_scoring() -> None:
    assert count_candidates(_tx(), _inv()) >= 2
