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
    assert 0 < parser_floor.ofx_tokenize(build("ofx", 50, 0).data) < math.inf
    assert set(parser_floor.ceilings(50)) == {"camt", "mt940", "ofx"}
    parser_floor.main(["--entries", "50"])
    out = capsys.readouterr().out
    for label in ("models + fingerprint only", "MT940 tokenize only", "CAMT lxml parse only",
                  "OFX tokenize only", "OFX ceiling"):  # fmt: skip
        assert label in out
    assert out.count("goal (within 2x)") == 3
