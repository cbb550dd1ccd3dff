"""A currency code that is not ISO 4217 never reaches the model: each parser keeps reading the
file, records a finding, and uses the account's currency or XXX (ISO "no currency")."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapprochement import read_statement
from rapprochement.money import is_iso_code

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize(
    ("fixture", "old", "new"),
    [
        ("mt940/cp1252.sta", b":60F:C230601EUR", b":60F:C230601QQQ"),
        ("ofx/comma_decimals.ofx", b"<CURDEF>EUR", b"<CURDEF>QQQ"),
        ("csv/de_sparkasse.csv", b'"EUR"', b'"QQQ"'),
        ("cfonb/label_only.txt", b"00823EUR2", b"00823QQQ2"),
        ("camt/camt053_v02_multi.xml", b'Ccy="EUR"', b'Ccy="QQQ"'),
    ],
)
def test_a_code_outside_iso_4217_is_a_finding_not_a_model_value(
    fixture: str, old: bytes, new: bytes
) -> None:
    data = (FIXTURES / fixture).read_bytes()
    assert old in data
    statements = read_statement(data.replace(old, new))
    codes = {s.currency for s in statements} - {None}
    for s in statements:
        for e in s.entries:
            codes |= {e.currency, *(t.currency for t in e.transactions)}
    assert "QQQ" not in codes
    assert all(is_iso_code(c) for c in codes)
    assert any("QQQ" in f.message for s in statements for f in s.findings)
