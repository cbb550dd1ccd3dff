"""One package per format, each with the same public face (issue 17)."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest

from rapprochement import StatementFormat, read_statement
from rapprochement.parsers import formats
from rapprochement.parsers._common import collect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
#: Package → a fixture of its format.
PACKAGES = {
    "camt": FIXTURES / "camt" / "camt053_v08_batch_charges.xml",
    "mt940": FIXTURES / "mt940" / "rabobank_structured.sta",
    "cfonb": next((FIXTURES / "cfonb").glob("*.txt")),
    "csv": next((FIXTURES / "csv").glob("*.csv")),
    "ofx": next((FIXTURES / "ofx").glob("*.ofx")),
}


@pytest.mark.parametrize("name", list(PACKAGES))
def test_each_format_package_shows_sniff_iter_events_and_read(name: str) -> None:
    pkg = importlib.import_module(f"rapprochement.parsers.{name}")
    assert set(pkg.__all__) >= {"FORMAT", "iter_events", "parse", "read", "sniff"}
    data = PACKAGES[name].read_bytes()
    assert pkg.sniff(data[:4096].lstrip(b"\xef\xbb\xbf")) > 0
    assert pkg.sniff(b"\x00\x01 nothing of the kind") == 0.0
    expected = read_statement(PACKAGES[name])
    assert pkg.read(PACKAGES[name]) == expected
    events = pkg.iter_events(io.BytesIO(data), filename=str(PACKAGES[name]))
    assert [s.model_dump(exclude={"entries"}) for s in collect(events)] == [
        s.model_dump(exclude={"entries"}) for s in expected
    ]


def test_every_built_in_format_follows_the_protocol() -> None:
    for fmt in formats().values():
        assert isinstance(fmt, StatementFormat)
