"""The parser ceilings script runs and measures something (figures are in benchmarks, not here)."""

from __future__ import annotations

import math

import pytest
from benchmarks.parser_files import build

from benchmarks import parser_floor


def test_ceilings_are_measured(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 < parser_floor.models_and_fingerprint(50) < math.inf
    assert 0 < parser_floor.lxml_parse_only(build("camt", 50, 0).data) < math.inf
    parser_floor.main(["--entries", "50"])
    out = capsys.readouterr().out
    assert "models + fingerprint only" in out
    assert "CAMT, lxml parse only" in out
