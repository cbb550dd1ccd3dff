"""The parser ceilings script runs and measures something (figures are in benchmarks, not here)."""

from __future__ import annotations

import math

import pytest
from benchmarks.parser_files import build

from benchmarks import parser_floor


def test_ceilings_are_measured(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 < parser_floor.models_and_fingerprint(50) < math.inf
    assert 0 < parser_floor.mt940_tokenize(build("mt940", 50, 0).data) < math.inf
    assert 0 < parser_floor.lxml_parse_only(build("camt", 50, 0).data) < math.inf
    parser_floor.main(["--entries", "50"])
    out = capsys.readouterr().out
    for label in ("models + fingerprint only", "MT940 tokenize only", "CAMT lxml parse only"):
        assert label in out
    assert "goal 100,000" in out
    assert "goal 50,000" in out
