"""A number cut at the bank's field width names the next invoice paid (ADR 0016, 6-8)."""

from __future__ import annotations

import pandas as pd

import rapprochement
from rapprochement.matching.columns import INVOICE_COLUMNS, TRANSACTION_COLUMNS
from rapprochement.matching.config import MatchConfig


def _run(text: str, amount: str, extra: list[tuple[str, str]], **cfg: int) -> pd.DataFrame:
    rows = [
        ("SIN004101", "816.00", "2026-03-01"),
        ("SIN004107", "222.00", "2026-03-05"),
        ("SIN004230", "222.00", "2026-03-08"),
        ("SIN004231", "1500.00", "2026-03-12"),
        *[(i, a, "2026-03-06") for i, a in extra],
    ]
    inv = pd.DataFrame(
        [(i, "C1", "Pemberton Foods Ltd", a, "GBP", "2026-02-01", d) for i, a, d in rows],
        columns=list(INVOICE_COLUMNS),
    )
    tx = pd.DataFrame(
        [("T1", "2026-03-10", amount, "GBP", "PEMBERTON FOODS LT", "", text)],
        columns=list(TRANSACTION_COLUMNS),
    )
    res = rapprochement.reconcile(tx, inv, config=MatchConfig(**cfg))
    return res.allocations


def _paid(alloc: pd.DataFrame) -> set[str]:
    return set(alloc["invoice_id"].dropna())


def test_cut_number_picks_the_item_it_prefixes() -> None:
    got = _run("BACS CREDIT PEMBERTON FOODS SIN004101 SIN00410", "1038.00", [])
    assert _paid(got) == {"SIN004101", "SIN004107"}


def test_a_cut_standing_for_many_items_is_no_evidence() -> None:
    # four more open items start with SIN00410: the cut token says nothing about which
    more = [(f"SIN00410{k}", f"{300 + k}.15") for k in (2, 3, 4, 5)]
    got = _run("BACS CREDIT PEMBERTON FOODS SIN004101 SIN00410", "1038.00", more)
    assert not ({"SIN004101", "SIN004107"} <= _paid(got) and (got["status"] == "auto").all())


def test_long_named_run_is_a_suggestion() -> None:
    # max_group_size 2: the named invoice and four more (one exact completion) are a long run
    more = [("SIN004300", "101.11"), ("SIN004301", "202.22"), ("SIN004302", "303.33")]
    got = _run("BACS CREDIT PEMBERTON FOODS SIN004101", "2922.66", more, max_group_size=2)
    assert _paid(got) == {"SIN004101", "SIN004231", "SIN004300", "SIN004301", "SIN004302"}
    assert (got["status"] == "suggested").all()
    assert got["explanation"].str.contains("a long group picked by its sum").all()
