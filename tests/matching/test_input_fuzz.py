"""Junk in the amount, date and currency columns: reconcile() either reconciles or raises an
InputError subclass, never another exception, and never allocates beyond an invoice's open
amount (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rapprochement
from rapprochement.errors import InputError
from rapprochement.matching.engine import prepare
from rapprochement.money import to_minor
from tests.matching.test_inputs import _inv, _tx

ZONES = [dt.UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]

AMOUNTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-1000, max_value=1000, places=2),
    st.integers(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(),
    st.sampled_from(["100.00", "1.234,56", "1e999999999", "-0", "NaN", "", "abc", "50,5", True]),
    st.text(max_size=12),
    st.none(),
)
DATES = st.one_of(
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, *ZONES])),
    st.integers(),
    st.integers(min_value=19000101, max_value=21001231),
    st.floats(),
    st.sampled_from(["03/04/2026", "13/04/2026", "04/13/2026", "30/02/2026", "2026-02-30",
                     "2026-03-01T23:30:00+01:00", "20260403", "3.4.26", "", "tomorrow"]),
    st.text(max_size=12),
    st.none(),
    st.just(pd.NaT),
    st.just(np.datetime64("2026-03-01")),
)  # fmt: skip
CURRENCIES = st.one_of(
    st.sampled_from(["EUR", "eur", " EUR ", "CHF", "JPY", "XXX", "XTS", "ABC", "DEM", "", "€"]),
    st.text(max_size=4),
    st.none(),
    st.integers(),
)
JUNK = {"amount": AMOUNTS, "open_amount": AMOUNTS, "currency": CURRENCIES}


def _book() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two payments settling an invoice and a credit note."""
    amounts = ["100.00", "-50.50"]
    return _tx(amount=amounts), _inv(amount=amounts, open_amount=[None, "-50.50"])


@st.composite
def junk_books(draw: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    tx, inv = _book()
    frames = {"transactions": tx, "invoices": inv}
    for _ in range(draw(st.integers(1, 6))):
        df = frames[draw(st.sampled_from(sorted(frames)))]
        date_cols = [c for c in df.columns if c.endswith("_date")]
        col = draw(st.sampled_from([c for c in df.columns if c in JUNK] + date_cols))
        row = draw(st.integers(0, len(df) - 1))
        values = df[col].astype(object).tolist()
        values[row] = draw(JUNK.get(col, DATES))
        df[col] = pd.Series(values, dtype=object)
    if draw(st.booleans()):  # a whole typed column: int64, uint64, float or datetime64
        kind = draw(st.sampled_from(["int64", "uint64", "float64", "datetime64"]))
        if kind == "datetime64":
            days = draw(st.lists(st.integers(-800, 30000), min_size=2, max_size=2))
            tx["booking_date"] = pd.to_datetime(np.array(days, dtype="datetime64[D]"))
        else:
            bound = 2**63 - 1 if kind != "uint64" else 2**64 - 1
            low = 0 if kind == "uint64" else -(2**63)
            ints = st.integers(low, bound) if kind != "float64" else st.floats()
            vals = draw(st.lists(ints, min_size=2, max_size=2))
            inv["amount"] = np.array(vals, dtype=kind)
    return tx, inv


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(junk_books())
def test_junk_inputs_reconcile_or_raise_an_input_error(
    book: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    tx, inv = book
    try:
        res = rapprochement.reconcile(tx, inv)
    except InputError:
        return
    _, prepared, _ = prepare(tx, inv)
    open_of = dict(zip(prepared["invoice_id"], prepared["open"], strict=True))
    amount_of = dict(zip(prepared["invoice_id"], prepared["amount"], strict=True))
    got: dict[str, int] = {}
    for r in res.allocations.itertuples():
        if r.invoice_id is not None:
            got[r.invoice_id] = got.get(r.invoice_id, 0) + to_minor(Decimal(r.amount), r.currency)
    for iid, total in got.items():
        assert abs(total) <= abs(open_of[iid]) <= abs(amount_of[iid])
        assert total * open_of[iid] >= 0
