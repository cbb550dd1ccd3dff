"""``write_csv``: the one CSV writer of the tool (formula injection neutralized, OWASP)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapprochement.csv_out import FORMULA_TRIGGERS, neutralize, write_csv


@given(cells=st.lists(st.text(max_size=12), min_size=1, max_size=6), amount=st.decimals(
    allow_nan=False, allow_infinity=False, places=2))  # fmt: skip
def test_no_text_cell_starts_a_formula_and_numbers_are_written_as_they_are(
    cells: list[str], amount: Decimal
) -> None:
    columns = [f"c{i}" for i in range(len(cells))] + ["amount"]
    buf = io.StringIO(newline="")
    write_csv(buf, columns, [[*cells, amount]], numeric=["amount"])
    (row,) = list(csv.reader(io.StringIO(buf.getvalue(), newline="")))[1:]
    assert row[-1] == str(amount)
    for written, given_cell in zip(row, cells, strict=False):
        assert not written.startswith(FORMULA_TRIGGERS)
        assert written == neutralize(given_cell)
        assert written.removeprefix("'") == given_cell or written == given_cell


@pytest.mark.parametrize(
    ("cell", "written"),
    [("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("a=1", "a=1"), (" =1", " =1"), ("", "")],
)
def test_tab_and_carriage_return_lead_ins_are_quoted_too(cell: str, written: str) -> None:
    buf = io.StringIO(newline="")
    write_csv(buf, ["text"], [{"text": cell}])
    assert next(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))["text"] == written


def test_a_numeric_column_holding_text_is_a_bug_not_a_cell() -> None:
    with pytest.raises(TypeError, match="'amount' holds numbers"):
        write_csv(io.StringIO(), ["amount"], [{"amount": "-1"}], numeric=["amount"])
