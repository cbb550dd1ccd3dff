"""Dutch MT940 counterparties stated outside the :86: keywords (Rabobank :61:, old ING :86:)."""

from __future__ import annotations

from pathlib import Path

from rapprochement import read_statement

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mt940"


def _parties(name: str) -> list[tuple[str | None, str | None, str | None]]:
    [stmt] = read_statement(FIXTURES / name)
    return [
        (t.counterparty_name, t.counterparty_iban, t.counterparty_account)
        for e in stmt.entries
        for t in e.transactions
    ]


def test_rabobank_structured_counterparty_account_comes_from_the_61_supplementary_details() -> None:
    assert _parties("rabobank_structured.sta") == [
        ("Jansen Techniek B.V.", "NL91ABNA0417164300", None),
        ("Drukkerij De Vries", None, "0663616476"),
    ]


def test_old_rabobank_reference_field_is_account_then_name() -> None:
    assert _parties("rabobank_old.sta") == [
        ("JANSEN TECHNIEK", None, "0663616476"),
        ("DRUKKERIJ DE VRIES", None, None),
    ]


def test_old_ing_first_86_line_is_account_then_name() -> None:
    assert _parties("ing_old.sta") == [("J. JANSEN", None, "0123456789")]


def test_the_raw_text_stays_where_it_was() -> None:
    [stmt] = read_statement(FIXTURES / "rabobank_structured.sta")
    assert stmt.entries[0].transactions[0].extra["supplementary_details"] == "NL91ABNA0417164300"
    [old] = read_statement(FIXTURES / "rabobank_old.sta")
    assert old.entries[0].customer_reference == "0663616476      JANSEN TECHNIEK"
