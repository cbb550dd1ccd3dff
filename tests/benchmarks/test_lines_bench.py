"""The lines section on a tiny book: no non-customer line or return is allocated, returns are
linked to their payments and reopen the invoices those had settled."""

from __future__ import annotations

from benchmarks.gen_lines import lines_world
from benchmarks.lines import measure, run


def test_the_world_adds_non_customer_lines_and_returns() -> None:
    w = lines_world(1000, 200)
    assert {"tax", "loan", "return", "unrelated"} <= set(w.lines.values())
    assert set(w.returns) <= set(w.transactions["transaction_id"])
    assert lines_world(1000, 200).transactions.equals(w.transactions)  # seeded


def test_the_lines_section_on_a_tiny_book() -> None:
    m = measure(1000, 200)
    led, mem = m["ledger"], m["memory"]
    assert mem["starter rules"]["auto"] == 0
    assert mem["starter rules"]["customer_lines_categorized"] == 0
    assert led["allocated"] == 0
    assert led["returned_payments_allocated"] == 0
    assert led["returns"] > 0
    assert led["link_precision"] == 1.0
    assert led["invoices_reopened"] == led["invoices_to_reopen"]
    text = run("quick", 1000, n=120)
    assert "## Lines that are not customer payments, and returns — 120 payments" in text
    assert "| starter rules |" in text
