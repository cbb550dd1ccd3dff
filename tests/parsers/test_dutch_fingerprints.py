"""Reading Dutch MT940 counterparties (issue 17) keeps every line's fingerprint: a file imported
before that reading existed is recognized when imported again, never doubled."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapprochement import read_statement
from rapprochement.parsers.mt940 import reader

FIXTURES = Path(__file__).parents[1] / "fixtures" / "mt940"
DUTCH = ["ing_old.sta", "rabobank_old.sta", "rabobank_structured.sta"]


@pytest.mark.parametrize("name", DUTCH)
def test_fingerprints_do_not_depend_on_the_derived_counterparty(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = read_statement(FIXTURES / name)
    derived = [
        tx.extra["counterparty_from"]
        for s in now
        for e in s.entries
        for tx in e.transactions
        if "counterparty_from" in tx.extra
    ]
    assert derived, "the fixture shows a derived counterparty"
    with monkeypatch.context() as m:
        m.setattr(reader, "fill_counterparty", lambda *a, **k: None)  # the reading before
        before = read_statement(FIXTURES / name)
    assert [e.fingerprint for s in now for e in s.entries] == [
        e.fingerprint for s in before for e in s.entries
    ]
